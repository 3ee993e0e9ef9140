"""The sequence workloads of the bench (bench/workloads.py, the floor in bench/floor_seq.py):
the LSTM language-model SGD step and the TransformerEncoderLayer SGD step.

The NumPy floor's loss, gradients and updated parameters are checked against torch's autograd
in float64 at small sizes, where any wrong adjoint shows far above rounding; minitorch's runner
the same way; and the cases the bench lists build and pass the bench's own check in float32.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch

import minitorch
from bench import cases, workloads

torch.set_num_threads(1)
SMALL_LSTM = {"vocab": 11, "embed": 6, "hidden": 5, "layers": 2, "seq": 7, "batch": 3}
SMALL_ENCODER = {"batch": 3, "seq": 5, "d_model": 8, "nhead": 2, "ff": 16}
WORKLOADS = {
    "lstm": (workloads.lstm_inputs, workloads.lstm_runner, workloads.lstm_floor, SMALL_LSTM),
    "encoder": (workloads.encoder_inputs, workloads.encoder_runner, workloads.encoder_floor,
                SMALL_ENCODER),
}


def assert_same(actual: list, expected: list, rtol: float, atol: float) -> None:
    assert len(actual) == len(expected)
    for i, (a, e) in enumerate(zip(actual, expected)):
        a, e = np.asarray(a), np.asarray(e)
        assert a.shape == e.shape and a.dtype == e.dtype, (i, a.dtype, a.shape, e.dtype, e.shape)
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=f"array {i}")


@pytest.mark.parametrize("name", WORKLOADS)
def test_floor_gradients_match_torch_autograd_float64(name: str) -> None:
    inputs, runner, floor_runner, sizes = WORKLOADS[name]
    params, x, y = inputs(sizes, seed=3, dtype=np.float64)
    expected = runner(torch, params, x, y, sizes).read()  # loss, grads, updated params
    actual = floor_runner(params, x, y, sizes).read()
    assert_same(actual, expected, rtol=1e-10, atol=1e-13)
    n = len(params)
    assert all(np.abs(g).max() > 0 for g in expected[1:1 + n])  # every gradient is exercised


@pytest.mark.parametrize("name", WORKLOADS)
def test_floor_takes_a_step_from_its_own_copy(name: str) -> None:
    """Two calls are two SGD steps on the floor's copy; the caller's arrays stay as they were."""
    inputs, runner, floor_runner, sizes = WORKLOADS[name]
    params, x, y = inputs(sizes, seed=4, dtype=np.float64)
    before = {k: v.copy() for k, v in params.items()}
    r = floor_runner(params, x, y, sizes)
    first, second = r.read()[0], r.read()[0]
    assert second < first  # the step lowered the loss on its own batch
    assert all((params[k] == before[k]).all() for k in params)
    t = runner(torch, params, x, y, sizes)
    t.body()
    assert_same([second], [t.read()[0]], rtol=1e-10, atol=0)  # both at the second step


@pytest.mark.parametrize("name", WORKLOADS)
def test_minitorch_runner_matches_torch_float64(name: str) -> None:
    inputs, runner, _, sizes = WORKLOADS[name]
    params, x, y = inputs(sizes, seed=5, dtype=np.float64)
    assert_same(runner(minitorch, params, x, y, sizes).read(),
                runner(torch, params, x, y, sizes).read(), rtol=1e-10, atol=1e-13)


def test_workload_cases_list_the_sequence_workloads() -> None:
    names = [c.name for c in cases.workload_cases()]
    assert any(n.startswith("LSTM LM SGD step") for n in names)
    assert any(n.startswith("TransformerEncoderLayer SGD step") for n in names)
    assert all(c.group == cases.WORKLOADS for c in cases.workload_cases())


@pytest.mark.parametrize("name", WORKLOADS)
def test_small_sequence_case_passes_the_bench_check_float32(name: str) -> None:
    inputs, runner, floor_runner, sizes = WORKLOADS[name]
    prepared = cases._seq_prepare(name, functools.partial(inputs, sizes),
                                  functools.partial(runner, sizes=sizes),
                                  functools.partial(floor_runner, sizes=sizes), "small")
    assert set(prepared.factories) == {"minitorch", "torch", "floor"}
    result = cases.check(prepared)
    assert all(c.ok for c in result.values()), result
