// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// Every verifier and inference diagnostic of xfmr.grouped_glu_ffn, one case each:
// the full message, so that a change in its wording is caught.

// sorted_x must be a float storage type.
func.func @grouped_glu_ffn_x_f64(%sx: tensor<?x16xf64>, %off: tensor<5xi32>, %wgu: tensor<4x64x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'sorted_x' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf64>, tensor<5xi32>, tensor<4x64x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// sorted_x is [R, D].
func.func @grouped_glu_ffn_x_rank(%sx: tensor<16xf32>, %off: tensor<5xi32>, %wgu: tensor<4x64x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'sorted_x' must have rank 2, got 1}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<16xf32>, tensor<5xi32>, tensor<4x64x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// offsets is [E + 1].
func.func @grouped_glu_ffn_offsets_rank(%sx: tensor<?x16xf32>, %off: tensor<1x5xi32>, %wgu: tensor<4x64x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'offsets' must have rank 1, got 2}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<1x5xi32>, tensor<4x64x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// offsets are i32.
func.func @grouped_glu_ffn_offsets_i64(%sx: tensor<?x16xf32>, %off: tensor<5xi64>, %wgu: tensor<4x64x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'offsets' must have element type i32, got 'i64'}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<5xi64>, tensor<4x64x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// w_gate_up is [E, 2F, D].
func.func @grouped_glu_ffn_w_gate_up_rank(%sx: tensor<?x16xf32>, %off: tensor<5xi32>, %wgu: tensor<64x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'w_gate_up' must have rank 3, got 2}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<5xi32>, tensor<64x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// w_down is [E, D, F].
func.func @grouped_glu_ffn_w_down_rank(%sx: tensor<?x16xf32>, %off: tensor<5xi32>, %wgu: tensor<4x64x16xf32>, %wd: tensor<16x32xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'w_down' must have rank 3, got 2}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<5xi32>, tensor<4x64x16xf32>, tensor<16x32xf32>
  return
}

// -----

// w_gate_up must be a float storage type.
func.func @grouped_glu_ffn_w_gate_up_f64(%sx: tensor<?x16xf32>, %off: tensor<5xi32>, %wgu: tensor<4x64x16xf64>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'w_gate_up' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<5xi32>, tensor<4x64x16xf64>, tensor<4x16x32xf32>
  return
}

// -----

// w_gate_up must have the element type of sorted_x.
func.func @grouped_glu_ffn_w_gate_up_mixed(%sx: tensor<?x16xf32>, %off: tensor<5xi32>, %wgu: tensor<4x64x16xf16>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'w_gate_up' must have element type 'f32' like 'sorted_x', got 'f16'}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<5xi32>, tensor<4x64x16xf16>, tensor<4x16x32xf32>
  return
}

// -----

// w_down must be a float storage type.
func.func @grouped_glu_ffn_w_down_f64(%sx: tensor<?x16xf32>, %off: tensor<5xi32>, %wgu: tensor<4x64x16xf32>, %wd: tensor<4x16x32xf64>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'w_down' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<5xi32>, tensor<4x64x16xf32>, tensor<4x16x32xf64>
  return
}

// -----

// w_down must have the element type of sorted_x.
func.func @grouped_glu_ffn_w_down_mixed(%sx: tensor<?x16xf32>, %off: tensor<5xi32>, %wgu: tensor<4x64x16xf32>, %wd: tensor<4x16x32xbf16>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'w_down' must have element type 'f32' like 'sorted_x', got 'bf16'}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<5xi32>, tensor<4x64x16xf32>, tensor<4x16x32xbf16>
  return
}

// -----

// w_gate_up[E, 2F, D] against sorted_x[R, D].
func.func @grouped_glu_ffn_w_gate_up_d(%sx: tensor<?x16xf32>, %off: tensor<5xi32>, %wgu: tensor<4x64x8xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'w_gate_up' dimension 2 (D, dimension 1 of 'sorted_x') must be 16, got 8}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<5xi32>, tensor<4x64x8xf32>, tensor<4x16x32xf32>
  return
}

// -----

// w_down[E, D, F] against w_gate_up[E, 2F, D].
func.func @grouped_glu_ffn_w_down_experts(%sx: tensor<?x16xf32>, %off: tensor<5xi32>, %wgu: tensor<4x64x16xf32>, %wd: tensor<5x16x32xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'w_down' dimension 0 (E, dimension 0 of 'w_gate_up') must be 4, got 5}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<5xi32>, tensor<4x64x16xf32>, tensor<5x16x32xf32>
  return
}

// -----

// w_down[E, D, F] against sorted_x[R, D].
func.func @grouped_glu_ffn_w_down_d(%sx: tensor<?x16xf32>, %off: tensor<5xi32>, %wgu: tensor<4x64x16xf32>, %wd: tensor<4x8x32xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'w_down' dimension 1 (D, dimension 1 of 'sorted_x') must be 16, got 8}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<5xi32>, tensor<4x64x16xf32>, tensor<4x8x32xf32>
  return
}

// -----

// The stacked dimension holds F gate rows and F up rows.
func.func @grouped_glu_ffn_w_gate_up_odd(%sx: tensor<?x16xf32>, %off: tensor<5xi32>, %wgu: tensor<4x63x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'w_gate_up' dimension 1 (2F, the gate and up rows) must be even, got 63}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<5xi32>, tensor<4x63x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// w_down[E, D, F] against half of w_gate_up[E, 2F, D].
func.func @grouped_glu_ffn_w_down_f(%sx: tensor<?x16xf32>, %off: tensor<5xi32>, %wgu: tensor<4x64x16xf32>, %wd: tensor<4x16x64xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'w_down' dimension 2 (F, half of dimension 1 of 'w_gate_up') must be 32, got 64}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<5xi32>, tensor<4x64x16xf32>, tensor<4x16x64xf32>
  return
}

// -----

// At least one expert.
func.func @grouped_glu_ffn_zero_experts(%sx: tensor<?x16xf32>, %off: tensor<?xi32>, %wgu: tensor<0x64x16xf32>, %wd: tensor<0x16x32xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'w_gate_up' dimension 0 (E, the number of experts) must be >= 1, got 0}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<?xi32>, tensor<0x64x16xf32>, tensor<0x16x32xf32>
  return
}

// -----

// offsets[E + 1] against w_gate_up[E, 2F, D].
func.func @grouped_glu_ffn_offsets_size(%sx: tensor<?x16xf32>, %off: tensor<4xi32>, %wgu: tensor<4x64x16xf32>, %wd: tensor<4x16x32xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'offsets' dimension 0 (E + 1, one more than dimension 0 of 'w_gate_up') must be 5, got 4}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<4xi32>, tensor<4x64x16xf32>, tensor<4x16x32xf32>
  return
}

// -----

// With E unknown, offsets still needs two entries.
func.func @grouped_glu_ffn_offsets_too_short(%sx: tensor<?x16xf32>, %off: tensor<1xi32>, %wgu: tensor<?x64x16xf32>, %wd: tensor<?x16x32xf32>) {
  // expected-error @+1 {{'xfmr.grouped_glu_ffn' op operand 'offsets' dimension 0 (E + 1, one more than the number of experts) must be >= 2, got 1}}
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd : tensor<?x16xf32>, tensor<1xi32>, tensor<?x64x16xf32>, tensor<?x16x32xf32>
  return
}
