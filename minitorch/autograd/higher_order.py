"""Design note: create_graph=True with one text per backward (issue 13, item 1). No code yet.

The goal: `backward(create_graph=True)` and `autograd.grad(..., create_graph=True)`
record the backward pass itself, so gradients can be differentiated again,
while every op keeps the single NumPy backward it has now and first-order
speed does not move.

The choice: Tensor speaks NumPy's protocols
------------------------------------------
Give Tensor `__array_ufunc__` (NEP 13) and `__array_function__` (NEP 18),
each a table from a NumPy callable to the minitorch op that records it
(np.multiply -> mul, np.tanh -> tanh, np.broadcast_to -> broadcast_to,
np.where -> where, ...). A backward written as `grad * (1 - y * y)` or
`np.broadcast_to(grad.reshape(kept), shape)` then runs unchanged on arrays
(the fast path: plain NumPy, the protocol is never reached) and on Tensors
(the differentiable path: every call records a node). With create_graph the
engine would hand each node its incoming gradient as a Tensor, swap the
node's saved arrays for the Tensors they came from (inputs are kept already
as `ctx.inputs`, outputs as `output_ref`), and accumulate Tensor gradients.
An unmapped NumPy function returns NotImplemented, so NumPy raises TypeError:
a loud failure, never a silently detached gradient.

The alternative, a namespace argument (`backward(ctx, grad, xp)` with xp
NumPy or minitorch), is more explicit but edits all 174 backward signatures
and bodies, and array methods (`grad.reshape`, `g.sum(axis=..., keepdims=True)`
in support.unbroadcast) must work on Tensors either way.

The experiment (a scratch script, not committed)
------------------------------------------------
With 11 ufuncs (multiply, add, subtract, true_divide, negative, tanh, exp,
sqrt, square, sin, cos) and 3 functions (broadcast_to, sum, where) mapped,
the existing, unmodified backwards of Tanh, Mul (broadcasting: through
support.unbroadcast's `.sum(axis, keepdims)`, which Tensor.sum accepts), Sum
over a dim (np.broadcast_to) and Exp were called with their saved arrays
swapped for the forward's Tensors and a Tensor cotangent v. Each returned a
Tensor with a grad_fn, and d<w, backward(v)>/d(x, v), taken by minitorch's
ordinary first-order engine, matched torch's double backward in float64 to
rtol 1e-10. No NumPy call in those four backwards escaped the tables.

What would break (an AST scan of the 174 backward methods in ops/*.py,
nn/functional/*.py and linalg.py)
------------------------------------------------------------------------
40 backwards hold at least one pattern that cannot replay on Tensors:

* item assignment into a fresh zeros array, `g[idx] = grad`: 15 sites in 13
  backwards (Index, IndexPut, IndexCopy, IndexFill, Scatter, MaskedFill, Slice,
  Diagonal, ...). Replace with index_put / scatter (out of place).
* `np.add.at` and other `ufunc.at`: 10 sites in 9 (Gather, Index,
  IndexSelect, ScatterAdd, EmbeddingLookup, Pdist, ...). Replace with
  index_put(accumulate=True) / scatter_add behind one support helper.
* `np.asarray` / `np.array`: 14 sites in 14 -- the dangerous one, since
  Tensor.__array__ would silently detach. In create_graph mode __array__
  must raise (or these calls go through a helper that keeps Tensors).
* augmented assignment (`+=` on an array): 11 sites in 10 (Clamp,
  Convolution, AvgPool2D, MultiMarginLoss, ...): on a Tensor it becomes a
  recorded in-place op; rewrite as `a = a + b` to stay clear of versions.
* `out=`: 1 site (LogSoftmax).
* `.astype`: 31 sites in 25 backwards; harmless if Tensor grows `astype`
  (torch's `.to(dtype)`). `np.errstate` (19) is a context manager: harmless.

Backward bodies use 63 distinct `np.*` names (where 56 times, zeros 32,
exp 21, zeros_like 11, add 10, broadcast_to 8, moveaxis 7, matmul 6,
linalg.* 6, ...); each needs a table entry, and their helpers (unbroadcast,
keep_where, sign_array, erf_array) replay through the same tables. Ops whose
derivative torch itself does not differentiate again (argmax-like indices,
sorting ties) stay first-order and say so.

Suggested order: the protocol tables on Tensor (with __array__ refusing in
create_graph mode); the engine switch (Tensor gradients, saved Tensors); the
40 rewrites, each keeping one text for both paths; then the second-order
parity rows (grad of <random cotangent, first gradient> vs torch's double
backward, and gradgradcheck), and autograd.functional's hessian/hvp/vhp.
"""
