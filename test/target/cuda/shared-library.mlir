// --target=cuda --emit=shared: a host library with the CPU target's C entry
// points, the kernels' PTX embedded and the kernel runtime linked in. It
// needs no CUDA library to load (the driver is dlopen()ed at the first
// call), exports only the entry points, the manifest and the error
// function, and its C header says how it behaves.

// RUN: xfmr-compile %s --target=cuda -o %t.so
// RUN: llvm-nm -D --defined-only %t.so | FileCheck %s --check-prefix=SYMS
// SYMS-DAG: T ffn
// SYMS-DAG: T xfmr_packed_ffn
// SYMS-DAG: T xfmr_cuda_take_error
// SYMS-DAG: R xfmr_manifest
// RUN: llvm-nm -D --defined-only %t.so | FileCheck %s --check-prefix=HIDDEN
// HIDDEN-NOT: mgpu
// RUN: llvm-readelf -d %t.so | FileCheck %s --check-prefix=NEEDED
// NEEDED-NOT: libcuda
// NEEDED-NOT: libstdc++
// RUN: FileCheck %s --check-prefix=HEADER --input-file=%t.h
// HEADER: void ffn(xfmr_memref_2d_f32 *out, const xfmr_memref_2d_f32 *x, const xfmr_memref_2d_f32 *wg, const xfmr_memref_2d_f32 *wu, const xfmr_memref_2d_f32 *wd);
// HEADER: The kernels run on the first CUDA device
// HEADER: const char *xfmr_cuda_take_error(void);
// The kernels' PTX is embedded in the library.
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t.so
// PTX: .target sm_90
// PTX: .entry ffn_kernel_0

func.func @ffn(%x: tensor<?x64xf32>, %wg: tensor<96x64xf32>,
               %wu: tensor<96x64xf32>, %wd: tensor<64x96xf32>)
    -> tensor<?x64xf32> {
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd
      : tensor<?x64xf32>, tensor<96x64xf32>, tensor<96x64xf32>, tensor<64x96xf32>
  return %y : tensor<?x64xf32>
}
