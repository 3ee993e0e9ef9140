"""pytest-benchmark as a front end: minitorch alone, timed per case by pytest-benchmark.

    pytest bench --benchmark-only                         # time the cases, print the table
    pytest bench --benchmark-only --benchmark-autosave    # and save .benchmarks/<machine>/*.json
    pytest bench --benchmark-only --benchmark-compare     # against the last saved run
    pytest bench --benchmark-only --benchmark-json=/tmp/b.json -k 'tiny'

What it times: the core ops (bench.cases.TINY_CORE) at the tiny and medium sizes under the
selection rule, and the workloads: one test per case, minitorch's body only, after a check
that minitorch computes what torch computes. Use it for pytest-benchmark's own tools (its
JSON, saved runs, `--benchmark-compare`, histograms) on minitorch's absolute times.

The ratios to torch and to the NumPy floor do not come from here: pytest-benchmark times one
callable at a time, so a machine that slows down between two tests would move a ratio. They
come from `make bench` (bench/timing.py), which interleaves the engines round by round.

This file lives under bench/ so that `make test` (`pytest tests`) never runs it.
"""

from __future__ import annotations

import pytest
import torch
from threadpoolctl import threadpool_limits

from bench import cases
from bench.cases import Skip

CORE_ROWS = [r for r in cases.load_rows() if r.name in cases.TINY_CORE]
CASES = cases.workload_cases() + [c for c in cases.op_cases(CORE_ROWS) if c.size != "large"]


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """One thread per engine, as `make bench` runs; restored afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_minitorch(case: cases.Case, benchmark) -> None:
    try:
        prepared = case.prepare()
        checks = cases.check(prepared)
    except Skip as e:
        pytest.skip(str(e))
    assert checks["minitorch"].ok, f"minitorch {checks['minitorch'].status}: " \
                                   f"{checks['minitorch'].detail}"
    benchmark.group = case.group
    benchmark.extra_info.update(shapes=prepared.shapes, op=case.op, size=case.size,
                                mode=case.mode, per=case.per)
    benchmark(prepared.factories["minitorch"]().body)
