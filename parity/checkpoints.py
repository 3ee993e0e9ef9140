"""Checkpoint parity: mt.save -> torch.load and torch.save -> mt.load on the same objects.

minitorch writes torch's own file format (minitorch/serialization.py), so each
case builds one object in both engines (tensors of every dtype, a Parameter,
views sharing one storage, an MLP's state dict, an Adam state dict, nested
containers), saves it with one engine and loads it with the other under
weights_only=True, then compares with what the writer held: the same nesting
and types, every tensor's dtype, shape, strides and bits, and the same
storage sharing (views of one buffer must come back as views of one buffer).
The state-dict cases also load the checkpoint into a model and compare the
forward pass, and one case checks that a hostile pickle is refused by both.

`run_section(quick)` is what `python -m parity` calls;
`python -m parity.checkpoints` runs it alone.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

import minitorch as mt
from minitorch import serialization
from minitorch.tensor import Tensor
from parity.results import SectionFailure, SectionResult, print_section

DTYPES = ("float32", "float64", "int64", "int32", "bool")
COVERS = ("save", "load", "nn.Module.state_dict", "optim.Optimizer.state_dict")

KNOWN_DIFFERENCES = (
    ("dtypes minitorch does not have (uint8, int8, int16, float16, bfloat16, complex)",
     "a checkpoint holding them fails to load with a TypeError naming the dtype"),
    ("a view with negative strides (a NumPy flip)",
     "torch has no negative strides, so it is saved as a contiguous copy in its own storage"),
    ("a storage record whose CRC does not match",
     "minitorch raises RuntimeError; torch does not check the CRC and loads the bytes"),
    ("torch's legacy format (_use_new_zipfile_serialization=False), TorchScript archives",
     "not read: a RuntimeError says which format it is"),
)


@dataclass
class Case:
    id: str
    what: str
    build: Callable[[], tuple[Any, Any]]  # () -> (minitorch object, torch object)
    check_model: Callable[[Any, Any], str] | None = None  # extra check on the loaded objects


# -- building the same objects in both engines ------------------------------------------------


def _sample(dtype: str, shape: tuple[int, ...], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    return (rng.standard_normal(shape) * 100).astype(dtype)


def _pair(a: np.ndarray, requires_grad: bool = False) -> tuple[Tensor, torch.Tensor]:
    return (Tensor._make(a, requires_grad, None),
            torch.from_numpy(a).requires_grad_(requires_grad))


def _tensors(dtype: str) -> tuple[Any, Any]:
    a = _sample(dtype, (3, 4), 0)
    mine, theirs = {}, {}
    for key, view in (("t", a), ("0-d", a[1, 2]), ("empty", a[:0])):
        mine[key], theirs[key] = _pair(np.array(view))  # each its own buffer
    # a strided view of "t", made by each engine's own slicing: it shares t's storage
    mine["strided"] = Tensor._make(mine["t"].detach().numpy()[:, 1::2], False, None)
    theirs["strided"] = theirs["t"][:, 1::2]
    return mine, theirs


def _shared() -> tuple[Any, Any]:
    a = np.arange(24, dtype=np.float32).reshape(4, 6)
    t = torch.from_numpy(a)
    wrap = lambda v: Tensor._make(v, False, None)  # noqa: E731
    mine = {"t": wrap(a), "tail": wrap(a[1:]), "T": wrap(a.T), "col": wrap(a[:, 3]),
            "block": wrap(a[1:3, 2:5])}
    theirs = {"t": t, "tail": t[1:], "T": t.t(), "col": t[:, 3], "block": t[1:3, 2:5]}
    return mine, theirs


def _parameter() -> tuple[Any, Any]:
    a = _sample("float32", (2, 3), 1)
    mp = mt.nn.Parameter(Tensor._make(a.copy(), False, None))
    tp = torch.nn.Parameter(torch.from_numpy(a.copy()))
    frozen = _sample("float64", (2,), 2)
    return ({"p": mp, "frozen": mt.nn.Parameter(Tensor._make(frozen, False, None), False)},
            {"p": tp, "frozen": torch.nn.Parameter(torch.from_numpy(frozen), False)})


def _mlps() -> tuple[Any, Any]:
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    mm = mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.ReLU(), mt.nn.Linear(8, 3))
    mm.load_state_dict({k: Tensor._make(v.detach().numpy().copy(), False, None)
                        for k, v in tm.state_dict().items()})
    return mm, tm


def _state_dict() -> tuple[Any, Any]:
    mm, tm = _mlps()
    return mm.state_dict(), tm.state_dict()


def _forward_matches(mine: Any, theirs: Any) -> str:
    """Load each engine's state dict (as read back by the other engine) into a fresh model."""
    mm, tm = _mlps()
    for p in tm.parameters():
        torch.nn.init.zeros_(p)
    tm.load_state_dict(theirs)
    mm.load_state_dict(mine)
    x = _sample("float32", (5, 4), 3)
    got = mm(Tensor._make(x, False, None)).detach().numpy()
    want = tm(torch.from_numpy(x)).detach().numpy()
    # the weights are compared bit for bit above; the forward pass only at torch.testing's
    # float32 tolerance, since NumPy and torch sum a matmul in different orders
    if np.allclose(got, want, rtol=1.3e-6, atol=1e-5):
        return ""
    return f"forward differs by {float(np.max(np.abs(got - want))):.3g} after load_state_dict"


def _adam() -> tuple[Any, Any]:
    mm, tm = _mlps()
    mopt = mt.optim.Adam(mm.parameters(), lr=1e-2, weight_decay=0.1)
    topt = torch.optim.Adam(tm.parameters(), lr=1e-2, weight_decay=0.1)
    x = _sample("float32", (5, 4), 4)
    for _ in range(2):
        mopt.zero_grad()
        mm(Tensor._make(x, False, None)).sum().backward()
        mopt.step()
        topt.zero_grad()
        tm(torch.from_numpy(x)).sum().backward()
        topt.step()
    return mopt.state_dict(), topt.state_dict()


def _adam_loads(mine: Any, theirs: Any) -> str:
    mm, tm = _mlps()
    mt.optim.Adam(mm.parameters(), lr=1.0).load_state_dict(mine)
    torch.optim.Adam(tm.parameters(), lr=1.0).load_state_dict(theirs)
    return ""


def _containers() -> tuple[Any, Any]:
    a = _sample("int64", (3,), 5)
    m, t = _pair(a)
    plain = {"epoch": 7, "loss": 0.25, "name": "mlp", "none": None, "flags": [True, False],
             "big": 2**70, "pair": (1, (2.5, "x")), "bytes": b"\x00\xff", "set": {1, 2}}
    return ({**plain, "dtype": mt.float64, "t": [m, (m,)]},
            {**plain, "dtype": torch.float64, "t": [t, (t,)]})


def all_cases(quick: bool) -> list[Case]:
    cases = [Case(f"tensors/{d}", f"{d}: 2-d, 0-d, strided view, empty", lambda d=d: _tensors(d))
             for d in (DTYPES[:2] if quick else DTYPES)]
    cases += [
        Case("shared views", "t, t[1:], t.t(), t[:, 3], t[1:3, 2:5] of one buffer", _shared),
        Case("parameters", "nn.Parameter, trainable and frozen", _parameter),
        Case("MLP state_dict", "Linear-ReLU-Linear state dict (OrderedDict, _metadata)",
             _state_dict, _forward_matches),
        Case("Adam state_dict", "after 2 steps: step, exp_avg, exp_avg_sq, param_groups",
             _adam, _adam_loads),
        Case("containers", "nested dict/list/tuple, numbers, str, bytes, set, dtype, tensors",
             _containers),
    ]
    return cases


# -- comparing what came back ------------------------------------------------------------------


def _array(x: Any) -> np.ndarray:
    return x.detach().numpy()  # the same call in both engines; shares the tensor's memory


def _dtype_name(x: Any) -> str:
    return str(x.dtype).split(".")[-1]


def compare(got: Any, want: Any, path: str = "") -> list[str]:
    """Differences between a loaded object and the one its writer held (any engine each)."""
    is_tensor = lambda v: isinstance(v, (Tensor, torch.Tensor))  # noqa: E731
    if is_tensor(want):
        if not is_tensor(got):
            return [f"{path}: expected a tensor, got {type(got).__name__}"]
        out = []
        if isinstance(want, (mt.nn.Parameter, torch.nn.Parameter)) != isinstance(
                got, (mt.nn.Parameter, torch.nn.Parameter)):
            out.append(f"{path}: Parameter-ness differs")
        if bool(got.requires_grad) != bool(want.requires_grad):
            out.append(f"{path}: requires_grad {got.requires_grad} != {want.requires_grad}")
        a, b = _array(got), _array(want)
        if _dtype_name(got) != _dtype_name(want) or a.shape != b.shape:
            return out + [f"{path}: {_dtype_name(got)}{list(a.shape)} != "
                          f"{_dtype_name(want)}{list(b.shape)}"]
        if a.size and [s // a.itemsize for s in a.strides] != [s // b.itemsize for s in b.strides]:
            out.append(f"{path}: strides {a.strides} != {b.strides}")
        if not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
            out.append(f"{path}: values differ")
        return out
    if isinstance(want, dict):
        if not isinstance(got, dict) or list(got) != list(want):
            return [f"{path}: keys {list(got) if isinstance(got, dict) else got!r} != "
                    f"{list(want)}"]
        out = []
        if type(want) is OrderedDict and type(got) is not OrderedDict:
            out.append(f"{path}: expected an OrderedDict")
        if getattr(want, "_metadata", None) != getattr(got, "_metadata", None):
            out.append(f"{path}: _metadata differs")
        for k in want:
            out += compare(got[k], want[k], f"{path}[{k!r}]")
        return out
    if isinstance(want, (list, tuple)):
        if type(got) is not type(want) or len(got) != len(want):
            return [f"{path}: {type(got).__name__} of {len(got)} != "
                    f"{type(want).__name__} of {len(want)}"]
        return [d for i, (g, w) in enumerate(zip(got, want)) for d in compare(g, w, f"{path}[{i}]")]
    if isinstance(want, (mt.dtype, torch.dtype)):
        return [] if str(got).split(".")[-1] == str(want).split(".")[-1] else [
            f"{path}: dtype {got} != {want}"]
    if type(got) is not type(want) or got != want:
        return [f"{path}: {got!r} != {want!r}"]
    return []


def sharing(obj: Any) -> list[tuple[str, str]]:
    """Which pairs of tensors in `obj` share memory, by path (the same in both engines)."""
    found: list[tuple[str, np.ndarray]] = []

    def walk(x: Any, path: str) -> None:
        if isinstance(x, (Tensor, torch.Tensor)):
            found.append((path, _array(x)))
        elif isinstance(x, dict):
            for k, v in x.items():
                walk(v, f"{path}[{k!r}]")
        elif isinstance(x, (list, tuple)):
            for i, v in enumerate(x):
                walk(v, f"{path}[{i}]")

    walk(obj, "")
    return [(p, q) for i, (p, a) in enumerate(found) for q, b in found[i + 1:]
            if a.size and b.size and np.shares_memory(a, b)]


# -- running a case ----------------------------------------------------------------------------


def _through(save: Callable, load: Callable, obj: Any) -> Any:
    buf = io.BytesIO()
    save(obj, buf)
    buf.seek(0)
    return load(buf, weights_only=True)


def run_case(case: Case) -> list[dict[str, Any]]:
    """Both directions of one case, as two report rows."""
    rows = []
    for direction, save, load, writer_index in (
            ("mt.save -> torch.load", serialization.save, torch.load, 0),
            ("torch.save -> mt.load", torch.save, serialization.load, 1)):
        detail = ""
        try:
            objs = case.build()
            written = objs[writer_index]
            got = _through(save, load, written)
            problems = compare(got, written)
            if sharing(got) != sharing(written):
                problems.append(f"shared storage: {sharing(got)} != {sharing(written)}")
            if not problems and case.check_model is not None:
                mine, theirs = (written, got) if writer_index == 0 else (got, written)
                extra = case.check_model(mine, theirs)
                problems += [extra] if extra else []
            detail = "; ".join(problems[:3])
        except Exception as e:
            detail = f"crash: {type(e).__name__}: {' '.join(str(e).split())[:200]}"
        rows.append({"case": case.id, "direction": direction, "objects": case.what,
                     "status": "FAIL" if detail else "ok", "detail": detail})
    return rows


class _Hostile:
    def __reduce__(self):
        return (os.system, ("echo this must never run",))


def hostile_row() -> dict[str, Any]:
    """A checkpoint whose pickle would call os.system: both engines must refuse it."""
    buf = io.BytesIO()
    torch.save({"w": torch.ones(1), "x": _Hostile()}, buf)
    detail = []
    for name, load in (("minitorch", serialization.load), ("torch", torch.load)):
        try:
            load(io.BytesIO(buf.getvalue()), weights_only=True)
            detail.append(f"{name} loaded it")
        except pickle.UnpicklingError as e:
            if name == "minitorch" and "system" not in str(e):
                detail.append(f"{name}'s message does not name the global: {e}")
        except Exception as e:
            detail.append(f"{name} raised {type(e).__name__}, not UnpicklingError")
    return {"case": "hostile pickle", "direction": "torch.save -> both loads",
            "objects": "a pickle calling os.system", "status": "FAIL" if detail else "ok",
            "detail": "; ".join(detail)}


def run_section(quick: bool) -> SectionResult:
    """Every case both ways (quick: two dtypes instead of five) and the report section."""
    rows = [r for case in all_cases(quick) for r in run_case(case)] + [hostile_row()]
    failures = [SectionFailure(f"{r['case']} ({r['direction']})", r["detail"])
                for r in rows if r["status"] != "ok"]
    passed = len(rows) - len(failures)
    return SectionResult(
        title="Checkpoints (mt.save / mt.load against torch)",
        cases=len(rows), passed=passed, failed=len(failures), known=0,
        markdown=_markdown(rows, quick), failures=failures,
        json={"cases": rows, "known_differences": [list(k) for k in KNOWN_DIFFERENCES]},
        covers=list(COVERS),
    )


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    cell = lambda v: str(v).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _markdown(rows: list[dict[str, Any]], quick: bool) -> str:
    return "\n".join([
        "minitorch writes and reads torch's own checkpoint format (a zip of `data.pkl` and raw "
        "storages). Each object is built in both engines, saved by one and loaded by the other "
        "with `weights_only=True`; nesting, types, every tensor's dtype, shape, strides and bits "
        "and the storage sharing between tensors must match what the writer held. State dicts "
        "are also loaded into a model (and the forward pass compared) or an optimizer."
        + (" Quick subset." if quick else ""),
        "",
        _table(rows, ["case", "direction", "objects", "status", "detail"]),
        "Known differences:",
        "",
        _table([{"what": w, "behaviour": r} for w, r in KNOWN_DIFFERENCES],
               ["what", "behaviour"]),
    ])


if __name__ == "__main__":
    sys.exit(print_section(run_section, "--quick" in sys.argv))
