// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// Every verifier and inference diagnostic of xfmr.layer_norm, one case each:
// the full message, so that a change in its wording is caught.

// x must be a float storage type.
func.func @layer_norm_x_f64(%x: tensor<?x256xf64>, %g: tensor<256xf64>, %b: tensor<256xf64>) {
  // expected-error @+1 {{'xfmr.layer_norm' op operand 'x' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.layer_norm %x, %g, %b : tensor<?x256xf64>, tensor<256xf64>, tensor<256xf64>
  return
}

// -----

// x needs a feature dimension.
func.func @layer_norm_x_rank0(%x: tensor<f32>, %g: tensor<256xf32>, %b: tensor<256xf32>) {
  // expected-error @+1 {{'xfmr.layer_norm' op operand 'x' must have rank >= 1, got 0}}
  %y = xfmr.layer_norm %x, %g, %b : tensor<f32>, tensor<256xf32>, tensor<256xf32>
  return
}

// -----

// weight is [D].
func.func @layer_norm_weight_rank(%x: tensor<?x256xf32>, %g: tensor<256x1xf32>, %b: tensor<256xf32>) {
  // expected-error @+1 {{'xfmr.layer_norm' op operand 'weight' must have rank 1, got 2}}
  %y = xfmr.layer_norm %x, %g, %b : tensor<?x256xf32>, tensor<256x1xf32>, tensor<256xf32>
  return
}

// -----

// bias is [D].
func.func @layer_norm_bias_rank(%x: tensor<?x256xf32>, %g: tensor<256xf32>, %b: tensor<f32>) {
  // expected-error @+1 {{'xfmr.layer_norm' op operand 'bias' must have rank 1, got 0}}
  %y = xfmr.layer_norm %x, %g, %b : tensor<?x256xf32>, tensor<256xf32>, tensor<f32>
  return
}

// -----

// weight must be a float storage type.
func.func @layer_norm_weight_f64(%x: tensor<?x256xf32>, %g: tensor<256xf64>, %b: tensor<256xf32>) {
  // expected-error @+1 {{'xfmr.layer_norm' op operand 'weight' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.layer_norm %x, %g, %b : tensor<?x256xf32>, tensor<256xf64>, tensor<256xf32>
  return
}

// -----

// weight must have the element type of x.
func.func @layer_norm_weight_mixed(%x: tensor<?x256xf32>, %g: tensor<256xf16>, %b: tensor<256xf32>) {
  // expected-error @+1 {{'xfmr.layer_norm' op operand 'weight' must have element type 'f32' like 'x', got 'f16'}}
  %y = xfmr.layer_norm %x, %g, %b : tensor<?x256xf32>, tensor<256xf16>, tensor<256xf32>
  return
}

// -----

// bias must be a float storage type.
func.func @layer_norm_bias_f64(%x: tensor<?x256xf32>, %g: tensor<256xf32>, %b: tensor<256xf64>) {
  // expected-error @+1 {{'xfmr.layer_norm' op operand 'bias' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.layer_norm %x, %g, %b : tensor<?x256xf32>, tensor<256xf32>, tensor<256xf64>
  return
}

// -----

// bias must have the element type of x.
func.func @layer_norm_bias_mixed(%x: tensor<?x256xf32>, %g: tensor<256xf32>, %b: tensor<256xbf16>) {
  // expected-error @+1 {{'xfmr.layer_norm' op operand 'bias' must have element type 'f32' like 'x', got 'bf16'}}
  %y = xfmr.layer_norm %x, %g, %b : tensor<?x256xf32>, tensor<256xf32>, tensor<256xbf16>
  return
}

// -----

// weight[D] against x[..., D].
func.func @layer_norm_weight_d(%x: tensor<?x256xf32>, %g: tensor<128xf32>, %b: tensor<256xf32>) {
  // expected-error @+1 {{'xfmr.layer_norm' op operand 'weight' dimension 0 (D, the last dimension of 'x') must be 256, got 128}}
  %y = xfmr.layer_norm %x, %g, %b : tensor<?x256xf32>, tensor<128xf32>, tensor<256xf32>
  return
}

// -----

// bias[D] against x[..., D].
func.func @layer_norm_bias_d(%x: tensor<?x256xf32>, %g: tensor<256xf32>, %b: tensor<128xf32>) {
  // expected-error @+1 {{'xfmr.layer_norm' op operand 'bias' dimension 0 (D, the last dimension of 'x') must be 256, got 128}}
  %y = xfmr.layer_norm %x, %g, %b : tensor<?x256xf32>, tensor<256xf32>, tensor<128xf32>
  return
}

// -----

// with x's D dynamic, weight and bias still agree.
func.func @layer_norm_bias_d_from_weight(%x: tensor<?x?xf32>, %g: tensor<256xf32>, %b: tensor<128xf32>) {
  // expected-error @+1 {{'xfmr.layer_norm' op operand 'bias' dimension 0 (D, dimension 0 of 'weight') must be 256, got 128}}
  %y = xfmr.layer_norm %x, %g, %b : tensor<?x?xf32>, tensor<256xf32>, tensor<128xf32>
  return
}

// -----

// the mean over zero features is undefined.
func.func @layer_norm_zero_features(%x: tensor<3x0xf32>, %g: tensor<0xf32>, %b: tensor<0xf32>) {
  // expected-error @+1 {{'xfmr.layer_norm' op operand 'x' dimension 1 (D, the normalised features) must be >= 1, got 0}}
  %y = xfmr.layer_norm %x, %g, %b : tensor<3x0xf32>, tensor<0xf32>, tensor<0xf32>
  return
}

// -----

// epsilon must be >= 0.
func.func @layer_norm_eps_negative(%x: tensor<?x256xf32>, %g: tensor<256xf32>, %b: tensor<256xf32>) {
  // expected-error @+1 {{'xfmr.layer_norm' op attribute 'epsilon' must be a finite value >= 0, got -1.000000e-05}}
  %y = xfmr.layer_norm %x, %g, %b {epsilon = -1.0e-05 : f32} : tensor<?x256xf32>, tensor<256xf32>, tensor<256xf32>
  return
}
