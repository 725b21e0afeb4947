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

// A GPU library loads without a driver; its first call reports the missing
// driver as an error of the call.
// RUN: xfmr-compile %s --target=cuda -o %t.so
// RUN: not xfmr-run %t.so --input="4xf32=1 2 3 4" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=LIBRARY
// LIBRARY: xfmr-run: error: 'f' failed on the GPU: no CUDA driver (libcuda.so.1 not found)
// RUN: not xfmr-run %t.so --target=cuda --input="4xf32=1 2 3 4" 2>&1 \
// RUN:   | FileCheck %s
