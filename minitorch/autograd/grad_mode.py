"""Grad mode: one global switch that says whether new ops are recorded.

`no_grad()` turns recording off (optimizer steps, evaluation), `enable_grad()`
turns it back on, `set_grad_enabled(b)` sets it to b, and `inference_mode()`
is no_grad for code that will never call backward. Each works as a context
manager and as a decorator (of functions and of generators), and restores
the mode it found on exit. Read function.py next: Function.apply is where
the switch is read.
"""

from __future__ import annotations

import builtins
import functools
import inspect
import sys
from typing import Any, Callable


class _GradMode:
    enabled = True  # read by Function.apply on every op
    inference = False  # inside inference_mode(): only is_inference_mode_enabled() reads it


def is_grad_enabled() -> bool:
    """True when ops are being recorded for backward."""
    return _GradMode.enabled


def is_inference_mode_enabled() -> bool:
    """True inside `inference_mode()`."""
    return _GradMode.inference


def _wrap_generator(make_context: Callable[[], Any], fn: Callable) -> Callable:
    """A generator function whose every step (not the caller's code between) runs in the mode.

    torch does the same: the mode must not leak into the loop that consumes the generator.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        gen = fn(*args, **kwargs)
        try:
            with make_context():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with make_context():
                        gen.close()
                    raise
                except BaseException:
                    with make_context():
                        response = gen.throw(*sys.exc_info())
                else:
                    with make_context():
                        response = gen.send(request)
        except StopIteration as stop:
            return stop.value

    return wrapper


class _DecoratorContextManager:
    """A context manager that is also a decorator: `with m():` and `@m()` mean the same."""

    def clone(self) -> _DecoratorContextManager:
        """A fresh manager in the same mode (each decorated call enters its own)."""
        return type(self)()

    def __call__(self, fn: Callable) -> Callable:
        if inspect.isgeneratorfunction(fn):
            return _wrap_generator(self.clone, fn)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper


class _SetGradMode(_DecoratorContextManager):
    mode = True

    def __new__(cls, orig_func: Callable | None = None) -> Any:
        # `@no_grad` without parentheses decorates the function directly, as in torch.
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def __enter__(self) -> None:
        self._prev = _GradMode.enabled
        _GradMode.enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        _GradMode.enabled = self._prev


class no_grad(_SetGradMode):
    """Context manager and decorator: ops inside are not recorded."""

    mode = False


class enable_grad(_SetGradMode):
    """Context manager and decorator: ops inside are recorded, even within no_grad."""

    mode = True


class set_grad_enabled(_DecoratorContextManager):
    """set_grad_enabled(b): a call that sets the mode at once, and a context manager or
    decorator that restores the mode it found when its block or function ends."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, builtins.bool):
            raise TypeError(
                "set_grad_enabled(): argument 'enabled' (position 1) must be bool, "
                f"not {type(mode).__name__}"
            )
        self.mode = mode
        self._prev = _GradMode.enabled
        _GradMode.enabled = mode  # like torch, it takes effect at once

    def __call__(self, fn: Callable) -> Callable:
        _GradMode.enabled = self._prev  # as a decorator it changes nothing until fn runs
        return super().__call__(fn)

    def __enter__(self) -> None:
        return None  # __init__ already switched

    def __exit__(self, *exc: Any) -> None:
        _GradMode.enabled = self._prev

    def clone(self) -> set_grad_enabled:
        return type(self)(self.mode)

    def __repr__(self) -> str:
        return f"minitorch.autograd.grad_mode.set_grad_enabled(mode={self.mode})"


class inference_mode(_DecoratorContextManager):
    """no_grad for code that will never call backward: ops inside are not recorded.

    inference_mode(False) is a no-op switch back to recording. torch also marks tensors
    made inside as "inference tensors" that autograd later refuses; minitorch makes
    ordinary tensors (they do not require grad), so is_inference() is always False.
    """

    def __new__(cls, mode: Any = True) -> Any:
        if not isinstance(mode, builtins.bool):  # @inference_mode without parentheses
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        self._prev = (_GradMode.enabled, _GradMode.inference)
        _GradMode.enabled, _GradMode.inference = not self.mode, self.mode

    def __exit__(self, *exc: Any) -> None:
        _GradMode.enabled, _GradMode.inference = self._prev

    def clone(self) -> inference_mode:
        return type(self)(self.mode)
