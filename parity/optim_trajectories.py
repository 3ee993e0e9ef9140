"""Optimizer trajectory parity: every optimizer over its hyperparameter grid, step by step.

Each case starts minitorch and torch from the same parameters on the same
problem, lets each engine compute its own loss and gradients with its own
autograd (the whole stack is under test, not just the update rule), steps
both optimizers 100 times, and after EVERY step compares the parameters and
every state tensor (momentum buffers, moments, step counts).

The deviation of one tensor is max|mine - torch| / max|torch|: the error
relative to the tensor's own scale, so a coordinate near zero is not blown up
by dividing by itself. A case's worst deviation is the largest over its
tensors and steps. float64 passes below 1e-7; float32 drifts (torch computes
bias corrections in float64 and rounds its sqrt differently, see the notes)
and passes below the per-problem tolerance in FLOAT32_TOLERANCE.

Edge cases (a frozen parameter, 0-d parameters, two groups, an lr changed
mid-run, a state_dict reloaded mid-run) and every scheduler's lr sequence
over 100 epochs are checked too. `run_section(quick)` is what the parity
report calls; `python -m parity.optim_trajectories --case ID` reruns one case.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from parity.results import SectionFailure, SectionResult, print_section

ENGINES = "any"  # runs against any engine: _libs() gives the engine under test and torch
STEPS = 100
QUICK_STEPS = 20
RTOL64 = 1e-7
OPTIMIZERS = ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad",
              "Adadelta", "Adamax", "NAdam", "RAdam", "Rprop", "ASGD")
# These take torch's implementation switches (foreach, capturable, differentiable) and keep
# them in their param groups: both engines get foreach=False, so the groups compare equal.
TAKES_FOREACH = ("Adadelta", "Adamax", "NAdam", "RAdam", "Rprop", "ASGD")
DTYPES = ("float64", "float32")
FIGURE = Path(__file__).resolve().parent.parent / "reports" / "figures" / "optim_drift.png"

# float32: the tolerance on the worst relative deviation over 100 steps, with its reason.
FLOAT32_TOLERANCE: dict[str, tuple[float, str]] = {
    "rosenbrock": (
        5e-4,
        "the valley is curved (Hessian eigenvalues up to ~1300 along the path), so a last-bit "
        "difference in one step (torch's MKL sqrt, float64 bias corrections rounded to "
        "float32) is multiplied in the next ones",
    ),
    "quadratic": (
        5e-4,
        "condition number 1e3: a last-bit difference is damped along the stiff directions but "
        "accumulates along the flat ones, about an ulp (6e-8) a step, more at the high lr",
    ),
    "mlp": (
        2e-3,
        "NumPy and torch sum a matmul in different orders, so the gradients differ in the "
        "last bits at every step; RMSprop and Adam divide by the root of small squared "
        "gradients, which multiplies that (a ReLU flipping is reported apart, as 'known')",
    ),
}

# ----------------------------------------------------------------------------
# The problems. `make(dtype)` gives the starting parameters and the constants
# (NumPy arrays, the same for both engines); `loss(params, consts)` is written
# with tensor methods both engines have, so one function drives both.
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    name: str
    make: Callable[[type], tuple[list[np.ndarray], dict[str, np.ndarray]]]
    # loss(params, consts) -> (loss, pre-activations of a ReLU or None): the ReLU's on/off
    # pattern is compared between the engines, since a flip explains a jump (see judge()).
    loss: Callable[[list[Any], dict[str, Any]], tuple[Any, Any]]
    desc: str


def _rosenbrock_make(dt: type) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    return [np.array([-1.2, 1.0], dtype=dt)], {}


def _rosenbrock_loss(params: list[Any], consts: dict[str, Any]) -> Any:
    (xy,) = params
    x, y = xy[0], xy[1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2, None


def _rosenbrock0d_make(dt: type) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    return [np.array(-1.2, dtype=dt), np.array(1.0, dtype=dt)], {}


def _rosenbrock0d_loss(params: list[Any], consts: dict[str, Any]) -> Any:
    x, y = params
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2, None


def _quadratic_make(dt: type) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    rng = np.random.default_rng(1)
    n = 8
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    a = (q * np.logspace(0, 3, n)) @ q.T  # eigenvalues 1 .. 1000: condition number 1e3
    a = (a + a.T) / 2
    b = rng.standard_normal(n)
    x0 = rng.standard_normal(n)
    return [x0.astype(dt)], {"A": a.astype(dt), "b": b.astype(dt)}


def _quadratic_loss(params: list[Any], consts: dict[str, Any]) -> Any:
    (x,) = params
    return 0.5 * (x * (consts["A"] @ x)).sum() - (consts["b"] * x).sum(), None


def _mlp_make(dt: type) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    rng = np.random.default_rng(2)
    n, d, h, k = 48, 5, 12, 3
    x = rng.standard_normal((n, d))
    teacher = rng.standard_normal((d, k))
    y = np.argmax(x @ teacher + 0.5 * rng.standard_normal((n, k)), axis=1)
    onehot = np.eye(k)[y]
    w1 = rng.uniform(-1, 1, (d, h)) / np.sqrt(d)
    b1 = rng.uniform(-1, 1, h) / np.sqrt(d)
    w2 = rng.uniform(-1, 1, (h, k)) / np.sqrt(h)
    b2 = rng.uniform(-1, 1, k) / np.sqrt(h)
    params = [a.astype(dt) for a in (w1, b1, w2, b2)]
    return params, {"X": x.astype(dt), "Y": onehot.astype(dt), "inv_n": np.array(1.0 / n, dt)}


def _mlp_loss(params: list[Any], consts: dict[str, Any]) -> Any:
    """Cross-entropy of a 2-layer ReLU net, log-softmax written from primitive ops."""
    w1, b1, w2, b2 = params
    z = consts["X"] @ w1 + b1
    logits = z.relu() @ w2 + b2
    lse = logits.exp().sum(dim=1, keepdim=True).log()  # no max-shift: logits stay small here
    return -((logits - lse) * consts["Y"]).sum() * consts["inv_n"], z


PROBLEMS: dict[str, Problem] = {
    p.name: p
    for p in (
        Problem("rosenbrock", _rosenbrock_make, _rosenbrock_loss,
                "2-D Rosenbrock (1-x)² + 100(y-x²)² from (-1.2, 1), one (2,) parameter"),
        Problem("quadratic", _quadratic_make, _quadratic_loss,
                "½xᵀAx - bᵀx, 8-D, eigenvalues of A from 1 to 1000"),
        Problem("mlp", _mlp_make, _mlp_loss,
                "5-12-3 ReLU MLP, cross-entropy on 48 fixed points (4 parameters)"),
    )
}
ROSENBROCK_0D = Problem("rosenbrock0d", _rosenbrock0d_make, _rosenbrock0d_loss,
                        "Rosenbrock with x and y as two 0-d parameters")

# ----------------------------------------------------------------------------
# The grid: each optimizer's hyperparameter cross product, and its learning
# rates per problem, (base, high). The high lr sits near the edge of stability,
# where a semantic difference (a misplaced eps, a dampened first buffer) shows.
# ----------------------------------------------------------------------------

GRID: dict[str, dict[str, list[Any]]] = {
    "SGD": {
        "momentum": [0.0, 0.9],
        "dampening": [0.0, 0.5],
        "nesterov": [False, True],
        "weight_decay": [0.0, 0.1],
        "maximize": [False, True],
    },
    "Adam": {
        "betas": [(0.9, 0.999), (0.5, 0.9)],
        "eps": [1e-8, 1e-3],
        "weight_decay": [0.0, 0.1],
        "amsgrad": [False, True],
        "maximize": [False, True],
    },
    "AdamW": {
        "betas": [(0.9, 0.999), (0.5, 0.9)],
        "eps": [1e-8, 1e-3],
        "weight_decay": [1e-2, 0.1],
        "amsgrad": [False, True],
        "maximize": [False, True],
    },
    "RMSprop": {
        "alpha": [0.99, 0.9],
        "centered": [False, True],
        "momentum": [0.0, 0.9],
        "weight_decay": [0.0, 0.1],
    },
    "Adagrad": {
        "lr_decay": [0.0, 0.01],
        "weight_decay": [0.0, 0.1],
        "initial_accumulator_value": [0.0, 0.1],
    },
    "Adadelta": {  # not rho 0.5: its float32 Rosenbrock run turns a last-bit difference into 6e-2
        "rho": [0.9, 0.95],
        "eps": [1e-6, 1e-4],
        "weight_decay": [0.0, 0.1],
        "maximize": [False, True],
    },
    "Adamax": {  # not (0.5, 0.9): with weight decay on the MLP its run is unstable (see EDGE_HP)
        "betas": [(0.9, 0.999), (0.8, 0.99)],
        "eps": [1e-8, 1e-3],
        "weight_decay": [0.0, 0.1],
        "maximize": [False, True],
    },
    "NAdam": {
        "betas": [(0.9, 0.999), (0.5, 0.9)],
        "momentum_decay": [4e-3, 0.1],
        "weight_decay": [0.0, 0.1],
        "decoupled_weight_decay": [False, True],
        "maximize": [False, True],
    },
    "RAdam": {
        "betas": [(0.9, 0.999), (0.5, 0.9)],
        "eps": [1e-8, 1e-3],
        "weight_decay": [0.0, 0.1],
        "decoupled_weight_decay": [False, True],
        "maximize": [False, True],
    },
    "Rprop": {
        "etas": [(0.5, 1.2), (0.3, 1.5)],
        "step_sizes": [(1e-6, 50), (1e-3, 0.05)],
        "maximize": [False, True],
    },
    "ASGD": {
        "lambd": [1e-4, 0.1],
        "alpha": [0.75, 1.0],
        "t0": [1e6, 10.0],
        "weight_decay": [0.0, 0.1],
        "maximize": [False, True],
    },
}

LRS: dict[str, dict[str, tuple[float, float]]] = {
    "SGD": {"rosenbrock": (1e-4, 1e-3), "quadratic": (1e-3, 1.9e-3), "mlp": (0.1, 0.5)},
    "Adam": {"rosenbrock": (1e-3, 1e-2), "quadratic": (1e-3, 1e-2), "mlp": (1e-3, 1e-2)},
    "AdamW": {"rosenbrock": (1e-3, 1e-2), "quadratic": (1e-3, 1e-2), "mlp": (1e-3, 1e-2)},
    "RMSprop": {"rosenbrock": (1e-3, 3e-3), "quadratic": (1e-3, 3e-3), "mlp": (1e-3, 3e-3)},
    "Adagrad": {"rosenbrock": (0.1, 1.0), "quadratic": (0.1, 1.0), "mlp": (0.1, 1.0)},
    "Adadelta": {"rosenbrock": (1.0, 2.0), "quadratic": (0.1, 0.2), "mlp": (1.0, 3.0)},
    "Adamax": {"rosenbrock": (2e-3, 1e-2), "quadratic": (2e-3, 1e-2), "mlp": (1e-3, 3e-3)},
    "NAdam": {"rosenbrock": (2e-3, 1e-2), "quadratic": (2e-3, 1e-2), "mlp": (2e-3, 1e-2)},
    "RAdam": {"rosenbrock": (1e-3, 1e-2), "quadratic": (1e-3, 1e-2), "mlp": (1e-3, 1e-2)},
    "Rprop": {"rosenbrock": (1e-3, 1e-2), "quadratic": (1e-3, 1e-2), "mlp": (1e-3, 1e-2)},
    "ASGD": {"rosenbrock": (1e-4, 1e-3), "quadratic": (1e-3, 1.9e-3), "mlp": (0.1, 0.5)},
}
# Adadelta on the quadratic: at lr 1.0 with ε = 1e-4 its steps overshoot the stiff directions
# and torch's own float32 run parts from a run started 1 ulp away by 1e-1 (at 0.3: 1.5e-3).
# Why not higher: past these, 100 steps reach chaos -- torch's own float32 run and its
# float64 run part ways by O(1) (Adam at lr 0.03 on every problem, RMSprop at 0.01, SGD
# at 1.9e-3 on Rosenbrock), and no float32 comparison can mean anything there.


def configs(name: str) -> list[dict[str, Any]]:
    """The cross product of GRID[name], without the combinations torch rejects."""
    keys = list(GRID[name])
    out = []
    for values in itertools.product(*(GRID[name][k] for k in keys)):
        hp = dict(zip(keys, values))
        if hp.get("nesterov") and (hp["momentum"] <= 0 or hp["dampening"] != 0):
            continue  # torch: "Nesterov momentum requires a momentum and zero dampening"
        if hp.get("decoupled_weight_decay") and not hp.get("weight_decay"):
            continue  # nothing to decouple: the same run as decoupled_weight_decay=False
        out.append(hp)
    return out


def quick_configs(name: str) -> list[dict[str, Any]]:
    """The quick subset: the first configuration (torch's defaults, mostly) and the one with
    the most options switched on (SGD: momentum with Nesterov, weight decay and maximize)."""
    every = configs(name)
    richest = max(every, key=lambda hp: sum(bool(v) and v != GRID[name][k][0]
                                             for k, v in hp.items()))
    return [every[0], richest]


def hp_text(hp: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in hp.items()).replace(" ", "")


# ----------------------------------------------------------------------------
# Running one engine: a Side holds its library, parameters, constants, optimizer.
# ----------------------------------------------------------------------------


def _libs() -> tuple[Any, Any]:
    """The engine under test (minitorch unless --engine) and torch."""
    import torch

    from parity.engines import current

    return current().lib, torch


def configure_threads() -> None:
    """One thread for torch and for NumPy's BLAS: the same sums in the same order every run
    (the parity runner does the same)."""
    import torch

    torch.set_num_threads(1)
    try:
        import threadpoolctl

        threadpoolctl.threadpool_limits(1)
    except ImportError:  # pragma: no cover - a harness dependency
        pass


@dataclass
class Side:
    lib: Any
    params: list[Any]
    consts: dict[str, Any]
    opt: Any = None

    @property
    def is_torch(self) -> bool:
        return self.lib.__name__ == "torch"

    def arrays(self, tensors: Iterable[Any]) -> list[np.ndarray]:
        return [np.asarray(t.detach().numpy()) for t in tensors]


def make_side(lib: Any, params0: list[np.ndarray], consts0: dict[str, np.ndarray]) -> Side:
    params = [lib.tensor(a.copy(), requires_grad=True) for a in params0]
    consts = {k: lib.tensor(v.copy()) for k, v in consts0.items()}
    return Side(lib, params, consts)


def make_optimizer(side: Side, name: str, groups: list[dict[str, Any]], hp: dict[str, Any]) -> Any:
    cls = getattr(side.lib.optim, name)
    if side.is_torch or name in TAKES_FOREACH:
        return cls(groups, foreach=False, **hp)  # torch's single-tensor path, the one we mirror
    return cls(groups, **hp)


def loss_and_backward(side: Side, problem: Problem, sign: float) -> np.ndarray | None:
    """zero_grad, loss, backward; returns the ReLU's on/off pattern (None for smooth problems)."""
    side.opt.zero_grad()
    loss, preact = problem.loss(side.params, side.consts)
    if sign < 0:
        loss = -loss  # maximize=True climbs -f, so the trajectory still descends f
    loss.backward()
    if preact is None:
        return None
    return np.asarray(preact.detach().numpy()) > 0


def deviation(mine: np.ndarray, theirs: np.ndarray) -> float:
    """max|mine - theirs| / max|theirs| in float64; NaN in the same places counts as equal."""
    a = np.asarray(mine, dtype=np.float64)
    b = np.asarray(theirs, dtype=np.float64)
    if a.shape != b.shape:
        return math.inf
    if a.size == 0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        worst = float(np.abs(a - b).max())
        if worst == 0.0:
            return 0.0
        if math.isfinite(worst):  # the common case: no inf, no NaN
            scale = float(np.abs(b).max())
            return worst / scale if scale > 0 else math.inf
        return _deviation_nonfinite(a, b)


def _deviation_nonfinite(a: np.ndarray, b: np.ndarray) -> float:
    """The slow path: NaN must match NaN, inf must match inf, the rest is compared as usual."""
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    inf_a, inf_b = np.isinf(a), np.isinf(b)
    if (nan_a != nan_b).any() or (inf_a != inf_b).any() or (a[inf_a] != b[inf_b]).any():
        return math.inf
    finite = ~(nan_a | inf_a)
    if not finite.any():
        return 0.0
    worst = float(np.abs(a[finite] - b[finite]).max())
    scale = float(np.abs(b[finite]).max())
    return 0.0 if worst == 0.0 else (worst / scale if scale > 0 else math.inf)


@dataclass
class Trace:
    """What one case measured: per step, the worst parameter and state deviations."""

    param_dev: list[float] = field(default_factory=list)
    state_dev: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # structural mismatches (keys, dtypes)
    flip_step: int | None = None  # first step with a different ReLU pattern (or grad signs)
    sign_fork: bool = False  # the flip was a sign-based optimizer's gradient sign

    def add_problem(self, text: str) -> None:
        if text not in self.problems and len(self.problems) < 5:
            self.problems.append(text)

    @property
    def per_step(self) -> list[float]:
        return [max(a, b) for a, b in zip(self.param_dev, self.state_dev)]

    @property
    def worst_param(self) -> float:
        return max(self.param_dev, default=0.0)

    @property
    def worst_state(self) -> float:
        return max(self.state_dev, default=0.0)

    @property
    def worst(self) -> float:
        return max(self.worst_param, self.worst_state)

    @property
    def worst_before_flip(self) -> float:
        steps = self.per_step if self.flip_step is None else self.per_step[: self.flip_step - 1]
        return max(steps, default=0.0)

    @property
    def worst_param_before_flip(self) -> float:
        devs = self.param_dev if self.flip_step is None else self.param_dev[: self.flip_step - 1]
        return max(devs, default=0.0)


def compare_step(mt: Side, th: Side, trace: Trace, step: int) -> None:
    """Parameters and every state tensor of every parameter, torch's keys as the reference."""
    mine, theirs = mt.arrays(mt.params), th.arrays(th.params)
    n_params = len(mine)
    for i, (pm, pt) in enumerate(zip(mt.params, th.params)):
        st_m = mt.opt.state.get(pm, {})
        st_t = th.opt.state.get(pt, {})
        if set(st_m) != set(st_t):
            trace.add_problem(f"step {step}: param {i} state keys {sorted(st_m)} != {sorted(st_t)}")
            continue
        for key, vt in st_t.items():
            vm = st_m[key]
            if vt is None or vm is None:
                if (vt is None) != (vm is None):
                    trace.add_problem(f"step {step}: param {i} state '{key}' None on one side")
                continue
            at, am = vt.detach().numpy(), np.asarray(vm.detach().numpy())
            if at.dtype != am.dtype or at.shape != am.shape:
                trace.add_problem(f"param {i} state '{key}': {am.dtype}{list(am.shape)} vs "
                                  f"torch {at.dtype}{list(at.shape)}")
                continue
            mine.append(am)
            theirs.append(at)
    devs = deviations(mine, theirs)
    trace.param_dev.append(max(devs[:n_params], default=0.0))
    state = max(devs[n_params:], default=0.0)
    trace.state_dev.append(math.inf if trace.problems else state)


def deviations(mine: list[np.ndarray], theirs: list[np.ndarray]) -> list[float]:
    """deviation() of each pair, computed in a handful of NumPy calls over all of them at once."""
    if any(a.shape != b.shape for a, b in zip(mine, theirs)):
        return [deviation(a, b) for a, b in zip(mine, theirs)]
    sizes = [a.size for a in mine]
    if not sizes or min(sizes) == 0:
        return [deviation(a, b) for a, b in zip(mine, theirs)]
    a = np.concatenate([x.ravel() for x in mine]).astype(np.float64)
    b = np.concatenate([x.ravel() for x in theirs]).astype(np.float64)
    starts = np.cumsum([0] + sizes[:-1])
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        worst = np.maximum.reduceat(np.abs(a - b), starts)
        scale = np.maximum.reduceat(np.abs(b), starts)
        if not (np.isfinite(worst).all() and (scale[worst > 0] > 0).all()):
            return [deviation(x, y) for x, y in zip(mine, theirs)]  # the careful path
        return np.where(worst > 0, worst / np.where(scale > 0, scale, 1.0), 0.0).tolist()


# Optimizers that step by sign(g) alone: a gradient coordinate within rounding of 0 whose sign
# differs between the engines (their matmuls sum in different orders) sends the two runs
# different ways, a discrete fork judged like a ReLU flip (see judge()).
SIGN_BASED = ("Rprop",)


def step_both(mt: Side, th: Side, problem: Problem, sign: float, trace: Trace, step: int,
              before_step: Callable[[Side], None] | None = None) -> None:
    """One step in each engine (loss, backward, optimizer step), then the comparison."""
    masks, signs = [], []
    for side in (mt, th):
        masks.append(loss_and_backward(side, problem, sign))
        if before_step is not None:
            before_step(side)
        if type(side.opt).__name__ in SIGN_BASED:
            signs.append([np.sign(g) for g in side.arrays(p.grad for p in side.params
                                                          if p.grad is not None)])
        side.opt.step()
    if trace.flip_step is None and masks[0] is not None and (masks[0] != masks[1]).any():
        trace.flip_step = step
    if trace.flip_step is None and signs and any((a != b).any() for a, b in zip(*signs)):
        trace.flip_step, trace.sign_fork = step, True  # a sign-based step forks like a ReLU flip
    compare_step(mt, th, trace, step)


# ----------------------------------------------------------------------------
# Trajectory cases. A case id reads optimizer[config]/lr=.../problem/dtype.
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    optimizer: str
    hp: tuple[tuple[str, Any], ...]
    lr_setting: str  # "base" | "high"
    problem: str
    dtype: str
    steps: int = STEPS

    @property
    def id(self) -> str:
        return (f"{self.optimizer}[{hp_text(dict(self.hp))}]/lr={self.lr_setting}/"
                f"{self.problem}/{self.dtype}")

    @property
    def lr(self) -> float:
        base, high = LRS[self.optimizer][self.problem]
        return base if self.lr_setting == "base" else high


def run_case(case: Case) -> Trace:
    problem = PROBLEMS[case.problem]
    params0, consts0 = problem.make(np.dtype(case.dtype).type)
    hp = dict(case.hp)
    sides = [make_side(lib, params0, consts0) for lib in _libs()]
    for side in sides:
        side.opt = make_optimizer(side, case.optimizer, [{"params": side.params,
                                                          "lr": case.lr}], hp)
    mt, th = sides
    sign = -1.0 if hp.get("maximize") else 1.0
    trace = Trace()
    for step in range(1, case.steps + 1):
        step_both(mt, th, problem, sign, trace, step)
    return trace


def trajectory_cases(quick: bool) -> list[Case]:
    cases = []
    for name in OPTIMIZERS:
        for hp in quick_configs(name) if quick else configs(name):
            for lr_setting in ("base", "high"):
                for problem in PROBLEMS:
                    for dtype in DTYPES:
                        cases.append(Case(name, tuple(hp.items()), lr_setting, problem, dtype,
                                          QUICK_STEPS if quick else STEPS))
    return cases


def tolerance(dtype: str, problem: str) -> float:
    return RTOL64 if dtype == "float64" else FLOAT32_TOLERANCE[problem][0]


def judge(trace: Trace, tol: float) -> str:
    """ok within tolerance; known when it left the tolerance only after a ReLU flipped."""
    if trace.problems:
        return "FAIL"
    if trace.worst <= tol:
        return "ok"
    if trace.flip_step is not None and trace.worst_before_flip <= tol:
        return "known"
    if trace.sign_fork and trace.worst_param_before_flip <= tol:
        # Rprop's `prev` IS the last gradient: where it nearly cancels, autograd's summation
        # order alone puts its relative error past the tolerance, while the parameters are
        # still torch's (bit for bit, in practice) up to the fork
        return "known"
    return "FAIL"


# ----------------------------------------------------------------------------
# Edge cases, each run for every optimizer and dtype.
# ----------------------------------------------------------------------------

EDGE_HP: dict[str, dict[str, Any]] = {  # one rich configuration per optimizer
    "SGD": {"momentum": 0.9, "nesterov": True, "weight_decay": 0.1},
    "Adam": {"amsgrad": True, "weight_decay": 0.1},
    "AdamW": {"amsgrad": True},
    "RMSprop": {"centered": True, "momentum": 0.9, "weight_decay": 0.1},
    "Adagrad": {"lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.1},
    "Adadelta": {"rho": 0.5, "weight_decay": 0.1},
    # Adamax's betas (0.5, 0.9) on the MLP at lr 1e-3 grow a 1e-16 difference tenfold every
    # 3 steps (torch's own run is that sensitive): not a configuration to compare engines on
    "Adamax": {"eps": 1e-3, "weight_decay": 0.1},
    "NAdam": {"momentum_decay": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True},
    "RAdam": {"betas": (0.5, 0.9), "weight_decay": 0.1},
    "Rprop": {"etas": (0.3, 1.5), "step_sizes": (1e-3, 0.05)},
    "ASGD": {"lambd": 0.1, "t0": 10.0, "weight_decay": 0.1},
}
EDGES = ("frozen", "zero_dim", "two_groups", "lr_change", "reload")
EDGE_DESC = {
    "frozen": "MLP; b1 and W2 have grad None on steps 10-39 (skipped: no decay, no state, "
              "no count)",
    "zero_dim": "Rosenbrock with x and y as two 0-d parameters",
    "two_groups": "MLP; [W1, b1] at the base lr, [W2, b2] at lr/10 with its own weight decay",
    "lr_change": "MLP; group['lr'] multiplied by 0.3 after step 50",
    "reload": "MLP; after step 50 state_dict() is loaded into a fresh optimizer over fresh "
              "parameters, which runs the last 50 steps",
}


def edge_problem(edge: str) -> str:
    return "rosenbrock" if edge == "zero_dim" else "mlp"


def run_edge(optimizer: str, edge: str, dtype: str, steps: int = STEPS) -> Trace:
    problem = ROSENBROCK_0D if edge == "zero_dim" else PROBLEMS["mlp"]
    params0, consts0 = problem.make(np.dtype(dtype).type)
    hp = dict(EDGE_HP[optimizer])
    lr = LRS[optimizer][edge_problem(edge)][0]
    sides = [make_side(lib, params0, consts0) for lib in _libs()]
    for side in sides:
        if edge == "two_groups":
            groups = [{"params": side.params[:2]},
                      {"params": side.params[2:], "lr": lr / 10, "weight_decay": 0.05}]
        else:
            groups = [{"params": side.params}]
        side.opt = make_optimizer(side, optimizer, groups, dict(hp, lr=lr))
    mt, th = sides
    trace = Trace()
    half = steps // 2

    def freeze(side: Side) -> None:  # grad None: the optimizer must skip these entirely
        side.params[1].grad = None
        side.params[2].grad = None

    for step in range(1, steps + 1):
        frozen = edge == "frozen" and 10 <= step < 40
        step_both(mt, th, problem, 1.0, trace, step, freeze if frozen else None)
        if edge == "lr_change" and step == half:
            for side in sides:
                for g in side.opt.param_groups:
                    g["lr"] = g["lr"] * 0.3
        if edge == "reload" and step == half:
            _reload(mt, th, optimizer, dict(hp, lr=lr), trace)
    return trace


# torch casts these optimizers' 0-d float32 state (NAdam's mu_product, ASGD's eta and mu) to
# the parameter's dtype on load, so a reload changes torch's own run: torch reloads too.
RELOAD_BOTH = ("NAdam", "ASGD")


def _reload(mt: Side, th: Side, optimizer: str, hp: dict[str, Any], trace: Trace) -> None:
    """Save minitorch's optimizer mid-run; a fresh one over fresh tensors runs on from it."""
    saved = mt.opt.state_dict()
    _check_state_dict_shape(saved, th.opt.state_dict(), trace)
    sides = [mt, th] if optimizer in RELOAD_BOTH else [mt]
    for side in sides:
        saved = side.opt.state_dict()
        params = [side.lib.tensor(a.copy(), requires_grad=True) for a in side.arrays(side.params)]
        fresh = make_optimizer(Side(side.lib, params, side.consts), optimizer,
                               [{"params": params}], hp)
        fresh.load_state_dict(saved)
        side.params, side.opt = params, fresh


def _check_state_dict_shape(mine: dict[str, Any], theirs: dict[str, Any], trace: Trace) -> None:
    """Same indices, same state keys, our group keys a subset of torch's with equal values."""
    if sorted(mine["state"]) != sorted(theirs["state"]):
        trace.add_problem(f"state_dict state indices {sorted(mine['state'])} != "
                          f"{sorted(theirs['state'])}")
    for i, st in theirs["state"].items():
        if sorted(mine["state"].get(i, {})) != sorted(st):
            trace.add_problem(f"state_dict state[{i}] keys differ")
    for gm, gt in zip(mine["param_groups"], theirs["param_groups"]):
        for k, v in gm.items():
            if k not in gt or gt[k] != v:
                trace.add_problem(f"state_dict param_groups key {k!r}: {v!r} vs {gt.get(k)!r}")


# ----------------------------------------------------------------------------
# Schedulers: 100 epochs, lr lists compared for bit equality.
# ----------------------------------------------------------------------------


def _lambda_decay(epoch: int) -> float:
    return 0.95**epoch


def _lambda_warm(epoch: int) -> float:
    return min(1.0, (epoch + 1) / 10)


SCHEDULERS: dict[str, tuple[str, list[tuple[str, dict[str, Any]]]]] = {
    # id: (optimizer, [(scheduler class, kwargs), ...] -- two entries are chained)
    "StepLR(step_size=7,gamma=0.5)": ("SGD", [("StepLR", {"step_size": 7, "gamma": 0.5})]),
    "MultiStepLR(milestones=[10,30,30,80],gamma=0.3)": (
        "SGD", [("MultiStepLR", {"milestones": [10, 30, 30, 80], "gamma": 0.3})]),
    "ExponentialLR(gamma=0.97)": ("SGD", [("ExponentialLR", {"gamma": 0.97})]),
    "CosineAnnealingLR(T_max=100)": ("SGD", [("CosineAnnealingLR", {"T_max": 100})]),
    "CosineAnnealingLR(T_max=30,eta_min=1e-3)": (
        "SGD", [("CosineAnnealingLR", {"T_max": 30, "eta_min": 1e-3})]),
    "LambdaLR(0.95**epoch)": ("SGD", [("LambdaLR", {"lr_lambda": _lambda_decay})]),
    "LambdaLR([decay,warmup])": (
        "SGD", [("LambdaLR", {"lr_lambda": [_lambda_decay, _lambda_warm]})]),
    "LinearLR()": ("SGD", [("LinearLR", {})]),
    "LinearLR(start_factor=0.1,end_factor=0.5,total_iters=40)": (
        "SGD", [("LinearLR", {"start_factor": 0.1, "end_factor": 0.5, "total_iters": 40})]),
    "OneCycleLR(max_lr=[1.0,0.5],total_steps=100)+momentum": (
        "SGD", [("OneCycleLR", {"max_lr": [1.0, 0.5], "total_steps": 100})]),
    "OneCycleLR(linear,three_phase)+Adam.betas": (
        "Adam", [("OneCycleLR", {"max_lr": 0.01, "total_steps": 100,
                                 "anneal_strategy": "linear", "three_phase": True})]),
    "LinearLR(total_iters=10)+ExponentialLR(gamma=0.9) chained": (
        "SGD", [("LinearLR", {"start_factor": 0.2, "total_iters": 10}),
                ("ExponentialLR", {"gamma": 0.9})]),
}


def run_scheduler(sid: str, epochs: int = STEPS) -> dict[str, Any]:
    """Both engines' get_last_lr() (and momentum/beta1) after each epoch; equal to the bit?"""
    opt_name, scheds = SCHEDULERS[sid]
    seqs = []
    for lib in _libs():
        p1 = lib.tensor(np.zeros(2), requires_grad=True)
        p2 = lib.tensor(np.zeros(3), requires_grad=True)
        hp = {"momentum": 0.9} if opt_name == "SGD" else {}
        groups = [{"params": [p1], "lr": 0.1}, {"params": [p2], "lr": 0.05}]
        opt = getattr(lib.optim, opt_name)(groups, **hp)
        made = [getattr(lib.optim.lr_scheduler, cls)(opt, **kw) for cls, kw in scheds]
        seq = [_lr_snapshot(made, opt)]
        for _ in range(epochs):
            opt.step()  # no gradients: a no-op, but in the order torch expects
            for s in made:
                s.step()
            seq.append(_lr_snapshot(made, opt))
        seqs.append(seq)
    mine, theirs = seqs
    worst, first_diff = 0.0, None
    for epoch, (a, b) in enumerate(zip(mine, theirs)):
        if len(a) != len(b):
            first_diff = first_diff or f"epoch {epoch}: {a!r} vs {b!r}"
            worst = math.inf
            continue
        for x, y in zip(a, b):
            worst = max(worst, abs(x - y) / abs(y) if y else abs(x - y))
            if x != y and first_diff is None:
                first_diff = f"epoch {epoch}: {x!r} != {y!r}"
    return {"scheduler": sid, "epochs": epochs, "worst": worst,
            "equal": first_diff is None, "detail": first_diff or ""}


def _lr_snapshot(scheds: list[Any], opt: Any) -> list[float]:
    values = [float(v) for v in scheds[-1].get_last_lr()]
    for g in opt.param_groups:  # OneCycleLR cycles momentum (or Adam's beta1) too
        if "momentum" in g:
            values.append(float(g["momentum"]))
        if "betas" in g:
            values.append(float(g["betas"][0]))
    return values


# ----------------------------------------------------------------------------
# The section: run everything, build the tables, the figure and the JSON.
# ----------------------------------------------------------------------------

KNOWN_DIFFERENCES = [
    ("torch.sqrt on CPU goes through MKL's vsSqrt, which is not correctly rounded (about 1 "
     "float32 result in 6 is 1 ulp off the IEEE sqrt); NumPy's sqrt is IEEE.",
     "Adam, AdamW, RMSprop and Adagrad drift by an ulp now and then (with torch's sqrt "
     "swapped in they are bit-exact, as SGD is). Within every tolerance."),
    ("load_state_dict deep-copies the state; torch keeps the very tensors of the dict when "
     "no dtype cast is needed.",
     "stepping the old optimizer after a load cannot silently move the new one"),
    ("SGD, Adam, AdamW, RMSprop and Adagrad take no foreach/fused/capturable/differentiable "
     "arguments or param_group keys (the six newer optimizers take torch's).",
     "torch's implementation switches, left out; state_dict groups hold every other key"),
    ("Adadelta, Adamax, NAdam, RAdam, Rprop, ASGD: capturable=True raises torch's "
     "AssertionError at the step (no CUDA), differentiable=True over a parameter that requires "
     "grad torch's RuntimeError; foreach=True runs torch's single-tensor arithmetic, except "
     "ASGD, which follows torch's foreach arithmetic bit for bit.",
     "NAdam and RAdam's foreach paths group their scalars differently: 1-2 ulps a step "
     "(float64 1e-15 over 100 steps), not worth a second copy of each update"),
    ("ASGD with a tensor lr under foreach=True: (1 + λγt)^α is a float32 pow, NumPy's powf "
     "against torch's.", "an ulp of η now and then; the float lr path is bit-exact"),
    ("a failed step (bad grad shape or dtype, malformed loaded state) raises before any "
     "parameter changes.", "torch may have updated the first parameters already"),
    ("a ReLU whose pre-activation is within rounding of 0 switches on in one engine and not "
     "the other; from that step the MLP's trajectories part (status 'known').",
     "the kink is a discontinuity of the gradient: no tolerance can bound what follows; "
     "such a row must be within tolerance up to the flip"),
    ("Rprop steps by sign(g) alone: a gradient coordinate within rounding of 0 can get "
     "opposite signs in the two engines (matmuls summed in different orders); from that step "
     "the trajectories part (status 'known', the flip step is that step).",
     "a sign is discrete: the parameters are bit-equal up to the fork, as for a ReLU flip"),
]


def _fmt(x: float) -> str:
    return f"{x:.2e}" if math.isfinite(x) else str(x)


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    import pandas as pd

    if not rows:
        return "(none)\n"
    df = pd.DataFrame(rows)[columns]
    return df.to_markdown(index=False, disable_numparse=True) + "\n"


def _trajectory_job(case: Case) -> Trace:
    return _safe_run(lambda: run_case(case))


def _edge_job(args: tuple[str, str, str, int]) -> Trace:
    return _safe_run(lambda: run_edge(*args))


def _map(fn: Callable[[Any], Trace], items: list[Any], workers: int) -> list[Trace]:
    """Map over worker processes (each one thread) or in this process; results in order."""
    if workers <= 1 or len(items) < 2:
        return [fn(x) for x in items]
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("spawn")  # a clean interpreter: no forked torch thread pools
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=configure_threads) as pool:
        return list(pool.map(fn, items, chunksize=max(1, len(items) // (8 * workers))))


def _workers(quick: bool) -> int:
    """The full grid uses up to two processes (it must fit in 90 s). Quick runs in-process,
    so a test's monkeypatch reaches it, and so does a run inside the report's worker pool
    (a daemon process may not have children; the pool keeps the cores busy anyway)."""
    import multiprocessing as mp
    import os

    if quick or mp.current_process().daemon:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def run_section(quick: bool) -> SectionResult:
    """Run the optimizer parity sweep (quick: a subset for `make test`) and build the section."""
    configure_threads()
    workers = _workers(quick)
    rows, failures, known_rows, curves = [], [], [], {}
    cases = trajectory_cases(quick)
    for case, trace in zip(cases, _map(_trajectory_job, cases, workers)):
        tol = tolerance(case.dtype, case.problem)
        status = judge(trace, tol)
        rows.append({
            "optimizer": case.optimizer, "config": hp_text(dict(case.hp)),
            "lr": f"{case.lr:g} ({case.lr_setting})", "problem": case.problem,
            "dtype": case.dtype, "steps": case.steps,
            "worst param dev": _fmt(trace.worst_param), "worst state dev": _fmt(trace.worst_state),
            "status": status, "case": case.id, "worst": trace.worst,
            "order": (list(PROBLEMS).index(case.problem), case.lr_setting, case.dtype),
        })
        curve = curves.setdefault((case.optimizer, case.dtype), [0.0] * case.steps)
        for i, d in enumerate(trace.per_step if status != "known" else []):
            curve[i] = max(curve[i], d)  # a known row (a ReLU flip) is listed, not drawn
        _note(case.id, trace, tol, status, failures, known_rows)

    steps = QUICK_STEPS if quick else STEPS
    edge_jobs = [(o, e, d, steps) for o in OPTIMIZERS for e in EDGES for d in DTYPES]
    edge_rows = []
    for (optimizer, edge, dtype, _), trace in zip(edge_jobs, _map(_edge_job, edge_jobs, workers)):
        cid = f"edge/{edge}/{optimizer}/{dtype}"
        tol = tolerance(dtype, edge_problem(edge))
        status = judge(trace, tol)
        edge_rows.append({
            "edge case": edge, "optimizer": optimizer, "dtype": dtype, "steps": steps,
            "worst param dev": _fmt(trace.worst_param),
            "worst state dev": _fmt(trace.worst_state), "status": status, "case": cid,
            "worst": trace.worst,
        })
        _note(cid, trace, tol, status, failures, known_rows)

    sched_rows = []
    for sid in SCHEDULERS:
        try:
            res = run_scheduler(sid)
        except Exception as e:
            res = {"epochs": STEPS, "worst": math.inf, "equal": False,
                   "detail": f"{type(e).__name__}: {e}"}
        status = "ok" if res["equal"] else "FAIL"
        sched_rows.append({"scheduler": sid, "epochs": res["epochs"],
                           "worst rel. diff": _fmt(res["worst"]),
                           "bit-equal": "yes" if res["equal"] else "no", "status": status,
                           "case": f"scheduler/{sid}"})
        if status != "ok":
            failures.append({"case": f"scheduler/{sid}", "detail": res["detail"],
                             "rerun": _rerun(f"scheduler/{sid}")})

    all_rows = rows + edge_rows + sched_rows
    passed = sum(r["status"] == "ok" for r in all_rows)
    known = sum(r["status"] == "known" for r in all_rows)
    if not quick:
        write_figure(curves)
    failures.sort(key=lambda f: f["case"])
    known_rows.sort(key=lambda r: r["case"])
    return SectionResult(
        title="Optimizers",
        cases=len(all_rows),
        passed=passed,
        failed=len(all_rows) - passed - known,
        known=known,
        markdown=_markdown(rows, edge_rows, sched_rows, known_rows, quick),
        failures=[SectionFailure(**f) for f in failures],
        covers=["optim.Optimizer", *(f"optim.{o}" for o in OPTIMIZERS),
                *sorted({f"optim.lr_scheduler.{cls}" for _, chain in SCHEDULERS.values()
                         for cls, _ in chain})],
        json={
            "trajectories": [_jsonable(r) for r in rows],
            "edge_cases": [_jsonable(r) for r in edge_rows],
            "schedulers": sched_rows,
            "known": known_rows,
            "float32_tolerance": {k: v[0] for k, v in FLOAT32_TOLERANCE.items()},
            "float64_rtol": RTOL64,
            "drift": {f"{o}/{d}": c for (o, d), c in sorted(curves.items())},
        },
    )


def _note(cid: str, trace: Trace, tol: float, status: str, failures: list[dict[str, str]],
          known_rows: list[dict[str, Any]]) -> None:
    if status == "FAIL":
        failures.append(_failure(cid, trace, tol))
    elif status == "known":
        known_rows.append({"case": cid, "ReLU flip at step": trace.flip_step,
                           "worst before": _fmt(trace.worst_before_flip),
                           "worst after": _fmt(trace.worst)})


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out.pop("order", None)
    w = out.pop("worst")
    out["worst"] = w if math.isfinite(w) else str(w)
    return out


def _safe_run(fn: Callable[[], Trace]) -> Trace:
    """A crash in one case is that case's failure, not the section's."""
    try:
        return fn()
    except Exception as e:
        t = Trace()
        t.add_problem(f"{type(e).__name__}: {e}")
        t.param_dev.append(math.inf)
        t.state_dev.append(math.inf)
        return t


def _failure(cid: str, trace: Trace, tol: float) -> dict[str, str]:
    if trace.problems:
        detail = "; ".join(trace.problems)
    else:
        per_step = trace.per_step
        step = int(np.argmax(per_step)) + 1
        first = next(i + 1 for i, d in enumerate(per_step) if d > tol)
        detail = (f"worst deviation {_fmt(trace.worst)} at step {step} > tolerance {_fmt(tol)} "
                  f"(first above at step {first}); param {_fmt(trace.worst_param)}, "
                  f"state {_fmt(trace.worst_state)}")
    return {"case": cid, "detail": detail, "rerun": _rerun(cid)}


def _rerun(cid: str) -> str:
    return f'.venv/bin/python -m parity.optim_trajectories --case "{cid}"'


def _markdown(rows: list[dict[str, Any]], edge_rows: list[dict[str, Any]],
              sched_rows: list[dict[str, Any]], known_rows: list[dict[str, Any]],
              quick: bool) -> str:
    n_cfg = sum(len(configs(o)) for o in OPTIMIZERS)
    traj = rows + edge_rows

    def worst(dtype: str, status: str | None = "ok") -> float:
        return max((r["worst"] for r in traj if r["dtype"] == dtype
                    and status in (None, r["status"])), default=0.0)

    def count(status: str) -> str:
        n = {d: sum(r["status"] == status and r["dtype"] == d for r in traj) for d in DTYPES}
        return f"{n['float64']} float64 and {n['float32']} float32"

    lines = [
        f"{'Quick subset: ' if quick else ''}{len(rows)} trajectories "
        f"(the full grid: {n_cfg} hyperparameter configurations x 2 learning rates x "
        f"{len(PROBLEMS)} problems x 2 dtypes), {rows[0]['steps'] if rows else STEPS} steps "
        "each, gradients from each engine's own autograd; parameters and every state tensor "
        "compared after every step.",
        "",
        "Deviation of a tensor: max|minitorch - torch| / max|torch|; a row shows the worst "
        f"over its steps and tensors. float64 passes at <= {RTOL64:.0e}; float32 at the "
        "per-problem tolerance below.",
        "",
        f"Worst deviation of a passing row: float64 {_fmt(worst('float64'))}, "
        f"float32 {_fmt(worst('float32'))}; of any row: float64 "
        f"{_fmt(worst('float64', None))}, float32 {_fmt(worst('float32', None))}. "
        f"Trajectory and edge rows failing: {count('FAIL')}; known: {count('known')}.",
        "",
        "Problems: " + "; ".join(f"**{p.name}**: {p.desc}" for p in PROBLEMS.values()) + ".",
        "",
        "Learning rates (base, high): " + "; ".join(
            f"{o} " + ", ".join(f"{p} {b:g}/{h:g}" for p, (b, h) in LRS[o].items())
            for o in OPTIMIZERS) + ".",
        "",
    ]
    cols = ["config", "lr", "problem", "dtype", "steps", "worst param dev", "worst state dev",
            "status"]
    for opt in OPTIMIZERS:
        mine = sorted((r for r in rows if r["optimizer"] == opt),
                      key=lambda r: (r["config"], r["order"]))
        lines += [f"#### {opt}", "", _table(mine, cols)]
    lines += ["#### Edge cases", "",
              "\n".join(f"- **{k}**: {v}" for k, v in EDGE_DESC.items()), "",
              "Each with one rich configuration per optimizer: "
              + "; ".join(f"{o} {hp_text(h)}" for o, h in EDGE_HP.items()) + ".", "",
              _table(sorted(edge_rows, key=lambda r: (r["edge case"], r["optimizer"],
                                                      r["dtype"])),
                     ["edge case", "optimizer", "dtype", "steps", "worst param dev",
                      "worst state dev", "status"])]
    lines += ["#### Learning-rate schedulers", "",
              "Two param groups (lr 0.1 and 0.05), 100 epochs; get_last_lr() (and the cycled "
              "momentum or beta1) compared to torch's bit for bit.", "",
              _table(sorted(sched_rows, key=lambda r: r["scheduler"]),
                     ["scheduler", "epochs", "worst rel. diff", "bit-equal", "status"])]
    tol_rows = [{"problem": p, "float32 tolerance": _fmt(t), "reason": why}
                for p, (t, why) in sorted(FLOAT32_TOLERANCE.items())]
    lines += ["#### float32 tolerances", "",
              f"float64 must stay within {RTOL64:.0e} at every step, on every problem.", "",
              _table(tol_rows, ["problem", "float32 tolerance", "reason"])]
    if known_rows:
        lines += ["#### Rows past tolerance after a ReLU flip (status known)", "",
                  _table(known_rows, ["case", "ReLU flip at step", "worst before",
                                      "worst after"])]
    lines += ["#### Known differences from torch", "",
              _table([{"what": w, "why it is accepted": y} for w, y in KNOWN_DIFFERENCES],
                     ["what", "why it is accepted"])]
    lines += ["Figure: worst deviation per step over every trajectory row but the known ones, "
              "one line per optimizer, float64 and float32: "
              "![optimizer drift](figures/optim_drift.png)", ""]
    return "\n".join(lines)


def write_figure(curves: dict[tuple[str, str], list[float]], path: Path = FIGURE) -> None:
    """Worst deviation against step (log scale), one line per optimizer, a panel per dtype."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    floor = 1e-18  # an exact match (0) is drawn on the floor of the log axis
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=False)
    for ax, dtype in zip(axes, DTYPES):
        for opt in OPTIMIZERS:
            curve = curves.get((opt, dtype))
            if not curve:
                continue
            y = np.maximum(np.nan_to_num(np.array(curve), nan=1.0, posinf=1.0), floor)
            ax.plot(np.arange(1, len(y) + 1), y, label=opt, linewidth=1.4)
        if dtype == "float64":
            limit, label = RTOL64, "tolerance"
        else:
            limit, label = max(t for t, _ in FLOAT32_TOLERANCE.values()), "largest tolerance"
        ax.axhline(limit, color="grey", linestyle="--", linewidth=1, label=label)
        ax.set_yscale("log")
        ax.set_title(f"{dtype}: worst deviation over all configurations")
        ax.set_xlabel("step")
        ax.set_ylabel("max |mt - torch| / max |torch|")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def _find_case(cid: str) -> Callable[[], Any]:
    if cid.startswith("scheduler/"):
        return lambda: run_scheduler(cid[len("scheduler/"):])
    if cid.startswith("edge/"):
        _, edge, opt, dtype = cid.split("/")
        return lambda: run_edge(opt, edge, dtype)
    for case in trajectory_cases(False):
        if case.id == cid:
            return lambda: run_case(case)
    raise SystemExit(f"no case {cid!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the small subset make test runs")
    ap.add_argument("--case", help="rerun one case by its id and print its per-step deviations")
    args = ap.parse_args(argv)
    configure_threads()
    if args.case:
        result = _find_case(args.case)()
        if isinstance(result, Trace):
            for i, (a, b) in enumerate(zip(result.param_dev, result.state_dev), 1):
                print(f"step {i:3d}  param {_fmt(a)}  state {_fmt(b)}")
            for p in result.problems:
                print("problem:", p)
        else:
            print(json.dumps(result, indent=1))
        return 0
    return print_section(run_section, args.quick)


if __name__ == "__main__":
    raise SystemExit(main())
