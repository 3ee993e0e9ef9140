"""Notes for the slow large cases of the nn ops (see bench/notes.py, which merges them).

An entry here wins over one of the same key in bench/notes.py.

The numbers: the bench's large inputs, one thread, the fastest of 5-15 runs, measured
2026-12-02 on this machine (Intel Xeon, AVX-512, 2 cores shared with other jobs, so a few
tens of percent of noise). "The floor" is the best hand-written NumPy expression for the op,
timed beside torch's op in the same process.
"""

from __future__ import annotations

_IM2COL = ("NumPy has no direct convolution: the floor is im2col (an as_strided view of "
           "every window, copied once) and one matmul. The bench's images are tiny (conv2d: "
           "8322 x 3 x 7 x 6, 3x3 kernel; conv3d: 14563 x 2 x 4 x 3 x 3, 2x2x2 kernel), so the "
           "copy runs a 6- (2-) element inner loop per window row and dominates: conv2d's "
           "copy alone takes 14.5 ms, the floor (pad + im2col + matmul) 22.6 ms against "
           "torch's 4.5 ms (5.0x); conv3d's copy 11.5 ms, the floor 14.2 ms against 4.3 ms "
           "(3.3x); torch (oneDNN) convolves without materialising the columns. minitorch "
           "is at the floor (conv2d 21.7 ms; conv3d, a sum of kd conv2d over depth slices, "
           "14.8 ms). Doing the copy in cache-sized batch chunks gains ~30%, not 3x. fwd+bwd "
           "is ~1.3x (conv2d) and ~3x (conv3d: the kd slices' copies and its backward's adds)")

NOTES: dict[str, str] = {
    "F.conv2d": _IM2COL,
    "F.conv3d": _IM2COL,
    "F.batch_norm": (
        "the bench's input is (349525, 3): the statistics are reductions over axis 0 of an "
        "array whose rows are 3 elements long, and NumPy runs such a reduction as a 3-element "
        "inner loop per row: x.sum(axis=0) alone takes 5.1 ms against torch's whole "
        "batch_norm 6.8 ms. The forward needs two (the mean, the centred sum of squares): the "
        "floor (those two and the affine, scale folded) is 17.7 ms (2.6x); the backward two "
        "more (Σ grad, Σ grad·xhat, each reduced once since this pass): floor fwd+bwd 39 ms "
        "against torch's 15.5 ms (2.5x). minitorch keeps xhat for the backward (one more "
        "pass than the floor): fwd ~3.1x, fwd+bwd ~2.5x in the bench"),
    "F.nll_loss": (
        "per-call overhead: the work is 1024 picked values, torch's whole call takes 6.7 us; "
        "the floor, -x[arange(n), t].mean(), is already 17 us (2.6x: two NumPy calls' "
        "fixed cost plus the fancy index). minitorch (~35-65 us) adds torch's argument checks "
        "(target dtype, shape, and range: two reductions), the Function node and the "
        "reduction's bookkeeping; its fast path (every row, no weight) takes the picked values "
        "as they are. fwd+bwd is ~2.4x"),
    "F.multilabel_margin_loss": (
        "near 3x (2.5x): like torch's kernel, the cost is N x J x C (J: targets per row) and "
        "the rounding is torch's (each row summed in float64 in torch's order, by a sequential "
        "np.cumsum per target slot; the gradient's repeated adds from a cumsum table), bit "
        "for bit in float32 and float64; torch's loop needs no such passes. Until 2026-12-02 "
        "minitorch built all N x C x C hinges (over 5 s here)"),
    "F.max_pool2d_with_indices · large · fwd+bwd": (
        "near 3x (2.3-2.7x): the forward takes the max and its offset with boolean passes "
        "(no masked copies), then turns the offsets into flat int64 indices (a few more "
        "passes over the output); the backward routes the gradient with one exact select per "
        "kernel offset (np.where), where torch's loop writes each gradient once"),
    # measured 2026-12-02 after the bench run (Intel Xeon AVX-512, 1 thread, fastest of 15)
    "F.cross_entropy · large · fwd": (
        "a gap to the floor (issue 14), not a limit: the floor, max, x - max, exp, sum, log "
        "and the picked logits as NumPy passes, takes 1.87 ms against torch's fused 1.07 ms "
        "(1.75x); minitorch takes 3.07 ms (2.9x) because it builds the whole log_softmax "
        "(a fresh 4 MB array, kept for the backward) before picking and averaging"),
    "F.instance_norm · large · fwd": (
        "statistics over each (N, C) plane of 5 values: NumPy's mean and variance over a "
        "5-long last axis run slowly (a short inner loop per plane), so the floor, mean, "
        "x - mean, the variance and the division as NumPy passes, takes 11.5 ms against "
        "torch's 3.7 ms (3.1x), so no NumPy expression gets within 3x; minitorch took "
        "15.1 ms beside them (4.1x; the bench run's median 3.0x)"),
}
