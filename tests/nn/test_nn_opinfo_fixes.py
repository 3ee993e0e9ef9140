"""Fixes for bugs torch's OpInfo samples found in pooling, batch norm and softmin.

Every expected value comes from running torch on the same input. See
minitorch/nn/functional/pooling.py, normalization.py and activation.py for the code.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minitorch as mt
import minitorch.nn.functional as F

INT_DTYPES = ["int64", "int32", "int16", "int8", "uint8"]


def _same(ours, theirs):
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def _ints(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    lo = 0 if dtype == "uint8" else -50
    return rng.integers(lo, 50, size=shape).astype(dtype)


# -- 1: integer pooling ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                    dict(kernel_size=2, dilation=2, ceil_mode=True)])
def test_max_pool3d_and_2d_integers_match_torch(dtype, kwargs):
    a = _ints((2, 2, 5, 4, 5), dtype)
    _same(F.max_pool3d(mt.tensor(a), **kwargs), TF.max_pool3d(torch.tensor(a), **kwargs))
    mo, mi = F.max_pool3d(mt.tensor(a), return_indices=True, **kwargs)
    to, ti = TF.max_pool3d(torch.tensor(a), return_indices=True, **kwargs)
    _same(mo, to)
    _same(mi, ti)
    _same(F.max_pool2d(mt.tensor(a[0]), **kwargs), TF.max_pool2d(torch.tensor(a[0]), **kwargs))


def test_max_pool3d_issue_repro():
    _same(F.max_pool3d(mt.ones(1, 1, 2, 2, 2, dtype=mt.int64), 2),
          TF.max_pool3d(torch.ones(1, 1, 2, 2, 2, dtype=torch.int64), 2))


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                    dict(kernel_size=3, padding=1, count_include_pad=False),
                                    dict(kernel_size=2, ceil_mode=True),
                                    dict(kernel_size=2, divisor_override=-3)])
def test_avg_pool3d_int64_matches_torch(kwargs):
    a = _ints((2, 2, 5, 4, 5), "int64")
    _same(F.avg_pool3d(mt.tensor(a), **kwargs), TF.avg_pool3d(torch.tensor(a), **kwargs))
    _same(F.avg_pool3d(mt.tensor(a[0]), **kwargs), TF.avg_pool3d(torch.tensor(a[0]), **kwargs))


def test_max_pool1d_integers_need_indices_as_in_torch():
    a = _ints((2, 3, 7), "int64")
    with pytest.raises(NotImplementedError):
        TF.max_pool1d(torch.tensor(a), 2)
    with pytest.raises(NotImplementedError, match="max_pool1d"):
        F.max_pool1d(mt.tensor(a), 2)
    mo, mi = F.max_pool1d(mt.tensor(a), 2, return_indices=True)
    to, ti = TF.max_pool1d(torch.tensor(a), 2, return_indices=True)
    _same(mo, to)
    _same(mi, ti)


@pytest.mark.parametrize("dtype", ["int32", "int16", "int8", "uint8", "bool"])
@pytest.mark.parametrize("op,shape", [("avg_pool1d", (1, 1, 2)), ("avg_pool2d", (1, 1, 2, 2)),
                                      ("avg_pool3d", (1, 1, 2, 2, 2))])
def test_avg_pool_other_integer_dtypes_raise_as_torch(dtype, op, shape):
    with pytest.raises(NotImplementedError):
        getattr(TF, op)(torch.ones(*shape, dtype=getattr(torch, dtype)), 2)
    with pytest.raises(NotImplementedError, match=op[:-2]):
        getattr(F, op)(mt.ones(*shape, dtype=getattr(mt, dtype)), 2)


@pytest.mark.parametrize("op,shape", [("max_pool2d", (1, 1, 2, 2)),
                                      ("max_pool3d", (1, 1, 2, 2, 2))])
def test_max_pool_bool_raises_as_torch(op, shape):
    with pytest.raises(NotImplementedError):
        getattr(TF, op)(torch.ones(*shape, dtype=torch.bool), 2)
    with pytest.raises(NotImplementedError, match=op):
        getattr(F, op)(mt.ones(*shape, dtype=mt.bool), 2)


# -- 2: integer avg pooling truncates toward zero, whatever the divisor's sign -----------------

@pytest.mark.parametrize("divisor", [-2, 2, -3, 3, None])
def test_avg_pool2d_integer_divisor_truncates_toward_zero(divisor):
    rows = [[[[1, 2], [0, 0]]], [[[-1, -2], [0, 0]]], [[[-3, 0], [0, 0]]], [[[5, 4], [-1, 0]]]]
    for r in rows:
        _same(F.avg_pool2d(mt.tensor([r]), 2, divisor_override=divisor),
              TF.avg_pool2d(torch.tensor([r]), 2, divisor_override=divisor))
        _same(F.avg_pool3d(mt.tensor([r]), (1, 2, 2), divisor_override=divisor),
              TF.avg_pool3d(torch.tensor([r]), (1, 2, 2), divisor_override=divisor))


def test_avg_pool2d_int64_random_matches_torch():
    a = _ints((2, 3, 6, 5), "int64")
    for kw in (dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
               dict(kernel_size=2, divisor_override=-4)):
        _same(F.avg_pool2d(mt.tensor(a), **kw), TF.avg_pool2d(torch.tensor(a), **kw))


# -- 3 and 4: batch norm of an empty input ------------------------------------------------------

@pytest.mark.parametrize("shape", [(0,), (0, 0), (0, 3), (2, 0), (0, 3, 4), (2, 3, 0)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_empty_input_matches_torch(shape, training):
    c = shape[1] if len(shape) > 1 else 0
    ours = F.batch_norm(mt.ones(*shape), mt.zeros(c), mt.ones(c), training=training)
    theirs = TF.batch_norm(torch.ones(*shape), torch.zeros(c), torch.ones(c), training=training)
    _same(ours, theirs)


def test_batch_norm_issue_repro_and_empty_gradients():
    _same(F.batch_norm(mt.ones(0), mt.ones(0), mt.ones(0), training=True),
          TF.batch_norm(torch.ones(0), torch.ones(0), torch.ones(0), training=True))
    grads = []
    for lib, fn in ((mt, F), (torch, TF)):
        x = lib.ones(0, 3, requires_grad=True)
        w = lib.ones(3, requires_grad=True)
        b = lib.zeros(3, requires_grad=True)
        fn.batch_norm(x, None, None, w, b, training=True).sum().backward()
        grads.append((x.grad, w.grad, b.grad))
    for ours, theirs in zip(*grads):
        _same(ours, theirs)


@pytest.mark.parametrize("name,shape", [("BatchNorm1d", (0, 5, 9)), ("BatchNorm1d", (0, 5)),
                                        ("BatchNorm2d", (0, 5, 2, 2)), ("BatchNorm1d", (2, 5, 0))])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_module_empty_batch_keeps_running_stats(name, shape, momentum):
    ours = getattr(mt.nn, name)(5, momentum=momentum)
    theirs = getattr(torch.nn, name)(5, momentum=momentum)
    with torch.no_grad():
        theirs.running_mean.fill_(0.5)
        theirs.running_var.fill_(2.0)
    ours.running_mean.fill_(0.5)
    ours.running_var.fill_(2.0)
    _same(ours(mt.zeros(*shape)).detach(), theirs(torch.zeros(*shape)).detach())
    for buf in ("running_mean", "running_var", "num_batches_tracked"):
        _same(getattr(ours, buf), getattr(theirs, buf))


def test_batchnorm1d_issue_repro():
    m, t = mt.nn.BatchNorm1d(5), torch.nn.BatchNorm1d(5)
    m(mt.zeros(0, 5, 9))
    t(torch.zeros(0, 5, 9))
    _same(m.running_mean, t.running_mean)


# -- 5: softmin negates in the input's dtype before casting ---------------------------------------

@pytest.mark.parametrize("dtype", ["uint8", "int8", "int64", "float32"])
def test_softmin_negates_before_the_cast(dtype):
    a = np.array([[0, 2], [3, 4]], dtype=dtype)
    ours = F.softmin(mt.tensor(a), 0, dtype=mt.float64)
    theirs = TF.softmin(torch.tensor(a), 0, dtype=torch.float64)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=0)
    assert ours.dtype == mt.float64


def test_softmin_bool_raises_as_torch():
    with pytest.raises(RuntimeError, match="bool"):
        TF.softmin(torch.tensor([[True, False]]), 0, dtype=torch.float64)
    with pytest.raises(RuntimeError, match="bool"):
        F.softmin(mt.tensor([[True, False]]), 0, dtype=mt.float64)
