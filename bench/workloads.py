"""The workloads, written once for any library with torch's API (minitorch or torch).

A `Runner` is what the timer and the check need from one engine on one
case: `body()` does the timed work once; `read()` does it once more and
returns the arrays to compare (outputs first, then gradients or updated
parameters). Every body starts from fresh gradients (grads set to None or
`zero_grad()`), so nothing grows across calls. The floor's versions of the
same workloads are in floor.py, and of the sequence workloads (the LSTM
language model and the Transformer encoder layer) in floor_seq.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from bench import floor, floor_seq


@dataclass(frozen=True)
class Runner:
    body: Callable[[], object]
    read: Callable[[], list[Any]]


def to_numpy(value: Any) -> Any:
    """A tensor (either library) as an ndarray; None stays None (a gradient that never came)."""
    if value is None:
        return None
    if hasattr(value, "detach"):
        return np.array(value.detach().numpy(), copy=True)
    return np.asarray(value)


# -- the elementwise chain -------------------------------------------------------------


def chain(lib: ModuleType, y: Any, n_ops: int) -> Any:
    """n_ops elementwise ops on y, in blocks of ten that undo each other (see floor.py)."""
    for _ in range(n_ops // floor.CHAIN_BLOCK):
        y = y * 2.0
        y = y + 0.5
        y = lib.exp(y)
        y = lib.log(y)
        y = y - 0.5
        y = y / 2.0
        y = -y
        y = lib.reciprocal(y)
        y = lib.reciprocal(y)
        y = -y
    return y


def chain_mix(lib: ModuleType, y: Any, n_ops: int) -> Any:
    """n_ops ops cycling y * 0.9, y + 0.1, tanh(y): issue 14's second mix (see floor.py)."""
    for i in range(n_ops):
        k = i % 3
        y = y * floor.MIX_SCALE if k == 0 else y + floor.MIX_SHIFT if k == 1 else lib.tanh(y)
    return y


CHAIN_MIXES = {"own": chain, "mul/add-scalar/tanh": chain_mix}


def chain_inputs(n: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 1.5, n).astype(np.float32)
    g = rng.standard_normal(n).astype(np.float32)
    return x, g


def chain_runner(lib: ModuleType, x_np: np.ndarray, g_np: np.ndarray, n_ops: int,
                 backward: bool, mix: str = "own") -> Runner:
    x = lib.tensor(x_np, requires_grad=backward)
    run = CHAIN_MIXES[mix]
    if not backward:
        return Runner(lambda: run(lib, x, n_ops), lambda: [to_numpy(run(lib, x, n_ops))])
    g = lib.tensor(g_np)

    def body() -> Any:
        x.grad = None
        y = run(lib, x, n_ops)
        y.backward(g)
        return y

    return Runner(body, lambda: [to_numpy(body()), to_numpy(x.grad)])


def chain_floor(x: np.ndarray, g: np.ndarray, n_ops: int, backward: bool,
                mix: str = "own") -> Runner:
    fwd, fb = ((floor.chain_forward, floor.chain_forward_backward) if mix == "own" else
               (floor.mix_forward, floor.mix_forward_backward))
    if not backward:
        return Runner(lambda: fwd(x, n_ops), lambda: [fwd(x, n_ops)])
    return Runner(lambda: fb(x, n_ops, g), lambda: list(fb(x, n_ops, g)))


# -- the MLP training step -------------------------------------------------------------

MLP_SIZES = (784, 256, 128, 10)
MLP_LR = 0.05


def mlp_inputs(batch: int, seed: int = 0) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Weights drawn as torch's Linear draws them, an N(0, 1) batch and random labels."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(MLP_SIZES[:-1], MLP_SIZES[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    x = rng.standard_normal((batch, MLP_SIZES[0])).astype(np.float32)
    y = rng.integers(0, MLP_SIZES[-1], batch).astype(np.int64)
    return weights, x, y


def has_nn(lib: ModuleType) -> bool:
    """Whether lib has what the user-level MLP needs: nn layers, cross_entropy, optim.SGD."""
    nn = getattr(lib, "nn", None)
    functional = getattr(nn, "functional", None)
    return (
        all(hasattr(nn, name) for name in ("Sequential", "Linear", "ReLU"))
        and hasattr(functional, "cross_entropy")
        and hasattr(getattr(lib, "optim", None), "SGD")
    )


def mlp_runner(lib: ModuleType, weights: list[np.ndarray], x_np: np.ndarray,
               y_np: np.ndarray, lr: float = MLP_LR) -> Runner:
    """What a user writes: Sequential of Linear and ReLU, F.cross_entropy, optim.SGD."""
    nn = lib.nn
    sizes = MLP_SIZES
    model = nn.Sequential(
        nn.Linear(sizes[0], sizes[1]), nn.ReLU(),
        nn.Linear(sizes[1], sizes[2]), nn.ReLU(),
        nn.Linear(sizes[2], sizes[3]),
    )
    params = list(model.parameters())
    with lib.no_grad():
        for p, w in zip(params, weights):
            p.copy_(lib.tensor(w))
    opt = lib.optim.SGD(params, lr=lr)
    x, y = lib.tensor(x_np), lib.tensor(y_np)
    cross_entropy = nn.functional.cross_entropy

    def body() -> Any:
        opt.zero_grad()
        loss = cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    def read() -> list[Any]:
        loss = body()
        return [to_numpy(loss)] + [to_numpy(p.grad) for p in params] + [to_numpy(p) for p in params]

    return Runner(body, read)


def mlp_runner_tensor_ops(lib: ModuleType, weights: list[np.ndarray], x_np: np.ndarray,
                          y_np: np.ndarray, lr: float = MLP_LR) -> Runner:
    """The same step from tensor ops alone (used only while minitorch.nn is not there)."""
    params = [lib.tensor(w, requires_grad=True) for w in weights]
    x, y = lib.tensor(x_np), lib.tensor(y_np)
    rows = lib.arange(x_np.shape[0])

    def body() -> Any:
        for p in params:
            p.grad = None
        w1, b1, w2, b2, w3, b3 = params
        h = lib.relu(x @ w1.T + b1)
        h = lib.relu(h @ w2.T + b2)
        logits = h @ w3.T + b3
        loss = (lib.logsumexp(logits, 1) - logits[rows, y]).mean()
        loss.backward()
        with lib.no_grad():
            for p in params:
                p.sub_(lr * p.grad)
        return loss

    def read() -> list[Any]:
        loss = body()
        return [to_numpy(loss)] + [to_numpy(p.grad) for p in params] + [to_numpy(p) for p in params]

    return Runner(body, read)


def mlp_floor(weights: list[np.ndarray], x: np.ndarray, y: np.ndarray,
              lr: float = MLP_LR) -> Runner:
    params = [w.copy() for w in weights]

    def read() -> list[Any]:
        loss, grads = floor.mlp_step(params, x, y, lr)
        return [np.asarray(loss)] + list(grads) + [p.copy() for p in params]

    return Runner(lambda: floor.mlp_step(params, x, y, lr), read)


# -- matmul (n, n) @ (n, n), forward and backward --------------------------------------


def matmul_inputs(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return tuple(rng.standard_normal((n, n)).astype(np.float32) for _ in range(3))


def matmul_runner(lib: ModuleType, a_np: np.ndarray, b_np: np.ndarray,
                  g_np: np.ndarray) -> Runner:
    a = lib.tensor(a_np, requires_grad=True)
    b = lib.tensor(b_np, requires_grad=True)
    g = lib.tensor(g_np)

    def body() -> Any:
        a.grad = b.grad = None
        out = a @ b
        out.backward(g)
        return out

    return Runner(body, lambda: [to_numpy(body()), to_numpy(a.grad), to_numpy(b.grad)])


def matmul_floor(a: np.ndarray, b: np.ndarray, g: np.ndarray) -> Runner:
    return Runner(lambda: floor.matmul_forward_backward(a, b, g),
                  lambda: list(floor.matmul_forward_backward(a, b, g)))


# -- conv2d: 32 images 28x28, 8 -> 8 channels, 3x3, padding 1, forward and backward ------

CONV_SHAPES = {"x": (32, 8, 28, 28), "w": (8, 8, 3, 3), "b": (8,), "out": (32, 8, 28, 28)}


def conv_inputs(seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(CONV_SHAPES["x"]).astype(np.float32)
    bound = 1.0 / np.sqrt(8 * 9)
    w = rng.uniform(-bound, bound, CONV_SHAPES["w"]).astype(np.float32)
    b = rng.uniform(-bound, bound, CONV_SHAPES["b"]).astype(np.float32)
    g = rng.standard_normal(CONV_SHAPES["out"]).astype(np.float32)
    return x, w, b, g


def has_conv2d(lib: ModuleType) -> bool:
    return hasattr(getattr(getattr(lib, "nn", None), "functional", None), "conv2d")


def conv_runner(lib: ModuleType, x_np: np.ndarray, w_np: np.ndarray, b_np: np.ndarray,
                g_np: np.ndarray) -> Runner:
    x = lib.tensor(x_np, requires_grad=True)
    w = lib.tensor(w_np, requires_grad=True)
    b = lib.tensor(b_np, requires_grad=True)
    g = lib.tensor(g_np)
    conv2d = lib.nn.functional.conv2d

    def body() -> Any:
        x.grad = w.grad = b.grad = None
        out = conv2d(x, w, b, padding=1)
        out.backward(g)
        return out

    def read() -> list[Any]:
        out = body()
        return [to_numpy(out), to_numpy(x.grad), to_numpy(w.grad), to_numpy(b.grad)]

    return Runner(body, read)


def conv_floor(x: np.ndarray, w: np.ndarray, b: np.ndarray, g: np.ndarray) -> Runner:
    return Runner(lambda: floor.conv2d_forward_backward(x, w, b, g),
                  lambda: list(floor.conv2d_forward_backward(x, w, b, g)))


# -- the LSTM language model training step ---------------------------------------------
# Embedding -> 2-layer nn.LSTM (sequence first, zero initial state) -> Linear, mean
# cross-entropy over every token, optim.SGD step. The floor is floor_seq.lstm_lm_step.

LSTM_SIZES = {"vocab": 64, "embed": 128, "hidden": 128, "layers": 2, "seq": 35, "batch": 32}
SEQ_LR = 0.1


def lstm_inputs(sizes: dict[str, int] = LSTM_SIZES, seed: int = 0, dtype: Any = np.float32
                ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Parameters drawn as torch draws them (Embedding N(0, 1); LSTM and Linear
    U(-1/sqrt(fan), 1/sqrt(fan))), keyed by torch's names; (seq, batch) tokens and targets."""
    rng = np.random.default_rng(seed)
    v, e, h = sizes["vocab"], sizes["embed"], sizes["hidden"]
    k = 1 / np.sqrt(h)
    params = {"embed.weight": rng.standard_normal((v, e))}
    for layer in range(sizes["layers"]):
        fan_in = e if layer == 0 else h
        params[f"lstm.weight_ih_l{layer}"] = rng.uniform(-k, k, (4 * h, fan_in))
        params[f"lstm.weight_hh_l{layer}"] = rng.uniform(-k, k, (4 * h, h))
        params[f"lstm.bias_ih_l{layer}"] = rng.uniform(-k, k, 4 * h)
        params[f"lstm.bias_hh_l{layer}"] = rng.uniform(-k, k, 4 * h)
    params["head.weight"] = rng.uniform(-k, k, (v, h))
    params["head.bias"] = rng.uniform(-k, k, v)
    idx = rng.integers(0, v, (sizes["seq"], sizes["batch"])).astype(np.int64)
    target = rng.integers(0, v, (sizes["seq"], sizes["batch"])).astype(np.int64)
    return {name: p.astype(dtype) for name, p in params.items()}, idx, target


def _load(lib: ModuleType, named: dict[str, Any], params: dict[str, np.ndarray]) -> list[Any]:
    """Copy params into the parameters `named` (by torch's names); them in params' order."""
    if set(named) != set(params):
        raise KeyError(f"parameter names differ: {sorted(set(named) ^ set(params))}")
    with lib.no_grad():
        for name, w in params.items():
            named[name].copy_(lib.tensor(w))
    return [named[name] for name in params]


def _step_runner(lib: ModuleType, params: list[Any], opt: Any, loss_fn: Callable[[], Any]
                 ) -> Runner:
    """zero_grad, loss, backward, SGD step; read: the loss, every gradient, every parameter."""
    def body() -> Any:
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        return loss

    def read() -> list[Any]:
        loss = body()
        return [to_numpy(loss)] + [to_numpy(p.grad) for p in params] + [to_numpy(p) for p in params]

    return Runner(body, read)


def has_seq_nn(lib: ModuleType) -> bool:
    nn = getattr(lib, "nn", None)
    return all(hasattr(nn, name) for name in ("Embedding", "LSTM", "TransformerEncoderLayer"))


def lstm_runner(lib: ModuleType, params: dict[str, np.ndarray], idx_np: np.ndarray,
                target_np: np.ndarray, sizes: dict[str, int] = LSTM_SIZES, lr: float = SEQ_LR
                ) -> Runner:
    """What a user writes: nn.Embedding, nn.LSTM, nn.Linear, F.cross_entropy, optim.SGD."""
    nn = lib.nn
    modules = {"embed": nn.Embedding(sizes["vocab"], sizes["embed"]),
               "lstm": nn.LSTM(sizes["embed"], sizes["hidden"], sizes["layers"]),
               "head": nn.Linear(sizes["hidden"], sizes["vocab"])}
    dtype = getattr(lib, str(params["head.bias"].dtype))
    for m in modules.values():
        m.to(dtype)
    named = {f"{key}.{name}": p for key, m in modules.items()
             for name, p in m.named_parameters()}
    plist = _load(lib, named, params)
    opt = lib.optim.SGD(plist, lr=lr)
    idx, target = lib.tensor(idx_np), lib.tensor(target_np).reshape(-1)
    cross_entropy = nn.functional.cross_entropy

    def loss_fn() -> Any:
        out, _ = modules["lstm"](modules["embed"](idx))
        logits = modules["head"](out)
        return cross_entropy(logits.reshape(-1, sizes["vocab"]), target)

    return _step_runner(lib, plist, opt, loss_fn)


def _floor_step_runner(step: Callable[..., Any], params: dict[str, np.ndarray],
                       *args: Any) -> Runner:
    params = {k: v.copy() for k, v in params.items()}

    def read() -> list[Any]:
        loss, grads = step(params, *args)
        return ([np.asarray(loss)] + [grads[k] for k in params]
                + [p.copy() for p in params.values()])

    return Runner(lambda: step(params, *args), read)


def lstm_floor(params: dict[str, np.ndarray], idx: np.ndarray, target: np.ndarray,
               sizes: dict[str, int] = LSTM_SIZES, lr: float = SEQ_LR) -> Runner:
    return _floor_step_runner(floor_seq.lstm_lm_step, params, idx, target, sizes["layers"], lr)


# -- the Transformer encoder layer training step ---------------------------------------
# nn.TransformerEncoderLayer (batch_first, post-norm, ReLU, dropout 0, no mask) on an N(0, 1)
# batch, F.mse_loss against an N(0, 1) target, optim.SGD step. The floor is
# floor_seq.encoder_layer_step.

ENCODER_SIZES = {"batch": 16, "seq": 64, "d_model": 128, "nhead": 4, "ff": 512}


def encoder_inputs(sizes: dict[str, int] = ENCODER_SIZES, seed: int = 0,
                   dtype: Any = np.float32
                   ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Parameters in torch's layout and names (in_proj and Linears uniform, LayerNorms
    perturbed from (1, 0) so their gradients matter), the input and the target."""
    rng = np.random.default_rng(seed)
    d, ff = sizes["d_model"], sizes["ff"]

    def u(fan_in: int, *shape: int) -> np.ndarray:
        return rng.uniform(-1 / np.sqrt(fan_in), 1 / np.sqrt(fan_in), shape)

    params = {
        "self_attn.in_proj_weight": u(d, 3 * d, d), "self_attn.in_proj_bias": u(d, 3 * d),
        "self_attn.out_proj.weight": u(d, d, d), "self_attn.out_proj.bias": u(d, d),
        "linear1.weight": u(d, ff, d), "linear1.bias": u(d, ff),
        "linear2.weight": u(ff, d, ff), "linear2.bias": u(ff, d),
        "norm1.weight": 1 + 0.1 * rng.standard_normal(d),
        "norm1.bias": 0.1 * rng.standard_normal(d),
        "norm2.weight": 1 + 0.1 * rng.standard_normal(d),
        "norm2.bias": 0.1 * rng.standard_normal(d),
    }
    x = rng.standard_normal((sizes["batch"], sizes["seq"], d))
    target = rng.standard_normal((sizes["batch"], sizes["seq"], d))
    return ({k: p.astype(dtype) for k, p in params.items()}, x.astype(dtype),
            target.astype(dtype))


def encoder_runner(lib: ModuleType, params: dict[str, np.ndarray], x_np: np.ndarray,
                   target_np: np.ndarray, sizes: dict[str, int] = ENCODER_SIZES,
                   lr: float = SEQ_LR) -> Runner:
    """What a user writes: nn.TransformerEncoderLayer, F.mse_loss, optim.SGD."""
    nn = lib.nn
    layer = nn.TransformerEncoderLayer(sizes["d_model"], sizes["nhead"],
                                       dim_feedforward=sizes["ff"], dropout=0.0,
                                       batch_first=True)
    layer.to(getattr(lib, str(x_np.dtype)))
    plist = _load(lib, dict(layer.named_parameters()), params)
    opt = lib.optim.SGD(plist, lr=lr)
    x, target = lib.tensor(x_np), lib.tensor(target_np)
    mse_loss = nn.functional.mse_loss
    return _step_runner(lib, plist, opt, lambda: mse_loss(layer(x), target))


def encoder_floor(params: dict[str, np.ndarray], x: np.ndarray, target: np.ndarray,
                  sizes: dict[str, int] = ENCODER_SIZES, lr: float = SEQ_LR) -> Runner:
    return _floor_step_runner(floor_seq.encoder_layer_step, params, x, target, sizes["nhead"],
                              lr)
