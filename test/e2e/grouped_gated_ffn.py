# RUN: %python %s
"""xfmr.grouped_gated_ffn: each row segment offsets[e] ..< offsets[e+1] goes
through expert e's gated FFN. Segments from a real dispatch, empty segments
(including the first and last expert), every row in one segment, R=1, a
dynamic row count compiled once."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, randn, rng, ttype, weight

h = Harness("xfmr.grouped_gated_ffn")
g = rng(14)


def build(name, r, d, f, e, act="silu", dyn=()):
    tx = ttype((r, d), np.float32, dyn)
    toff = ttype((e + 1,), np.int32)
    tg, td = ttype((e, f, d)), ttype((e, d, f))
    return h.module(func_module(
        "f", [("x", tx), ("off", toff), ("wg", tg), ("wu", tg), ("wd", td)],
        [tx],
        "%%y = xfmr.grouped_gated_ffn <%s> %%x, %%off, %%wg, %%wu, %%wd : "
        "%s, %s, %s, %s, %s\nreturn %%y : %s"
        % (act, tx, toff, tg, tg, td, tx)), name)


def data(counts, d, f, act="silu"):
    e = len(counts)
    off = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    r = int(off[-1])
    x = randn(g, (r, d))
    wg, wu = weight(g, (e, f, d)), weight(g, (e, f, d))
    wd = weight(g, (e, d, f))
    return [x, off, wg, wu, wd], ref.grouped_gated_ffn(x, off, wg, wu, wd, act)


def label_of(counts):
    return "counts=[%s]" % ",".join(map(str, counts))


# Segment sizes per expert (zeros are empty segments).
for counts, d, f, act in [
        ([0, 3, 1, 0, 4, 2, 0, 2], 32, 48, "silu"),
        ([1], 16, 24, "silu"),
        ([0, 0, 1, 0], 16, 24, "gelu"),
        ([0, 0, 0, 9, 0, 0, 0, 0], 32, 40, "silu"),
        ([5, 0, 0, 0, 0, 0, 0, 6], 32, 40, "relu"),
        ([2] * 16, 16, 32, "silu")]:
    ins, want = data(counts, d, f, act)
    label = "grouped_gated_ffn <%s> E=%d %s" % (act, len(counts),
                                                label_of(counts))
    h.case(label, build(label, ins[0].shape[0], d, f, len(counts), act), "f",
           ins, [want])

# Segments from a real dispatch of random top-2 routing.
m = build("ggffn_dyn", 0, 64, 96, 8, dyn=(0,))
cases = []
for t in (1, 6, 20):
    experts = np.stack([g.permutation(8)[:2] for _ in range(t)])
    counts = np.bincount(experts.reshape(-1), minlength=8)
    ins, want = data(counts, 64, 96)
    cases.append(("R=%d %s" % (2 * t, label_of(counts)), ins, [want]))
h.sweep("grouped_gated_ffn <silu> E=8 [?,64] dyn", m, "f", cases)

sys.exit(h.finish())
