// xfmr-run --target=cuda loads the CUDA driver at run time: without one it
// says so and exits non-zero (the inputs are checked first).

// UNSUPPORTED: cuda-driver
// RUN: not xfmr-run %s --target=cuda --input="4xf32=1 2 3 4" 2>&1 | FileCheck %s
// CHECK: xfmr-run: error: no CUDA driver (libcuda.so.1 not found): {{.*}}libcuda.so.1
// RUN: not xfmr-run %s --target=cuda --input="4xf32=1 2 x" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=INPUT
// INPUT: xfmr-run: error: input 0:
// RUN: not xfmr-run %s --target=tpu 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: xfmr-run: error: unknown --target 'tpu' (expected cpu or cuda)

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
