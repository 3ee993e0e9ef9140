"""The ops: each a Function (forward and backward in NumPy) and a public function.

Read in this order: support.py (broadcasting, promotion, dims), arithmetic.py,
elementwise.py, comparison.py, reduction.py, shape.py, indexing.py,
linalg.py, inplace.py; creation.py makes tensors from data.
"""

from minitorch.ops.support import normalize_dim, normalize_dims, unbroadcast  # noqa: F401
from minitorch.ops.creation import *  # noqa: F401,F403
from minitorch.ops.arithmetic import *  # noqa: F401,F403
from minitorch.ops.elementwise import *  # noqa: F401,F403
from minitorch.ops.comparison import *  # noqa: F401,F403
from minitorch.ops.reduction import *  # noqa: F401,F403
from minitorch.ops.shape import *  # noqa: F401,F403
from minitorch.ops.indexing import *  # noqa: F401,F403
from minitorch.ops.linalg import *  # noqa: F401,F403
from minitorch.ops.inplace import *  # noqa: F401,F403
from minitorch.ops.sorting import *  # noqa: F401,F403
from minitorch.ops.sampling import *  # noqa: F401,F403
