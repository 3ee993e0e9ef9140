"""What runs inside a DataLoader worker process, and what it sends back.

Each worker waits on its own index queue for (task number, indices), fetches
and collates that batch with the same code as the main process (fetch.py),
and puts (task number, batch) on the shared result queue; the main process
puts the batches back in task order (dataloader.py). A worker stops when it
receives None, or when its parent has died (the watchdog).

An exception in a worker travels back as an ExceptionWrapper (its class and
formatted traceback) and is raised again in the main process, naming the
worker. Ported from torch/utils/data/_utils/worker.py and torch/_utils.py.
"""

from __future__ import annotations

import gc
import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler
from typing import Any, Callable

import numpy as np

from minitorch.random import manual_seed
from minitorch.utils.data.dataset import IterableDataset
from minitorch.utils.data.fetch import create_fetcher

# How long a blocked queue read waits before checking that the other side is still alive.
MP_STATUS_CHECK_INTERVAL = 1.0


@dataclass(frozen=True)
class WorkerInfo:
    """What get_worker_info() returns inside a worker: its id, the worker count,
    its seed, and its own copy of the dataset."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker process, this worker's WorkerInfo; None in the main process.

    An IterableDataset uses it to give each worker its own share of the stream.
    """
    return _worker_info


@dataclass(frozen=True)
class IterableDatasetStopIteration:
    """A worker's IterableDataset copy is used up: send it no more tasks."""

    worker_id: int


@dataclass(frozen=True)
class ResumeIteration:
    """Start a new epoch (persistent workers): rebuild the fetcher and acknowledge."""


class ExceptionWrapper:
    """An exception caught in a worker: its class and traceback text, picklable."""

    def __init__(self, exc_info: Any = None, where: str = "in background") -> None:
        exc_info = exc_info or sys.exc_info()
        self.exc_type = exc_info[0]
        try:
            pickle.dumps(self.exc_type)
        except Exception:
            self.exc_type = RuntimeError
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self) -> None:
        """Raise the same exception class here, with the worker's traceback in the message."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            # Our frame holds `exception`, whose traceback holds our frame: break that cycle,
            # so the DataLoader iterator (and its workers) go as soon as the caller is done.
            del exception


def seed_worker(base_seed: int, worker_id: int) -> int:
    """Seed Python's, NumPy's global and minitorch's generators in a worker, as torch
    does: base_seed + worker_id, so that workers do not all draw the same numbers."""
    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    # NumPy takes at most 32 bits per word: mix both numbers into four words.
    np.random.seed(np.random.SeedSequence([worker_id, base_seed]).generate_state(4))
    return seed


def _encoded(idx: Any, data: Any, worker_id: int) -> bytes:
    """Pickle the result here, so an unpicklable batch becomes an error the main
    process sees (a Queue would pickle it in a background thread and lose it)."""
    try:
        return bytes(ForkingPickler.dumps((idx, data)))
    except Exception:
        wrapped = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        return bytes(ForkingPickler.dumps((idx, wrapped)))


def worker_loop(dataset: Any, index_queue: Any, data_queue: Any, done_event: Any,
                auto_collation: bool, collate_fn: Callable, drop_last: bool, base_seed: int,
                init_fn: Callable[[int], None] | None, worker_id: int, num_workers: int) -> None:
    """The body of worker process `worker_id`."""
    global _worker_info
    # A forked worker starts with a copy of the parent's heap, garbage included (say, another
    # DataLoader's iterator in a reference cycle): never collect it here, or its __del__
    # would shut down the parent's workers from inside ours.
    gc.freeze()
    try:
        seed = seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        iteration_end = False
        parent = os.getppid()
        while os.getppid() == parent:  # the watchdog: stop if the main process died
            try:
                r = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if isinstance(r, ResumeIteration):
                data_queue.put(_encoded(r, None, worker_id))
                iteration_end = False
                try:
                    fetcher = create_fetcher(dataset, auto_collation, collate_fn, drop_last)
                except Exception:
                    init_exception = ExceptionWrapper(
                        where=f"in DataLoader worker process {worker_id}")
                continue
            if r is None:  # the main process is shutting us down
                break
            if done_event.is_set() or iteration_end:
                continue  # drain the queue without working
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)  # type: ignore[union-attr]
                except Exception as e:
                    if isinstance(e, StopIteration) and isinstance(dataset, IterableDataset):
                        data = IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(
                            where=f"in DataLoader worker process {worker_id}")
            data_queue.put(_encoded(idx, data, worker_id))
            del data, idx, index, r  # do not hold a batch while waiting for the next task
    except KeyboardInterrupt:
        pass  # the main process handles Ctrl-C
    if done_event.is_set():
        # Exit without waiting for the main process to read what is still queued.
        data_queue.cancel_join_thread()
        data_queue.close()
