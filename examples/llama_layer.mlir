// A Llama-style decoder layer in the xfmr dialect: the built-in example
// model that examples/run_example.py compiles, runs and checks.
//
//   h  = rms_norm(x)                                   (attention_norm)
//   q, k, v = h·Wqᵀ, h·Wkᵀ, h·Wvᵀ                      [T, Hq·Dh], [T, Hkv·Dh]
//   q, k -> [T, H, Dh], rotary embedding at `positions`, -> [H, T, Dh]
//   o  = causal grouped-query attention (Hq = 8 query heads, Hkv = 2 kv heads)
//   x1 = x + ([T, Hq·Dh] o)·Woᵀ                        (residual)
//   y  = x1 + gated_ffn<silu>(rms_norm(x1))            (SwiGLU MLP, residual)
//
// D = 256, Hq = 8, Hkv = 2, Dh = 32, F = 688, RMSNorm ε = 1e-5, RoPE θ = 1e4.
// The token count T is dynamic: one compiled library serves every length.
// Weights are arguments in nn.Linear layout [out_features, in_features].
module {
  func.func @llama_layer(%x: tensor<?x256xf32>, %positions: tensor<?xi32>,
                         %attn_norm: tensor<256xf32>,
                         %wq: tensor<256x256xf32>, %wk: tensor<64x256xf32>,
                         %wv: tensor<64x256xf32>, %wo: tensor<256x256xf32>,
                         %ffn_norm: tensor<256xf32>,
                         %w_gate: tensor<688x256xf32>,
                         %w_up: tensor<688x256xf32>,
                         %w_down: tensor<256x688xf32>) -> tensor<?x256xf32> {
    %c0 = arith.constant 0 : index
    %t = tensor.dim %x, %c0 : tensor<?x256xf32>

    // Attention block.
    %h = xfmr.rms_norm %x, %attn_norm {epsilon = 1.0e-05 : f32}
        : tensor<?x256xf32>, tensor<256xf32>
    %q = xfmr.linear %h, %wq : tensor<?x256xf32>, tensor<256x256xf32>
    %k = xfmr.linear %h, %wk : tensor<?x256xf32>, tensor<64x256xf32>
    %v = xfmr.linear %h, %wv : tensor<?x256xf32>, tensor<64x256xf32>

    %q3 = tensor.expand_shape %q [[0], [1, 2]] output_shape [%t, 8, 32]
        : tensor<?x256xf32> into tensor<?x8x32xf32>
    %k3 = tensor.expand_shape %k [[0], [1, 2]] output_shape [%t, 2, 32]
        : tensor<?x64xf32> into tensor<?x2x32xf32>
    %v3 = tensor.expand_shape %v [[0], [1, 2]] output_shape [%t, 2, 32]
        : tensor<?x64xf32> into tensor<?x2x32xf32>

    %qr = xfmr.rope %q3, %positions {theta = 10000.0 : f64}
        : tensor<?x8x32xf32>, tensor<?xi32>
    %kr = xfmr.rope %k3, %positions {theta = 10000.0 : f64}
        : tensor<?x2x32xf32>, tensor<?xi32>

    // [T, H, Dh] -> [H, T, Dh], the layout xfmr.attention takes.
    %qe = tensor.empty(%t) : tensor<8x?x32xf32>
    %qh = linalg.transpose ins(%qr : tensor<?x8x32xf32>)
        outs(%qe : tensor<8x?x32xf32>) permutation = [1, 0, 2]
    %ke = tensor.empty(%t) : tensor<2x?x32xf32>
    %kh = linalg.transpose ins(%kr : tensor<?x2x32xf32>)
        outs(%ke : tensor<2x?x32xf32>) permutation = [1, 0, 2]
    %ve = tensor.empty(%t) : tensor<2x?x32xf32>
    %vh = linalg.transpose ins(%v3 : tensor<?x2x32xf32>)
        outs(%ve : tensor<2x?x32xf32>) permutation = [1, 0, 2]

    %o = xfmr.attention %qh, %kh, %vh {causal}
        : tensor<8x?x32xf32>, tensor<2x?x32xf32>, tensor<2x?x32xf32>

    // [Hq, T, Dh] -> [T, Hq·Dh].
    %oe = tensor.empty(%t) : tensor<?x8x32xf32>
    %ot = linalg.transpose ins(%o : tensor<8x?x32xf32>)
        outs(%oe : tensor<?x8x32xf32>) permutation = [1, 0, 2]
    %o2 = tensor.collapse_shape %ot [[0], [1, 2]]
        : tensor<?x8x32xf32> into tensor<?x256xf32>
    %attn = xfmr.linear %o2, %wo : tensor<?x256xf32>, tensor<256x256xf32>
    %x1 = arith.addf %x, %attn : tensor<?x256xf32>

    // MLP block.
    %h2 = xfmr.rms_norm %x1, %ffn_norm {epsilon = 1.0e-05 : f32}
        : tensor<?x256xf32>, tensor<256xf32>
    %mlp = xfmr.gated_ffn <silu> %h2, %w_gate, %w_up, %w_down
        : tensor<?x256xf32>, tensor<688x256xf32>, tensor<688x256xf32>,
          tensor<256x688xf32>
    %y = arith.addf %x1, %mlp : tensor<?x256xf32>
    return %y : tensor<?x256xf32>
  }
}
