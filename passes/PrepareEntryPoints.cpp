//===- PrepareEntryPoints.cpp - public functions become C entry points ----===//
//
// A compiled module exports one C function per public func.func. The runtime
// and the generated header can only describe ranked tensors of the element
// types below, so anything else is rejected here, at the function, instead
// of surfacing as an obscure ABI mismatch at call time.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_PREPAREENTRYPOINTS
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;

static bool isSupportedEntryType(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return false;
  Type e = tensor.getElementType();
  return e.isF32() || e.isF16() || e.isBF16() || e.isSignlessInteger(32) ||
         e.isSignlessInteger(64);
}

static LogicalResult checkSignature(func::FuncOp func) {
  FunctionType type = func.getFunctionType();
  for (auto [i, t] : llvm::enumerate(type.getInputs()))
    if (!isSupportedEntryType(t))
      return func.emitError()
             << "public function '" << func.getSymName() << "' argument #" << i
             << " has type " << t
             << "; entry points take ranked tensors of f32, f16, bf16, i32 "
                "or i64";
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    if (!isSupportedEntryType(t))
      return func.emitError()
             << "public function '" << func.getSymName() << "' result #" << i
             << " has type " << t
             << "; entry points return ranked tensors of f32, f16, bf16, "
                "i32 or i64";
  return success();
}

namespace {
struct PrepareEntryPointsPass
    : public xfmr::impl::PrepareEntryPointsBase<PrepareEntryPointsPass> {
  void runOnOperation() override {
    bool ok = true;
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      // One error per function: the first offending argument or result.
      if (failed(checkSignature(func))) {
        ok = false;
        continue;
      }
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    UnitAttr::get(&getContext()));
    }
    if (!ok)
      signalPassFailure();
  }
};
} // namespace
