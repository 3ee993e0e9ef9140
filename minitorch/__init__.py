"""minitorch: PyTorch's API and autograd, written in NumPy to be read.

Start with tensor.py (what a tensor holds), then autograd/ (how gradients
flow), then ops/ (every op's forward and backward side by side), then nn/
and optim/. `import minitorch as torch` runs most small PyTorch scripts.
"""

from minitorch import dtypes
from minitorch.dtypes import (
    bool_ as bool,
    double,
    dtype,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    get_default_dtype,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
)
from minitorch.dtypes import float as float
from minitorch.dtypes import int as int
from minitorch.dtypes import finfo, iinfo
from minitorch.tensor import Tensor
from minitorch import ops  # importing the op families registers every op (registry.py)
from minitorch import runtime  # registers numel and Tensor.nelement
from minitorch.registry import exported as _exported

globals().update(_exported())  # minitorch.add, minitorch.cos, ...: one name per registered op
from minitorch import autograd
from minitorch.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minitorch.autograd import inference_mode, is_inference_mode_enabled
from minitorch.devices import (
    channels_last,
    channels_last_3d,
    contiguous_format,
    device,
    get_default_device,
    memory_format,
    preserve_format,
    set_default_device,
)
from minitorch import accelerator, backends, cuda, linalg
from minitorch.random import Generator, manual_seed, seed, initial_seed
from minitorch.random import get_rng_state, set_rng_state
from minitorch.size import Size
from minitorch.runtime import (
    are_deterministic_algorithms_enabled,
    autocast,
    compile,
    get_deterministic_debug_mode,
    get_num_interop_threads,
    get_num_threads,
    is_deterministic_algorithms_warn_only_enabled,
    is_storage,
    is_tensor,
    set_deterministic_debug_mode,
    set_num_interop_threads,
    set_num_threads,
    set_float32_matmul_precision,
    get_float32_matmul_precision,
    is_autocast_enabled,
    get_autocast_dtype,
    use_deterministic_algorithms,
)
from minitorch import amp, random
from minitorch.printing import set_printoptions
from minitorch import nn, optim, testing, utils
from minitorch.serialization import load, save
from minitorch.autograd import is_anomaly_check_nan_enabled, is_anomaly_enabled

globals().update(_exported())  # again: nn registered its own ops (bilinear, ...) on import

from minitorch.autograd import higher_order as _higher_order

_higher_order.install()  # NumPy -> minitorch tables for create_graph=True (every op is loaded)

__version__ = "0.1.0"

# torch's names only: every registered op, and the names that are not ops.
__all__ = sorted([
    *_exported(),
    "Tensor", "dtype", "float32", "float64", "int32", "int64", "bool", "float", "double",
    "int", "long", "get_default_dtype", "set_default_dtype",
    "autograd", "no_grad", "enable_grad", "is_grad_enabled", "set_grad_enabled",
    "Generator", "manual_seed", "seed", "initial_seed", "set_printoptions",
    "nn", "optim", "testing", "utils", "save", "load", "linalg",
    "float16", "half", "int8", "int16", "short", "uint8",
    "device", "cuda", "backends", "accelerator", "inference_mode", "is_inference_mode_enabled",
    "get_default_device", "set_default_device", "memory_format", "contiguous_format",
    "preserve_format", "channels_last", "channels_last_3d",
    "finfo", "iinfo", "Size", "get_rng_state", "set_rng_state", "is_tensor", "is_storage",
    "set_num_threads", "get_num_threads", "set_num_interop_threads", "get_num_interop_threads",
    "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
    "get_deterministic_debug_mode", "compile", "autocast", "amp", "random",
    "is_anomaly_enabled", "is_anomaly_check_nan_enabled", "set_float32_matmul_precision",
    "get_float32_matmul_precision", "is_autocast_enabled", "get_autocast_dtype",
])

# Like torch, minitorch returns inf and nan without warnings (1/0, log(0), sqrt(-1));
# NumPy would print a RuntimeWarning for each, so we silence them once, process-wide.
import numpy as _np

_np.seterr(all="ignore")


def __getattr__(name: str):
    # torch.bfloat16 is the one common dtype minitorch cannot have: say so, not just "no attr".
    if name == "bfloat16":
        raise AttributeError("module 'minitorch' has no attribute 'bfloat16': NumPy has no "
                             "bfloat16 type; use minitorch.float16 or minitorch.float32")
    raise AttributeError(f"module 'minitorch' has no attribute {name!r}")
