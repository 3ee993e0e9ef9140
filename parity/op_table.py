"""The op table: every core op of API.md "Tensors" and "Operations", declared once.

Each row says how to call the op in either engine (`fn(lib, *args)`, lib
being `minitorch` or `torch`), which samples to sweep (samples.py), which
dtypes, whether it is differentiable, its method and operator variants, the
bad inputs torch rejects, and the API.md names it covers. Tolerance
overrides and known differences carry their reason beside them.

parity/nn_table.py and the parity/rows_*.py files add their rows to the same sweep;
bench/ times the rows with `bench=True`.
"""

from __future__ import annotations

import math
import operator
from dataclasses import replace
from typing import Any, Callable, Iterator

import numpy as np

from parity.convert import DType, Raw
from parity.samples import (
    ALL_DTYPES,
    ANY,
    FLOATS,
    NONZERO,
    NUMERIC,
    POSITIVE,
    SMOOTH,
    UNIT,
    Call,
    Domain,
    binary,
    index_array,
    like,
    random_array,
    reduction,
    shaped,
    tensors,
    unary,
)
from parity.spec import OpSpec, Sample, SampleFn

# -- how rows call the engines ---------------------------------------------------------------


def func(name: str, **fixed: Any) -> Callable[..., Any]:
    """lib.NAME(*args, **kwargs)."""
    path = name.split(".")

    def call(lib: Any, *args: Any, **kwargs: Any) -> Any:
        f = lib
        for p in path:
            f = getattr(f, p)
        return f(*args, **kwargs, **fixed)

    call.__name__ = name
    return call


def method(name: str, **fixed: Any) -> Callable[..., Any]:
    """args[0].NAME(*args[1:], **kwargs)."""

    def call(lib: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(x, name)(*args, **kwargs, **fixed)

    call.__name__ = f"Tensor.{name}"
    return call


def binop(op: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    """An operator form: op(a, b) (kwargs are not expressible and make the form not apply)."""

    def call(lib: Any, a: Any, b: Any, **kwargs: Any) -> Any:
        if kwargs:
            raise TypeError("operator form takes no keyword arguments")
        return op(a, b)

    return call


def unop(op: Callable[[Any], Any]) -> Callable[..., Any]:
    def call(lib: Any, a: Any, **kwargs: Any) -> Any:
        if kwargs:
            raise TypeError("operator form takes no keyword arguments")
        return op(a)

    return call


def fm(name: str, **fixed: Any) -> dict[str, Callable[..., Any]]:
    """The method variant of a function row."""
    return {"method": method(name, **fixed)}


ROWS: list[OpSpec] = []


def row(name: str, family: str, fn: Callable[..., Any], samples: SampleFn, **kw: Any) -> OpSpec:
    spec = OpSpec(name=name, family=family, fn=fn, samples=samples, **kw)
    ROWS.append(spec)
    return spec


def bad(*args: Any, desc: str = "", grad_args: tuple[int, ...] | None = None,
        **kwargs: Any) -> Sample:
    return Sample(tuple(args), kwargs, desc, grad_args=grad_args)


def arr(values: Any, dtype: Any = np.float32) -> np.ndarray:
    return np.asarray(values, dtype=dtype)


F32 = arr([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]])
I64 = arr([[1, 2], [3, 4]], np.int64)

# -- arithmetic ------------------------------------------------------------------------------
ARITH = "arithmetic"
MISMATCH = bad(arr(np.ones((3, 4))), arr(np.ones((5,))), desc="(3, 4) with (5,)")

row("add", ARITH, func("add"), binary(), dtypes=ALL_DTYPES,
    variants={"method": method("add"), "+": binop(operator.add)},
    bad_inputs=(MISMATCH,), covers=("add", "+", "reflected operators", "type promotion"))
row("add(alpha)", ARITH, func("add", alpha=2), binary(scalars=False, special=False),
    dtypes=NUMERIC, variants={"method": method("add", alpha=2)},
    bad_inputs=(bad(arr([1, 2], np.int64), arr([1, 2], np.int64), alpha=0.5,
                    desc="int alpha 0.5"),), covers=("add",))
row("sub", ARITH, func("sub"), binary(), dtypes=ALL_DTYPES,
    variants={"method": method("sub"), "-": binop(operator.sub)},
    bad_inputs=(MISMATCH, bad(arr([True, False], np.bool_), arr([True, True], np.bool_),
                              desc="bool - bool")),
    covers=("sub", "-"))
row("sub(alpha)", ARITH, func("sub", alpha=-1.5), binary(scalars=False, special=False),
    variants={"method": method("sub", alpha=-1.5)}, covers=("sub",))
row("mul", ARITH, func("mul"), binary(), dtypes=ALL_DTYPES,
    variants={"method": method("mul"), "*": binop(operator.mul)},
    bad_inputs=(MISMATCH,), covers=("mul", "*"))
row("div", ARITH, func("div"), binary(other=NONZERO), dtypes=ALL_DTYPES,
    variants={"method": method("div"), "/": binop(operator.truediv),
              "true_divide": func("true_divide")},
    bad_inputs=(MISMATCH, bad(F32, F32, rounding_mode="bad", desc="rounding_mode='bad'")),
    covers=("div", "/"))
row("div(trunc)", ARITH, func("div", rounding_mode="trunc"), binary(other=NONZERO),
    dtypes=NUMERIC, variants={"method": method("div", rounding_mode="trunc")},
    covers=("div(rounding_mode)",))
row("div(floor)", ARITH, func("div", rounding_mode="floor"), binary(other=NONZERO),
    dtypes=NUMERIC, variants={"method": method("div", rounding_mode="floor")},
    covers=("div(rounding_mode)",))
row("floor_divide", ARITH, func("floor_divide"), binary(other=NONZERO), dtypes=NUMERIC,
    variants={"method": method("floor_divide"), "//": binop(operator.floordiv)},
    bad_inputs=(bad(arr([1, 2], np.int64), arr([0, 1], np.int64), desc="int // 0"),),
    covers=("//",))
row("remainder", ARITH, func("remainder"), binary(other=NONZERO), dtypes=NUMERIC,
    variants={"method": method("remainder"), "%": binop(operator.mod)},
    bad_inputs=(bad(arr([1, 2], np.int64), arr([0, 1], np.int64), desc="int % 0"),),
    covers=("%",))
row("fmod", ARITH, func("fmod"), binary(other=NONZERO, scalars=False), dtypes=NUMERIC,
    covers=("fmod",))
EXPONENT = Domain(-2.0, 2.0, avoid=(), int_low=0, int_high=3)
row("pow", ARITH, func("pow"), binary(domain=POSITIVE, other=EXPONENT), dtypes=NUMERIC,
    variants={"method": method("pow"), "**": binop(operator.pow)},
    bad_inputs=(bad(arr([1, 2], np.int64), -1, desc="int tensor ** -1"),),
    covers=("pow", "**"))
row("pow(scalar exponent)", ARITH, lambda lib, x, exponent: lib.pow(x, exponent),
    unary(POSITIVE, kwargs=({"exponent": 2}, {"exponent": 0.5}, {"exponent": -1},
                            {"exponent": 0}, {"exponent": 3}, {"exponent": -2.5})),
    dtypes=FLOATS, variants={"**": lambda lib, x, exponent: x ** exponent,
                             "method": lambda lib, x, exponent: x.pow(exponent)},
    covers=("pow", "**"))
row("neg", ARITH, func("neg"), unary(), dtypes=ALL_DTYPES,
    variants={"method": method("neg"), "unary -": unop(operator.neg)}, covers=("neg", "unary -"))
row("abs", ARITH, func("abs"), unary(), dtypes=ALL_DTYPES,
    variants={"method": method("abs"), "abs()": unop(abs)}, covers=("abs",))
row("maximum", ARITH, func("maximum"), binary(scalars=False), dtypes=ALL_DTYPES,
    variants=fm("maximum"), covers=("maximum",))
row("minimum", ARITH, func("minimum"), binary(scalars=False), dtypes=ALL_DTYPES,
    variants=fm("minimum"), covers=("minimum",))

BOUNDS = (-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0)  # values on and around the clamp bounds below
row("clamp", ARITH, lambda lib, x, **kw: lib.clamp(x, **kw),
    unary(ANY, extra=BOUNDS, kwargs=({"min": -0.5, "max": 1.0}, {"min": 0.0},
                                     {"max": 0.5}, {"min": 1.0, "max": -1.0})),
    dtypes=FLOATS, variants={"method": lambda lib, x, **kw: x.clamp(**kw),
                             "clip": lambda lib, x, **kw: lib.clip(x, **kw)},
    bad_inputs=(bad(F32, desc="neither min nor max"),), covers=("clamp",))
row("clamp(int)", ARITH, lambda lib, x, **kw: lib.clamp(x, **kw),
    unary(ANY, kwargs=({"min": -1, "max": 2}, {"min": 0})), dtypes=("int64",),
    differentiable=False, covers=("clamp",))


def _clamp_tensors(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    """clamp with tensor bounds, broadcast, and x sitting exactly on a bound."""
    for i, (sx, sb) in enumerate((((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3, 4), ()))):
        x = random_array(rng, sx, dtype)
        lo = random_array(rng, sb, dtype, Domain(-1.0, -0.1, avoid=()))
        hi = random_array(rng, sb, dtype, Domain(0.1, 1.0, avoid=()))
        tags = frozenset({"quick", "gradcheck"}) if i == 0 else frozenset()
        yield Sample((x, lo, hi), {}, f"{sx} between {sb} bounds", tags=tags)
    x = random_array(rng, (3, 4), dtype)
    lo = random_array(rng, (3, 4), dtype)
    x[0] = lo[0]  # exactly on the lower bound: torch passes the gradient there
    yield Sample((x, lo, None), {}, "(3, 4) on its lower bound", tags=frozenset({"special"}))
    yield Sample((x, None, lo), {}, "(3, 4) on its upper bound", tags=frozenset({"special"}))


row("clamp(tensor bounds)", ARITH, lambda lib, x, lo, hi: lib.clamp(x, lo, hi), _clamp_tensors,
    dtypes=FLOATS, variants={"method": lambda lib, x, lo, hi: x.clamp(lo, hi)},
    covers=("clamp",))


def _where(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    shapes = (((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((2, 1, 4), (3, 4), ()),
              ((0, 3), (0, 3), (3,)))
    for i, (sc, sx, sy) in enumerate(shapes):
        cond = rng.random(sc) < 0.5
        tags = frozenset({"quick", "gradcheck"}) if i == 0 else frozenset()
        yield Sample((cond, random_array(rng, sx, dtype), random_array(rng, sy, dtype)), {},
                     f"cond {sc}, x {sx}, y {sy}", tags=tags)
    cond = rng.random((3, 4)) < 0.5
    yield Sample((cond, random_array(rng, (3, 4), dtype), 0.0 if dtype in FLOATS else 0), {},
                 "(3, 4) with scalar y")
    yield Sample((cond, 1.5 if dtype in FLOATS else 1, random_array(rng, (3, 4), dtype)), {},
                 "scalar x with (3, 4)")
    if dtype == "float32":
        yield Sample((cond, random_array(rng, (3, 4), "float32"),
                      random_array(rng, (3, 4), "float64")), {}, "float32 with float64")


row("where", ARITH, func("where"), _where, dtypes=ALL_DTYPES,
    variants={"method": lambda lib, c, x, y: x.where(c, y) if hasattr(x, "where")
              else lib.where(c, x, y)},
    bad_inputs=(bad(arr([1.0, 2.0]), F32, F32, desc="float condition"),), covers=("where",))


def _lerp(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for i, (s0, s1, w) in enumerate((((3, 4), (3, 4), 0.3), ((3, 4), (3, 4), 0.75),
                                     ((3, 4), (4,), "t"), ((2, 3, 4), (3, 4), "t0"),
                                     ((5,), (5,), 1.5), ((5,), (5,), -0.5))):
        a, b = random_array(rng, s0, dtype), random_array(rng, s1, dtype)
        weight: Any = w
        if w == "t":
            weight = random_array(rng, (3, 4), dtype, Domain(0.0, 1.0, avoid=()))
        elif w == "t0":
            weight = random_array(rng, (), dtype, Domain(0.0, 1.0, avoid=()))
        tags = frozenset({"quick", "gradcheck"}) if i == 0 else frozenset()
        yield Sample((a, b, weight), {}, f"{s0} to {s1}, weight {w}", tags=tags)


row("lerp", ARITH, func("lerp"), _lerp, variants=fm("lerp"), covers=("lerp",))


def _addc(divide: bool) -> SampleFn:
    """input, tensor1, tensor2 (and value): equal shapes, all three broadcasting, a 0-d
    operand, value 1 and another; tensor2 kept away from 0 for addcdiv."""
    def samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        t2_domain = NONZERO if divide else ANY
        value = 0.5 if dtype in FLOATS else 3
        cases = (((3, 4), (3, 4), (3, 4), 1), ((3, 4), (3, 4), (3, 4), value),
                 ((3, 1), (1, 4), (2, 1, 1), value), ((), (5,), (2, 5), -2),
                 ((2, 3), (), (2, 3), value))
        for i, (s0, s1, s2, v) in enumerate(cases):
            args = (random_array(rng, s0, dtype), random_array(rng, s1, dtype),
                    random_array(rng, s2, dtype, t2_domain))
            tags = frozenset({"quick", "gradcheck"}) if i < 3 else frozenset()
            yield Sample(args, {"value": v}, f"{s0}, {s1}, {s2}, value {v}", tags=tags)
    return samples


row("addcmul", ARITH, func("addcmul"), _addc(False), dtypes=FLOATS + ("int64",),
    variants=fm("addcmul"), bad_inputs=(bad(F32, F32, arr(np.ones(5)), desc="(3, 4) with (5,)"),),
    covers=("addcmul",))
row("addcdiv", ARITH, func("addcdiv"), _addc(True), variants=fm("addcdiv"),
    bad_inputs=(bad(I64, I64, I64, desc="integer division"),), covers=("addcdiv",))

# -- elementwise math ------------------------------------------------------------------------
ELEM = "elementwise"
HALVES = (-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999997, -0.49999997)
UNARY_MATH: tuple[tuple[str, Domain, tuple[float, ...]], ...] = (
    ("reciprocal", NONZERO, ()),
    ("square", ANY, ()),
    ("sqrt", POSITIVE, ()),
    ("rsqrt", POSITIVE, ()),
    ("exp", ANY, (88.7, 89.0, -103.0, 709.0, 710.0, -745.0)),
    ("exp2", ANY, (127.0, 128.0, -149.0, 1023.0, 1024.0)),
    ("expm1", ANY, (1e-10, -1e-10, 88.0, 89.0)),
    ("log", POSITIVE, (1e-45, 1e-300, 3.4e38)),
    ("log2", POSITIVE, (1e-45, 0.5, 2.0, 1024.0)),
    ("log10", POSITIVE, (1e-45, 10.0, 1000.0)),
    ("log1p", Domain(-0.9, 3.0, avoid=()), (-1.0, -0.999999, 1e-10, -1e-10)),
    ("sin", ANY, (1e6, 1e10)),
    ("cos", ANY, (1e6, 1e10)),
    ("tan", Domain(-1.2, 1.2, avoid=()), (math.pi / 2, 1e6)),
    ("tanh", ANY, (10.0, -10.0, 20.0, 1e-8)),
    ("sigmoid", ANY, (-88.0, -104.0, 88.0, 40.0, -40.0)),
    ("relu", ANY, ()),
    ("sign", ANY, ()),
    ("floor", ANY, HALVES),
    ("ceil", ANY, HALVES),
    ("round", ANY, HALVES),
    ("trunc", ANY, HALVES),
    ("erf", SMOOTH, (1e-8, 0.5, 3.0, 6.0, -6.0)),
    ("asin", UNIT, (1.0, -1.0, 0.99999)),
    ("acos", UNIT, (1.0, -1.0, 0.99999)),
    ("atan", ANY, (1e10, -1e10)),
    ("sinh", ANY, (89.0, 710.0)),
    ("cosh", ANY, (89.0, 710.0)),
)
for _name, _domain, _extra in UNARY_MATH:
    row(_name, ELEM, func(_name), unary(_domain, extra=_extra), dtypes=ALL_DTYPES,
        variants=fm(_name), covers=(_name,))

row("round(decimals)", ELEM, lambda lib, x, decimals: lib.round(x, decimals=decimals),
    unary(ANY, extra=(0.125, 0.375, -2.675, 1234.5678),
          kwargs=({"decimals": 1}, {"decimals": 2}, {"decimals": -1})),
    variants={"method": lambda lib, x, decimals: x.round(decimals=decimals)}, covers=("round",))

# -- comparisons and logic -------------------------------------------------------------------
CMP = "comparison"
for _name, _op, _sym in (("eq", operator.eq, "=="), ("ne", operator.ne, "!="),
                         ("lt", operator.lt, "<"), ("le", operator.le, "<="),
                         ("gt", operator.gt, ">"), ("ge", operator.ge, ">=")):
    row(_name, CMP, func(_name), binary(), dtypes=ALL_DTYPES, differentiable=False,
        variants={"method": method(_name), _sym: binop(_op)}, bad_inputs=(MISMATCH,),
        covers=(_name, _sym))
for _name in ("logical_and", "logical_or"):
    row(_name, CMP, func(_name), binary(), dtypes=ALL_DTYPES, differentiable=False,
        variants=fm(_name), covers=(_name,))
row("logical_not", CMP, func("logical_not"), unary(), dtypes=ALL_DTYPES, differentiable=False,
    variants=fm("logical_not"), covers=("logical_not",))
row("bool operators", CMP, binop(operator.and_), binary(scalars=False, promote=False),
    dtypes=("bool",),
    differentiable=False,
    variants={"|": binop(operator.or_), "^": binop(operator.xor),
              "~": lambda lib, a, b: ~a})
for _name in ("isnan", "isinf", "isfinite"):
    row(_name, CMP, func(_name), unary(), dtypes=ALL_DTYPES, differentiable=False,
        variants=fm(_name), covers=(_name,))
for _name in ("all", "any"):
    row(_name, CMP, lambda lib, x, _n=_name, **kw: getattr(lib, _n)(x, **kw),
        reduction(dims=("none", "int", "neg")), dtypes=ALL_DTYPES, differentiable=False,
        variants={"method": lambda lib, x, _n=_name, **kw: getattr(x, _n)(**kw)},
        covers=(_name,))


def _allclose(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = random_array(rng, (3, 4), dtype)
    yield Sample((x, x.copy()), {}, "equal", tags=frozenset({"quick"}))
    close = (x + np.asarray(1e-6, x.dtype) * x).astype(x.dtype)
    yield Sample((x, close), {}, "within rtol")
    yield Sample((x, (x + np.asarray(1e-3, x.dtype)).astype(x.dtype)), {}, "1e-3 apart")
    yield Sample((x, (x + np.asarray(1e-3, x.dtype)).astype(x.dtype)), {"atol": 1e-2},
                 "1e-3 apart, atol 1e-2")
    yield Sample((x, random_array(rng, (4,), dtype)), {}, "broadcast (3, 4) with (4,)")
    nan = np.array([1.0, np.nan, np.inf], dtype=x.dtype)
    yield Sample((nan, nan.copy()), {}, "nan and inf")
    yield Sample((nan, nan.copy()), {"equal_nan": True}, "nan and inf, equal_nan")


row("allclose", CMP, func("allclose"), _allclose, differentiable=False,
    variants=fm("allclose"), covers=("allclose",))
row("equal", CMP, func("equal"), binary(scalars=False, promote=False), dtypes=ALL_DTYPES,
    differentiable=False, variants=fm("equal"))

# -- reductions ------------------------------------------------------------------------------
RED = "reduction"


def reduce_fn(name: str) -> Callable[..., Any]:
    return lambda lib, x, **kw: getattr(lib, name)(x, **kw)


def reduce_method(name: str) -> dict[str, Callable[..., Any]]:
    return {"method": lambda lib, x, **kw: getattr(x, name)(**kw)}


AXIS_OOR = bad(F32, dim=2, desc="dim 2 of a 2-d tensor")
row("sum", RED, reduce_fn("sum"), reduction(), dtypes=ALL_DTYPES, variants=reduce_method("sum"),
    bad_inputs=(AXIS_OOR, bad(F32, dim=(0, 0), desc="dim (0, 0)")), covers=("sum",))
row("sum(dtype)", RED, lambda lib, x, **kw: lib.sum(x, dtype=lib.float64, **kw),
    reduction(dims=("none", "int")), dtypes=("float32", "int64"),
    variants={"method": lambda lib, x, **kw: x.sum(dtype=lib.float64, **kw)}, covers=("sum",))
row("mean", RED, reduce_fn("mean"), reduction(), dtypes=FLOATS + ("int64",),
    variants=reduce_method("mean"), bad_inputs=(AXIS_OOR,), covers=("mean",))
row("prod", RED, reduce_fn("prod"), reduction(dims=("none", "int", "neg"), zeros=True),
    dtypes=NUMERIC, variants=reduce_method("prod"), covers=("prod",))
row("max", RED, func("max"), reduction(dims=("none",), ties=True), dtypes=ALL_DTYPES,
    variants=fm("max"), bad_inputs=(bad(arr(np.ones((0, 3))), desc="empty"),), covers=("max",))
row("min", RED, func("min"), reduction(dims=("none",), ties=True), dtypes=ALL_DTYPES,
    variants=fm("min"), covers=("min",))


def _named(name: str) -> Callable[..., Any]:
    def call(lib: Any, x: Any, **kw: Any) -> Any:
        r = getattr(x, name)(**kw)
        return r.values, r.indices

    return call


for _name in ("max", "min"):
    row(f"{_name}(dim)", RED, reduce_fn(_name),
        reduction(dims=("int", "neg"), ties=True), dtypes=ALL_DTYPES,
        variants={"method": reduce_method(_name)["method"], "values/indices": _named(_name)},
        bad_inputs=(AXIS_OOR, bad(arr(np.ones((0, 3))), dim=0, desc="empty dim")),
        covers=(_name, f"{_name}(dim)"))
for _name in ("amax", "amin"):
    row(_name, RED, reduce_fn(_name), reduction(ties=True), dtypes=ALL_DTYPES,
        variants=reduce_method(_name), bad_inputs=(AXIS_OOR,), covers=(_name,))
for _name in ("argmax", "argmin"):
    row(_name, RED, reduce_fn(_name), reduction(dims=("none", "int", "neg"), ties=True),
        dtypes=NUMERIC, differentiable=False, variants=reduce_method(_name), covers=(_name,))
for _name in ("var", "std"):
    row(_name, RED, reduce_fn(_name),
        reduction(kwargs=({}, {"correction": 0}, {"unbiased": False}, {"correction": 2})),
        variants=reduce_method(_name), bad_inputs=(bad(arr([1, 2], np.int64), desc="int"),),
        covers=(_name,))
row("logsumexp", RED, reduce_fn("logsumexp"),
    reduction(dims=("int", "neg", "tuple"), logits=True), dtypes=FLOATS + ("int64",),
    variants=reduce_method("logsumexp"), covers=("logsumexp",))
row("norm", RED, reduce_fn("norm"),
    reduction(kwargs=({}, {"p": 1}, {"p": math.inf}, {"p": 3}), zeros=True),
    variants=reduce_method("norm"), covers=("norm",))
for _name in ("cumsum", "cumprod"):
    row(_name, RED, reduce_fn(_name),
        reduction(dims=("int", "neg"), keepdim=False, zeros=_name == "cumprod"),
        dtypes=NUMERIC + ("bool",), variants=reduce_method(_name),
        bad_inputs=(AXIS_OOR,), covers=(_name,))
for _name in ("softmax", "log_softmax"):
    row(_name, RED, reduce_fn(_name), reduction(dims=("int", "neg"), keepdim=False, logits=True),
        variants=reduce_method(_name))

# -- shape -----------------------------------------------------------------------------------
SHAPE = "shape"


def shape_row(name: str, fn: Callable[..., Any], calls: list[Call], **kw: Any) -> OpSpec:
    kw.setdefault("dtypes", ALL_DTYPES)
    kw.setdefault("covers", (name,))
    return row(name, SHAPE, fn, shaped(calls), **kw)


RESHAPES = [Call((3, 4), ((12,),), noncontig=True), Call((3, 4), ((2, -1, 3),)),
            Call((2, 3, 4), ((4, 6),)), Call((), ((1,),)), Call((5,), ((5, 1),)),
            Call((1,), ((),)), Call((0, 3), ((3, 0),)), Call((1, 0, 5), ((-1, 5),))]
shape_row("reshape", lambda lib, x, s: lib.reshape(x, s), RESHAPES,
          variants={"method": lambda lib, x, s: x.reshape(s),
                    "method(*sizes)": lambda lib, x, s: x.reshape(*s) if s else x.reshape(())},
          bad_inputs=(bad(F32, (5,), desc="12 elements into (5,)"),
                      bad(F32, (-1, -1), desc="two -1")))
shape_row("view", lambda lib, x, s: x.view(s), RESHAPES,
          variants={"view(*sizes)": lambda lib, x, s: x.view(*s) if s else x.view(())},
          bad_inputs=(bad(np.ascontiguousarray(F32.T).T, (12,), desc="transposed into (12,)"),))
shape_row("flatten", lambda lib, x, *a: lib.flatten(x, *a),
          [Call((2, 3, 4)), Call((2, 3, 4), (1,)), Call((2, 3, 4), (0, 1)), Call(()),
           Call((3, 4), (-2, -1), noncontig=True), Call((0, 3))],
          variants={"method": lambda lib, x, *a: x.flatten(*a)},
          bad_inputs=(bad(F32, 2, desc="start_dim 2"),))
shape_row("unflatten", lambda lib, x, d, s: lib.unflatten(x, d, s),
          [Call((2, 12), (1, (3, 4))), Call((2, 12), (-1, (-1, 2))), Call((6,), (0, (2, 3)))],
          variants={"method": lambda lib, x, d, s: x.unflatten(d, s)},
          bad_inputs=(bad(F32, 1, (3, 3), desc="(3, 4) dim 1 into (3, 3)"),))
shape_row("squeeze", lambda lib, x, *a: lib.squeeze(x, *a),
          [Call((2, 1, 4, 1)), Call((2, 1, 4, 1), (1,)), Call((2, 1, 4, 1), (-1,)),
           Call((2, 1, 4, 1), (0,)), Call((2, 1, 4, 1), ((1, 3),)), Call(()), Call((1,)),
           Call((1, 0, 5))],
          variants={"method": lambda lib, x, *a: x.squeeze(*a)},
          bad_inputs=(bad(F32, 2, desc="dim 2 of a 2-d tensor"),))
shape_row("unsqueeze", lambda lib, x, d: lib.unsqueeze(x, d),
          [Call((3, 4), (0,), noncontig=True), Call((3, 4), (-1,)), Call((3, 4), (1,)),
           Call((), (0,)), Call((0, 3), (2,))],
          variants={"method": lambda lib, x, d: x.unsqueeze(d)},
          bad_inputs=(bad(F32, 3, desc="dim 3 of a 2-d tensor"),))
shape_row("permute", lambda lib, x, d: lib.permute(x, d),
          [Call((2, 3, 4), ((2, 0, 1),)), Call((3, 4), ((1, 0),), noncontig=True),
           Call((), ((),)), Call((2, 1, 4, 1), ((3, 2, 1, 0),)), Call((2, 3, 4), ((-1, 0, 1),))],
          variants={"method": lambda lib, x, d: x.permute(d),
                    "method(*dims)": lambda lib, x, d: x.permute(*d)},
          bad_inputs=(bad(F32, (0, 0), desc="repeated dim"),
                      bad(F32, (0,), desc="too few dims")))
shape_row("transpose", lambda lib, x, a, b: lib.transpose(x, a, b),
          [Call((2, 3, 4), (0, 2)), Call((2, 3, 4), (-1, -2)), Call((3, 4), (0, 1), noncontig=True),
           Call((5,), (0, -1))],
          variants={"method": lambda lib, x, a, b: x.transpose(a, b),
                    "swapaxes": lambda lib, x, a, b: lib.swapaxes(x, a, b),
                    "Tensor.swapaxes": lambda lib, x, a, b: x.swapaxes(a, b),
                    "swapdims": lambda lib, x, a, b: x.swapdims(a, b)},
          bad_inputs=(bad(F32, 0, 2, desc="dim 2 of a 2-d tensor"),),
          covers=("transpose", "swapaxes"))
shape_row("t", lambda lib, x: lib.t(x), [Call((3, 4), noncontig=True), Call((5,)), Call(())],
          variants={"method": lambda lib, x: x.t()},
          bad_inputs=(bad(arr(np.ones((2, 3, 4))), desc="3-d"),), covers=("t",))
shape_row("T", lambda lib, x: x.T, [Call((3, 4), noncontig=True), Call((5,)), Call(()),
                                    Call((2, 3, 4))], covers=("Tensor.T",))
shape_row("mT", lambda lib, x: x.mT, [Call((3, 4), noncontig=True), Call((2, 3, 4))],
          bad_inputs=(bad(arr([1.0, 2.0]), desc="1-d"),), covers=("Tensor.mT",))
shape_row("expand", lambda lib, x, s: x.expand(*s),
          [Call((3, 1), ((3, 4),)), Call((1, 4), ((2, 3, 4),)), Call((3, 1), ((-1, 4),)),
           Call((), ((2, 3),)), Call((1,), ((0,),))],
          variants={"expand(sizes)": lambda lib, x, s: x.expand(s)},
          bad_inputs=(bad(arr(np.ones((3, 2))), (3, 4), desc="(3, 2) to (3, 4)"),))
shape_row("expand_as", lambda lib, x, y: x.expand_as(y),
          [Call((3, 1), (like((3, 4)),)), Call((4,), (like((2, 3, 4)),))])
shape_row("broadcast_to", lambda lib, x, s: lib.broadcast_to(x, s),
          [Call((3, 1), ((3, 4),)), Call((4,), ((2, 3, 4),)), Call((), ((2,),))],
          variants={"method": lambda lib, x, s: x.broadcast_to(s)},
          bad_inputs=(bad(arr(np.ones((3, 2))), (3, 4), desc="(3, 2) to (3, 4)"),))
shape_row("repeat", lambda lib, x, r: x.repeat(*r),
          [Call((3, 4), ((2, 1),), noncontig=True), Call((3, 4), ((1, 2, 3),)),
           Call((), ((2,),)), Call((2, 1, 4, 1), ((1, 3, 1, 2),))],
          variants={"repeat(sizes)": lambda lib, x, r: x.repeat(r)},
          bad_inputs=(bad(F32, (2,), desc="fewer repeats than dims"),))
shape_row("tile", lambda lib, x, r: lib.tile(x, r),
          [Call((3, 4), ((2, 1),)), Call((3, 4), ((2,),)), Call((3, 4), ((2, 1, 2),)),
           Call((), ((3,),))],
          variants={"method": lambda lib, x, r: x.tile(r)})
shape_row("flip", lambda lib, x, d: lib.flip(x, d),
          [Call((3, 4), ((0,),), noncontig=True), Call((3, 4), ((0, 1),)),
           Call((2, 3, 4), ((-1,),)), Call((), ((),))],
          variants={"method": lambda lib, x, d: x.flip(d)})
shape_row("roll", lambda lib, x, *a: lib.roll(x, *a),
          [Call((3, 4), (1, 0), noncontig=True), Call((3, 4), (-2, 1)),
           Call((3, 4), ((1, 2), (0, 1))), Call((3, 4), (5,)), Call((2, 3, 4), (7, -1))],
          variants={"method": lambda lib, x, *a: x.roll(*a)})
shape_row("contiguous", lambda lib, x: x.contiguous(),
          [Call((3, 4), noncontig=True), Call((2, 3, 4))])
shape_row("cat", lambda lib, *xs, dim=0: lib.cat(list(xs), dim=dim),
          [Call((2, 3), (like((4, 3)),), {"dim": 0}), Call((3, 2), (like((3, 1)),), {"dim": 1}),
           Call((3, 2), (like((3, 4)), like((3, 1))), {"dim": -1}),
           Call((0, 3), (like((2, 3)),), {"dim": 0}), Call((2, 3), (like((0,)),), {"dim": 0}),
           Call((2, 3), (like((2, 3)),), {"dim": 0}, noncontig=True)],
          variants={"tuple": lambda lib, *xs, dim=0: lib.cat(tuple(xs), dim=dim)},
          bad_inputs=(bad(F32, arr(np.ones((2, 3))), desc="(3, 4) with (2, 3) on dim 0"),
                      bad(F32, F32, dim=2, desc="dim 2")))
shape_row("stack", lambda lib, *xs, dim=0: lib.stack(list(xs), dim=dim),
          [Call((3, 4), (like((3, 4)),), {"dim": 0}), Call((3, 4), (like((3, 4)),), {"dim": -1}),
           Call((3, 4), (like((3, 4)), like((3, 4))), {"dim": 1}), Call((), (like(()),)),
           Call((3, 4), (like((3, 4)),), {"dim": 2}, noncontig=True)],
          bad_inputs=(bad(F32, arr(np.ones((2, 3))), desc="(3, 4) with (2, 3)"),))
shape_row("split", lambda lib, x, s, dim=0: lib.split(x, s, dim),
          [Call((5, 4), (2,)), Call((5, 4), ([1, 4],)), Call((3, 4), (3,), {"dim": 1}),
           Call((3, 4), ([1, 1, 2],), {"dim": -1}, noncontig=True), Call((3, 4), (10,))],
          variants={"method": lambda lib, x, s, dim=0: x.split(s, dim)},
          bad_inputs=(bad(F32, [1, 1], desc="sections not summing to 3"),))
shape_row("chunk", lambda lib, x, c, dim=0: lib.chunk(x, c, dim),
          [Call((5, 4), (3,)), Call((3, 4), (2,), {"dim": 1}), Call((6,), (4,)),
           Call((3, 4), (5,), noncontig=True)],
          variants={"method": lambda lib, x, c, dim=0: x.chunk(c, dim)})
shape_row("unbind", lambda lib, x, *d: lib.unbind(x, *d),
          [Call((3, 4)), Call((3, 4), (1,), noncontig=True), Call((2, 3, 4), (-1,))],
          variants={"method": lambda lib, x, *d: x.unbind(*d)})
for _name in ("tril", "triu"):
    shape_row(_name, lambda lib, x, *d, _n=_name: getattr(lib, _n)(x, *d),
              [Call((3, 4)), Call((3, 4), (1,), noncontig=True), Call((3, 4), (-1,)),
               Call((2, 3, 4), (0,)), Call((4, 3), (5,)), Call((4, 3), (-5,))],
              variants={"method": lambda lib, x, *d, _n=_name: getattr(x, _n)(*d)},
              bad_inputs=(bad(arr([1.0, 2.0]), desc="1-d"),))

# -- indexing --------------------------------------------------------------------------------
IDX = "indexing"
MASK45 = np.array([[True, False, True, True, False], [False, False, True, False, True],
                   [True, True, True, False, False], [False, False, False, False, True]])
GETITEM: list[tuple[Any, str]] = [
    (1, "t[int]"), (-1, "t[int]"), ((1, 2), "t[int]"), ((-1, -2, 0), "t[int]"),
    (slice(1, 3), "t[slice]"), (slice(None, None, 2), "t[slice]"),
    ((slice(None), slice(1, 4, 2)), "t[slice]"), (slice(-3, None), "t[slice]"),
    (slice(5, 10), "t[slice]"), ((slice(None), slice(3, 1)), "t[slice]"),
    (None, "t[None]"), ((None, 1), "t[None]"), ((slice(None), None, 0), "t[None]"),
    (Ellipsis, "t[...]"), ((Ellipsis, 0), "t[...]"), ((0, Ellipsis, None), "t[...]"),
    ((Ellipsis, None), "t[...]"),
    (np.array([0, 2, 2, 3]), "t[int tensor]"), (np.array([[0, 1], [2, 2]]), "t[int tensor]"),
    (np.array([-1, 0]), "t[int tensor]"), (np.array(2), "t[int tensor]"),
    ((slice(None), np.array([0, 4, 4])), "t[int tensor]"),
    ((np.array([0, 1]), np.array([1, 2])), "t[int tensor]"),
    ((np.array([0, 1]), slice(None), np.array([1, 2])), "t[int tensor]"),
    ((1, np.array([0, 2])), "t[int tensor]"), ((Ellipsis, np.array([0, 2, 0])), "t[int tensor]"),
    ((np.array([[0], [1]]), np.array([1, 2])), "t[int tensor]"),
    ([0, 2, 2], "t[int list]"), ([[0, 1], [1, 0]], "t[int list]"),
    ((slice(None), [4, 0]), "t[int list]"),
    (np.array([True, False, True, True]), "t[bool tensor]"),
    ((slice(None), np.array([True, False, True, False, True])), "t[bool tensor]"),
    (MASK45, "t[bool tensor]"),
    ([True, False, True, True], "t[bool list]"),
]


def _getitem_calls() -> list[Call]:
    calls = []
    for idx, _ in GETITEM:
        calls.append(Call((4, 5, 3), (idx,), desc=f"(4, 5, 3)[{_index_desc(idx)}]"))
    calls.append(Call((4, 5), (slice(1, 3),), desc="(4, 5)[1:3]", noncontig=True))
    calls.append(Call((4, 5), (np.array([3, 0, 3]),), desc="(4, 5)[[3, 0, 3]]", noncontig=True))
    calls.append(Call((4, 5), ((slice(None), np.array([1, 1])),), desc="(4, 5)[:, [1, 1]]",
                      noncontig=True))
    calls.append(Call((), (None,), desc="0-d[None]"))
    calls.append(Call((), (Ellipsis,), desc="0-d[...]"))
    return calls


def _index_desc(idx: Any) -> str:
    from parity.convert import describe_value

    if isinstance(idx, np.ndarray):
        return f"{idx.dtype.name} tensor {idx.tolist()}"
    if isinstance(idx, tuple):
        return ", ".join(_index_desc(i) for i in idx)
    return describe_value(idx)


X453 = arr(np.arange(60).reshape(4, 5, 3), np.float32)
row("getitem", IDX, lambda lib, x, idx: x[idx], shaped(_getitem_calls()), dtypes=ALL_DTYPES,
    bad_inputs=(bad(X453, 4, desc="index 4 of size 4"), bad(X453, (0, 0, 0, 0), desc="4 ints"),
                bad(X453, np.array([5]), desc="int tensor index 5 of size 4"),
                bad(X453, slice(None, None, -1), desc="negative step"),
                bad(X453, np.array([True, False]), desc="bool mask of the wrong length")),
    covers=tuple(sorted({c for _, c in GETITEM})))


def setitem(lib: Any, x: Any, idx: Any, value: Any) -> Any:
    y = x.clone()
    y[idx] = value
    return y


def _scalar_value(rng: np.random.Generator, dtype: str) -> Any:
    return {"bool": True, "int64": 7, "int32": 7}.get(dtype, 2.5)


SETITEM: list[tuple[Any, Any]] = [
    (1, _scalar_value), (1, like((5,))), (slice(1, 3), like((2, 5))), (slice(None), like((5,))),
    ((slice(None), 2), like((4,))), ((slice(None), 2), like((1,))), (np.array([0, 2]),
                                                                     like((2, 5))),
    (np.array([0, 2]), _scalar_value), (MASK45[:, :5], _scalar_value),
    (MASK45, like((int(MASK45.sum()),))), (np.array([True, False, True, False]), like((2, 5))),
    (Ellipsis, like((5,))), ([0, 3], like((2, 5))), ((np.array([0, 1]), np.array([1, 2])),
                                                      like((2,))),
    ((None, 1), like((5,))), ((-1, slice(1, None, 2)), like(())),
]
row("setitem", IDX, setitem,
    shaped([Call((4, 5), (idx, v), desc=f"(4, 5)[{_index_desc(idx)}] = "
                 f"{'scalar' if v is _scalar_value else 'tensor'}",
                 noncontig=i == 1) for i, (idx, v) in enumerate(SETITEM)]),
    dtypes=ALL_DTYPES,
    bad_inputs=(bad(arr(np.ones((4, 5))), 4, 1.0, desc="index 4 of size 4"),
                bad(arr(np.ones((4, 5))), 1, arr(np.ones(3)), desc="(5,) slot = (3,) value")),
    covers=("t[idx] = value",))


def _gather(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = random_array(rng, (3, 4), dtype)
    yield Sample((x, 1, rng.integers(0, 4, (3, 2))), {}, "(3, 4) dim 1 index (3, 2)",
                 tags=frozenset({"quick", "gradcheck"}))
    yield Sample((x, 0, rng.integers(0, 3, (2, 4))), {}, "(3, 4) dim 0 index (2, 4)")
    yield Sample((x, -1, rng.integers(0, 4, (2, 2))), {}, "(3, 4) dim -1 index (2, 2)")
    yield Sample((x, 1, np.array([[0, 0, 0], [1, 1, 1], [3, 3, 3]])), {}, "repeated indices")
    yield Sample((random_array(rng, (2, 3, 4), dtype), 2, rng.integers(0, 4, (2, 3, 5))), {},
                 "(2, 3, 4) dim 2 index (2, 3, 5)")
    yield Sample((x.T, 0, rng.integers(0, 4, (2, 3))), {}, "transposed (4, 3) dim 0",
                 tags=frozenset({"noncontig"}))


row("gather", IDX, func("gather"), _gather, dtypes=ALL_DTYPES, variants=fm("gather"),
    bad_inputs=(bad(F32, 1, np.array([[4]]), desc="index 4 of size 4"),
                bad(F32, 1, np.array([[0.0]]), desc="float index")),
    covers=("gather",))


def _unique_index(rng: np.random.Generator, rows: int, k: int, n: int) -> np.ndarray:
    return np.stack([rng.permutation(n)[:k] for _ in range(rows)])


def _scatter(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = random_array(rng, (3, 4), dtype)
    yield Sample((x, 1, _unique_index(rng, 3, 2, 4), random_array(rng, (3, 2), dtype)), {},
                 "(3, 4) dim 1 src (3, 2)", tags=frozenset({"quick", "gradcheck"}))
    yield Sample((x, 0, _unique_index(rng, 4, 2, 3).T.copy(), random_array(rng, (2, 4), dtype)),
                 {}, "(3, 4) dim 0 src (2, 4)")
    # src gets no gradient here: torch's own ScatterBackward0 fails when the index is
    # smaller than src ("returned an invalid gradient at index 1").
    yield Sample((x, 1, _unique_index(rng, 2, 2, 4), random_array(rng, (3, 3), dtype)), {},
                 "index smaller than src", grad_args=(0,))
    yield Sample((x, -1, _unique_index(rng, 3, 3, 4), _scalar_value(rng, dtype)), {},
                 "scalar src")


row("scatter", IDX, func("scatter"), _scatter, dtypes=ALL_DTYPES, variants=fm("scatter"),
    bad_inputs=(bad(F32, 1, np.array([[4]]), arr([[1.0]]), desc="index 4 of size 4"),),
    covers=("scatter",))


def _scatter_add(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = random_array(rng, (3, 4), dtype)
    yield Sample((x, 1, rng.integers(0, 4, (3, 5)), random_array(rng, (3, 5), dtype)), {},
                 "(3, 4) dim 1, repeated indices", tags=frozenset({"quick", "gradcheck"}))
    yield Sample((x, 0, rng.integers(0, 3, (2, 4)), random_array(rng, (2, 4), dtype)), {},
                 "(3, 4) dim 0")


row("scatter_add", IDX, func("scatter_add"), _scatter_add, dtypes=NUMERIC,
    variants=fm("scatter_add"))
row("index_select", IDX, lambda lib, x, d, i: lib.index_select(x, d, i),
    shaped([Call((4, 5), (0, index_array([0, 2, 2]))), Call((4, 5), (1, index_array([4, 0]))),
            Call((4, 5), (-1, index_array([1])), noncontig=True),
            Call((2, 3, 4), (1, index_array([2, 2, 0, 1]))), Call((4, 5), (0, index_array([]))),
            Call((), (0, index_array([0, 0])))]),
    dtypes=ALL_DTYPES, variants={"method": lambda lib, x, d, i: x.index_select(d, i)},
    bad_inputs=(bad(F32, 0, np.array([3]), desc="index 3 of size 3"),
                bad(F32, 0, np.array([[0]]), desc="2-d index")),
    covers=("index_select",))


def _mask(values: Any) -> Callable[[np.random.Generator, str], np.ndarray]:
    m = np.asarray(values, dtype=bool)
    return lambda rng, dtype: m.copy()


row("masked_fill", IDX, lambda lib, x, m, v: lib.masked_fill(x, m, v),
    shaped([Call((4, 5), (_mask(MASK45), 2.5)), Call((4, 5), (_mask(MASK45[0]), -1.0)),
            Call((4, 5), (_mask(MASK45), float("-inf")), noncontig=True),
            Call((4, 5), (_mask(MASK45), like(()))), Call((), (_mask(True), 0.0)),
            Call((2, 4, 5), (_mask(MASK45), 1.0))]),
    variants={"method": lambda lib, x, m, v: x.masked_fill(m, v)},
    bad_inputs=(bad(F32, np.ones((3, 4)), 1.0, desc="float mask"),
                bad(F32, np.ones((2, 4), bool), 1.0, desc="mask (2, 4) on (3, 4)")),
    covers=("masked_fill",))

# -- linear algebra --------------------------------------------------------------------------
LIN = "linalg"
MATMUL_SHAPES = (((3, 4), (4, 5)), ((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)),
                 ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
                 ((4,), (2, 4, 5)), ((2, 3, 4), (4,)), ((0, 4), (4, 5)), ((3, 0), (0, 5)),
                 ((1, 4), (4, 1)))


def _matmul(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for i, (sa, sb) in enumerate(MATMUL_SHAPES):
        tags = frozenset({"quick", "gradcheck"}) if i == 0 else frozenset()
        yield Sample((random_array(rng, sa, dtype), random_array(rng, sb, dtype)), {},
                     f"{sa} @ {sb}", tags=tags)
    a = random_array(rng, (4, 3), dtype).T
    yield Sample((a, random_array(rng, (5, 4), dtype).T), {}, "transposed (3, 4) @ (4, 5)",
                 tags=frozenset({"noncontig"}))
    b = np.broadcast_to(random_array(rng, (1, 4, 5), dtype), (2, 4, 5))
    yield Sample((random_array(rng, (2, 3, 4), dtype), b), {}, "(2, 3, 4) @ expanded (2, 4, 5)",
                 tags=frozenset({"noncontig"}))
    if dtype == "float32":
        yield Sample((random_array(rng, (3, 4), dtype), random_array(rng, (4, 5), "float64")), {},
                     "float32 @ float64")


row("matmul", LIN, func("matmul"), _matmul, dtypes=NUMERIC,
    variants={"@": binop(operator.matmul), "method": method("matmul"), "mm": method("mm"),
              "torch.mm": lambda lib, a, b: lib.mm(a, b) if a.ndim == b.ndim == 2 else a @ b},
    bad_inputs=(bad(F32, F32, desc="(3, 4) @ (3, 4)"),
                bad(np.float32(2.0) * np.ones((), np.float32), F32, desc="0-d @ (3, 4)")),
    covers=("matmul", "@", "mm"))
EINSUM = (("ij,jk->ik", (3, 4), (4, 5)), ("ij->ji", (3, 4)), ("ii->i", (4, 4)),
          ("bij,bjk->bik", (2, 3, 4), (2, 4, 5)), ("i,i->", (4,), (4,)), ("ij->", (3, 4)),
          ("i,j->ij", (3,), (4,)), ("...ij,...jk->...ik", (2, 3, 4), (4, 5)),
          ("ij,ij->ij", (3, 4), (3, 4)), ("ij,jk", (3, 4), (4, 5)), ("bij->bj", (2, 3, 4)),
          ("ii", (3, 3)), ("i j , j k -> i k", (3, 4), (4, 2)))


def _einsum(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for i, (eq, *shapes) in enumerate(EINSUM):
        tags = frozenset({"quick", "gradcheck"}) if i == 0 else frozenset()
        yield Sample((eq,) + tuple(random_array(rng, s, dtype) for s in shapes), {}, eq,
                     tags=tags)


row("einsum", LIN, lambda lib, eq, *xs: lib.einsum(eq, *xs), _einsum,
    variants={"operand list": lambda lib, eq, *xs: lib.einsum(eq, list(xs))},
    bad_inputs=(bad("ij,jk->ik", F32, F32, desc="(3, 4), (3, 4)"),
                bad("ij->k", F32, desc="output label not in inputs")),
    covers=("einsum",))

# -- in place --------------------------------------------------------------------------------
INPL = "inplace"


def inplace(name: str) -> Callable[..., Any]:
    """y = x.clone(); y.NAME_(...); return y  (x itself is a leaf; `_leaf=True` skips the clone,
    which must raise when x requires grad)."""

    def call(lib: Any, x: Any, *args: Any, _leaf: bool = False, **kwargs: Any) -> Any:
        y = x if _leaf else x.clone()
        out = getattr(y, name)(*args, **kwargs)
        if out is not y:
            raise AssertionError(f"{name} did not return self")
        return y

    return call


def augmented(op: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def call(lib: Any, x: Any, other: Any, **kwargs: Any) -> Any:
        if kwargs:
            raise TypeError("operator form takes no keyword arguments")
        y = x.clone()
        y = op(y, other)
        return y

    return call


def _inplace_binary(other: Domain = ANY, domain: Domain = ANY) -> SampleFn:
    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        x = random_array(rng, (3, 4), dtype, domain)
        yield Sample((x, random_array(rng, (3, 4), dtype, other)), {}, "(3, 4) with (3, 4)",
                     tags=frozenset({"quick", "gradcheck"}))
        yield Sample((x, random_array(rng, (4,), dtype, other)), {}, "(3, 4) with (4,)",
                     tags=frozenset({"broadcast"}))
        yield Sample((x, random_array(rng, (), dtype, other)), {}, "(3, 4) with 0-d")
        s = 2.5 if dtype in FLOATS else 3
        yield Sample((x, s), {}, f"(3, 4) with scalar {s}")
        yield Sample((np.ascontiguousarray(x.T).T, random_array(rng, (3, 4), dtype, other)), {},
                     "transposed (3, 4) with (3, 4)", tags=frozenset({"noncontig"}))
        if dtype == "float32":
            yield Sample((x, random_array(rng, (3, 4), "float64", other)), {},
                         "float32 with float64 (stays float32)")
        if dtype == "float64":
            yield Sample((x, random_array(rng, (3, 4), "int64", other)), {},
                         "float64 with int64")

    return gen


LEAF_BAD = bad(arr(np.ones((3, 4))), arr(np.ones((3, 4))), _leaf=True, grad_args=(0,),
               desc="on a leaf that requires grad")
SHAPE_BAD = bad(arr(np.ones(4)), arr(np.ones((3, 4))), desc="(4,) with (3, 4)")
INT_BAD = bad(arr([1, 2], np.int64), arr([0.5, 1.5]), desc="int64 with float32")
for _name, _op, _sym, _dom in (("add_", operator.iadd, "+=", ANY),
                               ("sub_", operator.isub, "-=", ANY),
                               ("mul_", operator.imul, "*=", ANY),
                               ("div_", operator.itruediv, "/=", NONZERO)):
    row(_name, INPL, inplace(_name), _inplace_binary(_dom),
        dtypes=FLOATS + ("int64",) if _name != "div_" else FLOATS,
        variants={_sym: augmented(_op)},
        bad_inputs=(LEAF_BAD, SHAPE_BAD) + ((INT_BAD,) if _name != "div_" else
                                            (bad(arr([1, 2], np.int64), arr([1, 2], np.int64),
                                                 desc="int64 /= int64"),)),
        covers=(_name, _sym, "in-place on a leaf raises"))
row("pow_", INPL, inplace("pow_"), _inplace_binary(Domain(0.5, 2.0, avoid=()), POSITIVE),
    variants={"**=": augmented(operator.ipow)}, covers=("pow_",))
row("clamp_", INPL, inplace("clamp_"),
    unary(extra=BOUNDS, kwargs=({"min": -0.5, "max": 1.0}, {"max": 0.0}), empty=False),
    bad_inputs=(bad(arr(np.ones(3)), _leaf=True, grad_args=(0,), min=0.0, desc="leaf"),),
    covers=("clamp_",))
for _name, _dom in (("neg_", ANY), ("sqrt_", POSITIVE), ("exp_", ANY), ("abs_", ANY),
                    ("relu_", ANY)):
    row(_name, INPL, inplace(_name), unary(_dom, empty=False), covers=(_name,))
row("masked_fill_", INPL, inplace("masked_fill_"),
    shaped([Call((4, 5), (_mask(MASK45), 2.5)), Call((4, 5), (_mask(MASK45[0]), like(())))]),
    covers=("masked_fill_",))
row("lerp_", INPL, inplace("lerp_"), shaped([Call((3, 4), (like((3, 4)), 0.25)),
                                              Call((3, 4), (like((4,)), like((3, 4))))]),
    covers=("lerp_",))
row("copy_", INPL, inplace("copy_"),
    shaped([Call((3, 4), (like((3, 4)),)), Call((3, 4), (like((4,)),)),
            Call((3, 4), (like(()),), noncontig=True),
            Call((3, 4), (lambda rng, dtype: random_array(rng, (3, 4), "float64"),)),
            Call((3, 4), (lambda rng, dtype: random_array(rng, (3, 4), "int64"),))]),
    dtypes=ALL_DTYPES, bad_inputs=(SHAPE_BAD,), covers=("copy_",))
row("zero_", INPL, inplace("zero_"), tensors(((3, 4), (), (0, 3))), dtypes=ALL_DTYPES,
    covers=("zero_",))
row("fill_", INPL, inplace("fill_"),
    shaped([Call((3, 4), (1.5,)), Call((3, 4), (like(()),)), Call((), (-0.0,)),
            Call((3, 4), (7,))]),
    dtypes=ALL_DTYPES,
    bad_inputs=(bad(arr(np.ones(3)), arr(np.ones(3)), desc="1-d value"),), covers=("fill_",))


def no_grad_inplace(name: str) -> Callable[..., Any]:
    """Random in-place initialisers, as nn.init uses them: on a leaf, under no_grad."""

    def call(lib: Any, x: Any, *args: Any) -> Any:
        with lib.no_grad():
            out = getattr(x, name)(*args)
        return out is x, x

    return call


row("uniform_", INPL, no_grad_inplace("uniform_"),
    shaped([Call((3, 4)), Call((3, 4), (-2.0, 3.0))]), differentiable=False, compare="meta",
    covers=("uniform_",))
row("normal_", INPL, no_grad_inplace("normal_"),
    shaped([Call((3, 4)), Call((3, 4), (1.0, 0.5))]), differentiable=False, compare="meta",
    covers=("normal_",))

# -- creation --------------------------------------------------------------------------------
CRE = "creation"


def creation(specs: list[tuple[tuple[Any, ...], dict[str, Any], str]], typed: bool = True
             ) -> SampleFn:
    """Calls of a creation function. On the first dtype (float32) the calls run as given
    (torch's dtype inference); on every dtype, with dtype=that dtype when `typed`."""

    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for i, (args, kwargs, desc) in enumerate(specs):
            if dtype == "float32":
                yield Sample(args, kwargs, desc, tags=frozenset({"quick"}) if i == 0 else
                             frozenset())
            if typed and "dtype" not in kwargs:
                yield Sample(args, {**kwargs, "dtype": DType(dtype)}, f"{desc}, dtype={dtype}")

    return gen


SIZES: list[tuple[tuple[Any, ...], dict[str, Any], str]] = [
    (((2, 3),), {}, "(2, 3)"), ((2, 3), {}, "2, 3"), (((),), {}, "()"), (((0,),), {}, "(0,)"),
    (([4],), {}, "[4]"), (((2, 3),), {"requires_grad": True}, "(2, 3) requires_grad"),
]
for _name in ("zeros", "ones"):
    row(_name, CRE, func(_name), creation(SIZES), dtypes=ALL_DTYPES, differentiable=False,
        bad_inputs=(bad((-1, 2), desc="negative size"),), covers=(_name,))
row("empty", CRE, func("empty"), creation(SIZES), dtypes=ALL_DTYPES, differentiable=False,
    compare="meta", covers=("empty",))
row("full", CRE, func("full"),
    creation([(((2, 3), 1.5), {}, "(2, 3) 1.5"), (((2,), 7), {}, "(2,) 7"),
              (((2,), True), {}, "(2,) True"), (((), -0.0), {}, "() -0.0"),
              (((0, 2), 3.0), {}, "(0, 2) 3.0")]),
    dtypes=ALL_DTYPES, differentiable=False, covers=("full",))


def _like_samples(values: tuple[Any, ...] = ()) -> SampleFn:
    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for i, shape in enumerate(((3, 4), (), (0, 2))):
            x = random_array(rng, shape, dtype)
            yield Sample((x,) + values, {}, f"{shape}", tags=frozenset({"quick"}) if i == 0
                         else frozenset())
        x = random_array(rng, (2, 3), dtype)
        yield Sample((x,) + values, {"dtype": DType("float64")}, "(2, 3) dtype=float64")
        yield Sample((x,) + values, {"dtype": DType("int64")}, "(2, 3) dtype=int64")

    return gen


for _name in ("zeros_like", "ones_like"):
    row(_name, CRE, func(_name), _like_samples(), dtypes=ALL_DTYPES, differentiable=False,
        covers=(_name,))
row("full_like", CRE, func("full_like"), _like_samples((3,)), dtypes=ALL_DTYPES,
    differentiable=False, covers=("full_like",))
row("arange", CRE, func("arange"),
    creation([((5,), {}, "5"), ((1, 4), {}, "1, 4"), ((0, 1, 0.1), {}, "0, 1, 0.1"),
              ((5.0,), {}, "5.0"), ((0, 10, 3), {}, "0, 10, 3"),
              ((-1, 1, 0.25), {}, "-1, 1, 0.25"), ((10, 0, -2), {}, "10, 0, -2"),
              ((0, 0), {}, "0, 0"), ((1, 2.5, 0.5), {}, "1, 2.5, 0.5"),
              ((0, 1, 0.3), {}, "0, 1, 0.3"), ((-3.5, 2), {}, "-3.5, 2")]),
    dtypes=("float32", "float64", "int64"), differentiable=False,
    bad_inputs=(bad(0, 5, 0, desc="step 0"), bad(1, 0, desc="end before start")),
    covers=("arange",))
row("linspace", CRE, func("linspace"),
    creation([((0, 1, 5), {}, "0, 1, 5"), ((-1, 1, 1), {}, "-1, 1, 1"), ((0, 1, 0), {}, "0, 1, 0"),
              ((2, -3, 7), {}, "2, -3, 7"), ((0, 10, 11), {}, "0, 10, 11"),
              ((1e-3, 1e3, 50), {}, "1e-3, 1e3, 50"), ((0.1, 0.7, 4), {}, "0.1, 0.7, 4")]),
    dtypes=("float32", "float64", "int64"), differentiable=False,
    bad_inputs=(bad(0, 1, -1, desc="negative steps"),), covers=("linspace",))
row("eye", CRE, func("eye"),
    creation([((3,), {}, "3"), ((2, 4), {}, "2, 4"), ((0,), {}, "0"), ((4, 2), {}, "4, 2")]),
    dtypes=ALL_DTYPES, differentiable=False, bad_inputs=(bad(-1, desc="-1"),), covers=("eye",))

TENSOR_DATA: list[tuple[tuple[Any, ...], dict[str, Any], str]] = [
    (([1, 2, 3],), {}, "[1, 2, 3]"), (([1.0, 2.0],), {}, "[1.0, 2.0]"),
    (([True, False],), {}, "[True, False]"), (([1, 2.5],), {}, "[1, 2.5]"),
    (([[1, 2], [3, 4]],), {}, "[[1, 2], [3, 4]]"), ((3.5,), {}, "3.5"), ((7,), {}, "7"),
    ((True,), {}, "True"), (([],), {}, "[]"), (([[1.5], [-0.0]],), {}, "[[1.5], [-0.0]]"),
    (([True, 2],), {}, "[True, 2]"), (([float("nan"), float("inf")],), {}, "[nan, inf]"),
    ((Raw(np.array([1.5, 2.5])),), {}, "float64 ndarray"),
    ((Raw(np.array([1, 2], np.int32)),), {}, "int32 ndarray"),
    ((Raw(np.array([[1.0, 2.0]], np.float32).T),), {}, "transposed float32 ndarray"),
    ((Raw(np.float64(2.5)),), {}, "numpy float64 scalar"),
    (([1.0, 2.0],), {"requires_grad": True}, "[1.0, 2.0] requires_grad"),
    (([2**40],), {}, "[2**40]"),
]
row("tensor", CRE, func("tensor"), creation(TENSOR_DATA), dtypes=ALL_DTYPES,
    differentiable=False,
    bad_inputs=(bad([[1, 2], [3]], desc="ragged"),
                bad([1, 2], requires_grad=True, desc="int data requires_grad"),
                bad("abc", desc="a string")),
    covers=("tensor", "float32", "float64", "int64", "int32", "bool", "type promotion"))


def _from_numpy(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield Sample((Raw(random_array(rng, (3, 4), dtype)),), {}, "(3, 4)",
                 tags=frozenset({"quick"}))
    yield Sample((Raw(random_array(rng, (), dtype)),), {}, "0-d")
    yield Sample((Raw(random_array(rng, (4, 3), dtype).T),), {}, "transposed")
    yield Sample((Raw(random_array(rng, (3, 8), dtype)[:, ::2]),), {}, "stepped")


def from_numpy_shares(lib: Any, a: np.ndarray) -> Any:
    t = lib.from_numpy(a)
    a.reshape(-1)[:1] = 1  # the tensor sees writes to the array (shared memory)
    return t


row("from_numpy", CRE, func("from_numpy"), _from_numpy, dtypes=ALL_DTYPES + ("int32",),
    differentiable=False, variants={"shares memory": from_numpy_shares},
    bad_inputs=(bad(Raw(np.array(["a"])), desc="an array of strings"),
                bad(Raw([1, 2]), desc="a list")),
    covers=("from_numpy",))
for _name, _args in (("rand", (2, 3)), ("randn", (2, 3))):
    row(_name, CRE, func(_name),
        creation([(_args, {}, "2, 3"), ((_args,), {}, "(2, 3)"), (((),), {}, "()")]),
        dtypes=FLOATS, differentiable=False, compare="meta", covers=(_name,))
row("randint", CRE, func("randint"),
    creation([((0, 10, (3, 4)), {}, "0, 10, (3, 4)"), ((5, (2,)), {}, "5, (2,)")], typed=False),
    dtypes=("float32",), differentiable=False, compare="meta",
    bad_inputs=(bad(5, 2, (3,), desc="low > high"),), covers=("randint",))
for _name in ("rand_like", "randn_like"):
    row(_name, CRE, func(_name), tensors(((3, 4), ())), differentiable=False, compare="meta",
        covers=(_name,))


def default_dtype_roundtrip(lib: Any, d: Any) -> Any:
    before = lib.get_default_dtype()
    lib.set_default_dtype(d)
    try:
        made = (lib.get_default_dtype(), lib.tensor([1.5]), lib.zeros(2), lib.arange(0.0, 1.0),
                lib.tensor([1, 2]) * 2.5)
    finally:
        lib.set_default_dtype(before)
    return made + (lib.get_default_dtype(),)


row("set_default_dtype", CRE, default_dtype_roundtrip,
    lambda rng, dtype: iter([Sample((DType(dtype),), {}, dtype, tags=frozenset({"quick"}))]),
    differentiable=False,
    bad_inputs=(bad(DType("int64"), desc="int64"),),
    covers=("get_default_dtype", "set_default_dtype"))


def dtype_names(lib: Any) -> Any:
    return (lib.float32, lib.float64, lib.int64, lib.int32, lib.bool, lib.float, lib.double,
            lib.long, lib.int, lib.float32.is_floating_point, lib.int64.is_floating_point)


row("dtypes", CRE, dtype_names, lambda rng, dtype: iter([Sample((), {}, "all")]),
    dtypes=("float32",), differentiable=False,
    covers=("float32", "float64", "int64", "int32", "bool"))


def seeded_twice(lib: Any) -> Any:
    lib.manual_seed(1234)
    a = lib.rand(5)
    lib.manual_seed(1234)
    b = lib.rand(5)
    return bool(lib.equal(a, b)), a.shape


row("manual_seed", CRE, seeded_twice, lambda rng, dtype: iter([Sample((), {}, "same seed")]),
    dtypes=("float32",), differentiable=False, covers=("manual_seed",))

# -- tensor attributes and autograd ----------------------------------------------------------
TEN = "tensor"
ATTRS: dict[str, Callable[..., Any]] = {
    "Tensor.shape": lambda lib, x: x.shape,
    "Tensor.ndim": lambda lib, x: x.ndim,
    "Tensor.dim": lambda lib, x: x.dim(),
    "Tensor.numel": lambda lib, x: x.numel(),
    "Tensor.dtype": lambda lib, x: x.dtype,
    "Tensor.requires_grad": lambda lib, x: (x.requires_grad, (x * 1).requires_grad),
    "Tensor.is_leaf": lambda lib, x: (x.is_leaf, (x * 1).is_leaf),
    "Tensor.__len__": lambda lib, x: len(x),
    "Tensor.is_floating_point": lambda lib, x: x.is_floating_point(),
    "Tensor.element_size": lambda lib, x: x.element_size(),
    "Tensor.__array__": lambda lib, x: np.asarray(x.detach()),
    "Tensor.__repr__": lambda lib, x: repr(x),
    "Tensor.tolist": lambda lib, x: x.tolist(),
    "Tensor.numpy": lambda lib, x: x.detach().numpy(),
    "Tensor.item": lambda lib, x: x.item(),
    "Tensor.is_contiguous": lambda lib, x: x.is_contiguous(),
}
_ATTR_SHAPES = ((), (1,), (3,), (2, 3), (0, 2))
for _name, _fn in ATTRS.items():
    row(_name, TEN, _fn, tensors(_ATTR_SHAPES), dtypes=ALL_DTYPES, differentiable=False,
        covers=(_name,),
        bad_inputs=(bad(arr([1.0, 2.0]), desc="2 elements"),) if _name == "Tensor.item" else ())


def repr_grad(lib: Any, x: Any) -> Any:
    return repr(x), repr(x * 2), repr(x.sum())


row("Tensor.__repr__(grad)", TEN, repr_grad, tensors(((), (3,), (2, 3))),
    covers=("Tensor.__repr__", "Tensor.grad_fn"))


def _repr_values(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for i, vals in enumerate(([1.0, 2.0], [0.5, -1.25, 3.0], [1e-5, 1.0], [1e6, 1.0],
                              [123456.0, 0.001], [float("nan"), float("inf"), -0.0, 1.0],
                              [[1.0, -2.0], [3.5, 4.0]], [0.0, 0.0], [1e20, -1e-20],
                              list(range(1200)))):
        tags = frozenset({"quick"}) if i == 0 else frozenset()
        a = np.array(vals, dtype=np.float64).astype(np.dtype(dtype)) if dtype != "bool" \
            else np.array(vals, dtype=np.float64) > 0.5
        yield Sample((a,), {}, str(vals)[:40], tags=tags)


row("Tensor.__repr__(values)", TEN, lambda lib, x: repr(x), _repr_values, dtypes=ALL_DTYPES,
    differentiable=False, covers=("Tensor.__repr__",))
row("Tensor.size", TEN, lambda lib, x, *d: x.size(*d),
    shaped([Call((3, 4)), Call((3, 4), (1,)), Call((3, 4), (-1,)), Call((2, 3, 4), (0,)),
            Call(())]),
    dtypes=ALL_DTYPES, differentiable=False,
    bad_inputs=(bad(F32, 2, desc="dim 2 of a 2-d tensor"),), covers=("Tensor.size",))
row("Tensor.numpy(requires_grad)", TEN, lambda lib, x: x.numpy(), lambda rng, dtype: iter(()),
    bad_inputs=(bad(arr([1.0, 2.0]), grad_args=(0,), desc="requires grad"),),
    covers=("Tensor.numpy",))
row("Tensor.detach", TEN, lambda lib, x: (x.detach(), x.detach().requires_grad),
    tensors(((3,), (2, 3))), differentiable=True, covers=("Tensor.detach",))
row("Tensor.clone", TEN, lambda lib, x: x.clone(), unary(), dtypes=ALL_DTYPES,
    covers=("Tensor.clone",))


def _to_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = random_array(rng, (3, 4), dtype)
    for i, target in enumerate(("float32", "float64", "int64", "int32", "bool")):
        tags = frozenset({"quick", "gradcheck"}) if i == 1 else frozenset()
        yield Sample((x, DType(target)), {}, f"(3, 4) to {target}", tags=tags)
    yield Sample((np.array([-1.7, -0.5, 0.0, 0.5, 2.9, 1e10]).astype(np.dtype(dtype))
                  if dtype != "bool" else np.array([True, False]), DType("int64")), {},
                 "float to int truncation")


row("Tensor.to", TEN, lambda lib, x, d: x.to(d), _to_samples, dtypes=ALL_DTYPES,
    variants={"to(dtype=)": lambda lib, x, d: x.to(dtype=d)}, covers=("Tensor.to",))
for _name in ("float", "double", "long", "int", "bool"):
    row(f"Tensor.{_name}", TEN, method(_name), unary(empty=False, noncontig=False),
        dtypes=ALL_DTYPES, covers=(f"Tensor.{_name}",))


def with_grad(gen: SampleFn) -> SampleFn:
    """The same samples, with the first argument a leaf that requires grad."""

    def wrapped(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for s in gen(rng, dtype):
            yield replace(s, grad_args=(0,))

    return wrapped


GRAD_SAMPLES = with_grad(tensors(((), (3,), (2, 3))))


def backward_grad(lib: Any, x: Any, twice: bool = False) -> Any:
    y = (x * x).sum()
    y.backward(retain_graph=not twice)
    if twice:
        y.backward()
    first = x.grad.clone()
    (x * 3).sum().backward()  # accumulates
    return first, x.grad, x.grad.dtype


def backward_gradient(lib: Any, x: Any) -> Any:
    y = x.exp() * 2
    g = lib.ones_like(y) * 0.5 - lib.arange(y.numel(), dtype=y.dtype).reshape(y.shape)
    y.backward(g)
    return x.grad


def retained(lib: Any, x: Any) -> Any:
    y = x * 2
    y.retain_grad()
    z = y * y
    z.sum().backward()
    return y.grad, x.grad, z.grad


def grad_of(lib: Any, x: Any) -> Any:
    y = (x.exp() * x).sum()
    return lib.autograd.grad(y, x)


def grad_modes(lib: Any, x: Any) -> Any:
    with lib.no_grad():
        a = x * 2
        inside = lib.is_grad_enabled()
        with lib.enable_grad():
            b = x * 2
    c = x * 2

    @lib.no_grad()
    def decorated(t: Any) -> Any:
        return t * 2

    return (a.requires_grad, inside, b.requires_grad, c.requires_grad,
            decorated(x).requires_grad, lib.is_grad_enabled())


row("Tensor.backward", TEN, backward_grad, GRAD_SAMPLES, differentiable=False,
    bad_inputs=(bad(arr([1.0, 2.0]), twice=True, grad_args=(0,), desc="backward twice"),
                bad(arr([1.0, 2.0]), desc="no grad")),
    covers=("Tensor.backward", "Tensor.grad"))
row("Tensor.backward(gradient)", TEN, backward_gradient, GRAD_SAMPLES, differentiable=False,
    covers=("Tensor.backward",))
row("Tensor.retain_grad", TEN, retained, GRAD_SAMPLES, differentiable=False,
    covers=("Tensor.retain_grad",))
row("autograd.grad", TEN, grad_of, GRAD_SAMPLES, differentiable=False, covers=("autograd.grad",))
row("no_grad", TEN, grad_modes, GRAD_SAMPLES, differentiable=False,
    covers=("no_grad", "enable_grad", "is_grad_enabled"))


def requires_grad_(lib: Any, x: Any) -> Any:
    y = x.detach().clone()
    out = y.requires_grad_()
    return out is y, y.requires_grad, y.is_leaf


row("Tensor.requires_grad_", TEN, requires_grad_, tensors(((3,),)), dtypes=ALL_DTYPES,
    differentiable=False, covers=("Tensor.requires_grad_",))

# -- ops that wave 1 registered without a row of their own ---------------------------------
row("positive", ARITH, func("positive"), unary(), dtypes=NUMERIC,
    variants={"method": method("positive"), "unary +": unop(operator.pos)},
    bad_inputs=(bad(arr([True, False], np.bool_), desc="bool tensor"),), covers=("positive",))
row("logical_xor", CMP, func("logical_xor"), binary(), dtypes=ALL_DTYPES, differentiable=False,
    variants=fm("logical_xor"), covers=("logical_xor",))
for _name in ("isposinf", "isneginf"):
    row(_name, CMP, func(_name), unary(), dtypes=ALL_DTYPES, differentiable=False,
        variants=fm(_name), covers=(_name,))
row("isclose", CMP, func("isclose"), _allclose, differentiable=False, variants=fm("isclose"),
    covers=("isclose",))
INTEGRAL = ("int64", "bool")
FLOAT_BITS = bad(arr([1.0, 2.0]), arr([1.0, 2.0]), desc="float tensors")
for _name, _op in (("bitwise_and", operator.and_), ("bitwise_or", operator.or_),
                   ("bitwise_xor", operator.xor)):
    row(_name, CMP, func(_name), binary(promote=False), dtypes=INTEGRAL, differentiable=False,
        variants={"method": method(_name), "operator": binop(_op)}, bad_inputs=(FLOAT_BITS,),
        covers=(_name,))
row("bitwise_not", CMP, func("bitwise_not"), unary(), dtypes=INTEGRAL, differentiable=False,
    variants={"method": method("bitwise_not"), "~": unop(operator.invert)},
    bad_inputs=(bad(arr([1.0, 2.0]), desc="float tensor"),), covers=("bitwise_not", "~"))
for _name in ("as_tensor", "asarray"):
    row(_name, CRE, func(_name), creation([spec for spec in TENSOR_DATA if not spec[1]]),
        dtypes=ALL_DTYPES, differentiable=False, covers=(_name,))
row("empty_like", CRE, func("empty_like"), _like_samples(), dtypes=ALL_DTYPES,
    differentiable=False, compare="meta", covers=("empty_like",))
row("randint_like", CRE, func("randint_like"), _like_samples((10,)), dtypes=NUMERIC,
    differentiable=False, compare="meta", covers=("randint_like",))
row("randperm", CRE, func("randperm"),
    creation([((5,), {}, "5"), ((0,), {}, "0"), ((1,), {}, "1")], typed=False),
    dtypes=("float32",), differentiable=False, compare="meta",
    bad_inputs=(bad(-1, desc="n = -1"),), covers=("randperm",))
row("normal", CRE, func("normal"),
    creation([((0.0, 1.0, (2, 3)), {}, "0, 1, (2, 3)"), ((2.0, 0.5, (4,)), {}, "2, 0.5, (4,)")],
             typed=False),
    dtypes=("float32",), differentiable=False, compare="meta",
    bad_inputs=(bad(0.0, -1.0, (2,), desc="negative std"),), covers=("normal",))
row("Tensor.type_as", TEN, lambda lib, x, y: x.type_as(y), binary(scalars=False, special=False),
    dtypes=ALL_DTYPES, differentiable=False, covers=("type_as",))
row("Tensor.type", TEN, lambda lib, x: (x.type(lib.float64), x.type()), tensors(),
    dtypes=ALL_DTYPES, differentiable=False, covers=("type",), bench=False)
row("Tensor.cpu", TEN, lambda lib, x: x.cpu(), tensors(), dtypes=ALL_DTYPES, covers=("cpu",))
shape_row("Tensor.view_as", lambda lib, x, y: x.view_as(y),
          [Call((3, 4), (like((2, 6)),)), Call((6,), (like((3, 2)),))], covers=("view_as",))
shape_row("Tensor.reshape_as", lambda lib, x, y: x.reshape_as(y),
          [Call((3, 4), (like((12,)),), noncontig=True), Call((6,), (like((2, 3)),))],
          covers=("reshape_as",))
shape_row("movedim", func("movedim"),
          [Call((2, 3, 4), (0, 2)), Call((2, 3, 4), ((0, 1), (2, 0)), noncontig=True),
           Call((2, 3, 4), (-1, 0))],
          variants={"method": method("movedim"), "moveaxis": func("moveaxis")},
          bad_inputs=(bad(arr(np.ones((2, 3))), 2, 0, desc="dim 2 of a 2-d tensor"),),
          covers=("movedim", "moveaxis"))


def _take_along_dim(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = random_array(rng, (3, 4), dtype)
    yield Sample((x, rng.integers(0, 4, (3, 2)), 1), {}, "(3, 4) index (3, 2) dim 1",
                 tags=frozenset({"quick", "gradcheck"}))
    yield Sample((x, rng.integers(0, 3, (1, 4)), 0), {}, "(3, 4) index (1, 4) dim 0 (broadcast)")
    yield Sample((x, rng.integers(0, 12, (5,))), {}, "(3, 4) flat index (5,)")


row("take_along_dim", IDX, func("take_along_dim"), _take_along_dim, dtypes=ALL_DTYPES,
    variants=fm("take_along_dim"), covers=("take_along_dim",))


def _matrix_products(shapes: tuple[tuple[tuple[int, ...], ...], ...]) -> SampleFn:
    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for i, pair in enumerate(shapes):
            arrays = tuple(random_array(rng, s, dtype) for s in pair)
            tags = frozenset({"quick", "gradcheck"}) if i == 0 else frozenset()
            yield Sample(arrays, {}, " x ".join(str(s) for s in pair), tags=tags)

    return gen


row("bmm", LIN, func("bmm"), _matrix_products((((2, 3, 4), (2, 4, 5)), ((1, 2, 2), (1, 2, 3)),
                                               ((3, 0, 2), (3, 2, 4)))),
    dtypes=NUMERIC, variants=fm("bmm"),
    bad_inputs=(bad(arr(np.ones((2, 3))), arr(np.ones((2, 3))), desc="2-d inputs"),
                bad(arr(np.ones((2, 3, 4))), arr(np.ones((3, 4, 5))), desc="batch 2 with 3")),
    covers=("bmm",))
row("dot", LIN, func("dot"), _matrix_products((((5,), (5,)), ((1,), (1,)), ((0,), (0,)))),
    dtypes=NUMERIC, variants=fm("dot"),
    bad_inputs=(bad(arr(np.ones(3)), arr(np.ones(4)), desc="3 with 4"),
                bad(arr(np.ones((2, 2))), arr(np.ones((2, 2))), desc="2-d inputs")),
    covers=("dot",))
# No bench row: grown to the size classes, two vectors of n elements make an n x n output
# (2**32 elements at the medium size), which measures the allocator, not the op.
row("outer", LIN, func("outer"), _matrix_products((((3,), (4,)), ((1,), (5,)), ((0,), (2,)))),
    dtypes=NUMERIC, variants=fm("outer"), covers=("outer",), bench=False)

# -- the nn rows and the other row files join the same sweep ---------------------------------
# (Imported here, at the bottom: they build on the helpers above.)
from parity.nn_table import ROWS as NN_ROWS  # noqa: E402
from parity.rows_autograd import ROWS as AUTOGRAD_ROWS  # noqa: E402
from parity.rows_devices import ROWS as DEVICE_ROWS  # noqa: E402
from parity.rows_elem import ROWS as ELEM_ROWS  # noqa: E402
from parity.rows_linalg import ROWS as LINALG_ROWS  # noqa: E402
from parity.rows_names import ROWS as NAMES_ROWS  # noqa: E402
from parity.rows_nnact import ROWS as NNACT_ROWS  # noqa: E402
from parity.rows_reduce import ROWS as REDUCE_ROWS  # noqa: E402
from parity.rows_shapeidx import ROWS as SHAPEIDX_ROWS  # noqa: E402
from parity.rows_sorting import ROWS as SORTING_ROWS  # noqa: E402
from parity.rows_views import ROWS as VIEW_ROWS  # noqa: E402
from parity.rows_vision import ROWS as VISION_ROWS  # noqa: E402

OP_ROWS: list[OpSpec] = (list(ROWS) + list(ELEM_ROWS) + list(REDUCE_ROWS) + list(SORTING_ROWS)
                         + list(SHAPEIDX_ROWS) + list(LINALG_ROWS) + list(DEVICE_ROWS)
                         + list(VIEW_ROWS) + list(NAMES_ROWS) + list(AUTOGRAD_ROWS))
ALL_ROWS: list[OpSpec] = OP_ROWS + list(NN_ROWS) + list(NNACT_ROWS) + list(VISION_ROWS)


def rows_by_name() -> dict[str, OpSpec]:
    """Every row of the sweep by its unique name."""
    table: dict[str, OpSpec] = {}
    for r in ALL_ROWS:
        if r.name in table:
            raise ValueError(f"two op-table rows are named {r.name!r}")
        table[r.name] = r
    return table


