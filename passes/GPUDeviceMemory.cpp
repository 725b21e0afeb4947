//===- GPUDeviceMemory.cpp - kernel-only buffers in device memory ---------===//
//
// xfmr-gpu-device-buffers allocates every buffer in CUDA managed memory, so
// that the host code that orchestrates the kernels can read what they
// wrote. Once every loop nest is a kernel, most buffers are touched by
// kernels and copies only; this pass moves those to plain device memory
// (cuMemAlloc), which the driver never migrates between host and device.
// Pass description: Passes.td.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_GPUDEVICEMEMORY
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;

namespace {

/// Whether the host code never reads or writes the contents of `buffer`
/// (nor of any view of it): every use is inside a kernel, a copy (the
/// driver's copy reads device memory), a deallocation, or asks for sizes
/// only.
bool onlyKernelsTouch(Value buffer) {
  for (OpOperand &use : buffer.getUses()) {
    Operation *user = use.getOwner();
    if (user->getParentOfType<gpu::LaunchOp>())
      continue;
    if (auto view = dyn_cast<ViewLikeOpInterface>(user);
        view && view.getViewSource() == buffer) {
      if (!llvm::all_of(user->getResults(), onlyKernelsTouch))
        return false;
      continue;
    }
    if (isa<gpu::DeallocOp, gpu::MemcpyOp, memref::DimOp>(user))
      continue;
    // A buffer that an scf.if yields (an argument's copy on the device)
    // is touched where that result is.
    if (isa<scf::YieldOp>(user) && isa<scf::IfOp>(user->getParentOp()) &&
        onlyKernelsTouch(
            user->getParentOp()->getResult(use.getOperandNumber())))
      continue;
    return false;
  }
  return true;
}

struct GPUDeviceMemoryPass
    : public xfmr::impl::GPUDeviceMemoryBase<GPUDeviceMemoryPass> {
  void runOnOperation() override {
    SmallVector<gpu::AllocOp> shared;
    getOperation().walk([&](gpu::AllocOp alloc) {
      if (alloc.getHostShared() && !alloc->getParentOfType<gpu::LaunchOp>() &&
          onlyKernelsTouch(alloc.getMemref()))
        shared.push_back(alloc);
    });
    // gpu-to-llvm lowers a device allocation only in its async form, with
    // one dependency: the allocation is issued on a stream and waited for.
    for (gpu::AllocOp alloc : shared) {
      OpBuilder b(alloc);
      Location loc = alloc.getLoc();
      auto tokenType = gpu::AsyncTokenType::get(b.getContext());
      Value ready =
          gpu::WaitOp::create(b, loc, tokenType, ValueRange()).getAsyncToken();
      auto device = gpu::AllocOp::create(
          b, loc, alloc.getMemref().getType(), tokenType, ValueRange{ready},
          alloc.getDynamicSizes(), alloc.getSymbolOperands(),
          /*hostShared=*/false);
      gpu::WaitOp::create(b, loc, Type(), ValueRange{device.getAsyncToken()});
      alloc.getMemref().replaceAllUsesWith(device.getMemref());
      alloc.erase();
    }
  }
};

} // namespace
