"""Differences from torch that belong to the engine as a whole, not to one op-table row.

Row-level differences live in each row's `known` field and are counted by the
sweep; these are the ones no single sample exercises (a feature not built, a
deliberate design choice). The report prints them under "Known differences",
so that none is silent.
"""

from __future__ import annotations

# (area, what differs, why)
ENGINE_DIFFERENCES: tuple[tuple[str, str, str], ...] = (
    ("autograd", "`backward(inputs=...)` raises NotImplementedError",
     "not built yet; the error says so instead of giving a wrong answer"),
    ("create_graph=True", "a first gradient that depends on nothing differentiable (nll_loss's "
     "and margin_ranking_loss's with respect to their input, einsum's or cross's second "
     "gradient, the step terms of remainder/fmod/floor) carries no graph: differentiating it "
     "again raises 'does not require grad' (or gives None with allow_unused), where torch "
     "records a node and returns zeros",
     "steps and constants are computed by NumPy on plain arrays (higher_order.py); the values "
     "agree wherever both engines return one"),
    ("create_graph=True", "linalg.qr / eigh / svd / svdvals factorize their input again in a "
     "recorded backward, so writing the input in place after the factorization raises there "
     "(torch, which saves only the factors, returns a result); first order behaves as torch",
     "one node per output: a node's other factors are recomputed from A to carry a graph"),
    ("create_graph=True", "scatter_add with src larger than index: torch's recorded backward "
     "raises ('ScatterAddBackward0 returned an invalid gradient'), minitorch returns the "
     "gradient; binary_cross_entropy's double backward is exact where torch's adds 1e-12 "
     "to its denominators (about 1e-10 apart, inside float64 tolerance)",
     "found by hand beside the sweep; no row samples the first, the second passes"),
    ("in-place ops", "modifying a tensor in place after an op saved it raises at backward, as "
     "in torch. Which tensors count as saved follows minitorch's Functions: an op that keeps "
     "an input torch does not keep (or the reverse) raises where torch would not (or returns "
     "the right gradient where torch raises); mul and div follow torch's rule exactly",
     "each op saves what its NumPy backward reads; views.py watches exactly those arrays"),
    ("views", "a view's `grad_fn` is re-derived from its base (AsStridedBackward0) the next time "
     "the view is used in an op or in backward after its base was written in place; reading "
     "`v.grad_fn` or `v.requires_grad` before that shows the old node. After an in-place op on "
     "a view, the view's `grad_fn` is the op's node (torch shows AsStridedBackward0); the "
     "gradients are the same",
     "re-deriving on use keeps the check off the hot path of ordinary tensors"),
    ("runtime", "thread counts and the deterministic flag are recorded only; `compile` returns "
     "its argument unchanged; `autocast` changes no dtype and `get_autocast_dtype('cpu')` is "
     "float16 (torch: bfloat16); `set_float32_matmul_precision` is recorded only (NumPy's "
     "float32 matmul is always 'highest'); `get_rng_state` is NumPy's PCG64 "
     "state (48 bytes, not torch's 5,056-byte Mersenne Twister state); no bfloat16",
     "single-threaded NumPy with one kernel per op, and NumPy has no bfloat16"),
    ("random numbers", "`manual_seed` seeds minitorch's own NumPy generator: `rand`, `randn`, "
     "`randint`, dropout masks and `nn.init` draw from the same distributions as torch but "
     "not the same numbers",
     "bit-equality with torch's RNG is not a goal (API.md); parity copies inputs and weights "
     "from torch instead"),
    ("floating-point warnings", "importing minitorch sets NumPy's error handling to 'ignore' "
     "process-wide (`numpy.seterr(all='ignore')`)",
     "torch returns inf and nan silently (1/0, log(0), sqrt(-1)); NumPy would warn on every "
     "such op, and a per-op `errstate` costs about a microsecond on the hot path"),
    ("erf, gelu", "float32 `erf` is computed in float64 (fdlibm's rational approximations) "
     "and rounded once; torch's float32 kernel computes in float32",
     "within 1 ulp of torch in both dtypes (tests/ops/test_special.py measures it)"),
    ("var, std", "with `dim=()`, the gradient is the true one; torch's backward gives +-inf",
     "a bug in torch's var_backward for an empty dim list"),
    ("scatter", "with `src` larger than `index`, minitorch returns the gradient of `src`; "
     "torch's own backward fails ('invalid gradient')", "torch limitation"),
    ("dtypes", "bfloat16 and complex dtypes raise TypeError; float16 ops round their "
     "intermediate results in float16 where torch computes inside in float32 (softmax of a "
     "half tensor can differ in the last bits)", "NumPy has no bfloat16; float16 follows "
     "NumPy's arithmetic"),
    ("devices", "everything is on the CPU; `.to('cpu')` and `.cpu()` work, cuda/mps raise what a "
     "CPU-only torch raises; the `meta` device is refused; memory formats are accepted and "
     "ignored (results are contiguous)", "a NumPy engine"),
    ("inference_mode", "behaves as no_grad: tensors made inside are ordinary tensors "
     "(`is_inference()` is False, later use in autograd does not raise)",
     "tracking inference tensors needs a per-tensor flag; not built"),
    ("utils.data", "DataLoader workers are forked processes on Linux whatever the start "
     "method; samplers draw from minitorch's generator (same seed, same order, not torch's "
     "order)", "fork is what makes workers cheap here; bit-equality of RNGs is not a goal"),
    ("grad_fn names", "a few nodes have other names than torch's (`t()` shows "
     "TransposeBackward0, batched matmul MatmulBackward0, `EinsumBackward0`, "
     "`SumBackward0` for `dim=()`)", "one Function class per math op, named after the math"),
    ("nn", "`Embedding(sparse=True)` raises NotImplementedError; modules have no forward or "
     "backward hooks", "not in API.md; not built"),
    ("error messages", "exception classes are torch's; messages are worded for minitorch and "
     "name the op and the offending shapes, dtypes or values", "API.md 'Errors'"),
    ("optimizers", "float32 Adam, AdamW, RMSprop and Adagrad drift from torch by about an ulp "
     "now and then (see the Optimizers section); SGD matches bit for bit",
     "NumPy's sqrt is correctly rounded, torch's vectorised float32 sqrt is not always; with "
     "torch's sqrt swapped in, every optimizer matches bit for bit (tests/optim/test_optim.py)"),
    ("optimizers", "`load_state_dict` copies the loaded state; torch keeps the very tensors "
     "of the dict when no dtype cast is needed", "two optimizers never share state by accident"),
    ("optimizers", "a Tensor `lr` or `betas` is read as a Python float at each step; torch "
     "does that arithmetic in the tensor's dtype", "tensor hyperparameters exist in torch for "
     "capturable/fused steps, which minitorch leaves out"),
    ("optimizers", "a step validates every parameter before it updates any, so a failed step "
     "changes nothing; torch may have updated the first parameters already",
     "deliberate improvement (API.md 'Errors')"),
)
