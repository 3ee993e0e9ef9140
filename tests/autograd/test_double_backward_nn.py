"""create_graph=True through nn.functional's activations, losses and distances: the
gradient of <w, first gradient> against torch's double backward (float64), and torch's
refusals (its adjoints marked not_implemented) raised by the same class at the same step."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch as mt

RNG = np.random.default_rng(7)
X = RNG.standard_normal((4, 6)) * 2
T = RNG.standard_normal((4, 6))
P = RNG.uniform(0.05, 0.95, (4, 6))  # probabilities, away from 0 and 1
Q = RNG.uniform(0.05, 0.95, (4, 6))
CLS = np.array([0, 5, 2, 3])
W6 = RNG.uniform(0.5, 1.5, 6)


CASES = {
    "gelu": (lambda lib, x: lib.nn.functional.gelu(x), (X,), (0,)),
    "gelu_tanh": (lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"), (X,), (0,)),
    "mish": (lambda lib, x: lib.nn.functional.mish(x), (X,), (0,)),
    "glu": (lambda lib, x: lib.nn.functional.glu(x, 0), (X,), (0,)),
    "prelu": (lambda lib, x, w: lib.nn.functional.prelu(x.reshape(2, 2, 6), w),
              (X, np.array([0.3, -0.7])), (0, 1)),
    # alpha 0.5: torch's float64 celu gradient is 1e-9 off exp(x / alpha) for alphas like 0.7
    "celu": (lambda lib, x: lib.nn.functional.celu(x, 0.5), (X,), (0,)),
    "mse_loss": (lambda lib, x, t: lib.nn.functional.mse_loss(x, t), (X, T), (0, 1)),
    "huber_loss": (lambda lib, x, t: lib.nn.functional.huber_loss(x, t, reduction="none",
                                                                  delta=0.8), (X, T), (0, 1)),
    "smooth_l1_loss": (lambda lib, x, t: lib.nn.functional.smooth_l1_loss(x, t, beta=1.5),
                       (X, T), (0, 1)),
    "cross_entropy": (lambda lib, x, c, w: lib.nn.functional.cross_entropy(
        x, c, weight=w, label_smoothing=0.2), (X, CLS, W6), (0,)),
    "cross_entropy_probs": (lambda lib, x, p: lib.nn.functional.cross_entropy(
        x, p, label_smoothing=0.1, reduction="sum"), (X, P), (0, 1)),
    "nll_loss": (lambda lib, x, c: lib.nn.functional.nll_loss(x, c, reduction="none"),
                 (X, CLS), (0,)),
    "binary_cross_entropy": (lambda lib, p, q: lib.nn.functional.binary_cross_entropy(p, q),
                             (P, Q), (0, 1)),
    "bce_with_logits": (lambda lib, x, q, w: lib.nn.functional.binary_cross_entropy_with_logits(
        x, q, pos_weight=w), (X, Q, W6), (0, 1)),
    "kl_div": (lambda lib, x, p: lib.nn.functional.kl_div(x, p, reduction="batchmean"),
               (X, P), (0, 1)),
    "soft_margin_loss": (lambda lib, x, t: lib.nn.functional.soft_margin_loss(x, t.sign()),
                         (X, T), (0,)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_second_derivative_matches_torch(name, second_order_matches_torch):
    f, arrays, diff = CASES[name]
    # torch's bce double backward divides by (x + 1e-12)^2 (1 - x + 1e-12)^2: off by ~1e-12
    atol = 1e-10 if name == "binary_cross_entropy" else 1e-12
    second_order_matches_torch(f, arrays, diff, first=(1e-10, atol), second=(1e-10, atol))


REFUSED = {  # torch's derivatives.yaml: these adjoints are not differentiated again
    "hardsigmoid": (lambda lib, x: lib.nn.functional.hardsigmoid(x), RuntimeError,
                    "derivative for aten::hardsigmoid_backward is not implemented"),
    "multi_margin_loss": (lambda lib, x: lib.nn.functional.multi_margin_loss(
        x, lib.tensor(CLS), p=2), RuntimeError,
        "derivative for aten::multi_margin_loss_backward is not implemented"),
    "multilabel_margin_loss": (lambda lib, x: lib.nn.functional.multilabel_margin_loss(
        x, lib.tensor(np.tile([1, 4, -1, 0, 0, 0], (4, 1)))), RuntimeError,
        "derivative for aten::multilabel_margin_loss_backward is not implemented"),
    "pdist": (lambda lib, x: lib.nn.functional.pdist(x), NotImplementedError,
              "the derivative for '_pdist_backward' is not implemented"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_second_derivative_refused_as_torch_refuses(name):
    f, error, message = REFUSED[name]
    for lib in (torch, mt):
        x = lib.tensor(X, requires_grad=True)
        (g,) = lib.autograd.grad(f(lib, x).sum(), x, create_graph=True)  # the first: fine
        with pytest.raises(error, match=message):
            lib.autograd.grad(g.sum(), x)
