"""Adamax: Adam with the infinity norm in place of the root-mean-square.

Kingma and Ba's variant from the Adam paper: instead of a running average of
g², keep a decaying maximum of |g|. The maximum needs no bias correction (it
is not dragged towards its zero start), so only the first moment is
corrected. Read adam.py first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from minitorch.autograd.grad_mode import no_grad
from minitorch.optim.optimizer import (
    Optimizer,
    _check_step_options,
    _check_tensor_hyper,
    _hyper,
    _number,
    _step_tensor,
    _zeros_like,
    add,
    addcdiv_,
    lerp_,
)
from minitorch.tensor import Tensor

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (torch.optim.Adamax), for each parameter θ at its own step t = 1, 2, ...:

        g = ∇f(θ), or -∇f(θ) when maximize
        g = g + λθ                         weight decay λ
        m = β1 m + (1 - β1) g              first moment (a lerp, as in Adam)
        u = max(β2 u, |g| + ε)             decaying infinity norm, ε inside the max
        θ = θ - γ/(1 - β1^t) · m / u       only m is bias-corrected
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
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
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)

    def _state_spec(self, group: dict[str, Any]) -> dict[str, str]:
        return {"step": "step", "exp_avg": "param", "exp_inf": "param"}

    def _check_param(self, index: int, group: dict[str, Any], p: Tensor) -> None:
        super()._check_param(index, group, p)
        _check_step_options(group, p, "params and state_steps", xla=not group.get("foreach"))

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Adamax step for every parameter that has a gradient; returns the closure's loss."""
        loss = self._evaluate(closure)
        for group, p, grad in self._params_with_grad():
            lr, eps = _hyper(group["lr"]), _number(group["eps"])
            wd = _number(group["weight_decay"])
            beta1, beta2 = (_hyper(b) for b in group["betas"])
            state = self.state[p]
            if len(state) == 0:  # lazy state: made on the first step this parameter takes
                state["step"] = _step_tensor(0.0)
                state["exp_avg"] = _zeros_like(p)
                state["exp_inf"] = _zeros_like(p)
            theta, m, u = p.array, state["exp_avg"].array, state["exp_inf"].array

            g = -grad if group["maximize"] else grad  # g = -∇f: climb instead of descend
            state["step"].array += 1  # t = t + 1, this parameter's own count
            if wd != 0:
                g = add(g, theta, alpha=wd)  # g = g + λθ
            lerp_(m, g, 1 - beta1)  # m = β1 m + (1 - β1) g
            u *= u.dtype.type(beta2)  # u = β2 u ...
            np.maximum(u, np.abs(g) + eps, out=u)  # ... max'ed with |g| + ε (NaN wins, as torch)

            t = state["step"].item()  # a Python float: the correction below is float64
            bias_correction = 1 - beta1**t  # 1 - β1^t
            clr = lr / bias_correction  # γ / (1 - β1^t)
            addcdiv_(theta, m, u, value=-clr)  # θ = θ - γ/(1 - β1^t) · m / u
            p._version += 1
        return loss
