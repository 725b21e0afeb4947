// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s

// Round trip of xfmr.gated_activation.

// The description example (SwiGLU).
// CHECK-LABEL: func.func @gated_activation_silu(
// CHECK-SAME:      [[G:%[a-z0-9]+]]: tensor<?x704xf32>, [[U:%[a-z0-9]+]]: tensor<?x704xf32>) -> tensor<?x704xf32>
// CHECK-NEXT:      [[H:%[a-z0-9_]+]] = xfmr.gated_activation <silu> [[G]], [[U]] : tensor<?x704xf32>, tensor<?x704xf32>
// CHECK-NEXT:      return [[H]] : tensor<?x704xf32>
func.func @gated_activation_silu(%g: tensor<?x704xf32>, %u: tensor<?x704xf32>) -> tensor<?x704xf32> {
  %h = xfmr.gated_activation <silu> %g, %u
      : tensor<?x704xf32>, tensor<?x704xf32>
  return %h : tensor<?x704xf32>
}

// GeGLU with a leading batch dimension in bf16.
// CHECK-LABEL: func.func @gated_activation_gelu_bf16(
// CHECK-SAME:      [[G:%[a-z0-9]+]]: tensor<2x?x64xbf16>, [[U:%[a-z0-9]+]]: tensor<2x?x64xbf16>) -> tensor<2x?x64xbf16>
// CHECK-NEXT:      [[H:%[a-z0-9_]+]] = xfmr.gated_activation <gelu> [[G]], [[U]] : tensor<2x?x64xbf16>, tensor<2x?x64xbf16>
// CHECK-NEXT:      return [[H]] : tensor<2x?x64xbf16>
func.func @gated_activation_gelu_bf16(%g: tensor<2x?x64xbf16>, %u: tensor<2x?x64xbf16>) -> tensor<2x?x64xbf16> {
  %h = xfmr.gated_activation <gelu> %g, %u : tensor<2x?x64xbf16>, tensor<2x?x64xbf16>
  return %h : tensor<2x?x64xbf16>
}

// The result takes the static sizes of either operand.
// CHECK-LABEL: func.func @gated_activation_merge(
// CHECK-SAME:      [[G:%[a-z0-9]+]]: tensor<?x704xf16>, [[U:%[a-z0-9]+]]: tensor<3x?xf16>) -> tensor<3x704xf16>
// CHECK-NEXT:      [[H:%[a-z0-9_]+]] = xfmr.gated_activation <relu> [[G]], [[U]] : tensor<?x704xf16>, tensor<3x?xf16>
// CHECK-NEXT:      return [[H]] : tensor<3x704xf16>
func.func @gated_activation_merge(%g: tensor<?x704xf16>, %u: tensor<3x?xf16>) -> tensor<3x704xf16> {
  %h = xfmr.gated_activation <relu> %g, %u : tensor<?x704xf16>, tensor<3x?xf16>
  return %h : tensor<3x704xf16>
}

// CHECK-LABEL: func.func @gated_activation_kinds(
// CHECK-SAME:      [[G:%[a-z0-9]+]]: tensor<8xf32>, [[U:%[a-z0-9]+]]: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK-NEXT:      [[A:%[a-z0-9_]+]] = xfmr.gated_activation <gelu_tanh> [[G]], [[U]] : tensor<8xf32>, tensor<8xf32>
// CHECK-NEXT:      [[B:%[a-z0-9_]+]] = xfmr.gated_activation <sigmoid> [[G]], [[U]] : tensor<8xf32>, tensor<8xf32>
// CHECK-NEXT:      [[C:%[a-z0-9_]+]] = xfmr.gated_activation <tanh> [[G]], [[U]] : tensor<8xf32>, tensor<8xf32>
// CHECK-NEXT:      return [[A]], [[B]], [[C]] : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
func.func @gated_activation_kinds(%g: tensor<8xf32>, %u: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %a = xfmr.gated_activation <gelu_tanh> %g, %u : tensor<8xf32>, tensor<8xf32>
  %b = xfmr.gated_activation <sigmoid> %g, %u : tensor<8xf32>, tensor<8xf32>
  %c = xfmr.gated_activation <tanh> %g, %u : tensor<8xf32>, tensor<8xf32>
  return %a, %b, %c : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}
