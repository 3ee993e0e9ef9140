"""Distances and similarities: normalize, cosine_similarity, pairwise_distance, pdist.

Three of them are compositions of core ops exactly as torch composes them
(ATen's Distance.cpp and F.normalize), so their gradients are those of
`norm` (reduction.py), including its zero subgradient where a norm is 0.
The one twist: torch clamps cosine_similarity's norms at eps under no_grad,
so the clamp changes the value but passes the gradient through unchanged
(`ClampMinValueOnly`). pdist is its own Function, as in torch, because its
backward differs from norm's at ties of the inf-norm. Read activation.py first;
loss.py builds triplet_margin_loss and cosine_embedding_loss on this file.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch.autograd.function import Function
from minitorch.autograd.grad_mode import is_grad_enabled, no_grad
from minitorch.nn.functional._utils import check_tensor
from minitorch.nn.functional.activation import first_order_only
from minitorch.ops.support import broadcast_shapes, cast, normalize_dim
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = ["normalize", "cosine_similarity", "pairwise_distance", "pdist"]


class ClampMinValueOnly(Function):
    """y = max(n, eps);  n: grad (torch clamps under no_grad: the value changes, the graph
    does not)."""

    @staticmethod
    def forward(ctx, n, eps):
        return np.maximum(n, n.dtype.type(eps))

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class Pdist(Function):
    """y_k = ||x_i - x_j||_p over the pairs i < j of rows (row-major upper triangle);
    x_i: sum_k g_k, x_j: -sum_k g_k, g_k = grad_k * d |d|^(p-2) / y^(p-1), d = x_i - x_j,
    0 where y = 0 (torch's _pdist_backward: p = 1: sign(d) grad; p = inf: sign(d) grad where
    |d| == y, every tied element in full; p = 0: no gradient)."""

    @staticmethod
    def forward(ctx, x, p):
        # one row i against the rows after it at a time: the differences of every pair
        # at once would be N(N-1)/2 x M values (2 GB for 1024 x 1024), each row's sum the same
        n = x.shape[0]
        y = np.empty(n * (n - 1) // 2, dtype=x.dtype)
        scratch = np.empty((max(n - 1, 0), x.shape[1]), dtype=x.dtype)
        for i, start, stop in _pair_blocks(n):
            d = np.subtract(x[i], x[i + 1:], out=scratch[:n - 1 - i])
            y[start:stop] = _pdist_norms(d, p)
        if p == 2:
            np.sqrt(y, out=y)
        elif p not in (0, 1) and not math.isinf(p):
            y = y ** (1 / p)
        ctx.save_for_backward(x, y)
        ctx.p = p
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        # torch does not differentiate _pdist_backward: recorded, it raises torch's error
        gx = first_order_only(_PDIST_TWICE, lambda *a: Pdist._grad(ctx.p, *a), grad, x, y)
        return gx, None

    @staticmethod
    def _grad(p: float, grad: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        gx = np.zeros_like(x)
        if p == 0:
            return gx
        # x_i's sum first, in pair order, then x_j's terms subtracted in pair order: the
        # order np.add.at(gx, i, g) then np.add.at(gx, j, -g) adds them in
        for i, start, stop in _pair_blocks(x.shape[0]):
            gd = _pdist_grad(x[i] - x[i + 1:], grad[start:stop, None], y[start:stop, None], p)
            np.add.reduce(gd, axis=0, out=gx[i], initial=0)
        for i, start, stop in _pair_blocks(x.shape[0]):
            gd = _pdist_grad(x[i] - x[i + 1:], grad[start:stop, None], y[start:stop, None], p)
            gx[i + 1:] += -gd  # -gd, not -=: a NaN's sign as np.add.at gave it
        return gx


_PDIST_TWICE = (NotImplementedError, "the derivative for '_pdist_backward' is not implemented.",
                "PdistBackwardBackward0")


def _pair_blocks(n: int) -> Any:
    """(i, start, stop) for each row i: pairs (i, i+1) .. (i, n-1) are y[start:stop]."""
    start = 0
    for i in range(n - 1):
        stop = start + n - 1 - i
        yield i, start, stop
        start = stop


def _pdist_norms(d: np.ndarray, p: float) -> np.ndarray:
    """The per-row sums behind ||d||_p (before the final root for p = 2 and other p);
    d is a scratch block, overwritten."""
    if p == 2:
        return np.add.reduce(np.multiply(d, d, out=d), axis=1)
    a = np.abs(d, out=d)
    if p == 0:
        return np.sum(a != 0, axis=1).astype(d.dtype)
    if p == 1:
        return np.add.reduce(a, axis=1)
    if math.isinf(p):
        return a.max(axis=1, initial=0)
    return (a ** p).sum(axis=1)


def _pdist_grad(d: np.ndarray, g: np.ndarray, yk: np.ndarray, p: float) -> np.ndarray:
    """The adjoint of ||d||_p for a block of pairs: grad * d |d|^(p-2) / y^(p-1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 1:
            gd = np.sign(d) * g
        elif p == 2:
            gd = np.where(yk == 0, 0, d * g / yk)
        elif math.isinf(p):
            gd = np.sign(d) * (np.abs(d) == yk) * g
        elif p < 1:
            gd = np.where((yk == 0) | (d == 0), 0,
                          np.sign(d) * np.abs(d) ** (p - 1) * g / yk ** (p - 1))
        else:
            gd = np.where(yk == 0, 0, d * np.abs(d) ** (p - 2) * g / yk ** (p - 1))
    return gd.astype(d.dtype, copy=False)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """input / max(||input||_p along dim, eps), composed as torch composes it."""
    check_tensor(input, "normalize")
    if out is None:
        denom = input.norm(p, dim, keepdim=True).clamp(min=eps).expand_as(input)
        return input / denom
    if is_grad_enabled() and input.requires_grad:
        raise RuntimeError("div(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    with no_grad():
        return out.copy_(normalize(input, p, dim, eps))
register(normalize, function=False, functional=True)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps)) along dim, after broadcasting."""
    check_tensor(x1, "cosine_similarity", "x1", 1)
    check_tensor(x2, "cosine_similarity", "x2", 2)
    common = dtypes.result_type(x1, x2)
    if not common.is_floating_point:
        raise RuntimeError("expected common dtype to be floating point, yet common dtype is "
                           f"{_torch_name(common)}")
    # integers (and bools) are cast to the common float; floats keep theirs, as in torch
    x1 = x1 if x1.dtype.is_floating_point else cast(x1, common)
    x2 = x2 if x2.dtype.is_floating_point else cast(x2, common)
    shape = broadcast_shapes(x1.shape, x2.shape, "cosine_similarity")
    x1, x2 = x1.expand(shape), x2.expand(shape)
    axis = normalize_dim(dim, len(shape), "cosine_similarity")
    n1 = ClampMinValueOnly.apply(x1.norm(2, axis, keepdim=True), eps)
    n2 = ClampMinValueOnly.apply(x2.norm(2, axis, keepdim=True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(axis)
register(cosine_similarity, function=False, functional=True)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p along the last dim (after broadcasting), as torch computes it."""
    check_tensor(x1, "pairwise_distance", "x1", 1)
    check_tensor(x2, "pairwise_distance", "x2", 2)
    innermost = max(x1.ndim, x2.ndim) - 1
    return (x1 - x2 + eps).norm(p, innermost, keepdim)
register(pairwise_distance, function=False, functional=True)


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The p-norm distance between every pair of rows of a (N, M) input: N(N-1)/2 values,
    in the order of the upper triangle (row 0 with 1, 2, ...; row 1 with 2, ...)."""
    check_tensor(input, "pdist")
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if not p >= 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return Pdist.apply(input, float(p))
register(pdist, function=False, functional=True)


def _torch_name(d: Any) -> str:
    return {"int64": "Long", "int32": "Int", "bool": "Bool", "uint8": "Byte", "int16": "Short",
            "int8": "Char"}.get(d.name, d.name)
