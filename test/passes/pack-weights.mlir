// RUN: xfmr-opt %s --split-input-file --xfmr-fuse-gate-up \
// RUN:   --convert-xfmr-to-linalg --xfmr-pack-weights --canonicalize --cse \
// RUN:   -verify-diagnostics | FileCheck %s

// A fused gated FFN with argument weights: @ffn stays as it was, @ffn_prepare
// packs the stacked gate/up weight interleaved (F = 80: padded to 3 tiles of
// 32 gate + 32 up columns) and the down weight in 32-column panels, and
// @ffn_prepared computes both projections from the packed weights, with the
// gating reading each tile's gate (n mod 32) and up (n mod 32 + 32) columns.

// CHECK-DAG: #[[$A:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
// CHECK-DAG: #[[$WP:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3, d2)>
// CHECK-DAG: #[[$C3:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[$GATE:.+]] = affine_map<(d0, d1) -> (d0, d1 floordiv 32, d1 mod 32)>
// CHECK-DAG: #[[$UP:.+]] = affine_map<(d0, d1) -> (d0, d1 floordiv 32, d1 mod 32 + 32)>

// CHECK-LABEL: func.func @ffn(
// CHECK-SAME:    xfmr.prepared_entry = {inputs = array<i64: 0>, prepare = "ffn_prepare", run = "ffn_prepared", weights = array<i64: 1, 2, 3>}
// CHECK:         linalg.matmul
// CHECK:         linalg.matmul
// CHECK:         return

// CHECK-LABEL: func.func @ffn_prepare(
// CHECK-SAME:    %[[WG:.+]]: tensor<80x64xf32>, %[[WU:.+]]: tensor<80x64xf32>, %[[WD:.+]]: tensor<64x80xf32>)
// CHECK-SAME:    -> (tensor<3x64x64xf32>, tensor<2x80x32xf32>)
// CHECK:         %[[WDS:.+]] = tensor.expand_shape %[[WD]] {{\[\[}}0, 1], [2]] output_shape [2, 32, 80]
// CHECK:         %[[WDP:.+]] = linalg.transpose ins(%[[WDS]] : tensor<2x32x80xf32>) {{.*}} permutation = [0, 2, 1]  {xfmr.weight_pack}
// CHECK:         %[[CAT:.+]] = tensor.concat dim(0) %[[WG]], %[[WU]]
// CHECK:         %[[HALVES:.+]] = tensor.expand_shape %[[CAT]] {{.*}} into tensor<2x80x64xf32>
// CHECK:         %[[PAD:.+]] = tensor.pad %[[HALVES]] low[0, 0, 0] high[0, 16, 0]
// CHECK:         %[[TILES:.+]] = tensor.expand_shape %[[PAD]] {{.*}} into tensor<2x3x32x64xf32>
// CHECK:         %[[T:.+]] = linalg.transpose ins(%[[TILES]] {{.*}} permutation = [1, 3, 0, 2]  {xfmr.weight_pack}
// CHECK:         %[[GUP:.+]] = tensor.collapse_shape %[[T]] {{.*}} into tensor<3x64x64xf32>
// CHECK:         return %[[GUP]], %[[WDP]]

// CHECK-LABEL: func.func @ffn_prepared(
// CHECK-SAME:    %[[X:.+]]: tensor<?x64xf32>, %[[GUP:.+]]: tensor<3x64x64xf32>, %[[WDP:.+]]: tensor<2x80x32xf32>)
// CHECK-SAME:    xfmr.arg_names = ["arg0", "arg1_arg2_packed", "arg3_packed"]
// CHECK-NOT:     linalg.matmul
// CHECK:         %[[ACC:.+]] = linalg.generic {indexing_maps = [#[[$A]], #[[$WP]], #[[$C3]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME:      ins(%[[X]], %[[GUP]] : tensor<?x64xf32>, tensor<3x64x64xf32>)
// CHECK:           arith.mulf {{.*}} fastmath<contract>
// CHECK:           arith.addf {{.*}} fastmath<contract>
// CHECK:         %[[H:.+]] = linalg.generic {indexing_maps = [#[[$GATE]], #[[$UP]], #{{.+}}], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%[[ACC]], %[[ACC]] : tensor<?x3x64xf32>, tensor<?x3x64xf32>) outs({{.*}} : tensor<?x80xf32>)
// CHECK:           math.exp
// CHECK:         linalg.generic {indexing_maps = [#[[$A]], #[[$WP]], #[[$C3]]]
// CHECK-SAME:      ins(%[[H]], %[[WDP]] : tensor<?x80xf32>, tensor<2x80x32xf32>)
// CHECK:         %[[Y:.+]] = linalg.generic {indexing_maps = [#[[$GATE]], #{{.+}}]
// CHECK:         } -> tensor<?x64xf32>
// CHECK:         return %[[Y]]
func.func @ffn(%x: tensor<?x64xf32>, %wg: tensor<80x64xf32>, %wu: tensor<80x64xf32>, %wd: tensor<64x80xf32>) -> tensor<?x64xf32> {
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x64xf32>, tensor<80x64xf32>, tensor<80x64xf32>, tensor<64x80xf32>
  return %y : tensor<?x64xf32>
}

// -----

// A bias is the projection's epilogue: it reads the packed accumulator and
// the bias per column.
// CHECK-DAG: #[[$ACC2:.+]] = affine_map<(d0, d1) -> (d0, d1 floordiv 32, d1 mod 32)>
// CHECK-DAG: #[[$COL:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @linear_bias_prepared(
// CHECK-SAME:    %[[X:.+]]: tensor<4x16xf32>, %[[B:.+]]: tensor<40xf32>, %[[WP:.+]]: tensor<2x16x32xf32>)
// CHECK:         %[[ACC:.+]] = linalg.generic {{.*}} ins(%[[X]], %[[WP]] : tensor<4x16xf32>, tensor<2x16x32xf32>)
// CHECK:         linalg.generic {indexing_maps = [#[[$ACC2]], #[[$COL]], #{{.+}}], {{.*}} ins(%[[ACC]], %[[B]] : tensor<4x2x32xf32>, tensor<40xf32>) outs({{.*}} : tensor<4x40xf32>)
// CHECK:           arith.addf
func.func @linear_bias(%x: tensor<4x16xf32>, %w: tensor<40x16xf32>, %b: tensor<40xf32>) -> tensor<4x40xf32> {
  %y = xfmr.linear %x, %w, %b : tensor<4x16xf32>, tensor<40x16xf32>, tensor<40xf32>
  return %y : tensor<4x40xf32>
}

// -----

// A constant weight is packed at compile time: no preparation entry.
// CHECK-LABEL: func.func @constant_weight(
// CHECK-NOT:     xfmr.prepared_entry
// CHECK:         %[[WP:.+]] = arith.constant dense<{{.*}}> : tensor<1x2x32xf32>
// CHECK:         linalg.generic {{.*}} ins(%{{.+}}, %[[WP]] : tensor<3x2xf32>, tensor<1x2x32xf32>)
// CHECK-NOT:   func.func @constant_weight_prepare
func.func @constant_weight(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %y = xfmr.linear %x, %w : tensor<3x2xf32>, tensor<2x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Left alone: a weight computed from an activation, a weight of dynamic
// shape, and a private function (no entry point to add).
// CHECK-LABEL: func.func @not_a_weight(
// CHECK-NOT:     xfmr.prepared_entry
// CHECK:         linalg.matmul
func.func @not_a_weight(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %a = xfmr.activation <relu> %w : tensor<8x8xf32>
  %y = xfmr.linear %x, %a : tensor<4x8xf32>, tensor<8x8xf32>
  return %y : tensor<4x8xf32>
}
// CHECK-LABEL: func.func @dynamic_weight(
// CHECK:         linalg.matmul
func.func @dynamic_weight(%x: tensor<4x8xf32>, %w: tensor<?x8xf32>) -> tensor<4x?xf32> {
  %y = xfmr.linear %x, %w : tensor<4x8xf32>, tensor<?x8xf32>
  return %y : tensor<4x?xf32>
}
// CHECK-LABEL: func.func private @private_fn(
// CHECK:         linalg.matmul
func.func private @private_fn(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %y = xfmr.linear %x, %w : tensor<4x8xf32>, tensor<8x8xf32>
  return %y : tensor<4x8xf32>
}
// CHECK-NOT: func.func @not_a_weight_prepare
// CHECK-NOT: func.func @dynamic_weight_prepare

// -----

// The names the preparation entries would take are in use.
// expected-error @+1 {{cannot add the weight-preparation entry point 'clash_prepare': the module already has a symbol of that name}}
func.func @clash(%x: tensor<4x8xf32>, %w: tensor<32x8xf32>) -> tensor<4x32xf32> {
  %y = xfmr.linear %x, %w : tensor<4x8xf32>, tensor<32x8xf32>
  return %y : tensor<4x32xf32>
}
func.func @clash_prepare() {
  return
}
