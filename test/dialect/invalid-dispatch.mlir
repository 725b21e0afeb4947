// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// Every verifier and inference diagnostic of xfmr.dispatch, one case each:
// the full message, so that a change in its wording is caught.

// x must be a float storage type.
func.func @dispatch_x_f64(%x: tensor<?x16xf64>, %e: tensor<?x2xi32>) {
  // expected-error @+1 {{'xfmr.dispatch' op operand 'x' must have element type f32, f16 or bf16, got 'f64'}}
  %sx, %off, %ord = xfmr.dispatch %x, %e {num_experts = 4 : i64} : tensor<?x16xf64>, tensor<?x2xi32>
  return
}

// -----

// x is [T, D].
func.func @dispatch_x_rank(%x: tensor<2x?x16xf32>, %e: tensor<?x2xi32>) {
  // expected-error @+1 {{'xfmr.dispatch' op operand 'x' must have rank 2, got 3}}
  %sx, %off, %ord = xfmr.dispatch %x, %e {num_experts = 4 : i64} : tensor<2x?x16xf32>, tensor<?x2xi32>
  return
}

// -----

// experts are [T, k].
func.func @dispatch_experts_rank(%x: tensor<?x16xf32>, %e: tensor<?xi32>) {
  // expected-error @+1 {{'xfmr.dispatch' op operand 'experts' must have rank 2, got 1}}
  %sx, %off, %ord = xfmr.dispatch %x, %e {num_experts = 4 : i64} : tensor<?x16xf32>, tensor<?xi32>
  return
}

// -----

// experts are i32, as topk_router makes them.
func.func @dispatch_experts_i64(%x: tensor<?x16xf32>, %e: tensor<?x2xi64>) {
  // expected-error @+1 {{'xfmr.dispatch' op operand 'experts' must have element type i32, got 'i64'}}
  %sx, %off, %ord = xfmr.dispatch %x, %e {num_experts = 4 : i64} : tensor<?x16xf32>, tensor<?x2xi64>
  return
}

// -----

// experts[T, k] against x[T, D].
func.func @dispatch_experts_tokens(%x: tensor<4x16xf32>, %e: tensor<5x2xi32>) {
  // expected-error @+1 {{'xfmr.dispatch' op operand 'experts' dimension 0 (T, dimension 0 of 'x') must be 4, got 5}}
  %sx, %off, %ord = xfmr.dispatch %x, %e {num_experts = 4 : i64} : tensor<4x16xf32>, tensor<5x2xi32>
  return
}

// -----

// num_experts has no default.
func.func @dispatch_num_experts_missing(%x: tensor<?x16xf32>, %e: tensor<?x2xi32>) {
  // expected-error @+1 {{'xfmr.dispatch' op requires attribute 'num_experts'}}
  %sx, %off, %ord = xfmr.dispatch %x, %e : tensor<?x16xf32>, tensor<?x2xi32>
  return
}

// -----

// at least one expert.
func.func @dispatch_num_experts_zero(%x: tensor<?x16xf32>, %e: tensor<?x2xi32>) {
  // expected-error @+1 {{'xfmr.dispatch' op attribute 'num_experts' must be >= 1, got 0}}
  %sx, %off, %ord = xfmr.dispatch %x, %e {num_experts = 0 : i64} : tensor<?x16xf32>, tensor<?x2xi32>
  return
}

// -----

// expert indices are i32.
func.func @dispatch_num_experts_i32_range(%x: tensor<?x16xf32>, %e: tensor<?x2xi32>) {
  // expected-error @+1 {{'xfmr.dispatch' op attribute 'num_experts' must be <= 2147483647 (expert indices are i32), got 4294967296}}
  %sx, %off, %ord = xfmr.dispatch %x, %e {num_experts = 4294967296 : i64} : tensor<?x16xf32>, tensor<?x2xi32>
  return
}

// -----

// row indices are i32.
func.func @dispatch_rows_i32_range(%x: tensor<65536x16xf32>, %e: tensor<65536x65536xi32>) {
  // expected-error @+1 {{'xfmr.dispatch' op operand 'experts' holds T·k = 65536·65536 (token, slot) pairs, more than the 2147483647 that the i32 'order' and 'offsets' can index}}
  %sx, %off, %ord = xfmr.dispatch %x, %e {num_experts = 4 : i64} : tensor<65536x16xf32>, tensor<65536x65536xi32>
  return
}

// -----

// capacity_factor must be a finite value > 0.
func.func @dispatch_capacity_negative(%x: tensor<?x16xf32>, %e: tensor<?x2xi32>) {
  // expected-error @+1 {{'xfmr.dispatch' op attribute 'capacity_factor' must be a finite value > 0, got -1}}
  %sx, %off, %ord = xfmr.dispatch %x, %e {num_experts = 4 : i64, capacity_factor = -1.0 : f64} : tensor<?x16xf32>, tensor<?x2xi32>
  return
}
