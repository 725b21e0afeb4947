// Attention (causal grouped-query, decode with an additive mask, f16/bf16
// storage) compiles to PTX that ptxas assembles for sm_80 and sm_90.

// REQUIRES: ptxas
// RUN: xfmr-compile %s --target=cuda --emit=ptx --gpu-arch=sm_90 -o %t.sm_90.ptx
// RUN: FileCheck %s --input-file=%t.sm_90.ptx
// RUN: xfmr-compile %s --target=cuda --emit=cubin --gpu-arch=sm_80 -o %t.sm_80.cubin
// RUN: xfmr-compile %s --target=cuda --emit=cubin --gpu-arch=sm_90 -o %t.sm_90.cubin
// RUN: %python %S/Inputs/check-cubin.py %t.sm_80.cubin %t.sm_90.cubin
// The host code translates to LLVM IR.
// RUN: xfmr-compile %s --target=cuda --emit=llvm -o %t.ll

// CHECK: .target sm_90
// CHECK: .entry attention_gqa_causal_kernel_0(
// CHECK: .entry attention_decode_mask_kernel_0(
// CHECK: .entry attention_mqa_bf16_kernel_0(
// CHECK-NOT: .extern .func __nv_

func.func @attention_gqa_causal(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<2x?x64xf32>) -> tensor<8x?x64xf32> {
  %o = xfmr.attention %q, %k, %v {causal} : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>
  return %o : tensor<8x?x64xf32>
}

func.func @attention_decode_mask(%q1: tensor<1x8x1x64xf16>, %kc: tensor<1x2x?x64xf16>, %vc: tensor<1x2x?x64xf16>, %m: tensor<1x?xf16>) -> tensor<1x8x1x64xf16> {
  %d = xfmr.attention %q1, %kc, %vc, %m {scale = 1.250000e-01 : f32} : tensor<1x8x1x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x?xf16>
  return %d : tensor<1x8x1x64xf16>
}

func.func @attention_mqa_bf16(%q: tensor<?x4x16x32xbf16>, %k: tensor<?x1x16x32xbf16>, %v: tensor<?x1x16x48xbf16>) -> tensor<?x4x16x48xbf16> {
  %o = xfmr.attention %q, %k, %v {causal, scale = 5.000000e-01 : f32} : tensor<?x4x16x32xbf16>, tensor<?x1x16x32xbf16>, tensor<?x1x16x48xbf16>
  return %o : tensor<?x4x16x48xbf16>
}
