# RUN: %python %s
"""xfmr.moe against the float64 reference with Hugging Face Mixtral
semantics: top_k 1, 2 and 8 of 64 experts, softmax and sigmoid scoring,
normalize_topk on and off, a router that starves half of the experts, T=1,
batch dims, a dynamic token count compiled once, and the explicit
topk_router → dispatch → grouped_gated_ffn → combine chain written by hand.

Inputs are redrawn until the k-th and (k+1)-th expert scores of every token
differ by at least 1e-4 relative: a closer call could legitimately flip
under f32 rounding and would test luck, not the compiler."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import (Harness, func_module, func_text, module_text, randn, rng,
                      ttype, weight)

h = Harness("xfmr.moe")
g = rng(11)
MARGIN = 1e-4


def moe_attrs(top_k, scoring, normalize):
    return ("{top_k = %d : i64, scoring = #xfmr.scoring<%s>, "
            "normalize_topk = %s}" % (top_k, scoring,
                                      "true" if normalize else "false"))


def build(name, xshape, e, f, top_k, scoring, normalize, act="silu",
          dyn=()):
    d = xshape[-1]
    tx = ttype(xshape, np.float32, dyn)
    tr, tg, td = ttype((e, d)), ttype((e, f, d)), ttype((e, d, f))
    return h.module(func_module(
        "f", [("x", tx), ("r", tr), ("wg", tg), ("wu", tg), ("wd", td)], [tx],
        "%%y = xfmr.moe <%s> %%x, %%r, %%wg, %%wu, %%wd %s "
        ": %s, %s, %s, %s, %s\nreturn %%y : %s"
        % (act, moe_attrs(top_k, scoring, normalize), tx, tr, tg, tg, td,
           tx)), name)


def data(xshape, e, f, top_k, scoring, starve=0):
    """Random x and weights; with starve=n the last n experts get a router
    row that no token can pick."""
    d = xshape[-1]
    while True:
        x = randn(g, xshape)
        r = weight(g, (e, d))
        if starve:
            # Every token shares a positive feature 0; starved experts weigh
            # it strongly negative, so their logits sit far below the rest.
            x[..., 0] = 3.0 + np.abs(x[..., 0])
            r[:, 0] = 0.0
            r[e - starve:, 0] = -4.0
        if ref.routing_margin(ref.linear(x.reshape(-1, d), r), top_k,
                              scoring) >= MARGIN:
            break
    wg, wu = weight(g, (e, f, d)), weight(g, (e, f, d))
    wd = weight(g, (e, d, f))
    return [x, r, wg, wu, wd]


def expected(ins, top_k, scoring, normalize, act="silu"):
    y, _, _, experts = ref.moe(*ins, top_k, act, scoring, normalize,
                               return_routing=True)
    return y, experts


def run(label, xshape, e, f, top_k, scoring="softmax", normalize=True,
        act="silu", starve=0):
    ins = data(xshape, e, f, top_k, scoring, starve)
    want, experts = expected(ins, top_k, scoring, normalize, act)
    used = np.bincount(experts.reshape(-1), minlength=e)
    if starve:
        assert not np.any(used[e - starve:]), "starved experts were picked"
        label += " (%d experts get no token)" % int(np.sum(used == 0))
    h.case(label, build(label, xshape, e, f, top_k, scoring, normalize, act),
           "f", ins, [want])


# Mixtral-like: 8 experts, top-2, softmax, renormalised.
run("moe E=8 k=2 softmax norm T=1", (1, 64), 8, 96, 2)
run("moe E=8 k=2 softmax norm T=7", (7, 64), 8, 96, 2)
run("moe E=8 k=8 softmax norm T=5 (every expert)", (5, 32), 8, 40, 8)
run("moe E=8 k=2 gelu experts T=6", (6, 32), 8, 40, 2, act="gelu")
run("moe E=8 k=2 batch x=2x5", (2, 5, 32), 8, 40, 2)
# 64 experts: k = 1, 2, 8; both scorings; normalisation on and off.
run("moe E=64 k=1 softmax norm T=16", (16, 32), 64, 48, 1)
run("moe E=64 k=1 sigmoid nonorm T=16", (16, 32), 64, 48, 1, "sigmoid", False)
run("moe E=64 k=2 softmax nonorm T=16", (16, 32), 64, 48, 2, "softmax", False)
run("moe E=64 k=2 sigmoid norm T=16", (16, 32), 64, 48, 2, "sigmoid", True)
run("moe E=64 k=8 softmax norm T=16", (16, 32), 64, 48, 8, "softmax", True)
run("moe E=64 k=8 sigmoid nonorm T=16", (16, 32), 64, 48, 8, "sigmoid", False)
run("moe E=64 k=8 softmax norm T=1", (1, 32), 64, 48, 8)
run("moe E=64 k=2 starved", (16, 32), 64, 48, 2, starve=32)
run("moe E=64 k=8 sigmoid starved", (12, 32), 64, 48, 8, "sigmoid", True,
    starve=40)

# Dynamic T through one shared library.
for e, f, k, scoring, normalize in ((8, 96, 2, "softmax", True),
                                    (64, 48, 8, "sigmoid", False)):
    m = build("moe_dyn_%d_%d" % (e, k), (0, 64), e, f, k, scoring, normalize,
              dyn=(0,))
    cases = []
    for t in (1, 5, 24):
        ins = data((t, 64), e, f, k, scoring)
        cases.append(("T=%d" % t, ins,
                      [expected(ins, k, scoring, normalize)[0]]))
    h.sweep("moe E=%d k=%d %s %s [?,64] dyn"
            % (e, k, scoring, "norm" if normalize else "nonorm"), m, "f",
            cases)

# The dispatch chain spelled out by hand, as xfmr-lower-moe-dispatch would
# produce it: same numbers as xfmr.moe.
E, F, D, K = 16, 48, 32, 4
tx, tr = ttype((0, D), dyn=(0,)), ttype((E, D))
tg, td = ttype((E, F, D)), ttype((E, D, F))
tl, tw, te = (ttype((0, E), dyn=(0,)), ttype((0, K), dyn=(0,)),
              ttype((0, K), np.int32, dyn=(0,)))
tsx, toff, tord = ttype((0, D), dyn=(0,)), ttype((E + 1,), np.int32), \
    ttype((0,), np.int32, dyn=(0,))
chain = func_text(
    "chain", [("x", tx), ("r", tr), ("wg", tg), ("wu", tg), ("wd", td)], [tx],
    """
    %%logits = xfmr.linear %%x, %%r : %(tx)s, %(tr)s
    %%w, %%e = xfmr.topk_router %%logits {top_k = %(K)d : i64, scoring = #xfmr.scoring<softmax>, normalize_topk = true} : %(tl)s
    %%sx, %%off, %%ord = xfmr.dispatch %%x, %%e {num_experts = %(E)d : i64} : %(tx)s, %(te)s
    %%eo = xfmr.grouped_gated_ffn <silu> %%sx, %%off, %%wg, %%wu, %%wd : %(tsx)s, %(toff)s, %(tg)s, %(tg)s, %(td)s
    %%y = xfmr.combine %%eo, %%ord, %%w : %(tsx)s, %(tord)s, %(tw)s
    return %%y : %(tx)s
    """ % dict(tx=tx, tr=tr, tg=tg, td=td, tl=tl, tw=tw, te=te, tsx=tsx,
               toff=toff, tord=tord, K=K, E=E))
m = h.module(module_text(chain), "moe_chain")
cases = []
for t in (1, 9):
    ins = data((t, D), E, F, K, "softmax")
    cases.append(("T=%d" % t, ins, [expected(ins, K, "softmax", True)[0]]))
h.sweep("moe chain topk_router+dispatch+grouped_gated_ffn+combine E=16 k=4",
        m, "chain", cases)

sys.exit(h.finish())
