//===- NVPTX.h - xfmr IR to PTX and cubin for NVIDIA GPUs -------*- C++ -*-===//
//
// The CUDA target: xfmr (or linalg-on-tensors) IR through the GPU pipeline
// (xfmr/Pipelines.h, buildGPUPipeline) to host LLVM-dialect IR whose kernels
// sit, as PTX from LLVM's NVPTX backend, in one `gpu.binary`; then the PTX
// itself, a cubin assembled by the CUDA toolkit's ptxas, or the host code as
// LLVM IR with the PTX embedded.
//
// Typical use:
//   if (Error e = checkGPUArch(chip)) ...
//   if (failed(lowerToGPUBinaries(*m, gpuOptions))) ...
//   if (Error e = emitGPUArtifact(*m, options, GPUEmitKind::Cubin,
//                                 "foo.cubin")) ...
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_TARGET_NVPTX_H
#define XFMR_TARGET_NVPTX_H

#include "xfmr/Pipelines.h"
#include "xfmr/Target/CPU.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir {
class PassManager;

namespace xfmr {

struct NVPTXTargetOptions {
  /// The GPU architecture, as accepted by checkGPUArch().
  std::string chip = "sm_90";
  /// ptxas for cubins. Empty: findPtxas()'s search.
  std::string ptxas;
  /// The host side of --emit=shared: optimisation level, host CPU, linker.
  CPUTargetOptions host;
};

enum class GPUEmitKind { LLVMIR, PTX, Cubin, SharedLibrary };

/// The architectures the GPU target supports: sm_80, sm_89 and sm_90.
llvm::ArrayRef<llvm::StringRef> getSupportedGPUArchs();

/// Fails with the list of supported architectures unless `chip` is one.
llvm::Error checkGPUArch(llvm::StringRef chip);

/// Runs buildGPUPipeline() on `module`. `configure` may adjust the pass
/// manager before it runs. Errors are reported through the context's
/// diagnostic handler.
LogicalResult lowerToGPUBinaries(
    ModuleOp module, const GPUOptions &options,
    llvm::function_ref<LogicalResult(PassManager &)> configure = nullptr);

/// The PTX of the kernels of a module produced by lowerToGPUBinaries(). Fails
/// when there is none, or when the kernels call libdevice functions that
/// were not linked (no CUDA toolkit found: see GPUOptions::cudaPath).
llvm::Expected<std::string> getKernelPTX(ModuleOp module);

/// The ptxas to run: `override` if set (it must be executable), else
/// /usr/local/cuda/bin/ptxas, $CUDA_PATH/bin/ptxas or ptxas on PATH.
llvm::Expected<std::string> findPtxas(llvm::StringRef override);

/// Assembles `ptx` for `chip` with `ptxas`; returns the cubin. A failure
/// carries ptxas's output.
llvm::Expected<std::string>
assemblePTX(llvm::StringRef ptx, llvm::StringRef chip, llvm::StringRef ptxas);

/// The kernel runtime archive (the mgpu* functions over a dlopen()ed CUDA
/// driver) that GPU shared libraries link: $XFMR_CUDA_RUNTIME, else next to
/// the running tool (<bindir>/../lib), else where the build put it.
llvm::Expected<std::string> findCudaKernelRuntime();

/// Writes one artifact of a module produced by lowerToGPUBinaries() to
/// `outputPath` ("-" is stdout, except for cubins and libraries): the host
/// code as LLVM IR (PTX embedded, loaded by the driver's JIT), the PTX, the
/// cubin, or a shared library with the CPU target's C entry points, its
/// manifest and C header, the PTX embedded and the kernel runtime linked in.

llvm::Error emitGPUArtifact(ModuleOp module, const NVPTXTargetOptions &options,
                            GPUEmitKind kind, llvm::StringRef outputPath);

} // namespace xfmr
} // namespace mlir

#endif // XFMR_TARGET_NVPTX_H
