"""The wave-2 reductions and `axis=`, checked against torch itself.

Every expected value comes from torch on the same input (or from central
differences); the parity rows in parity/rows_reduce.py sweep the same ops
over every shape and dtype, these tests pin the rules one by one: torch's
index at ties and NaNs, result dtypes, named tuples, error classes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch.ops import reduction

RNG = np.random.default_rng(7)


def both(a: np.ndarray, grad: bool = False) -> tuple[torch.Tensor, mt.Tensor]:
    return (torch.tensor(a, requires_grad=grad), mt.tensor(a, requires_grad=grad))


def same(mine, theirs, atol: float = 1e-6) -> None:
    assert tuple(mine.shape) == tuple(theirs.shape)
    assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), rtol=1e-5,
                               atol=atol, equal_nan=True)


def grads(op, a: np.ndarray, outputs=lambda r: (r,)) -> None:
    """Forward and backward of op(lib, x) agree with torch (weights 1, 2, ... per output)."""
    t, m = both(a, grad=True)
    rt, rm = op(torch, t), op(mt, m)
    ot, om = outputs(rt), outputs(rm)
    for x, y in zip(om, ot):
        same(x, y)
    w = [RNG.standard_normal(o.shape) for o in ot]
    sum(((o * torch.tensor(wi, dtype=o.dtype)).sum() for o, wi in zip(ot, w))).backward()
    total = None
    for o, wi in zip(om, w):
        term = (o * mt.tensor(wi, dtype=o.dtype)).sum()
        total = term if total is None else total + term
    total.backward()
    same(m.grad, t.grad)


TIES = RNG.integers(0, 3, (4, 7)).astype(np.float64)
WITH_NAN = TIES.copy()
WITH_NAN[0, 2] = WITH_NAN[1, 0] = WITH_NAN[1, 5] = math.nan
SMOOTH = RNG.standard_normal((3, 5))


# -- median, nanmedian ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["median", "nanmedian"])
@pytest.mark.parametrize("a", [TIES, WITH_NAN, SMOOTH], ids=["ties", "nan", "smooth"])
def test_median_matches_torch_with_and_without_dim(name: str, a: np.ndarray) -> None:
    grads(lambda L, x: getattr(L, name)(x), a)
    for dim in (0, 1, -1):
        for keepdim in (False, True):
            grads(lambda L, x, d=dim, k=keepdim: getattr(L, name)(x, d, k).values, a)
            t, m = both(a)
            assert getattr(mt, name)(m, dim, keepdim).indices.tolist() == \
                getattr(torch, name)(t, dim, keepdim).indices.tolist()


def test_median_index_at_ties_is_torchs_stable_kth() -> None:
    for n in range(1, 40):
        a = RNG.integers(0, 3, (3, n)).astype(np.float32)
        t, m = both(a)
        assert mt.median(m, 1).indices.tolist() == torch.median(t, 1).indices.tolist()


def test_median_named_tuple_edge_cases_and_errors() -> None:
    r = mt.median(mt.tensor([[1.0, 5.0, 2.0]]), dim=1)
    assert r.values.tolist() == [2.0] and r.indices.tolist() == [2]
    assert "minitorch.return_types.median(" in repr(r)
    assert math.isnan(mt.median(mt.tensor([])).item())  # torch: nan
    assert mt.median(mt.tensor(5.0), 0).indices.item() == 0
    with pytest.raises(TypeError):
        mt.median(mt.ones(2, 3), (0, 1))
    with pytest.raises(TypeError):
        mt.median(mt.ones(2, 3), keepdim=True)
    with pytest.raises(TypeError):
        mt.median(mt.ones(2, 3), dim=None)
    with pytest.raises(IndexError, match="non-zero size"):
        mt.median(mt.ones(0, 3), 0)
    with pytest.raises(NotImplementedError, match="Bool"):
        mt.median(mt.tensor([True, False]))


def test_median_of_signed_zeros_is_the_zero_torch_picks() -> None:
    a = np.array([0.0, -0.0, 1e-3, -1e-3, 1.0, -1.0, 3.0, -3.0, 1e20, -1e20, math.inf,
                  -math.inf, math.nan])
    t, m = both(a)
    for name in ("median", "nanmedian"):
        want, got = getattr(torch, name)(t).item(), getattr(mt, name)(m).item()
        assert (math.isnan(want) and math.isnan(got)) or \
            (want == got and math.copysign(1, want) == math.copysign(1, got))


# -- nansum, nanmean, count_nonzero --------------------------------------------------------
@pytest.mark.parametrize("kw", [{}, {"dim": 1}, {"dim": (0, 1), "keepdim": True},
                                {"dim": -1, "keepdim": True}])
def test_nansum_nanmean_match_torch(kw: dict) -> None:
    grads(lambda L, x: L.nansum(x, **kw), WITH_NAN)
    grads(lambda L, x: L.nanmean(x, **kw), WITH_NAN)


def test_nanmean_of_an_all_nan_slice_is_nan_with_nan_gradients() -> None:
    grads(lambda L, x: L.nanmean(x, 1), np.array([[math.nan, math.nan], [1.0, math.nan]]))


def test_nan_reductions_dtypes_and_errors() -> None:
    for a in (np.array([1, 2], np.int32), np.array([True, True])):
        t, m = both(a)
        same(mt.nansum(m), torch.nansum(t))
        same(mt.count_nonzero(m), torch.count_nonzero(t))
    t, m = both(WITH_NAN.astype(np.float32))
    same(mt.nanmean(m, dtype=mt.float64), torch.nanmean(t, dtype=torch.float64))
    same(mt.nansum(m, 0, dtype=mt.float64), torch.nansum(t, 0, dtype=torch.float64))
    with pytest.raises(RuntimeError, match="nanmean"):
        mt.nanmean(mt.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="nanmean"):
        mt.nanmean(m, dtype=mt.int64)


def test_count_nonzero_dims() -> None:
    a = RNG.integers(0, 2, (3, 4, 2)).astype(np.float32)
    a[0, 0, 0] = math.nan
    t, m = both(a)
    for dim in (None, 0, -1, (0, 2), [1, 2], ()):
        same(mt.count_nonzero(m, dim), torch.count_nonzero(t, dim))
    with pytest.raises(RuntimeError, match="multiple times"):
        mt.count_nonzero(m, (0, 0))
    with pytest.raises(IndexError):
        mt.count_nonzero(m, 3)


# -- var_mean, std_mean --------------------------------------------------------------------
@pytest.mark.parametrize("name", ["var_mean", "std_mean"])
@pytest.mark.parametrize("kw", [{}, {"dim": 1}, {"dim": (0, 1), "correction": 0},
                                {"dim": 0, "unbiased": False, "keepdim": True}])
def test_var_mean_std_mean_match_torch(name: str, kw: dict) -> None:
    grads(lambda L, x: getattr(L, name)(x, **kw), SMOOTH, outputs=lambda r: r)
    assert type(getattr(mt, name)(mt.tensor(SMOOTH), **kw)) is tuple


def test_var_mean_positional_overloads_and_errors() -> None:
    t, m = both(SMOOTH)
    for args in ((False,), (1, True, True), ((0, 1), False, False)):
        for x, y in zip(mt.std_mean(m, *args), torch.std_mean(t, *args)):
            same(x, y)
    with pytest.raises(RuntimeError):
        mt.var_mean(mt.tensor([1, 2]))
    assert not hasattr(mt.Tensor, "var_mean") and not hasattr(mt.Tensor, "std_mean")


def test_std_of_a_constant_slice_is_exactly_zero_with_zero_gradient() -> None:
    base = torch.tensor([[0.3, -1.7, 2.2]], dtype=torch.float64, requires_grad=True)
    mbase = mt.tensor(base.detach().numpy(), requires_grad=True)
    torch.std(base.expand(3, 3), 0).sum().backward()
    mt.std(mbase.expand(3, 3), 0).sum().backward()
    assert mbase.grad.tolist() == base.grad.tolist() == [[0.0, 0.0, 0.0]]


# -- cummax, cummin, logcumsumexp ----------------------------------------------------------
@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("a", [TIES, WITH_NAN, SMOOTH], ids=["ties", "nan", "smooth"])
def test_cummax_cummin_values_last_tie_indices_and_gradient(name: str, a: np.ndarray) -> None:
    for dim in (0, 1, -1):
        grads(lambda L, x, d=dim: getattr(L, name)(x, d).values, a)
        t, m = both(a)
        assert getattr(mt, name)(m, dim).indices.tolist() == \
            getattr(torch, name)(t, dim).indices.tolist()


def test_cummax_ints_bools_empty_and_zero_d() -> None:
    for a in (np.array([3, 1, 1, 2, 0, 0]), np.array([True, False, True]), np.zeros((0, 3)),
              np.array(2.0)):
        t, m = both(a)
        for name in ("cummax", "cummin"):
            r, want = getattr(mt, name)(m, 0), getattr(torch, name)(t, 0)
            same(r.values, want.values)
            assert r.indices.tolist() == want.indices.tolist()
    with pytest.raises(TypeError):
        mt.cummax(mt.ones(3), None)


@pytest.mark.parametrize("a", [SMOOTH, SMOOTH * 400,
                               np.array([[-math.inf, 0.0, 1.0], [-math.inf, -math.inf, 2.0]])],
                         ids=["smooth", "large", "infinite"])
def test_logcumsumexp_matches_torch(a: np.ndarray) -> None:
    for dim in (0, -1):
        grads(lambda L, x, d=dim: L.logcumsumexp(x, d), a)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_logcumsumexp_accumulates_in_torchs_wider_type(dtype) -> None:
    # torch's CPU kernel carries the running sum in double (float for half): bit-identical
    x = (np.random.default_rng(0).standard_normal((6, 40)) * 8).astype(dtype)
    np.testing.assert_array_equal(mt.tensor(x).logcumsumexp(1).numpy(),
                                  torch.tensor(x).logcumsumexp(1).numpy())


@pytest.mark.parametrize("scale", [9.0, 1000.0])
def test_logcumsumexp_float32_gradient_close_to_torchs(scale: float) -> None:
    # the backward's reversed logcumsumexp in float32 steps loses digits; torch's does not
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((5, 5, 5)) * scale).astype(np.float32)
    g = rng.standard_normal((5, 5, 5)).astype(np.float32)
    t, m = both(x, grad=True)
    t.logcumsumexp(0).backward(torch.tensor(g))
    m.logcumsumexp(0).backward(mt.tensor(g))
    np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_logcumsumexp_gradient_by_central_differences() -> None:
    x = RNG.standard_normal((2, 4))
    w = RNG.standard_normal((2, 4))
    m = mt.tensor(x, requires_grad=True)
    (mt.logcumsumexp(m, 1) * mt.tensor(w)).sum().backward()
    eps, numeric = 1e-6, np.zeros_like(x)
    f = lambda v: float((np.logaddexp.accumulate(v, axis=1) * w).sum())  # noqa: E731
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        numeric[i] = (f(x + d) - f(x - d)) / (2 * eps)
    np.testing.assert_allclose(m.grad.numpy(), numeric, rtol=1e-6, atol=1e-8)


def test_logcumsumexp_refuses_ints() -> None:
    with pytest.raises(NotImplementedError, match="Long"):
        mt.logcumsumexp(mt.tensor([1, 2]), 0)


# -- aminmax, dist -------------------------------------------------------------------------
@pytest.mark.parametrize("kw", [{}, {"dim": 1}, {"dim": 0, "keepdim": True},
                                {"keepdim": True}])
def test_aminmax_matches_torch_including_split_ties(kw: dict) -> None:
    grads(lambda L, x: L.aminmax(x, **kw), TIES, outputs=lambda r: (r.min, r.max))
    r = mt.aminmax(mt.tensor(TIES), **kw)
    assert r._fields == ("min", "max") and "return_types.aminmax(" in repr(r)


def test_aminmax_errors() -> None:
    with pytest.raises(RuntimeError, match="empty"):
        mt.aminmax(mt.ones(0, 3))
    with pytest.raises(IndexError, match="non-zero size"):
        mt.aminmax(mt.ones(0, 3), dim=0)
    with pytest.raises(TypeError):
        mt.aminmax(mt.ones(2, 3), dim=(0, 1))
    with pytest.raises(TypeError):
        mt.aminmax(mt.ones(2, 3), 0)  # dim is keyword-only, as in torch


@pytest.mark.parametrize("p", [2, 1, 3, 0.5, math.inf, -math.inf, 0])
def test_dist_matches_torch(p: float) -> None:
    a, b = RNG.standard_normal((3, 4)), RNG.standard_normal((4,))
    ta, ma = both(a, grad=True)
    tb, mb = both(b, grad=True)
    rt, rm = torch.dist(ta, tb, p), mt.dist(ma, mb, p)
    same(rm, rt)
    if p != 0:
        rt.backward()
        rm.backward()
        same(ma.grad, ta.grad)
        same(mb.grad, tb.grad)


def test_dist_errors_and_mixed_dtypes() -> None:
    same(mt.dist(mt.ones(3), mt.zeros(3, dtype=mt.float64)),
         torch.dist(torch.ones(3), torch.zeros(3, dtype=torch.float64)))
    same(mt.dist(mt.ones(3), mt.zeros(3, dtype=mt.int64)),
         torch.dist(torch.ones(3), torch.zeros(3, dtype=torch.int64)))
    with pytest.raises(RuntimeError):
        mt.dist(mt.tensor([1, 2]), mt.tensor([1, 2]))
    with pytest.raises(RuntimeError):
        mt.dist(mt.ones(2, 3), mt.ones(4))
    with pytest.raises(TypeError):
        mt.dist(mt.ones(3), 2.0)
    with pytest.raises(TypeError):
        mt.dist(mt.ones(3), mt.ones(3), p="fro")


# -- axis= and keepdims= ---------------------------------------------------------------------
ACCEPT_AXIS = ["sum", "mean", "nansum", "nanmean", "prod", "max", "min", "amax", "amin",
               "argmax", "argmin", "std", "var", "logsumexp", "median", "nanmedian",
               "count_nonzero", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp",
               "aminmax", "softmax", "log_softmax", "std_mean", "var_mean"]


def _leaves(r):
    return list(r) if isinstance(r, tuple) else [r]


@pytest.mark.parametrize("name", ACCEPT_AXIS)
def test_axis_is_dims_alias_where_torch_takes_it(name: str) -> None:
    t, m = both(SMOOTH.astype(np.float32))
    forms = [(getattr(mt, name)(m, axis=1), getattr(torch, name)(t, axis=1))]
    if hasattr(torch.Tensor, name):
        forms.append((getattr(m, name)(axis=-1), getattr(t, name)(axis=-1)))
    keepdims_ok = True
    try:
        getattr(torch, name)(t, axis=0, keepdims=True)
    except TypeError:
        keepdims_ok = False
    if keepdims_ok:
        forms.append((getattr(mt, name)(m, axis=0, keepdims=True),
                      getattr(torch, name)(t, axis=0, keepdims=True)))
    else:
        with pytest.raises(TypeError):
            getattr(mt, name)(m, axis=0, keepdims=True)
    for mine, theirs in forms:
        for x, y in zip(_leaves(mine), _leaves(theirs)):
            same(x, y)
    with pytest.raises(TypeError):
        getattr(mt, name)(m, dim=0, axis=0)


def test_axis_refused_where_torch_refuses() -> None:
    m = mt.ones(2, 3)
    for call in (lambda: mt.norm(m, axis=0), lambda: m.norm(dim=0, keepdims=True),
                 lambda: mt.dist(m, m, axis=0), lambda: mt.sum(m, 0, axis=0)):
        with pytest.raises(TypeError):
            call()
    for call in (lambda: torch.norm(torch.ones(2, 3), axis=0),
                 lambda: torch.sum(torch.ones(2, 3), 0, axis=0)):
        with pytest.raises(TypeError):
            call()


def test_aliases_keep_the_registry_identity() -> None:
    assert mt.Tensor.sum is mt.sum and mt.Tensor.median is mt.median
    assert mt.sum.__name__ == "sum" and mt.sum.__module__ == "minitorch.ops.reduction"
    for name in ("median", "nanmedian", "nansum", "nanmean", "count_nonzero", "cummax",
                 "cummin", "logcumsumexp", "aminmax", "dist"):
        assert hasattr(mt.Tensor, name) and not hasattr(mt.Tensor, name + "_"), name


# -- the norm(p='nuc') hook ----------------------------------------------------------------
def test_nuclear_norm_goes_to_the_registered_matrix_norm(monkeypatch) -> None:
    seen = []

    def fake(A, ord, dim, keepdim, *, dtype=None):
        seen.append((ord, list(dim), keepdim, dtype))
        return A.sum()

    monkeypatch.setitem(reduction.MATRIX_NORMS, "nuc", fake)
    x = mt.ones(2, 3)
    mt.norm(x, p="nuc")
    x.norm(p="nuc", dim=(0, 1), keepdim=True)
    assert seen == [("nuc", [0, 1], False, None), ("nuc", [0, 1], True, None)]


def test_nuclear_norm_without_linalg_says_so(monkeypatch) -> None:
    monkeypatch.delitem(reduction.MATRIX_NORMS, "nuc", raising=False)
    with pytest.raises(NotImplementedError, match="matrix_norm"):
        mt.norm(mt.ones(2, 3), p="nuc")


def test_grad_fn_names_are_torchs() -> None:
    calls = [lambda L, x: L.nansum(x), lambda L, x: L.median(x), lambda L, x: L.median(x, 0)[0],
             lambda L, x: L.nanmedian(x), lambda L, x: L.nanmedian(x, 1)[0],
             lambda L, x: L.cummax(x, 0)[0], lambda L, x: L.cummin(x, 1)[0],
             lambda L, x: L.logcumsumexp(x, 0), lambda L, x: L.aminmax(x).min,
             lambda L, x: L.aminmax(x, dim=0).max, lambda L, x: L.dist(x, x[0]),
             lambda L, x: L.var_mean(x)[0], lambda L, x: L.var_mean(x, 0)[1],
             lambda L, x: L.std_mean(x)[0], lambda L, x: L.std_mean(x, 1)[1]]
    t, m = both(SMOOTH, grad=True)
    for f in calls:
        assert f(mt, m).grad_fn.name() == type(f(torch, t).grad_fn).__name__


@pytest.mark.parametrize("n", [reduction._SQUARES_RUN + 1, 3 * reduction._SQUARES_RUN + 5, 1 << 20])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_big_two_norm_is_numpys_pairwise_sum_of_squares(n: int, dtype: type) -> None:
    # a big whole-tensor 2-norm sums the squares run by run, in NumPy's pairwise order:
    # bit for bit np.sqrt(np.sum(x * x)), whatever the dims and keepdim
    x = (RNG.standard_normal(n) * 10.0 ** RNG.uniform(-3, 3, n)).astype(dtype)
    want = np.sqrt(np.sum(x * x))
    assert mt.linalg.vector_norm(mt.tensor(x)).numpy() == want
    m = x[: n - n % 4].reshape(4, -1)
    kept = mt.linalg.matrix_norm(mt.tensor(m), keepdim=True).numpy()
    assert kept.shape == (1, 1) and kept[0, 0] == np.sqrt(np.sum(m * m))
