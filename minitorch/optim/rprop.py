"""Rprop: resilient backpropagation, steps that follow only the SIGN of the gradient.

Riedmiller and Braun's full-batch method: each coordinate keeps its own step
size, grown by η+ while the gradient keeps its sign and cut by η- when it
flips (we overshot a minimum); the parameter moves by that step size in the
direction of -sign(g), whatever the gradient's magnitude. lr is only the
first step size. Read sgd.py first.
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
    _full_like,
    _number,
    _step_tensor,
    _torch_sign,
    _zeros_like,
    addcmul_,
)
from minitorch.tensor import Tensor

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop (torch.optim.Rprop), for each parameter θ, coordinate by coordinate:

        g = ∇f(θ), or -∇f(θ) when maximize
        s = g · g_prev:  η = η+ if s > 0, η- if s < 0, 1 if s = 0     etas (η-, η+)
        Δ = clamp(η Δ, Δ_min, Δ_max)       step sizes, Δ starts at lr; step_sizes (min, max)
        g = 0 where η = η-                 a sign flip: no move now, and no flip test next
        θ = θ - sign(g) Δ
        g_prev = g
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_tensor_hyper(lr, "lr")
        if not 0.0 <= _number(lr):
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
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
        return {"step": "step", "prev": "param", "step_size": "param"}

    def _check_param(self, index: int, group: dict[str, Any], p: Tensor) -> None:
        super()._check_param(index, group, p)
        _check_step_options(group, p, "params and state_steps", xla=True)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Rprop step for every parameter that has a gradient; returns the closure's loss."""
        loss = self._evaluate(closure)
        for group, p, grad in self._params_with_grad():
            eta_minus, eta_plus = group["etas"]
            size_min, size_max = group["step_sizes"]
            state = self.state[p]
            if len(state) == 0:  # lazy state: made on the first step this parameter takes
                state["step"] = _step_tensor(0.0)
                state["prev"] = _zeros_like(p)
                state["step_size"] = _full_like(p, _number(group["lr"]))  # Δ starts at lr
            theta, prev, size = p.array, state["prev"].array, state["step_size"].array

            state["step"].array += 1  # counted (Rprop has no schedule to use it)
            g = -grad if group["maximize"] else grad  # g = -∇f: climb instead of descend
            eta = _torch_sign(g * prev)  # the sign of g · g_prev (0 for NaN, as torch)
            eta[eta > 0] = eta_plus  # same sign: grow
            eta[eta < 0] = eta_minus  # flipped: shrink
            eta[eta == 0] = 1  # a zero (the first step, or after a flip): keep
            size *= eta
            np.clip(size, size_min, size_max, out=size)  # Δ = clamp(ηΔ, Δ_min, Δ_max)
            g = np.array(g, copy=True)
            g[eta == eta_minus] = 0  # after a flip: stand still, and forget the sign
            addcmul_(theta, _torch_sign(g), size, value=-1)  # θ = θ - sign(g) Δ
            prev[...] = g  # g_prev = g
            p._version += 1
        return loss
