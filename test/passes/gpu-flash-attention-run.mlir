// Runs the kernels of xfmr-gpu-flash-attention (after bufferization) on the
// CPU in the interpreter of test/lib/gpu_launch_emulator.py, driven by
// test/lib/attention_emulator.py: every thread a coroutine, barriers ending
// phases, the 32 lanes of a warp meeting at each shuffle. It fails on an
// out-of-bounds access, a shared-memory race, a barrier or shuffle that
// not every thread (lane) reaches, an unwritten output element, or a
// result differing from the float64 reference (f32: 1e-5 + 1e-4 * max|ref|;
// f16 result: 2e-3 * max(1, max|ref|), one rounding). Shapes are
// B,Hq,Hkv,Tq,Tk,Dh,Dv (B = 0: rank 3), Tq, Tk and B dynamic: causal GQA
// with g = 2 (prefill, decode Tq < Tk, g*Tq not a multiple of the block's
// 8 rows, Tk not a multiple of the 32-key tile, Tq > Tk with rows that see
// no key, Tk = 0); g = 1 with a mask holding -inf and fully masked rows;
// MQA g = 4 in f16 with Dh = Dv = 40 (two accumulator chunks per lane);
// g = 4 over two kv heads with a mask and an explicit scale.

// RUN: xfmr-opt %s --xfmr-gpu-flash-attention --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --xfmr-gpu-flash-attention=build-kernels --cse --mlir-print-op-generic -o %t.mlir
// RUN: %python %xfmr_src/test/lib/attention_emulator.py %t.mlir --func gqa_causal --causal --dtype f32 \
// RUN:   --shapes 2,4,2,5,5,16,24 1,4,2,3,37,16,24 1,4,2,11,11,16,24 1,4,2,6,3,16,24 1,4,2,2,0,16,24 | FileCheck %s --check-prefix=GQA
// RUN: %python %xfmr_src/test/lib/attention_emulator.py %t.mlir --func masked --mask rows --dtype f32 \
// RUN:   --shapes 0,3,3,7,33,8,8 0,3,3,1,5,8,8 | FileCheck %s --check-prefix=MASKED
// RUN: %python %xfmr_src/test/lib/attention_emulator.py %t.mlir --func mqa_f16 --causal --dtype f16 \
// RUN:   --shapes 0,4,1,1,35,40,40 0,4,1,6,6,40,40 | FileCheck %s --check-prefix=MQA
// RUN: %python %xfmr_src/test/lib/attention_emulator.py %t.mlir --func group4 --mask random --scale 0.3 --dtype f32 \
// RUN:   --shapes 1,8,2,2,20,16,16 | FileCheck %s --check-prefix=GROUP4

// GQA-COUNT-5: ok @gqa_causal
// GQA-NOT: WRONG
// MASKED-COUNT-2: ok @masked
// MASKED-NOT: WRONG
// MQA-COUNT-2: ok @mqa_f16
// MQA-NOT: WRONG
// GROUP4: ok @group4

func.func @gqa_causal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = xfmr.attention %q, %k, %v {causal} : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @masked(%q: tensor<3x?x8xf32>, %k: tensor<3x?x8xf32>, %v: tensor<3x?x8xf32>, %m: tensor<?x?xf32>) -> tensor<3x?x8xf32> {
  %o = xfmr.attention %q, %k, %v, %m : tensor<3x?x8xf32>, tensor<3x?x8xf32>, tensor<3x?x8xf32>, tensor<?x?xf32>
  return %o : tensor<3x?x8xf32>
}

func.func @mqa_f16(%q: tensor<4x?x40xf16>, %k: tensor<1x?x40xf16>, %v: tensor<1x?x40xf16>) -> tensor<4x?x40xf16> {
  %o = xfmr.attention %q, %k, %v {causal} : tensor<4x?x40xf16>, tensor<1x?x40xf16>, tensor<1x?x40xf16>
  return %o : tensor<4x?x40xf16>
}

func.func @group4(%q: tensor<?x8x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x16xf32>, %m: tensor<?x?xf32>) -> tensor<?x8x?x16xf32> {
  %o = xfmr.attention %q, %k, %v, %m {scale = 3.000000e-01 : f32} : tensor<?x8x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x?xf32>
  return %o : tensor<?x8x?x16xf32>
}
