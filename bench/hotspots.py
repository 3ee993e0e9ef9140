"""Where minitorch's time goes on tiny tensors: the 20-op chain, split and profiled.

On a (4,) tensor the arithmetic is nothing; every microsecond is the
engine's own Python. Two views of it:
  * phases, timed without a profiler: forward with no graph, forward
    recording the graph, and the backward, per op;
  * cProfile of forward plus backward: the functions that cost the most per
    op (profiling inflates small Python functions, so read the shares, not
    the absolute numbers).
"""

from __future__ import annotations

import cProfile
import pstats
from pathlib import Path
from typing import Any

import numpy as np

import minitorch
from bench import workloads
from bench.timing import Budget, time_interleaved

ROOT = Path(__file__).resolve().parent.parent


def phases(n_ops: int, budget: Budget, rng: np.random.Generator) -> dict[str, float]:
    """us per op: forward without a graph, forward recording it, and backward alone."""
    x, g = workloads.chain_inputs()
    x_rec = minitorch.tensor(x, requires_grad=True)
    bodies = {
        "forward, no graph": workloads.chain_runner(minitorch, x, g, n_ops, False).body,
        "forward, recording": lambda: workloads.chain(minitorch, x_rec, n_ops),
        "forward + backward": workloads.chain_runner(minitorch, x, g, n_ops, True).body,
    }
    med = {k: s.median_ns / n_ops / 1e3 for k, s in time_interleaved(bodies, budget, rng).items()}
    return {
        "forward, no graph": med["forward, no graph"],
        "recording the graph": med["forward, recording"] - med["forward, no graph"],
        "backward": med["forward + backward"] - med["forward, recording"],
        "total (forward + backward)": med["forward + backward"],
    }


def _where(filename: str) -> str:
    if filename.startswith("~") or filename.startswith("<"):
        return "builtin"
    p = Path(filename)
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        parts = p.parts
        return "/".join(parts[parts.index("site-packages") + 1:]) if "site-packages" in parts \
            else p.name


def profile_chain(n_ops: int = 20, calls: int = 2000, top: int = 15) -> dict[str, Any]:
    """The top functions by own time in `calls` forward+backward passes of the chain."""
    x, g = workloads.chain_inputs()
    body = workloads.chain_runner(minitorch, x, g, n_ops, True).body
    for _ in range(50):
        body()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        body()
    prof.disable()
    st = pstats.Stats(prof)
    total = sum(v[2] for v in st.stats.values()) or 1.0  # type: ignore[attr-defined]
    entries = []
    for (filename, line, func), (_, ncalls, tottime, cumtime, _) in st.stats.items():  # type: ignore[attr-defined]
        entries.append({
            "function": func,
            "where": f"{_where(filename)}:{line}" if line else _where(filename),
            "calls_per_op": ncalls / (calls * n_ops),
            "own_us_per_op": tottime / (calls * n_ops) * 1e6,
            "cum_us_per_op": cumtime / (calls * n_ops) * 1e6,
            "share_pct": 100.0 * tottime / total,
        })
    entries.sort(key=lambda e: e["own_us_per_op"], reverse=True)
    return {"n_ops": n_ops, "calls": calls,
            "profiled_us_per_op": total / (calls * n_ops) * 1e6, "top": entries[:top]}


def run(budget: Budget, rng: np.random.Generator, n_ops: int = 20) -> dict[str, Any]:
    try:
        return {"phases_us_per_op": phases(n_ops, budget, rng), **profile_chain(n_ops)}
    except Exception as e:  # the profile is a bonus: never let it sink the report
        return {"error": f"{type(e).__name__}: {e}"}
