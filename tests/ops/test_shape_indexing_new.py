"""Wave-2 shape and indexing ops against torch: narrow ... rot90, scatter_reduce and its
adjoints, torch's (not NumPy's) rule for ints among advanced indices, index_put / index_add /
index_fill / index_copy / masked_scatter, and F.pad with negative pads. Values, dtypes and
float64 gradients for a random upstream gradient come from torch itself."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch as mt
import minitorch.nn.functional as F
from minitorch.tensor import Tensor

R = np.random.default_rng(0)
A = R.standard_normal((2, 3, 4))
M = R.standard_normal((3, 4))
V = R.standard_normal(4)
IDX = np.array([0, 2])


def leaf(a, requires_grad: bool | None = None) -> Tensor:
    a = np.array(a)
    rg = a.dtype.kind == "f" if requires_grad is None else requires_grad
    return Tensor._make(a, rg, None)


def same(got: Tensor, want: torch.Tensor, tol: float = 1e-10) -> None:
    want = want.detach().numpy()
    assert got.array.dtype == want.dtype, (got.array.dtype, want.dtype)
    assert got.array.shape == want.shape, (got.array.shape, want.shape)
    np.testing.assert_allclose(got.array, want, rtol=1e-7, atol=tol)


def check(fn, *arrays, seed: int = 0) -> None:
    """fn(lib, *tensors) in both engines: outputs (a tensor or a tuple of them) must agree,
    then the gradients of every float input for random upstream gradients."""
    arrays = [np.asarray(a) for a in arrays]
    xs = [leaf(a) for a in arrays]
    xts = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ys, yts = fn(mt, *xs), fn(torch, *xts)
    if not isinstance(yts, (tuple, list)):
        ys, yts = (ys,), (yts,)
    assert len(ys) == len(yts)
    for y, yt in zip(ys, yts):
        same(y, yt)
    rng = np.random.default_rng(seed)
    pairs = [(y, yt) for y, yt in zip(ys, yts) if yt.requires_grad]
    wrt = [(x, xt) for x, xt in zip(xs, xts) if xt.requires_grad]
    if not wrt or not pairs:
        return
    gs = [rng.standard_normal(tuple(yt.shape)) for _, yt in pairs]
    got = mt.autograd.grad([y for y, _ in pairs], [x for x, _ in wrt],
                           [leaf(g, False) for g in gs], allow_unused=True)
    want = torch.autograd.grad([yt for _, yt in pairs], [xt for _, xt in wrt],
                               [torch.tensor(g) for g in gs], allow_unused=True)
    for g, gt in zip(got, want):
        if gt is None:
            assert g is None or not np.any(g.array)
        else:
            same(g, gt)


def raises_like(fn, *args, **kwargs) -> None:
    """Both engines refuse fn(lib, *args) with the same exception class."""
    try:
        fn(torch, *[torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args], **kwargs)
    except Exception as e:
        cls = type(e)
    else:
        raise AssertionError("torch accepted the call")
    with pytest.raises(cls):
        fn(mt, *[leaf(a, False) if isinstance(a, np.ndarray) else a for a in args], **kwargs)


# -- shape ops ---------------------------------------------------------------------------
SHAPE_CASES = [
    ("narrow", lambda L, x: L.narrow(x, 1, 1, 2), A),
    ("narrow neg start", lambda L, x: x.narrow(-1, -3, 2), A),
    ("narrow empty", lambda L, x: L.narrow(x, 0, 2, 0), M),
    ("narrow tensor start", lambda L, x: L.narrow(x, 0, L.tensor(1), 2), M),
    ("select", lambda L, x: L.select(x, 1, -1), A),
    ("select method", lambda L, x: x.select(0, 2), M),
    ("diagonal", lambda L, x: L.diagonal(x), M),
    ("diagonal offset", lambda L, x: x.diagonal(1), M),
    ("diagonal neg offset dims", lambda L, x: L.diagonal(x, -1, 2, 0), A),
    ("diagonal off the end", lambda L, x: L.diagonal(x, 5), M),
    ("diag 1-d", lambda L, x: L.diag(x), V),
    ("diag 1-d offset", lambda L, x: L.diag(x, -2), V),
    ("diag 2-d", lambda L, x: x.diag(1), M),
    ("diag_embed", lambda L, x: L.diag_embed(x), M),
    ("diag_embed dims", lambda L, x: L.diag_embed(x, 1, 0, 2), M),
    ("diag_embed method", lambda L, x: x.diag_embed(-1, dim1=-1, dim2=0), A),
    ("hstack 1-d", lambda L, x, y: L.hstack([x, y]), V, V[:2]),
    ("hstack 2-d", lambda L, x, y: L.hstack((x, y)), M, M[:, :1]),
    ("vstack", lambda L, x, y: L.vstack([x, y]), V, M),
    ("dstack", lambda L, x, y: L.dstack([x, y]), M, M),
    ("dstack 1-d", lambda L, x, y: L.dstack([x, y]), V, V),
    ("column_stack", lambda L, x, y, z: L.column_stack([x, y, z]), V[:3], M[:, :2], V[:3]),
    ("column_stack 0-d", lambda L, x, y: L.column_stack([x, y]), V[0], V[1]),
    ("meshgrid ij", lambda L, x, y: L.meshgrid(x, y, indexing="ij"), V, V[:3]),
    ("meshgrid xy", lambda L, x, y, z: L.meshgrid([x, y, z], indexing="xy"), V, V[:3], V[:2]),
    ("meshgrid 0-d", lambda L, x, y: L.meshgrid(x, y, indexing="xy"), V[0], V[:3]),
    ("broadcast_tensors", lambda L, x, y, z: L.broadcast_tensors(x, y, z), M[:, :1], V, V[0]),
    ("tensor_split n", lambda L, x: L.tensor_split(x, 3, dim=1), M),
    ("tensor_split 5 of 4", lambda L, x: x.tensor_split(5, -1), M),
    ("tensor_split idx", lambda L, x: L.tensor_split(x, [1, 3, 10], 1), M),
    ("tensor_split neg idx", lambda L, x: L.tensor_split(x, (-1, 1)), M),
    ("tensor_split tensor", lambda L, x: L.tensor_split(x, L.tensor([1, 2]), 1), M),
    ("tensor_split 0-d tensor", lambda L, x: L.tensor_split(x, L.tensor(2)), M),
    ("unfold", lambda L, x: x.unfold(2, 2, 1), A),
    ("unfold step", lambda L, x: x.unfold(-1, 2, 2), A),
    ("unfold gap", lambda L, x: x.unfold(1, 1, 3), M),
    ("unfold 0-d", lambda L, x: x.unfold(0, 1, 1), V[0]),
    ("unfold size 0", lambda L, x: x.unfold(0, 0, 1), V),
    ("repeat_interleave int", lambda L, x: L.repeat_interleave(x, 2), M),
    ("repeat_interleave dim", lambda L, x: x.repeat_interleave(3, dim=1), M),
    ("repeat_interleave tensor", lambda L, x: x.repeat_interleave(L.tensor([1, 0, 2]), dim=0), M),
    ("repeat_interleave size", lambda L, x: L.repeat_interleave(x, L.tensor([2, 1, 1]), 0,
                                                                 output_size=4), M),
    ("repeat_interleave 0-d", lambda L, x: L.repeat_interleave(x, 3), V[0]),
    ("take", lambda L, x: L.take(x, L.tensor([[0, 5], [-1, 5]])), M),
    ("take method", lambda L, x: x.take(L.tensor([3, 3, 0])), A),
    ("rot90", lambda L, x: L.rot90(x), M),
    ("rot90 k", lambda L, x: L.rot90(x, 2, [1, 2]), A),
    ("rot90 -1", lambda L, x: x.rot90(-1, [2, 0]), A),
    ("rot90 0", lambda L, x: x.rot90(4), M),
    ("atleast_1d", lambda L, x: L.atleast_1d(x), V[0]),
    ("atleast_2d", lambda L, x, y: L.atleast_2d(x, y), V[0], V),
    ("atleast_3d", lambda L, x, y, z: L.atleast_3d([x, y, z]), V[0], V, M),
    ("atleast_3d 3-d", lambda L, x: L.atleast_3d(x), A),
    ("roll 0-d", lambda L, x: L.roll(x, 1), V[0]),
    ("scatter 0-d", lambda L, x, s: L.scatter(x, 0, L.tensor(0), s), V[0], V[1]),
    ("scatter_add 0-d", lambda L, x, s: L.scatter_add(x, 0, L.tensor(0), s), V[0], V[1]),
    ("scatter 0-d 1-element index", lambda L, x, s: x.scatter(0, L.tensor([0]), s), V[0], V[:1]),
    ("scatter value=", lambda L, x: L.scatter(x, 1, L.tensor([[0], [3], [1]]), value=2.5), M),
    ("scatter method value=", lambda L, x: x.scatter(0, L.tensor([[2, 0]]), value=-1), M),
]


@pytest.mark.parametrize("name,fn,arrays", [(c[0], c[1], c[2:]) for c in SHAPE_CASES],
                         ids=[c[0] for c in SHAPE_CASES])
def test_shape_op_matches_torch(name, fn, arrays):
    check(fn, *arrays)


# -- scatter_reduce: values and torch's adjoints ------------------------------------------
SR_INDEX = np.array([[0, 1, 0, 3], [2, 2, 1, 2], [3, 3, 3, 3]])


def _sr_src(rng):
    s = rng.standard_normal((3, 4))  # torch's adjoint fails for a src larger than index
    s[0, 0] = s[0, 2] = 0.0  # two zeros into one place (prod)
    s[1, 2] = 0.0  # a lone zero
    s[2, :4] = 1.5  # ties (amax / amin)
    return s


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_matches_torch(reduce, include_self):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4))
    x[2, 3] = 1.5  # self ties with src
    check(lambda L, a, s: L.scatter_reduce(a, 1, L.tensor(SR_INDEX), s, reduce,
                                           include_self=include_self), x, _sr_src(rng))
    check(lambda L, a, s: a.scatter_reduce(0, L.tensor(SR_INDEX[:2, :3] % 3), s, reduce,
                                           include_self=include_self), x, _sr_src(rng)[:2, :3])


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce_integers_and_inplace(reduce):
    x = np.array([[1, -2, 3, 4], [5, 6, -7, 8], [9, 1, 2, 3]])
    src = np.array([[7, 8, -9, 1, 2], [1, 1, 1, 5, 5], [3, 3, 3, 3, 3]])  # larger: fine
    for inc in (True, False):
        check(lambda L, a, s, inc=inc: L.scatter_reduce(a, 1, L.tensor(SR_INDEX), s, reduce,
                                                        include_self=inc), x, src)
    y, yt = leaf(x), torch.tensor(x)
    y.scatter_reduce_(1, mt.tensor(SR_INDEX), leaf(src), reduce)
    yt.scatter_reduce_(1, torch.tensor(SR_INDEX), torch.tensor(src), reduce)
    same(y, yt)


def test_scatter_reduce_bad_inputs():
    x, i = np.zeros((2, 3)), np.array([[0, 1]])
    raises_like(lambda L, a, b, c: L.scatter_reduce(a, 1, b, c, "mul"), x, i, x)
    raises_like(lambda L, a, b, c: L.scatter_reduce(a, 1, b, c, "sum"), x, i, x.astype(np.float32))
    raises_like(lambda L, a, b, c: L.scatter_reduce(a, 1, b, c, "sum"), x, np.array([[3]]), x)
    raises_like(lambda L, a, b, c: L.scatter_reduce(a, 2, b, c, "sum"), x, i, x)


# -- indexing by torch's rules (not NumPy's) --------------------------------------------
def _i(*v):
    return np.array(v, dtype=np.int64)


B2 = np.array([True, False])
B3 = np.array([True, False, True])
MIXED = [
    (1, slice(None), _i(0, 2)), (_i(0, 1), slice(None), 1), (slice(None), 1, _i(3, 0, 3)),
    (1, _i(0, 2), _i(1, 3)), (_i(1, 0), 2, _i(1, 3)), (_i(1), slice(None), 2),
    (Ellipsis, 1, None, _i(0, 2)), (_i(0, 1), None, _i(0, 2)), (None, _i(0, 1), 1),
    ([0, 1], 1, [0, 2]), (True, 1, slice(None), _i(0, 2)), (1, True, slice(None), _i(0, 2)),
    (slice(None), True, 1, _i(0, 2)), (_i(0, 1), slice(None), True), (B2, slice(None), _i(0, 2)),
    (1, B3, _i(0, 2)), (B2, 1, _i(3)), (slice(None), B3, 1), (1, Ellipsis, _i(0, 0, 2)),
    (_i(1, 0), Ellipsis, _i(0, 3)), (np.array(1), slice(None), _i(0, 2)),
    (_i(0, 1), np.array(1), _i(0, 2)), (np.array(True), 1, _i(1, 2)),
    (_i([0], [1]), slice(1, 3), _i(0, 2)), (slice(None, None, 2), _i(2, 0), 0),
    (0, slice(1, None), [[0, 1], [2, 3]]), (None, 1, None, _i(0, 1), None),
    (0, [[0, 1], [1, 2]], slice(1, None)), ([0, 0, 1], slice(None), [[1], [2]]),
    (slice(0, 0), [0]), ([], 1), (1, [True, False, True], [0, 3]),
]


def _torch_index(item):
    if isinstance(item, tuple):
        return tuple(_torch_index(i) for i in item)
    return torch.tensor(item) if isinstance(item, np.ndarray) else item


def _mt_index(item):
    if isinstance(item, tuple):
        return tuple(_mt_index(i) for i in item)
    return leaf(item, False) if isinstance(item, np.ndarray) else item


@pytest.mark.parametrize("index", MIXED, ids=[str(i) for i in range(len(MIXED))])
def test_getitem_mixed_follows_torch(index):
    def fn(L, x):
        return x[_torch_index(index) if L is torch else _mt_index(index)]
    check(fn, A)


@pytest.mark.parametrize("index", MIXED, ids=[str(i) for i in range(len(MIXED))])
def test_setitem_mixed_follows_torch(index):
    shape = tuple(torch.tensor(A)[_torch_index(index)].shape)
    v = R.standard_normal(shape)

    def fn(L, x, val):
        y = x * 1.0
        y[_torch_index(index) if L is torch else _mt_index(index)] = val
        return y
    check(fn, A, v)
    # a value broadcast into the slot, and a Python number, without autograd
    y, yt = leaf(A.copy(), False), torch.tensor(A)
    y[_mt_index(index)] = 7.0
    yt[_torch_index(index)] = 7.0
    same(y, yt)


def test_write_into_view_under_autograd_matches_torch():
    """Writes through views rewrite the base's history (views.py): values and gradients."""

    def fn(L, x, v):
        y = x * 2
        y[0][1] = 5.0
        y.t()[0] = v[:3]
        y[0, 2] = 7.0  # into the tensor itself
        return y

    check(fn, M, V)


# -- index_put / index_add / index_copy / index_fill / masked_scatter ----------------------
MASK34 = np.array([[True, False, True, True], [False, False, True, False],
                   [True, True, False, False]])
INDEX_CASES = [
    ("index_put", lambda L, x, v: L.index_put(x, (L.tensor([0, 2]),), v), M, V),
    ("index_put pairs", lambda L, x, v: x.index_put((L.tensor([0, 2, 0]), L.tensor([1, 3, 1])),
                                                    v, accumulate=True), M, V[:3]),
    ("index_put accumulate broadcast", lambda L, x, v: x.index_put(
        (L.tensor([1, 1]),), v, True), M, V),
    ("index_put 0-d value", lambda L, x, v: x.index_put((L.tensor([1, 0]), L.tensor([2, 2])), v),
     M, V[0]),
    ("index_put bool", lambda L, x, v: L.index_put(x, (L.tensor(MASK34),), v), M, V[:1]),
    ("index_add", lambda L, x, s: L.index_add(x, 0, L.tensor([0, 2, 0]), s), M, M),
    ("index_add alpha dim", lambda L, x, s: x.index_add(1, L.tensor([3, 1]), s, alpha=-2.5), M,
     M[:, :2]),
    ("index_add int32 index", lambda L, x, s: x.index_add(-1, L.tensor([3], dtype=L.int32), s),
     A, A[..., :1]),
    ("index_add 0-d", lambda L, x, s: x.index_add(0, L.tensor([0]), s), V[0], V[1]),
    ("index_copy", lambda L, x, s: L.index_copy(x, 0, L.tensor([2, 0]), s), M, M[:2]),
    ("index_copy dim", lambda L, x, s: x.index_copy(2, L.tensor([1, 3, 0]), s), A, A[..., :3]),
    ("index_fill", lambda L, x: L.index_fill(x, 1, L.tensor([0, 2, 2]), -1.5), M),
    ("index_fill neg", lambda L, x: x.index_fill(0, L.tensor([-1]), 3), A),
    ("index_fill tensor value", lambda L, x, v: x.index_fill(1, L.tensor([1, 3]), v), M, V[0]),
    ("index_fill 0-d index", lambda L, x: x.index_fill(0, L.tensor(1), 2.0), M),
    ("masked_scatter", lambda L, x, s: L.masked_scatter(x, L.tensor(MASK34), s), M, A),
    ("masked_scatter broadcast", lambda L, x, s: x.masked_scatter(L.tensor(MASK34[0]), s), M, M),
    ("masked_scatter grows", lambda L, x, s: x.masked_scatter(L.tensor(MASK34), s), V, M),
]


@pytest.mark.parametrize("name,fn,arrays", [(c[0], c[1], c[2:]) for c in INDEX_CASES],
                         ids=[c[0] for c in INDEX_CASES])
def test_index_op_matches_torch(name, fn, arrays):
    check(fn, *arrays)


@pytest.mark.parametrize("name", ["index_put", "index_add", "index_copy", "index_fill",
                                  "masked_scatter"])
def test_inplace_forms(name):
    calls = {
        "index_put": lambda L, y: y.index_put_((L.tensor([0, 2]),), L.tensor(V), True),
        "index_add": lambda L, y: y.index_add_(1, L.tensor([0, 0]), L.tensor(M[:, :2]), alpha=2),
        "index_copy": lambda L, y: y.index_copy_(0, L.tensor([1]), L.tensor(M[:1])),
        "index_fill": lambda L, y: y.index_fill_(1, L.tensor([3]), 9.0),
        "masked_scatter": lambda L, y: y.masked_scatter_(L.tensor(MASK34), L.tensor(A)),
    }
    y, yt = leaf(M.copy(), False), torch.tensor(M)
    view = y[1]
    out = calls[name](mt, y)
    calls[name](torch, yt)
    assert out is y
    same(y, yt)
    same(view, yt[1])  # without autograd the write lands in memory: views see it
    x, xt = leaf(M), torch.tensor(M, requires_grad=True)
    z, zt = x * 1.0, xt * 1.0
    calls[name](mt, z)
    calls[name](torch, zt)
    g = R.standard_normal(M.shape)
    z.backward(leaf(g, False))
    zt.backward(torch.tensor(g))
    same(x.grad, xt.grad)


BAD_INDEX = [
    (lambda L, x, i, s: L.index_add(x, 0, i, s), M, np.array([3]), M[:1]),
    (lambda L, x, i, s: L.index_add(x, 0, i, s), M, np.array([-1]), M[:1]),
    (lambda L, x, i, s: L.index_add(x, 0, i, s), M, np.array([0.0]), M[:1]),
    (lambda L, x, i, s: L.index_add(x, 0, i, s), M, np.array([0, 1]), M[:1]),
    (lambda L, x, i, s: L.index_add(x, 0, i, s), M, np.array([[0]]), M[:1]),
    (lambda L, x, i, s: L.index_add(x, 0, i, s), M, np.array([0]), M[:1].astype(np.float32)),
    (lambda L, x, i, s: L.index_copy(x, 0, i, s), M, np.array([3]), M[:1]),
    (lambda L, x, i, s: L.index_copy(x, 0, i, s), M, np.array([0], np.int32), M[:1]),
    (lambda L, x, i, s: L.index_copy(x, 0, i, s), M, np.array([0]), M[:1, :2]),
    (lambda L, x, i: L.index_fill(x, 0, i, 1.0), M, np.array([3])),
    (lambda L, x, i: L.index_fill(x, 0, i, 1.0), M, np.array([0], np.int32)),
    (lambda L, x, i, v: L.index_fill(x, 0, i, v), M, np.array([0]), V[:2]),
    (lambda L, x, i, v: L.index_put(x, (i,), v), M, np.array([5]), V),
    (lambda L, x, i, v: L.index_put(x, (i,), v), M, np.array([0]), V.astype(np.float32)),
    (lambda L, x, i, v: L.index_put(x, (i,), v), M, np.array([0]), V[:3]),
    (lambda L, x, i: L.index_put(x, (i,), 2.0), M, np.array([0])),
    (lambda L, x, m, s: L.masked_scatter(x, m, s), M, MASK34.astype(np.int64), A),
    (lambda L, x, m, s: L.masked_scatter(x, m, s), M, MASK34, V),
    (lambda L, x, m, s: L.masked_scatter(x, m, s), M, MASK34, A.astype(np.float32)),
    (lambda L, x, m, s: x.masked_scatter_(m, s), V, MASK34, A),
    (lambda L, x, i, s: L.index_add(x, 0, i, s), V[0], np.array([0]), V[:1]),
    (lambda L, x, i, v: L.index_put(x, (None, i), v), M, np.array([0]), V[:3]),
]


@pytest.mark.parametrize("case", BAD_INDEX, ids=[str(i) for i in range(len(BAD_INDEX))])
def test_index_ops_bad_inputs(case):
    raises_like(case[0], *case[1:])


# -- F.pad with negative amounts in every mode -------------------------------------------
PAD_CASES = [(-1, 2), (-2, -1), (2, -1), (-3, 4), (-4, 4), (0, -2), (-1, -1, 1, -1),
             (1, -2, -1, 1)]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pads", PAD_CASES, ids=[str(p) for p in PAD_CASES])
def test_pad_negative_matches_torch(mode, pads):
    x = R.standard_normal((2, 3, 5))
    if mode == "reflect" and max(pads) >= 3:
        pytest.skip("reflect pads must be smaller than the dim")
    if mode == "circular" and pads in ((-3, 4), (-4, 4)):
        # torch wraps more than once around the cropped input; its adjoint then misses
        # copies (and for some shapes its forward refuses: overlapping memory). Values agree.
        y, yt = F.pad(leaf(x), pads, mode=mode), torch.nn.functional.pad(torch.tensor(x), pads,
                                                                         mode=mode)
        same(y, yt)
        return
    check(lambda L, a: (F if L is mt else torch.nn.functional).pad(a, pads, mode=mode), x)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pads", [(-5, 0), (-6, 1), (-5, -1), (-7, 1)])
def test_pad_negative_to_nothing(mode, pads):
    x = R.standard_normal((1, 2, 5))
    tf = torch.nn.functional
    try:
        want = tf.pad(torch.tensor(x), pads, mode=mode)
    except Exception as e:
        with pytest.raises(type(e)):
            F.pad(leaf(x), pads, mode=mode)
        return
    same(F.pad(leaf(x), pads, mode=mode), want)


@pytest.mark.parametrize("call", [
    lambda L, v, w: v.index_fill_(0, L.tensor([1]), 2.0),
    lambda L, v, w: v.index_add_(0, L.tensor([1]), w[:1]),
    lambda L, v, w: v.masked_scatter_(L.tensor([True, False, True, False]), w),
    lambda L, v, w: v.scatter_(0, L.tensor([1]), 2.0),
    lambda L, v, w: v.scatter_reduce_(0, L.tensor([1]), w[:1], "sum"),
    lambda L, v, w: v.index_put_((L.tensor([0]),), w[:1]),
])
def test_inplace_index_op_into_a_view_under_autograd_matches_torch(call):
    def fn(L, x, w):
        y = x * 1.0
        call(L, y[0], w)  # the write lands in y, and y's gradient goes through it
        return y

    check(fn, M, V)
    y = leaf(M) * 1.0
    call(mt, y[0].detach(), leaf(V, False))  # no autograd: the write lands in y's memory
    assert y.array[0].tolist() != (M[0] * 1.0).tolist()


def test_meshgrid_warns_without_indexing_like_torch():
    x = leaf(V, False)
    with pytest.warns(UserWarning, match="indexing"):
        mt.meshgrid(x, x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mt.meshgrid(x, x, indexing="ij")


@pytest.mark.parametrize("args", [(3, 4), (3, 4, 1), (4, 3, -1), (0, 3), (3, 3, 5), (3, 3, -5)])
def test_triangle_indices(args):
    for name in ("tril_indices", "triu_indices"):
        same(getattr(mt, name)(*args), getattr(torch, name)(*args))
        same(getattr(mt, name)(*args, dtype=mt.int32), getattr(torch, name)(*args,
                                                                           dtype=torch.int32))


def test_repeat_interleave_counts_alone():
    same(mt.repeat_interleave(mt.tensor([2, 0, 3])),
         torch.repeat_interleave(torch.tensor([2, 0, 3])))


BAD_SHAPE = [
    (lambda L, x: L.narrow(x, 0, 4, 1), M), (lambda L, x: L.narrow(x, 0, 2, 2), M),
    (lambda L, x: L.narrow(x, 0, 0, 1), V[0]), (lambda L, x: L.select(x, 1, 4), M),
    (lambda L, x: L.select(x, 0, 0), V[0]), (lambda L, x: L.diagonal(x, 0, 1, 1), M),
    (lambda L, x: L.diagonal(x), V), (lambda L, x: L.diag(x), A),
    (lambda L, x: L.diag_embed(x, 0, 1, 1), M), (lambda L, x: x.unfold(1, 5, 1), M),
    (lambda L, x: x.unfold(1, 2, 0), M), (lambda L, x: x.unfold(2, 1, 1), M),
    (lambda L, x: L.tensor_split(x, 0), M), (lambda L, x: L.tensor_split(x, 2), V[0]),
    (lambda L, x: L.rot90(x, 1, [0, 0]), M), (lambda L, x: L.rot90(x), V),
    (lambda L, x: L.rot90(x, 1, [0]), M), (lambda L, x: L.repeat_interleave(x, -1), M),
    (lambda L, x: L.repeat_interleave(x, L.tensor([1, 2]), 0), M),
    (lambda L, x: L.repeat_interleave(x, L.tensor([1.0, 2.0, 1.0]), 0), M),
    (lambda L, x: L.take(x, L.tensor([12])), M),
    (lambda L, x: L.take(x, L.tensor([0], dtype=L.int32)), M),
    (lambda L, x, y: L.hstack([x, y]), M, A), (lambda L, x, y: L.vstack([x, y]), M, V[:3]),
    (lambda L, x: L.meshgrid(x, x, indexing="ji"), V),
    (lambda L, x: L.meshgrid(x, indexing="ij"), M),
    (lambda L, x, y: L.broadcast_tensors(x, y), M, V[:3]), (lambda L, x: L.roll(x, 1, 0), V[0]),
    (lambda L: L.tril_indices(-1, 3),), (lambda L: L.triu_indices(3, 3, dtype=L.float32),),
    (lambda L, x: L.scatter(x, 0, L.tensor([[0]]), 1.0, value=2.0), M),
]


@pytest.mark.parametrize("case", BAD_SHAPE, ids=[str(i) for i in range(len(BAD_SHAPE))])
def test_shape_ops_bad_inputs(case):
    raises_like(case[0], *case[1:])


@pytest.mark.parametrize("call", [
    lambda x: x.flip(0, 1), lambda x: x.flip((0, 1)), lambda x: x.flip([1]), lambda x: x.flip(1),
    lambda x: x.flip(dims=(0,)),
], ids=["spread", "tuple", "list", "one int", "keyword"])
def test_tensor_flip_takes_dims_as_torch_does(call):
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(call(mt.tensor(a)).numpy(), call(torch.tensor(a)).numpy())


def test_function_flip_refuses_an_int_as_torch_does():
    for lib in (mt, torch):
        with pytest.raises(TypeError):
            lib.flip(lib.ones(2, 3), 0, 1)
        with pytest.raises(TypeError, match="tuple of ints"):
            lib.flip(lib.ones(2, 3), 0)


def test_split_and_unbind_views_without_a_graph() -> None:
    # no gradient wanted: the pieces are made directly as views, with what Function.apply
    # would give them (the base, the shared version counter, writes seen both ways)
    def run(lib):
        x = lib.arange(12.0).reshape(3, 4)
        a, b = x.split(2)
        rows = x.unbind(1)
        a.mul_(2)
        x.add_(1)
        v = x[1:]
        p, _ = v.split(1)
        return (x.tolist(), b.tolist(), rows[3].tolist(), p.tolist(),
                (a._version, x._version, rows[2]._version, p._version),
                (a._base is x, rows[1]._base is x, p._base is x, a.requires_grad, a.grad_fn))
    assert run(mt) == run(torch)
