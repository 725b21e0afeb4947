# RUN: %python %s
"""xfmr.ffn (act(x·w_upᵀ + b_up)·w_downᵀ + b_down) with every combination
of the optional biases: T=1, batch dims, a dynamic token count compiled
once."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, randn, rng, ttype, weight

h = Harness("xfmr.ffn")
g = rng(5)


def build(name, xshape, f, kind, b_up, b_down, dtype=np.float32, dyn=()):
    d = xshape[-1]
    tx = ttype(xshape, dtype, dyn)
    tu, td = ttype((f, d), dtype), ttype((d, f), dtype)
    tbu, tbd = ttype((f,), dtype), ttype((d,), dtype)
    args = [("x", tx), ("wu", tu), ("wd", td)]
    op = "%%y = xfmr.ffn <%s> %%x, %%wu, %%wd" % kind
    if b_up:
        args.append(("bu", tbu))
        op += " b_up(%%bu : %s)" % tbu
    if b_down:
        args.append(("bd", tbd))
        op += " b_down(%%bd : %s)" % tbd
    op += " : %s, %s, %s\nreturn %%y : %s" % (tx, tu, td, tx)
    return h.module(func_module("f", args, [tx], op), name)


def data(xshape, f, kind, b_up, b_down, dtype=np.float32):
    d = xshape[-1]
    x = randn(g, xshape, dtype=dtype)
    wu, wd = weight(g, (f, d), dtype), weight(g, (d, f), dtype)
    bu = randn(g, (f,), 0.5, dtype) if b_up else None
    bd = randn(g, (d,), 0.5, dtype) if b_down else None
    ins = [x, wu, wd] + [b for b in (bu, bd) if b is not None]
    return ins, ref.ffn(x, wu, wd, kind, bu, bd)


def bias_name(b_up, b_down):
    return {(0, 0): "nobias", (1, 0): "b_up", (0, 1): "b_down",
            (1, 1): "b_up+b_down"}[(int(b_up), int(b_down))]


for xshape, f, kind in [((1, 64), 256, "gelu"), ((6, 48), 96, "relu"),
                        ((2, 5, 32), 80, "gelu_tanh")]:
    for b_up, b_down in ((0, 0), (1, 0), (0, 1), (1, 1)):
        label = "ffn <%s> x=%s F=%d %s" % (kind, "x".join(map(str, xshape)), f,
                                           bias_name(b_up, b_down))
        ins, want = data(xshape, f, kind, b_up, b_down)
        h.case(label, build(label, xshape, f, kind, b_up, b_down), "f", ins,
               [want])

for b_up, b_down in ((1, 1), (0, 0)):
    m = build("ffn_dyn_%d%d" % (b_up, b_down), (0, 64), 256, "gelu", b_up,
              b_down, dyn=(0,))
    cases = []
    for t in (1, 6, 19):
        ins, want = data((t, 64), 256, "gelu", b_up, b_down)
        cases.append(("T=%d" % t, ins, [want]))
    h.sweep("ffn <gelu> [?,64] F=256 %s dyn" % bias_name(b_up, b_down), m,
            "f", cases)

sys.exit(h.finish())
