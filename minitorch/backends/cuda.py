"""minitorch.backends.cuda: CUDA matmul flags, accepted and unused (there is no CUDA)."""

from types import SimpleNamespace

__all__ = ["is_built", "matmul"]

# `torch.backends.cuda.matmul.allow_tf32 = True` is a common line in training scripts.
matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                         allow_bf16_reduced_precision_reduction=True)


def is_built() -> bool:
    return False
