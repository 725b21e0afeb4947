// Runs matmul kernels with fused element-wise epilogues (xfmr-gpu-tile-matmul)
// on the CPU in the interpreter of their ops (test/lib/gpu_launch_emulator.py,
// through test/lib/gpu_kernel_check.py) and compares them with float64
// references: a gated FFN's gating from two projections (FMA kernel, f32,
// and tensor-core kernel, bf16 with a bf16 intermediate), the same gating
// from the two halves of one stacked projection, and a bias and ReLU on a
// projection accumulated into a partial sum. Shapes cover partial
// blocks, K tails, M = 0 and K = 0.

// RUN: xfmr-opt %s --xfmr-gpu-tile-matmul --cse --mlir-print-op-generic -o %t.mlir
// RUN: %python %xfmr_src/test/lib/gpu_kernel_check.py %t.mlir --func glu_two_f32 \
// RUN:   --arg x:f32="rand(M,K)" --arg wg:f32="rand(F,K)" --arg wu:f32="rand(F,K)" --arg h:f32="full((M,F),np.nan)" \
// RUN:   --out h --ref "(x @ wg.T) / (1 + np.exp(-(x @ wg.T))) * (x @ wu.T)" \
// RUN:   --sizes M=70,F=67,K=40 M=1,F=5,K=17 M=130,F=64,K=16 M=0,F=3,K=5 M=3,F=2,K=0 \
// RUN:   | FileCheck %s --check-prefix=TWO
// RUN: %python %xfmr_src/test/lib/gpu_kernel_check.py %t.mlir --func glu_two_bf16 \
// RUN:   --arg x:bf16="rand(M,K)" --arg wg:bf16="rand(F,K)" --arg wu:bf16="rand(F,K)" --arg h:bf16="zeros(M,F)" \
// RUN:   --out h --ref "(x @ wg.T) / (1 + np.exp(-(x @ wg.T))) * (x @ wu.T)" --rtol 2e-2 --atol 2e-2 \
// RUN:   --sizes M=70,F=67,K=40 M=1,F=8,K=3 M=0,F=3,K=5 \
// RUN:   | FileCheck %s --check-prefix=TWO-BF16
// RUN: %python %xfmr_src/test/lib/gpu_kernel_check.py %t.mlir --func glu_stacked_f32 \
// RUN:   --arg x:f32="rand(M,24)" --arg w:f32="rand(80,24)" --arg h:f32="full((M,40),np.nan)" \
// RUN:   --out h --ref "0.5 * (x @ w[:40].T) * (1 + np.tanh(0.7978845608028654 * ((x @ w[:40].T) + 0.044715 * (x @ w[:40].T) ** 3))) * (x @ w[40:].T)" \
// RUN:   --sizes M=70 M=1 M=0 \
// RUN:   | FileCheck %s --check-prefix=STACKED
// RUN: %python %xfmr_src/test/lib/gpu_kernel_check.py %t.mlir --func bias_relu_f32 \
// RUN:   --arg x:f32="rand(M,K)" --arg w:f32="rand(N,K)" --arg bias:f32="rand(N)" --arg y:f32="rand(M,N)" \
// RUN:   --out y --ref "np.maximum(y + x @ w.T + bias, 0)" \
// RUN:   --sizes M=65,N=70,K=33 M=2,N=1,K=1 M=4,N=9,K=0 \
// RUN:   | FileCheck %s --check-prefix=BIAS

// TWO: ok @glu_two_f32 M=70,F=67,K=40: max error
// TWO: ok @glu_two_f32 M=1,F=5,K=17
// TWO: ok @glu_two_f32 M=130,F=64,K=16
// TWO: ok @glu_two_f32 M=0,F=3,K=5
// TWO: ok @glu_two_f32 M=3,F=2,K=0
// TWO-BF16: ok @glu_two_bf16 M=70,F=67,K=40: max error
// TWO-BF16: ok @glu_two_bf16 M=1,F=8,K=3
// TWO-BF16: ok @glu_two_bf16 M=0,F=3,K=5
// STACKED: ok @glu_stacked_f32 M=70: max error
// STACKED: ok @glu_stacked_f32 M=1
// STACKED: ok @glu_stacked_f32 M=0
// BIAS: ok @bias_relu_f32 M=65,N=70,K=33: max error
// BIAS: ok @bias_relu_f32 M=2,N=1,K=1
// BIAS: ok @bias_relu_f32 M=4,N=9,K=0

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
#nk = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]

// The bufferized form of the two projections of a gated FFN: one zero-filled
// buffer copied for the first, the second accumulated into the filled one,
// the gating written to its own buffer.
func.func @glu_two_f32(%x: memref<?x?xf32>, %wg: memref<?x?xf32>, %wu: memref<?x?xf32>, %h: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %f = memref.dim %wg, %c0 : memref<?x?xf32>
  %u = memref.alloc(%m, %f) : memref<?x?xf32>
  linalg.fill ins(%zero : f32) outs(%u : memref<?x?xf32>)
  %g = memref.alloc(%m, %f) : memref<?x?xf32>
  linalg.copy ins(%u : memref<?x?xf32>) outs(%g : memref<?x?xf32>)
  linalg.matmul indexing_maps = #nk ins(%x, %wg : memref<?x?xf32>, memref<?x?xf32>) outs(%g : memref<?x?xf32>)
  linalg.matmul indexing_maps = #nk ins(%x, %wu : memref<?x?xf32>, memref<?x?xf32>) outs(%u : memref<?x?xf32>)
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g, %u : memref<?x?xf32>, memref<?x?xf32>) outs(%h : memref<?x?xf32>) {
  ^bb0(%gv: f32, %uv: f32, %out: f32):
    %n = arith.negf %gv : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %s = arith.divf %gv, %d : f32
    %r = arith.mulf %s, %uv : f32
    linalg.yield %r : f32
  }
  memref.dealloc %g : memref<?x?xf32>
  memref.dealloc %u : memref<?x?xf32>
  return
}

// bf16 operands: tensor cores; each projection is rounded to bf16 before the
// gating, as its own buffer would hold it; the gating writes in place.
func.func @glu_two_bf16(%x: memref<?x?xbf16>, %wg: memref<?x?xbf16>, %wu: memref<?x?xbf16>, %h: memref<?x?xbf16>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : bf16
  %one = arith.constant 1.0 : f32
  %m = memref.dim %x, %c0 : memref<?x?xbf16>
  %f = memref.dim %wg, %c0 : memref<?x?xbf16>
  %g = memref.alloc(%m, %f) : memref<?x?xbf16>
  linalg.fill ins(%zero : bf16) outs(%g : memref<?x?xbf16>)
  linalg.fill ins(%zero : bf16) outs(%h : memref<?x?xbf16>)
  linalg.matmul indexing_maps = #nk ins(%x, %wg : memref<?x?xbf16>, memref<?x?xbf16>) outs(%g : memref<?x?xbf16>)
  linalg.matmul indexing_maps = #nk ins(%x, %wu : memref<?x?xbf16>, memref<?x?xbf16>) outs(%h : memref<?x?xbf16>)
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g, %h : memref<?x?xbf16>, memref<?x?xbf16>) outs(%h : memref<?x?xbf16>) {
  ^bb0(%gb: bf16, %ub: bf16, %out: bf16):
    %gv = arith.extf %gb : bf16 to f32
    %uv = arith.extf %ub : bf16 to f32
    %n = arith.negf %gv : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %s = arith.divf %gv, %d : f32
    %r = arith.mulf %s, %uv : f32
    %t = arith.truncf %r : f32 to bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %g : memref<?x?xbf16>
  return
}

// The stacked form: one projection onto [gate | up] (80 = 2 x 40 outputs)
// and a tanh-GELU gating of its two halves.
func.func @glu_stacked_f32(%x: memref<?x24xf32>, %w: memref<80x24xf32>, %h: memref<?x40xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %k0 = arith.constant 0.7978845608028654 : f32
  %k1 = arith.constant 0.044715 : f32
  %m = memref.dim %x, %c0 : memref<?x24xf32>
  %gu = memref.alloc(%m) : memref<?x80xf32>
  linalg.fill ins(%zero : f32) outs(%gu : memref<?x80xf32>)
  linalg.matmul indexing_maps = #nk ins(%x, %w : memref<?x24xf32>, memref<80x24xf32>) outs(%gu : memref<?x80xf32>)
  %gate = memref.subview %gu[0, 0] [%m, 40] [1, 1] : memref<?x80xf32> to memref<?x40xf32, strided<[80, 1]>>
  %up = memref.subview %gu[0, 40] [%m, 40] [1, 1] : memref<?x80xf32> to memref<?x40xf32, strided<[80, 1], offset: 40>>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%gate, %up : memref<?x40xf32, strided<[80, 1]>>, memref<?x40xf32, strided<[80, 1], offset: 40>>) outs(%h : memref<?x40xf32>) {
  ^bb0(%gv: f32, %uv: f32, %out: f32):
    %g2 = arith.mulf %gv, %gv : f32
    %g3 = arith.mulf %g2, %gv : f32
    %a = arith.mulf %g3, %k1 : f32
    %b = arith.addf %gv, %a : f32
    %c = arith.mulf %b, %k0 : f32
    %t = math.tanh %c : f32
    %p = arith.addf %t, %one : f32
    %q = arith.mulf %gv, %half : f32
    %s = arith.mulf %q, %p : f32
    %r = arith.mulf %s, %uv : f32
    linalg.yield %r : f32
  }
  memref.dealloc %gu : memref<?x80xf32>
  return
}

// C holds a partial sum (read by the kernel); the epilogue adds a bias
// broadcast along the rows and applies ReLU, written in place.
func.func @bias_relu_f32(%x: memref<?x?xf32>, %w: memref<?x?xf32>, %bias: memref<?xf32>, %y: memref<?x?xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.matmul indexing_maps = #nk ins(%x, %w : memref<?x?xf32>, memref<?x?xf32>) outs(%y : memref<?x?xf32>)
  linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y, %bias : memref<?x?xf32>, memref<?xf32>) outs(%y : memref<?x?xf32>) {
  ^bb0(%v: f32, %b: f32, %out: f32):
    %s = arith.addf %v, %b : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  return
}
