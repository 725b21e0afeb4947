//===- VectorKernelBuilder.h - building blocks of the vector kernels -*- C++
//-*-//
//
// Index arithmetic that folds constants on the spot, f32 loads of any
// storage float type, masks and loop skeletons: what the matmul kernels of
// xfmr-tile-and-vectorize are built from, so that their hot loops contain
// nothing but loads, broadcasts and `vector.fma`.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_PASSES_VECTORKERNELBUILDER_H
#define XFMR_PASSES_VECTORKERNELBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

#include <optional>

namespace mlir::xfmr {

/// A memref (of any rank above 0) whose innermost dimension is contiguous,
/// so that rows can be read as vectors.
inline bool hasUnitInnerStride(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  if (!type || type.getRank() == 0)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return strides.back() == 1;
}

/// f32, f16 or bf16: the storage types the kernels load and extend to f32.
inline bool isStorageFloat(Type t) {
  return t.isF32() || t.isF16() || t.isBF16();
}

class VectorKernelBuilder {
public:
  /// f32 lanes of one AVX-512 register: the width of every vector built.
  static constexpr int64_t kLanes = 16;

  VectorKernelBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {
    f32 = b.getF32Type();
    vecType = VectorType::get({kLanes}, f32);
    maskType = VectorType::get({kLanes}, b.getI1Type());
  }

protected:
  //===--------------------------------------------------------------------===//
  // Index arithmetic (folded on the spot where the operands are constants).
  //===--------------------------------------------------------------------===//

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) {
    return b.createOrFold<arith::AddIOp>(loc, x, y);
  }
  Value add(Value x, int64_t y) { return y ? add(x, idx(y)) : x; }
  Value sub(Value x, Value y) {
    return b.createOrFold<arith::SubIOp>(loc, x, y);
  }
  Value mul(Value x, int64_t y) {
    return b.createOrFold<arith::MulIOp>(loc, x, idx(y));
  }
  Value min(Value x, Value y) {
    return b.createOrFold<arith::MinSIOp>(loc, x, y);
  }
  /// x rounded down to a multiple of `step`.
  Value floorTo(Value x, int64_t step) {
    if (step == 1)
      return x;
    return sub(x, b.createOrFold<arith::RemUIOp>(loc, x, idx(step)));
  }
  Value ceilDiv(Value x, int64_t y) {
    return b.createOrFold<arith::DivUIOp>(loc, add(x, y - 1), idx(y));
  }
  Value dim(Value v, int64_t i) {
    return b.createOrFold<memref::DimOp>(loc, v, i);
  }
  static std::optional<int64_t> staticDim(Value v, int64_t i) {
    int64_t d = cast<MemRefType>(v.getType()).getDimSize(i);
    if (ShapedType::isDynamic(d))
      return std::nullopt;
    return d;
  }

  //===--------------------------------------------------------------------===//
  // Loads and stores in f32.
  //===--------------------------------------------------------------------===//

  Value zeroVector(Type elem) {
    auto type = VectorType::get({kLanes}, elem);
    return arith::ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, b.getFloatAttr(elem, 0.0)));
  }
  Value toF32(Value v) {
    Type type = isa<VectorType>(v.getType()) ? Type(vecType) : Type(f32);
    if (getElementTypeOrSelf(v.getType()).isF32())
      return v;
    return arith::ExtFOp::create(b, loc, type, v);
  }
  /// kLanes consecutive elements of a row, zero where `mask` is off.
  Value loadRow(Value mem, ValueRange indices, Value mask = nullptr) {
    Type elem = getElementTypeOrSelf(mem.getType());
    auto type = VectorType::get({kLanes}, elem);
    Value v;
    if (mask)
      v = vector::MaskedLoadOp::create(b, loc, type, mem, indices, mask,
                                       zeroVector(elem));
    else
      v = vector::LoadOp::create(b, loc, type, mem, indices);
    return toF32(v);
  }
  Value loadScalar(Value mem, ValueRange indices) {
    return toF32(memref::LoadOp::create(b, loc, mem, indices));
  }
  Value mask(Value length) {
    return vector::CreateMaskOp::create(b, loc, maskType, ValueRange{length});
  }

  //===--------------------------------------------------------------------===//
  // Loop skeletons.
  //===--------------------------------------------------------------------===//

  void forLoop(Value lb, Value ub, Value step, function_ref<void(Value)> body) {
    scf::ForOp::create(b, loc, lb, ub, step, ValueRange{},
                       [&](OpBuilder &nb, Location, Value iv, ValueRange) {
                         body(iv);
                         scf::YieldOp::create(nb, loc);
                       });
  }

  /// Covers [0, end) with tiles of `tile` and the remainder (< tile) with
  /// power-of-two tiles tile/2, ..., 1: `body(start, size)` per tile, the
  /// size always static.
  void tiled(Value end, int64_t tile,
             function_ref<void(Value start, int64_t size)> body) {
    Value main = floorTo(end, tile);
    forLoop(idx(0), main, idx(tile), [&](Value iv) { body(iv, tile); });
    Value cur = main;
    for (int64_t t = tile / 2; t >= 1; t /= 2) {
      Value fits = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                         sub(end, cur), idx(t));
      Value start = cur;
      scf::IfOp::create(b, loc, fits, [&](OpBuilder &nb, Location) {
        body(start, t);
        scf::YieldOp::create(nb, loc);
      });
      cur = arith::SelectOp::create(b, loc, fits, add(cur, t), cur);
    }
  }

  OpBuilder &b;
  Location loc;
  Type f32;
  VectorType vecType, maskType;
};

} // namespace mlir::xfmr

#endif // XFMR_PASSES_VECTORKERNELBUILDER_H
