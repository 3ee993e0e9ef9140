"""Thread pinning and the environment fingerprint.

Both engines must run on the same number of threads: torch through
`torch.set_num_threads`, NumPy's BLAS (and any OpenMP runtime loaded in the
process, torch's included) through threadpoolctl. The fingerprint records
what was actually loaded and how many threads each library ended up with,
so two reports can be compared only when they come from the same machine
set up the same way (`machine_key`).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import threadpoolctl
import torch

from parity.env import cpu_model  # one CPU-name helper for both reports

THREAD_ENV_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_CORETYPE",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "OMP_PROC_BIND",
    "GOMP_CPU_AFFINITY",
)

_limits: list[Any] = []  # keeps the threadpoolctl limiter alive for the whole run


def pin_threads(n: int) -> None:
    """Give torch and every native thread pool (BLAS, OpenMP) exactly n threads."""
    torch.set_num_threads(n)
    try:
        torch.set_num_interop_threads(1)  # only possible before torch's first parallel work
    except RuntimeError:
        pass
    _limits.append(threadpoolctl.threadpool_limits(limits=n))


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def commit() -> str:
    """HEAD's short hash, '+dirty' when code differs (reports/ aside)."""
    head = _git("rev-parse", "--short", "HEAD") or "no commit yet"
    dirty = _git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)reports")
    return head + ("+dirty" if dirty else "")


def blas_pools() -> list[dict[str, Any]]:
    """The native thread pools loaded in this process, as threadpoolctl sees them."""
    keep = ("user_api", "internal_api", "prefix", "version", "num_threads", "threading_layer",
            "architecture")
    pools = [{k: info.get(k) for k in keep if k in info}
             for info in threadpoolctl.threadpool_info()]
    # Sorted: the order threadpoolctl lists them in is the order they were loaded, which
    # depends on import order and must not make two runs look like two machines.
    return sorted(pools, key=lambda p: (str(p.get("user_api")), str(p.get("prefix"))))


def torch_backends() -> dict[str, Any]:
    return {
        "num_threads": torch.get_num_threads(),
        "num_interop_threads": torch.get_num_interop_threads(),
        "parallel_backend": _parallel_backend(),
        "mkl": torch.backends.mkl.is_available(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "openmp": torch.backends.openmp.is_available(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
    }


def _parallel_backend() -> str:
    for line in torch.__config__.parallel_info().splitlines():
        if line.startswith("ATen parallel backend"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def fingerprint(threads: int) -> dict[str, Any]:
    """Everything about the machine and libraries that can move a timing."""
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    return {
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": affinity,
        "machine": platform.machine(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "versions": {
            "numpy": np.__version__,
            "torch": torch.__version__,
            "minitorch": _version("minitorch"),
            "threadpoolctl": _version("threadpoolctl"),
            "pytest-benchmark": _version("pytest-benchmark"),
        },
        "threads": threads,
        "blas_pools": blas_pools(),
        "torch": torch_backends(),
        "env": {k: os.environ.get(k, "unset") for k in THREAD_ENV_VARS},
        "load_average": load_average(),
    }


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages: a busy machine makes every timing noisier."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# The fingerprint fields that decide whether two runs are comparable (load and minitorch's
# own version are not among them: the bench exists to compare minitorch across commits).
COMPARABLE_FIELDS = ("cpu_model", "logical_cores", "usable_cores", "machine", "python",
                     "threads", "blas_pools", "torch", "env")


def machine_key(fp: dict[str, Any]) -> str:
    """A short hash of the comparable fields plus numpy and torch versions."""
    key = {k: fp.get(k) for k in COMPARABLE_FIELDS}
    key["numpy"] = fp.get("versions", {}).get("numpy")
    key["torch_version"] = fp.get("versions", {}).get("torch")
    blob = json.dumps(key, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
