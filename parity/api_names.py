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

# -- Wave 2: the surface that real PyTorch programs touch ----------------------------------------
W2_PROGRAMS: tuple[str, ...] = (
    "Tensor.data", "Tensor.__format__", "Tensor.__bool__", "Tensor.__int__", "Tensor.__float__",
    "Tensor.__index__", "Tensor.__iter__", "Tensor.__contains__", "Tensor.__hash__",
    "device", "Tensor.device", "Tensor.cpu", "Tensor.cuda", "cuda.is_available",
    "cuda.manual_seed", "backends.mps.is_available", "accelerator.is_available",
    "inference_mode", "set_grad_enabled", "Tensor.new_zeros", "Tensor.new_ones",
    "Tensor.new_full", "Tensor.new_empty", "Tensor.new_tensor", "type_as", "view_as",
    "reshape_as", "Tensor.is_contiguous", "Tensor.stride", "Tensor.element_size",
    "Tensor.nbytes", "Tensor.itemsize", "index_put_", "index_add_", "index_fill_",
    "index_copy_", "masked_scatter_", "save", "load",
)

W2_DATA: tuple[str, ...] = tuple(f"utils.data.{n}" for n in (
    "Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "random_split",
    "DataLoader", "default_collate", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
    "BatchSampler", "WeightedRandomSampler"))

W2_OPS: tuple[str, ...] = (
    # elementwise
    "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "atan2", "hypot",
    "copysign", "fmod", "logaddexp", "logaddexp2", "xlogy", "frac", "nan_to_num", "clamp_min",
    "clamp_max", "logit", "signbit", "positive", "deg2rad", "rad2deg", "float_power", "~", "<<",
    ">>", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift",
    # reductions
    "var_mean", "std_mean", "median", "nanmedian", "nansum", "nanmean", "count_nonzero",
    "cummax", "cummin", "logcumsumexp", "aminmax", "dist", "linalg.vector_norm",
    "linalg.matrix_norm", "linalg.norm", "norm(p='nuc')",
    # sorting and sampling
    "sort", "argsort", "topk", "kthvalue", "unique", "nonzero", "masked_select", "searchsorted",
    "bincount", "histc", "multinomial", "bernoulli", "poisson", "normal", "randperm",
    # shape
    "narrow", "select", "diagonal", "diag", "diag_embed", "hstack", "vstack", "dstack",
    "column_stack", "meshgrid", "broadcast_tensors", "tensor_split", "Tensor.unfold",
    "repeat_interleave", "take", "rot90", "atleast_1d", "atleast_2d", "atleast_3d",
    "tril_indices", "triu_indices", "scatter_reduce",
    # linear algebra
    "addmm", "addmv", "baddbmm", "bmm", "mv", "dot", "outer", "inner", "cross", "kron", "trace",
    "linalg.inv", "linalg.det", "linalg.slogdet", "linalg.solve", "linalg.cholesky", "linalg.qr",
    "linalg.eigh", "linalg.svd", "linalg.svdvals", "linalg.pinv", "linalg.matrix_power",
)

W2_NN_FUNCTIONAL: tuple[str, ...] = tuple(f"F.{n}" for n in (
    "hardtanh", "relu6", "hardsigmoid", "hardswish", "softsign", "celu", "selu", "mish",
    "logsigmoid", "glu", "threshold", "prelu", "rrelu", "tanhshrink", "softshrink", "hardshrink",
    "normalize", "cosine_similarity", "pairwise_distance", "pdist", "interpolate", "upsample",
    "conv_transpose1d", "conv_transpose2d", "conv3d", "max_pool1d", "max_pool3d", "avg_pool1d",
    "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
    "adaptive_max_pool2d", "max_unpool2d", "lp_pool2d", "pixel_shuffle", "pixel_unshuffle",
    "fold", "unfold", "group_norm", "instance_norm", "rms_norm", "local_response_norm",
    "scaled_dot_product_attention", "gumbel_softmax", "triplet_margin_loss",
    "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss", "poisson_nll_loss",
    "gaussian_nll_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
    "multilabel_margin_loss", "multi_margin_loss"))

W2_NN: tuple[str, ...] = tuple(f"nn.{n}" for n in (
    "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "Softsign", "CELU", "SELU", "Mish",
    "LogSigmoid", "GLU", "Threshold", "PReLU", "RReLU", "Tanhshrink", "Softshrink", "Hardshrink",
    "Upsample", "PixelShuffle", "Fold", "Unfold", "ConvTranspose1d", "ConvTranspose2d", "Conv3d",
    "MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d",
    "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "RMSNorm", "LocalResponseNorm",
    "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad1d", "ReflectionPad2d",
    "ReplicationPad1d", "ReplicationPad2d", "CosineSimilarity", "PairwiseDistance", "Bilinear",
    "Softmin", "Softmax2d", "ParameterList", "ParameterDict", "RNN", "LSTM", "GRU", "RNNCell",
    "LSTMCell", "GRUCell", "utils.rnn.pad_sequence", "utils.rnn.pack_padded_sequence",
    "utils.rnn.pad_packed_sequence", "MultiheadAttention", "TransformerEncoderLayer",
    "TransformerEncoder", "TransformerDecoderLayer", "TransformerDecoder", "Transformer",
    "Module.register_forward_hook", "Module.register_forward_pre_hook",
    "Module.register_full_backward_hook", "Module.named_modules", "Module.named_buffers",
    "Module.get_submodule", "Module.requires_grad_", "Module.extra_repr",
    "utils.clip_grad_value_", "utils.parameters_to_vector", "utils.vector_to_parameters"))

W2_OPTIM: tuple[str, ...] = tuple(f"optim.{n}" for n in (
    "Adadelta", "Adamax", "NAdam", "RAdam", "Rprop", "ASGD", "LBFGS",
    "lr_scheduler.ReduceLROnPlateau", "lr_scheduler.CosineAnnealingWarmRestarts",
    "lr_scheduler.CyclicLR", "lr_scheduler.PolynomialLR", "lr_scheduler.ConstantLR",
    "lr_scheduler.MultiplicativeLR", "lr_scheduler.SequentialLR",
    "lr_scheduler.ChainedScheduler"))

W2_AUTOGRAD: tuple[str, ...] = (
    "create_graph", "autograd.functional.vjp", "autograd.functional.jvp",
    "autograd.functional.jacobian", "autograd.functional.hessian", "autograd.functional.hvp",
    "autograd.functional.vhp", "autograd.Function", "autograd.gradcheck",
    "autograd.gradgradcheck", "Tensor.register_hook", "autograd.set_detect_anomaly",
)

SECTIONS: dict[str, tuple[str, ...]] = {
    "Tensors": TENSORS,
    "Operations": OPERATIONS,
    "nn.functional": NN_FUNCTIONAL,
    "nn": NN,
    "optim": OPTIM,
    "Wave 2: tensors and programs": W2_PROGRAMS,
    "Wave 2: utils.data": W2_DATA,
    "Wave 2: ops added": W2_OPS,
    "Wave 2: nn.functional added": W2_NN_FUNCTIONAL,
    "Wave 2: nn added": W2_NN,
    "Wave 2: optim added": W2_OPTIM,
    "Wave 2: autograd added": W2_AUTOGRAD,
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
