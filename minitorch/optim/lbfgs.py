"""L-BFGS: a quasi-Newton method that needs the closure, since it evaluates f many times a step.

One `step(closure)` runs up to max_iter iterations. Each builds a direction
from the last history_size steps s and gradient changes y (the two-loop
recursion: an approximate inverse Hessian times -g, never a matrix), then
moves along it by lr, or by the step a strong-Wolfe line search finds.
All parameters are handled as one flat vector, which is why there can be
only one param group.

This is torch/optim/lbfgs.py line for line, in NumPy. The scalars (dot
products, t, H_diag, ro) are NumPy scalars of the parameters' dtype where
torch's are 0-d tensors and Python floats where torch's are, so float32 runs
round where torch's do. `_cubic_interpolate` and `_strong_wolfe` are ported
operation for operation: a line search branches on comparisons, and a
different order of operations would send it down another branch.
Read sgd.py first for the conventions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from minitorch.autograd.grad_mode import enable_grad, no_grad
from minitorch.optim.optimizer import Optimizer, _check_tensor_hyper, add_
from minitorch.tensor import Tensor

__all__ = ["LBFGS"]

# The state entries that hold tensors in torch (the rest are Python numbers).
_TENSOR_STATE = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "al")


_sqrt = np.sqrt  # correctly rounded; torch's CPU sqrt (MKL) is off by an ulp now and then


def _div(a: Any, b: Any) -> Any:
    """a / b as torch rounds it: a Python number over a 0-d tensor is Tensor.__rtruediv__,
    which computes b.reciprocal() * a (two roundings, not one)."""
    if isinstance(b, np.generic) and not isinstance(a, np.generic):
        return np.reciprocal(b) * a
    return a / b


def _cubic_interpolate(
    x1: Any, f1: Any, g1: Any, x2: Any, f2: Any, g2: Any, bounds: tuple[Any, Any] | None = None
) -> Any:
    """The minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2,
    clipped to `bounds` (default: between x1 and x2); their midpoint if the cubic has none.

        d1 = g1 + g2 - 3 (f1 - f2) / (x1 - x2),   d2 = sqrt(d1² - g1 g2)
        x = x2 - (x2 - x1) (g2 + d2 - d1) / (g2 - g1 + 2 d2)     (x1 <= x2)
    """
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - _div(3 * (f1 - f2), x1 - x2)
    d2_square = d1 * d1 - g1 * g2  # torch's pow(d1, 2) is d1 * d1
    if d2_square >= 0:
        d2 = _sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(
    obj_func: Callable[[list[np.ndarray], Any, np.ndarray], tuple[float, np.ndarray]],
    x: list[np.ndarray],
    t: Any,
    d: np.ndarray,
    f: float,
    g: np.ndarray,
    gtd: Any,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, np.ndarray, Any, int]:
    """A step t along d meeting the strong Wolfe conditions (Nocedal & Wright, alg. 3.5-3.6):

        f(x + t d) <= f(x) + c1 t gᵀd      (sufficient decrease, Armijo)
        |g(x + t d)ᵀd| <= -c2 gᵀd           (the slope has flattened)

    First bracket an interval holding such a t (growing t by cubic extrapolation),
    then zoom into it by cubic interpolation. Returns (f, g, t, evaluations).
    """
    d_norm = np.abs(d).max()
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)  # the objective and gradient at the initial step
    ls_func_evals = 1
    gtd_new = g_new.dot(d)

    # bracket an interval containing a point satisfying the Wolfe criteria
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket = [t_prev, t]
            bracket_f = [f_prev, f_new]
            bracket_g = [g_prev, g_new.copy()]
            bracket_gtd = [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket = [t_prev, t]
            bracket_f = [f_prev, f_new]
            bracket_g = [g_prev, g_new.copy()]
            bracket_gtd = [gtd_prev, gtd_new]
            break

        # extrapolate: a cubic step between 1.01 t and 10 t
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step)
        )
        t_prev = tmp
        f_prev = f_new
        g_prev = g_new.copy()
        gtd_prev = gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

    if ls_iter == max_ls:  # out of evaluations: the bracket is [0, t]
        bracket = [0, t]
        bracket_f = [f, f_new]
        bracket_g = [g, g_new]

    # zoom: shrink the bracket until a point in it satisfies the criteria
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break  # the bracket is too small to matter
        t = _cubic_interpolate(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )

        # A t within 10% of the bracket's ends makes little progress: the second time in a
        # row (or when t is at an end), move it to 10% inside the nearer end.
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # no sufficient decrease, or not below the low end: t is the new high end
            bracket[high_pos] = t
            bracket_f[high_pos] = f_new
            bracket_g[high_pos] = g_new.copy()
            bracket_gtd[high_pos] = gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True  # the Wolfe conditions hold
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                # the old high end becomes the new low end
                bracket[high_pos] = bracket[low_pos]
                bracket_f[high_pos] = bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos] = t  # t is the new low end
            bracket_f[low_pos] = f_new
            bracket_g[low_pos] = g_new.copy()
            bracket_gtd[low_pos] = gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


def _to_state(value: Any) -> Any:
    """A working value as torch stores it: arrays and NumPy scalars become Tensors."""
    if isinstance(value, list):
        return [_to_state(v) for v in value]
    if isinstance(value, np.ndarray):
        return Tensor._make(value, False, None)
    if isinstance(value, np.generic):
        return Tensor._make(np.array(value), False, None)
    return value


def _from_state(value: Any) -> Any:
    """The inverse of _to_state: a Tensor's array (shared, not copied), a 0-d one's scalar."""
    if isinstance(value, list):
        return [_from_state(v) for v in value]
    if isinstance(value, Tensor):
        return value.array[()] if value.array.ndim == 0 else value.array
    return value


class LBFGS(Optimizer):
    """L-BFGS (torch.optim.LBFGS). Each iteration k of one step(closure):

        d = -H g                 two-loop recursion over the stored (s, y, ρ = 1/yᵀs),
                                 starting from H₀ = (yᵀs / yᵀy) I; d = -g at first
        t = lr                   (the very first iteration: min(1, 1/|g|₁) lr)
          or strong_wolfe(t)     line_search_fn='strong_wolfe'
        θ = θ + t d
        s = t d, y = g_new - g   kept if yᵀs > 1e-10, the oldest dropped past history_size

    It stops after max_iter iterations or max_eval evaluations, or when
    max|g| <= tolerance_grad, max|t d| <= tolerance_change or the loss changes
    by less than tolerance_change. The history lives on in state between
    steps, under the first parameter (torch's layout).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        _check_tensor_hyper(lr, "lr")
        if not 0.0 <= (lr.item() if isinstance(lr, Tensor) else lr):
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[Tensor] = self.param_groups[0]["params"]
        self._numel_cache: int | None = None

    def _numel(self) -> int:
        if self._numel_cache is None:
            self._numel_cache = sum(p.numel() for p in self._params)
        return self._numel_cache

    def _gather_flat_grad(self) -> np.ndarray:
        """Every gradient flattened into one new vector (zeros for a parameter without one)."""
        views = [
            np.zeros(p.numel(), p.array.dtype) if p.grad is None else p.grad.array.reshape(-1)
            for p in self._params
        ]
        return np.concatenate(views, 0)

    def _add_grad(self, step_size: Any, update: np.ndarray) -> None:
        """θ = θ + step_size * update, the flat update cut back into the parameters."""
        offset = 0
        for p in self._params:
            numel = p.numel()
            add_(p.array, update[offset : offset + numel].reshape(p.array.shape), step_size)
            p._version += 1
            offset += numel
        if offset != self._numel():
            raise AssertionError(f"Expected offset {offset} to equal {self._numel()}")

    def _clone_param(self) -> list[np.ndarray]:
        return [p.array.copy() for p in self._params]

    def _set_param(self, params_data: list[np.ndarray]) -> None:
        for p, pdata in zip(self._params, params_data, strict=True):
            p.array[...] = pdata
            p._version += 1

    def _directional_evaluate(
        self, closure: Callable[[], Any], x: list[np.ndarray], t: Any, d: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """f and ∇f at x + t d; the parameters are put back to x afterwards."""
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    @no_grad()
    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Up to max_iter L-BFGS iterations; returns the closure's first loss.

        closure: reevaluates the model (zero_grad, loss, backward) and returns the loss.
        """
        if len(self.param_groups) != 1:
            raise AssertionError(
                f"Expected exactly one param_group, but got {len(self.param_groups)}"
            )
        if not callable(closure):
            raise TypeError(f"'{type(closure).__name__}' object is not callable")

        def evaluate() -> Any:  # the closure, always with grad mode on (torch wraps it so)
            with enable_grad():
                return closure()

        group = self.param_groups[0]
        lr = group["lr"].array.reshape(())[()] if isinstance(group["lr"], Tensor) else group["lr"]
        max_iter = group["max_iter"]
        max_eval = group["max_eval"]
        tolerance_grad = group["tolerance_grad"]
        tolerance_change = group["tolerance_change"]
        line_search_fn = group["line_search_fn"]
        history_size = group["history_size"]

        # All state is global; it sits under the first parameter so load_state_dict casts it.
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = evaluate()
        loss = float(orig_loss)
        state["func_evals"] += 1

        flat_grad = self._gather_flat_grad()
        opt_cond = np.abs(flat_grad).max() <= tolerance_grad
        if opt_cond:  # already optimal
            return orig_loss

        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            self._iterate(state, evaluate, flat_grad, loss, lr, max_iter, max_eval,
                          tolerance_grad, tolerance_change, line_search_fn, history_size)
        return orig_loss

    def _iterate(
        self, state: dict[str, Any], closure: Callable[[], Any], flat_grad: np.ndarray,
        loss: float, lr: Any, max_iter: int, max_eval: int, tolerance_grad: float,
        tolerance_change: float, line_search_fn: str | None, history_size: int,
    ) -> None:
        """The iterations of one step (torch's loop body), from the state of the last step."""
        d, t, old_dirs, old_stps, ro, H_diag, prev_flat_grad = (
            _from_state(state.get(k)) for k in _TENSOR_STATE[:-1]
        )
        prev_loss = state.get("prev_loss")
        current_evals = 1  # step() has evaluated the closure once
        opt_cond = False

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # -- the direction d = -H g ------------------------------------------------
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)  # yᵀs
                if ys > 1e-10:  # curvature positive enough: remember the pair
                    if len(old_dirs) == history_size:  # forget the oldest
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(_div(1.0, ys))
                    H_diag = ys / y.dot(y)

                num_old = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = _from_state(state["al"])

                # the two-loop recursion, with one buffer: q = -g, newest pair first ...
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    add_(q, old_dirs[i], -al[i])
                # ... times the initial Hessian, then the oldest pair first
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    add_(r, old_stps[i], al[i] - be_i)
                state["al"] = _to_state(al)

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                prev_flat_grad[...] = flat_grad  # in place, as torch's copy_
            prev_loss = loss

            # -- the step length ---------------------------------------------------------
            if state["n_iter"] == 1:  # a cautious first step: at most lr / |g|₁
                t = min(1.0, _div(1.0, np.abs(flat_grad).sum())) * lr
            else:
                t = lr

            gtd = flat_grad.dot(d)  # the directional derivative gᵀd
            if gtd > -tolerance_change:
                break  # not a descent direction (to tolerance)

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = self._clone_param()

                def obj_func(x: list[np.ndarray], t: Any, d: np.ndarray) -> tuple[float, Any]:
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals
                )
                self._add_grad(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)  # a fixed step
                if n_iter != max_iter:  # the last iteration's f is not needed: not evaluated
                    loss = float(closure())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1

            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # -- stop? --------------------------------------------------------------------
            if n_iter == max_iter:
                break
            if current_evals >= max_eval:
                break
            if opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:  # no progress in x
                break
            if abs(loss - prev_loss) < tolerance_change:  # no progress in f
                break

        state["d"] = _to_state(d)
        state["t"] = _to_state(t)
        state["old_dirs"] = _to_state(old_dirs)
        state["old_stps"] = _to_state(old_stps)
        state["ro"] = _to_state(ro)
        state["H_diag"] = _to_state(H_diag)
        state["prev_flat_grad"] = _to_state(prev_flat_grad)
        state["prev_loss"] = prev_loss
