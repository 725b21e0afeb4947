# RUN: %python %s
"""xfmr.glu over a merged [gate | up] tensor (gate is the FIRST half) for
every kind: T=1, batch dims, a dynamic token count compiled once."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_text, module_text, randn, rng, ttype

h = Harness("xfmr.glu")
g = rng(4)


def fname(kind):
    # Entry points are not named after libm functions (`tanh`): a library
    # exporting such a symbol would be interposed by libm's at load time.
    return "act_" + kind


def build(name, shape, dtype=np.float32, dyn=()):
    t = ttype(shape, dtype, dyn)
    to = ttype(tuple(shape[:-1]) + (shape[-1] // 2,), dtype, dyn)
    funcs = []
    for kind in ref.ACTIVATIONS:
        funcs.append(func_text(fname(kind), [("gu", t)], [to],
                               "%%y = xfmr.glu <%s> %%gu : %s\nreturn %%y : %s"
                               % (kind, t, to)))
    return h.module(module_text(*funcs), name)


for shape in [(1, 74), (2, 3, 64), (5, 2)]:
    m = build("glu_" + "x".join(map(str, shape)), shape)
    for kind in ref.ACTIVATIONS:
        gu = randn(g, shape, 2.0)
        h.case("glu <%s> x=%s" % (kind, "x".join(map(str, shape))), m,
               fname(kind),
               [gu], [ref.glu(gu, kind)])

m = build("glu_dyn", (0, 1408), dyn=(0,))
for kind in ("silu", "gelu_tanh"):
    cases = []
    for t in (1, 3, 12):
        gu = randn(g, (t, 1408), 2.0)
        cases.append(("T=%d" % t, [gu], [ref.glu(gu, kind)]))
    h.sweep("glu <%s> [?,1408] dyn" % kind, m, fname(kind), cases)

sys.exit(h.finish())
