//===- TileAndVectorize.cpp - register-tiled, vectorized matmul -----------===//
//
// Replaces linalg.matmul on buffers by loops over register tiles of 16-lane
// f32 vectors (see the pass description in Passes.td). The kernels are built
// directly from scf, memref and vector ops so that the hot loops contain
// nothing but loads, broadcasts and `vector.fma`, and so that every remainder
// (rows, columns, reduction steps) is handled outside of them.
//
//===----------------------------------------------------------------------===//

#include "PackedMatmulKernel.h"
#include "VectorKernelBuilder.h"
#include "xfmr/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#include <array>

namespace mlir::xfmr {
#define GEN_PASS_DEF_TILEANDVECTORIZE
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;

namespace {

using xfmr::VectorKernelBuilder;

/// f32 lanes of one AVX-512 register: the width of every vector below.
constexpr int64_t kLanes = VectorKernelBuilder::kLanes;
/// Columns of one packed weight panel and of the outer-product tile.
constexpr int64_t kPanel = 2 * kLanes;
/// Register tile of the dot kernel (rows x columns of C).
constexpr int64_t kDotRows = 4;
constexpr int64_t kDotCols = 4;
/// Rows of the outer-product tile.
constexpr int64_t kOuterRows = 8;

/// The pass options (see Passes.td).
struct TilingOptions {
  int64_t packThreshold = 16;
  bool pack = true;
  int64_t nBlock = 64;
  int64_t kBlock = 512;
};

/// The operands of a matmul this pass handles.
struct MatmulParts {
  Value a, b, c;
  /// B is [N, K] (nn.Linear layout) rather than [K, N].
  bool transposedB = false;
  /// The value a `linalg.fill` stored into C right before the matmul, or
  /// null when C's own contents are accumulated into.
  Value init;
  linalg::FillOp fill;
};

using xfmr::isStorageFloat;

/// Rank 2 with a unit inner stride: rows can be read as vectors.
bool isRowMajorMatrix(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.getRank() == 2 && xfmr::hasUnitInnerStride(v);
}

FailureOr<MatmulParts> matchMatmul(linalg::MatmulOp op) {
  if (!op.hasPureBufferSemantics() || op.getInputs().size() != 2 ||
      op.getOutputs().size() != 1)
    return failure();
  MatmulParts parts;
  parts.a = op.getInputs()[0];
  parts.b = op.getInputs()[1];
  parts.c = op.getOutputs()[0];
  for (Value v : {parts.a, parts.b, parts.c})
    if (!isRowMajorMatrix(v))
      return failure();
  if (!isStorageFloat(getElementTypeOrSelf(parts.a.getType())) ||
      !isStorageFloat(getElementTypeOrSelf(parts.b.getType())) ||
      !getElementTypeOrSelf(parts.c.getType()).isF32())
    return failure();

  MLIRContext *ctx = op.getContext();
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  auto map = [&](AffineExpr x, AffineExpr y) {
    return AffineMap::get(3, 0, {x, y}, ctx);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[0] != map(m, k) || maps[2] != map(m, n))
    return failure();
  if (maps[1] == map(n, k))
    parts.transposedB = true;
  else if (maps[1] != map(k, n))
    return failure();

  // A fill of C right before the matmul becomes the accumulators' initial
  // value; nothing can read C in between.
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(op->getPrevNode())) {
    if (fill.hasPureBufferSemantics() && fill.getOutputs().size() == 1 &&
        fill.getOutputs()[0] == parts.c &&
        fill.getInputs()[0].getType().isF32()) {
      parts.fill = fill;
      parts.init = fill.getInputs()[0];
    }
  }
  return parts;
}

/// Builds the loops and kernels of one matmul at the builder's insertion
/// point.
class MatmulEmitter : VectorKernelBuilder {
public:
  MatmulEmitter(OpBuilder &b, Location loc, const MatmulParts &parts,
                const TilingOptions &options)
      : VectorKernelBuilder(b, loc), p(parts), options(options) {
    nBlock = std::max(kPanel, options.nBlock / kPanel * kPanel);
    kBlock = std::max(kLanes, options.kBlock / kLanes * kLanes);
    staticRows = staticDim(p.c, 0);
    staticCols = staticDim(p.c, 1);
    staticDepth = staticDim(p.a, 1);
  }

  /// Whether the fill in front of the matmul can be dropped: every kernel
  /// below initialises C from it, except a packed kernel that never runs
  /// (K = 0), so K must be known to be positive.
  bool foldsFill() const { return p.init && staticDepth && *staticDepth > 0; }

  /// Which kernels emit() builds.
  bool mayPack() const {
    if (!p.transposedB || !options.pack)
      return false;
    if (staticCols && *staticCols < kPanel)
      return false;
    return !staticRows || *staticRows >= options.packThreshold;
  }
  bool mayDot() const { return p.transposedB && (!mayPack() || !staticRows); }

  /// The type of the packed weight block, [panels][k][32] f32.
  MemRefType packBufferType() const {
    int64_t panels = nBlock / kPanel;
    if (staticCols)
      panels = std::min(panels, (*staticCols + kPanel - 1) / kPanel);
    int64_t depthCap = kBlock;
    if (staticDepth)
      depthCap =
          std::min(depthCap, std::max(kLanes, (*staticDepth + kLanes - 1) /
                                                  kLanes * kLanes));
    return MemRefType::get({panels, depthCap, kPanel}, f32);
  }

  /// Builds the kernels; `scratch` is a 64-byte aligned i8 buffer of at
  /// least packBufferType()'s size when mayPack().
  void emit(Value scratch) {
    rows = dim(p.c, 0);
    cols = dim(p.c, 1);
    depth = dim(p.a, 1);
    if (!p.transposedB) {
      emitPanels(nullptr);
      return;
    }
    if (!mayPack()) {
      emitDot();
      return;
    }
    Value buf = memref::ViewOp::create(b, loc, packBufferType(), scratch,
                                       idx(0), ValueRange{});
    if (!mayDot()) {
      emitPanels(buf);
      return;
    }
    Value big = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, rows,
                                      idx(options.packThreshold));
    scf::IfOp::create(
        b, loc, big,
        [&](OpBuilder &nb, Location) {
          emitPanels(buf);
          scf::YieldOp::create(nb, loc);
        },
        [&](OpBuilder &nb, Location) {
          emitDot();
          scf::YieldOp::create(nb, loc);
        });
  }

private:
  //===--------------------------------------------------------------------===//
  // The dot kernel: A and B[N, K] read in place, partial sums along K.
  //===--------------------------------------------------------------------===//

  void emitDot() {
    tiled(cols, kDotCols, [&](Value n0, int64_t nr) {
      tiled(rows, kDotRows,
            [&](Value m0, int64_t mr) { emitDotTile(m0, mr, n0, nr); });
    });
  }

  /// One mr x nr tile of C: mr * nr accumulators of kLanes partial sums.
  void emitDotTile(Value m0, int64_t mr, Value n0, int64_t nr) {
    SmallVector<Value> rowA, rowB;
    for (int64_t i = 0; i < mr; ++i)
      rowA.push_back(add(m0, i));
    for (int64_t j = 0; j < nr; ++j)
      rowB.push_back(add(n0, j));

    auto step = [&](ValueRange accs, Value k, Value kMask) {
      SmallVector<Value> av, bv, out;
      for (Value r : rowA)
        av.push_back(loadRow(p.a, {r, k}, kMask));
      for (Value r : rowB)
        bv.push_back(loadRow(p.b, {r, k}, kMask));
      for (int64_t i = 0; i < mr; ++i)
        for (int64_t j = 0; j < nr; ++j)
          out.push_back(
              vector::FMAOp::create(b, loc, av[i], bv[j], accs[i * nr + j]));
      return out;
    };

    SmallVector<Value> accs(mr * nr, zeroVector(f32));
    Value kMain = floorTo(depth, kLanes);
    auto loop = scf::ForOp::create(
        b, loc, idx(0), kMain, idx(kLanes), accs,
        [&](OpBuilder &nb, Location, Value k, ValueRange iter) {
          scf::YieldOp::create(nb, loc, step(iter, k, nullptr));
        });
    accs.assign(loop.getResults().begin(), loop.getResults().end());
    // The K mod 16 tail, masked; with K dynamic it may be empty.
    if (!staticDepth || *staticDepth % kLanes != 0)
      accs = step(accs, kMain, mask(sub(depth, kMain)));

    // All horizontal sums of the tile at once; lane i * nr + j is C[i][j].
    Value sums = reduceLanes(accs);
    auto rowType = VectorType::get({nr}, f32);
    for (int64_t i = 0; i < mr; ++i) {
      Value part = vector::ExtractStridedSliceOp::create(
          b, loc, sums, ArrayRef<int64_t>{i * nr}, ArrayRef<int64_t>{nr},
          ArrayRef<int64_t>{1});
      Value init =
          foldsFill()
              ? vector::BroadcastOp::create(b, loc, rowType, p.init).getResult()
              : vector::LoadOp::create(b, loc, rowType, p.c,
                                       ValueRange{rowA[i], n0})
                    .getResult();
      Value sum = arith::AddFOp::create(b, loc, init, part);
      vector::StoreOp::create(b, loc, sum, p.c, ValueRange{rowA[i], n0});
    }
  }

  /// The horizontal sums of `vs` (a power of two, at most kLanes vectors):
  /// lane g of the result is the sum of the lanes of vs[g]. Pairs of vectors
  /// are folded into one (each keeping half of its partial sums) until one
  /// vector is left, then that vector is folded onto itself; 2(P - 1) +
  /// 2 log2(16 / P) shuffles instead of P separate reductions.
  Value reduceLanes(ArrayRef<Value> vs) {
    SmallVector<Value> level(vs);
    int64_t seg = kLanes; // lanes per partial sum
    auto fold = [&](Value x, Value y, int64_t groupsPerVector) {
      // groupsPerVector groups of `seg` lanes in x, then the same in y;
      // each group keeps seg / 2 lanes.
      SmallVector<int64_t> lo, hi;
      for (int64_t src = 0; src < 2; ++src)
        for (int64_t g = 0; g < groupsPerVector; ++g)
          for (int64_t e = 0; e < seg / 2; ++e) {
            lo.push_back(src * kLanes + g * seg + e);
            hi.push_back(src * kLanes + g * seg + seg / 2 + e);
          }
      // Past the meaningful lanes (a self fold), repeat the first ones.
      for (size_t e = lo.size(); e < (size_t)kLanes; ++e) {
        lo.push_back(lo[e % lo.size()]);
        hi.push_back(hi[e % hi.size()]);
      }
      Value a = vector::ShuffleOp::create(b, loc, x, y, lo);
      Value c = vector::ShuffleOp::create(b, loc, x, y, hi);
      return arith::AddFOp::create(b, loc, a, c).getResult();
    };
    while (level.size() > 1) {
      SmallVector<Value> next;
      for (size_t t = 0; t < level.size(); t += 2)
        next.push_back(fold(level[t], level[t + 1], kLanes / seg));
      level = std::move(next);
      seg /= 2;
    }
    Value v = level.front();
    int64_t groups = kLanes / seg;
    while (seg > 1) {
      // One source: x's groups only (the second operand is unused).
      SmallVector<int64_t> lo, hi;
      for (int64_t g = 0; g < groups; ++g)
        for (int64_t e = 0; e < seg / 2; ++e) {
          lo.push_back(g * seg + e);
          hi.push_back(g * seg + seg / 2 + e);
        }
      for (size_t e = lo.size(); e < (size_t)kLanes; ++e) {
        lo.push_back(lo[e % lo.size()]);
        hi.push_back(hi[e % hi.size()]);
      }
      Value a = vector::ShuffleOp::create(b, loc, v, v, lo);
      Value c = vector::ShuffleOp::create(b, loc, v, v, hi);
      v = arith::AddFOp::create(b, loc, a, c);
      seg /= 2;
    }
    return v;
  }

  //===--------------------------------------------------------------------===//
  // The outer-product kernel over 32-column panels of B.
  //===--------------------------------------------------------------------===//

  /// Blocks of nBlock columns and kBlock reduction steps; per block, the
  /// transposed-B weight is packed into `buf[panel][k][32]` first when a
  /// buffer is given, while the plain form reads B[K, N] rows in place.
  void emitPanels(Value buf) {
    forLoop(idx(0), cols, idx(nBlock), [&](Value n0) {
      Value nb = min(idx(nBlock), sub(cols, n0));
      Value panels = ceilDiv(nb, kPanel);
      forLoop(idx(0), depth, idx(kBlock), [&](Value k0) {
        Value kc = min(idx(kBlock), sub(depth, k0));
        if (buf)
          emitPack(buf, n0, nb, k0, kc);
        Value first =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, k0, idx(0));
        tiled(rows, kOuterRows, [&](Value m0, int64_t mr) {
          forLoop(idx(0), panels, idx(1), [&](Value panel) {
            emitOuterTile(buf, m0, mr, n0, panel, k0, kc, first);
          });
        });
      });
    });
  }

  /// The transpose of a 16x16 block given as 16 rows, by 64 two-source
  /// shuffles in the AVX-512 unpack / 128-bit-lane pattern (a 2-D
  /// vector.transpose would be scalarised by the canonicalisations that run
  /// before the LLVM lowering).
  SmallVector<Value> transpose16x16(ArrayRef<Value> v) {
    // Per 128-bit lane l: [l0 + x0, l0 + x1, l0 + x2, l0 + x3], where
    // indices >= 16 pick from the second operand.
    auto perLane = [&](Value x, Value y, std::array<int64_t, 4> pattern) {
      SmallVector<int64_t> maskIdx;
      for (int64_t lane = 0; lane < 4; ++lane)
        for (int64_t e : pattern)
          maskIdx.push_back(e + 4 * lane);
      return vector::ShuffleOp::create(b, loc, x, y, maskIdx).getResult();
    };
    auto unpackLoPs = [&](Value x, Value y) {
      return perLane(x, y, {0, 16, 1, 17});
    };
    auto unpackHiPs = [&](Value x, Value y) {
      return perLane(x, y, {2, 18, 3, 19});
    };
    auto unpackLoPd = [&](Value x, Value y) {
      return perLane(x, y, {0, 1, 16, 17});
    };
    auto unpackHiPd = [&](Value x, Value y) {
      return perLane(x, y, {2, 3, 18, 19});
    };
    // 128-bit lanes: (x[l0], x[l1], y[l2], y[l3]), as _mm512_shuffle_f32x4.
    auto lanes = [&](Value x, Value y, int64_t l0, int64_t l1, int64_t l2,
                     int64_t l3) {
      SmallVector<int64_t> maskIdx;
      for (int64_t e = 0; e < 4; ++e)
        maskIdx.push_back(4 * l0 + e);
      for (int64_t e = 0; e < 4; ++e)
        maskIdx.push_back(4 * l1 + e);
      for (int64_t e = 0; e < 4; ++e)
        maskIdx.push_back(16 + 4 * l2 + e);
      for (int64_t e = 0; e < 4; ++e)
        maskIdx.push_back(16 + 4 * l3 + e);
      return vector::ShuffleOp::create(b, loc, x, y, maskIdx).getResult();
    };
    Value t[16], r[16], u[16];
    for (int64_t i = 0; i < 16; i += 2) {
      t[i] = unpackLoPs(v[i], v[i + 1]);
      t[i + 1] = unpackHiPs(v[i], v[i + 1]);
    }
    for (int64_t i = 0; i < 16; i += 4) {
      r[i] = unpackLoPd(t[i], t[i + 2]);
      r[i + 1] = unpackHiPd(t[i], t[i + 2]);
      r[i + 2] = unpackLoPd(t[i + 1], t[i + 3]);
      r[i + 3] = unpackHiPd(t[i + 1], t[i + 3]);
    }
    // r[4g + c] holds column c (mod 4) of rows 4g..4g+3 in every lane.
    for (int64_t h = 0; h < 16; h += 8)
      for (int64_t c = 0; c < 4; ++c) {
        u[h + c] = lanes(r[h + c], r[h + 4 + c], 0, 2, 0, 2);
        u[h + 4 + c] = lanes(r[h + c], r[h + 4 + c], 1, 3, 1, 3);
      }
    SmallVector<Value> out(16);
    for (int64_t c = 0; c < 8; ++c) {
      out[c] = lanes(u[c], u[8 + c], 0, 2, 0, 2);
      out[8 + c] = lanes(u[c], u[8 + c], 1, 3, 1, 3);
    }
    return out;
  }

  /// buf[j / 32][k][j % 32] = B[n0 + j][k0 + k] for j < nb, k < kc, and 0
  /// for nb <= j < 32 * ceil(nb / 32); 16x16 blocks are moved through one
  /// in-register transpose each.
  void emitPack(Value buf, Value n0, Value nb, Value k0, Value kc) {
    Value rowsPadded = mul(ceilDiv(nb, kPanel), kPanel);
    forLoop(idx(0), rowsPadded, idx(kLanes), [&](Value jb) {
      Value panel = b.createOrFold<arith::DivUIOp>(loc, jb, idx(kPanel));
      Value col = b.createOrFold<arith::RemUIOp>(loc, jb, idx(kPanel));
      forLoop(idx(0), kc, idx(kLanes), [&](Value kb) {
        Value kLen = sub(kc, kb);
        SmallVector<Value> block;
        for (int64_t i = 0; i < kLanes; ++i) {
          Value j = add(jb, i);
          Value inside =
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, j, nb);
          Value len = arith::SelectOp::create(b, loc, inside, kLen, idx(0));
          // Rows past N are read with an empty mask at row n0 (in bounds).
          Value r = arith::SelectOp::create(b, loc, inside, add(n0, j), n0);
          block.push_back(loadRow(p.b, {r, add(k0, kb)}, mask(len)));
        }
        block = transpose16x16(block);
        for (int64_t q = 0; q < kLanes; ++q)
          vector::StoreOp::create(b, loc, block[q], buf,
                                  ValueRange{panel, add(kb, q), col});
      });
    });
  }

  /// C[m0 : m0 + mr, col0 : col0 + 32] += A[m0 : m0 + mr, k0 : k0 + kc] .
  /// panel, with col0 = n0 + 32 * panel; 2 * mr accumulators.
  void emitOuterTile(Value buf, Value m0, int64_t mr, Value n0, Value panel,
                     Value k0, Value kc, Value first) {
    Value col0 = add(n0, mul(panel, kPanel));
    Value valid = sub(cols, col0);
    Value masks[2] = {mask(valid), mask(sub(valid, idx(kLanes)))};
    SmallVector<Value> rowA;
    for (int64_t i = 0; i < mr; ++i)
      rowA.push_back(add(m0, i));

    auto loadC = [&]() {
      SmallVector<Value> accs;
      for (Value r : rowA)
        for (int64_t h = 0; h < 2; ++h) {
          Value v = vector::MaskedLoadOp::create(
              b, loc, vecType, p.c, ValueRange{r, add(col0, h * kLanes)},
              masks[h], zeroVector(f32));
          accs.push_back(v);
        }
      return accs;
    };
    SmallVector<Value> accs;
    if (foldsFill()) {
      SmallVector<Type> types(2 * mr, vecType);
      auto ifOp = scf::IfOp::create(b, loc, types, first,
                                    /*withElseRegion=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      Value v = vector::BroadcastOp::create(b, loc, vecType, p.init);
      scf::YieldOp::create(b, loc, SmallVector<Value>(2 * mr, v));
      b.setInsertionPointToStart(ifOp.elseBlock());
      scf::YieldOp::create(b, loc, loadC());
      accs.assign(ifOp.getResults().begin(), ifOp.getResults().end());
    } else {
      accs = loadC();
    }

    auto loop = scf::ForOp::create(
        b, loc, idx(0), kc, idx(1), accs,
        [&](OpBuilder &nb, Location, Value k, ValueRange iter) {
          Value kk = add(k0, k);
          Value w[2];
          for (int64_t h = 0; h < 2; ++h) {
            if (buf)
              w[h] = vector::LoadOp::create(
                  b, loc, vecType, buf, ValueRange{panel, k, idx(h * kLanes)});
            else
              w[h] = loadRow(p.b, {kk, add(col0, h * kLanes)}, masks[h]);
          }
          SmallVector<Value> out;
          for (int64_t i = 0; i < mr; ++i) {
            Value a = vector::BroadcastOp::create(
                b, loc, vecType, loadScalar(p.a, {rowA[i], kk}));
            for (int64_t h = 0; h < 2; ++h)
              out.push_back(
                  vector::FMAOp::create(b, loc, a, w[h], iter[2 * i + h]));
          }
          scf::YieldOp::create(nb, loc, out);
        });

    for (int64_t i = 0; i < mr; ++i)
      for (int64_t h = 0; h < 2; ++h)
        vector::MaskedStoreOp::create(
            b, loc, p.c, ValueRange{rowA[i], add(col0, h * kLanes)}, masks[h],
            loop.getResult(2 * i + h));
  }

  const MatmulParts &p;
  const TilingOptions &options;
  int64_t nBlock, kBlock;
  Value rows, cols, depth;
  std::optional<int64_t> staticRows, staticCols, staticDepth;
};

struct TileAndVectorizePass
    : public xfmr::impl::TileAndVectorizeBase<TileAndVectorizePass> {
  using TileAndVectorizeBase::TileAndVectorizeBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    // Contractions over weights xfmr-pack-weights packed, with their
    // element-wise epilogues.
    xfmr::emitPackedMatmulKernels(func);
    TilingOptions tiling;
    tiling.packThreshold = packThreshold;
    tiling.pack = pack;
    tiling.nBlock = nBlock;
    tiling.kBlock = kBlock;

    SmallVector<std::pair<linalg::MatmulOp, MatmulParts>> matmuls;
    func.walk([&](linalg::MatmulOp op) {
      if (FailureOr<MatmulParts> parts = matchMatmul(op); succeeded(parts))
        matmuls.push_back({op, *parts});
    });
    if (matmuls.empty())
      return;

    // One packing buffer on the stack serves every matmul of the function
    // (they run one after the other): heap buffers of this size would be
    // mmap-ed, page-faulted and unmapped again on every call.
    IRRewriter rw(&getContext());
    int64_t scratchBytes = 0;
    for (auto &[op, parts] : matmuls) {
      rw.setInsertionPoint(op);
      MatmulEmitter emitter(rw, op.getLoc(), parts, tiling);
      if (emitter.mayPack())
        scratchBytes = std::max(scratchBytes,
                                emitter.packBufferType().getNumElements() * 4);
    }
    Value scratch;
    if (scratchBytes) {
      rw.setInsertionPointToStart(&func.getBody().front());
      scratch = memref::AllocaOp::create(
          rw, func.getLoc(), MemRefType::get({scratchBytes}, rw.getI8Type()),
          rw.getI64IntegerAttr(64));
    }

    for (auto &[op, parts] : matmuls) {
      rw.setInsertionPoint(op);
      MatmulEmitter emitter(rw, op.getLoc(), parts, tiling);
      emitter.emit(scratch);
      if (emitter.foldsFill())
        rw.eraseOp(parts.fill);
      rw.eraseOp(op);
    }
  }
};

} // namespace
