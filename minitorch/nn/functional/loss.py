"""Losses: a number that says how wrong the prediction is, and its gradient.

Each loss is a Function that computes the per-element loss and applies the
reduction ('none', 'mean' or 'sum') itself, so its backward is the
per-element derivative times the upstream gradient (divided by the count for
'mean'). The two with care in them:

* cross_entropy fuses log_softmax with the negative log-likelihood, so that
  large logits stay finite and the gradient is simply softmax - target
  (with weights, ignored entries and label smoothing folded in);
* binary_cross_entropy_with_logits uses log(sigmoid(x)) = min(x, 0) -
  log1p(exp(-|x|)), which never overflows.

Read activation.py first; this file is longer but every class is one story.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from minitorch import dtypes, ops
from minitorch.autograd.function import Function
from minitorch.autograd.grad_mode import is_grad_enabled
from minitorch.autograd.higher_order import (
    TracedArray,
    first_order_only,
    not_implemented,
    traced,
)
from minitorch.nn.functional._utils import (
    check_optional_tensor,
    check_tensor,
    reduce_forward,
    reduction_arg,
)
from minitorch.nn.functional.activation import logsigmoid
from minitorch.nn.functional.distance import ClampMinValueOnly, pairwise_distance
from minitorch.ops.reduction import log_softmax_array
from minitorch.ops.support import broadcast_shapes, cast, exact_where, set_into, unbroadcast
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "nll_loss", "cross_entropy",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss", "triplet_margin_loss",
    "poisson_nll_loss", "gaussian_nll_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
    "multilabel_margin_loss", "multi_margin_loss",
]


def _norm(reduction: str, numel: int) -> float:
    """The factor the reduction puts on every element's gradient."""
    return 1.0 / numel if reduction == "mean" and numel else 1.0


def _two_grads(ctx: Any, g: np.ndarray) -> tuple:
    """d(loss)/d(input) = g and d(loss)/d(target) = -g, each folded back to its own shape."""
    gx = unbroadcast(g, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
    gt = unbroadcast(-g, ctx.shapes[1]) if ctx.needs_input_grad[1] else None
    return gx, gt


def _difference(ctx: Any) -> np.ndarray:
    """x - t from the saved inputs (saved as themselves, so create_graph=True can record it)."""
    x, t = ctx.saved
    return x - t


# -- regression losses ------------------------------------------------------------
class MseLoss(Function):
    """loss = reduce((x - t)^2);  x: 2 (x - t) grad [/ n for mean];  t: -2 (x - t) grad [/ n]."""

    @staticmethod
    def forward(ctx, x, t, *, reduction):
        d = x - t
        ctx.save_for_backward(x, t)
        ctx.shapes, ctx.reduction = (x.shape, t.shape), reduction
        return reduce_forward(d * d, reduction)

    @staticmethod
    def backward(ctx, grad):
        d = _difference(ctx)
        return _two_grads(ctx, (2.0 * _norm(ctx.reduction, d.size)) * d * grad)


class L1Loss(Function):
    """loss = reduce(|x - t|);  x: sign(x - t) grad [/ n];  t: -sign(x - t) grad [/ n].

    At x == t the gradient is 0 (sign(0) = 0), as torch's abs gives.
    """

    @staticmethod
    def forward(ctx, x, t, *, reduction):
        d = x - t
        ctx.save_for_backward(x, t)
        ctx.shapes, ctx.reduction = (x.shape, t.shape), reduction
        return reduce_forward(np.abs(d), reduction)

    @staticmethod
    def backward(ctx, grad):
        d = _difference(ctx)
        return _two_grads(ctx, np.sign(d) * grad * _norm(ctx.reduction, d.size))


class SmoothL1Loss(Function):
    """loss = 0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta, d = x - t;
    x: clamp(d / beta, -1, 1) grad [/ n];  t: minus that."""

    @staticmethod
    def forward(ctx, x, t, *, reduction, beta):
        d = x - t
        z = np.abs(d)
        ctx.save_for_backward(x, t)
        ctx.shapes, ctx.reduction, ctx.beta = (x.shape, t.shape), reduction, beta
        # exact_where: np.where bit for bit, without a branch per element
        return reduce_forward(exact_where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta), reduction)

    @staticmethod
    def backward(ctx, grad):
        d = _difference(ctx)
        b = ctx.beta
        one = d.dtype.type(1)
        slope = exact_where(d < -b, -one, exact_where(d > b, one, (d / b).astype(d.dtype)))
        return _two_grads(ctx, slope * grad * _norm(ctx.reduction, d.size))


class HuberLoss(Function):
    """loss = 0.5 d^2 if |d| < delta else delta (|d| - 0.5 delta), d = x - t;
    x: clamp(d, -delta, delta) grad [/ n];  t: minus that."""

    @staticmethod
    def forward(ctx, x, t, *, reduction, delta):
        d = x - t
        z = np.abs(d)
        ctx.save_for_backward(x, t)
        ctx.shapes, ctx.reduction, ctx.delta = (x.shape, t.shape), reduction, delta
        loss = exact_where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))
        return reduce_forward(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        d = _difference(ctx)
        slope = np.clip(d, -ctx.delta, ctx.delta)
        return _two_grads(ctx, slope * grad * _norm(ctx.reduction, d.size))


def _pointwise_operands(input: Any, target: Any, op: str, kernel: str,
                        keep_input_dtype: bool = False) -> tuple[Tensor, Tensor]:
    """Both tensors, broadcastable, cast to torch's result dtype (floating only)."""
    check_tensor(input, op)
    check_tensor(target, op, "target", 2)
    if input.shape != target.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=3,
        )
        broadcast_shapes(input.shape, target.shape, op)
    result = input.dtype if keep_input_dtype else dtypes.result_type(input, target)
    if not result.is_floating_point:
        raise NotImplementedError(f"{op}: \"{kernel}\" not implemented for '{result}'")
    return cast(input, result), cast(target, result)


def _weighted(loss: Tensor, weight: Tensor, input: Tensor, reduction: str,
              mean_by_weight: bool) -> Tensor:
    """torch 2.13's optional per-element weight for mse/l1/huber, composed from core ops."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    weighted = loss * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    return weighted.sum() / weight.sum() if mean_by_weight else weighted.mean()


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean squared error (or its sum, or per element)."""
    reduction = reduction_arg(reduction, size_average, reduce)
    x, t = _pointwise_operands(input, target, "mse_loss", "mse_cpu")
    if weight is not None:
        return _weighted(MseLoss.apply(x, t, reduction="none"), weight, input, reduction, True)
    return MseLoss.apply(x, t, reduction=reduction)
register(mse_loss, function=False, functional=True)


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean absolute error."""
    reduction = reduction_arg(reduction, size_average, reduce)
    x, t = _pointwise_operands(input, target, "l1_loss", "abs_cpu")
    if weight is not None:
        return _weighted(L1Loss.apply(x, t, reduction="none"), weight, input, reduction, True)
    return L1Loss.apply(x, t, reduction=reduction)
register(l1_loss, function=False, functional=True)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Squared error below beta, absolute error above it (beta=0 is l1_loss)."""
    reduction = reduction_arg(reduction, size_average, reduce)
    x, t = _pointwise_operands(input, target, "smooth_l1_loss", "smooth_l1_cpu")
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return L1Loss.apply(x, t, reduction=reduction)
    return SmoothL1Loss.apply(x, t, reduction=reduction, beta=beta)
register(smooth_l1_loss, function=False, functional=True)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """Squared error below delta, delta-scaled absolute error above it.

    The result has input's dtype (torch's huber kernel casts the target to it).
    """
    reduction = reduction_arg(reduction)
    x, t = _pointwise_operands(input, target, "huber_loss", "huber_cpu", keep_input_dtype=True)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        loss = HuberLoss.apply(x, t, reduction="none", delta=delta)
        return _weighted(loss, weight, input, reduction, False)
    return HuberLoss.apply(x, t, reduction=reduction, delta=delta)
register(huber_loss, function=False, functional=True)


# -- classification: negative log-likelihood and cross-entropy ----------------------
def _classes_last(a: np.ndarray) -> np.ndarray:
    """(N, C, d1, ...) -> (N*d1*..., C); (C,) -> (1, C): one row per prediction."""
    if a.ndim == 1:
        return a.reshape(1, -1)
    if a.ndim == 2:
        return a
    return np.moveaxis(a, 1, -1).reshape(-1, a.shape[1])


def _classes_back(a2: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The inverse of _classes_last."""
    if len(shape) <= 2:
        return a2.reshape(shape)
    return np.moveaxis(a2.reshape((shape[0],) + shape[2:] + (shape[1],)), -1, 1)


class _Picked:
    """Which rows count (target != ignore_index), their classes, and their weights."""

    def __init__(self, logp: np.ndarray, target: np.ndarray, weight: np.ndarray | None,
                 ignore_index: int) -> None:
        self.rows = np.flatnonzero(target != ignore_index)
        self.cls = target[self.rows]
        self.weight = weight
        self.wt = weight[self.cls] if weight is not None else np.ones(len(self.rows), logp.dtype)


def _nll_forward(logp: np.ndarray, pk: _Picked, reduction: str, smoothing: float,
                 out_shape: tuple[int, ...]) -> np.ndarray:
    """(1 - eps) * NLL + eps / C * (uniform-target loss), reduced the way torch reduces."""
    m, c = logp.shape
    if pk.weight is None and len(pk.rows) == m:  # every row, unit weights: the same values
        nll = -logp[pk.rows, pk.cls]
    else:
        nll = np.zeros(m, dtype=logp.dtype)
        nll[pk.rows] = -pk.wt * logp[pk.rows, pk.cls]
    smooth = None
    if smoothing > 0:
        smooth = np.zeros(m, dtype=logp.dtype)
        lp = logp[pk.rows]
        smooth[pk.rows] = -(lp * pk.weight).sum(axis=1) if pk.weight is not None \
            else -lp.sum(axis=1)
    if reduction == "none":
        out = nll.reshape(out_shape)
        if smooth is not None:
            out = (1 - smoothing) * out + (smoothing / c) * smooth.reshape(out_shape)
        return out
    total = pk.wt.sum(dtype=logp.dtype)
    out = nll.sum() if reduction == "sum" else nll.sum() / total
    if smooth is not None:
        s = smooth.sum() if reduction == "sum" else smooth.sum() / total
        out = (1 - smoothing) * out + (smoothing / c) * s
    return np.asarray(out, dtype=logp.dtype)


def _nll_backward(grad: np.ndarray, logp_shape: tuple[int, int], pk: _Picked, reduction: str,
                  smoothing: float) -> np.ndarray:
    """d(loss)/d(logp): -(1 - eps) w[t] at the target class, -eps/C * w[c] on every class
    (valid rows only), times the reduction's factor."""
    m, c = logp_shape
    if reduction == "none":
        coef = grad.reshape(-1)[pk.rows]
    elif reduction == "sum":
        coef = grad
    else:
        coef = grad / pk.wt.sum(dtype=grad.dtype)
    dlogp = set_into(np.zeros(logp_shape, dtype=grad.dtype), (pk.rows, pk.cls),
                     -(1 - smoothing) * pk.wt * coef)
    if smoothing > 0:
        per_class = pk.weight if pk.weight is not None else 1.0
        coef_col = np.broadcast_to(coef, pk.rows.shape)[:, None]
        spread = (smoothing / c) * coef_col * per_class
        dlogp = dlogp - set_into(np.zeros(logp_shape, dtype=grad.dtype), pk.rows, spread)
    return dlogp


class NllLoss(Function):
    """loss_i = -w[t_i] * x[i, t_i] (0 where t_i == ignore_index); mean divides by Σ w[t_i];
    x: -w[t_i] * grad_i at [i, t_i], zero elsewhere."""

    @staticmethod
    def forward(ctx, x, *, target, weight, ignore_index, reduction):
        logp = _classes_last(x)
        pk = _Picked(logp, target.reshape(-1), weight, ignore_index)
        ctx.pk, ctx.reduction, ctx.x_shape, ctx.logp_shape = pk, reduction, x.shape, logp.shape
        return _nll_forward(logp, pk, reduction, 0.0, target.shape)

    @staticmethod
    def backward(ctx, grad):
        dlogp = _nll_backward(grad, ctx.logp_shape, ctx.pk, ctx.reduction, 0.0)
        return _classes_back(dlogp, ctx.x_shape)


def _log_softmax_rows(a: np.ndarray) -> np.ndarray:
    """log_softmax along axis 1: the array kernel, or the recorded op on a recorded operand."""
    if type(a) is TracedArray:  # create_graph: log_softmax as a recorded op
        return traced(ops.log_softmax(a.tensor, 1))
    return log_softmax_array(a, 1)


class CrossEntropy(Function):
    """loss = nll(log_softmax(x)) with label smoothing eps;
    x: softmax(x) * Σ_c g_c - g, with g = d loss / d log_softmax (see _nll_backward)."""

    derived_saved_recomputed = True  # logp: a recorded x recomputes it

    @staticmethod
    def forward(ctx, x, *, target, weight, ignore_index, reduction, smoothing):
        logp = log_softmax_array(_classes_last(x), 1)
        pk = _Picked(logp, target.reshape(-1), weight, ignore_index)
        ctx.save_for_backward(x, logp)
        ctx.pk, ctx.reduction, ctx.smoothing, ctx.x_shape = pk, reduction, smoothing, x.shape
        return _nll_forward(logp, pk, reduction, smoothing, target.shape)

    @staticmethod
    def backward(ctx, grad):
        x, logp = ctx.saved
        if type(x) is TracedArray:  # create_graph: log_softmax(x) again, recorded
            logp = _log_softmax_rows(_classes_last(x))
        g = _nll_backward(grad, logp.shape, ctx.pk, ctx.reduction, ctx.smoothing)
        dx = g - np.exp(logp) * g.sum(axis=1, keepdims=True)  # the adjoint of log_softmax
        return _classes_back(dx, ctx.x_shape)


class SoftCrossEntropy(Function):
    """Targets are probabilities p (smoothed: p (1 - eps) + eps / C);
    loss_i = -Σ_c w_c p_ic log_softmax(x)_ic, mean divides by the number of rows;
    x: coef_i * (softmax(x)_i Σ_c w_c p_ic - w p_i);  p: -coef_i (1 - eps) w log_softmax(x)_i."""

    derived_saved_recomputed = True  # logp and wp: recorded x or p recompute them

    @staticmethod
    def forward(ctx, x, p, *, weight, reduction, smoothing):
        logp, wp = SoftCrossEntropy._parts(x, p, weight, smoothing)
        per_row = -(logp * wp).sum(axis=1)
        ctx.save_for_backward(x, p, logp, wp)
        ctx.reduction, ctx.smoothing, ctx.x_shape, ctx.weight = (
            reduction, smoothing, x.shape, weight)
        if reduction == "none":
            return per_row.reshape((x.shape[0],) + x.shape[2:] if x.ndim > 1 else ())
        total = per_row.sum()
        return np.asarray(total if reduction == "sum" else total / logp.shape[0], dtype=x.dtype)

    @staticmethod
    def _parts(x: np.ndarray, p: np.ndarray, weight: np.ndarray | None,
               smoothing: float) -> tuple[np.ndarray, np.ndarray]:
        """log_softmax(x) and the weighted, smoothed targets, one row per prediction."""
        logp = _log_softmax_rows(_classes_last(x))
        p2 = _classes_last(p)
        if smoothing > 0:
            p2 = p2 * (1 - smoothing) + smoothing / logp.shape[1]
        return logp, (p2 * weight if weight is not None else p2)

    @staticmethod
    def backward(ctx, grad):
        x, p, logp, wp = ctx.saved
        if type(x) is TracedArray or type(p) is TracedArray:  # create_graph: again, recorded
            logp, wp = SoftCrossEntropy._parts(x, p, ctx.weight, ctx.smoothing)
        m = logp.shape[0]
        coef = grad.reshape(-1, 1) if ctx.reduction == "none" else (
            grad / m if ctx.reduction == "mean" else grad)
        dlogp = -coef * wp
        gx = gp = None
        if ctx.needs_input_grad[0]:
            dx = dlogp - np.exp(logp) * dlogp.sum(axis=1, keepdims=True)
            gx = _classes_back(dx, ctx.x_shape)
        if ctx.needs_input_grad[1]:
            w = ctx.weight if ctx.weight is not None else 1.0
            dp = -coef * (1 - ctx.smoothing) * logp * w
            gp = _classes_back(dp, ctx.x_shape)
        return gx, gp


def _class_target_checks(input: Tensor, target: Tensor, weight: Tensor | None,
                         ignore_index: int, op: str) -> np.ndarray | None:
    """torch's nll_loss_nd checks; returns the weight array (or None)."""
    xs, ts = input.array.shape, target.array.shape  # plain tuples: cheaper than Size
    if len(xs) < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {len(xs)})")
    if target.array.dtype not in (np.int64, np.uint8):
        raise RuntimeError(
            f"{op}: expected target dtype to be Long or Byte, but got {target.dtype}"
        )
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f"{op}: not implemented for '{input.dtype}'")
    if len(xs) != 1:
        tb = ts[0] if ts else 0
        if xs[0] != tb:
            raise ValueError(
                f"Expected input batch_size ({xs[0]}) to match target batch_size ({tb})."
            )
    expected = () if len(xs) == 1 else (xs[0],) + xs[2:]
    if ts != expected:
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(ts)}")
    c = xs[0] if len(xs) == 1 else xs[1]
    t = target.array.astype(np.int64, copy=False)
    # two reductions, the common case's whole cost (ufunc.reduce: t.min() minus its wrapper)
    if t.size and (np.minimum.reduce(t, axis=None) < 0 or np.maximum.reduce(t, axis=None) >= c):
        bad = (t != ignore_index) & ((t < 0) | (t >= c))
        if bad.any():
            raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")
    if weight is None:
        return None
    if weight.array.size != c:
        raise RuntimeError(
            f"weight tensor should be defined either for all {c} classes or no classes but got "
            f"weight tensor of shape: {list(weight.shape)}"
        )
    if weight.array.dtype != input.array.dtype:
        raise RuntimeError(
            f"{op}: expected scalar type {input.dtype} but found {weight.dtype} (weight)"
        )
    return weight.array.reshape(-1)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities input (N, C, ...) at class indices target."""
    check_tensor(input, "nll_loss")
    check_tensor(target, "nll_loss", "target", 2)
    check_optional_tensor(weight, "nll_loss", "weight", 3)
    reduction = reduction_arg(reduction, size_average, reduce)
    w = _class_target_checks(input, target, weight, ignore_index, "nll_loss")
    return NllLoss.apply(
        input, target=target.array.astype(np.int64, copy=False), weight=w,
        ignore_index=ignore_index, reduction=reduction,
    )
register(nll_loss, function=False, functional=True)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """log_softmax over dim 1 (dim 0 for a 1-d input) followed by the NLL of target.

    target is either class indices (int64, shape input.shape without dim 1) or class
    probabilities (same shape as input) -- torch tells them apart by the shape.
    """
    check_tensor(input, "cross_entropy")
    check_tensor(target, "cross_entropy", "target", 2)
    check_optional_tensor(weight, "cross_entropy", "weight", 3)
    reduction = reduction_arg(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(
            f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}"
        )
    if input.array.shape == target.array.shape:  # probabilities
        if target.array.dtype.kind != "f":
            raise RuntimeError(
                "Expected floating point type for target with class probabilities, got "
                f"{target.dtype}"
            )
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if input.array.dtype.kind != "f":
            raise NotImplementedError(f"cross_entropy: not implemented for '{input.dtype}'")
        result = dtypes.result_type(input, target)
        x, p = cast(input, result), cast(target, result)
        c = input.shape[0] if input.ndim == 1 else input.shape[1]
        w = None
        if weight is not None:
            if weight.array.size != c:
                raise RuntimeError(
                    f"weight tensor should be defined either for all {c} classes or no classes "
                    f"but got weight tensor of shape: {list(weight.shape)}"
                )
            w = weight.array.reshape(-1).astype(result.np, copy=False)
        return SoftCrossEntropy.apply(
            x, p, weight=w, reduction=reduction, smoothing=label_smoothing
        )
    w = _class_target_checks(input, target, weight, ignore_index, "cross_entropy")
    return CrossEntropy.apply(
        input, target=target.array.astype(np.int64, copy=False), weight=w,
        ignore_index=ignore_index, reduction=reduction, smoothing=label_smoothing,
    )
register(cross_entropy, function=False, functional=True)


# -- binary classification ---------------------------------------------------------------
class BinaryCrossEntropy(Function):
    """loss = -w (t log x + (1 - t) log(1 - x)), each log clamped at -100 as torch does;
    x: w (x - t) / max(x (1 - x), 1e-12) grad [/ n];  t: -w logit(x) grad [/ n]."""

    @staticmethod
    def forward(ctx, x, t, *, weight, reduction):
        with np.errstate(divide="ignore"):
            loss = (t - 1) * np.maximum(np.log1p(-x), -100.0) - t * np.maximum(np.log(x), -100.0)
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, t)
        ctx.weight, ctx.reduction = weight, reduction
        return reduce_forward(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved
        scale = grad * _norm(ctx.reduction, x.size)
        if ctx.weight is not None:
            scale = scale * ctx.weight
        gx = gt = None
        if ctx.needs_input_grad[0]:
            gx = scale * (x - t) / np.clip((1 - x) * x, 1e-12, None)  # np.maximum's bits
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore"):
                gt = -np.log(x / (1 - x)) * scale
        return gx, gt


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities input (each in [0, 1]) against target."""
    check_tensor(input, "binary_cross_entropy")
    check_tensor(target, "binary_cross_entropy", "target", 2)
    check_optional_tensor(weight, "binary_cross_entropy", "weight", 3)
    reduction = reduction_arg(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f"binary_cross_entropy: not implemented for '{input.dtype}'")
    if target.array.dtype != input.array.dtype:
        raise RuntimeError(f"Found dtype {target.dtype} but expected {input.dtype}")
    x = input.array
    if x.size and not ((x >= 0) & (x <= 1)).all():
        raise RuntimeError("all elements of input should be between 0 and 1")
    w = None
    if weight is not None:
        try:
            w = np.broadcast_to(weight.array, target.shape).astype(x.dtype, copy=False)
        except ValueError:
            raise RuntimeError(
                f"binary_cross_entropy: weight of shape {tuple(weight.shape)} cannot be "
                f"broadcast to the target's shape {tuple(target.shape)}"
            ) from None
    return BinaryCrossEntropy.apply(input, target, weight=w, reduction=reduction)
register(binary_cross_entropy, function=False, functional=True)


class BinaryCrossEntropyWithLogits(Function):
    """loss = w ((1 - t) x - lw log sigmoid(x)), lw = 1 + (pos_weight - 1) t, where
    log sigmoid(x) = min(x, 0) - log1p(exp(-|x|)) is finite for any x;
    x: w (lw sigmoid(x) - pos_weight t) grad [/ n]  (= sigmoid(x) - t without pos_weight);
    t: w (-x - (pos_weight - 1) log sigmoid(x)) grad [/ n]."""

    @staticmethod
    def forward(ctx, x, t, *, weight, pos_weight, reduction):
        log_sig = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
        if pos_weight is not None:
            log_sig = log_sig * ((pos_weight - 1) * t + 1)
        loss = (1 - t) * x - log_sig
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, t)
        ctx.weight, ctx.pos_weight, ctx.reduction = weight, pos_weight, reduction
        return reduce_forward(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved
        pw, w = ctx.pos_weight, ctx.weight
        scale = grad * _norm(ctx.reduction, x.size)
        if w is not None:
            scale = scale * w
        gx = gt = None
        if ctx.needs_input_grad[0]:
            with np.errstate(over="ignore"):
                sig = 1 / (1 + np.exp(-x))
            if pw is None:
                gx = (sig - t) * scale
            else:
                pt = pw * t
                gx = ((pt + 1 - t) * sig - pt) * scale
        if ctx.needs_input_grad[1]:
            if pw is None:
                gt = -x * scale
            else:
                log_sig = np.clip(x, None, 0) - np.log1p(np.exp(-np.abs(x)))  # minimum's bits
                gt = (log_sig - x - pw * log_sig) * scale  # log sigmoid(-x) - pw log sigmoid(x)
        return gx, gt


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average: Any = None, reduce: Any = None,
                                     reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """sigmoid + binary cross-entropy in one numerically stable step; pos_weight scales the
    positive term."""
    check_tensor(input, "binary_cross_entropy_with_logits")
    check_tensor(target, "binary_cross_entropy_with_logits", "target", 2)
    check_optional_tensor(weight, "binary_cross_entropy_with_logits", "weight", 3)
    check_optional_tensor(pos_weight, "binary_cross_entropy_with_logits", "pos_weight", 7)
    reduction = reduction_arg(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    result = dtypes.result_type(input, target)
    if not result.is_floating_point:
        raise NotImplementedError(
            f"binary_cross_entropy_with_logits: not implemented for '{result}'"
        )
    x, t = cast(input, result), cast(target, result)
    extras = {}
    for name, e in (("weight", weight), ("pos_weight", pos_weight)):
        if e is None:
            extras[name] = None
            continue
        shape = broadcast_shapes(input.shape, e.shape, "binary_cross_entropy_with_logits")
        if shape != tuple(input.shape):
            raise RuntimeError(
                f"binary_cross_entropy_with_logits: output with shape {list(input.shape)} "
                f"doesn't match the broadcast shape {list(shape)} ({name})"
            )
        extras[name] = e.array.astype(result.np, copy=False)
    return BinaryCrossEntropyWithLogits.apply(x, t, reduction=reduction, **extras)
register(binary_cross_entropy_with_logits, function=False, functional=True)


# -- distributions --------------------------------------------------------------------
class KlDiv(Function):
    """loss = t (log t - x) (0 where t = 0), or exp(t) (t - x) with log_target;
    x: -t grad (-exp(t) grad) [/ n];
    t: (log t + t/t - x) grad -- NaN at t = 0, exactly as torch's xlogy-based autograd gives --
       or exp(t) (t - x + 1) grad with log_target."""

    @staticmethod
    def forward(ctx, x, t, *, reduction, log_target):
        if log_target:
            loss = np.exp(t) * (t - x)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                xlogy = np.where(t == 0, 0, t * np.log(t)).astype(t.dtype)
            loss = xlogy - t * x
        ctx.save_for_backward(x, t)
        ctx.reduction, ctx.log_target, ctx.shapes = reduction, log_target, (x.shape, t.shape)
        if reduction == "batchmean":
            total = np.asarray(loss.sum(), dtype=loss.dtype)
            return total / np.asarray(x.shape[0], dtype=loss.dtype) if x.ndim else total
        return reduce_forward(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved
        if ctx.reduction == "batchmean":
            scale = grad / np.asarray(x.shape[0], dtype=grad.dtype) if x.ndim else grad
        else:
            scale = grad * _norm(ctx.reduction, math.prod(np.broadcast_shapes(x.shape, t.shape)))
        gx = gt = None
        full = np.broadcast_shapes(x.shape, t.shape)
        if ctx.needs_input_grad[0]:
            gx = np.broadcast_to(-(np.exp(t) if ctx.log_target else t) * scale, full)
            gx = unbroadcast(gx, ctx.shapes[0])
        if ctx.needs_input_grad[1]:
            if ctx.log_target:
                g = np.exp(t) * (t - x + 1) * scale
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    g = (np.where(t != 0, np.log(t), 0) + t / t - x) * scale
            gt = unbroadcast(np.broadcast_to(g.astype(t.dtype, copy=False), full), ctx.shapes[1])
        return gx, gt


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL divergence with input given as log-probabilities; reduction may be 'batchmean'."""
    check_tensor(input, "kl_div")
    check_tensor(target, "kl_div", "target", 2)
    if size_average is not None or reduce is not None:
        reduction = reduction_arg("mean", size_average, reduce)
    elif reduction != "batchmean":
        reduction = reduction_arg(reduction)
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support "
                "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
                "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
                "major release.",
                stacklevel=2,
            )
    if input.shape != target.shape:
        broadcast_shapes(input.shape, target.shape, "kl_div")
    result = dtypes.result_type(input, target)
    if not result.is_floating_point:
        raise NotImplementedError(f"kl_div: not implemented for '{result}'")
    return KlDiv.apply(cast(input, result), cast(target, result), reduction=reduction,
                       log_target=log_target)
register(kl_div, function=False, functional=True)


# -- margin and embedding losses (issue 12) -------------------------------------------------
# Most are compositions of core ops, written as ATen writes them (Loss.cpp), so values and
# gradients (clamp_min passes the gradient at its bound, where picks a branch) are torch's.
def _reduce(loss: Tensor, reduction: str) -> Tensor:
    """torch's apply_loss_reduction on a composed per-element loss."""
    if reduction == "mean":
        if not loss.dtype.is_floating_point:  # an integer loss (integer inputs): torch refuses
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either "
                               f"a floating point or complex dtype. Got: {_type_name(loss.dtype)}")
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, -target * (input1 - input2) + margin): target = 1 asks input1 to rank higher."""
    for i, (t, arg) in enumerate(((input1, "input1"), (input2, "input2"), (target, "target"))):
        check_tensor(t, "margin_ranking_loss", arg, i + 1)
    reduction = reduction_arg(reduction, size_average, reduce)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {_size(input1)}, input2: {_size(input2)}, target: {_size(target)} "
        )
    # ATen's order and types: the difference first (so two bools raise its error), integer
    # products wrapping in their own dtype, then the margin, always a float (ints become float)
    difference = input1 - input2
    return _reduce(((-target) * difference + float(margin)).clamp(min=0), reduction)
register(margin_ranking_loss, function=False, functional=True)


def _size(t: Tensor) -> str:
    return f"torch.Size({list(t.shape)})"


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """x where target = 1, max(0, margin - x) where target = -1 (input: distances)."""
    check_tensor(input, "hinge_embedding_loss")
    check_tensor(target, "hinge_embedding_loss", "target", 2)
    reduction = reduction_arg(reduction, size_average, reduce)
    zeros = _zeros_like(input)
    if not input.dtype.is_floating_point:
        margin = int(margin)  # torch computes an integer input's loss in its integer type
    margin_clamp = (margin - input).clamp(min=0)
    output_margin = ops.where(target != 1, margin_clamp, zeros)
    output_self = ops.where(target != -1, input, zeros)
    return _reduce(output_margin + output_self, reduction)
register(hinge_embedding_loss, function=False, functional=True)


def _zeros_like(t: Tensor) -> Tensor:
    return Tensor._make(np.zeros_like(t.array), False, None)


_COSINE_EPSILON = 1e-12  # ATen's EPSILON in cosine_embedding_loss


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: Any = None, reduce: Any = None,
                          reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where target = 1, max(0, cos(x1, x2) - margin) where target = -1."""
    for i, (t, arg) in enumerate(((input1, "input1"), (input2, "input2"), (target, "target"))):
        check_tensor(t, "cosine_embedding_loss", arg, i + 1)
    reduction = reduction_arg(reduction, size_average, reduce)
    dim = target.ndim
    if dim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if dim == 1 and not (input1.ndim == 2 and input2.ndim == 2):
        raise RuntimeError(
            "1D target tensor expects 2D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    if dim == 0 and not (input1.ndim == 1 and input2.ndim == 1):
        raise RuntimeError(
            "0D target tensor expects 1D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    prod_sum = (input1 * input2).sum(dim)
    mag_square1 = (input1 * input1).sum(dim) + _COSINE_EPSILON
    mag_square2 = (input2 * input2).sum(dim) + _COSINE_EPSILON
    cos = prod_sum / (mag_square1 * mag_square2).sqrt()
    zeros = _zeros_like(cos)
    output_pos = ops.where(target == 1, 1 - cos, zeros)
    output_neg = ops.where(target == -1, (cos - margin).clamp(min=0), zeros)
    return _reduce(output_pos + output_neg, reduction)
register(cosine_embedding_loss, function=False, functional=True)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)), d the pairwise distance; swap uses
    min(d(a, n), d(p, n)) as the negative distance."""
    for i, (t, arg) in enumerate(((anchor, "anchor"), (positive, "positive"),
                                  (negative, "negative"))):
        check_tensor(t, "triplet_margin_loss", arg, i + 1)
    reduction = reduction_arg(reduction, size_average, reduce)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and "
            f"negative {negative.ndim}D inputs"
        )
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = ops.minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + dist_pos - dist_neg).clamp(min=0), reduction)
register(triplet_margin_loss, function=False, functional=True)


# -- likelihood losses ---------------------------------------------------------------------------
def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """exp(x) - t x (log_input), or x - t log(x + eps); full adds Stirling's
    t log t - t + log(2 pi t) / 2 where t > 1."""
    check_tensor(input, "poisson_nll_loss")
    check_tensor(target, "poisson_nll_loss", "target", 2)
    if size_average is not None or reduce is not None:
        reduction = reduction_arg(reduction, size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)
register(poisson_nll_loss, function=False, functional=True)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """(log(max(var, eps)) + (x - t)^2 / max(var, eps)) / 2 (+ log(2 pi) / 2 with full).

    As in torch, var is clamped at eps under no_grad: var's gradient is taken as if unclamped.
    """
    check_tensor(input, "gaussian_nll_loss")
    check_tensor(target, "gaussian_nll_loss", "target", 2)
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = ops.ones_like(input) * var
    elif not isinstance(var, Tensor):
        raise TypeError(f"any() received an invalid combination of arguments - got "
                        f"({type(var).__name__}), but expected a Tensor")
    elif (var.array < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and sum(
                y for x, y in zip(input.shape, var.shape) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = ClampMinValueOnly.apply(var, eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
register(gaussian_nll_loss, function=False, functional=True)


# -- soft margin losses ----------------------------------------------------------------------------
class SoftMarginLoss(Function):
    """loss = log(1 + exp(-t x));  x: -t z / (1 + z) grad [/ n], z = exp(-t x).
    target is not differentiable (torch refuses a target that requires grad)."""

    @staticmethod
    def forward(ctx, x, t, *, reduction):
        with np.errstate(over="ignore"):
            loss = np.log1p(np.exp(-x * t))
        ctx.save_for_backward(x, t)
        ctx.reduction, ctx.shape = reduction, x.shape
        return reduce_forward(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved
        with np.errstate(over="ignore", invalid="ignore"):
            z = np.exp(-t * x)
            n = math.prod(np.broadcast_shapes(x.shape, t.shape))
            g = -t * z / (1 + z) * (grad * _norm(ctx.reduction, n))
        return unbroadcast(g.astype(x.dtype, copy=False), ctx.shape), None


def soft_margin_loss(input: Tensor, target: Tensor, size_average: Any = None,
                     reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Two-class logistic loss log(1 + exp(-y x)) for targets y = +-1."""
    check_tensor(input, "soft_margin_loss")
    check_tensor(target, "soft_margin_loss", "target", 2)
    reduction = reduction_arg(reduction, size_average, reduce)
    if target.requires_grad and is_grad_enabled():
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect "
                           "to argument 'target'. This input cannot have requires_grad True.")
    broadcast_shapes(input.shape, target.shape, "soft_margin_loss")
    result = dtypes.result_type(input, target)
    if not result.is_floating_point:
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_type_name(result)}")
    return SoftMarginLoss.apply(cast(input, result), cast(target, result), reduction=reduction)
register(soft_margin_loss, function=False, functional=True)


def _type_name(d: dtypes.dtype) -> str:
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
            "bool": "Bool"}.get(d.name, d.name)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average: Any = None, reduce: Any = None,
                                reduction: str = "mean") -> Tensor:
    """-(t log sigmoid(x) + (1 - t) log sigmoid(-x)), [times weight], averaged over classes."""
    check_tensor(input, "multilabel_soft_margin_loss")
    check_tensor(target, "multilabel_soft_margin_loss", "target", 2)
    if size_average is not None or reduce is not None:
        reduction = reduction_arg(reduction, size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)
register(multilabel_soft_margin_loss, function=False, functional=True)


# -- multi-class margin losses (torch's kernels, vectorised) ---------------------------------------
class MultilabelMarginLoss(Function):
    """loss_n = sum over targets j, non-targets i of max(0, 1 - (x_j - x_i)) / C, the targets
    being row n of target up to its first -1 (a repeated target counts twice, as in torch);
    x_i: +grad/C per (j, i) with a positive hinge;  x_j: -grad/C per such pair [/ N for mean].
    A hinge of exactly 0 passes no gradient (torch's `z > 0`).

    Torch's kernel loops over the (row, target slot) pairs and, for each, over the C classes,
    so it costs N * J * C (J: the targets per row), not N * C * C; so does this one: the hinges
    are built for the valid slots only, one (slots, C) block. Its rounding is torch's: z in the
    input's dtype, each row summed in float64 in torch's order (slot, then class: a sequential
    np.cumsum), rounded to the dtype; the batch sum again in float64; the gradient is g added
    count times in the dtype (a sequential cumsum table), then times the upstream gradient."""

    derived_saved_are_constant = True  # the hinge counts and the row order

    @staticmethod
    def forward(ctx, x, *, t, count, reduction, out_shape):
        n, c = x.shape
        # the rows by decreasing target count: the rows with a k-th target are a prefix
        order = np.argsort(-count, kind="stable")
        count = count[order]
        xs, ts = x[order], t[order]
        other = np.ones((n, c), bool)  # the non-target classes
        for k in range(int(count.max(initial=0))):
            m = int(np.count_nonzero(count > k))
            other[np.arange(m), ts[:m, k]] = False
        acc = np.zeros(n)  # each row's float64 running sum, in torch's order (slot, then class)
        plus = np.zeros((n, c), np.int32)  # active pairs per non-target class
        slot_rows, slot_targets, slot_active = [], [], []  # active pairs per target slot
        # blocks of rows (small buffers that stay in cache), then target slot k of those rows
        step = max(1, (1 << 17) // c)
        block = np.empty((min(step, n), c + 1))
        z = np.empty((min(step, n), c), x.dtype)
        active = np.empty(z.shape, bool)
        for lo in range(0, n, step):
            cs = count[lo:lo + step]
            for k in range(int(cs.max(initial=0))):
                m = int(np.count_nonzero(cs > k))
                hi = lo + m
                tk = ts[lo:hi, k]
                zk, ak, b = z[:m], active[:m], block[:m]
                np.add((1 - xs[np.arange(lo, hi), tk])[:, None], xs[lo:hi], out=zk)  # 1-x_j+x_i
                np.greater(zk, 0, out=ak)
                ak &= other[lo:hi]
                b[:, 0] = acc[lo:hi]
                b[:, 1:] = 0
                np.copyto(b[:, 1:], zk, where=ak)
                acc[lo:hi] = np.cumsum(b, axis=1, out=b)[:, -1]  # sequential, as torch's loop
                plus[lo:hi] += ak
                slot_rows.append(np.arange(lo, hi))
                slot_targets.append(tk)
                slot_active.append(np.count_nonzero(ak, axis=1))
        row_sum = np.empty(n, x.dtype)
        row_sum[order] = acc  # torch's inner sum returns the dtype
        if reduction != "none" or out_shape == ():
            total = np.cumsum(row_sum, dtype=np.float64)[-1] if n else np.float64(0)
            total = total / c
            if reduction == "mean":
                total = total / np.float64(n)
            loss = np.asarray(total, dtype=x.dtype)
        else:
            loss = (row_sum / x.dtype.type(c)).reshape(out_shape)
        # the target classes' counts: (flat index in sorted rows, active pairs), summed per class
        flat = np.concatenate(slot_rows) * c + np.concatenate(slot_targets) if slot_rows else \
            np.zeros(0, np.int64)
        where, inverse = np.unique(flat, return_inverse=True)
        minus = np.bincount(inverse, np.concatenate(slot_active) if slot_rows else None,
                            minlength=where.size).astype(np.int64)
        ctx.save_for_backward(x, plus, where, minus, order)  # x: records the refusal
        ctx.reduction, ctx.out_shape = reduction, out_shape
        return loss

    @staticmethod
    def backward(ctx, grad):
        x = ctx.saved[0]
        return first_order_only(not_implemented("multilabel_margin_loss_backward"),
                                   lambda g, _: MultilabelMarginLoss._grad(ctx, g), grad, x)

    @staticmethod
    def _grad(ctx: Any, grad: np.ndarray) -> np.ndarray:
        x, plus, where, minus, order = ctx.saved
        n, c = x.shape
        dt = np.dtype(grad.dtype)
        g = dt.type(1.0 / (n * c) if ctx.reduction == "mean" else 1.0 / c)
        # torch adds g (or -g) once per pair, in the dtype: r_k = ((g + g) + g) ... k times
        most = int(max(plus.max(initial=0), minus.max(initial=0)))
        steps = np.concatenate(([dt.type(0)], np.cumsum(np.full(most, g, dtype=dt), dtype=dt)))
        sorted_out = steps[plus]  # the non-target classes (plus is 0 at a target class)
        sorted_out.reshape(-1)[where] = 0 - steps[minus]  # the targets: -g, m times (0 - 0 = +0)
        out = np.empty_like(sorted_out)
        out[order] = sorted_out
        if ctx.reduction != "none" or ctx.out_shape == ():
            return out * np.asarray(grad, dtype=dt).reshape(())
        return out * np.asarray(grad, dtype=dt).reshape(-1, 1)


def _margin_input_check(input: Tensor) -> None:
    nd = input.ndim
    if not ((nd == 2 and input.shape[1] != 0) or (nd == 1 and input.shape[0] != 0) or nd == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {list(input.shape)}")


def _long_target(target: Tensor) -> np.ndarray:
    if target.array.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {_type_name(target.dtype)}")
    return target.array


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average: Any = None,
                           reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Multi-label hinge loss: every target class should beat every other class by 1."""
    check_tensor(input, "multilabel_margin_loss")
    check_tensor(target, "multilabel_margin_loss", "target", 2)
    reduction = reduction_arg(reduction, size_average, reduce)
    _margin_input_check(input)
    if input.ndim <= 1:
        c = 1 if input.ndim == 0 else input.shape[0]
        ok = target.ndim <= 1 and target.numel() == c
    else:
        c = input.shape[1]
        ok = target.ndim == 2 and tuple(target.shape) == tuple(input.shape)
    if not ok:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    t = _long_target(target).reshape(-1, c)
    if input.array.dtype.kind != "f":
        raise NotImplementedError("\"multilabel_margin_loss_forward_out_frame\" not implemented "
                                  f"for '{_type_name(input.dtype)}'")
    if t.size and (t.min() < -1 or t.max() >= c):
        raise RuntimeError("argument #2 'target' is out of range")
    # the targets of a row are its entries before the first -1
    first_neg = (t < 0).argmax(axis=1)  # (c >= 1 here: _margin_input_check)
    count = np.where(t[np.arange(t.shape[0]), first_neg] < 0, first_neg, c)
    out_shape = (t.shape[0],) if input.ndim == 2 else ()
    return MultilabelMarginLoss.apply(input.reshape(-1, c), t=t, count=count, reduction=reduction,
                                      out_shape=out_shape)
register(multilabel_margin_loss, function=False, functional=True)


class MultiMarginLoss(Function):
    """loss_n = sum_{i != y} w_y max(0, margin - x_y + x_i)^p / C, p in {1, 2};
    x_i: w_y h grad / C, x_y: minus the sum of those, h = 1 (p = 1) or 2 z (p = 2),
    over the pairs with z > 0 (a hinge of exactly 0 passes nothing) [/ N for mean]."""

    @staticmethod
    def forward(ctx, x, *, y, p, margin, weight, reduction, out_shape):
        n, c = x.shape
        rows = np.arange(n)
        z = margin - x[rows, y][:, None] + x
        active = z > 0
        active[rows, y] = False
        h = np.where(active, z if p == 1 else z * z, 0)
        w = weight[y][:, None] if weight is not None else 1
        loss = (h * w).sum(axis=1) / c
        ctx.save_for_backward(x, active)
        ctx.y, ctx.p, ctx.w, ctx.reduction, ctx.margin = y, p, w, reduction, margin
        return reduce_forward(loss.astype(x.dtype).reshape(out_shape), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, _ = ctx.saved
        return first_order_only(not_implemented("multi_margin_loss_backward"),
                                   lambda g, x: MultiMarginLoss._grad(ctx, g, x), grad, x)

    @staticmethod
    def _grad(ctx: Any, grad: np.ndarray, x: np.ndarray) -> np.ndarray:
        _, active = ctx.saved
        n, c = x.shape
        z = ctx.margin - x[np.arange(n), ctx.y][:, None] + x  # forward's hinges, again
        h = np.where(active, 1 if ctx.p == 1 else 2 * z, 0) * ctx.w
        g = h.copy()
        g[np.arange(n), ctx.y] -= h.sum(axis=1)
        scale = np.asarray(grad).reshape(-1)[:, None] if ctx.reduction == "none" else grad
        scale = scale / (n if ctx.reduction == "mean" and n else 1) / c
        return (g * scale).astype(grad.dtype)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average: Any = None, reduce: Any = None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss: the target class should beat every other class by margin."""
    check_tensor(input, "multi_margin_loss")
    check_tensor(target, "multi_margin_loss", "target", 2)
    check_optional_tensor(weight, "multi_margin_loss", "weight", 5)
    reduction = reduction_arg(reduction, size_average, reduce)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    _margin_input_check(input)
    n = input.shape[0] if input.ndim == 2 else 1
    c = input.shape[-1] if input.ndim else 1
    if not (target.ndim <= 1 and target.numel() == n):
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{n}], but got "
            f"{list(target.shape)}. Input has shape {list(input.shape)}."
        )
    w = None
    if weight is not None:
        if weight.numel() != c:
            raise RuntimeError(f"inconsistent weight size, expected {c} but got "
                               f"{list(weight.shape)}")
        if weight.array.dtype != input.array.dtype:
            raise RuntimeError(f"expected scalar type {_type_name(input.dtype)} but found "
                               f"{_type_name(weight.dtype)}")
        w = weight.array
    y = _long_target(target).reshape(-1)
    if input.array.dtype.kind != "f":
        raise NotImplementedError("\"multi_margin_loss_cpu_kernel\" not implemented for "
                                  f"'{_type_name(input.dtype)}'")
    if ((y < 0) | (y >= c)).any():
        raise RuntimeError("target out of range")
    return MultiMarginLoss.apply(input.reshape(n, c), y=y, p=p, margin=margin, weight=w,
                                 reduction=reduction, out_shape=tuple(target.shape))
register(multi_margin_loss, function=False, functional=True)
