"""Devices: where a tensor lives. For minitorch that is always the CPU.

`device('cpu')`, `device('cpu:0')`, `device('cuda', 1)` parse and print as
torch's do, so programs that carry a `device` around run unchanged. Asking
for any other device raises what a CPU-only build of torch raises: CUDA and
XPU fail an assertion ("Torch not compiled with CUDA enabled"), other
backends are not linked in. `check_device` is the one place every creation
function, `.to()` and `.cuda()` ask. Read cuda.py and accelerator.py next:
they answer "is there a GPU?" with no.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "device", "check_device", "CPU", "get_default_device", "set_default_device",
    "memory_format", "contiguous_format", "preserve_format", "channels_last", "channels_last_3d",
]

# The device types torch knows, in the order its error message lists them.
_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
    "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)
_DEVICE_STRING = re.compile(r"^([a-zA-Z_]+)(?::(0|[1-9][0-9]*))?$")
_NO_ACCELERATOR = "Cannot access accelerator device when none is available."


class device:
    """A device type and an optional index: device('cpu'), device('cuda:1'), device('cpu', 0)."""

    __slots__ = ("_type", "_index")

    def __init__(self, type: Any = None, index: int | None = None) -> None:
        kind, idx = _parse(type, index)
        object.__setattr__(self, "_type", kind)
        object.__setattr__(self, "_index", idx)

    @property
    def type(self) -> str:
        return self._type

    @property
    def index(self) -> int | None:
        return self._index

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"attribute '{name}' of 'minitorch.device' objects is not writable")

    def __repr__(self) -> str:
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self) -> str:
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __eq__(self, other: object) -> bool:
        # Like torch, a device never equals a string: device('cpu') == 'cpu' is False.
        if not isinstance(other, device):
            return False
        return (self._type, self._index) == (other._type, other._index)

    def __hash__(self) -> int:
        return hash((self._type, self._index))

    def __reduce__(self) -> Any:
        return (device, (self._type, self._index))

    # `with device('cpu'):` is torch's way to pick the default device; ours is always the CPU.
    def __enter__(self) -> device:
        check_device(self, "device")
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


def _parse(kind: Any, index: Any) -> tuple[str, int | None]:
    """(type, index) from device's arguments, with torch's errors for bad ones."""
    if isinstance(kind, device) and index is None:
        return kind.type, kind.index
    if isinstance(kind, int) and not isinstance(kind, bool) and index is None:
        # A bare ordinal means "the accelerator with this index", and there is none.
        raise RuntimeError("Device index must not be negative" if kind < 0 else _NO_ACCELERATOR)
    if not isinstance(kind, str) or (index is not None and not isinstance(index, int)):
        got = ", ".join(type(a).__name__ for a in (kind, index) if a is not None) or ""
        raise TypeError(
            f"device() received an invalid combination of arguments - got ({got}), but expected "
            "one of: (torch.device device), (str type, int index = -1)"
        )
    match = _DEVICE_STRING.match(kind)
    if match is None:
        raise RuntimeError(f"Invalid device string: '{kind}'")
    name, number = match.group(1), match.group(2)
    if name not in _TYPES:
        raise RuntimeError(
            f"Expected one of {', '.join(_TYPES)} device type at start of device string: {kind}"
        )
    if index is not None:
        if number is not None:
            raise RuntimeError(
                "type (string) must not include an index because index was passed explicitly: "
                f"{kind}"
            )
        if index < 0:
            raise RuntimeError("Device index must not be negative")
        return name, index
    return name, None if number is None else int(number)


CPU = device("cpu")  # what every tensor's .device returns
_default_device = [CPU]


def get_default_device() -> device:
    """The device factories use when given none: the CPU (in the spelling last set)."""
    return _default_device[0]


def set_default_device(where: Any) -> None:
    """Accept the CPU in any spelling (None resets). torch accepts 'cuda' here and fails at
    the first factory; we refuse at once, with the same error."""
    if where is None:
        _default_device[0] = CPU
        return
    where = where if isinstance(where, device) else device(where)
    check_device(where, "set_default_device")
    _default_device[0] = where


def check_device(where: Any, op: str, *, copy: bool = False) -> device | None:
    """`where` as a device if it names the CPU (None stays None); else torch's CPU-build error.

    `copy` says the caller moves existing data (tensor(), .to()): torch then
    reports a missing backend as not linked, where a factory reports a missing kernel.
    """
    if where is None:
        return None
    if not isinstance(where, (str, int, device)) or isinstance(where, bool):
        raise TypeError(
            f"{op}(): argument 'device' must be minitorch.device, not {type(where).__name__}"
        )
    where = where if isinstance(where, device) else device(where)
    kind = where.type
    if kind == "cpu":
        return where
    if kind in ("cuda", "xpu"):
        raise AssertionError(f"Torch not compiled with {kind.upper()} enabled ({op}: minitorch "
                             "runs on the CPU only)")
    if copy or kind not in ("mps", "hip"):
        raise RuntimeError(f"PyTorch is not linked with support for {kind} devices ({op}: "
                           "minitorch runs on the CPU only)")
    raise NotImplementedError(
        f"Could not run '{op}' with arguments from the '{kind.upper()}' backend "
        "(minitorch runs on the CPU only)"
    )


class memory_format:
    """A memory layout a program may ask for; NumPy arrays are row-major, so all are accepted
    and the result is always contiguous (torch.channels_last would change strides only)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"minitorch.{self.name}"


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
