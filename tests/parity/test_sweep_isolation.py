"""The sweep survives anything: cases that kill, abort, hang or exhaust their worker.

Rows and sections that misbehave are planted in modules written to a scratch
directory (the sweep's workers import rows from `rows_from`, sections by
module name: sections.module_section). Each misbehaviour must end as exactly one failed case naming
its cause in a complete report, with the rest of its row still run, no
process left behind and the run time bounded. Small limits keep this fast.
Read parity/runner.py (Supervisor) first.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from parity import report
from parity.runner import CaseResult, Limits, sweep_all
from parity.sections import module_section

PLANTED_ROWS = '''
"""Rows that misbehave in minitorch's engine, on their first sample only."""
import ctypes
import os
import signal
import time

import numpy as np

import minitorch as mt
from parity.spec import OpSpec, Sample


def note(tag, pid=None):
    """Leave a pid (this process's) where the test can check it is gone afterwards."""
    where = os.environ.get("PLANT_PIDS")
    if where:
        open(os.path.join(where, f"{tag}-{pid or os.getpid()}"), "w").close()


def stuck():
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # deaf to the soft limit
    time.sleep(600)


def spin():
    while True:
        pass


ACTS = {
    "exits": lambda: os._exit(3),
    "aborts": os.abort,
    "segfaults": lambda: ctypes.string_at(0),
    "spins": spin,
    "sleeps": stuck,
    "hoards": lambda: np.empty(3 * 2**30, dtype=np.uint8),
}


def planted(name, act):
    def fn(lib, x):
        if lib is mt and x.shape == (3,):
            note(name)
            act()
        return x * 2

    def samples(rng, dtype):
        yield Sample((np.ones(3, dtype=dtype),), {}, "misbehaves")
        yield Sample((np.ones(2, dtype=dtype),), {}, "behaves")

    return OpSpec(name, "planted", fn, samples, dtypes=("float64",), differentiable=False)


def fine(lib, x):
    return x * 2


def fine_samples(rng, dtype):
    yield Sample((np.ones(4, dtype=dtype),), {}, "fine")


ALL_ROWS = [planted(n, a) for n, a in ACTS.items()] + [
    OpSpec("fine", "planted", fine, fine_samples, dtypes=("float64",), differentiable=False)]
'''

HANGING_SECTION = '''
"""A section whose optimizer step sleeps, after starting a child process of its own."""
import subprocess
import sys
import time

import minitorch as mt
from planted_rows import note


class SlowSGD(mt.optim.SGD):
    def step(self, closure=None):
        time.sleep(600)


def run_section(quick):
    note("section")
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    note("grandchild", child.pid)
    p = mt.nn.Parameter(mt.zeros(2))
    SlowSGD([p], lr=0.1).step()
    return {}
'''

FINE_SECTION = '''
from parity.results import SectionResult


def run_section(quick):
    return SectionResult("Fine", cases=1, passed=1, failed=0, known=0, markdown="all fine")
'''

CAUSES = {
    "exits": "worker died with exit code 3",
    "aborts": "worker died with signal SIGABRT (6)",
    "segfaults": "worker died with signal SIGSEGV (11)",
    "spins": "CaseTimeout: timeout after 2 s",
    "sleeps": "timeout after 2 s (stuck outside Python: the worker was killed)",
    "hoards": "MemoryError",
}
LIMITS = Limits(case_s=2, row_s=60, section_s=4, memory_gb=2, grace_s=1)


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The planted modules on sys.path (spawned workers inherit it), a directory for pids."""
    (tmp_path / "planted_rows.py").write_text(textwrap.dedent(PLANTED_ROWS))
    (tmp_path / "planted_hang_section.py").write_text(textwrap.dedent(HANGING_SECTION))
    (tmp_path / "planted_fine_section.py").write_text(textwrap.dedent(FINE_SECTION))
    pids = tmp_path / "pids"
    pids.mkdir()
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PLANT_PIDS", str(pids))
    return tmp_path


def noted_pids(pids: Path) -> dict[str, int]:
    """tag -> pid of every process the planted code started or ran in."""
    return {f.name.rsplit("-", 1)[0]: int(f.name.rsplit("-", 1)[1]) for f in pids.iterdir()}


def alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def assert_all_gone(pids: dict[str, int]) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(p) for p in pids.values()):
        time.sleep(0.1)
    assert not [t for t, p in pids.items() if alive(p)], "processes left behind"
    assert multiprocessing.active_children() == []


def test_every_misbehaviour_is_one_failed_case_and_the_sweep_goes_on(planted: Path) -> None:
    import planted_rows

    log = io.StringIO()
    progress = report.Progress(log, live=False)
    t0 = time.monotonic()
    results, sections = sweep_all(
        planted_rows.ALL_ROWS, jobs=2, limits=LIMITS, progress=progress,
        rows_from="planted_rows", figure_dir=str(planted / "figures"),
        sections=[module_section("planted_hang_section", "Hangs"),
                  module_section("planted_fine_section", "Fine")])
    took = time.monotonic() - t0
    assert took < 45, f"the sweep took {took:.0f} s"

    by_key = {r.key: r for r in results}
    assert len(by_key) == len(results) == 2 * len(CAUSES) + 1  # complete: nothing lost
    for name, cause in CAUSES.items():
        bad, good = by_key[f"{name}/float64/0"], by_key[f"{name}/float64/1"]
        assert bad.status == "crash" and cause in bad.error, (name, bad.error)
        assert good.status == "pass", (name, good)  # the row went on after its bad case
    assert by_key["fine/float64/0"].status == "pass"

    hang, fine = sections
    assert hang.failed == 1 and "timeout after 4 s" in hang.error
    assert fine.present and fine.passed == 1 and not fine.error

    md = report.render_markdown(results, _meta(), sections)
    assert md.splitlines()[2].startswith(f"**FAIL**: {len(results) + 1 + 1} cases run")
    failures = md.split("## Failures", 1)[1]
    for name in CAUSES:
        assert f"rerun: `.venv/bin/python -m parity --case {name}/float64/0`" in failures
    assert "rerun: `.venv/bin/python -m parity --section planted_hang_section`" in failures
    printed = log.getvalue()  # each failure was printed as it happened
    assert all(f"{name}/float64/0" in printed for name in CAUSES)
    assert "rerun: .venv/bin/python -m parity --section planted_hang_section" in printed

    pids = noted_pids(planted / "pids")
    assert {"exits", "aborts", "segfaults", "sleeps", "section", "grandchild"} <= set(pids)
    assert_all_gone(pids)


def test_a_row_over_its_cap_is_one_failed_case(planted: Path) -> None:
    import planted_rows

    rows = [r for r in planted_rows.ALL_ROWS if r.name == "sleeps"]
    results, _ = sweep_all(rows, jobs=1, rows_from="planted_rows",
                           limits=Limits(case_s=30, row_s=2, grace_s=1))
    assert [r.status for r in results] == ["crash"]
    assert "row took longer than its cap of 2 s" in results[0].error
    assert "1 later case did not run" in results[0].error
    assert_all_gone(noted_pids(planted / "pids"))


def signal_when_running(pids: Path, tags: set[str], sig: int) -> threading.Thread:
    """Send `sig` to this process once the planted code noted every tag (all hangs going)."""
    def run() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if tags <= set(noted_pids(pids)):
                os.kill(os.getpid(), sig)
                return
            time.sleep(0.1)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_every_worker_and_keeps_the_old_report(
        planted: Path, sig: int, capsys: pytest.CaptureFixture[str]) -> None:
    from parity.__main__ import main

    out = planted / "out"
    out.mkdir()
    old = {"parity.md": "old report\n", "parity.json": "{}\n"}
    for name, text in old.items():
        (out / name).write_text(text)
    tags = {"sleeps", "section", "grandchild"}
    signal_when_running(planted / "pids", tags, sig)
    code = main(["--rows-from", "planted_rows", "--only", "sleeps,fine", "--section",
                 "planted_hang_section", "--jobs", "2", "--out", str(out),
                 "--case-timeout", "30", "--section-timeout", "30"])
    assert code == (130 if sig == signal.SIGINT else 143)
    assert "no report was written" in capsys.readouterr().err
    assert {p.name: p.read_text() for p in out.iterdir()} == old
    pids = noted_pids(planted / "pids")
    assert tags <= set(pids)
    assert_all_gone(pids)


def _meta() -> dict[str, Any]:
    return {"commit": "0123abc", "date_line": "run 2000-01-01 00:00:00 UTC in 1 s: `x`",
            "env": {"torch": "2.13.0"}}


# -- what people see -------------------------------------------------------------------------
def _failed_case() -> CaseResult:
    return CaseResult("add/float32/3", "add", "arithmetic", "float32", 3, "(3,)",
                      status="crash", error="worker died with signal SIGABRT (6)")


def test_progress_on_a_terminal_is_one_line_redrawn_with_failures_above_it() -> None:
    out = io.StringIO()
    p = report.Progress(out, live=True, interval=0)
    p.expect(rows=2, sections=0)
    p.row_started(2)
    p.case_done(CaseResult("add/float32/2", "add", "arithmetic", "float32", 2, "(3,)"))
    p.case_done(_failed_case())
    p.close()
    text = out.getvalue()
    assert "\r\033[K" in text  # redrawn in place
    failure = "crash add/float32/3 [(3,)]: worker died with signal SIGABRT (6)\n" \
              "    rerun: .venv/bin/python -m parity --case add/float32/3\n"
    assert failure in text
    last = text.rsplit("\r\033[K", 1)[1]
    assert last.startswith("parity: 2/4 cases, 1 failed,") and "ETA" in last


def test_progress_elsewhere_prints_only_the_failures() -> None:
    out = io.StringIO()
    p = report.Progress(out, live=False)
    p.expect(rows=1, sections=0)
    p.row_started(2)
    p.case_done(CaseResult("add/float32/2", "add", "arithmetic", "float32", 2, "(3,)"))
    p.case_done(_failed_case())
    p.close()
    assert out.getvalue().splitlines() == [
        "crash add/float32/3 [(3,)]: worker died with signal SIGABRT (6)",
        "    rerun: .venv/bin/python -m parity --case add/float32/3"]


def test_reports_are_written_whole_with_ordinary_permissions(tmp_path: Path) -> None:
    path = tmp_path / "parity.md"
    report.write_atomic(path, "text\n")
    assert path.read_text() == "text\n"
    assert path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["parity.md"]
