"""minitorch.backends: the flags programs set for torch's GPU backends.

`backends.mps.is_available()` is False, and `backends.cudnn.benchmark = True`
or `.deterministic = True` are accepted and change nothing: minitorch's
NumPy kernels are deterministic already. Read ../devices.py first.
"""

from minitorch.backends import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
