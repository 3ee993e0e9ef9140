"""Focused checks of the vision functionals and modules against torch: values and
gradients on small inputs, torch's index rules for interpolate, running statistics,
init distributions and the error classes. The full sweep is parity/rows_vision.py
and parity/modules_vision.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minitorch as mt
import minitorch.nn.functional as MF


def _both(fn_name: str, arrays: list[np.ndarray], *args, **kwargs):
    """Run F.fn_name in both engines on the same arrays; return outputs and input grads."""
    tin = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    min_ = [mt.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    to = getattr(TF, fn_name)(*tin, *args, **kwargs)
    mo = getattr(MF, fn_name)(*min_, *args, **kwargs)
    if isinstance(to, tuple):
        np.testing.assert_array_equal(mo[1].detach().numpy(), to[1].numpy())  # indices exactly
        to, mo = to[0], mo[0]
    g = np.random.default_rng(1).standard_normal(tuple(to.shape)).astype(arrays[0].dtype)
    to.backward(torch.tensor(g))
    mo.backward(mt.tensor(g))
    return to, mo, tin, min_


def _check(fn_name: str, arrays: list[np.ndarray], *args, tol: float = 1e-10, **kwargs):
    to, mo, tin, min_ = _both(fn_name, arrays, *args, **kwargs)
    assert tuple(mo.shape) == tuple(to.shape)
    assert mo.dtype == getattr(mt, str(to.dtype).split(".")[1])
    np.testing.assert_allclose(mo.detach().numpy(), to.detach().numpy(), rtol=tol, atol=tol)
    for t, m in zip(tin, min_):
        if t.grad is not None:
            np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)


R = np.random.default_rng(0)


def rnd(*shape: int, dtype=np.float64) -> np.ndarray:
    return R.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("mode,align", [("nearest", None), ("nearest-exact", None),
                                        ("bilinear", False), ("bilinear", True),
                                        ("bicubic", False), ("bicubic", True), ("area", None)])
@pytest.mark.parametrize("how", [{"size": (7, 3)}, {"scale_factor": 1.7},
                                 {"scale_factor": (0.6, 2.5)}, {"size": (1, 9)}])
def test_interpolate_modes_match_torch(mode, align, how) -> None:
    _check("interpolate", [rnd(2, 2, 5, 4)], mode=mode, align_corners=align, **how)


def test_interpolate_nearest_indices_every_size() -> None:
    # torch computes nearest indices in float32: every (in, out) pair up to 12 x 30.
    for n in range(1, 13):
        x = np.arange(n, dtype=np.float32).reshape(1, 1, n)
        for o in range(1, 31):
            for mode in ("nearest", "nearest-exact"):
                for kw in ({"size": o}, {"scale_factor": o / n}):
                    want = TF.interpolate(torch.tensor(x), mode=mode, **kw).numpy()
                    got = MF.interpolate(mt.tensor(x), mode=mode, **kw).numpy()
                    np.testing.assert_array_equal(got, want, err_msg=f"{n}->{o} {mode} {kw}")


def test_interpolate_float32_linear_and_1d_3d() -> None:
    _check("interpolate", [rnd(2, 3, 5, 4, dtype=np.float32)], scale_factor=2.3,
           mode="bilinear", tol=1e-5)
    _check("interpolate", [rnd(2, 3, 7)], size=11, mode="linear")
    _check("interpolate", [rnd(1, 2, 3, 4, 3)], size=(4, 6, 2), mode="trilinear")


def test_interpolate_errors() -> None:
    x = mt.ones(1, 2, 4, 4)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        MF.interpolate(x)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        MF.interpolate(x, size=3, scale_factor=2.0)
    with pytest.raises(ValueError, match="align_corners option"):
        MF.interpolate(x, size=3, align_corners=True)
    with pytest.raises(NotImplementedError, match="linear mode needs 3D input"):
        MF.interpolate(x, size=3, mode="linear")
    with pytest.raises(RuntimeError, match="greater than 0"):
        MF.interpolate(mt.ones(1, 2, 3), size=0)
    with pytest.warns(UserWarning, match="deprecated"):
        MF.upsample(x, scale_factor=2)


@pytest.mark.parametrize("name,shape,args,kw", [
    ("adaptive_avg_pool1d", (2, 3, 7), (3,), {}),
    ("adaptive_avg_pool2d", (2, 3, 7, 5), ((3, None),), {}),
    ("adaptive_max_pool1d", (2, 3, 7), (4,), {"return_indices": True}),
    ("adaptive_max_pool2d", (3, 7, 5), ((3, 4),), {"return_indices": True}),
    ("max_pool1d", (2, 3, 9), (3, 2, 1), {"return_indices": True}),
    ("avg_pool1d", (2, 3, 9), (3, 2, 1), {"count_include_pad": False, "ceil_mode": True}),
    ("lp_pool2d", (2, 3, 7, 6), (2.0, (2, 3), 1), {}),
    ("local_response_norm", (2, 6, 3, 4), (4,), {"alpha": 0.1, "beta": 0.5, "k": 2.0}),
    ("pixel_shuffle", (5, 2, 18, 3, 4), (3,), {}),
    ("pixel_unshuffle", (2, 2, 6, 4), (2,), {}),
    ("unfold", (2, 3, 7, 6), ((2, 3),), {"dilation": (2, 1), "padding": 1, "stride": (2, 1)}),
    ("fold", (2, 12, 18), ((5, 6), (2, 3)), {"stride": (2, 1), "padding": 1}),
    ("rms_norm", (2, 6, 3), ((6, 3),), {}),
])
def test_functional_matches_torch(name, shape, args, kw) -> None:
    _check(name, [rnd(*shape)], *args, **kw)


@pytest.mark.parametrize("shape", [(2, 6, 3), (2, 6, 3, 2)])
def test_local_response_norm_int64_takes_the_truncated_integer_mean(shape) -> None:
    # torch averages the int64 squares with avg_pool (integer division) before the float factor
    x = np.random.default_rng(3).integers(-9, 10, shape)
    kw = {"alpha": 3e-2, "beta": 0.5, "k": 1.25}
    want = TF.local_response_norm(torch.tensor(x), 3, **kw)
    got = MF.local_response_norm(mt.tensor(x), 3, **kw)
    assert got.dtype == mt.float32
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=0)
    with pytest.raises(NotImplementedError, match="avg_pool"):
        MF.local_response_norm(mt.tensor(x.astype(np.int32)), 3)
    with pytest.raises(NotImplementedError, match="avg_pool"):
        TF.local_response_norm(torch.tensor(x.astype(np.int32)), 3)


def test_adaptive_max_pool_nan_and_ties() -> None:
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 1] = np.nan
    to, ti = TF.adaptive_max_pool2d(torch.tensor(x), 2, return_indices=True)
    mo, mi = MF.adaptive_max_pool2d(mt.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(mi.numpy(), ti.numpy())
    np.testing.assert_array_equal(mo.numpy(), to.numpy())


def test_max_unpool2d_inverts_max_pool2d() -> None:
    x = torch.tensor(rnd(2, 3, 6, 6))
    out, idx = TF.max_pool2d(x, 2, return_indices=True)
    _check("max_unpool2d", [out.numpy(), idx.numpy()], 2, output_size=(7, 7))
    with pytest.raises(RuntimeError, match="invalid max index"):
        MF.max_unpool2d(mt.ones(1, 1, 2, 2), mt.tensor([[[[0, 1], [2, 99]]]]), 2)


def test_group_norm_and_instance_norm() -> None:
    x, w, b = rnd(2, 6, 3, 2), rnd(6), rnd(6)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    mx, mw, mb = (mt.tensor(a, requires_grad=True) for a in (x, w, b))
    to, mo = TF.group_norm(tx, 3, tw, tb), MF.group_norm(mx, 3, mw, mb)
    (to * to).sum().backward()
    (mo * mo).sum().backward()
    np.testing.assert_allclose(mo.detach().numpy(), to.detach().numpy(), rtol=1e-10, atol=1e-12)
    for t, m in ((tx, mx), (tw, mw), (tb, mb)):
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)
    _check("instance_norm", [rnd(2, 3, 4, 4)], None, None)
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        MF.group_norm(mt.ones(2, 6, 3), 4)
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        MF.instance_norm(mt.ones(1, 6, 1))


def test_instance_norm_running_stats_match_torch() -> None:
    x = rnd(3, 4, 5)
    trm, trv = torch.zeros(4, dtype=torch.float64), torch.ones(4, dtype=torch.float64)
    mrm, mrv = mt.zeros(4, dtype=mt.float64), mt.ones(4, dtype=mt.float64)
    for _ in range(2):
        TF.instance_norm(torch.tensor(x), trm, trv, momentum=0.3)
        MF.instance_norm(mt.tensor(x), mrm, mrv, momentum=0.3)
    np.testing.assert_allclose(mrm.numpy(), trm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(mrv.numpy(), trv.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name,xs,ws,nb,kw", [
    ("conv_transpose2d", (2, 4, 5, 6), (4, 3, 3, 2), 6,
     {"stride": (2, 3), "padding": (2, 0), "output_padding": (1, 2), "groups": 2,
      "dilation": (1, 2)}),
    ("conv_transpose2d", (4, 5, 6), (4, 3, 3, 2), 0, {"stride": 2, "padding": 3, "dilation": 2}),
    ("conv_transpose1d", (2, 4, 7), (4, 3, 3), 3, {"stride": 3, "padding": 1,
                                                   "output_padding": 2}),
    ("conv3d", (2, 4, 5, 4, 3), (6, 2, 3, 2, 2), 6, {"stride": (2, 1, 2), "padding": (1, 0, 1),
                                                     "dilation": (2, 1, 1), "groups": 2}),
])
def test_convolutions_match_torch(name, xs, ws, nb, kw) -> None:
    arrays = [rnd(*xs), rnd(*ws)] + ([rnd(nb)] if nb else [])
    _check(name, arrays, tol=1e-9, **kw)


def test_conv_transpose_errors() -> None:
    with pytest.raises(RuntimeError, match="output padding must be smaller"):
        MF.conv_transpose2d(mt.ones(1, 4, 3, 3), mt.ones(4, 2, 3, 3), stride=2, output_padding=2)
    with pytest.raises(RuntimeError, match="to have 4 channels"):
        MF.conv_transpose2d(mt.ones(1, 3, 3, 3), mt.ones(4, 2, 3, 3))


def test_conv_transpose_module_output_size_and_init() -> None:
    torch.manual_seed(0)
    tm = torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1).double()
    mm = mt.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, dtype=mt.float64)
    assert repr(mm) == repr(tm)
    assert tuple(mm.weight.shape) == tuple(tm.weight.shape)
    # kaiming_uniform(a=sqrt(5)) with fan_in = out/groups * k*k = 54: bound 1/sqrt(54)
    bound = 1 / np.sqrt(54)
    assert np.abs(mm.weight.array).max() <= bound and np.abs(mm.bias.array).max() <= bound
    mm.weight.array[...] = tm.weight.detach().numpy()
    mm.bias.array[...] = tm.bias.detach().numpy()
    x = rnd(2, 4, 5, 5)
    want = tm(torch.tensor(x), output_size=(10, 10)).detach().numpy()
    got = mm(mt.tensor(x), output_size=(10, 10)).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-10)
    with pytest.raises(ValueError, match="requested an output size"):
        mm(mt.tensor(x), output_size=(12, 12))


@pytest.mark.parametrize("ctor", [
    "GroupNorm(2, 4)", "GroupNorm(2, 4, affine=False)", "InstanceNorm1d(3)",
    "InstanceNorm2d(3, affine=True, track_running_stats=True)", "RMSNorm((3, 5))",
    "LocalResponseNorm(3)", "Upsample(scale_factor=2, mode='bilinear')", "Upsample(size=4)",
    "ConvTranspose1d(4, 6, 3, stride=2, output_padding=1)", "Conv3d(3, 4, 2, padding=1)",
    "MaxPool1d(3, stride=2)", "AvgPool1d(3)", "AdaptiveAvgPool2d((3, None))",
    "AdaptiveMaxPool2d(2)", "PixelShuffle(2)", "Fold((4, 5), 2)", "Unfold(2, stride=2)",
    "ZeroPad2d(1)", "ConstantPad1d(2, 3.5)", "ConstantPad2d((1, 2, 0, 1), -1.0)",
    "ReflectionPad1d(2)", "ReflectionPad2d((1, 2, 0, 1))", "ReplicationPad1d((1, 3))",
    "ReplicationPad2d(2)",
])
def test_module_reprs_and_parameter_names(ctor) -> None:
    tm = eval(f"torch.nn.{ctor}")
    mm = eval(f"mt.nn.{ctor}")
    assert repr(mm) == repr(tm)
    assert [(n, tuple(p.shape)) for n, p in mm.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    assert [n for n, _ in mm.named_buffers()] == [n for n, _ in tm.named_buffers()]


def test_module_errors() -> None:
    with pytest.raises(ValueError, match="must be divisible by num_groups"):
        mt.nn.GroupNorm(3, 4)
    with pytest.raises(ValueError, match="expected 3D or 4D input"):
        mt.nn.InstanceNorm2d(3)(mt.ones(3, 4))
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        mt.nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")


@pytest.mark.parametrize("name,shape,args,kw", [
    ("max_pool3d", (2, 3, 5, 6, 7), (3, 2, 1), {"return_indices": True}),
    ("max_pool3d", (3, 7, 6, 7), ((3, 2, 3), (2, 1, 2), (1, 0, 1)),
     {"dilation": (2, 1, 1), "ceil_mode": True}),
    ("avg_pool3d", (3, 7, 6, 7), ((3, 2, 3), (2, 1, 2), (1, 0, 1)),
     {"ceil_mode": True, "count_include_pad": False}),
    ("avg_pool3d", (2, 3, 5, 6, 7), (3, 2, 1), {"divisor_override": 5}),
])
def test_pool3d_matches_torch(name, shape, args, kw) -> None:
    _check(name, [rnd(*shape)], *args, **kw)


def test_max_pool3d_ties_and_nan_pick_torch_index() -> None:
    x = np.zeros((1, 1, 4, 4, 4))
    _check("max_pool3d", [x], 3, 1, 1, return_indices=True)
    x[0, 0, 1, 1, 1] = x[0, 0, 2, 2, 2] = np.nan
    _, ti = TF.max_pool3d(torch.tensor(x), 3, 1, 1, return_indices=True)
    _, mi = MF.max_pool3d(mt.tensor(x), 3, 1, 1, return_indices=True)
    np.testing.assert_array_equal(mi.numpy(), ti.numpy())
    with pytest.raises(RuntimeError, match="4D or 5D"):
        MF.max_pool3d(mt.ones(4, 3, 3), 2)
