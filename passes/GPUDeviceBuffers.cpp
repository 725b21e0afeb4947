//===- GPUDeviceBuffers.cpp - host buffers -> CUDA managed memory ---------===//
//
// The buffers of the GPU pipeline's host functions live where both the
// kernels and the orchestrating host code can read them: see the pass
// description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
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

/// A stream to enqueue on: gpu-to-llvm lowers only the asynchronous forms
/// of gpu.memcpy and gpu.dealloc.
Value newStream(OpBuilder &b, Location loc) {
  Type token = gpu::AsyncTokenType::get(b.getContext());
  return gpu::WaitOp::create(b, loc, token, ValueRange()).getAsyncToken();
}

/// Enqueues `dst = src` and waits for it; returns the copy.
Operation *copyAndWait(OpBuilder &b, Location loc, Value dst, Value src) {
  Type token = gpu::AsyncTokenType::get(b.getContext());
  auto copy = gpu::MemcpyOp::create(b, loc, token,
                                    ValueRange(newStream(b, loc)), dst, src);
  gpu::WaitOp::create(b, loc, Type(), ValueRange(copy.getAsyncToken()));
  return copy;
}

/// Frees managed memory and waits for it.
void freeAndWait(OpBuilder &b, Location loc, Value memref) {
  Type token = gpu::AsyncTokenType::get(b.getContext());
  Value freed = gpu::DeallocOp::create(b, loc, token,
                                       ValueRange(newStream(b, loc)), memref)
                    .getAsyncToken();
  gpu::WaitOp::create(b, loc, Type(), ValueRange(freed));
}

/// The dynamic sizes of `memref`, for an allocation of the same type.
SmallVector<Value> dynamicSizes(OpBuilder &b, Location loc, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      sizes.push_back(memref::DimOp::create(b, loc, memref, i));
  return sizes;
}

/// Constant tensors (memref.get_global) live in the library's host memory,
/// which kernels cannot read: each is copied into managed memory at the
/// start of the function that reads it and freed before it returns. (A
/// copy per call; weights that should stay on the device are better passed
/// as arguments.)
void copyConstantsToDevice(func::FuncOp func,
                           ArrayRef<memref::GetGlobalOp> globals) {
  if (globals.empty() || func.isExternal())
    return;
  Block &entry = func.getBody().front();
  SmallVector<Value> copies;
  for (memref::GetGlobalOp global : globals) {
    // The reference has no operands: it can move to the entry block, where
    // the copy dominates every use and every return.
    global->moveBefore(&entry, entry.begin());
    OpBuilder b(global->getContext());
    b.setInsertionPointAfter(global);
    Location loc = global.getLoc();
    auto managed = gpu::AllocOp::create(
        b, loc, global.getType(), /*asyncToken=*/Type(),
        /*asyncDependencies=*/ValueRange(), /*dynamicSizes=*/ValueRange(),
        /*symbolOperands=*/ValueRange(), /*hostShared=*/true);
    Operation *copy = copyAndWait(b, loc, managed.getMemref(), global);
    global.getResult().replaceUsesWithIf(
        managed.getMemref(),
        [&](OpOperand &use) { return use.getOwner() != copy; });
    copies.push_back(managed.getMemref());
  }
  func.walk([&](func::ReturnOp ret) {
    OpBuilder b(ret);
    for (Value copy : copies)
      freeAndWait(b, ret.getLoc(), copy);
  });
}

/// The kernel runtime's test for memory kernels can read in place (device
/// or managed memory), declared once per module.
constexpr StringLiteral kIsDeviceMemory = "xfmr_cuda_is_device_memory";

func::FuncOp declareIsDeviceMemory(ModuleOp module) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(kIsDeviceMemory))
    return existing;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto type = b.getFunctionType({b.getI64Type()}, {b.getI1Type()});
  auto decl = func::FuncOp::create(b, module.getLoc(), kIsDeviceMemory, type);
  decl.setPrivate();
  return decl;
}

/// The C entry points take and return ordinary host memory, as on the CPU
/// target: each argument in host memory is copied into managed memory on
/// entry (kernels cannot read pageable host memory), while one already in
/// device or managed memory is read in place; each result is copied from
/// managed memory into a malloc()-ed buffer that the caller owns and frees
/// with free(), the managed buffers being freed before the return.
void copyAcrossEntryBoundary(func::FuncOp func, func::FuncOp isDeviceMemory) {
  Block &entry = func.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  // (the buffer the function reads, whether it is a copy to free)
  SmallVector<std::pair<Value, Value>> argumentCopies;
  for (BlockArgument argument : entry.getArguments()) {
    auto type = dyn_cast<MemRefType>(argument.getType());
    if (!type || !isHostAddressSpace(argument) ||
        !type.getLayout().isIdentity())
      continue;
    Location loc = argument.getLoc();
    llvm::SmallPtrSet<Operation *, 8> boundary;
    Value pointer =
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, argument);
    Value address = arith::IndexCastOp::create(b, loc, b.getI64Type(), pointer);
    Value inPlace =
        func::CallOp::create(b, loc, isDeviceMemory, ValueRange(address))
            .getResult(0);
    boundary.insert(pointer.getDefiningOp());
    auto choose = scf::IfOp::create(b, loc, TypeRange(type), inPlace,
                                    /*withElseRegion=*/true);
    boundary.insert(choose);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(choose.thenBlock());
      scf::YieldOp::create(b, loc, ValueRange(argument));
      b.setInsertionPointToStart(choose.elseBlock());
      SmallVector<Value> sizes = dynamicSizes(b, loc, argument);
      auto managed = gpu::AllocOp::create(
          b, loc, type, /*asyncToken=*/Type(),
          /*asyncDependencies=*/ValueRange(), sizes,
          /*symbolOperands=*/ValueRange(), /*hostShared=*/true);
      copyAndWait(b, loc, managed.getMemref(), argument);
      scf::YieldOp::create(b, loc, ValueRange(managed.getMemref()));
    }
    Value buffer = choose.getResult(0);
    // Everything but the choice itself reads the buffer chosen.
    argument.replaceUsesWithIf(buffer, [&](OpOperand &use) {
      return !boundary.contains(use.getOwner()) &&
             !choose->isProperAncestor(use.getOwner());
    });
    argumentCopies.push_back({buffer, inPlace});
  }

  func.walk([&](func::ReturnOp ret) {
    OpBuilder b(ret);
    Location loc = ret.getLoc();
    llvm::SmallDenseMap<Value, Value> hostCopies;
    for (OpOperand &operand : ret->getOpOperands()) {
      Value result = operand.get();
      auto type = dyn_cast<MemRefType>(result.getType());
      if (!type || !isHostAddressSpace(result))
        continue;
      Value &host = hostCopies[result];
      if (!host) {
        host =
            memref::AllocOp::create(b, loc, type, dynamicSizes(b, loc, result));
        copyAndWait(b, loc, host, result);
      }
      operand.set(host);
    }
    // The results' managed buffers belonged to the caller; now their host
    // copies do.
    for (auto [managed, host] : hostCopies)
      freeAndWait(b, loc, managed);
    for (auto [buffer, inPlace] : argumentCopies) {
      auto copied = scf::IfOp::create(
          b, loc, TypeRange(),
          arith::XOrIOp::create(
              b, loc, inPlace,
              arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1)),
          /*withElseRegion=*/false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(copied.thenBlock());
      freeAndWait(b, loc, buffer);
    }
  });
}

struct GPUDeviceBuffersPass
    : public xfmr::impl::GPUDeviceBuffersBase<GPUDeviceBuffersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp isDeviceMemory;
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      bool entryPoint = func.isPublic();
      if (entryPoint && !isDeviceMemory)
        isDeviceMemory = declareIsDeviceMemory(module);
      runOnFunction(func, entryPoint ? isDeviceMemory : func::FuncOp());
    }
  }

  /// `isDeviceMemory` is set for the functions that are entry points.
  void runOnFunction(func::FuncOp func, func::FuncOp isDeviceMemory) {
    SmallVector<Operation *> ops;
    SmallVector<memref::GetGlobalOp> globals;
    func.walk([&](Operation *op) {
      if (auto global = dyn_cast<memref::GetGlobalOp>(op))
        globals.push_back(global);
      if (isa<memref::AllocOp, memref::DeallocOp, memref::CopyOp>(op))
        ops.push_back(op);
    });
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
        freeAndWait(b, loc, dealloc.getMemref());
        dealloc.erase();
      } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        linalg::CopyOp::create(b, loc, copy.getSource(), copy.getTarget());
        copy.erase();
      }
    }
    // After the conversion above, so that the host buffers made here stay
    // host buffers.
    copyConstantsToDevice(func, globals);
    if (isDeviceMemory)
      copyAcrossEntryBoundary(func, isDeviceMemory);
  }
};

} // namespace
