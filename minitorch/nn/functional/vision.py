"""Resampling and rearranging images: interpolate (upsample), pixel_shuffle,
pixel_unshuffle, fold and unfold.

interpolate is separable: along each spatial axis, every output position is a
weighted sum of a few input positions, so resampling an axis is one product
with an (out, in) matrix built from torch's own index and weight rules
(UpSample.h: area_pixel_compute_source_index, guard_index_and_lambda, the
cubic kernel with A = -0.75). Its backward is the transposed matrix, which
matmul already knows; nearest modes gather instead (exact, and their backward
is a scatter-add). unfold / fold are im2col / col2im from conv.py, each the
other's adjoint. Read conv.py first.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from minitorch.autograd.function import Function
from minitorch.nn.functional._utils import check_tensor, ntuple
from minitorch.nn.functional.conv import add_into, im2col, window_slice, zero_pad
from minitorch.nn.functional.pooling import _averaging_matrix
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = ["interpolate", "upsample", "pixel_shuffle", "pixel_unshuffle", "fold", "unfold"]

MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
# The mode each input rank needs, for the 'linear family' (torch's NotImplementedError names it).
LINEAR_RANK = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}


def _scale_value(scale: float | None, size: int, out: int, dtype: Any) -> Any:
    """compute_scales_value: 1/scale_factor when one was given, else in/out (in `dtype`)."""
    if scale is not None and scale > 0:
        return dtype(1.0 / scale)
    return dtype(size) / dtype(out)


def _source_scale(size: int, out: int, align_corners: bool, scale: float | None,
                  dtype: Any) -> Any:
    """area_pixel_compute_scale: the step between sampled input positions."""
    if align_corners:
        return dtype(size - 1) / dtype(out - 1) if out > 1 else dtype(0)
    return _scale_value(scale, size, out, dtype)


def _source_positions(size: int, out: int, align_corners: bool, scale: float | None,
                      dtype: Any, cubic: bool) -> np.ndarray:
    """area_pixel_compute_source_index for every output index (in the input's precision)."""
    step = _source_scale(size, out, align_corners, scale, dtype)
    dst = np.arange(out, dtype=dtype)
    if align_corners:
        return step * dst
    src = step * (dst + dtype(0.5)) - dtype(0.5)
    return src if cubic else np.maximum(src, dtype(0))


def _floor_and_lambda(src: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """guard_index_and_lambda: index = min(floor(src), size - 1), lambda clamped to [0, 1]."""
    index = np.minimum(np.floor(src).astype(np.int64), size - 1)
    lam = np.clip(src - index.astype(src.dtype), 0, 1).astype(src.dtype)
    return index, lam


def _linear_matrix(size: int, out: int, align_corners: bool, scale: float | None,
                   dtype: Any) -> np.ndarray:
    """(out, size): row o holds the two weights (1 - lambda, lambda) of linear interpolation."""
    index, lam = _floor_and_lambda(
        _source_positions(size, out, align_corners, scale, dtype, cubic=False), size)
    m = np.zeros((out, size), dtype=dtype)
    rows = np.arange(out)
    np.add.at(m, (rows, index), 1 - lam)
    np.add.at(m, (rows, index + (index < size - 1)), lam)
    return m


def _cubic_weights(t: np.ndarray) -> list[np.ndarray]:
    """torch's get_cubic_upsample_coefficients (Keys' kernel with A = -0.75)."""
    a = t.dtype.type(-0.75)

    def near(x: np.ndarray) -> np.ndarray:  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _cubic_matrix(size: int, out: int, align_corners: bool, scale: float | None,
                  dtype: Any) -> np.ndarray:
    """(out, size): four cubic weights per row at index-1 .. index+2, clamped to the edges."""
    index, lam = _floor_and_lambda(
        _source_positions(size, out, align_corners, scale, dtype, cubic=True), size)
    m = np.zeros((out, size), dtype=dtype)
    rows = np.arange(out)
    for k, w in enumerate(_cubic_weights(lam)):
        np.add.at(m, (rows, np.clip(index - 1 + k, 0, size - 1)), w)
    return m


def _nearest_index(size: int, out: int, scale: float | None, exact: bool) -> np.ndarray:
    """nearest_idx / nearest_exact_idx: computed in float32, as torch's kernels do."""
    if not exact and out == size:
        return np.arange(out)
    if not exact and out == 2 * size:
        return np.arange(out) >> 1
    step = np.float32(1.0 / scale) if scale is not None and scale > 0 else \
        np.float32(size) / np.float32(out)
    dst = np.arange(out, dtype=np.float64)
    if exact:
        src = np.floor(((dst + 0.5) * np.float64(step)).astype(np.float32))
    else:
        src = np.floor(dst.astype(np.float32) * step)
    return np.minimum(src.astype(np.int64), size - 1)


def _apply_matrix(x: Tensor, axis: int, m: np.ndarray) -> Tensor:
    """Resample one axis of x with the (out, in) matrix m."""
    mt = Tensor._make(np.ascontiguousarray(m.T), False, None)
    return x.movedim(axis, -1).matmul(mt).movedim(-1, axis)


def _gather(x: Tensor, axis: int, index: np.ndarray) -> Tensor:
    return x.movedim(axis, -1)[..., index].movedim(-1, axis)


def _sizes_and_scales(input: Tensor, size: Any, scale_factor: Any,
                      recompute_scale_factor: bool | None, mode: str
                      ) -> tuple[list[int], list[float | None]]:
    """torch's rules: exactly one of size / scale_factor; the output size is
    floor(in * scale), and the scale itself is used by the kernel unless recomputed."""
    dim = input.ndim - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "output size in (o1, o2, ...,oK) format."
                )
            if not all(isinstance(s, (int, np.integer)) for s in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    f"Tuple[int, int, int], but got size with types {[type(s) for s in size]}"
                )
            out = [int(s) for s in size]
        else:
            out = [int(size)] * dim
        scales: list[float | None] = [None] * dim
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {spatial} and scale_factor of "
                    f"shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK)"
                    " format and scale_factor in (s1, s2, ...,sK) format."
                )
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
        out = [int(s * f) for s, f in zip(spatial, scales)]
        if recompute_scale_factor or mode == "area":
            scales = [None] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if any(o <= 0 for o in out) or any(s <= 0 for s in spatial):
        names = "DHW"[-dim:] if dim <= 3 else "?" * dim
        raise RuntimeError(
            "Input and output sizes should be greater than 0, but got input "
            f"({', '.join(f'{n}: {s}' for n, s in zip(names, spatial))}) and output "
            f"({', '.join(f'{n}: {o}' for n, o in zip(names, out))})"
        )
    return out, scales


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resample the spatial dims of (N, C, d1[, d2[, d3]]) to `size` or by `scale_factor`.

    mode: nearest, nearest-exact, linear (3-d input), bilinear / bicubic (4-d),
    trilinear (5-d) or area (adaptive average pooling). align_corners (linear family
    only) maps the corner pixels' centres onto each other.
    """
    check_tensor(input, "interpolate")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    if input.ndim not in (3, 4, 5) or mode not in MODES:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
            "the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})"
        )
    out, scales = _sizes_and_scales(input, size, scale_factor, recompute_scale_factor, mode)
    if antialias:
        raise NotImplementedError(
            "interpolate: antialias=True is not implemented in minitorch")
    if mode in LINEAR_RANK and input.ndim != LINEAR_RANK[mode]:
        raise NotImplementedError(
            f"Got {input.ndim}D input, but {mode} mode needs {LINEAR_RANK[mode]}D input")
    if input.array.dtype.kind != "f":
        kind = "nearest" if mode.startswith("nearest") else "linear"
        raise NotImplementedError(
            f"\"compute_indices_weights_{kind}\" not implemented for '{input.dtype}'")
    dtype = input.array.dtype.type
    x = input
    for k, (o, s) in enumerate(zip(out, scales)):
        axis, n = 2 + k, input.shape[2 + k]
        if mode in ("nearest", "nearest-exact"):
            x = _gather(x, axis, _nearest_index(n, o, s, mode == "nearest-exact"))
        elif mode == "area":
            x = _apply_matrix(x, axis, _averaging_matrix(n, o, input.array.dtype))
        elif mode == "bicubic":
            x = _apply_matrix(x, axis, _cubic_matrix(n, o, align_corners, s, dtype))
        else:
            x = _apply_matrix(x, axis, _linear_matrix(n, o, align_corners, s, dtype))
    return x
register(interpolate, function=False, functional=True)


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated spelling of interpolate (warns, as torch does)."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)
register(upsample, function=False, functional=True)


# -- pixel shuffles: pure reshapes and a permute -------------------------------------------------

def _check_shuffle(input: Any, factor: Any, op: str, name: str) -> None:
    check_tensor(input, op)
    if input.ndim < 3:
        raise RuntimeError(
            f"{op} expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )
    if not isinstance(factor, (int, np.integer)) or factor <= 0:
        raise RuntimeError(f"{op} expects a positive {name}, but got {factor}")


def _interleave(x: Tensor, lead: tuple[int, ...], c: int, r: int, h: int, w: int) -> Tensor:
    """(*lead, c, r, r, h, w) -> (*lead, c, h, r, w, r)."""
    b = len(lead)
    order = list(range(b)) + [b, b + 3, b + 1, b + 4, b + 2]
    return x.reshape(*lead, c, r, r, h, w).permute(*order)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C*r^2, H, W) -> (*, C, H*r, W*r): channel blocks become r x r pixel blocks."""
    _check_shuffle(input, upscale_factor, "pixel_shuffle", "upscale_factor")
    r = int(upscale_factor)
    *lead, cr, h, w = input.shape
    if cr % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={cr} is not divisible by {r * r}"
        )
    c = cr // (r * r)
    return _interleave(input, tuple(lead), c, r, h, w).reshape(*lead, c, h * r, w * r)
register(pixel_shuffle, function=False, functional=True)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H*r, W*r) -> (*, C*r^2, H, W): the inverse of pixel_shuffle."""
    _check_shuffle(input, downscale_factor, "pixel_unshuffle", "downscale_factor")
    r = int(downscale_factor)
    *lead, c, hr, wr = input.shape
    for name, n, d in (("height", hr, -2), ("width", wr, -1)):
        if n % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                f"input.size({d})={n} is not divisible by {r}"
            )
    h, w, b = hr // r, wr // r, len(lead)
    order = list(range(b)) + [b, b + 2, b + 4, b + 1, b + 3]
    return input.reshape(*lead, c, h, r, w, r).permute(*order).reshape(*lead, c * r * r, h, w)
register(pixel_unshuffle, function=False, functional=True)


# -- unfold (im2col) and fold (col2im), each the other's adjoint ---------------------------------

def _blocks(spatial: tuple[int, int], kernel: tuple[int, ...], dilation: tuple[int, ...],
            padding: tuple[int, ...], stride: tuple[int, ...]) -> tuple[int, int]:
    return tuple(  # type: ignore[return-value]
        (s + 2 * p - d * (k - 1) - 1) // st + 1
        for s, k, d, p, st in zip(spatial, kernel, dilation, padding, stride)
    )


def _im2col(x: np.ndarray, geom: tuple) -> np.ndarray:
    kernel, dilation, padding, stride, out_hw = geom
    xp = zero_pad(x, (padding[0], padding[0], padding[1], padding[1]))
    cols = im2col(xp, kernel, out_hw, stride, dilation, 1)
    return cols[:, 0]


def _col2im(cols: np.ndarray, geom: tuple, hw: tuple[int, int]) -> np.ndarray:
    kernel, dilation, padding, stride, out_hw = geom
    n = cols.shape[0]
    c = cols.shape[1] // (kernel[0] * kernel[1])
    blocks = cols.reshape(n, c, kernel[0], kernel[1], *out_hw)
    xp = np.zeros((n, c, hw[0] + 2 * padding[0], hw[1] + 2 * padding[1]), dtype=cols.dtype)
    for i in range(kernel[0]):  # one kernel offset at a time: its slab's elements are distinct
        for j in range(kernel[1]):
            xp = add_into(xp, window_slice(i, j, out_hw, stride, dilation), blocks[:, :, i, j])
    return xp[:, :, padding[0]:padding[0] + hw[0], padding[1]:padding[1] + hw[1]]


class Im2Col(Function):
    """y[n, (c, i, j), l] = x_padded[n, c, window l at offset (i, j)];  x: col2im(grad)."""

    @staticmethod
    def forward(ctx, x, *, geom):
        ctx.geom, ctx.hw = geom, x.shape[-2:]
        return _im2col(x, geom)

    @staticmethod
    def backward(ctx, grad):
        return _col2im(grad, ctx.geom, ctx.hw)


class Col2Im(Function):
    """y = Σ over blocks l of block l added back at its window (overlaps add);
    x: im2col(grad)."""

    @staticmethod
    def forward(ctx, x, *, geom, hw):
        ctx.geom = geom
        return _col2im(x, geom, hw)

    @staticmethod
    def backward(ctx, grad):
        return _im2col(grad, ctx.geom)


def _fold_args(op: str, kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> tuple:
    k = ntuple(kernel_size, 2, "kernel_size", op)
    d = ntuple(dilation, 2, "dilation", op)
    p = ntuple(padding, 2, "padding", op)
    s = ntuple(stride, 2, "stride", op)
    if min(k) <= 0:
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kernel_height: {k[0]} "
            f"kernel_width: {k[1]}")
    if min(d) <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilation_height: {d[0]} "
            f"dilation_width: {d[1]}")
    if min(p) < 0:
        raise RuntimeError(
            f"padding should be non-negative, but got pad_height: {p[0]} pad_width: {p[1]}")
    if min(s) <= 0:
        raise RuntimeError(
            f"stride should be greater than zero, but got stride_height: {s[0]} "
            f"stride_width: {s[1]}")
    return k, d, p, s


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """Sliding blocks of (N, C, H, W) or (C, H, W) as columns: (N, C*kh*kw, L)."""
    check_tensor(input, "unfold")
    if input.ndim < 3:  # torch reads size(ndim) first
        n = max(input.ndim, 1)
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got "
            f"{input.ndim})")
    if input.ndim > 4 or 0 in input.shape[1:]:
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero"
            f" dimensions for input, but got: {list(input.shape)}")
    k, d, p, s = _fold_args("unfold", kernel_size, dilation, padding, stride)
    out_hw = _blocks(tuple(input.shape[-2:]), k, d, p, s)
    if min(out_hw) < 1:
        raise RuntimeError(
            f"Given input with spatial size {tuple(input.shape[-2:])}, kernel_size={k}, "
            f"dilation={d}, padding={p}, calculated shape of the array of sliding blocks as "
            f"{out_hw}, but its components must be at least one."
        )
    x = input.unsqueeze(0) if input.ndim == 3 else input
    out = Im2Col.apply(x, geom=(k, d, p, s, out_hw))
    return out.squeeze(0) if input.ndim == 3 else out
register(unfold, function=False, functional=True)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> Tensor:
    """Sum sliding blocks (N, C*kh*kw, L) back into (N, C, H, W): the adjoint of unfold."""
    check_tensor(input, "fold")
    if input.ndim not in (2, 3) or 0 in input.shape[-2:]:
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    hw = ntuple(output_size, 2, "output_size", "fold")
    k, d, p, s = _fold_args("fold", kernel_size, dilation, padding, stride)
    ckk = input.shape[-2]
    if ckk % (k[0] * k[1]):
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={ckk} and kernel_size={k}."
        )
    out_hw = _blocks(hw, k, d, p, s)
    if min(out_hw) < 1 or math.prod(out_hw) != input.shape[-1]:
        raise RuntimeError(
            f"Given output_size={hw}, kernel_size={k}, dilation={d}, padding={p}, stride={s}, "
            "expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {out_hw[0]} * {out_hw[1]} = {math.prod(out_hw)}, but got "
            f"input.size(2)={input.shape[-1]}."
        )
    x = input.unsqueeze(0) if input.ndim == 2 else input
    out = Col2Im.apply(x, geom=(k, d, p, s, out_hw), hw=hw)
    return out.squeeze(0) if input.ndim == 2 else out
register(fold, function=False, functional=True)
