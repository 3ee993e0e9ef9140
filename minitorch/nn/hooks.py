"""Module hooks: the handle that removes one, and how full backward hooks see gradients.

Forward hooks are plain function calls around `forward` (module.py's `_call_impl`).
Backward hooks need the gradients of a module's inputs and outputs *as tuples*,
at the moment autograd computes them. torch gets them by passing the tensors
through an identity Function on the way in and on the way out
(torch/utils/hooks.py, BackwardHook); we do the same with two small Functions,
without touching the engine:

    x1, x2 --Join--> token --BackwardHookFunction(slot 0)--> x1'   (the module runs on
                           --BackwardHookFunction(slot 1)--> x2'    x1', x2')

Each BackwardHookFunction hands its gradient to a shared `_Gate` and gives the
token a zero; the engine runs Join only after all of them (Join is upstream of
every one), so Join's backward sees the whole tuple at once, calls the user's
hooks, and sends each tensor its (possibly replaced) gradient. The outputs go
through the same pair, where Join calls the backward pre-hooks. (The engine's
nodes have one output each; this is how one node sees many gradients.)
Read module.py first.
"""

from __future__ import annotations

import warnings
import weakref
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from minitorch.autograd.function import Function
from minitorch.autograd.grad_mode import is_grad_enabled
from minitorch.tensor import Tensor


class RemovableHandle:
    """What every register_*_hook returns: `.remove()` unregisters; also a context manager."""

    id: int
    next_id: int = 0

    def __init__(self, hooks_dict: Any, *, extra_dict: Any = None) -> None:
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        self.extra_dict_ref: tuple = ()
        if isinstance(extra_dict, dict):
            self.extra_dict_ref = (weakref.ref(extra_dict),)
        elif isinstance(extra_dict, list):
            self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dict)

    def remove(self) -> None:
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]

    def __getstate__(self) -> tuple:
        return (self.hooks_dict_ref(), self.id, tuple(ref() for ref in self.extra_dict_ref))

    def __setstate__(self, state: tuple) -> None:
        self.hooks_dict_ref = weakref.ref(OrderedDict() if state[0] is None else state[0])
        self.id = state[1]
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)
        extra = state[2] if len(state) > 2 and state[2] is not None else ()
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


# -- full backward hooks ------------------------------------------------------------------------
class _Gate:
    """Collects the gradients the Split nodes of one side see, until Join releases them."""

    def __init__(self, release: Callable[[dict[int, np.ndarray]], tuple]) -> None:
        self.grads: dict[int, np.ndarray] = {}
        self.release = release

    def open(self) -> tuple:
        grads, self.grads = self.grads, {}
        return self.release(grads)


class Join(Function):
    """token = 0 (ties the tensors into one node);  each tensor: its gradient after the hooks."""

    @staticmethod
    def forward(ctx, *arrays, gate):
        ctx.gate = gate
        return np.zeros((), dtype=np.float64)

    @staticmethod
    def backward(ctx, grad):
        return ctx.gate.open()

    def name(self) -> str:
        return "BackwardHookFunctionBackward"


class BackwardHookFunction(Function):
    """y = x;  token: 0, and x's gradient goes to the gate (Join hands it on)."""

    @staticmethod
    def forward(ctx, token, x, gate, slot):
        ctx.gate, ctx.slot = gate, slot
        # torch returns a view and forbids in-place ops on it; a copy keeps an in-place op
        # (ReLU(inplace=True)) from changing an array another node saved for its backward
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        ctx.gate.grads[ctx.slot] = grad
        return np.zeros((), dtype=np.float64), None, None, None

    def name(self) -> str:
        return "BackwardHookFunctionBackward"


def _as_tensor(g: np.ndarray | None) -> Tensor | None:
    return None if g is None else Tensor._make(g, False, None)


def _replacement(new: Any, like: np.ndarray | None) -> np.ndarray | None:
    """A hook's replacement gradient as an array of the original's shape and dtype."""
    if new is None:
        return None
    array = new.array if isinstance(new, Tensor) else np.asarray(new)
    if like is not None:
        if array.shape != like.shape:
            raise RuntimeError("hook 'hook' has changed the size of value")
        array = array.astype(like.dtype, copy=False)
    return array


class BackwardHook:
    """One module call's backward hooks: wraps its inputs and outputs, calls the user's hooks.

    Like torch: grad_input has one entry per positional argument (None for a non-tensor,
    zeros for a tensor no gradient reached), grad_output one per output (None where no
    gradient flowed). Pre-hooks may replace grad_output, hooks may replace grad_input.
    """

    def __init__(self, module: Any, user_hooks: list, user_pre_hooks: list) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs: tuple | None = None
        self.n_inputs = -1
        self.input_tensors_index: list[int] | None = None
        self.n_outputs = -1
        self.output_tensors_index: list[int] | None = None

    def _wrap(self, values: tuple, release: Callable[[dict[int, np.ndarray]], tuple]
              ) -> tuple[list[Any], list[int] | None, list[int]]:
        """Pass the tensors that want a gradient through Join and BackwardHookFunction;
        (values, tensor indices, wrapped indices), tensor indices None when none wants one."""
        tensors_idx = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
        wrapped = [i for i in tensors_idx if values[i].requires_grad]
        if not (wrapped and is_grad_enabled()):
            return list(values), None, []
        gate = _Gate(release)
        token = Join.apply(*(values[i] for i in wrapped), gate=gate)
        out = list(values)
        for slot, i in enumerate(wrapped):
            out[i] = BackwardHookFunction.apply(token, values[i].array, gate, slot)
        return out, tensors_idx, wrapped

    def setup_input_hook(self, args: tuple) -> tuple:
        wrapped: list[int] = []

        def release(grads: dict[int, np.ndarray]) -> tuple:
            raw = [grads.get(slot) for slot in range(len(wrapped))]
            if self.grad_outputs is None:  # the gradient bypassed the module's outputs
                return tuple(raw)
            res: tuple = tuple(
                _as_tensor(_input_grad(i, raw)) if isinstance(args[i], Tensor) else None
                for i in range(self.n_inputs))
            for hook in self.user_hooks:
                out = hook(self.module, res, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(res):
                    raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                       f"got {len(out)}, but expected {len(res)}")
                res = tuple(out)
            self.grad_outputs = None
            return tuple(_replacement(res[i], args[i].array) for i in wrapped)

        def _input_grad(i: int, raw: list) -> np.ndarray:
            # torch's hook sees zeros for a tensor no gradient reached (materialized grads)
            if i in wrapped and raw[wrapped.index(i)] is not None:
                return raw[wrapped.index(i)]
            return np.zeros_like(args[i].array)

        values, self.input_tensors_index, wrapped[:] = self._wrap(args, release)
        self.n_inputs = len(args)
        return tuple(values)

    def setup_output_hook(self, result: Any) -> Any:
        is_tuple = isinstance(result, tuple)
        outputs = result if is_tuple else (result,)
        wrapped: list[int] = []

        def release(grads: dict[int, np.ndarray]) -> tuple:
            got = {wrapped[slot]: g for slot, g in grads.items()}
            self.grad_outputs = tuple(_as_tensor(got.get(i)) for i in range(self.n_outputs))
            for pre_hook in self.user_pre_hooks:
                new = pre_hook(self.module, self.grad_outputs)
                if new is None:
                    continue
                if len(new) != len(self.grad_outputs):
                    raise RuntimeError("Backward pre hook returned an invalid number of "
                                       f"grad_output, got {len(new)}, but expected "
                                       f"{len(self.grad_outputs)}")
                self.grad_outputs = tuple(new)
            local = self.grad_outputs
            if self.input_tensors_index is None:  # no input wants a gradient: fire here
                warnings.warn("Full backward hook is firing when gradients are computed with "
                              "respect to module outputs since no inputs require gradients.",
                              stacklevel=2)
                nones = (None,) * self.n_inputs
                for hook in self.user_hooks:
                    res = hook(self.module, nones, self.grad_outputs)
                    if res is not None and not (isinstance(res, tuple)
                                                and all(r is None for r in res)):
                        raise RuntimeError("Backward hook for Modules where no input requires "
                                           "gradient should always return None or None for all "
                                           "gradients.")
                self.grad_outputs = None
            return tuple(_replacement(local[i], outputs[i].array) for i in wrapped)

        values, self.output_tensors_index, wrapped[:] = self._wrap(outputs, release)
        self.n_outputs = len(outputs)
        if not is_tuple:
            return values[0]
        return tuple(values) if type(result) is tuple else type(result)(*values)
