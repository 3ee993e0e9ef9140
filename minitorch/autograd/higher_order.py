"""create_graph=True: the backward pass recorded as a graph, from the same backward text.

Every op's backward is written once, in NumPy, against arrays (`grad * (1 - y * y)`,
`np.where(x > 0, grad, 0)`, `unbroadcast(g, shape)`). For a second derivative the
backward must itself be recorded, so that it can be differentiated like any forward.
We do not write a second copy of each backward. Instead the engine runs the *same*
backward on `TracedArray`s: objects that look like NumPy arrays (shape, dtype, size,
`.sum(axis, keepdims)`, `.reshape`, `.astype`, operators, indexing) and that NumPy
itself hands back to us whenever one meets a NumPy function (NEP 13 `__array_ufunc__`
for np.exp, np.multiply, ...; NEP 18 `__array_function__` for np.where, np.sum,
np.broadcast_to, ...). Each such call runs the matching minitorch op on the Tensor
inside, which records a node. So `np.exp(x)` on an array is NumPy, and on a
TracedArray it is `minitorch.exp(x.tensor)`, with its own backward.

Why this and not a namespace argument (`backward(ctx, grad, xp)`)? Array methods
(`g.sum(axis=..., keepdims=True)`, `g.reshape`) and operators appear everywhere, and a
namespace cannot reach them; NumPy's protocols reach both, and the first-order path is
untouched: it never sees a TracedArray, so it pays nothing. And why a TracedArray and
not Tensor itself? A Tensor has torch's manners (`t.size()` is a method, `t.dtype` a
minitorch dtype, `t.sum(dim)`), a backward expects NumPy's (`a.size` an int, `a.dtype`
a NumPy dtype, `a.sum(axis)`): the wrapper keeps NumPy's meaning exactly.

What a backward may not do on the traced path raises, never detaches silently:
`np.asarray(traced)` (TypeError from __array__), in-place writes (`g[i] = traced`,
`a += traced`, `out=`), `np.add.at`, and any NumPy function without an entry below.
Values that do not depend on anything differentiable (masks, comparisons, a gradient
that needs no graph) stay plain arrays, and the backward runs on them as NumPy.

The saved arrays: `function.py` notes, for every array an op saves, whether it is
one of its inputs, its output, or something else (`saved_roles`). Here each input
becomes a Tensor on that input's edge, the output a Tensor made by the node itself,
so gradients of the backward flow on through the graph. Anything else computed in
forward is a value we cannot trace back: an op that saves such a float array is
refused (NotImplementedError, naming it), unless it says these are constants of its
inputs (`derived_saved_are_constant`, e.g. a dropout mask), or that its backward
recomputes them from the traced inputs (`derived_saved_recomputed`: they arrive as None).
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np

from minitorch.autograd.function import ROLE_OUTPUT, Function
from minitorch.autograd.grad_mode import _GradMode
from minitorch.tensor import Tensor

_new = object.__new__


class TracedArray:
    """An ndarray look-alike around a Tensor that records every op done on it."""

    __slots__ = ("tensor",)

    def __init__(self, tensor: Tensor) -> None:
        self.tensor = tensor

    # -- NumPy's attributes, with NumPy's meaning --------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.tensor.array.shape

    @property
    def ndim(self) -> int:
        return self.tensor.array.ndim

    @property
    def size(self) -> int:
        return self.tensor.array.size

    @property
    def dtype(self) -> np.dtype:
        return self.tensor.array.dtype

    @property
    def base(self) -> None:
        return None

    @property
    def T(self) -> Any:
        return np.transpose(self)

    @property
    def real(self) -> TracedArray:
        return self

    def __len__(self) -> int:
        return len(self.tensor.array)

    def __repr__(self) -> str:
        return f"TracedArray({self.tensor.array!r}, grad_fn={self.tensor.grad_fn!r})"

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        caller = sys._getframe(1)
        raise TypeError(
            "a backward turned a recorded gradient into a plain array (np.asarray, np.array "
            f"or an in-place write into an array, at {caller.f_code.co_filename}:"
            f"{caller.f_lineno}): under create_graph=True that would cut the graph; write it "
            "with NumPy functions that TracedArray maps (minitorch/autograd/higher_order.py)"
        )

    # Values read for control flow (shapes, a scalar condition): taken from the data.
    def item(self) -> Any:
        return self.tensor.array.item()

    def __float__(self) -> float:
        return float(self.tensor.array)

    def __bool__(self) -> bool:
        return bool(self.tensor.array)

    # -- methods -------------------------------------------------------------------
    def reshape(self, *shape: Any, order: str = "C") -> Any:
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = tuple(shape[0])
        return _wrap(self.tensor.reshape(tuple(int(s) for s in shape)))

    def sum(self, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Any:
        return _sum(self, axis, dtype, None, keepdims)

    def mean(self, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Any:
        return _mean(self, axis, dtype, None, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Any:
        return _amax(self, axis, None, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Any:
        return _amin(self, axis, None, keepdims)

    def astype(self, dtype: Any, copy: bool = True, **_: Any) -> Any:
        from minitorch.dtypes import from_numpy_dtype  # (imported late: dtypes -> tensor)

        if np.dtype(dtype) == self.dtype:
            return self
        return _wrap(self.tensor.to(from_numpy_dtype(np.dtype(dtype))))

    def transpose(self, *axes: Any) -> Any:
        if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
            axes = tuple(axes[0])
        return np.transpose(self, axes or None)

    def swapaxes(self, a: int, b: int) -> Any:
        return np.swapaxes(self, a, b)

    def squeeze(self, axis: Any = None) -> Any:
        return np.squeeze(self, axis)

    def ravel(self) -> Any:
        return self.reshape(-1)

    flatten = ravel

    def copy(self) -> TracedArray:
        return self  # recorded values are never written in place: sharing is safe

    def conj(self) -> TracedArray:
        return self

    def __getitem__(self, index: Any) -> Any:
        return _wrap(self.tensor[_operand_index(index)])

    def __setitem__(self, index: Any, value: Any) -> None:
        raise TypeError("a backward wrote into a recorded gradient in place: under "
                        "create_graph=True write it out of place (np.where, concatenation)")

    # -- operators: through NumPy's ufuncs, so one table serves both ----------------
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method != "__call__" or "out" in kwargs or "where" in kwargs:
            return NotImplemented  # ufunc.at / out= / reduce: NumPy raises TypeError
        kwargs.pop("dtype", None)
        op = UFUNCS.get(ufunc)
        if op is not None:
            return _wrap(op(*[_operand(x) for x in inputs]))
        if ufunc in CONSTANT_UFUNCS:  # comparisons, sign, floor...: derivative 0 or none
            return ufunc(*[_raw(x) for x in inputs], **kwargs)
        return NotImplemented

    def __array_function__(self, func: Callable, types: tuple, args: tuple, kwargs: dict) -> Any:
        impl = FUNCTIONS.get(func)
        if impl is None:
            return NotImplemented  # NumPy raises TypeError naming the function
        return impl(*args, **kwargs)


def _binary(ufunc: np.ufunc, reflected: bool = False) -> Callable[[Any, Any], Any]:
    if reflected:
        return lambda self, other: ufunc(other, self)
    return lambda self, other: ufunc(self, other)


for _name, _uf in (("add", np.add), ("sub", np.subtract), ("mul", np.multiply),
                   ("truediv", np.true_divide), ("pow", np.power), ("matmul", np.matmul),
                   ("floordiv", np.floor_divide), ("mod", np.remainder)):
    setattr(TracedArray, f"__{_name}__", _binary(_uf))
    setattr(TracedArray, f"__r{_name}__", _binary(_uf, reflected=True))
for _name, _uf in (("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
                   ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal)):
    setattr(TracedArray, f"__{_name}__", _binary(_uf))
TracedArray.__neg__ = lambda self: np.negative(self)  # type: ignore[attr-defined]
TracedArray.__pos__ = lambda self: self  # type: ignore[attr-defined]
TracedArray.__abs__ = lambda self: np.absolute(self)  # type: ignore[attr-defined]
TracedArray.__hash__ = None  # type: ignore[assignment]


# -- between the two worlds ----------------------------------------------------------
def traced(t: Tensor) -> Any:
    """The backward's view of a tensor: a TracedArray if it carries a graph, else its array."""
    return TracedArray(t) if t.requires_grad else t.array


def _wrap(t: Any) -> Any:
    if isinstance(t, Tensor):
        return traced(t)
    if isinstance(t, (tuple, list)):
        return type(t)(_wrap(x) for x in t)
    return t


def _operand(x: Any) -> Any:
    """A minitorch op's operand: the Tensor inside, a constant Tensor, or a Python number
    (NumPy scalars become Python numbers: torch's weak scalars)."""
    if type(x) is TracedArray:
        return x.tensor
    if isinstance(x, np.ndarray):
        return Tensor._make(x, False, None)
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (list, tuple)):
        return type(x)(_operand(v) for v in x)
    return x


def _operand_index(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(_operand_index(i) for i in index)
    if type(index) is TracedArray:
        return index.tensor.array  # an index has no derivative
    if isinstance(index, np.ndarray):
        return Tensor._make(index, False, None)
    return index


def _raw(x: Any) -> Any:
    return x.tensor.array if type(x) is TracedArray else x


def as_tensor(g: Any, dtype: np.dtype | None = None) -> Tensor:
    """A gradient (TracedArray, array or Tensor) as a Tensor, in `dtype` if given."""
    if type(g) is TracedArray:
        t = g.tensor
    elif isinstance(g, Tensor):
        t = g
    else:
        arr = np.asarray(g)
        return Tensor._make(arr if dtype is None or arr.dtype == dtype else arr.astype(dtype),
                            False, None)
    if dtype is not None and t.array.dtype != dtype:
        from minitorch.dtypes import from_numpy_dtype

        t = t.to(from_numpy_dtype(dtype))
    return t


# -- running one node's backward on the traced path -----------------------------------
def backward_traced(node: Any, grad: Any) -> Any:
    """node's backward with its saved arrays as recorded tensors; grad mode on throughout."""
    previous = _GradMode.enabled
    _GradMode.enabled = True
    try:
        if node.traced_backward is not None:  # a user autograd.Function: Tensors already
            return node.traced_backward(grad)
        # A copy of the node whose saved arrays are traced; the node itself is left as it
        # was (a later first-order backward through it must see its arrays).
        proxy = _new(type(node))
        proxy.__dict__.update(node.__dict__)
        if node.saved:
            proxy.saved = _traced_saved(node)
        return type(node).backward(proxy, grad)
    finally:
        _GradMode.enabled = previous


def _traced_saved(node: Any) -> tuple:
    roles = node.saved_roles
    out = []
    for s, role in zip(node.saved, roles):
        if role >= 0:  # input `role`: a tensor on that input's edge
            edge = node.next_fns[role]
            if edge is None:
                out.append(s)
            elif isinstance(edge, Tensor):  # a leaf: the leaf itself
                out.append(TracedArray(edge))
            else:
                out.append(TracedArray(Tensor._make(s, True, edge)))
        elif role == ROLE_OUTPUT:  # the output: a tensor made by this very node
            out.append(TracedArray(Tensor._make(s, True, node)))
        elif type(s) is np.ndarray and s.dtype.kind == "f" and type(node).derived_saved_recomputed:
            out.append(None)  # backward recomputes it from its traced inputs
        elif (type(s) is np.ndarray and s.dtype.kind == "f"
              and not type(node).derived_saved_are_constant):
            raise NotImplementedError(
                f"{node.name()}: double backward (create_graph=True) is not supported: its "
                f"forward saved an array of shape {s.shape} computed from its inputs, which "
                "cannot be traced back to them"
            )
        else:
            out.append(s)
    return tuple(out)


# -- adjoints that torch differentiates only once ------------------------------------------
class SecondOrderRefused(Function):
    """g = a first gradient torch differentiates no further;  its inputs: torch's error,
    raised only if something differentiates through it (torch's NotImplemented and
    DelayedError nodes)."""

    @staticmethod
    def forward(ctx, *operands, value, error):
        ctx.error = error
        return np.array(value)  # a fresh array: not a view of an operand

    @staticmethod
    def backward(ctx, grad):
        cls, message, _ = ctx.error
        raise cls(message)

    def name(self) -> str:
        return self.error[2]


def first_order_only(error: tuple[type, str, str], first: Callable[..., Any],
                     *operands: Any) -> Any:
    """first(*operands), an adjoint; on the recorded path (a TracedArray among the operands)
    its value is recorded as a node named error[2] whose backward raises error[0](error[1])."""
    if not any(type(a) is TracedArray for a in operands):
        return first(*operands)
    plain = [a.tensor.array if type(a) is TracedArray else a for a in operands]
    recorded = [a.tensor for a in operands if type(a) is TracedArray]
    return traced(SecondOrderRefused.apply(*recorded, value=first(*plain), error=error))


def not_implemented(aten: str) -> tuple[type, str, str]:
    """torch's error (and node) for an adjoint its derivatives.yaml marks not_implemented."""
    return (RuntimeError, f"derivative for aten::{aten} is not implemented",
            "torch::autograd::NotImplemented")


def delayed_error(message: str) -> tuple[type, str, str]:
    """torch's DelayedError: a derivative refused only when it is actually taken."""
    return RuntimeError, message, "DelayedError"


# -- the tables: NumPy callable -> the minitorch op that records it --------------------
def _axes(axis: Any) -> Any:
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        return tuple(int(a) for a in axis)
    return int(axis)


def _sum_like(name: str) -> Callable[..., Any]:
    """np.sum / np.mean (axis, dtype, keepdims) as minitorch's sum / mean, recorded."""
    def reduce(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
               keepdims: bool = False, **_: Any) -> Any:
        import minitorch

        fn = getattr(minitorch, name)
        t = _operand(a)
        dims = _axes(axis)
        if dims == ():
            return a  # NumPy reduces over no axis: the array itself (torch: over all)
        if dims is None:
            r = fn(t)
            r = r.reshape((1,) * t.ndim) if keepdims else r
        else:
            r = fn(t, dim=dims, keepdim=bool(keepdims))
        result = _wrap(r)
        if dtype is not None and np.dtype(dtype) != r.array.dtype:
            return result.astype(dtype)
        return result

    return reduce


_sum, _mean = _sum_like("sum"), _sum_like("mean")


def _reduce_extreme(name: str) -> Callable[..., Any]:
    def reduce(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False,
               **_: Any) -> Any:
        import minitorch

        t = _operand(a)
        dims = _axes(axis)
        fn = getattr(minitorch, name)
        if dims is None:
            r = fn(t.reshape(-1), dim=0)
            return _wrap(r.reshape((1,) * t.ndim) if keepdims else r)
        return _wrap(fn(t, dim=dims, keepdim=bool(keepdims)))

    return reduce


_amax, _amin = _reduce_extreme("amax"), _reduce_extreme("amin")


def _like(kind: str) -> Callable[..., np.ndarray]:
    """zeros_like and friends: a constant, made by NumPy from the shape and dtype."""
    maker = getattr(np, kind)

    def make(a: Any, *args: Any, **kwargs: Any) -> np.ndarray:
        return maker(np.empty(a.shape, kwargs.pop("dtype", None) or a.dtype), *args, **kwargs)

    return make


def _expand_dims(a: Any, axis: Any) -> Any:
    t = _operand(a)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    ndim = t.ndim + len(axes)
    for ax in sorted(int(x) % ndim for x in axes):
        t = t.unsqueeze(ax)
    return _wrap(t)


def _squeeze(a: Any, axis: Any = None) -> Any:
    t = _operand(a)
    if axis is None:
        return _wrap(t.squeeze())
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    return _wrap(t.reshape(tuple(n for i, n in enumerate(t.shape)
                                 if i not in {int(x) % t.ndim for x in axes})))


def _transpose(a: Any, axes: Any = None) -> Any:
    t = _operand(a)
    if axes is None:
        axes = tuple(range(t.ndim))[::-1]
    return _wrap(t.permute(tuple(int(x) for x in axes)))


def _where(condition: Any, x: Any = None, y: Any = None) -> Any:
    from minitorch import where

    if x is None and y is None:
        return np.nonzero(_raw(condition))
    return _wrap(where(_operand(np.asarray(_raw(condition), dtype=bool)), _operand(x),
                       _operand(y)))


def _op(name: str, *fixed_kw: str) -> Callable[..., Any]:
    """A NumPy function whose arguments minitorch's op of `name` takes as they are."""
    def call(*args: Any, **kwargs: Any) -> Any:
        import minitorch

        fn = minitorch
        for part in name.split("."):
            fn = getattr(fn, part)
        return _wrap(fn(*[_operand(a) for a in args],
                        **{k: _operand(v) for k, v in kwargs.items()}))

    return call


def _concatenate(arrays: Any, axis: int = 0, **_: Any) -> Any:
    from minitorch import cat

    return _wrap(cat([_operand(a) for a in arrays], dim=axis))


def _stack(arrays: Any, axis: int = 0, **_: Any) -> Any:
    from minitorch import stack

    return _wrap(stack([_operand(a) for a in arrays], dim=axis))


def _einsum(subscripts: str, *operands: Any, **_: Any) -> Any:
    from minitorch import einsum

    return _wrap(einsum(subscripts, *[_operand(o) for o in operands]))


def _take_along_axis(a: Any, indices: Any, axis: int) -> Any:
    from minitorch import gather

    return _wrap(gather(_operand(a), int(axis), _operand(np.asarray(_raw(indices),
                                                                     dtype=np.int64))))


def _outer(a: Any, b: Any, out: Any = None) -> Any:
    from minitorch import outer

    return _wrap(outer(_operand(a).reshape(-1), _operand(b).reshape(-1)))


def _clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, **kw: Any) -> Any:
    from minitorch import clamp

    lo, hi = kw.get("min", a_min), kw.get("max", a_max)
    return _wrap(clamp(_operand(a), _operand(lo), _operand(hi)))


def _flip(a: Any, axis: Any = None) -> Any:
    t = _operand(a)
    dims = tuple(range(t.ndim)) if axis is None else (
        (int(axis),) if isinstance(axis, (int, np.integer)) else tuple(axis))
    return _wrap(t.flip(dims))


def _cumsum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    t = _operand(a)
    if axis is None:
        t, axis = t.reshape(-1), 0
    return _wrap(t.cumsum(int(axis)))


def _dot(a: Any, b: Any, out: Any = None) -> Any:
    from minitorch import matmul

    return _wrap(matmul(_operand(a), _operand(b)))


def _tril(m: Any, k: int = 0) -> Any:
    return _wrap(_operand(m).tril(int(k)))


def _triu(m: Any, k: int = 0) -> Any:
    return _wrap(_operand(m).triu(int(k)))


def _diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    from minitorch import diagonal

    return _wrap(diagonal(_operand(a), offset=offset, dim1=axis1, dim2=axis2))


def _no_graph(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A NumPy function whose result carries no derivative (shape, count): on the data."""
    return lambda *args, **kwargs: fn(*[_raw(a) for a in args], **kwargs)


def _tensors_only(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """A binary op that takes no Python number (maximum, hypot ...): a number becomes a 0-d
    constant of the other operand's dtype, as NumPy reads it."""
    def call(a: Any, b: Any) -> Any:
        ref = a if isinstance(a, Tensor) else b
        def as_tensor_operand(v: Any) -> Tensor:
            if isinstance(v, Tensor):
                return v
            return Tensor._make(np.asarray(v, dtype=ref.array.dtype), False, None)
        return fn(as_tensor_operand(a), as_tensor_operand(b))

    return call


def _build_tables() -> tuple[dict, set, dict]:
    import minitorch as mt

    ufuncs: dict[np.ufunc, Callable[..., Any]] = {
        np.add: mt.add, np.subtract: mt.sub, np.multiply: mt.mul, np.true_divide: mt.div,
        np.negative: mt.neg, np.positive: lambda x: x, np.power: mt.pow,
        np.float_power: mt.float_power, np.square: mt.square, np.sqrt: mt.sqrt,
        np.exp: mt.exp, np.exp2: mt.exp2, np.expm1: mt.expm1, np.log: mt.log,
        np.log2: mt.log2, np.log10: mt.log10, np.log1p: mt.log1p, np.tanh: mt.tanh,
        np.sinh: mt.sinh, np.cosh: mt.cosh, np.sin: mt.sin, np.cos: mt.cos, np.tan: mt.tan,
        np.arctan: mt.atan, np.arcsin: mt.asin, np.arccos: mt.acos, np.arctanh: mt.atanh,
        np.arcsinh: mt.asinh, np.arccosh: mt.acosh, np.absolute: mt.abs,
        np.reciprocal: mt.reciprocal, np.maximum: _tensors_only(mt.maximum),
        np.minimum: _tensors_only(mt.minimum), np.matmul: mt.matmul,
        np.arctan2: _tensors_only(mt.atan2), np.hypot: _tensors_only(mt.hypot),
        np.logaddexp: _tensors_only(mt.logaddexp), np.logaddexp2: _tensors_only(mt.logaddexp2),
        np.copysign: _tensors_only(mt.copysign), np.fmod: _tensors_only(mt.fmod),
        np.remainder: _tensors_only(mt.remainder), np.conjugate: lambda x: x,
    }
    constant = {
        np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
        np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.isnan, np.isinf,
        np.isfinite, np.signbit, np.sign, np.floor, np.ceil, np.trunc, np.rint,
        np.floor_divide, np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert,
        np.heaviside, np.spacing,
    }
    functions: dict[Callable[..., Any], Callable[..., Any]] = {
        np.sum: _sum, np.mean: _mean, np.amax: _amax, np.max: _amax, np.amin: _amin,
        np.min: _amin,
        np.broadcast_to: lambda a, shape, subok=False: _wrap(
            _operand(a).broadcast_to(tuple(shape))),
        np.reshape: lambda a, shape=None, order="C", **kw: TracedArray.reshape(
            a, kw.get("newshape", shape)) if type(a) is TracedArray else np.reshape(a, shape),
        np.ravel: lambda a, order="C": a.reshape(-1),
        np.moveaxis: lambda a, source, destination: _wrap(
            _operand(a).movedim(source, destination)),
        np.swapaxes: lambda a, axis1, axis2: _wrap(_operand(a).transpose(axis1, axis2)),
        np.transpose: _transpose, np.expand_dims: _expand_dims, np.squeeze: _squeeze,
        np.where: _where, np.concatenate: _concatenate, np.stack: _stack,
        np.zeros_like: _like("zeros_like"), np.ones_like: _like("ones_like"),
        np.empty_like: _like("zeros_like"), np.full_like: _like("full_like"),
        np.tril: _tril, np.triu: _triu, np.diagonal: _diagonal, np.einsum: _einsum,
        np.clip: _clip, np.cumsum: _cumsum, np.flip: _flip, np.take_along_axis: _take_along_axis,
        np.outer: _outer, np.dot: _dot, np.copy: lambda a, **kw: a,
        np.shape: _no_graph(np.shape), np.ndim: _no_graph(np.ndim), np.size: _no_graph(np.size),
        np.result_type: lambda *a: np.result_type(*[x.dtype if type(x) is TracedArray else x
                                                    for x in a]),
        np.isclose: _no_graph(np.isclose), np.any: _no_graph(np.any), np.all: _no_graph(np.all),
        np.count_nonzero: _no_graph(np.count_nonzero), np.argmax: _no_graph(np.argmax),
        np.argmin: _no_graph(np.argmin), np.nonzero: _no_graph(np.nonzero),
        np.linalg.inv: _op("linalg.inv"), np.linalg.solve: _op("linalg.solve"),
        np.linalg.det: _op("linalg.det"),
        np.trace: _op("trace"),
        np.atleast_1d: lambda a: a if a.ndim else a.reshape(1),
    }
    return ufuncs, constant, functions


UFUNCS, CONSTANT_UFUNCS, FUNCTIONS = {}, set(), {}


def install() -> None:
    """Fill the tables (minitorch's ops must be imported first: minitorch/__init__ calls this)."""
    u, c, f = _build_tables()
    UFUNCS.update(u)
    CONSTANT_UFUNCS.update(c)
    FUNCTIONS.update(f)


__all__ = ["TracedArray", "traced", "as_tensor", "backward_traced", "install",
           "first_order_only", "not_implemented", "delayed_error"]
