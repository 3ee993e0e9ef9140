"""The examples gallery: each example runs end to end, in a reduced mode, in both engines.

Every examples/NAME.py (minitorch) has a twin examples/NAME_torch.py (real torch) that must be
the same program with only the imports changed; both are run here as subprocesses, as a user
would run them. The step-by-step loss comparison of their models lives in
parity/training_runs.py (runs mnist_cnn and char_gpt).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

# name -> the arguments of its reduced mode (a few steps) and a line its output must contain
REDUCED = {
    "mnist_cnn": (["--epochs", "1", "--dry-run", "--save-model"], "Reloaded from mnist_cnn.pt"),
    "char_gpt": (["--max-iters", "3", "--new-tokens", "20"], "Beautiful"),
}


def _code_lines(path: Path) -> list[str]:
    """The file without its module docstring and import lines, minitorch spelled torch."""
    text = path.read_text()
    body = text[text.index('"""', 3) + 3:]  # after the module docstring
    lines = [ln for ln in body.splitlines()
             if ln.strip() and not re.match(r"(import|from) \S+ import|import ", ln)]
    return [ln.replace("minitorch", "torch") for ln in lines]


@pytest.mark.parametrize("name", sorted(REDUCED))
def test_torch_twin_differs_only_in_imports(name):
    assert _code_lines(EXAMPLES / f"{name}.py") == _code_lines(EXAMPLES / f"{name}_torch.py")
    assert "import minitorch" not in (EXAMPLES / f"{name}_torch.py").read_text()


@pytest.mark.parametrize("engine", ["minitorch", "torch"])
@pytest.mark.parametrize("name", sorted(REDUCED))
def test_example_runs_end_to_end(name, engine, tmp_path):
    args, expected = REDUCED[name]
    script = EXAMPLES / (f"{name}.py" if engine == "minitorch" else f"{name}_torch.py")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, str(script), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert expected in proc.stdout, proc.stdout[-2000:]
    losses = [float(x) for x in re.findall(r"[Ll]oss:? (\d+\.\d+)", proc.stdout)]
    assert losses and all(0.0 < x < 10.0 for x in losses), proc.stdout[-2000:]
