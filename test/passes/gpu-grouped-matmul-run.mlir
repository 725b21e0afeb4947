// Runs the grouped GEMM kernels of xfmr-gpu-grouped-matmul (both steps,
// with one-shot bufferization between them) on the CPU in the interpreter
// of their ops (test/lib/gpu_launch_emulator.py, through
// test/lib/gpu_moe_check.py), each function twice with the block's threads
// in opposite orders, and compares them with a float64 reference of each
// segment through its expert's SwiGLU FFN (rows outside every segment 0).
// Offsets are sorted segments with an empty expert and rows left over, or
// hostile (out of range, decreasing: clamped as the op specifies); f32 on
// the FMA kernel, bf16 on tensor cores; two gate/up weights or one
// stacked; R = 0 and a single row.

// RUN: xfmr-opt %s --xfmr-gpu-grouped-matmul \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --xfmr-gpu-grouped-matmul="build-kernels=1" --convert-linalg-to-parallel-loops --xfmr-gpu-map-to-launches \
// RUN:   --cse --mlir-print-op-generic -o %t.mlir
// RUN: %python %xfmr_src/test/lib/gpu_moe_check.py %t.mlir --func experts_f32 --op grouped_ffn \
// RUN:   --cases 70,4,40,24,sorted,f32 130,4,40,24,hostile,f32 1,4,40,24,sorted,f32 0,4,40,24,sorted,f32 \
// RUN:   | FileCheck %s --check-prefix=F32
// RUN: %python %xfmr_src/test/lib/gpu_moe_check.py %t.mlir --func experts_bf16 --op grouped_ffn \
// RUN:   --cases 70,4,40,24,sorted,bf16 33,4,40,24,hostile,bf16 \
// RUN:   | FileCheck %s --check-prefix=BF16
// RUN: %python %xfmr_src/test/lib/gpu_moe_check.py %t.mlir --func experts_stacked --op grouped_ffn \
// RUN:   --cases 70,4,40,24,sorted,f32,stacked 9,4,40,24,hostile,f32,stacked \
// RUN:   | FileCheck %s --check-prefix=STACKED

// F32: ok @experts_f32 70,4,40,24,sorted,f32: offsets
// F32: ok @experts_f32 130,4,40,24,hostile,f32: offsets
// F32: ok @experts_f32 1,4,40,24,sorted,f32: offsets
// F32: ok @experts_f32 0,4,40,24,sorted,f32: offsets
// BF16: ok @experts_bf16 70,4,40,24,sorted,bf16: offsets
// BF16: ok @experts_bf16 33,4,40,24,hostile,bf16: offsets
// STACKED: ok @experts_stacked 70,4,40,24,sorted,f32,stacked: offsets
// STACKED: ok @experts_stacked 9,4,40,24,hostile,f32,stacked: offsets

func.func @experts_f32(%x: tensor<?x40xf32>, %off: tensor<5xi32>, %wg: tensor<4x24x40xf32>, %wu: tensor<4x24x40xf32>, %wd: tensor<4x40x24xf32>) -> tensor<?x40xf32> {
  %y = xfmr.grouped_gated_ffn <silu> %x, %off, %wg, %wu, %wd : tensor<?x40xf32>, tensor<5xi32>, tensor<4x24x40xf32>, tensor<4x24x40xf32>, tensor<4x40x24xf32>
  return %y : tensor<?x40xf32>
}

func.func @experts_bf16(%x: tensor<?x40xbf16>, %off: tensor<5xi32>, %wg: tensor<4x24x40xbf16>, %wu: tensor<4x24x40xbf16>, %wd: tensor<4x40x24xbf16>) -> tensor<?x40xbf16> {
  %y = xfmr.grouped_gated_ffn <silu> %x, %off, %wg, %wu, %wd : tensor<?x40xbf16>, tensor<5xi32>, tensor<4x24x40xbf16>, tensor<4x24x40xbf16>, tensor<4x40x24xbf16>
  return %y : tensor<?x40xbf16>
}

func.func @experts_stacked(%x: tensor<?x40xf32>, %off: tensor<5xi32>, %wgu: tensor<4x48x40xf32>, %wd: tensor<4x40x24xf32>) -> tensor<?x40xf32> {
  %y = xfmr.grouped_glu_ffn <silu> %x, %off, %wgu, %wd : tensor<?x40xf32>, tensor<5xi32>, tensor<4x48x40xf32>, tensor<4x40x24xf32>
  return %y : tensor<?x40xf32>
}
