// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// Every verifier and inference diagnostic of xfmr.combine, one case each:
// the full message, so that a change in its wording is caught.

// expert_out must be a float storage type.
func.func @combine_expert_out_f64(%eo: tensor<?x16xf64>, %o: tensor<?xi32>, %w: tensor<?x2xf32>) {
  // expected-error @+1 {{'xfmr.combine' op operand 'expert_out' must have element type f32, f16 or bf16, got 'f64'}}
  %y = xfmr.combine %eo, %o, %w : tensor<?x16xf64>, tensor<?xi32>, tensor<?x2xf32>
  return
}

// -----

// expert_out is [T·k, D].
func.func @combine_expert_out_rank(%eo: tensor<16xf32>, %o: tensor<?xi32>, %w: tensor<?x2xf32>) {
  // expected-error @+1 {{'xfmr.combine' op operand 'expert_out' must have rank 2, got 1}}
  %y = xfmr.combine %eo, %o, %w : tensor<16xf32>, tensor<?xi32>, tensor<?x2xf32>
  return
}

// -----

// order is [T·k].
func.func @combine_order_rank(%eo: tensor<?x16xf32>, %o: tensor<?x2xi32>, %w: tensor<?x2xf32>) {
  // expected-error @+1 {{'xfmr.combine' op operand 'order' must have rank 1, got 2}}
  %y = xfmr.combine %eo, %o, %w : tensor<?x16xf32>, tensor<?x2xi32>, tensor<?x2xf32>
  return
}

// -----

// order is i32, as dispatch makes it.
func.func @combine_order_i64(%eo: tensor<?x16xf32>, %o: tensor<?xi64>, %w: tensor<?x2xf32>) {
  // expected-error @+1 {{'xfmr.combine' op operand 'order' must have element type i32, got 'i64'}}
  %y = xfmr.combine %eo, %o, %w : tensor<?x16xf32>, tensor<?xi64>, tensor<?x2xf32>
  return
}

// -----

// weights are [T, k].
func.func @combine_weights_rank(%eo: tensor<?x16xf32>, %o: tensor<?xi32>, %w: tensor<?xf32>) {
  // expected-error @+1 {{'xfmr.combine' op operand 'weights' must have rank 2, got 1}}
  %y = xfmr.combine %eo, %o, %w : tensor<?x16xf32>, tensor<?xi32>, tensor<?xf32>
  return
}

// -----

// weights are f32, as topk_router makes them.
func.func @combine_weights_bf16(%eo: tensor<?x16xf32>, %o: tensor<?xi32>, %w: tensor<?x2xbf16>) {
  // expected-error @+1 {{'xfmr.combine' op operand 'weights' must have element type f32, got 'bf16'}}
  %y = xfmr.combine %eo, %o, %w : tensor<?x16xf32>, tensor<?xi32>, tensor<?x2xbf16>
  return
}

// -----

// order[T·k] against weights[T, k].
func.func @combine_order_rows(%eo: tensor<?x16xf32>, %o: tensor<5xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{'xfmr.combine' op operand 'order' dimension 0 (T·k, the number of elements of 'weights') must be 6, got 5}}
  %y = xfmr.combine %eo, %o, %w : tensor<?x16xf32>, tensor<5xi32>, tensor<3x2xf32>
  return
}

// -----

// expert_out[T·k, D] against weights[T, k].
func.func @combine_expert_out_rows(%eo: tensor<5x16xf32>, %o: tensor<?xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{'xfmr.combine' op operand 'expert_out' dimension 0 (T·k, the number of elements of 'weights') must be 6, got 5}}
  %y = xfmr.combine %eo, %o, %w : tensor<5x16xf32>, tensor<?xi32>, tensor<3x2xf32>
  return
}

// -----

// with T dynamic, expert_out meets order.
func.func @combine_expert_out_rows_from_order(%eo: tensor<8x16xf32>, %o: tensor<6xi32>, %w: tensor<?x2xf32>) {
  // expected-error @+1 {{'xfmr.combine' op operand 'expert_out' dimension 0 (T·k, dimension 0 of 'order') must be 6, got 8}}
  %y = xfmr.combine %eo, %o, %w : tensor<8x16xf32>, tensor<6xi32>, tensor<?x2xf32>
  return
}

// -----

// T·k rows must be a whole number of tokens.
func.func @combine_order_not_multiple_of_k(%eo: tensor<?x16xf32>, %o: tensor<7xi32>, %w: tensor<?x2xf32>) {
  // expected-error @+1 {{'xfmr.combine' op operand 'order' dimension 0 (T·k) must be a multiple of 2 (k, dimension 1 of 'weights'), got 7}}
  %y = xfmr.combine %eo, %o, %w : tensor<?x16xf32>, tensor<7xi32>, tensor<?x2xf32>
  return
}

// -----

// T·k rows must be a whole number of tokens.
func.func @combine_expert_out_not_multiple_of_k(%eo: tensor<9x16xf32>, %o: tensor<?xi32>, %w: tensor<?x4xf32>) {
  // expected-error @+1 {{'xfmr.combine' op operand 'expert_out' dimension 0 (T·k) must be a multiple of 4 (k, dimension 1 of 'weights'), got 9}}
  %y = xfmr.combine %eo, %o, %w : tensor<9x16xf32>, tensor<?xi32>, tensor<?x4xf32>
  return
}
