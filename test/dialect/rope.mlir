// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | FileCheck %s --check-prefix=GENERIC

// Round trip of xfmr.rope: i32 and i64 positions, 3-D and 4-D x, rotary_dim.

// The description example; theta = 10000 is the default and is not printed.
// GENERIC-LABEL: sym_name = "rope_default_theta"
// GENERIC:         "xfmr.rope"({{.*}}) <{theta = 1.000000e+04 : f64}> : (tensor<?x8x64xf32>, tensor<?xi32>) -> tensor<?x8x64xf32>
// CHECK-LABEL: func.func @rope_default_theta(
// CHECK-SAME:      [[Q:%[a-z0-9]+]]: tensor<?x8x64xf32>, [[POS:%[a-z0-9]+]]: tensor<?xi32>) -> tensor<?x8x64xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.rope [[Q]], [[POS]] : tensor<?x8x64xf32>, tensor<?xi32>
// CHECK-NEXT:      return [[Y]] : tensor<?x8x64xf32>
func.func @rope_default_theta(%q: tensor<?x8x64xf32>, %pos: tensor<?xi32>) -> tensor<?x8x64xf32> {
  %y = xfmr.rope %q, %pos {theta = 10000.0 : f64}
      : tensor<?x8x64xf32>, tensor<?xi32>
  return %y : tensor<?x8x64xf32>
}

// The second description example: batched x, per-sequence i64 positions.
// GENERIC-LABEL: sym_name = "rope_batched_ids"
// GENERIC:         "xfmr.rope"({{.*}}) <{rotary_dim = 32 : i64, theta = 1.000000e+06 : f64}> : (tensor<2x?x4x64xbf16>, tensor<2x?xi64>) -> tensor<2x?x4x64xbf16>
// CHECK-LABEL: func.func @rope_batched_ids(
// CHECK-SAME:      [[K:%[a-z0-9]+]]: tensor<2x?x4x64xbf16>, [[IDS:%[a-z0-9]+]]: tensor<2x?xi64>) -> tensor<2x?x4x64xbf16>
// CHECK-NEXT:      [[Z:%[a-z0-9_]+]] = xfmr.rope [[K]], [[IDS]] {rotary_dim = 32 : i64, theta = 1.000000e+06 : f64} : tensor<2x?x4x64xbf16>, tensor<2x?xi64>
// CHECK-NEXT:      return [[Z]] : tensor<2x?x4x64xbf16>
func.func @rope_batched_ids(%k: tensor<2x?x4x64xbf16>, %ids: tensor<2x?xi64>) -> tensor<2x?x4x64xbf16> {
  %z = xfmr.rope %k, %ids {rotary_dim = 32 : i64, theta = 1.0e+06 : f64}
      : tensor<2x?x4x64xbf16>, tensor<2x?xi64>
  return %z : tensor<2x?x4x64xbf16>
}

// Batched x sharing one row of positions; no attributes.
// GENERIC-LABEL: sym_name = "rope_batched_shared"
// GENERIC:         "xfmr.rope"({{.*}}) <{theta = 1.000000e+04 : f64}> : (tensor<?x16x8x32xf16>, tensor<16xi64>) -> tensor<?x16x8x32xf16>
// CHECK-LABEL: func.func @rope_batched_shared(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?x16x8x32xf16>, [[POS:%[a-z0-9]+]]: tensor<16xi64>) -> tensor<?x16x8x32xf16>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.rope [[X]], [[POS]] : tensor<?x16x8x32xf16>, tensor<16xi64>
// CHECK-NEXT:      return [[Y]] : tensor<?x16x8x32xf16>
func.func @rope_batched_shared(%x: tensor<?x16x8x32xf16>, %pos: tensor<16xi64>) -> tensor<?x16x8x32xf16> {
  %y = xfmr.rope %x, %pos : tensor<?x16x8x32xf16>, tensor<16xi64>
  return %y : tensor<?x16x8x32xf16>
}

// Partial rotary with an odd head dimension: the tail passes through.
// GENERIC-LABEL: sym_name = "rope_partial_odd"
// GENERIC:         "xfmr.rope"({{.*}}) <{rotary_dim = 6 : i64, theta = 1.000000e+04 : f64}> : (tensor<5x2x7xf32>, tensor<5xi32>) -> tensor<5x2x7xf32>
// CHECK-LABEL: func.func @rope_partial_odd(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<5x2x7xf32>, [[POS:%[a-z0-9]+]]: tensor<5xi32>) -> tensor<5x2x7xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.rope [[X]], [[POS]] {rotary_dim = 6 : i64} : tensor<5x2x7xf32>, tensor<5xi32>
// CHECK-NEXT:      return [[Y]] : tensor<5x2x7xf32>
func.func @rope_partial_odd(%x: tensor<5x2x7xf32>, %pos: tensor<5xi32>) -> tensor<5x2x7xf32> {
  %y = xfmr.rope %x, %pos {rotary_dim = 6 : i64} : tensor<5x2x7xf32>, tensor<5xi32>
  return %y : tensor<5x2x7xf32>
}

// A dynamic head dimension with rotary_dim.
// GENERIC-LABEL: sym_name = "rope_dynamic_head"
// GENERIC:         "xfmr.rope"({{.*}}) <{rotary_dim = 64 : i64, theta = 5.000000e+05 : f64}> : (tensor<?x?x?xf32>, tensor<?xi32>) -> tensor<?x?x?xf32>
// CHECK-LABEL: func.func @rope_dynamic_head(
// CHECK-SAME:      [[X:%[a-z0-9]+]]: tensor<?x?x?xf32>, [[POS:%[a-z0-9]+]]: tensor<?xi32>) -> tensor<?x?x?xf32>
// CHECK-NEXT:      [[Y:%[a-z0-9_]+]] = xfmr.rope [[X]], [[POS]] {rotary_dim = 64 : i64, theta = 5.000000e+05 : f64} : tensor<?x?x?xf32>, tensor<?xi32>
// CHECK-NEXT:      return [[Y]] : tensor<?x?x?xf32>
func.func @rope_dynamic_head(%x: tensor<?x?x?xf32>, %pos: tensor<?xi32>) -> tensor<?x?x?xf32> {
  %y = xfmr.rope %x, %pos {rotary_dim = 64 : i64, theta = 5.000000e+05 : f64} : tensor<?x?x?xf32>, tensor<?xi32>
  return %y : tensor<?x?x?xf32>
}
