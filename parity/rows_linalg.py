"""Op-table rows for linear algebra (minitorch/ops/linalg.py, minitorch/linalg.py).

addmm and friends compare values and gradients directly. The factorizations run LAPACK in
both engines on well-conditioned matrices (diagonally dominant, or symmetric positive
definite where the op needs it), float32 and float64, single and batched, empty where torch
allows it. Where a factorization is defined only up to signs (the columns of eigh's V, of
svd's U and V), the rows compare what torch documents as unique: the values, |V|, |U|,
|Vh| on the first k vectors (the rest of a full U is arbitrary), which also makes every
gradient gauge-invariant, as torch's own OpInfo tests do. QR's signs come from geqrf in
both engines, so Q and R compare as they are.

The lead wires ROWS into the sweep (op_table.ALL_ROWS).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterator

import numpy as np

from parity.op_table import arr, bad, func, inplace, method
from parity.samples import NUMERIC, np_dtype, random_array
from parity.spec import KnownDifference, OpSpec, Sample

FAMILY = "linalg"
ROWS: list[OpSpec] = []

# No tolerance overrides: on these well-conditioned matrices NumPy's LAPACK and torch's
# agree within the default float32 / float64 tolerances, gradients included.


# Factorizations, inverses and solves: the bench's grown matrices are ill-conditioned.
ILL_CONDITIONED_IN_BENCH = ("inv", "inverse", "det", "slogdet", "logdet", "solve", "pinv",
                            "pinverse", "svd", "eigh", "cholesky", "qr", "svdvals",
                            "matrix_norm", "norm", "matrix_power", "eigvalsh")


def _row(name: str, fn: Callable[..., Any], samples: Any, **kw: Any) -> OpSpec:
    base = name.split("(")[0].removeprefix("linalg.")
    if base in ILL_CONDITIONED_IN_BENCH:
        kw.setdefault("bench_check", "shape")
    if base == "slogdet":  # the bench backpropagates the first float output, the sign, which
        kw.setdefault("bench", False)  # torch does not differentiate (its gradient is None)
    kw.setdefault("covers", (name,))
    spec = OpSpec(name=name, family=FAMILY, fn=fn, samples=samples, **kw)
    ROWS.append(spec)
    return spec


def _tags(i: int) -> frozenset[str]:
    return frozenset({"quick", "gradcheck"}) if i == 0 else frozenset()


# -- matrices ---------------------------------------------------------------------------------
def _general(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """Diagonally dominant: invertible, condition number ~ a few."""
    a = rng.uniform(-1, 1, shape)
    if len(shape) >= 2 and shape[-1] == shape[-2]:
        a = a + shape[-1] * np.eye(shape[-1])
    return a.astype(np_dtype(dtype))


def _spd(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    x = rng.uniform(-1, 1, shape)
    n = shape[-1]
    return (x @ np.swapaxes(x, -1, -2) + n * np.eye(n)).astype(np_dtype(dtype))


def _sym(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """Symmetric with well-separated eigenvalues (distinct: eigh's gradient exists)."""
    n = shape[-1]
    q, _ = np.linalg.qr(rng.standard_normal(shape))
    lam = np.linspace(-2.0, 3.0, n) + rng.uniform(-0.1, 0.1, shape[:-1])
    return ((q * lam[..., None, :]) @ np.swapaxes(q, -1, -2)).astype(np_dtype(dtype))


def _separated(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """A (.., m, n) matrix with distinct singular values (svd's gradient exists)."""
    m, n = shape[-2:]
    k = min(m, n)
    u, _ = np.linalg.qr(rng.standard_normal(shape[:-2] + (m, k)))
    v, _ = np.linalg.qr(rng.standard_normal(shape[:-2] + (n, k)))
    s = np.linspace(3.0, 1.0, k) if k else np.zeros(0)
    return ((u * s[..., None, :]) @ np.swapaxes(v, -1, -2)).astype(np_dtype(dtype))


MakeFn = Callable[[np.random.Generator, tuple[int, ...], str], np.ndarray]


def matrices(shapes: tuple[tuple[int, ...], ...], make: MakeFn = _general,
             kwargs: tuple[dict[str, Any], ...] = ({},), gradcheck: bool = True
             ) -> Callable[..., Iterator[Sample]]:
    """One matrix argument of each shape (made by `make`) with each kwargs.

    gradcheck=False for ops that read one triangle only (cholesky, eigh): central differences
    see no change from the other triangle, while torch's gradient (which we match) is
    symmetric; their "(symmetrized)" rows run the float64 check on (A + A^T) / 2 instead.
    """

    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        i = 0
        for shape in shapes:
            for kw in kwargs:
                tags = _tags(i) if gradcheck else frozenset({"quick"} if i == 0 else ())
                tags |= frozenset({"empty"}) if 0 in shape else frozenset()
                yield Sample((make(rng, shape, dtype),), dict(kw), f"{shape} {kw or ''}".strip(),
                             tags=tags)
                i += 1

    return gen


def operands(shapes: tuple[tuple[tuple[int, ...], ...], ...], make: MakeFn = _general,
             kwargs: tuple[dict[str, Any], ...] = ({},)) -> Callable[..., Iterator[Sample]]:
    """Several arguments: the first made by `make`, the others uniform in [-1, 1)."""

    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        i = 0
        for group in shapes:
            for kw in kwargs:
                first = make(rng, group[0], dtype)
                rest = tuple(random_array(rng, s, dtype) for s in group[1:])
                yield Sample((first,) + rest, dict(kw),
                             " x ".join(str(s) for s in group) + (f" {kw}" if kw else ""),
                             tags=_tags(i))
                i += 1

    return gen


def _plain(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    return random_array(rng, shape, dtype)


F2 = arr(np.ones((2, 3)))
SQ = arr(np.eye(3))
I64 = arr(np.eye(3), np.int64)
SINGULAR = arr([[1.0, 2.0], [2.0, 4.0]])

# -- addmm, addmv, baddbmm --------------------------------------------------------------------
SCALES = ({}, {"beta": 0.5, "alpha": -2.0}, {"beta": 0, "alpha": 1.5})
_row("addmm", func("addmm"), operands((((3, 5), (3, 4), (4, 5)), ((5,), (3, 4), (4, 5)),
                                       ((1, 1), (2, 3), (3, 1)), ((0, 2), (0, 3), (3, 2))),
                                      _plain, SCALES),
     dtypes=NUMERIC, variants={"method": method("addmm"), "addmm_": inplace("addmm_")},
     bad_inputs=(bad(SQ, arr(np.ones(3)), SQ, desc="1-d mat1"),
                 bad(SQ, F2.T.copy(), SQ, desc="(3, 2) @ (3, 3)"),
                 bad(arr(np.ones((4, 3))), SQ, SQ, desc="input (4, 3) for a (3, 3) product"),
                 bad(SQ.astype(np.float64), SQ, SQ, desc="float64 input, float32 mats")),
     covers=("addmm", "addmm_"))
_row("addmv", func("addmv"), operands((((3,), (3, 4), (4,)), ((1,), (2, 3), (3,)),
                                       ((0,), (0, 3), (3,))), _plain, SCALES),
     dtypes=NUMERIC, variants={"method": method("addmv"), "addmv_": inplace("addmv_")},
     bad_inputs=(bad(arr(np.ones(3)), SQ, arr(np.ones(2)), desc="vec (2,) for (3, 3)"),),
     covers=("addmv", "addmv_"))
_row("baddbmm", func("baddbmm"), operands((((2, 3, 5), (2, 3, 4), (2, 4, 5)),
                                           ((3, 5), (2, 3, 4), (2, 4, 5)),
                                           ((0, 2, 2), (0, 2, 3), (0, 3, 2))), _plain, SCALES),
     dtypes=NUMERIC, variants={"method": method("baddbmm"), "baddbmm_": inplace("baddbmm_")},
     bad_inputs=(bad(arr(np.ones((2, 3, 3))), arr(np.ones((2, 3, 3))),
                     arr(np.ones((3, 3, 3))), desc="batch 2 with 3"),),
     covers=("baddbmm", "baddbmm_"))


def _nan_input(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = np.full((2, 2), math.nan, np_dtype(dtype))
    yield Sample((x, random_array(rng, (2, 3), dtype), random_array(rng, (3, 2), dtype)),
                 {"beta": 0}, "NaN input, beta=0 (ignored)", tags=frozenset({"quick"}))


_row("addmm(beta=0, NaN input)", func("addmm"), _nan_input, covers=("addmm",))

# -- mv, inner, cross, kron, trace ------------------------------------------------------------
_row("mv", func("mv"), operands((((3, 4), (4,)), ((1, 1), (1,)), ((0, 3), (3,))), _plain),
     dtypes=NUMERIC, variants={"method": method("mv")},
     bad_inputs=(bad(SQ, arr(np.ones(2)), desc="(3, 3) @ (2,)"), bad(SQ, SQ, desc="2-d vec"),
                 bad(SQ, arr(np.ones(3), np.float64), desc="float32 with float64")))
_row("inner", func("inner"), operands((((3,), (3,)), ((2, 3), (4, 3)), ((2, 1, 3), (3,)),
                                       ((), (2, 3)), ((0, 3), (2, 3))), _plain),
     dtypes=NUMERIC, variants={"method": method("inner")},
     bad_inputs=(bad(F2, arr(np.ones((2, 4))), desc="last dims 3 and 4"),
                 bad(F2, F2.astype(np.float64), desc="float32 with float64")))
_row("cross", func("cross", dim=1), operands((((4, 3), (4, 3)), ((2, 3, 5), (1, 3, 5))),
                                             _plain),
     dtypes=NUMERIC, variants={"method": method("cross", dim=1)},
     bad_inputs=(bad(arr(np.ones((4, 2))), arr(np.ones((4, 2))), dim=1, desc="dim of size 2"),),
     covers=("cross",))
_row("cross(dim=None)", func("cross"), operands((((3, 4), (3, 4)), ((2, 3), (2, 3))), _plain),
     variants={"method": method("cross")},
     bad_inputs=(bad(arr(np.ones((4, 2))), arr(np.ones((4, 2))), desc="no dim of size 3"),),
     covers=("cross",))
_row("linalg.cross", func("linalg.cross"),
     operands((((4, 3), (4, 3)), ((2, 1, 3), (5, 3)), ((0, 3), (1, 3))), _plain),
     dtypes=NUMERIC,
     bad_inputs=(bad(arr(np.ones((4, 2))), arr(np.ones((4, 2))), desc="last dim 2"),
                 bad(arr(np.ones((4, 3))), arr(np.ones((4, 3)), np.float64),
                     desc="float32 with float64")))
_row("kron", func("kron"), operands((((2, 3), (3, 2)), ((2,), (3, 1, 2)), ((2, 2), ()),
                                     ((0, 2), (2, 2))), _plain),
     dtypes=NUMERIC, variants={"method": method("kron")})
_row("trace", func("trace"), matrices(((3, 4), (3, 3), (1, 1), (0, 2)), _plain),
     dtypes=NUMERIC + ("int32",), variants={"method": method("trace")},
     bad_inputs=(bad(arr(np.ones(3)), desc="1-d"), bad(arr(np.ones((2, 2)), np.bool_),
                                                        desc="bool")))

# -- inv, det, slogdet, logdet, solve ---------------------------------------------------------
SQUARE = ((3, 3), (2, 4, 4), (1, 1), (2, 0, 3, 3), (0, 0))
NOT_FLOAT = bad(I64, desc="int64")
NOT_SQUARE = bad(F2, desc="(2, 3)")
ONE_D = bad(arr(np.ones(3)), desc="1-d")
_row("linalg.inv", func("linalg.inv"), matrices(SQUARE),
     variants={"inverse": func("inverse"), "Tensor.inverse": method("inverse")},
     bad_inputs=(NOT_SQUARE, ONE_D, NOT_FLOAT, bad(SINGULAR, desc="singular"),
                 bad(np.stack([np.eye(2), SINGULAR]).astype(np.float32),
                     desc="batch with a singular matrix")),
     covers=("linalg.inv", "inverse"))
_row("inverse", func("inverse"), matrices(((3, 3),)),
     bad_inputs=(bad(SINGULAR, desc="singular"),))


def _with_singular(base: Callable[..., Iterator[Sample]]) -> Callable[..., Iterator[Sample]]:
    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        yield from base(rng, dtype)
        yield Sample((SINGULAR.astype(np_dtype(dtype)),), {}, "singular [[1, 2], [2, 4]]",
                     tags=frozenset({"special"}))

    return gen


_row("linalg.det", func("linalg.det"), _with_singular(matrices(SQUARE)),
     variants={"det": func("det"), "Tensor.det": method("det")},
     known=(KnownDifference(
         "the sign of a zero determinant", "torch multiplies U's diagonal by the permutation's "
         "sign (-1 * 2 * 0 = -0.0); NumPy's det returns +0.0 for the same LU",
         lambda s: "singular" in s.desc),),
     bad_inputs=(NOT_SQUARE, ONE_D, NOT_FLOAT), covers=("linalg.det", "det"))
_row("linalg.slogdet", func("linalg.slogdet"), _with_singular(matrices(SQUARE)),
     variants={"slogdet": func("slogdet"), "Tensor.slogdet": method("slogdet")},
     known=(KnownDifference(
         "the gradient at an exactly singular matrix",
         "torch's LU solve divides the cofactors by a signed zero pivot, giving +-inf whose "
         "signs depend on LAPACK's pivoting; minitorch divides the cofactor matrix by det(A)",
         lambda s: "singular" in s.desc),),
     bad_inputs=(NOT_SQUARE, NOT_FLOAT), covers=("linalg.slogdet", "slogdet"))
_row("logdet", func("logdet"), matrices(((3, 3), (2, 4, 4), (0, 0)), _spd),
     variants={"method": method("logdet")}, bad_inputs=(NOT_SQUARE,))


def _negative_det(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    a = _general(rng, (3, 3), dtype)
    a[[0, 1]] = a[[1, 0]]
    yield Sample((a,), {}, "det < 0: nan", tags=frozenset({"quick"}))


_row("logdet(det < 0)", func("logdet"), _negative_det, covers=("logdet",))

SOLVE = (((3, 3), (3, 2)), ((3, 3), (3,)), ((2, 3, 3), (3,)), ((2, 3, 3), (2, 3)),
         ((1, 3, 3), (4, 3, 2)), ((0, 2, 2), (0, 2, 1)))
_row("linalg.solve", func("linalg.solve"), operands(SOLVE),
     bad_inputs=(bad(SQ, arr(np.ones((4, 1))), desc="(3, 3) with (4, 1)"),
                 bad(SQ, arr(np.ones((3, 1)), np.float64), desc="float32 with float64"),
                 bad(SINGULAR, arr(np.ones(2)), desc="singular A"),
                 bad(F2, arr(np.ones(2)), desc="A (2, 3)")))
_row("linalg.solve(left=False)", func("linalg.solve", left=False),
     operands((((3, 3), (2, 3)), ((2, 3, 3), (4, 3)))),
     covers=("linalg.solve",))

# -- cholesky, qr, eigh, svd, svdvals, pinv ---------------------------------------------------
_row("linalg.cholesky", func("linalg.cholesky"),
     matrices(((3, 3), (2, 4, 4), (1, 1), (0, 0)), _spd, ({}, {"upper": True}), False),
     variants={"cholesky": func("cholesky"),
               "Tensor.cholesky": method("cholesky")},
     bad_inputs=(NOT_SQUARE, NOT_FLOAT, bad(-SQ, desc="negative definite"),
                 bad(arr([[1.0, 0.0], [0.0, -1.0]]), desc="leading minor 2 not PD")),
     covers=("linalg.cholesky", "cholesky"))
_row("cholesky(upper)", func("cholesky", upper=True), matrices(((3, 3),), _spd, gradcheck=False),
     covers=("cholesky",))


def symmetrized(op: Callable[..., Any]) -> Callable[..., Any]:
    """op((A + A^T) / 2): a function of every entry of A, so central differences apply."""
    return lambda lib, A, **kw: op(lib, (A + A.transpose(-2, -1)) / 2, **kw)


_row("linalg.cholesky(symmetrized)", symmetrized(func("linalg.cholesky")),
     matrices(((3, 3), (2, 4, 4)), _spd, ({}, {"upper": True})),
     covers=("linalg.cholesky",))

QR_SHAPES = ((4, 3), (3, 3), (3, 4), (2, 4, 3), (0, 3), (3, 0))
_row("linalg.qr", lambda lib, A, **kw: tuple(lib.linalg.qr(A, **kw)), matrices(QR_SHAPES),
     variants={"qr": lambda lib, A: tuple(lib.qr(A)),
               "Tensor.qr": lambda lib, A: tuple(A.qr())},
     bad_inputs=(bad(SQ, mode="x", desc="mode='x'"), bad(I64, desc="int64"), ONE_D),
     covers=("linalg.qr", "qr"))
_row("linalg.qr(complete)", lambda lib, A: tuple(lib.linalg.qr(A, mode="complete")),
     matrices(((3, 4), (3, 3), (2, 2, 3))),
     variants={"qr(some=False)": lambda lib, A: tuple(lib.qr(A, some=False))},
     covers=("linalg.qr", "qr"))
_row("linalg.qr(r)", lambda lib, A: lib.linalg.qr(A, mode="r")[1],
     matrices(((4, 3), (3, 4))), differentiable=False, covers=("linalg.qr",))


def _eigh(lib: Any, A: Any, **kw: Any) -> Any:
    lam, v = lib.linalg.eigh(A, **kw)
    return lam, v.abs()


SYM = ((3, 3), (2, 4, 4), (1, 1), (0, 0))
_row("linalg.eigh", _eigh, matrices(SYM, _sym, ({}, {"UPLO": "U"}), False),
     bad_inputs=(NOT_SQUARE, NOT_FLOAT, bad(SQ, UPLO="X", desc="UPLO='X'")),
     covers=("linalg.eigh",))
_row("linalg.eigh(symmetrized)", symmetrized(_eigh), matrices(SYM[:2], _sym),
     covers=("linalg.eigh",))
_row("linalg.eigvalsh", func("linalg.eigvalsh"), matrices(SYM, _sym, gradcheck=False),
     bad_inputs=(NOT_FLOAT,))


def _svd(lib: Any, A: Any, **kw: Any) -> Any:
    u, s, vh = lib.linalg.svd(A, **kw)
    k = s.shape[-1]
    return u[..., :k].abs(), s, vh[..., :k, :].abs()


SVD_SHAPES = ((4, 3), (3, 3), (3, 4), (2, 4, 3), (1, 1))
_row("linalg.svd", _svd, matrices(SVD_SHAPES, _separated,
                                  ({"full_matrices": False}, {"full_matrices": True})),
     bad_inputs=(ONE_D, NOT_FLOAT, bad(SQ, driver="gesvd", desc="driver= on CPU")),
     covers=("linalg.svd",))


def _torch_svd(lib: Any, A: Any, _method: bool = False, **kw: Any) -> Any:
    """torch.svd's (U, S, V) with |U|, |V| on the first k vectors (see _svd)."""
    u, s, v = A.svd(**kw) if _method else lib.svd(A, **kw)
    k = s.shape[-1]
    return u[..., :k].abs(), s, v[..., :k].abs()


SIGNS = KnownDifference(
    "the sign of each singular vector / eigenvector (column of U, V)",
    "LAPACK builds (torch's MKL, NumPy's OpenBLAS) pick different but equally valid signs; "
    "the gauge-invariant rows (|U|, |V|, S, the reconstruction) agree with torch")


def _raw_svd(lib: Any, A: Any) -> Any:
    return tuple(lib.linalg.svd(A, full_matrices=False))


def _svd_product(lib: Any, A: Any) -> Any:
    u, s, vh = lib.linalg.svd(A, full_matrices=False)
    return (u * s.unsqueeze(-2)) @ vh


def _eigh_product(lib: Any, A: Any) -> Any:
    lam, v = lib.linalg.eigh(A)
    return (v * lam.unsqueeze(-2)) @ v.transpose(-2, -1)


_row("linalg.svd(raw U, Vh)", _raw_svd, matrices(SVD_SHAPES, _separated),
     known=(SIGNS,), covers=("linalg.svd",))
_row("linalg.svd(reconstruction)", _svd_product, matrices(SVD_SHAPES, _separated),
     covers=("linalg.svd",))
_row("linalg.eigh(raw V)", lambda lib, A: tuple(lib.linalg.eigh(A)),
     matrices(SYM, _sym, gradcheck=False), known=(SIGNS,),
     covers=("linalg.eigh",))
_row("linalg.eigh(reconstruction)", symmetrized(_eigh_product), matrices(SYM, _sym),
     covers=("linalg.eigh",))


_row("svd", _torch_svd, matrices(((4, 3), (3, 4), (2, 3, 3)), _separated,
                                 ({}, {"some": False})),
     variants={"method": lambda lib, A, **kw: _torch_svd(lib, A, True, **kw)})
_row("svd(compute_uv=False)", lambda lib, A: tuple(lib.svd(A, compute_uv=False)),
     matrices(((4, 3),), _separated), covers=("svd",))
_row("linalg.svdvals", func("linalg.svdvals"),
     matrices(SVD_SHAPES + ((0, 3),), _separated), bad_inputs=(ONE_D,))
_row("linalg.pinv", func("linalg.pinv"),
     matrices(((4, 3), (3, 4), (2, 3, 3)), _separated,
              ({}, {"rtol": 0.5}, {"atol": 1.5})),
     variants={"pinverse": lambda lib, A: lib.pinverse(A)},  # the samples without kwargs
     bad_inputs=(ONE_D, NOT_FLOAT), covers=("linalg.pinv", "pinverse"))
_row("linalg.pinv(hermitian)", func("linalg.pinv", hermitian=True),
     matrices(((3, 3), (2, 4, 4)), _sym, gradcheck=False),
     covers=("linalg.pinv",))
_row("pinverse", func("pinverse"), matrices(((4, 3),), _separated),
     variants={"method": method("pinverse")})

_row("linalg.matrix_power", func("linalg.matrix_power"),
     matrices(((3, 3), (2, 3, 3)), lambda r, s, d: _general(r, s, d) / s[-1],
              tuple({"n": n} for n in (2, 0, 1, 3, 6, -1, -2))),
     variants={"matrix_power": func("matrix_power"),
               "Tensor.matrix_power": method("matrix_power")},
     bad_inputs=(NOT_SQUARE, ONE_D), covers=("linalg.matrix_power", "matrix_power"))
_row("matrix_power(int)", func("matrix_power"), matrices(((3, 3),), _plain, ({"n": 3},)),
     dtypes=("int64",), differentiable=False, covers=("matrix_power",))

# -- norms ------------------------------------------------------------------------------------
ORDS = ("fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf)
_row("linalg.matrix_norm", func("linalg.matrix_norm"),
     matrices(((3, 4), (2, 3, 3)), _separated, tuple({"ord": o} for o in ORDS)
              + ({"dim": (0, -1), "keepdim": True},)),
     bad_inputs=(ONE_D, bad(SQ, ord=3, desc="ord=3"), bad(SQ, dim=(0,), desc="dim=(0,)"),
                 bad(SQ, dim=(1, 1), desc="dim=(1, 1)")))
_row("linalg.vector_norm", func("linalg.vector_norm"),
     matrices(((3, 4), (2, 3, 4), (5,)), _plain,
              ({}, {"ord": 1}, {"ord": math.inf}, {"ord": 3, "dim": -1},
               {"dim": (0, 1), "keepdim": True})),
     bad_inputs=(bad(SQ, ord="fro", desc="ord='fro'"), NOT_FLOAT))
_row("linalg.norm", func("linalg.norm"),
     matrices(((3, 4), (5,)), _plain,
              ({}, {"ord": 1}, {"ord": 2}, {"ord": math.inf}, {"dim": 0},
               {"dim": (0, 1), "ord": "fro"}, {"ord": "fro"})),
     bad_inputs=(bad(arr(np.ones((2, 2, 2))), ord=2, desc="3-d with ord, no dim"),
                 bad(SQ, dim=(0, 1, 1), desc="three dims")))
_row("nuclear_norm", func("nuclear_norm"),
     matrices(((3, 4), (4, 3), (2, 3, 3)), _separated, ({}, {"keepdim": True})),
     variants={"keepdim positional": lambda lib, A, keepdim=False: lib.nuclear_norm(A, keepdim),
               "norm(p='nuc')": lambda lib, A, keepdim=False: lib.norm(
                   A, p="nuc", dim=(-2, -1), keepdim=keepdim)},
     bad_inputs=(ONE_D,), covers=("nuclear_norm", "norm(p='nuc')"))


# -- einsum's integer result dtypes -------------------------------------------------------------
INT_EINSUM = (("i->", (4,)), ("ij->j", (3, 4)), ("ij,jk->ik", (3, 4), (4, 2)),
              ("i,i->", (4,), (4,)), ("ij,k->k", (3, 4), (2,)), ("ii->", (3, 3)),
              ("ii->i", (3, 3)), ("bij,bjk->b", (2, 3, 4), (2, 4, 2)))


def _int_einsum(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for i, (eq, *shapes) in enumerate(INT_EINSUM):
        xs = tuple(random_array(rng, s, dtype) for s in shapes)
        yield Sample((eq,) + xs, {}, eq, tags=frozenset({"quick"}) if i == 0 else frozenset())


_row("einsum(int)", lambda lib, eq, *xs: lib.einsum(eq, *xs), _int_einsum,
     dtypes=("int32", "int64", "bool"), differentiable=False,
     bad_inputs=(bad("ij,j->", arr(np.ones((3, 3)), np.int32), arr(np.ones(3), np.int32),
                     desc="int32: int64 row sums contracted with int32"),
                 bad("ij,jk->ik", arr(np.ones((2, 2)), np.bool_), arr(np.ones((2, 2)), np.bool_),
                     desc="bool contraction")),
     covers=("einsum",))


# -- addbmm, addr (torch's other two add-products) ----------------------------------------------
def _full_size_inplace(lib: Any, x: Any, *args: Any, **kw: Any) -> Any:
    """x.addbmm_ only where x has the product's shape: on a smaller x torch resizes self (its
    out= path) where its addmm_ and baddbmm_ refuse; minitorch refuses too."""
    if x.ndim < 2:
        raise TypeError("addbmm_ on a broadcast input: not compared")
    return inplace("addbmm_")(lib, x, *args, **kw)


_row("addbmm", func("addbmm"), operands((((3, 5), (2, 3, 4), (2, 4, 5)), ((5,), (2, 3, 4),
                                                                        (2, 4, 5)),
                                         ((2, 2), (0, 2, 3), (0, 3, 2))), _plain, SCALES),
     dtypes=NUMERIC, variants={"method": method("addbmm"), "addbmm_": _full_size_inplace},
     known=(KnownDifference(
         "int64 addbmm of an empty batch with float beta/alpha", "torch's empty-batch path "
         "computes beta * input in float and refuses to cast it back; minitorch truncates the "
         "scalars as torch's non-empty path does",
         lambda s: s.args[1].shape[0] == 0 and s.args[0].dtype.kind == "i"
         and any(isinstance(v, float) for v in s.kwargs.values())),),
     bad_inputs=(bad(arr(np.ones((3, 5))), arr(np.ones((2, 3, 4))), arr(np.ones((3, 4, 5))),
                     desc="2 batches with 3"),
                 bad(arr(np.ones((3, 5))), arr(np.ones((3, 4))), arr(np.ones((3, 4, 5))),
                     desc="2-d batch1")),
     covers=("addbmm", "addbmm_"))
_row("addr", func("addr"), operands((((3, 4), (3,), (4,)), ((4,), (3,), (4,)),
                                     ((0, 2), (0,), (2,))), _plain, SCALES),
     dtypes=NUMERIC, variants={"method": method("addr"), "addr_": inplace("addr_")},
     bad_inputs=(bad(arr(np.ones((3, 4))), arr(np.ones(3)), arr(np.ones(5)),
                     desc="input (3, 4) for a (3, 5) product"),
                 bad(arr(np.ones((3, 4))), arr(np.ones((3, 1))), arr(np.ones(4)),
                     desc="2-d vec1")),
     covers=("addr", "addr_"))


def _addr_promotes(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield Sample((random_array(rng, (3, 4), "float64"), random_array(rng, (3,), dtype),
                  random_array(rng, (4,), dtype)), {}, f"float64 input, {dtype} vectors",
                 tags=frozenset({"quick"}))


_row("addr(promotion)", func("addr"), _addr_promotes, dtypes=("float32", "int64"),
     known=(KnownDifference(
         "backward of addr with mixed float dtypes",
         "torch's forward promotes, but its backward calls addmv on the unpromoted vectors and "
         "raises 'addmv input tensors must have the same dtype'; minitorch returns the "
         "gradient", lambda s: s.args[1].dtype == np.float32),),
     covers=("addr",))
