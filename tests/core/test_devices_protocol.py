"""Devices, grad modes and the Python protocol of a tensor, against torch 2.13 (CPU build).

Every expected value comes from running torch on the same input. The rows of
parity/rows_devices.py run here too (quick samples), so a red row shows up
in the ordinary test run.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

import minitorch as mt
import parity.op_table  # noqa: F401  (first: the table loads its row files, which use its helpers)
from parity.rows_devices import ROWS
from parity.runner import run_row


def _same_error(f_mt, f_torch) -> str:
    """Both raise the same exception class; returns torch's message."""
    with pytest.raises(Exception) as theirs:
        f_torch()
    with pytest.raises(theirs.type) as ours:
        f_mt()
    assert ours.type is theirs.type
    return str(theirs.value)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_row_matches_torch(row) -> None:
    results = run_row(row, quick=True)
    assert results
    bad = [r for r in results if r.status in ("FAIL", "crash")]
    assert not bad, "\n".join(f"{r.key} [{r.desc}]: {r.error or r.mismatch}" for r in bad)


# -- devices ---------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", [("cpu",), ("cpu:0",), ("cpu", 0), ("cuda:1",), ("mps",)])
def test_device_prints_and_compares_like_torch(spec) -> None:
    ours, theirs = mt.device(*spec), torch.device(*spec)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)
    assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert (ours == mt.device("cpu")) == (theirs == torch.device("cpu"))
    assert pickle.loads(pickle.dumps(ours)) == ours
    assert hash(ours) == hash(mt.device(*spec))


def test_device_is_immutable_and_never_equals_a_string() -> None:
    d = mt.device("cpu")
    assert (d == "cpu") == (torch.device("cpu") == "cpu")
    with pytest.raises(AttributeError):
        d.type = "cuda"


def test_tensor_device_is_the_cpu() -> None:
    t = mt.zeros(2)
    assert t.device == mt.device("cpu") and repr(t.device) == repr(torch.zeros(2).device)
    assert (t.is_cuda, t.is_cpu, t.get_device()) == (False, True, -1)


@pytest.mark.parametrize("where", ["cuda", "cuda:0", mt.device("cuda")])
def test_cuda_is_refused_as_a_cpu_only_torch_refuses_it(where) -> None:
    theirs = torch.device("cuda") if isinstance(where, mt.device) else where
    msg = _same_error(lambda: mt.zeros(2, device=where), lambda: torch.zeros(2, device=theirs))
    assert "not compiled with CUDA" in msg
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        mt.ones(2).to(where)
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        mt.tensor([1.0], device=where)
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        mt.ones(2).cuda()


def test_other_devices_and_pinned_memory() -> None:
    _same_error(lambda: mt.zeros(2, device="mps"), lambda: torch.zeros(2, device="mps"))
    _same_error(lambda: mt.tensor([1.0], device="mps"), lambda: torch.tensor([1.0], device="mps"))
    _same_error(lambda: mt.zeros(2, device="foo"), lambda: torch.zeros(2, device="foo"))
    _same_error(lambda: mt.zeros(2, device=0), lambda: torch.zeros(2, device=0))
    _same_error(lambda: mt.zeros(2, pin_memory=True), lambda: torch.zeros(2, pin_memory=True))
    assert mt.zeros(2, pin_memory=False, device="cpu").tolist() == [0.0, 0.0]


def test_gpu_questions_get_a_cpu_only_torchs_answers() -> None:
    for name in ("is_available", "device_count", "is_initialized"):
        assert getattr(mt.cuda, name)() == getattr(torch.cuda, name)()
    assert mt.cuda.manual_seed(1) is None and mt.cuda.manual_seed_all(1) is None
    assert mt.backends.mps.is_available() == torch.backends.mps.is_available()
    assert mt.accelerator.is_available() == torch.accelerator.is_available()
    assert mt.accelerator.current_accelerator() is torch.accelerator.current_accelerator()
    assert mt.backends.cudnn.benchmark == torch.backends.cudnn.benchmark
    _same_error(mt.cuda.current_device, torch.cuda.current_device)


def test_the_usual_device_idiom_runs() -> None:
    device = mt.device("cuda" if mt.cuda.is_available() else "cpu")
    model = mt.nn.Linear(3, 2).to(device)
    x = mt.randn(4, 3, device=device)
    assert model(x).device == device


# -- .to in all its forms --------------------------------------------------------------------
def test_to_forms_match_torch() -> None:
    a = np.array([1.5, -2.0], dtype=np.float32)
    ours, theirs = mt.tensor(a), torch.tensor(a)
    assert ours.to("cpu") is ours and theirs.to("cpu") is theirs
    assert (ours.to("cpu:0") is ours) == (theirs.to("cpu:0") is theirs)
    assert ours.to(copy=True) is not ours
    got = ours.to(mt.device("cpu"), mt.int64, non_blocking=True)
    want = theirs.to(torch.device("cpu"), torch.int64, non_blocking=True)
    assert got.tolist() == want.tolist() and str(got.dtype)[-5:] == str(want.dtype)[-5:]
    assert ours.to(mt.zeros(1, dtype=mt.float64)).dtype == mt.float64
    _same_error(lambda: ours.to(mt.float64, "cpu"), lambda: theirs.to(torch.float64, "cpu"))
    _same_error(lambda: ours.to("cpu", True), lambda: theirs.to("cpu", True))


# -- grad modes ------------------------------------------------------------------------------
def test_set_grad_enabled_restores_the_mode_it_found() -> None:
    with mt.no_grad():
        with mt.set_grad_enabled(True):
            assert mt.is_grad_enabled()
        assert not mt.is_grad_enabled()
    with mt.set_grad_enabled(False):
        assert not mt.is_grad_enabled()
    assert mt.is_grad_enabled()
    mt.set_grad_enabled(False)
    try:
        assert not mt.is_grad_enabled()
    finally:
        mt.set_grad_enabled(True)

    @mt.set_grad_enabled(False)
    def f():
        return mt.is_grad_enabled()

    assert mt.is_grad_enabled() and not f() and mt.is_grad_enabled()
    _same_error(lambda: mt.set_grad_enabled(1), lambda: torch.set_grad_enabled(1))


def test_inference_mode_as_context_and_decorator() -> None:
    w = mt.ones(2, requires_grad=True)
    with mt.inference_mode():
        assert not (w * 2).requires_grad
        assert mt.is_inference_mode_enabled() and not mt.is_grad_enabled()
    assert not mt.is_inference_mode_enabled() and mt.is_grad_enabled()
    with mt.inference_mode(False):
        assert (w * 2).requires_grad

    @mt.inference_mode()
    def f(t):
        return t * 2

    @mt.inference_mode
    def g(t):
        return t * 2

    assert not f(w).requires_grad and not g(w).requires_grad
    assert mt.is_grad_enabled()


def test_a_decorated_generator_does_not_leak_its_mode() -> None:
    @mt.no_grad()
    def steps():
        yield mt.is_grad_enabled()
        yield mt.is_grad_enabled()

    seen = [(inside, mt.is_grad_enabled()) for inside in steps()]
    assert seen == [(False, True), (False, True)]


# -- the Python protocol ---------------------------------------------------------------------
def test_format_of_a_scalar_tensor() -> None:
    loss, tloss = mt.tensor(0.123456), torch.tensor(0.123456)
    assert f"{loss:.4f}" == f"{tloss:.4f}" and f"{loss:.2e}" == f"{tloss:.2e}"
    assert format(mt.tensor(7), "5") == format(torch.tensor(7), "5")
    assert f"{mt.tensor([1.5, 2.5])}" == f"{torch.tensor([1.5, 2.5])}"
    _same_error(lambda: format(mt.tensor([7.0]), ".4f"), lambda: format(torch.tensor([7.0]), ".4f"))
    assert f"{mt.tensor(2.5, requires_grad=True):.1f}" == "2.5"


@pytest.mark.parametrize("convert", [int, float, complex, bool])
def test_conversions_of_many_elements_raise_torchs_class(convert) -> None:
    _same_error(lambda: convert(mt.tensor([1.0, 2.0])), lambda: convert(torch.tensor([1.0, 2.0])))
    _same_error(lambda: convert(mt.tensor([])), lambda: convert(torch.tensor([])))
    assert convert(mt.tensor([3.5])) == convert(torch.tensor([3.5]))


def test_index_iter_contains_hash() -> None:
    assert [1, 2, 3][mt.tensor(2)] == 3 and [1, 2, 3][mt.tensor([1])] == 2
    _same_error(lambda: [1, 2][mt.tensor(1.0)], lambda: [1, 2][torch.tensor(1.0)])
    x, tx = mt.tensor([1.5, 2.5]), torch.tensor([1.5, 2.5])
    assert [t.item() for t in x] == [t.item() for t in tx]
    assert (2.5 in x, 3 in x, mt.tensor(1.5) in x) == (2.5 in tx, 3 in tx, torch.tensor(1.5) in tx)
    _same_error(lambda: "a" in x, lambda: "a" in tx)
    _same_error(lambda: list(mt.tensor(1.0)), lambda: list(torch.tensor(1.0)))
    assert hash(x) == id(x) and len({x, mt.tensor([1.5, 2.5])}) == 2


def test_strides_sizes_and_offsets_of_views() -> None:
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    ours, theirs = mt.tensor(a), torch.tensor(a)
    for view in (lambda t: t, lambda t: t.t(), lambda t: t[1:, 2:], lambda t: t[:, ::2],
                 lambda t: t.unsqueeze(0).expand(2, 3, 4)):
        o, t = view(ours), view(theirs)
        assert o.stride() == t.stride() and o.storage_offset() == t.storage_offset()
        assert (o.nbytes, o.itemsize, o.element_size()) == (t.nbytes, t.itemsize,
                                                            t.element_size())
        assert o.is_contiguous() == t.is_contiguous()
    assert ours.stride(-1) == theirs.stride(-1)
    _same_error(lambda: ours.stride(2), lambda: theirs.stride(2))
    assert ours[1:].data_ptr() - ours.data_ptr() == theirs[1:].data_ptr() - theirs.data_ptr()


# -- new_* -----------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda x: x.new_zeros(2, 3), lambda x: x.new_ones((2,)), lambda x: x.new_full((2,), 3.7),
    lambda x: x.new_tensor([1, 2]), lambda x: x.new_tensor([1.5, 2.5]),
    lambda x: x.new_zeros(2, dtype=x.dtype).new_ones(1),
])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_new_factories_take_the_dtype_of_self(make, dtype) -> None:
    ours = make(mt.ones(2, dtype=getattr(mt, dtype), requires_grad=dtype.startswith("float")))
    theirs = make(torch.ones(2, dtype=getattr(torch, dtype),
                             requires_grad=dtype.startswith("float")))
    assert ours.tolist() == theirs.tolist()
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert ours.requires_grad == theirs.requires_grad


# -- issue 16: seeds, sizes, allocations, strings --------------------------------------------
@pytest.mark.parametrize("seed", [-1, -(2**63), 2**63, 2**64 - 1])
def test_manual_seed_takes_torchs_range(seed) -> None:
    try:
        assert mt.manual_seed(seed).initial_seed() == torch.manual_seed(seed).initial_seed()
    finally:
        torch.manual_seed(0)


@pytest.mark.parametrize("seed", [2**64, 2**70, -(2**63) - 1])
def test_manual_seed_out_of_range(seed) -> None:
    _same_error(lambda: mt.manual_seed(seed), lambda: torch.manual_seed(seed))
    torch.manual_seed(0)


def test_negative_and_huge_sizes_raise_runtime_error() -> None:
    msg = _same_error(lambda: mt.ones(3, -1), lambda: torch.ones(3, -1))
    with pytest.raises(RuntimeError, match=msg.replace("[", r"\[").replace("]", r"\]")):
        mt.ones(3, -1)
    msg = _same_error(lambda: mt.empty(2**40), lambda: torch.empty(2**40))
    assert "DefaultCPUAllocator" in msg
    with pytest.raises(RuntimeError, match="DefaultCPUAllocator: can't allocate memory"):
        mt.zeros(2**20, 2**20)
    _same_error(lambda: mt.empty(2**62), lambda: torch.empty(2**62))
    _same_error(lambda: mt.randn(2**63), lambda: torch.randn(2**63))


def test_a_list_of_strings_is_a_value_error() -> None:
    _same_error(lambda: mt.tensor(["a"]), lambda: torch.tensor(["a"]))
    _same_error(lambda: mt.tensor("a"), lambda: torch.tensor("a"))


def test_generator_takes_a_cpu_device() -> None:
    assert mt.Generator(device="cpu").device == mt.device("cpu")
    assert str(mt.Generator(device=mt.device("cpu")).device) == str(torch.Generator().device)
    _same_error(lambda: mt.Generator(device="cuda"), lambda: torch.Generator(device="cuda"))
