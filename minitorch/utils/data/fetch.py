"""Fetchers: read one batch (or one sample) from a dataset and collate it.

The same code runs in the main process (num_workers=0) and in each worker
process, which is why num_workers > 0 gives the same batches: only *where*
a fetch runs changes. Ported from torch/utils/data/_utils/fetch.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minitorch.utils.data.dataset import IterableDataset


class MapDatasetFetcher:
    """dataset[i] for each index of a batch (or dataset.__getitems__(batch) if it has one)."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable,
                 drop_last: bool) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, possibly_batched_index: Any) -> Any:
        if self.auto_collation:
            if getattr(self.dataset, "__getitems__", None):
                data = self.dataset.__getitems__(possibly_batched_index)
            else:
                data = [self.dataset[i] for i in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)


class IterableDatasetFetcher(MapDatasetFetcher):
    """next(iterator) as many times as the batch has slots; StopIteration when the stream ends."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable,
                 drop_last: bool) -> None:
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index: Any) -> Any:
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in possibly_batched_index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        # The stream's tail: an empty batch ends the epoch, and so does a short one with drop_last.
        if not data or (self.drop_last and len(data) < len(possibly_batched_index)):
            raise StopIteration
        return self.collate_fn(data)


def create_fetcher(dataset: Any, auto_collation: bool, collate_fn: Callable,
                   drop_last: bool) -> MapDatasetFetcher:
    kind = IterableDatasetFetcher if isinstance(dataset, IterableDataset) else MapDatasetFetcher
    return kind(dataset, auto_collation, collate_fn, drop_last)
