// xfmr-compile --target=cuda's error paths: each exits non-zero with a
// clear message.

// RUN: not xfmr-compile %s --target=cuda --gpu-arch=sm_75 --emit=ptx 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ARCH
// ARCH: xfmr-compile: error: unknown --gpu-arch 'sm_75' (expected sm_80, sm_89 or sm_90)
// RUN: not xfmr-compile %s --target=cuda --emit=cubin --ptxas=/nonexistent -o %t.cubin 2>&1 \
// RUN:   | FileCheck %s --check-prefix=PTXAS
// PTXAS: xfmr-compile: error: ptxas '/nonexistent' is not an executable (--ptxas=PATH names the CUDA toolkit's ptxas)
// RUN: not xfmr-compile %s --target=cuda --emit=cubin 2>&1 \
// RUN:   | FileCheck %s --check-prefix=STDOUT
// STDOUT: xfmr-compile: error: --emit=cubin writes a file: name it with -o FILE.cubin
// RUN: not xfmr-compile %s --target=cuda --emit=obj 2>&1 \
// RUN:   | FileCheck %s --check-prefix=EMIT
// EMIT: xfmr-compile: error: unknown --emit 'obj' for --target=cuda (expected linalg, mlir, llvm, ptx, cubin or shared)
// RUN: not xfmr-compile %s --target=cuda 2>&1 \
// RUN:   | FileCheck %s --check-prefix=SHARED
// SHARED: xfmr-compile: error: --emit=shared writes a file: name it with -o FILE.so
// RUN: env XFMR_CUDA_RUNTIME=/nonexistent/libxfmr_cuda_runtime.a \
// RUN:   not xfmr-compile %s --target=cuda -o %t.so 2>&1 \
// RUN:   | FileCheck %s --check-prefix=RUNTIME
// RUNTIME: xfmr-compile: error: $XFMR_CUDA_RUNTIME names '/nonexistent/libxfmr_cuda_runtime.a', which does not exist
// RUN: not xfmr-compile %s --target=cuda --emit=ptx --pipeline-options="frobnicate=1" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=PIPE
// PIPE: xfmr-compile: error: invalid --pipeline-options 'frobnicate=1'

// A module with nothing to compute has no kernel: PTX is refused.
// RUN: not xfmr-compile %S/Inputs/no-kernels.mlir --target=cuda --emit=ptx 2>&1 \
// RUN:   | FileCheck %s --check-prefix=EMPTY
// EMPTY: xfmr-compile: error: the module has no kernels (no gpu.binary): nothing to run on the GPU

// Without libdevice (an empty toolkit directory), a kernel calling a math
// function is refused rather than written with an unresolved call.
// RUN: rm -rf %t.cuda && mkdir -p %t.cuda/nvvm/libdevice
// RUN: not xfmr-compile %S/Inputs/exp.mlir --target=cuda --emit=ptx --cuda-path=%t.cuda 2>&1 \
// RUN:   | FileCheck %s --check-prefix=LIBDEVICE
// LIBDEVICE: error: LibDevice path: {{.*}}libdevice.10.bc does not exist or is not a file.

func.func @ok(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
