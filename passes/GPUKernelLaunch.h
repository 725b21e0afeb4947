//===- GPUKernelLaunch.h - the gpu.launch every GPU kernel pass builds ----===//
//
// The kernels of the GPU pipeline (tiled and tensor-core matmuls, flash
// attention, warp reductions, the MoE routing kernels, the loop nests of
// xfmr-gpu-map-to-launches) are all built the same way: a gpu.launch of
// one-dimensional blocks whose body the pass then fills.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_PASSES_GPUKERNELLAUNCH_H
#define XFMR_PASSES_GPUKERNELLAUNCH_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir::xfmr {

/// A gpu.launch of gridX x gridY x gridZ blocks of `threads` x 1 x 1
/// threads with the given workgroup buffers (its attributions). Its body
/// holds only the terminator, and the builder is left before it.
inline gpu::LaunchOp createKernelLaunch(OpBuilder &b, Location loc, Value gridX,
                                        Value gridY, Value gridZ, Value threads,
                                        TypeRange workgroup = {}) {
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto launch = gpu::LaunchOp::create(
      b, loc, gridX, gridY, gridZ, threads, one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange(), workgroup);
  Block &body = launch.getBody().front();
  b.setInsertionPointToEnd(&body);
  auto terminator = gpu::TerminatorOp::create(b, loc);
  b.setInsertionPoint(terminator);
  return launch;
}

} // namespace mlir::xfmr

#endif // XFMR_PASSES_GPUKERNELLAUNCH_H
