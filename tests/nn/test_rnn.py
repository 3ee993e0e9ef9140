"""RNN, LSTM, GRU, their cells and nn.utils.rnn against torch.

Every expected value comes from torch run on the same inputs with the same
weights (copied with load_state_dict). Small shapes keep the file fast; the
sweep over options lives in parity/modules.py (recurrent_cases), whose cases
we also run here, with planted bugs to show that its comparison catches them.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch.nn import rnn as mt_rnn
from parity import modules as pm
from parity.compare import DEFAULT_TOLERANCE

torch.set_num_threads(1)
TOL = {"float64": DEFAULT_TOLERANCE["float64"], "float32": (1e-5, 1e-5)}
LIBS = (mt, torch)


def close(a, e, dtype: str, what: str = "") -> None:
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(pm.to_numpy(a), pm.to_numpy(e), rtol=rtol, atol=atol, err_msg=what)


def build(make, dtype: str):
    """The same module in both engines, torch's weights copied into minitorch's."""
    torch.manual_seed(0)
    tm = make(torch).to(pm.TORCH_DTYPES[dtype])
    mm = make(mt).to(getattr(mt, dtype))
    pm.copy_weights(tm, mm)
    return mm, tm


def run_both(make, arrays, call, dtype: str, train: bool = True):
    """call(lib, module, tensors) in both engines, then backward of sum(out_k * g_k); returns
    {lib name: (flat outputs, input grads, {param name: grad})}."""
    mm, tm = build(make, dtype)
    res = {}
    for lib, m in ((mt, mm), (torch, tm)):
        m.train(train)
        ts = [pm.make_input(lib, a, True) for a in arrays]
        outs = pm.flat_tensors(call(lib, m, ts))
        rng = np.random.default_rng(3)
        loss = 0
        for o in outs:
            if o.requires_grad:
                g = rng.standard_normal(tuple(o.shape)).astype(dtype)
                loss = loss + (o * lib.from_numpy(g)).sum()
        loss.backward()
        res[lib.__name__] = (outs, [t.grad for t in ts],
                             {n: p.grad for n, p in m.named_parameters()})
    return res


def assert_same(res, dtype: str) -> None:
    (mo, mg, mp), (to, tg, tp) = res["minitorch"], res["torch"]
    assert len(mo) == len(to)
    for k, (a, e) in enumerate(zip(mo, to)):
        assert tuple(a.shape) == tuple(e.shape), f"output {k}"
        close(a, e, dtype, f"output {k}")
    for k, (a, e) in enumerate(zip(mg, tg)):
        close(a, e, dtype, f"input {k} grad")
    assert list(mp) == list(tp)
    for n in tp:
        assert (mp[n] is None) == (tp[n] is None), n
        if tp[n] is not None:
            close(mp[n], tp[n], dtype, f"{n}.grad")


def rand(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed + sum(shape)).uniform(-1.5, 1.5, shape)


def plain(lib, m, ts):
    return m(*ts)


def with_lstm_state(lib, m, ts):
    return m(ts[0], (ts[1], ts[2]))


# -- the sequence modules: outputs and every gradient against torch ----------------------------
SEQ_CASES = [
    ("RNN tanh", lambda L: L.nn.RNN(3, 4), [(6, 2, 3)], plain),
    ("RNN relu 2 layers with h0", lambda L: L.nn.RNN(3, 4, 2, nonlinearity="relu"),
     [(6, 2, 3), (2, 2, 4)], plain),
    ("RNN bidirectional batch_first no bias",
     lambda L: L.nn.RNN(3, 4, bias=False, batch_first=True, bidirectional=True), [(2, 6, 3)],
     plain),
    ("LSTM", lambda L: L.nn.LSTM(3, 4), [(6, 2, 3)], plain),
    ("LSTM 3 layers bidirectional with (h0, c0)",
     lambda L: L.nn.LSTM(3, 4, 3, bidirectional=True), [(6, 2, 3), (6, 2, 4), (6, 2, 4)],
     with_lstm_state),
    ("LSTM proj_size bidirectional batch_first",
     lambda L: L.nn.LSTM(3, 6, 2, batch_first=True, bidirectional=True, proj_size=2),
     [(2, 6, 3), (4, 2, 2), (4, 2, 6)], with_lstm_state),
    ("LSTM unbatched", lambda L: L.nn.LSTM(3, 4, 2), [(6, 3), (2, 4), (2, 4)], with_lstm_state),
    ("GRU", lambda L: L.nn.GRU(3, 4), [(6, 2, 3)], plain),
    ("GRU 2 layers bidirectional with h0", lambda L: L.nn.GRU(3, 4, 2, bidirectional=True),
     [(6, 2, 3), (4, 2, 4)], plain),
    ("GRU unbatched batch_first", lambda L: L.nn.GRU(3, 4, batch_first=True, bias=False),
     [(6, 3), (1, 4)], plain),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name, make, shapes, call", SEQ_CASES, ids=[c[0] for c in SEQ_CASES])
def test_sequence_module_matches_torch(name, make, shapes, call, dtype):
    arrays = [rand(*s, seed=i).astype(dtype) for i, s in enumerate(shapes)]
    assert_same(run_both(make, arrays, call, dtype), dtype)


def test_longer_sequence_float32_stays_close():
    arrays = [rand(40, 4, 8).astype("float32")]
    res = run_both(lambda L: L.nn.LSTM(8, 16, 2, bidirectional=True), arrays, plain, "float32")
    assert_same(res, "float32")


def test_output_shapes_and_dtypes():
    for dtype in (mt.float32, mt.float64):
        m = mt.nn.LSTM(3, 6, 2, bidirectional=True, proj_size=2).to(dtype)
        out, (h, c) = m(mt.zeros(5, 4, 3, dtype=dtype))
        assert out.shape == (5, 4, 4) and h.shape == (4, 4, 2) and c.shape == (4, 4, 6)
        assert out.dtype == h.dtype == c.dtype == dtype
    out, h = mt.nn.GRU(3, 5, batch_first=True)(mt.zeros(2, 7, 3))
    assert out.shape == (2, 7, 5) and h.shape == (1, 2, 5)
    out, h = mt.nn.RNN(3, 5, 2)(mt.zeros(7, 3))
    assert out.shape == (7, 5) and h.shape == (2, 5)


def test_dropout_between_layers_only_while_training():
    # p=1 zeroes every input of the upper layers: deterministic, so torch gives the same numbers
    arrays = [rand(5, 2, 3)]
    res = run_both(lambda L: L.nn.LSTM(3, 4, 3, dropout=1.0), arrays, plain, "float64")
    assert_same(res, "float64")
    m = mt.nn.GRU(3, 4, 2, dropout=0.5).double()
    x = mt.from_numpy(rand(5, 2, 3))
    mt.manual_seed(0)
    a = m(x)[0]
    assert not np.allclose(a.array, m(x)[0].array)  # two different masks
    m.eval()
    np.testing.assert_array_equal(m(x)[0].array, m(x)[0].array)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        mt.nn.RNN(3, 4, dropout=0.2)


# -- the cells ---------------------------------------------------------------------------------
CELL_CASES = [
    ("RNNCell", lambda L: L.nn.RNNCell(3, 4), [(2, 3), (2, 4)], plain),
    ("RNNCell relu no hx", lambda L: L.nn.RNNCell(3, 4, nonlinearity="relu"), [(2, 3)], plain),
    ("LSTMCell", lambda L: L.nn.LSTMCell(3, 4), [(2, 3), (2, 4), (2, 4)], with_lstm_state),
    ("LSTMCell unbatched", lambda L: L.nn.LSTMCell(3, 4, bias=False), [(3,), (4,), (4,)],
     with_lstm_state),
    ("GRUCell", lambda L: L.nn.GRUCell(3, 4), [(2, 3), (2, 4)], plain),
    ("GRUCell unbatched no hx", lambda L: L.nn.GRUCell(3, 4), [(3,)], plain),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name, make, shapes, call", CELL_CASES, ids=[c[0] for c in CELL_CASES])
def test_cell_matches_torch(name, make, shapes, call, dtype):
    arrays = [rand(*s, seed=i).astype(dtype) for i, s in enumerate(shapes)]
    assert_same(run_both(make, arrays, call, dtype), dtype)


def test_cell_loop_equals_the_sequence_module():
    """An LSTMCell stepped by hand is an LSTM with the same weights (torch's docs example)."""
    lstm, cell = mt.nn.LSTM(3, 4).double(), mt.nn.LSTMCell(3, 4).double()
    cell.load_state_dict({k[:-3]: v for k, v in lstm.state_dict().items()})
    x = mt.from_numpy(rand(6, 2, 3))
    h = c = mt.zeros(2, 4, dtype=mt.float64)
    outs = []
    for t in range(6):
        h, c = cell(x[t], (h, c))
        outs.append(h)
    out, (hn, cn) = lstm(x)
    np.testing.assert_allclose(mt.stack(outs).array, out.array, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c.array, cn.array[0], rtol=1e-12, atol=1e-14)


# -- packed sequences ----------------------------------------------------------------------------
def packed_call(lengths, enforce_sorted, batch_first=False):
    def call(lib, m, ts):
        U = lib.nn.utils.rnn
        packed = U.pack_padded_sequence(ts[0], lengths, batch_first=batch_first,
                                        enforce_sorted=enforce_sorted)
        states = [(ts[1], ts[2])] if len(ts) == 3 else ts[1:]
        out, h = m(packed, *states)
        padded, lens = U.pad_packed_sequence(out, batch_first=batch_first, total_length=7)
        return out, h, padded, lens

    return call


PACKED_CASES = [
    ("GRU bidirectional unsorted with h0", lambda L: L.nn.GRU(3, 4, bidirectional=True),
     [(6, 4, 3), (2, 4, 4)], packed_call([2, 6, 1, 4], False)),
    ("LSTM 2 layers bidirectional sorted", lambda L: L.nn.LSTM(3, 4, 2, bidirectional=True),
     [(6, 3, 3), (4, 3, 4), (4, 3, 4)], packed_call([6, 6, 3], True)),
    ("LSTM proj_size batch_first unsorted lengths tensor",
     lambda L: L.nn.LSTM(3, 5, batch_first=True, proj_size=2), [(3, 6, 3)],
     lambda lib, m, ts: packed_call(lib.tensor([3, 6, 2]), False, True)(lib, m, ts)),
    ("RNN relu", lambda L: L.nn.RNN(3, 4, nonlinearity="relu"), [(5, 3, 3)],
     packed_call([5, 2, 2], True)),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name, make, shapes, call", PACKED_CASES,
                         ids=[c[0] for c in PACKED_CASES])
def test_packed_input_matches_torch(name, make, shapes, call, dtype):
    arrays = [rand(*s, seed=i).astype(dtype) for i, s in enumerate(shapes)]
    res = run_both(make, arrays, call, dtype)
    assert_same(res, dtype)
    mo = res["minitorch"][0]
    assert any(t.dtype == mt.int64 for t in mo)  # batch_sizes and lengths are int64 tensors


def test_packed_sequence_is_returned_with_its_fields():
    x = mt.from_numpy(rand(5, 3, 3))
    packed = mt.nn.utils.rnn.pack_padded_sequence(x, [2, 5, 3], enforce_sorted=False)
    out, h = mt.nn.GRU(3, 4).double()(packed)
    assert isinstance(out, mt.nn.utils.rnn.PackedSequence)
    assert out.batch_sizes is packed.batch_sizes and out.sorted_indices is packed.sorted_indices
    assert out.batch_sizes.tolist() == [3, 3, 2, 1, 1] and out.data.shape == (10, 4)
    assert out.sorted_indices.tolist() == [1, 2, 0] and out.unsorted_indices.tolist() == [2, 0, 1]
    assert repr(out).startswith("PackedSequence(data=tensor(")
    data, batch_sizes, _, _ = out  # a tuple, as in torch
    assert data is out.data and out.double().data.dtype == mt.float64


def test_pad_sequence_variants_match_torch():
    lens = (3, 1, 4)
    for lib_args in [dict(), dict(batch_first=True), dict(padding_value=-2.0),
                     dict(padding_side="left", batch_first=True)]:
        got, want = [], []
        for lib, res in ((mt, got), (torch, want)):
            seqs = [pm.make_input(lib, rand(n, 2, seed=n), True) for n in lens]
            out = lib.nn.utils.rnn.pad_sequence(seqs, **lib_args)
            (out * lib.from_numpy(rand(*out.shape, seed=9))).sum().backward()
            res += [out] + [s.grad for s in seqs]
        for a, e in zip(got, want):
            close(a, e, "float64", str(lib_args))


def test_pack_sequence_and_unpack_round_trip():
    U = mt.nn.utils.rnn
    seqs = [mt.from_numpy(rand(n, 2, seed=n)) for n in (2, 4, 1)]
    packed = U.pack_sequence(seqs, enforce_sorted=False)
    tp = torch.nn.utils.rnn.pack_sequence([torch.from_numpy(s.array) for s in seqs],
                                          enforce_sorted=False)
    for a, e in zip(packed, tp):
        np.testing.assert_array_equal(pm.to_numpy(a), pm.to_numpy(e))
    for a, s in zip(U.unpack_sequence(packed), seqs):
        np.testing.assert_array_equal(a.array, s.array)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        U.pack_sequence(seqs)


def test_pack_padded_sequence_errors():
    U, x = mt.nn.utils.rnn, mt.ones(4, 3, 2)
    with pytest.raises(RuntimeError, match=r"Expected `len\(lengths\)` to be equal to batch_size"):
        U.pack_padded_sequence(x, [3, 2])
    with pytest.raises(RuntimeError, match="has to be greater than 0"):
        U.pack_padded_sequence(x, [3, 2, 0])
    with pytest.raises(RuntimeError, match="exceeds the padded length 4"):  # torch reads past
        U.pack_padded_sequence(x, [5, 2, 1])
    with pytest.raises(ValueError, match="Expected total_length to be at least"):
        U.pad_packed_sequence(U.pack_padded_sequence(x, [4, 2, 1]), total_length=3)
    with pytest.raises(RuntimeError, match="received an empty list of sequences"):
        U.pad_sequence([])
    with pytest.raises(RuntimeError, match="trailing dimensions"):
        U.pad_sequence([mt.ones(2, 3), mt.ones(2, 4)])


# -- errors: torch's classes and messages -----------------------------------------------------
ERRORS = [
    (lambda L: L.nn.LSTM(10, 20)(L.ones(4, 3, 5)), RuntimeError,
     r"input.size\(-1\) must be equal to input_size. Expected 10, got 5"),
    (lambda L: L.nn.GRU(10, 20)(L.ones(4, 3, 10), L.ones(1, 2, 20)), RuntimeError,
     r"Expected hidden size \(1, 3, 20\), got \[1, 2, 20\]"),
    (lambda L: L.nn.LSTM(10, 20, 2)(L.ones(4, 3, 10), (L.ones(2, 3, 20), L.ones(1, 3, 20))),
     RuntimeError, r"Expected hidden\[1\] size \(2, 3, 20\), got \[1, 3, 20\]"),
    (lambda L: L.nn.RNN(10, 20)(L.ones(4, 10), L.ones(1, 1, 20)), RuntimeError,
     "For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"),
    (lambda L: L.nn.RNN(10, 20)(L.ones(4, 3, 10, 1)), ValueError,
     "RNN: Expected input to be 2D or 3D, got 4D tensor instead"),
    (lambda L: L.nn.GRU(10, 20)(L.ones(4, 3, 10, dtype=L.float64)), ValueError,
     "RNN input dtype .* does not match weight dtype"),
    (lambda L: L.nn.GRU(10, 20)(L.ones(0, 3, 10)), RuntimeError,
     "Expected sequence length to be larger than 0 in RNN"),
    (lambda L: L.nn.LSTMCell(10, 20)(L.ones(3, 5)), RuntimeError,
     "input has inconsistent input_size: got 5 expected 10"),
    (lambda L: L.nn.GRUCell(10, 20)(L.ones(3, 10), L.ones(2, 20)), RuntimeError,
     "Input batch size 3 doesn't match hidden0 batch size 2"),
    (lambda L: L.nn.RNNCell(10, 20)(L.ones(2, 2, 10)), ValueError,
     "RNNCell: Expected input to be 1D or 2D, got 3D instead"),
    (lambda L: L.nn.RNN(10, 20, nonlinearity="gelu"), ValueError, "Unknown nonlinearity 'gelu'"),
    (lambda L: L.nn.GRU(10, 20, proj_size=2), ValueError, "proj_size argument is only supported"),
    (lambda L: L.nn.LSTM(10, 20, proj_size=20), ValueError,
     "proj_size has to be smaller than hidden_size"),
    (lambda L: L.nn.LSTM(10, 20, dropout=2), ValueError, "dropout should be a number in range"),
    (lambda L: L.nn.LSTM(10, 20, batch_first=1), TypeError, "batch_first should be of type bool"),
    (lambda L: L.nn.LSTM(10, 0), ValueError, "hidden_size must be greater than zero"),
]


@pytest.mark.parametrize("lib", LIBS, ids=["minitorch", "torch"])
@pytest.mark.parametrize("fn, cls, match", ERRORS)
def test_errors_match_torch(fn, cls, match, lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(cls, match=match):
            fn(lib)


# -- parameters: names, shapes, state_dict, init -----------------------------------------------
MODULES = [
    lambda L: L.nn.RNN(3, 4, 2, nonlinearity="relu", bias=False),
    lambda L: L.nn.LSTM(3, 6, 2, bidirectional=True, proj_size=2),
    lambda L: L.nn.LSTM(3, 6, bias=False, proj_size=2),
    lambda L: L.nn.GRU(3, 4, 3, bidirectional=True, batch_first=True, dropout=0.25),
    lambda L: L.nn.RNNCell(3, 4, nonlinearity="relu"),
    lambda L: L.nn.LSTMCell(3, 4, bias=False),
    lambda L: L.nn.GRUCell(3, 4),
]


@pytest.mark.parametrize("make", MODULES)
def test_state_dict_names_shapes_and_repr_match_torch(make):
    m, t = make(mt), make(torch)
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in t.state_dict().items()]
    assert repr(m) == repr(t)
    pm.copy_weights(t, m)  # torch's checkpoint loads as is


def test_all_weights_and_flatten_parameters():
    m, t = mt.nn.LSTM(3, 4, 2, bidirectional=True), torch.nn.LSTM(3, 4, 2, bidirectional=True)
    assert [[tuple(w.shape) for w in ws] for ws in m.all_weights] == [
        [tuple(w.shape) for w in ws] for ws in t.all_weights]
    assert m._flat_weights_names == t._flat_weights_names
    m.flatten_parameters()


def test_default_init_is_uniform_within_one_over_sqrt_hidden():
    mt.manual_seed(0)
    for m in (mt.nn.LSTM(50, 64, proj_size=16), mt.nn.GRUCell(50, 64)):
        values = mt.nn.utils.parameters_to_vector(m.parameters()).array
        bound = 1 / math.sqrt(64)
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.99 * bound
        assert abs(values.std() - bound / math.sqrt(3)) < 0.02 * bound


def test_weight_reassignment_and_load_are_used_by_forward():
    m = mt.nn.RNN(2, 3).double()
    x = mt.from_numpy(rand(4, 1, 2))
    with mt.no_grad():
        m.weight_hh_l0.zero_()
        m.weight_ih_l0.zero_()
    out, _ = m(x)
    np.testing.assert_allclose(out.array, np.tanh(m.bias_ih_l0.array + m.bias_hh_l0.array)
                               * np.ones((4, 1, 1)))


# -- the parity harness (its cases run in test_nn's quick section): planted bugs turn it red ---
def _case(name: str) -> pm.ModuleCase:
    return next(c for c in pm.recurrent_cases() if c.name == name)


def test_planted_gru_without_the_reset_gate_is_caught(monkeypatch):
    def no_reset(gi, state, w):
        (h,) = state
        i_r, i_z, i_n = gi.chunk(3, 1)
        h_r, h_z, h_n = mt.nn.functional.linear(h, w.hh, w.b_hh).chunk(3, 1)
        z = mt.sigmoid(i_z + h_z)
        n = mt.tanh(i_n + h_n)  # r * h_n lost its r
        return (n + z * (h - n),)

    monkeypatch.setitem(mt_rnn._STEPS, "GRU", no_reset)
    o = pm.run_module_case(_case("GRU(3, 4)"), "float64", "train")
    assert o.status == "FAIL" and "out" in o.detail


def test_planted_lstm_cell_state_error_is_caught_in_the_nested_output(monkeypatch):
    real = mt_rnn._STEPS["LSTM"]

    def leaky_c(gi, state, w):
        h, c = real(gi, state, w)
        return h, c * 1.001  # only c_n (and, later, h) sees it

    monkeypatch.setitem(mt_rnn._STEPS, "LSTM", leaky_c)
    o = pm.run_module_case(_case("LSTM(3, 4) unbatched with (h0, c0)"), "float64", "train")
    assert o.status == "FAIL"


def test_planted_reverse_direction_ignoring_packed_lengths_is_caught(monkeypatch):
    real = mt_rnn._scan

    def unaligned(step, inputs, state, w, reverse):  # runs the reverse direction forward
        return real(step, inputs, state, w, False)

    monkeypatch.setattr(mt_rnn, "_scan", unaligned)
    o = pm.run_module_case(
        _case("GRU(3, 4, bidirectional=True) on pack_padded_sequence(enforce_sorted=False) "
              "with h0"), "float64", "train")
    assert o.status == "FAIL"


# -- nn.utils additions --------------------------------------------------------------------------
def test_clip_grad_value_and_parameter_vectors_match_torch():
    res = {}
    for lib in LIBS:
        ps = [lib.nn.Parameter(lib.from_numpy(rand(2, 3))), lib.nn.Parameter(lib.zeros(4))]
        vec = lib.nn.utils.parameters_to_vector(ps)
        (vec * lib.from_numpy(rand(10) * 4)).sum().backward()
        lib.nn.utils.clip_grad_value_(ps, 1.0)
        lib.nn.utils.vector_to_parameters(vec.detach() * 2, ps)
        res[lib.__name__] = [vec.detach()] + [p.grad for p in ps] + [p.detach() for p in ps]
    for a, e in zip(res["minitorch"], res["torch"]):
        close(a, e, "float64")
    with pytest.raises(TypeError, match="expected minitorch.Tensor"):
        mt.nn.utils.vector_to_parameters([1.0], ps)
