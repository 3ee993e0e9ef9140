"""Central differences: the gradient checked against the function itself, not against torch.

For an upstream gradient v, the backward of f returns J^T v. Its j-th entry
is the derivative of <v, f(x)> along x_j, which central differences give
directly: (<v, f(x + eps e_j)> - <v, f(x - eps e_j)>) / (2 eps). So one pair
of forward calls per input element checks one entry of the vector-Jacobian
product, in float64, with torch.autograd.gradcheck's defaults (eps 1e-6,
atol 1e-5, rtol 1e-3).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from minitorch.testing import central_differences

EPS = 1e-6
ATOL = 1e-5
RTOL = 1e-3


def numeric_vjp(
    f: Callable[[list[np.ndarray]], float],
    arrays: list[np.ndarray],
    positions: Sequence[int],
    eps: float = EPS,
) -> list[np.ndarray]:
    """d<v, f>/dx for each array at `positions`, by central differences.

    `f(arrays)` returns <v, f(arrays)> as a float; arrays are float64 and contiguous. The
    differences themselves are minitorch.testing's (one implementation for both).
    """
    return [central_differences(lambda: f(arrays), arrays[p], eps).reshape(arrays[p].shape)
            for p in positions]


def check(analytic: Sequence[np.ndarray], numeric: Sequence[np.ndarray],
          names: Sequence[str]) -> tuple[float, str | None]:
    """The worst |analytic - numeric| and the first entry outside atol + rtol * |numeric|."""
    worst = 0.0
    first: str | None = None
    for a, n, name in zip(analytic, numeric, names):
        a = np.asarray(a, dtype=np.float64)
        if a.shape != n.shape:
            return float("inf"), f"gradcheck {name}: shape {a.shape} != {n.shape}"
        if a.size == 0:
            continue
        both_nan = np.isnan(a) & np.isnan(n)
        diff = np.where(both_nan, 0.0, np.abs(a - n))
        diff = np.where(np.isnan(diff), np.inf, diff)
        worst = max(worst, float(diff.max()))
        bad = diff > ATOL + RTOL * np.abs(n)
        if first is None and bad.any():
            idx = np.unravel_index(int(np.flatnonzero(bad.reshape(-1))[0]), a.shape)
            first = (f"gradcheck {name}[{', '.join(str(int(i)) for i in idx)}]: analytic "
                     f"{a[idx]:.6e}, central difference {n[idx]:.6e}")
    return worst, first


def inner_product(outputs: Sequence[Any], upstream: Sequence[np.ndarray]) -> float:
    """<v, f(x)> summed over the differentiable outputs (arrays in float64)."""
    total = 0.0
    for o, v in zip(outputs, upstream):
        total += float(np.sum(np.asarray(o, dtype=np.float64) * v))
    return total
