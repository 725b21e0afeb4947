// RUN: xfmr-opt %s --convert-xfmr-to-linalg --split-input-file | FileCheck %s

// topk_router: softmax scores, then per token and slot a scan over experts
// that picks the best entry strictly after the previous pick in the order
// (score descending, expert ascending); normalisation divides by the row sum.
// CHECK-LABEL: func.func @topk_router
//       CHECK:   math.exp
//       CHECK:   linalg.generic {{.*}}"reduction"
//       CHECK:   %[[SCORES:.+]] = linalg.generic
//       CHECK:     arith.divf
//       CHECK:   scf.for %[[T:.+]] = {{.*}} iter_args
//       CHECK:     scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args
//       CHECK:       scf.for %[[E:.+]] = {{.*}} iter_args
//       CHECK:         tensor.extract %[[SCORES]][%[[T]], %[[E]]]
//       CHECK:         arith.cmpf olt
//       CHECK:         arith.cmpf oeq
//       CHECK:         arith.cmpi sgt, %[[E]]
//       CHECK:       tensor.insert
//       CHECK:       arith.index_cast %{{.+}} : index to i32
//       CHECK:   linalg.generic {{.*}}"reduction"
//       CHECK:   linalg.generic
//       CHECK:     arith.divf
func.func @topk_router(%logits: tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>) {
  %w, %e = xfmr.topk_router %logits {top_k = 2 : i64} : tensor<?x8xf32>
  return %w, %e : tensor<?x2xf32>, tensor<?x2xi32>
}

// -----

// Sigmoid scoring without normalisation: no exp-sum softmax and no
// normalising division after the selection loops.
// CHECK-LABEL: func.func @topk_router_sigmoid
//       CHECK:   linalg.generic
//       CHECK:     math.exp
//   CHECK-NOT:   "reduction"
//       CHECK:   scf.for
//   CHECK-NOT:   linalg.generic
//       CHECK:   return
func.func @topk_router_sigmoid(%logits: tensor<?x64xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>) {
  %w, %e = xfmr.topk_router %logits {top_k = 6 : i64, scoring = #xfmr.scoring<sigmoid>, normalize_topk = false} : tensor<?x64xf32>
  return %w, %e : tensor<?x6xf32>, tensor<?x6xi32>
}

// -----

// dispatch: histogram, exclusive prefix sum, stable scatter in slot order,
// then a gather of the rows of x.
// CHECK-LABEL: func.func @dispatch
//  CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[IDS:.+]]: tensor<?x2xi32>)
//       CHECK:   %[[HIST:.+]] = scf.for {{.*}} -> (tensor<8xi32>)
//       CHECK:     tensor.extract %[[IDS]]
//       CHECK:     scf.if
//       CHECK:       arith.addi
//       CHECK:   %[[OFF:.+]] = scf.for {{.*}} -> (tensor<9xi32>)
//       CHECK:     tensor.extract %[[HIST]]
//       CHECK:   %[[SCAT:.+]]:2 = scf.for {{.*}} iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %[[OFF]]) -> (tensor<?xi32>, tensor<9xi32>)
//       CHECK:   %[[SORTED:.+]] = linalg.generic {{.*}} ins(%[[SCAT]]#0 : tensor<?xi32>) outs(%{{.+}} : tensor<?x16xf32>)
//       CHECK:     tensor.extract %[[X]]
//       CHECK:   return %[[SORTED]], %[[OFF]], %[[SCAT]]#0
func.func @dispatch(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) -> (tensor<?x16xf32>, tensor<9xi32>, tensor<?xi32>) {
  %s, %o, %r = xfmr.dispatch %x, %ids {num_experts = 8 : i64} : tensor<?x16xf32>, tensor<?x2xi32>
  return %s, %o, %r : tensor<?x16xf32>, tensor<9xi32>, tensor<?xi32>
}

// -----

// grouped_gated_ffn: a loop over experts; a non-empty segment runs its
// expert's gated FFN on a [n, D] slice of rows and the slices of that
// expert's weights, and the result is inserted back at the segment's rows.
// CHECK-LABEL: func.func @grouped
//  CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[OFF:.+]]: tensor<5xi32>, %[[WG:.+]]: tensor<4x24x16xf32>, %[[WU:.+]]: tensor<4x24x16xf32>, %[[WD:.+]]: tensor<4x16x24xf32>)
//       CHECK:   scf.for %[[E:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (tensor<?x16xf32>)
//       CHECK:     tensor.extract %[[OFF]][%[[E]]]
//       CHECK:     %[[N:.+]] = arith.subi
//       CHECK:     scf.if
//       CHECK:       %[[SEG:.+]] = tensor.extract_slice %[[X]][%[[START:.+]], 0] [%[[N]], 16] [1, 1]
//       CHECK:       tensor.extract_slice %[[WG]][%[[E]], 0, 0] [1, 24, 16] [1, 1, 1] : tensor<4x24x16xf32> to tensor<24x16xf32>
//       CHECK:       tensor.extract_slice %[[WU]][%[[E]], 0, 0] [1, 24, 16]
//       CHECK:       tensor.extract_slice %[[WD]][%[[E]], 0, 0] [1, 16, 24]
//       CHECK:       linalg.matmul
//       CHECK:       linalg.matmul
//       CHECK:       linalg.matmul
//       CHECK:       tensor.insert_slice %{{.+}} into %[[ACC]][%[[START]], 0] [%[[N]], 16] [1, 1]
//   CHECK-NOT:   xfmr.
func.func @grouped(%x: tensor<?x16xf32>, %off: tensor<5xi32>, %wg: tensor<4x24x16xf32>, %wu: tensor<4x24x16xf32>, %wd: tensor<4x16x24xf32>) -> tensor<?x16xf32> {
  %y = xfmr.grouped_gated_ffn <silu> %x, %off, %wg, %wu, %wd : tensor<?x16xf32>, tensor<5xi32>, tensor<4x24x16xf32>, tensor<4x24x16xf32>, tensor<4x16x24xf32>
  return %y : tensor<?x16xf32>
}

// -----

// grouped_glu_ffn: the same loop; a non-empty segment is projected once by
// its expert's [2F, D] slice of the stacked gate/up weight, gated by the two
// halves of the result (gate first), then projected down. E = 3 and F = 20
// divide nothing nicely.
// CHECK-LABEL: func.func @grouped_glu
//  CHECK-SAME: (%[[X:.+]]: tensor<?x16xf32>, %[[OFF:.+]]: tensor<4xi32>, %[[WGU:.+]]: tensor<3x40x16xf32>, %[[WD:.+]]: tensor<3x16x20xf32>)
//       CHECK:   scf.for %[[E:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (tensor<?x16xf32>)
//       CHECK:     %[[N:.+]] = arith.subi
//       CHECK:     scf.if
//       CHECK:       %[[SEG:.+]] = tensor.extract_slice %[[X]][%[[START:.+]], 0] [%[[N]], 16] [1, 1]
//       CHECK:       %[[W:.+]] = tensor.extract_slice %[[WGU]][%[[E]], 0, 0] [1, 40, 16] [1, 1, 1] : tensor<3x40x16xf32> to tensor<40x16xf32>
//       CHECK:       tensor.extract_slice %[[WD]][%[[E]], 0, 0] [1, 16, 20]
//       CHECK:       %[[GU:.+]] = linalg.matmul {{.*}}ins(%[[SEG]], %[[W]] : tensor<?x16xf32>, tensor<40x16xf32>)
//       CHECK:       %[[G:.+]] = tensor.extract_slice %[[GU]][0, 0] [%{{.+}}, 20] [1, 1]
//       CHECK:       %[[U:.+]] = tensor.extract_slice %[[GU]][0, 20] [%{{.+}}, 20] [1, 1]
//       CHECK:       %[[H:.+]] = linalg.generic {{.*}} ins(%[[G]], %[[U]] : tensor<?x20xf32>, tensor<?x20xf32>)
//       CHECK:       linalg.matmul {{.*}}ins(%[[H]], %{{.+}} : tensor<?x20xf32>, tensor<16x20xf32>)
//   CHECK-NOT:       linalg.matmul
//       CHECK:       tensor.insert_slice %{{.+}} into %[[ACC]][%[[START]], 0] [%[[N]], 16] [1, 1]
//   CHECK-NOT:   xfmr.
func.func @grouped_glu(%x: tensor<?x16xf32>, %off: tensor<4xi32>, %wgu: tensor<3x40x16xf32>, %wd: tensor<3x16x20xf32>) -> tensor<?x16xf32> {
  %y = xfmr.grouped_glu_ffn <silu> %x, %off, %wgu, %wd : tensor<?x16xf32>, tensor<4xi32>, tensor<3x40x16xf32>, tensor<3x16x20xf32>
  return %y : tensor<?x16xf32>
}

// -----

// combine: invert the permutation, then a reduction over the k slots of each
// token in increasing order (the innermost loop), no atomics.
// CHECK-LABEL: func.func @combine
//  CHECK-SAME: (%[[EO:.+]]: tensor<?x16xf32>, %[[ORD:.+]]: tensor<?xi32>, %[[W:.+]]: tensor<?x2xf32>)
//       CHECK:   %[[INV:.+]] = scf.for
//       CHECK:     tensor.extract %[[ORD]]
//       CHECK:   linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[W]] : tensor<?x2xf32>)
//       CHECK:     tensor.extract %[[INV]]
//       CHECK:     tensor.extract %[[EO]]
//       CHECK:     arith.mulf
//       CHECK:     arith.addf
func.func @combine(%eo: tensor<?x16xf32>, %ord: tensor<?xi32>, %w: tensor<?x2xf32>) -> tensor<?x16xf32> {
  %y = xfmr.combine %eo, %ord, %w : tensor<?x16xf32>, tensor<?xi32>, tensor<?x2xf32>
  return %y : tensor<?x16xf32>
}

// -----

// dispatch with a capacity: C = ceil(T·k / E · factor) in f64; a slot-major
// admission loop (slots outer, tokens inner) fills the histogram and marks
// the kept pairs; the token-major scatter then skips the dropped ones.
// CHECK-LABEL: func.func @dispatch_capacity
//       CHECK:   %[[CAPF:.+]] = math.ceil %{{.+}} : f64
//       CHECK:   %[[CAP:.+]] = arith.fptosi %[[CAPF]] : f64 to i32
//       CHECK:   %[[ADMIT:.+]]:2 = scf.for %[[SLOT:.+]] = {{.*}} -> (tensor<8xi32>, tensor<?xi32>)
//       CHECK:     scf.for %[[TOK:.+]] = {{.*}} -> (tensor<8xi32>, tensor<?xi32>)
//       CHECK:       arith.cmpi slt, %{{.+}}, %[[CAP]] : i32
//       CHECK:   %[[OFF:.+]] = scf.for {{.*}} -> (tensor<9xi32>)
//       CHECK:     tensor.extract %[[ADMIT]]#0
//       CHECK:   scf.for {{.*}} -> (tensor<?xi32>, tensor<9xi32>)
//       CHECK:     tensor.extract %[[ADMIT]]#1
func.func @dispatch_capacity(%x: tensor<?x16xf32>, %ids: tensor<?x2xi32>) -> (tensor<?x16xf32>, tensor<9xi32>, tensor<?xi32>) {
  %s, %o, %r = xfmr.dispatch %x, %ids {num_experts = 8 : i64, capacity_factor = 1.5 : f64} : tensor<?x16xf32>, tensor<?x2xi32>
  return %s, %o, %r : tensor<?x16xf32>, tensor<9xi32>, tensor<?xi32>
}
