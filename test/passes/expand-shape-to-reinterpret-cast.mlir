// RUN: xfmr-opt %s --xfmr-expand-shape-to-reinterpret-cast --split-input-file -verify-diagnostics | FileCheck %s

// Two dynamic sizes in one group: a reinterpret_cast with the output shape
// and row-major strides [d1 * 32, 32, 1].
// CHECK-LABEL: func.func @two_dynamic
//  CHECK-SAME: (%[[M:.+]]: memref<?x32xf32>, %[[D0:.+]]: index, %[[D1:.+]]: index)
//       CHECK:   %[[S0:.+]] = arith.muli %[[D1]], %{{.+}} : index
//       CHECK:   %[[R:.+]] = memref.reinterpret_cast %[[M]] to offset: [0], sizes: [%[[D0]], %[[D1]], 32], strides: [%[[S0]], 32, 1] : memref<?x32xf32> to memref<?x?x32xf32>
//       CHECK:   return %[[R]]
func.func @two_dynamic(%m: memref<?x32xf32>, %d0: index, %d1: index) -> memref<?x?x32xf32> {
  %e = memref.expand_shape %m [[0, 1], [2]] output_shape [%d0, %d1, 32] : memref<?x32xf32> into memref<?x?x32xf32>
  return %e : memref<?x?x32xf32>
}

// -----

// One dynamic size per group: left to expand-strided-metadata.
// CHECK-LABEL: func.func @one_dynamic
//       CHECK:   memref.expand_shape
func.func @one_dynamic(%m: memref<?x32xf32>, %d0: index) -> memref<2x?x32xf32> {
  %e = memref.expand_shape %m [[0, 1], [2]] output_shape [2, %d0, 32] : memref<?x32xf32> into memref<2x?x32xf32>
  return %e : memref<2x?x32xf32>
}

// -----

func.func @strided_source(%m: memref<?x32xf32, strided<[64, 1]>>, %d0: index, %d1: index) -> memref<?x?x32xf32, strided<[?, 64, 1]>> {
  // expected-error @+1 {{'memref.expand_shape' op has several dynamic sizes in one reassociation group and a non-identity layout, which cannot be lowered}}
  %e = memref.expand_shape %m [[0, 1], [2]] output_shape [%d0, %d1, 32] : memref<?x32xf32, strided<[64, 1]>> into memref<?x?x32xf32, strided<[?, 64, 1]>>
  return %e : memref<?x?x32xf32, strided<[?, 64, 1]>>
}
