"""Issue 12's nn.Module features against torch: hooks, ParameterList/ParameterDict, Bilinear,
channel-wise dropout, named_modules/get_submodule/to, and the repr of every module class.

Most expectations come from running the same code in torch (the cases of
parity/modules_nnmod.py, run here in both engines); the random dropout masks are checked by
their statistics.
"""

from __future__ import annotations

import copy
import math
import pickle
import warnings

import numpy as np
import pytest
import torch

import minitorch as mt
import minitorch.nn.functional as F
from parity.modules import run_api_case, run_module_case
from parity.modules_nnmod import (
    API_CASES,
    COVERS,
    module_class_names,
    nnmod_cases,
    repr_of,
    run_channel_dropout_stats,
)


# -- the parity cases, in both engines --------------------------------------------------------
@pytest.mark.parametrize("name", [n for n in API_CASES if not n.startswith("repr of every")],
                         ids=lambda n: n[:60])  # the reprs: per class, below
def test_api_case_matches_torch(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = run_api_case(API_CASES[name])
    assert out.status == "ok", out.detail


@pytest.mark.parametrize("case", nnmod_cases(), ids=lambda c: c.name[:60])
def test_module_case_matches_torch(case) -> None:
    for mode in case.modes:
        out = run_module_case(case, "float64", mode)
        assert out.status == "ok", out.detail


@pytest.mark.parametrize("name", module_class_names())
def test_repr_matches_torch(name: str) -> None:
    assert repr_of(mt, name) == repr_of(torch, name)


def test_cases_cover_the_new_registered_ops() -> None:
    covered = set(COVERS) | {c for case in nnmod_cases() for c in case.covers}
    for name in ("F.dropout1d", "F.dropout2d", "F.dropout3d", "F.bilinear", "nn.Bilinear",
                 "nn.ParameterList", "nn.ParameterDict"):
        assert name in covered


# -- hooks ------------------------------------------------------------------------------------
def _linear(L, seed_values=True):
    m = L.nn.Linear(3, 2).double()
    with L.no_grad():
        m.weight.copy_(L.from_numpy(np.arange(6.0).reshape(2, 3) / 5 - 0.4))
        m.bias.copy_(L.from_numpy(np.array([0.1, -0.2])))
    return m


def _hooked_grads(L, backward_twice=False, use_grad=False):
    m = _linear(L)
    calls = []
    m.register_full_backward_pre_hook(lambda mod, go: calls.append("pre") or (go[0] * 2,))
    m.register_full_backward_hook(lambda mod, gi, go: calls.append("post") or (gi[0] + 1,))
    x = L.from_numpy(np.linspace(-1, 1, 6).reshape(2, 3)).requires_grad_()
    out = m(x).tanh().sum()
    if use_grad:
        (g,) = L.autograd.grad(out, x)
        return calls, g.numpy()
    out.backward(retain_graph=backward_twice)
    if backward_twice:
        out.backward()
    return calls, x.grad.numpy(), m.weight.grad.numpy()


@pytest.mark.parametrize("kw", [{}, {"backward_twice": True}, {"use_grad": True}])
def test_backward_hooks_with_retain_graph_and_autograd_grad(kw) -> None:
    want, got = _hooked_grads(torch, **kw), _hooked_grads(mt, **kw)
    assert got[0] == want[0]
    for g, w in zip(got[1:], want[1:]):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def test_hooks_do_not_fire_under_no_grad_and_handles_remove() -> None:
    m = mt.nn.Linear(3, 2)
    seen = []
    h = m.register_full_backward_hook(lambda *a: seen.append("b"))
    with mt.no_grad():
        out = m(mt.ones(1, 3, requires_grad=True))
    assert out.grad_fn is None and seen == []
    h.remove()
    assert len(m._backward_hooks) == 0
    with m.register_forward_hook(lambda mod, a, o: seen.append("f")) as handle:
        m(mt.ones(1, 3))
    assert seen == ["f"] and handle.id not in m._forward_hooks
    m(mt.ones(1, 3))
    assert seen == ["f"]


def test_removable_handle_ids_and_extra_dicts_as_torch() -> None:
    m = mt.nn.Linear(1, 1)
    h = m.register_forward_hook(lambda *a: None, with_kwargs=True, always_call=True)
    assert h.id in m._forward_hooks_with_kwargs and h.id in m._forward_hooks_always_called
    h.remove()
    assert not m._forward_hooks and not m._forward_hooks_with_kwargs
    assert not m._forward_hooks_always_called
    h2 = m.register_forward_pre_hook(lambda *a: None)
    assert h2.id > h.id


def test_forward_pre_hook_with_kwargs_must_return_a_pair() -> None:
    for L in (torch, mt):
        m = L.nn.Identity()
        m.register_forward_pre_hook(lambda mod, a, kw: 5, with_kwargs=True)
        with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple"):
            m(L.ones(1))


def test_full_backward_hook_warns_when_no_input_requires_grad() -> None:
    m = mt.nn.Linear(2, 2)
    m.register_full_backward_hook(lambda mod, gi, go: None)
    with pytest.warns(UserWarning, match="Full backward hook is firing"):
        m(mt.ones(1, 2)).sum().backward()


def test_backward_hook_result_of_wrong_shape_is_an_error() -> None:
    for L in (torch, mt):
        m = L.nn.Linear(2, 2)
        m.register_full_backward_hook(lambda mod, gi, go, L=L: (L.ones(3),))
        out = m(L.ones(1, 2, requires_grad=True)).sum()
        with pytest.raises(RuntimeError, match="hook 'hook' has changed the size of value"):
            out.backward()


def test_register_backward_hook_is_refused() -> None:
    with pytest.raises(NotImplementedError, match="register_full_backward_hook"):
        mt.nn.Linear(1, 1).register_backward_hook(lambda *a: None)


def _global_backward(L):
    glob = L.nn.modules.module
    log = []
    seq = L.nn.Sequential(_linear(L), L.nn.Tanh())
    handles = [glob.register_module_full_backward_pre_hook(
                   lambda mod, go: log.append(("gpre", type(mod).__name__))),
               glob.register_module_full_backward_hook(
                   lambda mod, gi, go: log.append(("gpost", type(mod).__name__)))]
    seq[0].register_full_backward_hook(lambda mod, gi, go: log.append(("own", "Linear")))
    try:
        seq(L.ones(2, 3, dtype=L.float64, requires_grad=True)).sum().backward()
    finally:
        for h in handles:
            h.remove()
    seq(L.ones(2, 3, dtype=L.float64, requires_grad=True)).sum().backward()
    return log


def test_global_backward_hooks_match_torch() -> None:
    assert _global_backward(mt) == _global_backward(torch)


def test_module_with_hooks_survives_deepcopy_and_pickle_of_old_state() -> None:
    m = mt.nn.Linear(2, 2)
    m.register_forward_hook(lambda mod, a, o: o * 0)
    c = copy.deepcopy(m)
    assert float(c(mt.ones(1, 2)).abs().sum()) == 0.0
    plain = mt.nn.Linear(2, 2)
    state = dict(plain.__dict__)
    for name in ("_forward_hooks", "_backward_hooks", "_is_full_backward_hook"):
        state.pop(name)  # as a module pickled before hooks existed
    old = mt.nn.Linear.__new__(mt.nn.Linear)
    old.__setstate__(state)
    assert old(mt.ones(1, 2)).shape == (1, 2)
    assert pickle.loads(pickle.dumps(plain))(mt.ones(1, 2)).shape == (1, 2)


# -- containers, Bilinear ---------------------------------------------------------------------
def test_parameter_list_and_dict_feed_an_optimizer() -> None:
    pl = mt.nn.ParameterList([mt.zeros(2), mt.ones(3)])
    pd = mt.nn.ParameterDict({"a": mt.zeros(1)})
    holder = mt.nn.Module()
    holder.pl, holder.pd = pl, pd
    assert [n for n, _ in holder.named_parameters()] == ["pl.0", "pl.1", "pd.a"]
    opt = mt.optim.SGD(holder.parameters(), lr=1.0)
    (pl[0].sum() + pl[1].sum() * 2 + pd["a"].sum() * 3).backward()
    opt.step()
    assert pl[0].tolist() == [-1.0, -1.0] and pl[1].tolist() == [-1.0] * 3
    assert pd["a"].tolist() == [-3.0]


def test_bilinear_init_is_torch_distribution() -> None:
    mt.manual_seed(0)
    m = mt.nn.Bilinear(25, 7, 400)
    bound = 1 / math.sqrt(25)  # torch: U(-1/sqrt(in1_features), 1/sqrt(in1_features))
    for p in (m.weight.detach().numpy(), m.bias.detach().numpy()):
        assert np.abs(p).max() <= bound
        n = p.size
        se = bound / math.sqrt(3) / math.sqrt(n)
        assert abs(p.mean()) < 5 * se
        assert abs(p.std() - bound / math.sqrt(3)) < 5 * bound / math.sqrt(n)
    assert tuple(m.weight.shape) == tuple(torch.nn.Bilinear(25, 7, 400).weight.shape)


def test_bilinear_is_registered_as_torch_has_it() -> None:
    from minitorch.registry import OPS

    op = OPS["bilinear"]
    assert op.function == hasattr(torch, "bilinear") and op.functional
    assert op.method == hasattr(torch.Tensor, "bilinear")
    assert F.bilinear is op.fn


def test_minitorch_bilinear_is_exported() -> None:
    assert mt.bilinear is F.bilinear


# -- channel-wise dropout: the random masks ---------------------------------------------------
@pytest.mark.parametrize("fn,shape,lead", [
    (F.dropout1d, (40, 50, 6), 2), (F.dropout1d, (2000, 6), 1),
    (F.dropout2d, (40, 50, 3, 2), 2), (F.dropout3d, (40, 50, 2, 2, 2), 2),
    (F.dropout3d, (2000, 2, 3, 1), 1)])
def test_channel_dropout_masks_whole_channels(fn, shape, lead) -> None:
    p = 0.3
    mt.manual_seed(1)
    x = mt.ones(*shape, dtype=mt.float32, requires_grad=True)
    y = fn(x, p)
    y.sum().backward()
    v = y.detach().numpy().reshape(shape[:lead] + (-1,))
    per_channel = v[..., 0]
    assert np.all(v == per_channel[..., None])  # one decision per channel
    scale = float(torch.nn.functional.dropout(torch.ones(10_000), p).max())
    assert set(np.unique(per_channel).tolist()) <= {0.0, np.float32(scale)}
    n = per_channel.size
    rate = float((per_channel != 0).mean())
    assert abs(rate - (1 - p)) <= 5 * math.sqrt(p * (1 - p) / n)
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())


def test_parity_channel_dropout_statistics_pass() -> None:
    out = run_channel_dropout_stats()
    assert out.status == "ok", out.detail


def test_channel_dropout_inplace_and_eval() -> None:
    mt.manual_seed(2)
    x = mt.ones(4, 5, 3)
    y = F.dropout1d(x, 0.5, inplace=True)
    assert y is x and set(np.unique(x.numpy()).tolist()) <= {0.0, 2.0}
    m = mt.nn.Dropout2d(0.5).eval()
    z = mt.ones(2, 3, 4, 4)
    assert m(z) is z


def test_dropout2d_warnings_as_torch() -> None:
    for L in (torch, mt):
        with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
            L.nn.functional.dropout2d(L.ones(2, 3, 4))
        with pytest.warns(UserWarning, match="Received a 5-D input to dropout2d"):
            L.nn.functional.dropout2d(L.ones(2, 3, 4, 1, 1))


def test_inplace_op_inside_a_hooked_module_keeps_saved_arrays_intact() -> None:
    """torch refuses an in-place op on the hooked view; minitorch works on a copy, so tanh's
    saved output is untouched and the gradient is the math's (torch, out of place)."""
    grads = []
    for L, inplace in ((torch, False), (mt, True)):
        z = L.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        x = z.tanh()
        m = L.nn.ReLU(inplace=inplace)
        m.register_full_backward_hook(lambda mod, gi, go: None)
        y = m(x)
        (y * y).sum().backward()
        grads.append(z.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)
