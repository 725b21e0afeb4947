//===- XfmrOps.h - xfmr operations ------------------------------*- C++ -*-===//
//
// Thin header over the generated op declarations.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_DIALECTS_XFMR_XFMROPS_H
#define XFMR_DIALECTS_XFMR_XFMROPS_H

#include "dialects/xfmr/XfmrDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/xfmr/XfmrOps.h.inc"

#endif // XFMR_DIALECTS_XFMR_XFMROPS_H
