# RUN: %python %s
"""Mixture-of-experts routing variants against float64 references:

- a Qwen2-MoE-style layer: routed experts (softmax, no renormalisation) plus
  a shared expert scaled by sigmoid(x·shared_gateᵀ), as Hugging Face's
  Qwen2MoeSparseMoeBlock computes it;
- a DeepSeek-MoE-style layer: 64 fine-grained experts, top-6, plus
  always-on shared experts (one wider gated FFN);
- E = 2 (top-1) and E = 256 (top-8);
- one expert that receives every token while all others receive none;
- capacity_factor (GShard/DeepSpeed semantics: per-expert capacity
  ceil(k·T/E·cf), pairs admitted slot-major in token order, dropped pairs
  contribute zero), with cases that really drop;
- the naive all-experts lowering (--pipeline-options=moe-all-experts=true)
  agreeing with the reference on the same inputs.
f32 throughout: rtol 1e-4, atol 1e-5."""
import math
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness, func_module, randn, rng, ttype, weight

h = Harness("xfmr.moe routing variants")
g = rng(23)
MARGIN = 1e-4


def draw(t, d, e, f, k, scoring="softmax", hot=None):
    """x and routed-expert weights; inputs near a routing tie are redrawn.
    With hot=i every token's top-1 choice is expert i."""
    while True:
        x = randn(g, (t, d))
        r = weight(g, (e, d))
        if hot is not None:
            x[:, 0] = 3.0 + np.abs(x[:, 0])
            r[:, 0] = 0.0
            r[hot, 0] = 6.0
        if ref.routing_margin(ref.linear(x, r), k, scoring) >= MARGIN:
            break
    return x, r, weight(g, (e, f, d)), weight(g, (e, f, d)), \
        weight(g, (e, d, f))


def moe_text(d, e, f, k, scoring="softmax", normalize=True, capacity=None,
             result="%y", x="%x"):
    tx = ttype((0, d), dyn=(0,))
    tr, tg, td = ttype((e, d)), ttype((e, f, d)), ttype((e, d, f))
    attrs = "top_k = %d : i64, scoring = #xfmr.scoring<%s>, " \
            "normalize_topk = %s" % (k, scoring, str(normalize).lower())
    if capacity is not None:
        attrs += ", capacity_factor = %r : f64" % capacity
    return ("%s = xfmr.moe <silu> %s, %%r, %%wg, %%wu, %%wd {%s} "
            ": %s, %s, %s, %s, %s" % (result, x, attrs, tx, tr, tg, tg, td))


def routed_args(d, e, f):
    return [("x", ttype((0, d), dyn=(0,))), ("r", ttype((e, d))),
            ("wg", ttype((e, f, d))), ("wu", ttype((e, f, d))),
            ("wd", ttype((e, d, f)))]


def plain_moe(label, d, e, f, k, scoring="softmax", normalize=True,
              ts=(1, 9), hot=None, run_args=(), capacity=None):
    tx = ttype((0, d), dyn=(0,))
    m = h.module(func_module(
        "f", routed_args(d, e, f), [tx],
        moe_text(d, e, f, k, scoring, normalize, capacity) +
        "\nreturn %%y : %s" % tx), label)
    for t in ts:
        ins = draw(t, d, e, f, k, scoring, hot)
        if capacity is None:
            want, _, _, experts = ref.moe(*ins, k, "silu", scoring, normalize,
                                          return_routing=True)
            extra = ""
            if hot is not None:
                used = np.bincount(experts[:, 0], minlength=e)
                assert used[hot] == t, "the hot expert must take every token"
                extra = " (expert %d takes all %d tokens as first choice, " \
                    "%d experts get none)" % (hot, t, int(np.sum(
                        np.bincount(experts.reshape(-1), minlength=e) == 0)))
        else:
            want, kept = moe_with_capacity(*ins, k, scoring, normalize,
                                           capacity)
            extra = " (kept %d of %d pairs)" % (kept, t * k)
        h.case("%s T=%d%s" % (label, t, extra), m, "f", list(ins), [want],
               run_args=run_args)


def moe_with_capacity(x, r, wg, wu, wd, k, scoring, normalize, cf):
    """GShard/DeepSpeed capacity on top of the Mixtral reference."""
    t, e = x.shape[0], r.shape[0]
    weights, experts = ref.topk_router(ref.linear(x, r), k, scoring,
                                       normalize)
    cap = math.ceil(k * t / e * cf)
    held = np.zeros(e, dtype=int)
    keep = np.zeros((t, k), dtype=bool)
    for j in range(k):
        for tok in range(t):
            ex = experts[tok, j]
            if held[ex] < cap:
                held[ex] += 1
                keep[tok, j] = True
    y = np.zeros((t, x.shape[1]))
    for tok in range(t):
        for j in range(k):
            if keep[tok, j]:
                y[tok] += weights[tok, j] * ref.expert_ffn(
                    ref.f64(x[tok]), wg, wu, wd, experts[tok, j], "silu")
    return y, int(keep.sum())


# --- Qwen2-MoE: routed (softmax, norm_topk_prob=False) + gated shared expert
D, E, F, K, FS = 32, 16, 24, 4, 64
tx, t1, t0 = ttype((0, D), dyn=(0,)), ttype((0, 1), dyn=(0,)), \
    ttype((0,), dyn=(0,))
qwen = h.module(func_module(
    "qwen2_moe",
    routed_args(D, E, F) + [("sg", ttype((FS, D))), ("su", ttype((FS, D))),
                            ("sd", ttype((D, FS))), ("gate", ttype((1, D)))],
    [tx],
    moe_text(D, E, F, K, "softmax", False, result="%routed") + """
    %%shared = xfmr.gated_ffn <silu> %%x, %%sg, %%su, %%sd : %(tx)s, %(tsg)s, %(tsg)s, %(tsd)s
    %%logit = xfmr.linear %%x, %%gate : %(tx)s, %(tg1)s
    %%g2 = xfmr.activation <sigmoid> %%logit : %(t1)s
    %%g = tensor.collapse_shape %%g2 [[0, 1]] : %(t1)s into %(t0)s
    %%c0 = arith.constant 0 : index
    %%n = tensor.dim %%x, %%c0 : %(tx)s
    %%init = tensor.empty(%%n) : %(tx)s
    %%scaled = linalg.generic {indexing_maps = [affine_map<(t, d) -> (t, d)>, affine_map<(t, d) -> (t)>, affine_map<(t, d) -> (t, d)>], iterator_types = ["parallel", "parallel"]} ins(%%shared, %%g : %(tx)s, %(t0)s) outs(%%init : %(tx)s) {
    ^bb0(%%s: f32, %%w: f32, %%o: f32):
      %%p = arith.mulf %%s, %%w : f32
      linalg.yield %%p : f32
    } -> %(tx)s
    %%y = arith.addf %%routed, %%scaled : %(tx)s
    return %%y : %(tx)s""" % dict(tx=tx, t1=t1, t0=t0,
                                  tsg=ttype((FS, D)), tsd=ttype((D, FS)),
                                  tg1=ttype((1, D)))), "qwen2_moe")
cases = []
for t in (1, 6, 17):
    ins = list(draw(t, D, E, F, K))
    sg, su, sd = weight(g, (FS, D)), weight(g, (FS, D)), weight(g, (D, FS))
    gate = weight(g, (1, D))
    x = ins[0]
    want = ref.moe(*ins, K, "silu", "softmax", False) + \
        ref.sigmoid(ref.linear(x, gate)) * ref.gated_ffn(x, sg, su, sd, "silu")
    cases.append(("T=%d" % t, ins + [sg, su, sd, gate], [want]))
h.sweep("Qwen2-MoE layer E=16 k=4 + sigmoid-gated shared expert", qwen,
        "qwen2_moe", cases)

# --- DeepSeek-MoE: 64 fine-grained experts, top-6, 2 shared experts --------
D, E, F, K, FS = 32, 64, 16, 6, 32
deepseek = h.module(func_module(
    "deepseek_moe",
    routed_args(D, E, F) + [("sg", ttype((FS, D))), ("su", ttype((FS, D))),
                            ("sd", ttype((D, FS)))],
    [tx],
    moe_text(D, E, F, K, "softmax", False, result="%routed") + """
    %%shared = xfmr.gated_ffn <silu> %%x, %%sg, %%su, %%sd : %(tx)s, %(tsg)s, %(tsg)s, %(tsd)s
    %%y = arith.addf %%routed, %%shared : %(tx)s
    return %%y : %(tx)s""" % dict(tx=tx, tsg=ttype((FS, D)),
                                  tsd=ttype((D, FS)))), "deepseek_moe")
cases = []
for t in (1, 12):
    ins = list(draw(t, D, E, F, K))
    # Two shared experts of width F side by side are one gated FFN of 2F.
    sg, su, sd = weight(g, (FS, D)), weight(g, (FS, D)), weight(g, (D, FS))
    want = ref.moe(*ins, K, "silu", "softmax", False) + \
        ref.gated_ffn(ins[0], sg, su, sd, "silu")
    cases.append(("T=%d" % t, ins + [sg, su, sd], [want]))
h.sweep("DeepSeek-MoE layer E=64 k=6 + shared experts", deepseek,
        "deepseek_moe", cases)

# --- expert counts at the ends of the range ---------------------------------
plain_moe("moe E=2 k=1", 16, 2, 24, 1, ts=(1, 5))
plain_moe("moe E=256 k=8 sigmoid", 16, 256, 8, 8, "sigmoid", True, ts=(1, 4))
# --- one expert takes every token (top-1), the others none ------------------
plain_moe("moe E=8 k=1 hot expert", 16, 8, 24, 1, ts=(1, 11), hot=3)
plain_moe("moe E=8 k=2 hot expert", 16, 8, 24, 2, ts=(11,), hot=5)
# --- capacity ----------------------------------------------------------------
plain_moe("moe E=8 k=2 capacity 1.0", 16, 8, 24, 2, ts=(1, 16, 33),
          capacity=1.0)
plain_moe("moe E=8 k=2 capacity 0.5", 16, 8, 24, 2, ts=(16,), capacity=0.5)
plain_moe("moe E=4 k=1 capacity 1.25 hot", 16, 4, 24, 1, ts=(12,),
          capacity=1.25, hot=2)
# --- the naive all-experts lowering -----------------------------------------
plain_moe("moe E=8 k=2 all-experts lowering", 16, 8, 24, 2, ts=(1, 7),
          run_args=("--pipeline-options=moe-all-experts=true",))

sys.exit(h.finish())
