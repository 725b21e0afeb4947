# RUN: %python %s
"""Ops on x[B, T, D] with BOTH leading dims dynamic, each compiled once and
run for several (B, T): linear, ffn, gated_ffn, glu, the norms, rope
[B, T, H, Dh] with [B, T] positions, attention [B, H, T, Dh] and moe (whose
lowering folds the batch dims into the token dim). Lowerings that collapse
the leading dims into one produce reshapes with two dynamic sizes in one
group, which is where this file looks."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, randn, rng, ttype, weight

h = Harness("dynamic batch and token dims")
g = rng(16)
SHAPES = ((1, 1), (2, 3), (3, 7))
D = 48


def sweep(label, args, results, body, make):
    """args/results: [(name, shape, dtype, dyn axes)]; make(b, t) returns
    (inputs, expected)."""
    targs = [(n, ttype(s, dt, dyn)) for n, s, dt, dyn in args]
    tres = [ttype(s, dt, dyn) for s, dt, dyn in results]
    types = {n: t for n, t in targs}
    types.update({"r%d" % i: t for i, t in enumerate(tres)})
    m = h.module(func_module("f", targs, tres, body.format(**types)), label)
    cases = []
    for b, t in SHAPES:
        ins, want = make(b, t)
        cases.append(("B=%d T=%d" % (b, t), ins, want))
    h.sweep(label + " [?,?,...] dyn", m, "f", cases)


F32 = np.float32
X = ("x", (0, 0, D), F32, (0, 1))
Y = ((0, 0, D), F32, (0, 1))

sweep("linear", [X, ("w", (16, D), F32, ()), ("b", (16,), F32, ())],
      [((0, 0, 16), F32, (0, 1))],
      "%y = xfmr.linear %x, %w, %b : {x}, {w}, {b}\nreturn %y : {r0}",
      lambda b, t: (lambda x, w, bb: ([x, w, bb], [ref.linear(x, w, bb)]))(
          randn(g, (b, t, D)), weight(g, (16, D)), randn(g, (16,))))

sweep("ffn <gelu>", [X, ("wu", (64, D), F32, ()), ("wd", (D, 64), F32, ())],
      [Y], "%y = xfmr.ffn <gelu> %x, %wu, %wd : {x}, {wu}, {wd}\n"
      "return %y : {r0}",
      lambda b, t: (lambda x, wu, wd: ([x, wu, wd],
                                       [ref.ffn(x, wu, wd, "gelu")]))(
          randn(g, (b, t, D)), weight(g, (64, D)), weight(g, (D, 64))))

sweep("gated_ffn <silu>",
      [X, ("wg", (64, D), F32, ()), ("wu", (64, D), F32, ()),
       ("wd", (D, 64), F32, ())], [Y],
      "%y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : {x}, {wg}, {wu}, {wd}\n"
      "return %y : {r0}",
      lambda b, t: (lambda x, wg, wu, wd: (
          [x, wg, wu, wd], [ref.gated_ffn(x, wg, wu, wd, "silu")]))(
          randn(g, (b, t, D)), weight(g, (64, D)), weight(g, (64, D)),
          weight(g, (D, 64))))

sweep("glu <silu>", [X], [((0, 0, D // 2), F32, (0, 1))],
      "%y = xfmr.glu <silu> %x : {x}\nreturn %y : {r0}",
      lambda b, t: (lambda x: ([x], [ref.glu(x, "silu")]))(
          randn(g, (b, t, D))))

sweep("layer_norm", [X, ("w", (D,), F32, ()), ("b", (D,), F32, ())], [Y],
      "%y = xfmr.layer_norm %x, %w, %b : {x}, {w}, {b}\nreturn %y : {r0}",
      lambda b, t: (lambda x, w, bb: ([x, w, bb],
                                      [ref.layer_norm(x, w, bb)]))(
          randn(g, (b, t, D), 2.0), randn(g, (D,)), randn(g, (D,))))

sweep("rope", [("x", (0, 0, 4, 32), F32, (0, 1)),
               ("pos", (0, 0), np.int32, (0, 1))],
      [((0, 0, 4, 32), F32, (0, 1))],
      "%y = xfmr.rope %x, %pos : {x}, {pos}\nreturn %y : {r0}",
      lambda b, t: (lambda x, p: ([x, p], [ref.rope(x, p)]))(
          randn(g, (b, t, 4, 32)),
          (np.arange(t)[None] + 5 * np.arange(b)[:, None]).astype(np.int32)))

sweep("attention causal GQA 4/2",
      [("q", (0, 4, 0, 32), F32, (0, 2)), ("k", (0, 2, 0, 32), F32, (0, 2)),
       ("v", (0, 2, 0, 32), F32, (0, 2))], [((0, 4, 0, 32), F32, (0, 2))],
      "%y = xfmr.attention %q, %k, %v {{causal}} : {q}, {k}, {v}\n"
      "return %y : {r0}",
      lambda b, t: (lambda q, k, v: ([q, k, v],
                                     [ref.attention(q, k, v, True)]))(
          randn(g, (b, 4, t, 32)), randn(g, (b, 2, t, 32)),
          randn(g, (b, 2, t, 32))))

E, FF, K = 8, 40, 2


def moe_case(b, t):
    while True:
        x = randn(g, (b, t, D))
        r = weight(g, (E, D))
        if ref.routing_margin(ref.linear(x.reshape(-1, D), r), K) >= 1e-4:
            break
    wg, wu, wd = weight(g, (E, FF, D)), weight(g, (E, FF, D)), \
        weight(g, (E, D, FF))
    return [x, r, wg, wu, wd], [ref.moe(x, r, wg, wu, wd, K)]


sweep("moe E=8 k=2",
      [X, ("r", (E, D), F32, ()), ("wg", (E, FF, D), F32, ()),
       ("wu", (E, FF, D), F32, ()), ("wd", (E, D, FF), F32, ())], [Y],
      "%y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {{top_k = 2 : i64}} : "
      "{x}, {r}, {wg}, {wu}, {wd}\nreturn %y : {r0}", moe_case)

sys.exit(h.finish())
