//===- TensorCoreMatmulKernel.h - f16/bf16 matmuls on tensor cores -*- C++
//-*-===//
//
// The part of xfmr-gpu-tile-matmul that builds the tensor-core (mma.sync)
// kernel for f16 and bf16 operands (see TensorCoreMatmulKernel.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_PASSES_TENSORCOREMATMULKERNEL_H
#define XFMR_PASSES_TENSORCOREMATMULKERNEL_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::xfmr {

/// Whether the tensor-core kernel computes `op`, a matmul on buffers that
/// xfmr-gpu-tile-matmul has matched: A and B both f16 or both bf16, C f32,
/// f16 or bf16.
bool isTensorCoreMatmul(linalg::MatmulOp op);

/// Replaces `op` by a gpu.launch of the tensor-core kernel. `bKContiguous`:
/// B is indexed B[n][k] (else B[k][n]).
void emitTensorCoreMatmul(linalg::MatmulOp op, bool bKContiguous);

} // namespace mlir::xfmr

#endif // XFMR_PASSES_TENSORCOREMATMULKERNEL_H
