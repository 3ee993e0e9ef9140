"""Autograd: grad mode, the Function base class, and the engine that walks the graph.

Read in this order: grad_mode.py, function.py, engine.py.
"""

from minitorch.autograd.engine import backward, grad, toposort
from minitorch.autograd.function import Function
from minitorch.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = [
    "Function", "backward", "grad", "toposort",
    "enable_grad", "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "no_grad",
    "set_grad_enabled",
]
