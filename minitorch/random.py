"""minitorch's own random numbers: one global NumPy generator, seeded by manual_seed.

Bit-equality with torch's RNG is not a goal: parity copies inputs and
weights from torch instead. What we do match is the *distribution*
(`rand` is U[0, 1), `randn` is N(0, 1), `nn.init` follows torch's formulas).
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

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

    def get_state(self) -> Any:
        """The generator's whole state as a uint8 tensor (see get_rng_state)."""
        from minitorch.tensor import Tensor  # the core imports random.py; not the other way

        return Tensor._make(_pack_state(self), False, None)

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state from get_state(): the same numbers follow, and the same seed."""
        _unpack_state(self, new_state)
        return self


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


# -- the state as bytes ---------------------------------------------------------------------------
# torch hands its state out as a uint8 tensor (5056 bytes of Mersenne Twister); ours is
# NumPy's PCG64: the 128-bit state and increment, the buffered half-draw, and the seed.
_STATE_LAYOUT = (("state", 16), ("inc", 16), ("has_uint32", 4), ("uinteger", 4), ("seed", 8))
STATE_SIZE = sum(n for _, n in _STATE_LAYOUT)


def _pack_state(g: Generator) -> np.ndarray:
    st = g.np.bit_generator.state
    values = {**st["state"], "has_uint32": st["has_uint32"], "uinteger": st["uinteger"],
              "seed": g._seed}
    raw = b"".join(int(values[k]).to_bytes(n, "little") for k, n in _STATE_LAYOUT)
    return np.frombuffer(raw, dtype=np.uint8).copy()


def _unpack_state(g: Generator, new_state: Any) -> None:
    from minitorch.tensor import Tensor

    if not isinstance(new_state, Tensor):
        raise TypeError(f"expected a minitorch.ByteTensor, but got {type(new_state).__name__}")
    if new_state.array.dtype != np.uint8:
        raise TypeError("RNG state must be a minitorch.ByteTensor")
    raw = new_state.array.tobytes()
    if len(raw) != STATE_SIZE:
        raise RuntimeError(f"Expected an RNG state of size {STATE_SIZE} but found the input RNG "
                           f"state size to be {len(raw)}")
    values, at = {}, 0
    for k, n in _STATE_LAYOUT:
        values[k], at = int.from_bytes(raw[at:at + n], "little"), at + n
    g._seed = values["seed"]
    g.np = np.random.Generator(np.random.PCG64())
    g.np.bit_generator.state = {
        "bit_generator": "PCG64", "state": {"state": values["state"], "inc": values["inc"]},
        "has_uint32": values["has_uint32"], "uinteger": values["uinteger"]}


def get_rng_state() -> Any:
    """The global generator's state as a uint8 tensor, for set_rng_state to restore.

    Its bytes are NumPy's PCG64 state, not torch's Mersenne Twister: a state saved by torch
    cannot be loaded here (nor ours in torch); a state saved here round-trips exactly.
    """
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the global generator from get_rng_state()'s tensor."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str | None = None) -> Iterator[None]:
    """Run a block and put the global generator back as it was: random numbers drawn inside
    do not change those drawn after. minitorch has no device generators, so `devices` and
    `device_type` are accepted and ignored."""
    if not enabled:
        yield
        return
    saved = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(saved)


def numpy_generator(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator behind `generator`, or behind the global one."""
    return (generator or default_generator).np
