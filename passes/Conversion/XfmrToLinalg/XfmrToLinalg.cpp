//===- XfmrToLinalg.cpp - the convert-xfmr-to-linalg pass -----------------===//
//
// Sets up the conversion target (no xfmr op may remain) and runs the
// patterns of PositionWise.cpp, Attention.cpp and ExpertDispatch.cpp, plus
// the xfmr.moe decomposition so that the pass lowers any xfmr input.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "dialects/xfmr/XfmrOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_CONVERTXFMRTOLINALG
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;
using namespace mlir::xfmr;

void mlir::xfmr::populateXfmrToLinalgPatterns(RewritePatternSet &patterns) {
  populatePositionWiseToLinalgPatterns(patterns);
  populateAttentionToLinalgPatterns(patterns);
  populateExpertDispatchToLinalgPatterns(patterns);
  populateLowerMoeDispatchPatterns(patterns);
}

namespace {
struct ConvertXfmrToLinalgPass
    : public xfmr::impl::ConvertXfmrToLinalgBase<ConvertXfmrToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<XfmrDialect>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect,
                           scf::SCFDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateXfmrToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
