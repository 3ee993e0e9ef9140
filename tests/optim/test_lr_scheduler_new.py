"""The wave-2 lr schedulers against torch's: lr sequences to the bit, state_dicts, errors.

ReduceLROnPlateau, CosineAnnealingWarmRestarts, CyclicLR, PolynomialLR,
ConstantLR, MultiplicativeLR, SequentialLR and ChainedScheduler. torch computes
lrs in Python floats, so every comparison here is ==, never approx. The cases
of parity/schedulers_lbfgs.py run here too (100 epochs, resumed from torch's
own state_dict halfway).
"""

from __future__ import annotations

import copy
import re
import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.optim import lr_scheduler as mls
from parity import schedulers_lbfgs as sl


def make(lib, opt="SGD", lrs=(0.1, 0.05)):
    params = [lib.tensor(np.zeros(2), requires_grad=True),
              lib.tensor(np.zeros(3), requires_grad=True)]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, lrs)]
    if opt == "SGD":
        return lib.optim.SGD(groups, momentum=0.9)
    return getattr(lib.optim, opt)(groups)


def sched_module(lib):
    return mls if lib is minitorch else torch.optim.lr_scheduler


def lr_sequence(lib, build, epochs=120, step=lambda s, e: s.step(), opt="SGD"):
    o = make(lib, opt)
    s = build(sched_module(lib), o)
    seq = [list(s.get_last_lr())]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in range(1, epochs + 1):
            o.step()
            step(s, epoch)
            seq.append(list(s.get_last_lr()))
    return seq, s, o


def assert_same_sequence(build, **kw):
    mine, s_mine, _ = lr_sequence(minitorch, build, **kw)
    theirs, s_theirs, _ = lr_sequence(torch, build, **kw)
    assert mine == theirs  # bit for bit: torch computes these in Python floats
    return s_mine, s_theirs


# -- every parity case: 100 epochs equal, torch's state_dict keys, resumed from torch's state --
@pytest.mark.parametrize("name", list(sl.SCHED_CASES))
def test_parity_case_bit_equal_and_resumable(name):
    res = sl.run_scheduler(name, 100)
    assert res["equal"], res["detail"]
    assert res["keys"], res["detail"]
    assert res["resumed"], res["detail"]


# -- the formulas over 120 epochs, written out here ---------------------------------------
@pytest.mark.parametrize("kw", [dict(), dict(total_iters=30, power=0.7), dict(total_iters=1)])
def test_polynomial_lr(kw):
    assert_same_sequence(lambda m, o: m.PolynomialLR(o, **kw))


@pytest.mark.parametrize("kw", [dict(), dict(factor=0.5, total_iters=0), dict(factor=1.0)])
def test_constant_lr(kw):
    assert_same_sequence(lambda m, o: m.ConstantLR(o, **kw))


def test_multiplicative_lr_with_one_function_per_group():
    assert_same_sequence(lambda m, o: m.MultiplicativeLR(
        o, [lambda e: 0.9 if e % 2 else 1.01, lambda e: 0.99]))


@pytest.mark.parametrize("kw", [dict(T_0=7), dict(T_0=2, T_mult=3, eta_min=0.01)])
def test_cosine_warm_restarts(kw):
    assert_same_sequence(lambda m, o: m.CosineAnnealingWarmRestarts(o, **kw))


def test_cosine_warm_restarts_fractional_and_jumping_epochs():
    def step(s, epoch):
        for frac in (0.0, 0.3, 0.7):
            s.step(epoch + frac)  # within an epoch, as with batch / n_batches
        if epoch % 17 == 0:
            s.step(epoch * 2.5)  # jump ahead into a later period (closed form for T_mult > 1)

    for kw in (dict(T_0=5, T_mult=2, eta_min=1e-3), dict(T_0=4)):
        assert_same_sequence(lambda m, o, kw=kw: m.CosineAnnealingWarmRestarts(o, **kw),
                             step=step)


@pytest.mark.parametrize("kw", [
    dict(mode="triangular"),
    dict(mode="triangular2", step_size_down=3),
    dict(mode="exp_range", gamma=0.99),
    dict(scale_fn=lambda x: 1 / (x + 1)),
    dict(scale_fn=lambda x: 0.97**x, scale_mode="iterations"),
])
def test_cyclic_lr_modes_and_momentum(kw):
    def snapshot_step(s, epoch):
        s.step()

    build = lambda m, o: m.CyclicLR(o, base_lr=[0.01, 0.001], max_lr=[0.2, 0.05],  # noqa: E731
                                    step_size_up=6, **kw)
    mine, s_mine, o_mine = lr_sequence(minitorch, build, step=snapshot_step)
    theirs, s_theirs, o_theirs = lr_sequence(torch, build, step=snapshot_step)
    assert mine == theirs
    assert [g["momentum"] for g in o_mine.param_groups] == \
        [g["momentum"] for g in o_theirs.param_groups]


def test_cyclic_lr_cycles_adams_beta1():
    build = lambda m, o: m.CyclicLR(o, base_lr=1e-3, max_lr=1e-2, step_size_up=5)  # noqa: E731
    _, _, o_mine = lr_sequence(minitorch, build, epochs=13, opt="Adam")
    _, _, o_theirs = lr_sequence(torch, build, epochs=13, opt="Adam")
    assert [g["betas"] for g in o_mine.param_groups] == [g["betas"] for g in o_theirs.param_groups]


@pytest.mark.parametrize("kw", [
    dict(),
    dict(mode="max", factor=0.5, patience=2, threshold=0.05, cooldown=3),
    dict(threshold_mode="abs", threshold=0.02, min_lr=[0.02, 1e-3], patience=1),
    dict(patience=0, factor=0.9, eps=1e-3),
])
def test_reduce_lr_on_plateau(kw):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.94, 0.96, 0.8, 0.81, 0.82, 0.83] * 12
    _, s_mine = assert_same_sequence(lambda m, o: m.ReduceLROnPlateau(o, **kw),
                                     step=lambda s, e: s.step(metrics[e - 1]))
    mine, theirs = assert_same_sequence(lambda m, o: m.ReduceLROnPlateau(o, **kw),
                                        step=lambda s, e: s.step(-metrics[e - 1]))
    assert mine.state_dict() == theirs.state_dict()  # every key and value, torch's own


def test_reduce_lr_on_plateau_takes_a_tensor_metric_and_a_deprecated_epoch():
    o = make(minitorch)
    s = mls.ReduceLROnPlateau(o, patience=0)
    s.step(minitorch.tensor(1.0))
    s.step(minitorch.tensor(2.0))
    assert s.get_last_lr() == [0.1 * 0.1, 0.05 * 0.1]
    with pytest.warns(UserWarning, match="epoch parameter"):
        s.step(3.0, epoch=10)
    assert s.last_epoch == 10


def test_sequential_lr_milestones_and_chained_scheduler():
    assert_same_sequence(lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.2, total_iters=4), m.ExponentialLR(o, gamma=0.9),
            m.PolynomialLR(o, total_iters=20)], milestones=[6, 30]))
    assert_same_sequence(lambda m, o: m.ChainedScheduler(
        [m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
         m.MultiplicativeLR(o, lambda e: 0.98)]))


# -- state_dict ------------------------------------------------------------------------------
def test_state_dicts_have_torchs_keys_and_values():
    builds = [
        lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=3, mode="exp_range", gamma=0.9),
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
        lambda m, o: m.PolynomialLR(o, total_iters=9, power=2.0),
        lambda m, o: m.ConstantLR(o, factor=0.5),
        lambda m, o: m.SequentialLR(o, [m.ConstantLR(o), m.PolynomialLR(o)], milestones=[3]),
    ]
    for build in builds:
        _, mine, _ = lr_sequence(minitorch, build, epochs=7)
        _, theirs, _ = lr_sequence(torch, build, epochs=7)
        assert mine.state_dict() == theirs.state_dict()


def test_lambdas_are_not_saved_but_callable_objects_are():
    class Scale:
        def __init__(self):
            self.k = 0.5

        def __call__(self, x):
            return self.k**x

    o = make(minitorch)
    s = mls.CyclicLR(o, 0.01, 0.1, scale_fn=lambda x: 1.0)
    assert s.state_dict()["_scale_fn_custom"] is None
    s = mls.CyclicLR(o, 0.01, 0.1, scale_fn=Scale())
    state = s.state_dict()
    assert state["_scale_fn_custom"] == {"k": 0.5} and "_scale_fn_ref" not in state
    state["_scale_fn_custom"] = {"k": 0.25}
    s.load_state_dict(state)
    assert s._scale_fn_custom.k == 0.25
    m = mls.MultiplicativeLR(make(minitorch), [Scale(), lambda e: 1.0])
    assert m.state_dict()["lr_lambdas"] == [{"k": 0.5}, None]


def test_load_state_dict_round_trip_continues_the_same_sequence():
    build = lambda m, o: m.SequentialLR(  # noqa: E731
        o, [m.CosineAnnealingWarmRestarts(o, T_0=4), m.MultiplicativeLR(o, lambda e: 0.9)],
        milestones=[15])
    straight, _, _ = lr_sequence(minitorch, build, epochs=40)
    first, s, o = lr_sequence(minitorch, build, epochs=20)
    saved_s, saved_o = copy.deepcopy(s.state_dict()), copy.deepcopy(o.state_dict())
    o2 = make(minitorch)
    s2 = build(mls, o2)
    o2.load_state_dict(saved_o)
    s2.load_state_dict(saved_s)
    rest = []
    for _ in range(20):
        o2.step()
        s2.step()
        rest.append(s2.get_last_lr())
    assert first + rest == straight


def test_reduce_lr_on_plateau_load_state_dict_restores_the_comparison():
    o = make(minitorch)
    s = mls.ReduceLROnPlateau(o, mode="max", threshold_mode="abs")
    state = s.state_dict()
    s2 = mls.ReduceLROnPlateau(make(minitorch))
    s2.load_state_dict(state)
    assert s2.mode_worse == -np.inf and s2._is_better(1.0, 0.5)


# -- errors: torch's class and message -------------------------------------------------------
def torch_error(fn):
    with pytest.raises(Exception) as info:
        fn(torch)
    return info.type, str(info.value)


BAD = {
    "plateau mode": lambda lib: sched_module(lib).ReduceLROnPlateau(make(lib), mode="mean"),
    "plateau threshold mode": lambda lib: sched_module(lib).ReduceLROnPlateau(
        make(lib), threshold_mode="pct"),
    "plateau factor": lambda lib: sched_module(lib).ReduceLROnPlateau(make(lib), factor=1.0),
    "plateau min_lr": lambda lib: sched_module(lib).ReduceLROnPlateau(make(lib), min_lr=[0.1]),
    "plateau not an optimizer": lambda lib: sched_module(lib).ReduceLROnPlateau(object()),
    "warm T_0": lambda lib: sched_module(lib).CosineAnnealingWarmRestarts(make(lib), T_0=0),
    "warm T_0 float": lambda lib: sched_module(lib).CosineAnnealingWarmRestarts(make(lib), 2.0),
    "warm T_mult": lambda lib: sched_module(lib).CosineAnnealingWarmRestarts(
        make(lib), 3, T_mult=0),
    "warm eta_min": lambda lib: sched_module(lib).CosineAnnealingWarmRestarts(
        make(lib), 3, eta_min="0"),
    "warm negative epoch": lambda lib: sched_module(lib).CosineAnnealingWarmRestarts(
        make(lib), 3).step(-1),
    "cyclic mode": lambda lib: sched_module(lib).CyclicLR(make(lib), 0.1, 1.0, mode="sine"),
    "cyclic no momentum": lambda lib: sched_module(lib).CyclicLR(
        make(lib, "Adagrad"), 0.1, 1.0),
    "cyclic base_lr list": lambda lib: sched_module(lib).CyclicLR(make(lib), [0.1], 1.0),
    "constant factor": lambda lib: sched_module(lib).ConstantLR(make(lib), factor=1.5),
    "multiplicative count": lambda lib: sched_module(lib).MultiplicativeLR(
        make(lib), [lambda e: 1.0]),
    "multiplicative not callable": lambda lib: sched_module(lib).MultiplicativeLR(
        make(lib), 0.9),
    "sequential milestones": lambda lib: (lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o), m.ConstantLR(o)], milestones=[1, 2]))(sched_module(lib), make(lib)),
    "sequential empty": lambda lib: sched_module(lib).SequentialLR(make(lib), [], []),
    "sequential plateau": lambda lib: (lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o), m.ReduceLROnPlateau(o)], milestones=[2]))(
        sched_module(lib), make(lib)),
    "chained empty": lambda lib: sched_module(lib).ChainedScheduler([]),
    "chained plateau": lambda lib: (lambda m, o: m.ChainedScheduler(
        [m.ReduceLROnPlateau(o)]))(sched_module(lib), make(lib)),
}


@pytest.mark.parametrize("case", list(BAD))
def test_errors_match_torch(case):
    cls, msg = torch_error(BAD[case])
    with pytest.raises(cls, match="^" + re.escape(msg) + "$"):
        BAD[case](minitorch)


def test_schedulers_of_another_optimizer_are_refused():
    for lib in (minitorch, torch):
        m, o1, o2 = sched_module(lib), make(lib), make(lib)
        with pytest.raises(ValueError, match="expects all schedulers to belong to the same"):
            m.SequentialLR(o1, [m.ConstantLR(o1), m.ConstantLR(o2)], milestones=[2])
        with pytest.raises(ValueError, match="expects all schedulers to belong to the same"):
            m.ChainedScheduler([m.ConstantLR(o1), m.ConstantLR(o2)])


def test_plateau_with_a_new_group_and_a_min_lr_list_raises_torchs_runtime_error():
    for lib in (minitorch, torch):
        o = make(lib)
        s = sched_module(lib).ReduceLROnPlateau(o, patience=0, min_lr=[0.0, 0.0])
        o.add_param_group({"params": [lib.tensor(np.zeros(1), requires_grad=True)]})
        s.step(1.0)
        with pytest.raises(RuntimeError, match="differs from when `ReduceLROnPlateau`"):
            s.step(2.0)
