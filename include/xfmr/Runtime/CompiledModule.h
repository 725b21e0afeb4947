//===- CompiledModule.h - load and call compiled xfmr modules ---*- C++ -*-===//
//
// A CompiledModule is a module with the entry-point ABI of
// xfmr/Target/EntryABI.h, either a shared library (dlopen) or an .mlir file
// compiled in process by the CPU pipeline and the JIT. Both are driven the
// same way: the manifest is read from `xfmr_manifest`, every input is checked
// against the function's signature before the call, the call goes through
// `xfmr_packed_<f>`, and the results are taken over by the caller as
// HostTensors (their malloc'ed buffers are freed with the tensors). Errors
// are values; nothing here aborts on bad input.
//
//   auto module = CompiledModule::load("model.so");
//   if (!module) ...
//   auto results = (*module)->call("forward", {x, w});
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_RUNTIME_COMPILEDMODULE_H
#define XFMR_RUNTIME_COMPILEDMODULE_H

#include "xfmr/Runtime/Tensor.h"
#include "xfmr/Target/CPU.h"
#include "xfmr/Target/EntryABI.h"
#include "xfmr/Target/NVPTX.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <memory>

namespace mlir {
class ExecutionEngine;

namespace xfmr {

class CompiledModule {
public:
  using PackedFn = void (*)(void **);

  ~CompiledModule();

  /// dlopen()s a shared library written by xfmr-compile --emit=shared.
  static llvm::Expected<std::unique_ptr<CompiledModule>>
  loadSharedLibrary(llvm::StringRef path);

  /// Parses an .mlir file, runs the CPU pipeline (with `pipelineOptions`,
  /// or the defaults) and JIT-compiles it. Parse and verification errors
  /// come back as `file:line:col: error: ...`.
  static llvm::Expected<std::unique_ptr<CompiledModule>>
  loadMLIRFile(llvm::StringRef path, const CPUTargetOptions &options = {},
               const CPUOptions *pipelineOptions = nullptr);

  /// JIT-compiles a module already lowered to the LLVM dialect
  /// (lowerToLLVMDialect()).
  static llvm::Expected<std::unique_ptr<CompiledModule>>
  fromLLVMDialect(ModuleOp module, const CPUTargetOptions &options = {});

  /// loadSharedLibrary() for ELF files, loadMLIRFile() for anything else.
  static llvm::Expected<std::unique_ptr<CompiledModule>>
  load(llvm::StringRef path, const CPUTargetOptions &options = {},
       const CPUOptions *pipelineOptions = nullptr);

  /// The GPU target: a shared library from `xfmr-compile --target=cuda
  /// --emit=shared` is loaded as is; an .mlir file goes through the GPU
  /// pipeline (`pipelineOptions`) and NVPTX into a temporary shared library
  /// first. A CPU library is refused.
  static llvm::Expected<std::unique_ptr<CompiledModule>>
  loadForGPU(llvm::StringRef path, const GPUOptions &pipelineOptions,
             const NVPTXTargetOptions &options);

  /// Whether the module runs on the GPU (its kernel runtime is linked in).
  bool isGPUModule() const { return takeDeviceError != nullptr; }

  const Manifest &getManifest() const { return manifest; }

  /// The signature of `name`; the error lists the functions there are.
  llvm::Expected<const EntrySignature *>
  lookupFunction(llvm::StringRef name) const;

  /// Checks count, rank, static dimensions and element type of every input,
  /// e.g. "argument 1 ('w'): expected dimension 0 to be 128, got 64".
  static llvm::Error checkInputs(const EntrySignature &entry,
                                 llvm::ArrayRef<HostTensor> inputs);

  /// Checks the inputs, calls the function and takes over its results.
  llvm::Expected<llvm::SmallVector<HostTensor, 1>>
  call(const EntrySignature &entry, llvm::ArrayRef<HostTensor> inputs);
  llvm::Expected<llvm::SmallVector<HostTensor, 1>>
  call(llvm::StringRef name, llvm::ArrayRef<HostTensor> inputs);

  /// The hot form of a call to `entry` with `inputs`, for an entry whose
  /// weights can be prepared once (EntrySignature::prepared): runs the
  /// preparation entry on the weights among `inputs` and returns the entry
  /// to call instead, with its arguments (the other inputs, then the
  /// prepared weights, which the returned tensors own).
  struct PreparedCall {
    const EntrySignature *entry = nullptr;
    llvm::SmallVector<HostTensor, 4> args;
  };
  llvm::Expected<PreparedCall> prepare(const EntrySignature &entry,
                                       llvm::ArrayRef<HostTensor> inputs);

private:
  CompiledModule() = default;
  /// Reads the manifest through `lookup` and resolves every packed entry.
  llvm::Error
  bind(llvm::function_ref<llvm::Expected<void *>(llvm::StringRef)> lookup);

  void *handle = nullptr;
  std::unique_ptr<ExecutionEngine> engine;
  Manifest manifest;
  llvm::StringMap<PackedFn> packedEntries;
  /// GPU modules (--target=cuda --emit=shared): their kernel runtime's
  /// `xfmr_cuda_take_error`, asked after every call; null for CPU modules.
  const char *(*takeDeviceError)() = nullptr;
};

} // namespace xfmr
} // namespace mlir

#endif // XFMR_RUNTIME_COMPILEDMODULE_H
