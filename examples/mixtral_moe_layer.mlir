// The sparse-MoE half of a Mixtral-style decoder layer in the xfmr dialect:
// an example model that examples/run_example.py compiles, runs and checks.
//
//   y = x + moe<silu>(rms_norm(x))   8 experts, top-2, softmax router,
//                                    top-2 weights renormalised (Mixtral)
//
// D = 256, E = 8, F = 704, RMSNorm ε = 1e-5. The token count T is dynamic.
// Expert weights are stacked expert-first: w_gate/w_up [E, F, D] (w1/w3 of
// a Hugging Face checkpoint), w_down [E, D, F] (w2); router [E, D] (gate).
module {
  func.func @mixtral_moe_layer(%x: tensor<?x256xf32>,
                               %ffn_norm: tensor<256xf32>,
                               %router: tensor<8x256xf32>,
                               %w_gate: tensor<8x704x256xf32>,
                               %w_up: tensor<8x704x256xf32>,
                               %w_down: tensor<8x256x704xf32>)
      -> tensor<?x256xf32> {
    %h = xfmr.rms_norm %x, %ffn_norm {epsilon = 1.0e-05 : f32}
        : tensor<?x256xf32>, tensor<256xf32>
    %moe = xfmr.moe <silu> %h, %router, %w_gate, %w_up, %w_down
        {top_k = 2 : i64, scoring = #xfmr.scoring<softmax>,
         normalize_topk = true}
        : tensor<?x256xf32>, tensor<8x256xf32>, tensor<8x704x256xf32>,
          tensor<8x704x256xf32>, tensor<8x256x704xf32>
    %y = arith.addf %x, %moe : tensor<?x256xf32>
    return %y : tensor<?x256xf32>
  }
}
