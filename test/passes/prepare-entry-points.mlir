// RUN: xfmr-opt %s --xfmr-prepare-entry-points --split-input-file -verify-diagnostics | FileCheck %s

// Public functions get a C interface, read-only arguments and their entry
// signature, with parameter names from xfmr.arg_names where those are usable
// C identifiers (a keyword and a clash are renumbered); private functions
// and declarations are left alone.
// CHECK-LABEL: func.func @entry
//  CHECK-SAME: (%{{.+}}: tensor<?x4xf32> {bufferization.writable = false}, %{{.+}}: tensor<?xi64> {bufferization.writable = false})
//  CHECK-SAME: attributes {llvm.emit_c_interface, xfmr.entry = {names = ["x", "arg1"], type = (tensor<?x4xf32>, tensor<?xi64>) -> (tensor<?x4xbf16>, tensor<2xi32>)}}
//   CHECK-NOT: xfmr.arg_names
func.func @entry(%x: tensor<?x4xf32>, %p: tensor<?xi64>) -> (tensor<?x4xbf16>, tensor<2xi32>) attributes {xfmr.arg_names = ["x", "int"]} {
  %c = arith.constant 1 : index
  %a = tensor.empty(%c) : tensor<?x4xbf16>
  %b = tensor.empty() : tensor<2xi32>
  return %a, %b : tensor<?x4xbf16>, tensor<2xi32>
}
// Without recorded names the parameters are numbered.
// CHECK-LABEL: func.func @unnamed
//  CHECK-SAME: xfmr.entry = {names = ["arg0"]
func.func @unnamed(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
// CHECK-LABEL: func.func private @helper
//   CHECK-NOT: llvm.emit_c_interface
//   CHECK-NOT: writable
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
