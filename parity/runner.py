"""The sweep: every row x dtype x sample, run in both engines and compared.

One case is one sample of one dtype. For it we build the inputs in torch and
in the engine under test (minitorch, unless --engine names another: both are
reached through the adapter in engines.py) from the same NumPy arrays, run
the forward, and compare the structure, shapes, dtypes and values of the
outputs; then every variant of the row (method and operator forms); then,
for a differentiable row, the gradients of every differentiable input under
a random upstream gradient (each engine's adapter backpropagates it); then,
for samples tagged "gradcheck" in float64, the engine's gradient against
central differences. When torch raises, the engine must raise the same
class. A case that crashes in the engine is a failed case with its error,
and the sweep goes on. A row's known differences and tolerance overrides
were written for minitorch and apply to it alone. Seeds come from the row's
name (zlib.crc32), so every run and every worker sees the same numbers.

`python -m parity` runs every case, and every section (sections.py), in
worker processes under the Supervisor at the end of this file: each case has
a time limit (a SIGALRM inside the worker, then a kill), each row a cap on
its total time, each section its own limit, each worker a memory cap
(RLIMIT_AS). A case that hangs, kills its worker (os._exit, abort, a
segfault) or exhausts its memory becomes one failed case naming the cause;
the worker is replaced and the row goes on from its next case.

Read spec.py, samples.py, compare.py first; results.py holds the types this returns
(CaseResult, Section) and report.py prints them.
"""

from __future__ import annotations

import builtins
import json
import os
import signal
import sys
import time
import warnings
import zlib
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import torch

from parity import engines, gradcheck
from parity.compare import DEFAULT_TOLERANCE, Compared, compare_arrays, tolerance_for
from parity.convert import build_call, grad_positions
from parity.engines import Engine
from parity.results import (  # CaseResult and error_text are imported from here too
    FIGURE_DIR_ENV,
    JOBS_ENV,
    CaseResult,
    Section,
    SectionResult,
    SectionSpec,
    error_text,
)
from parity.spec import OpSpec, Sample

CASE_TIMEOUT_S = 60  # a case that hangs becomes a crash instead of stalling the sweep
STATUSES = ("pass", "FAIL", "known", "crash")


class CaseTimeout(Exception):
    pass


# -- seeds and samples -----------------------------------------------------------------------
def seed_for(*parts: Any) -> int:
    """A stable seed from names (zlib.crc32; Python's hash() changes between runs)."""
    return zlib.crc32("/".join(str(p) for p in parts).encode())


def row_samples(row: OpSpec, dtype: str) -> list[Sample]:
    """The row's samples of one dtype, from a generator seeded by the row's name."""
    rng = np.random.default_rng(seed_for(row.name, dtype))
    return list(row.samples(rng, dtype))


def quick_indices(samples: Sequence[Sample]) -> list[int]:
    """The quick subset: samples tagged "quick" (else the first two)."""
    tagged = [i for i, s in enumerate(samples) if "quick" in s.tags]
    return tagged or list(range(min(2, len(samples))))


def configure_threads() -> None:
    """One thread everywhere: the same numbers whatever --jobs says."""
    torch.set_num_threads(1)
    try:
        import threadpoolctl

        threadpoolctl.threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl is a harness dependency
        pass


# -- outputs ---------------------------------------------------------------------------------
def _is_torch(x: Any) -> bool:
    return isinstance(x, torch.Tensor)


def flatten_output(out: Any, path: str = "out", engine: Engine | None = None
                   ) -> tuple[list[tuple[str, Any]], str]:
    """The leaves of an output (tensors of torch or of `engine`, or plain values) and a
    signature of its structure."""
    if _is_torch(out) or (engine is not None and engine.is_tensor(out)):
        return [(path, out)], "T"
    if isinstance(out, (tuple, list)):
        leaves: list[tuple[str, Any]] = []
        sig = []
        for i, o in enumerate(out):
            sub, s = flatten_output(o, f"{path}[{i}]", engine)
            leaves += sub
            sig.append(s)
        return leaves, "(" + ",".join(sig) + ")"
    return [(path, out)], "v"


def dtype_name(d: Any) -> str:
    """'float32' for torch.float32 and minitorch.float32 alike."""
    return str(d).rsplit(".", 1)[-1]


def tensor_array(t: Any, engine: Engine | None = None) -> np.ndarray:
    """A torch tensor's values (through torch's own adapter, which widens bfloat16 to
    float32 exactly: NumPy has none), or through its adapter one of the engine's."""
    if _is_torch(t) or engine is None:
        return engines.reference().numpy(t)
    return engine.numpy(t)


def _value_key(v: Any, engine: Engine) -> tuple[str, Any]:
    """A plain (non-tensor) output as something comparable across engines."""
    if isinstance(v, torch.dtype) or engine.is_dtype(v):
        return ("dtype", dtype_name(v))
    if isinstance(v, builtins.bool):
        return ("bool", v)
    if isinstance(v, builtins.int):
        return ("int", v)
    if isinstance(v, builtins.float):
        return ("float", v)
    if isinstance(v, str):  # a repr names the engine where torch's names torch
        return ("str", v.replace(_lib_name(engine), "torch"))
    if v is None:
        return ("None", None)
    if isinstance(v, np.ndarray):
        return ("ndarray", v)
    name = getattr(v, "name", None)
    if callable(name):
        return ("node", name())
    return ("object", type(v).__name__)


def _lib_name(engine: Engine) -> str:
    return str(getattr(engine.lib, "__name__", engine.name))


def compare_leaf(path: str, mine: Any, theirs: Any, dtype: str, row: OpSpec,
                 meta_only: bool, zero_sign: bool = True, engine: Engine | None = None
                 ) -> Compared:
    """One output leaf of the engine under test (`mine`) against torch's (`theirs`)."""
    eng = engines.resolve(engine)
    if _is_torch(theirs):
        if not eng.is_tensor(mine):
            return Compared(mismatch=f"{path}: expected a Tensor, got {type(mine).__name__}")
        want, got = dtype_name(theirs.dtype), eng.dtype_name(mine.dtype)
        a, e = eng.numpy(mine), tensor_array(theirs)
        if tuple(a.shape) != tuple(e.shape):
            return Compared(mismatch=f"{path}: shape {tuple(a.shape)} != expected "
                                     f"{tuple(e.shape)}")
        if got != want:
            return Compared(mismatch=f"{path}: dtype {got} != expected {want}")
        if bool(theirs.requires_grad) != eng.requires_grad(mine):
            return Compared(mismatch=f"{path}: requires_grad {eng.requires_grad(mine)} != "
                                     f"expected {bool(theirs.requires_grad)}")
        if meta_only:
            return Compared()
        rtol, atol = _tolerance(row, dtype, want, eng)
        return compare_arrays(a, e, rtol, atol, zero_sign=zero_sign, what=path)
    kind_t, val_t = _value_key(theirs, eng)
    kind_m, val_m = _value_key(mine, eng)
    if kind_t != kind_m:
        return Compared(mismatch=f"{path}: expected a {kind_t} ({val_t!r:.60}), got a {kind_m} "
                                 f"({val_m!r:.60})")
    if kind_t == "ndarray":
        if val_t.dtype != val_m.dtype:
            return Compared(mismatch=f"{path}: dtype {val_m.dtype} != expected {val_t.dtype}")
        rtol, atol = _tolerance(row, dtype, str(val_t.dtype), eng)
        return compare_arrays(val_m, val_t, rtol, atol, what=path)
    if kind_t == "float" and not meta_only:
        want = dtype if dtype in DEFAULT_TOLERANCE else "float64"
        rtol, atol = _tolerance(row, dtype, want, eng)
        return compare_arrays(np.float64(val_m), np.float64(val_t), rtol, atol, what=path)
    if kind_t == "float" or val_t == val_m:
        return Compared()
    return Compared(mismatch=f"{path}: actual {val_m!r:.80}, expected {val_t!r:.80}")


def _tolerance(row: OpSpec, dtype: str, result_dtype: str, engine: Engine
               ) -> tuple[float, float]:
    """assert_close's tolerance, or the row's override where it applies (minitorch)."""
    override = row.tolerance.get(dtype) if engine.known_differences else None
    return tolerance_for(result_dtype, (override.rtol, override.atol) if override else None)


def compare_outputs(mine: Any, theirs: Any, dtype: str, row: OpSpec, prefix: str = "",
                    meta_only: bool = False, engine: Engine | None = None
                    ) -> tuple[list[Compared], str | None]:
    """Every leaf compared; returns the comparisons and the structural mismatch, if any."""
    eng = engines.resolve(engine)
    m_leaves, m_sig = flatten_output(mine, prefix + "out", eng)
    t_leaves, t_sig = flatten_output(theirs, prefix + "out")
    if m_sig != t_sig:
        return [], f"{prefix}out: structure {m_sig} != expected {t_sig}"
    return [compare_leaf(p, m, t, dtype, row, meta_only, engine=eng)
            for (p, m), (_, t) in zip(m_leaves, t_leaves)], None


# -- errors ----------------------------------------------------------------------------------
_BUILTIN_EXCEPTIONS = {c for c in vars(builtins).values()
                       if isinstance(c, type) and issubclass(c, BaseException)}


def error_class(e: BaseException) -> str:
    """The nearest built-in exception class (torch's own classes subclass RuntimeError ...)."""
    for c in type(e).__mro__:
        if c in _BUILTIN_EXCEPTIONS:
            return c.__name__
    return type(e).__name__


class _Deadline:
    """A soft per-case time limit (SIGALRM): a case stuck in Python raises CaseTimeout with a
    traceback; one stuck in C code is killed by the supervisor a little later. A no-op where
    signals are unavailable."""

    def __init__(self, seconds: float = CASE_TIMEOUT_S) -> None:
        self.seconds = seconds

    def _raise(self, signum: int, frame: Any) -> None:
        raise CaseTimeout(f"timeout after {self.seconds:g} s")

    def __enter__(self) -> _Deadline:
        self.armed = False
        try:
            self.old = signal.signal(signal.SIGALRM, self._raise)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
            self.armed = True
        except (ValueError, AttributeError):  # not the main thread, or no SIGALRM
            pass
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)


# -- one case --------------------------------------------------------------------------------
def _call(engine: Engine, row_fn: Any, sample: Sample, grad_at: tuple[int, ...],
          seed: int | None = None) -> tuple[Any, list[Any], BaseException | None]:
    """row_fn(engine.lib, *inputs) with the sample's inputs made by the engine's adapter; the
    engine's generator seeded first, when a seed is given, so a rerun of one case draws what
    the sweep drew, and torch against torch draws the same numbers."""
    args: list[Any] = []
    try:
        args, kwargs = build_call(engine, sample.args, sample.kwargs, grad_at)
        if seed is not None:
            engine.seed(seed)
        return row_fn(engine.lib, *args, **kwargs), args, None
    except (CaseTimeout, MemoryError):  # the case fails, whatever the other engine did
        raise
    except Exception as e:
        return None, args, e


def run_case(row: OpSpec, dtype: str, index: int, sample: Sample, key: str | None = None,
             expect_raise: bool = False, timeout: float = CASE_TIMEOUT_S,
             engine: Engine | str | None = None) -> CaseResult:
    """Run one sample of one dtype in torch and in the engine under test (default: the
    current one, engines.current()) and compare everything."""
    eng = engines.resolve(engine)
    res = CaseResult(key or f"{row.name}/{dtype}/{index}", row.name, row.family, dtype, index,
                     sample.desc)
    try:
        with warnings.catch_warnings(), _Deadline(timeout):
            warnings.simplefilter("ignore")
            _run_case(row, dtype, sample, res, expect_raise, eng)
    except CaseTimeout as e:
        res.status, res.error = "crash", error_text(e, _package(eng))
    except Exception as e:
        res.status, res.error = "crash", error_text(e, _package(eng))
    if res.status in ("FAIL", "crash") and eng.known_differences:
        for k in row.known:
            if k.applies is None or _applies(k.applies, sample):
                res.status, res.reason = "known", f"{k.what}: {k.reason}"
                break
    return res


def _package(engine: Engine) -> str:
    """The engine's top-level package, where error_text looks for the failing frame."""
    return _lib_name(engine).split(".")[0]


def _applies(pred: Any, sample: Sample) -> bool:
    try:
        return bool(pred(sample))
    except Exception:
        return False


def _fail(res: CaseResult, mismatch: str) -> None:
    if res.mismatch is None:
        res.mismatch = mismatch
    if res.status == "pass":
        res.status = "FAIL"


def _worst(cur: float | None, new: float) -> float:
    return new if cur is None else max(cur, new)


def _run_case(row: OpSpec, dtype: str, sample: Sample, res: CaseResult,
              expect_raise: bool, eng: Engine) -> None:
    grad_at = grad_positions(sample.args, sample.grad_args) \
        if (row.differentiable or sample.grad_args is not None) else ()
    seed = seed_for(res.key, "rng")
    t_out, t_args, t_err = _call(engines.reference(), row.fn, sample, grad_at, seed)
    m_out, m_args, m_err = _call(eng, row.fn, sample, grad_at, seed)
    if t_err is not None or expect_raise:
        res.checks.append("raises")
        want = error_class(t_err) if t_err is not None else None
        if want is None:
            _fail(res, "torch accepts this bad input (the row's bad_inputs entry is wrong)")
        elif m_err is None:
            _fail(res, f"torch raises {want} ({' '.join(str(t_err).split())[:120]}); "
                       f"{eng.name} returns a result")
        elif error_class(m_err) != want:
            _fail(res, f"{eng.name} raises {error_text(m_err, _package(eng))}; torch raises "
                       f"{want}: {' '.join(str(t_err).split())[:120]}")
        # The function form may refuse what an operator takes (torch.lt(2.0, t) vs 2.0 < t).
        _check_variants(row, dtype, sample, res, row.compare == "meta", eng)
        return
    if m_err is not None:
        res.status, res.error = "crash", error_text(m_err, _package(eng))
        return
    meta_only = row.compare == "meta"
    res.checks.append("fwd")
    comps, structural = compare_outputs(m_out, t_out, dtype, row, meta_only=meta_only,
                                        engine=eng)
    if structural:
        _fail(res, structural)
        return
    for c in comps:
        res.fwd_abs, res.fwd_rel = _worst(res.fwd_abs, c.abs_err), _worst(res.fwd_rel, c.rel_err)
        res.fwd_frac = _worst(res.fwd_frac, c.frac)
        if c.mismatch:
            _fail(res, c.mismatch)
    _check_variants(row, dtype, sample, res, meta_only, eng)
    if row.differentiable and grad_at and not meta_only:
        _check_backward(row, dtype, sample, res, grad_at, t_out, t_args, m_out, m_args, eng)


def _check_variants(row: OpSpec, dtype: str, sample: Sample, res: CaseResult,
                    meta_only: bool, eng: Engine) -> None:
    """Each method/operator form must give what torch's same form gives."""
    for name in sorted(row.variants):
        vfn = row.variants[name]
        seed = seed_for(res.key, "rng", name)
        t_out, _, t_err = _call(engines.reference(), vfn, sample, (), seed)
        if t_err is not None:
            continue  # this form does not take this sample (e.g. an operator with kwargs)
        m_out, _, m_err = _call(eng, vfn, sample, (), seed)
        res.checks.append(f"variant:{name}")
        if m_err is not None:
            _fail(res, f"variant {name}: {eng.name} raises {error_text(m_err, _package(eng))}")
            continue
        comps, structural = compare_outputs(m_out, t_out, dtype, row, prefix=f"{name}:",
                                            meta_only=meta_only, engine=eng)
        if structural:
            _fail(res, f"variant {structural}")
        for c in comps:
            if c.mismatch:
                _fail(res, f"variant {c.mismatch}")


def _check_backward(row: OpSpec, dtype: str, sample: Sample, res: CaseResult,
                    grad_at: tuple[int, ...], t_out: Any, t_args: list[Any], m_out: Any,
                    m_args: list[Any], eng: Engine) -> None:
    t_leaves, _ = flatten_output(t_out)
    m_leaves, _ = flatten_output(m_out, engine=eng)
    diff_pos = [i for i, (_, t) in enumerate(t_leaves) if _is_torch(t) and t.requires_grad]
    if not diff_pos:
        return
    res.checks.append("grad")
    rng = np.random.default_rng(seed_for(res.key, "upstream"))
    upstream = [rng.standard_normal(t_leaves[i][1].shape).astype(tensor_array(
        t_leaves[i][1]).dtype) for i in diff_pos]
    t_outs = [t_leaves[i][1] for i in diff_pos]
    m_outs = [m_leaves[i][1] for i in diff_pos]
    t_in = [t_args[i] for i in grad_at]
    m_in = [m_args[i] for i in grad_at]
    for path, m in (m_leaves[i] for i in diff_pos):
        if not eng.requires_grad(m):
            _fail(res, f"{path}: does not require grad in {eng.name}")
            return
    try:
        t_grads = engines.reference().grads(t_outs, t_in, upstream)
        t_err = None
    except RuntimeError as e:  # torch has no derivative here (floor_divide, ...)
        t_grads, t_err = None, e
    try:
        m_grads = eng.grads(m_outs, m_in, upstream)
    except CaseTimeout:
        raise
    except Exception as e:
        if t_err is not None and error_class(e) == error_class(t_err):
            return  # both refuse to differentiate
        res.status, res.error = "crash", "backward: " + error_text(e, _package(eng))
        return
    if t_err is not None:
        _fail(res, f"backward: torch raises {error_class(t_err)} "
                   f"({' '.join(str(t_err).split())[:100]}); {eng.name} returns a gradient")
        return
    # The gradient is computed in the op's result dtype: a float64 input of a float32 op gets
    # a float32-accurate gradient in torch, so the looser of the two tolerances applies.
    out_dtypes = {dtype_name(t.dtype) for t in t_outs}
    m_arrays = []
    for pos, e, a, ti in zip(grad_at, t_grads, m_grads, t_in):
        shape, npd = tuple(ti.shape), tensor_array(ti).dtype
        e = np.zeros(shape, npd) if e is None else e
        a = np.zeros(shape, npd) if a is None else np.asarray(a)
        m_arrays.append(a)
        what = f"grad[arg {pos}]"
        if a.dtype != e.dtype:
            _fail(res, f"{what}: dtype {a.dtype} != expected {e.dtype}")
            continue
        tol_dtype = "float32" if "float32" in out_dtypes | {str(e.dtype)} else str(e.dtype)
        rtol, atol = _tolerance(row, dtype, tol_dtype, eng)
        c = compare_arrays(a, e, rtol, atol, zero_sign=False, what=what)
        res.grad_abs, res.grad_rel = _worst(res.grad_abs, c.abs_err), _worst(res.grad_rel,
                                                                               c.rel_err)
        res.grad_frac = _worst(res.grad_frac, c.frac)
        if c.mismatch:
            _fail(res, c.mismatch)
    if dtype != "float64" or out_dtypes != {"float64"} or res.status != "pass":
        return
    if not sample.args:  # OpInfo's entries come with an empty Sample: first order only there
        return
    if not SECOND_ORDER:
        if "gradcheck" in sample.tags:
            _central_differences(row, sample, res, grad_at, diff_pos, upstream, m_arrays, eng)
        return
    if "gradcheck" in sample.tags:
        _central_differences(row, sample, res, grad_at, diff_pos, upstream, m_arrays, eng)
        if res.status == "pass":
            _check_double_backward(row, sample, res, grad_at, diff_pos, upstream, eng)
    elif not _has_gradcheck_sample(row):  # no sample fit for differences: torch's only
        _check_double_backward(row, sample, res, grad_at, diff_pos, upstream, eng,
                               differences=False)


# Whether the sweep differentiates twice (the planted-bug tests switch it off to see a
# first-order bug in its own row only: other rows' double backwards use the op too).
SECOND_ORDER = True
_HAS_GRADCHECK: dict[str, bool] = {}


def _has_gradcheck_sample(row: OpSpec) -> bool:
    """Whether a float64 sample of the row is tagged for central differences. A row without
    one (inputs that must stay symmetric, in-place writes through views) still has its
    double backward compared with torch's, on every float64 sample."""
    if row.name not in _HAS_GRADCHECK:
        _HAS_GRADCHECK[row.name] = "float64" in row.dtypes and any(
            "gradcheck" in s.tags for s in row_samples(row, "float64"))
    return _HAS_GRADCHECK[row.name]


def _central_differences(row: OpSpec, sample: Sample, res: CaseResult,
                         grad_at: tuple[int, ...], diff_pos: list[int],
                         upstream: list[np.ndarray], analytic: list[np.ndarray],
                         eng: Engine) -> None:
    """The engine's gradient against central differences of the engine's own forward."""
    arrays = [np.array(a, dtype=np.float64) if i in grad_at else a
              for i, a in enumerate(sample.args)]
    if any(arrays[i].dtype != np.float64 for i in grad_at):
        return

    def inner(current: list[Any]) -> float:
        s = Sample(tuple(current), sample.kwargs)
        out, _, err = _call(eng, row.fn, s, ())
        if err is not None:
            raise err
        leaves, _ = flatten_output(out, engine=eng)
        return gradcheck.inner_product([eng.numpy(leaves[i][1]) for i in diff_pos], upstream)

    res.checks.append("gradcheck")
    numeric = gradcheck.numeric_vjp(inner, arrays, grad_at)
    worst, first = gradcheck.check(analytic, numeric, [f"arg {p}" for p in grad_at])
    res.gradcheck = worst
    if first:
        _fail(res, first)
    engine_check = eng.gradcheck()
    if engine_check is not None and not first:
        _engine_gradcheck(engine_check, row, sample, res, grad_at, diff_pos, arrays, eng)


def _check_double_backward(row: OpSpec, sample: Sample, res: CaseResult,
                           grad_at: tuple[int, ...], diff_pos: list[int],
                           upstream: list[np.ndarray], eng: Engine,
                           differences: bool = True) -> None:
    """Second order (float64): the gradient of <w, first gradient> against torch's double
    backward, then (`differences`) against central differences of the engine's own first
    gradient (torch.autograd.gradgradcheck's test), for the inputs and the cotangent."""
    if getattr(getattr(eng.lib, "autograd", None), "grad", None) is None:
        return  # an engine with no autograd.grad cannot be asked for a double backward
    res.checks.append("grad2")
    seed = seed_for(res.key, "rng")
    rng = np.random.default_rng(seed_for(res.key, "weights"))
    grad_shapes = [np.shape(sample.args[i]) for i in grad_at]
    weights = [rng.standard_normal(shape) for shape in grad_shapes]
    results = []
    for engine in (engines.reference(), eng):
        out, args, err = _call(engine, row.fn, sample, grad_at, seed)
        if err is None:
            leaves, _ = flatten_output(out, engine=engine)
            try:
                results.append((engine.double_grads([leaves[i][1] for i in diff_pos],
                                                    [args[i] for i in grad_at], upstream,
                                                    weights), None))
                continue
            except (CaseTimeout, MemoryError):
                raise
            except Exception as e:
                err = e
        results.append((None, err))
    (t_second, t_err), (m_second, m_err) = results
    if t_err is not None and m_err is not None and error_class(t_err) == error_class(m_err):
        res.checks.append("grad2-refused")  # both refuse to differentiate twice
        return
    if m_err is not None:
        _fail(res, f"double backward: {eng.name} raises {error_text(m_err, _package(eng))}"
                   + ("" if t_err is None else f"; torch raises {error_class(t_err)}"))
        return
    if t_err is not None:
        _fail(res, f"double backward: torch raises {error_class(t_err)} "
                   f"({' '.join(str(t_err).split())[:100]}); {eng.name} returns a result")
        return
    targets = [f"arg {p}" for p in grad_at] + [f"cotangent {k}" for k in range(len(upstream))]
    shapes = grad_shapes + [u.shape for u in upstream]
    rtol, atol = _tolerance(row, "float64", "float64", eng)
    analytic = []
    for name, shape, e, a in zip(targets, shapes, t_second, m_second):
        e = np.zeros(shape) if e is None else e
        a = np.zeros(shape) if a is None else np.asarray(a, dtype=np.float64)
        analytic.append(a)
        c = compare_arrays(a, e, rtol, atol, zero_sign=False, what=f"grad2[{name}]")
        if c.mismatch:
            _fail(res, c.mismatch)
            return
    if differences:
        _gradgradcheck(row, sample, res, grad_at, diff_pos, upstream, weights, analytic, eng)


def _gradgradcheck(row: OpSpec, sample: Sample, res: CaseResult, grad_at: tuple[int, ...],
                   diff_pos: list[int], upstream: list[np.ndarray], weights: list[np.ndarray],
                   analytic: list[np.ndarray], eng: Engine) -> None:
    """Central differences of <w, J(x)^T v> in x and in v, against the double backward."""
    n = len(sample.args)
    arrays = [np.array(a, dtype=np.float64) if i in grad_at else a
              for i, a in enumerate(sample.args)] + [np.array(u, dtype=np.float64)
                                                     for u in upstream]

    def inner(current: list[Any]) -> float:
        out, args, err = _call(eng, row.fn, Sample(tuple(current[:n]), sample.kwargs), grad_at)
        if err is not None:
            raise err
        leaves, _ = flatten_output(out, engine=eng)
        first = eng.grads([leaves[i][1] for i in diff_pos], [args[i] for i in grad_at],
                          current[n:])
        return gradcheck.inner_product([np.zeros(w.shape) if g is None else g
                                        for g, w in zip(first, weights)], weights)

    res.checks.append("gradgradcheck")
    positions = list(grad_at) + list(range(n, n + len(upstream)))
    numeric = gradcheck.numeric_vjp(inner, arrays, positions)
    _, first = gradcheck.check(analytic, numeric,
                               [f"arg {p}" for p in grad_at]
                               + [f"cotangent {k}" for k in range(len(upstream))])
    if first:
        _fail(res, "grad" + first)


def _engine_gradcheck(check: Any, row: OpSpec, sample: Sample, res: CaseResult,
                      grad_at: tuple[int, ...], diff_pos: list[int], arrays: list[Any],
                      eng: Engine) -> None:
    """The engine's own gradcheck too (minitorch.testing.gradcheck): the full Jacobian, row
    by row (the VJP check above sees one random combination of the rows)."""
    base, kwargs = build_call(eng, tuple(arrays), sample.kwargs, ())
    leaves = [eng.tensor(np.array(arrays[i], dtype=np.float64), requires_grad=True)
              for i in grad_at]

    def f(*xs: Any) -> tuple[Any, ...]:
        call = list(base)
        for i, x in zip(grad_at, xs):
            call[i] = x
        out, _ = flatten_output(row.fn(eng.lib, *call, **kwargs), engine=eng)
        return tuple(out[i][1] for i in diff_pos)

    try:
        ok = check(f, tuple(leaves), raise_exception=False)
    except (CaseTimeout, MemoryError):
        raise
    except Exception as e:
        _fail(res, f"{eng.name}.testing.gradcheck raises {error_text(e, _package(eng))}")
        return
    if not ok:
        _fail(res, f"{eng.name}.testing.gradcheck: the Jacobian disagrees with central "
                   "differences")


# -- rows ------------------------------------------------------------------------------------
def case_plan(row: OpSpec, quick: bool = False) -> list[tuple[str, int, Sample, bool]]:
    """(dtype, index, sample, is_bad_input) for every case of the row, in a fixed order."""
    plan = []
    for dtype in row.dtypes:
        samples = row_samples(row, dtype)
        keep = quick_indices(samples) if quick else range(len(samples))
        plan += [(dtype, i, samples[i], False) for i in keep]
    plan += [("bad", i, s, True) for i, s in enumerate(row.bad_inputs)]
    return plan


def row_plan(row: OpSpec, quick: bool = False, case: str | None = None
             ) -> list[tuple[str, str, int, Sample, bool]]:
    """(key, dtype, index, sample, is_bad_input) for the cases of the row that run (only the
    case whose key is `case`, when given)."""
    plan = []
    for dtype, i, sample, bad in case_plan(row, quick):
        key = f"{row.name}/{dtype}/{i}"
        if case is None or key == case:
            plan.append((key, sample_dtype(sample) if bad else dtype, i, sample, bad))
    return plan


def plan_crash(name: str, family: str, e: BaseException) -> CaseResult:
    """The one failed case of a row whose samples cannot even be generated."""
    return CaseResult(f"{name}/samples/0", name, family, "-", 0, "sample generation",
                      status="crash", error=error_text(e))


def run_row(row: OpSpec, quick: bool = False, case: str | None = None,
            engine: Engine | str | None = None) -> list[CaseResult]:
    """Every case of one row (or only the case whose key is `case`), in this process, against
    `engine` (an Engine, a module name, or None: the current engine, minitorch by default)."""
    eng = engines.resolve(engine)
    try:
        plan = row_plan(row, quick, case)
    except Exception as e:
        return [plan_crash(row.name, row.family, e)]
    return [run_case(row, dt, i, sample, key=key, expect_raise=bad, engine=eng)
            for key, dt, i, sample, bad in plan]


def run_section(spec: SectionSpec, quick: bool, engine: Engine | str | None = None
                ) -> Section:
    """One section of the report (sections.py) in this process: its Section, whatever
    happens. A module that does not exist yet is skipped; an import error, an exception or
    a result that is not a SectionResult is one failed case with its error; for an engine
    the section cannot run against, an empty section says why it was skipped."""
    eng = engines.resolve(engine)
    reason = engines.section_skip_reason(eng, spec.module)
    if reason:
        return Section(spec.module, spec.title, present=True,
                       markdown=f"Skipped for the engine `{eng.name}`: {reason}.")
    try:
        result = spec.run(quick)
    except ModuleNotFoundError as e:
        if e.name == spec.module:
            return Section(spec.module, spec.title, present=False)
        return Section.crashed(spec.module, spec.title, error_text(e))
    except Exception as e:
        return Section.crashed(spec.module, spec.title, error_text(e))
    if not isinstance(result, SectionResult):
        return Section.crashed(spec.module, spec.title,
                               f"TypeError: {spec.module}.run_section returned a "
                               f"{type(result).__name__}, not a SectionResult")
    try:
        return Section.of(spec.module, result, json=_plain(result.json))
    except Exception as e:
        return Section.crashed(spec.module, spec.title, error_text(e))


def _plain(value: Any) -> Any:
    """JSON-able (and so picklable) data: a section's json goes back from a worker process."""
    return json.loads(json.dumps(value, default=str))


def sample_dtype(sample: Sample) -> str:
    """The dtype of a bad input's first array (for tolerances; bad inputs have no dtype loop)."""
    for a in sample.args:
        if isinstance(a, np.ndarray):
            return str(a.dtype) if str(a.dtype) != "bool" else "bool"
    return "-"


def sweep(rows: Iterable[OpSpec], quick: bool = False, jobs: int = 1,
          case: str | None = None, engine: str | None = None) -> list[CaseResult]:
    """Run rows and sort the results: in this process for jobs <= 1 (so a test's monkeypatch
    reaches the engine), else over `jobs` supervised worker processes."""
    return sweep_all(rows, quick, jobs if jobs > 1 else 0, case, engine=engine)[0]


def sweep_all(rows: Iterable[OpSpec], quick: bool = False, jobs: int = 1,
              case: str | None = None, sections: Sequence[SectionSpec] = (),
              limits: Limits | None = None, progress: Any = None,
              rows_from: str = "parity.op_table", figure_dir: str | None = None,
              engine: str | None = None) -> tuple[list[CaseResult], list[Section]]:
    """The op rows and the other modules' sections; results sorted, so the order in which
    workers finish never shows.

    jobs >= 1: `jobs` worker processes under a Supervisor (below), each case under a time
    limit, so a case that hangs, kills its worker or exhausts its memory is one failed case
    and the sweep goes on. jobs == 0: everything in this process (for a debugger; nothing is
    isolated). Workers look rows up by name in the module `rows_from` (its ALL_ROWS).
    `progress`, when given, hears of every finished case and section (see report.Progress).
    `engine` names the engine under test (engines.load; None: $PARITY_ENGINE or minitorch).
    """
    rows = list(rows)
    limits = limits or Limits()
    if progress is not None:
        progress.expect(rows=len(rows), sections=len(sections))
    if jobs <= 0:
        if figure_dir:
            os.environ[FIGURE_DIR_ENV] = figure_dir
        configure_threads()
        eng = engines.resolve(engine)
        results: list[CaseResult] = []
        for row in rows:
            chunk = run_row(row, quick, case, eng)
            results += chunk
            if progress is not None:
                progress.row_started(len(chunk))
                for r in chunk:
                    progress.case_done(r)
        done = []
        for spec in sections:
            done.append(run_section(spec, quick, eng))
            if progress is not None:
                progress.section_done(done[-1])
        return sorted(results, key=case_sort_key), done
    sup = Supervisor(jobs, limits, quick, case, rows_from, figure_dir, progress, engine)
    results, done = sup.run([row.name for row in rows], list(sections))
    return sorted(results, key=case_sort_key), done


# -- the supervisor --------------------------------------------------------------------------
WORKER_START_S = 180  # importing torch on a loaded machine is slow, but not this slow


@dataclass(frozen=True)
class Limits:
    """How long a case, a row and a section may take, and how much memory a worker gets."""

    case_s: float = CASE_TIMEOUT_S  # one case (SIGALRM in the worker, then a kill)
    row_s: float = 600.0  # every case of one row together
    section_s: float = 1200.0  # one section (a section is one case to the supervisor)
    memory_gb: float = 4.0  # the worker's address space (RLIMIT_AS); 0: unlimited
    grace_s: float = 5.0  # after the case limit, before the kill (Python gets to raise first)


def death_cause(exitcode: int | None) -> str:
    """'worker died with signal SIGABRT (6)' or 'worker died with exit code 3'."""
    if exitcode is None:
        return "worker vanished"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = "signal"
        note = " (killed from outside: out of memory?)" if -exitcode == signal.SIGKILL else ""
        return f"worker died with signal {name} ({-exitcode}){note}"
    return f"worker died with exit code {exitcode}"


def _isolate_worker(limits: Limits, figure_dir: str | None) -> None:
    """A worker's own session (so killing its group takes its children too), death with its
    parent, capped memory, no SIGINT (the supervisor stops it), one thread."""
    try:
        os.setsid()
    except OSError:
        pass
    # The fork server lives while anyone holds its "alive" pipe, which each forked worker
    # inherits: dropping it lets the server exit when the supervisor dies, and the kernel then
    # kills the worker (PR_SET_PDEATHSIG, Linux), even if the supervisor died by SIGKILL.
    try:
        from multiprocessing import forkserver

        server = forkserver._forkserver
        if server._forkserver_alive_fd is not None:
            os.close(server._forkserver_alive_fd)
            server._forkserver_alive_fd = None
    except (ImportError, AttributeError, OSError):
        pass
    parent = os.getppid()
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    if limits.memory_gb > 0:
        try:
            import resource

            cap = int(limits.memory_gb * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        except (ImportError, ValueError, OSError):
            pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ[JOBS_ENV] = "1"
    if figure_dir:
        os.environ[FIGURE_DIR_ENV] = figure_dir
    configure_threads()


def _rows_in(module: str) -> dict[str, OpSpec]:
    import importlib

    return {r.name: r for r in importlib.import_module(module).ALL_ROWS}


def _worker_main(conn: Any, limits: Limits, rows_from: str, figure_dir: str | None,
                 environ: dict[str, str], path: list[str]) -> None:
    """A worker: runs the tasks it is sent, reporting each case as it starts and ends."""
    # Forked from the fork server: take the supervisor's environment and sys.path of now.
    os.environ.clear()
    os.environ.update(environ)
    sys.path[:] = path
    _isolate_worker(limits, figure_dir)
    rows: dict[str, OpSpec] | None = None
    conn.send(("ready",))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        kind, name, section, quick, case, start = task
        if kind == "section":  # against the engine in $PARITY_ENGINE, as every case here
            conn.send(("section", run_section(section, quick)))
        else:
            try:
                rows = rows if rows is not None else _rows_in(rows_from)
                row = rows[name]
                plan = row_plan(row, quick, case)
            except Exception as e:
                family = rows[name].family if rows and name in rows else "-"
                conn.send(("case", plan_crash(name, family, e).to_dict()))
                conn.send(("done",))
                continue
            conn.send(("plan", len(plan)))
            for idx, (key, dt, i, sample, bad) in enumerate(plan):
                if idx < start:
                    continue
                conn.send(("start", idx, {"key": key, "row": name, "family": row.family,
                                          "dtype": dt, "index": i, "desc": sample.desc}))
                res = run_case(row, dt, i, sample, key=key, expect_raise=bad,
                               timeout=limits.case_s)
                conn.send(("case", res.to_dict()))
        conn.send(("done",))


@dataclass
class _Task:
    kind: str  # "row" or "section"
    name: str  # the row's name or the section's module
    section: SectionSpec | None = None  # the section to run (sent to the worker pickled)
    start: int = 0  # the row's first case still to run (after a worker died in the row)
    spent: float = 0.0  # seconds the row already took on workers that died


@dataclass
class _Slot:
    """One worker process and what it is doing."""

    proc: Any
    conn: Any
    ready: bool = False
    task: _Task | None = None
    since: float = 0.0  # when the task (or the worker's start-up) began
    cases: int | None = None  # the row's case count, once the worker said it
    current: dict[str, Any] | None = None  # the case running now
    current_idx: int = -1
    case_since: float = 0.0  # when the running case began, or the last case ended


def worker_context(engine: str | None = None) -> Any:
    """Workers forked by a fork server that imported torch (and the engine) once but ran
    nothing (a torch forked after use can deadlock in its thread pools), so replacing a dead
    worker takes milliseconds, not an import of torch; spawn where there is no fork server."""
    import multiprocessing as mp

    try:
        ctx = mp.get_context("forkserver")
    except ValueError:  # pragma: no cover - not a POSIX system
        return mp.get_context("spawn")
    spec = engine or os.environ.get(engines.ENGINE_ENV) or engines.DEFAULT
    ctx.set_forkserver_preload(["parity.runner", "parity.op_table", spec.partition(":")[0]])
    return ctx


class Supervisor:
    """At most `jobs` worker processes, one pipe each, a deadline on every case, row and
    section. A worker that dies or overruns is killed with its whole process group and
    replaced; the case it was running becomes one failed case naming the cause, and its row
    goes on from the next case."""

    def __init__(self, jobs: int, limits: Limits, quick: bool, case: str | None,
                 rows_from: str, figure_dir: str | None, progress: Any = None,
                 engine: str | None = None) -> None:
        self.ctx = worker_context(engine)
        self.engine = engine  # None: the workers inherit $PARITY_ENGINE, if set
        self.jobs, self.limits, self.quick, self.case = max(1, jobs), limits, quick, case
        self.rows_from, self.figure_dir, self.progress = rows_from, figure_dir, progress
        self.slots: list[_Slot] = []
        self.results: list[CaseResult] = []
        self.sections: dict[str, Section] = {}

    # -- the loop ------------------------------------------------------------------------
    def run(self, rows: Sequence[str], sections: Sequence[SectionSpec]
            ) -> tuple[list[CaseResult], list[Section]]:
        from multiprocessing.connection import wait

        # Sections first: some take minutes, and rows fill the other workers meanwhile.
        queue = [_Task("section", s.module, s) for s in sections]
        queue += [_Task("row", n) for n in rows]
        queue.reverse()  # pop() takes from the end
        try:
            while queue or any(s.task for s in self.slots):
                self._start_workers(len(queue))
                for slot in self.slots:
                    if slot.ready and slot.task is None and queue:
                        self._assign(slot, queue.pop())
                handles = [h for s in self.slots for h in (s.conn, s.proc.sentinel)]
                wait(handles, timeout=0.25)
                for slot in list(self.slots):
                    self._poll(slot, queue)
                if self.progress is not None:
                    self.progress.tick()
        finally:
            self.shutdown()
        done = [self.sections.get(s.module) or Section.crashed(s.module, s.title, "no result")
                for s in sections]
        return self.results, done

    def _start_workers(self, queued: int) -> None:
        idle = sum(1 for s in self.slots if s.task is None)
        while len(self.slots) < self.jobs and queued > idle:
            parent, child = self.ctx.Pipe()
            environ = dict(os.environ)
            if self.engine:
                environ[engines.ENGINE_ENV] = self.engine
            proc = self.ctx.Process(target=_worker_main, name="parity-worker",
                                    args=(child, self.limits, self.rows_from, self.figure_dir,
                                          environ, list(sys.path)))
            proc.start()
            child.close()
            self.slots.append(_Slot(proc, parent, since=time.monotonic()))
            idle += 1

    def _assign(self, slot: _Slot, task: _Task) -> None:
        slot.task, slot.since, slot.cases, slot.current = task, time.monotonic(), None, None
        slot.case_since, slot.current_idx = slot.since, task.start - 1
        slot.conn.send((task.kind, task.name, task.section, self.quick, self.case, task.start))

    def _poll(self, slot: _Slot, queue: list[_Task]) -> None:
        try:
            while slot.conn.poll():
                self._message(slot, slot.conn.recv())
        except (EOFError, OSError):
            pass  # the worker is gone: its exit code says why
        if not slot.proc.is_alive():
            slot.proc.join()
            self._lost(slot, death_cause(slot.proc.exitcode), queue)
            return
        cause = self._overrun(slot)
        if cause:
            self._kill(slot)
            self._lost(slot, cause, queue)

    def _message(self, slot: _Slot, msg: tuple[Any, ...]) -> None:
        kind = msg[0]
        if kind == "ready":
            slot.ready = True
        elif kind == "plan":
            slot.cases, slot.case_since = msg[1], time.monotonic()
            if self.progress is not None and slot.task is not None and slot.task.start == 0:
                self.progress.row_started(msg[1])
        elif kind == "start":
            slot.current_idx, slot.current, slot.case_since = msg[1], msg[2], time.monotonic()
        elif kind == "case":
            self._case(CaseResult(**msg[1]))
            slot.current, slot.case_since = None, time.monotonic()
        elif kind == "section":
            sec: Section = msg[1]
            self.sections[sec.module] = sec
            if self.progress is not None:
                self.progress.section_done(sec)
        elif kind == "done":
            slot.task, slot.current = None, None

    def _case(self, res: CaseResult) -> None:
        self.results.append(res)
        if self.progress is not None:
            self.progress.case_done(res)

    def _overrun(self, slot: _Slot) -> str | None:
        """Why the slot's task must be stopped now, or None."""
        task, now, lim = slot.task, time.monotonic(), self.limits
        if not slot.ready and now - slot.since > WORKER_START_S:
            return f"the worker did not start within {WORKER_START_S} s"
        if task is None:
            return None
        if task.kind == "section":
            return f"timeout after {lim.section_s:g} s" if now - slot.since > lim.section_s \
                else None
        if task.spent + now - slot.since > lim.row_s:
            return f"timeout: the row took longer than its cap of {lim.row_s:g} s"
        if now - slot.case_since > lim.case_s + lim.grace_s:  # the case, or the gap before it
            return f"timeout after {lim.case_s:g} s (stuck outside Python: the worker was killed)"
        return None

    def _lost(self, slot: _Slot, cause: str, queue: list[_Task]) -> None:
        """The slot's worker is dead: record what it was doing as failed, go on without it."""
        self._kill(slot)  # its children, if any, go with it
        self.slots.remove(slot)
        slot.conn.close()
        task = slot.task
        if task is None:
            if not slot.ready:  # died while starting: nothing ran, but it must not loop
                raise RuntimeError(f"parity: a worker could not start ({cause})")
            return
        if task.kind == "section":
            title = task.section.title if task.section is not None else task.name
            sec = Section.crashed(task.name, title, cause)
            self.sections[task.name] = sec
            if self.progress is not None:
                self.progress.section_done(sec)
            return
        c = slot.current
        if c is None and slot.cases is None:  # while generating the samples
            self._case(CaseResult(f"{task.name}/samples/0", task.name, "-", "-", 0,
                                  "sample generation", status="crash",
                                  error=f"{cause} while generating the row's samples"))
            return
        capped = cause.startswith("timeout: the row")
        spent = task.spent + time.monotonic() - slot.since
        if c is None:  # between two cases: go on from the next one, if this worker got anywhere
            nxt = slot.current_idx + 1
            if slot.cases is None or nxt >= slot.cases:
                return
            if nxt > task.start and not capped:
                queue.append(_Task("row", task.name, start=nxt, spent=spent))
                return
            c = {"key": f"{task.name}/case/{nxt}", "row": task.name, "family": "-",
                 "dtype": "-", "index": nxt, "desc": "between cases"}
            slot.current_idx = nxt
        left = (slot.cases or 0) - slot.current_idx - 1
        text = f"{cause} while running this case"
        if capped and left:
            text += f"; the row's {left} later case{'s' if left > 1 else ''} did not run"
        self._case(CaseResult(c["key"], c["row"], c["family"], c["dtype"], c["index"],
                              c["desc"], status="crash", error=text))
        if left and not capped:
            queue.append(_Task("row", task.name, start=slot.current_idx + 1, spent=spent))

    def _kill(self, slot: _Slot) -> None:
        """SIGKILL the worker's process group (the worker and anything it started)."""
        pid = slot.proc.pid
        if pid is not None:
            # The worker leads its own group (setsid); the group outlives a dead leader while
            # its children live, and Linux does not reuse the number meanwhile.
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):  # not yet its own group
                pass
        if slot.proc.is_alive():
            slot.proc.kill()
        slot.proc.join(5)

    def shutdown(self) -> None:
        """Stop every worker: ask the idle ones, kill the rest; never leave one behind."""
        for slot in self.slots:
            if slot.task is None:
                try:
                    slot.conn.send(None)
                except (OSError, ValueError):
                    pass
        deadline = time.monotonic() + 2.0
        for slot in self.slots:
            if slot.task is None:
                slot.proc.join(max(0.0, deadline - time.monotonic()))
            self._kill(slot)
            slot.conn.close()
        self.slots = []


def case_sort_key(r: CaseResult) -> tuple[Any, ...]:
    return (r.family, r.row, r.dtype, r.index)


def unexpected(results: Iterable[CaseResult]) -> list[CaseResult]:
    """The cases that make `make parity` fail: FAIL and crash."""
    return [r for r in results if r.status in ("FAIL", "crash")]
