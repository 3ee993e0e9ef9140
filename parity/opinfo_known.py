"""Known differences in the OpInfo section (parity/opinfo.py), each with its reason.

A failing OpInfo case stays a failure unless an entry here names it: the
OpInfo entry's label (or "*"), the dtypes it applies to (None: all), and a
substring of the sample's description or of what differed, with why the
difference is accepted. Real bugs do not belong here: they are fixed.
"""

from __future__ import annotations

# (OpInfo label or "*", dtypes or None, substring of "desc | detail", what and why)
KNOWN: tuple[tuple[str, tuple[str, ...] | None, str, str], ...] = ()


def known_reason(label: str, dtype: str, desc: str, detail: str) -> str | None:
    """The reason a failing case is a known difference, or None."""
    text = f"{desc} | {detail}"
    for op, dtypes, needle, reason in KNOWN:
        if op not in ("*", label):
            continue
        if dtypes is not None and dtype not in dtypes:
            continue
        if needle in text:
            return reason
    return None
