// RUN: xfmr-opt %s --xfmr-gpu-device-memory | FileCheck %s

// Kernel-only buffers move to device memory; what the host reads (directly
// or through a view) stays in managed memory.
// CHECK-LABEL: func.func @buffers
//       CHECK:   %[[A:.+]] = gpu.alloc  () : memref<16xf32>
//       CHECK:   %[[B:.+]] = gpu.alloc  host_shared () : memref<4xi32>
//       CHECK:   %[[C:.+]] = gpu.alloc  host_shared () : memref<8xf32>
//       CHECK:   %[[D:.+]] = gpu.alloc  (%{{.+}}) : memref<?xf32>
func.func @buffers(%arg: memref<?xf32>, %copy: i1, %n: index) -> (i32, f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %a = gpu.alloc host_shared () : memref<16xf32>
  %b = gpu.alloc host_shared () : memref<4xi32>
  %c = gpu.alloc host_shared () : memref<8xf32>
  // An argument copied to the device when it is not there yet.
  %in = scf.if %copy -> (memref<?xf32>) {
    %d = gpu.alloc host_shared (%n) : memref<?xf32>
    gpu.memcpy %d, %arg : memref<?xf32>, memref<?xf32>
    scf.yield %d : memref<?xf32>
  } else {
    scf.yield %arg : memref<?xf32>
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %in[%tx] : memref<?xf32>
    memref.store %v, %a[%tx] : memref<16xf32>
    %i = arith.fptosi %v : f32 to i32
    memref.store %i, %b[%tx] : memref<4xi32>
    memref.store %v, %c[%tx] : memref<8xf32>
    gpu.terminator
  }
  %size = memref.dim %a, %c0 : memref<16xf32>
  %first = memref.load %b[%c0] : memref<4xi32>
  %view = memref.subview %c[2] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 2>>
  %x = memref.load %view[%c0] : memref<4xf32, strided<[1], offset: 2>>
  gpu.dealloc %a : memref<16xf32>
  gpu.dealloc %b : memref<4xi32>
  gpu.dealloc %c : memref<8xf32>
  return %first, %x : i32, f32
}
