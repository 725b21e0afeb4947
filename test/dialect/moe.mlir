// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | FileCheck %s --check-prefix=GENERIC

// Round trip of xfmr.moe: attributes set and defaulted, leading batch dims.

// The description example; scoring = softmax and normalize_topk = true are
// the defaults and are not printed.
// GENERIC-LABEL: sym_name = "moe_softmax"
// GENERIC:         "xfmr.moe"({{.*}}) <{activation = #xfmr.activation<silu>, normalize_topk = true, scoring = #xfmr.scoring<softmax>, top_k = 2 : i64}> : (tensor<?x256xf32>, tensor<8x256xf32>, tensor<8x704x256xf32>, tensor<8x704x256xf32>, tensor<8x256x704xf32>) -> tensor<?x256xf32>
// CHECK-LABEL: func.func @moe_softmax(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?x256xf32>, [[ROUTER:%[a-z0-9]+]]: tensor<8x256xf32>, [[WG:%[a-z0-9]+]]: tensor<8x704x256xf32>, [[WU:%[a-z0-9]+]]: tensor<8x704x256xf32>, [[WD:%[a-z0-9]+]]: tensor<8x256x704xf32>) -> tensor<?x256xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.moe <silu> [[X]], [[ROUTER]], [[WG]], [[WU]], [[WD]] {top_k = 2 : i64} : tensor<?x256xf32>, tensor<8x256xf32>, tensor<8x704x256xf32>, tensor<8x704x256xf32>, tensor<8x256x704xf32>
// CHECK-NEXT:      return [[Y]] : tensor<?x256xf32>
func.func @moe_softmax(%x: tensor<?x256xf32>, %router: tensor<8x256xf32>, %wg: tensor<8x704x256xf32>, %wu: tensor<8x704x256xf32>, %wd: tensor<8x256x704xf32>) -> tensor<?x256xf32> {
  %y = xfmr.moe <silu> %x, %router, %wg, %wu, %wd
         {top_k = 2 : i64, scoring = #xfmr.scoring<softmax>}
      : tensor<?x256xf32>, tensor<8x256xf32>, tensor<8x704x256xf32>,
        tensor<8x704x256xf32>, tensor<8x256x704xf32>
  return %y : tensor<?x256xf32>
}

// Sigmoid scoring without renormalisation (DeepSeek-V3 style), batched bf16.
// GENERIC-LABEL: sym_name = "moe_sigmoid_batched"
// GENERIC:         "xfmr.moe"({{.*}}) <{activation = #xfmr.activation<gelu>, normalize_topk = false, scoring = #xfmr.scoring<sigmoid>, top_k = 4 : i64}> : (tensor<2x?x64xbf16>, tensor<16x64xbf16>, tensor<16x32x64xbf16>, tensor<16x32x64xbf16>, tensor<16x64x32xbf16>) -> tensor<2x?x64xbf16>
// CHECK-LABEL: func.func @moe_sigmoid_batched(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<2x?x64xbf16>, [[ROUTER:%[a-z0-9]+]]: tensor<16x64xbf16>, [[WG:%[a-z0-9]+]]: tensor<16x32x64xbf16>, [[WU:%[a-z0-9]+]]: tensor<16x32x64xbf16>, [[WD:%[a-z0-9]+]]: tensor<16x64x32xbf16>) -> tensor<2x?x64xbf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.moe <gelu> [[X]], [[ROUTER]], [[WG]], [[WU]], [[WD]] {normalize_topk = false, scoring = #xfmr.scoring<sigmoid>, top_k = 4 : i64} : tensor<2x?x64xbf16>, tensor<16x64xbf16>, tensor<16x32x64xbf16>, tensor<16x32x64xbf16>, tensor<16x64x32xbf16>
// CHECK-NEXT:      return [[Y]] : tensor<2x?x64xbf16>
func.func @moe_sigmoid_batched(%x: tensor<2x?x64xbf16>, %router: tensor<16x64xbf16>, %wg: tensor<16x32x64xbf16>, %wu: tensor<16x32x64xbf16>, %wd: tensor<16x64x32xbf16>) -> tensor<2x?x64xbf16> {
  %y = xfmr.moe <gelu> %x, %router, %wg, %wu, %wd {normalize_topk = false, scoring = #xfmr.scoring<sigmoid>, top_k = 4 : i64} : tensor<2x?x64xbf16>, tensor<16x64xbf16>, tensor<16x32x64xbf16>, tensor<16x32x64xbf16>, tensor<16x64x32xbf16>
  return %y : tensor<2x?x64xbf16>
}

// top_k = E, f16, dynamic expert count and feature sizes.
// GENERIC-LABEL: sym_name = "moe_dynamic_f16"
// GENERIC:         "xfmr.moe"({{.*}}) <{activation = #xfmr.activation<relu>, normalize_topk = true, scoring = #xfmr.scoring<softmax>, top_k = 4 : i64}> : (tensor<3x?xf16>, tensor<?x?xf16>, tensor<4x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?x?xf16>) -> tensor<3x?xf16>
// CHECK-LABEL: func.func @moe_dynamic_f16(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<3x?xf16>, [[ROUTER:%[a-z0-9]+]]: tensor<?x?xf16>, [[WG:%[a-z0-9]+]]: tensor<4x?x?xf16>, [[WU:%[a-z0-9]+]]: tensor<?x?x?xf16>, [[WD:%[a-z0-9]+]]: tensor<?x?x?xf16>) -> tensor<3x?xf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.moe <relu> [[X]], [[ROUTER]], [[WG]], [[WU]], [[WD]] {top_k = 4 : i64} : tensor<3x?xf16>, tensor<?x?xf16>, tensor<4x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?x?xf16>
// CHECK-NEXT:      return [[Y]] : tensor<3x?xf16>
func.func @moe_dynamic_f16(%x: tensor<3x?xf16>, %router: tensor<?x?xf16>, %wg: tensor<4x?x?xf16>, %wu: tensor<?x?x?xf16>, %wd: tensor<?x?x?xf16>) -> tensor<3x?xf16> {
  %y = xfmr.moe <relu> %x, %router, %wg, %wu, %wd {top_k = 4 : i64, normalize_topk = true} : tensor<3x?xf16>, tensor<?x?xf16>, tensor<4x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?x?xf16>
  return %y : tensor<3x?xf16>
}

// Capacity-limited routing.
// GENERIC-LABEL: sym_name = "moe_capacity"
// GENERIC:         "xfmr.moe"({{.*}}) <{activation = #xfmr.activation<silu>, capacity_factor = 2.000000e+00 : f64, normalize_topk = true, scoring = #xfmr.scoring<softmax>, top_k = 2 : i64}>
// CHECK-LABEL: func.func @moe_capacity(
// CHECK:           xfmr.moe <silu> %{{.+}} {capacity_factor = 2.000000e+00 : f64, top_k = 2 : i64}
func.func @moe_capacity(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) -> tensor<?x16xf32> {
  %y = xfmr.moe <silu> %x, %r, %wg, %wg, %wd {top_k = 2 : i64, capacity_factor = 2.0 : f64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return %y : tensor<?x16xf32>
}
