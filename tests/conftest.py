"""Settings for the whole test run.

Parity sections draw figures (the optimizer drift plot, the training curves) when the
tests run them; those go to a temporary directory, never into reports/, which only
`make parity` and `make bench` regenerate.
"""

from __future__ import annotations

from parity import kernels

kernels.pin_environment()  # before NumPy and torch load: see parity/kernels.py

import os
import tempfile

from parity.results import FIGURE_DIR_ENV

os.environ.setdefault(FIGURE_DIR_ENV, tempfile.mkdtemp(prefix="minitorch-test-figures-"))
