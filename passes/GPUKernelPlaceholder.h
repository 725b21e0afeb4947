//===- GPUKernelPlaceholder.h - kernels built after deallocation -*- C++
//-*-===//
//
// Kernels with workgroup memory cannot be built before buffer deallocation,
// which adds an ownership flag to every memref block argument, workgroup
// attributions included. Their passes therefore run in two steps: on
// tensors the op becomes a call of a marked private declaration on buffers
// (which bufferization and deallocation treat as any call), and on
// bufferized code each such call becomes its kernel. Used by
// xfmr-gpu-flash-attention and xfmr-gpu-grouped-matmul.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_PASSES_GPUKERNELPLACEHOLDER_H
#define XFMR_PASSES_GPUKERNELPLACEHOLDER_H

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::xfmr {

/// `tensor` as a read-only buffer with any strides and offset, so that the
/// kernel reads it in place whatever layout bufferization gives it.
inline Value readOnlyBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
  auto layout =
      StridedLayoutAttr::get(type.getContext(), ShapedType::kDynamic, strides);
  auto bufferType =
      MemRefType::get(type.getShape(), type.getElementType(), layout);
  return bufferization::ToBufferOp::create(b, loc, bufferType, tensor,
                                           /*read_only=*/true);
}

/// Step 1: a call of a new private declaration `<prefix>_<counter>` marked
/// with the unit attribute `marker`, on `operands`.
inline func::CallOp callPlaceholder(OpBuilder &b, Location loc, ModuleOp module,
                                    StringRef prefix, StringRef marker,
                                    ValueRange operands, int &counter) {
  OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
  auto callee =
      func::FuncOp::create(mb, loc, (prefix + "_" + Twine(counter++)).str(),
                           b.getFunctionType(operands.getTypes(), {}));
  callee.setPrivate();
  callee->setAttr(marker, b.getUnitAttr());
  return func::CallOp::create(b, loc, callee, operands);
}

/// Step 2: `build` each call of a declaration marked `marker` (it replaces
/// and erases the call), then erases the declarations. Fails when a
/// declaration is used other than by calls, or when `build` fails.
inline LogicalResult
buildPlaceholderCalls(ModuleOp module, StringRef marker,
                      llvm::function_ref<LogicalResult(func::CallOp)> build) {
  SmallVector<func::FuncOp> declarations;
  for (auto func : module.getOps<func::FuncOp>())
    if (func->hasAttr(marker))
      declarations.push_back(func);
  for (func::FuncOp declaration : declarations) {
    std::optional<SymbolTable::UseRange> uses =
        declaration.getSymbolUses(module);
    if (!uses)
      return declaration.emitError("kernel used other than by calls");
    SmallVector<func::CallOp> calls;
    for (const SymbolTable::SymbolUse &use : *uses) {
      auto call = dyn_cast<func::CallOp>(use.getUser());
      if (!call)
        return use.getUser()->emitError("kernel used other than by a call");
      calls.push_back(call);
    }
    for (func::CallOp call : calls)
      if (failed(build(call)))
        return failure();
    declaration.erase();
  }
  return success();
}

} // namespace mlir::xfmr

#endif // XFMR_PASSES_GPUKERNELPLACEHOLDER_H
