//===- GPUGroupedMatmul.cpp - MoE expert FFNs as grouped GEMM kernels -----===//
//
// Replaces the grouped expert FFNs of the GPU pipeline (xfmr.grouped_gated_ffn
// and xfmr.grouped_glu_ffn, over the rows that xfmr.dispatch sorted by
// expert) by two grouped GEMM kernels: every expert's segment in one launch
// each, instead of the front half's host loop that launches the kernels of
// one expert after another and reads the offsets on the host. The first
// kernel projects each segment onto its expert's gate and up weights and
// gates the two sums in registers; the second projects the gated rows
// onto the expert's down weight. Two steps (passes/GPUKernelPlaceholder.h):
// calls on tensors, kernels on buffers. Pass description: Passes.td.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Passes.h"

#include "Conversion/XfmrToLinalg/LoweringUtils.h"
#include "GPUKernelPlaceholder.h"
#include "GPUMatmulKernel.h"
#include "dialects/xfmr/XfmrOps.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::xfmr {
#define GEN_PASS_DEF_GPUGROUPEDMATMUL
#include "passes/Passes.h.inc"
} // namespace mlir::xfmr

using namespace mlir;
using namespace mlir::xfmr;

namespace {

/// The declarations that step 1 calls: the gated projection (x, offsets,
/// w_gate, w_up, h) or (x, offsets, w_gate_up, h), carrying the activation,
/// and the down projection (h, offsets, w_down, y).
constexpr StringLiteral kGatedAttr = "xfmr.gpu_grouped_gated_matmul";
constexpr StringLiteral kPlainAttr = "xfmr.gpu_grouped_matmul";
constexpr StringLiteral kActivationAttr = "xfmr.activation";

/// Whether the kernels take these operands: one floating-point storage type
/// (f32, f16 or bf16) for the rows and all the weights.
bool isSupported(Value x, ValueRange weights) {
  Type element = cast<ShapedType>(x.getType()).getElementType();
  if (!isa<Float32Type, Float16Type, BFloat16Type>(element))
    return false;
  return llvm::all_of(weights, [&](Value w) {
    return cast<ShapedType>(w.getType()).getElementType() == element;
  });
}

/// A new buffer of x's element type with the rows of `x` and the columns
/// that dimension `columnDim` of `columnsOf` gives; a static size of
/// `shape` (the op's result type) wins over a dynamic one of the operands.
Value allocRows(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Value x,
                Value columnsOf, int64_t columnDim) {
  auto xType = cast<ShapedType>(x.getType());
  auto wType = cast<ShapedType>(columnsOf.getType());
  SmallVector<int64_t> sizes = {xType.getDimSize(0),
                                wType.getDimSize(columnDim)};
  for (auto [size, known] : llvm::zip(sizes, shape))
    if (!ShapedType::isDynamic(known))
      size = known;
  SmallVector<Value> dynamic;
  if (ShapedType::isDynamic(sizes[0]))
    dynamic.push_back(memref::DimOp::create(b, loc, x, 0));
  if (ShapedType::isDynamic(sizes[1]))
    dynamic.push_back(memref::DimOp::create(b, loc, columnsOf, columnDim));
  return memref::AllocOp::create(
      b, loc, MemRefType::get(sizes, xType.getElementType()), dynamic);
}

/// Step 1: the op as the two calls; its result is the down projection's
/// buffer as a tensor.
void replaceByCalls(Operation *op, ActivationKindAttr activation, Value x,
                    Value offsets, ValueRange gateUp, Value wDown,
                    ModuleOp module, int &counter) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  Value xBuffer = readOnlyBuffer(b, loc, x);
  Value offsetBuffer = readOnlyBuffer(b, loc, offsets);
  SmallVector<Value> operands = {xBuffer, offsetBuffer};
  for (Value w : gateUp)
    operands.push_back(readOnlyBuffer(b, loc, w));
  Value downBuffer = readOnlyBuffer(b, loc, wDown);
  // h has F columns: w_down is [E, D, F].
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  int64_t dynamic = ShapedType::kDynamic;
  Value h = allocRows(b, loc, {resultType.getDimSize(0), dynamic}, xBuffer,
                      downBuffer, 2);
  operands.push_back(h);
  func::CallOp gated = callPlaceholder(b, loc, module, "xfmr_gpu_grouped_glu",
                                       kGatedAttr, operands, counter);
  gated->setAttr(kActivationAttr, activation);
  Value y = allocRows(b, loc, resultType.getShape(), xBuffer, downBuffer, 1);
  callPlaceholder(b, loc, module, "xfmr_gpu_grouped_matmul", kPlainAttr,
                  ValueRange{h, offsetBuffer, downBuffer, y}, counter);
  Value result = bufferization::ToTensorOp::create(
      b, loc, resultType, y, /*restrict=*/true, /*writable=*/true);
  op->getResult(0).replaceAllUsesWith(result);
  op->erase();
}

/// The part of the problem both kernels share: rows of `a` in the segments
/// of `offsets`, nn.Linear-layout expert weights [E, N, K].
GPUMatmulProblem groupedProblem(OpBuilder &b, Location loc, Value a,
                                Value offsets, Value out, Value weight) {
  GPUMatmulProblem p;
  p.a = a;
  p.bKContiguous = true;
  p.m = bufferDimValue(b, loc, a, 0);
  p.n = bufferDimValue(b, loc, out, 1);
  p.k = bufferDimValue(b, loc, a, 1);
  p.offsets = offsets;
  p.groups = bufferDimValue(b, loc, weight, 0);
  return p;
}

/// Step 2 of the gated projection: h = act(x · w_gateᵀ) ⊙ (x · w_upᵀ) per
/// segment, each projection rounded to the storage type before the gating
/// as the per-expert lowering rounds it.
LogicalResult buildGated(func::CallOp call) {
  OpBuilder b(call);
  Location loc = call.getLoc();
  ValueRange operands = call.getOperands();
  auto activation = call->getAttrOfType<ActivationKindAttr>(kActivationAttr);
  if ((operands.size() != 5 && operands.size() != 4) || !activation)
    return call.emitError("unexpected operands for the grouped gated kernel");
  Value x = operands[0], offsets = operands[1], h = operands.back();
  GPUMatmulProblem p = groupedProblem(b, loc, x, offsets, h, operands[2]);
  if (operands.size() == 5) {
    p.bs = {operands[2], operands[3]};
  } else {
    // The stacked [E, 2F, D] weight: gate rows [0, F), up rows [F, 2F).
    Value w = operands[2];
    OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
    OpFoldResult f = bufferDim(b, loc, h, 1);
    SmallVector<OpFoldResult> sizes = {bufferDim(b, loc, w, 0), f,
                                       bufferDim(b, loc, w, 2)};
    SmallVector<OpFoldResult> strides(3, one);
    p.bs = {
        memref::SubViewOp::create(b, loc, w, {zero, zero, zero}, sizes,
                                  strides),
        memref::SubViewOp::create(b, loc, w, {zero, f, zero}, sizes, strides)};
  }
  Type element = cast<MemRefType>(h.getType()).getElementType();
  ActivationKind kind = activation.getValue();
  p.emitResult = [&](OpBuilder &b, Location loc, Value row, Value col,
                     ArrayRef<Value> sums) {
    auto rounded = [&](Value v) {
      return toF32(b, loc, fromF32(b, loc, v, element));
    };
    Value gate = buildActivation(b, loc, kind, rounded(sums[0]));
    Value v = arith::MulFOp::create(b, loc, gate, rounded(sums[1]));
    memref::StoreOp::create(b, loc, fromF32(b, loc, v, element), h,
                            ValueRange{row, col});
  };
  buildMatmulKernel(b, loc, p);
  call.erase();
  return success();
}

/// Step 2 of the down projection: y = h · w_downᵀ per segment; rows outside
/// every segment are 0, as the per-expert lowering leaves them.
LogicalResult buildPlain(func::CallOp call) {
  OpBuilder b(call);
  Location loc = call.getLoc();
  ValueRange operands = call.getOperands();
  if (operands.size() != 4)
    return call.emitError("unexpected operands for the grouped kernel");
  Value h = operands[0], offsets = operands[1], y = operands[3];
  Type element = cast<MemRefType>(y.getType()).getElementType();
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  linalg::FillOp::create(b, loc, zero, y);
  GPUMatmulProblem p = groupedProblem(b, loc, h, offsets, y, operands[2]);
  p.bs = {operands[2]};
  p.emitResult = [&](OpBuilder &b, Location loc, Value row, Value col,
                     ArrayRef<Value> sums) {
    memref::StoreOp::create(b, loc, fromF32(b, loc, sums[0], element), y,
                            ValueRange{row, col});
  };
  buildMatmulKernel(b, loc, p);
  call.erase();
  return success();
}

struct GPUGroupedMatmulPass
    : public xfmr::impl::GPUGroupedMatmulBase<GPUGroupedMatmulPass> {
  using GPUGroupedMatmulBase::GPUGroupedMatmulBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (buildKernels) {
      if (failed(buildPlaceholderCalls(module, kGatedAttr, buildGated)) ||
          failed(buildPlaceholderCalls(module, kPlainAttr, buildPlain)))
        signalPassFailure();
      return;
    }
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<GroupedGatedFfnOp, GroupedGluFfnOp>(op))
        ops.push_back(op);
    });
    int counter = 0;
    for (Operation *op : ops) {
      if (auto gated = dyn_cast<GroupedGatedFfnOp>(op)) {
        if (isSupported(gated.getSortedX(),
                        {gated.getWGate(), gated.getWUp(), gated.getWDown()}))
          replaceByCalls(op, gated.getActivationAttr(), gated.getSortedX(),
                         gated.getOffsets(), {gated.getWGate(), gated.getWUp()},
                         gated.getWDown(), module, counter);
        continue;
      }
      auto glu = cast<GroupedGluFfnOp>(op);
      if (isSupported(glu.getSortedX(), {glu.getWGateUp(), glu.getWDown()}))
        replaceByCalls(op, glu.getActivationAttr(), glu.getSortedX(),
                       glu.getOffsets(), {glu.getWGateUp()}, glu.getWDown(),
                       module, counter);
    }
  }
};

} // namespace
