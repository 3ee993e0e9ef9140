"""minitorch.utils.data against torch.utils.data, and the worker processes' housekeeping.

Every case of parity/data_loading.py runs here (one program on both engines:
equal results, or the same exception class and message; random samplers as
properties that must hold on both). The tests below it check what only
minitorch's side can show: workers are always joined, a worker that dies or
raises is reported naming it, a batch that cannot travel back is an error
rather than a hang, and seeding works as documented.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import time
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import minitorch
import minitorch.utils.data as mdata
from parity import data_loading as dl


@pytest.mark.parametrize("case", dl.CASES, ids=[c.id for c in dl.CASES])
def test_parity_case(case: dl.Case) -> None:
    status, detail = dl.run_case(case)
    assert status != "FAIL", detail


def test_section_runs_and_reports_a_planted_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    picked = [c for c in dl.CASES if c.id.startswith("BatchSampler/n=10 batch_size=3 ")]
    monkeypatch.setattr(dl, "CASES", picked)
    s = dl.run_section(quick=True)
    assert (s.cases, s.failed) == (2, 0) and "utils.data.BatchSampler" in s.covers
    # A BatchSampler that forgets its last short batch must turn one case red.
    real_iter = mdata.BatchSampler.__iter__
    monkeypatch.setattr(mdata.BatchSampler, "__iter__",
                        lambda self: (b for b in real_iter(self) if len(b) == self.batch_size))
    s = dl.run_section(quick=True)
    assert s.failed == 1 and "drop_last=False" in s.failures[0].case
    assert "| samplers | 2 | 0 | 1 | 0 | 1 |" in s.markdown


# -- worker processes ------------------------------------------------------------------------
class Squares:
    def __len__(self) -> int:
        return 10

    def __getitem__(self, i: int) -> np.ndarray:
        return np.array([i, i * i])


class Broken:
    def __init__(self, how: str) -> None:
        self.how = how

    def __len__(self) -> int:
        return 6

    def __getitem__(self, i: int) -> object:
        if i == 3:
            if self.how == "die":
                os._exit(3)
            if self.how == "sleep":
                time.sleep(5)
            if self.how == "unpicklable":
                return lambda: i
            if self.how == "raise":
                raise KeyError(f"no sample {i}")
        return i


def our_workers() -> list[mp.Process]:
    return [p for p in mp.active_children() if p.name.startswith("minitorch_data_worker")]


def test_workers_joined_after_an_epoch() -> None:
    loader = mdata.DataLoader(Squares(), batch_size=3, num_workers=2)
    it = iter(loader)
    workers = list(it._workers)
    assert len(workers) == 2 and all(w.is_alive() for w in workers)
    assert [b.tolist() for b in it] == [b.tolist() for b in mdata.DataLoader(Squares(), 3)]
    assert not any(w.is_alive() for w in workers) and not our_workers()


def test_workers_joined_when_the_iterator_is_dropped() -> None:
    it = iter(mdata.DataLoader(Squares(), batch_size=2, num_workers=2))
    next(it)
    workers = list(it._workers)
    del it  # a `break` out of a for loop does the same
    gc.collect()
    assert not any(w.is_alive() for w in workers) and not our_workers()


def test_worker_exception_names_the_worker_and_workers_go() -> None:
    with pytest.raises(KeyError) as info:
        for _ in mdata.DataLoader(Broken("raise"), batch_size=2, num_workers=2):
            pass
    text = str(info.value)
    assert "Caught KeyError in DataLoader worker process 1" in text  # batch 1 -> worker 1
    assert "no sample 3" in text and "Traceback" in text
    del info
    gc.collect()
    assert not our_workers()


def test_worker_init_fn_exception_is_raised_in_the_main_process() -> None:
    def init(worker_id: int) -> None:
        raise ValueError(f"cannot start {worker_id}")

    loader = mdata.DataLoader(Squares(), batch_size=5, num_workers=2, worker_init_fn=init)
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 0"):
        list(loader)
    gc.collect()
    assert not our_workers()


def test_a_dead_worker_is_an_error_not_a_hang() -> None:
    loader = mdata.DataLoader(Broken("die"), batch_size=2, num_workers=2)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited"):
        list(loader)
    gc.collect()
    assert not our_workers()


def test_an_unpicklable_batch_is_an_error_not_a_hang() -> None:
    loader = mdata.DataLoader(Broken("unpicklable"), batch_size=None, num_workers=1, timeout=20)
    with pytest.raises(Exception, match="in DataLoader worker process 0"):
        list(loader)


def test_timeout() -> None:
    loader = mdata.DataLoader(Broken("sleep"), batch_size=None, num_workers=1, timeout=0.3)
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.3 seconds"):
        list(loader)
    gc.collect()
    assert not our_workers()


def test_persistent_workers_live_across_epochs_and_go_with_the_loader() -> None:
    loader = mdata.DataLoader(Squares(), batch_size=4, num_workers=2, persistent_workers=True)
    first = [b.tolist() for b in loader]
    pids = [w.pid for w in loader._iterator._workers]
    assert [b.tolist() for b in loader] == first
    assert [w.pid for w in loader._iterator._workers] == pids
    workers = list(loader._iterator._workers)
    del loader
    gc.collect()
    assert not any(w.is_alive() for w in workers)


class Draws:
    """Each sample draws from minitorch's and NumPy's global generators."""

    def __len__(self) -> int:
        return 4

    def __getitem__(self, i: int) -> list[float]:
        info = mdata.get_worker_info()
        return [info.id, info.seed, float(minitorch.rand(1).item()), float(np.random.rand())]


def test_workers_are_seeded_apart_and_reproducibly() -> None:
    def run(seed: int) -> list[list[float]]:
        loader = mdata.DataLoader(Draws(), batch_size=None, num_workers=2,
                                  generator=minitorch.Generator(seed))
        return [[float(v) for v in s] for s in loader]

    a, b = run(5), run(5)
    assert a == b != run(6)
    w0, w1 = a[0], a[1]  # sample 0 from worker 0, sample 1 from worker 1
    assert (w0[0], w1[0]) == (0, 1) and w1[1] == w0[1] + 1  # seeds base + worker id
    assert w0[2] != w1[2] and w0[3] != w1[3]


def test_spawn_context_gives_the_same_batches() -> None:
    # A list as the dataset: the spawned worker then imports minitorch only, not this file.
    data = [np.array([i, i * i]) for i in range(10)]
    loader = mdata.DataLoader(data, batch_size=4, num_workers=1, multiprocessing_context="spawn")
    assert [b.tolist() for b in loader] == [b.tolist() for b in mdata.DataLoader(data, 4)]


def test_prefetch_factor_zero_is_refused_before_any_worker_starts() -> None:
    # torch raises the same AssertionError (its half-built iterator then fails in __del__,
    # which is why this is not a parity case).
    loader = mdata.DataLoader(Squares(), num_workers=1, prefetch_factor=0)
    with pytest.raises(AssertionError, match="prefetch_factor must be greater than 0 for "
                                             "MultiProcessingDataLoaderIter"):
        iter(loader)
    assert not our_workers()


def test_get_worker_info_is_none_in_the_main_process() -> None:
    assert mdata.get_worker_info() is None


# -- seeding and lengths ---------------------------------------------------------------------
def test_global_seed_rules_unseeded_shuffles_and_splits() -> None:
    def draw() -> tuple[list[int], list[list[int]]]:
        minitorch.manual_seed(123)
        order = [int(b) for b in mdata.DataLoader(range(12), shuffle=True)]
        return order, [list(s) for s in mdata.random_split(range(12), [0.25, 0.75])]

    assert draw() == draw()


def test_iterable_dataset_that_lies_about_its_length_warns() -> None:
    class Liar(mdata.IterableDataset):
        def __iter__(self):
            return iter(range(4))

        def __len__(self) -> int:
            return 2

    loader = mdata.DataLoader(Liar(), batch_size=None)
    assert len(loader) == 2
    with pytest.warns(UserWarning, match=r"was reported to be 2\(when accessing len"):
        assert [int(x) for x in loader] == [0, 1, 2, 3]


def test_too_many_workers_warns_like_torch() -> None:
    n = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count())
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        mdata.DataLoader(range(3), num_workers=n + 1)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        tdata.DataLoader(range(3), num_workers=n + 1)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]


def test_collate_stacks_into_minitorch_tensors() -> None:
    batch = mdata.default_collate([minitorch.ones(2, requires_grad=True), minitorch.zeros(2)])
    assert isinstance(batch, minitorch.Tensor) and batch.shape == (2, 2)
    ref = tdata.default_collate([torch.ones(2, requires_grad=True), torch.zeros(2)])
    assert batch.requires_grad == ref.requires_grad
