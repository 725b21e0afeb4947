//===- XfmrDialect.h - the xfmr dialect -------------------------*- C++ -*-===//
//
// Thin header over the generated dialect, enum and attribute declarations.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_DIALECTS_XFMR_XFMRDIALECT_H
#define XFMR_DIALECTS_XFMR_XFMRDIALECT_H

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"

#include "dialects/xfmr/XfmrDialect.h.inc"
#include "dialects/xfmr/XfmrEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/xfmr/XfmrAttrs.h.inc"

#endif // XFMR_DIALECTS_XFMR_XFMRDIALECT_H
