"""minitorch.backends.cudnn: flags a program may set; without cuDNN they change nothing.

The values are those of a CPU-only torch, so code that reads them back sees
what it would see there.
"""

__all__ = ["is_available", "version", "enabled", "benchmark", "deterministic", "allow_tf32"]

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    return False


def version() -> None:
    return None
