"""Where the sweep ran: commit, machine, libraries, and the BLAS actually loaded.

Everything here is stable for one machine and one commit, so it can sit in
the deterministic part of the report; the date and the wall time are kept
apart (report.py puts them on one line).
"""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch

from parity import kernels

ROOT = Path(__file__).resolve().parent.parent
# Our own outputs do not make the tree dirty: re-running on a clean commit gives the same line.
OUTPUTS = ("reports/parity.md", "reports/parity.json", "reports/figures")


def _git(*args: str) -> tuple[int, str]:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                             timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return 1, ""
    return out.returncode, out.stdout.strip()


def commit() -> str:
    """HEAD's hash, plus '-dirty' when tracked or untracked files differ (our outputs aside)."""
    code, head = _git("rev-parse", "HEAD")
    if code != 0 or not head:
        return "no commit yet"
    excludes = [f":(exclude){p}" for p in OUTPUTS]
    _, status = _git("status", "--porcelain", "--", ".", *excludes)
    return head + ("-dirty" if status else "")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def blas() -> list[dict[str, Any]]:
    """The native thread pools loaded in this process (threadpoolctl): BLAS and OpenMP."""
    try:
        import threadpoolctl
    except ImportError:  # pragma: no cover
        return []
    keep = ("user_api", "internal_api", "version", "num_threads", "threading_layer",
            "architecture", "filepath")
    pools = []
    for info in threadpoolctl.threadpool_info():
        d = {k: info.get(k) for k in keep if info.get(k) is not None}
        if "filepath" in d:
            d["filepath"] = _short_path(str(d["filepath"]))
        pools.append(d)
    return sorted(pools, key=lambda d: (str(d.get("user_api")), str(d.get("filepath"))))


def _short_path(p: str) -> str:
    """site-packages/... rather than the absolute venv path."""
    marker = "site-packages/"
    return p.split(marker, 1)[1] if marker in p else os.path.basename(p)


def fingerprint() -> dict[str, Any]:
    """The deterministic environment facts (same machine, same answer)."""
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "os": f"{platform.system()} {platform.release()} {platform.machine()}",
        "cpu": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": usable_cores(),
        "blas": blas(),
        "torch_threads": torch.get_num_threads(),
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "thread_env": {k: os.environ.get(k, "unset") for k in
                       ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")},
        "kernel_env": kernels.in_effect(),
    }


def now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
