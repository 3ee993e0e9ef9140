"""The sections other harness modules add to the report (nn modules, training, optimizers).

Each of parity.modules, parity.training_runs and parity.optim_trajectories
exposes `run_section(quick: bool) -> dict` with the keys title, cases, passed,
failed, known, markdown, failures, json (and optionally covers: API names).
A module that does not exist yet is skipped and the report says so; one that
crashes counts as a failure with its error. Sections run beside the op sweep
(in the same worker pool) because some take minutes.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from typing import Any, Callable

from parity.report import Section
from parity.runner import error_text

SECTION_MODULES: tuple[tuple[str, str], ...] = (
    ("parity.modules", "nn modules against torch"),
    ("parity.training_runs", "Training runs"),
    ("parity.optim_trajectories", "Optimizer trajectories"),
)


def print_section(run_section: Callable[[bool], dict], quick: bool) -> int:
    """A section module's own command line: its markdown, a count line, each failure;
    exit status 1 when anything failed."""
    t0 = time.perf_counter()
    s = run_section(quick)
    print(s["markdown"])
    print(f"cases {s['cases']} passed {s['passed']} failed {s['failed']} in "
          f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    for f in s["failures"]:
        print(f"FAIL {f['case']}: {f['detail']}", file=sys.stderr)
    return 1 if s["failed"] else 0


def _plain(value: Any) -> Any:
    """JSON-able (and so picklable) data: a section's json goes back from a worker process."""
    return json.loads(json.dumps(value, default=str))


def run_one(module: str, title: str, quick: bool) -> Section:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name == module:
            return Section(module, title, present=False)
        return Section(module, title, present=True, failed=1, error=error_text(e))
    except Exception as e:  # noqa: BLE001 - a broken section is a failure, not a crash
        return Section(module, title, present=True, failed=1, error=error_text(e))
    try:
        d = mod.run_section(quick)
        return Section(
            module, str(d.get("title", title)), present=True, cases=int(d.get("cases", 0)),
            passed=int(d.get("passed", 0)), failed=int(d.get("failed", 0)),
            known=int(d.get("known", 0)), markdown=str(d.get("markdown", "")),
            failures=_plain(list(d.get("failures", []))), json=_plain(d.get("json")),
            covers=[str(c) for c in d.get("covers", [])])
    except Exception as e:  # noqa: BLE001
        return Section(module, title, present=True, failed=1, error=error_text(e))


def run_task(task: tuple[str, str, bool]) -> Section:
    """Pool entry point."""
    from parity.runner import configure_threads

    configure_threads()
    return run_one(*task)
