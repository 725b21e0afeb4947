// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s

// Round trip of xfmr.grouped_gated_ffn.

// The description example.
// CHECK-LABEL: func.func @grouped_gated_ffn_silu(
// CHECK-SAME:      [[SX:%[a-z0-9]+]]: tensor<?x256xf32>, [[OFF:%[a-z0-9]+]]: tensor<9xi32>, [[WG:%[a-z0-9]+]]: tensor<8x704x256xf32>, [[WU:%[a-z0-9]+]]: tensor<8x704x256xf32>, [[WD:%[a-z0-9]+]]: tensor<8x256x704xf32>) -> tensor<?x256xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.grouped_gated_ffn <silu> [[SX]], [[OFF]], [[WG]], [[WU]], [[WD]] : tensor<?x256xf32>, tensor<9xi32>, tensor<8x704x256xf32>, tensor<8x704x256xf32>, tensor<8x256x704xf32>
// CHECK-NEXT:      return [[Y]] : tensor<?x256xf32>
func.func @grouped_gated_ffn_silu(%sx: tensor<?x256xf32>, %off: tensor<9xi32>, %wg: tensor<8x704x256xf32>, %wu: tensor<8x704x256xf32>, %wd: tensor<8x256x704xf32>) -> tensor<?x256xf32> {
  %y = xfmr.grouped_gated_ffn <silu> %sx, %off, %wg, %wu, %wd
      : tensor<?x256xf32>, tensor<9xi32>, tensor<8x704x256xf32>,
        tensor<8x704x256xf32>, tensor<8x256x704xf32>
  return %y : tensor<?x256xf32>
}

// CHECK-LABEL: func.func @grouped_gated_ffn_bf16(
// CHECK-SAME:      [[SX:%[a-z0-9]+]]: tensor<12x64xbf16>, [[OFF:%[a-z0-9]+]]: tensor<5xi32>, [[WG:%[a-z0-9]+]]: tensor<4x32x64xbf16>, [[WU:%[a-z0-9]+]]: tensor<4x32x64xbf16>, [[WD:%[a-z0-9]+]]: tensor<4x64x32xbf16>) -> tensor<12x64xbf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.grouped_gated_ffn <gelu> [[SX]], [[OFF]], [[WG]], [[WU]], [[WD]] : tensor<12x64xbf16>, tensor<5xi32>, tensor<4x32x64xbf16>, tensor<4x32x64xbf16>, tensor<4x64x32xbf16>
// CHECK-NEXT:      return [[Y]] : tensor<12x64xbf16>
func.func @grouped_gated_ffn_bf16(%sx: tensor<12x64xbf16>, %off: tensor<5xi32>, %wg: tensor<4x32x64xbf16>, %wu: tensor<4x32x64xbf16>, %wd: tensor<4x64x32xbf16>) -> tensor<12x64xbf16> {
  %y = xfmr.grouped_gated_ffn <gelu> %sx, %off, %wg, %wu, %wd : tensor<12x64xbf16>, tensor<5xi32>, tensor<4x32x64xbf16>, tensor<4x32x64xbf16>, tensor<4x64x32xbf16>
  return %y : tensor<12x64xbf16>
}

// Dynamic expert count and offsets; a single expert; f16.
// CHECK-LABEL: func.func @grouped_gated_ffn_dynamic_f16(
// CHECK-SAME:      [[SX:%[a-z0-9]+]]: tensor<?x?xf16>, [[OFF:%[a-z0-9]+]]: tensor<?xi32>, [[OFF2:%[a-z0-9]+]]: tensor<2xi32>, [[WG:%[a-z0-9]+]]: tensor<?x?x?xf16>, [[WU:%[a-z0-9]+]]: tensor<?x?x?xf16>, [[WD:%[a-z0-9]+]]: tensor<?x?x?xf16>) -> (tensor<?x?xf16>, tensor<?x?xf16>)
// CHECK-NEXT:      [[A:%[a-z0-9_]+]] = xfmr.grouped_gated_ffn <relu> [[SX]], [[OFF]], [[WG]], [[WU]], [[WD]] : tensor<?x?xf16>, tensor<?xi32>, tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?x?xf16>
// CHECK-NEXT:      [[B:%[a-z0-9_]+]] = xfmr.grouped_gated_ffn <relu> [[SX]], [[OFF2]], [[WG]], [[WU]], [[WD]] : tensor<?x?xf16>, tensor<2xi32>, tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?x?xf16>
// CHECK-NEXT:      return [[A]], [[B]] : tensor<?x?xf16>, tensor<?x?xf16>
func.func @grouped_gated_ffn_dynamic_f16(%sx: tensor<?x?xf16>, %off: tensor<?xi32>, %off2: tensor<2xi32>, %wg: tensor<?x?x?xf16>, %wu: tensor<?x?x?xf16>, %wd: tensor<?x?x?xf16>) -> (tensor<?x?xf16>, tensor<?x?xf16>) {
  %a = xfmr.grouped_gated_ffn <relu> %sx, %off, %wg, %wu, %wd : tensor<?x?xf16>, tensor<?xi32>, tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?x?xf16>
  %b = xfmr.grouped_gated_ffn <relu> %sx, %off2, %wg, %wu, %wd : tensor<?x?xf16>, tensor<2xi32>, tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?x?xf16>
  return %a, %b : tensor<?x?xf16>, tensor<?x?xf16>
}
