# RUN: %python %s
"""xfmr.layer_norm (biased variance, like torch.nn.LayerNorm): inputs with a
large common offset (so a one-pass E[x²]-E[x]² would show), default and
explicit epsilon, T=1, batch dims, a dynamic token count compiled once, f16
storage."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, mlir_float, randn, rng, ttype

h = Harness("xfmr.layer_norm")
g = rng(8)


def build(name, xshape, eps=None, dtype=np.float32, dyn=()):
    d = xshape[-1]
    tx, tw = ttype(xshape, dtype, dyn), ttype((d,), dtype)
    attr = "" if eps is None else " {epsilon = %s : f32}" % mlir_float(eps)
    return h.module(func_module(
        "f", [("x", tx), ("w", tw), ("b", tw)], [tx],
        "%%y = xfmr.layer_norm %%x, %%w, %%b%s : %s, %s, %s\nreturn %%y : %s"
        % (attr, tx, tw, tw, tx)), name)


def data(xshape, eps, dtype=np.float32, offset=3.0):
    x = (offset + randn(g, xshape, 2.0)).astype(dtype)
    w = (1.0 + randn(g, (xshape[-1],), 0.2)).astype(dtype)
    b = randn(g, (xshape[-1],), 0.3, dtype)
    return [x, w, b], ref.layer_norm(x, w, b, 1e-5 if eps is None else eps)


for xshape, eps in [((1, 64), None), ((5, 96), 1e-6), ((2, 7, 96), None),
                    ((2, 3, 4, 32), 1e-5), ((3, 768), 1e-12)]:
    label = "layer_norm x=%s eps=%s" % ("x".join(map(str, xshape)),
                                        "default" if eps is None else eps)
    ins, want = data(xshape, eps)
    h.case(label, build(label, xshape, eps), "f", ins, [want])

# Rows of identical values: zero variance, epsilon alone normalises.
x = np.full((2, 32), 4.25, np.float32)
w = np.ones(32, np.float32)
b = randn(g, (32,), 0.3)
h.case("layer_norm x=2x32 constant rows", build("ln_const", (2, 32)), "f",
       [x, w, b], [ref.layer_norm(x, w, b)])

m = build("ln_dyn", (0, 256), None, dyn=(0,))
cases = []
for t in (1, 7, 32):
    ins, want = data((t, 256), None)
    cases.append(("T=%d" % t, ins, [want]))
h.sweep("layer_norm [?,256] dyn", m, "f", cases)

# f16 storage, statistics in f32; tolerance rtol 4e-3, atol 4e-3.
for xshape in ((1, 128), (6, 128)):
    label = "layer_norm f16 x=%s" % "x".join(map(str, xshape))
    ins, want = data(xshape, None, np.float16)
    h.case(label, build(label, xshape, None, np.float16), "f", ins, [want],
           rtol=4e-3, atol=4e-3, dtypes=[np.float16])

sys.exit(h.finish())
