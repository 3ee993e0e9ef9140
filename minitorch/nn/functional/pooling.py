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
from minitorch.nn.functional.conv import add_into, window_slice, zero_pad
from minitorch.ops.support import scatter_add_into
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = [
    "max_pool2d", "avg_pool2d", "max_pool2d_with_indices", "max_pool1d", "avg_pool1d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
    "max_unpool2d", "lp_pool2d", "max_pool3d", "avg_pool3d",
]


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
    _check_pool_dtype(op, input)
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


def _check_pool_dtype(op: str, input: Tensor) -> None:
    """torch's kernels: max pooling takes floats and every integer dtype, average pooling
    floats and int64 only; bool neither."""
    dt = input.array.dtype
    ok = dt.kind == "f" or (dt.kind in "iu" if op.startswith("max") else dt == np.int64)
    if not ok:
        raise NotImplementedError(f"{op}: \"{op}\" not implemented for '{input.dtype}'")


def _int_divide(total: np.ndarray, divisor: np.ndarray) -> np.ndarray:
    """total / divisor truncated toward zero (C++ integer division), for any signs."""
    quotient = np.abs(total) // np.abs(divisor)
    return (quotient * (np.sign(total) * np.sign(divisor))).astype(total.dtype)


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


def _first_max(slabs: list[np.ndarray], arg0: np.ndarray, lowest: Any) -> tuple:
    """torch's window scan (a strictly larger value replaces the max: the first of equal
    maxima wins) for NaN-free slabs, without its per-element branches: the maxima by
    np.maximum, then the winner as the first slab equal to it (counted with boolean passes:
    NumPy's masked copy is ~10x slower than a plain pass). A window of `lowest` only keeps
    torch's start index arg0 (its first element that is not padding)."""
    out = slabs[0].copy()
    for slab in slabs[1:]:
        np.maximum(out, slab, out=out)
    arg = np.zeros(out.shape, np.int8 if len(slabs) < 128 else np.int64)
    found = np.zeros(out.shape, bool)
    eq = np.empty(out.shape, bool)
    for slab in slabs[:-1]:  # arg = how many slabs came before the first equal one
        np.equal(slab, out, out=eq)
        found |= eq
        np.logical_not(found, out=eq)
        arg += eq
    low = out == lowest
    if low.any():
        np.copyto(arg, arg0, where=low)
    if out.dtype.kind == "f":  # -0.0 == 0.0: the sign is the first equal element's
        zero = np.nonzero(out == 0)
        if zero[0].size:
            pick = arg[zero]
            for o, slab in enumerate(slabs):
                hit = tuple(z[pick == o] for z in zero)
                out[hit] = slab[hit]
    return out, arg


def _window_max(slabs: list[np.ndarray], arg0: np.ndarray, lowest: Any,
                has_nan: bool) -> tuple:
    """Each window's max and the offset it came from, slabs[o] being every window's element
    at offset o: torch's scan, starting from (lowest, arg0)."""
    if not has_nan and beats is np.greater:  # (tests plant another `beats`)
        return _first_max(slabs, arg0, lowest)
    # a NaN takes over (the last NaN wins): torch's scan, as masked passes
    out = np.full(slabs[0].shape, lowest, dtype=slabs[0].dtype)
    arg = np.broadcast_to(arg0, out.shape).copy()
    for o, slab in enumerate(slabs):
        better = beats(slab, out)
        if has_nan:
            better |= np.isnan(slab)
        np.copyto(out, slab, where=better)
        np.copyto(arg, o, where=better)
    return out, arg


class MaxPoolND(Function):
    """y = max over each window;  x: grad routed to the window's argmax (first max, or a NaN).

    Ties: the first maximum in scan order wins, as in torch; overlapping windows
    that pick the same element add their gradients. Any number of spatial dims (1d and 2d
    pooling use 2, 3d pooling 3); `pads` is one (before, after) pair per spatial dim.
    """

    @staticmethod
    def forward(ctx, x, *, kernel, stride, padding, dilation, out_sz, pads, indices_out):
        nd = len(kernel)
        unbatched = x.ndim == nd + 1
        xb = x[None] if unbatched else x
        lowest = _lowest(x.dtype)
        xp = xb
        if any(b or a for b, a in pads):  # padding is `lowest`: never a max
            xp = np.full(xb.shape[:2] + tuple(n + b + a for n, (b, a) in
                                               zip(xb.shape[2:], pads)), lowest, dtype=x.dtype)
            xp[(slice(None),) * 2 + tuple(slice(b, b + n)
                                          for n, (b, _) in zip(xb.shape[2:], pads))] = xb
        offsets = list(np.ndindex(*kernel))  # scan order: the last dim fastest
        slabs = [xp[_window(off, out_sz, stride, dilation)] for off in offsets]
        # torch starts each window at its first non-padding element with value -inf.
        arg0 = np.zeros((), np.int64)
        for o, k, p, s, d in zip(out_sz, kernel, padding, stride, dilation):
            first = np.maximum(0, -(-(p - np.arange(o) * s) // d))
            arg0 = arg0[..., None] * k + first
        out, arg = _window_max(slabs, arg0, lowest, x.dtype.kind == "f" and
                               bool(np.isnan(xb.max())))
        ctx.save_for_backward(arg)
        ctx.geom = (xb.shape, xp.shape, pads, offsets, out_sz, stride, dilation, unbatched)
        if indices_out is not None:  # return_indices: flat positions in each spatial plane
            pos = np.zeros(out.shape, np.int64)
            rest = arg.astype(np.int64)
            for dim in range(nd):
                inner = int(np.prod(kernel[dim + 1:], dtype=np.int64))
                at = np.arange(out_sz[dim]).reshape((-1,) + (1,) * (nd - 1 - dim))
                step = at * stride[dim] - padding[dim] + (rest // inner) * dilation[dim]
                pos = pos * xb.shape[2 + dim] + step
                rest = rest % inner
            indices_out.append(pos[0] if unbatched else pos)
        return out[0] if unbatched else out

    @staticmethod
    def backward(ctx, grad):
        (arg,) = ctx.saved
        xb_shape, xp_shape, pads, offsets, out_sz, stride, dilation, unbatched = ctx.geom
        g = grad[None] if unbatched else grad
        dxp = np.zeros(xp_shape, dtype=grad.dtype)
        zero = np.zeros((), dtype=grad.dtype)
        # the offsets backwards: an element's gradients then add up in the order of their
        # output positions, torch's order (a later window reaches it by an earlier offset)
        for o, off in reversed(list(enumerate(offsets))):
            dxp = add_into(dxp, _window(off, out_sz, stride, dilation),
                           np.where(arg == o, g, zero))
        dx = dxp[(slice(None),) * 2 + tuple(slice(b, b + n)
                                            for n, (b, _) in zip(xb_shape[2:], pads))]
        return dx[0] if unbatched else dx


def _window(off: tuple, out_sz: tuple, stride: tuple, dilation: tuple) -> tuple:
    """The strided slice of the padded input that kernel offset `off` sees, one per output."""
    return (slice(None), slice(None)) + tuple(
        slice(i * d, i * d + s * (o - 1) + 1, s)
        for i, o, s, d in zip(off, out_sz, stride, dilation))


def _max_pool2d(input: Tensor, k: tuple, s: tuple, p: tuple, d: tuple, out_hw: tuple,
                pads: tuple, indices: list | None) -> Tensor:
    return MaxPoolND.apply(input, kernel=k, stride=s, padding=p, dilation=d, out_sz=out_hw,
                           pads=((pads[0], pads[1]), (pads[2], pads[3])), indices_out=indices)


def max_pool2d_with_indices(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    k, s, p, d, out_hw, pads = _pool_args(
        "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode
    )
    indices: list[np.ndarray] = []
    out = _max_pool2d(input, k, s, p, d, out_hw, pads, indices)
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
    return _max_pool2d(input, k, s, p, d, out_hw, pads, None)
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
            out = _int_divide(acc, divisor)
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
                dxp = add_into(dxp, window_slice(i, j, out_hw, stride, (1, 1)), g)
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


# -- 1-d pooling: the 2-d kernels on a height of 1 ------------------------------------------------

def _as_2d(input: Any, op: str) -> Any:
    """(N, C, L) or (C, L) seen as (N, C, 1, L) or (C, 1, L): pooling over a height of 1."""
    check_tensor(input, op)
    if input.ndim not in (2, 3) or 0 in input.shape[-2:]:
        raise RuntimeError(
            f"{op}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
            f"input, but got:{list(input.shape)}"
        )
    return input.unsqueeze(-2)


def _one(v: Any, name: str, op: str) -> tuple[int, int]:
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            raise RuntimeError(f"{op}: {name} must be a single int, or a tuple of one int")
        v = v[0]
    return (1, int(v))


def max_pool1d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> Any:
    """Max over windows of (N, C, L) or (C, L): max_pool2d over a height of 1."""
    x = _as_2d(input, "max_pool1d")
    if not return_indices and input.array.dtype.kind != "f":  # torch's max_pool1d_impl
        raise NotImplementedError(
            f"max_pool1d: \"max_pool1d_impl\" not implemented for '{input.dtype}'"
        )
    s = None if stride is None or (isinstance(stride, (tuple, list)) and not stride) else \
        _one(stride, "stride", "max_pool1d")
    out = max_pool2d(x, _one(kernel_size, "kernel_size", "max_pool1d"), s,
                     (0, _one(padding, "padding", "max_pool1d")[1]),
                     _one(dilation, "dilation", "max_pool1d"), ceil_mode, return_indices)
    if return_indices:  # with a height of 1 the flat H*W index is the index along L
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)
register(max_pool1d, function=False, functional=True)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """Mean over windows of (N, C, L) or (C, L): avg_pool2d over a height of 1."""
    check_tensor(input, "avg_pool1d")
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument "
            "#1 'self' (while checking arguments for avg_pool1d)"
        )
    s = None if stride is None or (isinstance(stride, (tuple, list)) and not stride) else \
        _one(stride, "stride", "avg_pool1d")
    return avg_pool2d(input.unsqueeze(-2), _one(kernel_size, "kernel_size", "avg_pool1d"), s,
                      (0, _one(padding, "padding", "avg_pool1d")[1]), ceil_mode,
                      count_include_pad).squeeze(-2)
register(avg_pool1d, function=False, functional=True)


# -- adaptive pooling: output size fixed, windows [floor(i*L/out), ceil((i+1)*L/out)) -------------

def adaptive_windows(size: int, out: int) -> list[tuple[int, int]]:
    """torch's start_index / end_index: window i covers [floor(i*L/out), ceil((i+1)*L/out))."""
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def _adaptive_table(size: int, out: int) -> np.ndarray:
    """(longest window, out): entry [a, i] is the position window i reads at offset a, its
    last position again past its end."""
    win = adaptive_windows(size, out)
    longest = max(b - a for a, b in win)
    return np.array([[min(a + k, b - 1) for a, b in win] for k in range(longest)], np.int64)


def _adaptive_args(op: str, input: Any, output_size: Any, nd: int) -> tuple[int, ...]:
    """Check the input as torch does and return the output size (None keeps the input's)."""
    check_tensor(input, op)
    if nd == 1:
        if input.ndim not in (2, 3):
            raise RuntimeError(
                f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for "
                f"argument #1 'self' (while checking arguments for {op})"
            )
    elif isinstance(output_size, (tuple, list)) and input.ndim <= len(output_size):
        # torch's Python wrapper fills None sizes from the input first, with this ValueError
        raise ValueError(f"{op}: Input dimension should be at least 3 (got shape "
                         f"{list(input.shape)})")
    elif input.ndim not in (3, 4):
        raise RuntimeError(f"{op}(): Expected 3D or 4D tensor, but got {list(input.shape)}")
    for d in range(1, input.ndim):
        if input.shape[d] == 0:
            raise RuntimeError(
                f"{op}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {list(input.shape)} with dimension {d} being empty"
            )
    if input.array.dtype.kind != "f":
        raise RuntimeError(f"{op}: \"{op}\" not implemented for '{input.dtype}'")
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * nd
    if len(sizes) != nd:
        raise RuntimeError(f"{op}(): internal error: output_size.size() must be {nd}")
    out = tuple(int(input.shape[-nd + i]) if s is None else int(s) for i, s in enumerate(sizes))
    if any(s < 0 for s in out):
        raise RuntimeError(
            f"{op}: elements of output_size must be greater than or equal to 0 but received "
            f"{{{', '.join(map(str, out))}}}"
        )
    return out


def _averaging_matrix(size: int, out: int, dtype: np.dtype) -> np.ndarray:
    """(out, size): row i averages adaptive window i."""
    m = np.zeros((out, size), dtype=dtype)
    for i, (a, b) in enumerate(adaptive_windows(size, out)):
        m[i, a:b] = 1.0 / (b - a)
    return m


def _along_last_dims(input: Tensor, matrices: list[np.ndarray]) -> Tensor:
    """Apply matrices[k] (out, in) to the k-th of the last len(matrices) dims of input:
    a separable linear map, differentiable through matmul."""
    nd = len(matrices)
    x = input
    for k, m in enumerate(matrices):
        axis = input.ndim - nd + k
        x = x.movedim(axis, -1).matmul(Tensor._make(m.T.copy(), False, None)).movedim(-1, axis)
    return x


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over output_size adaptive windows of the last dim of (N, C, L) or (C, L)."""
    out = _adaptive_args("adaptive_avg_pool1d", input, output_size, 1)
    return _along_last_dims(input, [_averaging_matrix(input.shape[-1], out[0], input.array.dtype)])
register(adaptive_avg_pool1d, function=False, functional=True)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over adaptive windows of (N, C, H, W) or (C, H, W) -> (..., out_h, out_w).

    Separable: the mean over a rectangle is a mean over rows of means over columns, so it
    is one averaging matrix per axis (its backward is the transposed matrices).
    """
    out = _adaptive_args("adaptive_avg_pool2d", input, output_size, 2)
    dtype = input.array.dtype
    return _along_last_dims(input, [_averaging_matrix(input.shape[-2], out[0], dtype),
                                    _averaging_matrix(input.shape[-1], out[1], dtype)])
register(adaptive_avg_pool2d, function=False, functional=True)


class AdaptiveMaxPool2D(Function):
    """y = max over each adaptive window;  x: grad added at each window's argmax.

    Ties: the first maximum wins; a NaN always takes over (so the last NaN), as in torch.
    """

    @staticmethod
    def forward(ctx, x, *, out_hw, indices_out):
        h, w = x.shape[-2:]
        planes = x.reshape(-1, h, w)
        ho, wo = out_hw
        # offset a of window i reads row rows[a, i] (and b, j column cols[b, j]); a shorter
        # window repeats its last element, which keeps its max, its first maximum and its
        # last NaN. One gather per offset, then torch's scan over the offsets.
        rows, cols = _adaptive_table(h, ho), _adaptive_table(w, wo)
        slabs = [planes[:, r[:, None], c[None, :]] for r in rows for c in cols]
        out, arg = _window_max(slabs, np.zeros((), np.int64), _lowest(x.dtype),
                               x.dtype.kind == "f" and bool(np.isnan(x.max())))
        arg = arg.astype(np.int64)
        idx = rows[arg // len(cols), np.arange(ho)[:, None]] * w + \
            cols[arg % len(cols), np.arange(wo)[None, :]]
        ctx.save_for_backward(idx)
        ctx.in_shape = x.shape
        shape = x.shape[:-2] + (ho, wo)
        if indices_out is not None:
            indices_out.append(idx.reshape(shape))
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        (idx,) = ctx.saved
        h, w = ctx.in_shape[-2:]
        g = grad.reshape(idx.shape[0], -1)
        dx = np.zeros((idx.shape[0], h * w), dtype=grad.dtype)
        rows = np.repeat(np.arange(idx.shape[0]), g.shape[1])
        # windows may share an argmax: their gradients add
        dx = scatter_add_into(dx, (rows, idx.reshape(-1)), g.reshape(-1))
        return dx.reshape(ctx.in_shape)


def _adaptive_max(x: Tensor, out_hw: tuple[int, int], return_indices: bool) -> Any:
    indices: list[np.ndarray] = []
    out = AdaptiveMaxPool2D.apply(x, out_hw=out_hw, indices_out=indices)
    return (out, Tensor._make(indices[0], False, None)) if return_indices else out


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over adaptive windows of (N, C, H, W) or (C, H, W); indices are flat in H*W."""
    out = _adaptive_args("adaptive_max_pool2d", input, output_size, 2)
    return _adaptive_max(input, out, return_indices)
register(adaptive_max_pool2d, function=False, functional=True)


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over adaptive windows of the last dim of (N, C, L) or (C, L)."""
    out = _adaptive_args("adaptive_max_pool1d", input, output_size, 1)
    res = _adaptive_max(input.unsqueeze(-2), (1, out[0]), return_indices)
    if return_indices:
        return res[0].squeeze(-2), res[1].squeeze(-2)
    return res.squeeze(-2)
register(adaptive_max_pool1d, function=False, functional=True)


# -- unpooling and power-average pooling ----------------------------------------------------------

class MaxUnpool2D(Function):
    """y[idx] = x (zeros elsewhere, per (N, C) plane);  x: grad gathered at idx."""

    @staticmethod
    def forward(ctx, x, *, indices, out_hw):
        planes = x.reshape(-1, x.shape[-2] * x.shape[-1])
        idx = indices.reshape(planes.shape)
        out = np.zeros((planes.shape[0], out_hw[0] * out_hw[1]), dtype=x.dtype)
        np.put_along_axis(out, idx, planes, axis=1)
        ctx.idx, ctx.in_shape = idx, x.shape
        return out.reshape(x.shape[:-2] + tuple(out_hw))

    @staticmethod
    def backward(ctx, grad):
        g = grad.reshape(ctx.idx.shape[0], -1)
        return np.take_along_axis(g, ctx.idx, axis=1).reshape(ctx.in_shape)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """The inverse of max_pool2d(return_indices=True): each value back at its flat index,
    zeros elsewhere; the output size defaults to the one that pooling came from."""
    check_tensor(input, "max_unpool2d")
    check_tensor(indices, "max_unpool2d", "indices", 2)
    k = _pair(kernel_size, "kernel_size", "max_unpool2d")
    s = k if stride is None else _pair(stride, "stride", "max_unpool2d")
    p = _pair(padding, "padding", "max_unpool2d")
    default = [(input.shape[-2 + d] - 1) * s[d] + k[d] - 2 * p[d] for d in range(2)]
    if output_size is None:
        out_hw = default
    else:
        out_hw = list(output_size)[-2:]
        for d in range(2):
            lo, hi = default[d] - s[d], default[d] + s[d]
            if not lo < out_hw[d] < hi:
                raise ValueError(
                    f'invalid output_size "{list(output_size)}" (dim {d} must be between '
                    f"{lo} and {hi})"
                )
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with "
            f"{input.ndim} dimensions."
        )
    if indices.shape != input.shape or indices.array.dtype != np.int64:
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor "
            f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}"
        )
    n_out = out_hw[0] * out_hw[1]
    bad = indices.array[(indices.array < 0) | (indices.array >= n_out)]
    if bad.size:
        raise RuntimeError(
            f"Found an invalid max index: {int(bad.flat[0])} (output volumes are of size "
            f"{out_hw[0]}x{out_hw[1]})"
        )
    return MaxUnpool2D.apply(input, indices=indices.array, out_hw=tuple(out_hw))
register(max_unpool2d, function=False, functional=True)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """(Σ_window x^p)^(1/p), written as torch writes it: avg_pool2d of x^p times the window
    size, with sign(s) * relu(|s|) keeping the base of the root non-negative."""
    kh, kw = _pair(kernel_size, "kernel_size", "lp_pool2d")
    if stride is not None:
        out = avg_pool2d(input.pow(norm_type), (kh, kw), stride, 0, ceil_mode)
    else:
        out = avg_pool2d(input.pow(norm_type), (kh, kw), padding=0, ceil_mode=ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kh * kw).pow(1.0 / norm_type)
register(lp_pool2d, function=False, functional=True)



# -- 3-d pooling: the 2-d kernels on each depth slice, then the same window along depth ----------

def _triple(v: Any, name: str, op: str) -> tuple[int, int, int]:
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return (int(v),) * 3
    if isinstance(v, (tuple, list)) and len(v) in (1, 3):
        return tuple(int(v[i if len(v) == 3 else 0]) for i in range(3))  # type: ignore
    raise RuntimeError(f"{op}: {name} must either be a single int, or a tuple of three ints")


def _pool3d_args(op: str, input: Any, kernel_size: Any, stride: Any, padding: Any,
                 dilation: Any, ceil_mode: bool) -> tuple:
    """Check as torch does; return the (k, s, p, d) triples, the output depth, and the
    input as 5-d (a batch of one for 4-d input)."""
    check_tensor(input, op)
    if input.ndim not in (4, 5) or 0 in input.shape[-4:]:
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    _check_pool_dtype(op, input)
    k = _triple(kernel_size, "kernel_size", op)
    s = k if stride is None or (isinstance(stride, (tuple, list)) and not stride) else \
        _triple(stride, "stride", op)
    p = _triple(padding, "padding", op)
    d = _triple(dilation, "dilation", op)
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
    out = [pool_output_size(n, *args, ceil_mode) for n, *args in zip(input.shape[-3:], k, s, p, d)]
    if min(out) < 1:
        raise RuntimeError(
            f"Given input size: ({'x'.join(map(str, input.shape[-4:]))}). Calculated output size: "
            f"({'x'.join(map(str, [input.shape[-4], *out]))}). Output size is too small"
        )
    do = out[0]
    x = input.unsqueeze(0) if input.ndim == 4 else input
    return k, s, p, d, do, x


def _depth_slices(x: Tensor, k: tuple, s: tuple, p: tuple, d: tuple, do: int,
                  fill: float) -> list[Tensor]:
    """For each kernel depth offset: the (N, C*Do, H, W) planes it reads, padding = fill."""
    from minitorch.nn.functional.padding import pad

    n, c, depth, h, w = x.shape
    back = max((do - 1) * s[0] + d[0] * (k[0] - 1) + 1 - depth - p[0], 0)
    xp = pad(x, (0, 0, 0, 0, p[0], back), value=fill) if p[0] or back else x
    slices = []
    for kd in range(k[0]):
        start = kd * d[0]
        sl = xp[:, :, start:start + s[0] * (do - 1) + 1:s[0]]
        slices.append(sl.reshape(n, c * do, h, w))
    return slices


def max_pool3d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> Any:
    """Max over kd x kh x kw windows of (N, C, D, H, W) or (C, D, H, W).

    MaxPoolND over three spatial dims: of equal maxima the first in (depth, height, width)
    order wins and a NaN always takes over, as in torch.
    """
    k, s, p, d, do, x = _pool3d_args("max_pool3d", input, kernel_size, stride, padding,
                                     dilation, ceil_mode)
    size = tuple(x.shape[2:])
    out_sz = (do,) + tuple(pool_output_size(n, ki, si, pi, di, ceil_mode)
                           for n, ki, si, pi, di in zip(size[1:], k[1:], s[1:], p[1:], d[1:]))
    # padding that covers every window; in ceil mode the last ones may need more on the right
    pads = tuple((pi, max((o - 1) * si + di * (ki - 1) + 1 - n - pi, 0))
                 for n, o, ki, si, pi, di in zip(size, out_sz, k, s, p, d))
    indices: list[np.ndarray] | None = [] if return_indices else None
    out = MaxPoolND.apply(input, kernel=k, stride=s, padding=p, dilation=d, out_sz=out_sz,
                          pads=pads, indices_out=indices)
    if not return_indices:
        return out
    return out, Tensor._make(indices[0], False, None)
register(max_pool3d, function=False, functional=True)


def avg_pool3d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
    ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None,
) -> Tensor:
    """Mean over kd x kh x kw windows. torch's divisor is a product over the three axes, so
    this is the depth-window mean of avg_pool2d over each depth slice (or window sums
    over divisor_override)."""
    k, s, p, _, do, x = _pool3d_args("avg_pool3d", input, kernel_size, stride, padding, 1,
                                     ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("avg_pool3d: divisor must be not zero")
    n, c, depth, h, w = x.shape
    integer = x.array.dtype.kind != "f"
    total = None
    for sl in _depth_slices(x, k, s, p, (1, 1, 1), do, 0):
        # integers: exact window sums, then one truncating division by the whole divisor
        part = avg_pool2d(sl, k[1:], s[1:], p[1:], ceil_mode, count_include_pad,
                          1 if divisor_override or integer else None)
        total = part if total is None else total + part
    ho, wo = total.shape[-2:]
    total = total.reshape(n, c, do, ho, wo)
    if integer:
        if divisor_override:
            div = np.full((do, ho, wo), divisor_override, dtype=np.int64)
        else:
            div = (_avg_divisor(depth, do, k[0], s[0], p[0], count_include_pad)[:, None, None]
                   * _avg_divisor(h, ho, k[1], s[1], p[1], count_include_pad)[None, :, None]
                   * _avg_divisor(w, wo, k[2], s[2], p[2], count_include_pad)[None, None, :])
        out = Tensor._make(_int_divide(total.array, div), False, None)
        return out.squeeze(0) if input.ndim == 4 else out
    if divisor_override:
        out = total / divisor_override
    else:
        div = _avg_divisor(depth, do, k[0], s[0], p[0], count_include_pad)
        out = total / Tensor._make(div.astype(x.array.dtype).reshape(do, 1, 1), False, None)
    return out.squeeze(0) if input.ndim == 4 else out
register(avg_pool3d, function=False, functional=True)
