"""torch's OptimizerInfo database (`optim_db`) as a parity source: every minitorch optimizer.

For every optimizer of `torch.testing._internal.common_optimizers.optim_db`
that minitorch.optim has, each configuration of its `optim_inputs` (torch's
own list: default, non-default lr, a Tensor lr, weight decay, maximize,
amsgrad, ...) runs as a 20-step trajectory in float32 and float64 on the
8-dimensional quadratic of parity/optim_trajectories.py (condition number
1e3), each engine computing its own loss and gradients. After every step the
parameters and every state tensor are compared, with that module's
deviation measure and tolerances (its judge(): float64 1e-7, float32 as its
FLOAT32_TOLERANCE says, with the reason). LBFGS steps with a closure and is
compared on its parameters.

Read parity/optim_trajectories.py first (the problem, Side, step_both,
judge come from there). `python -m parity.opinfo_optim` runs it alone.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from typing import Any

import numpy as np
import torch

import minitorch as mt
from parity.opinfo import NotRun, Outcome, _cell, _not_expressible, materialize, neutral
from parity.opinfo_known import known_reason
from parity.optim_trajectories import (
    PROBLEMS,
    TAKES_FOREACH,
    Trace,
    deviations,
    judge,
    make_side,
    step_both,
    tolerance,
)
from parity.results import SectionFailure, SectionResult, print_section
from parity.runner import _Deadline, configure_threads, error_text

TITLE = "OptimizerInfo: torch's own optimizer configurations (optim_db), 20-step trajectories"
STEPS = 20
PROBLEM = "quadratic"
CASE_TIMEOUT_S = 180.0  # wall clock: LBFGS runs up to 400 closures; a loaded machine is slow


def load_optim_db() -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.testing._internal.common_optimizers import optim_db
    return list(optim_db)


def _optimizer(side: Any, name: str, hp: dict[str, Any], impls: tuple[str, ...]) -> Any:
    """torch's single-tensor path (foreach=False), which minitorch mirrors."""
    cls = getattr(side.lib.optim, name)
    extra = {}
    if "foreach" in impls and (side.is_torch or name in TAKES_FOREACH):
        extra["foreach"] = False
    return cls(side.params, **hp, **extra)


def _closure(side: Any, sign: float) -> Any:
    def closure() -> Any:
        side.opt.zero_grad()
        loss, _ = PROBLEMS[PROBLEM].loss(side.params, side.consts)
        loss = -loss if sign < 0 else loss
        loss.backward()
        return loss
    return closure


def run_config(name: str, impls: tuple[str, ...], kwargs: dict[str, Any], dtype: str,
               key: str, desc: str) -> Outcome:
    out = Outcome(name, key, dtype, desc, "pass")
    try:
        hp_neutral = neutral(dict(kwargs))
    except NotRun as e:
        out.status, out.detail = "not run", str(e)
        return out
    problem = PROBLEMS[PROBLEM]
    params0, consts0 = problem.make(np.dtype(dtype).type)
    mside, tside = make_side(mt, params0, consts0), make_side(torch, params0, consts0)
    sign = -1.0 if kwargs.get("maximize") else 1.0
    trace = Trace()
    try:
        with warnings.catch_warnings(), _Deadline(CASE_TIMEOUT_S):
            warnings.simplefilter("ignore")
            tside.opt = _optimizer(tside, name, materialize(torch, hp_neutral, [], False), impls)
            try:
                mside.opt = _optimizer(mside, name, materialize(mt, hp_neutral, [], False), impls)
            except Exception as e:
                reason = _not_expressible(e)
                if reason:
                    raise NotRun(reason) from None
                raise
            for step in range(1, STEPS + 1):
                if name == "LBFGS":
                    for side in (mside, tside):
                        side.opt.step(_closure(side, sign))
                    devs = deviations(mside.arrays(mside.params), tside.arrays(tside.params))
                    trace.param_dev.append(max(devs, default=0.0))
                    trace.state_dev.append(0.0)
                else:
                    step_both(mside, tside, problem, sign, trace, step)
    except NotRun as e:
        out.status, out.detail = "not run", str(e)
        return out
    except Exception as e:
        out.status, out.detail = "FAIL", error_text(e)
        return out
    tol = tolerance(dtype, PROBLEM)
    verdict = judge(trace, tol)
    worst = trace.worst
    out.detail = f"worst deviation {worst:.2e} (tolerance {tol:.0e})"
    if verdict != "ok":
        out.status = "FAIL"
        if trace.problems:
            out.detail += "; " + "; ".join(trace.problems)
        else:
            first = next(i for i, d in enumerate(trace.per_step, 1) if d > tol)
            out.detail += f", first over at step {first}"
        reason = known_reason(name, dtype, desc, out.detail)
        if reason:
            out.status, out.detail = "known", f"{out.detail} -- known: {reason}"
    return out


def run_all(quick: bool = False) -> dict[str, Any]:
    t0 = time.monotonic()
    configure_threads()
    db = load_optim_db()
    have = [o for o in db if hasattr(mt.optim, o.optim_cls.__name__)]
    missing = sorted(o.optim_cls.__name__ for o in db if o not in have)
    outcomes: list[Outcome] = []
    for info in have:
        name = info.optim_cls.__name__
        impls = tuple(getattr(info, "supported_impls", ()) or ())
        for dtype in ("float32", "float64"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                configs = info.optim_inputs_func(device="cpu", dtype=getattr(torch, dtype))
            for i, cfg in enumerate(configs[:1] if quick else configs):
                key = f"{name}/{dtype}/{i}"
                if cfg.params is not None:
                    outcomes.append(Outcome(name, key, dtype, cfg.desc, "not run",
                                            "a custom params layout"))
                    continue
                outcomes.append(run_config(name, impls, cfg.kwargs, dtype, key,
                                           f"{cfg.desc} {cfg.kwargs}"))
    return {"outcomes": outcomes, "missing": missing, "wall": time.monotonic() - t0,
            "optimizers": [o.optim_cls.__name__ for o in have]}


def render(data: dict[str, Any]) -> SectionResult:
    outcomes: list[Outcome] = data["outcomes"]
    run = [o for o in outcomes if o.status != "not run"]
    passed = sum(o.status == "pass" for o in run)
    failed = sum(o.status == "FAIL" for o in run)
    known = sum(o.status == "known" for o in run)
    rate = 100.0 * passed / len(run) if run else 100.0
    lines = [
        f"{len(data['optimizers'])} optimizers of torch's `optim_db` exist in minitorch.optim; "
        f"each of their `optim_inputs` configurations runs {STEPS} steps in float32 and "
        f"float64 on the {PROBLEMS[PROBLEM].desc}, compared after every step (parameters "
        "and state) by parity/optim_trajectories.py's deviation and tolerances.",
        "",
        f"**Pass rate: {rate:.2f}%** ({passed} of {len(run)} trajectories), {failed} failing, "
        f"{known} known, {len(outcomes) - len(run)} not run. Took {data['wall']:.0f} s.",
        "",
        "| case | configuration | status | worst deviation / what differed |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{o.key}` | {_cell(o.desc)} | {o.status} | {_cell(o.detail)} |"
              for o in outcomes]
    lines += ["", "optim_db optimizers minitorch.optim does not have: "
              + ", ".join(f"`{m}`" for m in data["missing"]), ""]
    failures = [SectionFailure(o.key, f"{o.desc}: {o.detail}") for o in outcomes
                if o.status == "FAIL"]
    js = {"pass_rate": rate, "cases": [o.__dict__ for o in outcomes],
          "missing": data["missing"]}
    return SectionResult(title=TITLE, cases=len(run), passed=passed, failed=failed,
                         known=known, markdown="\n".join(lines), failures=failures, json=js)


def run_section(quick: bool) -> SectionResult:
    return render(run_all(quick))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m parity.opinfo_optim")
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    return print_section(run_section, args.quick)


if __name__ == "__main__":
    sys.exit(main())
