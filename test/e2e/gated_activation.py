# RUN: %python %s
"""xfmr.gated_activation (act(gate) ⊙ up) for every kind: T=1, batch dims,
a dynamic token count compiled once."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_text, module_text, randn, rng, ttype

h = Harness("xfmr.gated_activation")
g = rng(3)


def fname(kind):
    # Entry points are not named after libm functions (`tanh`): a library
    # exporting such a symbol would be interposed by libm's at load time.
    return "act_" + kind


def build(name, shape, dtype=np.float32, dyn=()):
    t = ttype(shape, dtype, dyn)
    funcs = []
    for kind in ref.ACTIVATIONS:
        body = ("%%y = xfmr.gated_activation <%s> %%g, %%u : %s, %s\n"
                "return %%y : %s" % (kind, t, t, t))
        funcs.append(func_text(fname(kind), [("g", t), ("u", t)], [t], body))
    return h.module(module_text(*funcs), name)


for shape in [(1, 37), (2, 3, 64)]:
    m = build("gact_" + "x".join(map(str, shape)), shape)
    for kind in ref.ACTIVATIONS:
        gate = randn(g, shape, 2.0)
        up = randn(g, shape)
        label = "gated_activation <%s> x=%s" % (kind,
                                                "x".join(map(str, shape)))
        h.case(label, m, fname(kind), [gate, up],
               [ref.gated_activation(gate, up, kind)])

m = build("gact_dyn", (0, 704), dyn=(0,))
for kind in ("silu", "gelu", "relu"):
    cases = []
    for t in (1, 4, 17):
        gate = randn(g, (t, 704), 2.0)
        up = randn(g, (t, 704))
        cases.append(("T=%d" % t, [gate, up],
                      [ref.gated_activation(gate, up, kind)]))
    h.sweep("gated_activation <%s> [?,704] dyn" % kind, m, fname(kind), cases)

sys.exit(h.finish())
