"""The registry: every public op, declared once, right under its Function.

An op file states the math (a Function), the public function torch users
call, and then one line that says where torch offers that name:

    register(cos, method=True, inplace=True)

From that line alone come `minitorch.cos`, `Tensor.cos`, `Tensor.cos_`,
`minitorch.__all__`, the `nn.functional` namespace, the operators
(`__add__`, `__radd__`, `__iadd__`), and what parity/, bench/ and the
derivatives cheat sheet know about the op. `OPS` below is the whole table;
open it in a debugger, or read `docs/ops.md`, to see every name and where it
lives. A method *is* the public function (`Tensor.cos is minitorch.cos`),
so jump-to-definition lands on the op's own code.

The core (tensor.py, autograd/) imports no op family: each family registers
its ops onto Tensor as it is imported. Read ops/support.py next.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from minitorch.tensor import Tensor


@dataclass(frozen=True)
class Op:
    """One public name and every form torch gives it."""

    name: str  # torch's name: "cos", "add", "cross_entropy"
    fn: Callable[..., Any]  # the public function, e.g. minitorch.ops.elementwise.cos
    family: str  # the file it lives in: "elementwise", "nn.functional.loss" ...
    function: bool  # minitorch.NAME exists (torch.NAME)
    method: bool  # Tensor.NAME exists
    inplace: bool  # Tensor.NAME_ exists
    functional: bool  # minitorch.nn.functional.NAME exists
    operators: tuple[str, ...]  # "__add__", "__radd__", "__iadd__", ...
    differentiable: bool  # whether a gradient flows through it (its Function has an adjoint)
    alias_of: str | None = None  # "subtract" is an alias of "sub"


OPS: dict[str, Op] = {}

# The in-place mechanism (ops/inplace.py) hands itself over when it is imported, so the
# registry needs no op import: generated in-place forms call `_inplace[0](self, op, ...)`.
_inplace: list[Callable[..., Any]] = []


def register(
    fn: Callable[..., Any],
    *,
    name: str | None = None,
    function: bool = True,
    method: bool | Callable[..., Any] = False,
    inplace: bool | Callable[..., Any] = False,
    functional: bool = False,
    operators: tuple[str, ...] | dict[str, Callable[..., Any]] = (),
    differentiable: bool = True,
    family: str | None = None,
) -> Callable[..., Any]:
    """Declare `fn` under torch's name(s) and put it on Tensor where torch has it.

    method / inplace: True means "the function itself, with the tensor as first
    argument" (`Tensor.cos = cos`; `Tensor.cos_` writes `cos(self)` into self);
    anything else (a function, a property) is put on Tensor as it is, for the
    few ops whose method differs from the function (`Tensor.where`, `Tensor.T`).
    operators: dunder names (`__rX__` swaps the operands, `__iX__` is in place),
    or a dict from dunder name to its own function (`__eq__` with None).
    """
    name = name or fn.__name__
    family = family or fn.__module__.removeprefix("minitorch.").removeprefix("ops.")
    # torch.relu and F.relu are two functions in torch: an nn.functional-only op is "F.relu".
    key = f"F.{name}" if functional and not function else name
    if key in OPS:
        raise ValueError(f"register: {key!r} is declared twice ({OPS[key].family} and {family})")
    alias_of = fn.__name__ if fn.__name__ != name and fn.__name__ in OPS else None
    OPS[key] = Op(name, fn, family, function, bool(method), bool(inplace), functional,
                   tuple(operators), differentiable, alias_of)
    if method:
        setattr(Tensor, name, fn if method is True else method)
    if inplace:
        setattr(Tensor, name + "_", _inplace_form(fn, name) if inplace is True else inplace)
    for dunder in operators:
        custom = operators[dunder] if isinstance(operators, dict) else None
        setattr(Tensor, dunder, custom or _operator_form(fn, dunder))
    return fn


def _inplace_form(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return _inplace[0](self, fn, *args, **kwargs)

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In place: self = {name}(self, ...). See {fn.__module__}.{fn.__name__}."
    return method


_BINARY = {"add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
           "xor", "lshift", "rshift"}


def _operator_form(fn: Callable[..., Any], dunder: str) -> Callable[..., Any]:
    """__add__ is fn itself; __radd__ swaps the operands; __iadd__ writes in place."""
    kind, base = dunder[2], dunder[3:-2]
    if kind == "r" and base in _BINARY:
        def op(self: Tensor, other: Any) -> Any:
            return fn(other, self)
    elif kind == "i" and base in _BINARY:
        def op(self: Tensor, other: Any) -> Any:
            return _inplace[0](self, fn, other)
    else:
        return fn
    op.__name__ = op.__qualname__ = dunder
    return op


def exported(*, functional: bool = False) -> dict[str, Callable[..., Any]]:
    """The public functions: minitorch.* (functional=False) or nn.functional.* (True)."""
    if functional:
        return {op.name: op.fn for op in OPS.values() if op.functional}
    return {op.name: op.fn for op in OPS.values() if op.function}


def ops_in(family: str) -> list[Op]:
    return [op for op in OPS.values() if op.family == family]
