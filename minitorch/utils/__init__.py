"""minitorch.utils: helpers around the engine, as in torch.utils.

Only `data` for now (datasets, samplers, DataLoader): read data/__init__.py.
"""

from minitorch.utils import data

__all__ = ["data"]
