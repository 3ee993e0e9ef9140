"""`python -m parity`: run the sweep, write reports/parity.md and parity.json.

    python -m parity [--engine MODULE] [--jobs N] [--quick] [--only ROW[,ROW]] [--family F]
                     [--case KEY] [--section MODULE] [--out DIR] [--list]
                     [--case-timeout S] [--row-timeout S] [--section-timeout S]
                     [--memory-limit GB]

Every case runs in one of --jobs worker processes under a supervisor
(runner.Supervisor): a case that hangs, kills its worker or exhausts its
memory becomes one failed case naming the cause, and the sweep goes on.
--jobs 0 runs everything in this process instead (for a debugger).

--engine names the engine under test (default minitorch; any torch-like
module, or `module:attribute` for an adapter, see parity/engines.py). With
`--engine torch` the harness checks itself: torch against torch, every case
must pass. Known differences apply to minitorch only, and a sweep of another
engine writes a report only when --out is given.

A full run (no --only, --family, --case, --section or --quick) writes the
report into --out (default: reports), its figures into --out/figures. A
partial run prints what it found and writes a report only when --out is
given, so a rerun never overwrites the full report. On a terminal a
progress line is redrawn in place; failures are printed as they happen.
The exit status is 1 when any case failed unexpectedly (after the report is
written), 2 on a usage error, 130 (SIGINT) or 143 (SIGTERM) when stopped:
then every worker is killed and the old report is left as it was.
"""

from __future__ import annotations

from parity import kernels

kernels.pin_environment()  # before NumPy and torch load: see parity/kernels.py

import argparse
import importlib.util
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

from parity import engines, env, report
from parity.results import CaseResult, Section, SectionSpec
from parity.runner import Limits, sweep_all
from parity.sections import SECTIONS, find, module_section
from parity.spec import OpSpec


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m parity", description=__doc__.split("\n")[0])
    p.add_argument("--engine", default=engines.DEFAULT, metavar="MODULE",
                   help="the engine under test: a torch-like module, or module:adapter "
                        "(default minitorch; torch: the harness's self-check)")
    p.add_argument("--jobs", type=int, default=1,
                   help="worker processes (same report for any); 0: all in this process")
    p.add_argument("--quick", action="store_true", help="the quick subset of samples")
    p.add_argument("--only", action="append", default=[], help="row name(s), comma-separated")
    p.add_argument("--family", action="append", default=[], help="op family (repeatable)")
    p.add_argument("--case", help="one case by key, e.g. add/float32/3 (see the report)")
    p.add_argument("--section", action="append", default=[],
                   help="only this section (module, e.g. parity.training_runs; repeatable)")
    p.add_argument("--out", help="report directory (default: reports, for a full run)")
    p.add_argument("--list", action="store_true", help="list the rows and exit")
    d = Limits()
    p.add_argument("--case-timeout", type=float, default=d.case_s, metavar="S",
                   help=f"seconds one case may take (default {d.case_s:g})")
    p.add_argument("--row-timeout", type=float, default=d.row_s, metavar="S",
                   help=f"seconds all the cases of one row may take (default {d.row_s:g})")
    p.add_argument("--section-timeout", type=float, default=d.section_s, metavar="S",
                   help=f"seconds one section may take (default {d.section_s:g})")
    p.add_argument("--memory-limit", type=float, default=d.memory_gb, metavar="GB",
                   help=f"address space per worker (default {d.memory_gb:g}; 0: unlimited)")
    # Where the rows come from (tests plant misbehaving rows in a module of their own).
    p.add_argument("--rows-from", default="parity.op_table", help=argparse.SUPPRESS)
    return p.parse_args(list(argv))


def select_sections(names: Sequence[str]) -> list[SectionSpec]:
    """The section of each --section: a registered one by module or short name, or any
    importable module with a run_section."""
    chosen = []
    for name in (n.strip() for o in names for n in o.split(",") if n.strip()):
        spec = find(name)
        if spec is None:
            if not _importable(name):
                usage_error(f"no section {name} (known: "
                            f"{', '.join(s.short for s in SECTIONS)})")
            spec = module_section(name)
        chosen.append(spec)
    return chosen


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a dotted name whose package does not exist
        return False


def usage_error(message: str) -> None:
    print(f"parity: {message}", file=sys.stderr)
    raise SystemExit(2)


def select_rows(rows: Sequence[OpSpec], only: Sequence[str], families: Sequence[str],
                case: str | None) -> list[OpSpec]:
    names = {n.strip() for o in only for n in o.split(",") if n.strip()}
    if case:
        names.add(case.rsplit("/", 2)[0])
    chosen = [r for r in rows if (not names or r.name in names)
              and (not families or r.family in families)]
    unknown = names - {r.name for r in rows}
    if unknown:
        usage_error(f"no row named {', '.join(sorted(unknown))} (python -m parity --list "
                    "shows them)")
    if not chosen:
        usage_error("no row matches the selection")
    return chosen


def known_declared(rows: Sequence[OpSpec]) -> dict[str, Any]:
    """Each row's declared known differences and tolerance overrides, with their reasons."""
    out = {}
    for r in rows:
        if r.known or r.tolerance:
            out[r.name] = {
                "known": [f"{k.what}: {k.reason}" for k in r.known],
                "tolerance": {d: {"rtol": t.rtol, "atol": t.atol, "reason": t.reason}
                              for d, t in r.tolerance.items()},
            }
    return out


class Stopped(BaseException):
    """SIGTERM, raised where the sweep is, so the supervisor's cleanup runs."""


def _stop(signum: int, frame: Any) -> None:
    raise Stopped(signum)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    all_rows = importlib.import_module(args.rows_from).ALL_ROWS
    if args.rows_from == "parity.op_table":
        from parity.op_table import rows_by_name

        rows_by_name()  # refuses duplicate names early
    if args.list:
        for r in sorted(all_rows, key=lambda r: (r.family, r.name)):
            print(f"{r.family:14} {r.name}")
        return 0
    partial = bool(args.only or args.family or args.case or args.quick or args.section)
    by_row = bool(args.only or args.family or args.case)
    rows = select_rows(all_rows, args.only, args.family, args.case) \
        if by_row or not args.section else []
    if args.section:
        specs = select_sections(args.section)
    else:
        specs = [] if by_row else list(SECTIONS)
    limits = Limits(args.case_timeout, args.row_timeout, args.section_timeout,
                    args.memory_limit)
    try:
        engine = engines.resolve(args.engine)  # here, so a bad name is a usage error
    except Exception as e:
        usage_error(f"--engine {args.engine}: {type(e).__name__}: {e}")
    os.environ[engines.ENGINE_ENV] = args.engine  # the workers, and sections run here
    fingerprint = env.fingerprint()  # before the sweep pins threads: the machine's defaults
    commit = env.commit()
    # Another engine's sweep never replaces minitorch's report.
    out = args.out or (None if partial or args.engine != engines.DEFAULT else "reports")
    progress = report.Progress()
    old_term = signal.signal(signal.SIGTERM, _stop)
    start = time.perf_counter()
    try:
        # A partial run without --out draws its sections' figures in a scratch directory,
        # so it never overwrites the full report's.
        with tempfile.TemporaryDirectory(prefix="parity-figures-") as scratch:
            figures = str(Path(out, "figures").resolve()) if out else scratch
            results, sections = sweep_all(rows, quick=args.quick, jobs=max(0, args.jobs),
                                          case=args.case, sections=specs, limits=limits,
                                          progress=progress, rows_from=args.rows_from,
                                          figure_dir=figures, engine=args.engine)
    except (KeyboardInterrupt, Stopped) as e:
        progress.close()
        code = 143 if isinstance(e, Stopped) else 130
        print(f"parity: stopped ({'SIGTERM' if code == 143 else 'SIGINT'}); every worker was "
              "stopped and no report was written", file=sys.stderr)
        return code
    finally:
        signal.signal(signal.SIGTERM, old_term)
    progress.close()
    wall = time.perf_counter() - start
    command = "python -m parity" + ("" if not argv else " " + " ".join(argv))
    date = env.now_utc()
    meta = {
        "commit": commit, "env": fingerprint, "date": date, "wall_time_s": round(wall, 1),
        "command": command, "jobs": args.jobs, "engine": engine.name,
        "date_line": f"run {date} in {wall:.0f} s: `{command}`",
    }
    if args.engine != engines.DEFAULT:
        print(f"engine under test: {engine.name} (reference: torch; no known differences "
              "apply)")
    print(report.console_summary(results, sections, list_failures=False))
    if out:
        write_reports(Path(out), results, meta, sections, rows, engine.known_differences)
        print(f"wrote {out}/parity.md and {out}/parity.json")
    t = report.totals(results, sections)
    return 1 if t["failed"] else 0


def write_reports(out: Path, results: Sequence[CaseResult], meta: dict[str, Any],
                  sections: Sequence[Section], rows: Sequence[OpSpec],
                  known_differences: bool = True) -> None:
    covered = {c for r in rows for c in r.covers}
    known = known_declared(rows) if known_differences else {}
    figure = None
    if results and report.render_figure(results, out / "figures" / "parity_errors.png"):
        figure = "figures/parity_errors.png"
    md = report.render_markdown(results, meta, sections, known, covered, figure)
    js = report.render_json(results, meta, sections, covered, known)
    # Both files or neither: a SIGINT or SIGTERM waits until both are in place.
    stops = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    try:
        report.write_atomic(out / "parity.json", js)
        report.write_atomic(out / "parity.md", md)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


if __name__ == "__main__":
    sys.exit(main())
