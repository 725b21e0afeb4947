//===- ExpandShapeToReinterpretCast.cpp - dynamic expand_shape on memrefs -===//
//
// Works around expand-strided-metadata's restriction to one dynamic size per
// reassociation group (see the pass description in Passes.td).
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_EXPANDSHAPETOREINTERPRETCAST
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;

namespace {

bool hasGroupWithSeveralDynamicSizes(memref::ExpandShapeOp op) {
  MemRefType type = op.getResultType();
  for (const ReassociationIndices &group : op.getReassociationIndices()) {
    int dynamic =
        llvm::count_if(group, [&](int64_t d) { return type.isDynamicDim(d); });
    if (dynamic > 1)
      return true;
  }
  return false;
}

OpFoldResult multiply(OpBuilder &b, Location loc, OpFoldResult x,
                      OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x);
  std::optional<int64_t> cy = getConstantIntValue(y);
  if (cx && cy)
    return b.getIndexAttr(*cx * *cy);
  return arith::MulIOp::create(b, loc,
                               getValueOrCreateConstantIndexOp(b, loc, x),
                               getValueOrCreateConstantIndexOp(b, loc, y))
      .getResult();
}

struct ExpandShapeToCast : OpRewritePattern<memref::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::ExpandShapeOp op,
                                PatternRewriter &rw) const override {
    if (!hasGroupWithSeveralDynamicSizes(op) ||
        !op.getSrcType().getLayout().isIdentity() ||
        !op.getResultType().getLayout().isIdentity())
      return failure();
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    // Row-major strides of the expanded shape.
    SmallVector<OpFoldResult> strides(sizes.size());
    OpFoldResult stride = rw.getIndexAttr(1);
    for (int64_t i = sizes.size() - 1; i >= 0; --i) {
      strides[i] = stride;
      if (i > 0)
        stride = multiply(rw, loc, stride, sizes[i]);
    }
    rw.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        op, op.getResultType(), op.getSrc(), rw.getIndexAttr(0), sizes,
        strides);
    return success();
  }
};

struct ExpandShapeToReinterpretCastPass
    : public xfmr::impl::ExpandShapeToReinterpretCastBase<
          ExpandShapeToReinterpretCastPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandShapeToCast>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    getOperation().walk([&](memref::ExpandShapeOp op) {
      if (hasGroupWithSeveralDynamicSizes(op)) {
        op.emitOpError("has several dynamic sizes in one reassociation group "
                       "and a non-identity layout, which cannot be lowered");
        signalPassFailure();
      }
    });
  }
};

} // namespace
