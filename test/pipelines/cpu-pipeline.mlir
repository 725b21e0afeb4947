// RUN: xfmr-opt %s --xfmr-to-linalg-pipeline | FileCheck %s --check-prefix=LINALG
// RUN: xfmr-opt %s --xfmr-cpu-pipeline | FileCheck %s --check-prefix=LLVM

// The first half of the CPU pipeline leaves linalg on tensors and no xfmr op.
// LINALG-LABEL: func.func @layer
//   LINALG-NOT:   = xfmr.
//       LINALG:   linalg.matmul
//       LINALG:   scf.for
//   LINALG-NOT:   = xfmr.
//       LINALG:   return

// The whole pipeline reaches the LLVM dialect, with the C interface wrapper,
// temporaries from the module's block cache (xfmr-cache-temporaries), the
// result from malloc, and no call into MLIR's runner library.
//   LLVM-NOT: memrefCopy
//       LLVM: llvm.func @layer(
//       LLVM:   llvm.call @_mlir_memref_to_llvm_alloc
//       LLVM:   llvm.call @_mlir_memref_to_llvm_free
//       LLVM:   llvm.call @malloc
//       LLVM:   llvm.call @_mlir_memref_to_llvm_free
//       LLVM: llvm.func @_mlir_ciface_layer(
//   LLVM-NOT: memrefCopy
//   LLVM-NOT: builtin.unrealized_conversion_cast
func.func @layer(%x: tensor<?x32xf32>, %g: tensor<32xf32>, %r: tensor<4x32xf32>, %wg: tensor<4x16x32xf32>, %wd: tensor<4x32x16xf32>) -> tensor<?x32xf32> {
  %n = xfmr.rms_norm %x, %g : tensor<?x32xf32>, tensor<32xf32>
  %m = xfmr.moe <silu> %n, %r, %wg, %wg, %wd {top_k = 2 : i64} : tensor<?x32xf32>, tensor<4x32xf32>, tensor<4x16x32xf32>, tensor<4x16x32xf32>, tensor<4x32x16xf32>
  %y = arith.addf %x, %m : tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}
