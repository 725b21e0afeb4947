// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s

// Round trip of xfmr.gated_ffn.

// The description example.
// CHECK-LABEL: func.func @gated_ffn_silu(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?x256xf32>, [[WG:%[a-z0-9]+]]: tensor<704x256xf32>, [[WU:%[a-z0-9]+]]: tensor<704x256xf32>, [[WD:%[a-z0-9]+]]: tensor<256x704xf32>) -> tensor<?x256xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.gated_ffn <silu> [[X]], [[WG]], [[WU]], [[WD]] : tensor<?x256xf32>, tensor<704x256xf32>, tensor<704x256xf32>, tensor<256x704xf32>
// CHECK-NEXT:      return [[Y]] : tensor<?x256xf32>
func.func @gated_ffn_silu(%x: tensor<?x256xf32>, %wg: tensor<704x256xf32>, %wu: tensor<704x256xf32>, %wd: tensor<256x704xf32>) -> tensor<?x256xf32> {
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd
      : tensor<?x256xf32>, tensor<704x256xf32>, tensor<704x256xf32>,
        tensor<256x704xf32>
  return %y : tensor<?x256xf32>
}

// CHECK-LABEL: func.func @gated_ffn_gelu_bf16(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<2x?x64xbf16>, [[WG:%[a-z0-9]+]]: tensor<128x64xbf16>, [[WU:%[a-z0-9]+]]: tensor<128x64xbf16>, [[WD:%[a-z0-9]+]]: tensor<64x128xbf16>) -> tensor<2x?x64xbf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.gated_ffn <gelu> [[X]], [[WG]], [[WU]], [[WD]] : tensor<2x?x64xbf16>, tensor<128x64xbf16>, tensor<128x64xbf16>, tensor<64x128xbf16>
// CHECK-NEXT:      return [[Y]] : tensor<2x?x64xbf16>
func.func @gated_ffn_gelu_bf16(%x: tensor<2x?x64xbf16>, %wg: tensor<128x64xbf16>, %wu: tensor<128x64xbf16>, %wd: tensor<64x128xbf16>) -> tensor<2x?x64xbf16> {
  %y = xfmr.gated_ffn <gelu> %x, %wg, %wu, %wd : tensor<2x?x64xbf16>, tensor<128x64xbf16>, tensor<128x64xbf16>, tensor<64x128xbf16>
  return %y : tensor<2x?x64xbf16>
}

// Dynamic weights and a single f16 position.
// CHECK-LABEL: func.func @gated_ffn_dynamic_f16(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<64xf16>, [[WG:%[a-z0-9]+]]: tensor<?x?xf16>, [[WU:%[a-z0-9]+]]: tensor<?x64xf16>, [[WD:%[a-z0-9]+]]: tensor<64x?xf16>) -> tensor<64xf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.gated_ffn <relu> [[X]], [[WG]], [[WU]], [[WD]] : tensor<64xf16>, tensor<?x?xf16>, tensor<?x64xf16>, tensor<64x?xf16>
// CHECK-NEXT:      return [[Y]] : tensor<64xf16>
func.func @gated_ffn_dynamic_f16(%x: tensor<64xf16>, %wg: tensor<?x?xf16>, %wu: tensor<?x64xf16>, %wd: tensor<64x?xf16>) -> tensor<64xf16> {
  %y = xfmr.gated_ffn <relu> %x, %wg, %wu, %wd : tensor<64xf16>, tensor<?x?xf16>, tensor<?x64xf16>, tensor<64x?xf16>
  return %y : tensor<64xf16>
}
