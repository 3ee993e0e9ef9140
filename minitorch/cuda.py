"""minitorch.cuda: the answers a CPU-only torch gives about CUDA.

Programs ask `torch.cuda.is_available()` to pick a device, and seed the GPU
generators "just in case"; both must work here. Anything that needs a GPU
raises torch's AssertionError ("Torch not compiled with CUDA enabled").
Read devices.py first.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "is_available", "device_count", "manual_seed", "manual_seed_all", "seed", "seed_all",
    "empty_cache", "is_initialized", "synchronize", "current_device", "get_device_name",
    "memory_allocated", "max_memory_allocated", "memory_reserved",
]

_NOT_COMPILED = "Torch not compiled with CUDA enabled"


def is_available() -> bool:
    """False: minitorch runs on the CPU only."""
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """A no-op without CUDA, as in torch (the seed is checked like torch.manual_seed's)."""
    int(seed)


def manual_seed_all(seed: int) -> None:
    int(seed)


def seed() -> None:
    return None


def seed_all() -> None:
    return None


def empty_cache() -> None:
    return None


def memory_allocated(device: Any = None) -> int:
    return 0


def max_memory_allocated(device: Any = None) -> int:
    return 0


def memory_reserved(device: Any = None) -> int:
    return 0


def synchronize(device: Any = None) -> None:
    raise AssertionError(_NOT_COMPILED)


def current_device() -> int:
    raise AssertionError(_NOT_COMPILED)


def get_device_name(device: Any = None) -> str:
    raise AssertionError(_NOT_COMPILED)
