"""Linear algebra: matmul (with mm, bmm, dot, outer), einsum, addmm and friends, and the
factorizations behind minitorch.linalg (inv, det, solve, cholesky, qr, eigh, svd, pinv, norms).

The adjoint of a matrix product is two matrix products: for y = a @ b,
a gets grad @ b^T and b gets a^T @ grad. The rest is the bookkeeping torch
does for you: a 1-D operand is a row (on the left) or a column (on the
right) whose dim is dropped again, and batch dims broadcast like an
elementwise op's, so their gradient is summed back with `unbroadcast`.

einsum generalizes all of it: the adjoint of an einsum with respect to one
operand is another einsum, of the gradient with the other operands. The second
half of the file (after the banner) holds the factorizations, each with its
textbook adjoint. Read shape.py first; minitorch/linalg.py names them as torch does.
"""

from __future__ import annotations

import math
import weakref
from collections import namedtuple
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch.autograd.function import Function
from minitorch.autograd.grad_mode import _GradMode
from minitorch.autograd.higher_order import TracedArray, traced
from minitorch.ops import reduction
from minitorch.ops.support import broadcast_shapes, cast, normalize_dim, unbroadcast
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
            out = _int_exact_matmul(_rows(a), b)
            return out.reshape(a.shape[:-1] + b.shape[1:])
        return np.asarray(_int_exact_matmul(a, b))

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
            if b.ndim == 1 and a.ndim >= 2:
                # torch's mv adjoint grad.ger(vec) is an outer product, a plain multiply: a
                # k=1 matmul would add each product to +0.0 (losing -0.0) and, in NumPy, is
                # several times slower than the broadcast multiply
                ga = g * b
            elif b2.ndim == 2 and g.ndim > 2:
                ga = (_rows(g) @ b2.T).reshape(g.shape[:-1] + b2.shape[:1])
            else:
                ga = np.matmul(g, np.swapaxes(b2, -1, -2))
            ga = _shaped(unbroadcast(ga, a2.shape), a.shape)
        if need_b:
            if b.ndim == 1 and a.ndim >= 2:
                # torch's mv adjoint a^T.mv(grad) adds the rows up one after another (no BLAS
                # blocking), and so does NumPy's sum over axis 0: the same float32 rounding
                gb = _weighted_row_sum(_rows(a2), _rows(g))
            elif b2.ndim == 2 and a2.ndim > 2:
                gb = _rows(a2).T @ _rows(g)  # sums over the batch inside the product
            else:
                gb = unbroadcast(np.matmul(np.swapaxes(a2, -1, -2), g), b2.shape)
            gb = _shaped(gb, b.shape)
        return ga, gb

    def name(self) -> str:
        return f"{getattr(self, 'kind', 'Matmul')}Backward0"  # torch's names: MmBackward0, ...


_KIND = {(1, 1): "Dot", (2, 1): "Mv", (2, 2): "Mm", (3, 3): "Bmm"}


_INT_BLAS_MIN_WORK = 1 << 16  # multiply-adds below which NumPy's integer loop is as quick


def _int_exact_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.matmul(a, b), for integer operands through float64 BLAS when that is exact.

    NumPy's integer matmul has no BLAS: a naive loop, 17 s for 1024 x 1024 int64 where
    torch takes 0.3 s. When max|a| * max|b| * K < 2**53, every product and every partial
    sum is an integer float64 holds exactly, whatever order BLAS adds them in; the result,
    brought back through int64, wraps to a narrow dtype as its own matmul would.
    """
    if not (a.dtype.kind in "iu" and b.dtype.kind in "iu" and a.size and b.size):
        return np.matmul(a, b)
    k = a.shape[-1]
    if a.size * (b.size // k) < _INT_BLAS_MIN_WORK:  # (a bound on the work, batches aside)
        return np.matmul(a, b)
    bound = max(-int(a.min()), int(a.max())) * max(-int(b.min()), int(b.max())) * k
    if bound >= 2 ** 53:
        return np.matmul(a, b)
    out = np.matmul(a.astype(np.float64), b.astype(np.float64)).astype(np.int64)
    return out.astype(np.result_type(a, b), copy=False)


def _rows(x: np.ndarray) -> np.ndarray:
    """(..., K) viewed as a matrix (prod(...), K)."""
    return x.reshape(math.prod(x.shape[:-1]), x.shape[-1])


def _shaped(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """g reshaped only when its shape differs: a same-shape reshape is a view, and the
    engine copies a view before it stores it as a leaf's .grad (4 MB for a 1024^2 matrix)."""
    return g if g.shape == shape else g.reshape(shape)


_ROW_BLOCK = 64  # rows per block of _weighted_row_sum: 64 x 1024 float32 is 256 KB (cache)


def _weighted_row_sum(m: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(m * w).sum(axis=0) for m (n, k) and w (n, 1), bit for bit, without the (n, k) product.

    NumPy's sum over axis 0 of a C-ordered (n, k > 1) array adds the rows one after another,
    so we add the products block by block, each block's sum starting from the running total
    (its row 0): the same additions in the same order, in a buffer that stays in cache.
    """
    n, k = m.shape
    if n <= _ROW_BLOCK or k < 2 or not m.flags.c_contiguous:
        # one block; or a product NumPy would sum pairwise down the columns (k = 1, or m
        # column-major, whose product keeps m's order): kept as it is
        return (m * w).sum(axis=0)
    buf = np.empty((_ROW_BLOCK + 1, k), np.result_type(m, w))
    total = None
    for i in range(0, n, _ROW_BLOCK):
        rows = m[i:i + _ROW_BLOCK]
        start = 1 if total is not None else 0  # buf[0]: the running total, after block 0
        part = buf[:start + len(rows)]
        np.multiply(rows, w[i:i + _ROW_BLOCK], out=part[start:])
        if total is not None:
            part[0] = total
        total = part.sum(axis=0)
    return total


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
        ctx.save_for_backward(*xs)
        # Size-1 dims broadcast against the same letter elsewhere, as in torch.
        full = [_stretch(x, term, sizes) for x, term in zip(xs, terms)]
        equation = ",".join(terms) + "->" + out
        return np.asarray(np.einsum(equation, *full, optimize=_optimize(full)))

    @staticmethod
    def backward(ctx, grad):
        terms, out, sizes = ctx.terms, ctx.out, ctx.sizes
        xs = [_stretch(x, term, sizes) for x, term in zip(ctx.saved, terms)]
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
            if type(g) is not TracedArray:
                g = np.asarray(g)  # NumPy's einsum gives a scalar, not a 0-d array, for '->'
            if len(kept) < len(letters):  # letters summed in x_i alone: grad is constant along them
                g = g.reshape([sizes[c] if c in kept else 1 for c in letters])
                g = np.broadcast_to(g, [sizes[c] for c in letters])
            if len(letters) < len(term):  # a repeated letter (x_i's diagonal): write g onto it
                g = _onto_diagonal(g, term, letters, sizes)
            grads.append(unbroadcast(g, ctx.shapes[i]))
        return tuple(grads)


def _stretch(x: np.ndarray, term: str, sizes: dict[str, int]) -> np.ndarray:
    shape = tuple(sizes[c] for c in term)
    return x if x.shape == shape else np.broadcast_to(x, shape)


def _optimize(arrays: list[np.ndarray]) -> bool:
    """Let NumPy plan the contraction (and call BLAS) unless the arrays are tiny."""
    return len(arrays) > 2 or (len(arrays) == 2 and max(a.size for a in arrays) > 4096)


def _onto_diagonal(g: np.ndarray, term: str, letters: str, sizes: dict[str, int]) -> np.ndarray:
    """Zeros of the operand's shape with g written on the diagonal its repeated letters name."""
    if type(g) is TracedArray:  # create_graph: no strided write into a recorded value
        return _onto_diagonal_recorded(g, term, sizes)
    z = np.zeros([sizes[c] for c in term], g.dtype)
    strides = [sum(z.strides[k] for k, c in enumerate(term) if c == letter) for letter in letters]
    diagonal = np.lib.stride_tricks.as_strided(
        z, shape=[sizes[c] for c in letters], strides=strides, writeable=True
    )
    diagonal[...] = g
    return z


def _onto_diagonal_recorded(g: Any, term: str, sizes: dict[str, int]) -> Any:
    """_onto_diagonal with a select: g spread along each repeated letter's later dims, kept
    where their indices agree with the letter's first dim."""
    first = [term.index(c) == k for k, c in enumerate(term)]
    spread = g.reshape([sizes[c] if f else 1 for c, f in zip(term, first)])
    on_diagonal = np.ones([1] * len(term), bool)
    for k, c in enumerate(term):
        if not first[k]:
            j = term.index(c)
            eye = np.eye(sizes[c], dtype=bool).reshape([sizes[c] if d in (j, k) else 1
                                                        for d in range(len(term))])
            on_diagonal = on_diagonal & eye
    shape = [sizes[c] for c in term]
    return np.where(on_diagonal, np.broadcast_to(spread, shape), np.zeros((), g.dtype))


# -- checks --------------------------------------------------------------------
def _tensors(a: Any, b: Any, op: str) -> None:
    for name, x in (("input", a), ("other", b)):
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")


def _same_dtype(a: Tensor, b: Tensor, op: str) -> None:
    """matmul and friends do not promote: torch asks for equal dtypes (and no bool)."""
    if a.array.dtype != b.array.dtype:
        raise RuntimeError(
            f"{op}: expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}"
        )
    if a.array.dtype == np.bool_:
        raise NotImplementedError(f"{op}: not implemented for 'Bool' tensors")


def _fmt(shape: tuple[int, ...]) -> str:
    return "x".join(str(s) for s in shape)


# -- public functions ------------------------------------------------------------
def matmul(input: Tensor, other: Tensor) -> Tensor:
    """The matrix product, with torch's rules for 1-D operands and broadcast batch dims."""
    _tensors(input, other, "matmul")
    a, b = input.array.shape, other.array.shape
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
    a, b = input.array.shape, mat2.array.shape
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
    a, b = input.array.shape, mat2.array.shape
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
    a, b = input.array.shape, tensor.array.shape
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
        if x.array.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {x.array.ndim}-D")
    if input.array.dtype != vec2.array.dtype:
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
        if x.array.dtype != first.array.dtype:
            raise RuntimeError(
                f"einsum(): expected all operands to have the same dtype, but got {first.dtype} "
                f"and {x.dtype}"
            )
    terms, out, sizes = _parse_einsum(equation, [x.array.shape for x in operands])
    if first.array.dtype.kind in "iub":
        operands = _einsum_integer_operands(operands, terms, out)
    return Einsum.apply(*operands, terms=terms, out=out, sizes=sizes)
register(einsum)


def _einsum_integer_operands(operands: Any, terms: list[str], out: str) -> tuple[Tensor, ...]:
    """torch's result dtype for integer and bool einsums, from how torch computes them.

    torch first sums away the letters only one operand has (a `sum`, so ints and bools
    become int64), then contracts the operands pairwise, left to right: a contraction is a
    matrix product (equal dtypes required, no bool), a pure product promotes.
    """
    ops = list(operands)
    for i, t in enumerate(terms):
        others = set(out).union(*(terms[j] for j in range(len(terms)) if j != i))
        if any(c not in others for c in t) and ops[i].array.dtype != np.int64:
            ops[i] = cast(ops[i], dtypes.int64)
    current, letters = ops[0].array.dtype, set(terms[0])
    for i in range(1, len(ops)):
        later = set(out).union(*terms[i + 1:])
        theirs = ops[i].array.dtype
        if (letters & set(terms[i])) - later:  # a contraction: torch's bmm
            if current != theirs:
                raise RuntimeError(f"einsum(): expected scalar type {_TORCH_NAMES[current.name]} "
                                   f"but found {_TORCH_NAMES[theirs.name]}")
            if current == np.bool_:
                raise NotImplementedError("einsum(): \"bmm\" not implemented for 'Bool'")
        else:
            current = np.promote_types(current, theirs)
        letters = (letters | set(terms[i])) & later
    return tuple(ops)


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




# =============================================================================================
# Linear algebra beyond the product: addmm and friends, then minitorch.linalg's factorizations.
#
# Every factorization below runs NumPy's LAPACK on the whole batch at once; its adjoint is the
# textbook one (Giles 2008, "An extended collection of matrix derivative results for forward
# and reverse mode AD"; Murray 2016 for Cholesky; Townsend 2016 for the SVD), written as torch
# writes it in FunctionsManual.cpp so that the numbers agree where the math leaves a choice.
# A factorization with several outputs (svd, eigh, qr, slogdet) makes one graph node per
# output, all sharing one forward: the adjoint is linear in the output gradients, so the engine
# sums the parts, and an output nobody uses adds nothing -- exactly torch's "undefined grad".
# =============================================================================================
_TORCH_NAMES = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
                "bool": "Bool"}


def _tname(a: np.ndarray) -> str:
    return _TORCH_NAMES.get(a.dtype.name, a.dtype.name)


def _mT(x: np.ndarray) -> np.ndarray:
    return np.swapaxes(x, -1, -2)


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: LAPACK could not factorize the matrix (singular, not PD)."""


def _result(name: str, fields: tuple[str, ...]) -> type:
    """A named tuple printed like torch.return_types.NAME (svd, eigh, qr, slogdet)."""

    def __repr__(self: Any) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"minitorch.return_types.{name}(\n{body})"

    base = namedtuple(name, fields)  # type: ignore[misc]
    return type(name, (base,), {"__slots__": (), "__repr__": __repr__})


SlogdetResult = _result("linalg_slogdet", ("sign", "logabsdet"))
SlogdetTorchResult = _result("slogdet", ("sign", "logabsdet"))
QRResult = _result("linalg_qr", ("Q", "R"))
QRTorchResult = _result("qr", ("Q", "R"))
EighResult = _result("linalg_eigh", ("eigenvalues", "eigenvectors"))
SVDResult = _result("linalg_svd", ("U", "S", "Vh"))
SVDTorchResult = _result("svd", ("U", "S", "V"))


def _matrix(A: Any, op: str, square: bool = True, name: str = "A",
            floating: bool = True) -> None:
    """torch's checks of a (batch of) matrices: a float Tensor, >= 2 dims, square if asked."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(A).__name__}")
    shape = A.array.shape
    if len(shape) < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if square and shape[-1] != shape[-2]:
        raise RuntimeError(f"{op}: {name} must be batches of square matrices, but they are "
                           f"{shape[-2]} by {shape[-1]} matrices")
    if A.array.dtype.kind != "f":
        if not floating:  # eigh has no dtype check of its own: its kernel refuses
            raise NotImplementedError(f"\"{op.replace('.', '_')}_cpu\" not implemented for "
                                      f"'{_tname(A.array)}'")
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. "
                           f"Got {_tname(A.array)}")


def _first_failure(a: np.ndarray, factor: Any) -> tuple[int | None, np.ndarray]:
    """The batch index (None for a single matrix) and the first matrix `factor` refuses."""
    if a.ndim == 2:
        return None, a
    flat = a.reshape((-1,) + a.shape[-2:])
    for i, m in enumerate(flat):
        try:
            factor(m)
        except np.linalg.LinAlgError:
            return i, m
    return 0, flat[0]


def _where(batch: int | None) -> str:
    return "" if batch is None else f"(Batch element {batch}): "


def _inverse(a: np.ndarray, op: str) -> np.ndarray:
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        batch, _ = _first_failure(a, np.linalg.inv)
        raise LinAlgError(f"{op}: {_where(batch)}The input matrix is singular, the inversion "
                          "could not be completed (a zero pivot in its LU factorization).") \
            from None


def _inverse_or_zero(a: np.ndarray) -> np.ndarray:
    """inv(A) for each matrix of the batch, zeros where A is exactly singular."""
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        flat = a.reshape((-1,) + a.shape[-2:])
        out = np.zeros_like(flat)
        for i, m in enumerate(flat):
            try:
                out[i] = np.linalg.inv(m)
            except np.linalg.LinAlgError:
                pass
        return out.reshape(a.shape)


# -- addmm, addmv, baddbmm -------------------------------------------------------------------
_OUTER_EXACT = tuple(np.dtype(d) for d in ("float32", "float64", "int32", "int64"))


class AddMatmul(Function):
    """y = beta * input + alpha * (m1 @ m2)  (addmm, addmv, baddbmm);  input: beta * grad
    (summed over broadcast dims),  m1: alpha * grad @ m2^T,  m2: alpha * m1^T @ grad.

    beta = 0 ignores input altogether (a NaN in it does not show), as in torch.
    """

    @staticmethod
    def forward(ctx, x, m1, m2, beta, alpha, kind):
        ctx.kind, ctx.beta, ctx.alpha, ctx.x_shape = kind, beta, alpha, x.shape
        ctx.save_for_backward(m1, m2)
        if kind == "Addr" and m1.dtype in _OUTER_EXACT:
            # torch's addr is one elementwise kernel, beta * x + alpha * v1 * v2: the
            # broadcast product (a zero keeps its sign, as there), then the scale and the
            # sum in place, one fresh array instead of three
            out = m1 * m2
            if alpha != 1:
                out = out * alpha
            if beta == 0:
                return out
            y = x if beta == 1 else beta * x
            if np.result_type(out, y) != out.dtype:  # a NumPy scalar beta may widen
                return out + y
            return np.add(out, y, out=out)
        else:
            out = np.matmul(m1, m2)
        if alpha != 1:
            out = out * alpha
        if beta == 0:
            return np.array(np.broadcast_to(out, out.shape))
        return out + (x if beta == 1 else beta * x)

    @staticmethod
    def backward(ctx, grad):
        m1, m2 = ctx.saved
        need_x, need_1, need_2 = ctx.needs_input_grad[:3]
        gx = g1 = g2 = None
        if need_x:
            gx = unbroadcast(grad * ctx.beta if ctx.beta != 1 else grad, ctx.x_shape)
        col = m2[:, None] if m2.ndim == 1 else m2  # addmv's vector as a column
        g = grad[..., None] if m2.ndim == 1 else grad
        if need_1:
            g1 = np.matmul(g, _mT(col)) * ctx.alpha
        if need_2:
            g2 = (np.matmul(_mT(m1), g) * ctx.alpha).reshape(m2.shape)
        return gx, g1, g2, None, None, None

    def name(self) -> str:
        return f"{self.kind}Backward0"


def _scalars(x: Tensor, beta: Any, alpha: Any, op: str) -> tuple[Any, Any]:
    """Integer tensors: addr refuses float beta and alpha; the others truncate them to ints
    (beta=0.5 acts as 0). Both are torch's behaviour."""
    if x.array.dtype.kind in "iu":
        for name, v in (("beta", beta), ("alpha", alpha)):
            if op == "addr" and isinstance(v, float):
                raise RuntimeError(f"addr: For integral input tensors, argument {name} must not "
                                   "be a floating point number.")
        return int(beta), int(alpha)
    return beta, alpha


def _add_product(input: Tensor, m1: Tensor, m2: Tensor, beta: Any, alpha: Any, op: str,
                 kind: str) -> Tensor:
    for x, name in ((input, "input"), (m1, "mat1"), (m2, "mat2")):
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    dts = [t.array.dtype for t in (input, m1, m2)]
    if len(set(dts)) > 1:
        raise RuntimeError(f"{op}: input tensors must have the same dtype, but got "
                           f"{', '.join(_tname(t.array) for t in (input, m1, m2))}")
    if dts[0] == np.bool_:
        raise NotImplementedError(f"{op}: not implemented for 'Bool'")
    beta, alpha = _scalars(input, beta, alpha, op)
    return AddMatmul.apply(input, m1, m2, beta, alpha, kind)


def _fits(input: Tensor, shape: tuple[int, ...], op: str) -> None:
    """input must broadcast to the product's shape (torch expands it)."""
    s = input.array.shape
    ok = len(s) <= len(shape) and all(a in (1, b) for a, b in zip(s[::-1], shape[::-1]))
    if not ok:
        raise RuntimeError(f"{op}: The expanded size of the tensor input {list(s)} must match "
                           f"the product's size {list(shape)}")


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1,
          alpha: Any = 1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2), mat1 (n, m), mat2 (m, p), input broadcast to (n, p)."""
    for x, name in ((mat1, "mat1"), (mat2, "mat2")):
        if isinstance(x, Tensor) and x.array.ndim != 2:
            raise RuntimeError(f"addmm: {name} must be a matrix, got {x.array.ndim}-D tensor")
    _tensors(mat1, mat2, "addmm")
    a, b = mat1.array.shape, mat2.array.shape
    if a[1] != b[0]:
        raise RuntimeError(f"addmm: mat1 and mat2 shapes cannot be multiplied ({_fmt(a)} and "
                           f"{_fmt(b)})")
    _tensors(input, mat1, "addmm")
    _fits(input, (a[0], b[1]), "addmm")
    return _add_product(input, mat1, mat2, beta, alpha, "addmm", "Addmm")
register(addmm, method=True, inplace=True)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * (mat @ vec), mat (n, m), vec (m,), input broadcast to (n,)."""
    _tensors(mat, vec, "addmv")
    _tensors(input, mat, "addmv")
    a, v = mat.array.shape, vec.array.shape
    if len(a) != 2 or len(v) != 1:
        raise RuntimeError(f"addmv: vector + matrix @ vector expected, got {input.array.ndim}, "
                           f"{len(a)}, {len(v)}")
    if a[1] != v[0] or input.array.shape not in ((), (1,), (a[0],)):
        raise RuntimeError(f"addmv: size mismatch, got input ({_fmt(input.array.shape)}), mat "
                           f"({_fmt(a)}), vec ({v[0]})")
    return _add_product(input, mat, vec, beta, alpha, "addmv", "Addmv")
register(addmv, method=True, inplace=True)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
            alpha: Any = 1) -> Tensor:
    """beta * input + alpha * bmm(batch1, batch2), input broadcast to (b, n, p)."""
    _tensors(batch1, batch2, "baddbmm")
    _tensors(input, batch1, "baddbmm")
    a, b = batch1.array.shape, batch2.array.shape
    if len(a) != 3 or len(b) != 3:
        raise RuntimeError(f"baddbmm: batch1 and batch2 must be 3D tensors, got {len(a)}D and "
                           f"{len(b)}D")
    if b[:2] != (a[0], a[2]):
        raise RuntimeError(f"baddbmm: Expected size for first two dimensions of batch2 tensor "
                           f"to be: [{a[0]}, {a[2]}] but got: [{b[0]}, {b[1]}].")
    _fits(input, (a[0], a[1], b[2]), "baddbmm")
    return _add_product(input, batch1, batch2, beta, alpha, "baddbmm", "Baddbmm")
register(baddbmm, method=True, inplace=True)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
           alpha: Any = 1) -> Tensor:
    """beta * input + alpha * sum_b batch1[b] @ batch2[b], input broadcast to (n, p).

    The sum of the batch's products is one matrix product: (n, B*m) @ (B*m, p).
    """
    _tensors(batch1, batch2, "addbmm")
    _tensors(input, batch1, "addbmm")
    a, b = batch1.array.shape, batch2.array.shape
    if len(a) != 3 or len(b) != 3:
        raise RuntimeError(f"addbmm: batch1 and batch2 must be 3D tensors, got {len(a)}D and "
                           f"{len(b)}D")
    if a[0] != b[0]:
        raise RuntimeError(f"addbmm: batch1 and batch2 must have same number of batches, got "
                           f"{a[0]} and {b[0]}")
    if a[2] != b[1]:
        raise RuntimeError(f"addbmm: Incompatible matrix sizes for bmm ({a[1]}x{a[2]} and "
                           f"{b[1]}x{b[2]})")
    _fits(input, (a[1], b[2]), "addbmm")
    rows = batch1.permute(1, 0, 2).reshape(a[1], a[0] * a[2])
    cols = batch2.reshape(b[0] * b[1], b[2])
    return _add_product(input, rows, cols, beta, alpha, "addbmm", "Addbmm")
register(addbmm, method=True, inplace=True)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * outer(vec1, vec2), input broadcast to (n, m); dtypes promote."""
    _tensors(vec1, vec2, "addr")
    _tensors(input, vec1, "addr")
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.array.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.array.ndim}-D")
    _fits(input, (vec1.array.shape[0], vec2.array.shape[0]), "addr")
    common = dtypes.promote_types(dtypes.promote_types(input.dtype, vec1.dtype), vec2.dtype)
    input, vec1, vec2 = (cast(t, common) for t in (input, vec1, vec2))
    return _add_product(input, vec1.unsqueeze(1), vec2.unsqueeze(0), beta, alpha, "addr",
                        "Addr")
register(addr, method=True, inplace=True)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """The product of a matrix (n, m) and a vector (m,)."""
    _tensors(input, vec, "mv")
    a, v = input.array.shape, vec.array.shape
    if len(a) != 2 or len(v) != 1:
        raise RuntimeError(f"mv: vector + matrix @ vector expected, got 1, {len(a)}, {len(v)}")
    if a[1] != v[0]:
        raise RuntimeError(f"mv: size mismatch, got input ({a[0]}), mat ({_fmt(a)}), vec "
                           f"({v[0]})")
    _same_dtype(input, vec, "mv")
    return Matmul.apply(input, vec)
register(mv, method=True)


def inner(input: Tensor, other: Tensor) -> Tensor:
    """Sum over the last dims: out[i..., j...] = sum_k input[i..., k] * other[j..., k]."""
    _tensors(input, other, "inner")
    a, b = input.array.shape, other.array.shape
    if not a or not b:  # a 0-d operand scales the other
        return input * other
    if input.array.dtype != other.array.dtype:
        raise RuntimeError("inner: both inputs should have same dtype, but got "
                           f"{_tname(input.array)} and {_tname(other.array)}")
    if a[-1] != b[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(a)} and {list(b)}")
    rows = input.reshape(-1, a[-1])
    cols = other.reshape(-1, b[-1]).transpose(0, 1)
    return matmul(rows, cols).reshape(a[:-1] + b[:-1])
register(inner, method=True)


class Cross(Function):
    """y = a x b (along dim, of size 3);  a: b x grad,  b: grad x a  (summed over broadcast)."""

    @staticmethod
    def forward(ctx, a, b, axis):
        ctx.axis = axis
        ctx.save_for_backward(a, b)
        shape = np.broadcast_shapes(a.shape, b.shape)
        return np.cross(np.broadcast_to(a, shape), np.broadcast_to(b, shape), axis=axis)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = unbroadcast(_cross3(np.broadcast_to(b, grad.shape), grad, ctx.axis), a.shape)
        if ctx.needs_input_grad[1]:
            gb = unbroadcast(_cross3(grad, np.broadcast_to(a, grad.shape), ctx.axis), b.shape)
        return ga, gb, None

    def name(self) -> str:
        return "LinalgCrossBackward0"


def _cross3(a: np.ndarray, b: np.ndarray, axis: int) -> np.ndarray:
    """np.cross(a, b, axis=axis) written with indexing, products and a stack, so that it is
    recorded under create_graph=True; the same products and differences as np.cross's."""
    lead = (slice(None),) * axis
    x, y = [a[lead + (i,)] for i in range(3)], [b[lead + (i,)] for i in range(3)]
    return np.stack([x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2],
                     x[0] * y[1] - x[1] * y[0]], axis=axis)


def _cross(input: Tensor, other: Tensor, dim: int, op: str) -> Tensor:
    if input.array.dtype != other.array.dtype:
        raise RuntimeError(f"{op}: expected scalar type {_tname(input.array)} but found "
                           f"{_tname(other.array)}")
    if input.array.ndim != other.array.ndim:
        raise RuntimeError(f"{op}: inputs must have the same number of dimensions.")
    shape = broadcast_shapes(input.array.shape, other.array.shape, op)
    axis = normalize_dim(dim, len(shape), op)
    if input.array.shape[axis] != 3 or other.array.shape[axis] != 3:
        raise RuntimeError(f"{op}: inputs dimension {dim} must have length 3. Got "
                           f"{input.array.shape[axis]} and {other.array.shape[axis]}")
    return Cross.apply(input, other, axis)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """torch.cross: the cross product along `dim`; dim=None takes the first dim of size 3
    (torch's deprecated default; linalg.cross's default is -1)."""
    _tensors(input, other, "cross")
    if dim is None:
        shape = np.broadcast_shapes(input.array.shape, other.array.shape)
        sizes3 = [i for i, n in enumerate(shape) if n == 3]
        if not sizes3:
            raise RuntimeError("cross: no dimension of size 3 in input")
        dim = sizes3[0]
    return _cross(input, other, dim, "cross")
register(cross, method=True)


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """torch.linalg.cross: the cross product along `dim` (default -1), operands broadcast."""
    _tensors(input, other, "linalg.cross")
    return _cross(input, other, dim, "linalg.cross")
register(linalg_cross, name="linalg.cross", function=False)


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: out[i*q + k, ...] = input[i, ...] * other[k, ...]."""
    _tensors(input, other, "kron")
    a, b = input.array.shape, other.array.shape
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    # Interleave the dims, (a0, 1, a1, 1 ...) * (1, b0, 1, b1 ...), then merge the pairs.
    left = input.reshape(tuple(x for s in a for x in (s, 1)))
    right = other.reshape(tuple(x for s in b for x in (1, s)))
    return (left * right).reshape(tuple(p * q for p, q in zip(a, b)))
register(kron, method=True)


class Trace(Function):
    """y = sum_i x[i, i];  x: grad * I."""

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        out_dtype = np.int64 if x.dtype.kind in "iu" else x.dtype
        return np.asarray(np.trace(x, dtype=out_dtype))

    @staticmethod
    def backward(ctx, grad):
        return np.eye(*ctx.shape, dtype=grad.dtype) * grad


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a matrix (ints sum to int64)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"trace(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.array.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim "
                           f"{input.array.ndim}")
    if input.array.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return Trace.apply(input)
register(trace, method=True)


# -- inv, det, slogdet, solve ----------------------------------------------------------------
class Inv(Function):
    """y = inv(A);  A: -y^T @ grad @ y^T  (d(A^-1) = -A^-1 dA A^-1, Giles 2008 sec. 2.2.1)."""

    @staticmethod
    def forward(ctx, a, op):
        y = _inverse(a, op)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        yT = _mT(y)
        return -(yT @ grad @ yT), None

    def name(self) -> str:
        return "LinalgInvExBackward0"


def linalg_inv(A: Tensor) -> Tensor:
    """The inverse of each square matrix of A; a singular matrix raises LinAlgError."""
    _matrix(A, "linalg.inv")
    return Inv.apply(A, "linalg.inv")
register(linalg_inv, name="linalg.inv", function=False)


def inverse(input: Tensor) -> Tensor:
    """torch.inverse: linalg.inv under its older name."""
    _matrix(input, "inverse")
    return Inv.apply(input, "inverse")
register(inverse, method=True)


class Det(Function):
    """y = det(A);  A: grad * y * inv(A)^T  (Jacobi's formula, Giles 2008 sec. 2.2.4).

    At an exactly singular A, y = 0 and torch's LU solve of a zero right-hand side gives a
    zero gradient (not the adjugate); we give the same zeros. Under create_graph=True torch
    takes the adjugate from the SVD wherever |det| < 100 eps, and so do we.
    """

    @staticmethod
    def forward(ctx, a):
        y = np.asarray(np.linalg.det(a), dtype=a.dtype)
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        a, y = ctx.saved
        if type(a) is TracedArray and (np.abs(y) < 100 * np.finfo(a.dtype).eps).any():
            return _det_backward_from_svd(a, grad)  # create_graph at a singular A: as torch
        return (grad * y)[..., None, None] * _mT(_inverse_or_zero(a))

    def name(self) -> str:
        return "LinalgDetBackward0"


def _det_backward_from_svd(a: Any, grad: Any) -> Any:
    """grad * adj(A)^T without an inverse, as torch's linalg_det_backward computes it for a
    (near) singular A under create_graph: U diag(alpha grad prod_{j != i} S_j) Vh, with
    A = U diag(S) Vh and alpha = det(U) det(Vh)."""
    u, s, vh = (traced(t) for t in _svd(a.tensor, False))
    alpha = np.linalg.det(u) * np.linalg.det(vh)
    n = s.shape[-1]
    columns = [s[..., j] for j in range(n)]
    others = []  # prod_{j != i} S_j, with no division (S has zeros)
    for i in range(n):
        product = np.ones(s.shape[:-1], s.dtype)
        for j in range(n):
            if j != i:
                product = product * columns[j]
        others.append(product)
    d = (alpha * grad)[..., None] * np.stack(others, axis=-1)
    return (u * d[..., None, :]) @ vh


def det(A: Tensor) -> Tensor:
    """The determinant of each square matrix of A (torch.det and torch.linalg.det)."""
    _matrix(A, "linalg.det")
    return Det.apply(A)
register(det, method=True)
register(det, name="linalg.det", function=False)


def logdet(input: Tensor) -> Tensor:
    """log(det(A)): nan for a negative determinant, -inf for a singular A (as torch)."""
    _matrix(input, "logdet")
    from minitorch.ops.indexing import where

    sign, logabs = _slogdet(input)
    return where(sign == -1, math.nan, logabs)  # torch's rule: nan, with a zero gradient
register(logdet, method=True)


class Slogdet(Function):
    """(sign, logabsdet) = slogdet(A);  A: grad_logabsdet * inv(A)^T  (Giles 2008 sec. 2.2.4);
    sign: no derivative (a zero gradient, as torch's real case).

    At an exactly singular A, torch's gradient is +-inf (its LU solve divides by a zero
    pivot); we give grad * cofactor(A) / det(A), which is the same +-inf where the cofactor
    is nonzero.
    """

    @staticmethod
    def forward(ctx, a, which, parts):
        ctx.which = which
        ctx.save_for_backward(a)
        return parts[which]

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved
        if ctx.which == 0:
            return np.zeros_like(a), None, None
        try:
            invT = _mT(np.linalg.inv(a))
        except np.linalg.LinAlgError:
            invT = _mT(_cofactor_over_det(a))
        return grad[..., None, None] * invT, None, None

    def name(self) -> str:
        return "LinalgSlogdetBackward0"


def _cofactor_over_det(a: np.ndarray) -> np.ndarray:
    """adj(A) / det(A) per matrix (inv where it exists; +-inf or nan where det = 0)."""
    flat = a.reshape((-1,) + a.shape[-2:])
    out = np.empty_like(flat)
    for i, m in enumerate(flat):
        u, s, vh = np.linalg.svd(m)
        others = np.array([np.prod(np.delete(s, k)) for k in range(len(s))], dtype=m.dtype)
        adj = np.linalg.det(u) * np.linalg.det(vh) * (_mT(vh) * others) @ u.T
        out[i] = adj / np.linalg.det(m)
    return out.reshape(a.shape)


def _slogdet(A: Tensor) -> tuple[Tensor, Tensor]:
    sign, logabs = np.linalg.slogdet(A.array)
    dt = A.array.dtype
    parts = (np.asarray(sign, dt), np.asarray(logabs, dt))
    return Slogdet.apply(A, 0, parts), Slogdet.apply(A, 1, parts)


def linalg_slogdet(A: Tensor) -> Any:
    """(sign, logabsdet) of each square matrix: det = sign * exp(logabsdet)."""
    _matrix(A, "linalg.slogdet")
    return SlogdetResult(*_slogdet(A))
register(linalg_slogdet, name="linalg.slogdet", function=False)


def slogdet(input: Tensor) -> Any:
    """torch.slogdet: linalg.slogdet (a torch.return_types.slogdet)."""
    _matrix(input, "linalg.slogdet")
    return SlogdetTorchResult(*_slogdet(input))
register(slogdet, method=True)


class Solve(Function):
    """X = A^-1 B;  B: A^-T grad,  A: -(A^-T grad) X^T  (Giles 2008 sec. 2.3.1), each summed
    over the batch dims it was broadcast along."""

    @staticmethod
    def forward(ctx, a, b, batch):
        a_full = np.broadcast_to(a, batch + a.shape[-2:])
        b_full = np.broadcast_to(b, batch + b.shape[-2:])
        try:
            x = np.linalg.solve(a_full, b_full)
        except np.linalg.LinAlgError:
            where, _ = _first_failure(a_full, np.linalg.inv)
            raise LinAlgError(f"torch.linalg.solve: {_where(where)}The solver failed because "
                              "the input matrix is singular.") from None
        ctx.save_for_backward(a, x)
        ctx.shapes = a.shape, b.shape
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved
        gb = np.linalg.solve(_mT(a), grad)  # (solve broadcasts A over grad's batch dims)
        ga = -gb @ _mT(x) if ctx.needs_input_grad[0] else None
        ga = None if ga is None else unbroadcast(ga, ctx.shapes[0])
        return ga, unbroadcast(gb, ctx.shapes[1]), None

    def name(self) -> str:
        return "LinalgSolveExBackward0"


def linalg_solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (left=False: X A = B); B may be a vector (or a batch of vectors)."""
    _matrix(A, "linalg.solve")
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.solve(): argument 'B' must be Tensor, not {type(B).__name__}")
    if A.array.dtype != B.array.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {_tname(A.array)} and B of type {_tname(B.array)} instead")
    a, b = A.array.shape, B.array.shape
    vector = len(b) == 1 or (len(b) == len(a) - 1 and b == a[:-1])
    if not left:
        if vector:
            raise RuntimeError("linalg.solve: Vector broadcasting of the left hand side is not "
                               "supported for left=False. In this case linalg.solve is "
                               "equivalent to B / A.squeeze(-1)")
        return linalg_solve(A.transpose(-2, -1), B.transpose(-2, -1)).transpose(-2, -1)
    Bm = B.unsqueeze(-1) if vector else B
    bm = Bm.array.shape
    if bm[-2] != a[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"AX = B ({a[-2]}x{a[-1]} and {bm[-2]}x{bm[-1]})")
    batch = broadcast_shapes(a[:-2], bm[:-2], "linalg.solve")
    X = Solve.apply(A, Bm, batch)
    return X.squeeze(-1) if vector else X
register(linalg_solve, name="linalg.solve", function=False)


# -- cholesky, qr, eigh, svd -----------------------------------------------------------------
class Cholesky(Function):
    """L = cholesky(A), A = L L^T;  A: L^-T Phi(L^T grad) L^-1, Phi(X) = (tril(X) +
    tril(X, -1)^T) / 2 (Murray 2016, "Differentiation of the Cholesky decomposition"; upper:
    the same with U^T for L).

    Only A's lower triangle is read, as by LAPACK's potrf in torch.
    """

    @staticmethod
    def forward(ctx, a, upper):
        try:
            low = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            where, m = _first_failure(a, np.linalg.cholesky)
            order = next(k for k in range(1, m.shape[-1] + 1)
                         if not _is_pd(m[:k, :k]))
            raise LinAlgError(f"linalg.cholesky: {_where(where)}The factorization could not be "
                              "completed because the input is not positive-definite (the "
                              f"leading minor of order {order} is not positive-definite).") \
                from None
        ctx.upper = upper
        y = _mT(low).copy() if upper else low
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        low = _mT(y) if ctx.upper else y
        g = _mT(grad) if ctx.upper else grad
        phi = np.tril(_mT(low) @ g)
        phi = (phi + _mT(np.tril(phi, -1))) * 0.5
        inv_low = np.linalg.inv(low)
        return _mT(inv_low) @ phi @ inv_low, None

    def name(self) -> str:
        return "LinalgCholeskyExBackward0"


def _is_pd(m: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(m)
        return True
    except np.linalg.LinAlgError:
        return False


def linalg_cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """L (lower) with A = L L^T for symmetric positive-definite A; upper=True gives L^T."""
    _matrix(A, "linalg.cholesky")
    return Cholesky.apply(A, bool(upper))
register(linalg_cholesky, name="linalg.cholesky", function=False)


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky (deprecated in torch for linalg.cholesky, same result)."""
    _matrix(input, "cholesky")
    return Cholesky.apply(input, bool(upper))
register(cholesky, method=True)


class _Factorization(Function):
    """What svd, eigh and qr share: one node per output (see the banner), so a node's other
    factors are neither its input nor its output. They ride in `saved` inside a tuple, and
    first-order backward reads them as they are. Under create_graph=True backward gets A
    instead (a TracedArray on A's edge) and factorizes it again with the minitorch op, so
    that the factors are recorded functions of A (with the same values): see _factors.

    Like torch, which saves only the factors, first order does not mind A written in place
    after the factorization: A is saved but not watched (watch_when), and only the
    create_graph path, which reads it, checks the version of A's memory (input_at, set by
    _noting_input; a weak reference, so that no node holds a tensor that may lead back to it).
    """

    watch_when = ((),)
    input_at: tuple | None = None


def _noting_input(A: Tensor, outputs: Any) -> Any:
    """Each output's node notes the version of A's memory, for _factors' check."""
    memory = A if A._owner is None else A._owner  # a view counts its base's versions
    mark = (weakref.ref(memory), memory._version)
    for t in outputs:
        if isinstance(t, Tensor) and isinstance(t.grad_fn, _Factorization):
            t.grad_fn.input_at = mark
    return outputs


def _factors(ctx: Any, a: Any, parts: tuple, factorize: Any) -> tuple:
    """The factors a factorization's backward needs: forward's own on the first-order path,
    A factorized again (recorded) under create_graph=True (see _Factorization)."""
    if type(a) is not TracedArray:
        return parts
    memory, version = ctx.input_at or (lambda: None, 0)
    source = memory()
    if source is not None and source._version != version:  # (gone: nothing can write it)
        raise RuntimeError(
            f"one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: {ctx.name()}'s input (its memory, a tensor of shape "
            f"{tuple(source.shape)}) is at version {source._version}; expected version "
            f"{version} instead (under "
            "create_graph=True the factorization is computed again from its input)."
        )
    return tuple(traced(t) for t in factorize(a.tensor))


class QR(_Factorization):
    """A = Q R;  A: (Q copyltu(M) + gQ) R^-T with M = R gR^T - gQ^T Q for m >= n (copyltu:
    the lower triangle mirrored up; Walter & Lehmann 2018, "Algorithmic differentiation of
    linear algebra functions", and torch's linalg_qr_backward); for m < n the square block
    R[:, :m] takes the solve and Q gR is added.

    mode='r' has no Q and so no derivative; mode='complete' with m > n neither: both raise in
    backward, as in torch.
    """

    @staticmethod
    def forward(ctx, a, which, parts, mode):
        ctx.which, ctx.mode = which, mode
        ctx.save_for_backward(a, parts)
        return parts[which]

    @staticmethod
    def backward(ctx, grad):
        a, (q, r) = ctx.saved
        if ctx.mode == "r":
            raise RuntimeError("linalg.qr: The derivative of linalg.qr depends on Q, which is "
                               "not computed when mode='r'. Please use linalg.qr(A, "
                               "mode='reduced') if you are going to differentiate through "
                               "linalg.qr.")
        m, n = q.shape[-2], r.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("linalg.qr: The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        q, r = _factors(ctx, a, (q, r), lambda t: _qr(t, ctx.mode, "linalg.qr"))
        gq, gr = (grad, None) if ctx.which == 0 else (None, grad)
        ga = -(_mT(q) @ gq) if gq is not None else gr @ _mT(r)
        if m >= n:
            sym = np.triu(ga)
            sym = sym + _mT(sym)
            sym = sym - _diag_embed(np.diagonal(sym, 0, -2, -1) * 0.5)
            ga = q @ sym
            if gq is not None:
                ga = ga + gq
            return _mT(np.linalg.solve(r, _mT(ga))), None, None, None  # ga @ R^-T
        x = -ga
        skew = np.tril(x - _mT(x))
        ga = _mT(np.linalg.solve(r[..., :m], _mT(q @ skew)))
        ga = np.concatenate([ga, np.zeros(ga.shape[:-1] + (n - m,), ga.dtype)], axis=-1)
        if gr is not None:
            ga = ga + q @ gr
        return ga, None, None, None

    def name(self) -> str:
        return "LinalgQrBackward0"


def _diag_embed(d: np.ndarray) -> np.ndarray:
    return d[..., :, None] * np.eye(d.shape[-1], dtype=d.dtype)


def _qr(A: Tensor, mode: str, op: str) -> tuple[Tensor, Tensor]:
    _matrix(A, op, square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    a = A.array
    if mode == "r":
        r = np.linalg.qr(a, mode="r")
        parts = (np.zeros((0,), a.dtype), np.asarray(r, a.dtype))
        q = Tensor._make(parts[0], False, None)
        return q, _noting_input(A, (QR.apply(A, 1, parts, mode),))[0]
    q, r = np.linalg.qr(a, mode=mode)
    parts = (np.asarray(q, a.dtype), np.asarray(r, a.dtype))
    return _noting_input(A, (QR.apply(A, 0, parts, mode), QR.apply(A, 1, parts, mode)))


def linalg_qr(A: Tensor, mode: str = "reduced") -> Any:
    """(Q, R) with A = Q R, Q orthonormal columns, R upper triangular (LAPACK's signs)."""
    return QRResult(*_qr(A, mode, "linalg.qr"))
register(linalg_qr, name="linalg.qr", function=False)


def qr(input: Tensor, some: bool = True) -> Any:
    """torch.qr: linalg.qr with some=True as mode='reduced', False as 'complete'."""
    return QRTorchResult(*_qr(input, "reduced" if some else "complete", "linalg.qr"))
register(qr, method=True)


class Eigh(_Factorization):
    """(L, V) = eigh(A), A = V diag(L) V^T;  A: V (diag(gL) + skew(V^T gV) / E) V^T with
    skew(X) = (X - X^T) / 2 and E_ij = L_j - L_i (Giles 2008 sec. 3.1; torch's
    linalg_eig_backward). Repeated eigenvalues divide by zero (inf or nan), as in torch.
    """

    @staticmethod
    def forward(ctx, a, which, parts, uplo):
        ctx.which, ctx.uplo = which, uplo
        ctx.save_for_backward(a, parts)
        return parts[which]

    @staticmethod
    def backward(ctx, grad):
        a, parts = ctx.saved
        lam, v = _factors(ctx, a, parts, lambda t: linalg_eigh(t, ctx.uplo))
        if ctx.which == 0:
            return (v * grad[..., None, :]) @ _mT(v), None, None
        vgv = _mT(v) @ grad
        vgv = (vgv - _mT(vgv)) * 0.5
        e = lam[..., None, :] - lam[..., :, None] + np.eye(lam.shape[-1], dtype=lam.dtype)
        return v @ (vgv / e) @ _mT(v), None, None

    def name(self) -> str:
        return "LinalgEighBackward0"


def linalg_eigh(A: Tensor, UPLO: str = "L") -> Any:
    """(eigenvalues ascending, eigenvectors as columns) of symmetric A, from its UPLO triangle."""
    _matrix(A, "linalg.eigh", floating=False)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"linalg.eigh: Expected UPLO argument to be 'L' or 'U', but got "
                           f"{UPLO}")
    lam, v = np.linalg.eigh(A.array, UPLO=UPLO)
    parts = (np.asarray(lam, A.array.dtype), np.asarray(v, A.array.dtype))
    return EighResult(*_noting_input(A, (Eigh.apply(A, 0, parts, UPLO),
                                         Eigh.apply(A, 1, parts, UPLO))))
register(linalg_eigh, name="linalg.eigh", function=False)


def linalg_eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of symmetric A, ascending (differentiable through eigh's L part)."""
    if A.requires_grad and _GradMode.enabled:  # the backward needs the eigenvectors
        return linalg_eigh(A, UPLO)[0]
    # No gradient: the values alone (LAPACK without vectors, as torch does then), about a
    # third of eigh's time at 1024 x 1024
    _matrix(A, "linalg.eigh", floating=False)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"linalg.eigh: Expected UPLO argument to be 'L' or 'U', but got "
                           f"{UPLO}")
    lam = np.linalg.eigvalsh(A.array, UPLO=UPLO)
    return Tensor._make(np.asarray(lam, A.array.dtype), False, None)
register(linalg_eigvalsh, name="linalg.eigvalsh", function=False)


class SVD(_Factorization):
    """A = U diag(S) Vh;  A: U (diag(gS) + (J S + S K) / E) Vh + the parts of gU, gVh outside
    span(U), span(V): with J = U^T gU - gU^T U, K = Vh gVh^T - gVh Vh^T, E_ij = S_j^2 - S_i^2
    (Townsend 2016, "Differentiating the singular value decomposition"; torch's svd_backward).

    full_matrices=True: the extra columns of U and rows of Vh carry no information about A
    and their gradients are dropped, as in torch. Repeated singular values divide by zero.
    """

    @staticmethod
    def forward(ctx, a, which, parts, full_matrices):
        ctx.which, ctx.full_matrices = which, full_matrices
        ctx.save_for_backward(a, parts)
        return parts[which]

    @staticmethod
    def backward(ctx, grad):
        a, parts = ctx.saved
        u, s, vh = _factors(ctx, a, parts, lambda t: _svd(t, ctx.full_matrices))
        k = s.shape[-1]
        u, vh = u[..., :k], vh[..., :k, :]
        m, n = u.shape[-2], vh.shape[-1]
        if ctx.which == 1:
            return (u * grad[..., None, :]) @ vh, None, None
        e = s[..., None, :] ** 2 - s[..., :, None] ** 2 + np.eye(k, dtype=s.dtype)
        if ctx.which == 0:
            gu = grad[..., :k]
            j = _mT(u) @ gu
            ga = ((j - _mT(j)) / e) * s[..., None, :]
            if m > n:
                ga = u @ ga
                gus = gu / s[..., None, :]
                return (ga + gus - u @ (_mT(u) @ gus)) @ vh, None, None
            return u @ ga @ vh, None, None
        gvh = grad[..., :k, :]
        kk = vh @ _mT(gvh)
        ga = s[..., :, None] * ((kk - _mT(kk)) / e)
        if m < n:
            ga = ga @ vh
            sgv = gvh / s[..., :, None]
            return u @ (ga + sgv - (sgv @ _mT(vh)) @ vh), None, None
        return u @ ga @ vh, None, None

    def name(self) -> str:
        return "LinalgSvdBackward0"


def _svd(A: Tensor, full_matrices: bool) -> tuple[Tensor, Tensor, Tensor]:
    a = A.array
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    parts = tuple(np.asarray(p, a.dtype) for p in (u, s, vh))
    return _noting_input(A, tuple(SVD.apply(A, i, parts, full_matrices) for i in range(3)))


def linalg_svd(A: Tensor, full_matrices: bool = True, *, driver: Any = None) -> Any:
    """(U, S, Vh) with A = U diag(S) Vh, S descending (U and V up to a sign per column)."""
    _matrix(A, "linalg.svd", square=False)
    _no_driver(driver)
    return SVDResult(*_svd(A, full_matrices))


def _no_driver(driver: Any) -> None:
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on "
                           "CUDA inputs with cuSOLVER backend.")
register(linalg_svd, name="linalg.svd", function=False)


def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:
    """torch.svd: (U, S, V) with V = Vh^T; compute_uv=False gives zero U and V."""
    _matrix(input, "linalg.svd", square=False)
    if not compute_uv:  # zero U (m, m) and V (n, n), whatever `some` says, as in torch
        s = linalg_svdvals(input)
        m, n = input.array.shape[-2:]
        batch, z = input.array.shape[:-2], input.array.dtype
        return SVDTorchResult(Tensor._make(np.zeros(batch + (m, m), z), False, None), s,
                              Tensor._make(np.zeros(batch + (n, n), z), False, None))
    u, s, vh = _svd(input, not some)
    return SVDTorchResult(u, s, vh.transpose(-2, -1))
register(svd, method=True)


class SvdVals(_Factorization):
    """S = svdvals(A);  A: U diag(grad) Vh  (dS_i = u_i^T dA v_i, Townsend 2016)."""

    @staticmethod
    def forward(ctx, a, need_uv):
        if not need_uv:
            return np.asarray(np.linalg.svd(a, compute_uv=False), a.dtype)
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        ctx.save_for_backward(a, (u.astype(a.dtype), s, vh.astype(a.dtype)))
        return np.asarray(s, a.dtype)

    @staticmethod
    def backward(ctx, grad):
        a, parts = ctx.saved
        u, _, vh = _factors(ctx, a, parts, lambda t: _svd(t, False))
        return (u * grad[..., None, :]) @ vh, None

    def name(self) -> str:
        return "LinalgSvdBackward0"


def linalg_svdvals(A: Tensor, *, driver: Any = None) -> Tensor:
    """The singular values of A, descending."""
    _matrix(A, "linalg.svd", square=False)
    _no_driver(driver)
    need_uv = A.requires_grad and _GradMode.enabled
    return _noting_input(A, (SvdVals.apply(A, need_uv),))[0]
register(linalg_svdvals, name="linalg.svdvals", function=False)


# -- pinv, matrix_power ----------------------------------------------------------------------
class Pinv(Function):
    """y = pinv(A);  A: -(y K)^T + K y^T - A y K y^T + y^T y (grad^T - K A) with
    K = grad^T y, for m <= n (the transposed formula for m > n; Golub & Pereyra 1973, "The
    differentiation of pseudo-inverses", as torch's pinv_backward writes it)."""

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        if hermitian:
            lam, v = np.linalg.eigh(a)
            cut = _cutoff(np.abs(lam), atol, rtol)
            keep = np.abs(lam) > cut
            inv = np.where(keep, 1 / np.where(keep, lam, 1), 0).astype(a.dtype)
            y = (v * inv[..., None, :]) @ _mT(v)
        else:
            u, s, vh = np.linalg.svd(a, full_matrices=False)
            cut = _cutoff(s, atol, rtol)
            keep = s > cut
            inv = np.where(keep, 1 / np.where(keep, s, 1), 0).astype(a.dtype)
            y = (_mT(vh) * inv[..., None, :]) @ _mT(u)
        y = np.asarray(y, a.dtype)
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        a, p = ctx.saved
        m, n = a.shape[-2:]
        pT, gT = _mT(p), _mT(grad)
        if m <= n:
            k = gT @ p
            kpT = k @ pT
            ga = -_mT(p @ k) + kpT - (a @ p) @ kpT + (pT @ p) @ (gT - k @ a)
        else:
            k = p @ gT
            pTk = pT @ k
            ga = -_mT(k @ p) + (gT - a @ k) @ p @ pT + pTk - pTk @ p @ a
        return ga, None, None, None

    def name(self) -> str:
        return "LinalgPinvBackward0"


def _cutoff(s: np.ndarray, atol: float | None, rtol: float | None) -> np.ndarray:
    """torch's threshold: max(atol, rtol * largest), per matrix (keep values above it)."""
    top = s.max(axis=-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,))
    return np.maximum(atol or 0.0, rtol * top)


def _pinv(A: Tensor, atol: Any, rtol: Any, hermitian: bool, op: str) -> Tensor:
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(A).__name__}")
    if A.array.ndim < 2 or A.array.dtype.kind != "f":
        raise RuntimeError(f"{op}({_tname(A.array)}{list(A.array.shape)}): expected a tensor "
                           "with 2 or more dimensions of float, double, cfloat or cdouble types")
    if hermitian:
        _matrix(A, op)
    m, n = A.array.shape[-2:]
    if rtol is None:
        rtol = float(np.finfo(A.array.dtype).eps) * max(m, n) if not atol else 0.0
    return Pinv.apply(A, None if atol is None else float(atol), float(rtol), bool(hermitian))


def linalg_pinv(A: Tensor, rcond: Any = None, hermitian: bool = False, *, atol: Any = None,
                rtol: Any = None) -> Tensor:
    """The Moore-Penrose pseudo-inverse: singular values at most max(atol, rtol * largest)
    count as zero (rtol defaults to eps * max(m, n) when atol is not given)."""
    if rcond is not None:
        rtol = rcond
    return _pinv(A, atol, rtol, hermitian, "linalg.pinv")
register(linalg_pinv, name="linalg.pinv", function=False)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """torch.pinverse: linalg.pinv with rtol=rcond."""
    return _pinv(input, None, rcond, False, "linalg.pinv")
register(pinverse, method=True)


def matrix_power(input: Tensor, n: int) -> Tensor:
    """A^n for an integer n by repeated squaring (n < 0: inv(A)^-n; n = 0: the identity)."""
    op = "linalg.matrix_power"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'A' must be Tensor, not {type(input).__name__}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{op}(): argument 'n' must be int, not {type(n).__name__}")
    shape = input.array.shape
    if len(shape) < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if shape[-1] != shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are "
                           f"{shape[-2]} by {shape[-1]} matrices")
    if n == 0:  # the identity, still attached to A's graph with a zero gradient (as torch)
        from minitorch.ops.indexing import where

        eye = np.broadcast_to(np.eye(shape[-1], dtype=input.array.dtype), shape)
        everywhere = Tensor._make(np.ones(shape, np.bool_), False, None)
        return where(everywhere, Tensor._make(np.array(eye), False, None), input)
    base = input
    if n < 0:
        _matrix(input, "linalg.inv")
        base = Inv.apply(input, op)
    n, result = abs(int(n)), None
    while n:
        if n & 1:
            result = base.clone() if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result
register(matrix_power, method=True)
register(matrix_power, name="linalg.matrix_power", function=False)


# -- norms -----------------------------------------------------------------------------------
def linalg_vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                       dtype: Any = None) -> Tensor:
    """(sum |x|^ord)^(1/ord) over dim (all of x when None): torch.norm's vector case."""
    from minitorch.ops.reduction import norm

    if isinstance(ord, (str, bool)) or not isinstance(ord, (int, float, np.number)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not "
                        f"{type(ord).__name__}")
    if not isinstance(x, Tensor):
        raise TypeError(f"linalg_vector_norm(): argument 'input' must be Tensor, not "
                        f"{type(x).__name__}")
    return norm(x, ord, dim, keepdim, dtype)
register(linalg_vector_norm, name="linalg.vector_norm", function=False)


def linalg_matrix_norm(A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False,
                       *, dtype: Any = None) -> Tensor:
    """'fro', 'nuc' (sum of singular values), 2 / -2 (largest / smallest singular value),
    1 / -1 (max / min column sum of |A|), inf / -inf (max / min row sum) over the 2 dims."""
    op = "linalg.matrix_norm"
    _matrix(A, op, square=False)
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {dim}")
    d0, d1 = (normalize_dim(d, A.array.ndim, op) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different. Got ({dim[0]}, {dim[1]})")
    if dtype is not None:
        A = A.to(dtype)
    if ord == "fro":
        return linalg_vector_norm(A, 2, (d0, d1), keepdim)
    if ord == "nuc" or ord in (2, -2):
        moved = A.movedim((d0, d1), (-2, -1)) if (d0, d1) != (A.ndim - 2, A.ndim - 1) else A
        s = linalg_svdvals(moved)
        out = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
        if keepdim:
            out = out.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1))
        return out
    if ord in (1, -1, math.inf, -math.inf):
        if abs(ord) == math.inf:
            d0, d1 = d1, d0
        sums = linalg_vector_norm(A, 1, d0, True)
        out = sums.amax(d1, True) if ord > 0 else sums.amin(d1, True)
        return out if keepdim else out.squeeze((d0, d1))
    raise RuntimeError(f"{op}: Order {ord} not supported.")
register(linalg_matrix_norm, name="linalg.matrix_norm", function=False)


def linalg_norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """A vector norm or a matrix norm, chosen by dim (1 or 2 dims) and ord, as in torch."""
    op = "linalg.norm"
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(A).__name__}")
    if dim is not None:
        dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
        if len(dims) not in (1, 2):
            raise RuntimeError(f"{op}: If dim is specified, it must be of length 1 or 2. Got "
                               f"{list(dims)}")
    else:
        dims = None
    if ord is None:
        if dims is not None and len(dims) == 2:
            return linalg_matrix_norm(A, "fro", dims, keepdim, dtype=dtype)
        return linalg_vector_norm(A, 2, dims, keepdim, dtype=dtype)
    if dims is None:
        if A.array.ndim not in (1, 2):
            raise RuntimeError(f"{op}: If dim is not specified but ord is, the input must be "
                               f"1D or 2D. Got {A.array.ndim}D.")
        dims = tuple(range(A.array.ndim))
    if len(dims) == 2:
        return linalg_matrix_norm(A, ord, dims, keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dims[0]}")
    return linalg_vector_norm(A, ord, dims, keepdim, dtype=dtype)
register(linalg_norm, name="linalg.norm", function=False)


def nuclear_norm(input: Tensor, dim: Any = None, keepdim: bool = False, *,
                 dtype: Any = None) -> Tensor:
    """torch.nuclear_norm: the sum of the singular values over dim (the last two dims)."""
    if isinstance(dim, bool):  # the nuclear_norm(input, keepdim) overload
        dim, keepdim = None, dim
    if dim is None:  # the last two dims (a batch of matrices is fine)
        dim = (-2, -1)
    return linalg_matrix_norm(input, "nuc", dim, keepdim, dtype=dtype)
register(nuclear_norm)


def norm_nuc(input: Tensor, dim: Any, keepdim: bool, dtype: Any) -> Tensor:
    """torch.norm(p='nuc'): matrix_norm 'nuc' over dim, or over every dim when dim is None."""
    dims = tuple(range(input.array.ndim)) if dim is None else dim
    return linalg_matrix_norm(input, "nuc", dims, keepdim, dtype=dtype)


reduction.MATRIX_NORMS["nuc"] = lambda input, p, dims, keepdim, dtype=None: norm_nuc(
    input, dims, keepdim, dtype)  # torch.norm(p='nuc') (ops/reduction.py) hands over here
