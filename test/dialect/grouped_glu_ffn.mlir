// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s

// Round trip of xfmr.grouped_glu_ffn.

// The description example.
// CHECK-LABEL: func.func @grouped_glu_ffn_silu(
// CHECK-SAME:      [[SX:%[a-z0-9]+]]: tensor<?x256xf32>, [[OFF:%[a-z0-9]+]]: tensor<9xi32>, [[WGU:%[a-z0-9]+]]: tensor<8x1408x256xf32>, [[WD:%[a-z0-9]+]]: tensor<8x256x704xf32>) -> tensor<?x256xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.grouped_glu_ffn <silu> [[SX]], [[OFF]], [[WGU]], [[WD]] : tensor<?x256xf32>, tensor<9xi32>, tensor<8x1408x256xf32>, tensor<8x256x704xf32>
// CHECK-NEXT:      return [[Y]] : tensor<?x256xf32>
func.func @grouped_glu_ffn_silu(%sx: tensor<?x256xf32>, %off: tensor<9xi32>, %wgu: tensor<8x1408x256xf32>, %wd: tensor<8x256x704xf32>) -> tensor<?x256xf32> {
  %y = xfmr.grouped_glu_ffn <silu> %sx, %off, %wgu, %wd
      : tensor<?x256xf32>, tensor<9xi32>, tensor<8x1408x256xf32>,
        tensor<8x256x704xf32>
  return %y : tensor<?x256xf32>
}

// F not a multiple of anything; bf16 storage.
// CHECK-LABEL: func.func @grouped_glu_ffn_bf16(
// CHECK-SAME:      [[SX:%[a-z0-9]+]]: tensor<12x64xbf16>, [[OFF:%[a-z0-9]+]]: tensor<4xi32>, [[WGU:%[a-z0-9]+]]: tensor<3x42x64xbf16>, [[WD:%[a-z0-9]+]]: tensor<3x64x21xbf16>) -> tensor<12x64xbf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.grouped_glu_ffn <gelu> [[SX]], [[OFF]], [[WGU]], [[WD]] : tensor<12x64xbf16>, tensor<4xi32>, tensor<3x42x64xbf16>, tensor<3x64x21xbf16>
// CHECK-NEXT:      return [[Y]] : tensor<12x64xbf16>
func.func @grouped_glu_ffn_bf16(%sx: tensor<12x64xbf16>, %off: tensor<4xi32>, %wgu: tensor<3x42x64xbf16>, %wd: tensor<3x64x21xbf16>) -> tensor<12x64xbf16> {
  %y = xfmr.grouped_glu_ffn <gelu> %sx, %off, %wgu, %wd : tensor<12x64xbf16>, tensor<4xi32>, tensor<3x42x64xbf16>, tensor<3x64x21xbf16>
  return %y : tensor<12x64xbf16>
}

// Dynamic sizes everywhere; f16.
// CHECK-LABEL: func.func @grouped_glu_ffn_dynamic_f16(
// CHECK-SAME:      [[SX:%[a-z0-9]+]]: tensor<?x?xf16>, [[OFF:%[a-z0-9]+]]: tensor<?xi32>, [[WGU:%[a-z0-9]+]]: tensor<?x?x?xf16>, [[WD:%[a-z0-9]+]]: tensor<?x?x?xf16>) -> tensor<?x?xf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.grouped_glu_ffn <relu> [[SX]], [[OFF]], [[WGU]], [[WD]] : tensor<?x?xf16>, tensor<?xi32>, tensor<?x?x?xf16>, tensor<?x?x?xf16>
// CHECK-NEXT:      return [[Y]] : tensor<?x?xf16>
func.func @grouped_glu_ffn_dynamic_f16(%sx: tensor<?x?xf16>, %off: tensor<?xi32>, %wgu: tensor<?x?x?xf16>, %wd: tensor<?x?x?xf16>) -> tensor<?x?xf16> {
  %y = xfmr.grouped_glu_ffn <relu> %sx, %off, %wgu, %wd : tensor<?x?xf16>, tensor<?xi32>, tensor<?x?x?xf16>, tensor<?x?x?xf16>
  return %y : tensor<?x?xf16>
}
