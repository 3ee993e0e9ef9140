"""Op-table rows for user-facing autograd: autograd.Function, hooks, gradcheck, functional.

The Functions of torch's "Extending autograd" tutorial are written once here
against `lib` (torch or minitorch): exp, a two-output function with a
non-Tensor argument, (max, argmax) with the index marked non-differentiable,
the setup_context style, an in-place function with mark_dirty. Their rows are
differentiable, so the runner checks values, gradients against torch's and,
in float64, central differences. Then `Tensor.register_hook` (leaf, non-leaf,
under autograd.grad), gradcheck's and gradgradcheck's verdicts, anomaly mode, and
autograd.functional (vjp, jacobian, jvp, hessian, vhp, hvp, and create_graph=True)
against torch.autograd.functional. The lead wires ROWS into the sweep.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as np

from parity.op_table import bad
from parity.samples import SMOOTH, Call, like, random_array, shaped
from parity.spec import OpSpec, Sample

FAMILY = "autograd"
ROWS: list[OpSpec] = []
FLOATS = ("float32", "float64")


def _row(name: str, fn: Callable[..., Any], samples: Any, **kw: Any) -> OpSpec:
    kw.setdefault("covers", (name.split("(")[0],))
    kw.setdefault("bench", False)  # programs, not ops: nothing for the bench to time
    spec = OpSpec(name=name, family=FAMILY, fn=fn, samples=samples, **kw)
    ROWS.append(spec)
    return spec


def _once(*args: Any, desc: str = "program", **kwargs: Any) -> Callable[..., Iterator[Sample]]:
    """A single quick sample of fixed arrays (cast to the row's dtype)."""

    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        cast = tuple(a.astype(dtype) if isinstance(a, np.ndarray) else a for a in args)
        yield Sample(cast, kwargs, desc, tags=frozenset({"quick"}))

    return gen


def _leaf(lib: Any, x: Any) -> Any:
    return x.detach().clone().requires_grad_(True)


# -- the tutorial's Functions, once per library -------------------------------------------------
_FUNCTIONS: dict[str, dict[str, Any]] = {}


def functions(lib: Any) -> dict[str, Any]:
    """The Function classes for `lib`, made on first use."""
    if lib.__name__ not in _FUNCTIONS:
        _FUNCTIONS[lib.__name__] = _make(lib)
    return _FUNCTIONS[lib.__name__]


def _make(lib: Any) -> dict[str, Any]:
    F = lib.autograd.Function

    class Exp(F):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    class ScaledSinCos(F):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x.sin() * k, x.cos() * k

        @staticmethod
        def backward(ctx, g_sin, g_cos):
            (x,) = ctx.saved_tensors
            return ctx.k * (g_sin * x.cos() - g_cos * x.sin()), None

    class MaxWithIndex(F):
        @staticmethod
        def forward(ctx, x):
            idx = x.argmax()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(x, idx)
            return x.max(), idx

        @staticmethod
        def backward(ctx, g, g_idx):
            x, idx = ctx.saved_tensors
            out = lib.zeros_like(x).reshape(-1)
            out[idx] = g
            return out.reshape(x.shape)

    class MulAdd(F):
        @staticmethod
        def forward(x, y, alpha=2.0):
            return x * y + alpha * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, y, alpha = inputs
            ctx.save_for_backward(x, y)
            ctx.alpha = alpha

        @staticmethod
        def backward(ctx, grad):
            x, y = ctx.saved_tensors
            gx = grad * (y + ctx.alpha) if ctx.needs_input_grad[0] else None
            gy = grad * x if ctx.needs_input_grad[1] else None
            return gx, gy, None

    class DoubleInPlace(F):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    class Cube(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    class WrongCube(Cube):
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x ** 2

    class IgnoresZeroGrad(Cube):
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2 + (g.abs().sum() == 0) * 1.0

    class TwoGradsForOne(Cube):
        @staticmethod
        def backward(ctx, g):
            return g, g

    return {c.__name__: c for c in (Exp, ScaledSinCos, MaxWithIndex, MulAdd, DoubleInPlace,
                                    Cube, WrongCube, IgnoresZeroGrad, TwoGradsForOne)}


# -- autograd.Function: values and gradients (the runner differentiates the outputs) -------------
_row("autograd.Function(exp)", lambda lib, x: functions(lib)["Exp"].apply(x),
     shaped([Call((3, 4)), Call((2, 3, 2))], SMOOTH), dtypes=FLOATS)
_row("autograd.Function(two outputs)",
     lambda lib, x, k: functions(lib)["ScaledSinCos"].apply(x, k),
     shaped([Call((3, 4), (1.5,)), Call((5,), (-0.5,))], SMOOTH), dtypes=FLOATS)
_row("autograd.Function(non-differentiable output)",
     lambda lib, x: functions(lib)["MaxWithIndex"].apply(x),
     shaped([Call((3, 4)), Call((7,))], SMOOTH), dtypes=FLOATS)
_row("autograd.Function(setup_context)",
     lambda lib, x, y, alpha=2.0: functions(lib)["MulAdd"].apply(x, y, alpha),
     shaped([Call((3, 4), (like((3, 4), SMOOTH),)), Call((2, 3), (like((2, 3), SMOOTH), 0.5))],
            SMOOTH), dtypes=FLOATS)
_row("autograd.Function(mark_dirty)",
     lambda lib, x: functions(lib)["DoubleInPlace"].apply(x * 1),
     shaped([Call((3, 4))], SMOOTH), dtypes=FLOATS)


def function_facts(lib: Any, x: Any, mode: str = "facts") -> Any:
    """What a user sees around the values: grad_fn names, flags, versions -- or torch's refusals."""
    fns = functions(lib)
    x = _leaf(lib, x)
    if mode == "wrong count":
        fns["TwoGradsForOne"].apply(x).sum().backward()
    if mode == "saved output modified":
        y = fns["Exp"].apply(x)
        with lib.no_grad():
            y.mul_(2)
        y.sum().backward()
    if mode == "dirty leaf":
        fns["DoubleInPlace"].apply(x)
    if mode == "backward twice":
        y = fns["Exp"].apply(x).sum()
        y.backward()
        y.backward()
    y = fns["Exp"].apply(x)
    s, c = fns["ScaledSinCos"].apply(x, 2.0)
    m, i = fns["MaxWithIndex"].apply(x)
    z = x * 1
    w = fns["DoubleInPlace"].apply(z)
    (y.sum() + s.sum() + m + w.sum()).backward()
    return (y.grad_fn.name(), s.grad_fn.name(), c.grad_fn.name(), s.grad_fn.k,
            i.requires_grad, i.grad_fn is None, m.grad_fn.name(), w is z, z._version,
            w.grad_fn.name(), len(y.grad_fn.next_functions), fns["Exp"].apply(x.detach()),
            x.grad)


_row("autograd.Function(ctx facts)", function_facts, _once(np.array([0.5, -1.0, 2.0])),
     dtypes=FLOATS, differentiable=False,
     bad_inputs=tuple(bad(np.array([0.5, -1.0, 2.0]), mode=m, desc=m) for m in (
         "wrong count", "saved output modified", "dirty leaf", "backward twice")),
     covers=("autograd.Function",))


# -- hooks ---------------------------------------------------------------------------------------
def hook_program(lib: Any, x: Any, mode: str = "hooks") -> Any:
    """Leaf and non-leaf hooks: what they see, what they replace, and under autograd.grad."""
    x = _leaf(lib, x)
    if mode == "no grad":
        x.detach().register_hook(lambda g: g)
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.clone()))
    ((x * 2).sum() + (x * x).sum()).backward()  # x used twice: the hook sees the sum, once
    handle.remove()
    a = x * 3
    a.register_hook(lambda g: g * 2 if mode != "size" else g[:1])
    a.retain_grad()
    (a.sin()).sum().backward()
    b = x * 1
    b.register_hook(lambda g: g + 1)
    grad_b = lib.autograd.grad((b * b).sum(), b)[0]
    return seen[0], a.grad, x.grad, grad_b


def post_hook_program(lib: Any, x: Any, mode: str = "post") -> Any:
    x = _leaf(lib, x)
    target = x if mode == "post" else x * 1
    seen = []
    target.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
    (x * 2).sum().backward()
    (x * x).sum().backward()
    return tuple(seen)


_row("Tensor.register_hook", hook_program, _once(np.array([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3]])),
     dtypes=FLOATS, differentiable=False,
     bad_inputs=(bad(np.array([0.5, -1.0]), mode="no grad", desc="tensor without grad"),
                 bad(np.array([0.5, -1.0]), mode="size", desc="hook changes the size")))
_row("Tensor.register_post_accumulate_grad_hook", post_hook_program,
     _once(np.array([0.5, -1.0, 2.0])), dtypes=FLOATS, differentiable=False,
     bad_inputs=(bad(np.array([0.5, -1.0]), mode="non-leaf", desc="on a non-leaf"),))


# -- gradcheck and anomaly mode --------------------------------------------------------------------
def gradcheck_verdicts(lib: Any, x: Any, mode: str = "verdicts") -> Any:
    """gradcheck's verdicts: correct, wrong and grad_output-ignoring backwards, and more."""
    fns = functions(lib)
    if mode == "no input requires grad":
        lib.autograd.gradcheck(fns["Cube"].apply, (x,))
    if mode == "raises":
        lib.autograd.gradcheck(fns["WrongCube"].apply, (_leaf(lib, x),))
    x = _leaf(lib, x)
    check = lib.autograd.gradcheck
    return (check(fns["Cube"].apply, (x,)),
            check(fns["WrongCube"].apply, (x,), raise_exception=False),
            check(fns["IgnoresZeroGrad"].apply, (x,), raise_exception=False),
            check(lambda a: (a * 2).argmax(), (x,), raise_exception=False),
            check(lambda a: a.detach() * 2, (x,), raise_exception=False),
            check(lambda a, b: (a * b).tanh(), (x, x * 1 + 0.5)),
            check(fns["ScaledSinCos"].apply, (x, 0.5)),
            check(fns["MulAdd"].apply, (x, _leaf(lib, x * 2))))


_row("autograd.gradcheck", gradcheck_verdicts, _once(np.linspace(-1.0, 1.0, 5)),
     dtypes=("float64",), differentiable=False,
     bad_inputs=(bad(np.linspace(-1.0, 1.0, 5), mode="no input requires grad",
                     desc="no input requires grad"),
                 bad(np.linspace(-1.0, 1.0, 5), mode="raises", desc="a wrong backward")))

def _gradgradcheck(lib: Any, x: Any, mode: str = "ok") -> Any:
    """gradgradcheck's verdicts: tanh * x, a two-input function, and a user Function whose
    recorded backward strays from its plain one (minitorch's two paths; torch has one, so
    torch's verdict on that Function is True: not compared, see the returned pair)."""
    check = lib.autograd.gradgradcheck
    if mode == "no input requires grad":
        return check(lambda a: a * 2, (x.detach(),))
    y = _leaf(lib, x * 0.5 + 1.0)
    return (check(lambda a: a.tanh() * a, (_leaf(lib, x),)),
            check(lambda a, b: (a * b).exp() + a.sin(), (_leaf(lib, x), y)),
            check(lambda a: (a ** 3).sum(), (_leaf(lib, x),)))


_row("autograd.gradgradcheck", _gradgradcheck, _once(np.linspace(-1.0, 1.0, 4)),
     dtypes=("float64",), differentiable=False)


def anomaly_program(lib: Any, z: Any) -> Any:
    """sqrt(z) * mask under detect_anomaly: sqrt'(0) * 0 is NaN, which must stop backward."""
    z = _leaf(lib, z)
    with lib.autograd.detect_anomaly():
        (z.sqrt() * lib.tensor([0.0, 1.0], dtype=z.dtype)).sum().backward()
    with lib.autograd.set_detect_anomaly(True, check_nan=False):
        w = _leaf(lib, z * 0)
        (w.sqrt() * 0).sum().backward()  # check_nan=False: the NaN goes through
    return z.grad, w.grad


_row("autograd.set_detect_anomaly", anomaly_program, _once(np.array([0.25, 4.0])),
     dtypes=FLOATS, differentiable=False,
     bad_inputs=(bad(np.array([0.0, 1.0]), desc="NaN in SqrtBackward0"),),
     covers=("autograd.set_detect_anomaly", "autograd.detect_anomaly"))


# -- autograd.functional --------------------------------------------------------------------------
def _pair(a: Any, b: Any) -> Any:
    return (a * b).exp().sum(1), a.tanh()


def _vjp(lib: Any, a: Any, b: Any, mode: str = "ok") -> Any:
    F = lib.autograd.functional
    if mode == "wrong v":
        return F.vjp(lambda x: x * 2, a, b)
    if mode == "strict":
        return F.vjp(lambda x, y: x * 2, (a, b), a, strict=True)
    return (F.vjp(lambda x: x.exp().sum(1), a, b[:2]),
            F.vjp(_pair, (a, b), (b[:2] * 0 + 1, a)),
            F.vjp(lambda x: (x ** 2).sum(), a),
            F.vjp(lambda x, y: x * 3, (a, b), a))


def _jacobian(lib: Any, a: Any, b: Any, mode: str = "ok") -> Any:
    F = lib.autograd.functional
    if mode == "strict":
        return F.jacobian(lambda x, y: x * 2, (a, b), strict=True)
    if mode == "bad strategy":
        return F.jacobian(lambda x: x, a, strategy="forward")
    return (F.jacobian(lambda x: x.sin() * 2, a), F.jacobian(_pair, (a, b)),
            F.jacobian(lambda x: x.sum(0), (a,)), F.jacobian(lambda x, y: x * 3, (a, b)),
            # torch's vmap and forward-mode paths give some exact zeros the other sign than
            # its own loop (which minitorch follows): adding 0.0 leaves the sign of zero out.
            tuple(tuple(j + 0.0 for j in js) for js in F.jacobian(_pair, (a, b), vectorize=True)),
            F.jacobian(lambda x: x.cos(), a, vectorize=True, strategy="forward-mode") + 0.0)


def _jvp(lib: Any, a: Any, b: Any, mode: str = "ok") -> Any:
    F = lib.autograd.functional
    if mode == "wrong v":
        return F.jvp(_pair, (a, b), (a,))
    return (F.jvp(lambda x: x.exp().sum(1), a, a),
            F.jvp(_pair, (a, b), (a * 0.5, b)),
            F.jvp(lambda x: x.sin() * 3, a[0, :1]))


def _functional_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    a, b = random_array(rng, (2, 3), dtype, SMOOTH), random_array(rng, (3,), dtype, SMOOTH)
    yield Sample((a, b), {}, "a (2, 3), b (3,)", tags=frozenset({"quick"}))


_A, _B = np.linspace(-1.0, 1.0, 6).reshape(2, 3), np.array([0.5, -0.25, 1.0])
_row("autograd.functional.vjp", _vjp, _functional_samples, dtypes=FLOATS, differentiable=False,
     bad_inputs=(bad(_A, _B, mode="wrong v", desc="v of the wrong size"),
                 bad(_A, _B, mode="strict", desc="strict, an unused input")))
_row("autograd.functional.jacobian", _jacobian, _functional_samples, dtypes=FLOATS,
     differentiable=False,
     bad_inputs=(bad(_A, _B, mode="strict", desc="strict, an unused input"),
                 bad(_A, _B, mode="bad strategy", desc="strategy='forward'")))
_row("autograd.functional.jvp", _jvp, _functional_samples, dtypes=FLOATS, differentiable=False,
     bad_inputs=(bad(_A, _B, mode="wrong v", desc="a v tuple of the wrong length"),))

def _hessian(lib: Any, a: Any, b: Any, mode: str = "ok") -> Any:
    F = lib.autograd.functional
    if mode == "not scalar":
        return F.hessian(lambda x: x.exp(), a)
    return (F.hessian(lambda x: (x.exp() * x).sum(), a),
            F.hessian(lambda x, y: (x.tanh() @ y).sum() * y.sum(), (a, b)),
            F.hessian(lambda x: (x.sin() ** 2).sum(), b, create_graph=True))


def _hessian_product(name: str) -> Callable[..., Any]:
    """vhp or hvp (same arguments, same calls): v^T H or H v of three scalar functions."""
    def call(lib: Any, a: Any, b: Any, mode: str = "ok") -> Any:
        product = getattr(lib.autograd.functional, name)
        if mode == "not scalar":
            return product(lambda x: x.exp(), a, a)
        return (product(lambda x: (x.sin() * x).sum(), a, a),
                product(lambda x, y: (x.tanh() @ y).sum() * y.sum(), (a, b), (a * 2, b)),
                product(lambda x: (x.exp() * x).sum(), b, b, create_graph=True))

    return call


_vhp, _hvp = _hessian_product("vhp"), _hessian_product("hvp")


def _create_graph(lib: Any, a: Any, b: Any) -> Any:
    """vjp / jvp / jacobian with create_graph=True, then differentiated once more."""
    F = lib.autograd.functional
    x = _leaf(lib, b)
    _, g = F.vjp(lambda t: (t.exp() * t).sum(), x, create_graph=True)
    (h,) = lib.autograd.grad(g.sum(), x)
    return (h, F.jvp(lambda t: t.exp() * t, a, a, create_graph=True),
            F.jacobian(lambda t: t.tanh(), b, create_graph=True))


for _name, _fn in (("hessian", _hessian), ("vhp", _vhp), ("hvp", _hvp)):
    _row(f"autograd.functional.{_name}", _fn, _functional_samples, dtypes=FLOATS,
         differentiable=False,
         bad_inputs=(bad(_A, _B, mode="not scalar", desc="func returns a non-scalar"),))
_row("autograd.functional(create_graph)", _create_graph, _functional_samples, dtypes=FLOATS,
     differentiable=False, covers=("create_graph",))
