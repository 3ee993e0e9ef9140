"""Convolution (conv1d, conv2d) as one matrix product over strided windows.

The forward is "im2col": `as_strided` makes a view in which every output
position sees its C x kh x kw input window (no data copied yet); reshaping it
into a matrix copies each window once, and a single matmul with the weights
(per group) gives every output at once. The backward is the same product
transposed:

    W: grad . colsᵀ (summed over the batch)        b: grad summed over batch and space
    x: for each kernel offset (i, j): W[:, :, i, j]ᵀ . grad, added back onto the
       slab of the (padded) input that offset (i, j) read  -- "col2im"

The x loop runs over the kh*kw kernel offsets, never over pixels: within one
offset the slab's elements are distinct, so a plain `+=` on a strided view is
exact, and each step's temporary is only as large as the output.
conv1d is conv2d with a height of 1; conv3d is a sum over the kernel's depth
of conv2d on depth slices; conv_transpose is a convolution of the stride-spread,
padded input with the flipped, transposed weight (its definition as the adjoint
of conv). Read pooling.py next: same windows.

Twice differentiable (create_graph=True): the backward is the same text on recorded
arrays (autograd/higher_order.py). The three helpers below that write into or read
through strided memory (zero_pad, im2col, add_into) do the same thing out of place,
with recorded slices, when handed a TracedArray. Convolution saves x and W as well as
the columns: the recorded path gets None for those and takes them from x again.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from minitorch.autograd.function import Function
from minitorch.autograd.higher_order import TracedArray
from minitorch.nn.functional._utils import (
    check_optional_tensor,
    check_tensor,
    ntuple,
)
from minitorch.ops.support import set_into
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d"]


def zero_pad(x: np.ndarray, pads: tuple[int, int, int, int], value: Any = 0) -> np.ndarray:
    """x (N, C, H, W) padded by (top, bottom, left, right) with `value`."""
    top, bottom, left, right = pads
    if not (top or bottom or left or right):
        return x
    n, c, h, w = x.shape
    out = np.full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
    return set_into(out, (slice(None), slice(None), slice(top, top + h), slice(left, left + w)),
                    x)


def window_slice(i: int, j: int, out_hw: tuple[int, int], stride: tuple[int, int],
                 dilation: tuple[int, int]) -> tuple[slice, slice, slice, slice]:
    """The strided slice of the padded input that kernel offset (i, j) sees, one per output."""
    (ho, wo), (sh, sw), (dh, dw) = out_hw, stride, dilation
    return (
        slice(None),
        slice(None),
        slice(i * dh, i * dh + sh * (ho - 1) + 1, sh),
        slice(j * dw, j * dw + sw * (wo - 1) + 1, sw),
    )


def add_into(out: Any, where: tuple, values: Any) -> Any:
    """out[where] += values for one kernel offset's slab (a basic index: distinct elements);
    returns out. Recorded (create_graph=True): a new array, out plus values placed at where."""
    if type(out) is TracedArray or type(values) is TracedArray:
        return out + set_into(np.zeros(out.shape, dtype=out.dtype), where, values)
    out[where] += values
    return out


def im2col(xp: np.ndarray, kernel: tuple[int, int], out_hw: tuple[int, int],
           stride: tuple[int, int], dilation: tuple[int, int], groups: int) -> np.ndarray:
    """(N, G, C/G * kh * kw, Ho * Wo): column l holds the window of output position l."""
    n, c, _, _ = xp.shape
    (kh, kw), (ho, wo), (sh, sw), (dh, dw) = kernel, out_hw, stride, dilation
    if type(xp) is TracedArray:  # recorded: each offset's slab a recorded slice, stacked
        slabs = [xp[window_slice(i, j, out_hw, stride, dilation)]
                 for i in range(kh) for j in range(kw)]
        return np.stack(slabs, axis=2).reshape(n, groups, c // groups * kh * kw, ho * wo)
    s_n, s_c, s_h, s_w = xp.strides
    cg = c // groups
    windows = as_strided(
        xp,
        shape=(n, groups, cg, kh, kw, ho, wo),
        strides=(s_n, s_c * cg, s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw),
        writeable=False,
    )
    return windows.reshape(n, groups, cg * kh * kw, ho * wo)  # the one copy


class Convolution(Function):
    """y = W ⋆ x + b (cross-correlation, as in torch), as one matmul over im2col columns;
    x: col2im(Wᵀ · grad),  W: Σ_batch grad · colsᵀ,  b: grad summed over batch and space."""

    derived_saved_recomputed = True  # the columns: a recorded x makes them again

    @staticmethod
    def forward(ctx, x, w, b, *, stride, pads, dilation, groups, squeeze):
        # squeeze = (unbatched, is_1d): the 4-d view of x and w that the math works on.
        unbatched, is_1d = squeeze
        ctx.x_shape, ctx.w_shape = x.shape, w.shape
        x_in, w_in = x, w
        if unbatched:
            x = x[None]
        if is_1d:
            x, w = x[:, :, None, :], w[:, :, None, :]
        n, c, h, wd = x.shape
        o, cg, kh, kw = w.shape
        xp = zero_pad(x, pads)
        ho = (xp.shape[2] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
        wo = (xp.shape[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
        cols = im2col(xp, (kh, kw), (ho, wo), stride, dilation, groups)
        out = np.matmul(w.reshape(groups, o // groups, cg * kh * kw), cols).reshape(n, o, ho, wo)
        if b is not None:
            out += b.reshape(1, o, 1, 1)
        ctx.save_for_backward(x_in, w_in, cols)
        ctx.geom = (x.shape, xp.shape, pads, (kh, kw), (ho, wo), stride, dilation, groups)
        ctx.has_bias = b is not None
        if is_1d:
            out = out[:, :, 0, :]
        return out[0] if unbatched else out

    @staticmethod
    def backward(ctx, grad):
        x, w, cols = ctx.saved
        x4_shape, xp_shape, pads, (kh, kw), out_hw, stride, dilation, groups = ctx.geom
        n, c, h, wd = x4_shape
        og = ctx.w_shape[0] // groups
        g2 = grad.reshape(n, groups, og, out_hw[0] * out_hw[1])
        gx = gw = gb = None
        if ctx.needs_input_grad[0]:
            w_ij = w.reshape(groups, og, c // groups, kh, kw)
            dxp = np.zeros(xp_shape, dtype=grad.dtype)
            for i in range(kh):  # col2im, one kernel offset at a time
                for j in range(kw):
                    part = np.matmul(w_ij[:, :, :, i, j].transpose(0, 2, 1), g2)  # (N, G, C/G, L)
                    dxp = add_into(dxp, window_slice(i, j, out_hw, stride, dilation),
                                   part.reshape(n, c, *out_hw))
            top, _, left, _ = pads
            gx = dxp[:, :, top:top + h, left:left + wd].reshape(ctx.x_shape)
        if ctx.needs_input_grad[1]:
            if cols is None:  # the recorded path: the columns again, from x
                cols = im2col(zero_pad(x.reshape(x4_shape), pads), (kh, kw), out_hw, stride,
                              dilation, groups)
            gw = np.matmul(g2, cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(ctx.w_shape)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            gb = g2.sum(axis=(0, 3)).reshape(groups * og)
        return gx, gw, gb


def _conv(input: Any, weight: Any, bias: Any, stride: Any, padding: Any, dilation: Any,
          groups: int, nd: int, op: str) -> Tensor:
    """Check the arguments as torch does, work out the padding, and run Convolution."""
    check_tensor(input, op)
    check_tensor(weight, op, "weight", 2)
    check_optional_tensor(bias, op, "bias", 3)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}, but got "
            f"input of size: {list(input.shape)}"
        )
    if weight.ndim != nd + 2:
        raise RuntimeError(
            f"{op}: weight should have {nd + 2} dimensions, got shape {list(weight.shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.array.dtype != input.array.dtype:
            raise RuntimeError(
                f"{op}: expected scalar type {input.dtype} but found {t.dtype} ({name})"
            )
    if input.array.dtype.kind not in "fiu":
        raise RuntimeError(f"{op}: not implemented for '{input.dtype}'")
    stride = ntuple(stride, nd, "stride", op)
    dilation = ntuple(dilation, nd, "dilation", op)
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{op}: non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got {list(dilation)}")
    if not isinstance(groups, int) or groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported")
    kernel = weight.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            # torch puts the odd extra pixel of an even kernel at the end
            pads = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
                    for d, k in zip(dilation, kernel)]
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        p = ntuple(padding, nd, "padding", op)
        if any(v < 0 for v in p):
            raise RuntimeError(f"{op}: negative padding is not supported")
        pads = [(v, v) for v in p]
    batched = input.ndim == nd + 2
    c = input.shape[1 if batched else 0]
    o, cg = weight.shape[0], weight.shape[1]
    if o % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size {list(weight.shape)} instead"
        )
    if c != cg * groups:
        shape = list(input.shape) if batched else [1, *input.shape]
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input{shape} "
            f"to have {cg * groups} channels, but got {c} channels instead"
        )
    if bias is not None and bias.shape != (o,):
        raise RuntimeError(
            f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
            f"{o} elements, but got bias of size {list(bias.shape)} instead"
        )
    spatial = input.shape[-nd:]
    padded = [s + a + b for s, (a, b) in zip(spatial, pads)]
    effective = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    if any(p < k for p, k in zip(padded, effective)):
        raise RuntimeError(
            f"{op}: Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, effective))}). Kernel size can't be greater "
            "than actual input size"
        )
    if nd == 3:
        return _conv3d_by_depth(input, weight, bias, stride, pads, dilation, groups)
    if nd == 1:
        pads4, stride4, dilation4 = (0, 0, *pads[0]), (1, stride[0]), (1, dilation[0])
    else:
        pads4, stride4, dilation4 = (*pads[0], *pads[1]), stride, dilation
    return Convolution.apply(
        input, weight, bias, stride=stride4, pads=pads4, dilation=dilation4, groups=groups,
        squeeze=(not batched, nd == 1),
    )


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-d convolution of input (N, C, H, W) or (C, H, W) with weight (O, C/groups, kh, kw).

    padding: an int, a pair, 'valid' (none) or 'same' (output as large as input, stride 1).
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")
register(conv2d, function=False, functional=True)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-d convolution of input (N, C, L) or (C, L) with weight (O, C/groups, k)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")
register(conv1d, function=False, functional=True)


def _conv3d_by_depth(input: Tensor, weight: Tensor, bias: Tensor | None,
                     stride: tuple[int, ...], pads: list[tuple[int, int]],
                     dilation: tuple[int, ...], groups: int) -> Tensor:
    """conv3d as Σ over kernel depth kd of conv2d(depth slices at kd, weight[:, :, kd]).

    Each kd sees the depth positions kd*dilation + stride*t; folding those into the batch
    gives one conv2d per kd, and autograd differentiates the sum.
    """
    from minitorch.nn.functional.padding import pad

    unbatched = input.ndim == 4
    x = input.unsqueeze(0) if unbatched else input
    flat = tuple(v for pair in reversed(pads) for v in pair)  # F.pad: last dim first
    xp = pad(x, flat) if any(flat) else x
    n, c, dp, hp, wp = xp.shape
    kd = weight.shape[2]
    do = (dp - dilation[0] * (kd - 1) - 1) // stride[0] + 1
    out = None
    for k in range(kd):
        start = k * dilation[0]
        sl = xp[:, :, start:start + stride[0] * (do - 1) + 1:stride[0]]
        planes = sl.movedim(2, 1).reshape(n * do, c, hp, wp)
        part = conv2d(planes, weight[:, :, k], None, stride[1:], 0, dilation[1:], groups)
        out = part if out is None else out + part
    o, ho, wo = out.shape[1:]
    out = out.reshape(n, do, o, ho, wo).movedim(1, 2)
    if bias is not None:
        out = out + bias.reshape(1, o, 1, 1, 1)
    return out.squeeze(0) if unbatched else out


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-d convolution of input (N, C, D, H, W) or (C, D, H, W) with weight
    (O, C/groups, kd, kh, kw)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")
register(conv3d, function=False, functional=True)


def _conv_transpose(input: Any, weight: Any, bias: Any, stride: Any, padding: Any,
                    output_padding: Any, groups: int, dilation: Any, nd: int, op: str) -> Tensor:
    """The adjoint of conv as a conv: spread the input by the stride (zeros between), pad
    by d*(k-1) - p on each side (+ output_padding at the end; negative amounts crop),
    and convolve with the weight transposed per group and flipped in space."""
    from minitorch.nn.functional.padding import pad

    check_tensor(input, op)
    check_tensor(weight, op, "weight", 2)
    check_optional_tensor(bias, op, "bias", 3)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}, but got "
            f"input of size: {list(input.shape)}"
        )
    if weight.ndim != nd + 2:
        raise RuntimeError(
            f"{op}: weight should have {nd + 2} dimensions, got shape {list(weight.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.array.dtype != input.array.dtype:
            raise RuntimeError(
                f"{op}: expected scalar type {input.dtype} but found {t.dtype} ({name})")
    stride = ntuple(stride, nd, "stride", op)
    padding = ntuple(padding, nd, "padding", op)
    output_padding = ntuple(output_padding, nd, "output_padding", op)
    dilation = ntuple(dilation, nd, "dilation", op)
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{op}: non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got {list(dilation)}")
    if not isinstance(groups, int) or groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported")
    if any(op_ >= s and op_ >= d for op_, s, d in zip(output_padding, stride, dilation)):
        ones = (1,) * (2 - nd)  # torch reports 1-d as 2-d with a height of 1
        o2, s2, d2 = ((0,) * (2 - nd) + output_padding), ones + stride, ones + dilation
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            f"output_padding_height: {o2[0]} output_padding_width: {o2[1]} stride_height: "
            f"{s2[0]} stride_width: {s2[1]} dilation_height: {d2[0]} dilation_width: {d2[1]}"
        )
    cin = weight.shape[0]
    if cin % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{list(weight.shape)}] instead"
        )
    batched = input.ndim == nd + 2
    c = input.shape[1 if batched else 0]
    shape = list(input.shape) if batched else [1, *input.shape]
    if c != cin:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input{shape} to "
            f"have {cin} channels, but got {c} channels instead"
        )
    cout = weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (cout,):
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected bias to be "
            f"1-dimensional with {cout} elements, but got bias of size {list(bias.shape)} instead"
        )
    kernel = weight.shape[2:]
    spatial = input.shape[-nd:]
    out_size = [(s - 1) * st - 2 * p + d * (k - 1) + op_ + 1 for s, st, p, d, k, op_
                in zip(spatial, stride, padding, dilation, kernel, output_padding)]
    if any(o < 1 for o in out_size):
        raise RuntimeError(
            f"Given input size per channel: ({' x '.join(map(str, (1,) * (2 - nd) + spatial))})."
            f" Calculated output size per channel: "
            f"({' x '.join(map(str, [1] * (2 - nd) + out_size))}). Output size is too small"
        )
    x = input if batched else input.unsqueeze(0)
    for k in range(nd):  # spread by the stride: (L - 1) zeros-separated copies
        if stride[k] > 1:
            axis = 2 + k
            length = x.shape[axis]
            # each element followed by stride - 1 zeros: a pad of a new axis after this one
            x = pad(x.unsqueeze(axis + 1), [0, 0] * (x.ndim - 1 - axis) + [0, stride[k] - 1])
            x = x.reshape(*x.shape[:axis], length * stride[k], *x.shape[axis + 2:])
            x = x[(slice(None),) * axis + (slice(0, (length - 1) * stride[k] + 1),)]
    pads: list[int] = []
    for k in reversed(range(nd)):  # F.pad order: last dim first
        edge = dilation[k] * (kernel[k] - 1) - padding[k]
        pads += [edge, edge + output_padding[k]]
    x = pad(x, tuple(pads)) if any(pads) else x
    og = weight.shape[1]
    w = weight.reshape(groups, cin // groups, og, *kernel).transpose(1, 2)
    w = w.reshape(cout, cin // groups, *kernel).flip(tuple(range(2, nd + 2)))
    conv = conv1d if nd == 1 else conv2d
    out = conv(x, w, bias, 1, 0, dilation, groups)
    return out if batched else out.squeeze(0)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """Transposed 1-d convolution of (N, C_in, L) with weight (C_in, C_out/groups, k)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1, "conv_transpose1d")
register(conv_transpose1d, function=False, functional=True)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """Transposed 2-d convolution of (N, C_in, H, W) with weight (C_in, C_out/groups, kh, kw):
    the gradient of conv2d with respect to its input, as a layer."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2, "conv_transpose2d")
register(conv_transpose2d, function=False, functional=True)
