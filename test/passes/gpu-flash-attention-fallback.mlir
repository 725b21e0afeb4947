// RUN: xfmr-opt %s --xfmr-gpu-flash-attention | FileCheck %s
// RUN: xfmr-opt %s --xfmr-gpu-flash-attention --xfmr-to-linalg-pipeline | FileCheck %s --check-prefix=LINALG

// Forms the kernel does not take stay xfmr.attention (the front half then
// lowers them): a dynamic head size, a head size above 256. The
// front half (LINALG) then lowers them as before.
// CHECK-LABEL: func.func @fallback
//   CHECK-NOT:   call
//       CHECK:   xfmr.attention {{.+}} : tensor<2x?x?xf32>
//       CHECK:   xfmr.attention {{.+}} : tensor<2x?x512xf32>
//   CHECK-NOT:   call
// LINALG-LABEL: func.func @fallback
//   LINALG-NOT:   xfmr.attention
//   LINALG-NOT:   call
//       LINALG:   linalg.generic
//       LINALG:   math.exp
func.func @fallback(%q: tensor<2x?x?xf32>, %k: tensor<2x?x?xf32>, %v: tensor<2x?x?xf32>,
                    %q2: tensor<2x?x512xf32>, %k2: tensor<2x?x512xf32>)
    -> (tensor<2x?x?xf32>, tensor<2x?x512xf32>) {
  %o = xfmr.attention %q, %k, %v : tensor<2x?x?xf32>, tensor<2x?x?xf32>, tensor<2x?x?xf32>
  %o2 = xfmr.attention %q2, %k2, %k2 : tensor<2x?x512xf32>, tensor<2x?x512xf32>, tensor<2x?x512xf32>
  return %o, %o2 : tensor<2x?x?xf32>, tensor<2x?x512xf32>
}
