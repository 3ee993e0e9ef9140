"""Max pooling against torch bit for bit: values, -0.0/0.0 ties, indices and the gradient
of overlapping windows (added in torch's order), in 1, 2 and 3 spatial dims."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch as mt
import minitorch.nn.functional as MF

CASES = [  # (spatial shape, kernel, stride, padding, dilation, ceil_mode)
    ((9,), (3,), (1,), (1,), (2,), False),
    ((7, 8), (3, 2), (1, 1), (1, 0), (1, 2), True),
    ((6, 5), (3, 3), (2, 1), (1, 1), (1, 1), False),
    ((5, 6, 7), (3, 2, 3), (1, 2, 1), (1, 0, 1), (1, 2, 1), False),
    ((4, 5, 4), (2, 2, 2), (2, 2, 2), (0, 0, 0), (1, 1, 1), True),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=[str(c[1]) for c in CASES])
def test_max_pool_bitwise(case: tuple, dtype: str) -> None:
    size, k, s, p, d, ceil = case
    rng = np.random.default_rng(7)
    shape = (2, 3) + size
    x = np.where(rng.random(shape) < 0.3, rng.choice([0.0, -0.0, 1.0, -np.inf], shape),
                 rng.standard_normal(shape)).astype(dtype)
    tf = {1: torch.nn.functional.max_pool1d, 2: torch.nn.functional.max_pool2d,
          3: torch.nn.functional.max_pool3d}[len(size)]
    mf = {1: MF.max_pool1d, 2: MF.max_pool2d, 3: MF.max_pool3d}[len(size)]
    xt = torch.tensor(x, requires_grad=True)
    yt, it = tf(xt, k, s, p, d, ceil, True)
    g = rng.standard_normal(tuple(yt.shape)).astype(dtype)
    yt.backward(torch.tensor(g))
    xm = mt.tensor(x, requires_grad=True)
    ym, im = mf(xm, k, s, p, d, ceil, True)
    ym.backward(mt.tensor(g))
    y = ym.detach().numpy()
    assert np.array_equal(y, yt.detach().numpy())
    assert np.array_equal(np.signbit(y), np.signbit(yt.detach().numpy()))
    assert np.array_equal(im.numpy(), it.numpy())
    assert np.array_equal(xm.grad.numpy(), xt.grad.numpy())
