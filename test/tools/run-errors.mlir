// Every input is checked against the signature before the call, on both
// the JIT and the shared library, and every error names what is wrong.

// RUN: rm -rf %t && mkdir -p %t && xfmr-compile %s --emit=shared -o %t/m.so

// RUN: not xfmr-run %t/m.so --function=linear --input="4x64xf32=1" \
// RUN:   --input="64x64xf32=1" 2>&1 | FileCheck %s --check-prefix=DIM
// RUN: not xfmr-run %s --function=linear --input="4x64xf32=1" \
// RUN:   --input="64x64xf32=1" 2>&1 | FileCheck %s --check-prefix=DIM
// DIM: xfmr-run: error: argument 1 ('w'): expected dimension 0 to be 128, got 64 (128x64xf32 vs 64x64xf32)

// RUN: not xfmr-run %t/m.so --function=linear --input="4x64xf32=1" \
// RUN:   --input="128x64xi32=1" 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: xfmr-run: error: argument 1 ('w'): expected element type f32, got i32

// RUN: not xfmr-run %t/m.so --function=linear --input="4x2x64xf32=1" \
// RUN:   --input="128x64xf32=1" 2>&1 | FileCheck %s --check-prefix=RANK
// RANK: xfmr-run: error: argument 0 ('x'): expected rank 2 (?x64xf32), got rank 3 (4x2x64xf32)

// Several mismatches are all reported.
// RUN: not xfmr-run %t/m.so --function=linear --input="4x63xf32=1" \
// RUN:   --input="128x64xf16=1" 2>&1 | FileCheck %s --check-prefix=BOTH
// BOTH: xfmr-run: error: argument 0 ('x'): expected dimension 1 to be 64, got 63
// BOTH-NEXT: argument 1 ('w'): expected element type f32, got f16

// RUN: not xfmr-run %t/m.so --function=linear --input="4x64xf32=1" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=COUNT
// RUN: not xfmr-run %t/m.so --function=linear --input="4x64xf32=1" \
// RUN:   --input="128x64xf32=1" --input="1xf32=1" 2>&1 | FileCheck %s --check-prefix=COUNT3
// COUNT: xfmr-run: error: function 'linear' takes 2 inputs, got 1 (signature: linear(x: ?x64xf32, w: 128x64xf32) -> (?x128xf32))
// COUNT3: xfmr-run: error: function 'linear' takes 2 inputs, got 3

// RUN: not xfmr-run %t/m.so --function=nope 2>&1 | FileCheck %s --check-prefix=FUNC
// RUN: not xfmr-run %s --function=nope 2>&1 | FileCheck %s --check-prefix=FUNC
// FUNC: xfmr-run: error: no function 'nope' in the module; it has: linear, linear_prepare, linear_prepared, neg
// RUN: not xfmr-run %t/m.so 2>&1 | FileCheck %s --check-prefix=NOFUNC
// NOFUNC: xfmr-run: error: --function is required: the module has several functions: linear, neg

// RUN: not xfmr-run %t/missing.so --function=neg 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: xfmr-run: error: cannot open '{{.*}}missing.so': No such file or directory
// RUN: not xfmr-run %t/missing.mlir 2>&1 | FileCheck %s --check-prefix=MISSING-MLIR
// MISSING-MLIR: xfmr-run: error: cannot open '{{.*}}missing.mlir': No such file or directory
// RUN: not xfmr-run %t/m.so --function=neg --input=@%t/missing.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=MISSING-NPY
// MISSING-NPY: xfmr-run: error: input 0: cannot read '{{.*}}missing.npy': No such file or directory

// RUN: not xfmr-run %t/m.so --function=neg --frobnicate 2>&1 | FileCheck %s --check-prefix=FLAG
// FLAG: Unknown command line argument '--frobnicate'
// RUN: not xfmr-run %t/m.so --function=neg --input="2xf32=1" --output=y.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=OUTSPEC
// OUTSPEC: xfmr-run: error: --output must be @FILE.npy or -, got 'y.npy'
// RUN: not xfmr-run %t/m.so --function=neg --input="2xf32=1" --output=- --output=- 2>&1 \
// RUN:   | FileCheck %s --check-prefix=OUTCOUNT
// OUTCOUNT: xfmr-run: error: got 2 --output flags but 'neg' has 1 result
// RUN: not xfmr-run %t/m.so --function=neg --input="2xf32=1" --output=@%t/no/such/dir/y.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=OUTWRITE
// OUTWRITE: xfmr-run: error: result 0: cannot write '{{.*}}y.npy': No such file or directory
// RUN: not xfmr-run %t/m.so -O9 2>&1 | FileCheck %s --check-prefix=OPT
// OPT: xfmr-run: error: -O9 is not an optimisation level (use -O0 to -O3)

// Inline values.
// RUN: not xfmr-run %t/m.so --function=neg --input="2xf32=1 2 3" 2>&1 | FileCheck %s --check-prefix=VALUES
// VALUES: xfmr-run: error: input 0: '2xf32' needs 2 values (or 1 to fill it), got 3
// RUN: not xfmr-run %t/m.so --function=neg --input="2xf64=1" 2>&1 | FileCheck %s --check-prefix=ETYPE
// ETYPE: xfmr-run: error: input 0: unknown element type 'f64' in '2xf64' (expected f32, f16, bf16, i32 or i64 after the shape, e.g. 2x3xf32)
// RUN: not xfmr-run %t/m.so --function=neg --input="2xf32" 2>&1 | FileCheck %s --check-prefix=NOEQ
// NOEQ: xfmr-run: error: input 0: expected SHAPExTYPE=VALUES (e.g. 2x3xf32=1 2 3 4 5 6), got '2xf32'
// RUN: not xfmr-run %t/m.so --function=neg --input="2x?xf32=1" 2>&1 | FileCheck %s --check-prefix=BADDIM
// BADDIM: xfmr-run: error: input 0: invalid dimension '?' in '2x?xf32' (dimensions are non-negative integers)
// RUN: not xfmr-run %t/m.so --function=neg --input="2xf32=1 x" 2>&1 | FileCheck %s --check-prefix=BADVAL
// BADVAL: xfmr-run: error: input 0: invalid f32 value 'x'
// RUN: not xfmr-run %t/m.so --function=neg --input="2xi32=1 4294967296" 2>&1 | FileCheck %s --check-prefix=RANGE
// RANGE: xfmr-run: error: input 0: invalid i32 value '4294967296': out of range
// RUN: not xfmr-run %t/m.so --function=neg --input="1000000000x1000000000x1000000000xf32=0" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=HUGE
// HUGE: xfmr-run: error: input 0: invalid tensor shape 1000000000x1000000000x1000000000xf32: negative or too large

// A library that is not an xfmr module.
// RUN: clang-22 -shared -x c /dev/null -o %t/foreign.so
// RUN: not xfmr-run %t/foreign.so 2>&1 | FileCheck %s --check-prefix=FOREIGN
// FOREIGN: xfmr-run: error: {{.*}}foreign.so: the module has no 'xfmr_manifest' (was it built by xfmr-compile --emit=shared?)

func.func @linear(%x: tensor<?x64xf32>, %w: tensor<128x64xf32>) -> tensor<?x128xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%t) : tensor<?x128xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?x128xf32>) -> tensor<?x128xf32>
  %r = linalg.matmul
      indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                       affine_map<(m, n, k) -> (n, k)>,
                       affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<?x64xf32>, tensor<128x64xf32>)
      outs(%init : tensor<?x128xf32>) -> tensor<?x128xf32>
  return %r : tensor<?x128xf32>
}

func.func @neg(%v: tensor<2xf32>) -> tensor<2xf32> {
  %r = arith.negf %v : tensor<2xf32>
  return %r : tensor<2xf32>
}
