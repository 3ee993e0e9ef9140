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
    assert got.data.dtype == want.dtype, (got.data.dtype, want.dtype)
    assert got.data.shape == want.shape, (got.data.shape, want.shape)
    np.testing.assert_allclose(got.data, want, rtol=1e-7, atol=tol)


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
            assert g is None or not np.any(g.data)
        else:
            same(g, gt)


def raises_like(fn, *args, **kwargs) -> None:
    """Both engines refuse fn(lib, *args) with the same exception class."""
    try:
        fn(torch, *[torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args], **kwargs)
    except Exception as e:  # noqa: BLE001 - the class is what we compare
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
        check(lambda L, a, s: L.scatter_reduce(a, 1, L.tensor(SR_INDEX), s, reduce,
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
