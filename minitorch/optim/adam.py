"""Adam: momentum on the gradient, a per-coordinate step size from its running square.

Each parameter keeps its own step count t (a 0-d float32 tensor, as in torch),
so a parameter that had no gradient for a while is bias-corrected for the
steps it actually took. The bias corrections are Python floats (float64) even
for float32 parameters, exactly as torch computes them. np.sqrt is correctly
rounded and torch's CPU sqrt (MKL) is not, so the two drift by an ulp now and
then; swap in torch's sqrt and the trajectories are bit-identical. Read sgd.py
first; adamw.py is this file with decoupled weight decay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from minitorch.autograd.grad_mode import no_grad
from minitorch.optim.optimizer import (
    Optimizer,
    _check_tensor_hyper,
    _number,
    _step_tensor,
    _zeros_like,
    add,
    addcdiv_,
    addcmul_,
    lerp_,
)
from minitorch.tensor import Tensor

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam (torch.optim.Adam), for each parameter θ at its own step t = 1, 2, ...:

        g = ∇f(θ), or -∇f(θ) when maximize
        g = g + λθ                         weight decay λ (L2, enters the moments)
          or θ = θ(1 - γλ)                 decoupled_weight_decay=True: AdamW's decay
        m = β1 m + (1 - β1) g              first moment (torch writes it as a lerp)
        v = β2 v + (1 - β2) g²             second moment
        v_max = max(v_max, v)              amsgrad: the running max of the raw v ...
        m̂ = m / (1 - β1^t)
        v̂ = v / (1 - β2^t)                 ... bias-corrected afterwards
        θ = θ - γ m̂ / (√v̂ + ε)            ε added after the square root and the correction
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-3,
        betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        _check_tensor_hyper(lr, "lr")
        if not 0.0 <= _number(lr):
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= _number(betas[0]) < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= _number(betas[1]) < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not (
            (isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        _check_tensor_hyper(betas[0], "betas[0]")
        _check_tensor_hyper(betas[1], "betas[1]")
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("decoupled_weight_decay", False)

    def _state_spec(self, group: dict[str, Any]) -> dict[str, str]:
        spec = {"step": "step", "exp_avg": "param", "exp_avg_sq": "param"}
        if group["amsgrad"]:
            spec["max_exp_avg_sq"] = "param"
        return spec

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Adam step for every parameter that has a gradient; returns the closure's loss."""
        loss = self._evaluate(closure)
        for group, p, grad in self._params_with_grad():
            lr, eps = _number(group["lr"]), _number(group["eps"])
            wd = _number(group["weight_decay"])
            beta1, beta2 = (_number(b) for b in group["betas"])
            state = self.state[p]
            if len(state) == 0:  # lazy state: made on the first step this parameter takes
                state["step"] = _step_tensor(0.0)
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = _zeros_like(p)
            theta, m, v = p.array, state["exp_avg"].array, state["exp_avg_sq"].array

            g = -grad if group["maximize"] else grad  # g = -∇f: climb instead of descend
            state["step"].array += 1  # t = t + 1, this parameter's own count
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    theta *= 1 - lr * wd  # θ = θ(1 - γλ), outside the moments (AdamW)
                else:
                    g = add(g, theta, alpha=wd)  # g = g + λθ  (L2, inside the moments)
            lerp_(m, g, 1 - beta1)  # m = m + (1 - β1)(g - m) = β1 m + (1 - β1) g
            v *= beta2  # v = β2 v ...
            addcmul_(v, g, g, value=1 - beta2)  # ... + (1 - β2) g²

            t = state["step"].item()  # a Python float: the corrections below are float64
            bias_correction1 = 1 - beta1**t  # 1 - β1^t
            bias_correction2 = 1 - beta2**t  # 1 - β2^t
            step_size = lr / bias_correction1  # γ / (1 - β1^t) carries m's correction
            bias_correction2_sqrt = bias_correction2**0.5  # √(1 - β2^t)
            if group["amsgrad"]:
                v_max = state["max_exp_avg_sq"].array
                np.maximum(v_max, v, out=v_max)  # v_max = max(v_max, v), raw, uncorrected
                v = v_max
            denom = np.sqrt(v) / bias_correction2_sqrt + eps  # √v̂ + ε = √v / √(1 - β2^t) + ε
            addcdiv_(theta, m, denom, value=-step_size)  # θ = θ - γ m̂ / (√v̂ + ε)
            p._version += 1
        return loss
