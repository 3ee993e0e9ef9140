"""minitorch.linalg: torch.linalg's names, over the ops in ops/linalg.py.

Every function here is the one declared in ops/linalg.py (registered there as
"linalg.NAME"); this module only gives them torch.linalg's names, so that
`torch.linalg.inv(A)` runs unchanged after `import minitorch as torch`. Read
ops/linalg.py for the math: each factorization with its adjoint beside it.
"""

from minitorch.ops.linalg import LinAlgError
from minitorch.ops.linalg import det as det
from minitorch.ops.linalg import linalg_cholesky as cholesky
from minitorch.ops.linalg import linalg_cross as cross
from minitorch.ops.linalg import linalg_eigh as eigh
from minitorch.ops.linalg import linalg_eigvalsh as eigvalsh
from minitorch.ops.linalg import linalg_inv as inv
from minitorch.ops.linalg import linalg_matrix_norm as matrix_norm
from minitorch.ops.linalg import linalg_norm as norm
from minitorch.ops.linalg import linalg_pinv as pinv
from minitorch.ops.linalg import linalg_qr as qr
from minitorch.ops.linalg import linalg_slogdet as slogdet
from minitorch.ops.linalg import linalg_solve as solve
from minitorch.ops.linalg import linalg_svd as svd
from minitorch.ops.linalg import linalg_svdvals as svdvals
from minitorch.ops.linalg import linalg_vector_norm as vector_norm
from minitorch.ops.linalg import matmul as matmul
from minitorch.ops.linalg import matrix_power as matrix_power

__all__ = ["LinAlgError", "cholesky", "cross", "det", "eigh", "eigvalsh", "inv", "matmul",
           "matrix_norm", "matrix_power", "norm", "pinv", "qr", "slogdet", "solve", "svd",
           "svdvals", "vector_norm"]
