// RUN: xfmr-opt %s --xfmr-lower-moe-dispatch | FileCheck %s

// The capacity factor moves to the dispatch.
// CHECK-LABEL: func.func @capacity
//       CHECK:   xfmr.dispatch %{{.+}}, %{{.+}} {capacity_factor = 1.250000e+00 : f64, num_experts = 8 : i64}
func.func @capacity(%x: tensor<?x64xf32>, %r: tensor<8x64xf32>, %wg: tensor<8x32x64xf32>, %wd: tensor<8x64x32xf32>) -> tensor<?x64xf32> {
  %y = xfmr.moe <silu> %x, %r, %wg, %wg, %wd {top_k = 2 : i64, capacity_factor = 1.25 : f64} : tensor<?x64xf32>, tensor<8x64xf32>, tensor<8x32x64xf32>, tensor<8x32x64xf32>, tensor<8x64x32xf32>
  return %y : tensor<?x64xf32>
}
