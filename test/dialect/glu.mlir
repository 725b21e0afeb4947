// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s

// Round trip of xfmr.glu: the result halves the last dimension.

// The description example.
// CHECK-LABEL: func.func @glu_silu(
// CHECK-SAME:      [[GU:%[a-z0-9]+]]: tensor<?x1408xf32>) -> tensor<?x704xf32>
// CHECK-NEXT:      [[H:%[a-z0-9_]+]] = xfmr.glu <silu> [[GU]] : tensor<?x1408xf32>
// CHECK-NEXT:      return [[H]] : tensor<?x704xf32>
func.func @glu_silu(%gu: tensor<?x1408xf32>) -> tensor<?x704xf32> {
  %h = xfmr.glu <silu> %gu : tensor<?x1408xf32>
  return %h : tensor<?x704xf32>
}

// A dynamic last dimension stays dynamic.
// CHECK-LABEL: func.func @glu_dynamic(
// CHECK-SAME:      [[GU:%[a-z0-9]+]]: tensor<?x?xf32>) -> tensor<?x?xf32>
// CHECK-NEXT:      [[H:%[a-z0-9_]+]] = xfmr.glu <gelu> [[GU]] : tensor<?x?xf32>
// CHECK-NEXT:      return [[H]] : tensor<?x?xf32>
func.func @glu_dynamic(%gu: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %h = xfmr.glu <gelu> %gu : tensor<?x?xf32>
  return %h : tensor<?x?xf32>
}

// CHECK-LABEL: func.func @glu_batched_bf16(
// CHECK-SAME:      [[GU:%[a-z0-9]+]]: tensor<2x?x8xbf16>) -> tensor<2x?x4xbf16>
// CHECK-NEXT:      [[H:%[a-z0-9_]+]] = xfmr.glu <relu> [[GU]] : tensor<2x?x8xbf16>
// CHECK-NEXT:      return [[H]] : tensor<2x?x4xbf16>
func.func @glu_batched_bf16(%gu: tensor<2x?x8xbf16>) -> tensor<2x?x4xbf16> {
  %h = xfmr.glu <relu> %gu : tensor<2x?x8xbf16>
  return %h : tensor<2x?x4xbf16>
}

// CHECK-LABEL: func.func @glu_vector_f16(
// CHECK-SAME:      [[GU:%[a-z0-9]+]]: tensor<6xf16>) -> tensor<3xf16>
// CHECK-NEXT:      [[H:%[a-z0-9_]+]] = xfmr.glu <gelu_tanh> [[GU]] : tensor<6xf16>
// CHECK-NEXT:      return [[H]] : tensor<3xf16>
func.func @glu_vector_f16(%gu: tensor<6xf16>) -> tensor<3xf16> {
  %h = xfmr.glu <gelu_tanh> %gu : tensor<6xf16>
  return %h : tensor<3xf16>
}
