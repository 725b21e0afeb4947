// Runs the kernels of xfmr-gpu-warp-reductions on the CPU in the emulator
// (test/lib/gpu_kernel_check.py over test/lib/gpu_launch_emulator.py: one
// coroutine per thread, warps of 32 lanes that exchange values at each
// gpu.shuffle, which all their lanes must reach) and compares the output
// buffer with a float64 numpy reference of linalg's semantics: the output's
// initial value combined with the reduction of the body's elements. The
// emulator also fails on out-of-bounds loads and stores (the warps past the
// last output, the empty reductions). Sizes cover reductions of 0, 1, 31,
// 32, 33 and 100 elements, empty outputs, and output counts that are not a
// multiple of the warps per block (8, and 3 in the second run).
// Tolerances: f32 rtol 1e-4 atol 1e-5, f16 rtol/atol 1e-2, f64 rtol 1e-10
// atol 1e-12, integers and min/max exact.

// RUN: xfmr-opt %s --xfmr-gpu-warp-reductions --mlir-print-op-generic -o %t.mlir
// RUN: xfmr-opt %s --xfmr-gpu-warp-reductions="warps-per-block=3" --mlir-print-op-generic -o %t.3.mlir

// The sum of squares of rms_norm, on top of a random initial value.
// RUN: %python %xfmr_src/test/lib/gpu_kernel_check.py %t.mlir --func sum_squares \
// RUN:   --arg "x:f32=randn(R, D)" --arg "o:f32=rand(R)" --out o --ref "o + (x * x).sum(1)" \
// RUN:   --sizes R=5,D=0 R=5,D=1 R=9,D=31 R=9,D=32 R=3,D=33 R=17,D=100 R=0,D=7 \
// RUN:   | FileCheck %s --check-prefix=SUMSQ
// SUMSQ-COUNT-7: ok @sum_squares
// SUMSQ-NOT: WRONG
// RUN: %python %xfmr_src/test/lib/gpu_kernel_check.py %t.3.mlir --func sum_squares \
// RUN:   --arg "x:f32=randn(R, D)" --arg "o:f32=rand(R)" --out o --ref "o + (x * x).sum(1)" \
// RUN:   --sizes R=7,D=100 R=4,D=0 R=1,D=65 \
// RUN:   | FileCheck %s --check-prefix=SUMSQ3
// SUMSQ3-COUNT-3: ok @sum_squares
func.func @sum_squares(%x: memref<?x?xf32>, %o: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<?x?xf32>) outs(%o : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %in : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// Softmax's row maximum as attention makes it (maxnumf: NaN elements are
// ignored), with about a tenth of the elements NaN; and the same with
// maximumf, which propagates them.
// RUN: %python %xfmr_src/test/lib/gpu_kernel_check.py %t.mlir --func max_row \
// RUN:   --arg "x:f32=np.where(rand(1, 2, 4, T, S) > 0.8, np.nan, randn(1, 2, 4, T, S))" \
// RUN:   --arg "o:f32=randn(1, 2, 4, T) - 2" --out o \
// RUN:   --ref "np.fmax(o, np.fmax.reduce(x, axis=-1, initial=-np.inf))" \
// RUN:   --sizes T=3,S=33 T=1,S=1 T=2,S=0 T=0,S=5 T=1,S=100 \
// RUN:   | FileCheck %s --check-prefix=MAXNUM
// MAXNUM-COUNT-5: ok @max_row
// RUN: %python %xfmr_src/test/lib/gpu_kernel_check.py %t.3.mlir --func max_row_nan \
// RUN:   --arg "x:f32=np.where(rand(T, S) > 0.95, np.nan, randn(T, S))" \
// RUN:   --arg "o:f32=randn(T) - 2" --out o \
// RUN:   --ref "np.maximum(o, np.max(x, axis=-1, initial=-np.inf))" \
// RUN:   --sizes T=11,S=40 T=4,S=0 T=5,S=32 \
// RUN:   | FileCheck %s --check-prefix=MAXIMUM
// MAXIMUM-COUNT-3: ok @max_row_nan
func.func @max_row(%x: memref<1x2x4x?x?xf32>, %m: memref<1x2x4x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%x : memref<1x2x4x?x?xf32>) outs(%m : memref<1x2x4x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maxnumf %out, %in : f32
    linalg.yield %0 : f32
  }
  return
}
func.func @max_row_nan(%x: memref<?x?xf32>, %m: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<?x?xf32>) outs(%m : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %out : f32
    linalg.yield %0 : f32
  }
  return
}

// Softmax's denominator with the exponential in the body and the row
// maximum read through a map without the reduction dimension.
// RUN: %python %xfmr_src/test/lib/gpu_kernel_check.py %t.mlir --func exp_sum \
// RUN:   --arg "x:f32=randn(R, S)" --arg "m:f32=randn(R)" --arg "o:f32=zeros(R)" --out o \
// RUN:   --ref "o + np.exp(x - m[:, None]).sum(1)" \
// RUN:   --sizes R=10,S=8 R=3,S=100 R=2,S=0 \
// RUN:   | FileCheck %s --check-prefix=EXPSUM
// EXPSUM-COUNT-3: ok @exp_sum
func.func @exp_sum(%x: memref<?x?xf32>, %m: memref<?xf32>, %o: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %m : memref<?x?xf32>, memref<?xf32>) outs(%o : memref<?xf32>) {
  ^bb0(%in: f32, %max: f32, %out: f32):
    %0 = arith.subf %in, %max : f32
    %1 = math.exp %0 : f32
    %2 = arith.addf %out, %1 : f32
    linalg.yield %2 : f32
  }
  return
}

// Attention's scores, q . k^T per head group (GQA: 4 query heads per
// key head), as the front half emits them, and a named batch_matmul.
// RUN: %python %xfmr_src/test/lib/gpu_kernel_check.py %t.mlir --func scores \
// RUN:   --arg "q:f32=randn(1, 2, 4, T, 32)" --arg "k:f32=randn(1, 2, S, 32)" \
// RUN:   --arg "s:f32=rand(1, 2, 4, T, S)" --out s \
// RUN:   --ref "s + np.einsum('abhtd,absd->abhts', q, k)" \
// RUN:   --sizes T=3,S=5 T=1,S=1 T=0,S=3 \
// RUN:   | FileCheck %s --check-prefix=SCORES
// SCORES-COUNT-3: ok @scores
// RUN: %python %xfmr_src/test/lib/gpu_kernel_check.py %t.3.mlir --func bmm \
// RUN:   --arg "a:f32=randn(B, M, K)" --arg "b:f32=randn(B, K, N)" --arg "c:f32=rand(B, M, N)" \
// RUN:   --out c --ref "c + a @ b" --sizes B=2,M=3,N=5,K=33 B=1,M=1,N=1,K=0 B=3,M=2,N=2,K=31 \
// RUN:   | FileCheck %s --check-prefix=BMM
// BMM-COUNT-3: ok @bmm
func.func @scores(%q: memref<1x2x4x?x32xf32>, %k: memref<1x2x?x32xf32>, %s: memref<1x2x4x?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : memref<1x2x4x?x32xf32>, memref<1x2x?x32xf32>) outs(%s : memref<1x2x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %0 = arith.mulf %a, %b : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}
func.func @bmm(%a: memref<?x?x?xf32>, %b: memref<?x?x?xf32>, %c: memref<?x?x?xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<?x?x?xf32>, memref<?x?x?xf32>) outs(%c : memref<?x?x?xf32>)
  return
}

// Two reduction dimensions around the parallel one (steps delinearised
// over both), in i32.
// RUN: %python %xfmr_src/test/lib/gpu_kernel_check.py %t.mlir --func sum_outer_inner \
// RUN:   --arg "x:i32=np.floor(rand(A, P, C) * 100)" --arg "o:i32=np.floor(rand(P) * 100)" --out o \
// RUN:   --ref "o + x.sum(axis=(0, 2))" --sizes A=3,P=9,C=11 A=1,P=2,C=0 A=5,P=1,C=7 \
// RUN:   | FileCheck %s --check-prefix=OUTER
// OUTER-COUNT-3: ok @sum_outer_inner
func.func @sum_outer_inner(%x: memref<?x?x?xi32>, %o: memref<?xi32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1)>], iterator_types = ["reduction", "parallel", "reduction"]} ins(%x : memref<?x?x?xi32>) outs(%o : memref<?xi32>) {
  ^bb0(%in: i32, %out: i32):
    %0 = arith.addi %in, %out : i32
    linalg.yield %0 : i32
  }
  return
}

// A 16-bit accumulator (shuffled widened to 32 bits): linalg.reduce with
// minimumf on f16.
// RUN: %python %xfmr_src/test/lib/gpu_kernel_check.py %t.mlir --func min_f16 \
// RUN:   --arg "x:f16=randn(R, D)" --arg "m:f16=randn(R)" --out m \
// RUN:   --ref "np.minimum(m, x.min(axis=1, initial=np.inf))" \
// RUN:   --sizes R=9,D=45 R=3,D=0 R=2,D=32 \
// RUN:   | FileCheck %s --check-prefix=F16
// F16-COUNT-3: ok @min_f16
func.func @min_f16(%x: memref<?x?xf16>, %m: memref<?xf16>) {
  linalg.reduce ins(%x : memref<?x?xf16>) outs(%m : memref<?xf16>) dimensions = [1]
  (%in: f16, %out: f16) {
    %0 = arith.minimumf %in, %out : f16
    linalg.yield %0 : f16
  }
  return
}

// A 64-bit accumulator (shuffled as two words), the reduction dimension
// first and linalg.index in the body: o[j] += sum_i x[i][j] * i.
// RUN: %python %xfmr_src/test/lib/gpu_kernel_check.py %t.mlir --func weighted_f64 \
// RUN:   --arg "x:f64=randn(R, 8)" --arg "o:f64=randn(8)" --out o \
// RUN:   --ref "o + (x * np.arange(x.shape[0])[:, None]).sum(0)" \
// RUN:   --sizes R=40 R=0 R=1 \
// RUN:   | FileCheck %s --check-prefix=F64
// F64-COUNT-3: ok @weighted_f64
func.func @weighted_f64(%x: memref<?x8xf64>, %o: memref<8xf64>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%x : memref<?x8xf64>) outs(%o : memref<8xf64>) {
  ^bb0(%in: f64, %out: f64):
    %i = linalg.index 0 : index
    %c = arith.index_cast %i : index to i64
    %f = arith.sitofp %c : i64 to f64
    %p = arith.mulf %in, %f : f64
    %0 = arith.addf %p, %out : f64
    linalg.yield %0 : f64
  }
  return
}

// The emulator's warp check itself: a shuffle inside control flow that
// only half of the warp enters is reported (a hand-written kernel, which
// the pass leaves alone).
// RUN: not %python %xfmr_src/test/lib/gpu_kernel_check.py %t.mlir --func divergent_shuffle \
// RUN:   --arg "o:f32=zeros(32)" --out o --ref "o" 2>&1 | FileCheck %s --check-prefix=DIVERGENT
// DIVERGENT: RuntimeError: block (0, 0, 0): a shuffle that only some lanes of warp 0 reach
func.func @divergent_shuffle(%o: memref<32xf32>) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %c16 = arith.constant 16 : index
    %low = arith.cmpi ult, %tx, %c16 : index
    scf.if %low {
      %v = arith.constant 1.0 : f32
      %offset = arith.constant 1 : i32
      %width = arith.constant 32 : i32
      %s, %valid = gpu.shuffle xor %v, %offset, %width : f32
      memref.store %s, %o[%tx] : memref<32xf32>
    }
    gpu.terminator
  }
  return
}
