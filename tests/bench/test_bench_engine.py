"""`python -m bench --engine MODULE`: another engine in minitorch's place, torch the self-check.

With `--engine torch` torch is timed against itself: every check must pass and the ratios
must sit around 1 (a few quick cases here; the README gives a fuller run's figures). A fake
engine, torch with a wrong `exp`, must turn its exp case red, so the self-check is not
passing because it compares nothing. Another engine's run leaves reports/ alone.
"""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from bench import cases
from bench.__main__ import DEFAULT_OUT, main
from parity import engines
from parity.op_table import rows_by_name


@pytest.fixture(autouse=True)
def restore_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """use_engine swaps the minitorch slot; put minitorch back after each test."""
    for table in (cases.ADAPTERS, cases.LIBS):
        monkeypatch.setitem(table, "minitorch", table["minitorch"])


class _TorchWithWrongExp(types.ModuleType):
    """torch, except that `exp` is off by one part in a thousand."""

    def __getattr__(self, name: str) -> Any:
        return getattr(torch, name)

    @staticmethod
    def exp(x: Any, *args: Any, **kwargs: Any) -> Any:
        return torch.exp(x, *args, **kwargs) * 1.001


def test_torch_against_itself_matches_and_runs_at_par(tmp_path: Path) -> None:
    only = r"^(add|mul|exp|tanh|sum|matmul|F\.relu|cat) · tiny · "
    assert main(["--engine", "torch", "--quick", "--no-scaling", "--seed", "1", "--only", only,
                 "--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "bench.json").read_text())
    assert data["engine"] == "torch" and data["hotspots"] == {}  # minitorch's own profile
    timed = [r for r in data["cases"] if r["status"] == "timed"]
    assert len(timed) >= 12
    assert {r["check"]["minitorch"]["status"] for r in timed} == {"ok"}
    geomean = float(np.exp(np.mean(np.log([r["ratio_torch"] for r in timed]))))
    assert 0.6 < geomean < 1.6, geomean  # quick budgets on a shared machine: wide, but ~1
    assert "engine under test: `torch`" in (tmp_path / "bench.md").read_text()


def test_a_wrong_engine_turns_its_case_red(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = engines.Engine(_TorchWithWrongExp("torch_with_wrong_exp"))
    monkeypatch.setattr(engines, "BENCH_FAKE_FOR_TEST", fake, raising=False)
    assert cases.use_engine("parity.engines:BENCH_FAKE_FOR_TEST") is fake
    assert cases.LIBS["minitorch"] is fake.lib
    rows = rows_by_name()
    for name, status in (("exp", "mismatch"), ("expm1", "ok")):
        for mode in (cases.FWD, cases.BWD):
            checks = cases.check(cases.prepare_op(rows[name], "tiny", mode))
            assert checks["minitorch"].status == status, (name, mode, checks["minitorch"])


def test_known_differences_are_minitorchs_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    row = next(r for r in rows_by_name().values() if r.bench and r.known
               and any(k.applies is None for k in r.known))
    mine = cases.prepare_op(row, "large", cases.FWD)
    assert any(n.startswith("known difference") for n in mine.notes)
    cases.use_engine("torch")
    theirs = cases.prepare_op(row, "large", cases.FWD)
    assert not any(n.startswith("known difference: " + row.known[0].what) for n in theirs.notes)


def test_another_engine_writes_no_report_unless_asked(
        capsys: pytest.CaptureFixture[str]) -> None:
    md = DEFAULT_OUT / "bench.md"
    before = md.stat().st_mtime_ns if md.exists() else None
    assert main(["--engine", "torch", "--quick", "--no-scaling", "--only",
                 "^add · tiny · fwd$"]) == 0
    assert "no report written" in capsys.readouterr().err
    assert (md.stat().st_mtime_ns if md.exists() else None) == before
    assert main(["--engine", "torch", "--save-baseline"]) == 2  # minitorch's stays minitorch's
    assert main(["--engine", "no_such_engine_module", "--only", "^$"]) == 2
