# RUN: %python %s
"""xfmr.gated_ffn ((act(x·w_gateᵀ) ⊙ (x·w_upᵀ))·w_downᵀ): SwiGLU,
GeGLU, ReGLU; T=1, batch dims, a dynamic token count compiled once, f16 storage."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, randn, rng, ttype, weight

h = Harness("xfmr.gated_ffn")
g = rng(6)


def build(name, xshape, f, kind, dtype=np.float32, dyn=()):
    d = xshape[-1]
    tx = ttype(xshape, dtype, dyn)
    tg, td = ttype((f, d), dtype), ttype((d, f), dtype)
    return h.module(func_module(
        "f", [("x", tx), ("wg", tg), ("wu", tg), ("wd", td)], [tx],
        "%%y = xfmr.gated_ffn <%s> %%x, %%wg, %%wu, %%wd : %s, %s, %s, %s\n"
        "return %%y : %s" % (kind, tx, tg, tg, td, tx)), name)


def data(xshape, f, kind, dtype=np.float32):
    d = xshape[-1]
    x = randn(g, xshape, dtype=dtype)
    wg, wu, wd = (weight(g, (f, d), dtype), weight(g, (f, d), dtype),
                  weight(g, (d, f), dtype))
    return [x, wg, wu, wd], ref.gated_ffn(x, wg, wu, wd, kind)


for xshape, f, kind in [((1, 64), 176, "silu"), ((7, 48), 130, "gelu"),
                        ((2, 3, 32), 80, "relu"), ((4, 64), 172, "gelu_tanh")]:
    label = "gated_ffn <%s> x=%s F=%d" % (kind, "x".join(map(str, xshape)), f)
    ins, want = data(xshape, f, kind)
    h.case(label, build(label, xshape, f, kind), "f", ins, [want])

m = build("gffn_dyn", (0, 128), 352, "silu", dyn=(0,))
cases = []
for t in (1, 5, 24):
    ins, want = data((t, 128), 352, "silu")
    cases.append(("T=%d" % t, ins, [want]))
h.sweep("gated_ffn <silu> [?,128] F=352 dyn", m, "f", cases)

# f16 storage with f32 accumulation inside the op; tolerance rtol 4e-3,
# atol 4e-3.
for t in (1, 8):
    label = "gated_ffn <silu> f16 T=%d D=64 F=176" % t
    ins, want = data((t, 64), 176, "silu", np.float16)
    h.case(label, build(label, (t, 64), 176, "silu", np.float16), "f", ins,
           [want], rtol=4e-3, atol=4e-3, dtypes=[np.float16])

sys.exit(h.finish())
