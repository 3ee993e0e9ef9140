"""The runtime knobs a training script sets before it starts, kept so the script runs.

torch lets a program tune how it runs: thread pools, deterministic kernels,
a compiler, mixed precision. minitorch is single-threaded NumPy with one
kernel per op and no compiler, so each knob here does what torch does with
its arguments (validates them, records them, answers the getters) and then
changes nothing about the numbers:

* `set_num_threads` / `set_num_interop_threads` record a count;
* `use_deterministic_algorithms` records a flag (every minitorch kernel is
  deterministic already);
* `compile` returns the function or module it was given;
* `autocast` is a context manager and decorator that computes in the
  tensors' own dtypes (a known difference: torch would run matmuls in
  float16/bfloat16 inside it);
* `amp.GradScaler` scales the loss and unscales the gradients as torch's
  does on the CPU (or passes everything through when disabled).

Also here: the type predicates `is_tensor`, `is_storage`, `numel`, and
`Tensor.nelement`, `Tensor.bfloat16` (refused: no bfloat16 in NumPy).
Read random.py for the RNG state functions.
"""

from __future__ import annotations

import functools
import math
import os
import warnings
from typing import Any, Callable

import numpy as np

from minitorch import dtypes
from minitorch.registry import register
from minitorch.tensor import Tensor

# -- threads -------------------------------------------------------------------------------------
# torch's pools default to the number of cores; minitorch only remembers what was asked.
_threads = {"intra": os.cpu_count() or 1, "interop": os.cpu_count() or 1}


def _thread_count(n: Any, op: str) -> int:
    """torch's checks: an int (NumPy ints too; not bool, float or Tensor), positive, int32."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise RuntimeError(f"{op} expects an int, but got {type(n).__name__}")
    n = int(n)
    if n >= 2**63:
        raise ValueError("Overflow when unpacking long long")
    if n >= 2**31:
        raise ValueError("Overflow when unpacking long")
    if n <= 0:
        raise RuntimeError(f"{op} expects a positive integer")
    return n


def set_num_threads(int: int) -> None:  # torch's parameter name
    """Record the intra-op thread count. minitorch runs single-threaded NumPy, so this only
    changes what get_num_threads() answers (NumPy's BLAS keeps its own thread pool)."""
    _threads["intra"] = _thread_count(int, "set_num_threads")


def get_num_threads() -> int:
    """The count given to set_num_threads (the number of cores until then)."""
    return _threads["intra"]


def set_num_interop_threads(int: int) -> None:  # torch's parameter name
    """Record the inter-op thread count; minitorch runs no op in parallel, so nothing else
    changes. (torch refuses a second call once parallel work has started; we never do.)"""
    _threads["interop"] = _thread_count(int, "set_num_interop_threads")


def get_num_interop_threads() -> int:
    return _threads["interop"]


# -- determinism ---------------------------------------------------------------------------------
_deterministic = {"mode": False, "warn_only": False}
_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record torch's flag. Every minitorch kernel is deterministic, so no op ever warns or
    raises under it."""
    for name, value in (("mode", mode), ("warn_only", warn_only)):
        if not isinstance(value, bool):
            where = "'mode' (position 1)" if name == "mode" else "'warn_only'"
            raise TypeError(f"use_deterministic_algorithms(): argument {where} must be bool, "
                            f"not {type(value).__name__}")
    _deterministic.update(mode=mode, warn_only=warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _deterministic["warn_only"]


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """'default' (0), 'warn' (1) or 'error' (2): the same flag as use_deterministic_algorithms."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(
            f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    if not _deterministic["mode"]:
        return 0
    return 1 if _deterministic["warn_only"] else 2


# -- compile -------------------------------------------------------------------------------------
_COMPILE_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs",
                  "max-autotune")


def compile(model: Callable[..., Any] | None = None, *, fullgraph: bool = False,
            dynamic: bool | None = None, backend: str | Callable[..., Any] | None = None,
            mode: str | None = None, options: dict[str, Any] | None = None,
            name: str | None = None, disable: bool = False,
            recompile_limit: int | None = None, isolate_recompiles: bool = False,
            shapes_spec: Any = None) -> Any:
    """torch.compile: minitorch has no compiler, so `model` comes back unchanged (a module
    stays the same module, not an OptimizedModule). Works as `compile(f)`, `@compile` and
    `@compile(mode=...)`; the arguments are checked as torch checks them."""
    if model is None:  # the decorator with arguments
        def decorate(model: Callable[..., Any]) -> Any:
            if model is None:
                raise RuntimeError("Model can't be None")
            return compile(model, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                           mode=mode, options=options, name=name, disable=disable,
                           recompile_limit=recompile_limit,
                           isolate_recompiles=isolate_recompiles, shapes_spec=shapes_spec)
        return decorate
    if disable:
        return model
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode is not None and backend in (None, "inductor") and mode not in _COMPILE_MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: "
                           + ", ".join(_COMPILE_MODES))
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    return model


# -- autocast ------------------------------------------------------------------------------------
_AUTOCAST_DEVICES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                     "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                     "privateuseone")


class autocast:
    """torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None).

    Accepted as a context manager and a decorator, with torch's checks and warnings, but it
    changes no dtype: inside it minitorch computes in the tensors' own dtypes, where torch's
    CPU autocast would run matmuls and convolutions in bfloat16 (or float16). A known
    difference: minitorch has no bfloat16, and mixed precision buys NumPy nothing.
    """

    def __init__(self, device_type: str, dtype: dtypes.dtype | None = None,
                 enabled: bool = True, cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        kind = device_type.split(":")[0]
        if kind not in _AUTOCAST_DEVICES:
            raise RuntimeError(f"Expected one of {', '.join(_AUTOCAST_DEVICES)} device type at "
                               f"start of device string: {device_type}")
        self.device = kind
        self.fast_dtype = dtype  # torch's CPU default is bfloat16, which minitorch lacks
        self._enabled = bool(enabled)
        self._cache_enabled = cache_enabled
        if self._enabled and kind == "cuda":
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                          stacklevel=2)
            self._enabled = False
        elif self._enabled and kind == "cpu" and dtype is not None and dtype != dtypes.float16:
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling "
                          "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                          "torch.float16 currently.", stacklevel=2)
            self._enabled = False

    def __enter__(self) -> autocast:
        self._previous = _autocast_on.get(self.device, False)
        _autocast_on[self.device] = self._enabled
        return self

    def __exit__(self, *exc: Any) -> None:
        _autocast_on[self.device] = self._previous
        return None

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def inside(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)
        return inside


_autocast_on: dict[str, bool] = {}  # device type -> inside an enabled autocast block


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether an enabled autocast block is open for device_type (torch: no argument = cuda)."""
    return _autocast_on.get("cuda" if device_type is None else device_type, False)


def get_autocast_dtype(device_type: str) -> dtypes.dtype:
    """The dtype autocast would compute in: float16 here (torch's CPU default is bfloat16,
    which minitorch lacks), float16 for cuda as in torch."""
    return dtypes.float16


# -- float32 matmul precision: recorded only ------------------------------------------------------
_matmul_precision = {"value": "highest"}


def set_float32_matmul_precision(precision: str) -> None:
    """Recorded only: NumPy's float32 matmul is always full float32 (torch's 'highest')."""
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", stacklevel=2)
        return
    _matmul_precision["value"] = precision


def get_float32_matmul_precision() -> str:
    return _matmul_precision["value"]


# -- GradScaler ----------------------------------------------------------------------------------
class GradScaler:
    """torch.amp.GradScaler: multiply the loss by `scale` before backward, divide the
    gradients by it before the step, skip a step whose gradients hold inf or nan (and halve
    the scale), and double the scale after `growth_interval` clean steps.

    On 'cpu' it works as torch's CPU scaler does; 'cuda' (torch's default device) is
    disabled with torch's warning, and a disabled scaler passes everything through.
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = enabled
        if enabled and device == "cuda":
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", stacklevel=2)
            self._enabled = False
        if self._enabled:
            if not growth_factor > 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if not backoff_factor < 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
        self._scale = float(init_scale)
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval
        self._growth_tracker = 0
        self._found_inf: dict[int, bool] = {}  # per optimizer: unscaled this step, inf seen?
        self._stepped: set[int] = set()  # optimizers stepped since the last update()

    def is_enabled(self) -> bool:
        return self._enabled

    def get_scale(self) -> float:
        return self._scale if self._enabled else 1.0

    def scale(self, outputs: Any) -> Any:
        """outputs * scale, for a tensor or any nesting of lists and tuples of them."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            return outputs * self._scale
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def unscale_(self, optimizer: Any) -> None:
        """Divide every gradient of `optimizer` by the scale, once per step."""
        if not self._enabled:
            return
        if id(optimizer) in self._stepped:
            raise RuntimeError("unscale_() is being called after step().")
        if id(optimizer) in self._found_inf:
            raise RuntimeError("unscale_() has already been called on this optimizer since "
                               "the last update().")
        inv = 1.0 / self._scale
        found = False
        for group in optimizer.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.array
                g *= np.asarray(inv, dtype=g.dtype)  # in place, as torch's _amp_foreach
                found = found or not bool(np.isfinite(g).all())
        self._found_inf[id(optimizer)] = found

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """optimizer.step(), unless the unscaled gradients held inf or nan."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if id(optimizer) in self._stepped:
            raise RuntimeError("step() has already been called since the last update().")
        if id(optimizer) not in self._found_inf:
            self.unscale_(optimizer)
        self._stepped.add(id(optimizer))
        if self._found_inf[id(optimizer)]:
            return None
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Back off after an inf, grow after growth_interval clean steps (or take new_scale)."""
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale.item() if isinstance(new_scale, Tensor) else new_scale)
        elif any(self._found_inf.values()):
            self._scale *= self._backoff_factor
            self._growth_tracker = 0
        elif self._found_inf:
            self._growth_tracker += 1
            if self._growth_tracker == self._growth_interval:
                grown = self._scale * self._growth_factor
                self._scale = grown if math.isfinite(grown) else self._scale
                self._growth_tracker = 0
        self._found_inf, self._stepped = {}, set()

    def state_dict(self) -> dict[str, Any]:
        if not self._enabled:
            return {}
        return {"scale": self._scale, "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._scale = float(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._growth_tracker = state_dict["_growth_tracker"]


# -- what kind of object -------------------------------------------------------------------------
def is_tensor(obj: Any) -> bool:
    """True for a minitorch Tensor (and Parameter), False for anything else (NumPy arrays too)."""
    return isinstance(obj, Tensor)


def is_storage(obj: Any) -> bool:
    """Always False: minitorch has no Storage objects (a tensor's memory is a NumPy array)."""
    return False


def numel(input: Tensor) -> int:
    """The number of elements of a tensor: torch.numel(t) == t.numel()."""
    if not isinstance(input, Tensor):
        raise TypeError(f"numel(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return int(input.array.size)
register(numel, differentiable=False)


def nelement(input: Tensor) -> int:
    """Tensor.nelement(): torch's older name for numel()."""
    return int(input.array.size)
register(nelement, function=False, method=True, differentiable=False)


def _no_bfloat16(self: Tensor, memory_format: Any = None) -> Tensor:
    """Tensor.bfloat16(): refused, since NumPy has no bfloat16 type to hold the result."""
    raise TypeError("bfloat16(): minitorch has no bfloat16 dtype (NumPy has none); use "
                    "half() for 16-bit floats or float() for float32")


Tensor.bfloat16 = _no_bfloat16  # a refusal, not an op: torch's name with a clear message
