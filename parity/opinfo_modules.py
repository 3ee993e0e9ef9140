"""torch's ModuleInfo database (`module_db`) as a parity source: every minitorch.nn class.

For every module class of `torch.testing._internal.common_modules.module_db`
that minitorch.nn has (by class name), each of its `module_inputs` in float32
and float64, in training mode (and in eval mode too where torch says the two
differ): both engines build the module from the same constructor arguments,
torch's parameters and buffers are copied into minitorch's (load_state_dict),
and then the forward output, the buffers after the forward (running
statistics), and the gradients of the inputs and of every parameter under a
random cotangent are compared with the sweep's comparator (runner.py).

A constructor argument minitorch does not take is "not run" with its reason,
as in parity/opinfo.py (read it first: the conversions and the case record
come from there). `python -m parity.opinfo_modules [--module NAME]` runs it alone.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections import Counter
from typing import Any

import torch

import minitorch as mt
from parity.opinfo import (
    FLOATS,
    NotRun,
    OpSample,
    Outcome,
    _cell,
    _fail,
    _not_expressible,
    describe,
    engine_args,
    materialize,
    neutral,
    spread,
)
from parity.opinfo_known import known_reason
from parity.results import SectionFailure, SectionResult, print_section
from parity.runner import (
    CaseResult,
    _check_backward,
    _Deadline,
    compare_outputs,
    configure_threads,
    error_text,
    seed_for,
)
from parity.spec import OpSpec, Sample

TITLE = "ModuleInfo: torch's own module inputs for every minitorch.nn class (module_db)"
MAX_INPUTS = 8  # per class, dtype and mode (evenly spread)
CASE_TIMEOUT_S = 30.0


def load_module_db() -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.testing._internal.common_modules import module_db
    return list(module_db)


def _spec(name: str) -> OpSpec:
    return OpSpec(name=name, family="opinfo", fn=lambda lib: None, samples=lambda r, d: ())


def _build(lib: Any, cls_name: str, ctor: tuple[Any, dict[str, Any]], dtype: str) -> Any:
    args = materialize(lib, ctor[0], [], False)
    kwargs = materialize(lib, ctor[1], [], False)
    nn = lib.nn
    m = getattr(nn, cls_name)(*args, **kwargs)
    return m.to(getattr(lib, dtype))


def run_input(info: Any, mi: Any, dtype: str, training: bool, key: str) -> Outcome:
    """One ModuleInput: build both, copy torch's weights, forward, buffers, gradients."""
    name = info.module_cls.__name__
    try:
        ctor = (neutral(tuple(mi.constructor_input.args)),
                neutral(dict(mi.constructor_input.kwargs)))
        fwd = OpSample("module", "", neutral(tuple(mi.forward_input.args)), (),
                       neutral(dict(mi.forward_input.kwargs)))
    except NotRun as e:
        return Outcome(name, key, dtype, mi.desc or "-", "not run", str(e))
    desc = f"{mi.desc or 'default'}: {name}{describe(ctor[0])} {describe(ctor[1])} " \
           f"input {describe(fwd.input)} {describe(fwd.kwargs) if fwd.kwargs else ''}".strip()
    out = Outcome(name, key, dtype, desc[:240], "pass")
    res = CaseResult(key, name, "opinfo", dtype, 0, desc)
    try:
        with warnings.catch_warnings(), _Deadline(CASE_TIMEOUT_S):
            warnings.simplefilter("ignore")
            _compare_module(name, ctor, fwd, dtype, training, res)
    except NotRun as e:
        out.status, out.detail = "not run", str(e)
        return out
    except Exception as e:
        res.status, res.error = "crash", error_text(e)
    out.checks = len(res.checks)
    if res.status != "pass":
        out.status = "FAIL"
        out.detail = res.error if res.status == "crash" else str(res.mismatch)
        reason = known_reason(name, dtype, desc, out.detail)
        if reason:
            out.status, out.detail = "known", f"{out.detail} -- known: {reason}"
    return out


def _compare_module(name: str, ctor: tuple[Any, dict[str, Any]], fwd: OpSample, dtype: str,
                    training: bool, res: CaseResult) -> None:
    spec = _spec(name)
    torch.manual_seed(seed_for(res.key, "init"))
    tm = _build(torch, name, ctor, dtype)
    try:
        mm = _build(mt, name, ctor, dtype)
    except Exception as e:
        reason = _not_expressible(e)
        if reason:
            raise NotRun(reason) from None
        res.status, res.error = "crash", f"constructor: {error_text(e)}"
        return
    mm.load_state_dict({k: mt.from_numpy(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})
    tm.train(training)
    mm.train(training)
    t_leaves: list[Any] = []
    m_leaves: list[Any] = []
    t_args = materialize(torch, fwd.input, t_leaves, True)
    t_kwargs = materialize(torch, fwd.kwargs, t_leaves, True)
    m_args = materialize(mt, fwd.input, m_leaves, True)
    m_kwargs = materialize(mt, fwd.kwargs, m_leaves, True)
    t_out = tm(*t_args, **t_kwargs)
    try:
        m_out = mm(*m_args, **m_kwargs)
    except Exception as e:
        reason = _not_expressible(e)
        if reason:
            raise NotRun(reason) from None
        res.status, res.error = "crash", f"forward: {error_text(e)}"
        return
    res.checks.append("fwd")
    comps, structural = compare_outputs(m_out, t_out, dtype, spec)
    if structural:
        _fail(res, structural)
        return
    for c in comps:
        if c.mismatch:
            _fail(res, c.mismatch)
    t_buf, m_buf = dict(tm.named_buffers()), dict(mm.named_buffers())
    for k in sorted(t_buf):
        if k not in m_buf:
            _fail(res, f"buffer {k}: minitorch has none")
            continue
        comps, structural = compare_outputs(m_buf[k], t_buf[k], dtype, spec,
                                            prefix=f"buffer {k} ")
        for c in comps:
            if c.mismatch:
                _fail(res, c.mismatch)
    if res.status != "pass":
        return
    t_params, m_params = dict(tm.named_parameters()), dict(mm.named_parameters())
    if sorted(t_params) != sorted(m_params):
        _fail(res, f"parameters {sorted(m_params)} != expected {sorted(t_params)}")
        return
    names = sorted(t_params)
    want = [i for i, t in enumerate(t_leaves) if t.requires_grad]
    t_in = [t_leaves[i] for i in want] + [t_params[n] for n in names]
    m_in = [m_leaves[i] for i in want] + [m_params[n] for n in names]
    if t_in:
        _check_backward(spec, dtype, Sample(()), res, tuple(range(len(t_in))), t_out, t_in,
                        m_out, m_in, *engine_args())


def run_all(quick: bool = False, only: tuple[str, ...] = ()) -> dict[str, Any]:
    t0 = time.monotonic()
    configure_threads()
    db = load_module_db()
    have = [i for i in db if hasattr(mt.nn, i.module_cls.__name__)]
    missing = sorted({i.module_cls.__name__ for i in db} - {i.module_cls.__name__
                                                              for i in have})
    if only:
        have = [i for i in have if i.module_cls.__name__ in only]
    outcomes: list[Outcome] = []
    for info in have:
        name = info.module_cls.__name__
        modes = (True, False) if info.train_and_eval_differ else (True,)
        for dtype in FLOATS:
            if getattr(torch, dtype) not in info.supported_dtypes("cpu"):
                continue
            for training in modes:
                mode = "train" if training else "eval"
                torch.manual_seed(seed_for(name, dtype, mode))
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        inputs = list(info.module_inputs_func(
                            info, device="cpu", dtype=getattr(torch, dtype), requires_grad=True,
                            training=training))
                except Exception as e:
                    outcomes.append(Outcome(name, f"{name}/{dtype}/{mode}", dtype, "-",
                                            "not run", f"torch's module_inputs raise "
                                                       f"{error_text(e)}"))
                    continue
                for i, mi in enumerate(spread(inputs, 1 if quick else MAX_INPUTS)):
                    outcomes.append(run_input(info, mi, dtype, training,
                                              f"{name}/{dtype}/{mode}{i}"))
    return {"outcomes": outcomes, "missing": missing, "classes": [i.module_cls.__name__
                                                                   for i in have],
            "wall": time.monotonic() - t0}


def render(data: dict[str, Any]) -> SectionResult:
    outcomes: list[Outcome] = data["outcomes"]
    run = [o for o in outcomes if o.status != "not run"]
    passed = sum(o.status == "pass" for o in run)
    failed = sum(o.status == "FAIL" for o in run)
    known = sum(o.status == "known" for o in run)
    rate = 100.0 * passed / len(run) if run else 100.0
    per: dict[str, Counter[str]] = {}
    for o in outcomes:
        per.setdefault(o.op, Counter())[o.status] += 1
    lines = [
        f"{len(data['classes'])} module classes of torch's `module_db` exist in minitorch.nn. "
        f"Per class, float32 and float64, training mode (and eval where torch says they "
        f"differ), up to {MAX_INPUTS} of its `module_inputs`: torch's parameters and buffers "
        "copied in, then the output, the buffers after the forward and the gradients of "
        "the inputs and every parameter (random cotangent) compared.",
        "",
        f"**Pass rate: {rate:.2f}%** ({passed} of {len(run)} cases), {failed} failing, "
        f"{known} known, {len(outcomes) - len(run)} not run. Took {data['wall']:.0f} s.",
        "",
        "| class | passed | failed | known | not run |", "|---|---:|---:|---:|---:|",
    ]
    for name in sorted(per):
        c = per[name]
        fail = f"**{c['FAIL']}**" if c["FAIL"] else "0"
        lines.append(f"| {name} | {c['pass']} | {fail} | {c['known']} | {c['not run']} |")
    lines += ["", "Failing and not-run cases:", ""]
    rows = [o for o in outcomes if o.status != "pass"]
    if rows:
        lines += ["| case | status | inputs | what differed / why not run |", "|---|---|---|---|"]
        lines += [f"| `{o.key}` | {o.status} | {_cell(o.desc)} | {_cell(o.detail)} |"
                  for o in rows]
    else:
        lines.append("None.")
    lines += ["", "module_db classes minitorch.nn does not have (alphabetical): "
              + ", ".join(f"`{m}`" for m in data["missing"]), ""]
    failures = [SectionFailure(o.key, f"{o.desc}: {o.detail}") for o in outcomes
                if o.status == "FAIL"]
    js = {"pass_rate": rate, "per_class": {k: dict(v) for k, v in sorted(per.items())},
          "cases": [o.__dict__ for o in outcomes if o.status != "pass"],
          "missing": data["missing"]}
    return SectionResult(title=TITLE, cases=len(run), passed=passed, failed=failed,
                         known=known, markdown="\n".join(lines), failures=failures, json=js)


def run_section(quick: bool) -> SectionResult:
    return render(run_all(quick))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m parity.opinfo_modules")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--module", action="append", default=[], help="class name, e.g. Linear")
    args = p.parse_args(argv)
    return print_section(lambda q: render(run_all(q, tuple(args.module))), args.quick)


if __name__ == "__main__":
    sys.exit(main())
