"""Sampling: multinomial, bernoulli, poisson, and the in-place fillers bernoulli_,
exponential_ and geometric_.

Every draw comes from minitorch's generator (random.py): the same seed gives
the same numbers, but not torch's numbers -- bit-equality with torch's RNG is
not a goal, its distributions are. What we do match is everything around the
draw: shapes, dtypes, which arguments are refused and with which error, and
the graph: a draw whose law depends on a tensor (bernoulli(p), poisson(rate))
records a node whose gradient is zero, as derivatives.yaml says.

Read ops/creation.py first (rand, normal and the in-place fillers uniform_ and
normal_ are there); ops/sorting.py holds multinomial's cousins topk and searchsorted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitorch.autograd.function import Function
from minitorch.ops.creation import _assign, _check_inplace, _InPlace
from minitorch.ops.reduction import _torch_name
from minitorch.ops.sorting import NoDerivative, _order
from minitorch.ops.support import check_tensor
from minitorch.random import Generator, numpy_generator
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = ["multinomial", "bernoulli", "poisson"]


class RandomDraw(Function):
    """y = a random draw whose law is set by x (a probability, a rate);  x: zeros_like(grad).

    The draw is a step function of x almost everywhere, so its derivative is 0
    (derivatives.yaml: `self: zeros_like(grad)`).
    """

    torch_name = "RandomDrawBackward0"

    @staticmethod
    def forward(ctx, x, draws):
        return draws

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad), None

    def name(self) -> str:
        return self.torch_name


class Bernoulli(RandomDraw):
    """y ~ Bernoulli(x) elementwise;  x: zeros_like(grad)."""

    torch_name = "BernoulliBackward0"


class Poisson(RandomDraw):
    """y ~ Poisson(x) elementwise;  x: zeros_like(grad)."""

    torch_name = "PoissonBackward0"


class _DrawnWithTensorP(_InPlace):
    """self.bernoulli_(p) with a tensor p;  self: zeros_like(grad),  p: zeros_like(p)."""

    torch_name = "BernoulliBackward1"

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad), None, np.zeros(ctx.shapes[0], ctx.dtypes[0])


def _not_implemented(kernel: str, a: np.ndarray) -> NotImplementedError:
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_torch_name(a.dtype)}'")


def _check_probabilities(p: np.ndarray, op: str) -> None:
    if p.size and not ((p >= 0) & (p <= 1)).all():  # NaN fails both comparisons
        raise RuntimeError(f"{op}: Expected p_in >= 0 && p_in <= 1 to be true, but got false. "
                           f"(probabilities must lie in [0, 1])")


def _check_p(p: Any, op: str) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.number)):
        raise TypeError(f"{op}(): argument 'p' must be float, not {type(p).__name__}")
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    return float(p)


# -- multinomial ------------------------------------------------------------------------------
def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Generator | None = None) -> Tensor:
    """num_samples category indices per row of input (1-d or 2-d non-negative weights, not
    necessarily summing to 1), drawn with or without replacement; int64.

    Without replacement we draw as torch does: the top num_samples of w / q, q ~ Exp(1),
    so categories of weight 0 come last, in index order, when the others run out.
    """
    check_tensor(input, "multinomial")
    w = input.array
    if w.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_torch_name(w.dtype)}")
    if w.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {w.shape}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)):
        raise TypeError(f"multinomial(): argument 'num_samples' must be int, not "
                        f"{type(num_samples).__name__}")
    n = w.shape[-1]
    if not replacement and num_samples > n:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples "
                           f"without replacement ({num_samples} > {n})")
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples "
                           f"(got {num_samples})")
    rows = w.reshape(-1, n).astype(np.float64)
    if rows.size and not (np.isfinite(rows) & (rows >= 0)).all():
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or "
                           "element < 0")
    if rows.shape[0] and (rows.sum(axis=1) <= 0).any():
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities "
                           "<= 0)")
    g = numpy_generator(generator)
    if replacement:
        cdf = np.cumsum(rows, axis=1)
        cdf /= cdf[:, -1:]
        u = g.random((rows.shape[0], num_samples))
        # side="right": the first category whose cdf exceeds u, never one of weight 0
        picks = np.stack([np.searchsorted(c, ui, side="right") for c, ui in zip(cdf, u)]) \
            if rows.shape[0] else np.zeros((0, num_samples), np.int64)
        picks = np.minimum(picks, n - 1)
    else:
        keys = rows / g.exponential(size=rows.shape)
        picks = _order(keys, 1, descending=True)[:, :num_samples]
    out_shape = (num_samples,) if w.ndim == 1 else (w.shape[0], num_samples)
    return Tensor._make(picks.astype(np.int64).reshape(out_shape), False, None)


# -- bernoulli, bernoulli_ --------------------------------------------------------------------
def bernoulli(input: Tensor, p: float | None = None, *,
              generator: Generator | None = None) -> Tensor:
    """1 with probability input (elementwise), else 0, in input's dtype; with p, every
    element is 1 with probability p instead (input gives only the shape and dtype)."""
    check_tensor(input, "bernoulli")
    x = input.array
    g = numpy_generator(generator)
    if p is None:
        if x.dtype.kind != "f":
            raise _not_implemented("bernoulli_tensor_cpu_p_", x)
        _check_probabilities(x, "bernoulli")
        return Bernoulli.apply(input, (g.random(x.shape) < x).astype(x.dtype))
    if isinstance(p, Tensor):
        raise TypeError("bernoulli(): argument 'p' must be float, not Tensor (torch takes a "
                        "tensor of probabilities as input, or Tensor.bernoulli_(p))")
    draws = (g.random(x.shape) < _check_p(p, "bernoulli")).astype(x.dtype)
    return NoDerivative.apply(input, draws, "NotImplemented",
                              (RuntimeError, "derivative for aten::bernoulli is not implemented"))


def bernoulli_(input: Tensor, p: Any = 0.5, *, generator: Generator | None = None) -> Tensor:
    """Fill input in place with 1 with probability p (a float, or a tensor broadcast to
    input's shape), else 0. Works for any dtype of input, as in torch."""
    _check_inplace(input, "bernoulli_")
    shape = input.array.shape
    g = numpy_generator(generator)
    if isinstance(p, Tensor):
        pa = p.array
        if pa.dtype.kind != "f":
            raise _not_implemented("bernoulli_tensor_cpu_p_", pa)
        _check_probabilities(pa, "bernoulli_")
        if pa.ndim > len(shape) or any(
                a != b and a != 1 for a, b in zip(pa.shape[::-1], shape[::-1])):
            raise RuntimeError(f"bernoulli_: the expanded size of p must match input's: p "
                               f"{list(pa.shape)} cannot expand to {list(shape)}")
        _assign(input, g.random(shape) < pa, "bernoulli_", _DrawnWithTensorP, p)
    else:
        _assign(input, g.random(shape) < _check_p(p, "bernoulli_"), "bernoulli_",
                name="BernoulliBackward2")
    return input


# -- poisson ----------------------------------------------------------------------------------
def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:
    """A Poisson draw for each rate in input (non-negative), in input's floating dtype."""
    check_tensor(input, "poisson")
    x = input.array
    if x.dtype.kind != "f":
        raise _not_implemented("poisson_cpu", x)
    if x.size and not (x >= 0).all():
        raise RuntimeError("poisson: invalid Poisson rate, expected rate to be non-negative")
    if x.size and not (x < 1e18).all():  # NumPy's sampler stops there; torch returns garbage
        raise RuntimeError(f"poisson: rate {float(x.max()):g} is too large to sample "
                           "(minitorch samples rates below 1e18)")
    draws = np.asarray(numpy_generator(generator).poisson(x.astype(np.float64)), x.dtype)
    return Poisson.apply(input, draws)


# -- exponential_, geometric_ -----------------------------------------------------------------
def exponential_(input: Tensor, lambd: float = 1.0, *,
                 generator: Generator | None = None) -> Tensor:
    """Fill input in place with draws from Exp(lambd): density lambd * exp(-lambd * x)."""
    _check_inplace(input, "exponential_")
    x = input.array
    if x.dtype.kind != "f":
        raise RuntimeError(f"Exponential distribution is a continuous probability "
                           f"distribution. dtype must be a floating point but you specified "
                           f"{_torch_name(x.dtype)}")
    if not lambd > 0:  # NaN too
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    scale = 0.0 if math.isinf(lambd) else 1.0 / lambd
    draws = numpy_generator(generator).exponential(scale, x.shape)
    _assign(input, draws, "exponential_", name="ExponentialBackward0")
    return input


def geometric_(input: Tensor, p: float, *, generator: Generator | None = None) -> Tensor:
    """Fill input in place with the number of Bernoulli(p) trials up to the first success
    (1, 2, 3, ...)."""
    _check_inplace(input, "geometric_")
    x = input.array
    if x.dtype == np.bool_:
        raise _not_implemented("geometric_cpu", x)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    draws = numpy_generator(generator).geometric(p, x.shape)
    _assign(input, draws, "geometric_", name="GeometricBackward0")
    return input


register(multinomial, method=True, differentiable=False)
register(bernoulli, method=True, inplace=bernoulli_)
register(poisson)
register(exponential_, function=False, method=True, differentiable=False)
register(geometric_, function=False, method=True, differentiable=False)
