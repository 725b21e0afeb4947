# RUN: %python %s
"""Weights packed once (xfmr-pack-weights) and the tile epilogues of the
packed kernels: every case runs both through <f>_prepare + <f>_prepared
(xfmr-run's default) and through <f> itself (--prepare-weights=false), with
the gate/up fusion off and on, and checks both against the float64
reference at f32 rtol 1e-4, atol 1e-5. Covers N and F that are not
multiples of 32 (padded tiles), T = 1 and dynamic T, biases,
residual adds, long reductions split into blocks, f16 storage, and constant weights packed at compile time."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, mlir_float, randn, rng, ttype, weight

h = Harness("packed weights and tile epilogues")
g = rng(31)

PATHS = [("prepared", ()), ("direct", ("--prepare-weights=false",))]
FUSION = [("unfused", ""), ("fused", "fuse-gate-up=true")]


def run_all(label, text, inputs, want, rtol=None, atol=None, dtypes=None):
    for fname, options in FUSION:
        args = ("--pipeline-options=" + options,) if options else ()
        m = h.module(text, label + " " + fname)
        for pname, extra in PATHS:
            h.case("%s %s %s" % (label, fname, pname), m, "f", inputs, want,
                   rtol=rtol, atol=atol, dtypes=dtypes,
                   run_args=args + extra)


def gated_ffn_text(t, d, f, kind, dtype=np.float32, dyn=(),
                   xdtype=np.float32):
    tx = ttype((t, d), xdtype, dyn)
    tg, td = ttype((f, d), dtype), ttype((d, f), dtype)
    return func_module(
        "f", [("x", tx), ("wg", tg), ("wu", tg), ("wd", td)], [tx],
        "%%y = xfmr.gated_ffn <%s> %%x, %%wg, %%wu, %%wd : %s, %s, %s, %s\n"
        "return %%y : %s" % (kind, tx, tg, tg, td, tx))


# Gated FFNs: F a multiple of 32, not one, smaller than one tile.
for t, d, f, kind in [(1, 64, 128, "silu"), (9, 48, 80, "gelu"),
                      (33, 64, 20, "silu"), (16, 96, 200, "gelu_tanh"),
                      (40, 32, 64, "relu")]:
    x = randn(g, (t, d))
    wg, wu, wd = weight(g, (f, d)), weight(g, (f, d)), weight(g, (d, f))
    run_all("gated_ffn <%s> T=%d D=%d F=%d" % (kind, t, d, f),
            gated_ffn_text(t, d, f, kind), [x, wg, wu, wd],
            [ref.gated_ffn(x, wg, wu, wd, kind)])

# Long reductions (K > 768): the kernels split K into blocks of 512 steps and
# keep partial sums in the accumulator buffer between them.
for t, d, f in [(9, 1100, 900), (1, 1030, 64)]:
    x = randn(g, (t, d))
    wg, wu, wd = weight(g, (f, d)), weight(g, (f, d)), weight(g, (d, f))
    run_all("gated_ffn <silu> long K T=%d D=%d F=%d" % (t, d, f),
            gated_ffn_text(t, d, f, "silu"), [x, wg, wu, wd],
            [ref.gated_ffn(x, wg, wu, wd, "silu")])

# A dynamic token count (the module is compiled per run here; other tests
# check that one library serves every T).
d, f = 64, 176
wg, wu, wd = weight(g, (f, d)), weight(g, (f, d)), weight(g, (d, f))
text = gated_ffn_text(0, d, f, "silu", dyn=(0,))
for t in (1, 7, 64, 130):
    x = randn(g, (t, d))
    run_all("gated_ffn <silu> [?,64] F=176 T=%d" % t, text, [x, wg, wu, wd],
            [ref.gated_ffn(x, wg, wu, wd, "silu")])

# Projection epilogues: bias, then a residual add of the input.
for t, k, n in [(1, 64, 96), (12, 40, 70), (50, 128, 64), (3, 2000, 70)]:
    tx, tw, tb = ttype((t, k)), ttype((n, k)), ttype((n,))
    ty = ttype((t, n))
    x, w, b = randn(g, (t, k)), weight(g, (n, k)), randn(g, (n,))
    run_all("linear+bias T=%d K=%d N=%d" % (t, k, n), func_module(
        "f", [("x", tx), ("w", tw), ("b", tb)], [ty],
        "%%y = xfmr.linear %%x, %%w, %%b : %s, %s, %s\nreturn %%y : %s"
        % (tx, tw, tb, ty)), [x, w, b], [ref.linear(x, w, b)])
    r = randn(g, (t, n))
    run_all("linear+residual T=%d K=%d N=%d" % (t, k, n), func_module(
        "f", [("x", tx), ("w", tw), ("r", ty)], [ty],
        "%%p = xfmr.linear %%x, %%w : %s, %s\n"
        "%%y = arith.addf %%r, %%p : %s\nreturn %%y : %s"
        % (tx, tw, ty, ty)), [x, w, r], [ref.linear(x, w) + r])

# f16 storage (f32 accumulation inside): the tolerance of f16 results,
# rtol 4e-3 atol 4e-3, as in gated_ffn.py.
t, d, f = 5, 64, 96
x = randn(g, (t, d), dtype=np.float16)
wg, wu, wd = (weight(g, (f, d), np.float16), weight(g, (f, d), np.float16),
              weight(g, (d, f), np.float16))
run_all("gated_ffn <silu> f16 T=5 D=64 F=96",
        gated_ffn_text(t, d, f, "silu", np.float16, xdtype=np.float16),
        [x, wg, wu, wd], [ref.gated_ffn(x, wg, wu, wd, "silu")],
        rtol=4e-3, atol=4e-3, dtypes=[np.float16])


def dense(a):
    return "dense<[%s]>" % ", ".join(
        "[%s]" % ", ".join(mlir_float(v) for v in row) for row in a)


# Constant weights: packed at compile time (no preparation entry).
t, d, f = 6, 32, 40
x = randn(g, (t, d))
wg, wu, wd = weight(g, (f, d)), weight(g, (f, d)), weight(g, (d, f))
tx, tg, td = ttype((t, d)), ttype((f, d)), ttype((d, f))
body = ("%%wg = arith.constant %s : %s\n%%wu = arith.constant %s : %s\n"
        "%%wd = arith.constant %s : %s\n"
        "%%y = xfmr.gated_ffn <silu> %%x, %%wg, %%wu, %%wd : %s, %s, %s, %s\n"
        "return %%y : %s" % (dense(wg), tg, dense(wu), tg, dense(wd), td,
                             tx, tg, tg, td, tx))
text = func_module("f", [("x", tx)], [tx], body)
for fname, options in FUSION:
    args = ("--pipeline-options=" + options,) if options else ()
    h.case("constant weights gated_ffn " + fname, h.module(text, fname), "f",
           [x], [ref.gated_ffn(x, wg, wu, wd, "silu")], run_args=args)

sys.exit(h.finish())
