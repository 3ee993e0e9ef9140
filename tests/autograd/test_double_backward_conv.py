"""create_graph=True through nn.functional's convolutions, pooling, normalisations, padding,
fold/unfold, interpolate and attention: the gradient of <w, first gradient> (in the inputs
and in the output's cotangent) against torch's double backward, float64; torch's refusal
of a second derivative of its fused CPU attention kernel, raised by the same class; and
first-order gradients that a recorded backward leaves as they were."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch as mt

RNG = np.random.default_rng(11)


def _normal(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


X4 = _normal(2, 4, 7, 6)  # (N, C, H, W)
X3 = _normal(2, 4, 9)  # (N, C, L)
X5 = _normal(1, 2, 4, 5, 4)  # (N, C, D, H, W)
W2 = _normal(6, 2, 3, 2)  # conv2d weight, groups=2
W1 = _normal(5, 4, 3)
W3 = _normal(3, 2, 2, 3, 2)
WT = _normal(4, 3, 3, 2)  # conv_transpose2d weight (C_in, C_out, kh, kw)
B6, B5, B3 = _normal(6), _normal(5), _normal(3)
G4 = RNG.uniform(0.5, 1.5, 4)  # per-channel affine weight
G6 = RNG.uniform(0.5, 1.5, 6)
Q, K, V = _normal(2, 3, 4, 5), _normal(2, 3, 6, 5), _normal(2, 3, 6, 5)


CASES = {
    "conv2d": (lambda F, x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, groups=2),
               (X4, W2, B6), (0, 1, 2)),
    "conv2d_same_dilated": (lambda F, x, w: F.conv2d(x, w, padding="same", dilation=2,
                                                     groups=2), (X4, W2), (0, 1)),
    "conv1d": (lambda F, x, w, b: F.conv1d(x, w, b, stride=2, padding=2), (X3, W1, B5),
               (0, 1, 2)),
    "conv3d": (lambda F, x, w, b: F.conv3d(x, w, b, padding=(1, 0, 1)), (X5, W3, B3),
               (0, 1, 2)),
    "conv_transpose2d": (lambda F, x, w: F.conv_transpose2d(x, w, stride=2, padding=1,
                                                            output_padding=1), (X4, WT), (0, 1)),
    "max_pool2d": (lambda F, x: F.max_pool2d(x, 3, 2, 1), (X4,), (0,)),
    "avg_pool2d": (lambda F, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                                             count_include_pad=False), (X4,), (0,)),
    "adaptive_max_pool2d": (lambda F, x: F.adaptive_max_pool2d(x, (3, 4)), (X4,), (0,)),
    "lp_pool2d": (lambda F, x: F.lp_pool2d(x, 3.0, 2), (X4,), (0,)),
    "layer_norm": (lambda F, x, w, b: F.layer_norm(x, (6,), w, b), (X4, G6, B6), (0, 1, 2)),
    "batch_norm_train": (lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                         (X4, G4, G4[::-1].copy()), (0, 1, 2)),
    "batch_norm_eval": (lambda F, x, w: F.batch_norm(
        x, x.new_tensor(G4 - 1), x.new_tensor(G4), w, None, training=False), (X4, G4), (0, 1)),
    "group_norm": (lambda F, x: F.group_norm(x, 2), (X4,), (0,)),
    "instance_norm": (lambda F, x: F.instance_norm(x), (X4,), (0,)),
    "local_response_norm": (lambda F, x: F.local_response_norm(x, 3, alpha=0.5, k=2.0), (X4,),
                            (0,)),
    "pad_constant": (lambda F, x: F.pad(x, (1, -2, 2, 0), value=0.5), (X4,), (0,)),
    "pad_reflect": (lambda F, x: F.pad(x, (2, 1, 1, 3), mode="reflect"), (X4,), (0,)),
    "unfold": (lambda F, x: F.unfold(x, (3, 2), padding=1, stride=2), (X4,), (0,)),
    "fold": (lambda F, x: F.fold(x, (5, 5), 3, padding=1, stride=2), (_normal(2, 36, 9),),
             (0,)),
    "interpolate_bicubic": (lambda F, x: F.interpolate(x, scale_factor=1.5, mode="bicubic"),
                            (X4,), (0,)),
    "interpolate_nearest": (lambda F, x: F.interpolate(x, size=(9, 4)), (X4,), (0,)),
    # 3-d: torch's composite path (its fused kernel takes 4-d only), differentiable twice
    "sdpa_3d": (lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v),
                (Q[0], K[0], V[0]), (0, 1, 2)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_second_derivative_matches_torch(name, second_order_matches_torch):
    f, arrays, diff = CASES[name]
    second_order_matches_torch(lambda lib, *xs: f(lib.nn.functional, *xs), arrays, diff,
                               first=(1e-10, 1e-12), second=(1e-10, 1e-12))


def test_fused_attention_refuses_a_second_derivative_as_torch_does():
    """torch's CPU kernel for 4-d attention without dropout has no double backward."""
    for lib in (torch, mt):
        q = lib.tensor(Q, requires_grad=True)
        y = lib.nn.functional.scaled_dot_product_attention(q, lib.tensor(K), lib.tensor(V),
                                                           is_causal=True)
        (g,) = lib.autograd.grad(y.sum(), q, create_graph=True)  # the first: fine
        with pytest.raises(RuntimeError, match="_scaled_dot_product_flash_attention_for_cpu"):
            lib.autograd.grad(g.sum(), q)


def test_recorded_backward_leaves_the_first_order_gradients_alone():
    """A create_graph=True backward through conv2d and layer_norm gives the plain one's first
    gradients (to rounding: the recorded path recomputes the columns and the normalised
    input that forward saved, through minitorch's ops)."""
    def grads(create_graph: bool):
        x = mt.tensor(X4, requires_grad=True)
        w = mt.tensor(W2, requires_grad=True)
        y = mt.nn.functional.layer_norm(mt.nn.functional.conv2d(x, w, groups=2, padding=1),
                                        (7, 7))
        return mt.autograd.grad((y * y.detach().sin()).sum(), (x, w), create_graph=create_graph)

    for plain, recorded in zip(grads(False), grads(True)):
        assert recorded.requires_grad
        np.testing.assert_allclose(recorded.detach().numpy(), plain.numpy(), rtol=1e-14,
                                   atol=1e-15)
