"""One case, start to end: prepare it, check it once, time its engines interleaved.

The result is a plain dict (it goes straight into bench.json): what was
timed, how each engine's result compared with torch's, the statistics per
engine, and the two ratios the report is about: minitorch / torch and
minitorch / floor, each the median of the per-round ratios of the same
interleaved rounds, with its quartiles (`ratios`): the ratio's own noise.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from typing import Any

import numpy as np

from bench.cases import ENGINES, WORKLOADS, Case, Check, Skip, check
from bench.timing import (
    Budget,
    CaseTimeout,
    hard_limit,
    ratio_stats,
    stats_from_samples,
    time_rounds,
)

NOISY_IQR_PCT = 10.0  # a ratio whose per-round IQR passes this share of its median is noisy


def peak_bytes(body: Any) -> int:
    """The most bytes one call of body holds at once beyond what was live before it:
    tracemalloc's peak, which sees NumPy's array buffers (NumPy reports them to it) and every
    Python object, but not torch's own allocator: so minitorch and the floor, not torch.
    The call runs once untraced first, so that lazy set-up is not counted."""
    body()
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        body()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return max(0, peak - before)


MEMORY_ENGINES = ("minitorch", "floor")  # the engines whose allocations tracemalloc sees


def paired_ratios(samples: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """minitorch / torch and minitorch / floor, round by round: {den: RatioStats as a dict}."""
    if "minitorch" not in samples:
        return {}
    return {den: ratio_stats(samples["minitorch"], samples[den]).as_dict()
            for den in ("torch", "floor") if den in samples}


DEFAULT_CASE_LIMIT = 5.0  # seconds: a case with one call slower than this is not timed
PREPARE_LIMIT = 4  # preparing a case (torch's trial calls, the floor's) stops at 4x the limit
ROUNDS_LIMIT = 20  # the warm-up and rounds of a case stop at 20x the limit (a last resort)


def too_slow(result: dict[str, Any], reason: str, checks: dict[str, Check],
             over: list[str] | None = None) -> dict[str, Any]:
    """Mark a case "too slow to time": each engine's one call (the check's), and the ratios of
    those single calls; `ratio_bound` is ">" where minitorch's call was stopped (so its ratio
    is a lower bound) and the ratio is None where torch's was. over: the engines whose call
    passed the limit (report.py counts a large case with minitorch among them as over 3x)."""
    first = {n: c.seconds for n, c in checks.items() if c.seconds is not None}
    stopped = [n for n, c in checks.items() if c.status == "too slow"]
    result.update(status="too slow", reason=reason, first_call_s=first, stopped=stopped,
                  over_limit=list(over or []))
    for den in ("torch", "floor"):
        ok = "minitorch" in first and den in first and den not in stopped
        result[f"ratio_{den}"] = first["minitorch"] / max(first[den], 1e-9) if ok else None
    result["ratio_bound"] = ">" if "minitorch" in stopped else ""
    return result


def run_case(case: Case, budget: Budget, rng: np.random.Generator,
             limit: float | None = DEFAULT_CASE_LIMIT) -> dict[str, Any]:
    """Prepare, check and time one case; never raises for a case that cannot run.

    limit (seconds; None: none): the check times each engine's one call under a hard limit
    (timing.hard_limit); a case with a call over `limit` is not timed in rounds but returned
    as "too slow" with those single-call times, and any stage that passes its own multiple of
    the limit (PREPARE_LIMIT, ROUNDS_LIMIT) is stopped: one case never stalls the run.
    """
    t0 = time.perf_counter()
    result: dict[str, Any] = {
        "name": case.name, "group": case.group, "op": case.op, "size": case.size,
        "mode": case.mode, "family": case.family, "per": case.per,
    }
    try:
        with hard_limit(limit and PREPARE_LIMIT * limit):
            prepared = case.prepare()
        checks = check(prepared, limit)
    except CaseTimeout:
        too_slow(result, f"preparing the case (torch's trial call, the floor's first call) "
                         f"passed {PREPARE_LIMIT * limit:g} s", {})
        result["seconds"] = time.perf_counter() - t0
        return result
    except Skip as e:
        result.update(status="skipped", reason=str(e), seconds=time.perf_counter() - t0)
        return result
    except Exception as e:  # a harness bug must not sink the whole run; the report shows it
        result.update(status="error", reason=f"{type(e).__name__}: {e}",
                      seconds=time.perf_counter() - t0)
        return result
    result["shapes"] = prepared.shapes
    result["notes"] = list(prepared.notes)
    result["check"] = {n: {"status": c.status, "detail": c.detail, "seconds": c.seconds}
                       for n, c in checks.items()}
    slow = [n for n, c in checks.items() if c.status == "too slow"
            or (limit and c.seconds is not None and c.seconds > limit)]
    if slow:
        too_slow(result, f"one call of {' and '.join(slow)} passed the {limit:g} s limit",
                 checks, slow)
        result["seconds"] = time.perf_counter() - t0
        return result
    # Time every engine that ran: minitorch even when it disagrees with torch (the row is
    # then marked and left out of the verdict), the floor only when it is right.
    timed = [n for n in ENGINES if n in prepared.factories
             and checks[n].status not in ("error", "absent")
             and (n != "floor" or checks[n].ok)]
    bodies = {n: prepared.factories[n]().body for n in timed}
    first_calls = {n: checks[n].seconds for n in timed}
    gc.collect()
    try:
        with hard_limit(limit and ROUNDS_LIMIT * limit):
            samples, numbers = time_rounds(bodies, budget, rng, first_calls)
    except CaseTimeout:
        del bodies
        too_slow(result, f"its warm-up and rounds passed {ROUNDS_LIMIT * limit:g} s", checks)
        result["seconds"] = time.perf_counter() - t0
        return result
    if case.group == WORKLOADS:  # peak memory per call (report: the workloads table)
        result["peak_bytes"] = {n: peak_bytes(bodies[n]) for n in MEMORY_ENGINES if n in bodies}
    del bodies
    result["stats"] = {n: stats_from_samples(samples[n], numbers[n]).as_dict() for n in samples}
    result["ratios"] = paired_ratios(samples)
    result["ratio_torch"] = result["ratios"].get("torch", {}).get("median")
    result["ratio_floor"] = result["ratios"].get("floor", {}).get("median")
    result["noisy"] = any(r["iqr_pct"] > NOISY_IQR_PCT for r in result["ratios"].values())
    result["status"] = "timed"
    result["seconds"] = time.perf_counter() - t0
    return result


def in_verdict(r: dict[str, Any]) -> bool:
    """A case counts towards the verdict when it was timed and minitorch matched torch."""
    return (r.get("status") == "timed" and r.get("ratio_torch") is not None
            and r["check"]["minitorch"]["status"] in ("ok", "ok (loose)", "shape only"))


def _mt_check(r: dict[str, Any]) -> str | None:
    return r.get("check", {}).get("minitorch", {}).get("status")


def geomean(values: list[float]) -> float | None:
    vals = [v for v in values if v is not None and v > 0]
    return float(np.exp(np.mean(np.log(vals)))) if vals else None


def ratio_iqr_pct(r: dict[str, Any], den: str) -> float | None:
    """The per-round IQR of a case's minitorch/den ratio, in % of its median (None: untimed)."""
    return r.get("ratios", {}).get(den, {}).get("iqr_pct")


def _median_of(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return float(np.median(vals)) if vals else None


def verdict(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per group: how many cases, the geometric means of both ratios (and the median of the
    cases' ratio IQRs: the group's typical noise), noisy and failing rows, and the cases too
    slow to time (their single-call ratios are not in the means: see report.py)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        groups.setdefault(r["group"], []).append(r)
    rows = []
    for group, rs in groups.items():
        good = [r for r in rs if in_verdict(r)]
        rows.append({
            "group": group,
            "cases": len(rs),
            "in_verdict": len(good),
            "vs_torch": geomean([r["ratio_torch"] for r in good]),
            "vs_floor": geomean([r["ratio_floor"] for r in good if r.get("ratio_floor")]),
            "with_floor": sum(1 for r in good if r.get("ratio_floor")),
            "iqr_torch": _median_of([ratio_iqr_pct(r, "torch") for r in good]),
            "iqr_floor": _median_of([ratio_iqr_pct(r, "floor") for r in good]),
            "noisy": sum(1 for r in rs if r.get("noisy")),
            "mismatch": sum(1 for r in rs if _mt_check(r) == "mismatch"),
            "minitorch_error": sum(1 for r in rs if _mt_check(r) in ("error", "absent")),
            "skipped": sum(1 for r in rs if r.get("status") == "skipped"),
            "too_slow": sum(1 for r in rs if r.get("status") == "too slow"),
            "error": sum(1 for r in rs if r.get("status") == "error"),
        })
    return rows
