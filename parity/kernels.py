"""Which CPU kernels torch and NumPy's BLAS run while the harness compares bits.

torch's answer to the same call is not the same on every machine: on a CPU
with AVX-512, torch 2.13 picks its AVX-512 kernels (16 float32 lanes where
the AVX2 ones have 8, so a sum is split in another order), MKL its AVX-512
paths (its float32 gemv then blocks a sum that its AVX2 path adds in order), and
OpenBLAS (NumPy's BLAS) its SkylakeX kernels, whose ddot fuses a
multiply with the add (one rounding where the Haswell kernel has two). Each
moves a last bit, in torch itself, from one machine to the next.

minitorch's exact layer (minitorch/_torch_exact.py) reproduces torch's AVX2
kernels, and its dot products expect a BLAS that rounds every product. So
the harness pins that one choice on every machine, for itself and its
worker processes: torch's AVX2 kernels and OpenBLAS's Haswell kernels. The
libraries read these once, when they load, so `pin_environment()` runs
before NumPy or torch is imported (the first lines of `python -m parity`
and of the tests' conftest). A value the user set already is kept, and the
parity report prints what was in effect.

MKL is left as it is. Its reproducible mode (MKL_CBWR=COMPATIBLE) restores
the in-order gemv, but also swaps in a less accurate vector sqrt, which
moves RMSprop's trajectories further from torch's default ones than the
gemv order moves anything; the one test of that gemv order sets it in a
subprocess of its own.

The bench does not pin: it times each library as it runs by default.
"""

from __future__ import annotations

import os

PINNED = {
    "ATEN_CPU_CAPABILITY": "avx2",    # torch: the AVX2 kernels, also on AVX-512 CPUs
    "OPENBLAS_CORETYPE": "Haswell",   # NumPy's OpenBLAS: ddot without fused multiply-add
}


def pin_environment() -> None:
    """Set the pinned kernel choices for this process and its children (before imports)."""
    for name, value in PINNED.items():
        os.environ.setdefault(name, value)


def in_effect() -> dict[str, str]:
    """The kernel settings this process runs with, for the report's environment."""
    return {name: os.environ.get(name, "unset") for name in PINNED}
