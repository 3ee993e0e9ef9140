"""What the double-backward tests share: one probe, gradgradcheck's construction, run in
torch and in minitorch on the same inputs and compared.

For f and its inputs x (those at `diff` require grad; all float ones by default): the
first gradients g = d<u, f(x)>/dx taken with create_graph=True, u a cotangent that is a
leaf too; then the gradient of <w, g> with respect to x and to u. Fixed, dense u and w.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import pytest
import torch

import minitorch as mt


def second_order(lib: Any, f: Callable[..., Any], arrays: Sequence[Any],
                 diff: Sequence[int] | None = None) -> tuple[list, list]:
    """(first gradients, second gradients in x[diff] then in each u) as float64 arrays;
    zeros where nothing reached (a first gradient with no graph: minitorch records none
    for a step's zero derivative, torch records one that gives zeros)."""
    if diff is None:
        diff = [i for i, a in enumerate(arrays)
                if isinstance(a, np.ndarray) and a.dtype.kind == "f"]
    xs = [lib.tensor(a, requires_grad=i in diff) for i, a in enumerate(arrays)]
    out = f(lib, *xs)
    outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,))
            if isinstance(o, (torch.Tensor, mt.Tensor)) and o.requires_grad]
    us = [lib.tensor(np.sin(np.arange(1.0, o.numel() + 1)).reshape(tuple(o.shape)),
                     dtype=o.dtype, requires_grad=True) for o in outs]
    wrt = [xs[i] for i in diff]
    loss = sum((o * u).sum() for o, u in zip(outs, us))
    firsts = lib.autograd.grad(loss, wrt, create_graph=True, allow_unused=True)
    terms = [(g * lib.tensor(np.cos(np.arange(g.numel())).reshape(tuple(g.shape)),
                             dtype=g.dtype)).sum()
             for g in firsts if g is not None and g.requires_grad]
    leaves = wrt + us
    seconds = (lib.autograd.grad(sum(terms), leaves, allow_unused=True) if terms
               else [None] * len(leaves))

    def arrays_of(grads: Sequence[Any], like: Sequence[Any]) -> list:
        # numpy(force=True): torch's second derivative of a step is a ZeroTensor
        return [np.zeros(tuple(t.shape)) if g is None else g.detach().numpy(force=True)
                for g, t in zip(grads, like)]

    return arrays_of(firsts, wrt), arrays_of(seconds, leaves)


@pytest.fixture
def second_order_matches_torch() -> Callable[..., None]:
    """check(f, arrays, diff=None, first=(rtol, atol), second=(rtol, atol)): minitorch's
    first and second gradients against torch's."""

    def check(f: Callable[..., Any], arrays: Sequence[Any], diff: Sequence[int] | None = None,
              first: tuple[float, float] = (1e-12, 1e-12),
              second: tuple[float, float] = (1e-10, 1e-12)) -> None:
        firsts_m, seconds_m = second_order(mt, f, arrays, diff)
        firsts_t, seconds_t = second_order(torch, f, arrays, diff)
        for k, (a, e) in enumerate(zip(firsts_m, firsts_t)):
            np.testing.assert_allclose(a, e, *first, err_msg=f"first gradient {k}")
        assert len(seconds_m) == len(seconds_t)
        for k, (a, e) in enumerate(zip(seconds_m, seconds_t)):
            np.testing.assert_allclose(a, e, *second, err_msg=f"second gradient {k}")

    return check
