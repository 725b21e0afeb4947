// Parse errors carry the file, line and column, from both tools.

// RUN: not xfmr-run %s --input="4xf32=1" 2>&1 | FileCheck %s --check-prefix=JIT
// RUN: not xfmr-compile %s --emit=llvm -o /dev/null 2>&1 | FileCheck %s --check-prefix=COMPILE

// JIT-LABEL: xfmr-run: error: cannot parse '{{.*}}parse-error.mlir':
// JIT-NEXT: {{.*}}parse-error.mlir:[[@LINE+5]]:23: error: use of undeclared SSA value name
// COMPILE: {{.*}}parse-error.mlir:[[@LINE+4]]:23: error: use of undeclared SSA value name
// COMPILE-NOT: xfmr-compile: error

func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = arith.addf %a, %b : tensor<4xf32>
  return %0 : tensor<4xf32>
}
