"""Making tensors: from data, from shapes, from ranges, from random draws.

Three stories live here. `tensor(data)` walks nested lists to find the shape
and infers the dtype the way torch does (all bools -> bool, ints -> int64,
any float -> the default float dtype, NumPy scalars and 0-d tensors keep
theirs). `arange` and `linspace` reproduce torch's CPU kernels value for
value, down to their fused multiply-adds. And the in-place fillers
(`fill_`, `copy_`, `uniform_`, `normal_`) show how an in-place op joins the
autograd graph. Read ops/support.py first.
"""

from __future__ import annotations

import builtins
import math
import os
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch._torch_exact import arange_float, fma_exact
from minitorch.autograd.function import Function
from minitorch.devices import check_device
from minitorch.devices import device as Device
from minitorch.ops.support import broadcast_shapes, shape_arg, unbroadcast
from minitorch.random import Generator, numpy_generator
from minitorch.registry import register
from minitorch.tensor import Tensor
from minitorch.views import check_inplace_allowed, store, write_inplace

DType = dtypes.dtype
# torch's C++ names for dtypes, as its kernels print them in error messages.
_KERNEL_NAME = {d.name: d.kernel_name for d in dtypes.ALL_DTYPES}
_C_NAME = {
    "bool": "bool", "int32": "int", "int64": "int64_t", "float32": "float", "float64": "double",
    "uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "float16": "c10::Half",
}


# -- arguments every factory shares --------------------------------------------
def _dtype_arg(d: Any, op: str) -> DType | None:
    """A dtype argument: a minitorch dtype, or Python's float/int/bool (float means float64)."""
    if d is None or isinstance(d, DType):
        return d
    if d is builtins.float:
        return dtypes.float64
    if d is builtins.int:
        return dtypes.int64
    if d is builtins.bool:
        return dtypes.bool_
    raise TypeError(f"{op}(): argument 'dtype' must be minitorch.dtype, not {type(d).__name__}")


def _check_device(device: Any, op: str, pin_memory: bool = False, copy: bool = False) -> None:
    """minitorch lives on the CPU: 'cpu' in any spelling passes, any other device raises what
    a CPU-only torch raises (devices.py), and so does pinned memory, which needs a GPU."""
    check_device(device, op, copy=copy)
    if pin_memory:
        raise RuntimeError(
            f"{op}: pin_memory=True requires a CUDA or other accelerator backend; no pinned "
            "memory allocator is available on this system."
        )


def _check_storage(shape: tuple[int, ...], d: DType, op: str) -> None:
    """Refuse, as torch's allocator does, a tensor too big to index or to fit in memory.

    NumPy would raise MemoryError or ValueError; torch raises RuntimeError. We ask before we
    allocate, against the machine's memory and swap, so a 4 TiB request fails at once.
    """
    numel = math.prod(shape)
    if numel >= 2**63 or numel * d.itemsize >= 2**63:
        raise RuntimeError(
            f"{op}: Storage size calculation overflowed with sizes={list(shape)}"
        )
    nbytes = numel * d.itemsize
    if nbytes > _MEMORY_LIMIT:
        raise RuntimeError(
            f"{op}: [enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't "
            f"allocate memory: you tried to allocate {nbytes} bytes. Error code 12 (Cannot "
            "allocate memory)"
        )


def _memory_limit() -> int:
    """Physical memory plus swap, in bytes: what the kernel would let one allocation have."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 2**62
    try:
        with open("/proc/meminfo") as f:
            swap = next(int(line.split()[1]) * 1024 for line in f if line.startswith("SwapTotal"))
    except (OSError, StopIteration, ValueError):
        swap = 0
    return total + swap


_MEMORY_LIMIT = _memory_limit()


def _leaf(data: np.ndarray, requires_grad: bool) -> Tensor:
    """A new leaf; like torch, only floating tensors may require gradients."""
    if requires_grad and data.dtype.kind != "f":
        raise RuntimeError(
            "Only Tensors of floating point and complex dtype can require gradients"
        )
    return Tensor._make(data, bool(requires_grad), None)


def _size(args: Sequence[Any], op: str, d: DType | None = None) -> tuple[int, ...]:
    """f(2, 3), f((2, 3)) or f([2, 3]) -> (2, 3); floats, negative and too big sizes are refused.
    """
    if not args:
        raise TypeError(f'{op}() missing 1 required positional arguments: "size"')
    flat = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
    for s in flat:
        if isinstance(s, (float, np.floating)) or (isinstance(s, Tensor) and s.array.ndim):
            raise TypeError(
                f"{op}(): argument 'size' must be tuple of ints, not {type(s).__name__}"
            )
    shape = shape_arg(args, op)
    if any(n >= 2**63 for n in shape):  # beyond C's int64, before any arithmetic on it
        raise TypeError(
            f"{op}(): argument 'size' failed to unpack the object: Overflow when "
            "unpacking long long"
        )
    if any(n < 0 for n in shape):
        if op == "zeros":
            raise RuntimeError("zeros: Dimension size must be non-negative.")
        raise RuntimeError(
            f"{op}: Trying to create tensor with negative dimension "
            f"{min(shape)}: {list(shape)}"
        )
    _check_storage(shape, d or dtypes.get_default_dtype(), op)
    return shape


def _number(x: Any, op: str) -> bool | int | float:
    """A Python number from a number, a NumPy scalar or a one-element tensor."""
    if isinstance(x, Tensor):
        if x.array.size != 1:
            raise RuntimeError(
                f"{op}: a Tensor with {x.array.size} elements cannot be converted to Scalar"
            )
        return x.array.reshape(()).item()
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (bool, int, float)):
        return x
    raise TypeError(f"{op}(): expected a number, got {type(x).__name__}")


def _scalar_for(value: Any, d: DType, op: str) -> Any:
    """A fill value made safe for dtype d: torch refuses NaN, inf or overflow into integers."""
    if isinstance(value, bool) or d.category == 0:
        return value
    if d.category == 1:
        info = np.iinfo(d.np)
        if info.min == 0 and isinstance(value, int) and -info.max <= value <= info.max:
            return value % (info.max + 1)  # torch lets an unsigned type wrap ints: -9 -> 247
        fits = math.isfinite(value) and info.min <= value <= info.max
    else:  # a finite value beyond float32's range would silently become inf
        fits = not math.isfinite(value) or abs(value) <= np.finfo(d.np).max
    if not fits:
        raise RuntimeError(
            f"{op}: value cannot be converted to type {_C_NAME[d.name]} without overflow"
        )
    return value


# -- tensor(data): shape and dtype from nested lists ---------------------------
def _is_sequence(x: Any) -> bool:
    return isinstance(x, (list, tuple, range)) or (isinstance(x, np.ndarray) and x.ndim > 0)


def _leaf_dtype(x: Any, target: DType | None) -> DType:
    """The dtype one element of the data stands for (torch's infer_scalar_type).

    With an explicit integer or bool `target`, torch stores each element with
    Python's int(): Python floats truncate, but NumPy float32 scalars and float
    tensors are refused with a TypeError; we refuse them the same way.
    """
    into_int = target is not None and target.category < 2
    if isinstance(x, (np.generic, np.ndarray)):  # before float: np.float64 subclasses float
        if into_int and x.dtype.kind == "f" and not isinstance(x, float):
            raise TypeError(f"'numpy.{x.dtype}' object cannot be interpreted as an integer")
        return dtypes.from_numpy_dtype(x.dtype)
    if isinstance(x, (bool, int, float)):
        return dtypes.scalar_dtype(x)
    if isinstance(x, Tensor):
        if x.array.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if into_int and x.array.dtype.kind == "f":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return dtypes.from_numpy_dtype(x.array.dtype)
    if isinstance(x, complex):
        raise TypeError("tensor(): complex numbers are not supported by minitorch")
    if isinstance(x, (str, bytes)):
        raise TypeError(f"tensor(): invalid data type '{type(x).__name__}'")
    if into_int:
        raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")
    if target is not None:
        raise TypeError(f"must be real number, not {type(x).__name__}")
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _flatten(data: Any, target: DType | None) -> tuple[list[Any], tuple[int, ...], DType | None]:
    """Walk nested sequences: their elements in order, the shape, and the promoted dtype.

    The shape comes from following first elements down; every other
    sequence must then match it, or we raise torch's ValueError. The walk
    uses an explicit stack, so deep nesting cannot hit the recursion limit.
    """
    shape: list[int] = []
    x = data
    while _is_sequence(x):
        shape.append(len(x))
        if len(x) == 0:
            break
        x = x[0]
        if isinstance(x, str):  # torch walks a string as a sequence of strings, endlessly
            raise ValueError("too many dimensions 'str'")
    ndim = len(shape)
    flat: list[Any] = []
    found: DType | None = None
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        x, depth = stack.pop()
        if not _is_sequence(x):
            if depth != ndim:
                raise TypeError(f"tensor(): expected a sequence at dim {depth}, got {x!r}")
            d = _leaf_dtype(x, target)
            found = d if found is None else dtypes.promote_types(found, d)
            flat.append(x.array.reshape(()).item() if isinstance(x, Tensor) else x)
            continue
        if depth == ndim:
            raise TypeError(f"tensor(): expected a number at dim {depth}, got a sequence")
        if len(x) != shape[depth]:
            raise ValueError(
                f"expected sequence of length {shape[depth]} at dim {depth} (got {len(x)})"
            )
        if isinstance(x, np.ndarray):  # a whole block at once
            if x.shape != tuple(shape[depth:]):
                raise ValueError(
                    f"expected an array of shape {tuple(shape[depth:])} at dim {depth} "
                    f"(got {x.shape})"
                )
            d = dtypes.from_numpy_dtype(x.dtype)
            found = d if found is None else dtypes.promote_types(found, d)
            flat.extend(x.ravel().tolist())
        elif depth == ndim - 1 and (kinds := set(map(type, x))) <= {float, int, bool}:
            for kind in kinds:  # the common case, an innermost list of plain numbers
                d = dtypes.scalar_dtype(kind())
                found = d if found is None else dtypes.promote_types(found, d)
            flat.extend(x)
        else:
            stack.extend((c, depth + 1) for c in reversed(x))
    return flat, tuple(shape), found


def _from_python(data: Any, dtype: DType | None) -> np.ndarray:
    """A fresh array from (nested) Python data, with torch's inferred dtype or `dtype`."""
    if _is_sequence(data):
        flat, shape, found = _flatten(data, dtype)
    else:
        flat, shape, found = [data], (), _leaf_dtype(data, dtype)
    if found is None:  # no elements at all: torch picks the default float dtype
        found = dtypes.get_default_dtype()
    target = dtype or found
    # Build wide (Python floats are doubles, ints int64), then convert with torch's checks.
    build = np.float64 if found.category == 2 or target.category == 2 else np.int64
    if found.category == 0 and target.category == 0:
        build = np.bool_
    try:
        arr = np.array(flat, dtype=build).reshape(shape)
    except OverflowError:  # a Python int beyond int64
        if target.category == 1:
            raise ValueError("Overflow when unpacking long long") from None
        arr = np.array(flat, dtype=object).reshape(shape).astype(target.np)
    if target.category == 1 and arr.dtype != target.np:
        info = np.iinfo(target.np)
        finite = np.isfinite(arr) if arr.dtype.kind == "f" else True
        if not np.all(finite & (arr >= info.min) & (arr <= info.max)):
            raise RuntimeError(f"value cannot be converted to type {target.name} without overflow")
    return arr.astype(target.np, copy=False)


def tensor(data: Any, dtype: DType | None = None, device: Any = None,
           requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of `data` (numbers, nested lists, arrays, tensors)."""
    return _tensor(data, dtype, device, requires_grad, pin_memory, "minitorch.tensor")
register(tensor, differentiable=False)


def _tensor(data: Any, dtype: Any, device: Any, requires_grad: bool, pin_memory: bool,
            caller: str) -> Tensor:
    """tensor() and Tensor.new_tensor(): a copy of data, with torch's dtype inference."""
    dtype = _dtype_arg(dtype, "tensor")
    _check_device(device, "tensor", pin_memory, copy=True)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
            f"rather than {caller}(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        data = data.array
    if isinstance(data, np.ndarray):
        if dtype is None or data.dtype.kind not in "biuf":  # with a dtype, uint8 etc. convert
            dtypes.from_numpy_dtype(data.dtype)  # TypeError for float16, uint8, object...
        target = dtype or dtypes.from_numpy_dtype(data.dtype)  # float64 stays float64
        if data.dtype.kind == "f" and target.category == 1:
            with np.errstate(invalid="ignore"):  # NaN -> int is undefined; torch does not check
                arr = np.array(data, dtype=target.np, order="C")
        else:
            arr = np.array(data, dtype=target.np, order="C")
    else:
        arr = _from_python(data, dtype)
    return _leaf(arr, requires_grad)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor that shares memory with `ndarray` (writes show through both ways)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dtypes.from_numpy_dtype(ndarray.dtype)  # raises TypeError naming an unsupported dtype
    return Tensor._make(ndarray, False, None)
register(from_numpy, differentiable=False)


def as_tensor(data: Any, dtype: DType | None = None, device: Any = None) -> Tensor:
    """Like tensor(), but reuses `data`'s memory when it already has the right dtype."""
    dtype = _dtype_arg(dtype, "as_tensor")
    _check_device(device, "as_tensor", copy=True)
    if isinstance(data, Tensor):
        return data if dtype is None else to(data, dtype)
    if isinstance(data, np.ndarray):
        found = dtypes.from_numpy_dtype(data.dtype)
        if dtype is None or dtype is found:
            return from_numpy(data)
        return Tensor._make(data.astype(dtype.np), False, None)
    return tensor(data, dtype=dtype)
register(as_tensor, differentiable=False)


def asarray(obj: Any, *, dtype: DType | None = None, device: Any = None,
            copy: bool | None = None, requires_grad: bool = False) -> Tensor:
    """torch.asarray: share memory when possible, copy when asked or needed."""
    _check_device(device, "asarray", copy=True)
    t = tensor(obj, dtype=dtype) if copy else as_tensor(obj, dtype=dtype, device=device)
    return t.requires_grad_(requires_grad) if requires_grad else t
register(asarray, differentiable=False)


# -- from a shape --------------------------------------------------------------
def _filled(shape: tuple[int, ...], value: Any, d: DType, requires_grad: bool) -> Tensor:
    return _leaf(np.full(shape, value, dtype=d.np), requires_grad)


def zeros(*size: Any, dtype: DType | None = None, device: Any = None,
          requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A tensor of zeros; zeros(2, 3) and zeros((2, 3)) alike."""
    _check_device(device, "zeros", pin_memory)
    d = _dtype_arg(dtype, "zeros") or dtypes.get_default_dtype()
    return _leaf(np.zeros(_size(size, "zeros", d), dtype=d.np), requires_grad)
register(zeros, differentiable=False)


def ones(*size: Any, dtype: DType | None = None, device: Any = None,
         requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A tensor of ones."""
    _check_device(device, "ones", pin_memory)
    d = _dtype_arg(dtype, "ones") or dtypes.get_default_dtype()
    return _leaf(np.ones(_size(size, "ones", d), dtype=d.np), requires_grad)
register(ones, differentiable=False)


def empty(*size: Any, dtype: DType | None = None, device: Any = None,
          requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """An uninitialised tensor: its values are whatever the memory held, as in torch."""
    _check_device(device, "empty", pin_memory)
    d = _dtype_arg(dtype, "empty") or dtypes.get_default_dtype()
    return _leaf(np.empty(_size(size, "empty", d), dtype=d.np), requires_grad)
register(empty, differentiable=False)


def full(size: Sequence[int], fill_value: Any, *, dtype: DType | None = None,
         device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A tensor filled with `fill_value`; its dtype follows the value (1 -> int64, 1. -> float)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}"
        )
    _check_device(device, "full", pin_memory)
    value = _number(fill_value, "full")
    d = _dtype_arg(dtype, "full") or dtypes.scalar_dtype(value)
    return _filled(_size((size,), "full", d), _scalar_for(value, d, "full"), d, requires_grad)
register(full, differentiable=False)


def _like_dtype(input: Tensor, dtype: Any, op: str, device: Any = None,
                pin_memory: bool = False) -> DType:
    """The dtype of a *_like result (input's unless told), once input and device are checked."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    _check_device(device, op, pin_memory)
    return _dtype_arg(dtype, op) or dtypes.from_numpy_dtype(input.array.dtype)


def zeros_like(input: Tensor, *, dtype: DType | None = None, device: Any = None,
               requires_grad: bool = False, pin_memory: bool = False,
               memory_format: Any = None) -> Tensor:
    """Zeros with input's shape and dtype (never input's requires_grad)."""
    d = _like_dtype(input, dtype, "zeros_like", device, pin_memory)
    return _leaf(np.zeros(input.array.shape, dtype=d.np), requires_grad)
register(zeros_like, differentiable=False)


def ones_like(input: Tensor, *, dtype: DType | None = None, device: Any = None,
              requires_grad: bool = False, pin_memory: bool = False,
              memory_format: Any = None) -> Tensor:
    """Ones with input's shape and dtype."""
    d = _like_dtype(input, dtype, "ones_like", device, pin_memory)
    return _leaf(np.ones(input.array.shape, dtype=d.np), requires_grad)
register(ones_like, differentiable=False)


def empty_like(input: Tensor, *, dtype: DType | None = None, device: Any = None,
               requires_grad: bool = False, pin_memory: bool = False,
               memory_format: Any = None) -> Tensor:
    """An uninitialised tensor with input's shape and dtype."""
    d = _like_dtype(input, dtype, "empty_like", device, pin_memory)
    return _leaf(np.empty(input.array.shape, dtype=d.np), requires_grad)
register(empty_like, differentiable=False)


def full_like(input: Tensor, fill_value: Any, *, dtype: DType | None = None,
              device: Any = None, requires_grad: bool = False, pin_memory: bool = False,
              memory_format: Any = None) -> Tensor:
    """fill_value in input's shape and dtype (2.7 into an int tensor gives 2, as in torch)."""
    d = _like_dtype(input, dtype, "full_like", device, pin_memory)
    value = _scalar_for(_number(fill_value, "full_like"), d, "full_like")
    return _filled(input.array.shape, value, d, requires_grad)
register(full_like, differentiable=False)


# -- Tensor.new_*: a factory that takes its dtype from an existing tensor -------------
def _new_dtype(input: Tensor, dtype: Any, device: Any, pin_memory: bool, op: str) -> DType:
    """input's dtype unless told otherwise (never input's requires_grad, as in torch)."""
    _check_device(device, op, pin_memory)
    return _dtype_arg(dtype, op) or dtypes.from_numpy_dtype(input.array.dtype)


def new_zeros(input: Tensor, *size: Any, dtype: DType | None = None, device: Any = None,
              requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """zeros(size) with input's dtype: x.new_zeros(2, 3) or x.new_zeros((2, 3))."""
    d = _new_dtype(input, dtype, device, pin_memory, "new_zeros")
    return _leaf(np.zeros(_size(size, "new_zeros", d), dtype=d.np), requires_grad)
register(new_zeros, function=False, method=True, differentiable=False)


def new_ones(input: Tensor, *size: Any, dtype: DType | None = None, device: Any = None,
             requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """ones(size) with input's dtype."""
    d = _new_dtype(input, dtype, device, pin_memory, "new_ones")
    return _leaf(np.ones(_size(size, "new_ones", d), dtype=d.np), requires_grad)
register(new_ones, function=False, method=True, differentiable=False)


def new_empty(input: Tensor, *size: Any, dtype: DType | None = None, device: Any = None,
              requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """An uninitialised tensor of `size` with input's dtype."""
    d = _new_dtype(input, dtype, device, pin_memory, "new_empty")
    return _leaf(np.empty(_size(size, "new_empty", d), dtype=d.np), requires_grad)
register(new_empty, function=False, method=True, differentiable=False)


def new_full(input: Tensor, size: Sequence[int], fill_value: Any, *, dtype: DType | None = None,
             device: Any = None, requires_grad: bool = False,
             pin_memory: bool = False) -> Tensor:
    """full(size, fill_value) with input's dtype: the value is cast (3.7 into int64 is 3)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            "new_full(): argument 'size' (position 1) must be tuple of ints, "
            f"not {type(size).__name__}"
        )
    d = _new_dtype(input, dtype, device, pin_memory, "new_full")
    value = _scalar_for(_number(fill_value, "new_full"), d, "new_full")
    return _filled(_size((size,), "new_full", d), value, d, requires_grad)
register(new_full, function=False, method=True, differentiable=False)


def new_tensor(input: Tensor, data: Any, *, dtype: DType | None = None, device: Any = None,
               requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """tensor(data) with input's dtype, whatever data holds: x.new_tensor([1, 2]) is float32
    when x is."""
    d = _new_dtype(input, dtype, device, pin_memory, "new_tensor")
    return _tensor(data, d, device, requires_grad, pin_memory, "tensor.new_tensor")
register(new_tensor, function=False, method=True, differentiable=False)


def eye(n: int, m: int | None = None, *, dtype: DType | None = None, device: Any = None,
        requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """The n x m identity matrix (m defaults to n)."""
    for name, v in (("n", n), ("m", m)):
        if v is not None and (isinstance(v, (float, bool)) or not isinstance(v, (int, np.integer))):
            raise TypeError(f"eye(): argument '{name}' must be int, not {type(v).__name__}")
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    _check_device(device, "eye", pin_memory)
    d = _dtype_arg(dtype, "eye") or dtypes.get_default_dtype()
    _check_storage((n, n if m is None else m), d, "eye")
    return _leaf(np.eye(n, n if m is None else m, dtype=d.np), requires_grad)
register(eye, differentiable=False)


# -- ranges, value for value as torch's CPU kernels ---------------------------
# torch splits arange's loop over its threads, which moves where its SIMD blocks start,
# so torch's own float arange depends on the machine's thread count. We reproduce its
# one-thread result everywhere: the same output on every machine, and torch's exactly
# when it runs on one thread (as the parity sweep runs it). The emulation itself lives
# in _torch_exact.py.
_ARANGE_THREADS = 1


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: DType | None = None,
           device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """start, start + step, ... up to end (excluded): ceil((end - start) / step) values.

    Int arguments give int64, any float gives the default float dtype.
    """
    if end is None:
        start, end = 0, start
    start, end, step = (_number(v, "arange") for v in (start, end, step))
    _check_device(device, "arange", pin_memory)
    d = _dtype_arg(dtype, "arange")
    if d is None:
        any_float = builtins.any(isinstance(v, float) for v in (start, end, step))
        d = dtypes.get_default_dtype() if any_float else dtypes.int64
    if d is dtypes.bool_:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if d.category == 2:
        n = math.ceil((end - start) / step)
        _check_storage((n,), d, "arange")
        values = arange_float(float(start), float(step), n, d.np, _ARANGE_THREADS)
        return _leaf(values, requires_grad)
    # Integer kernels work in int64: start and step are truncated toward zero.
    istart, istep = int(start), int(step)
    if d is dtypes.int64:
        if istep == 0:
            raise ValueError("step must be nonzero")
        n = -((istart - int(end)) // istep)  # ceil((end - start) / step) in exact integers
    else:
        n = math.ceil((end - start) / step)
    _check_storage((builtins.max(n, 0),), d, "arange")
    values = istart + istep * np.arange(builtins.max(n, 0), dtype=np.int64)
    return _leaf(values.astype(d.np), requires_grad)
register(arange, differentiable=False)


def linspace(start: Any, end: Any, steps: int, *, dtype: DType | None = None,
             device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """`steps` evenly spaced values from start to end, both included.

    Like torch, the first half counts up from start and the second half down
    from end, so both ends are exact: start + step*i, end - step*(steps-1-i).
    """
    start, end = _number(start, "linspace"), _number(end, "linspace")
    _check_device(device, "linspace", pin_memory)
    d = _dtype_arg(dtype, "linspace") or dtypes.get_default_dtype()
    if d is dtypes.bool_:
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    if isinstance(steps, (bool, float)) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"linspace(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    _check_storage((steps,), d, "linspace")
    if d.category == 2:
        T = d.np.type
        s, e = T(start), T(end)
        step = (e - s) / T(steps - 1) if steps > 1 else T(0)  # in the tensor's own dtype
        out_dtype = d.np
    else:  # integer kernels step in double, then truncate
        s, e = np.float64(int(start)), np.float64(int(end))
        step = (e - s) / (steps - 1) if steps > 1 else 0.0
        out_dtype = np.float64
    if steps == 1:
        return _leaf(np.full(1, s, dtype=d.np), requires_grad)
    i = np.arange(steps)
    half = steps // 2
    fdt = np.float32 if out_dtype == np.float32 else np.float64
    up = fma_exact(step, i[:half].astype(fdt), s, out_dtype)
    down = fma_exact(-step, (steps - 1 - i[half:]).astype(fdt), e, out_dtype)
    return _leaf(np.concatenate([up, down]).astype(d.np), requires_grad)
register(linspace, differentiable=False)


# -- random draws (minitorch's own generator; see random.py) ------------------
def _float_dtype_for(dtype: Any, op: str, kernel: str) -> DType:
    d = _dtype_arg(dtype, op) or dtypes.get_default_dtype()
    if d.category != 2:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_KERNEL_NAME[d.name]}'")
    return d


def rand(*size: Any, generator: Generator | None = None, dtype: DType | None = None,
         device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Uniform samples from [0, 1)."""
    d = _float_dtype_for(dtype, "rand", "check_uniform_bounds")
    _check_device(device, "rand", pin_memory)
    g = numpy_generator(generator)
    return _leaf(g.random(_size(size, "rand", d), dtype=d.np), requires_grad)
register(rand, differentiable=False)


def randn(*size: Any, generator: Generator | None = None, dtype: DType | None = None,
          device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Samples from the standard normal N(0, 1)."""
    d = _float_dtype_for(dtype, "randn", "normal_kernel_cpu")
    _check_device(device, "randn", pin_memory)
    g = numpy_generator(generator)
    return _leaf(g.standard_normal(_size(size, "randn", d), dtype=d.np), requires_grad)
register(randn, differentiable=False)


def rand_like(input: Tensor, *, dtype: DType | None = None, device: Any = None,
              requires_grad: bool = False, pin_memory: bool = False,
              memory_format: Any = None) -> Tensor:
    """rand with input's shape and dtype."""
    d = _like_dtype(input, dtype, "rand_like", device, pin_memory)
    return rand(input.array.shape, dtype=_float_dtype_for(d, "rand_like", "check_uniform_bounds"),
                requires_grad=requires_grad)
register(rand_like, differentiable=False)


def randn_like(input: Tensor, *, dtype: DType | None = None, device: Any = None,
               requires_grad: bool = False, pin_memory: bool = False,
               memory_format: Any = None) -> Tensor:
    """randn with input's shape and dtype."""
    d = _like_dtype(input, dtype, "randn_like", device, pin_memory)
    return randn(input.array.shape, dtype=_float_dtype_for(d, "randn_like", "normal_kernel_cpu"),
                 requires_grad=requires_grad)
register(randn_like, differentiable=False)


def _randint_values(low: int, high: int, shape: tuple[int, ...], d: DType,
                    generator: Generator | None) -> np.ndarray:
    if isinstance(low, float) or isinstance(high, float):
        raise TypeError("randint(): low and high must be ints")
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    if d is dtypes.bool_ and (low < 0 or high > 2):
        raise RuntimeError("to - 1 is out of bounds for bool")
    values = numpy_generator(generator).integers(low, high, size=shape, dtype=np.int64)
    return values.astype(d.np)


def randint(*args: Any, size: Any = None, low: int | None = None, high: int | None = None,
            generator: Generator | None = None, dtype: DType | None = None, device: Any = None,
            requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Integers uniform in [low, high): randint(high, size) or randint(low, high, size)."""
    bounds = list(args)
    if size is None and bounds:
        size = bounds.pop()
    bounds = ([] if low is None else [low]) + bounds + ([] if high is None else [high])
    if len(bounds) == 1:
        bounds = [0, *bounds]
    if len(bounds) != 2 or size is None:
        raise TypeError("randint(): expected (high, size) or (low, high, size)")
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"randint(): argument 'size' must be tuple of ints, not {type(size).__name__}"
        )
    _check_device(device, "randint", pin_memory)
    d = _dtype_arg(dtype, "randint") or dtypes.int64
    low, high = (_number(b, "randint") for b in bounds)
    shape = _size((size,), "randint", d)
    return _leaf(_randint_values(low, high, shape, d, generator), requires_grad)
register(randint, differentiable=False)


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *,
                 dtype: DType | None = None, device: Any = None,
                 requires_grad: bool = False, pin_memory: bool = False,
                 memory_format: Any = None) -> Tensor:
    """randint with input's shape and dtype: randint_like(x, high) or (x, low, high)."""
    if high is None:
        low, high = 0, low
    d = _like_dtype(input, dtype, "randint_like", device, pin_memory)
    return _leaf(_randint_values(low, high, input.array.shape, d, None), requires_grad)
register(randint_like, differentiable=False)


def randperm(n: int, *, generator: Generator | None = None, dtype: DType | None = None,
             device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A random permutation of 0 .. n-1."""
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    _check_device(device, "randperm", pin_memory)
    d = _dtype_arg(dtype, "randperm") or dtypes.int64
    _check_storage((n,), d, "randperm")
    return _leaf(numpy_generator(generator).permutation(n).astype(d.np), requires_grad)
register(randperm, differentiable=False)


class _Draw(Function):
    """A random draw from mean and std tensors: its gradient is zero for both (derivatives.yaml)."""

    torch_name = "NormalBackward3"

    @staticmethod
    def forward(ctx, mean, std, noise):
        ctx.shapes = (np.shape(mean), np.shape(std))
        return np.asarray(mean + std * noise)

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.zeros(s, dtype=grad.dtype) for s in ctx.shapes) + (None,)

    def name(self) -> str:
        return self.torch_name


class _DrawTensorFloat(_Draw):
    torch_name = "NormalBackward1"


class _DrawFloatTensor(_Draw):
    torch_name = "NormalBackward2"


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Generator | None = None,
           dtype: DType | None = None, device: Any = None,
           requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Samples from N(mean, std**2); mean and std are tensors (broadcast) or floats with a size."""
    _check_device(device, "normal", pin_memory)
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    g = numpy_generator(generator)
    if not (tm or ts):
        if size is None:
            raise TypeError("normal(): with float mean and std, a size is required")
        d = _float_dtype_for(dtype, "normal", "normal_kernel_cpu")
        _check_std(float(std), "normal")
        shape = _size((size,), "normal", d)
        draw = g.standard_normal(shape, dtype=np.float64) * float(std) + float(mean)
        return _leaf(draw.astype(d.np), requires_grad)
    ref = mean if tm else std
    shape = ref.array.shape
    if tm and ts:
        shape = broadcast_shapes(mean.array.shape, std.array.shape, "normal")
        if mean.array.dtype != std.array.dtype:
            raise RuntimeError(
                f"normal: mean and std must have the same dtype, got {mean.dtype} and {std.dtype}"
            )
    d = dtypes.from_numpy_dtype(ref.array.dtype)
    if d.category != 2:
        raise NotImplementedError(
            f"\"normal_kernel_cpu\" not implemented for '{_KERNEL_NAME[d.name]}'"
        )
    if not ts:
        _check_std(float(std), "normal")
    elif np.any(std.array < 0):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    noise = g.standard_normal(shape, dtype=d.np)
    if tm and ts:
        return _Draw.apply(mean, std, noise)
    if tm:
        return _DrawTensorFloat.apply(mean, d.np.type(std), noise)
    return _DrawFloatTensor.apply(d.np.type(mean), std, noise)
register(normal, differentiable=False)


def _check_std(std: float, op: str) -> None:
    if std < 0:
        raise RuntimeError(f"{op} expects std >= 0.0, but found std {std:g}")


# -- copies and conversions ----------------------------------------------------
class Clone(Function):
    """y = x.clone();  x: grad."""

    @staticmethod
    def forward(ctx, x):
        return np.copy(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    """A copy that stays in the graph: gradients flow back to input unchanged."""
    return Clone.apply(input)
register(clone, method=True)


class ToCopy(Function):
    """y = x.to(dtype);  x: grad.to(x.dtype)  (only float -> float is differentiable)."""

    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.in_dtype = x.dtype
        if x.dtype.kind == "f" and np_dtype.kind in "iub":
            with np.errstate(invalid="ignore"):  # NaN/inf -> int is undefined, as in C++
                return x.astype(np_dtype)
        return x.astype(np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.in_dtype), None


def _is_dtype(a: Any) -> bool:
    return isinstance(a, DType) or a in (builtins.float, builtins.int, builtins.bool)


def _is_device(a: Any) -> bool:
    return a is None or isinstance(a, (str, Device)) or (
        isinstance(a, int) and not isinstance(a, bool))


def _to_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any, bool]:
    """(dtype, device, copy) from torch's four forms of Tensor.to:

    to(dtype, non_blocking, copy), to(device, dtype, non_blocking, copy),
    to(other, non_blocking, copy) and keywords only (dtype=, device=, non_blocking=,
    copy=, memory_format=). Anything else is refused with torch's TypeError.
    """
    rest = list(args)
    dtype = device = None
    if rest and isinstance(rest[0], Tensor):
        dtype, device = dtypes.from_numpy_dtype(rest.pop(0).array.dtype), "cpu"
    elif rest and _is_dtype(rest[0]):
        dtype = rest.pop(0)
    elif rest and _is_device(rest[0]):
        device = rest.pop(0)
        if rest and _is_dtype(rest[0]):
            dtype = rest.pop(0)
        elif rest:  # after a device, the flags only follow a dtype
            rest.append(object())
    flags = [rest.pop(0) for _ in range(builtins.min(2, len(rest)))
             if isinstance(rest[0], bool)]
    unknown = set(kwargs) - {"dtype", "device", "non_blocking", "copy", "memory_format"}
    clash = (dtype is not None and "dtype" in kwargs) or (device is not None and "device" in kwargs)
    if rest or unknown or clash:
        got = ", ".join([type(a).__name__ for a in args] + [f"{k}=" for k in kwargs])
        raise TypeError(
            f"to() received an invalid combination of arguments - got ({got}), but expected one "
            "of: (dtype, non_blocking, copy), (device, dtype, non_blocking, copy), "
            "(Tensor other, non_blocking, copy)"
        )
    dtype = kwargs.get("dtype", dtype)
    device = kwargs.get("device", device)
    copy = kwargs.get("copy", flags[1] if len(flags) > 1 else False)
    return dtype, device, bool(copy)


def to(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """input converted to a dtype (and the CPU); input itself when nothing would change.

    Accepts torch's forms: to(dtype), to(device), to(device, dtype), to(other),
    each followed by non_blocking and copy, and the keywords dtype=, device=, copy=,
    non_blocking=, memory_format=. A device other than the CPU raises torch's error.
    """
    if len(args) == 1 and not kwargs:  # the common calls, to('cpu') and to(dtype), parsed
        a = args[0]                     # directly: the general parse costs a few microseconds
        if type(a) is str and a == "cpu":
            return input
        if isinstance(a, DType):
            return input if a.np == input.array.dtype else ToCopy.apply(input, a.np)
    dtype, device, copy = _to_arguments(args, kwargs)
    where = check_device(device, "to", copy=True)
    # torch's CPU tensors have no index, so 'cpu:0' counts as another device: a copy.
    copy = copy or (where is not None and where.index is not None)
    d = _dtype_arg(dtype, "to")
    if (d is None or d.np == input.array.dtype) and not copy:
        return input
    return ToCopy.apply(input, input.array.dtype if d is None else d.np)
register(to, function=False, method=True)


def tensor_type(input: Tensor, dtype: Any = None) -> Any:
    """input.type(dtype) is input.to(dtype); input.type() names the tensor type."""
    if dtype is None:
        return f"torch.{_KERNEL_NAME[input.dtype.name]}Tensor"
    return to(input, dtype)
register(tensor_type, name="type", function=False, method=True)


def type_as(input: Tensor, other: Tensor) -> Tensor:
    """input.to(other.dtype)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"type_as(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(other).__name__}")
    return to(input, other.dtype)  # to's direct path for a dtype
register(type_as, function=False, method=True)


def cpu(input: Tensor, memory_format: Any = None) -> Tensor:
    """The tensor itself: minitorch only has the CPU."""
    return input
register(cpu, function=False, method=True)


def _converter(d: dtypes.dtype, name: str) -> Any:
    def convert(input: Tensor, memory_format: Any = None) -> Tensor:
        return to(input, d)

    convert.__name__ = convert.__qualname__ = name
    convert.__doc__ = f"input.to({d.name})."
    return convert


for _name, _d in (("float", dtypes.float32), ("double", dtypes.float64), ("long", dtypes.int64),
                  ("int", dtypes.int32), ("bool", dtypes.bool_), ("half", dtypes.float16)):
    register(_converter(_d, _name), function=False, method=True)


# -- in place: writing into a tensor's memory ---------------------------------
# fill_, zero_, copy_ and the random fills overwrite input's values. views.py's
# write_inplace does it (every view sees the write, the version moves on, and
# under autograd input becomes the output of the node below, whose input is
# "input as it was"). Their gradient to the old values is zero: they are gone.
def _check_inplace(input: Tensor, op: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    check_inplace_allowed(input, op)


class _InPlace(Function):
    """y = values, broadcast to x's shape and cast to x's dtype (C++'s cast: 2.7 -> 2)."""

    torch_name = "InPlaceBackward0"

    @staticmethod
    def forward(ctx, x, values, *others):
        ctx.shapes = tuple(np.shape(o) for o in others)
        ctx.dtypes = tuple(getattr(o, "dtype", None) for o in others)
        out = np.empty_like(x)
        with np.errstate(invalid="ignore"):
            np.copyto(out, values, casting="unsafe")
        return out

    def name(self) -> str:
        return self.torch_name


class _Overwritten(_InPlace):
    """fill_, zero_, uniform_, normal_ with a number:  self: zeros_like(grad)."""

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad)


class _FillFromTensor(_InPlace):
    """self.fill_(value) with a 0-d tensor value;  self: zeros_like(grad),  value: grad.sum()."""

    torch_name = "FillBackward3"

    @staticmethod
    def backward(ctx, grad):
        total = grad.sum(keepdims=True).reshape(())  # a 0-d array (recorded: create_graph)
        return np.zeros_like(grad), None, total.astype(ctx.dtypes[0])


class _Copy(_InPlace):
    """self.copy_(src);  self: zeros_like(grad),  src: grad (summed back to src's shape)."""

    torch_name = "CopyBackwards"

    @staticmethod
    def backward(ctx, grad):
        g = unbroadcast(grad, ctx.shapes[0])
        return np.zeros_like(grad), None, g.astype(ctx.dtypes[0], copy=False)


def _assign(input: Tensor, values: Any, op: str, node: type[_InPlace] | None = None,
            *others: Any, name: str | None = None) -> None:
    """input's values become `values`, in place, recorded as node(input as it was, *others)."""
    node = _Overwritten if node is None else node

    def compute(before: Tensor) -> Tensor:
        out = node.apply(before, values, *others)
        if name is not None and out.grad_fn is not None:
            out.grad_fn.torch_name = name
        return out

    if input.array.dtype.kind != "f":  # no gradient can be involved: just write
        check_inplace_allowed(input, op)
        store(input, values, op)
        return
    write_inplace(input, compute, others, op)


def fill_(input: Tensor, value: Any) -> Tensor:
    """Fill input with a number (or a 0-d tensor's value), in place."""
    _check_inplace(input, "fill_")
    if isinstance(value, Tensor) and value.array.ndim:
        raise RuntimeError(
            f"fill_ only supports 0-dimension value tensor but got tensor with "
            f"{value.array.ndim} dimensions."
        )
    d = dtypes.from_numpy_dtype(input.array.dtype)
    number = _scalar_for(_number(value, "fill_"), d, "fill_")
    if isinstance(value, Tensor):
        _assign(input, number, "fill_", _FillFromTensor, value)
    else:
        _assign(input, number, "fill_", _Overwritten, name="FillBackward2")
    return input
register(fill_, method=True)


def zero_(input: Tensor) -> Tensor:
    """Fill input with zeros, in place."""
    _check_inplace(input, "zero_")
    _assign(input, 0, "zero_", _Overwritten, name="ZeroBackward0")
    return input
register(zero_, method=True, differentiable=False)


def copy_(input: Tensor, src: Any, non_blocking: bool = False) -> Tensor:
    """Copy src into input, in place: src broadcasts to input's shape and takes its dtype."""
    _check_inplace(input, "copy_")
    if not isinstance(src, Tensor):
        if not isinstance(src, (bool, int, float)):
            raise TypeError(
                f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}"
            )
        src = Tensor._make(np.asarray(src), False, None)
    if src.array.shape != input.array.shape:
        shape = broadcast_shapes(input.array.shape, src.array.shape, "copy_")
        if shape != input.array.shape:
            raise RuntimeError(
                f"output with shape {list(input.array.shape)} doesn't match the broadcast shape "
                f"{list(shape)}"
            )
    _assign(input, src.array, "copy_", _Copy, src)
    return input
register(copy_, function=False, method=True)


def uniform_(input: Tensor, a: float = 0.0, b: float = 1.0, *,
             generator: Generator | None = None) -> Tensor:
    """Overwrite input with samples from U[a, b), in place."""
    _check_inplace(input, "uniform_")
    d = dtypes.from_numpy_dtype(input.array.dtype)
    if d.category != 2:
        raise NotImplementedError(
            f"\"check_uniform_bounds\" not implemented for '{_KERNEL_NAME[d.name]}'"
        )
    if a > b:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={a:g} > to={b:g}"
        )
    draw = numpy_generator(generator).random(input.array.shape) * (b - a) + a
    _assign(input, draw, "uniform_", _Overwritten, name="UniformBackward0")
    return input
register(uniform_, function=False, method=True, differentiable=False)


def normal_(input: Tensor, mean: float = 0.0, std: float = 1.0, *,
            generator: Generator | None = None) -> Tensor:
    """Overwrite input with samples from N(mean, std**2), in place."""
    _check_inplace(input, "normal_")
    d = dtypes.from_numpy_dtype(input.array.dtype)
    if d.category != 2:
        raise NotImplementedError(
            f"\"normal_kernel_cpu\" not implemented for '{_KERNEL_NAME[d.name]}'"
        )
    _check_std(std, "normal")
    draw = numpy_generator(generator).standard_normal(input.array.shape) * std + mean
    _assign(input, draw, "normal_", _Overwritten, name="NormalBackward0")
    return input
register(normal_, function=False, method=True, differentiable=False)

