// RUN: xfmr-opt %s --xfmr-fuse-gate-up --split-input-file | FileCheck %s
// RUN: xfmr-opt %s --xfmr-to-linalg-pipeline=fuse-gate-up=true --split-input-file | FileCheck %s --check-prefix=PIPE

// The pipeline option runs the pass first: one [2F, D] projection.
// PIPE-LABEL: func.func @gated_ffn
//       PIPE:   %[[W:.+]] = tensor.concat dim(0) %{{.+}}, %{{.+}} : (tensor<32x16xf32>, tensor<32x16xf32>) -> tensor<64x16xf32>
//       PIPE:   linalg.matmul {{.*}}ins(%{{.+}}, %[[W]] : tensor<?x16xf32>, tensor<64x16xf32>)
//       PIPE:   linalg.matmul {{.*}}ins(%{{.+}}, %{{.+}} : tensor<?x32xf32>, tensor<16x32xf32>)
//   PIPE-NOT:   linalg.matmul
//       PIPE:   return

// The gated_ffn form: gate rows first, then up rows, one projection, glu,
// and the down projection.
// CHECK-LABEL: func.func @gated_ffn
//  CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[WG:.+]]: tensor<32x16xf32>, %[[WU:.+]]: tensor<32x16xf32>, %[[WD:.+]]: tensor<16x32xf32>)
//       CHECK:   %[[W:.+]] = tensor.concat dim(0) %[[WG]], %[[WU]] : (tensor<32x16xf32>, tensor<32x16xf32>) -> tensor<64x16xf32>
//       CHECK:   %[[GU:.+]] = xfmr.linear %[[X]], %[[W]] : tensor<?x16xf32>, tensor<64x16xf32>
//       CHECK:   %[[H:.+]] = xfmr.glu <silu> %[[GU]] : tensor<?x64xf32>
//       CHECK:   %[[Y:.+]] = xfmr.linear %[[H]], %[[WD]] : tensor<?x32xf32>, tensor<16x32xf32>
//   CHECK-NOT:   xfmr.gated_ffn
//       CHECK:   return %[[Y]] : tensor<?x16xf32>
func.func @gated_ffn(%x: tensor<?x16xf32>, %wg: tensor<32x16xf32>, %wu: tensor<32x16xf32>, %wd: tensor<16x32xf32>) -> tensor<?x16xf32> {
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<32x16xf32>, tensor<32x16xf32>, tensor<16x32xf32>
  return %y : tensor<?x16xf32>
}

// -----

// Batch dimensions and f16 storage carry over; the activation kind too.
// CHECK-LABEL: func.func @gated_ffn_batched_f16
//  CHECK-SAME: (%[[X:.+]]: tensor<2x?x8xf16>, %[[WG:.+]]: tensor<12x8xf16>, %[[WU:.+]]: tensor<12x8xf16>, %[[WD:.+]]: tensor<8x12xf16>)
//       CHECK:   %[[W:.+]] = tensor.concat dim(0) %[[WG]], %[[WU]] : (tensor<12x8xf16>, tensor<12x8xf16>) -> tensor<24x8xf16>
//       CHECK:   %[[GU:.+]] = xfmr.linear %[[X]], %[[W]] : tensor<2x?x8xf16>, tensor<24x8xf16>
//       CHECK:   %[[H:.+]] = xfmr.glu <gelu> %[[GU]] : tensor<2x?x24xf16>
//       CHECK:   %[[Y:.+]] = xfmr.linear %[[H]], %[[WD]] : tensor<2x?x12xf16>, tensor<8x12xf16>
//       CHECK:   return %[[Y]] : tensor<2x?x8xf16>
func.func @gated_ffn_batched_f16(%x: tensor<2x?x8xf16>, %wg: tensor<12x8xf16>, %wu: tensor<12x8xf16>, %wd: tensor<8x12xf16>) -> tensor<2x?x8xf16> {
  %y = xfmr.gated_ffn <gelu> %x, %wg, %wu, %wd : tensor<2x?x8xf16>, tensor<12x8xf16>, tensor<12x8xf16>, tensor<8x12xf16>
  return %y : tensor<2x?x8xf16>
}

// -----

// A gate or up weight with a dynamic F: the split point of the glu would be
// unknown, so the gated_ffn stays.
// CHECK-LABEL: func.func @gated_ffn_dynamic_f
//   CHECK-NOT:   tensor.concat
//       CHECK:   %[[Y:.+]] = xfmr.gated_ffn <silu>
//       CHECK:   return %[[Y]]
func.func @gated_ffn_dynamic_f(%x: tensor<?x16xf32>, %wg: tensor<32x16xf32>, %wu: tensor<?x16xf32>, %wd: tensor<16x32xf32>) -> tensor<?x16xf32> {
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<32x16xf32>, tensor<?x16xf32>, tensor<16x32xf32>
  return %y : tensor<?x16xf32>
}

// -----

// The pieces form: two bias-free projections of the same x feeding a
// gated_activation become one projection and a glu; the old projections
// are gone.
// CHECK-LABEL: func.func @pieces
//  CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[WG:.+]]: tensor<32x16xf32>, %[[WU:.+]]: tensor<32x16xf32>, %[[WD:.+]]: tensor<16x32xf32>)
//       CHECK:   %[[W:.+]] = tensor.concat dim(0) %[[WG]], %[[WU]] : (tensor<32x16xf32>, tensor<32x16xf32>) -> tensor<64x16xf32>
//       CHECK:   %[[GU:.+]] = xfmr.linear %[[X]], %[[W]] : tensor<?x16xf32>, tensor<64x16xf32>
//       CHECK:   %[[H:.+]] = xfmr.glu <relu> %[[GU]] : tensor<?x64xf32>
//   CHECK-NOT:   xfmr.gated_activation
//       CHECK:   %[[Y:.+]] = xfmr.linear %[[H]], %[[WD]] : tensor<?x32xf32>, tensor<16x32xf32>
//       CHECK:   return %[[Y]]
func.func @pieces(%x: tensor<?x16xf32>, %wg: tensor<32x16xf32>, %wu: tensor<32x16xf32>, %wd: tensor<16x32xf32>) -> tensor<?x16xf32> {
  %g = xfmr.linear %x, %wg : tensor<?x16xf32>, tensor<32x16xf32>
  %u = xfmr.linear %x, %wu : tensor<?x16xf32>, tensor<32x16xf32>
  %h = xfmr.gated_activation <relu> %g, %u : tensor<?x32xf32>, tensor<?x32xf32>
  %y = xfmr.linear %h, %wd : tensor<?x32xf32>, tensor<16x32xf32>
  return %y : tensor<?x16xf32>
}

// -----

// Gate and up swapped: the projection of %wu is used as the gate, so %wu's
// rows go first (the glu gates with the first half).
// CHECK-LABEL: func.func @pieces_swapped
//  CHECK-SAME: (%[[X:.+]]: tensor<3x?x16xf32>, %[[WG:.+]]: tensor<32x16xf32>, %[[WU:.+]]: tensor<32x16xf32>)
//       CHECK:   %[[W:.+]] = tensor.concat dim(0) %[[WU]], %[[WG]] : (tensor<32x16xf32>, tensor<32x16xf32>) -> tensor<64x16xf32>
//       CHECK:   %[[GU:.+]] = xfmr.linear %[[X]], %[[W]] : tensor<3x?x16xf32>, tensor<64x16xf32>
//       CHECK:   %[[H:.+]] = xfmr.glu <silu> %[[GU]] : tensor<3x?x64xf32>
//       CHECK:   return %[[H]]
func.func @pieces_swapped(%x: tensor<3x?x16xf32>, %wg: tensor<32x16xf32>, %wu: tensor<32x16xf32>) -> tensor<3x?x32xf32> {
  %g = xfmr.linear %x, %wg : tensor<3x?x16xf32>, tensor<32x16xf32>
  %u = xfmr.linear %x, %wu : tensor<3x?x16xf32>, tensor<32x16xf32>
  %h = xfmr.gated_activation <silu> %u, %g : tensor<3x?x32xf32>, tensor<3x?x32xf32>
  return %h : tensor<3x?x32xf32>
}

// -----

// Different inputs: nothing to share.
// CHECK-LABEL: func.func @different_inputs
//  CHECK-SAME: (%[[X1:.+]]: tensor<?x16xf32>, %[[X2:.+]]: tensor<?x16xf32>, %[[WG:.+]]: tensor<32x16xf32>, %[[WU:.+]]: tensor<32x16xf32>)
//   CHECK-NOT:   tensor.concat
//       CHECK:   %[[G:.+]] = xfmr.linear %[[X1]], %[[WG]]
//       CHECK:   %[[U:.+]] = xfmr.linear %[[X2]], %[[WU]]
//       CHECK:   %[[H:.+]] = xfmr.gated_activation <silu> %[[G]], %[[U]]
//   CHECK-NOT:   xfmr.glu
//       CHECK:   return %[[H]]
func.func @different_inputs(%x1: tensor<?x16xf32>, %x2: tensor<?x16xf32>, %wg: tensor<32x16xf32>, %wu: tensor<32x16xf32>) -> tensor<?x32xf32> {
  %g = xfmr.linear %x1, %wg : tensor<?x16xf32>, tensor<32x16xf32>
  %u = xfmr.linear %x2, %wu : tensor<?x16xf32>, tensor<32x16xf32>
  %h = xfmr.gated_activation <silu> %g, %u : tensor<?x32xf32>, tensor<?x32xf32>
  return %h : tensor<?x32xf32>
}

// -----

// The gate projection has another use: fusing would compute it twice.
// CHECK-LABEL: func.func @projection_reused
//  CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[WG:.+]]: tensor<32x16xf32>, %[[WU:.+]]: tensor<32x16xf32>)
//   CHECK-NOT:   tensor.concat
//       CHECK:   %[[G:.+]] = xfmr.linear %[[X]], %[[WG]]
//       CHECK:   %[[U:.+]] = xfmr.linear %[[X]], %[[WU]]
//       CHECK:   %[[H:.+]] = xfmr.gated_activation <silu> %[[G]], %[[U]]
//   CHECK-NOT:   xfmr.glu
//       CHECK:   return %[[H]], %[[G]]
func.func @projection_reused(%x: tensor<?x16xf32>, %wg: tensor<32x16xf32>, %wu: tensor<32x16xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  %g = xfmr.linear %x, %wg : tensor<?x16xf32>, tensor<32x16xf32>
  %u = xfmr.linear %x, %wu : tensor<?x16xf32>, tensor<32x16xf32>
  %h = xfmr.gated_activation <silu> %g, %u : tensor<?x32xf32>, tensor<?x32xf32>
  return %h, %g : tensor<?x32xf32>, tensor<?x32xf32>
}

// -----

// One projection used as both gate and up.
// CHECK-LABEL: func.func @same_projection
//   CHECK-NOT:   tensor.concat
//       CHECK:   %[[G:.+]] = xfmr.linear
//       CHECK:   %[[H:.+]] = xfmr.gated_activation <silu> %[[G]], %[[G]]
//   CHECK-NOT:   xfmr.glu
//       CHECK:   return %[[H]]
func.func @same_projection(%x: tensor<?x16xf32>, %wg: tensor<32x16xf32>) -> tensor<?x32xf32> {
  %g = xfmr.linear %x, %wg : tensor<?x16xf32>, tensor<32x16xf32>
  %h = xfmr.gated_activation <silu> %g, %g : tensor<?x32xf32>, tensor<?x32xf32>
  return %h : tensor<?x32xf32>
}

// -----

// A bias on the up projection: left alone.
// CHECK-LABEL: func.func @bias
//  CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[WG:.+]]: tensor<32x16xf32>, %[[WU:.+]]: tensor<32x16xf32>, %[[B:.+]]: tensor<32xf32>)
//   CHECK-NOT:   tensor.concat
//       CHECK:   %[[G:.+]] = xfmr.linear %[[X]], %[[WG]] :
//       CHECK:   %[[U:.+]] = xfmr.linear %[[X]], %[[WU]], %[[B]] :
//       CHECK:   %[[H:.+]] = xfmr.gated_activation <silu> %[[G]], %[[U]]
//   CHECK-NOT:   xfmr.glu
//       CHECK:   return %[[H]]
func.func @bias(%x: tensor<?x16xf32>, %wg: tensor<32x16xf32>, %wu: tensor<32x16xf32>, %b: tensor<32xf32>) -> tensor<?x32xf32> {
  %g = xfmr.linear %x, %wg : tensor<?x16xf32>, tensor<32x16xf32>
  %u = xfmr.linear %x, %wu, %b : tensor<?x16xf32>, tensor<32x16xf32>, tensor<32xf32>
  %h = xfmr.gated_activation <silu> %g, %u : tensor<?x32xf32>, tensor<?x32xf32>
  return %h : tensor<?x32xf32>
}

// -----

// Weights of different shapes (a dynamic F on one side): left alone.
// CHECK-LABEL: func.func @mismatched_shapes
//  CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[WG:.+]]: tensor<32x16xf32>, %[[WU:.+]]: tensor<?x16xf32>)
//   CHECK-NOT:   tensor.concat
//       CHECK:   %[[G:.+]] = xfmr.linear %[[X]], %[[WG]]
//       CHECK:   %[[U:.+]] = xfmr.linear %[[X]], %[[WU]]
//       CHECK:   %[[H:.+]] = xfmr.gated_activation <silu> %[[G]], %[[U]]
//   CHECK-NOT:   xfmr.glu
//       CHECK:   return %[[H]]
func.func @mismatched_shapes(%x: tensor<?x16xf32>, %wg: tensor<32x16xf32>, %wu: tensor<?x16xf32>) -> tensor<?x32xf32> {
  %g = xfmr.linear %x, %wg : tensor<?x16xf32>, tensor<32x16xf32>
  %u = xfmr.linear %x, %wu : tensor<?x16xf32>, tensor<?x16xf32>
  %h = xfmr.gated_activation <silu> %g, %u : tensor<?x32xf32>, tensor<?x?xf32>
  return %h : tensor<?x32xf32>
}

// Weights of different element types cannot reach the pass: the verifiers
// tie the weights of xfmr.linear and xfmr.gated_ffn to the element type of
// x, and the two operands of xfmr.gated_activation to each other (the pass
// checks it all the same).

// -----

// The expert FFNs of a mixture of experts: w_gate and w_up [E, F, D] are
// stacked per expert along dimension 1 (gate rows first) into one
// [E, 2F, D] weight; E = 3 and F = 20 divide nothing nicely.
// CHECK-LABEL: func.func @grouped
//  CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[OFF:.+]]: tensor<4xi32>, %[[WG:.+]]: tensor<3x20x16xf32>, %[[WU:.+]]: tensor<3x20x16xf32>, %[[WD:.+]]: tensor<3x16x20xf32>)
//       CHECK:   %[[W:.+]] = tensor.concat dim(1) %[[WG]], %[[WU]] : (tensor<3x20x16xf32>, tensor<3x20x16xf32>) -> tensor<3x40x16xf32>
//       CHECK:   %[[Y:.+]] = xfmr.grouped_glu_ffn <gelu> %[[X]], %[[OFF]], %[[W]], %[[WD]] : tensor<?x16xf32>, tensor<4xi32>, tensor<3x40x16xf32>, tensor<3x16x20xf32>
//   CHECK-NOT:   xfmr.grouped_gated_ffn
//       CHECK:   return %[[Y]] : tensor<?x16xf32>
func.func @grouped(%x: tensor<?x16xf32>, %off: tensor<4xi32>, %wg: tensor<3x20x16xf32>, %wu: tensor<3x20x16xf32>, %wd: tensor<3x16x20xf32>) -> tensor<?x16xf32> {
  %y = xfmr.grouped_gated_ffn <gelu> %x, %off, %wg, %wu, %wd : tensor<?x16xf32>, tensor<4xi32>, tensor<3x20x16xf32>, tensor<3x20x16xf32>, tensor<3x16x20xf32>
  return %y : tensor<?x16xf32>
}

// -----

// bf16 storage carries over.
// CHECK-LABEL: func.func @grouped_bf16
//       CHECK:   %[[W:.+]] = tensor.concat dim(1) %{{.+}}, %{{.+}} : (tensor<2x8x16xbf16>, tensor<2x8x16xbf16>) -> tensor<2x16x16xbf16>
//       CHECK:   xfmr.grouped_glu_ffn <silu> %{{.+}}, %{{.+}}, %[[W]], %{{.+}} : tensor<5x16xbf16>, tensor<3xi32>, tensor<2x16x16xbf16>, tensor<2x16x8xbf16>
func.func @grouped_bf16(%x: tensor<5x16xbf16>, %off: tensor<3xi32>, %wg: tensor<2x8x16xbf16>, %wu: tensor<2x8x16xbf16>, %wd: tensor<2x16x8xbf16>) -> tensor<5x16xbf16> {
  %y = xfmr.grouped_gated_ffn <silu> %x, %off, %wg, %wu, %wd : tensor<5x16xbf16>, tensor<3xi32>, tensor<2x8x16xbf16>, tensor<2x8x16xbf16>, tensor<2x16x8xbf16>
  return %y : tensor<5x16xbf16>
}

// -----

// Stacked weights with a dynamic F (or any dynamic size): the glu's split
// point would be unknown, so the grouped FFN stays.
// CHECK-LABEL: func.func @grouped_dynamic_f
//   CHECK-NOT:   tensor.concat
//       CHECK:   %[[Y:.+]] = xfmr.grouped_gated_ffn <silu>
//   CHECK-NOT:   xfmr.grouped_glu_ffn
//       CHECK:   return %[[Y]]
func.func @grouped_dynamic_f(%x: tensor<?x16xf32>, %off: tensor<4xi32>, %wg: tensor<3x?x16xf32>, %wu: tensor<3x?x16xf32>, %wd: tensor<3x16x?xf32>) -> tensor<?x16xf32> {
  %y = xfmr.grouped_gated_ffn <silu> %x, %off, %wg, %wu, %wd : tensor<?x16xf32>, tensor<4xi32>, tensor<3x?x16xf32>, tensor<3x?x16xf32>, tensor<3x16x?xf32>
  return %y : tensor<?x16xf32>
}

// -----

// Gate and up of different static shapes cannot be stacked (a dynamic E on
// one side): left alone.
// CHECK-LABEL: func.func @grouped_mismatched
//   CHECK-NOT:   tensor.concat
//       CHECK:   xfmr.grouped_gated_ffn <silu>
//   CHECK-NOT:   xfmr.grouped_glu_ffn
func.func @grouped_mismatched(%x: tensor<?x16xf32>, %off: tensor<4xi32>, %wg: tensor<3x20x16xf32>, %wu: tensor<?x20x16xf32>, %wd: tensor<3x16x20xf32>) -> tensor<?x16xf32> {
  %y = xfmr.grouped_gated_ffn <silu> %x, %off, %wg, %wu, %wd : tensor<?x16xf32>, tensor<4xi32>, tensor<3x20x16xf32>, tensor<?x20x16xf32>, tensor<3x16x20xf32>
  return %y : tensor<?x16xf32>
}

// -----

// The pipeline option runs the pass after the MoE lowering: xfmr.moe's
// expert FFNs are fused too (one projection per expert over the [2F, D]
// slice of the stacked weight, then the down projection).
// PIPE-LABEL: func.func @moe
//       PIPE:   %[[W:.+]] = tensor.concat dim(1) %{{.+}}, %{{.+}} : (tensor<4x24x16xf32>, tensor<4x24x16xf32>) -> tensor<4x48x16xf32>
//       PIPE:   scf.for
//       PIPE:     %[[S:.+]] = tensor.extract_slice %[[W]][%{{.+}}, 0, 0] [1, 48, 16] [1, 1, 1] : tensor<4x48x16xf32> to tensor<48x16xf32>
//       PIPE:     linalg.matmul {{.*}}ins(%{{.+}}, %[[S]] : tensor<?x16xf32>, tensor<48x16xf32>)
//       PIPE:     linalg.matmul {{.*}}ins(%{{.+}}, %{{.+}} : tensor<?x24xf32>, tensor<16x24xf32>)
//   PIPE-NOT:   linalg.matmul
//       PIPE:   return
func.func @moe(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x24x16xf32>, %wu: tensor<4x24x16xf32>, %wd: tensor<4x16x24xf32>) -> tensor<?x16xf32> {
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x24x16xf32>, tensor<4x24x16xf32>, tensor<4x16x24xf32>
  return %y : tensor<?x16xf32>
}
