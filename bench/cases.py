"""The bench cases: the op-table rows at the sizes the selection rule names (SELECTION_RULE),
and the workloads; and the check that minitorch computes what torch computes.

A `Case` is cheap to list (tests collect them all); `case.prepare()` does the
real work: it grows the row's sample to the case's size (inputs.py), lets
torch judge the inputs, and returns one `Runner` factory per engine
(minitorch, torch and, where one is written, the NumPy floor). Every engine
gets the same float32 arrays, copied.

`check(prepared)` runs each engine once, outside any timing, and compares
its arrays (outputs, then gradients) with torch's: at float32's defaults
(rtol 1.3e-6, atol 1e-5) or the row's own tolerance; cases that accumulate
many float32 terms (reductions, matmul, losses, the workloads) may pass at
the looser LOOSE tolerance instead, and the report says so.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any

import numpy as np
import torch

import minitorch
from bench import floor, inputs, workloads
from bench.timing import CaseTimeout, hard_limit
from bench.workloads import Runner, to_numpy
from parity import engines
from parity.compare import Compared, clearly_close, compare_arrays
from parity.convert import DType, Raw, as_engine, build_call, grad_positions
from parity.engines import Engine
from parity.spec import KnownDifference, OpSpec, Sample

FWD, BWD = "fwd", "fwd+bwd"
ENGINES = ("minitorch", "torch", "floor")
SIZES = ("tiny", "medium", "large")
WORKLOADS = "workloads"
# The module each engine's rows and workloads call as `lib`, and its adapter (parity/engines.py:
# tensors from NumPy arrays). The "minitorch" slot is the engine under test: use_engine puts
# another torch-like engine there (`python -m bench --engine torch`: the self-check).
LIBS: dict[str, ModuleType] = {"minitorch": minitorch, "torch": torch}
ADAPTERS: dict[str, Engine] = {"minitorch": engines.resolve(engines.DEFAULT),
                               "torch": engines.reference()}


def use_engine(spec: str) -> Engine:
    """Put the engine `spec` names (a torch-like module, or module:adapter as parity's
    --engine takes it) in the minitorch slot of every case built from now on."""
    engine = engines.resolve(spec)
    ADAPTERS["minitorch"], LIBS["minitorch"] = engine, engine.lib
    return engine


def under_test() -> Engine:
    """The engine in the minitorch slot (minitorch unless use_engine named another)."""
    return ADAPTERS["minitorch"]


class Skip(Exception):
    """This case cannot be built (and why); the report lists it."""


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float
    reason: str = ""


STRICT = Tolerance(1.3e-6, 1e-5, "float32 defaults of torch.testing.assert_close")
STRICT64 = Tolerance(1e-7, 1e-7, "float64 defaults of torch.testing.assert_close")
LOOSE = Tolerance(
    1e-4, 1e-5,
    "float32 sums of many terms, added in another order than torch's (NumPy's pairwise "
    "sums, OpenBLAS against MKL/oneDNN kernels): the rounding error grows like "
    "sqrt(n)*eps*|x|, so we allow rtol 1e-4 and atol 1e-5 times the array's largest "
    "magnitude, which still catches any wrong formula",
)
# Words in an op's name or family that mean it sums many terms (forward or backward).
ACCUMULATING = ("sum", "mean", "var", "std", "norm", "prod", "cum", "logsumexp", "matmul",
                "mm", "einsum", "linear", "conv", "softmax", "loss", "entropy", "pool",
                "reduction", "linalg", "dot", "kl_div", "nll", "bilinear", "embedding")


@dataclass
class Prepared:
    """What timing and checking need: a fresh-Runner factory per engine, and the tolerance."""

    factories: dict[str, Callable[[], Runner]]
    strict: Tolerance = STRICT
    loose_ok: bool = False
    shapes: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Case:
    name: str  # unique, e.g. "add · medium · fwd+bwd"
    group: str  # the report's table: "ops · tiny · fwd", ..., "workloads"
    op: str
    size: str
    mode: str
    prepare: Callable[[], Prepared]
    per: int = 1  # ops per call: times are also reported per op (the chain)
    family: str = ""


# -- the op cases ------------------------------------------------------------------------


def is_in_place(row: OpSpec) -> bool:
    """add_, Tensor.requires_grad_ ... (a trailing underscore, not a dunder), or the family."""
    base = row.name.rsplit(".", 1)[-1]
    return (base.endswith("_") and not base.endswith("__")) or row.family in ("inplace",
                                                                               "in-place")


def accumulates(row: OpSpec) -> bool:
    words = f"{row.name} {row.family}".lower()
    return any(w in words for w in ACCUMULATING)


def leaf_indices(sample: Sample) -> tuple[int, ...]:
    """The positional args that require grad (parity's rule: Sample.grad_args, else every
    floating array)."""
    return grad_positions(sample.args, sample.grad_args)


def flatten(value: Any) -> list[Any]:
    """The arrays of an op's result: a tensor, or the tensors of a tuple (a named tuple too)."""
    if isinstance(value, (tuple, list)):
        return [a for v in value for a in flatten(v)]
    return [to_numpy(value)]


def first_float_output(out: Any) -> int | None:
    """None when out is one tensor; else the index of the first floating tensor in it."""
    if not isinstance(out, (tuple, list)):
        return None
    for i, v in enumerate(out):
        if isinstance(v, torch.Tensor) and v.is_floating_point():
            return i
    raise Skip("no floating output to backpropagate through")


def op_runner(engine: Engine | ModuleType, row: OpSpec, sample: Sample, mode: str,
              out_index: int | None, g: np.ndarray | None) -> Runner:
    """Time row.fn(lib, *args) -- and, for fwd+bwd, backward from g into fresh gradients
    (engine: the engine's adapter, or its module)."""
    engine = as_engine(engine)
    lib = engine.lib
    grad_idx = leaf_indices(sample) if mode == BWD else ()
    args, kwargs = build_call(engine, sample.args, sample.kwargs, grad_idx)
    leaves = [args[i] for i in grad_idx]
    fn = row.fn
    if mode == FWD:
        def body() -> Any:
            return fn(lib, *args, **kwargs)

        return Runner(body, lambda: flatten(body()))
    gt = engine.tensor(np.array(g, copy=True))
    if out_index is None:
        def body() -> Any:
            for t in leaves:
                t.grad = None
            out = fn(lib, *args, **kwargs)
            out.backward(gt)
            return out
    else:
        def body() -> Any:
            for t in leaves:
                t.grad = None
            out = fn(lib, *args, **kwargs)
            out[out_index].backward(gt)
            return out

    return Runner(body, lambda: flatten(body()) + [to_numpy(t.grad) for t in leaves])


def floor_runner(name: str, sample: Sample, mode: str, g: np.ndarray | None) -> Runner:
    args = [a.copy() if isinstance(a, np.ndarray) else a for a in sample.args]
    kwargs = dict(sample.kwargs)
    if any(isinstance(v, (DType, Raw)) for v in [*args, *kwargs.values()]):
        raise TypeError("the floor takes arrays and Python scalars only")
    if mode == FWD:
        f = floor.FORWARD[name]
        return Runner(lambda: f(*args, **kwargs), lambda: [np.asarray(f(*args, **kwargs))])
    fb = floor.forward_backward(name)
    grad_idx = leaf_indices(sample)

    def read() -> list[Any]:
        out, grads = fb(g, *args, **kwargs)
        return [np.asarray(out)] + [grads[i] for i in grad_idx]

    return Runner(lambda: fb(g, *args, **kwargs), read)


def _torch_trial(row: OpSpec, sample: Sample, mode: str) -> tuple[int | None, Any]:
    """Run the case once in torch; return (out_index, the output backpropagated) or raise."""
    grad_idx = leaf_indices(sample) if mode == BWD else ()
    args, kwargs = build_call(torch, sample.args, sample.kwargs, grad_idx)
    out = row.fn(torch, *args, **kwargs)
    if mode == FWD:
        return None, out
    out_index = first_float_output(out)
    y = out if out_index is None else out[out_index]
    if not isinstance(y, torch.Tensor) or not y.requires_grad:
        raise Skip("the output does not require grad")
    y.backward(torch.ones_like(y))
    return out_index, y


# The inputs grown for (row, size) by the fwd case, reused by the fwd+bwd case that follows.
_last_grown: dict[tuple[str, str], tuple[str, Sample]] = {}


def _grown_candidates(row: OpSpec, size: str, seed: int) -> Iterator[tuple[str, Sample]]:
    key = (row.name, size)
    if key in _last_grown:
        yield _last_grown[key]
    tmpl = inputs.template(row, seed)
    if tmpl is None:
        raise Skip(f"no {inputs.bench_dtype(row)} sample with an array argument to grow "
                   "(a creation or configuration row)")
    yield from inputs.candidates(tmpl, size, seed, batch_first=row.family.startswith("nn"))


def has_tensor(out: Any) -> bool:
    if isinstance(out, (tuple, list)):
        return any(has_tensor(v) for v in out)
    return isinstance(out, torch.Tensor)


# An op whose output grows faster than its input (diag of a vector, kron, unfold) would,
# grown to the large size, ask for terabytes. Torch's meta device computes the output's
# shape without allocating it; a candidate whose output passes this many elements per
# input element of the size class is not timed.
MAX_OUTPUT_GROWTH = 16


def _output_too_large(row: OpSpec, sample: Sample, size: str) -> bool:
    """Whether torch (on the meta device: shapes only) gives an output past the cap; False
    when the op cannot run on meta (data-dependent shapes), which then runs for real."""
    try:
        args, kwargs = build_call(torch, sample.args, sample.kwargs, ())
        meta = [a.to("meta") if isinstance(a, torch.Tensor) else a for a in args]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = row.fn(torch, *meta, **kwargs)
    except Exception:
        return False
    outs = out if isinstance(out, (tuple, list)) else (out,)
    numel = sum(o.numel() for o in outs if isinstance(o, torch.Tensor))
    return numel > MAX_OUTPUT_GROWTH * inputs.SIZES[size]


def accepted_input(row: OpSpec, size: str, mode: str,
                   seed: int) -> tuple[str, Sample, int | None, Any]:
    """The first grown input torch accepts: (shapes, sample, out_index, torch's output)."""
    last_error = ""
    for desc, sample in _grown_candidates(row, size, seed):
        if _output_too_large(row, sample, size):
            last_error = f"{desc}: the output passes {MAX_OUTPUT_GROWTH}x the size class"
            continue
        try:
            return (desc, sample, *_torch_trial(row, sample, mode))
        except Skip:
            raise
        except Exception as e:  # torch rejects this shape: try the next candidate
            last_error = f"{type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}"
    raise Skip(f"torch rejects every grown input ({last_error})")


def prepare_op(row: OpSpec, size: str, mode: str, seed: int = 0) -> Prepared:
    """Grow the row's sample to `size`, let torch accept it, and build each engine's runner."""
    if is_in_place(row):
        raise Skip("in-place op: each call would compound the last one's result")
    desc, sample, out_index, y = accepted_input(row, size, mode, seed)
    if not has_tensor(y):
        raise Skip(f"not an op: returns {type(y).__name__}, no tensor")
    _last_grown.clear()
    _last_grown[(row.name, size)] = (desc, sample)
    g = None
    if mode == BWD:
        g = inputs.upstream_gradient(tuple(y.shape), to_numpy(y).dtype, seed + 1)
    dtype = inputs.bench_dtype(row)
    # The rows' tolerance overrides and known differences are minitorch's (as in parity).
    own = under_test().known_differences
    tol = row.tolerance.get(dtype) if own else None
    strict = Tolerance(tol.rtol, tol.atol, tol.reason) if tol else (
        STRICT if dtype == "float32" else STRICT64)
    factories: dict[str, Callable[[], Runner]] = {
        name: (lambda e=e: op_runner(e, row, sample, mode, out_index, g))
        for name, e in ADAPTERS.items()
    }
    fname = floor.floor_name(row.name)
    notes = []
    if fname is not None:
        try:  # the floor covers the common call of an op; other calls get no floor
            floor_runner(fname, sample, mode, g).read()
            factories["floor"] = lambda: floor_runner(fname, sample, mode, g)
        except (TypeError, ValueError, IndexError) as e:
            notes.append(f"no floor for this call ({e})")
    applies = [k for k in row.known if own and (k.applies is None or _applies(k, sample))]
    if applies:
        notes.append("known difference: " + "; ".join(k.what for k in applies))
    if row.bench_check == "shape":
        notes.append("values not compared: grown inputs lack the op's structure "
                     "(conditioning); parity checks its values")
    if getattr(row, "compare", "values") == "meta":
        notes.append("known difference: random values (compared by shape and dtype only)")
    return Prepared(factories, strict, loose_ok=accumulates(row) and size != "tiny",
                    shapes=desc, notes=notes)


# -- the selection rule: which (op, size, mode) `make bench` times ----------------------

# The dispatch-overhead set: the ops a training step runs through, plus a few shape, index
# and comparison ops. At the tiny size every op costs its Python overhead (the same
# machinery for every op), so a fixed set measures it; issue 14's "ops tiny fwd, geomean
# vs torch" target is over these.
TINY_CORE = (
    "add", "sub", "mul", "div", "pow", "neg", "abs", "square", "sqrt", "exp", "log", "sin",
    "cos", "tanh", "sigmoid", "relu", "sum", "mean", "softmax", "log_softmax", "matmul",
    "F.relu", "F.gelu", "F.linear", "F.mse_loss", "F.cross_entropy", "F.layer_norm",
    "reshape", "transpose", "getitem", "cat", "where", "clamp", "maximum", "gt",
)
SELECTION_RULE = (
    "every op-table row with bench=True is timed at the large size forward (inference) and, "
    "where it has a backward, forward plus backward at the medium and the large size; at the "
    f"tiny size only the {len(TINY_CORE)} core ops of bench.cases.TINY_CORE (forward, and "
    "forward plus backward where differentiable), since there the cost is the dispatch "
    "overhead every op shares; medium forward alone is not timed (the large forward shows "
    "the arithmetic, the medium fwd+bwd the graph); plus every workload"
)


def selected(row: OpSpec, size: str, mode: str) -> bool:
    """Whether `make bench` times this row at this size and mode (SELECTION_RULE)."""
    if mode == BWD and not row.differentiable:
        return False
    if size == "tiny":
        return row.name in TINY_CORE
    if size == "medium":
        return mode == BWD
    return True  # large: fwd, and fwd+bwd where differentiable


def op_cases(rows: list[OpSpec], every_size: bool = False) -> list[Case]:
    """The rows with bench=True at the sizes and modes SELECTION_RULE picks (every_size:
    all three sizes, fwd and, if differentiable, fwd+bwd: `python -m bench --every-size`)."""
    cases = []
    for row in rows:
        if not row.bench:
            continue
        for size in SIZES:
            for mode in (FWD, BWD) if row.differentiable else (FWD,):
                if not every_size and not selected(row, size, mode):
                    continue
                cases.append(Case(
                    name=f"{row.name} · {size} · {mode}", group=f"ops · {size} · {mode}",
                    op=row.name, size=size, mode=mode, family=row.family,
                    prepare=lambda row=row, size=size, mode=mode: prepare_op(row, size, mode),
                ))
    return cases


# -- the workloads -----------------------------------------------------------------------


def prepare_chain(n_ops: int, backward: bool, mix: str = "own") -> Prepared:
    x, g = workloads.chain_inputs()
    facts: dict[str, Callable[[], Runner]] = {
        name: (lambda lib=lib: workloads.chain_runner(lib, x, g, n_ops, backward, mix))
        for name, lib in LIBS.items()
    }
    facts["floor"] = lambda: workloads.chain_floor(x.copy(), g.copy(), n_ops, backward, mix)
    return Prepared(facts, loose_ok=False, shapes=f"(4,), {n_ops} ops")


def prepare_mlp(batch: int) -> Prepared:
    weights, x, y = workloads.mlp_inputs(batch)
    notes = []
    if workloads.has_nn(LIBS["minitorch"]):
        mt_factory = lambda: workloads.mlp_runner(LIBS["minitorch"], weights, x, y)  # noqa: E731
        notes.append(f"{under_test().name}: nn.Sequential(Linear, ReLU, ...), F.cross_entropy, "
                     "optim.SGD")
    else:
        mt_factory = lambda: workloads.mlp_runner_tensor_ops(  # noqa: E731
            LIBS["minitorch"], weights, x, y)
        notes.append(f"{under_test().name}: tensor ops and a hand-made SGD step (it has no nn)")
    facts: dict[str, Callable[[], Runner]] = {
        "minitorch": mt_factory,
        "torch": lambda: workloads.mlp_runner(torch, weights, x, y),
        "floor": lambda: workloads.mlp_floor(weights, x, y),
    }
    return Prepared(facts, loose_ok=True, shapes=f"x ({batch}, 784), 784-256-128-10",
                    notes=notes)


def prepare_matmul(n: int) -> Prepared:
    a, b, g = workloads.matmul_inputs(n)
    facts: dict[str, Callable[[], Runner]] = {
        name: (lambda lib=lib: workloads.matmul_runner(lib, a, b, g)) for name, lib in LIBS.items()
    }
    facts["floor"] = lambda: workloads.matmul_floor(a, b, g)
    return Prepared(facts, loose_ok=True, shapes=f"({n}, {n}) @ ({n}, {n})")


def prepare_conv() -> Prepared:
    x, w, b, g = workloads.conv_inputs()
    facts: dict[str, Callable[[], Runner]] = {
        "torch": lambda: workloads.conv_runner(torch, x, w, b, g),
        "floor": lambda: workloads.conv_floor(x, w, b, g),
    }
    notes = []
    if workloads.has_conv2d(LIBS["minitorch"]):
        facts["minitorch"] = lambda: workloads.conv_runner(LIBS["minitorch"], x, w, b, g)
    else:
        notes.append(f"{under_test().name} has no F.conv2d")
    return Prepared(facts, loose_ok=True, shapes="x (32, 8, 28, 28), w (8, 8, 3, 3), padding 1",
                    notes=notes)


def _seq_prepare(name: str, inputs: Callable[[], tuple], runner: Callable[..., Runner],
                 floor_runner_: Callable[..., Runner], shapes: str) -> Prepared:
    """A sequence workload (workloads.py: LSTM LM, encoder layer) in every engine."""
    params, x, y = inputs()
    facts: dict[str, Callable[[], Runner]] = {
        "torch": lambda: runner(torch, params, x, y),
        "floor": lambda: floor_runner_(params, x, y),
    }
    notes = []
    if workloads.has_seq_nn(LIBS["minitorch"]):
        facts["minitorch"] = lambda: runner(LIBS["minitorch"], params, x, y)
    else:
        notes.append(f"{under_test().name} has no nn module for the {name}")
    return Prepared(facts, loose_ok=True, shapes=shapes, notes=notes)


def prepare_lstm() -> Prepared:
    s = workloads.LSTM_SIZES
    return _seq_prepare("LSTM", workloads.lstm_inputs, workloads.lstm_runner,
                        workloads.lstm_floor,
                        f"tokens ({s['seq']}, {s['batch']}), vocab {s['vocab']}, embed "
                        f"{s['embed']}, hidden {s['hidden']}, {s['layers']} layers")


def prepare_encoder() -> Prepared:
    s = workloads.ENCODER_SIZES
    return _seq_prepare("encoder layer", workloads.encoder_inputs, workloads.encoder_runner,
                        workloads.encoder_floor,
                        f"x ({s['batch']}, {s['seq']}, {s['d_model']}), {s['nhead']} heads, "
                        f"ff {s['ff']}, dropout 0")


CHAIN_OPS = 20


def workload_cases() -> list[Case]:
    def case(name: str, mode: str, prepare: Callable[[], Prepared], per: int = 1) -> Case:
        return Case(name=f"{name} · {mode}", group=WORKLOADS, op=name, size="", mode=mode,
                    prepare=prepare, per=per, family="workload")

    return [
        case(f"chain of {CHAIN_OPS} elementwise ops on (4,)", FWD,
             lambda: prepare_chain(CHAIN_OPS, False), per=CHAIN_OPS),
        case(f"chain of {CHAIN_OPS} elementwise ops on (4,)", BWD,
             lambda: prepare_chain(CHAIN_OPS, True), per=CHAIN_OPS),
        case(f"chain of {CHAIN_OPS} mul/add-scalar/tanh ops on (4,)", BWD,
             lambda: prepare_chain(CHAIN_OPS, True, "mul/add-scalar/tanh"), per=CHAIN_OPS),
        case("MLP 784-256-128-10 SGD step, batch 64", BWD, lambda: prepare_mlp(64)),
        case("MLP 784-256-128-10 SGD step, batch 512", BWD, lambda: prepare_mlp(512)),
        case("matmul (1024, 1024) @ (1024, 1024)", BWD, lambda: prepare_matmul(1024)),
        case("conv2d 32x8x28x28, 8 out, 3x3, padding 1", BWD, prepare_conv),
        case("LSTM LM SGD step (embed+2-layer LSTM 128+linear+CE), batch 32, seq 35", BWD,
             prepare_lstm),
        case("TransformerEncoderLayer SGD step (d 128, 4 heads, ff 512), batch 16, seq 64",
             BWD, prepare_encoder),
    ]


def load_rows() -> list[OpSpec]:
    """Every row of the op table, the nn rows included (one table drives parity and bench).

    A table that cannot be imported is a broken bench: the ImportError propagates.
    """
    from parity.op_table import ALL_ROWS

    return list(ALL_ROWS)


def all_cases(rows: list[OpSpec] | None = None, every_size: bool = False) -> list[Case]:
    """The workloads, then the op cases of the selection rule (or of every size)."""
    if rows is None:
        rows = load_rows()
    return workload_cases() + op_cases(rows, every_size)


def _applies(known: KnownDifference, sample: Sample) -> bool:
    """Whether a known difference's predicate covers this (grown) sample; a predicate that
    cannot read the sample does not apply."""
    try:
        return bool(known.applies(sample))
    except Exception:
        return False


# -- the check ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    # "ok", "ok (loose)", "shape only", "mismatch", "error", "absent"; "too slow" (stopped at
    # the limit), "not compared" (torch was stopped)
    status: str
    detail: str = ""
    seconds: float | None = None  # the check's one call of this engine (wall time)

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "ok (loose)", "shape only")


def _compared(a: np.ndarray, e: np.ndarray, tol: Tolerance, scaled: bool) -> Compared:
    """parity's comparator (NaN/inf masks, values); the sign of zero is not the bench's business.

    scaled: atol grows with the array's largest value (sums whose rounding grows with n)."""
    atol = tol.atol
    if scaled and a.dtype.kind in "fc":
        finite = np.abs(e[np.isfinite(e)])
        atol = max(tol.atol, tol.atol * float(finite.max())) if finite.size else tol.atol
    if clearly_close(a, e, tol.rtol, atol):
        return Compared()
    return compare_arrays(a, e, tol.rtol, atol, zero_sign=False)


def compare(actual: list[Any], expected: list[Any], strict: Tolerance, loose_ok: bool,
            shape_only: bool = False) -> Check:
    """actual against torch's arrays: strict first, then LOOSE where the case allows it."""
    if len(actual) != len(expected):
        return Check("mismatch", f"{len(actual)} arrays where torch gives {len(expected)}")
    status = "ok"
    for i, (a, e) in enumerate(zip(actual, expected)):
        what = "output" if i == 0 else f"array {i}"
        if a is None or e is None:
            if (a is None) != (e is None):
                return Check("mismatch", f"{what}: {'None' if a is None else 'a gradient'} "
                                         f"where torch gives {'None' if e is None else 'one'}")
            continue
        a, e = np.asarray(a), np.asarray(e)
        if a.shape != e.shape or a.dtype != e.dtype:
            return Check("mismatch", f"{what}: {a.dtype}{list(a.shape)} where torch gives "
                                     f"{e.dtype}{list(e.shape)}")
        if shape_only:
            status = "shape only"
            continue
        strict_result = _compared(a, e, strict, scaled=False)
        if strict_result.mismatch is None:
            continue
        if loose_ok and _compared(a, e, LOOSE, scaled=True).mismatch is None:
            status = "ok (loose)"
            continue
        return Check("mismatch", f"{what}: max abs err {strict_result.abs_err:.3g}, max rel err "
                                 f"{strict_result.rel_err:.3g}; {strict_result.mismatch}")
    return Check(status)


def check(prepared: Prepared, limit: float | None = None) -> dict[str, Check]:
    """Run each engine once (untimed), timing that one call, and compare minitorch and the
    floor with torch.

    limit: seconds; a call still running then is stopped (timing.hard_limit) and its Check is
    "too slow", with the seconds it ran. A torch that is too slow leaves nothing to compare
    with: every engine that ran is then "too slow" or "error", never "ok".
    """
    results: dict[str, Any] = {}
    errors: dict[str, Check] = {}
    seconds: dict[str, float] = {}
    for name in ENGINES:
        factory = prepared.factories.get(name)
        if factory is None:
            errors[name] = Check("absent", "no implementation" if name == "minitorch" else "")
            continue
        t0 = time.perf_counter()
        try:
            with hard_limit(limit):
                runner = factory()
                t0 = time.perf_counter()
                results[name] = runner.read()
            seconds[name] = time.perf_counter() - t0
        except CaseTimeout:
            took = time.perf_counter() - t0
            errors[name] = Check("too slow", f"one call stopped after {took:.3g} s (limit "
                                             f"{limit:g} s)", took)
        except Exception as e:  # an engine that raises is the finding, not a crash of the bench
            errors[name] = Check("error", f"{type(e).__name__}: {str(e)[:200]}")
    if "torch" not in results and errors["torch"].status != "too slow":
        raise Skip(f"torch failed: {errors['torch'].detail}")
    if "torch" not in results:
        return {"torch": errors["torch"]} | {
            n: errors.get(n) or Check("not compared", "torch was stopped", seconds.get(n))
            for n in ("minitorch", "floor")}
    shape_only = any(n.startswith(("known difference", "values not compared"))
                     for n in prepared.notes)
    out = {"torch": Check("ok", seconds=seconds["torch"])}
    for name in ("minitorch", "floor"):
        if name in errors:
            out[name] = errors[name]
        else:
            c = compare(results[name], results["torch"], prepared.strict,
                        prepared.loose_ok, shape_only=shape_only)
            out[name] = replace(c, seconds=seconds[name])
    return out
