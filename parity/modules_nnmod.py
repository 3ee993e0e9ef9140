"""Module cases and Module-API cases for issue 12's nn.Module features (hooks, containers of
parameters, Bilinear, channel-wise dropout, walks, reprs).

`nnmod_cases()` returns ModuleCases in parity/modules.py's form (the lead appends them to
module_cases(): reprs, state_dict keys, torch's weights loaded, outputs and every gradient
compared -- here with hooks that replace outputs and gradients, so the replaced gradients
are what is compared). `API_CASES` are run by run_api_case: each function is called with
torch and with minitorch and must return the same plain value -- the sequence of hook calls
and the tensors each hook saw, container behaviour, errors (class and message), and the
repr of every nn module class both engines have (REPR_CONFIGS).
`run_channel_dropout_stats` checks Dropout1d/2d/3d's random training masks statistically,
as parity/modules.py's run_dropout_stats does for Dropout. Read parity/modules.py first.
"""

from __future__ import annotations

import collections
import math
import warnings
from typing import Any, Callable

import numpy as np
import torch

import minitorch
from parity.engines import current
from parity.modules import (
    SIGMAS,
    ModuleCase,
    Outcome,
    _err,
    _err_and_message,
    _rand,
    inputs_of,
    to_numpy,
    zlib_seed,
)


def _val(t: Any) -> Any:
    """A tensor (or None) as rounded plain lists, the same from either engine."""
    return None if t is None else np.round(to_numpy(t).astype(np.float64), 6).tolist()


def _vals(ts: Any) -> Any:
    return [_val(t) if not isinstance(t, (int, float, str)) else t for t in ts]


def _fixed_linear(L: Any, fan_in: int, fan_out: int) -> Any:
    """A float64 Linear with weights that do not depend on either engine's generator."""
    m = L.nn.Linear(fan_in, fan_out).double()
    with L.no_grad():
        w = np.linspace(-1.0, 1.0, fan_in * fan_out).reshape(fan_out, fan_in)
        m.weight.copy_(L.from_numpy(w))
        m.bias.copy_(L.from_numpy(np.linspace(-0.5, 0.5, fan_out)))
    return m


def _x(L: Any, *shape: int, requires_grad: bool = True) -> Any:
    n = int(np.prod(shape))
    t = L.from_numpy(np.linspace(-1.5, 2.0, n).reshape(shape))
    return t.requires_grad_(requires_grad)


# -- module cases: hooks that change what flows, compared by outputs and gradients -----------
def _with_output_hook(L: Any) -> Any:
    m = L.nn.Linear(4, 3)
    m.register_forward_hook(lambda mod, args, out: out * 2.0 + 1.0)
    return m


def _with_pre_hook(L: Any) -> Any:
    m = L.nn.Linear(4, 3)
    m.register_forward_pre_hook(lambda mod, args: (args[0] * 3.0,))
    return m


def _with_backward_hooks(L: Any) -> Any:
    m = L.nn.Linear(4, 3)
    m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 10.0,))
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * -2.0,))
    return m


def _hooked_sequential(L: Any) -> Any:
    """Hooks on the inner modules of a Sequential: the first layer's input grad is replaced,
    the activation's grad_output is rescaled, the last layer's output is shifted."""
    seq = L.nn.Sequential(L.nn.Linear(5, 6), L.nn.Tanh(), L.nn.Linear(6, 2))
    seq[0].register_full_backward_hook(lambda mod, gi, go: (gi[0] + 1.0,))
    seq[1].register_full_backward_pre_hook(lambda mod, go: (go[0] * 0.5,))
    seq[2].register_forward_hook(lambda mod, args, out: out - args[0].sum())
    return seq


def _two_inputs_hooked(L: Any) -> Any:
    """Bilinear (two inputs): the hook sees both input gradients and swaps their scale."""
    m = L.nn.Bilinear(3, 4, 2)
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 3.0, gi[1] * 0.5))
    return m


class _Holders:
    """User modules that keep their weights in a ParameterList / ParameterDict.

    Their own repr is fixed (the containers' reprs print the engine's dtype names; they
    are compared in the API cases, with the engine's name normalised)."""

    @staticmethod
    def plist(L: Any) -> Any:
        class Stack(L.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.ws = L.nn.ParameterList([L.nn.Parameter(L.randn(4, 4)) for _ in range(2)])
                self.ws.append(L.randn(4))  # a plain tensor becomes a Parameter

            def forward(self, x: Any) -> Any:
                return L.tanh(x @ self.ws[0]) @ self.ws[1] + self.ws[2]

            def __repr__(self) -> str:
                return "Stack()"

        return Stack()

    @staticmethod
    def pdict(L: Any) -> Any:
        class Heads(L.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.p = L.nn.ParameterDict({"scale": L.ones(3), "shift": L.zeros(3)})
                self.p.update([("w", L.nn.Parameter(L.randn(3, 3)))])

            def forward(self, x: Any) -> Any:
                return (x @ self.p["w"]) * self.p["scale"] + self.p["shift"]

            def __repr__(self) -> str:
                return "Heads()"

        return Heads()


def nnmod_cases() -> list[ModuleCase]:
    C: list[ModuleCase] = []

    def add(name: str, make: Callable[[Any], Any], inputs: Any, cover: tuple[str, ...] = (),
            **kw: Any) -> None:
        C.append(ModuleCase(name, make, inputs, covers=cover, **kw))

    add("Bilinear(3, 4, 5)", lambda L: L.nn.Bilinear(3, 4, 5),
        inputs_of(_rand((6, 3)), _rand((6, 4))), ("nn.Bilinear", "F.bilinear", "bilinear"),
        quick=True)
    add("Bilinear(3, 4, 2, bias=False) batched (2, 5, *)",
        lambda L: L.nn.Bilinear(3, 4, 2, bias=False), inputs_of(_rand((2, 5, 3)),
                                                                _rand((2, 5, 4))))
    add("Bilinear(2, 3, 4) unbatched", lambda L: L.nn.Bilinear(2, 3, 4),
        inputs_of(_rand((2,)), _rand((3,))))
    for cls, shape, cover in (("Dropout1d", (2, 3, 5), "nn.Dropout1d"),
                              ("Dropout2d", (2, 3, 4, 4), "nn.Dropout2d"),
                              ("Dropout3d", (2, 3, 2, 3, 2), "nn.Dropout3d")):
        F_name = "F." + cls.lower()
        add(f"{cls}(p=0.4)", lambda L, c=cls: getattr(L.nn, c)(p=0.4), inputs_of(_rand(shape)),
            (cover, F_name), modes=("eval",))
        # p=1 in training is deterministic: every channel dropped, every gradient zero
        add(f"{cls}(p=1.0)", lambda L, c=cls: getattr(L.nn, c)(p=1.0), inputs_of(_rand(shape)))
        add(f"{cls}(p=0.0)", lambda L, c=cls: getattr(L.nn, c)(p=0.0), inputs_of(_rand(shape)))
    add("Dropout1d(p=1.0) unbatched (C, L)", lambda L: L.nn.Dropout1d(p=1.0),
        inputs_of(_rand((3, 5))))
    add("Dropout3d(p=1.0) unbatched (C, D, H, W)", lambda L: L.nn.Dropout3d(p=1.0),
        inputs_of(_rand((3, 2, 3, 2))))
    x = inputs_of(_rand((3, 4)))
    add("Linear(4, 3) with a forward hook replacing the output", _with_output_hook, x,
        ("nn.Module.register_forward_hook",), quick=True)
    add("Linear(4, 3) with a forward pre-hook replacing the input", _with_pre_hook, x,
        ("nn.Module.register_forward_pre_hook",))
    add("Linear(4, 3) with backward pre-hook and backward hook replacing gradients",
        _with_backward_hooks, x, ("nn.Module.register_full_backward_hook",
                                  "nn.Module.register_full_backward_pre_hook"), quick=True)
    add("Sequential with hooks on its layers", _hooked_sequential, inputs_of(_rand((4, 5))))
    add("Bilinear(3, 4, 2) with a backward hook on two inputs", _two_inputs_hooked,
        inputs_of(_rand((5, 3)), _rand((5, 4))))
    add("Module with a ParameterList", _Holders.plist, x, ("nn.ParameterList",))
    add("Module with a ParameterDict", _Holders.pdict, inputs_of(_rand((2, 3))),
        ("nn.ParameterDict",))
    return C


# -- API cases: what the hooks see, in order ------------------------------------------------------
def _api_hook_order(L: Any) -> Any:
    """Forward pre/post and backward pre/post hooks on a three-layer Sequential: the order of
    calls and every tensor each hook saw (args, outputs, grad_output, grad_input)."""
    seq = L.nn.Sequential(_fixed_linear(L, 2, 3), L.nn.Tanh(), _fixed_linear(L, 3, 1))
    log: list[Any] = []
    for i, m in enumerate(seq):
        m.register_forward_pre_hook(lambda mod, a, i=i: log.append(["fpre", i, _vals(a)]))
        m.register_forward_hook(lambda mod, a, o, i=i: log.append(["fwd", i, _val(o)]))
        m.register_full_backward_pre_hook(lambda mod, go, i=i: log.append(["bpre", i,
                                                                           _vals(go)]))
        m.register_full_backward_hook(lambda mod, gi, go, i=i: log.append(["bwd", i, _vals(gi),
                                                                           _vals(go)]))
    seq.register_forward_hook(lambda mod, a, o: log.append(["seq fwd", type(mod).__name__]))
    seq.register_full_backward_hook(lambda mod, gi, go: log.append(["seq bwd", _vals(gi)]))
    x = _x(L, 4, 2)
    seq(x).sum().backward()
    log.append(["x.grad", _val(x.grad)])
    log.append(["weight grads", [_val(p.grad) for p in seq.parameters()]])
    return log


def _api_hook_options(L: Any) -> Any:
    """prepend, with_kwargs (pre and post), returning a single value from a pre-hook,
    removal with handle.remove() and as a context manager."""
    class Affine(L.nn.Module):
        def forward(self, x: Any, scale: float = 1.0) -> Any:
            return x * scale + 1.0

    m = Affine()
    log: list[Any] = []
    h1 = m.register_forward_pre_hook(lambda mod, a: log.append("pre A"))
    m.register_forward_pre_hook(lambda mod, a: log.append("pre B"), prepend=True)
    m.register_forward_pre_hook(
        lambda mod, a, kw: (a, {**kw, "scale": kw.get("scale", 1.0) * 2}), with_kwargs=True)
    m.register_forward_pre_hook(lambda mod, a: a[0] + 100.0)  # a single value: wrapped
    m.register_forward_hook(lambda mod, a, kw, out: log.append(["kw", sorted(kw.items())])
                            or out * 10.0, with_kwargs=True)
    m.register_forward_hook(lambda mod, a, out: log.append("post first"), prepend=True)
    res = [_val(m(_x(L, 3), scale=3.0))]
    h1.remove()
    h1.remove()  # removing twice is harmless
    with m.register_forward_hook(lambda mod, a, out: out * 0.0):
        res.append(_val(m(_x(L, 3))))
    res.append(_val(m(_x(L, 3))))
    return [log, res]


def _api_always_call(L: Any) -> Any:
    """always_call hooks run when forward raises (the error still propagates); others don't."""
    class Boom(L.nn.Module):
        def forward(self, x: Any) -> Any:
            raise ValueError("boom")

    m = Boom()
    log: list[Any] = []
    m.register_forward_hook(lambda mod, a, out: log.append(["always", out]), always_call=True)
    m.register_forward_hook(lambda mod, a, out: log.append("normal"))
    m.register_forward_hook(lambda mod, a, kw, out: log.append(["always kw", kw]),
                            with_kwargs=True, always_call=True)
    err = _err_and_message(lambda: m(_x(L, 2)))
    return [err, log]


def _api_backward_hook_cases(L: Any) -> Any:
    """Full backward hooks on a module with two tensor inputs, a non-tensor argument and a
    tuple output of which only one part is used; inputs that do not require grad; hooks that
    return replacements, None entries, and the wrong number of gradients."""
    class Two(L.nn.Module):
        def forward(self, x: Any, y: Any, k: Any = None) -> Any:
            return x * 2.0, y * 3.0, 5

    res: list[Any] = []
    log: list[Any] = []
    m = Two()
    m.register_full_backward_pre_hook(lambda mod, go: log.append(["pre", _vals(go)]))
    m.register_full_backward_hook(lambda mod, gi, go: log.append(["full", _vals(gi),
                                                                  _vals(go)]))
    x, y = _x(L, 2), _x(L, 2)
    a, b, c = m(x, y)
    a.sum().backward()
    res.append([log[:], _val(x.grad), _val(y.grad)])
    log.clear()
    a, b, c = m(_x(L, 2, requires_grad=False), y, 7)
    (b * b).sum().backward()
    res.append([log[:], _val(y.grad)])
    log.clear()
    # no input requires grad: the hook fires at the outputs with grad_input all None
    lin = _fixed_linear(L, 2, 2)
    lin.register_full_backward_hook(lambda mod, gi, go: log.append(["lin", _vals(gi),
                                                                    _vals(go)]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lin(_x(L, 1, 2, requires_grad=False)).sum().backward()
    res.append([log[:], _val(lin.weight.grad)])
    # replacing: (None,) removes the input's gradient; a wrong count raises
    lin = _fixed_linear(L, 2, 2)
    lin.register_full_backward_hook(lambda mod, gi, go: (None,))
    xx = _x(L, 1, 2)
    lin(xx).sum().backward()
    res.append([xx.grad is None, _val(lin.weight.grad)])
    for hook, kind in (((lambda mod, gi, go: (gi[0], gi[0])), "hook"),
                       ((lambda mod, go: (go[0], go[0])), "pre")):
        lin = _fixed_linear(L, 2, 2)
        if kind == "hook":
            lin.register_full_backward_hook(hook)
        else:
            lin.register_full_backward_pre_hook(hook)
        out = lin(_x(L, 1, 2))
        res.append(_err_and_message(lambda o=out: o.sum().backward()))
    # the module's output: a view through the hook's identity node
    lin = _fixed_linear(L, 2, 2)
    lin.register_full_backward_hook(lambda mod, gi, go: None)
    out = lin(_x(L, 1, 2))
    res.append([out.grad_fn.name(), out.requires_grad])
    return res


def _api_hook_reuse(L: Any) -> Any:
    """Identity (input returned as output), one module called twice in a graph with its
    output used twice, and autograd.grad twice over a retained graph."""
    res: list[Any] = []
    log: list[Any] = []
    m = L.nn.Identity()
    m.register_full_backward_pre_hook(lambda mod, go: log.append(["pre", _vals(go)])
                                      or (go[0] * 2,))
    m.register_full_backward_hook(lambda mod, gi, go: log.append(["post", _vals(gi),
                                                                  _vals(go)]))
    x = _x(L, 2)
    (m(x) * 3).sum().backward()
    res.append([log[:], _val(x.grad)])
    log.clear()
    lin = _fixed_linear(L, 2, 2)
    lin.register_full_backward_hook(lambda mod, gi, go: log.append(["lin", _vals(gi),
                                                                    _vals(go)])
                                    or (gi[0] * 0.5,))
    x = _x(L, 1, 2)
    h = lin(x)
    y = lin(h.tanh())
    (y.sum() + (h * h).sum()).backward()
    res.append([log[:], _val(x.grad), _val(lin.weight.grad)])
    log.clear()
    g = L.nn.GELU()
    g.register_full_backward_pre_hook(lambda mod, go: log.append(["gpre", _vals(go)]))
    a = _x(L, 3)
    b = g(a)
    first = L.autograd.grad(b.sum(), a, retain_graph=True)
    second = L.autograd.grad((b * 2).sum(), a)
    res.append([log[:], _vals(first), _vals(second)])
    return res


def _api_global_hooks(L: Any) -> Any:
    """nn.modules.module.register_module_forward_(pre_)hook: called for every module, before
    the module's own hooks; removed afterwards."""
    glob = L.nn.modules.module
    log: list[Any] = []
    seq = L.nn.Sequential(_fixed_linear(L, 2, 2), L.nn.ReLU())
    seq[0].register_forward_hook(lambda mod, a, o: log.append("own"))
    handles = [glob.register_module_forward_pre_hook(
                   lambda mod, a: log.append(["gpre", type(mod).__name__])),
               glob.register_module_forward_hook(
                   lambda mod, a, o: log.append(["gfwd", type(mod).__name__]))]
    try:
        seq(_x(L, 1, 2))
    finally:
        for h in handles:
            h.remove()
    seq(_x(L, 1, 2))
    return log


# -- API cases: containers, walks and the rest -----------------------------------------------
def _api_parameter_list(L: Any) -> Any:
    pl = L.nn.ParameterList([L.nn.Parameter(L.ones(2, 3)), L.ones(2, dtype=L.float64), 3])
    res: list[Any] = [repr(pl)]
    pl.append(L.zeros(4))
    pl.extend([L.zeros(1)])
    pl += [L.ones(2)]
    pl[0] = L.zeros(2, 3)
    res += [list(pl.state_dict()), [type(p).__name__ for p in pl], len(pl), repr(pl[1:3]),
            [n for n, _ in pl.named_parameters()], repr(L.nn.ParameterList()),
            [p.requires_grad for p in pl.parameters()]]
    res += [_err_and_message(f) for f in (lambda: pl.extend(L.ones(2)), lambda: pl(1),
                                          lambda: pl[9], lambda: pl.extend(5))]
    return res


def _api_parameter_dict(L: Any) -> Any:
    pd = L.nn.ParameterDict({"b": L.nn.Parameter(L.ones(2, 3)), "a": L.ones(2, dtype=L.float64),
                             "c": "x"})
    res: list[Any] = [repr(pd)]
    pd.update([("z", L.ones(1)), ("y", L.ones(2))])
    pd["q"] = L.ones(3)
    pd.update(collections.OrderedDict([("o2", L.ones(1)), ("o1", L.ones(1))]))
    res += [list(pd.keys()), list(pd.state_dict()), [k for k, _ in pd.items()],
            tuple(pd.pop("z").shape), len(pd), "y" in pd, pd.get("nope", 5), pd.popitem()[0],
            list(pd.copy().keys()), list((pd | L.nn.ParameterDict({"w": L.ones(1)})).keys()),
            pd.setdefault("s", None) is None, list(reversed(pd)),
            list(pd.fromkeys(["u", "v"]).keys())]
    pd.clear()
    res.append([len(pd), repr(pd)])
    res += [_err_and_message(f) for f in (
        lambda: pd[3], lambda: pd.update(5), lambda: pd.update([("k", 1, 2)]),
        lambda: pd(1), lambda: pd["missing"])]
    return res


def _api_named_modules(L: Any) -> Any:
    """named_modules(memo, prefix, remove_duplicate), named_buffers(prefix, recurse,
    remove_duplicate) on a model that shares a layer and a buffer."""
    shared = L.nn.Linear(2, 2)
    bn = L.nn.BatchNorm1d(2)
    model = L.nn.Sequential(shared, L.nn.Sequential(shared, bn), bn)
    res: list[Any] = [[n for n, _ in model.named_modules()],
                      [n for n, _ in model.named_modules(remove_duplicate=False)],
                      [n for n, _ in model.named_modules(prefix="net")],
                      [n for n, _ in model.named_modules(memo={model[1]})],
                      [n for n, _ in model.named_buffers()],
                      [n for n, _ in model.named_buffers(prefix="m", remove_duplicate=False)],
                      [n for n, _ in model[1].named_buffers(recurse=False)],
                      [n for n, _ in model.named_parameters(remove_duplicate=False)]]
    return res


def _api_get_submodule(L: Any) -> Any:
    model = L.nn.Sequential(collections.OrderedDict([
        ("enc", L.nn.Sequential(L.nn.Linear(2, 3), L.nn.BatchNorm1d(3))), ("act", L.nn.ReLU())]))
    res: list[Any] = [type(model.get_submodule("enc.1")).__name__,
                      model.get_submodule("") is model,
                      tuple(model.get_parameter("enc.0.weight").shape),
                      tuple(model.get_buffer("enc.1.running_mean").shape)]
    res += [_err_and_message(f) for f in (
        lambda: model.get_submodule("enc.5"), lambda: model.get_submodule("enc.0.weight"),
        lambda: model.get_submodule("nothing.here"), lambda: model.get_parameter("enc.0.nope"),
        lambda: model.get_parameter("enc.1.running_mean"),
        lambda: model.get_buffer("enc.0.weight"), lambda: model.get_buffer("enc.9.x"))]
    return res


def _api_requires_grad_and_to(L: Any) -> Any:
    m = L.nn.Sequential(L.nn.Linear(2, 3), L.nn.BatchNorm1d(3))
    res: list[Any] = [m.requires_grad_(False) is m, [p.requires_grad for p in m.parameters()],
                      [p.requires_grad for p in m.requires_grad_().parameters()]]
    res += [m.to("cpu:0") is m, m.to(L.device("cpu:0")) is m, m.to(L.device("cpu", 0)) is m,
            m.to(device="cpu") is m]
    m.to("cpu:0", L.float64)
    res.append(str(m[0].weight.dtype).split(".")[-1])
    m.to(device=L.device("cpu"), dtype=L.float32)
    res.append(str(m[0].weight.dtype).split(".")[-1])
    res.append(_err(lambda: m.to("cpu", L.int64)))
    res.append(_err(lambda: m.to("nope")))
    return res


def _api_bilinear_errors(L: Any) -> Any:
    F = L.nn.functional
    one = L.ones
    calls = [lambda: F.bilinear(one(5, 2), one(6, 3), one(4, 2, 3)),
             lambda: F.bilinear(one(5, 3), one(5, 3), one(4, 2, 3)),
             lambda: F.bilinear(one(5, 2), one(5, 4), one(4, 2, 3)),
             lambda: F.bilinear(one(5, 2), one(5, 3), one(4, 2, 3), one(5)),
             lambda: F.bilinear(one(5, 2), one(5, 2, 3), one(4, 2, 3)),
             lambda: F.bilinear(one(5, 2), one(5, 3, dtype=L.float64), one(4, 2, 3)),
             lambda: L.nn.Bilinear(0, 2, 3)]
    res: list[Any] = [_err_and_message(c) for c in calls]
    res.append(tuple(F.bilinear(one(7, 5, 2), one(7, 5, 3), one(4, 2, 3), one(4)).shape))
    return res


def _api_dropout_nd_errors(L: Any) -> Any:
    F = L.nn.functional
    one = L.ones
    res: list[Any] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        calls = [lambda: F.dropout1d(one(2, 3, 4, 5)), lambda: F.dropout1d(one(2, 3), p=1.5),
                 lambda: F.dropout2d(one(3)), lambda: F.dropout3d(one([])),
                 lambda: L.nn.Dropout2d(p=-0.1), lambda: tuple(F.dropout2d(one(2, 3, 4)).shape),
                 lambda: tuple(F.dropout3d(one(2, 3, 4)).shape),
                 lambda: F.dropout2d(one(2, 3), p=0.5, training=False).sum().item()]
        for c in calls:
            value: list[Any] = []
            err = _err_and_message(lambda c=c, v=value: v.append(c()))
            res.append(["ok", value[0]] if value else err)
        res.append(sorted({str(w.message)[:60] for w in caught}))
    x = one(2, 3, 4)
    res.append(F.dropout1d(x, training=False) is x)
    return res


# Constructor calls for the repr comparison: every nn module class both engines have.
# Classes missing from this table are built with no arguments.
REPR_CONFIGS: dict[str, list[Callable[[Any], Any]]] = {
    "AdaptiveAvgPool1d": [lambda L: L.nn.AdaptiveAvgPool1d(3)],
    "AdaptiveAvgPool2d": [lambda L: L.nn.AdaptiveAvgPool2d((3, None)),
                          lambda L: L.nn.AdaptiveAvgPool2d(2)],
    "AdaptiveMaxPool1d": [lambda L: L.nn.AdaptiveMaxPool1d(3, return_indices=True)],
    "AdaptiveMaxPool2d": [lambda L: L.nn.AdaptiveMaxPool2d((2, 3))],
    "AvgPool1d": [lambda L: L.nn.AvgPool1d(3),
                  lambda L: L.nn.AvgPool1d(3, 2, 1, ceil_mode=True, count_include_pad=False)],
    "AvgPool2d": [lambda L: L.nn.AvgPool2d(3),
                  lambda L: L.nn.AvgPool2d((2, 3), stride=1, padding=1, divisor_override=2)],
    "BatchNorm1d": [lambda L: L.nn.BatchNorm1d(4),
                    lambda L: L.nn.BatchNorm1d(4, eps=1e-3, momentum=None, affine=False,
                                               track_running_stats=False)],
    "BatchNorm2d": [lambda L: L.nn.BatchNorm2d(4), lambda L: L.nn.BatchNorm2d(4, momentum=0.3)],
    "Bilinear": [lambda L: L.nn.Bilinear(2, 3, 4), lambda L: L.nn.Bilinear(2, 3, 4, bias=False)],
    "ConstantPad1d": [lambda L: L.nn.ConstantPad1d(2, 3.5),
                      lambda L: L.nn.ConstantPad1d((1, 2), 0.0)],
    "ConstantPad2d": [lambda L: L.nn.ConstantPad2d((1, 2, 3, 4), -1.0)],
    "Conv1d": [lambda L: L.nn.Conv1d(2, 4, 3),
               lambda L: L.nn.Conv1d(2, 4, 3, stride=2, padding=1, dilation=2, groups=2,
                                     bias=False, padding_mode="reflect")],
    "Conv2d": [lambda L: L.nn.Conv2d(2, 4, 3),
               lambda L: L.nn.Conv2d(2, 4, (3, 2), padding="same", padding_mode="circular"),
               lambda L: L.nn.Conv2d(2, 4, 3, stride=(2, 1), padding="valid", bias=False)],
    "Conv3d": [lambda L: L.nn.Conv3d(2, 4, 3, padding=1)],
    "ConvTranspose1d": [lambda L: L.nn.ConvTranspose1d(2, 4, 3),
                        lambda L: L.nn.ConvTranspose1d(2, 4, 3, stride=2, output_padding=1,
                                                       groups=2, bias=False, dilation=2)],
    "ConvTranspose2d": [lambda L: L.nn.ConvTranspose2d(2, 4, 3, stride=2, padding=1,
                                                       output_padding=1)],
    "Embedding": [lambda L: L.nn.Embedding(10, 3),
                  lambda L: L.nn.Embedding(10, 3, padding_idx=0, max_norm=1.0, norm_type=1.0,
                                           scale_grad_by_freq=True)],
    "Fold": [lambda L: L.nn.Fold((4, 5), (2, 2)),
             lambda L: L.nn.Fold(4, 2, dilation=2, padding=1, stride=2)],
    "GRU": [lambda L: L.nn.GRU(3, 4),
            lambda L: L.nn.GRU(3, 4, 2, bias=False, batch_first=True, dropout=0.5,
                               bidirectional=True)],
    "GRUCell": [lambda L: L.nn.GRUCell(3, 4), lambda L: L.nn.GRUCell(3, 4, bias=False)],
    "GroupNorm": [lambda L: L.nn.GroupNorm(2, 4),
                  lambda L: L.nn.GroupNorm(2, 4, eps=1e-3, affine=False)],
    "InstanceNorm1d": [lambda L: L.nn.InstanceNorm1d(4),
                       lambda L: L.nn.InstanceNorm1d(4, affine=True, track_running_stats=True)],
    "InstanceNorm2d": [lambda L: L.nn.InstanceNorm2d(4)],
    "LSTM": [lambda L: L.nn.LSTM(3, 4),
             lambda L: L.nn.LSTM(3, 4, num_layers=2, proj_size=2, bidirectional=True)],
    "LSTMCell": [lambda L: L.nn.LSTMCell(3, 4)],
    "LayerNorm": [lambda L: L.nn.LayerNorm(4),
                  lambda L: L.nn.LayerNorm((3, 4), eps=1e-3, elementwise_affine=False),
                  lambda L: L.nn.LayerNorm(4, bias=False)],
    "Linear": [lambda L: L.nn.Linear(3, 4), lambda L: L.nn.Linear(3, 4, bias=False)],
    "LocalResponseNorm": [lambda L: L.nn.LocalResponseNorm(3),
                          lambda L: L.nn.LocalResponseNorm(2, alpha=0.1, beta=0.5, k=2.0)],
    "MaxPool1d": [lambda L: L.nn.MaxPool1d(3),
                  lambda L: L.nn.MaxPool1d(3, 2, 1, dilation=2, return_indices=True,
                                           ceil_mode=True)],
    "MaxPool2d": [lambda L: L.nn.MaxPool2d(2),
                  lambda L: L.nn.MaxPool2d((3, 2), stride=1, padding=1)],
    "MultiheadAttention": [lambda L: L.nn.MultiheadAttention(8, 2),
                           lambda L: L.nn.MultiheadAttention(8, 2, dropout=0.1, bias=False,
                                                             add_bias_kv=True, kdim=4, vdim=6,
                                                             batch_first=True)],
    "PixelShuffle": [lambda L: L.nn.PixelShuffle(2)],
    "PixelUnshuffle": [lambda L: L.nn.PixelUnshuffle(3)],
    "RMSNorm": [lambda L: L.nn.RMSNorm(4),
                lambda L: L.nn.RMSNorm((3, 4), eps=1e-5, elementwise_affine=False)],
    "RNN": [lambda L: L.nn.RNN(3, 4),
            lambda L: L.nn.RNN(3, 4, 2, nonlinearity="relu", batch_first=True)],
    "RNNBase": [lambda L: L.nn.RNNBase("LSTM", 3, 4)],
    "RNNCell": [lambda L: L.nn.RNNCell(3, 4), lambda L: L.nn.RNNCell(3, 4, nonlinearity="relu")],
    "RNNCellBase": [lambda L: L.nn.RNNCellBase(3, 4, True, 2)],
    "ReflectionPad1d": [lambda L: L.nn.ReflectionPad1d(2)],
    "ReflectionPad2d": [lambda L: L.nn.ReflectionPad2d((1, 2, 0, 1))],
    "ReplicationPad1d": [lambda L: L.nn.ReplicationPad1d((3, 1))],
    "ReplicationPad2d": [lambda L: L.nn.ReplicationPad2d(1)],
    "Threshold": [lambda L: L.nn.Threshold(0.1, 20.0),
                  lambda L: L.nn.Threshold(0.1, 20.0, inplace=True)],
    "TransformerDecoder": [lambda L: L.nn.TransformerDecoder(
        L.nn.TransformerDecoderLayer(8, 2, 16), 2)],
    "TransformerDecoderLayer": [lambda L: L.nn.TransformerDecoderLayer(
        8, 2, 16, norm_first=True, activation="gelu")],
    "TransformerEncoder": [lambda L: L.nn.TransformerEncoder(
        L.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2, norm=L.nn.LayerNorm(8))],
    "TransformerEncoderLayer": [lambda L: L.nn.TransformerEncoderLayer(8, 2, 16)],
    "Transformer": [lambda L: L.nn.Transformer(8, 2, 1, 2, 16)],  # the default is 44M weights
    "Unflatten": [lambda L: L.nn.Unflatten(1, (2, 3))],
    "Unfold": [lambda L: L.nn.Unfold(2),
               lambda L: L.nn.Unfold((2, 3), dilation=2, padding=1, stride=(1, 2))],
    "ZeroPad2d": [lambda L: L.nn.ZeroPad2d(2), lambda L: L.nn.ZeroPad2d((1, 2, 3, 4))],
    # default-constructible, plus a non-default configuration
    "ELU": [lambda L: L.nn.ELU(), lambda L: L.nn.ELU(alpha=0.5, inplace=True)],
    "Flatten": [lambda L: L.nn.Flatten(), lambda L: L.nn.Flatten(0, 2)],
    "Hardtanh": [lambda L: L.nn.Hardtanh(), lambda L: L.nn.Hardtanh(-2.0, 3.0, True)],
    "LeakyReLU": [lambda L: L.nn.LeakyReLU(), lambda L: L.nn.LeakyReLU(0.2, inplace=True)],
    "Softmax": [lambda L: L.nn.Softmax(), lambda L: L.nn.Softmax(dim=1)],
    "Upsample": [lambda L: L.nn.Upsample(),
                 lambda L: L.nn.Upsample(scale_factor=2.0, mode="bilinear", align_corners=True),
                 lambda L: L.nn.Upsample(size=(3, 4))],
    "PReLU": [lambda L: L.nn.PReLU(), lambda L: L.nn.PReLU(3, init=0.1)],
    "RReLU": [lambda L: L.nn.RReLU(), lambda L: L.nn.RReLU(0.1, 0.3, True)],
    "CrossEntropyLoss": [lambda L: L.nn.CrossEntropyLoss(),
                         lambda L: L.nn.CrossEntropyLoss(ignore_index=1, reduction="sum",
                                                         label_smoothing=0.1)],
    "Dropout": [lambda L: L.nn.Dropout(), lambda L: L.nn.Dropout(0.2, True)],
    "Dropout2d": [lambda L: L.nn.Dropout2d(), lambda L: L.nn.Dropout2d(0.25, inplace=True)],
    "GELU": [lambda L: L.nn.GELU(), lambda L: L.nn.GELU("tanh")],
    "Softplus": [lambda L: L.nn.Softplus(), lambda L: L.nn.Softplus(2.0, 10.0)],
    "CELU": [lambda L: L.nn.CELU(), lambda L: L.nn.CELU(0.5, True)],
    "Sequential": [lambda L: L.nn.Sequential(),
                   lambda L: L.nn.Sequential(L.nn.Linear(2, 3), L.nn.ReLU(),
                                             L.nn.Sequential(L.nn.Dropout(0.1)))],
    "ModuleList": [lambda L: L.nn.ModuleList(),
                   lambda L: L.nn.ModuleList([L.nn.ReLU(), L.nn.ReLU(), L.nn.Tanh()])],
    "ModuleDict": [lambda L: L.nn.ModuleDict(),
                   lambda L: L.nn.ModuleDict({"b": L.nn.ReLU(), "a": L.nn.Linear(1, 2)})],
}


def module_class_names() -> list[str]:
    """Every nn.Module subclass minitorch.nn exports that torch.nn also has (and the engine
    under test, if another: the configurations here are written for minitorch's classes)."""
    lib = current().lib
    return sorted(n for n in dir(minitorch.nn)
                  if isinstance(getattr(minitorch.nn, n), type)
                  and issubclass(getattr(minitorch.nn, n), minitorch.nn.Module)
                  and hasattr(torch.nn, n) and hasattr(lib.nn, n))


def repr_of(L: Any, name: str) -> list[str]:
    """The reprs of every configuration of class `name` in engine L."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Transformer's nested-tensor notice
        return [repr(make(L)) for make in REPR_CONFIGS.get(name, [lambda L: getattr(L.nn,
                                                                                   name)()])]


def _api_reprs(L: Any) -> Any:
    return {name: repr_of(L, name) for name in module_class_names()}


API_CASES: dict[str, Callable[[Any], Any]] = {
    "hooks: call order and tensors seen, forward and backward, Sequential and children":
        _api_hook_order,
    "hooks: prepend, with_kwargs, single-value pre-hook result, remove, context manager":
        _api_hook_options,
    "hooks: always_call forward hooks run when forward raises": _api_always_call,
    "hooks: full backward hooks with tuple outputs, non-tensor args, None and replacements":
        _api_backward_hook_cases,
    "hooks: Identity, a module called twice, autograd.grad over a retained graph":
        _api_hook_reuse,
    "hooks: global module forward (pre-)hooks": _api_global_hooks,
    "ParameterList: append, extend, +=, slicing, state_dict keys, repr, errors":
        _api_parameter_list,
    "ParameterDict: update orders, pop, popitem, copy, |, setdefault, clear, repr, errors":
        _api_parameter_dict,
    "named_modules (memo, prefix, remove_duplicate) and named_buffers": _api_named_modules,
    "get_submodule / get_parameter / get_buffer and their errors": _api_get_submodule,
    "requires_grad_ and to('cpu:0') / to(device('cpu', 0), dtype)": _api_requires_grad_and_to,
    "F.bilinear / nn.Bilinear errors (class and message) and batched shape":
        _api_bilinear_errors,
    "F.dropout1d/2d/3d: shape errors, warnings, no-op forms": _api_dropout_nd_errors,
    "repr of every nn module class both engines have (REPR_CONFIGS)": _api_reprs,
}

def run_channel_dropout_stats(p: float = 0.3) -> Outcome:
    """Dropout1d/2d/3d's training masks: one decision per (sample, channel), keep rate 1 - p
    within 5 standard errors, kept values scaled by torch's own 1/(1-p), gradient = mask."""
    scale = float(torch.nn.functional.dropout(torch.ones(10_000), p).max())
    details, ok = [], True
    mt = current().lib  # the engine under test (minitorch unless --engine)
    for cls, shape in (("Dropout1d", (60, 50, 4)), ("Dropout2d", (60, 50, 2, 2)),
                       ("Dropout3d", (60, 50, 2, 1, 2))):
        mt.manual_seed(zlib_seed("channel dropout", cls, p))
        x = mt.ones(*shape, dtype=mt.float32, requires_grad=True)
        y = getattr(mt.nn, cls)(p)(x)
        y.sum().backward()
        v = y.detach().numpy().reshape(shape[0], shape[1], -1)
        channel = v[..., 0]
        whole = bool(np.all(v == channel[..., None]))
        scaled = set(np.unique(channel).tolist()) <= {0.0, np.float32(scale)}
        rate = float((channel != 0).mean())
        n = channel.size
        in_band = abs(rate - (1 - p)) <= SIGMAS * math.sqrt(p * (1 - p) / n)
        grad = bool(np.array_equal(x.grad.numpy(), y.detach().numpy()))
        ok = ok and whole and scaled and in_band and grad
        details.append(f"{cls}: keep {rate:.3f}" + ("" if whole and scaled and grad
                                                     else " (mask wrong)"))
    return Outcome(status="ok" if ok else "FAIL", detail="; ".join(details),
                   checks="mask statistics")


COVERS = (
    "nn.ParameterList", "nn.ParameterDict", "nn.Bilinear", "F.bilinear", "bilinear",
    "nn.Dropout1d", "nn.Dropout2d", "nn.Dropout3d", "F.dropout1d", "F.dropout2d", "F.dropout3d",
    "nn.Module.register_forward_pre_hook", "nn.Module.register_forward_hook",
    "nn.Module.register_full_backward_pre_hook", "nn.Module.register_full_backward_hook",
    "nn.modules.module.register_module_forward_pre_hook",
    "nn.modules.module.register_module_forward_hook", "utils.hooks.RemovableHandle",
)

KNOWN_DIFFERENCES = (
    ("Dropout1d / Dropout2d / Dropout3d in training mode (0 < p < 1)",
     "the channel masks come from minitorch's generator; compared in eval mode and with p=0 "
     "and p=1 against torch, and by their statistics in tests/nn/test_nn_modules_new.py"),
    ("register_backward_hook (torch's deprecated non-full hook)",
     "not implemented: raises NotImplementedError pointing at register_full_backward_hook"),
    ("in-place op on a tensor passing through a module with full backward hooks",
     "torch refuses it (the tensor is a view made by BackwardHookFunction); minitorch hands "
     "the module a copy, so the in-place op works and the gradients are right"),
    ("ParameterList / ParameterDict repr",
     "names the engine's dtype ('minitorch.float32', 'minitorch.FloatTensor') where torch "
     "prints 'torch.float32', 'torch.FloatTensor'"),
)
