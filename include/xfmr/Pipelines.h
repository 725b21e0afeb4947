//===- Pipelines.h - named xfmr pass pipelines ------------------*- C++ -*-===//
//
// Builders for the pass pipelines that take xfmr IR to a target, each taking
// an options struct, and their registration under a pipeline name.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_PIPELINES_H
#define XFMR_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::xfmr {

struct CPUOptions : public mlir::PassPipelineOptions<CPUOptions> {
  Option<bool> moeAllExperts{
      *this, "moe-all-experts",
      llvm::cl::desc("Lower xfmr.moe naively, evaluating every expert on "
                     "every token (for comparison with the dispatch "
                     "lowering)"),
      llvm::cl::init(false)};
  Option<bool> fuseGateUp{
      *this, "fuse-gate-up",
      llvm::cl::desc("Merge the gate and up projections of gated FFNs into "
                     "one projection followed by xfmr.glu "
                     "(xfmr-fuse-gate-up, after the MoE lowering)"),
      llvm::cl::init(false)};
  Option<bool> packWeights{
      *this, "pack-weights",
      llvm::cl::desc("Pack projection weights into the matmul kernel's "
                     "layout once: constants at compile time, argument "
                     "weights through generated <f>_prepare / <f>_prepared "
                     "entry points (xfmr-pack-weights)"),
      llvm::cl::init(true)};
  Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Tile and vectorize linalg.matmul "
                     "(xfmr-tile-and-vectorize); false keeps every linalg op "
                     "on the scalar loop lowering"),
      llvm::cl::init(true)};
  Option<int64_t> matmulPackThreshold{
      *this, "matmul-pack-threshold",
      llvm::cl::desc("Smallest row count for which a vectorized matmul packs "
                     "its nn.Linear-layout weight (xfmr-tile-and-vectorize "
                     "pack-threshold)"),
      llvm::cl::init(16)};
  Option<bool> threads{
      *this, "threads",
      llvm::cl::desc("Run the outer loops of parallel linalg ops and of the "
                     "matmul kernels on OpenMP threads (libomp; the thread "
                     "count follows OMP_NUM_THREADS); false lowers every "
                     "scf.parallel sequentially and needs no libomp"),
      llvm::cl::init(true)};
};

struct GPUOptions : public mlir::PassPipelineOptions<GPUOptions> {
  Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("GPU architecture the kernels are compiled for: sm_80, "
                     "sm_89 or sm_90"),
      llvm::cl::init("sm_90")};
  Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("LLVM optimisation level of the kernels, 0 to 3"),
      llvm::cl::init(2)};
  Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("CUDA toolkit whose libdevice provides the math "
                     "functions of kernels (empty: /usr/local/cuda when it "
                     "has libdevice, else MLIR's search of $CUDA_ROOT, "
                     "$CUDA_HOME and $CUDA_PATH)"),
      llvm::cl::init("")};
  Option<int64_t> blockSize{
      *this, "block-size",
      llvm::cl::desc("Threads per block of the element-wise and matmul "
                     "kernels (xfmr-gpu-map-to-launches block-size)"),
      llvm::cl::init(256)};
  Option<bool> moeAllExperts{
      *this, "moe-all-experts",
      llvm::cl::desc("Lower xfmr.moe naively, evaluating every expert on "
                     "every token"),
      llvm::cl::init(false)};
  Option<bool> warpReductions{
      *this, "warp-reductions",
      llvm::cl::desc("Compute linalg reductions with one warp per output "
                     "element (xfmr-gpu-warp-reductions); off: one thread "
                     "per output element"),
      llvm::cl::init(true)};
  Option<bool> fuseGateUp{
      *this, "fuse-gate-up",
      llvm::cl::desc("Merge the gate and up projections of gated FFNs into "
                     "one projection followed by xfmr.glu"),
      llvm::cl::init(false)};
};

/// xfmr (and linalg-on-tensors) IR to linalg on tensors: MoE dispatch made
/// explicit, every xfmr op lowered. Registered as `xfmr-to-linalg-pipeline`.
void buildXfmrToLinalgPipeline(mlir::OpPassManager &pm,
                               const CPUOptions &options);

/// Public functions checked and given a C interface, tensors bufferized
/// with identity-layout function boundaries, temporaries deallocated and
/// returned buffers owned by the caller: the calling convention both the CPU
/// and the GPU pipelines compile to.
void buildBufferizationPipeline(mlir::OpPassManager &pm);

/// Host code to the LLVM dialect after the target's own conversions
/// (vectors, OpenMP, GPU launches): memref, arith, index, cf, func and ub.
/// Both pipelines end with it and then reconcile the casts.
void buildHostToLLVMPasses(mlir::OpPassManager &pm);

/// Linalg on tensors to the LLVM dialect: bufferization, buffer
/// deallocation, loops, LLVM lowering, C entry points. Registered as
/// `xfmr-linalg-to-llvm-pipeline`.
void buildLinalgToLLVMPipeline(mlir::OpPassManager &pm,
                               const CPUOptions &options);

/// The whole CPU pipeline: the two above. Registered as `xfmr-cpu-pipeline`.
void buildCPUPipeline(mlir::OpPassManager &pm, const CPUOptions &options);

/// The whole GPU pipeline: xfmr IR to host LLVM-dialect IR that launches
/// the kernels, whose PTX (NVVM target `options.chip`) is in one
/// `gpu.binary @xfmr_kernels`. Registered as `xfmr-gpu-pipeline`.
void buildGPUPipeline(mlir::OpPassManager &pm, const GPUOptions &options);

/// Registers the GPU pipeline with the pass registry.
void registerGPUPipelines();

/// Registers the pipelines above with the pass registry.
void registerPipelines();

} // namespace mlir::xfmr

#endif // XFMR_PIPELINES_H
