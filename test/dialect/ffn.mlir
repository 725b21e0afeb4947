// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | FileCheck %s --check-prefix=GENERIC

// Round trip of xfmr.ffn with every combination of the optional biases.

// The description example: b_up only.
// GENERIC-LABEL: sym_name = "ffn_b_up"
// GENERIC:         "xfmr.ffn"({{.*}}) <{activation = #xfmr.activation<gelu>, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0>}> : (tensor<?x256xf32>, tensor<1024x256xf32>, tensor<256x1024xf32>, tensor<1024xf32>) -> tensor<?x256xf32>
// CHECK-LABEL: func.func @ffn_b_up(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?x256xf32>, [[W1:%[a-z0-9]+]]: tensor<1024x256xf32>, [[W2:%[a-z0-9]+]]: tensor<256x1024xf32>, [[B1:%[a-z0-9]+]]: tensor<1024xf32>) -> tensor<?x256xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.ffn <gelu> [[X]], [[W1]], [[W2]] b_up([[B1]] : tensor<1024xf32>) : tensor<?x256xf32>, tensor<1024x256xf32>, tensor<256x1024xf32>
// CHECK-NEXT:      return [[Y]] : tensor<?x256xf32>
func.func @ffn_b_up(%x: tensor<?x256xf32>, %w1: tensor<1024x256xf32>, %w2: tensor<256x1024xf32>, %b1: tensor<1024xf32>) -> tensor<?x256xf32> {
  %y = xfmr.ffn <gelu> %x, %w1, %w2 b_up(%b1 : tensor<1024xf32>)
      : tensor<?x256xf32>, tensor<1024x256xf32>, tensor<256x1024xf32>
  return %y : tensor<?x256xf32>
}

// GENERIC-LABEL: sym_name = "ffn_both_biases"
// GENERIC:         "xfmr.ffn"({{.*}}) <{activation = #xfmr.activation<relu>, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>}> : (tensor<4x16xf32>, tensor<64x16xf32>, tensor<16x64xf32>, tensor<64xf32>, tensor<16xf32>) -> tensor<4x16xf32>
// CHECK-LABEL: func.func @ffn_both_biases(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<4x16xf32>, [[W1:%[a-z0-9]+]]: tensor<64x16xf32>, [[W2:%[a-z0-9]+]]: tensor<16x64xf32>, [[B1:%[a-z0-9]+]]: tensor<64xf32>, [[B2:%[a-z0-9]+]]: tensor<16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.ffn <relu> [[X]], [[W1]], [[W2]] b_up([[B1]] : tensor<64xf32>) b_down([[B2]] : tensor<16xf32>) : tensor<4x16xf32>, tensor<64x16xf32>, tensor<16x64xf32>
// CHECK-NEXT:      return [[Y]] : tensor<4x16xf32>
func.func @ffn_both_biases(%x: tensor<4x16xf32>, %w1: tensor<64x16xf32>, %w2: tensor<16x64xf32>, %b1: tensor<64xf32>, %b2: tensor<16xf32>) -> tensor<4x16xf32> {
  %y = xfmr.ffn <relu> %x, %w1, %w2 b_up(%b1 : tensor<64xf32>) b_down(%b2 : tensor<16xf32>) : tensor<4x16xf32>, tensor<64x16xf32>, tensor<16x64xf32>
  return %y : tensor<4x16xf32>
}

// GENERIC-LABEL: sym_name = "ffn_b_down_bf16"
// GENERIC:         "xfmr.ffn"({{.*}}) <{activation = #xfmr.activation<gelu_tanh>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 1>}> : (tensor<2x?x16xbf16>, tensor<64x16xbf16>, tensor<16x64xbf16>, tensor<16xbf16>) -> tensor<2x?x16xbf16>
// CHECK-LABEL: func.func @ffn_b_down_bf16(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<2x?x16xbf16>, [[W1:%[a-z0-9]+]]: tensor<64x16xbf16>, [[W2:%[a-z0-9]+]]: tensor<16x64xbf16>, [[B2:%[a-z0-9]+]]: tensor<16xbf16>) -> tensor<2x?x16xbf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.ffn <gelu_tanh> [[X]], [[W1]], [[W2]] b_down([[B2]] : tensor<16xbf16>) : tensor<2x?x16xbf16>, tensor<64x16xbf16>, tensor<16x64xbf16>
// CHECK-NEXT:      return [[Y]] : tensor<2x?x16xbf16>
func.func @ffn_b_down_bf16(%x: tensor<2x?x16xbf16>, %w1: tensor<64x16xbf16>, %w2: tensor<16x64xbf16>, %b2: tensor<16xbf16>) -> tensor<2x?x16xbf16> {
  %y = xfmr.ffn <gelu_tanh> %x, %w1, %w2 b_down(%b2 : tensor<16xbf16>) : tensor<2x?x16xbf16>, tensor<64x16xbf16>, tensor<16x64xbf16>
  return %y : tensor<2x?x16xbf16>
}

// No biases; dynamic F; the result has the type of x.
// GENERIC-LABEL: sym_name = "ffn_no_bias_f16"
// GENERIC:         "xfmr.ffn"({{.*}}) <{activation = #xfmr.activation<silu>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>}> : (tensor<?x?xf16>, tensor<?x16xf16>, tensor<16x?xf16>) -> tensor<?x?xf16>
// CHECK-LABEL: func.func @ffn_no_bias_f16(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?x?xf16>, [[W1:%[a-z0-9]+]]: tensor<?x16xf16>, [[W2:%[a-z0-9]+]]: tensor<16x?xf16>) -> tensor<?x?xf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.ffn <silu> [[X]], [[W1]], [[W2]] : tensor<?x?xf16>, tensor<?x16xf16>, tensor<16x?xf16>
// CHECK-NEXT:      return [[Y]] : tensor<?x?xf16>
func.func @ffn_no_bias_f16(%x: tensor<?x?xf16>, %w1: tensor<?x16xf16>, %w2: tensor<16x?xf16>) -> tensor<?x?xf16> {
  %y = xfmr.ffn <silu> %x, %w1, %w2 : tensor<?x?xf16>, tensor<?x16xf16>, tensor<16x?xf16>
  return %y : tensor<?x?xf16>
}
