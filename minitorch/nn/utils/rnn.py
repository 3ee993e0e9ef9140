"""nn.utils.rnn: batches of sequences of different lengths, padded or packed.

A padded batch is one (T, B, *) tensor (or (B, T, *) with batch_first) with
filler after each sequence's end. A PackedSequence keeps only the real steps,
time-major: its data rows are step 0 of every sequence, then step 1 of every
sequence still running, and so on; batch_sizes[t] counts the sequences running
at step t. That needs the sequences sorted longest first; when they were not,
sorted_indices records the order used and unsorted_indices undoes it.

Packing, padding and unpacking are each one gather: an index array says, for
every output row, which input row it copies (or the row of padding), so
autograd sees one differentiable indexing op and its backward scatters the
gradient back. nn/rnn.py (read next) runs RNN, LSTM and GRU over either form.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple, Sequence

import numpy as np

from minitorch import dtypes, ops
from minitorch.tensor import Tensor

__all__ = [
    "PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
    "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence",
]


def _long(a: np.ndarray) -> Tensor:
    return Tensor._make(np.ascontiguousarray(a, dtype=np.int64), False, None)


class _PackedSequenceFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedSequenceFields):
    """(data, batch_sizes, sorted_indices, unsorted_indices): a batch of sequences without padding.

    Build one with pack_padded_sequence or pack_sequence rather than by hand, as in torch.
    """

    def __new__(cls, data: Any, batch_sizes: Tensor | None = None,
                sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes), ...), as torch allows
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """Convert the data (dtype); batch_sizes and the indices stay int64, as in torch."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self) -> PackedSequence:
        return self

    def double(self) -> PackedSequence:
        return self.to(dtypes.float64)

    def float(self) -> PackedSequence:
        return self.to(dtypes.float32)

    def long(self) -> PackedSequence:
        return self.to(dtypes.int64)

    def int(self) -> PackedSequence:
        return self.to(dtypes.int32)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse permutation (None stays None): inverse[permutation[i]] = i."""
    if permutation is None:
        return None
    p = np.asarray(permutation.array, dtype=np.int64)
    inverse = np.empty_like(p)
    inverse[p] = np.arange(p.size)
    return _long(inverse)


def _lengths_array(lengths: Any) -> np.ndarray:
    """lengths as given (a list of ints or a tensor) as a 1-D int64 array."""
    a = np.asarray(lengths.array if isinstance(lengths, Tensor) else lengths)
    if a.ndim != 1:
        raise RuntimeError(
            f"'lengths' argument should be a 1D CPU int64 tensor, but got {a.ndim}D cpu tensor"
        )
    return a.astype(np.int64)


def pack_padded_sequence(input: Tensor, lengths: Tensor | Sequence[int], batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded (T, B, *) batch (or (B, T, *) with batch_first) whose sequence b has
    lengths[b] real steps. With enforce_sorted, lengths must be decreasing; otherwise the
    batch is sorted here and the permutation kept in the result."""
    lens = _lengths_array(lengths)
    if input.dim() < 2:
        raise IndexError(
            f"pack_padded_sequence: expected a padded input with at least 2 dimensions (time and "
            f"batch), got shape {tuple(input.shape)}"
        )
    time_dim, batch_dim = (1, 0) if batch_first else (0, 1)
    batch, steps = input.shape[batch_dim], input.shape[time_dim]
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if lens.size != batch:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} "
            f"(batch_size={batch})"
        )
    if enforce_sorted:
        order, sorted_indices = np.arange(batch), None
        if np.any(np.diff(lens) > 0):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX exportability."
            )
    else:
        order = np.argsort(-lens, kind="stable")  # longest first; ties keep their order
        sorted_indices = _long(order)
    lens = lens[order]
    if lens[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            "that is <= 0"
        )
    if lens[0] > steps:  # torch reads past the end here; we refuse
        raise RuntimeError(
            f"pack_padded_sequence: a sequence length of {int(lens[0])} exceeds the padded "
            f"length {steps} of the input"
        )
    batch_sizes = (lens[None, :] > np.arange(lens[0])[:, None]).sum(axis=1)
    # Row r of the packed data is (step t, sorted sequence b): step-major, b < batch_sizes[t].
    t = np.repeat(np.arange(batch_sizes.size), batch_sizes)
    b = order[np.concatenate([np.arange(n) for n in batch_sizes])]
    data = input[b, t] if batch_first else input[t, b]
    return PackedSequence(data, _long(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None
                        ) -> tuple[Tensor, Tensor]:
    """Undo pack_padded_sequence: the padded (T, B, *) batch (in the caller's original order)
    and the lengths, an int64 tensor. total_length pads T further (DataParallel's use)."""
    data, batch_sizes = sequence.data, np.asarray(sequence.batch_sizes.array, dtype=np.int64)
    steps = batch_sizes.size
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{steps}"
            )
        steps = total_length
    batch = int(batch_sizes[0])
    lengths = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(axis=1)
    # index[t, b] = the data row of step t of sequence b, or the padding row (the last one).
    starts = np.concatenate([[0], np.cumsum(batch_sizes)[:-1]])
    index = np.full((steps, batch), data.shape[0], dtype=np.int64)
    real = np.arange(batch)[None, :] < batch_sizes[:, None]
    index[:batch_sizes.size][real] = (starts[:, None] + np.arange(batch)[None, :])[real]
    if sequence.unsorted_indices is not None:
        unsort = np.asarray(sequence.unsorted_indices.array, dtype=np.int64)
        index, lengths = index[:, unsort], lengths[unsort]
    padding = ops.full((1, *data.shape[1:]), padding_value, dtype=data.dtype)
    padded = ops.cat([data, padding])[index.T if batch_first else index]
    return padded, _long(lengths)


def pad_sequence(sequences: Tensor | Iterable[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes (L_i, *) into one (max L, B, *) tensor (or (B, max L, *)),
    filling with padding_value after each sequence (or before it, with padding_side='left')."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError(
            "pad_sequence: Expected iterable for input sequences, but got arg of type: "
            f"{type(sequences)}"
        )
    seqs = tuple(sequences)
    if not seqs:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    first = seqs[0]
    for i, s in enumerate(seqs):
        if not isinstance(s, Tensor) or s.dim() == 0:
            raise RuntimeError(
                f"pad_sequence: expected every sequence to be a tensor with at least 1 "
                f"dimension, but sequence {i} is {'0-d' if isinstance(s, Tensor) else type(s)}"
            )
        if tuple(s.shape[1:]) != tuple(first.shape[1:]):
            raise RuntimeError(
                f"pad_sequence: sequence {i} has shape {tuple(s.shape)}, but the trailing "
                f"dimensions must match those of sequence 0, {tuple(first.shape)}"
            )
    lengths = np.array([s.shape[0] for s in seqs], dtype=np.int64)
    steps = int(lengths.max())
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    # index[t, b] = row of the concatenated sequences holding step t of sequence b, or padding;
    # offset[t, b] is t's position inside sequence b (negative or past its end: padding).
    shift = steps - lengths if padding_side == "left" else np.zeros_like(lengths)
    offset = np.arange(steps)[:, None] - shift[None, :]
    index = np.where((offset >= 0) & (offset < lengths[None, :]), starts[None, :] + offset,
                     lengths.sum())
    padding = ops.full((1, *first.shape[1:]), padding_value, dtype=first.dtype)
    rows = ops.cat([s if s.dtype == first.dtype else s.to(first.dtype) for s in seqs] + [padding])
    return rows[index.T if batch_first else index]


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False
                   ) -> list[Tensor]:
    """Undo pad_sequence: the list of sequences, each cut to its length."""
    batch_major = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [batch_major[b, :int(n)] for b, n in enumerate(_lengths_array(lengths))]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *): pad_sequence, then pack_padded_sequence."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """Undo pack_sequence: the list of sequences."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
