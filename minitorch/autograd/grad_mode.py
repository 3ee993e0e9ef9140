"""Grad mode: one global switch that says whether new ops are recorded.

`no_grad()` turns recording off (optimizer steps, evaluation), `enable_grad()`
turns it back on. Both work as context managers and as decorators.
"""

from __future__ import annotations

import functools
from typing import Any, Callable


class _GradMode:
    enabled = True  # read by Function.apply on every op


def is_grad_enabled() -> bool:
    """True when ops are being recorded for backward."""
    return _GradMode.enabled


class _SetGradMode:
    mode = True

    def __enter__(self) -> None:
        self._prev = _GradMode.enabled
        _GradMode.enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        _GradMode.enabled = self._prev

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_SetGradMode):  # noqa: N801  (torch's name)
    """Context manager and decorator: ops inside are not recorded."""

    mode = False


class enable_grad(_SetGradMode):  # noqa: N801
    """Context manager and decorator: ops inside are recorded, even within no_grad."""

    mode = True


class set_grad_enabled(_SetGradMode):  # noqa: N801
    """`with set_grad_enabled(False):` -- the switch with an explicit value."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._prev = _GradMode.enabled
        _GradMode.enabled = self.mode  # like torch, it takes effect at once
