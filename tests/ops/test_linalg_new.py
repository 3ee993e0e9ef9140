"""Linear algebra against torch: addmm and friends, minitorch.linalg's factorizations and
their adjoints, the norms, torch's errors, and einsum's integer result dtypes.

Factorizations whose vectors are defined up to a sign per column (qr, eigh, svd) are
compared through gauge-invariant quantities, as torch's own tests do: the values, the
reconstruction, |U|, and losses whose gradient does not depend on the signs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import minitorch as mt
import minitorch.linalg as mla

RNG = np.random.default_rng(11)


def _pair(a: np.ndarray, grad: bool = True) -> tuple[mt.Tensor, torch.Tensor]:
    return (mt.tensor(a, requires_grad=grad and a.dtype.kind == "f"),
            torch.tensor(a, requires_grad=grad and a.dtype.kind == "f"))


def _close(m: mt.Tensor, t: torch.Tensor, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    assert str(m.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    np.testing.assert_allclose(np.asarray(m.detach().numpy()), t.detach().numpy(),
                               rtol=rtol, atol=atol)


def _spd(*shape: int) -> np.ndarray:
    n = shape[-1]
    x = RNG.standard_normal(shape)
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


def _both(fn, arrays, loss=lambda out: out, rtol=1e-6, atol=1e-8):
    """fn(lib, *tensors) in both engines; compare the (loss of the) output and its gradients."""
    pairs = [_pair(a) for a in arrays]
    m_out = loss(fn(mt, *[p[0] for p in pairs]))
    t_out = loss(fn(torch, *[p[1] for p in pairs]))
    _close(m_out, t_out, rtol, atol)
    g = RNG.standard_normal(tuple(t_out.shape))
    m_out.backward(mt.tensor(g, dtype=m_out.dtype))
    t_out.backward(torch.tensor(g, dtype=t_out.dtype))
    for (m, t) in pairs:
        if t.requires_grad and t.grad is None:  # torch's undefined gradient: zero, or none
            assert m.grad is None or not m.grad.numpy().any()
        elif t.requires_grad:
            _close(m.grad, t.grad, rtol, atol)


# -- addmm, addmv, baddbmm, mv, inner, cross, kron, trace ------------------------------------
@pytest.mark.parametrize("beta, alpha", [(1, 1), (0.5, -2.0), (0, 1.5)])
def test_add_products_and_gradients(beta, alpha) -> None:
    kw = {"beta": beta, "alpha": alpha}
    _both(lambda lib, x, a, b: lib.addmm(x, a, b, **kw),
          [RNG.standard_normal((3,)), RNG.standard_normal((3, 4)), RNG.standard_normal((4, 3))])
    _both(lambda lib, x, a, v: lib.addmv(x, a, v, **kw),
          [RNG.standard_normal((3,)), RNG.standard_normal((3, 4)), RNG.standard_normal(4)])
    _both(lambda lib, x, a, b: lib.baddbmm(x, a, b, **kw),
          [RNG.standard_normal((1, 2, 5)), RNG.standard_normal((3, 2, 4)),
           RNG.standard_normal((3, 4, 5))])


def test_beta_zero_ignores_nan_and_inplace_forms() -> None:
    x = np.full((2, 2), math.nan)
    a, b = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 2))
    m = mt.addmm(mt.tensor(x), mt.tensor(a), mt.tensor(b), beta=0)
    assert not np.isnan(m.numpy()).any()
    y = mt.zeros(2, 2, dtype=mt.float64)
    y.addmm_(mt.tensor(a), mt.tensor(b), alpha=2)
    np.testing.assert_allclose(y.numpy(), 2 * a @ b)
    v = mt.ones(2, dtype=mt.float64)
    v.addmv_(mt.tensor(a), mt.tensor(b[:, 0]), beta=3)
    np.testing.assert_allclose(v.numpy(), 3 + a @ b[:, 0])
    z = mt.ones(1, 2, 2, dtype=mt.float64)
    z.baddbmm_(mt.tensor(a[None]), mt.tensor(b[None]))
    np.testing.assert_allclose(z.numpy(), 1 + (a @ b)[None])


def test_int_add_products() -> None:
    a = RNG.integers(-3, 4, (3, 3))
    _close(mt.addmm(mt.tensor(a), mt.tensor(a), mt.tensor(a), beta=2, alpha=3),
           torch.addmm(torch.tensor(a), torch.tensor(a), torch.tensor(a), beta=2, alpha=3))
    # integer tensors truncate float scalars (beta=0.5 acts as 0), as torch does
    _close(mt.addmm(mt.tensor(a), mt.tensor(a), mt.tensor(a), beta=0.5, alpha=2.7),
           torch.addmm(torch.tensor(a), torch.tensor(a), torch.tensor(a), beta=0.5, alpha=2.7))


def test_mv_backward_is_an_outer_product() -> None:
    # the matrix's gradient is grad.ger(vec), a product per entry: a zero times a negative
    # is -0.0 (not a sum starting from +0.0); and the vector's, a^T grad, adds the rows in
    # order for a matrix bigger than one block of rows (as torch does)
    a = RNG.standard_normal((130, 70)).astype(np.float32)
    v = RNG.standard_normal(70).astype(np.float32)
    v[3] = -1.0
    g = RNG.standard_normal(130).astype(np.float32)
    g[5] = 0.0
    (ma, mv), (ta, tv) = zip(_pair(a), _pair(v))
    mt.mv(ma, mv).backward(mt.tensor(g))
    torch.mv(ta, tv).backward(torch.tensor(g))
    assert np.signbit(ma.grad.numpy()[5, 3]) and torch.signbit(ta.grad[5, 3])
    np.testing.assert_array_equal(ma.grad.numpy(), ta.grad.numpy())
    np.testing.assert_array_equal(mv.grad.numpy(), (a * g[:, None]).sum(axis=0))


@pytest.mark.parametrize("kw", [{}, {"beta": 0}, {"alpha": 1.5}])
def test_addr_keeps_the_sign_of_zero(kw) -> None:
    # torch's addr is one elementwise kernel: -0.0 + 0 * -1 stays -0.0 (no +0.0 added)
    x, a, b = np.array([[-0.0, 2.0]]), np.array([0.0]), np.array([-1.0, 3.0])
    for dt in ("float32", "float64"):
        m = mt.addr(*(mt.tensor(v.astype(dt)) for v in (x, a, b)), **kw)
        t = torch.addr(*(torch.tensor(v.astype(dt)) for v in (x, a, b)), **kw)
        np.testing.assert_array_equal(np.signbit(m.numpy()), torch.signbit(t).numpy())
        np.testing.assert_array_equal(m.numpy(), t.numpy())


def test_small_products() -> None:
    _both(lambda lib, a, v: lib.mv(a, v), [RNG.standard_normal((3, 4)), RNG.standard_normal(4)])
    _both(lambda lib, a, b: lib.inner(a, b),
          [RNG.standard_normal((2, 3, 4)), RNG.standard_normal((5, 4))])
    _both(lambda lib, a, b: lib.kron(a, b),
          [RNG.standard_normal((2, 3)), RNG.standard_normal((3, 1, 2))])
    _both(lambda lib, a: lib.trace(a), [RNG.standard_normal((3, 4))])
    _both(lambda lib, a, b: lib.cross(a, b),
          [RNG.standard_normal((4, 3, 2)), RNG.standard_normal((4, 3, 2))])
    _both(lambda lib, a, b: lib.linalg.cross(a, b),
          [RNG.standard_normal((4, 3)), RNG.standard_normal((1, 3))])
    i32 = np.arange(9, dtype=np.int32).reshape(3, 3)
    _close(mt.trace(mt.tensor(i32)), torch.trace(torch.tensor(i32)))
    _close(mt.kron(mt.tensor(i32), mt.tensor(np.ones((2, 2)))),
           torch.kron(torch.tensor(i32), torch.tensor(np.ones((2, 2)))))


# -- inv, det, slogdet, solve, cholesky ------------------------------------------------------
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (0, 0)])
def test_inverse_determinants(shape) -> None:
    a = RNG.standard_normal(shape) + 3 * np.eye(shape[-1])
    _both(lambda lib, x: lib.linalg.inv(x), [a])
    _both(lambda lib, x: lib.inverse(x), [a])
    _both(lambda lib, x: lib.linalg.det(x), [a])
    _both(lambda lib, x: lib.linalg.slogdet(x), [a], loss=lambda r: r[1])
    _both(lambda lib, x: lib.slogdet(x)[0] * 1.0, [a])
    _both(lambda lib, x: lib.logdet(x), [a @ np.swapaxes(a, -1, -2) + np.eye(shape[-1])])


def test_det_at_singular_matrix_matches_torch() -> None:
    _both(lambda lib, x: lib.linalg.det(x), [np.array([[1.0, 2.0], [2.0, 4.0]])])
    with pytest.raises(mla.LinAlgError, match="linalg.inv.*singular"):
        mla.inv(mt.tensor([[1.0, 2.0], [2.0, 4.0]]))
    with pytest.raises(RuntimeError, match=r"Batch element 1"):
        mla.inv(mt.tensor([np.eye(2), np.zeros((2, 2))]))
    assert issubclass(mla.LinAlgError, RuntimeError)


@pytest.mark.parametrize("sa, sb", [((3, 3), (3, 2)), ((3, 3), (3,)), ((2, 3, 3), (3,)),
                                    ((2, 3, 3), (2, 3)), ((1, 3, 3), (4, 3, 2))])
def test_solve(sa, sb) -> None:
    a = RNG.standard_normal(sa) + 3 * np.eye(sa[-1])
    _both(lambda lib, x, b: lib.linalg.solve(x, b), [a, RNG.standard_normal(sb)])


def test_solve_right() -> None:
    a = RNG.standard_normal((3, 3)) + 3 * np.eye(3)
    _both(lambda lib, x, b: lib.linalg.solve(x, b, left=False), [a, RNG.standard_normal((2, 3))])


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(upper) -> None:
    _both(lambda lib, x: lib.linalg.cholesky(x, upper=upper), [_spd(2, 4, 4)])
    _both(lambda lib, x: lib.cholesky(x, upper), [_spd(3, 3)])


def test_cholesky_not_positive_definite() -> None:
    bad = -np.eye(3)
    bad[0, 0] = 1.0
    with pytest.raises(mla.LinAlgError, match="leading minor of order 2"):
        mla.cholesky(mt.tensor(bad))
    with pytest.raises(torch.linalg.LinAlgError, match="leading minor of order 2"):
        torch.linalg.cholesky(torch.tensor(bad))


# -- qr, eigh, svd, svdvals, pinv ------------------------------------------------------------
@pytest.mark.parametrize("shape", [(5, 3), (3, 3), (3, 5), (2, 4, 3)])
def test_qr_values_and_gradients(shape) -> None:
    a = RNG.standard_normal(shape)
    # LAPACK's geqrf: both engines take the same Householder signs, so Q and R compare.
    _both(lambda lib, x: lib.linalg.qr(x).Q, [a])
    _both(lambda lib, x: lib.linalg.qr(x).R, [a])
    _close(mla.qr(mt.tensor(a), mode="r")[1], torch.linalg.qr(torch.tensor(a), mode="r")[1])
    q, r = mla.qr(mt.tensor(a), mode="complete")
    np.testing.assert_allclose((q @ r).numpy(), a, atol=1e-12)


def test_qr_backward_errors() -> None:
    q, r = mla.qr(mt.tensor(RNG.standard_normal((4, 3)), requires_grad=True), mode="r")
    assert q.shape == (0,)
    with pytest.raises(RuntimeError, match="mode='r'"):
        r.sum().backward()
    q, r = mla.qr(mt.tensor(RNG.standard_normal((4, 3)), requires_grad=True), mode="complete")
    with pytest.raises(RuntimeError, match="complete"):
        q.sum().backward()


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3)])
def test_eigh(shape) -> None:
    a = RNG.standard_normal(shape)
    a = a + np.swapaxes(a, -1, -2)
    _both(lambda lib, x: lib.linalg.eigh(x).eigenvalues, [a])
    _both(lambda lib, x: lib.linalg.eigh(x).eigenvectors.abs(), [a], rtol=1e-5)
    _both(lambda lib, x: lib.linalg.eigvalsh(x, UPLO="U"), [a])
    lam, v = mla.eigh(mt.tensor(a))
    np.testing.assert_allclose(((v * lam.unsqueeze(-2)) @ v.mT).numpy(), a, atol=1e-10)


def test_eigh_repeated_eigenvalues_match_torch() -> None:
    eye = np.eye(3)
    _both(lambda lib, x: lib.linalg.eigh(x).eigenvalues, [eye])
    mine = mt.tensor(eye, requires_grad=True)
    mla.eigh(mine).eigenvectors.sum().backward()
    theirs = torch.tensor(eye, requires_grad=True)
    torch.linalg.eigh(theirs).eigenvectors.sum().backward()
    assert np.isnan(mine.grad.numpy()).all() and torch.isnan(theirs.grad).all()


@pytest.mark.parametrize("shape", [(5, 3), (3, 3), (3, 5), (2, 4, 3)])
@pytest.mark.parametrize("full", [False, True])
def test_svd(shape, full) -> None:
    a = RNG.standard_normal(shape)
    k = min(shape[-2:])
    _both(lambda lib, x: lib.linalg.svd(x, full_matrices=full).S, [a])
    # |U| and |Vh| on the first k vectors are sign-invariant (the rest are not unique)
    _both(lambda lib, x: lib.linalg.svd(x, full_matrices=full).U[..., :k].abs(), [a], rtol=1e-5)
    _both(lambda lib, x: lib.linalg.svd(x, full_matrices=full).Vh[..., :k, :].abs(), [a],
          rtol=1e-5)
    _both(lambda lib, x: lib.linalg.svdvals(x), [a])
    u, s, vh = mla.svd(mt.tensor(a), full_matrices=False)
    np.testing.assert_allclose(((u * s.unsqueeze(-2)) @ vh).numpy(), a, atol=1e-12)
    _both(lambda lib, x: lib.svd(x).V.abs(), [a], rtol=1e-5)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 3, 3)])
def test_pinv(shape) -> None:
    a = RNG.standard_normal(shape)
    _both(lambda lib, x: lib.linalg.pinv(x), [a], rtol=1e-5, atol=1e-7)
    _both(lambda lib, x: lib.pinverse(x), [a], rtol=1e-5, atol=1e-7)
    s = a[..., :3, :3] @ np.swapaxes(a[..., :3, :3], -1, -2)
    _both(lambda lib, x: lib.linalg.pinv(x, hermitian=True), [s], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, -1, -2])
def test_matrix_power(n) -> None:
    a = RNG.standard_normal((2, 3, 3)) + 2 * np.eye(3)
    _both(lambda lib, x: lib.linalg.matrix_power(x, n), [a])
    _both(lambda lib, x: x.matrix_power(n), [a])


# -- norms -----------------------------------------------------------------------------------
@pytest.mark.parametrize("ord", ["fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf])
def test_matrix_norm(ord) -> None:
    a = RNG.standard_normal((2, 3, 4))
    _both(lambda lib, x: lib.linalg.matrix_norm(x, ord), [a])
    _both(lambda lib, x: lib.linalg.matrix_norm(x, ord, dim=(0, 2), keepdim=True), [a])
    _both(lambda lib, x: lib.linalg.norm(x[0], ord), [a])


@pytest.mark.parametrize("kw", [{}, {"ord": 1}, {"ord": math.inf, "dim": 1},
                                {"dim": (0, 1)}, {"dim": 0, "keepdim": True}])
def test_vector_and_linalg_norm(kw) -> None:
    a = RNG.standard_normal((3, 4))
    _both(lambda lib, x: lib.linalg.norm(x, **kw), [a])
    if "dim" not in kw or isinstance(kw["dim"], int):
        _both(lambda lib, x: lib.linalg.vector_norm(x, **kw), [a])


def test_nuclear_norm_function() -> None:
    a = RNG.standard_normal((3, 4))
    _both(lambda lib, x: lib.nuclear_norm(x), [a])
    _both(lambda lib, x: lib.nuclear_norm(x, keepdim=True), [a])


# -- errors ----------------------------------------------------------------------------------
BAD = [
    lambda lib: lib.linalg.inv(lib.ones(2, 3)),
    lambda lib: lib.linalg.inv(lib.ones(3)),
    lambda lib: lib.linalg.inv(lib.ones(2, 2, dtype=lib.int64)),
    lambda lib: lib.linalg.det(lib.ones(3)),
    lambda lib: lib.linalg.solve(lib.eye(3), lib.ones(4, 1)),
    lambda lib: lib.linalg.solve(lib.eye(3), lib.ones(3, 1, dtype=lib.float64)),
    lambda lib: lib.linalg.eigh(lib.ones(2, 3)),
    lambda lib: lib.linalg.svd(lib.ones(3)),
    lambda lib: lib.linalg.qr(lib.ones(3, 3), mode="x"),
    lambda lib: lib.linalg.pinv(lib.ones(3)),
    lambda lib: lib.linalg.matrix_norm(lib.ones(3)),
    lambda lib: lib.linalg.matrix_norm(lib.ones(3, 3), ord=3),
    lambda lib: lib.linalg.norm(lib.ones(2, 2, 2), ord=2),
    lambda lib: lib.linalg.vector_norm(lib.ones(3), ord="fro"),
    lambda lib: lib.linalg.matrix_power(lib.ones(2, 3), 2),
    lambda lib: lib.addmm(lib.ones(3, 3), lib.ones(3), lib.ones(3, 3)),
    lambda lib: lib.addmm(lib.ones(3, 3), lib.ones(3, 2), lib.ones(3, 3)),
    lambda lib: lib.addmm(lib.ones(3, 3, dtype=lib.float64), lib.ones(3, 3), lib.ones(3, 3)),
    lambda lib: lib.addmm(lib.ones(3, 3, dtype=lib.bool), lib.ones(3, 3, dtype=lib.bool),
                          lib.ones(3, 3, dtype=lib.bool)),
    lambda lib: lib.addmv(lib.ones(3), lib.ones(3, 3), lib.ones(2)),
    lambda lib: lib.baddbmm(lib.ones(2, 3, 3), lib.ones(2, 3, 3), lib.ones(3, 3, 3)),
    lambda lib: lib.mv(lib.ones(3, 3), lib.ones(2)),
    lambda lib: lib.inner(lib.ones(2, 3), lib.ones(2, 4)),
    lambda lib: lib.cross(lib.ones(4, 2), lib.ones(4, 2)),
    lambda lib: lib.linalg.cross(lib.ones(4, 2), lib.ones(4, 2)),
    lambda lib: lib.trace(lib.ones(3)),
    lambda lib: lib.trace(lib.ones(3, 3, dtype=lib.bool)),
    lambda lib: lib.linalg.cholesky(-lib.eye(2)),
    lambda lib: lib.linalg.solve(lib.zeros(2, 2), lib.ones(2)),
]


@pytest.mark.parametrize("i", range(len(BAD)))
def test_errors_are_torchs(i) -> None:
    with pytest.raises(Exception) as theirs:
        BAD[i](torch)
    with pytest.raises(Exception) as mine:
        BAD[i](mt)
    t_cls = next(c for c in type(theirs.value).__mro__ if c.__module__ == "builtins")
    m_cls = next(c for c in type(mine.value).__mro__ if c.__module__ == "builtins")
    assert m_cls is t_cls, (mine.value, theirs.value)


# -- einsum's result dtype ---------------------------------------------------------------
@pytest.mark.parametrize("eq, shapes", [("i->", [(3,)]), ("ij->j", [(3, 3)]),
                                        ("ij,jk->ik", [(3, 3), (3, 3)]),
                                        ("i,i->", [(3,), (3,)]), ("ij,k->k", [(3, 3), (3,)]),
                                        ("i,j->ij", [(3,), (3,)]), ("ii->", [(3, 3)]),
                                        ("ii->i", [(3, 3)]), ("ij,j->", [(3, 3), (3,)]),
                                        ("bij,bjk->b", [(2, 3, 3), (2, 3, 3)])])
@pytest.mark.parametrize("dtype", ["int32", "int64", "bool"])
def test_einsum_integer_dtypes(eq, shapes, dtype) -> None:
    xs = [RNG.integers(0, 2, s).astype(dtype) for s in shapes]
    try:
        want = torch.einsum(eq, *[torch.tensor(x) for x in xs])
    except Exception as e:
        cls = next(c for c in type(e).__mro__ if c.__module__ == "builtins")
        with pytest.raises(cls):
            mt.einsum(eq, *[mt.tensor(x) for x in xs])
        return
    _close(mt.einsum(eq, *[mt.tensor(x) for x in xs]), want)


# -- torch.norm(p='nuc'): the hook reduction.norm calls ------------------------------------
@pytest.mark.parametrize("shape, kw", [((3, 4), {}), ((2, 3, 4), {"dim": (1, 2)}),
                                       ((2, 3, 4), {"dim": (0, 2), "keepdim": True})])
def test_norm_nuc_hook(shape, kw) -> None:
    from minitorch.ops.linalg import norm_nuc

    _both(lambda lib, x: torch.norm(x, p="nuc", **kw) if lib is torch else
          norm_nuc(x, kw.get("dim"), kw.get("keepdim", False), None),
          [RNG.standard_normal(shape)])
    with pytest.raises(RuntimeError, match="2-tuple"):
        norm_nuc(mt.ones(2, 3, 4), None, False, None)
    with pytest.raises(RuntimeError):
        torch.norm(torch.ones(2, 3, 4), p="nuc")


def test_namespace_mirrors_torch_linalg() -> None:
    for name in mla.__all__:
        assert hasattr(torch.linalg, name), name
    assert mla.det is mt.det and mla.matrix_power is mt.matrix_power
    for name in ("addmm_", "addmv_", "baddbmm_", "det", "slogdet", "inverse", "cholesky",
                 "qr", "svd", "pinverse", "matrix_power", "logdet", "mv", "inner", "kron",
                 "trace", "cross"):
        assert hasattr(mt.Tensor, name), name


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (2, 0, 0)])
def test_empty_factorizations(shape) -> None:
    a = np.zeros(shape)
    for fn in (lambda lib, x: lib.linalg.svdvals(x), lambda lib, x: lib.linalg.pinv(x),
               lambda lib, x: lib.linalg.qr(x).R, lambda lib, x: lib.linalg.svd(x).S):
        _both(fn, [a])


def test_matrix_power_zero_is_the_identity_even_for_nan() -> None:
    a = np.full((2, 2), math.nan)
    _both(lambda lib, x: lib.linalg.matrix_power(x, 0), [a])


def test_addbmm_and_addr() -> None:
    kw = {"beta": 0.5, "alpha": -2.0}
    _both(lambda lib, x, a, b: lib.addbmm(x, a, b, **kw),
          [RNG.standard_normal((3, 5)), RNG.standard_normal((2, 3, 4)),
           RNG.standard_normal((2, 4, 5))])
    _both(lambda lib, x, a, b: lib.addr(x, a, b, **kw),
          [RNG.standard_normal((1, 4)), RNG.standard_normal(3), RNG.standard_normal(4)])
    i = np.ones((2, 2), np.int64)
    with pytest.raises(RuntimeError, match="floating point"):
        mt.addr(mt.tensor(i), mt.tensor(i[0]), mt.tensor(i[0]), beta=0.5)
    y = mt.zeros(2, 2, dtype=mt.float64)
    y.addr_(mt.tensor([1.0, 2.0], dtype=mt.float64), mt.tensor([3.0, 4.0], dtype=mt.float64))
    assert y.tolist() == [[3.0, 4.0], [6.0, 8.0]]


def test_eigvalsh_without_grad_computes_the_values_alone() -> None:
    # no gradient wanted: LAPACK's values-only path (as torch's); with one, eigh's values
    a = _spd(2, 5, 5)
    values = mla.eigvalsh(mt.tensor(a))
    assert values.grad_fn is None and not values.requires_grad
    _close(values, torch.linalg.eigvalsh(torch.tensor(a)), rtol=1e-10, atol=1e-12)
    with mt.no_grad():
        assert mla.eigvalsh(mt.tensor(a, requires_grad=True)).grad_fn is None
    _both(lambda lib, x: lib.linalg.eigvalsh(x).sum(), [a])


@pytest.mark.parametrize("dtype", ["int64", "int32", "int8", "uint8"])
def test_big_integer_matmul_is_exact(dtype: str) -> None:
    # through float64 BLAS when every partial sum is an exact float64 integer; a narrow
    # dtype wraps as its own matmul does; past 2**53 NumPy's integer loop takes over
    a = RNG.integers(0, 120, (70, 300)).astype(dtype)
    b = RNG.integers(0, 120, (300, 90)).astype(dtype)
    want = np.matmul(a, b)
    got = mt.matmul(mt.tensor(a), mt.tensor(b)).numpy()
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(torch.matmul(torch.tensor(a), torch.tensor(b)).numpy(), want)
    big = np.full((300, 300), np.iinfo(np.int64).max // 3)
    np.testing.assert_array_equal(mt.matmul(mt.tensor(big), mt.tensor(big)).numpy(),
                                  np.matmul(big, big))
