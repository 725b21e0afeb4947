// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | FileCheck %s --check-prefix=GENERIC

// Round trip of xfmr.topk_router: results are f32 weights and i32 experts.

// The description example.
// GENERIC-LABEL: sym_name = "topk_router_default"
// GENERIC:         "xfmr.topk_router"({{.*}}) <{normalize_topk = true, scoring = #xfmr.scoring<softmax>, top_k = 2 : i64}> : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
// CHECK-LABEL: func.func @topk_router_default(
// CHECK-SAME:      [[LOGITS:%[a-z0-9]+]]: tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
// CHECK-NEXT:      [[W:%[a-z0-9_]+]], [[E:%[a-z0-9_]+]] = xfmr.topk_router [[LOGITS]] {top_k = 2 : i64} : tensor<?x8xf32>
// CHECK-NEXT:      return [[W]], [[E]] : tensor<?x2xf32>, tensor<?x2xi32>
func.func @topk_router_default(%logits: tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>) {
  %w, %e = xfmr.topk_router %logits {top_k = 2 : i64} : tensor<?x8xf32>
  return %w, %e : tensor<?x2xf32>, tensor<?x2xi32>
}

// The second description example: sigmoid scoring, no renormalisation,
// bf16 logits; the weights are f32 whatever the logits' type.
// GENERIC-LABEL: sym_name = "topk_router_sigmoid"
// GENERIC:         "xfmr.topk_router"({{.*}}) <{normalize_topk = false, scoring = #xfmr.scoring<sigmoid>, top_k = 4 : i64}> : (tensor<16x64xbf16>) -> (tensor<16x4xf32>, tensor<16x4xi32>)
// CHECK-LABEL: func.func @topk_router_sigmoid(
// CHECK-SAME:      [[L16:%[a-z0-9]+]]: tensor<16x64xbf16>) -> (tensor<16x4xf32>, tensor<16x4xi32>)
// CHECK-NEXT:      [[SW:%[a-z0-9_]+]], [[SE:%[a-z0-9_]+]] = xfmr.topk_router [[L16]] {normalize_topk = false, scoring = #xfmr.scoring<sigmoid>, top_k = 4 : i64} : tensor<16x64xbf16>
// CHECK-NEXT:      return [[SW]], [[SE]] : tensor<16x4xf32>, tensor<16x4xi32>
func.func @topk_router_sigmoid(%l16: tensor<16x64xbf16>) -> (tensor<16x4xf32>, tensor<16x4xi32>) {
  %sw, %se = xfmr.topk_router %l16
      {normalize_topk = false, scoring = #xfmr.scoring<sigmoid>,
       top_k = 4 : i64} : tensor<16x64xbf16>
  return %sw, %se : tensor<16x4xf32>, tensor<16x4xi32>
}

// top_k = E in f16; explicit defaults are not printed.
// GENERIC-LABEL: sym_name = "topk_router_all_f16"
// GENERIC:         "xfmr.topk_router"({{.*}}) <{normalize_topk = true, scoring = #xfmr.scoring<softmax>, top_k = 4 : i64}> : (tensor<5x4xf16>) -> (tensor<5x4xf32>, tensor<5x4xi32>)
// CHECK-LABEL: func.func @topk_router_all_f16(
// CHECK-SAME:      [[LOGITS:%[a-z0-9]+]]: tensor<5x4xf16>) -> (tensor<5x4xf32>, tensor<5x4xi32>)
// CHECK-NEXT:      [[W:%[a-z0-9_]+]], [[E:%[a-z0-9_]+]] = xfmr.topk_router [[LOGITS]] {top_k = 4 : i64} : tensor<5x4xf16>
// CHECK-NEXT:      return [[W]], [[E]] : tensor<5x4xf32>, tensor<5x4xi32>
func.func @topk_router_all_f16(%logits: tensor<5x4xf16>) -> (tensor<5x4xf32>, tensor<5x4xi32>) {
  %w, %e = xfmr.topk_router %logits {normalize_topk = true, scoring = #xfmr.scoring<softmax>, top_k = 4 : i64} : tensor<5x4xf16>
  return %w, %e : tensor<5x4xf32>, tensor<5x4xi32>
}

// A dynamic expert count accepts any top_k.
// GENERIC-LABEL: sym_name = "topk_router_dynamic"
// GENERIC:         "xfmr.topk_router"({{.*}}) <{normalize_topk = false, scoring = #xfmr.scoring<softmax>, top_k = 6 : i64}> : (tensor<?x?xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>)
// CHECK-LABEL: func.func @topk_router_dynamic(
// CHECK-SAME:      [[LOGITS:%[a-z0-9]+]]: tensor<?x?xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>)
// CHECK-NEXT:      [[W:%[a-z0-9_]+]], [[E:%[a-z0-9_]+]] = xfmr.topk_router [[LOGITS]] {normalize_topk = false, top_k = 6 : i64} : tensor<?x?xf32>
// CHECK-NEXT:      return [[W]], [[E]] : tensor<?x6xf32>, tensor<?x6xi32>
func.func @topk_router_dynamic(%logits: tensor<?x?xf32>) -> (tensor<?x6xf32>, tensor<?x6xi32>) {
  %w, %e = xfmr.topk_router %logits {top_k = 6 : i64, normalize_topk = false} : tensor<?x?xf32>
  return %w, %e : tensor<?x6xf32>, tensor<?x6xi32>
}
