# RUN: %python %s
"""xfmr.rope (Hugging Face Llama rotate-half): i32 and i64 positions, T=1,
partial rotary_dim, custom theta, the batched [B, T, H, Dh] form with [T]
and [B, T] positions, a dynamic token count compiled once (positions offset
as in decode), long-context positions, f16 storage."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, mlir_float, randn, rng, ttype

h = Harness("xfmr.rope")
g = rng(9)


def build(name, xshape, pshape, pdtype=np.int32, theta=None, rotary_dim=None,
          dtype=np.float32, xdyn=(), pdyn=()):
    tx = ttype(xshape, dtype, xdyn)
    tp = ttype(pshape, pdtype, pdyn)
    attrs = []
    if theta is not None:
        attrs.append("theta = %s : f64" % mlir_float(theta))
    if rotary_dim is not None:
        attrs.append("rotary_dim = %d : i64" % rotary_dim)
    attr = " {%s}" % ", ".join(attrs) if attrs else ""
    return h.module(func_module(
        "f", [("x", tx), ("pos", tp)], [tx],
        "%%y = xfmr.rope %%x, %%pos%s : %s, %s\nreturn %%y : %s"
        % (attr, tx, tp, tx)), name)


def shp(s):
    return "x".join(map(str, s))


# (x shape, positions, theta, rotary_dim, positions dtype)
static = [
    ((1, 4, 64), np.array([5]), None, None, np.int32),
    ((7, 8, 32), np.arange(7), None, None, np.int64),
    ((6, 2, 64), np.arange(10, 16), 500000.0, 32, np.int32),
    ((5, 3, 128), np.array([0, 3, 1, 30, 2]), 10000.0, 96, np.int64),
    ((2, 5, 4, 32), np.arange(3, 8), None, None, np.int32),
    ((2, 5, 4, 32), np.array([[0, 1, 2, 3, 4], [20, 21, 22, 23, 24]]), None,
     None, np.int32),
    ((3, 1, 2, 16), np.array([[7], [0], [60]]), 1e6, 8, np.int64),
]
for xshape, pos, theta, rdim, pdt in static:
    pos = pos.astype(pdt)
    label = "rope x=%s pos=%s%s%s %s" % (
        shp(xshape), shp(pos.shape), "" if theta is None else
        " theta=%g" % theta, "" if rdim is None else " rotary_dim=%d" % rdim,
        np.dtype(pdt).name)
    x = randn(g, xshape)
    want = ref.rope(x, pos, 10000.0 if theta is None else theta, rdim)
    h.case(label, build(label, xshape, pos.shape, pdt, theta, rdim), "f",
           [x, pos], [want])

# Dynamic T, positions continuing a sequence like a decode step would.
m = build("rope_dyn", (0, 8, 32), (0,), xdyn=(0,), pdyn=(0,))
cases = []
for t, start in ((1, 0), (1, 37), (9, 3), (32, 0)):
    x = randn(g, (t, 8, 32))
    pos = np.arange(start, start + t, dtype=np.int32)
    cases.append(("T=%d pos=%d.." % (t, start), [x, pos],
                  [ref.rope(x, pos, 10000.0)]))
h.sweep("rope [?,8,32] dyn", m, "f", cases)

m = build("rope_dyn4", (2, 0, 4, 64), (2, 0), pdtype=np.int64, rotary_dim=32,
          xdyn=(1,), pdyn=(1,))
cases = []
for t in (1, 6):
    x = randn(g, (2, t, 4, 64))
    pos = np.stack([np.arange(t), np.arange(11, 11 + t)]).astype(np.int64)
    cases.append(("T=%d" % t, [x, pos], [ref.rope(x, pos, 10000.0, 32)]))
h.sweep("rope [2,?,4,64] pos=[2,?] rotary_dim=32 dyn", m, "f", cases)

# Long context: with the angle computed in f32 (as Hugging Face does),
# positions near 4000 carry ~2.4e-4 rad of rounding in the angle itself, so
# this case uses rtol 2e-3, atol 2e-3.
x = randn(g, (4, 4, 64))
pos = np.arange(4000, 4004, dtype=np.int32)
label = "rope x=4x4x64 pos=4000.. long-context"
h.case(label, build(label, (4, 4, 64), (4,)), "f", [x, pos],
       [ref.rope(x, pos)], rtol=2e-3, atol=2e-3)

# f16 storage, f32 math: tolerance rtol 4e-3, atol 4e-3.
for t in (1, 5):
    x = randn(g, (t, 4, 64), dtype=np.float16)
    pos = np.arange(2, 2 + t, dtype=np.int32)
    label = "rope f16 x=%dx4x64" % t
    h.case(label, build(label, (t, 4, 64), (t,), dtype=np.float16), "f",
           [x, pos], [ref.rope(x, pos)], rtol=4e-3, atol=4e-3,
           dtypes=[np.float16])

sys.exit(h.finish())
