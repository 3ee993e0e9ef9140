"""The floor: forward and backward written out by hand in NumPy, with no graph at all.

This is what any NumPy engine is chasing: the same arithmetic minitorch
does, minus everything that makes it an engine (Tensor objects, recording
nodes, the topological walk, dtype promotion, checks). Each function here
is what you would write for one fixed problem, knowing its shapes: the
adjoint's arithmetic and nothing else, plus what torch's API hands back: every
leaf gets a gradient array of its own (`leaf_gradients`). torch's `x.grad` never
shares memory with the `gradient` passed to backward or with another leaf's
`.grad`, and it is contiguous (checked against torch in
tests/bench/test_bench_cases.py), so a floor that returned add's incoming
gradient twice, or sum's broadcast view, would time less work than torch's
contract asks of any engine.

Two kinds of entries:
  * the main ops of the op table: FORWARD[name](*args, **kwargs) -> out, and
    FORWARD_BACKWARD[name](g, *args, **kwargs) -> (out, grads), grads holding one
    entry per positional arg (None for a Python scalar);
  * the workloads: the elementwise chain, the MLP training step, the big
    matmul and the small convolution.

Every floor is checked against torch once per bench run, and by
tests/bench/test_bench_cases.py, so the floor is right and not merely fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minitorch.registry import OPS

Grads = tuple[Any, ...]


def _fold(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a broadcast gradient back onto `shape` (no work when the shapes already agree)."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=stretched, keepdims=True) if stretched else g


def leaf_gradients(grads: Grads, g: np.ndarray) -> Grads:
    """Each gradient as a leaf's `.grad` must be: an array of its own. One that is the
    incoming gradient itself (add's), a view of it or a broadcast (sum's), or an array
    already handed to an earlier leaf is copied once, as torch copies it; a fresh array
    (mul's g * y) is kept."""
    out: list[Any] = []
    for a in grads:
        if isinstance(a, np.ndarray) and (a is g or a.base is not None
                                          or any(a is b for b in out)):
            a = np.array(a)
        out.append(a)
    return tuple(out)


def forward_backward(name: str) -> Callable[..., tuple[Any, Grads]]:
    """FORWARD_BACKWARD[name], with its gradients handed over as leaves' (leaf_gradients)."""
    fb = FORWARD_BACKWARD[name]

    def run(g: np.ndarray, *args: Any, **kwargs: Any) -> tuple[Any, Grads]:
        out, grads = fb(g, *args, **kwargs)
        return out, leaf_gradients(grads, g)

    return run


def _grad_for(v: Any, g: np.ndarray) -> Any:
    """The gradient of one operand: folded for an array, None for a Python scalar."""
    return _fold(g, v.shape) if isinstance(v, np.ndarray) else None


# -- main ops: the forward alone, then forward and backward side by side ---------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _pow(x: np.ndarray, p: Any) -> np.ndarray:
    if isinstance(p, np.ndarray):
        raise TypeError("floor pow takes a scalar exponent")
    return x**p


def _axes(dim: Any, ndim: int) -> tuple[int, ...]:
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    return tuple(sorted(d % ndim for d in dims))


def _sum(x: np.ndarray, dim: Any = None, keepdim: bool = False) -> np.ndarray:
    return np.asarray(x.sum(axis=_axes(dim, x.ndim), keepdims=keepdim))


def _mean(x: np.ndarray, dim: Any = None, keepdim: bool = False) -> np.ndarray:
    return np.asarray(x.mean(axis=_axes(dim, x.ndim), keepdims=keepdim))


def _softmax(x: np.ndarray, dim: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _log_softmax(x: np.ndarray, dim: int = -1) -> np.ndarray:
    z = x - x.max(axis=dim, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=dim, keepdims=True))


def _linear(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    return x @ w.T if b is None else x @ w.T + b


def _mse_loss(x: np.ndarray, y: np.ndarray, reduction: str = "mean") -> np.ndarray:
    d = x - y
    if reduction == "mean":
        return np.asarray((d * d).mean())
    if reduction == "sum":
        return np.asarray((d * d).sum())
    raise TypeError("floor mse_loss handles reduction='mean' and 'sum'")


# The forward-only floors: no adjoint is prepared, as in inference.
FORWARD: dict[str, Callable[..., Any]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
    "neg": lambda x: -x,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda x: np.maximum(x, 0),
    "sin": np.sin,
    "cos": np.cos,
    "abs": np.abs,
    "square": lambda x: x * x,
    "pow": _pow,
    "sum": _sum,
    "mean": _mean,
    "matmul": lambda x, y: np.asarray(x @ y),
    "softmax": _softmax,
    "log_softmax": _log_softmax,
    "linear": _linear,
    "mse_loss": _mse_loss,
}


def add_fb(g, x, y):
    return x + y, (_grad_for(x, g), _grad_for(y, g))


def sub_fb(g, x, y):
    return x - y, (_grad_for(x, g), _grad_for(y, -g))


def mul_fb(g, x, y):
    return x * y, (_grad_for(x, g * y), _grad_for(y, g * x))


def div_fb(g, x, y):
    out = x / y
    gx = g / y
    return out, (_grad_for(x, gx), _grad_for(y, -gx * out))


def neg_fb(g, x):
    return -x, (-g,)


def exp_fb(g, x):
    out = np.exp(x)
    return out, (g * out,)


def log_fb(g, x):
    return np.log(x), (g / x,)


def sqrt_fb(g, x):
    out = np.sqrt(x)
    return out, (g / (out + out),)


def tanh_fb(g, x):
    out = np.tanh(x)
    return out, (g * (1 - out * out),)


def sigmoid_fb(g, x):
    out = _sigmoid(x)
    return out, (g * out * (1 - out),)


def relu_fb(g, x):
    return np.maximum(x, 0), (g * (x > 0),)  # relu'(0) = 0, as torch


def sin_fb(g, x):
    return np.sin(x), (g * np.cos(x),)


def cos_fb(g, x):
    return np.cos(x), (-g * np.sin(x),)


def abs_fb(g, x):
    return np.abs(x), (g * np.sign(x),)  # abs'(0) = 0, as torch


def square_fb(g, x):
    return x * x, (2 * g * x,)


def pow_fb(g, x, p):
    return _pow(x, p), (g * p * x ** (p - 1), None)


def _expand(g: np.ndarray, x: np.ndarray, axes: tuple[int, ...], keepdim: bool) -> np.ndarray:
    """Broadcast a reduction's gradient back over the reduced axes (the adjoint of a sum)."""
    if not keepdim:
        g = np.expand_dims(g, axes)
    return np.broadcast_to(g, x.shape)


def sum_fb(g, x, dim=None, keepdim=False):
    axes = _axes(dim, x.ndim)
    return _sum(x, dim, keepdim), (_expand(g, x, axes, keepdim),)


def mean_fb(g, x, dim=None, keepdim=False):
    axes = _axes(dim, x.ndim)
    n = int(np.prod([x.shape[a] for a in axes]))
    return _mean(x, dim, keepdim), (_expand(g / np.float32(n), x, axes, keepdim),)


def matmul_fb(g, x, y):
    out = x @ y
    if x.ndim == 1 and y.ndim == 1:
        return np.asarray(out), (g * y, g * x)
    if x.ndim == 2 and y.ndim == 2:
        return out, (g @ y.T, x.T @ g)
    raise TypeError("floor matmul handles 1-D and 2-D operands")


def softmax_fb(g, x, dim=-1):
    s = _softmax(x, dim)
    return s, (s * (g - (g * s).sum(axis=dim, keepdims=True)),)


def log_softmax_fb(g, x, dim=-1):
    out = _log_softmax(x, dim)
    return out, (g - np.exp(out) * g.sum(axis=dim, keepdims=True),)


def linear_fb(g, x, w, b=None):
    out = _linear(x, w, b)
    gb = None if b is None else _fold(g, b.shape)
    if x.ndim == 1:
        return out, (g @ w, np.outer(g, x), gb)
    return out, (g @ w, g.T @ x, gb)


def mse_loss_fb(g, x, y, reduction="mean"):
    d = x - y
    if reduction == "mean":
        gx = (2 * g / np.float32(d.size)) * d
        return np.asarray((d * d).mean()), (gx, -gx)
    if reduction == "sum":
        gx = (2 * g) * d
        return np.asarray((d * d).sum()), (gx, -gx)
    raise TypeError("floor mse_loss handles reduction='mean' and 'sum'")


FORWARD_BACKWARD: dict[str, Callable[..., tuple[Any, Grads]]] = {
    "add": add_fb, "sub": sub_fb, "mul": mul_fb, "div": div_fb, "neg": neg_fb,
    "exp": exp_fb, "log": log_fb, "sqrt": sqrt_fb, "tanh": tanh_fb, "sigmoid": sigmoid_fb,
    "relu": relu_fb, "sin": sin_fb, "cos": cos_fb, "abs": abs_fb, "square": square_fb,
    "pow": pow_fb, "sum": sum_fb, "mean": mean_fb, "matmul": matmul_fb,
    "softmax": softmax_fb, "log_softmax": log_softmax_fb, "linear": linear_fb,
    "mse_loss": mse_loss_fb,
}


# Names that are the same math as a floor entry, read from the registry: an alias
# (`subtract` is `sub`), or an operator (`__mul__` is `mul`); mm is matmul on matrices.
BY_OPERATOR = {d: op.name for op in OPS.values() for d in op.operators}
SAME_MATH = {"mm": "matmul"}


def floor_name(op_name: str) -> str | None:
    """The floor entry for an op-table row name ('F.relu', 'Tensor.__mul__', 'add'), or None."""
    base = op_name
    for prefix in ("torch.nn.functional.", "nn.functional.", "F.", "torch.", "Tensor."):
        if base.startswith(prefix):
            base = base[len(prefix):]
    op = OPS.get(base) or OPS.get(f"F.{base}")
    base = BY_OPERATOR.get(base) or (op and op.alias_of) or SAME_MATH.get(base, base)
    return base if base in FORWARD_BACKWARD else None


# -- workload 1: a chain of elementwise ops ------------------------------------------
#
# The chain repeats a block of ten ops that undo each other in pairs (x*2 then /2, exp then
# log, reciprocal twice, negation twice), so over 10,000 ops values and gradients neither
# blow up nor sink into denormals, and every engine does the same float work per op.

CHAIN_BLOCK = 10


def chain_forward(x: np.ndarray, n_ops: int) -> np.ndarray:
    y = x
    for _ in range(n_ops // CHAIN_BLOCK):
        y = np.log(np.exp(y * 2 + 0.5)) - 0.5
        y = -(1 / (1 / -(y / 2)))
    return y


def chain_forward_backward(
    x: np.ndarray, n_ops: int, g: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The chain forward, keeping what the backward needs, then its adjoint op by op."""
    saved = []
    y = x
    for _ in range(n_ops // CHAIN_BLOCK):
        e = np.exp(y * 2 + 0.5)
        y = np.log(e) - 0.5
        r1 = 1 / -(y / 2)
        r2 = 1 / r1
        y = -r2
        saved.append((e, r1, r2))
    for e, r1, r2 in reversed(saved):
        g = -g  # neg
        g = g * -(r2 * r2)  # reciprocal: -1/u**2 = -r2**2
        g = g * -(r1 * r1)  # reciprocal
        g = -g  # neg
        g = g / 2  # div by 2 (the sub of 0.5 passes g through)
        g = g / e  # log
        g = g * e  # exp (the add of 0.5 passes g through)
        g = g * 2  # mul by 2
    return y, g


# The second op mix of issue 14's chain target: mul by a scalar, add a scalar, tanh, cycled.
MIX_SCALE, MIX_SHIFT = 0.9, 0.1


def mix_forward(x: np.ndarray, n_ops: int) -> np.ndarray:
    y = x
    for i in range(n_ops):
        k = i % 3
        y = y * MIX_SCALE if k == 0 else y + MIX_SHIFT if k == 1 else np.tanh(y)
    return y


def mix_forward_backward(
    x: np.ndarray, n_ops: int, g: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The mul/add/tanh chain forward, keeping tanh's outputs, then its adjoint op by op."""
    saved = []
    y = x
    for i in range(n_ops):
        k = i % 3
        if k == 0:
            y = y * MIX_SCALE
        elif k == 1:
            y = y + MIX_SHIFT
        else:
            y = np.tanh(y)
            saved.append(y)
    for i in reversed(range(n_ops)):
        k = i % 3
        if k == 0:
            g = g * MIX_SCALE
        elif k == 2:
            t = saved.pop()
            g = g * (1 - t * t)  # tanh: 1 - y^2 (the add passes g through)
    return y, g


# -- workload 2: a 784-256-128-10 ReLU MLP training step ------------------------------


def mlp_step(
    params: list[np.ndarray], x: np.ndarray, y: np.ndarray, lr: float
) -> tuple[np.float32, tuple[np.ndarray, ...]]:
    """One SGD step of relu(relu(x W1' + b1) W2' + b2) W3' + b3 under mean cross-entropy.

    params = [W1, b1, W2, b2, W3, b3] in torch's Linear layout (weight is out x in); they are
    updated in place. Returns the loss before the update and the gradients.
    """
    w1, b1, w2, b2, w3, b3 = params
    n = x.shape[0]
    h1 = x @ w1.T
    h1 += b1
    a1 = np.maximum(h1, 0)
    h2 = a1 @ w2.T
    h2 += b2
    a2 = np.maximum(h2, 0)
    logits = a2 @ w3.T
    logits += b3
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = (np.log(s[:, 0]) - z[rows, y]).mean()
    d3 = e / s  # d loss / d logits = (softmax - onehot) / n
    d3[rows, y] -= 1
    d3 /= n
    d2 = d3 @ w3
    d2 *= h2 > 0
    d1 = d2 @ w2
    d1 *= h1 > 0
    grads = (d1.T @ x, d1.sum(0), d2.T @ a1, d2.sum(0), d3.T @ a2, d3.sum(0))
    for p, gp in zip(params, grads):
        p -= lr * gp
    return loss, grads


# -- workload 3: the big matmul, forward and backward ---------------------------------


def matmul_forward_backward(
    a: np.ndarray, b: np.ndarray, g: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return a @ b, g @ b.T, a.T @ g


# -- workload 4: conv2d 3x3, padding 1, forward and backward --------------------------


def conv2d_forward_backward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, g: np.ndarray
) -> tuple[np.ndarray, ...]:
    """y[n,o,h,w] = b[o] + sum_{c,i,j} x_pad[n,c,h+i,w+j] w[o,c,i,j]  (stride 1, 'same' padding).

    im2col: every output pixel's c x kh x kw window as one column (the one copy), then one
    matmul per image. The adjoints: gw = g . cols' summed over images; the gradient of the
    padded input, one kernel tap (i, j) at a time: w[:, :, i, j]' g added onto the slab that
    tap read.
    """
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    ph, pw = kh // 2, kw // 2
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), x.dtype)
    xp[:, :, ph:ph + h, pw:pw + wd] = x
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))  # n,c,h,w,i,j
    cols = win.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, h * wd)
    out = w.reshape(o, c * kh * kw) @ cols  # n, o, h*w
    out += b[:, None]
    g2 = g.reshape(n, o, h * wd)
    gw = (g2 @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    gxp = np.zeros_like(xp)
    for i in range(kh):
        for j in range(kw):
            gxp[:, :, i:i + h, j:j + wd] += (w[:, :, i, j].T @ g2).reshape(n, c, h, wd)
    gx = gxp[:, :, ph:ph + h, pw:pw + wd]
    return out.reshape(n, o, h, wd), gx, gw, g2.sum(axis=(0, 2))
