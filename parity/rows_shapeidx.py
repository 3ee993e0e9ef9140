"""Op-table rows for the wave-2 shape and indexing ops (minitorch/ops/shape.py, indexing.py,
nn/functional/padding.py): narrow ... rot90, scatter_reduce, index_put / index_add /
index_copy / index_fill / masked_scatter, and indexing by torch's rules where they differ
from NumPy's (an int among tensor indices is a basic index).

Same shape as the rows of op_table.py; in-place forms are variants that must agree with the
function (run on a clone, so a leaf input still gets its gradient). The lead wires ROWS into
the sweep (op_table.ALL_ROWS).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as np

from parity.convert import DType
from parity.op_table import arr, bad, func, method
from parity.samples import (
    ALL_DTYPES,
    NUMERIC,
    Call,
    index_array,
    like,
    random_array,
    shaped,
)
from parity.spec import KnownDifference, OpSpec, Sample

SHAPE, IDX = "shape", "indexing"
ROWS: list[OpSpec] = []
F64 = arr(np.arange(12.0).reshape(3, 4), np.float64)
QG = frozenset({"quick", "gradcheck"})


# Rows the bench cannot time: they return a list of tensors (the bench times one output)
# or exist for 0-d inputs, which do not grow.
NOT_TIMED = {"atleast_2d", "broadcast_tensors", "scatter(0-d)", "scatter_add(0-d)"}


def _row(name: str, family: str, fn: Callable[..., Any], samples: Any, **kw: Any) -> OpSpec:
    # The index_* rows check the in-place form too (their variants): they cover both names.
    in_place_too = name in ("index_put", "index_add", "index_fill", "index_copy", "masked_scatter")
    kw.setdefault("covers", (name, name + "_") if in_place_too else (name,))
    if name in NOT_TIMED:
        kw.setdefault("bench", False)
    spec = OpSpec(name=name, family=family, fn=fn, samples=samples, **kw)
    ROWS.append(spec)
    return spec


def _fm(name: str, inplace: bool = False) -> dict[str, Callable[..., Any]]:
    """The method (and in-place) variants of a function row."""
    forms: dict[str, Callable[..., Any]] = {"method": method(name)}
    if inplace:
        def call(lib: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
            y = x.clone()
            out = getattr(y, name + "_")(*args, **kwargs)
            assert out is y
            return y
        forms["in place"] = call
    return forms


def _listed(name: str) -> Callable[..., Any]:
    """lib.NAME([x, y, ...]): ops that take a sequence of tensors."""
    return lambda lib, *xs, **kw: getattr(lib, name)(list(xs), **kw)


# -- views and pieces --------------------------------------------------------------------
_row("narrow", SHAPE, func("narrow"), shaped([
    Call((3, 4), (1, 1, 2), noncontig=True), Call((2, 3, 4), (-1, -3, 2)), Call((3, 4), (0, 3, 0)),
    Call((0, 4), (1, 0, 4)), Call((5,), (0, -5, 5))]), dtypes=ALL_DTYPES, variants=_fm("narrow"),
    bad_inputs=(bad(F64, 0, 4, 1, desc="start 4 of size 3"),
                bad(F64, 0, 2, 2, desc="start + length past the end"),
                bad(arr(1.0), 0, 0, 1, desc="0-d input")))
_row("select", SHAPE, func("select"), shaped([
    Call((3, 4), (1, 2), noncontig=True), Call((2, 3, 4), (-1, -1)), Call((3, 4), (0, 0)),
    Call((5,), (0, 4)), Call((2, 0), (0, 1))]), dtypes=ALL_DTYPES, variants=_fm("select"),
    bad_inputs=(bad(F64, 1, 4, desc="index 4 of size 4"), bad(arr(1.0), 0, 0, desc="0-d")))
_row("diagonal", SHAPE, func("diagonal"), shaped([
    Call((3, 4), noncontig=True), Call((3, 4), (1,)), Call((3, 4), (-2,)), Call((3, 4), (7,)),
    Call((2, 3, 4), (0, 0, 2)), Call((2, 3, 4), (1, -1, 0)), Call((0, 3))]),
    dtypes=ALL_DTYPES, variants=_fm("diagonal"),
    bad_inputs=(bad(F64, 0, 1, 1, desc="dim1 == dim2"), bad(arr([1.0, 2.0]), desc="1-d")))
_row("diag", SHAPE, func("diag"), shaped([
    Call((4,)), Call((4,), (1,)), Call((4,), (-2,)), Call((3, 4), noncontig=True),
    Call((3, 4), (2,)), Call((3, 4), (-1,)), Call((0,))]),
    dtypes=ALL_DTYPES, variants=_fm("diag"),
    bad_inputs=(bad(arr(np.ones((2, 2, 2))), desc="3-d"),))
_row("diag_embed", SHAPE, func("diag_embed"), shaped([
    Call((3, 4), noncontig=True), Call((4,), (1,)), Call((2, 3), (-1, 0, 2)),
    Call((2, 3), (0, -1, 0)), Call(()), Call((0,))]),
    dtypes=ALL_DTYPES, variants=_fm("diag_embed"),
    bad_inputs=(bad(F64, 0, 1, 1, desc="dim1 == dim2"),))
_row("Tensor.unfold", SHAPE, method("unfold"), shaped([
    Call((2, 3, 5), (2, 2, 1), noncontig=True), Call((3, 5), (-1, 3, 2)), Call((3, 5), (0, 1, 5)),
    Call((6,), (0, 6, 1)), Call((6,), (0, 0, 2)), Call((), (0, 1, 1))]), dtypes=ALL_DTYPES,
    bad_inputs=(bad(F64, 1, 5, 1, desc="size 5 of 4"), bad(F64, 1, 2, 0, desc="step 0")),
    covers=("Tensor.unfold",))
_row("tensor_split", SHAPE, func("tensor_split"), shaped([
    Call((5, 4), (3,), noncontig=True), Call((3, 4), (5,), {"dim": 1}),
    Call((3, 7), ([1, 4],), {"dim": -1}), Call((6,), ((-2, 2, 9),)),
    Call((4, 3), (index_array([1, 3]),)), Call((4, 3), (index_array(2),)), Call((0, 3), (2,))]),
    dtypes=ALL_DTYPES, variants=_fm("tensor_split"),
    bad_inputs=(bad(F64, 0, desc="0 sections"), bad(arr(1.0), 2, desc="0-d input")))
_row("rot90", SHAPE, func("rot90"), shaped([
    Call((3, 4), noncontig=True), Call((3, 4), (2,)), Call((3, 4), (-1,)), Call((3, 4), (4,)),
    Call((2, 3, 4), (1, [2, 0])), Call((2, 3, 4), (3, (-1, 1))), Call((0, 3))]),
    dtypes=ALL_DTYPES, variants=_fm("rot90"),
    bad_inputs=(bad(F64, 1, [0, 0], desc="same dims"), bad(arr([1.0]), desc="1-d"),
                bad(F64, 1, [0], desc="one dim")))
_row("repeat_interleave", SHAPE, func("repeat_interleave"), shaped([
    Call((3, 4), (2,), noncontig=True), Call((3, 4), (3,), {"dim": 1}),
    Call((3, 4), (index_array([1, 0, 2]),), {"dim": 0}),
    Call((3, 4), (index_array([2]),), {"dim": -1}),
    Call((3, 4), (index_array([2, 1, 1]), 0), {"output_size": 4}), Call((), (3,)),
    Call((0, 2), (2,), {"dim": 0})]),
    dtypes=ALL_DTYPES, variants=_fm("repeat_interleave"),
    bad_inputs=(bad(F64, -1, desc="negative repeats"),
                bad(F64, np.array([1, 2]), 0, desc="2 repeats for 3 rows"),
                bad(F64, np.array([1, 1, 1]), 0, output_size=5, desc="wrong output_size")))
_row("repeat_interleave(counts)", SHAPE, lambda lib, r: lib.repeat_interleave(r),
     lambda rng, dtype: iter([Sample((np.array([2, 0, 3]),), {}, "counts [2, 0, 3]", tags=QG),
                              Sample((np.array([], np.int64),), {}, "no counts")]),
     dtypes=("int64",), differentiable=False, covers=("repeat_interleave",))
_row("take", IDX, func("take"), shaped([
    Call((3, 4), (index_array([[0, 5], [-1, 5]]),), noncontig=True),
    Call((2, 3, 4), (index_array([3, 3, 0]),)), Call((), (index_array([0, -1]),)),
    Call((3, 4), (index_array([], np.int64),)), Call((3, 4), (index_array(7),))]),
    dtypes=ALL_DTYPES, variants=_fm("take"),
    bad_inputs=(bad(F64, np.array([12]), desc="index 12 of 12 elements"),
                bad(F64, np.array([0], np.int32), desc="int32 index")))

# -- joining ----------------------------------------------------------------------------------
for _name, _calls in {
    "hstack": [Call((4,), (like((2,)),)), Call((3, 4), (like((3, 1)), like((3, 2)))),
               Call((), (like(()),)), Call((2, 3, 4), (like((2, 1, 4)),))],
    "vstack": [Call((4,), (like((3, 4)),)), Call((3, 4), (like((1, 4)),)), Call((), (like(()),))],
    "dstack": [Call((4,), (like((4,)),)), Call((3, 4), (like((3, 4)),)),
               Call((3, 4), (like((3, 4, 2)),)), Call((), (like(()),))],
    "column_stack": [Call((3,), (like((3, 2)), like((3,)))), Call((), (like(()),)),
                     Call((3, 4), (like((3, 1)),))],
}.items():
    _row(_name, SHAPE, _listed(_name), shaped(_calls), dtypes=ALL_DTYPES,
         bad_inputs=(bad(F64, arr(np.ones((2, 5))), desc="(3, 4) with (2, 5)"),))
_row("atleast_1d", SHAPE, func("atleast_1d"), shaped([Call(()), Call((3,)), Call((2, 3))]),
     dtypes=ALL_DTYPES, variants={"listed": _listed("atleast_1d")})
_row("atleast_2d", SHAPE, func("atleast_2d"),
     shaped([Call(()), Call((3,), (like(()),)), Call((2, 3), (like((4,)), like(())))]),
     dtypes=ALL_DTYPES, variants={"listed": _listed("atleast_2d")})
_row("atleast_3d", SHAPE, func("atleast_3d"),
     shaped([Call(()), Call((3,), (like((2, 3)),)), Call((2, 3, 4), (like((2, 3)),)),
             Call((1, 2, 3, 4))]), dtypes=ALL_DTYPES, variants={"listed": _listed("atleast_3d")})
_row("broadcast_tensors", SHAPE, func("broadcast_tensors"),
     shaped([Call((3, 1), (like((4,)), like(()))), Call((2, 1, 4), (like((3, 1)),)),
             Call((0, 1), (like((3,)),)), Call((3, 4))]), dtypes=ALL_DTYPES,
     bad_inputs=(bad(F64, arr(np.ones(5)), desc="(3, 4) with (5,)"),))


def _meshgrid(indexing: str | None) -> Callable[..., Any]:
    def call(lib: Any, *xs: Any) -> Any:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns when indexing is left out; so do we
            if indexing is None:
                return lib.meshgrid(*xs)
            return lib.meshgrid(*xs, indexing=indexing)
    return call


_row("meshgrid", SHAPE, _meshgrid("ij"), shaped([
    Call((4,), (like((3,)),)), Call((4,), (like((3,)), like((2,)))), Call((), (like((3,)),)),
    Call((3,)), Call((0,), (like((2,)),))]), dtypes=ALL_DTYPES,
    variants={"xy": lambda lib, *xs: tuple(
        t.transpose(0, 1) if t.ndim >= 2 else t for t in _meshgrid("xy")(lib, *xs)),
        "default": _meshgrid(None), "list": lambda lib, *xs: lib.meshgrid(list(xs), indexing="ij")},
    bad_inputs=(bad(F64, arr([1.0]), desc="a 2-d tensor"),))


# -- triangles of indices ---------------------------------------------------------------------
def _tri(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    specs = [((3, 4), {}), ((3, 4, 1), {}), ((4, 3, -1), {}), ((0, 3), {}), ((3, 3, 5), {}),
             ((3, 3, -5), {}), ((3, 3), {"dtype": DType("int32")})]
    for i, (args, kw) in enumerate(specs):
        yield Sample(args, kw, f"{args} {kw}", tags=frozenset({"quick"}) if i == 0 else
                     frozenset())


for _name in ("tril_indices", "triu_indices"):
    _row(_name, SHAPE, func(_name), _tri, dtypes=("int64",), differentiable=False,
         bad_inputs=(bad(-1, 3, desc="negative rows"),
                     bad(3, 3, dtype=DType("float32"), desc="float dtype")))


# -- scatter_reduce and the scatter fixes ------------------------------------------------------
def _scatter_reduce(reduce: str, include_self: bool) -> Callable[..., Any]:
    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        kw = {"include_self": include_self}
        x = random_array(rng, (3, 4), dtype)
        index = np.array([[0, 1, 0, 3], [2, 2, 1, 2], [3, 3, 3, 3]])
        src = random_array(rng, (3, 4), dtype)
        if dtype in ("float32", "float64"):
            src[0, 0] = src[0, 2] = 0  # zeros meet in one place (prod's adjoint)
            src[2, :] = x[2, 3] = 1.5  # ties (amax / amin share the gradient)
        # amax / amin are not differentiable at a tie: torch shares the gradient evenly there,
        # central differences see one side; so their tie sample is compared with torch only
        ties = reduce in ("amax", "amin")
        yield Sample((x, 1, index, src, reduce), kw, "(3, 4) dim 1, repeats, zeros, ties",
                     tags=frozenset({"quick"}) if ties else QG)
        if ties:
            yield Sample((x, 1, index, random_array(rng, (3, 4), dtype), reduce), kw,
                         "(3, 4) dim 1, repeats, no ties", tags=frozenset({"gradcheck"}))
        yield Sample((x, 0, index[:2, :3] % 3, src[:2, :3].copy(), reduce), kw,
                     "(3, 4) dim 0, index (2, 3)")
        yield Sample((x.T, 0, index.T % 3, src.T.copy(), reduce), kw, "transposed",
                     tags=frozenset({"noncontig"}))
        yield Sample((x, 1, index[:, :2], random_array(rng, (3, 5), dtype), reduce), kw,
                     "src larger than index", grad_args=(0,))
        yield Sample((random_array(rng, (), dtype), 0, np.array(0), random_array(rng, (), dtype),
                      reduce), kw, "0-d")
    return gen


_SRC_LARGER = KnownDifference(
    "with a src larger than index, torch's adjoint of prod, amax and amin raises (it mixes "
    "src's full shape with index's); minitorch returns the gradient (zero where src is unused)",
    "torch's formula is a bug there; the sum and mean rows show the shapes agree",
    applies=lambda s: s.desc == "src larger than index")
_SR_BAD = (bad(F64, 1, np.array([[0]]), F64, "mul", desc="reduce 'mul'"),
           bad(F64, 1, np.array([[4]]), F64, "sum", desc="index 4 of size 4"),
           bad(F64, 1, np.array([[0]]), F64.astype(np.float32), "sum", desc="src dtype"))
for _reduce in ("sum", "prod", "mean", "amax", "amin"):
    for _inc in (True, False):
        _row(f"scatter_reduce({_reduce}, include_self={_inc})", IDX, func("scatter_reduce"),
             _scatter_reduce(_reduce, _inc),
             dtypes=NUMERIC if _reduce == "mean" else ALL_DTYPES[:3],
             variants=_fm("scatter_reduce", inplace=True),
             bad_inputs=_SR_BAD if _reduce == "sum" and _inc else (),
             known=(_SRC_LARGER,) if _reduce in ("prod", "amax", "amin") else (),
             covers=("scatter_reduce",))


def _scatter_fixes(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    s0 = random_array(rng, (), dtype)
    yield Sample((random_array(rng, (), dtype), 0, np.array(0), s0), {}, "0-d self, index, src",
                 tags=QG)
    yield Sample((random_array(rng, (), dtype), 0, np.array([0]), random_array(rng, (1,), dtype)),
                 {}, "0-d self, 1-d index and src")
    yield Sample((random_array(rng, (3,), dtype), 0, np.array(2), s0), {}, "1-d self, 0-d index")


_row("scatter(0-d)", IDX, func("scatter"), _scatter_fixes, dtypes=ALL_DTYPES,
     variants=_fm("scatter", inplace=True), covers=("scatter",))
_row("scatter_add(0-d)", IDX, func("scatter_add"), _scatter_fixes, dtypes=NUMERIC,
     variants=_fm("scatter_add", inplace=True), covers=("scatter_add",))
_row("scatter(value=)", IDX, lambda lib, x, d, i, v: lib.scatter(x, d, i, value=v), shaped([
    Call((3, 4), (1, index_array([[0], [3], [1]]), 2.5), noncontig=True),
    Call((3, 4), (0, index_array([[2, 0]]), -1)), Call((), (0, index_array(0), 4))]),
    dtypes=ALL_DTYPES[:3], variants={"method": lambda lib, x, d, i, v: x.scatter(d, i, value=v)},
    covers=("scatter",))
_row("roll(0-d)", SHAPE, func("roll"), shaped([Call((), (1,)), Call((), (0,))]),
     dtypes=ALL_DTYPES, variants=_fm("roll"),
     bad_inputs=(bad(arr(1.0), 1, 0, desc="0-d with dims=0"),), covers=("roll",))


# -- index_put, index_add, index_copy, index_fill, masked_scatter ------------------------------
MASK34 = np.array([[True, False, True, True], [False, False, True, False],
                   [True, True, False, False]])


def _index_put(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = random_array(rng, (3, 4), dtype)
    v4 = random_array(rng, (4,), dtype)
    yield Sample((x, (np.array([0, 2]),), v4), {}, "rows [0, 2] = (4,)", tags=QG)
    yield Sample((x, (np.array([0, 2, 0]), np.array([1, 3, 1])), v4[:3].copy()),
                 {"accumulate": True}, "pairs, repeated, accumulate")
    yield Sample((x, (np.array([1, 1]),), v4), {"accumulate": True}, "row twice, accumulate")
    yield Sample((x, (np.array([1, 0]), np.array([2, 2])), random_array(rng, (), dtype)), {},
                 "0-d value")
    yield Sample((x, (MASK34,), v4[:1].copy()), {}, "bool mask")
    yield Sample((x.T.copy().T, (np.array([2]),), v4), {}, "transposed",
                 tags=frozenset({"noncontig"}))


_row("index_put", IDX, func("index_put"), _index_put, dtypes=ALL_DTYPES,
     variants=_fm("index_put", inplace=True),
     bad_inputs=(bad(F64, (np.array([5]),), arr(np.ones(4), np.float64), desc="index 5 of 3"),
                 bad(F64, (np.array([0]),), arr(np.ones(4)), desc="float32 values"),
                 bad(F64, (np.array([0]),), arr(np.ones(3), np.float64), desc="(3,) into (4,)")))


def _index_add_like(alpha: bool) -> Callable[..., Any]:
    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        x = random_array(rng, (3, 4), dtype)
        kw = {"alpha": 2} if alpha and dtype != "bool" else {}
        yield Sample((x, 0, np.array([2, 0]), random_array(rng, (2, 4), dtype)), kw,
                     "(3, 4) dim 0", tags=QG)
        yield Sample((x, -1, np.array([3, 1, 0]), random_array(rng, (3, 3), dtype)), kw,
                     "(3, 4) dim -1")
        yield Sample((x.T, 1, np.array([1]), random_array(rng, (4, 1), dtype)), kw,
                     "transposed", tags=frozenset({"noncontig"}))
        yield Sample((random_array(rng, (2, 3, 4), dtype), 1, np.array([], np.int64),
                      random_array(rng, (2, 0, 4), dtype)), kw, "empty index")
        yield Sample((random_array(rng, (), dtype), 0, np.array([0]), random_array(rng, (), dtype)),
                     kw, "0-d")
    return gen


def _repeated_add(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield from _index_add_like(True)(rng, dtype)
    yield Sample((random_array(rng, (3, 4), dtype), 0, np.array([0, 0, 2]),
                  random_array(rng, (3, 4), dtype)), {}, "repeated index adds up")


_row("index_add", IDX, func("index_add"), _repeated_add, dtypes=NUMERIC,
     variants=_fm("index_add", inplace=True),
     bad_inputs=(bad(F64, 0, np.array([3]), F64[:1], desc="index 3 of 3"),
                 bad(F64, 0, np.array([0.0]), F64[:1], desc="float index"),
                 bad(F64, 0, np.array([0, 1]), F64[:1], desc="2 indices, 1 slice"),
                 bad(F64, 0, np.array([0]), F64[:1].astype(np.float32), desc="source dtype")))
_row("index_copy", IDX, func("index_copy"), _index_add_like(False), dtypes=ALL_DTYPES,
     variants=_fm("index_copy", inplace=True),
     bad_inputs=(bad(F64, 0, np.array([3]), F64[:1], desc="index 3 of 3"),
                 bad(F64, 0, np.array([0], np.int32), F64[:1], desc="int32 index"),
                 bad(F64, 0, np.array([0]), F64[:1, :2], desc="(1, 2) slice into (1, 4)")))


def _index_fill(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = random_array(rng, (3, 4), dtype)
    value = {"bool": True, "int64": 7}.get(dtype, -1.5)
    yield Sample((x, 1, np.array([0, 2, 2]), value), {}, "(3, 4) dim 1, repeated", tags=QG)
    yield Sample((x, 0, np.array([-1]), value), {}, "negative index")
    yield Sample((x, 1, np.array([1, 3]), random_array(rng, (), dtype)), {}, "0-d tensor value")
    yield Sample((x, 0, np.array(1), value), {}, "0-d index")
    yield Sample((x.T, 1, np.array([2]), value), {}, "transposed", tags=frozenset({"noncontig"}))


_row("index_fill", IDX, func("index_fill"), _index_fill, dtypes=ALL_DTYPES,
     variants=_fm("index_fill", inplace=True),
     bad_inputs=(bad(F64, 0, np.array([3]), 1.0, desc="index 3 of 3"),
                 bad(F64, 0, np.array([0], np.int32), 1.0, desc="int32 index"),
                 bad(F64, 0, np.array([0]), arr([1.0, 2.0], np.float64), desc="1-d value")))


def _masked_scatter(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = random_array(rng, (3, 4), dtype)
    yield Sample((x, MASK34, random_array(rng, (2, 3, 4), dtype)), {}, "(3, 4) mask, larger src",
                 tags=QG)
    yield Sample((x, MASK34[0].copy(), random_array(rng, (3, 4), dtype)), {}, "broadcast mask")
    yield Sample((x.T, MASK34.T.copy(), random_array(rng, (7,), dtype)), {}, "transposed",
                 tags=frozenset({"noncontig"}))
    yield Sample((x, np.zeros((3, 4), bool), random_array(rng, (0,), dtype)), {}, "empty mask")


_row("masked_scatter", IDX, func("masked_scatter"), _masked_scatter, dtypes=ALL_DTYPES,
     variants=_fm("masked_scatter", inplace=True),
     bad_inputs=(bad(F64, MASK34.astype(np.int64), F64, desc="int mask"),
                 bad(F64, MASK34, arr(np.ones(3), np.float64), desc="source too small"),
                 bad(F64, MASK34, F64.astype(np.float32), desc="source dtype")))


# -- indexing by torch's rules where they differ from NumPy's -----------------------------------
def _i(*v: Any) -> np.ndarray:
    return np.array(v, dtype=np.int64)


_B2, _B3 = np.array([True, False]), np.array([True, False, True])
# x of shape (2, 3, 4); each index mixes basic items (ints, slices, None, ..., bools) with
# tensors. torch applies the basic items first, then the tensors on the dims left.
MIXED: list[tuple[Any, ...]] = [
    (1, slice(None), _i(0, 2)), (_i(0, 1), slice(None), 1), (slice(None), 1, _i(3, 0, 3)),
    (1, _i(0, 2), _i(1, 3)), (_i(1, 0), 2, _i(1, 3)), (_i(1), slice(None), 2),
    (Ellipsis, 1, None, _i(0, 2)), (_i(0, 1), None, _i(0, 2)), (None, _i(0, 1), 1),
    ([0, 1], 1, [0, 2]), (True, 1, slice(None), _i(0, 2)), (1, True, slice(None), _i(0, 2)),
    (slice(None), True, 1, _i(0, 2)), (_i(0, 1), slice(None), True),
    (_B2, slice(None), _i(0, 2)), (1, _B3, _i(0, 2)), (_B2, 1, _i(3)), (slice(None), _B3, 1),
    (1, Ellipsis, _i(0, 0, 2)), (_i(1, 0), Ellipsis, _i(0, 3)),
    (np.array(1), slice(None), _i(0, 2)),
    (_i(0, 1), np.array(1), _i(0, 2)), (np.array(True), 1, _i(1, 2)),
    (_i([0], [1]), slice(1, 3), _i(0, 2)), (slice(None, None, 2), _i(2, 0), 0),
    (0, slice(1, None), _i([0, 1], [2, 3])), (None, 1, None, _i(0, 1), None),
    (0, [[0, 1], [1, 2]], slice(1, None)), ([0, 0, 1], slice(None), [[1], [2]]),
    (slice(0, 0), [0]), ([], 1), (1, [True, False, True], [0, 3]),
]


def _mixed_desc(idx: tuple[Any, ...]) -> str:
    def one(i: Any) -> str:
        if isinstance(i, np.ndarray):
            return f"{i.dtype.name}{list(i.shape)} tensor {i.tolist()}"
        if isinstance(i, slice):
            return f"{'' if i.start is None else i.start}:{'' if i.stop is None else i.stop}" + (
                f":{i.step}" if i.step else "")
        return "..." if i is Ellipsis else repr(i)
    return "x[" + ", ".join(one(i) for i in idx) + "]"


def _getitem_mixed(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for k, idx in enumerate(MIXED):
        yield Sample((random_array(rng, (2, 3, 4), dtype), idx), {}, _mixed_desc(idx),
                     tags=QG if k == 0 else frozenset())


def _slot_shape(idx: tuple[Any, ...]) -> tuple[int, ...]:
    """The shape x[idx] has in torch (basic items first, then the tensors on what is left)."""
    import torch

    conv = tuple(torch.tensor(i) if isinstance(i, np.ndarray) else i for i in idx)
    return tuple(torch.zeros(2, 3, 4)[conv].shape)


def _setitem_mixed(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for k, idx in enumerate(MIXED):
        x = random_array(rng, (2, 3, 4), dtype)
        yield Sample((x, idx, random_array(rng, _slot_shape(idx), dtype)), {},
                     _mixed_desc(idx) + " = tensor", tags=QG if k == 0 else frozenset())
        yield Sample((x, idx, random_array(rng, _slot_shape(idx)[-1:], dtype)), {},
                     _mixed_desc(idx) + " = last-dim row (broadcast)")


def _setitem(lib: Any, x: Any, idx: Any, value: Any) -> Any:
    y = x.clone()
    y[idx] = value
    return y


_row("getitem(torch rules)", IDX, lambda lib, x, idx: x[idx], _getitem_mixed, dtypes=ALL_DTYPES,
     covers=("t[int tensor]", "t[bool tensor]", "t[int]", "t[None]", "t[...]"))
_row("setitem(torch rules)", IDX, _setitem, _setitem_mixed, dtypes=ALL_DTYPES,
     covers=("t[idx] = value",))


# -- F.pad with negative amounts (crops) in every mode ----------------------------------------
def _negative_pads(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = random_array(rng, (2, 3, 5), dtype)
    x4 = random_array(rng, (1, 2, 4, 5), dtype)
    for k, mode in enumerate(("constant", "reflect", "replicate", "circular")):
        tags = QG if k == 0 else frozenset({"gradcheck"})
        yield Sample((x, (-1, 2)), {"mode": mode}, f"{mode} (-1, 2)", tags=tags)
        yield Sample((x, (2, -1)), {"mode": mode}, f"{mode} (2, -1)")
        yield Sample((x, (-2, -1)), {"mode": mode}, f"{mode} (-2, -1)")
        if mode != "circular":  # torch's circular returns uninitialised memory here
            yield Sample((x, (-6, 2)), {"mode": mode}, f"{mode} (-6, 2): crop past the size")
        yield Sample((x4, (1, -2, -1, 1)), {"mode": mode}, f"{mode} two dims (1, -2, -1, 1)")
        yield Sample((x4.transpose(0, 1, 3, 2), (-1, -1, 1, -1)), {"mode": mode},
                     f"{mode} transposed (-1, -1, 1, -1)", tags=frozenset({"noncontig"}))


_row("F.pad(negative)", "nn.functional", func("nn.functional.pad"), _negative_pads,
     dtypes=NUMERIC,
     bad_inputs=(bad(arr(np.ones((1, 2, 5))), (-6, 1), desc="constant crop past the size"),
                 bad(arr(np.ones((1, 2, 5))), (-5, 0), mode="reflect", desc="reflect to nothing")),
     covers=("F.pad",))
