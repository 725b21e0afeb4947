//===- GPUTileMatmul.cpp - linalg.matmul on buffers -> tiled gpu.launch ---===//
//
// Replaces the matmuls of the GPU pipeline's bufferized host functions by
// kernels that tile C into blocks and stage A and B through shared memory,
// instead of the one-thread-per-output loops that the generic lowering
// makes of them. See the pass description in Passes.td for the kernel's
// shape and its launch.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "Conversion/XfmrToLinalg/LoweringUtils.h"
#include "GPUKernelLaunch.h"
#include "TensorCoreMatmulKernel.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_GPUTILEMATMUL
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

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

/// How B is indexed: B[k][n] (linalg.matmul's default) or B[n][k] (the
/// weights of nn.Linear, which xfmr.linear lowers to).
enum class BLayout { KN, NK };

/// The layout of B when `op` is C[m,n] += A[m,k] * B with floating-point
/// operands this kernel handles; nothing otherwise (the op then goes
/// through the generic loop lowering, which handles every form).
std::optional<BLayout> matchMatmul(linalg::MatmulOp op) {
  if (!op.hasPureBufferSemantics())
    return std::nullopt;
  auto isStaged = [](Value v) {
    Type t = cast<MemRefType>(v.getType()).getElementType();
    return isa<Float16Type, BFloat16Type, Float32Type>(t);
  };
  if (!isStaged(op.getDpsInputs()[0]) || !isStaged(op.getDpsInputs()[1]) ||
      !isStaged(op.getDpsInits()[0]))
    return std::nullopt;

  MLIRContext *context = op.getContext();
  AffineExpr m, n, k;
  bindDims(context, m, n, k);
  auto map = [&](AffineExpr row, AffineExpr col) {
    return AffineMap::get(3, 0, {row, col}, context);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps.size() != 3 || maps[0] != map(m, k) || maps[2] != map(m, n))
    return std::nullopt;
  if (maps[1] == map(k, n))
    return BLayout::KN;
  if (maps[1] == map(n, k))
    return BLayout::NK;
  return std::nullopt;
}

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
  Value loadOrZero(Value source, Value row, Value col, Value inBounds) {
    auto guard = scf::IfOp::create(b, loc, b.getF32Type(), inBounds,
                                   /*withElseRegion=*/true);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(guard.thenBlock());
    Value loaded = memref::LoadOp::create(b, loc, source, ValueRange{row, col});
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
                            bool kContiguous, Value base, Value extent,
                            Value k) {
    Value sixteen = kb.index(kTileK);
    Value rem = arith::RemUIOp::create(kb.b, kb.loc, tid, sixteen);
    Value quot = arith::DivUIOp::create(kb.b, kb.loc, tid, sixteen);
    if (kContiguous)
      return {source, kContiguous, base, extent, k, rem, quot};
    return {source, kContiguous, base, extent, k, quot, rem};
  }

  SmallVector<Value> load(KernelBuilder &kb, Value k0) const {
    SmallVector<Value> values;
    Value step = kb.add(k0, kk);
    Value stepInBounds = kb.below(step, k);
    Value first = kb.add(base, kb.mul(q, kb.index(kVector)));
    for (int64_t i = 0; i < kVector; ++i) {
      Value along = kb.add(first, kb.index(i));
      Value inBounds = kb.both(kb.below(along, extent), stepInBounds);
      values.push_back(kContiguous
                           ? kb.loadOrZero(source, along, step, inBounds)
                           : kb.loadOrZero(source, step, along, inBounds));
    }
    return values;
  }

  void store(KernelBuilder &kb, Value tile, ValueRange values) const {
    auto type = VectorType::get({kVector}, kb.b.getF32Type());
    Value vector = vector::FromElementsOp::create(kb.b, kb.loc, type, values);
    memref::StoreOp::create(kb.b, kb.loc, vector, tile, ValueRange{kk, q});
  }
};

void tileMatmul(linalg::MatmulOp op, BLayout layout) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  MLIRContext *context = op.getContext();
  Value a = op.getDpsInputs()[0];
  Value bMat = op.getDpsInputs()[1];
  Value c = op.getDpsInits()[0];
  Type cType = cast<MemRefType>(c.getType()).getElementType();

  KernelBuilder host(b, loc);
  Value zero = host.index(0);
  Value one = host.index(1);
  Value m = memref::DimOp::create(b, loc, c, zero);
  Value n = memref::DimOp::create(b, loc, c, one);
  Value k = memref::DimOp::create(b, loc, a, one);
  // M on x (up to 2^31 - 1 blocks: any token count), N on y. An empty C
  // still launches one block (a grid of 0 is an error) whose stores are all
  // out of bounds.
  auto blocks = [&](Value extent, int64_t tile) -> Value {
    Value count = arith::CeilDivUIOp::create(b, loc, extent, host.index(tile));
    return arith::MaxUIOp::create(b, loc, count, one);
  };
  Value gridX = blocks(m, kTileM);
  Value gridY = blocks(n, kTileN);

  auto workgroup =
      gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup);
  FloatType f32 = b.getF32Type();
  auto vectorType = VectorType::get({kVector}, f32);
  auto aTileType = MemRefType::get({kTileK, (kTileM + kPad) / kVector},
                                   vectorType, AffineMap(), workgroup);
  auto bTileType = MemRefType::get({kTileK, (kTileN + kPad) / kVector},
                                   vectorType, AffineMap(), workgroup);
  gpu::LaunchOp launch =
      xfmr::createKernelLaunch(b, loc, gridX, gridY, one, host.index(kThreads),
                               TypeRange{aTileType, bTileType});
  Value aTile = launch.getWorkgroupAttributions()[0];
  Value bTile = launch.getWorkgroupAttributions()[1];

  KernelBuilder kb(b, loc);
  Value tid = launch.getThreadIds().x;
  Value blockM = kb.mul(launch.getBlockIds().x, kb.index(kTileM));
  Value blockN = kb.mul(launch.getBlockIds().y, kb.index(kTileN));
  // The thread's sub-tile: rows ty*kThreadM.., columns tx*kThreadN.. of the
  // block's tile, that is shared vectors ty of the A tile and tx of the B
  // tile.
  Value tx = arith::RemUIOp::create(b, loc, tid, kb.index(kThreadsAlongN));
  Value ty = arith::DivUIOp::create(b, loc, tid, kb.index(kThreadsAlongN));
  Value rowBase = kb.mul(ty, kb.index(kThreadM));
  Value colBase = kb.mul(tx, kb.index(kThreadN));

  TileStaging aStaging =
      TileStaging::create(kb, tid, a, /*kContiguous=*/true, blockM, m, k);
  TileStaging bStaging =
      TileStaging::create(kb, tid, bMat, layout == BLayout::NK, blockN, n, k);

  // The loop carries the accumulators and the next stage's operand values,
  // all SSA values (registers, not an array that could live in local
  // memory). Every thread runs every stage (the trip count is uniform), so
  // both barriers are reached by the whole block; only the loads are
  // guarded. The last stage's prefetch is past K: all guarded off.
  Value stages = arith::CeilDivUIOp::create(b, loc, k, kb.index(kTileK));
  Value fzero = arith::ConstantFloatOp::create(
      b, loc, f32, APFloat::getZero(APFloat::IEEEsingle()));
  SmallVector<Value> init(kThreadM * kThreadN, fzero);
  SmallVector<Value> aFirst = aStaging.load(kb, zero);
  SmallVector<Value> bFirst = bStaging.load(kb, zero);
  int64_t numAcc = init.size(), numA = aFirst.size();
  llvm::append_range(init, aFirst);
  llvm::append_range(init, bFirst);
  auto loop = scf::ForOp::create(b, loc, zero, stages, one, init);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    ValueRange carried = loop.getRegionIterArgs();
    aStaging.store(kb, aTile, carried.slice(numAcc, numA));
    bStaging.store(kb, bTile, carried.drop_front(numAcc + numA));
    gpu::BarrierOp::create(b, loc);

    Value next = kb.mul(kb.add(loop.getInductionVar(), one), kb.index(kTileK));
    SmallVector<Value> aNext = aStaging.load(kb, next);
    SmallVector<Value> bNext = bStaging.load(kb, next);

    // The stage's reduction steps are unrolled so that every shared read
    // has a constant k.
    SmallVector<Value> acc(carried.take_front(numAcc));
    auto contract = arith::FastMathFlags::contract;
    for (int64_t kk = 0; kk < kTileK; ++kk) {
      Value kIndex = kb.index(kk);
      Value aVector =
          memref::LoadOp::create(b, loc, aTile, ValueRange{kIndex, ty});
      Value bVector =
          memref::LoadOp::create(b, loc, bTile, ValueRange{kIndex, tx});
      SmallVector<Value> as, bs;
      for (int64_t i = 0; i < kThreadM; ++i)
        as.push_back(vector::ExtractOp::create(b, loc, aVector, i));
      for (int64_t j = 0; j < kThreadN; ++j)
        bs.push_back(vector::ExtractOp::create(b, loc, bVector, j));
      for (int64_t i = 0; i < kThreadM; ++i)
        for (int64_t j = 0; j < kThreadN; ++j) {
          Value &sum = acc[i * kThreadN + j];
          Value product = arith::MulFOp::create(b, loc, as[i], bs[j], contract);
          sum = arith::AddFOp::create(b, loc, sum, product, contract);
        }
    }
    // The next stage overwrites the tiles that slower threads may still be
    // reading.
    gpu::BarrierOp::create(b, loc);
    llvm::append_range(acc, aNext);
    llvm::append_range(acc, bNext);
    scf::YieldOp::create(b, loc, acc);
  }

  // C keeps linalg's accumulate semantics: it holds zeros, a bias or a
  // partial result, and the block's sum is added to it.
  for (int64_t i = 0; i < kThreadM; ++i) {
    Value row = kb.add(blockM, kb.add(rowBase, kb.index(i)));
    Value rowInBounds = kb.below(row, m);
    for (int64_t j = 0; j < kThreadN; ++j) {
      Value col = kb.add(blockN, kb.add(colBase, kb.index(j)));
      Value inBounds = kb.both(rowInBounds, kb.below(col, n));
      auto guard =
          scf::IfOp::create(b, loc, inBounds, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPoint(guard.thenBlock()->getTerminator());
      Value old = memref::LoadOp::create(b, loc, c, ValueRange{row, col});
      Value sum = arith::AddFOp::create(b, loc, kb.toF32(old),
                                        loop.getResult(i * kThreadN + j));
      memref::StoreOp::create(b, loc, kb.fromF32(sum, cType), c,
                              ValueRange{row, col});
    }
  }
  op.erase();
}

struct GPUTileMatmulPass
    : public xfmr::impl::GPUTileMatmulBase<GPUTileMatmulPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::MatmulOp, BLayout>> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return;
      if (std::optional<BLayout> layout = matchMatmul(op))
        matmuls.push_back({op, *layout});
    });
    for (auto [op, layout] : matmuls) {
      if (xfmr::isTensorCoreMatmul(op))
        xfmr::emitTensorCoreMatmul(op, layout == BLayout::NK);
      else
        tileMatmul(op, layout);
    }
  }
};

} // namespace
