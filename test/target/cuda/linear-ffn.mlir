// Projections and feed-forward blocks compile to PTX (LLVM's NVPTX backend)
// that ptxas assembles for sm_80 and sm_90.

// REQUIRES: ptxas
// RUN: xfmr-compile %s --target=cuda --emit=ptx --gpu-arch=sm_80 -o %t.sm_80.ptx
// RUN: FileCheck %s --input-file=%t.sm_80.ptx --check-prefixes=CHECK,SM80
// RUN: xfmr-compile %s --target=cuda --emit=ptx -o %t.sm_90.ptx
// RUN: FileCheck %s --input-file=%t.sm_90.ptx --check-prefixes=CHECK,SM90
// RUN: xfmr-compile %s --target=cuda --emit=cubin --gpu-arch=sm_80 -o %t.sm_80.cubin
// RUN: xfmr-compile %s --target=cuda --emit=cubin --gpu-arch=sm_90 -o %t.sm_90.cubin
// RUN: %python %S/Inputs/check-cubin.py %t.sm_80.cubin %t.sm_90.cubin
// With the stacked gate/up weight (fuse-gate-up), the gating reads the two
// halves of one projection and still fuses into it. (Stacking weights that
// are arguments copies them on every call, kernels 0 and 1, which the
// default two-weight kernel avoids.)
// RUN: xfmr-compile %s --target=cuda --emit=ptx --pipeline-options="fuse-gate-up=1" -o %t.stacked.ptx
// RUN: FileCheck %s --input-file=%t.stacked.ptx --check-prefix=STACKED
// STACKED-LABEL: .entry gated_ffn_silu_kernel_2(
//       STACKED: fma.rn.f32
//       STACKED: ex2.approx
// STACKED-LABEL: .entry gated_ffn_silu_kernel_3(
//   STACKED-NOT: .entry gated_ffn_silu_kernel_4(
// The host code translates to LLVM IR.
// RUN: xfmr-compile %s --target=cuda --emit=llvm -o %t.ll

//  SM80: .target sm_80
//  SM90: .target sm_90
// CHECK: .entry linear_bias_kernel_0(
// CHECK: .entry linear_bf16_kernel_0(
// A gated FFN is two kernels: the gate and up projections with the gating
// fused (no [T, F] products in memory), and the down projection.
// CHECK: .entry gated_ffn_silu_kernel_0(
// CHECK: ex2.approx
// CHECK: .entry gated_ffn_silu_kernel_1(
// CHECK-NOT: .entry gated_ffn_silu_kernel_2(
// The same in bf16, on tensor cores, the conversions of the projections to
// bf16 kept inside the fused kernel.
// CHECK: .entry gated_ffn_bf16_kernel_0(
// CHECK-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-DAG: cvt.rn.bf16.f32
// CHECK-DAG: ex2.approx
// CHECK: .entry gated_ffn_bf16_kernel_1(
// CHECK-NOT: .entry gated_ffn_bf16_kernel_2(
// CHECK: .entry ffn_gelu_kernel_0(
// CHECK: .entry glu_silu_kernel_0(
// CHECK: .entry activations_kernel_0(
// The libdevice functions the activations call are linked in.
// CHECK-NOT: .extern .func __nv_

func.func @linear_bias(%x: tensor<?x64xf32>, %w: tensor<128x64xf32>, %b: tensor<128xf32>) -> tensor<?x128xf32> {
  %y = xfmr.linear %x, %w, %b : tensor<?x64xf32>, tensor<128x64xf32>, tensor<128xf32>
  return %y : tensor<?x128xf32>
}

func.func @linear_bf16(%h: tensor<2x?x128xbf16>, %w2: tensor<32x128xbf16>) -> tensor<2x?x32xbf16> {
  %z = xfmr.linear %h, %w2 : tensor<2x?x128xbf16>, tensor<32x128xbf16>
  return %z : tensor<2x?x32xbf16>
}

func.func @gated_ffn_silu(%x: tensor<?x64xf32>, %wg: tensor<96x64xf32>, %wu: tensor<96x64xf32>, %wd: tensor<64x96xf32>) -> tensor<?x64xf32> {
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x64xf32>, tensor<96x64xf32>, tensor<96x64xf32>, tensor<64x96xf32>
  return %y : tensor<?x64xf32>
}

func.func @gated_ffn_bf16(%x: tensor<?x64xbf16>, %wg: tensor<96x64xbf16>, %wu: tensor<96x64xbf16>, %wd: tensor<64x96xbf16>) -> tensor<?x64xbf16> {
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x64xbf16>, tensor<96x64xbf16>, tensor<96x64xbf16>, tensor<64x96xbf16>
  return %y : tensor<?x64xbf16>
}

func.func @ffn_gelu(%x: tensor<2x?x16xf16>, %w1: tensor<64x16xf16>, %w2: tensor<16x64xf16>, %b2: tensor<16xf16>) -> tensor<2x?x16xf16> {
  %y = xfmr.ffn <gelu> %x, %w1, %w2 b_down(%b2 : tensor<16xf16>) : tensor<2x?x16xf16>, tensor<64x16xf16>, tensor<16x64xf16>
  return %y : tensor<2x?x16xf16>
}

func.func @glu_silu(%gu: tensor<?x256xf32>) -> tensor<?x128xf32> {
  %h = xfmr.glu <silu> %gu : tensor<?x256xf32>
  return %h : tensor<?x128xf32>
}

func.func @activations(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %a = xfmr.activation <gelu> %x : tensor<4x8xf32>
  %b = xfmr.activation <gelu_tanh> %x : tensor<4x8xf32>
  %c = xfmr.activation <relu> %x : tensor<4x8xf32>
  return %a, %b, %c : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}
