"""The bench harness, run once and untimed so that no case rots.

Every bench case (the op table's rows at three sizes, fwd and fwd+bwd, and
the workloads) is built, checked against torch and run once per engine;
minitorch's run goes through pytest-benchmark's fixture, which `make test`
(pytest -n 2, so xdist) runs in its disabled mode. Then the harness's own
parts: the floor against torch, the timer, the report from a fixture (a
planted bug turns its row red; a baseline change is marked only when it is
real and the machine matches), and one quick end-to-end run.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_limits

from bench import cases, env, floor, measure, report, timing
from bench.cases import BWD, FWD, Check, Skip
from parity import samples as S
from parity.spec import OpSpec

ROOT = Path(__file__).resolve().parents[2]
ROWS = cases.load_rows()
# Every case of the selection rule runs once here at the tiny and medium sizes (the plumbing
# and the numbers of every row); the large size is `make bench`'s, whose report names any
# mismatch: at 1024 x 1024 a random matrix is ill-conditioned for inv/solve, and some ops
# take seconds there.
ALL_CASES = cases.all_cases(ROWS)
CASES = [c for c in ALL_CASES if c.group == cases.WORKLOADS or c.size != "large"]


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """One thread per engine, as `make bench` runs by default (and as two xdist workers on two
    cores want); restored afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        yield
    torch.set_num_threads(before)


def run_once(case: cases.Case, benchmark) -> dict[str, Check]:
    """Build the case, then run every engine once and compare with torch (cases.check), through
    pytest-benchmark's fixture: untimed under `make test` (xdist disables benchmarking)."""
    try:
        prepared = case.prepare()
        return benchmark.pedantic(cases.check, args=(prepared,), rounds=1, iterations=1)
    except Skip as e:
        pytest.skip(str(e))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bench_case_runs_and_matches_torch(case: cases.Case, benchmark) -> None:
    checks = run_once(case, benchmark)
    assert checks["floor"].status in ("ok", "ok (loose)", "absent"), checks["floor"].detail
    assert checks["minitorch"].ok, f"minitorch {checks['minitorch'].status}: " \
                                   f"{checks['minitorch'].detail}"


def test_the_case_list_covers_the_issue() -> None:
    names = [c.name for c in cases.workload_cases()]
    assert any("chain of 20" in n and n.endswith(BWD) for n in names)
    assert any("batch 64" in n for n in names) and any("batch 512" in n for n in names)
    assert any("(1024, 1024) @ (1024, 1024)" in n for n in names)
    for row in ROWS:
        if row.bench:
            mine = {(c.size, c.mode) for c in ALL_CASES if c.op == row.name}
            want = {("large", FWD)}
            if row.differentiable:
                want |= {("medium", BWD), ("large", BWD)}
            if row.name in cases.TINY_CORE:
                want |= {("tiny", FWD)} | ({("tiny", BWD)} if row.differentiable else set())
            assert mine == want, row.name


# -- op cases from rows made here, so they run whatever state the op table is in ---------

FIXTURE_ROWS = [
    OpSpec("add", "arithmetic", lambda lib, x, y: lib.add(x, y), S.binary()),
    OpSpec("exp", "elementwise", lambda lib, x: lib.exp(x), S.unary(S.Domain(-3, 3))),
    OpSpec("sum", "reduction", lambda lib, x, **kw: lib.sum(x, **kw), S.reduction()),
    OpSpec("matmul", "linalg", lambda lib, x, y: lib.matmul(x, y),
           S.shaped([S.Call((3, 4), (S.like((4, 5)),))])),
    OpSpec("max.dim", "reduction", lambda lib, x: lib.max(x, dim=-1),
           S.shaped([S.Call((3, 4))])),
    OpSpec("gt", "comparison", lambda lib, x, y: lib.gt(x, y), S.binary(), differentiable=False),
]


FIXTURE_CASES = cases.op_cases(FIXTURE_ROWS, every_size=True)


@pytest.mark.parametrize("case", FIXTURE_CASES, ids=[c.name for c in FIXTURE_CASES])
def test_fixture_op_case(case: cases.Case, benchmark) -> None:
    checks = run_once(case, benchmark)
    assert checks["minitorch"].ok, checks["minitorch"].detail
    assert checks["floor"].status in ("ok", "ok (loose)", "absent"), checks["floor"].detail


def test_sizes_are_what_the_issue_asks() -> None:
    add = cases.prepare_op(FIXTURE_ROWS[0], "large", FWD)
    assert add.shapes == "(1024, 1024), (1024, 1024)"
    tiny = cases.prepare_op(FIXTURE_ROWS[0], "tiny", BWD)
    assert tiny.shapes == "(4,), (4,)"
    mm = cases.prepare_op(FIXTURE_ROWS[3], "medium", FWD)
    assert mm.shapes == "(256, 256), (256, 256)"
    assert "floor" in add.factories and "floor" in mm.factories


def test_a_planted_bug_turns_the_row_red() -> None:
    wrong = OpSpec("exp", "elementwise",
                   lambda lib, x: lib.exp(x) * (1.0 if lib is torch else 1.001),
                   S.unary(S.Domain(-3, 3)))
    case = cases.op_cases([wrong], every_size=True)[1]  # tiny fwd+bwd
    result = measure.run_case(case, timing.Budget(0.002, 3, 3, 0.0), np.random.default_rng(0))
    assert result["check"]["minitorch"]["status"] == "mismatch"
    assert not measure.in_verdict(result)
    md = report.render_markdown(fixture_result([result]), {})
    assert "🔴 mismatch" in md and "🔴 exp · tiny · fwd+bwd" in md


# -- the floor is right ------------------------------------------------------------------

TORCH_OF = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "neg": torch.neg,
    "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "tanh": torch.tanh,
    "sigmoid": torch.sigmoid, "relu": torch.relu, "sin": torch.sin, "cos": torch.cos,
    "abs": torch.abs, "square": torch.square, "sum": torch.sum, "mean": torch.mean,
    "matmul": torch.matmul, "softmax": lambda x: torch.softmax(x, -1),
    "log_softmax": lambda x: torch.log_softmax(x, -1),
    "linear": torch.nn.functional.linear, "mse_loss": torch.nn.functional.mse_loss,
    "pow": lambda x: torch.pow(x, 3.0),
}
ARITY = {"add": 2, "sub": 2, "mul": 2, "div": 2, "matmul": 2, "mse_loss": 2, "linear": 3}


@pytest.mark.parametrize("name", sorted(floor.FORWARD_BACKWARD))
def test_floor_op_matches_torch(name: str) -> None:
    rng = np.random.default_rng(0)
    shapes = {"linear": [(6, 5), (4, 5), (4,)]}.get(name, [(5, 5)] * ARITY.get(name, 1))
    arrays = [rng.uniform(0.5, 2.0, s).astype(np.float32) for s in shapes]
    extra = (3.0,) if name == "pow" else ()
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    expected = TORCH_OF[name](*leaves)
    g = rng.standard_normal(tuple(expected.shape)).astype(np.float32)
    expected.backward(torch.tensor(g))
    out, grads = floor.forward_backward(name)(g, *arrays, *extra)
    fwd = floor.FORWARD[name](*arrays, *extra)
    torch.testing.assert_close(torch.tensor(np.asarray(out)), expected.detach())
    torch.testing.assert_close(torch.tensor(np.asarray(fwd)), expected.detach())
    for got, leaf in zip(grads, leaves):
        torch.testing.assert_close(torch.tensor(got), leaf.grad)
    # and each gradient is what torch hands a leaf: contiguous, its own memory
    arrays_out = [a for a in grads if isinstance(a, np.ndarray)]
    for i, a in enumerate(arrays_out):
        assert a.flags.c_contiguous and a.flags.writeable, name
        assert not np.shares_memory(a, g), name
        assert not any(np.shares_memory(a, b) for b in arrays_out[:i]), name


@pytest.mark.parametrize("op", ["add", "sum"])
def test_torch_hands_each_leaf_a_gradient_of_its_own(op: str) -> None:
    # The fact floor.leaf_gradients copies for: torch's x.grad never aliases the gradient
    # given to backward (add's adjoint is that gradient, twice) nor another leaf's .grad,
    # and a reduction's broadcast adjoint arrives contiguous.
    x = torch.ones(4, 3, requires_grad=True)
    y = torch.ones(4, 3, requires_grad=True)
    if op == "add":
        g = torch.randn(4, 3)
        (x + y).backward(g)
        ptrs = {x.grad.data_ptr(), y.grad.data_ptr(), g.data_ptr()}
        assert len(ptrs) == 3
    else:
        x.sum().backward()
        assert x.grad.is_contiguous() and x.grad.stride() == (3, 1)


def test_floor_floor_name_reads_op_table_names() -> None:
    assert floor.floor_name("F.relu") == "relu"
    assert floor.floor_name("Tensor.__mul__") == "mul"
    assert floor.floor_name("mm") == "matmul"
    assert floor.floor_name("cumsum") is None


# -- the timer ---------------------------------------------------------------------------


def test_timer_interleaves_in_a_seeded_order() -> None:
    def trace(seed: int) -> list[str]:
        calls: list[str] = []
        bodies = {n: (lambda n=n: calls.append(n)) for n in ("a", "b", "c")}
        budget = timing.Budget(seconds=1e-9, min_rounds=6, max_rounds=6, warmup_seconds=0.0)
        stats = timing.time_interleaved(bodies, budget, np.random.default_rng(seed))
        assert {s.rounds for s in stats.values()} == {6}
        return calls

    assert trace(1) == trace(1)
    timed = trace(1)[9:]  # after warm-up (3 calls each)
    rounds = [timed[i:i + 3] for i in range(0, len(timed), 3)]
    assert all(sorted(r) == ["a", "b", "c"] for r in rounds)
    assert len({tuple(r) for r in rounds}) > 1  # the order really is shuffled


def test_stats_and_plan() -> None:
    s = timing.stats_from_samples([100.0, 110.0, 120.0, 130.0, 1000.0], number=4)
    assert s.median_ns == 120.0 and s.rounds == 5 and s.number == 4
    assert abs(s.iqr_pct - 100 * 20 / 120) < 1e-9
    rounds, number = timing.plan(1e3, timing.Budget(seconds=0.01, min_rounds=5, max_rounds=20))
    assert rounds == 20 and number == 500
    rounds, number = timing.plan(1e9, timing.Budget(seconds=0.01, min_rounds=5, max_rounds=20))
    assert (rounds, number) == (5, 1)


# -- the report and the baseline -----------------------------------------------------------


def _case(name: str, group: str, mt: float, th: float, fl: float | None,
          iqr: float = 0.02) -> dict:
    def st(m: float) -> dict:
        return {"median_ns": m, "q1_ns": m * (1 - iqr / 2), "q3_ns": m * (1 + iqr / 2),
                "rounds": 9, "number": 10, "iqr_pct": 100 * iqr}

    stats = {"minitorch": st(mt), "torch": st(th)}
    if fl:
        stats["floor"] = st(fl)

    def ratio(v: float) -> dict:
        return {"median": v, "q1": v * (1 - iqr / 2), "q3": v * (1 + iqr / 2), "rounds": 9,
                "iqr_pct": 100 * iqr}

    ratios = {"torch": ratio(mt / th)} | ({"floor": ratio(mt / fl)} if fl else {})
    return {"name": name, "group": group, "op": name.split(" · ")[0], "size": "tiny",
            "mode": FWD, "family": "", "per": 1, "status": "timed", "shapes": "(4,)",
            "notes": [], "stats": stats, "ratios": ratios, "ratio_torch": mt / th,
            "ratio_floor": mt / fl if fl else None, "noisy": 100 * iqr > 10,
            "check": {"minitorch": {"status": "ok", "detail": ""},
                      "torch": {"status": "ok", "detail": ""},
                      "floor": {"status": "ok" if fl else "absent", "detail": ""}}}


def fixture_result(extra: list[dict] | None = None) -> dict:
    cs = [_case("add · tiny · fwd", "ops · tiny · fwd", 4000, 2000, 1000),
          _case("exp · tiny · fwd", "ops · tiny · fwd", 3000, 3000, None, iqr=0.3),
          _case("MLP step · fwd+bwd", "workloads", 2e6, 1e6, 1e6)] + (extra or [])
    fp = {"cpu_model": "Test CPU", "logical_cores": 2, "usable_cores": 2, "machine": "x86_64",
          "os": "Linux", "python": "3.11", "versions": {
              "numpy": "2", "torch": "2", "minitorch": "0.1", "threadpoolctl": "3",
              "pytest-benchmark": "5"}, "threads": 1, "blas_pools": [], "torch": {
              "num_threads": 1}, "env": {"OPENBLAS_CORETYPE": "unset"}, "load_average": None}
    return {"commit": "abc123", "date": "today", "command": "python -m bench", "threads": 1,
            "seed": 7, "fingerprint": fp, "machine_key": env.machine_key(fp),
            "budgets": {"tiny": 0.04}, "loose_reason": "sums",
            "baseline_path": "reports/bench_baseline.json", "verdict": measure.verdict(cs),
            "cases": cs, "scaling": None, "hotspots": {}, "baseline": {"status": "none"},
            "duration_s": 60.0}


def test_report_renders_from_a_fixture(tmp_path: Path) -> None:
    result = fixture_result()
    figures = report.write_figures(result, tmp_path)
    md = report.render_markdown(result, figures)
    first = md.splitlines()[0]
    assert first.startswith("**Verdict**")
    assert "tiny fwd 1.41x" in first  # geomean of 2.0 and 1.0
    assert "workloads 2.00x" in first
    assert "commit: `abc123`" in md and "OPENBLAS_CORETYPE=unset" in md
    assert "30/– noisy" in md  # exp's ratio IQR is 30% (and it has no floor): flagged
    assert (tmp_path / "figures" / "bench_ratios.png").stat().st_size > 0
    report.write_atomic(tmp_path / "bench.md", md)
    report.write_json(tmp_path / "bench.json", result)
    assert json.loads((tmp_path / "bench.json").read_text())["seed"] == 7
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]


def test_baseline_marks_only_real_changes_on_the_same_machine() -> None:
    old = fixture_result()
    new = copy.deepcopy(old)
    for r in new["cases"]:  # the machine is 30% slower for everyone: no ratio moves
        for s in r["stats"].values():
            s["median_ns"] *= 1.3
    new["cases"][0]["ratio_torch"] *= 1.5  # 50% slower against torch, ratio IQR 2%: marked
    new["cases"][1]["ratio_torch"] *= 1.2  # 20% slower, ratio IQR 30%: noise
    new["cases"][2]["ratio_torch"] *= 1.04  # 4%: under the 5% bar
    cmp = report.compare_baseline(new, old, "b.json")
    assert cmp["status"] == "comparable"
    assert [r["mark"] for r in cmp["rows"]] == ["slower", "", ""]
    assert cmp["torch_moved"] == 3  # the control: torch's medians all moved 30%
    assert cmp["over_1ms"] == 1 and cmp["stable"] == 1  # only the MLP is over 1 ms; 4%
    new["cases"][2]["ratio_torch"] *= 1.2
    cmp = report.compare_baseline(new, old, "b.json")
    assert cmp["unstable"] == ["MLP step · fwd+bwd"] and cmp["stable"] == 0
    other = copy.deepcopy(old)
    other["fingerprint"]["cpu_model"] = "Another CPU"
    other["machine_key"] = env.machine_key(other["fingerprint"])
    cmp = report.compare_baseline(new, other, "b.json")
    assert cmp["status"] == "not comparable" and "cpu_model" in cmp["differs"]
    assert {r["mark"] for r in cmp["rows"]} == {"not comparable"}
    new["baseline"] = cmp
    assert "**Not comparable**" in report.render_markdown(new, {})


def test_fingerprint_records_threads_and_blas() -> None:
    fp = env.fingerprint(1)
    for key in ("cpu_model", "logical_cores", "blas_pools", "torch", "env", "versions"):
        assert key in fp
    assert {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
            "OPENBLAS_CORETYPE"} <= set(fp["env"])
    assert fp["torch"]["num_threads"] >= 1 and len(env.machine_key(fp)) == 12


def test_quick_end_to_end_run_writes_the_report(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "bench", "--quick", "--only", "chain of 20", "--seed", "3",
           "--out", str(tmp_path)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    md = (tmp_path / "bench.md").read_text()
    assert md.startswith("**Verdict**") and "shuffle seed: 3" in md
    data = json.loads((tmp_path / "bench.json").read_text())
    assert data["scaling"]["chain"]["x"] == [10, 100, 1000]
    for name in ("ratios", "workloads", "scaling_chain", "scaling_matmul", "scaling_mlp"):
        assert (tmp_path / "figures" / f"bench_{name}.png").exists()
