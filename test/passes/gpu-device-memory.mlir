// RUN: xfmr-opt %s --xfmr-gpu-device-memory | FileCheck %s

// Kernel-only buffers move to device memory, allocated on a stream that is
// waited for (the form gpu-to-llvm lowers); what the host reads (directly
// or through a view) stays in managed memory.
// CHECK-LABEL: func.func @buffers
//       CHECK:   %[[T:.+]] = gpu.wait async
//  CHECK-NEXT:   %[[A:.+]], %[[AT:.+]] = gpu.alloc async [%[[T]]] () : memref<16xf32>
//  CHECK-NEXT:   gpu.wait [%[[AT]]]
//  CHECK-NEXT:   %[[B:.+]] = gpu.alloc  host_shared () : memref<4xi32>
//  CHECK-NEXT:   %[[C:.+]] = gpu.alloc  host_shared () : memref<8xf32>
//       CHECK:     gpu.wait async
//  CHECK-NEXT:     %[[D:.+]], %{{.+}} = gpu.alloc async [%{{.+}}] (%{{.+}}) : memref<?xf32>
//       CHECK:     gpu.memcpy %[[D]]
//       CHECK:   gpu.launch
//       CHECK:     memref.store %{{.+}}, %[[A]]
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
