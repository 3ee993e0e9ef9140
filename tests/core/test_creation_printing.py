"""Creation, printing, comparisons and gradcheck against torch.

Each check runs the same call through torch and minitorch and compares what
comes out: dtype, shape, values, repr (with `torch.` read as `minitorch.`),
or the class of the error raised.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch.autograd.function import Function
from minitorch.printing import format_tensor
from minitorch.testing import GradcheckError, assert_close, gradcheck

NAN, INF = math.nan, math.inf


def run(lib, fn):
    """fn(lib) -> ("ok", value) or ("err", exception class name)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "ok", fn(lib)
    except Exception as e:
        return "err", type(e).__name__


def describe(t):
    """What must agree between the two engines' tensors."""
    name = str(t.dtype).split(".")[-1]
    data = t.detach().numpy() if isinstance(t, torch.Tensor) else t.array
    return name, tuple(t.shape), np.asarray(data).tolist(), bool(t.requires_grad)


def same_outcome(fn):
    kind_t, got_t = run(torch, fn)
    kind_m, got_m = run(mt, fn)
    assert kind_t == kind_m, (kind_t, got_t, kind_m, got_m)
    if kind_t == "err":
        assert got_t == got_m
    return got_t, got_m


def same_tensor(fn):
    got_t, got_m = same_outcome(fn)
    if isinstance(got_t, torch.Tensor):
        dt, st, vt, rt = describe(got_t)
        dm, sm, vm, rm = describe(got_m)
        assert (dt, st, rt) == (dm, sm, rm)
        np.testing.assert_array_equal(np.array(vm), np.array(vt))


# -- tensor(): dtype inference, shapes, errors --------------------------------
DATA = [
    "[1, 2.0]", "[True, 1]", "[True, 1.0]", "[True, False]", "7", "2.5", "True", "[]", "[[]]",
    "[[], []]", "np.float64(1.5)", "np.int32(3)", "np.float32(3)", "[np.float64(1.0), 2.0]",
    "[np.int32(1), 2]", "[np.float32(1.0), 2]", "[L.tensor(1.), L.tensor(2.)]",
    "[L.tensor(1), L.tensor(2.)]", "[L.tensor(1., dtype=L.float64), 2]", "[[1, 2], [3]]",
    "[[1, 2], 3]", "[1, [2]]", "'abc'", "[2**63]", "[2**63 - 1]", "[1.7, -1.7]", "(1, 2)",
    "range(3)", "[1, None]", "None", "[[True, False], [False, True]]",
    "[np.array([1., 2.]), np.array([3., 4.])]", "np.array([[1, 2], [3, 4]]).T", "np.array(5)",
    "np.array([1, 2], dtype=np.int32)", "np.array([1.5], dtype=np.float32)",
    "np.array([1, 2], dtype=object)", "[[[1.5]]]", "[[1, 2], [3, 4.5]]", "[L.tensor([1.])]",
    "[np.int64(2), 1.5]", "[[1, 2], (3, 4)]", "[[[1], [2]], [[3], [4, 5]]]",
    "L.tensor([1., 2.], requires_grad=True)", "[float('nan'), float('inf')]",
]
KWARGS = [{}, {"dtype": "float64"}, {"dtype": "int64"}, {"dtype": "int32"}, {"dtype": "bool"},
          {"dtype": "float32", "requires_grad": True}, {"requires_grad": True}]


@pytest.mark.parametrize("kw", KWARGS, ids=str)
@pytest.mark.parametrize("expr", DATA)
def test_tensor_inference_matches_torch(expr, kw):
    def make(L):
        kwargs = {k: getattr(L, v) if k == "dtype" else v for k, v in kw.items()}
        return L.tensor(eval(expr, {"L": L, "np": np}), **kwargs)

    same_tensor(make)


def test_tensor_copies_and_from_numpy_shares():
    a = np.array([1.0, 2.0])
    t = mt.tensor(a)
    a[0] = 9.0
    assert t.array[0] == 1.0 and t.dtype is mt.float64
    s = mt.from_numpy(a)
    a[1] = 7.0
    assert s.array[1] == 7.0 and s.dtype is mt.float64
    assert mt.as_tensor(a).array is a
    src = mt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning):
        c = mt.tensor(src)
    assert not c.requires_grad and not np.shares_memory(c.array, src.array)
    assert mt.tensor(np.arange(6).reshape(2, 3).T).array.flags.c_contiguous


@pytest.mark.parametrize("dt", [np.complex64, np.uint32, object])
def test_unsupported_numpy_dtypes_raise_type_error(dt):
    a = np.array([1, 2], dtype=dt)
    for make in (mt.tensor, mt.from_numpy):
        with pytest.raises(TypeError, match=np.dtype(dt).name if dt is not object else "object"):
            make(a)


def test_default_dtype_follows_set_default_dtype():
    mt.set_default_dtype(mt.float64)
    try:
        assert mt.tensor([1.0]).dtype is mt.float64
        assert mt.zeros(2).dtype is mt.float64
        assert mt.arange(0.5, 2).dtype is mt.float64
        assert repr(mt.tensor([1.0, 2.0])) == "tensor([1., 2.])"
        assert repr(mt.tensor([1.0], dtype=mt.float32)) == "tensor([1.], dtype=minitorch.float32)"
    finally:
        mt.set_default_dtype(mt.float32)


# -- factories -----------------------------------------------------------------
FACTORIES = [
    "L.zeros(2, 3)", "L.zeros((2, 3))", "L.zeros([2, 3])", "L.zeros(())", "L.zeros()",
    "L.zeros(-1)", "L.ones(2, -1)", "L.zeros(2.5)", "L.ones(2, dtype=L.int64)",
    "L.zeros(2, dtype=L.int64, requires_grad=True)", "L.ones(2, requires_grad=True)",
    "L.full((2,), 1)", "L.full((2,), True)", "L.full((2,), 1.5)", "L.full(2, 1.5)",
    "L.full([2], 1.5)", "L.full((2,), L.tensor(1.5, dtype=L.float64))", "L.full((2,), L.tensor(3))",
    "L.full((2,), 1.5, dtype=L.int64)", "L.full((), 2)", "L.full((2,), np.float64(1.5))",
    "L.full((2,), float('nan'), dtype=L.int64)", "L.full((2,), 2**40, dtype=L.int32)",
    "L.full((2,), 1e300, dtype=L.float32)",
    "L.zeros_like(L.tensor([1, 2]))", "L.zeros_like(L.tensor([1., 2.], requires_grad=True))",
    "L.ones_like(L.tensor([1, 2]), dtype=L.float64)", "L.full_like(L.tensor([1, 2]), 2.7)",
    "L.full_like(L.tensor([1., 2.]), 2)", "L.full_like(L.tensor([1, 2]), float('nan'))",
    "L.eye(3)", "L.eye(2, 3)", "L.eye(2, dtype=L.int64)", "L.eye(-1)", "L.eye(0)",
    "L.eye(2, m=0)", "L.eye(2.5)", "L.empty(2, 3).shape", "L.empty_like(L.zeros(2, 1)).shape",
    "L.arange(5)", "L.arange(1, 5)", "L.arange(0, 5, 2)", "L.arange(0., 5)", "L.arange(0, 5, 0.5)",
    "L.arange(5, 0)", "L.arange(0, 5, -1)", "L.arange(0, 5, 0)", "L.arange(0, float('inf'))",
    "L.arange(0.5, 5, dtype=L.int64)", "L.arange(0, 5, 1.5, dtype=L.int64)",
    "L.arange(0, 5, 1.5, dtype=L.int32)", "L.arange(0, 5, 0.5, dtype=L.int64)",
    "L.arange(0, 5, 0.5, dtype=L.int32)", "L.arange(5, dtype=L.bool)", "L.arange(-7, 7, 3)",
    "L.arange(7, -7, -3)", "L.arange(1, 2**40, 2**38)", "L.arange(L.tensor(5))",
    "L.arange(L.tensor(2.5))", "L.arange(5, requires_grad=True)",
    "L.arange(5., requires_grad=True)",
    "L.arange(0, 1e-20, 1e-21)", "L.linspace(0, 1, 5)", "L.linspace(0, 10, 5, dtype=L.int64)",
    "L.linspace(0, 1, 1)", "L.linspace(0, 1, 0)", "L.linspace(0, 1, -1)", "L.linspace(3, 3, 4)",
    "L.linspace(0, 1, 5, dtype=L.bool)", "L.linspace(-1.7, 10.2, 6, dtype=L.int64)",
    "L.rand(2, dtype=L.int64)", "L.randn(2, dtype=L.int64)", "L.rand_like(L.tensor([1, 2]))",
    "L.randn_like(L.tensor([1, 2]))", "L.rand(2, 3).shape", "L.randn((2, 3)).shape",
    "L.rand(()).shape", "L.rand(2, requires_grad=True).requires_grad", "L.randint(5, (3,)).dtype",
    "L.randint(2, 5, (3,)).shape", "L.randint(5, 5, (3,))",
    "L.randint(3, (2,), dtype=L.float32).dtype",
    "L.randint(5, size=(2,)).shape", "L.randint(5, 3)", "L.randint(-2, (3,))",
    "L.randperm(4).dtype", "L.randperm(-1)", "L.randperm(5).sum()",
    "L.normal(0., 1., (2,)).shape", "L.normal(L.zeros(3), 1.).shape",
    "L.normal(L.zeros(3), L.ones(2))", "L.normal(0., -1., (2,))",
    "L.normal(L.zeros(3, dtype=L.int64), 1.)", "L.from_numpy([1, 2])",
]


@pytest.mark.parametrize("expr", FACTORIES)
def test_factories_match_torch(expr):
    got_t, got_m = same_outcome(lambda L: eval(expr, {"L": L, "np": np}))
    if isinstance(got_t, torch.Tensor):
        if "rand" in expr or "empty" in expr or "normal" in expr:
            assert describe(got_t)[:2] == describe(got_m)[:2]
        else:
            same_tensor(lambda L: eval(expr, {"L": L, "np": np}))
    elif isinstance(got_t, torch.dtype):
        assert repr(got_t).replace("torch.", "minitorch.") == repr(got_m)
    elif isinstance(got_t, torch.Size):
        assert tuple(got_t) == tuple(got_m)
    else:
        assert got_t == got_m


ARANGE_CASES = [(0, 1, 0.1), (0, 10, 0.3), (-1, 1, 0.01), (1.5, 100.25, 0.37), (0, 1, 1 / 3),
                (3, -2, -0.7), (-5.3, 7.1, 0.013), (1e6, 1e6 + 10, 0.1), (0, 5000, 0.07)]


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_arange_values_are_bit_equal_to_torch(dt):
    # Where torch's SIMD blocks start depends on how many threads split the loop: minitorch
    # gives torch's one-thread answer on every machine.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        _check_arange(dt)
    finally:
        torch.set_num_threads(threads)


def test_arange_does_not_depend_on_the_machine():
    # Long enough for torch's loop to be split: the answer must not follow the thread count.
    here = mt.arange(0.0, 80_000.0, 0.37).array
    code = ("import sys, minitorch as mt; "
            "sys.stdout.buffer.write(mt.arange(0.0, 80_000.0, 0.37).array.tobytes())")
    env = dict(os.environ, OMP_NUM_THREADS="7", PYTHONPATH=str(Path(__file__).parents[2]))
    there = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           check=True).stdout
    np.testing.assert_array_equal(np.frombuffer(there, dtype=here.dtype), here)


def _check_arange(dt: str) -> None:
    rng = np.random.default_rng(0)
    cases = list(ARANGE_CASES) + [(0.0, 80_000.0, 0.37)]
    for _ in range(60):
        s = rng.normal() * rng.choice([1, 10, 1000])
        st = rng.choice([-1, 1]) * 10 ** rng.uniform(-3, 1)
        cases.append((float(s), float(s + st * rng.integers(1, 2000)), float(st)))
    for s, e, st in cases:
        want = torch.arange(s, e, st, dtype=getattr(torch, dt)).numpy()
        got = mt.arange(s, e, st, dtype=getattr(mt, dt)).array
        assert got.dtype == want.dtype and got.shape == want.shape, (s, e, st)
        np.testing.assert_array_equal(got, want, err_msg=str((s, e, st)))


@pytest.mark.parametrize("dt", ["float32", "float64", "int64", "int32"])
def test_linspace_values_are_bit_equal_to_torch(dt):
    rng = np.random.default_rng(1)
    cases = [(0, 1, 11), (-3.3, 7.7, 57), (5, -5, 7), (0, 10, 1000)]
    cases += [(float(rng.normal() * 10), float(rng.normal() * 100), int(rng.integers(2, 500)))
              for _ in range(60)]
    for s, e, n in cases:
        if dt.startswith("int"):
            s, e = s * 10, e * 10
        want = torch.linspace(s, e, n, dtype=getattr(torch, dt)).numpy()
        got = mt.linspace(s, e, n, dtype=getattr(mt, dt)).array
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want, err_msg=str((s, e, n)))


def test_fma_emulation_is_correctly_rounded():
    from fractions import Fraction

    from minitorch._torch_exact import fma_exact

    rng = np.random.default_rng(2)
    a, b, c = rng.normal(size=(3, 300)) * 10.0 ** rng.integers(-5, 5, size=(3, 300))
    got = fma_exact(a, b, c)
    want = [float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in zip(a, b, c)]
    np.testing.assert_array_equal(got, np.array(want))


def test_random_draws_follow_the_generator_and_ranges():
    mt.manual_seed(3)
    a = mt.rand(1000)
    mt.manual_seed(3)
    assert mt.equal(a, mt.rand(1000))
    assert a.dtype is mt.float32 and 0 <= a.array.min() and a.array.max() < 1
    g = mt.Generator(5)
    r = mt.randint(2, 7, (500,), generator=g)
    assert r.dtype is mt.int64 and r.array.min() >= 2 and r.array.max() <= 6
    assert sorted(mt.randperm(10).tolist()) == list(range(10))
    n = mt.randn(20000, dtype=mt.float64)
    assert abs(n.array.mean()) < 0.05 and abs(n.array.std() - 1) < 0.05
    u = mt.zeros(2000).uniform_(-2, 3)
    assert u.array.min() >= -2 and u.array.max() < 3
    s = mt.empty(4000, dtype=mt.float64).normal_(5.0, 2.0)
    assert abs(s.array.mean() - 5) < 0.2 and abs(s.array.std() - 2) < 0.2


# -- to, clone, in-place fillers -----------------------------------------------
def test_to_and_clone_match_torch():
    for expr in [
        "x.to(L.float64)", "x.to(L.int64)", "x.to(L.float32, copy=True)", "x.to('cpu')",
        "x.to('cpu', L.float64)", "x.to(L.tensor([1]))", "x.to(dtype=L.int32)", "x.to(float)",
        "x.to(int)", "x.to('banana')", "x.clone()", "x.double()",
        "x.to(device='cpu', dtype=L.float64)",
    ]:
        def make(L, expr=expr):
            x = L.tensor([1.5, -2.0], requires_grad=True)
            return repr(eval(expr, {"L": L, "x": x})).replace("torch.", "minitorch.")

        same_outcome(make)
    x = mt.tensor([1.0, 2.0])
    assert x.to(mt.float32) is x and x.to("cpu") is x and x.to(x) is x
    assert x.to(mt.float32, copy=True) is not x
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    (w.to(mt.float64) * mt.tensor([3.0, 4.0], dtype=mt.float64)).sum().backward()
    assert w.grad.dtype is mt.float32 and w.grad.tolist() == [3.0, 4.0]
    c = mt.tensor([1.0, 2.0], requires_grad=True)
    (c.clone() * c.clone()).sum().backward()
    assert c.grad.tolist() == [2.0, 4.0]


INPLACE = [
    "leaf().fill_(3)", "(leaf() * 2).fill_(3)", "(leaf() * 2).copy_(L.tensor([5., 6.]))",
    "L.zeros(2).copy_(leaf())", "L.zeros(2).fill_(L.tensor([1.]))",
    "L.zeros(2).fill_(L.tensor(1.5))",
    "L.zeros(2, dtype=L.long).fill_(2.7)", "L.zeros(2).copy_(3.)",
    "L.zeros(2, 3).copy_(L.tensor([1, 2, 3]))", "L.zeros(2, 3).copy_(L.tensor([1, 2]))",
    "L.zeros(3).copy_(L.zeros(2, 3))", "L.zeros(2).uniform_(1, 0)", "L.zeros(2).normal_(0, -1)",
    "L.zeros(2, dtype=L.long).uniform_()", "L.zeros(2, dtype=L.long).normal_()",
    "L.zeros(2, dtype=L.long).fill_(float('nan'))", "L.zeros(2).fill_(True)",
    "L.zeros(2, dtype=L.bool).fill_(2)", "L.zeros(2).copy_(np.array([1., 2.]))",
    "L.zeros(2, dtype=L.int32).fill_(2**40)", "L.zeros(2).fill_(1e300)",
]


@pytest.mark.parametrize("expr", INPLACE)
def test_inplace_fillers_match_torch(expr):
    def make(L):
        def leaf():
            return L.tensor([1.0, 2.0], requires_grad=True)

        return repr(eval(expr, {"L": L, "np": np, "leaf": leaf})).replace("torch.", "minitorch.")

    got_t, got_m = same_outcome(make)
    assert got_t == got_m


def test_inplace_gradients_match_torch():
    def copy_into_nonleaf(L):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        b = L.tensor([5.0, 6.0], dtype=L.float64, requires_grad=True)
        y = a * 2
        y.copy_(b * 3)
        y.sum().backward()
        return a.grad.tolist(), b.grad.tolist(), str(b.grad.dtype).split(".")[-1]

    def fill_with_tensor(L):
        m = L.tensor(3.0, requires_grad=True)
        y = L.zeros(2, requires_grad=True) * 1
        y.fill_(m * 2)
        y.sum().backward()
        return m.grad.item(), y.grad_fn.name()

    def copy_broadcast_into_plain(L):
        x = L.zeros(2, 3)
        b = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x.copy_(b)
        (x * x).sum().backward()
        return x.is_leaf, b.grad.tolist()

    def no_grad_on_leaf(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        with L.no_grad():
            x.fill_(3)
            x.zero_()
            x.copy_(L.ones(2))
        return x.tolist(), x._version, x.is_leaf

    def stale_saved_value(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        z = y * y
        y.fill_(5.0)
        z.backward(L.ones(2))

    for fn in (copy_into_nonleaf, fill_with_tensor, copy_broadcast_into_plain,
               no_grad_on_leaf, stale_saved_value):
        got_t, got_m = same_outcome(fn)
        assert got_t == got_m, fn.__name__


# -- printing ------------------------------------------------------------------
def _repr_arrays():
    rng = np.random.default_rng(0)
    return [
        [1.0, 2.0], [1.5, 2.25], [1e-5, 1e10], [1, 2], [True, False], [True, True], 1.5, 1.0, 0.0,
        -0.0, [0.0, 0.0], [-0.0, 1.0], [NAN], [INF, -INF, NAN], [NAN, 1.0], [INF, 1.5], [1e-4],
        [1e-5], [1e8], [1.1e8], [123456789.0], [[1.0, 2.0], [3.0, 4.0]],
        [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], [], [[]], np.zeros((0, 3)), np.zeros((2, 0, 3)),
        [-1.5, 2.0], [1000.0, 1.0], [1001.0, 1.0], [0.001, 1.0], [1e-10, 0.0], [100000000.5],
        np.arange(100.0), np.arange(1001.0), np.arange(2000).reshape(40, 50),
        np.arange(10000.0).reshape(10, 10, 100), np.linspace(-3, 3, 37).reshape(37, 1),
        rng.normal(size=(5, 7)), rng.normal(size=(3, 4, 5)) * 1e5, rng.normal(size=(1001,)),
        rng.normal(size=(8, 130)), rng.integers(-1000, 1000, size=(30, 40)),
        rng.integers(0, 2, size=(1001,)).astype(bool), rng.integers(0, 2, size=(7, 9)).astype(bool),
        [2**40, -3], 7, -7, True, False, [[1e-20, 1e20]], [0.1, 0.2, 0.3], rng.random((2, 3, 4, 5)),
        np.full((3, 3), NAN), [1e300, 1e-300], [12345.678, 0.5], rng.normal(size=(100,)) * 1e-6,
        np.arange(30.0).reshape(1, 1, 30), [[1, 2, 3]], [[[[1.5]]]],
        np.arange(16).reshape(2, 2, 2, 2),
    ]


@pytest.mark.parametrize("dt", [None, np.float32, np.float64, np.int64, np.int32, np.bool_])
def test_repr_matches_torch(dt):
    for values in _repr_arrays():
        arr = np.array(values)
        if dt is None:
            if arr.dtype == np.float64 and not isinstance(values, np.ndarray):
                arr = arr.astype(np.float32)
        else:
            if arr.dtype.kind == "f" and dt in (np.int64, np.int32) and not np.isfinite(arr).all():
                continue
            with np.errstate(all="ignore"):
                arr = arr.astype(dt)
        for requires_grad in (False, True) if arr.dtype.kind == "f" else (False,):
            want = torch.from_numpy(arr.copy()).requires_grad_(requires_grad)
            got = mt.from_numpy(arr.copy()).requires_grad_(requires_grad)
            assert format_tensor(got) == repr(want).replace("torch.", "minitorch."), arr


def test_repr_of_graph_results_matches_torch():
    def make(L):
        x = L.tensor([[1.0, -2.5], [3e-3, 4.0]], dtype=L.float64, requires_grad=True)
        y = L.tensor([0.5, 2.0], requires_grad=True)
        made = [x * 2, y * 3, y.clone(), (y * y).sum(), x.to(L.float32), y.detach(),
                L.tensor([], dtype=L.int64), L.zeros(0, 2, dtype=L.bool)]
        return [repr(t) for t in made]

    got_t, got_m = same_outcome(make)
    assert [r.replace("torch.", "minitorch.") for r in got_t] == got_m


# -- comparisons -----------------------------------------------------------------
CMP_VALUES = {
    "f32": np.array([1.0, NAN, 3.0, -INF, 0.5, 2.0], dtype=np.float32),
    "f64": np.array([1.0, 2.0, NAN, INF, 0.5, 2.0000001]),
    "i64": np.array([1, 2, 3, -4, 0, 2]),
    "i32": np.array([1, 0, 3, 4, 0, 7], dtype=np.int32),
    "b": np.array([True, False, True, False, False, True]),
    "f32_0d": np.array(2.0, dtype=np.float32),
    "f64_0d": np.array(1.1),
    "i64_0d": np.array(2),
    "f32_col": np.array([[1.0], [NAN], [2.0]], dtype=np.float32),
}
BINARY = ["eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
          "bitwise_and", "bitwise_or", "bitwise_xor", "isclose", "allclose", "equal"]


def _cmp_result(r):
    if isinstance(r, bool):
        return r
    return describe(r)[:2], np.asarray(describe(r)[2]).tolist()


@pytest.mark.parametrize("op", BINARY)
def test_binary_comparisons_match_torch(op):
    for a in CMP_VALUES.values():
        for b in CMP_VALUES.values():
            def call(L, a=a, b=b):
                return _cmp_result(getattr(L, op)(L.from_numpy(a.copy()), L.from_numpy(b.copy())))

            got_t, got_m = same_outcome(call)
            assert str(got_t) == str(got_m), (op, a, b)
        if op in ("logical_and", "logical_or", "logical_xor", "isclose", "allclose", "equal"):
            continue
        for s in (2, 2.5, 1.1, True, False, 0, -INF, NAN):
            def call_scalar(L, a=a, s=s):
                return _cmp_result(getattr(L, op)(L.from_numpy(a.copy()), s))

            got_t, got_m = same_outcome(call_scalar)
            assert str(got_t) == str(got_m), (op, a, s)


@pytest.mark.parametrize("op", ["logical_not", "bitwise_not", "isnan", "isinf", "isfinite",
                                "isposinf", "isneginf", "all", "any"])
def test_unary_logic_matches_torch(op):
    for a in CMP_VALUES.values():
        def call(L, a=a):
            return _cmp_result(getattr(L, op)(L.from_numpy(a.copy())))

        got_t, got_m = same_outcome(call)
        assert str(got_t) == str(got_m)


def test_all_any_dims_match_torch():
    x = np.random.default_rng(0).integers(0, 2, size=(2, 3, 4)).astype(np.float32)
    for op in ("all", "any"):
        for dim in (None, 0, 1, -1, (0, 1), (0, 2), (), (0, 1, 2), 3):
            for keepdim in (False, True):
                got_t, got_m = same_outcome(
                    lambda L, op=op, dim=dim, keepdim=keepdim: _cmp_result(
                        getattr(L, op)(L.from_numpy(x), dim=dim, keepdim=keepdim)))
                assert str(got_t) == str(got_m), (op, dim, keepdim)


def test_comparisons_never_require_grad_and_operators_work():
    x = mt.tensor([1.0, 2.0, NAN], requires_grad=True)
    for r in (x > 1, x == x, x != 2, x <= 1.5, mt.isnan(x), mt.logical_not(x)):
        assert r.dtype is mt.bool and not r.requires_grad and r.grad_fn is None
    assert (x != x).tolist() == [False, False, True]
    assert mt.allclose(x, x, equal_nan=True) is True and mt.equal(x, x) is False
    with pytest.raises(RuntimeError):
        mt.allclose(mt.tensor([1.0]), mt.tensor([1.0], dtype=mt.float64))


# -- gradcheck and assert_close -------------------------------------------------
class Cube(Function):
    """y = x**3;  x: grad * 3 * x**2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad * 3 * x**2


class WrongCube(Cube):
    """A planted bug: the derivative of x**3 with 2 for 3."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad * 2 * x**2


class MulAdd(Function):
    """z = x * y + x;  x: grad * (y + 1),  y: grad * x."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y + x

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        return grad * (y + 1), grad * x


def _inputs(*shapes):
    rng = np.random.default_rng(0)
    return tuple(mt.tensor(rng.normal(size=s), dtype=mt.float64, requires_grad=True)
                 for s in shapes)


def test_gradcheck_passes_on_correct_backwards():
    x, y = _inputs((2, 3), (2, 3))
    assert gradcheck(Cube.apply, (x,))
    assert gradcheck(Cube.apply, x)
    assert gradcheck(MulAdd.apply, (x, y))
    assert gradcheck(lambda a, b: (MulAdd.apply(a, b), Cube.apply(b)), (x, y))
    assert gradcheck(lambda a, k: Cube.apply(a) * k, (x, 3.0))


def test_gradcheck_catches_a_planted_wrong_backward():
    (x,) = _inputs((3,))
    with pytest.raises(GradcheckError, match="mismatch for output 0 with respect to input 0"):
        gradcheck(WrongCube.apply, (x,))
    assert issubclass(GradcheckError, RuntimeError)
    assert gradcheck(WrongCube.apply, (x,), raise_exception=False) is False
    y, z = _inputs((2,), (2,))
    with pytest.raises(GradcheckError, match="output 1 with respect to input 1"):
        gradcheck(lambda a, b: (Cube.apply(a), WrongCube.apply(b)), (y, z))


def test_gradcheck_input_rules_follow_torch():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(Cube.apply, (mt.tensor([1.0, 2.0], dtype=mt.float64),))
    with pytest.warns(UserWarning, match="is not a double precision"):
        gradcheck(Cube.apply, (mt.tensor([1.0, 2.0], requires_grad=True),), raise_exception=False)


def test_assert_close_tolerances_and_messages():
    assert_close(mt.tensor([1.0, 2.0]), mt.tensor([1.0, 2.0 + 1e-6]))
    assert_close(mt.tensor([1.0], dtype=mt.float64), mt.tensor([1.0 + 1e-8], dtype=mt.float64))
    assert_close(1.0, 1.0 + 1e-9)
    cases = [
        (mt.tensor([1.0, 2.0, 3.0]), mt.tensor([1.0, 2.5, 3.0])),
        (mt.tensor(1.0), mt.tensor(2.0)),
        (mt.tensor([1, 2]), mt.tensor([1, 3])),
        (mt.tensor([1.0, 2.0]), mt.tensor([1.0, 2.0], dtype=mt.float64)),
        (mt.tensor([1.0, 2.0]), mt.tensor([1.0, 2.0, 3.0])),
        (mt.tensor([1.0, 2.0], dtype=mt.float64), mt.tensor([1.0, 2.0 + 1e-6], dtype=mt.float64)),
    ]
    for actual, expected in cases:
        with pytest.raises(AssertionError) as mine:
            assert_close(actual, expected)
        with pytest.raises(AssertionError) as theirs:
            torch.testing.assert_close(torch.from_numpy(actual.array),
                                       torch.from_numpy(expected.array))
        want = str(theirs.value).replace("torch.", "minitorch.").splitlines()
        got = str(mine.value).splitlines()
        if "'shape'" in want[0]:  # torch prints shapes as torch.Size([2]), we as (2,)
            assert got[0].startswith("The values for attribute 'shape' do not match")
        else:  # torch's lines, then our extra "First mismatch at ..." line
            assert got[: len(want)] == want
    with pytest.raises(ValueError, match="Both 'rtol' and 'atol'"):
        assert_close(mt.tensor([1.0]), mt.tensor([1.0]), rtol=0.1)


def test_gradcheck_handles_non_contiguous_inputs_and_constant_outputs():
    (x,) = _inputs((3, 2))
    xt = x.detach().mT.requires_grad_()  # a transposed view
    assert gradcheck(Cube.apply, (xt,))
    assert gradcheck(lambda a: (Cube.apply(a), mt.tensor([1, 2])), (x,))


def test_numpy_force_reads_a_tensor_that_requires_grad_as_torch():
    for lib in (mt, torch):
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="requires grad"):
            x.numpy()
        a = x.numpy(force=True)
        assert a.tolist() == [1.0, 1.0]


def test_to_and_type_as_fast_paths() -> None:
    # to('cpu') and to(same dtype) return the tensor itself, type_as converts (or not) like
    # to(other.dtype), and a non-tensor other is torch's TypeError
    x = mt.ones(3)
    assert x.to("cpu") is x and x.to(mt.float32) is x and x.type_as(mt.zeros(2)) is x
    assert x.to(mt.float64).dtype == mt.float64
    assert x.type_as(mt.zeros(2, dtype=mt.int64)).dtype == mt.int64
    with pytest.raises(TypeError, match="must be Tensor, not int"):
        x.type_as(3)
