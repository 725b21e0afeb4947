//===- XfmrDialect.cpp - xfmr dialect registration ------------------------===//
//
// Registers the xfmr ops and attributes with MLIR.
//
//===----------------------------------------------------------------------===//

#include "dialects/xfmr/XfmrDialect.h"
#include "dialects/xfmr/XfmrOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::xfmr;

#include "dialects/xfmr/XfmrDialect.cpp.inc"
#include "dialects/xfmr/XfmrEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/xfmr/XfmrAttrs.cpp.inc"

void XfmrDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/xfmr/XfmrOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/xfmr/XfmrAttrs.cpp.inc"
      >();
}
