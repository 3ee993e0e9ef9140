"""create_graph=True through indexing, shape ops and in-place writes through views:
second derivatives against torch's double backward (float64).

Each function cubes (or squares) the op's result, by products, so the second derivative
runs the op's forward *and* its recorded backward (the adjoint written once, in NumPy,
traced). A scatter's src has its index's shape: with a larger src, torch's own double
backward of scatter_add and scatter_reduce refuses (a gradient of the wrong shape).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch as mt


def _cube(y):
    return y * y * y


def _idx(lib, values):
    return lib.tensor(values, dtype=lib.int64)


def _setitem(lib, x):
    y = x * 1.0
    y[0, 1:] = x[1, :3] * x[2, 1:]
    return _cube(y)


def _write_through_view(lib, x):
    b = x * 1.0
    b[1:].t()[0:2].mul_(x[0, 1:3].reshape(2, 1))  # a view of a view, written in place
    return _cube(b)


def _fill_from_tensor(lib, x):
    b = x * 1.0
    b.diagonal().fill_(x.sum())
    return b * b


def _set_into_a_view_then_read_an_older_view(lib, x):
    b = x * 1.0
    earlier = b[0]
    b[:, 1:3] = x[:, :2] * x[:, 2:]
    return _cube(earlier) + b.sum(0)


def _sq(x):
    return x * x


CASES = {
    "cat": lambda lib, x: _cube(lib.cat([x, x[:1] * 2.0], 0)),
    "hstack": lambda lib, x: _sq(lib.hstack([x, x.exp()])),
    "roll dims": lambda lib, x: _cube(lib.roll(x, (1, -2), (0, 1))) * x,
    "roll flat": lambda lib, x: _cube(lib.roll(x, 5)) * x,
    "diagonal": lambda lib, x: _cube(x.diagonal(1)),
    "diag_embed": lambda lib, x: _cube(lib.diag_embed(x, offset=-1)),
    "split": lambda lib, x: _cube(x.split(1, dim=1)[1]),
    "unbind": lambda lib, x: _cube(x.unbind(1)[2]) * x[0, 0],
    "narrow": lambda lib, x: _cube(x.narrow(1, 1, 2)),
    "getitem repeats": lambda lib, x: _cube(x[_idx(lib, [0, 2, 0])]),
    "getitem mask": lambda lib, x: _cube(x[x > 0]),
    "getitem mixed": lambda lib, x: _cube(x[1:, _idx(lib, [3, 0, 3])]),
    "take": lambda lib, x: _cube(lib.take(x, _idx(lib, [[0, 5], [5, 11]]))),
    "take_along_dim": lambda lib, x: _cube(lib.take_along_dim(x, _idx(lib, [[0], [3], [3]]), 1)),
    "index_select": lambda lib, x: _cube(x.index_select(1, _idx(lib, [2, 2, 0]))),
    "scatter": lambda lib, x: _cube(lib.scatter(_sq(x), 1, _idx(lib, [[1], [0], [3]]),
                                                x[:, 1:2])),
    "scatter_add": lambda lib, x: _cube(lib.scatter_add(x, 1, _idx(lib, [[1, 1], [0, 2], [3, 3]]),
                                                        _sq(x[:, :2]))),
    "index_put": lambda lib, x: _cube(x.index_put((_idx(lib, [0, 2]),), _sq(x[1]))),
    "index_put accumulate": lambda lib, x: _cube(x.index_put((_idx(lib, [0, 0]),), _sq(x[1:]),
                                                             accumulate=True)),
    "index_copy": lambda lib, x: _cube(x.index_copy(1, _idx(lib, [3, 0]), _sq(x[:, 1:3]))),
    "index_fill": lambda lib, x: _cube(x.index_fill(1, _idx(lib, [1]), _sq(x[0, 0]))),
    "masked_scatter": lambda lib, x: _cube(x.masked_scatter(x > 0, x.exp())),
    "scatter_reduce prod": lambda lib, x: _sq(x.scatter_reduce(
        1, _idx(lib, [[0, 0], [1, 1], [2, 3]]), x[:, 1:3] * 2.0, "prod", include_self=False)),
    "scatter_reduce amax": lambda lib, x: _cube(x.scatter_reduce(
        1, _idx(lib, [[0, 0], [1, 1], [2, 3]]), x[:, 1:3] * 2.0, "amax")),
    "scatter_reduce mean": lambda lib, x: _cube(x.scatter_reduce(
        1, _idx(lib, [[0, 0], [1, 1], [2, 3]]), _sq(x[:, :2]), "mean", include_self=False)),
    "Tensor.unfold": lambda lib, x: _cube(x.unfold(1, 3, 1)),
    "index_add": lambda lib, x: _cube(x.index_add(0, _idx(lib, [2, 2]), _sq(x[:2]), alpha=2.0)),
    "masked_fill tensor": lambda lib, x: _cube(x.masked_fill(x > 0, x[0, 0] * x[1, 1])),
    "where": lambda lib, x: _cube(lib.where(x > 0, x.exp(), _sq(x[0]))),
    "stack": lambda lib, x: _cube(lib.stack([x, x.t().t() * 2.0], 1)),
    "repeat": lambda lib, x: _cube(x.repeat(2, 1, 3)),
    "flip": lambda lib, x: _cube(x.flip((0, 1))) * x,
    "tril": lambda lib, x: _cube(x.tril(1)),
    "expand permute": lambda lib, x: _cube(x[0:1].expand(2, 4).permute(1, 0)) * x[1:3].t(),
    "copy_ broadcast": lambda lib, x: _cube((x * 1.0).copy_(_sq(x[1]))),
    "clone contiguous": lambda lib, x: _cube(x.t().contiguous().clone()),
    "setitem": _setitem,
    "in-place through a view": _write_through_view,
    "fill_ with a tensor": _fill_from_tensor,
    "an older view re-derived": _set_into_a_view_then_read_an_older_view,
}


@pytest.mark.parametrize("name", list(CASES))
def test_second_derivative_matches_torch(name, second_order_matches_torch):
    second_order_matches_torch(CASES[name], [np.random.default_rng(1).standard_normal((3, 4))])


def test_scatter_reduce_prod_refuses_twice_only_where_torch_does():
    """Two zeros multiplied into one place: the first gradient exists, its derivative in src
    does not (torch's DelayedError), and the error comes only when it is differentiated."""
    a = np.array([[1.5, 2.0, -1.0], [0.5, 3.0, 2.0]])
    s = np.array([[0.0, 0.0, 2.0], [1.0, 2.0, 3.0]])
    index = [[0, 0, 1], [2, 2, 1]]
    for lib in (torch, mt):
        x = lib.tensor(a, requires_grad=True)
        src = lib.tensor(s, requires_grad=True)
        out = x.scatter_reduce(1, _idx(lib, index), src, "prod")
        gx, gs = lib.autograd.grad(_sq(out).sum(), (x, src), create_graph=True)
        lib.autograd.grad(gx.sum(), x, retain_graph=True)  # through self's adjoint: fine
        with pytest.raises(RuntimeError, match="Double backward is unsupported for src"):
            lib.autograd.grad(gs.sum(), src)
