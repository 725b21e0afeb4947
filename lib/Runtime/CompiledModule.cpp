//===- CompiledModule.cpp - load, check and call compiled xfmr modules ----===//
//
// Shared libraries and JIT-compiled modules expose the same symbols, so
// everything after symbol lookup is shared: the manifest tells the arity and
// signature of every function, descriptors are built from host tensors, the
// packed entry is called, and the result descriptors are taken over.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Runtime/CompiledModule.h"

#include "xfmr/InitAll.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <cstring>
#include <dlfcn.h>

using namespace mlir;
using namespace mlir::xfmr;
using llvm::Error;
using llvm::Expected;

static_assert(sizeof(void *) == sizeof(int64_t),
              "descriptors are built as arrays of 64-bit words");

static Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

CompiledModule::~CompiledModule() {
  engine.reset();
  if (handle)
    dlclose(handle);
}

Error CompiledModule::bind(
    llvm::function_ref<Expected<void *>(StringRef)> lookup) {
  Expected<void *> text = lookup(kManifestSymbol);
  if (!text) {
    llvm::consumeError(text.takeError());
    return makeError(llvm::Twine("the module has no '") + kManifestSymbol +
                     "' (was it built by xfmr-compile --emit=shared?)");
  }
  // Bounded, in case a foreign module defines the symbol without a NUL.
  const char *chars = static_cast<const char *>(*text);
  Expected<Manifest> parsed =
      parseManifest(StringRef(chars, strnlen(chars, size_t(1) << 26)));
  if (!parsed)
    return parsed.takeError();
  manifest = std::move(*parsed);
  for (const EntrySignature &entry : manifest.entries) {
    Expected<void *> fn = lookup(entry.getPackedSymbol());
    if (!fn) {
      llvm::consumeError(fn.takeError());
      return makeError("the manifest lists '" + entry.name + "' but '" +
                       entry.getPackedSymbol() + "' is missing");
    }
    packedEntries[entry.name] = reinterpret_cast<PackedFn>(*fn);
  }
  return Error::success();
}

Expected<std::unique_ptr<CompiledModule>>
CompiledModule::loadSharedLibrary(StringRef path) {
  if (!llvm::sys::fs::exists(path))
    return makeError("cannot open '" + path + "': No such file or directory");
  // dlopen searches the library path for names without a slash.
  SmallString<256> absolute(path);
  if (std::error_code ec = llvm::sys::fs::make_absolute(absolute))
    return makeError("cannot open '" + path + "': " + ec.message());
  void *handle = dlopen(absolute.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return makeError("cannot load '" + path + "': " + dlerror());
  std::unique_ptr<CompiledModule> module(new CompiledModule());
  module->handle = handle;
  if (Error e = module->bind([&](StringRef name) -> Expected<void *> {
        dlerror();
        void *sym = dlsym(handle, name.str().c_str());
        if (!sym)
          return makeError("'" + name + "' not found");
        return sym;
      }))
    return makeError(path + ": " + llvm::toString(std::move(e)));
  module->takeDeviceError = reinterpret_cast<const char *(*)()>(
      dlsym(handle, "xfmr_cuda_take_error"));
  return module;
}

Expected<std::unique_ptr<CompiledModule>>
CompiledModule::fromLLVMDialect(ModuleOp module,
                                const CPUTargetOptions &options) {
  Expected<std::unique_ptr<ExecutionEngine>> engine =
      createCPUJIT(module, options);
  if (!engine)
    return engine.takeError();
  std::unique_ptr<CompiledModule> compiled(new CompiledModule());
  compiled->engine = std::move(*engine);
  ExecutionEngine &jit = *compiled->engine;
  if (Error e = compiled->bind(
          [&](StringRef name) -> Expected<void *> { return jit.lookup(name); }))
    return std::move(e);
  return compiled;
}

/// Parses the .mlir file `path` (parse errors quoted with their
/// file:line:col) and hands the module to `compile`, whose errors may quote
/// the diagnostics collected meanwhile.
static Expected<std::unique_ptr<CompiledModule>>
compileMLIRFile(StringRef path,
                llvm::function_ref<Expected<std::unique_ptr<CompiledModule>>(
                    ModuleOp module, const std::string &diagnostics)>
                    compile) {
  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(path, &message);
  if (!file)
    return makeError("cannot open '" + path +
                     "': " + StringRef(message).rsplit(": ").second);
  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  std::string diagnostics;
  llvm::raw_string_ostream os(diagnostics);
  SourceMgrDiagnosticHandler handler(sourceMgr, &context, os);

  OwningOpRef<ModuleOp> module =
      parseSourceFileWithArgNames(sourceMgr, &context);
  if (!module)
    return makeError("cannot parse '" + path + "':\n" +
                     StringRef(diagnostics).rtrim());
  return compile(*module, diagnostics);
}

Expected<std::unique_ptr<CompiledModule>>
CompiledModule::loadMLIRFile(StringRef path, const CPUTargetOptions &options,
                             const CPUOptions *pipelineOptions) {
  return compileMLIRFile(
      path,
      [&](ModuleOp module, const std::string &diagnostics)
          -> Expected<std::unique_ptr<CompiledModule>> {
        CPUOptions defaults;
        if (failed(lowerToLLVMDialect(module, pipelineOptions ? *pipelineOptions
                                                              : defaults)))
          return makeError("cannot compile '" + path + "':\n" +
                           StringRef(diagnostics).rtrim());
        return fromLLVMDialect(module, options);
      });
}

/// Whether `path` is an ELF file (a shared library) rather than MLIR text.
static Expected<bool> isELFFile(StringRef path) {
  Expected<llvm::sys::fs::file_t> file =
      llvm::sys::fs::openNativeFileForRead(path);
  if (!file)
    return makeError("cannot open '" + path +
                     "': " + llvm::toString(file.takeError()));
  char magic[4] = {};
  Expected<size_t> read = llvm::sys::fs::readNativeFile(*file, magic);
  llvm::sys::fs::closeFile(*file);
  if (!read)
    return makeError("cannot read '" + path +
                     "': " + llvm::toString(read.takeError()));
  return *read == 4 && std::memcmp(magic,
                                   "\x7f"
                                   "ELF",
                                   4) == 0;
}

Expected<std::unique_ptr<CompiledModule>>
CompiledModule::load(StringRef path, const CPUTargetOptions &options,
                     const CPUOptions *pipelineOptions) {
  Expected<bool> elf = isELFFile(path);
  if (!elf)
    return elf.takeError();
  if (*elf)
    return loadSharedLibrary(path);
  return loadMLIRFile(path, options, pipelineOptions);
}

Expected<std::unique_ptr<CompiledModule>>
CompiledModule::loadForGPU(StringRef path, const GPUOptions &pipelineOptions,
                           const NVPTXTargetOptions &options) {
  Expected<bool> elf = isELFFile(path);
  if (!elf)
    return elf.takeError();
  if (*elf) {
    Expected<std::unique_ptr<CompiledModule>> module = loadSharedLibrary(path);
    if (module && !(*module)->isGPUModule())
      return makeError("'" + path +
                       "' was compiled for the CPU (compile it with "
                       "xfmr-compile --target=cuda --emit=shared)");
    return module;
  }

  return compileMLIRFile(
      path,
      [&](ModuleOp module, const std::string &diagnostics)
          -> Expected<std::unique_ptr<CompiledModule>> {
        if (failed(lowerToGPUBinaries(module, pipelineOptions)))
          return makeError("cannot compile '" + path + "' for the GPU:\n" +
                           StringRef(diagnostics).rtrim());
        // The library only has to exist until it is loaded.
        SmallString<128> libraryPath;
        if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
                "xfmr-gpu-module", "so", libraryPath))
          return makeError("cannot create a temporary file: " + ec.message());
        llvm::FileRemover removeLibrary(libraryPath);
        SmallString<128> headerPath(libraryPath);
        llvm::sys::path::replace_extension(headerPath, "h");
        llvm::FileRemover removeHeader(headerPath);
        if (Error e = emitGPUArtifact(module, options,
                                      GPUEmitKind::SharedLibrary, libraryPath))
          return makeError("cannot compile '" + path +
                           "' for the GPU: " + llvm::toString(std::move(e)));
        return loadSharedLibrary(libraryPath);
      });
}

Expected<const EntrySignature *>
CompiledModule::lookupFunction(StringRef name) const {
  if (const EntrySignature *entry = manifest.lookup(name))
    return entry;
  if (manifest.entries.empty())
    return makeError("no function '" + name +
                     "': the module has no entry points");
  std::string names;
  for (const EntrySignature &entry : manifest.entries)
    names += (names.empty() ? "" : ", ") + entry.name;
  return makeError("no function '" + name +
                   "' in the module; it has: " + names);
}

Error CompiledModule::checkInputs(const EntrySignature &entry,
                                  ArrayRef<HostTensor> inputs) {
  if (inputs.size() != entry.args.size())
    return makeError("function '" + entry.name + "' takes " +
                     llvm::Twine(entry.args.size()) + " input" +
                     (entry.args.size() == 1 ? "" : "s") + ", got " +
                     llvm::Twine(inputs.size()) +
                     " (signature: " + entry.str() + ")");
  std::string problems;
  auto report = [&](size_t i, const llvm::Twine &what) {
    if (!problems.empty())
      problems += '\n';
    problems += ("argument " + llvm::Twine(i) + " ('" + entry.args[i].name +
                 "'): " + what)
                    .str();
  };
  for (auto [i, pair] : llvm::enumerate(llvm::zip(entry.args, inputs))) {
    const auto &[arg, input] = pair;
    if (input.getElementType() != arg.elementType) {
      report(i, "expected element type " +
                    stringifyElementType(arg.elementType) + ", got " +
                    stringifyElementType(input.getElementType()));
      continue;
    }
    if (input.getRank() != arg.getRank()) {
      report(i, "expected rank " + llvm::Twine(arg.getRank()) + " (" +
                    arg.str() + "), got rank " + llvm::Twine(input.getRank()) +
                    " (" + input.getTypeString() + ")");
      continue;
    }
    for (auto [d, pair2] :
         llvm::enumerate(llvm::zip(arg.shape, input.getShape()))) {
      auto [expected, actual] = pair2;
      if (expected != kDynamicDim && expected != actual)
        report(i, "expected dimension " + llvm::Twine(d) + " to be " +
                      llvm::Twine(expected) + ", got " + llvm::Twine(actual) +
                      " (" + arg.str() + " vs " + input.getTypeString() + ")");
    }
  }
  if (!problems.empty())
    return makeError(problems);
  return Error::success();
}

/// Copies a strided buffer into a fresh row-major tensor.
static Expected<HostTensor> copyStrided(ElementType type,
                                        ArrayRef<int64_t> sizes,
                                        ArrayRef<int64_t> strides,
                                        const char *base) {
  Expected<HostTensor> tensor = HostTensor::allocate(type, sizes);
  if (!tensor)
    return tensor.takeError();
  size_t elementSize = getElementByteSize(type);
  char *out = static_cast<char *>(tensor->getData());
  int64_t n = tensor->getNumElements();
  SmallVector<int64_t> index(sizes.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t offset = 0;
    for (auto [idx, stride] : llvm::zip(index, strides))
      offset += idx * stride;
    std::memcpy(out + i * elementSize, base + offset * elementSize,
                elementSize);
    for (int d = int(sizes.size()) - 1; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
  return tensor;
}

Expected<CompiledModule::PreparedCall>
CompiledModule::prepare(const EntrySignature &entry,
                        ArrayRef<HostTensor> inputs) {
  if (!entry.prepared)
    return makeError("'" + entry.name + "' has no weight-preparation form");
  if (Error e = checkInputs(entry, inputs))
    return std::move(e);
  const PreparedEntry &form = *entry.prepared;
  Expected<const EntrySignature *> prepareEntry = lookupFunction(form.prepare);
  if (!prepareEntry)
    return prepareEntry.takeError();
  Expected<const EntrySignature *> runEntry = lookupFunction(form.run);
  if (!runEntry)
    return runEntry.takeError();
  SmallVector<HostTensor, 4> weights;
  for (int64_t i : form.weights)
    weights.push_back(inputs[i]);
  auto prepared = call(**prepareEntry, weights);
  if (!prepared)
    return prepared.takeError();
  PreparedCall result;
  result.entry = *runEntry;
  for (int64_t i : form.inputs)
    result.args.push_back(inputs[i]);
  result.args.append(prepared->begin(), prepared->end());
  return result;
}

Expected<SmallVector<HostTensor, 1>>
CompiledModule::call(const EntrySignature &entry, ArrayRef<HostTensor> inputs) {
  auto fn = packedEntries.find(entry.name);
  if (fn == packedEntries.end())
    return makeError("no function '" + entry.name + "' in the module");
  if (Error e = checkInputs(entry, inputs))
    return std::move(e);

  // Descriptors: allocated, aligned, offset, sizes[rank], strides[rank], all
  // 64-bit words.
  std::vector<std::vector<int64_t>> descriptors;
  SmallVector<void *> args;
  for (const HostTensor &input : inputs) {
    std::vector<int64_t> &d = descriptors.emplace_back();
    auto data = reinterpret_cast<int64_t>(input.getData());
    d = {data, data, 0};
    ArrayRef<int64_t> shape = input.getShape();
    d.insert(d.end(), shape.begin(), shape.end());
    SmallVector<int64_t> strides(shape.size(), 1);
    for (int i = int(shape.size()) - 2; i >= 0; --i)
      strides[i] = strides[i + 1] * shape[i + 1];
    d.insert(d.end(), strides.begin(), strides.end());
    args.push_back(d.data());
  }
  size_t resultWords = 0;
  for (const TensorSignature &r : entry.results)
    resultWords += 3 + 2 * r.getRank();
  std::vector<int64_t> resultBuffer(std::max<size_t>(resultWords, 1), 0);
  args.push_back(resultBuffer.data());

  fn->second(args.data());
  // The kernel runtime records the first failure of the call (no driver, a
  // kernel fault, out of memory) and skips the GPU work after it; its
  // results are then meaningless and freed below.
  const char *deviceError = takeDeviceError ? takeDeviceError() : nullptr;

  // Take over every result buffer first, so that all of them are freed even
  // if one turns out to be malformed.
  llvm::DenseMap<void *, std::shared_ptr<void>> owners;
  size_t w = 0;
  SmallVector<size_t> starts;
  for (const TensorSignature &r : entry.results) {
    starts.push_back(w);
    void *allocated = reinterpret_cast<void *>(resultBuffer[w]);
    if (allocated && !owners.count(allocated))
      owners[allocated] = std::shared_ptr<void>(allocated, std::free);
    w += 3 + 2 * r.getRank();
  }

  if (deviceError)
    return makeError("'" + entry.name + "' failed on the GPU: " + deviceError);

  SmallVector<HostTensor, 1> results;
  for (auto [i, r] : llvm::enumerate(entry.results)) {
    const int64_t *d = resultBuffer.data() + starts[i];
    void *allocated = reinterpret_cast<void *>(d[0]);
    char *aligned = reinterpret_cast<char *>(d[1]);
    int64_t offset = d[2];
    ArrayRef<int64_t> sizes(d + 3, r.getRank());
    ArrayRef<int64_t> strides(d + 3 + r.getRank(), r.getRank());
    int64_t n = 1;
    for (auto [dim, size] : llvm::enumerate(sizes)) {
      if (size < 0 || (r.shape[dim] != kDynamicDim && r.shape[dim] != size))
        return makeError("result " + llvm::Twine(i) + " of '" + entry.name +
                         "' has dimension " + llvm::Twine(dim) + " = " +
                         llvm::Twine(size) + ", its signature says " + r.str());
      n *= size;
    }
    if (n > 0 && (!allocated || !aligned))
      return makeError("result " + llvm::Twine(i) + " of '" + entry.name +
                       "' has no buffer");
    size_t elementSize = getElementByteSize(r.elementType);
    char *base = aligned ? aligned + offset * int64_t(elementSize) : nullptr;

    bool rowMajor = true;
    int64_t expected = 1;
    for (int dim = int(sizes.size()) - 1; dim >= 0; --dim) {
      if (sizes[dim] > 1 && strides[dim] != expected)
        rowMajor = false;
      expected *= sizes[dim];
    }
    if (n == 0 || !rowMajor) {
      Expected<HostTensor> copy =
          copyStrided(r.elementType, sizes, strides, base);
      if (!copy)
        return copy.takeError();
      results.push_back(std::move(*copy));
    } else {
      results.push_back(
          HostTensor::wrap(r.elementType, sizes, owners[allocated], base));
    }
  }
  return results;
}

Expected<SmallVector<HostTensor, 1>>
CompiledModule::call(StringRef name, ArrayRef<HostTensor> inputs) {
  Expected<const EntrySignature *> entry = lookupFunction(name);
  if (!entry)
    return entry.takeError();
  return call(**entry, inputs);
}
