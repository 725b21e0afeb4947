//===- LoweringUtils.cpp - building blocks of the xfmr -> linalg lowering -===//

#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

#include <cmath>

using namespace mlir;
using namespace mlir::xfmr;

SmallVector<OpFoldResult> mlir::xfmr::getSizes(OpBuilder &b, Location loc,
                                               Value value) {
  return tensor::getMixedSizes(b, loc, value);
}

Value mlir::xfmr::emptyTensor(OpBuilder &b, Location loc,
                              ArrayRef<OpFoldResult> sizes, Type elementType) {
  return tensor::EmptyOp::create(b, loc, sizes, elementType);
}

Value mlir::xfmr::filledTensor(OpBuilder &b, Location loc,
                               ArrayRef<OpFoldResult> sizes, Value value) {
  Value empty = emptyTensor(b, loc, sizes, value.getType());
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

Value mlir::xfmr::floatConst(OpBuilder &b, Location loc, Type type,
                             double value) {
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
}

Value mlir::xfmr::indexConst(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value mlir::xfmr::toF32(OpBuilder &b, Location loc, Value scalar) {
  if (scalar.getType().isF32())
    return scalar;
  return arith::ExtFOp::create(b, loc, b.getF32Type(), scalar);
}

Value mlir::xfmr::fromF32(OpBuilder &b, Location loc, Value scalar, Type type) {
  if (type.isF32())
    return scalar;
  return arith::TruncFOp::create(b, loc, type, scalar);
}

Value mlir::xfmr::buildActivation(OpBuilder &b, Location loc,
                                  ActivationKind kind, Value x) {
  Type f32 = b.getF32Type();
  auto c = [&](double v) { return floatConst(b, loc, f32, v); };
  // σ(x) = 1 / (1 + e^-x): exp overflows to +inf for very negative x, which
  // gives the correct limit 0.
  auto sigmoid = [&](Value v) {
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, v));
    return arith::DivFOp::create(b, loc, c(1.0),
                                 arith::AddFOp::create(b, loc, c(1.0), e));
  };
  switch (kind) {
  case ActivationKind::relu:
    return arith::MaximumFOp::create(b, loc, x, c(0.0));
  case ActivationKind::gelu: {
    // 0.5 · x · (1 + erf(x / √2)), the exact form.
    Value scaled = arith::MulFOp::create(b, loc, x, c(M_SQRT1_2));
    Value erf = math::ErfOp::create(b, loc, scaled);
    Value half = arith::MulFOp::create(b, loc, x, c(0.5));
    return arith::MulFOp::create(b, loc, half,
                                 arith::AddFOp::create(b, loc, c(1.0), erf));
  }
  case ActivationKind::gelu_tanh: {
    // 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).
    Value x3 =
        arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, x, x), x);
    Value inner = arith::AddFOp::create(
        b, loc, x, arith::MulFOp::create(b, loc, x3, c(0.044715)));
    Value t = math::TanhOp::create(
        b, loc, arith::MulFOp::create(b, loc, inner, c(std::sqrt(2.0 / M_PI))));
    Value half = arith::MulFOp::create(b, loc, x, c(0.5));
    return arith::MulFOp::create(b, loc, half,
                                 arith::AddFOp::create(b, loc, c(1.0), t));
  }
  case ActivationKind::silu:
    return arith::MulFOp::create(b, loc, x, sigmoid(x));
  case ActivationKind::sigmoid:
    return sigmoid(x);
  case ActivationKind::tanh:
    return math::TanhOp::create(b, loc, x);
  }
  llvm_unreachable("unknown activation kind");
}

Value mlir::xfmr::buildGeneric(
    OpBuilder &b, Location loc, ValueRange inputs, ArrayRef<AffineMap> maps,
    ArrayRef<utils::IteratorType> iterators, Value init,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
      });
  return generic.getResult(0);
}

Value mlir::xfmr::castIfNeeded(OpBuilder &b, Location loc, Value value,
                               Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

Value mlir::xfmr::indexToF32(OpBuilder &b, Location loc, Value index) {
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  return arith::SIToFPOp::create(b, loc, b.getF32Type(), i64);
}

Value mlir::xfmr::buildElementwise(
    OpBuilder &b, Location loc, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps, Value init,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  auto initType = cast<RankedTensorType>(init.getType());
  int64_t rank = initType.getRank();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{initType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value out = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, out);
      });
  return generic.getResult(0);
}

Value mlir::xfmr::buildMatmulTransposeB(OpBuilder &b, Location loc, Value a,
                                        Value bT) {
  MLIRContext *ctx = b.getContext();
  Value m = tensor::DimOp::create(b, loc, a, 0);
  Value n = tensor::DimOp::create(b, loc, bT, 0);
  SmallVector<OpFoldResult> sizes = {getAsOpFoldResult(m),
                                     getAsOpFoldResult(n)};
  auto aType = cast<RankedTensorType>(a.getType());
  auto bType = cast<RankedTensorType>(bT.getType());
  if (!aType.isDynamicDim(0))
    sizes[0] = b.getIndexAttr(aType.getDimSize(0));
  if (!bType.isDynamicDim(0))
    sizes[1] = b.getIndexAttr(bType.getDimSize(0));
  Value init =
      filledTensor(b, loc, sizes, floatConst(b, loc, b.getF32Type(), 0.0));
  AffineExpr dm, dn, dk;
  bindDims(ctx, dm, dn, dk);
  auto maps = b.getAffineMapArrayAttr({AffineMap::get(3, 0, {dm, dk}, ctx),
                                       AffineMap::get(3, 0, {dn, dk}, ctx),
                                       AffineMap::get(3, 0, {dm, dn}, ctx)});
  auto matmul = linalg::MatmulOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{a, bT}, ValueRange{init},
      {b.getNamedAttr("indexing_maps", maps)});
  return matmul.getResult(0);
}

Value mlir::xfmr::collapseToMatrix(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  if (rank == 2)
    return x;
  if (rank == 1) {
    auto resultType =
        RankedTensorType::get({1, type.getDimSize(0)}, type.getElementType());
    SmallVector<OpFoldResult> shape = {b.getIndexAttr(1)};
    shape.push_back(tensor::getMixedSize(b, loc, x, 0));
    return tensor::ExpandShapeOp::create(b, loc, resultType, x,
                                         {ReassociationIndices{0, 1}}, shape);
  }
  ReassociationIndices leading;
  for (int64_t i = 0; i < rank - 1; ++i)
    leading.push_back(i);
  return tensor::CollapseShapeOp::create(
      b, loc, x, ArrayRef<ReassociationIndices>{leading, {rank - 1}});
}

Value mlir::xfmr::expandFromMatrix(OpBuilder &b, Location loc, Value y,
                                   Value like) {
  auto likeType = cast<RankedTensorType>(like.getType());
  auto yType = cast<RankedTensorType>(y.getType());
  int64_t rank = likeType.getRank();
  if (rank == 2)
    return y;
  SmallVector<int64_t> shape(likeType.getShape());
  shape.back() = yType.getDimSize(1);
  auto resultType = RankedTensorType::get(shape, yType.getElementType());
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, like);
  sizes.back() = tensor::getMixedSize(b, loc, y, 1);
  if (rank == 1)
    return tensor::CollapseShapeOp::create(b, loc, resultType, y,
                                           {ReassociationIndices{0, 1}});
  ReassociationIndices leading;
  for (int64_t i = 0; i < rank - 1; ++i)
    leading.push_back(i);
  return tensor::ExpandShapeOp::create(
      b, loc, resultType, y,
      ArrayRef<ReassociationIndices>{leading, {rank - 1}}, sizes);
}

Value mlir::xfmr::extractExpertSlice(OpBuilder &b, Location loc, Value stacked,
                                     OpFoldResult expert) {
  auto type = cast<RankedTensorType>(stacked.getType());
  SmallVector<OpFoldResult> offsets = {expert, b.getIndexAttr(0),
                                       b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1)};
  sizes.push_back(tensor::getMixedSize(b, loc, stacked, 1));
  sizes.push_back(tensor::getMixedSize(b, loc, stacked, 2));
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  auto sliceType = RankedTensorType::get(
      {type.getDimSize(1), type.getDimSize(2)}, type.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, sliceType, stacked, offsets,
                                        sizes, strides);
}

AffineMap mlir::xfmr::dimsMap(MLIRContext *ctx, unsigned numDims,
                              ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(numDims, 0, exprs, ctx);
}
