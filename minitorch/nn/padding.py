"""Padding modules: ZeroPad2d, ConstantPad1d/2d, ReflectionPad1d/2d, ReplicationPad1d/2d.

Each stores its padding as torch does (an int becomes (p, p) for 1-d, (p, p, p, p)
for 2-d: left, right, top, bottom) and calls F.pad with its mode.
"""

from __future__ import annotations

from typing import Any

from minitorch.nn import functional as F
from minitorch.nn.module import Module
from minitorch.tensor import Tensor


def _expand(padding: Any, n: int) -> tuple[int, ...]:
    return tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * n


class _ConstantPadNd(Module):
    _n = 2

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__()
        self.padding = _expand(padding, self._n)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    _n = 2


class ConstantPad2d(_ConstantPadNd):
    _n = 4


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ModePadNd(Module):
    _n = 2
    _mode = "reflect"

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _expand(padding, self._n)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_ModePadNd):
    _n, _mode = 2, "reflect"


class ReflectionPad2d(_ModePadNd):
    _n, _mode = 4, "reflect"


class ReplicationPad1d(_ModePadNd):
    _n, _mode = 2, "replicate"


class ReplicationPad2d(_ModePadNd):
    _n, _mode = 4, "replicate"
