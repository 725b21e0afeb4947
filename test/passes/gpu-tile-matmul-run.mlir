// Runs the kernels of xfmr-gpu-tile-matmul on the CPU in a small
// interpreter of the ops they are made of (test/lib/gpu_launch_emulator.py):
// one coroutine per thread, gpu.barrier ending a phase once every thread of
// the block reaches it. It fails on an out-of-bounds load or store (the
// guards of the M, N and K tails), on two threads touching one shared
// element in one phase (a missing barrier), on a barrier that only some
// threads reach, and on results that differ from a float64 reference of
// C + A * B: the checks of the kernels that need no GPU. Shapes cover
// partial blocks in M and N, K tails, K shorter than one stage, K = 0 and
// M = 0, for the FMA kernel (f32) and the tensor-core kernel (f16 and bf16
// operands, both B layouts, f32, f16 and bf16 C), whose nvvm.mma.sync the
// emulator runs per warp with the PTX fragment layouts.

// RUN: xfmr-opt %s --xfmr-gpu-tile-matmul --cse --mlir-print-op-generic -o %t.mlir
// RUN: %python %xfmr_src/test/lib/gpu_launch_emulator.py %t.mlir --func linear_f32 \
// RUN:   --layout nk --storage f32 --c-type f32 --shapes 70,67,40 64,64,16 1,5,17 0,3,5 3,2,0 \
// RUN:   | FileCheck %s --check-prefix=LINEAR
// RUN: %python %xfmr_src/test/lib/gpu_launch_emulator.py %t.mlir --func matmul_f16 \
// RUN:   --layout kn --storage f16 --c-type f16 --shapes 65,129,33 1,7,3 0,5,9 64,64,96 \
// RUN:   | FileCheck %s --check-prefix=MATMUL
// RUN: %python %xfmr_src/test/lib/gpu_launch_emulator.py %t.mlir --func linear_f16_f32 \
// RUN:   --layout nk --storage f16 --c-type f32 --shapes 129,70,31 1,130,70 5,9,0 \
// RUN:   | FileCheck %s --check-prefix=MIXED
// RUN: %python %xfmr_src/test/lib/gpu_launch_emulator.py %t.mlir --func linear_bf16 \
// RUN:   --layout nk --storage bf16 --c-type bf16 --shapes 70,67,40 1,5,17 0,3,5 3,2,0 \
// RUN:   | FileCheck %s --check-prefix=BF16
// RUN: %python %xfmr_src/test/lib/gpu_launch_emulator.py %t.mlir --func matmul_bf16_f32 \
// RUN:   --layout kn --storage bf16 --c-type f32 --shapes 129,65,70 1,64,32 64,1,1 \
// RUN:   | FileCheck %s --check-prefix=BF16-F32

// LINEAR-COUNT-5: ok @linear_f32
// LINEAR-NOT: WRONG
// MATMUL-COUNT-4: ok @matmul_f16
// MATMUL-NOT: WRONG
// MIXED-COUNT-3: ok @linear_f16_f32
// MIXED-NOT: WRONG
// BF16-COUNT-4: ok @linear_bf16
// BF16-NOT: WRONG
// BF16-F32-COUNT-3: ok @matmul_bf16_f32
// BF16-F32-NOT: WRONG

func.func @linear_f32(%x: memref<?x?xf32>, %w: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
    ins(%x, %w : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

func.func @matmul_f16(%a: memref<?x?xf16>, %b: memref<?x?xf16>, %c: memref<?x?xf16>) {
  linalg.matmul ins(%a, %b : memref<?x?xf16>, memref<?x?xf16>) outs(%c : memref<?x?xf16>)
  return
}

func.func @linear_f16_f32(%x: memref<?x?xf16>, %w: memref<?x?xf16>, %c: memref<?x?xf32>) {
  linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
    ins(%x, %w : memref<?x?xf16>, memref<?x?xf16>) outs(%c : memref<?x?xf32>)
  return
}

func.func @linear_bf16(%x: memref<?x?xbf16>, %w: memref<?x?xbf16>, %c: memref<?x?xbf16>) {
  linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
    ins(%x, %w : memref<?x?xbf16>, memref<?x?xbf16>) outs(%c : memref<?x?xbf16>)
  return
}

func.func @matmul_bf16_f32(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %c: memref<?x?xf32>) {
  linalg.matmul ins(%a, %b : memref<?x?xbf16>, memref<?x?xbf16>) outs(%c : memref<?x?xf32>)
  return
}
