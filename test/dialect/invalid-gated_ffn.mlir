// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// Every verifier and inference diagnostic of xfmr.gated_ffn, one case each:
// the full message, so that a change in its wording is caught.

// x must be a float storage type.
func.func @gated_ffn_x_f64(%x: tensor<?x16xf64>, %wg: tensor<64x16xf64>, %wu: tensor<64x16xf64>, %wd: tensor<16x64xf64>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'x' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf64>, tensor<64x16xf64>, tensor<64x16xf64>, tensor<16x64xf64>
  return
}

// -----

// x needs a feature dimension.
func.func @gated_ffn_x_rank0(%x: tensor<f32>, %wg: tensor<64x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'x' must have rank >= 1, got 0}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<f32>, tensor<64x16xf32>, tensor<64x16xf32>, tensor<16x64xf32>
  return
}

// -----

// w_gate is [F, D].
func.func @gated_ffn_w_gate_rank(%x: tensor<?x16xf32>, %wg: tensor<64xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_gate' must have rank 2, got 1}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>
  return
}

// -----

// w_up is [F, D].
func.func @gated_ffn_w_up_rank(%x: tensor<?x16xf32>, %wg: tensor<64x16xf32>, %wu: tensor<1x64x16xf32>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_up' must have rank 2, got 3}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf32>, tensor<1x64x16xf32>, tensor<16x64xf32>
  return
}

// -----

// w_down is [D, F].
func.func @gated_ffn_w_down_rank(%x: tensor<?x16xf32>, %wg: tensor<64x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64x1xf32>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_down' must have rank 2, got 3}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf32>, tensor<64x16xf32>, tensor<16x64x1xf32>
  return
}

// -----

// w_gate must be a float storage type.
func.func @gated_ffn_w_gate_f64(%x: tensor<?x16xf32>, %wg: tensor<64x16xf64>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_gate' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf64>, tensor<64x16xf32>, tensor<16x64xf32>
  return
}

// -----

// w_gate must have the element type of x.
func.func @gated_ffn_w_gate_mixed(%x: tensor<?x16xf32>, %wg: tensor<64x16xbf16>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_gate' must have element type 'f32' like 'x', got 'bf16'}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<64x16xbf16>, tensor<64x16xf32>, tensor<16x64xf32>
  return
}

// -----

// w_up must be a float storage type.
func.func @gated_ffn_w_up_f64(%x: tensor<?x16xf32>, %wg: tensor<64x16xf32>, %wu: tensor<64x16xf64>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_up' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf32>, tensor<64x16xf64>, tensor<16x64xf32>
  return
}

// -----

// w_up must have the element type of x.
func.func @gated_ffn_w_up_mixed(%x: tensor<?x16xf32>, %wg: tensor<64x16xf32>, %wu: tensor<64x16xf16>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_up' must have element type 'f32' like 'x', got 'f16'}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf32>, tensor<64x16xf16>, tensor<16x64xf32>
  return
}

// -----

// w_down must be a float storage type.
func.func @gated_ffn_w_down_f64(%x: tensor<?x16xf32>, %wg: tensor<64x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf64>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_down' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf32>, tensor<64x16xf32>, tensor<16x64xf64>
  return
}

// -----

// w_down must have the element type of x.
func.func @gated_ffn_w_down_mixed(%x: tensor<?x16xf32>, %wg: tensor<64x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xbf16>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_down' must have element type 'f32' like 'x', got 'bf16'}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf32>, tensor<64x16xf32>, tensor<16x64xbf16>
  return
}

// -----

// w_gate[F, D] against x[..., D].
func.func @gated_ffn_w_gate_d(%x: tensor<?x16xf32>, %wg: tensor<64x8xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_gate' dimension 1 (D, the last dimension of 'x') must be 16, got 8}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<64x8xf32>, tensor<64x16xf32>, tensor<16x64xf32>
  return
}

// -----

// w_up[F, D] against w_gate[F, D].
func.func @gated_ffn_w_up_f(%x: tensor<?x16xf32>, %wg: tensor<64x16xf32>, %wu: tensor<32x16xf32>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_up' dimension 0 (F, dimension 0 of 'w_gate') must be 64, got 32}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf32>, tensor<32x16xf32>, tensor<16x64xf32>
  return
}

// -----

// w_up[F, D] against x[..., D].
func.func @gated_ffn_w_up_d(%x: tensor<?x16xf32>, %wg: tensor<64x16xf32>, %wu: tensor<64x8xf32>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_up' dimension 1 (D, the last dimension of 'x') must be 16, got 8}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf32>, tensor<64x8xf32>, tensor<16x64xf32>
  return
}

// -----

// w_down[D, F] against x[..., D].
func.func @gated_ffn_w_down_d(%x: tensor<?x16xf32>, %wg: tensor<64x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<8x64xf32>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_down' dimension 0 (D, the last dimension of 'x') must be 16, got 8}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf32>, tensor<64x16xf32>, tensor<8x64xf32>
  return
}

// -----

// w_down[D, F] against w_gate[F, D].
func.func @gated_ffn_w_down_f(%x: tensor<?x16xf32>, %wg: tensor<64x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x32xf32>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_down' dimension 1 (F, dimension 0 of 'w_gate') must be 64, got 32}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf32>, tensor<64x16xf32>, tensor<16x32xf32>
  return
}

// -----

// with x's D dynamic, the weights still agree.
func.func @gated_ffn_w_up_d_from_w_gate(%x: tensor<?x?xf32>, %wg: tensor<64x16xf32>, %wu: tensor<64x32xf32>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_up' dimension 1 (D, dimension 1 of 'w_gate') must be 16, got 32}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x?xf32>, tensor<64x16xf32>, tensor<64x32xf32>, tensor<16x64xf32>
  return
}

// -----

// with w_gate's F dynamic, w_down meets w_up's F.
func.func @gated_ffn_w_down_f_from_w_up(%x: tensor<?x16xf32>, %wg: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x32xf32>) {
  // expected-error @+1 {{'xfmr.gated_ffn' op operand 'w_down' dimension 1 (F, dimension 0 of 'w_up') must be 64, got 32}}
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x16xf32>, tensor<?x16xf32>, tensor<64x16xf32>, tensor<16x32xf32>
  return
}
