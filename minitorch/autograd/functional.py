"""autograd.functional: vjp, jvp, jacobian, hessian, vhp and hvp of a Python function,
with torch's arguments.

Each takes `func` and its `inputs` (a Tensor or a tuple of Tensors), runs func on
fresh tensors that require grad, and differentiates the outputs:

* vjp(func, inputs, v): v^T J, one backward with v as the upstream gradient.
* jacobian(func, inputs): J, one backward per output element with a one-hot
  upstream gradient (torch's vectorize=False, reverse-mode path).
* jvp(func, inputs, v): J v. Without create_graph we build J row by row as
  jacobian does and contract it with v (exact; meant for small outputs). With
  create_graph, torch's "double-backward trick": the vjp u -> u^T J is linear in
  u, so differentiating it with respect to u, along v, gives J v.
* hessian(func, inputs): the Jacobian of the gradient (jacobian of jacobian, as torch).
* vhp(func, inputs, v): v^T H, the gradient of <grad f, v>: two backwards.
* hvp(func, inputs, v): H v, by the double-backward trick on the gradient (torch's way).

create_graph=True keeps the results differentiable: the inputs are then used as they
are (torch's `view_as`), so the results lead back to the caller's tensors. Read
gradcheck.py next.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from minitorch.autograd.engine import grad as autograd_grad
from minitorch.autograd.grad_mode import enable_grad, is_grad_enabled, set_grad_enabled
from minitorch.tensor import Tensor

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]

Inputs = Any  # a Tensor or a tuple of Tensors


def _as_tuple(inp: Any, arg_name: str, fn_name: str) -> tuple[bool, tuple[Tensor, ...]]:
    """(was it a tuple, the tuple): every element must be a Tensor, as torch checks."""
    is_tuple = isinstance(inp, tuple)
    items = inp if is_tuple else (inp,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = (f"the value at index {i} has type {type(el)}" if is_tuple
                     else f"the given {arg_name} has type {type(el)}")
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but {where}."
            )
    return is_tuple, items


def _unpack(res: tuple, is_tuple: bool) -> Any:
    return res if is_tuple else res[0]


def _fresh_inputs(inputs: tuple[Tensor, ...], need_graph: bool,
                  create_graph: bool = False) -> tuple[Tensor, ...]:
    """New tensors over the same data, so func's own captures of inputs are not differentiated
    (torch's _grad_preprocess); with create_graph, a view of an input that requires grad, so
    the results stay differentiable with respect to the caller's tensors."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad
                 else t.detach().requires_grad_(need_graph) for t in inputs)


def _postprocess(results: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    """Results as torch returns them: detached, unless create_graph asked for a graph."""
    return results if create_graph else tuple(r.detach() for r in results)


def _validate_v(v: tuple[Tensor, ...], other: tuple[Tensor, ...], is_other_tuple: bool) -> None:
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.shape != el_other.shape:
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(
                f"{prepend}v has invalid size: should be {el_other.size()} but got "
                f"{el_v.size()}."
            )


def _check_outputs_require_grad(outputs: tuple[Tensor, ...], strict: bool) -> None:
    if strict:
        for i, out in enumerate(outputs):
            if not out.requires_grad:
                raise RuntimeError(
                    f"Output {i} of the user-provided function does not require gradients. The "
                    "outputs must be computed in a differentiable manner from the input when "
                    "running in strict mode."
                )


def _grads(outputs: tuple[Tensor, ...], inputs: tuple[Tensor, ...],
           grad_outputs: tuple[Any, ...] | None = None, retain_graph: bool | None = None,
           create_graph: bool = False) -> tuple[Any, ...]:
    """autograd.grad over the outputs that require grad; None for inputs nothing reached."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return autograd_grad([o for o, _ in pairs], inputs, [g for _, g in pairs],
                         retain_graph=retain_graph, create_graph=create_graph,
                         allow_unused=True)


def _zeros_like(t: Tensor) -> Tensor:
    return Tensor._make(np.zeros_like(t.array), False, None)


def _fill_in_zeros(grads: tuple[Any, ...], refs: tuple[Tensor, ...], strict: bool,
                   what: str) -> tuple[Tensor, ...]:
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"The output of the user-provided function is independent of {what} {i}. "
                    "This is not allowed in strict mode."
                )
            g = _zeros_like(refs[i])
        res.append(g)
    return tuple(res)


def _detached(outputs: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    return tuple(o.detach() for o in outputs)


def vjp(func: Callable[..., Any], inputs: Inputs, v: Inputs | None = None,
        create_graph: bool = False, strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), v^T J): the vector-Jacobian product, shaped like the inputs."""
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _fresh_inputs(inputs, need_graph=True, create_graph=create_graph)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "vjp")
        _check_outputs_require_grad(outputs, strict)
        if v is not None:
            _, v = _as_tuple(v, "v", "vjp")
            v = _fresh_inputs(v, need_graph=False, create_graph=create_graph)
            _validate_v(v, outputs, is_outputs_tuple)
        else:
            if len(outputs) != 1 or outputs[0].numel() != 1:
                raise RuntimeError(
                    "The vector v can only be None if the user-provided function returns a "
                    "single Tensor with a single element."
                )
            v = (None,)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grads(outputs, inputs, v, create_graph=create_graph)
        grads = _fill_in_zeros(grads, inputs, strict, "input")
    return (_unpack(_postprocess(outputs, create_graph), is_outputs_tuple),
            _unpack(_postprocess(grads, create_graph), is_inputs_tuple))


def _onehot_gradients(out: Tensor, inputs: tuple[Tensor, ...], strict: bool, i: int,
                      create_graph: bool = False) -> Any:
    """For each element m of `out`: (m, the gradients of out[m] with respect to each input).

    One backward per element, seeded with a one-hot gradient (torch seeds the same one-hot
    through out.reshape(-1)[m]); None for an input nothing reached, which strict refuses.
    """
    n = out.numel()
    for m in range(n if out.requires_grad else 0):
        onehot = np.zeros(n, dtype=out.array.dtype)
        onehot[m] = 1
        seed = Tensor._make(onehot.reshape(out.array.shape), False, None)
        grads = autograd_grad(out, inputs, seed, retain_graph=True, create_graph=create_graph,
                              allow_unused=True)
        if strict and any(g is None for g in grads):
            k = [g is None for g in grads].index(True)
            raise RuntimeError(
                f"Output {i} of the user-provided function is independent of input {k}. This "
                "is not allowed in strict mode."
            )
        yield m, grads


def _jacobian_rows(out: Tensor, inputs: tuple[Tensor, ...], strict: bool,
                   i: int, reached: list[bool] | None = None) -> list[np.ndarray]:
    """d out / d inputs[k] for every k, as arrays of shape out.shape + inputs[k].shape.
    `reached[k]` is set when some gradient reached inputs[k] (else it is independent of out).
    """
    rows = [np.zeros((out.numel(),) + tuple(inp.shape), dtype=inp.array.dtype)
            for inp in inputs]
    for m, grads in _onehot_gradients(out, inputs, strict, i):
        for k, g in enumerate(grads):
            if g is not None:
                rows[k][m] = g.array
                if reached is not None:
                    reached[k] = True
    return [r.reshape(tuple(out.shape) + tuple(inp.shape)) for r, inp in zip(rows, inputs)]


def _jacobian_rows_recorded(out: Tensor, inputs: tuple[Tensor, ...], strict: bool,
                            i: int) -> list[Tensor]:
    """As _jacobian_rows, but each row a recorded gradient (create_graph=True), stacked."""
    from minitorch.ops.shape import stack  # (ops import autograd: loaded late)

    rows: list[list[Tensor]] = [[] for _ in inputs]
    for _, grads in _onehot_gradients(out, inputs, strict, i, create_graph=True):
        for k, g in enumerate(grads):
            rows[k].append(_zeros_like(inputs[k]) if g is None else g)
    shapes = [tuple(out.shape) + tuple(inp.shape) for inp in inputs]
    return [stack(r).reshape(shape) if r
            else Tensor._make(np.zeros(shape, inp.array.dtype), False, None)
            for r, shape, inp in zip(rows, shapes, inputs)]


def jacobian(func: Callable[..., Any], inputs: Inputs, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """The Jacobian of func at inputs: J[i][j] has shape outputs[i].shape + inputs[j].shape.

    Always computed in reverse mode, one backward per output element. vectorize=True
    (torch's vmap) gives the same numbers here; strategy="forward-mode" too, in the
    output's dtype as torch's forward mode returns it.
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".'
        )
    if create_graph:
        if strategy == "forward-mode":
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either '
                'set `create_graph=False` or `strategy="reverse-mode"`.'
            )
    if strategy == "forward-mode":
        if strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either '
                'set `strict=False` or `strategy="reverse-mode"`.'
            )
        if not vectorize:
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse Hessian is only "
                "implemented for `vectorize=True`."
            )
    elif vectorize and strict:
        raise RuntimeError(
            "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
            "supported together. Please either set `strict=False` or `vectorize=False`."
        )
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _fresh_inputs(inputs, need_graph=True, create_graph=create_graph)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "jacobian")
        _check_outputs_require_grad(outputs, strict)
        if create_graph:
            jac_t = [tuple(_jacobian_rows_recorded(out, inputs, strict, i))
                     for i, out in enumerate(outputs)]
            per_output = [_unpack(row, is_inputs_tuple) for row in jac_t]
            return _unpack(tuple(per_output), is_outputs_tuple)
    jac = []
    for i, out in enumerate(outputs):
        rows = _jacobian_rows(out, inputs, strict, i)
        if strategy == "forward-mode":
            rows = [r.astype(out.array.dtype, copy=False) for r in rows]
        jac.append(tuple(Tensor._make(r, False, None) for r in rows))
    per_output = [_unpack(row, is_inputs_tuple) for row in jac]
    return _unpack(tuple(per_output), is_outputs_tuple)


def jvp(func: Callable[..., Any], inputs: Inputs, v: Inputs | None = None,
        create_graph: bool = False, strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), J v): the Jacobian-vector product, shaped like the outputs.

    Computed as the Jacobian contracted with v (one backward per output element):
    exact, and fine for small outputs; torch uses a double backward instead.
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _fresh_inputs(inputs, need_graph=True, create_graph=create_graph)
        if v is not None:
            _, v = _as_tuple(v, "v", "jvp")
            v = _fresh_inputs(v, need_graph=False, create_graph=create_graph)
            _validate_v(v, inputs, is_inputs_tuple)
        else:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError(
                    "The vector v can only be None if the input to the user-provided function "
                    "is a single Tensor with a single element."
                )
            v = (Tensor._make(np.ones_like(inputs[0].array), False, None),)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "jvp")
        _check_outputs_require_grad(outputs, strict)
        if create_graph:  # the double-backward trick: d(u^T J)/du along v is J v
            us = tuple(Tensor._make(np.zeros_like(o.array), False, None).requires_grad_(True)
                       for o in outputs)
            grad_inputs = _grads(outputs, inputs, us, create_graph=True)
            grad_inputs = tuple(g for g in grad_inputs if g is not None)
            res = _grads(grad_inputs, us, v[:len(grad_inputs)], create_graph=True)
            res = _fill_in_zeros(res, outputs, strict, "output")
            return _unpack(outputs, is_outputs_tuple), _unpack(res, is_outputs_tuple)
    reached = [False] * len(inputs)
    results = []
    for i, out in enumerate(outputs):
        total = np.zeros(out.numel(), dtype=np.float64)
        for k, rows in enumerate(_jacobian_rows(out, inputs, False, i, reached)):
            total += rows.reshape(out.numel(), -1) @ v[k].array.reshape(-1)
        results.append(Tensor._make(total.astype(out.array.dtype).reshape(out.array.shape),
                                    False, None))
    if strict and not all(reached):
        raise RuntimeError(
            f"The output of the user-provided function is independent of input "
            f"{reached.index(False)}. This is not allowed in strict mode."
        )
    return _unpack(_detached(outputs), is_outputs_tuple), _unpack(tuple(results),
                                                                  is_outputs_tuple)


def _single_scalar(outputs: Any, fn_name: str, strict: bool) -> Tensor:
    """The one-element Tensor a hessian / vhp / hvp function must return, as torch checks."""
    is_tuple, outs = _as_tuple(outputs, "outputs of the user-provided function", fn_name)
    _check_outputs_require_grad(outs, strict)
    if is_tuple or not isinstance(outputs, Tensor):
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs.numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           "contain a single element")
    return outputs


def _check_jacobian_requires_grad(jac: tuple[Any, ...], what: str, strict: bool) -> None:
    if strict:
        for i, g in enumerate(jac):
            if g is None or not g.requires_grad:
                raise RuntimeError(
                    f"The {what} of the user-provided function with respect to input {i} is "
                    "independent of the input. This is not allowed in strict mode."
                )


def hessian(func: Callable[..., Any], inputs: Inputs, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar func: H[i][j] has shape inputs[i].shape + inputs[j].shape.

    As torch computes it: the jacobian of a function that returns func's gradient
    (itself a jacobian, with create_graph=True so it can be differentiated again).
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def scalar_func(*inp: Tensor) -> Tensor:
        return _single_scalar(func(*inp), "hessian", strict).squeeze()

    def gradient(*inp: Tensor) -> Any:
        jac = jacobian(scalar_func, inp, create_graph=True)
        _check_jacobian_requires_grad(jac if isinstance(jac, tuple) else (jac,), "jacobian",
                                      strict)
        return jac

    res = jacobian(gradient, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    if is_inputs_tuple:
        return res
    return res[0][0]  # one input: H itself, not ((H,),) (torch's _tuple_postprocess)


def _scalar_and_gradient(func: Callable[..., Any], inputs: Inputs, v: Inputs | None,
                         create_graph: bool, strict: bool, fn_name: str) -> tuple:
    """(is_inputs_tuple, inputs, v, output, gradient of func with a graph): what vhp and hvp
    share."""
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
        inputs = _fresh_inputs(inputs, need_graph=True, create_graph=create_graph)
        if v is not None:
            _, v = _as_tuple(v, "v", fn_name)
            v = _fresh_inputs(v, need_graph=False, create_graph=create_graph)
            _validate_v(v, inputs, is_inputs_tuple)
        elif len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the input to the user-provided function is a "
                "single Tensor with a single element."
            )
        out = _single_scalar(func(*inputs), fn_name, strict)
        jac = _grads((out,), inputs, create_graph=True)
        _check_jacobian_requires_grad(jac, "jacobian", strict)
    return is_inputs_tuple, inputs, v, out, jac


def vhp(func: Callable[..., Any], inputs: Inputs, v: Inputs | None = None,
        create_graph: bool = False, strict: bool = False) -> Any:
    """(func(inputs), v^T H) for a scalar func: the gradient of <grad func, v>."""
    is_inputs_tuple, inputs, v, out, jac = _scalar_and_gradient(
        func, inputs, v, create_graph, strict, "vhp")
    with set_grad_enabled(create_graph or is_grad_enabled()):
        res = _grads(jac, inputs, v, create_graph=create_graph)
        res = _fill_in_zeros(res, inputs, strict, "input")
    return (_postprocess((out,), create_graph)[0],
            _unpack(_postprocess(res, create_graph), is_inputs_tuple))


def hvp(func: Callable[..., Any], inputs: Inputs, v: Inputs | None = None,
        create_graph: bool = False, strict: bool = False) -> Any:
    """(func(inputs), H v) for a scalar func, by torch's double-backward trick: u -> u^T H
    is the vjp of the gradient, linear in u, so its gradient with respect to u along v is
    H v (three backwards, where vhp needs two)."""
    is_inputs_tuple, inputs, v, out, jac = _scalar_and_gradient(
        func, inputs, v, create_graph, strict, "hvp")
    with enable_grad():
        us = tuple(Tensor._make(np.zeros_like(inp.array), False, None).requires_grad_(True)
                   for inp in inputs)
        double_back = _grads(jac, inputs, us, create_graph=True)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        res = _grads(double_back, us, v, create_graph=create_graph)
        res = _fill_in_zeros(res, inputs, strict, "input")
    return (_postprocess((out,), create_graph)[0],
            _unpack(_postprocess(res, create_graph), is_inputs_tuple))
