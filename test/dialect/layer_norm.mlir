// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | FileCheck %s --check-prefix=GENERIC

// Round trip of xfmr.layer_norm: epsilon set and defaulted.

// The description example (default epsilon 1e-5).
// GENERIC-LABEL: sym_name = "layer_norm_default"
// GENERIC:         "xfmr.layer_norm"({{.*}}) <{epsilon = 9.99999974E-6 : f32}> : (tensor<?x256xf32>, tensor<256xf32>, tensor<256xf32>) -> tensor<?x256xf32>
// CHECK-LABEL: func.func @layer_norm_default(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?x256xf32>, [[G:%[a-z0-9]+]]: tensor<256xf32>, [[B:%[a-z0-9]+]]: tensor<256xf32>) -> tensor<?x256xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.layer_norm [[X]], [[G]], [[B]] : tensor<?x256xf32>, tensor<256xf32>, tensor<256xf32>
// CHECK-NEXT:      return [[Y]] : tensor<?x256xf32>
func.func @layer_norm_default(%x: tensor<?x256xf32>, %g: tensor<256xf32>, %b: tensor<256xf32>) -> tensor<?x256xf32> {
  %y = xfmr.layer_norm %x, %g, %b
      : tensor<?x256xf32>, tensor<256xf32>, tensor<256xf32>
  return %y : tensor<?x256xf32>
}

// GENERIC-LABEL: sym_name = "layer_norm_eps_bf16"
// GENERIC:         "xfmr.layer_norm"({{.*}}) <{epsilon = 9.99999997E-7 : f32}> : (tensor<2x?x64xbf16>, tensor<64xbf16>, tensor<64xbf16>) -> tensor<2x?x64xbf16>
// CHECK-LABEL: func.func @layer_norm_eps_bf16(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<2x?x64xbf16>, [[G:%[a-z0-9]+]]: tensor<64xbf16>, [[B:%[a-z0-9]+]]: tensor<64xbf16>) -> tensor<2x?x64xbf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.layer_norm [[X]], [[G]], [[B]] {epsilon = 9.99999997E-7 : f32} : tensor<2x?x64xbf16>, tensor<64xbf16>, tensor<64xbf16>
// CHECK-NEXT:      return [[Y]] : tensor<2x?x64xbf16>
func.func @layer_norm_eps_bf16(%x: tensor<2x?x64xbf16>, %g: tensor<64xbf16>, %b: tensor<64xbf16>) -> tensor<2x?x64xbf16> {
  %y = xfmr.layer_norm %x, %g, %b {epsilon = 1.0e-06 : f32} : tensor<2x?x64xbf16>, tensor<64xbf16>, tensor<64xbf16>
  return %y : tensor<2x?x64xbf16>
}

// GENERIC-LABEL: sym_name = "layer_norm_dynamic_f16"
// GENERIC:         "xfmr.layer_norm"({{.*}}) <{epsilon = 9.99999974E-6 : f32}> : (tensor<?x?xf16>, tensor<?xf16>, tensor<32xf16>) -> tensor<?x?xf16>
// CHECK-LABEL: func.func @layer_norm_dynamic_f16(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?x?xf16>, [[G:%[a-z0-9]+]]: tensor<?xf16>, [[B:%[a-z0-9]+]]: tensor<32xf16>) -> tensor<?x?xf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.layer_norm [[X]], [[G]], [[B]] : tensor<?x?xf16>, tensor<?xf16>, tensor<32xf16>
// CHECK-NEXT:      return [[Y]] : tensor<?x?xf16>
func.func @layer_norm_dynamic_f16(%x: tensor<?x?xf16>, %g: tensor<?xf16>, %b: tensor<32xf16>) -> tensor<?x?xf16> {
  %y = xfmr.layer_norm %x, %g, %b : tensor<?x?xf16>, tensor<?xf16>, tensor<32xf16>
  return %y : tensor<?x?xf16>
}
