"""Issue 12's activations, distances and losses against torch: values, gradients, kinks, errors.

Each case runs the same call in both engines on the same float64 arrays (special values and
kinks included) and compares the output and every input's gradient. The wide sweep is in
parity/rows_nnact.py and parity/modules_nnact.py; this file is the fast check.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest
import torch

import minitorch as mt
import minitorch.nn as mnn
import minitorch.nn.functional as MF

SPECIAL = [0.0, -0.0, 1e-3, -1e-3, 0.5, -0.5, 1.0, -1.0, 3.0, -3.0, 6.0, 2.5, -2.5, 30.0,
           -30.0, math.inf, -math.inf, math.nan]


def _both(fn: Callable[[Any, list[Any]], Any], arrays: list[np.ndarray],
          grad: tuple[int, ...] | None = None) -> None:
    """fn(lib, tensors) in both engines: outputs equal, gradients of sum(out * g) equal."""
    grad = tuple(i for i, a in enumerate(arrays) if a.dtype.kind == "f") if grad is None else grad
    tt = [torch.tensor(a, requires_grad=i in grad) for i, a in enumerate(arrays)]
    mm = [mt.tensor(a, requires_grad=i in grad) for i, a in enumerate(arrays)]
    to, mo = fn(torch, tt), fn(mt, mm)
    assert tuple(mo.shape) == tuple(to.shape)
    assert str(mo.dtype).split(".")[-1] == str(to.dtype).split(".")[-1]
    np.testing.assert_allclose(mo.detach().numpy(), to.detach().numpy(), rtol=1e-6, atol=1e-9)
    if not grad or not to.requires_grad:
        return
    g = np.random.default_rng(0).standard_normal(tuple(to.shape)).astype(arrays[0].dtype)
    (to * torch.tensor(g)).sum().backward()
    (mo * mt.tensor(g)).sum().backward()
    for i in grad:
        tg, mg = tt[i].grad, mm[i].grad
        assert (tg is None) == (mg is None), i
        if tg is not None:
            np.testing.assert_allclose(mg.numpy(), tg.numpy(), rtol=1e-6, atol=1e-9,
                                       err_msg=f"gradient of input {i}")


ACTIVATIONS: list[tuple[str, dict[str, Any]]] = [
    ("hardtanh", {}), ("hardtanh", {"min_val": -0.5, "max_val": 2.5}), ("relu6", {}),
    ("hardsigmoid", {}), ("hardswish", {}), ("softsign", {}), ("tanhshrink", {}),
    ("celu", {}), ("celu", {"alpha": 2.0}), ("selu", {}), ("mish", {}), ("logsigmoid", {}),
    ("softshrink", {}), ("softshrink", {"lambd": 1.0}), ("hardshrink", {}),
    ("hardshrink", {"lambd": 3.0}), ("threshold", {"threshold": 0.5, "value": -2.0}),
    ("rrelu", {}), ("rrelu", {"lower": 0.1, "upper": 0.3}),
]


@pytest.mark.parametrize("name,kw", ACTIVATIONS, ids=lambda v: str(v))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_special_values(name: str, kw: dict[str, Any], dtype: Any) -> None:
    x = np.array(SPECIAL, dtype=dtype)
    _both(lambda L, t: getattr(L.nn.functional, name)(t[0], **kw), [x])


@pytest.mark.parametrize("name,kw", ACTIVATIONS, ids=lambda v: str(v))
def test_activation_random_and_inplace(name: str, kw: dict[str, Any]) -> None:
    x = np.random.default_rng(1).uniform(-5, 5, (3, 4))
    _both(lambda L, t: getattr(L.nn.functional, name)(t[0], **kw), [x])
    code = getattr(getattr(torch.nn.functional, name), "__code__", None)
    if code is not None and "inplace" in code.co_varnames:
        def inplace(L: Any, t: list[Any]) -> Any:
            y = t[0] * 1
            out = getattr(L.nn.functional, name)(y, inplace=True, **kw)
            assert out is y
            return y
        _both(inplace, [x])
