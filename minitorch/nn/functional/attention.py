"""Attention: scaled_dot_product_attention and multi_head_attention_forward.

Attention is a composition of core ops, so there is no new Function here: scores
are a matmul, masks are an addition of 0 / -inf, the weights are a softmax and
the output one more matmul. Autograd differentiates the composition for us, twice
too -- except where torch itself cannot: for the inputs its fused CPU kernel takes
(4-d, no dropout, ...: _uses_fused_kernel) torch has no double backward, so there
the gradients carry a node that refuses one (RefusedDoubleBackward), as torch's do.
multi_head_attention_forward follows torch/nn/functional.py step by step (the
same projections, mask merging and order of operations) so that its numbers
are torch's. Read activation.py (softmax) and basic.py (linear, dropout) first;
nn/attention.py wraps these in MultiheadAttention, nn/transformer.py builds on it.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from minitorch import dtypes, ops
from minitorch.autograd.function import Function
from minitorch.autograd.higher_order import first_order_only, not_implemented
from minitorch.nn.functional._utils import check_tensor
from minitorch.nn.functional.activation import softmax
from minitorch.nn.functional.basic import dropout, linear
from minitorch.nn.functional.padding import pad
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

SDPA = "scaled_dot_product_attention"


# -- scaled dot product attention ----------------------------------------------------------------
def _check_sdpa_inputs(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None,
                       dropout_p: float, is_causal: bool) -> None:
    """torch's checks, in torch's order, with torch's exception classes."""
    for pos, (name, t) in enumerate((("query", query), ("key", key), ("value", value)), 1):
        check_tensor(t, SDPA, name, pos)
    if attn_mask is not None:
        check_tensor(attn_mask, SDPA, "attn_mask", 4)
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(
            f"{SDPA}: Expected query, key, and value to have the same dtype, but got "
            f"query.dtype: {query.dtype} key.dtype: {key.dtype} and value.dtype: {value.dtype} "
            "instead."
        )
    if not query.is_floating_point():
        raise RuntimeError(f"{SDPA}: expected a floating point query, got {query.dtype}")
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(
            f"{SDPA}: Expected query, key, and value to all be at least 2 dimensional, but got "
            f"query.dim: {query.ndim} key.dim: {key.ndim} and value.dim: {value.ndim} instead."
        )
    # torch takes bool, float32 ("float") or the query's own dtype
    if attn_mask is not None and attn_mask.dtype not in (dtypes.bool, dtypes.float32,
                                                         query.dtype):
        raise RuntimeError(
            f"{SDPA}: Expected attn_mask dtype to be bool or float or to match query dtype, but "
            f"got attn_mask.dtype: {attn_mask.dtype} and query.dtype: {query.dtype} instead."
        )
    if is_causal and attn_mask is not None:
        raise RuntimeError(f"{SDPA}: Explicit attn_mask should not be set when is_causal=True")
    if not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if key.shape[-1] != query.shape[-1]:
        raise RuntimeError(
            f"{SDPA}: query and key must have the same embedding size, got query "
            f"{tuple(query.shape)} and key {tuple(key.shape)}"
        )
    if value.shape[-2] != key.shape[-2]:
        raise RuntimeError(
            f"{SDPA}: key and value must have the same sequence length, got key "
            f"{tuple(key.shape)} and value {tuple(value.shape)}"
        )


def _repeat_heads(t: Tensor, heads: int, name: str) -> Tensor:
    """Grouped-query attention: repeat each key/value head heads // H times (repeat_interleave
    along dim -3), so head h of the query reads head h // (heads // H) of the key."""
    have = t.shape[-3]
    if have == heads:
        return t
    if heads % have != 0:
        raise RuntimeError(
            f"{SDPA}: Number of heads in key and value must divide the number of heads in "
            f"query, got {heads} query heads and {have} {name} heads"
        )
    lead, (s, e) = t.shape[:-3], t.shape[-2:]
    grouped = t.unsqueeze(-3).expand(*lead, have, heads // have, s, e)
    return grouped.reshape(*lead, heads, s, e)


def _additive_mask(attn_mask: Tensor, dtype: dtypes.dtype) -> Tensor:
    """A bool mask (True = attend) as 0 / -inf in `dtype`; a float mask as it is."""
    if attn_mask.dtype != dtypes.bool:
        return attn_mask
    bias = np.where(attn_mask.array, 0.0, -np.inf).astype(dtype.np)
    return Tensor._make(bias, False, None)


def _safe_softmax(scores: Tensor) -> Tensor:
    """softmax over the last dim, with rows that are all -inf giving 0 (and gradient 0), not NaN,
    as torch's attention kernels do."""
    dead = np.all(np.isneginf(scores.array), axis=-1, keepdims=True)
    if not dead.any():
        return softmax(scores, dim=-1)
    dead_rows = Tensor._make(dead, False, None)
    # Zero the dead rows before the softmax too, so no NaN reaches the backward pass.
    weights = softmax(ops.where(dead_rows, 0.0, scores), dim=-1)
    return ops.where(dead_rows, 0.0, weights)


def _uses_fused_kernel(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None,
                       dropout_p: float, enable_gqa: bool) -> bool:
    """Would torch run its fused CPU kernel (_scaled_dot_product_flash_attention_for_cpu)?
    sdp_utils_cpp.cpp's gates: 4-d inputs, no dropout, one batch size, one head dim, one
    head count (unless enable_gqa), the last dim contiguous, non-empty sequences, a 2-d or
    head/batch-broadcast 4-d mask that needs no gradient. Then torch has no double backward."""
    q, k, v = query, key, value
    if min(q.ndim, k.ndim, v.ndim) != 4 or max(q.ndim, k.ndim, v.ndim) != 4 or dropout_p > 0.0:
        return False
    if not (q.shape[0] == k.shape[0] == v.shape[0] and q.shape[-1] == k.shape[-1] == v.shape[-1]):
        return False
    if k.shape[1] != v.shape[1] or (q.shape[1] != k.shape[1] and not enable_gqa):
        return False
    if min(q.shape[2], k.shape[2]) == 0:
        return False
    if any(t.array.strides[-1] != t.array.itemsize for t in (q, k, v)):
        return False
    if attn_mask is None:
        return True
    m = attn_mask.shape
    if attn_mask.requires_grad or m[-2] not in (q.shape[2], 1) or m[-1] not in (k.shape[2], 1):
        return False
    return len(m) == 2 or (len(m) == 4 and m[0] in (1, q.shape[0]) and m[1] in (1, q.shape[1]))


class RefusedDoubleBackward(Function):
    """y = x;  x: grad, which under create_graph=True goes on through a node whose own
    backward raises (higher_order.first_order_only): torch's fused attention kernel has no
    derivative of its backward."""

    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, grad):
        return first_order_only(
            not_implemented("_scaled_dot_product_flash_attention_for_cpu_backward"),
            lambda g: g, grad)

    def name(self) -> str:
        return "ScaledDotProductFlashAttentionForCpuBackward0"


def scaled_dot_product_attention(
    query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
    dropout_p: float = 0.0, is_causal: bool = False, *, scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(query @ key^T * scale + mask) @ value, over the last two dims.

    attn_mask broadcasts to (..., L, S): a bool mask keeps the True positions, a float mask
    (float32 or query's dtype, promoted as in torch) is added to the scores. is_causal masks
    with a top-left aligned lower triangle of ones(L, S). enable_gqa repeats each key/value head
    to match the query's heads.
    Dropout (dropout_p > 0) is always applied, as in torch: pass 0.0 in eval mode.
    """
    _check_sdpa_inputs(query, key, value, attn_mask, dropout_p, is_causal)
    if _uses_fused_kernel(query, key, value, attn_mask, dropout_p, enable_gqa):
        query, key, value = (RefusedDoubleBackward.apply(t)
                             for t in (query, key, value))
    L, S = query.shape[-2], key.shape[-2]
    scale_factor = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    if enable_gqa:
        if min(query.ndim, key.ndim, value.ndim) < 3:
            raise IndexError(
                f"{SDPA}: enable_gqa needs a heads dimension (-3), got query, key and value of "
                f"{query.ndim}, {key.ndim} and {value.ndim} dims"
            )
        key = _repeat_heads(key, query.shape[-3], "key")
        value = _repeat_heads(value, query.shape[-3], "value")
    scores = ops.matmul(query, key.transpose(-2, -1)) * scale_factor
    if is_causal:
        keep = np.tril(np.ones((L, S), dtype=bool))
        scores = scores.masked_fill(Tensor._make(~keep, False, None), float("-inf"))
    if attn_mask is not None:
        bias = _additive_mask(attn_mask, query.dtype)
        try:
            joint = np.broadcast_shapes(tuple(scores.shape), tuple(bias.shape))
        except ValueError:
            joint = None
        if joint != tuple(scores.shape):
            raise RuntimeError(
                f"{SDPA}: attn_mask of shape {tuple(attn_mask.shape)} does not broadcast to the "
                f"attention weights' shape {tuple(scores.shape)}"
            )
        scores = scores + bias
    weights = _safe_softmax(scores)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return ops.matmul(weights, value)
register(scaled_dot_product_attention, function=False, functional=True)


# -- multi-head attention, torch's functional form -----------------------------------------------
def _mha_shape_check(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None,
                     attn_mask: Tensor | None, num_heads: int) -> bool:
    """Is the input batched? (torch's AssertionErrors for any other rank.)"""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key` and `value` to be 3-D"
                f" but found {key.ndim}-D and {value.ndim}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D"
                f" but found {key_padding_mask.ndim}-D tensor instead"
            )
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(
                "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D"
                f" but found {attn_mask.ndim}-D tensor instead"
            )
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D"
                f" but found {key.ndim}-D and {value.ndim}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D"
                f" but found {key_padding_mask.ndim}-D tensor instead"
            )
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError(
                    "For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D"
                    f" but found {attn_mask.ndim}-D tensor instead"
                )
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(
                    f"Expected `attn_mask` shape to be {expected} but got "
                    f"{tuple(attn_mask.shape)}"
                )
        return False
    raise AssertionError(
        "query should be unbatched 2D or batched 3D tensor but received "
        f"{query.ndim}-D query tensor"
    )


def _canonical_mask(mask: Tensor | None, mask_name: str, other_type: dtypes.dtype | None,
                    other_name: str, target_type: dtypes.dtype,
                    check_other: bool = True) -> Tensor | None:
    """A bool mask (True = masked out) as a float mask of 0 / -inf; a float mask as it is."""
    if mask is None:
        return None
    is_float = mask.is_floating_point()
    if mask.dtype != dtypes.bool and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(
            f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type "
            "for both instead.",
            stacklevel=2,
        )
    if is_float:
        return mask
    return Tensor._make(np.where(mask.array, -np.inf, 0.0).astype(target_type.np), False, None)


def _none_or_dtype(input: Tensor | None) -> dtypes.dtype | None:
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or minitorch.Tensor")


def _in_projection_packed(q: Tensor, k: Tensor, v: Tensor, w: Tensor,
                          b: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """q, k, v through the packed (3E, E) weight: one product for self-attention, two for
    encoder-decoder attention (key is value), three otherwise -- as torch splits it."""
    E = q.shape[-1]
    if k is v and q is k:
        proj = linear(q, w, b)
        return proj[..., :E], proj[..., E:2 * E], proj[..., 2 * E:]
    if k is v:
        kv = linear(k, w[E:], None if b is None else b[E:])
        return linear(q, w[:E], None if b is None else b[:E]), kv[..., :E], kv[..., E:]
    bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
    return linear(q, w[:E], bq), linear(k, w[E:2 * E], bk), linear(v, w[2 * E:], bv)


def _in_projection(q: Tensor, k: Tensor, v: Tensor, w_q: Tensor, w_k: Tensor, w_v: Tensor,
                   b_q: Tensor | None = None, b_k: Tensor | None = None,
                   b_v: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """Three separate projections (kdim / vdim differ from embed_dim), shapes checked first."""
    Eq, Ek, Ev = q.shape[-1], k.shape[-1], v.shape[-1]
    for what, w, want in (("query", w_q, (Eq, Eq)), ("key", w_k, (Eq, Ek)),
                          ("value", w_v, (Eq, Ev))):
        if tuple(w.shape) != want:
            raise AssertionError(
                f"expecting {what} weights shape of {want}, but got {tuple(w.shape)}"
            )
    for what, b in (("query", b_q), ("key", b_k), ("value", b_v)):
        if b is not None and tuple(b.shape) != (Eq,):
            raise AssertionError(
                f"expecting {what} bias shape of {(Eq,)}, but got {tuple(b.shape)}"
            )
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _fit_attn_mask(attn_mask: Tensor, bsz: int, num_heads: int, tgt_len: int,
                   src_len: int) -> Tensor:
    """A 2-D (L, S) mask as (1, L, S); a 3-D mask must be (N * num_heads, L, S)."""
    if attn_mask.ndim == 2:
        if tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(
                f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, but should be "
                f"{(tgt_len, src_len)}."
            )
        return attn_mask.unsqueeze(0)
    if attn_mask.ndim == 3:
        if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(
                f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, but should be "
                f"{(bsz * num_heads, tgt_len, src_len)}."
            )
        return attn_mask
    raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")


def multi_head_attention_forward(
    query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
    in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
    bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
    out_proj_bias: Tensor | None, training: bool = True,
    key_padding_mask: Tensor | None = None, need_weights: bool = True,
    attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
    static_v: Tensor | None = None, average_attn_weights: bool = True, is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """The forward of nn.MultiheadAttention, on sequence-first inputs (L, N, E) or (L, E).

    Project q, k, v; append bias_k/bias_v and a zero key if asked; split into heads; merge
    key_padding_mask into attn_mask; then either compute the weights explicitly (need_weights,
    returned averaged over heads unless average_attn_weights=False) or hand the heads to
    scaled_dot_product_attention; finally the output projection.
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:  # pretend a batch of one, squeeze it away at the end
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]

    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the hint alone drives scaled_dot_product_attention
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)
        if key_padding_mask is not None:
            is_causal = False  # the merged mask is no longer causal

    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(
                f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                f"{tuple(value.shape[:2])}"
            )
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(
            f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}"
        )

    # in-projection
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     "is None")
        E = embed_dim
        b_q, b_k, b_v = ((None, None, None) if in_proj_bias is None else
                         (in_proj_bias[:E], in_proj_bias[E:2 * E], in_proj_bias[2 * E:]))
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight,
                                 b_q, b_k, b_v)

    if attn_mask is not None:
        attn_mask = _fit_attn_mask(attn_mask, bsz, num_heads, tgt_len, src_len)

    # bias_k / bias_v: one more key and value, at the end of the source sequence
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = ops.cat([k, bias_k.repeat(1, bsz, 1)])
        v = ops.cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    # split into heads, batch first: (N * num_heads, len, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = _heads(k, static_k, bsz, num_heads, head_dim, "static_k")
    v = _heads(v, static_v, bsz, num_heads, head_dim, "static_v")

    if add_zero_attn:
        zeros = (bsz * num_heads, 1, head_dim)
        k = ops.cat([k, ops.zeros(zeros, dtype=k.dtype)], dim=1)
        v = ops.cat([v, ops.zeros(zeros, dtype=v.dtype)], dim=1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]

    # merge the key padding mask into the attention mask
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(
                f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                f"{key_padding_mask.shape[0]}"
            )
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(
                f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                f"{key_padding_mask.shape[1]}"
            )
        key_padding_mask = (key_padding_mask.reshape(bsz, 1, 1, src_len)
                            .expand(bsz, num_heads, 1, src_len)
                            .reshape(bsz * num_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask

    if not training:
        dropout_p = 0.0

    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        scores = ops.matmul(q_scaled, k.transpose(-2, -1))
        if attn_mask is not None:
            scores = attn_mask + scores  # torch.baddbmm(attn_mask, q_scaled, k^T)
        weights = softmax(scores, dim=-1)
        if dropout_p > 0.0:
            weights = dropout(weights, p=dropout_p)
        out = ops.matmul(weights, v)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias)
        out = out.reshape(tgt_len, bsz, out.shape[1])
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights

    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.ndim == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.reshape(tgt_len, bsz, out.shape[1])
    if not is_batched:
        out = out.squeeze(1)
    return out, None
register(multi_head_attention_forward, function=False, functional=True)


def _heads(t: Tensor, static: Tensor | None, bsz: int, num_heads: int, head_dim: int,
           name: str) -> Tensor:
    """(len, N, E) -> (N * num_heads, len, head_dim), or the given static keys/values."""
    if static is None:
        return t.reshape(t.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if static.shape[0] != bsz * num_heads:
        raise AssertionError(
            f"expecting {name}.size(0) of {bsz * num_heads}, but got {static.shape[0]}"
        )
    if static.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.shape[2]}")
    return static
