//===- XfmrCAPI.cpp - the C API of include/xfmr-c/xfmr.h ------------------===//
//
// Thin wrappers over the C++ libraries. Every entry point turns failures
// (llvm::Error values and MLIR diagnostics, which are captured per call) into
// an xfmr_status carrying their text; LLVM is built without exceptions, so
// nothing unwinds through here.
//
//===----------------------------------------------------------------------===//

#include "xfmr-c/xfmr.h"

#include "xfmr/InitAll.h"
#include "xfmr/Pipelines.h"
#include "xfmr/Runtime/CompiledModule.h"
#include "xfmr/Target/CPU.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

using namespace mlir;
using namespace mlir::xfmr;

struct xfmr_status_s {
  std::string message;
};

struct xfmr_context_s {
  DialectRegistry registry;
  std::unique_ptr<MLIRContext> context;
};

struct xfmr_module_s {
  xfmr_context_s *owner;
  OwningOpRef<ModuleOp> module;
};

struct xfmr_executable_s {
  std::unique_ptr<CompiledModule> compiled;
};

struct xfmr_tensor_s {
  HostTensor tensor;
};

namespace {

xfmr_status makeStatus(const llvm::Twine &message) {
  return new xfmr_status_s{message.str()};
}

/// Nothing may unwind into C callers: every entry returning a status is a
/// function-try-block ending in this.
xfmr_status internalError() {
  return makeStatus("internal error: an exception escaped the xfmr C API");
}

xfmr_status makeStatus(llvm::Error error) {
  return makeStatus(llvm::toString(std::move(error)));
}

char *copyString(llvm::StringRef text) {
  char *out = static_cast<char *>(std::malloc(text.size() + 1));
  if (!out)
    return nullptr;
  std::memcpy(out, text.data(), text.size());
  out[text.size()] = '\0';
  return out;
}

/// Collects every diagnostic emitted on `context` while alive, as
/// "LOC: error: MESSAGE" lines (notes included), instead of printing them.
class DiagnosticCapture {
public:
  explicit DiagnosticCapture(MLIRContext *context)
      : handler(context, [this](Diagnostic &diag) {
          append(diag);
          return success();
        }) {}

  /// The collected text, or `fallback` when nothing was reported.
  std::string take(llvm::StringRef fallback) const {
    return text.empty() ? fallback.str() : llvm::StringRef(text).rtrim().str();
  }

private:
  void append(Diagnostic &diag) {
    llvm::raw_string_ostream os(text);
    Location loc = diag.getLocation();
    if (auto file = dyn_cast<FileLineColLoc>(loc))
      os << file.getFilename().getValue() << ":" << file.getLine() << ":"
         << file.getColumn() << ": ";
    else if (auto name = dyn_cast<NameLoc>(loc))
      os << name.getName().getValue() << ": ";
    else if (!isa<UnknownLoc>(loc))
      os << loc << ": ";
    switch (diag.getSeverity()) {
    case DiagnosticSeverity::Error:
      os << "error: ";
      break;
    case DiagnosticSeverity::Warning:
      os << "warning: ";
      break;
    case DiagnosticSeverity::Note:
      os << "note: ";
      break;
    case DiagnosticSeverity::Remark:
      os << "remark: ";
      break;
    }
    os << diag << "\n";
    for (Diagnostic &note : diag.getNotes())
      append(note);
  }

  std::string text;
  ScopedDiagnosticHandler handler;
};

std::optional<ElementType> toElementType(xfmr_dtype dtype) {
  switch (dtype) {
  case XFMR_F32:
    return ElementType::F32;
  case XFMR_F16:
    return ElementType::F16;
  case XFMR_BF16:
    return ElementType::BF16;
  case XFMR_I32:
    return ElementType::I32;
  case XFMR_I64:
    return ElementType::I64;
  }
  return std::nullopt;
}

xfmr_dtype fromElementType(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return XFMR_F32;
  case ElementType::F16:
    return XFMR_F16;
  case ElementType::BF16:
    return XFMR_BF16;
  case ElementType::I32:
    return XFMR_I32;
  case ElementType::I64:
    return XFMR_I64;
  }
  return XFMR_F32;
}

Type toMLIRType(MLIRContext *ctx, ElementType type) {
  switch (type) {
  case ElementType::F32:
    return Float32Type::get(ctx);
  case ElementType::F16:
    return Float16Type::get(ctx);
  case ElementType::BF16:
    return BFloat16Type::get(ctx);
  case ElementType::I32:
    return IntegerType::get(ctx, 32);
  case ElementType::I64:
    return IntegerType::get(ctx, 64);
  }
  return {};
}

bool isIdentifier(llvm::StringRef name) {
  if (name.empty() || !(llvm::isAlpha(name[0]) || name[0] == '_'))
    return false;
  return llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// Checks a shape given as (rank, dims); -1 is allowed only when `dynamicOk`.
xfmr_status checkShape(const llvm::Twine &what, int64_t rank,
                       const int64_t *shape, bool dynamicOk) {
  if (rank < 0 || rank > 64)
    return makeStatus(what + ": invalid rank " + llvm::Twine(rank));
  if (rank > 0 && !shape)
    return makeStatus(what + ": rank " + llvm::Twine(rank) +
                      " but no shape given");
  for (int64_t d = 0; d < rank; ++d)
    if (shape[d] < 0 && !(dynamicOk && shape[d] == -1))
      return makeStatus(what + ": invalid dimension " + llvm::Twine(d) + " = " +
                        llvm::Twine(shape[d]));
  return nullptr;
}

func::FuncOp unwrap(xfmr_function function) {
  return cast<func::FuncOp>(reinterpret_cast<Operation *>(function));
}

Value unwrap(xfmr_value value) {
  return Value::getFromOpaquePointer(value.ptr);
}

xfmr_value wrap(Value value) { return {value.getAsOpaquePointer()}; }

bool isTerminated(func::FuncOp func) {
  Block &body = func.getBody().front();
  return !body.empty() && body.back().hasTrait<OpTrait::IsTerminator>();
}

/// Splits compile options into target options and the pipeline's.
xfmr_status parseCompileOptions(const char *text, CPUTargetOptions &target,
                                CPUOptions &pipeline) {
  std::string rest;
  llvm::SmallVector<llvm::StringRef> words;
  llvm::StringRef(text ? text : "").split(words, ' ', -1, false);
  for (llvm::StringRef word : words) {
    auto [key, value] = word.split('=');
    if (key == "opt-level") {
      unsigned level;
      if (value.getAsInteger(10, level) || level > 3)
        return makeStatus("invalid compile option '" + word +
                          "': opt-level must be 0, 1, 2 or 3");
      target.optLevel = level;
    } else if (key == "cpu") {
      target.cpu = value == "host" ? "" : value.str();
    } else if (key == "features") {
      target.features = value.str();
    } else {
      rest += (rest.empty() ? "" : " ") + word.str();
    }
  }
  std::string errors;
  llvm::raw_string_ostream os(errors);
  if (failed(pipeline.parseFromString(rest, os)))
    return makeStatus(
        "invalid compile options '" + llvm::Twine(rest) +
        "' (target options: opt-level, cpu, features; pipeline options: "
        "those of xfmr-cpu-pipeline)" +
        (errors.empty() ? "" : ": " + llvm::StringRef(errors).trim()));
  return nullptr;
}

/// Lowers a clone of `module` to the LLVM dialect.
xfmr_status lowerClone(xfmr_module module, const CPUOptions &pipeline,
                       OwningOpRef<ModuleOp> &lowered) {
  MLIRContext *ctx = module->owner->context.get();
  DiagnosticCapture capture(ctx);
  lowered = module->module->clone();
  if (failed(lowerToLLVMDialect(*lowered, pipeline)))
    return makeStatus("cannot compile the module:\n" +
                      capture.take("the CPU pipeline failed"));
  return nullptr;
}

} // namespace

//===----------------------------------------------------------------------===//
// Status, strings, dtypes
//===----------------------------------------------------------------------===//

const char *xfmr_status_message(xfmr_status status) {
  return status ? status->message.c_str() : "";
}

void xfmr_status_free(xfmr_status status) { delete status; }

void xfmr_string_free(char *string) { std::free(string); }

const char *xfmr_dtype_name(xfmr_dtype dtype) {
  std::optional<ElementType> type = toElementType(dtype);
  return type ? stringifyElementType(*type).data() : nullptr;
}

size_t xfmr_dtype_size(xfmr_dtype dtype) {
  std::optional<ElementType> type = toElementType(dtype);
  return type ? getElementByteSize(*type) : 0;
}

xfmr_status xfmr_dtype_parse(const char *name, xfmr_dtype *out) try {
  std::optional<ElementType> type =
      parseElementType(llvm::StringRef(name ? name : ""));
  if (!type)
    return makeStatus("unknown element type '" + llvm::Twine(name ? name : "") +
                      "' (expected f32, f16, bf16, i32 or i64)");
  *out = fromElementType(*type);
  return nullptr;
} catch (...) {
  return internalError();
}

//===----------------------------------------------------------------------===//
// Context and modules
//===----------------------------------------------------------------------===//

xfmr_status xfmr_context_create(xfmr_context *out) try {
  if (!out)
    return makeStatus("xfmr_context_create: null output pointer");
  static std::once_flag passesRegistered;
  std::call_once(passesRegistered, [] { registerAllPasses(); });
  auto *context = new xfmr_context_s();
  registerAllDialects(context->registry);
  context->context = std::make_unique<MLIRContext>(context->registry);
  context->context->loadAllAvailableDialects();
  context->context->printOpOnDiagnostic(false);
  *out = context;
  return nullptr;
} catch (...) {
  return internalError();
}

void xfmr_context_destroy(xfmr_context context) { delete context; }

xfmr_status xfmr_module_parse(xfmr_context context, const char *text,
                              size_t length, const char *filename,
                              xfmr_module *out) try {
  if (!context || !text || !out)
    return makeStatus("xfmr_module_parse: null argument");
  MLIRContext *ctx = context->context.get();
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(text, length),
                                           filename && *filename ? filename
                                                                 : "<input>"),
      llvm::SMLoc());
  std::string diagnostics;
  llvm::raw_string_ostream os(diagnostics);
  SourceMgrDiagnosticHandler handler(sourceMgr, ctx, os);
  OwningOpRef<ModuleOp> module = parseSourceFileWithArgNames(sourceMgr, ctx);
  if (!module)
    return makeStatus(llvm::StringRef(diagnostics).rtrim().empty()
                          ? "cannot parse the module"
                          : llvm::StringRef(diagnostics).rtrim());
  *out = new xfmr_module_s{context, std::move(module)};
  return nullptr;
} catch (...) {
  return internalError();
}

xfmr_status xfmr_module_create(xfmr_context context, xfmr_module *out) try {
  if (!context || !out)
    return makeStatus("xfmr_module_create: null argument");
  MLIRContext *ctx = context->context.get();
  *out = new xfmr_module_s{context, ModuleOp::create(UnknownLoc::get(ctx))};
  return nullptr;
} catch (...) {
  return internalError();
}

void xfmr_module_destroy(xfmr_module module) { delete module; }

xfmr_status xfmr_module_print(xfmr_module module, int generic, char **out) try {
  if (!module || !out)
    return makeStatus("xfmr_module_print: null argument");
  std::string text;
  llvm::raw_string_ostream os(text);
  OpPrintingFlags flags;
  if (generic)
    flags.printGenericOpForm();
  module->module->print(os, flags);
  *out = copyString(text);
  return *out ? nullptr : makeStatus("out of memory");
} catch (...) {
  return internalError();
}

xfmr_status xfmr_module_verify(xfmr_module module) try {
  if (!module)
    return makeStatus("xfmr_module_verify: null module");
  DiagnosticCapture capture(module->owner->context.get());
  if (failed(verify(*module->module)))
    return makeStatus(capture.take("the module does not verify"));
  return nullptr;
} catch (...) {
  return internalError();
}

xfmr_status xfmr_module_run_pipeline(xfmr_module module,
                                     const char *pipeline) try {
  if (!module || !pipeline)
    return makeStatus("xfmr_module_run_pipeline: null argument");
  MLIRContext *ctx = module->owner->context.get();
  // The pass manager is anchored on the module: "builtin.module(P)" and "P"
  // are the same pipeline.
  llvm::StringRef text = llvm::StringRef(pipeline).trim();
  if (text.starts_with("builtin.module(") && text.ends_with(")"))
    text = text.drop_front(strlen("builtin.module(")).drop_back();
  std::string errors;
  llvm::raw_string_ostream os(errors);
  PassManager pm(ctx, ModuleOp::getOperationName());
  if (failed(parsePassPipeline(text, pm, os)))
    return makeStatus("invalid pass pipeline '" + llvm::Twine(pipeline) +
                      "': " + llvm::StringRef(errors).trim());
  DiagnosticCapture capture(ctx);
  if (failed(pm.run(*module->module)))
    return makeStatus("pipeline '" + llvm::Twine(pipeline) + "' failed:\n" +
                      capture.take("(no diagnostic)"));
  return nullptr;
} catch (...) {
  return internalError();
}

//===----------------------------------------------------------------------===//
// Building functions
//===----------------------------------------------------------------------===//

xfmr_status xfmr_function_create(xfmr_module module, const char *name,
                                 size_t num_args, const xfmr_arg_spec *args,
                                 xfmr_function *out) try {
  if (!module || !name || !out || (num_args && !args))
    return makeStatus("xfmr_function_create: null argument");
  if (!isIdentifier(name))
    return makeStatus("invalid function name '" + llvm::Twine(name) +
                      "' (expected a C identifier)");
  ModuleOp m = *module->module;
  if (SymbolTable::lookupSymbolIn(m, name))
    return makeStatus("the module already has a symbol '" + llvm::Twine(name) +
                      "'");
  MLIRContext *ctx = m.getContext();
  SmallVector<Type> types;
  SmallVector<StringRef> names;
  llvm::StringSet<> seen;
  for (size_t i = 0; i < num_args; ++i) {
    const xfmr_arg_spec &arg = args[i];
    std::string what = "argument " + std::to_string(i) + " of '" + name + "'";
    if (!arg.name || !isIdentifier(arg.name))
      return makeStatus(what + ": invalid name '" +
                        llvm::Twine(arg.name ? arg.name : "(null)") +
                        "' (expected a C identifier)");
    if (!seen.insert(arg.name).second)
      return makeStatus(what + ": duplicate name '" + llvm::Twine(arg.name) +
                        "'");
    std::optional<ElementType> type = toElementType(arg.dtype);
    if (!type)
      return makeStatus(what + ": invalid dtype " + llvm::Twine(arg.dtype));
    if (xfmr_status s = checkShape(what, arg.rank, arg.shape, true))
      return s;
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < arg.rank; ++d)
      shape.push_back(arg.shape[d] == -1 ? ShapedType::kDynamic : arg.shape[d]);
    types.push_back(RankedTensorType::get(shape, toMLIRType(ctx, *type)));
    names.push_back(arg.name);
  }
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(m.getBody());
  Location loc = NameLoc::get(b.getStringAttr(name));
  auto func = func::FuncOp::create(b, loc, name, b.getFunctionType(types, {}));
  func->setAttr(kArgNamesAttrName, b.getStrArrayAttr(names));
  func.addEntryBlock();
  *out = reinterpret_cast<xfmr_function>(func.getOperation());
  return nullptr;
} catch (...) {
  return internalError();
}

size_t xfmr_function_num_args(xfmr_function function) {
  return function ? unwrap(function).getNumArguments() : 0;
}

xfmr_value xfmr_function_arg(xfmr_function function, size_t index) {
  if (!function || index >= unwrap(function).getNumArguments())
    return {nullptr};
  return wrap(unwrap(function).getArgument(index));
}

xfmr_status xfmr_function_add_op(xfmr_function function, const char *op_name,
                                 size_t num_operands,
                                 const xfmr_value *operands,
                                 const char *attributes,
                                 const char *result_types, size_t max_results,
                                 xfmr_value *results, size_t *num_results) try {
  if (!function || !op_name || (num_operands && !operands) ||
      (max_results && !results))
    return makeStatus("xfmr_function_add_op: null argument");
  func::FuncOp func = unwrap(function);
  MLIRContext *ctx = func.getContext();
  llvm::StringRef name(op_name);
  std::string prefix =
      "cannot add '" + name.str() + "' to '" + func.getSymName().str() + "': ";
  std::string header =
      "cannot add '" + name.str() + "' to '" + func.getSymName().str() + "':\n";
  if (isTerminated(func))
    return makeStatus(prefix + "the function already has its return");

  // Find the op, loading its dialect on demand.
  llvm::StringRef dialectName = name.split('.').first;
  if (!ctx->getOrLoadDialect(dialectName))
    return makeStatus(prefix + "unknown dialect '" + dialectName + "'");
  std::optional<RegisteredOperationName> info =
      RegisteredOperationName::lookup(name, ctx);
  if (!info) {
    std::string known;
    for (RegisteredOperationName op : ctx->getRegisteredOperations())
      if (op.getDialectNamespace() == dialectName)
        known += (known.empty() ? "" : ", ") + op.getStringRef().str();
    return makeStatus(prefix + "unknown op; dialect '" + dialectName +
                      "' has: " + known);
  }

  // Operands: NULL marks an absent optional operand.
  SmallVector<Value> values;
  SmallVector<int32_t> segments;
  bool sawAbsent = false, absentInMiddle = false;
  for (size_t i = 0; i < num_operands; ++i) {
    Value v = unwrap(operands[i]);
    segments.push_back(v ? 1 : 0);
    if (!v) {
      sawAbsent = true;
      continue;
    }
    absentInMiddle |= sawAbsent;
    if (v.getParentRegion() != &func.getBody())
      return makeStatus(prefix + "operand " + llvm::Twine(i) +
                        " is not a value of this function");
    values.push_back(v);
  }

  DictionaryAttr dict = DictionaryAttr::get(ctx);
  Location loc = func.getLoc();
  DiagnosticCapture capture(ctx);
  if (attributes && !llvm::StringRef(attributes).trim().empty()) {
    size_t consumed = 0;
    std::string errors;
    Attribute parsed;
    {
      // The parser locates errors in the text itself; report the column.
      ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &diag) {
        llvm::raw_string_ostream os(errors);
        os << ": " << diag;
        if (auto file = dyn_cast<FileLineColLoc>(diag.getLocation()))
          os << " (column " << file.getColumn() << ")";
        return success();
      });
      parsed = parseAttribute(attributes, ctx, Type(), &consumed);
    }
    if (!parsed || consumed != std::strlen(attributes) ||
        !isa<DictionaryAttr>(parsed))
      return makeStatus(prefix + "invalid attribute dictionary '" + attributes +
                        "'" + (parsed ? ": expected one '{...}'" : errors));
    dict = cast<DictionaryAttr>(parsed);
  }
  NamedAttrList attrs(dict);
  if (info->hasTrait<OpTrait::AttrSizedOperandSegments>()) {
    if (!attrs.get("operandSegmentSizes"))
      attrs.set("operandSegmentSizes", DenseI32ArrayAttr::get(ctx, segments));
  } else if (absentInMiddle) {
    return makeStatus(prefix +
                      "only trailing optional operands may be omitted (NULL)");
  }
  auto emitError = [&]() { return mlir::emitError(loc); };
  if (failed(info->verifyInherentAttrs(attrs, emitError)))
    return makeStatus(header + capture.take("invalid attributes"));

  // An op without results carries the operands and the inherent attributes
  // (in its properties) for type inference.
  Operation *probe = Operation::create(loc, *info, {}, values, NamedAttrList(),
                                       nullptr, {}, 0);
  probe->setAttrs(attrs.getDictionary(ctx));
  SmallVector<Type> types;
  LogicalResult typed = success();
  if (result_types) {
    Type fnType = parseType(
        ("(" + llvm::StringRef(result_types).trim() + ") -> ()").str(), ctx);
    if (auto fn = dyn_cast_or_null<FunctionType>(fnType))
      llvm::append_range(types, fn.getInputs());
    else
      typed = emitError() << "invalid result types '" << result_types << "'";
  } else if (auto *infer = info->getInterface<InferTypeOpInterface>()) {
    typed = infer->inferReturnTypes(ctx, loc, probe->getOperands(),
                                    probe->getAttrDictionary(),
                                    probe->getPropertiesStorage(), {}, types);
  } else {
    typed = emitError() << "'" << name
                        << "' does not infer its result types; give them";
  }
  if (failed(typed)) {
    probe->destroy();
    return makeStatus(header + capture.take("cannot infer the result "
                                            "types"));
  }
  Operation *op = Operation::create(loc, *info, types, values,
                                    probe->getDiscardableAttrDictionary(),
                                    probe->getPropertiesStorage(), {}, 0);
  probe->destroy();
  func.getBody().front().push_back(op);
  if (failed(verify(op))) {
    op->erase();
    return makeStatus(header + capture.take("the op does not verify"));
  }
  for (size_t i = 0; i < std::min<size_t>(max_results, op->getNumResults());
       ++i)
    results[i] = wrap(op->getResult(i));
  if (num_results)
    *num_results = op->getNumResults();
  return nullptr;
} catch (...) {
  return internalError();
}

xfmr_status xfmr_function_return(xfmr_function function, size_t num_values,
                                 const xfmr_value *values) try {
  if (!function || (num_values && !values))
    return makeStatus("xfmr_function_return: null argument");
  func::FuncOp func = unwrap(function);
  if (isTerminated(func))
    return makeStatus("'" + func.getSymName() + "' already has its return");
  SmallVector<Value> operands;
  for (size_t i = 0; i < num_values; ++i) {
    Value v = unwrap(values[i]);
    if (!v || v.getParentRegion() != &func.getBody())
      return makeStatus("return value " + llvm::Twine(i) + " of '" +
                        func.getSymName() +
                        "' is not a value of this function");
    operands.push_back(v);
  }
  OpBuilder b = OpBuilder::atBlockEnd(&func.getBody().front());
  func::ReturnOp::create(b, func.getLoc(), operands);
  func.setFunctionType(b.getFunctionType(func.getArgumentTypes(),
                                         ValueRange(operands).getTypes()));
  return nullptr;
} catch (...) {
  return internalError();
}

xfmr_status xfmr_value_type(xfmr_value value, char **out) try {
  if (!value.ptr || !out)
    return makeStatus("xfmr_value_type: null argument");
  std::string text;
  llvm::raw_string_ostream os(text);
  unwrap(value).getType().print(os);
  *out = copyString(text);
  return nullptr;
} catch (...) {
  return internalError();
}

//===----------------------------------------------------------------------===//
// Compiling and loading
//===----------------------------------------------------------------------===//

xfmr_status xfmr_compile_jit(xfmr_module module, const char *options,
                             xfmr_executable *out) try {
  if (!module || !out)
    return makeStatus("xfmr_compile_jit: null argument");
  CPUTargetOptions target;
  CPUOptions pipeline;
  if (xfmr_status s = parseCompileOptions(options, target, pipeline))
    return s;
  OwningOpRef<ModuleOp> lowered;
  if (xfmr_status s = lowerClone(module, pipeline, lowered))
    return s;
  DiagnosticCapture capture(module->owner->context.get());
  auto compiled = CompiledModule::fromLLVMDialect(*lowered, target);
  if (!compiled)
    return makeStatus(compiled.takeError());
  *out = new xfmr_executable_s{std::move(*compiled)};
  return nullptr;
} catch (...) {
  return internalError();
}

xfmr_status xfmr_compile_shared_library(xfmr_module module, const char *options,
                                        const char *path) try {
  if (!module || !path || !*path)
    return makeStatus("xfmr_compile_shared_library: null argument");
  CPUTargetOptions target;
  CPUOptions pipeline;
  if (xfmr_status s = parseCompileOptions(options, target, pipeline))
    return s;
  OwningOpRef<ModuleOp> lowered;
  if (xfmr_status s = lowerClone(module, pipeline, lowered))
    return s;
  DiagnosticCapture capture(module->owner->context.get());
  if (llvm::Error e =
          emitCPUArtifact(*lowered, target, CPUEmitKind::SharedLibrary, path))
    return makeStatus(std::move(e));
  return nullptr;
} catch (...) {
  return internalError();
}

xfmr_status xfmr_executable_load(const char *path, xfmr_executable *out) try {
  if (!path || !out)
    return makeStatus("xfmr_executable_load: null argument");
  static std::once_flag passesRegistered;
  std::call_once(passesRegistered, [] { registerAllPasses(); });
  auto compiled = CompiledModule::load(path);
  if (!compiled)
    return makeStatus(compiled.takeError());
  *out = new xfmr_executable_s{std::move(*compiled)};
  return nullptr;
} catch (...) {
  return internalError();
}

void xfmr_executable_destroy(xfmr_executable executable) { delete executable; }

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

static const EntrySignature *unwrap(xfmr_entry entry) {
  return reinterpret_cast<const EntrySignature *>(entry);
}

static xfmr_entry wrap(const EntrySignature *entry) {
  return reinterpret_cast<xfmr_entry>(entry);
}

size_t xfmr_executable_num_functions(xfmr_executable executable) {
  return executable ? executable->compiled->getManifest().entries.size() : 0;
}

xfmr_entry xfmr_executable_function(xfmr_executable executable, size_t index) {
  if (!executable || index >= xfmr_executable_num_functions(executable))
    return nullptr;
  return wrap(&executable->compiled->getManifest().entries[index]);
}

xfmr_status xfmr_executable_lookup(xfmr_executable executable, const char *name,
                                   xfmr_entry *out) try {
  if (!executable || !name || !out)
    return makeStatus("xfmr_executable_lookup: null argument");
  auto entry = executable->compiled->lookupFunction(name);
  if (!entry)
    return makeStatus(entry.takeError());
  *out = wrap(*entry);
  return nullptr;
} catch (...) {
  return internalError();
}

const char *xfmr_entry_name(xfmr_entry entry) {
  return entry ? unwrap(entry)->name.c_str() : "";
}

size_t xfmr_entry_num_args(xfmr_entry entry) {
  return entry ? unwrap(entry)->args.size() : 0;
}

size_t xfmr_entry_num_results(xfmr_entry entry) {
  return entry ? unwrap(entry)->results.size() : 0;
}

static xfmr_tensor_signature wrap(const TensorSignature &sig) {
  return {sig.name.c_str(), fromElementType(sig.elementType), sig.getRank(),
          sig.shape.data()};
}

xfmr_tensor_signature xfmr_entry_arg(xfmr_entry entry, size_t index) {
  if (!entry || index >= unwrap(entry)->args.size())
    return {};
  return wrap(unwrap(entry)->args[index]);
}

xfmr_tensor_signature xfmr_entry_result(xfmr_entry entry, size_t index) {
  if (!entry || index >= unwrap(entry)->results.size())
    return {};
  return wrap(unwrap(entry)->results[index]);
}

xfmr_status xfmr_entry_signature_string(xfmr_entry entry, char **out) try {
  if (!entry || !out)
    return makeStatus("xfmr_entry_signature_string: null argument");
  *out = copyString(unwrap(entry)->str());
  return nullptr;
} catch (...) {
  return internalError();
}

//===----------------------------------------------------------------------===//
// Calling
//===----------------------------------------------------------------------===//

/// A HostTensor for argument `i`: the caller's memory when it is
/// C-contiguous, else a contiguous copy.
static xfmr_status viewToHostTensor(size_t i, const xfmr_tensor_view &view,
                                    HostTensor &out) {
  std::string what = "argument " + std::to_string(i);
  std::optional<ElementType> type = toElementType(view.dtype);
  if (!type)
    return makeStatus(what + ": invalid dtype " + llvm::Twine(view.dtype));
  if (xfmr_status s = checkShape(what, view.rank, view.shape, false))
    return s;
  llvm::ArrayRef<int64_t> shape(view.shape, view.rank);
  int64_t n = 1;
  for (int64_t d : shape)
    if (llvm::MulOverflow(n, d, n))
      return makeStatus(what + ": the shape overflows");
  if (n > 0 && !view.data)
    return makeStatus(what + ": null data pointer");
  bool contiguous = true;
  if (view.strides) {
    int64_t expected = 1;
    for (int64_t d = view.rank - 1; d >= 0; --d) {
      if (shape[d] != 1 && view.strides[d] != expected)
        contiguous = false;
      expected *= shape[d];
    }
  }
  if (contiguous || n == 0) {
    out = HostTensor::wrap(*type, shape, nullptr, view.data);
    return nullptr;
  }
  auto copy = HostTensor::allocate(*type, shape);
  if (!copy)
    return makeStatus(what + ": " + llvm::toString(copy.takeError()));
  size_t elementSize = getElementByteSize(*type);
  char *dst = static_cast<char *>(copy->getData());
  const char *src = static_cast<const char *>(view.data);
  SmallVector<int64_t> index(view.rank, 0);
  for (int64_t e = 0; e < n; ++e) {
    int64_t offset = 0;
    for (int64_t d = 0; d < view.rank; ++d)
      offset += index[d] * view.strides[d];
    std::memcpy(dst + e * elementSize, src + offset * int64_t(elementSize),
                elementSize);
    for (int64_t d = view.rank - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  out = std::move(*copy);
  return nullptr;
}

xfmr_status xfmr_call(xfmr_executable executable, xfmr_entry entry,
                      size_t num_args, const xfmr_tensor_view *args,
                      size_t num_results, xfmr_tensor *results) try {
  if (!executable || !entry || (num_args && !args) || (num_results && !results))
    return makeStatus("xfmr_call: null argument");
  const std::vector<EntrySignature> &entries =
      executable->compiled->getManifest().entries;
  const EntrySignature *sig = unwrap(entry);
  if (entries.empty() || sig < &entries.front() || sig > &entries.back())
    return makeStatus("xfmr_call: the entry does not belong to this "
                      "executable");
  if (num_results != sig->results.size())
    return makeStatus("function '" + sig->name + "' returns " +
                      llvm::Twine(sig->results.size()) + " result" +
                      (sig->results.size() == 1 ? "" : "s") + ", room for " +
                      llvm::Twine(num_results) + " given");
  SmallVector<HostTensor> inputs(num_args);
  for (size_t i = 0; i < num_args; ++i)
    if (xfmr_status s = viewToHostTensor(i, args[i], inputs[i])) {
      std::string message = "calling '" + sig->name + "': " + s->message;
      xfmr_status_free(s);
      return makeStatus(message);
    }
  auto outputs = executable->compiled->call(*sig, inputs);
  if (!outputs)
    return makeStatus("calling '" + sig->name +
                      "': " + llvm::toString(outputs.takeError()));
  for (size_t i = 0; i < num_results; ++i)
    results[i] = new xfmr_tensor_s{std::move((*outputs)[i])};
  return nullptr;
} catch (...) {
  return internalError();
}

void *xfmr_tensor_data(xfmr_tensor tensor) {
  return tensor ? tensor->tensor.getData() : nullptr;
}

xfmr_dtype xfmr_tensor_dtype(xfmr_tensor tensor) {
  return tensor ? fromElementType(tensor->tensor.getElementType()) : XFMR_F32;
}

int64_t xfmr_tensor_rank(xfmr_tensor tensor) {
  return tensor ? tensor->tensor.getRank() : 0;
}

const int64_t *xfmr_tensor_shape(xfmr_tensor tensor) {
  return tensor ? tensor->tensor.getShape().data() : nullptr;
}

int64_t xfmr_tensor_num_elements(xfmr_tensor tensor) {
  return tensor ? tensor->tensor.getNumElements() : 0;
}

size_t xfmr_tensor_byte_size(xfmr_tensor tensor) {
  return tensor ? tensor->tensor.getByteSize() : 0;
}

void xfmr_tensor_free(xfmr_tensor tensor) { delete tensor; }
