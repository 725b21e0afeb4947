// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s

// Round trip of xfmr.activation: every kind, any rank, storage types.

// The description example.
// CHECK-LABEL: func.func @activation_gelu(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?x256xf32>) -> tensor<?x256xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.activation <gelu> [[X]] : tensor<?x256xf32>
// CHECK-NEXT:      return [[Y]] : tensor<?x256xf32>
func.func @activation_gelu(%x: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %y = xfmr.activation <gelu> %x : tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// CHECK-LABEL: func.func @activation_kinds(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK-NEXT:      [[A:%[a-z0-9_]+]] = xfmr.activation <relu> [[X]] : tensor<4x8xf32>
// CHECK-NEXT:      [[B:%[a-z0-9_]+]] = xfmr.activation <gelu_tanh> [[X]] : tensor<4x8xf32>
// CHECK-NEXT:      [[C:%[a-z0-9_]+]] = xfmr.activation <silu> [[X]] : tensor<4x8xf32>
// CHECK-NEXT:      [[D:%[a-z0-9_]+]] = xfmr.activation <sigmoid> [[X]] : tensor<4x8xf32>
// CHECK-NEXT:      [[E:%[a-z0-9_]+]] = xfmr.activation <tanh> [[X]] : tensor<4x8xf32>
// CHECK-NEXT:      return [[A]], [[B]], [[C]], [[D]], [[E]] : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
func.func @activation_kinds(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %a = xfmr.activation <relu> %x : tensor<4x8xf32>
  %b = xfmr.activation <gelu_tanh> %x : tensor<4x8xf32>
  %c = xfmr.activation <silu> %x : tensor<4x8xf32>
  %d = xfmr.activation <sigmoid> %x : tensor<4x8xf32>
  %e = xfmr.activation <tanh> %x : tensor<4x8xf32>
  return %a, %b, %c, %d, %e : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// Storage types and ranks 0, 1 and 3.
// CHECK-LABEL: func.func @activation_storage(
// CHECK-SAME:      [[S:%[a-z0-9]+]]: tensor<bf16>, [[V:%[a-z0-9]+]]: tensor<7xf16>, [[T:%[a-z0-9]+]]: tensor<2x?x16xbf16>) -> (tensor<bf16>, tensor<7xf16>, tensor<2x?x16xbf16>)
// CHECK-NEXT:      [[A:%[a-z0-9_]+]] = xfmr.activation <silu> [[S]] : tensor<bf16>
// CHECK-NEXT:      [[B:%[a-z0-9_]+]] = xfmr.activation <gelu> [[V]] : tensor<7xf16>
// CHECK-NEXT:      [[C:%[a-z0-9_]+]] = xfmr.activation <relu> [[T]] : tensor<2x?x16xbf16>
// CHECK-NEXT:      return [[A]], [[B]], [[C]] : tensor<bf16>, tensor<7xf16>, tensor<2x?x16xbf16>
func.func @activation_storage(%s: tensor<bf16>, %v: tensor<7xf16>, %t: tensor<2x?x16xbf16>) -> (tensor<bf16>, tensor<7xf16>, tensor<2x?x16xbf16>) {
  %a = xfmr.activation <silu> %s : tensor<bf16>
  %b = xfmr.activation <gelu> %v : tensor<7xf16>
  %c = xfmr.activation <relu> %t : tensor<2x?x16xbf16>
  return %a, %b, %c : tensor<bf16>, tensor<7xf16>, tensor<2x?x16xbf16>
}
