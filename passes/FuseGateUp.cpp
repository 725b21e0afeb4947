//===- FuseGateUp.cpp - merge the gate and up projections into one --------===//
//
// A gated FFN reads x twice, once per projection:
//   g = x · w_gateᵀ ; u = x · w_upᵀ ; h = act(g) ⊙ u ; y = h · w_downᵀ
// This pass stacks the two weights into one [2F, D] matrix (gate rows first,
// up rows second) so that x is read by a single projection, and the gating
// becomes an xfmr.glu, whose gate is the FIRST half of its operand:
//   w  = tensor.concat dim(0) w_gate, w_up
//   gu = xfmr.linear x, w
//   h  = xfmr.glu <act> gu
//   y  = xfmr.linear h, w_down
// Two forms are recognised: xfmr.gated_ffn, and the same computation written
// as two bias-free xfmr.linear ops feeding an xfmr.gated_activation.
//
// The expert FFNs of a mixture of experts are stacked the same way, per
// expert: xfmr.grouped_gated_ffn with w_gate, w_up [E, F, D] becomes
// xfmr.grouped_glu_ffn over w_gate_up = concat dim(1) w_gate, w_up, of
// shape [E, 2F, D], whose lowering projects each segment once and gates it
// with xfmr.glu.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "dialects/xfmr/XfmrOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_FUSEGATEUP
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;
using namespace mlir::xfmr;

namespace {

/// Whether `wGate` and `wUp` can be stacked into one [2F, D] weight whose
/// first F rows are the gate: both rank-2 with the same static shape and
/// element type. A dynamic F would leave the split point of the glu unknown
/// to the compiler, so such weights are left alone.
/// (Stacked expert weights, [E, F, D], are `rank` 3.)
LogicalResult checkStackable(PatternRewriter &rw, Operation *op, Value wGate,
                             Value wUp, int64_t rank = 2) {
  auto gType = dyn_cast<RankedTensorType>(wGate.getType());
  auto uType = dyn_cast<RankedTensorType>(wUp.getType());
  if (!gType || !uType || gType.getRank() != rank || uType.getRank() != rank)
    return rw.notifyMatchFailure(op, "gate and up weights have the wrong rank");
  if (!gType.hasStaticShape() || !uType.hasStaticShape())
    return rw.notifyMatchFailure(op, "gate and up weights must be static");
  if (gType != uType)
    return rw.notifyMatchFailure(
        op, "gate and up weights differ in shape or element type");
  return success();
}

/// w = concat(w_gate, w_up) along the output features; h = glu(x · wᵀ).
Value buildFusedGlu(PatternRewriter &rw, Location loc, ActivationKindAttr kind,
                    Value x, Value wGate, Value wUp) {
  Value w =
      tensor::ConcatOp::create(rw, loc, /*dim=*/0, ValueRange{wGate, wUp});
  Value gu = LinearOp::create(rw, loc, x, w, Value());
  return GluOp::create(rw, loc, kind, gu);
}

/// xfmr.gated_ffn -> concat + linear + glu + linear.
struct FuseGatedFfn : OpRewritePattern<GatedFfnOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GatedFfnOp op,
                                PatternRewriter &rw) const override {
    if (failed(checkStackable(rw, op, op.getWGate(), op.getWUp())))
      return failure();
    Location loc = op.getLoc();
    Value h = buildFusedGlu(rw, loc, op.getActivationAttr(), op.getX(),
                            op.getWGate(), op.getWUp());
    Value y = LinearOp::create(rw, loc, h, op.getWDown(), Value());
    if (y.getType() != op.getType())
      return rw.notifyMatchFailure(op, "fused result type differs");
    rw.replaceOp(op, y);
    return success();
  }
};

/// xfmr.grouped_gated_ffn -> concat dim(1) + xfmr.grouped_glu_ffn.
struct FuseGroupedGatedFfn : OpRewritePattern<GroupedGatedFfnOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GroupedGatedFfnOp op,
                                PatternRewriter &rw) const override {
    if (failed(checkStackable(rw, op, op.getWGate(), op.getWUp(), /*rank=*/3)))
      return failure();
    Location loc = op.getLoc();
    Value w = tensor::ConcatOp::create(rw, loc, /*dim=*/1,
                                       ValueRange{op.getWGate(), op.getWUp()});
    rw.replaceOpWithNewOp<GroupedGluFfnOp>(op, op.getActivationAttr(),
                                           op.getSortedX(), op.getOffsets(), w,
                                           op.getWDown());
    return success();
  }
};

/// The bias-free projection that defines `v` and is used by nothing else.
LinearOp getSoleUseProjection(Value v) {
  auto linear = v.getDefiningOp<LinearOp>();
  if (!linear || linear.getB() || !v.hasOneUse())
    return nullptr;
  return linear;
}

/// gated_activation(linear(x, w_gate), linear(x, w_up)) -> concat + linear +
/// glu. The weight order follows the operands of the gated_activation, so a
/// projection named "up" that is used as the gate is stacked first.
struct FuseGatedActivation : OpRewritePattern<GatedActivationOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GatedActivationOp op,
                                PatternRewriter &rw) const override {
    LinearOp gate = getSoleUseProjection(op.getGate());
    LinearOp up = getSoleUseProjection(op.getUp());
    if (!gate || !up)
      return rw.notifyMatchFailure(
          op, "gate and up must each be a bias-free xfmr.linear used only "
              "here");
    if (gate == up)
      return rw.notifyMatchFailure(op, "gate and up are the same projection");
    if (gate.getX() != up.getX())
      return rw.notifyMatchFailure(op, "gate and up project different inputs");
    if (failed(checkStackable(rw, op, gate.getW(), up.getW())))
      return failure();
    if (op.getGate().getType() != op.getUp().getType())
      return rw.notifyMatchFailure(op, "gate and up differ in type");

    Value h = buildFusedGlu(rw, op.getLoc(), op.getKindAttr(), gate.getX(),
                            gate.getW(), up.getW());
    if (h.getType() != op.getType())
      return rw.notifyMatchFailure(op, "fused result type differs");
    rw.replaceOp(op, h);
    rw.eraseOp(gate);
    rw.eraseOp(up);
    return success();
  }
};

struct FuseGateUpPass : public xfmr::impl::FuseGateUpBase<FuseGateUpPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseGateUpPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void mlir::xfmr::populateFuseGateUpPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseGatedFfn, FuseGatedActivation, FuseGroupedGatedFfn>(
      patterns.getContext());
}
