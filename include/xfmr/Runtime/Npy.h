//===- Npy.h - NumPy .npy files as host tensors -----------------*- C++ -*-===//
//
// Reads NumPy format versions 1, 2 and 3 (little-endian, C order) with the
// dtypes '<f4', '<f2', '<i4' and '<i8', and writes version 1 (version 2 when
// the header needs it). Everything read is validated before any allocation:
// bad magic or headers, Fortran order, unknown or big-endian dtypes,
// overflowing shapes and truncated or oversized data are errors naming the
// file. NumPy has no bfloat16, so bf16 tensors are written widened (exactly)
// to '<f4'.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_RUNTIME_NPY_H
#define XFMR_RUNTIME_NPY_H

#include "xfmr/Runtime/Tensor.h"

#include "llvm/Support/Error.h"

#include <string>

namespace mlir::xfmr {

/// Parses the bytes of an .npy file; `name` (a path) is used in errors.
llvm::Expected<HostTensor> parseNpy(llvm::StringRef bytes,
                                    llvm::StringRef name);
llvm::Expected<HostTensor> readNpyFile(llvm::StringRef path);

/// The bytes of an .npy file holding `tensor`.
std::string serializeNpy(const HostTensor &tensor);
llvm::Error writeNpyFile(const HostTensor &tensor, llvm::StringRef path);

} // namespace mlir::xfmr

#endif // XFMR_RUNTIME_NPY_H
