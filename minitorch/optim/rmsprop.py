"""RMSprop: divide the gradient by a running root-mean-square of its recent values.

Hinton's lecture-notes optimizer: coordinates with large, noisy gradients take
small steps. `centered` subtracts the running mean's square, dividing by an
estimate of the gradient's variance instead; `momentum` accumulates the
normalized steps. Read adam.py first: Adam is RMSprop plus momentum on g plus
bias correction.
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
    add_,
    addcdiv_,
    addcmul_,
    fma,
    lerp_,
)
from minitorch.tensor import Tensor

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (torch.optim.RMSprop), for each parameter θ:

        g = ∇f(θ), or -∇f(θ) when maximize
        g = g + λθ                      weight decay λ
        v = αv + (1 - α)g²              running mean of g², smoothing α
        ḡ = αḡ + (1 - α)g               centered: running mean of g ...
        d = √(v - ḡ²) + ε               ... and divide by the std instead of the rms
        d = √v + ε                      not centered
        b = μb + g / d;  θ = θ - γb     momentum μ > 0
        θ = θ - γ g / d                 μ = 0
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        _check_tensor_hyper(lr, "lr")
        if not 0.0 <= _number(lr):
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
            group.setdefault("maximize", False)

    def _state_spec(self, group: dict[str, Any]) -> dict[str, str]:
        spec = {"step": "step", "square_avg": "param"}
        if group["momentum"] > 0:
            spec["momentum_buffer"] = "param"
        if group["centered"]:
            spec["grad_avg"] = "param"
        return spec

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One RMSprop step for every parameter that has a gradient; returns the closure's loss."""
        loss = self._evaluate(closure)
        for group, p, grad in self._params_with_grad():
            lr, alpha, eps = _number(group["lr"]), _number(group["alpha"]), _number(group["eps"])
            wd, mu = _number(group["weight_decay"]), _number(group["momentum"])
            state = self.state[p]
            if len(state) == 0:  # lazy state: made on the first step this parameter takes
                state["step"] = _step_tensor(0.0)
                state["square_avg"] = _zeros_like(p)
                if mu > 0:
                    state["momentum_buffer"] = _zeros_like(p)
                if group["centered"]:
                    state["grad_avg"] = _zeros_like(p)
            theta, v = p.array, state["square_avg"].array

            g = -grad if group["maximize"] else grad  # g = -∇f: climb instead of descend
            state["step"].array += 1  # counted (RMSprop has no bias correction to use it)
            if wd != 0:
                g = add(g, theta, alpha=wd)  # g = g + λθ
            v *= alpha  # v = αv ...
            addcmul_(v, g, g, value=1 - alpha)  # ... + (1 - α)g²
            if group["centered"]:
                g_avg = state["grad_avg"].array
                lerp_(g_avg, g, 1 - alpha)  # ḡ = αḡ + (1 - α)g
                avg = np.sqrt(fma(-g_avg, g_avg, v))  # √(v - ḡ²), torch's v.addcmul(ḡ, ḡ, value=-1)
            else:
                avg = np.sqrt(v)  # √v
            avg = avg + eps  # d = ... + ε, after the square root
            if mu > 0:
                b = state["momentum_buffer"].array
                b *= mu  # b = μb ...
                addcdiv_(b, g, avg, value=1)  # ... + g / d
                add_(theta, b, alpha=-lr)  # θ = θ - γb
            else:
                addcdiv_(theta, g, avg, value=-lr)  # θ = θ - γ g / d
            p._version += 1
        return loss
