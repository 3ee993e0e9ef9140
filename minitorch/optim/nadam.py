"""NAdam: Adam with Nesterov momentum, the first moment taken one step ahead.

Dozat's variant: the update mixes the current gradient and the momentum as
Nesterov's method does, with a momentum coefficient μ_t that warms up over
the first few hundred steps (momentum_decay ψ). The product of all μ's so far
is kept in the state as `mu_product`, a 0-d tensor of the default scalar
dtype (float32 even for float64 parameters, as torch keeps it; load_state_dict
casts it to the parameter's dtype, as torch does). Read adam.py first.
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
    _divide,
    _hyper,
    _number,
    _step_tensor,
    _zeros_like,
    add,
    addcdiv_,
    addcmul_,
    lerp_,
)
from minitorch.tensor import Tensor

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam (torch.optim.NAdam), for each parameter θ at its own step t = 1, 2, ...:

        g = ∇f(θ), or -∇f(θ) when maximize
        g = g + λθ                         weight decay λ (L2)
          or θ = θ(1 - γλ)                 decoupled_weight_decay=True (NAdamW)
        μ_t = β1 (1 - ½ · 0.96^(t ψ))      momentum warming up, momentum_decay ψ
        Π_t = Π_{t-1} μ_t                  mu_product, Π_0 = 1
        m = β1 m + (1 - β1) g
        v = β2 v + (1 - β2) g²
        d = √(v / (1 - β2^t)) + ε
        θ = θ - γ (1 - μ_t)/(1 - Π_t) · g / d - γ μ_{t+1}/(1 - Π_t μ_{t+1}) · m / d
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            for p in group["params"]:  # a saved mu_product may be a plain number
                p_state = self.state.get(p)
                if p_state and not isinstance(p_state.get("mu_product"), Tensor):
                    p_state["mu_product"] = _step_tensor(float(p_state["mu_product"]))

    def _state_spec(self, group: dict[str, Any]) -> dict[str, str]:
        return {"step": "step", "mu_product": "step", "exp_avg": "param", "exp_avg_sq": "param"}

    def _check_param(self, index: int, group: dict[str, Any], p: Tensor) -> None:
        super()._check_param(index, group, p)
        if group.get("foreach"):
            _check_step_options(group, p, "params, mu_products, and state_steps", xla=False)
        else:
            _check_step_options(group, p, "params, mu_products and state_steps", xla=True)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One NAdam step for every parameter that has a gradient; returns the closure's loss."""
        loss = self._evaluate(closure)
        for group, p, grad in self._params_with_grad():
            lr, eps = _hyper(group["lr"]), _number(group["eps"])
            wd, psi = _number(group["weight_decay"]), _number(group["momentum_decay"])
            beta1, beta2 = (_hyper(b) for b in group["betas"])
            state = self.state[p]
            if len(state) == 0:  # lazy state: made on the first step this parameter takes
                state["step"] = _step_tensor(0.0)
                state["mu_product"] = _step_tensor(1.0)  # Π_0 = 1, a 0-d scalar like step
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
            theta, m, v = p.array, state["exp_avg"].array, state["exp_avg_sq"].array
            mu_product = state["mu_product"].array

            g = -grad if group["maximize"] else grad  # g = -∇f: climb instead of descend
            state["step"].array += 1  # t = t + 1, this parameter's own count
            t = state["step"].item()  # a Python float: the scalars below are float64
            bias_correction2 = 1 - beta2**t  # 1 - β2^t
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    theta *= _as_operand(1 - lr * wd, theta)  # θ = θ(1 - γλ)
                else:
                    g = add(g, theta, alpha=wd)  # g = g + λθ
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * psi)))  # μ_t
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))  # μ_{t+1}
            mu_product *= mu_product.dtype.type(mu)  # Π_t = Π_{t-1} μ_t, in Π's own dtype

            lerp_(m, g, 1 - beta1)  # m = β1 m + (1 - β1) g
            v *= v.dtype.type(beta2)  # v = β2 v ...
            addcmul_(v, g, g, value=1 - beta2)  # ... + (1 - β2) g²
            denom = np.sqrt(v / v.dtype.type(bias_correction2))  # √(v / (1 - β2^t))
            if group["differentiable"]:
                self._differentiable_update(theta, g, m, denom + eps, lr, mu, mu_next, mu_product)
            else:
                denom += eps  # d = ... + ε
                pi = mu_product.item()  # Π_t as a Python float
                pi_next = pi * mu_next  # Π_t μ_{t+1}
                addcdiv_(theta, g, denom, value=(-lr * (1.0 - mu) / (1.0 - pi)))
                addcdiv_(theta, m, denom, value=(-lr * mu_next) / (1.0 - pi_next))
            p._version += 1
        return loss

    @staticmethod
    def _differentiable_update(
        theta: np.ndarray, g: np.ndarray, m: np.ndarray, denom: np.ndarray, lr: Any,
        mu: float, mu_next: float, mu_product: np.ndarray,
    ) -> None:
        """torch's differentiable=True arithmetic: the coefficients are 0-d tensors in Π's dtype
        (`c / t` is torch's `t.reciprocal() * c`), multiplied into g and m, then divided by d."""
        pi = mu_product[()]  # a NumPy scalar of Π's dtype: the arithmetic stays in it
        pi_next = pi * mu_next
        c_grad = _divide(-lr * (1.0 - mu), 1.0 - pi)  # -γ(1 - μ_t) / (1 - Π_t)
        c_avg = _divide(-lr * mu_next, 1.0 - pi_next)  # -γ μ_{t+1} / (1 - Π_t μ_{t+1})
        addcdiv_(theta, g * _as_operand(c_grad, g), denom, value=1)
        addcdiv_(theta, m * _as_operand(c_avg, m), denom, value=1)

