"""Second derivatives of the linear-algebra ops (ops/linalg.py) against torch's.

Each case takes the gradient of <w, dL/dx> where L = <v, f(x)>, with create_graph=True on
the first pass, in float64, and compares it with torch's double backward. Outputs that are
defined up to sign (singular vectors, eigenvectors) enter squared, so both engines agree.
"""

import numpy as np
import pytest
import torch

import minitorch

RTOL, ATOL = 1e-10, 1e-12


def _sq(x):
    return x * x


def _spd(n, batch=()):
    m = np.random.default_rng(n).standard_normal(batch + (n, n))
    return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)


def _randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


CASES = {
    "einsum": (lambda t, a, b: t.einsum("bij,jk->bik", a, b), (_randn(2, 3, 4), _randn(4, 2))),
    "einsum(diagonal)": (lambda t, a: _sq(t.einsum("bii->bi", a)), (_randn(2, 3, 3),)),
    "einsum(broadcast)": (lambda t, a, b: _sq(t.einsum("bij,bjk->bik", a, b)),
                          (_randn(1, 3, 4), _randn(2, 4, 2))),
    "cross": (lambda t, a, b: _sq(t.linalg.cross(a, b)), (_randn(1, 3), _randn(4, 3, seed=1))),
    "matmul": (lambda t, a, b: _sq(a @ b), (_randn(2, 3, 4), _randn(4, 5))),
    "addmm": (lambda t, x, a, b: _sq(t.addmm(x, a, b, beta=0.5, alpha=2.0)),
              (_randn(3, 2), _randn(3, 4), _randn(4, 2))),
    "solve": (lambda t, a, b: t.linalg.solve(a, b),
              (_spd(3, (2,)), _randn(3, 2))),
    "solve(left=False)": (lambda t, a, b: t.linalg.solve(a, b, left=False),
                          (_spd(3), _randn(2, 3))),
    "inv": (lambda t, a: t.linalg.inv(a), (_spd(3),)),
    "det": (lambda t, a: t.linalg.det(a), (_randn(2, 3, 3),)),
    "det(singular)": (lambda t, a: t.linalg.det(a),
                      (np.array([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 1.0], [0.0, 3.0]]]),)),
    "slogdet": (lambda t, a: t.linalg.slogdet(a)[1], (_randn(3, 3),)),
    "cholesky(upper)": (lambda t, a: t.linalg.cholesky(a, upper=True), (_spd(3, (2,)),)),
    "qr": (lambda t, a: t.linalg.qr(a), (_randn(4, 3),)),
    "qr(wide)": (lambda t, a: t.linalg.qr(a), (_randn(3, 4),)),
    "eigh": (lambda t, a: (t.linalg.eigh(a)[0], _sq(t.linalg.eigh(a)[1])), (_spd(3, (2,)),)),
    "svd": (lambda t, a: tuple(_sq(x) if i != 1 else x for i, x in
                               enumerate(t.linalg.svd(a, full_matrices=False))), (_randn(4, 3),)),
    "svd(wide)": (lambda t, a: tuple(_sq(x) if i != 1 else x for i, x in
                                     enumerate(t.linalg.svd(a, full_matrices=False))),
                  (_randn(3, 4),)),
    "svd(full_matrices)": (lambda t, a: tuple(_sq(x) if i != 1 else x for i, x in
                                              enumerate(t.linalg.svd(a))), (_randn(4, 3),)),
    "svdvals": (lambda t, a: t.linalg.svdvals(a), (_randn(2, 4, 3),)),
    "matrix_norm(nuc)": (lambda t, a: t.linalg.matrix_norm(a, "nuc"), (_randn(3, 4),)),
    "pinv": (lambda t, a: t.linalg.pinv(a), (_randn(4, 3),)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_second_derivative_matches_torch(name, second_order_matches_torch):
    fn, arrays = CASES[name]
    second_order_matches_torch(fn, arrays, first=(RTOL, ATOL), second=(RTOL, ATOL))


def test_qr_r_mode_has_no_derivative_at_any_order():
    a = minitorch.tensor(_randn(4, 3), requires_grad=True)
    r = minitorch.linalg.qr(a, mode="r")[1]
    with pytest.raises(RuntimeError, match="mode='r'"):
        minitorch.autograd.grad(r.sum(), a, create_graph=True)


@pytest.mark.parametrize("op", ["eigh", "svdvals", "qr"])
def test_input_written_in_place_after_a_factorization(op):
    """First order uses the saved factors, as torch: A may change afterwards. Under
    create_graph=True A is factorized again, so a changed A is refused, never used."""
    a = _spd(3)
    fns = {"eigh": lambda t, x: t.linalg.eigh(x)[0], "svdvals": lambda t, x: t.linalg.svdvals(x),
           "qr": lambda t, x: t.linalg.qr(x)[1]}
    grads = []
    for lib in (minitorch, torch):
        x = lib.tensor(a, requires_grad=True)
        b = x * 1
        y = fns[op](lib, b)
        b.add_(1)
        grads.append(lib.autograd.grad(y.sum(), x)[0].detach().numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10, atol=1e-12)
    x = minitorch.tensor(a, requires_grad=True)
    b = x * 1
    y = fns[op](minitorch, b)
    b.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        minitorch.autograd.grad(y.sum(), x, create_graph=True)


def test_a_view_factorized_then_its_base_written_in_place():
    x = minitorch.tensor(np.stack([_spd(3), _spd(4)[:3, :3]]), requires_grad=True)
    base = x * 1
    lam = minitorch.linalg.eigvalsh(base[0])
    base.add_(1)
    with pytest.raises(RuntimeError, match="LinalgEighBackward0's input .* version 1"):
        minitorch.autograd.grad(lam.sum(), x, create_graph=True)
