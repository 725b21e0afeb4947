// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | FileCheck %s --check-prefix=GENERIC

// Round trip of xfmr.rms_norm: epsilon set and defaulted.

// The description example.
// GENERIC-LABEL: sym_name = "rms_norm_eps"
// GENERIC:         "xfmr.rms_norm"({{.*}}) <{epsilon = 9.99999974E-6 : f32}> : (tensor<?x256xf32>, tensor<256xf32>) -> tensor<?x256xf32>
// CHECK-LABEL: func.func @rms_norm_eps(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?x256xf32>, [[G:%[a-z0-9]+]]: tensor<256xf32>) -> tensor<?x256xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.rms_norm [[X]], [[G]] {epsilon = 9.99999974E-6 : f32} : tensor<?x256xf32>, tensor<256xf32>
// CHECK-NEXT:      return [[Y]] : tensor<?x256xf32>
func.func @rms_norm_eps(%x: tensor<?x256xf32>, %g: tensor<256xf32>) -> tensor<?x256xf32> {
  %y = xfmr.rms_norm %x, %g {epsilon = 1.0e-05 : f32}
      : tensor<?x256xf32>, tensor<256xf32>
  return %y : tensor<?x256xf32>
}

// The default epsilon (1e-6) is not printed; spelling it out is the same op.
// GENERIC-LABEL: sym_name = "rms_norm_default"
// GENERIC:         "xfmr.rms_norm"({{.*}}) <{epsilon = 9.99999997E-7 : f32}> : (tensor<2x?x64xbf16>, tensor<64xbf16>) -> tensor<2x?x64xbf16>
// GENERIC:         "xfmr.rms_norm"({{.*}}) <{epsilon = 9.99999997E-7 : f32}> : (tensor<2x?x64xbf16>, tensor<64xbf16>) -> tensor<2x?x64xbf16>
// CHECK-LABEL: func.func @rms_norm_default(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<2x?x64xbf16>, [[G:%[a-z0-9]+]]: tensor<64xbf16>) -> (tensor<2x?x64xbf16>, tensor<2x?x64xbf16>)
// CHECK-NEXT:      [[A:%[a-z0-9_]+]] = xfmr.rms_norm [[X]], [[G]] : tensor<2x?x64xbf16>, tensor<64xbf16>
// CHECK-NEXT:      [[B:%[a-z0-9_]+]] = xfmr.rms_norm [[X]], [[G]] : tensor<2x?x64xbf16>, tensor<64xbf16>
// CHECK-NEXT:      return [[A]], [[B]] : tensor<2x?x64xbf16>, tensor<2x?x64xbf16>
func.func @rms_norm_default(%x: tensor<2x?x64xbf16>, %g: tensor<64xbf16>) -> (tensor<2x?x64xbf16>, tensor<2x?x64xbf16>) {
  %a = xfmr.rms_norm %x, %g : tensor<2x?x64xbf16>, tensor<64xbf16>
  %b = xfmr.rms_norm %x, %g {epsilon = 1.0e-06 : f32} : tensor<2x?x64xbf16>, tensor<64xbf16>
  return %a, %b : tensor<2x?x64xbf16>, tensor<2x?x64xbf16>
}

// Zero epsilon, a dynamic feature dimension, a single f16 position.
// GENERIC-LABEL: sym_name = "rms_norm_dynamic_f16"
// GENERIC:         "xfmr.rms_norm"({{.*}}) <{epsilon = 0.000000e+00 : f32}> : (tensor<?xf16>, tensor<?xf16>) -> tensor<?xf16>
// CHECK-LABEL: func.func @rms_norm_dynamic_f16(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?xf16>, [[G:%[a-z0-9]+]]: tensor<?xf16>) -> tensor<?xf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.rms_norm [[X]], [[G]] {epsilon = 0.000000e+00 : f32} : tensor<?xf16>, tensor<?xf16>
// CHECK-NEXT:      return [[Y]] : tensor<?xf16>
func.func @rms_norm_dynamic_f16(%x: tensor<?xf16>, %g: tensor<?xf16>) -> tensor<?xf16> {
  %y = xfmr.rms_norm %x, %g {epsilon = 0.0 : f32} : tensor<?xf16>, tensor<?xf16>
  return %y : tensor<?xf16>
}
