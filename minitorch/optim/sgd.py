"""SGD: stochastic gradient descent, with momentum, dampening, Nesterov and weight decay.

The simplest optimizer and the one to read first: everything else in optim/
adds running averages to this loop. Read optimizer.py for the base class and
the fused kernels (`add`, `add_`) used here, then adam.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from minitorch.autograd.grad_mode import no_grad
from minitorch.optim.optimizer import Optimizer, _check_tensor_hyper, _number, add, add_
from minitorch.tensor import Tensor

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (torch.optim.SGD), for each parameter θ at step t:

        g = ∇f(θ), or -∇f(θ) when maximize
        g = g + λθ                        weight decay λ, added before momentum
        b = g                   (t = 1)   momentum μ != 0: the buffer starts at g, undamped
        b = μb + (1 - τ)g       (t > 1)   dampening τ
        g = g + μb if nesterov else b     Nesterov looks ahead with the updated buffer
        θ = θ - γg                        learning rate γ

    Nesterov needs μ > 0 and τ = 0. Note torch's momentum differs from
    Sutskever et al.: lr multiplies the buffer, not the gradient inside it.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float | Tensor = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        _check_tensor_hyper(lr, "lr")
        if _number(lr) < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if _number(weight_decay) < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)

    def _state_spec(self, group: dict[str, Any]) -> dict[str, str]:
        return {"momentum_buffer": "param"} if group["momentum"] != 0 else {}

    _optional_state = ("momentum_buffer",)  # torch starts a missing buffer from the gradient

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One SGD step for every parameter that has a gradient; returns the closure's loss."""
        loss = self._evaluate(closure)
        for group, p, grad in self._params_with_grad():
            lr, wd = _number(group["lr"]), _number(group["weight_decay"])
            mu, tau = _number(group["momentum"]), _number(group["dampening"])
            theta = p.array

            g = -grad if group["maximize"] else grad  # g = -∇f: climb instead of descend
            if wd != 0:
                g = add(g, theta, alpha=wd)  # g = g + λθ  (the L2 penalty's gradient)
            if mu != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:  # b_1 = g: the first buffer is the gradient itself
                    buf = Tensor._make(np.array(g, dtype=theta.dtype), False, None)
                    state["momentum_buffer"] = buf
                else:
                    b = buf.array
                    b *= mu  # b = μb ...
                    add_(b, g, alpha=1 - tau)  # ... + (1 - τ)g
                g = add(g, buf.array, alpha=mu) if group["nesterov"] else buf.array  # g + μb, or b
            add_(theta, g, alpha=-lr)  # θ = θ - γg
            p._version += 1
        return loss
