//===- TensorCoreMatmulKernel.cpp - f16/bf16 matmuls on mma.sync ----------===//
//
// Builds the kernel that xfmr-gpu-tile-matmul gives the matmuls whose
// operands are f16 or bf16: warps compute tiles of C with the m16n8k16
// tensor-core instruction (nvvm.mma.sync, PTX mma.sync.aligned), the
// operands staged through shared memory in their own type. The pass
// description in Passes.td states what the kernel does and why it is built
// on nvvm.mma.sync rather than on the gpu or nvgpu dialects.
//
//===----------------------------------------------------------------------===//

#include "GPUMatmulKernel.h"

#include "GPUKernelLaunch.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace {

/// A block of kWarpsM x kWarpsN warps computes a kTileM x kTileN tile of C;
/// each warp a kWarpTileM x kWarpTileN tile made of kFragsM x kFragsN
/// m16n8k16 accumulator fragments. K is staged kTileK steps at a time.
constexpr int64_t kTileM = 64;
constexpr int64_t kTileN = 64;
constexpr int64_t kTileK = 32;
constexpr int64_t kWarpSize = 32;
constexpr int64_t kWarpsM = 2;
constexpr int64_t kWarpsN = 2;
constexpr int64_t kThreads = kWarpsM * kWarpsN * kWarpSize;
constexpr int64_t kWarpTileM = kTileM / kWarpsM;
constexpr int64_t kWarpTileN = kTileN / kWarpsN;
constexpr int64_t kMmaM = 16;
constexpr int64_t kMmaN = 8;
constexpr int64_t kMmaK = 16;
constexpr int64_t kFragsM = kWarpTileM / kMmaM;
constexpr int64_t kFragsN = kWarpTileN / kMmaN;
static_assert(kTileK % kMmaK == 0, "a stage is whole mma steps");

/// Shared tiles hold pairs of consecutive k (vector<2xT>, one 32-bit
/// register of an mma fragment) and are k-contiguous for both operands:
/// [m][k / 2] for A and [n][k / 2] for B, which is the "row" A and "col" B
/// layout mma.sync reads. A row is kPairs pairs plus 4 of padding (16
/// bytes): rows then start on banks 0, 20, 8, 28, 16, 4, 24, 12 (mod 32),
/// so the 8 rows x 4 pairs that a warp's fragment load reads hit 32
/// distinct banks.
constexpr int64_t kPairs = kTileK / 2;
constexpr int64_t kRowPairs = kPairs + 4;
static_assert(kTileM == kTileN, "both tiles share one staging split");
constexpr int64_t kPairsPerThread = kTileM * kPairs / kThreads;
static_assert(kTileM * kPairs % kThreads == 0 && kThreads % kPairs == 0 &&
                  kThreads % kTileN == 0,
              "every thread stages the same number of pairs");

Value index(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value add(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}
Value addc(OpBuilder &b, Location loc, Value x, int64_t y) {
  return y == 0 ? x : add(b, loc, x, index(b, loc, y));
}
Value mulc(OpBuilder &b, Location loc, Value x, int64_t y) {
  return arith::MulIOp::create(b, loc, x, index(b, loc, y));
}
Value divc(OpBuilder &b, Location loc, Value x, int64_t y) {
  return arith::DivUIOp::create(b, loc, x, index(b, loc, y));
}
Value remc(OpBuilder &b, Location loc, Value x, int64_t y) {
  return arith::RemUIOp::create(b, loc, x, index(b, loc, y));
}
Value below(OpBuilder &b, Location loc, Value x, Value bound) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, bound);
}

/// The staging of one operand: per stage, thread t holds kPairsPerThread
/// pairs of it in registers (loaded during the previous stage's
/// arithmetic) and writes them to the shared tile. Neighbouring threads
/// read neighbouring elements of the operand's contiguous dimension: along
/// k (16 threads per row of the tile) for A and B[n][k], along n (64
/// threads, each reading the two k of its pair from two rows) for B[k][n],
/// which is transposed to [n][k] on the way.
struct Staging {
  Value source;
  bool kContiguous;
  Type element;
  Value base;   // first m or n of the block's tile
  Value extent; // M or N: rows past it read 0
  Value k;      // K: steps past it read 0
  Value row;    // this thread's first row (m or n) of the tile
  Value pair;   // this thread's first k pair of the tile
  Value group;  // the leading index of a grouped B (else null)

  static Staging create(OpBuilder &b, Location loc, Value tid, Value source,
                        Value group, bool kContiguous, Value base, Value extent,
                        Value k) {
    Type element = cast<MemRefType>(source.getType()).getElementType();
    if (kContiguous)
      return {source,
              kContiguous,
              element,
              base,
              extent,
              k,
              divc(b, loc, tid, kPairs),
              remc(b, loc, tid, kPairs),
              group};
    return {source,
            kContiguous,
            element,
            base,
            extent,
            k,
            remc(b, loc, tid, kTileN),
            divc(b, loc, tid, kTileN),
            group};
  }

  /// Pair i of this thread: (row, pair) within the tile.
  std::pair<Value, Value> position(OpBuilder &b, Location loc,
                                   int64_t i) const {
    if (kContiguous)
      return {addc(b, loc, row, i * (kThreads / kPairs)), pair};
    return {row, addc(b, loc, pair, i * (kThreads / kTileN))};
  }

  /// source[row][col] when `inBounds`, else 0. Zeros past K make the
  /// products of the K tail 0 x 0 (never 0 x inf from data past the
  /// operand); rows past M or N only reach outputs that are not stored.
  Value loadOrZero(OpBuilder &b, Location loc, Value rowIndex, Value colIndex,
                   Value inBounds) const {
    auto guard = scf::IfOp::create(b, loc, element, inBounds,
                                   /*withElseRegion=*/true);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(guard.thenBlock());
    SmallVector<Value> indices{rowIndex, colIndex};
    if (group)
      indices.insert(indices.begin(), group);
    Value loaded = memref::LoadOp::create(b, loc, source, indices);
    scf::YieldOp::create(b, loc, loaded);
    b.setInsertionPointToStart(guard.elseBlock());
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
    scf::YieldOp::create(b, loc, zero);
    return guard.getResult(0);
  }

  /// This thread's pairs of the stage starting at reduction step k0.
  SmallVector<Value> load(OpBuilder &b, Location loc, Value k0) const {
    SmallVector<Value> pairs;
    auto pairType = VectorType::get({2}, element);
    for (int64_t i = 0; i < kPairsPerThread; ++i) {
      auto [r, p] = position(b, loc, i);
      Value along = add(b, loc, base, r);
      Value alongInBounds = below(b, loc, along, extent);
      Value first = add(b, loc, k0, mulc(b, loc, p, 2));
      SmallVector<Value> values;
      for (int64_t e = 0; e < 2; ++e) {
        Value step = addc(b, loc, first, e);
        Value inBounds = arith::AndIOp::create(b, loc, alongInBounds,
                                               below(b, loc, step, k));
        values.push_back(kContiguous
                             ? loadOrZero(b, loc, along, step, inBounds)
                             : loadOrZero(b, loc, step, along, inBounds));
      }
      pairs.push_back(vector::FromElementsOp::create(b, loc, pairType, values));
    }
    return pairs;
  }

  void store(OpBuilder &b, Location loc, Value tile, ValueRange pairs) const {
    for (int64_t i = 0; i < kPairsPerThread; ++i) {
      auto [r, p] = position(b, loc, i);
      memref::StoreOp::create(b, loc, pairs[i], tile, ValueRange{r, p});
    }
  }
};

} // namespace

bool mlir::xfmr::isTensorCoreMatmul(Type aElement, Type bElement) {
  return aElement == bElement && isa<Float16Type, BFloat16Type>(aElement);
}

gpu::LaunchOp
mlir::xfmr::buildTensorCoreMatmulKernel(OpBuilder &b, Location loc,
                                        const GPUMatmulProblem &problem) {
  MLIRContext *context = b.getContext();
  Value a = problem.a;
  Type element = cast<MemRefType>(a.getType()).getElementType();
  bool bf16 = element.isBF16();
  const int64_t numB = problem.bs.size();
  Value n = problem.n, k = problem.k;

  Value zero = index(b, loc, 0);
  Value one = index(b, loc, 1);
  // As the FMA kernel: M on x, N on y, and one block for an empty C (a grid
  // of 0 is an error) whose loads and stores are all guarded off.
  Value gridX = xfmr::gridRowBlocks(b, loc, problem, kTileM);
  Value gridY = arith::MaxUIOp::create(
      b, loc, arith::CeilDivUIOp::create(b, loc, n, index(b, loc, kTileN)),
      one);

  auto workgroup =
      gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup);
  auto pairType = VectorType::get({2}, element);
  auto aTileType =
      MemRefType::get({kTileM, kRowPairs}, pairType, AffineMap(), workgroup);
  auto bTileType =
      MemRefType::get({kTileN, kRowPairs}, pairType, AffineMap(), workgroup);
  SmallVector<Type> tileTypes{aTileType};
  tileTypes.append(numB, bTileType);
  gpu::LaunchOp launch = xfmr::createKernelLaunch(
      b, loc, gridX, gridY, one, index(b, loc, kThreads), tileTypes);
  SmallVector<Value> tiles(launch.getWorkgroupAttributions());

  Value tid = launch.getThreadIds().x;
  xfmr::BlockRows rows =
      xfmr::blockRows(b, loc, problem, launch.getBlockIds().x, kTileM);
  Value blockM = rows.first;
  Value blockN = mulc(b, loc, launch.getBlockIds().y, kTileN);
  // The fragment layouts of mma.m16n8k16 name a lane by its group (lane / 4,
  // a row of A and C, a column of B) and its place in the group (lane % 4,
  // a pair of k in A and B, a pair of columns in C).
  Value warp = divc(b, loc, tid, kWarpSize);
  Value lane = remc(b, loc, tid, kWarpSize);
  Value group = divc(b, loc, lane, 4);
  Value inGroup = remc(b, loc, lane, 4);
  Value warpRow = mulc(b, loc, divc(b, loc, warp, kWarpsN), kWarpTileM);
  Value warpCol = mulc(b, loc, remc(b, loc, warp, kWarpsN), kWarpTileN);

  SmallVector<Staging> stagings{Staging::create(
      b, loc, tid, a, Value(), /*kContiguous=*/true, blockM, rows.end, k)};
  for (Value bMat : problem.bs)
    stagings.push_back(Staging::create(b, loc, tid, bMat, rows.group,
                                       problem.bKContiguous, blockN, n, k));

  // As in the FMA kernel, the loop carries the accumulators and the next
  // stage's operand pairs as SSA values (registers), every thread runs
  // every stage, and both barriers are at the loop's top level. The
  // warp-collective mma.sync is reached by all 32 lanes of every warp in
  // the same iteration: no control flow depends on the lane.
  FloatType f32 = b.getF32Type();
  Value stages = arith::CeilDivUIOp::create(b, loc, k, index(b, loc, kTileK));
  // As in the FMA kernel, a block with no rows skips the loop.
  if (rows.group)
    stages = arith::SelectOp::create(
        b, loc, below(b, loc, rows.first, rows.end), stages, zero);
  Value fzero = arith::ConstantOp::create(b, loc, b.getZeroAttr(f32));
  constexpr int64_t perB = kFragsM * kFragsN * 4;
  const int64_t numAcc = numB * perB;
  SmallVector<Value> init(numAcc, fzero);
  for (const Staging &staging : stagings)
    llvm::append_range(init, staging.load(b, loc, zero));
  auto loop = scf::ForOp::create(b, loc, zero, stages, one, init);
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    ValueRange carried = loop.getRegionIterArgs();
    for (auto [i, staging] : llvm::enumerate(stagings))
      staging.store(
          b, loc, tiles[i],
          carried.slice(numAcc + i * kPairsPerThread, kPairsPerThread));
    gpu::BarrierOp::create(b, loc);

    Value next = mulc(b, loc, addc(b, loc, loop.getInductionVar(), 1), kTileK);
    SmallVector<Value> prefetched;
    for (const Staging &staging : stagings)
      llvm::append_range(prefetched, staging.load(b, loc, next));

    // mma.sync takes f16 pairs as vector<2xf16> and bf16 pairs as the i32
    // that holds them (element 0 in the low half).
    Type i32 = b.getI32Type();
    auto fragment = [&](Value tile, Value row, Value pair) -> Value {
      Value v = memref::LoadOp::create(b, loc, tile, ValueRange{row, pair});
      return bf16 ? LLVM::BitcastOp::create(b, loc, i32, v).getResult() : v;
    };
    auto resultType =
        LLVM::LLVMStructType::getLiteral(context, {f32, f32, f32, f32});
    NVVM::MMATypes ptxType = bf16 ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;
    SmallVector<Value> acc(carried.take_front(numAcc));
    for (int64_t kStep = 0; kStep < kTileK / kMmaK; ++kStep) {
      // Registers 0/1 (2/3) of an A fragment are k pairs 0-3 (4-7) of the
      // step, rows group and group + 8; those of B, k pairs 0-3 and 4-7 of
      // column group (PTX ISA, "Matrix Fragments for mma.m16n8k16 with
      // floating point type").
      Value lowPair = addc(b, loc, inGroup, kStep * kMmaK / 2);
      Value highPair = addc(b, loc, lowPair, 4);
      SmallVector<SmallVector<Value>> aFrags;
      Value aTile = tiles[0];
      for (int64_t i = 0; i < kFragsM; ++i) {
        Value row = add(b, loc, warpRow, addc(b, loc, group, i * kMmaM));
        Value row8 = addc(b, loc, row, 8);
        aFrags.push_back(
            {fragment(aTile, row, lowPair), fragment(aTile, row8, lowPair),
             fragment(aTile, row, highPair), fragment(aTile, row8, highPair)});
      }
      for (int64_t bi = 0; bi < numB; ++bi) {
        SmallVector<SmallVector<Value>> bFrags;
        Value bTile = tiles[1 + bi];
        for (int64_t j = 0; j < kFragsN; ++j) {
          Value col = add(b, loc, warpCol, addc(b, loc, group, j * kMmaN));
          bFrags.push_back(
              {fragment(bTile, col, lowPair), fragment(bTile, col, highPair)});
        }
        for (int64_t i = 0; i < kFragsM; ++i)
          for (int64_t j = 0; j < kFragsN; ++j) {
            MutableArrayRef<Value> sums = MutableArrayRef<Value>(acc).slice(
                bi * perB + (i * kFragsN + j) * 4, 4);
            Value d = NVVM::MmaOp::create(
                b, loc, resultType, aFrags[i], bFrags[j],
                SmallVector<Value>(sums), {kMmaM, kMmaN, kMmaK},
                /*b1Op=*/std::nullopt,
                /*intOverflow=*/std::nullopt,
                std::array<NVVM::MMATypes, 2>{ptxType, ptxType},
                std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                               NVVM::MMALayout::col});
            for (int64_t e = 0; e < 4; ++e)
              sums[e] = LLVM::ExtractValueOp::create(b, loc, d, e);
          }
      }
    }
    // The next stage overwrites the tiles that slower warps may still be
    // reading.
    gpu::BarrierOp::create(b, loc);
    llvm::append_range(acc, prefetched);
    scf::YieldOp::create(b, loc, acc);
  }

  // Accumulator e of fragment (i, j) is C[row + 8 * (e / 2)][col + e % 2],
  // row = group and col = 2 * (lane % 4) within the fragment. Every element
  // of the block's tile belongs to one lane of one warp, so its result is
  // emitted exactly once, and only in bounds.
  Value pairCol = mulc(b, loc, inGroup, 2);
  for (int64_t i = 0; i < kFragsM; ++i)
    for (int64_t j = 0; j < kFragsN; ++j)
      for (int64_t e = 0; e < 4; ++e) {
        Value row = add(b, loc, add(b, loc, blockM, warpRow),
                        addc(b, loc, group, i * kMmaM + 8 * (e / 2)));
        Value col = add(b, loc, add(b, loc, blockN, warpCol),
                        addc(b, loc, pairCol, j * kMmaN + e % 2));
        Value inBounds = arith::AndIOp::create(
            b, loc, below(b, loc, row, rows.end), below(b, loc, col, n));
        auto guard =
            scf::IfOp::create(b, loc, inBounds, /*withElseRegion=*/false);
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPoint(guard.thenBlock()->getTerminator());
        SmallVector<Value> sums;
        for (int64_t bi = 0; bi < numB; ++bi)
          sums.push_back(loop.getResult(bi * perB + (i * kFragsN + j) * 4 + e));
        problem.emitResult(b, loc, row, col, sums);
      }
  return launch;
}
