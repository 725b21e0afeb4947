// RUN: xfmr-opt %s --convert-xfmr-to-linalg --split-input-file | FileCheck %s

// linear: leading dims collapse to a matrix, the weight is read in its
// nn.Linear [N, K] layout by a transposed-B matmul, the bias is added in an
// epilogue, and the result is expanded back.
// CHECK-LABEL: func.func @linear_batched
//  CHECK-SAME: (%[[X:.+]]: tensor<2x?x64xf32>, %[[W:.+]]: tensor<128x64xf32>, %[[B:.+]]: tensor<128xf32>)
//       CHECK:   %[[X2:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x?x64xf32> into tensor<?x64xf32>
//       CHECK:   %[[ACC:.+]] = linalg.fill
//       CHECK:   %[[MM:.+]] = linalg.matmul indexing_maps = [#[[$MA:.+]], #[[$MB:.+]], #[[$MC:.+]]] ins(%[[X2]], %[[W]] : tensor<?x64xf32>, tensor<128x64xf32>) outs(%[[ACC]] : tensor<?x128xf32>)
//       CHECK:   %[[BIAS:.+]] = linalg.generic {{.*}} ins(%[[MM]], %[[B]] : tensor<?x128xf32>, tensor<128xf32>)
//       CHECK:     arith.addf
//       CHECK:   %[[Y:.+]] = tensor.expand_shape %[[BIAS]] {{\[}}[0, 1], [2]] output_shape [2, %{{.+}}, 128]
//       CHECK:   return %[[Y]] : tensor<2x?x128xf32>
func.func @linear_batched(%x: tensor<2x?x64xf32>, %w: tensor<128x64xf32>, %b: tensor<128xf32>) -> tensor<2x?x128xf32> {
  %y = xfmr.linear %x, %w, %b : tensor<2x?x64xf32>, tensor<128x64xf32>, tensor<128xf32>
  return %y : tensor<2x?x128xf32>
}

// -----

// bf16 storage: the matmul accumulates in f32 and the epilogue truncates.
// CHECK-LABEL: func.func @linear_bf16
//       CHECK:   %[[MM:.+]] = linalg.matmul {{.*}} -> tensor<?x32xf32>
//       CHECK:   linalg.generic {{.*}} ins(%[[MM]] : tensor<?x32xf32>) outs(%{{.+}} : tensor<?x32xbf16>)
//       CHECK:     arith.truncf %{{.+}} : f32 to bf16
func.func @linear_bf16(%x: tensor<?x16xbf16>, %w: tensor<32x16xbf16>) -> tensor<?x32xbf16> {
  %y = xfmr.linear %x, %w : tensor<?x16xbf16>, tensor<32x16xbf16>
  return %y : tensor<?x32xbf16>
}

// -----

// CHECK-LABEL: func.func @activation_gelu
//       CHECK:   linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
//       CHECK:     %[[S:.+]] = arith.mulf %{{.+}}, %{{.+}} : f32
//       CHECK:     math.erf %[[S]] : f32
//   CHECK-NOT:   xfmr.
func.func @activation_gelu(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = xfmr.activation <gelu> %x : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// CHECK-LABEL: func.func @activation_gelu_tanh
//       CHECK:     math.tanh
func.func @activation_gelu_tanh(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = xfmr.activation <gelu_tanh> %x : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// silu(g) * u: exp of the negated gate, one division, two multiplies.
// CHECK-LABEL: func.func @swiglu
//  CHECK-SAME: (%[[G:.+]]: tensor<?x16xf32>, %[[U:.+]]: tensor<?x16xf32>)
//       CHECK:   linalg.generic {{.*}} ins(%[[G]], %[[U]] : tensor<?x16xf32>, tensor<?x16xf32>)
//       CHECK:   ^bb0(%[[GV:.+]]: f32, %[[UV:.+]]: f32, %{{.+}}: f32):
//       CHECK:     %[[NEG:.+]] = arith.negf %[[GV]]
//       CHECK:     %[[E:.+]] = math.exp %[[NEG]]
//       CHECK:     %[[SIG:.+]] = arith.divf
//       CHECK:     %[[SILU:.+]] = arith.mulf %[[GV]], %[[SIG]]
//       CHECK:     %[[R:.+]] = arith.mulf %[[SILU]], %[[UV]]
//       CHECK:     linalg.yield %[[R]]
func.func @swiglu(%g: tensor<?x16xf32>, %u: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %y = xfmr.gated_activation <silu> %g, %u : tensor<?x16xf32>, tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// glu: the gate is the first half of the last dimension, up the second.
// CHECK-LABEL: func.func @glu
//  CHECK-SAME: (%[[GU:.+]]: tensor<?x32xf32>)
//       CHECK:   %[[GATE:.+]] = tensor.extract_slice %[[GU]][0, 0] [%{{.+}}, 16] [1, 1]
//       CHECK:   %[[UP:.+]] = tensor.extract_slice %[[GU]][0, 16] [%{{.+}}, 16] [1, 1]
//       CHECK:   linalg.generic {{.*}} ins(%[[GATE]], %[[UP]] :
//       CHECK:     arith.maximumf
func.func @glu(%gu: tensor<?x32xf32>) -> tensor<?x16xf32> {
  %y = xfmr.glu <relu> %gu : tensor<?x32xf32>
  return %y : tensor<?x16xf32>
}

// -----

// gated_ffn: gate and up projections, the gated activation, the down
// projection: three matmuls and no xfmr op left.
// CHECK-LABEL: func.func @gated_ffn
//       CHECK-COUNT-3: linalg.matmul
//   CHECK-NOT:   xfmr.
func.func @gated_ffn(%x: tensor<?x16xf32>, %wg: tensor<24x16xf32>, %wu: tensor<24x16xf32>, %wd: tensor<16x24xf32>) -> tensor<?x16xf32> {
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<24x16xf32>, tensor<24x16xf32>, tensor<16x24xf32>
  return %y : tensor<?x16xf32>
}

// -----

// ffn with both biases: two matmuls, each with a bias epilogue.
// CHECK-LABEL: func.func @ffn_bias
//       CHECK:   linalg.matmul
//       CHECK:   arith.addf
//       CHECK:   math.tanh
//       CHECK:   linalg.matmul
//       CHECK:   arith.addf
func.func @ffn_bias(%x: tensor<?x16xf32>, %w1: tensor<24x16xf32>, %w2: tensor<16x24xf32>, %b1: tensor<24xf32>, %b2: tensor<16xf32>) -> tensor<?x16xf32> {
  %y = xfmr.ffn <tanh> %x, %w1, %w2 b_up(%b1 : tensor<24xf32>) b_down(%b2 : tensor<16xf32>) : tensor<?x16xf32>, tensor<24x16xf32>, tensor<16x24xf32>
  return %y : tensor<?x16xf32>
}

// -----

// rms_norm: a row reduction of squares, 1/sqrt(mean + eps) per row, then one
// element-wise pass with the weight.
// CHECK-LABEL: func.func @rms_norm
//  CHECK-SAME: (%[[X:.+]]: tensor<?x64xf32>, %[[G:.+]]: tensor<64xf32>)
//       CHECK:   %[[SS:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[X]] : tensor<?x64xf32>) outs(%{{.+}} : tensor<?xf32>)
//       CHECK:   %[[EPS:.+]] = arith.constant 9.99999997E-7 : f32
//       CHECK:   %[[INV:.+]] = linalg.generic {{.*}} ins(%[[SS]] : tensor<?xf32>)
//       CHECK:     %[[MEANSQ:.+]] = arith.divf
//       CHECK:     %[[SUM:.+]] = arith.addf %[[MEANSQ]], %[[EPS]]
//       CHECK:     math.sqrt %[[SUM]]
//       CHECK:   linalg.generic {{.*}} ins(%[[X]], %[[INV]], %[[G]] : tensor<?x64xf32>, tensor<?xf32>, tensor<64xf32>)
func.func @rms_norm(%x: tensor<?x64xf32>, %g: tensor<64xf32>) -> tensor<?x64xf32> {
  %y = xfmr.rms_norm %x, %g : tensor<?x64xf32>, tensor<64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// layer_norm: mean, then squared deviations from it (two passes).
// CHECK-LABEL: func.func @layer_norm
//       CHECK:   %[[SUM:.+]] = linalg.generic {{.*}}"reduction"
//       CHECK:   %[[MEAN:.+]] = linalg.generic {{.*}} ins(%[[SUM]]
//       CHECK:   %[[DEV:.+]] = linalg.generic {{.*}}"reduction"{{.*}} ins(%{{.+}}, %[[MEAN]]
//       CHECK:     arith.subf
func.func @layer_norm(%x: tensor<3x?x64xf16>, %g: tensor<64xf16>, %b: tensor<64xf16>) -> tensor<3x?x64xf16> {
  %y = xfmr.layer_norm %x, %g, %b {epsilon = 1.0e-05 : f32} : tensor<3x?x64xf16>, tensor<64xf16>, tensor<64xf16>
  return %y : tensor<3x?x64xf16>
}

// -----

// rope: cos/sin tables [T, rotary_dim/2] from f64 angles, then one pass over
// x that reads the partner element of each pair.
// CHECK-LABEL: func.func @rope_partial
//  CHECK-SAME: (%[[X:.+]]: tensor<?x4x16xf32>, %[[P:.+]]: tensor<?xi64>)
//       CHECK:   %[[COS:.+]] = linalg.generic {{.*}} ins(%[[P]] : tensor<?xi64>) outs(%{{.+}} : tensor<?x4xf32>)
//       CHECK:     math.cos %{{.+}} : f64
//       CHECK:   %[[SIN:.+]] = linalg.generic {{.*}} ins(%[[P]] : tensor<?xi64>) outs(%{{.+}} : tensor<?x4xf32>)
//       CHECK:     math.sin %{{.+}} : f64
//       CHECK:   linalg.generic {{.*}} ins(%[[X]] : tensor<?x4x16xf32>)
//       CHECK:     tensor.extract %[[X]]
//       CHECK:     tensor.extract %[[COS]]
//       CHECK:     tensor.extract %[[SIN]]
func.func @rope_partial(%x: tensor<?x4x16xf32>, %p: tensor<?xi64>) -> tensor<?x4x16xf32> {
  %y = xfmr.rope %x, %p {rotary_dim = 8 : i64, theta = 500000.0 : f64} : tensor<?x4x16xf32>, tensor<?xi64>
  return %y : tensor<?x4x16xf32>
}
