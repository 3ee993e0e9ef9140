"""Tensor: a NumPy array plus what autograd needs to know about it.

A Tensor holds `data` (an np.ndarray), `requires_grad`, the `grad` that
backward accumulates, and `grad_fn`, the Function node that produced it
(None for leaves). Every method below is one line that hands over to the op
functions in ops/, so this file reads as the table of contents of the
engine. Read autograd/ next, then ops/.
"""

from __future__ import annotations

import copy
import weakref
from typing import Any, Sequence

import numpy as np

from minitorch import dtypes
from minitorch.dtypes import dtype as DType


class Tensor:
    __slots__ = ("data", "requires_grad", "grad", "grad_fn", "_version", "__weakref__")

    def __init__(self, data: Any, dtype: DType | None = None, requires_grad: bool = False) -> None:
        # Like torch.Tensor(data): the default float dtype unless told otherwise.
        dtype = dtypes.get_default_dtype() if dtype is None else dtype
        t = ops.tensor(data, dtype=dtype, requires_grad=requires_grad)
        self.data, self.requires_grad, self.grad = t.data, t.requires_grad, None
        self.grad_fn, self._version = None, 0

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool, grad_fn: Any) -> Tensor:
        """The fast constructor every op uses: no checks, no copies."""
        t = object.__new__(cls)
        t.data = data
        t.requires_grad = requires_grad
        t.grad = None
        t.grad_fn = grad_fn
        t._version = 0
        return t

    # -- what a tensor is ------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        if dim is None:
            return self.data.shape
        return self.data.shape[ops.normalize_dim(dim, self.data.ndim, "size")]

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def dim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> DType:
        return dtypes.from_numpy_dtype(self.data.dtype)

    def numel(self) -> int:
        return self.data.size

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def device(self) -> str:
        return "cpu"

    def element_size(self) -> int:
        return self.data.itemsize

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype)

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
        t.data, t.requires_grad = self.data.copy(), self.requires_grad
        t.grad_fn, t._version = None, 0
        t.grad = None if self.grad is None else self.grad.__deepcopy__(memo)
        if hasattr(self, "__dict__"):  # subclasses such as Parameter
            t.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return t

    def __reduce_ex__(self, protocol: int) -> Any:
        return (_rebuild_tensor, (type(self), self.data, self.requires_grad))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous "
                f"(shape {self.shape})"
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.data)

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    # -- leaving the graph -----------------------------------------------
    def item(self) -> Any:
        if self.data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.data.size} elements cannot be converted to Scalar"
            )
        return self.data.reshape(()).item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def numpy(self) -> np.ndarray:
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self.data

    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory, as in torch)."""
        return Tensor._make(self.data, False, None)

    def detach_(self) -> Tensor:
        self.grad_fn, self.requires_grad = None, False
        return self

    def clone(self) -> Tensor:
        return ops.clone(self)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        return ops.to(self, *args, **kwargs)

    def type(self, dtype: DType) -> Tensor:
        return ops.to(self, dtype)

    def float(self) -> Tensor:
        return ops.to(self, dtypes.float32)

    def double(self) -> Tensor:
        return ops.to(self, dtypes.float64)

    def long(self) -> Tensor:
        return ops.to(self, dtypes.int64)

    def int(self) -> Tensor:
        return ops.to(self, dtypes.int32)

    def bool(self) -> Tensor:
        return ops.to(self, dtypes.bool_)

    def cpu(self) -> Tensor:
        return self

    # -- autograd --------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "requires_grad_: you can only change requires_grad flags of leaf variables."
            )
        if requires_grad and self.data.dtype.kind != "f":
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

    # -- arithmetic (ops/arithmetic.py) ----------------------------------
    def __add__(self, other: Any) -> Tensor:
        return ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return ops.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return ops.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return ops.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return ops.div(other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        return ops.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return ops.floor_divide(other, self)

    def __mod__(self, other: Any) -> Tensor:
        return ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return ops.remainder(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return ops.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return ops.pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return ops.matmul(other, self)

    def __neg__(self) -> Tensor:
        return ops.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return ops.abs(self)

    def __invert__(self) -> Tensor:
        return ops.bitwise_not(self)

    def __and__(self, other: Any) -> Tensor:  # logical on bool tensors, bitwise on ints
        return ops.bitwise_and(self, other)

    def __rand__(self, other: Any) -> Tensor:
        return ops.bitwise_and(self, other)  # symmetric

    def __or__(self, other: Any) -> Tensor:
        return ops.bitwise_or(self, other)

    def __ror__(self, other: Any) -> Tensor:
        return ops.bitwise_or(self, other)  # symmetric

    def __xor__(self, other: Any) -> Tensor:
        return ops.bitwise_xor(self, other)

    def __rxor__(self, other: Any) -> Tensor:
        return ops.bitwise_xor(self, other)  # symmetric

    def add(self, other: Any, alpha: Any = 1) -> Tensor:
        return ops.add(self, other, alpha=alpha)

    def sub(self, other: Any, alpha: Any = 1) -> Tensor:
        return ops.sub(self, other, alpha=alpha)

    def mul(self, other: Any) -> Tensor:
        return ops.mul(self, other)

    def div(self, other: Any, rounding_mode: str | None = None) -> Tensor:
        return ops.div(self, other, rounding_mode=rounding_mode)

    def true_divide(self, other: Any) -> Tensor:
        return ops.div(self, other)

    def floor_divide(self, other: Any) -> Tensor:
        return ops.floor_divide(self, other)

    def remainder(self, other: Any) -> Tensor:
        return ops.remainder(self, other)

    def pow(self, exponent: Any) -> Tensor:
        return ops.pow(self, exponent)

    def matmul(self, other: Any) -> Tensor:
        return ops.matmul(self, other)

    def mm(self, other: Any) -> Tensor:
        return ops.matmul(self, other)

    def maximum(self, other: Any) -> Tensor:
        return ops.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return ops.minimum(self, other)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        return ops.clamp(self, min, max)

    clip = clamp

    def lerp(self, end: Any, weight: Any) -> Tensor:
        return ops.lerp(self, end, weight)

    def where(self, condition: Any, other: Any) -> Tensor:
        return ops.where(condition, self, other)

    # -- elementwise math (ops/elementwise.py) ---------------------------
    def neg(self) -> Tensor:
        return ops.neg(self)

    def abs(self) -> Tensor:
        return ops.abs(self)

    def reciprocal(self) -> Tensor:
        return ops.reciprocal(self)

    def square(self) -> Tensor:
        return ops.square(self)

    def sqrt(self) -> Tensor:
        return ops.sqrt(self)

    def rsqrt(self) -> Tensor:
        return ops.rsqrt(self)

    def exp(self) -> Tensor:
        return ops.exp(self)

    def exp2(self) -> Tensor:
        return ops.exp2(self)

    def expm1(self) -> Tensor:
        return ops.expm1(self)

    def log(self) -> Tensor:
        return ops.log(self)

    def log2(self) -> Tensor:
        return ops.log2(self)

    def log10(self) -> Tensor:
        return ops.log10(self)

    def log1p(self) -> Tensor:
        return ops.log1p(self)

    def sin(self) -> Tensor:
        return ops.sin(self)

    def cos(self) -> Tensor:
        return ops.cos(self)

    def tan(self) -> Tensor:
        return ops.tan(self)

    def tanh(self) -> Tensor:
        return ops.tanh(self)

    def sigmoid(self) -> Tensor:
        return ops.sigmoid(self)

    def relu(self) -> Tensor:
        return ops.relu(self)

    def sign(self) -> Tensor:
        return ops.sign(self)

    def floor(self) -> Tensor:
        return ops.floor(self)

    def ceil(self) -> Tensor:
        return ops.ceil(self)

    def round(self, decimals: int = 0) -> Tensor:
        return ops.round(self, decimals=decimals)

    def trunc(self) -> Tensor:
        return ops.trunc(self)

    def erf(self) -> Tensor:
        return ops.erf(self)

    # -- comparisons and logic (ops/comparison.py) -----------------------
    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        if other is None:  # `t == None` is False in torch, not an error
            return False
        return ops.eq(self, other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        if other is None:
            return True
        return ops.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return ops.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return ops.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return ops.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return ops.ge(self, other)

    def eq(self, other: Any) -> Tensor:
        return ops.eq(self, other)

    def ne(self, other: Any) -> Tensor:
        return ops.ne(self, other)

    def lt(self, other: Any) -> Tensor:
        return ops.lt(self, other)

    def le(self, other: Any) -> Tensor:
        return ops.le(self, other)

    def gt(self, other: Any) -> Tensor:
        return ops.gt(self, other)

    def ge(self, other: Any) -> Tensor:
        return ops.ge(self, other)

    def logical_and(self, other: Any) -> Tensor:
        return ops.logical_and(self, other)

    def logical_or(self, other: Any) -> Tensor:
        return ops.logical_or(self, other)

    def logical_not(self) -> Tensor:
        return ops.logical_not(self)

    def isnan(self) -> Tensor:
        return ops.isnan(self)

    def isinf(self) -> Tensor:
        return ops.isinf(self)

    def isfinite(self) -> Tensor:
        return ops.isfinite(self)

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return ops.all(self, dim, keepdim)

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return ops.any(self, dim, keepdim)

    def allclose(
        self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> bool:
        return ops.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other: Tensor) -> bool:
        return ops.equal(self, other)

    # -- reductions (ops/reduction.py) -----------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False, dtype: DType | None = None) -> Tensor:
        return ops.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim: Any = None, keepdim: bool = False, dtype: DType | None = None) -> Tensor:
        return ops.mean(self, dim, keepdim, dtype=dtype)

    def prod(self, dim: Any = None, keepdim: bool = False, dtype: DType | None = None) -> Tensor:
        return ops.prod(self, dim, keepdim, dtype=dtype)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        return ops.max(self, dim, keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return ops.min(self, dim, keepdim)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return ops.amax(self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return ops.amin(self, dim, keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return ops.argmax(self, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return ops.argmin(self, dim, keepdim)

    def var(
        self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
        *, correction: Any = None,
    ) -> Tensor:
        return ops.var(self, dim, unbiased, keepdim, correction=correction)

    def std(
        self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
        *, correction: Any = None,
    ) -> Tensor:
        return ops.std(self, dim, unbiased, keepdim, correction=correction)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return ops.logsumexp(self, dim, keepdim)

    def norm(
        self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: DType | None = None
    ) -> Tensor:
        return ops.norm(self, p, dim, keepdim, dtype=dtype)

    def cumsum(self, dim: int, dtype: DType | None = None) -> Tensor:
        return ops.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim: int, dtype: DType | None = None) -> Tensor:
        return ops.cumprod(self, dim, dtype=dtype)

    def softmax(self, dim: int, dtype: DType | None = None) -> Tensor:
        return ops.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim: int, dtype: DType | None = None) -> Tensor:
        return ops.log_softmax(self, dim, dtype=dtype)

    # -- shape (ops/shape.py) --------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        return ops.reshape(self, *shape)

    def view(self, *shape: Any) -> Tensor:
        return ops.view(self, *shape)

    def view_as(self, other: Tensor) -> Tensor:
        return ops.view(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return ops.reshape(self, other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return ops.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        return ops.unflatten(self, dim, sizes)

    def squeeze(self, dim: Any = None) -> Tensor:
        return ops.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return ops.unsqueeze(self, dim)

    def permute(self, *dims: Any) -> Tensor:
        return ops.permute(self, *dims)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return ops.transpose(self, dim0, dim1)

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return ops.transpose(self, axis0, axis1)

    swapdims = swapaxes

    def t(self) -> Tensor:
        return ops.t(self)

    @property
    def T(self) -> Tensor:  # noqa: N802
        return ops.permute(self, *range(self.data.ndim - 1, -1, -1))

    @property
    def mT(self) -> Tensor:  # noqa: N802
        if self.data.ndim < 2:
            raise RuntimeError(
                f"tensor.mT is only supported on matrices or batches of matrices. "
                f"Got {self.data.ndim}-D tensor."
            )
        return ops.transpose(self, -2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        return ops.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return ops.expand(self, other.shape)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        return ops.broadcast_to(self, shape)

    def repeat(self, *sizes: Any) -> Tensor:
        return ops.repeat(self, *sizes)

    def tile(self, dims: Sequence[int]) -> Tensor:
        return ops.tile(self, dims)

    def flip(self, dims: Any) -> Tensor:
        return ops.flip(self, dims)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return ops.roll(self, shifts, dims)

    def contiguous(self) -> Tensor:
        return ops.contiguous(self)

    def is_contiguous(self) -> bool:
        return bool(self.data.flags.c_contiguous)

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return ops.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return ops.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return ops.unbind(self, dim)

    def tril(self, diagonal: int = 0) -> Tensor:
        return ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        return ops.triu(self, diagonal)

    # -- indexing (ops/indexing.py) --------------------------------------
    def __getitem__(self, index: Any) -> Tensor:
        return ops.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        ops.setitem(self, index, value)

    def gather(self, dim: int, index: Tensor) -> Tensor:
        return ops.gather(self, dim, index)

    def scatter(self, dim: int, index: Tensor, src: Any, reduce: str | None = None) -> Tensor:
        return ops.scatter(self, dim, index, src, reduce=reduce)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return ops.scatter_add(self, dim, index, src)

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        return ops.index_select(self, dim, index)

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        return ops.masked_fill(self, mask, value)

    # -- in place (ops/inplace.py) ---------------------------------------
    def add_(self, other: Any, alpha: Any = 1) -> Tensor:
        return ops.inplace(self, ops.add, other, alpha=alpha)

    def sub_(self, other: Any, alpha: Any = 1) -> Tensor:
        return ops.inplace(self, ops.sub, other, alpha=alpha)

    def mul_(self, other: Any) -> Tensor:
        return ops.inplace(self, ops.mul, other)

    def div_(self, other: Any, rounding_mode: str | None = None) -> Tensor:
        return ops.inplace(self, ops.div, other, rounding_mode=rounding_mode)

    def pow_(self, exponent: Any) -> Tensor:
        return ops.inplace(self, ops.pow, exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        return ops.inplace(self, ops.clamp, min, max)

    clip_ = clamp_

    def neg_(self) -> Tensor:
        return ops.inplace(self, ops.neg)

    def sqrt_(self) -> Tensor:
        return ops.inplace(self, ops.sqrt)

    def exp_(self) -> Tensor:
        return ops.inplace(self, ops.exp)

    def abs_(self) -> Tensor:
        return ops.inplace(self, ops.abs)

    def relu_(self) -> Tensor:
        return ops.inplace(self, ops.relu)

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        return ops.inplace(self, ops.masked_fill, mask, value)

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        return ops.inplace(self, ops.lerp, end, weight)

    def copy_(self, src: Any) -> Tensor:
        return ops.copy_(self, src)

    def zero_(self) -> Tensor:
        return ops.zero_(self)

    def fill_(self, value: Any) -> Tensor:
        return ops.fill_(self, value)

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        return ops.uniform_(self, a, b, generator=generator)

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        return ops.normal_(self, mean, std, generator=generator)

    def __iadd__(self, other: Any) -> Tensor:
        return ops.inplace(self, ops.add, other)

    def __isub__(self, other: Any) -> Tensor:
        return ops.inplace(self, ops.sub, other)

    def __imul__(self, other: Any) -> Tensor:
        return ops.inplace(self, ops.mul, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return ops.inplace(self, ops.div, other)

    def __ipow__(self, other: Any) -> Tensor:
        return ops.inplace(self, ops.pow, other)


def _rebuild_tensor(cls: type, data: np.ndarray, requires_grad: bool) -> Tensor:
    """How a pickled tensor comes back: a leaf with its data and requires_grad."""
    return cls._make(data, requires_grad, None)


# Imported last: these modules need Tensor to exist. (isort: the order matters.)
from minitorch import ops, printing  # noqa: E402, I001
from minitorch.autograd import engine  # noqa: E402
