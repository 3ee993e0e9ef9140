"""minitorch.nn against torch: modules, state_dict, init, conv/pool, losses, and planted bugs.

Fast by design (a few seconds): the full sweeps live in parity/ (nn_table.py, modules.py,
training_runs.py); here we run their quick subsets, a few direct comparisons, and plant
one bug per family to show that the comparison catches it.
"""

from __future__ import annotations

import collections
import math

import numpy as np
import pytest
import torch

import minitorch as mt
from parity import modules as pm
from parity import training_runs as tr
from parity.compare import DEFAULT_TOLERANCE
from parity.nn_table import ROWS
from parity.runner import run_row

torch.set_num_threads(1)
NN_ROWS = {r.name: r for r in ROWS}


def close(a, e, dtype: str = "float64") -> None:
    rtol, atol = DEFAULT_TOLERANCE[dtype]
    np.testing.assert_allclose(pm.to_numpy(a), pm.to_numpy(e), rtol=rtol, atol=atol)


def both(fn, *arrays, grad=True):
    """fn(lib, *tensors) in both engines; returns (mt out, torch out, mt grads, torch grads)."""
    res = {}
    for lib in (mt, torch):
        ts = [pm.make_input(lib, a, grad and a.dtype.kind == "f") for a in arrays]
        out = fn(lib, *ts)
        grads = []
        if grad and out.requires_grad:
            g = np.random.default_rng(7).standard_normal(tuple(out.shape)).astype(
                pm.to_numpy(out).dtype)
            out.backward(lib.from_numpy(g))
            grads = [t.grad for t in ts if t.requires_grad]
        res[lib.__name__] = (out, grads)
    (mo, mg), (to, tg) = res["minitorch"], res["torch"]
    return mo, to, mg, tg


# -- Module: registration, state_dict, load_state_dict ---------------------------------------
class Net:
    @staticmethod
    def make(lib):
        class N(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = lib.nn.Conv2d(1, 2, 3)
                self.bn = lib.nn.BatchNorm2d(2)
                self.head = lib.nn.Sequential(lib.nn.Flatten(), lib.nn.Linear(8, 3))
                self.scale = lib.nn.Parameter(lib.ones(1))
                self.register_buffer("steps", lib.zeros(1))
                self.register_buffer("scratch", lib.zeros(1), persistent=False)
                self.plain = 3  # not registered

            def forward(self, x):
                return self.head(self.bn(self.conv(x))) * self.scale

        return N()


def test_registration_and_state_dict_keys_match_torch():
    m, t = Net.make(mt), Net.make(torch)
    assert list(m.state_dict()) == list(t.state_dict())
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in m.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in m.named_children()] == ["conv", "bn", "head"]
    assert "bn.num_batches_tracked" in m.state_dict() and "scratch" not in m.state_dict()
    assert m.state_dict()["bn.num_batches_tracked"].dtype == mt.int64
    assert isinstance(m.scale, mt.nn.Parameter) and m.plain == 3
    m.extra = mt.nn.Linear(2, 2)  # assigning a module registers it ...
    assert "extra.weight" in m.state_dict()
    del m.extra  # ... and deleting it unregisters it
    assert "extra.weight" not in m.state_dict()
    with pytest.raises(AttributeError):
        _ = m.missing


def test_load_state_dict_copies_and_keeps_target_dtype():
    t, m = Net.make(torch), Net.make(mt)
    weight = m.conv.weight
    m.load_state_dict(pm.torch_state_to_mt(t.double().state_dict()))  # float64 into float32
    assert m.conv.weight is weight and m.conv.weight.dtype == mt.float32
    close(m.conv.weight, t.conv.weight.float(), "float32")
    assert m.bn.num_batches_tracked.dtype == mt.int64


def test_load_state_dict_errors_like_torch():
    for lib in (mt, torch):
        m = Net.make(lib)
        sd = dict(m.state_dict())
        missing = {k: v for k, v in sd.items() if k != "bn.running_var"}
        with pytest.raises(RuntimeError, match="Missing key"):
            m.load_state_dict(missing)
        with pytest.raises(RuntimeError, match="Unexpected key"):
            m.load_state_dict(dict(sd, **{"head.1.foo": lib.zeros(1)}))
        bad = dict(sd, **{"head.1.weight": lib.zeros(3, 9)})
        with pytest.raises(RuntimeError, match="size mismatch"):
            m.load_state_dict(bad, strict=False)  # shapes are checked even when not strict
        res = m.load_state_dict(dict(missing, extra=lib.zeros(1)), strict=False)
        assert res.missing_keys == ["bn.running_var"] and res.unexpected_keys == ["extra"]


def test_train_eval_to_zero_grad_apply():
    m = Net.make(mt)
    m.eval()
    assert not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())
    m(mt.ones(2, 1, 4, 4)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    p = m.conv.weight
    m.to(mt.float64)
    assert m.conv.weight is p and p.dtype == mt.float64 and m.steps.dtype == mt.float64
    assert m.bn.num_batches_tracked.dtype == mt.int64
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Conv2d", "BatchNorm2d", "Flatten", "Linear", "Sequential", "N"]


MODULES_FOR_REPR = [
    lambda L: L.nn.Linear(3, 2),
    lambda L: L.nn.Conv2d(4, 8, (3, 2), stride=2, padding=1, groups=2, bias=False),
    lambda L: L.nn.Conv1d(2, 4, 3, padding="same"),
    lambda L: L.nn.BatchNorm2d(3, momentum=None),
    lambda L: L.nn.LayerNorm((3, 4), elementwise_affine=False),
    lambda L: L.nn.Embedding(10, 3, padding_idx=0),
    lambda L: L.nn.MaxPool2d(3, 2, 1),
    lambda L: L.nn.AvgPool2d(2),
    lambda L: L.nn.Dropout(0.2),
    lambda L: L.nn.GELU("tanh"),
    lambda L: L.nn.CrossEntropyLoss(label_smoothing=0.1),
    lambda L: L.nn.Sequential(L.nn.Linear(3, 4), L.nn.ReLU(),
                              L.nn.Sequential(L.nn.Linear(4, 4), L.nn.Tanh())),
    lambda L: L.nn.Sequential(collections.OrderedDict(a=L.nn.Linear(2, 2), b=L.nn.Softmax(1))),
    lambda L: L.nn.ModuleList([L.nn.Linear(2, 2) for _ in range(3)] + [L.nn.ReLU()]),
    lambda L: L.nn.ModuleDict({"x": L.nn.Identity(), "y": L.nn.Flatten()}),
]


@pytest.mark.parametrize("make", MODULES_FOR_REPR)
def test_repr_matches_torch(make):
    assert repr(make(mt)) == repr(make(torch))


def test_parameter():
    p = mt.nn.Parameter(mt.tensor([1.0, 2.0]))
    assert repr(p) == repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))
    assert p.requires_grad and p.is_leaf and type(p * 2) is mt.Tensor
    assert not mt.nn.Parameter(mt.tensor([1.0]), requires_grad=False).requires_grad
    with pytest.raises(RuntimeError):
        mt.nn.Parameter(mt.tensor([1, 2]))


# -- nn.init: distributions, with tolerances from the sample size -----------------------------
@pytest.mark.parametrize("name", list(pm.INIT_CASES) + list(pm.MODULE_INIT_CASES))
def test_init_distribution(name):
    o = pm.run_init_case(name)
    assert o.status == "ok", o.detail


def test_moment_check_rejects_a_wrong_distribution():
    """The same tolerances (5 standard errors) refuse a 2% too-wide uniform."""
    rng = np.random.default_rng(0)
    bound = 1 / math.sqrt(400)
    ok, _ = pm.moment_check(rng.uniform(-bound, bound, 120_000), "uniform", 0.0,
                            bound / math.sqrt(3), bound)
    wide, _ = pm.moment_check(rng.uniform(-1.02 * bound, 1.02 * bound, 120_000), "uniform", 0.0,
                              bound / math.sqrt(3), bound)
    assert ok and not wide


def test_clip_grad_norm_matches_torch():
    for norm_type in (2.0, 1.0, math.inf):
        assert pm.run_clip_case(norm_type, 0.5, "float64").status == "ok"
    assert mt.nn.utils.clip_grad_norm_ is mt.nn.utils.clip_grad_norm_


# -- conv, pooling, losses against torch -------------------------------------------------------
CONV_CONFIGS = [
    dict(padding=1),
    dict(stride=2, padding=(1, 0), dilation=(1, 2)),
    dict(padding="same", groups=2),
]


@pytest.mark.parametrize("kw", CONV_CONFIGS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_conv2d_forward_backward(kw, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 7, 6)).astype(dtype)
    w = rng.standard_normal((6, 4 // kw.get("groups", 1), 3, 3)).astype(dtype)
    b = rng.standard_normal(6).astype(dtype)
    mo, to, mg, tg = both(lambda L, x, w, b: L.nn.functional.conv2d(x, w, b, **kw), x, w, b)
    close(mo, to, dtype)
    for a, e in zip(mg, tg):
        close(a, e, dtype)


@pytest.mark.parametrize("pool", ["max", "avg"])
def test_pooling_forward_backward(pool):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 7, 7))
    x[0, 0, :2, :2] = 1.5  # a tie inside one window

    def fn(L, x):
        f = L.nn.functional
        if pool == "max":
            return f.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
        return f.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)

    mo, to, mg, tg = both(fn, x)
    close(mo, to)
    close(mg[0], tg[0])


LOSSES = [
    ("cross_entropy", lambda r: (r.standard_normal((5, 4)), r.integers(0, 4, 5)),
     dict(label_smoothing=0.1, weight="w")),
    ("cross_entropy", lambda r: (r.standard_normal((5, 4)), r.dirichlet(np.ones(4), 5)), {}),
    ("nll_loss", lambda r: (np.log(r.dirichlet(np.ones(4), 5)), np.array([0, -100, 3, 1, 1])),
     dict(reduction="sum")),
    ("binary_cross_entropy_with_logits", lambda r: (r.standard_normal((3, 4)) * 50,
                                                    r.random((3, 4))), {}),
    ("binary_cross_entropy", lambda r: (r.uniform(0.1, 0.9, (3, 4)), r.random((3, 4))), {}),
    ("mse_loss", lambda r: (r.standard_normal(6), r.standard_normal(6)), {}),
    ("smooth_l1_loss", lambda r: (r.standard_normal(6), r.standard_normal(6)), dict(beta=0.5)),
    ("kl_div", lambda r: (np.log(r.dirichlet(np.ones(4), 3)), r.dirichlet(np.ones(4), 3)),
     dict(reduction="batchmean")),
]


@pytest.mark.parametrize("name,make,kw", LOSSES)
def test_loss_matches_torch(name, make, kw):
    x, t = make(np.random.default_rng(3))
    weight = np.array([0.5, 1.0, 2.0, 1.5])

    def fn(L, x, t):
        k = dict(kw)
        if k.get("weight") == "w":
            k["weight"] = L.from_numpy(weight.copy())
        return getattr(L.nn.functional, name)(x, t, **k)

    mo, to, mg, tg = both(fn, x, t)
    close(mo, to)
    for a, e in zip(mg, tg):
        close(a, e)


# -- the parity sections' quick subsets ------------------------------------------------------
def test_modules_section_quick_has_no_failures():
    s = pm.run_section(quick=True)
    assert s.failed == 0, s.failures
    assert s.cases > 20 and "| module" in s.markdown


def test_training_section_quick_has_no_failures():
    s = tr.run_section(quick=True)
    assert s.cases == 2 * len(tr.run_specs()) and s.failed == 0, s.failures


@pytest.mark.parametrize("name", ["F.conv2d", "F.cross_entropy", "F.max_pool2d",
                                  "F.layer_norm", "F.embedding", "F.gelu"])
def test_nn_rows_quick_pass(name):
    bad = [r for r in run_row(NN_ROWS[name], quick=True) if r.status in ("FAIL", "crash")]
    assert not bad, [(r.key, r.mismatch or r.error) for r in bad]


# -- planted bugs: each must turn its family red -----------------------------------------------
def _failed(name: str) -> list[str]:
    return [r.key for r in run_row(NN_ROWS[name], quick=True) if r.status in ("FAIL", "crash")]


def test_planted_conv_backward_drops_a_kernel_offset(monkeypatch):
    from minitorch.nn.functional import conv

    real = conv.window_slice

    def skip_last_offset(i, j, out_hw, stride, dilation):
        s = real(i, j, out_hw, stride, dilation)
        return s if (i, j) != (2, 2) else (slice(0, 0),) * 4  # (2, 2)'s term is dropped

    monkeypatch.setattr(conv, "window_slice", skip_last_offset)
    assert _failed("F.conv2d")


def test_planted_cross_entropy_ignores_label_smoothing(monkeypatch):
    from minitorch.nn.functional import loss

    real = loss.cross_entropy
    monkeypatch.setattr(mt.nn.functional, "cross_entropy",
                        lambda *a, **k: real(*a, **{**k, "label_smoothing": 0.0}))
    failed = [r for r in run_row(NN_ROWS["F.cross_entropy"], quick=True)
              if r.status in ("FAIL", "crash")]
    assert failed and all("label_smoothing" in r.desc for r in failed)


def test_planted_max_pool_tie_takes_the_last_max(monkeypatch):
    from minitorch.nn.functional import pooling

    monkeypatch.setattr(pooling, "beats", np.greater_equal)  # ties now go to the last max
    failed = [r for r in run_row(NN_ROWS["F.max_pool2d"], quick=True)
              if r.status in ("FAIL", "crash")]
    assert failed and all("ties" in r.desc for r in failed)


def test_planted_batch_norm_biased_running_var(monkeypatch):
    from minitorch.nn.functional import normalization

    real = normalization.NativeBatchNorm.__dict__["forward"].__func__

    def biased(ctx, x, w, b, *, running_mean, running_var, training, momentum, eps):
        out = real(ctx, x, w, b, running_mean=running_mean, running_var=running_var,
                   training=training, momentum=momentum, eps=eps)
        if training and running_var is not None:  # undo n/(n-1): store the biased variance
            n = x.size // x.shape[1]
            var = x.var(axis=(0,) + tuple(range(2, x.ndim)))
            running_var -= momentum * var * (n / (n - 1) - 1)
        return out

    monkeypatch.setattr(normalization.NativeBatchNorm, "forward", staticmethod(biased))
    case = next(c for c in pm.module_cases() if c.name == "BatchNorm2d(4)")
    o = pm.run_module_case(case, "float64", "train")
    assert o.status == "FAIL" and "running_var" in o.detail


def test_planted_layer_norm_backward_drops_a_term(monkeypatch):
    from minitorch.nn.functional import normalization

    def backward(ctx, grad):
        xhat, rstd, w = ctx.saved
        g = grad * w if w is not None else grad
        gx = rstd * (g - g.mean(axis=ctx.axes, keepdims=True))  # the xhat term is gone
        batch = tuple(range(xhat.ndim - len(ctx.axes)))
        gw = (grad * xhat).sum(axis=batch) if w is not None else None
        gb = grad.sum(axis=batch) if ctx.has_bias else None
        return gx, gw, gb

    monkeypatch.setattr(normalization.NativeLayerNorm, "backward", staticmethod(backward))
    assert _failed("F.layer_norm")


def test_planted_embedding_backward_without_accumulation(monkeypatch):
    from minitorch.nn.functional import basic

    def backward(ctx, grad):
        (idx,) = ctx.saved
        gw = np.zeros(ctx.w_shape, dtype=grad.dtype)
        gw[idx.reshape(-1)] = grad.reshape(-1, ctx.w_shape[1])  # repeats overwrite, not add
        return gw, None, None, None

    monkeypatch.setattr(basic.EmbeddingLookup, "backward", staticmethod(backward))
    assert _failed("F.embedding")


def test_planted_state_dict_order_is_caught(monkeypatch):
    real = mt.nn.Module.state_dict

    def buffers_first(self, *a, **k):
        sd = real(self, *a, **k)
        return collections.OrderedDict(sorted(sd.items(), key=lambda kv: "running" not in kv[0]))

    monkeypatch.setattr(mt.nn.Module, "state_dict", buffers_first)
    case = next(c for c in pm.module_cases() if c.name == "BatchNorm1d(3)")
    o = pm.run_module_case(case, "float64", "train")
    assert o.status == "FAIL" and "state_dict keys" in o.detail


def test_planted_linear_bias_grad_is_caught_by_a_training_run(monkeypatch):
    from minitorch.nn.functional import basic

    real = basic.Linear.__dict__["backward"].__func__

    def backward(ctx, grad):  # an off-by-one: the bias gradient misses the batch's first row
        gx, gw, gb = real(ctx, grad)
        return gx, gw, None if gb is None else gb - grad.reshape(-1, gb.shape[0])[0]

    monkeypatch.setattr(basic.Linear, "backward", staticmethod(backward))
    r = tr.run_one(tr.run_specs()["mlp"], "float64", quick=True)
    status, detail = tr.judge(r)
    assert status == "FAIL" and "loss deviation" in detail
