"""autograd.gradcheck with torch's signature, built on minitorch.testing's Jacobians.

The work is in minitorch/testing.py: the numerical Jacobian by central
differences, the analytical one by one backward per output element, and the
entrywise comparison |analytical - numerical| <= atol + rtol * |numerical|.
Here we add what torch's gradcheck checks around it, in torch's order: a
function with no differentiable output must have a zero numerical Jacobian,
and a backward given zero upstream gradients must return zeros ("backward
not multiplied by grad_output"). With raise_exception=False a GradcheckError
becomes False; any other error still propagates, as in torch.

What minitorch cannot check says so: batched (vmap) and forward-mode checks
raise NotImplementedError, and so does gradgradcheck, which needs
create_graph=True (gradients of gradients) -- not implemented in the engine yet.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from minitorch import testing
from minitorch.autograd.engine import grad
from minitorch.tensor import Tensor
from minitorch.testing import GradcheckError

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


def gradcheck(
    func: Callable[..., Tensor | Sequence[Tensor]],
    inputs: Tensor | Sequence[Any],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """True when backward agrees with central differences for every input that requires grad.

    Use float64 inputs. fast_mode=True runs the full (slow-mode) check, which is stricter
    than torch's random projections; nondet_tol, check_undefined_grad, check_grad_dtypes
    and masked are accepted: minitorch's backward is deterministic, never hands a custom
    Function an undefined gradient unasked, and returns gradients in the input's dtype.
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True"
        )
    if check_batched_grad and not check_backward_ad:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_backward_ad to be True"
        )
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError(
            "Setting check_batched_forward_grad=True requires check_forward_ad to be True"
        )
    if check_forward_ad or check_batched_grad or check_batched_forward_grad:
        raise NotImplementedError(
            "gradcheck: check_forward_ad, check_batched_grad and check_batched_forward_grad "
            "need forward-mode AD or vmap, which minitorch does not have"
        )
    try:
        return _check(func, inputs, eps, atol, rtol)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def _check(func: Callable, inputs: Any, eps: float, atol: float,
           rtol: float) -> bool:
    inputs = testing._as_tuple(inputs)
    outputs = testing._outputs(func, inputs)
    differentiable = [o for o in outputs if o.requires_grad]
    if not differentiable:
        checked = testing._check_inputs(inputs)
        _zero_numerical_jacobian(func, inputs, checked, len(outputs), eps)
        return True
    testing.gradcheck(func, inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=True)
    wrt = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    _backward_multiplies_by_grad_output(differentiable, wrt)
    return True


def _zero_numerical_jacobian(func: Callable, inputs: tuple, checked: list[int],
                             n_outputs: int, eps: float) -> None:
    for i in checked:
        for jac in testing.numerical_jacobian(func, inputs, i, eps, range(n_outputs)):
            if np.any(jac != 0):
                raise GradcheckError("Numerical gradient for function expected to be zero")


def _backward_multiplies_by_grad_output(outputs: list[Tensor],
                                        wrt: list[Tensor]) -> None:
    zeros = [Tensor._make(np.zeros_like(o.array), False, None) for o in outputs]
    grads = grad(outputs, wrt, zeros, allow_unused=True)
    for g in grads:
        if g is not None and np.any(g.array != 0):
            raise GradcheckError("backward not multiplied by grad_output")


def gradgradcheck(
    func: Callable[..., Tensor | Sequence[Tensor]],
    inputs: Tensor | Sequence[Any],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """Check second derivatives: not available until the engine supports create_graph=True."""
    raise NotImplementedError(
        "gradgradcheck: checking second derivatives needs create_graph=True (a backward "
        "that records its own graph), which minitorch's engine does not implement yet"
    )
