"""The ops: each a Function (forward and backward in NumPy), a public function, and
one `register(...)` line under it that puts the op on Tensor and in minitorch's exports.

Read in this order: support.py (broadcasting, promotion, dims), arithmetic.py,
elementwise.py, comparison.py, reduction.py, shape.py, indexing.py,
linalg.py, inplace.py; creation.py makes tensors from data; sorting.py and
sampling.py sort, select and draw.
"""

from minitorch.ops import (  # importing a family registers its ops
    arithmetic,
    comparison,
    creation,
    elementwise,
    indexing,
    inplace,
    linalg,
    reduction,
    sampling,
    shape,
    sorting,
)
from minitorch.ops.inplace import inplace  # noqa: F811  (the function, for nn's in-place forms)
from minitorch.registry import OPS as _OPS

globals().update({name: op.fn for name, op in _OPS.items()})  # ops.add, ops.view: for nn/, optim/
