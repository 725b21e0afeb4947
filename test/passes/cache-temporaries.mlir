// RUN: xfmr-opt %s --split-input-file --xfmr-cache-temporaries | FileCheck %s

// A temporary and its deallocation go through the cache functions the pass
// defines; the returned buffer stays a memref.alloc, which
// finalize-memref-to-llvm lowers to malloc for the caller to free.
// CHECK-LABEL: func.func @temporary_and_result
//  CHECK-SAME: (%[[N:.+]]: index)
//       CHECK:   %[[T:.+]] = llvm.call @_mlir_memref_to_llvm_alloc(
//       CHECK:   %[[TM:.+]] = builtin.unrealized_conversion_cast %{{.+}} : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<?x256xf32>
//       CHECK:   %[[R:.+]] = memref.alloc(%[[N]]) {alignment = 64 : i64} : memref<?x256xf32>
//       CHECK:   memref.copy %[[TM]], %[[R]]
//       CHECK:   llvm.call @_mlir_memref_to_llvm_free(
//   CHECK-NOT:   memref.dealloc
//       CHECK:   return %[[R]]
func.func @temporary_and_result(%n: index) -> memref<?x256xf32> {
  %t = memref.alloc(%n) {alignment = 64 : i64} : memref<?x256xf32>
  %r = memref.alloc(%n) {alignment = 64 : i64} : memref<?x256xf32>
  memref.copy %t, %r : memref<?x256xf32> to memref<?x256xf32>
  memref.dealloc %t : memref<?x256xf32>
  return %r : memref<?x256xf32>
}

// The runtime: the generic allocation functions over a 32-slot block cache,
// released when the module is unloaded; only libc is called.
//   CHECK-DAG: llvm.mlir.global internal @__xfmr_tmp_blocks() {{.*}} : !llvm.array<32 x ptr>
//   CHECK-DAG: llvm.func @malloc(i64) -> !llvm.ptr
//   CHECK-DAG: llvm.func @free(!llvm.ptr)
//   CHECK-DAG: llvm.func @malloc_usable_size(!llvm.ptr) -> i64
//   CHECK-DAG: llvm.func @sched_yield() -> i32
//   CHECK-DAG: llvm.func internal @_mlir_memref_to_llvm_alloc(%{{.+}}: i64) -> !llvm.ptr
//   CHECK-DAG: llvm.func internal @_mlir_memref_to_llvm_free(%{{.+}}: !llvm.ptr)
//   CHECK-DAG: llvm.atomicrmw xchg %{{.+}}, %{{.+}} acquire
//   CHECK-DAG: llvm.mlir.global_dtors dtors = [@__xfmr_tmp_release_all]

// -----

// A buffer reaches the return through a view, a branch argument and a
// select: all three allocations stay plain; the one that never reaches the
// return is cached.
// CHECK-LABEL: func.func @returned_through_views
//       CHECK:   memref.alloc(){{.*}}: memref<16x64xf32>
//       CHECK:   memref.alloc(){{.*}}: memref<1024xf32>
//       CHECK:   memref.alloc(){{.*}}: memref<1024xf32>
//       CHECK:   llvm.call @_mlir_memref_to_llvm_alloc(
//   CHECK-NOT:   memref.alloc
//       CHECK:   return
func.func @returned_through_views(%c: i1) -> memref<32x32xf32> {
  %a = memref.alloc() : memref<16x64xf32>
  %b = memref.alloc() : memref<1024xf32>
  %d = memref.alloc() : memref<1024xf32>
  %t = memref.alloc() : memref<1024xf32>
  memref.copy %t, %d : memref<1024xf32> to memref<1024xf32>
  memref.dealloc %t : memref<1024xf32>
  cf.cond_br %c, ^first, ^second
^first:
  %v = memref.reinterpret_cast %a to offset: [0], sizes: [32, 32], strides: [32, 1] : memref<16x64xf32> to memref<32x32xf32>
  cf.br ^exit(%v : memref<32x32xf32>)
^second:
  %s = arith.select %c, %b, %d : memref<1024xf32>
  %w = memref.expand_shape %s [[0, 1]] output_shape [32, 32] : memref<1024xf32> into memref<32x32xf32>
  cf.br ^exit(%w : memref<32x32xf32>)
^exit(%r: memref<32x32xf32>):
  return %r : memref<32x32xf32>
}

// -----

// Without allocations the module is left as it is.
// CHECK-LABEL: func.func @no_buffers
//   CHECK-NOT: _mlir_memref_to_llvm
//   CHECK-NOT: llvm.mlir.global
func.func @no_buffers(%a: memref<4xf32>) -> memref<4xf32> {
  return %a : memref<4xf32>
}
