"""minitorch.nn.functional: the stateless ops behind the layers (`import ... as F`).

Each submodule holds one family, every op a Function with its forward and
backward side by side (or, where the math is a composition, a few core ops):

    activation.py     relu leaky_relu elu gelu silu softplus sigmoid tanh softmax log_softmax
    basic.py          linear dropout embedding one_hot
    conv.py           conv1d conv2d            (im2col: strided view + one matmul)
    pooling.py        max_pool2d avg_pool2d    (loops over kernel offsets, not pixels)
    normalization.py  layer_norm batch_norm
    padding.py        pad
    attention.py      scaled_dot_product_attention multi_head_attention_forward
    loss.py           mse_loss l1_loss smooth_l1_loss huber_loss nll_loss cross_entropy
                      binary_cross_entropy binary_cross_entropy_with_logits kl_div
"""

from minitorch.nn.functional.activation import (
    elu,
    elu_,
    gelu,
    leaky_relu,
    leaky_relu_,
    log_softmax,
    relu,
    relu_,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    tanh,
)
from minitorch.nn.functional.attention import (
    multi_head_attention_forward,
    scaled_dot_product_attention,
)
from minitorch.nn.functional.conv import conv1d, conv2d
from minitorch.nn.functional.basic import bilinear, dropout, embedding, linear, one_hot
from minitorch.nn.functional.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from minitorch.nn.functional.normalization import batch_norm, layer_norm
from minitorch.nn.functional.padding import pad
from minitorch.nn.functional.pooling import avg_pool2d, max_pool2d, max_pool2d_with_indices

__all__ = [
    "relu", "relu_", "leaky_relu", "leaky_relu_", "elu", "elu_", "gelu", "silu", "softplus",
    "sigmoid", "tanh", "softmax", "softmin", "log_softmax",
    "linear", "bilinear", "dropout", "embedding", "one_hot",
    "conv1d", "conv2d", "max_pool2d", "max_pool2d_with_indices", "avg_pool2d",
    "layer_norm", "batch_norm", "pad",
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "nll_loss", "cross_entropy",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "scaled_dot_product_attention", "multi_head_attention_forward",
]
