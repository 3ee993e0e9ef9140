"""The bench harness's comparison logic, on synthetic rounds (no timing, so no flakiness).

Ratios are taken round by round (bench/timing.py ratio_stats, bench/measure.py
paired_ratios): drift of the machine cancels, and the ratio's own IQR is the noise the
baseline comparison (bench/report.py compare_case) holds a change against: a planted 20%
slowdown is marked, a move within the spread is not. Then the selection rule
(bench/cases.py), the targets table and the large-over-3x section with its notes
(bench/notes.py), and bench.count's arithmetic (without valgrind).
"""

from __future__ import annotations

import numpy as np
import pytest

from bench import cases, count, measure, notes, report, timing
from bench.cases import BWD, FWD
from parity import samples as S
from parity.spec import OpSpec


def rounds(rng: np.random.Generator, n: int, base_ns: float, slowdown: float = 1.0,
           spread: float = 0.02, drift: np.ndarray | None = None) -> dict[str, list[float]]:
    """Synthetic per-round times of minitorch and torch; `drift` slows both alike."""
    drift = np.ones(n) if drift is None else drift
    mt = base_ns * slowdown * drift * (1 + spread * rng.standard_normal(n))
    th = 1000.0 * drift * (1 + spread * rng.standard_normal(n))
    return {"minitorch": list(mt), "torch": list(th)}


def result_from(samples: dict[str, list[float]], name: str = "add · large · fwd",
                size: str = "large") -> dict:
    """A case result as measure.run_case builds it, from per-round samples."""
    stats = {n: timing.stats_from_samples(v, 1).as_dict() for n, v in samples.items()}
    ratios = measure.paired_ratios(samples)
    return {"name": name, "group": f"ops · {size} · fwd", "op": name.split(" · ")[0],
            "size": size, "mode": FWD, "status": "timed", "stats": stats, "ratios": ratios,
            "ratio_torch": ratios["torch"]["median"],
            "ratio_floor": ratios.get("floor", {}).get("median"),
            "check": {"minitorch": {"status": "ok", "detail": ""}}}


# -- ratios per round -------------------------------------------------------------------


def test_per_round_ratios_cancel_the_machines_drift() -> None:
    rng = np.random.default_rng(0)
    drift = np.where(np.arange(21) < 10, 1.0, 1.6)  # the machine slows 60% halfway
    r = result_from(rounds(rng, 21, 2000.0, spread=0.01, drift=drift))
    assert r["stats"]["torch"]["iqr_pct"] > 30  # each engine's own times are all over
    assert r["ratios"]["torch"]["median"] == pytest.approx(2.0, rel=0.02)
    assert r["ratios"]["torch"]["iqr_pct"] < 5  # the paired ratio is not


def test_ratio_stats_quartiles_and_misaligned_rounds() -> None:
    q = timing.ratio_stats([2.0, 4.0, 6.0, 8.0, 10.0], [1.0, 2.0, 2.0, 2.0, 2.0])
    assert (q.median, q.q1, q.q3, q.rounds) == (3.0, 2.0, 4.0, 5)
    assert q.iqr_pct == pytest.approx(100 * 2 / 3)
    with pytest.raises(ValueError, match="rounds"):
        timing.ratio_stats([1.0, 2.0], [1.0])


def test_a_planted_20_percent_slowdown_is_marked_changed() -> None:
    rng = np.random.default_rng(1)
    old = result_from(rounds(rng, 15, 2000.0))
    new = result_from(rounds(rng, 15, 2000.0, slowdown=1.2,
                             drift=np.full(15, 0.8)))  # and the machine is faster today
    entry = report.compare_case(new, old)
    assert entry["ratio_torch_change"] == pytest.approx(0.2, abs=0.03)
    assert entry["changed"] and entry["mark"] == "slower"
    back = report.compare_case(old, new)
    assert back["mark"] == "faster"


def test_a_move_within_the_ratios_spread_is_not_a_change() -> None:
    rng = np.random.default_rng(2)
    old = result_from(rounds(rng, 15, 2000.0, spread=0.25))
    new = result_from(rounds(rng, 15, 2000.0, spread=0.25, drift=np.full(15, 1.3)))
    entry = report.compare_case(new, old)
    noise = entry["ratio_torch_noise"]
    assert noise > 0.15  # this case's per-round ratios spread widely
    assert abs(entry["ratio_torch_change"]) < noise and not entry["changed"]
    assert entry["mark"] == ""


def test_a_small_move_of_a_quiet_case_stays_under_the_5_percent_bar() -> None:
    rng = np.random.default_rng(3)
    old = result_from(rounds(rng, 25, 2000.0, spread=0.002))
    new = result_from(rounds(rng, 25, 2000.0, slowdown=1.03, spread=0.002))
    entry = report.compare_case(new, old)
    assert entry["ratio_torch_change"] == pytest.approx(0.03, abs=0.005)
    assert not entry["changed"] and entry["stable"] is True


def test_the_stability_count_counts_cases_over_1ms_within_5_percent() -> None:
    rng = np.random.default_rng(4)
    fp = {"cpu_model": "x"}
    old_cases, new_cases = [], []
    for i, slowdown in enumerate((1.0, 1.0, 1.08)):
        old_cases.append(result_from(rounds(rng, 15, 2000.0, spread=0.005),
                                     name=f"op{i} · large · fwd"))
        new_cases.append(result_from(rounds(rng, 15, 2000.0, slowdown=slowdown, spread=0.005),
                                     name=f"op{i} · large · fwd"))
    for r in old_cases + new_cases:  # over 1 ms: scale the medians up
        for s in r["stats"].values():
            s["median_ns"] *= 1e3
    old = {"machine_key": "k", "fingerprint": fp, "cases": old_cases}
    new = {"machine_key": "k", "fingerprint": fp, "cases": new_cases}
    cmp = report.compare_baseline(new, old, "b.json")
    assert (cmp["over_1ms"], cmp["stable"]) == (3, 2)
    assert cmp["unstable"] == ["op2 · large · fwd"] and cmp["slower"] == 1
    md = "\n".join(report._baseline_section(cmp))
    assert "of the 3 cases over 1 ms in both runs, 2 have both ratios" in md


def test_plan_gives_slow_cases_fewer_rounds_but_never_too_few() -> None:
    budget = timing.Budget(seconds=0.09, min_rounds=9, max_rounds=21, slow_seconds=1.5)
    assert timing.plan(1e6, budget)[0] == 21  # 1 ms a call: the budget's rounds
    assert timing.plan(0.25e9, budget)[0] == 6  # 9 calls would be 2.25 s: 6 fit in 1.5 s
    assert timing.plan(2e9, budget)[0] == timing.SLOW_MIN_ROUNDS


# -- the selection rule -------------------------------------------------------------------

ROWS = [
    OpSpec("add", "arithmetic", lambda lib, x, y: lib.add(x, y), S.binary()),
    OpSpec("cumsum", "reduction", lambda lib, x: lib.cumsum(x, 0), S.unary()),
    OpSpec("gt", "comparison", lambda lib, x, y: lib.gt(x, y), S.binary(), differentiable=False),
    OpSpec("eq", "comparison", lambda lib, x, y: lib.eq(x, y), S.binary(), differentiable=False),
]


def test_the_selection_rule() -> None:
    got = {(c.op, c.size, c.mode) for c in cases.op_cases(ROWS)}
    assert got == {
        ("add", "tiny", FWD), ("add", "tiny", BWD),  # a core op: tiny too
        ("add", "medium", BWD), ("add", "large", FWD), ("add", "large", BWD),
        ("cumsum", "medium", BWD), ("cumsum", "large", FWD), ("cumsum", "large", BWD),
        ("gt", "tiny", FWD), ("gt", "large", FWD),  # core, no backward
        ("eq", "large", FWD),  # not core, no backward: large forward only
    }
    assert len(cases.op_cases(ROWS, every_size=True)) == 2 * 6 + 2 * 3
    assert "TINY_CORE" in cases.SELECTION_RULE


def test_the_real_table_stays_under_the_time_budget() -> None:
    rows = cases.load_rows()
    bench_rows = [r for r in rows if r.bench]
    selected = cases.all_cases(rows)
    assert set(cases.TINY_CORE) <= {r.name for r in bench_rows}
    assert len(selected) < 0.55 * len(cases.all_cases(rows, every_size=True))
    large_fwd = {c.op for c in selected if c.size == "large" and c.mode == FWD}
    assert large_fwd == {r.name for r in bench_rows}  # every op keeps its evidence
    assert {c.op for c in selected if c.size == "tiny"} == set(cases.TINY_CORE)


# -- the targets table and the notes section ------------------------------------------------


def _timed(name: str, ratio_torch: float, ratio_floor: float | None = None,
           status: str = "ok") -> dict:
    op, size, mode = name.split(" · ")
    ratios = {"torch": {"median": ratio_torch, "q1": ratio_torch * 0.95,
                        "q3": ratio_torch * 1.05, "rounds": 9, "iqr_pct": 10.0}}
    if ratio_floor:
        ratios["floor"] = {"median": ratio_floor, "q1": ratio_floor * 0.9,
                           "q3": ratio_floor * 1.1, "rounds": 9, "iqr_pct": 20.0}
    return {"name": name, "group": f"ops · {size} · {mode}", "op": op, "size": size,
            "mode": mode, "status": "timed", "shapes": "(1024, 1024)",
            "stats": {"minitorch": {"median_ns": 3e6 * ratio_torch},
                      "torch": {"median_ns": 3e6}},
            "ratios": ratios, "ratio_torch": ratio_torch, "ratio_floor": ratio_floor,
            "check": {"minitorch": {"status": status, "detail": ""}}}


def test_large_cases_over_3x_are_listed_with_their_note_or_no_note() -> None:
    assert notes.NOTES.get("erf")
    cs = [_timed("erf · large · fwd", 40.0), _timed("madeup_op · large · fwd+bwd", 5.0),
          _timed("add · large · fwd", 1.1), _timed("madeup_op · medium · fwd+bwd", 9.0),
          _timed("broken · large · fwd", 9.0, status="mismatch")]
    result = {"cases": cs}
    section = "\n".join(report._slow_large_section(result))
    assert "erf · large · fwd" in section and notes.NOTES["erf"] in section
    assert "| madeup_op · large · fwd+bwd |" in section and "| no note |" in section
    assert "add · large" not in section  # under 3x
    assert "medium" not in section  # not the large size
    assert "broken" not in section  # out of the verdict: the mismatch list has it
    row = [t for t in report.targets(result) if "without a note" in t["case"]][0]
    assert row["value"] == 1 and row["met"] is False and "(of 2 over 3x)" in row["now"]


def test_a_case_name_note_wins_over_its_ops() -> None:
    name = "erf · large · fwd+bwd"
    before = dict(notes.NOTES)
    try:
        notes.NOTES[name] = "the backward's own reason"
        assert notes.note_for({"name": name, "op": "erf"}) == "the backward's own reason"
        assert notes.note_for({"name": "erf · large · fwd", "op": "erf"}) == before["erf"]
        assert notes.note_for({"name": "x · large · fwd", "op": "x"}) is None
    finally:
        notes.NOTES.clear()
        notes.NOTES.update(before)


def test_the_targets_table_is_computed_from_the_run() -> None:
    cs = [_timed("add · tiny · fwd", 1.6), _timed("mul · tiny · fwd", 0.4),
          _timed("add · medium · fwd+bwd", 1.0, 1.5), _timed("mul · medium · fwd+bwd", 1.0, 1.5),
          _timed("gather · large · fwd+bwd", 3.5, 2.0),
          _timed("index_select · large · fwd+bwd", 2.5)]
    mlp = _timed("x · y · fwd+bwd", 1.2, 1.08)
    mlp.update(name="MLP 784-256-128-10 SGD step, batch 64 · fwd+bwd", group="workloads")
    t = {row["case"]: row for row in report.targets({"cases": cs + [mlp]})}
    tiny = t["ops tiny fwd (the core set), geomean vs torch"]
    assert tiny["value"] == pytest.approx(0.8) and tiny["met"]
    assert "IQR 0.76–0.84, 2 cases" in tiny["now"]
    assert t["ops medium fwd+bwd, geomean vs floor"]["value"] == pytest.approx(1.5)
    large = t["ops large fwd+bwd, geomean vs floor"]  # index_select has no floor: gather's
    assert large["value"] == pytest.approx(2.0) and "1 case)" in large["now"]
    assert t["conv2d fwd+bwd vs torch"]["met"] is None  # not in this run
    assert t["MLP 784-256-128-10 step b64 vs floor"]["met"] is True
    index = [row for case, row in t.items() if case.startswith("index backward")][0]
    assert index["value"] == 3.5 and "gather" in index["now"] and not index["met"]
    md = "\n".join(report._targets_section({"cases": cs + [mlp]}))
    assert "| ops tiny fwd (the core set), geomean vs torch | 0.80x" in md


# -- bench.count's arithmetic ------------------------------------------------------------------


def test_count_reads_valgrinds_totals_and_takes_the_difference(tmp_path) -> None:
    for pid, total in ((11, 1_000_000), (12, 1_400_000), (21, 5_000), (22, None)):
        text = f"=={pid}== Cachegrind\n"
        if total is not None:
            text += f"=={pid}== I   refs:      {total:,}\n"
        (tmp_path / f"vg.{pid}").write_text(text)
    plan = [{"name": "add · tiny · fwd", "op": "add", "size": "tiny", "mode": FWD,
             "calls": 40, "pids": {"minitorch": [11, 12], "torch": [21, 22]}}]
    rows = count.per_call(plan, tmp_path)
    assert rows[0]["instructions"] == {"minitorch": 10_000.0, "torch": None}
    prev = {"commit": "abc", "date": "d",
            "cases": [{"name": "add · tiny · fwd", "instructions": {"minitorch": 9_950.0}}]}
    cmp = count.compare_previous(rows, prev)
    assert cmp["largest"]["change"] == pytest.approx(10_000 / 9_950 - 1)
    md = count.render({"commit": "abc", "date": "d", "duration_s": 60, "command": "c",
                       "valgrind": "valgrind-3.19.0", "env": count.COUNT_ENV, "cases": rows,
                       "previous": cmp})
    assert "the same commit, so this is the run-to-run noise" in md and "0.50%" in md
    assert "memory bandwidth" in md and "cache misses" in md


def test_count_cases_are_the_core_set_at_tiny_and_medium() -> None:
    got = count.count_cases()
    assert {c.op for c in got} == set(count.COUNT_OPS)
    assert {c.size for c in got} == {"tiny", "medium"}
    assert {c.mode for c in got} == {FWD, BWD}


def test_peak_bytes_sees_numpy_buffers_of_one_call() -> None:
    import numpy as np

    from bench import measure, report

    def body() -> float:
        a = np.ones(1_000_000)  # 8 MB alive together with ...
        b = a * 2.0  # ... another 8 MB
        return float(b[0])

    peak = measure.peak_bytes(body)
    assert 16e6 <= peak <= 16.5e6  # the two buffers, and a little Python beside them
    r = {"peak_bytes": {"minitorch": 3e6, "floor": 2e6}}
    assert report.peak_ratio(r) == 1.5 and report._peak_cell(r) == "3 MB / 2 MB (1.50x)"
