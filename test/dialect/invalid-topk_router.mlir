// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// Every verifier and inference diagnostic of xfmr.topk_router, one case each:
// the full message, so that a change in its wording is caught.

// logits must be a float storage type.
func.func @topk_router_logits_f64(%l: tensor<?x8xf64>) {
  // expected-error @+1 {{'xfmr.topk_router' op operand 'logits' must have element type f32, f16 or bf16, got 'f64'}}
  %w, %e = xfmr.topk_router %l {top_k = 2 : i64} : tensor<?x8xf64>
  return
}

// -----

// logits are [T, E].
func.func @topk_router_logits_rank(%l: tensor<2x?x8xf32>) {
  // expected-error @+1 {{'xfmr.topk_router' op operand 'logits' must have rank 2, got 3}}
  %w, %e = xfmr.topk_router %l {top_k = 2 : i64} : tensor<2x?x8xf32>
  return
}

// -----

// top_k has no default.
func.func @topk_router_top_k_missing(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{'xfmr.topk_router' op requires attribute 'top_k'}}
  %w, %e = xfmr.topk_router %l {scoring = #xfmr.scoring<sigmoid>} : tensor<?x8xf32>
  return
}

// -----

// at least one expert per token.
func.func @topk_router_top_k_zero(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{'xfmr.topk_router' op attribute 'top_k' must be >= 1, got 0}}
  %w, %e = xfmr.topk_router %l {top_k = 0 : i64} : tensor<?x8xf32>
  return
}

// -----

// at least one expert per token.
func.func @topk_router_top_k_negative(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{'xfmr.topk_router' op attribute 'top_k' must be >= 1, got -1}}
  %w, %e = xfmr.topk_router %l {top_k = -1 : i64} : tensor<?x8xf32>
  return
}

// -----

// at most E experts per token.
func.func @topk_router_top_k_too_large(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{'xfmr.topk_router' op attribute 'top_k' must be <= 8 (E, the number of experts, dimension 1 of 'logits'), got 9}}
  %w, %e = xfmr.topk_router %l {top_k = 9 : i64} : tensor<?x8xf32>
  return
}

// -----

// expert indices are i32.
func.func @topk_router_top_k_i32_range(%l: tensor<?x?xf32>) {
  // expected-error @+1 {{'xfmr.topk_router' op attribute 'top_k' must be <= 2147483647 (expert indices are i32), got 2147483648}}
  %w, %e = xfmr.topk_router %l {top_k = 2147483648 : i64} : tensor<?x?xf32>
  return
}
