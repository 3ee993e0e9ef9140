"""Autograd: grad mode, the Function base class, and the engine that walks the graph.

Read in this order: grad_mode.py, function.py, engine.py; then what users
build on it: custom_function.py (autograd.Function with a ctx), hooks.py
(Tensor.register_hook), anomaly_mode.py, gradcheck.py and functional.py.

`minitorch.autograd.Function` is the user-facing class (torch's, Tensors in
and out); minitorch's own ops subclass the NumPy-level one in function.py.
"""

from minitorch.autograd import functional, hooks  # hooks puts register_hook on Tensor
from minitorch.autograd.anomaly_mode import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from minitorch.autograd.custom_function import Function, FunctionCtx, once_differentiable
from minitorch.autograd.engine import backward, grad, toposort
from minitorch.autograd.gradcheck import gradcheck, gradgradcheck
from minitorch.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = [
    "Function", "FunctionCtx", "once_differentiable", "backward", "grad", "toposort",
    "enable_grad", "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "no_grad",
    "set_grad_enabled", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled", "gradcheck", "gradgradcheck", "functional",
]
