//===- CudaDriver.h - the CUDA driver API, loaded at run time ---*- C++ -*-===//
//
// The few CUDA driver entry points the GPU runtime needs, resolved from
// libcuda.so.1 with dlopen when first asked for, so that xfmr builds, and
// its CPU paths run, on machines without an NVIDIA driver. No CUDA header is
// needed: the handles are declared here with the driver's ABI. Every call
// returns errors as values carrying the driver's name and description of
// the error (cuGetErrorName / cuGetErrorString).
//
//   auto driver = CudaDriver::load();
//   if (!driver) ...   // "no CUDA driver (libcuda.so.1 not found): ..."
//   if (Error e = (*driver)->initialize(0)) ...
//   auto module = (*driver)->loadModule(cubinOrPtx);
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_RUNTIME_CUDADRIVER_H
#define XFMR_RUNTIME_CUDADRIVER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace mlir::xfmr {

/// The driver's opaque handles (CUcontext, CUmodule, CUfunction, CUstream)
/// and device pointers, with the ABI of cuda.h.
using CudaContext = struct CUctx_st *;
using CudaModule = struct CUmod_st *;
using CudaFunction = struct CUfunc_st *;
using CudaStream = struct CUstream_st *;
using CudaDevicePtr = uint64_t;

class CudaDriver {
public:
  ~CudaDriver();
  CudaDriver(const CudaDriver &) = delete;
  CudaDriver &operator=(const CudaDriver &) = delete;

  /// Opens `library` (the driver, libcuda.so.1, by default) and resolves
  /// the entry points below. Fails with "no CUDA driver (libcuda.so.1 not
  /// found)" and dlopen's reason when the library is absent, or names the
  /// first missing entry point.
  static llvm::Expected<std::unique_ptr<CudaDriver>>
  load(llvm::StringRef library = "libcuda.so.1");

  /// cuInit, then makes device `ordinal`'s primary context current on the
  /// calling thread. Fails when there is no such device.
  llvm::Error initialize(int ordinal = 0);

  /// The number of CUDA devices (cuDeviceGetCount), after cuInit.
  llvm::Expected<int> getDeviceCount();

  /// The device's name and compute capability, e.g. "NVIDIA H100 (sm_90)".
  llvm::Expected<std::string> describeDevice(int ordinal);

  /// cuModuleLoadData: a cubin, or PTX (JIT-compiled by the driver).
  llvm::Expected<CudaModule> loadModule(llvm::StringRef image);
  llvm::Error unloadModule(CudaModule module);
  llvm::Expected<CudaFunction> getFunction(CudaModule module,
                                           llvm::StringRef name);

  /// cuLaunchKernel with `params` pointing at each kernel argument.
  llvm::Error launch(CudaFunction function, const unsigned grid[3],
                     const unsigned block[3], unsigned sharedMemoryBytes,
                     CudaStream stream, void **params);

  llvm::Expected<CudaDevicePtr> allocate(size_t bytes);
  /// Managed memory (cuMemAllocManaged, attached globally): the memory the
  /// GPU pipeline's host code allocates its buffers in.
  llvm::Expected<CudaDevicePtr> allocateManaged(size_t bytes);
  llvm::Error free(CudaDevicePtr pointer);
  llvm::Error copyToDevice(CudaDevicePtr dst, const void *src, size_t bytes);
  llvm::Error copyToHost(void *dst, CudaDevicePtr src, size_t bytes);
  llvm::Error synchronize();

private:
  struct EntryPoints;
  CudaDriver(void *handle, std::unique_ptr<EntryPoints> entries);

  /// Success for CUDA_SUCCESS, else an error "`what` failed: NAME: text".
  llvm::Error check(int result, const llvm::Twine &what) const;

  void *handle;
  std::unique_ptr<EntryPoints> entries;
};

} // namespace mlir::xfmr

#endif // XFMR_RUNTIME_CUDADRIVER_H
