// RUN: xfmr-opt %s --xfmr-gpu-device-buffers --split-input-file | FileCheck %s

// Allocations become CUDA managed memory, deallocations gpu.dealloc on a
// stream that is waited for, and copies linalg.copy (a parallel kernel
// later, not a host memcpy). A private function takes its buffers as they
// come.
// CHECK-LABEL: func.func private @buffers
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
func.func private @buffers(%a: memref<?x32xf32>) -> memref<?x32xf32> {
  %c0 = arith.constant 0 : index
  %d = memref.dim %a, %c0 : memref<?x32xf32>
  %b = memref.alloc(%d) {alignment = 64 : i64} : memref<?x32xf32>
  memref.copy %a, %b : memref<?x32xf32> to memref<?x32xf32>
  %t = memref.alloc() : memref<4xi32>
  memref.dealloc %t : memref<4xi32>
  return %b : memref<?x32xf32>
}

// -----

// A public function is a C entry point taking host memory: each argument is
// copied into managed memory on entry and read from there, unless the kernel
// runtime says it already is device or managed memory; each result is copied
// into a host buffer (malloc) that the caller owns, and the managed buffers
// are freed before the return (the argument's only if it was copied).
// CHECK-LABEL: func.func @entry
//  CHECK-SAME: (%[[A:.+]]: memref<?x32xf32>)
//       CHECK:   %[[P:.+]] = memref.extract_aligned_pointer_as_index %[[A]]
//       CHECK:   %[[I:.+]] = arith.index_cast %[[P]] : index to i64
//       CHECK:   %[[DEV:.+]] = call @xfmr_cuda_is_device_memory(%[[I]]) : (i64) -> i1
//       CHECK:   %[[IN:.+]] = scf.if %[[DEV]] -> (memref<?x32xf32>) {
//       CHECK:     scf.yield %[[A]]
//       CHECK:   } else {
//       CHECK:     %[[D:.+]] = memref.dim %[[A]]
//       CHECK:     %[[M:.+]] = gpu.alloc host_shared (%[[D]]) : memref<?x32xf32>
//       CHECK:     %[[S0:.+]] = gpu.wait async
//       CHECK:     %[[C0:.+]] = gpu.memcpy async [%[[S0]]] %[[M]], %[[A]]
//       CHECK:     gpu.wait [%[[C0]]]
//       CHECK:     scf.yield %[[M]]
//       CHECK:   %[[R:.+]] = gpu.alloc host_shared
//       CHECK:   linalg.copy ins(%[[IN]] : memref<?x32xf32>) outs(%[[R]] : memref<?x32xf32>)
//       CHECK:   %[[H:.+]] = memref.alloc(%{{.+}}) : memref<?x32xf32>
//       CHECK:   %[[S1:.+]] = gpu.wait async
//       CHECK:   %[[C1:.+]] = gpu.memcpy async [%[[S1]]] %[[H]], %[[R]]
//       CHECK:   gpu.wait [%[[C1]]]
//       CHECK:   gpu.dealloc async [%{{.+}}] %[[R]]
//       CHECK:   %[[COPIED:.+]] = arith.xori %[[DEV]], %{{.+}} : i1
//       CHECK:   scf.if %[[COPIED]] {
//       CHECK:     gpu.dealloc async [%{{.+}}] %[[IN]]
//       CHECK:   return %[[H]]
//       CHECK: func.func private @xfmr_cuda_is_device_memory(i64) -> i1
func.func @entry(%a: memref<?x32xf32>) -> memref<?x32xf32> {
  %c0 = arith.constant 0 : index
  %d = memref.dim %a, %c0 : memref<?x32xf32>
  %b = memref.alloc(%d) : memref<?x32xf32>
  memref.copy %a, %b : memref<?x32xf32> to memref<?x32xf32>
  return %b : memref<?x32xf32>
}

// -----

// Buffers already placed in a memory space are left alone.
// CHECK-LABEL: func.func private @memory_space
//       CHECK:   memref.alloc() : memref<4xf32, 3>
//       CHECK:   memref.dealloc
func.func private @memory_space() {
  %t = memref.alloc() : memref<4xf32, 3>
  memref.dealloc %t : memref<4xf32, 3>
  return
}

// -----

// A constant lives in the library's host memory: it is copied into managed
// memory at the start of the function (the reference moves there, ahead of
// the branch that reads it) and freed at every return.
memref.global "private" constant @table : memref<4xf32> = dense<1.0>
// CHECK-LABEL: func.func private @constant
//       CHECK:   %[[G:.+]] = memref.get_global @table
//       CHECK:   %[[M:.+]] = gpu.alloc host_shared () : memref<4xf32>
//       CHECK:   gpu.memcpy async [%{{.+}}] %[[M]], %[[G]]
//       CHECK:   scf.if
//       CHECK:     linalg.copy ins(%[[M]] : memref<4xf32>)
//       CHECK:   gpu.dealloc async [%{{.+}}] %[[M]]
//  CHECK-NEXT:   gpu.wait
//  CHECK-NEXT:   return
func.func private @constant(%x: memref<4xf32>, %c: i1) {
  scf.if %c {
    %t = memref.get_global @table : memref<4xf32>
    memref.copy %t, %x : memref<4xf32> to memref<4xf32>
  }
  return
}
