"""Linear algebra: matmul (with mm, bmm, dot, outer) and einsum.

The adjoint of a matrix product is two matrix products: for y = a @ b,
a gets grad @ b^T and b gets a^T @ grad. The rest is the bookkeeping torch
does for you: a 1-D operand is a row (on the left) or a column (on the
right) whose dim is dropped again, and batch dims broadcast like an
elementwise op's, so their gradient is summed back with `unbroadcast`.

einsum generalizes all of it: the adjoint of an einsum with respect to one
operand is another einsum, of the gradient with the other operands.
Read shape.py first.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch.autograd.function import Function
from minitorch.ops.support import broadcast_shapes, cast, unbroadcast
from minitorch.registry import register
from minitorch.tensor import Tensor


# -- the Functions ------------------------------------------------------------
class Matmul(Function):
    """y = a @ b;  a: grad @ b^T,  b: a^T @ grad  (summed over broadcast batch dims)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        ctx.kind = _KIND.get((a.ndim, b.ndim), "Matmul")
        if a.ndim > 2 and b.ndim <= 2:
            # (..., M, K) @ (K, N): one big matrix product instead of a loop over the batch
            out = _rows(a) @ b
            return out.reshape(a.shape[:-1] + b.shape[1:])
        return np.asarray(np.matmul(a, b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        need_a, need_b = ctx.needs_input_grad[:2]
        if a.ndim == 1 and b.ndim == 1:  # a dot product: grad is 0-d
            return (grad * b if need_a else None), (grad * a if need_b else None)
        # Give 1-D operands their dim back: a row on the left, a column on the right.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g = grad[..., None, :] if a.ndim == 1 else grad
        g = g[..., None] if b.ndim == 1 else g
        ga = gb = None
        if need_a:
            if b2.ndim == 2 and g.ndim > 2:
                ga = (_rows(g) @ b2.T).reshape(g.shape[:-1] + b2.shape[:1])
            else:
                ga = np.matmul(g, np.swapaxes(b2, -1, -2))
            ga = unbroadcast(ga, a2.shape).reshape(a.shape)
        if need_b:
            if b2.ndim == 2 and a2.ndim > 2:
                gb = _rows(a2).T @ _rows(g)  # sums over the batch inside the product
            else:
                gb = unbroadcast(np.matmul(np.swapaxes(a2, -1, -2), g), b2.shape)
            gb = gb.reshape(b.shape)
        return ga, gb

    def name(self) -> str:
        return f"{getattr(self, 'kind', 'Matmul')}Backward0"  # torch's names: MmBackward0, ...


_KIND = {(1, 1): "Dot", (2, 1): "Mv", (2, 2): "Mm", (3, 3): "Bmm"}


def _rows(x: np.ndarray) -> np.ndarray:
    """(..., K) viewed as a matrix (prod(...), K)."""
    return x.reshape(math.prod(x.shape[:-1]), x.shape[-1])


class Outer(Function):
    """y = a b^T (1-D a, b);  a: grad @ b,  b: grad^T @ a."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.multiply.outer(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        return grad @ b, grad.T @ a


class Einsum(Function):
    """y = einsum(terms -> out, *xs);  x_i: einsum(out, other terms -> term_i) of grad and
    the other operands, broadcast over letters only x_i has and written onto the diagonal
    where x_i repeats a letter."""

    @staticmethod
    def forward(ctx, *xs, terms, out, sizes):
        ctx.terms, ctx.out, ctx.sizes = terms, out, sizes
        ctx.shapes = [x.shape for x in xs]
        # Size-1 dims broadcast against the same letter elsewhere, as in torch.
        full = [_stretch(x, term, sizes) for x, term in zip(xs, terms)]
        ctx.save_for_backward(*full)
        equation = ",".join(terms) + "->" + out
        return np.asarray(np.einsum(equation, *full, optimize=_optimize(full)))

    @staticmethod
    def backward(ctx, grad):
        xs, terms, out, sizes = ctx.saved, ctx.terms, ctx.out, ctx.sizes
        grads: list[np.ndarray | None] = []
        for i, term in enumerate(terms):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [x for j, x in enumerate(xs) if j != i]
            other_terms = [t for j, t in enumerate(terms) if j != i]
            seen = set(out).union(*other_terms)
            letters = "".join(dict.fromkeys(term))  # distinct, in order
            kept = "".join(c for c in letters if c in seen)
            equation = ",".join([out] + other_terms) + "->" + kept
            g = np.einsum(equation, grad, *others, optimize=_optimize([grad, *others]))
            if len(kept) < len(letters):  # letters summed in x_i alone: grad is constant along them
                g = g.reshape([sizes[c] if c in kept else 1 for c in letters])
                g = np.broadcast_to(g, [sizes[c] for c in letters])
            if len(letters) < len(term):  # a repeated letter (x_i's diagonal): write g onto it
                g = _onto_diagonal(g, term, letters, sizes)
            grads.append(unbroadcast(np.asarray(g), ctx.shapes[i]))
        return tuple(grads)


def _stretch(x: np.ndarray, term: str, sizes: dict[str, int]) -> np.ndarray:
    shape = tuple(sizes[c] for c in term)
    return x if x.shape == shape else np.broadcast_to(x, shape)


def _optimize(arrays: list[np.ndarray]) -> bool:
    """Let NumPy plan the contraction (and call BLAS) unless the arrays are tiny."""
    return len(arrays) > 2 or (len(arrays) == 2 and max(a.size for a in arrays) > 4096)


def _onto_diagonal(g: np.ndarray, term: str, letters: str, sizes: dict[str, int]) -> np.ndarray:
    """Zeros of the operand's shape with g written on the diagonal its repeated letters name."""
    z = np.zeros([sizes[c] for c in term], g.dtype)
    strides = [sum(z.strides[k] for k, c in enumerate(term) if c == letter) for letter in letters]
    diagonal = np.lib.stride_tricks.as_strided(
        z, shape=[sizes[c] for c in letters], strides=strides, writeable=True
    )
    diagonal[...] = g
    return z


# -- checks --------------------------------------------------------------------
def _tensors(a: Any, b: Any, op: str) -> None:
    for name, x in (("input", a), ("other", b)):
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")


def _same_dtype(a: Tensor, b: Tensor, op: str) -> None:
    """matmul and friends do not promote: torch asks for equal dtypes (and no bool)."""
    if a.data.dtype != b.data.dtype:
        raise RuntimeError(
            f"{op}: expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}"
        )
    if a.data.dtype == np.bool_:
        raise NotImplementedError(f"{op}: not implemented for 'Bool' tensors")


def _fmt(shape: tuple[int, ...]) -> str:
    return "x".join(str(s) for s in shape)


# -- public functions ------------------------------------------------------------
def matmul(input: Tensor, other: Tensor) -> Tensor:
    """The matrix product, with torch's rules for 1-D operands and broadcast batch dims."""
    _tensors(input, other, "matmul")
    a, b = input.data.shape, other.data.shape
    if not a or not b:
        raise RuntimeError(
            f"matmul: both arguments to matmul need to be at least 1D, but they are "
            f"{len(a)}D and {len(b)}D"
        )
    k = b[-2] if len(b) > 1 else b[0]
    if a[-1] != k:
        raise RuntimeError(f"matmul: shapes {a} and {b} cannot be multiplied ({a[-1]} != {k})")
    if len(a) > 2 or len(b) > 2:
        broadcast_shapes(a[:-2], b[:-2], "matmul")
    _same_dtype(input, other, "matmul")
    return Matmul.apply(input, other)
register(matmul, method=True, operators=("__matmul__", "__rmatmul__"))


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """The product of two matrices (2-D only; see matmul for the general case)."""
    _tensors(input, mat2, "mm")
    a, b = input.data.shape, mat2.data.shape
    if len(a) != 2:
        raise RuntimeError(f"mm: self must be a matrix, got shape {a}")
    if len(b) != 2:
        raise RuntimeError(f"mm: mat2 must be a matrix, got shape {b}")
    if a[1] != b[0]:
        raise RuntimeError(
            f"mm: mat1 and mat2 shapes cannot be multiplied ({_fmt(a)} and {_fmt(b)})"
        )
    _same_dtype(input, mat2, "mm")
    return Matmul.apply(input, mat2)
register(mm, method=True)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product of (B, N, M) and (B, M, P) (3-D only, no broadcasting)."""
    _tensors(input, mat2, "bmm")
    a, b = input.data.shape, mat2.data.shape
    if len(a) != 3:
        raise RuntimeError(f"bmm: batch1 must be a 3D tensor, got shape {a}")
    if len(b) != 3:
        raise RuntimeError(f"bmm: batch2 must be a 3D tensor, got shape {b}")
    if b[:2] != (a[0], a[2]):
        raise RuntimeError(
            f"bmm: Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a[0]}, {a[2]}] but got: [{b[0]}, {b[1]}]."
        )
    _same_dtype(input, mat2, "bmm")
    return Matmul.apply(input, mat2)
register(bmm, method=True)


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """The inner product of two 1-D tensors (a 0-d result)."""
    _tensors(input, tensor, "dot")
    a, b = input.data.shape, tensor.data.shape
    if len(a) != 1 or len(b) != 1:
        raise RuntimeError(f"dot: 1D tensors expected, but got {len(a)}D and {len(b)}D tensors")
    if a != b:
        raise RuntimeError(
            f"dot: inconsistent tensor size, expected tensor [{a[0]}] and src [{b[0]}] to have "
            f"the same number of elements, but got {a[0]} and {b[0]} elements respectively"
        )
    _same_dtype(input, tensor, "dot")
    return Matmul.apply(input, tensor)
register(dot, method=True)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product a b^T of two 1-D tensors (dtypes promote, as in mul)."""
    _tensors(input, vec2, "outer")
    for name, x in (("self", input), ("vec2", vec2)):
        if x.data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {x.data.ndim}-D")
    if input.data.dtype != vec2.data.dtype:
        common = dtypes.promote_types(input.dtype, vec2.dtype)
        input, vec2 = cast(input, common), cast(vec2, common)
    return Outer.apply(input, vec2)
register(outer, method=True)


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, e.g. einsum('bij,bjk->bik', a, b); operands may come as one list."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for i, x in enumerate(operands):
        if not isinstance(x, Tensor):
            raise TypeError(f"einsum(): operand {i} must be a Tensor, not {type(x).__name__}")
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    first = operands[0]
    for x in operands[1:]:
        if x.data.dtype != first.data.dtype:
            raise RuntimeError(
                f"einsum(): expected all operands to have the same dtype, but got {first.dtype} "
                f"and {x.dtype}"
            )
    terms, out, sizes = _parse_einsum(equation, [x.data.shape for x in operands])
    return Einsum.apply(*operands, terms=terms, out=out, sizes=sizes)
register(einsum)


def _parse_einsum(
    equation: str, shapes: list[tuple[int, ...]]
) -> tuple[list[str], str, dict[str, int]]:
    """Check an equation against the operands' shapes as torch does; spell out '...' with
    unused letters; return the input terms, the output term and each letter's size."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    for i, c in enumerate(eq):
        if not (c.isascii() and c.isalpha()) and c not in ".,->":
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {i} in the equation string, "
                "subscripts must be in [a-zA-Z]"
            )
    if "-" in lhs + rhs or ">" in lhs + rhs or "," in rhs:
        raise RuntimeError(f"einsum(): invalid equation '{equation}' (expected 'ab,bc->ac' form)")
    raw = lhs.split(",")
    if len(raw) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(raw) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    for t in raw + [rhs]:
        if t.replace("...", "").count(".") or t.count("...") > 1:
            raise RuntimeError(
                f"einsum(): found '.' that is not part of any ellipsis in '{equation}'"
            )
    # The number of dims each '...' stands for, and letters to stand for them.
    ell_dims = []
    for i, (t, shape) in enumerate(zip(raw, shapes)):
        named = len(t.replace("...", ""))
        if "..." in t:
            if named > len(shape):
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({named}) is more than "
                    f"the number of dimensions ({len(shape)}) for operand {i}"
                )
            ell_dims.append(len(shape) - named)
        else:
            if named != len(shape):
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({named}) does not match "
                    f"the number of dimensions ({len(shape)}) for operand {i} and no ellipsis "
                    "was given"
                )
            ell_dims.append(0)
    n_ell = max(ell_dims, default=0)
    spare = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in eq]
    ell = "".join(spare[:n_ell])
    terms = [t.replace("...", ell[n_ell - e :]) for t, e in zip(raw, ell_dims)]
    # Each letter's size: equal everywhere, or 1 (which broadcasts).
    sizes: dict[str, int] = {}
    for i, (t, shape) in enumerate(zip(terms, shapes)):
        for c, n in zip(t, shape):
            seen = sizes.get(c)
            if seen is None or seen == 1:
                sizes[c] = n
            elif n != seen and n != 1:
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {n} for operand {i} which does not "
                    f"broadcast with previously seen size {seen}"
                )
    if arrow:
        out = rhs.replace("...", ell)
        for c in out:
            if c not in sizes:
                raise RuntimeError(
                    f"einsum(): output subscript {c} does not appear in the equation for any "
                    "input operand"
                )
            if out.count(c) > 1:
                raise RuntimeError(
                    f"einsum(): output subscript {c} appears more than once in the output"
                )
    else:  # implicit output: '...' first, then the letters used once, in alphabetical order
        counts = "".join(raw).replace(".", "")
        out = ell + "".join(sorted(c for c in set(counts) if counts.count(c) == 1))
    return terms, out, sizes


