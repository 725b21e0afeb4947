//===- PrepareEntryPoints.cpp - public functions become C entry points ----===//
//
// A compiled module exports one C function per public func.func. The runtime
// and the generated header can only describe ranked tensors of the element
// types below, so anything else is rejected here, at the function, instead
// of surfacing as an obscure ABI mismatch at call time. For every accepted
// function the pass
//   - asks for MLIR's C interface wrapper (`llvm.emit_c_interface`),
//   - marks every argument `bufferization.writable = false`: the caller's
//     tensors are inputs, not scratch space, and one-shot bufferization would
//     otherwise update an argument's buffer in place,
//   - records the tensor-level signature and the parameter names in
//     `xfmr.entry`, which the target turns into the module's manifest and C
//     header after bufferization has erased the tensor types.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"
#include "xfmr/Target/EntryABI.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringSet.h"

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

static bool isCKeyword(StringRef name) {
  static const llvm::StringSet<> keywords = {
      "auto",      "break",    "case",     "char",    "const",     "continue",
      "default",   "do",       "double",   "else",    "enum",      "extern",
      "float",     "for",      "goto",     "if",      "inline",    "int",
      "long",      "register", "restrict", "return",  "short",     "signed",
      "sizeof",    "static",   "struct",   "switch",  "typedef",   "union",
      "unsigned",  "void",     "volatile", "while",   "bool",      "true",
      "false",     "class",    "delete",   "new",     "this",      "template",
      "namespace", "operator", "private",  "public",  "protected", "virtual",
      "friend",    "using",    "try",      "catch",   "throw",     "typename",
      "explicit",  "mutable",  "asm",      "alignas", "alignof",   "nullptr"};
  return keywords.contains(name);
}

static bool isCIdentifier(StringRef s) {
  if (s.empty() || !(llvm::isAlpha(s[0]) || s[0] == '_'))
    return false;
  return llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// Argument names become C parameter names and appear in runtime errors:
/// keep the source names that are usable identifiers, number the others.
static SmallVector<std::string> getParameterNames(func::FuncOp func) {
  SmallVector<std::string> source;
  if (auto names = func->getAttrOfType<ArrayAttr>(xfmr::kArgNamesAttrName))
    for (Attribute a : names)
      source.push_back(isa<StringAttr>(a) ? cast<StringAttr>(a).str() : "");
  SmallVector<std::string> result;
  llvm::StringSet<> used;
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
    std::string name = i < source.size() ? source[i] : std::string();
    if (!isCIdentifier(name) || isCKeyword(name) || used.contains(name) ||
        StringRef(name).starts_with("xfmr_"))
      name = "arg" + std::to_string(i);
    while (used.contains(name))
      name += '_';
    used.insert(name);
    result.push_back(std::move(name));
  }
  return result;
}

static void prepareEntry(func::FuncOp func) {
  Builder b(func.getContext());
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), b.getUnitAttr());
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (!func.getArgAttr(
            i, bufferization::BufferizationDialect::kWritableAttrName))
      func.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                      b.getBoolAttr(false));
  if (!func->hasAttr(xfmr::kEntrySignatureAttrName)) {
    SmallVector<Attribute> names;
    for (const std::string &name : getParameterNames(func))
      names.push_back(b.getStringAttr(name));
    func->setAttr(
        xfmr::kEntrySignatureAttrName,
        b.getDictionaryAttr(
            {b.getNamedAttr("type", TypeAttr::get(func.getFunctionType())),
             b.getNamedAttr("names", b.getArrayAttr(names))}));
  }
  func->removeAttr(xfmr::kArgNamesAttrName);
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
      prepareEntry(func);
    }
    if (!ok)
      signalPassFailure();
  }
};
} // namespace
