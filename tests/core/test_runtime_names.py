"""The runtime names of a CPU training script, checked against torch 2.13.

Size, finfo/iinfo, the RNG state, manual_seed's edges, thread counts, the
deterministic flag, compile, autocast, amp.GradScaler, is_tensor/numel,
Tensor.half/nelement/bfloat16, the creation family's errors, axis= on
cat/stack and load(map_location=...). Expected values and exception classes
come from running torch on the same call. Calls that make torch import its
compiler (use_deterministic_algorithms(True), torch.compile: 10+ seconds)
are left to parity/rows_names.py; here only minitorch runs those.
"""

from __future__ import annotations

import io
import pickle
import warnings

import numpy as np
import pytest
import torch

import minitorch as mt


def _same_error(call, *args, **kwargs):
    """Run call(lib, ...) in both engines: torch must raise, and minitorch the same class."""
    with pytest.raises(Exception) as theirs:
        call(torch, *args, **kwargs)
    with pytest.raises(Exception) as mine:
        call(mt, *args, **kwargs)
    assert type(mine.value).__mro__[0].__name__ in {
        c.__name__ for c in type(theirs.value).__mro__}, (mine.value, theirs.value)
    return mine.value


def _same_facts(facts):
    assert str(facts(mt)).replace("minitorch", "torch") == str(facts(torch))


# -- Size --------------------------------------------------------------------------------------
def test_size_is_a_tuple_that_prints_and_slices_like_torch() -> None:
    _same_facts(lambda lib: (
        lib.Size([2, 3]), lib.Size(), lib.Size([2, 3]).numel(), lib.Size([]).numel(),
        lib.Size([2, 3, 4])[1:], type(lib.Size([2, 3, 4])[1:]).__name__, lib.Size([2, 3])[-1],
        lib.Size([2, 3]) + (4,), (4,) + lib.Size([2, 3]), type((4,) + lib.Size([2])).__name__,
        lib.Size([2, 3]) * 2, 2 * lib.Size([1]), lib.Size([True]), lib.Size(iter([1, 2])),
        lib.Size([2, 3]) == (2, 3), lib.Size([2, 3]) == [2, 3], lib.Size([-1])))
    s = mt.Size([2, 3])
    assert hash(s) == hash((2, 3)) and isinstance(s, tuple)
    assert type(pickle.loads(pickle.dumps(s))) is mt.Size
    assert mt.Size([mt.tensor(3), np.int64(4)]) == (3, 4)
    fast = mt.Size._of((2, 3))
    assert type(fast) is mt.Size and fast == s and repr(fast) == repr(s)


@pytest.mark.parametrize("make", [
    lambda lib: lib.Size([2.5]), lambda lib: lib.Size(["a"]), lambda lib: lib.Size(3),
    lambda lib: lib.Size([lib.tensor(3.0)]), lambda lib: lib.Size([2, 3]) + [1],
    lambda lib: lib.Size([2]) + (1.5,), lambda lib: repr(lib.Size([2**70])),
    lambda lib: lib.Size([2**70]).numel()])
def test_size_refuses_what_torch_refuses(make) -> None:
    _same_error(make)


# -- finfo and iinfo ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo_matches_torch(name: str) -> None:
    mine, theirs = mt.finfo(getattr(mt, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(mine, attr) == getattr(theirs, attr), attr
        assert type(getattr(mine, attr)) is type(getattr(theirs, attr)), attr
    assert repr(mine) == repr(theirs)
    assert mine == mt.finfo(getattr(mt, name))


def test_finfo_defaults_and_python_types() -> None:
    assert repr(mt.finfo()) == repr(torch.finfo())
    assert repr(mt.finfo(float)) == repr(torch.finfo(float))
    assert repr(mt.iinfo(int)) == repr(torch.iinfo(int))
    mt.set_default_dtype(mt.float64)
    torch.set_default_dtype(torch.float64)
    try:
        assert mt.finfo().dtype == torch.finfo().dtype == "float64"
    finally:
        mt.set_default_dtype(mt.float32)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_matches_torch(name: str) -> None:
    mine, theirs = mt.iinfo(getattr(mt, name)), torch.iinfo(getattr(torch, name))
    assert (mine.bits, mine.max, mine.min, mine.dtype, repr(mine)) == (
        theirs.bits, theirs.max, theirs.min, theirs.dtype, repr(theirs))


@pytest.mark.parametrize("call", [
    lambda lib: lib.finfo(lib.int32), lambda lib: lib.finfo(lib.bool), lambda lib: lib.finfo(int),
    lambda lib: lib.finfo("float32"), lambda lib: lib.finfo(np.float32),
    lambda lib: hash(lib.finfo(lib.float32)), lambda lib: lib.iinfo(lib.float32),
    lambda lib: lib.iinfo(lib.bool), lambda lib: lib.iinfo(float), lambda lib: lib.iinfo()])
def test_info_errors_match_torch(call) -> None:
    _same_error(call)


# -- RNG state and seeds -----------------------------------------------------------------------
def test_rng_state_round_trips_numbers_and_seed() -> None:
    mt.manual_seed(5)
    state = mt.get_rng_state()
    first = mt.rand(5)
    mt.manual_seed(7)
    mt.set_rng_state(state)
    assert mt.equal(mt.rand(5), first) and mt.initial_seed() == 5
    assert state.dtype == mt.uint8 and state.dim() == 1 and not state.requires_grad
    g = mt.Generator().manual_seed(3)
    saved = g.get_state()
    a = mt.randn(4, generator=g)
    assert g.set_state(saved) is g and mt.equal(mt.randn(4, generator=g), a)


def test_fork_rng_puts_the_generator_back() -> None:
    mt.manual_seed(1)
    with mt.random.fork_rng():
        mt.rand(10)
    inside_skipped = mt.rand(3)
    mt.manual_seed(1)
    assert mt.equal(mt.rand(3), inside_skipped)
    with mt.random.fork_rng(enabled=False):
        mt.rand(1)
    assert not mt.equal(mt.rand(3), inside_skipped)


@pytest.mark.parametrize("call", [
    lambda lib: lib.set_rng_state([1, 2]),
    lambda lib: lib.set_rng_state(lib.get_rng_state().float()),
    lambda lib: lib.set_rng_state(lib.zeros(3, dtype=lib.uint8))])
def test_set_rng_state_errors_match_torch(call) -> None:
    _same_error(call)


def test_manual_seed_edges_match_torch() -> None:
    for seed in (-1, -(2**63), 2**64 - 1, 1.5, "3", True, np.int64(5)):
        mt.manual_seed(seed)
        torch.manual_seed(seed)
        assert mt.initial_seed() == torch.initial_seed(), seed
    for seed in (2**70, 2**64, -(2**63) - 1, None, "x"):
        _same_error(lambda lib, s=seed: lib.manual_seed(s))
    mt.manual_seed(0)
    torch.manual_seed(0)


# -- threads, determinism ----------------------------------------------------------------------
def test_thread_counts_are_recorded() -> None:
    before = mt.get_num_threads()
    try:
        mt.set_num_threads(3)
        assert mt.get_num_threads() == 3
        mt.set_num_interop_threads(2)
        assert mt.get_num_interop_threads() == 2
    finally:
        mt.set_num_threads(before)


@pytest.mark.parametrize("value", [0, -1, 2.0, "2", True, 2**31, 2**63])
def test_thread_count_errors_match_torch(value) -> None:
    before = torch.get_num_threads()
    _same_error(lambda lib: lib.set_num_threads(value))
    _same_error(lambda lib: lib.set_num_interop_threads(value))
    assert torch.get_num_threads() == before


def test_deterministic_flags() -> None:
    assert not mt.are_deterministic_algorithms_enabled()
    try:
        mt.use_deterministic_algorithms(True, warn_only=True)
        assert mt.are_deterministic_algorithms_enabled()
        assert mt.is_deterministic_algorithms_warn_only_enabled()
        assert mt.get_deterministic_debug_mode() == 1
        mt.set_deterministic_debug_mode("error")
        assert (mt.get_deterministic_debug_mode(), mt.are_deterministic_algorithms_enabled(),
                mt.is_deterministic_algorithms_warn_only_enabled()) == (2, True, False)
        mt.set_deterministic_debug_mode(0)
        assert not mt.are_deterministic_algorithms_enabled()
    finally:
        mt.use_deterministic_algorithms(False)


@pytest.mark.parametrize("call", [
    lambda lib: lib.set_deterministic_debug_mode("bogus"),
    lambda lib: lib.set_deterministic_debug_mode(5),
    lambda lib: lib.set_deterministic_debug_mode(1.0)])
def test_deterministic_errors_match_torch(call) -> None:
    _same_error(call)


@pytest.mark.parametrize("args, kwargs", [((1,), {}), (("x",), {}), ((False,), {"warn_only": 1})])
def test_deterministic_flags_must_be_bools(args, kwargs) -> None:
    # torch raises TypeError here too, after importing its compiler (10+ s): that comparison
    # is parity/rows_names.py's "use_deterministic_algorithms" row.
    with pytest.raises(TypeError, match="must be bool"):
        mt.use_deterministic_algorithms(*args, **kwargs)


# -- compile, autocast, GradScaler -------------------------------------------------------------
def test_compile_returns_the_model_unchanged() -> None:
    def f(x):
        return x * 2

    module = mt.nn.Linear(2, 2)
    assert mt.compile(f) is f and mt.compile(module) is module
    assert mt.compile()(f) is f and mt.compile(mode="max-autotune", fullgraph=True)(f) is f

    @mt.compile
    def g(x):
        return x + 1

    @mt.compile(dynamic=True)
    def h(x):
        return x - 1

    x = mt.tensor([1.0, 2.0])
    assert g(x).tolist() == [2.0, 3.0] and h(x).tolist() == [0.0, 1.0]


def test_compile_errors() -> None:
    # Classes and messages as torch 2.13 raises them (checked by parity/rows_names.py, which
    # pays torch's compiler import once).
    with pytest.raises(AssertionError, match="A callable function is expected"):
        mt.compile(3)
    with pytest.raises(RuntimeError, match="Either mode or options"):
        mt.compile(lambda x: x, mode="default", options={})
    with pytest.raises(RuntimeError, match="Unrecognized mode=bogus"):
        mt.compile(lambda x: x, mode="bogus")
    with pytest.raises(RuntimeError, match="Model can't be None"):
        mt.compile()(None)


def test_autocast_accepts_torch_forms_and_changes_nothing() -> None:
    x = mt.tensor([[1.0, 2.0], [3.0, 4.0]])
    with mt.autocast("cpu"):
        inside = x @ x
    assert inside.dtype == mt.float32 and mt.equal(inside, x @ x)

    @mt.autocast(device_type="cpu", dtype=mt.float16)
    def f(t):
        return t @ t

    assert f(x).dtype == mt.float32
    assert mt.amp.autocast is mt.autocast
    for kwargs in ({"device_type": "cuda"}, {"device_type": "cpu", "dtype": mt.float64}):
        with warnings.catch_warnings(record=True) as mine:
            warnings.simplefilter("always")
            mt.autocast(**kwargs)
        with warnings.catch_warnings(record=True) as theirs:
            warnings.simplefilter("always")
            torch.autocast(**{k: getattr(torch, v.name) if k == "dtype" else v
                              for k, v in kwargs.items()})
        assert len(mine) == len(theirs) == 1


@pytest.mark.parametrize("call", [
    lambda lib: lib.autocast("foo"), lambda lib: lib.autocast(device_type=1),
    lambda lib: lib.autocast()])
def test_autocast_errors_match_torch(call) -> None:
    _same_error(call)


def _scaled_steps(lib, enabled: bool):
    w = lib.nn.Parameter(lib.tensor([1.0, -2.0, 0.5]))
    opt = lib.optim.SGD([w], lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=4.0, growth_interval=2, enabled=enabled)
    out = []
    for step in range(5):
        opt.zero_grad()
        loss = (w * w).sum() * (float("inf") if step == 2 else 1.0)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        out.append((w.detach().numpy().copy(), scaler.get_scale()))
    return out, scaler.state_dict()


@pytest.mark.parametrize("enabled", [True, False])
def test_grad_scaler_follows_torch(enabled: bool) -> None:
    mine, my_state = _scaled_steps(mt, enabled)
    theirs, their_state = _scaled_steps(torch, enabled)
    for (w_m, s_m), (w_t, s_t) in zip(mine, theirs):
        np.testing.assert_allclose(w_m, w_t, rtol=1e-6)
        assert s_m == s_t
    assert my_state == their_state


def test_grad_scaler_defaults_and_errors() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert mt.amp.GradScaler().is_enabled() == torch.amp.GradScaler().is_enabled()
    assert mt.amp.GradScaler("cpu").state_dict() == torch.amp.GradScaler("cpu").state_dict()
    _same_error(lambda lib: lib.amp.GradScaler("cpu", growth_factor=0.5))
    _same_error(lambda lib: lib.amp.GradScaler("cpu").load_state_dict({}))
    _same_error(lambda lib: lib.amp.GradScaler("cpu").scale(3.0))
    _same_error(lambda lib: _step_twice(lib, lambda scaler, opt: scaler.step(opt)))
    _same_error(lambda lib: _step_twice(lib, lambda scaler, opt: scaler.unscale_(opt)))


def _step_twice(lib, then):
    w = lib.nn.Parameter(lib.ones(3))
    opt = lib.optim.SGD([w], lr=0.1)
    scaler = lib.amp.GradScaler("cpu")
    scaler.scale((w * w).sum()).backward()
    scaler.step(opt)
    then(scaler, opt)


# -- kinds, counts, 16-bit floats --------------------------------------------------------------
def test_is_tensor_is_storage_numel() -> None:
    _same_facts(lambda lib: (
        lib.is_tensor(lib.zeros(1)), lib.is_tensor(lib.nn.Parameter(lib.zeros(1))),
        lib.is_tensor(1), lib.is_tensor(np.zeros(2)), lib.is_storage(lib.zeros(1)),
        lib.is_storage(1), lib.numel(lib.zeros(2, 3)), lib.numel(input=lib.zeros(0, 4)),
        lib.zeros(2, 3).nelement(), lib.zeros(()).nelement()))
    for bad in ([1, 2], 3):
        _same_error(lambda lib, b=bad: lib.numel(b))


def test_half_matches_torch() -> None:
    values = np.array([1.0, 1e-8, 70000.0, -0.1, 3.14159, np.nan, -np.inf], dtype=np.float32)
    mine = mt.tensor(values).half()
    assert mine.dtype == mt.float16
    np.testing.assert_array_equal(mine.numpy(), torch.tensor(values).half().numpy())
    assert mt.tensor([1, 2]).half().dtype == mt.float16


def test_bfloat16_is_refused_clearly() -> None:
    with pytest.raises(TypeError, match="bfloat16"):
        mt.zeros(2).bfloat16()
    with pytest.raises(AttributeError, match="bfloat16"):
        mt.bfloat16  # noqa: B018
    assert not hasattr(mt, "bfloat16")


# -- the creation family's errors --------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.Linear(3, -1), lambda lib: lib.nn.Embedding(-1, 3),
    lambda lib: lib.empty(2**40), lambda lib: lib.zeros(2**38),
    lambda lib: lib.ones(2**40, dtype=lib.uint8), lambda lib: lib.rand(2**40),
    lambda lib: lib.empty(2**62, 4), lambda lib: lib.tensor(["a"]),
    lambda lib: lib.tensor("a"), lambda lib: lib.tensor([1, "a"])])
def test_creation_errors_match_torch(call) -> None:
    _same_error(call)


def test_linear_negative_size_names_the_shape() -> None:
    with pytest.raises(RuntimeError, match=r"negative dimension -1: \[-1, 3\]"):
        mt.nn.Linear(3, -1)


# -- axis= on cat and stack --------------------------------------------------------------------
@pytest.mark.parametrize("op", ["cat", "concat", "concatenate", "stack"])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_axis_is_dim(op: str, axis: int) -> None:
    a = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    mine = getattr(mt, op)([mt.tensor(a), mt.tensor(a + 1)], axis=axis)
    theirs = getattr(torch, op)([torch.tensor(a), torch.tensor(a + 1)], axis=axis)
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_axis_errors() -> None:
    x = np.ones(3, dtype=np.float32)
    _same_error(lambda lib: lib.cat([lib.tensor(x)], axis=1))
    _same_error(lambda lib: lib.stack([lib.tensor(x)], 0, axis=1))
    _same_error(lambda lib: lib.cat([lib.tensor(x)], dim=0, axis=0))


# -- load(map_location=...) --------------------------------------------------------------------
def _load(lib, where):
    buf = io.BytesIO()
    lib.save({"w": lib.arange(3.0)}, buf)
    buf.seek(0)
    return lib.load(buf, map_location=where)


@pytest.mark.parametrize("where", ["cpu", None, {"cpu": "cpu"}, {"cuda:0": "cpu"},
                                   "device", "callable", "callable None"])
def test_map_location_accepted(where) -> None:
    def resolve(lib):
        if where == "device":
            return lib.device("cpu")
        if where == "callable":
            return lambda storage, location: storage
        if where == "callable None":
            return lambda storage, location: None
        return where

    assert _load(mt, resolve(mt))["w"].tolist() == _load(torch, resolve(torch))["w"].tolist()


@pytest.mark.parametrize("where", ["cpu:0", {"cpu": "cpu:0"}, "cuda", "foo", 5])
def test_map_location_refused_as_torch(where) -> None:
    # torch 2.13 on a CPU-only build refuses 'cpu:0' too: a checkpoint is tagged 'cpu'.
    _same_error(lambda lib: _load(lib, where))
    _same_error(lambda lib: _load(lib, lib.device("cpu", 0)))
    _same_error(lambda lib: _load(lib, lambda storage, location: location))


@pytest.mark.parametrize("saver, loader", [(mt, torch), (torch, mt), (mt, mt)])
def test_size_in_checkpoints_is_torch_size(saver, loader) -> None:
    buf = io.BytesIO()
    saver.save({"shape": saver.Size([2, 3])}, buf)
    buf.seek(0)
    got = loader.load(buf, weights_only=True)["shape"]
    assert type(got) is loader.Size and got == (2, 3)
