"""Data loading parity: minitorch.utils.data against torch.utils.data, case by case.

Every case is one small program written once against an `Engine` (the
tensor module and its `utils.data`), run on minitorch and on torch. What it
returns is flattened by `plain` (tensors become dtype, shape and values;
containers keep their type name), and the two results must be equal; when
it raises, the exception classes must be equal and the messages too (or as
the case says: a prefix, the first line). Warnings are compared where a
case asks for it.

Random samplers cannot match torch bit for bit (minitorch draws from its own
generator), so their cases are *properties* instead: a shuffle is a
permutation, weighted draws pass a seeded chi-square bound, the same seed
gives the same order. A property case runs on both engines and both must
pass it, which also shows the property is fair to torch.

Worker cases run DataLoader(num_workers=2) in both engines; inside a daemon
process (which may not have children) they are reported as known and
skipped. tests/utils/test_utils_data.py runs every case here, plus the checks that
only make sense for minitorch (cleanup of workers, a dying worker).
`python -m parity.data_loading [--quick] [--case ID]` prints the section.
"""

from __future__ import annotations

import argparse
import collections
import math
import multiprocessing as mp
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np

from parity.results import SectionFailure, SectionResult, print_section

CHECK_MODES = ("exact", "prefix", "first line")


@dataclass(frozen=True)
class Engine:
    """The two things a case needs: the tensor module and its utils.data."""

    name: str
    m: ModuleType
    data: ModuleType

    def generator(self, seed: int) -> Any:
        g = self.m.Generator()
        g.manual_seed(seed)
        return g


def engines() -> tuple[Engine, Engine]:
    import torch
    import torch.utils.data

    import minitorch
    import minitorch.utils.data

    return (Engine("minitorch", minitorch, minitorch.utils.data),
            Engine("torch", torch, torch.utils.data))


@dataclass(frozen=True)
class Case:
    id: str
    group: str
    run: Callable[[Engine], Any]
    covers: tuple[str, ...]
    kind: str = "compare"  # "compare": equal to torch; "property": run(E) is True on both
    message: str = "exact"  # how error messages compare, one of CHECK_MODES
    warns: bool = False  # compare the warnings raised too
    workers: bool = False  # starts worker processes


class Point(NamedTuple):
    """A namedtuple sample (module level, so it pickles from a worker)."""

    x: Any
    y: Any


# ----------------------------------------------------------------------------
# Flattening results so that the two engines' can be compared with ==.
# ----------------------------------------------------------------------------


def plain(x: Any) -> Any:
    """A comparable picture of `x`: tensors by dtype, shape and values, containers by
    type name, scalars by type (so True is not 1)."""
    if type(x).__name__ in ("Tensor", "Parameter") and hasattr(x, "dtype"):
        return ["tensor", str(x.dtype).rsplit(".", 1)[-1], list(x.shape),
                np.asarray(x.detach().numpy()).tolist()]
    if isinstance(x, np.ndarray):
        return ["ndarray", x.dtype.str, x.tolist()]
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return ["namedtuple", type(x).__name__, [plain(v) for v in x]]
    if isinstance(x, collections.abc.Mapping):
        return ["mapping", type(x).__name__, [[k, plain(v)] for k, v in x.items()]]
    if isinstance(x, (list, tuple)):
        return [type(x).__name__, [plain(v) for v in x]]
    if isinstance(x, (bool, int, float, str, bytes, type(None))):
        return [type(x).__name__, x]
    if isinstance(x, np.generic):
        return ["numpy", x.dtype.str, x.item()]
    return ["object", type(x).__name__]


@dataclass
class Outcome:
    value: Any = None
    error: tuple[str, str] | None = None  # (class name, message)
    warnings: tuple[str, ...] = ()


def outcome(case: Case, engine: Engine) -> Outcome:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = Outcome(value=plain(case.run(engine)))
        except Exception as e:
            out = Outcome(error=(type(e).__name__, str(e)))
            _drop_tracebacks(e)
    out.warnings = tuple(str(w.message) for w in caught)
    return out


def _drop_tracebacks(e: BaseException | None) -> None:
    """Free what an exception's frames hold, now rather than at some later gc.

    torch re-raises a worker's error from a frame that holds the exception itself, a
    reference cycle that keeps its DataLoader iterator (and workers) alive until a gc.
    That gc may then run inside a worker forked later by another case, which inherited
    the garbage: torch's __del__ there stops the parent's workers and waits 10 s.
    """
    while e is not None:
        e.__traceback__ = None
        e = e.__cause__ or e.__context__


def _messages_agree(mode: str, mine: str, theirs: str) -> bool:
    if mode == "prefix":
        return mine.startswith(theirs)
    if mode == "first line":
        return mine.splitlines()[:1] == theirs.splitlines()[:1]
    return mine == theirs


def judge(case: Case, mine: Outcome, theirs: Outcome) -> str:
    """'' when minitorch agrees with torch, else what differs."""
    if case.kind == "property":
        for name, o in (("minitorch", mine), ("torch", theirs)):
            if o.error or o.value != ["bool", True]:
                return f"property fails on {name}: {o.error or o.value}"
        return ""
    if mine.error or theirs.error:
        if not (mine.error and theirs.error):
            return f"minitorch {mine.error or 'returned'} vs torch {theirs.error or 'returned'}"
        if mine.error[0] != theirs.error[0]:
            return f"raises {mine.error[0]}, torch raises {theirs.error[0]}"
        if not _messages_agree(case.message, mine.error[1], theirs.error[1]):
            return (f"message ({case.message}) {mine.error[1]!r} vs torch "
                    f"{theirs.error[1]!r}")
    elif mine.value != theirs.value:
        return f"minitorch {_short(mine.value)} vs torch {_short(theirs.value)}"
    if case.warns and mine.warnings != theirs.warnings:
        return f"warnings {list(mine.warnings)} vs torch {list(theirs.warnings)}"
    return ""


def _short(v: Any, n: int = 300) -> str:
    s = repr(v)
    return s if len(s) <= n else s[:n] + "..."


def run_case(case: Case) -> tuple[str, str]:
    """(status, detail): status 'ok', 'FAIL' or 'known' (worker cases in a daemon process)."""
    if case.workers and mp.current_process().daemon:
        return "known", "skipped: a daemon process may not start DataLoader workers"
    mine_engine, torch_engine = engines()
    detail = judge(case, outcome(case, mine_engine), outcome(case, torch_engine))
    return ("FAIL" if detail else "ok"), detail


# ----------------------------------------------------------------------------
# The cases. Each `run` takes an Engine E; E.m is the tensor module, E.data utils.data.
# ----------------------------------------------------------------------------

CASES: list[Case] = []
D = "utils.data."


def add(cid: str, group: str, covers: tuple[str, ...] | str, **kw: Any) -> Callable:
    """Decorator form: @add("id", "group", "utils.data.X") over def run(E)."""
    def wrap(fn: Callable[[Engine], Any]) -> Callable[[Engine], Any]:
        names = (covers,) if isinstance(covers, str) else covers
        CASES.append(Case(cid, group, fn, tuple(D + c for c in names), **kw))
        return fn
    return wrap


def case(cid: str, group: str, covers: tuple[str, ...] | str,
         fn: Callable[[Engine], Any], **kw: Any) -> None:
    add(cid, group, covers, **kw)(fn)


# -- default_collate -------------------------------------------------------------------------
def _arr(*shape: int, dtype: str = "float32", start: int = 0) -> np.ndarray:
    return (np.arange(math.prod(shape)) + start).reshape(shape).astype(dtype)


COLLATE_BATCHES: dict[str, Callable[[Engine], list]] = {
    "float32 tensors": lambda E: [E.m.tensor(_arr(2, start=i)) for i in range(3)],
    "0-dim tensors": lambda E: [E.m.tensor(float(i)) for i in range(4)],
    "int64 matrices": lambda E: [E.m.tensor(_arr(2, 2, dtype="int64", start=i)) for i in range(2)],
    "bool tensors": lambda E: [E.m.tensor([True, False]), E.m.tensor([False, False])],
    "float64 arrays": lambda E: [_arr(3, dtype="float64", start=i) for i in range(2)],
    "int32 arrays": lambda E: [_arr(2, 2, dtype="int32", start=i) for i in range(3)],
    "bool arrays": lambda E: [np.array([True, False]), np.array([False, True])],
    "python ints": lambda E: [1, 2, 3],
    "python floats": lambda E: [0.5, 1.5],
    "python bools": lambda E: [True, False, True],
    "int then float": lambda E: [1, 2.5],
    "float then int": lambda E: [1.5, 2],
    "strings": lambda E: ["a", "bc"],
    "bytes": lambda E: [b"a", b"b"],
    "numpy float32 scalars": lambda E: [np.float32(1.5), np.float32(2)],
    "numpy float64 scalars": lambda E: [np.float64(1.5), np.float64(2)],
    "numpy int64 scalars": lambda E: [np.int64(3), np.int64(4)],
    "numpy bool scalars": lambda E: [np.bool_(True), np.bool_(False)],
    "(tensor, int) pairs": lambda E: [(E.m.tensor(_arr(2, start=i)), i) for i in range(3)],
    "[float, str] lists": lambda E: [[0.5, "x"], [1.5, "y"]],
    "dicts": lambda E: [{"x": E.m.tensor(_arr(2, start=i)), "y": i, "name": f"s{i}"}
                        for i in range(2)],
    "OrderedDicts": lambda E: [collections.OrderedDict(a=i, b=float(i)) for i in range(2)],
    "namedtuples": lambda E: [Point(E.m.tensor(_arr(3, start=i)), 0.5 * i) for i in range(2)],
    "dict of (array, int) tuples": lambda E: [{"pair": (_arr(2, 3, start=i), i)}
                                              for i in range(2)],
    "lists of tensors": lambda E: [[E.m.tensor(_arr(2, start=i)), E.m.tensor(_arr(1))]
                                   for i in range(2)],
    "a batch of one": lambda E: [(E.m.tensor(_arr(2)), 1.0)],
}

COLLATE_ERRORS: dict[str, Callable[[Engine], list]] = {
    "tensors of different sizes": lambda E: [E.m.tensor(_arr(2)), E.m.tensor(_arr(3))],
    "arrays of different shapes": lambda E: [_arr(2, 2), _arr(2, 3)],
    "an object": lambda E: [object(), object()],
    "None": lambda E: [None, None],
    "lists of unequal length": lambda E: [[1, 2], [3]],
    "string arrays": lambda E: [np.array(["a"]), np.array(["b"])],
    "object arrays": lambda E: [np.array([None]), np.array([None])],
}

for _name, _batch in COLLATE_BATCHES.items():
    case(f"default_collate/{_name}", "default_collate", "default_collate",
         lambda E, b=_batch: E.data.default_collate(b(E)))
for _name, _batch in COLLATE_ERRORS.items():
    case(f"default_collate/error/{_name}", "default_collate", "default_collate",
         lambda E, b=_batch: E.data.default_collate(b(E)))

CONVERT_SAMPLES: dict[str, Callable[[Engine], Any]] = {
    "float64 array": lambda E: _arr(2, 2, dtype="float64"),
    "int32 array": lambda E: _arr(3, dtype="int32"),
    "numpy float32 scalar": lambda E: np.float32(2.5),
    "numpy int64 scalar": lambda E: np.int64(7),
    "string array (kept)": lambda E: np.array(["a", "b"]),
    "numpy string scalar (kept)": lambda E: np.str_("abc"),
    "tensor": lambda E: E.m.tensor(_arr(2)),
    "tuple (to a list)": lambda E: (_arr(2), 3, "s"),
    "list": lambda E: [_arr(2), 1.5],
    "dict": lambda E: {"a": np.float64(2.0), "b": [_arr(1, dtype="int64")]},
    "namedtuple": lambda E: Point(_arr(2), np.int64(1)),
    "python numbers (kept)": lambda E: [1, 2.5, True],
    "string (kept)": lambda E: "text",
}
for _name, _sample in CONVERT_SAMPLES.items():
    case(f"default_convert/{_name}", "default_convert", "default_convert",
         lambda E, s=_sample: E.data.default_convert(s(E)))


# -- datasets --------------------------------------------------------------------------------
def _tensor_dataset(E: Engine, n: int = 10) -> Any:
    return E.data.TensorDataset(E.m.tensor(_arr(n, 2)), E.m.tensor(_arr(n, dtype="int64")))


case("TensorDataset/items", "datasets", "TensorDataset",
     lambda E: [len(_tensor_dataset(E)), _tensor_dataset(E)[0], _tensor_dataset(E)[-1],
                _tensor_dataset(E)[2:5], _tensor_dataset(E)[[1, 3]]])
case("TensorDataset/one tensor", "datasets", "TensorDataset",
     lambda E: list(E.data.TensorDataset(E.m.tensor(_arr(3)))))
case("TensorDataset/size mismatch", "datasets", "TensorDataset",
     lambda E: E.data.TensorDataset(E.m.tensor(_arr(3)), E.m.tensor(_arr(4))), message="prefix")
case("Dataset/getitem not implemented", "datasets", "Dataset",
     lambda E: E.data.Dataset()[0])
case("Dataset/no len", "datasets", "Dataset", lambda E: len(E.data.Dataset()))
case("Subset/items", "datasets", "Subset",
     lambda E: (lambda s: [len(s), [s[i] for i in range(len(s))], s[-1], s.indices])(
         E.data.Subset(list("abcdefg"), [6, 0, 3])))
case("Subset/of a TensorDataset, list index", "datasets", "Subset",
     lambda E: E.data.Subset(_tensor_dataset(E), [9, 2, 4])[[0, 2]])
case("Subset/__getitems__", "datasets", "Subset",
     lambda E: E.data.Subset(list(range(10, 20)), [5, 1, 7]).__getitems__([2, 0]))


def _concat(E: Engine) -> Any:
    return E.data.ConcatDataset([list(range(3)), E.data.Subset(list("abcd"), [3, 2]), [9.5]])


case("ConcatDataset/items", "datasets", "ConcatDataset",
     lambda E: (lambda c: [len(c), c.cumulative_sizes, [c[i] for i in range(len(c))],
                           [c[-i] for i in range(1, len(c) + 1)]])(_concat(E)))
case("ConcatDataset/index too negative", "datasets", "ConcatDataset", lambda E: _concat(E)[-7])
case("ConcatDataset/index too large", "datasets", "ConcatDataset", lambda E: _concat(E)[6])
case("ConcatDataset/empty", "datasets", "ConcatDataset", lambda E: E.data.ConcatDataset([]))


class _Range:
    """A stream 0..n-1, optionally split between workers by get_worker_info()."""

    def __init__(self, n: int, shard: bool = False, get_info: Callable | None = None) -> None:
        self.n, self.shard, self.get_info = n, shard, get_info

    def __iter__(self) -> Iterator[int]:
        info = self.get_info() if self.shard and self.get_info else None
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


def _stream(E: Engine, n: int, shard: bool = False, with_len: bool = False) -> Any:
    """An IterableDataset of E (a class made per engine: it must subclass E's base)."""
    base = E.data.IterableDataset
    attrs: dict[str, Any] = {
        "__init__": lambda self: _Range.__init__(self, n, shard, E.data.get_worker_info),
        "__iter__": _Range.__iter__,
    }
    if with_len:
        attrs["__len__"] = lambda self: n
    return type("Stream", (base,), attrs)()


case("ConcatDataset/IterableDataset refused", "datasets", "ConcatDataset",
     lambda E: E.data.ConcatDataset([[1], _stream(E, 3)]))


def _as_dataset(E: Engine, items: list) -> Any:
    cls = type("Items", (E.data.Dataset,), {
        "__getitem__": lambda self, i: items[i], "__len__": lambda self: len(items)})
    return cls()


case("Dataset/__add__", "datasets", ("Dataset", "ConcatDataset"),
     lambda E: (lambda c: [type(c).__name__, len(c), [c[i] for i in range(len(c))]])(
         _as_dataset(E, [1, 2]) + _as_dataset(E, [3]) + _as_dataset(E, [4, 5])))
case("IterableDataset/__add__ chains", "datasets", ("IterableDataset", "ChainDataset"),
     lambda E: (lambda c: [type(c).__name__, list(c), len(c)])(
         _stream(E, 2, with_len=True) + _stream(E, 3, with_len=True)))
case("ChainDataset/map-style refused", "datasets", "ChainDataset",
     lambda E: list(E.data.ChainDataset([_stream(E, 2), [1, 2]])))
case("StackDataset/tuple and dict", "datasets", "StackDataset",
     lambda E: [E.data.StackDataset([1, 2], "ab")[1], E.data.StackDataset(x=[1, 2], y="ab")[0],
                len(E.data.StackDataset([1, 2], "ab"))])
case("StackDataset/size mismatch", "datasets", "StackDataset",
     lambda E: E.data.StackDataset([1, 2], "abc"))
case("StackDataset/nothing", "datasets", "StackDataset", lambda E: E.data.StackDataset())


# -- random_split ----------------------------------------------------------------------------
SPLITS: dict[str, tuple[int, list]] = {
    "ints": (10, [3, 7]),
    "ints with a zero": (5, [0, 5]),
    "halves of 11": (11, [0.5, 0.5]),
    "thirds of 10": (10, [0.33, 0.33, 0.34]),
    "tenths of 7": (7, [0.1] * 10),
    "fractions of 100": (100, [0.7, 0.2, 0.1]),
    "sum too small": (10, [3, 6]),
    "sum too large": (10, [5, 6]),
    "fraction above 1": (10, [1.5, -0.5]),
}


def _split(E: Engine, n: int, lengths: list) -> list:
    parts = E.data.random_split(list(range(n)), lengths, generator=E.generator(0))
    union = sorted(i for p in parts for i in p)
    return [[len(p) for p in parts], union == list(range(n)),
            all(type(p).__name__ == "Subset" for p in parts)]


for _name, (_n, _lengths) in SPLITS.items():
    case(f"random_split/{_name}", "random_split", "random_split",
         lambda E, n=_n, ls=_lengths: _split(E, n, ls), warns=True)


@add("random_split/same seed, same split", "random_split", "random_split", kind="property")
def _split_seeded(E: Engine) -> bool:
    a = E.data.random_split(range(20), [0.5, 0.5], generator=E.generator(7))
    b = E.data.random_split(range(20), [0.5, 0.5], generator=E.generator(7))
    return [list(p) for p in a] == [list(p) for p in b]


# -- samplers --------------------------------------------------------------------------------
case("SequentialSampler", "samplers", "SequentialSampler",
     lambda E: [list(E.data.SequentialSampler(range(5))), len(E.data.SequentialSampler("abc"))])
for _n in (0, 1, 7, 10):
    for _bs in (1, 3, 10, 11):
        for _dl in (False, True):
            case(f"BatchSampler/n={_n} batch_size={_bs} drop_last={_dl}", "samplers",
                 "BatchSampler",
                 lambda E, n=_n, bs=_bs, dl=_dl: (lambda s: [list(s), len(s)])(
                     E.data.BatchSampler(E.data.SequentialSampler(range(n)), bs, dl)))
case("BatchSampler/over a list", "samplers", "BatchSampler",
     lambda E: list(E.data.BatchSampler([4, 2, 0, 1, 3], 2, False)))
case("Sampler/base iter", "samplers", "Sampler", lambda E: iter(E.data.Sampler()))

SAMPLER_ERRORS: dict[str, Callable[[Engine], Any]] = {
    "RandomSampler replacement=1": lambda E: E.data.RandomSampler(range(3), replacement=1),
    "RandomSampler num_samples=0": lambda E: E.data.RandomSampler(range(3), num_samples=0),
    "RandomSampler num_samples=-2": lambda E: E.data.RandomSampler(range(3), num_samples=-2),
    "RandomSampler num_samples=2.0": lambda E: E.data.RandomSampler(range(3), num_samples=2.0),
    "RandomSampler empty dataset": lambda E: E.data.RandomSampler([]),
    "BatchSampler batch_size=0": lambda E: E.data.BatchSampler(range(3), 0, False),
    "BatchSampler batch_size=True": lambda E: E.data.BatchSampler(range(3), True, False),
    "BatchSampler batch_size=2.0": lambda E: E.data.BatchSampler(range(3), 2.0, False),
    "BatchSampler drop_last=1": lambda E: E.data.BatchSampler(range(3), 2, 1),
    "WeightedRandomSampler num_samples=0": lambda E: E.data.WeightedRandomSampler([1, 2], 0),
    "WeightedRandomSampler num_samples=True":
        lambda E: E.data.WeightedRandomSampler([1, 2], True),
    "WeightedRandomSampler num_samples=1.0": lambda E: E.data.WeightedRandomSampler([1, 2], 1.0),
    "WeightedRandomSampler replacement=0":
        lambda E: E.data.WeightedRandomSampler([1, 2], 2, replacement=0),
    "WeightedRandomSampler 2-d weights": lambda E: E.data.WeightedRandomSampler([[1, 2]], 2),
    "WeightedRandomSampler negative weight":
        lambda E: list(E.data.WeightedRandomSampler([-1.0, 2.0], 2)),
    "WeightedRandomSampler zero weights": lambda E: list(E.data.WeightedRandomSampler([0, 0], 2)),
    "WeightedRandomSampler too many without replacement":
        lambda E: list(E.data.WeightedRandomSampler([1, 2], 3, replacement=False)),
}
for _name, _fn in SAMPLER_ERRORS.items():
    case(f"sampler errors/{_name}", "samplers", _name.split()[0], _fn)

case("samplers/lengths", "samplers",
     ("RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler"),
     lambda E: [len(E.data.RandomSampler(range(7))),
                len(E.data.RandomSampler(range(7), replacement=True, num_samples=30)),
                len(E.data.RandomSampler(range(7), num_samples=3)),
                len(E.data.SubsetRandomSampler([5, 1, 2])),
                len(E.data.WeightedRandomSampler([1, 2, 3], 9)),
                E.data.WeightedRandomSampler([1, 2, 3], 9).weights])


def _chi_square_ok(counts: np.ndarray, probs: np.ndarray) -> bool:
    """Pearson's chi-square below its mean + 6 standard deviations (seeded, so no flakes)."""
    expected = counts.sum() * probs
    stat = float(((counts - expected) ** 2 / expected).sum())
    dof = len(counts) - 1
    return stat < dof + 6 * math.sqrt(2 * dof)


@add("RandomSampler/a permutation", "samplers", "RandomSampler", kind="property")
def _random_perm(E: Engine) -> bool:
    E.m.manual_seed(0)
    orders = [list(E.data.RandomSampler(range(50))) for _ in range(3)]
    seeded = list(E.data.RandomSampler(range(50), generator=E.generator(1)))
    return (all(sorted(o) == list(range(50)) for o in orders + [seeded])
            and len({tuple(o) for o in orders}) == 3)


@add("RandomSampler/num_samples beyond n, no replacement", "samplers", "RandomSampler",
     kind="property")
def _random_many(E: Engine) -> bool:
    s = list(E.data.RandomSampler(range(10), num_samples=25, generator=E.generator(2)))
    return (len(s) == 25 and sorted(s[:10]) == sorted(s[10:20]) == list(range(10))
            and len(set(s[20:])) == 5)


@add("RandomSampler/replacement is uniform", "samplers", "RandomSampler", kind="property")
def _random_uniform(E: Engine) -> bool:
    s = np.array(list(E.data.RandomSampler(range(8), replacement=True, num_samples=16000,
                                           generator=E.generator(3))))
    return bool(s.min() >= 0 and s.max() < 8 and len(s) == 16000
                and _chi_square_ok(np.bincount(s, minlength=8), np.full(8, 1 / 8)))


@add("RandomSampler/same seed, same order", "samplers", "RandomSampler", kind="property")
def _random_seeded(E: Engine) -> bool:
    def draw(seed: int) -> list[int]:
        return list(E.data.RandomSampler(range(30), generator=E.generator(seed)))
    return draw(5) == draw(5) != draw(6)


@add("SubsetRandomSampler/a permutation of the indices", "samplers", "SubsetRandomSampler",
     kind="property")
def _subset_random(E: Engine) -> bool:
    idx = [12, 3, 40, 7, 9]
    s = list(E.data.SubsetRandomSampler(idx, generator=E.generator(4)))
    return sorted(s) == sorted(idx)


@add("WeightedRandomSampler/follows the weights", "samplers", "WeightedRandomSampler",
     kind="property")
def _weighted(E: Engine) -> bool:
    w = np.array([1.0, 0.0, 3.0, 6.0])
    s = np.array(list(E.data.WeightedRandomSampler(w.tolist(), 20000, generator=E.generator(5))))
    counts = np.bincount(s, minlength=4)
    nz = w > 0
    return bool(counts[1] == 0 and _chi_square_ok(counts[nz], w[nz] / w.sum()))


@add("WeightedRandomSampler/no replacement: distinct, zero weights last", "samplers",
     "WeightedRandomSampler", kind="property")
def _weighted_unique(E: Engine) -> bool:
    s = list(E.data.WeightedRandomSampler([0.0, 5.0, 0.0, 1.0, 2.0], 5, replacement=False,
                                          generator=E.generator(6)))
    return sorted(s) == [0, 1, 2, 3, 4] and set(s[3:]) == {0, 2}


@add("WeightedRandomSampler/no replacement: first draw follows the weights", "samplers",
     "WeightedRandomSampler", kind="property")
def _weighted_first(E: Engine) -> bool:
    w = np.array([1.0, 2.0, 7.0])
    g = E.generator(8)
    first = [next(iter(E.data.WeightedRandomSampler(w.tolist(), 2, replacement=False,
                                                    generator=g))) for _ in range(1500)]
    return _chi_square_ok(np.bincount(first, minlength=3), w / w.sum())


# -- DataLoader ------------------------------------------------------------------------------
def _batches(loader: Any) -> list:
    return [len(loader), list(loader)]


for _bs in (1, 3, 4, 10, 12):
    for _dl in (False, True):
        case(f"DataLoader/TensorDataset batch_size={_bs} drop_last={_dl}", "DataLoader",
             "DataLoader", lambda E, bs=_bs, dl=_dl: _batches(
                 E.data.DataLoader(_tensor_dataset(E), batch_size=bs, drop_last=dl)))
case("DataLoader/defaults on a list", "DataLoader", "DataLoader",
     lambda E: _batches(E.data.DataLoader([1.5, 2.5, 3.5])))
case("DataLoader/batch_size=None converts each sample", "DataLoader", "DataLoader",
     lambda E: _batches(E.data.DataLoader([(_arr(2, start=i), i) for i in range(3)],
                                          batch_size=None)))
case("DataLoader/dict samples", "DataLoader", "DataLoader",
     lambda E: _batches(E.data.DataLoader(
         [{"x": _arr(3, start=i), "label": i % 2, "id": f"s{i}"} for i in range(5)],
         batch_size=2)))
case("DataLoader/namedtuple samples", "DataLoader", "DataLoader",
     lambda E: _batches(E.data.DataLoader([Point(float(i), np.int64(i)) for i in range(4)],
                                          batch_size=3)))
case("DataLoader/collate_fn", "DataLoader", "DataLoader",
     lambda E: _batches(E.data.DataLoader(list(range(5)), batch_size=2,
                                          collate_fn=lambda b: [x * 10 for x in b])))
case("DataLoader/sampler", "DataLoader", ("DataLoader", "Sampler"),
     lambda E: _batches(E.data.DataLoader(list("abcdef"), batch_size=2, sampler=[5, 0, 3])))
case("DataLoader/batch_sampler", "DataLoader", ("DataLoader", "BatchSampler"),
     lambda E: _batches(E.data.DataLoader(_tensor_dataset(E), batch_sampler=[[0, 1, 2], [7]])))
case("DataLoader/Subset dataset", "DataLoader", ("DataLoader", "Subset"),
     lambda E: _batches(E.data.DataLoader(E.data.Subset(_tensor_dataset(E), [9, 1, 5]),
                                          batch_size=2)))
case("DataLoader/shuffle: length", "DataLoader", "DataLoader",
     lambda E: [len(E.data.DataLoader(range(10), batch_size=3, shuffle=True)),
                len(E.data.DataLoader(range(10), batch_size=3, shuffle=True, drop_last=True))])
case("DataLoader/RandomSampler with num_samples: length", "DataLoader", "DataLoader",
     lambda E: len(E.data.DataLoader(range(10), batch_size=4, sampler=E.data.RandomSampler(
         range(10), replacement=True, num_samples=21))))
case("DataLoader/pin_memory=True", "DataLoader", "DataLoader",
     lambda E: _batches(E.data.DataLoader(range(3), batch_size=2, pin_memory=True)), warns=True)
case("DataLoader/stack error in collate", "DataLoader", ("DataLoader", "default_collate"),
     lambda E: list(E.data.DataLoader([_arr(2), _arr(3)], batch_size=2)))
for _bs in (1, 3, None):
    for _dl in ((False, True) if _bs else (False,)):
        case(f"DataLoader/IterableDataset batch_size={_bs} drop_last={_dl}", "DataLoader",
             ("DataLoader", "IterableDataset"),
             lambda E, bs=_bs, dl=_dl: _batches(E.data.DataLoader(
                 _stream(E, 7, with_len=True), batch_size=bs, drop_last=dl)))
case("DataLoader/IterableDataset without __len__", "DataLoader", "DataLoader",
     lambda E: len(E.data.DataLoader(_stream(E, 3))))


@add("DataLoader/shuffle: each epoch a permutation", "DataLoader", "DataLoader",
     kind="property")
def _loader_shuffle(E: Engine) -> bool:
    loader = E.data.DataLoader(range(23), batch_size=5, shuffle=True, generator=E.generator(9))
    epochs = [[int(i) for b in loader for i in b.tolist()] for _ in range(2)]
    return all(sorted(e) == list(range(23)) for e in epochs) and epochs[0] != epochs[1]


@add("DataLoader/shuffle: same seed, same batches", "DataLoader", "DataLoader",
     kind="property")
def _loader_seeded(E: Engine) -> bool:
    def epoch(seed: int) -> list:
        loader = E.data.DataLoader(range(23), batch_size=5, shuffle=True,
                                   generator=E.generator(seed))
        return [b.tolist() for b in loader]
    return epoch(3) == epoch(3) != epoch(4)


LOADER_ERRORS: dict[str, Callable[[Engine], Any]] = {
    "num_workers=-1": lambda E: E.data.DataLoader(range(3), num_workers=-1),
    "timeout=-1": lambda E: E.data.DataLoader(range(3), timeout=-1),
    "prefetch_factor without workers": lambda E: E.data.DataLoader(range(3), prefetch_factor=2),
    "negative prefetch_factor": lambda E: E.data.DataLoader(range(3), num_workers=1,
                                                            prefetch_factor=-1),
    "persistent_workers without workers":
        lambda E: E.data.DataLoader(range(3), persistent_workers=True),
    "sampler with shuffle": lambda E: E.data.DataLoader(range(3), sampler=[0, 1], shuffle=True),
    "batch_sampler with batch_size": lambda E: E.data.DataLoader(range(3), batch_size=2,
                                                                 batch_sampler=[[0]]),
    "batch_sampler with shuffle": lambda E: E.data.DataLoader(range(3), shuffle=True,
                                                              batch_sampler=[[0]]),
    "batch_sampler with sampler": lambda E: E.data.DataLoader(range(3), sampler=[0],
                                                              batch_sampler=[[0]]),
    "batch_sampler with drop_last": lambda E: E.data.DataLoader(range(3), drop_last=True,
                                                                batch_sampler=[[0]]),
    "batch_size=None with drop_last": lambda E: E.data.DataLoader(range(3), batch_size=None,
                                                                  drop_last=True),
    "batch_size=0": lambda E: E.data.DataLoader(range(3), batch_size=0),
    "IterableDataset with shuffle": lambda E: E.data.DataLoader(_stream(E, 3), shuffle=True),
    "IterableDataset with sampler": lambda E: E.data.DataLoader(_stream(E, 3), sampler=[0]),
    "IterableDataset with batch_sampler":
        lambda E: E.data.DataLoader(_stream(E, 3), batch_sampler=[[0]]),
    "multiprocessing_context without workers":
        lambda E: E.data.DataLoader(range(3), multiprocessing_context="fork"),
    "multiprocessing_context unknown":
        lambda E: E.data.DataLoader(range(3), num_workers=1, multiprocessing_context="nope"),
    "multiprocessing_context not a context":
        lambda E: E.data.DataLoader(range(3), num_workers=1, multiprocessing_context=3),
    "setting batch_size after init": lambda E: setattr(E.data.DataLoader(range(3)),
                                                       "batch_size", 2),
    "timeout without workers": lambda E: iter(E.data.DataLoader(range(3), timeout=1)),
    "len of a stream without __len__": lambda E: len(E.data.DataLoader(_stream(E, 3),
                                                                       batch_size=2)),
}
for _name, _fn in LOADER_ERRORS.items():
    case(f"DataLoader/error/{_name}", "DataLoader", "DataLoader", _fn)


# -- worker processes ------------------------------------------------------------------------
class _Squares:
    """A map-style dataset that reports which worker read each sample."""

    def __init__(self, n: int, get_info: Callable) -> None:
        self.n, self.get_info = n, get_info

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> dict[str, Any]:
        info = self.get_info()
        return {"x": np.array([i, i * i], dtype=np.float32), "i": i,
                "worker": -1 if info is None else info.id,
                "of": -1 if info is None else info.num_workers,
                "init": _INIT_SEEN.get("worker", -1)}


class _Failing:
    """Sample 4 raises: the third batch of two fails, the fourth is fine."""

    def __len__(self) -> int:
        return 8

    def __getitem__(self, i: int) -> int:
        if i == 4:
            raise ValueError(f"sample {i} is broken")
        return i


_INIT_SEEN: dict[str, int] = {}


def _init_worker(worker_id: int) -> None:
    _INIT_SEEN["worker"] = 100 + worker_id  # in the worker's own memory


# Fork where there is fork: torch's default is the process's start method, which is spawn
# inside the report's worker pool, and a spawned torch worker takes seconds to import torch.
FORK = {"multiprocessing_context": "fork"} if "fork" in mp.get_all_start_methods() else {}


def _loader(E: Engine, dataset: Any, **kw: Any) -> Any:
    """E's DataLoader, forking its workers if it has any."""
    return E.data.DataLoader(dataset, **kw, **(FORK if kw.get("num_workers") else {}))


def _worker_loader(E: Engine, **kw: Any) -> Any:
    return _loader(E, _Squares(11, E.data.get_worker_info), **kw)


case("workers/map dataset, batch_size=3", "workers", ("DataLoader", "get_worker_info"),
     lambda E: _batches(_worker_loader(E, batch_size=3, num_workers=2)), workers=True)
case("workers/worker_init_fn, drop_last", "workers", "DataLoader",
     lambda E: _batches(_worker_loader(E, batch_size=4, num_workers=2, drop_last=True,
                                       worker_init_fn=_init_worker)), workers=True)
case("workers/batch_size=None", "workers", "DataLoader",
     lambda E: _batches(_worker_loader(E, batch_size=None, num_workers=2)), workers=True)
case("workers/prefetch_factor=1, 3 workers", "workers", "DataLoader",
     lambda E: _batches(_worker_loader(E, batch_size=2, num_workers=3, prefetch_factor=1)),
     workers=True)
case("workers/sharded IterableDataset", "workers", ("DataLoader", "IterableDataset"),
     lambda E: list(_loader(E, _stream(E, 10, shard=True), batch_size=3, num_workers=2)),
     workers=True)
case("workers/persistent_workers, two epochs", "workers", "DataLoader",
     lambda E: (lambda ld: [list(ld), list(ld)])(
         _worker_loader(E, batch_size=5, num_workers=2, persistent_workers=True)),
     workers=True)


def _keep_going(loader: Any, tries: int = 5) -> list:
    """next() again after an error: torch's iterator goes on with the following batches.
    An error shows as its class and the first line of its message (the worker's traceback
    follows). Reading to the end lets torch shut its workers down at once; an iterator
    abandoned after a worker error takes torch 10 s to shut down when collected."""
    out, it = [], iter(loader)
    for _ in range(tries):
        try:
            out.append(next(it))
        except StopIteration:
            out.append("StopIteration")
            break
        except Exception as e:
            out.append(f"{type(e).__name__}: {str(e).splitlines()[0]}")
    return out


case("workers/an exception in a worker, and the batches after it", "workers", "DataLoader",
     lambda E: _keep_going(_loader(E, _Failing(), batch_size=2, num_workers=2)),
     workers=True)
case("DataLoader/an exception, and the batches after it", "DataLoader", "DataLoader",
     lambda E: _keep_going(E.data.DataLoader(_Failing(), batch_size=2)))
case("DataLoader/pin_memory_device", "DataLoader", "DataLoader",
     lambda E: list(E.data.DataLoader(range(2), pin_memory=True, pin_memory_device="cpu")),
     warns=True)


@add("workers/in_order=False: the same batches", "workers", "DataLoader", kind="property",
     workers=True)
def _out_of_order(E: Engine) -> bool:
    loader = _worker_loader(E, batch_size=2, num_workers=2, in_order=False)
    got = sorted(b["i"].tolist() for b in loader)
    return got == sorted(b["i"].tolist() for b in _worker_loader(E, batch_size=2))


case("workers/get_worker_info in the main process", "workers", "get_worker_info",
     lambda E: E.data.get_worker_info())


@add("workers/same batches as num_workers=0, shuffled", "workers", "DataLoader",
     kind="property", workers=True)
def _workers_equal(E: Engine) -> bool:
    def epoch(num_workers: int) -> Any:
        loader = _loader(E, _tensor_dataset(E, 13), batch_size=4, shuffle=True,
                         num_workers=num_workers, generator=E.generator(11))
        return plain(list(loader))
    return epoch(0) == epoch(2)


# ----------------------------------------------------------------------------
# The section.
# ----------------------------------------------------------------------------
QUICK_SKIP = ("BatchSampler/n=1 ", "BatchSampler/n=0 ")  # the grid's corners stay in


def selected(quick: bool) -> list[Case]:
    return [c for c in CASES if not (quick and c.id.startswith(QUICK_SKIP))]


def run_section(quick: bool) -> SectionResult:
    """Run every case against torch and build the report section."""
    rows = []
    for c in selected(quick):
        try:
            status, detail = run_case(c)
        except Exception as e:
            status, detail = "FAIL", f"{type(e).__name__}: {e}"
        rows.append({"case": c.id, "group": c.group, "kind": c.kind, "status": status,
                     "detail": detail})
    passed = sum(r["status"] == "ok" for r in rows)
    known = sum(r["status"] == "known" for r in rows)
    return SectionResult(
        title="Data loading (utils.data)",
        cases=len(rows),
        passed=passed,
        failed=len(rows) - passed - known,
        known=known,
        markdown=_markdown(rows, quick),
        failures=[SectionFailure(r["case"], r["detail"]) for r in rows if r["status"] == "FAIL"],
        json={"cases": rows},
        covers=sorted({name for c in selected(quick) for name in c.covers}),
    )


KNOWN_DIFFERENCES = (
    "Random order: samplers, shuffling and random_split draw from minitorch's own generator, "
    "so a seeded order is reproducible but is not torch's order; they are checked as "
    "properties (permutations, seeded chi-square bounds, same seed same order).",
    "`TensorDataset` size mismatch: the same AssertionError, with the first dimensions "
    "appended to torch's message.",
    "Worker processes are forked on Linux (torch: the platform default, also fork on Linux "
    "before Python 3.14); `pin_memory` warns as a CPU-only torch does and pins nothing; "
    "no datapipes, `DistributedSampler` or `WorkerInfo.rng`.",
)


def _markdown(rows: list[dict[str, Any]], quick: bool) -> str:
    groups: dict[str, dict[str, int]] = {}
    for r in rows:
        g = groups.setdefault(r["group"], {"cases": 0, "ok": 0, "known": 0, "FAIL": 0,
                                           "property": 0})
        g["cases"] += 1
        g[r["status"]] += 1
        g["property"] += r["kind"] == "property"
    lines = [
        f"{'Quick subset: ' if quick else ''}{len(rows)} cases, each one program run on "
        "minitorch and on torch: results equal (tensors by dtype, shape and values; "
        "containers by type), or the same exception class and message. Property cases "
        "(random order) must hold on both engines.",
        "",
        "| group | cases | of which properties | passed | known | failed |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, g in groups.items():
        lines.append(f"| {name} | {g['cases']} | {g['property']} | {g['ok']} | {g['known']} "
                     f"| {g['FAIL']} |")
    bad = [r for r in rows if r["status"] != "ok"]
    if bad:
        lines += ["", "| case | status | detail |", "|---|---|---|"]
        lines += [f"| {r['case']} | {r['status']} | {r['detail'].replace('|', '/')[:300]} |"
                  for r in bad]
    lines += ["", "Known differences:", ""] + [f"- {k}" for k in KNOWN_DIFFERENCES]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--case", help="run one case by id and print both outcomes")
    args = parser.parse_args(argv)
    if args.case:
        c = next(c for c in CASES if c.id == args.case)
        mine, theirs = engines()
        for e in (mine, theirs):
            print(f"{e.name}: {outcome(c, e)}")
        print("status:", run_case(c))
        return 0
    return print_section(run_section, args.quick)


if __name__ == "__main__":
    sys.exit(main())
