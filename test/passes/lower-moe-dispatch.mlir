// RUN: xfmr-opt %s --xfmr-lower-moe-dispatch --split-input-file | FileCheck %s
// RUN: xfmr-opt %s --xfmr-lower-moe-dispatch=all-experts --split-input-file | FileCheck %s --check-prefix=ALL

// The naive strategy: the dense [T, E] routing matrix and every expert's
// gated FFN on all tokens; no sort.
// ALL-LABEL: func.func @mixtral
//       ALL:   %[[W:.+]], %[[IDS:.+]] = xfmr.topk_router
//       ALL:   %[[G:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[IDS]], %[[W]] : tensor<?x2xi32>, tensor<?x2xf32>) outs(%{{.+}} : tensor<?x8xf32>)
//       ALL:   scf.for %[[E:.+]] = %{{.+}} to %{{.+}} step
//       ALL:     xfmr.gated_ffn <silu> %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : tensor<?x64xf32>
//       ALL:     tensor.extract_slice %[[G]][0, %[[E]]] [%{{.+}}, 1] [1, 1]
//   ALL-NOT:   xfmr.dispatch

// CHECK-LABEL: func.func @mixtral
//  CHECK-SAME: (%[[X:.+]]: tensor<?x64xf32>, %[[R:.+]]: tensor<8x64xf32>, %[[WG:.+]]: tensor<8x32x64xf32>, %[[WU:.+]]: tensor<8x32x64xf32>, %[[WD:.+]]: tensor<8x64x32xf32>)
//       CHECK:   %[[LOGITS:.+]] = xfmr.linear %[[X]], %[[R]] : tensor<?x64xf32>, tensor<8x64xf32>
//       CHECK:   %[[W:.+]], %[[IDS:.+]] = xfmr.topk_router %[[LOGITS]] {top_k = 2 : i64} : tensor<?x8xf32>
//       CHECK:   %[[SX:.+]], %[[OFF:.+]], %[[ORD:.+]] = xfmr.dispatch %[[X]], %[[IDS]] {num_experts = 8 : i64} : tensor<?x64xf32>, tensor<?x2xi32>
//       CHECK:   %[[EO:.+]] = xfmr.grouped_gated_ffn <silu> %[[SX]], %[[OFF]], %[[WG]], %[[WU]], %[[WD]] : tensor<?x64xf32>, tensor<9xi32>
//       CHECK:   %[[Y:.+]] = xfmr.combine %[[EO]], %[[ORD]], %[[W]] : tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32>
//       CHECK:   return %[[Y]]
func.func @mixtral(%x: tensor<?x64xf32>, %r: tensor<8x64xf32>, %wg: tensor<8x32x64xf32>, %wu: tensor<8x32x64xf32>, %wd: tensor<8x64x32xf32>) -> tensor<?x64xf32> {
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x64xf32>, tensor<8x64xf32>, tensor<8x32x64xf32>, tensor<8x32x64xf32>, tensor<8x64x32xf32>
  return %y : tensor<?x64xf32>
}

// -----

// Routing attributes carry over; leading batch dims fold into tokens and
// come back at the end.
// CHECK-LABEL: func.func @batched_sigmoid
//       CHECK:   %[[X2:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1], [2]] : tensor<2x?x16xf32> into tensor<?x16xf32>
//       CHECK:   xfmr.topk_router %{{.+}} {normalize_topk = false, scoring = #xfmr.scoring<sigmoid>, top_k = 6 : i64} : tensor<?x64xf32>
//       CHECK:   xfmr.dispatch %[[X2]], %{{.+}} {num_experts = 64 : i64}
//       CHECK:   xfmr.grouped_gated_ffn <gelu>
//       CHECK:   %[[Y:.+]] = xfmr.combine
//       CHECK:   tensor.expand_shape %[[Y]] {{\[}}[0, 1], [2]] output_shape [2, %{{.+}}, 16] : tensor<?x16xf32> into tensor<2x?x16xf32>
func.func @batched_sigmoid(%x: tensor<2x?x16xf32>, %r: tensor<64x16xf32>, %wg: tensor<64x8x16xf32>, %wd: tensor<64x16x8xf32>) -> tensor<2x?x16xf32> {
  %y = xfmr.moe <gelu> %x, %r, %wg, %wg, %wd {top_k = 6 : i64, scoring = #xfmr.scoring<sigmoid>, normalize_topk = false} : tensor<2x?x16xf32>, tensor<64x16xf32>, tensor<64x8x16xf32>, tensor<64x8x16xf32>, tensor<64x16x8xf32>
  return %y : tensor<2x?x16xf32>
}

