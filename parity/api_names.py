"""The names of ../shared/API.md, transcribed, for the coverage list of the report.

CI has ../shared beside the clone, but the report must not depend on it, so
the names live here. Spelling: functions and methods by their bare name
(`add` covers `mt.add` and `t.add`), operators by their symbol, attributes
and methods that exist only on tensors as `Tensor.NAME`, nn.functional as
`F.NAME`, the rest with their module (`nn.Linear`, `optim.SGD`).
A row's `covers` entries are normalised by `normalize` before matching.
"""

from __future__ import annotations

TENSORS: tuple[str, ...] = (
    # creation
    "tensor", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like", "ones_like",
    "full_like", "arange", "linspace", "eye", "rand", "randn", "randint", "rand_like",
    "randn_like",
    # dtypes
    "float32", "float64", "int64", "int32", "bool", "get_default_dtype", "set_default_dtype",
    "type promotion",
    "manual_seed",
    # attributes and methods
    "Tensor.shape", "Tensor.size", "Tensor.ndim", "Tensor.dim", "Tensor.dtype", "Tensor.numel",
    "Tensor.requires_grad", "Tensor.requires_grad_", "Tensor.grad", "Tensor.grad_fn",
    "Tensor.is_leaf", "Tensor.retain_grad", "Tensor.detach", "Tensor.clone", "Tensor.numpy",
    "Tensor.item", "Tensor.tolist", "Tensor.to", "Tensor.float", "Tensor.double", "Tensor.long",
    "Tensor.__array__", "Tensor.__len__", "Tensor.__repr__",
    # autograd
    "Tensor.backward", "autograd.grad", "no_grad", "enable_grad", "is_grad_enabled",
)

OPERATIONS: tuple[str, ...] = (
    # arithmetic
    "+", "-", "*", "/", "//", "%", "**", "reflected operators", "unary -", "abs", "@", "matmul",
    "add", "sub", "mul", "div", "div(rounding_mode)", "pow", "neg", "reciprocal", "square",
    "sqrt", "rsqrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan",
    "tanh", "sigmoid", "relu", "sign", "floor", "ceil", "round", "trunc", "clamp", "maximum",
    "minimum", "where", "lerp", "erf",
    # comparisons and logic
    "eq", "ne", "lt", "le", "gt", "ge", "==", "!=", "<", "<=", ">", ">=", "logical_and",
    "logical_or", "logical_not", "isnan", "isinf", "isfinite", "all", "any", "allclose",
    # reductions
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var", "std",
    "logsumexp", "norm", "cumsum", "cumprod", "max(dim)", "min(dim)",
    # shape and indexing
    "reshape", "view", "flatten", "unflatten", "squeeze", "unsqueeze", "permute", "transpose",
    "swapaxes", "Tensor.T", "Tensor.mT", "expand", "expand_as", "broadcast_to", "repeat", "tile",
    "flip", "roll", "contiguous", "cat", "stack", "split", "chunk", "unbind", "gather",
    "scatter", "index_select", "masked_fill", "tril", "triu", "einsum",
    "t[int]", "t[slice]", "t[None]", "t[...]", "t[int tensor]", "t[int list]",
    "t[bool tensor]", "t[bool list]", "t[idx] = value",
    # in place
    "add_", "sub_", "mul_", "div_", "copy_", "zero_", "fill_", "clamp_", "uniform_", "normal_",
    "+=", "-=", "*=", "/=", "in-place on a leaf raises",
)

NN_FUNCTIONAL: tuple[str, ...] = (
    "F.relu", "F.leaky_relu", "F.elu", "F.gelu", "F.silu", "F.softplus", "F.sigmoid", "F.tanh",
    "F.softmax", "F.log_softmax", "F.linear", "F.dropout", "F.layer_norm", "F.batch_norm",
    "F.embedding", "F.one_hot", "F.pad", "F.conv1d", "F.conv2d", "F.max_pool2d", "F.avg_pool2d",
    "F.mse_loss", "F.l1_loss", "F.smooth_l1_loss", "F.huber_loss", "F.nll_loss",
    "F.cross_entropy", "F.binary_cross_entropy", "F.binary_cross_entropy_with_logits",
    "F.kl_div",
)

NN: tuple[str, ...] = (
    "nn.Module", "nn.Parameter", "nn.Sequential", "nn.ModuleList", "nn.ModuleDict", "nn.Linear",
    "nn.Identity", "nn.Flatten", "nn.ReLU", "nn.LeakyReLU", "nn.GELU", "nn.SiLU", "nn.Tanh",
    "nn.Sigmoid", "nn.Softmax", "nn.LogSoftmax", "nn.Dropout", "nn.LayerNorm", "nn.BatchNorm1d",
    "nn.BatchNorm2d", "nn.Embedding", "nn.Conv1d", "nn.Conv2d", "nn.MaxPool2d", "nn.AvgPool2d",
    "nn.MSELoss", "nn.L1Loss", "nn.CrossEntropyLoss", "nn.NLLLoss", "nn.BCELoss",
    "nn.BCEWithLogitsLoss", "nn.init.uniform_", "nn.init.normal_", "nn.init.zeros_",
    "nn.init.ones_", "nn.init.constant_", "nn.init.xavier_uniform_", "nn.init.xavier_normal_",
    "nn.init.kaiming_uniform_", "nn.init.kaiming_normal_", "nn.utils.clip_grad_norm_",
)

OPTIM: tuple[str, ...] = (
    "optim.Optimizer", "optim.SGD", "optim.Adam", "optim.AdamW", "optim.RMSprop",
    "optim.Adagrad", "optim.lr_scheduler.StepLR", "optim.lr_scheduler.MultiStepLR",
    "optim.lr_scheduler.ExponentialLR", "optim.lr_scheduler.CosineAnnealingLR",
    "optim.lr_scheduler.LambdaLR", "optim.lr_scheduler.LinearLR",
    "optim.lr_scheduler.OneCycleLR",
)

SECTIONS: dict[str, tuple[str, ...]] = {
    "Tensors": TENSORS,
    "Operations": OPERATIONS,
    "nn.functional": NN_FUNCTIONAL,
    "nn": NN,
    "optim": OPTIM,
}

_PREFIXES = ("minitorch.", "mt.", "torch.")


def normalize(name: str) -> str:
    """One spelling per name: drop engine prefixes, `nn.functional.` -> `F.`, and let
    `Tensor.add` match `add` where the API lists the bare name."""
    n = name.strip()
    for p in _PREFIXES:
        if n.startswith(p):
            n = n[len(p):]
    if n.startswith("nn.functional."):
        n = "F." + n[len("nn.functional."):]
    return n


def _known_names() -> set[str]:
    return {n for names in SECTIONS.values() for n in names}


def canonical(name: str) -> str:
    """The API.md spelling a `covers` entry stands for (Tensor.add -> add when only add is
    listed; nn.functional.relu -> F.relu)."""
    n = normalize(name)
    known = _known_names()
    if n in known:
        return n
    if n.startswith("Tensor.") and n[len("Tensor."):] in known:
        return n[len("Tensor."):]
    if not n.startswith("Tensor.") and f"Tensor.{n}" in known:
        return f"Tensor.{n}"
    return n


def uncovered(covered: set[str]) -> dict[str, list[str]]:
    """For each API.md section, the names no row covers (in API.md's order)."""
    have = {canonical(c) for c in covered}
    return {section: [n for n in names if n not in have] for section, names in SECTIONS.items()}
