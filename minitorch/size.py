"""minitorch.Size: the type of `t.shape`, a tuple of ints that says what it is.

torch.Size is a tuple subclass, and programs lean on both halves: they
compare a shape to a tuple (`x.shape == (2, 3)`), unpack it, hash it, and
also call `x.shape.numel()` or expect `x.shape[1:]` and `x.shape + (4,)` to
stay a Size. Everything else (len, iteration, ==, hash, count, index) is
the tuple's own. It prints as `minitorch.Size([2, 3])`, the way torch prints
`torch.Size([2, 3])` (our dtypes print `minitorch.float32` likewise).
Read tensor.py next: `Tensor.shape` returns one of these.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Iterable, SupportsIndex

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _as_int(item: Any, position: int) -> int:
    """One entry: anything with __index__ (ints, bools, NumPy ints, 0-dim int tensors)."""
    if isinstance(item, float) or not hasattr(type(item), "__index__"):
        raise TypeError(f"minitorch.Size() takes an iterable of 'int' (item {position} is "
                        f"'{type(item).__name__}')")
    return operator.index(item)


def _check_int64(sizes: tuple[int, ...]) -> None:
    """torch builds a Size of any ints but fails, when it needs them as C int64, here."""
    if any(not _INT64_MIN <= s <= _INT64_MAX for s in sizes):
        raise ValueError("Overflow when unpacking long long")


class Size(tuple):
    """The shape of a tensor: `minitorch.Size([2, 3])`, equal and hashing as `(2, 3)`."""

    __slots__ = ()

    def __new__(cls, sizes: Iterable[Any] = ()) -> Size:
        return super().__new__(cls, [_as_int(s, i) for i, s in enumerate(sizes)])

    @classmethod
    def _of(cls, shape: tuple[int, ...]) -> Size:
        """The fast path for Tensor.shape: a NumPy shape needs no checking."""
        return tuple.__new__(cls, shape)

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds (1 for the empty shape)."""
        _check_int64(self)
        return math.prod(self)

    def __repr__(self) -> str:
        _check_int64(self)
        return f"minitorch.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, key: Any) -> Any:
        got = super().__getitem__(key)
        return Size(got) if isinstance(key, slice) else got

    def __add__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) to "
                            "minitorch.Size")
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other: Any) -> Size:  # (4,) + size: Python asks the subclass first
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def __mul__(self, times: SupportsIndex) -> Size:
        return Size(tuple(self) * times)

    __rmul__ = __mul__

    def __reduce__(self) -> tuple[Any, ...]:  # pickles as a Size, not as a tuple
        return (Size, (tuple(self),))
