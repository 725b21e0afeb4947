//===- NVPTX.cpp - xfmr IR to PTX and cubin for NVIDIA GPUs ---------------===//
//
// The back half of the CUDA target: the GPU pipeline leaves the kernels as
// PTX in a gpu.binary (LLVM's NVPTX backend, no CUDA toolkit needed); this
// file takes the PTX out, assembles it with ptxas for cubins (run here
// rather than through MLIR's serializer, so that a missing ptxas or an
// assembler error is reported with xfmr's own message), or translates the
// host code to LLVM IR.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Target/NVPTX.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::xfmr;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

static Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::ArrayRef<StringRef> mlir::xfmr::getSupportedGPUArchs() {
  static const StringRef archs[] = {"sm_80", "sm_89", "sm_90"};
  return archs;
}

Error mlir::xfmr::checkGPUArch(StringRef chip) {
  if (llvm::is_contained(getSupportedGPUArchs(), chip))
    return Error::success();
  return makeError("unknown --gpu-arch '" + chip +
                   "' (expected sm_80, sm_89 or sm_90)");
}

LogicalResult mlir::xfmr::lowerToGPUBinaries(
    ModuleOp module, const GPUOptions &options,
    llvm::function_ref<LogicalResult(PassManager &)> configure) {
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  buildGPUPipeline(pm, options);
  if (configure && failed(configure(pm)))
    return failure();
  return pm.run(module);
}

Expected<std::string> mlir::xfmr::getKernelPTX(ModuleOp module) {
  std::string ptx;
  unsigned binaries = 0;
  for (auto binary : module.getOps<gpu::BinaryOp>()) {
    ++binaries;
    for (Attribute attr : binary.getObjects()) {
      auto object = dyn_cast<gpu::ObjectAttr>(attr);
      if (!object || object.getFormat() != gpu::CompilationTarget::Assembly)
        return makeError("gpu.binary @" + binary.getSymName() +
                         " holds no PTX (run the GPU pipeline first)");
      ptx += object.getObject().getValue();
    }
  }
  if (binaries == 0)
    return makeError("the module has no kernels (no gpu.binary): nothing "
                     "to run on the GPU");
  if (binaries > 1)
    return makeError("the module has " + llvm::Twine(binaries) +
                     " gpu.binary ops; the GPU target expects its kernels "
                     "in one");
  // Without libdevice the math functions stay external declarations that
  // no loader can resolve.
  size_t call = ptx.find(".extern .func");
  if (call != StringRef::npos) {
    StringRef rest = StringRef(ptx).drop_front(call);
    size_t name = rest.find("__nv_");
    StringRef function = name == StringRef::npos
                             ? StringRef("an external function")
                             : rest.drop_front(name).take_while([](char c) {
                                 return llvm::isAlnum(c) || c == '_';
                               });
    return makeError("the kernels call " + function +
                     " from libdevice, which was not linked: name a CUDA "
                     "toolkit with --cuda-path=DIR (it needs "
                     "DIR/nvvm/libdevice/libdevice.10.bc)");
  }
  return ptx;
}

Expected<std::string> mlir::xfmr::findPtxas(StringRef override) {
  if (!override.empty()) {
    if (llvm::sys::fs::can_execute(override))
      return override.str();
    return makeError("ptxas '" + override +
                     "' is not an executable (--ptxas=PATH names the CUDA "
                     "toolkit's ptxas)");
  }
  SmallVector<std::string> candidates = {"/usr/local/cuda/bin/ptxas"};
  if (const char *cuda = std::getenv("CUDA_PATH"))
    candidates.push_back((llvm::Twine(cuda) + "/bin/ptxas").str());
  for (const std::string &candidate : candidates)
    if (llvm::sys::fs::can_execute(candidate))
      return candidate;
  if (llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName("ptxas"))
    return *found;
  return makeError("cannot find ptxas (looked in /usr/local/cuda/bin, "
                   "$CUDA_PATH/bin and PATH): install the CUDA toolkit or "
                   "name it with --ptxas=PATH; --emit=ptx needs no toolkit");
}

Expected<std::string> mlir::xfmr::assemblePTX(StringRef ptx, StringRef chip,
                                              StringRef ptxas) {
  SmallString<128> ptxPath, cubinPath, logPath;
  for (auto [path, suffix] :
       {std::pair{&ptxPath, "ptx"}, std::pair{&cubinPath, "cubin"},
        std::pair{&logPath, "log"}})
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("xfmr-kernels", suffix, *path))
      return makeError("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removePtx(ptxPath), removeCubin(cubinPath),
      removeLog(logPath);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(ptxPath, ec);
    if (ec)
      return makeError("cannot write '" + ptxPath + "': " + ec.message());
    os << ptx;
  }
  std::string arch = ("-arch=" + chip).str();
  SmallVector<StringRef> args = {ptxas, arch, ptxPath, "-o", cubinPath};
  std::optional<StringRef> redirects[] = {StringRef(""), StringRef(logPath),
                                          StringRef(logPath)};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects,
                                     /*SecondsToWait=*/0, /*MemoryLimit=*/0,
                                     &message);
  if (rc != 0) {
    std::string log;
    if (auto buffer = llvm::MemoryBuffer::getFile(logPath))
      log = (*buffer)->getBuffer().rtrim().str();
    return makeError("ptxas '" + ptxas + "' failed for " + chip +
                     (rc < 0 ? " (" + message + ")"
                             : " (exit code " + std::to_string(rc) + ")") +
                     (log.empty() ? "" : ":\n" + log));
  }
  auto cubin = llvm::MemoryBuffer::getFile(cubinPath, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
  if (!cubin)
    return makeError("cannot read ptxas's output '" + cubinPath +
                     "': " + cubin.getError().message());
  return (*cubin)->getBuffer().str();
}

Expected<std::string> mlir::xfmr::findCudaKernelRuntime() {
  if (const char *env = std::getenv("XFMR_CUDA_RUNTIME"); env && *env) {
    if (llvm::sys::fs::exists(env))
      return std::string(env);
    return makeError("$XFMR_CUDA_RUNTIME names '" + StringRef(env) +
                     "', which does not exist");
  }
  // The running tool's <bindir>/../lib: the build tree and installs alike.
  std::string tool = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  if (!tool.empty()) {
    SmallString<256> path(
        llvm::sys::path::parent_path(llvm::sys::path::parent_path(tool)));
    llvm::sys::path::append(path, "lib", XFMR_CUDA_RUNTIME_NAME);
    if (llvm::sys::fs::exists(path))
      return std::string(path);
  }
  if (llvm::sys::fs::exists(XFMR_CUDA_RUNTIME_ARCHIVE))
    return std::string(XFMR_CUDA_RUNTIME_ARCHIVE);
  return makeError("cannot find the GPU kernel runtime " +
                   StringRef(XFMR_CUDA_RUNTIME_NAME) +
                   " (looked next to the tool and in the build tree; name it "
                   "with $XFMR_CUDA_RUNTIME)");
}

Error mlir::xfmr::emitGPUArtifact(ModuleOp module,
                                  const NVPTXTargetOptions &options,
                                  GPUEmitKind kind, StringRef outputPath) {
  if (kind == GPUEmitKind::SharedLibrary) {
    // The host code goes through the CPU target's back half (entry-point
    // ABI, manifest, C header, optimisation, object, link), with the kernel
    // runtime linked in; the PTX rides along as a constant that the
    // library's constructor hands to the driver's JIT.
    if (Error e = getKernelPTX(module).takeError())
      return e;
    Expected<std::string> runtime = findCudaKernelRuntime();
    if (!runtime)
      return runtime.takeError();
    CPUTargetOptions host = options.host;
    host.extraLinkInputs.push_back(*runtime);
    host.extraLinkInputs.push_back("-ldl");
    host.extraLinkInputs.push_back("-lpthread");
    host.headerAddendum =
        "/* The kernels run on the first CUDA device, through the driver\n"
        " * (libcuda.so.1) loaded at run time. The entry points take and\n"
        " * return host memory like those of a CPU library: arguments are\n"
        " * copied to the device on entry (those already in device or\n"
        " * managed memory, cudaMalloc/cuMemAlloc/cuMemAllocManaged, are\n"
        " * read in place) and results back into malloc()-ed memory.\n"
        " * A failure (no driver, a kernel fault, out of device memory)\n"
        " * skips the remaining GPU work of the call; after every call,\n"
        " * xfmr_cuda_take_error() returns its message, or NULL if the call\n"
        " * succeeded, and clears it. XFMR_CUDA_PROFILE=1 in the\n"
        " * environment times every kernel and prints the totals to stderr\n"
        " * when the library is unloaded. */\n"
        "const char *xfmr_cuda_take_error(void);\n";
    return emitCPUArtifact(module, host, CPUEmitKind::SharedLibrary,
                           outputPath);
  }
  std::string contents;
  if (kind == GPUEmitKind::LLVMIR) {
    llvm::LLVMContext llvmContext;
    std::unique_ptr<llvm::Module> llvmModule =
        translateModuleToLLVMIR(module, llvmContext);
    if (!llvmModule)
      return makeError("cannot translate the host code to LLVM IR");
    llvm::raw_string_ostream os(contents);
    llvmModule->print(os, nullptr);
  } else {
    Expected<std::string> ptx = getKernelPTX(module);
    if (!ptx)
      return ptx.takeError();
    contents = std::move(*ptx);
    if (kind == GPUEmitKind::Cubin) {
      if (outputPath == "-")
        return makeError("--emit=cubin writes a file: name it with -o "
                         "FILE.cubin");
      Expected<std::string> ptxas = findPtxas(options.ptxas);
      if (!ptxas)
        return ptxas.takeError();
      Expected<std::string> cubin = assemblePTX(contents, options.chip, *ptxas);
      if (!cubin)
        return cubin.takeError();
      contents = std::move(*cubin);
    }
  }
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> out =
      openOutputFile(outputPath, &error);
  if (!out)
    return makeError(error);
  out->os() << contents;
  out->keep();
  return Error::success();
}
