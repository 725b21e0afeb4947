//===- xfmr-compile.cpp - the xfmr compiler driver ------------------------===//
//
// xfmr IR (or linalg on tensors) in, one artifact out:
//
//   xfmr-compile model.mlir -o model.so --emit=shared [--mcpu=NAME] [-O3]
//   xfmr-compile model.mlir -o model.cubin --target=cuda --emit=cubin
//       [--gpu-arch=sm_80|sm_89|sm_90] [--ptxas=PATH]
//
// --emit=linalg and --emit=mlir stop after the xfmr-to-linalg stage and the
// whole CPU pipeline (the LLVM dialect); llvm, asm, obj and shared go on to
// LLVM IR, assembly, an object file and a shared library with its C header.
// With --target=cuda, mlir is the output of the GPU pipeline (host code in
// the LLVM dialect, kernels as PTX in a gpu.binary), llvm the host code as
// LLVM IR, ptx the kernels' PTX, cubin the kernels assembled by ptxas and
// shared a host library with the CPU target's C entry points, the kernels
// embedded and the kernel runtime (lib/Runtime/CudaKernelRuntime.cpp)
// linked in.
//
//===----------------------------------------------------------------------===//

#include "xfmr/InitAll.h"
#include "xfmr/Pipelines.h"
#include "xfmr/Target/CPU.h"
#include "xfmr/Target/NVPTX.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace mlir::xfmr;
namespace cl = llvm::cl;

static cl::OptionCategory category("xfmr-compile options");

static cl::opt<std::string>
    inputFilename(cl::Positional, cl::desc("<input .mlir, - for stdin>"),
                  cl::init("-"), cl::cat(category));
static cl::opt<std::string> outputFilename("o",
                                           cl::desc("Output file (- for stdout "
                                                    "where the format allows)"),
                                           cl::value_desc("file"),
                                           cl::init("-"), cl::cat(category));
static cl::opt<std::string>
    targetName("target", cl::desc("Target: cpu or cuda (NVIDIA GPUs)"),
               cl::init("cpu"), cl::cat(category));
static cl::opt<std::string>
    emitName("emit",
             cl::desc("What to produce: linalg (linalg on tensors), mlir (the "
                      "LLVM dialect), llvm (LLVM IR), asm, obj, shared (a "
                      "shared library and its C header FILE.h); for "
                      "--target=cuda also ptx and cubin (no asm or obj)"),
             cl::init("shared"), cl::cat(category));
static cl::opt<std::string>
    mcpu("mcpu", cl::desc("Target CPU (default: the host CPU and features)"),
         cl::value_desc("name"), cl::init("host"), cl::cat(category));
static cl::opt<std::string>
    mattr("mattr", cl::desc("Extra target features, e.g. +avx512f,-fma"),
          cl::value_desc("features"), cl::cat(category));
static cl::opt<std::string>
    gpuArch("gpu-arch",
            cl::desc("GPU architecture for --target=cuda: sm_80, sm_89 or "
                     "sm_90"),
            cl::value_desc("sm_NN"), cl::init("sm_90"), cl::cat(category));
static cl::opt<std::string>
    ptxasPath("ptxas",
              cl::desc("ptxas for --emit=cubin (default: "
                       "/usr/local/cuda/bin/ptxas, $CUDA_PATH/bin or PATH)"),
              cl::value_desc("path"), cl::cat(category));
static cl::opt<std::string>
    cudaPath("cuda-path",
             cl::desc("CUDA toolkit whose libdevice the kernels' math "
                      "functions link (default: /usr/local/cuda when present)"),
             cl::value_desc("dir"), cl::cat(category));
static cl::opt<std::string> pipelineOptions(
    "pipeline-options",
    cl::desc("Options of the CPU or GPU pipeline, as for xfmr-opt's "
             "--xfmr-cpu-pipeline=\"...\", e.g. \"vectorize=false\""),
    cl::value_desc("options"), cl::cat(category));
static cl::opt<unsigned> optLevel("O", cl::Prefix,
                                  cl::desc("Optimisation level -O0 to -O3 "
                                           "(default -O2)"),
                                  cl::init(2), cl::cat(category));
static cl::opt<std::string>
    linker("linker",
           cl::desc("Compiler driver that links --emit=shared (default: "
                    "$XFMR_CLANG, else the clang found at configure time)"),
           cl::value_desc("path"), cl::cat(category));

enum class Emit { Linalg, MLIR, LLVM, Asm, Obj, Shared };

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "xfmr-compile") << message << "\n";
  return 1;
}

static LogicalResult configurePassManager(PassManager &pm) {
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  applyDefaultTimingPassManagerCLOptions(pm);
  return success();
}

/// The input file parsed into `context`, its buffer kept by `sourceMgr` for
/// the diagnostics of later passes; null after reporting the error.
static OwningOpRef<ModuleOp> parseInput(llvm::SourceMgr &sourceMgr,
                                        MLIRContext &context) {
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &error);
  if (!input) {
    fail(error);
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  return parseSourceFileWithArgNames(sourceMgr, &context);
}

static int printModule(ModuleOp module) {
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> out =
      openOutputFile(outputFilename, &error);
  if (!out)
    return fail(error);
  module.print(out->os());
  out->os() << "\n";
  out->keep();
  return 0;
}

/// --target=cuda: the GPU pipeline, then PTX, cubin or the host's LLVM IR.
static int compileForCUDA() {
  enum class GPUEmit { Linalg, MLIR, LLVM, PTX, Cubin, Shared };
  std::optional<GPUEmit> emit =
      llvm::StringSwitch<std::optional<GPUEmit>>(emitName)
          .Case("linalg", GPUEmit::Linalg)
          .Case("mlir", GPUEmit::MLIR)
          .Case("llvm", GPUEmit::LLVM)
          .Case("ptx", GPUEmit::PTX)
          .Case("cubin", GPUEmit::Cubin)
          .Case("shared", GPUEmit::Shared)
          .Default(std::nullopt);
  if (!emit)
    return fail("unknown --emit '" + emitName +
                "' for --target=cuda (expected linalg, mlir, llvm, ptx, "
                "cubin or shared)");
  if (*emit == GPUEmit::Shared && outputFilename == "-")
    return fail("--emit=shared writes a file: name it with -o FILE.so");
  if (llvm::Error e = checkGPUArch(gpuArch))
    return fail(llvm::toString(std::move(e)));
  if (optLevel > 3)
    return fail("-O" + llvm::Twine(optLevel) +
                " is not an optimisation "
                "level (use -O0 to -O3)");
  if (*emit == GPUEmit::Cubin && outputFilename == "-")
    return fail("--emit=cubin writes a file: name it with -o FILE.cubin");
  NVPTXTargetOptions targetOptions;
  targetOptions.chip = gpuArch;
  targetOptions.ptxas = ptxasPath;
  targetOptions.host.optLevel = optLevel;
  targetOptions.host.cpu = mcpu;
  targetOptions.host.features = mattr;
  targetOptions.host.linker = linker;
  // Catch a missing ptxas before spending time in the pipeline.
  if (*emit == GPUEmit::Cubin) {
    llvm::Expected<std::string> ptxas = findPtxas(ptxasPath);
    if (!ptxas)
      return fail(llvm::toString(ptxas.takeError()));
  }
  std::unique_ptr<GPUOptions> gpuOptions =
      GPUOptions::createFromString(pipelineOptions);
  if (!gpuOptions)
    return fail("invalid --pipeline-options '" + pipelineOptions + "'");
  gpuOptions->chip = gpuArch;
  gpuOptions->optLevel = optLevel;
  if (!cudaPath.empty())
    gpuOptions->cudaPath = cudaPath;

  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  // Diagnostics point at the source; a dump of the op adds only noise.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseInput(sourceMgr, context);
  if (!module)
    return 1;

  if (*emit == GPUEmit::Linalg) {
    PassManager pm(&context, ModuleOp::getOperationName());
    CPUOptions front;
    front.moeAllExperts = gpuOptions->moeAllExperts;
    front.fuseGateUp = gpuOptions->fuseGateUp;
    front.vectorize = false;
    buildXfmrToLinalgPipeline(pm, front);
    if (failed(configurePassManager(pm)) || failed(pm.run(*module)))
      return 1;
    return printModule(*module);
  }
  if (failed(lowerToGPUBinaries(*module, *gpuOptions, configurePassManager)))
    return 1;
  if (*emit == GPUEmit::MLIR)
    return printModule(*module);
  GPUEmitKind kind = *emit == GPUEmit::LLVM    ? GPUEmitKind::LLVMIR
                     : *emit == GPUEmit::PTX   ? GPUEmitKind::PTX
                     : *emit == GPUEmit::Cubin ? GPUEmitKind::Cubin
                                               : GPUEmitKind::SharedLibrary;
  if (llvm::Error e =
          emitGPUArtifact(*module, targetOptions, kind, outputFilename))
    return fail(llvm::toString(std::move(e)));
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  // MLIR's debugging flags (--mlir-print-ir-after-all, --mlir-timing, ...)
  // still work; --help lists only the driver's own.
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "xfmr-compile: xfmr IR to native code\n");

  if (targetName == "cuda")
    return compileForCUDA();
  if (targetName != "cpu")
    return fail("unknown --target '" + targetName + "' (expected cpu or cuda)");
  std::optional<Emit> emit = llvm::StringSwitch<std::optional<Emit>>(emitName)
                                 .Case("linalg", Emit::Linalg)
                                 .Case("mlir", Emit::MLIR)
                                 .Case("llvm", Emit::LLVM)
                                 .Case("asm", Emit::Asm)
                                 .Case("obj", Emit::Obj)
                                 .Case("shared", Emit::Shared)
                                 .Default(std::nullopt);
  if (!emit)
    return fail("unknown --emit '" + emitName +
                "' (expected linalg, mlir, llvm, asm, obj or shared)");
  if (optLevel > 3)
    return fail("-O" + llvm::Twine(optLevel) +
                " is not an optimisation "
                "level (use -O0 to -O3)");
  if (*emit == Emit::Shared && outputFilename == "-")
    return fail("--emit=shared writes a file: name it with -o FILE.so");

  std::unique_ptr<CPUOptions> cpuOptions =
      CPUOptions::createFromString(pipelineOptions);
  if (!cpuOptions)
    return fail("invalid --pipeline-options '" + pipelineOptions + "'");

  CPUTargetOptions targetOptions;
  targetOptions.optLevel = optLevel;
  targetOptions.cpu = mcpu;
  targetOptions.features = mattr;
  targetOptions.linker = linker;
  // Catch a bad --mcpu before spending time in the pipeline.
  if (*emit != Emit::Linalg && *emit != Emit::MLIR) {
    auto tm = createCPUTargetMachine(targetOptions);
    if (!tm)
      return fail(llvm::toString(tm.takeError()));
  }

  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  // Diagnostics point at the source; a dump of the op adds only noise.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseInput(sourceMgr, context);
  if (!module)
    return 1;

  if (*emit == Emit::Linalg) {
    PassManager pm(&context, ModuleOp::getOperationName());
    buildXfmrToLinalgPipeline(pm, *cpuOptions);
    if (failed(configurePassManager(pm)) || failed(pm.run(*module)))
      return 1;
    return printModule(*module);
  }
  if (failed(lowerToLLVMDialect(*module, *cpuOptions, configurePassManager)))
    return 1;
  if (*emit == Emit::MLIR)
    return printModule(*module);

  CPUEmitKind kind = *emit == Emit::LLVM  ? CPUEmitKind::LLVMIR
                     : *emit == Emit::Asm ? CPUEmitKind::Assembly
                     : *emit == Emit::Obj ? CPUEmitKind::Object
                                          : CPUEmitKind::SharedLibrary;
  if (llvm::Error e =
          emitCPUArtifact(*module, targetOptions, kind, outputFilename))
    return fail(llvm::toString(std::move(e)));
  return 0;
}
