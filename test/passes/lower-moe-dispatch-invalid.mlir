// RUN: xfmr-opt %s --xfmr-lower-moe-dispatch --split-input-file -verify-diagnostics

// The dispatch ops need a static expert count (num_experts is an attribute).
func.func @dynamic_experts(%x: tensor<?x16xf32>, %r: tensor<?x16xf32>, %wg: tensor<?x8x16xf32>, %wd: tensor<?x16x8xf32>) -> tensor<?x16xf32> {
  // expected-error @+1 {{'xfmr.moe' op could not be lowered to expert dispatch: the number of experts (dimension 0 of 'router_w') must be static}}
  %y = xfmr.moe <silu> %x, %r, %wg, %wg, %wd {top_k = 2 : i64} : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x8x16xf32>, tensor<?x8x16xf32>, tensor<?x16x8xf32>
  return %y : tensor<?x16xf32>
}

// -----

// RUN: not xfmr-opt %s --split-input-file --xfmr-lower-moe-dispatch=all-experts 2>&1 | FileCheck %s --check-prefix=ALL
// ALL: error: 'xfmr.moe' op with 'capacity_factor' cannot be lowered by the all-experts strategy, which drops no token
func.func @all_experts_capacity(%x: tensor<?x16xf32>, %r: tensor<4x16xf32>, %wg: tensor<4x8x16xf32>, %wd: tensor<4x16x8xf32>) -> tensor<?x16xf32> {
  %y = xfmr.moe <silu> %x, %r, %wg, %wg, %wd {top_k = 2 : i64, capacity_factor = 1.0 : f64} : tensor<?x16xf32>, tensor<4x16xf32>, tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<4x16x8xf32>
  return %y : tensor<?x16xf32>
}
