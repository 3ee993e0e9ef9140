"""The report: reports/bench.md, reports/bench.json, the figures, and the baseline comparison.

Everything here reads the result dict that __main__.py assembles (the same
dict that becomes bench.json), so a report renders from a fixture in the
tests. Files are written atomically: to a temporary file next to the target,
then os.replace, so a crashed run never leaves half a report.
"""

from __future__ import annotations

import json
import os
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench import notes
from bench.measure import NOISY_IQR_PCT, geomean, in_verdict

ENGINES = ("minitorch", "torch", "floor")
# A case "changed" against the baseline when a ratio (minitorch/torch or minitorch/floor)
# moved by more than its own noise -- the larger of the two runs' per-round IQRs of that
# ratio -- and by more than MIN_CHANGE, the run-to-run bar the issue sets (5%).
MIN_CHANGE = 0.05
STABLE_WITHIN = 0.05  # the stability count: ratios within 5% of the baseline's
SLOW_LARGE = 3.0  # issue 14: no large case over 3x torch without a note


# -- writing ---------------------------------------------------------------------------


_FILE_MODE = 0o644  # what an ordinary write would give; mkstemp alone gives 0600


def write_atomic(path: Path, data: str | bytes, tmp_dir: Path | None = None) -> None:
    """Write to a temporary file in tmp_dir (default: path's folder), then os.replace."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir = tmp_dir or path.parent
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=tmp_dir)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json(path: Path, result: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(result, indent=1, sort_keys=False, default=str) + "\n")


# -- formatting ------------------------------------------------------------------------


def fmt_time(ns: float | None) -> str:
    if ns is None:
        return "–"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            v = ns / scale
            return f"{v:.3g} {unit}" if v < 100 else f"{v:.0f} {unit}"
    return f"{ns:.0f} ns"


def fmt_ratio(r: float | None) -> str:
    if r is None:
        return "–"
    return f"{r:.2f}x" if r < 10 else f"{r:.1f}x"


def fmt_pct(fraction: float | None) -> str:
    """A relative change as a signed percentage: 0.25 -> '+25%'."""
    return "–" if fraction is None else f"{100 * fraction:+.0f}%"


def _median(r: dict[str, Any], engine: str) -> float | None:
    s = r.get("stats", {}).get(engine)
    return s["median_ns"] if s else None


def _iqr_cell(r: dict[str, Any]) -> str:
    """The per-round IQR of both ratios, in % of the ratio: 'torch/floor'."""
    parts = []
    for den in ("torch", "floor"):
        q = r.get("ratios", {}).get(den)
        parts.append("–" if q is None else f"{q['iqr_pct']:.0f}")
    cell = "/".join(parts)
    return cell + " noisy" if r.get("noisy") else cell


def _ratio_iqr_range(r: dict[str, Any], den: str) -> str:
    q = r.get("ratios", {}).get(den)
    return "–" if q is None else f"{q['q1']:.2f}–{q['q3']:.2f}"


def _check_cell(r: dict[str, Any]) -> str:
    checks = r.get("check", {})
    mt = checks.get("minitorch", {}).get("status", "?")
    fl = checks.get("floor", {}).get("status", "absent")
    if mt == "mismatch":
        return "🔴 mismatch"
    if mt in ("error", "absent"):
        return f"🔴 minitorch {mt}"
    cell = {"ok": "ok", "ok (loose)": "ok≈", "shape only": "shape"}.get(mt, mt)
    if fl not in ("ok", "ok (loose)", "absent", "shape only"):
        cell += f", 🔴 floor {fl}"
    return cell


def verdict_line(groups: list[dict[str, Any]]) -> str:
    """One line: the geometric means of minitorch/torch and minitorch/floor per group."""
    vs_t = " · ".join(f"{_short(g['group'])} {fmt_ratio(g['vs_torch'])}" for g in groups)
    vs_f = " · ".join(f"{_short(g['group'])} {fmt_ratio(g['vs_floor'])}" for g in groups
                      if g["vs_floor"] is not None)
    slow = sum(g.get("too_slow", 0) for g in groups)
    return (f"**Verdict** (geometric means, lower is faster): minitorch/torch: {vs_t}; "
            f"minitorch/floor: {vs_f or '–'}"
            + (f"; {slow} case{'' if slow == 1 else 's'} too slow to time." if slow else "."))


def _short(group: str) -> str:
    return group.replace("ops · ", "").replace(" · ", " ")


# -- the markdown ----------------------------------------------------------------------


def render_markdown(result: dict[str, Any], figures: dict[str, str]) -> str:
    out: list[str] = []
    groups = result["verdict"]
    out.append(verdict_line(groups))
    out.append("")
    out.append("# minitorch bench: what readability costs, against PyTorch and hand-written NumPy")
    out.append("")
    out.append(f"- commit: `{result['commit']}`")
    if result.get("commit_at_end", result["commit"]) != result["commit"]:
        out.append(f"- **the code changed during the run**: `{result['commit_at_end']}` at the "
                   "end; cases timed late may reflect the newer code")
    out.append(f"- date: {result['date']}")
    out.append(f"- command: `{result['command']}`")
    if result.get("engine", "minitorch") != "minitorch":
        out.append(f"- **engine under test: `{result['engine']}`**: its times and ratios fill "
                   "the minitorch columns (`--engine`); the op table's known differences and "
                   "tolerance overrides, minitorch's, do not apply to it")
    out.append(f"- threads: {result['threads']} · shuffle seed: {result['seed']} · "
               f"run time: {result['duration_s'] / 60:.1f} min")
    out.append(f"- baseline file: `{result['baseline_path']}`")
    out.append("")
    out += _verdict_table(groups)
    out += _targets_section(result)
    out += _slow_large_section(result)
    out += _too_slow_section(result)
    out += _workloads_section(result, figures)
    out += _environment_section(result)
    out += _method_section(result)
    out += _groups_section(result)
    out += _scaling_section(result, figures)
    out += _hotspots_section(result.get("hotspots", {}))
    out += _baseline_section(result.get("baseline", {}))
    out += _not_timed_section(result)
    return "\n".join(out).rstrip() + "\n"


def _table(header: list[str], rows: list[list[str]], align: str | None = None) -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    sep = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return lines + [""]


def _verdict_table(groups: list[dict[str, Any]]) -> list[str]:
    def pct(v: float | None) -> str:
        return "–" if v is None else f"{v:.0f}"

    rows = [[g["group"], f"{g['in_verdict']} of {g['cases']}", fmt_ratio(g["vs_torch"]),
             fmt_ratio(g["vs_floor"]) + (f" ({g['with_floor']})" if g["with_floor"] else ""),
             f"{pct(g.get('iqr_torch'))}/{pct(g.get('iqr_floor'))}",
             str(g["noisy"]), str(g["mismatch"]), str(g["minitorch_error"]),
             str(g.get("too_slow", 0)), str(g["skipped"]), str(g["error"])]
            for g in groups]
    return ["## Verdict by group", ""] + _table(
        ["group", "in verdict", "minitorch/torch", "minitorch/floor (cases)",
         "ratio IQR % (torch/floor)", "noisy", "mismatch", "minitorch error",
         "too slow to time", "skipped", "harness error"], rows) + [
        "A case is in the verdict when it was timed and minitorch's result matched torch's. "
        "A case's ratio is the median over rounds of minitorch's time over the other "
        "engine's in the same round; the group's figure is the geometric mean over its "
        "cases, beside the median of the cases' per-round ratio IQRs (their noise). Above "
        "1 means minitorch is slower. A case with one call over the run's limit is *too "
        "slow to time*: not in the means, but listed below with its single calls' times, "
        f"and a large one counts among the cases over {SLOW_LARGE:g}x torch.", ""]


# -- issue 14's targets, computed from this run -------------------------------------------


def _cases_where(result: dict[str, Any], **match: str) -> list[dict[str, Any]]:
    return [r for r in result["cases"] if in_verdict(r)
            and all(r.get(k) == v for k, v in match.items())]


def _workload(result: dict[str, Any], words: str, mode: str = "fwd+bwd") -> dict | None:
    for r in result["cases"]:
        if r["group"] == "workloads" and words in r["name"] and r["mode"] == mode \
                and in_verdict(r):
            return r
    return None


def _geomean_cell(rs: list[dict[str, Any]], den: str) -> tuple[float | None, str]:
    """The geometric mean of the cases' ratios, and its noise: the geometric means of their
    per-round first and third quartiles."""
    key = f"ratio_{den}"
    rs = [r for r in rs if r.get(key)]
    g = geomean([r[key] for r in rs])
    if g is None:
        return None, "–"
    q1 = geomean([r["ratios"][den]["q1"] for r in rs if den in r.get("ratios", {})])
    q3 = geomean([r["ratios"][den]["q3"] for r in rs if den in r.get("ratios", {})])
    n = f"{len(rs)} case{'' if len(rs) == 1 else 's'}"
    band = f" (IQR {q1:.2f}–{q3:.2f}, {n})" if q1 and q3 else f" ({n})"
    return g, fmt_ratio(g) + band


def _one_cell(r: dict[str, Any] | None, den: str) -> tuple[float | None, str]:
    if r is None or not r.get(f"ratio_{den}"):
        return None, "not timed"
    v = r[f"ratio_{den}"]
    return v, f"{fmt_ratio(v)} (IQR {_ratio_iqr_range(r, den)})"


INDEX_BACKWARD_OPS = ("index_select", "gather", "scatter_add", "F.embedding")


def slow_large_cases(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The large cases whose minitorch/torch ratio passes SLOW_LARGE (those in the verdict),
    and the large cases too slow to time because of minitorch (its one call passed the limit)
    or whose single-call ratio passes it: nothing shows those within SLOW_LARGE of torch."""
    def too_slow_here(r: dict[str, Any]) -> bool:
        return r.get("status") == "too slow" and (
            "minitorch" in r.get("over_limit", ()) or (r.get("ratio_torch") or 0) > SLOW_LARGE)

    return [r for r in result["cases"] if r.get("size") == "large" and (
        too_slow_here(r) or (in_verdict(r) and r["ratio_torch"] > SLOW_LARGE))]


def too_slow_cases(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in result["cases"] if r.get("status") == "too slow"]


def _first_call(r: dict[str, Any], engine: str) -> str:
    """A too-slow case's one call of `engine` ('> 11.5 s' where it was stopped)."""
    s = r.get("first_call_s", {}).get(engine)
    if s is None:
        return "–"
    return ("> " if engine in r.get("stopped", ()) else "") + fmt_time(s * 1e9)


def _ratio_cell(r: dict[str, Any]) -> str:
    """×torch: a timed case's ratio; a too-slow case's single-call ratio ('> 60x': a bound)."""
    v = r.get("ratio_torch")
    if r.get("status") != "too slow" or v is None:
        return fmt_ratio(v)
    return f"{r.get('ratio_bound', '')} {fmt_ratio(v)} (one call)".strip()


def _mt_time(r: dict[str, Any]) -> str:
    return _first_call(r, "minitorch") if r.get("status") == "too slow" else fmt_time(
        _median(r, "minitorch"))


def _torch_time(r: dict[str, Any]) -> str:
    return _first_call(r, "torch") if r.get("status") == "too slow" else fmt_time(
        _median(r, "torch"))


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 14's targets table, each row: case, now (value and its text), target, met."""
    rows: list[dict[str, Any]] = []

    def add(case: str, value: float | None, now: str, target: float, what: str = "") -> None:
        rows.append({"case": case, "value": value, "now": now,
                     "target": what or f"<= {target:.2f}x",
                     "met": None if value is None else value <= target})

    for size in ("medium", "large"):
        v, cell = _geomean_cell(_cases_where(result, size=size, mode="fwd+bwd"), "floor")
        add(f"ops {size} fwd+bwd, geomean vs floor", v, cell, 1.20)
    for batch, target in (("64", 1.10), ("512", 1.05)):
        v, cell = _one_cell(_workload(result, f"batch {batch}"), "floor")
        add(f"MLP 784-256-128-10 step b{batch} vs floor", v, cell, target)
    mlp512 = _workload(result, "batch 512")
    ratio = peak_ratio(mlp512)
    add("MLP b512 step, peak memory per call vs floor", ratio,
        "not measured" if ratio is None else f"{fmt_ratio(ratio)} ({_peak_cell(mlp512)})", 1.20)
    v, cell = _one_cell(_workload(result, "conv2d"), "torch")
    add("conv2d fwd+bwd vs torch", v, cell, 0.90)
    v, cell = _geomean_cell(_cases_where(result, size="tiny", mode="fwd"), "torch")
    add("ops tiny fwd (the core set), geomean vs torch", v, cell, 1.00)
    for r in result["cases"]:
        if r["group"] == "workloads" and r["name"].startswith("chain") and r["mode"] == "fwd+bwd":
            v, cell = _one_cell(r if in_verdict(r) else None, "torch")
            add(r["name"].replace(" · fwd+bwd", "") + " fwd+bwd vs torch", v, cell, 0.50)
    index = [r for r in _cases_where(result, size="large", mode="fwd+bwd")
             if r["op"] in INDEX_BACKWARD_OPS]
    if index:
        worst = max(index, key=lambda r: r["ratio_torch"])
        v, cell = _one_cell(worst, "torch")
        add("index backward at 1M vs torch (the worst of "
            f"{', '.join(sorted(r['op'] for r in index))})", v, f"{cell}: {worst['op']}", 2.0)
    else:
        add("index backward at 1M vs torch", None, "not timed", 2.0)
    unexplained = [r for r in slow_large_cases(result) if not notes.note_for(r)]
    add("large cases > 3x torch without a note", float(len(unexplained)),
        f"{len(unexplained)} (of {len(slow_large_cases(result))} over 3x)", 0.0, "0")
    return rows


def _targets_section(result: dict[str, Any]) -> list[str]:
    rows = [[t["case"], t["now"], t["target"],
             "–" if t["met"] is None else ("met" if t["met"] else "not met"),
             notes.target_note(t["case"]) if t["met"] is False else ""]
            for t in targets(result)]
    return ["## Targets (issue 14), from this run", "",
            "*why not met*: bench/notes.py's TARGET_NOTES, measured beside this report (the "
            "machine and date are in that file), not by this run.", ""] + _table(
        ["case", "now (noise: per-round IQR)", "target", "", "why not met"], rows, "lrrll")


def _slow_large_section(result: dict[str, Any]) -> list[str]:
    slow = sorted(slow_large_cases(result), key=lambda r: -(r.get("ratio_torch") or 0))
    lines = [f"## Large cases over {SLOW_LARGE:g}x torch", ""]
    if not slow:
        return lines + [f"None: every large case in the verdict is within {SLOW_LARGE:g}x "
                        "torch.", ""]
    rows = [[r["name"], r.get("shapes", ""), _mt_time(r), _torch_time(r), _ratio_cell(r),
             notes.note_for(r) or "no note"] for r in slow]
    return lines + [f"{len(slow)} case{'' if len(slow) == 1 else 's'}; the notes are "
                    "bench/notes.py's (`no note`: nobody has explained it yet). `one call`: "
                    "too slow to time (next section), listed here when minitorch's call "
                    "passed the limit, whatever the single calls' ratio.", ""] + _table(
        ["case", "shapes", "minitorch", "torch", "×torch", "why"], rows, "llrrrl")


def _too_slow_section(result: dict[str, Any]) -> list[str]:
    slow = too_slow_cases(result)
    if not slow:
        return []
    limit = result.get("case_limit")
    rows = [[r["name"], r.get("shapes", ""), _first_call(r, "minitorch"),
             _first_call(r, "torch"), _first_call(r, "floor"), _ratio_cell(r),
             r.get("reason", ""), notes.note_for(r) or "no note"] for r in slow]
    return [f"## Too slow to time ({len(slow)} case{'' if len(slow) == 1 else 's'})", "",
            "Each engine's one call (the check's) was timed before the rounds; a case with a "
            "call over the limit"
            + (f" ({limit:g} s, `--case-limit`)" if limit else "")
            + " gets no rounds. `>`: the call was stopped there (a SIGALRM timer; the time is "
            "when it stopped), so the ratio is a lower bound.", ""] + _table(
        ["case", "shapes", "minitorch", "torch", "floor", "×torch", "why not timed", "note"],
        rows, "llrrrrll")


def fmt_bytes(n: float | None) -> str:
    if n is None:
        return "–"
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"


def peak_ratio(r: dict[str, Any] | None) -> float | None:
    """minitorch's peak bytes per call over the floor's (None where either is missing)."""
    peak = (r or {}).get("peak_bytes", {})
    mt, fl = peak.get("minitorch"), peak.get("floor")
    return mt / fl if mt and fl else None


def _peak_cell(r: dict[str, Any]) -> str:
    peak = r.get("peak_bytes")
    if not peak:
        return "–"
    ratio = peak_ratio(r)
    return (f"{fmt_bytes(peak.get('minitorch'))} / {fmt_bytes(peak.get('floor'))}"
            + (f" ({ratio:.2f}x)" if ratio else ""))


def _workloads_section(result: dict[str, Any], figures: dict[str, str]) -> list[str]:
    ws = [r for r in result["cases"] if r["group"] == "workloads"]
    rows = []
    for r in ws:
        per = r.get("per", 1)
        per_op = "–"
        if per > 1 and r.get("stats"):
            per_op = " / ".join(fmt_time(_median(r, e) / per) if _median(r, e) else "–"
                                for e in ENGINES)
        rows.append([r["name"], fmt_time(_median(r, "minitorch")), fmt_time(_median(r, "torch")),
                     fmt_time(_median(r, "floor")), fmt_ratio(r.get("ratio_torch")),
                     fmt_ratio(r.get("ratio_floor")), per_op, _peak_cell(r), _iqr_cell(r),
                     str(r.get("stats", {}).get("torch", {}).get("rounds", "–")),
                     _check_cell(r) if r.get("status") == "timed" else r.get("status", "")])
    lines = ["## Workloads", ""] + _table(
        ["workload", "minitorch", "torch", "floor", "×torch", "×floor",
         "per op (mt / torch / floor)", "peak memory (mt / floor)", "ratio IQR % (×torch/×floor)",
         "rounds", "check"], rows)
    lines += ["", "*peak memory*: the most bytes one call holds at once beyond what was live "
              "before it (tracemalloc's peak: NumPy's buffers and Python's objects; torch's "
              "allocator is not traced, so torch has no column)."]
    for r in ws:
        for note in r.get("notes", []):
            lines.append(f"- {r['name']}: {note}")
    if "workloads" in figures:
        lines += ["", f"![workloads]({figures['workloads']})"]
    if "ratios" in figures:
        lines += ["", f"![ratios per case]({figures['ratios']})"]
    return lines + [""]


def _environment_section(result: dict[str, Any]) -> list[str]:
    fp = result["fingerprint"]
    v = fp["versions"]
    lines = ["## Environment", "",
             f"- CPU: {fp['cpu_model']}, {fp['logical_cores']} logical cores "
             f"({fp['usable_cores']} usable), {fp['machine']}, {fp['os']}",
             f"- Python {fp['python']} · NumPy {v['numpy']} · torch {v['torch']} · "
             f"minitorch {v['minitorch']} · threadpoolctl {v['threadpoolctl']} · "
             f"pytest-benchmark {v['pytest-benchmark']}",
             f"- threads per engine: {fp['threads']}",
             f"- load average (1, 5, 15 min) at start: {fp.get('load_average')}, at end: "
             f"{fp.get('load_average_at_end')}",
             f"- machine key (what the baseline comparison matches on): `{result['machine_key']}`",
             ""]
    pools = [[p.get("user_api", ""), p.get("internal_api", ""), p.get("prefix", ""),
              str(p.get("version")), str(p.get("num_threads")), str(p.get("threading_layer", "")),
              str(p.get("architecture", ""))] for p in fp["blas_pools"]]
    lines += ["Native thread pools loaded (threadpoolctl, after pinning):", ""]
    lines += _table(["api", "library", "prefix", "version", "threads", "threading", "arch"],
                    pools, "lllllll")
    t = fp["torch"]
    lines.append("torch: " + ", ".join(f"{k} {val}" for k, val in t.items()))
    lines.append("")
    lines.append("Thread environment variables: " + ", ".join(
        f"`{k}={val}`" for k, val in fp["env"].items()))
    return lines + [""]


def _method_section(result: dict[str, Any]) -> list[str]:
    b = result.get("budgets", {})
    return [
        "## How this was measured", "",
        "- Engines: minitorch; torch eager on the CPU; the *floor*, NumPy written by hand "
        "(bench/floor.py: forward and backward for the main ops and the workloads, no graph). "
        "All get the same float32 arrays, copied, and the same thread count (torch through "
        "`set_num_threads`, NumPy's BLAS and OpenMP pools through threadpoolctl).",
        "- Ops: op-table rows with `bench=True`, their sample grown to tiny `(4,)`, medium "
        "`(256, 256)` and large `(1024, 1024)` (bench/inputs.py). Which sizes and modes "
        f"(bench/cases.py, SELECTION_RULE): {result.get('selection', 'every size and mode')}. "
        "`fwd`: inputs do not require "
        "grad (inference). `fwd+bwd`: inputs require grad, and backward runs from a fixed "
        "N(0, 1) upstream gradient into gradients reset to None at the start of every call.",
        "- Timing (bench/timing.py): a warm-up, then rounds; each round runs every engine of "
        "the case once in an order shuffled by the recorded seed, each engine timing "
        "`number` back-to-back calls with `perf_counter_ns`. A case's ratio (×torch, ×floor) "
        "is the median over rounds of minitorch's time over the other engine's in the same "
        "round, so drift of the machine cancels; its noise is the IQR of those per-round "
        f"ratios; a case is *noisy* when a ratio's IQR is over {NOISY_IQR_PCT:.0f}% of it. "
        "Times shown are each engine's median over rounds. "
        "Garbage collection stays on: it is part of what a user pays (the harness's own "
        "long-lived objects, the op table and the results, are frozen out of it with "
        "`gc.freeze` between cases, so a collection walks what the case made, as in a user's "
        "program). pytest-benchmark times "
        "one callable at a time and cannot interleave engines, so the ratios come from this "
        "timer; `pytest bench --benchmark-only` times minitorch alone per case through "
        "pytest-benchmark (bench/test_bench_pytest.py: its JSON, `--benchmark-compare`), and "
        "`make test` runs every case once, untimed (tests/bench/test_bench_cases.py). "
        "`make bench-count` counts instructions per call under cachegrind "
        "(reports/bench_count.md).",
        f"- Budgets (seconds per engine per case): {', '.join(f'{k} {v}' for k, v in b.items())}.",
        "- Time cap (bench/measure.py run_case): each engine's one call in the check is timed "
        "under a hard limit"
        + (f" of {result['case_limit']:g} s (`--case-limit`)" if result.get("case_limit")
           else " (none in this run: `--case-limit 0`)")
        + "; a case with a call over it gets no rounds and is listed as too slow to time "
        "with those single calls (a SIGALRM timer stops a call still running, so no case "
        "can stall the run).",
        "- Check (bench/cases.py): every case runs once per engine outside the timing and "
        "minitorch's and the floor's arrays (outputs, then gradients) are compared with torch's "
        "at float32's defaults (rtol 1.3e-6, atol 1e-5) or the op table's own tolerance. "
        "`ok≈`: passed only at the looser tolerance allowed for cases that sum many terms "
        f"(reductions, matmul, losses, workloads): {result.get('loose_reason', '')}.",
        "",
    ]


def _groups_section(result: dict[str, Any]) -> list[str]:
    lines = ["## Ops", ""]
    by_group: dict[str, list[dict[str, Any]]] = {}
    for r in result["cases"]:
        if r["group"] != "workloads" and r.get("status") == "timed":
            by_group.setdefault(r["group"], []).append(r)
    header = ["op", "shapes", "minitorch", "torch", "floor", "×torch", "×floor",
              "ratio IQR % (×torch/×floor)", "rounds", "check"]
    for group, rs in by_group.items():
        lines += [f"### {group}", ""]
        rows = [[r["op"], r.get("shapes", ""), fmt_time(_median(r, "minitorch")),
                 fmt_time(_median(r, "torch")), fmt_time(_median(r, "floor")),
                 fmt_ratio(r.get("ratio_torch")), fmt_ratio(r.get("ratio_floor")),
                 _iqr_cell(r), str(r["stats"]["torch"]["rounds"]), _check_cell(r)]
                for r in rs]
        lines += _table(header, rows, "llrrrrrrrl")
    return lines


def _scaling_section(result: dict[str, Any], figures: dict[str, str]) -> list[str]:
    sc = result.get("scaling")
    if result.get("scaling_error"):
        return ["## Scaling", "", f"Not measured: {result['scaling_error']}.", ""]
    if not sc:
        return []
    lines = ["## Scaling", "",
             "Log-log slope of time against work (1 = linear; the chain's per-op time should be "
             "flat, i.e. its total slope 1, and its backward linear):", ""]
    rows = []
    for name in ("chain", "matmul", "mlp"):
        s = sc.get(name)
        if not s:
            continue
        for series, sl in s["slopes"].items():
            ys = s["series"][series]
            rows.append([name, series, "–" if sl is None else f"{sl:.2f}",
                         f"{fmt_time(ys[0])} at {s['x'][0]}",
                         f"{fmt_time(ys[-1])} at {s['x'][-1]}"])
    lines += _table(["sweep", "series", "slope", "first", "last"], rows, "llrrr")
    chain = sc.get("chain")
    if chain:
        lines += _chain_per_op_table(chain)
    for name in ("scaling_chain", "scaling_matmul", "scaling_mlp"):
        if name in figures:
            lines += [f"![{name}]({figures[name]})", ""]
    return lines


def _chain_per_op_table(chain: dict[str, Any]) -> list[str]:
    """Per-op time at each chain length, and how much the 100k figure exceeds the 1k one.

    Flat means a ratio near 1: the graph's size does not slow each op (issue 17).
    The forward records the graph (x requires grad), so it is the one that grows.
    """
    ratios = chain.get("ratio_100k_1k") or {}
    header = ["series"] + [f"{n:,} ops" for n in chain["x"]]
    if ratios:
        header.append("100k / 1k")
    rows = []
    for series, ys in chain["series"].items():
        row = [series] + [fmt_time(y / n) for y, n in zip(ys, chain["x"])]
        if ratios:
            r = ratios.get(series)
            row.append("–" if r is None else f"{r:.2f}x")
        rows.append(row)
    return ["Chain, time per op (forward records the graph; flat = a 100k / 1k ratio near 1):",
            ""] + _table(header, rows)


def _hotspots_section(h: dict[str, Any]) -> list[str]:
    if not h:
        return []
    lines = ["## Where minitorch's time goes (the 20-op chain on a (4,) tensor)", ""]
    if "error" in h:
        return lines + [f"Profiling failed: {h['error']}", ""]
    ph = h["phases_us_per_op"]
    lines += ["Per op, timed without a profiler: " + ", ".join(
        f"{k} {v:.2f} us" for k, v in ph.items()) + ".", ""]
    rows = [[e["function"], e["where"], f"{e['calls_per_op']:.2f}", f"{e['own_us_per_op']:.2f}",
             f"{e['cum_us_per_op']:.2f}", f"{e['share_pct']:.1f}%"] for e in h["top"]]
    lines += [f"cProfile of {h['calls']} forward+backward passes ({h['profiled_us_per_op']:.1f} "
              "us per op under the profiler, which inflates small functions; read the shares):", ""]
    lines += _table(["function", "where", "calls per op", "own us/op", "cum us/op", "share"],
                    rows, "llrrrr")
    return lines


def _baseline_section(b: dict[str, Any]) -> list[str]:
    lines = ["## Against the baseline", ""]
    if not b or b.get("status") == "none":
        return lines + [f"No baseline at `{b.get('path', '?')}` yet: `make bench-baseline` "
                        "stores one.", ""]
    lines.append(f"Baseline: commit `{b['baseline_commit']}`, {b['baseline_date']}, "
                 f"machine key `{b['baseline_key']}`.")
    if b["status"] == "not comparable":
        lines += ["", "**Not comparable**: the machine fingerprint differs "
                  f"({', '.join(b.get('differs', [])) or 'unknown fields'}); "
                  "no case is marked.", ""]
        return lines
    lines += ["", f"**Ratio stability**: of the {b['over_1ms']} cases over 1 ms in both runs, "
              f"{b['stable']} have both ratios (minitorch/torch and minitorch/floor) within "
              f"{STABLE_WITHIN:.0%} of the baseline's ({_pct_of(b['stable'], b['over_1ms'])}).",
              "",
              f"{b['slower']} cases slower and {b['faster']} faster for minitorch, "
              f"{b.get('mixed', 0)} mixed: a case is marked when a ratio moved by more than its "
              f"own noise (the larger per-round IQR of that ratio in the two runs) and by more "
              f"than {MIN_CHANGE:.0%}. torch's own median is shown as a control for the "
              f"machine's drift, which the ratios cancel ({b['torch_moved']} torch medians "
              f"moved by more than {MIN_CHANGE:.0%}).", ""]
    marked = [r for r in b["rows"] if r["mark"]]
    rows = [[r["name"], fmt_pct(r["ratio_torch_change"]), _noise(r, "torch"),
             fmt_pct(r["ratio_floor_change"]), _noise(r, "floor"),
             fmt_pct(r["torch"]["change"]), r["mark"]] for r in marked]
    if rows:
        lines += _table(["case", "×torch change", "its noise", "×floor change", "its noise",
                         "torch median (control)", "mark"], rows, "lrrrrrl")
    unstable = [r for r in b["rows"] if r["over_1ms"] and not r["stable"]]
    if unstable:
        rows = [[r["name"], fmt_pct(r["ratio_torch_change"]), fmt_pct(r["ratio_floor_change"]),
                 fmt_pct(r["minitorch"]["change"]), fmt_pct(r["torch"]["change"])]
                for r in unstable]
        lines += [f"<details><summary>the {len(unstable)} cases over 1 ms whose ratio moved by "
                  f"more than {STABLE_WITHIN:.0%}</summary>", ""]
        lines += _table(["case", "×torch change", "×floor change", "minitorch median",
                         "torch median"], rows, "lrrrr")
        lines += ["</details>", ""]
    return lines


def _pct_of(n: int, total: int) -> str:
    return f"{100 * n / total:.0f}%" if total else "–"


def _noise(r: dict[str, Any], den: str) -> str:
    v = r.get(f"ratio_{den}_noise")
    return "–" if v is None else f"±{100 * v:.0f}%"


def _not_timed_section(result: dict[str, Any]) -> list[str]:
    lines = []
    bad = [r for r in result["cases"] if r.get("status") == "timed" and not in_verdict(r)]
    floor_bad = [r for r in result["cases"] if r.get("status") == "timed"
                 and r["check"].get("floor", {}).get("status") in ("mismatch", "error")]
    if bad or floor_bad:
        lines += ["## Mismatches and errors", ""]
        for r in bad:
            c = r["check"]["minitorch"]
            lines.append(f"- 🔴 {r['name']} ({r.get('shapes', '')}): minitorch {c['status']}: "
                         f"{c['detail']}")
        for r in floor_bad:
            c = r["check"]["floor"]
            lines.append(f"- 🔴 {r['name']}: the floor {c['status']}: {c['detail']}")
        lines.append("")
    skipped: dict[tuple[str, str], list[str]] = {}
    for r in result["cases"]:
        if r.get("status") in ("skipped", "error"):
            key = (r["op"], f"{r['status']}: {r.get('reason', '')}")
            skipped.setdefault(key, []).append(f"{r['size']} {r['mode']}".strip())
    if skipped:
        lines += ["## Not timed", ""]
        for (op, reason), where in skipped.items():
            lines.append(f"- {op} ({', '.join(where)}): {reason}")
        lines.append("")
    return lines


# -- the baseline ----------------------------------------------------------------------


def compare_baseline(current: dict[str, Any], baseline: dict[str, Any] | None,
                     path: str) -> dict[str, Any]:
    """Per case, how each ratio moved against its own noise; the stability count."""
    if baseline is None:
        return {"status": "none", "path": path}
    comparable = baseline.get("machine_key") == current["machine_key"]
    differs = [k for k in ("cpu_model", "logical_cores", "usable_cores", "python", "threads",
                           "blas_pools", "torch", "env", "versions")
               if baseline.get("fingerprint", {}).get(k) != current["fingerprint"].get(k)]
    old = {r["name"]: r for r in baseline.get("cases", []) if r.get("status") == "timed"}
    rows = []
    for r in current["cases"]:
        b = old.get(r["name"])
        if r.get("status") != "timed" or b is None:
            continue
        rows.append(compare_case(r, b, comparable))
    return {
        "status": "comparable" if comparable else "not comparable",
        "path": path,
        "baseline_commit": baseline.get("commit"),
        "baseline_date": baseline.get("date"),
        "baseline_key": baseline.get("machine_key"),
        "differs": differs,
        "rows": rows,
        "slower": sum(1 for r in rows if r["mark"] == "slower"),
        "faster": sum(1 for r in rows if r["mark"] == "faster"),
        "mixed": sum(1 for r in rows if r["mark"] == "mixed"),
        "torch_moved": sum(1 for r in rows if r["torch"]["change"] is not None
                           and abs(r["torch"]["change"]) > MIN_CHANGE),
        "over_1ms": sum(1 for r in rows if r["over_1ms"]),
        "stable": sum(1 for r in rows if r["over_1ms"] and r["stable"]),
        "unstable": [r["name"] for r in rows if r["over_1ms"] and not r["stable"]],
    }


def ratio_noise(r: dict[str, Any], den: str) -> float:
    """A case's noise on its minitorch/den ratio: the per-round IQR as a fraction of the
    median (0 for a result from before ratios were taken per round)."""
    q = r.get("ratios", {}).get(den)
    return q["iqr_pct"] / 100 if q else 0.0


def compare_case(new: dict[str, Any], old: dict[str, Any], comparable: bool = True
                 ) -> dict[str, Any]:
    """One case against its baseline: each ratio's change, its noise, and the mark.

    A ratio changed when |new / old - 1| passes both MIN_CHANGE and its noise, the larger of
    the two runs' per-round IQRs of that ratio (in fractions of the median)."""
    entry: dict[str, Any] = {"name": new["name"], "group": new["group"]}
    for e in ("minitorch", "torch"):
        entry[e] = {"change": _change(new.get("stats", {}).get(e), old.get("stats", {}).get(e))}
    medians = [s["median_ns"] for s in new.get("stats", {}).values()]
    old_medians = [s["median_ns"] for s in old.get("stats", {}).values()]
    entry["over_1ms"] = bool(medians and old_medians and max(medians) > 1e6
                             and max(old_medians) > 1e6)
    directions = set()
    stable = True
    for den in ("torch", "floor"):
        new_r, old_r = new.get(f"ratio_{den}"), old.get(f"ratio_{den}")
        change = new_r / old_r - 1 if new_r and old_r else None
        noise = max(ratio_noise(new, den), ratio_noise(old, den))
        entry[f"ratio_{den}_change"] = change
        entry[f"ratio_{den}_noise"] = noise if change is not None else None
        if change is None:
            continue
        if abs(change) > STABLE_WITHIN:
            stable = False
        if abs(change) > max(MIN_CHANGE, noise):
            directions.add("slower" if change > 0 else "faster")
    entry["stable"] = stable
    entry["changed"] = bool(directions)
    mark = "" if not directions else directions.pop() if len(directions) == 1 else "mixed"
    entry["mark"] = "not comparable" if not comparable else mark
    return entry


def _change(cur: dict[str, Any] | None, old: dict[str, Any] | None) -> float | None:
    """The relative change of one engine's median (shown as the machine's drift)."""
    if not cur or not old or not old["median_ns"]:
        return None
    return cur["median_ns"] / old["median_ns"] - 1


# -- the figures -----------------------------------------------------------------------

COLORS = {"minitorch": "#d62728", "torch": "#1f77b4", "floor": "#2ca02c"}


def _save(fig: Any, path: Path, tmp_dir: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".png", dir=tmp_dir)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=110, bbox_inches="tight")
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.unlink(tmp)


def figure_ratios(result: dict[str, Any], path: Path, tmp_dir: Path) -> None:
    """Every case's minitorch/torch and minitorch/floor, one column of dots per group."""
    groups = [g["group"] for g in result["verdict"]]
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), sharey=False)
    for ax, key, title in ((axes[0], "ratio_torch", "minitorch / torch"),
                           (axes[1], "ratio_floor", "minitorch / floor (NumPy by hand)")):
        for i, g in enumerate(groups):
            vals = [r[key] for r in result["cases"]
                    if r["group"] == g and in_verdict(r) and r.get(key)]
            if not vals:
                continue
            jitter = np.random.default_rng(i).uniform(-0.25, 0.25, len(vals))
            ax.scatter(i + jitter, vals, s=9, alpha=0.6, color="#555555")
            gm = result["verdict"][i][key.replace("ratio_", "vs_")]
            if gm:
                ax.hlines(gm, i - 0.35, i + 0.35, color="#d62728", lw=2)
                ax.annotate(fmt_ratio(gm), (i + 0.37, gm), fontsize=8, va="center")
        ax.axhline(1.0, color="black", lw=0.8, ls="--")
        ax.set_yscale("log")
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels([_short(g) for g in groups], rotation=30, ha="right", fontsize=8)
        ax.set_title(title + " per case (red: geometric mean)")
        ax.set_ylabel("ratio of medians (log)")
    _save(fig, path, tmp_dir)


def figure_workloads(result: dict[str, Any], path: Path, tmp_dir: Path) -> None:
    ws = [r for r in result["cases"] if r["group"] == "workloads" and r.get("stats")]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.27
    for k, e in enumerate(ENGINES):
        xs = [i + (k - 1) * width for i in range(len(ws))]
        ys = [(_median(r, e) or 0) / 1e6 for r in ws]
        ax.bar(xs, ys, width, label=e, color=COLORS[e])
    ax.set_yscale("log")
    ax.set_ylabel("median time per call (ms, log)")
    ax.set_xticks(range(len(ws)))
    ax.set_xticklabels([textwrap.fill(r["name"].replace(" · ", ", "), 22) for r in ws],
                       fontsize=7)
    ax.legend()
    ax.set_title("Workloads: minitorch, torch and the NumPy floor")
    _save(fig, path, tmp_dir)


def figure_scaling(sweep: dict[str, Any], title: str, path: Path, tmp_dir: Path,
                   per_op: bool = False) -> None:
    xs = sweep["x"]
    ncols = 2 if per_op else 1
    fig, axes = plt.subplots(1, ncols, figsize=(6.5 * ncols, 4.6), squeeze=False)
    styles = {"fwd": "--", "bwd": ":", "fwd+bwd": "-"}
    for name, ys in sweep["series"].items():
        engine, _, kind = name.partition(" ")
        style = styles.get(kind, "-")
        pts = [(x, y) for x, y in zip(xs, ys) if y and y > 0]
        if not pts:
            continue
        px, py = zip(*pts)
        axes[0][0].plot(px, [y / 1e6 for y in py], style, marker="o", ms=3,
                        color=COLORS.get(engine, "gray"), label=name)
        if per_op and kind != "bwd":
            axes[0][1].plot(px, [y / x / 1e3 for x, y in pts], style, marker="o", ms=3,
                            color=COLORS.get(engine, "gray"), label=name)
    axes[0][0].set_title(title)
    axes[0][0].set_xlabel(sweep["x_label"])
    axes[0][0].set_ylabel("median time (ms)")
    if per_op:
        axes[0][1].set_title("time per op (should be flat)")
        axes[0][1].set_xlabel(sweep["x_label"])
        axes[0][1].set_ylabel("us per op")
    for ax in axes[0]:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    _save(fig, path, tmp_dir)


def write_figures(result: dict[str, Any], out_dir: Path) -> dict[str, str]:
    """All figures under out_dir/figures; returns name -> path relative to out_dir."""
    figdir = out_dir / "figures"
    made: dict[str, str] = {}

    def rel(name: str) -> Path:
        made[name.removeprefix("bench_")] = f"figures/{name}.png"
        return figdir / f"{name}.png"

    figure_ratios(result, rel("bench_ratios"), out_dir)
    if any(r["group"] == "workloads" and r.get("stats") for r in result["cases"]):
        figure_workloads(result, rel("bench_workloads"), out_dir)
    sc = result.get("scaling") or {}
    if "chain" in sc:
        figure_scaling(sc["chain"], "Elementwise chain on (4,): total time", rel(
            "bench_scaling_chain"), out_dir, per_op=True)
    if "matmul" in sc:
        figure_scaling(sc["matmul"], "matmul (n, n) @ (n, n), forward + backward",
                       rel("bench_scaling_matmul"), out_dir)
    if "mlp" in sc:
        figure_scaling(sc["mlp"], "MLP 784-256-128-10 SGD step", rel("bench_scaling_mlp"),
                       out_dir)
    return made
