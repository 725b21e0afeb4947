# RUN: %python %s
"""xfmr.rms_norm (x / sqrt(mean(x²) + ε) · weight): default and explicit
epsilon, T=1, one to three batch dims, a dynamic token count compiled once,
f16 storage."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, mlir_float, randn, rng, ttype

h = Harness("xfmr.rms_norm")
g = rng(7)


def build(name, xshape, eps=None, dtype=np.float32, dyn=()):
    d = xshape[-1]
    tx, tw = ttype(xshape, dtype, dyn), ttype((d,), dtype)
    attr = "" if eps is None else " {epsilon = %s : f32}" % mlir_float(eps)
    return h.module(func_module(
        "f", [("x", tx), ("w", tw)], [tx],
        "%%y = xfmr.rms_norm %%x, %%w%s : %s, %s\nreturn %%y : %s"
        % (attr, tx, tw, tx)), name)


def data(xshape, eps, dtype=np.float32, scale=1.5):
    x = randn(g, xshape, scale, dtype)
    w = (1.0 + randn(g, (xshape[-1],), 0.2)).astype(dtype)
    return [x, w], ref.rms_norm(x, w, 1e-6 if eps is None else eps)


for xshape, eps in [((1, 64), None), ((5, 96), 1e-5), ((2, 7, 96), None),
                    ((2, 3, 4, 32), 1e-5), ((3, 256), 1e-6)]:
    label = "rms_norm x=%s eps=%s" % ("x".join(map(str, xshape)),
                                      "default" if eps is None else eps)
    ins, want = data(xshape, eps)
    h.case(label, build(label, xshape, eps), "f", ins, [want])

# Tiny inputs: epsilon dominates the denominator.
ins, want = data((4, 64), 1e-5, scale=1e-3)
h.case("rms_norm x=4x64 eps=1e-05 tiny-x", build("rms_tiny", (4, 64), 1e-5),
       "f", ins, [want])

m = build("rms_dyn", (0, 256), 1e-5, dyn=(0,))
cases = []
for t in (1, 7, 32):
    ins, want = data((t, 256), 1e-5)
    cases.append(("T=%d" % t, ins, [want]))
h.sweep("rms_norm [?,256] dyn", m, "f", cases)

m = build("rms_dyn3", (0, 0, 64), None, dyn=(0, 1))
cases = []
for b, t in ((1, 1), (3, 5)):
    ins, want = data((b, t, 64), None)
    cases.append(("B=%d T=%d" % (b, t), ins, [want]))
h.sweep("rms_norm [?,?,64] dyn", m, "f", cases)

# f16 storage, statistics in f32; tolerance rtol 4e-3, atol 4e-3.
for xshape in ((1, 128), (6, 128)):
    label = "rms_norm f16 x=%s" % "x".join(map(str, xshape))
    ins, want = data(xshape, 1e-5, np.float16)
    h.case(label, build(label, xshape, 1e-5, np.float16), "f", ins, [want],
           rtol=4e-3, atol=4e-3, dtypes=[np.float16])

sys.exit(h.finish())
