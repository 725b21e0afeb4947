// RUN: xfmr-opt %s --xfmr-prepare-entry-points --split-input-file -verify-diagnostics | FileCheck %s

// Public functions get a C interface; private ones and declarations do not.
// CHECK-LABEL: func.func @entry
//  CHECK-SAME: attributes {llvm.emit_c_interface}
func.func @entry(%x: tensor<?x4xf32>, %p: tensor<?xi64>) -> (tensor<?x4xbf16>, tensor<2xi32>) {
  %c = arith.constant 1 : index
  %a = tensor.empty(%c) : tensor<?x4xbf16>
  %b = tensor.empty() : tensor<2xi32>
  return %a, %b : tensor<?x4xbf16>, tensor<2xi32>
}
// CHECK-LABEL: func.func private @helper
//   CHECK-NOT: llvm.emit_c_interface
func.func private @helper(%x: f32) -> f32 {
  return %x : f32
}

// -----

// expected-error @+1 {{public function 'scalar_arg' argument #1 has type 'f32'; entry points take ranked tensors of f32, f16, bf16, i32 or i64}}
func.func @scalar_arg(%x: tensor<4xf32>, %s: f32) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{public function 'unranked' result #0 has type 'tensor<*xf32>'; entry points return ranked tensors of f32, f16, bf16, i32 or i64}}
func.func @unranked(%x: tensor<4xf32>) -> tensor<*xf32> {
  %u = tensor.cast %x : tensor<4xf32> to tensor<*xf32>
  return %u : tensor<*xf32>
}

// -----

// expected-error @+1 {{public function 'f64_arg' argument #0 has type 'tensor<4xf64>'; entry points take ranked tensors of f32, f16, bf16, i32 or i64}}
func.func @f64_arg(%x: tensor<4xf64>) -> tensor<4xf64> {
  return %x : tensor<4xf64>
}
