"""nn modules against torch: every module built in both engines and compared.

For each module case (one module, one dtype, one mode) we build it in torch
and in minitorch, check that the reprs and the state_dict keys (in order) are
identical, copy torch's weights into minitorch with `load_state_dict`, run
the same inputs through both, and compare the output, the gradient of every
input and of every parameter (under a random upstream gradient), and every
buffer afterwards (BatchNorm's running_mean, running_var and
num_batches_tracked after each training step). Modules whose behaviour
depends on the mode run in train and in eval mode.

Besides the modules: the Module API (load_state_dict's strictness and
errors, dtype conversion, registration, train/eval, zero_grad, apply, ...)
run the same way in both engines; nn.init's distributions are checked
statistically (tolerances from the sample size); clip_grad_norm_ is compared
with torch; Dropout's random mask is checked for its keep rate and scaling.

`run_section(quick)` is what `python -m parity` calls;
`python -m parity.modules [--quick] [--case ID]` runs it alone.
"""

from __future__ import annotations

from parity import kernels

# a --case rerun runs on the sweep's kernels (before NumPy and torch load: parity/kernels.py)
kernels.pin_environment()

import argparse
import collections
import json
import math
import sys
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import torch

import minitorch as mt
from parity import engines
from parity.compare import DEFAULT_TOLERANCE, compare_arrays
from parity.results import SectionFailure, SectionResult, print_section

DTYPES = ("float64", "float32")
TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}
RERUN = ".venv/bin/python -m parity.modules --case"
ENGINES = "any"  # runs against any engine: `mt` below is the engine under test (bind_engine)


def bind_engine() -> None:
    """Point `mt` at the engine under test (--engine; minitorch by default): every case
    builds its modules in torch and in `mt`."""
    global mt
    mt = engines.current().lib


def configure_threads() -> None:
    torch.set_num_threads(1)
    try:
        import threadpoolctl

        threadpoolctl.threadpool_limits(1)
    except ImportError:  # pragma: no cover - a harness dependency
        pass


# -- moving things between the engines ---------------------------------------------------------
def to_numpy(t: Any) -> np.ndarray:
    """The values of a torch or minitorch tensor as a fresh NumPy array."""
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy().copy()
    return np.array(engines.current().numpy(t))


def torch_state_to_mt(state: dict[str, Any]) -> dict[str, Any]:
    """torch's state_dict with every tensor converted to a minitorch tensor (same dtype)."""
    return {k: mt.from_numpy(to_numpy(v)) for k, v in state.items()}


def copy_weights(tm: Any, mm: Any) -> None:
    """Load torch module tm's parameters and buffers into minitorch module mm."""
    mm.load_state_dict(torch_state_to_mt(tm.state_dict()))


def make_input(lib: Any, a: np.ndarray, requires_grad: bool) -> Any:
    t = lib.from_numpy(a.copy())
    if requires_grad:
        t.requires_grad_(True)
    return t


# -- a module case -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ModuleCase:
    name: str  # the constructor call, as written in both engines
    make: Callable[[Any], Any]  # lib -> module (lib is torch or minitorch)
    inputs: Callable[[np.random.Generator, str], list[np.ndarray]]
    modes: tuple[str, ...] = ("train",)  # ("train", "eval") where the two differ
    grad_args: tuple[int, ...] | None = None  # which inputs require grad (None: floating ones)
    steps: int = 1  # forward/backward passes per case (BatchNorm: several, for running stats)
    covers: tuple[str, ...] = ()
    quick: bool = False  # in the quick subset of `make test`
    # how to call the module: (lib, module, input tensors) -> output; None: module(*inputs).
    # The output may nest tuples (LSTM's (out, (h, c)), a PackedSequence): every tensor in it
    # is compared.
    call: Callable[[Any, Any, list[Any]], Any] | None = None


def _rand(shape: Sequence[int], lo: float = -2.0, hi: float = 2.0
          ) -> Callable[[np.random.Generator, str], np.ndarray]:
    return lambda rng, dtype: rng.uniform(lo, hi, tuple(shape)).astype(dtype)


def inputs_of(*makers: Callable[[np.random.Generator, str], np.ndarray]
              ) -> Callable[[np.random.Generator, str], list[np.ndarray]]:
    return lambda rng, dtype: [m(rng, dtype) for m in makers]


def _ints(shape: Sequence[int], high: int) -> Callable[[np.random.Generator, str], np.ndarray]:
    return lambda rng, dtype: rng.integers(0, high, tuple(shape)).astype(np.int64)


def _probs(shape: Sequence[int]) -> Callable[[np.random.Generator, str], np.ndarray]:
    def make(rng: np.random.Generator, dtype: str) -> np.ndarray:
        p = rng.uniform(0.05, 1.0, tuple(shape))
        return (p / p.sum(axis=1, keepdims=True)).astype(dtype)

    return make


def _log_probs(shape: Sequence[int]) -> Callable[[np.random.Generator, str], np.ndarray]:
    return lambda rng, dtype: np.log(_probs(shape)(rng, dtype))


def _unit(shape: Sequence[int]) -> Callable[[np.random.Generator, str], np.ndarray]:
    return _rand(shape, 0.05, 0.95)


class _Tiny:
    """Custom modules written once against `lib` (the way a user writes a model)."""

    @staticmethod
    def with_list(lib: Any) -> Any:
        class Stack(lib.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.layers = lib.nn.ModuleList([lib.nn.Linear(4, 4) for _ in range(3)])
                self.norm = lib.nn.LayerNorm(4)
                self.register_buffer("scale", lib.ones(4) * 0.5)
                self.register_buffer("cache", lib.zeros(2), persistent=False)

            def forward(self, x: Any) -> Any:
                for layer in self.layers:
                    x = lib.tanh(layer(x)) * self.scale
                return self.norm(x)

        return Stack()

    @staticmethod
    def with_dict(lib: Any) -> Any:
        class Heads(lib.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.body = lib.nn.Sequential(lib.nn.Linear(5, 6), lib.nn.GELU())
                self.heads = lib.nn.ModuleDict({"a": lib.nn.Linear(6, 2),
                                                "b": lib.nn.Linear(6, 3, bias=False)})
                self.gain = lib.nn.Parameter(lib.ones(1) * 2.0)

            def forward(self, x: Any) -> Any:
                h = self.body(x) * self.gain
                return lib.cat([self.heads["a"](h), self.heads["b"](h)], dim=1)

        return Heads()


def module_cases() -> list[ModuleCase]:
    nn = "nn"
    C: list[ModuleCase] = []

    def add(name: str, make: Callable[[Any], Any], inputs: Any, **kw: Any) -> None:
        C.append(ModuleCase(name, make, inputs, **kw))

    x35 = inputs_of(_rand((3, 5)))
    add("Linear(5, 4)", lambda L: L.nn.Linear(5, 4), x35, covers=(f"{nn}.Linear",), quick=True)
    add("Linear(5, 2, bias=False)", lambda L: L.nn.Linear(5, 2, bias=False),
        inputs_of(_rand((2, 3, 5))))
    add("Identity()", lambda L: L.nn.Identity(), x35, covers=(f"{nn}.Identity",))
    add("Flatten()", lambda L: L.nn.Flatten(), inputs_of(_rand((2, 3, 4))),
        covers=(f"{nn}.Flatten",))
    add("Flatten(0, -1)", lambda L: L.nn.Flatten(0, -1), inputs_of(_rand((2, 3, 4))))
    acts = [
        ("ReLU()", lambda L: L.nn.ReLU(), "ReLU"),
        ("LeakyReLU(0.1)", lambda L: L.nn.LeakyReLU(0.1), "LeakyReLU"),
        ("ELU(alpha=0.5)", lambda L: L.nn.ELU(alpha=0.5), None),
        ("GELU()", lambda L: L.nn.GELU(), "GELU"),
        ("GELU(approximate='tanh')", lambda L: L.nn.GELU(approximate="tanh"), None),
        ("SiLU()", lambda L: L.nn.SiLU(), "SiLU"),
        ("Softplus(beta=2.0)", lambda L: L.nn.Softplus(beta=2.0), None),
        ("Tanh()", lambda L: L.nn.Tanh(), "Tanh"),
        ("Sigmoid()", lambda L: L.nn.Sigmoid(), "Sigmoid"),
        ("Softmax(dim=1)", lambda L: L.nn.Softmax(dim=1), "Softmax"),
        ("LogSoftmax(dim=-1)", lambda L: L.nn.LogSoftmax(dim=-1), "LogSoftmax"),
    ]
    for name, make, cover in acts:
        add(name, make, inputs_of(_rand((3, 6))), covers=(f"{nn}.{cover}",) if cover else (),
            quick=name == "GELU()")
    add("Dropout(p=0.3)", lambda L: L.nn.Dropout(p=0.3), inputs_of(_rand((4, 6))),
        modes=("eval",), covers=(f"{nn}.Dropout",))
    add("Dropout(p=0.0)", lambda L: L.nn.Dropout(p=0.0), inputs_of(_rand((4, 6))))
    add("LayerNorm(6)", lambda L: L.nn.LayerNorm(6), inputs_of(_rand((2, 3, 6))),
        covers=(f"{nn}.LayerNorm",), quick=True)
    add("LayerNorm((3, 4), elementwise_affine=False)",
        lambda L: L.nn.LayerNorm((3, 4), elementwise_affine=False), inputs_of(_rand((2, 3, 4))))
    add("LayerNorm(4, bias=False, eps=1e-3)", lambda L: L.nn.LayerNorm(4, bias=False, eps=1e-3),
        inputs_of(_rand((5, 4))))
    add("BatchNorm1d(3)", lambda L: L.nn.BatchNorm1d(3), inputs_of(_rand((6, 3))),
        modes=("train", "eval"), steps=3, covers=(f"{nn}.BatchNorm1d",))
    add("BatchNorm1d(3, momentum=None)", lambda L: L.nn.BatchNorm1d(3, momentum=None),
        inputs_of(_rand((4, 3, 5))), modes=("train", "eval"), steps=3)
    add("BatchNorm2d(4)", lambda L: L.nn.BatchNorm2d(4), inputs_of(_rand((3, 4, 5, 5))),
        modes=("train", "eval"), steps=3, covers=(f"{nn}.BatchNorm2d",), quick=True)
    add("BatchNorm2d(4, affine=False)", lambda L: L.nn.BatchNorm2d(4, affine=False),
        inputs_of(_rand((2, 4, 3, 3))), modes=("train", "eval"), steps=2)
    add("BatchNorm2d(4, track_running_stats=False)",
        lambda L: L.nn.BatchNorm2d(4, track_running_stats=False),
        inputs_of(_rand((2, 4, 3, 3))), modes=("train", "eval"), steps=2)
    add("Embedding(10, 4)", lambda L: L.nn.Embedding(10, 4),
        inputs_of(lambda rng, d: np.array([[1, 2, 2], [9, 0, 1]], np.int64)),
        covers=(f"{nn}.Embedding",))
    add("Embedding(10, 4, padding_idx=0)", lambda L: L.nn.Embedding(10, 4, padding_idx=0),
        inputs_of(lambda rng, d: np.array([[0, 2, 0], [9, 0, 1]], np.int64)))
    add("Conv1d(3, 4, 3, stride=2, padding=1)", lambda L: L.nn.Conv1d(3, 4, 3, stride=2,
                                                                      padding=1),
        inputs_of(_rand((2, 3, 9))), covers=(f"{nn}.Conv1d",))
    add("Conv2d(3, 4, 3, padding=1)", lambda L: L.nn.Conv2d(3, 4, 3, padding=1),
        inputs_of(_rand((2, 3, 6, 6))), covers=(f"{nn}.Conv2d",), quick=True)
    add("Conv2d(4, 6, (3, 2), stride=2, groups=2, bias=False)",
        lambda L: L.nn.Conv2d(4, 6, (3, 2), stride=2, groups=2, bias=False),
        inputs_of(_rand((2, 4, 7, 6))))
    add("Conv2d(2, 3, 3, padding='same', dilation=2)",
        lambda L: L.nn.Conv2d(2, 3, 3, padding="same", dilation=2),
        inputs_of(_rand((1, 2, 7, 7))))
    add("Conv2d(2, 3, 3, padding=(1, 2), padding_mode='reflect')",
        lambda L: L.nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode="reflect"),
        inputs_of(_rand((2, 2, 5, 6))))
    add("Conv1d(2, 3, 4, padding='same', padding_mode='circular')",
        lambda L: L.nn.Conv1d(2, 3, 4, padding="same", padding_mode="circular"),
        inputs_of(_rand((2, 2, 7))))
    add("MaxPool2d(2)", lambda L: L.nn.MaxPool2d(2), inputs_of(_rand((2, 3, 6, 6))),
        covers=(f"{nn}.MaxPool2d",))
    add("MaxPool2d(3, stride=2, padding=1)", lambda L: L.nn.MaxPool2d(3, stride=2, padding=1),
        inputs_of(_rand((2, 3, 7, 7))))
    add("AvgPool2d(2)", lambda L: L.nn.AvgPool2d(2), inputs_of(_rand((2, 3, 6, 6))),
        covers=(f"{nn}.AvgPool2d",))
    add("AvgPool2d(3, stride=2, padding=1, count_include_pad=False)",
        lambda L: L.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
        inputs_of(_rand((2, 3, 7, 7))))
    # losses: (input, target)
    add("MSELoss()", lambda L: L.nn.MSELoss(), inputs_of(_rand((3, 4)), _rand((3, 4))),
        covers=(f"{nn}.MSELoss",))
    add("L1Loss(reduction='sum')", lambda L: L.nn.L1Loss(reduction="sum"),
        inputs_of(_rand((3, 4)), _rand((3, 4))), covers=(f"{nn}.L1Loss",))
    add("SmoothL1Loss(beta=0.5)", lambda L: L.nn.SmoothL1Loss(beta=0.5),
        inputs_of(_rand((3, 4)), _rand((3, 4))))
    add("HuberLoss(delta=0.5)", lambda L: L.nn.HuberLoss(delta=0.5),
        inputs_of(_rand((3, 4)), _rand((3, 4))))
    add("CrossEntropyLoss()", lambda L: L.nn.CrossEntropyLoss(),
        inputs_of(_rand((5, 4)), _ints((5,), 4)), covers=(f"{nn}.CrossEntropyLoss",),
        quick=True)
    add("CrossEntropyLoss(weight=w, ignore_index=1, label_smoothing=0.1)",
        lambda L: L.nn.CrossEntropyLoss(weight=L.tensor([0.5, 1.0, 2.0, 1.5]), ignore_index=1,
                                        label_smoothing=0.1),
        inputs_of(_rand((6, 4)), _ints((6,), 4)))
    add("CrossEntropyLoss(reduction='none') probabilities",
        lambda L: L.nn.CrossEntropyLoss(reduction="none"),
        inputs_of(_rand((5, 4)), _probs((5, 4))))
    add("NLLLoss()", lambda L: L.nn.NLLLoss(), inputs_of(_log_probs((5, 4)), _ints((5,), 4)),
        covers=(f"{nn}.NLLLoss",))
    add("BCELoss()", lambda L: L.nn.BCELoss(), inputs_of(_unit((3, 4)), _unit((3, 4))),
        covers=(f"{nn}.BCELoss",))
    add("BCEWithLogitsLoss(pos_weight=pw)",
        lambda L: L.nn.BCEWithLogitsLoss(pos_weight=L.tensor([1.0, 2.0, 0.5, 3.0])),
        inputs_of(_rand((3, 4)), _unit((3, 4))), covers=(f"{nn}.BCEWithLogitsLoss",))
    add("KLDivLoss(reduction='batchmean')", lambda L: L.nn.KLDivLoss(reduction="batchmean"),
        inputs_of(_log_probs((3, 4)), _probs((3, 4))))
    # containers and user-written modules
    add("Sequential(Linear, ReLU, Linear)",
        lambda L: L.nn.Sequential(L.nn.Linear(5, 8), L.nn.ReLU(), L.nn.Linear(8, 2)), x35,
        covers=(f"{nn}.Sequential", f"{nn}.Module", f"{nn}.Parameter"), quick=True)
    add("Sequential(OrderedDict(conv, bn, act, pool, flat, fc))",
        lambda L: L.nn.Sequential(collections.OrderedDict([
            ("conv", L.nn.Conv2d(1, 3, 3, padding=1)), ("bn", L.nn.BatchNorm2d(3)),
            ("act", L.nn.ReLU()), ("pool", L.nn.MaxPool2d(2)), ("flat", L.nn.Flatten()),
            ("fc", L.nn.Linear(12, 2))])),
        inputs_of(_rand((4, 1, 4, 4))), modes=("train", "eval"), steps=2)
    add("Module with ModuleList, LayerNorm and buffers", _Tiny.with_list,
        inputs_of(_rand((3, 4))), covers=(f"{nn}.ModuleList",))
    add("Module with ModuleDict, Sequential and a Parameter", _Tiny.with_dict,
        inputs_of(_rand((3, 5))), covers=(f"{nn}.ModuleDict",))
    C.extend(recurrent_cases())
    from parity.modules_attention import attention_cases  # built on this module's helpers
    from parity.modules_nnact import nnact_cases
    from parity.modules_nnmod import nnmod_cases
    from parity.modules_vision import vision_cases

    C.extend(attention_cases())
    C.extend(nnact_cases())
    C.extend(vision_cases())
    C.extend(nnmod_cases())
    return C


# -- recurrent modules: (seq, batch, features) inputs, tuple outputs, packed sequences -----------
def _lstm_states(L: Any, m: Any, x: list[Any]) -> Any:
    return m(x[0], (x[1], x[2]))


def _packed(lengths: list[int], enforce_sorted: bool, batch_first: bool = False,
            unpack: bool = False) -> Callable[[Any, Any, list[Any]], Any]:
    """Call the module on pack_padded_sequence(x[0], lengths) (and the states after it); with
    unpack, return pad_packed_sequence of the output instead of the PackedSequence."""
    def call(L: Any, m: Any, x: list[Any]) -> Any:
        U = L.nn.utils.rnn
        packed = U.pack_padded_sequence(x[0], lengths, batch_first=batch_first,
                                        enforce_sorted=enforce_sorted)
        states = x[1:] if len(x) != 3 else [(x[1], x[2])]  # three inputs: x, h0, c0 (LSTM)
        out, h = m(packed, *states)
        return (U.pad_packed_sequence(out, batch_first=batch_first), h) if unpack else (out, h)

    return call


def _pack_sequence_call(L: Any, m: Any, x: list[Any]) -> Any:
    seqs = [x[0][:5, 0], x[0][:4, 1], x[0][:2, 2]]  # pack_sequence of three slices
    return m(L.nn.utils.rnn.pack_sequence(seqs))


def recurrent_cases() -> list[ModuleCase]:
    """RNN, LSTM, GRU with each option, the cells, and packed sequences (small: T=5, B=3)."""
    nn, U = "nn", "nn.utils.rnn"
    C: list[ModuleCase] = []

    def add(name: str, make: Callable[[Any], Any], inputs: Any, **kw: Any) -> None:
        C.append(ModuleCase(name, make, inputs, **kw))

    x = _rand((5, 3, 3), -1.5, 1.5)  # (T, B, input_size=3)
    xb = _rand((3, 5, 3), -1.5, 1.5)  # batch_first
    x1 = _rand((5, 3), -1.5, 1.5)  # unbatched

    def h(*shape: int) -> Callable[[np.random.Generator, str], np.ndarray]:
        return _rand(shape, -1.0, 1.0)

    add("RNN(3, 4)", lambda L: L.nn.RNN(3, 4), inputs_of(x), covers=(f"{nn}.RNN",), quick=True)
    add("RNN(3, 4, 2, nonlinearity='relu') with h0",
        lambda L: L.nn.RNN(3, 4, 2, nonlinearity="relu"), inputs_of(x, h(2, 3, 4)))
    add("RNN(3, 4, bias=False, batch_first=True, bidirectional=True)",
        lambda L: L.nn.RNN(3, 4, bias=False, batch_first=True, bidirectional=True),
        inputs_of(xb))
    add("RNN(3, 4) unbatched with h0", lambda L: L.nn.RNN(3, 4), inputs_of(x1, h(1, 4)))
    add("LSTM(3, 4)", lambda L: L.nn.LSTM(3, 4), inputs_of(x), covers=(f"{nn}.LSTM",),
        quick=True)
    add("LSTM(3, 4, num_layers=2, bidirectional=True) with (h0, c0)",
        lambda L: L.nn.LSTM(3, 4, num_layers=2, bidirectional=True),
        inputs_of(x, h(4, 3, 4), h(4, 3, 4)), call=_lstm_states)
    add("LSTM(3, 5, proj_size=2, batch_first=True)",
        lambda L: L.nn.LSTM(3, 5, proj_size=2, batch_first=True), inputs_of(xb))
    add("LSTM(3, 5, 2, bias=False, bidirectional=True, proj_size=2) with (h0, c0)",
        lambda L: L.nn.LSTM(3, 5, 2, bias=False, bidirectional=True, proj_size=2),
        inputs_of(x, h(4, 3, 2), h(4, 3, 5)), call=_lstm_states)
    add("LSTM(3, 4) unbatched with (h0, c0)", lambda L: L.nn.LSTM(3, 4),
        inputs_of(x1, h(1, 4), h(1, 4)), call=_lstm_states)
    add("LSTM(3, 4, num_layers=2, dropout=0.5) in eval mode",
        lambda L: L.nn.LSTM(3, 4, num_layers=2, dropout=0.5), inputs_of(x), modes=("eval",))
    add("GRU(3, 4)", lambda L: L.nn.GRU(3, 4), inputs_of(x), covers=(f"{nn}.GRU",), quick=True)
    add("GRU(3, 4, 2, batch_first=True, bidirectional=True) with h0",
        lambda L: L.nn.GRU(3, 4, 2, batch_first=True, bidirectional=True),
        inputs_of(xb, h(4, 3, 4)))
    add("GRU(3, 4, bias=False) unbatched", lambda L: L.nn.GRU(3, 4, bias=False), inputs_of(x1))
    # packed sequences in, PackedSequence out (data, batch_sizes and both permutations compared)
    add("GRU(3, 4, bidirectional=True) on pack_padded_sequence(enforce_sorted=False) with h0",
        lambda L: L.nn.GRU(3, 4, bidirectional=True), inputs_of(x, h(2, 3, 4)),
        call=_packed([2, 5, 4], enforce_sorted=False),
        covers=(f"{U}.pack_padded_sequence", f"{U}.PackedSequence"))
    add("LSTM(3, 4, 2, bidirectional=True, batch_first=True) packed, then pad_packed_sequence",
        lambda L: L.nn.LSTM(3, 4, 2, bidirectional=True, batch_first=True),
        inputs_of(xb, h(4, 3, 4), h(4, 3, 4)),
        call=_packed([5, 3, 1], enforce_sorted=True, batch_first=True, unpack=True),
        covers=(f"{U}.pad_packed_sequence",))
    add("LSTM(3, 5, proj_size=3) packed, unsorted", lambda L: L.nn.LSTM(3, 5, proj_size=3),
        inputs_of(x), call=_packed([3, 3, 5], enforce_sorted=False))
    add("RNN(3, 4, 2, nonlinearity='relu') on pack_sequence",
        lambda L: L.nn.RNN(3, 4, 2, nonlinearity="relu"), inputs_of(x),
        call=_pack_sequence_call, covers=(f"{U}.pack_sequence", f"{U}.pad_sequence"))
    # the cells: one step
    add("RNNCell(3, 4) with hx", lambda L: L.nn.RNNCell(3, 4), inputs_of(h(3, 3), h(3, 4)),
        covers=(f"{nn}.RNNCell",))
    add("RNNCell(3, 4, bias=False, nonlinearity='relu')",
        lambda L: L.nn.RNNCell(3, 4, bias=False, nonlinearity="relu"), inputs_of(h(3, 3)))
    add("LSTMCell(3, 4) with (hx, cx)", lambda L: L.nn.LSTMCell(3, 4),
        inputs_of(h(3, 3), h(3, 4), h(3, 4)), call=_lstm_states, covers=(f"{nn}.LSTMCell",))
    add("LSTMCell(3, 4) unbatched", lambda L: L.nn.LSTMCell(3, 4), inputs_of(h(3)))
    add("GRUCell(3, 4) with hx", lambda L: L.nn.GRUCell(3, 4), inputs_of(h(3, 3), h(3, 4)),
        covers=(f"{nn}.GRUCell",))
    add("GRUCell(3, 4, bias=False) unbatched with hx", lambda L: L.nn.GRUCell(3, 4, bias=False),
        inputs_of(h(3), h(4)))
    return C


@dataclass
class Outcome:
    status: str = "ok"  # ok / FAIL / known
    fwd: float = 0.0  # worst |mt - torch| over outputs
    grad: float = 0.0  # worst over input and parameter gradients
    buffers: float = 0.0  # worst over buffers (running stats)
    detail: str = ""
    checks: str = ""


def flat_tensors(out: Any) -> list[Any]:
    """Every tensor in a (nested) tuple or list output, in order; a PackedSequence is a tuple."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flat_tensors(o)]
    return [] if out is None else [out]


def _dtype_name(t: Any) -> str:
    return str(t.dtype).rsplit(".", 1)[-1]


def _worse(cur: float, new: float) -> float:
    return new if not math.isfinite(cur) else max(cur, new)


def run_module_case(case: ModuleCase, dtype: str, mode: str) -> Outcome:
    """Build, copy weights, run `case.steps` forward/backward passes, compare everything."""
    out = Outcome()
    checks: list[str] = []
    rtol, atol = DEFAULT_TOLERANCE[dtype]

    def fail(msg: str) -> None:
        if out.status == "ok":
            out.status, out.detail = "FAIL", msg

    torch.manual_seed(0)
    tm = case.make(torch).to(TORCH_DTYPES[dtype])
    mm = case.make(mt).to(getattr(mt, dtype))
    if repr(tm) != repr(mm):
        fail(f"repr differs: {repr(mm)!r} != {repr(tm)!r}")
    checks.append("repr")
    t_keys, m_keys = list(tm.state_dict()), list(mm.state_dict())
    if t_keys != m_keys:
        fail(f"state_dict keys {m_keys} != torch's {t_keys}")
    t_names = [n for n, _ in tm.named_parameters()]
    if [n for n, _ in mm.named_parameters()] != t_names:
        fail("named_parameters order differs")
    checks.append("keys")
    copy_weights(tm, mm)
    tm.train(mode == "train")
    mm.train(mode == "train")
    rng = np.random.default_rng(zlib_seed(case.name, dtype, mode))
    for step in range(case.steps):
        arrays = case.inputs(rng, dtype)
        grad_at = case.grad_args if case.grad_args is not None else tuple(
            i for i, a in enumerate(arrays) if a.dtype.kind == "f")
        t_in = [make_input(torch, a, i in grad_at) for i, a in enumerate(arrays)]
        m_in = [make_input(mt, a, i in grad_at) for i, a in enumerate(arrays)]
        tm.zero_grad()
        mm.zero_grad()
        if case.call is None:
            t_out, m_out = tm(*t_in), mm(*m_in)
        else:
            t_out, m_out = case.call(torch, tm, t_in), case.call(mt, mm, m_in)
        t_flat, m_flat = flat_tensors(t_out), flat_tensors(m_out)
        if len(t_flat) != len(m_flat):
            fail(f"step {step}: {len(m_flat)} output tensors, torch has {len(t_flat)}")
            break
        for k, (mo, to) in enumerate(zip(m_flat, t_flat)):
            what = f"step {step} out" + (f"[{k}]" if len(t_flat) > 1 else "")
            c = compare_arrays(to_numpy(mo), to_numpy(to), rtol, atol, what=what)
            out.fwd = max(out.fwd, c.abs_err)
            if c.mismatch:
                fail(c.mismatch)
            if tuple(mo.shape) != tuple(to.shape) or _dtype_name(mo) != _dtype_name(to):
                fail(f"{what}: shape/dtype {tuple(mo.shape)} {mo.dtype} != {tuple(to.shape)} "
                     f"{to.dtype}")
        # backward under a random cotangent on every output that carries a gradient
        pulled = [(mo, to) for mo, to in zip(m_flat, t_flat) if to.requires_grad]
        if pulled:
            gs = [rng.standard_normal(tuple(to.shape)).astype(dtype) for _, to in pulled]
            if len(pulled) == 1:
                pulled[0][1].backward(torch.from_numpy(gs[0].copy()))
                pulled[0][0].backward(mt.from_numpy(gs[0].copy()))
            else:  # sum_k <out_k, g_k>: its gradient is every output's vector-Jacobian product
                sum((to * torch.from_numpy(g.copy())).sum()
                    for (_, to), g in zip(pulled, gs)).backward()
                sum((mo * mt.from_numpy(g.copy())).sum()
                    for (mo, _), g in zip(pulled, gs)).backward()
            pairs = [(f"input {i}", m_in[i].grad, t_in[i].grad) for i in grad_at]
            m_params = dict(mm.named_parameters())
            pairs += [(f"{n}.grad", m_params[n].grad, p.grad) for n, p in tm.named_parameters()]
            for what, mg, tg in pairs:
                if (mg is None) != (tg is None):
                    fail(f"step {step} {what}: {'None' if mg is None else 'a tensor'} in "
                         f"minitorch, {'None' if tg is None else 'a tensor'} in torch")
                    continue
                if tg is None:
                    continue
                c = compare_arrays(to_numpy(mg), to_numpy(tg), rtol, atol, zero_sign=False,
                                   what=f"step {step} {what}")
                out.grad = max(out.grad, c.abs_err)
                if c.mismatch:
                    fail(c.mismatch)
            if "grad" not in checks:
                checks.append("grad")
        t_state, m_state = tm.state_dict(), mm.state_dict()
        for k, tv in t_state.items():
            if k not in m_state:
                continue
            c = compare_arrays(to_numpy(m_state[k]), to_numpy(tv), rtol, atol,
                               what=f"step {step} {k}")
            out.buffers = max(out.buffers, c.abs_err)
            if c.mismatch:
                fail(c.mismatch)
        if "state" not in checks:
            checks.append("state")
    out.checks = ", ".join(checks + ([f"{case.steps} steps"] if case.steps > 1 else []))
    return out


def zlib_seed(*parts: Any) -> int:
    import zlib

    return zlib.crc32("/".join(map(str, parts)).encode())


# -- the Module API, run in both engines ----------------------------------------------------------
def _err(fn: Callable[[], Any]) -> str:
    try:
        fn()
    except Exception as e:
        for c in type(e).__mro__:
            if c.__module__ == "builtins":
                return c.__name__
        return type(e).__name__
    return "no error"


def _net(L: Any) -> Any:
    return L.nn.Sequential(L.nn.Linear(3, 4), L.nn.BatchNorm1d(4), L.nn.ReLU(),
                           L.nn.Linear(4, 2))


def _api_load_non_strict(L: Any) -> Any:
    m = _net(L)
    sd = dict(m.state_dict())
    sd.pop("0.bias")
    sd["extra.weight"] = L.zeros(2)
    res = m.load_state_dict(sd, strict=False)
    return sorted(res.missing_keys), sorted(res.unexpected_keys)


def _api_load_errors(L: Any) -> Any:
    m = _net(L)
    sd = dict(m.state_dict())
    missing = dict(sd)
    missing.pop("1.running_var")
    extra = dict(sd, **{"3.foo": L.zeros(1)})
    shape = dict(sd, **{"0.weight": L.zeros(4, 4)})
    return (_err(lambda: m.load_state_dict(missing)), _err(lambda: m.load_state_dict(extra)),
            _err(lambda: m.load_state_dict(shape)),
            _err(lambda: m.load_state_dict(shape, strict=False)))


def _api_load_keeps_dtype(L: Any) -> Any:
    m = L.nn.Linear(3, 2)
    ref = m.weight
    m.load_state_dict({"weight": L.ones(2, 3, dtype=L.float64) / 3,
                       "bias": L.zeros(2, dtype=L.float64)})
    return (str(m.weight.dtype).split(".")[-1], m.weight is ref, m.weight.requires_grad,
            np.round(to_numpy(m.weight), 7).tolist())


def _api_to_dtype(L: Any) -> Any:
    m = _net(L)
    p = m[0].weight
    m.to(L.float64)
    kinds = [str(v.dtype).split(".")[-1] for v in m.state_dict().values()]
    m.float()
    return kinds, p is m[0].weight, str(m[0].weight.dtype).split(".")[-1], \
        str(m[1].num_batches_tracked.dtype).split(".")[-1]


def _api_modes(L: Any) -> Any:
    m = _net(L)
    before = [x.training for x in m.modules()]
    m.eval()
    after = [x.training for x in m.modules()]
    return before, after, _err(lambda: m.train("no"))


def _api_zero_grad(L: Any) -> Any:
    m = _net(L)
    m(L.ones(5, 3)).sum().backward()
    had = [p.grad is not None for p in m.parameters()]
    m.zero_grad()
    return had, [p.grad is None for p in m.parameters()]


def _api_walks(L: Any) -> Any:
    m = _Tiny.with_list(L)
    seen: list[str] = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    return (seen, [n for n, _ in m.named_children()], [n for n, _ in m.named_modules()],
            [n for n, _ in m.named_buffers()], list(m.state_dict()),
            [n for n, _ in m.named_parameters()], len(list(m.parameters())),
            len(list(m.buffers())), len(list(m.children())))


def _api_registration(L: Any) -> Any:
    m = L.nn.Linear(2, 2)
    res = [_err(lambda: setattr(m, "weight", L.zeros(2, 2))),  # a plain tensor onto a param
           _err(lambda: m.register_buffer("weight", L.zeros(1))),
           _err(lambda: m.register_buffer("a.b", L.zeros(1))),
           _err(lambda: m.register_parameter("p", L.zeros(1)))]
    m.extra = L.nn.Parameter(L.zeros(3))
    m.bias = None
    res.append([n for n, _ in m.named_parameters()])
    res.append(list(m.state_dict()))
    del m.extra
    res.append([n for n, _ in m.named_parameters()])
    res.append(_err(lambda: m.nothing))
    return res


def _api_parameter(L: Any) -> Any:
    p = L.nn.Parameter(L.tensor([1.0, 2.0]))
    q = L.nn.Parameter(L.tensor([1.0]), requires_grad=False)
    return (repr(p).replace("minitorch", "torch"), p.requires_grad, q.requires_grad, p.is_leaf,
            type(p * 2).__name__, _err(lambda: L.nn.Parameter(L.tensor([1, 2]))))


def _api_requires_grad(L: Any) -> Any:
    m = _net(L)
    m.requires_grad_(False)
    return [p.requires_grad for p in m.parameters()]


def _api_submodules(L: Any) -> Any:
    class Scaled(L.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.k = 3
            self.inner = L.nn.Linear(2, 2)

        def extra_repr(self) -> str:
            return f"k={self.k}"

    m = _Tiny.with_list(L)
    return [repr(m.get_submodule("layers.1")), m.get_submodule("") is m,
            _err_and_message(lambda: m.get_submodule("layers.7")),
            _err_and_message(lambda: m.get_submodule("norm.weight")),
            _err_and_message(lambda: m.get_submodule("nothing")), repr(Scaled()),
            L.nn.Linear(2, 3).extra_repr(), L.nn.Module().extra_repr()]


def _api_tensor_data(L: Any) -> Any:
    """The hand-written SGD step of older tutorials: p.data shares p's memory, records nothing."""
    L.manual_seed(0)
    w = L.nn.Parameter(L.arange(4.0))
    (w * w).sum().backward()
    d = w.data
    shared_before = d.tolist()
    w.data -= 0.1 * w.grad  # writes into w's memory, no graph, w stays a leaf
    out = [shared_before, d.tolist(), w.tolist(), d.requires_grad, d.grad_fn is None,
           w.is_leaf, w.requires_grad, type(w.data).__name__]
    w.data = L.zeros(2)  # assigning swaps the tensor's contents, shape included
    out += [w.tolist(), w.requires_grad, type(w).__name__, tuple(w.shape)]
    return out


def _api_reprs(L: Any) -> Any:
    return [repr(L.nn.ModuleList([L.nn.Linear(2, 2) for _ in range(3)] + [L.nn.ReLU()])),
            repr(_Tiny.with_dict(L)), repr(_net(L))]


def _err_and_message(fn: Callable[[], Any]) -> list[str]:
    """[exception class, message] (torch's messages name no engine in these cases)."""
    try:
        fn()
    except Exception as e:
        builtin = next(c for c in type(e).__mro__ if c.__module__ == "builtins")
        return [builtin.__name__, str(e)]
    return ["no error", ""]


def _api_rnn_errors(L: Any) -> Any:
    """Constructor and forward errors of the recurrent modules: class and message."""
    lstm, gru, cell, one = L.nn.LSTM(10, 20, 2), L.nn.GRU(10, 20), L.nn.LSTMCell(10, 20), L.ones
    calls = [
        lambda: L.nn.RNN(10, 20, nonlinearity="sigmoid"),
        lambda: L.nn.GRU(10, 20, proj_size=2),
        lambda: L.nn.LSTM(10, 20, proj_size=20),
        lambda: L.nn.LSTM(10, 20, dropout=1.5),
        lambda: L.nn.RNN(10, 20, bias=1),
        lambda: L.nn.RNN(10.0, 20),
        lambda: L.nn.RNN(10, 20, num_layers=0),
        lambda: lstm(one(4, 3, 5)),
        lambda: lstm(one(4, 3, 10), (one(2, 2, 20), one(2, 3, 20))),
        lambda: lstm(one(4, 3, 10), (one(2, 3, 20), one(1, 3, 20))),
        lambda: lstm(one(4, 3, 10), (one(3, 20), one(1, 3, 20))),
        lambda: lstm(one(4, 10), (one(2, 1, 20), one(1, 3, 20))),
        lambda: lstm(one(4, 3, 10, 1)),
        lambda: lstm(one(0, 3, 10)),
        lambda: gru(one(4, 3, 10), one(1, 2, 20)),
        lambda: gru(one(4, 3, 10), one(2, 20)),
        lambda: gru(one(4, 10), one(1, 1, 20)),
        lambda: gru(L.nn.utils.rnn.pack_sequence([one(2, 3)])),
        lambda: cell(one(3, 5)),
        lambda: cell(one(3, 10), (one(2, 20), one(3, 20))),
        lambda: cell(one(3, 10), (one(3, 20), one(3, 21))),
        lambda: cell(one(3, 3, 10)),
        lambda: L.nn.RNNCell(10, 20, nonlinearity="sigmoid")(one(3, 10)),
        lambda: L.nn.GRUCell(10, 20)(one(3, 10), one(3, 3, 21)),
    ]
    # the dtype errors name the engine's dtypes: compared by class only
    classes = [_err(lambda: lstm(one(4, 3, 10, dtype=L.float64))),
               _err(lambda: gru(one(4, 3, 10), one(1, 3, 20, dtype=L.float64)))]
    return [_err_and_message(c) for c in calls] + classes


def _api_rnn_utils(L: Any) -> Any:
    """pad_sequence, pack_padded_sequence, pad_packed_sequence, pack_sequence: values, the int
    tensors (batch_sizes, permutations, lengths) and their errors."""
    U = L.nn.utils.rnn
    seqs = [L.arange(6.0).reshape(3, 2), L.arange(2.0).reshape(1, 2) + 10,
            L.arange(4.0).reshape(2, 2) - 5]
    res: list[Any] = [U.pad_sequence(seqs).tolist(),
                      U.pad_sequence(seqs, batch_first=True, padding_value=-1.0).tolist(),
                      U.pad_sequence(seqs, padding_side="left").tolist()]
    padded = U.pad_sequence(seqs, batch_first=True)
    for packed in (U.pack_padded_sequence(padded, [3, 1, 2], batch_first=True,
                                          enforce_sorted=False),
                   U.pack_padded_sequence(padded, L.tensor([3, 1, 2]), batch_first=True,
                                          enforce_sorted=False),
                   U.pack_sequence([seqs[0], seqs[2], seqs[1]])):
        res.append([t.tolist() if t is not None else None for t in packed])
        out, lengths = U.pad_packed_sequence(packed, total_length=4, padding_value=9.0)
        res.append([out.tolist(), lengths.tolist(), str(lengths.dtype)])
    res += [_err_and_message(lambda: U.pack_padded_sequence(padded, [1, 3, 2], True)),
            _err_and_message(lambda: U.pack_padded_sequence(padded, [3, 2, 0], True)),
            _err_and_message(lambda: U.pack_padded_sequence(padded, [3, 2], True)),
            _err_and_message(lambda: U.pad_packed_sequence(U.pack_sequence(seqs[:2]),
                                                           total_length=2)),
            _err_and_message(lambda: U.pad_sequence([])),
            _err_and_message(lambda: U.pad_sequence(seqs, padding_side="up")),
            _err(lambda: U.pad_sequence([L.ones(2, 3), L.ones(3, 4)]))]
    return res


def _api_vector_utils(L: Any) -> Any:
    """parameters_to_vector (differentiable), vector_to_parameters, clip_grad_value_."""
    params = [L.nn.Parameter(L.arange(6.0).reshape(2, 3) - 2),
              L.nn.Parameter(L.tensor([0.5, -1.5]))]
    vec = L.nn.utils.parameters_to_vector(params)
    (vec * L.arange(8.0)).sum().backward()
    res = [vec.tolist(), vec.requires_grad, [p.grad.tolist() for p in params]]
    L.nn.utils.clip_grad_value_(params, 2.5)
    res.append([p.grad.tolist() for p in params])
    with L.no_grad():
        L.nn.utils.vector_to_parameters(L.arange(8.0) * 0.5, params)
    res.append([p.tolist() for p in params])
    res.append(_err(lambda: L.nn.utils.vector_to_parameters([1.0], params)))
    return res


API_CASES: dict[str, Callable[[Any], Any]] = {
    "load_state_dict(strict=False) returns missing and unexpected keys": _api_load_non_strict,
    "load_state_dict errors (missing, unexpected, shape, shape with strict=False)":
        _api_load_errors,
    "load_state_dict keeps the target's dtype and tensor": _api_load_keeps_dtype,
    "to(float64) / float(): floating state converts, Parameters keep identity": _api_to_dtype,
    "train() / eval() reach every submodule; train('no') raises": _api_modes,
    "zero_grad() sets every .grad to None": _api_zero_grad,
    "apply, children, modules, buffers (non-persistent ones stay out of state_dict)":
        _api_walks,
    "registration through __setattr__ and its errors": _api_registration,
    "Parameter: repr, requires_grad, leaf, ops give Tensors, int data refused": _api_parameter,
    "requires_grad_(False) on every parameter": _api_requires_grad,
    "repr of ModuleList (repeats folded), nested modules": _api_reprs,
    "get_submodule (paths and errors) and extra_repr": _api_submodules,
    "Tensor.data: a hand-written SGD step through p.data, then p.data = other": _api_tensor_data,
    "RNN / LSTM / GRU and cells: constructor and forward errors (class and message)":
        _api_rnn_errors,
    "nn.utils.rnn: pad_sequence, pack_padded_sequence, pad_packed_sequence, pack_sequence":
        _api_rnn_utils,
    "nn.utils: parameters_to_vector, vector_to_parameters, clip_grad_value_": _api_vector_utils,
}


def run_api_case(fn: Callable[[Any], Any]) -> Outcome:
    torch.manual_seed(0)
    want, got = fn(torch), fn(mt)
    if _plain(want) == _plain(got):
        return Outcome(checks="equal")
    return Outcome(status="FAIL", detail=f"minitorch {_plain(got)!r:.300} != torch "
                                         f"{_plain(want)!r:.300}", checks="equal")


def _plain(x: Any) -> Any:
    """Engine-neutral form of a result: tuples as lists, 'minitorch' spelled 'torch'."""
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, str):
        return x.replace("minitorch", "torch")
    return x


# -- nn.init: distributions checked statistically ---------------------------------------------
def init_expectation(name: str, shape: tuple[int, ...]) -> tuple[str, float, float, float]:
    """(kind, mean, std, bound) the distribution of torch's formula must have.

    Uses torch's own fan and gain helpers, so the expectation is torch's."""
    fan_in = fan_out = 1
    if len(shape) >= 2:
        fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    gain_lrelu5 = torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5))
    if name == "uniform_(a=-0.5, b=1.5)":
        return "uniform", 0.5, 2 / math.sqrt(12), 1.0
    if name == "normal_(mean=1, std=0.5)":
        return "normal", 1.0, 0.5, math.inf
    if name == "xavier_uniform_(gain=2)":
        a = 2 * math.sqrt(6.0 / (fan_in + fan_out))
        return "uniform", 0.0, a / math.sqrt(3), a
    if name == "xavier_normal_":
        return "normal", 0.0, math.sqrt(2.0 / (fan_in + fan_out)), math.inf
    if name == "kaiming_uniform_(a=sqrt(5))":
        bound = gain_lrelu5 * math.sqrt(3.0 / fan_in)
        return "uniform", 0.0, bound / math.sqrt(3), bound
    if name == "kaiming_uniform_(mode='fan_out', nonlinearity='relu')":
        bound = math.sqrt(2.0) * math.sqrt(3.0 / fan_out)
        return "uniform", 0.0, bound / math.sqrt(3), bound
    if name == "kaiming_normal_":
        return "normal", 0.0, torch.nn.init.calculate_gain("leaky_relu", 0) / math.sqrt(fan_in), \
            math.inf
    if name == "Linear(400, 300).weight":
        b = 1 / math.sqrt(400)
        return "uniform", 0.0, b / math.sqrt(3), b
    if name == "Linear(400, 300).bias":
        b = 1 / math.sqrt(400)
        return "uniform", 0.0, b / math.sqrt(3), b
    if name == "Conv2d(16, 32, 5).weight":
        b = 1 / math.sqrt(16 * 25)
        return "uniform", 0.0, b / math.sqrt(3), b
    if name == "Embedding(500, 64).weight":
        return "normal", 0.0, 1.0, math.inf
    if name in ("LSTM(100, 256, proj_size=64): every parameter", "GRUCell(100, 256).weight_hh"):
        b = 1 / math.sqrt(256)  # every recurrent weight and bias: U(-1/sqrt(hidden), ...)
        return "uniform", 0.0, b / math.sqrt(3), b
    raise KeyError(name)


INIT_CASES: dict[str, Callable[[Any], Any]] = {
    "uniform_(a=-0.5, b=1.5)": lambda t: mt.nn.init.uniform_(t, -0.5, 1.5),
    "normal_(mean=1, std=0.5)": lambda t: mt.nn.init.normal_(t, 1.0, 0.5),
    "xavier_uniform_(gain=2)": lambda t: mt.nn.init.xavier_uniform_(t, gain=2.0),
    "xavier_normal_": lambda t: mt.nn.init.xavier_normal_(t),
    "kaiming_uniform_(a=sqrt(5))": lambda t: mt.nn.init.kaiming_uniform_(t, a=math.sqrt(5)),
    "kaiming_uniform_(mode='fan_out', nonlinearity='relu')":
        lambda t: mt.nn.init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"),
    "kaiming_normal_": lambda t: mt.nn.init.kaiming_normal_(t),
}
MODULE_INIT_CASES: dict[str, Callable[[], Any]] = {
    "Linear(400, 300).weight": lambda: mt.nn.Linear(400, 300).weight,
    "Linear(400, 300).bias": lambda: mt.nn.Linear(400, 300).bias,
    "Conv2d(16, 32, 5).weight": lambda: mt.nn.Conv2d(16, 32, 5).weight,
    "Embedding(500, 64).weight": lambda: mt.nn.Embedding(500, 64).weight,
    "LSTM(100, 256, proj_size=64): every parameter":
        lambda: mt.nn.utils.parameters_to_vector(mt.nn.LSTM(100, 256, proj_size=64).parameters()),
    "GRUCell(100, 256).weight_hh": lambda: mt.nn.GRUCell(100, 256).weight_hh,
}
INIT_SHAPE = (300, 400)
SIGMAS = 5.0  # each moment within 5 standard errors of its expectation (~1 in 1.7 million)


def moment_check(values: np.ndarray, kind: str, mean: float, std: float, bound: float
                 ) -> tuple[bool, str]:
    """Sample mean and variance against the distribution's, with standard errors from n.

    se(mean) = std / sqrt(n); se(var) = sqrt((mu4 - std^4) / n), mu4 = 9/5 std^4 for a
    uniform and 3 std^4 for a normal. Uniform samples must also lie inside [-bound, bound]
    (shifted by the mean)."""
    v = values.astype(np.float64).reshape(-1)
    n = v.size
    m, var = float(v.mean()), float(v.var())
    mu4 = (9.0 / 5.0 if kind == "uniform" else 3.0) * std**4
    se_mean, se_var = std / math.sqrt(n), math.sqrt((mu4 - std**4) / n)
    ok_mean = abs(m - mean) <= SIGMAS * se_mean
    ok_var = abs(var - std**2) <= SIGMAS * se_var
    ok_bound = kind != "uniform" or bool(np.all(np.abs(v - mean) <= bound * (1 + 1e-6)))
    detail = (f"mean {m:.2e} (want {mean:.2e} +- {SIGMAS * se_mean:.2e}), var {var:.2e} "
              f"(want {std**2:.2e} +- {SIGMAS * se_var:.2e})"
              + ("" if ok_bound else f", values outside +-{bound:.2e}"))
    return ok_mean and ok_var and ok_bound, detail


def run_init_case(name: str) -> Outcome:
    mt.manual_seed(zlib_seed("init", name))
    if name in INIT_CASES:
        t = mt.empty(*INIT_SHAPE)
        INIT_CASES[name](t)
        values = to_numpy(t)
        shape = INIT_SHAPE
    else:
        p = MODULE_INIT_CASES[name]()
        values, shape = to_numpy(p), tuple(p.shape)
    kind, mean, std, bound = init_expectation(name, shape)
    ok, detail = moment_check(values, kind, mean, std, bound)
    return Outcome(status="ok" if ok else "FAIL", detail=detail, checks=f"{kind} moments")


def run_constant_inits() -> Outcome:
    t = mt.empty(3, 4)
    res = [to_numpy(mt.nn.init.zeros_(t)).tolist(), to_numpy(mt.nn.init.ones_(t)).tolist(),
           to_numpy(mt.nn.init.constant_(t, 0.25)).tolist()]
    u = torch.empty(3, 4)
    want = [torch.nn.init.zeros_(u).tolist(), torch.nn.init.ones_(u).tolist(),
            torch.nn.init.constant_(u, 0.25).tolist()]
    gains = [(nl, p) for nl in ("linear", "sigmoid", "tanh", "relu", "selu", "conv2d")
             for p in (None,)] + [("leaky_relu", None), ("leaky_relu", 0.2)]
    res.append([mt.nn.init.calculate_gain(nl, p) for nl, p in gains])
    want.append([torch.nn.init.calculate_gain(nl, p) for nl, p in gains])
    ok = res == want
    return Outcome(status="ok" if ok else "FAIL", checks="exact",
                   detail="" if ok else f"{res!r:.200} != {want!r:.200}")


# -- clip_grad_norm_ and Dropout's mask ---------------------------------------------------------
def run_clip_case(norm_type: float, max_norm: float, dtype: str) -> Outcome:
    rng = np.random.default_rng(zlib_seed("clip", norm_type, max_norm, dtype))
    grads = [rng.standard_normal(s).astype(dtype) for s in ((3, 4), (5,), (2, 2, 2))]
    res = {}
    for side, L in (("torch", torch), ("minitorch", mt)):
        params = [L.nn.Parameter(L.from_numpy(np.zeros_like(g))) for g in grads]
        for p, g in zip(params, grads):
            p.grad = L.from_numpy(g.copy())
        total = L.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
        res[side] = [to_numpy(total)] + [to_numpy(p.grad) for p in params]
    rtol, atol = DEFAULT_TOLERANCE[dtype]
    out = Outcome(checks="norm, clipped grads")
    for i, (a, e) in enumerate(zip(res["minitorch"], res["torch"])):
        c = compare_arrays(a, e, rtol, atol, what="total norm" if i == 0 else f"grad {i - 1}")
        out.grad = max(out.grad, c.abs_err)
        if c.mismatch and out.status == "ok":
            out.status, out.detail = "FAIL", c.mismatch
    return out


def run_dropout_stats(p: float = 0.3, n: int = 200_000) -> Outcome:
    """The random mask: keep rate 1 - p within 5 standard errors, kept values scaled by exactly
    torch's 1/(1-p), gradient = mask * 1/(1-p), eval mode the identity."""
    mt.manual_seed(zlib_seed("dropout", p))
    x = mt.ones(n, dtype=mt.float32, requires_grad=True)
    y = mt.nn.Dropout(p)(x)
    y.sum().backward()
    v, g = to_numpy(y), to_numpy(x.grad)
    kept = v != 0
    rate = float(kept.mean())
    se = math.sqrt(p * (1 - p) / n)
    scale = float(torch.nn.functional.dropout(torch.ones(10_000), p).max())  # torch's own scale
    ok_rate = abs(rate - (1 - p)) <= SIGMAS * se
    ok_scale = bool(np.all(v[kept] == np.float32(scale)))
    ok_grad = bool(np.array_equal(g, v))
    ok_eval = mt.nn.Dropout(p).eval()(x) is x
    ok = ok_rate and ok_scale and ok_grad and ok_eval
    detail = (f"keep rate {rate:.2e} (want {1 - p:.2e} +- {SIGMAS * se:.2e}), scale "
              f"{'ok' if ok_scale else 'wrong'}, grad {'ok' if ok_grad else 'wrong'}, eval "
              f"{'identity' if ok_eval else 'not identity'}")
    return Outcome(status="ok" if ok else "FAIL", detail=detail, checks="mask statistics")


# -- the section -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    id: str
    group: str
    run: Callable[[], Outcome]
    quick: bool


def all_cases(quick: bool) -> list[Case]:
    cases: list[Case] = []
    for mc in module_cases():
        for dtype in DTYPES:
            for mode in mc.modes:
                cid = f"{mc.name}/{dtype}/{mode}"
                q = mc.quick or (dtype == "float64" and mode == mc.modes[0])
                cases.append(Case(cid, "module", lambda c=mc, d=dtype, m=mode:
                                  run_module_case(c, d, m), q))
        # Dropout in training mode draws its mask from minitorch's generator: known, and
        # checked statistically below instead.
    from parity import modules_nnmod

    for name, fn in {**API_CASES, **modules_nnmod.API_CASES}.items():
        cases.append(Case(f"api/{name}", "api", lambda f=fn: run_api_case(f), True))
    for name in list(INIT_CASES) + list(MODULE_INIT_CASES):
        cases.append(Case(f"init/{name}", "init", lambda n=name: run_init_case(n), True))
    cases.append(Case("init/zeros_, ones_, constant_, calculate_gain", "init",
                      run_constant_inits, True))
    for norm_type, max_norm in ((2.0, 1.0), (1.0, 0.5), (math.inf, 0.3), (2.0, 100.0)):
        for dtype in DTYPES:
            cases.append(Case(f"clip_grad_norm_(max_norm={max_norm}, norm_type={norm_type})/"
                              f"{dtype}", "clip", lambda a=norm_type, b=max_norm, d=dtype:
                              run_clip_case(a, b, d), dtype == "float64"))
    cases.append(Case("Dropout(p=0.3) training-mode mask statistics", "dropout",
                      run_dropout_stats, True))
    cases.append(Case("Dropout1d/2d/3d(p=0.3) training-mode channel-mask statistics",
                      "dropout", modules_nnmod.run_channel_dropout_stats, True))
    return [c for c in cases if c.quick or not quick]


COVERS = (
    "nn.Module.named_modules", "nn.Module.named_buffers", "nn.Module.get_submodule",
    "nn.Module.requires_grad_", "nn.Module.extra_repr", "Tensor.data",
    "nn.Module", "nn.Parameter", "nn.Sequential", "nn.ModuleList", "nn.ModuleDict", "nn.Linear",
    "nn.Identity", "nn.Flatten", "nn.ReLU", "nn.LeakyReLU", "nn.GELU", "nn.SiLU", "nn.Tanh",
    "nn.Sigmoid", "nn.Softmax", "nn.LogSoftmax", "nn.Dropout", "nn.LayerNorm", "nn.BatchNorm1d",
    "nn.BatchNorm2d", "nn.Embedding", "nn.Conv1d", "nn.Conv2d", "nn.MaxPool2d", "nn.AvgPool2d",
    "nn.MSELoss", "nn.L1Loss", "nn.CrossEntropyLoss", "nn.NLLLoss", "nn.BCELoss",
    "nn.BCEWithLogitsLoss", "nn.init.uniform_", "nn.init.normal_", "nn.init.zeros_",
    "nn.init.ones_", "nn.init.constant_", "nn.init.xavier_uniform_", "nn.init.xavier_normal_",
    "nn.init.kaiming_uniform_", "nn.init.kaiming_normal_", "nn.utils.clip_grad_norm_",
    "nn.RNN", "nn.LSTM", "nn.GRU", "nn.RNNCell", "nn.LSTMCell", "nn.GRUCell",
    "nn.utils.rnn.PackedSequence", "nn.utils.rnn.pad_sequence", "nn.utils.rnn.pack_padded_sequence",
    "nn.utils.rnn.pad_packed_sequence", "nn.utils.rnn.pack_sequence", "nn.utils.clip_grad_value_",
    "nn.utils.parameters_to_vector", "nn.utils.vector_to_parameters",
)

def _nnmod_covers() -> tuple[str, ...]:
    from parity import modules_nnmod

    return modules_nnmod.COVERS


def all_known_differences() -> tuple[tuple[str, str], ...]:
    """This module's differences and those of the attention cases (parity/modules_attention)."""
    from parity import modules_attention, modules_nnmod

    return (KNOWN_DIFFERENCES + tuple(modules_attention.KNOWN_DIFFERENCES)
            + tuple(modules_nnmod.KNOWN_DIFFERENCES))


KNOWN_DIFFERENCES = (
    ("Dropout in training mode (0 < p < 1)",
     "the mask comes from minitorch's generator, not torch's; compared in eval mode and with "
     "p=0 against torch, and by its statistics (keep rate, exact 1/(1-p) scaling, gradient)"),
    ("nn.init and default initialisation",
     "the same distributions as torch (checked by their moments), not the same numbers: "
     "parity copies torch's weights with load_state_dict instead"),
    ("RNN / LSTM / GRU dropout between layers in training mode (0 < p < 1)",
     "the masks come from minitorch's generator; compared in eval mode, and p=1 (deterministic) "
     "in tests/nn/test_rnn.py"),
    ("pack_padded_sequence(enforce_sorted=False) with tied lengths",
     "ties keep their order (a stable sort); torch's sort may order them differently, so "
     "sorted_indices can differ while the outputs, unpacked or in h_n, are the same"),
    ("pack_padded_sequence with a length longer than the padded input",
     "raises RuntimeError; torch reads past the end and returns an inconsistent PackedSequence"),
    ("unpad_sequence(batch_first=False)",
     "leaves the caller's tensor alone; torch transposes it in place as a side effect"),
)


def _fmt(x: float) -> str:
    return f"{x:.2e}"


def _safe(run: Callable[[], Outcome]) -> Outcome:
    try:
        return run()
    except Exception as e:
        msg = " ".join(str(e).split())[:200]
        return Outcome(status="FAIL", detail=f"crash: {type(e).__name__}: {msg}")


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    import pandas as pd

    if not rows:
        return "(none)\n"
    return pd.DataFrame(rows)[columns].to_markdown(index=False, disable_numparse=True) + "\n"


def run_section(quick: bool) -> SectionResult:
    """Run every case (quick: the subset `make test` runs) and build the report section."""
    configure_threads()
    bind_engine()
    rows: list[dict[str, Any]] = []
    failures = []
    for case in all_cases(quick):
        o = _safe(case.run)
        row = {"case": case.id, "group": case.group, "checks": o.checks, "status": o.status,
               "out": _fmt(o.fwd), "grad": _fmt(o.grad), "buffers": _fmt(o.buffers),
               "detail": o.detail}
        rows.append(row)
        if o.status == "FAIL":
            failures.append({"case": case.id, "detail": o.detail,
                             "rerun": f'{RERUN} "{case.id}"'})
    passed = sum(r["status"] == "ok" for r in rows)
    known = sum(r["status"] == "known" for r in rows)
    md = _markdown(rows, quick)
    return SectionResult(
        title="nn modules against torch",
        cases=len(rows), passed=passed, failed=len(rows) - passed - known,
        known=known, markdown=md, failures=[SectionFailure(**f) for f in failures],
        json={"cases": rows, "known_differences": [list(k) for k in all_known_differences()]},
        covers=list(COVERS) + list(_nnmod_covers())
        + sorted({c for case in module_cases() for c in case.covers}),
    )


def _markdown(rows: list[dict[str, Any]], quick: bool) -> str:
    mods = [r for r in rows if r["group"] == "module"]
    by_module: dict[str, dict[str, Any]] = {}
    for r in mods:
        name, dtype, mode = r["case"].rsplit("/", 2)
        e = by_module.setdefault(name, {"module": name, "cases": 0, "modes": [],
                                        "float64 out": 0.0, "float64 grad": 0.0,
                                        "float32 out": 0.0, "float32 grad": 0.0,
                                        "buffers": 0.0, "status": "ok"})
        e["cases"] += 1
        if mode not in e["modes"]:
            e["modes"].append(mode)
        e[f"{dtype} out"] = max(e[f"{dtype} out"], float(r["out"]))
        e[f"{dtype} grad"] = max(e[f"{dtype} grad"], float(r["grad"]))
        e["buffers"] = max(e["buffers"], float(r["buffers"]))
        if r["status"] != "ok":
            e["status"] = r["status"]
    mod_rows = []
    for e in by_module.values():
        mod_rows.append({**e, "modes": " + ".join(e["modes"]),
                         **{k: _fmt(e[k]) for k in ("float64 out", "float64 grad", "float32 out",
                                                    "float32 grad", "buffers")}})
    other = [r for r in rows if r["group"] != "module"]
    lines = [
        "Each module is built in both engines; torch's weights are loaded into minitorch with "
        "`load_state_dict`; reprs and state_dict keys must be identical; the output, the "
        "gradient of every input and parameter (random upstream gradient) and every buffer "
        "after each step are compared at torch.testing's default tolerances. Errors are the "
        "worst absolute differences." + (" Quick subset." if quick else ""),
        "",
        _table(mod_rows, ["module", "modes", "cases", "float64 out", "float64 grad",
                          "float32 out", "float32 grad", "buffers", "status"]),
        "Module API, nn.init distributions (moments within 5 standard errors of torch's "
        "formula), clip_grad_norm_ and Dropout's mask:",
        "",
        _table(other, ["case", "checks", "status", "detail"]),
        "Known differences:",
        "",
        _table([{"what": w, "reason": r} for w, r in all_known_differences()], ["what", "reason"]),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the subset make test runs")
    ap.add_argument("--case", help="run one case by its id and print the outcome")
    args = ap.parse_args(argv)
    configure_threads()
    bind_engine()
    if args.case:
        for c in all_cases(False):
            if c.id == args.case:
                print(json.dumps(_safe(c.run).__dict__, indent=1))
                return 0
        raise SystemExit(f"no case {args.case!r}")
    return print_section(run_section, args.quick)


if __name__ == "__main__":
    sys.exit(main())
