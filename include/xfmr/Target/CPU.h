//===- CPU.h - xfmr IR to native code for the host CPU ----------*- C++ -*-===//
//
// The CPU target: xfmr (or linalg-on-tensors) IR through the CPU pipeline to
// the LLVM dialect, then to an llvm::Module carrying the entry-point ABI of
// xfmr/Target/EntryABI.h, then to LLVM IR text, assembly, an object file, a
// shared library with its C header, or a JIT (mlir::ExecutionEngine) with
// exactly the same symbols.
//
// Typical use:
//   OwningOpRef<ModuleOp> m = parseSourceFileWithArgNames(sourceMgr, &ctx);
//   if (failed(lowerToLLVMDialect(*m))) ...
//   if (Error e = emitCPUArtifact(*m, options, CPUEmitKind::SharedLibrary,
//                                 "foo.so")) ...
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_TARGET_CPU_H
#define XFMR_TARGET_CPU_H

#include "xfmr/Pipelines.h"
#include "xfmr/Target/EntryABI.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class SourceMgr;
class TargetMachine;
} // namespace llvm

namespace mlir {
class ExecutionEngine;
class MLIRContext;
class PassManager;

namespace xfmr {

struct CPUTargetOptions {
  /// LLVM optimisation level, 0 to 3.
  unsigned optLevel = 2;
  /// Target CPU (as for -mcpu); empty or "host" means the host CPU with the
  /// host's features.
  std::string cpu;
  /// Extra target features, "+avx512f,-fma" style, added on top.
  std::string features;
  /// Compiler driver used to link shared libraries. Empty: $XFMR_CLANG, else
  /// the clang found when xfmr was configured (getDefaultLinker()).
  std::string linker;
  /// Further inputs of the link after the object file (archives, -l flags):
  /// the GPU target links its kernel runtime this way.
  std::vector<std::string> extraLinkInputs;
  /// Declarations added to the generated C header (generateCHeader()).
  std::string headerAddendum;
};

enum class CPUEmitKind { LLVMIR, Assembly, Object, SharedLibrary };

//===----------------------------------------------------------------------===//
// Front half: source to the LLVM dialect
//===----------------------------------------------------------------------===//

/// Parses `sourceMgr`'s main buffer like parseSourceFile<ModuleOp> (with
/// source locations, errors reported through the context's diagnostic
/// handler) and records the SSA names of each function's arguments
/// (`%w` -> "w") in the `xfmr.arg_names` attribute, from which
/// xfmr-prepare-entry-points names the entry's parameters in generated
/// headers and runtime errors. Returns null on failure.
OwningOpRef<ModuleOp> parseSourceFileWithArgNames(llvm::SourceMgr &sourceMgr,
                                                  MLIRContext *context);

/// Runs buildCPUPipeline() on `module`. `configure` may adjust
/// the pass manager (instrumentation, command-line options) before it runs.
/// Errors are reported through the context's diagnostic handler.
LogicalResult lowerToLLVMDialect(
    ModuleOp module, const CPUOptions &options = {},
    llvm::function_ref<LogicalResult(PassManager &)> configure = nullptr);

/// The manifest of an LLVM-dialect module produced by lowerToLLVMDialect():
/// every llvm.func carrying an `xfmr.entry` signature that has a C interface
/// wrapper.
llvm::Expected<Manifest> collectManifest(ModuleOp llvmDialectModule);

//===----------------------------------------------------------------------===//
// Back half: the LLVM dialect to native code
//===----------------------------------------------------------------------===//

/// A target machine for `options` (host CPU and features by default). Fails
/// with a clear message for an unknown CPU. Without `forJIT` it produces
/// position-independent code for shared libraries; with it, code for the
/// in-process JIT (large code model).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createCPUTargetMachine(const CPUTargetOptions &options, bool forJIT = false);

/// Adds the entry-point ABI to a module translated from the LLVM dialect:
/// `f` becomes the typed C entry (MLIR's `_mlir_ciface_f`, renamed; the
/// expanded-argument function is internalised), `xfmr_packed_f` is added for
/// each entry, every other definition is internalised, and `xfmr_manifest`
/// is emitted.
llvm::Error addEntryPointABI(llvm::Module &module, const Manifest &manifest);

/// translateModuleToLLVMIR() followed by addEntryPointABI(). The result has
/// no target triple or data layout yet. If `manifestOut` is set, it receives
/// the manifest.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(ModuleOp llvmDialectModule, llvm::LLVMContext &llvmContext,
                  Manifest *manifestOut = nullptr);

/// Sets `module`'s triple and data layout from `tm` and runs LLVM's default
/// optimisation pipeline for `optLevel`.
llvm::Error optimizeLLVMModule(llvm::Module &module, llvm::TargetMachine &tm,
                               unsigned optLevel);

/// The whole back half for one artifact, written to `outputPath` ("-" is
/// stdout, except for shared libraries). A shared library `foo.so` also gets
/// its C header `foo.h` next to it.
llvm::Error emitCPUArtifact(ModuleOp llvmDialectModule,
                            const CPUTargetOptions &options, CPUEmitKind kind,
                            llvm::StringRef outputPath);

/// Links `objectPath` into the shared library `outputPath` with the linker
/// of `options` (`<clang> -shared -o out obj <extraLinkInputs> -lm`, plus
/// `-lomp` with `linkOpenMP`).
llvm::Error linkSharedLibrary(llvm::StringRef objectPath,
                              llvm::StringRef outputPath,
                              const CPUTargetOptions &options,
                              bool linkOpenMP = false);

/// Whether `module` calls the OpenMP runtime (libomp's __kmpc_* entry
/// points): modules of the CPU pipeline with option `threads` that have a
/// parallel loop.
bool usesOpenMPRuntime(const llvm::Module &module);

/// Loads libomp into the process, once, for the JIT to resolve __kmpc_*
/// symbols. Fails with a message naming the package when it is missing.
llvm::Error loadOpenMPRuntime();

/// The compiler driver configured at build time (XFMR_CLANG).
llvm::StringRef getDefaultLinker();

/// A JIT for an LLVM-dialect module, built with the same translation,
/// entry-point ABI and optimisation as emitCPUArtifact(), so that the packed
/// entries and `xfmr_manifest` are found with ExecutionEngine::lookup().
/// The engine is initialised and ready to call.
llvm::Expected<std::unique_ptr<ExecutionEngine>>
createCPUJIT(ModuleOp llvmDialectModule, const CPUTargetOptions &options = {});

} // namespace xfmr
} // namespace mlir

#endif // XFMR_TARGET_CPU_H
