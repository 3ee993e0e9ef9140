"""Attention against torch: F.scaled_dot_product_attention, nn.MultiheadAttention and the
Transformer modules.

Every comparison builds the same thing in both engines, copies torch's weights into
minitorch (load_state_dict from torch's state_dict as NumPy), runs the same inputs and
compares outputs, attention weights and the gradients of every input and parameter:
float64 tightly (1e-10), float32 at torch.testing's default tolerance. Dropout is 0 or the
module is in eval mode, except in the tests of dropout itself (statistics). Errors are
compared by class and message. The last test runs parity/modules_attention.py's cases.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch as mt
from parity import modules as pm
from parity.compare import DEFAULT_TOLERANCE
from parity.modules_attention import attention_cases

torch.set_num_threads(1)
pytestmark = [pytest.mark.filterwarnings("ignore:Support for mismatched"),
              pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")]
TOL = {"float64": (1e-10, 1e-12), "float32": DEFAULT_TOLERANCE["float32"]}
DTYPES = ("float64", "float32")


def close(a, e, dtype: str) -> None:
    """minitorch value a against torch value e (NaNs must sit in the same places)."""
    rtol, atol = TOL[dtype]
    a, e = pm.to_numpy(a), pm.to_numpy(e)
    assert a.shape == e.shape, (a.shape, e.shape)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)


def tensors(lib, arrays, grad: bool = True):
    return [pm.make_input(lib, a, grad and a.dtype.kind == "f") for a in arrays]


def as_lib(lib, kwargs: dict) -> dict:
    """Keyword arguments with NumPy arrays turned into `lib` tensors."""
    return {k: lib.from_numpy(v.copy()) if isinstance(v, np.ndarray) else v
            for k, v in kwargs.items()}


def built(make, dtype: str):
    """make(lib) in both engines, torch's weights copied into minitorch's module."""
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = make(torch).to(getattr(torch, dtype))
        mm = make(mt).to(getattr(mt, dtype))
    pm.copy_weights(tm, mm)
    return tm, mm


def compare_run(tm, mm, arrays, dtype: str, kwargs: dict | None = None, grad_at=None) -> None:
    """Forward both modules, compare every output, backprop a random gradient from the first
    output, compare the gradients of the inputs and of every parameter."""
    kwargs = kwargs or {}
    ti, mi = tensors(torch, arrays), tensors(mt, arrays)
    to, mo = tm(*ti, **as_lib(torch, kwargs)), mm(*mi, **as_lib(mt, kwargs))
    tos = to if isinstance(to, tuple) else (to,)
    mos = mo if isinstance(mo, tuple) else (mo,)
    assert len(tos) == len(mos)
    for t, m in zip(tos, mos):
        assert (t is None) == (m is None)
        if t is not None:
            close(m, t, dtype)
    g = np.random.default_rng(5).standard_normal(tuple(tos[0].shape)).astype(dtype)
    tos[0].backward(torch.from_numpy(g.copy()))
    mos[0].backward(mt.from_numpy(g.copy()))
    for t, m in zip(ti, mi):
        if t.requires_grad:
            close(m.grad, t.grad, dtype)
    m_params = dict(mm.named_parameters())
    for name, p in tm.named_parameters():
        assert (p.grad is None) == (m_params[name].grad is None), name
        if p.grad is not None:
            close(m_params[name].grad, p.grad, dtype)


def rand(rng, *shape, dtype="float64"):
    return rng.standard_normal(shape).astype(dtype)


# -- F.scaled_dot_product_attention ---------------------------------------------------------
def _keep(rng, *shape):
    m = rng.random(shape) < 0.7
    m[..., 0] = True  # every query attends somewhere
    return m


SDPA_CASES = {
    "plain": ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6), {}),
    "scale": ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6), {"scale": 0.3}),
    "causal square": ((2, 3, 5, 8), (2, 3, 5, 8), (2, 3, 5, 6), {"is_causal": True}),
    "causal L < S": ((1, 2, 3, 4), (1, 2, 6, 4), (1, 2, 6, 2), {"is_causal": True}),
    "causal L > S (top-left aligned)": ((1, 2, 6, 4), (1, 2, 3, 4), (1, 2, 3, 2),
                                        {"is_causal": True}),
    "bool mask (L, S)": ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6), {"bool": (4, 5)}),
    "bool mask broadcast (N, 1, L, S)": ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6),
                                         {"bool": (2, 1, 4, 5)}),
    "float mask (N, H, 1, S)": ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6), {"float": (2, 3, 1, 5)}),
    "gqa": ((2, 6, 4, 8), (2, 2, 5, 8), (2, 2, 5, 6), {"enable_gqa": True}),
    "gqa, different key and value heads": ((1, 6, 3, 4), (1, 3, 5, 4), (1, 2, 5, 2),
                                           {"enable_gqa": True}),
    "3-D inputs": ((3, 4, 8), (3, 5, 8), (3, 5, 6), {}),
    "2-D inputs": ((4, 8), (5, 8), (5, 6), {}),
    "broadcast batch": ((1, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6), {}),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(SDPA_CASES))
def test_sdpa_matches_torch(case, dtype):
    qs, ks, vs, spec = SDPA_CASES[case]
    rng = np.random.default_rng(pm.zlib_seed("sdpa", case))
    arrays = [rand(rng, *qs, dtype=dtype), rand(rng, *ks, dtype=dtype), rand(rng, *vs, dtype=dtype)]
    kw = {k: v for k, v in spec.items() if k not in ("bool", "float")}
    if "bool" in spec:
        kw["attn_mask"] = _keep(rng, *spec["bool"])
    if "float" in spec:
        m = rng.uniform(-1, 1, spec["float"])
        m[rng.random(spec["float"]) < 0.2] = -np.inf
        m[..., 0] = 0.0
        kw["attn_mask"] = m.astype(dtype)

    def run(lib):
        ts = tensors(lib, arrays)
        out = lib.nn.functional.scaled_dot_product_attention(*ts, **as_lib(lib, kw))
        g = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(dtype)
        out.backward(lib.from_numpy(g))
        return [out] + [t.grad for t in ts]

    for m, t in zip(run(mt), run(torch)):
        close(m, t, dtype)


def test_sdpa_fully_masked_row_gives_zeros_and_zero_gradient():
    rng = np.random.default_rng(0)
    arrays = [rand(rng, 1, 2, 3, 4), rand(rng, 1, 2, 3, 4), rand(rng, 1, 2, 3, 2)]
    mask = np.ones((3, 3), bool)
    mask[1] = False
    fmask = np.where(mask, 0.0, -np.inf)
    for m in (mask, fmask):
        res = []
        for lib in (mt, torch):
            ts = tensors(lib, arrays)
            out = lib.nn.functional.scaled_dot_product_attention(*ts, attn_mask=lib.from_numpy(m))
            out.sum().backward()
            res.append([out] + [t.grad for t in ts])
        for a, e in zip(*res):
            close(a, e, "float64")
        assert not np.isnan(pm.to_numpy(res[0][1])).any()


def test_sdpa_dropout_is_applied_and_unbiased():
    """dropout_p > 0 is always applied (as torch): samples differ, their mean is the output
    without dropout (within 5 standard errors), p = 1 drops everything."""
    rng = np.random.default_rng(0)
    n = 4000
    q, k, v = rand(rng, 1, 3, 4), rand(rng, 1, 5, 4), rand(rng, 1, 5, 2)
    F = mt.nn.functional
    base = F.scaled_dot_product_attention(*(mt.from_numpy(a) for a in (q, k, v))).array[0]
    mt.manual_seed(0)
    reps = [mt.from_numpy(np.repeat(a, n, axis=0)) for a in (q, k, v)]
    out = F.scaled_dot_product_attention(*reps, dropout_p=0.3).array
    assert not np.allclose(out[0], out[1])
    se = out.std(axis=0) / np.sqrt(n)
    assert np.all(np.abs(out.mean(axis=0) - base) <= 5 * se + 1e-12)
    zero = F.scaled_dot_product_attention(*(mt.from_numpy(a) for a in (q, k, v)), dropout_p=1.0)
    assert np.all(zero.array == 0)


def _sdpa_error(lib, q, k, v, **kw):
    args = [lib.from_numpy(a) for a in (q, k, v)]
    return lib.nn.functional.scaled_dot_product_attention(*args, **as_lib(lib, kw))


@pytest.mark.parametrize("what, shapes, kw, match", [
    ("mask with is_causal", ((1, 4, 8), (1, 5, 8), (1, 5, 6)),
     {"attn_mask": np.ones((4, 5), bool), "is_causal": True}, "attn_mask should not be set"),
    ("int mask", ((1, 4, 8), (1, 5, 8), (1, 5, 6)), {"attn_mask": np.ones((4, 5), np.int64)},
     "attn_mask dtype"),
    ("float64 mask, float32 query", ((1, 4, 8), (1, 5, 8), (1, 5, 6)),
     {"attn_mask": np.ones((4, 5), np.float64), "dtype": "float32"}, "attn_mask dtype"),
    ("1-D query", ((8,), (5, 8), (5, 6)), {}, "at least 2 dimensional"),
    ("dropout_p > 1", ((1, 4, 8), (1, 5, 8), (1, 5, 6)), {"dropout_p": 1.5},
     "dropout probability"),
    ("mask does not broadcast", ((1, 4, 8), (1, 5, 8), (1, 5, 6)),
     {"attn_mask": np.ones((3, 5), bool)}, "does not broadcast"),
    ("key embedding", ((1, 4, 8), (1, 5, 7), (1, 5, 6)), {}, "same embedding size"),
    ("value length", ((1, 4, 8), (1, 5, 8), (1, 6, 6)), {}, "same sequence length"),
    ("gqa heads do not divide", ((1, 6, 4, 8), (1, 4, 5, 8), (1, 4, 5, 6)),
     {"enable_gqa": True}, "Number of heads in key and value must divide"),
    ("heads differ without gqa", ((1, 3, 4, 8), (1, 2, 5, 8), (1, 2, 5, 6)), {}, None),
])
def test_sdpa_errors_as_torch(what, shapes, kw, match):
    rng = np.random.default_rng(0)
    kw = dict(kw)
    dtype = kw.pop("dtype", "float64")
    q, k, v = (rand(rng, *s, dtype=dtype) for s in shapes)
    with pytest.raises(RuntimeError):
        _sdpa_error(torch, q, k, v, **kw)
    with pytest.raises(RuntimeError, match=match):
        _sdpa_error(mt, q, k, v, **kw)


def test_sdpa_float32_mask_on_float64_query_promotes_as_torch():
    rng = np.random.default_rng(2)
    arrays = [rand(rng, 1, 4, 8), rand(rng, 1, 5, 8), rand(rng, 1, 5, 6)]
    mask = rng.uniform(-1, 1, (4, 5)).astype(np.float32)
    outs = [lib.nn.functional.scaled_dot_product_attention(
        *(lib.from_numpy(a) for a in arrays), attn_mask=lib.from_numpy(mask))
        for lib in (mt, torch)]
    assert str(outs[0].dtype)[-7:] == str(outs[1].dtype)[-7:] == "float64"
    close(outs[0], outs[1], "float64")


def test_sdpa_float_mask_gets_a_gradient_as_in_torch():
    rng = np.random.default_rng(9)
    arrays = [rand(rng, 2, 3, 4), rand(rng, 2, 5, 4), rand(rng, 2, 5, 3), rand(rng, 3, 5)]
    res = []
    for lib in (mt, torch):
        q, k, v, m = tensors(lib, arrays)
        out = lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m)
        out.backward(lib.from_numpy(np.ones(tuple(out.shape))))
        res.append(m.grad)
    close(res[0], res[1], "float64")


def test_sdpa_gqa_needs_a_heads_dim():
    x = np.zeros((4, 8))
    for lib in (torch, mt):
        with pytest.raises(IndexError):
            lib.nn.functional.scaled_dot_product_attention(
                *(lib.from_numpy(x) for _ in range(3)), enable_gqa=True)


def test_sdpa_dtype_mismatch_raises():
    q = np.zeros((1, 2, 4))
    with pytest.raises(RuntimeError, match="same dtype"):
        mt.nn.functional.scaled_dot_product_attention(
            mt.from_numpy(q), mt.from_numpy(q.astype(np.float32)), mt.from_numpy(q))


# -- nn.MultiheadAttention ------------------------------------------------------------------
def _mha_inputs(rng, dtype, L=4, S=5, N=2, E=8, kdim=None, vdim=None, batched=True,
                batch_first=False):
    def shape(n, e):
        if not batched:
            return (n, e)
        return (N, n, e) if batch_first else (n, N, e)
    return [rand(rng, *shape(L, E), dtype=dtype), rand(rng, *shape(S, kdim or E), dtype=dtype),
            rand(rng, *shape(S, vdim or E), dtype=dtype)]


def _kpm(rng, N=2, S=5, kind="bool", dtype="float64"):
    m = rng.random((N, S)) < 0.4
    m[:, 0] = False  # every batch entry keeps a key
    if kind == "bool":
        return m
    return np.where(m, -np.inf, rng.uniform(-0.5, 0.5, m.shape)).astype(dtype)


def _attn_mask(rng, shape, kind="bool", dtype="float64"):
    m = rng.random(shape) < 0.4
    m[..., 0] = False
    if kind == "bool":
        return m
    return np.where(m, -np.inf, rng.uniform(-0.5, 0.5, shape)).astype(dtype)


MHA_CONFIGS = {
    "default": {},
    "batch_first": {"batch_first": True},
    "kdim, vdim": {"kdim": 5, "vdim": 3},
    "add_bias_kv, add_zero_attn": {"add_bias_kv": True, "add_zero_attn": True},
    "bias=False": {"bias": False},
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("config", list(MHA_CONFIGS))
def test_mha_matches_torch_with_masks(config, need_weights, dtype):
    kw = MHA_CONFIGS[config]
    tm, mm = built(lambda L: L.nn.MultiheadAttention(8, 2, **kw), dtype)
    rng = np.random.default_rng(3)
    arrays = _mha_inputs(rng, dtype, kdim=kw.get("kdim"), vdim=kw.get("vdim"),
                         batch_first=kw.get("batch_first", False))
    masks = {"key_padding_mask": _kpm(rng), "attn_mask": _attn_mask(rng, (4, 5)),
             "need_weights": need_weights}
    compare_run(tm, mm, arrays, dtype, masks)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("masks", [
    "float kpm, float 3-D attn_mask, per-head weights", "float 2-D attn_mask", "kpm only",
    "causal hint, need_weights", "causal hint, no weights",
])
def test_mha_mask_kinds(masks, dtype):
    tm, mm = built(lambda L: L.nn.MultiheadAttention(8, 2), dtype)
    rng = np.random.default_rng(4)
    arrays = _mha_inputs(rng, dtype, L=5, S=5)
    causal = np.triu(np.full((5, 5), -np.inf), 1).astype(dtype)
    kw = {
        "float kpm, float 3-D attn_mask, per-head weights": {
            "key_padding_mask": _kpm(rng, kind="float", dtype=dtype),
            "attn_mask": _attn_mask(rng, (4, 5, 5), "float", dtype),
            "average_attn_weights": False},
        "float 2-D attn_mask": {"attn_mask": _attn_mask(rng, (5, 5), "float", dtype)},
        "kpm only": {"key_padding_mask": _kpm(rng)},
        "causal hint, need_weights": {"attn_mask": causal, "is_causal": True},
        "causal hint, no weights": {"attn_mask": causal, "is_causal": True,
                                    "need_weights": False},
    }[masks]
    compare_run(tm, mm, arrays, dtype, kw)


@pytest.mark.parametrize("dtype", DTYPES)
def test_mha_self_and_cross_attention_share_tensors_as_torch(dtype):
    """query is key is value (one packed product) and key is value (two): same numbers."""
    tm, mm = built(lambda L: L.nn.MultiheadAttention(6, 3, batch_first=True), dtype)
    rng = np.random.default_rng(6)
    x, mem = rand(rng, 2, 4, 6, dtype=dtype), rand(rng, 2, 3, 6, dtype=dtype)

    class Self:
        def __init__(self, m):
            self.m = m

        def __call__(self, x, mem):
            a = self.m(x, x, x)[0]
            return self.m(a, mem, mem)[0]

        def named_parameters(self):
            return self.m.named_parameters()

    compare_run(Self(tm), Self(mm), [x, mem], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_mha_unbatched(dtype):
    tm, mm = built(lambda L: L.nn.MultiheadAttention(8, 2, kdim=4, vdim=4, batch_first=True),
                   dtype)
    rng = np.random.default_rng(8)
    arrays = _mha_inputs(rng, dtype, kdim=4, vdim=4, batched=False)
    kw = {"key_padding_mask": _kpm(rng, N=1)[0], "attn_mask": _attn_mask(rng, (2, 4, 5)),
          "average_attn_weights": False}
    compare_run(tm, mm, arrays, dtype, kw)


def test_mha_fully_masked_batch_entry_is_nan_with_weights_and_zero_without():
    tm, mm = built(lambda L: L.nn.MultiheadAttention(6, 3), "float64")
    x = rand(np.random.default_rng(0), 3, 2, 6)
    kpm = np.zeros((2, 3), bool)
    kpm[1] = True
    for need_weights in (True, False):
        res = [m(*(L.from_numpy(x),) * 3, key_padding_mask=L.from_numpy(kpm),
                 need_weights=need_weights)[0] for L, m in ((mt, mm), (torch, tm))]
        close(res[0], res[1], "float64")


def _no_grad_outputs(pairs, call):
    outs = []
    for lib, m in pairs:
        with lib.no_grad():
            outs.append(call(lib, m))
    return outs


def test_inference_fast_paths_give_torchs_numbers():
    """torch's fused inference kernels (eval, batch_first, no grad) use a plain softmax: a fully
    masked sequence is NaN there (and the is_causal hint is ignored); its nested-tensor encoder
    leaves zeros at padded positions. minitorch follows each."""
    rng = np.random.default_rng(0)
    x = rand(rng, 2, 3, 8, dtype="float32")
    kpm = np.zeros((2, 3), bool)
    kpm[1] = True
    tm, mm = built(lambda L: L.nn.MultiheadAttention(8, 2, batch_first=True).eval(), "float32")
    for kw, nan_rows in (({"key_padding_mask": kpm, "need_weights": False}, True),
                         ({"key_padding_mask": kpm, "need_weights": True}, True),
                         ({"is_causal": True, "need_weights": False}, False)):
        a, e = _no_grad_outputs(((mt, mm), (torch, tm)), lambda L, m, kw=kw: m(
            *(L.from_numpy(x),) * 3, **as_lib(L, kw)))
        close(a[0], e[0], "float32")
        assert (a[1] is None) == (e[1] is None)
        assert np.isnan(pm.to_numpy(e[0])).any() == nan_rows
    tl, ml = built(lambda L: L.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True).eval(),
                   "float32")
    a, e = _no_grad_outputs(((mt, ml), (torch, tl)), lambda L, m: m(
        L.from_numpy(x), src_key_padding_mask=L.from_numpy(kpm)))
    assert np.isnan(pm.to_numpy(e)[1]).all()
    close(a, e, "float32")
    te, me = built(lambda L: L.nn.TransformerEncoder(
        L.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2).eval(), "float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's prototype warning about nested tensors
        a, e = _no_grad_outputs(((mt, me), (torch, te)), lambda L, m: m(
            L.from_numpy(x), src_key_padding_mask=L.from_numpy(kpm)))
    close(a, e, "float32")


def test_mha_dropout_only_in_training():
    tm, mm = built(lambda L: L.nn.MultiheadAttention(8, 2, dropout=0.5), "float64")
    rng = np.random.default_rng(0)
    arrays = _mha_inputs(rng, "float64")
    tm.eval()
    mm.eval()
    compare_run(tm, mm, arrays, "float64")
    mm.train()
    mt.manual_seed(0)
    out, weights = mm(*(mt.from_numpy(a) for a in arrays))
    ref, ref_w = mm.eval()(*(mt.from_numpy(a) for a in arrays))
    assert not np.allclose(out.array, ref.array)
    # dropped weights are 0, kept ones scaled by 1 / (1 - p): rows no longer sum to one
    assert not np.allclose(weights.array.sum(-1), 1.0)
    np.testing.assert_allclose(ref_w.array.sum(-1), 1.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_multi_head_attention_forward_with_static_kv_and_no_training_dropout(dtype):
    rng = np.random.default_rng(12)
    E, H, N = 6, 2, 2
    arrays = [rand(rng, 4, N, E, dtype=dtype), rand(rng, 5, N, E, dtype=dtype),
              rand(rng, 5, N, E, dtype=dtype), rand(rng, 3 * E, E, dtype=dtype),
              rand(rng, 3 * E, dtype=dtype), rand(rng, E, E, dtype=dtype),
              rand(rng, E, dtype=dtype), rand(rng, N * H, 7, E // H, dtype=dtype),
              rand(rng, N * H, 7, E // H, dtype=dtype)]
    res = []
    for lib in (mt, torch):
        q, k, v, w, b, ow, ob, sk, sv = tensors(lib, arrays)
        out, weights = lib.nn.functional.multi_head_attention_forward(
            q, k, v, E, H, w, b, None, None, False, 0.9, ow, ob, training=False,
            static_k=sk, static_v=sv, average_attn_weights=False)
        out.backward(lib.from_numpy(np.ones(tuple(out.shape), dtype)))
        res.append([out, weights, q.grad, w.grad, sk.grad, sv.grad])
    for a, e in zip(*res):
        close(a, e, dtype)


def test_mha_parameters_names_and_init():
    for kw in ({}, {"kdim": 3, "vdim": 5, "add_bias_kv": True}, {"bias": False}):
        tm = torch.nn.MultiheadAttention(6, 2, **kw)
        mm = mt.nn.MultiheadAttention(6, 2, **kw)
        assert list(mm.state_dict()) == list(tm.state_dict())
        assert [n for n, _ in mm.named_parameters()] == [n for n, _ in tm.named_parameters()]
        assert repr(mm) == repr(tm)
        for name, p in mm.named_parameters():
            assert tuple(p.shape) == tuple(dict(tm.named_parameters())[name].shape)
    mm = mt.nn.MultiheadAttention(6, 2)
    assert np.all(mm.in_proj_bias.array == 0) and np.all(mm.out_proj.bias.array == 0)
    bound = np.sqrt(6.0 / (6 + 18))  # xavier_uniform_ on (18, 6)
    assert np.abs(mm.in_proj_weight.array).max() <= bound
    assert mm.in_proj_weight.array.std() > bound / 3


def _mha_call(lib, kw, arrays, embed=8, heads=2, module_kw=None):
    m = lib.nn.MultiheadAttention(embed, heads, **(module_kw or {}))
    return m(*(lib.from_numpy(a) for a in arrays), **as_lib(lib, kw))


@pytest.mark.parametrize("what, kw, shapes, exc, match", [
    ("2-D attn_mask shape", {"attn_mask": np.zeros((3, 5), bool)}, None, RuntimeError,
     "The shape of the 2D attn_mask is"),
    ("3-D attn_mask shape", {"attn_mask": np.zeros((2, 4, 5), bool)}, None, RuntimeError,
     "The shape of the 3D attn_mask is"),
    ("4-D attn_mask", {"attn_mask": np.zeros((1, 1, 4, 5), bool)}, None, AssertionError,
     "expected `attn_mask` to be `None`, 2-D or 3-D"),
    ("kpm batch", {"key_padding_mask": np.zeros((3, 5), bool)}, None, AssertionError,
     "Expected key_padded_mask.shape\\[0\\] to be 2"),
    ("kpm length", {"key_padding_mask": np.zeros((2, 4), bool)}, None, AssertionError,
     "Expected key_padded_mask.shape\\[1\\] to be 5"),
    ("kpm rank", {"key_padding_mask": np.zeros((5,), bool)}, None, AssertionError,
     "expected `key_padding_mask` to be `None` or 2-D"),
    ("int mask", {"attn_mask": np.zeros((4, 5), np.int64)}, None, AssertionError,
     "only bool and floating types of attn_mask are supported"),
    ("is_causal without mask", {"is_causal": True}, None, RuntimeError,
     "Need attn_mask if specifying the is_causal hint"),
    ("4-D query", {}, ((1, 4, 2, 8), (1, 5, 2, 8), (1, 5, 2, 8)), AssertionError,
     "query should be unbatched 2D or batched 3D tensor"),
    ("key rank", {}, ((4, 2, 8), (5, 8), (5, 8)), AssertionError,
     "expected `key` and `value` to be 3-D"),
    ("embed dim", {}, ((4, 2, 6), (5, 2, 6), (5, 2, 6)), AssertionError,
     "was expecting embedding dimension of 8, but got 6"),
    ("key vs value", {}, ((4, 2, 8), (5, 2, 8), (6, 2, 8)), AssertionError,
     "does not match value shape"),
    ("unbatched 3-D mask", {"attn_mask": np.zeros((3, 4, 5), bool)},
     ((4, 8), (5, 8), (5, 8)), AssertionError, "Expected `attn_mask` shape to be"),
])
def test_mha_errors_as_torch(what, kw, shapes, exc, match):
    rng = np.random.default_rng(0)
    shapes = shapes or ((4, 2, 8), (5, 2, 8), (5, 2, 8))
    arrays = [rand(rng, *s, dtype="float32") for s in shapes]
    with pytest.raises(exc, match=match):
        _mha_call(torch, kw, arrays)
    with pytest.raises(exc, match=match):
        _mha_call(mt, kw, arrays)


def test_mha_constructor_errors_and_mask_type_warning():
    for lib in (torch, mt):
        with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
            lib.nn.MultiheadAttention(7, 2)
        with pytest.raises(ValueError, match="embed_dim and num_heads must be greater than 0"):
            lib.nn.MultiheadAttention(0, 2)
        x = lib.zeros(4, 2, 8)
        with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and "
                                             "attn_mask is deprecated"):
            lib.nn.MultiheadAttention(8, 2)(x, x, x, key_padding_mask=lib.zeros(2, 4,
                                                                             dtype=lib.bool),
                                            attn_mask=lib.zeros(4, 4))


# -- the Transformer modules ----------------------------------------------------------------
def _causal(lib, n, dtype):
    return lib.nn.Transformer.generate_square_subsequent_mask(n, dtype=getattr(lib, dtype))


TRANSFORMER_CASES = {
    "encoder layer": (lambda L: L.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), "src", {}),
    "encoder layer norm_first gelu batch_first": (
        lambda L: L.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, norm_first=True,
                                               activation="gelu", batch_first=True), "src_bf",
        {"src_key_padding_mask": "kpm"}),
    "encoder layer callable activation, bias=False, eps": (
        lambda L: L.nn.TransformerEncoderLayer(8, 4, 16, dropout=0.0, bias=False,
                                               activation=L.nn.functional.silu,
                                               layer_norm_eps=1e-3), "src", {"src_mask": "bool"}),
    "encoder layer module activation": (
        lambda L: L.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=L.nn.GELU()),
        "src", {"src_mask": "causal", "is_causal": True}),
    "encoder stack, causal mask detected": (
        lambda L: L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0),
                                          2, norm=L.nn.LayerNorm(8)),
        "src", {"mask": "causal", "src_key_padding_mask": "kpm"}),
    "decoder layer": (lambda L: L.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0), "tgt_mem",
                      {"tgt_mask": "causal4", "memory_key_padding_mask": "kpm"}),
    "decoder stack norm_first batch_first": (
        lambda L: L.nn.TransformerDecoder(
            L.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, norm_first=True,
                                         batch_first=True), 2, norm=L.nn.LayerNorm(8)),
        "tgt_mem_bf", {"tgt_key_padding_mask": "kpm4", "tgt_is_causal": False}),
    "transformer": (lambda L: L.nn.Transformer(8, 2, 2, 1, 16, dropout=0.0), "src_tgt",
                    {"tgt_mask": "causal4", "src_key_padding_mask": "kpm",
                     "memory_key_padding_mask": "kpm"}),
    "transformer batch_first gelu, eval with dropout": (
        lambda L: L.nn.Transformer(8, 2, 1, 2, 16, activation="gelu", batch_first=True).eval(),
        "src_tgt_bf", {"tgt_mask": "causal4"}),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(TRANSFORMER_CASES))
def test_transformer_modules_match_torch(case, dtype):
    make, layout, spec = TRANSFORMER_CASES[case]
    tm, mm = built(make, dtype)
    assert list(mm.state_dict()) == list(tm.state_dict())
    assert repr(mm) == repr(tm)
    rng = np.random.default_rng(11)
    src, tgt = rand(rng, 5, 2, 8, dtype=dtype), rand(rng, 4, 2, 8, dtype=dtype)
    arrays = {"src": [src], "src_bf": [src.transpose(1, 0, 2).copy()], "tgt_mem": [tgt, src],
              "tgt_mem_bf": [tgt.transpose(1, 0, 2).copy(), src.transpose(1, 0, 2).copy()],
              "src_tgt": [src, tgt],
              "src_tgt_bf": [src.transpose(1, 0, 2).copy(), tgt.transpose(1, 0, 2).copy()]}[layout]
    values = {"kpm": _kpm(rng), "kpm4": _kpm(rng, S=4), "bool": _attn_mask(rng, (5, 5)),
              "causal": np.triu(np.full((5, 5), -np.inf), 1).astype(dtype),
              "causal4": np.triu(np.full((4, 4), -np.inf), 1).astype(dtype)}
    kw = {k: values[v] if isinstance(v, str) else v for k, v in spec.items()}
    compare_run(tm, mm, arrays, dtype, kw)


def test_transformer_layers_are_independent_deep_copies():
    layer = mt.nn.TransformerEncoderLayer(4, 2, 8)
    enc = mt.nn.TransformerEncoder(layer, 3, enable_nested_tensor=False)
    ids = {id(p) for p in enc.parameters()}
    assert len(ids) == len(list(enc.parameters())) == 3 * len(list(layer.parameters()))
    assert all(id(p) not in ids for p in layer.parameters())
    np.testing.assert_array_equal(enc.layers[0].linear1.weight.array, layer.linear1.weight.array)


def test_transformer_nested_fast_path_result_and_warning():
    """Inference with a left-aligned padding mask: torch computes on nested tensors and leaves
    zeros at the padded positions (before the final norm); minitorch gives the same result.
    The warning for layers that cannot nest is torch's."""
    def make(L):
        return L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True),
                                       2, norm=L.nn.LayerNorm(8)).eval()

    tm, mm = built(make, "float32")
    x = rand(np.random.default_rng(0), 2, 5, 8, dtype="float32")
    kpm = np.zeros((2, 5), bool)
    kpm[1, 3:] = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's prototype warning about nested tensors
        outs = []
        for lib, m in ((mt, mm), (torch, tm)):
            with lib.no_grad():
                outs.append(m(lib.from_numpy(x), src_key_padding_mask=lib.from_numpy(kpm)))
    close(outs[0], outs[1], "float32")
    for lib in (torch, mt):
        with pytest.warns(UserWarning, match="enable_nested_tensor is True, but "
                                             "self.use_nested_tensor is False because "
                                             "encoder_layer.norm_first was True"):
            lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(4, 2, norm_first=True), 1)


def test_generate_square_subsequent_mask_and_errors():
    for dtype in (None, "float64"):
        kw = {} if dtype is None else {"dtype": getattr(mt, dtype)}
        m = mt.nn.Transformer.generate_square_subsequent_mask(4, **kw)
        t = torch.nn.Transformer.generate_square_subsequent_mask(
            4, **({} if dtype is None else {"dtype": torch.float64}))
        assert str(m.dtype)[-7:] == str(t.dtype)[-7:]
        np.testing.assert_array_equal(m.array, t.numpy())
    for lib in (torch, mt):
        with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
            lib.nn.TransformerEncoderLayer(4, 2, activation="tanh")
        model = lib.nn.Transformer(4, 2, 1, 1, 8)
        with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
            model(lib.zeros(3, 2, 4), lib.zeros(3, 1, 4))
        with pytest.raises(RuntimeError, match="the feature number of src and tgt must be "
                                               "equal to d_model"):
            model(lib.zeros(3, 2, 4), lib.zeros(3, 2, 5))


# -- parity/modules_attention.py's cases ----------------------------------------------------
@pytest.mark.parametrize("case", attention_cases(), ids=lambda c: c.name[:60])
def test_parity_attention_cases_construct_and_agree(case):
    """Each declared case builds in both engines with the same repr and state_dict keys, and
    gives torch's outputs and gradients on its inputs (float64, its first mode)."""
    tm, mm = built(case.make, "float64")
    assert repr(mm) == repr(tm)
    assert list(mm.state_dict()) == list(tm.state_dict())
    mode = case.modes[0]
    tm.train(mode == "train")
    mm.train(mode == "train")
    arrays = case.inputs(np.random.default_rng(0), "float64")
    grad_at = case.grad_args if case.grad_args is not None else tuple(
        i for i, a in enumerate(arrays) if a.dtype.kind == "f")
    ti = [pm.make_input(torch, a, i in grad_at) for i, a in enumerate(arrays)]
    mi = [pm.make_input(mt, a, i in grad_at) for i, a in enumerate(arrays)]
    to, mo = tm(*ti), mm(*mi)
    tos = to if isinstance(to, tuple) else (to,)
    mos = mo if isinstance(mo, tuple) else (mo,)
    for t, m in zip(tos, mos):
        assert (t is None) == (m is None)
        if t is not None:
            close(m, t, "float64")
    tos[0].sum().backward()
    mos[0].sum().backward()
    for i in grad_at:
        close(mi[i].grad, ti[i].grad, "float64")
