// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// A sample of the diagnostics that come from ODS and the parser rather than
// from XfmrOps.cpp: operand and result type constraints, inferred vs. written
// result types in the generic form, required, mistyped and unknown attributes.
// The shape checks of XfmrOps.cpp also run when a generic op is verified; the
// last cases show that path.

// An integer tensor where a float storage type is required (generic form:
// the ODS constraint fires first).
func.func @generic_element_kind(%x: tensor<4x8xi32>, %w: tensor<16x8xi32>) {
  // expected-error @+1 {{'xfmr.linear' op operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4x8xi32>'}}
  %y = "xfmr.linear"(%x, %w) : (tensor<4x8xi32>, tensor<16x8xi32>) -> tensor<4x16xi32>
  return
}

// -----

// Unranked tensors are rejected by the ODS constraint in the generic form...
func.func @generic_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{'xfmr.activation' op operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<*xf32>'}}
  %y = "xfmr.activation"(%x) <{kind = #xfmr.activation<relu>}> : (tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

// ...and by the parser in the custom form, which only reads ranked tensors.
func.func @custom_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{custom op 'xfmr.activation' invalid kind of type specified: expected builtin.tensor, but found 'tensor<*xf32>'}}
  %y = xfmr.activation <relu> %x : tensor<*xf32>
  return
}

// -----

func.func @custom_memref(%x: memref<4xf32>) {
  // expected-error @+1 {{custom op 'xfmr.activation' invalid kind of type specified: expected builtin.tensor, but found 'memref<4xf32>'}}
  %y = xfmr.activation <relu> %x : memref<4xf32>
  return
}

// -----

// Expert indices are i32.
func.func @generic_result_element(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{'xfmr.topk_router' op result #1 must be ranked tensor of 32-bit signless integer values, but got 'tensor<?x2xi64>'}}
  %w, %e = "xfmr.topk_router"(%l) <{top_k = 2 : i64}> : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi64>)
  return
}

// -----

// A generic op must spell out exactly the inferred result type.
func.func @generic_result_shape(%x: tensor<?x64xf32>, %w: tensor<128x64xf32>) {
  // expected-error @+2 {{'xfmr.linear' op inferred type(s) 'tensor<?x128xf32>' are incompatible with return type(s) of operation 'tensor<?x64xf32>'}}
  // expected-error @+1 {{'xfmr.linear' op failed to infer returned types}}
  %y = "xfmr.linear"(%x, %w) : (tensor<?x64xf32>, tensor<128x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

func.func @generic_dispatch_offsets(%x: tensor<?x16xf32>, %e: tensor<?x2xi32>) {
  // expected-error @+2 {{'xfmr.dispatch' op inferred type(s) 'tensor<?x16xf32>', 'tensor<5xi32>', 'tensor<?xi32>' are incompatible with return type(s) of operation 'tensor<?x16xf32>', 'tensor<4xi32>', 'tensor<?xi32>'}}
  // expected-error @+1 {{'xfmr.dispatch' op failed to infer returned types}}
  %sx, %off, %ord = "xfmr.dispatch"(%x, %e) <{num_experts = 4 : i64}> : (tensor<?x16xf32>, tensor<?x2xi32>) -> (tensor<?x16xf32>, tensor<4xi32>, tensor<?xi32>)
  return
}

// -----

// The shape checks of XfmrOps.cpp in the verifier of a generic op.
func.func @generic_shape_check(%x: tensor<?x64xf32>, %w: tensor<128x32xf32>) {
  // expected-error @+2 {{'xfmr.linear' op operand 'w' dimension 1 (in_features, the last dimension of 'x') must be 64, got 32}}
  // expected-error @+1 {{'xfmr.linear' op failed to infer returned types}}
  %y = "xfmr.linear"(%x, %w) : (tensor<?x64xf32>, tensor<128x32xf32>) -> tensor<?x128xf32>
  return
}

// -----

func.func @generic_attribute_check(%l: tensor<?x8xf32>) {
  // expected-error @+2 {{'xfmr.topk_router' op attribute 'top_k' must be <= 8 (E, the number of experts, dimension 1 of 'logits'), got 9}}
  // expected-error @+1 {{'xfmr.topk_router' op failed to infer returned types}}
  %w, %e = "xfmr.topk_router"(%l) <{top_k = 9 : i64}> : (tensor<?x8xf32>) -> (tensor<?x9xf32>, tensor<?x9xi32>)
  return
}

// -----

// Required attributes, generic form (the custom form reports the missing
// top_k from XfmrOps.cpp, see invalid-moe.mlir and invalid-topk_router.mlir).
func.func @generic_missing_top_k(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{'xfmr.topk_router' op requires attribute 'top_k'}}
  %w, %e = "xfmr.topk_router"(%l) <{scoring = #xfmr.scoring<softmax>}> : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @generic_missing_kind(%x: tensor<4xf32>) {
  // expected-error @+1 {{'xfmr.activation' op requires attribute 'kind'}}
  %y = "xfmr.activation"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// Mistyped attributes.
func.func @top_k_i32(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{custom op 'xfmr.topk_router' 'xfmr.topk_router' op attribute 'top_k' failed to satisfy constraint: 64-bit signless integer attribute}}
  %w, %e = xfmr.topk_router %l {top_k = 2 : i32} : tensor<?x8xf32>
  return
}

// -----

func.func @generic_top_k_i32(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{'xfmr.topk_router' op attribute 'top_k' failed to satisfy constraint: 64-bit signless integer attribute}}
  %w, %e = "xfmr.topk_router"(%l) <{top_k = 2 : i32}> : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return
}

// -----

func.func @epsilon_f64(%x: tensor<?x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{custom op 'xfmr.rms_norm' 'xfmr.rms_norm' op attribute 'epsilon' failed to satisfy constraint: 32-bit float attribute}}
  %y = xfmr.rms_norm %x, %g {epsilon = 1.0e-05 : f64} : tensor<?x8xf32>, tensor<8xf32>
  return
}

// -----

func.func @theta_f32(%x: tensor<?x8x64xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{custom op 'xfmr.rope' 'xfmr.rope' op attribute 'theta' failed to satisfy constraint: 64-bit float attribute}}
  %y = xfmr.rope %x, %p {theta = 1.0e+04 : f32} : tensor<?x8x64xf32>, tensor<?xi32>
  return
}

// -----

func.func @causal_not_unit(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf32>) {
  // expected-error @+1 {{custom op 'xfmr.attention' 'xfmr.attention' op attribute 'causal' failed to satisfy constraint: unit attribute}}
  %o = xfmr.attention %q, %k, %k {causal = true} : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>
  return
}

// -----

func.func @normalize_not_bool(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{custom op 'xfmr.topk_router' 'xfmr.topk_router' op attribute 'normalize_topk' failed to satisfy constraint: bool attribute}}
  %w, %e = xfmr.topk_router %l {top_k = 2 : i64, normalize_topk = 1 : i64} : tensor<?x8xf32>
  return
}

// -----

func.func @scoring_as_activation(%l: tensor<?x8xf32>) {
  // expected-error @+1 {{custom op 'xfmr.topk_router' 'xfmr.topk_router' op attribute 'scoring' failed to satisfy constraint: how router logits become expert scores}}
  %w, %e = xfmr.topk_router %l {top_k = 2 : i64, scoring = #xfmr.activation<silu>} : tensor<?x8xf32>
  return
}

// -----

func.func @generic_kind_string(%x: tensor<4xf32>) {
  // expected-error @+1 {{invalid properties {kind = "relu"} for op xfmr.activation: Invalid attribute `kind` in property conversion: "relu"}}
  %y = "xfmr.activation"(%x) <{kind = "relu"}> : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// Unknown enum values, in op position and in the attribute dictionary.
func.func @unknown_activation(%x: tensor<4xf32>) {
  // expected-error @+2 {{custom op 'xfmr.activation' expected ::mlir::xfmr::ActivationKind to be one of: relu, gelu, gelu_tanh, silu, sigmoid, tanh}}
  // expected-error @+1 {{custom op 'xfmr.activation' failed to parse Xfmr_ActivationAttr parameter 'value' which is to be a `::mlir::xfmr::ActivationKind`}}
  %y = xfmr.activation <swish> %x : tensor<4xf32>
  return
}

// -----

func.func @unknown_scoring(%l: tensor<?x8xf32>) {
  // expected-error @+2 {{expected ::mlir::xfmr::ScoringKind to be one of: softmax, sigmoid}}
  // expected-error @+1 {{failed to parse Xfmr_ScoringAttr parameter 'value' which is to be a `::mlir::xfmr::ScoringKind`}}
  %w, %e = xfmr.topk_router %l {top_k = 2 : i64, scoring = #xfmr.scoring<sparsemax>} : tensor<?x8xf32>
  return
}

// -----

// Optional operands: the segment sizes must match the operands.
func.func @generic_segments(%x: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>) {
  // expected-error @+1 {{'xfmr.ffn' op operand count (3) does not match with the total size (4) specified in attribute 'operandSegmentSizes'}}
  %y = "xfmr.ffn"(%x, %wu, %wd) <{activation = #xfmr.activation<gelu>, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0>}> : (tensor<?x16xf32>, tensor<64x16xf32>, tensor<16x64xf32>) -> tensor<?x16xf32>
  return
}

// -----

// A bias of ffn carries its type inside its parentheses.
func.func @ffn_bias_without_type(%x: tensor<?x16xf32>, %wu: tensor<64x16xf32>, %wd: tensor<16x64xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{expected ':'}}
  %y = xfmr.ffn <gelu> %x, %wu, %wd b_up(%b) : tensor<?x16xf32>, tensor<64x16xf32>, tensor<16x64xf32>
  return
}
