"""minitorch.amp: torch.amp's two names, autocast and GradScaler (see runtime.py).

`from torch.amp import autocast, GradScaler` is how mixed-precision scripts
start; both work here on the CPU, and autocast changes no dtype.
"""

from minitorch.runtime import GradScaler, autocast

__all__ = ["GradScaler", "autocast"]
