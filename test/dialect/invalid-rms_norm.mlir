// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// Every verifier and inference diagnostic of xfmr.rms_norm, one case each:
// the full message, so that a change in its wording is caught.

// x must be a float storage type.
func.func @rms_norm_x_f64(%x: tensor<?x256xf64>, %g: tensor<256xf64>) {
  // expected-error @+1 {{'xfmr.rms_norm' op operand 'x' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.rms_norm %x, %g : tensor<?x256xf64>, tensor<256xf64>
  return
}

// -----

// x needs a feature dimension.
func.func @rms_norm_x_rank0(%x: tensor<f32>, %g: tensor<256xf32>) {
  // expected-error @+1 {{'xfmr.rms_norm' op operand 'x' must have rank >= 1, got 0}}
  %y = xfmr.rms_norm %x, %g : tensor<f32>, tensor<256xf32>
  return
}

// -----

// weight is [D].
func.func @rms_norm_weight_rank(%x: tensor<?x256xf32>, %g: tensor<1x256xf32>) {
  // expected-error @+1 {{'xfmr.rms_norm' op operand 'weight' must have rank 1, got 2}}
  %y = xfmr.rms_norm %x, %g : tensor<?x256xf32>, tensor<1x256xf32>
  return
}

// -----

// weight must be a float storage type.
func.func @rms_norm_weight_f64(%x: tensor<?x256xf32>, %g: tensor<256xf64>) {
  // expected-error @+1 {{'xfmr.rms_norm' op operand 'weight' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.rms_norm %x, %g : tensor<?x256xf32>, tensor<256xf64>
  return
}

// -----

// weight must have the element type of x.
func.func @rms_norm_weight_mixed(%x: tensor<?x256xf32>, %g: tensor<256xbf16>) {
  // expected-error @+1 {{'xfmr.rms_norm' op operand 'weight' must have element type 'f32' like 'x', got 'bf16'}}
  %y = xfmr.rms_norm %x, %g : tensor<?x256xf32>, tensor<256xbf16>
  return
}

// -----

// weight[D] against x[..., D].
func.func @rms_norm_weight_d(%x: tensor<?x256xf32>, %g: tensor<128xf32>) {
  // expected-error @+1 {{'xfmr.rms_norm' op operand 'weight' dimension 0 (D, the last dimension of 'x') must be 256, got 128}}
  %y = xfmr.rms_norm %x, %g : tensor<?x256xf32>, tensor<128xf32>
  return
}

// -----

// the mean over zero features is undefined.
func.func @rms_norm_zero_features(%x: tensor<?x0xf32>, %g: tensor<0xf32>) {
  // expected-error @+1 {{'xfmr.rms_norm' op operand 'x' dimension 1 (D, the normalised features) must be >= 1, got 0}}
  %y = xfmr.rms_norm %x, %g : tensor<?x0xf32>, tensor<0xf32>
  return
}

// -----

// D = 0 known only from weight.
func.func @rms_norm_zero_features_from_weight(%x: tensor<?x?xf32>, %g: tensor<0xf32>) {
  // expected-error @+1 {{'xfmr.rms_norm' op operand 'weight' dimension 0 (D, the normalised features) must be >= 1, got 0}}
  %y = xfmr.rms_norm %x, %g : tensor<?x?xf32>, tensor<0xf32>
  return
}

// -----

// epsilon must be >= 0.
func.func @rms_norm_eps_negative(%x: tensor<?x256xf32>, %g: tensor<256xf32>) {
  // expected-error @+1 {{'xfmr.rms_norm' op attribute 'epsilon' must be a finite value >= 0, got -1.000000e+00}}
  %y = xfmr.rms_norm %x, %g {epsilon = -1.0 : f32} : tensor<?x256xf32>, tensor<256xf32>
  return
}

// -----

// epsilon must be finite.
func.func @rms_norm_eps_inf(%x: tensor<?x256xf32>, %g: tensor<256xf32>) {
  // expected-error @+1 {{'xfmr.rms_norm' op attribute 'epsilon' must be a finite value >= 0, got INF}}
  %y = xfmr.rms_norm %x, %g {epsilon = 0x7F800000 : f32} : tensor<?x256xf32>, tensor<256xf32>
  return
}

// -----

// epsilon must not be NaN.
func.func @rms_norm_eps_nan(%x: tensor<?x256xf32>, %g: tensor<256xf32>) {
  // expected-error @+1 {{'xfmr.rms_norm' op attribute 'epsilon' must be a finite value >= 0, got nan}}
  %y = xfmr.rms_norm %x, %g {epsilon = 0x7FC00000 : f32} : tensor<?x256xf32>, tensor<256xf32>
  return
}
