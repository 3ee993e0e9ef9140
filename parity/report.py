"""reports/parity.md and parity.json from the sweep's results.

The markdown reads top-down: the verdict line, where and when it ran, the
machine, one table per op family, then every failure with the command that
reruns it, the known differences with their reasons, the API names with no
row yet, and the sections of the nn/training/optimizer harnesses. It is
deterministic: rows sorted, numbers as %.2e, nothing timed except on the
date line, so the same commit on the same machine writes the same file but
for that line. Files are written whole or not at all (temp file, rename).
"""

from __future__ import annotations

import json
import os
import shlex
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from parity.api_names import uncovered
from parity.engine_differences import ENGINE_DIFFERENCES
from parity.results import CaseResult, Section  # what it renders (results.py)

DTYPE_ORDER = ("float32", "float64", "int64", "int32", "bool", "bad", "-")
FLOAT_DTYPES = ("float32", "float64")
RERUN = ".venv/bin/python -m parity"
MAX_CASES_PER_ROW = 5  # failures listed per row in the markdown (all are in the json)
MAX_SECTION_FAILURES = 10


@dataclass
class RowSummary:
    name: str
    family: str
    cases: int = 0
    passed: int = 0
    failed: int = 0
    known: int = 0
    fwd: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    grad: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    gradcheck: float | None = None
    gradcheck_failed: bool = False
    dtypes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.failed:
            return "FAIL"
        return "known" if self.known else "pass"


def _max(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def summarize(results: Iterable[CaseResult]) -> dict[str, RowSummary]:
    """Per row: case counts, worst forward and gradient errors per dtype over the passing
    cases (failures and known differences are reported one by one), gradcheck."""
    rows: dict[str, RowSummary] = {}
    for r in results:
        s = rows.setdefault(r.row, RowSummary(r.row, r.family))
        s.cases += 1
        if r.status == "pass":
            s.passed += 1
        elif r.status == "known":
            s.known += 1
        else:
            s.failed += 1
        if r.dtype not in s.dtypes:
            s.dtypes.append(r.dtype)
        if r.mismatch and r.mismatch.startswith("gradcheck") and r.status != "pass":
            s.gradcheck_failed = True
        if r.status != "pass":
            continue
        fa, fr = s.fwd.get(r.dtype, (None, None))
        s.fwd[r.dtype] = (_max(fa, r.fwd_abs), _max(fr, r.fwd_rel))
        ga, gr = s.grad.get(r.dtype, (None, None))
        s.grad[r.dtype] = (_max(ga, r.grad_abs), _max(gr, r.grad_rel))
        s.gradcheck = _max(s.gradcheck, r.gradcheck)
    return rows


def e2(v: float | None) -> str:
    return "-" if v is None else f"{v:.2e}"


def _pair(p: tuple[float | None, float | None] | None) -> str:
    if p is None or (p[0] is None and p[1] is None):
        return "-"
    return f"{e2(p[0])} / {e2(p[1])}"


def _exact(s: RowSummary, results_by_row: dict[str, list[CaseResult]]) -> str:
    """Integer and bool dtypes: 'exact' when every compared case matched."""
    ints = [d for d in s.dtypes if d in ("int64", "int32", "bool")]
    if not ints:
        return "-"
    out = []
    for d in ints:
        cases = [r for r in results_by_row[s.name] if r.dtype == d]
        bad = sum(r.status in ("FAIL", "crash") for r in cases)
        out.append(f"{d}: {'exact' if not bad else f'{bad} differ'}")
    return ", ".join(out)


def _status_cell(s: RowSummary) -> str:
    parts = []
    if s.failed:
        parts.append(f"**FAIL {s.failed}**")
    if s.known:
        parts.append(f"known {s.known}")
    return " · ".join(parts) if parts else "pass"


def totals(results: Sequence[CaseResult], sections: Sequence[Section]) -> dict[str, int]:
    t = {"cases": len(results), "passed": 0, "failed": 0, "known": 0}
    for r in results:
        if r.status == "pass":
            t["passed"] += 1
        elif r.status == "known":
            t["known"] += 1
        else:
            t["failed"] += 1
    for sec in sections:
        if sec.present:
            t["cases"] += sec.cases
            t["passed"] += sec.passed
            t["failed"] += sec.failed
            t["known"] += sec.known
    return t


def worst_errors(results: Sequence[CaseResult]) -> dict[str, dict[str, Any]]:
    """The worst errors per float dtype over the passing cases, with the case that has it
    (for the verdict paragraph and the closing note)."""
    out: dict[str, dict[str, Any]] = {}
    for d in FLOAT_DTYPES:
        cases = [r for r in results if r.dtype == d and r.status == "pass"]
        entry: dict[str, Any] = {}
        for what, attr in (("fwd_abs", "fwd_abs"), ("fwd_rel", "fwd_rel"),
                           ("fwd_frac", "fwd_frac"), ("grad_abs", "grad_abs"),
                           ("grad_rel", "grad_rel"), ("grad_frac", "grad_frac")):
            best = max((r for r in cases if getattr(r, attr) is not None),
                       key=lambda r: (getattr(r, attr), r.key), default=None)
            entry[what] = None if best is None else {"value": getattr(best, attr),
                                                     "case": best.key}
        out[d] = entry
    return out


def rerun_command(r: CaseResult) -> str:
    engine = os.environ.get("PARITY_ENGINE", "minitorch")  # --engine (parity/engines.py)
    also = "" if engine == "minitorch" else f" --engine {shlex.quote(engine)}"
    return f"{RERUN} --case {shlex.quote(r.key)}{also}"


def section_rerun_command(s: Section) -> str:
    return f"{RERUN} --section {shlex.quote(s.module)}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# -- markdown --------------------------------------------------------------------------------
def render_markdown(results: Sequence[CaseResult], meta: dict[str, Any],
                    sections: Sequence[Section] = (), known_rows: dict[str, Any] | None = None,
                    covered: set[str] | None = None, figure: str | None = None) -> str:
    """The whole report as one string (meta: commit, date_line, env)."""
    results = sorted(results, key=lambda r: (r.family, r.row, _dtype_rank(r.dtype), r.index))
    t = totals(results, sections)
    bad = t["failed"]
    verdict = "PASS" if bad == 0 else "FAIL"
    lines = [
        f"# Parity: minitorch against torch {meta['env'].get('torch', '?')}",
        "",
        f"**{verdict}**: {t['cases']} cases run, {t['passed']} passed, {t['failed']} failed, "
        f"{t['known']} known differences.",
        "",
        f"- commit: `{meta['commit']}`",
        f"- {meta['date_line']}",
        "",
    ]
    lines += _worst_paragraph(results)
    lines += _environment(meta["env"])
    by_row: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        by_row[r.row].append(r)
    summaries = summarize(results)
    lines += _family_overview(summaries)
    if figure:
        lines += [f"![worst error over tolerance per family and dtype]({figure})", ""]
    lines += _second_order(by_row)
    lines += _family_tables(summaries, by_row)
    lines += _failures(results, sections)
    lines += _known(results, known_rows or {})
    lines += _coverage(covered or set(), sections)
    lines += _sections(sections)
    return "\n".join(lines).rstrip() + "\n"


def _dtype_rank(d: str) -> int:
    return DTYPE_ORDER.index(d) if d in DTYPE_ORDER else len(DTYPE_ORDER)


def _worst_paragraph(results: Sequence[CaseResult]) -> list[str]:
    w = worst_errors(results)
    out = [_checks_line(results), "",
           "Worst errors over the passing cases (forward values; gradients under a random "
           "upstream gradient). \"of tolerance\" is the worst |actual - expected| / (atol + "
           "rtol |expected|): at most 1 passes.", ""]
    for d in FLOAT_DTYPES:
        parts = []
        for what, label in (("fwd_abs", "forward abs"), ("fwd_rel", "forward rel"),
                            ("fwd_frac", "forward of tolerance"), ("grad_abs", "gradient abs"),
                            ("grad_rel", "gradient rel"), ("grad_frac", "gradient of tolerance")):
            e = w[d][what]
            parts.append(f"{label} {e2(e['value'])} (`{e['case']}`)" if e else f"{label} -")
        out.append(f"- {d}: " + ", ".join(parts))
    out.append("")
    return out


def check_counts(results: Sequence[CaseResult]) -> dict[str, int]:
    """How many comparisons of each kind the cases made."""
    counts = {"forward": 0, "variants": 0, "backward": 0, "gradcheck": 0, "grad2": 0,
              "gradgradcheck": 0, "raises": 0}
    names = {"fwd": "forward", "grad": "backward", "gradcheck": "gradcheck",
             "grad2": "grad2", "gradgradcheck": "gradgradcheck", "raises": "raises"}
    for r in results:
        for c in r.checks:
            key = "variants" if c.startswith("variant:") else names.get(c)
            if key:
                counts[key] += 1
    return counts


def _checks_line(results: Sequence[CaseResult]) -> str:
    c = check_counts(results)
    return (f"Checks made: {c['forward']} forward comparisons, {c['variants']} method/operator "
            f"variants, {c['backward']} backward passes against torch.autograd.grad, "
            f"{c['gradcheck']} central-difference gradient checks, {c['grad2']} double "
            f"backwards against torch's, {c['gradgradcheck']} central-difference checks of the "
            f"double backward (gradgradcheck), {c['raises']} cases where "
            "both engines must raise the same exception class.")


def _environment(env: dict[str, Any]) -> list[str]:
    blas = "; ".join(
        f"{p.get('internal_api')} {p.get('version', '')} ({p.get('user_api')}, "
        f"{p.get('threading_layer', '-')}, {p.get('architecture', '-')}, {p.get('num_threads')} "
        f"threads by default, {p.get('filepath', '')})".replace("  ", " ")
        for p in env.get("blas", []))
    rows = [
        ("Python", env.get("python")),
        ("NumPy", env.get("numpy")),
        ("torch", f"{env.get('torch')} (CPU capability {env.get('torch_cpu_capability')})"),
        ("OS", env.get("os")),
        ("CPU", f"{env.get('cpu')}, {env.get('logical_cores')} logical cores, "
                f"{env.get('usable_cores')} usable"),
        ("BLAS and OpenMP loaded", blas or "none found"),
        ("threads", f"torch {env.get('torch_threads')} by default; the sweep pins torch and "
                    "every BLAS/OpenMP pool to 1 thread per process, so --jobs never changes "
                    "a number"),
        ("thread variables", ", ".join(f"{k}={v}" for k, v in
                                       sorted(env.get("thread_env", {}).items()))),
        ("pinned kernels", ", ".join(f"{k}={v}" for k, v in
                                     sorted(env.get("kernel_env", {}).items()))
         + " (the same kernels on every CPU: parity/kernels.py)"),
    ]
    out = ["## Environment", "", "| | |", "|---|---|"]
    out += [f"| {k} | {_cell(str(v))} |" for k, v in rows]
    out.append("")
    return out


def _family_overview(summaries: dict[str, RowSummary]) -> list[str]:
    fams: dict[str, list[RowSummary]] = defaultdict(list)
    for s in summaries.values():
        fams[s.family].append(s)
    out = ["## Families", "",
           "| family | rows | cases | passed | failed | known | worst fwd float32 (abs / rel) "
           "| worst fwd float64 (abs / rel) |",
           "|---|---:|---:|---:|---:|---:|---|---|"]
    for fam in sorted(fams):
        ss = fams[fam]
        cells = []
        for d in FLOAT_DTYPES:
            a = r = None
            for s in ss:
                fa, fr = s.fwd.get(d, (None, None))
                a, r = _max(a, fa), _max(r, fr)
            cells.append(_pair((a, r)))
        out.append(f"| {fam} | {len(ss)} | {sum(s.cases for s in ss)} | "
                   f"{sum(s.passed for s in ss)} | {sum(s.failed for s in ss)} | "
                   f"{sum(s.known for s in ss)} | {cells[0]} | {cells[1]} |")
    out.append("")
    return out


def _is_second_order_failure(r: CaseResult) -> bool:
    m = r.mismatch or r.error or ""
    return r.status in ("FAIL", "crash", "known") and (
        m.startswith(("double backward", "grad2[", "gradgradcheck")))


def _second_order(by_row: dict[str, list[CaseResult]]) -> list[str]:
    """Which differentiable rows were differentiated twice, and how that went."""
    checked, refused, failing, unchecked = [], [], [], []
    for name, cases in sorted(by_row.items()):
        if not any("grad" in r.checks for r in cases):
            continue  # not differentiable
        twice = [r for r in cases if "grad2" in r.checks]
        bad = [r for r in cases if _is_second_order_failure(r)]
        if bad:
            failing.append((name, bad[0]))
        elif any("grad2-refused" in r.checks for r in twice):
            refused.append(name)
        elif twice:
            checked.append(name)
        elif not any(r.status != "pass" for r in cases if r.dtype == "float64"):
            unchecked.append(name)
    gg = sum("gradgradcheck" in r.checks for cases in by_row.values() for r in cases)
    out = ["## Second order (create_graph=True)", "",
           f"{len(checked)} differentiable rows pass the double-backward check, "
           f"{len(failing)} fail it or differ from torch knowingly, {len(refused)} are refused "
           f"by both engines (torch does not differentiate them twice either), "
           f"{len(unchecked)} were not differentiated twice (no float64 sample whose first "
           "gradient both engines compute). "
           "On each float64 sample tagged for central differences (or, for a row without "
           "one, on each float64 sample), the gradient of <w, first gradient> (random w, "
           "first gradient taken with create_graph=True) with respect to the inputs and the "
           "upstream gradient is compared with torch's double backward (float64 tolerances), "
           f"then with central differences of minitorch's own first gradient ({gg} cases, "
           "torch.autograd.gradgradcheck's construction and tolerances).", ""]
    if failing:
        out += ["| row | status | first difference |", "|---|---|---|"]
        for n, r in failing:
            why = (r.reason or r.mismatch or r.error or "")[:160]
            out.append(f"| {_cell(n)} | {r.status} | {_cell(why)} |")
        out.append("")
    if refused:
        out += ["Refused by both engines: " + ", ".join(f"`{n}`" for n in refused) + ".", ""]
    if unchecked:
        out += ["Not differentiated twice: "
                + ", ".join(f"`{n}`" for n in unchecked) + ".", ""]
    return out


def _family_tables(summaries: dict[str, RowSummary], by_row: dict[str, list[CaseResult]]
                   ) -> list[str]:
    fams: dict[str, list[RowSummary]] = defaultdict(list)
    for s in summaries.values():
        fams[s.family].append(s)
    out = ["## Results by op family", "",
           "Errors are the worst over the row's passing cases: forward |actual - expected| "
           "(abs) and "
           "that over |expected| where |expected| > atol (rel); gradient errors likewise, "
           "for every differentiable input under a random upstream gradient; gradcheck is "
           "the worst |analytic - central difference| of minitorch's vector-Jacobian product "
           "in float64 (torch's gradcheck tolerances, atol 1e-5, rtol 1e-3), and "
           "minitorch.testing.gradcheck's full-Jacobian check must pass on the same sample. "
           "Tolerances are torch.testing.assert_close's defaults (float32 rtol 1.3e-6 atol "
           "1e-5, float64 rtol 1e-7 atol 1e-7, integers "
           "and bools exact); NaN, inf and the sign of zero (forward values) are compared as "
           "masks. A gradient is compared at the looser tolerance of its input's and the "
           "op's result dtype (torch computes it in the result dtype).", ""]
    for fam in sorted(fams):
        out += [f"### {fam}", "",
                "| op | cases | fwd float32 | fwd float64 | int / bool | grad float32 | "
                "grad float64 | gradcheck | status |",
                "|---|---:|---|---|---|---|---|---|---|"]
        for s in sorted(fams[fam], key=lambda s: s.name):
            gc = "-" if s.gradcheck is None else (
                f"**{e2(s.gradcheck)}**" if s.gradcheck_failed else e2(s.gradcheck))
            out.append(
                f"| {_cell(s.name)} | {s.cases} | {_pair(s.fwd.get('float32'))} | "
                f"{_pair(s.fwd.get('float64'))} | {_exact(s, by_row)} | "
                f"{_pair(s.grad.get('float32'))} | {_pair(s.grad.get('float64'))} | {gc} | "
                f"{_status_cell(s)} |")
        out.append("")
    return out


def _failures(results: Sequence[CaseResult], sections: Sequence[Section]) -> list[str]:
    failing = [r for r in results if r.status in ("FAIL", "crash")]
    out = ["## Failures", ""]
    sec_fail = [s for s in sections if s.present and (s.failed or s.error)]
    if not failing and not sec_fail:
        return out + ["None.", ""]
    rows: dict[str, list[CaseResult]] = defaultdict(list)
    for r in failing:
        rows[r.row].append(r)
    for name in sorted(rows, key=lambda n: (rows[n][0].family, n)):
        cases = rows[name]
        out.append(f"### {_cell(name)} ({cases[0].family}): {len(cases)} failing case"
                   f"{'s' if len(cases) > 1 else ''}")
        out.append("")
        out.append(f"Rerun the row: `{RERUN} --only {shlex.quote(name)}`")
        out.append("")
        for r in cases[:MAX_CASES_PER_ROW]:
            what = r.error if r.status == "crash" else r.mismatch
            out.append(f"- `{r.key}` {_cell(r.desc)}: {r.status}: {_cell(str(what))}  ")
            out.append(f"  rerun: `{rerun_command(r)}`")
        if len(cases) > MAX_CASES_PER_ROW:
            out.append(f"- ... and {len(cases) - MAX_CASES_PER_ROW} more (all in parity.json)")
        out.append("")
    for s in sec_fail:
        out.append(f"### {s.title} (parity/{s.module.split('.')[-1]}.py)")
        out.append("")
        if s.error:
            out.append(f"- crashed: {_cell(s.error)}  ")
            out.append(f"  rerun: `{section_rerun_command(s)}`")
        for f in s.failures[:MAX_SECTION_FAILURES]:
            out.append(f"- {_cell(f.text())}")
        if len(s.failures) > MAX_SECTION_FAILURES:
            out.append(f"- ... and {len(s.failures) - MAX_SECTION_FAILURES} more (all in "
                       "parity.json)")
        out.append("")
    return out


def _known(results: Sequence[CaseResult], known_rows: dict[str, Any]) -> list[str]:
    out = ["## Known differences", ""]
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for r in results:
        if r.status == "known":
            seen[(r.row, r.reason or "")] += 1
    if known_rows:
        for name in sorted(known_rows):
            for what in known_rows[name]["known"]:
                seen.setdefault((name, what), 0)
    tolerances = []
    for name in sorted(known_rows):
        for dtype, tol in sorted(known_rows[name].get("tolerance", {}).items()):
            tolerances.append((name, dtype, tol))
    if seen:
        out += ["| op | difference and reason | cases |", "|---|---|---:|"]
        for (name, reason), n in sorted(seen.items()):
            cell = str(n) if n else "0 (not observed in this run)"
            out.append(f"| {_cell(name)} | {_cell(reason)} | {cell} |")
        out.append("")
    if tolerances:
        out += ["Tolerance overrides:", "", "| op | dtype | rtol | atol | reason |",
                "|---|---|---|---|---|"]
        for name, dtype, tol in tolerances:
            out.append(f"| {_cell(name)} | {dtype} | {e2(tol['rtol'])} | {e2(tol['atol'])} | "
                       f"{_cell(tol['reason'])} |")
        out.append("")
    out += ["Differences of the engine as a whole (no single row exercises them; "
            "`parity/engine_differences.py`):", "",
            "| area | difference | reason |", "|---|---|---|"]
    for area, what, why in ENGINE_DIFFERENCES:
        out.append(f"| {_cell(area)} | {_cell(what)} | {_cell(why)} |")
    out.append("")
    return out


def _coverage(covered: set[str], sections: Sequence[Section]) -> list[str]:
    names = set(covered)
    for s in sections:
        names.update(s.covers)
    missing = uncovered(names)
    out = ["## Coverage", "",
           "API.md names that no row covers yet (rows list what they cover in `covers`):", ""]
    for section, left in missing.items():
        out.append(f"- {section}: " + (", ".join(f"`{n}`" for n in left) if left else "all "
                                        "covered"))
    out.append("")
    return out


def _sections(sections: Sequence[Section]) -> list[str]:
    out: list[str] = []
    for s in sections:
        out += [f"## {s.title}", ""]
        if not s.present:
            out += [f"`{s.module}` does not exist yet: this section was skipped.", ""]
            continue
        if s.error:
            out += [f"`{s.module}.run_section` crashed: {_cell(s.error)}", ""]
            continue
        out += [f"{s.cases} cases, {s.passed} passed, {s.failed} failed, {s.known} known "
                "differences.", "", s.markdown.strip(), ""]
    return out


# -- json ------------------------------------------------------------------------------------
def render_json(results: Sequence[CaseResult], meta: dict[str, Any],
                sections: Sequence[Section] = (), covered: set[str] | None = None,
                known_rows: dict[str, Any] | None = None) -> str:
    """Everything, machine-readable: per-row summaries, every non-passing case in full."""
    summaries = summarize(results)
    names = set(covered or set())
    for s in sections:
        names.update(s.covers)
    doc = {
        "verdict": totals(results, sections),
        "commit": meta["commit"],
        "date": meta.get("date"),
        "wall_time_s": meta.get("wall_time_s"),
        "command": meta.get("command"),
        "jobs": meta.get("jobs"),
        "environment": meta["env"],
        "worst": worst_errors(results),
        "checks": check_counts(results),
        "rows": {name: {
            "family": s.family, "cases": s.cases, "passed": s.passed, "failed": s.failed,
            "known": s.known, "status": s.status,
            "forward": {d: {"abs": v[0], "rel": v[1]} for d, v in s.fwd.items()},
            "gradient": {d: {"abs": v[0], "rel": v[1]} for d, v in s.grad.items()},
            "gradcheck": s.gradcheck,
        } for name, s in sorted(summaries.items())},
        "failures": [r.to_dict() for r in results if r.status in ("FAIL", "crash")],
        "known": [r.to_dict() for r in results if r.status == "known"],
        "known_declared": known_rows or {},
        "coverage_missing": uncovered(names),
        "sections": [{
            "module": s.module, "title": s.title, "present": s.present, "cases": s.cases,
            "passed": s.passed, "failed": s.failed, "known": s.known,
            "failures": [f.to_dict() for f in s.failures],
            "error": s.error, "json": s.json,
        } for s in sections],
    }
    return json.dumps(doc, indent=1, sort_keys=True, default=str, allow_nan=True) + "\n"


# -- figure ----------------------------------------------------------------------------------
def render_figure(results: Sequence[CaseResult], path: Path) -> bool:
    """Per family and float dtype, the worst error as a fraction of its tolerance (passing
    cases; 1 is the tolerance), forward and gradient, log scale (PNG)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib is a harness dependency
        return False
    fams = sorted({r.family for r in results})
    floor = 1e-6
    worst: dict[tuple[str, str, str], float] = defaultdict(float)
    for r in results:
        if r.status == "pass" and r.dtype in FLOAT_DTYPES:
            for what in ("fwd_frac", "grad_frac"):
                v = getattr(r, what)
                if v is not None:
                    key = (what, r.family, r.dtype)
                    worst[key] = max(worst[key], v)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), dpi=100, sharey=True)
    for ax, what, title in ((axes[0], "fwd_frac", "forward"), (axes[1], "grad_frac",
                                                               "gradient")):
        for k, d in enumerate(FLOAT_DTYPES):
            vals = [max(worst[(what, fam, d)], floor) for fam in fams]
            xs = [i + (k - 0.5) * 0.38 for i in range(len(fams))]
            ax.bar(xs, vals, width=0.38, label=d, log=True)
        ax.axhline(1.0, color="grey", lw=0.8, ls="--")
        ax.set_xticks(range(len(fams)))
        ax.set_xticklabels(fams, rotation=40, ha="right", fontsize=8)
        ax.set_title(f"worst {title} error / tolerance (passing cases)", fontsize=10)
        ax.set_ylim(floor, 3)
    axes[0].legend(fontsize=8, loc="lower right")
    axes[0].set_ylabel("|actual - expected| / (atol + rtol |expected|)", fontsize=8)
    fig.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(tmp, format="png", metadata={"Software": None})
    plt.close(fig)
    os.replace(tmp, path)
    return True


# -- writing ---------------------------------------------------------------------------------
def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all: a temp file beside it, then rename. The
    file gets ordinary permissions (0644), not the temp file's private 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def console_summary(results: Sequence[CaseResult], sections: Sequence[Section] = (),
                    list_failures: bool = True) -> str:
    """What a rerun prints: the counts and (unless they were printed as they happened) every
    failing case with its first mismatch."""
    t = totals(results, sections)
    lines = [f"{t['cases']} cases: {t['passed']} passed, {t['failed']} failed, {t['known']} "
             "known"]
    for r in results if list_failures else ():
        if r.status in ("FAIL", "crash"):
            what = r.error if r.status == "crash" else r.mismatch
            lines.append(f"  {r.status:5} {r.key} [{r.desc}] {what}")
    if len(results) == 1:  # a rerun of one case: everything we know about it
        for k, v in results[0].to_dict().items():
            lines.append(f"  {k}: {v}")
    return "\n".join(lines)


# -- progress --------------------------------------------------------------------------------
def case_failure_line(r: CaseResult) -> str:
    what = r.error if r.status == "crash" else r.mismatch
    return f"{r.status} {r.key} [{r.desc}]: {what}\n    rerun: {rerun_command(r)}"


def section_failure_lines(s: Section) -> list[str]:
    if s.error:
        return [f"crash {s.module}: {s.error}\n    rerun: {section_rerun_command(s)}"]
    return [f"FAIL {s.module}: {f.text()}" for f in s.failures]


class Progress:
    """What the sweep prints while it runs. On a terminal: one line, redrawn in place
    (cases done/total, failures so far, elapsed, ETA), with each unexpected failure printed
    above it as it happens. Elsewhere (CI, a pipe): only the failures."""

    def __init__(self, stream: Any = None, live: bool | None = None,
                 interval: float = 0.2) -> None:
        import sys
        import time

        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.interval, self.clock = interval, time.monotonic
        self.start = self.last = self.clock()
        self.rows = self.rows_started = self.sections = self.sections_done = 0
        self.planned = self.done = self.failed = 0
        self.first: float | None = None  # when the first row or section began reporting
        self.drawn = False

    def expect(self, rows: int, sections: int) -> None:
        self.rows, self.sections = rows, sections

    def row_started(self, cases: int) -> None:
        self.first = self.first or self.clock()
        self.rows_started += 1
        self.planned += cases

    def case_done(self, r: CaseResult) -> None:
        self.done += 1
        if r.status in ("FAIL", "crash"):
            self.failed += 1
            self._print(case_failure_line(r))
        self.tick()

    def section_done(self, s: Section) -> None:
        self.first = self.first or self.clock()
        self.sections_done += 1
        self.done += s.cases
        self.planned += s.cases
        lines = section_failure_lines(s) if s.present else []
        self.failed += s.failed
        for line in lines:
            self._print(line)
        self.tick()

    def total(self) -> int:
        """Cases expected: those of the rows started, the rest at the average so far."""
        if not self.rows_started:
            return self.planned
        mean = self.planned / max(1, self.rows_started + self.sections_done)
        left = (self.rows - self.rows_started) + (self.sections - self.sections_done)
        return self.planned + round(mean * max(0, left))

    def line(self) -> str:
        now = self.clock()
        elapsed = _clock(now - self.start)
        if self.first is None:
            return f"parity: starting the workers, {elapsed} elapsed"
        total = max(self.total(), self.done)
        eta = "-"  # at the rate since the workers started (their start-up is not a case)
        if self.done and total > self.done:
            eta = _clock((now - self.first) * (total - self.done) / self.done)
        elif self.done >= total:
            eta = "0:00"
        sections = f", sections {self.sections_done}/{self.sections}" if self.sections else ""
        return (f"parity: {self.done}/{total} cases, {self.failed} failed{sections}, "
                f"{elapsed} elapsed, ETA {eta}")

    def tick(self, force: bool = False) -> None:
        if not self.live:
            return
        now = self.clock()
        if force or now - self.last >= self.interval:
            self.last = now
            import shutil

            width = shutil.get_terminal_size().columns - 1  # a wrapped line cannot be redrawn
            self.stream.write("\r\033[K" + self.line()[:max(20, width)])
            self.stream.flush()
            self.drawn = True

    def _print(self, text: str) -> None:
        if self.live and self.drawn:
            self.stream.write("\r\033[K")
        self.stream.write(text + "\n")
        self.stream.flush()
        if self.live:
            self.tick(force=True)

    def close(self) -> None:
        """Leave the final line on the terminal."""
        if self.live:
            self.tick(force=True)
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"
