# RUN: %python -m pytest -q -s -p no:cacheprovider %s
"""The xfmr Python API: parse, print, pipelines, compile (JIT and shared
library), load, call with numpy arrays and torch tensors, and the errors."""

import numpy as np
import pytest
import torch

import xfmr
import xfmr_reference as ref
from conftest import assert_close

LINEAR = """
func.func @lin(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>)
    -> tensor<?x3xf32> {
  %y = xfmr.linear %x, %w, %b : tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>
  return %y : tensor<?x3xf32>
}
func.func @two(%x: tensor<2xi32>) -> (tensor<2xi32>, tensor<2xi32>) {
  return %x, %x : tensor<2xi32>, tensor<2xi32>
}
"""

rng = np.random.default_rng(0)


def data(*shape):
    return rng.standard_normal(shape).astype(np.float32)


@pytest.fixture(scope="module")
def exe():
    return xfmr.compile(LINEAR, opt_level=3)


def test_call_numpy(exe):
    x, w, b = data(5, 4), data(3, 4), data(3)
    y = exe.lin(x, w, b)
    assert isinstance(y, np.ndarray) and y.dtype == np.float32
    assert_close("linear", y, ref.linear(x, w, b))
    # lin_prepare / lin_prepared: the weight-preparation form of lin.
    assert exe.functions == ["lin", "lin_prepare", "lin_prepared", "two"]
    assert exe["lin"].signature["args"][0] == {"name": "x", "dtype": "f32",
                                               "shape": (None, 4)}


def test_dynamic_tokens(exe):
    w, b = data(3, 4), data(3)
    for t in (0, 1, 7):
        x = data(t, 4)
        assert_close("linear T=%d" % t, exe.lin(x, w, b), ref.linear(x, w, b))


def test_strided_inputs(exe):
    x, w, b = data(4, 6).T, data(4, 3).T, data(6)[::2]   # transposed, stepped
    assert not x.flags.c_contiguous and not b.flags.c_contiguous
    assert_close("linear strided", exe.lin(x, w, b), ref.linear(x, w, b))
    xr = data(5, 4)[::-1]                                # negative strides
    assert_close("linear reversed", exe.lin(xr, w, b), ref.linear(xr, w, b))


def test_torch_tensors(exe):
    x, w, b = torch.randn(5, 4), torch.randn(3, 4), torch.randn(3)
    y = exe.lin(x, w, b)
    assert_close("linear torch", y, ref.linear(x.numpy(), w.numpy(), b.numpy()))
    xt = torch.randn(4, 5).t()                           # non-contiguous view
    assert_close("linear torch strided", exe.lin(xt, w, b),
                 ref.linear(xt.numpy(), w.numpy(), b.numpy()))


def test_multiple_results(exe):
    a, c = exe.two(np.array([3, 4], dtype=np.int32))
    assert a.tolist() == [3, 4] and c.tolist() == [3, 4]


def test_results_are_owned(exe):
    x, w, b = data(2, 4), data(3, 4), data(3)
    ys = [exe.lin(x, w, b) for _ in range(3)]
    ys[0][...] = 0          # writable, independent buffers
    assert_close("linear owned", ys[1], ref.linear(x, w, b))


def test_call_errors(exe):
    x, w, b = data(5, 4), data(3, 4), data(3)
    with pytest.raises(xfmr.Error, match=r"argument 1 \('w'\): expected "
                       r"dimension 1 to be 4, got 5"):
        exe.lin(x, data(3, 5), b)
    with pytest.raises(xfmr.Error, match="takes 3 inputs, got 2"):
        exe.lin(x, w)
    with pytest.raises(xfmr.Error, match="numpy dtype float64"):
        exe.lin(x.astype(np.float64), w, b)
    with pytest.raises(xfmr.Error, match="expected element type f32, got i32"):
        exe.lin(x, w, b.astype(np.int32))
    with pytest.raises(AttributeError, match="no function 'nope'; the module "
                       "has: lin, lin_prepare, lin_prepared, two"):
        exe.nope
    with pytest.raises(xfmr.Error, match="2 functions"):
        exe(x, w, b)


def test_parse_errors():
    with pytest.raises(xfmr.Error, match=r"model.mlir:2:8: error: 'xfmr.linear' "
                       r"op operand 'w' dimension 1"):
        xfmr.Module.parse(
            "func.func @f(%x: tensor<2x4xf32>, %w: tensor<3x5xf32>) -> tensor<2x3xf32> {\n"
            "  %y = xfmr.linear %x, %w : tensor<2x4xf32>, tensor<3x5xf32>\n"
            "  return %y : tensor<2x3xf32>\n}\n", "model.mlir")
    with pytest.raises(xfmr.Error, match="<input>:1:1: error"):
        xfmr.compile("this is not mlir")


def test_print_and_pipelines():
    m = xfmr.Module.parse(LINEAR)
    assert "xfmr.linear" in m.print()
    assert '"xfmr.linear"' in m.print(generic=True)
    m.run_pipeline("xfmr-to-linalg-pipeline")
    assert "linalg.matmul" in str(m) and "xfmr.linear" not in str(m)
    m.run_pipeline("canonicalize,cse")
    with pytest.raises(xfmr.Error, match="'no-such-pass' does not refer to a "
                       "registered pass or pass pipeline"):
        m.run_pipeline("no-such-pass")
    # The lowered module still compiles.
    x, w, b = data(2, 4), data(3, 4), data(3)
    assert_close("linear after pipeline", m.compile().lin(x, w, b),
                 ref.linear(x, w, b))


def test_compile_options():
    m = xfmr.Module.parse(LINEAR)
    x, w, b = data(17, 4), data(3, 4), data(3)
    for opts in ({"vectorize": False}, {"opt_level": 0},
                 {"matmul_pack_threshold": 1}):
        assert_close("linear %s" % opts, m.compile(**opts).lin(x, w, b),
                     ref.linear(x, w, b))
    with pytest.raises(xfmr.Error, match="no-such-option"):
        m.compile(no_such_option=1)
    with pytest.raises(xfmr.Error, match="unknown target 'cuda'"):
        m.compile(target="cuda")


def test_shared_library(tmp_path):
    path = tmp_path / "lin.so"
    exe = xfmr.compile(LINEAR, shared_library=path)
    assert path.exists() and (tmp_path / "lin.h").exists()
    x, w, b = data(3, 4), data(3, 4), data(3)
    assert_close("linear .so", exe.lin(x, w, b), ref.linear(x, w, b))
    again = xfmr.load(path)
    assert_close("linear load", again.lin(x, w, b), ref.linear(x, w, b))
    with pytest.raises(xfmr.Error, match="cannot open"):
        xfmr.load(tmp_path / "missing.so")
