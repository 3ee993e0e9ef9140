"""What an op-table row is: one op declared once, read by parity/ and bench/ alike.

A row names the op, says how to call it (one function that takes the
library -- `torch`, or the engine under test: minitorch, or any torch-like
module given to `--engine`, see engines.py -- so the same line drives both
engines), how to make its sample inputs, which dtypes it takes, whether it
is differentiable, and any tolerance override or known difference, each
with its reason written beside it. Tolerance overrides and known
differences describe minitorch: the runner applies them to minitorch only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np


@dataclass(frozen=True)
class Sample:
    """One call: positional args (np.ndarray -> a tensor in each engine; other values pass
    through as they are), keyword args (same rule), and a short description for the report."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    desc: str = ""
    # Which positional args are differentiable inputs (None: every floating ndarray arg).
    grad_args: tuple[int, ...] | None = None
    # Non-contiguous layouts are made from the arrays by the sample generator itself.
    # Labels the runner reads: "quick" (in the quick subset), "gradcheck" (also checked by
    # float64 central differences), "special" (the special-value grid), "noncontig", ...
    tags: frozenset[str] = frozenset()


# A sample generator: given a seeded NumPy generator and a dtype name ("float32", "float64",
# "int64", "bool"), yield the samples of that dtype.
SampleFn = Callable[[np.random.Generator, str], Iterable[Sample]]


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float
    reason: str


@dataclass(frozen=True)
class KnownDifference:
    what: str  # what differs from torch
    reason: str  # why we accept it
    # Optional predicate: the difference applies only to samples for which it returns True
    # (e.g. lambda s: "nan" in s.desc); None means the whole row is a known difference.
    applies: Callable[[Sample], bool] | None = None


@dataclass(frozen=True)
class OpSpec:
    name: str  # unique, e.g. "add", "sum", "F.conv2d", "Tensor.__getitem__"
    family: str  # report section: "arithmetic", "elementwise", "reduction", "nn.functional", ...
    fn: Callable[..., Any]  # fn(lib, *args, **kwargs); lib: torch or the engine under test
    samples: SampleFn
    dtypes: tuple[str, ...] = ("float32", "float64")
    differentiable: bool = True
    tolerance: dict[str, Tolerance] = field(default_factory=dict)  # per dtype name
    known: tuple[KnownDifference, ...] = ()
    # Variants that must agree with fn (method and operator forms): name -> fn(lib, *args).
    variants: dict[str, Callable[..., Any]] = field(default_factory=dict)
    # Bad inputs: each a Sample torch rejects; both engines must raise the same class.
    bad_inputs: tuple[Sample, ...] = ()
    # The API.md names this row covers (for the coverage list), e.g. ("add", "Tensor.add").
    covers: tuple[str, ...] = ()
    bench: bool = True  # whether bench/ times this op
    # "values": compare shape, dtype and values; "meta": shape and dtype only (random
    # creation such as rand or normal_, whose numbers come from a different generator).
    compare: str = "values"
    # The bench's inputs are grown from a sample by resampling its values, which keeps a
    # domain (positive for log) but not a structure: a grown matrix is ill-conditioned, so
    # inv/solve/svd would differ from torch in float32 by more than rounding. "shape": the
    # bench times such a row and checks shapes and dtypes only (parity checks the values).
    bench_check: str = "values"
