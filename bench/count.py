"""`make bench-count`: instructions per call under valgrind's cachegrind, a count that does not
depend on the machine's load.

Timings on a shared machine move by 10% from run to run; the number of
instructions a call executes does not. This mode runs a fixed core set of
op cases (COUNT_OPS at the tiny and medium sizes, forward and forward plus
backward) for minitorch, torch and the NumPy floor inside one process under
`valgrind --tool=cachegrind`, and reports instructions per call, so that a
regression of a few percent in minitorch's hot path shows on any machine.

How one count is taken (valgrind 3.19's cachegrind has no client requests to
start and stop counting, so we count whole processes): the process under
valgrind builds a case, warms the engine's body up, collects garbage and
forks two children; one runs the body K times, the other 2K times, and each
leaves with os._exit. A child's total is the parent's count at the fork plus
its own calls, so (total(2K) - total(K)) / K is the cost of one warm call;
the parent's work between the two forks is the same in every run. Valgrind
prints each process's total ("I refs") to its own log file (--log-file with
%p), which the driver reads.

Kept deterministic: one thread everywhere, PYTHONHASHSEED=0, a BLAS kernel
valgrind can run (OPENBLAS_CORETYPE=Haswell: AVX2; valgrind does not run
AVX-512), the same for MKL and torch's own dispatch (AVX2).

`make bench-count` runs the whole count twice, in two valgrind processes side
by side (one core each), and states the largest difference between them: the
run-to-run stability, measured every time. It also compares with the previous
bench_count.json in the output folder (on another commit: the change).

    python -m bench.count                 # what `make bench-count` runs
    python -m bench.count --only 'add|mul' --out /tmp/x   # a few cases
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "reports"
REPORT_NAME = "bench_count.md"
JSON_NAME = "bench_count.json"

# The core set: the ops the hot path of a training step runs through, each with a NumPy floor.
COUNT_OPS = ("add", "mul", "exp", "tanh", "relu", "sum", "matmul")
COUNT_SIZES = ("tiny", "medium")
# K, the calls in the smaller child: enough that one call's few hundred instructions of noise
# (a dict resize, a free list refilled) are a small share of the difference.
CALLS = {"tiny": 40, "medium": 4}

# What valgrind needs to run the BLAS and vector kernels, and what keeps the count the same.
COUNT_ENV = {
    "OPENBLAS_CORETYPE": "Haswell",  # AVX2 kernels: valgrind 3.19 cannot run AVX-512 ones
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    "ATEN_CPU_CAPABILITY": "avx2",
    "PYTHONHASHSEED": "0",
}
IREFS = re.compile(r"I\s+refs:\s+([\d,]+)")


# -- inside valgrind ----------------------------------------------------------------------


def count_rows() -> list[Any]:
    """The core set's rows, taken from the op table (the same rows `make bench` times)."""
    from bench import cases

    by_name = {r.name: r for r in cases.load_rows()}
    missing = [n for n in COUNT_OPS if n not in by_name]
    if missing:
        raise SystemExit(f"bench.count: the op table has no row named {missing}")
    return [by_name[n] for n in COUNT_OPS]


def count_cases(only: str | None = None) -> list[Any]:
    from bench import cases

    selected = [c for c in cases.op_cases(count_rows()) if c.size in COUNT_SIZES]
    if only:
        pattern = re.compile(only)
        selected = [c for c in selected if pattern.search(c.name)]
    return selected


def _fork_calls(body: Any, calls: int) -> int:
    """Fork a child that runs body `calls` times and leaves; return its pid once it is done."""
    pid = os.fork()
    if pid == 0:  # the child: the calls, then out without Python's teardown
        try:
            for _ in range(calls):
                body()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    return pid


def child_main(work: Path, only: str | None) -> int:
    """Runs under valgrind: every case and engine as two forked children; writes plan.json."""
    from bench import env

    env.pin_threads(1)
    from bench.cases import Skip

    todo = count_cases(only)
    gc.collect()
    gc.freeze()  # torch's and the table's objects: a collection need not walk them (slow here)
    plan: list[dict[str, Any]] = []
    for case in todo:
        entry: dict[str, Any] = {"name": case.name, "op": case.op, "size": case.size,
                                 "mode": case.mode, "calls": CALLS[case.size], "pids": {}}
        try:
            prepared = case.prepare()
        except Skip as e:
            entry["skipped"] = str(e)
            plan.append(entry)
            continue
        entry["shapes"] = prepared.shapes
        for engine, factory in prepared.factories.items():
            body = factory().body
            for _ in range(3):  # warm: first-call caches, lazy imports
                body()
            gc.collect()
            k = CALLS[case.size]
            entry["pids"][engine] = [_fork_calls(body, k), _fork_calls(body, 2 * k)]
        plan.append(entry)
        print(f"counted {case.name}", file=sys.stderr, flush=True)
    (work / "plan.json").write_text(json.dumps(plan))
    sys.stderr.flush()
    os._exit(0)  # Python's teardown under valgrind takes a minute and counts nothing


# -- the driver ---------------------------------------------------------------------------


def irefs(log: Path) -> int | None:
    """The 'I refs' total valgrind printed at a process's exit, or None."""
    try:
        m = IREFS.search(log.read_text(errors="replace"))
    except OSError:
        return None
    return int(m.group(1).replace(",", "")) if m else None


def per_call(plan: list[dict[str, Any]], work: Path) -> list[dict[str, Any]]:
    """Instructions per call of each engine: (I(2K) - I(K)) / K."""
    rows = []
    for entry in plan:
        row = {k: entry.get(k) for k in ("name", "op", "size", "mode", "shapes", "calls",
                                         "skipped")}
        counts: dict[str, float | None] = {}
        for engine, (pid_k, pid_2k) in entry.get("pids", {}).items():
            a, b = irefs(work / f"vg.{pid_k}"), irefs(work / f"vg.{pid_2k}")
            counts[engine] = (b - a) / entry["calls"] if a is not None and b is not None else None
        row["instructions"] = counts
        rows.append(row)
    return rows


def compare_runs(runs: list[list[dict[str, Any]]]) -> dict[str, Any] | None:
    """The largest relative difference of any count between the runs of one invocation."""
    if len(runs) < 2:
        return None
    worst: dict[str, Any] | None = None
    for rows in runs[1:]:
        for a, b in zip(runs[0], rows):
            for engine, n in a["instructions"].items():
                m = b["instructions"].get(engine)
                if n and m:
                    d = m / n - 1
                    if worst is None or abs(d) > abs(worst["change"]):
                        worst = {"name": a["name"], "engine": engine, "change": d}
    return {"runs": len(runs), "largest": worst}


def compare_previous(rows: list[dict[str, Any]],
                     previous: dict[str, Any] | None) -> dict[str, Any] | None:
    """Per case and engine, the relative change from the previous run; the largest one."""
    if not previous:
        return None
    old = {r["name"]: r.get("instructions", {}) for r in previous.get("cases", [])}
    changes = []
    for r in rows:
        for engine, n in r["instructions"].items():
            o = old.get(r["name"], {}).get(engine)
            if n and o:
                changes.append({"name": r["name"], "engine": engine, "change": n / o - 1})
    largest = max(changes, key=lambda c: abs(c["change"]), default=None)
    return {"commit": previous.get("commit"), "date": previous.get("date"),
            "changes": changes, "largest": largest}


def _ratio(r: dict[str, Any], den: str) -> float | None:
    n, d = r["instructions"].get("minitorch"), r["instructions"].get(den)
    return n / d if n and d else None


def _fmt_count(n: float | None) -> str:
    if n is None:
        return "–"
    return f"{n / 1e6:.2f} M" if n >= 1e6 else f"{n / 1e3:.1f} k"


def render(result: dict[str, Any]) -> str:
    from bench.report import _table, fmt_ratio

    prev = result.get("previous")
    within = result.get("runs")
    lines = [
        "# minitorch bench-count: instructions per call under cachegrind", "",
        f"- commit: `{result['commit']}` · date: {result['date']} · run time: "
        f"{result['duration_s'] / 60:.1f} min",
        f"- command: `{result['command']}` · {result['valgrind']}",
        "- environment: " + ", ".join(f"`{k}={v}`" for k, v in result["env"].items()), "",
    ]
    if within and within.get("largest"):
        big = within["largest"]
        lines += [f"**Run to run**: this count ran {within['runs']} times, in separate valgrind "
                  f"processes; the largest difference of any count between them is "
                  f"{100 * abs(big['change']):.3f}% ({big['name']}, {big['engine']}).", ""]
    if prev and prev.get("largest"):
        big = prev["largest"]
        same = prev.get("commit") == result["commit"]
        lines += [f"**Against the previous run** (commit `{prev['commit']}`, {prev['date']}"
                  f"{': the same commit, so this is the run-to-run noise' if same else ''}): "
                  f"the largest difference of any count is {100 * abs(big['change']):.2f}% "
                  f"({big['name']}, {big['engine']}).", ""]
    else:
        lines += ["No previous bench_count.json in this folder to compare with.", ""]
    rows = []
    old = {(c["name"], c["engine"]): c["change"] for c in (prev or {}).get("changes", [])}
    for r in result["cases"]:
        if r.get("skipped"):
            rows.append([r["name"], "–", "–", "–", "–", "–", "–", "–",
                         "skipped: " + r["skipped"]])
            continue
        ins = r["instructions"]
        change = old.get((r["name"], "minitorch"))
        rows.append([r["name"], r.get("shapes") or "", _fmt_count(ins.get("minitorch")),
                     _fmt_count(ins.get("torch")), _fmt_count(ins.get("floor")),
                     fmt_ratio(_ratio(r, "torch")), fmt_ratio(_ratio(r, "floor")),
                     "–" if r.get("run_to_run") is None else f"{100 * r['run_to_run']:.3f}%",
                     "–" if change is None else f"{100 * change:+.2f}%"])
    lines += _table(["case", "shapes", "minitorch", "torch", "floor", "mt/torch", "mt/floor",
                     "run to run (largest of 3 engines)", "minitorch vs previous file"], rows,
                    "llrrrrrrr")
    lines += [
        "## What these counts are, and what they cannot show", "",
        "- One warm call's instructions, (I(2K) - I(K)) / K from two forked children "
        f"(K = {CALLS['tiny']} tiny, {CALLS['medium']} medium); one thread; AVX2 kernels "
        "(valgrind cannot run AVX-512, so torch and OpenBLAS run other kernels than in "
        "`make bench`, which uses AVX-512 on this machine).",
        "- Compare counts taken by the same command: the same cases in the same order give "
        "the same count to the instruction, but a count also depends on the process's "
        "history (what ran before it, the heap's state), so a subset (`--only`) can move it "
        "by a fraction of a percent.",
        "- Instructions are not time. They cannot show memory bandwidth (a medium or large "
        "op that streams arrays through memory costs what the memory system allows, whatever "
        "the count), cache misses (an extra copy that evicts the working set costs far more "
        "than its instructions), page faults and allocation by the kernel (a fresh 256 KB "
        "array is mmap'd and faulted in: system time, not counted here), branch "
        "mispredictions and stalls, or SIMD width (one AVX2 instruction does 8 float32 "
        "operations, a scalar one does 1). Use it for the Python-side overhead, which is "
        "what dominates tiny ops: a change there moves the count by the same amount on "
        "any machine. `make bench` remains the measure of time.",
        "",
    ]
    return "\n".join(lines).rstrip() + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.count", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report folder")
    p.add_argument("--only", default=None, help="regex: count only the cases whose name matches")
    p.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--keep", action="store_true", help="keep valgrind's log files")
    p.add_argument("--runs", type=int, default=2,
                   help="independent runs side by side, for the run-to-run difference "
                        "(default 2)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child is not None:
        return child_main(args.child, args.only)
    from bench import env, report

    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("bench.count: valgrind is not installed (apt-get install valgrind)",
              file=sys.stderr)
        return 2
    version = subprocess.run([valgrind, "--version"], capture_output=True,
                             text=True).stdout.strip()
    started = time.perf_counter()
    commit = env.commit()
    run_env = {**os.environ, **COUNT_ENV}
    works = [Path(tempfile.mkdtemp(prefix="bench_count-")) for _ in range(max(1, args.runs))]
    procs = []
    for work in works:
        child = [sys.executable, "-m", "bench.count", "--child", str(work)]
        if args.only:
            child += ["--only", args.only]
        cmd = [valgrind, "--tool=cachegrind", "--cache-sim=no",
               "--cachegrind-out-file=/dev/null", f"--log-file={work}/vg.%p", *child]
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=run_env))
    print(f"bench.count: {len(count_cases(args.only))} cases under cachegrind, {len(works)} "
          "runs side by side (importing torch under valgrind takes minutes) ...",
          file=sys.stderr, flush=True)
    codes = [p.wait() for p in procs]
    if any(codes) or not all((w / "plan.json").exists() for w in works):
        print(f"bench.count: a run under valgrind failed (logs in {works})", file=sys.stderr)
        return 1
    runs = [per_call(json.loads((w / "plan.json").read_text()), w) for w in works]
    rows = runs[0]
    for i, row in enumerate(rows):  # per case, the largest difference between the runs
        diffs = [abs(other[i]["instructions"][e] / n - 1) for other in runs[1:]
                 for e, n in row["instructions"].items()
                 if n and other[i]["instructions"].get(e)]
        row["run_to_run"] = max(diffs) if diffs else None
    out_json = args.out / JSON_NAME
    try:
        previous = json.loads(out_json.read_text())
    except (OSError, ValueError):
        previous = None
    result = {
        "schema": 1, "commit": commit, "date": env.now_utc(),
        "command": "python -m bench.count" + (f" --only '{args.only}'" if args.only else ""),
        "valgrind": version, "env": COUNT_ENV, "cases": rows,
        "previous": compare_previous(rows, previous),
        "runs": compare_runs(runs),
        "duration_s": time.perf_counter() - started,
    }
    report.write_json(out_json, {k: v for k, v in result.items() if k != "previous"}
                      | {"previous_largest": (result["previous"] or {}).get("largest")})
    report.write_atomic(args.out / REPORT_NAME, render(result))
    if not args.keep:
        for work in works:
            shutil.rmtree(work, ignore_errors=True)
    big = (result["runs"] or {}).get("largest")
    print(f"wrote {args.out / REPORT_NAME} in {result['duration_s'] / 60:.1f} min"
          + (f"; largest difference between the runs {100 * abs(big['change']):.3f}%"
             if big else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
