"""pad: grow (or, with negative amounts, crop) the last dims of a tensor, in every mode.

`pad` lists (left, right) amounts starting from the LAST dim, as torch does:
pad=(1, 1, 2, 2) pads the last dim by 1 and the one before by 2.
Constant padding copies the input into a filled array (backward: slice the
gradient back out). reflect / replicate / circular padding is a gather along
each padded dim with an index map, so its backward is the matching
scatter-add (border elements receive the gradient of every copy of them).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from minitorch.autograd.function import Function
from minitorch.nn.functional._utils import check_tensor
from minitorch.ops.support import scatter_add_into, set_into
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = ["pad"]


class ConstantPad(Function):
    """y = x placed inside a block of `value` (negative amounts crop);  x: grad's matching slice."""

    @staticmethod
    def forward(ctx, x, *, pairs, value):
        out_shape, src, dst = list(x.shape), [slice(None)] * x.ndim, [slice(None)] * x.ndim
        for d, (lo, hi) in pairs.items():
            n = x.shape[d]
            src[d] = slice(max(-lo, 0), n - max(-hi, 0))
            kept = max(n - max(-lo, 0) - max(-hi, 0), 0)
            dst[d] = slice(max(lo, 0), max(lo, 0) + kept)
            out_shape[d] = n + lo + hi
        out = np.full(out_shape, value, dtype=x.dtype)
        out[tuple(dst)] = x[tuple(src)]
        ctx.x_shape, ctx.src, ctx.dst = x.shape, tuple(src), tuple(dst)
        return out

    @staticmethod
    def backward(ctx, grad):
        return set_into(np.zeros(ctx.x_shape, dtype=grad.dtype), ctx.src, grad[ctx.dst])


def _index_map(n: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """For each output position along one dim, the input position it copies.

    A negative amount crops that side. reflect and replicate crop the padded result; circular,
    as torch, crops the input first and wraps around what is left.
    """
    pos = np.arange(-lo, n + hi)
    if mode == "replicate":
        return np.clip(pos, 0, n - 1)
    if mode == "circular":
        start, m = max(-lo, 0), n - max(-lo, 0) - max(-hi, 0)
        if m <= 0:
            return np.zeros(0, np.int64)
        return np.arange(-max(lo, 0), m + max(hi, 0)) % m + start
    pos = np.abs(pos)  # reflect: mirror at both ends without repeating the edge
    return np.where(pos > n - 1, 2 * (n - 1) - pos, pos)


class IndexPad(Function):
    """y = x gathered along each padded dim by an index map;  x: scatter-add of grad back."""

    @staticmethod
    def forward(ctx, x, *, maps):
        out = x
        for d, idx in maps.items():
            out = np.take(out, idx, axis=d)
        ctx.x_shape, ctx.maps = x.shape, maps
        return out

    @staticmethod
    def backward(ctx, grad):
        g = grad
        for d, idx in reversed(list(ctx.maps.items())):
            shape = list(g.shape)
            shape[d] = ctx.x_shape[d]
            g = scatter_add_into(np.zeros(shape, dtype=grad.dtype), (slice(None),) * d + (idx,), g)
        return g


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: Any = None) -> Tensor:
    """Pad the last len(pad)//2 dims: mode 'constant' (value, default 0), 'reflect',
    'replicate' or 'circular'."""
    check_tensor(input, "pad")
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    npairs = len(pad) // 2
    if npairs > input.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {input.ndim}"
        )
    pairs = {input.ndim - 1 - i: (pad[2 * i], pad[2 * i + 1]) for i in range(npairs)}
    if mode == "constant":
        for d, (lo, hi) in pairs.items():
            if input.shape[d] + lo + hi < 0 or max(-lo, -hi) > input.shape[d]:
                raise RuntimeError(
                    f"pad: the input size {input.shape[d]} at dimension {d}, plus negative padding "
                    f"{lo} and {hi} resulted in a negative output size"
                )
        return ConstantPad.apply(input, pairs=pairs, value=0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if not (npairs in (1, 2, 3) and input.ndim in (npairs + 1, npairs + 2)):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor. "
            "Supported combinations for non-constant padding: 2D or 3D input with padding size 2, "
            "3D or 4D input with padding size 4, 4D or 5D input with padding size 6"
        )
    for d, (lo, hi) in pairs.items():
        n = input.shape[d]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                "Argument #4: Padding size should be less than the corresponding input dimension, "
                f"but got: padding ({lo}, {hi}) at dimension {d} of input {list(input.shape)}"
            )
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "circular" and n + lo + hi > 0 and n - max(-lo, 0) - max(-hi, 0) <= 0:
            # torch returns uninitialised memory here; there is nothing left to wrap around
            raise RuntimeError(
                f"pad: circular padding ({lo}, {hi}) crops all {n} elements of dimension {d} "
                "and then has nothing to wrap around"
            )
        if n + lo + hi < 0 or (n + lo + hi == 0 and mode != "circular"):
            raise RuntimeError(
                f"pad: input (size {n} at dimension {d}) is too small. Calculated output size: "
                f"{n + lo + hi} (padding ({lo}, {hi}), mode {mode})"
            )
    maps = {d: _index_map(input.shape[d], lo, hi, mode) for d, (lo, hi) in pairs.items()}
    return IndexPad.apply(input, maps=maps)
register(pad, function=False, functional=True)
