"""Op-table rows for the wave-2 reductions (minitorch/ops/reduction.py) and `axis=`.

Same shape as the reduction rows of op_table.py: each names the op, how either
engine calls it, its samples (every rank, dims none / int / negative / tuple,
keepdim, empties, non-contiguous layouts, the special grid, ties), its dtypes
and torch's bad inputs. Three things are special here:
- Ties: median(dim) and nanmedian(dim) return torch's index (the k-th of a
  stable sort), cummax and cummin the last index of a tie; the "ties" samples
  check those index for index.
- The named tuples are also read field by field (values/indices, min/max).
- `axis=` and `keepdims=`: torch's argument parser takes them for dim= and
  keepdim= on every reduction it binds in C++ (not on torch.norm or dist,
  which are Python or take no dim). Every row of a dim-taking op has an "axis"
  variant, and the "axis=" rows cover the reductions of op_table.py.

The lead wires ROWS into the sweep (op_table.ALL_ROWS).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterator

import numpy as np

from parity.op_table import arr, bad
from parity.samples import (
    ALL_DTYPES,
    FLOATS,
    NUMERIC,
    Domain,
    binary,
    np_dtype,
    random_array,
    reduction,
)
from parity.spec import KnownDifference, OpSpec, Sample

FAMILY = "reduction"
ROWS: list[OpSpec] = []
F32 = arr([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
I64 = arr([[1, 2, 3], [4, 5, 6]], np.int64)
DIM_OOR = bad(F32, dim=2, desc="dim 2 of a 2-d tensor")
DIM_TWICE = bad(F32, dim=(0, 0), desc="dim (0, 0)")


def _row(name: str, fn: Callable[..., Any], samples: Any, **kw: Any) -> OpSpec:
    kw.setdefault("covers", (name.split("(")[0],))
    spec = OpSpec(name=name, family=FAMILY, fn=fn, samples=samples, **kw)
    ROWS.append(spec)
    return spec


def _numpy_names(kw: dict[str, Any]) -> dict[str, Any]:
    """dim= -> axis=, keepdim= -> keepdims=: the NumPy spellings torch's parser accepts."""
    names = {"dim": "axis", "keepdim": "keepdims"}
    return {names.get(k, k): v for k, v in kw.items()}


def call(name: str) -> Callable[..., Any]:
    """lib.NAME(x, *args, **kwargs)."""
    return lambda lib, x, *args, **kw: getattr(lib, name)(x, *args, **kw)


def method(name: str) -> Callable[..., Any]:
    return lambda lib, x, *args, **kw: getattr(x, name)(*args, **kw)


def axis_call(name: str) -> Callable[..., Any]:
    """lib.NAME(x, axis=..., keepdims=...): the same call in NumPy's spelling."""
    return lambda lib, x, *args, **kw: getattr(lib, name)(x, *args, **_numpy_names(kw))


def axis_method(name: str) -> Callable[..., Any]:
    return lambda lib, x, *args, **kw: getattr(x, name)(*args, **_numpy_names(kw))


def fields(name: str, first: str = "values", second: str = "indices") -> Callable[..., Any]:
    """The named-tuple form, read by field name."""

    def read(lib: Any, x: Any, **kw: Any) -> Any:
        r = getattr(lib, name)(x, **kw)
        return getattr(r, first), getattr(r, second)

    return read


def forms(name: str, method_too: bool = True) -> dict[str, Callable[..., Any]]:
    """The variants every dim-taking row checks: method, axis= (function and method)."""
    out = {"axis": axis_call(name)}
    if method_too:
        out["method"] = method(name)
        out["method axis"] = axis_method(name)
    return out


def _nan_rows(dtype: str) -> np.ndarray:
    """Rows with one NaN, two NaNs, ties and infinities: median and cummax picks."""
    return np.array([[1.0, math.nan, 3.0, 1.0, 2.0],
                     [math.nan, 2.0, math.nan, 2.0, -math.inf],
                     [2.0, 2.0, 1.0, 1.0, math.inf],
                     [0.0, -0.0, 0.0, 5.0, -1.0]], dtype=np_dtype(dtype))


def with_nan_rows(base: Any, dims: tuple[Any, ...], keepdim: bool = True,
                  extra: tuple[dict[str, Any], ...] = ({},)) -> Any:
    """The base samples plus the NaN rows along each of `dims` (floats only)."""

    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        yield from base(rng, dtype)
        if dtype not in FLOATS:
            return
        x = _nan_rows(dtype)
        for kw in extra:
            for d in dims:
                call_kw = dict(kw) if d is None else {**kw, "dim": d}
                yield Sample((x,), call_kw, f"NaN rows (4, 5) {call_kw}",
                             tags=frozenset({"special", "ties", "quick"}))
                if keepdim and d is not None:
                    yield Sample((x,), {**call_kw, "keepdim": True},
                                 f"NaN rows (4, 5) {call_kw} keepdim", tags=frozenset({"special"}))

    return gen


# -- nansum, nanmean, count_nonzero -----------------------------------------------------------
_row("nansum", call("nansum"), with_nan_rows(reduction(), (None, 0, 1)), dtypes=ALL_DTYPES,
     variants=forms("nansum"), bad_inputs=(DIM_OOR, DIM_TWICE))
_row("nansum(dtype)", lambda lib, x, **kw: lib.nansum(x, dtype=lib.float64, **kw),
     reduction(dims=("none", "int")), dtypes=("float32", "int64", "bool"),
     variants={"method": lambda lib, x, **kw: x.nansum(dtype=lib.float64, **kw)})
_row("nanmean", call("nanmean"), with_nan_rows(reduction(), (None, 0, 1)), dtypes=FLOATS,
     variants=forms("nanmean"),
     bad_inputs=(bad(I64, desc="int64 input"), DIM_OOR))
_row("nanmean(dtype)", lambda lib, x, dtype="float64", **kw:
     lib.nanmean(x, dtype=getattr(lib, dtype), **kw),
     with_nan_rows(reduction(dims=("none", "int")), (None, 1)), dtypes=("float32",),
     bad_inputs=(bad(F32, dtype="int64", desc="dtype=int64 (not floating)"),))
_row("count_nonzero", call("count_nonzero"),
     with_nan_rows(reduction(keepdim=False), (None, 0, -1, (0, 1)), keepdim=False),
     dtypes=ALL_DTYPES, differentiable=False, variants=forms("count_nonzero"),
     bad_inputs=(DIM_OOR, DIM_TWICE,
                 bad(F32, dim=0, keepdim=True, desc="keepdim (not an argument)")))

# -- var_mean, std_mean (functions only, as in torch) -----------------------------------------
VAR_KWARGS = ({}, {"correction": 0}, {"unbiased": False}, {"correction": 2})
WELFORD_MEAN = KnownDifference(
    "the mean of var_mean/std_mean over a slice holding an infinity",
    "torch's Welford update meets inf - inf and gives NaN (or inf, depending on where the inf "
    "sits); minitorch gives the plain mean, inf (the variance is NaN in both)",
    applies=lambda s: "special" in s.desc)


def _positional_var(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    """torch's other overloads: (input, unbiased) and (input, dim, unbiased, keepdim)."""
    x = random_array(rng, (3, 4), dtype)
    yield Sample((x, False), {}, "(3, 4) unbiased=False", tags=frozenset({"quick", "gradcheck"}))
    yield Sample((x, 1, True, True), {}, "(3, 4) dim=1 unbiased keepdim")
    yield Sample((x, (0, 1), False, False), {}, "(3, 4) dim=(0, 1) biased")


for _name in ("var_mean", "std_mean"):
    _row(_name, call(_name), reduction(kwargs=VAR_KWARGS), variants=forms(_name, False),
         known=(WELFORD_MEAN,),
         bad_inputs=(bad(I64, desc="int64 input"), DIM_OOR,
                     bad(F32, dim=0, unbiased=True, correction=1,
                         desc="unbiased and correction")))
    _row(f"{_name}(positional)", lambda lib, x, *a, _n=_name: getattr(lib, _n)(x, *a),
         _positional_var, covers=(_name,))

# -- median, nanmedian ------------------------------------------------------------------------
TORCH_EXPANDED_MEDIAN = KnownDifference(
    "median(dim) and nanmedian(dim) of an expanded (stride-0) input",
    "a torch 2.13 bug: its CPU kernel reads the wrong memory for a stride-0 dim and returns "
    "garbage (e.g. 8e-215 for a (1, 4) tensor expanded to (3, 4)); minitorch gives the median",
    applies=lambda s: s.desc.startswith("expanded"))
ALL_NAN_INDEX = KnownDifference(
    "nanmedian(dim) index of an all-NaN slice longer than 3",
    "torch's nth_element then runs with a comparator that holds both ways for two NaNs, so "
    "its pick depends on libstdc++ internals; the value (NaN) agrees, we give the first index",
    applies=lambda s: "all-NaN" in s.desc)


def _all_nan(base: Any) -> Any:
    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        yield from base(rng, dtype)
        if dtype in FLOATS:
            x = np.full((2, 3), math.nan, dtype=np_dtype(dtype))
            x[1, 0] = 1.0
            yield Sample((x,), {"dim": 1}, "all-NaN row of 3 (2, 3) dim=1",
                         tags=frozenset({"special"}))
            yield Sample((np.full((2, 6), math.nan, dtype=np_dtype(dtype)),), {"dim": 1},
                         "all-NaN rows of 6 (2, 6) dim=1", tags=frozenset({"special"}))

    return gen


for _name in ("median", "nanmedian"):
    _row(_name, call(_name), with_nan_rows(reduction(dims=("none",), ties=True), (None,)),
         dtypes=NUMERIC, variants={"method": method(_name)},
         bad_inputs=(bad(arr([True, False], np.bool_), desc="bool"),
                     bad(F32, keepdim=True, desc="keepdim without dim"),
                     bad(F32, dim=None, desc="dim=None")))
    _row(f"{_name}(dim)", call(_name),
         _all_nan(with_nan_rows(reduction(dims=("int", "neg"), ties=True), (0, 1))),
         dtypes=NUMERIC, variants={**forms(_name), "values/indices": fields(_name)},
         bad_inputs=(DIM_OOR, bad(F32, dim=(0, 1), desc="dim a tuple"),
                     bad(arr(np.ones((0, 3))), dim=0, desc="empty dim"),
                     bad(arr([True, False], np.bool_), dim=0, desc="bool")),
         known=(TORCH_EXPANDED_MEDIAN,) + ((ALL_NAN_INDEX,) if _name == "nanmedian" else ()),
         covers=(_name,))

# -- cummax, cummin, logcumsumexp -------------------------------------------------------------
for _name in ("cummax", "cummin"):
    _row(_name, call(_name),
         with_nan_rows(reduction(dims=("int", "neg"), keepdim=False, ties=True), (0, 1),
                       keepdim=False),
         dtypes=ALL_DTYPES, variants={**forms(_name), "values/indices": fields(_name)},
         bad_inputs=(DIM_OOR, bad(F32, dim=None, desc="dim=None")))
_row("logcumsumexp", call("logcumsumexp"),
     reduction(dims=("int", "neg"), keepdim=False, logits=True), dtypes=FLOATS,
     variants=forms("logcumsumexp"),
     bad_inputs=(DIM_OOR, bad(I64, dim=0, desc="int64"),
                 bad(arr([True, False], np.bool_), dim=0, desc="bool")))

# -- aminmax, dist ------------------------------------------------------------------------------
_row("aminmax", call("aminmax"),
     with_nan_rows(reduction(dims=("none", "int", "neg"), ties=True), (None, 0, 1)),
     dtypes=ALL_DTYPES, variants={**forms("aminmax"), "min/max": fields("aminmax", "min", "max")},
     bad_inputs=(bad(arr(np.ones((0, 3))), desc="empty, no dim"),
                 bad(arr(np.ones((0, 3))), dim=0, desc="empty dim"),
                 bad(F32, dim=(0, 1), desc="dim a tuple"), bad(F32, 0, desc="dim positional"),
                 DIM_OOR))


def _dist_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    pairs = binary(domain=Domain(-2.0, 2.0, avoid=()), scalars=False, promote=False)
    for i, s in enumerate(pairs(rng, dtype)):
        for p in (2, 1, 3, 0, math.inf, -math.inf, 0.5):
            if i and p not in (2, math.inf):
                continue  # every p on the first pairs; the common two on the rest
            tags = s.tags if p == 2 else frozenset({"gradcheck"} & s.tags)
            yield Sample(s.args, {"p": p}, f"{s.desc} p={p}", tags=tags)
    x = random_array(rng, (3, 4), dtype)
    yield Sample((x, x.copy()), {}, "equal inputs (a kink: subgradient 0)",
                 tags=frozenset({"quick"}))
    yield Sample((x, random_array(rng, (3, 4), "float64")), {}, "mixed float32/float64")


_row("dist", call("dist"), _dist_samples, variants={"method": method("dist")},
     known=(KnownDifference(
         "the backward of dist(p=0) of two 0-d tensors",
         "torch raises an internal error (its p=0 gradient is an undefined tensor); "
         "minitorch passes no gradient, as p=0 has none",
         applies=lambda s: s.desc.startswith("0-d") and s.kwargs.get("p") == 0),),
     bad_inputs=(bad(F32, arr(np.ones(4)), desc="shapes (2, 3) and (4,)"),
                 bad(I64, I64, desc="int64 with int64"), bad(F32, 2.0, desc="other a float"),
                 bad(F32, F32, p="fro", desc="p='fro'"),
                 bad(arr(np.ones(0)), arr(np.ones(0)), p=math.inf, desc="empty, p=inf")))


# -- axis= and keepdims= on the reductions of op_table.py --------------------------------------
def _axis_row(name: str, dims: tuple[str, ...], dtypes: tuple[str, ...], keepdim: bool = True,
              **kw: Any) -> None:
    _row(f"{name}(axis=)", axis_call(name),
         reduction(dims=dims, keepdim=keepdim, special=False, empty=False, **kw),
         dtypes=dtypes, variants={"method": axis_method(name)}, covers=(name,))


_axis_row("sum", ("int", "neg", "tuple"), ALL_DTYPES)
_axis_row("mean", ("int", "tuple"), FLOATS)
_axis_row("prod", ("int", "neg"), NUMERIC)
_axis_row("max", ("int", "neg"), NUMERIC, ties=True)
_axis_row("min", ("int", "neg"), NUMERIC, ties=True)
_axis_row("amax", ("int", "tuple"), NUMERIC, ties=True)
_axis_row("amin", ("int", "tuple"), NUMERIC, ties=True)
_axis_row("argmax", ("int", "neg"), NUMERIC, ties=True)
_axis_row("argmin", ("int", "neg"), NUMERIC, ties=True)
_axis_row("var", ("int", "tuple"), FLOATS)
_axis_row("std", ("int", "tuple"), FLOATS)
_axis_row("logsumexp", ("int", "tuple"), FLOATS)
for _name in ("cumsum", "cumprod", "softmax", "log_softmax"):
    _axis_row(_name, ("int", "neg"), FLOATS if "softmax" in _name else NUMERIC, keepdim=False)

# Where torch refuses the NumPy names: both spellings at once, torch.norm (Python code in
# torch/functional.py, no axis=), keepdims= on ops without a keepdim (cumsum, count_nonzero).
_row("axis refused", lambda lib, op, x, **kw: getattr(lib, op)(x, **kw),
     lambda rng, dtype: iter([Sample(("sum", F32), {"axis": 0}, "sum(axis=0) is accepted",
                                     tags=frozenset({"quick"}))]),
     bad_inputs=tuple(bad(op, F32, desc=f"{op}({kw})", **kw) for op, kw in (
         ("sum", {"dim": 0, "axis": 0}), ("amax", {"axis": 0, "keepdim": True, "keepdims": True}),
         ("norm", {"axis": 0}), ("norm", {"dim": 0, "keepdims": True}),
         ("cumsum", {"axis": 0, "keepdims": True}),
         ("count_nonzero", {"axis": 0, "keepdims": True}),
         ("dist", {"axis": 0}))),
     covers=("sum",))
