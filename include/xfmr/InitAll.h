//===- InitAll.h - register everything xfmr tools need ----------*- C++ -*-===//
//
// One registration entry shared by xfmr-opt, xfmr-compile, xfmr-run and the
// C API, so that every tool sees the same dialects, passes and pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_INITALL_H
#define XFMR_INITALL_H

namespace mlir {
class DialectRegistry;
class MLIRContext;

namespace xfmr {

/// The xfmr dialect, the upstream dialects and their interface extensions,
/// and the LLVM IR translations.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Declares gpu.barrier's memory effects (a read and a write), which MLIR
/// leaves unknown; part of registerAllDialects.
void registerGPUBarrierEffects(mlir::DialectRegistry &registry);

/// Every upstream pass, every xfmr pass and every named xfmr pipeline.
void registerAllPasses();

} // namespace xfmr
} // namespace mlir

#endif // XFMR_INITALL_H
