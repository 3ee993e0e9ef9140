"""minitorch.accelerator: torch's device-agnostic "is there a GPU?" answered with no.

`accelerator.current_accelerator()` is None and `is_available()` False, so
`device = torch.accelerator.current_accelerator() or torch.device("cpu")`
picks the CPU. Read devices.py first.
"""

from __future__ import annotations

from minitorch.devices import device

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index"]


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False) -> device | None:
    """None: there is no accelerator (whether or not `check_available` asks)."""
    return None


def device_count() -> int:
    return 0


def current_device_index() -> int:
    raise RuntimeError("Cannot access accelerator device when none is available.")
