//===- LoweringUtils.h - building blocks of the xfmr -> linalg lowering ---===//
//
// Small builders shared by the xfmr-to-linalg patterns: empty/filled tensors
// with dynamic sizes, f32 compute around f16/bf16 storage, element-wise and
// contraction linalg ops, and the activation functions.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_PASSES_CONVERSION_XFMRTOLINALG_LOWERINGUTILS_H
#define XFMR_PASSES_CONVERSION_XFMRTOLINALG_LOWERINGUTILS_H

#include "dialects/xfmr/XfmrOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace mlir::xfmr {

/// The sizes of `value` (a ranked tensor), static where known.
SmallVector<OpFoldResult> getSizes(OpBuilder &b, Location loc, Value value);

/// `tensor.empty` of the given sizes and element type.
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                  Type elementType);

/// `tensor.empty` + `linalg.fill` with `value` (a scalar of the element type).
Value filledTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                   Value value);

/// A float constant of type `type`.
Value floatConst(OpBuilder &b, Location loc, Type type, double value);

/// Extends an f16/bf16 scalar to f32; f32 passes through.
Value toF32(OpBuilder &b, Location loc, Value scalar);

/// Converts an f32 scalar to the storage type `type` (f32, f16 or bf16).
Value fromF32(OpBuilder &b, Location loc, Value scalar, Type type);

/// `act(x)` on an f32 scalar.
Value buildActivation(OpBuilder &b, Location loc, ActivationKind kind, Value x);

/// A parallel `linalg.generic` over the shape of `init` whose inputs are
/// indexed by `inputMaps` (the output by the identity). `body` receives the
/// input scalars and returns the output scalar.
Value buildElementwise(
    OpBuilder &b, Location loc, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps, Value init,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body);

/// A `linalg.generic` with the given maps (inputs first, then the single
/// output `init`) and iterators. `body` receives the input scalars followed
/// by the current output value and returns the new output value.
Value buildGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                   ArrayRef<AffineMap> maps,
                   ArrayRef<utils::IteratorType> iterators, Value init,
                   function_ref<Value(OpBuilder &, Location, ValueRange)> body);

/// `value` cast to `type` with tensor.cast when the static information
/// differs (same shape, one of them more static).
Value castIfNeeded(OpBuilder &b, Location loc, Value value, Type type);

/// The f32 value of an index.
Value indexToF32(OpBuilder &b, Location loc, Value index);

/// `C[M, N] = A[M, K] · B[N, K]ᵀ` accumulated in f32 (A and B may be f16 or
/// bf16), as a `linalg.matmul` with transposed-B indexing maps.
Value buildMatmulTransposeB(OpBuilder &b, Location loc, Value a, Value bT);

/// Collapses `x[..., K]` to `[M, K]`; a rank-1 `x` becomes `[1, K]`.
Value collapseToMatrix(OpBuilder &b, Location loc, Value x);

/// Expands `y[M, N]` back to the leading dimensions of `like[..., K]`,
/// giving `[..., N]`.
Value expandFromMatrix(OpBuilder &b, Location loc, Value y, Value like);

/// Expert `expert` ([A, B]) of a stacked weight `[E, A, B]`.
Value extractExpertSlice(OpBuilder &b, Location loc, Value stacked,
                         OpFoldResult expert);

/// The map `(d0, ..., d{numDims-1}) -> (d{dims[0]}, d{dims[1]}, ...)`.
AffineMap dimsMap(MLIRContext *ctx, unsigned numDims, ArrayRef<unsigned> dims);

/// Index constant.
Value indexConst(OpBuilder &b, Location loc, int64_t value);

} // namespace mlir::xfmr

#endif // XFMR_PASSES_CONVERSION_XFMRTOLINALG_LOWERINGUTILS_H
