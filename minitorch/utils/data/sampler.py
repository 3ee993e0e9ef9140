"""Samplers: which dataset indices a DataLoader reads, and in what order.

A Sampler is an iterable of indices (or, for a BatchSampler, of lists of
indices). The random ones draw from minitorch's own generator
(minitorch/random.py): the same seed gives the same order, though not
torch's order (bit-equality with torch's RNG is not a goal). Checks and
messages follow torch/utils/data/sampler.py. Read collate.py next.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any, Generic, TypeVar

import numpy as np

from minitorch.random import Generator, numpy_generator
from minitorch.tensor import Tensor

T_co = TypeVar("T_co", covariant=True)


class Sampler(Generic[T_co]):
    """Base class: subclasses give __iter__ over indices, and usually __len__."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError


def _positive_int(value: Any, name: str) -> None:
    """torch's check for num_samples and batch_size: a real int (not a bool) above zero."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value}")


class SequentialSampler(Sampler[int]):
    """0, 1, ..., len(data_source) - 1, always in that order."""

    data_source: Sized

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """A random order of the indices, or num_samples draws with replacement.

    Without replacement, num_samples larger than the dataset walks through
    several fresh permutations, as torch does.
    """

    data_source: Sized
    replacement: bool

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None, generator: Generator | None = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={self.replacement}"
            )
        # torch's check here lets a bool through (isinstance(True, int)); so do we.
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                "num_samples should be a positive integer value, "
                f"but got num_samples={self.num_samples}"
            )

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        if self.generator is None:
            # A fresh generator per epoch, seeded from the global one (so manual_seed rules it).
            seed = int(numpy_generator(None).integers(0, 2**63 - 1))
            rng = Generator(seed).np
        else:
            rng = numpy_generator(self.generator)
        if self.replacement:
            # Drawn 32 at a time, lazily, as torch does: a partly read epoch draws less.
            for _ in range(self.num_samples // 32):
                yield from rng.integers(0, n, size=32).tolist()
            yield from rng.integers(0, n, size=self.num_samples % 32).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from rng.permutation(n).tolist()
            yield from rng.permutation(n).tolist()[: self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices in a random order (without replacement)."""

    indices: Sequence[int]

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in numpy_generator(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """num_samples indices drawn with probabilities proportional to `weights`.

    Without replacement we use torch's own method (the exponential race: keep
    the largest w_i / E_i with E_i ~ Exp(1)), so once the positive weights are
    used up the zero-weight indices follow, as in torch.
    """

    weights: Tensor
    num_samples: int
    replacement: bool

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Generator | None = None) -> None:
        _positive_int(num_samples, "num_samples")
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        w = np.array(weights.array if isinstance(weights, Tensor) else weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}"
            )
        self.weights = Tensor._make(w, False, None)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        yield from _multinomial(self.weights.array, self.num_samples, self.replacement,
                                numpy_generator(self.generator))

    def __len__(self) -> int:
        return self.num_samples


def _multinomial(w: np.ndarray, k: int, replacement: bool, rng: np.random.Generator) -> list[int]:
    """k category indices drawn from weights w, with torch.multinomial's checks."""
    if (w < 0).any() or not np.isfinite(w).all():
        raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
    if not w.sum() > 0:
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if replacement:
        return rng.choice(len(w), size=k, p=w / w.sum()).tolist()
    if k > len(w):
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    keys = w / rng.exponential(size=len(w))
    return np.argsort(-keys, kind="stable")[:k].tolist()


class BatchSampler(Sampler[list[int]]):
    """Groups another sampler's indices into lists of batch_size (the last may be short)."""

    def __init__(self, sampler: Sampler[int] | Iterable[int], batch_size: int,
                 drop_last: bool) -> None:
        _positive_int(batch_size, "batch_size")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        indices = iter(self.sampler)
        batch = list(itertools.islice(indices, self.batch_size))
        while batch:
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch
            batch = list(itertools.islice(indices, self.batch_size))

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size
