"""Pooling: max_pool2d and avg_pool2d over the same strided windows as conv.py.

Both loop over the kh*kw kernel offsets (a handful), each step touching one
strided slab of every window at once -- never a loop over pixels. Max pooling
keeps, per window, which offset won (torch's rule: a strictly larger value or
a NaN replaces the current max, so the first of equal maxima wins); its
backward sends the gradient back to that offset only. Average pooling's
backward spreads grad / divisor evenly over the window.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.autograd.function import Function
from minitorch.nn.functional._utils import check_tensor
from minitorch.nn.functional.conv import window_slice, zero_pad
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = ["max_pool2d", "avg_pool2d", "max_pool2d_with_indices"]


def pool_output_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """torch's pooling_output_shape: floor (or ceil) division, and in ceil mode the last
    window must start inside the input or its left padding."""
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_args(op: str, input: Any, kernel_size: Any, stride: Any, padding: Any,
               dilation: Any, ceil_mode: bool) -> tuple:
    """Check input and the window arguments as torch does; return the geometry."""
    check_tensor(input, op)
    if op == "avg_pool2d" and input.ndim < 3:  # torch reads size(-3) first
        raise IndexError(
            f"avg_pool2d: Dimension out of range (expected to be in range of "
            f"[{-max(input.ndim, 1)}, {max(input.ndim, 1) - 1}], but got -3)"
        )
    if input.ndim not in (3, 4) or 0 in input.shape[-3:]:
        raise RuntimeError(
            f"{op}: non-empty 3D or 4D (batch mode) tensor expected for input, got shape "
            f"{list(input.shape)}"
        )
    if input.data.dtype.kind not in "fiu":
        raise RuntimeError(f"{op}: not implemented for '{input.dtype}'")
    k = _pair(kernel_size, "kernel_size", op)
    s = k if stride is None or (isinstance(stride, (tuple, list)) and not stride) else \
        _pair(stride, "stride", op)
    p = _pair(padding, "padding", op)
    d = _pair(dilation, "dilation", op)
    if min(k) <= 0 or min(s) <= 0:
        raise RuntimeError(f"{op}: stride should not be zero (kernel_size={k}, stride={s})")
    if min(d) <= 0:
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got {d}")
    for pi, ki, di in zip(p, k, d):
        if pi < 0 or pi > ((ki - 1) * di + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={pi}, "
                f"kernel_size={ki} and dilation={di}"
            )
    h, w = input.shape[-2:]
    ho = pool_output_size(h, k[0], s[0], p[0], d[0], ceil_mode)
    wo = pool_output_size(w, k[1], s[1], p[1], d[1], ceil_mode)
    if ho < 1 or wo < 1:
        c = input.shape[-3]
        raise RuntimeError(
            f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{ho}x{wo}). "
            "Output size is too small"
        )
    # Padding that covers every window; in ceil mode the last ones may need extra on the right.
    need_h = (ho - 1) * s[0] + d[0] * (k[0] - 1) + 1
    need_w = (wo - 1) * s[1] + d[1] * (k[1] - 1) + 1
    pads = (p[0], max(need_h - h - p[0], 0), p[1], max(need_w - w - p[1], 0))
    return k, s, p, d, (ho, wo), pads


def _pair(v: Any, name: str, op: str) -> tuple[int, int]:
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return (int(v), int(v))
    if isinstance(v, (tuple, list)) and len(v) in (1, 2):
        return (int(v[0]), int(v[-1]))
    raise RuntimeError(f"{op}: {name} must either be a single int, or a tuple of two ints")


# A strictly larger value takes over a window, so of equal maxima the first (in scan order)
# wins, as in torch; a NaN always takes over (see `forward`).
beats = np.greater


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


class MaxPool2DWithIndices(Function):
    """y = max over each window;  x: grad routed to the window's argmax (first max, or a NaN).

    Ties: the first maximum in scan order wins, as in torch; overlapping windows
    that pick the same element add their gradients.
    """

    @staticmethod
    def forward(ctx, x, *, kernel, stride, padding, dilation, out_hw, pads, indices_out):
        unbatched = x.ndim == 3
        x4 = x[None] if unbatched else x
        n, c, h, w = x4.shape
        (kh, kw), (ho, wo) = kernel, out_hw
        xp = zero_pad(x4, pads, value=_lowest(x.dtype))
        # torch starts each window at its first non-padding element with value -inf.
        i0 = np.maximum(0, -(-(padding[0] - np.arange(ho) * stride[0]) // dilation[0]))
        j0 = np.maximum(0, -(-(padding[1] - np.arange(wo) * stride[1]) // dilation[1]))
        arg = np.broadcast_to(i0[:, None] * kw + j0[None, :], (n, c, ho, wo)).copy()
        out = np.full((n, c, ho, wo), _lowest(x.dtype), dtype=x.dtype)
        has_nan = x.dtype.kind == "f" and bool(np.isnan(x4).any())
        for i in range(kh):
            for j in range(kw):
                slab = xp[window_slice(i, j, out_hw, stride, dilation)]
                better = beats(slab, out)
                if has_nan:
                    better |= np.isnan(slab)
                np.copyto(out, slab, where=better)
                np.copyto(arg, i * kw + j, where=better)
        ctx.save_for_backward(arg)
        ctx.geom = (x4.shape, xp.shape, pads, kernel, out_hw, stride, dilation, unbatched)
        if indices_out is not None:  # return_indices: flat positions in each (H, W) plane
            ih = np.arange(ho)[:, None] * stride[0] - padding[0] + (arg // kw) * dilation[0]
            iw = np.arange(wo)[None, :] * stride[1] - padding[1] + (arg % kw) * dilation[1]
            idx = (ih * w + iw).astype(np.int64)
            indices_out.append(idx[0] if unbatched else idx)
        return out[0] if unbatched else out

    @staticmethod
    def backward(ctx, grad):
        (arg,) = ctx.saved
        x4_shape, xp_shape, pads, (kh, kw), out_hw, stride, dilation, unbatched = ctx.geom
        g = grad[None] if unbatched else grad
        dxp = np.zeros(xp_shape, dtype=grad.dtype)
        zero = np.zeros((), dtype=grad.dtype)
        for i in range(kh):
            for j in range(kw):
                dxp[window_slice(i, j, out_hw, stride, dilation)] += np.where(
                    arg == i * kw + j, g, zero
                )
        top, _, left, _ = pads
        dx = dxp[:, :, top:top + x4_shape[2], left:left + x4_shape[3]]
        return dx[0] if unbatched else dx


def max_pool2d_with_indices(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    k, s, p, d, out_hw, pads = _pool_args(
        "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode
    )
    indices: list[np.ndarray] = []
    out = MaxPool2DWithIndices.apply(
        input, kernel=k, stride=s, padding=p, dilation=d, out_hw=out_hw, pads=pads,
        indices_out=indices,
    )
    return out, Tensor._make(indices[0], False, None)
register(max_pool2d_with_indices, function=False, functional=True, differentiable=False)


def max_pool2d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> Any:
    """Max over kh x kw windows of (N, C, H, W) or (C, H, W); stride defaults to kernel_size.

    Padding is -inf (never the max); with return_indices also the flat (H*W) argmax.
    """
    if return_indices:
        return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    k, s, p, d, out_hw, pads = _pool_args(
        "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode
    )
    return MaxPool2DWithIndices.apply(
        input, kernel=k, stride=s, padding=p, dilation=d, out_hw=out_hw, pads=pads,
        indices_out=None,
    )
register(max_pool2d, function=False, functional=True)


def _avg_divisor(size: int, out: int, k: int, s: int, p: int,
                 count_include_pad: bool) -> np.ndarray:
    """Per output position along one axis: the window length torch divides by.

    count_include_pad counts padding (but not the ceil-mode overhang); otherwise only
    the input elements inside the window count.
    """
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    if count_include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


class AvgPool2D(Function):
    """y = sum over each window / divisor;  x: grad / divisor added to every window element."""

    @staticmethod
    def forward(ctx, x, *, kernel, stride, padding, out_hw, pads, count_include_pad,
                divisor_override):
        unbatched = x.ndim == 3
        x4 = x[None] if unbatched else x
        n, c, h, w = x4.shape
        (kh, kw), (ho, wo) = kernel, out_hw
        xp = zero_pad(x4, pads)
        acc = np.zeros((n, c, ho, wo), dtype=x.dtype)
        for i in range(kh):
            for j in range(kw):
                acc += xp[window_slice(i, j, out_hw, stride, (1, 1))]
        if divisor_override:
            divisor = np.full((ho, wo), divisor_override)
        else:
            dh = _avg_divisor(h, ho, kh, stride[0], padding[0], count_include_pad)
            dw = _avg_divisor(w, wo, kw, stride[1], padding[1], count_include_pad)
            divisor = dh[:, None] * dw[None, :]
        if x.dtype.kind == "f":
            divisor = divisor.astype(x.dtype)
            out = acc / divisor
        else:  # integer pooling truncates toward zero, as C++ division does
            out = (np.abs(acc) // divisor) * np.sign(acc)
        ctx.divisor = divisor
        ctx.geom = (x4.shape, xp.shape, pads, kernel, out_hw, stride, unbatched)
        return out[0] if unbatched else out

    @staticmethod
    def backward(ctx, grad):
        x4_shape, xp_shape, pads, (kh, kw), out_hw, stride, unbatched = ctx.geom
        g = (grad[None] if unbatched else grad) / ctx.divisor
        dxp = np.zeros(xp_shape, dtype=grad.dtype)
        for i in range(kh):
            for j in range(kw):
                dxp[window_slice(i, j, out_hw, stride, (1, 1))] += g
        top, _, left, _ = pads
        dx = dxp[:, :, top:top + x4_shape[2], left:left + x4_shape[3]]
        return dx[0] if unbatched else dx


def avg_pool2d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
    ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None,
) -> Tensor:
    """Mean over kh x kw windows; padding counts as zeros unless count_include_pad=False."""
    k, s, p, _, out_hw, pads = _pool_args(
        "avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode
    )
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("avg_pool2d: divisor must be not zero")
    return AvgPool2D.apply(
        input, kernel=k, stride=s, padding=p, out_hw=out_hw, pads=pads,
        count_include_pad=count_include_pad, divisor_override=divisor_override,
    )
register(avg_pool2d, function=False, functional=True)
