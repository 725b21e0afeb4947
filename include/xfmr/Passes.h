//===- Passes.h - xfmr pass declarations ------------------------*- C++ -*-===//
//
// Declarations generated from passes/Passes.td and their registration.
//
//===----------------------------------------------------------------------===//

#ifndef XFMR_PASSES_H
#define XFMR_PASSES_H

#include "dialects/xfmr/XfmrDialect.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;
namespace xfmr {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Patterns rewriting xfmr.moe into the dispatch ops, or with `allExperts`
/// into the naive lowering that evaluates every expert on every token.
void populateLowerMoeDispatchPatterns(RewritePatternSet &patterns,
                                      bool allExperts = false);

/// Patterns stacking the gate and up projections of xfmr.gated_ffn, and of
/// two xfmr.linear feeding an xfmr.gated_activation, into one projection
/// followed by xfmr.glu.
void populateFuseGateUpPatterns(RewritePatternSet &patterns);

/// Patterns lowering linear, activations, FFNs, norms and RoPE.
void populatePositionWiseToLinalgPatterns(RewritePatternSet &patterns);

/// Patterns lowering xfmr.attention.
void populateAttentionToLinalgPatterns(RewritePatternSet &patterns);

/// Patterns lowering topk_router, dispatch, grouped_gated_ffn and combine.
void populateExpertDispatchToLinalgPatterns(RewritePatternSet &patterns);

/// All of the above plus the xfmr.moe decomposition: every xfmr op.
void populateXfmrToLinalgPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace xfmr
} // namespace mlir

#endif // XFMR_PASSES_H
