"""Op-table rows for sorting, selecting and sampling (minitorch/ops/sorting.py, sampling.py).

Same shape as the rows of op_table.py: each names the op, how either engine
calls it, its samples, dtypes and bad inputs. Two things are special here:
- Ties: torch's unstable sort (rows longer than 16), topk and kthvalue pick
  among equal elements by libstdc++'s introsort / nth_element / partial_sort
  and torch's quickselect; minitorch replays those, so the "ties" samples
  (and topk's sorted=False order) must agree index for index.
- Random ops (multinomial, bernoulli, poisson, exponential_, geometric_) are
  compared by shape, dtype and requires_grad (compare="meta"); their
  distributions are tested in tests/ops/test_sorting_sampling.py.

The lead wires ROWS into the sweep (op_table.ALL_ROWS).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterator

import numpy as np

from parity.op_table import arr, bad, func, method, no_grad_inplace
from parity.samples import (
    ALL_DTYPES,
    FLOATS,
    NUMERIC,
    POSITIVE,
    UNIT,
    Call,
    Domain,
    index_array,
    like,
    np_dtype,
    random_array,
    reduction,
    shaped,
    special_values,
    unary,
)
from parity.spec import KnownDifference, OpSpec, Sample

PROBABILITY = Domain(0.0, 1.0, avoid=(), int_low=0, int_high=1)

FAMILY = "sorting"
ROWS: list[OpSpec] = []
F32 = arr([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
I64 = arr([0, 2, 2, 5], np.int64)


# The sorting ops replay torch's unstable algorithms (std::sort, partial_sort, quickselect)
# on rows that hold ties, but only up to 65,536 tied elements: beyond, equal elements come
# back in stable order (same values, possibly other indices). The bench's grown inputs,
# drawn from a few template values, are full of ties.
BIG_TIES = KnownDifference(
    "indices of tied elements in inputs of more than 65,536 elements",
    "torch's unstable sorts are replayed only up to that size (a Python replay); beyond, "
    "ties come back in stable order: the values match, the indices of equal elements may not",
    applies=lambda s: max((a.size for a in s.args if isinstance(a, np.ndarray)), default=0)
    > 65536,
)


def _row(name: str, fn: Callable[..., Any], samples: Any, **kw: Any) -> OpSpec:
    kw.setdefault("covers", (name,))
    if name in ("sort", "argsort", "msort", "topk", "kthvalue"):
        kw["known"] = tuple(kw.get("known", ())) + (BIG_TIES,)
    spec = OpSpec(name=name, family=FAMILY, fn=fn, samples=samples, **kw)
    ROWS.append(spec)
    return spec


def _tags(*names: str) -> frozenset[str]:
    return frozenset(names)


def _fields(name: str, **fixed: Any) -> Callable[..., Any]:
    """The named-tuple form: (r.values, r.indices) of x.NAME(...)."""

    def call(lib: Any, x: Any, *args: Any, **kw: Any) -> Any:
        r = getattr(x, name)(*args, **kw, **fixed)
        return r.values, r.indices

    return call


def _distinct(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """Values without ties (a permutation, scaled), so every pick is unique."""
    n = int(np.prod(shape))
    a = (rng.permutation(n) - n // 2).reshape(shape)
    if dtype in FLOATS:
        a = a * 0.37 + rng.uniform(-0.1, 0.1, shape)
    return np.asarray(a, dtype=np_dtype(dtype))


def _long_ties(rng: np.random.Generator, dtype: str) -> np.ndarray:
    return rng.integers(0, 3, size=(3, 40)).astype(np_dtype(dtype))


# -- sort, argsort, msort ---------------------------------------------------------------------
SORT_SAMPLES = reduction(dims=("int", "neg"), keepdim=False, ties=True,
                         kwargs=({}, {"descending": True}))
DIM_BAD = bad(F32, dim=2, desc="dim 2 of a 2-d tensor")


def _sort_extra(base: Any, long_ties: bool) -> Any:
    """The reduction samples plus a (3, 40) row of ties (past torch's stable 16)."""

    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        yield from base(rng, dtype)
        if dtype != "bool":
            for desc in (False, True):
                yield Sample((_long_ties(rng, dtype),), {"descending": desc},
                             f"long rows with ties (3, 40) descending={desc}"
                             if long_ties else f"(3, 40) stable descending={desc}",
                             tags=_tags("ties"))

    return gen


_row("sort", func("sort"), _sort_extra(SORT_SAMPLES, True), dtypes=ALL_DTYPES,
     variants={"method": method("sort"), "values/indices": _fields("sort")},
     bad_inputs=(DIM_BAD,), covers=("sort",))
_row("sort(stable)", func("sort", stable=True), _sort_extra(SORT_SAMPLES, False),
     dtypes=ALL_DTYPES, variants={"method": method("sort", stable=True)}, covers=("sort",))
_row("argsort", func("argsort"), _sort_extra(SORT_SAMPLES, True), dtypes=ALL_DTYPES,
     differentiable=False, variants={"method": method("argsort"),
                                     "stable": func("argsort", stable=True)},
     bad_inputs=(DIM_BAD,), covers=("argsort",))
_row("msort", func("msort"), reduction(dims=("none",), ties=True), dtypes=ALL_DTYPES,
     variants={"method": method("msort")}, covers=("msort",))


# -- topk, kthvalue -----------------------------------------------------------------------------
def _picks(op: str) -> Any:
    """x without ties of several ranks with k at its edges, every dim, both directions;
    then NaN rows, a 0-d x, an empty x, and a tied x (a known difference)."""

    options = ({}, {"largest": False}) if op == "topk" else ({}, {"keepdim": True})

    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        first = True
        for shape in ((5,), (3, 4), (2, 3, 4)):
            for dim in range(-1, len(shape) - 1):
                n = shape[dim]
                for k in sorted({1, (n + 1) // 2, n}):
                    for extra in options:
                        kw = {"k": k, "dim": dim, **extra}
                        tags = _tags("quick", "gradcheck") if first else frozenset()
                        first = False
                        yield Sample((_distinct(rng, shape, dtype),), kw, f"{shape} {kw}",
                                     tags=tags)
        if dtype in FLOATS:
            nan_row = np.array([[1.0, math.nan, 3.0, -math.inf], [2.0, 0.5, math.inf, -1.0]],
                               dtype=np_dtype(dtype))
            yield Sample((nan_row,), {"k": 2}, "NaN and inf (2, 4) k=2", tags=_tags("special"))
        yield Sample((np.asarray(random_array(rng, (), dtype)),), {"k": 1}, "0-d k=1")
        if op == "topk":
            yield Sample((random_array(rng, (3, 0), dtype),), {"k": 0}, "empty (3, 0) k=0",
                         tags=_tags("empty"))
        ties = rng.integers(0, 3, size=(3, 6)).astype(np_dtype(dtype))
        yield Sample((ties,), {"k": 3}, "ties (3, 6) k=3", tags=_tags("ties"))
        long_ties = _long_ties(rng, dtype)
        for k in (1, 20):
            yield Sample((long_ties,), {"k": k}, f"ties (3, 40) k={k}", tags=_tags("ties"))
        if op == "topk":
            yield Sample((_distinct(rng, (3, 30), dtype),), {"k": 12, "sorted": False},
                         "(3, 30) k=12 sorted=False")
            yield Sample((long_ties,), {"k": 7, "sorted": False, "largest": False},
                         "ties (3, 40) k=7 smallest sorted=False", tags=_tags("ties"))

    return gen


_row("topk", lambda lib, x, **kw: lib.topk(x, **kw), _picks("topk"), dtypes=NUMERIC,
     variants={"method": lambda lib, x, **kw: x.topk(**kw),
               "values/indices": lambda lib, x, **kw: _fields("topk")(lib, x, **kw)},
     bad_inputs=(bad(F32, k=4, desc="k > size"), bad(F32, k=-1, desc="k < 0"),
                 bad(arr([True, False], np.bool_), k=1, desc="bool"),
                 bad(F32, k=1, dim=2, desc="dim 2")),
     covers=("topk",))
_row("kthvalue", lambda lib, x, **kw: lib.kthvalue(x, **kw), _picks("kthvalue"),
     dtypes=NUMERIC,
     variants={"method": lambda lib, x, **kw: x.kthvalue(**kw),
               "values/indices": lambda lib, x, **kw: _fields("kthvalue")(lib, x, **kw)},
     bad_inputs=(bad(F32, k=4, desc="k > size"), bad(F32, k=0, desc="k = 0"),
                 bad(arr([True, False], np.bool_), k=1, desc="bool"),
                 bad(arr(np.zeros(0)), k=1, desc="empty")),
     covers=("kthvalue",))


# -- unique, unique_consecutive -------------------------------------------------------------------
UNIQUE_KWARGS = ({}, {"return_inverse": True}, {"return_counts": True},
                 {"return_inverse": True, "return_counts": True})


def _repeats(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    if dtype == "bool":
        return random_array(rng, shape, dtype)
    return rng.integers(0, 3, size=shape).astype(np_dtype(dtype))


def _unique_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    first = True
    for kw in UNIQUE_KWARGS:
        for shape in ((), (7,), (3, 4), (2, 3, 2)):
            tags = _tags("quick") if first else frozenset()
            first = False
            yield Sample((_repeats(rng, shape, dtype),), dict(kw), f"{shape} {kw}", tags=tags)
        rows = _repeats(rng, (2, 3), dtype)[[0, 1, 0, 0, 1]]  # repeated rows, then columns
        for dim in (0, 1, -1):
            yield Sample((rows,), {**kw, "dim": dim}, f"repeated rows (5, 3) dim={dim} {kw}")
        yield Sample((random_array(rng, (0, 3), dtype),), dict(kw), f"empty (0, 3) {kw}",
                     tags=_tags("empty"))
        yield Sample((random_array(rng, (2, 0), dtype),), {**kw, "dim": 1},
                     f"empty (2, 0) dim=1 {kw}", tags=_tags("empty"))
        yield Sample((special_values(dtype),), dict(kw), f"special grid {kw}",
                     tags=_tags("special"))
        if dtype in FLOATS:
            nan_rows = np.array([[1.0, math.nan], [0.0, 2.0], [1.0, math.nan], [0.0, 2.0]],
                                dtype=np_dtype(dtype))
            yield Sample((nan_rows,), {**kw, "dim": 0}, f"NaN slices (4, 2) dim=0 {kw}",
                         tags=_tags("special"))
            mixed = np.array([2.0, 1.0, math.nan, 1.0, 2.0, math.nan, -0.0, 0.0],
                             dtype=np_dtype(dtype))
            yield Sample((mixed,), {**kw, "dim": 0}, f"NaN slices (8,) dim=0 {kw}",
                         tags=_tags("special"))


def _consecutive_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield from _unique_samples(rng, dtype)
    runs = np.repeat(_repeats(rng, (6,), dtype), [1, 3, 2, 1, 2, 1])
    for kw in UNIQUE_KWARGS:
        yield Sample((runs,), dict(kw), f"runs (10,) {kw}")


NAN_SLICES = KnownDifference(
    "unique(dim=...) of slices holding NaN",
    "torch sorts the slices with a comparator that is inconsistent under NaN, so its answer "
    "depends on std::sort's internals (it can even repeat equal slices); minitorch sorts NaN "
    "last and keeps every slice holding a NaN distinct",
    applies=lambda s: "NaN slices" in s.desc,
)


def _unique_call(lib: Any, x: Any, **kw: Any) -> Any:
    return lib.unique(x, **kw)


_row("unique", _unique_call, _unique_samples, dtypes=ALL_DTYPES,
     variants={"method": lambda lib, x, **kw: x.unique(**kw),
               "sorted=False": lambda lib, x, **kw: lib.unique(x, sorted=False, **kw)},
     bad_inputs=(bad(F32, dim=2, desc="dim 2"),
                 bad(arr(np.ones((2, 0))), dim=0, desc="(2, 0) along the non-empty dim"),
                 bad(F32, axis=0, desc="axis= (torch.unique takes dim only)")),
     known=(NAN_SLICES,), covers=("unique",))
_row("unique_consecutive", lambda lib, x, **kw: lib.unique_consecutive(x, **kw),
     _consecutive_samples, dtypes=ALL_DTYPES,
     variants={"method": lambda lib, x, **kw: x.unique_consecutive(**kw)},
     bad_inputs=(bad(F32, dim=2, desc="dim 2"),), known=(NAN_SLICES,),
     covers=("unique_consecutive",))

# -- nonzero, argwhere, masked_select -------------------------------------------------------------
_row("nonzero", func("nonzero"), unary(UNIT), dtypes=ALL_DTYPES, differentiable=False,
     variants={"method": method("nonzero"), "as_tuple": func("nonzero", as_tuple=True),
               "Tensor.nonzero(as_tuple)": method("nonzero", as_tuple=True)},
     bad_inputs=(bad(F32, True, desc="as_tuple positional"),), covers=("nonzero",))
_row("argwhere", func("argwhere"), unary(UNIT), dtypes=ALL_DTYPES, differentiable=False,
     variants={"method": method("argwhere")}, covers=("argwhere",))

MASK34 = np.array([[True, False, True, True], [False, False, True, False],
                   [True, True, False, False]])
_row("masked_select", func("masked_select"),
     shaped([Call((3, 4), (index_array(MASK34, np.bool_),), noncontig=True),
             Call((3, 4), (index_array(MASK34[0], np.bool_),)),
             Call((1, 4), (index_array(MASK34, np.bool_),)),
             Call((), (index_array(MASK34, np.bool_),)),
             Call((3, 4), (index_array(True, np.bool_),)),
             Call((0, 4), (index_array(MASK34[0], np.bool_),)),
             Call((3, 4), (index_array(np.zeros((3, 4)), np.bool_),))]),
     dtypes=ALL_DTYPES, variants={"method": method("masked_select")},
     bad_inputs=(bad(F32, arr([1, 0, 1], np.int64), desc="int64 mask"),
                 bad(F32, arr([True, False], np.bool_), desc="(2, 3) with mask (2,)")),
     covers=("masked_select",))


# -- searchsorted, bucketize ------------------------------------------------------------------
def _sorted(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    return np.sort(random_array(rng, shape, dtype), axis=-1)


def _search_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    first = True
    for kw in ({}, {"right": True}, {"side": "right"}, {"side": "left"}, {"out_int32": True}):
        seq = _sorted(rng, (8,), dtype)
        values = np.concatenate([seq[::3], random_array(rng, (6,), dtype)]).reshape(3, 3)
        tags = _tags("quick") if first else frozenset()
        first = False
        yield Sample((seq, values), dict(kw), f"(8,) with (3, 3) at and between {kw}", tags=tags)
        yield Sample((_sorted(rng, (3, 5), dtype), random_array(rng, (3, 4), dtype)), dict(kw),
                     f"row-wise (3, 5) with (3, 4) {kw}")
        yield Sample((seq, float(values[0, 0])), dict(kw), f"(8,) with a scalar {kw}")
        perm = rng.permutation(8)
        yield Sample((seq[perm], values), {**kw, "sorter": np.argsort(perm).astype(np.int64)},
                     f"sorter {kw}")
    if dtype in FLOATS:
        nan_seq = np.array([1.0, 2.0, 2.0, 3.0, math.nan], dtype=np_dtype(dtype))
        special = special_values(dtype)
        for right in (False, True):
            yield Sample((nan_seq, special), {"right": right}, f"NaN in the sequence right={right}",
                         tags=_tags("special"))
    yield Sample((_sorted(rng, (4,), dtype), random_array(rng, (0, 3), dtype)), {},
                 "empty values", tags=_tags("empty"))
    if dtype == "float32":  # the two promote to a common dtype
        yield Sample((np.arange(6, dtype=np.int64), rng.uniform(-1, 7, 5).astype(np.float32)),
                     {}, "int64 sequence with float32 values")


def _bucket_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for i, kw in enumerate(({}, {"right": True}, {"out_int32": True})):
        b = _sorted(rng, (6,), dtype)
        x = np.concatenate([b[::2], random_array(rng, (9,), dtype)]).reshape(3, 4)
        yield Sample((x, b), dict(kw), f"(3, 4) in (6,) {kw}",
                     tags=_tags("quick") if i == 0 else frozenset())
        yield Sample((float(b[2]), b), dict(kw), f"a scalar {kw}")


_row("searchsorted", func("searchsorted"), _search_samples, dtypes=NUMERIC,
     differentiable=False,
     bad_inputs=(bad(arr(1.0), arr([1.0]), desc="0-d sequence"),
                 bad(arr([1.0, 2.0]), 1.0, side="middle", desc="side='middle'"),
                 bad(arr([1.0, 2.0]), 1.0, side="left", right=True, desc="side vs right"),
                 bad(F32, arr([1.0]), desc="(2, 3) with (1,)"),
                 bad(arr([1.0, 2.0]), 1.0, sorter=arr([0, 2], np.int64), desc="sorter range"),
                 bad(arr([1.0, 2.0]), 1.0, sorter=arr([0], np.int64), desc="sorter size")),
     covers=("searchsorted",))
_row("bucketize", func("bucketize"), _bucket_samples, dtypes=NUMERIC, differentiable=False,
     bad_inputs=(bad(arr([1.0]), F32, desc="2-d boundaries"),), covers=("bucketize",))


# -- bincount, histc ----------------------------------------------------------------------------
def _bincount_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = rng.integers(0, 6, 20).astype(np.int64)
    yield Sample((x,), {}, "(20,)", tags=_tags("quick"))
    yield Sample((x,), {"minlength": 10}, "(20,) minlength=10")
    yield Sample((x,), {"minlength": 2}, "(20,) minlength=2")
    for w in ("float32", "float64", "int64", "bool"):
        yield Sample((x,), {"weights": random_array(rng, (20,), w)}, f"{w} weights")
    yield Sample((np.zeros(0, np.int64),), {}, "empty", tags=_tags("empty"))
    yield Sample((np.zeros(0, np.int64),), {"minlength": 3}, "empty minlength=3",
                 tags=_tags("empty"))


_row("bincount", func("bincount"), _bincount_samples, dtypes=("int64",), differentiable=False,
     variants={"method": method("bincount")},
     bad_inputs=(bad(arr([0, -1], np.int64), desc="negative"),
                 bad(arr([[0, 1]], np.int64), desc="2-d"),
                 bad(arr([0.0, 1.0]), desc="float32"),
                 bad(arr([True], np.bool_), desc="bool"),
                 bad(I64, minlength=-1, desc="minlength -1"),
                 bad(I64, arr([1.0]), desc="weights of another length")),
     covers=("bincount",))


def _histc_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = random_array(rng, (50,), dtype)
    yield Sample((x,), {}, "(50,) defaults", tags=_tags("quick"))
    for bins, lo, hi in ((10, -1, 1), (7, -1.5, 2.25), (4, 0, 0), (3, 2, 5)):
        edges = np.linspace(lo if lo != hi else x.min(), hi if lo != hi else x.max(), bins + 1)
        on_edges = np.concatenate([x, edges]).astype(np_dtype(dtype)).reshape(-1, 1)
        yield Sample((on_edges,), {"bins": bins, "min": lo, "max": hi},
                     f"on the edges bins={bins} min={lo} max={hi}")
    yield Sample((np.full(4, 1.5, np_dtype(dtype)),), {"bins": 4}, "all equal")
    yield Sample((special_values(dtype),), {"bins": 5, "min": -2, "max": 2}, "special grid",
                 tags=_tags("special"))
    yield Sample((random_array(rng, (0,), dtype),), {"bins": 3}, "empty", tags=_tags("empty"))
    yield Sample((random_array(rng, (), dtype),), {"bins": 3}, "0-d")


_row("histc", func("histc"), _histc_samples, dtypes=FLOATS, differentiable=False,
     variants={"method": method("histc")},
     bad_inputs=(bad(arr([1, 2], np.int64), desc="int64"),
                 bad(arr([1.0]), bins=0, desc="bins=0"),
                 bad(arr([1.0]), bins=3, min=3, max=1, desc="max < min"),
                 bad(arr([1.0, math.inf]), bins=3, desc="infinite range"),
                 bad(arr([1.0, math.nan]), bins=3, desc="NaN range")),
     covers=("histc",))


# -- sampling: shapes, dtypes and errors (compare="meta") -----------------------------------------
def _weights(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    w1 = random_array(rng, (5,), dtype, POSITIVE)
    w2 = random_array(rng, (3, 4), dtype, POSITIVE)
    w2[1, 2] = 0
    yield Sample((w1, 3), {}, "(5,) 3 without replacement", tags=_tags("quick"))
    yield Sample((w1, 5), {}, "(5,) all 5 without replacement")
    yield Sample((w1, 12), {"replacement": True}, "(5,) 12 with replacement")
    yield Sample((w2, 2), {}, "(3, 4) 2 without replacement")
    yield Sample((w2, 7, True), {}, "(3, 4) 7 with replacement")
    yield Sample((random_array(rng, (0, 3), dtype, POSITIVE), 2), {}, "empty (0, 3)",
                 tags=_tags("empty"))


_row("multinomial", func("multinomial"), _weights, dtypes=FLOATS, differentiable=False,
     compare="meta", variants={"method": method("multinomial")},
     bad_inputs=(bad(arr([1, 2], np.int64), 1, desc="int64 weights"),
                 bad(arr(np.ones((2, 2, 2))), 1, desc="3-d"),
                 bad(arr([1.0, -1.0]), 1, desc="negative weight"),
                 bad(arr([1.0, math.inf]), 1, desc="inf weight"),
                 bad(arr([1.0, math.nan]), 1, desc="NaN weight"),
                 bad(arr([[1.0, 1.0], [0.0, 0.0]]), 1, True, desc="a zero row"),
                 bad(arr([1.0, 2.0]), 3, desc="3 of 2 without replacement"),
                 bad(arr([1.0, 2.0]), 0, desc="0 samples")),
     covers=("multinomial",))

PROBS = shaped([Call((3, 4)), Call(()), Call((0, 2)), Call((2, 3, 2))],
               domain=PROBABILITY)
_row("bernoulli", func("bernoulli"), PROBS, dtypes=FLOATS, differentiable=False,
     compare="meta", variants={"method": method("bernoulli")},
     bad_inputs=(bad(arr([0.5, 1.5]), desc="probability 1.5"),
                 bad(arr([math.nan]), desc="NaN probability"),
                 bad(arr([0, 1], np.int64), desc="int64 input")),
     covers=("bernoulli",))
_row("bernoulli(p)", func("bernoulli", p=0.3), shaped([Call((3, 4)), Call(())]),
     dtypes=ALL_DTYPES[:3], differentiable=False, compare="meta",
     variants={"method": method("bernoulli", p=0.3)},
     bad_inputs=(bad(arr([0.5]), p=1.5, desc="p=1.5"),), covers=("bernoulli",))
_row("bernoulli_", no_grad_inplace("bernoulli_"),
     shaped([Call((3, 4)), Call((3, 4), (0.25,)), Call((3, 4), (like((4,), PROBABILITY),))]),
     dtypes=ALL_DTYPES[:3], differentiable=False, compare="meta",
     bad_inputs=(bad(arr([0.0, 0.0]), -0.5, desc="p=-0.5"),
                 bad(arr([0.0, 0.0, 0.0]), arr([0.5, 0.5]), desc="p (2,) for (3,)")),
     covers=("bernoulli_",))

def _rates(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield from shaped([Call((3, 4)), Call(()), Call((0, 2))], domain=POSITIVE)(rng, dtype)
    yield Sample((np.array([1.0, math.inf], np_dtype(dtype)),), {}, "an infinite rate")


_row("poisson", func("poisson"), _rates, dtypes=FLOATS, differentiable=False, compare="meta",
     known=(KnownDifference("poisson of an infinite rate",
                            "torch returns an undefined number (-9.2e18 on CPU); minitorch "
                            "raises RuntimeError for rates of 1e18 and above",
                            applies=lambda s: "infinite" in s.desc),),
     bad_inputs=(bad(arr([-1.0]), desc="negative rate"), bad(arr([math.nan]), desc="NaN rate"),
                 bad(arr([1], np.int64), desc="int64")),
     covers=("poisson",))
_row("exponential_", no_grad_inplace("exponential_"),
     shaped([Call((3, 4)), Call((3, 4), (2.5,)), Call(())]), dtypes=FLOATS,
     differentiable=False, compare="meta",
     bad_inputs=(bad(arr([0.0]), 0.0, desc="lambda 0"), bad(arr([0], np.int64), desc="int64")),
     covers=("exponential_",))
_row("geometric_", no_grad_inplace("geometric_"),
     shaped([Call((3, 4), (0.3,)), Call((), (0.9,))]), dtypes=NUMERIC,
     differentiable=False, compare="meta",
     bad_inputs=(bad(arr([0.0]), 0.0, desc="p=0"), bad(arr([0.0]), 1.0, desc="p=1"),
                 bad(arr([True], np.bool_), 0.5, desc="bool")),
     covers=("geometric_",))
