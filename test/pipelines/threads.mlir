// RUN: xfmr-opt %s --xfmr-cpu-pipeline | FileCheck %s
// RUN: xfmr-opt %s --xfmr-cpu-pipeline="threads=false" | FileCheck %s --check-prefix=SEQ

// With threads (the default), the rows of the residual add and of the norm
// are shared out by one OpenMP work-sharing loop each, forked only when the
// work is large enough; the columns stay a sequential inner loop.
// CHECK-LABEL: llvm.func @residual_norm(
//       CHECK:   %[[BIG:.*]] = llvm.icmp "sge"
//       CHECK:   omp.parallel if(%[[BIG]])
//  CHECK-NEXT:     omp.wsloop {
//  CHECK-NEXT:       omp.loop_nest (%{{.*}}) : i64 =
//   CHECK-NOT:   omp.parallel
//       CHECK:     omp.terminator
//       CHECK:   omp.parallel if(
//       CHECK:     omp.wsloop
//   CHECK-NOT:       omp.parallel
//       CHECK:     omp.terminator
//       CHECK: llvm.func @_mlir_ciface_residual_norm(

// Without, the same loops are plain branches and nothing calls OpenMP.
// SEQ-LABEL: llvm.func @residual_norm(
//   SEQ-NOT:   omp.
//       SEQ: llvm.func @_mlir_ciface_residual_norm(
func.func @residual_norm(%x: tensor<?x256xf32>, %r: tensor<?x256xf32>,
                         %g: tensor<256xf32>) -> tensor<?x256xf32> {
  %s = arith.addf %x, %r : tensor<?x256xf32>
  %n = xfmr.rms_norm %s, %g : tensor<?x256xf32>, tensor<256xf32>
  return %n : tensor<?x256xf32>
}
