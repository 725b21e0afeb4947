//===- CudaKernelRuntime.cpp - the mgpu* calls of compiled GPU modules ----===//
//
// The host code that the GPU pipeline generates (gpu-to-llvm) calls a small
// set of `mgpu*` functions to load its kernels, allocate memory, copy and
// launch. This file implements them over the CUDA driver API, which it
// loads with dlopen() on first use, and is linked into every shared library
// that `xfmr-compile --target=cuda --emit=shared` produces. A compiled GPU
// module therefore needs neither CUDA headers nor libcuda at build or link
// time, and loads on a machine without a driver.
//
// The generated host code has no error path: these functions return
// nothing useful on failure. Instead, the first failure is recorded, every
// later launch and copy is skipped, allocations fall back to zeroed host
// memory (so that host code reading device results, such as the expert
// segment bounds of the MoE lowering, reads zeros rather than a null
// pointer), and the runtime that called the entry point collects the error
// through `xfmr_cuda_take_error()` after the call (CompiledModule::call).
// With XFMR_CUDA_PROFILE=1 every launch is timed (see KernelProfile).
//
// Deliberately free of LLVM and of the C++ runtime library (libstdc++): it
// is linked into user libraries by a C compiler driver.
//
//===----------------------------------------------------------------------===//

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <pthread.h>

namespace {
using CUresult = int;
using CUdevice = int;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
using CUdeviceptr = unsigned long long;

// Values from cuda.h.
constexpr unsigned kMemAttachGlobal = 1;
constexpr unsigned kStreamNonBlocking = 1;
constexpr int kPointerMemoryType = 2; // CU_POINTER_ATTRIBUTE_MEMORY_TYPE
constexpr int kPointerIsManaged = 8;  // CU_POINTER_ATTRIBUTE_IS_MANAGED
constexpr unsigned kMemoryTypeDevice = 2;
constexpr int kJitOptimizationLevel = 7;  // CU_JIT_OPTIMIZATION_LEVEL
constexpr int kJitErrorLogBuffer = 5;     // CU_JIT_ERROR_LOG_BUFFER
constexpr int kJitErrorLogBufferSize = 6; // CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES

struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *,
                                 void **);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpy)(CUdeviceptr, CUdeviceptr, size_t);
  CUresult (*cuMemsetD32)(CUdeviceptr, unsigned, size_t);
  CUresult (*cuMemsetD16)(CUdeviceptr, unsigned short, size_t);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuEventCreate)(void **, unsigned);
  CUresult (*cuEventRecord)(void *, CUstream);
  CUresult (*cuEventSynchronize)(void *);
  CUresult (*cuEventElapsedTime)(float *, void *, void *);
  CUresult (*cuPointerGetAttribute)(void *, int, CUdeviceptr);
};

// One lock for the driver state; plain pthreads, since this file is linked
// into libraries built without the C++ runtime.
pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
struct Lock {
  Lock() { pthread_mutex_lock(&mutex); }
  ~Lock() { pthread_mutex_unlock(&mutex); }
};
Driver driver;
bool driverReady = false;
bool driverTried = false;
// The stream every launch of this module runs on: the generated code
// creates and destroys one per launch, which would cost a driver round trip
// each time; launches are synchronous, so one stream serves all.
CUstream sharedStream = nullptr;
char pendingError[1024];
bool errorPending = false;

// Host blocks handed out in place of device memory after a failure, so that
// mgpuMemFree can tell them apart. Few ever exist (one call's buffers).
constexpr int kMaxFallbacks = 256;
void *fallbacks[kMaxFallbacks];
int numFallbacks = 0;

void recordError(const char *format, ...) {
  if (errorPending)
    return;
  errorPending = true;
  va_list args;
  va_start(args, format);
  vsnprintf(pendingError, sizeof(pendingError), format, args);
  va_end(args);
}

const char *describe(CUresult result) {
  static char text[256];
  const char *name = nullptr, *message = nullptr;
  if (driver.cuGetErrorName)
    driver.cuGetErrorName(result, &name);
  if (driver.cuGetErrorString)
    driver.cuGetErrorString(result, &message);
  snprintf(text, sizeof(text), "%s (%d): %s", name ? name : "CUDA error",
           result, message ? message : "no description");
  return text;
}

/// Whether `result` is success; records the failure of `what` otherwise.
bool check(CUresult result, const char *what) {
  if (result == 0)
    return true;
  recordError("%s failed: %s", what, describe(result));
  return false;
}

template <typename T> bool resolve(void *handle, T &entry, const char *name) {
  entry = reinterpret_cast<T>(dlsym(handle, name));
  if (!entry)
    recordError("the CUDA driver has no %s", name);
  return entry != nullptr;
}

/// Loads the driver and makes the first device's primary context current
/// on the calling thread. Called with `mutex` held.
bool ensureDriver() {
  if (driverReady) {
    // Contexts are per thread; the primary context is shared, so making it
    // current again is cheap.
    static thread_local bool current = false;
    if (!current) {
      CUdevice device;
      CUcontext context;
      if (!check(driver.cuDeviceGet(&device, 0), "cuDeviceGet") ||
          !check(driver.cuDevicePrimaryCtxRetain(&context, device),
                 "cuDevicePrimaryCtxRetain") ||
          !check(driver.cuCtxSetCurrent(context), "cuCtxSetCurrent"))
        return false;
      current = true;
    }
    return true;
  }
  if (driverTried)
    return false;
  driverTried = true;
  void *handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *reason = dlerror();
    recordError("no CUDA driver (libcuda.so.1 not found)%s%s",
                reason ? ": " : "", reason ? reason : "");
    return false;
  }
  bool ok =
      resolve(handle, driver.cuGetErrorName, "cuGetErrorName") &&
      resolve(handle, driver.cuGetErrorString, "cuGetErrorString") &&
      resolve(handle, driver.cuInit, "cuInit") &&
      resolve(handle, driver.cuDeviceGet, "cuDeviceGet") &&
      resolve(handle, driver.cuDevicePrimaryCtxRetain,
              "cuDevicePrimaryCtxRetain") &&
      resolve(handle, driver.cuCtxSetCurrent, "cuCtxSetCurrent") &&
      resolve(handle, driver.cuModuleLoadData, "cuModuleLoadData") &&
      resolve(handle, driver.cuModuleLoadDataEx, "cuModuleLoadDataEx") &&
      resolve(handle, driver.cuModuleUnload, "cuModuleUnload") &&
      resolve(handle, driver.cuModuleGetFunction, "cuModuleGetFunction") &&
      resolve(handle, driver.cuLaunchKernel, "cuLaunchKernel") &&
      resolve(handle, driver.cuStreamCreate, "cuStreamCreate") &&
      resolve(handle, driver.cuStreamSynchronize, "cuStreamSynchronize") &&
      // cuda.h maps these names to their _v2 symbols.
      resolve(handle, driver.cuMemAlloc, "cuMemAlloc_v2") &&
      resolve(handle, driver.cuMemAllocManaged, "cuMemAllocManaged") &&
      resolve(handle, driver.cuMemFree, "cuMemFree_v2") &&
      resolve(handle, driver.cuMemcpy, "cuMemcpy") &&
      resolve(handle, driver.cuMemsetD32, "cuMemsetD32_v2") &&
      resolve(handle, driver.cuMemsetD16, "cuMemsetD16_v2") &&
      resolve(handle, driver.cuEventCreate, "cuEventCreate") &&
      resolve(handle, driver.cuEventRecord, "cuEventRecord") &&
      resolve(handle, driver.cuEventSynchronize, "cuEventSynchronize") &&
      resolve(handle, driver.cuEventElapsedTime, "cuEventElapsedTime");
  if (!ok || !check(driver.cuInit(0), "cuInit"))
    return false;
  driverReady = true;
  return ensureDriver();
}

bool ready() { return !errorPending && ensureDriver(); }

// XFMR_CUDA_PROFILE=1: every launch is timed with driver events and the
// totals per kernel are printed to stderr when the module is unloaded, so
// that kernel time can be told apart from the copies at the entry points.
struct KernelProfile {
  CUfunction function;
  char name[128];
  long launches;
  double milliseconds;
};
constexpr int kMaxProfiled = 512;
KernelProfile profiles[kMaxProfiled];
int numProfiles = 0;
void *profileStart = nullptr, *profileStop = nullptr;

bool profiling() {
  static int enabled = -1;
  if (enabled < 0) {
    const char *env = getenv("XFMR_CUDA_PROFILE");
    enabled = env && *env && strcmp(env, "0") != 0;
  }
  return enabled;
}

KernelProfile *profileOf(CUfunction function) {
  for (int i = 0; i < numProfiles; ++i)
    if (profiles[i].function == function)
      return &profiles[i];
  return nullptr;
}

void printProfile() {
  if (!numProfiles)
    return;
  double total = 0;
  for (int i = 0; i < numProfiles; ++i)
    total += profiles[i].milliseconds;
  fprintf(stderr, "xfmr-cuda-profile: %d kernels, %.4f ms in all\n",
          numProfiles, total);
  for (int i = 0; i < numProfiles; ++i)
    fprintf(stderr,
            "xfmr-cuda-profile: %-48s %8ld launches %12.4f ms %10.2f us "
            "each\n",
            profiles[i].name, profiles[i].launches, profiles[i].milliseconds,
            1e3 * profiles[i].milliseconds / profiles[i].launches);
}

void *fallbackAlloc(uint64_t bytes) {
  void *block = calloc(1, bytes ? bytes : 1);
  if (block && numFallbacks < kMaxFallbacks)
    fallbacks[numFallbacks++] = block;
  return block;
}

bool releaseFallback(void *pointer) {
  for (int i = 0; i < numFallbacks; ++i)
    if (fallbacks[i] == pointer) {
      fallbacks[i] = fallbacks[--numFallbacks];
      free(pointer);
      return true;
    }
  return false;
}
} // namespace

// Only xfmr_cuda_take_error is exported: two GPU modules in one process keep
// their own runtime state.
#define XFMR_EXPORT extern "C" __attribute__((visibility("default")))
#define XFMR_INTERNAL extern "C" __attribute__((visibility("hidden")))

/// The first error since the last call, or null; clears it. The text is
/// valid until the next call into this module.
XFMR_EXPORT const char *xfmr_cuda_take_error() {
  Lock lock;
  static char taken[sizeof(pendingError)];
  if (!errorPending)
    return nullptr;
  memcpy(taken, pendingError, sizeof(taken));
  errorPending = false;
  // A missing driver stays missing: report it again on the next call.
  if (!driverReady)
    driverTried = false;
  return taken;
}

// The module's kernels, embedded as PTX by gpu-module-to-binary: loaded
// from a global constructor when the library is loaded. A failure here is
// reported at the first call.
// Why the kernels could not be loaded, repeated by every later call (the
// first call's error is taken and cleared like any other).
static char loadFailure[sizeof(pendingError)];

static void *failLoad() {
  snprintf(loadFailure, sizeof(loadFailure), "%s",
           errorPending ? pendingError : "unknown error");
  return nullptr;
}

XFMR_INTERNAL void *mgpuModuleLoadJIT(void *data, int /*llvmOptLevel*/) {
  Lock lock;
  if (!ensureDriver())
    return failLoad();
  char log[8192] = {0};
  int options[] = {kJitOptimizationLevel, kJitErrorLogBuffer,
                   kJitErrorLogBufferSize};
  // The argument is the LLVM optimisation level the PTX was made with;
  // ptxas's own highest level (its default) applies to the assembly.
  void *values[] = {reinterpret_cast<void *>(static_cast<intptr_t>(4)), log,
                    reinterpret_cast<void *>(sizeof(log))};
  CUmodule module = nullptr;
  CUresult result =
      driver.cuModuleLoadDataEx(&module, data, 3, options, values);
  if (result != 0) {
    recordError("loading the kernels (PTX JIT) failed: %s%s%s",
                describe(result), log[0] ? "\n" : "", log);
    return failLoad();
  }
  return module;
}

XFMR_INTERNAL void *mgpuModuleLoad(void *data, size_t /*size*/) {
  Lock lock;
  if (!ensureDriver())
    return failLoad();
  CUmodule module = nullptr;
  if (!check(driver.cuModuleLoadData(&module, data), "loading the kernels"))
    return failLoad();
  return module;
}

XFMR_INTERNAL void mgpuModuleUnload(void *module) {
  Lock lock;
  if (profiling())
    printProfile();
  if (module && driverReady)
    driver.cuModuleUnload(module);
}

XFMR_INTERNAL void *mgpuModuleGetFunction(void *module, const char *name) {
  Lock lock;
  if (!module) {
    recordError("the kernels were not loaded with the library: %s",
                loadFailure);
    return nullptr;
  }
  if (!ready())
    return nullptr;
  CUfunction function = nullptr;
  if (driver.cuModuleGetFunction(&function, module, name) != 0) {
    recordError("the kernels have no function %s", name);
    return nullptr;
  }
  if (profiling() && !profileOf(function) && numProfiles < kMaxProfiled) {
    KernelProfile &profile = profiles[numProfiles++];
    profile.function = function;
    snprintf(profile.name, sizeof(profile.name), "%s", name);
  }
  return function;
}

XFMR_INTERNAL void *mgpuStreamCreate() {
  Lock lock;
  if (!ready())
    return nullptr;
  if (!sharedStream)
    check(driver.cuStreamCreate(&sharedStream, kStreamNonBlocking),
          "cuStreamCreate");
  return sharedStream;
}

XFMR_INTERNAL void mgpuStreamDestroy(void *) {}

XFMR_INTERNAL void mgpuStreamSynchronize(void *stream) {
  Lock lock;
  if (!stream || !ready())
    return;
  check(driver.cuStreamSynchronize(stream), "a kernel");
}

XFMR_INTERNAL void mgpuLaunchKernel(void *function, intptr_t gridX,
                                    intptr_t gridY, intptr_t gridZ,
                                    intptr_t blockX, intptr_t blockY,
                                    intptr_t blockZ, int32_t smem, void *stream,
                                    void **params, void ** /*extra*/,
                                    size_t /*paramsCount*/) {
  Lock lock;
  if (!function || !ready())
    return;
  // An empty grid (no tokens) launches nothing; the driver would reject it.
  if (gridX <= 0 || gridY <= 0 || gridZ <= 0)
    return;
  if (gridY > 65535 || gridZ > 65535 || gridX > 0x7fffffff) {
    recordError("a kernel's grid (%ld, %ld, %ld) exceeds the device's limits",
                (long)gridX, (long)gridY, (long)gridZ);
    return;
  }
  KernelProfile *profile = profiling() ? profileOf(function) : nullptr;
  if (profile && !profileStart &&
      (!check(driver.cuEventCreate(&profileStart, 0), "cuEventCreate") ||
       !check(driver.cuEventCreate(&profileStop, 0), "cuEventCreate")))
    return;
  if (profile)
    driver.cuEventRecord(profileStart, stream);
  if (!check(driver.cuLaunchKernel(function, gridX, gridY, gridZ, blockX,
                                   blockY, blockZ, smem, stream, params,
                                   nullptr),
             "launching a kernel") ||
      !profile)
    return;
  float milliseconds = 0;
  driver.cuEventRecord(profileStop, stream);
  if (check(driver.cuEventSynchronize(profileStop), "a kernel") &&
      driver.cuEventElapsedTime(&milliseconds, profileStart, profileStop) ==
          0) {
    profile->launches += 1;
    profile->milliseconds += milliseconds;
  }
}

/// Whether kernels can read `address` in place: device or managed memory
/// of the driver (the entry points then skip copying that argument). Plain
/// host memory, which the driver does not know, answers no.
XFMR_INTERNAL bool xfmr_cuda_is_device_memory(uint64_t address) {
  Lock lock;
  if (!address || !ready())
    return false;
  unsigned type = 0, managed = 0;
  if (driver.cuPointerGetAttribute(&managed, kPointerIsManaged, address) == 0 &&
      managed)
    return true;
  return driver.cuPointerGetAttribute(&type, kPointerMemoryType, address) ==
             0 &&
         type == kMemoryTypeDevice;
}

XFMR_INTERNAL void *mgpuMemAlloc(uint64_t bytes, void * /*stream*/,
                                 bool hostShared) {
  Lock lock;
  if (!ready())
    return fallbackAlloc(bytes);
  CUdeviceptr pointer = 0;
  // The driver rejects empty allocations; an empty tensor still needs a
  // distinct address.
  size_t size = bytes ? bytes : 1;
  CUresult result =
      hostShared ? driver.cuMemAllocManaged(&pointer, size, kMemAttachGlobal)
                 : driver.cuMemAlloc(&pointer, size);
  if (!check(result, "allocating device memory"))
    return fallbackAlloc(bytes);
  return reinterpret_cast<void *>(pointer);
}

XFMR_INTERNAL void mgpuMemFree(void *pointer, void * /*stream*/) {
  Lock lock;
  if (!pointer || releaseFallback(pointer) || !driverReady)
    return;
  check(driver.cuMemFree(reinterpret_cast<CUdeviceptr>(pointer)),
        "freeing device memory");
}

XFMR_INTERNAL void mgpuMemcpy(void *dst, void *src, size_t bytes,
                              void * /*stream*/) {
  Lock lock;
  if (!bytes || !ready())
    return;
  // Unified addressing: the driver tells host from device pointers.
  check(driver.cuMemcpy(reinterpret_cast<CUdeviceptr>(dst),
                        reinterpret_cast<CUdeviceptr>(src), bytes),
        "copying memory");
}

XFMR_INTERNAL void mgpuMemset32(void *dst, unsigned value, size_t count,
                                void * /*stream*/) {
  Lock lock;
  if (!count || !ready())
    return;
  check(driver.cuMemsetD32(reinterpret_cast<CUdeviceptr>(dst), value, count),
        "setting memory");
}

XFMR_INTERNAL void mgpuMemset16(void *dst, unsigned short value, size_t count,
                                void * /*stream*/) {
  Lock lock;
  if (!count || !ready())
    return;
  check(driver.cuMemsetD16(reinterpret_cast<CUdeviceptr>(dst), value, count),
        "setting memory");
}
