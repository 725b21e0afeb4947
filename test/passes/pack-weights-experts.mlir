// RUN: xfmr-opt %s --split-input-file --xfmr-fuse-gate-up \
// RUN:   --convert-xfmr-to-linalg --xfmr-pack-weights --canonicalize --cse \
// RUN:   | FileCheck %s

// The expert FFNs of xfmr.grouped_gated_ffn after xfmr-fuse-gate-up: each
// expert's projections read slices of stacked weights at the expert loop's
// index. The whole stacks are packed once in @f_prepare (E = 3, F = 20,
// D = 48: the [3, 40, 48] gate/up stack interleaved into one 64-wide tile
// per expert, the [3, 48, 20] down stack into two 32-wide panels per
// expert), and @f_prepared takes only the packed stacks, slicing them at
// the loop index for the packed contractions; the gating reads the gate and
// up halves of each tile.

// CHECK-DAG: #[[$WP:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3, d2)>
// CHECK-DAG: #[[$GATE:.+]] = affine_map<(d0, d1) -> (d0, d1 floordiv 32, d1 mod 32)>
// CHECK-DAG: #[[$UP:.+]] = affine_map<(d0, d1) -> (d0, d1 floordiv 32, d1 mod 32 + 32)>

// CHECK-LABEL: func.func @f(
// CHECK-SAME:    xfmr.prepared_entry = {inputs = array<i64: 0, 1>, prepare = "f_prepare", run = "f_prepared", weights = array<i64: 2, 3, 4>}
// CHECK:         scf.for
// CHECK:           linalg.matmul
// CHECK:           linalg.matmul
// CHECK:         return

// CHECK-LABEL: func.func @f_prepare(
// CHECK-SAME:    %[[WG:.+]]: tensor<3x20x48xf32>, %[[WU:.+]]: tensor<3x20x48xf32>, %[[WD:.+]]: tensor<3x48x20xf32>)
// CHECK-SAME:    -> (tensor<3x1x48x64xf32>, tensor<3x2x20x32xf32>)
// CHECK:         %[[PADD:.+]] = tensor.pad %[[WD]] low[0, 0, 0] high[0, 16, 0]
// CHECK:         %[[WDS:.+]] = tensor.expand_shape %[[PADD]] {{\[\[}}0], [1, 2], [3]] output_shape [3, 2, 32, 20]
// CHECK:         %[[WDP:.+]] = linalg.transpose ins(%[[WDS]] : tensor<3x2x32x20xf32>) {{.*}} permutation = [0, 1, 3, 2]  {xfmr.weight_pack}
// CHECK:         %[[CAT:.+]] = tensor.concat dim(1) %[[WG]], %[[WU]]
// CHECK:         %[[HALVES:.+]] = tensor.expand_shape %[[CAT]] {{.*}} into tensor<3x2x20x48xf32>
// CHECK:         %[[PAD:.+]] = tensor.pad %[[HALVES]] low[0, 0, 0, 0] high[0, 0, 12, 0]
// CHECK:         %[[TILES:.+]] = tensor.expand_shape %[[PAD]] {{.*}} into tensor<3x2x1x32x48xf32>
// CHECK:         %[[T:.+]] = linalg.transpose ins(%[[TILES]] {{.*}} permutation = [0, 2, 4, 1, 3]  {xfmr.weight_pack}
// CHECK:         %[[GUP:.+]] = tensor.collapse_shape %[[T]] {{.*}} into tensor<3x1x48x64xf32>
// CHECK:         return %[[GUP]], %[[WDP]]

// CHECK-LABEL: func.func @f_prepared(
// CHECK-SAME:    %[[X:.+]]: tensor<?x48xf32>, %[[OFF:.+]]: tensor<4xi32>, %[[GUP:.+]]: tensor<3x1x48x64xf32>, %[[WDP:.+]]: tensor<3x2x20x32xf32>)
// CHECK-SAME:    xfmr.arg_names = ["arg0", "arg1", "arg2_arg3_packed", "arg4_packed"]
// CHECK-NOT:     linalg.matmul
// CHECK:         scf.for %[[E:.+]] = %{{.+}} to %{{.+}} step
// CHECK:           %[[SEG:.+]] = tensor.extract_slice %[[X]]
// CHECK:           %[[GUE:.+]] = tensor.extract_slice %[[GUP]][%[[E]], 0, 0, 0] [1, 1, 48, 64] [1, 1, 1, 1] : tensor<3x1x48x64xf32> to tensor<1x48x64xf32>
// CHECK:           %[[ACC:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #[[$WP]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME:        ins(%[[SEG]], %[[GUE]] : tensor<?x48xf32>, tensor<1x48x64xf32>)
// CHECK:           %[[H:.+]] = linalg.generic {indexing_maps = [#[[$GATE]], #[[$UP]], #{{.+}}], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:        ins(%[[ACC]], %[[ACC]] : tensor<?x1x64xf32>, tensor<?x1x64xf32>) outs({{.*}} : tensor<?x20xf32>)
// CHECK:             math.exp
// CHECK:           %[[WDE:.+]] = tensor.extract_slice %[[WDP]][%[[E]], 0, 0, 0] [1, 2, 20, 32] [1, 1, 1, 1] : tensor<3x2x20x32xf32> to tensor<2x20x32xf32>
// CHECK:           linalg.generic {indexing_maps = [#{{.+}}, #[[$WP]], #{{.+}}]
// CHECK-SAME:        ins(%[[H]], %[[WDE]] : tensor<?x20xf32>, tensor<2x20x32xf32>)
// CHECK-NOT:     linalg.matmul
// CHECK:         return
func.func @f(%x: tensor<?x48xf32>, %off: tensor<4xi32>, %wg: tensor<3x20x48xf32>, %wu: tensor<3x20x48xf32>, %wd: tensor<3x48x20xf32>) -> tensor<?x48xf32> {
  %y = xfmr.grouped_gated_ffn <silu> %x, %off, %wg, %wu, %wd : tensor<?x48xf32>, tensor<4xi32>, tensor<3x20x48xf32>, tensor<3x20x48xf32>, tensor<3x48x20xf32>
  return %y : tensor<?x48xf32>
}

// -----

// Constant stacks are packed at compile time, stacked like the arguments
// (E = 2, F = 1, D = 2: each expert's gate row then up row in one 64-wide
// tile, zero past them); no preparation entry.
// CHECK-LABEL: func.func @constant_stacks(
// CHECK-NOT:     xfmr.prepared_entry
// CHECK-DAG:     %[[GUP:.+]] = arith.constant dense<{{.*}}> : tensor<2x1x2x64xf32>
// CHECK-DAG:     %[[WDP:.+]] = arith.constant dense<{{.*}}> : tensor<2x1x1x32xf32>
// CHECK:         scf.for %[[E:[^ ]+]] =
// CHECK:           tensor.extract_slice %[[GUP]][%[[E]], 0, 0, 0] [1, 1, 2, 64] [1, 1, 1, 1]
// CHECK:           tensor.extract_slice %[[WDP]][%[[E]], 0, 0, 0] [1, 1, 1, 32] [1, 1, 1, 1]
// CHECK-NOT:     linalg.matmul
// CHECK-NOT:   func.func @constant_stacks_prepare
func.func @constant_stacks(%x: tensor<?x2xf32>, %off: tensor<3xi32>) -> tensor<?x2xf32> {
  %wg = arith.constant dense<[[[1.0, 2.0]], [[3.0, 4.0]]]> : tensor<2x1x2xf32>
  %wu = arith.constant dense<[[[5.0, 6.0]], [[7.0, 8.0]]]> : tensor<2x1x2xf32>
  %wd = arith.constant dense<[[[9.0], [10.0]], [[11.0], [12.0]]]> : tensor<2x2x1xf32>
  %y = xfmr.grouped_gated_ffn <silu> %x, %off, %wg, %wu, %wd : tensor<?x2xf32>, tensor<3xi32>, tensor<2x1x2xf32>, tensor<2x1x2xf32>, tensor<2x2x1xf32>
  return %y : tensor<?x2xf32>
}

// -----

// Stacks of dynamic shape are not packed (and not fused): the expert
// matmuls stay, and no preparation entry is added.
// CHECK-LABEL: func.func @dynamic_stacks(
// CHECK-NOT:     xfmr.prepared_entry
// CHECK:         scf.for
// CHECK:           linalg.matmul
// CHECK:           linalg.matmul
// CHECK:           linalg.matmul
// CHECK-NOT:   func.func @dynamic_stacks_prepare
func.func @dynamic_stacks(%x: tensor<?x16xf32>, %off: tensor<?xi32>, %wg: tensor<?x8x16xf32>, %wu: tensor<?x8x16xf32>, %wd: tensor<?x16x8xf32>) -> tensor<?x16xf32> {
  %y = xfmr.grouped_gated_ffn <silu> %x, %off, %wg, %wu, %wd : tensor<?x16xf32>, tensor<?xi32>, tensor<?x8x16xf32>, tensor<?x8x16xf32>, tensor<?x16x8xf32>
  return %y : tensor<?x16xf32>
}

// -----

// A slice that is only part of an expert's matrix (rows 8 ..< 24 of each
// [32, 16] weight) is not a whole stacked weight: left alone.
// CHECK-LABEL: func.func @partial_slice(
// CHECK-NOT:     xfmr.prepared_entry
// CHECK:         linalg.matmul
// CHECK-NOT:   func.func @partial_slice_prepare
func.func @partial_slice(%x: tensor<4x16xf32>, %w: tensor<3x32x16xf32>, %i: index) -> tensor<4x16xf32> {
  %s = tensor.extract_slice %w[%i, 8, 0] [1, 16, 16] [1, 1, 1] : tensor<3x32x16xf32> to tensor<16x16xf32>
  %y = xfmr.linear %x, %s : tensor<4x16xf32>, tensor<16x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// An expert's weight sliced at a constant index from a stack passed as an
// argument, outside any loop: the general rule packs the whole stack once
// and slices the packed stack.
// CHECK-LABEL: func.func @constant_index_prepare(
// CHECK-SAME:    %{{.+}}: tensor<3x40x16xf32>) -> tensor<3x2x16x32xf32>
// CHECK-LABEL: func.func @constant_index_prepared(
// CHECK-SAME:    %[[X:.+]]: tensor<4x16xf32>, %[[WP:.+]]: tensor<3x2x16x32xf32>)
// CHECK:         %[[S:.+]] = tensor.extract_slice %[[WP]][2, 0, 0, 0] [1, 2, 16, 32] [1, 1, 1, 1]
// CHECK:         linalg.generic {{.*}} ins(%[[X]], %[[S]] : tensor<4x16xf32>, tensor<2x16x32xf32>)
func.func @constant_index(%x: tensor<4x16xf32>, %w: tensor<3x40x16xf32>) -> tensor<4x40xf32> {
  %s = tensor.extract_slice %w[2, 0, 0] [1, 40, 16] [1, 1, 1] : tensor<3x40x16xf32> to tensor<40x16xf32>
  %y = xfmr.linear %x, %s : tensor<4x16xf32>, tensor<40x16xf32>
  return %y : tensor<4x40xf32>
}
