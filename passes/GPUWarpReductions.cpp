//===- GPUWarpReductions.cpp - linalg reductions -> one warp per output ---===//
//
// Replaces the reductions of the GPU pipeline's bufferized host functions
// (the sums of norms, the maximum and sum of softmax, the contractions that
// no other kernel takes) by kernels in which the 32 lanes of a warp share
// the reduction of one output element and combine their partial results
// with warp shuffles, instead of the one-thread-per-output loops that the
// generic lowering makes of them. See the pass description in Passes.td for
// the ops it takes and the kernel's shape.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "GPUKernelLaunch.h"
#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_GPUWARPREDUCTIONS
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;

namespace {

constexpr int64_t kWarpSize = 32;

/// A reduction this kernel computes: `combine` is the body's last op before
/// the yield, reading the output's block argument as operand `accOperand`
/// and the element computed from the inputs as the other one.
struct Reduction {
  linalg::GenericOp op;
  Operation *combine;
  unsigned accOperand;
};

/// The element that leaves every value unchanged under `combine`, which
/// both starts each lane's partial result and fills the lanes without
/// elements. maxnumf/minnumf ignore a NaN operand, so NaN is theirs (and an
/// empty reduction then leaves the initial value as it is, NaN included);
/// maximumf/minimumf propagate NaN, so theirs is an infinity; -0.0 is the
/// one for addf (-0.0 + -0.0 is -0.0). Nothing for other ops.
std::optional<TypedAttr> identityOf(Operation *combine) {
  Type type = combine->getResult(0).getType();
  if (auto floatType = dyn_cast<FloatType>(type)) {
    const llvm::fltSemantics &sem = floatType.getFloatSemantics();
    std::optional<APFloat> value =
        llvm::TypeSwitch<Operation *, std::optional<APFloat>>(combine)
            .Case([&](arith::AddFOp) { return APFloat::getZero(sem, true); })
            .Case([&](arith::MulFOp) { return APFloat::getOne(sem); })
            .Case([&](arith::MaximumFOp) { return APFloat::getInf(sem, true); })
            .Case([&](arith::MinimumFOp) { return APFloat::getInf(sem); })
            .Case<arith::MaxNumFOp, arith::MinNumFOp>(
                [&](Operation *) { return APFloat::getQNaN(sem); })
            .Default([](Operation *) { return std::nullopt; });
    if (!value)
      return std::nullopt;
    return FloatAttr::get(floatType, *value);
  }
  auto intType = dyn_cast<IntegerType>(type);
  if (!intType)
    return std::nullopt;
  unsigned width = intType.getWidth();
  std::optional<APInt> value =
      llvm::TypeSwitch<Operation *, std::optional<APInt>>(combine)
          .Case([&](arith::AddIOp) { return APInt::getZero(width); })
          .Case([&](arith::MulIOp) { return APInt(width, 1); })
          .Case([&](arith::MaxSIOp) { return APInt::getSignedMinValue(width); })
          .Case([&](arith::MinSIOp) { return APInt::getSignedMaxValue(width); })
          .Case([&](arith::MaxUIOp) { return APInt::getZero(width); })
          .Case([&](arith::MinUIOp) { return APInt::getMaxValue(width); })
          .Default([](Operation *) { return std::nullopt; });
  if (!value)
    return std::nullopt;
  return IntegerAttr::get(intType, *value);
}

/// Whether values of `type` can go through the shuffles: they move as one
/// or two 32-bit words.
bool isShuffleable(Type type) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return llvm::is_contained({16u, 32u, 64u}, floatType.getWidth());
  if (auto intType = dyn_cast<IntegerType>(type))
    return llvm::is_contained({8u, 16u, 32u, 64u}, intType.getWidth());
  return false;
}

/// The reduction that `op` computes, or nothing when it is not one this
/// kernel handles exactly (the generic loop lowering then takes it).
std::optional<Reduction> matchReduction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() == 0 || op->getNumResults() != 0)
    return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
  Value out = init->get();
  // Other warps write the output while a warp reads its inputs.
  if (llvm::is_contained(op.getDpsInputs(), out))
    return std::nullopt;
  for (Value input : op.getDpsInputs())
    if (!isa<MemRefType>(input.getType()))
      return std::nullopt;

  // Each output element belongs to exactly one warp: the output is indexed
  // by every parallel dimension once and by no reduction dimension.
  AffineMap outMap = op.getMatchingIndexingMap(init);
  if (!outMap.isProjectedPermutation() ||
      outMap.getNumResults() != op.getNumParallelLoops())
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (AffineExpr result : outMap.getResults())
    if (iterators[cast<AffineDimExpr>(result).getPosition()] !=
        utils::IteratorType::parallel)
      return std::nullopt;

  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Value acc = op.getMatchingBlockArgument(init);
  if (yield.getNumOperands() != 1 || !acc.hasOneUse())
    return std::nullopt;
  Operation *combine = acc.getUses().begin()->getOwner();
  if (combine != yield.getOperand(0).getDefiningOp() ||
      combine->getNumOperands() != 2 || combine->getNumResults() != 1 ||
      !combine->getResult(0).hasOneUse() ||
      combine->getOperand(0) == combine->getOperand(1))
    return std::nullopt;
  Type type = acc.getType();
  if (combine->getResult(0).getType() != type || !isShuffleable(type) ||
      !identityOf(combine))
    return std::nullopt;
  // With no-NaN or no-inf flags, the identities above would be poison.
  if (auto fastmath = dyn_cast<arith::ArithFastMathInterface>(combine)) {
    arith::FastMathFlags flags = fastmath.getFastMathFlagsAttr().getValue();
    if (bitEnumContainsAny(flags, arith::FastMathFlags::nnan |
                                      arith::FastMathFlags::ninf))
      return std::nullopt;
  }
  // The element is computed anew by each lane from its inputs: only pure
  // ops without regions (and the loop indices) may compute it.
  for (Operation &inner : body.without_terminator()) {
    if (&inner == combine || isa<linalg::IndexOp>(inner))
      continue;
    if (inner.getNumRegions() != 0 || !isMemoryEffectFree(&inner))
      return std::nullopt;
  }
  unsigned accOperand = combine->getOperand(0) == acc ? 0 : 1;
  return Reduction{op, combine, accOperand};
}

/// Builds index arithmetic and the kernel at a builder's position.
struct KernelBuilder {
  OpBuilder &b;
  Location loc;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value below(Value x, Value bound) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, bound);
  }

  /// The indices of `linear` in a row-major space of `sizes` (last
  /// fastest). The first index is what remains after the divisions: within
  /// the space it is below sizes[0], and outside it is not used.
  SmallVector<Value> delinearize(Value linear, ArrayRef<Value> sizes) {
    SmallVector<Value> indices(sizes.size());
    Value rest = linear;
    for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i > 0; --i) {
      indices[i] = arith::RemUIOp::create(b, loc, rest, sizes[i]);
      rest = arith::DivUIOp::create(b, loc, rest, sizes[i]);
    }
    if (!sizes.empty())
      indices[0] = rest;
    return indices;
  }

  /// `value` from the lane whose id is this lane's xor `offset`. The
  /// hardware shuffle moves 32-bit words: narrower values travel widened,
  /// 64-bit ones as two words.
  Value shuffleXor(Value value, int32_t offset) {
    auto shuffle = [&](Value word) {
      return gpu::ShuffleOp::create(b, loc, word, offset, kWarpSize,
                                    gpu::ShuffleMode::XOR)
          .getShuffleResult();
    };
    Type type = value.getType();
    unsigned width = type.getIntOrFloatBitWidth();
    if (width == 32)
      return shuffle(value);
    Type bitsType = b.getIntegerType(width);
    Type i32 = b.getI32Type();
    Value bits = isa<FloatType>(type)
                     ? arith::BitcastOp::create(b, loc, bitsType, value)
                     : value;
    Value moved;
    if (width < 32) {
      Value word = arith::ExtUIOp::create(b, loc, i32, bits);
      moved = arith::TruncIOp::create(b, loc, bitsType, shuffle(word));
    } else {
      Value shift = arith::ConstantIntOp::create(b, loc, bitsType, 32);
      Value low = arith::TruncIOp::create(b, loc, i32, bits);
      Value high = arith::TruncIOp::create(
          b, loc, i32, arith::ShRUIOp::create(b, loc, bits, shift));
      Value lowBack = arith::ExtUIOp::create(b, loc, bitsType, shuffle(low));
      Value highBack = arith::ExtUIOp::create(b, loc, bitsType, shuffle(high));
      moved = arith::OrIOp::create(
          b, loc, lowBack, arith::ShLIOp::create(b, loc, highBack, shift));
    }
    return isa<FloatType>(type) ? arith::BitcastOp::create(b, loc, type, moved)
                                : moved;
  }
};

/// `combine` applied to the accumulated value `acc` and `element`, keeping
/// the body's operand order and the op's attributes (fast-math flags).
Value applyCombine(OpBuilder &b, const Reduction &r, Value acc, Value element) {
  IRMapping mapping;
  mapping.map(r.combine->getOperand(r.accOperand), acc);
  mapping.map(r.combine->getOperand(1 - r.accOperand), element);
  return b.clone(*r.combine, mapping)->getResult(0);
}

void buildWarpReduction(const Reduction &r, int64_t warpsPerBlock) {
  linalg::GenericOp op = r.op;
  OpBuilder b(op);
  Location loc = op.getLoc();
  KernelBuilder host{b, loc};

  auto linalgOp = cast<linalg::LinalgOp>(op.getOperation());
  SmallVector<OpFoldResult> sizes;
  for (Range range : linalgOp.createLoopRanges(b, loc))
    sizes.push_back(range.size);
  SmallVector<unsigned> parallelDims, reductionDims;
  op.getParallelDims(parallelDims);
  op.getReductionDims(reductionDims);

  Value zero = host.index(0);
  Value one = host.index(1);
  // The product of `dims`' sizes, folded where they are constants.
  auto product = [&](ArrayRef<unsigned> dims) {
    int64_t constant = 1;
    Value dynamic;
    for (unsigned d : dims) {
      if (std::optional<int64_t> size = getConstantIntValue(sizes[d])) {
        constant *= *size;
        continue;
      }
      Value size = cast<Value>(sizes[d]);
      dynamic = dynamic ? host.mul(dynamic, size) : size;
    }
    if (!dynamic)
      return host.index(constant);
    return constant == 1 ? dynamic : host.mul(dynamic, host.index(constant));
  };
  Value outputs = product(parallelDims);
  Value steps = product(reductionDims);
  // The output's indices are recovered by dividing by the parallel sizes;
  // when one is 0 there is no output, and a divisor of 1 keeps the (unused)
  // division defined.
  SmallVector<Value> parallelDivisors, reductionSizes;
  for (unsigned d : parallelDims) {
    if (std::optional<int64_t> size = getConstantIntValue(sizes[d]))
      parallelDivisors.push_back(host.index(std::max<int64_t>(*size, 1)));
    else
      parallelDivisors.push_back(
          arith::MaxUIOp::create(b, loc, cast<Value>(sizes[d]), one));
  }
  for (unsigned d : reductionDims)
    reductionSizes.push_back(getValueOrCreateConstantIndexOp(b, loc, sizes[d]));
  Value warps = host.index(warpsPerBlock);
  // A grid of 0 blocks is invalid: an empty output still launches one
  // block, whose warps all have no element.
  Value grid = arith::MaxUIOp::create(
      b, loc, arith::CeilDivUIOp::create(b, loc, outputs, warps), one);
  gpu::LaunchOp launch = xfmr::createKernelLaunch(
      b, loc, grid, one, one, host.index(warpsPerBlock * kWarpSize));

  KernelBuilder kb{b, loc};
  Value tid = launch.getThreadIds().x;
  Value warpSize = kb.index(kWarpSize);
  Value lane = arith::RemUIOp::create(b, loc, tid, warpSize);
  Value warp = arith::DivUIOp::create(b, loc, tid, warpSize);
  Value element = kb.add(kb.mul(launch.getBlockIds().x, warps), warp);
  Value hasElement = kb.below(element, outputs);
  SmallVector<Value> ivs(sizes.size());
  for (auto [d, iv] :
       llvm::zip_equal(parallelDims, kb.delinearize(element, parallelDivisors)))
    ivs[d] = iv;

  // A warp without an element runs no step, but all its lanes still reach
  // the shuffles below: they are outside any lane-dependent control flow.
  Value count = arith::SelectOp::create(b, loc, hasElement, steps, zero);
  Value identity = arith::ConstantOp::create(b, loc, *identityOf(r.combine));
  auto loop =
      scf::ForOp::create(b, loc, lane, count, warpSize, ValueRange{identity});
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<Value> stepIvs = ivs;
    for (auto [d, iv] :
         llvm::zip_equal(reductionDims, kb.delinearize(loop.getInductionVar(),
                                                       reductionSizes)))
      stepIvs[d] = iv;

    Block &body = op.getRegion().front();
    IRMapping mapping;
    for (OpOperand *input : op.getDpsInputOperands()) {
      BlockArgument arg = op.getMatchingBlockArgument(input);
      if (arg.use_empty())
        continue;
      SmallVector<Value> indices;
      for (AffineExpr expr : op.getMatchingIndexingMap(input).getResults())
        indices.push_back(
            affine::expandAffineExpr(b, loc, expr, stepIvs, ValueRange()));
      mapping.map(arg, memref::LoadOp::create(b, loc, input->get(), indices));
    }
    for (Operation &inner : body.without_terminator()) {
      if (&inner == r.combine)
        continue;
      if (auto indexOp = dyn_cast<linalg::IndexOp>(inner)) {
        mapping.map(indexOp.getResult(), stepIvs[indexOp.getDim()]);
        continue;
      }
      b.clone(inner, mapping);
    }
    Value value = mapping.lookup(r.combine->getOperand(1 - r.accOperand));
    scf::YieldOp::create(
        b, loc, applyCombine(b, r, loop.getRegionIterArgs()[0], value));
  }

  // Butterfly: after the step with offset o, every lane holds the
  // combination of the 2o lanes that agree with it above bit o; after o = 1,
  // every lane holds the warp's total.
  Value total = loop.getResult(0);
  for (int32_t offset = kWarpSize / 2; offset >= 1; offset /= 2)
    total = applyCombine(b, r, total, kb.shuffleXor(total, offset));

  // Lane 0 folds the total into the output's initial value: linalg's
  // accumulate semantics (the output holds the fill value, or a partial
  // result).
  Value stores =
      arith::AndIOp::create(b, loc, hasElement, kb.below(lane, kb.index(1)));
  auto guard = scf::IfOp::create(b, loc, stores, /*withElseRegion=*/false);
  b.setInsertionPoint(guard.thenBlock()->getTerminator());
  OpOperand *init = op.getDpsInitOperand(0);
  SmallVector<Value> outIndices;
  for (AffineExpr expr : op.getMatchingIndexingMap(init).getResults())
    outIndices.push_back(ivs[cast<AffineDimExpr>(expr).getPosition()]);
  Value initial = memref::LoadOp::create(b, loc, init->get(), outIndices);
  memref::StoreOp::create(b, loc, applyCombine(b, r, initial, total),
                          init->get(), outIndices);
  op.erase();
}

/// Named reductions and contractions (linalg.reduce, batch_matmul, matvec,
/// ...) are taken through their generic form; ops that are not taken stay
/// as they were.
std::optional<Reduction> matchNamed(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumReductionLoops() == 0 ||
      op->getNumResults() != 0)
    return std::nullopt;
  OpBuilder b(op);
  IRRewriter rewriter(b);
  Operation *copy = b.clone(*op);
  FailureOr<linalg::GenericOp> generic =
      linalg::generalizeNamedOp(rewriter, cast<linalg::LinalgOp>(copy));
  if (failed(generic)) {
    copy->erase();
    return std::nullopt;
  }
  std::optional<Reduction> reduction = matchReduction(*generic);
  if (!reduction) {
    generic->erase();
    return std::nullopt;
  }
  op->erase();
  return reduction;
}

struct GPUWarpReductionsPass
    : public xfmr::impl::GPUWarpReductionsBase<GPUWarpReductionsPass> {
  using GPUWarpReductionsBase::GPUWarpReductionsBase;

  void runOnOperation() override {
    if (warpsPerBlock < 1 || warpsPerBlock > 32) {
      getOperation().emitError()
          << "warps-per-block must be between 1 and 32, got "
          << static_cast<int64_t>(warpsPerBlock);
      return signalPassFailure();
    }
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!op->getParentOfType<gpu::LaunchOp>())
        candidates.push_back(op);
    });
    for (linalg::LinalgOp op : candidates) {
      std::optional<Reduction> reduction;
      if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation()))
        reduction = matchReduction(generic);
      else
        reduction = matchNamed(op);
      if (reduction)
        buildWarpReduction(*reduction, warpsPerBlock);
    }
  }
};

} // namespace
