"""The nn.functional rows of the op table: one row per functional op, swept like the core ops.

Every row calls `lib.nn.functional.NAME` (lib is minitorch or torch), so one
line drives both engines. Samples cover shapes, float32 and float64, the
special values that matter for the op (kinks at 0, logits of +-1e4, NaN and
infinities through the activations), every reduction of every loss and
every option (conv stride / padding / dilation / groups, pooling windows,
cross_entropy's weight, ignore_index, label smoothing and probability
targets). Class indices are int64 arrays. Samples tagged "gradcheck" are
also checked by float64 central differences; "quick" ones run in `make test`.

parity/op_table.py appends ROWS to the sweep; nothing here imports it back.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

import numpy as np

from parity.convert import DType
from parity.samples import ANY, SMOOTH, Domain, random_array, unary
from parity.spec import KnownDifference, OpSpec, Sample, SampleFn

NN = "nn.functional"
LOSS = "loss"
FLOATS = ("float32", "float64")
REDUCTIONS = ("mean", "sum", "none")

ROWS: list[OpSpec] = []


def F(name: str, **fixed: Any) -> Callable[..., Any]:
    """lib.nn.functional.NAME(*args, **kwargs, **fixed)."""

    def call(lib: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(lib.nn.functional, name)(*args, **kwargs, **fixed)

    call.__name__ = f"F.{name}"
    return call


def row(name: str, family: str, fn: Callable[..., Any], samples: SampleFn, **kw: Any) -> OpSpec:
    spec = OpSpec(name=name, family=family, fn=fn, samples=samples, covers=(name,), **kw)
    ROWS.append(spec)
    return spec


def S(*args: Any, desc: str, tags: Sequence[str] = (), grad_args: tuple[int, ...] | None = None,
      **kwargs: Any) -> Sample:
    """One sample: positional arrays/values, keyword options, a description, tags."""
    return Sample(tuple(args), kwargs, desc, grad_args=grad_args, tags=frozenset(tags))


def rand(rng: np.random.Generator, shape: Sequence[int], dtype: str,
         domain: Domain = SMOOTH) -> np.ndarray:
    return random_array(rng, tuple(shape), dtype, domain)


def f64(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def cast(values: Any, dtype: str) -> np.ndarray:
    return np.asarray(values, dtype=np.dtype(dtype))


def idx(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def _kw(kw: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kw.items())


QG = ("quick", "gradcheck")

# -- activations -----------------------------------------------------------------------------
# The special grid (0, -0, +-1e-3, +-1, +-pi, +-1e20, +-inf, nan) goes through each of them;
# random values keep 0.05 away from the kinks so the central differences see a derivative.
KINK_NOTE = "the kink at 0 is in the special grid: torch's subgradient is compared there"

row("F.relu", NN, F("relu"), unary(ANY), dtypes=("float32", "float64", "int64"),
    bad_inputs=(S([1.0, 2.0], desc="a list, not a tensor"),))
row("F.leaky_relu", NN, F("leaky_relu"),
    unary(ANY, kwargs=({}, {"negative_slope": 0.2}), extra=(0.0, -0.0)),
    bad_inputs=(S(idx([1, -2]), desc="int64 input (float kernel)"),))
row("F.elu", NN, F("elu"), unary(ANY, kwargs=({}, {"alpha": 0.5}), extra=(0.0, -30.0)),
    bad_inputs=(S(idx([1, -2]), desc="int64 input"),))
row("F.gelu", NN, F("gelu"),
    unary(SMOOTH, kwargs=({}, {"approximate": "tanh"}), extra=(-10.0, -5.0, 5.0, 10.0)),
    known=(KnownDifference(
        "float32 gelu(+inf) is +inf in minitorch, NaN in torch",
        "torch's vectorised float32 erf gives NaN at +inf (its float64 gelu gives +inf); "
        "minitorch computes x * Phi(x) with an erf that is exact at infinity",
        applies=lambda s: "special grid" in s.desc and "approximate" not in s.desc),
        KnownDifference(
            "the sign of a zero gelu(x) for x <= -10: minitorch -0.0, torch +0.0 on some CPUs",
            "torch's own result depends on its kernel: its scalar path (1 element) and its "
            "float64 path give -0.0 like minitorch (x * Phi(x) with Phi(x) = +0), its AVX2 "
            "float32 vector path gives +0.0; an AVX-512 machine gave -0.0 (landed CI)",
            applies=lambda s: "edge values" in s.desc and "approximate" not in s.desc)),
    bad_inputs=(S(f64([1.0]), desc="approximate='fast'", approximate="fast"),
                S(idx([1, 2]), desc="int64 input")))
row("F.silu", NN, F("silu"), unary(SMOOTH, extra=(-40.0, -5.0, 40.0)),
    bad_inputs=(S(idx([1, 2]), desc="int64 input"),))
row("F.softplus", NN, F("softplus"),
    unary(SMOOTH, kwargs=({}, {"beta": 2.0, "threshold": 3.0}),
          extra=(1.4, 1.6, 19.9, 20.0, 20.1, -30.0)),
    bad_inputs=(S(idx([1, 2]), desc="int64 input"),))
row("F.sigmoid", NN, F("sigmoid"), unary(SMOOTH, extra=(-100.0, 100.0)))
row("F.tanh", NN, F("tanh"), unary(SMOOTH, extra=(-30.0, 30.0)))


def softmax_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield S(rand(rng, (3, 5), dtype), dim=1, desc="(3, 5) dim=1", tags=QG)
    yield S(rand(rng, (3, 5), dtype), dim=0, desc="(3, 5) dim=0", tags=("gradcheck",))
    yield S(rand(rng, (2, 3, 4), dtype), dim=-1, desc="(2, 3, 4) dim=-1", tags=("gradcheck",))
    yield S(rand(rng, (2, 3, 4), dtype), desc="(2, 3, 4) implicit dim (deprecated: 0)")
    yield S(rand(rng, (3, 4), dtype), desc="(3, 4) implicit dim (deprecated: 1)")
    yield S(rand(rng, (), dtype), dim=0, desc="0-d")
    yield S(rand(rng, (0, 3), dtype), dim=1, desc="empty (0, 3)")
    yield S(rand(rng, (4, 3), dtype).T, dim=1, desc="transposed (3, 4)")
    big = cast([[1e4, -1e4, 0.0, 5.0], [-1e4, -1e4, -1e4, -1e4], [1e4, 1e4, 0.0, 0.0]], dtype)
    yield S(big, dim=1, desc="logits of +-1e4", tags=("quick", "special"))
    yield S(cast([[0.0, np.inf, 1.0], [-np.inf, 0.0, 1.0], [np.nan, 0.0, 1.0]], dtype), dim=1,
            desc="inf, -inf and nan logits", tags=("special",))
    yield S(rand(rng, (3, 4), dtype), dim=1, dtype=DType("float64"), desc="dtype=float64")


for _name in ("softmax", "log_softmax", "softmin"):
    row(f"F.{_name}", NN, F(_name), softmax_samples,
        bad_inputs=(S(f64([[1.0, 2.0]]), dim=2, desc="dim out of range"),))

# -- linear, dropout, embedding, one_hot, pad ------------------------------------------------


def linear_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield S(rand(rng, (3, 5), dtype), rand(rng, (4, 5), dtype), rand(rng, (4,), dtype),
            desc="(3, 5) @ W(4, 5) + b", tags=QG)
    yield S(rand(rng, (2, 3, 5), dtype), rand(rng, (4, 5), dtype), rand(rng, (4,), dtype),
            desc="(2, 3, 5) batched", tags=("gradcheck",))
    yield S(rand(rng, (5,), dtype), rand(rng, (4, 5), dtype), desc="1-d input, no bias")
    yield S(rand(rng, (6, 3), dtype).T, rand(rng, (2, 6), dtype), rand(rng, (2,), dtype),
            desc="transposed input (3, 6)", tags=("noncontig",))
    yield S(rand(rng, (0, 5), dtype), rand(rng, (4, 5), dtype), rand(rng, (4,), dtype),
            desc="empty batch (0, 5)")
    yield S(rand(rng, (2, 5), dtype), rand(rng, (1, 5), dtype), rand(rng, (1,), dtype),
            desc="one output feature")
    yield S(rand(rng, (3, 5), dtype), rand(rng, (4, 5), dtype), rand(rng, (), dtype),
            desc="0-d bias broadcast over 4 outputs", tags=("gradcheck",))
    yield S(rand(rng, (3, 5), dtype), rand(rng, (4, 5), dtype), rand(rng, (1,), dtype),
            desc="(1,) bias broadcast over 4 outputs")


row("F.linear", NN, F("linear"), linear_samples,
    bad_inputs=(S(f64(np.ones((2, 3))), f64(np.ones((4, 5))), desc="in_features 3 != 5"),
                S(np.ones((2, 3), np.float32), f64(np.ones((4, 3))), desc="float32 x float64"),
                S([[1.0]], f64([[1.0]]), desc="a list input")))


def dropout_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = rand(rng, (4, 5), dtype)
    yield S(x, p=0.0, desc="p=0 (identity, returns input)", tags=QG)
    yield S(x, p=1.0, desc="p=1 (all zeros, zero gradient)", tags=("quick",))
    yield S(x, p=0.5, training=False, desc="training=False (identity)", tags=("gradcheck",))
    yield S(rand(rng, (0, 3), dtype), p=0.5, desc="empty input")
    yield S(x, p=0.5, desc="p=0.5 random mask")


row("F.dropout", NN, F("dropout"), dropout_samples,
    known=(KnownDifference(
        "the random mask differs from torch's for 0 < p < 1 in training mode",
        "minitorch draws masks from its own generator (bit-equality with torch's RNG is not a "
        "goal); the deterministic settings p=0, p=1 and training=False are compared exactly, "
        "and modules.py checks the mask's statistics (keep rate, 1/(1-p) scaling)",
        applies=lambda s: "random mask" in s.desc),),
    bad_inputs=(S(f64([1.0, 2.0]), p=1.5, desc="p=1.5"), S(f64([1.0]), p=-0.1, desc="p=-0.1")))


def embedding_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    w = rand(rng, (6, 3), dtype)
    yield S(idx([[0, 2, 2], [5, 0, 1]]), w, desc="repeated indices accumulate", tags=QG,
            grad_args=(1,))
    yield S(idx([3, 3, 3]), w, padding_idx=3, desc="padding_idx gets no gradient",
            grad_args=(1,))
    yield S(idx([0, 1, 1, 4]), w, padding_idx=-2, scale_grad_by_freq=True,
            desc="negative padding_idx, scale_grad_by_freq", grad_args=(1,))
    yield S(idx(7), rand(rng, (8, 2), dtype), desc="0-d index", grad_args=(1,))
    yield S(idx(np.zeros((2, 0), np.int64)), w, desc="empty index", grad_args=(1,))
    yield S(np.array([1, 2], np.int32), w, desc="int32 indices",
            grad_args=(1,))
    yield S(idx([[0, 2], [2, 4]]), rand(rng, (6, 3), dtype, Domain(1.0, 3.0, avoid=())),
            max_norm=1.0, desc="max_norm renormalises looked-up rows", grad_args=(1,))


row("F.embedding", NN, F("embedding"), embedding_samples,
    bad_inputs=(S(f64([0.0, 1.0]), f64(np.ones((3, 2))), desc="float indices"),
                S(idx([3]), f64(np.ones((3, 2))), desc="index 3 of 3 rows"),
                S(idx([0]), f64(np.ones(3)), desc="1-d weight"),
                S(idx([0]), f64(np.ones((3, 2))), padding_idx=3, desc="padding_idx 3 of 3")))


def one_hot_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield S(idx([0, 3, 1, 3]), desc="num_classes inferred", tags=("quick",))
    yield S(idx([[0, 2], [1, 1]]), num_classes=5, desc="(2, 2), num_classes=5")
    yield S(idx(4), num_classes=6, desc="0-d")
    yield S(idx(np.zeros(0, np.int64)), num_classes=3, desc="empty, num_classes=3")


row("F.one_hot", NN, F("one_hot"), one_hot_samples, dtypes=("int64",), differentiable=False,
    bad_inputs=(S(idx([-1, 0]), desc="negative class"),
                S(idx([3]), num_classes=2, desc="class 3 with num_classes=2"),
                S(np.array([1], np.int32), desc="int32 input"),
                S(idx(np.zeros(0, np.int64)), desc="empty, num_classes inferred")))


def pad_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x3 = rand(rng, (2, 3, 4), dtype)
    yield S(x3, (1, 2), desc="constant (1, 2)", tags=QG)
    yield S(x3, (1, 2, 0, 1), value=2.5, desc="constant, two dims, value=2.5",
            tags=("gradcheck",))
    yield S(x3, (-1, 2, 1, -1), desc="negative pads crop", tags=("gradcheck",))
    yield S(x3, (1, 1, 1, 1, 1, 1), desc="all three dims")
    for mode in ("reflect", "replicate", "circular"):
        yield S(x3, (2, 1), mode=mode, desc=f"{mode}, last dim of 3-d", tags=("gradcheck",))
        yield S(rand(rng, (1, 2, 3, 4), dtype), (1, 2, 2, 1), mode=mode,
                desc=f"{mode}, last two dims of 4-d")
        yield S(rand(rng, (3, 5), dtype), (3, 0), mode=mode, desc=f"{mode}, 2-d input")


row("F.pad", NN, F("pad"), pad_samples,
    bad_inputs=(S(f64(np.ones((2, 3))), (1,), desc="odd pad length"),
                S(f64(np.ones(3)), (1, 1, 1, 1), desc="more pairs than dims"),
                S(f64(np.ones((1, 2, 3))), (3, 3), mode="reflect", desc="reflect pad >= size"),
                S(f64(np.ones((1, 2, 3))), (1, 1), mode="wrap", desc="unknown mode"),
                S(f64(np.ones(3)), (1, 1), mode="reflect", desc="reflect of a 1-d input")))

# -- convolution and pooling -----------------------------------------------------------------
CONV2D_CASES: tuple[tuple[tuple[int, ...], tuple[int, ...], bool, dict[str, Any]], ...] = (
    # input shape, weight shape, bias, options
    ((2, 3, 7, 6), (4, 3, 3, 3), True, {}),
    ((2, 3, 7, 6), (4, 3, 3, 3), True, {"padding": 1}),
    ((2, 3, 7, 6), (4, 3, 3, 2), True, {"stride": 2}),
    ((2, 3, 7, 6), (4, 3, 3, 2), False, {"stride": (2, 1), "padding": (1, 0)}),
    ((1, 2, 9, 8), (3, 2, 3, 3), True, {"dilation": 2, "padding": 2}),
    ((2, 4, 6, 6), (6, 2, 3, 3), True, {"groups": 2, "padding": 1}),
    ((1, 6, 5, 5), (6, 1, 3, 3), True, {"groups": 6, "padding": 1}),  # depthwise
    ((2, 3, 6, 7), (4, 3, 3, 3), True, {"padding": "same"}),
    ((2, 3, 6, 7), (4, 3, 4, 2), True, {"padding": "same", "dilation": (1, 2)}),  # even kernel
    ((2, 3, 6, 7), (4, 3, 3, 3), True, {"padding": "valid"}),
    ((3, 5, 5), (2, 3, 3, 3), True, {"stride": 2, "padding": 1}),  # unbatched
    ((2, 3, 4, 4), (5, 3, 1, 1), True, {}),  # 1x1
    ((0, 3, 5, 5), (2, 3, 3, 3), True, {}),  # empty batch
)


def conv2d_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for i, (xs, ws, bias, kw) in enumerate(CONV2D_CASES):
        args = (rand(rng, xs, dtype), rand(rng, ws, dtype))
        if bias:
            args += (rand(rng, (ws[0],), dtype),)
        tags = QG if i == 1 else (("gradcheck",) if i in (2, 5, 8) else ())
        yield S(*args, desc=f"x{xs} w{ws}{'' if bias else ' no bias'} {_kw(kw)}".strip(),
                tags=tags, **kw)
    x = np.swapaxes(rand(rng, (2, 3, 6, 5), dtype), -1, -2)
    yield S(x, rand(rng, (2, 3, 3, 3), dtype), desc="transposed input (2, 3, 5, 6)",
            tags=("noncontig",))


CONV_BAD = (
    S(f64(np.ones((1, 4, 5, 5))), f64(np.ones((3, 2, 3, 3))), desc="4 channels, weight wants 2"),
    S(f64(np.ones((1, 4, 5, 5))), f64(np.ones((3, 2, 3, 3))), groups=2,
      desc="out_channels 3 not divisible by groups 2"),
    S(f64(np.ones((1, 2, 2, 2))), f64(np.ones((3, 2, 3, 3))), desc="kernel larger than input"),
    S(f64(np.ones((1, 2, 5, 5))), f64(np.ones((3, 2, 3, 3))), padding="same", stride=2,
      desc="padding='same' with stride 2"),
    S(f64(np.ones((1, 2, 5, 5))), f64(np.ones((3, 2, 3, 3))), padding="full",
      desc="padding='full'"),
    S(f64(np.ones((1, 2, 5, 5))), f64(np.ones((3, 2, 3, 3))), padding=-1, desc="padding=-1"),
    S(f64(np.ones((1, 2, 5, 5))), f64(np.ones((3, 2, 3, 3))), stride=0, desc="stride=0"),
    S(f64(np.ones((1, 2, 5, 5))), f64(np.ones((3, 2, 3, 3))), f64(np.ones(4)),
      desc="bias of 4 for 3 channels"),
    S(np.ones((1, 2, 5, 5), np.float32), f64(np.ones((3, 2, 3, 3))), desc="float32 x float64"),
    S(f64(np.ones((2, 2))), f64(np.ones((3, 2, 3, 3))), desc="2-d input"),
    S(f64(np.ones((1, 2, 5, 5))), f64(np.ones((3, 2, 3, 3))), stride=(2, 2, 2),
      desc="stride of 3 values"),
)

row("F.conv2d", NN, F("conv2d"), conv2d_samples, bad_inputs=CONV_BAD)

CONV1D_CASES: tuple[tuple[tuple[int, ...], tuple[int, ...], bool, dict[str, Any]], ...] = (
    ((2, 3, 9), (4, 3, 3), True, {}),
    ((2, 3, 9), (4, 3, 3), True, {"stride": 2, "padding": 1}),
    ((2, 4, 11), (6, 2, 3), True, {"groups": 2, "dilation": 2, "padding": 2}),
    ((2, 3, 8), (2, 3, 4), False, {"padding": "same"}),
    ((3, 7), (2, 3, 2), True, {"padding": "valid"}),  # unbatched
)


def conv1d_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for i, (xs, ws, bias, kw) in enumerate(CONV1D_CASES):
        args = (rand(rng, xs, dtype), rand(rng, ws, dtype))
        if bias:
            args += (rand(rng, (ws[0],), dtype),)
        yield S(*args, desc=f"x{xs} w{ws}{'' if bias else ' no bias'} {_kw(kw)}".strip(),
                tags=QG if i == 1 else (("gradcheck",) if i == 2 else ()), **kw)


row("F.conv1d", NN, F("conv1d"), conv1d_samples,
    bad_inputs=(S(f64(np.ones((1, 4, 5))), f64(np.ones((3, 2, 3))), desc="channel mismatch"),
                S(f64(np.ones((1, 2, 5))), f64(np.ones((3, 2))), desc="2-d weight")))

POOL_CASES: tuple[tuple[tuple[int, ...], dict[str, Any]], ...] = (
    ((2, 3, 6, 6), {"kernel_size": 2}),
    ((2, 3, 7, 6), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ((1, 2, 7, 7), {"kernel_size": (3, 2), "stride": (1, 2)}),
    ((2, 2, 7, 6), {"kernel_size": 3, "stride": 2, "ceil_mode": True}),
    ((1, 2, 6, 7), {"kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True}),
    ((3, 5, 5), {"kernel_size": 2, "stride": 1}),  # unbatched
)


def max_pool_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for i, (xs, kw) in enumerate(POOL_CASES):
        yield S(rand(rng, xs, dtype), desc=f"{xs} {_kw(kw)}",
                tags=QG if i == 1 else ("gradcheck",), **kw)
    yield S(rand(rng, (1, 2, 9, 9), dtype), kernel_size=3, stride=1, padding=1, dilation=2,
            desc="dilation=2", tags=("gradcheck",))
    yield S(rand(rng, (2, 2, 7, 6), dtype), kernel_size=3, stride=2, padding=1,
            return_indices=True, desc="return_indices=True")
    yield S(np.zeros((1, 1, 4, 4), dtype), kernel_size=2, stride=1,
            desc="all ties: the first maximum of each window gets the gradient",
            tags=("special", "quick"))
    special = np.full((1, 1, 4, 4), -np.inf, dtype)
    special[0, 0, 1, 1] = np.nan
    special[0, 0, 3, 0] = np.nan
    special[0, 0, 2, 3] = np.inf
    yield S(special, kernel_size=3, stride=1, padding=1, return_indices=True,
            desc="-inf, inf and NaN (NaN wins, all -inf picks the first element)",
            tags=("special",))


row("F.max_pool2d", NN, F("max_pool2d"), max_pool_samples,
    bad_inputs=(S(f64(np.ones((1, 2, 5, 5))), 3, padding=2, desc="padding > kernel/2"),
                S(f64(np.ones((5, 5))), 2, desc="2-d input"),
                S(f64(np.ones((1, 1, 2, 2))), 3, desc="window larger than input"),
                S(f64(np.ones((1, 1, 4, 4))), (2, 2, 2), desc="kernel of 3 values")))


def avg_pool_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for i, (xs, kw) in enumerate(POOL_CASES):
        yield S(rand(rng, xs, dtype), desc=f"{xs} {_kw(kw)}",
                tags=QG if i == 1 else ("gradcheck",), **kw)
    x = rand(rng, (2, 2, 7, 6), dtype)
    yield S(x, 3, 2, 1, count_include_pad=False, desc="count_include_pad=False",
            tags=("gradcheck",))
    yield S(x, 3, 2, 1, ceil_mode=True, count_include_pad=False,
            desc="ceil_mode, count_include_pad=False")
    yield S(x, 2, divisor_override=3, desc="divisor_override=3")


row("F.avg_pool2d", NN, F("avg_pool2d"), avg_pool_samples,
    bad_inputs=(S(f64(np.ones((1, 2, 5, 5))), 3, padding=2, desc="padding > kernel/2"),
                S(f64(np.ones((1, 1, 4, 4))), 2, divisor_override=0, desc="divisor_override=0"),
                S(f64(np.ones(5)), 2, desc="1-d input")))

# -- normalisation ---------------------------------------------------------------------------


def layer_norm_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield S(rand(rng, (3, 5), dtype), (5,), rand(rng, (5,), dtype), rand(rng, (5,), dtype),
            desc="(3, 5) over the last dim, affine", tags=QG)
    yield S(rand(rng, (2, 3, 4), dtype), (3, 4), rand(rng, (3, 4), dtype),
            rand(rng, (3, 4), dtype), desc="(2, 3, 4) over the last two dims",
            tags=("gradcheck",))
    yield S(rand(rng, (2, 3, 4), dtype), [4], eps=1e-3, desc="no affine, eps=1e-3",
            tags=("gradcheck",))
    yield S(rand(rng, (4,), dtype), [4], rand(rng, (4,), dtype), None,
            desc="1-d input, weight only")
    yield S(cast(np.full((2, 3), 7.0), dtype), (3,), desc="constant rows (var = 0)",
            tags=("special",))
    yield S(cast(rand(rng, (3, 4), "float64") * 1e3 + 1e4, dtype), (4,),
            desc="large mean and spread", tags=("special",))


row("F.layer_norm", NN, F("layer_norm"), layer_norm_samples,
    bad_inputs=(S(f64(np.ones((2, 3))), (4,), desc="normalized_shape (4,) for (2, 3)"),
                S(f64(np.ones((2, 3))), (3,), f64(np.ones(4)), desc="weight of 4 for (3,)"),
                S(idx(np.ones((2, 3))), (3,), desc="int64 input"),
                S(f64(np.ones((2, 3))), 3, desc="an int normalized_shape (torch wants a tuple)")))


def batch_norm_call(lib: Any, x: Any, rm: Any, rv: Any, *args: Any, **kwargs: Any) -> Any:
    """F.batch_norm on copies of the running stats, so repeated calls (gradcheck) see the same
    statistics; modules.py compares the updated running stats themselves."""
    rm = None if rm is None else rm.clone()
    rv = None if rv is None else rv.clone()
    return lib.nn.functional.batch_norm(x, rm, rv, *args, **kwargs)


def batch_norm_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    def stats(c: int) -> tuple[np.ndarray, np.ndarray]:
        return rand(rng, (c,), dtype), cast(rng.uniform(0.5, 2.0, c), dtype)

    g = (0, 3, 4)  # input, weight, bias: the running statistics are not differentiable
    rm, rv = stats(3)
    yield S(rand(rng, (4, 3), dtype), rm, rv, rand(rng, (3,), dtype), rand(rng, (3,), dtype),
            training=True, desc="(4, 3) training", tags=QG, grad_args=g)
    yield S(rand(rng, (4, 3, 5, 2), dtype), rm, rv, rand(rng, (3,), dtype),
            rand(rng, (3,), dtype), training=True, momentum=0.3, desc="(4, 3, 5, 2) training",
            tags=("gradcheck",), grad_args=g)
    yield S(rand(rng, (2, 3, 4), dtype), None, None, rand(rng, (3,), dtype),
            rand(rng, (3,), dtype), training=True, desc="(2, 3, 4) training, no running stats",
            grad_args=g)
    yield S(rand(rng, (5, 3), dtype), rm, rv, training=True, eps=1e-3,
            desc="training, no affine, eps=1e-3", grad_args=(0,))
    yield S(rand(rng, (4, 3), dtype), rm, rv, rand(rng, (3,), dtype), rand(rng, (3,), dtype),
            training=False, desc="(4, 3) eval (running stats)", tags=("quick", "gradcheck"),
            grad_args=g)
    yield S(rand(rng, (2, 3, 3, 3), dtype), rm, rv, rand(rng, (3,), dtype), None,
            training=False, desc="(2, 3, 3, 3) eval, weight only", grad_args=(0, 3))


row("F.batch_norm", NN, batch_norm_call, batch_norm_samples,
    bad_inputs=(S(f64(np.ones((1, 3))), f64(np.zeros(3)), f64(np.ones(3)), training=True,
                  desc="one value per channel in training"),
                S(f64(np.ones((4, 3))), None, None, training=False,
                  desc="eval without running stats"),
                S(f64(np.ones((4, 3))), f64(np.zeros(2)), f64(np.ones(2)), training=True,
                  desc="running stats of 2 for 3 channels")))

# -- losses ----------------------------------------------------------------------------------


def regression_samples(extra: Sequence[dict[str, Any]] = ({},), weight: bool = False,
                       promote: bool = True) -> SampleFn:
    """input, target (and per-element weight) for every reduction; ties for the kinks."""

    def gen(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for kw in extra:
            for red in REDUCTIONS:
                x, t = rand(rng, (3, 4), dtype, ANY), rand(rng, (3, 4), dtype, ANY)
                tags = QG if red == "mean" and kw == extra[0] else ("gradcheck",)
                yield S(x, t, reduction=red, desc=f"(3, 4) {red} {_kw(kw)}".strip(), tags=tags,
                        **kw)
            x = rand(rng, (2, 3), dtype)
            t = x.copy()
            t[0] = x[0] - cast([1.0, -1.0, 0.5], dtype)  # |d| at 0, 0.5 and 1: the kinks
            yield S(x, t, desc=f"ties and |x - t| in (0, 0.5, 1) {_kw(kw)}".strip(),
                    tags=("special",), **kw)
            yield S(rand(rng, (3, 1), dtype), rand(rng, (1, 4), dtype), reduction="none",
                    desc=f"broadcast (3, 1) with (1, 4) {_kw(kw)}".strip(), **kw)
            yield S(rand(rng, (), dtype), rand(rng, (), dtype), desc="0-d", **kw)
            yield S(rand(rng, (0, 3), dtype), rand(rng, (0, 3), dtype), reduction="sum",
                    desc="empty, sum", **kw)
            if weight:
                for red in REDUCTIONS:
                    yield S(rand(rng, (3, 4), dtype), rand(rng, (3, 4), dtype),
                            weight=cast(rng.uniform(0.1, 2.0, (3, 4)), dtype), reduction=red,
                            desc=f"weight=, {red} {_kw(kw)}".strip(), grad_args=(0, 1))
        if promote:
            yield S(rand(rng, (2, 3), dtype), rand(rng, (2, 3), "float64"),
                    desc="target float64 (result promotes like torch)")

    return gen


MISMATCH_BAD = (S(f64(np.ones(3)), f64(np.ones(4)), desc="(3,) with (4,)"),
                S(f64(np.ones(3)), f64(np.ones(3)), reduction="avg", desc="reduction='avg'"))
row("F.mse_loss", LOSS, F("mse_loss"), regression_samples(weight=True),
    bad_inputs=MISMATCH_BAD + (S(idx([1, 2]), idx([1, 2]), desc="int64 input and target"),
                               S(f64(np.ones(3)), f64(np.ones(3)), weight=f64(np.ones(2)),
                                 desc="weight of a different size")))
row("F.l1_loss", LOSS, F("l1_loss"), regression_samples(weight=True), bad_inputs=MISMATCH_BAD)
row("F.smooth_l1_loss", LOSS, F("smooth_l1_loss"),
    regression_samples(({}, {"beta": 0.5}, {"beta": 0.0})),
    bad_inputs=MISMATCH_BAD + (S(f64(np.ones(3)), f64(np.ones(3)), beta=-1.0,
                                 desc="beta=-1"),))
# No float64-target sample: torch's huber_loss keeps the input's dtype and then fails in
# backward ("Found dtype Double but expected Float"), so there is nothing sound to compare.
row("F.huber_loss", LOSS, F("huber_loss"),
    regression_samples(({}, {"delta": 0.3}), weight=True, promote=False),
    bad_inputs=MISMATCH_BAD[:1] + (S(f64(np.ones(3)), f64(np.ones(3)), delta=0.0,
                                     desc="delta=0"),))


def class_logits(rng: np.random.Generator, shape: Sequence[int], dtype: str) -> np.ndarray:
    return cast(rng.standard_normal(tuple(shape)) * 2, dtype)


def probabilities(rng: np.random.Generator, shape: Sequence[int], dtype: str,
                  axis: int = 1) -> np.ndarray:
    p = rng.uniform(0.05, 1.0, tuple(shape))
    return cast(p / p.sum(axis=axis, keepdims=True), dtype)


def cross_entropy_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    n, c = 6, 4
    w = cast(rng.uniform(0.5, 2.0, c), dtype)
    y = idx(rng.integers(0, c, n))
    y_ign = y.copy()
    y_ign[[1, 4]] = -100
    for ls in (0.0, 0.2):
        for red in REDUCTIONS:
            q = QG if red == "mean" else ("gradcheck",)
            yield S(class_logits(rng, (n, c), dtype), y, reduction=red, label_smoothing=ls,
                    desc=f"indices, {red}, label_smoothing={ls}", tags=q)
            yield S(class_logits(rng, (n, c), dtype), y_ign, weight=w, reduction=red,
                    label_smoothing=ls, desc=f"indices, weight, ignore_index=-100, {red}, "
                    f"label_smoothing={ls}", tags=("gradcheck",))
            yield S(class_logits(rng, (n, c), dtype), probabilities(rng, (n, c), dtype),
                    reduction=red, label_smoothing=ls,
                    desc=f"probabilities, {red}, label_smoothing={ls}", tags=("gradcheck",))
            yield S(class_logits(rng, (n, c), dtype), probabilities(rng, (n, c), dtype),
                    weight=w, reduction=red, label_smoothing=ls,
                    desc=f"probabilities, weight, {red}, label_smoothing={ls}")
        yield S(class_logits(rng, (2, c, 3, 2), dtype), idx(rng.integers(0, c, (2, 3, 2))),
                weight=w, label_smoothing=ls, desc=f"(2, 4, 3, 2) spatial, weight, ls={ls}",
                tags=("gradcheck",))
        yield S(class_logits(rng, (2, c, 3), dtype), probabilities(rng, (2, c, 3), dtype),
                reduction="none", label_smoothing=ls, desc=f"(2, 4, 3) probabilities, none, "
                f"ls={ls}")
        yield S(class_logits(rng, (c,), dtype), idx(2), label_smoothing=ls,
                desc=f"unbatched (4,) with a 0-d target, ls={ls}")
        yield S(class_logits(rng, (n, c), dtype), y, ignore_index=int(y[0]), label_smoothing=ls,
                reduction="none", desc=f"ignore_index={int(y[0])}, none, ls={ls}")
    big = cast([[1e4, -1e4, 0.0, 5.0], [-1e4, -1e4, -1e4, -1e4], [1e4, 1e4, 0.0, 0.0]], dtype)
    yield S(big, idx([1, 2, 3]), desc="logits of +-1e4 (stays finite)",
            tags=("quick", "special"))
    yield S(big, idx([1, 2, 3]), label_smoothing=0.1, reduction="none",
            desc="logits of +-1e4, label_smoothing=0.1", tags=("special",))
    yield S(class_logits(rng, (2, c), dtype), idx([-100, -100]),
            desc="every target ignored: mean is nan, as torch", tags=("special",))


row("F.cross_entropy", LOSS, F("cross_entropy"), cross_entropy_samples,
    bad_inputs=(S(f64(np.ones((3, 4))), idx([0, 1, 7]), desc="target 7 of 4 classes"),
                S(f64(np.ones((3, 4))), idx([0, 1]), desc="batch 3 vs 2 targets"),
                S(f64(np.ones((3, 4))), np.array([0, 1, 2], np.int32), desc="int32 target"),
                S(f64(np.ones((3, 4))), f64(np.ones((3, 4)) / 4), ignore_index=1,
                  desc="ignore_index with probabilities"),
                S(f64(np.ones((3, 4))), idx([0, 1, 2]), label_smoothing=1.5,
                  desc="label_smoothing=1.5"),
                S(f64(np.ones((3, 4))), idx([0, 1, 2]), weight=f64(np.ones(3)),
                  desc="weight for 3 of 4 classes"),
                S(f64(np.ones((2, 3, 4))), idx(np.zeros((2, 5))), desc="spatial size mismatch"),
                S(idx(np.ones((3, 4))), idx([0, 1, 2]), desc="int64 logits")))


def nll_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    n, c = 5, 4
    w = cast(rng.uniform(0.5, 2.0, c), dtype)
    y = idx(rng.integers(0, c, n))
    y_ign = y.copy()
    y_ign[2] = -100
    for red in REDUCTIONS:
        yield S(np.log(probabilities(rng, (n, c), dtype)), y, reduction=red,
                desc=f"{red}", tags=QG if red == "mean" else ("gradcheck",))
        yield S(np.log(probabilities(rng, (n, c), dtype)), y_ign, weight=w, reduction=red,
                desc=f"weight, ignore_index=-100, {red}", tags=("gradcheck",))
    yield S(class_logits(rng, (2, c, 3), dtype), idx(rng.integers(0, c, (2, 3))),
            ignore_index=1, desc="(2, 4, 3) spatial, ignore_index=1")
    yield S(class_logits(rng, (c,), dtype), idx(3), desc="unbatched")


row("F.nll_loss", LOSS, F("nll_loss"), nll_samples,
    bad_inputs=(S(f64(np.ones((3, 4))), idx([0, 4, 1]), desc="target 4 of 4 classes"),
                S(f64(np.ones((3, 4))), idx(2), desc="0-d target for a batch"),
                S(f64(np.ones((2, 3, 4))), idx([0, 1]), desc="spatial input, 1-d target")))


def bce_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    def probs(shape: Sequence[int]) -> np.ndarray:
        return cast(rng.uniform(0.05, 0.95, tuple(shape)), dtype)

    for red in REDUCTIONS:
        yield S(probs((3, 4)), probs((3, 4)), reduction=red, desc=f"(3, 4) {red}",
                tags=QG if red == "mean" else ("gradcheck",))
        yield S(probs((3, 4)), probs((3, 4)), weight=probs((4,)), reduction=red,
                desc=f"weight (4,) broadcast, {red}", grad_args=(0, 1), tags=("gradcheck",))
    yield S(cast([0.0, 1.0, 0.0, 1.0, 0.5], dtype), cast([1.0, 0.0, 0.0, 1.0, 0.5], dtype),
            reduction="none", desc="inputs 0 and 1: logs clamped at -100",
            tags=("special", "quick"), grad_args=(0,))
    yield S(probs(()), probs(()), desc="0-d")


row("F.binary_cross_entropy", LOSS, F("binary_cross_entropy"), bce_samples,
    bad_inputs=(S(f64([1.5]), f64([1.0]), desc="input 1.5 outside [0, 1]"),
                S(f64(np.full(3, 0.5)), f64(np.full((3, 1), 0.5)), desc="target (3, 1)"),
                S(np.full(3, 0.5, np.float32), f64(np.full(3, 0.5)), desc="float32 with float64"),
                S(f64(np.full((3, 4), 0.5)), f64(np.full((3, 4), 0.5)), weight=f64(np.ones(3)),
                  desc="weight (3,) does not broadcast")))


def bce_logits_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    def t(shape: Sequence[int]) -> np.ndarray:
        return cast(rng.uniform(0.0, 1.0, tuple(shape)), dtype)

    for red in REDUCTIONS:
        yield S(rand(rng, (3, 4), dtype), t((3, 4)), reduction=red, desc=f"(3, 4) {red}",
                tags=QG if red == "mean" else ("gradcheck",))
        yield S(rand(rng, (3, 4), dtype), t((3, 4)), weight=t((1, 4)) + 0.5,
                pos_weight=cast(rng.uniform(0.5, 3.0, 4), dtype), reduction=red,
                desc=f"weight (1, 4), pos_weight (4,), {red}", grad_args=(0, 1),
                tags=("gradcheck",))
    big = cast([[100.0, -100.0, 30.0, -30.0], [1e4, -1e4, 0.0, 0.0]], dtype)
    yield S(big, cast([[0.0, 1.0, 0.5, 0.5], [0.0, 1.0, 1.0, 0.0]], dtype), reduction="none",
            desc="logits of +-100 and +-1e4 (stable)", tags=("special", "quick"))
    yield S(big, cast([[0.0, 1.0, 0.5, 0.5], [0.0, 1.0, 1.0, 0.0]], dtype),
            pos_weight=cast([2.0, 0.5, 1.0, 3.0], dtype), desc="large logits with pos_weight",
            grad_args=(0, 1), tags=("special",))
    yield S(rand(rng, (2, 3), dtype), t((2, 3)).astype(np.float64),
            desc="target float64 (promotes)")


row("F.binary_cross_entropy_with_logits", LOSS, F("binary_cross_entropy_with_logits"),
    bce_logits_samples,
    bad_inputs=(S(f64(np.ones(3)), f64(np.ones((3, 1))), desc="target (3, 1)"),
                S(f64(np.ones((3, 4))), f64(np.ones((3, 4))), pos_weight=f64(np.ones(3)),
                  desc="pos_weight (3,) for 4 classes")))


def kl_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for red in ("batchmean", "sum", "mean", "none"):
        logp = np.log(probabilities(rng, (3, 4), dtype))
        yield S(logp, probabilities(rng, (3, 4), dtype), reduction=red, desc=f"{red}",
                tags=QG if red == "batchmean" else ("gradcheck",))
        yield S(logp, np.log(probabilities(rng, (3, 4), dtype)), reduction=red,
                log_target=True, desc=f"log_target, {red}", tags=("gradcheck",))
    p = probabilities(rng, (2, 3), dtype)
    p[0, 0] = 0.0
    yield S(np.log(probabilities(rng, (2, 3), dtype)), p, reduction="sum",
            desc="a zero target (loss 0 there; target gradient NaN, as torch)",
            tags=("special",))
    yield S(np.log(probabilities(rng, (2, 3), dtype)), probabilities(rng, (1, 3), dtype),
            reduction="sum", desc="target (1, 3) broadcasts")


row("F.kl_div", LOSS, F("kl_div"), kl_samples,
    bad_inputs=(S(f64(np.ones(3)), f64(np.ones(3)), reduction="avg", desc="reduction='avg'"),
                S(f64(np.ones(3)), f64(np.ones(4)), desc="(3,) with (4,)")))


# -- in-place functional forms: the result and its gradient flow through the written tensor --
def inplace_functional(name: str, **fixed: Any) -> Callable[..., Any]:
    """F.NAME_(x * 1): the op writes into a non-leaf copy, which backward must see through."""

    def call(lib: Any, x: Any, **kwargs: Any) -> Any:
        y = x * 1
        out = getattr(lib.nn.functional, name)(y, **kwargs, **fixed)
        return out, y

    return call


row("F.leaky_relu_", NN, inplace_functional("leaky_relu_"),
    unary(ANY, kwargs=({}, {"negative_slope": 0.2}), special=False))
row("F.elu_", NN, inplace_functional("elu_"), unary(ANY, kwargs=({}, {"alpha": 0.5}),
                                                   special=False))
row("F.relu_", NN, inplace_functional("relu_"), unary(ANY, special=False))


def bilinear_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield S(rand(rng, (3, 4), dtype), rand(rng, (3, 5), dtype), rand(rng, (6, 4, 5), dtype),
            rand(rng, (6,), dtype), desc="(3, 4) x (3, 5) -> 6 with bias", tags=QG)
    yield S(rand(rng, (2, 3, 4), dtype), rand(rng, (2, 3, 5), dtype),
            rand(rng, (2, 4, 5), dtype), desc="(2, 3, 4) x (2, 3, 5) -> 2, no bias")


row("F.bilinear", NN, F("bilinear"), bilinear_samples,
    bad_inputs=(S(f64(np.ones((3, 4))), f64(np.ones((2, 5))), f64(np.ones((6, 4, 5))),
                  desc="batch 3 with batch 2"),))
row("F.max_pool2d_with_indices", NN, F("max_pool2d_with_indices"), max_pool_samples)
