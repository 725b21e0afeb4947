//===- PackWeights.cpp - weights in the matmul kernel's layout, once ------===//
//
// The vectorized matmul kernel reads an nn.Linear weight W[N, K] as 32-column
// panels Wp[N/32, K, 32], so that each reduction step loads two contiguous
// 16-lane vectors. Packing inside every call costs a full pass over W, which
// at small token counts is as much as the matmul itself. This pass moves that
// pass out of the hot path:
//
//   * a weight that is a constant is packed at compile time;
//   * a weight that comes from function arguments is packed by a generated
//     preparation entry point `<f>_prepare`, and `<f>_prepared` is `<f>`
//     taking the packed weights instead (`<f>` itself stays as it was).
//
// A projection whose result feeds only the halves of an xfmr.glu (the form
// xfmr-fuse-gate-up produces) packs its stacked [2F, K] weight interleaved,
// Wp[F/32, K, 64] = gate panel then up panel, and its gating becomes an
// epilogue over [M, F/32, 32] tiles that reads the gate at column j and the
// up value at column j + 32 of the same tile. Likewise a single element-wise
// consumer of a projection (bias, residual add, conversion to the storage
// type) is rewritten over [M, N/32, 32] tiles. xfmr-tile-and-vectorize then
// evaluates such an epilogue on the accumulator registers of each tile, so
// the [M, N] (or [M, 2F]) accumulator never reaches memory.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"
#include "xfmr/Target/EntryABI.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/SetVector.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_PACKWEIGHTS
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;

namespace {

/// Columns of one packed panel: two 16-lane f32 vectors.
constexpr int64_t kPanel = 32;

Value castIfNeeded(OpBuilder &b, Location loc, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return tensor::CastOp::create(b, loc, type, v);
}

/// Unit attribute marking the transposes that build packed weights.
constexpr const char kWeightPackAttr[] = "xfmr.weight_pack";

bool isStorageFloat(Type t) { return t.isF32() || t.isF16() || t.isBF16(); }

/// One projection to rewrite.
struct Projection {
  linalg::MatmulOp matmul;
  /// The weight, W[N, K].
  Value weight;
  /// For an expert's projection, the stacked weights of all experts,
  /// [E, N, K], from which `weight` is the slice at index `expert`: they are
  /// packed as a whole, once, and the projection reads its packed slice.
  Value stack;
  OpFoldResult expert;
  /// The element-wise consumer evaluated per tile, if any.
  linalg::GenericOp epilogue;
  /// With a gating epilogue: the two halves, in the order the epilogue reads
  /// them. Each is one of the epilogue's inputs.
  tensor::ExtractSliceOp halves[2];
  bool gated() const { return static_cast<bool>(halves[0]); }
};

/// Whether `v` is computed from function arguments and constants only,
/// through ops that merely move or reshape data (so that the computation can
/// run once, outside the calls). `args` receives the arguments reached.
bool isWeightLike(Value v, llvm::SetVector<BlockArgument> &args) {
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    if (!func || arg.getOwner() != &func.getBody().front())
      return false;
    args.insert(arg);
    return true;
  }
  Operation *op = v.getDefiningOp();
  if (!op || !isa<func::FuncOp>(op->getParentOp()))
    return false;
  if (isa<arith::ConstantOp>(op))
    return true;
  if (!isa<tensor::ConcatOp, tensor::CastOp, tensor::CollapseShapeOp,
           tensor::ExpandShapeOp>(op))
    return false;
  return llvm::all_of(op->getOperands(),
                      [&](Value o) { return isWeightLike(o, args); });
}

/// A weight that can be packed outside the calls: one that is weight-like
/// itself, or the slice `stack[e]` of a weight-like stack [E, N, K] of
/// weights, at any index `e` (the expert loops of xfmr.grouped_glu_ffn slice
/// at the loop's induction variable). Fills `p.stack` and `p.expert` in the
/// second case.
bool resolveWeight(Value w, Projection &p,
                   llvm::SetVector<BlockArgument> &args) {
  if (isWeightLike(w, args))
    return true;
  auto slice = w.getDefiningOp<tensor::ExtractSliceOp>();
  if (!slice || !slice.hasUnitStride())
    return false;
  RankedTensorType src = slice.getSourceType();
  auto wType = cast<RankedTensorType>(w.getType());
  if (src.getRank() != 3 || !src.hasStaticShape() || wType.getRank() != 2)
    return false;
  // All of one expert's [N, K] matrix, rank-reduced.
  SmallVector<OpFoldResult> offsets = slice.getMixedOffsets();
  SmallVector<OpFoldResult> sizes = slice.getMixedSizes();
  if (getConstantIntValue(offsets[1]) != 0 ||
      getConstantIntValue(offsets[2]) != 0 ||
      getConstantIntValue(sizes[0]) != 1 ||
      getConstantIntValue(sizes[1]) != src.getDimSize(1) ||
      getConstantIntValue(sizes[2]) != src.getDimSize(2))
    return false;
  if (!isWeightLike(slice.getSource(), args))
    return false;
  p.stack = slice.getSource();
  p.expert = offsets[0];
  return true;
}

/// The projection maps: A(m, k), B(n, k) (nn.Linear layout), C(m, n).
bool isTransposedBMatmul(linalg::MatmulOp op) {
  MLIRContext *ctx = op.getContext();
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  auto map = [&](AffineExpr x, AffineExpr y) {
    return AffineMap::get(3, 0, {x, y}, ctx);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  return maps.size() == 3 && maps[0] == map(m, k) && maps[1] == map(n, k) &&
         maps[2] == map(m, n);
}

/// An all-parallel linalg.generic with one rank-2 identity-mapped output
/// whose body is plain scalar arithmetic: what a tile epilogue can evaluate.
bool isTileEpilogueCandidate(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumLoops() != 2 ||
      op.getNumReductionLoops() != 0 || !op.hasPureTensorSemantics())
    return false;
  if (!op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return false;
  for (Operation &inner : op.getBody()->without_terminator())
    if (!isa<arith::ArithDialect, math::MathDialect>(inner.getDialect()) ||
        inner.getNumRegions() != 0 || inner.getNumResults() != 1)
      return false;
  // The output's current value may not be read (it is not loaded per tile).
  return !op.payloadUsesValueFromOperand(op.getDpsInitOperand(0));
}

/// Input maps over (m, n) a tile epilogue can read: m and n each at most
/// once, in that order.
bool isTileableInputMap(AffineMap map) {
  if (map.getNumDims() != 2 || map.getNumSymbols() != 0)
    return false;
  int64_t last = -1;
  for (AffineExpr e : map.getResults()) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d || (int64_t)d.getPosition() <= last)
      return false;
    last = d.getPosition();
  }
  return true;
}

/// Whether `size` (a slice or dim size) is the row count of `c`, produced
/// from `a` (the matmul's A) into `init`.
bool isFullRowCount(OpFoldResult size, RankedTensorType cType, Value c, Value a,
                    Value init) {
  if (!cType.isDynamicDim(0))
    return getConstantIntValue(size) == cType.getDimSize(0);
  auto v = dyn_cast<Value>(size);
  auto dim = v ? v.getDefiningOp<tensor::DimOp>() : nullptr;
  if (!dim || dim.getConstantIndex() != 0)
    return false;
  Value src = dim.getSource();
  return src == c || src == a || src == init;
}

/// Finds what to rewrite for one matmul, or nothing.
std::optional<Projection> analyze(linalg::MatmulOp op) {
  if (!op.hasPureTensorSemantics() || op.getInputs().size() != 2 ||
      !isTransposedBMatmul(op))
    return std::nullopt;
  Value a = op.getInputs()[0], w = op.getInputs()[1];
  auto aType = dyn_cast<RankedTensorType>(a.getType());
  auto wType = dyn_cast<RankedTensorType>(w.getType());
  auto cType = dyn_cast<RankedTensorType>(op.getResultTypes()[0]);
  if (!aType || !wType || !cType || !wType.hasStaticShape() ||
      !isStorageFloat(aType.getElementType()) ||
      !isStorageFloat(wType.getElementType()) ||
      !cType.getElementType().isF32())
    return std::nullopt;
  int64_t n = wType.getDimSize(0);
  if (n == 0 || wType.getDimSize(1) == 0)
    return std::nullopt;
  // The accumulator must start from a fill: the packed kernel produces C in
  // a different layout, so there is nothing to accumulate into.
  if (!op.getOutputs()[0].getDefiningOp<linalg::FillOp>())
    return std::nullopt;
  Projection p;
  llvm::SetVector<BlockArgument> args;
  if (!resolveWeight(w, p, args))
    return std::nullopt;
  p.matmul = op;
  p.weight = w;
  Value c = op.getResult(0);
  Value init = op.getOutputs()[0];

  // Gating: the two halves of the columns feed one element-wise op.
  SmallVector<tensor::ExtractSliceOp> slices;
  for (Operation *user : c.getUsers())
    if (auto s = dyn_cast<tensor::ExtractSliceOp>(user))
      slices.push_back(s);
  // (tensor.dim users only ask for C's shape, which the rewrite keeps.)
  auto isDim = [](Operation *user) { return isa<tensor::DimOp>(user); };
  int64_t dataUsers = llvm::count_if(
      c.getUsers(), [&](Operation *user) { return !isDim(user); });
  if (n % 2 == 0 && slices.size() == 2 && dataUsers == 2) {
    linalg::GenericOp consumer;
    bool ok = true;
    SmallVector<int64_t> offsets;
    for (tensor::ExtractSliceOp s : slices) {
      std::optional<int64_t> col = getConstantIntValue(s.getMixedOffsets()[1]);
      ok = ok && s.getSourceType().getRank() == 2 && s.hasUnitStride() &&
           getConstantIntValue(s.getMixedOffsets()[0]) == 0 &&
           getConstantIntValue(s.getMixedSizes()[1]) == n / 2 && col &&
           (*col == 0 || *col == n / 2) &&
           isFullRowCount(s.getMixedSizes()[0], cType, c, a, init) &&
           s->hasOneUse();
      if (!ok)
        break;
      offsets.push_back(*col);
      auto g = dyn_cast<linalg::GenericOp>(*s->getUsers().begin());
      ok = g && (!consumer || consumer == g);
      consumer = g;
    }
    if (ok && offsets[0] != offsets[1] && isTileEpilogueCandidate(consumer)) {
      for (OpOperand *in : consumer.getDpsInputOperands()) {
        AffineMap map = consumer.getMatchingIndexingMap(in);
        bool isHalf = in->get() == slices[0] || in->get() == slices[1];
        if (isHalf ? !map.isIdentity() : !isTileableInputMap(map))
          ok = false;
      }
      if (ok) {
        p.epilogue = consumer;
        p.halves[0] = slices[0];
        p.halves[1] = slices[1];
        return p;
      }
    }
  }

  // A single element-wise consumer reading C with the identity map.
  if (dataUsers == 1) {
    auto g = dyn_cast<linalg::GenericOp>(
        *llvm::find_if(c.getUsers(), [&](Operation *u) { return !isDim(u); }));
    if (g && isTileEpilogueCandidate(g)) {
      bool ok = true;
      for (OpOperand *in : g.getDpsInputOperands()) {
        AffineMap map = g.getMatchingIndexingMap(in);
        if (in->get() == c ? !map.isIdentity() : !isTileableInputMap(map))
          ok = false;
      }
      if (ok)
        p.epilogue = g;
    }
  }
  return p;
}

int64_t ceilDiv(int64_t x, int64_t y) { return (x + y - 1) / y; }

/// `v` [rows, K] padded with zero rows to `rows` rows.
Value padRows(OpBuilder &b, Location loc, Value v, int64_t rows) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t extra = rows - type.getDimSize(type.getRank() - 2);
  if (extra == 0)
    return v;
  SmallVector<int64_t> shape(type.getShape());
  shape[shape.size() - 2] = rows;
  SmallVector<OpFoldResult> low(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> high = low;
  high[type.getRank() - 2] = b.getIndexAttr(extra);
  Value zero =
      arith::ConstantOp::create(b, loc, b.getZeroAttr(type.getElementType()));
  return tensor::PadOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), v, low, high,
      zero);
}

/// Builds the packed layout of W[N, K]: [ceil(N/32), K, 32] with zero
/// columns past N, or for a gated projection (F gate rows, then F up rows)
/// [ceil(F/32), K, 64] with each tile holding 32 gate columns then the same
/// 32 up columns. A stack of weights [E, N, K] is packed per matrix into
/// [E, tiles, K, width].
Value buildPackedWeight(OpBuilder &b, Location loc, Value w, bool gated) {
  auto type = cast<RankedTensorType>(w.getType());
  int64_t lead = type.getRank() - 2; // 1 for a stack of weights
  SmallVector<int64_t> outer(type.getShape().take_front(lead));
  int64_t n = type.getDimSize(lead), k = type.getDimSize(lead + 1);
  Type elt = type.getElementType();
  // The reassociation that keeps the leading dims and groups the rest as
  // `groups` (indices relative to the first dim after them).
  auto reassoc = [&](ArrayRef<ArrayRef<int64_t>> groups) {
    SmallVector<ReassociationIndices> r;
    for (int64_t i = 0; i < lead; ++i)
      r.push_back({i});
    for (ArrayRef<int64_t> g : groups) {
      ReassociationIndices shifted;
      for (int64_t i : g)
        shifted.push_back(i + lead);
      r.push_back(shifted);
    }
    return r;
  };
  auto shape = [&](ArrayRef<int64_t> inner) {
    SmallVector<int64_t> s = outer;
    s.append(inner.begin(), inner.end());
    return s;
  };
  auto perm = [&](ArrayRef<int64_t> inner) {
    SmallVector<int64_t> p;
    for (int64_t i = 0; i < lead; ++i)
      p.push_back(i);
    for (int64_t i : inner)
      p.push_back(i + lead);
    return p;
  };
  Operation *transpose;
  if (!gated) {
    int64_t tiles = ceilDiv(n, kPanel);
    Value padded = padRows(b, loc, w, tiles * kPanel);
    auto split = RankedTensorType::get(shape({tiles, kPanel, k}), elt);
    Value v = tensor::ExpandShapeOp::create(b, loc, split, padded,
                                            reassoc({{0, 1}, {2}}));
    Value init =
        tensor::EmptyOp::create(b, loc, shape({tiles, k, kPanel}), elt);
    transpose = linalg::TransposeOp::create(b, loc, v, init, perm({0, 2, 1}));
    transpose->setAttr(kWeightPackAttr, b.getUnitAttr());
    return transpose->getResult(0);
  }
  int64_t f = n / 2, tiles = ceilDiv(f, kPanel);
  Value halves = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape({2, f, k}), elt), w,
      reassoc({{0, 1}, {2}}));
  Value padded = padRows(b, loc, halves, tiles * kPanel);
  auto split = RankedTensorType::get(shape({2, tiles, kPanel, k}), elt);
  Value v = tensor::ExpandShapeOp::create(b, loc, split, padded,
                                          reassoc({{0}, {1, 2}, {3}}));
  Value init =
      tensor::EmptyOp::create(b, loc, shape({tiles, k, 2, kPanel}), elt);
  transpose = linalg::TransposeOp::create(b, loc, v, init, perm({1, 3, 0, 2}));
  transpose->setAttr(kWeightPackAttr, b.getUnitAttr());
  return tensor::CollapseShapeOp::create(b, loc, transpose->getResult(0),
                                         reassoc({{0}, {1}, {2, 3}}));
}

/// The raw row-major bytes of a weight that folds to constants, or nothing.
std::optional<std::vector<char>> constantBytes(Value v) {
  if (auto cst = v.getDefiningOp<arith::ConstantOp>()) {
    auto dense = dyn_cast<DenseElementsAttr>(cst.getValue());
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!dense || !type)
      return std::nullopt;
    int64_t eltBytes = type.getElementTypeBitWidth() / 8;
    int64_t count = type.getNumElements();
    ArrayRef<char> raw = dense.getRawData();
    std::vector<char> bytes(count * eltBytes);
    if (dense.isSplat()) {
      for (int64_t i = 0; i < count; ++i)
        std::memcpy(bytes.data() + i * eltBytes, raw.data(), eltBytes);
    } else {
      std::memcpy(bytes.data(), raw.data(), bytes.size());
    }
    return bytes;
  }
  if (auto concat = v.getDefiningOp<tensor::ConcatOp>()) {
    // Row-major: for each index of the dims before the concatenated one,
    // the inputs' contiguous blocks follow one another.
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type || !type.hasStaticShape())
      return std::nullopt;
    int64_t dim = concat.getDim();
    int64_t outer = 1;
    for (int64_t i = 0; i < dim; ++i)
      outer *= type.getDimSize(i);
    SmallVector<std::vector<char>> parts;
    for (Value in : concat.getInputs()) {
      std::optional<std::vector<char>> part = constantBytes(in);
      if (!part)
        return std::nullopt;
      parts.push_back(std::move(*part));
    }
    std::vector<char> bytes;
    for (int64_t o = 0; o < outer; ++o)
      for (const std::vector<char> &part : parts) {
        size_t block = part.size() / outer;
        bytes.insert(bytes.end(), part.begin() + o * block,
                     part.begin() + (o + 1) * block);
      }
    return bytes;
  }
  if (auto cast = v.getDefiningOp<tensor::CastOp>())
    return constantBytes(cast.getSource());
  return std::nullopt;
}

/// The packed weight of a constant W (or stack of weights), folded at
/// compile time (the same layout as buildPackedWeight).
Value buildFoldedPackedWeight(OpBuilder &b, Location loc, Value w, bool gated,
                              ArrayRef<char> bytes) {
  auto type = cast<RankedTensorType>(w.getType());
  int64_t lead = type.getRank() - 2;
  int64_t experts = lead ? type.getDimSize(0) : 1;
  int64_t n = type.getDimSize(lead), k = type.getDimSize(lead + 1);
  int64_t eltBytes = type.getElementTypeBitWidth() / 8;
  int64_t width = gated ? 2 * kPanel : kPanel;
  int64_t rows = gated ? n / 2 : n; // valid columns per half
  int64_t tiles = ceilDiv(rows, kPanel);
  int64_t packedSize = tiles * k * width, size = n * k;
  std::vector<char> packed(experts * packedSize * eltBytes, 0);
  for (int64_t e = 0; e < experts; ++e)
    for (int64_t t = 0; t < tiles; ++t)
      for (int64_t kk = 0; kk < k; ++kk)
        for (int64_t j = 0; j < width; ++j) {
          int64_t col = t * kPanel + j % kPanel;
          if (col >= rows)
            continue; // zero padding
          int64_t row = (j / kPanel) * rows + col;
          std::memcpy(
              packed.data() +
                  (e * packedSize + (t * k + kk) * width + j) * eltBytes,
              bytes.data() + (e * size + row * k + kk) * eltBytes, eltBytes);
        }
  SmallVector<int64_t> shape(type.getShape().take_front(lead));
  shape.append({tiles, k, width});
  auto packedType = RankedTensorType::get(shape, type.getElementType());
  auto attr = DenseElementsAttr::getFromRawBuffer(
      packedType, ArrayRef<char>(packed.data(), packed.size()));
  return arith::ConstantOp::create(b, loc, packedType, attr);
}

/// What the projection's contraction reads: `packed` itself, or for an
/// expert's projection its expert's [tiles, K, width] slice of the packed
/// stack, taken where the matmul is (where the expert index is defined).
Value packedOperand(OpBuilder &b, Projection p, Value packed) {
  if (!p.stack)
    return packed;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(p.matmul);
  auto type = cast<RankedTensorType>(packed.getType());
  SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0));
  offsets[0] = p.expert;
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1)};
  for (int64_t d : type.getShape().drop_front())
    sizes.push_back(b.getIndexAttr(d));
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  auto sliceType = RankedTensorType::get(type.getShape().drop_front(),
                                         type.getElementType());
  return tensor::ExtractSliceOp::create(b, p.matmul.getLoc(), sliceType, packed,
                                        offsets, sizes, strides);
}

/// Rewrites one projection to read the packed weight `packed`: the
/// contraction produces C3[M, tiles, width], and an element-wise op over
/// [M, N] (the consumer, or a copy) reads C3[m, n floordiv 32, n mod 32
/// (+ 32 for the up half of a gated tile)].
void rewriteProjection(RewriterBase &rw, Projection p, Value packed) {
  linalg::MatmulOp op = p.matmul;
  Location loc = op.getLoc();
  MLIRContext *ctx = rw.getContext();
  rw.setInsertionPoint(p.epilogue ? p.epilogue.getOperation()
                                  : op.getOperation());
  Value a = op.getInputs()[0];
  auto packedType = cast<RankedTensorType>(packed.getType());
  int64_t tiles = packedType.getDimSize(0);
  int64_t width = packedType.getDimSize(2);
  auto fill = op.getOutputs()[0].getDefiningOp<linalg::FillOp>();

  // C3[m, t, j] = fill + Σ_k A[m, k] · Wp[t, k, j].
  SmallVector<OpFoldResult> accSizes = {tensor::getMixedSize(rw, loc, a, 0),
                                        rw.getIndexAttr(tiles),
                                        rw.getIndexAttr(width)};
  Value empty = tensor::EmptyOp::create(rw, loc, accSizes, rw.getF32Type());
  Value init =
      linalg::FillOp::create(rw, loc, fill.getInputs()[0], empty).getResult(0);
  AffineExpr m, t, j, k;
  bindDims(ctx, m, t, j, k);
  SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {m, k}, ctx),
                                 AffineMap::get(4, 0, {t, k, j}, ctx),
                                 AffineMap::get(4, 0, {m, t, j}, ctx)};
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  auto contract =
      arith::FastMathFlagsAttr::get(ctx, arith::FastMathFlags::contract);
  auto packedMatmul = linalg::GenericOp::create(
      rw, loc, TypeRange{init.getType()}, ValueRange{a, packed},
      ValueRange{init}, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        auto ext = [&](Value v) -> Value {
          if (v.getType().isF32())
            return v;
          return arith::ExtFOp::create(b, l, b.getF32Type(), v);
        };
        Value prod =
            arith::MulFOp::create(b, l, ext(args[0]), ext(args[1]), contract);
        Value sum = arith::AddFOp::create(b, l, args[2], prod, contract);
        linalg::YieldOp::create(b, l, sum);
      });
  Value acc = packedMatmul.getResult(0);

  // Reads of the accumulator from the (m, n) space of the epilogue.
  AffineExpr em, en;
  bindDims(ctx, em, en);
  auto accMap = [&](int64_t half) {
    return AffineMap::get(
        2, 0, {em, en.floorDiv(kPanel), en % kPanel + half * kPanel}, ctx);
  };
  auto parallel2 =
      SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel);

  if (!p.epilogue) {
    Value c = op.getResult(0);
    SmallVector<OpFoldResult> sizes = {
        tensor::getMixedSize(rw, loc, a, 0),
        rw.getIndexAttr(cast<RankedTensorType>(c.getType()).getDimSize(1))};
    Value out = tensor::EmptyOp::create(rw, loc, sizes, rw.getF32Type());
    auto copy = linalg::GenericOp::create(
        rw, loc, TypeRange{out.getType()}, ValueRange{acc}, ValueRange{out},
        ArrayRef<AffineMap>{accMap(0),
                            AffineMap::getMultiDimIdentityMap(2, ctx)},
        parallel2, [&](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    rw.replaceOp(op, castIfNeeded(rw, loc, copy.getResult(0), c.getType()));
    return;
  }

  // What still asks for C's shape gets it from the fill.
  for (OpOperand &use : llvm::make_early_inc_range(op.getResult(0).getUses()))
    if (isa<tensor::DimOp>(use.getOwner()))
      rw.modifyOpInPlace(use.getOwner(), [&] { use.set(op.getOutputs()[0]); });

  linalg::GenericOp g = p.epilogue;
  SmallVector<Value> inputs;
  SmallVector<AffineMap> newMaps;
  for (OpOperand *in : g.getDpsInputOperands()) {
    Value v = in->get();
    if (p.gated() && (v == p.halves[0] || v == p.halves[1])) {
      auto half = v.getDefiningOp<tensor::ExtractSliceOp>();
      bool second = getConstantIntValue(half.getMixedOffsets()[1]) != 0;
      inputs.push_back(acc);
      newMaps.push_back(accMap(second ? 1 : 0));
    } else if (v == op.getResult(0)) {
      inputs.push_back(acc);
      newMaps.push_back(accMap(0));
    } else {
      inputs.push_back(v);
      newMaps.push_back(g.getMatchingIndexingMap(in));
    }
  }
  newMaps.push_back(g.getMatchingIndexingMap(g.getDpsInitOperand(0)));
  auto fused = linalg::GenericOp::create(rw, loc, g.getResultTypes(), inputs,
                                         g.getDpsInits(), newMaps,
                                         g.getIteratorTypesArray());
  IRMapping mapping;
  g.getRegion().cloneInto(&fused.getRegion(), mapping);
  rw.replaceOp(g, fused.getResults());
  if (p.gated()) {
    rw.eraseOp(p.halves[0]);
    rw.eraseOp(p.halves[1]);
  }
  rw.eraseOp(op);
}

/// Packs and rewrites one projection and erases the weight slice it no
/// longer reads.
void rewriteProjectionWithPacked(RewriterBase &rw, Projection p, Value packed) {
  rewriteProjection(rw, p, packedOperand(rw, p, packed));
  if (p.stack && p.weight.use_empty())
    rw.eraseOp(p.weight.getDefiningOp());
}

/// The projections of `func` to pack, each with the arguments its weight
/// comes from.
SmallVector<Projection> analyzeFunction(func::FuncOp func) {
  SmallVector<Projection> found;
  llvm::SmallPtrSet<Operation *, 8> claimed;
  func.walk([&](linalg::MatmulOp op) {
    std::optional<Projection> p = analyze(op);
    if (!p)
      return;
    // An element-wise op reading two projections (the unfused gating)
    // becomes the epilogue of the first; the second is stored.
    if (p->epilogue && !claimed.insert(p->epilogue).second) {
      if (p->gated())
        return;
      p->epilogue = nullptr;
    }
    found.push_back(*p);
  });
  return found;
}

struct PackWeightsPass : public xfmr::impl::PackWeightsBase<PackWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp func : funcs) {
      // (A function that already has its prepared form was packed by an
      // earlier run of the pass.)
      if (func.isExternal() || func->hasAttr(xfmr::kPreparedEntryAttrName))
        continue;
      if (failed(processFunction(module, func)))
        return signalPassFailure();
    }
  }

  /// Constant weights are packed in place; if argument weights remain and
  /// `func` is public, <f>_prepare and <f>_prepared are added.
  LogicalResult processFunction(ModuleOp module, func::FuncOp func) {
    IRRewriter rw(&getContext());
    bool argumentWeights = false;
    for (Projection &p : analyzeFunction(func)) {
      Value source = p.stack ? p.stack : p.weight;
      std::optional<std::vector<char>> bytes = constantBytes(source);
      if (!bytes) {
        argumentWeights = true;
        continue;
      }
      rw.setInsertionPointAfterValue(source);
      Value packed = buildFoldedPackedWeight(rw, p.matmul.getLoc(), source,
                                             p.gated(), *bytes);
      rewriteProjectionWithPacked(rw, p, packed);
    }
    if (!argumentWeights || !prepareEntryPoints || func.isPrivate())
      return success();
    return addPreparedEntryPoints(module, func);
  }

  LogicalResult addPreparedEntryPoints(ModuleOp module, func::FuncOp func) {
    std::string prepareName = (func.getName() + "_prepare").str();
    std::string preparedName = (func.getName() + "_prepared").str();
    for (StringRef name : {StringRef(prepareName), StringRef(preparedName)})
      if (module.lookupSymbol(name))
        return func.emitError("cannot add the weight-preparation entry point '")
               << name << "': the module already has a symbol of that name";

    IRRewriter rw(&getContext());
    rw.setInsertionPointAfter(func);
    auto prepared = cast<func::FuncOp>(rw.clone(*func));
    prepared.setName(preparedName);
    Block &body = prepared.getBody().front();

    // Pack every argument weight at the top of the body, then rewrite.
    SmallVector<Value> packedValues;
    SmallVector<std::string> packedNames;
    SmallVector<StringRef> names = argumentNames(func);
    llvm::SetVector<BlockArgument> weightArgs;
    llvm::SmallDenseMap<std::pair<Value, int>, Value> packedOf;
    for (Projection &p : analyzeFunction(prepared)) {
      // (An expert's projection packs the whole stack its weight is sliced
      // from, once for all experts.)
      Value source = p.stack ? p.stack : p.weight;
      if (constantBytes(source))
        continue;
      llvm::SetVector<BlockArgument> args;
      isWeightLike(source, args);
      weightArgs.insert(args.begin(), args.end());
      Value &packed = packedOf[{source, p.gated() ? 1 : 0}];
      if (!packed) {
        rw.setInsertionPointAfterValue(source);
        if (isa<BlockArgument>(source))
          rw.setInsertionPointToStart(&body);
        packed = buildPackedWeight(rw, p.matmul.getLoc(), source, p.gated());
        packedValues.push_back(packed);
        // "w_gate_w_up_packed": the arguments the weight is made of.
        std::string name;
        for (BlockArgument arg : args)
          name += names[arg.getArgNumber()].str() + "_";
        packedNames.push_back(name + "packed");
      }
      rewriteProjectionWithPacked(rw, p, packed);
    }

    // The computation of the packed weights moves to <f>_prepare.
    SetVector<Operation *> slice;
    std::function<void(Value)> collect = [&](Value v) {
      Operation *op = v.getDefiningOp();
      if (!op || slice.contains(op))
        return;
      for (Value operand : op->getOperands())
        collect(operand);
      // (A tensor.pad yields a padding value defined outside its region.)
      visitUsedValuesDefinedAbove(op->getRegions(),
                                  [&](OpOperand *use) { collect(use->get()); });
      slice.insert(op);
    };
    for (Value v : packedValues)
      collect(v);
    SmallVector<Operation *> sliceOps(slice.begin(), slice.end());
    llvm::sort(sliceOps, [](Operation *x, Operation *y) {
      return x->isBeforeInBlock(y);
    });

    SmallVector<BlockArgument> prepareArgs(weightArgs.begin(),
                                           weightArgs.end());
    llvm::sort(prepareArgs, [](BlockArgument x, BlockArgument y) {
      return x.getArgNumber() < y.getArgNumber();
    });
    SmallVector<Type> argTypes, resultTypes;
    for (BlockArgument arg : prepareArgs)
      argTypes.push_back(arg.getType());
    for (Value v : packedValues)
      resultTypes.push_back(v.getType());

    rw.setInsertionPoint(prepared);
    auto prepare =
        func::FuncOp::create(rw, func.getLoc(), prepareName,
                             rw.getFunctionType(argTypes, resultTypes));
    Block *prepareBody = prepare.addEntryBlock();
    IRMapping mapping;
    for (auto [from, to] : llvm::zip(prepareArgs, prepareBody->getArguments()))
      mapping.map(from, to);
    rw.setInsertionPointToStart(prepareBody);
    for (Operation *op : sliceOps)
      rw.clone(*op, mapping);
    SmallVector<Value> returned;
    for (Value v : packedValues)
      returned.push_back(mapping.lookup(v));
    func::ReturnOp::create(rw, func.getLoc(), returned);

    // <f>_prepared takes the packed weights after its remaining arguments.
    SmallVector<Attribute> preparedNames;
    for (auto [i, v] : llvm::enumerate(packedValues)) {
      BlockArgument arg = body.addArgument(v.getType(), v.getLoc());
      rw.replaceAllUsesWith(v, arg);
    }
    // Sizes asked of the unpacked weights (the expert loop's trip count, the
    // shape of an expert's slice) are static: answering them with constants
    // leaves those weights unread.
    prepared.walk([&](tensor::DimOp dim) {
      std::optional<int64_t> index = dim.getConstantIndex();
      auto type = dyn_cast<RankedTensorType>(dim.getSource().getType());
      if (!index || !type || *index < 0 || *index >= type.getRank() ||
          type.isDynamicDim(*index))
        return;
      rw.setInsertionPoint(dim);
      rw.replaceOpWithNewOp<arith::ConstantIndexOp>(dim,
                                                    type.getDimSize(*index));
    });
    // Drop what the rewrite left dead, so that weights only the packing
    // read stop being arguments.
    bool erased = true;
    while (erased) {
      erased = false;
      SmallVector<Operation *> dead;
      // (Nested ops too: the expert loop's slices of the weights. What is
      // inside a dead op goes with it.)
      for (Operation &top : body.without_terminator())
        top.walk<WalkOrder::PreOrder>([&](Operation *op) {
          if (!isOpTriviallyDead(op))
            return WalkResult::advance();
          dead.push_back(op);
          return WalkResult::skip();
        });
      for (Operation *op : llvm::reverse(dead)) {
        rw.eraseOp(op);
        erased = true;
      }
    }
    llvm::BitVector dropped(body.getNumArguments());
    SmallVector<int64_t> inputIndices, weightIndices;
    for (BlockArgument arg : prepareArgs)
      weightIndices.push_back(arg.getArgNumber());
    unsigned original = func.getNumArguments();
    for (unsigned i = 0; i < original; ++i) {
      if (body.getArgument(i).use_empty())
        dropped.set(i);
      else
        inputIndices.push_back(i);
    }
    SmallVector<Attribute> prepareNames;
    for (int64_t i : weightIndices)
      prepareNames.push_back(rw.getStringAttr(names[i]));
    for (int64_t i : inputIndices)
      preparedNames.push_back(rw.getStringAttr(names[i]));
    for (size_t r = 0; r < packedValues.size(); ++r)
      preparedNames.push_back(rw.getStringAttr(packedNames[r]));
    prepared.setFunctionType(rw.getFunctionType(
        body.getArgumentTypes(), prepared.getFunctionType().getResults()));
    if (failed(prepared.eraseArguments(dropped)))
      return func.emitError("cannot drop the packed weight arguments");
    prepared->setAttr(xfmr::kArgNamesAttrName, rw.getArrayAttr(preparedNames));
    prepare->setAttr(xfmr::kArgNamesAttrName, rw.getArrayAttr(prepareNames));

    // How a caller gets from <f>'s arguments to the two calls.
    func->setAttr(
        xfmr::kPreparedEntryAttrName,
        rw.getDictionaryAttr(
            {rw.getNamedAttr("prepare", rw.getStringAttr(prepareName)),
             rw.getNamedAttr("run", rw.getStringAttr(preparedName)),
             rw.getNamedAttr("weights", rw.getDenseI64ArrayAttr(weightIndices)),
             rw.getNamedAttr("inputs",
                             rw.getDenseI64ArrayAttr(inputIndices))}));
    return success();
  }

  /// The source names of `func`'s arguments, else argN.
  static SmallVector<StringRef> argumentNames(func::FuncOp func) {
    SmallVector<StringRef> names;
    auto attr = func->getAttrOfType<ArrayAttr>(xfmr::kArgNamesAttrName);
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
      StringAttr s = attr && i < attr.size() ? dyn_cast<StringAttr>(attr[i])
                                             : StringAttr();
      names.push_back(
          s ? s.getValue()
            : StringAttr::get(func.getContext(), "arg" + std::to_string(i))
                  .getValue());
    }
    return names;
  }
};

} // namespace
