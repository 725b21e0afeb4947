// RUN: xfmr-opt %s --xfmr-gpu-map-to-launches="block-size=128" --split-input-file -verify-diagnostics | FileCheck %s
// RUN: not xfmr-opt %s --xfmr-gpu-map-to-launches="block-size=2048" --split-input-file 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BLOCK
// BLOCK: error: block-size must be between 1 and 1024, got 2048

// An outermost scf.parallel becomes a 1-D grid of 128-thread blocks over
// its collapsed iteration space; each thread delinearises its global index,
// innermost dimension fastest, and runs one iteration when in bounds. The
// reduction loop stays sequential in the thread.
// CHECK-LABEL: func.func @parallel_2d
//  CHECK-SAME: (%[[A:.+]]: memref<?x32xf32>, %[[B:.+]]: memref<?xf32>)
//       CHECK:   %[[N:.+]] = memref.dim %[[A]]
//       CHECK:   %[[GRID0:.+]] = arith.ceildivui %[[TOTAL:.+]], %[[C128:.+]] : index
//       CHECK:   %[[GRID:.+]] = arith.maxui %[[GRID0]], %{{.+}} : index
//       CHECK:   gpu.launch blocks(%[[BX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[GRID]], %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C128]], %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) module(@xfmr_kernels) function(@parallel_2d_kernel_0) {
//       CHECK:     %[[BASE:.+]] = arith.muli %[[BX]], %[[C128]] : index
//       CHECK:     %[[G:.+]] = arith.addi %[[BASE]], %[[TX]] : index
//       CHECK:     %[[IN:.+]] = arith.cmpi ult, %[[G]], %[[TOTAL]] : index
//       CHECK:     scf.if %[[IN]] {
//       CHECK:       %[[J0:.+]] = arith.remui %[[G]], %{{.+}} : index
//       CHECK:       %[[I0:.+]] = arith.divui %[[G]], %{{.+}} : index
//       CHECK:       scf.for
//       CHECK:         memref.load %[[A]]
//       CHECK:       memref.store %{{.+}}, %[[B]]
//       CHECK:     gpu.terminator
func.func @parallel_2d(%a: memref<?x32xf32>, %b: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %cst = arith.constant 0.0 : f32
  %n = memref.dim %a, %c0 : memref<?x32xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c32) step (%c1, %c1) {
    %s = scf.for %k = %c0 to %c32 step %c1 iter_args(%acc = %cst) -> f32 {
      %x = memref.load %a[%i, %k] : memref<?x32xf32>
      %y = arith.addf %acc, %x : f32
      scf.yield %y : f32
    }
    memref.store %s, %b[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// -----

// A sequential loop that writes a buffer (a histogram) runs on one thread;
// the host loop around kernels stays on the host, reading its bounds from a
// buffer; kernels are named in program order.
// CHECK-LABEL: func.func @sequential
//       CHECK:   gpu.launch blocks({{.+}}) in ({{.+}} = %[[ONE:.+]], {{.+}} = %{{.+}}, {{.+}} = %{{.+}}) threads({{.+}}) in ({{.+}} = %[[ONE]], {{.+}} = %{{.+}}, {{.+}} = %{{.+}}) module(@xfmr_kernels) function(@sequential_kernel_0) {
//       CHECK:     scf.for
//       CHECK:       memref.store
//       CHECK:     gpu.terminator
//       CHECK:   scf.for
//       CHECK:     memref.load
//       CHECK:     gpu.launch {{.+}} function(@sequential_kernel_1) {
//       CHECK:   gpu.launch {{.+}} function(@sequential_kernel_2) {
//  CHECK-NEXT:     memref.store
func.func @sequential(%ids: memref<?xi32>, %hist: memref<4xi32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1 : i32
  %f = arith.constant 1.0 : f32
  %n = memref.dim %ids, %c0 : memref<?xi32>
  scf.for %t = %c0 to %n step %c1 {
    %e = memref.load %ids[%t] : memref<?xi32>
    %ei = arith.index_cast %e : i32 to index
    %h = memref.load %hist[%ei] : memref<4xi32>
    %h1 = arith.addi %h, %one : i32
    memref.store %h1, %hist[%ei] : memref<4xi32>
  }
  scf.for %e = %c0 to %c4 step %c1 {
    %h = memref.load %hist[%e] : memref<4xi32>
    %hi = arith.index_cast %h : i32 to index
    scf.parallel (%r) = (%c0) to (%hi) step (%c1) {
      memref.store %f, %out[%r] : memref<?xf32>
      scf.reduce
    }
  }
  memref.store %one, %hist[%c0] : memref<4xi32>
  return
}

// -----

func.func @reduction(%a: memref<?xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cst = arith.constant 0.0 : f32
  %n = memref.dim %a, %c0 : memref<?xf32>
  // expected-error @+1 {{scf.parallel with reductions cannot be mapped to a GPU grid yet}}
  %s = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%cst) -> f32 {
    %x = memref.load %a[%i] : memref<?xf32>
    scf.reduce(%x : f32) {
    ^bb0(%l: f32, %r: f32):
      %y = arith.addf %l, %r : f32
      scf.reduce.return %y : f32
    }
  }
  return %s : f32
}
