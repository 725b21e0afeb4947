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

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
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

/// Shared tiles are k-major ([k][m] and [k][n]) so that the inner product
/// reads a thread's kThreadM (kThreadN) consecutive values of one k as one
/// 128-bit read. The tiles of operands whose k is contiguous in memory are
/// transposed while staged; 4 floats of padding per row spread those
/// column stores over more banks and keep every row 16-byte aligned.
constexpr int64_t kPad = 4;

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

  Value toF32(Value v) {
    if (v.getType().isF32())
      return v;
    return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  }
  Value fromF32(Value v, Type type) {
    if (type.isF32())
      return v;
    return arith::TruncFOp::create(b, loc, type, v);
  }

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

/// Stages a tile of an operand whose k is its contiguous (second) dimension:
/// source[base + r][k0 + c] -> tile[c][r] for r < rows, c < kTileK.
/// Neighbouring threads read neighbouring k of one row, so that each row
/// segment is one coalesced access.
void stageKContiguous(KernelBuilder &kb, Value tid, Value source, Value tile,
                      int64_t rows, Value base, Value extent, Value k0,
                      Value k) {
  Value c = arith::RemUIOp::create(kb.b, kb.loc, tid, kb.index(kTileK));
  Value r0 = arith::DivUIOp::create(kb.b, kb.loc, tid, kb.index(kTileK));
  Value gk = kb.add(k0, c);
  Value kInBounds = kb.below(gk, k);
  for (int64_t i = 0; i < rows * kTileK / kThreads; ++i) {
    Value r = kb.add(r0, kb.index(i * kThreads / kTileK));
    Value gr = kb.add(base, r);
    Value inBounds = kb.both(kb.below(gr, extent), kInBounds);
    Value v = kb.loadOrZero(source, gr, gk, inBounds);
    memref::StoreOp::create(kb.b, kb.loc, v, tile, ValueRange{c, r});
  }
}

/// Stages a tile of B[k][n], n contiguous: B[k0 + r][base + c] ->
/// tile[r][c], neighbouring threads on neighbouring n.
void stageNContiguous(KernelBuilder &kb, Value tid, Value source, Value tile,
                      Value base, Value extent, Value k0, Value k) {
  Value c = arith::RemUIOp::create(kb.b, kb.loc, tid, kb.index(kTileN));
  Value r0 = arith::DivUIOp::create(kb.b, kb.loc, tid, kb.index(kTileN));
  Value gn = kb.add(base, c);
  Value nInBounds = kb.below(gn, extent);
  for (int64_t i = 0; i < kTileN * kTileK / kThreads; ++i) {
    Value r = kb.add(r0, kb.index(i * kThreads / kTileN));
    Value gk = kb.add(k0, r);
    Value inBounds = kb.both(kb.below(gk, k), nInBounds);
    Value v = kb.loadOrZero(source, gk, gn, inBounds);
    memref::StoreOp::create(kb.b, kb.loc, v, tile, ValueRange{r, c});
  }
}

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
  auto aTileType =
      MemRefType::get({kTileK, kTileM + kPad}, f32, AffineMap(), workgroup);
  auto bTileType =
      MemRefType::get({kTileK, kTileN + kPad}, f32, AffineMap(), workgroup);
  auto launch = gpu::LaunchOp::create(
      b, loc, gridX, gridY, one, host.index(kThreads), one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange(),
      /*workgroupAttributions=*/TypeRange{aTileType, bTileType});
  Block &body = launch.getBody().front();
  b.setInsertionPointToEnd(&body);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&body);
  Value aTile = launch.getWorkgroupAttributions()[0];
  Value bTile = launch.getWorkgroupAttributions()[1];

  KernelBuilder kb(b, loc);
  Value tid = launch.getThreadIds().x;
  Value blockM = kb.mul(launch.getBlockIds().x, kb.index(kTileM));
  Value blockN = kb.mul(launch.getBlockIds().y, kb.index(kTileN));
  // The thread's sub-tile: rows ty*kThreadM.., columns tx*kThreadN.. of the
  // block's tile.
  Value tx = arith::RemUIOp::create(b, loc, tid, kb.index(kThreadsAlongN));
  Value ty = arith::DivUIOp::create(b, loc, tid, kb.index(kThreadsAlongN));
  Value rowBase = kb.mul(ty, kb.index(kThreadM));
  Value colBase = kb.mul(tx, kb.index(kThreadN));

  // Every thread runs every stage (the trip count is uniform), so both
  // barriers are reached by the whole block; only the loads are guarded.
  Value stages = arith::CeilDivUIOp::create(b, loc, k, kb.index(kTileK));
  Value fzero = arith::ConstantFloatOp::create(
      b, loc, f32, APFloat::getZero(APFloat::IEEEsingle()));
  SmallVector<Value> init(kThreadM * kThreadN, fzero);
  auto loop = scf::ForOp::create(b, loc, zero, stages, one, init);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    Value k0 = kb.mul(loop.getInductionVar(), kb.index(kTileK));
    stageKContiguous(kb, tid, a, aTile, kTileM, blockM, m, k0, k);
    if (layout == BLayout::NK)
      stageKContiguous(kb, tid, bMat, bTile, kTileN, blockN, n, k0, k);
    else
      stageNContiguous(kb, tid, bMat, bTile, blockN, n, k0, k);
    gpu::BarrierOp::create(b, loc);

    // The accumulators are SSA values carried by the loop (registers, not
    // an array that could live in local memory); the stage's reduction
    // steps are unrolled here so that every shared read has a constant k.
    SmallVector<Value> acc(loop.getRegionIterArgs());
    auto contract = arith::FastMathFlags::contract;
    for (int64_t kk = 0; kk < kTileK; ++kk) {
      Value kIndex = kb.index(kk);
      SmallVector<Value> as, bs;
      for (int64_t i = 0; i < kThreadM; ++i)
        as.push_back(memref::LoadOp::create(
            b, loc, aTile, ValueRange{kIndex, kb.add(rowBase, kb.index(i))}));
      for (int64_t j = 0; j < kThreadN; ++j)
        bs.push_back(memref::LoadOp::create(
            b, loc, bTile, ValueRange{kIndex, kb.add(colBase, kb.index(j))}));
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
    for (auto [op, layout] : matmuls)
      tileMatmul(op, layout);
  }
};

} // namespace
