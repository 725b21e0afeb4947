//===- CudaDriver.cpp - the CUDA driver API, loaded at run time -----------===//
//
// dlopen()s libcuda.so.1 and resolves each entry point by the symbol that
// cuda.h maps its name to (cuMemAlloc is cuMemAlloc_v2, ...), so that no
// CUDA header or library is needed to build xfmr.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Runtime/CudaDriver.h"

#include "llvm/ADT/Twine.h"

#include <dlfcn.h>

using namespace mlir::xfmr;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

namespace {
using CUresult = int;
using CUdevice = int;
// CUdevice_attribute values from cuda.h.
constexpr int kComputeCapabilityMajor = 75;
constexpr int kComputeCapabilityMinor = 76;
// CU_MEM_ATTACH_GLOBAL: the memory is accessible from any stream.
constexpr unsigned kMemAttachGlobal = 1;

Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}
} // namespace

struct CudaDriver::EntryPoints {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CudaContext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CudaContext);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuModuleLoadData)(CudaModule *, const void *);
  CUresult (*cuModuleUnload)(CudaModule);
  CUresult (*cuModuleGetFunction)(CudaFunction *, CudaModule, const char *);
  CUresult (*cuLaunchKernel)(CudaFunction, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, unsigned, CudaStream,
                             void **, void **);
  CUresult (*cuMemAlloc)(CudaDevicePtr *, size_t);
  CUresult (*cuMemAllocManaged)(CudaDevicePtr *, size_t, unsigned);
  CUresult (*cuMemFree)(CudaDevicePtr);
  CUresult (*cuMemcpyHtoD)(CudaDevicePtr, const void *, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CudaDevicePtr, size_t);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
};

CudaDriver::CudaDriver(void *handle, std::unique_ptr<EntryPoints> entries)
    : handle(handle), entries(std::move(entries)) {}

CudaDriver::~CudaDriver() {
  if (handle)
    dlclose(handle);
}

Expected<std::unique_ptr<CudaDriver>> CudaDriver::load(StringRef library) {
  std::string name = library.str();
  void *handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *reason = dlerror();
    return makeError("no CUDA driver (" + library + " not found)" +
                     (reason ? llvm::Twine(": ") + reason : llvm::Twine()));
  }
  auto entries = std::make_unique<EntryPoints>();
  const char *missing = nullptr;
  auto resolve = [&](auto &entry, const char *symbol) {
    void *address = dlsym(handle, symbol);
    if (!address && !missing)
      missing = symbol;
    entry = reinterpret_cast<std::remove_reference_t<decltype(entry)>>(address);
  };
  resolve(entries->cuInit, "cuInit");
  resolve(entries->cuDeviceGetCount, "cuDeviceGetCount");
  resolve(entries->cuDeviceGet, "cuDeviceGet");
  resolve(entries->cuDeviceGetName, "cuDeviceGetName");
  resolve(entries->cuDeviceGetAttribute, "cuDeviceGetAttribute");
  resolve(entries->cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  resolve(entries->cuCtxSetCurrent, "cuCtxSetCurrent");
  resolve(entries->cuCtxSynchronize, "cuCtxSynchronize");
  resolve(entries->cuModuleLoadData, "cuModuleLoadData");
  resolve(entries->cuModuleUnload, "cuModuleUnload");
  resolve(entries->cuModuleGetFunction, "cuModuleGetFunction");
  resolve(entries->cuLaunchKernel, "cuLaunchKernel");
  resolve(entries->cuMemAlloc, "cuMemAlloc_v2");
  resolve(entries->cuMemAllocManaged, "cuMemAllocManaged");
  resolve(entries->cuMemFree, "cuMemFree_v2");
  resolve(entries->cuMemcpyHtoD, "cuMemcpyHtoD_v2");
  resolve(entries->cuMemcpyDtoH, "cuMemcpyDtoH_v2");
  resolve(entries->cuGetErrorName, "cuGetErrorName");
  resolve(entries->cuGetErrorString, "cuGetErrorString");
  if (missing) {
    dlclose(handle);
    return makeError(library + " has no " + missing +
                     ": the CUDA driver is too old or not a CUDA driver");
  }
  return std::unique_ptr<CudaDriver>(
      new CudaDriver(handle, std::move(entries)));
}

Error CudaDriver::check(int result, const llvm::Twine &what) const {
  if (result == 0)
    return Error::success();
  const char *name = nullptr, *text = nullptr;
  if (entries->cuGetErrorName(result, &name) != 0)
    name = nullptr;
  if (entries->cuGetErrorString(result, &text) != 0)
    text = nullptr;
  return makeError(
      what + " failed: " +
      (name ? llvm::Twine(name) : "CUDA error " + llvm::Twine(result)) +
      (text ? llvm::Twine(": ") + text : llvm::Twine()));
}

Error CudaDriver::initialize(int ordinal) {
  if (Error e = check(entries->cuInit(0), "cuInit"))
    return e;
  CUdevice device;
  if (Error e = check(entries->cuDeviceGet(&device, ordinal), "cuDeviceGet"))
    return e;
  CudaContext context;
  if (Error e = check(entries->cuDevicePrimaryCtxRetain(&context, device),
                      "cuDevicePrimaryCtxRetain"))
    return e;
  return check(entries->cuCtxSetCurrent(context), "cuCtxSetCurrent");
}

Expected<int> CudaDriver::getDeviceCount() {
  int count = 0;
  if (Error e = check(entries->cuDeviceGetCount(&count), "cuDeviceGetCount"))
    return std::move(e);
  return count;
}

Expected<std::string> CudaDriver::describeDevice(int ordinal) {
  CUdevice device;
  if (Error e = check(entries->cuDeviceGet(&device, ordinal), "cuDeviceGet"))
    return std::move(e);
  char name[256] = {0};
  if (Error e = check(entries->cuDeviceGetName(name, sizeof(name), device),
                      "cuDeviceGetName"))
    return std::move(e);
  int major = 0, minor = 0;
  if (Error e = check(entries->cuDeviceGetAttribute(
                          &major, kComputeCapabilityMajor, device),
                      "cuDeviceGetAttribute"))
    return std::move(e);
  if (Error e = check(entries->cuDeviceGetAttribute(
                          &minor, kComputeCapabilityMinor, device),
                      "cuDeviceGetAttribute"))
    return std::move(e);
  return (llvm::Twine(name) + " (sm_" + llvm::Twine(major) +
          llvm::Twine(minor) + ")")
      .str();
}

Expected<CudaModule> CudaDriver::loadModule(StringRef image) {
  // cuModuleLoadData reads PTX as a NUL-terminated string.
  std::string copy = image.str();
  CudaModule module = nullptr;
  if (Error e = check(entries->cuModuleLoadData(&module, copy.c_str()),
                      "cuModuleLoadData"))
    return std::move(e);
  return module;
}

Error CudaDriver::unloadModule(CudaModule module) {
  return check(entries->cuModuleUnload(module), "cuModuleUnload");
}

Expected<CudaFunction> CudaDriver::getFunction(CudaModule module,
                                               StringRef name) {
  std::string symbol = name.str();
  CudaFunction function = nullptr;
  if (Error e =
          check(entries->cuModuleGetFunction(&function, module, symbol.c_str()),
                "cuModuleGetFunction('" + name + "')"))
    return std::move(e);
  return function;
}

Error CudaDriver::launch(CudaFunction function, const unsigned grid[3],
                         const unsigned block[3], unsigned sharedMemoryBytes,
                         CudaStream stream, void **params) {
  return check(entries->cuLaunchKernel(function, grid[0], grid[1], grid[2],
                                       block[0], block[1], block[2],
                                       sharedMemoryBytes, stream, params,
                                       /*extra=*/nullptr),
               "cuLaunchKernel");
}

Expected<CudaDevicePtr> CudaDriver::allocate(size_t bytes) {
  CudaDevicePtr pointer = 0;
  if (Error e = check(entries->cuMemAlloc(&pointer, bytes), "cuMemAlloc"))
    return std::move(e);
  return pointer;
}

Expected<CudaDevicePtr> CudaDriver::allocateManaged(size_t bytes) {
  CudaDevicePtr pointer = 0;
  if (Error e =
          check(entries->cuMemAllocManaged(&pointer, bytes, kMemAttachGlobal),
                "cuMemAllocManaged"))
    return std::move(e);
  return pointer;
}

Error CudaDriver::free(CudaDevicePtr pointer) {
  return check(entries->cuMemFree(pointer), "cuMemFree");
}

Error CudaDriver::copyToDevice(CudaDevicePtr dst, const void *src,
                               size_t bytes) {
  return check(entries->cuMemcpyHtoD(dst, src, bytes), "cuMemcpyHtoD");
}

Error CudaDriver::copyToHost(void *dst, CudaDevicePtr src, size_t bytes) {
  return check(entries->cuMemcpyDtoH(dst, src, bytes), "cuMemcpyDtoH");
}

Error CudaDriver::synchronize() {
  return check(entries->cuCtxSynchronize(), "cuCtxSynchronize");
}
