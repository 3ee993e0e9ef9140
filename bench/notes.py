"""Why a case is slow: the notes the report prints beside every large case over 3x torch.

Issue 14's bar: no case at the large size is more than 3x torch without a
note saying why. report.py lists every such case with `note_for(case)`;
a case without one is shown as "no note", so a new slow case is visible
until someone explains it (or fixes it).

A key is an op-table row's name (the note applies to that op at every size
and mode) or a full case name ("erf · large · fwd"), which wins over the op's.
Write the reason, not the wish: what minitorch does that torch does not.

Read report.py next (`_slow_large_section`).
"""

from __future__ import annotations

from typing import Any

_VIEW = ("a view: torch's forward is O(1) metadata whatever the size and its backward "
         "reshapes the gradient without a copy, so torch's time is microseconds; any copy "
         "or per-call overhead on minitorch's side is a large ratio of that small number")

NOTES: dict[str, str] = {
    **{op: _VIEW for op in ("reshape", "view", "flatten", "unflatten", "unsqueeze", "squeeze",
                            "t", "T", "mT", "expand", "expand_as", "broadcast_to",
                            "Tensor.view_as", "Tensor.reshape_as", "movedim", "narrow",
                            "select", "diagonal", "permute", "transpose")},
    "erf": ("NumPy has no erf: minitorch evaluates fdlibm's piecewise erf in float64 with a "
            "dozen masked passes over the array (bit-exact rounding), where torch runs one "
            "vectorised float32 kernel (issue 14 item 3)"),
}


def note_for(case: dict[str, Any]) -> str | None:
    """The note for a case result (its full name first, then its op), or None."""
    return NOTES.get(case.get("name", "")) or NOTES.get(case.get("op", ""))
