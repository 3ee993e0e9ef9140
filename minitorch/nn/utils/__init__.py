"""nn.utils: gradient clipping, and flattening parameters into one vector.

`minitorch.nn.utils.clip_grad_norm_` works as in torch. The subpackage
`nn.utils.rnn` (rnn.py here) pads and packs batches of sequences for the
recurrent layers.
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from minitorch import ops
from minitorch.nn.utils import rnn
from minitorch.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "parameters_to_vector",
           "vector_to_parameters", "rnn"]


def _as_list(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The norm of the per-tensor norms (= the norm of everything concatenated)."""
    arrays = [t.array for t in _as_list(tensors)]
    norm_type = float(norm_type)
    if not arrays:
        return Tensor._make(np.asarray(0.0, dtype=np.float32), False, None)
    if math.isinf(norm_type):
        norms = [np.abs(a).max() if a.size else np.zeros((), a.dtype) for a in arrays]
        total = np.max(np.stack([np.asarray(n, dtype=arrays[0].dtype) for n in norms]))
    else:
        norms = [np.asarray(np.linalg.norm(a.reshape(-1), ord=norm_type), dtype=a.dtype)
                 for a in arrays]
        total = np.linalg.norm(np.stack(norms).astype(arrays[0].dtype), ord=norm_type)
    total = np.asarray(total, dtype=arrays[0].dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor._make(total, False, None)


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scale all gradients together so their total norm is at most max_norm; returns the
    norm before clipping. The factor is max_norm / (norm + 1e-6), capped at 1, as in torch."""
    params = [p for p in _as_list(parameters) if p.grad is not None]
    grads = [p.grad for p in params]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    if not grads:
        return total
    coef = np.minimum(float(max_norm) / (total.array + 1e-6), 1.0)
    for g in grads:
        g.array = g.array * coef.astype(g.array.dtype)
    return total


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p.grad is not None:
            np.clip(p.grad.array, -clip_value, clip_value, out=p.grad.array)
            p.grad._version += 1


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one vector (differentiable, as in torch)."""
    return ops.cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of vec into the parameters, in place."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected minitorch.Tensor, but got: {type(vec).__name__}")
    offset = 0
    for p in parameters:
        n = p.array.size
        p.array[...] = vec.array[offset:offset + n].reshape(p.shape)
        p._version += 1
        offset += n
