"""Sample generators: the inputs every op is swept over, generated rather than listed.

Each public function here returns a SampleFn (see spec.py): given a seeded
NumPy generator and a dtype name, it yields Samples. Together they cover
the shapes of issue 3 (0-d, (1,), (5,), (3, 4), (2, 3, 4), (2, 1, 4, 1), the
empty (0, 3) and (1, 0, 5)), broadcasting on one side and both, Python
scalars on either side, non-contiguous layouts (transposed, stepped slice,
expanded with stride 0), the special-value grid, ties and large logits.

Tags the runner reads: "quick" (the quick subset: one shape and the special
grid), "gradcheck" (small and away from kinks: checked by central
differences in float64), "special", "noncontig", "empty", "broadcast".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from parity.convert import NP_DTYPES, DType
from parity.spec import Sample, SampleFn

SHAPES: tuple[tuple[int, ...], ...] = ((), (1,), (5,), (3, 4), (2, 3, 4), (2, 1, 4, 1))
EMPTY_SHAPES: tuple[tuple[int, ...], ...] = ((0, 3), (1, 0, 5))
QUICK_SHAPE = (3, 4)
SPECIAL: tuple[float, ...] = (
    0.0, -0.0, 1e-3, -1e-3, 1.0, -1.0, math.pi, -math.pi, 1e20, -1e20, math.inf, -math.inf,
    math.nan,
)
SPECIAL_INT: tuple[int, ...] = (0, 1, -1, 2, -2, 3, -7, 100, -100)
BROADCAST_PAIRS: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = (
    ((3, 1, 2), (1, 3, 2)),  # both sides stretch
    ((5, 1), (5,)),
    ((2, 3, 4), (4,)),  # one side gains leading axes
    ((4,), (2, 3, 4)),
    ((3, 4), ()),  # tensor with 0-d
    ((), (3, 4)),
    ((2, 1, 4, 1), (3, 1, 5)),
)
EMPTY_PAIRS: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = (
    ((0, 3), (0, 3)),
    ((0, 3), (3,)),
    ((1, 0, 5), (2, 1, 5)),
)
FLOATS = ("float32", "float64")
NUMERIC = ("float32", "float64", "int64")
ALL_DTYPES = ("float32", "float64", "int64", "bool")


@dataclass(frozen=True)
class Domain:
    """Where random values are drawn: floats in [low, high), ints in [int_low, int_high].

    `avoid` lists points (kinks, poles, jumps) that random float values are
    pushed at least `margin` away from, so the central-difference check
    measures the derivative and not the kink. `nonzero` drops 0 from ints.
    """

    low: float = -2.0
    high: float = 2.0
    avoid: tuple[float, ...] = (0.0,)
    margin: float = 0.05
    int_low: int = -5
    int_high: int = 5
    nonzero: bool = False


ANY = Domain()
POSITIVE = Domain(0.1, 3.0, avoid=(), int_low=1, int_high=6)
UNIT = Domain(-0.9, 0.9, avoid=(), int_low=-1, int_high=1)
NONZERO = Domain(-2.0, 2.0, avoid=(0.0,), margin=0.2, nonzero=True)
SMOOTH = Domain(-2.0, 2.0, avoid=())


def np_dtype(dtype: str) -> Any:
    return NP_DTYPES[dtype]


def random_array(
    rng: np.random.Generator, shape: Sequence[int], dtype: str, domain: Domain = ANY
) -> np.ndarray:
    """Random values of `dtype` in `domain` (C-contiguous)."""
    shape = tuple(shape)
    if dtype == "bool":
        return np.asarray(rng.random(shape) < 0.5)  # 0-d: an array, not a NumPy scalar
    if dtype in ("int64", "int32"):
        a = rng.integers(domain.int_low, domain.int_high + 1, size=shape)
        if domain.nonzero:
            a = np.where(a == 0, domain.int_high if domain.int_high != 0 else 1, a)
        return np.asarray(a, dtype=np_dtype(dtype))
    a = rng.uniform(domain.low, domain.high, size=shape)
    for p in domain.avoid:
        near = np.abs(a - p) < domain.margin
        a = np.where(near, p + np.where(a >= p, 1, -1) * (domain.margin + np.abs(a - p)), a)
    return np.asarray(a, dtype=np_dtype(dtype))


def special_values(dtype: str) -> np.ndarray:
    """The special-value grid in `dtype` (ints: small, negative and zero; bool: both)."""
    if dtype == "bool":
        return np.array([False, True])
    if dtype in ("int64", "int32"):
        return np.array(SPECIAL_INT, dtype=np_dtype(dtype))
    return np.array(SPECIAL, dtype=np_dtype(dtype))


def scalar_for(rng: np.random.Generator, dtype: str, domain: Domain = ANY) -> Any:
    """A Python scalar of the kind matching `dtype` (float, int or bool) inside `domain`."""
    if dtype == "bool":
        return True
    if dtype in ("int64", "int32"):
        v = int(rng.integers(max(domain.int_low, 1), max(domain.int_high, 2) + 1))
        return v
    return float(np.round(random_array(rng, (), "float64", domain), 3))


# -- layouts ---------------------------------------------------------------------------------
def transposed(rng: np.random.Generator, shape: tuple[int, int], dtype: str,
               domain: Domain = ANY) -> np.ndarray:
    """A (m, n) array that is the transpose of a C-contiguous (n, m) one."""
    return random_array(rng, shape[::-1], dtype, domain).T


def stepped(rng: np.random.Generator, shape: Sequence[int], dtype: str,
            domain: Domain = ANY) -> np.ndarray:
    """An array sliced with step 2 along its last axis."""
    shape = tuple(shape)
    base = random_array(rng, shape[:-1] + (2 * shape[-1],), dtype, domain)
    return base[..., ::2]


def expanded(rng: np.random.Generator, shape: Sequence[int], dtype: str,
             domain: Domain = ANY) -> np.ndarray:
    """An array whose first axis has stride 0 (np.broadcast_to, read-only like torch.expand)."""
    shape = tuple(shape)
    base = random_array(rng, (1,) + shape[1:], dtype, domain)
    return np.broadcast_to(base, shape)


def noncontig_arrays(rng: np.random.Generator, shape: tuple[int, ...], dtype: str,
                     domain: Domain = ANY) -> Iterator[tuple[str, np.ndarray]]:
    """The three non-contiguous layouts of a shape of rank >= 2 (rank 1: the stepped one)."""
    if len(shape) >= 2:
        if len(shape) == 2:
            yield "transposed", transposed(rng, shape, dtype, domain)  # type: ignore[arg-type]
        else:
            base = random_array(rng, shape[:-2] + (shape[-1], shape[-2]), dtype, domain)
            yield "transposed", np.swapaxes(base, -1, -2)
        yield "stepped", stepped(rng, shape, dtype, domain)
        yield "expanded", expanded(rng, shape, dtype, domain)
    elif len(shape) == 1:
        yield "stepped", stepped(rng, shape, dtype, domain)


def _tags(*names: str) -> frozenset[str]:
    return frozenset(names)


def _shape_desc(shape: Sequence[int]) -> str:
    return "0-d" if len(shape) == 0 else str(tuple(shape)).replace(",)", ")")


# -- unary -----------------------------------------------------------------------------------
def unary(domain: Domain = ANY, special: bool = True, extra: Sequence[float] = (),
          kwargs: Sequence[dict[str, Any]] = ({},), empty: bool = True,
          noncontig: bool = True) -> SampleFn:
    """x of every shape in `domain`, empties, non-contiguous layouts, the special grid.

    `extra` adds values that matter for this op (halves for round, bounds ...);
    `kwargs` runs every sample once per keyword set.
    """

    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for kw in kwargs:
            suffix = _kw_desc(kw)
            for shape in SHAPES:
                x = random_array(rng, shape, dtype, domain)
                tags = ["gradcheck"] if shape == QUICK_SHAPE else []
                if shape == QUICK_SHAPE:
                    tags.append("quick")
                yield Sample((x,), dict(kw), f"{_shape_desc(shape)}{suffix}", tags=_tags(*tags))
            if empty:
                for shape in EMPTY_SHAPES:
                    yield Sample((random_array(rng, shape, dtype, domain),), dict(kw),
                                 f"empty {_shape_desc(shape)}{suffix}", tags=_tags("empty"))
            if noncontig:
                for layout, x in noncontig_arrays(rng, (3, 4), dtype, domain):
                    yield Sample((x,), dict(kw), f"{layout} (3, 4){suffix}",
                                 tags=_tags("noncontig"))
            if special:
                yield Sample((special_values(dtype),), dict(kw), f"special grid{suffix}",
                             tags=_tags("special", "quick"))
                if extra and dtype in FLOATS:
                    vals = np.array(extra, dtype=np_dtype(dtype))
                    yield Sample((vals,), dict(kw), f"edge values{suffix}",
                                 tags=_tags("special", "quick"))

    return gen


def _kw_desc(kw: dict[str, Any]) -> str:
    if not kw:
        return ""
    return " " + ", ".join(f"{k}={v!r}" for k, v in sorted(kw.items()))


# -- binary ----------------------------------------------------------------------------------
def binary(domain: Domain = ANY, other: Domain | None = None, scalars: bool = True,
           special: bool = True, promote: bool = True, empty: bool = True,
           scalar_values: Sequence[Any] | None = None) -> SampleFn:
    """(x, y) over equal shapes, broadcasting pairs, 0-d, Python scalars on either side,
    mixed dtypes (torch's promotion), non-contiguous layouts and the special-value grid
    (every special value against every other)."""
    other = other or domain

    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for shape in SHAPES:
            x, y = random_array(rng, shape, dtype, domain), random_array(rng, shape, dtype, other)
            tags = ("gradcheck", "quick") if shape == QUICK_SHAPE else ()
            yield Sample((x, y), {}, f"{_shape_desc(shape)} with itself", tags=_tags(*tags))
        for i, (sa, sb) in enumerate(BROADCAST_PAIRS):
            x, y = random_array(rng, sa, dtype, domain), random_array(rng, sb, dtype, other)
            tags = ["broadcast"] + (["quick", "gradcheck"] if i == 0 else [])
            yield Sample((x, y), {}, f"{_shape_desc(sa)} with {_shape_desc(sb)}",
                         tags=_tags(*tags))
        if empty:
            for sa, sb in EMPTY_PAIRS:
                yield Sample((random_array(rng, sa, dtype, domain),
                              random_array(rng, sb, dtype, other)), {},
                             f"empty {_shape_desc(sa)} with {_shape_desc(sb)}",
                             tags=_tags("empty"))
        for layout, x in noncontig_arrays(rng, (3, 4), dtype, domain):
            yield Sample((x, random_array(rng, (3, 4), dtype, other)), {},
                         f"{layout} (3, 4) with (3, 4)", tags=_tags("noncontig"))
        for layout, y in noncontig_arrays(rng, (3, 4), dtype, other):
            if layout == "expanded":
                yield Sample((random_array(rng, (3, 4), dtype, domain), y), {},
                             f"(3, 4) with {layout} (3, 4)", tags=_tags("noncontig"))
        if scalars:
            values = scalar_values if scalar_values is not None else [scalar_for(rng, dtype, other)]
            if dtype in ("int64", "int32", "bool") and scalar_values is None:
                values = list(values) + [2.5]  # int tensor with a float scalar: float result
            for s in values:
                x = random_array(rng, (3, 4), dtype, domain)
                yield Sample((x, s), {}, f"(3, 4) with scalar {s!r}", tags=_tags("scalar"))
            for s in values if scalar_values is not None else [scalar_for(rng, dtype, domain)]:
                y = random_array(rng, (3, 4), dtype, other)
                yield Sample((s, y), {}, f"scalar {s!r} with (3, 4)", tags=_tags("scalar"))
            zero_d = random_array(rng, (), dtype, other)
            yield Sample((random_array(rng, (2, 3), dtype, domain), zero_d), {},
                         "(2, 3) with 0-d", tags=_tags("scalar"))
        if promote:
            yield from _promotion_pairs(rng, dtype, domain, other)
        if special:
            yield _special_pair(dtype)

    return gen


def _promotion_pairs(rng: np.random.Generator, dtype: str, domain: Domain,
                     other: Domain) -> Iterator[Sample]:
    """Mixed-dtype operands: the result dtype must be torch's."""
    partners = {
        "float32": ("float64", "int64"),
        "float64": ("float32",),
        "int64": ("float32", "bool"),
        "int32": ("int64",),
        "bool": ("int64",),
    }[dtype]
    for p in partners:
        x = random_array(rng, (3, 4), dtype, domain)
        y = random_array(rng, (3, 4), p, other)
        yield Sample((x, y), {}, f"{dtype} (3, 4) with {p} (3, 4)", tags=_tags("promote"))
        y0 = random_array(rng, (), p, other)
        yield Sample((x, y0), {}, f"{dtype} (3, 4) with {p} 0-d", tags=_tags("promote"))


def _special_pair(dtype: str) -> Sample:
    v = special_values(dtype)
    x = np.repeat(v, v.size)
    y = np.tile(v, v.size)
    return Sample((x, y), {}, "special grid x special grid", tags=_tags("special", "quick"))


def ternary(shapes: Sequence[tuple[tuple[int, ...], ...]], make: Callable[..., tuple[Any, ...]],
            desc: str = "") -> SampleFn:
    """Samples made by `make(rng, dtype, *shapes)` for each tuple of shapes."""

    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for i, shp in enumerate(shapes):
            args = make(rng, dtype, *shp)
            tags = ("quick", "gradcheck") if i == 0 else ()
            yield Sample(tuple(args), {}, " with ".join(_shape_desc(s) for s in shp),
                         tags=_tags(*tags))

    return gen


# -- reductions ------------------------------------------------------------------------------
REDUCTION_SHAPES: tuple[tuple[int, ...], ...] = ((), (1,), (5,), (3, 4), (2, 3, 4), (2, 1, 4, 1))


def dim_choices(ndim: int, kinds: Sequence[str]) -> list[Any]:
    """dim values of the requested kinds for a tensor of rank `ndim`.

    kinds: "none" (no dim argument), "int" (0 and the last), "neg" (-1), "tuple" ((0, -1)
    and all dims), "empty_tuple" (())."""
    out: list[Any] = []
    if "none" in kinds:
        out.append(None)
    if "int" in kinds:
        out.append(0)
        if ndim >= 2:
            out.append(ndim - 1)
    if "neg" in kinds:
        out.append(-1)
    if "tuple" in kinds and ndim >= 2:
        out.append((0, -1))
        if ndim >= 3:
            out.append((1, 0, 2))
    if "tuple" in kinds and ndim == 1:
        out.append((0,))
    return out


def reduction(domain: Domain = ANY, dims: Sequence[str] = ("none", "int", "neg", "tuple"),
              keepdim: bool = True, kwargs: Sequence[dict[str, Any]] = ({},),
              ties: bool = False, logits: bool = False, zeros: bool = False,
              special: bool = True, empty: bool = True, dim_name: str = "dim") -> SampleFn:
    """x of each rank with dim None / int / negative / tuple, each with keepdim False and True.

    ties: integer-valued floats with many repeats (max, argmax ...); logits: ±1e4 and -inf
    rows (softmax family); zeros: one and two exact zeros (prod, cumprod).
    """

    def calls(ndim: int) -> Iterator[tuple[dict[str, Any], str]]:
        for kw in kwargs:
            for d in dim_choices(ndim, dims):
                base = dict(kw)
                if d is not None:
                    base[dim_name] = d
                kds = (False, True) if keepdim and d is not None else (None,)
                for k in kds:
                    call = dict(base)
                    if k is not None:
                        call["keepdim"] = k
                    yield call, _kw_desc(call)

    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for shape in REDUCTION_SHAPES:
            for j, (call, d) in enumerate(calls(len(shape))):
                x = random_array(rng, shape, dtype, domain)
                quick = shape == QUICK_SHAPE and j < 3
                tags = ("gradcheck", "quick") if quick else ()
                yield Sample((x,), call, f"{_shape_desc(shape)}{d}", tags=_tags(*tags))
        for layout, x in noncontig_arrays(rng, (3, 4), dtype, domain):
            for call, d in list(calls(2))[:3]:
                yield Sample((x,), call, f"{layout} (3, 4){d}", tags=_tags("noncontig"))
        if empty:
            for shape in EMPTY_SHAPES:
                for call, d in list(calls(len(shape)))[:4]:
                    yield Sample((random_array(rng, shape, dtype, domain),), call,
                                 f"empty {_shape_desc(shape)}{d}", tags=_tags("empty"))
        if special:
            v = special_values(dtype)
            for call, d in list(calls(1))[:2]:
                yield Sample((v,), call, f"special grid{d}", tags=_tags("special", "quick"))
            if dtype in FLOATS:
                # each special value alone in a row of ordinary ones
                grid = np.ones((len(SPECIAL), 3), dtype=np_dtype(dtype))
                grid[:, 1] = np.array(SPECIAL)
                for call, d in list(calls(2))[1:4]:
                    yield Sample((grid,), call, f"special rows{d}", tags=_tags("special"))
        if ties and dtype != "bool":
            t = rng.integers(0, 3, size=(3, 4)).astype(np_dtype(dtype))
            t[1] = 2  # a row of equal values
            for call, d in calls(2):
                yield Sample((t,), call, f"ties (3, 4){d}", tags=_tags("ties", "quick"))
        if logits and dtype in FLOATS:
            big = np.array([[1e4, -1e4, 0.0, 1e4], [-1e4, -1e4, -1e4, -1e4],
                            [50.0, 100.0, -50.0, 0.0]], dtype=np_dtype(dtype))
            for call, d in list(calls(2))[:4]:
                yield Sample((big,), call, f"large logits (3, 4){d}",
                             tags=_tags("logits", "quick"))
            inf_rows = np.array([[-np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf],
                                 [np.inf, 1.0, 0.0]], dtype=np_dtype(dtype))
            for call, d in list(calls(2))[:4]:
                yield Sample((inf_rows,), call, f"infinite logits (3, 3){d}",
                             tags=_tags("logits", "special"))
        if zeros and dtype != "bool":
            z = random_array(rng, (3, 4), dtype, domain)
            z[0, 1] = 0
            z[2, 0] = 0
            z[2, 3] = 0
            for call, d in calls(2):
                yield Sample((z,), call, f"with zeros (3, 4){d}", tags=_tags("zeros", "quick"))

    return gen


# -- arbitrary calls over shaped inputs ------------------------------------------------------
@dataclass(frozen=True)
class Call:
    """One call of a shape or indexing op: the input shape, then extra args and kwargs."""

    shape: tuple[int, ...]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] | None = None
    desc: str = ""
    noncontig: bool = False  # also run on the non-contiguous layouts of `shape`


def shaped(calls: Sequence[Call], domain: Domain = ANY) -> SampleFn:
    """x of `call.shape` (random, in `domain`) followed by the call's own args.

    Args that are callables `f(rng, dtype)` are evaluated per sample (e.g. a second operand
    of the sample's dtype); the first call is tagged quick and gradcheck.
    """

    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for i, c in enumerate(calls):
            args = tuple(a(rng, dtype) if callable(a) else a for a in c.args)
            kw = dict(c.kwargs or {})
            desc = c.desc or f"{_shape_desc(c.shape)} {_args_desc(args, kw)}".strip()
            tags = ("quick", "gradcheck") if i == 0 else ()
            yield Sample((random_array(rng, c.shape, dtype, domain),) + args, kw, desc,
                         tags=_tags(*tags))
            if c.noncontig:
                for layout, x in noncontig_arrays(rng, c.shape, dtype, domain):
                    yield Sample((x,) + args, kw, f"{layout} {desc}", tags=_tags("noncontig"))

    return gen


def _args_desc(args: tuple[Any, ...], kw: dict[str, Any]) -> str:
    from parity.convert import describe_value

    parts = [describe_value(a) for a in args] + [f"{k}={describe_value(v)}" for k, v in
                                                 sorted(kw.items())]
    return ", ".join(parts)


def like(shape: Sequence[int], domain: Domain = ANY) -> Callable[[np.random.Generator, str],
                                                                   np.ndarray]:
    """An argument placeholder: a random array of `shape` in the sample's dtype."""
    return lambda rng, dtype: random_array(rng, shape, dtype, domain)


def index_array(values: Any, dtype: Any = np.int64) -> Callable[[np.random.Generator, str],
                                                                  np.ndarray]:
    """An argument placeholder: a fixed int64 (or bool) index array."""
    arr = np.asarray(values, dtype=dtype)
    return lambda rng, dtype_name: arr.copy()


def dtype_arg(name: str | None = None) -> Callable[[np.random.Generator, str], Any]:
    """An argument placeholder: the sample's dtype (or a fixed one) as an engine dtype."""
    return lambda rng, dtype: DType(name or dtype)


def explicit(samples: Callable[[np.random.Generator, str], Iterable[Sample]]) -> SampleFn:
    """A generator written out for an op whose arguments are not arrays (creation ops)."""
    return samples


def tensors(shapes: Sequence[tuple[int, ...]] = ((), (3,), (2, 3)),
            domain: Domain = ANY) -> SampleFn:
    """Plain tensors of a few shapes (for attributes such as shape, numel, repr)."""

    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for i, shape in enumerate(shapes):
            tags = ("quick",) if i == len(shapes) - 1 else ()
            yield Sample((random_array(rng, shape, dtype, domain),), {}, _shape_desc(shape),
                         tags=_tags(*tags))

    return gen
