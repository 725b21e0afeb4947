// The flash-attention kernels (xfmr-gpu-flash-attention) compile through
// the whole GPU pipeline to PTX that ptxas assembles for sm_80 and sm_90
// without spills at Dh = Dv = 128 (causal GQA prefill in f32, f16 decode
// with a mask) and at Dh = Dv = 256 in bf16: one launch per attention,
// warp shuffles, exp from libdevice, the K/V tiles in static shared
// memory.

// REQUIRES: ptxas
// RUN: xfmr-compile %s --target=cuda --emit=ptx --gpu-arch=sm_80 -o %t.sm_80.ptx
// RUN: FileCheck %s --input-file=%t.sm_80.ptx
// RUN: xfmr-compile %s --target=cuda --emit=ptx --gpu-arch=sm_90 -o %t.sm_90.ptx
// RUN: FileCheck %s --input-file=%t.sm_90.ptx
// RUN: %ptxas -v -arch=sm_80 %t.sm_80.ptx -o %t.sm_80.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS
// RUN: %ptxas -v -arch=sm_90 %t.sm_90.ptx -o %t.sm_90.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS

// Each function is exactly one kernel.
// CHECK-LABEL: .entry prefill_kernel_0(
//       CHECK: .maxntid 128, 1, 1
//   CHECK-DAG: .shared .align 4 .b8 __wg_prefill_kernel_0_0[4096];
//   CHECK-DAG: .shared .align 4 .b8 __wg_prefill_kernel_0_1[16512];
//   CHECK-DAG: .shared .align 4 .b8 __wg_prefill_kernel_0_2[16384];
//   CHECK-DAG: shfl.sync.bfly.b32
//   CHECK-DAG: shfl.sync.idx.b32
//   CHECK-DAG: bar.sync 0;
//   CHECK-DAG: ex2.approx
//   CHECK-NOT: .entry prefill_kernel_1(
// CHECK-LABEL: .entry decode_f16_kernel_0(
//   CHECK-DAG: ld.global.b16
//   CHECK-DAG: cvt.f32.f16
//   CHECK-NOT: .entry decode_f16_kernel_1(
// CHECK-LABEL: .entry wide_bf16_kernel_0(
//   CHECK-NOT: .entry wide_bf16_kernel_1(
//   CHECK-NOT: .extern .func __nv_

// PTXAS-NOT: {{[1-9][0-9]*}} bytes spill
//     PTXAS: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// PTXAS-NOT: {{[1-9][0-9]*}} bytes spill

func.func @prefill(%q: tensor<1x8x?x128xf32>, %k: tensor<1x2x?x128xf32>, %v: tensor<1x2x?x128xf32>) -> tensor<1x8x?x128xf32> {
  %o = xfmr.attention %q, %k, %v {causal} : tensor<1x8x?x128xf32>, tensor<1x2x?x128xf32>, tensor<1x2x?x128xf32>
  return %o : tensor<1x8x?x128xf32>
}

func.func @decode_f16(%q: tensor<?x8x1x128xf16>, %k: tensor<?x2x?x128xf16>, %v: tensor<?x2x?x128xf16>, %m: tensor<1x?xf16>) -> tensor<?x8x1x128xf16> {
  %o = xfmr.attention %q, %k, %v, %m : tensor<?x8x1x128xf16>, tensor<?x2x?x128xf16>, tensor<?x2x?x128xf16>, tensor<1x?xf16>
  return %o : tensor<?x8x1x128xf16>
}

func.func @wide_bf16(%q: tensor<4x?x256xbf16>, %k: tensor<1x?x256xbf16>, %v: tensor<1x?x256xbf16>) -> tensor<4x?x256xbf16> {
  %o = xfmr.attention %q, %k, %v {causal} : tensor<4x?x256xbf16>, tensor<1x?x256xbf16>, tensor<1x?x256xbf16>
  return %o : tensor<4x?x256xbf16>
}
