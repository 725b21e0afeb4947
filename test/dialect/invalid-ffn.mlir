// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// Every verifier and inference diagnostic of xfmr.ffn, one case each:
// the full message, so that a change in its wording is caught.

// x must be a float storage type.
func.func @ffn_x_f64(%x: tensor<?x16xf64>, %wu: tensor<64x16xf64>, %wd: tensor<16x64xf64>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'x' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd : tensor<?x16xf64>, tensor<64x16xf64>, tensor<16x64xf64>
  return
}

// -----

// x needs a feature dimension.
func.func @ffn_x_rank0(%x: tensor<f32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'x' must have rank >= 1, got 0}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd : tensor<f32>, tensor<64x16xf32>, tensor<16x64xf32>
  return
}

// -----

// w_up is [F, D].
func.func @ffn_w_up_rank(%x: tensor<?x16xf32>, %wu: tensor<64x16x1xf32>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'w_up' must have rank 2, got 3}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd : tensor<?x16xf32>, tensor<64x16x1xf32>, tensor<16x64xf32>
  return
}

// -----

// w_down is [D, F].
func.func @ffn_w_down_rank(%x: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16xf32>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'w_down' must have rank 2, got 1}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf32>, tensor<16xf32>
  return
}

// -----

// w_up must be a float storage type.
func.func @ffn_w_up_f64(%x: tensor<?x16xf32>, %wu: tensor<64x16xf64>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'w_up' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf64>, tensor<16x64xf32>
  return
}

// -----

// w_up must have the element type of x.
func.func @ffn_w_up_mixed(%x: tensor<?x16xf32>, %wu: tensor<64x16xf16>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'w_up' must have element type 'f32' like 'x', got 'f16'}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf16>, tensor<16x64xf32>
  return
}

// -----

// w_down must be a float storage type.
func.func @ffn_w_down_f64(%x: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf64>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'w_down' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf32>, tensor<16x64xf64>
  return
}

// -----

// w_down must have the element type of x.
func.func @ffn_w_down_mixed(%x: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xbf16>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'w_down' must have element type 'f32' like 'x', got 'bf16'}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf32>, tensor<16x64xbf16>
  return
}

// -----

// w_up[F, D] against x[..., D].
func.func @ffn_w_up_d(%x: tensor<?x16xf32>, %wu: tensor<64x8xf32>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'w_up' dimension 1 (D, the last dimension of 'x') must be 16, got 8}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd : tensor<?x16xf32>, tensor<64x8xf32>, tensor<16x64xf32>
  return
}

// -----

// w_down[D, F] against x[..., D].
func.func @ffn_w_down_d(%x: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<8x64xf32>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'w_down' dimension 0 (D, the last dimension of 'x') must be 16, got 8}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf32>, tensor<8x64xf32>
  return
}

// -----

// w_down[D, F] against w_up[F, D].
func.func @ffn_w_down_f(%x: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x32xf32>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'w_down' dimension 1 (F, dimension 0 of 'w_up') must be 64, got 32}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd : tensor<?x16xf32>, tensor<64x16xf32>, tensor<16x32xf32>
  return
}

// -----

// with x's D dynamic, the weights still agree.
func.func @ffn_w_down_d_from_w_up(%x: tensor<?x?xf32>, %wu: tensor<64x16xf32>, %wd: tensor<8x64xf32>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'w_down' dimension 0 (D, dimension 1 of 'w_up') must be 16, got 8}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd : tensor<?x?xf32>, tensor<64x16xf32>, tensor<8x64xf32>
  return
}

// -----

// b_up is [F].
func.func @ffn_b_up_rank(%x: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>, %bu: tensor<1x64xf32>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'b_up' must have rank 1, got 2}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd b_up(%bu : tensor<1x64xf32>) : tensor<?x16xf32>, tensor<64x16xf32>, tensor<16x64xf32>
  return
}

// -----

// b_up must be a float storage type.
func.func @ffn_b_up_f64(%x: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>, %bu: tensor<64xf64>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'b_up' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd b_up(%bu : tensor<64xf64>) : tensor<?x16xf32>, tensor<64x16xf32>, tensor<16x64xf32>
  return
}

// -----

// b_up must have the element type of x.
func.func @ffn_b_up_mixed(%x: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>, %bu: tensor<64xf16>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'b_up' must have element type 'f32' like 'x', got 'f16'}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd b_up(%bu : tensor<64xf16>) : tensor<?x16xf32>, tensor<64x16xf32>, tensor<16x64xf32>
  return
}

// -----

// b_up[F] against w_up[F, D].
func.func @ffn_b_up_f(%x: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>, %bu: tensor<32xf32>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'b_up' dimension 0 (F, dimension 0 of 'w_up') must be 64, got 32}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd b_up(%bu : tensor<32xf32>) : tensor<?x16xf32>, tensor<64x16xf32>, tensor<16x64xf32>
  return
}

// -----

// with w_up's F dynamic, b_up meets w_down's F.
func.func @ffn_b_up_f_from_w_down(%x: tensor<?x16xf32>, %wu: tensor<?x16xf32>, %wd: tensor<16x64xf32>, %bu: tensor<32xf32>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'b_up' dimension 0 (F, dimension 1 of 'w_down') must be 64, got 32}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd b_up(%bu : tensor<32xf32>) : tensor<?x16xf32>, tensor<?x16xf32>, tensor<16x64xf32>
  return
}

// -----

// b_down is [D].
func.func @ffn_b_down_rank(%x: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>, %bd: tensor<16x1xf32>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'b_down' must have rank 1, got 2}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd b_down(%bd : tensor<16x1xf32>) : tensor<?x16xf32>, tensor<64x16xf32>, tensor<16x64xf32>
  return
}

// -----

// b_down must be a float storage type.
func.func @ffn_b_down_f64(%x: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>, %bd: tensor<16xf64>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'b_down' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd b_down(%bd : tensor<16xf64>) : tensor<?x16xf32>, tensor<64x16xf32>, tensor<16x64xf32>
  return
}

// -----

// b_down must have the element type of x.
func.func @ffn_b_down_mixed(%x: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>, %bd: tensor<16xbf16>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'b_down' must have element type 'f32' like 'x', got 'bf16'}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd b_down(%bd : tensor<16xbf16>) : tensor<?x16xf32>, tensor<64x16xf32>, tensor<16x64xf32>
  return
}

// -----

// b_down[D] against x[..., D].
func.func @ffn_b_down_d(%x: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>, %bd: tensor<8xf32>) {
  // expected-error @+1 {{'xfmr.ffn' op operand 'b_down' dimension 0 (D, the last dimension of 'x') must be 16, got 8}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd b_down(%bd : tensor<8xf32>) : tensor<?x16xf32>, tensor<64x16xf32>, tensor<16x64xf32>
  return
}
