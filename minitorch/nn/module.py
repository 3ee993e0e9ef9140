"""Module and Parameter: how a model keeps track of its weights.

A `Parameter` is a Tensor that says "I am a weight": assigning one to a
module attribute (`self.weight = Parameter(...)`) registers it, and so does
assigning a submodule or calling `register_buffer`. That one trick, done in
`Module.__setattr__`, is what lets `parameters()`, `state_dict()`, `to()`
and `train()` walk the whole model without the author listing anything.

Calling a module runs `forward` with the user's hooks around it (`_call_impl`,
in torch's order; hooks.py shows how backward hooks see their gradients).
Read this file first in nn/, then linear.py (the smallest real module),
then functional/ for the math the modules call.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict, namedtuple
from typing import Any, Callable, Iterator, Mapping

import numpy as np

from minitorch import devices, dtypes
from minitorch.autograd.grad_mode import no_grad
from minitorch.devices import check_device
from minitorch.nn.hooks import BackwardHook, RemovableHandle
from minitorch.tensor import Tensor

# Hooks every module calls (torch.nn.modules.module's globals): debugging and profiling aids.
_global_forward_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
_global_forward_hooks: OrderedDict[int, Callable] = OrderedDict()
_global_forward_hooks_with_kwargs: OrderedDict[int, bool] = OrderedDict()
_global_forward_hooks_always_called: OrderedDict[int, bool] = OrderedDict()
_global_backward_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
_global_backward_hooks: OrderedDict[int, Callable] = OrderedDict()
_global_is_full_backward_hook: list[bool | None] = [None]  # a list: set from functions below
_HOOK_DICTS = ("_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks",
               "_forward_hooks_with_kwargs", "_forward_hooks_always_called",
               "_backward_pre_hooks", "_backward_hooks")


def register_module_forward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """hook(module, args) before every module's forward (runs before the module's own)."""
    handle = RemovableHandle(_global_forward_pre_hooks)
    _global_forward_pre_hooks[handle.id] = hook
    return handle


def register_module_forward_hook(hook: Callable[..., Any], *, with_kwargs: bool = False,
                                 always_call: bool = False) -> RemovableHandle:
    """hook(module, args, output) after every module's forward (before the module's own)."""
    handle = RemovableHandle(_global_forward_hooks,
                             extra_dict=_global_forward_hooks_always_called)
    _global_forward_hooks[handle.id] = hook
    if with_kwargs:
        _global_forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        _global_forward_hooks_always_called[handle.id] = True
    return handle


def register_module_full_backward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """hook(module, grad_output) for every module (before the module's own)."""
    handle = RemovableHandle(_global_backward_pre_hooks)
    _global_backward_pre_hooks[handle.id] = hook
    return handle


def register_module_full_backward_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """hook(module, grad_input, grad_output) for every module (before the module's own)."""
    _global_is_full_backward_hook[0] = True
    handle = RemovableHandle(_global_backward_hooks)
    _global_backward_hooks[handle.id] = hook
    return handle


class Parameter(Tensor):
    """A Tensor that a Module registers as a weight; requires grad unless told otherwise.

    `Parameter(t)` shares t's data (no copy), as torch's does, and is always a leaf.
    """

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            array = np.empty((0,), dtype=dtypes.get_default_dtype().np)
        elif isinstance(data, Tensor):
            array = data.array
        else:
            raise TypeError(
                f"Parameter: expected a Tensor as data, got {type(data).__name__}"
            )
        if requires_grad and array.dtype.kind != "f":
            raise RuntimeError(
                "Parameter: only Tensors of floating point dtype can require gradients, "
                f"got {dtypes.from_numpy_dtype(array.dtype)}"
            )
        self.array = array
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self.grad_fn = None
        self._ver, self._owner, self._base = 0, None, None

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: int) -> Any:  # deepcopy/pickle keep the subclass
        return (_rebuild_parameter, (self.array, self.requires_grad, self.grad))


def _rebuild_parameter(data: np.ndarray, requires_grad: bool, grad: Tensor | None) -> Parameter:
    p = Parameter(Tensor._make(np.array(data), False, None), requires_grad)
    p.grad = grad
    return p


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What load_state_dict returns: the keys it could not match (empty when all is well)."""

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(s: str, num_spaces: int) -> str:
    """Indent every line but the first (how torch nests child reprs)."""
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    first = lines.pop(0)
    rest = [(num_spaces * " ") + line if line.strip() else "" for line in lines]
    return first + "\n" + "\n".join(rest)


class Module:
    """Base class of every layer and model: subclass it, set attributes, write `forward`."""

    training: bool
    _version = 1

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ needs these dicts to exist first.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", {})
        for name in _HOOK_DICTS:
            object.__setattr__(self, name, OrderedDict())
        object.__setattr__(self, "_is_full_backward_hook", None)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        for name in _HOOK_DICTS:  # a module pickled before hooks existed
            self.__dict__.setdefault(name, OrderedDict())
        self.__dict__.setdefault("_is_full_backward_hook", None)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def _call_impl(self, *args: Any, **kwargs: Any) -> Any:
        """forward, with the hooks around it in torch's order (none: just forward)."""
        d = self.__dict__  # dict lookups: an attribute lookup through __getattr__ costs more
        try:
            hooked = (d["_forward_pre_hooks"] or d["_forward_hooks"] or d["_backward_hooks"]
                      or d["_backward_pre_hooks"])
        except KeyError:  # Module.__init__ never ran: the attribute access below says so
            hooked = True
        if not (hooked or _global_forward_pre_hooks or _global_forward_hooks
                or _global_backward_hooks or _global_backward_pre_hooks):
            return self.forward(*args, **kwargs)
        called_always: set[int] = set()
        result = None
        try:
            pre_hooks = [*_global_forward_pre_hooks.items(), *self._forward_pre_hooks.items()]
            for hook_id, hook in pre_hooks:
                if hook_id in self._forward_pre_hooks_with_kwargs:
                    new = hook(self, args, kwargs)
                    if new is not None:
                        if not (isinstance(new, tuple) and len(new) == 2):
                            raise RuntimeError("forward pre-hook must return None or a tuple of "
                                               f"(new_args, new_kwargs), but got {new}.")
                        args, kwargs = new
                else:
                    new = hook(self, args)
                    if new is not None:
                        args = new if isinstance(new, tuple) else (new,)
            backward_pre = [*_global_backward_pre_hooks.values(),
                            *self._backward_pre_hooks.values()]
            full = [*(_global_backward_hooks.values() if _global_is_full_backward_hook[0]
                      else ()), *self._backward_hooks.values()]
            bw_hook = None
            if full or backward_pre:
                bw_hook = BackwardHook(self, full, backward_pre)
                args = bw_hook.setup_input_hook(args)
            result = self.forward(*args, **kwargs)
            for hook_id, hook in (*_global_forward_hooks.items(), *self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called or \
                        hook_id in _global_forward_hooks_always_called:
                    called_always.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs or \
                        hook_id in _global_forward_hooks_with_kwargs:
                    new = hook(self, args, kwargs, result)
                else:
                    new = hook(self, args, result)
                if new is not None:
                    result = new
            if bw_hook is not None:
                if not isinstance(result, (Tensor, tuple)):
                    warnings.warn("For backward hooks to be called, module output should be a "
                                  f"Tensor or a tuple of Tensors but received {type(result)}",
                                  stacklevel=2)
                result = bw_hook.setup_output_hook(result)
            return result
        except Exception:
            # always_call hooks run even when forward (or another hook) raised, then re-raise;
            # like torch, global ones get (module, args, result) even if with_kwargs
            late = [(i, h, False, "global module") for i, h in _global_forward_hooks.items()
                    if i in _global_forward_hooks_always_called and i not in called_always]
            late += [(i, h, i in self._forward_hooks_with_kwargs, "module")
                     for i, h in self._forward_hooks.items()
                     if i in self._forward_hooks_always_called and i not in called_always]
            for _, hook, with_kwargs, kind in late:
                try:
                    new = hook(self, args, kwargs, result) if with_kwargs else \
                        hook(self, args, result)
                    if new is not None:
                        result = new
                except Exception as e:
                    warnings.warn(f"{kind} forward hook with ``always_call=True`` raised an "
                                  "exception that was silenced as another error was raised in "
                                  f"forward: {e}", stacklevel=2)
            raise

    __call__ = _call_impl

    # -- hooks -------------------------------------------------------------------
    def register_forward_pre_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """hook(module, args) -> None or new args, before forward (with_kwargs: hook(module,
        args, kwargs) -> None or (args, kwargs)). prepend: run before the existing ones."""
        handle = RemovableHandle(self._forward_pre_hooks,
                                 extra_dict=self._forward_pre_hooks_with_kwargs)
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                              with_kwargs: bool = False, always_call: bool = False
                              ) -> RemovableHandle:
        """hook(module, args, output) -> None or a new output, after forward.

        with_kwargs: hook(module, args, kwargs, output); always_call: run even if forward raised.
        """
        handle = RemovableHandle(self._forward_hooks, extra_dict=[
            self._forward_hooks_with_kwargs, self._forward_hooks_always_called])
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_pre_hook(self, hook: Callable[..., Any], prepend: bool = False
                                        ) -> RemovableHandle:
        """hook(module, grad_output) -> None or a new grad_output, before the module's backward."""
        handle = RemovableHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[handle.id] = hook
        if prepend:
            self._backward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_hook(self, hook: Callable[..., Any], prepend: bool = False
                                    ) -> RemovableHandle:
        """hook(module, grad_input, grad_output) -> None or a new grad_input (see hooks.py)."""
        if self._is_full_backward_hook is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks "
                               "on a single Module. Please use only one of them.")
        self._is_full_backward_hook = True
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        if prepend:
            self._backward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_backward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """torch's deprecated non-full hook: not implemented (it sees only the last node)."""
        raise NotImplementedError(
            "register_backward_hook (deprecated in torch) is not implemented in minitorch; use "
            "register_full_backward_hook"
        )

    # -- registration: the attribute trick ---------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep=self._parameters)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as parameter '{name}' "
                    "(minitorch.nn.Parameter or None expected)"
                )
            params[name] = None
            return
        modules = self.__dict__.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep=modules)
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as child module '{name}' "
                    "(minitorch.nn.Module or None expected)"
                )
            modules[name] = value
            return
        buffers = self.__dict__.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as buffer '{name}' "
                    "(minitorch.Tensor or None expected)"
                )
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: dict) -> None:
        """Drop `name` from the other registries (it is being re-registered in `keep`, where
        it keeps its place: replacing model.fc does not move it to the end of state_dict)."""
        self.__dict__.pop(name, None)
        for d in (self._parameters, self._buffers, self._modules):
            if d is not keep:
                d.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name: str) -> Any:
        # Called only when normal lookup fails: look in the three registries.
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            reg = d.get(registry)
            if reg is not None and name in reg:
                return reg[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        keys = list(super().__dir__()) + list(self._parameters) + list(self._modules)
        keys += list(self._buffers)
        return sorted(k for k in set(keys) if not k[:1].isdigit())

    def _check_name(self, name: Any, kind: str, registry: dict) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or a None placeholder, e.g. `bias=False`) under `name`."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter", self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                "(minitorch.nn.Parameter or None required)"
            )
        if param is not None and param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                "created explicitly. To express '{name}' as a function of another Tensor, "
                "compute the value in the forward() method."
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not a weight (BatchNorm's running_mean).

        Buffers move with `to()` and, when persistent, appear in `state_dict()`.
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                "(minitorch Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register a child module under `name` (what `self.name = module` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        self._check_name(name, "module", self._modules)
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The module at a dotted path, e.g. model.get_submodule('encoder.0')."""
        mod = self
        for item in target.split(".") if target else []:
            if not hasattr(mod, item):
                raise AttributeError(f"{mod._get_name()} has no attribute `{item}`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return mod

    def get_parameter(self, target: str) -> Parameter:
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(f"{mod._get_name()} has no attribute `{name}`")
        param = getattr(mod, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(f"{mod._get_name()} has no attribute `{name}`")
        buffer = getattr(mod, name)
        if name not in mod._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return buffer

    # -- walking the tree --------------------------------------------------
    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """(name, module) for this module and every descendant, parents before children.

        An explicit stack, not recursion, in the same order as torch's pre-order walk.
        """
        if memo is None:
            memo = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if mod in memo:  # torch's memo holds the modules themselves
                continue
            if remove_duplicate:
                memo.add(mod)
            yield name, mod
            children = [
                (name + ("." if name else "") + key, child)
                for key, child in mod._modules.items()
                if child is not None
            ]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen: set[int] = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named_members(
        self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()
        mods = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for mod_prefix, mod in mods:
            for name, value in getattr(mod, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield mod_prefix + ("." if mod_prefix else "") + name, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, Parameter), each shared parameter once (like torch)."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call fn on every submodule, children before their parent (torch's post-order);
        returns self. An explicit stack, like named_modules."""
        stack: list[tuple[Module, bool]] = [(self, False)]
        while stack:
            mod, children_done = stack.pop()
            if children_done:
                fn(mod)
                continue
            stack.append((mod, True))
            stack.extend((child, False) for child in reversed(list(mod.children())))
        return self

    # -- modes and gradients -----------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Training mode on (or off): Dropout drops, BatchNorm uses and updates batch stats."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the accumulated gradients (set them to None, or to zeros)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad = Tensor._make(np.zeros_like(p.grad.array), False, None)

    # -- dtype conversion ----------------------------------------------------
    def _apply_to_floating(self, np_dtype: np.dtype) -> Module:
        """Convert every floating parameter (in place, keeping its identity) and buffer."""
        for m in self.modules():
            for p in m._parameters.values():
                if p is None or p.array.dtype.kind != "f" or p.array.dtype == np_dtype:
                    continue
                p.array = p.array.astype(np_dtype)
                if p.grad is not None:
                    p.grad = Tensor._make(p.grad.array.astype(np_dtype), False, None)
            for key, b in m._buffers.items():
                if b is not None and b.array.dtype.kind == "f" and b.array.dtype != np_dtype:
                    m._buffers[key] = Tensor._make(b.array.astype(np_dtype), False, None)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """`to(dtype)`, `to('cpu')`, `to(dtype=...)`: floating tensors change dtype, in place."""
        dtype = kwargs.pop("dtype", None)
        device_kw = kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() received an invalid combination of arguments: {list(kwargs)}")
        check_device(device_kw, "to", copy=True)
        for a in args:
            if isinstance(a, dtypes.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, int, devices.device)) and not isinstance(a, bool):
                check_device(a, "to", copy=True)  # 'cpu', 'cpu:0', device('cpu', 0)
            else:
                raise TypeError(f"to() received an invalid combination of arguments - got "
                                f"({type(a).__name__})")
        if dtype is None:
            return self
        dtype = dtypes.to_dtype(dtype)
        if not dtype.is_floating_point:
            raise TypeError(
                f"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                f"dtype={dtype}"
            )
        return self._apply_to_floating(dtype.np)

    def float(self) -> Module:
        return self._apply_to_floating(np.dtype(np.float32))

    def double(self) -> Module:
        return self._apply_to_floating(np.dtype(np.float64))

    def cpu(self) -> Module:
        return self

    def type(self, dst_type: Any) -> Module:
        return self.to(dst_type)

    # -- saving and loading --------------------------------------------------
    def state_dict(
        self, *args: Any, destination: dict | None = None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name, in torch's order and keys.

        Each module contributes its own parameters, then its buffers, then its
        children's entries. Values share memory with the model (detached unless keep_vars).
        """
        if args:  # torch's old positional form state_dict(destination, prefix, keep_vars)
            destination = args[0]
            if len(args) > 1:
                prefix = args[1]
            if len(args) > 2:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            pre, mod = stack.pop()
            for name, p in mod._parameters.items():
                if p is not None:
                    destination[pre + name] = p if keep_vars else p.detach()
            for name, b in mod._buffers.items():
                if b is not None and name not in mod._non_persistent_buffers_set:
                    destination[pre + name] = b if keep_vars else b.detach()
            children = [(pre + k + ".", c) for k, c in mod._modules.items() if c is not None]
            stack.extend(reversed(children))
        return destination

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ) -> _IncompatibleKeys:
        """Copy values into the existing parameters and buffers (keeping their dtype).

        strict=True: a missing or unexpected key is an error (strict=False: they are only
        returned); a shape mismatch always is. Errors are gathered and raised together.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"Expected state_dict to be dict-like, got {type(state_dict).__name__}."
            )
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []
        for prefix, mod in self.named_modules(remove_duplicate=False):
            pre = prefix + "." if prefix else ""
            local = {k: v for k, v in mod._parameters.items() if v is not None}
            local.update(
                (k, v)
                for k, v in mod._buffers.items()
                if v is not None and k not in mod._non_persistent_buffers_set
            )
            for name, target in local.items():
                key = pre + name
                if key not in state_dict:
                    missing.append(key)
                    continue
                source = state_dict[key]
                err = _copy_into(target, source, key, assign, mod, name)
                if err:
                    errors.append(err)
            for key in state_dict:
                if not key.startswith(pre):
                    continue
                head, dot, _ = key[len(pre):].partition(".")
                if (dot and head not in mod._modules) or (not dot and head not in local):
                    unexpected.append(key)
        if strict:
            if unexpected:
                errors.insert(
                    0,
                    "Unexpected key(s) in state_dict: {}. ".format(
                        ", ".join(f'"{k}"' for k in unexpected)
                    ),
                )
            if missing:
                errors.insert(
                    0,
                    "Missing key(s) in state_dict: {}. ".format(
                        ", ".join(f'"{k}"' for k in missing)
                    ),
                )
        if errors:
            raise RuntimeError(
                "Error(s) in loading state_dict for {}:\n\t{}".format(
                    type(self).__name__, "\n\t".join(errors)
                )
            )
        return _IncompatibleKeys(missing, unexpected)

    # -- printing --------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The part inside the parentheses, e.g. 'in_features=3, out_features=2, bias=True'."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({key}): " + _addindent(repr(module), 2) for key, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"


def _copy_into(
    target: Tensor, source: Any, key: str, assign: bool, mod: Module, name: str
) -> str | None:
    """Copy `source` into `target` in place, keeping target's dtype; an error message or None."""
    if not isinstance(source, Tensor):
        if hasattr(source, "detach") and hasattr(source, "numpy"):  # a torch tensor, say
            source = Tensor._make(np.asarray(source.detach().numpy()), False, None)
        elif isinstance(source, np.ndarray):
            source = Tensor._make(source, False, None)
        else:
            return (
                f'While copying the parameter named "{key}", expected minitorch.Tensor or '
                f"Tensor-like object from checkpoint but received {type(source)}"
            )
    src = source.array
    if target.array.ndim == 0 and src.ndim == 1 and src.shape[0] == 1:
        src = src.reshape(())  # torch's backward-compatibility rule for 0-d entries
    if src.shape != target.array.shape:
        return (
            f"size mismatch for {key}: copying a param with shape {tuple(src.shape)} from "
            f"checkpoint, the shape in current model is {tuple(target.array.shape)}."
        )
    with no_grad():
        if assign:
            value = Tensor._make(np.array(src), False, None)
            if isinstance(target, Parameter):
                value = Parameter(value, target.requires_grad)
                mod._parameters[name] = value
            else:
                mod._buffers[name] = value
        else:
            target.array[...] = src  # casts to the target's dtype, as copy_ does
            target._version += 1
    return None


def _typename(x: Any) -> str:
    """How error messages name a value's type: 'minitorch.Tensor', 'int', 'mod.Class'."""
    t = type(x)
    if isinstance(x, Tensor):
        return "minitorch." + t.__name__
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
