"""layer_norm and batch_norm: normalise, then scale and shift.

Both compute xhat = (x - mean) / sqrt(var + eps) over some axes (the last
ones for LayerNorm; batch and space for BatchNorm) and y = xhat * w + b. The
backward of the normalisation is the classic three-term formula

    x: rstd * (g - mean(g) - xhat * mean(g * xhat)),   g = grad * w,

(means over the normalised axes), which is what makes these ops worth their
own Function instead of a chain of a dozen small ones.

Both save x and w besides xhat and rstd: when backward is recorded (create_graph=True)
it gets None for those two and recomputes them from x by the forward's own text
(_layer_normalized, _batch_normalized), so that the second derivative flows through them.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from minitorch.autograd.function import Function
from minitorch.nn.functional._utils import check_optional_tensor, check_tensor
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = [
    "layer_norm", "batch_norm", "group_norm", "instance_norm", "rms_norm", "local_response_norm",
]


def _mean_kept(x: Any, axes: tuple[int, ...]) -> Any:
    """x.mean(axis=axes, keepdims=True), bit for bit: NumPy's mean is this sum divided in
    place by the count; called directly, without mean's Python wrapper (~3 us a call)."""
    if type(x) is not np.ndarray or x.dtype.itemsize < 4:  # a recorded array (create_graph),
        return x.mean(axis=axes, keepdims=True)  # or float16 (NumPy sums it in float32)
    total = np.add.reduce(x, axis=axes, keepdims=True)
    total /= math.prod([x.shape[a] for a in axes])
    return total


def _layer_normalized(x: Any, axes: tuple[int, ...], eps: float) -> tuple[Any, Any]:
    """xhat = (x - mean) * rstd and rstd = 1/sqrt(var + eps) over axes (biased var)."""
    mean = _mean_kept(x, axes)
    xc = x - mean
    var = _mean_kept(xc * xc, axes)
    rstd = 1.0 / np.sqrt(var + eps)
    return xc * rstd, rstd


class NativeLayerNorm(Function):
    """y = (x - mean) * rstd * w + b, rstd = 1/sqrt(var + eps) over the last dims (biased var);
    x: rstd * (g - mean(g) - xhat * mean(g * xhat)), g = grad * w;
    w: Σ_batch grad * xhat;  b: Σ_batch grad."""

    derived_saved_recomputed = True  # xhat and rstd: a recorded x makes them again

    @staticmethod
    def forward(ctx, x, w, b, *, ndims, eps):
        axes = tuple(range(x.ndim - ndims, x.ndim))
        xhat, rstd = _layer_normalized(x, axes, eps)
        ctx.save_for_backward(x, w, xhat, rstd)
        ctx.axes, ctx.eps, ctx.has_bias = axes, eps, b is not None
        y = xhat * w if w is not None else xhat
        return y + b if b is not None else y

    @staticmethod
    def backward(ctx, grad):
        x, w, xhat, rstd = ctx.saved
        axes = ctx.axes
        if rstd is None:  # the recorded path (xhat may be the output, saved as such)
            xhat, rstd = _layer_normalized(x, axes, ctx.eps)
        batch_axes = tuple(range(xhat.ndim - len(axes)))
        gx = gw = gb = None
        if ctx.needs_input_grad[0]:
            g = grad * w if w is not None else grad
            gx = rstd * (g - _mean_kept(g, axes) - xhat * _mean_kept(g * xhat, axes))
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
    if nd == 0 or input.array.ndim < nd or input.array.shape[-nd:] != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.array.shape != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t.shape)} and normalized_shape = {list(shape)}"
            )
    _check_dtypes("layer_norm", "LayerNormKernelImpl", input, weight, bias)
    return NativeLayerNorm.apply(input, weight, bias, ndims=nd, eps=eps)
register(layer_norm, function=False, functional=True)


def _check_dtypes(op: str, kernel: str, input: Tensor, *others: Tensor | None) -> None:
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f"{op}: \"{kernel}\" not implemented for '{input.dtype}'")
    for t in others:
        if t is not None and t.array.dtype != input.array.dtype:
            raise RuntimeError(
                f"{op}: mixed dtype (CPU): all inputs must share same datatype "
                f"(input {input.dtype}, got {t.dtype})"
            )


def _batch_normalized(x: Any, axes: tuple[int, ...], eps: float, center: Any,
                      rstd: Any) -> tuple[Any, Any, Any, Any]:
    """xhat, rstd, the batch mean and Σ(x - mean)^2 over axes (training: center is None), or
    xhat with the given center and rstd (eval: running statistics)."""
    mean = var_sum = None
    if center is None:
        n = x.size // x.shape[1]
        mean = x.mean(axis=axes, keepdims=True)
        xc = x - mean
        var_sum = (xc * xc).sum(axis=axes, keepdims=True)
        rstd = 1.0 / np.sqrt(var_sum / n + eps)
    else:
        xc = x - center
    return xc * rstd, rstd, mean, var_sum


class NativeBatchNorm(Function):
    """Training: y = (x - mean_B) * rstd_B * w + b with batch statistics over (N, *spatial),
    x: w * rstd * (grad - mean(grad) - xhat * mean(grad * xhat));
    eval: y = (x - running_mean) / sqrt(running_var + eps) * w + b, x: grad * w * rstd;
    w: Σ grad * xhat;  b: Σ grad (sums over N and space)."""

    derived_saved_recomputed = True  # xhat and rstd: a recorded x makes them again

    @staticmethod
    def forward(ctx, x, w, b, *, running_mean, running_var, training, momentum, eps):
        ctx.empty = x.size == 0
        if ctx.empty:  # torch: an empty output, running statistics left as they are
            ctx.channels = next((t.size for t in (w, b) if t is not None), 0)
            return np.zeros(x.shape, dtype=x.dtype)
        axes = (0,) + tuple(range(2, x.ndim))
        bshape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        if training:
            ctx.center = ctx.eval_rstd = None
        else:  # the running statistics as they are now: constants of this node
            ctx.center = running_mean.reshape(bshape).copy()
            ctx.eval_rstd = 1.0 / np.sqrt(running_var.reshape(bshape) + eps)
        xhat, rstd, mean, var_sum = _batch_normalized(x, axes, eps, ctx.center, ctx.eval_rstd)
        if training:
            n = x.size // x.shape[1]
            if running_mean is not None:  # torch's update, in place: unbiased variance
                running_mean[...] = momentum * mean.reshape(-1) + (1 - momentum) * running_mean
            if running_var is not None:
                unbiased = var_sum.reshape(-1) / (n - 1)
                running_var[...] = momentum * unbiased + (1 - momentum) * running_var
        ctx.save_for_backward(x, w, xhat, rstd)
        ctx.axes, ctx.eps, ctx.training, ctx.has_bias = axes, eps, training, b is not None
        y = xhat * w.reshape(bshape) if w is not None else xhat
        return y + b.reshape(bshape) if b is not None else y

    @staticmethod
    def backward(ctx, grad):
        if ctx.empty:  # nothing was read: zero gradients of the right shapes
            gw = np.zeros(ctx.channels, dtype=grad.dtype)
            return np.zeros_like(grad), gw, gw.copy()
        x, w, xhat, rstd = ctx.saved
        axes = ctx.axes
        if rstd is None:  # the recorded path (xhat may be the output, saved as such)
            xhat, rstd = _batch_normalized(x, axes, ctx.eps, ctx.center, ctx.eval_rstd)[:2]
        bshape = (1, xhat.shape[1]) + (1,) * (xhat.ndim - 2)
        gx = gw = gb = None
        # Σ grad and Σ grad * xhat, each reduced once: the x gradient's means are these sums
        # over n (NumPy's mean is the same sum divided by the count: the same bits), and the
        # bias and weight gradients are the sums themselves
        centre = ctx.needs_input_grad[0] and ctx.training
        want_w = w is not None and ctx.needs_input_grad[1]
        want_b = ctx.has_bias and ctx.needs_input_grad[2]
        g_sum = grad.sum(axis=axes, keepdims=True) if centre or want_b else None
        gx_sum = (grad * xhat).sum(axis=axes, keepdims=True) if centre or want_w else None
        if ctx.needs_input_grad[0]:
            scale = rstd * w.reshape(bshape) if w is not None else rstd
            if ctx.training:
                n = grad.size // grad.shape[1]
                gx = scale * (grad - g_sum / n - xhat * (gx_sum / n))
            else:
                gx = grad * scale
        if want_w:
            gw = gx_sum.reshape(-1)
        if want_b:
            gb = g_sum.reshape(-1)
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
        if per_channel == 1 and input.numel() != 0:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {size}"
            )
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("batch_norm: running_mean must be defined in evaluation mode")
    c = input.shape[1] if input.ndim >= 2 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.array.size != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.array.size}")
    _check_dtypes("batch_norm", "batch_norm", input, weight, bias, running_mean, running_var)
    out = NativeBatchNorm.apply(
        input, weight, bias,
        running_mean=None if running_mean is None else running_mean.array,
        running_var=None if running_var is None else running_var.array,
        training=training, momentum=momentum, eps=eps,
    )
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                t._version += 1
    return out
register(batch_norm, function=False, functional=True)


# -- group, instance, RMS and local response norms: compositions of the ops above and core ops ----

def _channel_affine(y: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    """y * weight + bias with weight and bias (C,) broadcast over dim 1 of y (N, C, *)."""
    shape = (1, y.shape[1]) + (1,) * (y.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(shape)
    return y + bias.reshape(shape) if bias is not None else y


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each of num_groups channel groups of (N, C, *) over its channels and space
    (biased variance), then scale and shift per channel.

    A composition: the (N, G, rest) view is layer_norm's normalisation over its last dim.
    """
    check_tensor(input, "group_norm")
    check_optional_tensor(weight, "group_norm", "weight", 3)
    check_optional_tensor(bias, "group_norm", "bias", 4)
    if input.ndim < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.ndim}"
        )
    n, c = input.shape[:2]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}"
        )
    spatial = math.prod(input.shape[2:])
    if n * c // num_groups * spatial == 1:
        raise ValueError(
            "Expected more than 1 value per channel when training, got input size "
            f"{[n * c // num_groups, num_groups, *input.shape[2:]]}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.shape[0] != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t.shape)} and input of shape "
                f"{list(input.shape)}"
            )
    _check_dtypes("group_norm", "GroupNormKernelImpl", input, weight, bias)
    grouped = input.reshape(n, num_groups, (c // num_groups) * spatial)
    y = NativeLayerNorm.apply(grouped, None, None, ndims=1, eps=eps).reshape(input.shape)
    return _channel_affine(y, weight, bias)
register(group_norm, function=False, functional=True)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each (sample, channel) plane of (N, C, *) over its space.

    As torch does it: batch_norm on the (1, N*C, *) view with the running statistics and
    weights repeated N times; the running statistics then take the mean over the batch.
    """
    check_tensor(input, "instance_norm")
    if use_input_stats:
        if math.prod(input.shape[2:]) == 1:
            raise ValueError(
                "Expected more than 1 spatial element when training, got input size "
                f"{input.shape!r}".replace("minitorch.", "torch.")
            )
    n, c = input.shape[:2]

    def repeated(t: Tensor | None) -> Tensor | None:
        return None if t is None else Tensor._make(np.tile(t.array, n), False, None)

    rm, rv = repeated(running_mean), repeated(running_var)
    w = None if weight is None else weight.repeat(n)
    b = None if bias is None else bias.repeat(n)
    out = batch_norm(input.reshape(1, n * c, *input.shape[2:]), rm, rv, w, b,
                     use_input_stats, momentum, eps)
    for kept, tiled in ((running_mean, rm), (running_var, rv)):
        if use_input_stats and kept is not None:
            kept.array[...] = tiled.array.reshape(n, c).mean(axis=0)
            kept._version += 1
    return out.reshape(input.shape)
register(instance_norm, function=False, functional=True)


def rms_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """y = x / sqrt(mean(x^2) + eps) * weight over the trailing normalized_shape dims;
    eps defaults to the machine epsilon of x's dtype, as in torch."""
    check_tensor(input, "rms_norm")
    check_optional_tensor(weight, "rms_norm", "weight", 3)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    nd = len(shape)
    if nd == 0 or input.array.ndim < nd or input.array.shape[-nd:] != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*{', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(
            f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{list(weight.shape)} and normalized_shape = {list(shape)}"
        )
    if input.array.dtype.kind != "f":
        raise RuntimeError(f"rms_norm: expected a floating point input, got {input.dtype}")
    if eps is None:
        eps = float(np.finfo(input.array.dtype).eps)
    dims = tuple(range(input.ndim - nd, input.ndim))
    y = input * (input * input).mean(dim=dims, keepdim=True).add(eps).rsqrt()
    return y * weight if weight is not None else y
register(rms_norm, function=False, functional=True)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """y = x / (k + alpha * mean of x^2 over `size` neighbouring channels)^beta.

    torch's own composition, step for step: the window is size // 2 channels before,
    (size - 1) // 2 after, zeros beyond the ends, always divided by size, and the mean is
    an average pool, so int64 input gets its truncating integer mean (and other integer
    dtypes avg_pool's NotImplementedError) before the float factor.
    """
    check_tensor(input, "local_response_norm")
    if input.ndim < 3:
        raise ValueError(
            "Expected 3D or higher dimensionality                          input (got "
            f"{input.ndim} dimensions)"
        )
    if input.numel() == 0:
        return input
    from minitorch.nn.functional.padding import pad
    from minitorch.nn.functional.pooling import avg_pool2d, avg_pool3d

    div = input * input
    if input.ndim == 3:
        div = pad(div.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.reshape(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1).reshape(sizes)
    return input / div.mul(alpha).add(k).pow(beta)
register(local_response_norm, function=False, functional=True)
