//===- GPUPipeline.cpp - xfmr IR to NVVM kernels and their host code ------===//
//
// The named pipeline that takes xfmr IR to the LLVM dialect for the host,
// with every loop nest outlined into a CUDA kernel and compiled to PTX by
// LLVM's NVPTX backend. Stage by stage (docs/architecture.md, "The GPU
// target", walks the same path):
//   1. xfmr-gpu-flash-attention: attention as a call of its kernel;
//      xfmr-gpu-expert-dispatch: the MoE routing ops as kernels;
//      xfmr-gpu-grouped-matmul: the expert FFNs as grouped GEMM calls;
//      xfmr-to-linalg-pipeline: the front half shared with the CPU target;
//      xfmr-gpu-fuse-elementwise: chains of element-wise ops merged
//   2. xfmr-prepare-entry-points, one-shot-bufferize, buffer deallocation
//   3. xfmr-gpu-device-buffers: buffers in CUDA managed memory; the
//      attention and grouped GEMM calls become their kernels
//   4. xfmr-gpu-tile-matmul, xfmr-gpu-warp-reductions: matmuls (with the
//      element-wise op that consumes them) and reductions as kernels of
//      their own
//   5. convert-linalg-to-parallel-loops, xfmr-gpu-map-to-launches: every
//      other loop nest that touches a buffer inside a gpu.launch;
//      xfmr-gpu-device-memory: buffers only kernels touch in device memory
//   6. gpu-kernel-outlining, nvvm-attach-target: kernels in gpu.modules
//   7. convert-gpu-to-nvvm on the kernels, gpu-to-llvm on the host
//   8. gpu-module-to-binary format=isa: PTX in gpu.binary ops
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"
#include "xfmr/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/FileSystem.h"

using namespace mlir;
using namespace mlir::xfmr;

/// The toolkit whose libdevice the kernels link: the option, else the
/// standard install location when it has libdevice, else empty (MLIR then
/// looks at $CUDA_ROOT, $CUDA_HOME and $CUDA_PATH).
static std::string findCudaPath(const GPUOptions &options) {
  if (!options.cudaPath.empty())
    return options.cudaPath;
  if (llvm::sys::fs::exists("/usr/local/cuda/nvvm/libdevice/libdevice.10.bc"))
    return "/usr/local/cuda";
  return "";
}

void mlir::xfmr::buildGPUPipeline(OpPassManager &pm,
                                  const GPUOptions &options) {
  CPUOptions front;
  front.moeAllExperts = options.moeAllExperts;
  front.fuseGateUp = options.fuseGateUp;
  // Nothing of the CPU's vector kernels (nor the weight layouts prepared
  // for them) applies to the GPU.
  front.vectorize = false;
  // Attention first, while it is still one op: the front half would split
  // it into contractions that materialise the scores. It becomes a call on
  // buffers here and the kernel after buffer deallocation.
  pm.addPass(createGPUFlashAttention());
  // The MoE routing ops get kernels of their own rather than the front
  // half's sequential loops; the front half's MoE lowering then finds
  // nothing left to do.
  OpPassManager &routing = pm.nest<func::FuncOp>();
  LowerMoeDispatchOptions moe;
  moe.allExperts = options.moeAllExperts;
  routing.addPass(createLowerMoeDispatch(moe));
  routing.addPass(createGPUExpertDispatch());
  // The expert FFNs as grouped GEMMs: calls now, kernels after
  // deallocation.
  pm.addPass(createGPUGroupedMatmul());
  buildXfmrToLinalgPipeline(pm, front);
  // One kernel per chain of element-wise ops, and matmul epilogues that
  // read the matmuls' results through conversions.
  pm.nest<func::FuncOp>().addPass(createGPUFuseElementwise());

  // The same bufferization as the CPU pipeline, so that both targets share
  // one calling convention: identity-layout buffers, results owned by the
  // caller.
  buildBufferizationPipeline(pm);

  pm.addPass(createGPUDeviceBuffers());
  GPUFlashAttentionOptions flash;
  flash.buildKernels = true;
  pm.addPass(createGPUFlashAttention(flash));
  GPUGroupedMatmulOptions grouped;
  grouped.buildKernels = true;
  pm.addPass(createGPUGroupedMatmul(grouped));
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  fpm.addPass(createGPUTileMatmul());
  if (options.warpReductions)
    fpm.addPass(createGPUWarpReductions());
  fpm.addPass(createConvertLinalgToParallelLoopsPass());
  fpm.addPass(createCanonicalizerPass());
  GPUMapToLaunchesOptions launches;
  launches.blockSize = options.blockSize;
  fpm.addPass(createGPUMapToLaunches(launches));
  // What the host never reads moves from managed to device memory.
  fpm.addPass(createGPUDeviceMemory());
  // Reshapes of buffers stay on the host; the one form that
  // expand-strided-metadata cannot lower is rewritten first.
  fpm.addPass(createExpandShapeToReinterpretCast());
  fpm.addPass(createCanonicalizerPass());
  fpm.addPass(createCSEPass());

  // Constants and index computations move into the kernels rather than
  // becoming kernel parameters.
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));

  // Kernels and host code alike: strided views to explicit offsets, affine
  // index maps to arith, structured control flow to branches.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());

  // Kernels: the gpu dialect and everything else to NVVM/LLVM; math
  // functions become libdevice calls (__nv_expf, ...).
  OpPassManager &kpm = pm.nest<gpu::GPUModuleOp>();
  kpm.addPass(createConvertGpuOpsToNVVMOps());
  kpm.addPass(createCanonicalizerPass());
  kpm.addPass(createCSEPass());
  kpm.addPass(createReconcileUnrealizedCastsPass());

  // Host: launches become calls into the CUDA runtime wrappers (mgpu*).
  pm.addPass(createGpuToLLVMConversionPass());
  buildHostToLLVMPasses(pm);
  pm.addPass(createReconcileUnrealizedCastsPass());

  // PTX from LLVM's NVPTX backend alone; assembling it to cubin (ptxas) is
  // the target's job, so that a missing ptxas is reported by xfmr.
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  binary.toolkitPath = findCudaPath(options);
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createCanonicalizerPass());
}

void mlir::xfmr::registerGPUPipelines() {
  PassPipelineRegistration<GPUOptions>(
      "xfmr-gpu-pipeline",
      "The whole GPU pipeline: xfmr IR to host LLVM-dialect IR launching "
      "NVPTX kernels (PTX in gpu.binary ops)",
      buildGPUPipeline);
}
