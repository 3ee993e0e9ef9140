"""Tensor: a NumPy array plus what autograd needs to know about it.

A Tensor holds `array` (an np.ndarray, perhaps a view of another tensor's
memory), `requires_grad`, the `grad` that backward accumulates, and
`grad_fn`, the Function node that produced it (None for leaves). `.data` is
torch's: a Tensor over the same memory that autograd does not watch.

This file holds only what a tensor *is*; the ops put themselves on Tensor
as methods when their family file declares them (registry.py:
`register(cos, method=True, inplace=True)` gives `x.cos()` and `x.cos_()`).
Read autograd/ next, then views.py, registry.py, then ops/.
"""

from __future__ import annotations

import copy
import weakref
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch.devices import CPU, check_device
from minitorch.devices import device as Device
from minitorch.dtypes import dtype as DType
from minitorch.size import Size

_size = Size._of  # torch.Size from a shape tuple, unchecked (the shape is already valid)

_ONE_ELEMENT = "only one element tensors can be converted to Python scalars"


class Tensor:
    __slots__ = ("array", "requires_grad", "grad", "grad_fn",
                 "_ver", "_owner", "_base", "_base_fn", "__weakref__")
    # _ver: in-place writes so far (kept on the _owner when this is a view or a detach());
    # _base/_base_fn: for a view, the tensor it views and that tensor's grad_fn when we
    # last looked (views.py explains the storage model).

    def __init__(self, data: Any, dtype: DType | None = None, requires_grad: bool = False) -> None:
        # Like torch.Tensor(data): the default float dtype unless told otherwise. The
        # constructor is not on any op's path, so it may fetch the creation family here.
        from minitorch.ops.creation import tensor

        dtype = dtypes.get_default_dtype() if dtype is None else dtype
        t = tensor(data, dtype=dtype, requires_grad=requires_grad)
        self.array, self.requires_grad, self.grad = t.array, t.requires_grad, None
        self.grad_fn, self._ver, self._owner, self._base = None, 0, None, None

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool, grad_fn: Any) -> Tensor:
        """The fast constructor every op uses: no checks, no copies."""
        t = object.__new__(cls)
        t.array = data
        t.requires_grad = requires_grad
        t.grad = None
        t.grad_fn = grad_fn
        t._ver, t._owner, t._base = 0, None, None
        return t

    # -- its memory's version counter, shared with its views (views.py) ------
    @property
    def _version(self) -> int:
        owner = self._owner
        return (self if owner is None else owner)._ver

    @_version.setter
    def _version(self, value: int) -> None:
        owner = self._owner
        (self if owner is None else owner)._ver = value

    def _is_view(self) -> bool:
        return self._base is not None

    # -- .data: the same memory as a Tensor that autograd does not watch ----
    @property
    def data(self) -> Tensor:
        """A detached Tensor over the same memory, as torch's `.data`.

        Unlike detach(), an in-place write through `.data` is invisible to autograd: it
        does not bump this tensor's version (torch's rule, and the reason to prefer detach).
        """
        return Tensor._make(self.array, False, None)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data: expected a Tensor, got {type(value).__name__}")
        self.array = value.array

    # -- what a tensor is ------------------------------------------------
    @property
    def shape(self) -> Size:
        return _size(self.array.shape)

    def size(self, dim: int | None = None) -> Size | int:
        if dim is None:
            return _size(self.array.shape)
        n = max(self.array.ndim, 1)
        if not -n <= dim < n:
            raise IndexError(
                f"size: Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                f"but got {dim})"
            )
        return self.array.shape[dim] if self.array.ndim else 1

    @property
    def ndim(self) -> int:
        return self.array.ndim

    def dim(self) -> int:
        return self.array.ndim

    @property
    def dtype(self) -> DType:
        return dtypes.from_numpy_dtype(self.array.dtype)

    def numel(self) -> int:
        return self.array.size

    def is_floating_point(self) -> bool:
        return self.array.dtype.kind == "f"

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def is_contiguous(self, memory_format: Any = None) -> bool:
        return bool(self.array.flags.c_contiguous)

    # -- where it lives: always the CPU (devices.py) ------------------------
    @property
    def device(self) -> Device:
        return CPU

    is_cuda = False
    is_cpu = True
    is_meta = False

    def get_device(self) -> int:
        """-1, torch's answer for a CPU tensor."""
        return -1

    def cuda(self, device: Any = None, non_blocking: bool = False,
             memory_format: Any = None) -> Tensor:
        """Refused as by a CPU-only torch (AssertionError: not compiled with CUDA)."""
        check_device("cuda" if device is None else device, "cuda", copy=True)
        raise RuntimeError(f"cuda: Invalid device, must be cuda device (got {device!r})")

    def is_pinned(self, device: Any = None) -> bool:
        return False

    def pin_memory(self, device: Any = None) -> Tensor:
        raise RuntimeError("pin_memory: Cannot access accelerator device when none is available.")

    def is_inference(self) -> bool:
        """False: inference_mode() makes ordinary tensors here (see autograd/grad_mode.py)."""
        return False

    # -- its memory: sizes in bytes, strides in elements -------------------
    def element_size(self) -> int:
        return self.array.itemsize

    @property
    def itemsize(self) -> int:
        return self.array.itemsize

    @property
    def nbytes(self) -> int:
        """numel() * itemsize (an expanded tensor counts every element, as in torch)."""
        return self.array.size * self.array.itemsize

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        """Steps in elements between neighbours along each dim (NumPy counts bytes)."""
        strides = tuple(s // self.array.itemsize for s in self.array.strides)
        if dim is None:
            return strides
        n = self.array.ndim
        if n == 0:
            raise IndexError(f"stride: Dimension specified as {dim} but tensor has no dimensions")
        if not -n <= dim < n:
            raise IndexError(
                f"stride: Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                f"but got {dim})"
            )
        return strides[dim]

    def data_ptr(self) -> int:
        """The address of the first element (0 for an empty tensor, as in torch)."""
        return self.array.ctypes.data if self.array.size else 0

    def storage_offset(self) -> int:
        """How many elements into its memory block this view starts."""
        root = self.array
        while isinstance(root.base, np.ndarray):
            root = root.base
        if root is self.array or not self.array.size:
            return 0
        return (self.array.ctypes.data - root.ctypes.data) // self.array.itemsize

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.array if dtype is None else self.array.astype(dtype)

    def __repr__(self) -> str:
        return printing.format_tensor(self)

    def __hash__(self) -> int:
        return id(self)

    def __deepcopy__(self, memo: dict) -> Tensor:
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment."
            )
        t = object.__new__(type(self))
        memo[id(self)] = t
        t.array, t.requires_grad = self.array.copy(), self.requires_grad
        t.grad_fn, t._ver, t._owner, t._base = None, 0, None, None
        t.grad = None if self.grad is None else self.grad.__deepcopy__(memo)
        if hasattr(self, "__dict__"):  # subclasses such as Parameter
            t.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return t

    def __reduce_ex__(self, protocol: int) -> Any:
        return (_rebuild_tensor, (type(self), self.array, self.requires_grad))

    # -- the Python protocol: truth, numbers, formatting, iteration -------
    def __bool__(self) -> bool:
        if self.array.size != 1:
            how = "no values" if self.array.size == 0 else "more than one value"
            raise RuntimeError(
                f"Boolean value of Tensor with {how} is ambiguous (shape {tuple(self.shape)})"
            )
        return bool(self.array)

    def _python_scalar(self) -> Any:
        if self.array.size != 1:
            raise ValueError(f"{_ONE_ELEMENT} (got shape {tuple(self.shape)})")
        return self.array.reshape(()).item()

    def __float__(self) -> float:
        return float(self._python_scalar())

    def __int__(self) -> int:
        return int(self._python_scalar())

    def __complex__(self) -> complex:
        return complex(self._python_scalar())

    def __index__(self) -> int:
        if self.array.dtype.kind not in "iub" or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.array.reshape(()).item())

    def __format__(self, format_spec: str) -> str:
        # Like torch: a 0-d tensor formats as its number (f"{loss:.4f}"); any other shape
        # only takes the empty spec, which prints it.
        if self.array.ndim == 0 and type(self) is Tensor:
            return format(self.array.item(), format_spec)
        return object.__format__(self, format_spec)

    def __iter__(self):
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    def __contains__(self, element: Any) -> bool:
        """`x in t`: whether any element of t equals x (a number or a broadcastable tensor)."""
        if not isinstance(element, (Tensor, bool, int, float, np.number, np.bool_)):
            raise RuntimeError(
                "Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                f"{type(element)}."
            )
        return bool((self == element).any().item())

    # -- leaving the graph -----------------------------------------------
    def item(self) -> Any:
        if self.array.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.array.size} elements cannot be converted to Scalar"
            )
        return self.array.reshape(()).item()

    def tolist(self) -> Any:
        return self.array.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The NumPy array itself (shared memory); force=True also for a tensor that requires
        grad (torch's detach().numpy())."""
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self.array

    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory and version counter, as in torch)."""
        t = Tensor._make(self.array, False, None)
        t._owner = self if self._owner is None else self._owner
        return t

    def detach_(self) -> Tensor:
        if self._base is not None and self._base.requires_grad:
            raise RuntimeError(
                "detach_: Can't detach views in-place. Use detach() instead (this tensor of "
                f"shape {tuple(self.shape)} is a view of a tensor that requires grad)."
            )
        self.grad_fn, self.requires_grad = None, False
        return self

    # -- autograd --------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "requires_grad_: you can only change requires_grad flags of leaf variables."
            )
        if requires_grad and self.array.dtype.kind != "f":
            raise RuntimeError(
                f"requires_grad_: only Tensors of floating point dtype can require gradients, "
                f"got {self.dtype}"
            )
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf tensor too (leaves keep theirs anyway)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._retained = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        return self.grad_fn is not None and self.grad_fn._retained is not None

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        if inputs is not None:
            raise NotImplementedError("backward: the inputs= argument is not implemented")
        engine.backward(self, gradient, retain_graph, create_graph)



def _rebuild_tensor(cls: type, data: np.ndarray, requires_grad: bool) -> Tensor:
    """How a pickled tensor comes back: a leaf with its data and requires_grad."""
    return cls._make(data, requires_grad, None)


# Imported last: these core modules need Tensor to exist. (isort: the order matters.)
from minitorch import printing  # noqa: E402
from minitorch.autograd import engine  # noqa: E402
