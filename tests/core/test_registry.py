"""The registry is the one declaration of every op: these tests hold everything else to it.

torch is the yardstick for the names: what minitorch exports must exist in torch, and
every method or in-place form torch has for an exported op must exist on our Tensor.
"""

from __future__ import annotations

import pytest
import torch

import minitorch as mt
import minitorch.nn.functional as F
from minitorch.registry import OPS
from parity import derivatives
from parity.modules import module_cases
from parity.op_table import ALL_ROWS


def test_every_export_is_a_torch_name() -> None:
    assert [n for n in mt.__all__ if not hasattr(torch, n)] == []
    assert [n for n in F.__all__ if not hasattr(torch.nn.functional, n)] == []


def test_no_internal_name_leaks() -> None:
    for name in ("support", "unbroadcast", "check_inplace_allowed", "normalize_dim",
                 "arithmetic", "elementwise", "getitem", "setitem", "inplace"):
        assert name not in mt.__all__
        assert not hasattr(mt, name), name


@pytest.mark.parametrize("name", sorted(mt.__all__))
def test_torch_methods_and_inplace_forms_exist(name: str) -> None:
    if name in OPS:
        if hasattr(torch.Tensor, name):
            assert hasattr(mt.Tensor, name), f"Tensor.{name} is missing"
        if hasattr(torch.Tensor, name + "_"):
            assert hasattr(mt.Tensor, name + "_"), f"Tensor.{name}_ is missing"


def test_methods_are_the_functions() -> None:
    """Tensor.cos is minitorch.cos: jump-to-definition lands on the op's own code."""
    for op in OPS.values():
        if op.family == "elementwise" and op.method:
            assert getattr(mt.Tensor, op.name) is op.fn, op.name


def test_a_declaration_puts_an_op_everywhere() -> None:
    from minitorch.registry import register

    def double_it(input: mt.Tensor) -> mt.Tensor:
        return input * 2

    try:
        register(double_it, name="_test_double", method=True, inplace=True)
        x = mt.tensor([1.0, 2.0])
        assert x._test_double().tolist() == [2.0, 4.0]
        assert x._test_double_() is x and x.tolist() == [2.0, 4.0]
        with pytest.raises(ValueError, match="declared twice"):
            register(double_it, name="_test_double")
    finally:
        OPS.pop("_test_double", None)
        for attr in ("_test_double", "_test_double_"):
            if hasattr(mt.Tensor, attr):
                delattr(mt.Tensor, attr)


def _covered_names() -> set[str]:
    """What the op rows and the module cases say they cover."""
    names: set[str] = set()
    for r in ALL_ROWS:
        names.add(r.name.split("(")[0])
        names.update(c.split("(")[0] for c in r.covers)
    for case in module_cases():
        names.update(case.covers)
    return names


def test_every_registered_op_has_a_parity_row() -> None:
    covered = _covered_names()
    missing = []
    for key, op in OPS.items():
        target = op.alias_of or op.name  # an alias is the same function as its target
        forms = {key, op.name, target, f"Tensor.{op.name}", f"F.{op.name}"}
        if not forms & covered:
            missing.append(key)
    assert missing == []


def test_every_function_states_its_adjoint() -> None:
    lacking = [c.__name__ for c in derivatives.functions() if not derivatives.has_adjoint(c)]
    assert lacking == []


def test_derivatives_cheat_sheet_is_fresh() -> None:
    assert derivatives.main(["--check"]) == 0, "docs/derivatives.md is stale: run `make docs`"
