"""Adagrad: each coordinate's step shrinks with the sum of all its squared gradients so far.

Coordinates that have seen large gradients slow down for good, rarely-updated
ones keep a large step: good for sparse features, too aggressive for long
runs (which is what RMSprop and Adam fix by forgetting). Unlike the others,
Adagrad makes its state at construction, for every parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from minitorch.autograd.grad_mode import no_grad
from minitorch.optim.optimizer import (
    Optimizer,
    _check_tensor_hyper,
    _full_like,
    _number,
    _step_tensor,
    add,
    addcdiv_,
    addcmul_,
)
from minitorch.tensor import Tensor

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (torch.optim.Adagrad), for each parameter θ at its step t = 1, 2, ...:

        g = ∇f(θ), or -∇f(θ) when maximize
        g = g + λθ                       weight decay λ
        γ_t = γ / (1 + (t - 1) η)        lr decay η
        s = s + g²                       s starts at initial_accumulator_value
        θ = θ - γ_t g / (√s + ε)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        _check_tensor_hyper(lr, "lr")
        if not 0.0 <= _number(lr):
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "maximize": maximize,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:  # eager state, as torch makes it
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p: Tensor) -> None:
        state = self.state[p]
        state["step"] = _step_tensor(0.0)
        # torch reads the accumulator's start from `defaults`, not from the group
        state["sum"] = _full_like(p, self.defaults["initial_accumulator_value"])

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)

    def _state_spec(self, group: dict[str, Any]) -> dict[str, str]:
        return {"step": "step", "sum": "param"}

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Adagrad step for every parameter that has a gradient; returns the closure's loss."""
        loss = self._evaluate(closure)
        for group, p, grad in self._params_with_grad():
            lr, lr_decay = _number(group["lr"]), _number(group["lr_decay"])
            wd, eps = _number(group["weight_decay"]), _number(group["eps"])
            state = self.state[p]
            if len(state) == 0:  # a parameter from add_param_group: state on its first step
                self._init_state(p)
            theta, s = p.array, state["sum"].array

            state["step"].array += 1  # t = t + 1
            t = state["step"].item()
            g = -grad if group["maximize"] else grad  # g = -∇f: climb instead of descend
            if wd != 0:
                g = add(g, theta, alpha=wd)  # g = g + λθ
            clr = lr / (1 + (t - 1) * lr_decay)  # γ_t = γ / (1 + (t - 1)η), a Python float
            addcmul_(s, g, g, value=1)  # s = s + g²
            std = np.sqrt(s) + eps  # √s + ε
            addcdiv_(theta, g, std, value=-clr)  # θ = θ - γ_t g / (√s + ε)
            p._version += 1
        return loss
