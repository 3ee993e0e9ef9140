"""`python -m bench`: time every case, the scaling sweeps and the hot spots; write the report.

    python -m bench --threads 1                 # what `make bench` runs
    python -m bench --threads 1 --save-baseline # `make bench-baseline`
    python -m bench --only 'matmul|chain' --quick --out /tmp/r   # a quick look at a few cases
    python -m bench --core       # the core ops and the workloads only (ARGS=--core)
    python -m bench --engine torch --quick --only 'matmul|chain'   # the self-check

--engine names the engine under test (default minitorch; a torch-like module, or
module:adapter as for `python -m parity --engine`): it takes minitorch's place in every
case, and its times fill the minitorch columns. With `--engine torch` every ratio to
torch should be about 1. Another engine's run writes a report only when --out is given.

--case-limit: each engine's first call of a case is timed before the rounds, under a hard
limit; a case with a call over the limit is reported "too slow to time" with its single
calls' times, not timed in rounds, so one slow op never stalls the run.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import secrets
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench import env

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "reports"
BASELINE_NAME = "bench_baseline.json"
SWEEPS_LIMIT = 120  # the scaling sweeps, and the profile, stop at 120x the case limit


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=1, help="threads for every engine (default 1)")
    p.add_argument("--save-baseline", action="store_true",
                   help=f"also store this run as the baseline (reports/{BASELINE_NAME})")
    p.add_argument("--seed", type=int, default=None,
                   help="shuffle seed (default: random, recorded)")
    p.add_argument("--only", default=None, help="regex: time only the cases whose name matches")
    p.add_argument("--quick", action="store_true",
                   help="tiny budgets and short sweeps (a smoke run)")
    p.add_argument("--core", action="store_true",
                   help="only the core ops (bench.cases.TINY_CORE) and the workloads: a few "
                        "minutes, every target row but the index-backward and >3x ones")
    p.add_argument("--every-size", action="store_true",
                   help="every row at every size, fwd and fwd+bwd (the pre-selection set: "
                        "about 2,700 cases, 45 minutes)")
    p.add_argument("--no-scaling", action="store_true", help="skip the scaling sweeps")
    p.add_argument("--render", action="store_true",
                   help="only rewrite bench.md from <out>/bench.json (after editing notes.py)")
    p.add_argument("--out", type=Path, default=None,
                   help="report folder (default reports/; none for another --engine)")
    p.add_argument("--engine", default="minitorch", metavar="MODULE",
                   help="the engine under test, in minitorch's place (default minitorch)")
    p.add_argument("--case-limit", type=float, default=None, metavar="SECONDS",
                   help="a case whose one call of any engine passes this is reported too "
                        "slow to time (default 5; 0: no limit)")
    p.add_argument("--baseline", type=Path, default=None,
                   help=f"baseline file (default <out>/{BASELINE_NAME})")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        return render(args.out or DEFAULT_OUT)
    other_engine = args.engine != "minitorch"
    if other_engine and args.out is None and (args.save_baseline or args.baseline):
        print("--save-baseline and --baseline with another --engine need --out DIR: "
              "minitorch's baseline stays minitorch's", file=sys.stderr)
        return 2
    env.pin_threads(args.threads)  # before the first BLAS call of the run

    # Imported after pinning: these import torch and minitorch and build arrays.
    from bench import cases as bench_cases
    from bench import hotspots, measure, report, scaling
    from bench.timing import Budget, CaseTimeout, hard_limit

    try:
        engine = bench_cases.use_engine(args.engine)
    except Exception as e:  # a name that does not import is a usage error
        print(f"--engine {args.engine}: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    limit = measure.DEFAULT_CASE_LIMIT if args.case_limit is None else args.case_limit or None
    started = time.perf_counter()
    seed = args.seed if args.seed is not None else secrets.randbits(32)
    rng = np.random.default_rng(seed)
    # Another engine's run never replaces minitorch's report.
    out_dir: Path | None = args.out or (None if other_engine else DEFAULT_OUT)
    baseline_path: Path | None = args.baseline or (out_dir and out_dir / BASELINE_NAME)

    fp = env.fingerprint(args.threads)  # after pinning, before the work: the load at the start
    commit_at_start = env.commit()
    rows = bench_cases.load_rows()
    if args.core:
        rows = [r for r in rows if r.name in bench_cases.TINY_CORE]
    selected = bench_cases.all_cases(rows, every_size=args.every_size)
    if args.only:
        pattern = re.compile(args.only)
        selected = [c for c in selected if pattern.search(c.name)]
    budgets = plan_budgets(args.quick, Budget)

    results: list[dict[str, Any]] = []
    for i, case in enumerate(selected, 1):
        key = "workloads" if case.group == bench_cases.WORKLOADS else case.size
        # What earlier cases left is collected, and what outlives them (the op table, torch's
        # modules, the results) is frozen out of the collector: a full collection then walks
        # only this case's objects (it walked ~300,000 others, 0.5 s, before every case).
        gc.collect()
        gc.freeze()
        r = measure.run_case(case, budgets[key], rng, limit)
        results.append(r)
        _progress(i, len(selected), r, time.perf_counter() - started)

    # The sweeps and the profile run fixed workloads; a last-resort cap keeps an engine that
    # crawls through them from stalling the report (SWEEPS_LIMIT times the case limit).
    sweeps_limit = limit and SWEEPS_LIMIT * limit
    scaling_result, scaling_error = None, None
    if not args.no_scaling:
        print("scaling sweeps ...", file=sys.stderr, flush=True)
        try:
            with hard_limit(sweeps_limit):
                scaling_result = scaling.run_all(budgets["scaling"], rng, quick=args.quick)
        except CaseTimeout:
            scaling_error = f"the scaling sweeps were stopped after {sweeps_limit:g} s"
            print(scaling_error, file=sys.stderr, flush=True)
    hot: dict[str, Any] = {}
    if not other_engine:  # it profiles minitorch's own functions
        print("profiling the chain ...", file=sys.stderr, flush=True)
        try:
            with hard_limit(sweeps_limit):
                hot = hotspots.run(budgets["hotspots"], rng)
        except CaseTimeout:
            hot = {"error": f"stopped after {sweeps_limit:g} s"}

    fp["load_average_at_end"] = env.load_average()
    command = "python -m bench " + " ".join(shlex.quote(a) for a in (
        argv if argv is not None else sys.argv[1:]))
    result: dict[str, Any] = {
        "schema": 1,
        "commit": commit_at_start,
        "commit_at_end": env.commit(),
        "date": env.now_utc(),
        "command": command.strip(),
        "threads": args.threads,
        "engine": engine.name,
        "case_limit": limit,
        "seed": seed,
        "fingerprint": fp,
        "machine_key": env.machine_key(fp),
        "budgets": {k: b.seconds for k, b in budgets.items()},
        "loose_reason": bench_cases.LOOSE.reason,
        "selection": ("every row at every size, fwd and fwd+bwd (--every-size)"
                      if args.every_size else bench_cases.SELECTION_RULE)
        + ("; only the core ops (--core)" if args.core else "")
        + (f"; only the cases matching `{args.only}`" if args.only else ""),
        "baseline_path": _display(baseline_path) if baseline_path else "–",
        "verdict": measure.verdict(results),
        "cases": results,
        "scaling": scaling_result,
        "scaling_error": scaling_error,
        "hotspots": hot,
    }
    baseline = _load(baseline_path) if baseline_path else None
    result["baseline"] = report.compare_baseline(result, baseline, result["baseline_path"])
    result["duration_s"] = time.perf_counter() - started
    print(report.verdict_line(result["verdict"]), file=sys.stderr)
    if out_dir is None:
        print(f"engine under test: {engine.name}; no report written (add --out DIR), "
              f"{result['duration_s'] / 60:.1f} min", file=sys.stderr)
        return 0
    figures = report.write_figures(result, out_dir)
    report.write_json(out_dir / "bench.json", result)
    report.write_atomic(out_dir / "bench.md", report.render_markdown(result, figures))
    if args.save_baseline and baseline_path:
        report.write_json(baseline_path, result)
    print(f"wrote {_display(out_dir / 'bench.md')} in {result['duration_s'] / 60:.1f} min"
          + (f"; baseline saved to {_display(baseline_path)}" if args.save_baseline else ""),
          file=sys.stderr)
    return 0


def render(out_dir: Path) -> int:
    """Rewrite bench.md and its figures from the measurements in bench.json (no timing):
    for a change of the report's code or of bench/notes.py after a run."""
    from bench import report

    result = _load(out_dir / "bench.json")
    if result is None:
        print(f"no measurements at {_display(out_dir / 'bench.json')}: run `make bench` first",
              file=sys.stderr)
        return 2
    figures = report.write_figures(result, out_dir)
    report.write_atomic(out_dir / "bench.md", report.render_markdown(result, figures))
    print(f"rewrote {_display(out_dir / 'bench.md')} from bench.json", file=sys.stderr)
    return 0


def plan_budgets(quick: bool, budget_cls: Any) -> dict[str, Any]:
    """Seconds per engine per case, by kind of case (sized so `make bench`, about 1,370 cases
    under the selection rule, fits in about 15 min on a quiet 2-core machine)."""
    if quick:
        small = budget_cls(seconds=0.005, min_rounds=3, max_rounds=5, warmup_seconds=0.001)
        return {"tiny": small, "medium": small, "large": small, "workloads": small,
                "scaling": small, "hotspots": small}
    return {
        "tiny": budget_cls(seconds=0.03, min_rounds=9, max_rounds=31),
        "medium": budget_cls(seconds=0.05, min_rounds=9, max_rounds=25),
        "large": budget_cls(seconds=0.09, min_rounds=9, max_rounds=21),
        "workloads": budget_cls(seconds=0.8, min_rounds=11, max_rounds=41, warmup_seconds=0.1),
        "scaling": budget_cls(seconds=0.15, min_rounds=5, max_rounds=15, warmup_seconds=0.01),
        "hotspots": budget_cls(seconds=0.3, min_rounds=9, max_rounds=31),
    }


def _progress(i: int, n: int, r: dict[str, Any], elapsed: float) -> None:
    if r.get("status") == "timed":
        what = f"x{r['ratio_torch']:.2f} torch" if r.get("ratio_torch") else "timed"
        if r.get("ratio_floor"):
            what += f", x{r['ratio_floor']:.2f} floor"
        mt = r["check"]["minitorch"]["status"]
        if mt not in ("ok", "ok (loose)"):
            what += f" [minitorch {mt}]"
    elif r.get("status") == "too slow":
        what = f"too slow to time ({r.get('reason', '')})"
        if r.get("ratio_torch"):
            what += f", one call {r.get('ratio_bound', '')}x{r['ratio_torch']:.1f} torch"
    else:
        what = f"{r.get('status')}: {r.get('reason', '')[:80]}"
    print(f"[{i}/{n} {elapsed:5.0f}s] {r['name']}: {what}", file=sys.stderr, flush=True)


def _display(p: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(ROOT))
    except ValueError:
        return str(p)


def _load(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


if __name__ == "__main__":
    sys.exit(main())
