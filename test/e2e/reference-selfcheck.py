# RUN: %python %s
"""Validates the float64 references of test/lib/xfmr_reference.py, which
every e2e test trusts.

1. Against PyTorch (when `import torch` works; Debian's python3-torch):
   F.relu/F.gelu(approximate="none"/"tanh")/F.silu/sigmoid/tanh, F.linear,
   F.layer_norm, a Llama RMSNorm, Hugging Face's rotate_half RoPE, GQA
   attention written the Hugging Face way (repeat_kv, triu mask) or
   F.scaled_dot_product_attention where this torch has it, torch's F.glu
   (whose halves are swapped relative to xfmr.glu), and a small
   MixtralSparseMoeBlock in torch with the Hugging Face routing loop,
   extended with sigmoid scoring and an optional renormalisation.
2. Without torch too: known values, algebraic properties (RoPE is a rotation
   and depends only on relative position, GQA equals MHA over repeated kv
   heads, decode equals the last row of prefill), and the MoE reference
   equals its own topk_router → dispatch → grouped_gated_ffn → combine
   decomposition and, with k = E, the dense mixture.

Everything runs in float64; tolerance rtol 1e-10, atol 1e-12.
"""
import math
import sys

import numpy as np

import xfmr_reference as ref
from xfmr_e2e import Harness

RTOL, ATOL = 1e-10, 1e-12
h = Harness("reference self-check")
g = np.random.default_rng(20)


def check(label, got, want, **kw):
    kw.setdefault("rtol", RTOL)
    kw.setdefault("atol", ATOL)
    h.check(label, np.asarray(got, dtype=np.float64) if not kw.get("exact")
            else np.asarray(got), want, dtype=None, **kw)


def randn(*shape, scale=1.0):
    return g.standard_normal(shape) * scale


# ----------------------------------------------------------------------------
# Checks that need only numpy
# ----------------------------------------------------------------------------

x = np.array([-3.0, -1.0, 0.0, 0.5, 1.0, 2.0])
check("gelu known values", ref.activation(x, "gelu"),
      [x_ * 0.5 * (1 + math.erf(x_ / math.sqrt(2))) for x_ in x])
check("gelu(1) = Φ(1)", ref.activation(np.array([1.0]), "gelu"),
      [0.8413447460685429])
check("silu = x·sigmoid", ref.activation(x, "silu"),
      x / (1 + np.exp(-x)))
with np.errstate(over="raise"):
    big = np.array([-1000.0, -100.0, 100.0, 1000.0])
    check("sigmoid saturates without overflow", ref.activation(big, "sigmoid"),
          [0.0, math.exp(-100) / (1 + math.exp(-100)),
           1 / (1 + math.exp(-100)), 1.0])

# RoPE: position 0 is the identity, every pair keeps its norm, and
# <rope(q, m), rope(k, n)> depends only on m - n.
q = randn(3, 2, 16)
check("rope position 0 is identity", ref.rope(q, np.zeros(3)), q)
r = ref.rope(q, np.array([1, 5, 9]))
half = 8
check("rope preserves pair norms", r[..., :half] ** 2 + r[..., half:] ** 2,
      q[..., :half] ** 2 + q[..., half:] ** 2)
qv, kv = randn(1, 1, 16), randn(1, 1, 16)
d1 = np.sum(ref.rope(qv, [7]) * ref.rope(kv, [3]))
d2 = np.sum(ref.rope(qv, [104]) * ref.rope(kv, [100]))
check("rope is relative", [d1], [d2], rtol=1e-9, atol=1e-12)
q4 = randn(2, 3, 2, 32)
check("rope partial rotary_dim passes the tail through",
      ref.rope(q4, np.arange(3), rotary_dim=8)[..., 8:], q4[..., 8:])
check("rope [B,T] positions = per-batch [T] positions",
      ref.rope(q4, np.array([[0, 1, 2], [5, 6, 7]]))[1],
      ref.rope(q4[1], np.array([5, 6, 7])))

# Attention: GQA equals MHA over repeated kv heads; decode (Tq = 1) with
# causal equals the last prefill row; a fully masked row is zeros.
qa, ka, va = randn(8, 6, 16), randn(2, 6, 16), randn(2, 6, 16)
check("attention GQA = MHA over repeated kv",
      ref.attention(qa, ka, va, causal=True),
      ref.attention(qa, np.repeat(ka, 4, 0), np.repeat(va, 4, 0), causal=True))
check("attention decode = last prefill row",
      ref.attention(qa[:, -1:], ka, va, causal=True),
      ref.attention(qa, ka, va, causal=True)[:, -1:])
mask = np.zeros((6, 6))
mask[3] = -np.inf
out = ref.attention(qa, ka, va, mask=mask)
check("attention fully masked row is zeros", out[:, 3], np.zeros((8, 16)),
      atol=0.0)
check("attention -inf mask = causal",
      ref.attention(qa, ka, va, mask=np.triu(np.full((6, 6), -np.inf), 1)),
      ref.attention(qa, ka, va, causal=True))
check("attention batched = per batch",
      ref.attention(np.stack([qa, qa * 2]), np.stack([ka, ka]),
                    np.stack([va, va]))[1],
      ref.attention(qa * 2, ka, va))

# Routing: ties toward the lower expert, descending order.
w, e = ref.topk_router(np.array([[0.0, 1.0, 1.0, 0.5, 1.0]]), 2,
                       normalize_topk=False)
check("topk ties -> lower index", e, np.array([[1, 2]]), exact=True)
w, e = ref.topk_router(np.array([[0.2, 0.2, 0.2, 0.9]]), 3, "sigmoid", False)
check("topk descending then lower index", e, np.array([[3, 0, 1]]),
      exact=True)

# Dispatch: a stable sort by expert.
experts = np.array([[2, 0], [1, 2], [0, 1], [2, 3]])
xd = randn(4, 3)
sx, off, order = ref.dispatch(xd, experts, 5)
check("dispatch order", order, np.array([1, 4, 2, 5, 0, 3, 6, 7]), exact=True)
check("dispatch offsets", off, np.array([0, 2, 4, 7, 8, 8]), exact=True)
check("dispatch rows", sx, xd[order // 2], atol=0.0, rtol=0.0)

# MoE = its decomposition, and with k = E + softmax + normalise, the dense
# mixture Σ_e p_e · ffn_e(x).
T, D, F, E, K = 9, 12, 20, 6, 2
xm = randn(T, D)
rw, wg, wu, wd = randn(E, D), randn(E, F, D, scale=0.3), \
    randn(E, F, D, scale=0.3), randn(E, D, F, scale=0.3)
for scoring in ref.SCORINGS:
    for norm in (True, False):
        y = ref.moe(xm, rw, wg, wu, wd, K, "silu", scoring, norm)
        wts, ex = ref.topk_router(ref.linear(xm, rw), K, scoring, norm)
        sxm, offm, ordm = ref.dispatch(xm, ex, E)
        eo = ref.grouped_gated_ffn(sxm, offm, wg, wu, wd, "silu")
        check("moe = router+dispatch+grouped+combine %s norm=%s"
              % (scoring, norm), ref.combine(eo, ordm, wts), y)
p = ref.softmax(ref.linear(xm, rw))
dense = sum(p[:, e:e + 1] * ref.gated_ffn(xm, wg[e], wu[e], wd[e], "silu")
            for e in range(E))
check("moe k=E softmax = dense mixture",
      ref.moe(xm, rw, wg, wu, wd, E, "silu", "softmax", True), dense)
check("moe batch dims = flattened",
      ref.moe(xm.reshape(3, 3, D), rw, wg, wu, wd, K).reshape(T, D),
      ref.moe(xm, rw, wg, wu, wd, K))

# ----------------------------------------------------------------------------
# Checks against PyTorch
# ----------------------------------------------------------------------------

try:
    import torch
    import torch.nn.functional as TF
except ImportError:
    torch = None
    print("torch is not importable: PyTorch cross-checks skipped")

if torch is not None:
    print("torch %s" % torch.__version__)
    torch.manual_seed(0)

    def t(a):
        return torch.tensor(np.asarray(a), dtype=torch.float64)

    def n(a):
        return a.detach().numpy()

    xa = randn(4, 37, scale=3.0)
    xa[0, :9] = [-40, -10, -3, -1e-4, 0, 1e-4, 3, 10, 40]
    torch_act = {
        "relu": TF.relu,
        "gelu": lambda v: TF.gelu(v, approximate="none"),
        "gelu_tanh": lambda v: TF.gelu(v, approximate="tanh"),
        "silu": TF.silu,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
    }
    for kind in ref.ACTIVATIONS:
        check("activation <%s> vs torch" % kind, ref.activation(xa, kind),
              n(torch_act[kind](t(xa))), atol=1e-14)

    xl, wl, bl = randn(2, 5, 24), randn(16, 24), randn(16)
    check("linear vs F.linear", ref.linear(xl, wl, bl),
          n(TF.linear(t(xl), t(wl), t(bl))))

    gu = randn(3, 2 * 11)
    for kind in ref.ACTIVATIONS:
        gate, up = gu[:, :11], gu[:, 11:]
        check("gated_activation <%s> vs torch" % kind,
              ref.gated_activation(gate, up, kind),
              n(torch_act[kind](t(gate)) * t(up)))
    # torch's F.glu gates with the SECOND half; xfmr.glu with the FIRST.
    swapped = np.concatenate([gu[:, 11:], gu[:, :11]], axis=-1)
    check("glu <sigmoid> vs F.glu on swapped halves", ref.glu(gu, "sigmoid"),
          n(TF.glu(t(swapped), dim=-1)))

    wu1, wd1, bu1, bd1 = randn(40, 24), randn(24, 40), randn(40), randn(24)
    for bu, bd in ((None, None), (bu1, None), (None, bd1), (bu1, bd1)):
        tb = lambda b: None if b is None else t(b)  # noqa: E731
        want = TF.linear(TF.gelu(TF.linear(t(xl), t(wu1), tb(bu))), t(wd1),
                         tb(bd))
        check("ffn <gelu> b_up=%s b_down=%s vs torch"
              % (bu is not None, bd is not None),
              ref.ffn(xl, wu1, wd1, "gelu", bu, bd), n(want))

    # Llama MLP: down_proj(act_fn(gate_proj(x)) * up_proj(x)).
    wg1 = randn(40, 24)
    check("gated_ffn <silu> vs Llama MLP in torch",
          ref.gated_ffn(xl, wg1, wu1, wd1, "silu"),
          n(TF.linear(TF.silu(TF.linear(t(xl), t(wg1))) *
                      TF.linear(t(xl), t(wu1)), t(wd1))))

    xn = 2.0 + randn(3, 4, 48, scale=1.5)
    gn, bn = 1 + randn(48, scale=0.1), randn(48, scale=0.1)
    check("layer_norm vs F.layer_norm", ref.layer_norm(xn, gn, bn, 1e-5),
          n(TF.layer_norm(t(xn), (48,), t(gn), t(bn), 1e-5)))
    ln = torch.nn.LayerNorm(48, eps=1e-6, dtype=torch.float64)
    with torch.no_grad():
        ln.weight.copy_(t(gn))
        ln.bias.copy_(t(bn))
    check("layer_norm vs nn.LayerNorm", ref.layer_norm(xn, gn, bn, 1e-6),
          n(ln(t(xn))))

    # Hugging Face LlamaRMSNorm.forward.
    def llama_rms_norm(hs, weight, eps):
        variance = hs.pow(2).mean(-1, keepdim=True)
        return weight * (hs * torch.rsqrt(variance + eps))

    check("rms_norm vs LlamaRMSNorm", ref.rms_norm(xn, gn, 1e-6),
          n(llama_rms_norm(t(xn), t(gn), 1e-6)))

    # Hugging Face Llama rotary embedding: rotate_half and cat(freqs, freqs),
    # applied to [B, H, T, Dh] (q.transpose(1, 2) of our [B, T, H, Dh]).
    def rotate_half(v):
        v1, v2 = v[..., : v.shape[-1] // 2], v[..., v.shape[-1] // 2:]
        return torch.cat((-v2, v1), dim=-1)

    def hf_rope(v, position_ids, base, rotary_dim):
        inv_freq = 1.0 / (base ** (torch.arange(0, rotary_dim, 2,
                                                dtype=torch.float64)
                                   / rotary_dim))
        freqs = position_ids[..., None].double() * inv_freq  # [B, T, r/2]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]  # [B, 1, T, r]
        rot, rest = v[..., :rotary_dim], v[..., rotary_dim:]
        return torch.cat((rot * cos + rotate_half(rot) * sin, rest), dim=-1)

    qr = randn(2, 7, 4, 64)
    pos = np.stack([np.arange(7), np.arange(100, 107)])
    for theta, rdim in ((10000.0, 64), (500000.0, 32)):
        want = hf_rope(t(qr).transpose(1, 2), torch.tensor(pos), theta,
                       rdim).transpose(1, 2)
        check("rope theta=%g rotary_dim=%d vs HF apply_rotary_pos_emb"
              % (theta, rdim), ref.rope(qr, pos, theta, rdim), n(want),
              atol=1e-12)
    check("rope [T,H,Dh] vs HF", ref.rope(qr[1], pos[1]),
          n(hf_rope(t(qr[1:]).transpose(1, 2), torch.tensor(pos[1:]),
                    10000.0, 64).transpose(1, 2)[0]), atol=1e-12)

    # Attention the Hugging Face eager way: repeat_kv, q·kᵀ·scale + mask,
    # softmax, ·v; the causal mask is triu with diagonal Tk - Tq + 1.
    def hf_attention(q_, k_, v_, causal, mask, scale):
        hq, hkv = q_.shape[-3], k_.shape[-3]
        k_ = k_.repeat_interleave(hq // hkv, dim=-3)
        v_ = v_.repeat_interleave(hq // hkv, dim=-3)
        if scale is None:
            scale = 1.0 / math.sqrt(q_.shape[-1])
        s = q_ @ k_.transpose(-1, -2) * scale
        tq, tk = s.shape[-2], s.shape[-1]
        if mask is not None:
            s = s + mask
        if causal:
            s = s.masked_fill(torch.ones(tq, tk, dtype=torch.bool)
                              .triu(tk - tq + 1), float("-inf"))
        if hasattr(TF, "scaled_dot_product_attention") and mask is None \
                and scale is None:
            return TF.scaled_dot_product_attention(q_, k_, v_,
                                                   is_causal=causal)
        return torch.softmax(s, dim=-1) @ v_

    for label, b, hq, hkv, tq, tk, causal, with_mask, scale in [
            ("prefill causal MHA", None, 4, 4, 9, 9, True, False, None),
            ("prefill causal GQA 8/2", None, 8, 2, 9, 9, True, False, None),
            ("decode Tq=1 Tk=13 GQA", None, 8, 2, 1, 13, True, False, None),
            ("decode chunk Tq=3 Tk=10 MQA", None, 4, 1, 3, 10, True, False,
             None),
            ("mask + causal", None, 4, 2, 6, 6, True, True, None),
            ("mask Tq=4 Tk=7 scale=0.2", None, 4, 2, 4, 7, False, True, 0.2),
            ("4-D B=2 causal GQA", 2, 4, 2, 5, 5, True, False, None)]:
        lead = () if b is None else (b,)
        qa = randn(*lead, hq, tq, 32)
        ka = randn(*lead, hkv, tk, 32)
        va = randn(*lead, hkv, tk, 24)
        m = None
        if with_mask:
            m = randn(tq, tk, scale=0.5)
            m[g.random((tq, tk)) < 0.3] = -np.inf
            m[:, 0] = 0.0
        want = hf_attention(t(qa), t(ka), t(va), causal,
                            None if m is None else t(m), scale)
        check("attention %s vs torch" % label,
              ref.attention(qa, ka, va, causal, m, scale), n(want))

    # A tiny MixtralSparseMoeBlock: the Hugging Face forward, with the
    # router's softmax optionally replaced by sigmoid and the top-k
    # renormalisation optional (norm_topk_prob, as in Qwen2-MoE).
    class MixtralSparseMoeBlock(torch.nn.Module):
        def __init__(self, router, wg_, wu_, wd_, top_k, scoring, norm):
            super().__init__()
            self.num_experts = router.shape[0]
            self.top_k = top_k
            self.scoring = scoring
            self.norm_topk_prob = norm
            self.gate = t(router)
            self.w1, self.w3, self.w2 = t(wg_), t(wu_), t(wd_)

        def expert(self, e, hs):
            return TF.linear(TF.silu(TF.linear(hs, self.w1[e])) *
                             TF.linear(hs, self.w3[e]), self.w2[e])

        def forward(self, hidden_states):
            batch, seq, dim = hidden_states.shape
            hidden_states = hidden_states.view(-1, dim)
            router_logits = TF.linear(hidden_states, self.gate)
            if self.scoring == "softmax":
                routing_weights = TF.softmax(router_logits, dim=1,
                                             dtype=torch.float64)
            else:
                routing_weights = torch.sigmoid(router_logits)
            routing_weights, selected_experts = torch.topk(
                routing_weights, self.top_k, dim=-1)
            if self.norm_topk_prob:
                routing_weights /= routing_weights.sum(dim=-1, keepdim=True)
            final = torch.zeros((batch * seq, dim), dtype=hidden_states.dtype)
            expert_mask = TF.one_hot(selected_experts,
                                     num_classes=self.num_experts)
            expert_mask = expert_mask.permute(2, 1, 0)
            for expert_idx in range(self.num_experts):
                idx, top_x = torch.where(expert_mask[expert_idx])
                current_state = hidden_states[None, top_x].reshape(-1, dim)
                current = (self.expert(expert_idx, current_state)
                           * routing_weights[top_x, idx, None])
                final.index_add_(0, top_x, current)
            return final.reshape(batch, seq, dim)

    Dm, Fm = 16, 24
    for E_, K_, scoring, norm in ((8, 2, "softmax", True),
                                  (8, 1, "softmax", True),
                                  (64, 8, "softmax", True),
                                  (64, 2, "sigmoid", False),
                                  (64, 8, "sigmoid", True),
                                  (16, 4, "softmax", False)):
        xm = randn(2, 6, Dm)
        rw = randn(E_, Dm, scale=1 / math.sqrt(Dm))
        wg_, wu_ = randn(E_, Fm, Dm, scale=0.25), randn(E_, Fm, Dm, scale=0.25)
        wd_ = randn(E_, Dm, Fm, scale=0.2)
        block = MixtralSparseMoeBlock(rw, wg_, wu_, wd_, K_, scoring, norm)
        check("moe E=%d k=%d %s norm=%s vs torch MixtralSparseMoeBlock"
              % (E_, K_, scoring, norm),
              ref.moe(xm, rw, wg_, wu_, wd_, K_, "silu", scoring, norm),
              n(block(t(xm))))

    # Dispatch pieces against torch: stable sort, bincount, index_add.
    Tm, Km, Em = 11, 3, 8
    ex = np.stack([g.permutation(Em)[:Km] for _ in range(Tm)])
    xd = randn(Tm, 5)
    sx, off, order = ref.dispatch(xd, ex, Em)
    torder = torch.sort(torch.tensor(ex.reshape(-1)), stable=True).indices
    check("dispatch order vs torch.sort(stable)", order, n(torder),
          exact=True)
    check("dispatch offsets vs torch.bincount", off,
          np.concatenate([[0], np.cumsum(n(torch.bincount(
              torch.tensor(ex.reshape(-1)), minlength=Em)))]), exact=True)
    eo = randn(Tm * Km, 5)
    wts = g.random((Tm, Km))
    y = torch.zeros(Tm, 5, dtype=torch.float64)
    y.index_add_(0, torch.tensor(order // Km),
                 t(eo) * t(wts.reshape(-1)[order])[:, None])
    check("combine vs torch index_add", ref.combine(eo, order, wts), n(y))

sys.exit(h.finish())
