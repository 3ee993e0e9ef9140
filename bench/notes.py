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

from bench import notes_indexing, notes_nn

_VIEW = ("a view: torch's forward is O(1) metadata whatever the size and its backward "
         "reshapes the gradient without a copy, so torch's time is microseconds; any copy "
         "or per-call overhead on minitorch's side is a large ratio of that small number")

# The numbers below: 1024 x 1024 float32 (the large size), one thread, the fastest of 15
# runs, measured 2026-12-02 on the shared 2-core machine while other jobs ran (so each is a
# lower bound with a few tens of percent of noise). "The floor" is the best hand-written NumPy
# expression for the op, timed beside torch's op in the same process.


def _libm(fn: str, numpy_ms: float, torch_ms: float) -> str:
    return (f"NumPy has no float32 SIMD {fn}: it calls libm's scalar routine per element. "
            f"The floor, np.{fn} alone, takes {numpy_ms} ms against torch's {torch_ms} ms "
            f"({numpy_ms / torch_ms:.1f}x), so no NumPy expression gets within 3x; minitorch "
            "calls it once (its backward adds one more such call where the derivative needs "
            "one)")


_FMOD = ("every float floor-division and remainder starts from np.fmod, which is libm's "
         "scalar fmodf (torch uses a vectorised one): np.fmod alone takes 27.3 ms against "
         "torch's fmod 1.7 ms (16x), remainder 1.8 ms (15x) and floor_divide 3.2 ms (9x); even "
         "np.floor_divide, which is not torch's rounding, takes 41 ms (14x). minitorch adds "
         "the exact corrections (sign of zero, y == 0) as branch-free passes (support."
         "exact_where) around that one call")
_EXPM1 = ("the negative side is expm1, and NumPy has no float32 SIMD expm1: np.expm1 alone "
          "takes 29.8 ms against torch's whole elu 3.4 ms (8.7x); minitorch's select around "
          "it is branch-free (support.exact_where)")
_PASSES = ("a chain of elementwise steps that torch fuses into one pass over the array; each "
           "NumPy step is its own pass and a fresh 4 MB array (a page-faulted allocation at "
           "this size)")
_MASK_BWD = ("fwd+bwd: the backward is an exact select of grad (np.where bit for bit, without "
             "np.where's per-element branch: support.exact_where, ~5 passes over the array) and "
             "the graph keeps the forward's arrays alive, so every step allocates fresh pages; "
             "torch's backward is one fused pass")
_INDEXING = ("an indexed accumulate: NumPy's ufunc.at is an unbuffered loop, the floor "
             "np.add.at(zeros, (rows, index), src) takes 28.7 ms against torch's scatter_add "
             "2.9 ms (9.8x), np.maximum.at 44.5 ms against scatter_reduce amax 12.6 ms "
             "(3.5x), np.add.at over rows 16.5 ms against index_add 0.4 ms (40x) (issue 14: "
             "these ops live in ops/indexing.py)")
_SHIFT = ("int64 shifts with torch's rule for a shift past the width or below 0 (0 to the "
          "left; the sign to the right), which NumPy's shift leaves undefined: np.left_shift "
          "alone is 0.9x torch (1.4 ms), but the range test and the exact select (a 0/1 "
          "multiply, ~5 more passes over 8 MB int64 arrays) take minitorch to ~6x (left) "
          "and ~8x (right) in the bench, whose shifts run from -2 to 60")

# The notes below were measured on the Intel Xeon (AVX-512) machine, 1 thread, 2026-12-02, the
# fastest of 20-40 runs with torch timed in the same process (the machine was shared: a few
# tens of percent of noise); "was" is main before the slowops pass, measured the same way.
_LAPACK = ("an LU factorisation (getrf) and what follows it, through NumPy's LAPACK "
           "(OpenBLAS's) where torch calls MKL's, which on this AVX-512 machine is several "
           "times faster: the floors np.linalg.inv 113 ms against torch.linalg.inv 44 ms (2.6x), "
           "np.linalg.solve 129 ms against 36 ms (3.5x), np.linalg.det 29 ms against 12 ms "
           "(2.4x), np.linalg.slogdet 29 ms against 8.9 ms (3.3x); minitorch makes the same one "
           "call (inv 144 ms, solve 122 ms, det 34 ms, slogdet 28 ms), and a backward adds one "
           "more (the inverse or a solve with the transpose), as torch's does. On the AMD "
           "machine of the earlier reports these were within 3x")
_TWO_NORM = ("the 2-norm of the whole tensor is sqrt(np.sum(x * x)), kept bit for bit (NumPy's "
             "pairwise order; on a 1024^2 normal sample it is 5e-8 from the exact norm, "
             "torch's float32 sum 1e-5), where torch makes one fused pass. minitorch now "
             "squares and sums run by run (65,536 values at a time in a cached buffer, the "
             "same pairwise tree: reduction._sum_of_squares) instead of writing the 4 MB x * x. "
             "That is the floor: squaring (reading x from memory) takes 0.29 ms, the pairwise "
             "sum of the squares 0.24 ms (np.sum(x) alone 0.244 ms against torch's whole norm "
             "0.159 ms, 1.55x), and NumPy runs the two one after the other: 0.51 ms. minitorch: "
             "0.51-0.70 ms against torch's 0.16-0.18 ms (3.3-3.9x; was 0.60-0.69 ms, 3.4-4.0x). "
             "np.dot(x, x) or einsum would be ~1.5x but add in another order")
_ADDR = ("beta * input + alpha * outer(v1, v2), which torch computes in one fused pass; "
         "minitorch makes the broadcast product (a fresh array) and adds input into it in "
         "place: two passes, one fresh array (it was three passes and three arrays). addr "
         "float32: 1.09-1.23 ms against torch's 0.38-0.47 ms (2.7-2.85x; was 1.70 ms, 4.2x); "
         "addr(promotion) (a float64 input): 1.7-2.9 ms against 0.66-1.26 ms (1.9-2.9x; was "
         "2.9x)")
_MANY_VIEWS = ("each piece a view; without a gradient they are now made directly (the view's "
               "base and version counter, no node per piece: shape._views), where each went "
               "through its own Function.apply (~1.7 us a piece against torch's ~0.6 us)")

NOTES: dict[str, str] = {
    **{op: _VIEW for op in ("reshape", "view", "flatten", "unflatten", "unsqueeze", "squeeze",
                            "t", "T", "mT", "expand", "expand_as", "broadcast_to",
                            "Tensor.view_as", "Tensor.reshape_as", "movedim", "narrow",
                            "select", "diagonal", "permute", "transpose")},
    "addcmul": ("torch's kernel fuses value * a * b + x into one fused multiply-add (one "
                "rounding); NumPy has no fma, so minitorch emulates that single rounding exactly "
                "(_torch_exact.fma, in float64 passes): 10.3 ms against torch's 0.45 ms at "
                "1024x1024 float32 (measured 2026-12-02); the unfused NumPy expression is 0.96 ms "
                "(2.1x torch) but rounds twice and misses torch's last bit"),
    "erf": ("NumPy has no erf: minitorch evaluates fdlibm's piecewise erf in float64 with a "
            "dozen masked passes over the array (bit-exact rounding), where torch runs one "
            "vectorised float32 kernel (issue 14 item 3)"),
    "F.gelu": ("gelu (approximate='none') is x * (1 + erf(x / sqrt 2)) / 2, and NumPy has no "
               "erf: see erf's note; the backward evaluates erf again (torch saves nothing "
               "either, but its erf is one vectorised float32 pass)"),
    # -- libm functions NumPy evaluates per element, in scalar code
    "sinh": _libm("sinh", 34.0, 2.84),
    "cosh": _libm("cosh", 22.2, 4.10),
    "tan": _libm("tan", 34.5, 3.80),
    "atanh": _libm("arctanh", 51.1, 3.62),
    "asin": _libm("arcsin", 18.6, 2.63),
    "acos": _libm("arccos", 17.9, 2.19),
    "atan": _libm("arctan", 28.5, 5.86),
    "log1p": _libm("log1p", 33.9, 3.43),
    "expm1": _libm("expm1", 31.8, 3.49),
    "exp2": _libm("exp2", 6.63, 1.02),
    "log10": _libm("log10", 17.0, 2.19),
    "atan2": _libm("arctan2", 60.8, 4.44),
    "hypot": _libm("hypot", 12.5, 2.82),
    "logaddexp": _libm("logaddexp", 53.0, 4.31),
    "logaddexp2": _libm("logaddexp2", 38.1, 3.35),
    "F.softplus": ("log1p(exp(x)): np.log1p has no float32 SIMD; the floor np.log1p(np.exp(x)) "
                   "takes 30.5 ms against torch's 4.6 ms (6.6x)"),
    "F.logsigmoid": ("min(x, 0) - log1p(exp(-|x|)): np.log1p has no float32 SIMD; that floor "
                     "takes 28.8 ms against torch's 3.9 ms (7.3x)"),
    "F.mish": ("x * tanh(softplus(x)): np.logaddexp has no float32 SIMD; the floor "
               "x * np.tanh(np.logaddexp(0, x)) takes 48.0 ms against torch's 12.9 ms (3.7x)"),
    "F.silu": ("x / (1 + exp(-x)): the floor (that expression) is 2.9 ms against torch's "
               "1.15 ms (2.5x): four NumPy passes and four fresh arrays where torch makes one "
               "pass; minitorch's 3.3x is that floor plus the Function's overhead"),
    "F.binary_cross_entropy_with_logits": (
        "its stable form needs log1p(exp(-|x|)), and np.log1p has no float32 SIMD (the "
        "logsigmoid floor above is 7.3x torch)"),
    "F.elu": _EXPM1, "F.elu(nan)": _EXPM1, "F.celu": _EXPM1, "F.selu": _EXPM1,
    # -- fmod-based division
    "fmod": _FMOD, "fmod(number first)": _FMOD, "remainder": _FMOD,
    "remainder(number first)": _FMOD, "div(floor)": _FMOD, "floor_divide": _FMOD,
    # -- piecewise-linear activations: several NumPy passes where torch fuses one
    "F.hardsigmoid": ("clip(x + 3, 0, 6) / 6: three passes and three fresh 4 MB arrays "
                      "where torch makes one (minitorch ~3.2x torch after this pass; the "
                      "two-pass max/min form of the same expression was 9x): " + _PASSES),
    "F.hardswish": ("x * clip(x + 3, 0, 6) / 6: four passes and four fresh 4 MB arrays where "
                    "torch makes one (minitorch ~3.5x torch after this pass; the max/min form "
                    "of the same expression was 8.5x): " + _PASSES),
    "F.softshrink": ("minitorch computes it as copysign(x - clip(x, -l, l), x) (three passes, "
                     "bit for bit the select torch makes); that floor takes 2.85 ms against "
                     "torch's 0.27 ms (10.5x): " + _PASSES),
    "F.hardshrink": ("an exact select (zeros where |x| <= l): the inexact floor x * (|x| > l) "
                     "(wrong for inf and -0.0) already takes 0.75 ms against torch's 0.23 ms "
                     "(3.2x); the exact select is a few passes more"),
    "F.threshold": ("an exact select of x or value: np.where itself takes 5.1 ms against "
                    "torch's 0.30 ms (17x; np.where branches on each element of a random "
                    "mask); minitorch's branch-free select (support.exact_where) is about a "
                    "third of that, still several passes where torch makes one"),
    "F.prelu": ("max(x, w * x) when every slope is in (0, 1] (the bench's 0.25): a "
                "broadcast multiply and a max, two passes and two fresh 4 MB arrays where "
                "torch makes one pass (as F.leaky_relu, plus the slope's broadcast); other "
                "slopes take an exact select (support.exact_where); the backward also sums "
                "x * grad over the negative side for w"),
    "F.leaky_relu · large · fwd+bwd": _MASK_BWD,
    "F.rrelu · large · fwd+bwd": _MASK_BWD,
    "F.hardtanh · large · fwd+bwd": _MASK_BWD,
    "F.relu6 · large · fwd+bwd": _MASK_BWD,
    "F.threshold · large · fwd+bwd": _MASK_BWD,
    "F.hardshrink · large · fwd+bwd": _MASK_BWD,
    "F.softshrink · large · fwd+bwd": _MASK_BWD,
    "F.hardsigmoid · large · fwd+bwd": _MASK_BWD,
    "F.hardswish · large · fwd+bwd": _MASK_BWD,
    "F.smooth_l1_loss": ("an exact select between the quadratic and linear pieces (support."
                         "exact_where), after |x - t|, x*x*0.5/beta and |d| - beta/2 as "
                         "separate passes, then a mean: " + _PASSES + "; its backward is a "
                         "second select (the clamp of d / beta)"),
    "F.huber_loss": ("the same passes as smooth_l1_loss (an exact select between the "
                     "quadratic and linear pieces, then a mean): " + _PASSES),
    # -- reductions whose order of operations we keep
    "prod": ("np.prod is a sequential scalar loop (np.multiply.reduce does not vectorise a "
             "product, and reordering it would change the rounding): np.prod alone takes "
             "1.2 ms against torch's 0.10 ms (12x)"),
    "nansum": ("the floor isnan(x).any() then np.sum(x) takes 0.44 ms against torch's "
               "0.11 ms (3.9x; np.sum alone is 2.5x); minitorch does that (no copy when "
               "nothing is NaN) plus keeping the mask for the backward"),
    "sign": ("np.sign alone takes 0.83 ms against torch's 0.22 ms (3.7x); minitorch adds "
             "only a NaN test (NaN's sign is 0 in torch)"),
    "lerp": ("x + w * (y - x) is three passes and three fresh arrays where torch makes one: "
             "the floor takes 1.07 ms against torch's 0.41 ms (2.6x); minitorch adds |w| < 0.5 "
             "(torch's choice between its two forms)"),
    "F.pdist": ("N(N-1)/2 = 523,776 row differences of 1024 values each (5.4e8 subtractions, "
                "squares and sums): minitorch does one row against the rows after it at a "
                "time into one scratch buffer, three NumPy passes per pair block (about "
                "0.45 s against torch's 0.074 s, ~6x) where torch fuses the three into one "
                "vectorised loop"),
    "addr · large · fwd": _ADDR,
    "addr(promotion) · large · fwd": _ADDR,
    "addr · large · fwd+bwd": ("the forward is now a broadcast multiply (1x-4x torch); the "
                               "backward is two matrix-vector products through NumPy's BLAS "
                               "plus the sum of grad for input, each its own pass"),
    "F.leaky_relu · large · fwd": ("max(x, slope * x): two passes (the product, then the "
                                   "max) where torch makes one; 2.3x torch after this pass"),
    "F.rrelu · large · fwd": "eval mode: leaky_relu with the mean slope (see F.leaky_relu)",
    "topk": ("the bench's input has every row's largest value repeated (its values are drawn "
             "from a template's, so the maximum recurs), and torch's tie order "
             "(std::partial_sort on (value, index)) decides which index comes out: minitorch "
             "partitions each row (np.partition alone is 1.1x torch) and then counts, "
             "compares and gathers in several more passes to keep that order exactly; "
             + "a single-pass selection with torch's tie rule is not expressible in NumPy"),
    # -- indexing (ops/indexing.py)
    **{op: _INDEXING for op in (
        "scatter_reduce(amax, include_self=True)", "scatter_reduce(amin, include_self=True)",
        "scatter_reduce(sum, include_self=True)", "scatter_reduce(prod, include_self=True)",
        "scatter_reduce(mean, include_self=True)", "scatter_reduce(amax, include_self=False)",
        "scatter_reduce(amin, include_self=False)", "scatter_reduce(sum, include_self=False)",
        "scatter_reduce(prod, include_self=False)", "scatter_reduce(mean, include_self=False)",
        "index_add", "scatter")},
    "gather": ("a fancy-index read: the floor np.take_along_axis takes 11.7 ms against "
               "torch's gather 2.5 ms (4.7x); its backward is a scatter-add (np.add.at, see "
               "scatter_reduce)"),
    "index_select": ("a fancy-index read whose backward is an indexed accumulate (np.add.at: "
                     "the floor over rows is 40x torch's index_add, see index_add)"),
    "F.embedding": ("a fancy-index read of rows; see index_select (its backward is the same "
                    "indexed accumulate)"),
    # -- honest gaps: minitorch is above a NumPy floor that is within 3x
    "bucketize": ("the bench's boundaries are not sorted (grown from random values), and "
                  "there torch's answer is whatever its binary search does: minitorch replays "
                  "that search comparison for comparison on every value at once (11 rounds of "
                  "about 8 passes over 1M int64 indices). With sorted boundaries minitorch "
                  "calls np.searchsorted, the floor: 112 ms against torch's 105 ms (1.1x)"),
    "bitwise_left_shift": _SHIFT, "bitwise_right_shift": _SHIFT,
    "var": ("accumulated in float64 as torch does (torch's float32 var keeps a float64 "
            "Welford state), with a shifted mean for exact zeros: the float64 floor "
            "np.var(x.astype(np.float64)) takes 9.5 ms against torch's 1.6 ms (5.9x; "
            "np.var(x, dtype=float64) 1.8x, but it does not shift the mean); a float32 np.var "
            "is 0.5x torch but rounds differently. Not reworked in this pass"),
    "std": "the root of var's float64 variance: see var's note",
    **{f"{op} · large · fwd": _TWO_NORM
       for op in ("linalg.vector_norm", "linalg.norm", "linalg.matrix_norm")},
    "norm · large · fwd": _TWO_NORM,
    # -- LAPACK: one NumPy call each, against torch's MKL (Intel Xeon AVX-512, 1 thread,
    # 1024 x 1024 float32, fastest of 7, measured 2026-12-02 after the bench run)
    **{op: _LAPACK for op in ("linalg.inv", "inverse", "linalg.solve", "linalg.solve(left=False)",
                              "linalg.det", "det", "logdet", "logdet(det < 0)", "linalg.slogdet",
                              "slogdet")},
    # side by side after the third bench run of 2026-12-02 (medians of 21, 1 thread, Xeon)
    "cat · large · fwd+bwd": (
        "not a cost of cat: the run's draw. Side by side, two (1024, 1024) float32 tensors "
        "concatenated and the gradient split back, minitorch takes 1.57-1.71 ms against "
        "torch's 1.47-1.82 ms (0.94-1.07x); below 3x in the two runs before"),
    "logit · large · fwd+bwd": (
        "a gap to the floor (issue 14), not a limit: the floor, log(p / (1 - p)) and "
        "grad / (p (1 - p)), takes 2.95-3.40 ms against torch's 1.72 ms (1.7-2.0x); "
        "minitorch takes 4.9-5.3 ms (2.8-3.1x) because its backward also tests the range "
        "(x < 0, x > 1, their or) and selects NaN outside it: four passes more"),
    # -- the slowops pass (Intel Xeon AVX-512, 2026-12-02; see _TWO_NORM's comment)
    "split · large · fwd": ("512 pieces of 2 rows: " + _MANY_VIEWS + "; 0.79 ms against "
                            "torch's 0.61 ms (1.3x; was 1.03 ms against 0.37 ms, 2.8x)"),
    "unbind · large · fwd": ("1024 rows: " + _MANY_VIEWS + "; 1.10 ms against torch's "
                             "1.17 ms (0.9x; was 1.72 ms against 0.65 ms, 2.65x)"),
    "mv · large · fwd+bwd": (
        "the forward is one BLAS gemv; the backward makes the matrix's gradient as torch's "
        "ger does (a broadcast product, 4 MB) and the vector's, a^T grad, adding the rows in "
        "order as torch's gemv does (np.sum over axis 0, in cache-sized blocks: ~0.55 ms, "
        "where a BLAS gemv takes 0.1 ms but adds in another order): 1.6 ms against torch's "
        "0.6-0.9 ms (2.0-2.7x; was 4.2 ms against 1.2 ms, 3.5x, when the matrix's gradient "
        "was a k=1 matmul and reshaped views were copied again)"),
    "linalg.eigvalsh · large · fwd": (
        "without a gradient, LAPACK's values-only path (np.linalg.eigvalsh, as torch does "
        "then): 116 ms against torch's 58 ms (2.0x; NumPy's OpenBLAS LAPACK against torch's "
        "MKL). It was eigh with the eigenvectors, 420 ms against 89 ms (4.7x)"),
    "matrix_power(int)": (
        "int64: NumPy's integer matmul has no BLAS (one 1024^2 np.matmul takes 17.2 s, "
        "torch.mm 0.34 s), so integer products go through float64 BLAS whenever "
        "max|a| max|b| K < 2**53 makes that exact (linalg._int_exact_matmul): 78 ms against "
        "torch's 275 ms (0.3x; was 15.9 s). Larger integers fall back to NumPy's loop"),
    "sum · large · fwd": ("one np.sum (pairwise, float32): 0.25-0.49 ms against torch's "
                          "0.16-0.22 ms (1.55-2.2x), the floor np.sum alone 0.24-0.44 ms"),
    **{f"{op} · large · fwd": ("one NumPy call over the array (the floor); here 1.0-1.2x torch "
                               "(0.32-0.51 ms against 0.31-0.60 ms), both writing a fresh "
                               "4 MB output")
       for op in ("clamp_min", "clamp_max", "log2")},
    **{f"{op} · large · fwd": (
        "max(0, x) as one NumPy maximum of two arrays (zeros written first): NumPy's loop "
        "with a scalar operand, np.maximum(0, x), is 2.3x slower (0.45 ms against 0.20 ms "
        "at 1M float32, same bits). minitorch 0.18-0.19 ms against torch's 0.09 ms (2.1x): "
        "the fill and the maximum are two passes where torch makes one")
       for op in ("relu", "F.relu")},
    "Tensor.unfold · large · fwd": (_VIEW + ": 5.2-5.7 us against torch's 2.0-2.2 us "
                                    "(2.4-2.7x; was 8.3 us, 3.5x, before the window view "
                                    "skipped as_strided)"),
    # -- AMD EPYC (AVX-512, 2-core VM), 2026-12-02: the median of 30 calls, one thread
    "mean · large · fwd": (
        "one np.add.reduce (NumPy's pairwise float32 sum) and one divide: the floor, np.mean "
        "alone, takes 0.21 ms against torch's mean 0.062 ms (3.4x; np.sum alone 0.20 ms): "
        "torch's reduction keeps several vector accumulators, NumPy's pairwise sum, whose "
        "order minitorch keeps bit for bit, does not vectorise as well"),
    "stack · large · fwd+bwd": (
        "torch's backward hands each input a view of the incoming gradient as its .grad, no "
        "copy (checked: x.grad.data_ptr() == g.data_ptr()); minitorch copies each slice, so "
        "that a .grad never shares memory with the caller's gradient: np.stack's 8 MB write "
        "(0.28 ms) plus two 4 MB copies; 0.95-1.25 ms against torch's 0.34-0.47 ms"),
    "dist · large · fwd": (
        "torch subtracts and takes the 2-norm in one fused pass (0.32 ms); minitorch "
        "records input - other (a 4 MB array) and then its 2-norm (see norm's note: NumPy's "
        "pairwise order, bit for bit, ~0.5 ms). The subtraction is 0.17 ms when malloc reuses "
        "freed memory and ~2 ms when each call maps fresh pages (577 page faults a call in "
        "one measured process): 0.93 ms at best, 2.8-8.7 ms in the median"),
    "clamp(int) · large · fwd": (
        "int64 bounds within the dtype go through one np.clip (exact for integers): 0.39-0.47 "
        "ms against torch's 0.26-0.28 ms (1.6x; np.clip alone 0.52 ms in another process). "
        "It was two passes of NumPy's scalar-operand maximum and minimum, 1.05-1.13 ms (3.3x)"),
    **{f"{op} · large · {mode}": (
        "a partition (np.partition, NumPy's introselect) finds the k-th value, as torch's "
        "nth_element does: 7.0 ms against torch's 9.6-10.5 ms (0.7x). It was a full sort, "
        "33-43 ms (4x)") for op in ("median", "nanmedian") for mode in ("fwd", "fwd+bwd")},
    "rot90 · large · fwd": (
        "k=1 is flip along dim 1 (a copy, as torch's flip) and a transposed view. NumPy "
        "copies a reversed row element by element: np.flip(x, 1).copy() alone takes "
        "0.31-0.38 ms (a plain x.copy() 0.09 ms) against torch's whole rot90 0.11-0.13 ms, "
        "whose flip kernel copies reversed vectors"),
    "cummax": ("values and indices of a running maximum: np.maximum.accumulate alone is 2.3x "
               "torch (4.1 ms against 1.8 ms), and the indices need a second pass"),
    "cummin": ("values and indices of a running minimum: np.minimum.accumulate alone is 2.3x "
               "torch (as cummax), and the indices need a second pass"),
}

# The indexing ops' and nn's notes live in files of their own, and win over the ones above.
NOTES.update(notes_indexing.NOTES)
NOTES.update(notes_nn.NOTES)


def note_for(case: dict[str, Any]) -> str | None:
    """The note for a case result (its full name first, then its op), or None."""
    return NOTES.get(case.get("name", "")) or NOTES.get(case.get("op", ""))


# -- why a target of issue 14 is not met: printed beside it in the targets table ----------
# Measured on the AMD EPYC 2-core VM (AVX-512), 2026-12-02, one thread, medians of repeated
# side-by-side runs in one process (the targets table's own numbers are the bench run's).
_FMA = ("torch's SGD update is one fused multiply-add (p - lr g, rounded once); NumPy has no "
        "fma, so minitorch forms the exact product in float64 and rounds the sum once "
        "(_torch_exact.fma): its step takes {exact} ms against {plain} ms with the unfused "
        "p += -lr g the floor uses: the exact update is {share}. Chosen: "
        "exactness (parity checks optimizer trajectories bit for bit against torch's)")
TARGET_NOTES: dict[str, str] = {
    "ops medium fwd+bwd, geomean vs floor": (
        "the engine's cost per call: recording one node and a backward through it cost "
        "~7.4 us of Python (neg on (4,): 1.7 us forward, 9.2 us forward+backward), 10-35% "
        "of a 256x256 op's 20-75 us; the floor has no graph. Each leaf's own gradient "
        "copy is in both (the floor makes it too, as torch does)"),
    "MLP 784-256-128-10 step b64 vs floor": _FMA.format(
        exact="0.46", plain="0.13",
        share="0.33 ms of the 0.70 ms gap (step 1.76 ms, floor 1.06 ms)")
    + "; without it the step would be ~1.35x the floor: Python per layer and the loss",
    "MLP 784-256-128-10 step b512 vs floor": _FMA.format(
        exact="0.74", plain="0.21",
        share="0.53 ms of the 1.3 ms gap (step 7.6 ms, floor 6.3 ms)")
    + "; without it the step would be ~1.1x the floor",
    "conv2d fwd+bwd vs torch": (
        "below the floor: the hand-written NumPy convolution (im2col and one GEMM per "
        "direction) is itself slower than torch's oneDNN kernel (the workloads table: "
        "×torch / ×floor is the floor's own ratio to torch), and minitorch is within ~1.1x "
        "of that floor; 0.90x torch needs another algorithm, not less overhead"),
    "ops tiny fwd (the core set), geomean vs torch": (
        "Python dispatch: one minitorch call on (4,) costs 1.7-3.7 us (tanh 1.8, add 2.4, "
        "matmul 3.7), torch's C++ dispatcher 1.0-1.6 us; NumPy's own call is 0.4-2 us of "
        "that. The worst rows make several NumPy calls each (cross_entropy, softmax, "
        "log_softmax, layer_norm, cat, where)"),
    "chain of 20 elementwise ops on (4,) fwd+bwd vs torch": (
        "'met' (0.17-0.20x) only in runs that planned the case at 5 rounds of 1 call, because "
        "torch's first call (the check's) took over TRUSTED_FIRST_CALL: torch then took "
        "833-874 us a call, called once between minitorch's rounds. Since the timer confirms a "
        "slow first call (2026-12-02), the case is planned at 41 rounds of ~100 calls and torch "
        "takes 178-193 us a call: 0.70x. The per-op cost is the mixed chain's (next row)"),
    "chain of 20 mul/add-scalar/tanh ops on (4,) fwd+bwd vs torch": (
        "per op, side by side: recording 3.7 us (torch 4.3) and walking back 3.5 us a node "
        "(torch 4.0), 145 us against 167 us for the 20 ops (0.87x); 0.50x would need both "
        "halves of the per-op Python cost halved"),
}


def target_note(case: str) -> str:
    """Why a target is not met ('' when nobody has measured it)."""
    return TARGET_NOTES.get(case, "")
