"""The bench's per-case time cap, with planted slow cases (bench/measure.py run_case).

Each engine's first call of a case (the check's) runs under a hard limit
(bench/timing.py hard_limit: a SIGALRM timer that raises in the main thread);
a case with a call over the limit is not timed in rounds but reported "too
slow to time" with its single-call times, and counted among the large cases
over 3x torch. Planted here: a body that sleeps for a minute, one that spins
in a Python loop forever, one that is merely slow, one that hangs only once
the rounds have started. Each must come back within a second or two of its
limit, and `python -m bench` must still write its report.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from bench import cases, measure, report, timing
from bench.__main__ import main
from bench.cases import BWD, FWD, Case, Prepared, Runner

pytestmark = pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                                reason="the hard limit needs the main thread (signals)")

QUICK = timing.Budget(seconds=0.002, min_rounds=3, max_rounds=3, warmup_seconds=0.0)
LIMIT = 0.3


def spin_forever() -> None:
    while True:
        pass


def runner(body) -> Runner:
    """body() once, then the same three ones every engine returns (the check compares them)."""
    def read() -> list[np.ndarray]:
        body()
        return [np.ones(3, dtype=np.float32)]

    return Runner(body, read)


def planted(name: str, minitorch_body, size: str = "large", mode: str = FWD) -> Case:
    """A case whose torch and floor return at once and whose minitorch runs `minitorch_body`."""
    def fast() -> np.ndarray:
        return np.ones(3, dtype=np.float32)

    def prepare() -> Prepared:
        return Prepared({"minitorch": lambda: runner(minitorch_body),
                         "torch": lambda: runner(fast), "floor": lambda: runner(fast)},
                        shapes="(3,)")

    return Case(name=f"{name} · {size} · {mode}", group=f"ops · {size} · {mode}", op=name,
                size=size, mode=mode, prepare=prepare)


def timed_run(case: Case, limit: float | None = LIMIT) -> tuple[dict, float]:
    t0 = time.perf_counter()
    r = measure.run_case(case, QUICK, np.random.default_rng(0), limit)
    return r, time.perf_counter() - t0


def test_hard_limit_stops_a_sleep_and_a_python_loop_and_leaves_no_timer() -> None:
    for body in (lambda: time.sleep(60), spin_forever):
        t0 = time.perf_counter()
        with pytest.raises(timing.CaseTimeout, match="stopped after 0.2 s"):
            with timing.hard_limit(0.2):
                body()
        assert time.perf_counter() - t0 < 1.5
    with timing.hard_limit(0.2):  # a body that ends in time: no exception, no timer left
        time.sleep(0.01)
    time.sleep(0.3)
    with timing.hard_limit(None):
        time.sleep(0.01)


def test_an_outer_limit_survives_an_inner_one() -> None:
    t0 = time.perf_counter()
    with pytest.raises(timing.CaseTimeout, match="after 0.6 s"):
        with timing.hard_limit(0.6):
            with pytest.raises(timing.CaseTimeout, match="after 0.1 s"):
                with timing.hard_limit(0.1):
                    time.sleep(60)
            time.sleep(60)  # the outer limit, re-armed, stops this
    assert 0.5 < time.perf_counter() - t0 < 2.0


@pytest.mark.parametrize("body", [lambda: time.sleep(60), spin_forever],
                         ids=["sleeps", "loops"])
def test_a_call_that_never_ends_is_stopped_and_reported_too_slow(body) -> None:
    r, took = timed_run(planted("hangs", body))
    assert took < LIMIT + 1.5
    assert r["status"] == "too slow" and r["stopped"] == ["minitorch"]
    assert "minitorch" in r["reason"] and "0.3 s limit" in r["reason"]
    assert r["check"]["minitorch"]["status"] == "too slow"
    assert r["first_call_s"]["minitorch"] >= LIMIT
    assert r["first_call_s"]["torch"] < LIMIT
    # The single calls' ratio, a lower bound since minitorch's call was stopped.
    assert r["ratio_bound"] == ">" and r["ratio_torch"] > 3
    assert "stats" not in r and not measure.in_verdict(r)


def test_a_slow_call_that_ends_is_stopped_at_the_limit_too() -> None:
    r, took = timed_run(planted("slowish", lambda: time.sleep(0.5) or 1.0), limit=0.2)
    assert r["status"] == "too slow" and took < 1.5
    r, _ = timed_run(planted("slowish", lambda: time.sleep(0.05) or 1.0), limit=0.2)
    assert r["status"] == "timed" and r["stats"]["minitorch"]["median_ns"] > 4e7
    assert r["check"]["minitorch"]["seconds"] >= 0.05  # the check's one call, recorded


def test_a_call_that_hangs_only_in_the_rounds_is_stopped_there() -> None:
    calls = []

    def body() -> float:
        calls.append(1)
        if len(calls) > 2:  # the check's call and one more run; then it hangs
            time.sleep(60)
        return 1.0

    r, took = timed_run(planted("hangs later", body), limit=0.05)
    assert r["status"] == "too slow" and "rounds" in r["reason"]
    assert took < measure.ROUNDS_LIMIT * 0.05 + 1.5


def test_too_slow_cases_are_in_the_report_and_count_over_3x() -> None:
    slow, _ = timed_run(planted("hangs", lambda: time.sleep(60)))
    slow_medium, _ = timed_run(planted("hangs", lambda: time.sleep(60), "medium", BWD))
    result = {"cases": [slow, slow_medium], "verdict": measure.verdict([slow, slow_medium]),
              "case_limit": LIMIT}
    assert [g["too_slow"] for g in result["verdict"]] == [1, 1]
    assert [g["in_verdict"] for g in result["verdict"]] == [0, 0]
    assert report.slow_large_cases(result) == [slow]  # large only, like timed ones
    unexplained = [t for t in report.targets(result) if "without a note" in t["case"]][0]
    assert unexplained["value"] == 1.0 and not unexplained["met"]
    md = "\n".join(report._too_slow_section(result) + report._slow_large_section(result))
    assert "## Too slow to time (2 cases)" in md and "(0.3 s, `--case-limit`)" in md
    assert "| hangs · large · fwd | (3,) | > 3" in md  # minitorch: "> 300 ms"-like
    assert "(one call)" in md
    assert "2 cases too slow to time" in report.verdict_line(result["verdict"])


def test_the_bench_finishes_and_writes_its_report_past_a_hanging_case(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hang = planted("planted hang", lambda: time.sleep(60))
    fine = planted("planted fine", lambda: 1.0)
    monkeypatch.setattr(cases, "all_cases", lambda rows, every_size=False: [hang, fine])
    # The sweeps and the profile hang too: they stop at SWEEPS_LIMIT x the case limit.
    monkeypatch.setattr("bench.__main__.SWEEPS_LIMIT", 2)
    monkeypatch.setattr("bench.scaling.run_all", lambda *a, **k: time.sleep(60))
    monkeypatch.setattr("bench.hotspots.run", lambda budget, rng: time.sleep(60))
    t0 = time.perf_counter()
    assert main(["--quick", "--seed", "1", "--case-limit", "0.3", "--out", str(tmp_path)]) == 0
    assert time.perf_counter() - t0 < 30
    md = (tmp_path / "bench.md").read_text()
    assert "## Too slow to time (1 case)" in md and "planted hang · large · fwd" in md
    assert "Not measured: the scaling sweeps were stopped after 0.6 s" in md
    assert "Profiling failed: stopped after 0.6 s" in md
    assert "planted fine" in md and "🔴" not in md  # the fine one was timed, and matched


def test_case_limit_zero_means_no_limit() -> None:
    r, _ = timed_run(planted("slowish", lambda: time.sleep(0.05) or 1.0), limit=None)
    assert r["status"] == "timed" and r["check"]["minitorch"]["status"] == "ok"
    assert cases.check(planted("x", lambda: 1.0).prepare(), None)["minitorch"].ok


def test_a_large_case_counts_over_3x_when_minitorch_is_what_was_too_slow() -> None:
    def case(over: list[str], mt: float, th: float) -> dict:
        checks = {"minitorch": cases.Check("too slow" if "minitorch" in over else "ok",
                                           seconds=mt),
                  "torch": cases.Check("too slow" if "torch" in over else "ok", seconds=th)}
        r = {"name": f"op{len(over)}{mt} · large · fwd", "op": "op", "size": "large",
             "group": "ops · large · fwd"}
        return measure.too_slow(r, "planted", checks, over)

    mt_slow = case(["minitorch"], 6.0, 3.0)  # a bound of 2x: still nothing shows it within 3x
    torch_slow = case(["torch"], 0.5, 6.0)  # minitorch is fine here
    assert mt_slow["ratio_bound"] == ">" and mt_slow["ratio_torch"] == pytest.approx(2.0)
    assert torch_slow["ratio_torch"] is None  # no ratio against a stopped torch
    result = {"cases": [mt_slow, torch_slow]}
    assert report.slow_large_cases(result) == [mt_slow]


def test_the_checks_call_spares_warm_up_calls_only_where_it_is_safe() -> None:
    calls: list[str] = []

    def body(name: str, seconds: float):
        return lambda: calls.append(name) or time.sleep(seconds)

    # Warmed by the check's call, a slow body is planned from one warm-up call, not two.
    assert timing.warm_up(body("slow", 0.02), 0.005, warmed=True) > 1.5e7
    assert calls == ["slow"]
    calls.clear()
    timing.warm_up(body("slow", 0.02), 0.005)
    assert calls == ["slow", "slow"]
    # A first call of TRUSTED_FIRST_CALL or more plans the rounds once one more call confirms
    # it (no warm-up); a first call that was cold (the next one is fast: "a") or a faster one
    # (which may be a cold call, many times the steady one: "b") gets a warm-up.
    calls.clear()
    budget = timing.Budget(seconds=1e-9, min_rounds=3, max_rounds=3, warmup_seconds=0.0)
    slow = timing.TRUSTED_FIRST_CALL
    timing.time_rounds({"a": body("a", 0.0), "b": body("b", 0.0), "c": body("c", slow)},
                       budget, np.random.default_rng(0),
                       {"a": slow, "b": 0.1, "c": slow})
    assert calls.count("a") == 1 + 1 + 3  # the confirming call, a warm-up call, 3 rounds
    assert calls.count("b") == 1 + 3  # a warm-up call, 3 rounds
    assert calls.count("c") == 1 + 3  # confirmed slow: the confirming call plans, 3 rounds
