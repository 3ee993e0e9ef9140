"""mt.save / mt.load against torch.save / torch.load: the same file format, both ways.

Every interop test writes a checkpoint with one engine and reads it with the
other (weights_only both default and explicit), then compares dtypes, shapes,
strides and values with what the writer held. Shared storage must survive in
both directions; hostile and broken files must fail with torch's exception class.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch

import minitorch
from minitorch import serialization as ser
from minitorch.tensor import Tensor

DTYPES = ("float32", "float64", "int64", "int32", "bool")


def mt_tensor(a: np.ndarray, requires_grad: bool = False) -> Tensor:
    return Tensor._make(a, requires_grad, None)


def arr(t: Tensor) -> np.ndarray:
    """The NumPy array a minitorch tensor holds (shares its memory)."""
    return t.detach().numpy()


def sample(dtype: str, shape: tuple[int, ...] = (3, 4), seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    return (rng.standard_normal(shape) * 10).astype(dtype)


def mt_save_bytes(obj, **kw) -> bytes:
    buf = io.BytesIO()
    ser.save(obj, buf, **kw)
    return buf.getvalue()


def torch_save_bytes(obj, **kw) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    return buf.getvalue()


def mt_load(raw: bytes, **kw):
    return ser.load(io.BytesIO(raw), **kw)


def torch_load(raw: bytes, **kw):
    return torch.load(io.BytesIO(raw), **kw)


def assert_same(mine: Tensor, theirs: torch.Tensor) -> None:
    """Same dtype name, shape, strides and values (bit for bit)."""
    a = arr(mine)
    assert str(theirs.dtype) == f"torch.{mine.dtype.name}"
    assert tuple(theirs.shape) == a.shape
    if a.size:  # an empty array's strides mean nothing (NumPy may report zeros)
        assert theirs.stride() == tuple(s // a.itemsize for s in a.strides)
    np.testing.assert_array_equal(theirs.detach().numpy(), a)


WEIGHTS_ONLY = [{}, {"weights_only": True}]


# ----------------------------------------------------------------------------
# Round trips and interop, tensor by tensor
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", WEIGHTS_ONLY)
def test_minitorch_to_torch_each_dtype(dtype, kw):
    base = sample(dtype, (3, 4))
    obj = {"t": mt_tensor(base), "scalar": mt_tensor(np.array(base[0, 0])),
           "empty": mt_tensor(np.zeros((0, 3), dtype=dtype)), "strided": mt_tensor(base[:, ::2])}
    got = torch_load(mt_save_bytes(obj), **kw)
    for k, v in obj.items():
        assert_same(v, got[k])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", WEIGHTS_ONLY)
def test_torch_to_minitorch_each_dtype(dtype, kw):
    t = torch.from_numpy(sample(dtype, (3, 4)))
    obj = {"t": t, "scalar": t[0, 0], "empty": t[:0], "T": t.t(), "strided": t[:, 1::2]}
    got = mt_load(torch_save_bytes(obj), **kw)
    for k, v in obj.items():
        assert isinstance(got[k], Tensor)
        assert_same(got[k], v)


@pytest.mark.parametrize("dtype", DTYPES)
def test_minitorch_round_trip(dtype):
    a = sample(dtype, (2, 3, 4))
    obj = [mt_tensor(a), (mt_tensor(a.transpose(2, 0, 1)), {"x": mt_tensor(a[1, ::-1])})]
    got = mt_load(mt_save_bytes(obj))
    np.testing.assert_array_equal(arr(got[0]), a)
    assert arr(got[1][0]).strides == a.transpose(2, 0, 1).strides  # the view's strides kept
    np.testing.assert_array_equal(arr(got[1][0]), a.transpose(2, 0, 1))
    np.testing.assert_array_equal(arr(got[1][1]["x"]), a[1, ::-1])  # negative stride: a copy
    assert got[0].dtype is getattr(minitorch, {"bool": "bool"}.get(dtype, dtype))


def test_requires_grad_and_non_leaf_like_torch():
    x = mt_tensor(np.ones(3, np.float32), requires_grad=True)
    y = x * 2.0
    got_torch = torch_load(mt_save_bytes({"x": x, "y": y}))
    tx = torch.ones(3, requires_grad=True)
    want = torch_load(torch_save_bytes({"x": tx, "y": tx * 2}))
    for k in ("x", "y"):
        assert got_torch[k].requires_grad == want[k].requires_grad is True
        assert got_torch[k].is_leaf == want[k].is_leaf
    got = mt_load(torch_save_bytes({"x": tx, "y": tx * 2}))
    assert got["y"].requires_grad and got["y"].is_leaf


# ----------------------------------------------------------------------------
# Shared storage: views of one buffer are one storage, both ways
# ----------------------------------------------------------------------------


def test_minitorch_views_become_one_torch_storage():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = mt_tensor(a)
    obj = {"t": t, "tail": mt_tensor(a[1:]), "T": mt_tensor(a.T), "col": mt_tensor(a[:, 2])}
    raw = mt_save_bytes(obj)
    names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
    assert [n for n in names if "/data/" in n] == ["archive/data/0"]
    got = torch_load(raw)
    ref = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    want = {"t": ref, "tail": ref[1:], "T": ref.t(), "col": ref[:, 2]}
    for k, w in want.items():
        assert got[k].storage_offset() == w.storage_offset()
        assert got[k].stride() == w.stride()
        assert got[k].untyped_storage().data_ptr() == got["t"].untyped_storage().data_ptr()
        np.testing.assert_array_equal(got[k].numpy(), w.numpy())
    got["t"][2, 2] = 100.0
    assert got["col"][2].item() == 100.0 and got["T"][2, 2].item() == 100.0


def test_torch_views_come_back_sharing_memory():
    ref = torch.arange(12, dtype=torch.float64).reshape(3, 4)
    got = mt_load(torch_save_bytes({"t": ref, "tail": ref[1:], "T": ref.t()}))
    assert np.shares_memory(arr(got["t"]), arr(got["tail"]))
    assert np.shares_memory(arr(got["t"]), arr(got["T"]))
    arr(got["t"])[1, 3] = -1.0
    assert arr(got["tail"])[0, 3] == -1.0 and arr(got["T"])[3, 1] == -1.0
    # ... and saving them again keeps them one storage, at torch's offsets
    again = torch_load(mt_save_bytes(got))
    assert again["tail"].storage_offset() == 4
    assert again["T"].untyped_storage().data_ptr() == again["t"].untyped_storage().data_ptr()


def test_views_of_one_buffer_as_two_dtypes_refused_like_torch():
    a = np.zeros(4, np.float32)
    with pytest.raises(RuntimeError, match="view the same data as different types"):
        mt_save_bytes([mt_tensor(a), mt_tensor(a.view(np.int32))])
    f = torch.zeros(4)
    with pytest.raises(RuntimeError, match="view the same data as different types"):
        torch_save_bytes([f, f.view(torch.int32)])


# ----------------------------------------------------------------------------
# Parameters, state dicts, optimizer state
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("kw", WEIGHTS_ONLY)
def test_parameter_both_ways(kw):
    p = minitorch.nn.Parameter(mt_tensor(np.arange(3, dtype=np.float32)))
    got = torch_load(mt_save_bytes({"p": p}), **kw)["p"]
    assert isinstance(got, torch.nn.Parameter) and got.requires_grad
    assert_same(p, got)
    tp = torch.nn.Parameter(torch.ones(2, 2), requires_grad=False)
    back = mt_load(torch_save_bytes({"p": tp}), **kw)["p"]
    assert isinstance(back, minitorch.nn.Parameter) and back.requires_grad is False
    assert_same(back, tp)


def _mlps():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2))
    mm = minitorch.nn.Sequential(minitorch.nn.Linear(3, 5), minitorch.nn.ReLU(),
                                 minitorch.nn.Linear(5, 2))
    return tm, mm


@pytest.mark.parametrize("kw", WEIGHTS_ONLY)
def test_torch_state_dict_loads_into_minitorch_model(kw):
    tm, mm = _mlps()
    sd = mt_load(torch_save_bytes(tm.state_dict()), **kw)
    assert type(sd) is OrderedDict and list(sd) == list(tm.state_dict())
    assert sd._metadata == tm.state_dict()._metadata  # the attribute torch's state dicts carry
    mm.load_state_dict(sd)
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    want = tm(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(arr(mm(mt_tensor(x))), want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kw", WEIGHTS_ONLY)
def test_minitorch_state_dict_loads_into_torch_model(kw):
    tm, mm = _mlps()
    sd = mm.state_dict()
    sd._metadata = OrderedDict([("", {"version": 1})])  # kept through the file as torch does
    got = torch_load(mt_save_bytes(sd), **kw)
    assert got._metadata == sd._metadata
    tm.load_state_dict(got)
    x = np.random.default_rng(2).standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(tm(torch.from_numpy(x)).detach().numpy(),
                               arr(mm(mt_tensor(x))), rtol=1e-6, atol=1e-6)


def _assert_nested_equal(mine, theirs):
    if isinstance(theirs, torch.Tensor):
        assert_same(mine, theirs)
    elif isinstance(theirs, dict):
        assert list(mine) == list(theirs)
        for k in theirs:
            _assert_nested_equal(mine[k], theirs[k])
    elif isinstance(theirs, (list, tuple)):
        assert type(mine) is type(theirs) and len(mine) == len(theirs)
        for a, b in zip(mine, theirs):
            _assert_nested_equal(a, b)
    else:
        assert mine == theirs and type(mine) is type(theirs)


def test_optimizer_state_dict_both_ways():
    tm, mm = _mlps()
    mm.load_state_dict(mt_load(torch_save_bytes(tm.state_dict())))
    topt = torch.optim.Adam(tm.parameters(), lr=1e-2)
    mopt = minitorch.optim.Adam(mm.parameters(), lr=1e-2)
    x = np.random.default_rng(3).standard_normal((4, 3)).astype(np.float32)
    tm(torch.from_numpy(x)).sum().backward()
    topt.step()
    mm(mt_tensor(x)).sum().backward()
    mopt.step()
    from_torch = mt_load(torch_save_bytes(topt.state_dict()))
    _assert_nested_equal(from_torch, topt.state_dict())
    mopt.load_state_dict(from_torch)
    from_mt = torch_load(mt_save_bytes(mopt.state_dict()))
    _assert_nested_equal(mopt.state_dict(), from_mt)
    topt.load_state_dict(from_mt)  # torch accepts minitorch's optimizer checkpoint


def test_plain_python_values_survive_both_ways():
    obj = {"int": 3, "big": 2**70, "neg": -5, "float": 0.1, "str": "é", "none": None,
           "bool": True, "list": [1, [2.5, "x"]], "tuple": (1, (2,)), "bytes": b"\x00\xff",
           "set": {1, 2}, "complex": 1 + 2j, "dtype": minitorch.float64}
    from_mt = torch_load(mt_save_bytes(obj))
    assert from_mt["dtype"] is torch.float64
    assert {k: v for k, v in from_mt.items() if k != "dtype"} == {
        k: v for k, v in obj.items() if k != "dtype"}
    tobj = dict(obj, dtype=torch.float64)
    back = mt_load(torch_save_bytes(tobj))
    assert back["dtype"] is minitorch.float64
    assert {k: v for k, v in back.items() if k != "dtype"} == {
        k: v for k, v in obj.items() if k != "dtype"}


# ----------------------------------------------------------------------------
# Files: paths, file objects, the archive's layout
# ----------------------------------------------------------------------------


def test_paths_and_file_objects(tmp_path):
    t = mt_tensor(np.arange(5, dtype=np.int64))
    path = tmp_path / "weights.v1.pt"
    ser.save({"t": t}, path)  # os.PathLike
    assert zipfile.ZipFile(path).namelist()[0] == "weights.v1/data.pkl"  # torch's folder name
    assert_same(ser.load(str(path))["t"], torch.load(path)["t"])
    with open(path, "rb") as fh:
        assert_same(ser.load(fh)["t"], torch.load(path)["t"])
    torch.save({"t": torch.arange(3)}, tmp_path / "t.pt")
    np.testing.assert_array_equal(arr(ser.load(tmp_path / "t.pt")["t"]), np.arange(3))
    with pytest.raises(RuntimeError, match="Parent directory"):
        ser.save(t, tmp_path / "missing" / "x.pt")
    with pytest.raises(AttributeError, match="file-like object with a 'write' attribute"):
        ser.save(t, 42)


def test_records_are_torch_s_and_64_byte_aligned():
    raw = mt_save_bytes({"a": mt_tensor(np.ones(3, np.float32)),
                         "b": mt_tensor(np.ones(2, np.int64))})
    zf = zipfile.ZipFile(io.BytesIO(raw))
    want = torch_save_bytes({"a": torch.ones(3), "b": torch.ones(2, dtype=torch.int64)})
    assert zf.namelist() == zipfile.ZipFile(io.BytesIO(want)).namelist()
    assert zf.read("archive/version") == b"3\n"
    assert zf.read("archive/byteorder") == b"little"
    for info in zf.infolist():
        n, e = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
        assert (info.header_offset + 30 + n + e) % 64 == 0, info.filename
    # the pickle is byte-for-byte what torch writes for the same objects
    assert zf.read("archive/data.pkl") == zipfile.ZipFile(io.BytesIO(want)).read(
        "archive/data.pkl")


def test_mmap(tmp_path):
    path = tmp_path / "m.pt"
    a = np.arange(6, dtype=np.float32)
    ser.save({"a": mt_tensor(a), "b": mt_tensor(a[2:])}, path)
    got = ser.load(path, mmap=True)
    np.testing.assert_array_equal(arr(got["b"]), a[2:])
    assert np.shares_memory(arr(got["a"]), arr(got["b"]))
    arr(got["a"])[:] = 0  # copy-on-write: the file keeps its values
    np.testing.assert_array_equal(arr(ser.load(path)["a"]), a)
    assert_same(ser.load(path)["b"], torch.load(path, mmap=True)["b"])
    for load in (ser.load, torch.load):
        with pytest.raises(ValueError, match="must be a file path"):
            load(io.BytesIO(mt_save_bytes(a.tolist())), mmap=True)


def test_big_endian_checkpoint_is_byteswapped():
    raw = torch_save_bytes({"t": torch.arange(4, dtype=torch.int32)})
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in src.namelist():
            data = src.read(name)
            if name.endswith("byteorder"):
                data = b"big"
            elif name.endswith("data/0"):
                data = np.frombuffer(data, "<i4").astype(">i4").tobytes()
            z.writestr(name, data)
    np.testing.assert_array_equal(arr(mt_load(out.getvalue())["t"]), np.arange(4))


# ----------------------------------------------------------------------------
# map_location and the other arguments
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("where", [None, "cpu", "device", {"cuda:0": "cpu"}, "callable"])
def test_map_location_cpu(where):
    raw = torch_save_bytes(torch.arange(3))
    for load in (mt_load, torch_load):
        loc = where
        if where == "device":
            loc = torch.device("cpu")
        elif where == "callable":
            loc = lambda storage, location: storage  # noqa: E731
        got = load(raw, map_location=loc)
        np.testing.assert_array_equal(np.asarray(got.tolist()), np.arange(3))


@pytest.mark.parametrize("where", ["cuda", "cuda:0", {"cpu": "cuda:1"}])
def test_map_location_cuda_raises_like_cpu_only_torch(where):
    raw = torch_save_bytes(torch.arange(3))
    for load in (mt_load, torch_load):
        with pytest.raises(RuntimeError, match="CUDA device but torch.cuda.is_available"):
            load(raw, map_location=where)
    assert mt_load(torch_save_bytes({"a": 1}), map_location="cuda") == {"a": 1}  # no storage


def test_weights_only_with_pickle_module_refused_like_torch():
    raw = torch_save_bytes(torch.ones(1))
    for load in (mt_load, torch_load):
        with pytest.raises(RuntimeError, match="explicit pickle_module"):
            load(raw, pickle_module=pickle, weights_only=True)
        load(raw, pickle_module=pickle)  # weights_only unset: the module is trusted


def test_unsupported_dtype_is_named():
    raw = torch_save_bytes({"bf16": torch.arange(3, dtype=torch.bfloat16)})
    with pytest.raises(TypeError, match=r"torch\.bfloat16"):
        mt_load(raw)


# ----------------------------------------------------------------------------
# weights_only: hostile pickles are refused before anything runs
# ----------------------------------------------------------------------------


class _RunsCommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _CallsEval:
    def __reduce__(self):
        return (eval, ("1 + 1",))


def test_malicious_pickle_refused(tmp_path):
    marker = tmp_path / "pwned"
    raw = torch_save_bytes({"w": torch.ones(1), "x": _RunsCommand(marker)})
    for kw in WEIGHTS_ONLY:
        with pytest.raises(pickle.UnpicklingError, match=r"GLOBAL posix\.system.*is blocked"):
            mt_load(raw, **kw)
        with pytest.raises(pickle.UnpicklingError):
            torch_load(raw, **kw)
    assert not marker.exists()
    raw = mt_save_bytes({"x": _CallsEval()})
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL eval was not an allowed global"):
        mt_load(raw)
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL eval was not an allowed global"):
        torch_load(raw)


class _Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


def test_weights_only_false_loads_minitorch_objects():
    model = minitorch.nn.Linear(2, 3)
    raw = mt_save_bytes({"model": model, "pt": _Point(1, mt_tensor(np.ones(2, np.float32)))})
    with pytest.raises(pickle.UnpicklingError, match="not an allowed global"):
        mt_load(raw)
    got = mt_load(raw, weights_only=False)
    assert isinstance(got["model"], minitorch.nn.Linear)
    np.testing.assert_array_equal(arr(got["model"].weight), arr(model.weight))
    assert isinstance(got["model"].weight, minitorch.nn.Parameter)
    assert got["pt"].x == 1 and got["pt"].y.tolist() == [1.0, 1.0]


def test_build_on_non_ordered_dict_refused():
    # EMPTY_LIST, EMPTY_DICT, BUILD: setting attributes on a list; torch refuses too
    evil = b"\x80\x02]}b."
    raw = _replace_pickle(torch_save_bytes({}), evil)
    for load in (mt_load, torch_load):
        with pytest.raises(pickle.UnpicklingError, match="Can only build"):
            load(raw)


def test_out_of_bounds_view_refused():
    t = torch.arange(4, dtype=torch.float32)
    raw = torch_save_bytes(t)
    pkl = zipfile.ZipFile(io.BytesIO(raw)).read("archive/data.pkl")
    bad = pkl.replace(b"K\x04\x85", b"K\x40\x85", 1)  # size (4,) -> (64,)
    assert bad != pkl
    with pytest.raises(RuntimeError, match="out of bounds for storage"):
        mt_load(_replace_pickle(raw, bad))
    with pytest.raises(RuntimeError):  # torch: "Trying to resize storage that is not resizable"
        torch_load(_replace_pickle(raw, bad))


def _replace_pickle(raw: bytes, pkl: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in src.namelist():
            z.writestr(name, pkl if name.endswith("data.pkl") else src.read(name))
    return out.getvalue()


def test_pickle_protocol_4_like_torch():
    raw = mt_save_bytes({"t": mt_tensor(np.ones(2, np.float32))}, pickle_protocol=4)
    assert torch_load(raw, weights_only=False)["t"].tolist() == [1.0, 1.0]
    assert mt_load(raw, weights_only=False)["t"].tolist() == [1.0, 1.0]
    traw = torch_save_bytes({"t": torch.ones(2)}, pickle_protocol=4)
    with pytest.warns(UserWarning):
        with pytest.raises(pickle.UnpicklingError):
            torch_load(traw)
    with pytest.warns(UserWarning, match="pickle protocol 4"):
        with pytest.raises(pickle.UnpicklingError, match="Unsupported operand"):
            mt_load(traw)


# ----------------------------------------------------------------------------
# Broken files: torch's exception classes, nothing half-built
# ----------------------------------------------------------------------------


def _without(raw: bytes, suffix: str) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in src.namelist():
            if not name.endswith(suffix):
                z.writestr(name, src.read(name))
    return out.getvalue()


def _with_record(raw: bytes, suffix: str, data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in src.namelist():
            z.writestr(name, data if name.endswith(suffix) else src.read(name))
    return out.getvalue()


GOOD = None


def _good() -> bytes:
    global GOOD
    if GOOD is None:
        GOOD = torch_save_bytes({"t": torch.arange(6, dtype=torch.float32)})
    return GOOD


@pytest.mark.parametrize("case, make, match", [
    ("truncated half", lambda r: r[: len(r) // 2], "failed reading zip archive"),
    ("truncated tail", lambda r: r[:-10], "failed reading zip archive"),
    ("missing storage", lambda r: _without(r, "data/0"), "failed locating file data/0"),
    ("missing data.pkl", lambda r: _without(r, "data.pkl"), "failed locating file data.pkl"),
    ("missing version", lambda r: _without(r, "/version"), "version"),
    ("short storage", lambda r: _with_record(r, "data/0", b"\0" * 8), "size"),
    ("bad version", lambda r: _with_record(r, "/version", b"99\n"), "version 99"),
])
def test_corrupt_files_raise_runtime_error_like_torch(case, make, match):
    raw = make(_good())
    with pytest.raises(RuntimeError, match=match):
        mt_load(raw)
    with pytest.raises(RuntimeError):
        torch_load(raw)


def test_flipped_byte_in_a_storage_is_caught():
    raw = bytearray(mt_save_bytes(mt_tensor(np.arange(16, dtype=np.float32))))
    info = zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo("archive/data/0")
    n, e = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
    raw[info.header_offset + 30 + n + e + 5] ^= 0xFF
    with pytest.raises(RuntimeError, match="CRC"):  # torch does not check (known difference)
        mt_load(bytes(raw))


@pytest.mark.parametrize("raw, exc", [
    (b"", EOFError),
    (b"hello, this is not a checkpoint", pickle.UnpicklingError),
    (pickle.dumps([1, 2], protocol=2), RuntimeError),
])
def test_non_zip_files(raw, exc):
    with pytest.raises(exc):
        mt_load(raw)
    with pytest.raises(exc):
        torch_load(raw, weights_only=False)


def test_legacy_torch_format_is_named():
    raw = torch_save_bytes(torch.ones(2), _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="legacy format"):
        mt_load(raw)


def test_whole_torch_module_names_what_is_missing():
    raw = torch_save_bytes(torch.nn.Linear(2, 2))
    with pytest.raises(pickle.UnpicklingError, match=r"torch\.nn\.modules\.linear\.Linear"):
        mt_load(raw, weights_only=False)
    with pytest.raises(pickle.UnpicklingError, match="not an allowed global"):
        mt_load(raw)


def test_parameter_with_python_attributes_both_ways():
    p = minitorch.nn.Parameter(mt_tensor(np.ones(2, np.float32)))
    p.tag = "encoder"
    got = torch_load(mt_save_bytes(p))
    assert isinstance(got, torch.nn.Parameter) and got.tag == "encoder"
    back = mt_load(torch_save_bytes(got))
    assert isinstance(back, minitorch.nn.Parameter) and back.tag == "encoder"


@pytest.mark.parametrize("pkl, exc", [
    (b"\x80\x02R.", (pickle.UnpicklingError, IndexError)),  # REDUCE on an empty stack
    (b"\x80\x02.", (pickle.UnpicklingError, IndexError)),  # STOP on an empty stack
    (b"\x80\x02(t", EOFError),  # no STOP: torch's unpickler runs out of input too
])
def test_malformed_pickle(pkl, exc):
    raw = _replace_pickle(_good(), pkl)
    with pytest.raises(exc):
        torch_load(raw)
    with pytest.raises(exc if exc is EOFError else pickle.UnpicklingError):
        mt_load(raw)


@pytest.mark.parametrize("name", ["save", "load"])
def test_signatures_are_torch_s(name):
    import inspect

    mine = inspect.signature(getattr(ser, name)).parameters
    theirs = inspect.signature(getattr(torch, name)).parameters
    assert list(mine) == list(theirs)
    for k, p in theirs.items():
        assert (mine[k].kind, mine[k].default) == (p.kind, p.default), k
    assert getattr(minitorch, name, getattr(ser, name)) is getattr(ser, name)
