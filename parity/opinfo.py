"""torch's own sample database (OpInfo, `op_db`) as a parity source: every registered op.

The torch wheel ships `torch.testing._internal.common_methods_invocations.op_db`,
the samples torch's own test suite runs for each op: `sample_inputs`,
`reference_inputs` (more shapes, special values, broadcasting) and
`error_inputs` (calls that must raise). For every OpInfo entry whose name (or
one of its aliases) is an op in minitorch's registry, this module runs
those samples in both engines, per dtype (float32, float64 and the integer
and bool dtypes minitorch has, where torch supports them):

- the forward of every form torch declares and minitorch has -- function,
  method, in-place, operator, aliases -- compared by the sweep's own
  comparator (runner.compare_outputs, compare.py's tolerances);
- for float dtypes, the gradient of every input that requires grad under a
  random cotangent (runner._check_backward, the sweep's own check);
- error inputs: minitorch must raise the class torch raises.

A sample minitorch cannot express (a complex or bfloat16 tensor, a sparse
layout, a torch.Generator, a keyword minitorch does not take, a
NotImplementedError) is "not run" with its reason, never a pass. A failure is
a failure unless parity/opinfo_known.py names it with a reason. Samples are
taken from torch's generators seeded by the op's name (so every run sees the
same numbers), deduplicated by structure and capped per op and dtype
(MAX_SAMPLES, evenly spread) to keep the section within its time budget.

Read runner.py (the comparator and backward check reused here) first;
parity/opinfo_modules.py and parity/opinfo_optim.py do the same for
`module_db` and `optim_db`. `python -m parity.opinfo [--op NAME] [--quick]`
runs this section alone.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import time
import types
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np
import torch

import minitorch as mt
from minitorch.registry import OPS
from parity.convert import clone_layout
from parity.opinfo_known import known_reason
from parity.results import SectionFailure, SectionResult, print_section
from parity.runner import (
    CaseResult,
    CaseTimeout,
    _check_backward,
    _Deadline,
    compare_outputs,
    configure_threads,
    error_class,
    error_text,
    seed_for,
)
from parity.spec import OpSpec, Sample

TITLE = "OpInfo: torch's own samples for every registered op (op_db)"
FLOATS = ("float32", "float64")
DTYPES = FLOATS + ("int64", "int32", "int16", "int8", "uint8", "bool")
# Samples per op entry and dtype (sample + reference inputs, deduplicated, evenly spread):
# fewer for integers, whose paths are fewer; the narrow ones (int16, int8, uint8) take
# sample_inputs only (reference_inputs cost a second to generate per dtype).
MAX_SAMPLES = {"float32": 8, "float64": 8, "int64": 5, "int32": 5, "bool": 5}
NARROW_SAMPLES = 3
NARROW = ("int16", "int8", "uint8")
QUICK_SAMPLES = 1
MAX_ERROR_INPUTS = 12  # per op entry
# reference_inputs include tensors of a million elements (torch's vectorized paths): each
# costs a second in NumPy's engine, so samples over this many elements are left out.
MAX_ELEMENTS = 1 << 16
CASE_TIMEOUT_S = 20.0
SECTION_BUDGET_S = 900.0  # past this, the remaining entries are "not run: time budget"
# Ops whose results are random: shapes and dtypes are compared, not values or gradients.
RANDOM_OPS = frozenset({
    "bernoulli", "multinomial", "normal", "randn", "randn_like", "rand_like", "randint",
    "randint_like", "rand", "randperm", "uniform", "exponential", "geometric", "cauchy",
    "log_normal", "poisson", "empty", "empty_like", "new_empty", "empty_strided",
    "nn.functional.dropout", "nn.functional.rrelu", "nn.functional.gumbel_softmax",
    "nn.functional.alpha_dropout", "nn.functional.feature_alpha_dropout",
    "nn.functional.dropout2d", "nn.functional.dropout3d",
})


def is_random(info: Any) -> bool:
    """Whether the op's results are random: a known random op, or one OpInfo calls through
    wrapper_set_seed (torch's own marker of randomness, e.g. attention with dropout)."""
    code = getattr(info.op, "__code__", None)
    return info.name in RANDOM_OPS or (code is not None and "wrapper_set_seed" in
                                       code.co_names)


class NotRun(Exception):
    """A sample minitorch cannot express; the message is the reason."""


# -- loading torch's database -----------------------------------------------------------------
def load_op_db() -> list[Any]:
    """torch's op_db (importing it needs the `expecttest` package, a harness extra)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.testing._internal.common_methods_invocations import op_db
    return list(op_db)


def entry_label(info: Any) -> str:
    """'max.reduction_with_dim': torch's OpInfo name and its variant_test_name."""
    return info.name + (f".{info.variant_test_name}" if info.variant_test_name else "")


# -- matching OpInfo names to minitorch's registry ------------------------------------------
def registry_key(name: str) -> str | None:
    """The registry key of a torch name ('nn.functional.relu' -> 'F.relu' or 'relu')."""
    if name.startswith("nn.functional."):
        base = name.removeprefix("nn.functional.")
        if f"F.{base}" in OPS:
            return f"F.{base}"
        return base if base in OPS and OPS[base].functional else None
    return name if name in OPS else None


def resolve(lib: Any, path: str) -> Any:
    """lib.a.b.c, or None."""
    f = lib
    for p in path.split("."):
        f = getattr(f, p, None)
        if f is None:
            return None
    return f


def rebind(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A wrapper OpInfo defines (`lambda x, *a: x.view(*a)`, `lambda c, x, y:
    torch.where(...)`) with its module-level `torch` and `F` pointing at minitorch."""
    if not isinstance(fn, types.FunctionType):
        raise NotRun(f"OpInfo calls {fn!r}, which is not a Python wrapper")
    for cell in fn.__closure__ or ():
        value = cell.cell_contents
        if getattr(value, "__module__", "") and str(getattr(value, "__module__", "")).startswith(
                "torch") and callable(value) and not isinstance(value, type):
            raise NotRun(f"OpInfo's wrapper holds torch's {getattr(value, '__name__', value)}")
    glb = dict(fn.__globals__)
    glb["torch"] = mt
    if "F" in glb:
        glb["F"] = mt.nn.functional
    out = types.FunctionType(fn.__code__, glb, fn.__name__, fn.__defaults__, fn.__closure__)
    out.__kwdefaults__ = fn.__kwdefaults__
    return out


def _method(name: str) -> Callable[..., Any]:
    def call(x: Any, *args: Any, **kwargs: Any) -> Any:
        m = getattr(type(x), name, None)
        if m is None:
            raise NotRun(f"minitorch has no Tensor.{name}")
        return getattr(x, name)(*args, **kwargs)

    call.__name__ = name
    return call


@dataclass
class Form:
    """One way to call the op: torch's callable and minitorch's (None: minitorch lacks it)."""

    name: str  # "function", "method", "inplace", "operator", "alias clip", ...
    torch_fn: Callable[..., Any]
    mt_fn: Callable[..., Any] | None
    inplace: bool = False


@dataclass
class Target:
    """An OpInfo entry matched to a registry op, with the forms both engines take."""

    info: Any
    label: str
    key: str
    forms: list[Form] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # forms torch has and minitorch lacks

    @property
    def primary(self) -> Form:
        return self.forms[0]


def _function_form(info: Any, name: str, torch_fn: Any) -> Form:
    """torch's function form and minitorch's: the registered function when OpInfo calls
    torch's own function of that name, else OpInfo's wrapper rebound to minitorch."""
    if torch_fn is resolve(torch, name):
        return Form("function", torch_fn, resolve(mt, name))
    try:
        return Form("function", torch_fn, rebind(torch_fn))
    except NotRun:
        return Form("function", torch_fn, None)


def _name_of(fn: Any) -> str:
    return getattr(fn, "__name__", "") or ""


def build_target(info: Any, key: str) -> Target:
    t = Target(info, entry_label(info), key)
    forms: list[Form] = []
    if info.op is not None:
        forms.append(_function_form(info, info.name, info.op))
    for what, fn, inplace in (("method", info.method_variant, False),
                              ("inplace", info.inplace_variant, True)):
        if fn is None:
            continue
        name = _name_of(fn)
        has = hasattr(mt.Tensor, name)
        forms.append(Form(what, fn, _method(name) if has else None, inplace))
    for what, fn, inplace in (("operator", info.operator_variant, False),
                              ("inplace operator", info.inplace_operator_variant, True)):
        if fn is not None:  # operator.add works on any engine's tensors
            forms.append(Form(f"{what} {_name_of(fn)}", fn, fn, inplace))
    for alias in info.aliases:
        if alias.op is not None:
            forms.append(Form(f"alias {alias.name}", alias.op, resolve(mt, alias.name)))
        for fn, inplace in ((alias.method_variant, False), (alias.inplace_variant, True)):
            if fn is not None:
                name = _name_of(fn)
                forms.append(Form(f"alias Tensor.{name}", fn,
                                  _method(name) if hasattr(mt.Tensor, name) else None,
                                  inplace))
    # The primary form (forward, backward) is the function, else the method.
    primary = next((f for f in forms if f.mt_fn is not None and not f.inplace), None)
    if primary is not None:
        forms.remove(primary)
        forms.insert(0, primary)
    t.forms = [f for f in forms if f.mt_fn is not None]
    t.missing = [f.name for f in forms if f.mt_fn is None]
    return t


def match(op_db: Iterable[Any]) -> tuple[list[Target], list[Any]]:
    """(entries matched to a registry op, entries minitorch does not have)."""
    matched, frontier = [], []
    for info in op_db:
        key = registry_key(info.name)
        if key is None:
            key = next((k for k in (registry_key(a.name) for a in info.aliases) if k), None)
        if key is None:
            frontier.append(info)
        else:
            matched.append(build_target(info, key))
    return matched, frontier


# -- samples: torch objects -> engine-neutral values -> each engine's values -----------------
@dataclass(frozen=True)
class Leaf:
    """A tensor of the sample, as a NumPy array (layout kept) and its requires_grad."""

    array: np.ndarray
    requires_grad: bool


@dataclass(frozen=True)
class Attr:
    """A torch attribute (dtype, memory format, layout) that becomes `lib.NAME`."""

    name: str


MT_DTYPES = frozenset(d.name for d in mt.dtypes.ALL_DTYPES) if hasattr(mt, "dtypes") else \
    frozenset(DTYPES)


def neutral(v: Any) -> Any:
    """A sample value with every torch object replaced by an engine-neutral one."""
    if isinstance(v, torch.Tensor):
        if v.layout != torch.strided:
            raise NotRun(f"a {str(v.layout).removeprefix('torch.')} tensor")
        name = str(v.dtype).removeprefix("torch.")
        if name not in MT_DTYPES:
            raise NotRun(f"a {name} tensor")
        a = v.detach().resolve_conj().resolve_neg().numpy()
        return Leaf(a, bool(v.requires_grad))
    if isinstance(v, torch.dtype):
        name = str(v).removeprefix("torch.")
        if name not in MT_DTYPES:
            raise NotRun(f"dtype {name}")
        return Attr(name)
    if isinstance(v, torch.memory_format):
        return Attr(str(v).removeprefix("torch."))
    if isinstance(v, torch.layout):
        if v != torch.strided:
            raise NotRun(f"layout {v}")
        return Attr("strided")
    if isinstance(v, torch.device):
        return str(v)
    if isinstance(v, torch.Generator):
        raise NotRun("a torch.Generator argument")
    if isinstance(v, torch.Size):
        return tuple(v)
    if isinstance(v, complex):
        raise NotRun("a complex number")
    if isinstance(v, (list, tuple)):
        return type(v)(neutral(x) for x in v) if type(v) in (list, tuple) else \
            tuple(neutral(x) for x in v)
    if isinstance(v, dict):
        return {k: neutral(x) for k, x in v.items()}
    if v is None or v is Ellipsis or isinstance(v, (bool, int, float, str, slice)):
        return v
    if isinstance(v, np.ndarray):
        return v
    raise NotRun(f"a {type(v).__name__} argument")


def materialize(lib: Any, v: Any, leaves: list[Any], grad: bool) -> Any:
    """The engine's value of a neutral one; every tensor made is appended to `leaves`."""
    if isinstance(v, Leaf):
        t = lib.from_numpy(clone_layout(v.array))
        if grad and v.requires_grad:
            t.requires_grad_(True)
        leaves.append(t)
        return t
    if isinstance(v, Attr):
        attr = getattr(lib, v.name, None)
        if attr is None:
            raise NotRun(f"minitorch has no {v.name}")
        return attr
    if isinstance(v, np.ndarray):
        return v.copy()
    if isinstance(v, (list, tuple)):
        return type(v)(materialize(lib, x, leaves, grad) for x in v)
    if isinstance(v, dict):
        return {k: materialize(lib, x, leaves, grad) for k, x in v.items()}
    return v


def describe(v: Any) -> str:
    """A short, value-free description (also the key that deduplicates samples)."""
    if isinstance(v, Leaf):
        a = v.array
        layout = "" if a.ndim < 2 or a.flags.c_contiguous else " noncontig"
        if a.ndim and 0 in a.strides and a.size > 1:
            layout = " expanded"
        return f"{a.dtype}{list(a.shape)}{layout}"
    if isinstance(v, Attr):
        return v.name
    if isinstance(v, tuple):
        return "(" + ", ".join(describe(x) for x in v) + ")"
    if isinstance(v, list):
        return "[" + ", ".join(describe(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}={describe(x)}" for k, x in v.items()) + "}"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, np.ndarray):
        return f"ndarray{list(v.shape)}"
    return repr(v)


@dataclass
class OpSample:
    """One sample of torch's, engine-neutral: input, args, kwargs; where it came from."""

    source: str  # "sample", "reference" or "error"
    desc: str
    input: Any = None
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    broadcasts_input: bool = False
    process_grad: Callable[..., Any] | None = None
    not_run: str | None = None  # why this sample cannot be expressed
    error_type: type | None = None  # error inputs: the class torch's database expects


def convert_sample(s: Any, source: str) -> OpSample:
    try:
        inp, args, kwargs = neutral(s.input), neutral(tuple(s.args)), neutral(dict(s.kwargs))
    except NotRun as e:
        return OpSample(source, _raw_desc(s), not_run=str(e))
    desc = f"input {describe(inp)}"
    if args:
        desc += f" args {describe(args)}"
    if kwargs:
        desc += f" kwargs {describe(kwargs)}"
    if s.name:
        desc = f"{s.name}: {desc}"
    if len(desc) > 240:
        desc = desc[:237] + "..."
    return OpSample(source, desc, inp, args, kwargs, bool(s.broadcasts_input),
                    s.output_process_fn_grad)


def _raw_desc(s: Any) -> str:
    def d(v: Any) -> str:
        if isinstance(v, torch.Tensor):
            return f"{str(v.dtype).removeprefix('torch.')}{list(v.shape)}"
        if isinstance(v, (list, tuple)):
            return "(" + ", ".join(d(x) for x in v) + ")"
        return repr(v)[:40]
    return f"input {d(s.input)} args {d(tuple(s.args))}"[:240]


def spread(items: list[Any], n: int) -> list[Any]:
    """At most n items, evenly spaced over the list (deterministic)."""
    if len(items) <= n:
        return items
    idx = sorted({round(i * (len(items) - 1) / (n - 1)) for i in range(n)}) if n > 1 else [0]
    return [items[i] for i in idx]


def op_samples(info: Any, dtype: str, limit: int) -> tuple[list[OpSample], int]:
    """Up to `limit` deduplicated samples (sample_inputs, then the new ones of
    reference_inputs) of one dtype, and how many distinct ones there were."""
    tdtype = getattr(torch, dtype)
    grad = dtype in FLOATS and info.supports_autograd
    seen: dict[str, OpSample] = {}
    unrunnable: list[OpSample] = []
    large: list[OpSample] = []
    sources = [("sample", info.sample_inputs)]
    if info.reference_inputs_func is not None and dtype not in NARROW:
        sources.append(("reference", info.reference_inputs))
    for source, gen in sources:
        torch.manual_seed(seed_for(entry_label(info), dtype, source))
        for s in gen("cpu", tdtype, requires_grad=grad):
            c = convert_sample(s, source)
            if c.not_run:
                unrunnable.append(c)
            elif elements(c) > MAX_ELEMENTS:
                large.append(c)
            else:
                seen.setdefault(c.desc, c)
    distinct = list(seen.values())
    for c in large[:1]:
        c.not_run = f"over {MAX_ELEMENTS} elements (left out for time)"
    return spread(distinct, limit) + unrunnable[:1] + large[:1], len(distinct)


def elements(s: OpSample) -> int:
    """How many tensor elements the sample holds."""
    def count(v: Any) -> int:
        if isinstance(v, Leaf):
            return int(v.array.size)
        if isinstance(v, (list, tuple)):
            return sum(count(x) for x in v)
        if isinstance(v, dict):
            return sum(count(x) for x in v.values())
        return 0
    return count(s.input) + count(s.args) + count(s.kwargs)


def error_samples(info: Any) -> list[OpSample]:
    """torch's error inputs, on the CPU, converted (capped at MAX_ERROR_INPUTS)."""
    out: list[OpSample] = []
    if info.error_inputs_func is None:
        return out
    torch.manual_seed(seed_for(entry_label(info), "error"))
    for e in info.error_inputs("cpu"):
        c = convert_sample(e.sample_input, "error")
        c.error_type = e.error_type
        out.append(c)
    return spread(out, MAX_ERROR_INPUTS)


# -- running one sample ----------------------------------------------------------------------
@dataclass
class Outcome:
    """One case: status "pass", "FAIL", "known" or "not run"; `detail` says what differed."""

    op: str  # the OpInfo entry's label
    key: str  # "label/dtype/source index"
    dtype: str
    desc: str
    status: str
    detail: str = ""
    checks: int = 0  # comparisons made


def _spec(target: Target) -> OpSpec:
    """The comparator's view of an OpInfo entry (default tolerances, no overrides)."""
    return OpSpec(name=target.label, family="opinfo", fn=lambda lib: None, samples=lambda r,
                  d: ())


def _call(lib: Any, fn: Callable[..., Any], s: OpSample, grad: bool
          ) -> tuple[Any, list[Any], Any, BaseException | None]:
    """fn(input, *args, **kwargs) in one engine: (output, tensors made, input, error)."""
    leaves: list[Any] = []
    inp = None
    try:
        inp = materialize(lib, s.input, leaves, grad)
        args = materialize(lib, s.args, leaves, grad)
        kwargs = materialize(lib, s.kwargs, leaves, grad)
        return fn(inp, *args, **kwargs), leaves, inp, None
    except (CaseTimeout, MemoryError, NotRun):
        raise
    except Exception as e:
        return None, leaves, inp, e


def _not_expressible(e: BaseException) -> str | None:
    """The reason, when minitorch's error says it cannot express the sample (vs. a bug)."""
    text = " ".join(str(e).split())
    if isinstance(e, NotImplementedError):
        return f"minitorch raises NotImplementedError: {text[:100]}"
    if isinstance(e, TypeError) and "unexpected keyword argument" in text:
        return f"unsupported keyword: {text.rsplit('argument', 1)[-1].strip()[:40]}"
    return None


def run_sample(target: Target, dtype: str, s: OpSample, key: str) -> Outcome:
    """One sample in both engines: every form's forward, the gradient, the error class."""
    out = Outcome(target.label, key, dtype, s.desc, "pass")
    if s.not_run:
        out.status, out.detail = "not run", s.not_run
        return out
    res = CaseResult(key, target.label, "opinfo", dtype, 0, s.desc)
    try:
        with warnings.catch_warnings(), _Deadline(CASE_TIMEOUT_S):
            warnings.simplefilter("ignore")
            if s.source == "error":
                _check_error(target, s, res)
            else:
                _check_sample(target, dtype, s, res)
    except NotRun as e:
        out.status, out.detail = "not run", str(e)
        return out
    except Exception as e:  # a timeout, or the harness itself
        res.status, res.error = "crash", error_text(e)
    out.checks = len(res.checks)
    if res.status != "pass":
        out.status = "FAIL"
        out.detail = res.error if res.status == "crash" else str(res.mismatch)
        reason = known_reason(target.label, dtype, s.desc, out.detail)
        if reason:
            out.status, out.detail = "known", f"{out.detail} -- known: {reason}"
    return out


def _fail(res: CaseResult, text: str) -> None:
    if res.mismatch is None:
        res.mismatch = text
    if res.status == "pass":
        res.status = "FAIL"


def _check_error(target: Target, s: OpSample, res: CaseResult) -> None:
    form = target.primary
    _, _, _, t_err = _call(torch, form.torch_fn, s, False)
    if t_err is None:
        raise NotRun("torch accepts this error input on the CPU")
    want = error_class(t_err)
    _, _, _, m_err = _call(mt, form.mt_fn, s, False)
    res.checks.append("raises")
    torch_text = " ".join(str(t_err).split())[:120]
    if m_err is None:
        _fail(res, f"torch raises {want} ({torch_text}); minitorch returns a result")
    elif error_class(m_err) != want:
        if _not_expressible(m_err):
            raise NotRun(_not_expressible(m_err))
        _fail(res, f"minitorch raises {error_text(m_err)}; torch raises {want}: {torch_text}")


def _check_sample(target: Target, dtype: str, s: OpSample, res: CaseResult) -> None:
    spec = _spec(target)
    form = target.primary
    meta_only = is_random(target.info)
    grad = dtype in FLOATS and bool(target.info.supports_autograd) and not meta_only
    t_out, t_leaves, _, t_err = _call(torch, form.torch_fn, s, grad)
    m_out, m_leaves, _, m_err = _call(mt, form.mt_fn, s, grad)
    if t_err is not None:
        res.checks.append("raises")
        if m_err is None:
            _fail(res, f"torch raises {error_class(t_err)} "
                       f"({' '.join(str(t_err).split())[:100]}); minitorch returns a result")
        elif error_class(m_err) != error_class(t_err):
            _fail(res, f"minitorch raises {error_text(m_err)}; torch raises "
                       f"{error_class(t_err)}")
        return
    if m_err is not None:
        reason = _not_expressible(m_err)
        if reason:
            raise NotRun(reason)
        res.status, res.error = "crash", f"{form.name}: {error_text(m_err)}"
        return
    res.checks.append("fwd")
    comps, structural = compare_outputs(m_out, t_out, dtype, spec, meta_only=meta_only)
    if structural:
        _fail(res, structural)
        return
    for c in comps:
        if c.mismatch:
            _fail(res, f"{form.name}: {c.mismatch}")
    for other in target.forms[1:]:
        _check_form(other, dtype, s, res, spec, meta_only)
    if grad and res.status == "pass":
        _backward(target, dtype, s, res, spec, t_out, t_leaves, m_out, m_leaves)


def _check_form(form: Form, dtype: str, s: OpSample, res: CaseResult, spec: OpSpec,
                meta_only: bool) -> None:
    """Another form on fresh copies without grad: same result (and for an in-place form,
    the same self afterwards), or the same exception class as torch."""
    t_out, _, t_self, t_err = _call(torch, form.torch_fn, s, False)
    try:
        m_out, _, m_self, m_err = _call(mt, form.mt_fn, s, False)
    except NotRun:
        return
    res.checks.append(f"variant:{form.name}")
    if t_err is not None:
        if m_err is None:
            if form.inplace or error_class(t_err) != "TypeError":
                _fail(res, f"{form.name}: torch raises {error_class(t_err)} "
                           f"({' '.join(str(t_err).split())[:100]}); minitorch returns a result")
        elif error_class(m_err) != error_class(t_err) and not _not_expressible(m_err):
            _fail(res, f"{form.name}: minitorch raises {error_text(m_err)}; torch raises "
                       f"{error_class(t_err)}")
        return
    if m_err is not None:
        if not _not_expressible(m_err):
            _fail(res, f"{form.name}: minitorch raises {error_text(m_err)}")
        return
    pairs = [(m_out, t_out, "")]
    if form.inplace:
        pairs.append((m_self, t_self, "self after "))
        if t_out is t_self and m_out is not m_self:
            _fail(res, f"{form.name}: returns a new tensor, torch returns self")
    for mine, theirs, what in pairs:
        comps, structural = compare_outputs(mine, theirs, dtype, spec,
                                            prefix=f"{what}{form.name}:", meta_only=meta_only)
        if structural:
            _fail(res, structural)
        for c in comps:
            if c.mismatch:
                _fail(res, c.mismatch)


def _backward(target: Target, dtype: str, s: OpSample, res: CaseResult, spec: OpSpec,
              t_out: Any, t_leaves: list[Any], m_out: Any, m_leaves: list[Any]) -> None:
    """The gradient of every input that requires grad, under a random cotangent, through
    OpInfo's output_process_fn_grad (the part of the output torch differentiates)."""
    t_proc, m_proc = t_out, m_out
    if s.process_grad is not None:
        t_proc = s.process_grad(t_out)
        try:
            try:
                m_proc = rebind(s.process_grad)(m_out)
            except NotRun:
                m_proc = s.process_grad(m_out)
        except (AttributeError, TypeError) as e:  # it calls what minitorch does not have
            raise NotRun(f"OpInfo's output_process_fn_grad needs what minitorch lacks: "
                         f"{' '.join(str(e).split())[:80]}") from None
    want = [i for i, t in enumerate(t_leaves) if t.requires_grad]
    if not want:
        return
    t_in = [t_leaves[i] for i in want]
    m_in = [m_leaves[i] for i in want]
    _check_backward(spec, dtype, Sample(()), res, tuple(range(len(want))), t_proc, t_in,
                    m_proc, m_in, *engine_args())


def engine_args() -> tuple[Any, ...]:
    """The engine adapter, for a harness whose runner._check_backward takes one (--engine);
    these sections run against minitorch only (they declare no ENGINES = "any")."""
    if "eng" not in inspect.signature(_check_backward).parameters:
        return ()
    from parity import engines  # only in harnesses with --engine

    return (engines.current(),)


# -- the section -----------------------------------------------------------------------------
def dtypes_for(info: Any) -> list[str]:
    supported = info.supported_dtypes("cpu")
    return [d for d in DTYPES if getattr(torch, d) in supported]


def run_target(target: Target, quick: bool, deadline: float) -> tuple[list[Outcome], int]:
    """Every case of one OpInfo entry; (outcomes, distinct samples torch offers)."""
    info = target.info
    outcomes: list[Outcome] = []
    offered = 0
    if not target.forms:
        return [Outcome(target.label, f"{target.label}/-", "-", "", "not run",
                        "no form of it in minitorch: " + ", ".join(target.missing))], 0
    for dtype in dtypes_for(info):
        limit = QUICK_SAMPLES if quick else MAX_SAMPLES.get(dtype, NARROW_SAMPLES)
        if time.monotonic() > deadline:
            outcomes.append(Outcome(target.label, f"{target.label}/{dtype}", dtype, "",
                                    "not run", "the section's time budget ran out"))
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                samples, n = op_samples(info, dtype, limit)
        except Exception as e:
            outcomes.append(Outcome(target.label, f"{target.label}/{dtype}/samples", dtype,
                                    "sample generation", "not run",
                                    f"torch's sample generator raises {error_text(e)}"))
            continue
        offered += n
        counters: Counter[str] = Counter()
        for s in samples:
            i = counters[s.source]
            counters[s.source] += 1
            outcomes.append(run_sample(target, dtype, s, f"{target.label}/{dtype}/{s.source}{i}"))
    if quick:
        return outcomes, offered
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            errs = error_samples(info)
    except Exception as e:
        errs = []
        outcomes.append(Outcome(target.label, f"{target.label}/error", "-", "error inputs",
                                "not run", f"torch's error_inputs raise {error_text(e)}"))
    for i, s in enumerate(errs):
        outcomes.append(run_sample(target, "-", s, f"{target.label}/error/{i}"))
    return outcomes, offered


def run_all(quick: bool = False, only: Iterable[str] = (),
            budget: float = SECTION_BUDGET_S) -> dict[str, Any]:
    """Every matched entry (or only the labels / torch names in `only`); entries still
    waiting after `budget` seconds are "not run"."""
    t0 = time.monotonic()
    deadline = t0 + budget
    configure_threads()
    matched, frontier = match(load_op_db())
    only = set(only)
    if only:
        matched = [t for t in matched if t.label in only or t.info.name in only
                   or t.key in only]
    outcomes: list[Outcome] = []
    offered: dict[str, int] = {}
    seconds: dict[str, float] = {}
    cpu0 = time.process_time()
    for target in matched:
        t1 = time.process_time()
        got, n = run_target(target, quick, deadline)
        outcomes += got
        offered[target.label] = n
        seconds[target.label] = time.process_time() - t1
    return {"matched": matched, "frontier": frontier, "outcomes": outcomes,
            "offered": offered, "seconds": seconds, "wall": time.monotonic() - t0,
            "cpu": time.process_time() - cpu0}


def summarize(outcomes: list[Outcome]) -> dict[str, Counter[str]]:
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for o in outcomes:
        per[o.op][o.status] += 1
    return per


FRONTIER_ORDER = ("torch", "Tensor", "nn.functional", "linalg", "special", "fft", "other")


def frontier_category(info: Any) -> str:
    name = info.name
    head = name.split(".")[0]
    if name.startswith("_"):
        return "other"  # private aten ops (_softmax_backward_data ...) are nobody's API
    if name.startswith("nn.functional."):
        return "nn.functional"
    if head in ("linalg", "special", "fft"):
        return head
    if "." not in name and resolve(torch, name) is not None:
        return "torch"
    if "." not in name and hasattr(torch.Tensor, name.split(".")[0]):
        return "Tensor"
    return "other"


def frontier_rows(frontier: list[Any]) -> list[tuple[str, str, str]]:
    """(category, torch name, what minitorch could run of it) for every OpInfo name minitorch
    does not have: ranked by category (core torch functions first), then alphabetically."""
    seen: dict[str, tuple[str, str, str]] = {}
    for info in frontier:
        if info.name in seen:
            continue
        dts = [d for d in DTYPES if getattr(torch, d) in info.supported_dtypes("cpu")]
        note = ", ".join(dts) if dts else "no dtype minitorch has (complex/bfloat16 only)"
        seen[info.name] = (frontier_category(info), info.name, note)
    return sorted(seen.values(), key=lambda r: (FRONTIER_ORDER.index(r[0]), r[1]))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(data: dict[str, Any], quick: bool) -> SectionResult:
    outcomes: list[Outcome] = data["outcomes"]
    per = summarize(outcomes)
    run = [o for o in outcomes if o.status != "not run"]
    passed = sum(o.status == "pass" for o in run)
    failed = sum(o.status == "FAIL" for o in run)
    known = sum(o.status == "known" for o in run)
    not_run = [o for o in outcomes if o.status == "not run"]
    rate = 100.0 * passed / len(run) if run else 100.0
    rate_known = 100.0 * (passed + known) / len(run) if run else 100.0
    matched: list[Target] = data["matched"]
    keys = sorted({t.key for t in matched})
    lines = [
        f"torch's OpInfo database (`op_db`, {len(matched) + len(data['frontier'])} entries) "
        f"against minitorch: {len(matched)} entries match {len(keys)} registered ops by name "
        "or alias. Per entry and dtype (float32, float64, int64, int32, int16, int8, uint8, "
        "bool, where torch supports it), up to "
        + (f"{QUICK_SAMPLES}" if quick else
           f"{MAX_SAMPLES['float32']} (float), {MAX_SAMPLES['int64']} (int64, int32, bool) "
           f"or {NARROW_SAMPLES} (int16, int8, uint8: sample_inputs only)")
        + " samples of `sample_inputs` and "
        "`reference_inputs` (deduplicated by shape and arguments, evenly spread, torch's "
        "generators seeded by the op's name), then up to "
        f"{MAX_ERROR_INPUTS} `error_inputs`. Each sample: the forward of every form both "
        "engines have (function, method, in-place with self afterwards, operator, aliases) "
        "compared by the sweep's comparator at its default tolerances; for float dtypes, "
        "the gradient of every input that requires grad under a random cotangent; error "
        "inputs must raise torch's exception class. Random ops (and those OpInfo calls "
        "through `wrapper_set_seed`) are compared by shape and dtype only.",
        "",
        f"**Pass rate for registered ops: {rate:.2f}%** ({passed} of {len(run)} cases; "
        f"{rate_known:.2f}% counting the {known} known differences), {failed} failing. "
        f"{len(not_run)} samples not run (minitorch cannot express them; reasons below). "
        f"Took {data['wall']:.0f} s ({data.get('cpu', 0):.0f} s of CPU after loading op_db).",
        "",
    ]
    lines += _failure_lines(outcomes)
    lines += _per_op_lines(matched, per, data)
    lines += _not_run_lines(not_run, matched)
    lines += _frontier_lines(data["frontier"])
    failures = [SectionFailure(o.key, f"{o.desc}: {o.detail}") for o in outcomes
                if o.status == "FAIL"]
    js = {
        "pass_rate": rate, "pass_rate_with_known": rate_known,
        "per_op": {op: dict(c) for op, c in sorted(per.items())},
        "failures": [o.__dict__ for o in outcomes if o.status == "FAIL"],
        "known": [o.__dict__ for o in outcomes if o.status == "known"],
        "not_run": dict(Counter(_reason_kind(o.detail) for o in not_run)),
        "frontier": [r[1] for r in frontier_rows(data["frontier"])],
        "seconds": {k: round(v, 2) for k, v in data["seconds"].items()},
    }
    return SectionResult(title=TITLE, cases=len(run), passed=passed, failed=failed,
                         known=known, markdown="\n".join(lines), failures=failures, json=js)


def _failure_lines(outcomes: list[Outcome]) -> list[str]:
    bad = [o for o in outcomes if o.status in ("FAIL", "known")]
    out = ["### Failing cases", ""]
    if not any(o.status == "FAIL" for o in bad):
        out += ["None.", ""]
    else:
        out += ["| case | sample | what differed |", "|---|---|---|"]
        for o in bad:
            if o.status == "FAIL":
                out.append(f"| `{o.key}` | {_cell(o.desc)} | {_cell(o.detail)} |")
        out.append("")
    kn = [o for o in bad if o.status == "known"]
    if kn:
        out += ["Known differences (parity/opinfo_known.py):", "",
                "| case | sample | difference and reason |", "|---|---|---|"]
        out += [f"| `{o.key}` | {_cell(o.desc)} | {_cell(o.detail)} |" for o in kn]
        out.append("")
    out += ["Rerun one entry: `.venv/bin/python -m parity.opinfo --op NAME` (an OpInfo name, "
            "e.g. `max.reduction_with_dim`, or a registry name).", ""]
    return out


def _per_op_lines(matched: list[Target], per: dict[str, Counter[str]],
                  data: dict[str, Any]) -> list[str]:
    out = ["### Per OpInfo entry", "",
           "| OpInfo entry | minitorch op | forms checked | torch's samples | passed | failed "
           "| known | not run |",
           "|---|---|---|---:|---:|---:|---:|---:|"]
    for t in sorted(matched, key=lambda t: t.label):
        c = per.get(t.label, Counter())
        forms = ", ".join(f.name for f in t.forms) or "-"
        if t.missing:
            forms += " (minitorch lacks: " + ", ".join(t.missing) + ")"
        fail = f"**{c['FAIL']}**" if c["FAIL"] else "0"
        out.append(f"| {_cell(t.label)} | {_cell(t.key)} | {_cell(forms)} | "
                   f"{data['offered'].get(t.label, 0)} | {c['pass']} | {fail} | {c['known']} "
                   f"| {c['not run']} |")
    out.append("")
    return out


def _reason_kind(detail: str) -> str:
    """A not-run reason without its specifics (for counting)."""
    for head in ("unsupported keyword", "minitorch raises NotImplementedError",
                 "OpInfo's output_process_fn_grad needs",
                 "torch's sample generator raises", "torch's error_inputs raise",
                 "minitorch has no Tensor."):
        if detail.startswith(head):
            return head
    return detail[:80]


def _not_run_lines(not_run: list[Outcome], matched: list[Target]) -> list[str]:
    out = ["### Not run", "",
           "Samples minitorch cannot express, counted by reason (one per entry and dtype for "
           "unexpressible dtypes and arguments):", "",
           "| reason | samples | entries (first 8) |", "|---|---:|---|"]
    by: dict[str, list[str]] = defaultdict(list)
    for o in not_run:
        by[_reason_kind(o.detail)].append(o.op)
    for reason, ops in sorted(by.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        names = sorted(set(ops))
        out.append(f"| {_cell(reason)} | {len(ops)} | {_cell(', '.join(names[:8]))}"
                   f"{' ...' if len(names) > 8 else ''} |")
    out.append("")
    return out


def _frontier_lines(frontier: list[Any]) -> list[str]:
    rows = frontier_rows(frontier)
    out = ["### Coverage frontier: OpInfo names minitorch does not have", "",
           f"{len(rows)} names, ranked by category (core `torch.*` functions first, then "
           "Tensor-only methods, nn.functional, linalg, special, fft, the rest: private, "
           "masked, signal, sparse ...), "
           "alphabetically within one; the last column is what minitorch's dtypes could run "
           "of it.", "",
           "| # | category | OpInfo name | dtypes minitorch has |", "|---:|---|---|---|"]
    for i, (cat, name, note) in enumerate(rows, 1):
        out.append(f"| {i} | {cat} | `{name}` | {note} |")
    out.append("")
    return out


def run_section(quick: bool) -> SectionResult:
    """What the parity report calls (sections.py)."""
    return render(run_all(quick), quick)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m parity.opinfo", description=__doc__.split(
        "\n")[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--op", action="append", default=[], help="OpInfo label or registry name")
    p.add_argument("--every", type=int, default=1, help="every Nth entry (to time a subset)")
    p.add_argument("--budget", type=float, default=SECTION_BUDGET_S, help="seconds (wall)")
    args = p.parse_args(argv)
    if args.every > 1:
        matched = match(load_op_db())[0]
        args.op = [t.label for t in matched[::args.every]]
    return print_section(lambda q: render(run_all(q, args.op, args.budget), q), args.quick)


if __name__ == "__main__":
    sys.exit(main())
