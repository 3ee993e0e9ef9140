"""Module cases for attention: MultiheadAttention, the Transformer layers and SDPA.

`attention_cases()` returns ModuleCases in parity/modules.py's form (the lead
appends them to module_cases(), so each runs through run_module_case: reprs,
state_dict keys, torch's weights loaded, outputs and every gradient compared).
Masks and flags are not positional module inputs, so most cases wrap the layer
in a tiny module written once against `lib` (like modules._Tiny): its forward
takes the tensors (masks included, as inputs) and passes the keywords. Cases
whose dropout is non-zero run in eval mode only (the mask is minitorch's own).
MultiheadAttention returns (output, weights): those cases rely on
run_module_case comparing tuple outputs. Read parity/modules.py first.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from parity.modules import ModuleCase, _rand, inputs_of

Maker = Callable[[np.random.Generator, str], np.ndarray]


def _bool_mask(shape: Sequence[int], p: float = 0.3, keep_first: bool = True) -> Maker:
    """A bool mask, True with probability p; the first column stays False (True in `keep`
    masks) so no row is masked out entirely (that row would be NaN in both engines)."""
    def make(rng: np.random.Generator, dtype: str) -> np.ndarray:
        m = rng.random(tuple(shape)) < p
        m[..., 0] = not keep_first
        return m

    return make


def _keep_mask(shape: Sequence[int]) -> Maker:
    """SDPA's convention: True = attend (the first column always attends)."""
    return _bool_mask(shape, p=0.7, keep_first=False)


def _float_mask(shape: Sequence[int]) -> Maker:
    """An additive mask: small values, and -inf at ~25% of positions (never the first column)."""
    def make(rng: np.random.Generator, dtype: str) -> np.ndarray:
        m = rng.uniform(-1.0, 1.0, tuple(shape))
        m[rng.random(tuple(shape)) < 0.25] = -np.inf
        m[..., 0] = 0.0
        return m.astype(dtype)

    return make


def _wrap(make_inner: Callable[[Any], Any], call: Callable[..., Any]) -> Callable[[Any], Any]:
    """A module named Attend holding `inner`, whose forward is call(inner, lib, *inputs)."""
    def make(lib: Any) -> Any:
        class Attend(lib.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.inner = make_inner(lib)

            def forward(self, *xs: Any) -> Any:
                return call(self.inner, lib, *xs)

        return Attend()

    return make


def _sdpa(**kw: Any) -> Callable[[Any], Any]:
    """A parameter-free module calling F.scaled_dot_product_attention(q, k, v[, mask], **kw)."""
    def call(inner: Any, lib: Any, q: Any, k: Any, v: Any, mask: Any = None) -> Any:
        return lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask, **kw)

    return _wrap(lambda lib: lib.nn.Identity(), call)


def _mha(*args: Any, self_attention: bool = False, **kw: Any) -> Callable[..., Any]:
    """The call of an MHA: (q, k, v, [kpm], [attn_mask]) or, for self-attention, (x, ...)."""
    names = args

    def call(inner: Any, lib: Any, *xs: Any) -> Any:
        if self_attention:
            q = k = v = xs[0]
            rest = xs[1:]
        else:
            q, k, v = xs[:3]
            rest = xs[3:]
        return inner(q, k, v, **dict(zip(names, rest)), **kw)

    return call


def _causal(lib: Any, n: int, like: Any) -> Any:
    return lib.nn.Transformer.generate_square_subsequent_mask(n, dtype=like.dtype)


def attention_cases() -> list[ModuleCase]:
    nn = "nn"
    C: list[ModuleCase] = []

    def add(name: str, make: Callable[[Any], Any], inputs: Any, **kw: Any) -> None:
        C.append(ModuleCase(name, make, inputs, **kw))

    # -- F.scaled_dot_product_attention, through a parameter-free wrapper --------------------
    qkv = inputs_of(_rand((2, 3, 4, 8)), _rand((2, 3, 5, 8)), _rand((2, 3, 5, 6)))
    add("scaled_dot_product_attention(q, k, v)", _sdpa(), qkv,
        covers=("F.scaled_dot_product_attention",), quick=True)
    add("scaled_dot_product_attention(is_causal=True, scale=0.5)",
        _sdpa(is_causal=True, scale=0.5), qkv)
    add("scaled_dot_product_attention(bool attn_mask broadcast over heads)", _sdpa(),
        inputs_of(_rand((2, 3, 4, 8)), _rand((2, 3, 5, 8)), _rand((2, 3, 5, 6)),
                  _keep_mask((2, 1, 4, 5))))
    add("scaled_dot_product_attention(float attn_mask)", _sdpa(),
        inputs_of(_rand((2, 3, 4, 8)), _rand((2, 3, 5, 8)), _rand((2, 3, 5, 6)),
                  _float_mask((4, 5))), grad_args=(0, 1, 2))
    add("scaled_dot_product_attention(enable_gqa=True)", _sdpa(enable_gqa=True),
        inputs_of(_rand((2, 4, 3, 8)), _rand((2, 2, 5, 8)), _rand((2, 2, 5, 6))))

    # -- nn.MultiheadAttention ------------------------------------------------------------------
    q, kv = _rand((4, 2, 8)), _rand((5, 2, 8))
    add("MultiheadAttention(8, 2)", lambda L: L.nn.MultiheadAttention(8, 2),
        inputs_of(q, kv, kv), covers=(f"{nn}.MultiheadAttention", "F.multi_head_attention_forward"),
        quick=True)
    add("MultiheadAttention(8, 2) self-attention, need_weights=False",
        _wrap(lambda L: L.nn.MultiheadAttention(8, 2),
              _mha(self_attention=True, need_weights=False)),
        inputs_of(_rand((5, 3, 8))))
    add("MultiheadAttention(8, 4, batch_first=True) with key_padding_mask and attn_mask",
        _wrap(lambda L: L.nn.MultiheadAttention(8, 4, batch_first=True),
              _mha("key_padding_mask", "attn_mask")),
        inputs_of(_rand((2, 4, 8)), _rand((2, 5, 8)), _rand((2, 5, 8)),
                  _bool_mask((2, 5)), _bool_mask((4, 5))))
    add("MultiheadAttention(6, 3, kdim=5, vdim=3) float masks, average_attn_weights=False",
        _wrap(lambda L: L.nn.MultiheadAttention(6, 3, kdim=5, vdim=3),
              _mha("key_padding_mask", "attn_mask", average_attn_weights=False)),
        inputs_of(_rand((4, 2, 6)), _rand((5, 2, 5)), _rand((5, 2, 3)),
                  _float_mask((2, 5)), _float_mask((6, 4, 5))), grad_args=(0, 1, 2))
    add("MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True, bias=False)",
        lambda L: L.nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True,
                                          bias=False),
        inputs_of(q, kv, kv))
    add("MultiheadAttention(8, 2) unbatched with a 3-D attn_mask",
        _wrap(lambda L: L.nn.MultiheadAttention(8, 2), _mha("attn_mask")),
        inputs_of(_rand((4, 8)), _rand((5, 8)), _rand((5, 8)), _bool_mask((2, 4, 5))))
    add("MultiheadAttention(8, 2, dropout=0.2)", lambda L: L.nn.MultiheadAttention(8, 2,
                                                                                   dropout=0.2),
        inputs_of(q, kv, kv), modes=("eval",))

    # -- the Transformer layers -----------------------------------------------------------------
    src, tgt = _rand((5, 2, 8)), _rand((4, 2, 8))
    add("TransformerEncoderLayer(8, 2, 16, dropout=0.0)",
        lambda L: L.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), inputs_of(src),
        covers=(f"{nn}.TransformerEncoderLayer",), quick=True)
    add("TransformerEncoderLayer(8, 2, 16, norm_first=True, activation='gelu', batch_first=True)",
        lambda L: L.nn.TransformerEncoderLayer(8, 2, 16, norm_first=True, activation="gelu",
                                               batch_first=True),
        inputs_of(src), modes=("eval",))
    add("TransformerEncoder(layer, 2, norm) with a causal mask and key_padding_mask",
        _wrap(lambda L: L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(8, 2, 16,
                                                                             dropout=0.0),
                                                2, norm=L.nn.LayerNorm(8)),
              lambda m, L, x, kpm: m(x, mask=_causal(L, x.shape[0], x),
                                     src_key_padding_mask=kpm)),
        inputs_of(src, _bool_mask((2, 5))), covers=(f"{nn}.TransformerEncoder",))
    add("TransformerDecoderLayer(8, 2, 16, dropout=0.0) with a causal tgt_mask",
        _wrap(lambda L: L.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0),
              lambda m, L, t, s: m(t, s, tgt_mask=_causal(L, t.shape[0], t))),
        inputs_of(tgt, src), covers=(f"{nn}.TransformerDecoderLayer",))
    add("TransformerDecoder(layer(norm_first=True), 2)",
        lambda L: L.nn.TransformerDecoder(L.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0,
                                                                       norm_first=True), 2),
        inputs_of(tgt, src), covers=(f"{nn}.TransformerDecoder",))
    add("Transformer(8, 2, 1, 1, 16) with masks",
        _wrap(lambda L: L.nn.Transformer(8, 2, 1, 1, 16),
              lambda m, L, s, t, kpm: m(s, t, tgt_mask=_causal(L, t.shape[0], t),
                                        src_key_padding_mask=kpm,
                                        memory_key_padding_mask=kpm)),
        inputs_of(src, tgt, _bool_mask((2, 5))), modes=("eval",),
        covers=(f"{nn}.Transformer",))
    return C


# The differences these cases cannot see, for the parity report's known-differences table.
KNOWN_DIFFERENCES = (
    ("scaled_dot_product_attention / MultiheadAttention / Transformer dropout (p > 0, training)",
     "the attention-weight dropout mask comes from minitorch's generator; compared in eval mode "
     "(or with dropout 0) against torch"),
    ("TransformerEncoder(enable_nested_tensor=True), fused inference kernels",
     "minitorch has no nested tensors or fused kernels; where torch would use them (eval, "
     "batch_first, no grad) minitorch reproduces their results (zeros at padded positions, NaN "
     "for a fully masked sequence) by the unfused computation, checked in "
     "tests/nn/test_attention.py"),
)
