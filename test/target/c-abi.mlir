// A C program includes the generated header, links the shared library and
// calls every entry point, typed and packed; the header also compiles as
// strict C99 and as C++.

// RUN: rm -rf %t && mkdir -p %t
// RUN: xfmr-compile %s --emit=shared -O2 -o %t/model.so
// RUN: FileCheck %s --check-prefix=HEADER --input-file=%t/model.h
// RUN: clang-22 -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only \
// RUN:   -I%t -include model.h -x c /dev/null
// RUN: clang-22 -Wall -Werror -fsyntax-only -I%t -include model.h -x c++ \
// RUN:   /dev/null
// RUN: clang-22 -std=c99 -Wall -Werror -I%t %S/Inputs/call-entry-points.c \
// RUN:   %t/model.so -Wl,-rpath,%t -o %t/main
// RUN: %t/main | FileCheck %s

// HEADER: typedef struct xfmr_memref_1d_i32 {
// HEADER-NEXT:   int32_t *allocated;
// HEADER-NEXT:   int32_t *aligned;
// HEADER-NEXT:   int64_t offset;
// HEADER-NEXT:   int64_t sizes[1];
// HEADER-NEXT:   int64_t strides[1];
// HEADER-NEXT: } xfmr_memref_1d_i32;
// HEADER: typedef struct xfmr_memref_2d_f32 {
// HEADER: /* add(x: ?x4xf32, bias: ?x4xf32) -> (?x4xf32) */
// HEADER-NEXT: void add(xfmr_memref_2d_f32 *out, const xfmr_memref_2d_f32 *x, const xfmr_memref_2d_f32 *bias);
// HEADER-NEXT: void xfmr_packed_add(void **args);
// HEADER: typedef struct pair_results {
// HEADER-NEXT:   xfmr_memref_1d_i32 r0;
// HEADER-NEXT:   xfmr_memref_1d_i32 r1;
// HEADER-NEXT: } pair_results;
// HEADER-NEXT: void pair(pair_results *out, const xfmr_memref_1d_i32 *v);
// HEADER: void identity(xfmr_memref_1d_i64 *out_, const xfmr_memref_1d_i64 *out);
// HEADER: extern const char xfmr_manifest[];

// CHECK: manifest: {"abi":"xfmr.cpu.v1"
// CHECK: add: 3x4 [11 22 33 44] [15 26 37 48] [19 30 41 52]
// CHECK: matmul (packed): [58 64] [139 154]
// CHECK: pair: [1 -2 3] [2 -4 6] fresh=1 distinct=1
// CHECK: identity: [5 6] fresh=1 input=[5 6]
// CHECK: bump: [2 3 4 5] [2 3 4 5] input=[1 2 3 4]
// CHECK: done

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

// Two results, one of them the argument itself: the caller still gets a
// buffer of its own for each.
func.func @pair(%v: tensor<3xi32>) -> (tensor<3xi32>, tensor<3xi32>) {
  %twice = arith.addi %v, %v : tensor<3xi32>
  return %v, %twice : tensor<3xi32>, tensor<3xi32>
}

// An argument named like the out parameter: the header renames the latter.
func.func @identity(%out: tensor<2xi64>) -> tensor<2xi64> {
  return %out : tensor<2xi64>
}

// Updates its argument's tensor in place; the caller's buffer stays intact.
#id = affine_map<(d0) -> (d0)>
func.func @bump(%v: tensor<4xf32>) -> tensor<4xf32> {
  %r = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]}
      outs(%v : tensor<4xf32>) {
  ^bb0(%o: f32):
    %one = arith.constant 1.0 : f32
    %s = arith.addf %o, %one : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
