//===- FMAMatmulKernel.cpp - tiled f32 FMA matmul kernel ------------------===//
//
// The kernel that xfmr-gpu-tile-matmul gives matmuls on CUDA cores: f32
// operands, or operands of different types. C is tiled into blocks, A and
// the B operands are staged through shared memory, and each thread
// accumulates a small sub-tile in registers. The pass description in
// Passes.td states the kernel's shape and its launch.
//
//===----------------------------------------------------------------------===//

#include "GPUMatmulKernel.h"

#include "Conversion/XfmrToLinalg/LoweringUtils.h"
#include "GPUKernelLaunch.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace {

/// A block computes a kTileM x kTileN tile of C, kTileK reduction steps per
/// shared-memory stage; each of its 16 x 16 threads owns a kThreadM x
/// kThreadN sub-tile held in registers.
constexpr int64_t kTileM = 64;
constexpr int64_t kTileN = 64;
constexpr int64_t kTileK = 16;
constexpr int64_t kThreadM = 4;
constexpr int64_t kThreadN = 4;
constexpr int64_t kThreadsAlongN = kTileN / kThreadN;
constexpr int64_t kThreads = (kTileM / kThreadM) * kThreadsAlongN;
static_assert(kThreads == 256, "the staging loops assume 256 threads");
static_assert(kTileM * kTileK % kThreads == 0 &&
                  kTileN * kTileK % kThreads == 0,
              "every thread stages the same number of elements");

/// Shared tiles are k-major ([k][m] and [k][n]) arrays of 4-float vectors:
/// the vector element type aligns them to 16 bytes, so that the inner
/// product reads a thread's kThreadM (kThreadN) consecutive values of one k
/// as one 128-bit read, and each thread stages 4 consecutive values with
/// one 128-bit write. 4 floats of padding per row make the writes of the
/// tiles that are transposed while staged hit distinct banks.
constexpr int64_t kVector = 4;
constexpr int64_t kPad = 4;
static_assert(kThreadM == kVector && kThreadN == kVector,
              "a thread's sub-tile row is one shared vector");
static_assert(kTileM * kTileK == kThreads * kVector &&
                  kTileN * kTileK == kThreads * kVector,
              "every thread stages one vector of each tile per stage");

/// Builds the kernel at a builder's position inside the launch body.
class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value below(Value x, Value bound) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, bound);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }

  Value toF32(Value v) { return xfmr::toF32(b, loc, v); }
  Value fromF32(Value v, Type type) { return xfmr::fromF32(b, loc, v, type); }

  /// source[row][col] as f32 when `inBounds`, else 0: the zero fill makes
  /// the products of the K tail vanish (both factors are 0, never 0 * inf),
  /// and rows or columns past M or N only reach outputs that are not
  /// stored.
  Value loadOrZero(Value source, Value group, Value row, Value col,
                   Value inBounds) {
    auto guard = scf::IfOp::create(b, loc, b.getF32Type(), inBounds,
                                   /*withElseRegion=*/true);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(guard.thenBlock());
    SmallVector<Value> indices{row, col};
    if (group)
      indices.insert(indices.begin(), group);
    Value loaded = memref::LoadOp::create(b, loc, source, indices);
    scf::YieldOp::create(b, loc, toF32(loaded));
    b.setInsertionPointToStart(guard.elseBlock());
    Value zero = arith::ConstantFloatOp::create(
        b, loc, b.getF32Type(), APFloat::getZero(APFloat::IEEEsingle()));
    scf::YieldOp::create(b, loc, zero);
    return guard.getResult(0);
  }

  OpBuilder &b;
  Location loc;
};

/// The staging of one operand tile: thread t holds one vector of it,
/// tile[kk][q] (the 4 values at m or n = 4q .. 4q+3 of reduction step kk).
/// Split in two so that the global loads of the next stage are issued
/// before the current stage's arithmetic and stored to shared memory only
/// after it: `load` reads this thread's 4 values of the tile starting at
/// reduction step k0 into registers (as f32, 0 outside the operand),
/// `store` writes them to the shared tile as one vector.
struct TileStaging {
  Value source;
  /// source[row][k] (A, and B[n][k]): the tile is transposed while staged;
  /// else source[k][n].
  bool kContiguous;
  Value base;   // first row (k-contiguous) or column of the tile
  Value extent; // M or N: rows or columns past it read 0
  Value k;      // K: reduction steps past it read 0
  Value kk;     // this thread's reduction step within the tile
  Value q;      // this thread's vector within the tile's row
  Value group;  // the leading index of a grouped B (else null)

  /// Neighbouring threads read neighbouring elements of the operand's
  /// contiguous dimension, so that each warp's loads are coalesced: along
  /// k for the k-contiguous operands (16 threads per row), along n for
  /// B[k][n] (16 threads, 4 values each, per row). Both splits of the
  /// thread index are by 16: tid % 16 and tid / 16 each range over the 16
  /// reduction steps or the 16 vectors of a tile row.
  static_assert(kTileK == 16 && kTileM / kVector == 16 &&
                    kTileN / kVector == 16 && kThreads == 16 * 16,
                "the staging splits the thread index by 16");
  static TileStaging create(KernelBuilder &kb, Value tid, Value source,
                            Value group, bool kContiguous, Value base,
                            Value extent, Value k) {
    Value sixteen = kb.index(kTileK);
    Value rem = arith::RemUIOp::create(kb.b, kb.loc, tid, sixteen);
    Value quot = arith::DivUIOp::create(kb.b, kb.loc, tid, sixteen);
    if (kContiguous)
      return {source, kContiguous, base, extent, k, rem, quot, group};
    return {source, kContiguous, base, extent, k, quot, rem, group};
  }

  SmallVector<Value> load(KernelBuilder &kb, Value k0) const {
    SmallVector<Value> values;
    Value step = kb.add(k0, kk);
    Value stepInBounds = kb.below(step, k);
    Value first = kb.add(base, kb.mul(q, kb.index(kVector)));
    for (int64_t i = 0; i < kVector; ++i) {
      Value along = kb.add(first, kb.index(i));
      Value inBounds = kb.both(kb.below(along, extent), stepInBounds);
      values.push_back(
          kContiguous ? kb.loadOrZero(source, group, along, step, inBounds)
                      : kb.loadOrZero(source, group, step, along, inBounds));
    }
    return values;
  }

  void store(KernelBuilder &kb, Value tile, ValueRange values) const {
    auto type = VectorType::get({kVector}, kb.b.getF32Type());
    Value vector = vector::FromElementsOp::create(kb.b, kb.loc, type, values);
    memref::StoreOp::create(kb.b, kb.loc, vector, tile, ValueRange{kk, q});
  }
};

} // namespace

gpu::LaunchOp
mlir::xfmr::buildFMAMatmulKernel(OpBuilder &b, Location loc,
                                 const GPUMatmulProblem &problem) {
  MLIRContext *context = b.getContext();
  Value n = problem.n, k = problem.k;
  const int64_t numB = problem.bs.size();

  KernelBuilder host(b, loc);
  Value zero = host.index(0);
  Value one = host.index(1);
  // M on x (up to 2^31 - 1 blocks: any token count), N on y. An empty C
  // still launches one block (a grid of 0 is an error) whose stores are all
  // out of bounds.
  Value gridX = xfmr::gridRowBlocks(b, loc, problem, kTileM);
  Value gridY = arith::MaxUIOp::create(
      b, loc, arith::CeilDivUIOp::create(b, loc, n, host.index(kTileN)), one);

  auto workgroup =
      gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup);
  FloatType f32 = b.getF32Type();
  auto vectorType = VectorType::get({kVector}, f32);
  auto aTileType = MemRefType::get({kTileK, (kTileM + kPad) / kVector},
                                   vectorType, AffineMap(), workgroup);
  auto bTileType = MemRefType::get({kTileK, (kTileN + kPad) / kVector},
                                   vectorType, AffineMap(), workgroup);
  SmallVector<Type> tileTypes{aTileType};
  tileTypes.append(numB, bTileType);
  gpu::LaunchOp launch = xfmr::createKernelLaunch(
      b, loc, gridX, gridY, one, host.index(kThreads), tileTypes);
  Value aTile = launch.getWorkgroupAttributions()[0];
  ValueRange bTiles = launch.getWorkgroupAttributions().drop_front();

  KernelBuilder kb(b, loc);
  Value tid = launch.getThreadIds().x;
  xfmr::BlockRows rows =
      xfmr::blockRows(b, loc, problem, launch.getBlockIds().x, kTileM);
  Value blockM = rows.first;
  Value blockN = kb.mul(launch.getBlockIds().y, kb.index(kTileN));
  // The thread's sub-tile: rows ty*kThreadM.., columns tx*kThreadN.. of the
  // block's tile, that is shared vectors ty of the A tile and tx of the B
  // tiles.
  Value tx = arith::RemUIOp::create(b, loc, tid, kb.index(kThreadsAlongN));
  Value ty = arith::DivUIOp::create(b, loc, tid, kb.index(kThreadsAlongN));
  Value rowBase = kb.mul(ty, kb.index(kThreadM));
  Value colBase = kb.mul(tx, kb.index(kThreadN));

  SmallVector<TileStaging> stagings{TileStaging::create(
      kb, tid, problem.a, Value(), /*kContiguous=*/true, blockM, rows.end, k)};
  for (Value bMat : problem.bs)
    stagings.push_back(TileStaging::create(kb, tid, bMat, rows.group,
                                           problem.bKContiguous, blockN, n, k));
  SmallVector<Value> tiles{aTile};
  llvm::append_range(tiles, bTiles);

  // The loop carries the accumulators and the next stage's operand values,
  // all SSA values (registers, not an array that could live in local
  // memory). Every thread runs every stage (the trip count is uniform), so
  // both barriers are reached by the whole block; only the loads are
  // guarded. The last stage's prefetch is past K: all guarded off.
  constexpr int64_t perB = kThreadM * kThreadN;
  const int64_t numAcc = numB * perB;
  Value stages = arith::CeilDivUIOp::create(b, loc, k, kb.index(kTileK));
  // A block with no rows (past the tiles of a grouped matmul) skips the
  // loop: the same for all its threads.
  if (rows.group)
    stages = arith::SelectOp::create(b, loc, kb.below(rows.first, rows.end),
                                     stages, zero);
  Value fzero = arith::ConstantFloatOp::create(
      b, loc, f32, APFloat::getZero(APFloat::IEEEsingle()));
  SmallVector<Value> init(numAcc, fzero);
  for (const TileStaging &staging : stagings)
    llvm::append_range(init, staging.load(kb, zero));
  auto loop = scf::ForOp::create(b, loc, zero, stages, one, init);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    ValueRange carried = loop.getRegionIterArgs();
    for (auto [i, staging] : llvm::enumerate(stagings))
      staging.store(kb, tiles[i], carried.slice(numAcc + i * kVector, kVector));
    gpu::BarrierOp::create(b, loc);

    Value next = kb.mul(kb.add(loop.getInductionVar(), one), kb.index(kTileK));
    SmallVector<Value> prefetched;
    for (const TileStaging &staging : stagings)
      llvm::append_range(prefetched, staging.load(kb, next));

    // The stage's reduction steps are unrolled so that every shared read
    // has a constant k.
    SmallVector<Value> acc(carried.take_front(numAcc));
    auto contract = arith::FastMathFlags::contract;
    auto lanes = [&](Value vector, int64_t count) {
      SmallVector<Value> values;
      for (int64_t i = 0; i < count; ++i)
        values.push_back(vector::ExtractOp::create(b, loc, vector, i));
      return values;
    };
    for (int64_t kk = 0; kk < kTileK; ++kk) {
      Value kIndex = kb.index(kk);
      SmallVector<Value> as =
          lanes(memref::LoadOp::create(b, loc, aTile, ValueRange{kIndex, ty}),
                kThreadM);
      for (int64_t bi = 0; bi < numB; ++bi) {
        SmallVector<Value> bs = lanes(
            memref::LoadOp::create(b, loc, bTiles[bi], ValueRange{kIndex, tx}),
            kThreadN);
        for (int64_t i = 0; i < kThreadM; ++i)
          for (int64_t j = 0; j < kThreadN; ++j) {
            Value &sum = acc[bi * perB + i * kThreadN + j];
            Value product =
                arith::MulFOp::create(b, loc, as[i], bs[j], contract);
            sum = arith::AddFOp::create(b, loc, sum, product, contract);
          }
      }
    }
    // The next stage overwrites the tiles that slower threads may still be
    // reading.
    gpu::BarrierOp::create(b, loc);
    llvm::append_range(acc, prefetched);
    scf::YieldOp::create(b, loc, acc);
  }

  // Each in-bounds element of the sub-tile goes to the problem's result.
  for (int64_t i = 0; i < kThreadM; ++i) {
    Value row = kb.add(blockM, kb.add(rowBase, kb.index(i)));
    Value rowInBounds = kb.below(row, rows.end);
    for (int64_t j = 0; j < kThreadN; ++j) {
      Value col = kb.add(blockN, kb.add(colBase, kb.index(j)));
      Value inBounds = kb.both(rowInBounds, kb.below(col, n));
      auto guard =
          scf::IfOp::create(b, loc, inBounds, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPoint(guard.thenBlock()->getTerminator());
      SmallVector<Value> sums;
      for (int64_t bi = 0; bi < numB; ++bi)
        sums.push_back(loop.getResult(bi * perB + i * kThreadN + j));
      problem.emitResult(b, loc, row, col, sums);
    }
  }
  return launch;
}
