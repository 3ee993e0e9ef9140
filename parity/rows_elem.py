"""Op-table rows for the elementwise ops of issue 11 (minitorch/ops/elementwise.py,
arithmetic.py, comparison.py) and for the fixes torch's OpInfo samples found.

Same shape as the rows of op_table.py: each names the op, how either engine
calls it, its samples (unary / binary sweep every shape class, broadcasting,
Python numbers on either side, mixed dtypes and the special-value grid),
dtypes, its method and operator forms, and the bad inputs torch rejects.
Every differentiable row is checked against torch's gradients on every
sample, and by float64 central differences on the samples tagged "gradcheck".

The dtypes torch names but the sweep does not loop over (uint8, int8, int16,
float16) are checked by the "type promotion (narrow dtypes)" row, whose
arrays carry their own dtype, and by tests/ops/test_elementwise_new.py.

The lead wires ROWS into the sweep (op_table.ALL_ROWS).
"""

from __future__ import annotations

import math
import operator
from typing import Any, Callable, Iterator

import numpy as np

from parity.op_table import arr, bad, func, method
from parity.samples import (
    ALL_DTYPES,
    ANY,
    FLOATS,
    NUMERIC,
    POSITIVE,
    SMOOTH,
    UNIT,
    Domain,
    binary,
    random_array,
    unary,
)
from parity.spec import KnownDifference, OpSpec, Sample

ELEM, ARITH, CMP, NN = "elementwise", "arithmetic", "comparison", "nn.functional"
ROWS: list[OpSpec] = []
F32 = arr([[1.0, 2.0], [3.0, 4.0]])
I64 = arr([[1, 2], [3, 4]], np.int64)
BOOLS = arr([True, False], np.bool_)
INTEGRAL = ("int64", "bool")


def _row(name: str, family: str, fn: Callable[..., Any], samples: Any, **kw: Any) -> OpSpec:
    kw.setdefault("covers", (name,))
    if name == "<<= >>=":  # in place: each timed call would shift the last one's result again
        kw.setdefault("bench", False)
    spec = OpSpec(name=name, family=family, fn=fn, samples=samples, **kw)
    ROWS.append(spec)
    return spec


def _forms(name: str, *aliases: str) -> dict[str, Callable[..., Any]]:
    """The method form, and the function and method forms of each alias (arctan2 ...)."""
    forms = {"method": method(name)}
    for alias in aliases:
        forms[alias] = func(alias)
        forms[f"Tensor.{alias}"] = method(alias)
    return forms


def _tags(*names: str) -> frozenset[str]:
    return frozenset(names)


# -- unary -------------------------------------------------------------------------------------
ABOVE_ONE = Domain(1.1, 3.0, avoid=(), int_low=1, int_high=6)
PROBABILITY = Domain(0.15, 0.85, avoid=(), int_low=0, int_high=1)

_row("asinh", ELEM, func("asinh"), unary(ANY, extra=(1e10, -1e10, 1e-10, 88.0)),
     dtypes=ALL_DTYPES, variants=_forms("asinh", "arcsinh"), covers=("asinh", "arcsinh"))
_row("acosh", ELEM, func("acosh"), unary(ABOVE_ONE, extra=(1.0, 0.999, 1.0000001, 1e10)),
     dtypes=ALL_DTYPES, variants=_forms("acosh", "arccosh"), covers=("acosh", "arccosh"))
_row("atanh", ELEM, func("atanh"), unary(UNIT, extra=(1.0, -1.0, 0.99999, 1e-10)),
     dtypes=ALL_DTYPES, variants=_forms("atanh", "arctanh"), covers=("atanh", "arctanh"))
_row("frac", ELEM, func("frac"), unary(ANY, extra=(0.5, -0.5, 2.0, -2.0, 1e10, 0.999999)),
     variants=_forms("frac"),
     bad_inputs=(bad(I64, desc="int64 tensor (no integer kernel)"),
                 bad(BOOLS, desc="bool tensor")))
_row("deg2rad", ELEM, func("deg2rad"), unary(ANY, extra=(180.0, -90.0, 360.0, 1e38)),
     dtypes=ALL_DTYPES, variants=_forms("deg2rad"))
_row("rad2deg", ELEM, func("rad2deg"), unary(ANY, extra=(math.pi, -math.pi / 2, 1e37)),
     dtypes=ALL_DTYPES, variants=_forms("rad2deg"))
_row("logit", ELEM, lambda lib, x, **kw: lib.logit(x, **kw),
     unary(PROBABILITY, extra=(0.0, 1.0, 0.5, 0.05, 0.95, 0.1, 0.9, -0.5, 1.5),
           kwargs=({}, {"eps": 0.1}, {"eps": 1e-6})),
     dtypes=ALL_DTYPES, variants={"method": lambda lib, x, **kw: x.logit(**kw)},
     known=(KnownDifference(
         "the sign of logit's infinite gradient at x = -0.0 in a float32 tensor of fewer "
         "than 16 elements (the special grid): minitorch grad / -0.0, torch grad * inf",
         "torch's own sign depends on its kernel: its vectorised loop (16+ float32, 8+ "
         "float64 elements) computes grad / (x (1 - x)) like minitorch, its scalar loop "
         "grad * inf",
         applies=lambda s: "special grid" in s.desc and s.args[0].dtype == np.float32
         and not s.kwargs),))
_row("nan_to_num", ELEM, lambda lib, x, **kw: lib.nan_to_num(x, **kw),
     unary(ANY, kwargs=({}, {"nan": 1.5, "posinf": 2.0, "neginf": -3.0}, {"posinf": 1e30})),
     dtypes=ALL_DTYPES, variants={"method": lambda lib, x, **kw: x.nan_to_num(**kw)})
_row("signbit", ELEM, func("signbit"), unary(ANY), dtypes=ALL_DTYPES, differentiable=False,
     variants=_forms("signbit"))
_row("positive(new dtypes)", ELEM, func("positive"), unary(ANY), dtypes=NUMERIC,
     variants={"unary +": lambda lib, x: +x}, covers=("positive",))

# clamp_min / clamp_max with a number (the bound itself is in the edge values)
CLAMP_EDGES = (-1.0, -0.5, 0.0, 0.5, 1.0)
_row("clamp_min", ARITH, lambda lib, x, min: lib.clamp_min(x, min),
     unary(ANY, extra=CLAMP_EDGES, kwargs=({"min": 0.5}, {"min": -1.0})),
     dtypes=NUMERIC, variants={"method": lambda lib, x, min: x.clamp_min(min)},
     bad_inputs=(bad(F32, desc="no bound"),))
_row("clamp_max", ARITH, lambda lib, x, max: lib.clamp_max(x, max),
     unary(ANY, extra=CLAMP_EDGES, kwargs=({"max": 0.5}, {"max": -1.0})),
     dtypes=NUMERIC, variants={"method": lambda lib, x, max: x.clamp_max(max)},
     bad_inputs=(bad(F32, desc="no bound"),))
SIGNED_ZERO_TIE = KnownDifference(
    "a tie of signed zeros with a tensor bound (clamp_min(0.0, -0.0)): minitorch keeps x, "
    "torch gives x below 8 (float64) or 16 (float32) elements and the bound above",
    "torch's own result depends on its kernel (scalar loop or vectorised); minitorch "
    "follows its scalar loop, as clamp with number bounds does in every torch kernel",
    applies=lambda s: "special grid" in s.desc)
_row("clamp_min(tensor)", ARITH, func("clamp_min"), binary(scalars=False),
     dtypes=NUMERIC, variants={"method": method("clamp_min")}, known=(SIGNED_ZERO_TIE,),
     covers=("clamp_min",))
_row("clamp_max(tensor)", ARITH, func("clamp_max"), binary(scalars=False),
     dtypes=NUMERIC, variants={"method": method("clamp_max")}, known=(SIGNED_ZERO_TIE,),
     covers=("clamp_max",))

# -- binary ------------------------------------------------------------------------------------
MISMATCH = bad(arr(np.ones((3, 4))), arr(np.ones((5,))), desc="(3, 4) with (5,)")

_row("atan2", ARITH, func("atan2"), binary(scalars=False), dtypes=ALL_DTYPES,
     variants=_forms("atan2", "arctan2"),
     bad_inputs=(MISMATCH, bad(2.0, F32, desc="a number first"), bad(F32, 2.0, desc="number")),
     covers=("atan2", "arctan2"))
_row("hypot", ARITH, func("hypot"), binary(scalars=False), dtypes=FLOATS,
     variants=_forms("hypot"),
     bad_inputs=(MISMATCH, bad(I64, I64, desc="int64 tensors (no integer kernel)"),
                 bad(F32, 2.0, desc="a number")))
_row("copysign", ARITH, func("copysign"), binary(), dtypes=ALL_DTYPES,
     variants=_forms("copysign"), bad_inputs=(MISMATCH, bad(2.0, F32, desc="a number first")))
_row("logaddexp", ARITH, func("logaddexp"), binary(scalars=False), dtypes=FLOATS,
     variants=_forms("logaddexp"),
     bad_inputs=(MISMATCH, bad(I64, I64, desc="int64 tensors (no integer kernel)"),
                 bad(F32, 1.0, desc="a number")))
_row("logaddexp2", ARITH, func("logaddexp2"), binary(scalars=False), dtypes=FLOATS,
     variants=_forms("logaddexp2"),
     bad_inputs=(MISMATCH, bad(BOOLS, BOOLS, desc="bool tensors")))
_row("xlogy", ARITH, func("xlogy"), binary(other=POSITIVE), dtypes=ALL_DTYPES,
     variants=_forms("xlogy"), bad_inputs=(MISMATCH, bad(2, 3, desc="two numbers")))
EXPONENT = Domain(-2.0, 2.0, avoid=(), int_low=-2, int_high=3)
_row("float_power", ARITH, func("float_power"), binary(domain=POSITIVE, other=EXPONENT),
     dtypes=ALL_DTYPES, variants=_forms("float_power"),
     bad_inputs=(MISMATCH, bad(2.0, 3.0, desc="two numbers")))
_row("float_power(scalar exponent)", ARITH, lambda lib, x, exponent: lib.float_power(x, exponent),
     unary(POSITIVE, kwargs=({"exponent": 2}, {"exponent": 0.5}, {"exponent": -1.5},
                             {"exponent": 0})),
     dtypes=NUMERIC, variants={"method": lambda lib, x, exponent: x.float_power(exponent)},
     covers=("float_power",))


def _float_power_inplace(lib: Any, x: Any, exponent: Any) -> Any:
    y = x.clone()
    y.float_power_(exponent)
    return y


_row("Tensor.float_power_", ARITH, _float_power_inplace,
     unary(POSITIVE, kwargs=({"exponent": 2.0},), special=False), dtypes=("float64",),
     differentiable=False,
     bad_inputs=(bad(F32, 2.0, desc="float32 base (the result is float64)"),))

# -- shifts ------------------------------------------------------------------------------------
SHIFT = Domain(int_low=-3, int_high=70)  # includes negative and too-large shift amounts
_row("bitwise_left_shift", CMP, func("bitwise_left_shift"), binary(other=SHIFT),
     dtypes=INTEGRAL, differentiable=False,
     variants={"method": method("bitwise_left_shift"), "<<": lambda lib, a, b: a << b},
     bad_inputs=(bad(F32, 1, desc="float tensor"), bad(I64, F32, desc="float shift"),
                 bad(2, 3, desc="two numbers")),
     covers=("bitwise_left_shift", "<<"))
_row("bitwise_right_shift", CMP, func("bitwise_right_shift"), binary(other=SHIFT),
     dtypes=INTEGRAL, differentiable=False,
     variants={"method": method("bitwise_right_shift"), ">>": lambda lib, a, b: a >> b},
     bad_inputs=(bad(F32, 1, desc="float tensor"), bad(BOOLS, BOOLS, desc="bool tensors")),
     covers=("bitwise_right_shift", ">>"))


def _shift_inplace(op: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def call(lib: Any, x: Any, y: Any) -> Any:
        z = x.clone()
        z = op(z, y)  # <<= and >>= go through __ilshift__ / __irshift__
        return z

    return call


_row("<<= >>=", CMP, _shift_inplace(operator.ilshift), binary(other=SHIFT, scalars=False,
                                                               promote=False, special=False),
     dtypes=("int64",), differentiable=False,
     variants={">>=": _shift_inplace(operator.irshift)}, covers=("<<", ">>"))
_row("~ (float)", CMP, lambda lib, x: ~x, unary(ANY, special=False, empty=False,
                                               noncontig=False),
     dtypes=INTEGRAL, differentiable=False,
     bad_inputs=(bad(F32, desc="float tensor: TypeError from the operator"),),
     covers=("~",))


# -- the fixes (issue 11, from torch's OpInfo samples) ----------------------------------------
def _clamp_broadcast(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    """clamp(x, min=(4, 4, 1), max=(4, 4)): the output is (4, 4, 4), larger than x."""
    shapes = (((4, 4), (4, 4, 1), (4, 4)), ((4,), (3, 1), (2, 1, 4)), ((2, 1), None, (3, 1, 1)))
    for i, (sx, slo, shi) in enumerate(shapes):
        x = random_array(rng, sx, dtype, SMOOTH)
        lo = None if slo is None else random_array(rng, slo, dtype, Domain(-1.0, -0.1, avoid=()))
        hi = random_array(rng, shi, dtype, Domain(0.1, 1.0, avoid=()))
        tags = _tags("quick", "gradcheck") if i == 0 else _tags("broadcast")
        yield Sample((x,), {"min": lo, "max": hi}, f"x {sx}, min {slo}, max {shi}", tags=tags)


def _clamp_call(lib: Any, x: Any, min: Any = None, max: Any = None) -> Any:
    return lib.clamp(x, min=min, max=max)


def _clamp_broadcast_args(grad_args: tuple[int, ...]) -> Callable[..., Iterator[Sample]]:
    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for s in _clamp_broadcast(rng, dtype):  # bounds positional, so gradients can reach them
            args = (s.args[0], s.kwargs["min"], s.kwargs["max"])
            yield Sample(args, {}, s.desc, grad_args=grad_args, tags=s.tags)

    return gen


# torch's backward succeeds for x alone, and raises (its masks are built in place on a smaller
# broadcast) when a bound needs a gradient: the same cases raise the same class here.
_row("clamp(broadcast bounds)", ARITH, _clamp_call, _clamp_broadcast_args((0,)),
     covers=("clamp",))
_row("clamp(broadcast bounds, grad to bounds)", ARITH, _clamp_call,
     _clamp_broadcast_args((0, 1, 2)), covers=("clamp",))


def _two_numbers(values: tuple[tuple[Any, Any], ...]) -> Callable[..., Iterator[Sample]]:
    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for i, (a, b) in enumerate(values):
            yield Sample((a, b), {}, f"{a!r} and {b!r}", tags=_tags("quick") if i < 8 else ())

    return gen


NUMBER_PAIRS = ((-8.47, -1.77), (True, True), (True, False), (2, 3), (2, 3.5), (3.5, 2),
                (True, 2), (False, 2.5))
for _name in ("add", "mul", "div", "true_divide", "floor_divide", "sub"):
    _pairs = NUMBER_PAIRS if _name not in ("floor_divide",) else NUMBER_PAIRS[2:3] + (
        (7, 2), (-7.5, 2), (7, -2.0))
    _row(f"{_name}(two numbers)", ARITH, func(_name), _two_numbers(_pairs), dtypes=("float32",),
         differentiable=False, covers=(_name,))
for _name in ("fmod", "remainder", "pow"):
    _row(f"{_name}(two numbers)", ARITH, func(_name), _two_numbers(((5.0, 2.0),)),
         dtypes=("float32",), differentiable=False,
         bad_inputs=(bad(5, 2, desc="two ints"), bad(5.5, 2.0, desc="two floats")),
         covers=(_name,))
_row("fmod(number first)", ARITH, func("fmod"),
     _two_numbers(((arr([5.0, -3.0]), 2.0),)), dtypes=("float32",),
     bad_inputs=(bad(2.0, F32, desc="a number first"),), covers=("fmod",))
_row("remainder(number first)", ARITH, func("remainder"),
     _two_numbers(((2.0, arr([5.0, -3.0, 0.5])), (-3, arr([2, 5], np.int64)))),
     dtypes=("float32",), covers=("remainder",))
_row("rounded division (bool)", ARITH, func("floor_divide"), _two_numbers(((I64, 2),)),
     dtypes=("int64",), differentiable=False,
     variants={"remainder": func("remainder"), "fmod": func("fmod"),
               "div trunc": func("div", rounding_mode="trunc"),
               "div floor": func("div", rounding_mode="floor")},
     bad_inputs=(bad(BOOLS, BOOLS, desc="bool // bool"),), covers=("floor_divide",))
for _name, _kw in (("remainder", {}), ("fmod", {}), ("div", {"rounding_mode": "trunc"}),
                   ("div", {"rounding_mode": "floor"})):
    _row(f"{_name}{'(' + _kw['rounding_mode'] + ')' if _kw else ''}(bool)", ARITH,
         func(_name, **_kw), _two_numbers(((I64, 3),)), dtypes=("int64",), differentiable=False,
         bad_inputs=(bad(BOOLS, BOOLS, desc="bool tensors"),), covers=(_name,))

_row("F.elu(nan)", NN, lambda lib, x, **kw: lib.nn.functional.elu(x, **kw),
     unary(ANY, kwargs=({}, {"alpha": 0.5}, {"alpha": 2.0}),
           extra=(math.nan, -math.nan, 0.0, -0.0, -30.0, math.inf, -math.inf)),
     covers=("F.elu",))


# -- the narrow dtypes: promotion through real ops ---------------------------------------------
NARROW = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")


def _narrow_pairs(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    """Every pair of torch's real dtypes (tensor with tensor, tensor with 0-d, with numbers)."""
    for a in NARROW:
        for b in NARROW:
            x = np.asarray(rng.integers(0, 5, size=(2, 3)), dtype=a)
            y = np.asarray(rng.integers(1, 5, size=(2, 3)), dtype=b)
            y0 = np.asarray(rng.integers(1, 5), dtype=b)
            tags = _tags("quick") if a in ("uint8", "int8", "float16") else _tags()
            yield Sample((x, y), {}, f"{a} with {b}", tags=tags)
            yield Sample((x, y0), {}, f"{a} with 0-d {b}", tags=_tags("promote"))
        for s in (True, 3, 2.5):
            x = np.asarray(rng.integers(0, 5, size=(2, 3)), dtype=a)
            yield Sample((x, s), {}, f"{a} with {s!r}", tags=_tags("quick", "scalar"))


_row("type promotion (narrow dtypes)", ARITH, func("add"), _narrow_pairs, dtypes=("float32",),
     differentiable=False,
     variants={"mul": func("mul"), "maximum": lambda lib, a, b: lib.maximum(a, b),
               "eq": func("eq"), "where": lambda lib, a, b: lib.where(a > 1, a, b)},
     covers=("type promotion",))
