"""Module cases for the vision layers: pooling, normalisation, convolutions, padding and
resampling (minitorch/nn/ conv.py, pooling.py, normalization.py, padding.py, vision.py).

`vision_cases()` returns ModuleCases in parity/modules.py's form (the lead appends
them to module_cases(), so each runs through run_module_case: reprs, state_dict
keys, torch's weights loaded, outputs and every gradient compared). Each case is a
constructor call written once as (class name, positional args, keyword args) and an
input shape; the case's name is that call as written in either engine.
"""

from __future__ import annotations

from typing import Any, Callable

from parity.modules import ModuleCase, _rand, inputs_of

# (class, args, kwargs, input shape, extra ModuleCase fields)
TABLE: list[tuple[str, tuple[Any, ...], dict[str, Any], tuple[int, ...], dict[str, Any]]] = [
    ("AdaptiveAvgPool1d", (3,), {}, (2, 3, 7), {"quick": True}),
    ("AdaptiveAvgPool2d", ((3, 4),), {}, (2, 3, 7, 5), {"quick": True}),
    ("AdaptiveAvgPool2d", ((None, 2),), {}, (3, 6, 5), {}),
    ("AdaptiveMaxPool1d", (3,), {}, (2, 3, 7), {}),
    ("AdaptiveMaxPool2d", (2,), {}, (2, 3, 7, 5), {"quick": True}),
    ("AdaptiveMaxPool2d", ((3, 2),), {"return_indices": True}, (2, 3, 7, 5), {}),
    ("GroupNorm", (2, 4), {}, (3, 4, 5), {"quick": True}),
    ("GroupNorm", (3, 6), {"eps": 1e-3, "affine": False}, (2, 6, 3, 3), {}),
    ("GroupNorm", (1, 4), {"bias": False}, (2, 4, 5), {}),
    ("InstanceNorm1d", (3,), {}, (2, 3, 5), {}),
    ("InstanceNorm1d", (3,), {"affine": True, "track_running_stats": True}, (2, 3, 6),
     {"modes": ("train", "eval"), "steps": 3, "quick": True}),
    ("InstanceNorm1d", (3,), {"affine": True}, (3, 6), {}),
    ("InstanceNorm2d", (4,), {}, (2, 4, 5, 5), {}),
    ("InstanceNorm2d", (4,), {"affine": True, "track_running_stats": True, "momentum": 0.3},
     (2, 4, 5, 5), {"modes": ("train", "eval"), "steps": 3}),
    ("RMSNorm", (5,), {}, (2, 3, 5), {"quick": True}),
    ("RMSNorm", ((3, 5),), {"eps": 1e-4, "elementwise_affine": False}, (2, 3, 5), {}),
    ("LocalResponseNorm", (3,), {}, (2, 6, 4, 4), {}),
    ("LocalResponseNorm", (2,), {"alpha": 0.1, "beta": 0.5, "k": 2.0}, (2, 5, 7), {}),
    ("Upsample", (), {"scale_factor": 2}, (2, 3, 4, 5), {"quick": True}),
    ("Upsample", (), {"size": (7, 3), "mode": "bilinear"}, (2, 3, 4, 5), {}),
    ("Upsample", (), {"scale_factor": 1.5, "mode": "bicubic", "align_corners": True},
     (2, 3, 4, 5), {}),
    ("Upsample", (), {"size": 9, "mode": "linear"}, (2, 3, 4), {}),
    ("ConvTranspose1d", (4, 6, 3), {"stride": 2, "padding": 1, "output_padding": 1},
     (2, 4, 7), {"quick": True}),
    ("ConvTranspose2d", (4, 6, 3), {}, (2, 4, 5, 5), {"quick": True}),
    ("ConvTranspose2d", (4, 6, (3, 2)), {"stride": 2, "padding": 1, "output_padding": 1,
                                         "groups": 2, "dilation": (1, 2), "bias": False},
     (2, 4, 5, 4), {}),
    ("Conv3d", (3, 4, 2), {}, (2, 3, 4, 5, 4), {"quick": True}),
    ("Conv3d", (4, 4, (2, 3, 2)), {"stride": 2, "padding": 1, "groups": 2}, (1, 4, 5, 5, 4),
     {}),
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1}, (2, 3, 9), {"quick": True}),
    ("MaxPool1d", (2,), {"return_indices": True, "ceil_mode": True}, (2, 3, 9), {}),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, (2, 3, 9),
     {}),
    ("PixelShuffle", (2,), {}, (2, 8, 3, 3), {"quick": True}),
    ("PixelUnshuffle", (2,), {}, (2, 2, 4, 6), {}),
    ("Fold", ((4, 5), 2), {}, (2, 12, 12), {}),
    ("Fold", ((5, 6), (2, 3)), {"stride": (2, 1), "padding": 1}, (2, 12, 18), {}),
    ("Unfold", (2,), {"dilation": 1, "padding": 1, "stride": 2}, (2, 3, 5, 5), {}),
    ("ZeroPad2d", (1,), {}, (2, 3, 4), {"quick": True}),
    ("ZeroPad2d", ((1, 0, 2, 1),), {}, (2, 2, 3, 4), {}),
    ("ConstantPad1d", (2, 3.5), {}, (2, 3, 4), {}),
    ("ConstantPad2d", ((1, 2, 0, 1), -1.0), {}, (2, 3, 4), {}),
    ("ReflectionPad1d", (2,), {}, (2, 3, 4), {}),
    ("ReflectionPad2d", ((1, 2, 0, 1),), {}, (2, 2, 3, 4), {}),
    ("ReplicationPad1d", ((1, 3),), {}, (2, 3, 4), {}),
    ("ReplicationPad2d", (2,), {}, (2, 2, 3, 4), {}),
]


def _call(cls: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    return f"{cls}({', '.join([*map(repr, args), *(f'{k}={v!r}' for k, v in kwargs.items())])})"


def _maker(cls: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Callable[[Any], Any]:
    return lambda lib: getattr(lib.nn, cls)(*args, **kwargs)


def vision_cases() -> list[ModuleCase]:
    return [
        ModuleCase(_call(cls, args, kwargs), _maker(cls, args, kwargs),
                   inputs_of(_rand(shape)), covers=(f"nn.{cls}",), **extra)
        for cls, args, kwargs, shape, extra in TABLE
    ]
