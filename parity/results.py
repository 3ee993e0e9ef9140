"""What the parts of the parity sweep hand each other: the result of one op case
(CaseResult), the result a section returns (SectionResult, its SectionFailure entries),
a section as the report shows it (Section), and a registered section (SectionSpec).

runner.py, report.py and sections.py all import these types from here, and this module
imports nothing of the harness, so none of the three imports another to learn a type.
A section module (parity.modules, parity.training_runs, ...) imports from here what it
needs: SectionResult and SectionFailure for its `run_section(quick)`, print_section for
its own command line, figure_dir() and jobs() for where it draws and how many processes
it may use. Read sections.py next: the registry of sections.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

FIGURE_DIR_ENV = "PARITY_FIGURE_DIR"  # where sections draw their figures (--out/figures)
JOBS_ENV = "PARITY_JOBS"  # the processes a section may use itself: 1 inside a worker
DEFAULT_FIGURES = Path(__file__).resolve().parent.parent / "reports" / "figures"


@dataclass
class CaseResult:
    """Everything the report says about one case."""

    key: str  # "row/dtype/index" (bad inputs: "row/bad/index"); `--case KEY` reruns it
    row: str
    family: str
    dtype: str
    index: int
    desc: str
    status: str = "pass"
    fwd_abs: float | None = None
    fwd_rel: float | None = None
    grad_abs: float | None = None
    grad_rel: float | None = None
    gradcheck: float | None = None  # worst |analytic - central difference| (float64)
    # The worst error as a fraction of what the tolerance allows (<= 1 passes).
    fwd_frac: float | None = None
    grad_frac: float | None = None
    mismatch: str | None = None  # the first mismatch: where, index, actual, expected
    error: str | None = None  # the exception text of a crash
    reason: str | None = None  # the known difference's reason, when status is "known"
    checks: list[str] = field(default_factory=list)  # what was checked: fwd, grad, gc, ...

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SectionFailure:
    """One failing case of a section: its id, what differed, and the command that reruns it
    (when the section has one)."""

    case: str
    detail: str
    rerun: str | None = None

    def to_dict(self) -> dict[str, str]:
        """As parity.json lists it (no rerun key when there is no command)."""
        out = {"case": self.case, "detail": self.detail}
        if self.rerun is not None:
            out["rerun"] = self.rerun
        return out

    def text(self) -> str:
        """One line for the report and the console: 'case: ...; detail: ...; rerun: ...'."""
        return "; ".join(f"{k}: {v}" for k, v in self.to_dict().items())


@dataclass
class SectionResult:
    """What a section's `run_section(quick)` returns: its counts, its part of the report
    (markdown), its failures, its machine-readable data (json: JSON-able values only) and
    the API names it exercises (covers, for the report's coverage list)."""

    title: str
    cases: int
    passed: int
    failed: int
    known: int
    markdown: str
    failures: list[SectionFailure] = field(default_factory=list)
    json: Any = None
    covers: list[str] = field(default_factory=list)


@dataclass
class Section:
    """A section as the report shows it: the result of a section that ran, or why there is
    none (present=False: its module does not exist yet; error: it crashed, or its worker
    died or overran; the supervisor counts that as one failed case)."""

    module: str
    title: str
    present: bool
    cases: int = 0
    passed: int = 0
    failed: int = 0
    known: int = 0
    markdown: str = ""
    failures: list[SectionFailure] = field(default_factory=list)
    json: Any = None
    covers: list[str] = field(default_factory=list)
    error: str | None = None

    @classmethod
    def of(cls, module: str, result: SectionResult, json: Any = None) -> Section:
        """The report's record of a section that returned `result` (json: the result's
        json made plain, when the caller did that)."""
        return cls(module, result.title, present=True, cases=result.cases,
                   passed=result.passed, failed=result.failed, known=result.known,
                   markdown=result.markdown, failures=list(result.failures),
                   json=result.json if json is None else json, covers=list(result.covers))

    @classmethod
    def crashed(cls, module: str, title: str, error: str) -> Section:
        """A section that raised, or whose worker died: one failed case naming the cause."""
        return cls(module, title, present=True, cases=1, failed=1, error=error)


@dataclass(frozen=True)
class SectionSpec:
    """One registered section: the module that holds it (the report names it and
    `python -m parity --section` selects it by it), the title of its part of the report,
    and the function that runs it. `run` must be a module-level function (a worker process
    receives it pickled, by name) that imports the section's module itself, when called:
    so a worker imports only what it runs, and a module that fails to import is one
    failed section, not a crash of the sweep."""

    module: str
    title: str
    run: Callable[[bool], SectionResult]

    @property
    def short(self) -> str:
        """The name after the last dot (`--section training_runs`)."""
        return self.module.rsplit(".", 1)[-1]


def error_text(e: BaseException, package: str = "minitorch") -> str:
    """'Class: message (at minitorch/file.py:line in function)', on one line (the innermost
    frame in the engine's `package`)."""
    msg = " ".join(str(e).split())
    if len(msg) > 300:
        msg = msg[:297] + "..."
    where = ""
    for frame in reversed(traceback.extract_tb(e.__traceback__)):
        fn = frame.filename.replace("\\", "/")
        if f"/{package}/" in fn:
            where = f" (at {package}/{fn.rsplit(f'/{package}/', 1)[1]}:{frame.lineno} in " \
                    f"{frame.name})"
            break
    return f"{type(e).__name__}: {msg}{where}"


# -- what a section module uses ------------------------------------------------------------
def print_section(run_section: Callable[[bool], SectionResult], quick: bool) -> int:
    """A section module's own command line: its markdown, a count line, each failure;
    exit status 1 when anything failed."""
    t0 = time.perf_counter()
    s = run_section(quick)
    print(s.markdown)
    print(f"cases {s.cases} passed {s.passed} failed {s.failed} in "
          f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    for f in s.failures:
        print(f"FAIL {f.case}: {f.detail}", file=sys.stderr)
    return 1 if s.failed else 0


def figure_dir() -> Path:
    """Where a section draws its figures: the report's figures directory."""
    return Path(os.environ.get(FIGURE_DIR_ENV) or DEFAULT_FIGURES)


def jobs(default: int) -> int:
    """How many processes a section may use itself (inside the sweep's workers: 1)."""
    return int(os.environ.get(JOBS_ENV) or default)
