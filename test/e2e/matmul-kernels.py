# RUN: %python %s
"""The vectorized matmul kernels (xfmr-tile-and-vectorize) against the float64
reference, through the default CPU pipeline. Each module has a dynamic token
count and is compiled once, then run for token counts on both sides of the
pack threshold (16): the dot kernel (M < 16), the packed 8x32 kernel and its
4-, 2- and 1-row remainders. N and K cover a single 16-lane vector, K mod 16
!= 0 (masked tails), N past a 128-column block and K past a 512-step block
(packing remainders, masked stores), N < 32 (dot kernel only), and f16
storage. The plain [K, N] form of linalg.matmul runs the packed kernel on B in
place."""
import sys

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, randn, rng, ttype, weight

import numpy as np

h = Harness("matmul kernels")
g = rng(7)

TOKENS = (1, 2, 3, 5, 15, 16, 17, 23, 64, 77)


def linear_module(name, n, k, dtype=np.float32):
    tx = ttype((0, k), dtype, dyn=(0,))
    tw = ttype((n, k), dtype)
    ty = ttype((0, n), dtype, dyn=(0,))
    body = ("%%y = xfmr.linear %%x, %%w : %s, %s\nreturn %%y : %s"
            % (tx, tw, ty))
    return h.module(func_module("f", [("x", tx), ("w", tw)], [ty], body),
                    name)


# nn.Linear layout through xfmr.linear: linalg.matmul with transposed B.
for n, k in [(16, 16), (40, 33), (5, 70), (130, 520), (96, 1)]:
    m = linear_module("linear_n%d_k%d" % (n, k), n, k)
    w = weight(g, (n, k))
    cases = []
    for t in TOKENS:
        x = randn(g, (t, k))
        cases.append(("T=%d" % t, [x, w], [ref.linear(x, w)]))
    h.sweep("linear N=%d K=%d" % (n, k), m, "f", cases)

# f16 storage, f32 accumulation.
m = linear_module("linear_f16", 48, 40, np.float16)
w = weight(g, (48, 40), np.float16)
cases = []
for t in (1, 7, 16, 33):
    x = randn(g, (t, 40), dtype=np.float16)
    cases.append(("T=%d" % t, [x, w], [ref.linear(x, w)]))
h.sweep("linear f16 N=48 K=40", m, "f", cases, rtol=4e-3, atol=4e-3,
        dtypes=[np.float16])

# The plain form, written in linalg directly: C[M, N] = A[M, K] . B[K, N].
for n, k in [(48, 8), (130, 17)]:
    ta = ttype((0, k), dyn=(0,))
    tb = ttype((k, n))
    tc = ttype((0, n), dyn=(0,))
    body = """
    %%c0 = arith.constant 0 : index
    %%m = tensor.dim %%a, %%c0 : %(ta)s
    %%zero = arith.constant 0.0 : f32
    %%e = tensor.empty(%%m) : %(tc)s
    %%i = linalg.fill ins(%%zero : f32) outs(%%e : %(tc)s) -> %(tc)s
    %%y = linalg.matmul ins(%%a, %%b : %(ta)s, %(tb)s) outs(%%i : %(tc)s) -> %(tc)s
    return %%y : %(tc)s
    """ % {"ta": ta, "tb": tb, "tc": tc}
    m = h.module(func_module("f", [("a", ta), ("b", tb)], [tc], body),
                 "plain_n%d_k%d" % (n, k))
    b = weight(g, (k, n))
    cases = []
    for t in (1, 4, 9, 17, 40):
        a = randn(g, (t, k))
        cases.append(("T=%d" % t, [a, b], [ref.f64(a) @ ref.f64(b)]))
    h.sweep("plain matmul N=%d K=%d" % (n, k), m, "f", cases)

sys.exit(h.finish())
