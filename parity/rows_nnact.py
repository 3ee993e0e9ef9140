"""Op-table rows for issue 12's activations, distances and losses (nn.functional).

Same shape as parity/nn_table.py's rows (whose helpers F, S, rand ... this file reuses):
every activation goes through every shape, float32 and float64, the special grid and the
kinks of its own (+-3 for hardsigmoid, the bounds of hardtanh, +-lambd for the shrinks),
where torch's subgradient is compared; samples tagged "gradcheck" are also checked by
float64 central differences. In-place forms (F.hardtanh_ ...) run on a clone, so their
gradient flows back to the leaf. Random ops (rrelu in training, gumbel_softmax) are
compared by shape and dtype only: their numbers come from minitorch's own generator.

The lead wires ROWS into the sweep (op_table.ALL_ROWS).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from parity.nn_table import QG, REDUCTIONS, F, S, cast, f64, idx, rand
from parity.samples import ANY, SMOOTH, Domain, unary
from parity.spec import OpSpec, Sample, SampleFn

NN = "nn.functional"
LOSS = "loss"
ROWS: list[OpSpec] = []
INT_BAD = S(idx([1, -2]), desc="int64 input (float kernel)")


def _row(name: str, family: str, fn: Callable[..., Any], samples: SampleFn,
         covers: Sequence[str] = (), **kw: Any) -> OpSpec:
    spec = OpSpec(name=name, family=family, fn=fn, samples=samples,
                  covers=(name.split("(")[0], *covers), **kw)
    ROWS.append(spec)
    return spec


def _inplace(name: str) -> Callable[..., Any]:
    """lib.nn.functional.NAME_ on a clone (the leaf stays a leaf, the gradient flows back)."""
    def call(lib: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        y = x.clone()
        out = getattr(lib.nn.functional, name)(y, *args, **kwargs)
        assert out is y, f"{name} must return its input"
        return y

    call.__name__ = f"F.{name}"
    return call


def _inplace_flag(name: str) -> Callable[..., Any]:
    """lib.nn.functional.NAME(clone, inplace=True)."""
    def call(lib: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        y = x.clone()
        out = getattr(lib.nn.functional, name)(y, *args, inplace=True, **kwargs)
        assert out is y, f"{name}(inplace=True) must return its input"
        return y

    return call


def _small(kwargs: Sequence[dict[str, Any]] = ({},), extra: Sequence[float] = ()) -> SampleFn:
    """A lighter sweep for the in-place forms: one shape, the special grid and the kinks."""
    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for kw in kwargs:
            yield S(rand(rng, (3, 4), dtype, ANY), desc=f"(3, 4) {kw}", tags=QG, **kw)
            vals = (0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, *extra, math.nan)
            yield S(cast(vals, dtype), desc=f"special and kinks {kw}", tags=("special",), **kw)

    return gen


# -- activations ---------------------------------------------------------------------------
HT_KW = ({}, {"min_val": -0.5, "max_val": 2.5})
_row("F.hardtanh", NN, F("hardtanh"), unary(ANY, kwargs=HT_KW, extra=(-1.0, 1.0, -0.5, 2.5)),
     dtypes=("float32", "float64", "int64"),
     variants={"inplace=True": _inplace_flag("hardtanh")},
     bad_inputs=(S(f64([1.0]), min_val=2.0, max_val=1.0, desc="min_val > max_val"),
                 S(np.array([True]), desc="bool input")))
_row("F.hardtanh_", NN, _inplace("hardtanh_"), _small(HT_KW, (-0.5, 2.5)))
_row("F.relu6", NN, F("relu6"), unary(Domain(-3.0, 9.0, avoid=(0.0, 6.0)),
                                      extra=(0.0, -0.0, 6.0, 5.99, 6.01)),
     dtypes=("float32", "float64", "int64"), variants={"inplace=True": _inplace_flag("relu6")},
     bad_inputs=(S(np.array([True]), desc="bool input"),))
HS_DOMAIN = Domain(-5.0, 5.0, avoid=(-3.0, 3.0))
_row("F.hardsigmoid", NN, F("hardsigmoid"), unary(HS_DOMAIN, extra=(-3.0, 3.0, -2.99, 2.99)),
     variants={"inplace=True": _inplace_flag("hardsigmoid")}, bad_inputs=(INT_BAD,))
_row("F.hardswish", NN, F("hardswish"), unary(HS_DOMAIN, extra=(-3.0, 3.0, -2.99, 2.99)),
     variants={"inplace=True": _inplace_flag("hardswish")}, bad_inputs=(INT_BAD,))
_row("F.softsign", NN, F("softsign"), unary(ANY), dtypes=("float32", "float64", "int64"),
     bad_inputs=(S([1.0], desc="a list, not a tensor"),))
_row("F.tanhshrink", NN, F("tanhshrink"), unary(SMOOTH, extra=(-30.0, 30.0)),
     dtypes=("float32", "float64", "int64"))
CELU_KW = ({}, {"alpha": 2.0})
_row("F.celu", NN, F("celu"), unary(ANY, kwargs=CELU_KW, extra=(0.0, -0.0, -40.0)),
     variants={"inplace=True": _inplace_flag("celu")},
     bad_inputs=(INT_BAD, S(f64([1.0]), alpha=0.0, desc="alpha=0")))
_row("F.celu_", NN, _inplace("celu_"), _small(CELU_KW))
_row("F.selu", NN, F("selu"), unary(ANY, extra=(0.0, -0.0, -40.0)),
     variants={"inplace=True": _inplace_flag("selu")}, bad_inputs=(INT_BAD,))
_row("F.selu_", NN, _inplace("selu_"), _small())
_row("F.mish", NN, F("mish"), unary(SMOOTH, extra=(-40.0, -10.0, 10.0, 40.0)),
     variants={"inplace=True": _inplace_flag("mish")}, bad_inputs=(INT_BAD,))
_row("F.logsigmoid", NN, F("logsigmoid"), unary(SMOOTH, extra=(-100.0, -30.0, 30.0, 100.0)),
     bad_inputs=(INT_BAD,))
TH_KW = ({"threshold": 0.5, "value": -2.0}, {"threshold": -1.0, "value": 0.0})
_row("F.threshold", NN, F("threshold"),
     unary(Domain(-2.0, 2.0, avoid=(0.5, -1.0)), kwargs=TH_KW, extra=(0.5, -1.0, 0.4999)),
     dtypes=("float32", "float64", "int64"),
     variants={"inplace=True": _inplace_flag("threshold")},
     bad_inputs=(S(np.array([True]), 0.0, 1.0, desc="bool input"),))
_row("F.threshold_", NN, _inplace("threshold_"), _small(TH_KW, (0.5,)))
SHRINK_KW = ({}, {"lambd": 1.0})
SHRINK_DOMAIN = Domain(-2.0, 2.0, avoid=(-1.0, -0.5, 0.5, 1.0))
SHRINK_EDGES = (0.5, -0.5, 1.0, -1.0, 0.49, -0.49)


_row("F.softshrink", NN, F("softshrink"), unary(SHRINK_DOMAIN, kwargs=SHRINK_KW,
                                                extra=SHRINK_EDGES),
     bad_inputs=(INT_BAD, S(f64([1.0]), lambd=-1.0, desc="negative lambd")))
_row("F.hardshrink", NN, F("hardshrink"), unary(SHRINK_DOMAIN, kwargs=SHRINK_KW,
                                                extra=SHRINK_EDGES),
     bad_inputs=(INT_BAD,))
RRELU_KW = ({}, {"lower": 0.1, "upper": 0.3})
_row("F.rrelu", NN, F("rrelu"), unary(ANY, kwargs=RRELU_KW, extra=(0.0, -0.0)),
     variants={"inplace=True": _inplace_flag("rrelu")},
     bad_inputs=(INT_BAD, S(f64([1.0]), lower=0.5, upper=0.2, desc="lower > upper")))
_row("F.rrelu_", NN, _inplace("rrelu_"), _small(RRELU_KW))


def _rrelu_training(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield S(rand(rng, (3, 4), dtype, ANY), training=True, desc="(3, 4) random slopes",
            tags=("quick",))
    yield S(rand(rng, (2, 0), dtype, ANY), training=True, desc="empty")


_row("F.rrelu(training=True)", NN, F("rrelu"), _rrelu_training, compare="meta")


def _glu(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield S(rand(rng, (3, 4), dtype), desc="(3, 4) dim=-1", tags=QG)
    yield S(rand(rng, (4, 3), dtype), dim=0, desc="(4, 3) dim=0", tags=("gradcheck",))
    yield S(rand(rng, (2, 6, 3), dtype), dim=1, desc="(2, 6, 3) dim=1", tags=("gradcheck",))
    yield S(rand(rng, (6,), dtype), desc="(6,)")
    yield S(rand(rng, (0, 4), dtype), desc="empty (0, 4)")
    yield S(cast([[-100.0, 1.0, 100.0, -100.0], [np.inf, 0.0, -np.inf, np.nan]], dtype),
            desc="gates of +-100, inf and nan", tags=("special",))


_row("F.glu", NN, F("glu"), _glu,
     bad_inputs=(S(f64(np.ones((2, 3))), dim=1, desc="odd halving dim"),
                 S(f64(1.0), desc="0-d"), S(idx([1, 2]), desc="int64 input"),
                 S(f64(np.ones((2, 4))), dim=2, desc="dim out of range")))


def _prelu(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    w1 = cast([0.25], dtype)
    yield S(rand(rng, (3, 4), dtype, ANY), w1, desc="(3, 4), one slope", tags=QG)
    yield S(rand(rng, (2, 3, 4), dtype, ANY), cast(rng.uniform(-0.5, 0.5, 3), dtype),
            desc="(2, 3, 4), a slope per channel", tags=("gradcheck",))
    yield S(rand(rng, (2, 3, 2, 2), dtype, ANY), cast(rng.uniform(-0.5, 0.5, 3), dtype),
            desc="(2, 3, 2, 2) per channel", tags=("gradcheck",))
    yield S(rand(rng, (5,), dtype, ANY), cast(0.1, dtype), desc="(5,), 0-d slope")
    yield S(rand(rng, (), dtype, ANY), w1, desc="0-d input")
    yield S(cast([[0.0, -0.0, np.inf, -np.inf, np.nan, -1.0]], dtype), w1,
            desc="special values (slope at 0)", tags=("special",))


_row("F.prelu", NN, F("prelu"), _prelu,
     bad_inputs=(S(f64(np.ones((2, 3))), f64(np.ones(2)), desc="2 slopes, 3 channels"),
                 S(f64(np.ones((2, 3))), f64(np.ones((1, 3))), desc="2-d weight"),
                 S(idx([1, 2]), f64([0.25]), desc="int64 input, float weight")))


def _gumbel(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield S(rand(rng, (3, 5), dtype), desc="(3, 5)", tags=("quick",))
    yield S(rand(rng, (3, 5), dtype), tau=0.5, hard=True, desc="hard=True, tau=0.5")
    yield S(rand(rng, (2, 3, 4), dtype), dim=1, desc="dim=1")


_row("F.gumbel_softmax", NN, F("gumbel_softmax"), _gumbel, compare="meta",
     bad_inputs=(S(idx([1, 2]), desc="int64 logits"),))


# -- distances -----------------------------------------------------------------------------
def _normalize(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield S(rand(rng, (3, 4), dtype), desc="(3, 4)", tags=QG)
    yield S(rand(rng, (3, 4), dtype), p=1.0, dim=0, desc="p=1 dim=0", tags=("gradcheck",))
    yield S(rand(rng, (2, 3, 4), dtype), p=3.0, dim=-1, desc="p=3 dim=-1", tags=("gradcheck",))
    yield S(rand(rng, (5,), dtype), dim=0, desc="(5,) dim=0")
    yield S(cast([[0.0, 0.0], [1e-13, 0.0], [3.0, 4.0]], dtype), desc="zero and tiny rows "
            "(eps clamp)", tags=("special",))
    yield S(rand(rng, (0, 3), dtype), desc="empty (0, 3)")


_row("F.normalize", NN, F("normalize"), _normalize,
     bad_inputs=(S(idx([1, 2]), dim=0, desc="int64 input"),
                 S(f64(np.ones((2, 3))), dim=3, desc="dim out of range")))


def _cosine(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield S(rand(rng, (3, 4), dtype), rand(rng, (3, 4), dtype), desc="(3, 4)", tags=QG)
    yield S(rand(rng, (3, 4), dtype), rand(rng, (3, 4), dtype), dim=0, desc="dim=0",
            tags=("gradcheck",))
    yield S(rand(rng, (3, 1, 4), dtype), rand(rng, (2, 4), dtype), dim=-1,
            desc="broadcast (3, 1, 4) with (2, 4)", tags=("gradcheck",))
    yield S(rand(rng, (5,), dtype), rand(rng, (5,), dtype), dim=0, desc="(5,)")
    yield S(cast([[0.0, 0.0], [1e-9, 0.0]], dtype), cast([[1.0, 2.0], [1.0, 1.0]], dtype),
            desc="zero and tiny norms (eps clamp)", tags=("special",))
    yield S(rand(rng, (3, 4), dtype), rand(rng, (3, 4), "float64"), desc="float64 x2 promotes")


_row("F.cosine_similarity", NN, F("cosine_similarity"), _cosine,
     bad_inputs=(S(f64(np.ones((2, 3))), f64(np.ones((4, 3))), desc="(2, 3) with (4, 3)"),
                 S(idx([1, 2]), idx([1, 2]), dim=0, desc="int64 inputs"),
                 S(f64(np.ones((2, 3))), f64(np.ones((2, 3))), dim=2, desc="dim 2")))


def _pairwise(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for p in (2.0, 1.0, 3.0, math.inf):
        yield S(rand(rng, (3, 4), dtype), rand(rng, (3, 4), dtype), p=p, desc=f"(3, 4) p={p}",
                tags=QG if p == 2.0 else ("gradcheck",))
    yield S(rand(rng, (3, 4), dtype), rand(rng, (4,), dtype), keepdim=True,
            desc="broadcast (4,), keepdim", tags=("gradcheck",))
    yield S(rand(rng, (), dtype), rand(rng, (), dtype), desc="0-d")
    x = rand(rng, (2, 3), dtype)
    yield S(x, x.copy(), eps=0.0, desc="equal rows, eps=0 (norm's zero subgradient)",
            tags=("special",))


_row("F.pairwise_distance", NN, F("pairwise_distance"), _pairwise,
     bad_inputs=(S(f64(np.ones((2, 3))), f64(np.ones((4, 3))), desc="(2, 3) with (4, 3)"),))


def _pdist(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for p in (2.0, 1.0, 3.0, 0.5, math.inf, 0.0):
        yield S(rand(rng, (4, 3), dtype), p=p, desc=f"(4, 3) p={p}",
                tags=QG if p == 2.0 else (("gradcheck",) if p not in (0.0,) else ()))
    ties = cast([[0.0, 1.0, -1.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]], dtype)
    for p in (2.0, 1.0, math.inf):
        yield S(ties, p=p, desc=f"equal rows and ties, p={p}", tags=("special",))
    yield S(rand(rng, (1, 3), dtype), desc="one row: no pairs")
    yield S(rand(rng, (6, 3), dtype).T, desc="transposed (3, 6)", tags=("noncontig",))


_row("F.pdist", NN, F("pdist"), _pdist,
     bad_inputs=(S(f64(np.ones(3)), desc="1-d input"), S(f64(np.ones((2, 3))), p=-1.0,
                                                        desc="p=-1"),
                 S(idx([[1, 2]]), desc="int64 input")))


# -- losses ----------------------------------------------------------------------------------
def _pm1(rng: np.random.Generator, shape: Sequence[int], dtype: str) -> np.ndarray:
    return cast(np.where(rng.random(tuple(shape)) < 0.5, -1.0, 1.0), dtype)


def _margin_ranking(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for red in REDUCTIONS:
        yield S(rand(rng, (6,), dtype), rand(rng, (6,), dtype), _pm1(rng, (6,), dtype),
                margin=0.3, reduction=red, desc=f"(6,) margin=0.3 {red}",
                tags=QG if red == "mean" else ("gradcheck",), grad_args=(0, 1))
    yield S(cast([1.0, 2.0, 0.0], dtype), cast([1.0, 1.0, 0.0], dtype),
            cast([1.0, -1.0, 1.0], dtype), reduction="none", desc="hinge exactly at 0",
            tags=("special",), grad_args=(0, 1))
    yield S(rand(rng, (2, 3), dtype), rand(rng, (2, 3), dtype), _pm1(rng, (2, 3), dtype),
            desc="(2, 3)", grad_args=(0, 1, 2))


_row("F.margin_ranking_loss", LOSS, F("margin_ranking_loss"), _margin_ranking,
     bad_inputs=(S(f64(np.ones(4)), f64(np.ones(4)), f64(np.ones((3, 4))),
                   desc="target of another rank"),
                 S(f64(np.ones(4)), f64(np.ones(4)), f64(np.ones(4)), reduction="avg",
                   desc="reduction='avg'")))


def _hinge(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for red in REDUCTIONS:
        yield S(rand(rng, (3, 4), dtype, Domain(0.0, 3.0, avoid=(1.0,))),
                _pm1(rng, (3, 4), dtype), reduction=red, desc=f"(3, 4) {red}",
                tags=QG if red == "mean" else ("gradcheck",), grad_args=(0,))
    yield S(cast([0.0, 1.0, 2.0, 1.0], dtype), cast([-1.0, -1.0, -1.0, 1.0], dtype),
            margin=1.0, reduction="none", desc="x at the margin", tags=("special",),
            grad_args=(0,))
    yield S(rand(rng, (3, 4), dtype), _pm1(rng, (4,), dtype), margin=2.0,
            desc="target (4,) broadcasts, margin=2", grad_args=(0,))
    yield S(idx([1, 2, 0]), idx([1, -1, -1]), margin=3, reduction="none",
            desc="int64 input and target (an int64 loss)")


_row("F.hinge_embedding_loss", LOSS, F("hinge_embedding_loss"), _hinge,
     bad_inputs=(S(f64(np.ones((3, 4))), f64(np.ones(5)), desc="(3, 4) with (5,)"),
                 S(idx([1, 2]), idx([1, -1]), desc="int64 input (mean of an integer loss)")))


def _cosine_emb(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for red in REDUCTIONS:
        yield S(rand(rng, (5, 3), dtype), rand(rng, (5, 3), dtype), _pm1(rng, (5,), dtype),
                margin=0.1, reduction=red, desc=f"(5, 3) {red}",
                tags=QG if red == "mean" else ("gradcheck",), grad_args=(0, 1))
    yield S(rand(rng, (3,), dtype), rand(rng, (3,), dtype), cast(-1.0, dtype),
            reduction="none", desc="unbatched, 0-d target", grad_args=(0, 1))
    yield S(rand(rng, (4, 3), dtype), rand(rng, (4, 3), dtype), idx([1, -1, 1, -1]),
            desc="int64 target", grad_args=(0, 1))


_row("F.cosine_embedding_loss", LOSS, F("cosine_embedding_loss"), _cosine_emb,
     bad_inputs=(S(f64(np.ones((3, 4))), f64(np.ones((3, 4))), f64(np.ones((3, 1))),
                   desc="2-d target"),
                 S(f64(np.ones((3, 4))), f64(np.ones((3, 4))), f64(1.0),
                   desc="0-d target with 2-d inputs")))


def _triplet(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for red in REDUCTIONS:
        a, p, n = (rand(rng, (5, 3), dtype) for _ in range(3))
        yield S(a, p, n, margin=2.0, reduction=red, desc=f"(5, 3) margin=2 {red}",
                tags=QG if red == "mean" else ("gradcheck",))
    a, p, n = (rand(rng, (5, 3), dtype) for _ in range(3))
    yield S(a, p, n, p=1.0, swap=True, desc="p=1, swap", tags=("gradcheck",))
    yield S(rand(rng, (3,), dtype), rand(rng, (3,), dtype), rand(rng, (3,), dtype),
            reduction="none", desc="unbatched")


_row("F.triplet_margin_loss", LOSS, F("triplet_margin_loss"), _triplet,
     bad_inputs=(S(f64(np.ones((3, 4))), f64(np.ones((3, 4))), f64(np.ones(4)),
                   desc="negative of another rank"),
                 S(f64(np.ones((3, 4))), f64(np.ones((3, 4))), f64(np.ones((3, 4))), margin=0.0,
                   desc="margin=0")))


def _poisson(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    counts = Domain(0.0, 4.0, avoid=())
    for red in REDUCTIONS:
        yield S(rand(rng, (3, 4), dtype), rand(rng, (3, 4), dtype, counts), reduction=red,
                desc=f"log_input {red}", tags=QG if red == "mean" else ("gradcheck",),
                grad_args=(0,))
    yield S(rand(rng, (3, 4), dtype, Domain(0.1, 3.0, avoid=())),
            rand(rng, (3, 4), dtype, Domain(1.5, 4.0, avoid=())), log_input=False, full=True,
            desc="rates, full (Stirling where target > 1)", tags=("gradcheck",),
            grad_args=(0, 1))
    yield S(rand(rng, (3, 4), dtype), cast(rng.integers(0, 4, (3, 4)), dtype), full=True,
            desc="integer counts with 0 and 1, full", grad_args=(0,))


_row("F.poisson_nll_loss", LOSS, F("poisson_nll_loss"), _poisson,
     bad_inputs=(S(f64(np.ones(3)), f64(np.ones(3)), reduction="avg", desc="reduction='avg'"),
                 S(f64(np.ones(3)), f64(np.ones(4)), desc="(3,) with (4,)")))


def _gaussian(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    pos = Domain(0.1, 2.0, avoid=())
    for red in REDUCTIONS:
        yield S(rand(rng, (3, 4), dtype), rand(rng, (3, 4), dtype), rand(rng, (3, 4), dtype, pos),
                reduction=red, desc=f"(3, 4) {red}", tags=QG if red == "mean" else ("gradcheck",))
    yield S(rand(rng, (3, 4), dtype), rand(rng, (3, 4), dtype), rand(rng, (3,), dtype, pos),
            full=True, desc="var (3,) one per row, full", tags=("gradcheck",))
    yield S(rand(rng, (3, 4), dtype), rand(rng, (3, 4), dtype), rand(rng, (3, 1), dtype, pos),
            desc="var (3, 1)")
    yield S(rand(rng, (3, 4), dtype), rand(rng, (3, 4), dtype),
            cast([[1e-9, 0.5, 0.0, 1.0]] * 3, dtype), desc="var below eps (clamped)",
            tags=("special",))
    yield S(rand(rng, (3, 4), dtype), rand(rng, (3, 4), dtype), 0.5, desc="var=0.5 a float")


_row("F.gaussian_nll_loss", LOSS, F("gaussian_nll_loss"), _gaussian,
     bad_inputs=(S(f64(np.ones((3, 4))), f64(np.ones((3, 4))), f64(-np.ones((3, 4))),
                   desc="negative var"),
                 S(f64(np.ones((3, 4))), f64(np.ones((3, 4))), f64(np.ones((2, 4))),
                   desc="var (2, 4)"),
                 S(f64(np.ones((3, 4))), f64(np.ones((3, 4))), -1.0, desc="var=-1.0"),
                 S(f64(np.ones((3, 4))), f64(np.ones((3, 4))), 1.0, reduction="avg",
                   desc="reduction='avg'")))


def _soft_margin(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for red in REDUCTIONS:
        yield S(rand(rng, (3, 4), dtype), _pm1(rng, (3, 4), dtype), reduction=red,
                desc=f"(3, 4) {red}", tags=QG if red == "mean" else ("gradcheck",),
                grad_args=(0,))
    yield S(cast([100.0, -100.0, 1e4, -1e4], dtype), cast([1.0, 1.0, -1.0, 1.0], dtype),
            reduction="none", desc="large margins", tags=("special",), grad_args=(0,))
    yield S(rand(rng, (3, 4), dtype), _pm1(rng, (4,), dtype), desc="target (4,) broadcasts",
            grad_args=(0,))


_row("F.soft_margin_loss", LOSS, F("soft_margin_loss"), _soft_margin,
     bad_inputs=(S(f64(np.ones((3, 4))), f64(np.ones(5)), desc="(3, 4) with (5,)"),
                 S(f64(np.ones(3)), f64(np.ones(3)), grad_args=(0, 1),
                   desc="target requires grad (not differentiable)")))


def _multilabel_soft(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    def labels(shape: Sequence[int]) -> np.ndarray:
        return cast(rng.random(tuple(shape)) < 0.5, dtype)

    for red in REDUCTIONS:
        yield S(rand(rng, (3, 4), dtype), labels((3, 4)), reduction=red, desc=f"(3, 4) {red}",
                tags=QG if red == "mean" else ("gradcheck",), grad_args=(0,))
        yield S(rand(rng, (3, 4), dtype), labels((3, 4)), weight=cast(rng.uniform(0.5, 2, 4),
                                                                        dtype),
                reduction=red, desc=f"weight (4,), {red}", grad_args=(0, 1))
    yield S(rand(rng, (4,), dtype), labels((4,)), reduction="none", desc="unbatched")


_row("F.multilabel_soft_margin_loss", LOSS, F("multilabel_soft_margin_loss"), _multilabel_soft,
     bad_inputs=(S(f64(np.ones((3, 4))), f64(np.ones(3)), desc="(3, 4) with (3,)"),))


def _labels(rng: np.random.Generator, rows: int, classes: int) -> np.ndarray:
    t = np.full((rows, classes), -1, np.int64)
    for r in range(rows):
        k = int(rng.integers(1, classes + 1))
        t[r, :k] = rng.permutation(classes)[:k]
    return t


def _multilabel_margin(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for red in REDUCTIONS:
        yield S(rand(rng, (4, 5), dtype), _labels(rng, 4, 5), reduction=red,
                desc=f"(4, 5) {red}", tags=QG if red == "mean" else ("gradcheck",))
    yield S(rand(rng, (5,), dtype), _labels(rng, 1, 5)[0], reduction="none", desc="unbatched")
    yield S(cast([[0.0, 1.0, 0.5, 0.0]], dtype), idx([[1, 1, -1, 3]]), reduction="none",
            desc="hinges exactly 0, a repeated target, entries after -1 ignored",
            tags=("special",))
    # no empty-batch sample: torch 2.13 returns uninitialised memory for one (any reduction)


_row("F.multilabel_margin_loss", LOSS, F("multilabel_margin_loss"), _multilabel_margin,
     bad_inputs=(S(f64(np.ones((3, 4))), idx([[1, 5, 0, 0]] * 3), desc="target 5 of 4"),
                 S(f64(np.ones((3, 4))), idx([[1, -1, 0]] * 3), desc="target (3, 3)"),
                 S(f64(np.ones((3, 4))), f64([[1, -1, 0, 0]] * 3), desc="float target"),
                 S(f64(np.ones((3, 0))), idx(np.zeros((3, 0))), desc="no classes")))


def _multi_margin(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for red in REDUCTIONS:
        yield S(rand(rng, (4, 5), dtype), idx(rng.integers(0, 5, 4)), reduction=red,
                desc=f"(4, 5) {red}", tags=QG if red == "mean" else ("gradcheck",))
        yield S(rand(rng, (4, 5), dtype), idx(rng.integers(0, 5, 4)), p=2, margin=0.7,
                weight=cast(rng.uniform(0.5, 2, 5), dtype), reduction=red,
                desc=f"p=2 margin=0.7 weight, {red}", tags=("gradcheck",), grad_args=(0,))
    yield S(rand(rng, (5,), dtype), idx([2]), reduction="none", desc="unbatched, (1,) target")
    yield S(rand(rng, (5,), dtype), idx(2), reduction="none", desc="unbatched, 0-d target")
    yield S(cast([[2.0, 1.0, 0.5]], dtype), idx([0]), desc="a hinge exactly 0",
            tags=("special",))
    # no empty-batch sample: torch 2.13 returns uninitialised memory for one (any reduction)


_row("F.multi_margin_loss", LOSS, F("multi_margin_loss"), _multi_margin,
     bad_inputs=(S(f64(np.ones((3, 4))), idx([1, 2, 4]), desc="target 4 of 4"),
                 S(f64(np.ones((3, 4))), idx([1, 2]), desc="2 targets for 3 rows"),
                 S(f64(np.ones((3, 4))), idx([1, 2, 3]), p=3, desc="p=3"),
                 S(f64(np.ones((3, 4))), idx([1, 2, 3]), weight=f64(np.ones(3)),
                   desc="weight (3,) for 4 classes"),
                 S(f64(np.ones((3, 4))), f64([1, 2, 3]), desc="float target")))
