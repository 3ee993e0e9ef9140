"""RAdam: Adam whose adaptive step is switched on only once its variance estimate is sound.

Liu et al.: in the first steps v̂ rests on a handful of squared gradients and
the adaptive step 1/√v̂ has a huge variance. RAdam tracks the length ρ_t of
the simple moving average that v approximates; while ρ_t <= 5 it takes plain
momentum steps, afterwards Adam steps scaled by a rectification factor r_t
that grows to 1. Read adam.py first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from minitorch.autograd.grad_mode import no_grad
from minitorch.optim.optimizer import (
    Optimizer,
    _as_operand,
    _check_step_options,
    _check_tensor_hyper,
    _hyper,
    _number,
    _step_tensor,
    _zeros_like,
    add,
    add_,
    addcmul_,
    lerp_,
)
from minitorch.tensor import Tensor

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam (torch.optim.RAdam), for each parameter θ at its own step t = 1, 2, ...:

        g = ∇f(θ), or -∇f(θ) when maximize
        g = g + λθ                         weight decay λ (L2)
          or θ = θ(1 - γλ)                 decoupled_weight_decay=True
        m = β1 m + (1 - β1) g;  v = β2 v + (1 - β2) g²
        m̂ = m / (1 - β1^t)
        ρ_∞ = 2/(1 - β2) - 1;  ρ_t = ρ_∞ - 2t β2^t / (1 - β2^t)
        r_t = √((ρ_t - 4)(ρ_t - 2)ρ_∞ / ((ρ_∞ - 4)(ρ_∞ - 2)ρ_t))
        θ = θ - γ m̂ · √(1 - β2^t)/(√v + ε) · r_t     when ρ_t > 5
        θ = θ - γ m̂                                  otherwise (the first steps)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
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
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("capturable", False)

    def _state_spec(self, group: dict[str, Any]) -> dict[str, str]:
        return {"step": "step", "exp_avg": "param", "exp_avg_sq": "param"}

    def _check_param(self, index: int, group: dict[str, Any], p: Tensor) -> None:
        super()._check_param(index, group, p)
        _check_step_options(group, p, "params and state_steps", xla=not group.get("foreach"))

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One RAdam step for every parameter that has a gradient; returns the closure's loss."""
        loss = self._evaluate(closure)
        for group, p, grad in self._params_with_grad():
            lr, eps = _hyper(group["lr"]), _number(group["eps"])
            wd = _number(group["weight_decay"])
            beta1, beta2 = (_hyper(b) for b in group["betas"])
            state = self.state[p]
            if len(state) == 0:  # lazy state: made on the first step this parameter takes
                state["step"] = _step_tensor(0.0)
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
            theta, m, v = p.array, state["exp_avg"].array, state["exp_avg_sq"].array
            dt = theta.dtype.type  # torch casts every scalar to the tensor's dtype first

            g = -grad if group["maximize"] else grad  # g = -∇f: climb instead of descend
            state["step"].array += 1  # t = t + 1, this parameter's own count
            t = state["step"].item()  # a Python float: the scalars below are float64
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    theta *= _as_operand(1 - lr * wd, theta)  # θ = θ(1 - γλ)
                else:
                    g = add(g, theta, alpha=wd)  # g = g + λθ
            lerp_(m, g, 1 - beta1)  # m = β1 m + (1 - β1) g
            v *= dt(beta2)  # v = β2 v ...
            addcmul_(v, g, g, value=1 - beta2)  # ... + (1 - β2) g²

            bias_correction1 = 1 - beta1**t
            bias_correction2 = 1 - beta2**t
            m_hat = m / dt(bias_correction1)  # m̂ = m / (1 - β1^t)
            rho_inf = 2 / (1 - beta2) - 1  # ρ_∞, the longest SMA v can stand for
            rho_t = rho_inf - 2 * t * (beta2**t) / bias_correction2  # ρ_t, its length now
            if rho_t > 5.0:  # the variance of the adaptive step is finite: rectify and use it
                rect = (
                    (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                ) ** 0.5  # r_t
                # √(1 - β2^t) / (√v + ε): torch's `float / tensor` is tensor.reciprocal() * float
                adaptive = np.reciprocal(np.sqrt(v) + eps) * dt(bias_correction2**0.5)
                update = m_hat * _as_operand(lr, m_hat) * adaptive * rect  # in torch's order
            else:
                update = m_hat * _as_operand(lr, m_hat)  # the first steps: SGD on m̂
            add_(theta, update, alpha=-1.0)  # θ = θ - update
            p._version += 1
        return loss
