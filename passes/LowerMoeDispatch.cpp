//===- LowerMoeDispatch.cpp - xfmr.moe -> explicit expert dispatch --------===//
#include "xfmr/Passes.h"
#include "dialects/xfmr/XfmrOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_LOWERMOEDISPATCH
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;
using namespace mlir::xfmr;

void mlir::xfmr::populateLowerMoeDispatchPatterns(RewritePatternSet &) {}

namespace {
struct LowerMoeDispatchPass
    : public xfmr::impl::LowerMoeDispatchBase<LowerMoeDispatchPass> {
  void runOnOperation() override {}
};
} // namespace
