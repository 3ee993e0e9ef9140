"""Scaling: how each engine's cost grows as the work grows.

Three sweeps, each timed with the same interleaved timer as the cases:
  * the elementwise chain from 10 to 10,000 ops on a (4,) tensor, forward and
    forward plus backward: time per op should stay flat, and the backward
    (fwd+bwd minus fwd) should grow linearly -- a slope of 1 on log-log, which
    is what an iterative topological sort promises;
  * the (n, n) @ (n, n) matmul forward plus backward, n from 64 to 1024;
  * the MLP training step, batch from 16 to 1024.
Each sweep becomes one log-log figure (report.py) and a fitted slope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bench import cases
from bench.cases import Prepared
from bench.timing import Budget, time_interleaved

CHAIN_LENGTHS = (10, 30, 100, 300, 1000, 3000, 10000)
MATMUL_SIZES = (64, 128, 256, 512, 1024)
MLP_BATCHES = (16, 32, 64, 128, 256, 512, 1024)


def _time(prepared: Prepared, budget: Budget, rng: np.random.Generator) -> dict[str, float]:
    bodies = {n: f().body for n, f in prepared.factories.items()}
    return {n: s.median_ns for n, s in time_interleaved(bodies, budget, rng).items()}


def slope(xs: list[float], ys: list[float]) -> float | None:
    """The least-squares slope of log(y) against log(x) (1 = linear, 0 = flat)."""
    pts = [(x, y) for x, y in zip(xs, ys) if x > 0 and y is not None and y > 0]
    if len(pts) < 2:
        return None
    lx, ly = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    return float(np.polyfit(lx, ly, 1)[0])


def sweep(xs: tuple[int, ...], prepare: Callable[[int], Prepared], budget: Budget,
          rng: np.random.Generator) -> dict[str, list[float]]:
    series: dict[str, list[float]] = {}
    for x in xs:
        for name, ns in _time(prepare(x), budget, rng).items():
            series.setdefault(name, []).append(ns)
    return series


def chain_sweep(budget: Budget, rng: np.random.Generator,
                lengths: tuple[int, ...] = CHAIN_LENGTHS) -> dict[str, Any]:
    fwd = sweep(lengths, lambda n: cases.prepare_chain(n, False), budget, rng)
    both = sweep(lengths, lambda n: cases.prepare_chain(n, True), budget, rng)
    series: dict[str, list[float]] = {}
    for name in both:
        series[f"{name} fwd"] = fwd[name]
        series[f"{name} fwd+bwd"] = both[name]
        series[f"{name} bwd"] = [max(b - f, 0.0) for b, f in zip(both[name], fwd[name])]
    return {"x": list(lengths), "x_label": "ops in the chain", "series": series}


def matmul_sweep(budget: Budget, rng: np.random.Generator,
                 sizes: tuple[int, ...] = MATMUL_SIZES) -> dict[str, Any]:
    series = sweep(sizes, cases.prepare_matmul, budget, rng)
    return {"x": list(sizes), "x_label": "n of (n, n) @ (n, n), fwd+bwd", "series": series}


def mlp_sweep(budget: Budget, rng: np.random.Generator,
              batches: tuple[int, ...] = MLP_BATCHES) -> dict[str, Any]:
    series = sweep(batches, cases.prepare_mlp, budget, rng)
    return {"x": list(batches), "x_label": "batch of the MLP training step", "series": series}


def with_slopes(sweep_result: dict[str, Any]) -> dict[str, Any]:
    xs = sweep_result["x"]
    sweep_result["slopes"] = {k: slope(xs, v) for k, v in sweep_result["series"].items()}
    return sweep_result


def run_all(budget: Budget, rng: np.random.Generator, quick: bool = False) -> dict[str, Any]:
    """All three sweeps (shorter ranges when quick)."""
    if quick:
        chain = chain_sweep(budget, rng, (10, 100, 1000))
        matmul = matmul_sweep(budget, rng, (64, 256))
        mlp = mlp_sweep(budget, rng, (16, 128))
    else:
        chain, matmul, mlp = chain_sweep(budget, rng), matmul_sweep(budget, rng), mlp_sweep(
            budget, rng)
    return {"chain": with_slopes(chain), "matmul": with_slopes(matmul),
            "mlp": with_slopes(mlp)}
