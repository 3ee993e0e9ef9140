"""How a tensor prints: torch's repr, rule for rule.

A printed tensor is `tensor(` + its values + suffixes such as
`dtype=minitorch.float64` or `grad_fn=<MulBackward0>` + `)`. The values
are laid out by one _Formatter for the whole tensor: it looks at every value
once and decides between integer look (`1.`), fixed point (`1.5000`) and
scientific notation (`1.0000e-05`), and how wide a column must be so that
everything lines up. Tensors of more than 1000 elements are summarised with
`...`, keeping three items at each end of every dimension.

This follows torch/_tensor_str.py closely, and formats numbers with the same
Python format strings, so the output is identical.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from minitorch import dtypes

__all__ = ["format_tensor", "set_printoptions", "get_printoptions", "PRINT_OPTS"]


@dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """torch.set_printoptions: digits, summarising threshold, edge items, line width."""
    if profile is not None:
        presets = {
            "default": (4, 1000, 3, 80),
            "short": (2, 1000, 2, 80),
            "full": (4, math.inf, 3, 80),
        }
        (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
         PRINT_OPTS.linewidth) = presets[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    return dict(vars(PRINT_OPTS))


class _Formatter:
    """One layout for every value of a tensor: the mode and the column width."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            if flat.size:
                if flat.dtype == np.bool_:
                    self.max_width = 5 if not flat.all() else 4
                else:  # the longest string is the largest or the most negative number
                    self.max_width = max(len(str(int(flat.max()))), len(str(int(flat.min()))))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)]
        if finite.size == 0:
            return
        absval = np.abs(finite).astype(np.float64)
        lo, hi = absval.min(), absval.max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        p = PRINT_OPTS.precision
        if self.sci_mode:
            pattern, extra = f"{{:.{p}e}}", 0
        elif self.int_mode:
            pattern, extra = "{:.0f}", 1  # room for the trailing "." of 1.
        else:
            pattern, extra = f"{{:.{p}f}}", 0
        for v in np.unique(finite).tolist():
            self.max_width = max(self.max_width, len(pattern.format(v)) + extra)

    def width(self) -> int:
        return self.max_width

    def format(self, value: Any) -> str:
        if self.floating:
            p = PRINT_OPTS.precision
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{p}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _summarized(a: np.ndarray) -> np.ndarray:
    """Only the values that will be shown: `edgeitems` at each end of every long dimension."""
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0 or (a.ndim == 1 and e == 0):  # torch's a[:0] + a[-0:] is all of a
        return a
    if e == 0:
        return a[tuple(slice(0, 0) for _ in a.shape)]
    for axis, n in enumerate(a.shape):
        if n > 2 * e:
            keep = list(range(e)) + list(range(n - e, n))
            a = np.take(a, keep, axis=axis)
    return a


def _vector_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    element_length = fmt.width() + 2  # the value, a comma and a space
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        data = (
            [fmt.format(v) for v in a[:e].tolist()]
            + [" ..."]
            + [fmt.format(v) for v in a[-e:].tolist()]
        )
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(a: np.ndarray, indent: int, summarize: bool,
                               fmt: _Formatter) -> str:
    """Nested brackets: one blank line between blocks per dimension beyond the second.

    Recursion goes one level per dimension, so its depth is the tensor's ndim.
    """
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    e = PRINT_OPTS.edgeitems
    n = a.shape[0]
    if summarize and n > 2 * e:
        slices = (
            [_tensor_str_with_formatter(a[i], indent + 1, summarize, fmt) for i in range(e)]
            + ["..."]
            + [_tensor_str_with_formatter(a[i], indent + 1, summarize, fmt)
               for i in range(n - e, n)]
        )
    else:
        slices = [_tensor_str_with_formatter(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _tensor_str(a: np.ndarray, indent: int) -> str:
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    fmt = _Formatter(_summarized(a) if summarize else a)
    return _tensor_str_with_formatter(a, indent, summarize, fmt)


def _add_suffixes(tensor_str: str, suffixes: list[str], indent: int) -> str:
    """Append `, suffix` items, wrapping to a new line when the line would pass linewidth.

    Lengths are measured as torch measures its own `dtype=torch.float64`, so that
    lines break where torch's break (ours are longer by "mini").
    """
    parts = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        n = len(suffix.replace("minitorch.", "torch."))
        if last_line_len + n + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + n
        else:
            parts.append(", " + suffix)
            last_line_len += n + 2
    parts.append(")")
    return "".join(parts)


def format_tensor(t: Any) -> str:
    """repr(t), exactly as torch prints the same tensor (with `minitorch.` for `torch.`)."""
    prefix = "tensor("
    indent = len(prefix)
    a = t.array
    d = dtypes.from_numpy_dtype(a.dtype)
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:  # shown as in NumPy: the shape, unless it is (0,)
            suffixes.append("size=" + str(tuple(a.shape)))
        if d is not dtypes.get_default_dtype():  # no values to tell ints from floats
            suffixes.append(f"dtype={d!r}")
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(a.shape)))
        if d not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_):
            suffixes.append(f"dtype={d!r}")
        tensor_str = _tensor_str(a, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + tensor_str, suffixes, indent)
