//===- Attention.cpp - lowering of xfmr.attention -------------------------===//
//
// Scaled dot-product attention as linalg on tensors. Query heads are viewed
// as [B, Hkv, g, Tq, Dh] (g = Hq / Hkv) so that grouped-query attention is a
// plain batched contraction against k[B, Hkv, Tk, Dh] with projected-
// permutation indexing maps: no gather and no copy of the kv heads. Steps:
//   scores = q·kᵀ            (contraction over Dh, f32 accumulation)
//   scores = scores·scale + mask, causal positions set to -inf
//   p      = exp(scores - rowmax)   (0 where the whole row is masked)
//   out    = (p·v) / rowsum         (0 where the whole row is masked)
// The normalisation is applied after the second contraction (Tq·Dv divides
// instead of Tq·Tk).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "xfmr/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::xfmr;

namespace {

/// Static size of an OpFoldResult, or kDynamic.
int64_t staticSize(OpFoldResult ofr) {
  std::optional<int64_t> c = getConstantIntValue(ofr);
  return c ? *c : ShapedType::kDynamic;
}

SmallVector<int64_t> staticSizes(ArrayRef<OpFoldResult> sizes) {
  return llvm::map_to_vector(sizes, staticSize);
}

/// Gives a rank-3 attention operand a unit batch dimension.
Value addBatchDim(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  if (type.getRank() == 4)
    return t;
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1)};
  llvm::append_range(sizes, getSizes(b, loc, t));
  auto resultType =
      RankedTensorType::get(staticSizes(sizes), type.getElementType());
  return tensor::ExpandShapeOp::create(
      b, loc, resultType, t, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}},
      sizes);
}

struct AttentionLowering : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    Type f32 = rw.getF32Type();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elt = resultType.getElementType();
    bool batched = resultType.getRank() == 4;

    Value q = addBatchDim(rw, loc, op.getQ());
    Value k = addBatchDim(rw, loc, op.getK());
    Value v = addBatchDim(rw, loc, op.getV());
    SmallVector<OpFoldResult> qs = getSizes(rw, loc, q);
    SmallVector<OpFoldResult> ks = getSizes(rw, loc, k);
    SmallVector<OpFoldResult> vs = getSizes(rw, loc, v);
    OpFoldResult bDim = qs[0], hq = qs[1], tq = qs[2], dh = qs[3];
    OpFoldResult hkv = ks[1], tk = ks[2], dv = vs[3];

    // g = Hq / Hkv query heads share one kv head.
    OpFoldResult g;
    if (staticSize(hq) != ShapedType::kDynamic &&
        staticSize(hkv) != ShapedType::kDynamic) {
      g = rw.getIndexAttr(staticSize(hq) / staticSize(hkv));
    } else {
      g = arith::DivUIOp::create(rw, loc,
                                 getValueOrCreateConstantIndexOp(rw, loc, hq),
                                 getValueOrCreateConstantIndexOp(rw, loc, hkv))
              .getResult();
    }
    SmallVector<OpFoldResult> q5Sizes = {bDim, hkv, g, tq, dh};
    auto qType = cast<RankedTensorType>(q.getType());
    Value q5 = tensor::ExpandShapeOp::create(
        rw, loc,
        RankedTensorType::get(staticSizes(q5Sizes), qType.getElementType()), q,
        ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}}, q5Sizes);

    // scores[b, h, g, i, j] = Σ_d q[b, h, g, i, d] · k[b, h, j, d]
    Value zero = floatConst(rw, loc, f32, 0.0);
    SmallVector<OpFoldResult> sSizes = {bDim, hkv, g, tq, tk};
    SmallVector<utils::IteratorType> contraction(5,
                                                 utils::IteratorType::parallel);
    contraction.push_back(utils::IteratorType::reduction);
    Value scores = buildGeneric(
        rw, loc, {q5, k},
        {dimsMap(ctx, 6, {0, 1, 2, 3, 5}), dimsMap(ctx, 6, {0, 1, 4, 5}),
         dimsMap(ctx, 6, {0, 1, 2, 3, 4})},
        contraction, filledTensor(rw, loc, sSizes, zero),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value p = arith::MulFOp::create(b, l, toF32(b, l, args[0]),
                                          toF32(b, l, args[1]));
          return arith::AddFOp::create(b, l, args[2], p).getResult();
        });

    // Scale, additive mask, causal mask.
    Value scale;
    if (auto s = op.getScaleAttr()) {
      scale = floatConst(rw, loc, f32, s.getValueAsDouble());
    } else if (staticSize(dh) != ShapedType::kDynamic) {
      scale = floatConst(rw, loc, f32, 1.0 / std::sqrt(double(staticSize(dh))));
    } else {
      Value d =
          indexToF32(rw, loc, getValueOrCreateConstantIndexOp(rw, loc, dh));
      scale = arith::DivFOp::create(rw, loc, floatConst(rw, loc, f32, 1.0),
                                    math::SqrtOp::create(rw, loc, d));
    }
    Value negInf =
        floatConst(rw, loc, f32, -std::numeric_limits<double>::infinity());
    // Query i sees keys j <= i + (Tk - Tq).
    Value offset = arith::SubIOp::create(
        rw, loc, getValueOrCreateConstantIndexOp(rw, loc, tk),
        getValueOrCreateConstantIndexOp(rw, loc, tq));
    bool causal = op.getCausal();
    SmallVector<Value> maskInputs = {scores};
    SmallVector<AffineMap> maskMaps = {
        AffineMap::getMultiDimIdentityMap(5, ctx)};
    if (Value mask = op.getMask()) {
      maskInputs.push_back(mask);
      maskMaps.push_back(dimsMap(ctx, 5, {3, 4}));
    }
    bool hasMask = static_cast<bool>(op.getMask());
    Value masked = buildElementwise(
        rw, loc, maskInputs, maskMaps, emptyTensor(rw, loc, sSizes, f32),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value s = arith::MulFOp::create(b, l, args[0], scale);
          if (hasMask)
            s = arith::AddFOp::create(b, l, s, toF32(b, l, args[1]));
          if (causal) {
            Value i = linalg::IndexOp::create(b, l, 3);
            Value j = linalg::IndexOp::create(b, l, 4);
            Value limit = arith::AddIOp::create(b, l, i, offset);
            Value visible = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::sle, j, limit);
            s = arith::SelectOp::create(b, l, visible, s, negInf);
          }
          return s;
        });

    // Row maximum, then p = exp(s - max) with fully masked rows kept at 0.
    SmallVector<OpFoldResult> rowSizes = {bDim, hkv, g, tq};
    SmallVector<utils::IteratorType> rowReduction(
        4, utils::IteratorType::parallel);
    rowReduction.push_back(utils::IteratorType::reduction);
    AffineMap id5 = AffineMap::getMultiDimIdentityMap(5, ctx);
    AffineMap rowMap = dimsMap(ctx, 5, {0, 1, 2, 3});
    Value rowMax = buildGeneric(
        rw, loc, {masked}, {id5, rowMap}, rowReduction,
        filledTensor(rw, loc, rowSizes, negInf),
        [&](OpBuilder &b, Location l, ValueRange args) {
          return arith::MaxNumFOp::create(b, l, args[1], args[0]).getResult();
        });
    Value probs = buildElementwise(
        rw, loc, {masked, rowMax}, {id5, rowMap},
        emptyTensor(rw, loc, sSizes, f32),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value e = math::ExpOp::create(
              b, l, arith::SubFOp::create(b, l, args[0], args[1]));
          Value dead = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                             args[1], negInf);
          return arith::SelectOp::create(b, l, dead, zero, e).getResult();
        });
    Value rowSum = buildGeneric(
        rw, loc, {probs}, {id5, rowMap}, rowReduction,
        filledTensor(rw, loc, rowSizes, zero),
        [&](OpBuilder &b, Location l, ValueRange args) {
          return arith::AddFOp::create(b, l, args[1], args[0]).getResult();
        });

    // out[b, h, g, i, e] = Σ_j p[b, h, g, i, j] · v[b, h, j, e]
    SmallVector<OpFoldResult> oSizes = {bDim, hkv, g, tq, dv};
    Value pv = buildGeneric(
        rw, loc, {probs, v},
        {dimsMap(ctx, 6, {0, 1, 2, 3, 5}), dimsMap(ctx, 6, {0, 1, 5, 4}),
         dimsMap(ctx, 6, {0, 1, 2, 3, 4})},
        contraction, filledTensor(rw, loc, oSizes, zero),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value p = arith::MulFOp::create(b, l, args[0], toF32(b, l, args[1]));
          return arith::AddFOp::create(b, l, args[2], p).getResult();
        });
    Value out5 = buildElementwise(
        rw, loc, {pv, rowSum}, {id5, rowMap}, emptyTensor(rw, loc, oSizes, elt),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value empty = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                              args[1], zero);
          Value r = arith::DivFOp::create(b, l, args[0], args[1]);
          r = arith::SelectOp::create(b, l, empty, zero, r);
          return fromF32(b, l, r, elt);
        });

    Value out = tensor::CollapseShapeOp::create(
        rw, loc, out5, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    if (!batched)
      out = tensor::CollapseShapeOp::create(
          rw, loc, out, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}});
    rw.replaceOp(op, castIfNeeded(rw, loc, out, resultType));
    return success();
  }
};

} // namespace

void mlir::xfmr::populateAttentionToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<AttentionLowering>(patterns.getContext());
}
