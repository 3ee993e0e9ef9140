"""minitorch's own random numbers: one global NumPy generator, seeded by manual_seed.

Bit-equality with torch's RNG is not a goal: parity copies inputs and
weights from torch instead. What we do match is the *distribution*
(`rand` is U[0, 1), `randn` is N(0, 1), `nn.init` follows torch's formulas).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.devices import CPU, check_device
from minitorch.devices import device as Device


class Generator:
    """A seedable source of random numbers (wraps np.random.Generator)."""

    def __init__(self, seed: Any = 0, device: Any = None) -> None:
        # torch.Generator(device='cpu') or Generator('cpu'); a bare int seeds it (our extension).
        if isinstance(seed, (str, Device)):
            seed, device = 0, seed
        try:
            self.device = check_device(device, "Generator") or CPU
        except AssertionError as e:  # torch: no CUDA generator without the CUDA library
            raise RuntimeError(f"Generator: Cannot get CUDA generator ({e})") from None
        self.manual_seed(seed)

    def manual_seed(self, seed: int) -> Generator:
        """Reseed; like torch, any int in [-2**63, 2**64) is a seed, negatives taken mod 2**64."""
        self._seed = _seed_value(seed)
        self.np = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed


def _seed_value(seed: int) -> int:
    """torch's seed rule: int(seed) must fit a signed or unsigned 64-bit integer; it is
    stored unsigned, so -1 is 2**64 - 1 (and initial_seed() says so)."""
    value = int(seed)
    if not -(2**63) <= value < 2**64:
        raise ValueError(f"manual_seed: Overflow when unpacking long long (seed {value})")
    return value % 2**64


default_generator = Generator(0)


def manual_seed(s: int) -> Generator:
    """Seed the global generator; the same seed gives the same numbers."""
    return default_generator.manual_seed(s)


def seed() -> int:
    """Seed the global generator from the OS and return the seed used."""
    s = int(np.random.SeedSequence().entropy % (2**63))
    default_generator.manual_seed(s)
    return s


def initial_seed() -> int:
    return default_generator.initial_seed()


def numpy_generator(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator behind `generator`, or behind the global one."""
    return (generator or default_generator).np
