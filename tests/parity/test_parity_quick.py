"""The quick parity subset: every op-table row on a few samples, one test per row.

Each row runs on its samples tagged "quick" (one ordinary shape, a
broadcasting pair, the special-value grid, ties or large logits where they
matter) in every dtype it takes, plus its bad inputs; a failure names the op
and shows the first mismatch and the command that reruns the case. The full
sweep is `make parity`.
"""

from __future__ import annotations

import pytest

from parity.op_table import ALL_ROWS
from parity.report import rerun_command
from parity.runner import run_row


@pytest.mark.parametrize("row", ALL_ROWS, ids=lambda r: r.name)
def test_row_matches_torch(row) -> None:
    results = run_row(row, quick=True)
    assert results, f"{row.name} has no quick samples"
    bad = [r for r in results if r.status in ("FAIL", "crash")]
    assert not bad, "\n".join(
        f"{r.key} [{r.desc}]: {r.error if r.status == 'crash' else r.mismatch}\n"
        f"    rerun: {rerun_command(r)}" for r in bad)
