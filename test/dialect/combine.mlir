// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s

// Round trip of xfmr.combine: the result is [T, D] with expert_out's type.

// The description example.
// CHECK-LABEL: func.func @combine_dynamic(
// CHECK-SAME:      [[EO:%[a-z0-9]+]]: tensor<?x256xf32>, [[ORD:%[a-z0-9]+]]: tensor<?xi32>, [[W:%[a-z0-9]+]]: tensor<?x2xf32>) -> tensor<?x256xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.combine [[EO]], [[ORD]], [[W]] : tensor<?x256xf32>, tensor<?xi32>, tensor<?x2xf32>
// CHECK-NEXT:      return [[Y]] : tensor<?x256xf32>
func.func @combine_dynamic(%eo: tensor<?x256xf32>, %ord: tensor<?xi32>, %w: tensor<?x2xf32>) -> tensor<?x256xf32> {
  %y = xfmr.combine %eo, %ord, %w
      : tensor<?x256xf32>, tensor<?xi32>, tensor<?x2xf32>
  return %y : tensor<?x256xf32>
}

// Static T·k rows of bf16 expert output; weights stay f32.
// CHECK-LABEL: func.func @combine_static_bf16(
// CHECK-SAME:      [[EO:%[a-z0-9]+]]: tensor<15x64xbf16>, [[ORD:%[a-z0-9]+]]: tensor<15xi32>, [[W:%[a-z0-9]+]]: tensor<5x3xf32>) -> tensor<5x64xbf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.combine [[EO]], [[ORD]], [[W]] : tensor<15x64xbf16>, tensor<15xi32>, tensor<5x3xf32>
// CHECK-NEXT:      return [[Y]] : tensor<5x64xbf16>
func.func @combine_static_bf16(%eo: tensor<15x64xbf16>, %ord: tensor<15xi32>, %w: tensor<5x3xf32>) -> tensor<5x64xbf16> {
  %y = xfmr.combine %eo, %ord, %w : tensor<15x64xbf16>, tensor<15xi32>, tensor<5x3xf32>
  return %y : tensor<5x64xbf16>
}

// Dynamic T with static rows that are a multiple of k; f16.
// CHECK-LABEL: func.func @combine_rows_f16(
// CHECK-SAME:      [[EO:%[a-z0-9]+]]: tensor<?x?xf16>, [[ORD:%[a-z0-9]+]]: tensor<8xi32>, [[W:%[a-z0-9]+]]: tensor<?x2xf32>) -> tensor<?x?xf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.combine [[EO]], [[ORD]], [[W]] : tensor<?x?xf16>, tensor<8xi32>, tensor<?x2xf32>
// CHECK-NEXT:      return [[Y]] : tensor<?x?xf16>
func.func @combine_rows_f16(%eo: tensor<?x?xf16>, %ord: tensor<8xi32>, %w: tensor<?x2xf32>) -> tensor<?x?xf16> {
  %y = xfmr.combine %eo, %ord, %w : tensor<?x?xf16>, tensor<8xi32>, tensor<?x2xf32>
  return %y : tensor<?x?xf16>
}
