//===- GPUDeviceBuffers.cpp - host buffers -> CUDA managed memory ---------===//
//
// The buffers of the GPU pipeline's host functions live where both the
// kernels and the orchestrating host code can read them: see the pass
// description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_GPUDEVICEBUFFERS
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;

namespace {

bool isHostAddressSpace(Value memref) {
  return !cast<BaseMemRefType>(memref.getType()).getMemorySpace();
}

struct GPUDeviceBuffersPass
    : public xfmr::impl::GPUDeviceBuffersBase<GPUDeviceBuffersPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    WalkResult walk = getOperation().walk([&](Operation *op) {
      // A global lives in host memory that kernels cannot read.
      if (isa<memref::GetGlobalOp>(op)) {
        op->emitError("constant tensors are not supported by the GPU target "
                      "yet: pass the value as an argument");
        return WalkResult::interrupt();
      }
      if (isa<memref::AllocOp, memref::DeallocOp, memref::CopyOp>(op))
        ops.push_back(op);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    for (Operation *op : ops) {
      OpBuilder b(op);
      Location loc = op->getLoc();
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        if (!isHostAddressSpace(alloc.getMemref()))
          continue;
        // Managed memory is 256-byte aligned, more than any alignment
        // bufferization asks for.
        auto managed = gpu::AllocOp::create(
            b, loc, alloc.getType(), /*asyncToken=*/Type(),
            /*asyncDependencies=*/ValueRange(), alloc.getDynamicSizes(),
            alloc.getSymbolOperands(), /*hostShared=*/true);
        alloc.replaceAllUsesWith(managed.getMemref());
        alloc.erase();
      } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        if (!isHostAddressSpace(dealloc.getMemref()))
          continue;
        // gpu-to-llvm lowers only the asynchronous form of gpu.dealloc:
        // free on a fresh stream and wait for it.
        Type token = gpu::AsyncTokenType::get(b.getContext());
        Value stream =
            gpu::WaitOp::create(b, loc, token, ValueRange()).getAsyncToken();
        Value freed = gpu::DeallocOp::create(b, loc, token, ValueRange(stream),
                                             dealloc.getMemref())
                          .getAsyncToken();
        gpu::WaitOp::create(b, loc, Type(), ValueRange(freed));
        dealloc.erase();
      } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        linalg::CopyOp::create(b, loc, copy.getSource(), copy.getTarget());
        copy.erase();
      }
    }
  }
};

} // namespace
