# RUN: %python %s
"""xfmr.combine: y[t] = Σ_j weights[t, j] · expert_out[row of (t, j)], with
`order` from a real dispatch and from arbitrary permutations; k = 1, 2, 8,
T=1, a dynamic token count compiled once."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, randn, rng, ttype

h = Harness("xfmr.combine")
g = rng(15)


def build(name, t, k, d, dyn=()):
    teo = ttype((t * k, d), np.float32, dyn)
    tord = ttype((t * k,), np.int32, dyn)
    tw = ttype((t, k), np.float32, dyn)
    ty = ttype((t, d), np.float32, dyn)
    return h.module(func_module(
        "f", [("eo", teo), ("ord", tord), ("w", tw)], [ty],
        "%%y = xfmr.combine %%eo, %%ord, %%w : %s, %s, %s\nreturn %%y : %s"
        % (teo, tord, tw, ty)), name)


def data(t, k, d, e=8, permutation=False):
    eo = randn(g, (t * k, d))
    if permutation:
        order = g.permutation(t * k)
    else:
        experts = np.stack([g.permutation(e)[:k] for _ in range(t)])
        order = ref.dispatch(np.zeros((t, 1)), experts, e)[2]
    order = order.astype(np.int32)
    w = g.random((t, k)).astype(np.float32)
    return [eo, order, w], ref.combine(eo, order, w)


for t, k, d, perm in ((1, 2, 32, False), (9, 2, 64, False), (5, 8, 16, False),
                      (6, 1, 24, False), (7, 3, 16, True)):
    label = "combine T=%d k=%d D=%d %s" % (
        t, k, d, "permutation" if perm else "dispatch order")
    ins, want = data(t, k, d, permutation=perm)
    h.case(label, build(label, t, k, d), "f", ins, [want])

m = build("combine_dyn", 0, 2, 64, dyn=(0,))
cases = []
for t in (1, 4, 30):
    ins, want = data(t, 2, 64)
    cases.append(("T=%d" % t, ins, [want]))
h.sweep("combine k=2 [?,64] dyn", m, "f", cases)

sys.exit(h.finish())
