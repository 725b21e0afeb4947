//===- ParallelLoops.cpp - scf.parallel shaped for OpenMP -----------------===//
//
// The two passes around `convert-scf-to-openmp` of the threaded CPU pipeline
// (see their descriptions in Passes.td):
//   xfmr-outer-parallel-loops: only the outermost dimensions of the outermost
//     scf.parallel of a nest stay parallel; everything else becomes scf.for.
//   xfmr-finish-openmp-regions: an `if` clause on each omp.parallel from its
//     work estimate; memref.alloca_scope bodies inlined, around stack
//     save/restore where they allocate.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_OUTERPARALLELLOOPS
#define GEN_PASS_DEF_FINISHOPENMPREGIONS
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;

namespace {

/// Replaces `op` by an scf.parallel over its first `numParallel` dimensions
/// (none: no scf.parallel at all) around scf.for loops over the others, in
/// order, with the original body innermost.
void splitParallelLoop(RewriterBase &rw, scf::ParallelOp op,
                       unsigned numParallel) {
  Location loc = op.getLoc();
  unsigned rank = op.getNumLoops();
  SmallVector<Value> ivs;
  rw.setInsertionPoint(op);
  if (numParallel > 0) {
    auto outer = scf::ParallelOp::create(
        rw, loc, op.getLowerBound().take_front(numParallel),
        op.getUpperBound().take_front(numParallel),
        op.getStep().take_front(numParallel));
    llvm::append_range(ivs, outer.getInductionVars());
    rw.setInsertionPoint(outer.getBody()->getTerminator());
  }
  for (unsigned d = numParallel; d < rank; ++d) {
    auto loop = scf::ForOp::create(rw, loc, op.getLowerBound()[d],
                                   op.getUpperBound()[d], op.getStep()[d]);
    ivs.push_back(loop.getInductionVar());
    rw.setInsertionPoint(loop.getBody()->getTerminator());
  }
  Block *body = op.getBody();
  Operation *reduce = body->getTerminator();
  Operation *insertBefore = &*rw.getInsertionPoint();
  rw.inlineBlockBefore(body, insertBefore, ivs);
  rw.eraseOp(reduce);
  rw.eraseOp(op);
}

/// How many leading dimensions of `op` to keep parallel: at least one, and
/// more while every kept extent is a constant and together they have fewer
/// than `minExtent` iterations (a [1, 8, ...] batch/head prefix alone does
/// not feed the threads). A dynamic extent (the token count) ends the
/// prefix. The inner dimensions stay sequential so that LLVM can vectorise
/// them and no index is recovered by division in the collapsed loop.
unsigned numParallelDims(scf::ParallelOp op, int64_t minExtent) {
  int64_t extent = 1;
  unsigned kept = 0;
  for (unsigned d = 0, e = op.getNumLoops(); d < e; ++d) {
    ++kept;
    std::optional<int64_t> lb = getConstantIntValue(op.getLowerBound()[d]);
    std::optional<int64_t> ub = getConstantIntValue(op.getUpperBound()[d]);
    std::optional<int64_t> step = getConstantIntValue(op.getStep()[d]);
    if (!lb || !ub || !step || *step <= 0)
      break;
    extent *= std::max<int64_t>(0, llvm::divideCeil(*ub - *lb, *step));
    if (extent >= minExtent)
      break;
  }
  return kept;
}

struct OuterParallelLoopsPass
    : public xfmr::impl::OuterParallelLoopsBase<OuterParallelLoopsPass> {
  using Base::Base;
  void runOnOperation() override {
    // Decided before any rewrite: the split keeps outer loops scf.parallel,
    // so nesting does not change, but the ops do.
    SmallVector<std::pair<scf::ParallelOp, bool>> loops;
    getOperation()->walk<WalkOrder::PreOrder>([&](scf::ParallelOp op) {
      // Reductions are left to convert-scf-to-openmp as they are.
      if (op.getNumReductions() != 0)
        return;
      loops.push_back({op, op->getParentOfType<scf::ParallelOp>() != nullptr});
    });
    IRRewriter rw(&getContext());
    for (auto [op, nested] : loops) {
      unsigned keep = nested ? 0 : numParallelDims(op, minParallelExtent);
      if (keep == op.getNumLoops())
        continue;
      splitParallelLoop(rw, op, keep);
    }
  }
};

/// Multiplies `work` by the iteration count of a loop with these bounds, when
/// they are available before `anchor`; null when they are not (the work is
/// then unknown).
Value multiplyTripCount(OpBuilder &b, Location loc, Operation *anchor,
                        Value work, Value lb, Value ub, Value step) {
  Region *region = &anchor->getRegion(0);
  for (Value v : {lb, ub, step})
    if (region->isAncestor(v.getParentRegion()))
      return nullptr;
  // Convert the bounds to index: loop_nest bounds are index or integers.
  auto toIndex = [&](Value v) -> Value {
    if (v.getType().isIndex())
      return v;
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
  };
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value span = arith::SubIOp::create(b, loc, toIndex(ub), toIndex(lb));
  Value trips = arith::CeilDivSIOp::create(b, loc, span, toIndex(step));
  trips = arith::MaxSIOp::create(b, loc, trips, zero);
  return arith::MulIOp::create(b, loc, work, trips);
}

/// The body block of `op`'s only region, looking through alloca scopes.
Block *innerBlock(Block *block) {
  if (block->getOperations().size() <= 2)
    if (auto scope = dyn_cast<memref::AllocaScopeOp>(block->front()))
      return &scope.getBodyRegion().front();
  return block;
}

/// An estimate of the scalar iterations an omp.parallel runs: the product of
/// the work-shared trip counts and of the chain of first scf.for loops in
/// the body; null when a trip count in that chain is only known inside the
/// region (a kernel's row and reduction loops): such a region is always
/// forked.
Value estimateWork(OpBuilder &b, omp::ParallelOp par) {
  Location loc = par.getLoc();
  Value work = arith::ConstantIndexOp::create(b, loc, 1);
  omp::LoopNestOp nest;
  par.walk([&](omp::LoopNestOp op) {
    if (!nest)
      nest = op;
  });
  if (!nest)
    return nullptr;
  for (auto [lb, ub, step] :
       llvm::zip(nest.getLoopLowerBounds(), nest.getLoopUpperBounds(),
                 nest.getLoopSteps()))
    if (work)
      work = multiplyTripCount(b, loc, par, work, lb, ub, step);
  Block *block = innerBlock(&nest.getRegion().front());
  while (true) {
    auto loops = block->getOps<scf::ForOp>();
    if (loops.empty())
      break;
    scf::ForOp loop = *loops.begin();
    if (!work)
      break;
    work = multiplyTripCount(b, loc, par, work, loop.getLowerBound(),
                             loop.getUpperBound(), loop.getStep());
    block = loop.getBody();
  }
  return work;
}

struct FinishOpenMPRegionsPass
    : public xfmr::impl::FinishOpenMPRegionsBase<FinishOpenMPRegionsPass> {
  using Base::Base;
  void runOnOperation() override {
    OpBuilder b(&getContext());
    if (minParallelWork > 1) {
      getOperation()->walk([&](omp::ParallelOp par) {
        if (par.getIfExpr() || par->getParentOfType<omp::ParallelOp>())
          return;
        b.setInsertionPoint(par);
        Value work = estimateWork(b, par);
        if (!work)
          return;
        Value grain =
            arith::ConstantIndexOp::create(b, par.getLoc(), minParallelWork);
        Value big = arith::CmpIOp::create(
            b, par.getLoc(), arith::CmpIPredicate::sge, work, grain);
        par.getIfExprMutable().assign(big);
      });
    }

    // Alloca scopes must be gone before scf-to-cf puts several blocks into
    // their (single-block) bodies. Only scopes that allocate need the stack
    // pointer restored at the end of each iteration.
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation()->walk([&](memref::AllocaScopeOp scope) {
      if (scope.getNumResults() == 0 &&
          scope->getParentOfType<omp::LoopNestOp>())
        scopes.push_back(scope);
    });
    IRRewriter rw(&getContext());
    for (memref::AllocaScopeOp scope : scopes) {
      Block *body = &scope.getBodyRegion().front();
      bool allocates = false;
      body->walk([&](memref::AllocaOp) { allocates = true; });
      rw.setInsertionPoint(scope);
      Value saved;
      if (allocates)
        saved = LLVM::StackSaveOp::create(
            rw, scope.getLoc(), LLVM::LLVMPointerType::get(&getContext()));
      Operation *terminator = body->getTerminator();
      rw.inlineBlockBefore(body, scope);
      rw.setInsertionPoint(terminator);
      if (saved)
        LLVM::StackRestoreOp::create(rw, scope.getLoc(), saved);
      rw.eraseOp(terminator);
      rw.eraseOp(scope);
    }
  }
};

} // namespace
