"""The registered sections of the report (nn modules, training, optimizers, torch's own
OpInfo / ModuleInfo / OptimizerInfo samples): SECTIONS, one SectionSpec each.

Each section module exposes `run_section(quick: bool) -> SectionResult` (results.py).
Its spec's `run` is a small function below that imports that module when called, not
when this file is imported: this file stays cheap, a worker process imports only the
section it runs, and a module that fails to import (or does not exist yet) becomes one
failed (or skipped) section, not a crash of the sweep (runner.run_section sees to that).
The supervisor in runner.py runs each section as one case (with its own, longer, time
limit) in one of the same worker processes as the op rows; there, the environment says
how many processes the section may use itself and where its figures go
(results.figure_dir(), results.jobs()). Nothing here imports runner.py or report.py.

`python -m parity --section NAME` takes a registered section by module or short name,
or any importable module with a run_section (module_section: how tests plant sections).
"""

from __future__ import annotations

import functools
import importlib

from parity.results import SectionResult, SectionSpec


# One function per section: the import inside is the section's only link to its module.
def _modules(quick: bool) -> SectionResult:
    from parity.modules import run_section

    return run_section(quick)


def _training_runs(quick: bool) -> SectionResult:
    from parity.training_runs import run_section

    return run_section(quick)


def _optim_trajectories(quick: bool) -> SectionResult:
    from parity.optim_trajectories import run_section

    return run_section(quick)


def _schedulers_lbfgs(quick: bool) -> SectionResult:
    from parity.schedulers_lbfgs import run_section

    return run_section(quick)


def _checkpoints(quick: bool) -> SectionResult:
    from parity.checkpoints import run_section

    return run_section(quick)


def _data_loading(quick: bool) -> SectionResult:
    from parity.data_loading import run_section

    return run_section(quick)


def _opinfo(quick: bool) -> SectionResult:
    from parity.opinfo import run_section

    return run_section(quick)


def _opinfo_modules(quick: bool) -> SectionResult:
    from parity.opinfo_modules import run_section

    return run_section(quick)


def _opinfo_optim(quick: bool) -> SectionResult:
    from parity.opinfo_optim import run_section

    return run_section(quick)


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("parity.modules", "nn modules against torch", _modules),
    SectionSpec("parity.training_runs", "Training runs", _training_runs),
    SectionSpec("parity.optim_trajectories", "Optimizer trajectories", _optim_trajectories),
    SectionSpec("parity.schedulers_lbfgs", "LBFGS and the wave-2 lr schedulers",
                _schedulers_lbfgs),
    SectionSpec("parity.checkpoints", "Checkpoints (save / load in torch's format)",
                _checkpoints),
    SectionSpec("parity.data_loading", "Data loading (utils.data)", _data_loading),
    # torch's own test databases (OpInfo, ModuleInfo, OptimizerInfo) as sample sources
    SectionSpec("parity.opinfo",
                "OpInfo: torch's own samples for every registered op (op_db)", _opinfo),
    SectionSpec("parity.opinfo_modules", "ModuleInfo: torch's own module inputs (module_db)",
                _opinfo_modules),
    SectionSpec("parity.opinfo_optim",
                "OptimizerInfo: torch's own optimizer configurations (optim_db)",
                _opinfo_optim),
)


def find(name: str) -> SectionSpec | None:
    """The registered section whose module or short name is `name`."""
    for spec in SECTIONS:
        if name in (spec.module, spec.short):
            return spec
    return None


def _run_module(module: str, quick: bool) -> SectionResult:
    result: SectionResult = importlib.import_module(module).run_section(quick)
    return result


def module_section(module: str, title: str | None = None) -> SectionSpec:
    """A section from any importable module with a run_section, by name (not registered:
    for `--section some.module` and for tests that plant misbehaving sections)."""
    return SectionSpec(module, title or module, functools.partial(_run_module, module))
