// RUN: xfmr-opt %s --split-input-file --xfmr-outer-parallel-loops | FileCheck %s
// RUN: xfmr-opt %s --split-input-file --xfmr-outer-parallel-loops --convert-scf-to-openmp --xfmr-finish-openmp-regions | FileCheck %s --check-prefix=OMP

// Only the leading dynamic dimension stays parallel; the inner one becomes a
// sequential loop inside, and the nested scf.parallel is sequentialised.
// CHECK-LABEL: func.func @rows
//       CHECK:   scf.parallel (%[[I:.*]]) = (%c0) to (%{{.*}}) step (%c1) {
//       CHECK:     scf.for %[[J:.*]] = %c0 to %c64 step %c1 {
//       CHECK:       scf.for %[[K:.*]] = %c0 to %c64 step %c1 {
//       CHECK:         memref.load %{{.*}}[%[[I]], %[[J]], %[[K]]]
//   CHECK-NOT:   scf.parallel
//       CHECK:   return

// One region, whose if clause compares rows x 64 x 64 with the grain; the
// alloca scope is gone and the stack is restored after each row's buffer.
// OMP-LABEL: func.func @rows
//       OMP:   %[[BIG:.*]] = arith.cmpi sge, %{{.*}}, %c8192
//       OMP:   omp.parallel if(%[[BIG]]) {
//       OMP:     omp.loop_nest
//       OMP:       %[[SP:.*]] = llvm.intr.stacksave
//       OMP:       memref.alloca
//       OMP:       scf.for
//       OMP:       llvm.intr.stackrestore %[[SP]]
//       OMP:       omp.yield
//   OMP-NOT:   omp.parallel
//   OMP-NOT:   memref.alloca_scope
//       OMP:   return
func.func @rows(%m: memref<?x64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %n = memref.dim %m, %c0 : memref<?x64x64xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c64) step (%c1, %c1) {
    %buf = memref.alloca() : memref<64xf32>
    scf.parallel (%k) = (%c0) to (%c64) step (%c1) {
      %v = memref.load %m[%i, %j, %k] : memref<?x64x64xf32>
      memref.store %v, %buf[%k] : memref<64xf32>
    }
  }
  return
}

// -----

// Short static leading dimensions are taken together until they have 16
// iterations: 2 x 4 is not enough, 2 x 4 x 8 is.
// CHECK-LABEL: func.func @heads
//       CHECK:   scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) = (%c0, %c0, %c0) to (%c2, %c4, %c8)
//       CHECK:     scf.for %{{.*}} = %c0 to %c32
func.func @heads(%m: memref<2x4x8x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%a, %b, %c, %d) = (%c0, %c0, %c0, %c0) to (%c2, %c4, %c8, %c32) step (%c1, %c1, %c1, %c1) {
    memref.store %f, %m[%a, %b, %c, %d] : memref<2x4x8x32xf32>
  }
  return
}

// -----

// Loops with reductions are left to convert-scf-to-openmp unchanged.
// CHECK-LABEL: func.func @sum
//       CHECK:   scf.parallel (%{{.*}}, %{{.*}}) = {{.*}} init
//       CHECK:     scf.reduce
func.func @sum(%m: memref<8x8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %s = scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c8) step (%c1, %c1) init (%zero) -> f32 {
    %v = memref.load %m[%i, %j] : memref<8x8xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %r = arith.addf %a, %b : f32
      scf.reduce.return %r : f32
    }
  }
  return %s : f32
}
