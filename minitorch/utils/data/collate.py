"""Collation: how a list of samples becomes one batch (default_collate), and
how one sample becomes tensors when batching is off (default_convert).

The rule, from torch/utils/data/_utils/collate.py: look at the first sample's
type and recurse. Tensors are stacked along a new first dimension, NumPy
arrays and numbers become tensors (Python ints -> int64, floats -> float64,
bools -> bool, as torch), strings stay a list, and containers are rebuilt
with each field collated: a batch of (x, y) pairs becomes [xs, ys], a batch
of dicts a dict of batches, namedtuples keep their type. Read dataloader.py
next.
"""

from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch.ops.creation import as_tensor, tensor
from minitorch.ops.shape import stack
from minitorch.tensor import Tensor

# NumPy dtype codes of bytes, str and object arrays: these cannot become tensors.
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, "
    "dicts or lists; found {}"
)

CollateMap = dict[type | tuple[type, ...], Callable]


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays and scalars into tensors, recursing through containers.

    What a DataLoader with batch_size=None applies to each sample.
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if isinstance(data, np.ndarray) and np_str_obj_array_pattern.search(data.dtype.str):
            return data  # an array of strings or objects stays as it is
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]  # a list, for torch's backward compatibility
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _rebuild_mapping(like: Any, values: dict) -> Any:
    """A mapping of `like`'s type holding `values` (a plain dict if the type refuses)."""
    try:
        if isinstance(like, collections.abc.MutableMapping):
            # A copy keeps any extra attributes the mapping type carries.
            clone = copy.copy(like)
            clone.update(values)
            return clone
        return type(like)(values)
    except TypeError:
        return values


def _rebuild_sequence(like: Any, items: list) -> Any:
    """A sequence of `like`'s type holding `items` (a plain list if the type refuses)."""
    try:
        if isinstance(like, collections.abc.MutableSequence):
            clone = copy.copy(like)
            for i, item in enumerate(items):
                clone[i] = item
            return clone
        return type(like)(items)
    except TypeError:
        return items


def collate(batch: list, *, collate_fn_map: CollateMap | None = None) -> Any:
    """Collate `batch` by the type of its first element: a leaf type found in
    collate_fn_map gets its function, containers recurse field by field."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(
            elem, {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                   for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map)  # type: ignore
                           for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        elem_size = len(elem)
        if not all(len(e) == elem_size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        # Transpose: a batch of samples becomes one batch per field.
        fields = [collate(samples, collate_fn_map=collate_fn_map)  # type: ignore[arg-type]
                  for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return fields  # a list, for torch's backward compatibility
        return _rebuild_sequence(elem, fields)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch: list, *, collate_fn_map: CollateMap | None = None) -> Tensor:
    # stack raises torch's "stack expects each tensor to be equal size, but got ..."
    return stack(batch, 0)


def collate_numpy_array_fn(batch: list, *, collate_fn_map: CollateMap | None = None) -> Any:
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch: list, *, collate_fn_map: CollateMap | None = None) -> Tensor:
    return as_tensor(np.array(batch))


def collate_float_fn(batch: list, *, collate_fn_map: CollateMap | None = None) -> Tensor:
    return tensor(batch, dtype=dtypes.float64)


def collate_int_fn(batch: list, *, collate_fn_map: CollateMap | None = None) -> Tensor:
    # Ints give int64 and bools give bool; a float later in the batch gives the default float.
    return tensor(batch)


def collate_str_fn(batch: list, *, collate_fn_map: CollateMap | None = None) -> list:
    return batch


default_collate_fn_map: CollateMap = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,  # and np.memmap, a subclass
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch: list) -> Any:
    """Stack a list of samples into a batch, recursing through tuples, lists and dicts.

    >>> default_collate([(1, 0.5), (2, 1.5)])
    [tensor([1, 2]), tensor([0.5000, 1.5000], dtype=minitorch.float64)]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
