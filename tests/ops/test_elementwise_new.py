"""Focused tests for issue 11's elementwise part: the narrow dtypes and their promotion
table, the fixes torch's OpInfo samples found, and where each new op lives.

Every expected value comes from torch, run on the same inputs. The full sweep of the
new ops (shapes, dtypes, special values, gradients) is parity/rows_elem.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch import dtypes

DTYPE_NAMES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
               "float64")
NEW_OPS = ("asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "atan2", "arctan2",
           "hypot", "copysign", "logaddexp", "logaddexp2", "xlogy", "frac", "nan_to_num",
           "clamp_min", "clamp_max", "logit", "signbit", "positive", "deg2rad", "rad2deg",
           "float_power", "bitwise_left_shift", "bitwise_right_shift")


def mt_dtype(name: str) -> dtypes.dtype:
    return dtypes.bool_ if name == "bool" else getattr(dtypes, name)


def torch_name(d: torch.dtype) -> str:
    return str(d).removeprefix("torch.")


def same(m: mt.Tensor, t: torch.Tensor) -> None:
    """Same dtype, shape and values (NaNs in the same places)."""
    assert m.dtype.name == torch_name(t.dtype)
    np.testing.assert_allclose(np.asarray(m.tolist(), dtype=float),
                               np.asarray(t.tolist(), dtype=float), rtol=1e-6, atol=0)


# -- dtypes and promotion ------------------------------------------------------------------------
@pytest.mark.parametrize("a", DTYPE_NAMES)
def test_promote_types_matches_torch_for_every_pair(a: str) -> None:
    for b in DTYPE_NAMES:
        want = torch_name(torch.promote_types(getattr(torch, a), getattr(torch, b)))
        assert dtypes.promote_types(mt_dtype(a), mt_dtype(b)).name == want, (a, b)


@pytest.mark.parametrize("a", DTYPE_NAMES)
def test_result_type_with_scalars_and_0d_matches_torch(a: str) -> None:
    x = np.ones((2, 2), dtype=a)
    tx, mx = torch.from_numpy(x), mt.from_numpy(x.copy())
    for s in (True, 3, 2.5):
        assert mt.add(mx, s).dtype.name == torch_name(torch.add(tx, s).dtype), (a, s)
    for b in DTYPE_NAMES:
        y = np.ones((), dtype=b)
        got = dtypes.result_type(mx, mt.from_numpy(y.copy())).name
        assert got == torch_name(torch.result_type(tx, torch.from_numpy(y))), (a, b)


def test_narrow_integers_wrap_around_like_torch() -> None:
    for name, value in (("int8", 1000), ("uint8", -300), ("int16", 70000)):
        x = np.array([1, 2, -3 if name != "uint8" else 3], dtype=name)
        same(mt.from_numpy(x.copy()) * value, torch.from_numpy(x) * value)
    u = np.array([1], np.uint8)
    same(mt.from_numpy(u.copy()) - mt.from_numpy(np.array([2], np.uint8)),
         torch.from_numpy(u) - torch.from_numpy(np.array([2], np.uint8)))


def test_narrow_dtype_reductions_follow_torch() -> None:
    for name in ("int8", "uint8", "int16"):
        x = np.array([100, 100, 100], dtype=name)
        assert mt.from_numpy(x.copy()).sum().dtype == mt.int64
        assert torch.from_numpy(x).sum().dtype == torch.int64
        with pytest.raises(RuntimeError, match="mean"):
            mt.from_numpy(x.copy()).mean()
    h = np.array([1.5, 2.5], np.float16)
    same(mt.from_numpy(h.copy()).sum(), torch.from_numpy(h).sum())


def test_half_math_stays_half() -> None:
    h = np.array([0.5, 1.5, -2.0], np.float16)
    same(mt.from_numpy(h.copy()).exp(), torch.from_numpy(h).exp())
    same(mt.from_numpy(h.copy()) / 3, torch.from_numpy(h) / 3)


# -- two Python numbers ----------------------------------------------------------------------
@pytest.mark.parametrize("op", ["add", "mul", "div", "true_divide", "floor_divide", "sub"])
@pytest.mark.parametrize("a, b", [(-8.47, -1.77), (True, True), (True, False), (2, 3),
                                  (2, 3.5), (True, 2.5)])
def test_two_numbers_compute_in_torchs_dtype(op: str, a, b) -> None:
    try:
        want = getattr(torch, op)(a, b)
    except Exception as e:
        with pytest.raises(type(e)):
            getattr(mt, op)(a, b)
        return
    same(getattr(mt, op)(a, b), want)


@pytest.mark.parametrize("op", ["fmod", "remainder", "pow", "xlogy", "float_power",
                                "bitwise_left_shift", "atan2"])
def test_ops_without_a_two_number_form_raise_type_error(op: str) -> None:
    with pytest.raises(TypeError):
        getattr(torch, op)(5, 2)
    with pytest.raises(TypeError, match=op):
        getattr(mt, op)(5, 2)


def test_number_first_where_torch_takes_it() -> None:
    x = np.array([0.5, 2.0, 3.0], np.float32)
    for op in ("xlogy", "float_power", "remainder", "pow"):
        same(getattr(mt, op)(2, mt.tensor(x)), getattr(torch, op)(2, torch.tensor(x)))
    same(2 << mt.tensor([1, 3]), 2 << torch.tensor([1, 3]))
    for op in ("fmod", "copysign", "atan2", "hypot", "logaddexp"):
        with pytest.raises(TypeError):
            getattr(torch, op)(2, torch.tensor(x))
        with pytest.raises(TypeError):
            getattr(mt, op)(2, mt.tensor(x))


@pytest.mark.parametrize("op", ["floor_divide", "remainder", "fmod"])
def test_bool_tensors_have_no_rounded_division_kernel(op: str) -> None:
    b = [True, False]
    with pytest.raises(NotImplementedError):
        getattr(torch, op)(torch.tensor(b), torch.tensor(b))
    with pytest.raises(NotImplementedError, match="Bool"):
        getattr(mt, op)(mt.tensor(b), mt.tensor(b))


# -- clamp with broadcasting tensor bounds -------------------------------------------------------
def _clamp_grads(lib, x, lo, hi, need):
    args = [lib.tensor(v, dtype=lib.float64, requires_grad=n) for v, n in zip((x, lo, hi), need)]
    y = lib.clamp(args[0], min=args[1], max=args[2])
    inputs = [a for a, n in zip(args, need) if n]
    return y, lib.autograd.grad(y, inputs, lib.ones_like(y))


def test_clamp_broadcast_bounds_gradient_of_x_matches_torch() -> None:
    rng = np.random.default_rng(0)
    x, lo, hi = rng.normal(size=(4, 4)), rng.uniform(-1, 0, (4, 4, 1)), rng.uniform(0, 1, (4, 4))
    ty, (tg,) = _clamp_grads(torch, x, lo, hi, (True, False, False))
    my, (mg,) = _clamp_grads(mt, x, lo, hi, (True, False, False))
    assert my.shape == tuple(ty.shape) == (4, 4, 4)
    np.testing.assert_allclose(mg.numpy(), tg.numpy())


def test_clamp_broadcast_bounds_gradient_of_bounds_raises_as_torch() -> None:
    rng = np.random.default_rng(1)
    x, lo, hi = rng.normal(size=(4, 4)), rng.uniform(-1, 0, (4, 4, 1)), rng.uniform(0, 1, (4, 4))
    with pytest.raises(RuntimeError):
        _clamp_grads(torch, x, lo, hi, (True, True, True))
    with pytest.raises(RuntimeError, match=r"\[4, 4\].*\[4, 4, 4\]"):
        _clamp_grads(mt, x, lo, hi, (True, True, True))


# -- elu at NaN, shifts and ~ on floats ----------------------------------------------------------
def test_elu_gradient_at_nan_matches_torch() -> None:
    values = [math.nan, -1.0, 0.0, 1.0, -math.inf, math.inf]
    for alpha in (1.0, 0.5):
        t = torch.tensor(values, dtype=torch.float64, requires_grad=True)
        (tg,) = torch.autograd.grad(torch.nn.functional.elu(t, alpha=alpha), t,
                                    torch.full((6,), 0.3, dtype=torch.float64))
        m = mt.tensor(values, dtype=mt.float64, requires_grad=True)
        (mg,) = mt.autograd.grad(mt.nn.functional.elu(m, alpha=alpha), m,
                                 mt.full((6,), 0.3, dtype=mt.float64))
        np.testing.assert_array_equal(mg.numpy(), tg.numpy())


@pytest.mark.parametrize("expr", ["x << 1", "x >> 1", "1 << x", "~x", "i << x"])
def test_bit_operators_on_floats_raise_torchs_class(expr: str) -> None:
    with pytest.raises(Exception) as want:
        eval(expr, {"x": torch.tensor([1.0, 2.0]), "i": torch.tensor([1, 2])})
    with pytest.raises(want.type):
        eval(expr, {"x": mt.tensor([1.0, 2.0]), "i": mt.tensor([1, 2])})


def test_in_place_shifts_follow_torch() -> None:
    values, shifts = [1, -8, 5, -1, 3], [0, 1, 63, 64, -1]
    t, m = torch.tensor(values), mt.tensor(values)
    t <<= torch.tensor(shifts)
    m <<= mt.tensor(shifts)
    same(m, t)
    t, m = torch.tensor(values), mt.tensor(values)
    t >>= 2
    m >>= 2
    same(m, t)
    same(3 >> mt.tensor([0, 1, 2]), 3 >> torch.tensor([0, 1, 2]))


def test_float_power_in_place_needs_a_double_base() -> None:
    with pytest.raises(RuntimeError):
        torch.tensor([2.0]).float_power_(2)
    with pytest.raises(RuntimeError, match="float_power_"):
        mt.tensor([2.0]).float_power_(2)
    same(mt.tensor([2.0], dtype=mt.float64).float_power_(0.5),
         torch.tensor([2.0], dtype=torch.float64).float_power_(0.5))


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "float32"])
def test_nan_to_num_in_place_on_expanded_memory_follows_torch(dtype: str) -> None:
    # integers and bools: torch copies self onto itself (a no-op), so expanded memory is fine
    # and only the version moves on; floats refuse the overlapping write
    t = torch.tensor([[1, 0, 1]]).to(getattr(torch, dtype)).expand(4, 3)
    m = mt.tensor([[1, 0, 1]]).to(mt_dtype(dtype)).expand(4, 3)
    if dtype == "float32":
        with pytest.raises(RuntimeError, match="single memory location"):
            t.nan_to_num_()
        with pytest.raises(RuntimeError, match="single memory location"):
            m.nan_to_num_()
        return
    tv, mv = t._version, m._version
    assert t.nan_to_num_(nan=2.0) is t and m.nan_to_num_(nan=2.0) is m
    same(m, t)
    assert m._version - mv == t._version - tv


def test_nan_to_num_in_place_replaces_and_guards_leaves() -> None:
    values = [1.0, math.nan, math.inf, -math.inf]
    t, m = torch.tensor(values), mt.tensor(values)
    same(m.nan_to_num_(nan=2.0, posinf=3.0), t.nan_to_num_(nan=2.0, posinf=3.0))
    with pytest.raises(RuntimeError, match="leaf Variable"):
        mt.tensor(values, requires_grad=True).nan_to_num_()


# -- where each new op lives ---------------------------------------------------------------------
@pytest.mark.parametrize("name", NEW_OPS)
def test_new_op_has_torchs_function_method_and_in_place_forms(name: str) -> None:
    assert hasattr(mt, name) == hasattr(torch, name)
    assert hasattr(mt.Tensor, name) == hasattr(torch.Tensor, name)
    assert hasattr(mt.Tensor, name + "_") == hasattr(torch.Tensor, name + "_")
