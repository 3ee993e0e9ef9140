"""Op-table rows for the runtime names a CPU training script touches besides the math.

`torch.Size`, `finfo`/`iinfo`, the RNG state, thread counts, the
deterministic flag, `compile`, `autocast`, `amp.GradScaler`, `is_tensor`,
`numel`, `Tensor.half`/`nelement`, `manual_seed`'s edge cases, the
creation family's errors (negative and huge sizes, strings as data),
`axis=` on cat/stack and `load(map_location=...)`. Most results are small
Python facts, so a row calls one named case in both engines and returns a
tuple of them (strings are compared with `minitorch` read as `torch`); the
bad inputs check torch's exception class. Rows that change global state
(thread counts, flags, the RNG) put it back, so the sweep's other rows run
as before. The lead wires ROWS into the sweep (op_table.ALL_ROWS).
"""

from __future__ import annotations

import io
import pickle
from typing import Any, Callable, Iterator

import numpy as np

from parity.op_table import arr, bad, method
from parity.samples import ALL_DTYPES, Call, shaped
from parity.spec import KnownDifference, OpSpec, Sample

FAMILY = "runtime"
ROWS: list[OpSpec] = []
VEC = arr([1.5, -2.5, 3.0])


def _row(name: str, fn: Callable[..., Any], samples: Any, **kw: Any) -> OpSpec:
    kw.setdefault("covers", (name,))
    kw.setdefault("differentiable", False)
    kw.setdefault("dtypes", ("float32",))
    kw.setdefault("bench", False)  # facts about the runtime: nothing for the bench to time
    spec = OpSpec(name=name, family=FAMILY, fn=fn, samples=samples, **kw)
    ROWS.append(spec)
    return spec


def _cases(*names: str) -> Callable[..., Iterator[Sample]]:
    """One quick sample per named case."""
    return lambda rng, dtype: iter([Sample((n,), {}, n, tags=frozenset({"quick"}))
                                    for n in names])


def _bad(*names: str) -> tuple[Sample, ...]:
    return tuple(bad(n, desc=n) for n in names)


def _dispatch(cases: dict[str, Callable[[Any], Any]]) -> Callable[..., Any]:
    def call(lib: Any, case: str) -> Any:
        return cases[case](lib)
    return call


# -- Size --------------------------------------------------------------------------------------
def _size_facts(lib: Any) -> Any:
    s, big = lib.Size([2, 3]), lib.Size([2**70])  # torch checks int64 only when it must
    assert big[0] == 2**70 and len(big) == 1
    return (repr(s), str(s), s.numel(), lib.Size([]).numel(), repr(lib.Size()),
            repr(s[1:]), type(s[1:]).__name__, repr(s[::-1]), s[0], s[-1], type(s[0]).__name__,
            repr(s + (4,)), type(s + (4,)).__name__, repr((4,) + s), type((4,) + s).__name__,
            repr(s + lib.Size([1])), repr(s * 2), repr(2 * s), repr(s * 0), s == (2, 3),
            s == [2, 3], hash(s) == hash((2, 3)), s.count(2), s.index(3), len(s), tuple(s),
            repr(lib.Size([True])), repr(lib.Size(x for x in [1, 2])), repr(lib.Size([-1])),
            repr(lib.Size([lib.tensor(3)])), repr(lib.Size(np.array([4, 5]))),
            repr(pickle.loads(pickle.dumps(s))), isinstance(s, tuple), repr(s + ()))


SIZE_CASES: dict[str, Callable[[Any], Any]] = {
    "facts": _size_facts,
    "float item": lambda lib: lib.Size([2.5]),
    "str item": lambda lib: lib.Size(["a"]),
    "an int": lambda lib: lib.Size(3),
    "repr of 2**70": lambda lib: repr(lib.Size([2**70])),
    "numel of 2**70": lambda lib: lib.Size([2, 2**70]).numel(),
    "float tensor item": lambda lib: lib.Size([lib.tensor(3.0)]),
    "+ list": lambda lib: lib.Size([2, 3]) + [1],
    "+ (1.5,)": lambda lib: lib.Size([2, 3]) + (1.5,),
    "* 1.5": lambda lib: lib.Size([2, 3]) * 1.5,
}
_row("Size", _dispatch(SIZE_CASES), _cases("facts"), bad_inputs=_bad(*list(SIZE_CASES)[1:]),
     covers=("Size",))


# -- finfo and iinfo ---------------------------------------------------------------------------
def _finfo_facts(lib: Any) -> Any:
    out: list[Any] = []
    for d in (lib.float16, lib.float32, lib.float64, None, float):
        f = lib.finfo() if d is None else lib.finfo(d)
        out.append((f.bits, f.eps, f.max, f.min, f.tiny, f.smallest_normal, f.resolution,
                    f.dtype, repr(f), str(f)))
    out.append(lib.finfo(lib.float32) == lib.finfo(lib.float32))
    out.append(lib.finfo(type=lib.float64).dtype)
    for d in (lib.uint8, lib.int8, lib.int16, lib.int32, lib.int64, int):
        i = lib.iinfo(d)
        out.append((i.bits, i.max, i.min, i.dtype, repr(i), str(i)))
    out.append(lib.iinfo(lib.int32) == lib.iinfo(lib.int32))
    return tuple(out)


INFO_CASES: dict[str, Callable[[Any], Any]] = {
    "facts": _finfo_facts,
    "finfo(int32)": lambda lib: lib.finfo(lib.int32),
    "finfo(bool)": lambda lib: lib.finfo(lib.bool),
    "finfo(int)": lambda lib: lib.finfo(int),
    "finfo(bool type)": lambda lib: lib.finfo(bool),
    "finfo('float32')": lambda lib: lib.finfo("float32"),
    "finfo(1)": lambda lib: lib.finfo(1),
    "finfo(np.float32)": lambda lib: lib.finfo(np.float32),
    "hash(finfo)": lambda lib: hash(lib.finfo(lib.float32)),
    "iinfo(float32)": lambda lib: lib.iinfo(lib.float32),
    "iinfo(bool)": lambda lib: lib.iinfo(lib.bool),
    "iinfo(float)": lambda lib: lib.iinfo(float),
    "iinfo()": lambda lib: lib.iinfo(),
    "iinfo('int32')": lambda lib: lib.iinfo("int32"),
}
_row("finfo", _dispatch(INFO_CASES), _cases("facts"), bad_inputs=_bad(*list(INFO_CASES)[1:]),
     covers=("finfo", "iinfo"))


# -- the RNG state -----------------------------------------------------------------------------
def _with_rng_kept(lib: Any, body: Callable[[], Any]) -> Any:
    """Run body and put the global generator back as it was (the sweep's other rows)."""
    saved = lib.get_rng_state()
    try:
        return body()
    finally:
        lib.set_rng_state(saved)


def _rng_facts(lib: Any) -> Any:
    def body() -> Any:
        lib.manual_seed(5)
        state = lib.get_rng_state()
        first = lib.rand(4)
        lib.manual_seed(7)
        lib.set_rng_state(state)
        again = lib.rand(4)
        seed_back = lib.initial_seed()
        with lib.random.fork_rng():
            lib.randn(3)
        after_fork = lib.rand(2)
        lib.set_rng_state(state)
        lib.rand(4)
        not_forked = lib.rand(2)
        with lib.random.fork_rng(enabled=False):
            lib.rand(1)
        g = lib.Generator()
        g.manual_seed(3)
        g_state = g.get_state()
        g_first = lib.rand(3, generator=g)
        g.set_state(g_state)
        g_again = lib.rand(3, generator=g)
        return (lib.equal(first, again), seed_back, lib.equal(after_fork, not_forked),
                str(state.dtype), state.dim(), lib.equal(g_first, g_again),
                lib.is_tensor(state), state.requires_grad,
                lib.random.get_rng_state is not None, lib.equal(lib.random.get_rng_state(),
                                                                lib.get_rng_state()))
    return _with_rng_kept(lib, body)


RNG_CASES: dict[str, Callable[[Any], Any]] = {
    "facts": _rng_facts,
    "set_rng_state(list)": lambda lib: lib.set_rng_state([1, 2]),
    "set_rng_state(float tensor)": lambda lib: lib.set_rng_state(lib.get_rng_state().float()),
    "set_rng_state(3 bytes)": lambda lib: lib.set_rng_state(lib.zeros(3, dtype=lib.uint8)),
}
_row("get_rng_state", _dispatch(RNG_CASES), _cases("facts"),
     bad_inputs=_bad(*list(RNG_CASES)[1:]),
     covers=("get_rng_state", "set_rng_state", "random.fork_rng", "Generator.get_state",
             "Generator.set_state"),
     known=(KnownDifference(
         "the state is NumPy's PCG64 (48 bytes), not torch's Mersenne Twister (5056 bytes)",
         "minitorch draws from NumPy; a state round-trips within one engine, not across"),
            ))


def _seed_facts(lib: Any) -> Any:
    def body() -> Any:
        seeds = []
        for s in (-1, -(2**63), 2**64 - 1, 1.5, "3", True, lib.tensor(4), np.int64(5), 0):
            lib.manual_seed(s)
            seeds.append(lib.initial_seed())
        return tuple(seeds)
    return _with_rng_kept(lib, body)


SEED_CASES: dict[str, Callable[[Any], Any]] = {
    "facts": _seed_facts,
    "manual_seed(2**70)": lambda lib: lib.manual_seed(2**70),
    "manual_seed(2**64)": lambda lib: lib.manual_seed(2**64),
    "manual_seed(-2**63 - 1)": lambda lib: lib.manual_seed(-(2**63) - 1),
    "manual_seed(None)": lambda lib: lib.manual_seed(None),
    "manual_seed('x')": lambda lib: lib.manual_seed("x"),
}
_row("manual_seed(edges)", _dispatch(SEED_CASES), _cases("facts"),
     bad_inputs=_bad(*list(SEED_CASES)[1:]), covers=("manual_seed", "initial_seed"))


# -- threads and determinism -------------------------------------------------------------------
def _thread_facts(lib: Any) -> Any:
    before = lib.get_num_threads()
    try:
        lib.set_num_threads(3)
        three = lib.get_num_threads()
        lib.set_num_threads(np.int64(1))
        one = lib.get_num_threads()
    finally:
        lib.set_num_threads(before)
    interop = lib.get_num_interop_threads()
    return (three, one, type(before).__name__, type(interop).__name__, interop >= 1)


THREAD_CASES: dict[str, Callable[[Any], Any]] = {
    "facts": _thread_facts,
    "set_num_threads(0)": lambda lib: lib.set_num_threads(0),
    "set_num_threads(-1)": lambda lib: lib.set_num_threads(-1),
    "set_num_threads(2.0)": lambda lib: lib.set_num_threads(2.0),
    "set_num_threads('2')": lambda lib: lib.set_num_threads("2"),
    "set_num_threads(True)": lambda lib: lib.set_num_threads(True),
    "set_num_threads(tensor)": lambda lib: lib.set_num_threads(lib.tensor(2)),
    "set_num_threads(2**31)": lambda lib: lib.set_num_threads(2**31),
    "set_num_threads(2**63)": lambda lib: lib.set_num_threads(2**63),
    "set_num_interop_threads(0)": lambda lib: lib.set_num_interop_threads(0),
    "set_num_interop_threads(2.5)": lambda lib: lib.set_num_interop_threads(2.5),
    "set_num_interop_threads(2**40)": lambda lib: lib.set_num_interop_threads(2**40),
}
_row("set_num_threads", _dispatch(THREAD_CASES), _cases("facts"),
     bad_inputs=_bad(*list(THREAD_CASES)[1:]),
     covers=("set_num_threads", "get_num_threads", "set_num_interop_threads",
             "get_num_interop_threads"))


def _deterministic_facts(lib: Any) -> Any:
    facts: list[Any] = [lib.are_deterministic_algorithms_enabled()]
    try:
        lib.use_deterministic_algorithms(True)
        facts += [lib.are_deterministic_algorithms_enabled(),
                  lib.is_deterministic_algorithms_warn_only_enabled(),
                  lib.get_deterministic_debug_mode()]
        lib.use_deterministic_algorithms(True, warn_only=True)
        facts += [lib.is_deterministic_algorithms_warn_only_enabled(),
                  lib.get_deterministic_debug_mode()]
        for mode in ("default", "warn", "error", 0, 1, 2):
            lib.set_deterministic_debug_mode(mode)
            facts += [lib.get_deterministic_debug_mode(),
                      lib.are_deterministic_algorithms_enabled()]
    finally:
        lib.use_deterministic_algorithms(False)
    facts.append(lib.are_deterministic_algorithms_enabled())
    return tuple(facts)


DET_CASES: dict[str, Callable[[Any], Any]] = {
    "facts": _deterministic_facts,
    "use_deterministic_algorithms(1)": lambda lib: lib.use_deterministic_algorithms(1),
    "use_deterministic_algorithms('x')": lambda lib: lib.use_deterministic_algorithms("x"),
    "warn_only=1": lambda lib: lib.use_deterministic_algorithms(False, warn_only=1),
    "no mode": lambda lib: lib.use_deterministic_algorithms(),
    "debug mode 'bogus'": lambda lib: lib.set_deterministic_debug_mode("bogus"),
    "debug mode 5": lambda lib: lib.set_deterministic_debug_mode(5),
    "debug mode 1.0": lambda lib: lib.set_deterministic_debug_mode(1.0),
}
_row("use_deterministic_algorithms", _dispatch(DET_CASES), _cases("facts"),
     bad_inputs=_bad(*list(DET_CASES)[1:]),
     covers=("use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
             "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
             "get_deterministic_debug_mode"))


# -- compile, autocast, GradScaler -------------------------------------------------------------
def _double(x: Any) -> Any:
    return x * 2


def _compile_facts(lib: Any) -> Any:
    # torch's compiled function is only built, never called, and with the "eager" backend:
    # inductor would cost seconds to import. What must agree is what the calls accept.
    module = lib.nn.Linear(2, 2)
    deco = lib.compile(mode="reduce-overhead", backend="eager")
    return (callable(lib.compile(_double, backend="eager")),
            callable(lib.compile(backend="eager")(_double)),
            callable(deco), callable(deco(_double)), callable(lib.compile(fullgraph=True)),
            lib.compile(_double, disable=True) is _double,
            lib.compile(module, disable=True) is module,
            callable(lib.compile(module, backend="eager")),
            callable(lib.compile(_double, dynamic=True, backend="eager")),
            callable(lib.compile(_double, mode="bogus", backend="eager")))


COMPILE_CASES: dict[str, Callable[[Any], Any]] = {
    "facts": _compile_facts,
    "compile(3)": lambda lib: lib.compile(3, backend="eager"),
    "compile('x')": lambda lib: lib.compile("x", backend="eager"),
    "mode and options": lambda lib: lib.compile(_double, mode="default", options={}),
    "decorator on None": lambda lib: lib.compile()(None),
}
_row("compile", _dispatch(COMPILE_CASES), _cases("facts"),
     bad_inputs=_bad(*list(COMPILE_CASES)[1:]), covers=("compile",))


def _autocast_values(lib: Any, x: Any, enabled: bool) -> Any:
    with lib.autocast("cpu", enabled=enabled):
        inside = x @ x.T
    with lib.autocast(device_type="cpu", dtype=lib.float32):  # unsupported: disabled, warns
        unsupported = x @ x.T
    with lib.autocast("cuda"):  # no CUDA: disabled, warns
        on_cuda = x + 1

    @lib.autocast("cpu", enabled=enabled)
    def decorated(t: Any) -> Any:
        return t @ t.T

    with lib.amp.autocast("cpu:0", enabled=False):
        amp_form = x.sum()
    return inside, unsupported, on_cuda, decorated(x), amp_form


def _autocast_call(lib: Any, x: Any, **kwargs: Any) -> Any:
    """The values computed under autocast (kwargs: enabled=), or, for the bad inputs, only
    the construction autocast(**kwargs)."""
    if "enabled" in kwargs:
        return _autocast_values(lib, x, kwargs["enabled"])
    return lib.autocast(**kwargs)


def _autocast_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for enabled in (False, True):
        desc = f"enabled={enabled}" + (" (torch: bfloat16 matmul)" if enabled else "")
        yield Sample((rng.standard_normal((3, 4)).astype(dtype),), {"enabled": enabled}, desc,
                     tags=frozenset({"quick"}))


_row("autocast", _autocast_call, _autocast_samples,
     bad_inputs=(bad(VEC, desc="no device_type"),
                 bad(VEC, device_type="foo", desc="device_type='foo'"),
                 bad(VEC, device_type=1, desc="device_type=1")),
     covers=("autocast", "amp.autocast"),
     known=(KnownDifference(
         "autocast changes no dtype: inside autocast('cpu') minitorch computes in float32 "
         "where torch runs matmuls in bfloat16",
         "minitorch has no bfloat16, and lower precision buys NumPy no speed",
         lambda s: s.kwargs.get("enabled") is True),))


def _scaler_run(lib: Any, w0: Any, g_scale: float, enabled: bool) -> Any:
    """Three SGD steps under a GradScaler on 'cpu'; the second step's gradient overflows."""
    w = lib.nn.Parameter(w0.clone())
    opt = lib.optim.SGD([w], lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=g_scale, growth_interval=1, enabled=enabled)
    facts: list[Any] = [scaler.is_enabled(), scaler.get_scale(), scaler.state_dict()]
    for step in range(3):
        opt.zero_grad()
        loss = (w * w).sum() * (float("inf") if step == 1 else 1.0)
        scaled = scaler.scale(loss)
        scaled.backward()
        scaler.step(opt)
        scaler.update()
        facts += [scaled.detach(), w.detach().clone(), scaler.get_scale()]
    facts.append(scaler.state_dict())
    return tuple(facts)


def _scaler_call(lib: Any, w0: Any, scale: float = 4.0, enabled: bool = True) -> Any:
    return _scaler_run(lib, w0, scale, enabled)


def _scaler_extra(lib: Any) -> Any:
    on_cuda = lib.amp.GradScaler()  # torch's default device: no CUDA, so disabled
    off = lib.amp.GradScaler("cpu", enabled=False)
    on = lib.amp.GradScaler("cpu")
    loaded = lib.amp.GradScaler("cpu", init_scale=8.0)
    loaded.load_state_dict(on.state_dict())
    return (on_cuda.is_enabled(), on_cuda.get_scale(), off.get_scale(), off.state_dict(),
            on.get_scale(), on.state_dict(), loaded.get_scale(),
            lib.amp.GradScaler("cpu", enabled=False).scale(lib.ones(2)))


_row("amp.GradScaler", _scaler_call,
     lambda rng, dtype: iter([
         Sample((arr([1.0, -2.0, 0.5]),), {"scale": 4.0}, "scale 4, growth every step",
                tags=frozenset({"quick"})),
         Sample((arr([1.0, -2.0, 0.5]),), {"scale": 4.0, "enabled": False}, "enabled=False",
                tags=frozenset({"quick"}))]),
     covers=("amp.GradScaler",))
_row("amp.GradScaler(state)", _dispatch({"facts": _scaler_extra,
                                          "growth_factor=0.5": lambda lib: lib.amp.GradScaler(
                                              "cpu", growth_factor=0.5),
                                          "load empty": lambda lib: lib.amp.GradScaler(
                                              "cpu").load_state_dict({})}),
     _cases("facts"), bad_inputs=_bad("growth_factor=0.5", "load empty"),
     covers=("amp.GradScaler",))


# -- what kind of object, how many elements ----------------------------------------------------
def _kind_facts(lib: Any) -> Any:
    t = lib.zeros(2, 3)
    return (lib.is_tensor(t), lib.is_tensor(lib.nn.Parameter(lib.zeros(1))), lib.is_tensor(1),
            lib.is_tensor(np.zeros(2)), lib.is_tensor([t]), lib.is_storage(t),
            lib.is_storage(1), lib.numel(t), lib.numel(lib.tensor(1.0)),
            lib.numel(input=lib.zeros(0, 4)), t.nelement(), lib.zeros(()).nelement())


KIND_CASES: dict[str, Callable[[Any], Any]] = {
    "facts": _kind_facts,
    "numel(list)": lambda lib: lib.numel([1, 2]),
    "numel(3)": lambda lib: lib.numel(3),
}
_row("is_tensor", _dispatch(KIND_CASES), _cases("facts"),
     bad_inputs=_bad(*list(KIND_CASES)[1:]),
     covers=("is_tensor", "is_storage", "numel", "Tensor.nelement"))
_row("Tensor.half", method("half"),
     shaped([Call((3, 4)), Call((2, 3), noncontig=True), Call(())]), dtypes=ALL_DTYPES,
     covers=("Tensor.half",))
_row("Tensor.nelement", method("nelement"),
     shaped([Call((3, 4)), Call((0, 2)), Call(())]), dtypes=ALL_DTYPES,
     covers=("Tensor.nelement",))
_row("Tensor.bfloat16", method("bfloat16"), shaped([Call((3,))]),
     covers=("Tensor.bfloat16",),
     known=(KnownDifference("Tensor.bfloat16() raises TypeError",
                            "NumPy has no bfloat16 type to hold the result"),))


# -- the creation family's errors --------------------------------------------------------------
CREATION_CASES: dict[str, Callable[[Any], Any]] = {
    "shapes": lambda lib: (tuple(lib.nn.Linear(3, 2).weight.shape),
                           tuple(lib.nn.Linear(3, 0).weight.shape), tuple(lib.empty(0, 3).shape)),
    "nn.Linear(3, -1)": lambda lib: lib.nn.Linear(3, -1),
    "nn.Linear(-1, 3)": lambda lib: lib.nn.Linear(-1, 3),
    "nn.Embedding(-1, 3)": lambda lib: lib.nn.Embedding(-1, 3),
    "nn.Conv2d(3, -1, 3)": lambda lib: lib.nn.Conv2d(3, -1, 3),
    "empty(2**40)": lambda lib: lib.empty(2**40),
    "zeros(2**38)": lambda lib: lib.zeros(2**38),
    "ones(2**40, uint8)": lambda lib: lib.ones(2**40, dtype=lib.uint8),
    "full((2**40,), 1.0)": lambda lib: lib.full((2**40,), 1.0),
    "rand(2**40)": lambda lib: lib.rand(2**40),
    "nn.Linear(2**40, 2**10)": lambda lib: lib.nn.Linear(2**40, 2**10),
    "empty(2**62, 4)": lambda lib: lib.empty(2**62, 4),
    "empty(-1)": lambda lib: lib.empty(-1),
    "zeros(2, -1)": lambda lib: lib.zeros(2, -1),
    "tensor(['a'])": lambda lib: lib.tensor(["a"]),
    "tensor([['a']])": lambda lib: lib.tensor([["a"]]),
    "tensor('a')": lambda lib: lib.tensor("a"),
    "tensor([1, 'a'])": lambda lib: lib.tensor([1, "a"]),
    "tensor([b'a'])": lambda lib: lib.tensor([b"a"]),
}
_row("creation(errors)", _dispatch(CREATION_CASES), _cases("shapes"),
     bad_inputs=_bad(*list(CREATION_CASES)[1:]),
     covers=("empty", "zeros", "ones", "full", "rand", "tensor", "nn.Linear"))


# -- axis= on cat and stack --------------------------------------------------------------------
def _joined(lib: Any, op: str, x: Any, y: Any, **kwargs: Any) -> Any:
    return getattr(lib, op)([x, y], **kwargs)


def _axis_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    a = rng.standard_normal((2, 3)).astype(dtype)
    b = rng.standard_normal((2, 3)).astype(dtype)
    for op in ("cat", "concat", "concatenate", "stack"):
        for axis in (0, 1, -1):
            yield Sample((op, a, b), {"axis": axis}, f"{op} axis={axis}",
                         tags=frozenset({"quick"}) if axis == 1 else frozenset())


_row("cat(axis=)", _joined, _axis_samples, dtypes=("float32", "float64"), differentiable=True,
     bad_inputs=(bad("cat", VEC, VEC, axis=1, desc="cat axis=1 of 1-d"),
                 bad("stack", VEC, VEC, axis=3, desc="stack axis=3"),
                 bad("cat", VEC, VEC, axis=0, dim=0, desc="axis and dim")),
     covers=("cat", "concat", "concatenate", "stack", "axis="))


# -- load(map_location=...) --------------------------------------------------------------------
def _loaded(lib: Any, where: Any) -> Any:
    buf = io.BytesIO()
    lib.save({"w": lib.arange(3.0), "n": 2}, buf)
    buf.seek(0)
    if where == "device('cpu')":
        where = lib.device("cpu")
    elif where == "device('cpu', 0)":
        where = lib.device("cpu", 0)
    elif where == "identity":
        where = _keep_storage
    elif where == "returns None":
        where = _no_storage
    elif where == "returns a str":
        where = _location
    return lib.load(buf, map_location=where)


def _keep_storage(storage: Any, location: str) -> Any:
    return storage


def _no_storage(storage: Any, location: str) -> Any:
    return None


def _location(storage: Any, location: str) -> Any:
    return location


_MAP_OK = ("cpu", None, "device('cpu')", {"cpu": "cpu"}, {"cuda:0": "cpu"}, "identity",
           "returns None")
_row("load(map_location)", _loaded,
     lambda rng, dtype: iter([Sample((w,), {}, f"map_location={w!r}",
                                     tags=frozenset({"quick"})) for w in _MAP_OK]),
     bad_inputs=tuple(bad(w, desc=f"map_location={w!r}") for w in (
         "cpu:0", "device('cpu', 0)", {"cpu": "cpu:0"}, "cuda", "cuda:0", {"cpu": "cuda"},
         "foo", "cpu:1", 5, "returns a str")),
     covers=("load", "map_location"))


# -- float32 matmul precision and autocast state: recorded flags ---------------------------------
def _precision_facts(lib: Any) -> Any:
    facts = [lib.get_float32_matmul_precision()]
    try:
        for p in ("high", "medium", "highest"):
            lib.set_float32_matmul_precision(p)
            facts.append(lib.get_float32_matmul_precision())
    finally:
        lib.set_float32_matmul_precision("highest")
    return tuple(facts)


_row("set_float32_matmul_precision", _dispatch({"facts": _precision_facts}), _cases("facts"),
     covers=("set_float32_matmul_precision", "get_float32_matmul_precision"))


def _autocast_state(lib: Any) -> Any:
    facts = [lib.is_autocast_enabled(), lib.is_autocast_enabled("cpu")]
    with lib.autocast("cpu"):
        facts += [lib.is_autocast_enabled(), lib.is_autocast_enabled("cpu")]
        with lib.autocast("cpu", enabled=False):
            facts.append(lib.is_autocast_enabled("cpu"))
        facts.append(lib.is_autocast_enabled("cpu"))
    facts += [lib.is_autocast_enabled("cpu"), str(lib.get_autocast_dtype("cuda"))]
    return tuple(facts)


_row("is_autocast_enabled", _dispatch({"facts": _autocast_state}), _cases("facts"),
     covers=("is_autocast_enabled", "get_autocast_dtype"))
