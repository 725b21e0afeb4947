//===- mgpu-driver.cpp - the mgpu* host runtime over the CUDA driver ------===//
//
// The host code of `xfmr-compile --target=cuda --emit=llvm` calls the few
// mgpu* functions of MLIR's CUDA runtime wrappers (module load, launch,
// streams, managed allocation). This is a minimal implementation of exactly
// those over the CUDA driver API, so that the GPU checks link the compiled
// host code into a test program without MLIR's runtime library. Any driver
// error aborts with the driver's name for it: a faulting kernel shows up at
// the next stream synchronisation.
//
//===----------------------------------------------------------------------===//

#include <cuda.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

static void check(CUresult result, const char *what) {
  if (result == CUDA_SUCCESS)
    return;
  const char *name = "?";
  const char *text = "?";
  cuGetErrorName(result, &name);
  cuGetErrorString(result, &text);
  std::fprintf(stderr, "CUDA error in %s: %s (%s)\n", what, name, text);
  std::exit(2);
}

/// The device's primary context, current on the calling thread; called by
/// every entry point because the module is loaded by a global constructor.
static void ensureContext() {
  static CUcontext context = [] {
    check(cuInit(0), "cuInit");
    CUdevice device;
    check(cuDeviceGet(&device, 0), "cuDeviceGet");
    CUcontext primary;
    check(cuDevicePrimaryCtxRetain(&primary, device),
          "cuDevicePrimaryCtxRetain");
    return primary;
  }();
  check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
}

extern "C" CUmodule mgpuModuleLoadJIT(void *data, int /*optLevel*/) {
  ensureContext();
  CUmodule module;
  check(cuModuleLoadData(&module, data), "cuModuleLoadData");
  return module;
}

extern "C" CUmodule mgpuModuleLoad(void *data, size_t /*size*/) {
  return mgpuModuleLoadJIT(data, 0);
}

extern "C" void mgpuModuleUnload(CUmodule module) { cuModuleUnload(module); }

extern "C" CUfunction mgpuModuleGetFunction(CUmodule module, const char *name) {
  CUfunction function;
  check(cuModuleGetFunction(&function, module, name), name);
  return function;
}

extern "C" void mgpuLaunchKernel(CUfunction function, intptr_t gridX,
                                 intptr_t gridY, intptr_t gridZ,
                                 intptr_t blockX, intptr_t blockY,
                                 intptr_t blockZ, int32_t sharedBytes,
                                 CUstream stream, void **params, void **extra,
                                 size_t /*paramCount*/) {
  ensureContext();
  check(cuLaunchKernel(function, gridX, gridY, gridZ, blockX, blockY, blockZ,
                       sharedBytes, stream, params, extra),
        "cuLaunchKernel");
}

extern "C" CUstream mgpuStreamCreate() {
  ensureContext();
  CUstream stream;
  check(cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
  return stream;
}

extern "C" void mgpuStreamDestroy(CUstream stream) {
  check(cuStreamDestroy(stream), "cuStreamDestroy");
}

extern "C" void mgpuStreamSynchronize(CUstream stream) {
  check(cuStreamSynchronize(stream), "cuStreamSynchronize (a kernel)");
}

extern "C" void *mgpuMemAlloc(uint64_t bytes, CUstream /*stream*/,
                              bool hostShared) {
  ensureContext();
  CUdeviceptr pointer = 0;
  if (bytes == 0)
    return nullptr;
  if (hostShared)
    check(cuMemAllocManaged(&pointer, bytes, CU_MEM_ATTACH_GLOBAL),
          "cuMemAllocManaged");
  else
    check(cuMemAlloc(&pointer, bytes), "cuMemAlloc");
  return reinterpret_cast<void *>(pointer);
}

extern "C" void mgpuMemFree(void *pointer, CUstream /*stream*/) {
  if (pointer)
    check(cuMemFree(reinterpret_cast<CUdeviceptr>(pointer)), "cuMemFree");
}

/// Managed memory for the test program's own arguments.
extern "C" void *xfmrTestAllocManaged(uint64_t bytes) {
  return mgpuMemAlloc(bytes, nullptr, /*hostShared=*/true);
}
