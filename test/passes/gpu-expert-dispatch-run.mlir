// Runs the kernels of xfmr-gpu-expert-dispatch on the CPU in the interpreter
// of test/lib/gpu_launch_emulator.py (one coroutine per thread, barriers end
// phases; out-of-bounds accesses and barriers that only some threads reach
// fail) and compares them with references written from the op definitions
// (test/lib/gpu_moe_check.py): experts, offsets and order exactly, weights
// and sums at rtol 1e-4 / atol 1e-5. The dispatch cases cover one chunk and
// several (256 pairs per chunk, a partial last one), no pairs, invalid
// expert ids, empty experts and the capacity.

// RUN: xfmr-opt %s --xfmr-gpu-expert-dispatch \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --mlir-print-op-generic -o %t.mlir
// RUN: %python %xfmr_src/test/lib/gpu_moe_check.py %t.mlir --func router_softmax \
// RUN:   --op topk_router --cases 37,8,2,softmax,1 1,8,2,softmax,1 0,8,2,softmax,1 \
// RUN:   | FileCheck %s --check-prefix=SOFTMAX
// RUN: %python %xfmr_src/test/lib/gpu_moe_check.py %t.mlir --func router_sigmoid \
// RUN:   --op topk_router --cases 20,6,3,sigmoid,0 | FileCheck %s --check-prefix=SIGMOID
// RUN: %python %xfmr_src/test/lib/gpu_moe_check.py %t.mlir --func dispatch \
// RUN:   --op dispatch --cases 5,2,8,3 150,2,8,3 0,2,8,3 | FileCheck %s --check-prefix=DISPATCH
// RUN: %python %xfmr_src/test/lib/gpu_moe_check.py %t.mlir --func dispatch_capacity \
// RUN:   --op dispatch --cases 40,2,4,3,0.5 9,2,4,2,0.5 | FileCheck %s --check-prefix=CAPACITY
// RUN: %python %xfmr_src/test/lib/gpu_moe_check.py %t.mlir --func combine \
// RUN:   --op combine --cases 7,2,5 1,1,3 | FileCheck %s --check-prefix=COMBINE

// SOFTMAX-COUNT-3: ok @router_softmax
// SOFTMAX-NOT: WRONG
// SIGMOID: ok @router_sigmoid
// DISPATCH-COUNT-3: ok @dispatch
// DISPATCH-NOT: WRONG
// CAPACITY-COUNT-2: ok @dispatch_capacity
// CAPACITY-NOT: WRONG
// COMBINE-COUNT-2: ok @combine
// COMBINE-NOT: WRONG

func.func @router_softmax(%logits: tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>) {
  %w, %e = xfmr.topk_router %logits {top_k = 2 : i64} : tensor<?x8xf32>
  return %w, %e : tensor<?x2xf32>, tensor<?x2xi32>
}

func.func @router_sigmoid(%logits: tensor<?x6xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>) {
  %w, %e = xfmr.topk_router %logits {top_k = 3 : i64, scoring = #xfmr.scoring<sigmoid>, normalize_topk = false} : tensor<?x6xf32>
  return %w, %e : tensor<?x3xf32>, tensor<?x3xi32>
}

func.func @dispatch(%x: tensor<?x3xf32>, %experts: tensor<?x2xi32>) -> (tensor<?x3xf32>, tensor<9xi32>, tensor<?xi32>) {
  %sx, %off, %ord = xfmr.dispatch %x, %experts {num_experts = 8 : i64} : tensor<?x3xf32>, tensor<?x2xi32>
  return %sx, %off, %ord : tensor<?x3xf32>, tensor<9xi32>, tensor<?xi32>
}

func.func @dispatch_capacity(%x: tensor<?x?xf32>, %experts: tensor<?x2xi32>) -> (tensor<?x?xf32>, tensor<5xi32>, tensor<?xi32>) {
  %sx, %off, %ord = xfmr.dispatch %x, %experts {num_experts = 4 : i64, capacity_factor = 0.5 : f64} : tensor<?x?xf32>, tensor<?x2xi32>
  return %sx, %off, %ord : tensor<?x?xf32>, tensor<5xi32>, tensor<?xi32>
}

func.func @combine(%eo: tensor<?x?xf32>, %ord: tensor<?xi32>, %w: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = xfmr.combine %eo, %ord, %w : tensor<?x?xf32>, tensor<?xi32>, tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
