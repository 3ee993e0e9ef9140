"""AdamW: Adam whose weight decay shrinks the parameter instead of entering the moments.

With L2 in Adam (adam.py, weight_decay) the penalty's gradient λθ gets divided
by √v̂ like any gradient, so heavily-updated weights are barely decayed.
AdamW (Loshchilov & Hutter) decays them directly: θ = θ(1 - γλ) before the
Adam update. It is Adam(decoupled_weight_decay=True), with weight_decay
defaulting to 1e-2 instead of 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from minitorch.optim.adam import Adam
from minitorch.tensor import Tensor

__all__ = ["AdamW"]


class AdamW(Adam):
    """AdamW (torch.optim.AdamW): Adam's update after θ = θ(1 - γλ); see Adam for the rest."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-3,
        betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad,
            maximize=maximize, decoupled_weight_decay=True,
        )

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:  # whatever was saved, AdamW decays decoupled
            group["decoupled_weight_decay"] = True
