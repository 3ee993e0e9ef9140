"""The floor for the sequence workloads: an LSTM language model and a Transformer encoder layer,
one SGD training step each, forward and backward written out by hand in NumPy.

Like floor.py (read it first): no graph, no Tensor objects, shapes known in advance, only the
adjoint's arithmetic. Parameters are a dict keyed by torch's state_dict names, in torch's
layouts (Linear weight is out x in; LSTM gates stacked i, f, g, o; in_proj stacks q, k, v), so
the same arrays load into both engines. Each step updates the parameters in place
(p -= lr * grad) and returns the loss before the update and the gradients, keyed the same way.
The functions are dtype-generic: the bench runs them in float32, and
tests/bench/test_bench_workloads_new.py checks their gradients against torch's autograd in float64.
workloads.py wraps them as Runners.
"""

from __future__ import annotations

import math

import numpy as np

Params = dict[str, np.ndarray]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _cross_entropy(logits: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean cross-entropy of (N, C) logits against (N,) classes, and d loss / d logits."""
    n = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = (np.log(s[:, 0]) - z[rows, target]).mean()
    d = e / s  # (softmax - onehot) / n
    d[rows, target] -= 1
    d /= n
    return np.asarray(loss, logits.dtype), d


def _sgd(params: Params, grads: Params, lr: float) -> None:
    for name, g in grads.items():
        params[name] -= lr * g


# -- the LSTM language model: Embedding -> num_layers LSTM -> Linear -> cross-entropy ---------


def lstm_layer_forward(x: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, b_ih: np.ndarray,
                       b_hh: np.ndarray) -> tuple[np.ndarray, tuple]:
    """One LSTM layer over (T, B, I) from zero state: (T, B, H) outputs and what backward needs.

    gates = x_t W_ih' + b_ih + h W_hh' + b_hh, split into i, f, g, o;
    c = sigmoid(f) c + sigmoid(i) tanh(g);  h = sigmoid(o) tanh(c).
    """
    steps, batch, _ = x.shape
    hidden = w_hh.shape[1]
    pre = x @ w_ih.T + (b_ih + b_hh)  # the input's share of every step's gates, one matmul
    acts = np.empty((steps, batch, 4 * hidden), x.dtype)  # sigmoid(i), sigmoid(f), tanh(g), ...
    cs = np.empty((steps + 1, batch, hidden), x.dtype)  # cs[t] is the cell state before step t
    hs = np.empty((steps + 1, batch, hidden), x.dtype)
    tanh_c = np.empty((steps, batch, hidden), x.dtype)
    cs[0] = 0
    hs[0] = 0
    for t in range(steps):
        a = pre[t] + hs[t] @ w_hh.T
        a[:, :2 * hidden] = _sigmoid(a[:, :2 * hidden])
        a[:, 2 * hidden:3 * hidden] = np.tanh(a[:, 2 * hidden:3 * hidden])
        a[:, 3 * hidden:] = _sigmoid(a[:, 3 * hidden:])
        i, f, g, o = np.split(a, 4, axis=1)
        cs[t + 1] = f * cs[t] + i * g
        tanh_c[t] = np.tanh(cs[t + 1])
        hs[t + 1] = o * tanh_c[t]
        acts[t] = a
    return hs[1:], (x, w_ih, w_hh, acts, cs, hs, tanh_c)


def lstm_layer_backward(dy: np.ndarray, saved: tuple) -> tuple[np.ndarray, ...]:
    """The adjoint of lstm_layer_forward: (dx, dw_ih, dw_hh, db_ih, db_hh) from dy (T, B, H).

    Back through time: dh = dy_t + dh_next; dc = dc_next + dh o (1 - tanh(c)^2);
    di = dc g, df = dc c_prev, dg = dc i, do = dh tanh(c), each times its activation's
    derivative; dh_next = dgates W_hh, dc_next = dc f.
    """
    x, w_ih, w_hh, acts, cs, hs, tanh_c = saved
    steps, batch, hidden = dy.shape
    dgates = np.empty_like(acts)
    dh = np.zeros((batch, hidden), dy.dtype)
    dc = np.zeros((batch, hidden), dy.dtype)
    for t in reversed(range(steps)):
        i, f, g, o = np.split(acts[t], 4, axis=1)
        dh = dh + dy[t]
        dc = dc + dh * o * (1 - tanh_c[t] ** 2)
        d = dgates[t]
        d[:, :hidden] = dc * g * i * (1 - i)
        d[:, hidden:2 * hidden] = dc * cs[t] * f * (1 - f)
        d[:, 2 * hidden:3 * hidden] = dc * i * (1 - g * g)
        d[:, 3 * hidden:] = dh * tanh_c[t] * o * (1 - o)
        dh = d @ w_hh
        dc = dc * f
    flat = dgates.reshape(-1, 4 * hidden)
    dw_ih = flat.T @ x.reshape(-1, x.shape[2])
    dw_hh = flat.T @ hs[:-1].reshape(-1, hidden)
    db = flat.sum(axis=0)
    return dgates @ w_ih, dw_ih, dw_hh, db, db.copy()


def lstm_lm_loss_and_grads(params: Params, idx: np.ndarray, target: np.ndarray,
                           num_layers: int) -> tuple[np.ndarray, Params]:
    """Mean cross-entropy of Linear(LSTM(Embedding(idx))) over (T, B) tokens, and every grad."""
    emb = params["embed.weight"]
    x = emb[idx]  # (T, B, E)
    saved = []
    for layer in range(num_layers):
        x, s = lstm_layer_forward(x, *(params[f"lstm.{k}_l{layer}"] for k in
                                       ("weight_ih", "weight_hh", "bias_ih", "bias_hh")))
        saved.append(s)
    steps, batch, hidden = x.shape
    flat = x.reshape(-1, hidden)
    logits = flat @ params["head.weight"].T + params["head.bias"]
    loss, dlogits = _cross_entropy(logits, target.reshape(-1))
    grads = {"head.weight": dlogits.T @ flat, "head.bias": dlogits.sum(axis=0)}
    dx = (dlogits @ params["head.weight"]).reshape(steps, batch, hidden)
    for layer in reversed(range(num_layers)):
        dx, *dw = lstm_layer_backward(dx, saved[layer])
        for k, g in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), dw):
            grads[f"lstm.{k}_l{layer}"] = g
    demb = np.zeros_like(emb)
    np.add.at(demb, idx.reshape(-1), dx.reshape(-1, dx.shape[2]))  # rows used twice add up
    grads["embed.weight"] = demb
    return loss, grads


def lstm_lm_step(params: Params, idx: np.ndarray, target: np.ndarray, num_layers: int,
                 lr: float) -> tuple[np.ndarray, Params]:
    """One SGD step of the LSTM language model (params updated in place)."""
    loss, grads = lstm_lm_loss_and_grads(params, idx, target, num_layers)
    _sgd(params, grads, lr)
    return loss, grads


# -- the Transformer encoder layer (post-norm, ReLU, no dropout, no mask) under MSE ----------


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float
                ) -> tuple[np.ndarray, tuple]:
    mu = x.mean(axis=-1, keepdims=True)
    xc = x - mu
    rstd = 1 / np.sqrt((xc * xc).mean(axis=-1, keepdims=True) + eps)
    xhat = xc * rstd
    return xhat * w + b, (xhat, rstd, w)


def _layer_norm_backward(dy: np.ndarray, saved: tuple) -> tuple[np.ndarray, ...]:
    """dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = dy w."""
    xhat, rstd, w = saved
    axes = tuple(range(dy.ndim - 1))
    dw, db = (dy * xhat).sum(axis=axes), dy.sum(axis=axes)
    dxhat = dy * w
    dx = rstd * (dxhat - dxhat.mean(axis=-1, keepdims=True)
                 - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True))
    return dx, dw, db


def encoder_layer_loss_and_grads(params: Params, x: np.ndarray, target: np.ndarray,
                                 nhead: int, eps: float = 1e-5) -> tuple[np.ndarray, Params]:
    """mse_loss(layer(x), target) of torch's TransformerEncoderLayer (batch_first, post-norm,
    ReLU, dropout 0, no mask) on x (B, T, D), and every parameter's gradient.

    x1 = LN1(x + SA(x)),  SA(x) = concat_h(softmax(q_h k_h' / sqrt(hd)) v_h) W_o' + b_o;
    y = LN2(x1 + W2' relu(W1' x1 + b1) + b2).
    """
    batch, steps, d = x.shape
    hd = d // nhead
    p = params
    qkv = x @ p["self_attn.in_proj_weight"].T + p["self_attn.in_proj_bias"]  # (B, T, 3D)
    heads = qkv.reshape(batch, steps, 3, nhead, hd).transpose(2, 0, 3, 1, 4)  # 3, B, h, T, hd
    q, k, v = heads[0], heads[1], heads[2]
    scale = 1 / math.sqrt(hd)  # a Python float: a NumPy float64 would promote float32
    s = (q @ k.transpose(0, 1, 3, 2)) * scale
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    att = e / e.sum(axis=-1, keepdims=True)
    a = (att @ v).transpose(0, 2, 1, 3).reshape(batch, steps, d)
    sa = a @ p["self_attn.out_proj.weight"].T + p["self_attn.out_proj.bias"]
    x1, ln1 = _layer_norm(x + sa, p["norm1.weight"], p["norm1.bias"], eps)
    h_pre = x1 @ p["linear1.weight"].T + p["linear1.bias"]
    h = np.maximum(h_pre, 0)
    ff = h @ p["linear2.weight"].T + p["linear2.bias"]
    y, ln2 = _layer_norm(x1 + ff, p["norm2.weight"], p["norm2.bias"], eps)
    diff = y - target
    loss = np.asarray((diff * diff).mean(), x.dtype)

    grads: Params = {}
    dy = diff * (2 / diff.size)
    dz2, grads["norm2.weight"], grads["norm2.bias"] = _layer_norm_backward(dy, ln2)
    rows_h, rows_x1 = h.reshape(-1, h.shape[-1]), x1.reshape(-1, d)
    dz2_rows = dz2.reshape(-1, d)
    grads["linear2.weight"] = dz2_rows.T @ rows_h
    grads["linear2.bias"] = dz2_rows.sum(axis=0)
    dh = (dz2 @ p["linear2.weight"]) * (h_pre > 0)
    dh_rows = dh.reshape(-1, dh.shape[-1])
    grads["linear1.weight"] = dh_rows.T @ rows_x1
    grads["linear1.bias"] = dh_rows.sum(axis=0)
    dx1 = dz2 + dh @ p["linear1.weight"]
    dz1, grads["norm1.weight"], grads["norm1.bias"] = _layer_norm_backward(dx1, ln1)
    dz1_rows = dz1.reshape(-1, d)
    grads["self_attn.out_proj.weight"] = dz1_rows.T @ a.reshape(-1, d)
    grads["self_attn.out_proj.bias"] = dz1_rows.sum(axis=0)
    da = (dz1 @ p["self_attn.out_proj.weight"]).reshape(batch, steps, nhead, hd)
    da = da.transpose(0, 2, 1, 3)  # B, h, T, hd
    datt = da @ v.transpose(0, 1, 3, 2)
    dv = att.transpose(0, 1, 3, 2) @ da
    ds = att * (datt - (datt * att).sum(axis=-1, keepdims=True)) * scale
    dq = ds @ k
    dk = ds.transpose(0, 1, 3, 2) @ q
    dqkv = np.stack([dq, dk, dv]).transpose(1, 3, 0, 2, 4).reshape(-1, 3 * d)
    grads["self_attn.in_proj_weight"] = dqkv.T @ x.reshape(-1, d)
    grads["self_attn.in_proj_bias"] = dqkv.sum(axis=0)
    return loss, grads


def encoder_layer_step(params: Params, x: np.ndarray, target: np.ndarray, nhead: int,
                       lr: float) -> tuple[np.ndarray, Params]:
    """One SGD step of the encoder layer under MSE (params updated in place)."""
    loss, grads = encoder_layer_loss_and_grads(params, x, target, nhead)
    _sgd(params, grads, lr)
    return loss, grads
