//===- XfmrOps.td - xfmr operations -------------------------*- tablegen -*-===//
//
// The ops of the xfmr dialect. The semantic contract (operand order, layout,
// math) is fixed by the project's design; this file is its ODS form. Shapes
// are checked and result types inferred in XfmrOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_OPS_TD
#define XFMR_OPS_TD

include "XfmrDialect.td"
include "XfmrAttrs.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Storage element types: f32 everywhere; f16/bf16 as storage with f32 math.
def Xfmr_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
def Xfmr_IndexTensor : RankedTensorOf<[I32, I64]>;
def Xfmr_I32Tensor : RankedTensorOf<[I32]>;
def Xfmr_F32Tensor : RankedTensorOf<[F32]>;

class Xfmr_InferOp<string mnemonic, list<Trait> traits = []>
    : Xfmr_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor])>;

//===----------------------------------------------------------------------===//
// Position-wise ops
//===----------------------------------------------------------------------===//

def Xfmr_LinearOp : Xfmr_InferOp<"linear"> {
  let summary = "Affine projection `y = x · wᵀ + b` (PyTorch nn.Linear layout)";
  let description = [{
    Projects the last dimension of `x[..., K]` from `K` to `N` features with
    a weight in `nn.Linear` layout `w[N, K]` and an optional bias `b[N]`; the
    result is `[..., N]`. Leading dimensions of `x` are batch dimensions and
    may be dynamic. `x` has rank >= 1; `w` and `b` share the element type of
    `x` (f32, or f16/bf16 storage with f32 accumulation).

    ```mlir
    %y = xfmr.linear %x, %w, %b
        : tensor<?x64xf32>, tensor<128x64xf32>, tensor<128xf32>
    // %y : tensor<?x128xf32>
    %z = xfmr.linear %h, %w2 : tensor<2x?x128xbf16>, tensor<32x128xbf16>
    // %z : tensor<2x?x32xbf16>
    ```
  }];
  let arguments = (ins Xfmr_FloatTensor:$x, Xfmr_FloatTensor:$w,
                       Optional<Xfmr_FloatTensor>:$b);
  let results = (outs Xfmr_FloatTensor:$result);
  let assemblyFormat = [{
    $x `,` $w (`,` $b^)? attr-dict `:` type($x) `,` type($w) (`,` type($b)^)?
  }];
}

def Xfmr_ActivationOp : Xfmr_InferOp<"activation"> {
  let summary = "Element-wise activation function";
  let description = [{
    Applies `kind` element-wise: `relu`, `gelu` (exact, erf form),
    `gelu_tanh` (tanh approximation), `silu` (`x·σ(x)`), `sigmoid`, `tanh`.
    The result has the type of the operand, of any rank.

    ```mlir
    %y = xfmr.activation <gelu> %x : tensor<?x256xf32>
    // %y : tensor<?x256xf32>
    ```
  }];
  let arguments = (ins Xfmr_ActivationAttr:$kind, Xfmr_FloatTensor:$x);
  let results = (outs Xfmr_FloatTensor:$result);
  let assemblyFormat = "$kind $x attr-dict `:` type($x)";
}

def Xfmr_GatedActivationOp : Xfmr_InferOp<"gated_activation"> {
  let summary = "Gated activation `act(gate) ⊙ up` (SwiGLU, GeGLU, ReGLU)";
  let description = [{
    Computes `act(gate) ⊙ up` element-wise on `gate[..., F]` and
    `up[..., F]`, which must have the same rank (>= 1), shape and element type;
    the result is `[..., F]`. SwiGLU is `kind = silu`, GeGLU `gelu`, ReGLU
    `relu`.

    ```mlir
    %h = xfmr.gated_activation <silu> %g, %u
        : tensor<?x704xf32>, tensor<?x704xf32>
    // %h : tensor<?x704xf32>
    ```
  }];
  let arguments = (ins Xfmr_ActivationAttr:$kind, Xfmr_FloatTensor:$gate,
                       Xfmr_FloatTensor:$up);
  let results = (outs Xfmr_FloatTensor:$result);
  let assemblyFormat = [{
    $kind $gate `,` $up attr-dict `:` type($gate) `,` type($up)
  }];
}

def Xfmr_GluOp : Xfmr_InferOp<"glu"> {
  let summary = "Gated linear unit over a merged `[gate | up]` tensor";
  let description = [{
    Splits the last dimension of `gu[..., 2F]` in two halves: the gate is the
    FIRST half and up the SECOND, and computes `act(gate) ⊙ up` of shape
    `[..., F]`. The last dimension of `gu` must be even. This is the
    epilogue of a merged gate/up projection.

    ```mlir
    %h = xfmr.glu <silu> %gu : tensor<?x1408xf32>
    // %h : tensor<?x704xf32>
    ```
  }];
  let arguments = (ins Xfmr_ActivationAttr:$kind, Xfmr_FloatTensor:$gu);
  let results = (outs Xfmr_FloatTensor:$result);
  let assemblyFormat = "$kind $gu attr-dict `:` type($gu)";
}

def Xfmr_FfnOp : Xfmr_InferOp<"ffn", [AttrSizedOperandSegments]> {
  let summary = "Two-layer feed-forward network `act(x·w_upᵀ + b_up)·w_downᵀ + b_down`";
  let description = [{
    The classic (ungated) transformer FFN on `x[..., D]`: `w_up` is
    `[F, D]`, `w_down` is `[D, F]`; the biases `b_up[F]` and `b_down[D]` are
    each optional and written as `b_up(...)` / `b_down(...)`. The result has
    the type of `x`.

    ```mlir
    %y = xfmr.ffn <gelu> %x, %w1, %w2 b_up(%b1 : tensor<1024xf32>)
        : tensor<?x256xf32>, tensor<1024x256xf32>, tensor<256x1024xf32>
    // %y : tensor<?x256xf32>
    ```
  }];
  let arguments = (ins Xfmr_ActivationAttr:$activation, Xfmr_FloatTensor:$x,
                       Xfmr_FloatTensor:$w_up, Xfmr_FloatTensor:$w_down,
                       Optional<Xfmr_FloatTensor>:$b_up,
                       Optional<Xfmr_FloatTensor>:$b_down);
  let results = (outs Xfmr_FloatTensor:$result);
  let assemblyFormat = [{
    $activation $x `,` $w_up `,` $w_down
    (`b_up` `(` $b_up^ `:` type($b_up) `)`)?
    (`b_down` `(` $b_down^ `:` type($b_down) `)`)?
    attr-dict `:` type($x) `,` type($w_up) `,` type($w_down)
  }];
}

def Xfmr_GatedFfnOp : Xfmr_InferOp<"gated_ffn"> {
  let summary = "Gated FFN `(act(x·w_gateᵀ) ⊙ (x·w_upᵀ))·w_downᵀ`";
  let description = [{
    The gated feed-forward network of Llama (SwiGLU) and Gemma (GeGLU) on
    `x[..., D]`: `w_gate` and `w_up` are `[F, D]`, `w_down` is `[D, F]`. The
    result has the type of `x`.

    ```mlir
    %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd
        : tensor<?x256xf32>, tensor<704x256xf32>, tensor<704x256xf32>,
          tensor<256x704xf32>
    // %y : tensor<?x256xf32>
    ```
  }];
  let arguments = (ins Xfmr_ActivationAttr:$activation, Xfmr_FloatTensor:$x,
                       Xfmr_FloatTensor:$w_gate, Xfmr_FloatTensor:$w_up,
                       Xfmr_FloatTensor:$w_down);
  let results = (outs Xfmr_FloatTensor:$result);
  let assemblyFormat = [{
    $activation $x `,` $w_gate `,` $w_up `,` $w_down attr-dict `:`
    type($x) `,` type($w_gate) `,` type($w_up) `,` type($w_down)
  }];
}

def Xfmr_RmsNormOp : Xfmr_InferOp<"rms_norm"> {
  let summary = "RMS normalisation `x / sqrt(mean(x²) + ε) · weight` (Llama)";
  let description = [{
    Normalises the last dimension `D` (>= 1) of `x` by its root mean square
    and scales by `weight[D]`. Statistics are computed in f32 whatever the
    storage type. `epsilon` (finite, >= 0) defaults to 1e-6. The result has
    the type of `x`.

    ```mlir
    %y = xfmr.rms_norm %x, %g {epsilon = 1.0e-05 : f32}
        : tensor<?x256xf32>, tensor<256xf32>
    ```
  }];
  let arguments = (ins Xfmr_FloatTensor:$x, Xfmr_FloatTensor:$weight,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon);
  let results = (outs Xfmr_FloatTensor:$result);
  let assemblyFormat = "$x `,` $weight attr-dict `:` type($x) `,` type($weight)";
}

def Xfmr_LayerNormOp : Xfmr_InferOp<"layer_norm"> {
  let summary = "Layer normalisation with biased variance (torch.nn.LayerNorm)";
  let description = [{
    `(x - mean) / sqrt(var + ε) · weight + bias` over the last dimension `D`
    (>= 1) of `x`, with the biased variance like `torch.nn.LayerNorm`;
    `weight` and `bias` are `[D]`. Statistics are computed in f32. `epsilon`
    (finite, >= 0) defaults to 1e-5. The result has the type of `x`.

    ```mlir
    %y = xfmr.layer_norm %x, %g, %b
        : tensor<?x256xf32>, tensor<256xf32>, tensor<256xf32>
    ```
  }];
  let arguments = (ins Xfmr_FloatTensor:$x, Xfmr_FloatTensor:$weight,
                       Xfmr_FloatTensor:$bias,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs Xfmr_FloatTensor:$result);
  let assemblyFormat = [{
    $x `,` $weight `,` $bias attr-dict `:` type($x) `,` type($weight) `,`
    type($bias)
  }];
}

def Xfmr_RopeOp : Xfmr_InferOp<"rope"> {
  let summary = "Rotary position embedding, rotate-half convention (HF Llama)";
  let description = [{
    Rotates the pairs `(i, i + rotary_dim/2)` of the head dimension of
    `x[T, H, Dh]` (or `x[B, T, H, Dh]`) by the angle
    `positions[t] · theta^(-2i/rotary_dim)`. `positions` is `[T]`, i32 or
    i64; with the batched `x` it may also be `[B, T]` (one row of positions
    per sequence, like Hugging Face `position_ids`). `theta` (finite, > 0)
    defaults to 10000. `rotary_dim` defaults to `Dh`; it must be even and at
    most `Dh`, and dimensions past it pass through unchanged. The result has
    the type of `x`.

    ```mlir
    %y = xfmr.rope %q, %pos {theta = 10000.0 : f64}
        : tensor<?x8x64xf32>, tensor<?xi32>
    %z = xfmr.rope %k, %ids {rotary_dim = 32 : i64, theta = 1.0e+06 : f64}
        : tensor<2x?x4x64xbf16>, tensor<2x?xi64>
    ```
  }];
  let arguments = (ins Xfmr_FloatTensor:$x, Xfmr_IndexTensor:$positions,
                       DefaultValuedAttr<F64Attr, "10000.0">:$theta,
                       OptionalAttr<I64Attr>:$rotary_dim);
  let results = (outs Xfmr_FloatTensor:$result);
  let assemblyFormat = [{
    $x `,` $positions attr-dict `:` type($x) `,` type($positions)
  }];
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Xfmr_AttentionOp : Xfmr_InferOp<"attention"> {
  let summary = "Scaled dot-product attention with GQA/MQA, causal mask and KV cache";
  let description = [{
    `softmax(q·kᵀ · scale + mask) · v` per head, with `q[B?, Hq, Tq, Dh]`,
    `k[B?, Hkv, Tk, Dh]`, `v[B?, Hkv, Tk, Dv]` and an optional additive
    `mask[Tq, Tk]`. Query head `h` reads kv head `h / (Hq / Hkv)` (grouped-query
    attention; multi-query when `Hkv = 1`). With `causal`, query `i` sees keys
    `j ≤ i + (Tk − Tq)`, so one op serves prefill (`Tq = Tk`) and decode
    against a KV cache (`Tq < Tk`). `scale` defaults to `1/sqrt(Dh)`. Softmax
    runs in f32 and is max-subtracted; a fully masked row yields zeros.

    `q`, `k` and `v` have the same rank (3, or 4 with the batch) and element
    type; `Hkv` must be >= 1 and divide `Hq`; `mask`, when present, has the
    element type of `q`. `scale`, when present, must be finite; without it
    `Dh` must be >= 1.

    ```mlir
    %o = xfmr.attention %q, %k, %v {causal}
        : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>
    // %o : tensor<8x?x64xf32>
    %d = xfmr.attention %q1, %kc, %vc, %m {scale = 1.250000e-01 : f32}
        : tensor<1x8x1x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>,
          tensor<1x?xf16>
    // %d : tensor<1x8x1x64xf16>
    ```
  }];
  let arguments = (ins Xfmr_FloatTensor:$q, Xfmr_FloatTensor:$k,
                       Xfmr_FloatTensor:$v, Optional<Xfmr_FloatTensor>:$mask,
                       UnitAttr:$causal, OptionalAttr<F32Attr>:$scale);
  let results = (outs Xfmr_FloatTensor:$result);
  let assemblyFormat = [{
    $q `,` $k `,` $v (`,` $mask^)? attr-dict `:` type($q) `,` type($k) `,`
    type($v) (`,` type($mask)^)?
  }];
}

//===----------------------------------------------------------------------===//
// Mixture of experts
//===----------------------------------------------------------------------===//

def Xfmr_MoeOp : Xfmr_InferOp<"moe"> {
  let summary = "Mixture-of-experts gated FFN with top-k routing";
  let description = [{
    Routes every token of `x[T, D]` to `top_k` of `E` expert gated FFNs:
    `logits = x·router_wᵀ`; scores are `softmax(logits)` or `σ(logits)`
    (`scoring`); the top-k scores are picked per token with ties broken toward
    the lower expert index, optionally renormalised to sum to one
    (`normalize_topk`, true for Mixtral); `y[t] = Σ_j w[t,j] ·
    gated_ffn_{idx[t,j]}(x[t])`. Expert weights are stacked expert-first:
    `w_gate`/`w_up` `[E, F, D]`, `w_down` `[E, D, F]`. Leading batch
    dimensions are allowed on `x` (rank >= 2); the result has the type of
    `x`. `top_k` is required and must be between 1 and `E`; `scoring`
    defaults to `softmax` and `normalize_topk` to true.
    `xfmr-lower-moe-dispatch` rewrites this op into `topk_router`, `dispatch`,
    `grouped_gated_ffn` and `combine`, so only the selected (token, expert)
    pairs are computed.

    Without `capacity_factor` the layer is dropless. With it (GShard /
    DeepSpeed semantics), every expert takes at most
    `C = ⌈top_k · T / E · capacity_factor⌉` (token, slot) pairs; pairs are
    admitted in priority order (all tokens' first choices in token order,
    then all second choices, ...), a pair whose expert is full is dropped,
    and a dropped pair contributes zero (the remaining weights are not
    renormalised). `T` counts all tokens, leading batch dimensions included.

    ```mlir
    %y = xfmr.moe <silu> %x, %router, %wg, %wu, %wd
           {top_k = 2 : i64, scoring = #xfmr.scoring<softmax>}
        : tensor<?x256xf32>, tensor<8x256xf32>, tensor<8x704x256xf32>,
          tensor<8x704x256xf32>, tensor<8x256x704xf32>
    ```
  }];
  let arguments = (ins Xfmr_ActivationAttr:$activation, Xfmr_FloatTensor:$x,
                       Xfmr_FloatTensor:$router_w, Xfmr_FloatTensor:$w_gate,
                       Xfmr_FloatTensor:$w_up, Xfmr_FloatTensor:$w_down,
                       I64Attr:$top_k,
                       DefaultValuedAttr<Xfmr_ScoringAttr,
                                         "ScoringKind::softmax">:$scoring,
                       DefaultValuedAttr<BoolAttr, "true">:$normalize_topk,
                       OptionalAttr<F64Attr>:$capacity_factor);
  let results = (outs Xfmr_FloatTensor:$result);
  let assemblyFormat = [{
    $activation $x `,` $router_w `,` $w_gate `,` $w_up `,` $w_down attr-dict
    `:` type($x) `,` type($router_w) `,` type($w_gate) `,` type($w_up) `,`
    type($w_down)
  }];
}

def Xfmr_TopkRouterOp : Xfmr_InferOp<"topk_router"> {
  let summary = "Scores router logits and picks the top-k experts per token";
  let description = [{
    From `logits[T, E]` computes scores (`softmax` or `sigmoid`), selects the
    `top_k` largest per token (ties toward the lower expert index, results in
    descending score order) and optionally renormalises the selected weights
    to sum to one. Results: `weights[T, k]` (f32) and `experts[T, k]` (i32).
    `top_k` is required and must be between 1 and `E`; `scoring` defaults to
    `softmax` and `normalize_topk` to true.

    ```mlir
    %w, %e = xfmr.topk_router %logits {top_k = 2 : i64} : tensor<?x8xf32>
    // %w : tensor<?x2xf32>, %e : tensor<?x2xi32>
    %sw, %se = xfmr.topk_router %l16
        {normalize_topk = false, scoring = #xfmr.scoring<sigmoid>,
         top_k = 4 : i64} : tensor<16x64xbf16>
    ```
  }];
  let arguments = (ins Xfmr_FloatTensor:$logits, I64Attr:$top_k,
                       DefaultValuedAttr<Xfmr_ScoringAttr,
                                         "ScoringKind::softmax">:$scoring,
                       DefaultValuedAttr<BoolAttr, "true">:$normalize_topk);
  let results = (outs Xfmr_F32Tensor:$weights, Xfmr_I32Tensor:$experts);
  let assemblyFormat = "$logits attr-dict `:` type($logits)";
}

def Xfmr_DispatchOp : Xfmr_InferOp<"dispatch"> {
  let summary = "Stable counting sort of (token, slot) pairs by expert";
  let description = [{
    Sorts the `T·k` (token, slot) pairs of `experts[T, k]` by expert index,
    stably (ties keep token-major order). `sorted_x[r]` is the row of `x` of
    the pair that landed at position `r`; `order[r]` is that pair's flat index
    `t·k + j`; the rows of expert `e` are `offsets[e] ..< offsets[e+1]`.
    Results: `sorted_x[T·k, D]` (the element type of `x`), `offsets[E+1]` and
    `order[T·k]` (i32). `num_experts` (`E`) is required, at least 1.

    With `capacity_factor`, expert `e` keeps at most
    `C = ⌈k · T / E · capacity_factor⌉` pairs, admitted slot-major (every
    token's slot 0 in token order, then slot 1, ...); dropped pairs get no
    row, so the segments hold `min(count, C)` rows, the rows past
    `offsets[E]` are zero and no `order` entry names a dropped pair (those
    rows hold -1).

    ```mlir
    %sx, %off, %ord = xfmr.dispatch %x, %experts {num_experts = 8 : i64}
        : tensor<?x256xf32>, tensor<?x2xi32>
    // %sx : tensor<?x256xf32>, %off : tensor<9xi32>, %ord : tensor<?xi32>
    ```
  }];
  let arguments = (ins Xfmr_FloatTensor:$x, Xfmr_I32Tensor:$experts,
                       I64Attr:$num_experts,
                       OptionalAttr<F64Attr>:$capacity_factor);
  let results = (outs Xfmr_FloatTensor:$sorted_x, Xfmr_I32Tensor:$offsets,
                      Xfmr_I32Tensor:$order);
  let assemblyFormat = "$x `,` $experts attr-dict `:` type($x) `,` type($experts)";
}

def Xfmr_GroupedGatedFfnOp : Xfmr_InferOp<"grouped_gated_ffn"> {
  let summary = "Per-expert gated FFN over contiguous row segments";
  let description = [{
    Rows `offsets[e] ..< offsets[e+1]` of `sorted_x[R, D]` go through expert
    `e`'s gated FFN (`w_gate[e]`, `w_up[e]` `[F, D]`, `w_down[e]` `[D, F]`).
    Segments may be empty; the work done follows `R`, not `R · E`. `E` must
    be at least 1 and `offsets` (i32) has `E + 1` entries. The result has the
    type of `sorted_x`.

    ```mlir
    %y = xfmr.grouped_gated_ffn <silu> %sx, %off, %wg, %wu, %wd
        : tensor<?x256xf32>, tensor<9xi32>, tensor<8x704x256xf32>,
          tensor<8x704x256xf32>, tensor<8x256x704xf32>
    ```
  }];
  let arguments = (ins Xfmr_ActivationAttr:$activation,
                       Xfmr_FloatTensor:$sorted_x, Xfmr_I32Tensor:$offsets,
                       Xfmr_FloatTensor:$w_gate, Xfmr_FloatTensor:$w_up,
                       Xfmr_FloatTensor:$w_down);
  let results = (outs Xfmr_FloatTensor:$result);
  let assemblyFormat = [{
    $activation $sorted_x `,` $offsets `,` $w_gate `,` $w_up `,` $w_down
    attr-dict `:` type($sorted_x) `,` type($offsets) `,` type($w_gate) `,`
    type($w_up) `,` type($w_down)
  }];
}

def Xfmr_GroupedGluFfnOp : Xfmr_InferOp<"grouped_glu_ffn"> {
  let summary = "Per-expert gated FFN over a stacked gate/up weight";
  let description = [{
    `xfmr.grouped_gated_ffn` with each expert's gate and up projections
    stacked into one weight: `w_gate_up[e]` is `[2F, D]`, rows `0 ..< F`
    the gate and rows `F ..< 2F` the up projection of expert `e` (the layout
    of `xfmr.glu`, whose gate is the first half). Rows
    `offsets[e] ..< offsets[e+1]` of `sorted_x[R, D]` compute
    `glu<activation>(x · w_gate_up[e]ᵀ) · w_down[e]ᵀ`, so `x` is read by one
    projection per expert. `xfmr-fuse-gate-up` produces it from
    `xfmr.grouped_gated_ffn` by concatenating `w_gate` and `w_up` along
    dimension 1. `E` must be at least 1, `offsets` (i32) has `E + 1` entries,
    dimension 1 of `w_gate_up` is even and `w_down` is `[E, D, F]`. The result
    has the type of `sorted_x`.

    ```mlir
    %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd
        : tensor<?x256xf32>, tensor<9xi32>, tensor<8x1408x256xf32>,
          tensor<8x256x704xf32>
    ```
  }];
  let arguments = (ins Xfmr_ActivationAttr:$activation,
                       Xfmr_FloatTensor:$sorted_x, Xfmr_I32Tensor:$offsets,
                       Xfmr_FloatTensor:$w_gate_up, Xfmr_FloatTensor:$w_down);
  let results = (outs Xfmr_FloatTensor:$result);
  let assemblyFormat = [{
    $activation $sorted_x `,` $offsets `,` $w_gate_up `,` $w_down
    attr-dict `:` type($sorted_x) `,` type($offsets) `,` type($w_gate_up) `,`
    type($w_down)
  }];
}

def Xfmr_CombineOp : Xfmr_InferOp<"combine"> {
  let summary = "Weighted un-permute of expert outputs back to tokens";
  let description = [{
    `y[t] = Σ_j weights[t, j] · expert_out[row of (t, j)]`, where the row of
    the pair `(t, j)` is the `r` with `order[r] = t·k + j`. The sum runs over
    `j` in increasing order, so the result is deterministic. `expert_out`
    and `order` (i32) have `T·k` rows, `weights` is f32, and the result is
    `[T, D]` with the element type of `expert_out`.

    ```mlir
    %y = xfmr.combine %eo, %ord, %w
        : tensor<?x256xf32>, tensor<?xi32>, tensor<?x2xf32>
    // %y : tensor<?x256xf32>
    ```
  }];
  let arguments = (ins Xfmr_FloatTensor:$expert_out, Xfmr_I32Tensor:$order,
                       Xfmr_F32Tensor:$weights);
  let results = (outs Xfmr_FloatTensor:$result);
  let assemblyFormat = [{
    $expert_out `,` $order `,` $weights attr-dict `:` type($expert_out) `,`
    type($order) `,` type($weights)
  }];
}

#endif // XFMR_OPS_TD
