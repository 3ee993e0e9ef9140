"""autograd.gradcheck with torch's signature, built on minitorch.testing's Jacobians.

The work is in minitorch/testing.py: the numerical Jacobian by central
differences, the analytical one by one backward per output element, and the
entrywise comparison |analytical - numerical| <= atol + rtol * |numerical|.
Here we add what torch's gradcheck checks around it, in torch's order: a
function with no differentiable output must have a zero numerical Jacobian,
and a backward given zero upstream gradients must return zeros ("backward
not multiplied by grad_output"). With raise_exception=False a GradcheckError
becomes False; any other error still propagates, as in torch.

gradgradcheck is gradcheck of a function that returns the gradients, computed
with create_graph=True, as a function of the inputs *and* of the upstream
gradients (torch's construction). What minitorch cannot check says so: batched
(vmap) and forward-mode checks raise NotImplementedError.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from minitorch import testing
from minitorch.autograd.engine import grad
from minitorch.autograd.grad_mode import enable_grad, is_grad_enabled
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
    """True when the double backward agrees with central differences of the first backward.

    As torch: gradcheck of (inputs, grad_outputs) -> autograd.grad(func(inputs), inputs,
    grad_outputs, create_graph=True). grad_outputs defaults to uniform random tensors in
    [-1, 1) shaped like the outputs, drawn from minitorch's global generator, that require grad.
    """
    if check_fwd_over_rev or check_batched_grad:
        raise NotImplementedError(
            "gradgradcheck: check_fwd_over_rev and check_batched_grad need forward-mode AD or "
            "vmap, which minitorch does not have"
        )
    from minitorch.ops.creation import rand  # (ops import autograd: loaded late)

    tupled_inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    if grad_outputs is None:
        outs = _differentiable(func(*tupled_inputs))
        tupled_grads = tuple(
            (rand(tuple(o.shape), dtype=o.dtype) * 2 - 1).requires_grad_(True) for o in outs)
    else:
        tupled_grads = (tuple(grad_outputs) if isinstance(grad_outputs, (tuple, list))
                        else (grad_outputs,))
    n_out = len(tupled_grads)
    diff_inputs = {i for i, x in enumerate(tupled_inputs)
                   if isinstance(x, Tensor) and x.requires_grad}

    diff_grads = {i for i, g in enumerate(tupled_grads) if g.requires_grad}

    def first_gradients(*args: Any) -> tuple[Tensor, ...]:
        # the numerical Jacobian calls this with detached copies: ask for grads again
        input_args = tuple(_wanting_grad(x, i in diff_inputs)
                           for i, x in enumerate(args[:len(args) - n_out]))
        upstream = [_wanting_grad(g, i in diff_grads)
                    for i, g in enumerate(args[len(args) - n_out:])]
        # The numerical Jacobian calls us under no_grad: then the first gradients come from
        # the plain (first-order) backward, so a recorded backward that strays from it is
        # caught too -- minitorch has two paths where torch has one.
        recording = is_grad_enabled()
        with enable_grad():
            outs = _differentiable(func(*input_args))
            wrt = [x for i, x in enumerate(input_args) if i in diff_inputs]
            got = grad(outs, wrt, upstream, create_graph=recording, allow_unused=True)
        return tuple(g for g in got if g is not None)

    return gradcheck(first_gradients, tupled_inputs + tupled_grads, eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)


def _wanting_grad(x: Any, wanted: bool) -> Any:
    if wanted and isinstance(x, Tensor) and not x.requires_grad:
        return x.detach().requires_grad_(True)
    return x


def _differentiable(out: Any) -> list[Tensor]:
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o for o in outs if isinstance(o, Tensor) and o.requires_grad]
