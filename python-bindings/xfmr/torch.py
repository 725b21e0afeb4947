"""xfmr.torch: compile PyTorch modules written like Hugging Face's.

    mlp = LlamaMLP(config)                  # gate_proj, up_proj, down_proj, act_fn
    fast = xfmr.torch.compile_module(mlp)
    y = fast(x)                             # same as mlp(x)

    moe = MixtralSparseMoeBlock(config)     # gate, experts[i].w1/w2/w3, top_k
    fast = xfmr.torch.compile_module(moe)
    y, router_logits = fast(x)              # same as moe(x)

The module's weights are read when it is compiled (later changes to them
need a new compile_module). The compiled forward runs on the CPU, for
float32, float16 and bfloat16 weights, and returns tensors without autograd
history.
"""

import numpy as np
import torch

from . import Builder, Error

__all__ = ["compile_module", "CompiledModule"]

_DTYPES = {torch.float32: "f32", torch.float16: "f16", torch.bfloat16: "bf16"}


def _to_numpy(t):
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(np.uint16)
    return t.numpy()


def _from_numpy(a, dtype):
    if dtype == torch.bfloat16:
        return torch.from_numpy(a.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(a)


def _activation(act):
    """The xfmr activation of a torch activation module or function."""
    if act is None:
        return "silu"
    if isinstance(act, torch.nn.GELU):
        return "gelu_tanh" if getattr(act, "approximate", "none") == "tanh" \
            else "gelu"
    table = [(torch.nn.SiLU, "silu"), (torch.nn.ReLU, "relu"),
             (torch.nn.Sigmoid, "sigmoid"), (torch.nn.Tanh, "tanh")]
    for cls, name in table:
        if isinstance(act, cls):
            return name
    functions = {torch.nn.functional.silu: "silu",
                 torch.nn.functional.relu: "relu",
                 torch.nn.functional.gelu: "gelu", torch.sigmoid: "sigmoid",
                 torch.tanh: "tanh"}
    if act in functions:
        return functions[act]
    # Hugging Face's own activation classes (SiLUActivation,
    # PytorchGELUTanh, NewGELUActivation, GELUActivation, ...).
    name = type(act).__name__.lower()
    if "silu" in name or "swish" in name:
        return "silu"
    if "gelu" in name:
        return "gelu_tanh" if ("tanh" in name or "new" in name
                               or "fast" in name) else "gelu"
    raise Error("unsupported activation %s (xfmr has relu, gelu, gelu_tanh, "
                "silu, sigmoid, tanh)" % type(act).__name__)


def _weight(module, owner, name):
    linear = getattr(module, name, None)
    if linear is None or not hasattr(linear, "weight"):
        raise Error("%s has no Linear '%s'" % (owner, name))
    if getattr(linear, "bias", None) is not None:
        raise Error("%s.%s has a bias; xfmr's gated FFN takes bias-free "
                    "projections" % (owner, name))
    return linear.weight.detach()


def _expert_weights(expert, owner):
    """(gate, up, down) of a Mixtral expert (w1, w3, w2) or a Llama-style
    expert MLP (gate_proj, up_proj, down_proj)."""
    if hasattr(expert, "w1"):
        return (_weight(expert, owner, "w1"), _weight(expert, owner, "w3"),
                _weight(expert, owner, "w2"))
    return (_weight(expert, owner, "gate_proj"),
            _weight(expert, owner, "up_proj"),
            _weight(expert, owner, "down_proj"))


class CompiledModule(torch.nn.Module):
    """forward(x) runs the compiled function on x (any leading dims)."""

    def __init__(self, executable, weights, dtype, hidden, returns_logits,
                 source):
        super().__init__()
        self._forward = executable.forward
        self._weights = [_to_numpy(w) for w in weights]
        self._dtype = dtype
        self._hidden = hidden
        self._returns_logits = returns_logits
        self.source = source  # the IR that was compiled

    def forward(self, x):
        if x.shape[-1] != self._hidden:
            raise Error("expected the last dimension of x to be %d, got %s"
                        % (self._hidden, tuple(x.shape)))
        if x.dtype != self._dtype:
            raise Error("expected x of dtype %s (the weights' dtype), got %s"
                        % (self._dtype, x.dtype))
        if x.device.type != "cpu":
            raise Error("xfmr runs on the CPU; got x on %s" % x.device)
        lead = x.shape[:-1]
        flat = _to_numpy(x.reshape(-1, self._hidden))
        results = self._forward(flat, *self._weights)
        if not self._returns_logits:
            return _from_numpy(results, self._dtype).reshape(*lead,
                                                             self._hidden)
        y, logits = results
        return (_from_numpy(y, self._dtype).reshape(*lead, self._hidden),
                _from_numpy(logits, self._dtype))


def _compile_mlp(module, **options):
    owner = type(module).__name__
    wg, wu, wd = (_weight(module, owner, n)
                  for n in ("gate_proj", "up_proj", "down_proj"))
    act = _activation(getattr(module, "act_fn", None))
    dtype = wg.dtype
    if dtype not in _DTYPES:
        raise Error("unsupported weight dtype %s" % dtype)
    dt = _DTYPES[dtype]
    (f, d) = wg.shape
    b = Builder()
    fn = b.function("forward", [("x", (None, d), dt), ("w_gate", (f, d), dt),
                                ("w_up", (f, d), dt), ("w_down", (d, f), dt)])
    x, g, u, dn = fn.args
    fn.ret(fn.gated_ffn(act, x, g, u, dn))
    exe = b.compile(**options)
    return CompiledModule(exe, [wg, wu, wd], dtype, d, False, b.print())


def _compile_moe(module, return_router_logits, **options):
    owner = type(module).__name__
    if getattr(module, "shared_expert", None) is not None:
        raise Error("%s has a shared expert; compile_module takes Mixtral-"
                    "style blocks without one" % owner)
    router = _weight(module, owner, "gate")
    experts = list(module.experts)
    if not experts:
        raise Error("%s has no experts" % owner)
    per_expert = [_expert_weights(e, "%s.experts[%d]" % (owner, i))
                  for i, e in enumerate(experts)]
    wg = torch.stack([w[0] for w in per_expert])
    wu = torch.stack([w[1] for w in per_expert])
    wd = torch.stack([w[2] for w in per_expert])
    act = _activation(getattr(experts[0], "act_fn", None))
    top_k = int(getattr(module, "top_k", 0) or getattr(module, "num_experts_per_tok", 0))
    if top_k <= 0:
        raise Error("%s has no top_k" % owner)
    normalize = bool(getattr(module, "norm_topk_prob", True))
    dtype = router.dtype
    if dtype not in _DTYPES:
        raise Error("unsupported weight dtype %s" % dtype)
    dt = _DTYPES[dtype]
    e, f, d = wg.shape
    b = Builder()
    fn = b.function("forward", [("x", (None, d), dt), ("router_w", (e, d), dt),
                                ("w_gate", (e, f, d), dt),
                                ("w_up", (e, f, d), dt),
                                ("w_down", (e, d, f), dt)])
    x, r, g, u, dn = fn.args
    y = fn.moe(act, x, r, g, u, dn, top_k=top_k, normalize_topk=normalize)
    if return_router_logits:
        fn.ret(y, fn.linear(x, r))
    else:
        fn.ret(y)
    exe = b.compile(**options)
    return CompiledModule(exe, [router, wg, wu, wd], dtype, d,
                          return_router_logits, b.print())


def compile_module(module, return_router_logits=True, **options):
    """Compiles a Hugging Face-style block:

    - a Llama MLP (gate_proj, up_proj, down_proj: bias-free Linear layers,
      act_fn): forward(x) = down_proj(act_fn(gate_proj(x)) * up_proj(x));
    - a Mixtral sparse MoE block (gate: the router Linear, experts: a
      ModuleList of w1 (gate), w3 (up), w2 (down) with act_fn, top_k;
      norm_topk_prob when present): forward(x) returns (y, router_logits)
      as Mixtral's does, or y alone with return_router_logits=False.

    `options` go to xfmr.compile (opt_level, vectorize, ...).
    """
    if not isinstance(module, torch.nn.Module):
        raise Error("compile_module takes a torch.nn.Module, not %s"
                    % type(module).__name__)
    if all(hasattr(module, n) for n in ("gate_proj", "up_proj", "down_proj")):
        return _compile_mlp(module, **options)
    if all(hasattr(module, n) for n in ("gate", "experts")):
        return _compile_moe(module, return_router_logits, **options)
    raise Error("unsupported module %s: expected a Llama-style MLP "
                "(gate_proj, up_proj, down_proj, act_fn) or a Mixtral-style "
                "sparse MoE block (gate, experts[i].w1/w2/w3, top_k)"
                % type(module).__name__)
