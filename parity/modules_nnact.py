"""Module cases for issue 12's activations, distances and losses.

`nnact_cases()` returns ModuleCases in parity/modules.py's form (the lead appends them to
module_cases(), so each runs through run_module_case: reprs, state_dict keys, torch's
weights loaded, outputs and every gradient compared). RReLU draws its slopes from
minitorch's own generator in training, so it is compared in eval mode (its fixed slope);
tests/nn/test_nn_act_loss.py checks the training slopes' range. Read parity/modules.py first.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from parity.modules import ModuleCase, _rand, inputs_of

Maker = Callable[[np.random.Generator, str], np.ndarray]


def _sign(shape: Sequence[int]) -> Maker:
    """A target of -1 and +1 in the input's float dtype."""
    return lambda rng, dtype: np.where(rng.random(tuple(shape)) < 0.5, -1.0, 1.0).astype(dtype)


def _binary(shape: Sequence[int]) -> Maker:
    return lambda rng, dtype: (rng.random(tuple(shape)) < 0.5).astype(dtype)


def _classes(shape: Sequence[int], high: int) -> Maker:
    return lambda rng, dtype: rng.integers(0, high, tuple(shape)).astype(np.int64)


def _labels(rows: int, classes: int) -> Maker:
    """multilabel_margin_loss targets: each row some class indices, then -1 padding."""
    def make(rng: np.random.Generator, dtype: str) -> np.ndarray:
        t = np.full((rows, classes), -1, np.int64)
        for r in range(rows):
            k = int(rng.integers(1, classes))
            t[r, :k] = rng.permutation(classes)[:k]
        return t

    return make


def nnact_cases() -> list[ModuleCase]:
    C: list[ModuleCase] = []

    def add(name: str, make: Callable[[Any], Any], inputs: Any, cover: str | None = None,
            **kw: Any) -> None:
        C.append(ModuleCase(name, make, inputs, covers=(f"nn.{cover}",) if cover else (), **kw))

    x = inputs_of(_rand((3, 6), -4.0, 4.0))
    add("Hardtanh()", lambda L: L.nn.Hardtanh(), x, "Hardtanh", quick=True)
    add("Hardtanh(-2.0, 0.5)", lambda L: L.nn.Hardtanh(-2.0, 0.5), x)
    add("ReLU6()", lambda L: L.nn.ReLU6(), inputs_of(_rand((3, 6), -2.0, 8.0)), "ReLU6")
    add("Hardsigmoid()", lambda L: L.nn.Hardsigmoid(), x, "Hardsigmoid")
    add("Hardswish()", lambda L: L.nn.Hardswish(), x, "Hardswish")
    add("Softsign()", lambda L: L.nn.Softsign(), x, "Softsign")
    add("CELU(alpha=0.5)", lambda L: L.nn.CELU(alpha=0.5), x, "CELU")
    add("SELU()", lambda L: L.nn.SELU(), x, "SELU")
    add("Mish()", lambda L: L.nn.Mish(), x, "Mish")
    add("LogSigmoid()", lambda L: L.nn.LogSigmoid(), x, "LogSigmoid")
    add("GLU()", lambda L: L.nn.GLU(), x, "GLU")
    add("GLU(dim=0)", lambda L: L.nn.GLU(dim=0), inputs_of(_rand((4, 3))))
    add("Threshold(0.1, 20.0)", lambda L: L.nn.Threshold(0.1, 20.0), x, "Threshold")
    add("PReLU()", lambda L: L.nn.PReLU(), inputs_of(_rand((2, 3, 4))), "PReLU", quick=True)
    add("PReLU(3, init=0.1)", lambda L: L.nn.PReLU(3, init=0.1), inputs_of(_rand((2, 3, 4))))
    add("RReLU(0.1, 0.3)", lambda L: L.nn.RReLU(0.1, 0.3), x, "RReLU", modes=("eval",))
    add("Tanhshrink()", lambda L: L.nn.Tanhshrink(), x, "Tanhshrink")
    add("Softshrink(1.0)", lambda L: L.nn.Softshrink(1.0), x, "Softshrink")
    add("Hardshrink()", lambda L: L.nn.Hardshrink(), x, "Hardshrink")
    add("Softmin(dim=1)", lambda L: L.nn.Softmin(dim=1), x, "Softmin")
    add("Softmax2d()", lambda L: L.nn.Softmax2d(), inputs_of(_rand((2, 3, 4, 5))), "Softmax2d")
    add("CosineSimilarity(dim=1)", lambda L: L.nn.CosineSimilarity(dim=1),
        inputs_of(_rand((4, 5)), _rand((4, 5))), "CosineSimilarity")
    add("PairwiseDistance(p=1.0, keepdim=True)",
        lambda L: L.nn.PairwiseDistance(p=1.0, keepdim=True),
        inputs_of(_rand((4, 5)), _rand((4, 5))), "PairwiseDistance")
    add("PairwiseDistance()", lambda L: L.nn.PairwiseDistance(),
        inputs_of(_rand((4, 5)), _rand((4, 5))))
    # losses
    three = inputs_of(_rand((5, 4)), _rand((5, 4)), _rand((5, 4)))
    add("TripletMarginLoss()", lambda L: L.nn.TripletMarginLoss(), three, "TripletMarginLoss",
        quick=True)
    add("TripletMarginLoss(margin=2.0, p=1, swap=True, reduction='none')",
        lambda L: L.nn.TripletMarginLoss(margin=2.0, p=1, swap=True, reduction="none"), three)
    add("MarginRankingLoss(margin=0.5)", lambda L: L.nn.MarginRankingLoss(margin=0.5),
        inputs_of(_rand((6,)), _rand((6,)), _sign((6,))), "MarginRankingLoss", grad_args=(0, 1))
    add("HingeEmbeddingLoss(margin=2.0)", lambda L: L.nn.HingeEmbeddingLoss(margin=2.0),
        inputs_of(_rand((3, 4), 0.0, 3.0), _sign((3, 4))), "HingeEmbeddingLoss",
        grad_args=(0,))
    add("CosineEmbeddingLoss(margin=0.2, reduction='sum')",
        lambda L: L.nn.CosineEmbeddingLoss(margin=0.2, reduction="sum"),
        inputs_of(_rand((5, 3)), _rand((5, 3)), _sign((5,))), "CosineEmbeddingLoss",
        grad_args=(0, 1))
    add("PoissonNLLLoss()", lambda L: L.nn.PoissonNLLLoss(),
        inputs_of(_rand((3, 4)), _rand((3, 4), 0.0, 3.0)), "PoissonNLLLoss")
    add("PoissonNLLLoss(log_input=False, full=True)",
        lambda L: L.nn.PoissonNLLLoss(log_input=False, full=True),
        inputs_of(_rand((3, 4), 0.1, 3.0), _rand((3, 4), 0.0, 4.0)), grad_args=(0,))
    add("GaussianNLLLoss()", lambda L: L.nn.GaussianNLLLoss(),
        inputs_of(_rand((3, 4)), _rand((3, 4)), _rand((3, 4), 0.1, 2.0)), "GaussianNLLLoss")
    add("GaussianNLLLoss(full=True, reduction='none') (3, 1) var",
        lambda L: L.nn.GaussianNLLLoss(full=True, reduction="none"),
        inputs_of(_rand((3, 4)), _rand((3, 4)), _rand((3, 1), 0.1, 2.0)))
    add("SoftMarginLoss()", lambda L: L.nn.SoftMarginLoss(),
        inputs_of(_rand((3, 4)), _sign((3, 4))), "SoftMarginLoss", grad_args=(0,))
    add("MultiLabelSoftMarginLoss(weight=w)",
        lambda L: L.nn.MultiLabelSoftMarginLoss(weight=L.tensor([0.5, 1.0, 2.0, 1.5])),
        inputs_of(_rand((3, 4)), _binary((3, 4))), "MultiLabelSoftMarginLoss", grad_args=(0,))
    add("MultiLabelMarginLoss()", lambda L: L.nn.MultiLabelMarginLoss(),
        inputs_of(_rand((4, 5)), _labels(4, 5)), "MultiLabelMarginLoss")
    add("MultiMarginLoss()", lambda L: L.nn.MultiMarginLoss(),
        inputs_of(_rand((4, 5)), _classes((4,), 5)), "MultiMarginLoss")
    add("MultiMarginLoss(p=2, margin=0.5, weight=w, reduction='none')",
        lambda L: L.nn.MultiMarginLoss(p=2, margin=0.5,
                                       weight=L.tensor([0.5, 1.0, 2.0, 1.5, 1.0]),
                                       reduction="none"),
        inputs_of(_rand((4, 5)), _classes((4,), 5)))
    return C
