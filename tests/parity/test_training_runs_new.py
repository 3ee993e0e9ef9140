"""The sequence and ResNet training runs of parity/training_runs.py (lstm, resnet, encoder),
quick mode: minitorch's loss agrees with torch's at every step, from torch's weights.

Expected values are torch's own losses, run side by side by training_runs.run_one. Each run
also gets a planted bug (monkeypatched for the test only) to show that the comparison sees
what the run is there to check: the LSTM's carried state, BatchNorm's running statistics, the
encoder's causal mask.
"""

from __future__ import annotations

import math

import pytest
import torch

import minitorch as mt
from parity import training_runs as tr

torch.set_num_threads(1)
NEW_RUNS = ("lstm", "resnet", "encoder")


@pytest.fixture(scope="module")
def specs() -> dict[str, tr.RunSpec]:
    return tr.run_specs()


@pytest.mark.parametrize("dtype", tr.DTYPES)
@pytest.mark.parametrize("name", NEW_RUNS)
def test_quick_run_agrees_with_torch(specs, name: str, dtype: str) -> None:
    r = tr.run_one(specs[name], dtype, quick=True)
    status, detail = tr.judge(r, specs[name].drift32_steps)
    assert status == "ok", detail
    assert r.steps >= 3 and len(r.losses["torch"]) == len(r.losses["minitorch"]) == r.steps
    assert all(math.isfinite(x) for x in r.losses["minitorch"])
    if dtype == "float64":
        assert r.worst <= tr.RTOL64 and r.state_dev <= tr.RTOL64
        assert r.correct["minitorch"] == r.correct["torch"]


def test_lstm_batches_are_consecutive_chunks_of_each_stream() -> None:
    codes = torch.arange(1000).numpy()
    batches = tr._stream_batches(codes, 8, streams=4, bptt=32)
    chunks = (1000 // 4 - 1) // 32
    (x0, y0), (x1, _) = batches[0], batches[1]
    assert x0.shape == (4, 32) and (y0[:, :-1] == x0[:, 1:]).all()
    assert (x1[:, 0] == y0[:, -1]).all()  # batch k+1 goes on where batch k stopped
    assert (batches[chunks][0] == x0).all()  # and a stream starts over when it runs out


def test_planted_lstm_state_reset_is_caught(specs, monkeypatch) -> None:
    """minitorch's model forgets the carried (h, c): step 1 agrees, step 2 no longer."""
    real = mt.nn.LSTM.forward

    def forward(self, input, hx=None):
        return real(self, input, None)

    monkeypatch.setattr(mt.nn.LSTM, "forward", forward)
    r = tr.run_one(specs["lstm"], "float64", quick=True)
    assert r.deviations[0] <= tr.RTOL64 and r.worst > tr.RTOL64
    assert tr.judge(r)[0] == "FAIL"


def test_planted_batchnorm_momentum_is_caught(specs, monkeypatch) -> None:
    """Running statistics updated with momentum 0.2 instead of 0.1: the training losses are
    the same (train mode uses the batch's statistics), the final buffers are not."""
    real = mt.nn.BatchNorm2d.forward

    def forward(self, input):
        self.momentum = 0.2
        return real(self, input)

    monkeypatch.setattr(mt.nn.BatchNorm2d, "forward", forward)
    r = tr.run_one(specs["resnet"], "float64", quick=True)
    assert r.worst <= tr.RTOL64 and r.state_dev > 1e-2
    status, detail = tr.judge(r)
    assert status == "FAIL" and "state" in detail


def test_planted_missing_causal_mask_is_caught(specs, monkeypatch) -> None:
    real = mt.nn.TransformerEncoder.forward

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        return real(self, src)

    monkeypatch.setattr(mt.nn.TransformerEncoder, "forward", forward)
    r = tr.run_one(specs["encoder"], "float64", quick=True)
    assert r.deviations[0] > 1e-3 and tr.judge(r)[0] == "FAIL"


def _float32_result(torch_losses: list[float], mt_losses: list[float]) -> tr.RunResult:
    r = tr.RunResult("resnet", "float32", len(torch_losses))
    r.losses = {"torch": torch_losses, "minitorch": mt_losses}
    r.correct, r.total, r.state_dev = {"torch": 9, "minitorch": 9}, 10, 0.0
    return r


def test_float32_drift_that_is_torchs_own_passes_with_the_float64_reference() -> None:
    reference = [1.0, 0.9, 0.8]  # torch's float64 losses
    r = _float32_result([1.0, 0.9, 0.81], [1.0, 0.9, 0.8000001])  # torch's float32 left it
    assert tr.judge(r)[0] == "FAIL"  # without the reference: a drift of 1.2e-2
    status, detail = tr.judge(r, reference=reference)
    assert status == "ok" and "is torch's" in detail


def test_float32_drift_of_minitorch_fails_even_with_the_reference() -> None:
    reference = [1.0, 0.9, 0.8]
    r = _float32_result([1.0, 0.9, 0.8000001], [1.0, 0.9, 0.81])  # minitorch left it
    assert tr.judge(r, reference=reference)[0] == "FAIL"
    both = _float32_result([1.0, 0.9, 0.83], [1.0, 0.9, 0.81])  # both left it: still a failure
    assert tr.judge(both, reference=reference)[0] == "FAIL"
