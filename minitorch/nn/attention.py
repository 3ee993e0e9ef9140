"""MultiheadAttention: the attention layer of the Transformer, with torch's weights and names.

The parameters are torch's (`in_proj_weight` packs the query, key and value
projections; `q_proj_weight`, `k_proj_weight`, `v_proj_weight` replace it when
kdim or vdim differ from embed_dim; `out_proj` is a Linear), so a torch
state_dict loads as it is. The math lives in functional/attention.py
(multi_head_attention_forward); read that first, then transformer.py.
"""

from __future__ import annotations

from typing import Any

from minitorch.autograd.grad_mode import is_grad_enabled
from minitorch.nn import functional as F
from minitorch.nn import init
from minitorch.nn.functional._utils import default_float, new_tensor
from minitorch.nn.functional.attention import _canonical_mask, _none_or_dtype
from minitorch.nn.linear import Linear
from minitorch.nn.module import Module, Parameter
from minitorch.tensor import Tensor

__all__ = ["MultiheadAttention", "NonDynamicallyQuantizableLinear"]


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under torch's name for MultiheadAttention.out_proj (so reprs match torch's)."""


class MultiheadAttention(Module):
    """Attention over num_heads subspaces of embed_dim, each of size embed_dim // num_heads.

    forward(query, key, value) returns (output, weights); weights are averaged over the heads
    unless average_attn_weights=False, and None when need_weights=False. Inputs are
    (L, N, E), or (N, L, E) with batch_first=True, or unbatched (L, E).
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                f"num_heads={num_heads} instead"
            )
        super().__init__()
        d = default_float(dtype)
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != self.embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")

        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(new_tensor((embed_dim, embed_dim), d))
            self.k_proj_weight = Parameter(new_tensor((embed_dim, self.kdim), d))
            self.v_proj_weight = Parameter(new_tensor((embed_dim, self.vdim), d))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(new_tensor((3 * embed_dim, embed_dim), d))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(new_tensor((3 * embed_dim,), d))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=d)
        if add_bias_kv:
            self.bias_k = Parameter(new_tensor((1, 1, embed_dim), d))
            self.bias_v = Parameter(new_tensor((1, 1, embed_dim), d))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        # torch's choice: Xavier for the projections, zeros for their biases.
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        is_batched = query.ndim == 3
        fused = self._torch_would_fuse(query, key, value, key_padding_mask, attn_mask)
        key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                           _none_or_dtype(attn_mask), "attn_mask", query.dtype)
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)
        if self.batch_first and is_batched:  # the functional form is sequence-first
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = (x.transpose(1, 0) for x in (query, key))
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        separate = {}
        if not self._qkv_same_embed_dim:
            separate = dict(use_separate_proj_weight=True, q_proj_weight=self.q_proj_weight,
                            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight)
        out, weights = F.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights or fused,
            attn_mask=attn_mask, average_attn_weights=average_attn_weights,
            is_causal=is_causal and not fused, **separate,
        )
        if self.batch_first and is_batched:
            out = out.transpose(1, 0)
        return out, weights if need_weights else None

    def _torch_would_fuse(self, query: Tensor, key: Tensor, value: Tensor,
                          key_padding_mask: Tensor | None, attn_mask: Tensor | None) -> bool:
        """Would torch take its fused inference kernel here? Its numbers are the explicit
        path's (a plain softmax: a fully masked row is NaN, not 0; the is_causal hint is
        ignored), so we then take the need_weights path whatever need_weights says."""
        float_masks = any(m is not None and m.is_floating_point()
                          for m in (attn_mask, key_padding_mask))
        if float_masks or query.ndim != 3 or not (query is key is value):
            return False
        if self.in_proj_weight is None or self.in_proj_bias is None:
            return False
        if query.dtype != self.in_proj_weight.dtype or self.training:
            return False
        if self.num_heads % 2 or not self.batch_first or self.bias_k is not None:
            return False
        if self.bias_v is not None or self.add_zero_attn:
            return False
        weights = (query, self.in_proj_weight, self.in_proj_bias, self.out_proj.weight,
                   self.out_proj.bias)
        return not (is_grad_enabled() and any(t.requires_grad for t in weights))

    def merge_masks(self, attn_mask: Tensor | None, key_padding_mask: Tensor | None,
                    query: Tensor) -> tuple[Tensor | None, int | None]:
        """torch's helper for its fused path: one (N, num_heads, L, L) mask and its type."""
        mask_type, merged = None, None
        if key_padding_mask is not None:
            mask_type, merged = 1, key_padding_mask
        if attn_mask is not None:
            batch_size, seq_len, _ = query.shape
            mask_type = 2
            if attn_mask.ndim == 3:
                expanded = attn_mask.reshape(batch_size, -1, seq_len, seq_len)
            else:
                expanded = attn_mask.reshape(1, 1, seq_len, seq_len).expand(
                    batch_size, self.num_heads, seq_len, seq_len)
            merged = expanded
            if key_padding_mask is not None:
                merged = expanded + key_padding_mask.reshape(batch_size, 1, 1, seq_len).expand(
                    batch_size, self.num_heads, 1, seq_len)
        return merged, mask_type
