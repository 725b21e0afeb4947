//===- GPUBarrierEffects.cpp - memory effects of gpu.barrier --------------===//
//
// gpu.barrier declares no memory effects in MLIR 22, so analyses that must
// know the effects of every op reject it: the ownership-based buffer
// deallocation fails with "ops with unknown memory side effects" on any
// function holding a kernel with a barrier before outlining (the GPU
// kernels that xfmr builds on tensors, ahead of bufferization). A barrier
// orders the reads and writes of the threads of a block around it, which
// is what a read and a write of memory in general say: no transformation
// may move memory accesses across it or drop it.
//
//===----------------------------------------------------------------------===//

#include "xfmr/InitAll.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace {

struct BarrierMemoryEffects
    : public MemoryEffectOpInterface::ExternalModel<BarrierMemoryEffects,
                                                    gpu::BarrierOp> {
  void
  getEffects(Operation *,
             SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
                 &effects) const {
    effects.emplace_back(MemoryEffects::Read::get());
    effects.emplace_back(MemoryEffects::Write::get());
  }
};

} // namespace

void mlir::xfmr::registerGPUBarrierEffects(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, gpu::GPUDialect *) {
    gpu::BarrierOp::attachInterface<BarrierMemoryEffects>(*context);
  });
}
