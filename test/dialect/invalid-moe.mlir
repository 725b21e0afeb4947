// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// Every verifier and inference diagnostic of xfmr.moe, one case each:
// the full message, so that a change in its wording is caught.

// x must be a float storage type.
func.func @moe_x_f64(%x: tensor<?x16xf64>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'x' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf64>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// x is [T, D] with optional leading batch dimensions.
func.func @moe_x_rank1(%x: tensor<16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'x' must have rank >= 2, got 1}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// router_w is [E, D].
func.func @moe_router_rank(%x: tensor<?x16xf32>, %r: tensor<4x16x1xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'router_w' must have rank 2, got 3}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16x1xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// router_w must be a float storage type.
func.func @moe_router_f64(%x: tensor<?x16xf32>, %r: tensor<4x16xf64>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'router_w' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf64>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// router_w must have the element type of x.
func.func @moe_router_mixed(%x: tensor<?x16xf32>, %r: tensor<4x16xbf16>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'router_w' must have element type 'f32' like 'x', got 'bf16'}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xbf16>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// router_w[E, D] against x[..., D].
func.func @moe_router_d(%x: tensor<?x16xf32>, %r: tensor<4x8xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'router_w' dimension 1 (D, the last dimension of 'x') must be 16, got 8}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x8xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// w_gate is [E, F, D].
func.func @moe_w_gate_rank(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_gate' must have rank 3, got 2}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// w_up is [E, F, D].
func.func @moe_w_up_rank(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<1x4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_up' must have rank 3, got 4}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<1x4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// w_down is [E, D, F].
func.func @moe_w_down_rank(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_down' must have rank 3, got 2}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16xf32>
  return
}

// -----

// w_gate must be a float storage type.
func.func @moe_w_gate_f64(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf64>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_gate' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf64>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// w_gate must have the element type of x.
func.func @moe_w_gate_mixed(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf16>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_gate' must have element type 'f32' like 'x', got 'f16'}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf16>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// w_up must be a float storage type.
func.func @moe_w_up_f64(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf64>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_up' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf64>, tensor<4x16x32xf32>
  return
}

// -----

// w_up must have the element type of x.
func.func @moe_w_up_mixed(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xbf16>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_up' must have element type 'f32' like 'x', got 'bf16'}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xbf16>, tensor<4x16x32xf32>
  return
}

// -----

// w_down must be a float storage type.
func.func @moe_w_down_f64(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf64>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_down' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf64>
  return
}

// -----

// w_down must have the element type of x.
func.func @moe_w_down_mixed(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf16>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_down' must have element type 'f32' like 'x', got 'f16'}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf16>
  return
}

// -----

// w_gate[E, F, D] against router_w[E, D].
func.func @moe_w_gate_experts(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<3x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_gate' dimension 0 (E, dimension 0 of 'router_w') must be 4, got 3}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<3x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// w_gate[E, F, D] against x[..., D].
func.func @moe_w_gate_d(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x8xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_gate' dimension 2 (D, the last dimension of 'x') must be 16, got 8}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x8xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// w_up[E, F, D] against router_w[E, D].
func.func @moe_w_up_experts(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<5x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_up' dimension 0 (E, dimension 0 of 'router_w') must be 4, got 5}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<5x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// w_up[E, F, D] against w_gate[E, F, D].
func.func @moe_w_up_f(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x16x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_up' dimension 1 (F, dimension 1 of 'w_gate') must be 32, got 16}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x16x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// w_up[E, F, D] against x[..., D].
func.func @moe_w_up_d(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x8xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_up' dimension 2 (D, the last dimension of 'x') must be 16, got 8}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x8xf32>, tensor<4x16x32xf32>
  return
}

// -----

// w_down[E, D, F] against router_w[E, D].
func.func @moe_w_down_experts(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<2x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_down' dimension 0 (E, dimension 0 of 'router_w') must be 4, got 2}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<2x16x32xf32>
  return
}

// -----

// w_down[E, D, F] against x[..., D].
func.func @moe_w_down_d(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x8x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_down' dimension 1 (D, the last dimension of 'x') must be 16, got 8}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x8x32xf32>
  return
}

// -----

// w_down[E, D, F] against w_gate[E, F, D].
func.func @moe_w_down_f(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x64xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_down' dimension 2 (F, dimension 1 of 'w_gate') must be 32, got 64}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x64xf32>
  return
}

// -----

// with router_w's E dynamic, the expert weights still agree.
func.func @moe_experts_from_w_gate(%x: tensor<?x16xf32>, %r: tensor<?x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<5x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_up' dimension 0 (E, dimension 0 of 'w_gate') must be 4, got 5}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<?x16xf32>, tensor<4x32x16xf32>, tensor<5x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// with x's D dynamic, the weights meet router_w's D.
func.func @moe_d_from_router(%x: tensor<?x?xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x8xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op operand 'w_gate' dimension 2 (D, dimension 1 of 'router_w') must be 16, got 8}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64} : tensor<?x?xf32>, tensor<4x16xf32>, tensor<4x32x8xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// top_k has no default.
func.func @moe_top_k_missing(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op requires attribute 'top_k'}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// at least one expert per token.
func.func @moe_top_k_zero(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op attribute 'top_k' must be >= 1, got 0}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 0 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// at most E experts per token.
func.func @moe_top_k_too_large(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op attribute 'top_k' must be <= 4 (E, the number of experts, dimension 0 of 'router_w'), got 5}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 5 : i64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// E known only from w_down.
func.func @moe_top_k_too_large_from_w_down(%x: tensor<?x16xf32>, %r: tensor<?x16xf32>, %wg: tensor<?x32x16xf32>, %wu: tensor<?x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op attribute 'top_k' must be <= 4 (E, the number of experts, dimension 0 of 'w_down'), got 5}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 5 : i64} : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x32x16xf32>, tensor<?x32x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// expert indices are i32.
func.func @moe_top_k_i32_range(%x: tensor<?x16xf32>, %r: tensor<?x16xf32>, %wg: tensor<?x32x16xf32>, %wu: tensor<?x32x16xf32>, %wd: tensor<?x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op attribute 'top_k' must be <= 2147483647 (expert indices are i32), got 4294967296}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 4294967296 : i64} : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x32x16xf32>, tensor<?x32x16xf32>, tensor<?x16x32xf32>
  return
}

// -----

// capacity_factor must be a finite value > 0.
func.func @moe_capacity_zero(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.moe' op attribute 'capacity_factor' must be a finite value > 0, got 0}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {top_k = 2 : i64, capacity_factor = 0.0 : f64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return
}
