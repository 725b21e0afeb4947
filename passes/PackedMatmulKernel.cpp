//===- PackedMatmulKernel.cpp - vector kernels over prepacked weights -----===//
//
// xfmr-pack-weights turns a projection into a contraction over a weight
// packed as Wp[tiles, K, W] (W = 32 columns, or 64 for a gated projection:
// 32 gate then 32 up columns),
//
//   C3[m, t, j] = fill + Σ_k A[m, k] · Wp[t, k, j],
//
// usually followed by an element-wise op over [M, N] that reads C3 at
// [m, n floordiv 32, n mod 32 (+ 32)]: the gating, a bias, a residual add, a
// conversion to the storage type, or a plain copy. Here both become one
// kernel: per tile of rows x W columns the accumulators stay in registers
// over the whole reduction, then the element-wise op's body is evaluated on
// them as 16-lane vectors and only its result is stored. C3 is never
// written (its buffer is removed), and the weight is read in the order it
// is stored: two (or four) contiguous vectors per reduction step.
//
// Loop nest: scf.parallel over blocks of tiles (so that threads split the
// columns and each keeps its own weight block in L2), then row tiles of 8
// (W = 32) or 4 (W = 64) rows with power-of-two remainders, then the tiles
// of the block, then K.
//
//===----------------------------------------------------------------------===//

#include "PackedMatmulKernel.h"
#include "VectorKernelBuilder.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;
using namespace mlir::xfmr;

namespace {

constexpr int64_t kLanes = VectorKernelBuilder::kLanes;
constexpr int64_t kPanel = 2 * kLanes;

/// The strides of `v`'s memref type when they are all static.
std::optional<SmallVector<int64_t>> staticStrides(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  if (!type)
    return std::nullopt;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return std::nullopt;
  if (llvm::any_of(strides, ShapedType::isDynamic))
    return std::nullopt;
  return strides;
}

/// Reads or allocates memory at most: nothing another op could observe.
bool writesNothing(Operation *op) {
  if (isMemoryEffectFree(op))
    return true;
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return false;
  SmallVector<MemoryEffects::EffectInstance> list;
  effects.getEffects(list);
  return llvm::all_of(list, [](const MemoryEffects::EffectInstance &e) {
    return isa<MemoryEffects::Read, MemoryEffects::Allocate>(e.getEffect());
  });
}

/// C3[m, t, j] = fill + Σ_k A[m, k] · Wp[t, k, j] on buffers.
struct Contraction {
  linalg::GenericOp op;
  Value a, wp, acc;
  /// The value the accumulator starts from, and the op that stores it:
  /// a linalg.fill of `acc`, or a memref.copy into `acc` from a buffer
  /// filled with it (bufferization's answer to two contractions whose
  /// initial values CSE merged).
  Value init;
  Operation *initOp = nullptr;
  int64_t width = kPanel;
};

/// Whether `op` (or an op nested in it) may write the fresh allocation
/// `buffer`, which it can only reach through `buffer` itself or its views.
bool mayWrite(Operation *op, Value buffer) {
  if (writesNothing(op))
    return false;
  if (!buffer.getDefiningOp<memref::AllocOp>())
    return true;
  SmallVector<Value> aliases = {buffer};
  for (size_t i = 0; i < aliases.size(); ++i)
    for (Operation *user : aliases[i].getUsers())
      if (isa<ViewLikeOpInterface>(user))
        aliases.append(user->result_begin(), user->result_end());
  auto usesAlias = [&](Operation *inner) {
    return llvm::any_of(inner->getOperands(), [&](Value v) {
      return llvm::is_contained(aliases, v);
    });
  };
  WalkResult r = op->walk([&](Operation *inner) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(inner);
    if (!effects) {
      bool unknown = !inner->hasTrait<OpTrait::HasRecursiveMemoryEffects>() &&
                     usesAlias(inner);
      return unknown ? WalkResult::interrupt() : WalkResult::advance();
    }
    SmallVector<MemoryEffects::EffectInstance> list;
    effects.getEffects(list);
    for (const MemoryEffects::EffectInstance &e : list) {
      if (!isa<MemoryEffects::Write, MemoryEffects::Free>(e.getEffect()))
        continue;
      Value target = e.getValue();
      if (target ? llvm::is_contained(aliases, target) : usesAlias(inner))
        return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return r.wasInterrupted();
}

/// The f32 constant-fill value of `buffer` stored by the last writer before
/// `before`, with nothing that may write `buffer` in between.
std::pair<Value, Operation *> findFill(Value buffer, Operation *before) {
  for (Operation *prev = before->getPrevNode(); prev;
       prev = prev->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(prev))
      if (fill.hasPureBufferSemantics() && fill.getOutputs()[0] == buffer &&
          fill.getInputs()[0].getType().isF32())
        return {fill.getInputs()[0], fill};
    if (auto copy = dyn_cast<memref::CopyOp>(prev))
      if (copy.getTarget() == buffer) {
        auto [value, source] = findFill(copy.getSource(), copy);
        if (!value)
          return {};
        return {value, copy};
      }
    if (mayWrite(prev, buffer))
      return {};
  }
  return {};
}

std::optional<Contraction> matchContraction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 4)
    return std::nullopt;
  auto it = op.getIteratorTypesArray();
  using utils::IteratorType;
  if (it[0] != IteratorType::parallel || it[1] != IteratorType::parallel ||
      it[2] != IteratorType::parallel || it[3] != IteratorType::reduction)
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  AffineExpr m, t, j, k;
  bindDims(ctx, m, t, j, k);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[0] != AffineMap::get(4, 0, {m, k}, ctx) ||
      maps[1] != AffineMap::get(4, 0, {t, k, j}, ctx) ||
      maps[2] != AffineMap::get(4, 0, {m, t, j}, ctx))
    return std::nullopt;

  Contraction c;
  c.op = op;
  c.a = op.getDpsInputs()[0];
  c.wp = op.getDpsInputs()[1];
  c.acc = op.getDpsInits()[0];
  auto aType = cast<MemRefType>(c.a.getType());
  auto wpType = cast<MemRefType>(c.wp.getType());
  auto accType = cast<MemRefType>(c.acc.getType());
  if (!isStorageFloat(aType.getElementType()) ||
      !isStorageFloat(wpType.getElementType()) ||
      !accType.getElementType().isF32() || !hasUnitInnerStride(c.a))
    return std::nullopt;
  c.width = wpType.getDimSize(2);
  if (c.width != kPanel && c.width != 2 * kPanel)
    return std::nullopt;
  // The weight and the accumulator rows are read as contiguous tiles.
  std::optional<SmallVector<int64_t>> ws = staticStrides(c.wp);
  std::optional<SmallVector<int64_t>> cs = staticStrides(c.acc);
  if (!ws || (*ws)[2] != 1 || (*ws)[1] != c.width || !cs || (*cs)[2] != 1 ||
      (*cs)[1] != c.width || accType.getDimSize(2) != c.width)
    return std::nullopt;

  // The body is the multiply-accumulate (a sum whose one operand is C).
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  auto sum = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  Value out = op.getBody()->getArguments().back();
  if (!sum || (sum.getLhs() != out && sum.getRhs() != out) ||
      !(sum.getLhs().getDefiningOp<arith::MulFOp>() ||
        sum.getRhs().getDefiningOp<arith::MulFOp>()))
    return std::nullopt;

  std::tie(c.init, c.initOp) = findFill(c.acc, op);
  if (!c.init)
    return std::nullopt;
  return c;
}

/// The element-wise op evaluated on each tile.
struct Epilogue {
  linalg::GenericOp op;
  /// Per input: the column offset at which it reads the accumulator tile
  /// (0 or 32), or -1 for an input read from memory.
  SmallVector<int64_t> accOffset;
};

std::optional<Epilogue> matchEpilogue(Contraction c) {
  linalg::GenericOp found;
  for (Operation *user : c.acc.getUsers()) {
    if (user == c.op || user == c.initOp || isa<memref::DeallocOp>(user))
      continue;
    auto g = dyn_cast<linalg::GenericOp>(user);
    if (!g || (found && found != g))
      return std::nullopt;
    found = g;
  }
  if (!found || found->getBlock() != c.op->getBlock() ||
      !c.op->isBeforeInBlock(found))
    return std::nullopt;
  linalg::GenericOp g = found;
  if (!g.hasPureBufferSemantics() || g.getNumLoops() != 2 ||
      g.getNumReductionLoops() != 0 || g.getNumDpsInits() != 1)
    return std::nullopt;
  Value out = g.getDpsInits()[0];
  if (!g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity() ||
      !hasUnitInnerStride(out) ||
      !isStorageFloat(getElementTypeOrSelf(out.getType())) ||
      g.payloadUsesValueFromOperand(g.getDpsInitOperand(0)))
    return std::nullopt;
  for (Operation &inner : g.getBody()->without_terminator())
    if (!isa<arith::ArithDialect, math::MathDialect>(inner.getDialect()) ||
        inner.getNumRegions() != 0 || inner.getNumResults() != 1)
      return std::nullopt;

  MLIRContext *ctx = g.getContext();
  AffineExpr m, n;
  bindDims(ctx, m, n);
  Epilogue e;
  e.op = g;
  for (OpOperand *in : g.getDpsInputOperands()) {
    AffineMap map = g.getMatchingIndexingMap(in);
    if (in->get() == c.acc) {
      int64_t offset = -1;
      for (int64_t o = 0; o + kPanel <= c.width; o += kPanel)
        if (map ==
            AffineMap::get(2, 0, {m, n.floorDiv(kPanel), n % kPanel + o}, ctx))
          offset = o;
      if (offset < 0)
        return std::nullopt;
      e.accOffset.push_back(offset);
      continue;
    }
    // Other inputs: m and n at most once each, in that order; n last and
    // contiguous if present.
    int64_t last = -1;
    for (AffineExpr r : map.getResults()) {
      auto d = dyn_cast<AffineDimExpr>(r);
      if (!d || (int64_t)d.getPosition() <= last)
        return std::nullopt;
      last = d.getPosition();
    }
    if (last == 1 && !hasUnitInnerStride(in->get()))
      return std::nullopt;
    if (!isa<MemRefType>(in->get().getType()))
      return std::nullopt;
    e.accOffset.push_back(-1);
  }
  // Nothing between the two may write memory the kernel reads.
  for (Operation *op = c.op->getNextNode(); op != g.getOperation();
       op = op->getNextNode())
    if (!writesNothing(op))
      return std::nullopt;
  return e;
}

/// Lowers the polynomial approximations' math.fma on vectors to vector.fma
/// directly (the libm conversion would scalarise it).
struct VectorFmaToVectorDialect : OpRewritePattern<math::FmaOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::FmaOp op,
                                PatternRewriter &rw) const override {
    if (!isa<VectorType>(op.getType()))
      return failure();
    rw.replaceOpWithNewOp<vector::FMAOp>(op, op.getA(), op.getB(), op.getC());
    return success();
  }
};

/// What the approximations leave (floor, absf, ...) on vectors becomes the
/// LLVM intrinsic directly, one instruction; the libm conversion that runs
/// on all math ops later would call the scalar function once per lane.
template <typename MathOp, typename LLVMOp>
struct VectorMathToIntrinsic : OpRewritePattern<MathOp> {
  using OpRewritePattern<MathOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(MathOp op, PatternRewriter &rw) const override {
    if (!isa<VectorType>(op.getType()))
      return failure();
    rw.replaceOpWithNewOp<LLVMOp>(op, op.getType(), op->getOperands());
    return success();
  }
};

class PackedKernelEmitter : VectorKernelBuilder {
public:
  PackedKernelEmitter(OpBuilder &b, Location loc, Contraction c,
                      std::optional<Epilogue> e)
      : VectorKernelBuilder(b, loc), c(c), e(e) {}

  /// Builds the kernel; returns the math ops of the evaluated epilogue.
  SmallVector<Operation *> emit() {
    Value rows = dim(c.a, 0);
    depth = dim(c.a, 1);
    if (e) {
      Value out = e->op.getDpsInits()[0];
      rows = min(rows, dim(out, 0));
      cols = dim(out, 1);
    }
    Value tiles = dim(c.wp, 0);
    int64_t rowTile = c.width == kPanel ? 8 : 4;
    // Tiles per block: 4 x 32 (or 2 x 64) columns of weight stay in L2
    // while every row tile passes over them.
    int64_t blockTiles = c.width == kPanel ? 4 : 2;
    Value blocks = ceilDiv(tiles, blockTiles);
    // A long reduction is split into steps of kBlockSteps, so that the
    // block's weight (blockTiles x kBlockSteps x 32 or 64 floats, 256 KiB)
    // stays in L2 while every row tile passes over it; partial sums wait in
    // the accumulator buffer between steps.
    std::optional<int64_t> staticDepth = staticDim(c.a, 1);
    blocked = !staticDepth || *staticDepth > kBlockSteps * 3 / 2;
    scf::ParallelOp::create(
        b, loc, ValueRange{idx(0)}, ValueRange{blocks}, ValueRange{idx(1)},
        [&](OpBuilder &, Location, ValueRange ivs) {
          Value t0 = mul(ivs[0], blockTiles);
          Value t1 = min(add(t0, blockTiles), tiles);
          auto rowTiles = [&](Value k0, Value k1, Value first, Value last) {
            tiled(rows, rowTile, [&](Value m0, int64_t mr) {
              forLoop(t0, t1, idx(1), [&](Value t) {
                emitTile(m0, mr, t, k0, k1, first, last);
              });
            });
          };
          if (!blocked) {
            rowTiles(idx(0), depth, nullptr, nullptr);
            return;
          }
          // (At least one step, so that K = 0 still reaches the epilogue.)
          Value steps = b.createOrFold<arith::MaxSIOp>(loc, depth, idx(1));
          forLoop(idx(0), steps, idx(kBlockSteps), [&](Value k0) {
            Value k1 = min(add(k0, kBlockSteps), depth);
            Value first = arith::CmpIOp::create(
                b, loc, arith::CmpIPredicate::eq, k0, idx(0));
            Value last = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                               k1, depth);
            rowTiles(k0, k1, first, last);
          });
        });
    return mathOps;
  }

  /// Whether the kernel keeps partial sums in the accumulator buffer (which
  /// must then stay).
  bool usesAccumulatorBuffer() const { return blocked; }

private:
  /// Reduction steps per block of a split reduction.
  static constexpr int64_t kBlockSteps = 512;

  /// One tile over reduction steps [k0, k1): from the initial value when
  /// `first` (null: unsplit), else from the partial sums in the buffer; to
  /// the epilogue when `last` (null: unsplit), else back to the buffer.
  void emitTile(Value m0, int64_t mr, Value t, Value k0, Value k1, Value first,
                Value last) {
    int64_t vecs = c.width / kLanes;
    SmallVector<Value> rowA;
    for (int64_t i = 0; i < mr; ++i)
      rowA.push_back(add(m0, i));
    auto partialSums = [&]() {
      SmallVector<Value> v;
      for (int64_t i = 0; i < mr; ++i)
        for (int64_t h = 0; h < vecs; ++h)
          v.push_back(vector::LoadOp::create(
              b, loc, vecType, c.acc, ValueRange{rowA[i], t, idx(h * kLanes)}));
      return v;
    };
    Value init = vector::BroadcastOp::create(b, loc, vecType, c.init);
    SmallVector<Value> accs(mr * vecs, init);
    if (first) {
      SmallVector<Type> types(mr * vecs, vecType);
      auto ifOp = scf::IfOp::create(b, loc, types, first,
                                    /*withElseRegion=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      scf::YieldOp::create(b, loc, accs);
      b.setInsertionPointToStart(ifOp.elseBlock());
      scf::YieldOp::create(b, loc, partialSums());
      accs.assign(ifOp.getResults().begin(), ifOp.getResults().end());
    }
    auto loop = scf::ForOp::create(
        b, loc, k0, k1, idx(1), accs,
        [&](OpBuilder &nb, Location, Value k, ValueRange iter) {
          SmallVector<Value> w;
          for (int64_t h = 0; h < vecs; ++h)
            w.push_back(loadRow(c.wp, {t, k, idx(h * kLanes)}));
          SmallVector<Value> next;
          for (int64_t i = 0; i < mr; ++i) {
            Value a = vector::BroadcastOp::create(
                b, loc, vecType, loadScalar(c.a, {rowA[i], k}));
            for (int64_t h = 0; h < vecs; ++h)
              next.push_back(
                  vector::FMAOp::create(b, loc, a, w[h], iter[i * vecs + h]));
          }
          scf::YieldOp::create(nb, loc, next);
        });
    accs.assign(loop.getResults().begin(), loop.getResults().end());
    if (!last) {
      finishTile(rowA, t, accs);
      return;
    }
    scf::IfOp::create(
        b, loc, last,
        [&](OpBuilder &nb, Location) {
          finishTile(rowA, t, accs);
          scf::YieldOp::create(nb, loc);
        },
        [&](OpBuilder &nb, Location) {
          storeAccumulators(rowA, t, accs);
          scf::YieldOp::create(nb, loc);
        });
  }

  void storeAccumulators(ArrayRef<Value> rowA, Value t, ArrayRef<Value> accs) {
    int64_t vecs = c.width / kLanes;
    for (size_t i = 0; i < rowA.size(); ++i)
      for (int64_t h = 0; h < vecs; ++h)
        vector::StoreOp::create(b, loc, accs[i * vecs + h], c.acc,
                                ValueRange{rowA[i], t, idx(h * kLanes)});
  }

  /// The finished sums of a tile: through the epilogue, else stored.
  void finishTile(ArrayRef<Value> rowA, Value t, ArrayRef<Value> accs) {
    int64_t vecs = c.width / kLanes;
    int64_t mr = rowA.size();
    if (!e) {
      storeAccumulators(rowA, t, accs);
      return;
    }
    Value out = e->op.getDpsInits()[0];
    for (int64_t i = 0; i < mr; ++i)
      for (int64_t half = 0; half < kPanel / kLanes; ++half) {
        Value n0 = add(mul(t, kPanel), half * kLanes);
        Value colMask = mask(sub(cols, n0));
        SmallVector<Value> args;
        for (auto [q, in] : llvm::enumerate(e->op.getDpsInputOperands())) {
          int64_t offset = e->accOffset[q];
          if (offset >= 0) {
            args.push_back(accs[i * vecs + offset / kLanes + half]);
            continue;
          }
          args.push_back(loadInput(in, rowA[i], n0, colMask));
        }
        Value result = evaluateBody(args);
        vector::MaskedStoreOp::create(b, loc, out, ValueRange{rowA[i], n0},
                                      colMask, result);
      }
  }

  /// The epilogue input `in` at row m, columns n0 .. n0 + 15: a vector
  /// load when it varies along n, else one element broadcast.
  Value loadInput(OpOperand *in, Value m, Value n0, Value colMask) {
    AffineMap map = e->op.getMatchingIndexingMap(in);
    SmallVector<Value> indices;
    bool alongN = false;
    for (AffineExpr r : map.getResults()) {
      bool isN = cast<AffineDimExpr>(r).getPosition() == 1;
      alongN |= isN;
      indices.push_back(isN ? n0 : m);
    }
    Value mem = in->get();
    Type elt = getElementTypeOrSelf(mem.getType());
    auto type = VectorType::get({kLanes}, elt);
    if (alongN) {
      Value zero = arith::ConstantOp::create(b, loc, type, b.getZeroAttr(type));
      return vector::MaskedLoadOp::create(b, loc, type, mem, indices, colMask,
                                          zero);
    }
    Value scalar = memref::LoadOp::create(b, loc, mem, indices);
    return vector::BroadcastOp::create(b, loc, type, scalar);
  }

  /// The epilogue's body on 16-lane vectors, one per input.
  Value evaluateBody(ArrayRef<Value> args) {
    Block *body = e->op.getBody();
    IRMapping mapping;
    for (auto [arg, v] : llvm::zip(body->getArguments(), args))
      mapping.map(arg, v);
    auto vectorOf = [&](Type t) { return VectorType::get({kLanes}, t); };
    auto lookup = [&](Value v) -> Value {
      Value mapped = mapping.lookupOrDefault(v);
      if (isa<VectorType>(mapped.getType()))
        return mapped;
      // A scalar from outside the body: the same in every lane.
      return vector::BroadcastOp::create(b, loc, vectorOf(mapped.getType()),
                                         mapped);
    };
    for (Operation &op : body->without_terminator()) {
      if (auto cst = dyn_cast<arith::ConstantOp>(op)) {
        auto type = vectorOf(cst.getType());
        Value splat = arith::ConstantOp::create(
            b, loc, type,
            SplatElementsAttr::get(type, cast<TypedAttr>(cst.getValue())));
        mapping.map(cst.getResult(), splat);
        continue;
      }
      OperationState state(loc, op.getName());
      for (Value operand : op.getOperands())
        state.addOperands(lookup(operand));
      state.addAttributes(op.getAttrs());
      state.addTypes(vectorOf(op.getResult(0).getType()));
      Operation *created = b.create(state);
      if (isa<math::MathDialect>(created->getDialect()))
        mathOps.push_back(created);
      mapping.map(op.getResult(0), created->getResult(0));
    }
    return lookup(body->getTerminator()->getOperand(0));
  }

  Contraction c;
  std::optional<Epilogue> e;
  Value depth, cols;
  bool blocked = false;
  SmallVector<Operation *> mathOps;
};

} // namespace

void mlir::xfmr::emitPackedMatmulKernels(func::FuncOp func) {
  SmallVector<linalg::GenericOp> candidates;
  func.walk([&](linalg::GenericOp op) {
    if (matchContraction(op))
      candidates.push_back(op);
  });
  IRRewriter rw(func.getContext());
  SmallVector<Operation *> mathOps;
  for (linalg::GenericOp candidate : candidates) {
    // Matched again: an earlier kernel may have removed ops around it.
    std::optional<Contraction> match = matchContraction(candidate);
    if (!match)
      continue;
    Contraction &c = *match;
    std::optional<Epilogue> e = matchEpilogue(c);
    rw.setInsertionPoint(e ? e->op.getOperation() : c.op.getOperation());
    PackedKernelEmitter emitter(rw, c.op.getLoc(), c, e);
    mathOps.append(emitter.emit());
    if (e)
      rw.eraseOp(e->op);
    rw.eraseOp(c.op);
    // The initial value is in the registers now; a fill that a copy into
    // another accumulator still reads stays.
    auto fill = dyn_cast<linalg::FillOp>(c.initOp);
    bool initRead = fill && llvm::any_of(c.acc.getUsers(), [](Operation *u) {
                      return isa<memref::CopyOp>(u);
                    });
    if (!initRead)
      rw.eraseOp(c.initOp);
    // Without the epilogue's read, the accumulator buffer is unused.
    if (e && !emitter.usesAccumulatorBuffer() &&
        c.acc.getDefiningOp<memref::AllocOp>() &&
        llvm::all_of(c.acc.getUsers(),
                     [](Operation *u) { return isa<memref::DeallocOp>(u); })) {
      for (Operation *u : llvm::make_early_inc_range(c.acc.getUsers()))
        rw.eraseOp(u);
      rw.eraseOp(c.acc.getDefiningOp());
    }
  }
  if (mathOps.empty())
    return;
  // exp, tanh, erf, ... of the epilogue as vector polynomials rather than
  // one libm call per lane.
  RewritePatternSet patterns(func.getContext());
  populateMathPolynomialApproximationPatterns(patterns,
                                              [](StringRef) { return true; });
  patterns.add<VectorFmaToVectorDialect,
               VectorMathToIntrinsic<math::FloorOp, LLVM::FFloorOp>,
               VectorMathToIntrinsic<math::CeilOp, LLVM::FCeilOp>,
               VectorMathToIntrinsic<math::AbsFOp, LLVM::FAbsOp>,
               VectorMathToIntrinsic<math::SqrtOp, LLVM::SqrtOp>,
               VectorMathToIntrinsic<math::RoundEvenOp, LLVM::RoundEvenOp>,
               VectorMathToIntrinsic<math::CopySignOp, LLVM::CopySignOp>>(
      func.getContext());
  (void)applyOpPatternsGreedily(mathOps, std::move(patterns));
}
