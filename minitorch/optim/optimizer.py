"""Optimizer: what every optimizer shares, and the four fused kernels they are written in.

An optimizer holds `param_groups`, a list of dicts (the parameters of the group
plus its hyperparameters: change `group["lr"]` mid-run and the next step uses
it), and `state`, a dict per parameter (momentum buffers, running averages,
step counts) keyed by the parameter tensor itself. `step()` reads each
parameter's `.grad` and updates `p.array` IN PLACE, so every reference to the
parameter sees the new values. `state_dict()` swaps the tensors for indices so
the state can be saved and loaded into a fresh optimizer.

The subclasses (sgd.py, adam.py, adamw.py, rmsprop.py, adagrad.py) each write
their update as torch's single-tensor path does, line for line, so SGD matches
torch to the last bit given the same gradients, and the others do too but for
torch's CPU sqrt (MKL's, not correctly rounded: an ulp now and then). Read this
file, then sgd.py, then adam.py; lr_scheduler.py changes `group["lr"]` over time.
adadelta.py, adamax.py, nadam.py, radam.py, rprop.py and asgd.py follow the same
pattern and also take torch's implementation switches (foreach, capturable,
differentiable), checked by `_check_step_options` before any update.
"""

from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch._torch_exact import fma
from minitorch.autograd.grad_mode import enable_grad
from minitorch.tensor import Tensor

__all__ = ["Optimizer"]

# ----------------------------------------------------------------------------
# The kernels. torch's CPU kernels for `add_(x, alpha=a)`, `lerp_` and
# `addcmul_` compute `a * b + c` with ONE rounding (a fused multiply-add);
# doing it as two NumPy ops rounds twice and drifts from torch by an ulp now
# and then. `fma` comes from minitorch/_torch_exact.py, the one place that
# reproduces torch's roundings. Scalars are cast to the tensor's dtype first,
# as torch does (NumPy 2 does the same for Python floats).
# ----------------------------------------------------------------------------


def add(x: np.ndarray, other: np.ndarray, alpha: float) -> np.ndarray:
    """torch's `x.add(other, alpha=a)`: x + a * other, fused; a new array."""
    return fma(other, x.dtype.type(alpha), x)


def add_(x: np.ndarray, other: np.ndarray, alpha: float) -> np.ndarray:
    """torch's `x.add_(other, alpha=a)`: x <- x + a * other, fused, in place."""
    return fma(other, x.dtype.type(alpha), x, out=x)


def lerp_(x: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """torch's `x.lerp_(end, w)`: x <- x + w (end - x), anchored at the nearer end for accuracy."""
    w = x.dtype.type(weight)
    diff = end - x
    if abs(w) < 0.5:
        return fma(w, diff, x, out=x)  # x + w (end - x)
    return fma(w - x.dtype.type(1), diff, end, out=x)  # end - (1 - w)(end - x)


def addcmul_(x: np.ndarray, t1: np.ndarray, t2: np.ndarray, value: float) -> np.ndarray:
    """torch's `x.addcmul_(t1, t2, value=v)`: x <- x + (v t1) t2, the last multiply-add fused."""
    return fma(x.dtype.type(value) * t1, t2, x, out=x)


def addcdiv_(x: np.ndarray, t1: np.ndarray, t2: np.ndarray, value: float) -> np.ndarray:
    """torch's `x.addcdiv_(t1, t2, value=v)`: x <- x + (v t1) / t2 (a division is never fused)."""
    x += (x.dtype.type(value) * t1) / t2
    return x


# ----------------------------------------------------------------------------
# Small helpers the optimizers share.
# ----------------------------------------------------------------------------


def _number(x: Any) -> float:
    """A hyperparameter as a Python float (a 1-element Tensor is read with .item()).

    A Python float is what torch computes with; a NumPy float64 scalar would
    make NumPy do float32 arithmetic in float64 instead.
    """
    return float(x.item()) if isinstance(x, Tensor) else float(x)


def _check_tensor_hyper(x: Any, name: str) -> None:
    if isinstance(x, Tensor) and x.numel() != 1:
        raise ValueError(f"Tensor {name} must be 1-element")


def _scalar_dtype() -> np.dtype:
    """The dtype of a `step` count: float32, or float64 when that is the default (as torch)."""
    return np.dtype(np.float64 if dtypes.get_default_dtype() is dtypes.float64 else np.float32)


def _step_tensor(value: float = 0.0) -> Tensor:
    """A 0-d step counter, a Tensor like torch's so state_dict() looks the same."""
    return Tensor._make(np.array(value, dtype=_scalar_dtype()), False, None)


def _zeros_like(p: Tensor) -> Tensor:
    return Tensor._make(np.zeros_like(p.array), False, None)


def _full_like(p: Tensor, value: float) -> Tensor:
    return Tensor._make(np.full_like(p.array, value), False, None)


def _hyper(x: Any) -> Any:
    """A hyperparameter as torch computes with it: a Python float, or, for a Tensor (a tensor
    lr), the NumPy scalar of its dtype, so `lr * c` rounds in that dtype as torch's 0-d tensor
    arithmetic does (NumPy 2 keeps a float32 scalar times a Python float in float32)."""
    return x.array.reshape(())[()] if isinstance(x, Tensor) else float(x)


def _as_operand(value: Any, x: Any) -> Any:
    """A scalar operand as torch applies it to the tensor x. A Python float (a wrapped number)
    is cast to x's dtype first, and so is a 0-d tensor (here a NumPy scalar or 0-d array) when x
    has dimensions; but two 0-d tensors promote like any two tensors: a float64 lr times a 0-d
    float32 parameter is computed in float64 and rounded once, into the parameter."""
    if isinstance(value, (np.generic, np.ndarray)) and np.ndim(x) == 0:
        return value
    return np.asarray(x).dtype.type(value)


def _divide(numerator: Any, denominator: Any) -> Any:
    """numerator / denominator as torch rounds it when the denominator is a 0-d tensor: a Python
    float over a tensor is `tensor.reciprocal() * float`, a tensor (tensor lr) over one divides."""
    if isinstance(numerator, np.generic):
        return numerator / denominator
    return np.reciprocal(denominator) * numerator


def _torch_sign(x: np.ndarray) -> np.ndarray:
    """torch.sign: -1, 0 or 1, and 0 for NaN (NumPy's sign keeps the NaN)."""
    s = np.sign(x)
    return np.where(np.isnan(s), s.dtype.type(0), s)


# What torch says on a CPU-only machine when a step meets capturable=True (CUDA graphs) and
# the devices it lists; which list depends on the path (single-tensor or foreach).
_CAPTURABLE_DEVICES = ["cuda", "xpu", "hpu", "privateuseone"]


def _check_step_options(
    group: dict[str, Any], p: Tensor, capturable_tensors: str, xla: bool
) -> None:
    """torch's step-time refusals of the implementation switches, checked per parameter
    before any update: foreach with differentiable, capturable off the GPU, and differentiable
    (the step runs with grad mode on) over a parameter that requires grad."""
    if group.get("foreach") and group.get("differentiable"):
        raise AssertionError("_foreach ops don't support autograd")
    if group.get("capturable"):
        devices = _CAPTURABLE_DEVICES + (["xla"] if xla else [])
        raise AssertionError(
            f"If capturable=True, {capturable_tensors} must be on supported devices: {devices}."
        )
    if group.get("differentiable") and p.requires_grad:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )


def _typename(x: Any) -> str:
    if isinstance(x, Tensor):
        return "minitorch.Tensor"
    t = type(x)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


class Optimizer:
    """Base class of all optimizers: param groups, per-parameter state, save and load.

    params: an iterable of Tensors, of (name, Tensor) pairs, or of dicts each
    holding "params" plus hyperparameters that override `defaults` for that group.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be "
                "an iterable of Tensors or dicts, but got " + _typename(params)
            )
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # -- groups -----------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Append a group; hyperparameters it leaves out come from `defaults`."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but "
                "the ordering of tensors in sets will change between runs. "
                "Please use a list instead."
            )
        else:
            param_group["params"] = list(params)

        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):  # from named_parameters()
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError(
                    "all optimizer params should be with/without names. "
                    "Some param names are missing"
                )
            param_group["param_names"] = names

        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, "
                    "but one of the params is " + _typename(param)
                )
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            param_group.setdefault(name, default)

        if len(tensors) != len({id(p) for p in tensors}):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; "
                "in future, this will cause an error; "
                "see github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )

        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- gradients --------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: `.grad = None` (the default), or zeros of the same shape."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:  # same Tensor object, now zeros and out of any graph
                    p.grad.grad_fn, p.grad.requires_grad = None, False
                    p.grad.array = np.zeros_like(p.grad.array)
                    p.grad._version += 1

    # -- the step ---------------------------------------------------------
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient (each subclass writes its own)."""
        raise NotImplementedError

    @staticmethod
    def _evaluate(closure: Callable[[], Any] | None) -> Any:
        """Run the closure (it recomputes the loss and calls backward) with grad mode on."""
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def _params_with_grad(self) -> list[tuple[dict[str, Any], Tensor, np.ndarray]]:
        """(group, param, grad array) for every parameter with a gradient, all checked first.

        Checking everything before touching anything is what makes a failed step
        change nothing (torch may have updated the first parameters already).
        A parameter whose grad is None is skipped: no decay, no state, no count.
        """
        work = []
        index = 0
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._check_param(index, group, p)
                    work.append((group, p, p.grad.array))
                index += 1
        return work

    # What a parameter's state must hold once it exists: key -> "param" (a tensor
    # of the parameter's shape and dtype) or "step" (a 0-d count). Subclasses fill it.
    def _state_spec(self, group: dict[str, Any]) -> dict[str, str]:
        return {}

    _optional_state: tuple[str, ...] = ()  # keys that may be missing or None (SGD's buffer)

    def _check_param(self, index: int, group: dict[str, Any], p: Tensor) -> None:
        name = f"{type(self).__name__}.step: parameter {index}"
        grad = p.grad
        if not isinstance(grad, Tensor):
            raise RuntimeError(f"{name}: .grad must be a Tensor or None, got {_typename(grad)}")
        if grad.shape != p.shape:
            raise RuntimeError(
                f"{name}: grad has shape {tuple(grad.shape)} but the parameter has shape "
                f"{tuple(p.shape)}; no parameter was updated"
            )
        if grad.array.dtype != p.array.dtype:
            raise RuntimeError(
                f"{name}: grad has dtype {grad.dtype} but the parameter has dtype {p.dtype}; "
                "no parameter was updated"
            )
        state = self.state.get(p)
        if not state:
            return  # created lazily on this step
        for key, kind in self._state_spec(group).items():
            value = state.get(key)
            if value is None and key in self._optional_state:
                continue
            if not isinstance(value, Tensor):
                what = "is missing" if value is None else f"is a {_typename(value)}, not a Tensor"
                raise RuntimeError(f"{name}: state '{key}' {what}; no parameter was updated")
            if kind == "step":
                if value.array.ndim != 0:
                    raise RuntimeError(
                        f"{name}: state '{key}' must be 0-d, got shape {tuple(value.shape)}; "
                        "no parameter was updated"
                    )
            elif value.shape != p.shape or value.array.dtype != p.array.dtype:
                raise RuntimeError(
                    f"{name}: state '{key}' has shape {tuple(value.shape)} and dtype "
                    f"{value.dtype} but the parameter has shape {tuple(p.shape)} and dtype "
                    f"{p.dtype}; no parameter was updated"
                )

    # -- save and load ----------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}.

        As in torch the per-parameter dicts are the live ones (not copies):
        save or deep-copy the result before stepping again if you want a snapshot.
        """
        param_mappings: dict[int, int] = {}
        start_index = 0

        def pack_group(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start_index):
                param_mappings.setdefault(id(p), i)
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {
            (param_mappings[id(k)] if isinstance(k, Tensor) else k): v
            for k, v in self.state.items()
        }
        return {"state": packed_state, "param_groups": param_groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state_dict(): state deep-copied, floating tensors cast to their param's dtype.

        Unlike torch, which keeps the very tensors of `state_dict` when no cast is
        needed, the loaded state never aliases the dict it came from.
        """
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group "
                "that doesn't match the size of optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )

        def cast(param: Tensor, value: Any, key: Any = None) -> Any:
            if isinstance(value, Tensor):
                data = value.array
                if key != "step" and param.array.dtype.kind == "f":
                    data = data.astype(param.array.dtype)  # state follows its parameter's dtype
                return Tensor._make(np.array(data, copy=True), False, None)
            if isinstance(value, dict):
                return {k: cast(param, v, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v) for v in value)
            return copy.deepcopy(value)

        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v)
            else:
                state[k] = copy.deepcopy(v)

        def update_group(group: dict[str, Any], new_group: dict[str, Any]) -> dict[str, Any]:
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for group in self.param_groups:  # a saved step may be a plain number (old torch files)
            for p in group["params"]:
                p_state = self.state.get(p)
                if p_state and "step" in p_state and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = _step_tensor(float(p_state["step"]))

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"
