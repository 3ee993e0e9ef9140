"""mt.save and mt.load, in torch's own checkpoint format (the zip torch >= 1.6 writes).

A checkpoint is a zip archive whose records all sit in one folder, `<archive>/`:

    data.pkl                 the object, pickled (protocol 2); a tensor is pickled as a call
                             torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
                             requires_grad, OrderedDict()), and each storage as a
                             *persistent id* ('storage', torch.FloatStorage, key, 'cpu', numel)
    data/<key>               the storage's raw bytes (native byte order), one record per storage
    byteorder                'little' or 'big': how to read those bytes
    version, .format_version, .storage_alignment, .data/serialization_id
                             bookkeeping torch's reader checks (version must be 1..10)

Tensors that view one NumPy buffer (t, t[1:], t.t()) are written as ONE storage
with offsets and strides, and come back as views of one buffer, as in torch.
Every record's data starts at a multiple of 64 bytes (torch's alignment, which
its mmap loading relies on).

Loading is as safe as torch's: with weights_only=True (the default) the
pickle is read by a small interpreter (a port of torch/_weights_only_unpickler.py)
that builds only dicts, lists, tensors and a short list of allowed globals, and
refuses anything else with pickle.UnpicklingError naming the global.

No torch import here: the torch names in a checkpoint are just strings, mapped
to minitorch's rebuild functions below. Read tensor.py first; torch's side is
torch/serialization.py, torch/_utils.py and torch/_weights_only_unpickler.py.
"""

from __future__ import annotations

import _compat_pickle
import codecs
import io
import mmap as mmap_module
import os
import pickle
import secrets
import struct
import sys
import warnings
import zipfile
import zlib
from collections import Counter, OrderedDict
from typing import IO, Any, Callable

import numpy as np

from minitorch import dtypes
from minitorch.size import Size
from minitorch.tensor import Tensor

FileLike = str | os.PathLike | IO[bytes]

STORAGE_ALIGNMENT = 64  # torch starts every record's data on a 64-byte boundary
FILE_FORMAT_VERSION = b"3\n"  # what torch 2.x writes; its reader accepts 1..10
SUPPORTED_VERSIONS = range(1, 11)
DEFAULT_PROTOCOL = 2
LEGACY_MAGIC_NUMBER = 0x1950A86A20F9469CFC6C  # the first pickle of torch's pre-1.6 format

UNSAFE_MESSAGE = (
    "Re-running `minitorch.load` with `weights_only` set to `False` will likely succeed, "
    "but it can result in arbitrary code execution. Do it only if you got the file from a "
    "trusted source."
)


# ----------------------------------------------------------------------------
# The one place that knows how a Tensor holds its array (a rename is one line).
# ----------------------------------------------------------------------------


def _array_of(t: Tensor) -> np.ndarray:
    return t.array


def _tensor_from(array: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor._make(array, bool(requires_grad), None)


# ----------------------------------------------------------------------------
# torch's dtypes and storage classes, by name. A row whose NumPy dtype minitorch
# does not have (yet) still parses; building a tensor of it raises a TypeError.
# ----------------------------------------------------------------------------

# (torch dtype name, legacy storage class or None, NumPy dtype or None)
TORCH_DTYPES: tuple[tuple[str, str | None, str | None], ...] = (
    ("float32", "FloatStorage", "float32"),
    ("float64", "DoubleStorage", "float64"),
    ("float16", "HalfStorage", "float16"),
    ("bfloat16", "BFloat16Storage", None),
    ("int64", "LongStorage", "int64"),
    ("int32", "IntStorage", "int32"),
    ("int16", "ShortStorage", "int16"),
    ("int8", "CharStorage", "int8"),
    ("uint8", "ByteStorage", "uint8"),
    ("bool", "BoolStorage", "bool"),
    ("complex64", "ComplexFloatStorage", "complex64"),
    ("complex128", "ComplexDoubleStorage", "complex128"),
    ("complex32", "ComplexHalfStorage", None),
    ("uint16", None, "uint16"),
    ("uint32", None, "uint32"),
    ("uint64", None, "uint64"),
    ("qint8", "QInt8Storage", None),
    ("quint8", "QUInt8Storage", None),
    ("qint32", "QInt32Storage", None),
    ("quint4x2", "QUInt4x2Storage", None),
    ("quint2x4", "QUInt2x4Storage", None),
    ("float8_e4m3fn", None, None),
    ("float8_e5m2", None, None),
)


class _TorchDtype:
    """A torch dtype by name, for the ones minitorch has no dtype object for."""

    def __init__(self, name: str, np_name: str | None) -> None:
        self.name, self.np = name, None if np_name is None else np.dtype(np_name)

    def __repr__(self) -> str:
        return f"torch.{self.name}"


class _StorageType:
    """What `torch.FloatStorage` & co. unpickle to: the storage's element type, by name."""

    def __init__(self, class_name: str, dtype_name: str, np_name: str | None) -> None:
        self.class_name, self.dtype_name = class_name, dtype_name
        self.np = None if np_name is None else np.dtype(np_name)

    def __repr__(self) -> str:
        return f"torch.{self.class_name}"


STORAGE_TYPES: dict[str, _StorageType] = {
    cls: _StorageType(cls, name, np_name) for name, cls, np_name in TORCH_DTYPES if cls
}
UNTYPED_STORAGE = _StorageType("UntypedStorage", "uint8", "uint8")
_STORAGE_TYPE_BY_NP: dict[np.dtype, _StorageType] = {
    s.np: s for s in STORAGE_TYPES.values() if s.np is not None
}


def _minitorch_dtype(name: str, np_dtype: np.dtype | None) -> Any:
    """minitorch's dtype object for a torch dtype name, or a _TorchDtype stand-in."""
    if np_dtype is not None:
        try:
            return dtypes.from_numpy_dtype(np_dtype)
        except TypeError:
            pass
    return _TorchDtype(name, None if np_dtype is None else np_dtype.name)


def _engine_dtype_or_raise(np_dtype: np.dtype | None, torch_name: str) -> None:
    """A TypeError naming the dtype when minitorch cannot hold a tensor of it."""
    if np_dtype is not None:
        try:
            dtypes.from_numpy_dtype(np_dtype)
            return
        except TypeError:
            pass
    have = ", ".join(d.name for d in dtypes.ALL_DTYPES)
    raise TypeError(
        f"minitorch.load: the checkpoint holds a tensor of dtype torch.{torch_name}, "
        f"which minitorch does not have (it has {have})"
    )


# ----------------------------------------------------------------------------
# Loading: the storages of one archive, and the rebuild functions the pickle calls.
# ----------------------------------------------------------------------------


class _Storage:
    """A loaded storage: its raw bytes (a uint8 array that views share) and element type."""

    __slots__ = ("bytes", "np", "dtype_name", "key")

    def __init__(self, raw: np.ndarray, storage_type: _StorageType, key: str) -> None:
        self.bytes, self.np, self.dtype_name, self.key = (
            raw, storage_type.np, storage_type.dtype_name, key)

    def __repr__(self) -> str:
        return f"<storage data/{self.key}: {self.bytes.size} bytes of torch.{self.dtype_name}>"


def _ints(value: Any, what: str) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise RuntimeError(f"minitorch.load: a tensor's {what} must be a tuple of ints, "
                           f"got {value!r}; the checkpoint is corrupted")
    return tuple(value)


def _view_of_storage(storage: Any, offset: Any, size: Any, stride: Any,
                     np_dtype: np.dtype | None, dtype_name: str) -> np.ndarray:
    """The array a tensor sees: `size` elements `stride` apart from `offset`, bounds checked
    (a corrupt or hostile checkpoint must not read outside its storage)."""
    if not isinstance(storage, _Storage):
        raise RuntimeError(f"minitorch.load: expected a storage, got {type(storage).__name__}")
    _engine_dtype_or_raise(np_dtype, dtype_name)
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise RuntimeError(f"minitorch.load: storage offset must be a non-negative int, "
                           f"got {offset!r}")
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape: size {list(size)}, "
                           f"stride {list(stride)}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(size)}")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, "
                           f"got strides: {list(stride)}")
    itemsize = np_dtype.itemsize
    if 0 in size:
        return np.empty(size, dtype=np_dtype)
    needed = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
    have = storage.bytes.size // itemsize
    if needed > have:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {itemsize} requiring a storage size of {needed * itemsize} are out of "
            f"bounds for storage of size {have * itemsize}"
        )
    return np.ndarray(size, dtype=np_dtype, buffer=storage.bytes, offset=offset * itemsize,
                      strides=tuple(s * itemsize for s in stride))


def _rebuild_tensor(storage: _Storage, storage_offset: int, size: Any, stride: Any) -> Tensor:
    """torch._utils._rebuild_tensor: a view of `storage` with the storage's dtype."""
    array = _view_of_storage(storage, storage_offset, size, stride, storage.np,
                             storage.dtype_name)
    return _tensor_from(array, False)


def _rebuild_tensor_v2(storage: _Storage, storage_offset: int, size: Any, stride: Any,
                       requires_grad: bool, backward_hooks: Any, metadata: Any = None) -> Tensor:
    """torch._utils._rebuild_tensor_v2: how torch pickles every plain tensor."""
    if metadata:
        raise RuntimeError(f"minitorch.load: tensor metadata {metadata!r} (conjugate or negative "
                           "bits) is not supported")
    t = _rebuild_tensor(storage, storage_offset, size, stride)
    t.requires_grad = bool(requires_grad)
    return t


def _rebuild_tensor_v3(storage: _Storage, storage_offset: int, size: Any, stride: Any,
                       requires_grad: bool, backward_hooks: Any, dtype: Any,
                       metadata: Any = None) -> Tensor:
    """torch._utils._rebuild_tensor_v3: the tensor's dtype is given apart from the storage's."""
    if metadata:
        raise RuntimeError(f"minitorch.load: tensor metadata {metadata!r} is not supported")
    if isinstance(dtype, dtypes.dtype):
        np_dtype, name = dtype.np, dtype.name
    elif isinstance(dtype, _TorchDtype):
        np_dtype, name = dtype.np, dtype.name
    else:
        raise RuntimeError(f"minitorch.load: expected a dtype, got {dtype!r}")
    array = _view_of_storage(storage, storage_offset, size, stride, np_dtype, name)
    return _tensor_from(array, requires_grad)


def _parameter(data: Any = None, requires_grad: bool = True) -> Any:
    from minitorch.nn import Parameter

    return Parameter(data, requires_grad)


def _set_obj_state(obj: Any, state: Any) -> Any:
    """torch._utils._set_obj_state: Python attributes saved beside a tensor."""
    slots = None
    if isinstance(state, tuple):
        if len(state) != 2:
            raise RuntimeError(f"Invalid serialized state: {state}")
        state, slots = state
    for part in (state, slots):
        for k, v in (part or {}).items():
            setattr(obj, k, v)
    return obj


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks: Any) -> Any:
    """torch._utils._rebuild_parameter: a Parameter sharing the rebuilt tensor's data."""
    return _parameter(data, requires_grad)


def _rebuild_parameter_with_state(data: Tensor, requires_grad: bool, backward_hooks: Any,
                                  state: Any) -> Any:
    return _set_obj_state(_parameter(data, requires_grad), state)


def _rebuild_from_type_v2(func: Callable, new_type: Any, args: tuple, state: Any) -> Any:
    """torch._tensor._rebuild_from_type_v2: a tensor with Python attributes (or a subclass)."""
    ret = func(*args)
    if new_type is not Tensor and not isinstance(ret, new_type):
        raise pickle.UnpicklingError(
            f"minitorch.load: tensor subclass {new_type!r} is not supported")
    try:
        return _set_obj_state(ret, state)
    except AttributeError as e:
        raise pickle.UnpicklingError(
            f"minitorch.load: a minitorch Tensor cannot carry the Python attributes "
            f"{state!r} saved with it ({e})") from None


def _size(*args: Any) -> Size:
    """torch.Size(...) -> minitorch.Size."""
    return Size(*args)


def _device(*args: Any) -> Any:
    """torch.device(...): minitorch.device if the engine has one, else the device string."""
    import minitorch

    make = getattr(minitorch, "device", None)
    if isinstance(make, type):
        return make(*args)
    kind = str(args[0])
    return kind if len(args) < 2 or args[1] is None else f"{kind}:{args[1]}"


# torch's global name (as "module.name") -> what minitorch builds in its place. Exactly
# the globals torch's weights-only unpickler allows, minus the ones minitorch cannot build.
ALLOWED_GLOBALS: dict[str, Any] = {
    "collections.OrderedDict": OrderedDict,
    "collections.Counter": Counter,
    "torch.Size": _size,
    "torch.Tensor": Tensor,
    "torch.device": _device,
    "_codecs.encode": codecs.encode,  # how protocol 2 pickles bytes
    "builtins.bytearray": bytearray,
    "builtins.set": set,
    "builtins.complex": complex,
    "torch._utils._rebuild_tensor": _rebuild_tensor,
    "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
    "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
    "torch._utils._rebuild_parameter": _rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
    "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    "torch.storage.UntypedStorage": UNTYPED_STORAGE,
    "torch.UntypedStorage": UNTYPED_STORAGE,
}
ALLOWED_GLOBALS.update({f"torch.{cls}": st for cls, st in STORAGE_TYPES.items()})
ALLOWED_GLOBALS.update(
    {f"torch.{name}": _minitorch_dtype(name, None if n is None else np.dtype(n))
     for name, _, n in TORCH_DTYPES})

# Globals torch allows but minitorch cannot build (sparse, quantized, nested, meta tensors).
TORCH_ONLY_GLOBALS = frozenset(
    "torch._utils." + f for f in (
        "_rebuild_qtensor", "_rebuild_sparse_tensor", "_rebuild_meta_tensor_no_storage",
        "_rebuild_nested_tensor", "_rebuild_wrapper_subclass",
        "_rebuild_device_tensor_from_numpy", "_rebuild_device_tensor_from_cpu_tensor")
) | {"torch.serialization._get_layout", "torch.nn.parameter.Parameter",
     "torch.per_tensor_affine", "torch.per_tensor_symmetric", "torch.per_channel_affine",
     "torch.per_channel_symmetric", "torch.per_channel_affine_float_qparams"}

BLOCKED_MODULES = ("sys", "os", "posix", "nt")


def _torch_only_error(full_path: str) -> pickle.UnpicklingError:
    return pickle.UnpicklingError(
        f"minitorch.load: the checkpoint uses torch's {full_path} (sparse, quantized, nested or "
        "meta tensors, or a pickled torch object), which minitorch does not support")


# ----------------------------------------------------------------------------
# map_location: minitorch is a CPU-only torch.
# ----------------------------------------------------------------------------

CUDA_ERROR = (
    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
    "If you are running on a CPU-only machine, please use torch.load with "
    "map_location=torch.device('cpu') to map your storages to the CPU."
)


def _device_tag(where: Any) -> str:
    """'cpu' for 'cpu', b'cpu', minitorch.device('cpu') or a torch.device."""
    if isinstance(where, bytes):
        return where.decode("ascii")
    if isinstance(where, str):
        return where
    kind = getattr(where, "type", None)
    if isinstance(kind, str):
        index = getattr(where, "index", None)
        return kind if index is None else f"{kind}:{index}"
    raise TypeError(f"minitorch.load: map_location must be None, a string, a device, a dict or "
                    f"a callable, got {type(where).__name__}")


def _restore(storage: _Storage, location: str, map_location: Any) -> _Storage:
    """Put a storage where map_location says; only the CPU exists here, as on a CPU-only torch."""
    if map_location is None:
        target = location
    elif isinstance(map_location, dict):
        target = _device_tag(map_location.get(location, location))
    elif isinstance(map_location, (str, bytes)) or hasattr(map_location, "type"):
        target = _device_tag(map_location)
    elif callable(map_location):
        moved = map_location(storage, location)
        if moved is None:  # torch: None means "leave it where it was saved"
            target = location
        elif isinstance(moved, _Storage):
            return moved
        else:  # torch fails building a storage from it, with a TypeError
            raise TypeError(f"minitorch.load: map_location returned {type(moved).__name__}; "
                            "it must return the storage it was given (or None)")
    else:
        raise TypeError(f"'{type(map_location).__name__}' object is not callable")
    if target == "cpu":
        return storage
    if target.startswith("cuda"):
        raise RuntimeError(CUDA_ERROR)
    raise RuntimeError(f"don't know how to restore data location of torch.storage.UntypedStorage "
                       f"(tagged with {target})")


# ----------------------------------------------------------------------------
# The archive: reading records with torch's error messages.
# ----------------------------------------------------------------------------

# what zipfile raises on a damaged archive (zlib: a corrupt deflated record)
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error,
               NotImplementedError, zlib.error)

CORRUPT_HINT = (" If you are seeing this error, there is a high likelihood that your checkpoint "
                "file is corrupted.")


class _ArchiveReader:
    """The records of a checkpoint zip, looked up by their name inside `<archive>/`."""

    def __init__(self, fileobj: IO[bytes], mapped: mmap_module.mmap | None) -> None:
        try:
            self.zip = zipfile.ZipFile(fileobj)
            infos = self.zip.infolist()
        except _ZIP_ERRORS as e:
            reason = str(e)
            if "not a zip file" in reason.lower():
                reason = "failed finding central directory"
            raise RuntimeError(f"PytorchStreamReader failed reading zip archive: {reason}."
                               + CORRUPT_HINT) from None
        if not infos:
            raise RuntimeError("PytorchStreamReader: archive does not contain any files")
        first = infos[0].filename
        if "/" not in first:
            raise RuntimeError(f"PytorchStreamReader: file in archive is not in a subdirectory: "
                               f"{first}")
        self.prefix = first.split("/", 1)[0] + "/"
        self.mapped = mapped

    def has(self, name: str) -> bool:
        return self.prefix + name in self.zip.NameToInfo

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = self.zip.NameToInfo.get(self.prefix + name)
        if info is None:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found."
                               + CORRUPT_HINT)
        return info

    def _failed(self, name: str, e: Exception) -> RuntimeError:
        return RuntimeError(f"PytorchStreamReader failed reading file {name}: {e}."
                            + CORRUPT_HINT)

    def read(self, name: str) -> bytes:
        info = self._info(name)
        try:
            return self.zip.read(info)
        except _ZIP_ERRORS as e:
            raise self._failed(name, e) from None

    def read_storage(self, name: str, nbytes: int, what: str) -> np.ndarray:
        """A record's bytes as a fresh writable uint8 array (or a copy-on-write map of it)."""
        info = self._info(name)
        if info.file_size != nbytes:
            raise RuntimeError(f"PytorchStreamReader: record {name} size ({info.file_size} bytes) "
                               f"does not match expected size ({nbytes} bytes = {what})")
        if self.mapped is not None:
            return self._mapped(name, info, nbytes)
        out = np.empty(nbytes, dtype=np.uint8)
        try:
            with self.zip.open(info) as src:
                view, done = memoryview(out), 0
                while done < nbytes:
                    n = src.readinto(view[done:])
                    if not n:
                        raise EOFError("record ended early")
                    done += n
                if src.read(1):
                    raise ValueError("record is longer than its header says")
        except _ZIP_ERRORS as e:
            raise self._failed(name, e) from None
        return out

    def _mapped(self, name: str, info: zipfile.ZipInfo, nbytes: int) -> np.ndarray:
        if info.compress_type != zipfile.ZIP_STORED:
            raise RuntimeError(f"minitorch.load(mmap=True): record {name} is compressed, so it "
                               "cannot be mapped")
        head = self.mapped[info.header_offset:info.header_offset + 30]
        if len(head) != 30 or head[:4] != b"PK\x03\x04":
            raise self._failed(name, ValueError("bad magic number for file header"))
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        start = info.header_offset + 30 + name_len + extra_len
        if start + nbytes > len(self.mapped):
            raise self._failed(name, EOFError("record runs past the end of the file"))
        return np.frombuffer(self.mapped, dtype=np.uint8, count=nbytes, offset=start)


# ----------------------------------------------------------------------------
# The weights-only unpickler: a port of torch/_weights_only_unpickler.py. It runs
# only the protocol-2 opcodes torch.save emits, calls only ALLOWED_GLOBALS, and
# sets attributes only on OrderedDicts (a state dict's _metadata).
# ----------------------------------------------------------------------------

_OP = {name: code[0] for name, code in vars(pickle).items()
       if name.isupper() and isinstance(code, bytes) and len(code) == 1}


def _read_global(readline: Callable[[], bytes]) -> tuple[str, str]:
    module = readline()[:-1].decode("utf-8")
    name = readline()[:-1].decode("utf-8")
    # Python 2 names (protocol 2 keeps them), mapped the way pickle's fix_imports does.
    if (module, name) in _compat_pickle.NAME_MAPPING:
        module, name = _compat_pickle.NAME_MAPPING[(module, name)]
    elif module in _compat_pickle.IMPORT_MAPPING:
        module = _compat_pickle.IMPORT_MAPPING[module]
    return module, name


def _is_allowed_value(obj: Any) -> bool:
    return any(obj is v for v in ALLOWED_GLOBALS.values())


class WeightsOnlyUnpickler:
    """Unpickle only state-dict-like data; anything else is a pickle.UnpicklingError."""

    def __init__(self, file: IO[bytes], *, encoding: str = "bytes") -> None:
        self.encoding = encoding
        self.read, self.readline = file.read, file.readline
        self.memo: dict[int, Any] = {}

    def persistent_load(self, pid: Any) -> Any:  # replaced by the loader
        raise pickle.UnpicklingError("unsupported persistent id encountered")

    def load(self) -> Any:
        self.metastack: list[list[Any]] = []
        self.stack: list[Any] = []
        while True:
            key = self.read(1)
            if not key:
                raise EOFError
            op = key[0]
            handler = self._DISPATCH.get(op)
            if handler is None:
                raise pickle.UnpicklingError(f"Unsupported operand {op}")
            if op == _OP["STOP"]:
                if not self.stack:
                    raise pickle.UnpicklingError("unpickling stack underflow")
                return self.stack.pop()
            try:
                handler(self)
            except IndexError:  # an opcode found too few items: a malformed pickle
                raise pickle.UnpicklingError("unpickling stack underflow") from None

    # -- the risky opcodes: where a pickle could call or build something --
    def _global(self) -> None:
        try:
            module, name = _read_global(self.readline)
        except UnicodeDecodeError as e:
            raise pickle.UnpicklingError(f"GLOBAL name is not UTF-8: {e}") from None
        full_path = f"{module}.{name}"
        if module in BLOCKED_MODULES:
            raise pickle.UnpicklingError(f"Trying to load unsupported GLOBAL {full_path} whose "
                                         f"module {module} is blocked.")
        if full_path in ALLOWED_GLOBALS:
            self.stack.append(ALLOWED_GLOBALS[full_path])
            return
        if full_path in TORCH_ONLY_GLOBALS:
            raise _torch_only_error(full_path)
        shown = full_path[len("builtins."):] if full_path.startswith("builtins.") else full_path
        raise pickle.UnpicklingError(
            f"Unsupported global: GLOBAL {shown} was not an allowed global by default. "
            "minitorch.load(weights_only=True) builds only tensors, Parameters, dicts, lists, "
            "tuples, numbers, strings and the few torch types a checkpoint needs.")

    def _newobj(self) -> None:
        args = self.stack.pop()
        cls = self.stack.pop()
        if not _is_allowed_value(cls) or not isinstance(cls, type) or cls is Tensor:
            raise pickle.UnpicklingError(
                f"Can only create new object for nn.Parameter or classes allowlisted via "
                f"`add_safe_globals` but got {cls}")
        self.stack.append(cls.__new__(cls, *args))

    def _reduce(self) -> None:
        args = self.stack.pop()
        func = self.stack[-1]
        if not _is_allowed_value(func) or isinstance(func, (_StorageType, _TorchDtype)):
            raise pickle.UnpicklingError(f"Trying to call reduce for unrecognized function {func}")
        if func is Tensor:
            raise _torch_only_error("torch.Tensor (a legacy tensor pickle)")
        if not isinstance(args, tuple):
            raise pickle.UnpicklingError(f"REDUCE arguments must be a tuple, got {type(args)}")
        self.stack[-1] = func(*args)

    def _build(self) -> None:
        state = self.stack.pop()
        inst = self.stack[-1]
        if type(inst) is OrderedDict:  # a module state_dict's _metadata
            if not isinstance(state, dict):
                raise pickle.UnpicklingError("OrderedDict state must be a dict")
            inst.__dict__.update(state)
        else:
            raise pickle.UnpicklingError(
                "Can only build Tensor, Parameter, OrderedDict or types allowlisted via "
                f"`add_safe_globals`, but got {type(inst)}")

    def _binpersid(self) -> None:
        pid = self.stack.pop()
        if type(pid) is not tuple and type(pid) is not int:
            raise pickle.UnpicklingError(
                f"persistent_load id must be tuple or int, but got {type(pid)}")
        if type(pid) is tuple and len(pid) > 0 and _ascii(pid[0]) != "storage":
            raise pickle.UnpicklingError(
                f"Only persistent_load of storage is allowed, but got {type(pid[0])}")
        self.stack.append(self.persistent_load(pid))

    # -- containers --
    def _pop_mark(self) -> list[Any]:
        if not self.metastack:
            raise pickle.UnpicklingError("unpickling stack underflow: no MARK")
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    def _mark(self) -> None:
        self.metastack.append(self.stack)
        self.stack = []

    def _append(self) -> None:
        item = self.stack.pop()
        if type(self.stack[-1]) is not list:
            raise pickle.UnpicklingError(
                f"Can only append to lists, but got {type(self.stack[-1])}")
        self.stack[-1].append(item)

    def _appends(self) -> None:
        items = self._pop_mark()
        if type(self.stack[-1]) is not list:
            raise pickle.UnpicklingError(f"Can only extend lists, but got {type(self.stack[-1])}")
        self.stack[-1].extend(items)

    def _check_set_item_target(self, opcode: str) -> None:
        if type(self.stack[-1]) not in (dict, OrderedDict, Counter):
            raise pickle.UnpicklingError(
                f"Can only {opcode} for dict, collections.OrderedDict, collections.Counter, "
                f"but got {type(self.stack[-1])}")

    def _setitem(self) -> None:
        v, k = self.stack.pop(), self.stack.pop()
        self._check_set_item_target("SETITEM")
        self.stack[-1][k] = v

    def _setitems(self) -> None:
        items = self._pop_mark()
        self._check_set_item_target("SETITEMS")
        for i in range(0, len(items), 2):
            self.stack[-1][items[i]] = items[i + 1]

    def _tuple(self) -> None:
        items = self._pop_mark()  # first: it swaps self.stack back to the outer one
        self.stack.append(tuple(items))

    def _tuple_n(self, n: int) -> None:
        if len(self.stack) < n:
            raise pickle.UnpicklingError("unpickling stack underflow")
        items = tuple(self.stack[len(self.stack) - n:])
        del self.stack[len(self.stack) - n:]
        self.stack.append(items)

    # -- atoms and the memo --
    def _binunicode(self) -> None:
        (n,) = struct.unpack("<I", self._read_exactly(4))
        self.stack.append(str(self._read_exactly(n), "utf-8", "surrogatepass"))

    def _short_binstring(self) -> None:
        data = self._read_exactly(self._read_exactly(1)[0])
        self.stack.append(data if self.encoding == "bytes" else data.decode(self.encoding))

    def _long1(self) -> None:
        self.stack.append(pickle.decode_long(self._read_exactly(self._read_exactly(1)[0])))

    def _get(self, idx: int) -> None:
        if idx not in self.memo:
            raise pickle.UnpicklingError(f"Memo value not found at index {idx}")
        self.stack.append(self.memo[idx])

    def _put(self, idx: int) -> None:
        if not self.stack:
            raise pickle.UnpicklingError("unpickling stack underflow")
        self.memo[idx] = self.stack[-1]

    def _read_exactly(self, n: int) -> bytes:
        data = self.read(n)
        if len(data) != n:
            raise pickle.UnpicklingError("pickle data was truncated")
        return data

    def _proto(self) -> None:
        protocol = self._unpack("<B")
        if protocol != 2:
            warnings.warn(
                f"Detected pickle protocol {protocol} in the checkpoint, which was not the "
                "default pickle protocol used by `torch.load` (2). The weights_only Unpickler "
                "might not support all instructions implemented by this protocol.", stacklevel=4)

    def _unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self._read_exactly(struct.calcsize(fmt)))[0]

    _DISPATCH: dict[int, Callable[[WeightsOnlyUnpickler], None]] = {
        _OP["GLOBAL"]: _global, _OP["NEWOBJ"]: _newobj, _OP["REDUCE"]: _reduce,
        _OP["BUILD"]: _build, _OP["BINPERSID"]: _binpersid,
        _OP["APPEND"]: _append, _OP["APPENDS"]: _appends, _OP["SETITEM"]: _setitem,
        _OP["SETITEMS"]: _setitems, _OP["MARK"]: _mark, _OP["TUPLE"]: _tuple,
        _OP["TUPLE1"]: lambda u: u._tuple_n(1), _OP["TUPLE2"]: lambda u: u._tuple_n(2),
        _OP["TUPLE3"]: lambda u: u._tuple_n(3),
        _OP["NONE"]: lambda u: u.stack.append(None),
        _OP["NEWFALSE"]: lambda u: u.stack.append(False),
        _OP["NEWTRUE"]: lambda u: u.stack.append(True),
        _OP["EMPTY_TUPLE"]: lambda u: u.stack.append(()),
        _OP["EMPTY_LIST"]: lambda u: u.stack.append([]),
        _OP["EMPTY_DICT"]: lambda u: u.stack.append({}),
        _OP["EMPTY_SET"]: lambda u: u.stack.append(set()),
        _OP["BININT"]: lambda u: u.stack.append(u._unpack("<i")),
        _OP["BININT1"]: lambda u: u.stack.append(u._unpack("<B")),
        _OP["BININT2"]: lambda u: u.stack.append(u._unpack("<H")),
        _OP["BINFLOAT"]: lambda u: u.stack.append(u._unpack(">d")),
        _OP["BINUNICODE"]: _binunicode, _OP["SHORT_BINSTRING"]: _short_binstring,
        _OP["LONG1"]: _long1,
        _OP["BINGET"]: lambda u: u._get(u._unpack("<B")),
        _OP["LONG_BINGET"]: lambda u: u._get(u._unpack("<I")),
        _OP["BINPUT"]: lambda u: u._put(u._unpack("<B")),
        _OP["LONG_BINPUT"]: lambda u: u._put(u._unpack("<I")),
        _OP["PROTO"]: _proto,
        _OP["STOP"]: lambda u: None,
    }


def _ascii(value: Any) -> Any:
    return value.decode("ascii") if isinstance(value, bytes) else value


def _full_unpickler(pickle_module: Any) -> type:
    """weights_only=False: an ordinary unpickler, with torch's names mapped to minitorch's."""

    class CheckpointUnpickler(pickle_module.Unpickler):  # type: ignore[name-defined]
        def find_class(self, module: str, name: str) -> Any:
            module = {"torch.tensor": "torch._tensor"}.get(module, module)
            full_path = f"{module}.{name}"
            if full_path in ALLOWED_GLOBALS:
                return ALLOWED_GLOBALS[full_path]
            if module == "torch" or module.startswith("torch."):
                raise _torch_only_error(full_path)
            return super().find_class(module, name)

    return CheckpointUnpickler


# ----------------------------------------------------------------------------
# load
# ----------------------------------------------------------------------------


def _is_path(f: Any) -> bool:
    return isinstance(f, (str, os.PathLike))


def load(f: FileLike, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None,
         **pickle_load_args: Any) -> Any:
    """torch.load: read a checkpoint written by torch.save or minitorch.save.

    weights_only=None means True (torch >= 2.6), unless a pickle_module is given.
    map_location: None, 'cpu', a device, a dict of location tags or a callable
    (storage, location) -> storage | None; 'cuda' raises as on a CPU-only torch.
    mmap=True maps the file (a path) copy-on-write instead of reading the storages.
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only:
        if pickle_module is not None:
            raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                               "specified")
    elif pickle_module is None:
        pickle_module = pickle
    if weights_only and pickle_load_args:
        warnings.warn("pickle_load_args only works if `weights_only=False`.", stacklevel=2)
        pickle_load_args = {k: v for k, v in pickle_load_args.items() if k == "encoding"}
    pickle_load_args.setdefault("encoding", "utf-8")
    if mmap and not _is_path(f):
        raise ValueError("f must be a file path in order to use the mmap argument")
    if _is_path(f):
        with open(f, "rb") as fileobj:
            mapped = None
            if mmap and _starts_like_zip(fileobj) and os.fstat(fileobj.fileno()).st_size:
                mapped = mmap_module.mmap(fileobj.fileno(), 0, access=mmap_module.ACCESS_COPY)
            return _load_from(fileobj, map_location, pickle_module, weights_only, mmap, mapped,
                              pickle_load_args)
    if not callable(getattr(f, "read", None)):
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a "
                             "'read' attribute")
    return _load_from(f, map_location, pickle_module, weights_only, False, None,
                      pickle_load_args)


def _starts_like_zip(fileobj: IO[bytes]) -> bool:
    """torch's test (stricter than zipfile.is_zipfile): the first bytes are a zip header."""
    start = fileobj.tell()
    head = fileobj.read(4)
    fileobj.seek(start)
    return head == b"PK\x03\x04"


def _load_from(fileobj: IO[bytes], map_location: Any, pickle_module: Any, weights_only: bool,
               mmap: bool | None, mapped: mmap_module.mmap | None,
               pickle_load_args: dict[str, Any]) -> Any:
    if not _starts_like_zip(fileobj):
        _reject_non_zip(fileobj, mmap)
    archive = _ArchiveReader(fileobj, mapped)
    if archive.has("constants.pkl"):
        raise RuntimeError("minitorch.load: this is a TorchScript archive (torch.jit.save), "
                           "which minitorch cannot load")
    _check_version(archive)
    if weights_only:
        try:
            return _unpickle(archive, map_location, None, pickle_load_args)
        except pickle.UnpicklingError as e:
            raise pickle.UnpicklingError(
                f"Weights only load failed. {UNSAFE_MESSAGE}\nWeightsUnpickler error: {e}"
            ) from None
    return _unpickle(archive, map_location, pickle_module, pickle_load_args)


def _reject_non_zip(fileobj: IO[bytes], mmap: bool | None) -> None:
    """Not a zip: torch would try its legacy (pre-1.6) format, which minitorch does not read.
    We say what the file is, with torch's exception classes, without running its pickle."""
    head = fileobj.read(1)
    if not head:
        raise EOFError("Ran out of input")
    if mmap:
        raise RuntimeError("mmap can only be used with files saved with `torch.save(f, "
                           "_use_new_zipfile_serialization=True)`")
    fileobj.seek(-1, io.SEEK_CUR)
    try:
        magic = WeightsOnlyUnpickler(fileobj).load()
    except Exception as e:
        raise pickle.UnpicklingError(
            f"minitorch.load: not a checkpoint (neither a zip archive nor torch's legacy "
            f"format): {type(e).__name__}: {e}") from None
    if magic == LEGACY_MAGIC_NUMBER:
        raise RuntimeError("minitorch.load: this checkpoint is in torch's legacy format "
                           "(_use_new_zipfile_serialization=False), which minitorch does not "
                           "read; re-save it with torch.save(obj, f) in torch >= 1.6")
    raise RuntimeError("Invalid magic number; corrupt file?")


def _check_version(archive: _ArchiveReader) -> None:
    name = ".data/version" if archive.has(".data/version") else "version"
    if not archive.has(name):
        raise RuntimeError('PytorchStreamReader: Expected hasRecord("version") to be true, '
                           "but got false.")
    text = archive.read(name).decode("ascii", "replace").strip()
    try:
        version = int(text)
    except ValueError:
        raise RuntimeError(f"Couldn't parse the version {text} as Long Long.") from None
    if version not in SUPPORTED_VERSIONS:
        raise RuntimeError(
            f"Attempted to read a PyTorch file with version {version}, but the supported "
            f"versions for reading are {SUPPORTED_VERSIONS.start}..{SUPPORTED_VERSIONS.stop - 1}")


def _unpickle(archive: _ArchiveReader, map_location: Any, pickle_module: Any,
              pickle_load_args: dict[str, Any]) -> Any:
    byteorder = archive.read("byteorder") if archive.has("byteorder") else b"little"
    if byteorder not in (b"little", b"big"):
        raise ValueError("Unknown endianness type: " + byteorder.decode("ascii", "replace"))
    swap = byteorder.decode() != sys.byteorder
    loaded: dict[str, _Storage] = {}

    def persistent_load(saved_id: Any) -> _Storage:
        if not isinstance(saved_id, tuple) or len(saved_id) != 5:
            raise pickle.UnpicklingError(f"minitorch.load: a storage id must be a 5-tuple "
                                         f"('storage', type, key, location, numel), got "
                                         f"{saved_id!r}")
        typename, storage_type, key, location, numel = saved_id
        if _ascii(typename) != "storage":
            raise pickle.UnpicklingError(f"Unknown typename for persistent_load, expected "
                                         f"'storage' but got '{_ascii(typename)}'")
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"minitorch.load: unknown storage type {storage_type!r}")
        key, location = _ascii(key), _ascii(location)
        if not isinstance(key, str) or not isinstance(numel, int) or numel < 0:
            raise pickle.UnpicklingError(f"minitorch.load: bad storage id {saved_id!r}")
        if key in loaded:
            return loaded[key]
        if storage_type.np is None:
            _engine_dtype_or_raise(None, storage_type.dtype_name)
        itemsize = storage_type.np.itemsize
        raw = archive.read_storage(f"data/{key}", numel * itemsize,
                                   f"{numel} elements * {itemsize} bytes/element for dtype "
                                   f"torch.{storage_type.dtype_name}")
        if swap and itemsize > 1:
            raw.view(storage_type.np).byteswap(inplace=True)
        storage = _restore(_Storage(raw, storage_type, key), _device_tag(location),
                           map_location)
        loaded[key] = storage
        return storage

    data = io.BytesIO(archive.read("data.pkl"))
    if pickle_module is None:
        unpickler = WeightsOnlyUnpickler(data, **pickle_load_args)
    else:
        unpickler = _full_unpickler(pickle_module)(data, **pickle_load_args)
    unpickler.persistent_load = persistent_load
    return unpickler.load()


# ----------------------------------------------------------------------------
# save: a pickler that writes torch's names, and the storages a tensor's array lives in.
# ----------------------------------------------------------------------------


class _SavedStorage:
    """One storage to write: a uint8 view of the memory block some tensors share."""

    __slots__ = ("key", "bytes", "np", "numel")

    def __init__(self, key: str, raw: np.ndarray, np_dtype: np.dtype) -> None:
        self.key, self.bytes, self.np = key, raw, np_dtype
        self.numel = raw.size // np_dtype.itemsize


def _address(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def _root(a: np.ndarray) -> np.ndarray:
    """The array that owns (or first wraps) the memory `a` views: views share their root."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _memory_bytes(a: np.ndarray) -> np.ndarray | None:
    """The bytes of a contiguous (C or Fortran order) array, as a uint8 view; None otherwise."""
    if a.flags.c_contiguous:
        return a.reshape(-1).view(np.uint8)
    if a.flags.f_contiguous:
        return a.T.reshape(-1).view(np.uint8)
    return None


def _as_stored(a: np.ndarray) -> tuple[np.ndarray, int, tuple[int, ...]] | None:
    """(root bytes, element offset, element strides) of `a` inside its root, or None when it
    cannot be said in torch's terms (negative or unaligned strides, an odd root)."""
    if a.size == 0 or any(s < 0 or s % a.itemsize for s in a.strides):
        return None
    root = _root(a)
    raw = _memory_bytes(root)
    if raw is None or raw.size % a.itemsize:
        return None
    start = _address(a) - _address(root)
    if start < 0 or start % a.itemsize:
        return None
    end = start + sum((n - 1) * s for n, s in zip(a.shape, a.strides)) + a.itemsize
    if end > raw.size:
        return None
    return raw, start // a.itemsize, tuple(s // a.itemsize for s in a.strides)


class _TorchName:
    """A global written under torch's name: `torch._utils._rebuild_tensor_v2` and the like."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args: Any) -> Any:  # pickle's save_reduce wants a callable here
        raise TypeError(f"{self.module}.{self.name} is torch's name, written into checkpoints")


REBUILD_TENSOR_V2 = _TorchName("torch._utils", "_rebuild_tensor_v2")
REBUILD_PARAMETER = _TorchName("torch._utils", "_rebuild_parameter")
REBUILD_PARAMETER_WITH_STATE = _TorchName("torch._utils", "_rebuild_parameter_with_state")
TORCH_DEVICE = _TorchName("torch", "device")
TORCH_SIZE = _TorchName("torch", "Size")
_STORAGE_NAMES = {np_dtype: _TorchName("torch", st.class_name)
                  for np_dtype, st in _STORAGE_TYPE_BY_NP.items()}


def _pickler_class(pickle_module: Any) -> type:
    # The pure-Python pickler lets us write a global under a name that is not importable
    # here (torch is not imported); the C pickler insists on importing it.
    base = getattr(pickle_module, "_Pickler", pickle_module.Pickler)

    class CheckpointPickler(base):  # type: ignore[misc, valid-type]
        def __init__(self, file: IO[bytes], protocol: int) -> None:
            super().__init__(file, protocol=protocol)
            self.storages: dict[int, _SavedStorage] = {}
            self.keep_alive: list[Any] = []  # ids below stay unique while we pickle
            self.device_class = _minitorch_device_class()

        def persistent_id(self, obj: Any) -> Any:
            if type(obj) is _SavedStorage:
                return ("storage", _STORAGE_NAMES[obj.np], obj.key, "cpu", obj.numel)
            return None

        def reducer_override(self, obj: Any) -> Any:
            if isinstance(obj, (_TorchName, dtypes.dtype)):
                return obj.name  # a str: pickle writes a global through save_global below
            if isinstance(obj, Tensor):
                return self._reduce_tensor(obj)
            if isinstance(obj, Size):  # written as torch.Size, which torch's loader allows
                return (TORCH_SIZE, (tuple(obj),))
            if self.device_class is not None and isinstance(obj, self.device_class):
                return (TORCH_DEVICE, _device_args(obj))
            return NotImplemented

        def save_global(self, obj: Any, name: str | None = None) -> None:
            if isinstance(obj, _TorchName):
                return self._write_global(obj.module, obj.name, obj)
            if isinstance(obj, dtypes.dtype):  # torch.float32 is the global `torch float32`
                return self._write_global("torch", obj.name, obj)
            return super().save_global(obj, name)

        def _write_global(self, module: str, name: str, obj: Any) -> None:
            if self.proto >= 4:
                self.save(module)
                self.save(name)
                self.write(pickle.STACK_GLOBAL)
            else:
                self.write(pickle.GLOBAL + module.encode("utf-8") + b"\n"
                           + name.encode("utf-8") + b"\n")
            self.memoize(obj)

        def _reduce_tensor(self, t: Tensor) -> tuple:
            from minitorch.nn import Parameter

            if isinstance(t, Parameter):
                inner = _tensor_from(_array_of(t), False)
                self.keep_alive.append(inner)
                state = getattr(t, "__dict__", None)
                if state:
                    return (REBUILD_PARAMETER_WITH_STATE,
                            (inner, t.requires_grad, OrderedDict(), dict(state)))
                return (REBUILD_PARAMETER, (inner, t.requires_grad, OrderedDict()))
            storage, offset, stride = self._storage_of(_array_of(t))
            return (REBUILD_TENSOR_V2, (storage, offset, tuple(t.shape), stride,
                                        bool(t.requires_grad), OrderedDict()))

        def _storage_of(self, a: np.ndarray) -> tuple[_SavedStorage, int, tuple[int, ...]]:
            placed = _as_stored(a)
            if placed is None:  # a view torch cannot express: save a contiguous copy alone
                a = np.array(a, order="C", copy=True)
                self.keep_alive.append(a)
                placed = (a.reshape(-1).view(np.uint8), 0,
                          tuple(s // a.itemsize for s in a.strides) if a.size else
                          _contiguous_strides(a.shape))
                key_obj = a
            else:
                key_obj = _root(a)
            raw, offset, stride = placed
            found = self.storages.get(id(key_obj))
            if found is None:
                found = _SavedStorage(str(len(self.storages)), raw, a.dtype)
                self.storages[id(key_obj)] = found
                self.keep_alive.append(key_obj)
            elif found.np != a.dtype:
                raise RuntimeError("Cannot save multiple tensors or storages that view the same "
                                   "data as different types")
            return found, offset, stride

    return CheckpointPickler


def _contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def _minitorch_device_class() -> type | None:
    import minitorch

    cls = getattr(minitorch, "device", None)
    return cls if isinstance(cls, type) else None


def _device_args(d: Any) -> tuple:
    index = getattr(d, "index", None)
    return (d.type,) if index is None else (d.type, index)


def _archive_name(f: Any) -> str:
    """torch names the folder after the file (without its extension); 'archive' for buffers."""
    if not _is_path(f):
        return "archive"
    base = os.path.basename(os.fspath(f))
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return stem or "archive"


def _aligned_extra(offset: int, name: bytes, nbytes: int) -> bytes:
    """A local-header extra field that pads the record's data to STORAGE_ALIGNMENT (as miniz
    does in torch's writer, under the header id 'FB')."""
    header_end = offset + 30 + len(name) + 4
    if nbytes * 1.05 > zipfile.ZIP64_LIMIT:
        header_end += 20  # zipfile adds a zip64 extra after ours
    pad = -header_end % STORAGE_ALIGNMENT
    return struct.pack("<HH", 0x4246, pad) + b"Z" * pad


def _write_record(zf: zipfile.ZipFile, name: str, payload: Any) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    encoded = name.encode("utf-8")
    info.extra = _aligned_extra(zf.fp.tell(), encoded, memoryview(payload).nbytes)
    zf.writestr(info, payload)


def save(obj: Any, f: FileLike, pickle_module: Any = pickle,
         pickle_protocol: int = DEFAULT_PROTOCOL, _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """torch.save: write `obj` as a checkpoint torch.load (and minitorch.load) can read.

    Tensors become storages in data/<key> (views of one array share one storage), the
    rest is pickled with pickle_module. f is a path or a binary file object.
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("minitorch.save writes only torch's zip format "
                                  "(_use_new_zipfile_serialization=True)")
    if not _is_path(f) and not callable(getattr(f, "write", None)):
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a "
                             "'write' attribute")
    if _is_path(f):
        parent = os.path.dirname(os.path.abspath(os.fspath(f)))
        if not os.path.isdir(parent):
            raise RuntimeError(f"Parent directory {parent} does not exist.")
    # Pickle first: an object that cannot be pickled leaves no half-written file.
    buffer = io.BytesIO()
    pickler = _pickler_class(pickle_module)(buffer, pickle_protocol)
    pickler.dump(obj)
    storages = sorted(pickler.storages.values(), key=lambda s: int(s.key))
    archive = _archive_name(f)
    records: list[tuple[str, Any]] = [
        ("data.pkl", buffer.getbuffer()),
        (".format_version", b"1"),
        (".storage_alignment", str(STORAGE_ALIGNMENT).encode()),
    ]
    if not _disable_byteorder_record:
        records.append(("byteorder", sys.byteorder.encode()))
    records += [(f"data/{s.key}", memoryview(s.bytes)) for s in storages]
    serialization_id = f"{secrets.randbits(64):020d}{secrets.randbits(64):020d}"
    records += [("version", FILE_FORMAT_VERSION),
                (".data/serialization_id", serialization_id.encode())]
    if _is_path(f):
        with open(f, "wb") as out:
            _write_archive(out, archive, records)
    else:
        _write_archive(f, archive, records)


def _write_archive(out: IO[bytes], archive: str, records: list[tuple[str, Any]]) -> None:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, payload in records:
            _write_record(zf, f"{archive}/{name}", payload)
