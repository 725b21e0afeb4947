//===- GPUExpertDispatch.cpp - MoE routing ops as parallel GPU kernels ----===//
//
// The xfmr -> linalg lowering of xfmr.topk_router, xfmr.dispatch and
// xfmr.combine builds their sequential parts (the per-token top-k scan, the
// histogram, prefix sum and stable scatter of the counting sort, the
// inverse permutation) as scf.for loops carrying tensors. On the CPU these
// are cheap; on the GPU each becomes a single-thread kernel that walks all
// T·k pairs through global memory. This pass gives the GPU target kernels
// that use the machine instead: see the pass description in Passes.td.
//
// The ops are rewritten on tensors, before the front half lowers them: the
// operands are read through bufferization.to_buffer, the results are fresh
// buffers written by gpu.launch ops and handed back with
// bufferization.to_tensor (restrict), so that one-shot bufferization, the
// managed-memory rewrite and the kernel outlining of the GPU pipeline apply
// to these kernels unchanged.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "Conversion/XfmrToLinalg/LoweringUtils.h"
#include "GPUKernelLaunch.h"
#include "dialects/xfmr/XfmrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

#include <limits>

namespace mlir::xfmr {
#define GEN_PASS_DEF_GPUEXPERTDISPATCH
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;
using namespace mlir::xfmr;

namespace {

/// Threads per block of the element-parallel kernels and of the one-block
/// counting sort; also the sort's chunk of pairs.
constexpr int64_t kThreads = 256;

/// Scalar builders at one insertion point.
struct Builder {
  OpBuilder &b;
  Location loc;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value i32(int32_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  }
  Value f32(double v) { return floatConst(b, loc, b.getF32Type(), v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value rem(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value cmpf(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value either(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value toIndex(Value i32) {
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), i32);
  }
  Value toI32(Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI32Type(), index);
  }
  Value dim(Value buffer, int64_t d) {
    return memref::DimOp::create(b, loc, buffer, d);
  }
  Value load(Value buffer, ValueRange indices) {
    return memref::LoadOp::create(b, loc, buffer, indices);
  }
  void store(Value v, Value buffer, ValueRange indices) {
    memref::StoreOp::create(b, loc, v, buffer, indices);
  }
  /// lo <= v < hi on signed indices.
  Value inRange(Value v, Value lo, Value hi) {
    return both(cmp(arith::CmpIPredicate::sge, v, lo),
                cmp(arith::CmpIPredicate::slt, v, hi));
  }
  /// Runs `body` only where `cond` holds.
  void guarded(Value cond, function_ref<void()> body) {
    auto guard = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(guard.thenBlock()->getTerminator());
    body();
  }
  /// `for i = lb; i < ub; i += step` with loop-carried `init`; `body` returns
  /// the next values.
  ValueRange loop(Value lb, Value ub, Value step, ValueRange init,
                  function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto forOp = scf::ForOp::create(
        b, loc, lb, ub, step, init,
        [&](OpBuilder &, Location, Value iv, ValueRange carried) {
          SmallVector<Value> next = body(iv, carried);
          scf::YieldOp::create(b, loc, next);
        });
    return forOp.getResults();
  }
};

/// The buffer of a tensor operand: read-only, identity layout.
Value readBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  return bufferization::ToBufferOp::create(b, loc, memrefType, tensor,
                                           /*readOnly=*/true);
}

/// A fresh buffer of `type`'s shape, with the dynamic sizes `dynamic`.
Value allocBuffer(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange dynamic) {
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  return memref::AllocOp::create(b, loc, memrefType, dynamic);
}

/// The tensor a kernel wrote into `buffer`; it aliases nothing else.
Value resultTensor(OpBuilder &b, Location loc, Value buffer, Type type) {
  return bufferization::ToTensorOp::create(b, loc, type, buffer,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

/// A one-dimensional launch of `grid` blocks of `threads` threads; the
/// builder is left inside its body.
gpu::LaunchOp createLaunch(OpBuilder &b, Location loc, Value grid,
                           int64_t threads) {
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value block = arith::ConstantIndexOp::create(b, loc, threads);
  return createKernelLaunch(b, loc, grid, one, one, block);
}

/// `body(i)` for every i < n, one thread each, in blocks of kThreads (at
/// least one block: a grid of 0 is an error). The builder is left after the
/// launch.
void forEachThread(OpBuilder &b, Location loc, Value n,
                   function_ref<void(Builder &, Value)> body) {
  Builder h{b, loc};
  Value grid = arith::MaxUIOp::create(
      b, loc, arith::CeilDivUIOp::create(b, loc, n, h.index(kThreads)),
      h.index(1));
  OpBuilder::InsertionGuard g(b);
  gpu::LaunchOp launch = createLaunch(b, loc, grid, kThreads);
  Value i = h.add(h.mul(launch.getBlockIds().x, h.index(kThreads)),
                  launch.getThreadIds().x);
  h.guarded(h.cmp(arith::CmpIPredicate::ult, i, n), [&] { body(h, i); });
}

//===----------------------------------------------------------------------===//
// xfmr.topk_router: one thread per token
//===----------------------------------------------------------------------===//

/// The score of logit `v` (f32) of a row whose largest logit is `rowMax`
/// and whose exponentials sum to `rowSum` (softmax), or its sigmoid.
Value score(Builder &h, ScoringKind scoring, Value v, Value rowMax,
            Value rowSum) {
  if (scoring == ScoringKind::sigmoid)
    return buildActivation(h.b, h.loc, ActivationKind::sigmoid, v);
  Value e = math::ExpOp::create(h.b, h.loc,
                                arith::SubFOp::create(h.b, h.loc, v, rowMax));
  return arith::DivFOp::create(h.b, h.loc, e, rowSum);
}

void lowerTopkRouter(TopkRouterOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Builder h{b, loc};
  ScoringKind scoring = op.getScoring();
  int64_t k = op.getTopKAttr().getInt();
  Value logits = readBuffer(b, loc, op.getLogits());
  Value t = h.dim(logits, 0);
  Value e = h.dim(logits, 1);
  auto wType = cast<RankedTensorType>(op.getWeights().getType());
  auto xType = cast<RankedTensorType>(op.getExperts().getType());
  SmallVector<Value> dynamic;
  if (wType.isDynamicDim(0))
    dynamic.push_back(t);
  Value weights = allocBuffer(b, loc, wType, dynamic);
  Value experts = allocBuffer(b, loc, xType, dynamic);

  forEachThread(b, loc, t, [&](Builder &h, Value tok) {
    Value c0 = h.index(0), c1 = h.index(1), none = h.index(-1);
    Value negInf = h.f32(-std::numeric_limits<double>::infinity());
    Value posInf = h.f32(std::numeric_limits<double>::infinity());
    auto logit = [&](Value ex) {
      return toF32(h.b, h.loc, h.load(logits, {tok, ex}));
    };
    // Softmax statistics in the order of the linalg lowering's reductions
    // (maxnum from -inf, then the sum of exponentials), so that equal
    // logits give bit-equal scores and ties break the same way.
    Value rowMax, rowSum;
    if (scoring == ScoringKind::softmax) {
      rowMax = h.loop(c0, e, c1, {negInf}, [&](Value ex, ValueRange acc) {
        return SmallVector<Value>{
            arith::MaxNumFOp::create(h.b, h.loc, acc[0], logit(ex))};
      })[0];
      rowSum = h.loop(c0, e, c1, {h.f32(0.0)}, [&](Value ex, ValueRange acc) {
        Value d = arith::SubFOp::create(h.b, h.loc, logit(ex), rowMax);
        Value x = math::ExpOp::create(h.b, h.loc, d);
        return SmallVector<Value>{arith::AddFOp::create(h.b, h.loc, acc[0], x)};
      })[0];
    }
    // The j-th pick is the best entry strictly after the (j-1)-th in the
    // total order (score descending, expert ascending); NaN ranks as -inf.
    Value sum = h.f32(0.0);
    Value prevV = posInf, prevI = none;
    for (int64_t slot = 0; slot < k; ++slot) {
      ValueRange best =
          h.loop(c0, e, c1, {negInf, none}, [&](Value ex, ValueRange best) {
            Value v = score(h, scoring, logit(ex), rowMax, rowSum);
            v = h.select(h.cmpf(arith::CmpFPredicate::UNO, v, v), negInf, v);
            Value eligible =
                h.either(h.cmpf(arith::CmpFPredicate::OLT, v, prevV),
                         h.both(h.cmpf(arith::CmpFPredicate::OEQ, v, prevV),
                                h.cmp(arith::CmpIPredicate::sgt, ex, prevI)));
            Value better =
                h.either(h.cmp(arith::CmpIPredicate::eq, best[1], none),
                         h.cmpf(arith::CmpFPredicate::OGT, v, best[0]));
            Value take = h.both(eligible, better);
            return SmallVector<Value>{h.select(take, v, best[0]),
                                      h.select(take, ex, best[1])};
          });
      prevV = best[0];
      prevI = best[1];
      Value s = h.index(slot);
      h.store(prevV, weights, {tok, s});
      h.store(h.toI32(prevI), experts, {tok, s});
      sum = arith::AddFOp::create(h.b, h.loc, sum, prevV);
    }
    if (op.getNormalizeTopk()) {
      Value zero = h.f32(0.0);
      Value isZero = h.cmpf(arith::CmpFPredicate::OEQ, sum, zero);
      for (int64_t slot = 0; slot < k; ++slot) {
        Value s = h.index(slot);
        Value w = h.load(weights, {tok, s});
        Value q = arith::DivFOp::create(h.b, h.loc, w, sum);
        h.store(h.select(isZero, w, q), weights, {tok, s});
      }
    }
  });

  op.getWeights().replaceAllUsesWith(
      resultTensor(b, loc, weights, op.getWeights().getType()));
  op.getExperts().replaceAllUsesWith(
      resultTensor(b, loc, experts, op.getExperts().getType()));
  op.erase();
}

//===----------------------------------------------------------------------===//
// xfmr.dispatch: a one-block stable counting sort, then a row gather
//===----------------------------------------------------------------------===//

/// One pass of the chunked stable sort over the pairs `0 ..< n` in the
/// enumeration `pairOf` (position -> flat pair index t·k + j, and the
/// pair's expert, -1 when it takes no part). Chunk by chunk, each thread
/// stages its pair's expert, counts the pairs of the same expert before and
/// after it in the chunk, and gets its rank `running[e] + before`;
/// `visit(rank, pair, takesPart, inBounds)` then acts on it (threads past
/// `n` in the last chunk see pair 0 and must not act). The last pair of
/// each expert in the chunk advances running[e] past itself. Every thread
/// runs every chunk, so the barriers are reached by the whole block: two
/// per chunk. The last chunk's updates are unordered with what follows.
void chunkedRanks(Builder &h, Value tid, Value n, Value chunkExpert,
                  Value running,
                  function_ref<std::pair<Value, Value>(Value)> pairOf,
                  function_ref<void(Value, Value, Value, Value)> visit) {
  Value c0 = h.index(0), c1 = h.index(1), chunk = h.index(kThreads);
  Value chunks = arith::CeilDivUIOp::create(h.b, h.loc, n, chunk);
  h.loop(c0, chunks, c1, {}, [&](Value c, ValueRange) {
    Value q = h.add(h.mul(c, chunk), tid);
    Value inBounds = h.cmp(arith::CmpIPredicate::ult, q, n);
    // Threads past n stand for no pair (a clamped read, then -1).
    auto [pair, expert] = pairOf(h.select(inBounds, q, c0));
    expert = h.select(inBounds, expert, h.i32(-1));
    Value takesPart = h.cmp(arith::CmpIPredicate::sge, expert, h.i32(0));
    h.store(expert, chunkExpert, {tid});
    gpu::BarrierOp::create(h.b, h.loc);
    ValueRange counts = h.loop(
        c0, chunk, c1, {h.i32(0), h.i32(0)}, [&](Value j, ValueRange acc) {
          Value same =
              h.cmp(arith::CmpIPredicate::eq, h.load(chunkExpert, {j}), expert);
          Value before = h.both(same, h.cmp(arith::CmpIPredicate::ult, j, tid));
          Value after = h.both(same, h.cmp(arith::CmpIPredicate::ugt, j, tid));
          auto count = [&](Value acc, Value hit) {
            return h.add(
                acc, arith::ExtUIOp::create(h.b, h.loc, h.b.getI32Type(), hit));
          };
          return SmallVector<Value>{count(acc[0], before),
                                    count(acc[1], after)};
        });
    Value slotOfExpert = h.toIndex(h.select(takesPart, expert, h.i32(0)));
    Value base = h.load(running, {slotOfExpert});
    Value rank = h.add(base, counts[0]);
    visit(rank, pair, takesPart, inBounds);
    // Every read of running[] and of the chunk precedes the update and the
    // next chunk's staging; the next chunk's first barrier orders the
    // update before its reads.
    gpu::BarrierOp::create(h.b, h.loc);
    Value last =
        h.both(takesPart, h.cmp(arith::CmpIPredicate::eq, counts[1], h.i32(0)));
    h.guarded(last,
              [&] { h.store(h.add(rank, h.i32(1)), running, {slotOfExpert}); });
    return SmallVector<Value>{};
  });
}

void lowerDispatch(DispatchOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Builder h{b, loc};
  int64_t numExperts = op.getNumExpertsAttr().getInt();
  Value x = readBuffer(b, loc, op.getX());
  Value experts = readBuffer(b, loc, op.getExperts());
  Value t = h.dim(experts, 0);
  Value k = h.dim(experts, 1);
  Value rows = h.mul(t, k);
  auto sortedType = cast<RankedTensorType>(op.getSortedX().getType());
  auto offsetsType = cast<RankedTensorType>(op.getOffsets().getType());
  auto orderType = cast<RankedTensorType>(op.getOrder().getType());
  auto dynamicRows = [&](RankedTensorType type) {
    SmallVector<Value> sizes;
    if (type.isDynamicDim(0))
      sizes.push_back(rows);
    if (type.getRank() == 2 && type.isDynamicDim(1))
      sizes.push_back(h.dim(x, 1));
    return sizes;
  };
  Value sorted = allocBuffer(b, loc, sortedType, dynamicRows(sortedType));
  Value offsets = allocBuffer(b, loc, offsetsType, {});
  Value order = allocBuffer(b, loc, orderType, dynamicRows(orderType));
  // Whether pair r was admitted under the capacity (all valid pairs when
  // there is none).
  Type i32 = b.getI32Type();
  Value admitted = memref::AllocOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, i32), ValueRange{rows});

  // The capacity C = ceil(k·T / E · capacity_factor) in f64, as the linalg
  // lowering computes it; without a factor no pair is ever refused.
  Value capacity;
  if (FloatAttr factor = op.getCapacityFactorAttr()) {
    Type f64 = b.getF64Type();
    Value slotsF = arith::SIToFPOp::create(
        b, loc, f64, arith::IndexCastOp::create(b, loc, b.getI64Type(), rows));
    Value capF = arith::MulFOp::create(
        b, loc,
        arith::DivFOp::create(b, loc, slotsF,
                              floatConst(b, loc, f64, double(numExperts))),
        floatConst(b, loc, f64, factor.getValueAsDouble()));
    capacity = arith::FPToSIOp::create(b, loc, i32,
                                       math::CeilOp::create(b, loc, capF));
  } else {
    capacity = h.i32(std::numeric_limits<int32_t>::max());
  }

  // The sort's scratch: the experts of the chunk in flight and each
  // expert's running count, then its write cursor. Global memory rather
  // than workgroup memory: the kernel is built before buffer deallocation,
  // which adds an ownership flag to every memref block argument and so
  // breaks the workgroup attributions of a gpu.launch. gpu.barrier orders
  // the block's global accesses as it does its shared ones, and every
  // thread reads the same chunk entries at once (one broadcast load per
  // warp, from L1).
  Value chunkExpert =
      memref::AllocOp::create(b, loc, MemRefType::get({kThreads}, i32));
  Value running =
      memref::AllocOp::create(b, loc, MemRefType::get({numExperts}, i32));
  {
    OpBuilder::InsertionGuard g(b);
    gpu::LaunchOp launch = createLaunch(b, loc, h.index(1), kThreads);
    Value tid = launch.getThreadIds().x;
    Value c0 = h.index(0), cT = h.index(kThreads), cE = h.index(numExperts);
    Value i32E = h.i32(numExperts);

    h.loop(tid, rows, cT, {}, [&](Value r, ValueRange) {
      h.store(h.i32(-1), order, {r});
      return SmallVector<Value>{};
    });
    h.loop(tid, cE, cT, {}, [&](Value ex, ValueRange) {
      h.store(h.i32(0), running, {ex});
      return SmallVector<Value>{};
    });
    // The first barrier of the first pass (or the one after it when there
    // are no pairs) orders this before any read.

    auto expertOfPair = [&](Value pair) {
      Value ex = h.load(experts, {h.div(pair, k), h.rem(pair, k)});
      Value valid = h.both(h.cmp(arith::CmpIPredicate::sge, ex, h.i32(0)),
                           h.cmp(arith::CmpIPredicate::slt, ex, i32E));
      return std::make_pair(valid, ex);
    };

    // Admission, slot-major (every token's slot 0 in token order, then slot
    // 1, ...): a pair is admitted while fewer than C valid pairs of its
    // expert precede it. running[e] ends as the number of valid pairs.
    chunkedRanks(
        h, tid, rows, chunkExpert, running,
        [&](Value q) {
          Value pair = h.add(h.mul(h.rem(q, t), k), h.div(q, t));
          auto [valid, ex] = expertOfPair(pair);
          return std::make_pair(pair, h.select(valid, ex, h.i32(-1)));
        },
        [&](Value rank, Value pair, Value takesPart, Value inBounds) {
          Value admit = h.both(
              takesPart, h.cmp(arith::CmpIPredicate::slt, rank, capacity));
          h.guarded(inBounds, [&] {
            h.store(arith::ExtUIOp::create(h.b, h.loc, i32, admit), admitted,
                    {pair});
          });
        });
    gpu::BarrierOp::create(b, loc);

    // Exclusive prefix sum of min(count, C); running[] becomes each
    // segment's write cursor.
    h.guarded(h.cmp(arith::CmpIPredicate::eq, tid, c0), [&] {
      h.store(h.i32(0), offsets, {c0});
      h.loop(c0, cE, h.index(1), {h.i32(0)}, [&](Value ex, ValueRange acc) {
        Value count =
            arith::MinSIOp::create(h.b, h.loc, h.load(running, {ex}), capacity);
        Value next = h.add(acc[0], count);
        h.store(acc[0], running, {ex});
        h.store(next, offsets, {h.add(ex, h.index(1))});
        return SmallVector<Value>{next};
      });
    });
    // The next pass reads the cursors only after its first barrier.

    // Stable scatter of the admitted pairs in token-major order.
    chunkedRanks(
        h, tid, rows, chunkExpert, running,
        [&](Value r) {
          auto [valid, ex] = expertOfPair(r);
          Value kept =
              h.cmp(arith::CmpIPredicate::ne, h.load(admitted, {r}), h.i32(0));
          Value takesPart = h.both(valid, kept);
          return std::make_pair(r, h.select(takesPart, ex, h.i32(-1)));
        },
        [&](Value rank, Value pair, Value takesPart, Value) {
          h.guarded(takesPart,
                    [&] { h.store(h.toI32(pair), order, {h.toIndex(rank)}); });
        });
  }

  // sorted_x[r, :] = x[order[r] / k, :], zero for rows of no pair.
  Value d = h.dim(x, 1);
  Type elt = sortedType.getElementType();
  forEachThread(b, loc, h.mul(rows, d), [&](Builder &h, Value i) {
    Value r = h.div(i, d), col = h.rem(i, d);
    Value src = h.toIndex(h.load(order, {r}));
    Value valid = h.cmp(arith::CmpIPredicate::sge, src, h.index(0));
    Value tok = h.div(h.select(valid, src, h.index(0)), k);
    Value v = h.load(x, {tok, col});
    h.store(h.select(valid, v, floatConst(h.b, h.loc, elt, 0.0)), sorted,
            {r, col});
  });

  op.getSortedX().replaceAllUsesWith(
      resultTensor(b, loc, sorted, op.getSortedX().getType()));
  op.getOffsets().replaceAllUsesWith(
      resultTensor(b, loc, offsets, op.getOffsets().getType()));
  op.getOrder().replaceAllUsesWith(
      resultTensor(b, loc, order, op.getOrder().getType()));
  op.erase();
}

//===----------------------------------------------------------------------===//
// xfmr.combine: a parallel inverse permutation, then a weighted gather
//===----------------------------------------------------------------------===//

void lowerCombine(CombineOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Builder h{b, loc};
  Value eo = readBuffer(b, loc, op.getExpertOut());
  Value order = readBuffer(b, loc, op.getOrder());
  Value weights = readBuffer(b, loc, op.getWeights());
  auto resultType = cast<RankedTensorType>(op.getType());
  Type elt = resultType.getElementType();
  Value t = h.dim(weights, 0);
  Value k = h.dim(weights, 1);
  Value slots = h.mul(t, k);
  Value rows = h.dim(order, 0);
  Value eoRows = h.dim(eo, 0);
  Value d = h.dim(eo, 1);

  // rowOf[t·k + j] = r with order[r] = t·k + j, -1 for dropped pairs. The
  // entries of `order` are distinct, so the scatter has no conflicts.
  Value rowOf = memref::AllocOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, b.getI32Type()),
      ValueRange{slots});
  forEachThread(b, loc, slots,
                [&](Builder &h, Value i) { h.store(h.i32(-1), rowOf, {i}); });
  forEachThread(b, loc, rows, [&](Builder &h, Value r) {
    Value o = h.toIndex(h.load(order, {r}));
    Value valid = h.both(h.inRange(o, h.index(0), slots),
                         h.cmp(arith::CmpIPredicate::slt, r, eoRows));
    h.guarded(valid, [&] { h.store(h.toI32(r), rowOf, {o}); });
  });

  // y[t, d] = Σ_j w[t, j] · expert_out[rowOf[t·k + j], d], j in order, in
  // f32.
  SmallVector<Value> dynamic;
  if (resultType.isDynamicDim(0))
    dynamic.push_back(t);
  if (resultType.isDynamicDim(1))
    dynamic.push_back(d);
  Value y = allocBuffer(b, loc, resultType, dynamic);
  forEachThread(b, loc, h.mul(t, d), [&](Builder &h, Value i) {
    Value tok = h.div(i, d), col = h.rem(i, d);
    Value zero = h.f32(0.0);
    Value sum =
        h.loop(h.index(0), k, h.index(1), {zero}, [&](Value j, ValueRange acc) {
          Value row = h.toIndex(h.load(rowOf, {h.add(h.mul(tok, k), j)}));
          Value valid = h.cmp(arith::CmpIPredicate::sge, row, h.index(0));
          row = h.select(valid, row, h.index(0));
          Value v = toF32(h.b, h.loc, h.load(eo, {row, col}));
          Value term =
              arith::MulFOp::create(h.b, h.loc, h.load(weights, {tok, j}), v);
          term = h.select(valid, term, zero);
          return SmallVector<Value>{
              arith::AddFOp::create(h.b, h.loc, acc[0], term)};
        })[0];
    h.store(fromF32(h.b, h.loc, sum, elt), y, {tok, col});
  });

  op.getResult().replaceAllUsesWith(resultTensor(b, loc, y, resultType));
  op.erase();
}

struct GPUExpertDispatchPass
    : public xfmr::impl::GPUExpertDispatchBase<GPUExpertDispatchPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<TopkRouterOp, DispatchOp, CombineOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (auto router = dyn_cast<TopkRouterOp>(op))
        lowerTopkRouter(router);
      else if (auto dispatch = dyn_cast<DispatchOp>(op))
        lowerDispatch(dispatch);
      else
        lowerCombine(cast<CombineOp>(op));
    }
  }
};

} // namespace
