"""Checking gradients and closeness, as torch.autograd.gradcheck and torch.testing do.

`gradcheck` is how you know a backward is right: nudge each input element
by +-eps, watch the outputs move (the numerical Jacobian, by central
differences), and compare with what backward says, one output element at a
time (the analytical Jacobian, row by row with one-hot upstream gradients).
`assert_close` compares results with tolerances that suit each dtype.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch.autograd.engine import grad as autograd_grad
from minitorch.autograd.grad_mode import no_grad
from minitorch.tensor import Tensor

__all__ = ["GradcheckError", "gradcheck", "assert_close"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck when backward disagrees with finite differences."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn: Callable, inputs: tuple[Any, ...]) -> tuple[Tensor, ...]:
    return tuple(o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor))


def _check_inputs(inputs: tuple[Any, ...]) -> list[int]:
    """The indices of the inputs to check; warns, like torch, about non-float64 ones."""
    checked = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad:
            if x.array.dtype != np.float64:
                warnings.warn(
                    f"Input #{i} requires gradient and is not a double precision floating point "
                    "or complex. This check will likely fail if all the inputs are not of double "
                    "precision floating point or complex. ",
                    stacklevel=3,
                )
            if 0 in x.array.strides and x.array.size > 1:
                raise RuntimeError(
                    f"The {i}th input has a dimension with stride 0. gradcheck only supports "
                    "inputs that are non-overlapping to be able to compute the numerical "
                    "gradients correctly. You should call .contiguous on the input before "
                    "passing it to gradcheck."
                )
            checked.append(i)
    if not checked:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, "
            "but none of them have requires_grad=True."
        )
    return checked


def _differentiable(fn: Callable, inputs: tuple[Any, ...]) -> list[int]:
    """Which of fn's tensor outputs require grad: the ones gradcheck checks, as torch."""
    return [j for j, o in enumerate(_outputs(fn, inputs)) if o.requires_grad]


def central_differences(f: Callable[[], Any], x: np.ndarray, eps: float) -> np.ndarray:
    """(f(x + eps e_k) - f(x - eps e_k)) / (2 eps) for every element k of x, stacked.

    The one numerical derivative in minitorch (parity's gradcheck uses it too): x is nudged
    in place, element by element in row-major order, and put back; f reads x and returns a
    number or an array (then row k of the result is that array's derivative, flattened).
    """
    rows = []
    for idx in np.ndindex(x.shape):
        orig = x[idx].item()
        x[idx] = orig - eps
        before = np.asarray(f(), dtype=np.float64).reshape(-1)
        x[idx] = orig + eps
        after = np.asarray(f(), dtype=np.float64).reshape(-1)
        x[idx] = orig
        rows.append((after - before) / (2 * eps))
    return np.array(rows).reshape((x.size, -1))


def numerical_jacobian(fn: Callable, inputs: tuple[Any, ...], i: int, eps: float,
                       which: Sequence[int]) -> list[np.ndarray]:
    """d(outputs)/d(inputs[i]) by central differences: one (n_in, n_out) matrix per output."""
    with no_grad():
        sizes = [_outputs(fn, inputs)[j].array.size for j in which]

        def evaluate() -> np.ndarray:
            outs = _outputs(fn, inputs)
            return np.concatenate([np.asarray(outs[j].array, np.float64).reshape(-1)
                                   for j in which])

        stacked = central_differences(evaluate, inputs[i].array, eps)
    return list(np.split(stacked, np.cumsum(sizes)[:-1], axis=1))


def analytical_jacobian(fn: Callable, inputs: tuple[Any, ...], checked: Sequence[int],
                        which: Sequence[int]) -> list[list[np.ndarray]]:
    """d(outputs)/d(inputs) from backward: jac[r][j] is (n_in, n_out) for checked[r], which[j].

    Column m of jac[.][j] is the gradient of output j's element m: one
    backward per output element, with a one-hot upstream gradient.
    """
    outs = _outputs(fn, inputs)
    outputs = [outs[j] for j in which]
    wrt = [inputs[i] for i in checked]
    jac = [[np.zeros((inputs[i].array.size, o.array.size)) for o in outputs] for i in checked]
    for j, out in enumerate(outputs):
        for m in range(out.array.size):
            onehot = np.zeros(out.array.size, dtype=out.array.dtype)
            onehot[m] = 1
            seed = Tensor._make(onehot.reshape(out.array.shape), False, None)
            grads = autograd_grad(out, wrt, seed, retain_graph=True, allow_unused=True)
            for r, g in enumerate(grads):
                if g is None:  # this output does not depend on that input
                    continue
                if g.array.shape != wrt[r].array.shape:
                    raise GradcheckError(
                        f"Gradient for input {checked[r]} has shape {g.array.shape}, "
                        f"expected {wrt[r].array.shape}"
                    )
                jac[r][j][:, m] = g.array.reshape(-1)
    return jac


def _worst(a: np.ndarray, n: np.ndarray, atol: float, rtol: float) -> str:
    excess = np.abs(a - n) - (atol + rtol * np.abs(n))
    excess = np.where(np.isnan(excess), np.inf, excess)
    r, c = np.unravel_index(int(np.argmax(excess)), excess.shape)
    return (
        f"worst entry: d(output element {c}) / d(input element {r}): "
        f"numerical {n[r, c].item()!r}, analytical {a[r, c].item()!r}"
    )


def gradcheck(fn: Callable, inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check backward against finite differences for every input that requires grad.

    Passes when |analytical - numerical| <= atol + rtol * |numerical| entrywise.
    Use float64 inputs: float32 rounding swamps eps = 1e-6.
    """
    inputs = _as_tuple(inputs)
    checked = _check_inputs(inputs)
    which = _differentiable(fn, inputs)
    analytical = analytical_jacobian(fn, inputs, checked, which)
    for r, i in enumerate(checked):
        numerical = numerical_jacobian(fn, inputs, i, eps, which)
        for j, (n, a) in enumerate(zip(numerical, analytical[r])):
            ok = np.abs(a - n) <= atol + rtol * np.abs(n)
            if np.all(ok):
                continue
            if not raise_exception:
                return False
            raise GradcheckError(
                f"Jacobian mismatch for output {j:d} with respect to input {i:d},\n"
                f"numerical:{Tensor._make(n, False, None)}\n"
                f"analytical:{Tensor._make(a, False, None)}\n"
                f"{_worst(a, n, atol, rtol)}\n"
            )
    return True


# -- assert_close --------------------------------------------------------------
_DEFAULT_TOLERANCES = {  # (rtol, atol) per dtype, as torch.testing
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
}


def _tolerances(*ds: dtypes.dtype) -> tuple[float, float]:
    pairs = [_DEFAULT_TOLERANCES.get(d.name, (0.0, 0.0)) for d in ds]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _as_array(x: Any) -> np.ndarray:
    if isinstance(x, Tensor):
        return x.array
    if isinstance(x, (bool, int, float)):
        return np.asarray(x, dtype=dtypes.scalar_dtype(x).np)
    raise TypeError(f"assert_close: expected a Tensor or a number, got {type(x).__name__}")


def assert_close(actual: Any, expected: Any, *, rtol: float | None = None,
                 atol: float | None = None, equal_nan: bool = False, check_dtype: bool = True,
                 msg: str | None = None) -> None:
    """Raise AssertionError unless actual and expected agree in shape, dtype and values.

    Values agree when |actual - expected| <= atol + rtol * |expected|; the
    default tolerances come from the dtype (float32: rtol 1.3e-6, atol 1e-5;
    float64: 1e-7 and 1e-7; integers and bools must be equal).
    """
    if (rtol is None) != (atol is None):
        missing = "atol" if atol is None else "rtol"
        raise ValueError(
            f"Both 'rtol' and 'atol' must be either specified or omitted, "
            f"but got no {missing}."
        )
    if isinstance(actual, (tuple, list)) and isinstance(expected, (tuple, list)):
        if len(actual) != len(expected):
            raise AssertionError(
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}"
            )
        for a, e in zip(actual, expected):
            assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)
        return
    a, e = _as_array(actual), _as_array(expected)
    da, de = dtypes.from_numpy_dtype(a.dtype), dtypes.from_numpy_dtype(e.dtype)
    if a.shape != e.shape:
        raise AssertionError(
            msg or f"The values for attribute 'shape' do not match: {a.shape} != {e.shape}."
        )
    if check_dtype and da is not de:
        raise AssertionError(
            msg or f"The values for attribute 'dtype' do not match: {da!r} != {de!r}."
        )
    if rtol is None:
        rtol, atol = _tolerances(da, de)
    common = dtypes.promote_types(da, de).np
    a, e = a.astype(common, copy=False), e.astype(common, copy=False)
    close = isclose_array(a, e, rtol, atol, equal_nan)
    if np.all(close):
        return
    raise AssertionError(msg or _mismatch_message(a, e, close, rtol, atol))


def isclose_array(a: np.ndarray, e: np.ndarray, rtol: float, atol: float,
                  equal_nan: bool) -> np.ndarray:
    """torch.isclose on arrays of one dtype."""
    close = a == e
    if a.dtype.kind == "f":
        if equal_nan:
            close |= np.isnan(a) & np.isnan(e)
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(a - e)
            close |= np.isfinite(diff) & (diff <= atol + rtol * np.abs(e))
    elif rtol or atol:
        diff = np.abs(a.astype(np.float64) - e.astype(np.float64))
        close |= diff <= atol + rtol * np.abs(e.astype(np.float64))
    return close


def _mismatch_message(a: np.ndarray, e: np.ndarray, close: np.ndarray, rtol: float,
                      atol: float) -> str:
    """torch.testing's message (count, greatest differences) plus the first mismatch."""
    equality = rtol == 0 and atol == 0
    verdict = "equal" if equality else "close"
    if a.ndim == 0:  # torch words it for scalars
        x, y = a.item(), e.item()
        abs_diff = abs(x - y)
        rel_diff = float("inf") if y == 0 else abs_diff / abs(y)
        lines = [f"Scalars are not {verdict}!", "", f"Expected {y} but got {x}."]
        diffs = [("Absolute difference", abs_diff, "", atol),
                 ("Relative difference", rel_diff, "", rtol)]
    else:
        bad = int((~close).sum())
        lines = [f"Tensor-likes are not {verdict}!", "",
                 f"Mismatched elements: {bad} / {close.size} ({bad / close.size:.1%})"]
        if a.dtype.kind != "f":  # torch upcasts integers to int64 before subtracting
            a, e = a.astype(np.int64), e.astype(np.int64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            abs_diff = np.abs(a - e).reshape(-1)
            abs_diff[close.reshape(-1)] = 0
            denom = np.abs(e.reshape(-1))
            if a.dtype.kind != "f":  # int / int divides in the default float dtype
                float_np = dtypes.get_default_dtype().np
                rel_diff = abs_diff.astype(float_np) / denom.astype(float_np)
            else:
                rel_diff = abs_diff / denom
            rel_diff[close.reshape(-1)] = 0
        diffs = []
        for kind, d, tol in (("absolute", abs_diff, atol), ("relative", rel_diff, rtol)):
            k = int(np.argmax(d))  # the first NaN if any, like torch.max
            idx = tuple(int(i) for i in np.unravel_index(k, a.shape))
            diffs.append((f"Greatest {kind} difference", d[k].item(), f" at index {idx}", tol))
    for label, value, where, tol in diffs:
        lines.append(f"{label}: {value}{where}" + ("" if equality else f" (up to {tol} allowed)"))
    if a.ndim:
        first = tuple(int(i) for i in np.argwhere(~close)[0])
        lines.append(
            f"First mismatch at index {first}: actual {a[first].item()}, "
            f"expected {e[first].item()}"
        )
    return "\n".join(lines)
