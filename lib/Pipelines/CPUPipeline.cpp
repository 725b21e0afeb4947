//===- CPUPipeline.cpp - xfmr IR to the LLVM dialect for the host CPU -----===//
//
// The named pipelines that take xfmr IR to LLVM-dialect IR ready for
// translation to native code. Stage by stage (docs/architecture.md walks the
// same path):
//   1. xfmr-lower-moe-dispatch: xfmr.moe -> router/dispatch/grouped FFN/combine
//   2. convert-xfmr-to-linalg: every xfmr op -> linalg/tensor/arith/math/scf
//   3. xfmr-prepare-entry-points: public functions get a C interface
//   4. one-shot-bufferize + buffer-deallocation-pipeline: tensors -> memrefs
//   5. xfmr-tile-and-vectorize (option `vectorize`, on by default): matmuls
//      -> register-tiled loops of vector.fma
//   6. convert-linalg-to-loops, lower-affine, scf-to-cf: loops and branches;
//      with option `threads` (on by default), convert-linalg-to-parallel-
//      loops and the outermost scf.parallel of each nest -> OpenMP
//   7. math-to-libm/llvm, vector/memref/arith/func/cf/index/ub -> llvm
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"
#include "xfmr/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::xfmr;

void mlir::xfmr::buildXfmrToLinalgPipeline(OpPassManager &pm,
                                           const CPUOptions &options) {
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  LowerMoeDispatchOptions moe;
  moe.allExperts = options.moeAllExperts;
  fpm.addPass(createLowerMoeDispatch(moe));
  // After the MoE lowering, so that the expert FFNs it makes explicit are
  // fused too.
  if (options.fuseGateUp)
    fpm.addPass(createFuseGateUp());
  fpm.addPass(createConvertXfmrToLinalg());
  // Element-wise arith/math on whole tensors (residual adds of composite
  // blocks) becomes linalg too, so that everything bufferizes.
  fpm.addPass(createConvertElementwiseToLinalgPass());
  if (options.packWeights && options.vectorize) {
    // Before canonicalisation, so that the shapes the pass relates are still
    // asked of the ops that produce them.
    pm.addPass(createPackWeights());
  }
  OpPassManager &cleanup = pm.nest<func::FuncOp>();
  cleanup.addPass(createCanonicalizerPass());
  cleanup.addPass(createCSEPass());
}

void mlir::xfmr::buildBufferizationPipeline(OpPassManager &pm) {
  pm.addPass(createPrepareEntryPoints());

  // Tensors to buffers. Function boundaries take identity-layout memrefs so
  // that the C entry points see plain strided descriptors.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());
  // Without deallocation every temporary leaks on every call. Returned
  // buffers are cloned when they alias an argument or a global, so the
  // caller always owns (and frees) what it gets back.
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  pm.addPass(createConvertBufferizationToMemRefPass());
}

void mlir::xfmr::buildLinalgToLLVMPipeline(OpPassManager &pm,
                                           const CPUOptions &options) {
  buildBufferizationPipeline(pm);

  OpPassManager &fpm = pm.nest<func::FuncOp>();
  fpm.addPass(createLowerStridedCopies());
  if (options.vectorize) {
    // Matmuls become register-tiled vector kernels; every other linalg op
    // still goes through the loop lowering below.
    TileAndVectorizeOptions tiling;
    tiling.packThreshold = options.matmulPackThreshold;
    fpm.addPass(createTileAndVectorize(tiling));
    fpm.addPass(createCanonicalizerPass());
    fpm.addPass(createCSEPass());
    // Full unrolling keeps transfer lowering from putting allocas in loops.
    fpm.addPass(createConvertVectorToSCFPass(
        VectorTransferToSCFOptions().enableFullUnroll()));
  }
  // With threads, the parallel dimensions of linalg ops become scf.parallel,
  // which OpenMP shares out below; without, plain loops.
  if (options.threads)
    fpm.addPass(createConvertLinalgToParallelLoopsPass());
  else
    fpm.addPass(createConvertLinalgToLoopsPass());
  fpm.addPass(createExpandShapeToReinterpretCast());
  fpm.addPass(memref::createExpandStridedMetadataPass());
  fpm.addPass(createLowerAffinePass());
  OpPassManager *cfpm = &fpm;
  if (options.threads) {
    // One parallel region per outermost loop nest, forked only when its work
    // pays for it; the alloca scopes scf-to-openmp adds must be gone before
    // scf-to-cf gives their bodies several blocks.
    fpm.addPass(createOuterParallelLoops());
    pm.addPass(createConvertSCFToOpenMPPass());
    pm.addPass(createFinishOpenMPRegions());
    cfpm = &pm.nest<func::FuncOp>();
  }
  // Without threads, any scf.parallel left runs sequentially from here.
  cfpm->addPass(createSCFToControlFlowPass());
  cfpm->addPass(createCanonicalizerPass());
  // bf16 <-> f32 conversions become integer bit operations: the libgcc
  // helpers for them are not available everywhere.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  cfpm->addPass(arith::createArithExpandOpsPass(expand));

  // erf/tanh/exp keep libm's accuracy; what LLVM has intrinsics for goes
  // there directly.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertMathToLLVMPass());
  if (options.vectorize) {
    // Reductions may be reassociated; any 2-D transpose or contraction left
    // takes the shuffle / outer-product lowering rather than scalar code.
    ConvertVectorToLLVMPassOptions vectorToLLVM;
    vectorToLLVM.reassociateFPReductions = true;
    vectorToLLVM.vectorTransposeLowering =
        vector::VectorTransposeLowering::Shuffle16x16;
    vectorToLLVM.vectorContractLowering =
        vector::VectorContractLowering::OuterProduct;
    pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  }
  // Temporaries come from a block cache the module keeps across calls, so
  // that large ones are not mapped and page-faulted again on every call;
  // returned buffers stay plain malloc() blocks for the caller to free.
  pm.addPass(createCacheTemporaries());
  buildHostToLLVMPasses(pm);
  if (options.threads)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::xfmr::buildHostToLLVMPasses(OpPassManager &pm) {
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
}

void mlir::xfmr::buildCPUPipeline(OpPassManager &pm,
                                  const CPUOptions &options) {
  buildXfmrToLinalgPipeline(pm, options);
  buildLinalgToLLVMPipeline(pm, options);
}

void mlir::xfmr::registerPipelines() {
  PassPipelineRegistration<CPUOptions>(
      "xfmr-to-linalg-pipeline",
      "Lower xfmr ops (MoE dispatch included) to linalg on tensors",
      buildXfmrToLinalgPipeline);
  PassPipelineRegistration<CPUOptions>(
      "xfmr-linalg-to-llvm-pipeline",
      "Bufferize linalg on tensors and lower it to the LLVM dialect",
      buildLinalgToLLVMPipeline);
  PassPipelineRegistration<CPUOptions>(
      "xfmr-cpu-pipeline",
      "The whole CPU pipeline: xfmr IR to the LLVM dialect", buildCPUPipeline);
}
