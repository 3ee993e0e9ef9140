"""ASGD: averaged stochastic gradient descent (Polyak-Ruppert averaging).

Plain SGD with a decaying step size η_t, plus a running average `ax` of the
iterates that starts after t0 steps: the average of a noisy SGD trajectory
converges faster than its last point. The optimizer only keeps the average;
the parameters themselves follow SGD (copy `ax` into them to use it). η and
the averaging weight μ are 0-d tensors of the default scalar dtype (float32
even for float64 parameters, as torch keeps them). Read sgd.py first.
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
    _scalar_dtype,
    _step_tensor,
    _zeros_like,
    add,
    add_,
    addcmul_,
)
from minitorch.tensor import Tensor

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """ASGD (torch.optim.ASGD), for each parameter θ at its own step t = 1, 2, ...:

        g = ∇f(θ), or -∇f(θ) when maximize
        g = g + λθ                         weight decay λ
        θ = θ(1 - λ_d η) - η g             decay term lambd λ_d, step size η (η_1 = γ)
        ax = θ                 (μ = 1)     the running average of the iterates ...
        ax = ax + μ(θ - ax)    (μ < 1)     ... with weight μ
        η = γ / (1 + λ_d γ t)^α            the next step size, power alpha α
        μ = 1 / max(1, t - t0)             averaging starts after t0 steps
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_tensor_hyper(lr, "lr")
        if not 0.0 <= _number(lr):
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
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
            for p in group["params"]:  # saved eta and mu may be plain numbers
                p_state = self.state.get(p)
                for key in ("eta", "mu"):
                    if p_state and not isinstance(p_state.get(key), Tensor):
                        p_state[key] = _step_tensor(float(p_state[key]))

    def _state_spec(self, group: dict[str, Any]) -> dict[str, str]:
        return {"step": "step", "eta": "step", "mu": "step", "ax": "param"}

    def _check_param(self, index: int, group: dict[str, Any], p: Tensor) -> None:
        super()._check_param(index, group, p)
        _check_step_options(
            group, p, "params, mus, etas, and state_steps", xla=not group.get("foreach")
        )

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One ASGD step for every parameter that has a gradient; returns the closure's loss."""
        loss = self._evaluate(closure)
        for group, p, grad in self._params_with_grad():
            lr, wd = _hyper(group["lr"]), _number(group["weight_decay"])
            lambd, alpha, t0 = (_number(group[k]) for k in ("lambd", "alpha", "t0"))
            state = self.state[p]
            if len(state) == 0:  # lazy state: made on the first step this parameter takes
                state["step"] = _step_tensor(0.0)
                state["eta"] = _step_tensor(_number(group["lr"]))  # η_1 = γ, rounded to its dtype
                state["mu"] = _step_tensor(1.0)
                state["ax"] = _zeros_like(p)
            theta, ax = p.array, state["ax"].array
            eta, mu = state["eta"].array, state["mu"].array
            dt = theta.dtype.type

            g = -grad if group["maximize"] else grad  # g = -∇f: climb instead of descend
            state["step"].array += 1  # t = t + 1, this parameter's own count
            if wd != 0:
                g = add(g, theta, alpha=wd)  # g = g + λθ
            if group["foreach"]:
                self._foreach_update(theta, g, ax, eta, mu, lr, lambd, alpha, t0, state["step"])
                p._version += 1
                continue
            eta_value = eta.item()  # η as a Python float (float32-rounded, as torch reads it)
            theta *= dt(1 - lambd * eta_value)  # θ = θ(1 - λ_d η) ...
            add_(theta, g, alpha=-eta_value)  # ... - η g
            if mu.item() != 1:
                diff = np.asarray(theta - ax)
                diff = (diff * _as_operand(mu, diff)).astype(diff.dtype)  # μ(θ - ax), a mul_
                ax += diff  # ax = ax + μ(θ - ax)
            else:
                ax[...] = theta  # μ = 1: the average is the last iterate

            t = state["step"].item()
            eta[...] = _as_tensor(lr / ((1 + lambd * lr * t) ** alpha))  # η = γ/(1 + λ_d γ t)^α
            mu[...] = _as_tensor(1 / max(1, t - t0))  # μ = 1 / max(1, t - t0)
            p._version += 1
        return loss

    @staticmethod
    def _foreach_update(theta: np.ndarray, g: np.ndarray, ax: np.ndarray, eta: np.ndarray,
                        mu: np.ndarray, lr: Any, lambd: float, alpha: float, t0: float,
                        step: Tensor) -> None:
        """torch's foreach=True arithmetic, which differs in the last bits: the decay is folded
        into the gradient (θ = θ - η(g + λ_d θ)), the average always takes the mu-weighted
        step, and the new η is computed from the 0-d step tensor, in its dtype."""
        g = add(g, theta, alpha=lambd)  # g + λ_d θ
        addcmul_(theta, g, _as_operand(eta, theta), value=-1)  # θ = θ - (g + λ_d θ) η
        diff = np.asarray(theta - ax)
        addcmul_(ax, diff, _as_operand(mu, diff), value=1)  # ax = ax + (θ - ax) μ
        t = step.array[()]  # a NumPy scalar: `c * t` stays in the step's dtype, as torch's 0-d
        eta[...] = _as_tensor(_divide(lr, (1 + lambd * lr * t) ** alpha))
        mu[...] = _as_tensor(1 / max(1, step.item() - t0))


def _as_tensor(x: Any) -> Any:
    """torch.as_tensor(x) as a value: a Python float becomes the default dtype (float32 unless
    set to float64), a tensor (here a NumPy scalar) keeps its own dtype."""
    return x if isinstance(x, np.generic) else _scalar_dtype().type(x)
