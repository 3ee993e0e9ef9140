"""Adadelta: a step size made of two running averages, with no learning rate to tune.

Zeiler's fix of Adagrad: instead of summing every squared gradient forever it
keeps a running average v of g², and it scales the step by the running rms of
the past STEPS (u), so the update has the units of the parameter. lr only
rescales the result (1.0 by default). Read adagrad.py and rmsprop.py first;
this is RMSprop with the step's own rms in the numerator.
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
    add_,
    addcmul_,
)
from minitorch.tensor import Tensor

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (torch.optim.Adadelta), for each parameter θ:

        g = ∇f(θ), or -∇f(θ) when maximize
        g = g + λθ                         weight decay λ
        v = ρv + (1 - ρ)g²                 running mean of g², decay ρ
        Δ = √(u + ε) / √(v + ε) · g        ε inside both roots (u starts at 0: the first
                                           steps are √ε-sized)
        u = ρu + (1 - ρ)Δ²                 running mean of the steps' squares
        θ = θ - γΔ                         lr γ just rescales
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_tensor_hyper(lr, "lr")
        if not 0.0 <= _number(lr):
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
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
        return {"step": "step", "square_avg": "param", "acc_delta": "param"}

    def _check_param(self, index: int, group: dict[str, Any], p: Tensor) -> None:
        super()._check_param(index, group, p)
        _check_step_options(group, p, "params and state_steps", xla=False)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Adadelta step for every parameter that has a gradient; returns the closure's loss."""
        loss = self._evaluate(closure)
        for group, p, grad in self._params_with_grad():
            lr, rho, eps = _hyper(group["lr"]), _number(group["rho"]), _number(group["eps"])
            wd = _number(group["weight_decay"])
            state = self.state[p]
            if len(state) == 0:  # lazy state: made on the first step this parameter takes
                state["step"] = _step_tensor(0.0)
                state["square_avg"] = _zeros_like(p)
                state["acc_delta"] = _zeros_like(p)
            theta, v, u = p.array, state["square_avg"].array, state["acc_delta"].array

            state["step"].array += 1  # counted (Adadelta has no bias correction to use it)
            g = -grad if group["maximize"] else grad  # g = -∇f: climb instead of descend
            if wd != 0:
                g = add(g, theta, alpha=wd)  # g = g + λθ
            v *= rho  # v = ρv ...
            addcmul_(v, g, g, value=1 - rho)  # ... + (1 - ρ)g²
            std = np.sqrt(v + eps)  # √(v + ε)
            delta = np.sqrt(u + eps)  # √(u + ε), the rms of the past steps
            delta /= std
            delta *= g  # Δ = √(u + ε) / √(v + ε) · g, in torch's order
            u *= rho  # u = ρu ...
            addcmul_(u, delta, delta, value=1 - rho)  # ... + (1 - ρ)Δ²
            add_(theta, delta, alpha=-lr)  # θ = θ - γΔ
            p._version += 1
        return loss
