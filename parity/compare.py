"""Comparing two results: values at assert_close's tolerances, special values by mask.

`allclose` cannot see `-0.0` against `0.0` and treats NaN and inf loosely,
so each is compared on its own: the NaN masks must be equal, infinities must
be equal with their sign, zeros must agree in sign (forward values only), and
the remaining finite values must satisfy |actual - expected| <= atol + rtol *
|expected|. Integers and bools are compared exactly. The relative error we
report is taken over elements with |expected| > atol (below that the
absolute tolerance is what governs, and a ratio to a near-zero says little).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

# torch.testing.assert_close's defaults, by the expected result's dtype.
DEFAULT_TOLERANCE: dict[str, tuple[float, float]] = {
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
}


@dataclass
class Compared:
    """The verdict on one pair of arrays: worst errors and the first mismatch, if any."""

    abs_err: float = 0.0
    rel_err: float = 0.0
    mismatch: str | None = None
    frac: float = 0.0  # worst |actual - expected| / (atol + rtol * |expected|); <= 1 passes

    @property
    def ok(self) -> bool:
        return self.mismatch is None


def tolerance_for(dtype_name: str, override: tuple[float, float] | None = None) -> tuple[float,
                                                                                            float]:
    """(rtol, atol) for a floating result dtype; (0, 0) for ints and bools."""
    if dtype_name not in DEFAULT_TOLERANCE:
        return (0.0, 0.0)
    return override if override is not None else DEFAULT_TOLERANCE[dtype_name]


def fmt(v: Any) -> str:
    """A value as the report prints it: %.2e for floats (nan, inf, -0.0 spelled out)."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if np.isnan(f):
            return "nan"
        if np.isinf(f):
            return "inf" if f > 0 else "-inf"
        if f == 0.0:
            return "-0.0" if np.signbit(f) else "0.0"
        return f"{f:.2e}"
    return repr(v)


def compare_arrays(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float,
                   zero_sign: bool = True, what: str = "out") -> Compared:
    """Compare actual against expected; the mismatch names `what`, the index and both values."""
    a, e = np.asarray(actual), np.asarray(expected)
    if a.shape != e.shape:
        return Compared(mismatch=f"{what}: shape {tuple(a.shape)} != expected {tuple(e.shape)}")
    if a.size == 0:
        return Compared()
    if a.dtype.kind in "biu" and e.dtype.kind in "biu":
        return _compare_exact(a, e, what)
    af, ef = a.astype(np.float64), e.astype(np.float64)
    an, en = np.isnan(af), np.isnan(ef)
    bad_nan = an != en
    either_inf = np.isinf(af) | np.isinf(ef)
    bad_inf = either_inf & ~(an | en) & (af != ef)
    finite = np.isfinite(af) & np.isfinite(ef)
    diff = np.where(finite, np.abs(af - ef), 0.0)
    bad_val = finite & (diff > atol + rtol * np.abs(ef))
    bad_zero = np.zeros(a.shape, dtype=bool)
    if zero_sign:
        bad_zero = finite & (af == 0) & (ef == 0) & (np.signbit(af) != np.signbit(ef))
    abs_err = float(diff.max()) if finite.any() else 0.0
    nz = finite & (np.abs(ef) > max(atol, 0.0)) & (ef != 0)  # below atol, atol governs
    rel_err = float((diff[nz] / np.abs(ef[nz])).max()) if nz.any() else 0.0
    allowed = atol + rtol * np.abs(ef)
    frac = float(np.max(np.where(finite, diff / np.where(allowed > 0, allowed, 1.0), 0.0)))
    result = Compared(abs_err, rel_err, frac=frac)
    bad = bad_nan | bad_inf | bad_val | bad_zero
    if bad.any():
        flat = int(np.flatnonzero(bad.reshape(-1))[0])
        idx = np.unravel_index(flat, a.shape) if a.ndim else ()
        kind = ("NaN mask" if bad_nan[idx] else "inf" if bad_inf[idx] else
                "sign of zero" if bad_zero[idx] else "value")
        n = int(bad.sum())
        result.mismatch = (f"{what}[{', '.join(str(int(i)) for i in idx)}]: {kind}: "
                           f"actual {fmt(a[idx])}, expected {fmt(e[idx])} "
                           f"({n} of {a.size} elements differ)")
    return result


def clearly_close(a: np.ndarray, e: np.ndarray, rtol: float, atol: float) -> bool:
    """A fast pass in the arrays' own float dtype: every element equal (NaN with NaN, inf with
    the same inf) or within half the tolerance, so compare_arrays (float64, which takes
    0.1-0.4 s on a million elements) would pass too. It does not look at the sign of zero.
    False: ask compare_arrays. The bench's checks use it first."""
    if a.dtype != e.dtype or a.dtype.kind != "f" or a.shape != e.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        ok = np.isfinite(e) & (np.abs(a - e) <= 0.5 * (atol + rtol * np.abs(e)))
        ok |= a == e  # the same infinity
        ok |= np.isnan(a) & np.isnan(e)
    return bool(ok.all())


def _compare_exact(a: np.ndarray, e: np.ndarray, what: str) -> Compared:
    ai, ei = a.astype(np.int64), e.astype(np.int64)
    diff = np.abs(ai - ei)
    bad = ai != ei
    abs_err = float(diff.max())
    nz = ei != 0
    rel_err = float((diff[nz] / np.abs(ei[nz])).max()) if nz.any() else 0.0
    result = Compared(abs_err, rel_err, frac=float("inf") if bad.any() else 0.0)
    if bad.any():
        flat = int(np.flatnonzero(bad.reshape(-1))[0])
        idx = np.unravel_index(flat, a.shape) if a.ndim else ()
        result.mismatch = (f"{what}[{', '.join(str(int(i)) for i in idx)}]: value: "
                           f"actual {fmt(a[idx])}, expected {fmt(e[idx])} "
                           f"({int(bad.sum())} of {a.size} elements differ)")
    return result
