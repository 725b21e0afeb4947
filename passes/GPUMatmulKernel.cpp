//===- GPUMatmulKernel.cpp - what the matmul kernels share ----------------===//
//
// What the GPU matmul kernels (passes/FMAMatmulKernel.cpp,
// passes/TensorCoreMatmulKernel.cpp) and the passes that describe their
// problems share: sizes of buffers, and the row mapping (plain tiles of M,
// or the tiles of each group's row segment for a grouped matmul).
//
//===----------------------------------------------------------------------===//

#include "GPUMatmulKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::xfmr;

static Value constant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

OpFoldResult mlir::xfmr::bufferDim(OpBuilder &b, Location loc, Value buffer,
                                   int64_t i) {
  auto type = cast<MemRefType>(buffer.getType());
  if (!type.isDynamicDim(i))
    return b.getIndexAttr(type.getDimSize(i));
  return memref::DimOp::create(b, loc, buffer, i).getResult();
}

Value mlir::xfmr::bufferDimValue(OpBuilder &b, Location loc, Value buffer,
                                 int64_t i) {
  return getValueOrCreateConstantIndexOp(b, loc, bufferDim(b, loc, buffer, i));
}

gpu::LaunchOp mlir::xfmr::buildMatmulKernel(OpBuilder &b, Location loc,
                                            const GPUMatmulProblem &problem) {
  auto element = [](Value buffer) {
    return cast<MemRefType>(buffer.getType()).getElementType();
  };
  if (isTensorCoreMatmul(element(problem.a), element(problem.bs.front())))
    return buildTensorCoreMatmulKernel(b, loc, problem);
  return buildFMAMatmulKernel(b, loc, problem);
}

Value mlir::xfmr::gridRowBlocks(OpBuilder &b, Location loc,
                                const GPUMatmulProblem &problem,
                                int64_t tileM) {
  Value count =
      arith::CeilDivUIOp::create(b, loc, problem.m, constant(b, loc, tileM));
  if (problem.offsets)
    count = arith::AddIOp::create(b, loc, count, problem.groups);
  return arith::MaxUIOp::create(b, loc, count, constant(b, loc, 1));
}

BlockRows mlir::xfmr::blockRows(OpBuilder &b, Location loc,
                                const GPUMatmulProblem &problem, Value blockX,
                                int64_t tileM) {
  Value tile = constant(b, loc, tileM);
  if (!problem.offsets) {
    Value first = arith::MulIOp::create(b, loc, blockX, tile);
    return {first, problem.m, Value()};
  }
  // Segment e holds rows [s_e, e_e), s_e = clamp(offsets[e], 0, M) and
  // e_e = clamp(offsets[e + 1], s_e, M), in ceil((e_e - s_e) / tileM) tiles;
  // tiles are numbered segment after segment. The walk carries the tiles
  // before segment e and the answer found so far (no rows when none).
  Value zero = constant(b, loc, 0);
  Value one = constant(b, loc, 1);
  auto offset = [&](OpBuilder &b, Value e) -> Value {
    Value v = memref::LoadOp::create(b, loc, problem.offsets, ValueRange{e});
    if (!v.getType().isIndex())
      v = arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
    return v;
  };
  auto clamp = [&](OpBuilder &b, Value v, Value lo, Value hi) -> Value {
    Value above = arith::MaxSIOp::create(b, loc, v, lo);
    return arith::MinSIOp::create(b, loc, above, hi);
  };
  auto walk = scf::ForOp::create(
      b, loc, zero, problem.groups, one, ValueRange{zero, zero, zero, zero},
      [&](OpBuilder &b, Location loc, Value e, ValueRange carried) {
        Value before = carried[0];
        Value start = clamp(b, offset(b, e), zero, problem.m);
        Value next = arith::AddIOp::create(b, loc, e, one);
        Value end = clamp(b, offset(b, next), start, problem.m);
        Value rows = arith::SubIOp::create(b, loc, end, start);
        Value tiles = arith::CeilDivUIOp::create(b, loc, rows, tile);
        Value after = arith::AddIOp::create(b, loc, before, tiles);
        Value hit = arith::AndIOp::create(
            b, loc,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, blockX,
                                  before),
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, blockX,
                                  after));
        Value within = arith::SubIOp::create(b, loc, blockX, before);
        Value first = arith::AddIOp::create(
            b, loc, start, arith::MulIOp::create(b, loc, within, tile));
        scf::YieldOp::create(
            b, loc,
            ValueRange{after,
                       arith::SelectOp::create(b, loc, hit, first, carried[1]),
                       arith::SelectOp::create(b, loc, hit, end, carried[2]),
                       arith::SelectOp::create(b, loc, hit, e, carried[3])});
      });
  return {walk.getResult(1), walk.getResult(2), walk.getResult(3)};
}
