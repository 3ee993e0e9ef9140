"""The indexed accumulates (support.scatter_add_into and the flat-position paths of gather
and the scatters) add in torch's order, bit for bit: heavily repeated indices (where the
order of float adds shows), float32 and float64, zero and non-zero bases, signed zeros.
Each method of support._add_rows (a row add per index, a sum per group of rows, np.add.at)
is forced in turn. See minitorch/ops/support.py."""

import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch.ops import support

DTYPES = ["float32", "float64"]


def bits(a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes(), np.flatnonzero(a.reshape(-1) != b.reshape(-1))[:5]


def wide(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """Values over many binades, so that the order of the adds changes the rounded sum."""
    return (rng.standard_normal(shape) * np.exp(rng.standard_normal(shape) * 4)).astype(dtype)


@pytest.fixture(params=["auto", "row", "group", "at"])
def method(request, monkeypatch):
    """Force one of _add_rows's methods through its cost constants."""
    if request.param == "row":
        monkeypatch.setattr(support, "_AT_NS", 1e6)
        monkeypatch.setattr(support, "_GROUP_STEP_US", 1e9)
    elif request.param == "group":
        monkeypatch.setattr(support, "_AT_NS", 1e6)
        monkeypatch.setattr(support, "_GROUP_STEP_US", 0.0)
        monkeypatch.setattr(support, "_GROUP_NS", 0.0)
    elif request.param == "at":
        monkeypatch.setattr(support, "_AT_NS", 0.0)
    return request.param


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,dim", [((6, 300), 0), ((3, 5, 7), 1), ((4, 2), 0),
                                       ((5, 3), 1), ((9,), 0)])
@pytest.mark.parametrize("base", ["zeros", "random", "signed zeros"])
def test_index_add_matches_torch(method, dtype, shape, dim, base):
    rng = np.random.default_rng(hash((shape, dim, base)) % 2**32)
    idx = rng.choice(np.array([0, shape[dim] - 1]), 400)  # two rows, ~200 adds each
    src_shape = shape[:dim] + (idx.size,) + shape[dim + 1:]
    src = wide(rng, src_shape, dtype)
    if base == "zeros":
        x = np.zeros(shape, dtype)
    elif base == "signed zeros":  # -0 + v is v: the sum must start at x itself
        x = np.full(shape, -0.0, dtype)
    else:
        x = wide(rng, shape, dtype)
    ours = mt.index_add(mt.tensor(x), dim, mt.tensor(idx), mt.tensor(src))
    theirs = torch.index_add(torch.tensor(x), dim, torch.tensor(idx), torch.tensor(src))
    bits(ours.numpy(), theirs.numpy())


def test_all_negative_zeros_keep_their_sign(method):
    x = np.full((3, 4), -0.0, np.float32)
    src = np.full((5, 4), -0.0, np.float32)
    idx = np.array([0, 0, 2, 0, 2])
    ours = mt.index_add(mt.tensor(x), 0, mt.tensor(idx), mt.tensor(src))
    theirs = torch.index_add(torch.tensor(x), 0, torch.tensor(idx), torch.tensor(src))
    bits(ours.numpy(), theirs.numpy())


def _grads(lib, fn, x, *args):
    """fn's output and x's gradient for a wide-valued upstream gradient."""
    t = lib.tensor(x, requires_grad=True)
    out = fn(lib, t, *args)
    out.backward(lib.tensor(wide(np.random.default_rng(8), tuple(out.shape), x.dtype.name)))
    return out.detach().numpy(), t.grad.numpy()


@pytest.mark.parametrize("dtype", DTYPES)
def test_index_select_backward_matches_torch(method, dtype):
    rng = np.random.default_rng(1)
    x = wide(rng, (8, 256), dtype)
    idx = rng.choice(np.array([0, 3, 7]), 600)
    for a, b in zip(_grads(mt, lambda lib, t, i: lib.index_select(t, 0, lib.tensor(i)), x, idx),
                    _grads(torch, lambda lib, t, i: lib.index_select(t, 0, lib.tensor(i)), x,
                           idx)):
        bits(a, b)


@pytest.mark.parametrize("dtype", DTYPES)
def test_embedding_backward_matches_torch(method, dtype):
    rng = np.random.default_rng(2)
    w = wide(rng, (5, 300), dtype)
    idx = rng.choice(np.array([1, 4]), (20, 30))

    def run(lib, t, i):
        f = mt.nn.functional if lib is mt else torch.nn.functional
        return f.embedding(lib.tensor(i), t)

    for a, b in zip(_grads(mt, run, w, idx), _grads(torch, run, w, idx)):
        bits(a, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather_and_scatter_add_match_torch(dtype, dim):
    rng = np.random.default_rng(3)
    x = wide(rng, (40, 50), dtype)
    idx = rng.integers(0, 3, (30, 50) if dim == 0 else (40, 45))  # ~15 adds per place
    for a, b in zip(_grads(mt, lambda lib, t, i: lib.gather(t, dim, lib.tensor(i)), x, idx),
                    _grads(torch, lambda lib, t, i: lib.gather(t, dim, lib.tensor(i)), x, idx)):
        bits(a, b)
    src = wide(rng, idx.shape, dtype)
    ours = mt.scatter_add(mt.tensor(x), dim, mt.tensor(idx), mt.tensor(src))
    theirs = torch.scatter_add(torch.tensor(x), dim, torch.tensor(idx), torch.tensor(src))
    bits(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_repeated_matches_torch(reduce, include_self):
    rng = np.random.default_rng(4)
    x = rng.uniform(0.5, 1.5, (6, 7)).astype(np.float32)
    src = rng.uniform(0.5, 1.5, (6, 9)).astype(np.float32)
    idx = rng.integers(0, 3, (6, 9))

    def run(lib, t, i, s):
        return lib.scatter_reduce(t, 1, lib.tensor(i), lib.tensor(s), reduce,
                                  include_self=include_self)

    for a, b in zip(_grads(mt, run, x, idx, src), _grads(torch, run, x, idx, src)):
        bits(a, b)


def test_scatter_onto_a_transposed_input():
    x = np.arange(12, dtype=np.float32).reshape(3, 4).T  # not C-contiguous
    idx = np.array([[0, 1, 2], [2, 1, 0]])
    src = -np.ones((2, 3), np.float32)
    ours = mt.scatter(mt.tensor(x), 0, mt.tensor(idx), mt.tensor(src))
    theirs = torch.scatter(torch.tensor(x), 0, torch.tensor(idx), torch.tensor(src))
    bits(ours.numpy(), theirs.numpy())
    ours = mt.gather(mt.tensor(x).t().t(), 1, mt.tensor(idx))
    bits(ours.numpy(), torch.gather(torch.tensor(x), 1, torch.tensor(idx)).numpy())
