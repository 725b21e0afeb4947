# RUN: %python %s
"""xfmr.activation, every kind, against the float64 reference: T=1, batch
dims, saturating inputs (|x| up to 60), a dynamic token count compiled once,
and f16 storage."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_text, module_text, randn, rng, ttype

h = Harness("xfmr.activation")
g = rng(2)
KINDS = ref.ACTIVATIONS


def fname(kind):
    # Entry points are not named after libm functions (`tanh`): a library
    # exporting such a symbol would be interposed by libm's at load time.
    return "act_" + kind


def build(name, shape, dtype=np.float32, dyn=()):
    """One module holding one function per kind, so a single compile
    serves all of them."""
    t = ttype(shape, dtype, dyn)
    funcs = []
    for kind in KINDS:
        body = ("%%y = xfmr.activation <%s> %%x : %s\nreturn %%y : %s"
                % (kind, t, t))
        funcs.append(func_text(fname(kind), [("x", t)], [t], body))
    return h.module(module_text(*funcs), name)


# Extremes exercise overflow-safe sigmoid/silu and the saturated tails.
EDGES = np.array([-60, -30, -10, -4, -1, -1e-3, 0, 1e-3, 1, 4, 10, 30, 60],
                 dtype=np.float32)

for shape in [(1, 33), (4, 7, 16), (2, len(EDGES))]:
    m = build("act_" + "x".join(map(str, shape)), shape)
    x = randn(g, shape, 3.0)
    if shape[-1] == len(EDGES):
        x[0] = EDGES
    for kind in KINDS:
        h.case("activation <%s> x=%s" % (kind, "x".join(map(str, shape))), m,
               fname(kind), [x], [ref.activation(x, kind)])

m = build("act_dyn", (0, 96), dyn=(0,))
for kind in KINDS:
    cases = []
    for t in (1, 5, 31):
        x = randn(g, (t, 96), 3.0)
        cases.append(("T=%d" % t, [x], [ref.activation(x, kind)]))
    # The sweep calls each kind's function of the same compiled library.
    h.sweep("activation <%s> [?,96] dyn" % kind, m, fname(kind), cases)

# f16 storage, f32 math: tolerance rtol 4e-3, atol 4e-3.
m = build("act_f16", (9, 40), np.float16)
for kind in ("gelu", "silu", "tanh"):
    x = randn(g, (9, 40), 3.0, np.float16)
    h.case("activation <%s> f16 x=9x40" % kind, m, fname(kind), [x],
           [ref.activation(x, kind)], rtol=4e-3, atol=4e-3,
           dtypes=[np.float16])

sys.exit(h.finish())
