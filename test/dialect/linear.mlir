// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s

// Round trip of xfmr.linear: custom and generic forms, inferred result types.

// The description example: optional bias present, dynamic token dimension.
// CHECK-LABEL: func.func @linear_bias(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?x64xf32>, [[W:%[a-z0-9]+]]: tensor<128x64xf32>, [[B:%[a-z0-9]+]]: tensor<128xf32>) -> tensor<?x128xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.linear [[X]], [[W]], [[B]] : tensor<?x64xf32>, tensor<128x64xf32>, tensor<128xf32>
// CHECK-NEXT:      return [[Y]] : tensor<?x128xf32>
func.func @linear_bias(%x: tensor<?x64xf32>, %w: tensor<128x64xf32>, %b: tensor<128xf32>) -> tensor<?x128xf32> {
  %y = xfmr.linear %x, %w, %b
      : tensor<?x64xf32>, tensor<128x64xf32>, tensor<128xf32>
  return %y : tensor<?x128xf32>
}

// The second description example: no bias, a leading batch dimension, bf16.
// CHECK-LABEL: func.func @linear_batched_bf16(
// CHECK-SAME:      [[H:%[a-z0-9]+]]: tensor<2x?x128xbf16>, [[W2:%[a-z0-9]+]]: tensor<32x128xbf16>) -> tensor<2x?x32xbf16>
// CHECK-NEXT:      [[Z:%[a-z0-9_]+]] = xfmr.linear [[H]], [[W2]] : tensor<2x?x128xbf16>, tensor<32x128xbf16>
// CHECK-NEXT:      return [[Z]] : tensor<2x?x32xbf16>
func.func @linear_batched_bf16(%h: tensor<2x?x128xbf16>, %w2: tensor<32x128xbf16>) -> tensor<2x?x32xbf16> {
  %z = xfmr.linear %h, %w2 : tensor<2x?x128xbf16>, tensor<32x128xbf16>
  return %z : tensor<2x?x32xbf16>
}

// A single position (rank 1) in f16.
// CHECK-LABEL: func.func @linear_vector_f16(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<64xf16>, [[W:%[a-z0-9]+]]: tensor<16x64xf16>, [[B:%[a-z0-9]+]]: tensor<16xf16>) -> tensor<16xf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.linear [[X]], [[W]], [[B]] : tensor<64xf16>, tensor<16x64xf16>, tensor<16xf16>
// CHECK-NEXT:      return [[Y]] : tensor<16xf16>
func.func @linear_vector_f16(%x: tensor<64xf16>, %w: tensor<16x64xf16>, %b: tensor<16xf16>) -> tensor<16xf16> {
  %y = xfmr.linear %x, %w, %b : tensor<64xf16>, tensor<16x64xf16>, tensor<16xf16>
  return %y : tensor<16xf16>
}

// Dynamic weight: out_features comes from the bias.
// CHECK-LABEL: func.func @linear_dynamic_weight(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?x?xf32>, [[W:%[a-z0-9]+]]: tensor<?x?xf32>, [[B:%[a-z0-9]+]]: tensor<128xf32>) -> tensor<?x128xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.linear [[X]], [[W]], [[B]] : tensor<?x?xf32>, tensor<?x?xf32>, tensor<128xf32>
// CHECK-NEXT:      return [[Y]] : tensor<?x128xf32>
func.func @linear_dynamic_weight(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>, %b: tensor<128xf32>) -> tensor<?x128xf32> {
  %y = xfmr.linear %x, %w, %b : tensor<?x?xf32>, tensor<?x?xf32>, tensor<128xf32>
  return %y : tensor<?x128xf32>
}

// Fully dynamic without a bias: the result keeps every dimension dynamic.
// CHECK-LABEL: func.func @linear_all_dynamic(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?x?x?xf32>, [[W:%[a-z0-9]+]]: tensor<?x?xf32>) -> tensor<?x?x?xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.linear [[X]], [[W]] : tensor<?x?x?xf32>, tensor<?x?xf32>
// CHECK-NEXT:      return [[Y]] : tensor<?x?x?xf32>
func.func @linear_all_dynamic(%x: tensor<?x?x?xf32>, %w: tensor<?x?xf32>) -> tensor<?x?x?xf32> {
  %y = xfmr.linear %x, %w : tensor<?x?x?xf32>, tensor<?x?xf32>
  return %y : tensor<?x?x?xf32>
}

// Dynamic in_features on x, static on w; static token dimension.
// CHECK-LABEL: func.func @linear_static_tokens(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<4x?xf32>, [[W:%[a-z0-9]+]]: tensor<8x64xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.linear [[X]], [[W]] : tensor<4x?xf32>, tensor<8x64xf32>
// CHECK-NEXT:      return [[Y]] : tensor<4x8xf32>
func.func @linear_static_tokens(%x: tensor<4x?xf32>, %w: tensor<8x64xf32>) -> tensor<4x8xf32> {
  %y = xfmr.linear %x, %w : tensor<4x?xf32>, tensor<8x64xf32>
  return %y : tensor<4x8xf32>
}
