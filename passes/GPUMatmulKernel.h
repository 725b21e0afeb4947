//===- GPUMatmulKernel.h - the matmul kernels of xfmr-gpu-tile-matmul -----===//
//
// xfmr-gpu-tile-matmul (passes/GPUTileMatmul.cpp) decides what a kernel
// computes: which matmul, and what happens to each finished element of C
// (added to C, or fed through a fused element-wise epilogue). The kernels
// that compute it are built here, from that description:
//   - passes/FMAMatmulKernel.cpp: f32 FMA on CUDA cores, any operand types;
//   - passes/TensorCoreMatmulKernel.cpp: mma.sync for f16 x f16 and
//     bf16 x bf16.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_PASSES_GPUMATMULKERNEL_H
#define XFMR_PASSES_GPUMATMULKERNEL_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

#include <functional>

namespace mlir::xfmr {

/// C_i[m, n] = Σ_k A[m, k] · B_i[k, n] for one or two B_i of the same shape
/// sharing A: two for a gated FFN's gate and up projections, so that A is
/// staged once for both and the gating is evaluated on the two sums in
/// registers.
struct GPUMatmulProblem {
  /// A[m][k]: rank 2, f16, bf16 or f32.
  Value a;
  /// Each B_i: rank 2, indexed B[n][k] when `bKContiguous` (the weights of
  /// nn.Linear), else B[k][n]; all of one element type.
  SmallVector<Value, 2> bs;
  bool bKContiguous = false;
  /// M, N and K, as index values on the host.
  Value m, n, k;
  /// A grouped matmul (an MoE's expert FFNs over the rows that the dispatch
  /// sorted by expert): rows [offsets[e], offsets[e + 1]) of A and C go
  /// with B_i[e], each B_i then being rank 3 with the group first. Offsets
  /// (an integer or index buffer of E + 1 entries) are clamped to [0, M]
  /// and made non-decreasing, as xfmr.grouped_gated_ffn specifies; rows
  /// outside every segment are not computed. Null: one group.
  Value offsets;
  /// E, the number of groups, on the host (with `offsets`).
  Value groups;
  /// Emits, at the builder's position inside the kernel, what becomes of
  /// the in-bounds element (row, col): `sums[i]` is Σ_k A·B_i in f32. It
  /// runs once per element, in the one thread that holds its sums, after
  /// every read of A and B.
  std::function<void(OpBuilder &, Location, Value row, Value col,
                     ArrayRef<Value> sums)>
      emitResult;
};

/// Dimension `i` of `buffer`: its static size as an attribute, else a
/// memref.dim built at the builder's position.
OpFoldResult bufferDim(OpBuilder &b, Location loc, Value buffer, int64_t i);
/// The same as an index value (a constant when static).
Value bufferDimValue(OpBuilder &b, Location loc, Value buffer, int64_t i);

/// The rows of C one block computes: [first, end), and the group whose B
/// they take (null when the matmul is not grouped). A block with no rows
/// has first == end.
struct BlockRows {
  Value first, end, group;
};

/// Blocks along x for tiles of `tileM` rows (host side): ceil(M / tileM),
/// plus one per group when grouped (each segment's last tile may be
/// partial), at least one.
Value gridRowBlocks(OpBuilder &b, Location loc, const GPUMatmulProblem &problem,
                    int64_t tileM);

/// The rows of block `blockX` (kernel side). Grouped, every thread of the
/// block walks the offsets to find the segment tile it is given, so the
/// answer is uniform across the block.
BlockRows blockRows(OpBuilder &b, Location loc, const GPUMatmulProblem &problem,
                    Value blockX, int64_t tileM);

/// Builds the kernel of `problem` at the builder's position and returns its
/// launch (the builder is left inside it): the tensor-core kernel when the
/// operands are both f16 or both bf16, else the FMA kernel.
gpu::LaunchOp buildMatmulKernel(OpBuilder &b, Location loc,
                                const GPUMatmulProblem &problem);

/// Whether the tensor-core kernel handles operands of these element types:
/// both f16 or both bf16.
bool isTensorCoreMatmul(Type aElement, Type bElement);

/// Builds the gpu.launch of the f32 FMA kernel at the builder's position
/// and returns it; the builder is left inside it.
gpu::LaunchOp buildFMAMatmulKernel(OpBuilder &b, Location loc,
                                   const GPUMatmulProblem &problem);

/// Builds the gpu.launch of the tensor-core kernel at the builder's
/// position and returns it; the operands must satisfy isTensorCoreMatmul.
gpu::LaunchOp buildTensorCoreMatmulKernel(OpBuilder &b, Location loc,
                                          const GPUMatmulProblem &problem);

} // namespace mlir::xfmr

#endif // XFMR_PASSES_GPUMATMULKERNEL_H
