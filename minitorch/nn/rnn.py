"""Recurrent layers: RNN, LSTM and GRU over whole sequences, and their one-step cells.

A recurrent layer runs a *cell* once per timestep: the cell mixes this step's
input with the previous hidden state. Each cell below is a few lines of math
on differentiable ops (linear, sigmoid, tanh, chunk), so autograd does the
backpropagation through time and there is no backward to write here.

As in torch, the input's share of every gate, x @ W_ih.T + b_ih, is one
matmul over all timesteps of a layer and direction; only h @ W_hh.T + b_hh
waits for the previous step. A bidirectional layer runs a second cell from the
last step back to the first and concatenates the two outputs; a stacked layer
reads the layer below's output (through dropout, while training).

The weights have torch's names and shapes (weight_ih_l0 is (gates * hidden,
input_size); gate order i, f, g, o for LSTM and r, z, n for GRU), so a torch
state_dict loads as is. Read nn/linear.py first; nn/utils/rnn.py holds
PackedSequence, which the three sequence modules accept and return.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Callable, NamedTuple, Sequence

from minitorch import ops
from minitorch.nn import functional as F
from minitorch.nn import init
from minitorch.nn.functional._utils import default_float, new_tensor
from minitorch.nn.module import Module, Parameter
from minitorch.nn.utils.rnn import PackedSequence
from minitorch.tensor import Tensor

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

State = tuple  # (h,) for RNN and GRU, (h, c) for LSTM


class _Weights(NamedTuple):
    """One layer and direction's parameters (None where the module has no bias/projection)."""

    ih: Tensor
    hh: Tensor
    b_ih: Tensor | None
    b_hh: Tensor | None
    hr: Tensor | None


# -- the cells: one timestep each; gi = x @ W_ih.T + b_ih was computed beforehand --------------
def _tanh_step(gi: Tensor, state: State, w: _Weights) -> State:
    """h' = tanh(gi + h W_hh^T + b_hh)."""
    (h,) = state
    return (F.tanh(gi + F.linear(h, w.hh, w.b_hh)),)


def _relu_step(gi: Tensor, state: State, w: _Weights) -> State:
    """h' = relu(gi + h W_hh^T + b_hh)."""
    (h,) = state
    return (F.relu(gi + F.linear(h, w.hh, w.b_hh)),)


def _lstm_step(gi: Tensor, state: State, w: _Weights) -> State:
    """i, f, g, o = gates; c' = f * c + i * g; h' = o * tanh(c') (then h' W_hr^T with proj_size)."""
    h, c = state
    i, f, g, o = (gi + F.linear(h, w.hh, w.b_hh)).chunk(4, 1)
    c = F.sigmoid(f) * c + F.sigmoid(i) * F.tanh(g)
    h = F.sigmoid(o) * F.tanh(c)
    return (h if w.hr is None else F.linear(h, w.hr)), c


def _gru_step(gi: Tensor, state: State, w: _Weights) -> State:
    """r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r * gh_n);
    h' = (1 - z) * n + z * h, written n + z * (h - n) as torch computes it."""
    (h,) = state
    i_r, i_z, i_n = gi.chunk(3, 1)
    h_r, h_z, h_n = F.linear(h, w.hh, w.b_hh).chunk(3, 1)
    r = F.sigmoid(i_r + h_r)
    z = F.sigmoid(i_z + h_z)
    n = F.tanh(i_n + r * h_n)
    return (n + z * (h - n),)


Step = Callable[[Tensor, State, _Weights], State]
_STEPS: dict[str, Step] = {"RNN_TANH": _tanh_step, "RNN_RELU": _relu_step, "LSTM": _lstm_step,
                           "GRU": _gru_step}
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _timesteps(gi: Tensor, batch_sizes: list[int]) -> list[Tensor]:
    """Cut gi, rows in time order with batch_sizes[t] rows for step t, into one piece per step.

    We cut in halves, not one step after another: the adjoint of a cut writes its gradient
    into zeros the size of what was cut, so peeling T steps off one by one would move O(T^2)
    numbers in backward, halving O(T log T).
    """
    steps, pending = [], [(gi, batch_sizes)]
    while pending:
        x, sizes = pending.pop()
        if len(sizes) == 1:
            steps.append(x)
            continue
        half = len(sizes) // 2
        left, right = x.split([sum(sizes[:half]), sum(sizes[half:])])
        pending += [(right, sizes[half:]), (left, sizes[:half])]  # left comes off first
    return steps


def _scan(step: Step, inputs: Sequence[Tensor], state: State, w: _Weights,
          reverse: bool) -> tuple[list[Tensor], State]:
    """Run `step` over the timesteps (last to first if reverse): each step's h, the final state.

    In a packed batch inputs[t] has batch_sizes[t] rows, the sequences still
    running (longest first). Forward, the batch shrinks: a sequence that ends
    sets its state aside. Backward, it grows: a sequence joins, with its
    initial state, at its own last step.
    """
    outputs: list[Tensor] = [None] * len(inputs)  # type: ignore[list-item]
    initial, ended = state, []
    order = range(len(inputs) - 1, -1, -1) if reverse else range(len(inputs))
    for t in order:
        rows, have = inputs[t].shape[0], state[0].shape[0]
        if rows < have:
            if not reverse:
                ended.append(tuple(s[rows:] for s in state))
            state = tuple(s[:rows] for s in state)
        elif rows > have:
            state = tuple(ops.cat([s, s0[have:rows]]) for s, s0 in zip(state, initial))
        state = step(inputs[t], state, w)
        outputs[t] = state[0]
    if ended:  # the rows set aside, back in batch order (the last to end comes first)
        state = tuple(ops.cat([s, *(e[k] for e in reversed(ended))]) for k, s in enumerate(state))
    return outputs, state


# -- RNN, LSTM, GRU ----------------------------------------------------------------------------
class RNNBase(Module):
    """What RNN, LSTM and GRU share: the weights, their checks, and the loop over layers."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        _check_settings(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                        proj_size)
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        d = default_float(dtype)
        gates = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else real_hidden * directions
                shapes = {"weight_ih": (gates, layer_input), "weight_hh": (gates, real_hidden)}
                if bias:
                    shapes.update(bias_ih=(gates,), bias_hh=(gates,))
                if proj_size > 0:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                suffix = "_reverse" if direction == 1 else ""
                names = [f"{kind}_l{layer}{suffix}" for kind in shapes]
                for name, shape in zip(names, shapes.values()):
                    setattr(self, name, Parameter(new_tensor(shape, d)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as in torch."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """A no-op, as in torch on the CPU (cuDNN packs its weights here)."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def _weights(self, layer: int, direction: int) -> _Weights:
        suffix = "_reverse" if direction == 1 else ""
        p = self._parameters
        return _Weights(p[f"weight_ih_l{layer}{suffix}"], p[f"weight_hh_l{layer}{suffix}"],
                        p.get(f"bias_ih_l{layer}{suffix}"), p.get(f"bias_hh_l{layer}{suffix}"),
                        p.get(f"weight_hr_l{layer}{suffix}"))

    # -- the hidden state: h for RNN and GRU, (h, c) for LSTM; a tuple inside ---------------
    def _state_shapes(self, batch: int) -> list[tuple[int, int, int]]:
        layers = self.num_layers * (2 if self.bidirectional else 1)
        return [(layers, batch, self.proj_size or self.hidden_size)]

    def _as_state(self, hx: Any) -> State:
        return (hx,)

    def _from_state(self, state: State) -> Any:
        return state[0]

    def _check_state_dims(self, state: State, batched: bool) -> None:
        (h,) = state
        want = 3 if batched else 2
        if h.dim() != want:
            kind = "batched 3-D" if batched else "unbatched 2-D"
            raise RuntimeError(
                f"For {kind} input, hx should also be {want}-D but got {h.dim()}-D tensor"
            )

    def _check_state(self, state: State, input: Tensor, batch: int) -> None:
        labels = [""] if len(state) == 1 else ["[0]", "[1]"]
        for s, shape, label in zip(state, self._state_shapes(batch), labels):
            if tuple(s.shape) != shape:
                raise RuntimeError(f"Expected hidden{label} size {shape}, got {list(s.shape)}")
            if s.dtype != input.dtype:
                raise RuntimeError(
                    f"{self._get_name()}: expected hidden{label} to have the input's dtype "
                    f"{input.dtype}, but got {s.dtype}"
                )

    def _check_input(self, input: Tensor, packed: bool) -> None:
        weight = self._parameters["weight_ih_l0"]
        if input.dtype != weight.dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
                f"Convert input: input.to({weight.dtype}), or convert model: "
                f"model.to({input.dtype})"
            )
        want = 2 if packed else 3
        if input.dim() != want:
            raise RuntimeError(f"input must have {want} dimensions, got {input.dim()}")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {input.shape[-1]}"
            )

    def _zero_state(self, batch: int, like: Tensor) -> State:
        return tuple(ops.zeros(shape, dtype=like.dtype) for shape in self._state_shapes(batch))

    # -- forward -----------------------------------------------------------------------------
    def forward(self, input: Tensor | PackedSequence, hx: Any = None) -> tuple[Any, Any]:
        """(output, h_n) -- (output, (h_n, c_n)) for LSTM -- as torch returns them."""
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        if input.dim() not in (2, 3):
            raise ValueError(self._input_dims_message(input.dim()))
        batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        state = None
        if hx is not None:
            state = self._as_state(hx)
            self._check_state_dims(state, batched)
            if not batched:
                state = tuple(s.unsqueeze(1) for s in state)
        if not batched:
            input = input.unsqueeze(batch_dim)
        self._check_input(input, packed=False)
        batch = input.shape[batch_dim]
        state = self._zero_state(batch, input) if state is None else state
        self._check_state(state, input, batch)
        x = input.transpose(0, 1) if self.batch_first else input
        output, state = self._run(x, None, state)
        if self.batch_first:
            output = output.transpose(0, 1)
        if not batched:
            output = output.squeeze(batch_dim)
            state = tuple(s.squeeze(1) for s in state)
        return output, self._from_state(state)

    def _forward_packed(self, input: PackedSequence, hx: Any) -> tuple[PackedSequence, Any]:
        data, batch_sizes, sorted_indices, unsorted_indices = input
        sizes = [int(b) for b in batch_sizes.tolist()]
        self._check_input(data, packed=True)
        if hx is None:
            state = self._zero_state(sizes[0], data)
        else:  # hx is in the caller's batch order; the packed rows are sorted
            state = _permute(self._as_state(hx), sorted_indices)
        self._check_state(state, data, sizes[0])
        output, state = self._run(data, sizes, state)
        packed = PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices)
        return packed, self._from_state(_permute(state, unsorted_indices))

    def _run(self, x: Tensor, batch_sizes: list[int] | None, state: State) -> tuple[Tensor, State]:
        """x is (T, B, input_size), or packed data (N, input_size) with its batch_sizes."""
        if x.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        step = _STEPS[self.mode]
        directions = 2 if self.bidirectional else 1
        padded_shape = None if batch_sizes is not None else x.shape[:2]
        if batch_sizes is None:  # a padded batch is a packed one whose sequences all run to T
            batch_sizes = [x.shape[1]] * x.shape[0]
            x = x.reshape(-1, x.shape[2])
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                w = self._weights(layer, direction)
                gi = F.linear(x, w.ih, w.b_ih)  # the input's share of the gates, every step at once
                first = tuple(s[layer * directions + direction] for s in state)
                hs, final = _scan(step, _timesteps(gi, batch_sizes), first, w,
                                  reverse=direction == 1)
                outputs.append(ops.cat(hs))
                finals.append(final)
            x = outputs[0] if directions == 1 else ops.cat(outputs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        if padded_shape is not None:
            x = x.reshape(*padded_shape, x.shape[-1])
        return x, tuple(ops.stack([f[k] for f in finals]) for k in range(len(state)))

    def _input_dims_message(self, dims: int) -> str:
        return f"{self._get_name()}: Expected input to be 2D or 3D, got {dims}D instead"

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


def _check_settings(input_size: Any, hidden_size: Any, num_layers: Any, bias: Any,
                    batch_first: Any, dropout: Any, proj_size: Any) -> None:
    """torch's constructor checks, in torch's order and with its exception classes."""
    if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
            or not 0 <= dropout <= 1):
        raise ValueError(
            "dropout should be a number in range [0, 1] representing the probability of an "
            "element being zeroed"
        )
    if dropout > 0 and num_layers == 1:
        warnings.warn(
            "dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
            f"expects num_layers greater than 1, but got dropout={dropout} and "
            f"num_layers={num_layers}",
            stacklevel=4,
        )
    for name, value in (("bias", bias), ("batch_first", batch_first)):
        if not isinstance(value, bool):
            raise TypeError(f"{name} should be of type bool, got: {type(value).__name__}")
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(value, int):
            raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
        if value <= 0:
            raise ValueError(f"{name} must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


def _permute(state: State, permutation: Tensor | None) -> State:
    """Reorder the batch dim (1) of every state tensor; None leaves it as is."""
    if permutation is None:
        return state
    return tuple(s.index_select(1, permutation) for s in state)


def _no_proj_size(kwargs: dict[str, Any], cls: str) -> None:
    if "proj_size" in kwargs:
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
    if kwargs:
        name = next(iter(kwargs))
        raise TypeError(f"{cls}.__init__() got an unexpected keyword argument '{name}'")


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        _no_proj_size(kwargs, "RNN")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        self.nonlinearity = nonlinearity
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)

    def _input_dims_message(self, dims: int) -> str:
        return f"RNN: Expected input to be 2D or 3D, got {dims}D tensor instead"


class LSTM(RNNBase):
    """Long short-term memory: the state is (h, c); gates i, f, g, o; optional projection of h."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)

    def _state_shapes(self, batch: int) -> list[tuple[int, int, int]]:
        layers = self.num_layers * (2 if self.bidirectional else 1)
        return [(layers, batch, self.proj_size or self.hidden_size),
                (layers, batch, self.hidden_size)]

    def _as_state(self, hx: Any) -> State:
        return tuple(hx)

    def _from_state(self, state: State) -> Any:
        return state

    def _check_state_dims(self, state: State, batched: bool) -> None:
        want = 3 if batched else 2
        if state[0].dim() != want or state[1].dim() != want:
            kind = "batched 3-D" if batched else "unbatched 2-D"
            raise RuntimeError(
                f"For {kind} input, hx and cx should also be {want}-D but got "
                f"({state[0].dim()}-D, {state[1].dim()}-D) tensors"
            )


class GRU(RNNBase):
    """Gated recurrent unit: gates r, z, n; h_t = (1 - z) * n + z * h_{t-1}."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None, **kwargs: Any) -> None:
        _no_proj_size(kwargs, "GRU")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)


# -- the cells as modules: one step, no loop ---------------------------------------------------
class RNNCellBase(Module):
    """What the cells share: weight_ih (chunks * hidden, input), weight_hh, the two biases."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        d = default_float(dtype)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(new_tensor((num_chunks * hidden_size, input_size), d))
        self.weight_hh = Parameter(new_tensor((num_chunks * hidden_size, hidden_size), d))
        if bias:
            self.bias_ih = Parameter(new_tensor((num_chunks * hidden_size,), d))
            self.bias_hh = Parameter(new_tensor((num_chunks * hidden_size,), d))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as in torch."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = self.__dict__.get("nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s

    def _step(self, step: Step, input: Tensor, hx: Any, hidden_count: int) -> Any:
        """Check the dims, add the batch dim an unbatched input lacks, run one step, drop it."""
        name = self._get_name()
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        state = None if hx is None else (tuple(hx) if hidden_count == 2 else (hx,))
        for k, s in enumerate(state or ()):
            if s.dim() not in (1, 2):
                what = f"hx[{k}]" if hidden_count == 2 else "hidden"
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {s.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
            state = None if state is None else tuple(s.unsqueeze(0) for s in state)
        if state is None:
            zeros = ops.zeros((input.shape[0], self.hidden_size), dtype=input.dtype)
            state = (zeros,) * hidden_count
        if getattr(self, "nonlinearity", "tanh") not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        if input.shape[1] != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.shape[1]} expected "
                f"{self.input_size}"
            )
        for k, s in enumerate(state):
            if s.shape[0] != input.shape[0]:
                raise RuntimeError(
                    f"Input batch size {input.shape[0]} doesn't match hidden{k} batch size "
                    f"{s.shape[0]}"
                )
            if s.shape[1] != self.hidden_size:
                raise RuntimeError(
                    f"hidden{k} has inconsistent hidden_size: got {s.shape[1]}, expected "
                    f"{self.hidden_size}"
                )
        w = _Weights(self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, None)
        state = step(F.linear(input, w.ih, w.b_ih), state, w)
        if not batched:
            state = tuple(s.squeeze(0) for s in state)
        return state if hidden_count == 2 else state[0]


class RNNCell(RNNCellBase):
    """One step of RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        step = _relu_step if self.nonlinearity == "relu" else _tanh_step
        return self._step(step, input, hx, 1)


class LSTMCell(RNNCellBase):
    """One step of LSTM: returns (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor, Tensor]:
        return self._step(_lstm_step, input, hx, 2)


class GRUCell(RNNCellBase):
    """One step of GRU: returns h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(_gru_step, input, hx, 1)
