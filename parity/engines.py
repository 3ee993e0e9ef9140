"""The engine under test, reached through a small adapter, so the harness can check any
torch-like engine against torch (`python -m parity --engine MODULE`; default minitorch).

The protocol an adapter follows (`Engine` below implements it for any module that looks like
torch; an engine that differs brings its own adapter, a subclass of Engine overriding what
differs, as the module's `PARITY_ENGINE` attribute or as `--engine module:attribute`):

    name                                 how the report names the engine
    lib                                  the module object the rows call as `lib`
    tensor(array, dtype, requires_grad)  a leaf tensor from a NumPy array (dtype: "float32",
                                         "float64", "int64", "int32" or "bool")
    numpy(t) -> np.ndarray               a tensor's values read back as NumPy
    backward(outputs, cotangents)        backpropagate the cotangents (engine tensors)
    grad(t) -> np.ndarray | None         a leaf's `.grad` as NumPy (None: no gradient)

and, with defaults that suit torch-like modules: is_tensor, is_dtype, dtype_name,
requires_grad, seed (lib.manual_seed, before every call: the same seed in both engines),
grads (backward, then each input's grad; lib.autograd.grad where the engine has it).
`known_differences` says whether the rows' known differences and tolerance overrides apply:
they were written for minitorch, so only minitorch's adapter sets it.

Sections (parity/sections.py) that run against another engine read `current()`; one that
does not declare `ENGINES = "any"` is skipped for other engines with the reason in
SECTION_REASONS. `PARITY_ENGINE` in the environment carries --engine to the workers.

Read spec.py first; convert.py and runner.py use this.
"""

from __future__ import annotations

import importlib
import inspect
import os
from typing import Any, Sequence

import numpy as np

ENGINE_ENV = "PARITY_ENGINE"
DEFAULT = "minitorch"
REFERENCE = "torch"

NP_DTYPES: dict[str, Any] = {
    "float32": np.float32, "float64": np.float64, "int64": np.int64, "int32": np.int32,
    "bool": np.bool_,
}

# Why each section of the sweep runs only against minitorch (the report prints the reason).
SECTION_REASONS: dict[str, str] = {
    "parity.training_runs": "trains the examples/ programs, which are written for minitorch "
                            "(their *_torch.py twins are the reference)",
    "parity.schedulers_lbfgs": "drives minitorch.optim and minitorch.optim.lbfgs internals",
    "parity.checkpoints": "checks minitorch.serialization's files against torch's format "
                          "(minitorch internals)",
    "parity.data_loading": "compares minitorch.utils.data directly; not yet ported to the "
                           "engine adapter",
}


class Engine:
    """The adapter for a torch-like module: `from_numpy` (or `tensor`), `.numpy()` (or
    `.detach().numpy()`), `.backward(cotangent)`, `.grad`, `requires_grad_`."""

    def __init__(self, lib: Any, name: str | None = None, known_differences: bool = False
                 ) -> None:
        self.lib = lib
        self.name = name or getattr(lib, "__name__", type(lib).__name__)
        self.known_differences = known_differences
        tensor_type = getattr(lib, "Tensor", None)
        self._tensor_type = tensor_type if isinstance(tensor_type, type) else None
        dtype_type = getattr(lib, "dtype", None)
        self._dtype_type = dtype_type if isinstance(dtype_type, type) else None

    def __repr__(self) -> str:
        return f"Engine({self.name})"

    # -- the protocol ------------------------------------------------------------------------
    def tensor(self, array: np.ndarray, dtype: str | None = None,
               requires_grad: bool = False) -> Any:
        """A leaf over `array` (the caller's private copy: it may be shared, and its strides
        kept), in `dtype` (default: the array's)."""
        a = array if dtype is None else array.astype(NP_DTYPES[dtype], copy=False)
        from_numpy = getattr(self.lib, "from_numpy", None)
        if from_numpy is not None:
            t = from_numpy(a)
            if requires_grad:
                t.requires_grad_(True)
            return t
        return self.lib.tensor(a.tolist(), dtype=getattr(self.lib, str(a.dtype)),
                               requires_grad=requires_grad)

    def numpy(self, t: Any) -> np.ndarray:
        detach = getattr(t, "detach", None)
        base = detach() if detach is not None else t
        cpu = getattr(base, "cpu", None)  # torch: a tensor on another device
        t = cpu() if cpu is not None else base
        if getattr(t, "_is_zerotensor", lambda: False)():  # torch's symbolic zeros (2nd order)
            return np.zeros(tuple(t.shape), dtype=str(t.dtype).rsplit(".", 1)[-1])
        if str(getattr(t, "dtype", "")).endswith("bfloat16"):  # NumPy has none: widen, exact
            t = t.float()
        return np.asarray(t.numpy())

    def backward(self, outputs: Sequence[Any], cotangents: Sequence[Any]) -> None:
        outputs, cotangents = list(outputs), list(cotangents)
        auto = getattr(getattr(self.lib, "autograd", None), "backward", None)
        if auto is not None:
            auto(outputs, cotangents)
        elif len(outputs) == 1:
            outputs[0].backward(cotangents[0])
        else:  # one scalar whose gradient is every cotangent at once
            total = sum((o * c).sum() for o, c in zip(outputs, cotangents))
            total.backward()

    def grad(self, t: Any) -> np.ndarray | None:
        g = t.grad
        return None if g is None else self.numpy(g)

    # -- with defaults -----------------------------------------------------------------------
    def grads(self, outputs: Sequence[Any], inputs: Sequence[Any],
              cotangents: Sequence[np.ndarray]) -> list[np.ndarray | None]:
        """The gradient of sum(output * cotangent) for each input (None: unused)."""
        cots = [self.tensor(np.array(c, copy=True)) for c in cotangents]
        auto = getattr(getattr(self.lib, "autograd", None), "grad", None)
        if auto is not None:
            return [None if g is None else self.numpy(g)
                    for g in auto(list(outputs), list(inputs), cots, allow_unused=True)]
        self.backward(outputs, cots)
        return [self.grad(t) for t in inputs]

    def double_grads(self, outputs: Sequence[Any], inputs: Sequence[Any],
                     cotangents: Sequence[np.ndarray], weights: Sequence[np.ndarray]
                     ) -> list[np.ndarray | None]:
        """Second order: the gradient of <weights, d<cotangents, outputs>/d inputs> with
        respect to each input and each cotangent (None: no dependence), by differentiating
        the first gradient (create_graph=True), as torch's gradgradcheck does."""
        grad = getattr(getattr(self.lib, "autograd", None), "grad", None)
        if grad is None:
            raise NotImplementedError(f"{self.name} has no autograd.grad: no double backward")
        cots = [self.tensor(np.array(c, copy=True), requires_grad=True) for c in cotangents]
        first = grad(list(outputs), list(inputs), cots, create_graph=True, allow_unused=True)
        total = None
        for g, w in zip(first, weights):
            if g is not None and self.requires_grad(g):
                term = (g * self.tensor(np.array(w, copy=True))).sum()
                total = term if total is None else total + term
        targets = [*inputs, *cots]
        if total is None:  # the first gradient has no graph: every second derivative is 0
            return [None] * len(targets)
        return [None if g is None else self.numpy(g)
                for g in grad(total, targets, allow_unused=True)]

    def is_tensor(self, x: Any) -> bool:
        if self._tensor_type is not None:
            return isinstance(x, self._tensor_type)
        return all(hasattr(x, a) for a in ("requires_grad", "dtype", "shape"))

    def is_dtype(self, x: Any) -> bool:
        return self._dtype_type is not None and isinstance(x, self._dtype_type)

    def dtype_name(self, d: Any) -> str:
        """'float32' for torch.float32, minitorch.float32, numpy's float32 ..."""
        return str(d).rsplit(".", 1)[-1]

    def requires_grad(self, t: Any) -> bool:
        return bool(getattr(t, "requires_grad", False))

    def seed(self, seed: int) -> None:
        """Seed the engine's global generator (the sweep does before every call)."""
        generator = getattr(self.lib, "default_generator", None)
        if generator is not None:  # torch.manual_seed also seeds every device: 1 ms, not 1 us
            generator.manual_seed(seed)
        elif hasattr(self.lib, "manual_seed"):
            self.lib.manual_seed(seed)

    def gradcheck(self) -> Any:
        """The engine's own gradcheck(f, inputs, raise_exception=False), if it has one."""
        return getattr(getattr(self.lib, "testing", None), "gradcheck", None)


def load(spec: str) -> Engine:
    """The engine named on the command line: a module (`minitorch`, `torch`, `mypkg`) or
    `module:attribute`. A module's own adapter (an Engine, or anything with the protocol) is
    its `PARITY_ENGINE` attribute; otherwise the module is wrapped in `Engine`."""
    modname, _, attr = spec.partition(":")
    module = importlib.import_module(modname)
    obj = getattr(module, attr) if attr else getattr(module, "PARITY_ENGINE", module)
    if isinstance(obj, type) or inspect.isfunction(obj):  # an adapter class or a factory
        obj = obj()
    if isinstance(obj, Engine):
        return obj
    return Engine(obj, name=spec, known_differences=(spec == DEFAULT))


_LOADED: dict[str, Engine] = {}  # by spec: each module is wrapped once


def _loaded(spec: str) -> Engine:
    if spec not in _LOADED:
        _LOADED[spec] = load(spec)
    return _LOADED[spec]


def current() -> Engine:
    """The engine under test of this process: $PARITY_ENGINE, default minitorch."""
    return _loaded(os.environ.get(ENGINE_ENV) or DEFAULT)


def reference() -> Engine:
    """torch, through the same adapter as any engine."""
    return _loaded(REFERENCE)


def resolve(engine: Engine | str | None) -> Engine:
    """An Engine from an Engine, a module name, or None (the current one)."""
    if engine is None:
        return current()
    return _loaded(engine) if isinstance(engine, str) else engine


def section_skip_reason(engine: Engine, module: str) -> str | None:
    """Why the section `module` does not run against `engine` (None: it runs)."""
    if engine.name == DEFAULT:
        return None
    try:
        mod = importlib.import_module(module)
    except Exception:
        mod = None
    if mod is not None and getattr(mod, "ENGINES", None) == "any":
        return None
    return SECTION_REASONS.get(module, "the section does not declare that it runs against "
                                       "other engines (ENGINES = \"any\")")
