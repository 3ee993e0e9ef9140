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
