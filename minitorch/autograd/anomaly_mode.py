"""Anomaly detection: stop backward at the first node whose gradient holds a NaN.

`with autograd.detect_anomaly():` (or `autograd.set_detect_anomaly(True)`)
makes engine.run_backward look at every gradient a node returns; a NaN
raises RuntimeError naming the node, e.g. "Function 'SqrtBackward0' returned
nan values in its 0th output.", where without it the NaN would silently
reach `.grad`. torch also prints the forward traceback of that node;
minitorch does not record tracebacks, so the node's name is the clue.
"""

from __future__ import annotations

import builtins
import warnings
from typing import Any

import numpy as np


class _AnomalyMode:
    enabled = False  # read by engine.run_backward once per node
    check_nan = True


def is_anomaly_enabled() -> bool:
    return _AnomalyMode.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _AnomalyMode.check_nan


def check_nan(node: Any, in_grads: tuple) -> None:
    """Raise if any gradient the node returned holds a NaN (called only in anomaly mode)."""
    if not _AnomalyMode.check_nan:
        return
    for i, g in enumerate(in_grads):
        if isinstance(g, np.ndarray) and g.dtype.kind in "fc" and np.isnan(g).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def _check_bool(mode: Any, what: str) -> None:
    if not isinstance(mode, builtins.bool):
        raise TypeError(f"{what}: argument 'mode' must be bool, not {type(mode).__name__}")


class detect_anomaly:
    """Context manager: anomaly detection on inside the block (warns when made, as torch)."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            stacklevel=2,
        )

    def __enter__(self) -> None:
        self._prev = (_AnomalyMode.enabled, _AnomalyMode.check_nan)
        _AnomalyMode.enabled, _AnomalyMode.check_nan = True, self.check_nan

    def __exit__(self, *exc: Any) -> None:
        _AnomalyMode.enabled, _AnomalyMode.check_nan = self._prev


class set_detect_anomaly:
    """set_detect_anomaly(mode, check_nan=True): switches at once, like set_grad_enabled;
    as a context manager it restores the previous mode on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        _check_bool(mode, "set_detect_anomaly")
        self._prev = (_AnomalyMode.enabled, _AnomalyMode.check_nan)
        _AnomalyMode.enabled, _AnomalyMode.check_nan = mode, check_nan

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        _AnomalyMode.enabled, _AnomalyMode.check_nan = self._prev
