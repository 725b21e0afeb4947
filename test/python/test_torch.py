# RUN: %python -m pytest -q -s -p no:cacheprovider %s
"""xfmr.torch.compile_module on small Hugging Face-style modules written
here (Llama's MLP, Mixtral's sparse MoE block): the compiled forward matches
the module's own output."""

import numpy as np
import pytest
import torch
from torch import nn
import torch.nn.functional as F

import xfmr
import xfmr.torch
from conftest import assert_close

torch.manual_seed(0)


class LlamaMLP(nn.Module):
    """transformers.models.llama.modeling_llama.LlamaMLP."""

    def __init__(self, hidden_size, intermediate_size, act=nn.SiLU):
        super().__init__()
        self.gate_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.up_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.down_proj = nn.Linear(intermediate_size, hidden_size, bias=False)
        self.act_fn = act()

    def forward(self, x):
        return self.down_proj(self.act_fn(self.gate_proj(x)) * self.up_proj(x))


class MixtralBlockSparseTop2MLP(nn.Module):
    def __init__(self, hidden_dim, ffn_dim):
        super().__init__()
        self.w1 = nn.Linear(hidden_dim, ffn_dim, bias=False)
        self.w2 = nn.Linear(ffn_dim, hidden_dim, bias=False)
        self.w3 = nn.Linear(hidden_dim, ffn_dim, bias=False)
        self.act_fn = nn.SiLU()

    def forward(self, hidden_states):
        h = self.act_fn(self.w1(hidden_states)) * self.w3(hidden_states)
        return self.w2(h)


class MixtralSparseMoeBlock(nn.Module):
    """transformers.models.mixtral.modeling_mixtral.MixtralSparseMoeBlock
    (without training-time jitter)."""

    def __init__(self, hidden_dim, ffn_dim, num_experts, top_k):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.num_experts = num_experts
        self.top_k = top_k
        self.gate = nn.Linear(hidden_dim, num_experts, bias=False)
        self.experts = nn.ModuleList(
            [MixtralBlockSparseTop2MLP(hidden_dim, ffn_dim)
             for _ in range(num_experts)])

    def forward(self, hidden_states):
        batch_size, sequence_length, hidden_dim = hidden_states.shape
        hidden_states = hidden_states.view(-1, hidden_dim)
        router_logits = self.gate(hidden_states)
        routing_weights = F.softmax(router_logits, dim=1, dtype=torch.float)
        routing_weights, selected_experts = torch.topk(routing_weights,
                                                       self.top_k, dim=-1)
        routing_weights /= routing_weights.sum(dim=-1, keepdim=True)
        routing_weights = routing_weights.to(hidden_states.dtype)
        final_hidden_states = torch.zeros(
            (batch_size * sequence_length, hidden_dim),
            dtype=hidden_states.dtype, device=hidden_states.device)
        expert_mask = F.one_hot(selected_experts,
                                num_classes=self.num_experts).permute(2, 1, 0)
        for expert_idx in range(self.num_experts):
            expert_layer = self.experts[expert_idx]
            idx, top_x = torch.where(expert_mask[expert_idx])
            current_state = hidden_states[None, top_x].reshape(-1, hidden_dim)
            current_hidden_states = (expert_layer(current_state)
                                     * routing_weights[top_x, idx, None])
            final_hidden_states.index_add_(
                0, top_x, current_hidden_states.to(hidden_states.dtype))
        final_hidden_states = final_hidden_states.reshape(
            batch_size, sequence_length, hidden_dim)
        return final_hidden_states, router_logits


def reference(module, x):
    """The module itself, run in float64."""
    with torch.no_grad():
        out = module.double()(x.double())
    module.float()
    return out


@pytest.mark.parametrize("act,name", [(nn.SiLU, "silu"), (nn.GELU, "gelu")])
def test_llama_mlp(act, name):
    mlp = LlamaMLP(32, 64, act)
    fast = xfmr.torch.compile_module(mlp)
    assert "xfmr.gated_ffn <%s>" % name in fast.source
    for shape in ((2, 5, 32), (1, 32), (3, 1, 1, 32)):
        x = torch.randn(*shape)
        y = fast(x)
        assert isinstance(y, torch.Tensor) and y.shape == x.shape
        assert_close("LlamaMLP %s %s" % (name, shape), y.numpy(),
                     reference(mlp, x).numpy())
        with torch.no_grad():
            assert_close("LlamaMLP vs torch f32", y.numpy(), mlp(x).numpy(),
                         rtol=1e-4, atol=1e-5)


def test_mixtral_moe():
    torch.manual_seed(1)
    moe = MixtralSparseMoeBlock(32, 48, num_experts=8, top_k=2)
    fast = xfmr.torch.compile_module(moe)
    assert "xfmr.moe <silu>" in fast.source
    for b, t in ((2, 7), (1, 1), (1, 16)):
        x = torch.randn(b, t, 32)
        y, logits = fast(x)
        ref_y, ref_logits = reference(moe, x)
        assert y.shape == (b, t, 32) and logits.shape == (b * t, 8)
        assert_close("Mixtral MoE %dx%d" % (b, t), y.numpy(), ref_y.numpy())
        assert_close("router logits", logits.numpy(), ref_logits.numpy())
    y_only = xfmr.torch.compile_module(moe, return_router_logits=False)(x)
    assert_close("Mixtral MoE (y only)", y_only.numpy(), ref_y.numpy())


def test_half_precision():
    mlp = LlamaMLP(16, 32).to(torch.bfloat16)
    fast = xfmr.torch.compile_module(mlp)
    x = torch.randn(3, 16).to(torch.bfloat16)
    y = fast(x)
    assert y.dtype == torch.bfloat16
    ref = reference(mlp.float(), x.float()).numpy()
    assert_close("LlamaMLP bf16", y.float().numpy(), ref, rtol=3e-2, atol=3e-2)


def test_errors():
    with pytest.raises(xfmr.Error, match="unsupported module Linear"):
        xfmr.torch.compile_module(nn.Linear(4, 4))
    mlp = LlamaMLP(8, 16)
    mlp.gate_proj = nn.Linear(8, 16, bias=True)
    with pytest.raises(xfmr.Error, match="gate_proj has a bias"):
        xfmr.torch.compile_module(mlp)
    fast = xfmr.torch.compile_module(LlamaMLP(8, 16))
    with pytest.raises(xfmr.Error, match="last dimension of x to be 8"):
        fast(torch.randn(2, 9))
    with pytest.raises(xfmr.Error, match="dtype"):
        fast(torch.randn(2, 8, dtype=torch.float64))
    with pytest.raises(xfmr.Error, match="unsupported activation"):
        xfmr.torch.compile_module(LlamaMLP(8, 16, nn.Softplus))
