"""The report's sections as registered, typed parts of the sweep (parity/sections.py).

A section's run_section returns a SectionResult; SECTIONS lists each section once with the
function that imports its module when called; a section that cannot be imported, raises,
or returns something else is one failed section (a missing module: a skipped one), in
this process and in a supervised worker alike; and the harness's own modules import
one another without a circle. Read parity/results.py and parity/sections.py first.
"""

from __future__ import annotations

import ast
import inspect
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from parity import report
from parity.results import Section, SectionFailure, SectionResult, SectionSpec
from parity.runner import Limits, run_section, sweep_all
from parity.sections import SECTIONS, find, module_section

PARITY = Path(__file__).resolve().parents[2] / "parity"

BROKEN_IMPORT = '''
raise RuntimeError("planted: this section cannot even be imported")
'''

OLD_CONTRACT = '''
def run_section(quick):
    return {"title": "Old", "cases": 1, "passed": 1, "failed": 0, "known": 0}
'''

RAISES = '''
def run_section(quick):
    raise ValueError("planted: the section raises")
'''


def _missing(quick: bool) -> SectionResult:
    from planted_section_not_written import run_section  # type: ignore[import-not-found]

    return run_section(quick)


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in (("planted_broken_import", BROKEN_IMPORT),
                       ("planted_old_contract", OLD_CONTRACT), ("planted_raises", RAISES)):
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


# -- the registry --------------------------------------------------------------------------
def test_every_registered_section_imports_its_own_module_when_run() -> None:
    assert len({s.module for s in SECTIONS}) == len(SECTIONS)
    for spec in SECTIONS:
        assert isinstance(spec, SectionSpec) and spec.title
        assert (PARITY / f"{spec.short}.py").is_file(), spec.module
        assert f"from {spec.module} import run_section" in inspect.getsource(spec.run)
        assert pickle.loads(pickle.dumps(spec)) == spec  # a worker receives it pickled
        assert find(spec.short) is spec and find(spec.module) is spec
    assert find("no_such_section") is None


def test_importing_the_registry_imports_no_section_and_no_torch() -> None:
    code = ("import sys, parity.sections; "
            "loaded = [m for m in ('torch', 'parity.runner', 'parity.report', 'parity.modules', "
            "'parity.opinfo') if m in sys.modules]; print(loaded)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=PARITY.parent, check=True)
    assert out.stdout.strip() == "[]"


def _parity_imports(path: Path) -> set[str]:
    """Every parity module `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("parity"):
            found |= ({f"parity.{a.name}" for a in node.names} if node.module == "parity"
                      else {node.module})
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("parity")}
    return found


def test_the_harness_core_imports_without_a_circle() -> None:
    core = ("results", "report", "runner", "sections", "__main__")
    graph = {f"parity.{m}": _parity_imports(PARITY / f"{m}.py") & {f"parity.{c}" for c in core}
             for m in core}
    assert graph["parity.results"] == set()
    for m in ("parity.report", "parity.runner", "parity.sections"):
        assert graph[m] == {"parity.results"}, (m, graph[m])

    def reaches(a: str, b: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(n == b or (n not in seen and reaches(n, b, seen | {n})) for n in graph[a])

    assert not [m for m in graph if reaches(m, m)]


# -- the typed result ----------------------------------------------------------------------
def test_a_failure_reads_as_the_report_always_wrote_it() -> None:
    failure = SectionFailure("a/b", "off", "rerun x")
    assert failure.text() == "case: a/b; detail: off; rerun: rerun x"
    assert SectionFailure("a/b", "off").to_dict() == {"case": "a/b", "detail": "off"}
    sec = Section("parity.x", "X", True, cases=2, passed=1, failed=1,
                  failures=[SectionFailure("a/b", "off")])
    assert report.section_failure_lines(sec) == ["FAIL parity.x: case: a/b; detail: off"]


def test_a_section_result_becomes_the_reports_section() -> None:
    res = SectionResult("Fine", cases=2, passed=1, failed=0, known=1, markdown="m",
                        failures=[], json={"k": (1, 2)}, covers=["nn.Linear"])
    sec = run_section(SectionSpec("planted.fine", "Title", lambda q: res), quick=True)
    assert sec == Section("planted.fine", "Fine", True, cases=2, passed=1, known=1,
                          markdown="m", json={"k": [1, 2]}, covers=["nn.Linear"])


# -- what cannot run -----------------------------------------------------------------------
def test_what_cannot_run_is_one_failed_section(planted: Path) -> None:
    missing = run_section(SectionSpec("planted_section_not_written", "Missing", _missing),
                          quick=True)
    assert not missing.present and missing.cases == 0
    broken = run_section(module_section("planted_broken_import", "Broken"), quick=True)
    assert (broken.cases, broken.failed) == (1, 1)
    assert broken.error and broken.error.startswith("RuntimeError: planted: this section")
    old = run_section(module_section("planted_old_contract"), quick=True)
    assert old.failed == 1 and "returned a dict, not a SectionResult" in (old.error or "")
    raises = run_section(module_section("planted_raises"), quick=True)
    assert raises.failed == 1 and raises.error == "ValueError: planted: the section raises"


def test_a_section_that_cannot_be_imported_fails_alone_in_a_worker(planted: Path) -> None:
    """Through the supervisor: the worker survives the import error and runs the next one."""
    specs = [module_section("planted_broken_import", "Broken"), module_section("planted_raises")]
    results, sections = sweep_all([], jobs=1, sections=specs,
                                  limits=Limits(section_s=120, memory_gb=0))
    broken, raises = sections
    assert results == []
    assert broken.failed == 1 and "cannot even be imported" in (broken.error or "")
    assert raises.failed == 1 and raises.error == "ValueError: planted: the section raises"
    md = report.render_markdown([], {"commit": "c", "date_line": "d", "env": {}}, sections)
    assert "`planted_broken_import.run_section` crashed: RuntimeError: planted" in md
    assert "rerun: `.venv/bin/python -m parity --section planted_raises`" in md
