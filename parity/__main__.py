"""`python -m parity`: run the sweep, write reports/parity.md and parity.json.

    python -m parity [--jobs N] [--quick] [--only ROW[,ROW]] [--family F] [--case KEY]
                     [--out DIR] [--list]

A full run (no --only, --family, --case or --quick) writes the report into
--out (default: reports). A partial run prints what it found and writes a
report only when --out is given, so a rerun never overwrites the full
report. The exit status is 1 when any case failed unexpectedly (after the
report is written), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from parity import env, report
from parity.report import Section
from parity.runner import CaseResult, sweep_all
from parity.sections import SECTION_MODULES
from parity.spec import OpSpec


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m parity", description=__doc__.split("\n")[0])
    p.add_argument("--jobs", type=int, default=1, help="worker processes (same report for any)")
    p.add_argument("--quick", action="store_true", help="the quick subset of samples")
    p.add_argument("--only", action="append", default=[], help="row name(s), comma-separated")
    p.add_argument("--family", action="append", default=[], help="op family (repeatable)")
    p.add_argument("--case", help="one case by key, e.g. add/float32/3 (see the report)")
    p.add_argument("--out", help="report directory (default: reports, for a full run)")
    p.add_argument("--list", action="store_true", help="list the rows and exit")
    return p.parse_args(list(argv))


def select_rows(rows: Sequence[OpSpec], only: Sequence[str], families: Sequence[str],
                case: str | None) -> list[OpSpec]:
    names = {n.strip() for o in only for n in o.split(",") if n.strip()}
    if case:
        names.add(case.rsplit("/", 2)[0])
    chosen = [r for r in rows if (not names or r.name in names)
              and (not families or r.family in families)]
    unknown = names - {r.name for r in rows}
    if unknown:
        raise SystemExit(f"parity: no row named {', '.join(sorted(unknown))} "
                         "(python -m parity --list shows them)")
    if not chosen:
        raise SystemExit("parity: no row matches the selection")
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


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    from parity.op_table import ALL_ROWS, rows_by_name

    rows_by_name()  # refuses duplicate names early
    if args.list:
        for r in sorted(ALL_ROWS, key=lambda r: (r.family, r.name)):
            print(f"{r.family:14} {r.name}")
        return 0
    partial = bool(args.only or args.family or args.case or args.quick)
    rows = select_rows(ALL_ROWS, args.only, args.family, args.case)
    fingerprint = env.fingerprint()  # before the sweep pins threads: the machine's defaults
    commit = env.commit()
    start = time.perf_counter()
    specs = () if (args.only or args.family or args.case) else SECTION_MODULES
    results, sections = sweep_all(rows, quick=args.quick, jobs=max(1, args.jobs),
                                  case=args.case, sections=specs)
    wall = time.perf_counter() - start
    command = "python -m parity" + ("" if not argv else " " + " ".join(argv))
    date = env.now_utc()
    meta = {
        "commit": commit, "env": fingerprint, "date": date, "wall_time_s": round(wall, 1),
        "command": command, "jobs": args.jobs,
        "date_line": f"run {date} in {wall:.0f} s: `{command}`",
    }
    print(report.console_summary(results, sections))
    out = args.out or (None if partial else "reports")
    if out:
        write_reports(Path(out), results, meta, sections, rows)
        print(f"wrote {out}/parity.md and {out}/parity.json")
    t = report.totals(results, sections)
    return 1 if t["failed"] else 0


def write_reports(out: Path, results: Sequence[CaseResult], meta: dict[str, Any],
                  sections: Sequence[Section], rows: Sequence[OpSpec]) -> None:
    covered = {c for r in rows for c in r.covers}
    known = known_declared(rows)
    figure = None
    if results and report.render_figure(results, out / "figures" / "parity_errors.png"):
        figure = "figures/parity_errors.png"
    md = report.render_markdown(results, meta, sections, known, covered, figure)
    js = report.render_json(results, meta, sections, covered, known)
    report.write_atomic(out / "parity.json", js)
    report.write_atomic(out / "parity.md", md)


if __name__ == "__main__":
    sys.exit(main())
