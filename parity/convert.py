"""From NumPy to each engine and back: how a Sample becomes a call.

A Sample holds NumPy arrays. Each engine gets its *own copy* of every array
with the *same memory layout* (a transposed array stays transposed, an
expanded one keeps its stride-0 axis), so an in-place op in one engine cannot
leak into the other and a non-contiguous sample really is non-contiguous in
both. Markers (`DType`, `Raw`) stand for things that differ per engine or
must not be converted. An engine makes its tensors through its adapter (engines.py), so
the same Sample reaches minitorch, torch or any engine under test. bench/ uses
`materialize` too.

Read spec.py and engines.py first; the runner (runner.py) calls these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from parity.engines import NP_DTYPES as NP_DTYPES  # samples.py reads it from here
from parity.engines import Engine


@dataclass(frozen=True)
class DType:
    """A dtype argument: becomes `lib.float32` (or ...) in each engine."""

    name: str

    def __repr__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Raw:
    """A value handed over untouched (e.g. the NumPy array given to `tensor` or `from_numpy`).

    Each engine still gets its own copy of an array, so sharing memory stays private.
    """

    value: Any

    def __repr__(self) -> str:
        return f"Raw({_short(self.value)})"


def clone_layout(a: np.ndarray) -> np.ndarray:
    """A copy of `a` with the same shape, dtype, strides and writeability.

    Contiguous arrays are copied plainly; a strided view gets a fresh buffer
    spanning the same bytes, and an as_strided view over it. The buffer holds at least as
    many elements as the array, zeros past the span: torch's median(dim) reads an expanded
    (stride-0) tensor as if it were dense, and must read the same zeros in every engine and
    every run, not another allocation's bytes (the torch-against-torch self-check saw it).
    """
    if a.ndim == 0 or a.size == 0 or a.flags.c_contiguous:
        out = np.array(a, copy=True, order="C")
    elif any(s < 0 for s in a.strides) or any(s % a.itemsize for s in a.strides):
        out = np.array(a, copy=True, order="C")  # torch.from_numpy refuses negative strides
    else:
        span = sum((n - 1) * s for n, s in zip(a.shape, a.strides)) // a.itemsize + 1
        buf = np.zeros(max(span, a.size), dtype=a.dtype)
        out = np.lib.stride_tricks.as_strided(buf, a.shape, a.strides)
        np.copyto(out, a)
    if not a.flags.writeable:
        out.flags.writeable = False
    return out


def is_engine_tensor(x: Any) -> bool:
    return hasattr(x, "requires_grad") and hasattr(x, "dtype") and hasattr(x, "shape")


def as_engine(lib: Any) -> Engine:
    """The adapter for `lib`: an Engine as it is, a module (torch, minitorch) wrapped."""
    return lib if isinstance(lib, Engine) else Engine(lib)


def to_tensor(lib: Any, a: np.ndarray, requires_grad: bool = False) -> Any:
    """An engine tensor over a private copy of `a`, layout preserved (lib: a module or an
    Engine)."""
    return as_engine(lib).tensor(clone_layout(a), requires_grad=requires_grad)


def materialize(lib: Any, value: Any, requires_grad: bool = False) -> Any:
    """Turn a sample value into the engine's value (recursing into tuples, lists and dicts);
    lib is the engine's module or its Engine adapter."""
    return _materialize(as_engine(lib), value, requires_grad)


def _materialize(engine: Engine, value: Any, requires_grad: bool = False) -> Any:
    if isinstance(value, np.ndarray):
        return engine.tensor(clone_layout(value), requires_grad=requires_grad)
    if isinstance(value, DType):
        return getattr(engine.lib, value.name)
    if isinstance(value, Raw):
        v = value.value
        return clone_layout(v) if isinstance(v, np.ndarray) else v
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return tuple(_materialize(engine, v) for v in value)
    if isinstance(value, list):
        return [_materialize(engine, v) for v in value]
    if isinstance(value, dict):
        return {k: _materialize(engine, v) for k, v in value.items()}
    return value


def grad_positions(args: tuple[Any, ...], grad_args: tuple[int, ...] | None) -> tuple[int, ...]:
    """Which positional args become leaves that require grad (floating arrays only)."""
    floating = tuple(
        i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
    )
    if grad_args is None:
        return floating
    return tuple(i for i in grad_args if i in floating)


def build_call(
    lib: Any, args: tuple[Any, ...], kwargs: dict[str, Any], grad_at: tuple[int, ...]
) -> tuple[list[Any], dict[str, Any]]:
    """The engine's positional and keyword arguments; args at `grad_at` require grad (lib: the
    engine's module or its Engine adapter)."""
    engine = as_engine(lib)
    call_args = [_materialize(engine, a, requires_grad=(i in grad_at))
                 for i, a in enumerate(args)]
    return call_args, _materialize(engine, kwargs)


def _short(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return f"array{v.shape}:{v.dtype}"
    return repr(v)


def describe_value(v: Any) -> str:
    """A short, deterministic description of one argument for the report."""
    if isinstance(v, np.ndarray):
        layout = "" if v.ndim < 2 or v.flags.c_contiguous else " noncontig"
        return f"{v.dtype}{list(v.shape)}{layout}"
    if isinstance(v, (tuple, list)):
        inner = ", ".join(describe_value(x) for x in v)
        return f"({inner})" if isinstance(v, tuple) else f"[{inner}]"
    if isinstance(v, slice):
        parts = ["" if p is None else str(p) for p in (v.start, v.stop, v.step)]
        return ":".join(parts).rstrip(":") or ":"
    if v is Ellipsis:
        return "..."
    if isinstance(v, float):
        return repr(v)
    return repr(v)
