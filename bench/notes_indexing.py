"""Notes for the slow large cases of the indexing ops (see bench/notes.py, which merges them).

An entry here wins over one of the same key in bench/notes.py.

Numbers: 1024 x 1024 float32 with the bench's index (values 0..3 along dim 1; index_select's
and index_add's: 1024 picks of rows 0 and 2), one thread, the fastest of 21-31 runs, measured
2026-12-02 on the shared 2-core Intel Xeon (AVX-512) while other jobs ran: a few tens of
percent of noise, more in the bench's medians. "The floor" is the best hand-written NumPy
expression, timed beside torch's op in the same process. Every path adds in torch's order
(index order per place, in the tensor's dtype), so the results are bit-exact.
"""

from __future__ import annotations

_POSITIONS = ("ops/indexing.py works on flat C-order positions (index + each row's offset, "
              "one int64 pass of ~1 ms that torch does not need), the one index form np.take "
              "and ufunc.at are fast with (a tuple of index arrays is 6-20x slower)")
_REDUCE = ("ufunc.at on flat positions (np.maximum.at alone: 3.3 ms against torch's amax "
           "2.3-2.8 ms), mean's counts by np.bincount; " + _POSITIONS + ". Forward 1.2-2.1x, "
           "forward+backward 0.8-1.5x torch")

NOTES: dict[str, str] = {
    "gather": ("a fancy-index read: " + _POSITIONS + ". The floor, positions + np.take, "
               "takes 1.8 ms against torch's gather 1.1-1.3 ms (1.4-1.7x; "
               "np.take_along_axis 3.5-5.7 ms); minitorch adds the index's range check (min "
               "and max, 0.6 ms): 3.1 ms against 1.3 ms (2.3x). The backward adds the "
               "gradient at the same positions with np.add.at (~2.5 ms for 1M): "
               "forward+backward 6.1 ms against 3.6 ms (1.7x)"),
    "scatter": ("x copied, then one flat assignment: " + _POSITIONS + ". The floor, "
                "x.copy() + positions + the assignment, takes 2.5-2.8 ms against torch's "
                "scatter 1.2-1.3 ms (2.1x); minitorch, with the index's range check, 5.3 ms "
                "against 2.0 ms (2.7x)"),
    "scatter_add": ("x copied, then np.add.at (an unbuffered loop) on flat positions: "
                    + _POSITIONS + ". The floor takes 2.9-3.1 ms against torch's scatter_add "
                    "1.4-1.6 ms (2.0x); minitorch 4.0 ms against 1.9 ms (2.1x); "
                    "forward+backward 7.7 ms against 4.5 ms (1.7x)"),
    "index_add": ("the repeated rows are summed a group at a time (support._add_rows): a "
                  "stable sort of the index, then each group's rows, after its row of x, "
                  "summed in index order by np.add.reduce; alpha * source is a pass of its "
                  "own. 1.4 ms against torch's 0.58 ms (2.4x); np.add.at over the rows takes "
                  "9.1 ms, a Python loop of row adds 1.4 ms"),
    "index_select": ("np.take forward (1.0x torch); the backward sums the gradient's rows "
                     "per picked row as index_add does (support._add_rows): "
                     "forward+backward 1.3 ms against torch's 0.85 ms (1.5x)"),
    "F.embedding": ("the forward is weight[idx] (EmbeddingLookup in nn/functional/basic.py): "
                    "NumPy's fancy indexing of (349525, 3) indices into a (6, 3) weight takes "
                    "12.5 ms against torch's 3.2 ms, where np.take(weight, idx, axis=0) "
                    "gives the same rows in 2.7 ms (0.85x torch): a one-line fix outside "
                    "ops/, not made in this pass. The backward (np.add.at on flat positions: "
                    "1M rows of 3 into 6 rows) makes forward+backward 0.6x torch"),
    **{f"scatter_reduce({r}, include_self={s})": _REDUCE
       for r in ("sum", "prod", "mean", "amax", "amin") for s in (True, False)},
}
