"""The sweep: every row x dtype x sample, run in both engines and compared.

One case is one sample of one dtype. For it we build the inputs in torch and
in minitorch from the same NumPy arrays, run the forward, and compare the
structure, shapes, dtypes and values of the outputs; then every variant of
the row (method and operator forms); then, for a differentiable row, the
gradients of every differentiable input under a random upstream gradient
(torch.autograd.grad against minitorch.autograd.grad); then, for samples
tagged "gradcheck" in float64, minitorch's gradient against central
differences. When torch raises, minitorch must raise the same class. A case
that crashes in minitorch is a failed case with its error, and the sweep goes
on. Seeds come from the row's name (zlib.crc32), so every run and every
worker sees the same numbers.

Read spec.py, samples.py, compare.py first; report.py prints what this returns.
"""

from __future__ import annotations

import builtins
import signal
import traceback
import warnings
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np
import torch

import minitorch as mt
from parity import gradcheck
from parity.compare import DEFAULT_TOLERANCE, Compared, compare_arrays, tolerance_for
from parity.convert import build_call, grad_positions
from parity.spec import OpSpec, Sample

CASE_TIMEOUT_S = 60  # a case that hangs becomes a crash instead of stalling the sweep
STATUSES = ("pass", "FAIL", "known", "crash")


@dataclass
class CaseResult:
    """Everything the report says about one case."""

    key: str  # "row/dtype/index" (bad inputs: "row/bad/index"); `--case KEY` reruns it
    row: str
    family: str
    dtype: str
    index: int
    desc: str
    status: str = "pass"
    fwd_abs: float | None = None
    fwd_rel: float | None = None
    grad_abs: float | None = None
    grad_rel: float | None = None
    gradcheck: float | None = None  # worst |analytic - central difference| (float64)
    # The worst error as a fraction of what the tolerance allows (<= 1 passes).
    fwd_frac: float | None = None
    grad_frac: float | None = None
    mismatch: str | None = None  # the first mismatch: where, index, actual, expected
    error: str | None = None  # the exception text of a crash
    reason: str | None = None  # the known difference's reason, when status is "known"
    checks: list[str] = field(default_factory=list)  # what was checked: fwd, grad, gc, ...

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def _is_mt(x: Any) -> bool:
    return isinstance(x, mt.Tensor)


def flatten_output(out: Any, path: str = "out") -> tuple[list[tuple[str, Any]], str]:
    """The leaves of an output (tensors or plain values) and a signature of its structure."""
    if _is_torch(out) or _is_mt(out):
        return [(path, out)], "T"
    if isinstance(out, (tuple, list)):
        leaves: list[tuple[str, Any]] = []
        sig = []
        for i, o in enumerate(out):
            sub, s = flatten_output(o, f"{path}[{i}]")
            leaves += sub
            sig.append(s)
        return leaves, "(" + ",".join(sig) + ")"
    return [(path, out)], "v"


def dtype_name(d: Any) -> str:
    """'float32' for torch.float32 and minitorch.float32 alike."""
    return str(d).rsplit(".", 1)[-1]


def tensor_array(t: Any) -> np.ndarray:
    if _is_torch(t):
        return t.detach().cpu().numpy()
    return np.asarray(t.data)


def _value_key(v: Any) -> tuple[str, Any]:
    """A plain (non-tensor) output as something comparable across engines."""
    if isinstance(v, torch.dtype) or isinstance(v, mt.dtype):
        return ("dtype", dtype_name(v))
    if isinstance(v, builtins.bool):
        return ("bool", v)
    if isinstance(v, builtins.int):
        return ("int", v)
    if isinstance(v, builtins.float):
        return ("float", v)
    if isinstance(v, str):
        return ("str", v.replace("minitorch", "torch"))
    if v is None:
        return ("None", None)
    if isinstance(v, np.ndarray):
        return ("ndarray", v)
    name = getattr(v, "name", None)
    if callable(name):
        return ("node", name())
    return ("object", type(v).__name__)


def compare_leaf(path: str, mine: Any, theirs: Any, dtype: str, row: OpSpec,
                 meta_only: bool, zero_sign: bool = True) -> Compared:
    """One output leaf of minitorch (`mine`) against torch's (`theirs`)."""
    if _is_torch(theirs):
        if not _is_mt(mine):
            return Compared(mismatch=f"{path}: expected a Tensor, got {type(mine).__name__}")
        want, got = dtype_name(theirs.dtype), dtype_name(mine.dtype)
        a, e = tensor_array(mine), tensor_array(theirs)
        if tuple(a.shape) != tuple(e.shape):
            return Compared(mismatch=f"{path}: shape {tuple(a.shape)} != expected "
                                     f"{tuple(e.shape)}")
        if got != want:
            return Compared(mismatch=f"{path}: dtype {got} != expected {want}")
        if bool(theirs.requires_grad) != bool(mine.requires_grad):
            return Compared(mismatch=f"{path}: requires_grad {bool(mine.requires_grad)} != "
                                     f"expected {bool(theirs.requires_grad)}")
        if meta_only:
            return Compared()
        rtol, atol = _tolerance(row, dtype, want)
        return compare_arrays(a, e, rtol, atol, zero_sign=zero_sign, what=path)
    kind_t, val_t = _value_key(theirs)
    kind_m, val_m = _value_key(mine)
    if kind_t != kind_m:
        return Compared(mismatch=f"{path}: expected a {kind_t} ({val_t!r:.60}), got a {kind_m} "
                                 f"({val_m!r:.60})")
    if kind_t == "ndarray":
        if val_t.dtype != val_m.dtype:
            return Compared(mismatch=f"{path}: dtype {val_m.dtype} != expected {val_t.dtype}")
        rtol, atol = _tolerance(row, dtype, str(val_t.dtype))
        return compare_arrays(val_m, val_t, rtol, atol, what=path)
    if kind_t == "float" and not meta_only:
        want = dtype if dtype in DEFAULT_TOLERANCE else "float64"
        rtol, atol = _tolerance(row, dtype, want)
        return compare_arrays(np.float64(val_m), np.float64(val_t), rtol, atol, what=path)
    if kind_t == "float" or val_t == val_m:
        return Compared()
    return Compared(mismatch=f"{path}: actual {val_m!r:.80}, expected {val_t!r:.80}")


def _tolerance(row: OpSpec, dtype: str, result_dtype: str) -> tuple[float, float]:
    override = row.tolerance.get(dtype)
    return tolerance_for(result_dtype, (override.rtol, override.atol) if override else None)


def compare_outputs(mine: Any, theirs: Any, dtype: str, row: OpSpec, prefix: str = "",
                    meta_only: bool = False) -> tuple[list[Compared], str | None]:
    """Every leaf compared; returns the comparisons and the structural mismatch, if any."""
    m_leaves, m_sig = flatten_output(mine, prefix + "out")
    t_leaves, t_sig = flatten_output(theirs, prefix + "out")
    if m_sig != t_sig:
        return [], f"{prefix}out: structure {m_sig} != expected {t_sig}"
    return [compare_leaf(p, m, t, dtype, row, meta_only)
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


def error_text(e: BaseException) -> str:
    """'Class: message (at minitorch/file.py:line in function)', on one line."""
    msg = " ".join(str(e).split())
    if len(msg) > 300:
        msg = msg[:297] + "..."
    where = ""
    for frame in reversed(traceback.extract_tb(e.__traceback__)):
        fn = frame.filename.replace("\\", "/")
        if "/minitorch/" in fn:
            where = f" (at minitorch/{fn.rsplit('/minitorch/', 1)[1]}:{frame.lineno} in " \
                    f"{frame.name})"
            break
    return f"{type(e).__name__}: {msg}{where}"


def _raise_timeout(signum: int, frame: Any) -> None:
    raise CaseTimeout(f"case took longer than {CASE_TIMEOUT_S} s")


class _Deadline:
    """SIGALRM-based per-case timeout (a no-op where signals are unavailable)."""

    def __enter__(self) -> _Deadline:
        self.armed = False
        try:
            self.old = signal.signal(signal.SIGALRM, _raise_timeout)
            signal.alarm(CASE_TIMEOUT_S)
            self.armed = True
        except (ValueError, AttributeError):  # not the main thread, or no SIGALRM
            pass
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.armed:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, self.old)


# -- one case --------------------------------------------------------------------------------
def _call(lib: Any, row_fn: Any, sample: Sample, grad_at: tuple[int, ...]
          ) -> tuple[Any, list[Any], BaseException | None]:
    args: list[Any] = []
    try:
        args, kwargs = build_call(lib, sample.args, sample.kwargs, grad_at)
        return row_fn(lib, *args, **kwargs), args, None
    except CaseTimeout:
        raise
    except Exception as e:  # noqa: BLE001 - any failure of either engine is data here
        return None, args, e


def run_case(row: OpSpec, dtype: str, index: int, sample: Sample, key: str | None = None,
             expect_raise: bool = False) -> CaseResult:
    """Run one sample of one dtype in both engines and compare everything."""
    res = CaseResult(key or f"{row.name}/{dtype}/{index}", row.name, row.family, dtype, index,
                     sample.desc)
    try:
        with warnings.catch_warnings(), _Deadline():
            warnings.simplefilter("ignore")
            _run_case(row, dtype, sample, res, expect_raise)
    except CaseTimeout as e:
        res.status, res.error = "crash", error_text(e)
    except Exception as e:  # noqa: BLE001 - a harness or engine failure is a failed case
        res.status, res.error = "crash", error_text(e)
    if res.status in ("FAIL", "crash"):
        for k in row.known:
            if k.applies is None or _applies(k.applies, sample):
                res.status, res.reason = "known", f"{k.what}: {k.reason}"
                break
    return res


def _applies(pred: Any, sample: Sample) -> bool:
    try:
        return bool(pred(sample))
    except Exception:  # noqa: BLE001 - a broken predicate does not excuse the case
        return False


def _fail(res: CaseResult, mismatch: str) -> None:
    if res.mismatch is None:
        res.mismatch = mismatch
    if res.status == "pass":
        res.status = "FAIL"


def _worst(cur: float | None, new: float) -> float:
    return new if cur is None else max(cur, new)


def _run_case(row: OpSpec, dtype: str, sample: Sample, res: CaseResult,
              expect_raise: bool) -> None:
    grad_at = grad_positions(sample.args, sample.grad_args) \
        if (row.differentiable or sample.grad_args is not None) else ()
    t_out, t_args, t_err = _call(torch, row.fn, sample, grad_at)
    m_out, m_args, m_err = _call(mt, row.fn, sample, grad_at)
    if t_err is not None or expect_raise:
        res.checks.append("raises")
        want = error_class(t_err) if t_err is not None else None
        if want is None:
            _fail(res, "torch accepts this bad input (the row's bad_inputs entry is wrong)")
        elif m_err is None:
            _fail(res, f"torch raises {want} ({' '.join(str(t_err).split())[:120]}); "
                       "minitorch returns a result")
        elif error_class(m_err) != want:
            _fail(res, f"minitorch raises {error_text(m_err)}; torch raises {want}: "
                       f"{' '.join(str(t_err).split())[:120]}")
        # The function form may refuse what an operator takes (torch.lt(2.0, t) vs 2.0 < t).
        _check_variants(row, dtype, sample, res, row.compare == "meta")
        return
    if m_err is not None:
        res.status, res.error = "crash", error_text(m_err)
        return
    meta_only = row.compare == "meta"
    res.checks.append("fwd")
    comps, structural = compare_outputs(m_out, t_out, dtype, row, meta_only=meta_only)
    if structural:
        _fail(res, structural)
        return
    for c in comps:
        res.fwd_abs, res.fwd_rel = _worst(res.fwd_abs, c.abs_err), _worst(res.fwd_rel, c.rel_err)
        res.fwd_frac = _worst(res.fwd_frac, c.frac)
        if c.mismatch:
            _fail(res, c.mismatch)
    _check_variants(row, dtype, sample, res, meta_only)
    if row.differentiable and grad_at and not meta_only:
        _check_backward(row, dtype, sample, res, grad_at, t_out, t_args, m_out, m_args)


def _check_variants(row: OpSpec, dtype: str, sample: Sample, res: CaseResult,
                    meta_only: bool) -> None:
    """Each method/operator form must give what torch's same form gives."""
    for name in sorted(row.variants):
        vfn = row.variants[name]
        t_out, _, t_err = _call(torch, vfn, sample, ())
        if t_err is not None:
            continue  # this form does not take this sample (e.g. an operator with kwargs)
        m_out, _, m_err = _call(mt, vfn, sample, ())
        res.checks.append(f"variant:{name}")
        if m_err is not None:
            _fail(res, f"variant {name}: minitorch raises {error_text(m_err)}")
            continue
        comps, structural = compare_outputs(m_out, t_out, dtype, row, prefix=f"{name}:",
                                            meta_only=meta_only)
        if structural:
            _fail(res, f"variant {structural}")
        for c in comps:
            if c.mismatch:
                _fail(res, f"variant {c.mismatch}")


def _check_backward(row: OpSpec, dtype: str, sample: Sample, res: CaseResult,
                    grad_at: tuple[int, ...], t_out: Any, t_args: list[Any], m_out: Any,
                    m_args: list[Any]) -> None:
    t_leaves, _ = flatten_output(t_out)
    m_leaves, _ = flatten_output(m_out)
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
        if not getattr(m, "requires_grad", False):
            _fail(res, f"{path}: does not require grad in minitorch")
            return
    try:
        t_grads = torch.autograd.grad(t_outs, t_in, [torch.from_numpy(u.copy())
                                                     for u in upstream], allow_unused=True)
        t_err = None
    except RuntimeError as e:  # torch has no derivative here (floor_divide, ...)
        t_grads, t_err = None, e
    try:
        m_grads = mt.autograd.grad(m_outs, m_in, [mt.from_numpy(u.copy()) for u in upstream],
                                   allow_unused=True)
    except CaseTimeout:
        raise
    except Exception as e:  # noqa: BLE001
        if t_err is not None and error_class(e) == error_class(t_err):
            return  # both refuse to differentiate
        res.status, res.error = "crash", "backward: " + error_text(e)
        return
    if t_err is not None:
        _fail(res, f"backward: torch raises {error_class(t_err)} "
                   f"({' '.join(str(t_err).split())[:100]}); minitorch returns a gradient")
        return
    # The gradient is computed in the op's result dtype: a float64 input of a float32 op gets
    # a float32-accurate gradient in torch, so the looser of the two tolerances applies.
    out_dtypes = {dtype_name(t.dtype) for t in t_outs}
    m_arrays = []
    for pos, tg, mg, ti in zip(grad_at, t_grads, m_grads, t_in):
        shape, npd = tuple(ti.shape), tensor_array(ti).dtype
        e = np.zeros(shape, npd) if tg is None else tensor_array(tg)
        a = np.zeros(shape, npd) if mg is None else tensor_array(mg)
        m_arrays.append(a)
        what = f"grad[arg {pos}]"
        if a.dtype != e.dtype:
            _fail(res, f"{what}: dtype {a.dtype} != expected {e.dtype}")
            continue
        tol_dtype = "float32" if "float32" in out_dtypes | {str(e.dtype)} else str(e.dtype)
        rtol, atol = _tolerance(row, dtype, tol_dtype)
        c = compare_arrays(a, e, rtol, atol, zero_sign=False, what=what)
        res.grad_abs, res.grad_rel = _worst(res.grad_abs, c.abs_err), _worst(res.grad_rel,
                                                                               c.rel_err)
        res.grad_frac = _worst(res.grad_frac, c.frac)
        if c.mismatch:
            _fail(res, c.mismatch)
    if dtype == "float64" and "gradcheck" in sample.tags and out_dtypes == {"float64"}:
        _central_differences(row, sample, res, grad_at, diff_pos, upstream, m_arrays)


def _central_differences(row: OpSpec, sample: Sample, res: CaseResult,
                         grad_at: tuple[int, ...], diff_pos: list[int],
                         upstream: list[np.ndarray], analytic: list[np.ndarray]) -> None:
    """minitorch's gradient against central differences of minitorch's own forward."""
    arrays = [np.array(a, dtype=np.float64) if i in grad_at else a
              for i, a in enumerate(sample.args)]
    if any(arrays[i].dtype != np.float64 for i in grad_at):
        return

    def inner(current: list[Any]) -> float:
        s = Sample(tuple(current), sample.kwargs)
        out, _, err = _call(mt, row.fn, s, ())
        if err is not None:
            raise err
        leaves, _ = flatten_output(out)
        return gradcheck.inner_product([tensor_array(leaves[i][1]) for i in diff_pos], upstream)

    res.checks.append("gradcheck")
    numeric = gradcheck.numeric_vjp(inner, arrays, grad_at)
    worst, first = gradcheck.check(analytic, numeric, [f"arg {p}" for p in grad_at])
    res.gradcheck = worst
    if first:
        _fail(res, first)
    engine_check = getattr(getattr(mt, "testing", None), "gradcheck", None)
    if engine_check is not None and not first:
        _engine_gradcheck(engine_check, row, sample, res, grad_at, diff_pos, arrays)


def _engine_gradcheck(check: Any, row: OpSpec, sample: Sample, res: CaseResult,
                      grad_at: tuple[int, ...], diff_pos: list[int], arrays: list[Any]) -> None:
    """minitorch.testing.gradcheck too: the full Jacobian, row by row (the VJP check above
    sees one random combination of the rows)."""
    base, kwargs = build_call(mt, tuple(arrays), sample.kwargs, ())
    leaves = [mt.from_numpy(np.array(arrays[i], dtype=np.float64)).requires_grad_()
              for i in grad_at]

    def f(*xs: Any) -> tuple[Any, ...]:
        call = list(base)
        for i, x in zip(grad_at, xs):
            call[i] = x
        out, _ = flatten_output(row.fn(mt, *call, **kwargs))
        return tuple(out[i][1] for i in diff_pos)

    try:
        ok = check(f, tuple(leaves), raise_exception=False)
    except CaseTimeout:
        raise
    except Exception as e:  # noqa: BLE001
        _fail(res, f"minitorch.testing.gradcheck raises {error_text(e)}")
        return
    if not ok:
        _fail(res, "minitorch.testing.gradcheck: the Jacobian disagrees with central "
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


def run_row(row: OpSpec, quick: bool = False, case: str | None = None) -> list[CaseResult]:
    """Every case of one row (or only the case whose key is `case`)."""
    results = []
    try:
        plan = case_plan(row, quick)
    except Exception as e:  # noqa: BLE001 - a broken sample generator is a failed row
        return [CaseResult(f"{row.name}/samples/0", row.name, row.family, "-", 0,
                           "sample generation", status="crash", error=error_text(e))]
    for dtype, i, sample, bad in plan:
        key = f"{row.name}/{dtype}/{i}"
        if case is not None and key != case:
            continue
        dt = sample_dtype(sample) if bad else dtype
        results.append(run_case(row, dt, i, sample, key=key, expect_raise=bad))
    return results


def sample_dtype(sample: Sample) -> str:
    """The dtype of a bad input's first array (for tolerances; bad inputs have no dtype loop)."""
    for a in sample.args:
        if isinstance(a, np.ndarray):
            return str(a.dtype) if str(a.dtype) != "bool" else "bool"
    return "-"


def sweep(rows: Iterable[OpSpec], quick: bool = False, jobs: int = 1,
          case: str | None = None) -> list[CaseResult]:
    """Run rows (in this process, or over `jobs` worker processes) and sort the results."""
    return sweep_all(rows, quick, jobs, case)[0]


def sweep_all(rows: Iterable[OpSpec], quick: bool = False, jobs: int = 1,
              case: str | None = None, sections: Sequence[tuple[str, str]] = ()
              ) -> tuple[list[CaseResult], list[Any]]:
    """The op rows and the other modules' sections, sharing one pool when jobs > 1.

    Sections go first (some take minutes); rows follow, one task each. Results are sorted,
    so the order in which workers finish never shows.
    """
    from parity import sections as sec

    rows = list(rows)
    if jobs <= 1:
        configure_threads()
        results = [r for row in rows for r in run_row(row, quick, case)]
        done = [sec.run_one(m, t, quick) for m, t in sections]
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: a forked torch can deadlock in its thread pools. A worker that
        # dies breaks the executor, which raises (BrokenProcessPool) instead of hanging.
        with ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn"),
                                 initializer=configure_threads) as pool:
            pending = [pool.submit(sec.run_task, (m, t, quick)) for m, t in sections]
            futures = [pool.submit(_run_named_row, (row.name, quick, case)) for row in rows]
            chunks = [_result_or_none(f) for f in futures]
            done = [_result_or_none(p) for p in pending]
        # A worker that died (a crash in native code, say) takes the pool down with it: the
        # rows and sections it left undone run here, in this process, instead.
        results = []
        for row, chunk in zip(rows, chunks):
            if chunk is None:
                configure_threads()
                results += run_row(row, quick, case)
            else:
                results += [CaseResult(**d) for d in chunk]
        done = [d if d is not None else sec.run_one(m, t, quick)
                for d, (m, t) in zip(done, sections)]
    return sorted(results, key=case_sort_key), done


def _result_or_none(future: Any) -> Any:
    try:
        return future.result()
    except Exception:  # noqa: BLE001 - BrokenProcessPool and the like: redo in-process
        return None


def case_sort_key(r: CaseResult) -> tuple[Any, ...]:
    return (r.family, r.row, r.dtype, r.index)


def _run_named_row(task: tuple[str, bool, str | None]) -> list[dict[str, Any]]:
    from parity.op_table import rows_by_name

    name, quick, case = task
    return [r.to_dict() for r in run_row(rows_by_name()[name], quick, case)]


def unexpected(results: Iterable[CaseResult]) -> list[CaseResult]:
    """The cases that make `make parity` fail: FAIL and crash."""
    return [r for r in results if r.status in ("FAIL", "crash")]
