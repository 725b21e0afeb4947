// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// Every verifier and inference diagnostic of xfmr.gated_activation, one case each:
// the full message, so that a change in its wording is caught.

// gate must be a float storage type.
func.func @gated_activation_gate_f64(%g: tensor<?x704xf64>, %u: tensor<?x704xf64>) {
  // expected-error @+1 {{'xfmr.gated_activation' op operand 'gate' must have element type f32, f16 or bf16, got 'f64'}}
  %h = xfmr.gated_activation <silu> %g, %u : tensor<?x704xf64>, tensor<?x704xf64>
  return
}

// -----

// gate needs a feature dimension.
func.func @gated_activation_gate_rank0(%g: tensor<f32>, %u: tensor<f32>) {
  // expected-error @+1 {{'xfmr.gated_activation' op operand 'gate' must have rank >= 1, got 0}}
  %h = xfmr.gated_activation <silu> %g, %u : tensor<f32>, tensor<f32>
  return
}

// -----

// up must be a float storage type.
func.func @gated_activation_up_f64(%g: tensor<?x704xf32>, %u: tensor<?x704xf64>) {
  // expected-error @+1 {{'xfmr.gated_activation' op operand 'up' must have element type f32, f16 or bf16, got 'f64'}}
  %h = xfmr.gated_activation <silu> %g, %u : tensor<?x704xf32>, tensor<?x704xf64>
  return
}

// -----

// up must have the element type of gate.
func.func @gated_activation_up_mixed(%g: tensor<?x704xf32>, %u: tensor<?x704xbf16>) {
  // expected-error @+1 {{'xfmr.gated_activation' op operand 'up' must have element type 'f32' like 'gate', got 'bf16'}}
  %h = xfmr.gated_activation <silu> %g, %u : tensor<?x704xf32>, tensor<?x704xbf16>
  return
}

// -----

// up must have the rank of gate.
func.func @gated_activation_up_rank(%g: tensor<?x704xf32>, %u: tensor<2x?x704xf32>) {
  // expected-error @+1 {{'xfmr.gated_activation' op operand 'up' must have rank 2, got 3}}
  %h = xfmr.gated_activation <silu> %g, %u : tensor<?x704xf32>, tensor<2x?x704xf32>
  return
}

// -----

// up[..., F] against gate[..., F].
func.func @gated_activation_up_features(%g: tensor<?x704xf32>, %u: tensor<?x703xf32>) {
  // expected-error @+1 {{'xfmr.gated_activation' op operand 'up' dimension 1 (F, the last dimension of 'gate') must be 704, got 703}}
  %h = xfmr.gated_activation <silu> %g, %u : tensor<?x704xf32>, tensor<?x703xf32>
  return
}

// -----

// batch dimensions must agree.
func.func @gated_activation_up_batch(%g: tensor<4x704xf32>, %u: tensor<5x704xf32>) {
  // expected-error @+1 {{'xfmr.gated_activation' op operand 'up' dimension 0 (a batch dimension, dimension 0 of 'gate') must be 4, got 5}}
  %h = xfmr.gated_activation <silu> %g, %u : tensor<4x704xf32>, tensor<5x704xf32>
  return
}
