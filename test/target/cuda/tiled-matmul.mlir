// The tiled FMA matmul kernels (xfmr-gpu-tile-matmul) compile to PTX that
// ptxas assembles for sm_80 and sm_90: an f32 linear layer with a dynamic
// token count, a matmul with an f16 A and an f32 B, and an f32 matmul
// accumulating into a bf16 argument (f16 x f16 and bf16 x bf16 matmuls get
// the tensor-core kernel: tensor-core-matmul.mlir). The
// shared tiles are 16-byte aligned and read and written 128 bits at a
// time; the accumulators stay in registers (no spills to local memory).

// REQUIRES: ptxas
// RUN: xfmr-compile %s --target=cuda --emit=ptx --gpu-arch=sm_80 -o %t.sm_80.ptx
// RUN: FileCheck %s --input-file=%t.sm_80.ptx
// RUN: xfmr-compile %s --target=cuda --emit=ptx -o %t.sm_90.ptx
// RUN: FileCheck %s --input-file=%t.sm_90.ptx
// RUN: %ptxas -v -arch=sm_80 %t.sm_80.ptx -o %t.sm_80.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS
// RUN: %ptxas -v -arch=sm_90 %t.sm_90.ptx -o %t.sm_90.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS

// CHECK-LABEL: .entry linear_f32_kernel_0(
//       CHECK: .maxntid 256, 1, 1
//       CHECK: .shared .align 16 .b8 __wg_linear_f32_kernel_0_0[4352];
//       CHECK: .shared .align 16 .b8 __wg_linear_f32_kernel_0_1[4352];
//   CHECK-DAG: st.shared.v4.b32
//   CHECK-DAG: bar.sync 0;
//   CHECK-DAG: ld.shared.v4.b32
//   CHECK-DAG: fma.rn.f32
// CHECK-LABEL: .entry mixed_kernel_1(
//   CHECK-DAG: ld.global.b16
//   CHECK-DAG: cvt.f32.f16
//   CHECK-DAG: st.shared.v4.b32
// CHECK-LABEL: .entry matmul_acc_kernel_1(
//   CHECK-DAG: ld.global.b16
//   CHECK-DAG: ld.shared.v4.b32

// PTXAS-NOT: {{[1-9][0-9]*}} bytes spill
//     PTXAS: Compiling entry function 'matmul_acc_kernel_1'
//     PTXAS: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// PTXAS-NOT: {{[1-9][0-9]*}} bytes spill

func.func @linear_f32(%x: tensor<?x1000xf32>, %w: tensor<4096x1000xf32>) -> tensor<?x4096xf32> {
  %y = xfmr.linear %x, %w : tensor<?x1000xf32>, tensor<4096x1000xf32>
  return %y : tensor<?x4096xf32>
}

func.func @mixed(%x: tensor<?x96xf16>, %w: tensor<96x1000xf32>, %c: tensor<?x1000xf32>) -> tensor<?x1000xf32> {
  %y = linalg.matmul ins(%x, %w : tensor<?x96xf16>, tensor<96x1000xf32>) outs(%c : tensor<?x1000xf32>) -> tensor<?x1000xf32>
  return %y : tensor<?x1000xf32>
}

func.func @matmul_acc(%a: tensor<?x96xf32>, %b: tensor<96x100xf32>, %c: tensor<?x100xbf16>) -> tensor<?x100xbf16> {
  %y = linalg.matmul ins(%a, %b : tensor<?x96xf32>, tensor<96x100xf32>) outs(%c : tensor<?x100xbf16>) -> tensor<?x100xbf16>
  return %y : tensor<?x100xbf16>
}
