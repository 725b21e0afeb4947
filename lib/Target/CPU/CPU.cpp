//===- CPU.cpp - xfmr IR to native code for the host CPU ------------------===//
//
// The LLVM dialect produced by the CPU pipeline still carries MLIR's calling
// convention: one expanded-argument function per func.func plus a
// `_mlir_ciface_` wrapper. This file turns that into the stable entry-point
// ABI of xfmr/Target/EntryABI.h, in LLVM IR, so that object files, shared
// libraries and the JIT all export the same symbols and the same manifest.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Target/CPU.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/AsmParser/AsmParserState.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <cstdlib>
#include <mutex>

using namespace mlir;
using namespace mlir::xfmr;
using llvm::Error;
using llvm::Expected;

static constexpr llvm::StringLiteral kCInterfacePrefix = "_mlir_ciface_";
static constexpr llvm::StringLiteral kImplPrefix = "__xfmr_impl_";

static Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// Entry signatures
//===----------------------------------------------------------------------===//

static std::optional<ElementType> getEntryElementType(Type type) {
  if (type.isF32())
    return ElementType::F32;
  if (type.isF16())
    return ElementType::F16;
  if (type.isBF16())
    return ElementType::BF16;
  if (type.isSignlessInteger(32))
    return ElementType::I32;
  if (type.isSignlessInteger(64))
    return ElementType::I64;
  return std::nullopt;
}

OwningOpRef<ModuleOp>
mlir::xfmr::parseSourceFileWithArgNames(llvm::SourceMgr &sourceMgr,
                                        MLIRContext *context) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  Location sourceFileLoc =
      FileLineColLoc::get(context, buffer->getBufferIdentifier(), 0, 0);
  ParserConfig config(context);
  AsmParserState asmState;
  Block block;
  if (failed(parseAsmSourceFile(sourceMgr, &block, config, &asmState)))
    return {};

  // The parser state remembers where each block argument was defined; the
  // source text there is the SSA name the user wrote.
  block.walk([&](func::FuncOp func) {
    if (func.isExternal())
      return;
    SmallVector<std::string> names;
    if (const AsmParserState::BlockDefinition *def =
            asmState.getBlockDef(&func.getBody().front())) {
      for (const AsmParserState::SMDefinition &arg : def->arguments) {
        const char *begin = arg.loc.Start.getPointer();
        const char *end = arg.loc.End.getPointer();
        StringRef text =
            begin && end > begin ? StringRef(begin, end - begin) : StringRef();
        names.push_back(text.drop_front(text.starts_with("%")).str());
      }
    }
    Builder b(func.getContext());
    func->setAttr(kArgNamesAttrName,
                  b.getStrArrayAttr(llvm::to_vector_of<StringRef>(names)));
  });
  return detail::constructContainerOpForParserIfNecessary<ModuleOp>(
      &block, context, sourceFileLoc);
}

LogicalResult mlir::xfmr::lowerToLLVMDialect(
    ModuleOp module, const CPUOptions &options,
    llvm::function_ref<LogicalResult(PassManager &)> configure) {
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  buildCPUPipeline(pm, options);
  if (configure && failed(configure(pm)))
    return failure();
  return pm.run(module);
}

static Expected<TensorSignature> getTensorSignature(Type type,
                                                    StringRef funcName) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  std::optional<ElementType> elementType =
      tensor ? getEntryElementType(tensor.getElementType()) : std::nullopt;
  if (!elementType) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << type;
    return makeError("entry '" + funcName + "' has unsupported type " + s);
  }
  TensorSignature sig;
  sig.elementType = *elementType;
  for (int64_t d : tensor.getShape())
    sig.shape.push_back(ShapedType::isDynamic(d) ? kDynamicDim : d);
  return sig;
}

Expected<Manifest> mlir::xfmr::collectManifest(ModuleOp module) {
  Manifest manifest;
  for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
    StringRef name = func.getSymName();
    auto attr = func->getAttrOfType<DictionaryAttr>(kEntrySignatureAttrName);
    if (!attr || name.starts_with(kCInterfacePrefix))
      continue;
    if (!module.lookupSymbol<LLVM::LLVMFuncOp>(
            (kCInterfacePrefix + name).str()))
      return makeError("entry '" + name + "' has no C interface wrapper " +
                       kCInterfacePrefix + name +
                       " (was it lowered by the xfmr CPU pipeline?)");
    auto type = dyn_cast_or_null<TypeAttr>(attr.get("type"));
    auto names = dyn_cast_or_null<ArrayAttr>(attr.get("names"));
    auto funcType =
        type ? dyn_cast<FunctionType>(type.getValue()) : FunctionType();
    if (!funcType || !names || names.size() != funcType.getNumInputs())
      return makeError("entry '" + name + "' has a malformed " +
                       kEntrySignatureAttrName + " attribute");
    EntrySignature entry;
    entry.name = name.str();
    for (auto [input, nameAttr] : llvm::zip(funcType.getInputs(), names)) {
      Expected<TensorSignature> sig = getTensorSignature(input, name);
      if (!sig)
        return sig.takeError();
      auto str = dyn_cast<StringAttr>(nameAttr);
      if (!str)
        return makeError("entry '" + name + "' has a non-string name");
      sig->name = str.str();
      entry.args.push_back(std::move(*sig));
    }
    for (Type result : funcType.getResults()) {
      Expected<TensorSignature> sig = getTensorSignature(result, name);
      if (!sig)
        return sig.takeError();
      entry.results.push_back(std::move(*sig));
    }
    if (auto prepared =
            func->getAttrOfType<DictionaryAttr>(kPreparedEntryAttrName)) {
      auto prepare = prepared.getAs<StringAttr>("prepare");
      auto run = prepared.getAs<StringAttr>("run");
      auto weights = prepared.getAs<DenseI64ArrayAttr>("weights");
      auto inputs = prepared.getAs<DenseI64ArrayAttr>("inputs");
      if (!prepare || !run || !weights || !inputs)
        return makeError("entry '" + name + "' has a malformed " +
                         kPreparedEntryAttrName + " attribute");
      entry.prepared = PreparedEntry{prepare.str(), run.str(),
                                     llvm::to_vector(weights.asArrayRef()),
                                     llvm::to_vector(inputs.asArrayRef())};
    }
    manifest.entries.push_back(std::move(entry));
  }
  return manifest;
}

//===----------------------------------------------------------------------===//
// Target machine
//===----------------------------------------------------------------------===//

static void initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

Expected<std::unique_ptr<llvm::TargetMachine>>
mlir::xfmr::createCPUTargetMachine(const CPUTargetOptions &options,
                                   bool forJIT) {
  initializeNativeTarget();
  if (options.optLevel > 3)
    return makeError("optimisation level " + llvm::Twine(options.optLevel) +
                     " is out of range (0 to 3)");
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return makeError("no LLVM target for " + triple.str() + ": " + error);

  std::string cpu = options.cpu;
  llvm::SubtargetFeatures features;
  if (cpu.empty() || cpu == "host") {
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features.AddFeature(feature.first(), feature.second);
  } else {
    // Asked before the target machine exists: it would only warn.
    std::unique_ptr<llvm::MCSubtargetInfo> sti(
        target->createMCSubtargetInfo(triple, "", ""));
    if (!sti || !sti->isCPUStringValid(cpu))
      return makeError("unknown CPU '" + cpu + "' for " + triple.str() +
                       " (llc -mcpu=help lists the known ones)");
  }
  SmallVector<StringRef> extra;
  StringRef(options.features).split(extra, ',', -1, /*KeepEmpty=*/false);
  for (StringRef feature : extra)
    features.AddFeature(feature.trim());

  llvm::TargetOptions targetOptions;
  std::optional<llvm::Reloc::Model> reloc;
  if (!forJIT)
    reloc = llvm::Reloc::PIC_;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features.getString(), targetOptions, reloc, std::nullopt,
      *llvm::CodeGenOpt::getLevel(options.optLevel), forJIT));
  if (!tm)
    return makeError("cannot create a target machine for " + triple.str());
  return tm;
}

//===----------------------------------------------------------------------===//
// Entry-point ABI in LLVM IR
//===----------------------------------------------------------------------===//

Error mlir::xfmr::addEntryPointABI(llvm::Module &module,
                                   const Manifest &manifest) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *ptrTy = llvm::PointerType::getUnqual(ctx);
  llvm::StringSet<> exported;

  for (const EntrySignature &entry : manifest.entries) {
    llvm::Function *impl = module.getFunction(entry.name);
    llvm::Function *ciface =
        module.getFunction((kCInterfacePrefix + entry.name).str());
    if (!impl || !ciface || ciface->isDeclaration())
      return makeError("entry '" + entry.name +
                       "' has no definition or no C interface wrapper");
    unsigned expected = entry.args.size() + (entry.results.empty() ? 0 : 1);
    if (ciface->arg_size() != expected ||
        !ciface->getReturnType()->isVoidTy() ||
        llvm::any_of(ciface->args(),
                     [&](llvm::Argument &a) { return a.getType() != ptrTy; }))
      return makeError("the C interface of '" + entry.name + "' takes " +
                       llvm::Twine(ciface->arg_size()) +
                       " parameters, its signature needs " +
                       llvm::Twine(expected) + " descriptor pointers");

    // The clean name goes to the typed C entry; the expanded-argument body
    // only remains as an internal function (inlined when optimising).
    impl->setName(kImplPrefix + entry.name);
    impl->setLinkage(llvm::GlobalValue::InternalLinkage);
    if (llvm::GlobalValue *clash = module.getNamedValue(entry.name))
      return makeError("entry point '" + entry.name +
                       "' collides with the symbol '" + clash->getName() +
                       "' the module uses; rename the function");
    ciface->setName(entry.name);
    ciface->setLinkage(llvm::GlobalValue::ExternalLinkage);
    ciface->setVisibility(llvm::GlobalValue::DefaultVisibility);

    std::string packedName = entry.getPackedSymbol();
    if (module.getNamedValue(packedName))
      return makeError("symbol '" + packedName + "' already exists");
    auto *packedType = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx),
                                               {ptrTy}, /*isVarArg=*/false);
    llvm::Function *packed = llvm::Function::Create(
        packedType, llvm::GlobalValue::ExternalLinkage, packedName, module);
    packed->getArg(0)->setName("args");
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", packed));
    auto loadSlot = [&](unsigned i) -> llvm::Value * {
      llvm::Value *slot =
          b.CreateConstInBoundsGEP1_64(ptrTy, packed->getArg(0), i);
      return b.CreateLoad(ptrTy, slot);
    };
    SmallVector<llvm::Value *> callArgs;
    if (!entry.results.empty())
      callArgs.push_back(loadSlot(entry.args.size()));
    for (unsigned i = 0, e = entry.args.size(); i < e; ++i)
      callArgs.push_back(loadSlot(i));
    b.CreateCall(ciface, callArgs);
    b.CreateRetVoid();

    exported.insert(entry.name);
    exported.insert(packedName);
  }

  // Only the ABI is exported: helpers and globals of one module must not
  // clash with, or interpose on, those of another module or the host.
  for (llvm::Function &f : module)
    if (!f.isDeclaration() && !f.hasLocalLinkage() &&
        !exported.contains(f.getName()))
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  for (llvm::GlobalVariable &g : module.globals())
    if (!g.isDeclaration() && !g.hasLocalLinkage() &&
        !g.getName().starts_with("llvm."))
      g.setLinkage(llvm::GlobalValue::InternalLinkage);

  if (module.getNamedValue(kManifestSymbol))
    return makeError(llvm::Twine("symbol '") + kManifestSymbol +
                     "' already exists");
  llvm::Constant *text = llvm::ConstantDataArray::getString(
      ctx, serializeManifest(manifest), /*AddNull=*/true);
  auto *global = new llvm::GlobalVariable(
      module, text->getType(), /*isConstant=*/true,
      llvm::GlobalValue::ExternalLinkage, text, kManifestSymbol);
  global->setAlignment(llvm::Align(1));

  std::string message;
  llvm::raw_string_ostream os(message);
  if (llvm::verifyModule(module, &os))
    return makeError("the entry-point ABI produced invalid LLVM IR: " +
                     message);
  return Error::success();
}

Expected<std::unique_ptr<llvm::Module>>
mlir::xfmr::translateToLLVMIR(ModuleOp module, llvm::LLVMContext &llvmContext,
                              Manifest *manifestOut) {
  Expected<Manifest> manifest = collectManifest(module);
  if (!manifest)
    return manifest.takeError();
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  registerOpenMPDialectTranslation(*module.getContext());
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "xfmr");
  if (!llvmModule)
    return makeError("cannot translate the module to LLVM IR (is it fully "
                     "lowered to the LLVM dialect?)");
  if (Error e = addEntryPointABI(*llvmModule, *manifest))
    return std::move(e);
  if (manifestOut)
    *manifestOut = std::move(*manifest);
  return llvmModule;
}

Error mlir::xfmr::optimizeLLVMModule(llvm::Module &module,
                                     llvm::TargetMachine &tm,
                                     unsigned optLevel) {
  module.setTargetTriple(tm.getTargetTriple());
  module.setDataLayout(tm.createDataLayout());
  // Record the target on every function, as clang does, so that the IR says
  // what it was optimised for and any later codegen agrees.
  for (llvm::Function &f : module) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", tm.getTargetCPU());
    if (!tm.getTargetFeatureString().empty())
      f.addFnAttr("target-features", tm.getTargetFeatureString());
  }
  if (optLevel > 3)
    return makeError("optimisation level " + llvm::Twine(optLevel) +
                     " is out of range (0 to 3)");
  return makeOptimizingTransformer(optLevel, /*sizeLevel=*/0, &tm)(&module);
}

//===----------------------------------------------------------------------===//
// Artifacts
//===----------------------------------------------------------------------===//

static Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                             llvm::CodeGenFileType fileType,
                             llvm::raw_pwrite_stream &os) {
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, fileType))
    return makeError("the target cannot emit this file type");
  pm.run(module);
  return Error::success();
}

static Expected<std::unique_ptr<llvm::ToolOutputFile>>
openOutput(StringRef path, llvm::sys::fs::OpenFlags flags) {
  std::error_code ec;
  auto file = std::make_unique<llvm::ToolOutputFile>(path, ec, flags);
  if (ec)
    return makeError("cannot open output file '" + path + "': " + ec.message());
  return file;
}

llvm::StringRef mlir::xfmr::getDefaultLinker() { return XFMR_DEFAULT_LINKER; }

bool mlir::xfmr::usesOpenMPRuntime(const llvm::Module &module) {
  // The OpenMP translation outlines parallel regions into calls to
  // __kmpc_fork_call and friends; nothing else declares them.
  return llvm::any_of(module, [](const llvm::Function &f) {
    return f.isDeclaration() && f.getName().starts_with("__kmpc_");
  });
}

Error mlir::xfmr::loadOpenMPRuntime() {
  static std::once_flag once;
  static std::string error;
  std::call_once(once, [] {
    // Permanently and globally: the JIT resolves external symbols in the
    // whole process.
    for (const char *name : {"libomp.so.5", "libomp.so"}) {
      std::string message;
      if (!llvm::sys::DynamicLibrary::LoadLibraryPermanently(name, &message)) {
        error.clear();
        return;
      }
      error += (error.empty() ? "" : "; ") + message;
    }
  });
  if (error.empty())
    return Error::success();
  return makeError("the module runs on OpenMP threads but the OpenMP runtime "
                   "cannot be loaded (install libomp-22-dev, or compile with "
                   "the pipeline option threads=false): " +
                   error);
}

Error mlir::xfmr::linkSharedLibrary(StringRef objectPath, StringRef outputPath,
                                    const CPUTargetOptions &options,
                                    bool linkOpenMP) {
  std::string linker = options.linker;
  if (linker.empty())
    if (const char *env = std::getenv("XFMR_CLANG"); env && *env)
      linker = env;
  if (linker.empty())
    linker = getDefaultLinker().str();
  std::string program = linker;
  if (!StringRef(linker).contains('/')) {
    llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName(linker);
    if (!found)
      return makeError("cannot find the linker '" + linker +
                       "' (set it with --linker or XFMR_CLANG)");
    program = *found;
  } else if (!llvm::sys::fs::can_execute(linker)) {
    return makeError("the linker '" + linker +
                     "' is not an executable (set it with --linker or "
                     "XFMR_CLANG)");
  }

  SmallString<128> logPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("xfmr-link", "log", logPath))
    return makeError("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeLog(logPath);
  SmallVector<StringRef> args = {program, "-shared", "-o", outputPath,
                                 objectPath};
  for (const std::string &input : options.extraLinkInputs)
    args.push_back(input);
  args.push_back("-lm");
  // Recorded as a dependency (DT_NEEDED) only where the code calls it.
  if (linkOpenMP)
    args.push_back("-lomp");
  std::optional<StringRef> redirects[] = {StringRef(""), StringRef(logPath),
                                          StringRef(logPath)};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(program, args, std::nullopt, redirects,
                                     /*SecondsToWait=*/0, /*MemoryLimit=*/0,
                                     &message);
  if (rc == 0)
    return Error::success();
  std::string log;
  if (auto buffer = llvm::MemoryBuffer::getFile(logPath))
    log = (*buffer)->getBuffer().rtrim().str();
  return makeError(
      "linking '" + outputPath + "' with '" + program + "' failed" +
      (rc < 0 ? ": " + message : " (exit code " + std::to_string(rc) + ")") +
      (log.empty() ? "" : ":\n" + log));
}

Error mlir::xfmr::emitCPUArtifact(ModuleOp module,
                                  const CPUTargetOptions &options,
                                  CPUEmitKind kind, StringRef outputPath) {
  if (kind == CPUEmitKind::SharedLibrary && outputPath == "-")
    return makeError("a shared library cannot be written to stdout; name the "
                     "output file");
  Expected<std::unique_ptr<llvm::TargetMachine>> tm =
      createCPUTargetMachine(options);
  if (!tm)
    return tm.takeError();
  llvm::LLVMContext llvmContext;
  Manifest manifest;
  Expected<std::unique_ptr<llvm::Module>> llvmModule =
      translateToLLVMIR(module, llvmContext, &manifest);
  if (!llvmModule)
    return llvmModule.takeError();
  if (Error e = optimizeLLVMModule(**llvmModule, **tm, options.optLevel))
    return e;

  switch (kind) {
  case CPUEmitKind::LLVMIR: {
    auto out = openOutput(outputPath, llvm::sys::fs::OF_Text);
    if (!out)
      return out.takeError();
    (*llvmModule)->print((*out)->os(), nullptr);
    (*out)->keep();
    return Error::success();
  }
  case CPUEmitKind::Assembly:
  case CPUEmitKind::Object: {
    bool text = kind == CPUEmitKind::Assembly;
    auto out = openOutput(outputPath, text ? llvm::sys::fs::OF_Text
                                           : llvm::sys::fs::OF_None);
    if (!out)
      return out.takeError();
    {
      // Object emission seeks back; pipes and terminals cannot.
      llvm::raw_pwrite_stream *os = &(*out)->os();
      std::unique_ptr<llvm::buffer_ostream> buffered;
      if (!(*out)->os().supportsSeeking()) {
        buffered = std::make_unique<llvm::buffer_ostream>(*os);
        os = buffered.get();
      }
      if (Error e = emitMachineCode(**llvmModule, **tm,
                                    text ? llvm::CodeGenFileType::AssemblyFile
                                         : llvm::CodeGenFileType::ObjectFile,
                                    *os))
        return e;
    }
    (*out)->keep();
    return Error::success();
  }
  case CPUEmitKind::SharedLibrary: {
    SmallString<128> objectPath;
    int fd;
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("xfmr", "o", fd, objectPath))
      return makeError("cannot create a temporary file: " + ec.message());
    llvm::FileRemover removeObject(objectPath);
    {
      llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
      if (Error e = emitMachineCode(**llvmModule, **tm,
                                    llvm::CodeGenFileType::ObjectFile, os))
        return e;
      os.close();
      if (os.has_error())
        return makeError("cannot write '" + objectPath +
                         "': " + os.error().message());
    }
    if (Error e = linkSharedLibrary(objectPath, outputPath, options,
                                    usesOpenMPRuntime(**llvmModule)))
      return e;

    SmallString<128> headerPath(outputPath);
    llvm::sys::path::replace_extension(headerPath, "h");
    auto header = openOutput(headerPath, llvm::sys::fs::OF_Text);
    if (!header)
      return header.takeError();
    (*header)->os() << generateCHeader(manifest,
                                       llvm::sys::path::filename(outputPath),
                                       options.headerAddendum);
    (*header)->keep();
    return Error::success();
  }
  }
  llvm_unreachable("unknown emit kind");
}

//===----------------------------------------------------------------------===//
// JIT
//===----------------------------------------------------------------------===//

Expected<std::unique_ptr<ExecutionEngine>>
mlir::xfmr::createCPUJIT(ModuleOp module, const CPUTargetOptions &options) {
  Expected<std::unique_ptr<llvm::TargetMachine>> tm =
      createCPUTargetMachine(options, /*forJIT=*/true);
  if (!tm)
    return tm.takeError();
  // The engine takes the target machine for code generation; the builder
  // below runs first, while it is still alive, and optimises with it.
  llvm::TargetMachine *tmPtr = tm->get();
  std::optional<Error> buildError;
  auto builder =
      [&](Operation *op,
          llvm::LLVMContext &llvmContext) -> std::unique_ptr<llvm::Module> {
    Expected<std::unique_ptr<llvm::Module>> llvmModule =
        translateToLLVMIR(cast<ModuleOp>(op), llvmContext);
    if (!llvmModule) {
      buildError = llvmModule.takeError();
      return nullptr;
    }
    if (Error e = optimizeLLVMModule(**llvmModule, *tmPtr, options.optLevel)) {
      buildError = std::move(e);
      return nullptr;
    }
    // Loaded before the engine links the code: the __kmpc_* calls resolve
    // to the process's symbols.
    if (usesOpenMPRuntime(**llvmModule))
      if (Error e = loadOpenMPRuntime()) {
        buildError = std::move(e);
        return nullptr;
      }
    return std::move(*llvmModule);
  };
  ExecutionEngineOptions engineOptions;
  engineOptions.llvmModuleBuilder = builder;
  engineOptions.jitCodeGenOptLevel =
      *llvm::CodeGenOpt::getLevel(options.optLevel);
  engineOptions.enableGDBNotificationListener = false;
  engineOptions.enablePerfNotificationListener = false;
  Expected<std::unique_ptr<ExecutionEngine>> engine =
      ExecutionEngine::create(module, engineOptions, std::move(*tm));
  if (buildError) {
    llvm::consumeError(engine.takeError());
    return std::move(*buildError);
  }
  if (!engine)
    return engine.takeError();
  (*engine)->initialize();
  return engine;
}
