// RMS and layer norms (row reductions) and RoPE (f64 angles, cos/sin from
// libdevice) compile to PTX that ptxas assembles for sm_80 and sm_90.

// REQUIRES: ptxas
// RUN: xfmr-compile %s --target=cuda --emit=ptx --gpu-arch=sm_80 -o %t.sm_80.ptx
// RUN: FileCheck %s --input-file=%t.sm_80.ptx
// RUN: xfmr-compile %s --target=cuda --emit=cubin --gpu-arch=sm_80 -o %t.sm_80.cubin
// RUN: xfmr-compile %s --target=cuda --emit=cubin --gpu-arch=sm_90 -o %t.sm_90.cubin
// RUN: %python %S/Inputs/check-cubin.py %t.sm_80.cubin %t.sm_90.cubin
// The host code translates to LLVM IR.
// RUN: xfmr-compile %s --target=cuda --emit=llvm -o %t.ll

// CHECK: .target sm_80
// CHECK: .entry rms_norm_kernel_0(
// CHECK: .entry layer_norm_bf16_kernel_0(
// CHECK: .entry rope_kernel_0(
// CHECK: .entry rope_batched_bf16_kernel_0(
// CHECK-NOT: .extern .func __nv_

func.func @rms_norm(%x: tensor<?x256xf32>, %g: tensor<256xf32>) -> tensor<?x256xf32> {
  %y = xfmr.rms_norm %x, %g {epsilon = 1.0e-05 : f32} : tensor<?x256xf32>, tensor<256xf32>
  return %y : tensor<?x256xf32>
}

func.func @layer_norm_bf16(%x: tensor<2x?x64xbf16>, %g: tensor<64xbf16>, %b: tensor<64xbf16>) -> tensor<2x?x64xbf16> {
  %y = xfmr.layer_norm %x, %g, %b : tensor<2x?x64xbf16>, tensor<64xbf16>, tensor<64xbf16>
  return %y : tensor<2x?x64xbf16>
}

func.func @rope(%q: tensor<?x8x64xf32>, %pos: tensor<?xi32>) -> tensor<?x8x64xf32> {
  %y = xfmr.rope %q, %pos {theta = 10000.0 : f64} : tensor<?x8x64xf32>, tensor<?xi32>
  return %y : tensor<?x8x64xf32>
}

func.func @rope_batched_bf16(%k: tensor<2x?x4x64xbf16>, %ids: tensor<2x?xi64>) -> tensor<2x?x4x64xbf16> {
  %y = xfmr.rope %k, %ids {rotary_dim = 32 : i64, theta = 1.0e+06 : f64} : tensor<2x?x4x64xbf16>, tensor<2x?xi64>
  return %y : tensor<2x?x4x64xbf16>
}
