// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | FileCheck %s --check-prefix=GENERIC

// Round trip of xfmr.dispatch: sorted_x[T·k, D], offsets[E+1], order[T·k].

// The description example.
// GENERIC-LABEL: sym_name = "dispatch_dynamic"
// GENERIC:         "xfmr.dispatch"({{.*}}) <{num_experts = 8 : i64}> : (tensor<?x256xf32>, tensor<?x2xi32>) -> (tensor<?x256xf32>, tensor<9xi32>, tensor<?xi32>)
// CHECK-LABEL: func.func @dispatch_dynamic(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?x256xf32>, [[EXPERTS:%[a-z0-9]+]]: tensor<?x2xi32>) -> (tensor<?x256xf32>, tensor<9xi32>, tensor<?xi32>)
// CHECK-NEXT:      [[SX:%[a-z0-9_]+]], [[OFF:%[a-z0-9_]+]], [[ORD:%[a-z0-9_]+]] = xfmr.dispatch [[X]], [[EXPERTS]] {num_experts = 8 : i64} : tensor<?x256xf32>, tensor<?x2xi32>
// CHECK-NEXT:      return [[SX]], [[OFF]], [[ORD]] : tensor<?x256xf32>, tensor<9xi32>, tensor<?xi32>
func.func @dispatch_dynamic(%x: tensor<?x256xf32>, %experts: tensor<?x2xi32>) -> (tensor<?x256xf32>, tensor<9xi32>, tensor<?xi32>) {
  %sx, %off, %ord = xfmr.dispatch %x, %experts {num_experts = 8 : i64}
      : tensor<?x256xf32>, tensor<?x2xi32>
  return %sx, %off, %ord : tensor<?x256xf32>, tensor<9xi32>, tensor<?xi32>
}

// Static tokens: the row count is T·k; bf16 rows keep their type.
// GENERIC-LABEL: sym_name = "dispatch_static_bf16"
// GENERIC:         "xfmr.dispatch"({{.*}}) <{num_experts = 16 : i64}> : (tensor<5x64xbf16>, tensor<5x3xi32>) -> (tensor<15x64xbf16>, tensor<17xi32>, tensor<15xi32>)
// CHECK-LABEL: func.func @dispatch_static_bf16(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<5x64xbf16>, [[EXPERTS:%[a-z0-9]+]]: tensor<5x3xi32>) -> (tensor<15x64xbf16>, tensor<17xi32>, tensor<15xi32>)
// CHECK-NEXT:      [[SX:%[a-z0-9_]+]], [[OFF:%[a-z0-9_]+]], [[ORD:%[a-z0-9_]+]] = xfmr.dispatch [[X]], [[EXPERTS]] {num_experts = 16 : i64} : tensor<5x64xbf16>, tensor<5x3xi32>
// CHECK-NEXT:      return [[SX]], [[OFF]], [[ORD]] : tensor<15x64xbf16>, tensor<17xi32>, tensor<15xi32>
func.func @dispatch_static_bf16(%x: tensor<5x64xbf16>, %experts: tensor<5x3xi32>) -> (tensor<15x64xbf16>, tensor<17xi32>, tensor<15xi32>) {
  %sx, %off, %ord = xfmr.dispatch %x, %experts {num_experts = 16 : i64} : tensor<5x64xbf16>, tensor<5x3xi32>
  return %sx, %off, %ord : tensor<15x64xbf16>, tensor<17xi32>, tensor<15xi32>
}

// T known only from the experts; a single expert, top-1 routing, f16.
// GENERIC-LABEL: sym_name = "dispatch_tokens_from_experts"
// GENERIC:         "xfmr.dispatch"({{.*}}) <{num_experts = 1 : i64}> : (tensor<?x?xf16>, tensor<7x1xi32>) -> (tensor<7x?xf16>, tensor<2xi32>, tensor<7xi32>)
// CHECK-LABEL: func.func @dispatch_tokens_from_experts(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?x?xf16>, [[EXPERTS:%[a-z0-9]+]]: tensor<7x1xi32>) -> (tensor<7x?xf16>, tensor<2xi32>, tensor<7xi32>)
// CHECK-NEXT:      [[SX:%[a-z0-9_]+]], [[OFF:%[a-z0-9_]+]], [[ORD:%[a-z0-9_]+]] = xfmr.dispatch [[X]], [[EXPERTS]] {num_experts = 1 : i64} : tensor<?x?xf16>, tensor<7x1xi32>
// CHECK-NEXT:      return [[SX]], [[OFF]], [[ORD]] : tensor<7x?xf16>, tensor<2xi32>, tensor<7xi32>
func.func @dispatch_tokens_from_experts(%x: tensor<?x?xf16>, %experts: tensor<7x1xi32>) -> (tensor<7x?xf16>, tensor<2xi32>, tensor<7xi32>) {
  %sx, %off, %ord = xfmr.dispatch %x, %experts {num_experts = 1 : i64} : tensor<?x?xf16>, tensor<7x1xi32>
  return %sx, %off, %ord : tensor<7x?xf16>, tensor<2xi32>, tensor<7xi32>
}

// With a capacity factor (GShard/DeepSpeed capacity).
// GENERIC-LABEL: sym_name = "dispatch_capacity"
// GENERIC:         "xfmr.dispatch"({{.*}}) <{capacity_factor = 1.250000e+00 : f64, num_experts = 8 : i64}>
// CHECK-LABEL: func.func @dispatch_capacity(
// CHECK:           xfmr.dispatch %{{.+}}, %{{.+}} {capacity_factor = 1.250000e+00 : f64, num_experts = 8 : i64} : tensor<?x64xf32>, tensor<?x2xi32>
func.func @dispatch_capacity(%x: tensor<?x64xf32>, %experts: tensor<?x2xi32>) -> (tensor<?x64xf32>, tensor<9xi32>, tensor<?xi32>) {
  %sx, %off, %ord = xfmr.dispatch %x, %experts {num_experts = 8 : i64, capacity_factor = 1.25 : f64} : tensor<?x64xf32>, tensor<?x2xi32>
  return %sx, %off, %ord : tensor<?x64xf32>, tensor<9xi32>, tensor<?xi32>
}
