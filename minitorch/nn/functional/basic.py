"""linear, dropout, embedding and one_hot: the ops of the everyday layers.

linear is one matrix product, so its backward is two more (and a sum for the
bias). embedding is an index lookup, so its backward is the reverse: a
scatter-add of the upstream rows into the rows that were looked up.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from minitorch import ops
from minitorch.autograd.function import Function
from minitorch.autograd.grad_mode import no_grad
from minitorch.autograd.higher_order import TracedArray
from minitorch.nn.functional._utils import check_optional_tensor, check_tensor
from minitorch.ops.support import scatter_add_into, unbroadcast
from minitorch.random import numpy_generator
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = ["linear", "bilinear", "dropout", "dropout1d", "dropout2d", "dropout3d", "embedding",
           "one_hot"]


class Linear(Function):
    """y = x @ W.T + b;  x: grad @ W,  W: grad.T @ x,  b: grad summed over the leading dims.

    Leading dims of x are flattened into one batch dim, so each product is one BLAS call.
    """

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        ctx.bias_shape = None if b is None else b.shape  # (out,), or () / (1,) broadcast
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
        y = x2 @ w.T
        if b is not None:
            y += b
        return y.reshape(x.shape[:-1] + (w.shape[0],)) if x.ndim != 2 else y

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved
        g2 = grad.reshape(-1, w.shape[0])
        gx = gw = gb = None
        if ctx.needs_input_grad[0]:
            gx = (g2 @ w).reshape(x.shape)
        if ctx.needs_input_grad[1]:
            gw = g2.T @ x.reshape(-1, w.shape[1])
        if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]:
            gb = unbroadcast(g2.sum(axis=0), ctx.bias_shape)
        return gx, gw, gb


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input @ weight.T + bias, for input of shape (*, in_features)."""
    check_tensor(input, "linear")
    check_tensor(weight, "linear", "weight", 2)
    check_optional_tensor(bias, "linear", "bias", 3)
    if weight.ndim != 2 or input.ndim == 0:
        out = ops.matmul(input, weight.t() if weight.ndim == 2 else weight)
        return out if bias is None else out + bias
    x, w = input.array, weight.array
    if x.dtype != w.dtype or (bias is not None and bias.array.dtype != w.dtype):
        other = weight if x.dtype != w.dtype else bias
        raise RuntimeError(
            f"linear: expected m1 and m2 to have the same dtype, but got: {input.dtype} != "
            f"{other.dtype}"
        )
    if x.dtype.kind not in "fiu":
        raise RuntimeError(f"linear: \"addmm\" not implemented for '{input.dtype}'")
    if x.shape[-1] != w.shape[1]:
        rows = int(np.prod(x.shape[:-1])) if x.ndim > 1 else 1
        raise RuntimeError(
            f"linear: mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
            f"{w.shape[1]}x{w.shape[0]})"
        )
    if bias is not None and bias.array.shape not in ((w.shape[0],), (), (1,)):
        raise RuntimeError(
            f"linear: bias of shape {tuple(bias.shape)} does not match out_features {w.shape[0]}"
        )
    return Linear.apply(input, weight, bias)
register(linear, function=False, functional=True)


class Bilinear(Function):
    """y[..., k] = x1[..., i] W[k, i, j] x2[..., j] + b[k];  x1: grad_k W_kij x2_j,
    x2: grad_k W_kij x1_i,  W: sum over batch of grad_k x1_i x2_j,  b: grad summed over batch."""

    @staticmethod
    def forward(ctx, x1, w, x2, b):
        ctx.save_for_backward(x1, w, x2)
        k, i, j = w.shape
        nb = math.prod(x1.shape[:-1])
        # one matmul over the batch, t[b, k, j] = Σ_i x1_i W_kij, then Σ_j t x2_j: NumPy's
        # three-operand einsum takes ~4x longer at a large batch
        t = (x1.reshape(nb, i) @ w.transpose(1, 0, 2).reshape(i, k * j)).reshape(nb, k, j)
        y = np.einsum("bkj,bj->bk", t, x2.reshape(nb, j)).reshape(x1.shape[:-1] + (k,))
        return y if b is None else y + b

    @staticmethod
    def backward(ctx, grad):
        x1, w, x2 = ctx.saved
        needs = ctx.needs_input_grad
        if TracedArray in (type(grad), type(x1), type(x2), type(w)):  # recorded: as einsums
            gx1 = np.einsum("...k,kij,...j->...i", grad, w, x2, optimize=True) \
                if needs[0] else None
            gw = np.einsum("...k,...i,...j->kij", grad, x1, x2, optimize=True) \
                if needs[1] else None
            gx2 = np.einsum("...k,kij,...i->...j", grad, w, x1, optimize=True) \
                if needs[2] else None
        else:  # matmuls over the batch of the outer products grad ⊗ x2 and grad ⊗ x1
            k, i, j = w.shape
            nb = math.prod(x1.shape[:-1])
            g = grad.reshape(nb, k)
            a, c = x1.reshape(nb, i), x2.reshape(nb, j)
            gx1 = gw = gx2 = None
            if needs[0]:
                gc = (g[:, :, None] * c[:, None, :]).reshape(nb, k * j)
                gx1 = (gc @ w.transpose(0, 2, 1).reshape(k * j, i)).reshape(x1.shape)
            if needs[1] or needs[2]:
                ga = (g[:, :, None] * a[:, None, :]).reshape(nb, k * i)
                gw = (ga.T @ c).reshape(w.shape) if needs[1] else None
                gx2 = (ga @ w.reshape(k * i, j)).reshape(x2.shape) if needs[2] else None
        gb = None
        if len(needs) > 3 and needs[3]:
            gb = grad.reshape(-1, grad.shape[-1]).sum(axis=0)
        return gx1, gw, gx2, gb


_SCALAR_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                 "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int"}


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_k = x1 @ W_k @ x2 + b_k over the last dims; weight (out, in1, in2), bias (out,)."""
    check_tensor(input1, "bilinear", "input1", 1)
    check_tensor(input2, "bilinear", "input2", 2)
    check_tensor(weight, "bilinear", "weight", 3)
    check_optional_tensor(bias, "bilinear", "bias", 4)
    x1, x2, w = input1.array, input2.array, weight.array
    if x1.ndim != x2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {x1.ndim} and "
                           f"{x2.ndim}")
    for d in range(x1.ndim - 1):
        if x1.shape[d] != x2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: "
                               f"got {x1.shape[d]} and {x2.shape[d]}")
    if w.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-D (out, in1, in2), got shape "
                           f"{tuple(w.shape)}")
    if x1.shape[-1] != w.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{x1.shape[-1]} but expected {w.shape[1]}")
    if x2.shape[-1] != w.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{x2.shape[-1]} but expected {w.shape[2]}")
    if bias is not None:
        if bias.ndim == 0:
            raise IndexError("bilinear(): Dimension specified as 0 but tensor has no dimensions")
        if bias.shape[0] != w.shape[0]:
            raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                               f"{bias.shape[0]} but expected {w.shape[0]}")
        if bias.ndim != 1:
            raise RuntimeError(f"bilinear(): bias must be 1-D (out_features,), got shape "
                               f"{tuple(bias.shape)}")
    dts = [x1.dtype, x2.dtype, w.dtype] + ([] if bias is None else [bias.array.dtype])
    if len(set(dts)) > 1:
        names = [_SCALAR_NAMES.get(str(d), str(d)) for d in dts]
        raise RuntimeError(
            f"All tensors must have the same dtype, got input1: {names[0]}, input2: {names[1]}, "
            f"weight: {names[2]}" + ("" if bias is None else f", bias: {names[3]}"))
    if x1.dtype.kind == "b":
        raise NotImplementedError("bilinear(): \"bmm\" not implemented for 'Bool'")
    return Bilinear.apply(input1, weight, input2, bias)  # integer inputs: an integer result
register(bilinear, function=True, functional=True)


class NativeDropout(Function):
    """y = x * m / (1 - p), m ~ Bernoulli(1 - p) per element;  x: grad * m / (1 - p)."""

    derived_saved_are_constant = True  # the scaled mask is a random draw, not a function of x

    @staticmethod
    def forward(ctx, x, p, generator):
        rng = numpy_generator(generator)
        if p == 1:
            noise = np.zeros_like(x)
        else:
            keep = rng.random(x.shape) < 1.0 - p
            noise = keep.astype(x.dtype) * np.asarray(1.0 / (1.0 - p), dtype=x.dtype)
        ctx.save_for_backward(noise)
        return x * noise

    @staticmethod
    def backward(ctx, grad):
        (noise,) = ctx.saved
        return grad * noise, None, None


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p) (training only).

    As in torch, p == 0 or training=False returns `input` itself. The mask comes from
    minitorch's generator, so it is not torch's mask (see the parity report).
    """
    check_tensor(input, "dropout")
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0 or input.array.size == 0:
        return input
    if input.array.dtype.kind != "f":
        raise RuntimeError(f"dropout: expected a floating point tensor, got {input.dtype}")
    if inplace:
        return ops.inplace(input, lambda t: NativeDropout.apply(t, p, None))
    return NativeDropout.apply(input, p, None)
register(dropout, function=False, functional=True)


class FeatureDropout(Function):
    """y = x * m / (1 - p), one m ~ Bernoulli(1 - p) per channel (all of a channel's positions
    share it);  x: grad * m / (1 - p)."""

    derived_saved_are_constant = True  # the scaled mask is a random draw, not a function of x

    @staticmethod
    def forward(ctx, x, p, lead):
        # lead = 2 for (N, C, *spatial), 1 for an unbatched (C, *spatial): the mask's own dims
        noise_shape = x.shape[:lead] + (1,) * (x.ndim - lead)
        if p == 1:
            noise = np.zeros(noise_shape, dtype=x.dtype)
        else:
            keep = numpy_generator(None).random(noise_shape) < 1.0 - p
            noise = keep.astype(x.dtype) * np.asarray(1.0 / (1.0 - p), dtype=x.dtype)
        ctx.save_for_backward(noise)
        return x * noise

    @staticmethod
    def backward(ctx, grad):
        (noise,) = ctx.saved
        return grad * noise, None, None


def _feature_dropout(input: Tensor, p: float, training: bool, inplace: bool, lead: int,
                     op: str) -> Tensor:
    """Channel-wise dropout (ATen's feature_dropout): input itself when nothing is dropped."""
    if not training or p == 0 or input.array.size == 0:
        return input
    if input.ndim + (2 - lead) < 2:  # torch unsqueezes an unbatched input first
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if input.array.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point tensor, got {input.dtype}")
    if inplace:
        return ops.inplace(input, lambda t: FeatureDropout.apply(t, p, lead))
    return FeatureDropout.apply(input, p, lead)


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) with probability p, scale the rest by 1/(1-p)."""
    check_tensor(input, "dropout1d")
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    return _feature_dropout(input, p, training, inplace, 2 if input.ndim == 3 else 1,
                            "dropout1d")
register(dropout1d, function=False, functional=True)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) with probability p; like torch, a 3-D input is
    read as (N, C, L) (with a warning), not as an unbatched (C, H, W)."""
    check_tensor(input, "dropout2d")
    _check_p(p)
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and "
            "will result in an error in a future release. To retain the behavior and silence "
            "this warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _feature_dropout(input, p, training, inplace, 2, "dropout2d")
register(dropout2d, function=False, functional=True)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability p."""
    check_tensor(input, "dropout3d")
    _check_p(p)
    if input.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is deprecated and "
            "will result in an error in a future release. To retain the behavior and silence "
            "this warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    # unbatched (anything but 5-D) is unsqueezed to a batch of one in torch: the mask is per
    # leading dim then
    return _feature_dropout(input, p, training, inplace, 2 if input.ndim == 5 else 1,
                            "dropout3d")
register(dropout3d, function=False, functional=True)


class EmbeddingLookup(Function):
    """y = W[idx];  W: scatter-add of grad's rows into the rows of W that idx picked.

    A row picked twice gets both gradients (scatter_add_into accumulates repeats); the
    padding_idx row gets none; scale_grad_by_freq divides by the count in the batch.
    """

    @staticmethod
    def forward(ctx, w, idx, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(idx)
        ctx.w_shape, ctx.padding_idx, ctx.scale = w.shape, padding_idx, scale_grad_by_freq
        return np.take(w, idx, axis=0)  # the rows idx picks (w[idx], ~4x faster for whole rows)

    @staticmethod
    def backward(ctx, grad):
        (idx,) = ctx.saved
        flat = idx.reshape(-1)
        g2 = grad.reshape(flat.shape[0], ctx.w_shape[1])
        if ctx.scale:
            counts = np.bincount(flat, minlength=ctx.w_shape[0])
            g2 = g2 / counts[flat][:, None].astype(g2.dtype)
        if ctx.padding_idx is not None:
            keep = flat != ctx.padding_idx
            flat, g2 = flat[keep], g2[keep]
        gw = scatter_add_into(np.zeros(ctx.w_shape, dtype=grad.dtype), (flat,), g2)
        return gw, None, None, None


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of `weight` picked by the integer tensor `input`: shape input.shape + (dim,)."""
    check_tensor(input, "embedding")
    check_tensor(weight, "embedding", "weight", 2)
    if input.array.dtype.kind not in "iu":
        raise RuntimeError(
            "embedding: Expected tensor for argument #1 'indices' to have one of the following "
            f"scalar types: Long, Int; but got {input.dtype} instead"
        )
    if weight.ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D, got shape {tuple(weight.shape)}")
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not implemented in minitorch")
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0 and padding_idx >= n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    idx = input.array
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise IndexError(f"embedding: index {bad} out of range in self (num_embeddings={n})")
    if max_norm is not None:
        _embedding_renorm_(weight, idx, max_norm, norm_type)
    return EmbeddingLookup.apply(weight, idx, padding_idx, scale_grad_by_freq)
register(embedding, function=False, functional=True)


def _embedding_renorm_(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rescale, in place and without grad, the looked-up rows whose norm exceeds max_norm."""
    with no_grad():
        rows = np.unique(idx.reshape(-1))
        w = weight.array
        norms = np.linalg.norm(w[rows].astype(np.float64), ord=norm_type, axis=1)
        big = norms > max_norm
        if big.any():
            scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
            w[rows[big]] *= scale[:, None]
            weight._version += 1


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape tensor.shape + (num_classes,) with a 1 at each class index."""
    check_tensor(tensor, "one_hot")
    x = tensor.array
    if x.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if x.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(x.max()) + 1
    if x.size:
        if x.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if x.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = (x[..., None] == np.arange(num_classes)).astype(np.int64)
    return Tensor._make(out, False, None)
register(one_hot, function=False, functional=True, differentiable=False)
