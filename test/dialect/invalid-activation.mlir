// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// Every verifier and inference diagnostic of xfmr.activation, one case each:
// the full message, so that a change in its wording is caught.

// x must be f32, f16 or bf16.
func.func @activation_x_f64(%x: tensor<4xf64>) {
  // expected-error @+1 {{'xfmr.activation' op operand 'x' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.activation <relu> %x : tensor<4xf64>
  return
}
