# RUN: %python %s
"""xfmr.topk_router: softmax and sigmoid scoring, normalize_topk on and off,
ties broken toward the lower expert index (results in descending score
order), k = 1 .. E, T=1, a dynamic token count compiled once. Expert indices
must match exactly."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, randn, rng, ttype

h = Harness("xfmr.topk_router")
g = rng(12)


def build(name, t, e, k, scoring, normalize, dyn=()):
    tl = ttype((t, e), np.float32, dyn)
    tw, te = ttype((t, k), np.float32, dyn), ttype((t, k), np.int32, dyn)
    return h.module(func_module(
        "f", [("l", tl)], [tw, te],
        "%%w, %%e = xfmr.topk_router %%l {top_k = %d : i64, scoring = "
        "#xfmr.scoring<%s>, normalize_topk = %s} : %s\n"
        "return %%w, %%e : %s, %s"
        % (k, scoring, "true" if normalize else "false", tl, tw, te)), name)


def logits(t, e, k, scoring, scale=1.5):
    while True:
        l = randn(g, (t, e), scale)
        if ref.routing_margin(l, k, scoring) >= 1e-4:
            return l


def run(label, l, k, scoring, normalize):
    t, e = l.shape
    w, ex = ref.topk_router(l, k, scoring, normalize)
    h.case(label, build(label, t, e, k, scoring, normalize), "f", [l],
           [w, ex.astype(np.int32)])


for t, e, k in ((1, 8, 2), (7, 8, 2), (13, 64, 8), (5, 64, 1), (4, 8, 8)):
    for scoring in ("softmax", "sigmoid"):
        for normalize in (True, False):
            run("topk_router T=%d E=%d k=%d %s %s"
                % (t, e, k, scoring, "norm" if normalize else "nonorm"),
                logits(t, e, k, scoring), k, scoring, normalize)

# Ties: equal logits give bit-equal scores; the lower expert index wins and
# the order stays descending by score.
ties = np.array([
    [0.0, 1.0, 1.0, 0.5, 1.0, -2.0, 0.5, 1.0],   # four-way tie at the top
    [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3],    # all equal
    [-1.0, 2.0, -1.0, 2.0, 0.0, 0.0, 0.0, -5.0],  # ties at the top and cut
    [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],    # tie across the cut
], dtype=np.float32)
for k in (1, 2, 3):
    for scoring in ("softmax", "sigmoid"):
        run("topk_router ties k=%d %s" % (k, scoring), ties, k, scoring, True)

m = build("router_dyn", 0, 64, 8, "softmax", True, dyn=(0,))
cases = []
for t in (1, 6, 40):
    l = logits(t, 64, 8, "softmax")
    w, ex = ref.topk_router(l, 8, "softmax", True)
    cases.append(("T=%d" % t, [l], [w, ex.astype(np.int32)]))
h.sweep("topk_router E=64 k=8 softmax norm [?] dyn", m, "f", cases)

sys.exit(h.finish())
