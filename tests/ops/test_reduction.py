"""Reductions against torch: values, dtypes and gradients (float64, a random upstream
gradient), the tie rules, the stable forms of logsumexp and softmax, the zero cases of
prod and cumprod, and torch's error classes."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch.tensor import Tensor

NAN, INF = math.nan, math.inf


def leaf(values, dtype=np.float64) -> Tensor:
    a = np.array(values, dtype=dtype)
    return Tensor._make(a, a.dtype.kind == "f", None)


def same(got: Tensor, want: torch.Tensor, rtol: float = 1e-7, atol: float = 1e-10) -> None:
    want = want.detach()
    assert got.array.dtype == want.numpy().dtype, (got.array.dtype, want.dtype)
    assert got.array.shape == tuple(want.shape)
    np.testing.assert_allclose(got.array, want.numpy(), rtol=rtol, atol=atol, equal_nan=True)


def check(fn, values, seed: int = 0) -> None:
    """fn(lib, x) runs in both engines: compare the result, then the gradient of a random
    upstream gradient pushed back through it."""
    a = np.array(values, dtype=np.float64)
    x, xt = leaf(a), torch.tensor(a, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y, yt = fn(mt, x), fn(torch, xt)
    if isinstance(yt, tuple):  # (values, indices)
        same(y.indices, yt.indices)
        assert y.values is y[0] and y.indices is y[1]
        y, yt = y.values, yt.values
    same(y, yt)
    if not yt.requires_grad:
        return
    g = np.random.default_rng(seed).standard_normal(tuple(yt.shape))
    y.backward(Tensor._make(g.copy(), False, None))
    yt.backward(torch.tensor(g))
    if xt.grad is None:
        assert x.grad is None
    else:
        same(x.grad, xt.grad)


R = np.random.default_rng(42)
A = R.standard_normal((3, 4, 5))
M = R.standard_normal((4, 6))
TIES = [[1.0, 3.0, 3.0, 2.0], [2.0, 2.0, 0.0, 2.0], [5.0, 5.0, 5.0, 5.0]]
ZEROS = [[2.0, 0.0, 4.0, 0.0, 5.0], [0.0, 3.0, 2.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0, 5.0],
         [3.0, 0.0, 2.0, 1.5, 1.0]]

CASES = {
    "sum": (lambda L, x: L.sum(x), A),
    "sum_dim": (lambda L, x: L.sum(x, 1), A),
    "sum_dims_keepdim": (lambda L, x: x.sum((0, -1), keepdim=True), A),
    "sum_empty_tuple": (lambda L, x: L.sum(x, ()), A),
    "sum_empty": (lambda L, x: L.sum(x, 1), np.zeros((2, 0))),
    "mean": (lambda L, x: L.mean(x), A),
    "mean_dims": (lambda L, x: x.mean([2, 0]), A),
    "mean_keepdim": (lambda L, x: L.mean(x, -1, True), A),
    "mean_empty": (lambda L, x: L.mean(x, 1), np.zeros((2, 0))),
    "prod": (lambda L, x: L.prod(x), M[:2, :3]),
    "prod_dim": (lambda L, x: L.prod(x, 1), M),
    "prod_dim_zeros": (lambda L, x: L.prod(x, 1, keepdim=True), ZEROS),
    "prod_dim0_zeros": (lambda L, x: x.prod(0), ZEROS),
    "prod_one_zero": (lambda L, x: L.prod(x), [[2.0, 0.0], [4.0, 3.0]]),
    "prod_two_zeros": (lambda L, x: L.prod(x), [[2.0, 0.0], [0.0, 3.0]]),
    "prod_inf": (lambda L, x: L.prod(x, 1), [[2.0, INF, 3.0], [0.0, INF, 3.0]]),
    "amax_ties": (lambda L, x: L.amax(x, 1), TIES),
    "amax_all_ties": (lambda L, x: x.amax(), TIES),
    "amin_dims": (lambda L, x: L.amin(x, (0, 2), keepdim=True), A),
    "amax_nan": (lambda L, x: L.amax(x, 1), [[1.0, NAN, 3.0], [1.0, 2.0, 2.0]]),
    "max_all_ties": (lambda L, x: L.max(x), TIES),
    "min_all_ties": (lambda L, x: x.min(), TIES),
    "max_nan": (lambda L, x: L.max(x), [1.0, NAN, 3.0, NAN]),
    "max_dim_ties": (lambda L, x: L.max(x, 1), TIES),
    "min_dim_keepdim": (lambda L, x: L.min(x, 0, keepdim=True), TIES),
    "max_dim_nan": (lambda L, x: x.max(1), [[1.0, NAN, 3.0, NAN], [1.0, 2.0, 2.0, 0.0]]),
    "min_dim": (lambda L, x: L.min(x, -1), A),
    "var": (lambda L, x: L.var(x), A),
    "var_dim": (lambda L, x: L.var(x, 1), A),
    "var_biased": (lambda L, x: L.var(x, (0, 2), unbiased=False, keepdim=True), A),
    "var_correction": (lambda L, x: x.var(-1, correction=2), A),
    "var_bool_overload": (lambda L, x: L.var(x, False), A),
    "var_one": (lambda L, x: L.var(x), [3.0]),
    "var_dof_zero_dim": (lambda L, x: L.var(x, 0, correction=3), [1.0, 2.0, 4.0]),
    "var_dof_negative_dim": (lambda L, x: L.var(x, 1, correction=5), [[1.0, 2.0, 4.0]]),
    "var_dof_negative_all": (lambda L, x: L.var(x, correction=5), [1.0, 2.0, 4.0]),
    "std": (lambda L, x: L.std(x), A),
    "std_dim": (lambda L, x: L.std(x, 2, keepdim=True, correction=0), A),
    "std_zero": (lambda L, x: L.std(x, 1), [[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]]),
    "std_dof_zero": (lambda L, x: L.std(x, 1, correction=3), [[1.0, 2.0, 4.0]]),
    "logsumexp": (lambda L, x: L.logsumexp(x, 1), A),
    "logsumexp_dims": (lambda L, x: x.logsumexp((0, 2), keepdim=True), A),
    "logsumexp_extremes": (lambda L, x: L.logsumexp(x, 1),
                           [[1e4, -1e4], [-INF, -INF], [INF, 1.0], [-INF, 2.0], [NAN, 1.0]]),
    "logsumexp_empty": (lambda L, x: L.logsumexp(x, 1), np.zeros((2, 0))),
    "softmax": (lambda L, x: L.softmax(x, 1), A),
    "softmax_first": (lambda L, x: x.softmax(0), A),
    "softmax_extremes": (lambda L, x: L.softmax(x, -1),
                         [[1e4, -1e4], [-INF, -INF], [INF, 1.0], [-INF, 2.0]]),
    "log_softmax": (lambda L, x: L.log_softmax(x, 2), A),
    "log_softmax_extremes": (lambda L, x: x.log_softmax(1),
                             [[1e4, -1e4], [-INF, -INF], [INF, 1.0], [-INF, 2.0]]),
    "softmax_empty": (lambda L, x: L.softmax(x, 1), np.zeros((2, 0))),
    "cumsum": (lambda L, x: L.cumsum(x, 1), A),
    "cumsum_last": (lambda L, x: x.cumsum(-1), ZEROS),
    "cumprod": (lambda L, x: L.cumprod(x, 2), A),
    "cumprod_zeros": (lambda L, x: L.cumprod(x, 1), ZEROS),
    "cumprod_zeros_dim0": (lambda L, x: x.cumprod(0), ZEROS),
    "cumprod_inf": (lambda L, x: L.cumprod(x, 0), [2.0, INF, 3.0]),
}
for p in ["fro", 1, 2, 3, 1.5, 0.5, INF, -INF, 0, -1, -2.5]:
    CASES[f"norm_{p}"] = (lambda L, x, p=p: L.norm(x, p), M)
    CASES[f"norm_{p}_dim"] = (lambda L, x, p=p: x.norm(p, 1, keepdim=True),
                              [[1.0, -2.0, 2.0], [0.0, 0.0, 0.0], [0.0, 3.0, -1.0]])
CASES["norm_dims"] = (lambda L, x: L.norm(x, dim=(0, 2)), A)
CASES["norm_nan_inf"] = (lambda L, x: L.norm(x, INF, 1), [[1.0, NAN], [-2.0, 2.0]])
CASES["norm_nan_1"] = (lambda L, x: L.norm(x, 1, 1), [[1.0, NAN], [-2.0, 2.0]])
CASES["norm_empty"] = (lambda L, x: L.norm(x, 2, 1), np.zeros((2, 0)))

# 0-d inputs: dim 0 and -1 name the one implicit dim.
ZERO_D = {
    "sum": lambda L, x: L.sum(x, 0), "mean": lambda L, x: L.mean(x, -1),
    "prod": lambda L, x: L.prod(x, 0), "amax": lambda L, x: L.amax(x, 0),
    "max": lambda L, x: L.max(x, -1), "min_all": lambda L, x: L.min(x),
    "var": lambda L, x: L.var(x, 0, correction=0), "std": lambda L, x: L.std(x),
    "logsumexp": lambda L, x: L.logsumexp(x, 0), "norm": lambda L, x: L.norm(x, 2, 0),
    "cumsum": lambda L, x: L.cumsum(x, 0), "cumprod": lambda L, x: L.cumprod(x, -1),
    "softmax": lambda L, x: L.softmax(x, 0), "log_softmax": lambda L, x: L.log_softmax(x, -1),
}
for name, fn in ZERO_D.items():
    CASES[f"0d_{name}"] = (fn, -1.5)


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    fn, values = CASES[name]
    check(fn, values, seed=len(name))


def test_grad_fn_names_match_torch():
    x, xt = leaf(M), torch.tensor(M, requires_grad=True)
    calls = [lambda L, t: L.sum(t), lambda L, t: L.sum(t, 1), lambda L, t: L.mean(t, 0),
             lambda L, t: L.prod(t), lambda L, t: L.prod(t, 1), lambda L, t: L.max(t),
             lambda L, t: L.max(t, 1)[0], lambda L, t: L.min(t, 1)[0], lambda L, t: L.amax(t),
             lambda L, t: L.var(t), lambda L, t: L.std(t), lambda L, t: L.logsumexp(t, 1),
             lambda L, t: L.norm(t), lambda L, t: L.cumsum(t, 0), lambda L, t: L.cumprod(t, 0),
             lambda L, t: L.softmax(t, 0), lambda L, t: L.log_softmax(t, 0)]
    for call in calls:
        assert call(mt, x).grad_fn.name() == call(torch, xt).grad_fn.name()


def test_max_dim_returns_named_tuple_with_first_index_at_ties():
    out = mt.max(leaf(TIES), 1)
    values, indices = out
    assert indices.array.tolist() == [1, 0, 0] and indices.array.dtype == np.int64
    assert type(out).__name__ == "max" and out._fields == ("values", "indices")
    assert mt.argmax(leaf(TIES), 1).array.tolist() == [1, 0, 0]
    assert mt.argmin(leaf(TIES)).array.tolist() == 6  # flattened index, first occurrence


@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_argmax_argmin_nan_and_keepdim(op):
    a = np.array([[1.0, NAN, 3.0, NAN], [4.0, -1.0, 4.0, -1.0]])
    for args in [(), (1,), (1, True), (None, True), (0,)]:
        got = getattr(mt, op)(leaf(a), *args)
        same(got, getattr(torch, op)(torch.tensor(a), *args))


@pytest.mark.parametrize(
    "fn, values, want",
    [
        (lambda L, x: L.sum(x), [True, True, False], "int64"),
        (lambda L, x: L.sum(x, 0), np.array([1, 2], np.int32), "int64"),
        (lambda L, x: L.prod(x), np.array([3, 2], np.int32), "int64"),
        (lambda L, x: L.cumsum(x, 0), [True, True], "int64"),
        (lambda L, x: L.cumprod(x, 0), np.array([3, 2], np.int32), "int64"),
        (lambda L, x: L.amax(x), np.array([3, 2], np.int32), "int32"),
        (lambda L, x: L.max(x, 0)[0], [True, False], "bool"),
        (lambda L, x: L.logsumexp(x, 0), [1, 2], "float32"),
        (lambda L, x: L.sum(x, dtype=L.float64), np.array([1.5, 2.5], np.float32), "float64"),
        (lambda L, x: L.sum(x, dtype=L.int64), [1.5, 2.5], "int64"),
        (lambda L, x: L.mean(x, dtype=L.float32), [1, 2], "float32"),
        (lambda L, x: L.cumsum(x, 0, dtype=L.int32), np.array([1, 2], np.int32), "int32"),
        (lambda L, x: L.softmax(x, 0, dtype=L.float64), [1, 2], "float64"),
        (lambda L, x: L.norm(x, dtype=L.float64), np.array([3, 4], np.float32), "float64"),
    ],
)
def test_result_dtypes(fn, values, want):
    a = np.array(values)
    got, ref = fn(mt, Tensor._make(a, False, None)), fn(torch, torch.from_numpy(a))
    assert got.array.dtype == np.dtype(want) == ref.numpy().dtype
    np.testing.assert_allclose(got.array.astype(float), ref.double().numpy(), rtol=1e-6)


OPS_F32 = [
    lambda L, x: L.sum(x, 1), lambda L, x: L.mean(x), lambda L, x: L.prod(x, 0),
    lambda L, x: L.amax(x, 1), lambda L, x: L.max(x, 1)[0], lambda L, x: L.var(x, 1),
    lambda L, x: L.std(x), lambda L, x: L.logsumexp(x, 1), lambda L, x: L.norm(x, 3, 1),
    lambda L, x: L.cumsum(x, 1), lambda L, x: L.cumprod(x, 1), lambda L, x: L.softmax(x, 1),
    lambda L, x: L.log_softmax(x, 1),
]


@pytest.mark.parametrize("fn", OPS_F32)
def test_float32_stays_float32_forward_and_backward(fn):
    a = M.astype(np.float32)
    x, xt = leaf(a, np.float32), torch.tensor(a, requires_grad=True)
    y, yt = fn(mt, x), fn(torch, xt)
    same(y, yt, rtol=1e-5, atol=1e-6)
    g = np.ones(tuple(yt.shape), np.float32)
    y.backward(Tensor._make(g, False, None))
    yt.backward(torch.from_numpy(g))
    same(x.grad, xt.grad, rtol=1e-4, atol=1e-5)


I64 = np.array([[1, 2], [3, 4]])
BAD = {
    "mean_int": (lambda L, x: L.mean(x), I64),
    "mean_int_dtype": (lambda L, x: L.mean(x.double() if L is torch else x, dtype=L.int64),
                       np.ones(2)),
    "var_int": (lambda L, x: L.var(x), I64),
    "std_bool": (lambda L, x: L.std(x), np.array([True])),
    "norm_int": (lambda L, x: L.norm(x), I64),
    "norm_narrowing": (lambda L, x: L.norm(x, dtype=L.float32), np.ones(2)),
    "norm_nuc_order": (lambda L, x: L.norm(x, "abc"), np.ones((2, 2))),
    "norm_fro_3dims": (lambda L, x: L.norm(x, "fro", (0, 1, 2)), np.ones((2, 2, 2))),
    "norm_inf_empty": (lambda L, x: L.norm(x, INF), np.zeros(0)),
    "norm_neg_empty_dim": (lambda L, x: L.norm(x, -1, 1), np.zeros((2, 0))),
    "softmax_int": (lambda L, x: L.softmax(x, 0), I64),
    "log_softmax_int": (lambda L, x: L.log_softmax(x, 0), I64),
    "softmax_dim_none": (lambda L, x: L.softmax(x, None), np.ones(2)),
    "max_empty": (lambda L, x: L.max(x), np.zeros(0)),
    "min_empty": (lambda L, x: L.min(x), np.zeros((2, 0))),
    "amax_empty": (lambda L, x: L.amax(x), np.zeros(0)),
    "amax_zero_size_dim": (lambda L, x: L.amax(x, 1), np.zeros((2, 0))),
    "max_zero_size_dim": (lambda L, x: L.max(x, 1), np.zeros((2, 0))),
    "argmax_empty": (lambda L, x: L.argmax(x), np.zeros(0)),
    "argmin_zero_size_dim": (lambda L, x: L.argmin(x, 1), np.zeros((2, 0))),
    "argmax_bool": (lambda L, x: L.argmax(x), np.array([True, False])),
    "sum_dim_out_of_range": (lambda L, x: L.sum(x, 2), np.ones((2, 2))),
    "sum_dim_repeated": (lambda L, x: L.sum(x, (0, -2)), np.ones((2, 2))),
    "sum_dim_float": (lambda L, x: L.sum(x, 1.0), np.ones((2, 2))),
    "sum_not_tensor": (lambda L, x: L.sum([1, 2]), np.ones(2)),
    "zero_d_dim_1": (lambda L, x: L.cumsum(x, 1), np.array(2.0)),
    "prod_tuple_dim": (lambda L, x: L.prod(x, (0,)), np.ones((2, 2))),
    "max_tuple_dim": (lambda L, x: L.max(x, (0,)), np.ones((2, 2))),
    "argmax_tuple_dim": (lambda L, x: L.argmax(x, (0,)), np.ones((2, 2))),
    "cumsum_dim_none": (lambda L, x: L.cumsum(x, None), np.ones(2)),
    "var_unbiased_and_correction": (lambda L, x: L.var(x, unbiased=True, correction=1),
                                    np.ones(3)),
    "logsumexp_dim_none": (lambda L, x: L.logsumexp(x, None), np.ones(2)),
}


@pytest.mark.parametrize("name", list(BAD))
def test_errors_have_torch_class(name):
    fn, values = BAD[name]
    with pytest.raises(Exception) as expected:
        fn(torch, torch.from_numpy(np.array(values)))
    with pytest.raises(type(expected.value)) as got:
        fn(mt, Tensor._make(np.array(values), False, None))
    assert got.type is expected.type, (got.type, expected.type, str(got.value))


def test_empty_reductions():
    e = leaf(np.zeros(0))
    assert mt.sum(e).array.tolist() == 0.0 and mt.prod(e).array.tolist() == 1.0
    assert math.isnan(mt.mean(e).item())
    assert mt.logsumexp(e, 0).item() == -INF and mt.norm(e).item() == 0.0
    assert mt.amax(leaf(np.zeros((2, 0))), 0).shape == (0,)
    assert mt.max(leaf(np.zeros((2, 0))), 0).indices.shape == (0,)


def test_var_warns_when_degrees_of_freedom_run_out():
    with pytest.warns(UserWarning, match="degrees of freedom"):
        assert math.isnan(mt.var(leaf([2.0])).item())


def test_max_with_a_tensor_is_the_elementwise_maximum():
    got = mt.max(leaf([1.0, 5.0]), leaf([3.0, 2.0]))
    assert got.array.tolist() == [3.0, 5.0]
