//===- LowerMoeDispatch.cpp - xfmr.moe -> explicit expert dispatch --------===//
//
// Makes the routing of a mixture-of-experts layer explicit:
//   logits          = xfmr.linear(x, router_w)
//   weights, ids    = xfmr.topk_router(logits)
//   sorted, off, ord = xfmr.dispatch(x, ids)          (sort slots by expert)
//   expert_out      = xfmr.grouped_gated_ffn(sorted, off, W...)
//   y               = xfmr.combine(expert_out, ord, weights)
// so that only the T·top_k selected (token, expert) pairs are computed.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "dialects/xfmr/XfmrOps.h"
#include "passes/Conversion/XfmrToLinalg/LoweringUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_LOWERMOEDISPATCH
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;
using namespace mlir::xfmr;

namespace {

struct MoeToDispatch : OpRewritePattern<MoeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MoeOp op, PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    auto routerType = cast<RankedTensorType>(op.getRouterW().getType());
    if (routerType.isDynamicDim(0))
      return rw.notifyMatchFailure(
          op, "the number of experts (dimension 0 of 'router_w') must be "
              "static");
    int64_t numExperts = routerType.getDimSize(0);
    // Leading batch dimensions fold into the token dimension.
    Value x = collapseToMatrix(rw, loc, op.getX());
    Value logits = LinearOp::create(rw, loc, x, op.getRouterW(), Value());
    auto router =
        TopkRouterOp::create(rw, loc, logits, op.getTopKAttr(),
                             op.getScoringAttr(), op.getNormalizeTopkAttr());
    auto dispatch = DispatchOp::create(rw, loc, x, router.getExperts(),
                                       rw.getI64IntegerAttr(numExperts));
    Value expertOut = GroupedGatedFfnOp::create(
        rw, loc, op.getActivationAttr(), dispatch.getSortedX(),
        dispatch.getOffsets(), op.getWGate(), op.getWUp(), op.getWDown());
    Value y = CombineOp::create(rw, loc, expertOut, dispatch.getOrder(),
                                router.getWeights());
    y = expandFromMatrix(rw, loc, y, op.getX());
    rw.replaceOp(op, castIfNeeded(rw, loc, y, op.getType()));
    return success();
  }
};

struct LowerMoeDispatchPass
    : public xfmr::impl::LowerMoeDispatchBase<LowerMoeDispatchPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateLowerMoeDispatchPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // A moe that could not be rewritten would silently fall back to nothing.
    getOperation().walk([&](MoeOp op) {
      op.emitOpError("could not be lowered to expert dispatch: the number of "
                     "experts (dimension 0 of 'router_w') must be static");
      signalPassFailure();
    });
  }
};

} // namespace

void mlir::xfmr::populateLowerMoeDispatchPatterns(RewritePatternSet &patterns) {
  patterns.add<MoeToDispatch>(patterns.getContext());
}
