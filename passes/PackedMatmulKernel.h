//===- PackedMatmulKernel.h - kernels over prepacked weights ----*- C++ -*-===//
//
// The part of xfmr-tile-and-vectorize that handles the contractions
// xfmr-pack-weights produces (see PackedMatmulKernel.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_PASSES_PACKEDMATMULKERNEL_H
#define XFMR_PASSES_PACKEDMATMULKERNEL_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::xfmr {

/// Replaces every packed-weight contraction on buffers in `func` (and the
/// element-wise op reading its accumulator, when it can be evaluated per
/// tile) by vector kernels.
void emitPackedMatmulKernels(func::FuncOp func);

} // namespace mlir::xfmr

#endif // XFMR_PASSES_PACKEDMATMULKERNEL_H
