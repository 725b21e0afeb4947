# RUN: %python %s
"""xfmr.linear against the float64 reference: T=1, odd sizes, no bias,
batch dims, a dynamic token count compiled once and run for several T, and
f16 storage. Dynamic batch AND token dims: batch-dynamic.py."""
import sys

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, randn, rng, ttype, weight

import numpy as np

h = Harness("xfmr.linear")
g = rng(1)


def build(name, xshape, n, bias, dtype=np.float32, dyn=()):
    k = xshape[-1]
    tx = ttype(xshape, dtype, dyn)
    tw = ttype((n, k), dtype)
    ty = ttype(tuple(xshape[:-1]) + (n,), dtype, dyn)
    args = [("x", tx), ("w", tw)]
    if bias:
        tb = ttype((n,), dtype)
        args.append(("b", tb))
        op = "%%y = xfmr.linear %%x, %%w, %%b : %s, %s, %s" % (tx, tw, tb)
    else:
        op = "%%y = xfmr.linear %%x, %%w : %s, %s" % (tx, tw)
    body = op + "\nreturn %%y : %s" % ty
    return h.module(func_module("f", args, [ty], body), name)


def data(xshape, n, bias, dtype=np.float32):
    k = xshape[-1]
    x = randn(g, xshape, dtype=dtype)
    w = weight(g, (n, k), dtype)
    ins = [x, w]
    b = None
    if bias:
        b = randn(g, (n,), 0.5, dtype)
        ins.append(b)
    return ins, ref.linear(x, w, b)


# Static shapes through the JIT.
for xshape, n, bias in [((1, 64), 128, True), ((7, 96), 40, False),
                        ((2, 5, 64), 24, True), ((3, 1), 5, True)]:
    ins, want = data(xshape, n, bias)
    label = "linear x=%s N=%d %s" % ("x".join(map(str, xshape)), n,
                                     "bias" if bias else "nobias")
    h.case(label, build(label, xshape, n, bias), "f", ins, [want])

# Dynamic T: one shared library, several token counts.
for bias in (True, False):
    m = build("linear_dyn_%d" % bias, (0, 64), 128, bias, dyn=(0,))
    cases = []
    for t in (1, 5, 33):
        ins, want = data((t, 64), 128, bias)
        cases.append(("T=%d" % t, ins, [want]))
    h.sweep("linear K=64 N=128 %s dyn" % ("bias" if bias else "nobias"), m,
            "f", cases)

# f16 storage with f32 accumulation; tolerance: rtol 4e-3, atol 4e-3 (the
# f16 result itself is rounded to 2^-11 relative).
for t in (1, 9):
    ins, want = data((t, 64), 32, True, np.float16)
    label = "linear f16 T=%d K=64 N=32" % t
    h.case(label, build(label, (t, 64), 32, True, np.float16), "f", ins,
           [want], rtol=4e-3, atol=4e-3, dtypes=[np.float16])

sys.exit(h.finish())
