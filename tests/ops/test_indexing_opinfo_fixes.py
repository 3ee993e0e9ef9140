"""Indexing bugs found by torch's OpInfo samples, each checked against torch itself:
scatter's scalar in the input's dtype, scatter_reduce include_self=False on unsigned ints,
empty indices of any dtype in gather and the scatters, index_add's alpha cast as C++ does.
See minitorch/ops/indexing.py."""

import numpy as np
import pytest
import torch

import minitorch as mt

INT_DTYPES = ["uint8", "int8", "int16", "int32", "int64"]


def same(ours, theirs) -> None:
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def both(fn, dtype_name: str = "int64"):
    """fn(lib, dtype) run with minitorch and with torch."""
    return fn(mt, getattr(mt, dtype_name)), fn(torch, getattr(torch, dtype_name))


# -- 1: scatter's scalar is converted to the input's dtype first ----------------------
@pytest.mark.parametrize("value", [2.5, -2.7, 3, True])
@pytest.mark.parametrize("reduce", ["add", "multiply", None])
@pytest.mark.parametrize("dtype", ["int64", "int8", "float32", "bool"])
def test_scatter_scalar_cast_to_input_dtype(value, reduce, dtype):
    def run(lib, dt):
        x = lib.tensor([-3, 4, 5]).to(dt)
        kw = {} if reduce is None else {"reduce": reduce}  # torch refuses reduce=None
        return x.scatter(0, lib.tensor([0, 0, 2]), value, **kw)

    same(*both(run, dtype))


def test_scatter_0d_scalar_add_matches_torch():
    ours = mt.scatter(mt.tensor(-3), 0, mt.tensor(0), 2.5, reduce="add")
    same(ours, torch.scatter(torch.tensor(-3), 0, torch.tensor(0), 2.5, reduce="add"))


def test_scatter_inplace_multiply_scalar_matches_torch():
    ours = mt.tensor([-3, 4]).scatter_(0, mt.tensor([0, 0]), 2.5, reduce="multiply")
    same(ours, torch.tensor([-3, 4]).scatter_(0, torch.tensor([0, 0]), 2.5, reduce="multiply"))


@pytest.mark.parametrize("value", [-2, 255])
def test_scatter_uint8_int_scalar_wraps(value):
    def run(lib, dt):
        return lib.tensor([3, 4], dtype=dt).scatter(0, lib.tensor([0]), value)

    same(*both(run, "uint8"))


@pytest.mark.parametrize("value", [300, -2.7])
def test_scatter_uint8_scalar_overflow_raises(value):
    with pytest.raises(RuntimeError, match="overflow"):
        torch.tensor([3, 4], dtype=torch.uint8).scatter(0, torch.tensor([0]), value, reduce="add")
    with pytest.raises(RuntimeError, match="overflow"):
        mt.tensor([3, 4], dtype=mt.uint8).scatter(0, mt.tensor([0]), value, reduce="add")


# -- 2: scatter_reduce with include_self=False ---------------------------------------
@pytest.mark.parametrize("reduce", ["amax", "amin", "prod", "mean", "sum"])
@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_scatter_reduce_exclude_self_int_dtypes(reduce, dtype):
    def run(lib, dt):
        src = lib.tensor([7, 3, 2]).to(dt)
        return lib.full((3,), 5, dtype=dt).scatter_reduce(
            0, lib.tensor([0, 0, 2]), src, reduce, include_self=False)

    same(*both(run, dtype))


def test_scatter_reduce_uint8_amax_from_brief():
    ours = mt.scatter_reduce(mt.zeros(2, dtype=mt.uint8), 0, mt.tensor([0]),
                             mt.tensor([7], dtype=mt.uint8), "amax", include_self=False)
    same(ours, torch.scatter_reduce(torch.zeros(2, dtype=torch.uint8), 0, torch.tensor([0]),
                                    torch.tensor([7], dtype=torch.uint8), "amax",
                                    include_self=False))


def test_scatter_reduce_bool_mean_not_implemented():
    for lib in (torch, mt):
        x = lib.tensor([True, False])
        with pytest.raises(NotImplementedError):
            x.scatter_reduce(0, lib.tensor([0]), x[:1], "mean", include_self=False)


# -- 3: an empty index of any dtype ---------------------------------------------------
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "bool", "float32"])
@pytest.mark.parametrize("op", ["gather", "take_along_dim_flat", "scatter", "scatter_value",
                                "scatter_reduce_add", "scatter_add", "scatter_reduce"])
def test_empty_index_any_dtype_accepted(op, dtype):
    def run(lib, dt):
        x, idx, src = lib.ones(5), lib.tensor([]).to(dt), lib.ones(0)
        return {
            "gather": lambda: lib.gather(x, 0, idx),
            "take_along_dim_flat": lambda: lib.take_along_dim(x, idx),
            "scatter": lambda: lib.scatter(x, 0, idx, src),
            "scatter_value": lambda: lib.scatter(x, 0, idx, 2.0),
            "scatter_reduce_add": lambda: lib.scatter(x, 0, idx, 2.0, reduce="add"),
            "scatter_add": lambda: lib.scatter_add(x, 0, idx, src),
            "scatter_reduce": lambda: lib.scatter_reduce(x, 0, idx, src, "sum"),
        }[op]()

    same(*both(run, dtype))


@pytest.mark.parametrize("shapes", [((5,), (2, 0)), ((), (2, 0)), ((2, 3, 4), (0, 3, 5)),
                                    ((2, 3, 4), (4, 0, 7, 1)), ((3, 4), (0,))])
@pytest.mark.parametrize("op", ["gather", "scatter", "scatter_value", "scatter_reduce_add",
                                "scatter_add", "scatter_reduce", "scatter_src_1d"])
def test_empty_index_skips_the_shape_checks(op, shapes):
    # torch checks neither dims nor sizes of an empty index (nor of src then)
    in_shape, index_shape = shapes

    def run(lib, dt):
        x = lib.arange(float(np.prod(in_shape))).reshape(in_shape)
        idx, src = lib.zeros(index_shape, dtype=dt), lib.ones(index_shape)
        return {
            "gather": lambda: lib.gather(x, -1, idx),
            "scatter": lambda: lib.scatter(x, 0, idx, src),
            "scatter_value": lambda: lib.scatter(x, -1, idx, 2.0),
            "scatter_reduce_add": lambda: lib.scatter(x, 0, idx, 2.0, reduce="multiply"),
            "scatter_add": lambda: lib.scatter_add(x, -1, idx, src),
            "scatter_reduce": lambda: lib.scatter_reduce(x, 0, idx, src, "amax"),
            "scatter_src_1d": lambda: lib.scatter(x, 0, idx, lib.ones(3)),
        }[op]()

    same(*both(run, "uint8"))


def _empty_index_grads(lib, op):
    """Gradients of x and src through op with an empty (2, 0) index into a 1-d x."""
    x = lib.arange(5.0, requires_grad=True)
    idx, src = lib.zeros(2, 0, dtype=lib.int64), lib.ones(2, 0, requires_grad=True)
    if op == "gather":
        out = lib.gather(x, 0, idx)
    elif op == "scatter_reduce":
        out = lib.scatter_reduce(x, 0, idx, src, "prod")
    else:
        out = getattr(lib, op)(x, 0, idx, src)
    (out * 3).sum().backward()
    return x.grad, src.grad


@pytest.mark.parametrize("op", ["gather", "scatter", "scatter_add", "scatter_reduce"])
def test_empty_index_of_other_dims_gradients_match_torch(op):
    (mx, msrc), (tx, tsrc) = _empty_index_grads(mt, op), _empty_index_grads(torch, op)
    same(mx, tx)
    assert (msrc is None) == (tsrc is None)
    if tsrc is not None:
        same(msrc, tsrc)


@pytest.mark.parametrize("dtype", ["uint8", "int16", "bool", "float32"])
def test_nonempty_index_of_wrong_dtype_raises(dtype):
    for lib in (torch, mt):
        idx = lib.tensor([1]).to(getattr(lib, dtype))
        with pytest.raises(RuntimeError, match="int32/int64"):
            lib.gather(lib.ones(5), 0, idx)
        with pytest.raises(RuntimeError, match="int32/int64"):
            lib.scatter(lib.ones(5), 0, idx, 2.0)


@pytest.mark.parametrize("dtype", ["uint8", "int32"])
@pytest.mark.parametrize("n", [0, 1])
def test_index_select_index_add_refuse_non_int_index_even_empty(dtype, n):
    for lib in (torch, mt):
        idx = lib.zeros(n).to(getattr(lib, dtype))
        if dtype == "int32":  # accepted: both give the same answer
            continue
        with pytest.raises(RuntimeError):
            lib.index_select(lib.ones(5), 0, idx)
        with pytest.raises(RuntimeError):
            lib.index_add(lib.ones(5), 0, idx, lib.ones(n))


@pytest.mark.parametrize("dtype", ["int32", "uint8"])
@pytest.mark.parametrize("n", [0, 1])
def test_take_along_dim_with_dim_wants_int64(dtype, n):
    for lib in (torch, mt):
        idx = lib.zeros(n).to(getattr(lib, dtype))
        with pytest.raises(RuntimeError, match="should be Long"):
            lib.take_along_dim(lib.ones(5), idx, 0)


def test_take_along_dim_flat_int32_matches_torch():
    same(mt.take_along_dim(mt.arange(5.0), mt.tensor([4, 1], dtype=mt.int32)),
         torch.take_along_dim(torch.arange(5.0), torch.tensor([4, 1], dtype=torch.int32)))


# -- 4: index_add's alpha is converted to the input's dtype ---------------------------
@pytest.mark.parametrize("alpha", [-1, -3, 2, 2.5, -1.5, True])
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int64", "float32", "bool"])
def test_index_add_alpha_cast_as_cpp(alpha, dtype):
    def run(lib, dt):
        x, s = lib.tensor([10, 20, 30]).to(dt), lib.tensor([3, 4]).to(dt)
        return lib.index_add(x, 0, lib.tensor([0, 2]), s, alpha=alpha)

    if dtype == "uint8" and alpha == -1.5:  # a negative float does not fit uint8
        for lib in (torch, mt):
            with pytest.raises(RuntimeError, match="overflow"):
                run(lib, getattr(lib, dtype))
        return
    same(*both(run, dtype))


@pytest.mark.parametrize("alpha", [300, -300])
def test_index_add_alpha_overflow_raises(alpha):
    for lib in (torch, mt):
        x = lib.tensor([10, 20], dtype=lib.int8)
        with pytest.raises(RuntimeError, match="overflow"):
            lib.index_add(x, 0, lib.tensor([0]), x[:1], alpha=alpha)
