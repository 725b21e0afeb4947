//===- GPUFlashAttention.cpp - xfmr.attention -> one online-softmax kernel ===//
//
// Replaces the xfmr.attention ops of the GPU pipeline by a single
// gpu.launch each that streams K and V through shared memory with an online
// softmax (flash attention), instead of the front half's lowering whose
// kernels materialise the [Tq, Tk] scores. Two steps, because buffer
// deallocation would break the kernel's workgroup memory
// (passes/GPUKernelPlaceholder.h): on tensors the op becomes a call on
// buffers to a marked declaration, which bufferization and deallocation
// treat as any call; on bufferized code the call becomes the kernel. See the
// pass description in Passes.td for the kernel's shape and its launch.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "Conversion/XfmrToLinalg/LoweringUtils.h"
#include "GPUKernelLaunch.h"
#include "GPUKernelPlaceholder.h"
#include "dialects/xfmr/XfmrOps.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

#include <cmath>
#include <limits>

namespace mlir::xfmr {
#define GEN_PASS_DEF_GPUFLASHATTENTION
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;
using namespace mlir::xfmr;

namespace {

constexpr int64_t kWarpSize = 32;
constexpr int64_t kWarps = 4;
constexpr int64_t kThreads = kWarps * kWarpSize;
/// Each warp carries this many query rows at once: every K/V tile staged in
/// shared memory then serves kRows rows of the block, while a row's state
/// (ceil(Dv/32) accumulators, running max and sum) stays small enough for
/// registers at Dv = 256.
constexpr int64_t kRowsPerWarp = 2;
constexpr int64_t kRows = kWarps * kRowsPerWarp;
/// The largest head dimensions taken: beyond them the K/V tiles no longer
/// fit the 48 KiB of static shared memory with at least 16 keys per tile.
constexpr int64_t kMaxHeadDim = 256;
constexpr int64_t kSharedBytes = 48 * 1024;

/// The static facts the kernel is built from, or nothing when the op is
/// left to the generic lowering.
struct Plan {
  bool batched;
  int64_t dh, dv;
  int64_t dvChunks; // ceil(Dv / 32): accumulators per lane and row
  int64_t keyTile;  // BK: keys per shared-memory stage (32, 16 or 8)
  int64_t kStride;  // Dh + 1: the K tile's row pitch (see below)
  Type elt;
};

/// The plan for operands q, k, v, optional mask and result of these
/// types (tensors or buffers), or nothing when the kernel does not take
/// them.
std::optional<Plan> planFor(ShapedType qType, ShapedType kType,
                            ShapedType vType, ShapedType mType,
                            ShapedType rType) {
  if (!qType || !kType || !vType || !rType || !qType.hasRank() ||
      !kType.hasRank() || !vType.hasRank() || !rType.hasRank())
    return std::nullopt;
  Type elt = qType.getElementType();
  if (!isa<Float32Type, Float16Type, BFloat16Type>(elt) ||
      kType.getElementType() != elt || vType.getElementType() != elt ||
      rType.getElementType() != elt)
    return std::nullopt;
  if (mType && (!mType.hasRank() || mType.getRank() != 2 ||
                mType.getElementType() != elt))
    return std::nullopt;
  int64_t rank = qType.getRank();
  if ((rank != 3 && rank != 4) || kType.getRank() != rank ||
      vType.getRank() != rank || rType.getRank() != rank)
    return std::nullopt;
  int64_t dh = qType.getDimSize(rank - 1);
  int64_t dv = vType.getDimSize(rank - 1);
  if (ShapedType::isDynamic(dh) || ShapedType::isDynamic(dv) || dh < 1 ||
      dv < 1 || dh > kMaxHeadDim || dv > kMaxHeadDim ||
      kType.getDimSize(rank - 1) != dh || rType.getDimSize(rank - 1) != dv)
    return std::nullopt;

  Plan plan;
  plan.batched = rank == 4;
  plan.dh = dh;
  plan.dv = dv;
  plan.dvChunks = (dv + kWarpSize - 1) / kWarpSize;
  plan.kStride = dh + 1;
  plan.elt = elt;
  // Shared memory: the block's query rows, then BK keys of K and of V.
  int64_t fixed = kRows * dh * 4;
  int64_t perKey = (plan.kStride + plan.dvChunks * kWarpSize) * 4;
  plan.keyTile = 32;
  while (plan.keyTile > 8 && fixed + plan.keyTile * perKey > kSharedBytes)
    plan.keyTile /= 2;
  if (fixed + plan.keyTile * perKey > kSharedBytes)
    return std::nullopt;
  return plan;
}

/// Builds IR at a builder's position; short names for the arithmetic.
class Emitter {
public:
  Emitter(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value i32(int64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  }
  Value f32(double v) {
    return arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                          APFloat(static_cast<float>(v)));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value rem(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value ult(Value x, Value y) { return cmp(arith::CmpIPredicate::ult, x, y); }
  Value slt(Value x, Value y) { return cmp(arith::CmpIPredicate::slt, x, y); }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value smin(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value smax(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value umax(Value x, Value y) { return arith::MaxUIOp::create(b, loc, x, y); }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value fadd(Value x, Value y) {
    return arith::AddFOp::create(b, loc, x, y, arith::FastMathFlags::contract);
  }
  Value fmul(Value x, Value y) {
    return arith::MulFOp::create(b, loc, x, y, arith::FastMathFlags::contract);
  }
  Value fmax(Value x, Value y) {
    return arith::MaxNumFOp::create(b, loc, x, y);
  }
  Value feq(Value x, Value y) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x, y);
  }
  Value exp(Value x) { return math::ExpOp::create(b, loc, x); }
  Value toF32(Value v) { return xfmr::toF32(b, loc, v); }
  Value fromF32(Value v, Type type) { return xfmr::fromF32(b, loc, v, type); }
  Value toI32(Value v) {
    return arith::IndexCastOp::create(b, loc, b.getI32Type(), v);
  }
  Value shuffle(Value v, Value offset, gpu::ShuffleMode mode) {
    return gpu::ShuffleOp::create(b, loc, v, offset, i32(kWarpSize), mode)
        .getShuffleResult();
  }
  /// Every lane ends with the same combination of the warp's 32 values: the
  /// xor butterfly pairs lanes symmetrically, so even the float sums agree
  /// bit for bit and stay warp-uniform.
  Value butterfly(Value v, llvm::function_ref<Value(Value, Value)> combine) {
    for (int64_t offset = kWarpSize / 2; offset >= 1; offset /= 2)
      v = combine(v, shuffle(v, i32(offset), gpu::ShuffleMode::XOR));
    return v;
  }

  /// source[indices] converted to f32 when `cond`, else 0, without
  /// touching memory when not.
  Value loadOrZero(Value cond, Value source, ValueRange indices) {
    auto guard = scf::IfOp::create(b, loc, b.getF32Type(), cond,
                                   /*withElseRegion=*/true);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(guard.thenBlock());
    Value loaded = memref::LoadOp::create(b, loc, source, indices);
    scf::YieldOp::create(b, loc, toF32(loaded));
    b.setInsertionPointToStart(guard.elseBlock());
    scf::YieldOp::create(b, loc, f32(0.0));
    return guard.getResult(0);
  }

  /// A loop over [0, n) whose body `emit(i, carried)` is unrolled
  /// `unroll` times per iteration (unroll divides n).
  SmallVector<Value>
  unrolledLoop(int64_t n, int64_t unroll, ValueRange init,
               llvm::function_ref<SmallVector<Value>(Value, ValueRange)> emit) {
    auto loop =
        scf::ForOp::create(b, loc, index(0), index(n), index(unroll), init);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<Value> carried(loop.getRegionIterArgs());
    for (int64_t u = 0; u < unroll; ++u) {
      Value i = loop.getInductionVar();
      if (u)
        i = add(i, index(u));
      carried = emit(i, carried);
    }
    scf::YieldOp::create(b, loc, carried);
    return SmallVector<Value>(loop.getResults());
  }

  /// Every thread of the block takes elements tid, tid + 128, ... of
  /// [0, count): `emit(e)` for each, the last round guarded when count is
  /// not a multiple of the block. No barrier inside.
  void blockStride(Value tid, int64_t count,
                   llvm::function_ref<void(Value)> emit) {
    int64_t rounds = (count + kThreads - 1) / kThreads;
    auto loop = scf::ForOp::create(b, loc, index(0), index(rounds), index(1));
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    Value e = add(mul(loop.getInductionVar(), index(kThreads)), tid);
    if (count % kThreads == 0) {
      emit(e);
      return;
    }
    auto guard = scf::IfOp::create(b, loc, ult(e, index(count)),
                                   /*withElseRegion=*/false);
    b.setInsertionPoint(guard.thenBlock()->getTerminator());
    emit(e);
  }

  OpBuilder &b;
  Location loc;
};

int64_t largestUnroll(int64_t n) {
  for (int64_t u : {8, 4, 2})
    if (n % u == 0)
      return u;
  return 1;
}

/// Marks the declarations that step 1 calls and step 2 replaces; the call
/// carries the op's attributes.
constexpr StringLiteral kKernelAttr = "xfmr.gpu_flash_attention";
constexpr StringLiteral kCausalAttr = "xfmr.causal";
constexpr StringLiteral kScaleAttr = "xfmr.scale";

/// Step 1, on tensors: the op becomes
///   call @xfmr_gpu_flash_attention_<n>(q, k, v[, mask], out)
/// on its operands as read-only buffers of any layout (read in place, never
/// copied) and a new result buffer, returned as a restrict tensor.
void replaceByCall(AttentionOp op, ModuleOp module, int &counter) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto toBuffer = [&](Value tensor) {
    return xfmr::readOnlyBuffer(b, loc, tensor);
  };
  SmallVector<Value> operands = {toBuffer(op.getQ()), toBuffer(op.getK()),
                                 toBuffer(op.getV())};
  if (Value mask = op.getMask())
    operands.push_back(toBuffer(mask));

  // The result's dynamic sizes (B, Hq, Tq) are q's.
  auto resultType = cast<RankedTensorType>(op.getType());
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < resultType.getRank(); ++d)
    if (resultType.isDynamicDim(d))
      dynamicSizes.push_back(memref::DimOp::create(b, loc, operands[0], d));
  auto outType =
      MemRefType::get(resultType.getShape(), resultType.getElementType());
  Value out = memref::AllocOp::create(b, loc, outType, dynamicSizes);
  operands.push_back(out);

  func::CallOp call =
      xfmr::callPlaceholder(b, loc, module, "xfmr_gpu_flash_attention",
                            kKernelAttr, operands, counter);
  if (op.getCausal())
    call->setAttr(kCausalAttr, b.getUnitAttr());
  if (FloatAttr scale = op.getScaleAttr())
    call->setAttr(kScaleAttr, scale);
  Value result = bufferization::ToTensorOp::create(
      b, loc, resultType, out, /*restrict=*/true, /*writable=*/true);
  op.getResult().replaceAllUsesWith(result);
  op.erase();
}

/// Step 2, on buffers: the call becomes the kernel.
void buildFlashAttention(func::CallOp call, const Plan &plan) {
  OpBuilder b(call);
  Location loc = call.getLoc();
  MLIRContext *context = call.getContext();
  Emitter h(b, loc);
  FloatType f32 = b.getF32Type();
  bool causal = call->hasAttr(kCausalAttr);
  bool hasMask = call.getNumOperands() == 5;
  Value q = call.getOperand(0);
  Value k = call.getOperand(1);
  Value v = call.getOperand(2);
  Value mask = hasMask ? call.getOperand(3) : Value();
  Value out = call.getOperands().back();

  int64_t head = plan.batched ? 1 : 0; // the head axis
  Value one = h.index(1);
  Value batch =
      plan.batched ? memref::DimOp::create(b, loc, q, 0).getResult() : one;
  Value hq = memref::DimOp::create(b, loc, q, head);
  Value tq = memref::DimOp::create(b, loc, q, head + 1);
  Value hkv = memref::DimOp::create(b, loc, k, head);
  Value tk = memref::DimOp::create(b, loc, k, head + 1);
  // max(.., 1): an empty operand must neither divide by zero nor launch an
  // empty grid; the kernel's bounds checks then store nothing.
  Value group = h.div(hq, h.umax(hkv, one));
  Value rows = h.mul(group, tq);
  Value gridX =
      h.umax(arith::CeilDivUIOp::create(b, loc, rows, h.index(kRows)), one);
  Value gridY = h.umax(hkv, one);
  Value gridZ = h.umax(batch, one);

  auto scaleAttr = call->getAttrOfType<FloatAttr>(kScaleAttr);
  double scaleValue = scaleAttr ? scaleAttr.getValueAsDouble()
                                : 1.0 / std::sqrt(static_cast<double>(plan.dh));

  auto workgroup =
      gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup);
  int64_t dvPadded = plan.dvChunks * kWarpSize;
  auto qTileType =
      MemRefType::get({kRows, plan.dh}, f32, AffineMap(), workgroup);
  auto kTileType = MemRefType::get({plan.keyTile, plan.kStride}, f32,
                                   AffineMap(), workgroup);
  auto vTileType =
      MemRefType::get({plan.keyTile, dvPadded}, f32, AffineMap(), workgroup);
  gpu::LaunchOp launch =
      createKernelLaunch(b, loc, gridX, gridY, gridZ, h.index(kThreads),
                         TypeRange{qTileType, kTileType, vTileType});
  Value qTile = launch.getWorkgroupAttributions()[0];
  Value kTile = launch.getWorkgroupAttributions()[1];
  Value vTile = launch.getWorkgroupAttributions()[2];

  Emitter e(b, loc);
  Value zero = e.index(0);
  Value tid = launch.getThreadIds().x;
  Value lane = e.rem(tid, e.index(kWarpSize));
  Value warp = e.div(tid, e.index(kWarpSize));
  Value kvHead = launch.getBlockIds().y;
  Value bIdx = launch.getBlockIds().z;
  Value row0 = e.mul(launch.getBlockIds().x, e.index(kRows));
  Value groupOr1 = e.umax(group, e.index(1));
  Value blockValid = e.both(e.ult(kvHead, hkv), e.ult(bIdx, batch));
  // Query i sees keys j <= i + (Tk - Tq): signed, Tq may exceed Tk.
  Value offset = e.sub(tk, tq);
  auto limitOf = [&](Value i) -> Value {
    if (!causal)
      return tk;
    Value last = e.add(e.add(i, e.index(1)), offset);
    return e.smin(e.smax(last, zero), tk);
  };
  auto indices = [&](Value headIdx, Value pos, Value col) {
    SmallVector<Value> idx;
    if (plan.batched)
      idx.push_back(bIdx);
    idx.append({headIdx, pos, col});
    return idx;
  };

  // Slot s of the block's kRows rows is row row0 + s of this kv head's
  // g * Tq rows, enumerated position-major (row = i * g + head in group) so
  // that the block's rows have neighbouring causal limits and all query
  // heads of a group read the same staged keys. Warp w carries slots w,
  // w + kWarps, ...: a short block (decode with a small group) still gives
  // every warp a row.
  struct Row {
    Value valid, pos, qHead, limit, slot;
  };
  auto rowOf = [&](Value slot) -> Row {
    Value row = e.add(row0, slot);
    Value valid = e.both(blockValid, e.ult(row, rows));
    Value pos = e.div(row, groupOr1);
    Value qHead = e.add(e.mul(kvHead, group), e.rem(row, groupOr1));
    Value limit = e.select(valid, limitOf(pos), zero);
    return {valid, pos, qHead, limit, slot};
  };
  SmallVector<Row> mine;
  for (int64_t r = 0; r < kRowsPerWarp; ++r)
    mine.push_back(rowOf(e.add(e.index(r * kWarps), warp)));

  // The keys any row of the block sees: [0, blockLimit). The last row of
  // the block has the largest position, hence the largest causal limit.
  Value lastRow = e.sub(e.smin(e.add(row0, e.index(kRows)), rows), e.index(1));
  Value anyRow = e.both(blockValid, e.ult(row0, rows));
  Value blockLimit = e.select(anyRow, limitOf(e.div(lastRow, groupOr1)), zero);

  // The block's query rows, pre-multiplied by the scale, in shared memory
  // (0 for rows past the end).
  Value scale = e.f32(scaleValue);
  e.blockStride(tid, kRows * plan.dh, [&](Value el) {
    Value slot = e.div(el, e.index(plan.dh));
    Value d = e.rem(el, e.index(plan.dh));
    Row row = rowOf(slot);
    Value x = e.loadOrZero(row.valid, q, indices(row.qHead, row.pos, d));
    memref::StoreOp::create(b, loc, e.fmul(x, scale), qTile,
                            ValueRange{slot, d});
  });

  // Per row: the running max m (warp-uniform), this lane's share of the
  // running sum l, and the lane's accumulators for columns lane + 32c.
  Value negInf = e.f32(-std::numeric_limits<double>::infinity());
  Value fzero = e.f32(0.0);
  int64_t stateSize = 2 + plan.dvChunks;
  SmallVector<Value> init;
  for (int64_t r = 0; r < kRowsPerWarp; ++r) {
    init.push_back(negInf);
    init.push_back(fzero);
    init.append(plan.dvChunks, fzero);
  }
  Value tiles =
      arith::CeilDivUIOp::create(b, loc, blockLimit, e.index(plan.keyTile));
  // Every thread runs every stage (the trip count is the block's), so both
  // barriers are reached by the whole block; rows with fewer keys mask them.
  auto loop = scf::ForOp::create(b, loc, zero, tiles, e.index(1), init);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    Value t0 = e.mul(loop.getInductionVar(), e.index(plan.keyTile));
    // Stage BK keys of K and V as f32; keys past the block's limit read 0,
    // so that the products that the softmax weighs by 0 stay finite.
    auto stage = [&](Value source, Value tile, int64_t width) {
      e.blockStride(tid, plan.keyTile * width, [&](Value el) {
        Value key = e.div(el, e.index(width));
        Value col = e.rem(el, e.index(width));
        Value j = e.add(t0, key);
        Value x =
            e.loadOrZero(e.ult(j, blockLimit), source, indices(kvHead, j, col));
        memref::StoreOp::create(b, loc, x, tile, ValueRange{key, col});
      });
    };
    stage(k, kTile, plan.dh);
    stage(v, vTile, plan.dv);
    gpu::BarrierOp::create(b, loc);

    // Scores: lane l takes key t0 + l against each of the warp's rows. The
    // K tile's pitch of Dh + 1 floats puts the 32 lanes' reads of one
    // column in 32 distinct banks; the query values are broadcasts.
    Value keyRow =
        plan.keyTile == kWarpSize ? lane : e.rem(lane, e.index(plan.keyTile));
    SmallVector<Value> zeros(kRowsPerWarp, fzero);
    SmallVector<Value> scores = e.unrolledLoop(
        plan.dh, largestUnroll(plan.dh), zeros, [&](Value d, ValueRange sums) {
          Value kx =
              memref::LoadOp::create(b, loc, kTile, ValueRange{keyRow, d});
          SmallVector<Value> next;
          for (int64_t r = 0; r < kRowsPerWarp; ++r) {
            Value qx = memref::LoadOp::create(b, loc, qTile,
                                              ValueRange{mine[r].slot, d});
            next.push_back(e.fadd(sums[r], e.fmul(qx, kx)));
          }
          return next;
        });

    ValueRange carried = loop.getRegionIterArgs();
    SmallVector<Value> yielded;
    SmallVector<Value> probs, alphas;
    Value j = e.add(t0, lane);
    Value laneHasKey = e.ult(lane, e.index(plan.keyTile));
    for (int64_t r = 0; r < kRowsPerWarp; ++r) {
      Value m = carried[r * stateSize];
      Value l = carried[r * stateSize + 1];
      Value visible = e.both(laneHasKey, e.ult(j, mine[r].limit));
      Value s = scores[r];
      if (hasMask)
        s = e.fadd(s, e.loadOrZero(visible, mask, ValueRange{mine[r].pos, j}));
      s = e.select(visible, s, negInf);
      // New max over the tile; while every key so far is masked (max still
      // -inf) the weights are 0 and the old state is kept as it is, never
      // exp(-inf - -inf).
      auto max = [&](Value x, Value y) -> Value { return e.fmax(x, y); };
      Value mNew = e.fmax(m, e.butterfly(s, max));
      Value dead = e.feq(mNew, negInf);
      Value p =
          e.select(dead, fzero, e.exp(arith::SubFOp::create(b, loc, s, mNew)));
      Value alpha = e.select(dead, e.f32(1.0),
                             e.exp(arith::SubFOp::create(b, loc, m, mNew)));
      probs.push_back(p);
      alphas.push_back(alpha);
      yielded.push_back(mNew);
      yielded.push_back(e.fadd(e.fmul(l, alpha), p));
      for (int64_t c = 0; c < plan.dvChunks; ++c)
        yielded.push_back(e.fmul(carried[r * stateSize + 2 + c], alpha));
    }

    // acc += p_j * V[j] over the tile's keys: key jj's weight is
    // broadcast from lane jj, V's row read once for all rows.
    SmallVector<Value> accInit;
    for (int64_t r = 0; r < kRowsPerWarp; ++r)
      for (int64_t c = 0; c < plan.dvChunks; ++c)
        accInit.push_back(yielded[r * stateSize + 2 + c]);
    SmallVector<Value> accs =
        e.unrolledLoop(plan.keyTile, 4, accInit, [&](Value jj, ValueRange acc) {
          Value src = e.toI32(jj);
          SmallVector<Value> weights;
          for (int64_t r = 0; r < kRowsPerWarp; ++r)
            weights.push_back(e.shuffle(probs[r], src, gpu::ShuffleMode::IDX));
          SmallVector<Value> next(acc);
          for (int64_t c = 0; c < plan.dvChunks; ++c) {
            Value col = e.add(lane, e.index(c * kWarpSize));
            Value vx =
                memref::LoadOp::create(b, loc, vTile, ValueRange{jj, col});
            for (int64_t r = 0; r < kRowsPerWarp; ++r) {
              Value &a = next[r * plan.dvChunks + c];
              a = e.fadd(a, e.fmul(weights[r], vx));
            }
          }
          return next;
        });
    for (int64_t r = 0; r < kRowsPerWarp; ++r)
      for (int64_t c = 0; c < plan.dvChunks; ++c)
        yielded[r * stateSize + 2 + c] = accs[r * plan.dvChunks + c];
    // The next stage overwrites the tiles that slower warps may still read.
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, yielded);
  }

  // out = acc / l, 0 for a row without a visible key (l == 0).
  Type elt = plan.elt;
  for (int64_t r = 0; r < kRowsPerWarp; ++r) {
    Value l =
        e.butterfly(loop.getResult(r * stateSize + 1),
                    [&](Value x, Value y) -> Value { return e.fadd(x, y); });
    Value empty = e.feq(l, fzero);
    for (int64_t c = 0; c < plan.dvChunks; ++c) {
      Value col = e.add(lane, e.index(c * kWarpSize));
      Value inBounds = mine[r].valid;
      if ((c + 1) * kWarpSize > plan.dv)
        inBounds = e.both(inBounds, e.ult(col, e.index(plan.dv)));
      auto guard =
          scf::IfOp::create(b, loc, inBounds, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPoint(guard.thenBlock()->getTerminator());
      Value quotient = arith::DivFOp::create(
          b, loc, loop.getResult(r * stateSize + 2 + c), l);
      Value o = e.select(empty, fzero, quotient);
      memref::StoreOp::create(b, loc, e.fromF32(o, elt), out,
                              indices(mine[r].qHead, mine[r].pos, col));
    }
  }

  call.erase();
}

struct GPUFlashAttentionPass
    : public xfmr::impl::GPUFlashAttentionBase<GPUFlashAttentionPass> {
  using GPUFlashAttentionBase::GPUFlashAttentionBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!buildKernels) {
      SmallVector<AttentionOp> ops;
      module.walk([&](AttentionOp op) {
        auto shaped = [](Value v) {
          return v ? dyn_cast<ShapedType>(v.getType()) : ShapedType();
        };
        if (planFor(shaped(op.getQ()), shaped(op.getK()), shaped(op.getV()),
                    shaped(op.getMask()), shaped(op.getResult())))
          ops.push_back(op);
      });
      int counter = 0;
      for (AttentionOp op : ops)
        replaceByCall(op, module, counter);
      return;
    }

    auto build = [](func::CallOp call) -> LogicalResult {
      ValueRange operands = call.getOperands();
      auto shaped = [&](int64_t i) {
        return dyn_cast<MemRefType>(operands[i].getType());
      };
      std::optional<Plan> plan;
      if (operands.size() == 4 || operands.size() == 5)
        plan = planFor(shaped(0), shaped(1), shaped(2),
                       operands.size() == 5 ? shaped(3) : MemRefType(),
                       shaped(operands.size() - 1));
      if (!plan)
        return call.emitError(
            "unexpected operands for the flash attention kernel");
      buildFlashAttention(call, *plan);
      return success();
    };
    if (failed(xfmr::buildPlaceholderCalls(module, kKernelAttr, build)))
      signalPassFailure();
  }
};

} // namespace
