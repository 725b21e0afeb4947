// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// Every verifier and inference diagnostic of xfmr.linear, one case each:
// the full message, so that a change in its wording is caught.

// x must be f32, f16 or bf16.
func.func @linear_x_f64(%x: tensor<?x64xf64>, %w: tensor<128x64xf64>) {
  // expected-error @+1 {{'xfmr.linear' op operand 'x' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.linear %x, %w : tensor<?x64xf64>, tensor<128x64xf64>
  return
}

// -----

// integer activations are not a storage type.
func.func @linear_x_i32(%x: tensor<?x64xi32>, %w: tensor<128x64xi32>) {
  // expected-error @+1 {{'xfmr.linear' op operand 'x' must have element type f32, f16 or bf16, got 'i32'}}
  %y = xfmr.linear %x, %w : tensor<?x64xi32>, tensor<128x64xi32>
  return
}

// -----

// x needs a feature dimension.
func.func @linear_x_rank0(%x: tensor<f32>, %w: tensor<128x64xf32>) {
  // expected-error @+1 {{'xfmr.linear' op operand 'x' must have rank >= 1, got 0}}
  %y = xfmr.linear %x, %w : tensor<f32>, tensor<128x64xf32>
  return
}

// -----

// w is [N, K].
func.func @linear_w_rank(%x: tensor<?x64xf32>, %w: tensor<128x64x1xf32>) {
  // expected-error @+1 {{'xfmr.linear' op operand 'w' must have rank 2, got 3}}
  %y = xfmr.linear %x, %w : tensor<?x64xf32>, tensor<128x64x1xf32>
  return
}

// -----

// w must be a float storage type.
func.func @linear_w_f64(%x: tensor<?x64xf32>, %w: tensor<128x64xf64>) {
  // expected-error @+1 {{'xfmr.linear' op operand 'w' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.linear %x, %w : tensor<?x64xf32>, tensor<128x64xf64>
  return
}

// -----

// w must have the element type of x.
func.func @linear_w_mixed(%x: tensor<?x64xf32>, %w: tensor<128x64xbf16>) {
  // expected-error @+1 {{'xfmr.linear' op operand 'w' must have element type 'f32' like 'x', got 'bf16'}}
  %y = xfmr.linear %x, %w : tensor<?x64xf32>, tensor<128x64xbf16>
  return
}

// -----

// w[N, K] against x[..., K].
func.func @linear_w_in_features(%x: tensor<?x64xf32>, %w: tensor<128x32xf32>) {
  // expected-error @+1 {{'xfmr.linear' op operand 'w' dimension 1 (in_features, the last dimension of 'x') must be 64, got 32}}
  %y = xfmr.linear %x, %w : tensor<?x64xf32>, tensor<128x32xf32>
  return
}

// -----

// b is [N].
func.func @linear_b_rank(%x: tensor<?x64xf32>, %w: tensor<128x64xf32>, %b: tensor<1x128xf32>) {
  // expected-error @+1 {{'xfmr.linear' op operand 'b' must have rank 1, got 2}}
  %y = xfmr.linear %x, %w, %b : tensor<?x64xf32>, tensor<128x64xf32>, tensor<1x128xf32>
  return
}

// -----

// b must be a float storage type.
func.func @linear_b_f64(%x: tensor<?x64xf32>, %w: tensor<128x64xf32>, %b: tensor<128xf64>) {
  // expected-error @+1 {{'xfmr.linear' op operand 'b' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.linear %x, %w, %b : tensor<?x64xf32>, tensor<128x64xf32>, tensor<128xf64>
  return
}

// -----

// b must have the element type of x.
func.func @linear_b_mixed(%x: tensor<?x64xf32>, %w: tensor<128x64xf32>, %b: tensor<128xf16>) {
  // expected-error @+1 {{'xfmr.linear' op operand 'b' must have element type 'f32' like 'x', got 'f16'}}
  %y = xfmr.linear %x, %w, %b : tensor<?x64xf32>, tensor<128x64xf32>, tensor<128xf16>
  return
}

// -----

// b[N] against w[N, K].
func.func @linear_b_out_features(%x: tensor<?x64xf32>, %w: tensor<128x64xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{'xfmr.linear' op operand 'b' dimension 0 (out_features, dimension 0 of 'w') must be 128, got 64}}
  %y = xfmr.linear %x, %w, %b : tensor<?x64xf32>, tensor<128x64xf32>, tensor<64xf32>
  return
}
