// The MoE ops (top-k routing, dispatch, grouped FFN over expert segments,
// combine, and xfmr.moe as a whole, capacity included) compile to PTX that
// ptxas assembles for sm_80 and sm_90.

// REQUIRES: ptxas
// RUN: xfmr-compile %s --target=cuda --emit=ptx --gpu-arch=sm_80 -o %t.sm_80.ptx
// RUN: FileCheck %s --input-file=%t.sm_80.ptx
// RUN: not grep 'maxntid 1, 1, 1' %t.sm_80.ptx
// RUN: xfmr-compile %s --target=cuda --emit=cubin --gpu-arch=sm_80 -o %t.sm_80.cubin
// RUN: xfmr-compile %s --target=cuda --emit=cubin --gpu-arch=sm_90 -o %t.sm_90.cubin
// RUN: %python %S/Inputs/check-cubin.py %t.sm_80.cubin %t.sm_90.cubin
// The host code translates to LLVM IR.
// RUN: xfmr-compile %s --target=cuda --emit=llvm -o %t.ll

// xfmr-gpu-expert-dispatch gives the routing ops parallel kernels: top-k
// one thread per token, the counting sort one 256-thread block that
// synchronises with barriers, the combine one thread per element. No kernel
// of one thread is left.
// CHECK: .target sm_80
// CHECK: .entry topk_router_kernel_{{[0-9]+}}(
// CHECK: .maxntid 256, 1, 1
// CHECK: .entry dispatch_kernel_0(
// CHECK: .maxntid 256, 1, 1
// CHECK: bar.sync
// CHECK: .entry dispatch_kernel_1(
// CHECK: .entry grouped_gated_ffn_bf16_kernel_0(
// CHECK: .entry combine_kernel_0(
// CHECK: .entry moe_kernel_0(
// CHECK: .entry moe_capacity_kernel_0(
// CHECK-NOT: .extern .func __nv_

func.func @topk_router(%logits: tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>) {
  %w, %e = xfmr.topk_router %logits {top_k = 2 : i64} : tensor<?x8xf32>
  return %w, %e : tensor<?x2xf32>, tensor<?x2xi32>
}

func.func @dispatch(%x: tensor<?x256xf32>, %experts: tensor<?x2xi32>) -> (tensor<?x256xf32>, tensor<9xi32>, tensor<?xi32>) {
  %sx, %off, %ord = xfmr.dispatch %x, %experts {num_experts = 8 : i64} : tensor<?x256xf32>, tensor<?x2xi32>
  return %sx, %off, %ord : tensor<?x256xf32>, tensor<9xi32>, tensor<?xi32>
}

func.func @grouped_gated_ffn_bf16(%sx: tensor<12x64xbf16>, %off: tensor<5xi32>, %wg: tensor<4x32x64xbf16>, %wu: tensor<4x32x64xbf16>, %wd: tensor<4x64x32xbf16>) -> tensor<12x64xbf16> {
  %y = xfmr.grouped_gated_ffn <gelu> %sx, %off, %wg, %wu, %wd : tensor<12x64xbf16>, tensor<5xi32>, tensor<4x32x64xbf16>, tensor<4x32x64xbf16>, tensor<4x64x32xbf16>
  return %y : tensor<12x64xbf16>
}

func.func @combine(%eo: tensor<?x256xf32>, %ord: tensor<?xi32>, %w: tensor<?x2xf32>) -> tensor<?x256xf32> {
  %y = xfmr.combine %eo, %ord, %w : tensor<?x256xf32>, tensor<?xi32>, tensor<?x2xf32>
  return %y : tensor<?x256xf32>
}

func.func @moe(%x: tensor<2x?x64xbf16>, %router: tensor<16x64xbf16>, %wg: tensor<16x32x64xbf16>, %wu: tensor<16x32x64xbf16>, %wd: tensor<16x64x32xbf16>) -> tensor<2x?x64xbf16> {
  %y = xfmr.moe <gelu> %x, %router, %wg, %wu, %wd {normalize_topk = false, scoring = #xfmr.scoring<sigmoid>, top_k = 4 : i64} : tensor<2x?x64xbf16>, tensor<16x64xbf16>, tensor<16x32x64xbf16>, tensor<16x32x64xbf16>, tensor<16x64x32xbf16>
  return %y : tensor<2x?x64xbf16>
}

func.func @moe_capacity(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) -> tensor<?x16xf32> {
  %y = xfmr.moe <silu> %x, %r, %wg, %wg, %wd {top_k = 2 : i64, capacity_factor = 2.0 : f64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>
  return %y : tensor<?x16xf32>
}
