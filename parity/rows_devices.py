"""Op-table rows for devices, grad modes and the Python protocol of a tensor.

What a CPU program touches besides the math: `device('cpu')` and `t.device`,
`device=` and `pin_memory=` on every factory, `.to()` in all its forms,
`cuda.is_available()`, `inference_mode()` and `set_grad_enabled()`, the
`new_*` factories, `format(t, '.4f')`, `int(t)`, `x in t`, `t.stride()`.
Their values are small Python facts (bools, ints, strings), so most rows
return a tuple of them and both engines must agree fact for fact; the bad
inputs check torch's exception class for a CPU-only build (AssertionError
for CUDA, RuntimeError for an unknown device, ValueError for `int()` of many
elements ...). The lead wires ROWS into the sweep (op_table.ALL_ROWS).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as np

from parity.convert import DType
from parity.op_table import arr, bad, method
from parity.samples import ALL_DTYPES, Call, random_array, shaped
from parity.spec import OpSpec, Sample

FAMILY = "devices"
ROWS: list[OpSpec] = []
VEC = arr([1.5, 2.5])


def _row(name: str, fn: Callable[..., Any], samples: Any, **kw: Any) -> OpSpec:
    kw.setdefault("covers", (name,))
    kw.setdefault("differentiable", False)
    if name == "Tensor.to(forms)":  # returns several conversions: nothing for the bench to time
        kw.setdefault("bench", False)
    spec = OpSpec(name=name, family=FAMILY, fn=fn, samples=samples, **kw)
    ROWS.append(spec)
    return spec


def _once(*args: Any, desc: str = "facts", **kwargs: Any) -> Callable[..., Iterator[Sample]]:
    """A single quick sample (for rows whose fn builds its own inputs)."""
    return lambda rng, dtype: iter([Sample(args, kwargs, desc, tags=frozenset({"quick"}))])


def _call_with(lib: Any, f: Any, *args: Any, **kwargs: Any) -> Any:
    return f(*args, **kwargs)


# -- devices ---------------------------------------------------------------------------------
def device_facts(lib: Any) -> Any:
    cpu, cpu0 = lib.device("cpu"), lib.device("cpu:0")
    t = lib.zeros(2)
    return (repr(cpu), str(cpu), repr(cpu0), str(cpu0), cpu == cpu0, cpu == lib.device("cpu"),
            cpu == "cpu", hash(cpu) == hash(lib.device("cpu")), cpu.type, cpu.index, cpu0.index,
            repr(lib.device(type="cpu")), repr(lib.device("cpu", 0)), repr(lib.device(cpu)),
            repr(lib.device("cuda:1")), repr(lib.device("mps")), f"{cpu}",
            repr(t.device), t.device == cpu, t.device.type, t.is_cuda, t.is_cpu, t.get_device(),
            {cpu: 1}[lib.device("cpu")])


def make_device(lib: Any, *args: Any, **kwargs: Any) -> Any:
    return repr(lib.device(*args, **kwargs))


_row("device", device_facts, _once(), dtypes=("float32",),
     covers=("device", "Tensor.device", "Tensor.is_cuda", "Tensor.is_cpu", "Tensor.get_device"))
_row("device(str)", make_device, _once("cpu", desc="'cpu'"), dtypes=("float32",),
     bad_inputs=(bad("foo", desc="unknown type"), bad("cpu:x", desc="'cpu:x'"),
                 bad("cpu:-1", desc="'cpu:-1'"), bad("CPU", desc="'CPU'"),
                 bad(0, desc="an accelerator ordinal"), bad(1.5, desc="a float"),
                 bad("cpu:0", 1, desc="two indices"), bad("cpu", -1, desc="index -1")),
     covers=("device",))

FACTORIES: dict[str, Callable[..., Any]] = {
    "zeros": lambda lib, **k: lib.zeros(2, 3, **k),
    "ones": lambda lib, **k: lib.ones((2,), **k),
    "empty": lambda lib, **k: lib.empty(2, **k).shape,
    "full": lambda lib, **k: lib.full((2,), 1.5, **k),
    "tensor": lambda lib, **k: lib.tensor([1.0, 2.0], **k),
    "arange": lambda lib, **k: lib.arange(4, **k),
    "linspace": lambda lib, **k: lib.linspace(0, 1, 5, **k),
    "eye": lambda lib, **k: lib.eye(3, **k),
    "rand": lambda lib, **k: lib.rand(2, 3, **k).shape,
    "randn": lambda lib, **k: lib.randn(2, 3, **k).shape,
    "randint": lambda lib, **k: lib.randint(0, 5, (3,), **k).shape,
    "randperm": lambda lib, **k: lib.randperm(4, **k).shape,
    "normal": lambda lib, **k: lib.normal(0.0, 1.0, (3,), **k).shape,
    "zeros_like": lambda lib, **k: lib.zeros_like(lib.ones(2), **k),
    "ones_like": lambda lib, **k: lib.ones_like(lib.ones(2), **k),
    "empty_like": lambda lib, **k: lib.empty_like(lib.ones(2), **k).shape,
    "full_like": lambda lib, **k: lib.full_like(lib.ones(2), 3, **k),
    "rand_like": lambda lib, **k: lib.rand_like(lib.ones(2), **k).shape,
    "randn_like": lambda lib, **k: lib.randn_like(lib.ones(2), **k).shape,
    "randint_like": lambda lib, **k: lib.randint_like(lib.ones(2), 5, **k).shape,
    "new_zeros": lambda lib, **k: lib.ones(2).new_zeros(3, **k),
    "new_full": lambda lib, **k: lib.ones(2).new_full((3,), 2, **k),
}


def on_device(lib: Any, name: str, where: Any, **kwargs: Any) -> Any:
    """FACTORIES[name] with device=where, where 'cpu' / 'cpu:0' / device('cpu') / None."""
    where = lib.device("cpu") if where == "device('cpu')" else where
    return FACTORIES[name](lib, device=where, **kwargs)


def _device_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for i, name in enumerate(FACTORIES):
        for where in ("cpu", "cpu:0", "device('cpu')", None):
            yield Sample((name, where), {}, f"{name} device={where}",
                         tags=frozenset({"quick"}) if i == 0 or where == "cpu" else frozenset())
        yield Sample((name, "cpu"), {"pin_memory": False}, f"{name} pin_memory=False",
                     tags=frozenset({"quick"}))


_DEVICE_BAD = tuple(
    s for name in FACTORIES for s in (
        bad(name, "cuda", desc=f"{name} device='cuda'"),
        bad(name, "cuda:0", desc=f"{name} device='cuda:0'"),
        bad(name, "foo", desc=f"{name} device='foo'"),
        bad(name, "cpu", pin_memory=True, desc=f"{name} pin_memory=True"),
    )
) + (bad("zeros", "mps", desc="zeros device='mps'"), bad("tensor", "mps", desc="tensor mps"),
     bad("zeros", 0, desc="zeros device=0"), bad("zeros", 1.5, desc="zeros device=1.5"))
_row("device=", on_device, _device_samples, dtypes=("float32",), bad_inputs=_DEVICE_BAD,
     compare="values", covers=("device=", "pin_memory", *FACTORIES))


def to_forms(lib: Any, x: Any) -> Any:
    other = lib.zeros(1, dtype=lib.int32)
    cpu = lib.device("cpu")
    return (x.to(lib.float64), x.to("cpu") is x, x.to(cpu) is x, x.to("cpu:0") is x,
            x.to(None) is x, x.to(cpu, lib.int64), x.to("cpu", lib.float64, False, True),
            x.to(other), x.to(other, True, False), x.to(lib.float64, True), x.to() is x,
            x.to(device="cpu", dtype=lib.float64), x.to("cpu", dtype=lib.float64),
            x.to(copy=True) is x, x.to(x.dtype, copy=True) is x,
            x.to("cpu", non_blocking=True) is x, x.to(float).dtype, x.cpu() is x,
            x.to(x.dtype) is x, x.to(lib.device("cpu", 0)) is x, x.to("cpu:1") is x)


def to_call(lib: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
    return x.to(*args, **kwargs)


_row("Tensor.to(forms)", to_forms, shaped([Call((3,)), Call((2, 3))]), dtypes=ALL_DTYPES,
     covers=("to", "Tensor.to", "Tensor.cpu"))
_row("Tensor.to(bad)", to_call, _once(VEC, "cpu", desc="'cpu'"), dtypes=("float32",),
     bad_inputs=(bad(VEC, "cuda", desc="'cuda'"), bad(VEC, "cuda:1", desc="'cuda:1'"),
                 bad(VEC, "mps", desc="'mps'"), bad(VEC, "foo", desc="'foo'"),
                 bad(VEC, 5, desc="an ordinal"), bad(VEC, {}, desc="a dict"),
                 bad(VEC, DType("float64"), "cpu", desc="dtype then device"),
                 bad(VEC, "cpu", True, desc="device then a flag"),
                 bad(VEC, DType("float64"), DType("float32"), desc="two dtypes"),
                 bad(VEC, "float64", desc="a dtype's name"),
                 bad(VEC, DType("float64"), dtype=DType("float32"), desc="dtype twice")),
     covers=("Tensor.to",))
_row("Tensor.cuda", lambda lib, x, *a: x.cuda(*a), _once(VEC, desc="no cuda"),
     dtypes=("float32",), bad_inputs=(bad(VEC, desc="cuda()"), bad(VEC, 0, desc="cuda(0)")),
     covers=("Tensor.cuda",))


def accelerator_facts(lib: Any) -> Any:
    return (lib.cuda.is_available(), lib.cuda.device_count(), lib.cuda.manual_seed(1),
            lib.cuda.manual_seed_all(1), lib.cuda.is_initialized(), lib.cuda.empty_cache(),
            lib.backends.mps.is_available(), lib.backends.mps.is_built(),
            lib.backends.cudnn.is_available(), lib.backends.cudnn.benchmark,
            lib.backends.cudnn.deterministic, lib.accelerator.is_available(),
            lib.accelerator.current_accelerator(), lib.accelerator.device_count(),
            lib.zeros(1).is_pinned())


_row("cuda.is_available", accelerator_facts, _once(), dtypes=("float32",),
     covers=("cuda.is_available", "cuda.device_count", "cuda.manual_seed",
             "cuda.manual_seed_all", "backends.mps.is_available", "accelerator.is_available",
             "accelerator.current_accelerator"))
_row("cuda (refused)", lambda lib, name: getattr(lib.cuda, name)(), _once("device_count"),
     dtypes=("float32",),
     bad_inputs=(bad("current_device", desc="current_device()"),
                 bad("synchronize", desc="synchronize()")),
     covers=("cuda",))


# -- grad modes ------------------------------------------------------------------------------
def mode_facts(lib: Any, x: Any) -> Any:
    facts: list[Any] = []
    with lib.inference_mode():
        y = x * 2
        facts += [y.requires_grad, lib.is_grad_enabled(), lib.is_inference_mode_enabled()]
    facts += [lib.is_grad_enabled(), lib.is_inference_mode_enabled()]
    with lib.inference_mode(False):
        facts += [(x * 2).requires_grad, lib.is_inference_mode_enabled()]
    with lib.inference_mode(mode=True):
        facts.append((x * 2).requires_grad)

    @lib.inference_mode()
    def called(t: Any) -> Any:
        return t * 2, lib.is_inference_mode_enabled()

    @lib.inference_mode
    def bare(t: Any) -> Any:
        return t * 2

    r, inside = called(x)
    facts += [r.requires_grad, inside, bare(x).requires_grad]
    with lib.no_grad():
        with lib.inference_mode(False):
            facts.append(lib.is_grad_enabled())
        facts.append(lib.is_grad_enabled())
    return tuple(facts) + (lib.is_grad_enabled(),)


def set_grad_facts(lib: Any, x: Any) -> Any:
    facts: list[Any] = []
    lib.set_grad_enabled(False)
    facts += [lib.is_grad_enabled(), (x * 2).requires_grad]
    lib.set_grad_enabled(True)
    facts.append(lib.is_grad_enabled())
    with lib.no_grad():
        with lib.set_grad_enabled(True):
            facts += [lib.is_grad_enabled(), (x * 2).requires_grad]
        facts.append(lib.is_grad_enabled())  # restored to off
    with lib.set_grad_enabled(False):
        facts.append(lib.is_grad_enabled())
    facts.append(lib.is_grad_enabled())  # restored to on

    @lib.set_grad_enabled(False)
    def off(t: Any) -> Any:
        return (t * 2).requires_grad, lib.is_grad_enabled()

    facts += [lib.is_grad_enabled(), *off(x), lib.is_grad_enabled()]

    @lib.no_grad()
    def gen(t: Any) -> Any:
        yield lib.is_grad_enabled()
        yield (t * 2).requires_grad

    for v in gen(x):
        facts += [v, lib.is_grad_enabled()]  # the mode does not leak into the loop
    return tuple(facts)


def set_grad(lib: Any, mode: Any) -> Any:
    try:
        return lib.set_grad_enabled(mode) is not None, lib.is_grad_enabled()
    finally:
        lib.set_grad_enabled(True)


GRAD_X = shaped([Call((3,))])
_row("inference_mode", mode_facts, GRAD_X, dtypes=("float32",), differentiable=True,
     covers=("inference_mode", "is_inference_mode_enabled"))
_row("set_grad_enabled", set_grad_facts, GRAD_X, dtypes=("float32",), differentiable=True,
     covers=("set_grad_enabled", "no_grad"))
_row("set_grad_enabled(bad)", set_grad, _once(False, desc="False"), dtypes=("float32",),
     bad_inputs=(bad("yes", desc="a string"), bad(1, desc="an int")),
     covers=("set_grad_enabled",))


# -- the Python protocol ---------------------------------------------------------------------
def protocol_facts(lib: Any, x: Any) -> Any:
    """The conversions Python makes of a tensor; x is 0-d, one element, or a vector."""
    facts: list[Any] = [format(x, ""), hash(x) == id(x)]
    if x.numel() == 1:
        facts += [bool(x), int(x), float(x), complex(x)]
    if x.ndim == 0:
        facts += [format(x, ".4f") if x.is_floating_point() else format(x, "5"), f"{x:}"]
    if x.ndim:
        facts += [len(list(iter(x))), [t.item() for t in x], x[0].item() in x, 12345 in x]
        facts.append(lib.tensor(x[0].item(), dtype=x.dtype) in x)
    if not x.is_floating_point() and x.numel() == 1:
        facts.append([10, 11, 12, 13, 14, 15][x if x.dtype == lib.bool else x % 6])
    return tuple(facts)


def _protocol_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for i, shape in enumerate(((), (1,), (4,), (2, 3))):
        yield Sample((random_array(rng, shape, dtype),), {}, f"shape {shape}",
                     tags=frozenset({"quick"}) if i in (0, 2) else frozenset())


def convert(lib: Any, x: Any, how: str, *args: Any) -> Any:
    if how == "format":
        return format(x, *args)
    if how == "index":
        return [1, 2, 3][x]
    if how == "contains":
        return args[0] in x
    if how == "iter":
        return list(x)
    return {"bool": bool, "int": int, "float": float, "complex": complex}[how](x)


_SCALAR = arr(3.25)
_ONE = arr([7.0])
_row("Tensor.__format__", protocol_facts, _protocol_samples, dtypes=ALL_DTYPES,
     covers=("Tensor.__format__", "Tensor.__bool__", "Tensor.__int__", "Tensor.__float__",
             "Tensor.__complex__", "Tensor.__index__", "Tensor.__iter__", "Tensor.__contains__",
             "Tensor.__hash__"))
_row("Tensor.__format__(bad)", convert, _once(_SCALAR, "format", ".2f", desc="0-d .2f"),
     dtypes=("float32",),
     bad_inputs=(bad(_ONE, "format", ".4f", desc="format 1-element"),
                 bad(VEC, "format", ".4f", desc="format 2-element"),
                 bad(VEC, "bool", desc="bool of 2"), bad(arr([]), "bool", desc="bool of 0"),
                 bad(VEC, "int", desc="int of 2"), bad(arr([]), "int", desc="int of 0"),
                 bad(VEC, "float", desc="float of 2"), bad(VEC, "complex", desc="complex of 2"),
                 bad(_SCALAR, "index", desc="index of a float"),
                 bad(arr([1, 2], np.int64), "index", desc="index of 2 ints"),
                 bad(arr(float("nan")), "int", desc="int of nan"),
                 bad(arr(float("inf")), "int", desc="int of inf"),
                 bad(_SCALAR, "iter", desc="iter of 0-d"),
                 bad(VEC, "contains", "a", desc="a string in a tensor"),
                 bad(VEC, "contains", [1.5], desc="a list in a tensor")),
     covers=("Tensor.__format__",))


def memory_facts(lib: Any, x: Any) -> Any:
    views = [x]
    if x.ndim == 2 and x.shape[0] > 1:
        views += [x.t(), x[1:], x[:, 1:], x[:, ::2], x[1], x.unsqueeze(0).expand(3, *x.shape)]
    facts: list[Any] = []
    for v in views:
        facts += [v.stride(), v.is_contiguous(), v.element_size(), v.itemsize, v.nbytes,
                  v.storage_offset(), isinstance(v.data_ptr(), int)]
        facts += [v.stride(d) for d in range(-v.ndim, v.ndim)]
    return tuple(facts)


_row("Tensor.stride", memory_facts, shaped([Call((3, 4)), Call(()), Call((5,)), Call((0, 2))]),
     dtypes=ALL_DTYPES,
     covers=("Tensor.stride", "Tensor.is_contiguous", "Tensor.element_size", "Tensor.itemsize",
             "Tensor.nbytes", "Tensor.storage_offset", "Tensor.data_ptr"))


def stride_of(lib: Any, x: Any, d: int = 2) -> Any:
    return x.stride(d)


_row("Tensor.stride(bad)", stride_of, _once(arr(np.ones((2, 3))), 1, desc="stride(1)"),
     dtypes=("float32",),
     bad_inputs=(bad(arr(np.ones((2, 3))), 2, desc="stride(2) of 2-d"),
                 bad(arr(np.ones((2, 3))), -3, desc="stride(-3) of 2-d"),
                 bad(arr(1.0), 0, desc="stride(0) of 0-d")),
     covers=("Tensor.stride",))


# -- Tensor.new_* ----------------------------------------------------------------------------
_NEG = bad(arr([1.0]), 2, -1, desc="negative size")
_row("new_zeros", method("new_zeros"),
     shaped([Call((3,), ((2, 3),)), Call((3,), (2, 3)), Call((2,), ((),)), Call((2,), ([4],)),
             Call((2,), (2,), {"dtype": DType("int64")}),
             Call((2,), (2,), {"requires_grad": True, "dtype": DType("float64")})]),
     dtypes=ALL_DTYPES, bad_inputs=(_NEG, bad(arr([1.0]), 2.0, desc="a float size"),
                                    bad(arr([1.0]), desc="no size")),
     covers=("new_zeros", "Tensor.new_zeros"))
_row("new_ones", method("new_ones"),
     shaped([Call((3,), ((2, 3),)), Call((3,), (2,)), Call((2,), (2,), {"dtype": DType("bool")})]),
     dtypes=ALL_DTYPES, bad_inputs=(_NEG,), covers=("new_ones", "Tensor.new_ones"))
_row("new_empty", method("new_empty"), shaped([Call((3,), ((2, 3),)), Call((3,), (4,))]),
     dtypes=ALL_DTYPES, compare="meta", bad_inputs=(_NEG,),
     covers=("new_empty", "Tensor.new_empty"))
_row("new_full", method("new_full"),
     shaped([Call((3,), ((2, 3), 1.5)), Call((3,), ((2,), 3.7)), Call((3,), ([2], True)),
             Call((3,), ((2,), 7), {"dtype": DType("float64")})]),
     dtypes=ALL_DTYPES,
     bad_inputs=(bad(arr([1.0]), 2, 1.0, desc="an int size"),
                 bad(arr([1.0]), (2, -1), 1.0, desc="negative size")),
     covers=("new_full", "Tensor.new_full"))
_row("new_tensor", method("new_tensor"),
     shaped([Call((3,), ([1, 2],)), Call((3,), ([1.5, -2.5],)), Call((3,), ([[True], [False]],)),
             Call((3,), (3,)), Call((3,), ([1, 2],), {"dtype": DType("int64")}),
             Call((3,), ([1.0, 2.0],), {"requires_grad": True, "dtype": DType("float32")})]),
     dtypes=ALL_DTYPES, bad_inputs=(bad(arr([1.0]), ["a"], desc="a string"),),
     covers=("new_tensor", "Tensor.new_tensor"))


# -- issue 16: seeds, negative sizes, huge allocations, strings ------------------------------
def seeded(lib: Any, seed: Any) -> Any:
    g = lib.manual_seed(seed)
    return g.initial_seed(), lib.initial_seed()


_row("manual_seed(range)", seeded,
     lambda rng, dtype: iter([Sample((s,), {}, f"seed {s}", tags=frozenset({"quick"}))
                              for s in (0, -1, 2**63, 2**64 - 1, -(2**63), 7.9)]),
     dtypes=("float32",),
     bad_inputs=(bad(2**70, desc="2**70"), bad(2**64, desc="2**64"),
                 bad(-(2**63) - 1, desc="-2**63 - 1")),
     covers=("manual_seed", "initial_seed"))


def made(lib: Any, name: str, *args: Any) -> Any:
    return getattr(lib, name)(*args).shape


_HUGE = 2**40
_row("creation (too big)", made, _once("zeros", 2, 3, desc="zeros(2, 3)"), dtypes=("float32",),
     bad_inputs=tuple(bad(name, *size, desc=f"{name}{size}") for name in
                      ("zeros", "ones", "empty", "rand", "randn")
                      for size in ((3, -1), (_HUGE,), (2**20, 2**20), (2**62,), (2**40, 2**40)))
     + (bad("tensor", ["a"], desc="tensor(['a'])"), bad("tensor", "a", desc="tensor('a')"),
        bad("tensor", [1, "a"], desc="tensor([1, 'a'])"), bad("tensor", [None], desc="[None]")),
     covers=("zeros", "ones", "empty", "rand", "randn", "tensor"))
