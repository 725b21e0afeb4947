// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// Every verifier and inference diagnostic of xfmr.rope, one case each:
// the full message, so that a change in its wording is caught.

// x must be a float storage type.
func.func @rope_x_f64(%x: tensor<?x8x64xf64>, %p: tensor<?xi32>) {
  // expected-error @+1 {{'xfmr.rope' op operand 'x' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.rope %x, %p : tensor<?x8x64xf64>, tensor<?xi32>
  return
}

// -----

// x is [T, H, Dh] or [B, T, H, Dh].
func.func @rope_x_rank2(%x: tensor<?x64xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{'xfmr.rope' op operand 'x' must have rank 3 or 4, got 2}}
  %y = xfmr.rope %x, %p : tensor<?x64xf32>, tensor<?xi32>
  return
}

// -----

// x is [T, H, Dh] or [B, T, H, Dh].
func.func @rope_x_rank5(%x: tensor<1x2x?x8x64xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{'xfmr.rope' op operand 'x' must have rank 3 or 4, got 5}}
  %y = xfmr.rope %x, %p : tensor<1x2x?x8x64xf32>, tensor<?xi32>
  return
}

// -----

// positions are i32 or i64.
func.func @rope_positions_f32(%x: tensor<?x8x64xf32>, %p: tensor<?xf32>) {
  // expected-error @+1 {{'xfmr.rope' op operand 'positions' must have element type i32 or i64, got 'f32'}}
  %y = xfmr.rope %x, %p : tensor<?x8x64xf32>, tensor<?xf32>
  return
}

// -----

// positions are i32 or i64.
func.func @rope_positions_i16(%x: tensor<?x8x64xf32>, %p: tensor<?xi16>) {
  // expected-error @+1 {{'xfmr.rope' op operand 'positions' must have element type i32 or i64, got 'i16'}}
  %y = xfmr.rope %x, %p : tensor<?x8x64xf32>, tensor<?xi16>
  return
}

// -----

// unbatched x takes positions [T].
func.func @rope_positions_rank_unbatched(%x: tensor<?x8x64xf32>, %p: tensor<1x?xi32>) {
  // expected-error @+1 {{'xfmr.rope' op operand 'positions' must have rank 1, got 2}}
  %y = xfmr.rope %x, %p : tensor<?x8x64xf32>, tensor<1x?xi32>
  return
}

// -----

// batched x takes positions [T] or [B, T].
func.func @rope_positions_rank_batched(%x: tensor<2x?x8x64xf32>, %p: tensor<2x?x1xi32>) {
  // expected-error @+1 {{'xfmr.rope' op operand 'positions' must have rank 1 or 2, got 3}}
  %y = xfmr.rope %x, %p : tensor<2x?x8x64xf32>, tensor<2x?x1xi32>
  return
}

// -----

// positions[B, T] against x[B, T, H, Dh].
func.func @rope_positions_batch(%x: tensor<2x?x8x64xf32>, %p: tensor<3x?xi32>) {
  // expected-error @+1 {{'xfmr.rope' op operand 'positions' dimension 0 (B, dimension 0 of 'x') must be 2, got 3}}
  %y = xfmr.rope %x, %p : tensor<2x?x8x64xf32>, tensor<3x?xi32>
  return
}

// -----

// positions[T] against x[T, H, Dh].
func.func @rope_positions_tokens(%x: tensor<16x8x64xf32>, %p: tensor<8xi32>) {
  // expected-error @+1 {{'xfmr.rope' op operand 'positions' dimension 0 (T, dimension 0 of 'x') must be 16, got 8}}
  %y = xfmr.rope %x, %p : tensor<16x8x64xf32>, tensor<8xi32>
  return
}

// -----

// positions[T] against x[B, T, H, Dh].
func.func @rope_positions_tokens_batched(%x: tensor<2x16x8x64xf32>, %p: tensor<8xi64>) {
  // expected-error @+1 {{'xfmr.rope' op operand 'positions' dimension 0 (T, dimension 1 of 'x') must be 16, got 8}}
  %y = xfmr.rope %x, %p : tensor<2x16x8x64xf32>, tensor<8xi64>
  return
}

// -----

// positions[B, T] against x[B, T, H, Dh].
func.func @rope_positions_tokens_per_sequence(%x: tensor<2x16x8x64xf32>, %p: tensor<2x8xi64>) {
  // expected-error @+1 {{'xfmr.rope' op operand 'positions' dimension 1 (T, dimension 1 of 'x') must be 16, got 8}}
  %y = xfmr.rope %x, %p : tensor<2x16x8x64xf32>, tensor<2x8xi64>
  return
}

// -----

// theta must be > 0.
func.func @rope_theta_zero(%x: tensor<?x8x64xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{'xfmr.rope' op attribute 'theta' must be a finite value > 0, got 0.000000e+00}}
  %y = xfmr.rope %x, %p {theta = 0.0 : f64} : tensor<?x8x64xf32>, tensor<?xi32>
  return
}

// -----

// theta must be > 0.
func.func @rope_theta_negative(%x: tensor<?x8x64xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{'xfmr.rope' op attribute 'theta' must be a finite value > 0, got -1.000000e+04}}
  %y = xfmr.rope %x, %p {theta = -1.0e+04 : f64} : tensor<?x8x64xf32>, tensor<?xi32>
  return
}

// -----

// theta must be finite.
func.func @rope_theta_inf(%x: tensor<?x8x64xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{'xfmr.rope' op attribute 'theta' must be a finite value > 0, got INF}}
  %y = xfmr.rope %x, %p {theta = 0x7FF0000000000000 : f64} : tensor<?x8x64xf32>, tensor<?xi32>
  return
}

// -----

// rotary_dim pairs i with i + rotary_dim/2.
func.func @rope_rotary_dim_odd(%x: tensor<?x8x64xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{'xfmr.rope' op attribute 'rotary_dim' must be even and > 0, got 31}}
  %y = xfmr.rope %x, %p {rotary_dim = 31 : i64} : tensor<?x8x64xf32>, tensor<?xi32>
  return
}

// -----

// rotary_dim must be > 0.
func.func @rope_rotary_dim_zero(%x: tensor<?x8x64xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{'xfmr.rope' op attribute 'rotary_dim' must be even and > 0, got 0}}
  %y = xfmr.rope %x, %p {rotary_dim = 0 : i64} : tensor<?x8x64xf32>, tensor<?xi32>
  return
}

// -----

// rotary_dim must be > 0.
func.func @rope_rotary_dim_negative(%x: tensor<?x8x64xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{'xfmr.rope' op attribute 'rotary_dim' must be even and > 0, got -2}}
  %y = xfmr.rope %x, %p {rotary_dim = -2 : i64} : tensor<?x8x64xf32>, tensor<?xi32>
  return
}

// -----

// rotary_dim must not exceed Dh.
func.func @rope_rotary_dim_too_large(%x: tensor<?x8x64xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{'xfmr.rope' op attribute 'rotary_dim' must be <= 64 (Dh, the last dimension of 'x'), got 128}}
  %y = xfmr.rope %x, %p {rotary_dim = 128 : i64} : tensor<?x8x64xf32>, tensor<?xi32>
  return
}

// -----

// without rotary_dim the whole of Dh rotates in pairs.
func.func @rope_head_dim_odd(%x: tensor<?x8x63xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{'xfmr.rope' op operand 'x' dimension 2 (Dh, the rotary dimension when 'rotary_dim' is absent) must be even, got 63}}
  %y = xfmr.rope %x, %p : tensor<?x8x63xf32>, tensor<?xi32>
  return
}
