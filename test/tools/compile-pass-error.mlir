// A failing pass is reported at the function, in file:line:col form, and
// xfmr-compile exits non-zero without writing anything.

// RUN: rm -f %t.ll
// RUN: not xfmr-compile %s --emit=llvm -o %t.ll 2>&1 | FileCheck %s
// RUN: not test -e %t.ll
// CHECK: compile-pass-error.mlir:[[@LINE+2]]:1: error: public function 'scalar' argument #0 has type {{'?}}f32{{'?}}; entry points take ranked tensors of f32, f16, bf16, i32 or i64
// CHECK-NOT: see current operation
func.func @scalar(%x: f32) -> tensor<f32> {
  %t = tensor.from_elements %x : tensor<f32>
  return %t : tensor<f32>
}
