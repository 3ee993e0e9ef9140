"""layer_norm and batch_norm: normalise, then scale and shift.

Both compute xhat = (x - mean) / sqrt(var + eps) over some axes (the last
ones for LayerNorm; batch and space for BatchNorm) and y = xhat * w + b. The
backward of the normalisation is the classic three-term formula

    x: rstd * (g - mean(g) - xhat * mean(g * xhat)),   g = grad * w,

(means over the normalised axes), which is what makes these ops worth their
own Function instead of a chain of a dozen small ones.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from minitorch.autograd.function import Function
from minitorch.nn.functional._utils import check_optional_tensor, check_tensor
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = ["layer_norm", "batch_norm"]


class NativeLayerNorm(Function):
    """y = (x - mean) * rstd * w + b, rstd = 1/sqrt(var + eps) over the last dims (biased var);
    x: rstd * (g - mean(g) - xhat * mean(g * xhat)), g = grad * w;
    w: Σ_batch grad * xhat;  b: Σ_batch grad."""

    @staticmethod
    def forward(ctx, x, w, b, *, ndims, eps):
        axes = tuple(range(x.ndim - ndims, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        xc = x - mean
        var = (xc * xc).mean(axis=axes, keepdims=True)
        rstd = 1.0 / np.sqrt(var + eps)
        xhat = xc * rstd
        ctx.save_for_backward(xhat, rstd, w)
        ctx.axes, ctx.has_bias = axes, b is not None
        y = xhat * w if w is not None else xhat
        return y + b if b is not None else y

    @staticmethod
    def backward(ctx, grad):
        xhat, rstd, w = ctx.saved
        axes = ctx.axes
        batch_axes = tuple(range(xhat.ndim - len(axes)))
        gx = gw = gb = None
        if ctx.needs_input_grad[0]:
            g = grad * w if w is not None else grad
            gx = rstd * (
                g - g.mean(axis=axes, keepdims=True)
                - xhat * (g * xhat).mean(axis=axes, keepdims=True)
            )
        if w is not None and ctx.needs_input_grad[1]:
            gw = (grad * xhat).sum(axis=batch_axes)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            gb = grad.sum(axis=batch_axes)
        return gx, gw, gb


def layer_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing dims given by normalized_shape, then scale and shift."""
    check_tensor(input, "layer_norm")
    check_optional_tensor(weight, "layer_norm", "weight", 3)
    check_optional_tensor(bias, "layer_norm", "bias", 4)
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(
            "layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
            f"{type(normalized_shape).__name__}"
        )
    shape = tuple(normalized_shape)
    nd = len(shape)
    if nd == 0 or input.ndim < nd or tuple(input.shape[-nd:]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t.shape)} and normalized_shape = {list(shape)}"
            )
    _check_dtypes("layer_norm", "LayerNormKernelImpl", input, weight, bias)
    return NativeLayerNorm.apply(input, weight, bias, ndims=nd, eps=eps)
register(layer_norm, function=False, functional=True)


def _check_dtypes(op: str, kernel: str, input: Tensor, *others: Tensor | None) -> None:
    if input.data.dtype.kind != "f":
        raise NotImplementedError(f"{op}: \"{kernel}\" not implemented for '{input.dtype}'")
    for t in others:
        if t is not None and t.data.dtype != input.data.dtype:
            raise RuntimeError(
                f"{op}: mixed dtype (CPU): all inputs must share same datatype "
                f"(input {input.dtype}, got {t.dtype})"
            )


class NativeBatchNorm(Function):
    """Training: y = (x - mean_B) * rstd_B * w + b with batch statistics over (N, *spatial),
    x: w * rstd * (grad - mean(grad) - xhat * mean(grad * xhat));
    eval: y = (x - running_mean) / sqrt(running_var + eps) * w + b, x: grad * w * rstd;
    w: Σ grad * xhat;  b: Σ grad (sums over N and space)."""

    @staticmethod
    def forward(ctx, x, w, b, *, running_mean, running_var, training, momentum, eps):
        axes = (0,) + tuple(range(2, x.ndim))
        bshape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        if training:
            n = x.size // x.shape[1]
            mean = x.mean(axis=axes, keepdims=True)
            xc = x - mean
            var_sum = (xc * xc).sum(axis=axes, keepdims=True)
            rstd = 1.0 / np.sqrt(var_sum / n + eps)
            if running_mean is not None:  # torch's update, in place: unbiased variance
                running_mean[...] = momentum * mean.reshape(-1) + (1 - momentum) * running_mean
            if running_var is not None:
                unbiased = var_sum.reshape(-1) / (n - 1)
                running_var[...] = momentum * unbiased + (1 - momentum) * running_var
        else:
            xc = x - running_mean.reshape(bshape)
            rstd = 1.0 / np.sqrt(running_var.reshape(bshape) + eps)
        xhat = xc * rstd
        ctx.save_for_backward(xhat, rstd, w)
        ctx.axes, ctx.training, ctx.has_bias = axes, training, b is not None
        y = xhat * w.reshape(bshape) if w is not None else xhat
        return y + b.reshape(bshape) if b is not None else y

    @staticmethod
    def backward(ctx, grad):
        xhat, rstd, w = ctx.saved
        axes = ctx.axes
        bshape = (1, xhat.shape[1]) + (1,) * (xhat.ndim - 2)
        gx = gw = gb = None
        if ctx.needs_input_grad[0]:
            scale = rstd * w.reshape(bshape) if w is not None else rstd
            if ctx.training:
                gx = scale * (
                    grad - grad.mean(axis=axes, keepdims=True)
                    - xhat * (grad * xhat).mean(axis=axes, keepdims=True)
                )
            else:
                gx = grad * scale
        if w is not None and ctx.needs_input_grad[1]:
            gw = (grad * xhat).sum(axis=axes)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            gb = grad.sum(axis=axes)
        return gx, gw, gb


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) over the batch and spatial dims.

    training=True uses the batch's statistics and, when given, updates running_mean and
    running_var in place (momentum; the variance unbiased, as torch does).
    """
    check_tensor(input, "batch_norm")
    for i, (name, t) in enumerate((("running_mean", running_mean), ("running_var", running_var),
                                   ("weight", weight), ("bias", bias))):
        check_optional_tensor(t, "batch_norm", name, i + 2)
    if training:
        size = input.shape
        per_channel = size[0] * math.prod(size[2:]) if input.ndim >= 1 else 1
        if per_channel == 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {size}"
            )
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("batch_norm: running_mean must be defined in evaluation mode")
    c = input.shape[1] if input.ndim >= 2 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.data.size != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.data.size}")
    _check_dtypes("batch_norm", "batch_norm", input, weight, bias, running_mean, running_var)
    out = NativeBatchNorm.apply(
        input, weight, bias,
        running_mean=None if running_mean is None else running_mean.data,
        running_var=None if running_var is None else running_var.data,
        training=training, momentum=momentum, eps=eps,
    )
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                t._version += 1
    return out
register(batch_norm, function=False, functional=True)
