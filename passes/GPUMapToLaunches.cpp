//===- GPUMapToLaunches.cpp - loop nests on buffers -> gpu.launch ---------===//
//
// Moves all the work of a bufferized host function onto the GPU: parallel
// loops become one-dimensional grids, the sequential loops that write to
// buffers become single-thread kernels. See the pass description in
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "GPUKernelLaunch.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_GPUMAPTOLAUNCHES
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;

namespace {

/// All kernels go to one gpu.module, so that the target emits one PTX
/// module (and one cubin) per compiled module.
constexpr llvm::StringLiteral kKernelModule = "xfmr_kernels";

/// A launch of `grid` x 1 x 1 blocks of `block` x 1 x 1 threads at the
/// builder's position, with the builder left inside its body, before the
/// terminator.
gpu::LaunchOp createLaunch(OpBuilder &b, Location loc, Value grid,
                           Value block) {
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  return xfmr::createKernelLaunch(b, loc, grid, one, one, block);
}

void runOnOneThread(Operation *op) {
  OpBuilder b(op);
  Value one = arith::ConstantIndexOp::create(b, op->getLoc(), 1);
  gpu::LaunchOp launch = createLaunch(b, op->getLoc(), one, one);
  op->moveBefore(launch.getBody().front().getTerminator());
}

/// Whether `op` (a region op) may run as a single-thread kernel: it writes
/// to a buffer, its results are unused, and it holds nothing that must stay
/// on the host (allocations, calls, other kernels).
bool isSequentialKernel(Operation *op) {
  if (!isa<scf::ForOp, scf::WhileOp, scf::IfOp>(op) || !op->use_empty())
    return false;
  bool writes = false;
  WalkResult result = op->walk([&](Operation *inner) {
    if (isa<scf::ParallelOp, gpu::LaunchOp, memref::AllocOp, memref::AllocaOp,
            memref::DeallocOp, gpu::AllocOp, gpu::DeallocOp, gpu::MemcpyOp,
            gpu::WaitOp, CallOpInterface>(inner))
      return WalkResult::interrupt();
    if (isa<memref::StoreOp>(inner))
      writes = true;
    return WalkResult::advance();
  });
  return writes && !result.wasInterrupted();
}

void wrapSequentialCode(Region &region) {
  for (Operation &op : llvm::make_early_inc_range(region.getOps())) {
    if (isa<gpu::LaunchOp, scf::ParallelOp>(op))
      continue;
    if (isa<memref::StoreOp>(op) || isSequentialKernel(&op)) {
      runOnOneThread(&op);
      continue;
    }
    for (Region &nested : op.getRegions())
      wrapSequentialCode(nested);
  }
}

/// The launch for an outermost scf.parallel: thread g of the grid runs the
/// iteration whose delinearised index is g, when g is below the trip count.
void parallelToLaunch(scf::ParallelOp loop, int64_t blockSize) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value total = one;
  SmallVector<Value> counts;
  for (auto [lb, ub, step] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    Value extent = arith::SubIOp::create(b, loc, ub, lb);
    Value count = arith::CeilDivSIOp::create(b, loc, extent, step);
    count = arith::MaxSIOp::create(b, loc, count, zero);
    counts.push_back(count);
    total = arith::MulIOp::create(b, loc, total, count);
  }
  Value block = arith::ConstantIndexOp::create(b, loc, blockSize);
  Value grid = arith::CeilDivUIOp::create(b, loc, total, block);
  // An empty loop still launches one block (a grid of 0 is an error) whose
  // threads all fail the bounds check.
  grid = arith::MaxUIOp::create(b, loc, grid, one);
  gpu::LaunchOp launch = createLaunch(b, loc, grid, block);

  Value global = arith::MulIOp::create(b, loc, launch.getBlockIds().x, block);
  global = arith::AddIOp::create(b, loc, global, launch.getThreadIds().x);
  Value inBounds =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, global, total);
  auto guard = scf::IfOp::create(b, loc, inBounds, /*withElseRegion=*/false);
  b.setInsertionPoint(guard.thenBlock()->getTerminator());
  IRMapping mapping;
  Value rest = global;
  for (int64_t i = loop.getNumLoops() - 1; i >= 0; --i) {
    Value index =
        i == 0 ? rest
               : arith::RemUIOp::create(b, loc, rest, counts[i]).getResult();
    if (i != 0)
      rest = arith::DivUIOp::create(b, loc, rest, counts[i]);
    Value scaled = arith::MulIOp::create(b, loc, index, loop.getStep()[i]);
    Value iv = arith::AddIOp::create(b, loc, loop.getLowerBound()[i], scaled);
    mapping.map(loop.getInductionVars()[i], iv);
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  loop.erase();
}

struct GPUMapToLaunchesPass
    : public xfmr::impl::GPUMapToLaunchesBase<GPUMapToLaunchesPass> {
  using GPUMapToLaunchesBase::GPUMapToLaunchesBase;

  void runOnOperation() override {
    if (blockSize < 1 || blockSize > 1024) {
      getOperation().emitError()
          << "block-size must be between 1 and 1024, got "
          << static_cast<int64_t>(blockSize);
      return signalPassFailure();
    }
    wrapSequentialCode(getOperation().getBody());

    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>() &&
          !loop->getParentOfType<gpu::LaunchOp>())
        loops.push_back(loop);
    });
    for (scf::ParallelOp loop : loops) {
      if (loop.getNumResults() != 0) {
        loop.emitError("scf.parallel with reductions cannot be mapped to a "
                       "GPU grid yet");
        return signalPassFailure();
      }
      parallelToLaunch(loop, blockSize);
    }

    // Kernels are named `<function>_kernel_<n>` in program order, in the
    // module that gpu-kernel-outlining creates for all of them.
    MLIRContext *context = &getContext();
    unsigned next = 0;
    getOperation().walk<WalkOrder::PreOrder>([&](gpu::LaunchOp launch) {
      launch.setModuleAttr(FlatSymbolRefAttr::get(context, kKernelModule));
      launch.setFunctionAttr(FlatSymbolRefAttr::get(
          context,
          (getOperation().getSymName() + "_kernel_" + Twine(next++)).str()));
    });
  }
};

} // namespace
