"""autograd.Function for users: your own op, with forward and backward written in Tensors.

This is torch's "Extending autograd" API:

    class Exp(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    y = Exp.apply(x)          # y.grad_fn is an <ExpBackward>

minitorch's own ops subclass the *internal* Function (function.py), whose
forward and backward take NumPy arrays. The two meet here: each user class
gets a node class `<Name>Backward`, a subclass of the internal Function, and
`apply` records one such node by hand. Its instance is both the engine's node
and the user's `ctx` (as in torch, where `y.grad_fn` is the ctx). When the
engine calls the node's NumPy-level backward, we wrap the arrays as Tensors,
call the user's backward under no_grad (minitorch has no create_graph yet, so
a backward is never itself recorded), check its answer as torch does (count,
shapes, None for non-Tensor inputs) and hand arrays back.

Several outputs: the engine gives each node one incoming gradient, so output
i gets a tiny `_OutputSlot` node that tags its gradient with i; the tags sum
like arrays (`_SlotGrads.__add__`), and the shared node unpacks them. Read
hooks.py and anomaly_mode.py next, then functional.py.
"""

from __future__ import annotations

import functools
import warnings
import weakref
from typing import Any, Callable

import numpy as np

from minitorch.autograd.function import _FREED
from minitorch.autograd.function import Function as _Node
from minitorch.autograd.grad_mode import _GradMode, no_grad
from minitorch.autograd.higher_order import as_tensor, traced
from minitorch.tensor import Tensor

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable"]

_new = object.__new__


def _describe(t: Tensor) -> str:
    """torch's '[torch.FloatTensor [3]]' words for a tensor, in minitorch's dtype names."""
    return f"[{t.dtype} {list(t.shape)}]"


class _Saved:
    """One tensor saved for backward, with the version it must still be at.

    An output of the function is kept as its array and a weak reference (the output
    holds the node, so a strong one would make a cycle); any other tensor as itself.
    """

    __slots__ = ("tensor", "array", "output", "index", "version")

    def __init__(self, t: Tensor, output_index: int | None) -> None:
        self.version = t._version
        self.index = output_index
        if output_index is None:
            self.tensor, self.array, self.output = t, None, None
        else:
            self.tensor, self.array, self.output = None, t.array, weakref.ref(t)

    def unpack(self, node: BackwardCFunction) -> Tensor:
        t = self.tensor if self.output is None else self.output()
        if t is not None and t._version != self.version:
            whose = ("" if self.index is None
                     else f", which is output {self.index} of {node._forward_cls.__name__}")
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: {_describe(t)}{whose}, is at version {t._version}; expected "
                f"version {self.version} instead. Hint: enable anomaly detection to find the "
                "operation that failed to compute its gradient, with "
                "minitorch.autograd.set_detect_anomaly(True)."
            )
        if self.tensor is not None:
            return self.tensor
        if node.recording:  # create_graph: the output, as a tensor its own node made
            return t if t is not None else _output_tensor(node, self.array, self.index)
        return Tensor._make(self.array, False, None)


def _output_tensor(node: BackwardCFunction, array: np.ndarray, index: int) -> Tensor:
    """Output `index` of a user Function after its tensor is gone, with the node that made
    it: the node itself, or a fresh slot that tags gradients with the index."""
    if len(node._output_meta) == 1:
        return Tensor._make(array, True, node)
    slot = _new(_OutputSlot)
    slot.owner, slot.index, slot.next_fns = node, index, (node,)
    return Tensor._make(array, True, slot)


class FunctionCtx:
    """What `ctx` offers inside forward / setup_context and backward."""

    materialize_grads = True
    to_save: tuple = ()
    dirty_tensors: tuple = ()
    non_differentiable: tuple = ()

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors (or None) for backward; read them back with ctx.saved_tensors."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"save_for_backward can only save variables, but argument {i} is of type "
                    f"{type(t).__name__}"
                )
        self.to_save = tensors

    def save_for_forward(self, *tensors: Tensor | None) -> None:
        raise NotImplementedError("save_for_forward: minitorch has no forward-mode AD (jvp)")

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Say which inputs forward modified in place (they must also be returned)."""
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Say which outputs have no gradient (indices, masks): they will not require grad."""
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """True (the default): backward gets zeros for outputs that got no gradient; False: None."""
        self.materialize_grads = value

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        saved = self.saved
        if saved is _FREED:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward."
            )
        return tuple(None if s is None else s.unpack(self) for s in saved)


class BackwardCFunction(FunctionCtx, _Node):
    """outputs = the user's forward(ctx, *inputs);  inputs: the user's backward(ctx, *grads).

    The node (and ctx) a user Function leaves in the graph; one subclass per Function.
    Each returned gradient is checked and summed to its input's shape, as torch does.
    """

    keep_tracked = True  # a user's ctx may hold anything: leave it to the collector

    _forward_cls: type[Function]
    _name = "Backward"
    needs_input_grad: tuple = ()
    _output_meta: tuple = ()  # per output: (shape, NumPy dtype), for materialized zeros
    _input_meta: tuple = ()  # per input: (shape, NumPy dtype), or None for a non-Tensor

    def name(self) -> str:
        return self._name  # torch's name: 'ExpBackward', without the 0 of built-in nodes

    recording = False  # True while backward runs under create_graph=True

    @staticmethod
    def backward(ctx: BackwardCFunction, grad: Any) -> tuple:  # the engine's entry point
        return _run_user_backward(ctx, grad)

    def traced_backward(self, grad: Any) -> tuple:  # ... and under create_graph=True
        self.recording = True
        try:
            return _run_user_backward(self, grad, recording=True)
        finally:
            del self.recording


class _SlotGrads:
    """Gradients of some outputs of a multi-output node, by output index; sums like an array."""

    __slots__ = ("by_index",)

    def __init__(self, by_index: dict[int, np.ndarray]) -> None:
        self.by_index = by_index

    def __add__(self, other: _SlotGrads) -> _SlotGrads:
        merged = dict(self.by_index)
        for i, g in other.by_index.items():
            merged[i] = g if i not in merged else merged[i] + g
        return _SlotGrads(merged)


class _OutputSlot(_Node):
    """y_i = output i of a user Function with several outputs;  y_i: grad, tagged with i.

    The tag tells the shared node which output the gradient belongs to. The user sees
    it as the output's grad_fn, so it answers for the shared node (name,
    next_functions, ctx attributes).
    """

    keep_tracked = True  # a user's ctx may hold anything: leave it to the collector

    owner: BackwardCFunction
    index: int

    @staticmethod
    def backward(ctx: _OutputSlot, grad: np.ndarray) -> tuple:
        return (_SlotGrads({ctx.index: grad}),)

    def name(self) -> str:
        return self.owner.name()

    @property
    def next_functions(self) -> tuple:
        return self.owner.next_functions

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") or attr in ("owner", "index"):
            raise AttributeError(attr)
        return getattr(self.owner, attr)


def _run_user_backward(node: BackwardCFunction, grad: Any, recording: bool = False) -> tuple:
    """The NumPy-level backward of a user Function: arrays in, the user's Tensors, arrays out.

    With `recording` (create_graph=True) the gradients come and go as TracedArrays, and the
    user's backward runs with grad mode on, so the ops it does are recorded like any others.
    """
    meta = node._output_meta
    if isinstance(grad, _SlotGrads):
        grads = [grad.by_index.get(i) for i in range(len(meta))]
    else:
        grads = [grad] + [None] * (len(meta) - 1)
    if node.materialize_grads:
        grads = [np.zeros(m[0], m[1]) if g is None and m is not None else g
                 for g, m in zip(grads, meta)]
    if recording:
        wrapped = [None if g is None else as_tensor(g) for g in grads]
        result = node._forward_cls.backward(node, *wrapped)
        if getattr(node._forward_cls.backward, "_once_differentiable", False):
            result = _refuse_twice(node, result, wrapped)
        return _check_grads(node, result, recording=True)
    wrapped = [None if g is None else Tensor._make(g, False, None) for g in grads]
    with no_grad():
        result = node._forward_cls.backward(node, *wrapped)
    return _check_grads(node, result)


class _OnceDifferentiable(_Node):
    """What a @once_differentiable backward's results hang on under create_graph=True: a node
    whose backward refuses, as torch's DelayedError does."""

    @staticmethod
    def backward(ctx: _OnceDifferentiable, grad: Any) -> tuple:
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with "
            f"@once_differentiable ({ctx.function_name})"
        )


def _refuse_twice(node: BackwardCFunction, result: Any, grads: list) -> Any:
    """Results of a once-differentiable backward: if anything it read carries a graph, they
    become tensors whose own backward raises (never a silent zero second derivative)."""
    sources = [g for g in grads if g is not None and g.requires_grad]
    sources += [s.tensor for s in node.saved if s is not None and s.tensor is not None
                and s.tensor.requires_grad]
    if not sources:
        return result
    single = not isinstance(result, tuple)
    out = []
    for g in ((result,) if single else result):
        if isinstance(g, Tensor):
            err = _new(_OnceDifferentiable)
            err.next_fns = tuple(t.grad_fn or t for t in sources)
            err.function_name = node._name
            g = Tensor._make(g.array, True, err)
        out.append(g)
    return out[0] if single else tuple(out)


def _check_grads(node: BackwardCFunction, result: Any, recording: bool = False) -> tuple:
    """torch's validation of what a user backward returned, then its arrays."""
    result = result if isinstance(result, tuple) else (result,)
    expected = len(node._input_meta)
    if len(result) > expected and all(g is None for g in result[expected:]):
        result = result[:expected]  # extra Nones are allowed, as torch
    if len(result) != expected:
        raise RuntimeError(
            f"function {node._name} returned an incorrect number of gradients (expected "
            f"{expected}, got {len(result)})"
        )
    arrays = []
    for i, (g, meta, edge) in enumerate(zip(result, node._input_meta, node.next_fns)):
        if g is None:
            arrays.append(None)
            continue
        if meta is None:
            raise RuntimeError(
                f"function {node._name} returned a gradient different than None at position "
                f"{i + 1}, but the corresponding forward input was not a Variable"
            )
        if not isinstance(g, Tensor):
            raise TypeError(
                f"function {node._name} returned a gradient of type {type(g).__name__} at "
                f"position {i + 1}: expected a Tensor or None"
            )
        if edge is None:  # that input does not want a gradient: torch drops it unseen
            arrays.append(None)
            continue
        arrays.append(_fit(node, i, traced(g) if recording else g.array, meta))
    return tuple(arrays)


def _fit(node: BackwardCFunction, i: int, g: np.ndarray, meta: tuple) -> np.ndarray:
    """A returned gradient in its input's shape (summing a broadcast one) and dtype."""
    shape, dtype = meta
    if g.shape != shape:
        try:
            fits = np.broadcast_shapes(shape, g.shape) == g.shape
        except ValueError:
            fits = False
        if not fits:
            raise RuntimeError(
                f"Function {node._name} returned an invalid gradient at index {i} - got "
                f"{list(g.shape)} but expected shape compatible with {list(shape)}"
            )
        from minitorch.ops.support import unbroadcast  # ops import autograd: load late

        g = unbroadcast(g, shape).reshape(shape)
    return g if g.dtype == dtype else g.astype(dtype)


class Function:
    """Base class of user-defined differentiable ops (torch.autograd.Function).

    Subclass it with static `forward(ctx, *args, **kwargs)` and
    `backward(ctx, *grad_outputs)` (one gradient per forward input, None for
    those that need none), or -- torch 2.x style -- `forward(*args, **kwargs)`
    without ctx plus static `setup_context(ctx, inputs, output)`. Call it with
    `MyFunction.apply(...)`; never instantiate it.
    """

    _backward_cls: type[BackwardCFunction]
    generate_vmap_rule = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__name__ + "Backward"
        cls._backward_cls = type(name, (BackwardCFunction,), {
            "_forward_cls": cls, "_name": name, "__module__": cls.__module__,
        })

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of minitorch.",
            DeprecationWarning,
            stacklevel=2,
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> Any:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with "
            "forward mode AD."
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run forward (unrecorded) and, if an input wants a gradient, record one node."""
        if cls is Function:
            raise RuntimeError("autograd.Function.apply: subclass Function, then call apply")
        new_style = cls.setup_context is not Function.setup_context
        if new_style:  # torch binds defaults so setup_context sees every input
            import inspect

            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        node = _new(cls._backward_cls)
        edges, needs = [], []
        for a in args:
            wants = isinstance(a, Tensor) and a.requires_grad and _GradMode.enabled
            edges.append((a.grad_fn or a) if wants else None)
            needs.append(wants)
        node.needs_input_grad = tuple(needs)
        record = any(needs)

        with no_grad():  # forward is not recorded, as in torch
            if new_style:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, output)
            else:
                output = cls.forward(node, *args, **kwargs)
        return _wrap_outputs(cls, node, args, output, edges, record)


def _wrap_outputs(cls: type, node: BackwardCFunction, args: tuple, output: Any,
                  edges: list, record: bool) -> Any:
    """Give each differentiable output its grad_fn; handle dirty, aliased and saved tensors."""
    is_tuple = isinstance(output, tuple)
    outs = list(output) if is_tuple else [output]
    input_ids = {id(a) for a in args if isinstance(a, Tensor)}
    dirty = {id(t) for t in node.dirty_tensors}
    non_diff = {id(t) for t in node.non_differentiable}
    for t in node.dirty_tensors:
        if id(t) not in input_ids:
            raise RuntimeError("mark_dirty: only inputs of the function can be marked dirty")
        if not any(o is t for o in outs):
            raise RuntimeError(
                f"{cls.__name__}: an input marked dirty with mark_dirty must also be returned "
                "as an output"
            )
        if record and t.grad_fn is None and t.requires_grad:
            raise RuntimeError(
                "a leaf Variable that requires grad has been used in an in-place operation."
            )
        t._version += 1  # torch bumps a dirty tensor's version once more
    differentiable = []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            continue
        if id(o) not in dirty and (id(o) in input_ids or o.requires_grad):
            # An input returned as is (or a tensor with history of its own): a new alias,
            # as torch's view, so the caller's tensor keeps its own grad_fn.
            alias = Tensor._make(o.array, False, None)
            if id(o) in non_diff:
                non_diff.add(id(alias))
            outs[i] = o = alias
        if record and id(o) not in non_diff and o.array.dtype.kind == "f":
            differentiable.append(i)
        elif id(o) in dirty and record:
            o.grad_fn, o.requires_grad = None, False
    if record and differentiable:
        _record(node, args, outs, edges, differentiable)
    return tuple(outs) if is_tuple else outs[0]


def _record(node: BackwardCFunction, args: tuple, outs: list, edges: list,
            differentiable: list[int]) -> None:
    node.next_fns = tuple(edges)
    node._input_meta = tuple((a.array.shape, a.array.dtype) if isinstance(a, Tensor) else None
                             for a in args)
    node._output_meta = tuple((o.array.shape, o.array.dtype) if isinstance(o, Tensor) else None
                              for o in outs)
    if len(outs) == 1:
        outs[0].grad_fn, outs[0].requires_grad = node, True
    else:
        for i in differentiable:
            slot = _new(_OutputSlot)
            slot.owner, slot.index, slot.next_fns = node, i, (node,)
            outs[i].grad_fn, outs[i].requires_grad = slot, True
    positions = {id(o): i for i, o in enumerate(outs) if isinstance(o, Tensor)}
    node.saved = tuple(None if t is None else _Saved(t, positions.get(id(t)))
                       for t in node.to_save)
    node.to_save = ()


def once_differentiable(fn: Callable) -> Callable:
    """Mark a backward as differentiable once only: it runs under no_grad.

    Under create_graph=True its results can still be used, but differentiating them
    raises (as in torch), instead of giving a silently wrong zero.
    """

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        with no_grad():
            return fn(ctx, *args, **kwargs)

    wrapper._once_differentiable = True
    return wrapper
