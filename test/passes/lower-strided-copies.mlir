// RUN: xfmr-opt %s --xfmr-lower-strided-copies | FileCheck %s

// A copy out of a strided view becomes a linalg.copy (loops, no runtime
// call); a contiguous copy stays a memref.copy (memcpy).
// CHECK-LABEL: func.func @copies
//  CHECK-SAME: (%[[A:.+]]: memref<8x8xf32>, %[[B:.+]]: memref<4x4xf32>, %[[C:.+]]: memref<8x8xf32>)
//       CHECK:   %[[V:.+]] = memref.subview %[[A]]
//       CHECK:   linalg.copy ins(%[[V]] : memref<4x4xf32, strided<[8, 1], offset: 2>>) outs(%[[B]] : memref<4x4xf32>)
//       CHECK:   memref.copy %[[A]], %[[C]] : memref<8x8xf32> to memref<8x8xf32>
func.func @copies(%a: memref<8x8xf32>, %b: memref<4x4xf32>, %c: memref<8x8xf32>) {
  %v = memref.subview %a[0, 2] [4, 4] [1, 1] : memref<8x8xf32> to memref<4x4xf32, strided<[8, 1], offset: 2>>
  memref.copy %v, %b : memref<4x4xf32, strided<[8, 1], offset: 2>> to memref<4x4xf32>
  memref.copy %a, %c : memref<8x8xf32> to memref<8x8xf32>
  return
}
