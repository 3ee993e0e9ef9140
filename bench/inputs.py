"""Inputs of the three bench sizes, grown from an op-table row's own samples.

The op table (parity/op_table.py) gives each op small sample inputs chosen
to be in the op's domain. The bench needs the same op at three sizes: tiny
(4 elements, where the cost is all overhead), medium (256 x 256) and large
(1024 x 1024). We take the row's first ordinary sample (finite values, no
empty arrays) as a template and grow it:

1. when every array argument has the same shape, each becomes the target
   shape (4,) / (256, 256) / (1024, 1024), or, if torch rejects that (an op
   wanting a `dim` the 1-D shape lacks, say), (2, 2) / (65536,) / (2**20,);
2. then (or when the arrays differ in shape) every dimension longer than 1,
   in every array, becomes the same length s, chosen so that the first array
   has the target number of elements: (3, 4) @ (4, 5) becomes
   (s, s) @ (s, s); equal dimensions stay equal, size-1 (broadcast) ones
   stay 1.

Shape arguments grow along (reshape's (12,) becomes (2**20,), expand's
(3, 4) becomes (s, s)) and index arrays are kept inside the grown dims.

New values are drawn from the template's own values (with a small jitter
that keeps them inside the template's range and keeps their sign), so a
sample made positive for `log` stays positive and integers stay integers.
Torch judges each candidate (cases.py tries the next when torch raises).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from parity.spec import OpSpec, Sample

SIZES: dict[str, int] = {"tiny": 4, "medium": 256 * 256, "large": 1024 * 1024}
SHAPES: dict[str, tuple[tuple[int, ...], ...]] = {
    "tiny": ((4,), (2, 2)),
    "medium": ((256, 256), (65536,)),
    "large": ((1024, 1024), (1024 * 1024,)),
}


def bench_dtype(row: OpSpec) -> str:
    """float32 whenever the row takes it (the bench's one dtype), else the row's first dtype."""
    return "float32" if "float32" in row.dtypes else row.dtypes[0]


def _arrays(sample: Sample) -> list[np.ndarray]:
    vals = list(sample.args) + list(sample.kwargs.values())
    return [v for v in vals if isinstance(v, np.ndarray)]


def is_ordinary(sample: Sample) -> bool:
    """A sample fit to be a template: some arrays, none empty or 0-d first, all values finite."""
    arrays = _arrays(sample)
    if not arrays or arrays[0].ndim == 0:
        return False
    for a in arrays:
        if a.size == 0:
            return False
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            return False
    return True


def template(row: OpSpec, seed: int = 0) -> Sample | None:
    """The row's best ordinary sample in the bench dtype, or None.

    Best is a "gradcheck" sample (parity's pick of a typical call, away from kinks and
    poles), then a "quick" one that is not the special-value grid, then any ordinary one.
    """
    rng = np.random.default_rng(seed)
    try:
        samples = [s for s in row.samples(rng, bench_dtype(row)) if is_ordinary(s)]
    except Exception:  # a broken sample generator is parity's to report; we just skip the row
        return None

    def rank(s: Sample) -> int:
        tags = getattr(s, "tags", frozenset())
        if "gradcheck" in tags:
            return 0
        if "quick" in tags and "special" not in tags:
            return 1
        return 2 if not tags & {"special", "noncontig", "promote", "empty"} else 3

    return min(samples, key=rank) if samples else None


def resample(a: np.ndarray, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """An array of `shape` whose values look like a's: same dtype, range, signs, integrality."""
    if a.dtype == np.bool_:
        return rng.random(shape, dtype=np.float32) < max(0.05, min(0.95, float(a.mean())))
    flat = a.reshape(-1)
    pick = flat[rng.integers(0, flat.size, size=shape, dtype=np.int32)]
    if a.dtype.kind in "iu":
        return pick
    lo, hi = flat.min(), flat.max()
    vals = pick * (rng.random(shape, dtype=np.float32) * 0.1 + 0.95).astype(a.dtype)
    if np.all(flat == np.round(flat)):
        np.round(vals, out=vals)
    return np.clip(vals, lo, hi, out=vals)


def is_shape(v: Any) -> bool:
    """A tuple of ints that an op reads as a shape or a list of sizes (reshape, expand ...)."""
    return (isinstance(v, tuple) and len(v) > 0
            and all(isinstance(i, int) and not isinstance(i, bool) for i in v))


def split(n: int, k: int) -> tuple[int, ...]:
    """k positive ints whose product is n, as even as n's divisors allow: split(64, 2) = (8, 8)."""
    out = []
    rem = n
    for parts in range(k, 1, -1):
        target = max(1, round(rem ** (1.0 / parts)))
        f = max(d for d in range(1, target + 1) if rem % d == 0)
        out.append(f)
        rem //= f
    return tuple(out) + (rem,)


def _pow2_floor(e: int) -> int:
    return 1 << (e.bit_length() - 1)


def grow_shape(t: tuple[int, ...], old: tuple[int, ...], new: tuple[int, ...],
               by_value: dict[int, int]) -> tuple[int, ...]:
    """A shape argument, grown along with the array it refers to (of shape old -> new).

    Dim indices (permute's) stay. A shape that holds all of old's elements (reshape's
    target) keeps holding all of new's; one that holds one dim of old (unflatten's sizes)
    holds that dim of new; a shape with -1 keeps
    it and has its other entries rounded to powers of two (our sizes are); any other shape
    (expand's) has its entries mapped like the array's dims.
    """
    if len(set(t)) == len(t) and all(-len(old) <= e < len(old) for e in t):
        return t  # dim indices (permute's order), not sizes
    if any(e < 0 for e in t):
        return tuple(e if e < 0 else _pow2_floor(e) if e > 0 else e for e in t)
    prod = int(np.prod(t))
    if prod == int(np.prod(old)) and prod > 1:
        return split(int(np.prod(new)), len(t))
    if len(old) == len(new):
        for d_old, d_new in zip(old, new):
            if prod == d_old and d_old > 1:
                return split(d_new, len(t))
    return tuple(by_value.get(e, e) if e > 1 else e for e in t)


def _grow(sample: Sample, new_shape: Any, rng: np.random.Generator) -> Sample:
    """The sample with every array arg replaced by one of new_shape(array)'s shape, its shape
    arguments grown to match, and its integer (index) arrays kept inside the new dims."""
    arrays = _arrays(sample)
    old = arrays[0].shape
    new = tuple(new_shape(arrays[0]))
    by_value = {d: n for d, n in zip(old, new) if d > 1}
    dims = [n for a in arrays if a.dtype.kind == "f" for n in new_shape(a) if n > 1]
    bound = min(dims) if dims else None

    def grow(v: Any) -> Any:
        if isinstance(v, np.ndarray):
            a = resample(v, tuple(new_shape(v)), rng)
            if a.dtype.kind in "iu" and bound is not None:
                a = np.clip(a, -bound, bound - 1)  # an index must stay inside the grown dims
            return a
        if is_shape(v):
            return grow_shape(v, old, new, by_value)
        return v

    return replace(
        sample,
        args=tuple(grow(a) for a in sample.args),
        kwargs={k: grow(v) for k, v in sample.kwargs.items()},
    )


def same_shape(sample: Sample) -> bool:
    shapes = {a.shape for a in _arrays(sample) if a.ndim > 0}
    return len(shapes) == 1


def side(n_elements: int, ndim: int) -> int:
    """The side s with s**ndim closest to n_elements (at least 2)."""
    return max(2, round(n_elements ** (1.0 / ndim)))


def batch_grown(sample: Sample, size: str, seed: int = 0) -> Sample | None:
    """The sample with its batch (the first dim of the first array, and of every array that
    shares it) grown so the first array has the size class's elements; weights keep their
    shapes. This is how an nn layer meets bigger inputs: conv2d's kernel stays 3x3."""
    arrays = _arrays(sample)
    first = arrays[0]
    if first.ndim < 2:
        return None
    batch = max(1, SIZES[size] // int(np.prod(first.shape[1:])))
    old_batch = first.shape[0]
    rng = np.random.default_rng(seed)

    def grow(v: Any) -> Any:
        if isinstance(v, np.ndarray) and v.ndim and v.shape[0] == old_batch:
            return resample(v, (batch,) + v.shape[1:], rng)
        return v

    return replace(sample, args=tuple(grow(a) for a in sample.args),
                   kwargs={k: grow(v) for k, v in sample.kwargs.items()})


def candidates(sample: Sample, size: str, seed: int = 0,
               batch_first: bool = False) -> Iterator[tuple[str, Sample]]:
    """Samples of the size class, best first, each described by its array shapes.

    batch_first (the nn rows): first try growing only the batch (see batch_grown)."""
    n = SIZES[size]
    if batch_first:
        grown_batch = batch_grown(sample, size, seed)
        if grown_batch is not None:
            yield describe(grown_batch), grown_batch
    if same_shape(sample):
        for shape in SHAPES[size]:
            rng = np.random.default_rng(seed)
            grown = _grow(sample, lambda a, s=shape: s if a.ndim else (), rng)
            yield describe(grown), grown
    s = side(n, _arrays(sample)[0].ndim)

    def squared(a: np.ndarray) -> tuple[int, ...]:
        return tuple(1 if d == 1 else s for d in a.shape)

    # An array with more dims than the first would grow past the size class (a 1-d sorted
    # sequence and 2-d values: (2**20,) and (2**20, 2**20)); such a sample has no candidate.
    if any(np.prod(squared(a), dtype=np.float64) > 4 * n for a in _arrays(sample)):
        return
    grown = _grow(sample, squared, np.random.default_rng(seed))
    yield describe(grown), grown


def describe(sample: Sample) -> str:
    """'(256, 256) @ (256, 256)'-like description: the shapes of the array args."""
    parts = [str(tuple(a.shape)) for a in _arrays(sample)]
    return ", ".join(parts) if parts else "()"


def numel(sample: Sample) -> int:
    return max((a.size for a in _arrays(sample)), default=0)


def upstream_gradient(shape: tuple[int, ...], dtype: np.dtype, seed: int) -> np.ndarray:
    """The fixed gradient fed to backward: N(0, 1) values of the output's shape and dtype."""
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)
