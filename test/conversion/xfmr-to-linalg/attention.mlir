// RUN: xfmr-opt %s --convert-xfmr-to-linalg --split-input-file | FileCheck %s

// Grouped-query attention without copying kv heads: q [8, T, 32] is viewed
// as [1, 2, 4, T, 32] (B, Hkv, g, Tq, Dh) and contracted against k viewed
// as [1, 2, Tk, 32].
// CHECK-DAG: #[[$Q:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d5)>
// CHECK-DAG: #[[$K:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d5)>
// CHECK-DAG: #[[$S:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG: #[[$V:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d5, d4)>
// CHECK-LABEL: func.func @gqa_causal
//  CHECK-SAME: (%[[Q:.+]]: tensor<8x?x32xf32>, %[[K:.+]]: tensor<2x?x32xf32>, %[[V:.+]]: tensor<2x?x32xf32>)
//       CHECK:   %[[Q4:.+]] = tensor.expand_shape %[[Q]] {{\[}}[0, 1], [2], [3]] output_shape [1, 8, %{{.+}}, 32]
//       CHECK:   %[[K4:.+]] = tensor.expand_shape %[[K]]
//       CHECK:   %[[V4:.+]] = tensor.expand_shape %[[V]]
//       CHECK:   %[[Q5:.+]] = tensor.expand_shape %[[Q4]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 4, %{{.+}}, 32] : tensor<1x8x?x32xf32> into tensor<1x2x4x?x32xf32>
//       CHECK:   %[[S:.+]] = linalg.generic {indexing_maps = [#[[$Q]], #[[$K]], #[[$S]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[Q5]], %[[K4]] :
// Default scale 1/sqrt(32); causal: key j visible when j <= i + (Tk - Tq).
//       CHECK:   arith.constant 0.17677669{{[0-9]*}} : f32
//       CHECK:   %[[OFF:.+]] = arith.subi
//       CHECK:   %[[MASKED:.+]] = linalg.generic {{.*}} ins(%[[S]] :
//       CHECK:     %[[I:.+]] = linalg.index 3
//       CHECK:     %[[J:.+]] = linalg.index 4
//       CHECK:     %[[LIM:.+]] = arith.addi %[[I]], %[[OFF]]
//       CHECK:     arith.cmpi sle, %[[J]], %[[LIM]]
//       CHECK:   %[[MAX:.+]] = linalg.generic {{.*}} ins(%[[MASKED]] :
//       CHECK:     arith.maxnumf
//       CHECK:   %[[P:.+]] = linalg.generic {{.*}} ins(%[[MASKED]], %[[MAX]] :
//       CHECK:     math.exp
//       CHECK:   %[[SUM:.+]] = linalg.generic {{.*}} ins(%[[P]] :
//       CHECK:   %[[PV:.+]] = linalg.generic {indexing_maps = [#[[$Q]], #[[$V]], #[[$S]]], {{.*}} ins(%[[P]], %[[V4]] :
// Normalisation after the second contraction; an empty row stays 0.
//       CHECK:   %[[O5:.+]] = linalg.generic {{.*}} ins(%[[PV]], %[[SUM]] :
//       CHECK:     arith.divf
//       CHECK:     arith.select
//       CHECK:   %[[O4:.+]] = tensor.collapse_shape %[[O5]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x4x?x32xf32> into tensor<1x8x?x32xf32>
//       CHECK:   %[[O:.+]] = tensor.collapse_shape %[[O4]] {{\[}}[0, 1], [2], [3]] : tensor<1x8x?x32xf32> into tensor<8x?x32xf32>
//       CHECK:   return %[[O]]
func.func @gqa_causal(%q: tensor<8x?x32xf32>, %k: tensor<2x?x32xf32>, %v: tensor<2x?x32xf32>) -> tensor<8x?x32xf32> {
  %o = xfmr.attention %q, %k, %v {causal} : tensor<8x?x32xf32>, tensor<2x?x32xf32>, tensor<2x?x32xf32>
  return %o : tensor<8x?x32xf32>
}

// -----

// Batched decode with an additive mask and an explicit scale; not causal, so
// no index comparison.
// CHECK-LABEL: func.func @decode_masked
//  CHECK-SAME: %[[M:[a-z0-9]+]]: tensor<1x?xf32>
//       CHECK:   arith.constant 1.250000e-01 : f32
//       CHECK:   linalg.generic {{.*}} ins(%{{.+}}, %[[M]] : tensor<2x4x1x1x?xf32>, tensor<1x?xf32>)
//   CHECK-NOT:     linalg.index
//       CHECK:     arith.addf
//       CHECK:   return %{{.+}} : tensor<2x4x1x16xf32>
func.func @decode_masked(%q: tensor<2x4x1x64xf32>, %k: tensor<2x4x?x64xf32>, %v: tensor<2x4x?x16xf32>, %m: tensor<1x?xf32>) -> tensor<2x4x1x16xf32> {
  %o = xfmr.attention %q, %k, %v, %m {scale = 0.125 : f32} : tensor<2x4x1x64xf32>, tensor<2x4x?x64xf32>, tensor<2x4x?x16xf32>, tensor<1x?xf32>
  return %o : tensor<2x4x1x16xf32>
}
