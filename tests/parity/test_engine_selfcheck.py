"""The harness checks itself: torch as the engine under test against torch as the reference.

A fixed subset of the op table (rows from every family, including rows that carry known
differences for minitorch) and a few nn modules run with `engine="torch"`: every case must
pass, and none may be marked known (known differences are minitorch's alone). A fake engine,
torch with a wrong `exp`, must be reported as failing -- so the self-check is not passing
because it compares nothing. The full self-check is `make parity ENGINE=torch`.
"""

from __future__ import annotations

import types
from dataclasses import replace
from typing import Any, Callable, Iterator

import numpy as np
import pytest
import torch

from parity import engines
from parity.__main__ import main
from parity.op_table import rows_by_name
from parity.runner import run_row, run_section
from parity.sections import find
from parity.spec import KnownDifference, OpSpec, Sample

# Three rows of each family (first, a third and two thirds of the way through by name), then
# rows with known differences for minitorch and the heavier families' staples.
SUBSET = (
    "Tensor.float_power_", "div(floor)(bool)", "mul",
    "<<= >>=", "bitwise_xor", "isneginf",
    "arange", "full", "randint",
    "Tensor.__format__", "creation (too big)", "manual_seed(range)",
    "acos", "expm1", "round",
    "gather", "masked_scatter", "scatter_reduce(mean, include_self=False)",
    "abs_", "fill_", "pow_",
    "addbmm", "linalg.cholesky(symmetrized)", "linalg.solve",
    "F.binary_cross_entropy", "F.huber_loss", "F.multilabel_margin_loss",
    "F.adaptive_avg_pool1d", "F.gumbel_softmax", "F.pairwise_distance",
    "amax", "log_softmax", "nanmedian(dim)",
    "T", "expand", "select",
    "argsort", "exponential_", "nonzero",
    "Tensor.__array__", "Tensor.double", "Tensor.numpy",
    "exp", "matmul", "F.conv1d", "F.cross_entropy", "sort", "linalg.det", "F.gelu", "logit",
)


def _report(results: list[Any]) -> str:
    return "\n".join(f"{r.key} [{r.desc}] {r.status}: {r.error or r.mismatch or r.reason}"
                     for r in results if r.status != "pass")


@pytest.mark.parametrize("name", SUBSET)
def test_torch_against_torch_passes(name: str) -> None:
    row = rows_by_name()[name]
    results = run_row(row, quick=True, engine="torch")
    assert results
    assert all(r.status == "pass" for r in results), _report(results)


# The full self-check's first run failed these: torch reads an expanded tensor's memory past
# its storage in median(dim) (the harness now pads every buffer to the array's size, zeros past
# the span), and draws a new dropout mask per call (the harness now seeds each call).
@pytest.mark.parametrize("key", ("median(dim)/int64/36", "nanmedian(dim)/float64/37",
                                 "F.dropout/float32/4"))
def test_formerly_false_failures(key: str) -> None:
    row = rows_by_name()[key.split("/")[0]]
    results = run_row(row, case=key, engine="torch")
    assert len(results) == 1 and results[0].status == "pass", _report(results)


# -- a few nn modules, as rows: torch's weights drawn once, loaded into the engine's module --
def module_row(name: str, make: Callable[[Any, Any], Any], input_shape: tuple[int, ...],
               ints: int = 0) -> OpSpec:
    """`make(lib, dtype)` builds the module; its state_dict comes from the sample (arrays of
    torch's own shapes), the input is random (class indices below `ints`, when given)."""
    shapes = {k: tuple(v.shape) for k, v in make(torch, torch.float64).state_dict().items()}

    def samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        state = {k: np.array(3) if k.endswith("num_batches_tracked") else
                 (np.abs(rng.standard_normal(s)) + 0.5).astype(dtype) if k.endswith("_var")
                 else (rng.standard_normal(s) * 0.5).astype(dtype) for k, s in shapes.items()}
        x = rng.integers(0, ints, input_shape) if ints else \
            rng.standard_normal(input_shape).astype(dtype)
        yield Sample((x,), {"state": state}, f"{name} on {list(input_shape)}",
                     grad_args=() if ints else (0,), tags=frozenset({"quick"}))

    def fn(lib: Any, x: Any, state: dict[str, Any]) -> Any:
        dtype = next(v.dtype for v in state.values() if hasattr(v, "dtype"))
        m = make(lib, dtype)
        m.load_state_dict(state)
        return m(x)

    return OpSpec(name=f"module {name}", family="module", fn=fn, samples=samples)


MODULES = (
    module_row("Linear(3, 4)", lambda lib, d: lib.nn.Linear(3, 4, dtype=d), (5, 3)),
    module_row("Conv2d(2, 3, 3, padding=1)",
               lambda lib, d: lib.nn.Conv2d(2, 3, 3, padding=1, dtype=d), (2, 2, 5, 5)),
    module_row("LayerNorm(6)", lambda lib, d: lib.nn.LayerNorm(6, dtype=d), (4, 6)),
    module_row("BatchNorm1d(3)", lambda lib, d: lib.nn.BatchNorm1d(3, dtype=d), (8, 3)),
    module_row("GRU(3, 4)", lambda lib, d: lib.nn.GRU(3, 4, batch_first=True, dtype=d),
               (2, 5, 3)),
    module_row("Embedding(10, 3)", lambda lib, d: lib.nn.Embedding(10, 3, dtype=d), (4, 2),
               ints=10),
)


@pytest.mark.parametrize("row", MODULES, ids=lambda r: r.name)
def test_torch_modules_against_torch_pass(row: OpSpec) -> None:
    results = run_row(row, quick=True, engine="torch")
    assert len(results) == 2  # float32 and float64
    assert all(r.status == "pass" and "fwd" in r.checks for r in results), _report(results)
    if row.name != "module Embedding(10, 3)":
        assert all("grad" in r.checks for r in results)


class _TorchWithoutAutogradGrad(types.ModuleType):
    """torch as a homework engine might be: tensors from `tensor(list, dtype=...)`,
    `.backward(cotangent)` and `.grad`; no from_numpy and no autograd.grad, so the adapter's
    fallbacks (lib.tensor; backward, then read .grad) are what runs."""

    autograd = types.SimpleNamespace()

    def __getattr__(self, name: str) -> Any:
        if name == "from_numpy":
            raise AttributeError(name)
        return getattr(torch, name)


@pytest.mark.parametrize("name", ("mul", "split", "sort", "F.cross_entropy"))
def test_an_engine_with_only_backward_and_grad(name: str) -> None:
    engine = engines.Engine(_TorchWithoutAutogradGrad("torch_backward_only"))
    results = run_row(rows_by_name()[name], quick=True, engine=engine)
    assert any("grad" in r.checks for r in results)
    assert all(r.status == "pass" for r in results), _report(results)


# -- a wrong engine is caught ----------------------------------------------------------------
class _TorchWithWrongExp(types.ModuleType):
    """torch, except that `exp` is off by one part in a thousand."""

    def __getattr__(self, name: str) -> Any:
        return getattr(torch, name)

    @staticmethod
    def exp(x: Any, *args: Any, **kwargs: Any) -> Any:
        return torch.exp(x, *args, **kwargs) * 1.001


FAKE = engines.Engine(_TorchWithWrongExp("torch_with_wrong_exp"))


def test_a_wrong_exp_is_reported_failing() -> None:
    exp = rows_by_name()["exp"]
    results = run_row(exp, quick=True, engine=FAKE)
    failed = [r for r in results if r.status == "FAIL"]
    assert failed, _report(results)
    assert any("value" in (r.mismatch or "") for r in failed)
    # Only the function is wrong: the other rows of the fake engine still pass.
    assert all(r.status == "pass" for r in run_row(rows_by_name()["expm1"], quick=True,
                                                   engine=FAKE))


def test_known_differences_apply_to_minitorch_only() -> None:
    exp = rows_by_name()["exp"]
    excused = replace(exp, known=(KnownDifference("anything", "excused for minitorch"),))
    assert {r.status for r in run_row(excused, quick=True, engine=FAKE)} >= {"FAIL"}
    as_minitorch = engines.Engine(FAKE.lib, known_differences=True)
    statuses = {r.status for r in run_row(excused, quick=True, engine=as_minitorch)}
    assert "known" in statuses and "FAIL" not in statuses


def test_command_line_engine(monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(engines.ENGINE_ENV, engines.DEFAULT)  # main() sets it; restored after
    monkeypatch.setattr(engines, "FAKE_FOR_TEST", FAKE, raising=False)
    assert main(["--engine", "torch", "--jobs", "0", "--quick", "--only", "exp"]) == 0
    assert main(["--engine", "parity.engines:FAKE_FOR_TEST", "--jobs", "0", "--quick",
                 "--only", "exp"]) == 1
    assert "engine under test: torch_with_wrong_exp" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        main(["--engine", "no_such_engine_module", "--only", "exp"])
    assert e.value.code == 2


def test_minitorch_sections_are_skipped_with_their_reason() -> None:
    sec = run_section(find("checkpoints"), quick=True, engine="torch")
    assert sec.cases == 0 and not sec.failed
    assert "Skipped for the engine `torch`" in sec.markdown
    assert "minitorch.serialization" in sec.markdown
