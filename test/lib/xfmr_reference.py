"""Float64 numpy references for every op of the xfmr dialect contract.

These functions restate docs/dialect.md (the semantic contract) in plain
numpy, independently of the compiler: nothing here reads MLIR or shares code
with the lowering. Every computation runs in float64 whatever the dtype of
the inputs (f16 inputs are widened exactly), so a compiled f32 result can be
compared against them with a tight tolerance.

Layouts follow the contract: projection weights are `[out, in]`
(PyTorch nn.Linear), stacked expert weights `[E, out, in]`, attention is
`[B?, H, T, Dh]`, RoPE input is `[B?, T, H, Dh]`. Where clarity matters more
than speed (attention, MoE routing, dispatch) the code is a naive loop on
purpose, so that it reads like the contract's prose.

test/e2e/reference-selfcheck.py validates these functions against PyTorch's
own ops and against each other.
"""

import math

import numpy as np

ACTIVATIONS = ("relu", "gelu", "gelu_tanh", "silu", "sigmoid", "tanh")
SCORINGS = ("softmax", "sigmoid")


def f64(a):
    """Widens any float or int array to float64 (exact for f16/f32)."""
    return np.asarray(a, dtype=np.float64)


# ----------------------------------------------------------------------------
# Element-wise activations
# ----------------------------------------------------------------------------

_erf = np.vectorize(math.erf, otypes=[np.float64])


def sigmoid(x):
    """Logistic function without overflow for large |x|."""
    x = f64(x)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


def activation(x, kind):
    """`xfmr.activation <kind>`: relu, gelu (exact erf form), gelu_tanh
    (tanh approximation), silu (x·σ(x)), sigmoid, tanh."""
    x = f64(x)
    if kind == "relu":
        return np.maximum(x, 0.0)
    if kind == "gelu":
        return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))
    if kind == "gelu_tanh":
        c = math.sqrt(2.0 / math.pi)
        return 0.5 * x * (1.0 + np.tanh(c * (x + 0.044715 * x ** 3)))
    if kind == "silu":
        return x * sigmoid(x)
    if kind == "sigmoid":
        return sigmoid(x)
    if kind == "tanh":
        return np.tanh(x)
    raise ValueError("unknown activation kind %r" % (kind,))


# ----------------------------------------------------------------------------
# Position-wise ops
# ----------------------------------------------------------------------------


def linear(x, w, b=None):
    """`xfmr.linear`: x[..., K], w[N, K], b[N] -> x·wᵀ + b."""
    y = f64(x) @ f64(w).T
    if b is not None:
        y = y + f64(b)
    return y


def gated_activation(gate, up, kind):
    """`xfmr.gated_activation`: act(gate) ⊙ up."""
    return activation(gate, kind) * f64(up)


def glu(gu, kind):
    """`xfmr.glu`: the gate is the FIRST half of the last dim, up the
    SECOND."""
    gu = f64(gu)
    f = gu.shape[-1] // 2
    return activation(gu[..., :f], kind) * gu[..., f:]


def ffn(x, w_up, w_down, kind, b_up=None, b_down=None):
    """`xfmr.ffn`: act(x·w_upᵀ + b_up)·w_downᵀ + b_down."""
    return linear(activation(linear(x, w_up, b_up), kind), w_down, b_down)


def gated_ffn(x, w_gate, w_up, w_down, kind):
    """`xfmr.gated_ffn`: (act(x·w_gateᵀ) ⊙ (x·w_upᵀ))·w_downᵀ."""
    h = activation(linear(x, w_gate), kind) * linear(x, w_up)
    return linear(h, w_down)


def rms_norm(x, weight, epsilon=1e-6):
    """`xfmr.rms_norm`: x / sqrt(mean(x², -1) + ε) · weight (Llama)."""
    x = f64(x)
    ms = np.mean(x * x, axis=-1, keepdims=True)
    return x / np.sqrt(ms + epsilon) * f64(weight)


def layer_norm(x, weight, bias, epsilon=1e-5):
    """`xfmr.layer_norm`: biased variance, like torch.nn.LayerNorm."""
    x = f64(x)
    mean = np.mean(x, axis=-1, keepdims=True)
    var = np.mean((x - mean) ** 2, axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + epsilon) * f64(weight) + f64(bias)


def rope(x, positions, theta=10000.0, rotary_dim=None):
    """`xfmr.rope`, Hugging Face Llama rotate-half convention.

    x is [T, H, Dh] or [B, T, H, Dh]; positions is [T] (or [B, T] with the
    batched x). Pair (i, i + r/2) of the first r = rotary_dim dims rotates by
    positions[t] · theta^(-2i/r); dims past r pass through.
    """
    x = f64(x)
    pos = f64(positions)
    dh = x.shape[-1]
    r = dh if rotary_dim is None else int(rotary_dim)
    assert r % 2 == 0 and r <= dh
    half = r // 2
    inv_freq = theta ** (-2.0 * np.arange(half) / r)  # [r/2]
    angle = pos[..., None] * inv_freq  # [T, r/2] or [B, T, r/2]
    # Broadcast over the head axis: [..., T, 1, r/2].
    cos = np.cos(angle)[..., None, :]
    sin = np.sin(angle)[..., None, :]
    out = x.copy()
    x1 = x[..., :half]
    x2 = x[..., half:r]
    out[..., :half] = x1 * cos - x2 * sin
    out[..., half:r] = x2 * cos + x1 * sin
    return out


# ----------------------------------------------------------------------------
# Attention
# ----------------------------------------------------------------------------


def attention(q, k, v, causal=False, mask=None, scale=None):
    """`xfmr.attention`: softmax(q·kᵀ·scale + mask)·v per head.

    q[B?, Hq, Tq, Dh], k[B?, Hkv, Tk, Dh], v[B?, Hkv, Tk, Dv], mask[Tq, Tk]
    (additive, may hold -inf). Query head h reads kv head h // (Hq/Hkv).
    causal: query i sees keys j <= i + (Tk - Tq). A row with no visible key
    (every score -inf) yields zeros.
    """
    q, k, v = f64(q), f64(k), f64(v)
    batched = q.ndim == 4
    if not batched:
        q, k, v = q[None], k[None], v[None]
    nb, hq, tq, dh = q.shape
    hkv, tk = k.shape[1], k.shape[2]
    dv = v.shape[3]
    assert hq % hkv == 0
    group = hq // hkv
    if scale is None:
        scale = 1.0 / math.sqrt(dh)
    m = None if mask is None else f64(mask)
    out = np.zeros((nb, hq, tq, dv))
    for b in range(nb):
        for h in range(hq):
            kv = h // group
            for i in range(tq):
                s = (k[b, kv] @ q[b, h, i]) * scale  # [Tk]
                if m is not None:
                    s = s + m[i]
                if causal:
                    limit = i + (tk - tq)
                    s = np.where(np.arange(tk) <= limit, s, -np.inf)
                if not np.any(s > -np.inf):
                    continue  # fully masked row -> zeros
                p = np.exp(s - np.max(s))
                p = p / np.sum(p)
                out[b, h, i] = p @ v[b, kv]
    return out if batched else out[0]


# ----------------------------------------------------------------------------
# Mixture of experts
# ----------------------------------------------------------------------------


def softmax(x, axis=-1):
    x = f64(x)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def topk_indices(scores, k):
    """The k largest entries of a 1-D score vector, in descending order,
    ties broken toward the lower index."""
    order = sorted(range(len(scores)), key=lambda e: (-scores[e], e))
    return order[:k]


def topk_router(logits, top_k, scoring="softmax", normalize_topk=True):
    """`xfmr.topk_router`: logits[T, E] -> (weights[T, k], experts[T, k])."""
    logits = f64(logits)
    t_count = logits.shape[0]
    weights = np.zeros((t_count, top_k))
    experts = np.zeros((t_count, top_k), dtype=np.int64)
    for t in range(t_count):
        if scoring == "softmax":
            p = softmax(logits[t])
        elif scoring == "sigmoid":
            p = sigmoid(logits[t])
        else:
            raise ValueError("unknown scoring %r" % (scoring,))
        idx = topk_indices(p, top_k)
        w = p[idx]
        if normalize_topk:
            w = w / np.sum(w)
        weights[t] = w
        experts[t] = idx
    return weights, experts


def routing_margin(logits, top_k, scoring="softmax"):
    """Smallest relative gap, over tokens, between the k-th and (k+1)-th
    score. Tests use it to avoid inputs whose expert choice would flip under
    f32 rounding (a near-tie is not a bug in either implementation)."""
    logits = f64(logits)
    if top_k >= logits.shape[-1]:
        return math.inf
    p = softmax(logits) if scoring == "softmax" else sigmoid(logits)
    s = -np.sort(-p, axis=-1)
    gap = (s[:, top_k - 1] - s[:, top_k]) / np.maximum(s[:, top_k - 1], 1e-30)
    return float(np.min(gap)) if gap.size else math.inf


def expert_ffn(xt, w_gate, w_up, w_down, e, kind):
    """One expert's gated FFN on one token vector."""
    g = f64(w_gate[e]) @ xt
    u = f64(w_up[e]) @ xt
    return f64(w_down[e]) @ (activation(g, kind) * u)


def moe(x, router_w, w_gate, w_up, w_down, top_k, activation_kind="silu",
        scoring="softmax", normalize_topk=True, return_routing=False):
    """`xfmr.moe`, Hugging Face MixtralSparseMoeBlock semantics.

    For every token: logits = x·router_wᵀ; scores = softmax or σ; top-k
    with ties toward the lower expert; optional renormalisation of the k
    weights; y[t] = Σ_j w[t, j] · gated_ffn_{idx[t, j]}(x[t]). Leading batch
    dims of x are flattened into tokens and restored.
    """
    x = f64(x)
    lead = x.shape[:-1]
    d = x.shape[-1]
    xs = x.reshape(-1, d)
    logits = linear(xs, router_w)
    weights, experts = topk_router(logits, top_k, scoring, normalize_topk)
    y = np.zeros_like(xs)
    for t in range(xs.shape[0]):
        for j in range(top_k):
            e = experts[t, j]
            y[t] += weights[t, j] * expert_ffn(xs[t], w_gate, w_up, w_down, e,
                                                activation_kind)
    y = y.reshape(lead + (d,))
    if return_routing:
        return y, logits, weights, experts
    return y


def dispatch(x, experts, num_experts):
    """`xfmr.dispatch`: stable counting sort of the T·k (token, slot) pairs.

    Returns (sorted_x[T·k, D], offsets[E+1], order[T·k]); order[r] is the
    flat t·k + j that row r came from, and expert e owns rows
    offsets[e] ..< offsets[e+1].
    """
    x = f64(x)
    experts = np.asarray(experts)
    t_count, k = experts.shape
    flat = experts.reshape(-1)
    counts = [0] * num_experts
    for e in flat:
        counts[int(e)] += 1
    offsets = [0]
    for e in range(num_experts):
        offsets.append(offsets[-1] + counts[e])
    order = []
    for e in range(num_experts):
        for r in range(t_count * k):
            if flat[r] == e:
                order.append(r)
    order = np.asarray(order, dtype=np.int64)
    sorted_x = x[order // k] if order.size else np.zeros((0, x.shape[1]))
    return sorted_x, np.asarray(offsets, dtype=np.int64), order


def grouped_gated_ffn(sorted_x, offsets, w_gate, w_up, w_down, kind):
    """`xfmr.grouped_gated_ffn`: rows offsets[e] ..< offsets[e+1] go through
    expert e's gated FFN."""
    sorted_x = f64(sorted_x)
    y = np.zeros_like(sorted_x)
    for e in range(len(offsets) - 1):
        lo, hi = int(offsets[e]), int(offsets[e + 1])
        if hi > lo:
            y[lo:hi] = gated_ffn(sorted_x[lo:hi], w_gate[e], w_up[e],
                                 w_down[e], kind)
    return y


def combine(expert_out, order, weights):
    """`xfmr.combine`: y[t] = Σ_j weights[t, j] · expert_out[row of (t, j)],
    summed over j in increasing order."""
    expert_out = f64(expert_out)
    weights = f64(weights)
    t_count, k = weights.shape
    row_of = {}
    for r, flat in enumerate(np.asarray(order)):
        row_of[int(flat)] = r
    y = np.zeros((t_count, expert_out.shape[1]))
    for t in range(t_count):
        for j in range(k):
            y[t] += weights[t, j] * expert_out[row_of[t * k + j]]
    return y


# ----------------------------------------------------------------------------
# The example layers (examples/*.mlir) composed from the ops above
# ----------------------------------------------------------------------------


def llama_layer(x, positions, p, n_heads, n_kv_heads, eps=1e-5,
                theta=10000.0):
    """Llama decoder layer on x[T, D] with weights dict p:
    attn_norm, wq, wk, wv, wo, ffn_norm, w_gate, w_up, w_down."""
    x = f64(x)
    t_count, d = x.shape
    dh = d // n_heads
    h = rms_norm(x, p["attn_norm"], eps)
    q = linear(h, p["wq"]).reshape(t_count, n_heads, dh)
    k = linear(h, p["wk"]).reshape(t_count, n_kv_heads, dh)
    v = linear(h, p["wv"]).reshape(t_count, n_kv_heads, dh)
    q = rope(q, positions, theta)
    k = rope(k, positions, theta)
    o = attention(q.transpose(1, 0, 2), k.transpose(1, 0, 2),
                  v.transpose(1, 0, 2), causal=True)
    o = o.transpose(1, 0, 2).reshape(t_count, n_heads * dh)
    x = x + linear(o, p["wo"])
    h = rms_norm(x, p["ffn_norm"], eps)
    return x + gated_ffn(h, p["w_gate"], p["w_up"], p["w_down"], "silu")


def mixtral_moe_layer(x, p, top_k, eps=1e-5):
    """Mixtral MoE sub-layer on x[T, D]: x + moe(rms_norm(x))."""
    x = f64(x)
    h = rms_norm(x, p["ffn_norm"], eps)
    return x + moe(h, p["router"], p["w_gate"], p["w_up"], p["w_down"], top_k,
                   "silu", "softmax", True)
