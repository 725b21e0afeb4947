# RUN: %python %s
"""xfmr.attention against the float64 reference: causal prefill, decode
against a longer KV cache (Tq < Tk, including Tq = 1), GQA (Hq=8, Hkv=2),
MQA (Hkv=1), additive masks with and without causal, a custom scale, a
fully masked row (zeros, not NaN), Dv != Dh, the batched 4-D form, dynamic
query/key lengths compiled once, f16 storage."""
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, mlir_float, randn, rng, ttype

h = Harness("xfmr.attention")
g = rng(10)


def build(name, qs, ks, vs, causal, mask, scale, dtype=np.float32, dyn=False):
    """q/k/v shapes [B?, H, T, D]; dyn=True makes both T dims dynamic."""
    tdim = (-2,) if dyn else ()
    tq, tk, tv = (ttype(qs, dtype, tdim), ttype(ks, dtype, tdim),
                  ttype(vs, dtype, tdim))
    to = ttype(tuple(qs[:-1]) + (vs[-1],), dtype, tdim)
    args = [("q", tq), ("k", tk), ("v", tv)]
    attrs = []
    if causal:
        attrs.append("causal")
    if scale is not None:
        attrs.append("scale = %s : f32" % mlir_float(scale))
    attr = " {%s}" % ", ".join(attrs) if attrs else ""
    types = "%s, %s, %s" % (tq, tk, tv)
    operands = "%q, %k, %v"
    if mask:
        tm = ttype((qs[-2], ks[-2]), dtype, (0, 1) if dyn else ())
        args.append(("mask", tm))
        operands += ", %mask"
        types += ", " + tm
    return h.module(func_module(
        "f", args, [to], "%%o = xfmr.attention %s%s : %s\nreturn %%o : %s"
        % (operands, attr, types, to)), name)


def data(b, hq, hkv, tq, tk, dh, dv, mask, dtype=np.float32, masked_row=None):
    lead = () if b is None else (b,)
    q = randn(g, lead + (hq, tq, dh), dtype=dtype)
    k = randn(g, lead + (hkv, tk, dh), dtype=dtype)
    v = randn(g, lead + (hkv, tk, dv), dtype=dtype)
    ins = [q, k, v]
    m = None
    if mask:
        # An additive mask mixing finite biases and -inf holes.
        m = randn(g, (tq, tk), 0.5)
        m[g.random((tq, tk)) < 0.2] = -np.inf
        m[:, 0] = 0.0  # keep at least one visible key per row...
        if masked_row is not None:
            m[masked_row, :] = -np.inf  # ...except in the fully masked row
        m = m.astype(dtype)
        ins.append(m)
    return ins, m


def run(label, b, hq, hkv, tq, tk, dh, dv=None, causal=False, mask=False,
        scale=None, masked_row=None, dtype=np.float32, **tol):
    dv = dh if dv is None else dv
    lead = () if b is None else (b,)
    ins, m = data(b, hq, hkv, tq, tk, dh, dv, mask, dtype, masked_row)
    want = ref.attention(ins[0], ins[1], ins[2], causal, m, scale)
    mod = build(label, lead + (hq, tq, dh), lead + (hkv, tk, dh),
                lead + (hkv, tk, dv), causal, mask, scale, dtype)
    kw = dict(tol)
    if dtype != np.float32:
        kw["dtypes"] = [dtype]
    h.case(label, mod, "f", ins, [want], **kw)
    if masked_row is not None:
        row = want[..., masked_row, :]
        assert not np.any(row), "reference: fully masked row must be zeros"


run("attention causal prefill H=4 T=16 Dh=32", None, 4, 4, 16, 16, 32,
    causal=True)
run("attention causal prefill T=1", None, 4, 4, 1, 1, 64, causal=True)
run("attention decode Tq=1 Tk=37 GQA 8/2 Dh=64", None, 8, 2, 1, 37, 64,
    causal=True)
run("attention decode chunk Tq=4 Tk=20 causal", None, 4, 4, 4, 20, 32,
    causal=True)
run("attention GQA 8/2 non-causal T=9", None, 8, 2, 9, 9, 32)
run("attention GQA 8/2 causal T=13", None, 8, 2, 13, 13, 16, causal=True)
run("attention MQA 4/1 causal T=12", None, 4, 1, 12, 12, 32, causal=True)
run("attention MQA 8/1 decode Tq=1 Tk=25", None, 8, 1, 1, 25, 32,
    causal=True)
run("attention mask Tq=5 Tk=11", None, 4, 2, 5, 11, 32, mask=True)
run("attention mask+causal T=10", None, 4, 2, 10, 10, 32, causal=True,
    mask=True)
run("attention scale=0.3 T=8", None, 2, 2, 8, 8, 32, scale=0.3)
run("attention scale=0.05 causal GQA T=6", None, 4, 2, 6, 6, 64, causal=True,
    scale=0.05)
run("attention fully masked row 2 Tq=6 Tk=9", None, 4, 2, 6, 9, 32,
    mask=True, masked_row=2)
run("attention fully masked row 0 causal T=7", None, 2, 1, 7, 7, 16,
    causal=True, mask=True, masked_row=0)
run("attention Dv=48 != Dh=32 causal", None, 4, 2, 7, 7, 32, dv=48,
    causal=True)
run("attention 4-D B=2 GQA 4/2 causal T=6", 2, 4, 2, 6, 6, 32, causal=True)
run("attention 4-D B=3 MQA 4/1 decode Tq=1 Tk=10", 3, 4, 1, 1, 10, 32,
    causal=True)
run("attention 4-D B=2 mask Tq=3 Tk=5", 2, 2, 2, 3, 5, 16, mask=True)

# Dynamic Tq and Tk: one library serves prefill and decode of any length.
for causal, mask in ((True, False), (False, True)):
    mod = build("attn_dyn_%d%d" % (causal, mask), (8, 0, 32), (2, 0, 32),
                (2, 0, 32), causal, mask, None, dyn=True)
    cases = []
    for tq, tk in ((1, 1), (1, 17), (7, 7), (3, 40), (32, 32)):
        ins, m = data(None, 8, 2, tq, tk, 32, 32, mask)
        cases.append(("Tq=%d Tk=%d" % (tq, tk), ins,
                      [ref.attention(ins[0], ins[1], ins[2], causal, m)]))
    h.sweep("attention GQA 8/2 Dh=32 [?] %s dyn"
            % ("causal" if causal else "mask"), mod, "f", cases)

mod = build("attn_dyn4", (2, 4, 0, 32), (2, 1, 0, 32), (2, 1, 0, 32), True,
            False, None, dyn=True)
cases = []
for tq, tk in ((1, 9), (5, 5)):
    ins, _ = data(2, 4, 1, tq, tk, 32, 32, False)
    cases.append(("Tq=%d Tk=%d" % (tq, tk), ins,
                  [ref.attention(ins[0], ins[1], ins[2], True)]))
h.sweep("attention 4-D B=2 MQA 4/1 causal dyn", mod, "f", cases)

# f16 storage, softmax in f32: tolerance rtol 4e-3, atol 4e-3.
run("attention f16 causal GQA 4/2 T=8", None, 4, 2, 8, 8, 32, causal=True,
    dtype=np.float16, rtol=4e-3, atol=4e-3)
run("attention f16 decode Tq=1 Tk=16", None, 4, 2, 1, 16, 64, causal=True,
    dtype=np.float16, rtol=4e-3, atol=4e-3)

sys.exit(h.finish())
