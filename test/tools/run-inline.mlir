// xfmr-run with inline inputs, on the .mlir (JIT) and on the shared library
// built from it: both must print the same results.

// RUN: xfmr-run %s --function=add --input="2x4xf32=1 2 3 4 5 6 7 8" \
// RUN:   --input="2x4xf32=[0.5 0.5 0.5 0.5][10 20 30 40]" | FileCheck %s --check-prefix=ADD
// RUN: rm -rf %t && mkdir -p %t && xfmr-compile %s --emit=shared -o %t/m.so
// RUN: xfmr-run %t/m.so --function=add --input="2x4xf32=1 2 3 4 5 6 7 8" \
// RUN:   --input="2x4xf32=[0.5 0.5 0.5 0.5][10 20 30 40]" | FileCheck %s --check-prefix=ADD
// ADD: 2x4xf32=[1.5 2.5 3.5 4.5][15 26 37 48]

// A dynamic dimension takes any size; one value fills a whole tensor.
// RUN: xfmr-run %t/m.so --function=add --input="1x4xf32=1,2,3,4" --input="1x4xf32=-1" \
// RUN:   | FileCheck %s --check-prefix=SPLAT
// SPLAT: 1x4xf32=[0 1 2 3]

// RUN: xfmr-run %s --function=matmul --input="2x3xf32=1 2 3 4 5 6" \
// RUN:   --input="3x2xf32=7 8 9 10 11 12" | FileCheck %s --check-prefix=MATMUL
// RUN: xfmr-run %t/m.so --function=matmul --input="2x3xf32=1 2 3 4 5 6" \
// RUN:   --input="3x2xf32=7 8 9 10 11 12" | FileCheck %s --check-prefix=MATMUL
// RUN: xfmr-run %s --function=matmul --pipeline-options="vectorize=false" \
// RUN:   --input="2x3xf32=1 2 3 4 5 6" --input="3x2xf32=7 8 9 10 11 12" -O0 \
// RUN:   | FileCheck %s --check-prefix=MATMUL
// MATMUL: 2x2xf32=[58 64][139 154]

// Two results, in order; one is the argument itself.
// RUN: xfmr-run %s --function=pair --input="3xi32=1 -2 2147483647" | FileCheck %s --check-prefix=PAIR
// RUN: xfmr-run %t/m.so --function=pair --input="3xi32=1 -2 2147483647" | FileCheck %s --check-prefix=PAIR
// PAIR: 3xi32=1 -2 2147483647
// PAIR-NEXT: 3xi32=2 -4 -2

// Every element type, and rank 0.
// RUN: xfmr-run %t/m.so --function=halves --input="3xf16=1 0.1 65504" \
// RUN:   --input="3xbf16=2.5 1e30 -3" | FileCheck %s --check-prefix=HALVES
// RUN: xfmr-run %s --function=halves --input="3xf16=1 0.1 65504" \
// RUN:   --input="3xbf16=2.5 1e30 -3" | FileCheck %s --check-prefix=HALVES
// HALVES: 3xf16=2 0.2 inf
// HALVES-NEXT: 3xbf16=-2.5 -1e+30 3
// RUN: xfmr-run %t/m.so --function=scalar --input="i64=9000000000" --input="i64=-1" \
// RUN:   | FileCheck %s --check-prefix=SCALAR
// SCALAR: i64=8999999999

// A module with a single function needs no --function.
// RUN: printf 'func.func @only(%%%%a: tensor<2xi32>) -> tensor<2xi32> {\n  return %%%%a : tensor<2xi32>\n}\n' > %t/only.mlir
// RUN: xfmr-run %t/only.mlir --input="2xi32=4 5" | FileCheck %s --check-prefix=ONLY
// ONLY: 2xi32=4 5

// A function without arguments.
// RUN: xfmr-run %t/m.so --function=seven | FileCheck %s --check-prefix=SEVEN
// SEVEN: 2x2x2xi64={{\[\[7 7\]\[7 7\]\]\[\[7 7\]\[7 7\]\]$}}

#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @add(%x: tensor<?x4xf32>, %bias: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%d) : tensor<?x4xf32>
  %r = linalg.generic {indexing_maps = [#map, #map, #map],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %bias : tensor<?x4xf32>, tensor<?x4xf32>)
      outs(%e : tensor<?x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> tensor<2x2xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %r = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x2xf32>)
                     outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}

func.func @pair(%v: tensor<3xi32>) -> (tensor<3xi32>, tensor<3xi32>) {
  %twice = arith.addi %v, %v : tensor<3xi32>
  return %v, %twice : tensor<3xi32>, tensor<3xi32>
}

func.func @halves(%h: tensor<3xf16>, %b: tensor<3xbf16>) -> (tensor<3xf16>, tensor<3xbf16>) {
  %h2 = arith.addf %h, %h : tensor<3xf16>
  %bn = arith.negf %b : tensor<3xbf16>
  return %h2, %bn : tensor<3xf16>, tensor<3xbf16>
}

func.func @scalar(%a: tensor<i64>, %b: tensor<i64>) -> tensor<i64> {
  %s = arith.addi %a, %b : tensor<i64>
  return %s : tensor<i64>
}

func.func @seven() -> tensor<2x2x2xi64> {
  %c = arith.constant dense<7> : tensor<2x2x2xi64>
  return %c : tensor<2x2x2xi64>
}
