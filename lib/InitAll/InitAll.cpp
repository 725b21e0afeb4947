//===- InitAll.cpp - register everything xfmr tools need ------------------===//

#include "xfmr/InitAll.h"

#include "dialects/xfmr/XfmrDialect.h"
#include "xfmr/Passes.h"
#include "xfmr/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void mlir::xfmr::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::xfmr::XfmrDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  registerGPUBarrierEffects(registry);
}

void mlir::xfmr::registerAllPasses() {
  mlir::registerAllPasses();
  registerXfmrPasses();
  registerPipelines();
  registerGPUPipelines();
}
