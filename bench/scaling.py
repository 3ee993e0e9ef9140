"""Scaling: how each engine's cost grows as the work grows.

Three sweeps, each timed with the same interleaved timer as the cases:
  * the elementwise chain from 10 to 100,000 ops on a (4,) tensor, forward
    (recording the graph: x requires grad) and forward plus backward. Time per
    op should stay flat at any graph size (issue 17): a long graph must not
    make each new op slower, as it did while every node was several objects
    Python's cycle collector walked on each full collection. We state the
    ratio of the per-op time at 100k ops to that at 1k ops next to the slope;
  * the (n, n) @ (n, n) matmul forward plus backward, n from 64 to 1024;
  * the MLP training step, batch from 16 to 1024.
Each sweep becomes one log-log figure (report.py) and a fitted slope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bench import cases, workloads
from bench.cases import Prepared
from bench.timing import Budget, time_interleaved

CHAIN_LENGTHS = (10, 100, 1_000, 10_000, 100_000)
LONG_CHAIN = 10_000  # from here on a call takes long: fewer rounds (a round is one call)
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


def _chain_bodies(n_ops: int, backward: bool) -> dict[str, Callable[[], object]]:
    """The bench's 10-op chain block on (4,), x requiring grad in both modes (so the
    forward records its graph, which is what grows), and the NumPy floor."""
    x_np, g_np = workloads.chain_inputs()
    bodies: dict[str, Callable[[], object]] = {}
    for name, lib in cases.LIBS.items():
        x, g = lib.tensor(x_np, requires_grad=True), lib.tensor(g_np)
        if backward:
            def body(lib: Any = lib, x: Any = x, g: Any = g) -> object:
                x.grad = None
                y = workloads.chain(lib, x, n_ops)
                y.backward(g)
                return y
        else:
            def body(lib: Any = lib, x: Any = x) -> object:
                return workloads.chain(lib, x, n_ops)
        bodies[name] = body
    floor_runner = workloads.chain_floor(x_np.copy(), g_np.copy(), n_ops, backward)
    bodies["floor"] = floor_runner.body
    return bodies


def chain_sweep(budget: Budget, rng: np.random.Generator,
                lengths: tuple[int, ...] = CHAIN_LENGTHS) -> dict[str, Any]:
    """Per op and in total, at each length; the ratio of per-op time at 100k to 1k."""
    long_budget = Budget(seconds=budget.seconds, min_rounds=3, max_rounds=3,
                         warmup_seconds=0.0)
    totals: dict[str, list[float]] = {}
    for backward, mode in ((False, "fwd"), (True, "fwd+bwd")):
        for n in lengths:
            b = long_budget if n >= LONG_CHAIN else budget
            timed = time_interleaved(_chain_bodies(n, backward), b, rng)
            for name, st in timed.items():
                totals.setdefault(f"{name} {mode}", []).append(st.median_ns)
    for name in [*cases.LIBS, "floor"]:
        both, fwd = totals.get(f"{name} fwd+bwd"), totals.get(f"{name} fwd")
        if both and fwd:
            totals[f"{name} bwd"] = [max(b - f, 0.0) for b, f in zip(both, fwd)]
    xs = list(lengths)
    per_op = {k: [y / n for y, n in zip(v, xs)] for k, v in totals.items()}
    ratio = {}
    if 1_000 in xs and 100_000 in xs:
        i, j = xs.index(1_000), xs.index(100_000)
        ratio = {k: v[j] / v[i] for k, v in per_op.items() if v[i] > 0}
    return {"x": xs, "x_label": "ops in the chain", "series": totals, "per_op_ns": per_op,
            "ratio_100k_1k": ratio}


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
        chain = chain_sweep(budget, rng, (10, 100, 1_000))
        matmul = matmul_sweep(budget, rng, (64, 256))
        mlp = mlp_sweep(budget, rng, (16, 128))
    else:
        chain, matmul, mlp = chain_sweep(budget, rng), matmul_sweep(budget, rng), mlp_sweep(
            budget, rng)
    return {"chain": with_slopes(chain), "matmul": with_slopes(matmul),
            "mlp": with_slopes(mlp)}
