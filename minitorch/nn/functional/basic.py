"""linear, dropout, embedding and one_hot: the ops of the everyday layers.

linear is one matrix product, so its backward is two more (and a sum for the
bias). embedding is an index lookup, so its backward is the reverse: a
scatter-add of the upstream rows into the rows that were looked up.
"""

from __future__ import annotations

import numpy as np

from minitorch import ops
from minitorch.autograd.function import Function
from minitorch.autograd.grad_mode import no_grad
from minitorch.nn.functional._utils import check_optional_tensor, check_tensor
from minitorch.ops.support import scatter_add_into, unbroadcast
from minitorch.random import numpy_generator
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = ["linear", "bilinear", "dropout", "embedding", "one_hot"]


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


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_k = x1 @ W_k @ x2 + b_k, composed from einsum."""
    out = ops.einsum("...i,kij,...j->...k", input1, weight, input2)
    return out if bias is None else out + bias
register(bilinear, function=False, functional=True)


class NativeDropout(Function):
    """y = x * m / (1 - p), m ~ Bernoulli(1 - p) per element;  x: grad * m / (1 - p)."""

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


class EmbeddingLookup(Function):
    """y = W[idx];  W: scatter-add of grad's rows into the rows of W that idx picked.

    A row picked twice gets both gradients (scatter_add_into accumulates repeats); the
    padding_idx row gets none; scale_grad_by_freq divides by the count in the batch.
    """

    @staticmethod
    def forward(ctx, w, idx, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(idx)
        ctx.w_shape, ctx.padding_idx, ctx.scale = w.shape, padding_idx, scale_grad_by_freq
        return w[idx]

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
