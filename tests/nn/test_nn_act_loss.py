"""Issue 12's activations, distances and losses against torch: values, gradients, kinks, errors.

Each case runs the same call in both engines on the same float64 arrays (special values and
kinks included) and compares the output and every input's gradient. The wide sweep is in
parity/rows_nnact.py and parity/modules_nnact.py; this file is the fast check.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest
import torch

import minitorch as mt
import minitorch.nn as mnn
import minitorch.nn.functional as MF

SPECIAL = [0.0, -0.0, 1e-3, -1e-3, 0.5, -0.5, 1.0, -1.0, 3.0, -3.0, 6.0, 2.5, -2.5, 30.0,
           -30.0, math.inf, -math.inf, math.nan]


def _both(fn: Callable[[Any, list[Any]], Any], arrays: list[np.ndarray],
          grad: tuple[int, ...] | None = None) -> None:
    """fn(lib, tensors) in both engines: outputs equal, gradients of sum(out * g) equal."""
    grad = tuple(i for i, a in enumerate(arrays) if a.dtype.kind == "f") if grad is None else grad
    tt = [torch.tensor(a, requires_grad=i in grad) for i, a in enumerate(arrays)]
    mm = [mt.tensor(a, requires_grad=i in grad) for i, a in enumerate(arrays)]
    to, mo = fn(torch, tt), fn(mt, mm)
    assert tuple(mo.shape) == tuple(to.shape)
    assert str(mo.dtype).split(".")[-1] == str(to.dtype).split(".")[-1]
    np.testing.assert_allclose(mo.detach().numpy(), to.detach().numpy(), rtol=1e-6, atol=1e-9)
    if not grad or not to.requires_grad:
        return
    g = np.random.default_rng(0).standard_normal(tuple(to.shape)).astype(arrays[0].dtype)
    (to * torch.tensor(g)).sum().backward()
    (mo * mt.tensor(g)).sum().backward()
    for i in grad:
        tg, mg = tt[i].grad, mm[i].grad
        assert (tg is None) == (mg is None), i
        if tg is not None:
            np.testing.assert_allclose(mg.numpy(), tg.numpy(), rtol=1e-6, atol=1e-9,
                                       err_msg=f"gradient of input {i}")


ACTIVATIONS: list[tuple[str, dict[str, Any]]] = [
    ("hardtanh", {}), ("hardtanh", {"min_val": -0.5, "max_val": 2.5}), ("relu6", {}),
    ("hardsigmoid", {}), ("hardswish", {}), ("softsign", {}), ("tanhshrink", {}),
    ("celu", {}), ("celu", {"alpha": 2.0}), ("selu", {}), ("mish", {}), ("logsigmoid", {}),
    ("softshrink", {}), ("softshrink", {"lambd": 1.0}), ("hardshrink", {}),
    ("hardshrink", {"lambd": 3.0}), ("threshold", {"threshold": 0.5, "value": -2.0}),
    ("rrelu", {}), ("rrelu", {"lower": 0.1, "upper": 0.3}),
]


@pytest.mark.parametrize("name,kw", ACTIVATIONS, ids=lambda v: str(v))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_special_values(name: str, kw: dict[str, Any], dtype: Any) -> None:
    x = np.array(SPECIAL, dtype=dtype)
    _both(lambda L, t: getattr(L.nn.functional, name)(t[0], **kw), [x])


@pytest.mark.parametrize("name,kw", ACTIVATIONS, ids=lambda v: str(v))
def test_activation_random_and_inplace(name: str, kw: dict[str, Any]) -> None:
    x = np.random.default_rng(1).uniform(-5, 5, (3, 4))
    _both(lambda L, t: getattr(L.nn.functional, name)(t[0], **kw), [x])
    code = getattr(getattr(torch.nn.functional, name), "__code__", None)
    if code is not None and "inplace" in code.co_varnames:
        def inplace(L: Any, t: list[Any]) -> Any:
            y = t[0] * 1
            out = getattr(L.nn.functional, name)(y, inplace=True, **kw)
            assert out is y
            return y
        _both(inplace, [x])


def _r(*shape: int, lo: float = -2.0, hi: float = 2.0, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed + sum(shape)).uniform(lo, hi, shape)


def _pm1(*shape: int, seed: int = 3) -> np.ndarray:
    return np.where(np.random.default_rng(seed).random(shape) < 0.5, -1.0, 1.0)


FUNCTIONAL_CASES: list[tuple[str, Callable[[Any, list[Any]], Any], list[np.ndarray]]] = [
    ("glu dim=1", lambda L, t: L.nn.functional.glu(t[0], 1), [_r(3, 4)]),
    ("glu", lambda L, t: L.nn.functional.glu(t[0]), [_r(2, 3, 6)]),
    ("prelu 1 slope", lambda L, t: L.nn.functional.prelu(t[0], t[1]),
     [np.array([[0.0, -1.0, 2.0], [-0.5, 0.0, 3.0]]), np.array([0.25])]),
    ("prelu per channel", lambda L, t: L.nn.functional.prelu(t[0], t[1]),
     [_r(2, 3, 4), np.array([0.1, -0.2, 0.3])]),
    ("prelu 1-d", lambda L, t: L.nn.functional.prelu(t[0], t[1]), [_r(5), np.array(0.2)]),
    ("normalize", lambda L, t: L.nn.functional.normalize(t[0]), [_r(3, 4)]),
    ("normalize p=1 dim=0 zero column", lambda L, t: L.nn.functional.normalize(t[0], 1.0, 0),
     [np.array([[0.0, 1.0], [0.0, -2.0]])]),
    ("cosine_similarity", lambda L, t: L.nn.functional.cosine_similarity(t[0], t[1]),
     [_r(3, 4), _r(3, 4, seed=1)]),
    ("cosine_similarity broadcast dim=-1",
     lambda L, t: L.nn.functional.cosine_similarity(t[0], t[1], dim=-1), [_r(3, 1, 4), _r(2, 4)]),
    ("cosine_similarity tiny norm", lambda L, t: L.nn.functional.cosine_similarity(t[0], t[1]),
     [np.array([[1e-10, 0.0], [1.0, 2.0]]), np.array([[1.0, 1.0], [0.0, 0.0]])]),
    ("pairwise_distance", lambda L, t: L.nn.functional.pairwise_distance(t[0], t[1]),
     [_r(3, 4), _r(3, 4, seed=1)]),
    ("pairwise_distance p=1 keepdim",
     lambda L, t: L.nn.functional.pairwise_distance(t[0], t[1], p=1.0, keepdim=True),
     [_r(3, 4), _r(4, seed=1)]),
    ("pairwise_distance p=inf", lambda L, t: L.nn.functional.pairwise_distance(
        t[0], t[1], p=math.inf), [_r(3, 4), _r(3, 4, seed=1)]),
    ("pairwise_distance 0-d", lambda L, t: L.nn.functional.pairwise_distance(t[0], t[1]),
     [np.array(1.5), np.array(-0.5)]),
    ("pdist", lambda L, t: L.nn.functional.pdist(t[0]), [_r(4, 3)]),
    ("pdist p=1", lambda L, t: L.nn.functional.pdist(t[0], 1), [_r(4, 3)]),
    ("pdist p=3", lambda L, t: L.nn.functional.pdist(t[0], 3), [_r(4, 3)]),
    ("pdist p=0.5", lambda L, t: L.nn.functional.pdist(t[0], 0.5), [_r(4, 3)]),
    ("pdist p=inf ties and equal rows", lambda L, t: L.nn.functional.pdist(t[0], math.inf),
     [np.array([[0.0, 1.0, -1.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])]),
    ("pdist p=2 equal rows", lambda L, t: L.nn.functional.pdist(t[0]),
     [np.array([[0.0, 1.0], [0.0, 1.0], [2.0, 3.0]])]),
]
for _red in ("mean", "sum", "none"):
    FUNCTIONAL_CASES += [
        (f"margin_ranking_loss {_red}", lambda L, t, r=_red: L.nn.functional.margin_ranking_loss(
            t[0], t[1], t[2], margin=0.5, reduction=r), [_r(6), _r(6, seed=1), _pm1(6)]),
        (f"hinge_embedding_loss {_red}",
         lambda L, t, r=_red: L.nn.functional.hinge_embedding_loss(t[0], t[1], reduction=r),
         [_r(3, 4, lo=0.0), _pm1(3, 4)]),
        (f"cosine_embedding_loss {_red}",
         lambda L, t, r=_red: L.nn.functional.cosine_embedding_loss(
             t[0], t[1], t[2], margin=0.1, reduction=r), [_r(5, 3), _r(5, 3, seed=1), _pm1(5)]),
        (f"triplet_margin_loss {_red}",
         lambda L, t, r=_red: L.nn.functional.triplet_margin_loss(
             t[0], t[1], t[2], margin=2.0, reduction=r),
         [_r(5, 3), _r(5, 3, seed=1), _r(5, 3, seed=2)]),
        (f"triplet_margin_loss swap p=1 {_red}",
         lambda L, t, r=_red: L.nn.functional.triplet_margin_loss(
             t[0], t[1], t[2], p=1, swap=True, reduction=r),
         [_r(5, 3), _r(5, 3, seed=1), _r(5, 3, seed=2)]),
        (f"poisson_nll_loss {_red}", lambda L, t, r=_red: L.nn.functional.poisson_nll_loss(
            t[0], t[1], reduction=r), [_r(3, 4), _r(3, 4, lo=0.0, hi=3.0)]),
        (f"poisson_nll_loss full, not log_input {_red}",
         lambda L, t, r=_red: L.nn.functional.poisson_nll_loss(
             t[0], t[1], log_input=False, full=True, reduction=r),
         [_r(3, 4, lo=0.1, hi=3.0), _r(3, 4, lo=1.5, hi=4.0)]),
        (f"gaussian_nll_loss {_red}", lambda L, t, r=_red: L.nn.functional.gaussian_nll_loss(
            t[0], t[1], t[2], reduction=r), [_r(3, 4), _r(3, 4, seed=1), _r(3, 4, lo=0.1)]),
        (f"gaussian_nll_loss (3, 1) var, full {_red}",
         lambda L, t, r=_red: L.nn.functional.gaussian_nll_loss(
             t[0], t[1], t[2], full=True, reduction=r),
         [_r(3, 4), _r(3, 4, seed=1), np.array([[0.5], [1e-8], [2.0]])]),
        (f"soft_margin_loss {_red}", lambda L, t, r=_red: L.nn.functional.soft_margin_loss(
            t[0], t[1], reduction=r), [_r(3, 4), _pm1(3, 4)]),
        (f"multilabel_soft_margin_loss {_red}",
         lambda L, t, r=_red: L.nn.functional.multilabel_soft_margin_loss(
             t[0], t[1], weight=t[2], reduction=r),
         [_r(3, 4), (_pm1(3, 4) > 0).astype(float), _r(4, lo=0.5)]),
        (f"multilabel_margin_loss {_red}",
         lambda L, t, r=_red: L.nn.functional.multilabel_margin_loss(t[0], t[1], reduction=r),
         [_r(3, 4), np.array([[3, 0, -1, 1], [1, 1, 2, -1], [0, 1, 2, 3]])]),
        (f"multi_margin_loss {_red}", lambda L, t, r=_red: L.nn.functional.multi_margin_loss(
            t[0], t[1], reduction=r), [_r(4, 5), np.array([0, 4, 2, 2])]),
        (f"multi_margin_loss p=2 weight {_red}",
         lambda L, t, r=_red: L.nn.functional.multi_margin_loss(
             t[0], t[1], p=2, margin=0.7, weight=t[2], reduction=r),
         [_r(4, 5), np.array([0, 4, 2, 2]), _r(5, lo=0.5)]),
    ]
FUNCTIONAL_CASES += [
    ("multi_margin_loss 1-d", lambda L, t: L.nn.functional.multi_margin_loss(
        t[0], t[1], reduction="none"), [_r(4), np.array([2])]),
    ("multilabel_margin_loss 1-d", lambda L, t: L.nn.functional.multilabel_margin_loss(
        t[0], t[1], reduction="none"), [_r(4), np.array([2, -1, 0, 0])]),
    ("multi_margin_loss hinge exactly 0", lambda L, t: L.nn.functional.multi_margin_loss(
        t[0], t[1]), [np.array([[2.0, 1.0, 0.5]]), np.array([0])]),
    ("margin_ranking_loss hinge exactly 0", lambda L, t: L.nn.functional.margin_ranking_loss(
        t[0], t[1], t[2], reduction="none"),
     [np.array([1.0, 2.0]), np.array([1.0, 1.0]), np.array([1.0, -1.0])]),
]


@pytest.mark.parametrize("name,fn,arrays", FUNCTIONAL_CASES, ids=[c[0] for c in FUNCTIONAL_CASES])
def test_functional_matches_torch(name: str, fn: Any, arrays: list[np.ndarray]) -> None:
    grad = (0, 1) if "loss" in name and "soft_margin" not in name else None
    if "soft_margin" in name or "multi" in name or "hinge_embedding" in name:
        grad = (0,)
    if "multilabel_soft" in name:
        grad = (0, 2)
    _both(fn, arrays, grad)


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64"])
@pytest.mark.parametrize("margin", [0, 1.5])
def test_margin_ranking_loss_integers_wrap_then_turn_float(dtype: str, margin: float) -> None:
    # ATen: -target * (input1 - input2) wraps in the integer dtype, + margin makes it float
    arrays = [np.array(v).astype(dtype) for v in ([200, 3, 100, 7, 100], [10, 250, 1, 7, 156],
                                                   [1, 1, 0, 1, 1])]
    for reduction in ("none", "sum", "mean"):
        _both(lambda L, t, r=reduction: L.nn.functional.margin_ranking_loss(
            t[0], t[1], t[2], margin=margin, reduction=r), arrays, grad=())


# -- errors: torch's class for the same bad call ------------------------------------------------
ERRORS: list[tuple[str, Callable[[Any], Any]]] = [
    ("hardtanh min > max", lambda L: L.nn.functional.hardtanh(L.ones(2), 2.0, 1.0)),
    ("glu odd dim", lambda L: L.nn.functional.glu(L.ones(2, 3), 1)),
    ("glu 0-d", lambda L: L.nn.functional.glu(L.tensor(1.0))),
    ("prelu mismatch", lambda L: L.nn.functional.prelu(L.ones(2, 3), L.ones(2))),
    ("celu alpha 0", lambda L: L.nn.functional.celu(L.ones(2), 0.0)),
    ("selu int", lambda L: L.nn.functional.selu(L.tensor([1, 2]))),
    ("softshrink negative", lambda L: L.nn.functional.softshrink(L.ones(2), -1.0)),
    ("rrelu lower > upper", lambda L: L.nn.functional.rrelu(L.ones(2), 0.5, 0.2)),
    ("threshold bool", lambda L: L.nn.functional.threshold(L.tensor([True]), 0.0, 1.0)),
    ("pdist 1-d", lambda L: L.nn.functional.pdist(L.ones(3))),
    ("cosine_similarity ints", lambda L: L.nn.functional.cosine_similarity(
        L.tensor([1, 2]), L.tensor([1, 2]), dim=0)),
    ("triplet margin 0", lambda L: L.nn.functional.triplet_margin_loss(
        L.ones(2, 3), L.ones(2, 3), L.ones(2, 3), margin=0.0)),
    ("cosine_embedding 2-d target", lambda L: L.nn.functional.cosine_embedding_loss(
        L.ones(3, 4), L.ones(3, 4), L.ones(3, 1))),
    ("gaussian negative var", lambda L: L.nn.functional.gaussian_nll_loss(
        L.ones(3, 4), L.ones(3, 4), -L.ones(3, 4))),
    ("gaussian var size", lambda L: L.nn.functional.gaussian_nll_loss(
        L.ones(3, 4), L.ones(3, 4), L.ones(2, 4))),
    ("soft_margin target requires grad", lambda L: L.nn.functional.soft_margin_loss(
        L.ones(3), L.ones(3, requires_grad=True))),
    ("multilabel target out of range", lambda L: L.nn.functional.multilabel_margin_loss(
        L.ones(2, 3), L.tensor([[0, 3, -1], [0, -1, 0]]))),
    ("multi_margin p=3", lambda L: L.nn.functional.multi_margin_loss(
        L.ones(2, 3), L.tensor([0, 1]), p=3)),
    ("multi_margin target out of range", lambda L: L.nn.functional.multi_margin_loss(
        L.ones(2, 3), L.tensor([0, 3]))),
    ("margin_ranking bool inputs", lambda L: L.nn.functional.margin_ranking_loss(
        L.tensor([True]), L.tensor([False]), L.tensor([True]))),
    ("hinge_embedding int input", lambda L: L.nn.functional.hinge_embedding_loss(
        L.tensor([1, 2]), L.tensor([1, -1]))),
    ("poisson reduction", lambda L: L.nn.functional.poisson_nll_loss(
        L.ones(3), L.ones(3), reduction="avg")),
    ("Hardtanh max <= min", lambda L: L.nn.Hardtanh(1.0, 1.0)),
    ("Softmax2d 2-d", lambda L: L.nn.Softmax2d()(L.ones(2, 3))),
    ("TripletMarginLoss margin", lambda L: L.nn.TripletMarginLoss(margin=-1.0)),
    ("MultiMarginLoss 2-d weight", lambda L: L.nn.MultiMarginLoss(weight=L.ones(2, 2))),
]


@pytest.mark.parametrize("name,call", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(name: str, call: Callable[[Any], Any]) -> None:
    with pytest.raises(Exception) as torch_err:
        call(torch)
    with pytest.raises(torch_err.type):
        call(mt)


# -- modules ------------------------------------------------------------------------------------
MODULES = [
    "Hardtanh()", "Hardtanh(-2.0, 3.0, True)", "ReLU6(inplace=True)", "Hardsigmoid()",
    "Hardswish(True)", "Softsign()", "CELU(2.0, True)", "SELU(inplace=True)", "Mish()",
    "LogSigmoid()", "GLU(1)", "Threshold(0.1, 20)", "PReLU(3, 0.1)", "RReLU(0.1, 0.3, True)",
    "Tanhshrink()", "Softshrink(1)", "Hardshrink()", "Softmin(1)", "Softmax2d()",
    "CosineSimilarity(0, 1e-3)", "PairwiseDistance(1, 1e-3, True)", "TripletMarginLoss(2.0)",
    "MarginRankingLoss(0.5)", "HingeEmbeddingLoss(reduction='sum')", "CosineEmbeddingLoss()",
    "PoissonNLLLoss(False, True)", "GaussianNLLLoss(full=True)", "SoftMarginLoss()",
    "MultiLabelSoftMarginLoss()", "MultiLabelMarginLoss(reduction='none')",
    "MultiMarginLoss(2, 0.5)",
]


@pytest.mark.parametrize("ctor", MODULES)
def test_module_repr_and_state(ctor: str) -> None:
    tm, mm = eval(f"torch.nn.{ctor}"), eval(f"mnn.{ctor}")
    assert repr(mm) == repr(tm)
    assert list(mm.state_dict()) == list(tm.state_dict())
    for k, v in tm.state_dict().items():
        np.testing.assert_array_equal(mm.state_dict()[k].numpy(), v.numpy())


def test_prelu_module_learns_its_weight() -> None:
    x = _r(2, 3, 4).astype(np.float32)
    tm, mm = torch.nn.PReLU(3), mnn.PReLU(3)
    tm(torch.tensor(x)).sum().backward()
    mm(mt.tensor(x)).sum().backward()
    assert [n for n, _ in mm.named_parameters()] == ["weight"]
    np.testing.assert_allclose(mm.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-6)


def test_rrelu_training_slopes_are_random_and_in_range() -> None:
    mt.manual_seed(0)
    x = mt.full((2000,), -1.0, requires_grad=True)
    y = MF.rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.detach().numpy()
    assert 0.1 <= slopes.min() and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.01 and slopes.std() > 0.05  # uniform: sd 0.058
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes)  # the gradient is the drawn slope
    m = mnn.RReLU(0.1, 0.3).eval()
    np.testing.assert_allclose(m(mt.tensor([-1.0, 2.0])).numpy(), [-0.2, 2.0])


def test_gumbel_softmax_hard_is_one_hot_with_soft_gradient() -> None:
    mt.manual_seed(0)
    logits = mt.tensor(_r(4, 5), requires_grad=True)
    y = MF.gumbel_softmax(logits, tau=0.5, hard=True)
    assert ((y.detach().numpy() == 0) | (y.detach().numpy() == 1)).all()
    np.testing.assert_array_equal(y.detach().numpy().sum(1), np.ones(4))
    w = mt.tensor(_r(4, 5, seed=9))
    (y * w).sum().backward()
    assert np.abs(logits.grad.numpy()).sum() > 0  # straight-through: the soft sample's gradient
    soft = MF.gumbel_softmax(mt.tensor(_r(4, 5)), dim=0)
    np.testing.assert_allclose(soft.numpy().sum(0), np.ones(5), rtol=1e-6)


def test_normalize_out() -> None:
    x = _r(3, 4)
    out = mt.empty(3, 4, dtype=mt.float64)
    r = MF.normalize(mt.tensor(x), out=out)
    assert r is out
    np.testing.assert_allclose(out.numpy(), torch.nn.functional.normalize(torch.tensor(x)).numpy())


@pytest.mark.parametrize("layout", ["contiguous", "sliced", "transposed", "strided"])
@pytest.mark.parametrize("np_dtype", [np.float32, np.float64])
def test_softshrink_zero_signs_follow_torchs_vector_body_and_scalar_tail(layout, np_dtype):
    """In the band torch writes +0.0 from its vectorised kernel and 0 * x from its scalar
    one (the rest of each inner loop): signs of zero equal torch's element by element."""
    rng = np.random.default_rng(7)
    base = rng.uniform(-1.5, 1.5, (6, 40)).astype(np_dtype)
    base[:, ::7] = -0.0
    x = {"contiguous": base[:, :37].copy(), "sliced": base[:, :37],
         "transposed": base[:, :37].copy().T, "strided": base[::2, ::3]}[layout]
    torch.set_num_threads(1)
    want = torch.nn.functional.softshrink(torch.from_numpy(x), 0.5).numpy()
    got = mt.nn.functional.softshrink(mt.from_numpy(x), 0.5).array
    assert np.array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_multilabel_margin_loss_bitwise_at_size(dtype: str, reduction: str) -> None:
    # torch's kernel sums each row in float64 in (target slot, class) order and adds the
    # gradient's g once per pair: minitorch does the same, so the bits agree (repeated
    # targets, rows without targets and rows full of targets included)
    rng = np.random.default_rng(3)
    n, c = 40, 60
    x = (rng.standard_normal((n, c)) * 2).astype(dtype)
    t = np.full((n, c), -1, np.int64)
    for r in range(n):
        k = [0, c, int(rng.integers(1, c))][r % 3]
        t[r, :k] = rng.integers(0, c, k)
    g = rng.standard_normal(n if reduction == "none" else ()).astype(dtype)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.multilabel_margin_loss(xt, torch.tensor(t), reduction=reduction)
    yt.backward(torch.tensor(g))
    xm = mt.tensor(x, requires_grad=True)
    ym = MF.multilabel_margin_loss(xm, mt.tensor(t), reduction=reduction)
    ym.backward(mt.tensor(g))
    assert np.array_equal(ym.detach().numpy(), yt.detach().numpy())
    assert np.array_equal(xm.grad.numpy(), xt.grad.numpy())
