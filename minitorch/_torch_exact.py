"""The boundary: code that reproduces torch's CPU kernels bit for bit, kept out of the way.

The rest of minitorch states the math plainly (`x + w * (end - x)`). Torch's C++
kernels round some of that math differently: the compiler fuses `a * b + c`
into one fused multiply-add (one rounding instead of two), and arange fills its
SIMD lanes from a per-block start. A learner need not read this file; parity
needs it so that minitorch lands on torch's exact bits, and every trick below is
here and nowhere else:

- `fma(a, b, c)`: a * b + c rounded once, built from error-free transformations
  (NumPy has no fma): Dekker's exact product, Knuth's exact sum, and "round to
  odd" (Boldo and Melquiond) so that the final rounding is the only one.
- `scratch(shape)`: reused buffers for the float32 fma, because a fresh large
  temporary on every optimizer step costs page faults that dwarf the math.
- `scalar_tail(x)`: which elements torch's vectorized elementwise loop leaves to its
  scalar function (the remainder of each inner loop), where the two differ.
- `arange_float(...)`: torch's arange kernel, lane by lane. Torch splits long
  loops over its threads, and the split moves the SIMD blocks; minitorch always
  splits as torch does with ONE thread (the setting parity compares against), so
  its output never depends on the machine it runs on.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_SPLIT = 134217729.0  # 2**27 + 1: splits a float64 into two 26-bit halves


def two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """s + e == a + b exactly (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """p + e == a * b exactly (Dekker: split each factor into two 26-bit halves)."""
    p = a * b
    ca, cb = _SPLIT * a, _SPLIT * b
    ah, bh = ca - (ca - a), cb - (cb - b)
    al, bl = a - ah, b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def sum_round_to_odd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a + b rounded to the neighbour with an odd last bit when inexact ("round to odd").

    Rounding to odd first and to nearest afterwards gives the correctly rounded
    result: this is what kills double rounding.
    """
    s, e = two_sum(a, b)
    bits = np.asarray(s, np.float64).view(np.int64)
    # An even s with a remainder moves one ulp toward the remainder (np.nextafter is
    # correct but a hundred times slower): +1 on the bit pattern grows |s|, -1 shrinks it.
    away = (e > 0) == (s > 0)
    step = np.where((e != 0) & ((bits & 1) == 0), np.where(away, 1, -1), 0)
    return (bits + step).view(np.float64)


_scratch = np.empty(0, np.float64)


def float64_scratch(shape: tuple[int, ...]) -> np.ndarray:
    """A reused float64 buffer of `shape` (see the module docstring)."""
    global _scratch
    n = math.prod(shape)
    if _scratch.size < n:
        _scratch = np.empty(n, np.float64)
    return _scratch[:n].reshape(shape)


def fma_exact(a: Any, b: Any, c: Any, dtype: Any = np.float64) -> np.ndarray:
    """a * b + c rounded once into `dtype` (float64 operands; float32 ones for a float32
    fma), exact in both dtypes: the float32 sum is rounded to odd in float64 first."""
    a, b, c = (np.asarray(v, dtype=np.float64) for v in np.broadcast_arrays(a, b, c))
    if np.dtype(dtype) == np.float32:  # float32 products are exact in float64
        return sum_round_to_odd(a * b, c).astype(np.float32)
    uh, ul = two_prod(a, b)
    th, tl = two_sum(c, uh)
    return th + sum_round_to_odd(tl, ul)


def _fills(out: np.ndarray, *operands: Any) -> bool:
    """Whether every operand is a scalar or an array of out's shape (no broadcasting to do)."""
    shape = out.shape
    return all(type(v) is not np.ndarray or v.shape == shape for v in operands) and all(
        type(v) is np.ndarray or np.ndim(v) == 0 for v in operands)


def fma(a: Any, b: Any, c: Any, out: np.ndarray | None = None,
        dtype: Any = None) -> np.ndarray:
    """a * b + c rounded once, in `dtype` (default: c's dtype), into `out` if given.

    float64: Dekker's product and Knuth's sum keep every lost bit, and the last sum is
    rounded to odd: exact. float32: the product of two float32 is exact in float64 and
    the float64 sum is exact too unless the operands' exponents are far apart; only then
    can the float32 rounding round a second time, when the float64 sum lands exactly on a
    float32 midpoint (about 2**-29 of those cases: 0 in 4,000,000 random triples). The
    exact float32 path (round to odd, as `sum_round_to_odd`) costs about 5x on an
    optimizer step, and parity's trajectories pass either way, so the fast form stays.
    """
    dt = np.dtype(dtype) if dtype is not None else np.asarray(c).dtype
    if dt == np.float32:
        if out is not None and _fills(out, a, b, c):  # the optimizers' in-place update
            r = np.multiply(a, b, out=float64_scratch(out.shape), dtype=np.float64)  # exact
            # the float64 sum, rounded once into out as it is written (no third pass)
            return np.add(r, c, out=out, dtype=np.float64, casting="unsafe")
        shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c))
        if out is not None and out.shape == shape:
            r = np.multiply(a, b, out=float64_scratch(shape), dtype=np.float64)  # exact
            np.add(r, c, out=r, dtype=np.float64)
        else:
            r = np.add(np.multiply(a, b, dtype=np.float64), c, dtype=np.float64)
    elif dt == np.float64:
        a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
        r = fma_exact(a, b, c)
        r = np.where(np.isfinite(r), r, a * b + c)  # inf/nan: the plain expression says it best
    else:  # integers: exact anyway
        r = np.add(np.multiply(a, b), c)
    if out is None:
        return np.asarray(r).astype(dt, copy=False)
    np.copyto(out, r, casting="unsafe")
    return out


def parallel_chunks(n: int, threads: int = 1, grain: int = 32768) -> list[tuple[int, int]]:
    """The [begin, end) pieces torch's at::parallel_for hands to `threads` threads."""
    if n < grain or threads == 1:
        return [(0, n)]
    threads = min(threads, -(-n // grain))
    size = -(-n // threads)
    return [(b, min(n, b + size)) for b in range(0, n, size)]


def arange_float(start: float, step: float, n: int, np_dtype: np.dtype,
                 threads: int = 1) -> np.ndarray:
    """torch's arange kernel: doubles throughout, then SIMD blocks of 8 floats or 4 doubles.

    Its scalar path computes fma(step, i, start); its vector path computes the
    block's first value that way, rounds it to the tensor's dtype, then adds
    k * step for the k-th lane. Each thread's vector loop takes two blocks at
    a time from the start of its chunk; the leftover tail takes the scalar path.
    """
    lanes = 8 if np_dtype == np.float32 else 4
    out = fma_exact(step, np.arange(n, dtype=np.float64), start)
    for begin, end in parallel_chunks(n, threads):
        covered = ((end - begin) // (2 * lanes)) * 2 * lanes
        if covered:
            base = out[begin:begin + covered:lanes].astype(np_dtype).astype(np.float64)
            lane = np.tile(np.arange(lanes, dtype=np.float64), covered // lanes)
            out[begin:begin + covered] = fma_exact(lane, step, np.repeat(base, lanes))
    return out.astype(np_dtype)


_VECTOR_STEP_BYTES = 64  # cpu_kernel_vec runs two 32-byte AVX2 vectors per step


def scalar_tail(x: np.ndarray) -> np.ndarray:
    """Which elements of an elementwise op on x torch's CPU kernel computes with its
    *scalar* function rather than its vectorized one (one thread, AVX2).

    TensorIterator walks x in memory order, fusing dimensions that are contiguous with
    each other into one inner loop; cpu_kernel_vec runs that loop 64 bytes at a time
    with the vectorized function, and the rest of each loop (length % (64 / itemsize))
    with the scalar one. The two can differ where the math leaves a choice, such as the
    sign of a zero (softshrink writes 0 * x in its scalar kernel, +0.0 in its vector one).
    Returns a bool mask shaped like x, or None when every element is the vector kernel's.
    """
    lanes = _VECTOR_STEP_BYTES // x.itemsize
    if x.flags.c_contiguous:  # the common case: one loop over every element
        if x.size % lanes == 0:
            return None
        mask = np.zeros(x.size, dtype=bool)
        mask[x.size - x.size % lanes:] = True
        return mask.reshape(x.shape)
    if x.size == 0:
        return None
    dims = sorted((d for d in range(x.ndim) if x.shape[d] != 1), key=lambda d: abs(x.strides[d]))
    inner, stride = 1, x.itemsize  # fuse dims, fastest first, while they stay contiguous
    inner_dims = []
    for d in dims:
        if abs(x.strides[d]) != stride:
            break
        inner_dims.append(d)
        inner *= x.shape[d]
        stride *= x.shape[d]
    tail = inner % lanes
    if tail == 0:
        return None
    # Position of each element along the fused inner loop, in memory order.
    pos = np.zeros(x.shape, dtype=np.int64)
    step = 1
    for d in inner_dims:
        idx = np.arange(x.shape[d]).reshape([-1 if i == d else 1 for i in range(x.ndim)])
        if x.strides[d] < 0:
            idx = x.shape[d] - 1 - idx
        pos = pos + idx * step
        step *= x.shape[d]
    return pos >= inner - tail
