// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// Every verifier and inference diagnostic of xfmr.glu, one case each:
// the full message, so that a change in its wording is caught.

// gu must be a float storage type.
func.func @glu_f64(%gu: tensor<?x8xf64>) {
  // expected-error @+1 {{'xfmr.glu' op operand 'gu' must have element type f32, f16 or bf16, got 'f64'}}
  %h = xfmr.glu <silu> %gu : tensor<?x8xf64>
  return
}

// -----

// gu needs a feature dimension.
func.func @glu_rank0(%gu: tensor<f32>) {
  // expected-error @+1 {{'xfmr.glu' op operand 'gu' must have rank >= 1, got 0}}
  %h = xfmr.glu <silu> %gu : tensor<f32>
  return
}

// -----

// gu[..., 2F] splits in two halves.
func.func @glu_odd(%gu: tensor<?x7xf32>) {
  // expected-error @+1 {{'xfmr.glu' op operand 'gu' dimension 1 (2F, the gate and up halves) must be even, got 7}}
  %h = xfmr.glu <silu> %gu : tensor<?x7xf32>
  return
}
