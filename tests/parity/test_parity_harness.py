"""The parity harness can fail: planted bugs turn exactly their row red.

Each test below breaks one op of minitorch on purpose (a forward off by a
factor 1 + 1e-4, a backward that skips unbroadcasting or accumulation, a
gradient with the wrong sign, a wrong kink convention), one per op family,
by monkeypatching the op's Function (found through the grad_fn of a small
call, so the tests do not depend on class names), runs the sweep on that
family and asserts that the rows it flags, beyond those already failing
without the bug, are exactly the planted op. Then the report itself: it
renders from a fixture, renders the same twice, and a crash is a failed row.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pytest

import minitorch as mt
from parity import report, runner
from parity.op_table import ALL_ROWS
from parity.results import SectionFailure
from parity.runner import CaseResult, run_row, sweep
from parity.spec import OpSpec, Sample

# -- planting --------------------------------------------------------------------------------


def function_class(make: Callable[[], Any]) -> type:
    """The Function subclass behind an op: the class of its output's grad_fn."""
    out = make()
    if isinstance(out, tuple):
        out = out[0]
    assert out.grad_fn is not None, "the op recorded no node"
    return type(out.grad_fn)


def patch_staticmethod(monkeypatch: pytest.MonkeyPatch, cls: type, name: str,
                       wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    original = getattr(cls, name)
    monkeypatch.setattr(cls, name, staticmethod(wrap(original)))


def patch_function(monkeypatch: pytest.MonkeyPatch, name: str,
                   wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replace a public function everywhere minitorch imported it (mt.NAME, mt.ops.NAME ...)."""
    original = getattr(mt, name)
    new = wrap(original)
    for mod_name, mod in list(sys.modules.items()):
        if mod_name.split(".")[0] == "minitorch" and getattr(mod, name, None) is original:
            monkeypatch.setattr(mod, name, new)


def leaf(shape: tuple[int, ...]) -> Any:
    return mt.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)


def forward_scaled(factor: float) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
            out = f(ctx, *args, **kwargs)
            return (out * factor).astype(out.dtype)

        return forward

    return wrap


def gradient_negated(f: Callable[..., Any]) -> Callable[..., Any]:
    def backward(ctx: Any, grad: Any) -> Any:
        out = f(ctx, grad)
        if isinstance(out, tuple):
            return tuple(None if g is None else -g for g in out)
        return -out

    return backward


def first_gradient_not_unbroadcast(f: Callable[..., Any]) -> Callable[..., Any]:
    """The first input's gradient keeps the output's (broadcast) shape: no sum."""

    def backward(ctx: Any, grad: Any) -> Any:
        out = f(ctx, grad)
        first = grad if out[0] is not None and out[0].shape != grad.shape else out[0]
        return (first,) + tuple(out[1:])

    return backward


def kink_one_at_zero(f: Callable[..., Any]) -> Callable[..., Any]:
    """relu'(0) = 1 or abs'(0) = 1 instead of torch's 0: the gradient at x == 0 is grad."""

    def backward(ctx: Any, grad: Any) -> Any:
        out = f(ctx, grad)
        x = _saved_input(ctx)
        return np.where(x == 0, grad, out).astype(out.dtype)

    return backward


def _saved_input(ctx: Any) -> np.ndarray:
    """The op's input array (the node remembers its input tensors)."""
    return np.asarray(ctx.inputs[0].array)


def _first(out: Any) -> Any:
    return out[0] if isinstance(out, tuple) else out


def _with_first(out: Any, g: Any) -> Any:
    return (g,) + tuple(out[1:]) if isinstance(out, tuple) else g


def ties_not_split(f: Callable[..., Any]) -> Callable[..., Any]:
    """amax gives every tied maximum the whole gradient instead of an even share."""

    def backward(ctx: Any, grad: Any) -> Any:
        out = f(ctx, grad)
        share = _first(f(ctx, np.ones_like(grad)))  # 1/count at the maxima, 0 elsewhere
        with np.errstate(all="ignore"):
            g = np.where(share != 0, _first(out) / np.where(share != 0, share, 1), 0)
        return _with_first(out, g.astype(_first(out).dtype))

    return backward


def repeats_averaged(f: Callable[..., Any]) -> Callable[..., Any]:
    """getitem's backward averages repeated indices instead of accumulating them."""

    def backward(ctx: Any, grad: Any) -> Any:
        out = f(ctx, grad)
        count = _first(f(ctx, np.ones_like(grad)))  # how often each element was picked
        g = np.where(count > 1, _first(out) / np.maximum(count, 1), _first(out))
        return _with_first(out, g.astype(_first(out).dtype))

    return backward


def lt_is_le(f: Callable[..., Any]) -> Callable[..., Any]:
    def lt(input: Any, other: Any) -> Any:
        return mt.le(input, other)

    return lt


@dataclass(frozen=True)
class Plant:
    family: str
    row: str  # the row that must turn red
    apply: Callable[[pytest.MonkeyPatch], None]
    quick: bool = True  # the quick samples suffice to see it
    also: frozenset[str] = field(default_factory=frozenset)  # rows sharing the broken Function
    # A first-order bug also turns red every row whose double backward uses the op (erf's
    # uses exp, softmax's uses sum ...): right, but not what one plant isolates. So first-order
    # plants run with the second-order checks off; a second-order plant with them on.
    second_order: bool = False

    def __str__(self) -> str:
        return f"{self.family}:{self.row}"


def plant_mul_forward(mp: pytest.MonkeyPatch) -> None:
    patch_staticmethod(mp, function_class(lambda: leaf((3,)) * leaf((3,))), "forward",
                       forward_scaled(1 + 1e-4))


def plant_add_unbroadcast(mp: pytest.MonkeyPatch) -> None:
    patch_staticmethod(mp, function_class(lambda: leaf((3, 4)) + leaf((4,))), "backward",
                       first_gradient_not_unbroadcast)


def plant_sin_sign(mp: pytest.MonkeyPatch) -> None:
    patch_staticmethod(mp, function_class(lambda: leaf((3,)).sin()), "backward", gradient_negated)


def plant_relu_kink(mp: pytest.MonkeyPatch) -> None:
    patch_staticmethod(mp, function_class(lambda: leaf((3,)).relu()), "backward",
                       kink_one_at_zero)


def plant_abs_kink(mp: pytest.MonkeyPatch) -> None:
    patch_staticmethod(mp, function_class(lambda: leaf((3,)).abs()), "backward",
                       kink_one_at_zero)


def plant_exp_forward(mp: pytest.MonkeyPatch) -> None:
    patch_staticmethod(mp, function_class(lambda: leaf((3,)).exp()), "forward",
                       forward_scaled(1 + 1e-4))


def plant_sum_sign(mp: pytest.MonkeyPatch) -> None:
    patch_staticmethod(mp, function_class(lambda: leaf((3, 4)).sum()), "backward",
                       gradient_negated)


def plant_mean_forward(mp: pytest.MonkeyPatch) -> None:
    patch_staticmethod(mp, function_class(lambda: leaf((3, 4)).mean()), "forward",
                       forward_scaled(1 + 1e-4))


def plant_amax_ties(mp: pytest.MonkeyPatch) -> None:
    patch_staticmethod(mp, function_class(lambda: leaf((3, 4)).amax(1)), "backward",
                       ties_not_split)


def plant_permute_backward(mp: pytest.MonkeyPatch) -> None:
    patch_staticmethod(mp, function_class(lambda: leaf((2, 3, 4)).permute(2, 0, 1)), "backward",
                       gradient_negated)


def plant_index_accumulate(mp: pytest.MonkeyPatch) -> None:
    patch_staticmethod(mp, function_class(lambda: leaf((4, 5))[mt.tensor([0, 2, 2])]),
                       "backward", repeats_averaged)


def plant_matmul_unbroadcast(mp: pytest.MonkeyPatch) -> None:
    cls = function_class(lambda: leaf((2, 3, 4)) @ leaf((4, 5)))
    patch_staticmethod(mp, cls, "backward", _matmul_keeps_batch)


def _matmul_keeps_batch(f: Callable[..., Any]) -> Callable[..., Any]:
    """The 2-d operand of a batched matmul gets the batched gradient: no sum over the batch."""

    def backward(ctx: Any, grad: Any) -> Any:
        ga, gb = f(ctx, grad)
        a, b = (np.asarray(t.array) for t in ctx.inputs[:2])
        if gb is not None and a.ndim > 2 and b.ndim == 2:
            gb = np.matmul(np.swapaxes(a, -1, -2), grad).astype(gb.dtype)
        return ga, gb

    return backward


def plant_tanh_double_backward(mp: pytest.MonkeyPatch) -> None:
    patch_staticmethod(mp, function_class(lambda: leaf((3,)).tanh()), "backward",
                       _scaled_when_recorded)


def _scaled_when_recorded(f: Callable[..., Any]) -> Callable[..., Any]:
    """A first-order backward that is right, and a recorded one (create_graph) 1e-4 off: only
    the double-backward check can see it."""
    from minitorch.autograd.higher_order import TracedArray

    def backward(ctx: Any, grad: Any) -> Any:
        g = f(ctx, grad)
        return g * (1 + 1e-4) if type(grad) is TracedArray else g

    return backward


def plant_lt_is_le(mp: pytest.MonkeyPatch) -> None:
    patch_function(mp, "lt", lt_is_le)


def plant_linspace_forward(mp: pytest.MonkeyPatch) -> None:
    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        def linspace(*args: Any, **kwargs: Any) -> Any:
            out = f(*args, **kwargs)
            if out.dtype.is_floating_point and out.numel() > 1:
                return out * (1 + 1e-4)
            return out

        return linspace

    patch_function(mp, "linspace", wrap)


PLANTS = [
    Plant("arithmetic", "mul", plant_mul_forward,  # rows that multiply through mul too
          also=frozenset({"mul(two numbers)", "type promotion (narrow dtypes)"})),
    Plant("arithmetic", "add", plant_add_unbroadcast, quick=False,
          also=frozenset({"add(alpha)"})),
    Plant("elementwise", "sin", plant_sin_sign),
    Plant("elementwise", "relu", plant_relu_kink),
    Plant("arithmetic", "abs", plant_abs_kink),
    Plant("elementwise", "exp", plant_exp_forward),
    Plant("reduction", "sum", plant_sum_sign,
          also=frozenset({"sum(dtype)", "sum(axis=)", "axis refused"})),
    Plant("reduction", "mean", plant_mean_forward,  # var_mean and std_mean return a mean
          also=frozenset({"mean(axis=)", "std_mean", "std_mean(positional)", "var_mean",
                          "var_mean(positional)"})),
    Plant("reduction", "amax", plant_amax_ties,  # Amin and aminmax build on Amax
          also=frozenset({"amin", "amax(axis=)", "amin(axis=)", "aminmax"})),
    Plant("shape", "permute", plant_permute_backward,
          also=frozenset({"T", "movedim"})),  # T and movedim permute
    Plant("indexing", "getitem", plant_index_accumulate, quick=False,
          also=frozenset({"getitem(torch rules)", "take"})),  # take indexes the flat tensor
    Plant("linalg", "matmul", plant_matmul_unbroadcast, quick=False),
    Plant("elementwise", "tanh", plant_tanh_double_backward, second_order=True),
    Plant("comparison", "lt", plant_lt_is_le),
    Plant("creation", "linspace", plant_linspace_forward),
]


def family_rows(family: str) -> list[OpSpec]:
    return [r for r in ALL_ROWS if r.family == family]


def failing_rows(family: str, quick: bool, second_order: bool = True) -> set[str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(runner, "SECOND_ORDER", second_order)
        results = sweep(family_rows(family), quick=quick, jobs=1)
    return {r.row for r in results if r.status in ("FAIL", "crash")}


_BASELINE: dict[tuple[str, bool, bool], set[str]] = {}


def baseline(family: str, quick: bool, second_order: bool = True) -> set[str]:
    """Rows of the family that fail without any planted bug (real engine bugs, if any)."""
    key = (family, quick, second_order)
    if key not in _BASELINE:
        _BASELINE[key] = failing_rows(family, quick, second_order)
    return _BASELINE[key]


@pytest.mark.parametrize("plant", PLANTS, ids=str)
def test_planted_bug_turns_exactly_its_row_red(plant: Plant,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    before = baseline(plant.family, plant.quick, plant.second_order)
    assert plant.row not in before, f"{plant.row} already fails without the planted bug"
    with monkeypatch.context() as mp:
        plant.apply(mp)
        after = failing_rows(plant.family, plant.quick, plant.second_order)
    new = after - before
    assert plant.row in new, f"the harness missed the bug planted in {plant.row}"
    assert new <= {plant.row} | plant.also, f"rows flagged besides {plant.row}: " \
        f"{sorted(new - {plant.row} - plant.also)}"


# -- robustness ------------------------------------------------------------------------------
def _crashing_row() -> OpSpec:
    def fn(lib: Any, x: Any) -> Any:
        if lib is mt:
            raise ZeroDivisionError("planted crash")
        return x * 2

    def samples(rng: np.random.Generator, dtype: str) -> Any:
        yield Sample((np.ones(3, dtype=dtype),), {}, "ones")

    return OpSpec("planted_crash", "test", fn, samples)


def test_a_crash_is_a_failed_case_and_the_sweep_goes_on() -> None:
    ok_row = next(r for r in ALL_ROWS if r.name == "neg")
    results = sweep([_crashing_row(), ok_row], quick=True)
    crashed = [r for r in results if r.row == "planted_crash"]
    assert crashed and all(r.status == "crash" for r in crashed)
    assert "ZeroDivisionError: planted crash" in crashed[0].error
    assert all(r.status == "pass" for r in results if r.row == "neg")
    md = report.render_markdown(results, _meta())
    assert "planted_crash" in md.split("## Failures", 1)[1]
    assert md.startswith("# Parity") and "**FAIL**" in md


def test_torch_raising_requires_minitorch_to_raise_the_same_class() -> None:
    def fn(lib: Any, x: Any) -> Any:
        if lib is mt:
            return x
        raise IndexError("torch refuses")

    def samples(rng: np.random.Generator, dtype: str) -> Any:
        yield Sample((np.ones(2, dtype=dtype),), {}, "ones")

    results = run_row(OpSpec("lenient", "test", fn, samples, dtypes=("float32",)))
    assert [r.status for r in results] == ["FAIL"]
    assert "torch raises IndexError" in results[0].mismatch


def test_signed_zero_and_nan_masks_are_compared() -> None:
    def fn(lib: Any, x: Any) -> Any:
        return x * 1 if lib is mt else x * -1 * -1 + 0.0

    def samples(rng: np.random.Generator, dtype: str) -> Any:
        yield Sample((np.array([-0.0, 1.0], dtype=dtype),), {}, "-0.0")

    results = run_row(OpSpec("zero sign", "test", fn, samples, dtypes=("float32",),
                             differentiable=False))
    assert results[0].status == "FAIL" and "sign of zero" in results[0].mismatch


# -- the report ------------------------------------------------------------------------------
def _meta() -> dict[str, Any]:
    return {"commit": "0123abc", "date_line": "run 2000-01-01 00:00:00 UTC in 1 s: `x`",
            "env": {"python": "3.11", "numpy": "2", "torch": "2.13.0", "cpu": "cpu",
                    "blas": [{"internal_api": "openblas", "user_api": "blas"}]},
            "date": "2000-01-01", "wall_time_s": 1.0, "command": "python -m parity"}


FIXTURE = [
    CaseResult("add/float32/0", "add", "arithmetic", "float32", 0, "(3, 4) with itself",
               fwd_abs=1e-7, fwd_rel=2e-7, grad_abs=3e-7, grad_rel=4e-7, checks=["fwd"]),
    CaseResult("add/float64/0", "add", "arithmetic", "float64", 0, "(3, 4) with itself",
               fwd_abs=0.0, fwd_rel=0.0, gradcheck=1e-10, checks=["fwd"]),
    CaseResult("sum/float32/1", "sum", "reduction", "float32", 1, "(5,) dim=0",
               status="FAIL", fwd_abs=0.5, fwd_rel=0.25,
               mismatch="out[0]: value: actual 1.50e+00, expected 2.00e+00 (1 of 1 elements "
                        "differ)"),
    CaseResult("sum/int64/0", "sum", "reduction", "int64", 0, "0-d", fwd_abs=0.0,
               fwd_rel=0.0),
    CaseResult("exp/float32/3", "exp", "elementwise", "float32", 3, "special grid",
               status="known", reason="exp(inf): a reason"),
    CaseResult("log/float32/2", "log", "elementwise", "float32", 2, "(5,)", status="crash",
               error="ValueError: boom (at minitorch/ops/elementwise.py:1 in log)"),
]


def test_report_renders_from_a_fixture() -> None:
    md = report.render_markdown(FIXTURE, _meta(), covered={"add", "sum"})
    lines = md.splitlines()
    assert lines[2] == ("**FAIL**: 6 cases run, 3 passed, 2 failed, 1 known differences.")
    assert "- commit: `0123abc`" in md
    assert "| add | 2 | 1.00e-07 / 2.00e-07 | 0.00e+00 / 0.00e+00 |" in md
    assert "`sum/float32/1` (5,) dim=0: FAIL: out[0]: value: actual 1.50e+00" in md
    assert "rerun: `.venv/bin/python -m parity --case sum/float32/1`" in md
    assert "ValueError: boom" in md
    assert "exp(inf): a reason" in md.split("## Known differences", 1)[1]
    coverage = md.split("## Coverage", 1)[1]
    assert "`mul`" in coverage and "`add`" not in coverage.split("- Operations", 1)[1]


def test_report_is_deterministic_and_json_is_valid(tmp_path: Any) -> None:
    import json

    a = report.render_markdown(list(reversed(FIXTURE)), _meta())
    b = report.render_markdown(FIXTURE, _meta())
    assert a == b
    doc = json.loads(report.render_json(FIXTURE, _meta()))
    assert doc["verdict"] == {"cases": 6, "passed": 3, "failed": 2, "known": 1}
    assert {f["key"] for f in doc["failures"]} == {"sum/float32/1", "log/float32/2"}
    path = tmp_path / "r.md"
    report.write_atomic(path, a)
    report.write_atomic(path, b)
    assert path.read_text() == a
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]  # no temp file left behind


def test_sections_are_counted_and_missing_ones_named() -> None:
    sec = [report.Section("parity.modules", "Modules", True, cases=4, passed=3, failed=1,
                          markdown="module table",
                          failures=[SectionFailure("Linear/float32", "off")]),
           report.Section("parity.training_runs", "Training", False)]
    md = report.render_markdown(FIXTURE, _meta(), sections=sec)
    assert md.splitlines()[2].startswith("**FAIL**: 10 cases run, 6 passed, 3 failed")
    assert "module table" in md and "case: Linear/float32; detail: off" in md
    assert "`parity.training_runs` does not exist yet" in md


def test_a_declared_known_difference_is_reported_as_known() -> None:
    from parity.spec import KnownDifference

    def fn(lib: Any, x: Any) -> Any:
        return x * 2 if lib is mt else x * 3

    def samples(rng: np.random.Generator, dtype: str) -> Any:
        yield Sample((np.ones(2, dtype=dtype),), {}, "differs")
        yield Sample((np.zeros(2, dtype=dtype),), {}, "agrees")

    spec = OpSpec("deliberate", "test", fn, samples, dtypes=("float32",), differentiable=False,
                  known=(KnownDifference("doubles", "a test", lambda s: s.desc == "differs"),))
    assert [r.status for r in run_row(spec)] == ["known", "pass"]


def test_jobs_do_not_change_the_results() -> None:
    rows = [r for r in ALL_ROWS if r.name in ("add", "sum", "getitem")]
    one = [r.to_dict() for r in sweep(rows, quick=True, jobs=1)]
    two = [r.to_dict() for r in sweep(rows, quick=True, jobs=2)]
    assert one == two
