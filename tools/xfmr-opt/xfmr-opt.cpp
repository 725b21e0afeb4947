//===- xfmr-opt.cpp - the xfmr optimizer driver ---------------------------===//
//
// MlirOptMain with the xfmr dialect, every xfmr pass and pipeline, and the
// upstream dialects and passes the pipelines use. lit's workhorse.
//
//===----------------------------------------------------------------------===//

#include "xfmr/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::xfmr::registerAllDialects(registry);
  mlir::xfmr::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "xfmr optimizer driver\n", registry));
}
