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

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_LOWERMOEDISPATCH
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;
using namespace mlir::xfmr;

namespace {

/// The naive lowering: y = Σ_e G[:, e] · gated_ffn_e(x) over all experts,
/// with the dense routing matrix G[t, e] = Σ_j w[t, j] · (ids[t, j] == e).
Value buildAllExperts(PatternRewriter &rw, Location loc, MoeOp op, Value x,
                      Value weights, Value experts, int64_t numExperts) {
  MLIRContext *ctx = rw.getContext();
  Type f32 = rw.getF32Type();
  Type elt = cast<RankedTensorType>(x.getType()).getElementType();
  AffineExpr t, e, j;
  bindDims(ctx, t, e, j);
  SmallVector<OpFoldResult> xSizes = getSizes(rw, loc, x);
  Value zero = floatConst(rw, loc, f32, 0.0);
  Value routing = buildGeneric(
      rw, loc, {experts, weights},
      {AffineMap::get(3, 0, {t, j}, ctx), AffineMap::get(3, 0, {t, j}, ctx),
       AffineMap::get(3, 0, {t, e}, ctx)},
      {utils::IteratorType::parallel, utils::IteratorType::parallel,
       utils::IteratorType::reduction},
      filledTensor(rw, loc, {xSizes[0], rw.getIndexAttr(numExperts)}, zero),
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value ex = arith::IndexCastOp::create(b, l, b.getI32Type(),
                                              linalg::IndexOp::create(b, l, 1));
        Value hit =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, args[0], ex);
        Value w = arith::SelectOp::create(b, l, hit, args[1], zero);
        return arith::AddFOp::create(b, l, args[2], w).getResult();
      });

  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap rowMap = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
  Value c0 = indexConst(rw, loc, 0);
  Value c1 = indexConst(rw, loc, 1);
  auto loop = scf::ForOp::create(
      rw, loc, c0, indexConst(rw, loc, numExperts), c1,
      ValueRange{filledTensor(rw, loc, xSizes, zero)},
      [&](OpBuilder &b, Location l, Value ex, ValueRange acc) {
        Value y =
            GatedFfnOp::create(b, l, op.getActivationAttr(), x,
                               extractExpertSlice(b, l, op.getWGate(), ex),
                               extractExpertSlice(b, l, op.getWUp(), ex),
                               extractExpertSlice(b, l, op.getWDown(), ex));
        SmallVector<OpFoldResult> offs = {b.getIndexAttr(0), ex};
        SmallVector<OpFoldResult> sizes = {xSizes[0], b.getIndexAttr(1)};
        SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
        Value column = tensor::ExtractSliceOp::create(
            b, l,
            RankedTensorType::get(
                {cast<RankedTensorType>(x.getType()).getDimSize(0)}, f32),
            routing, offs, sizes, strides);
        // Accumulate in place into the loop-carried tensor.
        Value sum = buildGeneric(
            b, l, {y, column}, {id, rowMap, id},
            {utils::IteratorType::parallel, utils::IteratorType::parallel},
            acc[0], [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value p = arith::MulFOp::create(nb, nl, toF32(nb, nl, args[0]),
                                              args[1]);
              return arith::AddFOp::create(nb, nl, args[2], p).getResult();
            });
        scf::YieldOp::create(b, l, sum);
      });
  Value result = loop.getResult(0);
  if (elt.isF32())
    return result;
  return buildElementwise(rw, loc, {result}, {id},
                          emptyTensor(rw, loc, xSizes, elt),
                          [&](OpBuilder &b, Location l, ValueRange args) {
                            return fromF32(b, l, args[0], elt);
                          });
}

struct MoeToDispatch : OpRewritePattern<MoeOp> {
  MoeToDispatch(MLIRContext *ctx, bool allExperts)
      : OpRewritePattern(ctx), allExperts(allExperts) {}

  LogicalResult matchAndRewrite(MoeOp op, PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    auto routerType = cast<RankedTensorType>(op.getRouterW().getType());
    if (routerType.isDynamicDim(0))
      return rw.notifyMatchFailure(
          op, "the number of experts (dimension 0 of 'router_w') must be "
              "static");
    int64_t numExperts = routerType.getDimSize(0);
    if (allExperts && op.getCapacityFactorAttr())
      return rw.notifyMatchFailure(
          op, "the all-experts lowering has no capacity limit");
    // Leading batch dimensions fold into the token dimension.
    Value x = collapseToMatrix(rw, loc, op.getX());
    Value logits = LinearOp::create(rw, loc, x, op.getRouterW(), Value());
    auto router =
        TopkRouterOp::create(rw, loc, logits, op.getTopKAttr(),
                             op.getScoringAttr(), op.getNormalizeTopkAttr());
    if (allExperts) {
      Value y = buildAllExperts(rw, loc, op, x, router.getWeights(),
                                router.getExperts(), numExperts);
      y = expandFromMatrix(rw, loc, y, op.getX());
      rw.replaceOp(op, castIfNeeded(rw, loc, y, op.getType()));
      return success();
    }
    auto dispatch = DispatchOp::create(rw, loc, x, router.getExperts(),
                                       rw.getI64IntegerAttr(numExperts),
                                       op.getCapacityFactorAttr());
    Value expertOut = GroupedGatedFfnOp::create(
        rw, loc, op.getActivationAttr(), dispatch.getSortedX(),
        dispatch.getOffsets(), op.getWGate(), op.getWUp(), op.getWDown());
    Value y = CombineOp::create(rw, loc, expertOut, dispatch.getOrder(),
                                router.getWeights());
    y = expandFromMatrix(rw, loc, y, op.getX());
    rw.replaceOp(op, castIfNeeded(rw, loc, y, op.getType()));
    return success();
  }

private:
  bool allExperts;
};

struct LowerMoeDispatchPass
    : public xfmr::impl::LowerMoeDispatchBase<LowerMoeDispatchPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateLowerMoeDispatchPatterns(patterns, allExperts);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // A moe that could not be rewritten would silently fall back to nothing.
    getOperation().walk([&](MoeOp op) {
      if (allExperts && op.getCapacityFactorAttr())
        op.emitOpError("with 'capacity_factor' cannot be lowered by the "
                       "all-experts strategy, which drops no token");
      else
        op.emitOpError("could not be lowered to expert dispatch: the number "
                       "of experts (dimension 0 of 'router_w') must be "
                       "static");
      signalPassFailure();
    });
  }
};

} // namespace

void mlir::xfmr::populateLowerMoeDispatchPatterns(RewritePatternSet &patterns,
                                                  bool allExperts) {
  patterns.add<MoeToDispatch>(patterns.getContext(), allExperts);
}
