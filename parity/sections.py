"""The sections other harness modules add to the report (nn modules, training, optimizers,
torch's own OpInfo / ModuleInfo / OptimizerInfo samples).

Each of parity.modules, parity.training_runs, parity.optim_trajectories, parity.opinfo ...
exposes `run_section(quick: bool) -> dict` with the keys title, cases, passed,
failed, known, markdown, failures, json (and optionally covers: API names).
A module that does not exist yet is skipped and the report says so; one that
crashes counts as a failure with its error. The supervisor in runner.py runs
each section as one case (with its own, longer, time limit) in one of the
same worker processes as the op rows; there, the environment says how many
processes the section may use itself (PARITY_JOBS, 1: none of its own) and
where its figures go (PARITY_FIGURE_DIR, the report's --out/figures):
`figure_dir()` and `jobs()` below read them.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

from parity.report import Section
from parity.runner import FIGURE_DIR_ENV, JOBS_ENV, error_text

DEFAULT_FIGURES = Path(__file__).resolve().parent.parent / "reports" / "figures"

SECTION_MODULES: tuple[tuple[str, str], ...] = (
    ("parity.modules", "nn modules against torch"),
    ("parity.training_runs", "Training runs"),
    ("parity.optim_trajectories", "Optimizer trajectories"),
    ("parity.schedulers_lbfgs", "LBFGS and the wave-2 lr schedulers"),
    ("parity.checkpoints", "Checkpoints (save / load in torch's format)"),
    ("parity.data_loading", "Data loading (utils.data)"),
    # torch's own test databases (OpInfo, ModuleInfo, OptimizerInfo) as sample sources
    ("parity.opinfo", "OpInfo: torch's own samples for every registered op (op_db)"),
    ("parity.opinfo_modules", "ModuleInfo: torch's own module inputs (module_db)"),
    ("parity.opinfo_optim", "OptimizerInfo: torch's own optimizer configurations (optim_db)"),
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
        return Section(module, title, present=True, cases=1, failed=1, error=error_text(e))
    except Exception as e:
        return Section(module, title, present=True, cases=1, failed=1, error=error_text(e))
    try:
        d = mod.run_section(quick)
        return Section(
            module, str(d.get("title", title)), present=True, cases=int(d.get("cases", 0)),
            passed=int(d.get("passed", 0)), failed=int(d.get("failed", 0)),
            known=int(d.get("known", 0)), markdown=str(d.get("markdown", "")),
            failures=_plain(list(d.get("failures", []))), json=_plain(d.get("json")),
            covers=[str(c) for c in d.get("covers", [])])
    except Exception as e:
        return Section(module, title, present=True, cases=1, failed=1, error=error_text(e))


def figure_dir() -> Path:
    """Where a section draws its figures: the report's figures directory."""
    return Path(os.environ.get(FIGURE_DIR_ENV) or DEFAULT_FIGURES)


def jobs(default: int) -> int:
    """How many processes a section may use itself (inside the sweep's workers: 1)."""
    return int(os.environ.get(JOBS_ENV) or default)
