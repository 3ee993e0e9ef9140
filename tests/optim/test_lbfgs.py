"""LBFGS against torch.optim.LBFGS: signature, errors, state, and trajectories.

On Rosenbrock (two coordinates: every dot product is summed in the same order
in both engines) the trajectory is bit-identical to torch's once torch's sqrt
is swapped in for the one in _cubic_interpolate (torch's CPU sqrt is MKL's,
not correctly rounded). On the 8-D quadratic and the MLP, the engines' own
autograd and dot products differ in the last bits, so float64 is compared to
1e-7 relative and float32 to 1e-4.
"""

from __future__ import annotations

import copy
import inspect

import numpy as np
import pytest
import torch

import minitorch
import minitorch.optim.lbfgs as lbfgs_mod
from minitorch.optim.lbfgs import LBFGS
from parity import schedulers_lbfgs as sl
from parity.optim_trajectories import hp_text


def rosenbrock(xy):
    return (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2


def run(lib, dtype, steps=4, start=(-1.2, 1.0), **hp):
    """LBFGS on Rosenbrock: after each step(closure), the point and the closure's loss."""
    xy = lib.tensor(np.array(start, dtype=dtype), requires_grad=True)
    opt = (LBFGS if lib is minitorch else torch.optim.LBFGS)([xy], **hp)

    def closure():
        opt.zero_grad()
        loss = rosenbrock(xy)
        loss.backward()
        return loss

    out = []
    for _ in range(steps):
        loss = opt.step(closure)
        point = xy.detach().numpy().copy() if lib is torch else xy.array.copy()
        out.append((point, float(loss.item())))
    return out, opt


def torch_sqrt(x):
    """torch's own sqrt of a 0-d value, as a NumPy scalar of the same dtype."""
    return type(x)(torch.tensor(x).sqrt().item())


CONFIGS = [
    {},
    {"lr": 0.3, "history_size": 4},
    {"line_search_fn": "strong_wolfe"},
    {"line_search_fn": "strong_wolfe", "history_size": 3, "max_iter": 9},
    {"line_search_fn": "strong_wolfe", "lr": 0.5, "max_iter": 7, "max_eval": 9},
    {"tolerance_change": 1e-4, "tolerance_grad": 1e-3},
]


# -- the API -------------------------------------------------------------------------------
def test_signature_and_defaults_match_torch():
    mine = inspect.signature(LBFGS.__init__).parameters
    theirs = inspect.signature(torch.optim.LBFGS.__init__).parameters
    assert list(mine) == list(theirs)
    assert all(mine[k].default == theirs[k].default for k in mine)
    p = minitorch.tensor(np.zeros(2), requires_grad=True)
    q = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    assert LBFGS([p]).defaults == torch.optim.LBFGS([q]).defaults  # max_eval = max_iter * 5 // 4


def test_step_without_a_closure_raises_torchs_type_error():
    p = minitorch.tensor(np.ones(2), requires_grad=True)
    q = torch.ones(2, requires_grad=True)
    for opt in (LBFGS([p]), torch.optim.LBFGS([q])):
        with pytest.raises(TypeError, match=r"^LBFGS\.step\(\) missing 1 required positional "
                                            r"argument: 'closure'$"):
            opt.step()
        with pytest.raises(TypeError, match="'NoneType' object is not callable"):
            opt.step(None)


@pytest.mark.parametrize("lib", [minitorch, torch], ids=["minitorch", "torch"])
def test_construction_errors(lib):
    cls = LBFGS if lib is minitorch else torch.optim.LBFGS
    a = lib.tensor(np.ones(2), requires_grad=True)
    b = lib.tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match=r"^LBFGS doesn't support per-parameter options "
                                         r"\(parameter groups\)$"):
        cls([{"params": [a]}, {"params": [b], "lr": 0.1}])
    with pytest.raises(ValueError, match="^Invalid learning rate: -1$"):
        cls([a], lr=-1)


@pytest.mark.parametrize("lib", [minitorch, torch], ids=["minitorch", "torch"])
def test_unknown_line_search_raises_at_the_step(lib):
    _, opt = run(lib, np.float64, steps=0, line_search_fn="backtracking")
    xy = opt.param_groups[0]["params"][0]

    def closure():
        opt.zero_grad()
        loss = rosenbrock(xy)
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="^only 'strong_wolfe' is supported$"):
        opt.step(closure)


def test_at_an_optimum_the_step_returns_after_one_evaluation():
    for lib in (minitorch, torch):
        out, opt = run(lib, np.float64, steps=1, start=(1.0, 1.0))
        state = opt.state[opt.param_groups[0]["params"][0]]
        assert dict(state) == {"func_evals": 1, "n_iter": 0}
        assert out[0][1] == 0.0


def test_the_closure_runs_with_grad_enabled_inside_no_grad():
    xy = minitorch.tensor(np.array([-1.2, 1.0]), requires_grad=True)
    opt = LBFGS([xy], max_iter=3)

    def closure():
        opt.zero_grad()
        loss = rosenbrock(xy)
        loss.backward()
        return loss

    with minitorch.no_grad():
        opt.step(closure)
    assert opt.state[xy]["func_evals"] == 3


# -- trajectories -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("hp", CONFIGS, ids=[hp_text(h) or "defaults" for h in CONFIGS])
def test_rosenbrock_is_bit_identical_with_torchs_sqrt(monkeypatch, hp, dtype):
    monkeypatch.setattr(lbfgs_mod, "_sqrt", torch_sqrt)
    mine, my_opt = run(minitorch, dtype, **hp)
    theirs, torch_opt = run(torch, dtype, **hp)
    for (a, fa), (b, fb) in zip(mine, theirs):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
        assert fa == fb
    s_mine, s_theirs = my_opt.state_dict()["state"][0], torch_opt.state_dict()["state"][0]
    assert s_mine["func_evals"] == s_theirs["func_evals"]
    assert s_mine["n_iter"] == s_theirs["n_iter"]
    np.testing.assert_array_equal(s_mine["d"].array, s_theirs["d"].numpy())


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_a_tensor_lr_is_a_0d_value_as_in_torch(monkeypatch, dtype):
    monkeypatch.setattr(lbfgs_mod, "_sqrt", torch_sqrt)
    mine, my_opt = run(minitorch, dtype, lr=minitorch.tensor(np.array([0.5], dtype)),
                       line_search_fn="strong_wolfe")
    theirs, torch_opt = run(torch, dtype, lr=torch.tensor(np.array([0.5], dtype)),
                            line_search_fn="strong_wolfe")
    for (a, _), (b, _) in zip(mine, theirs):
        np.testing.assert_array_equal(a, b)
    t_mine = my_opt.state_dict()["state"][0]["t"]
    t_theirs = torch_opt.state_dict()["state"][0]["t"]
    assert describe(t_mine) == describe(t_theirs)  # a 0-d tensor of the lr's dtype


@pytest.mark.parametrize("problem", ["quadratic", "mlp"])
@pytest.mark.parametrize("config", ["defaults", "strong_wolfe",
                                    "strong_wolfe,lr=0.5,max_iter=7,max_eval=9"])
def test_quadratic_and_mlp_float64_to_1e7(problem, config):
    row = sl.run_lbfgs(problem, "float64", config, steps=2)
    assert row["branched"] == "no", row["problems"]
    assert float(row["worst param dev"]) <= 1e-7, row


@pytest.mark.parametrize("problem", ["quadratic", "mlp"])
def test_quadratic_and_mlp_float32_close(problem):
    row = sl.run_lbfgs(problem, "float32", "defaults", steps=1)
    assert float(row["worst param dev"]) <= 1e-4, row
    assert row["status"] != "FAIL", row  # the state near the optimum is noise: see parity


# -- state and state_dict ----------------------------------------------------------------------
def describe(value):
    """The kind of each state entry: a tensor's dtype and shape, a number's type, lists."""
    if isinstance(value, list):
        return [describe(v) for v in value]
    if isinstance(value, (minitorch.Tensor, torch.Tensor)):
        return ("tensor", str(value.dtype).split(".")[-1], tuple(value.shape))
    return type(value).__name__


@pytest.mark.parametrize("hp", [{}, {"line_search_fn": "strong_wolfe", "history_size": 3}])
def test_state_dict_has_torchs_layout(hp):
    _, mine = run(minitorch, np.float32, steps=2, **hp)
    _, theirs = run(torch, np.float32, steps=2, **hp)
    sm, st = mine.state_dict(), theirs.state_dict()
    assert list(sm["state"]) == list(st["state"]) == [0]  # all of it under the first parameter
    assert sorted(sm["state"][0]) == sorted(st["state"][0])
    assert {k: describe(v) for k, v in sm["state"][0].items()} == \
        {k: describe(v) for k, v in st["state"][0].items()}
    assert sm["param_groups"] == st["param_groups"]


def test_state_dict_round_trip_continues_the_same_trajectory():
    hp = {"line_search_fn": "strong_wolfe", "history_size": 4, "max_iter": 5}
    straight, _ = run(minitorch, np.float64, steps=6, **hp)
    first, opt = run(minitorch, np.float64, steps=3, **hp)
    saved = copy.deepcopy(opt.state_dict())
    xy = minitorch.tensor(first[-1][0].copy(), requires_grad=True)
    fresh = LBFGS([xy], **hp)
    fresh.load_state_dict(saved)

    def closure():
        fresh.zero_grad()
        loss = rosenbrock(xy)
        loss.backward()
        return loss

    for point, loss in straight[3:]:
        assert fresh.step(closure).item() == loss
        np.testing.assert_array_equal(xy.array, point)
