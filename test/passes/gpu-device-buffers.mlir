// RUN: xfmr-opt %s --xfmr-gpu-device-buffers --split-input-file -verify-diagnostics | FileCheck %s

// Allocations become CUDA managed memory, deallocations gpu.dealloc on a
// stream that is waited for, and copies linalg.copy (a parallel kernel
// later, not a host memcpy).
// CHECK-LABEL: func.func @buffers
//  CHECK-SAME: (%[[A:.+]]: memref<?x32xf32>)
//       CHECK:   %[[D:.+]] = memref.dim %[[A]]
//       CHECK:   %[[B:.+]] = gpu.alloc host_shared (%[[D]]) : memref<?x32xf32>
//       CHECK:   linalg.copy ins(%[[A]] : memref<?x32xf32>) outs(%[[B]] : memref<?x32xf32>)
//       CHECK:   %[[T:.+]] = gpu.alloc host_shared () : memref<4xi32>
//       CHECK:   %[[S:.+]] = gpu.wait async
//       CHECK:   %[[F:.+]] = gpu.dealloc async [%[[S]]] %[[T]] : memref<4xi32>
//       CHECK:   gpu.wait [%[[F]]]
//   CHECK-NOT:   memref.alloc
//   CHECK-NOT:   memref.copy
//       CHECK:   return %[[B]]
func.func @buffers(%a: memref<?x32xf32>) -> memref<?x32xf32> {
  %c0 = arith.constant 0 : index
  %d = memref.dim %a, %c0 : memref<?x32xf32>
  %b = memref.alloc(%d) {alignment = 64 : i64} : memref<?x32xf32>
  memref.copy %a, %b : memref<?x32xf32> to memref<?x32xf32>
  %t = memref.alloc() : memref<4xi32>
  memref.dealloc %t : memref<4xi32>
  return %b : memref<?x32xf32>
}

// -----

// Buffers already placed in a memory space are left alone.
// CHECK-LABEL: func.func @memory_space
//       CHECK:   memref.alloc() : memref<4xf32, 3>
//       CHECK:   memref.dealloc
func.func @memory_space() {
  %t = memref.alloc() : memref<4xf32, 3>
  memref.dealloc %t : memref<4xf32, 3>
  return
}

// -----

memref.global "private" constant @table : memref<4xf32> = dense<1.0>
func.func @constant() -> memref<4xf32> {
  // expected-error @+1 {{constant tensors are not supported by the GPU target yet: pass the value as an argument}}
  %t = memref.get_global @table : memref<4xf32>
  return %t : memref<4xf32>
}
