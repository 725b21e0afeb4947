// A compiled FFN block keeps its temporaries across calls: after the
// warm-up call, further calls of the shared library cause almost no minor
// page faults (without the temporary cache, glibc hands the large
// intermediates back to the system and each call faults in about 70 pages of
// them again), give bit-identical results, and two threads calling it at
// once get the same results.
// RUN: rm -rf %t && mkdir -p %t
// RUN: xfmr-compile %s --emit=shared -o %t/ffn.so
// RUN: %cc -std=c99 -O1 -Wall -Wextra -Werror %S/Inputs/call-repeatedly.c -o %t/call-repeatedly -lpthread -ldl
// RUN: %t/call-repeatedly %t/ffn.so | FileCheck %s

// CHECK: WARM-UP faults {{[0-9]+}}
// CHECK: REPEATED calls 8 faults-per-call-below 24 ok
// CHECK: SAME results ok
// CHECK: THREADS 2 results ok
func.func @ffn(%x: tensor<?x128xf32>, %norm: tensor<128xf32>,
               %w_gate: tensor<2048x128xf32>, %w_up: tensor<2048x128xf32>,
               %w_down: tensor<128x2048xf32>) -> tensor<?x128xf32> {
  %h = xfmr.rms_norm %x, %norm {epsilon = 1.0e-05 : f32}
      : tensor<?x128xf32>, tensor<128xf32>
  %m = xfmr.gated_ffn <silu> %h, %w_gate, %w_up, %w_down
      : tensor<?x128xf32>, tensor<2048x128xf32>, tensor<2048x128xf32>,
        tensor<128x2048xf32>
  %y = arith.addf %x, %m : tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}
