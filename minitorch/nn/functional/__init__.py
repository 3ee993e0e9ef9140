"""minitorch.nn.functional: the stateless ops behind the layers (`import ... as F`).

Each submodule holds one family, every op a Function with its forward and
backward side by side (or, where the math is a composition, a few core ops):

    activation.py     relu leaky_relu elu gelu silu softplus sigmoid tanh softmax log_softmax
    basic.py          linear dropout embedding one_hot
    conv.py           conv1d conv2d            (im2col: strided view + one matmul)
    pooling.py        max_pool2d avg_pool2d    (loops over kernel offsets, not pixels)
    normalization.py  layer_norm batch_norm
    padding.py        pad
    loss.py           mse_loss l1_loss smooth_l1_loss huber_loss nll_loss cross_entropy
                      binary_cross_entropy binary_cross_entropy_with_logits kl_div
"""

from minitorch.nn.functional import (  # importing a family registers its ops (registry.py)
    activation,
    attention,
    basic,
    conv,
    distance,
    loss,
    normalization,
    padding,
    pooling,
    vision,
)
from minitorch.registry import exported as _exported

globals().update(_exported(functional=True))  # F.relu, F.conv2d, ...: one name per declaration
__all__ = sorted(_exported(functional=True))
