"""minitorch.optim: the optimizers and learning-rate schedulers, torch.optim's API in NumPy.

Read optimizer.py (the base class and the fused kernels), then sgd.py, adam.py
(adamw.py is one line on top), rmsprop.py, adagrad.py, and lr_scheduler.py.
The rest build on those: adadelta.py, adamax.py, nadam.py, radam.py (Adam's
relatives), rprop.py (sign-based steps) and asgd.py (SGD with averaging).
"""

from minitorch.optim import lr_scheduler
from minitorch.optim.adadelta import Adadelta
from minitorch.optim.adagrad import Adagrad
from minitorch.optim.adam import Adam
from minitorch.optim.adamax import Adamax
from minitorch.optim.adamw import AdamW
from minitorch.optim.asgd import ASGD
from minitorch.optim.lbfgs import LBFGS
from minitorch.optim.nadam import NAdam
from minitorch.optim.optimizer import Optimizer
from minitorch.optim.radam import RAdam
from minitorch.optim.rmsprop import RMSprop
from minitorch.optim.rprop import Rprop
from minitorch.optim.sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "LBFGS",
    "Adadelta", "Adamax", "NAdam", "RAdam", "Rprop", "ASGD", "lr_scheduler",
]
