//===- PositionWise.cpp - lowering of the position-wise xfmr ops ----------===//
//
// linear, activation, gated_activation, glu, ffn, gated_ffn, rms_norm,
// layer_norm and rope become linalg on tensors. Arithmetic is f32 whatever
// the storage type; results are converted back to the storage type in the
// last element-wise step. Composite ops (ffn, gated_ffn) are rewritten into
// the xfmr ops they consist of, which the same conversion then lowers.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "xfmr/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::xfmr;

namespace {

/// Identity map of `rank` dims, and the map keeping only some of them.
AffineMap identityMap(MLIRContext *ctx, int64_t rank) {
  return AffineMap::getMultiDimIdentityMap(rank, ctx);
}
AffineMap leadingDimsMap(MLIRContext *ctx, int64_t rank) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank - 1; ++i)
    exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}
AffineMap lastDimMap(MLIRContext *ctx, int64_t rank) {
  return AffineMap::get(rank, 0, {getAffineDimExpr(rank - 1, ctx)}, ctx);
}

SmallVector<utils::IteratorType> reductionOverLast(int64_t rank) {
  SmallVector<utils::IteratorType> it(rank, utils::IteratorType::parallel);
  it.back() = utils::IteratorType::reduction;
  return it;
}

Type elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

struct LinearLowering : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elt = resultType.getElementType();
    Value x2d = collapseToMatrix(rw, loc, op.getX());
    Value acc = buildMatmulTransposeB(rw, loc, x2d, op.getW());
    Value out2d = acc;
    // Epilogue: bias and conversion to the storage type in one pass.
    if (op.getB() || !elt.isF32()) {
      SmallVector<Value> inputs = {acc};
      SmallVector<AffineMap> maps = {identityMap(ctx, 2)};
      if (op.getB()) {
        inputs.push_back(op.getB());
        maps.push_back(lastDimMap(ctx, 2));
      }
      Value init = emptyTensor(rw, loc, getSizes(rw, loc, acc), elt);
      bool hasBias = static_cast<bool>(op.getB());
      out2d = buildElementwise(rw, loc, inputs, maps, init,
                               [&](OpBuilder &b, Location l, ValueRange args) {
                                 Value v = args[0];
                                 if (hasBias)
                                   v = arith::AddFOp::create(
                                       b, l, v, toF32(b, l, args[1]));
                                 return fromF32(b, l, v, elt);
                               });
    }
    Value result = expandFromMatrix(rw, loc, out2d, op.getX());
    rw.replaceOp(op, castIfNeeded(rw, loc, result, resultType));
    return success();
  }
};

struct ActivationLowering : OpRewritePattern<ActivationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ActivationOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op.getX();
    Type elt = elementTypeOf(x);
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    ActivationKind kind = op.getKind();
    Value init = emptyTensor(rw, loc, getSizes(rw, loc, x), elt);
    Value result = buildElementwise(
        rw, loc, {x}, {identityMap(rw.getContext(), rank)}, init,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value v = buildActivation(b, l, kind, toF32(b, l, args[0]));
          return fromF32(b, l, v, elt);
        });
    rw.replaceOp(op, result);
    return success();
  }
};

/// `act(gate) ⊙ up` element-wise over two tensors of the same shape.
Value buildGated(OpBuilder &b, Location loc, ActivationKind kind, Value gate,
                 Value up) {
  Type elt = elementTypeOf(gate);
  int64_t rank = cast<RankedTensorType>(gate.getType()).getRank();
  AffineMap id = identityMap(b.getContext(), rank);
  Value init = emptyTensor(b, loc, getSizes(b, loc, gate), elt);
  return buildElementwise(
      b, loc, {gate, up}, {id, id}, init,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value g = buildActivation(nb, l, kind, toF32(nb, l, args[0]));
        Value v = arith::MulFOp::create(nb, l, g, toF32(nb, l, args[1]));
        return fromF32(nb, l, v, elt);
      });
}

struct GatedActivationLowering : OpRewritePattern<GatedActivationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatedActivationOp op,
                                PatternRewriter &rw) const override {
    Value result =
        buildGated(rw, op.getLoc(), op.getKind(), op.getGate(), op.getUp());
    rw.replaceOp(op, castIfNeeded(rw, op.getLoc(), result, op.getType()));
    return success();
  }
};

struct GluLowering : OpRewritePattern<GluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GluOp op, PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value gu = op.getGu();
    auto type = cast<RankedTensorType>(gu.getType());
    int64_t rank = type.getRank();
    SmallVector<OpFoldResult> sizes = getSizes(rw, loc, gu);
    OpFoldResult half;
    if (type.isDynamicDim(rank - 1)) {
      Value full = tensor::DimOp::create(rw, loc, gu, rank - 1);
      half = arith::DivUIOp::create(rw, loc, full, indexConst(rw, loc, 2))
                 .getResult();
    } else {
      half = rw.getIndexAttr(type.getDimSize(rank - 1) / 2);
    }
    sizes.back() = half;
    SmallVector<OpFoldResult> zeros(rank, rw.getIndexAttr(0));
    SmallVector<OpFoldResult> upOffsets = zeros;
    upOffsets.back() = half;
    SmallVector<OpFoldResult> strides(rank, rw.getIndexAttr(1));
    Value gate =
        tensor::ExtractSliceOp::create(rw, loc, gu, zeros, sizes, strides);
    Value up =
        tensor::ExtractSliceOp::create(rw, loc, gu, upOffsets, sizes, strides);
    Value result = buildGated(rw, loc, op.getKind(), gate, up);
    rw.replaceOp(op, castIfNeeded(rw, loc, result, op.getType()));
    return success();
  }
};

struct FfnLowering : OpRewritePattern<FfnOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FfnOp op, PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value h = LinearOp::create(rw, loc, op.getX(), op.getWUp(), op.getBUp());
    h = ActivationOp::create(rw, loc, op.getActivationAttr(), h);
    Value y = LinearOp::create(rw, loc, h, op.getWDown(), op.getBDown());
    rw.replaceOp(op, castIfNeeded(rw, loc, y, op.getType()));
    return success();
  }
};

struct GatedFfnLowering : OpRewritePattern<GatedFfnOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatedFfnOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value g = LinearOp::create(rw, loc, op.getX(), op.getWGate(), Value());
    Value u = LinearOp::create(rw, loc, op.getX(), op.getWUp(), Value());
    Value h = GatedActivationOp::create(rw, loc, op.getActivationAttr(), g, u);
    Value y = LinearOp::create(rw, loc, h, op.getWDown(), Value());
    rw.replaceOp(op, castIfNeeded(rw, loc, y, op.getType()));
    return success();
  }
};

/// Per-row statistic `[...]` of `x[..., D]`: Σ_d f(x, row inputs).
Value buildRowSum(
    OpBuilder &b, Location loc, Value x, ValueRange rowInputs,
    function_ref<Value(OpBuilder &, Location, Value, ValueRange)> term) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  SmallVector<OpFoldResult> rowSizes = getSizes(b, loc, x);
  rowSizes.pop_back();
  Value init =
      filledTensor(b, loc, rowSizes, floatConst(b, loc, b.getF32Type(), 0.0));
  SmallVector<Value> inputs = {x};
  llvm::append_range(inputs, rowInputs);
  SmallVector<AffineMap> maps = {identityMap(ctx, rank)};
  for (size_t i = 0; i < rowInputs.size(); ++i)
    maps.push_back(leadingDimsMap(ctx, rank));
  maps.push_back(leadingDimsMap(ctx, rank));
  return buildGeneric(
      b, loc, inputs, maps, reductionOverLast(rank), init,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value v = toF32(nb, l, args[0]);
        Value t = term(nb, l, v, args.drop_front().drop_back());
        return arith::AddFOp::create(nb, l, args.back(), t).getResult();
      });
}

/// Element-wise over the rows `[...]` of a statistic.
Value mapRows(OpBuilder &b, Location loc, Value rows,
              function_ref<Value(OpBuilder &, Location, Value)> fn) {
  int64_t rank = cast<RankedTensorType>(rows.getType()).getRank();
  Value init = emptyTensor(b, loc, getSizes(b, loc, rows), b.getF32Type());
  return buildElementwise(b, loc, {rows}, {identityMap(b.getContext(), rank)},
                          init,
                          [&](OpBuilder &nb, Location l, ValueRange args) {
                            return fn(nb, l, args[0]);
                          });
}

/// `1 / sqrt(s / D + eps)` for every row sum `s`.
Value buildInverseRoot(OpBuilder &b, Location loc, Value sums, Value x,
                       double epsilon) {
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  Value d = indexToF32(b, loc, tensor::DimOp::create(b, loc, x, rank - 1));
  Value eps = floatConst(b, loc, b.getF32Type(), epsilon);
  Value one = floatConst(b, loc, b.getF32Type(), 1.0);
  return mapRows(b, loc, sums, [&](OpBuilder &nb, Location l, Value s) {
    Value mean = arith::DivFOp::create(nb, l, s, d);
    Value root =
        math::SqrtOp::create(nb, l, arith::AddFOp::create(nb, l, mean, eps));
    return arith::DivFOp::create(nb, l, one, root).getResult();
  });
}

struct RmsNormLowering : OpRewritePattern<RmsNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RmsNormOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    Value x = op.getX();
    Type elt = elementTypeOf(x);
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    Value sumSq = buildRowSum(
        rw, loc, x, {}, [](OpBuilder &b, Location l, Value v, ValueRange) {
          return arith::MulFOp::create(b, l, v, v).getResult();
        });
    Value invRms =
        buildInverseRoot(rw, loc, sumSq, x, op.getEpsilon().convertToDouble());
    Value init = emptyTensor(rw, loc, getSizes(rw, loc, x), elt);
    Value result = buildElementwise(
        rw, loc, {x, invRms, op.getWeight()},
        {identityMap(ctx, rank), leadingDimsMap(ctx, rank),
         lastDimMap(ctx, rank)},
        init, [&](OpBuilder &b, Location l, ValueRange args) {
          Value v = arith::MulFOp::create(b, l, toF32(b, l, args[0]), args[1]);
          v = arith::MulFOp::create(b, l, v, toF32(b, l, args[2]));
          return fromF32(b, l, v, elt);
        });
    rw.replaceOp(op, result);
    return success();
  }
};

struct LayerNormLowering : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    Value x = op.getX();
    Type elt = elementTypeOf(x);
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    Value d = indexToF32(rw, loc, tensor::DimOp::create(rw, loc, x, rank - 1));
    Value sums = buildRowSum(
        rw, loc, x, {},
        [](OpBuilder &, Location, Value v, ValueRange) { return v; });
    Value means =
        mapRows(rw, loc, sums, [&](OpBuilder &b, Location l, Value s) {
          return arith::DivFOp::create(b, l, s, d).getResult();
        });
    // Two passes (mean, then squared deviations) keep the variance accurate
    // when the mean is large compared to the spread.
    Value sqDev =
        buildRowSum(rw, loc, x, {means},
                    [](OpBuilder &b, Location l, Value v, ValueRange row) {
                      Value c = arith::SubFOp::create(b, l, v, row[0]);
                      return arith::MulFOp::create(b, l, c, c).getResult();
                    });
    Value invStd =
        buildInverseRoot(rw, loc, sqDev, x, op.getEpsilon().convertToDouble());
    Value init = emptyTensor(rw, loc, getSizes(rw, loc, x), elt);
    Value result = buildElementwise(
        rw, loc, {x, means, invStd, op.getWeight(), op.getBias()},
        {identityMap(ctx, rank), leadingDimsMap(ctx, rank),
         leadingDimsMap(ctx, rank), lastDimMap(ctx, rank),
         lastDimMap(ctx, rank)},
        init, [&](OpBuilder &b, Location l, ValueRange args) {
          Value v = arith::SubFOp::create(b, l, toF32(b, l, args[0]), args[1]);
          v = arith::MulFOp::create(b, l, v, args[2]);
          v = arith::MulFOp::create(b, l, v, toF32(b, l, args[3]));
          v = arith::AddFOp::create(b, l, v, toF32(b, l, args[4]));
          return fromF32(b, l, v, elt);
        });
    rw.replaceOp(op, result);
    return success();
  }
};

struct RopeLowering : OpRewritePattern<RopeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RopeOp op, PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    Value x = op.getX();
    Value pos = op.getPositions();
    Type elt = elementTypeOf(x);
    Type f32 = rw.getF32Type();
    Type f64 = rw.getF64Type();
    auto xType = cast<RankedTensorType>(x.getType());
    int64_t rank = xType.getRank();
    int64_t posRank = cast<RankedTensorType>(pos.getType()).getRank();

    // rd = rotary_dim (or Dh); pairs are (i, i + rd/2).
    Value half;
    if (auto rd = op.getRotaryDimAttr())
      half = indexConst(rw, loc, rd.getInt() / 2);
    else
      half = arith::DivUIOp::create(rw, loc,
                                    tensor::DimOp::create(rw, loc, x, rank - 1),
                                    indexConst(rw, loc, 2));
    Value rotEnd = arith::MulIOp::create(rw, loc, half, indexConst(rw, loc, 2));

    // cos/sin tables [positions..., rd/2]. Angles are formed in f64: an f32
    // product of a position in the thousands and a frequency loses ~1e-4 rad.
    SmallVector<OpFoldResult> tableSizes = getSizes(rw, loc, pos);
    tableSizes.push_back(getAsOpFoldResult(half));
    double logTheta = std::log(op.getTheta().convertToDouble());
    Value rdF64 = arith::SIToFPOp::create(
        rw, loc, f64,
        arith::IndexCastOp::create(rw, loc, rw.getI64Type(), rotEnd));
    auto buildTable = [&](bool isCos) {
      Value init = emptyTensor(rw, loc, tableSizes, f32);
      SmallVector<AffineExpr> posExprs;
      for (int64_t i = 0; i < posRank; ++i)
        posExprs.push_back(getAffineDimExpr(i, ctx));
      return buildElementwise(
          rw, loc, {pos}, {AffineMap::get(posRank + 1, 0, posExprs, ctx)}, init,
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value i = linalg::IndexOp::create(b, l, posRank);
            Value i64 = arith::IndexCastOp::create(b, l, b.getI64Type(), i);
            Value twoI = arith::MulFOp::create(
                b, l, arith::SIToFPOp::create(b, l, f64, i64),
                floatConst(b, l, f64, 2.0));
            Value exponent = arith::DivFOp::create(b, l, twoI, rdF64);
            // inv_freq = theta^(-2i/rd)
            Value invFreq = math::ExpOp::create(
                b, l,
                arith::MulFOp::create(b, l, exponent,
                                      floatConst(b, l, f64, -logTheta)));
            Value p = arith::SIToFPOp::create(b, l, f64, args[0]);
            Value angle = arith::MulFOp::create(b, l, p, invFreq);
            Value r = isCos ? math::CosOp::create(b, l, angle).getResult()
                            : math::SinOp::create(b, l, angle).getResult();
            return arith::TruncFOp::create(b, l, f32, r).getResult();
          });
    };
    Value cosTable = buildTable(true);
    Value sinTable = buildTable(false);

    Value init = emptyTensor(rw, loc, getSizes(rw, loc, x), elt);
    int64_t tDim = rank - 3;
    Value result = buildElementwise(
        rw, loc, {x}, {identityMap(ctx, rank)}, init,
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> idx;
          for (int64_t i = 0; i < rank; ++i)
            idx.push_back(linalg::IndexOp::create(b, l, i));
          Value d = idx.back();
          Value zero = indexConst(b, l, 0);
          Value inRot =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, d, rotEnd);
          Value firstHalf =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, d, half);
          Value freqIdx = arith::SelectOp::create(
              b, l, firstHalf, d, arith::SubIOp::create(b, l, d, half));
          Value partner = arith::SelectOp::create(
              b, l, firstHalf, arith::AddIOp::create(b, l, d, half),
              arith::SubIOp::create(b, l, d, half));
          // Dimensions past rotary_dim read in-bounds dummies and pass x
          // through below.
          freqIdx = arith::SelectOp::create(b, l, inRot, freqIdx, zero);
          partner = arith::SelectOp::create(b, l, inRot, partner, d);
          SmallVector<Value> partnerIdx(idx);
          partnerIdx.back() = partner;
          Value xp =
              toF32(b, l, tensor::ExtractOp::create(b, l, x, partnerIdx));
          SmallVector<Value> tableIdx;
          if (posRank == 2)
            tableIdx.push_back(idx[0]);
          tableIdx.push_back(idx[tDim]);
          tableIdx.push_back(freqIdx);
          Value c = tensor::ExtractOp::create(b, l, cosTable, tableIdx);
          Value s = tensor::ExtractOp::create(b, l, sinTable, tableIdx);
          Value xv = toF32(b, l, args[0]);
          Value xc = arith::MulFOp::create(b, l, xv, c);
          Value ps = arith::MulFOp::create(b, l, xp, s);
          Value rotated = arith::SelectOp::create(
              b, l, firstHalf, arith::SubFOp::create(b, l, xc, ps),
              arith::AddFOp::create(b, l, xc, ps));
          Value v = arith::SelectOp::create(b, l, inRot, rotated, xv);
          return fromF32(b, l, v, elt);
        });
    rw.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::xfmr::populatePositionWiseToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LinearLowering, ActivationLowering, GatedActivationLowering,
               GluLowering, FfnLowering, GatedFfnLowering, RmsNormLowering,
               LayerNormLowering, RopeLowering>(patterns.getContext());
}
