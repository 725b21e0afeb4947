//===- ExpertDispatch.cpp - lowering of the MoE dispatch ops --------------===//
//
// topk_router, dispatch, grouped_gated_ffn, grouped_glu_ffn and combine. The
// data-dependent parts (top-k selection, the counting sort, the per-expert
// segments) are scf loops over tensors; the dense parts (scoring, gathers,
// the expert FFNs, the weighted sum) are linalg. Work is proportional to
// T·k (plus E per token for the router and E for the histogram), never to
// T·E·F.
//
// Index operands are data: an expert id outside [0, E), an order entry
// outside [0, T·k) or offsets that are not monotone are skipped or clamped so
// that no access leaves its buffer; the rows they would have produced are 0.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "xfmr/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

using namespace mlir;
using namespace mlir::xfmr;

namespace {

Value i32Const(OpBuilder &b, Location loc, int32_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
}

Value toIndex(OpBuilder &b, Location loc, Value i32) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), i32);
}

Value toI32(OpBuilder &b, Location loc, Value index) {
  return arith::IndexCastOp::create(b, loc, b.getI32Type(), index);
}

/// lo <= v < hi on signed indices.
Value inRange(OpBuilder &b, Location loc, Value v, Value lo, Value hi) {
  Value ge = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, v, lo);
  Value lt = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, v, hi);
  return arith::AndIOp::create(b, loc, ge, lt);
}

Value clampIndex(OpBuilder &b, Location loc, Value v, Value lo, Value hi) {
  Value r = arith::MaxSIOp::create(b, loc, v, lo);
  return arith::MinSIOp::create(b, loc, r, hi);
}

/// scores[T, E] in f32: softmax or sigmoid of the logits.
Value buildScores(OpBuilder &b, Location loc, Value logits,
                  ScoringKind scoring) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, logits);
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  if (scoring == ScoringKind::sigmoid) {
    return buildElementwise(
        b, loc, {logits}, {id}, emptyTensor(b, loc, sizes, f32),
        [&](OpBuilder &nb, Location l, ValueRange args) {
          return buildActivation(nb, l, ActivationKind::sigmoid,
                                 toF32(nb, l, args[0]));
        });
  }
  AffineMap rowMap = dimsMap(ctx, 2, {0});
  SmallVector<utils::IteratorType> rowReduction = {
      utils::IteratorType::parallel, utils::IteratorType::reduction};
  SmallVector<OpFoldResult> rowSizes = {sizes[0]};
  Value negInf =
      floatConst(b, loc, f32, -std::numeric_limits<double>::infinity());
  Value rowMax = buildGeneric(
      b, loc, {logits}, {id, rowMap}, rowReduction,
      filledTensor(b, loc, rowSizes, negInf),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        return arith::MaxNumFOp::create(nb, l, args[1], toF32(nb, l, args[0]))
            .getResult();
      });
  Value exps = buildElementwise(
      b, loc, {logits, rowMax}, {id, rowMap}, emptyTensor(b, loc, sizes, f32),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        return math::ExpOp::create(
                   nb, l,
                   arith::SubFOp::create(nb, l, toF32(nb, l, args[0]), args[1]))
            .getResult();
      });
  Value rowSum = buildGeneric(
      b, loc, {exps}, {id, rowMap}, rowReduction,
      filledTensor(b, loc, rowSizes, floatConst(b, loc, f32, 0.0)),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        return arith::AddFOp::create(nb, l, args[1], args[0]).getResult();
      });
  return buildElementwise(
      b, loc, {exps, rowSum}, {id, rowMap}, emptyTensor(b, loc, sizes, f32),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        return arith::DivFOp::create(nb, l, args[0], args[1]).getResult();
      });
}

struct TopkRouterLowering : OpRewritePattern<TopkRouterOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TopkRouterOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    Type f32 = rw.getF32Type();
    Value logits = op.getLogits();
    int64_t k = op.getTopKAttr().getInt();
    Value scores = buildScores(rw, loc, logits, op.getScoring());

    Value t = tensor::DimOp::create(rw, loc, logits, 0);
    Value e = tensor::DimOp::create(rw, loc, logits, 1);
    SmallVector<OpFoldResult> outSizes = {getAsOpFoldResult(t),
                                          rw.getIndexAttr(k)};
    auto wType = cast<RankedTensorType>(op.getWeights().getType());
    if (!wType.isDynamicDim(0))
      outSizes[0] = rw.getIndexAttr(wType.getDimSize(0));
    Value weights0 = emptyTensor(rw, loc, outSizes, f32);
    Value experts0 = emptyTensor(rw, loc, outSizes, rw.getI32Type());

    Value c0 = indexConst(rw, loc, 0);
    Value c1 = indexConst(rw, loc, 1);
    Value cK = indexConst(rw, loc, k);
    Value none = indexConst(rw, loc, -1);
    Value posInf =
        floatConst(rw, loc, f32, std::numeric_limits<double>::infinity());
    Value negInf =
        floatConst(rw, loc, f32, -std::numeric_limits<double>::infinity());

    // Selection in the total order (score descending, expert ascending): the
    // j-th pick is the best entry strictly after the (j-1)-th in that order,
    // so ties go to the lower expert index and no "taken" mask is needed.
    // NaN scores rank as -inf so that k distinct experts are always chosen.
    auto tokenLoop = scf::ForOp::create(
        rw, loc, c0, t, c1, ValueRange{weights0, experts0},
        [&](OpBuilder &b, Location l, Value tok, ValueRange acc) {
          auto slotLoop = scf::ForOp::create(
              b, l, c0, cK, c1, ValueRange{acc[0], acc[1], posInf, none},
              [&](OpBuilder &b2, Location l2, Value slot, ValueRange st) {
                Value prevV = st[2], prevI = st[3];
                auto scan = scf::ForOp::create(
                    b2, l2, c0, e, c1, ValueRange{negInf, none},
                    [&](OpBuilder &b3, Location l3, Value ex, ValueRange best) {
                      Value v = tensor::ExtractOp::create(b3, l3, scores,
                                                          ValueRange{tok, ex});
                      Value isNan = arith::CmpFOp::create(
                          b3, l3, arith::CmpFPredicate::UNO, v, v);
                      v = arith::SelectOp::create(b3, l3, isNan, negInf, v);
                      Value below = arith::CmpFOp::create(
                          b3, l3, arith::CmpFPredicate::OLT, v, prevV);
                      Value tie = arith::AndIOp::create(
                          b3, l3,
                          arith::CmpFOp::create(
                              b3, l3, arith::CmpFPredicate::OEQ, v, prevV),
                          arith::CmpIOp::create(
                              b3, l3, arith::CmpIPredicate::sgt, ex, prevI));
                      Value eligible = arith::OrIOp::create(b3, l3, below, tie);
                      Value first = arith::CmpIOp::create(
                          b3, l3, arith::CmpIPredicate::eq, best[1], none);
                      Value greater = arith::CmpFOp::create(
                          b3, l3, arith::CmpFPredicate::OGT, v, best[0]);
                      Value better =
                          arith::OrIOp::create(b3, l3, first, greater);
                      Value take =
                          arith::AndIOp::create(b3, l3, eligible, better);
                      Value nv =
                          arith::SelectOp::create(b3, l3, take, v, best[0]);
                      Value ni =
                          arith::SelectOp::create(b3, l3, take, ex, best[1]);
                      scf::YieldOp::create(b3, l3, ValueRange{nv, ni});
                    });
                Value bestV = scan.getResult(0), bestI = scan.getResult(1);
                Value w = tensor::InsertOp::create(b2, l2, bestV, st[0],
                                                   ValueRange{tok, slot});
                Value x = tensor::InsertOp::create(
                    b2, l2, toI32(b2, l2, bestI), st[1], ValueRange{tok, slot});
                scf::YieldOp::create(b2, l2, ValueRange{w, x, bestV, bestI});
              });
          scf::YieldOp::create(
              b, l, ValueRange{slotLoop.getResult(0), slotLoop.getResult(1)});
        });
    Value weights = tokenLoop.getResult(0);
    Value experts = tokenLoop.getResult(1);

    if (op.getNormalizeTopk()) {
      AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
      AffineMap rowMap = dimsMap(ctx, 2, {0});
      Value zero = floatConst(rw, loc, f32, 0.0);
      Value sums = buildGeneric(
          rw, loc, {weights}, {id, rowMap},
          {utils::IteratorType::parallel, utils::IteratorType::reduction},
          filledTensor(rw, loc, {outSizes[0]}, zero),
          [&](OpBuilder &b, Location l, ValueRange args) {
            return arith::AddFOp::create(b, l, args[1], args[0]).getResult();
          });
      weights = buildElementwise(
          rw, loc, {weights, sums}, {id, rowMap},
          emptyTensor(rw, loc, outSizes, f32),
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value isZero = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::OEQ, args[1], zero);
            Value q = arith::DivFOp::create(b, l, args[0], args[1]);
            return arith::SelectOp::create(b, l, isZero, args[0], q)
                .getResult();
          });
    }
    rw.replaceOp(op,
                 {castIfNeeded(rw, loc, weights, op.getWeights().getType()),
                  castIfNeeded(rw, loc, experts, op.getExperts().getType())});
    return success();
  }
};

struct DispatchLowering : OpRewritePattern<DispatchOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DispatchOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    Value x = op.getX();
    Value experts = op.getExperts();
    int64_t numExperts = op.getNumExpertsAttr().getInt();
    Type i32 = rw.getI32Type();
    Type elt = cast<RankedTensorType>(x.getType()).getElementType();

    Value c0 = indexConst(rw, loc, 0);
    Value c1 = indexConst(rw, loc, 1);
    Value cE = indexConst(rw, loc, numExperts);
    Value t = tensor::DimOp::create(rw, loc, experts, 0);
    Value k = tensor::DimOp::create(rw, loc, experts, 1);
    Value rows = arith::MulIOp::create(rw, loc, t, k);

    // The expert of flat slot r = t·k + j, and whether it is a valid id.
    auto expertOf = [&](OpBuilder &b, Location l, Value r) {
      Value tok = arith::DivUIOp::create(b, l, r, k);
      Value slot = arith::RemUIOp::create(b, l, r, k);
      Value ex = toIndex(
          b, l,
          tensor::ExtractOp::create(b, l, experts, ValueRange{tok, slot}));
      return std::make_pair(ex, inRange(b, l, ex, c0, cE));
    };

    // Histogram of the admitted (token, slot) pairs. Dropless, every pair
    // with a valid expert id is admitted. With a capacity C, pairs are
    // admitted slot-major (all tokens' slot 0 in token order, then slot 1,
    // ...) while their expert holds fewer than C, and `keep` records which.
    Value counts0 = filledTensor(rw, loc, {rw.getIndexAttr(numExperts)},
                                 i32Const(rw, loc, 0));
    Value counts, keep;
    if (FloatAttr factor = op.getCapacityFactorAttr()) {
      // C = ceil(k * T / E * capacity_factor), computed in f64.
      Type f64 = rw.getF64Type();
      Value slotsF = arith::SIToFPOp::create(
          rw, loc, f64,
          arith::IndexCastOp::create(rw, loc, rw.getI64Type(), rows));
      Value capF = arith::MulFOp::create(
          rw, loc,
          arith::DivFOp::create(rw, loc, slotsF,
                                floatConst(rw, loc, f64, double(numExperts))),
          floatConst(rw, loc, f64, factor.getValueAsDouble()));
      capF = math::CeilOp::create(rw, loc, capF);
      Value capacity = arith::FPToSIOp::create(rw, loc, i32, capF);
      Value keep0 = filledTensor(rw, loc, {getAsOpFoldResult(rows)},
                                 i32Const(rw, loc, 0));
      auto slotLoop = scf::ForOp::create(
          rw, loc, c0, k, c1, ValueRange{counts0, keep0},
          [&](OpBuilder &b, Location l, Value slot, ValueRange acc) {
            auto tokenLoop = scf::ForOp::create(
                b, l, c0, t, c1, acc,
                [&](OpBuilder &b2, Location l2, Value tok, ValueRange acc2) {
                  Value r = arith::AddIOp::create(
                      b2, l2, arith::MulIOp::create(b2, l2, tok, k), slot);
                  auto slotExpert = expertOf(b2, l2, r);
                  Value ex = slotExpert.first, valid = slotExpert.second;
                  Value safeEx = arith::SelectOp::create(b2, l2, valid, ex, c0);
                  Value held =
                      tensor::ExtractOp::create(b2, l2, acc2[0], safeEx);
                  Value room = arith::CmpIOp::create(
                      b2, l2, arith::CmpIPredicate::slt, held, capacity);
                  Value admit = arith::AndIOp::create(b2, l2, valid, room);
                  auto ifOp = scf::IfOp::create(
                      b2, l2, admit,
                      [&](OpBuilder &tb, Location tl) {
                        Value n = arith::AddIOp::create(tb, tl, held,
                                                        i32Const(tb, tl, 1));
                        Value cnt =
                            tensor::InsertOp::create(tb, tl, n, acc2[0], ex);
                        Value kept = tensor::InsertOp::create(
                            tb, tl, i32Const(tb, tl, 1), acc2[1], r);
                        scf::YieldOp::create(tb, tl, ValueRange{cnt, kept});
                      },
                      [&](OpBuilder &eb, Location el) {
                        scf::YieldOp::create(eb, el, acc2);
                      });
                  scf::YieldOp::create(b2, l2, ifOp.getResults());
                });
            scf::YieldOp::create(b, l, tokenLoop.getResults());
          });
      counts = slotLoop.getResult(0);
      keep = slotLoop.getResult(1);
    } else {
      auto histogram = scf::ForOp::create(
          rw, loc, c0, rows, c1, ValueRange{counts0},
          [&](OpBuilder &b, Location l, Value r, ValueRange acc) {
            auto slotExpert = expertOf(b, l, r);
            Value ex = slotExpert.first, valid = slotExpert.second;
            auto ifOp = scf::IfOp::create(
                b, l, valid,
                [&](OpBuilder &tb, Location tl) {
                  Value c = tensor::ExtractOp::create(tb, tl, acc[0], ex);
                  c = arith::AddIOp::create(tb, tl, c, i32Const(tb, tl, 1));
                  scf::YieldOp::create(tb, tl,
                                       ValueRange{tensor::InsertOp::create(
                                           tb, tl, c, acc[0], ex)});
                },
                [&](OpBuilder &eb, Location el) {
                  scf::YieldOp::create(eb, el, acc[0]);
                });
            scf::YieldOp::create(b, l, ifOp.getResults());
          });
      counts = histogram.getResult(0);
    }

    // Exclusive prefix sum: offsets[0] = 0, offsets[e+1] = offsets[e] + n_e.
    Value offsets0 = filledTensor(rw, loc, {rw.getIndexAttr(numExperts + 1)},
                                  i32Const(rw, loc, 0));
    auto scan = scf::ForOp::create(
        rw, loc, c0, cE, c1, ValueRange{offsets0},
        [&](OpBuilder &b, Location l, Value ex, ValueRange acc) {
          Value base = tensor::ExtractOp::create(b, l, acc[0], ex);
          Value n = tensor::ExtractOp::create(b, l, counts, ex);
          Value next = arith::AddIOp::create(b, l, ex, c1);
          Value sum = arith::AddIOp::create(b, l, base, n);
          scf::YieldOp::create(b, l,
                               ValueRange{tensor::InsertOp::create(
                                   b, l, sum, acc[0], ValueRange{next})});
        });
    Value offsets = scan.getResult(0);

    // Stable scatter of the admitted pairs in token-major order:
    // order[cursor[e]++] = r.
    Value order0 =
        filledTensor(rw, loc, {getAsOpFoldResult(rows)}, i32Const(rw, loc, -1));
    auto scatter = scf::ForOp::create(
        rw, loc, c0, rows, c1, ValueRange{order0, offsets},
        [&](OpBuilder &b, Location l, Value r, ValueRange acc) {
          auto slotExpert = expertOf(b, l, r);
          Value ex = slotExpert.first, valid = slotExpert.second;
          if (keep) {
            Value kept = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::ne,
                tensor::ExtractOp::create(b, l, keep, r), i32Const(b, l, 0));
            valid = arith::AndIOp::create(b, l, valid, kept);
          }
          auto ifOp = scf::IfOp::create(
              b, l, valid,
              [&](OpBuilder &tb, Location tl) {
                Value pos = tensor::ExtractOp::create(tb, tl, acc[1], ex);
                Value order =
                    tensor::InsertOp::create(tb, tl, toI32(tb, tl, r), acc[0],
                                             ValueRange{toIndex(tb, tl, pos)});
                Value bumped =
                    arith::AddIOp::create(tb, tl, pos, i32Const(tb, tl, 1));
                Value cursor =
                    tensor::InsertOp::create(tb, tl, bumped, acc[1], ex);
                scf::YieldOp::create(tb, tl, ValueRange{order, cursor});
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, acc);
              });
          scf::YieldOp::create(b, l, ifOp.getResults());
        });
    Value order = scatter.getResult(0);

    // sorted_x[r, :] = x[order[r] / k, :]
    Value d = tensor::DimOp::create(rw, loc, x, 1);
    SmallVector<OpFoldResult> sortedSizes = {getAsOpFoldResult(rows),
                                             getAsOpFoldResult(d)};
    auto xType = cast<RankedTensorType>(x.getType());
    if (!xType.isDynamicDim(1))
      sortedSizes[1] = rw.getIndexAttr(xType.getDimSize(1));
    Value zero = floatConst(rw, loc, elt, 0.0);
    Value sorted = buildElementwise(
        rw, loc, {order}, {dimsMap(ctx, 2, {0})},
        emptyTensor(rw, loc, sortedSizes, elt),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value src = toIndex(b, l, args[0]);
          Value valid =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, src, c0);
          Value tok = arith::DivUIOp::create(
              b, l, arith::SelectOp::create(b, l, valid, src, c0), k);
          Value col = linalg::IndexOp::create(b, l, 1);
          Value v = tensor::ExtractOp::create(b, l, x, ValueRange{tok, col});
          return arith::SelectOp::create(b, l, valid, v, zero).getResult();
        });

    rw.replaceOp(op, {castIfNeeded(rw, loc, sorted, op.getSortedX().getType()),
                      castIfNeeded(rw, loc, offsets, op.getOffsets().getType()),
                      castIfNeeded(rw, loc, order, op.getOrder().getType())});
    return success();
  }
};

/// The expert FFN of one non-empty segment: `ex` is the expert, `seg` its
/// rows of sorted_x.
using ExpertBody =
    llvm::function_ref<Value(OpBuilder &, Location, Value ex, Value seg)>;

/// The loop over experts shared by both grouped FFN forms: rows
/// offsets[e] ..< offsets[e+1] of `x` go through `body`, empty segments do
/// no work, and rows outside every segment stay 0.
Value buildGroupedFfn(PatternRewriter &rw, Location loc, Value x, Value offsets,
                      Value stackedWeight, ExpertBody body) {
  auto xType = cast<RankedTensorType>(x.getType());
  Type elt = xType.getElementType();
  Value c0 = indexConst(rw, loc, 0);
  Value c1 = indexConst(rw, loc, 1);
  Value rows = tensor::DimOp::create(rw, loc, x, 0);
  Value numExperts = tensor::DimOp::create(rw, loc, stackedWeight, 0);
  SmallVector<OpFoldResult> outSizes = getSizes(rw, loc, x);
  Value out0 = filledTensor(rw, loc, outSizes, floatConst(rw, loc, elt, 0.0));

  auto loop = scf::ForOp::create(
      rw, loc, c0, numExperts, c1, ValueRange{out0},
      [&](OpBuilder &b, Location l, Value ex, ValueRange acc) {
        Value start = toIndex(
            b, l, tensor::ExtractOp::create(b, l, offsets, ValueRange{ex}));
        Value end =
            toIndex(b, l,
                    tensor::ExtractOp::create(
                        b, l, offsets,
                        ValueRange{arith::AddIOp::create(b, l, ex, c1)}));
        start = clampIndex(b, l, start, c0, rows);
        end = clampIndex(b, l, end, start, rows);
        Value n = arith::SubIOp::create(b, l, end, start);
        Value nonEmpty =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, n, c0);
        auto ifOp = scf::IfOp::create(
            b, l, nonEmpty,
            [&](OpBuilder &tb, Location tl) {
              SmallVector<OpFoldResult> offs = {start, tb.getIndexAttr(0)};
              SmallVector<OpFoldResult> sizes = {n, outSizes[1]};
              SmallVector<OpFoldResult> strides(2, tb.getIndexAttr(1));
              Value seg = tensor::ExtractSliceOp::create(tb, tl, x, offs, sizes,
                                                         strides);
              Value y = body(tb, tl, ex, seg);
              Value updated = tensor::InsertSliceOp::create(
                  tb, tl, y, acc[0], offs, sizes, strides);
              scf::YieldOp::create(tb, tl, updated);
            },
            [&](OpBuilder &eb, Location el) {
              scf::YieldOp::create(eb, el, acc[0]);
            });
        scf::YieldOp::create(b, l, ifOp.getResults());
      });
  return loop.getResult(0);
}

/// Each segment through its expert's xfmr.gated_ffn on slices of the stacked
/// weights.
struct GroupedGatedFfnLowering : OpRewritePattern<GroupedGatedFfnOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GroupedGatedFfnOp op,
                                PatternRewriter &rw) const override {
    ActivationKindAttr act = op.getActivationAttr();
    Value y = buildGroupedFfn(
        rw, op.getLoc(), op.getSortedX(), op.getOffsets(), op.getWGate(),
        [&](OpBuilder &b, Location l, Value ex, Value seg) -> Value {
          Value wg = extractExpertSlice(b, l, op.getWGate(), ex);
          Value wu = extractExpertSlice(b, l, op.getWUp(), ex);
          Value wd = extractExpertSlice(b, l, op.getWDown(), ex);
          return GatedFfnOp::create(b, l, act, seg, wg, wu, wd);
        });
    rw.replaceOp(op, castIfNeeded(rw, op.getLoc(), y, op.getType()));
    return success();
  }
};

/// Each segment through one projection over its expert's [2F, D] slice of
/// the stacked gate/up weight, xfmr.glu, and the down projection: the form
/// whose projections xfmr-pack-weights packs once and fuses with the gating.
struct GroupedGluFfnLowering : OpRewritePattern<GroupedGluFfnOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GroupedGluFfnOp op,
                                PatternRewriter &rw) const override {
    ActivationKindAttr act = op.getActivationAttr();
    Value y = buildGroupedFfn(
        rw, op.getLoc(), op.getSortedX(), op.getOffsets(), op.getWGateUp(),
        [&](OpBuilder &b, Location l, Value ex, Value seg) -> Value {
          Value wgu = extractExpertSlice(b, l, op.getWGateUp(), ex);
          Value wd = extractExpertSlice(b, l, op.getWDown(), ex);
          Value gu = LinearOp::create(b, l, seg, wgu, Value());
          Value h = GluOp::create(b, l, act, gu);
          return LinearOp::create(b, l, h, wd, Value());
        });
    rw.replaceOp(op, castIfNeeded(rw, op.getLoc(), y, op.getType()));
    return success();
  }
};

struct CombineLowering : OpRewritePattern<CombineOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CombineOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    Type f32 = rw.getF32Type();
    Value eo = op.getExpertOut();
    Value order = op.getOrder();
    Value weights = op.getWeights();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elt = resultType.getElementType();

    Value c0 = indexConst(rw, loc, 0);
    Value c1 = indexConst(rw, loc, 1);
    Value t = tensor::DimOp::create(rw, loc, weights, 0);
    Value k = tensor::DimOp::create(rw, loc, weights, 1);
    Value slots = arith::MulIOp::create(rw, loc, t, k);
    Value rows = tensor::DimOp::create(rw, loc, order, 0);
    Value eoRows = tensor::DimOp::create(rw, loc, eo, 0);

    // Inverse permutation: rowOf[t·k + j] = r with order[r] = t·k + j.
    Value inv0 = filledTensor(rw, loc, {getAsOpFoldResult(slots)},
                              i32Const(rw, loc, -1));
    auto invert = scf::ForOp::create(
        rw, loc, c0, rows, c1, ValueRange{inv0},
        [&](OpBuilder &b, Location l, Value r, ValueRange acc) {
          Value o = toIndex(b, l, tensor::ExtractOp::create(b, l, order, r));
          Value valid = arith::AndIOp::create(
              b, l, inRange(b, l, o, c0, slots),
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r,
                                    eoRows));
          auto ifOp = scf::IfOp::create(
              b, l, valid,
              [&](OpBuilder &tb, Location tl) {
                scf::YieldOp::create(tb, tl,
                                     ValueRange{tensor::InsertOp::create(
                                         tb, tl, toI32(tb, tl, r), acc[0], o)});
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, acc[0]);
              });
          scf::YieldOp::create(b, l, ifOp.getResults());
        });
    Value rowOf = invert.getResult(0);

    // y[t, d] = Σ_j w[t, j] · expert_out[rowOf[t·k + j], d], j in order.
    SmallVector<OpFoldResult> outSizes = {getAsOpFoldResult(t),
                                          tensor::getMixedSize(rw, loc, eo, 1)};
    if (!resultType.isDynamicDim(0))
      outSizes[0] = rw.getIndexAttr(resultType.getDimSize(0));
    Value zero = floatConst(rw, loc, f32, 0.0);
    Value acc = buildGeneric(
        rw, loc, {weights}, {dimsMap(ctx, 3, {0, 2}), dimsMap(ctx, 3, {0, 1})},
        {utils::IteratorType::parallel, utils::IteratorType::parallel,
         utils::IteratorType::reduction},
        filledTensor(rw, loc, outSizes, zero),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value tok = linalg::IndexOp::create(b, l, 0);
          Value col = linalg::IndexOp::create(b, l, 1);
          Value slot = linalg::IndexOp::create(b, l, 2);
          Value flat = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, tok, k), slot);
          Value row =
              toIndex(b, l, tensor::ExtractOp::create(b, l, rowOf, flat));
          Value valid =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, row, c0);
          row = arith::SelectOp::create(b, l, valid, row, c0);
          Value v = toF32(
              b, l, tensor::ExtractOp::create(b, l, eo, ValueRange{row, col}));
          Value term = arith::MulFOp::create(b, l, args[0], v);
          term = arith::SelectOp::create(b, l, valid, term, zero);
          return arith::AddFOp::create(b, l, args[1], term).getResult();
        });
    Value result = acc;
    if (!elt.isF32()) {
      AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
      result = buildElementwise(rw, loc, {acc}, {id},
                                emptyTensor(rw, loc, outSizes, elt),
                                [&](OpBuilder &b, Location l, ValueRange args) {
                                  return fromF32(b, l, args[0], elt);
                                });
    }
    rw.replaceOp(op, castIfNeeded(rw, loc, result, resultType));
    return success();
  }
};

} // namespace

void mlir::xfmr::populateExpertDispatchToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<TopkRouterLowering, DispatchLowering, GroupedGatedFfnLowering,
               GroupedGluFfnLowering, CombineLowering>(patterns.getContext());
}
