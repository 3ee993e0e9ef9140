"""minitorch.optim: the optimizers and learning-rate schedulers, torch.optim's API in NumPy.

Read optimizer.py (the base class and the fused kernels), then sgd.py, adam.py
(adamw.py is one line on top), rmsprop.py, adagrad.py, and lr_scheduler.py.
"""

from minitorch.optim import lr_scheduler
from minitorch.optim.adagrad import Adagrad
from minitorch.optim.adam import Adam
from minitorch.optim.adamw import AdamW
from minitorch.optim.lbfgs import LBFGS
from minitorch.optim.optimizer import Optimizer
from minitorch.optim.rmsprop import RMSprop
from minitorch.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "LBFGS", "lr_scheduler"]
