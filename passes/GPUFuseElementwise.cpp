//===- GPUFuseElementwise.cpp - merge chains of element-wise generics -----===//
//
// On tensors, before bufferization: an element-wise linalg.generic feeding
// only another element-wise generic is merged into it, so that the GPU
// target launches one kernel for the chain and the matmul epilogue fusion
// of xfmr-gpu-tile-matmul sees through conversions. Pass description:
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_GPUFUSEELEMENTWISE
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;

namespace {

bool isElementwise(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  return generic && generic.getNumLoops() == generic.getNumParallelLoops();
}

struct GPUFuseElementwisePass
    : public xfmr::impl::GPUFuseElementwiseBase<GPUFuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      return isElementwise(producer) && producer->hasOneUse() &&
             isElementwise(fused->getOwner());
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
