"""Op-table rows for the wave-2 vision functionals (minitorch/nn/functional/ conv.py,
pooling.py, normalization.py, vision.py): adaptive pooling, 1-d and 3-d pooling,
unpooling, lp pooling, group / instance / RMS / local response norms, interpolate in
every mode, transposed and 3-d convolutions, pixel shuffles, fold and unfold.

Each row calls `lib.nn.functional.NAME` through nn_table's helpers, with samples
over shapes and options in float32 and float64 (tagged "gradcheck" where float64
central differences run, "quick" for `make test`) and torch's bad inputs (the
same exception class is required). The lead wires ROWS into the sweep
(op_table.ALL_ROWS).
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from parity.nn_table import NN, QG, F, S, _kw, f64, rand
from parity.samples import POSITIVE, SMOOTH, Domain
from parity.spec import OpSpec, Sample, SampleFn

ROWS: list[OpSpec] = []
G = ("gradcheck",)


def _row(name: str, samples: SampleFn, bad: tuple[Sample, ...] = (), **kw: Any) -> OpSpec:
    spec = OpSpec(name=f"F.{name}", family=NN, fn=F(name), samples=samples, bad_inputs=bad,
                  covers=(f"F.{name}",), **kw)
    ROWS.append(spec)
    return spec


def _cases(cases: list[tuple[tuple[int, ...], tuple[Any, ...], dict[str, Any]]],
           domain: Domain = SMOOTH) -> SampleFn:
    """One random input per case, the first quick + gradcheck, the rest gradcheck."""
    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for i, (shape, args, kw) in enumerate(cases):
            yield S(rand(rng, shape, dtype, domain), *args,
                    desc=f"{shape} {args} {_kw(kw)}".strip(), tags=QG if i == 0 else G, **kw)
    return gen


ONES4 = f64(np.ones((1, 2, 4, 4)))
ONES3 = f64(np.ones((1, 2, 4)))

# -- pooling ------------------------------------------------------------------------------------
_row("adaptive_avg_pool1d", _cases([((2, 3, 7), (3,), {}), ((3, 5), (5,), {}),
                                    ((2, 2, 4), (7,), {})]),
     (S(f64(np.ones((1, 2, 2, 2))), 3, desc="4-d input"),))
_row("adaptive_avg_pool2d", _cases([((2, 3, 7, 5), ((3, 4),), {}), ((3, 5, 5), (2,), {}),
                                    ((1, 2, 4, 6), ((None, 4),), {}),
                                    ((1, 2, 3, 3), ((5, 7),), {})]),
     (S(f64(np.ones((2, 2))), 3, desc="2-d input"),
      S(f64(np.ones((1, 2, 0, 2))), 3, desc="empty spatial dim")))
_row("adaptive_max_pool1d", _cases([((2, 3, 7), (3,), {}), ((3, 8), (4,), {}),
                                    ((2, 3, 7), (3,), {"return_indices": True})]),
     (S(f64(np.ones((1, 2, 2, 2))), 3, desc="4-d input"),))
_row("adaptive_max_pool2d", _cases([((2, 3, 7, 5), ((3, 4),), {}), ((3, 5, 5), (2,), {}),
                                    ((1, 2, 6, 6), ((None, 4),), {"return_indices": True}),
                                    ((1, 2, 3, 3), (5,), {})]),
     (S(f64(np.ones((2, 2))), 3, desc="2-d input"),
      S(f64(np.ones((1, 2, 4, 4))), (3,), desc="output_size of one value")))
_row("max_pool1d", _cases([((2, 3, 9), (3,), {}), ((2, 3, 9), (3, 2, 1), {}),
                           ((3, 10), (2,), {"dilation": 2, "ceil_mode": True}),
                           ((2, 3, 9), (3, 2, 1), {"return_indices": True})]),
     (S(f64(np.ones((2, 3, 4, 5))), 2, desc="4-d input"),
      S(ONES3, 2, padding=2, desc="padding > kernel/2")))
_row("avg_pool1d", _cases([((2, 3, 9), (3,), {}), ((2, 3, 9), (3, 2, 1), {}),
                           ((3, 10), (3, 2, 1), {"count_include_pad": False,
                                                 "ceil_mode": True})]),
     (S(f64(np.ones(4)), 2, desc="1-d input"),))


def _unpool(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    """Values at the argmax positions max_pool2d would report (distinct per window)."""
    for i, (hw, k, s, out) in enumerate((((6, 6), 2, None, None), ((7, 7), 3, 2, None),
                                         ((6, 6), 2, None, (7, 7)))):
        x = rand(rng, (2, 2, *hw), dtype)
        n = (hw[0] - k) // (s or k) + 1
        # Flat indices of a window's top-left element: distinct, inside the output.
        idx = np.array([[r * (s or k) * hw[1] + c * (s or k) for c in range(n)]
                        for r in range(n)], np.int64)
        idx = np.broadcast_to(idx, (2, 2, n, n)).copy()
        kw = {} if out is None else {"output_size": out}
        yield S(x[..., :n, :n].copy(), idx, k, s, desc=f"{hw} k={k} s={s} {_kw(kw)}",
                tags=QG if i == 0 else G, grad_args=(0,), **kw)


_row("max_unpool2d", _unpool,
     (S(f64(np.ones((1, 1, 2, 2))), np.array([[[[0, 1], [2, 99]]]]), 2,
        desc="index 99 outside a 4x4 output"),))
_row("lp_pool2d", _cases([((2, 3, 6, 6), (2.0, 2), {}), ((2, 3, 7, 6), (1.5, (2, 3), 1), {}),
                          ((3, 6, 6), (3.0, 3, 2), {"ceil_mode": True})], POSITIVE))

# -- normalisation ------------------------------------------------------------------------------


def _group_norm(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield S(rand(rng, (2, 6, 3, 2), dtype), 3, rand(rng, (6,), dtype), rand(rng, (6,), dtype),
            desc="(2, 6, 3, 2) 3 groups, affine", tags=QG)
    yield S(rand(rng, (2, 6), dtype), 2, desc="(2, 6) 2 groups", tags=G)
    yield S(rand(rng, (3, 4, 5), dtype), 4, rand(rng, (4,), dtype), eps=1e-3,
            desc="(3, 4, 5) one channel per group, eps=1e-3", tags=G)


_row("group_norm", _group_norm,
     (S(f64(np.ones((2, 6, 3))), 4, desc="6 channels, 4 groups"),
      S(f64(np.ones((2, 6, 3))), 3, f64(np.ones(4)), desc="weight of 4 for 6 channels"),
      S(f64(np.ones((1, 2))), 2, desc="one value per group")))


def _instance_norm(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield S(rand(rng, (2, 3, 5), dtype), desc="(2, 3, 5) no stats, no affine", tags=QG)
    yield S(rand(rng, (2, 3, 4, 4), dtype), None, None, rand(rng, (3,), dtype),
            rand(rng, (3,), dtype), desc="(2, 3, 4, 4) affine", tags=G)
    yield S(rand(rng, (2, 3, 5), dtype), np.zeros(3, dtype), np.ones(3, dtype),
            desc="running stats updated (input stats)", grad_args=(0,), tags=G)
    yield S(rand(rng, (2, 3, 5), dtype), rand(rng, (3,), dtype),
            np.abs(rand(rng, (3,), dtype)) + 0.5, use_input_stats=False,
            desc="use_input_stats=False: the running stats", grad_args=(0,), tags=G)


_row("instance_norm", _instance_norm,
     (S(f64(np.ones((1, 6, 1))), desc="one spatial element"),
      S(f64(np.ones((2, 6, 3))), f64(np.ones(5)), f64(np.ones(5)),
        desc="running stats of 5 for 6 channels")))


def _rms_norm(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield S(rand(rng, (2, 3, 5), dtype), (5,), rand(rng, (5,), dtype), desc="(2, 3, 5) [5]",
            tags=QG)
    yield S(rand(rng, (2, 3, 5), dtype), (3, 5), desc="(2, 3, 5) [3, 5] no weight", tags=G)
    yield S(rand(rng, (4, 6), dtype), [6], eps=1e-3, desc="eps=1e-3", tags=G)


_row("rms_norm", _rms_norm,
     (S(f64(np.ones((2, 6, 3))), (4,), desc="normalized_shape [4] for (2, 6, 3)"),))
_row("local_response_norm", _cases([((2, 6, 4), (3,), {}),
                                    ((2, 5, 3, 3), (4,), {"alpha": 0.1, "beta": 0.5, "k": 2.0}),
                                    ((1, 4, 2, 2, 2), (2,), {})]),
     (S(f64(np.ones((2, 3))), 2, desc="2-d input"),))

# -- resampling ---------------------------------------------------------------------------------
INTERP: list[tuple[tuple[int, ...], dict[str, Any]]] = [
    ((2, 3, 5, 4), {"size": (7, 3)}),
    ((2, 3, 5, 4), {"scale_factor": 1.7}),
    ((2, 3, 5, 4), {"scale_factor": (0.6, 2.5), "mode": "nearest-exact"}),
    ((2, 3, 5, 4), {"size": (13, 2), "mode": "nearest-exact"}),
    ((2, 3, 5, 4), {"size": (7, 3), "mode": "bilinear"}),
    ((2, 3, 5, 4), {"scale_factor": 1.7, "mode": "bilinear", "align_corners": True}),
    ((2, 3, 5, 4), {"scale_factor": (0.6, 2.5), "mode": "bilinear"}),
    ((2, 3, 5, 4), {"size": (9, 2), "mode": "bicubic"}),
    ((2, 3, 5, 4), {"scale_factor": 2.2, "mode": "bicubic", "align_corners": True}),
    ((2, 3, 5, 4), {"scale_factor": 3, "mode": "bicubic", "recompute_scale_factor": True}),
    ((2, 3, 7), {"size": 11, "mode": "linear"}),
    ((2, 3, 7), {"scale_factor": 0.7, "mode": "linear", "align_corners": True}),
    ((2, 3, 7), {"size": 4, "mode": "nearest"}),
    ((2, 3, 7, 5), {"size": (3, 2), "mode": "area"}),
    ((1, 2, 3, 4, 3), {"size": (4, 6, 2), "mode": "trilinear"}),
    ((1, 2, 3, 4, 3), {"scale_factor": 2, "mode": "nearest"}),
]


def _interpolate(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for i, (shape, kw) in enumerate(INTERP):
        yield S(rand(rng, shape, dtype), desc=f"{shape} {_kw(kw)}",
                tags=QG if i in (0, 4, 7) else G, **kw)


_row("interpolate", _interpolate,
     (S(ONES4, desc="neither size nor scale_factor"),
      S(ONES4, size=4, scale_factor=2.0, desc="both size and scale_factor"),
      S(ONES4, size=4, align_corners=True, desc="align_corners with nearest"),
      S(ONES4, size=4, mode="linear", desc="linear on 4-d input"),
      S(ONES4, size=4, mode="bogus", desc="mode='bogus'"),
      S(ONES4, size=(2, 2, 2), desc="size of 3 values for 2 spatial dims"),
      S(ONES3, size=0, desc="size 0")))


def _upsample(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield S(rand(rng, (2, 3, 4, 5), dtype), size=(6, 7), mode="bilinear", desc="bilinear",
            tags=QG)
    yield S(rand(rng, (2, 3, 4, 5), dtype), scale_factor=2, desc="nearest x2", tags=G)


_row("upsample", _upsample, (S(ONES4, desc="neither size nor scale_factor"),))
_row("pixel_shuffle", _cases([((2, 8, 3, 4), (2,), {}), ((5, 2, 18, 3, 4), (3,), {}),
                              ((4, 2, 2), (2,), {})]),
     (S(f64(np.ones((1, 6, 3, 3))), 2, desc="6 channels, factor 2"),
      S(f64(np.ones((6, 3))), 2, desc="2-d input")))
_row("pixel_unshuffle", _cases([((2, 2, 6, 4), (2,), {}), ((1, 6, 6), (3,), {})]),
     (S(f64(np.ones((1, 6, 3, 3))), 2, desc="height 3, factor 2"),))
_row("unfold", _cases([((2, 3, 7, 6), ((2, 3),), {"dilation": (2, 1), "padding": 1,
                                                   "stride": (2, 1)}),
                       ((3, 5, 5), (3,), {}), ((1, 2, 4, 4), (2,), {"stride": 2})]),
     (S(f64(np.ones((1, 2, 3, 3))), 4, desc="kernel larger than input"),
      S(f64(np.ones((2, 3))), 2, desc="2-d input")))
_row("fold", _cases([((2, 12, 18), ((5, 6), (2, 3)), {"stride": (2, 1), "padding": 1}),
                     ((12, 4), ((3, 3), 2), {}), ((1, 8, 9), ((5, 5), 2), {"dilation": 2})]),
     (S(f64(np.ones((1, 13, 4))), (3, 3), 2, desc="13 rows, kernel 2x2"),
      S(f64(np.ones((1, 12, 5))), (3, 3), 2, desc="5 blocks where 4 fit"),
      S(f64(np.ones((1, 12, 4))), (3, 3), 2, padding=-1, desc="padding=-1")))

# -- convolutions -------------------------------------------------------------------------------


def _weighted(cases: list[tuple[tuple[int, ...], tuple[int, ...], int, dict[str, Any]]]
              ) -> SampleFn:
    """(x shape, weight shape, bias length or 0, options)."""
    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for i, (xs, ws, nb, kw) in enumerate(cases):
            args = (rand(rng, xs, dtype), rand(rng, ws, dtype))
            if nb:
                args += (rand(rng, (nb,), dtype),)
            yield S(*args, desc=f"x{xs} w{ws}{'' if nb else ' no bias'} {_kw(kw)}".strip(),
                    tags=QG if i == 0 else G, **kw)
    return gen


_row("conv_transpose2d", _weighted([
    ((2, 4, 5, 6), (4, 3, 3, 3), 3, {}),
    ((2, 4, 5, 6), (4, 3, 3, 2), 3, {"stride": 2, "padding": 1, "output_padding": 1}),
    ((2, 4, 4, 5), (4, 3, 3, 2), 6, {"stride": (2, 3), "padding": (2, 0),
                                     "output_padding": (1, 2), "groups": 2,
                                     "dilation": (1, 2)}),
    ((4, 5, 6), (4, 3, 3, 2), 0, {"stride": 2, "padding": 3, "dilation": 2}),
]), (S(f64(np.ones((1, 4, 3, 3))), f64(np.ones((4, 2, 3, 3))), stride=2, output_padding=2,
       desc="output_padding 2 with stride 2"),
     S(f64(np.ones((1, 3, 3, 3))), f64(np.ones((4, 2, 3, 3))), desc="3 channels, weight wants 4"),
     S(f64(np.ones((1, 4, 3, 3))), f64(np.ones((4, 2, 3, 3))), f64(np.ones(3)),
       desc="bias of 3 for 2 channels"),
     S(f64(np.ones((1, 4, 3, 3))), f64(np.ones((4, 2, 3, 3))), padding=-1, desc="padding=-1")))
_row("conv_transpose1d", _weighted([
    ((2, 4, 7), (4, 3, 3), 3, {}),
    ((2, 4, 7), (4, 3, 3), 3, {"stride": 3, "padding": 1, "output_padding": 2}),
    ((4, 7), (4, 1, 2), 4, {"groups": 4, "dilation": 3}),
]), (S(f64(np.ones((1, 4, 3))), f64(np.ones((4, 2, 3))), padding=4,
       desc="output size too small"),
     S(f64(np.ones((1, 4, 3))), f64(np.ones((4, 2, 3))), groups=3,
       desc="4 input channels, 3 groups")))
_row("conv3d", _weighted([
    ((2, 2, 4, 3, 3), (3, 2, 2, 2, 2), 3, {}),
    ((1, 4, 5, 4, 3), (4, 2, 2, 2, 2), 4, {"stride": (2, 1, 2), "padding": (1, 0, 1),
                                           "dilation": (2, 1, 1), "groups": 2}),
    ((2, 4, 3, 3), (2, 2, 2, 3, 2), 0, {"padding": "same"}),
    ((1, 2, 3, 4, 4), (2, 2, 1, 1, 1), 2, {"stride": 2}),
]), (S(f64(np.ones((1, 4, 3, 3, 3))), f64(np.ones((4, 3, 3, 3, 3))),
       desc="4 channels, weight wants 3"),
     S(f64(np.ones((1, 2, 2, 2, 2))), f64(np.ones((3, 2, 3, 3, 3))),
       desc="kernel larger than input"),
     S(f64(np.ones((2, 2))), f64(np.ones((3, 2, 3, 3, 3))), desc="2-d input")))

# -- 3-d pooling --------------------------------------------------------------------------------


def _max_pool3d(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield from _cases([((2, 2, 4, 5, 4), (2,), {}),
                       ((1, 2, 5, 4, 5), (3, 2, 1), {"return_indices": True}),
                       ((2, 5, 4, 5), ((3, 2, 3), (2, 1, 2), (1, 0, 1)),
                        {"dilation": (2, 1, 1), "ceil_mode": True})])(rng, dtype)
    yield S(np.zeros((1, 1, 3, 3, 3), dtype), 2, 1, return_indices=True,
            desc="all ties: the first maximum in (d, h, w) order", tags=("special", "quick"))
    special = np.zeros((1, 1, 4, 4, 4), dtype)
    special[0, 0, 1, 1, 1] = special[0, 0, 2, 2, 2] = np.nan
    special[0, 0, 3, 0, 2] = -np.inf
    yield S(special, 3, 1, 1, return_indices=True, desc="NaN takes over (the last NaN)",
            tags=("special",))


_row("max_pool3d", _max_pool3d,
     (S(f64(np.ones((4, 3, 3))), 2, desc="3-d input"),
      S(f64(np.ones((1, 1, 4, 4, 4))), 2, padding=2, desc="padding > kernel/2")))
_row("avg_pool3d", _cases([((2, 2, 4, 5, 4), (2,), {}), ((1, 2, 5, 4, 5), (3, 2, 1), {}),
                           ((2, 5, 4, 5), ((3, 2, 3), (2, 1, 2), (1, 0, 1)),
                            {"ceil_mode": True, "count_include_pad": False}),
                           ((1, 2, 4, 4, 4), (3, 2, 1), {"divisor_override": 5})]),
     (S(f64(np.ones((4, 3, 3))), 2, desc="3-d input"),))
