# RUN: %python %s
"""The expert FFNs of a mixture of experts fused and packed once: with
fuse-gate-up, xfmr.grouped_gated_ffn becomes xfmr.grouped_glu_ffn over the
stacked [E, 2F, D] gate/up weight, and xfmr-pack-weights packs the whole
stacks (interleaved [E, ceil(F/32), D, 64] and [E, ceil(D/32), F, 32]) in
<f>_prepare, or at compile time when they are constants. Every case runs
fused and unfused, through <f>_prepare + <f>_prepared and through <f>
itself, and checks each result against the float64 reference and against
the unfused direct result, at f32 rtol 1e-4, atol 1e-5 (f16 storage: 4e-3).
Covers E that divides nothing (3, 5, 7), F and D that are not multiples of
32, empty experts (first, last, all but one), R = 1, dynamic row and token
counts served by one library, the whole xfmr.moe layer, constant stacked
weights and f16 storage."""
import re
import subprocess
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import (Harness, ToolError, find_tool, func_module, mlir_float,
                      randn, rng, ttype, weight)

h = Harness("grouped expert FFN fused and packed once")
g = rng(47)

FUSED = "--pipeline-options=fuse-gate-up=true"
# (label, xfmr-run flags); the first is the baseline of the comparison.
VARIANTS = [("unfused direct", ("--prepare-weights=false",)),
            ("unfused prepared", ()),
            ("fused direct", (FUSED, "--prepare-weights=false")),
            ("fused prepared", (FUSED,))]


def grouped_text(r, d, f, e, act, dtype=np.float32, dyn=()):
    tx = ttype((r, d), dtype, dyn)
    toff = ttype((e + 1,), np.int32)
    tg, td = ttype((e, f, d), dtype), ttype((e, d, f), dtype)
    return func_module(
        "f", [("x", tx), ("off", toff), ("wg", tg), ("wu", tg), ("wd", td)],
        [tx],
        "%%y = xfmr.grouped_gated_ffn <%s> %%x, %%off, %%wg, %%wu, %%wd : "
        "%s, %s, %s, %s, %s\nreturn %%y : %s"
        % (act, tx, toff, tg, tg, td, tx))


def grouped_data(counts, d, f, dtype=np.float32):
    e = len(counts)
    off = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    x = randn(g, (int(off[-1]), d), dtype=dtype)
    return [x, off, weight(g, (e, f, d), dtype), weight(g, (e, f, d), dtype),
            weight(g, (e, d, f), dtype)]


def check_packed_ir(label, module):
    """With fusion, <f>_prepared computes every projection from a packed
    weight: it has no linalg.matmul left (each would pack per call)."""
    opt = find_tool("xfmr-opt")
    if h.ir_only or opt is None:
        return
    p = subprocess.run([opt, module.path,
                        "--xfmr-to-linalg-pipeline=fuse-gate-up=true"],
                       capture_output=True, text=True)
    m = re.search(r"func\.func @f_prepared\(.*?\n  }\n", p.stdout, re.S)
    if p.returncode != 0 or not m:
        h.fail(label + " IR", "no f_prepared entry:\n" + p.stderr[-2000:])
    elif "linalg.matmul" in m.group(0):
        h.fail(label + " IR", "f_prepared still has a linalg.matmul")
    else:
        print("%s IR: f_prepared reads only packed weights" % label)
        h.passed += 1


def run_variants(label, module, inputs, want, rtol=None, atol=None,
                 dtypes=None):
    """Every variant against the reference, and against the baseline."""
    base = None
    for vname, flags in VARIANTS:
        sub = "%s %s" % (label, vname)
        try:
            outs, _ = h.run(module, "f", inputs, 1, run_args=flags)
        except ToolError as e:
            h.fail(sub, str(e))
            continue
        dt = dtypes[0] if dtypes else None
        h.check(sub, outs[0], want, rtol, atol, dt)
        if base is None:
            base = outs[0]
        else:
            h.check(sub + " vs unfused direct", outs[0],
                    np.asarray(base, np.float64), rtol, atol, dt)


# Segment sizes per expert (zeros are empty experts).
for counts, d, f, act in [
        ([4, 0, 9], 32, 20, "silu"),
        ([0, 7, 1, 0, 12], 48, 100, "gelu"),
        ([0, 0, 0, 0, 0, 0, 33], 64, 48, "silu"),
        ([1], 16, 8, "silu"),
        ([2, 17, 0, 5, 0, 3], 40, 72, "relu"),
        ([9, 0, 0, 0, 1], 96, 33, "gelu_tanh")]:
    ins = grouped_data(counts, d, f)
    label = "grouped <%s> E=%d D=%d F=%d counts=[%s]" % (
        act, len(counts), d, f, ",".join(map(str, counts)))
    m = h.module(grouped_text(ins[0].shape[0], d, f, len(counts), act), label)
    check_packed_ir(label, m)
    run_variants(label, m, ins,
                 ref.grouped_gated_ffn(*ins, act))

# A dynamic row count: one library per variant serves every R.
E, D, F = 5, 48, 40
text = grouped_text(0, D, F, E, "silu", dyn=(0,))
weights = grouped_data([0] * E, D, F)[2:]
cases = []
for counts in ([1, 0, 0, 0, 0], [3, 0, 11, 2, 0], [0, 20, 7, 0, 31]):
    x, off = grouped_data(counts, D, F)[:2]
    ins = [x, off] + weights
    cases.append(("R=%d" % x.shape[0], ins,
                  [ref.grouped_gated_ffn(*ins, "silu")]))
for fname, cargs in (("unfused", ()), ("fused", (FUSED,))):
    m = h.module(text, "grouped_dyn_" + fname, compile_args=cargs)
    for pname, rargs in (("prepared", ()),
                         ("direct", ("--prepare-weights=false",))):
        h.sweep("grouped <silu> E=5 [?,48] F=40 %s %s" % (fname, pname), m,
                "f", cases, run_args=rargs)

# The whole layer: xfmr.moe with a dynamic token count, top-2 of 7 experts.
E, D, F, K = 7, 40, 56, 2
tx, tr = ttype((0, D), dyn=(0,)), ttype((E, D))
tg, td = ttype((E, F, D)), ttype((E, D, F))
moe_text = func_module(
    "f", [("x", tx), ("r", tr), ("wg", tg), ("wu", tg), ("wd", td)], [tx],
    "%%y = xfmr.moe <silu> %%x, %%r, %%wg, %%wu, %%wd {top_k = %d : i64} "
    ": %s, %s, %s, %s, %s\nreturn %%y : %s" % (K, tx, tr, tg, tg, td, tx))
r, wg, wu, wd = (weight(g, (E, D)), weight(g, (E, F, D)), weight(g, (E, F, D)),
                 weight(g, (E, D, F)))
cases = []
for t in (1, 6, 37):
    while True:
        x = randn(g, (t, D))
        # A near tie between the k-th and (k+1)-th scores could flip under
        # f32 rounding and would test luck, not the compiler.
        if ref.routing_margin(ref.linear(x, r), K, "softmax") >= 1e-4:
            break
    cases.append(("T=%d" % t, [x, r, wg, wu, wd],
                  [ref.moe(x, r, wg, wu, wd, K)]))
m = h.module(moe_text, "moe_fused", compile_args=(FUSED,))
check_packed_ir("moe E=7 k=2", m)
for pname, rargs in (("prepared", ()), ("direct", ("--prepare-weights=false",))):
    h.sweep("moe E=7 k=2 [?,40] F=56 fused %s" % pname, m, "f", cases,
            run_args=rargs)
for t, ins, want in [(c[0], c[1], c[2][0]) for c in cases[1:]]:
    run_variants("moe E=7 k=2 F=56 " + t, h.module(moe_text, "moe_" + t),
                 ins, want)


def dense(a):
    if a.ndim == 1:
        return "[%s]" % ", ".join(mlir_float(v) for v in a)
    return "[%s]" % ", ".join(dense(s) for s in a)


# Constant stacked weights: packed at compile time, no preparation entry.
counts, d, f = [3, 0, 5], 32, 20
x, off, wg, wu, wd = grouped_data(counts, d, f)
tx, toff = ttype(x.shape), ttype((4,), np.int32)
tg, td = ttype((3, f, d)), ttype((3, d, f))
body = ("%%wg = arith.constant dense<%s> : %s\n"
        "%%wu = arith.constant dense<%s> : %s\n"
        "%%wd = arith.constant dense<%s> : %s\n"
        "%%y = xfmr.grouped_gated_ffn <silu> %%x, %%off, %%wg, %%wu, %%wd : "
        "%s, %s, %s, %s, %s\nreturn %%y : %s"
        % (dense(wg), tg, dense(wu), tg, dense(wd), td, tx, toff, tg, tg, td,
           tx))
run_variants("constant weights grouped E=3 F=20",
             h.module(func_module("f", [("x", tx), ("off", toff)], [tx], body),
                      "grouped_const"),
             [x, off], ref.grouped_gated_ffn(x, off, wg, wu, wd, "silu"))

# f16 storage (f32 accumulation inside).
counts, d, f = [5, 0, 2, 9], 64, 40
ins = grouped_data(counts, d, f, np.float16)
run_variants("grouped <silu> f16 E=4 D=64 F=40",
             h.module(grouped_text(16, d, f, 4, "silu", np.float16), "g_f16"),
             ins, ref.grouped_gated_ffn(*ins, "silu"), rtol=4e-3, atol=4e-3,
             dtypes=[np.float16])

sys.exit(h.finish())
