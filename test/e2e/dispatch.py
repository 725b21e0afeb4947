# RUN: %python %s
"""xfmr.dispatch: the stable counting sort of (token, slot) pairs by expert.
sorted_x, offsets and order must match the reference exactly (it is a pure
permutation): random routing, experts that receive nothing, every token to
one expert, k = E, T=1, a dynamic token count compiled once."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, randn, rng, ttype

h = Harness("xfmr.dispatch")
g = rng(13)


def build(name, t, d, k, e, dyn=()):
    tx = ttype((t, d), np.float32, dyn)
    te = ttype((t, k), np.int32, dyn)
    tsx = ttype((t * k, d), np.float32, dyn)
    toff = ttype((e + 1,), np.int32)
    tord = ttype((t * k,), np.int32, dyn)
    return h.module(func_module(
        "f", [("x", tx), ("e", te)], [tsx, toff, tord],
        "%%sx, %%off, %%ord = xfmr.dispatch %%x, %%e {num_experts = %d : i64} "
        ": %s, %s\nreturn %%sx, %%off, %%ord : %s, %s, %s"
        % (e, tx, te, tsx, toff, tord)), name)


def routing(t, k, e, pool=None):
    """k distinct experts per token, drawn from `pool` (default: all)."""
    pool = np.arange(e) if pool is None else np.asarray(pool)
    rows = [g.permutation(pool)[:k] for _ in range(t)]
    return np.stack(rows).astype(np.int32)


def expected(x, experts, e):
    sx, off, order = ref.dispatch(x, experts, e)
    return [sx, off.astype(np.int32), order.astype(np.int32)]


EXACT = dict(exact=[True, True, True],
             dtypes=[np.float32, np.int32, np.int32])

for label, t, d, k, e, pool in [
        ("T=1 k=2 E=8", 1, 16, 2, 8, None),
        ("T=10 k=2 E=8", 10, 32, 2, 8, None),
        ("T=12 k=2 E=64 (most experts empty)", 12, 16, 2, 64, None),
        ("T=9 k=2 E=8 experts 3,5 only", 9, 16, 2, 8, [3, 5]),
        ("T=6 k=1 E=4 all to expert 2", 6, 8, 1, 4, [2]),
        ("T=7 k=8 E=8 (k = E)", 7, 16, 8, 8, None),
        ("T=5 k=3 E=16 last expert unused", 5, 16, 3, 16, range(15))]:
    x = randn(g, (t, d))
    ex = routing(t, k, e, pool)
    h.case("dispatch " + label, build(label, t, d, k, e), "f", [x, ex],
           expected(x, ex, e), **EXACT)

m = build("dispatch_dyn", 0, 64, 2, 8, dyn=(0,))
cases = []
for t in (1, 5, 33):
    x = randn(g, (t, 64))
    ex = routing(t, 2, 8)
    cases.append(("T=%d" % t, [x, ex], expected(x, ex, 8)))
h.sweep("dispatch k=2 E=8 [?,64] dyn", m, "f", cases, **EXACT)

sys.exit(h.finish())
