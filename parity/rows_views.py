"""Parity rows for views x in-place writes: torch's storage model (minitorch/views.py).

One row per view op. Each sample writes in place through that view with one in-place
family (arithmetic, unary, fills, copy_, setitem, masked_fill_, `+=`), then returns the
base, the written view and a second view taken *before* the write: values must match
torch, and so must the gradients reaching the input (through CopySlices and re-derived
views). The bad inputs are torch's refusals: a view of a leaf that requires grad, an
output of split/unbind, a view made under no_grad, an expanded view, and a saved tensor
changed before backward.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from parity.op_table import arr, bad
from parity.spec import KnownDifference, OpSpec, Sample

FAMILY = "views x in-place"

# view name -> how to take it from a (4, 4) base
VIEWS: dict[str, Callable[[Any], Any]] = {
    "slice": lambda b: b[1:3],
    "select": lambda b: b[1],
    "strided slice": lambda b: b[::2, 1::2],
    "view": lambda b: b.view(16),
    "reshape": lambda b: b.reshape(2, 8),
    "flatten": lambda b: b.flatten(),
    "unflatten": lambda b: b.unflatten(1, (2, 2)),
    "t": lambda b: b.t(),
    "transpose": lambda b: b.transpose(0, 1),
    "permute": lambda b: b.permute(1, 0),
    "movedim": lambda b: b.movedim(0, 1),
    "diagonal": lambda b: b.diagonal(),
    "narrow": lambda b: b.narrow(1, 1, 2),
    "unsqueeze": lambda b: b.unsqueeze(0),
    "squeeze": lambda b: b[0:1].squeeze(0),
    "view of a view": lambda b: b[1:].t()[0:2],
    "unbind": lambda b: b.unbind(0)[1],
    "split": lambda b: b.split(2)[1],
    "chunk": lambda b: b.chunk(2, 1)[0],
    "expand": lambda b: b[0:1].expand(3, 4),
}
MULTI_OUTPUT = ("unbind", "split", "chunk")


def _setitem(v: Any, w: Any) -> None:
    v[0] = w[0]


def _iadd(v: Any, w: Any) -> None:
    v += w


# in-place family -> the write, given the view v and a (1,) operand w
WRITES: dict[str, Callable[[Any, Any], Any]] = {
    "add_": lambda v, w: v.add_(w, alpha=2),
    "mul_": lambda v, w: v.mul_(w),
    "div_": lambda v, w: v.div_(w),
    "mul_ scalar": lambda v, w: v.mul_(3.0),
    "exp_": lambda v, w: v.exp_(),
    "tanh_": lambda v, w: v.tanh_(),
    "clamp_": lambda v, w: v.clamp_(min=0.0),
    "fill_": lambda v, w: v.fill_(w.sum()),
    "zero_": lambda v, w: v.zero_(),
    "copy_": lambda v, w: v.copy_(w),
    "setitem": _setitem,
    "masked_fill_": lambda v, w: v.masked_fill_(v > 0, 0.5),
    "+=": _iadd,
}


def write_through_view(view: str) -> Callable[..., Any]:
    take = VIEWS[view]

    def fn(lib: Any, x: Any, w: Any, write: str = "mul_", leaf: bool = False,
           no_grad_view: bool = False, stale: bool = False) -> Any:
        b = x if leaf else x * 1  # a non-leaf base, so writes are allowed
        earlier = b[0]  # a view taken before the write: must see it, and re-derive its grad
        if no_grad_view:
            with lib.no_grad():
                v = take(b)
        else:
            v = take(b)
        if stale:  # a node saves b's values; the write must make backward refuse
            saved = b * b
            WRITES[write](v, w)
            saved.sum().backward()
            return saved
        WRITES[write](v, w)
        return b, v, earlier

    fn.__name__ = f"{view} then write"
    return fn


def _samples(view: str) -> Callable[[np.random.Generator, str], Any]:
    def gen(rng: np.random.Generator, dtype: str) -> Any:
        for i, write in enumerate(WRITES):
            x = rng.uniform(0.5, 2.0, (4, 4)).astype(dtype) * rng.choice([-1, 1], (4, 4))
            w = rng.uniform(0.5, 2.0, (1,)).astype(dtype)
            tags = frozenset({"quick"}) if i < 4 else frozenset()
            yield Sample((x, w), {"write": write}, desc=f"{view}, {write}", tags=tags)

    return gen


def _bad_inputs(view: str) -> tuple[Sample, ...]:
    x, w = arr(np.arange(1.0, 17.0).reshape(4, 4)), arr([2.0])
    out = [bad(x, w, write="mul_", leaf=True, desc="a view of a leaf that requires grad"),
           bad(x, w, write="mul_", stale=True, desc="a saved tensor written before backward")]
    if view not in MULTI_OUTPUT and view != "expand":
        out.append(bad(x, w, write="mul_", no_grad_view=True, desc="a view made under no_grad"))
    return tuple(out)


_EXPANDED_WRITES = (KnownDifference(
    "zero_, masked_fill_ and setitem into an expanded view: torch writes (these kernels do not "
    "check for memory overlap), minitorch refuses every write into expanded memory",
    "NumPy's expanded arrays are read-only; refusing is the safe side (never a silent wrong "
    "value), and torch itself refuses the arithmetic writes",
    applies=lambda s: s.kwargs.get("write") in ("zero_", "masked_fill_", "setitem")),)

ROWS: list[OpSpec] = [
    OpSpec(
        name=f"view x in-place: {_view}",
        family=FAMILY,
        fn=write_through_view(_view),
        samples=_samples(_view),  # where torch refuses a write, the sample checks the error
        bad_inputs=_bad_inputs(_view),
        bench=False,
        known=_EXPANDED_WRITES if _view == "expand" else (),
    )
    for _view in VIEWS
]
