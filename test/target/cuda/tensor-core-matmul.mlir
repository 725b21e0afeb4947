// The tensor-core matmul kernels of xfmr-gpu-tile-matmul (f16 and bf16
// operands) compile to PTX whose mma.sync.aligned.m16n8k16 ptxas assembles
// for sm_80 and sm_90: an f16 linear layer (B[n][k], summed in f32 and
// rounded to f16 in the same kernel: one kernel, no f32 buffer) with a
// dynamic token count, a bf16 matmul accumulating into a bf16 argument (B[k][n])
// and a bf16 linear form with an f32 C, all dynamic. The two shared tiles
// are 64 x 20 pairs (5120 bytes each); the 32 accumulators per thread stay
// in registers (no spills to local memory).

// REQUIRES: ptxas
// RUN: xfmr-compile %s --target=cuda --emit=ptx --gpu-arch=sm_80 -o %t.sm_80.ptx
// RUN: FileCheck %s --input-file=%t.sm_80.ptx
// RUN: xfmr-compile %s --target=cuda --emit=ptx -o %t.sm_90.ptx
// RUN: FileCheck %s --input-file=%t.sm_90.ptx
// RUN: %ptxas -v -arch=sm_80 %t.sm_80.ptx -o %t.sm_80.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS
// RUN: %ptxas -v -arch=sm_90 %t.sm_90.ptx -o %t.sm_90.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS

// CHECK-LABEL: .entry linear_f16_kernel_0(
//       CHECK: .maxntid 128, 1, 1
//       CHECK: .shared .align 4 .b8 __wg_linear_f16_kernel_0_0[5120];
//       CHECK: .shared .align 4 .b8 __wg_linear_f16_kernel_0_1[5120];
//   CHECK-DAG: ld.global.b16
//   CHECK-DAG: st.shared.b32
//   CHECK-DAG: bar.sync 0;
//   CHECK-DAG: ld.shared.b32
//   CHECK-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
//   CHECK-DAG: cvt.rn.f16.f32
//   CHECK-NOT: cvt.f32.f16
//   CHECK-NOT: .entry linear_f16_kernel_1(
// CHECK-LABEL: .entry matmul_acc_kernel_1(
//   CHECK-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
//   CHECK-DAG: bar.sync 0;
//   CHECK-DAG: cvt.rn.bf16.f32
// CHECK-LABEL: .entry linear_bf16_f32_kernel_1(
//   CHECK-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32

// PTXAS-NOT: {{[1-9][0-9]*}} bytes spill
//     PTXAS: Compiling entry function 'linear_bf16_f32_kernel_1'
//     PTXAS: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
//     PTXAS: 10240 bytes smem
// PTXAS-NOT: {{[1-9][0-9]*}} bytes spill

func.func @linear_f16(%x: tensor<?x96xf16>, %w: tensor<1000x96xf16>) -> tensor<?x1000xf16> {
  %y = xfmr.linear %x, %w : tensor<?x96xf16>, tensor<1000x96xf16>
  return %y : tensor<?x1000xf16>
}

func.func @matmul_acc(%a: tensor<?x96xbf16>, %b: tensor<96x100xbf16>, %c: tensor<?x100xbf16>) -> tensor<?x100xbf16> {
  %y = linalg.matmul ins(%a, %b : tensor<?x96xbf16>, tensor<96x100xbf16>) outs(%c : tensor<?x100xbf16>) -> tensor<?x100xbf16>
  return %y : tensor<?x100xbf16>
}

func.func @linear_bf16_f32(%x: tensor<?x?xbf16>, %w: tensor<?x?xbf16>, %c: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
    ins(%x, %w : tensor<?x?xbf16>, tensor<?x?xbf16>) outs(%c : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
