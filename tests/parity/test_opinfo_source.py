"""torch's OpInfo database as a parity source (parity/opinfo.py), on a few ops.

The source must run torch's own samples for a registered op in both engines
and pass where minitorch agrees; a planted wrong forward (a monkeypatched op)
and a planted missing error must each show up as failing cases, never as
passes; what minitorch cannot express is "not run", not a pass.
"""

from __future__ import annotations

import pytest

pytest.importorskip("expecttest")  # torch's test database imports it (a harness extra)

import minitorch as mt
from parity import opinfo
from parity.sections import SECTIONS

OPS = ("sum", "mul", "nn.functional.relu", "exp")


def _by_status(data: dict, status: str) -> list[opinfo.Outcome]:
    return [o for o in data["outcomes"] if o.status == status]


@pytest.fixture(scope="module")
def clean() -> dict:
    return opinfo.run_all(quick=True, only=OPS)


def test_registered_ops_run_and_pass(clean: dict) -> None:
    labels = {o.op for o in clean["outcomes"]}
    assert {"sum", "mul", "nn.functional.relu", "exp"} <= labels
    passed = _by_status(clean, "pass")
    assert len(passed) >= 12  # every dtype torch supports, for each of the four ops
    assert {o.dtype for o in passed} >= {"float32", "float64", "int64", "bool"}
    failed = _by_status(clean, "FAIL")
    assert not failed, "\n".join(f"{o.key} [{o.desc}]: {o.detail}" for o in failed)
    # the forms both engines have were compared, and float cases compared gradients
    exp = next(t for t in clean["matched"] if t.label == "exp")
    assert {"function", "method", "inplace"} <= {f.name for f in exp.forms}
    assert any(o.checks >= 4 for o in passed if o.op == "exp" and o.dtype == "float64")


def test_planted_wrong_forward_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    real = mt.exp
    monkeypatch.setattr(mt, "exp", lambda x, *a, **k: real(x, *a, **k) * 1.001)
    data = opinfo.run_all(quick=True, only=("exp",))
    failed = _by_status(data, "FAIL")
    float_cases = [o for o in data["outcomes"] if o.dtype in ("float32", "float64")
                   and o.status != "not run"]
    assert float_cases and all(o.status == "FAIL" for o in float_cases)
    assert all(o.detail.startswith("function: out") and "value" in o.detail for o in failed)
    section = opinfo.render(data, quick=True)
    assert section.failed == len(failed) and section.failures
    assert failed[0].key in section.markdown


def test_planted_missing_error_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    (target,) = [t for t in opinfo.match(opinfo.load_op_db())[0] if t.label == "mul"]
    sample = opinfo.OpSample("error", "float32[2] * float32[3]",
                             opinfo.neutral(__import__("torch").ones(2)),
                             (opinfo.neutral(__import__("torch").ones(3)),))
    assert opinfo.run_sample(target, "-", sample, "mul/error/0").status == "pass"
    monkeypatch.setattr(target.primary, "mt_fn", lambda a, b: a)
    out = opinfo.run_sample(target, "-", sample, "mul/error/0")
    assert out.status == "FAIL" and "minitorch returns a result" in out.detail


def test_unexpressible_samples_are_not_run() -> None:
    torch = __import__("torch")
    with pytest.raises(opinfo.NotRun, match="complex64"):
        opinfo.neutral(torch.ones(2, dtype=torch.complex64))
    with pytest.raises(opinfo.NotRun, match="Generator"):
        opinfo.neutral({"generator": torch.Generator()})


def test_frontier_and_sections(clean: dict) -> None:
    rows = opinfo.frontier_rows(clean["frontier"])
    names = [r[1] for r in rows]
    assert names and len(names) == len(set(names))
    assert not any(opinfo.registry_key(n) for n in names)  # minitorch has none of them
    section = opinfo.render(clean, quick=True)
    assert "Pass rate for registered ops" in section.markdown
    assert "Coverage frontier" in section.markdown
    modules = {s.module for s in SECTIONS}
    assert {"parity.opinfo", "parity.opinfo_modules", "parity.opinfo_optim"} <= modules
