"""Adadelta, Adamax, NAdam, RAdam, Rprop and ASGD against torch.optim.

Gradients are set by hand from NumPy, so these tests pin the update rules
alone (parity/optim_trajectories.py runs them through autograd for 100
steps). With torch's sqrt swapped in, every trajectory must be bit-exact;
with NumPy's, within a few ulps. Also: signatures and defaults, torch's
ValueErrors, the implementation switches (foreach, capturable,
differentiable), tensor lr, state_dict round trips and failed steps.
"""

from __future__ import annotations

import copy
import inspect
import itertools

import numpy as np
import pytest
import torch

import minitorch.optim as mo
from minitorch.optim import adadelta as adadelta_mod
from minitorch.optim import nadam as nadam_mod
from minitorch.optim import radam as radam_mod
from minitorch.tensor import Tensor

NEW = ("Adadelta", "Adamax", "NAdam", "RAdam", "Rprop", "ASGD")
SHAPES = ((), (3,), (40,), (5, 7))  # 0-d, under and over one SIMD vector, 2-D
LR = {"Adadelta": 0.5, "Adamax": 0.02, "NAdam": 0.02, "RAdam": 0.02, "Rprop": 0.01, "ASGD": 0.05}


def grid(**options: list) -> list[dict]:
    return [dict(zip(options, values)) for values in itertools.product(*options.values())]


GRID = {
    "Adadelta": grid(rho=[0.9, 0.5], eps=[1e-6, 1e-3], weight_decay=[0, 0.1],
                     maximize=[False, True]),
    "Adamax": grid(betas=[(0.9, 0.999), (0.5, 0.9)], eps=[1e-8, 1e-3], weight_decay=[0, 0.1],
                   maximize=[False, True]),
    "NAdam": grid(momentum_decay=[4e-3, 0.1], weight_decay=[0, 0.1],
                  decoupled_weight_decay=[False, True], maximize=[False, True]),
    "RAdam": grid(betas=[(0.9, 0.999), (0.5, 0.9)], weight_decay=[0, 0.1],
                  decoupled_weight_decay=[False, True], maximize=[False, True]),
    "Rprop": grid(etas=[(0.5, 1.2), (0.3, 1.5)], step_sizes=[(1e-6, 50), (1e-3, 0.05)],
                  maximize=[False, True]),
    "ASGD": grid(lambd=[1e-4, 0.1], alpha=[0.75, 1.0], t0=[1e6, 3.0], weight_decay=[0, 0.1],
                 maximize=[False, True]),
}


def mt_param(a: np.ndarray, requires_grad: bool = True) -> Tensor:
    return Tensor._make(np.array(a, copy=True), requires_grad, None)


def th_param(a: np.ndarray, requires_grad: bool = True) -> torch.Tensor:
    return torch.tensor(np.array(a, copy=True), requires_grad=requires_grad)


def set_grads(mps, tps, grads) -> None:
    for m, t, g in zip(mps, tps, grads):
        m.grad = None if g is None else Tensor._make(g.copy(), False, None)
        t.grad = None if g is None else torch.from_numpy(g.copy())


def worst_gap(mopt, topt, mps, tps) -> float:
    """The largest difference over params and state, in ulps of each tensor's largest entry;
    state keys and dtypes must be torch's."""
    worst = 0.0
    for m, t in zip(mps, tps):
        pairs = [(m.array, t.detach().numpy())]
        assert set(mopt.state[m]) == set(topt.state[t])
        for k, v in topt.state[t].items():
            assert mopt.state[m][k].array.dtype == v.numpy().dtype, k
            assert mopt.state[m][k].shape == tuple(v.shape), k
            pairs.append((mopt.state[m][k].array, v.numpy()))
        for a, b in pairs:
            eps = np.finfo(b.dtype).eps
            with np.errstate(invalid="ignore"):
                gap = np.abs(a.astype(np.float64) - b) / (np.abs(b).max() * eps + 1e-300)
            worst = max(worst, float(np.max(gap)) if gap.size else 0.0)
    return worst


def run_both(name, hp, dtype, steps=12, seed=0, mt_hp=None, th_hp=None, reload_at=None,
             requires_grad=True):
    """Both optimizers on the same hand-set gradients; returns the worst ulp gap.

    reload_at: after that step both engines save state_dict() and go on with a fresh
    optimizer over fresh parameters that loads it.
    """
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    mps = [mt_param(a, requires_grad) for a in init]
    tps = [th_param(a, requires_grad) for a in init]
    mt_kw = {**hp, "lr": LR[name], **(mt_hp or {})}
    th_kw = {**hp, "lr": LR[name], "foreach": False, **(th_hp or {})}
    mopt = getattr(mo, name)(mps, **mt_kw)
    topt = getattr(torch.optim, name)(tps, **th_kw)
    worst = 0.0
    for i in range(1, steps + 1):
        set_grads(mps, tps, [rng.standard_normal(s).astype(dtype) for s in SHAPES])
        mopt.step()
        topt.step()
        worst = max(worst, worst_gap(mopt, topt, mps, tps))
        if i == reload_at:
            saved_m, saved_t = copy.deepcopy(mopt.state_dict()), copy.deepcopy(topt.state_dict())
            mps = [mt_param(p.array, requires_grad) for p in mps]
            tps = [th_param(p.detach().numpy(), requires_grad) for p in tps]
            mopt = getattr(mo, name)(mps, **mt_kw)
            topt = getattr(torch.optim, name)(tps, **th_kw)
            mopt.load_state_dict(saved_m)
            topt.load_state_dict(saved_t)
    return worst


class _TorchSqrtNumPy:
    """NumPy, except that sqrt is torch's: to show that sqrt is the only difference."""

    def __getattr__(self, name):
        return getattr(np, name)

    @staticmethod
    def sqrt(x):
        return torch.from_numpy(np.array(x, copy=True)).sqrt().numpy()


@pytest.fixture
def torch_sqrt(monkeypatch):
    for module in (adadelta_mod, nadam_mod, radam_mod):
        monkeypatch.setattr(module, "np", _TorchSqrtNumPy())


# -- signatures, defaults, construction errors ----------------------------------------------
@pytest.mark.parametrize("name", NEW)
def test_signature_defaults_and_param_groups_match_torch(name):
    mine = inspect.signature(getattr(mo, name).__init__).parameters
    theirs = inspect.signature(getattr(torch.optim, name).__init__).parameters
    assert [(k, p.kind, p.default) for k, p in mine.items()] == [
        (k, p.kind, p.default) for k, p in theirs.items()]
    m = getattr(mo, name)([mt_param(np.zeros(2))])
    t = getattr(torch.optim, name)([th_param(np.zeros(2))])
    assert m.defaults == t.defaults
    assert m.state_dict()["param_groups"] == t.state_dict()["param_groups"]


BAD_HPS = {
    "Adadelta": [dict(lr=-1.0), dict(rho=1.5), dict(rho=-0.1), dict(eps=-1.0),
                 dict(weight_decay=-1.0), dict(lr=float("nan"))],
    "Adamax": [dict(lr=-1.0), dict(eps=-1.0), dict(betas=(1.0, 0.9)), dict(betas=(0.9, 1.0)),
               dict(betas=(-0.1, 0.9)), dict(weight_decay=-1.0)],
    "NAdam": [dict(lr=-1.0), dict(eps=-1.0), dict(betas=(1.0, 0.9)), dict(betas=(0.9, -1.0)),
              dict(weight_decay=-1.0), dict(momentum_decay=-1.0)],
    "RAdam": [dict(lr=-1.0), dict(eps=-1.0), dict(betas=(1.0, 0.9)), dict(betas=(0.9, 1.0)),
              dict(weight_decay=-1.0)],
    "Rprop": [dict(lr=-1.0), dict(etas=(1.0, 1.2)), dict(etas=(0.5, 1.0)), dict(etas=(0.0, 2.0)),
              dict(etas=(0.5, 0.9))],
    "ASGD": [dict(lr=-1.0), dict(weight_decay=-1.0)],
}


@pytest.mark.parametrize("name,hp", [(n, hp) for n, hps in BAD_HPS.items() for hp in hps])
def test_invalid_hyperparameters_raise_torchs_value_error(name, hp):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([th_param(np.zeros(2))], **hp)
    with pytest.raises(ValueError) as mine:
        getattr(mo, name)([mt_param(np.zeros(2))], **hp)
    assert str(mine.value) == str(theirs.value)


@pytest.mark.parametrize("name", NEW)
def test_tensor_lr_must_have_one_element_and_fused_is_refused(name):
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        getattr(mo, name)([mt_param(np.zeros(2))], lr=Tensor._make(np.ones(2), False, None))
    with pytest.raises(TypeError, match="fused"):
        getattr(torch.optim, name)([th_param(np.zeros(2))], fused=True)
    with pytest.raises(TypeError, match="fused"):
        getattr(mo, name)([mt_param(np.zeros(2))], fused=True)


# -- trajectories -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bit_exact_with_torchs_sqrt(name, dtype, torch_sqrt):
    for hp in GRID[name]:
        assert run_both(name, hp, dtype) == 0.0, hp


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_within_a_few_ulps_with_numpys_sqrt(name, dtype):
    # torch's CPU sqrt (MKL) is not correctly rounded, NumPy's is: an ulp here and there,
    # in ulps of each tensor's largest entry (Adadelta's first steps are √ε-sized, so one ulp
    # of its delta is many ulps of the tiny acc_delta next to it).
    worst = max(run_both(name, hp, dtype) for hp in GRID[name][::3])  # a third: it is slow
    assert worst < 128, worst


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("lr_dtype", [torch.float32, torch.float64])
def test_tensor_lr_rounds_as_torchs_0d_tensor_arithmetic(name, lr_dtype, torch_sqrt):
    lr = np.array(LR[name], dtype=str(lr_dtype).split(".")[1])
    hp = dict(GRID[name][-1])  # the richest configuration
    for dtype in (np.float32, np.float64):
        gap = run_both(name, hp, dtype,
                       mt_hp={"lr": Tensor._make(lr.copy(), False, None)},
                       th_hp={"lr": torch.from_numpy(lr.copy())})
        assert gap == 0.0, dtype


@pytest.mark.parametrize("name", NEW)
def test_foreach_none_is_the_single_tensor_path_and_true_is_close(name, torch_sqrt):
    hp = dict(GRID[name][-1])
    for dtype in (np.float32, np.float64):
        assert run_both(name, hp, dtype, th_hp={"foreach": None}) == 0.0
        # torch's foreach path reorders a few operations (ASGD folds the decay into one
        # addcmul, NAdam and RAdam regroup their scalars): an ulp-level difference, a known one
        assert run_both(name, hp, dtype, mt_hp={"foreach": True}, th_hp={"foreach": True}) < 64


# -- the implementation switches --------------------------------------------------------------
@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("switches", [{"capturable": True}, {"differentiable": True},
                                      {"differentiable": True, "foreach": True},
                                      {"capturable": True, "foreach": True}])
def test_switches_torch_refuses_on_cpu_raise_its_error_before_any_update(name, switches):
    init = [np.ones(3), np.ones(2)]
    tps = [th_param(a) for a in init]
    topt = getattr(torch.optim, name)(tps, **switches)
    mps = [mt_param(a) for a in init]
    mopt = getattr(mo, name)(mps, **switches)
    set_grads(mps, tps, [np.full(3, 0.5), np.full(2, 0.5)])
    with pytest.raises((AssertionError, RuntimeError)) as theirs:
        topt.step()
    with pytest.raises(theirs.type) as mine:
        mopt.step()
    assert str(mine.value) == str(theirs.value)
    for p, a in zip(mps, init):
        np.testing.assert_array_equal(p.array, a)


@pytest.mark.parametrize("name", NEW)
def test_differentiable_without_requires_grad_steps_like_torch(name, torch_sqrt):
    # torch runs its differentiable branch (NAdam's arithmetic differs) when nothing tracks grad
    hp = dict(GRID[name][-1], differentiable=True)
    for dtype in (np.float32, np.float64):
        assert run_both(name, hp, dtype, requires_grad=False) == 0.0


# -- state_dict -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NEW)
def test_state_dict_round_trip_continues_as_torch(name, torch_sqrt):
    # NAdam's mu_product and ASGD's eta and mu are float32 until a load casts them to the
    # parameter's dtype (torch does the same), so torch reloads too and both must agree
    hp = dict(GRID[name][-1])
    for dtype in (np.float32, np.float64):
        assert run_both(name, hp, dtype, steps=10, reload_at=5) == 0.0


@pytest.mark.parametrize("name", NEW)
def test_state_dict_round_trip_equals_an_uninterrupted_run(name):
    hp = dict(GRID[name][-1])
    rng = np.random.default_rng(5)
    init = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in SHAPES] for _ in range(8)]
    runs = []
    for reload in (False, True):
        ps = [mt_param(a) for a in init]
        opt = getattr(mo, name)(ps, lr=LR[name], **hp)
        for i, gs in enumerate(grads):
            for p, g in zip(ps, gs):
                p.grad = Tensor._make(g.copy(), False, None)
            opt.step()
            if reload and i == 3:
                saved = copy.deepcopy(opt.state_dict())
                ps = [mt_param(p.array) for p in ps]
                opt = getattr(mo, name)(ps, lr=LR[name], **hp)
                opt.load_state_dict(saved)
        runs.append([p.array.copy() for p in ps])
    for a, b in zip(*runs):  # float32 params: the load casts nothing, so bit-equal
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", NEW)
def test_state_dict_structure_matches_torch(name):
    m = getattr(mo, name)([mt_param(np.ones(3)), mt_param(np.ones(2))], lr=LR[name])
    t = getattr(torch.optim, name)([th_param(np.ones(3)), th_param(np.ones(2))], lr=LR[name])
    for opt, lib in ((m, "mt"), (t, "torch")):
        for p in opt.param_groups[0]["params"][:1]:
            p.grad = (Tensor._make(np.ones(3), False, None) if lib == "mt"
                      else torch.ones(3, dtype=torch.float64))
        opt.step()
    sm, st = m.state_dict(), t.state_dict()
    assert sm["param_groups"] == st["param_groups"]
    assert sorted(sm["state"]) == sorted(st["state"]) == [0]
    for k, v in st["state"][0].items():
        mine = sm["state"][0][k]
        assert (mine.array.dtype, mine.shape) == (v.numpy().dtype, tuple(v.shape)), k
        np.testing.assert_allclose(mine.array, v.numpy(), rtol=1e-6)


# -- grad None, failed steps ------------------------------------------------------------------
@pytest.mark.parametrize("name", NEW)
def test_param_without_grad_is_skipped_entirely(name):
    a, b = mt_param(np.ones(3)), mt_param(np.ones(3))
    opt = getattr(mo, name)([a, b], lr=0.1)
    a.grad = Tensor._make(np.full(3, 0.5), False, None)
    opt.step()
    np.testing.assert_array_equal(b.array, np.ones(3))
    assert b not in opt.state
    assert not np.array_equal(a.array, np.ones(3))


@pytest.mark.parametrize("name", NEW)
def test_failed_step_changes_nothing(name):
    a, b = mt_param(np.ones(3)), mt_param(np.ones(4))
    opt = getattr(mo, name)([a, b], lr=0.1)
    a.grad = Tensor._make(np.full(3, 0.5), False, None)
    b.grad = Tensor._make(np.full(4, 0.5), False, None)
    opt.step()
    params_before = [a.array.copy(), b.array.copy()]
    state_before = copy.deepcopy({k: v.array for k, v in opt.state[a].items()})
    b.grad = Tensor._make(np.ones(3), False, None)  # wrong shape, on the second parameter
    with pytest.raises(RuntimeError, match=rf"{name}.step: parameter 1.*\(3,\).*\(4,\)"):
        opt.step()
    np.testing.assert_array_equal(a.array, params_before[0])
    np.testing.assert_array_equal(b.array, params_before[1])
    assert {k: v.array.tolist() for k, v in opt.state[a].items()} == {
        k: v.tolist() for k, v in state_before.items()}
    opt.state[b]["step"] = Tensor._make(np.zeros(2, np.float32), False, None)  # malformed
    b.grad = Tensor._make(np.ones(4), False, None)
    with pytest.raises(RuntimeError, match="state 'step' must be 0-d"):
        opt.step()
    np.testing.assert_array_equal(a.array, params_before[0])
