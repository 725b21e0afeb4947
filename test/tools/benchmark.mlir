// --benchmark=N times N calls after a warm-up and prints min/median/mean;
// results are only written when asked for.

// RUN: xfmr-run %s --function=add --input="64x64xf32=1" --input="64x64xf32=2" \
// RUN:   --benchmark=3 | FileCheck %s
// CHECK: benchmark: @add, 3 calls after 1 warm-up: min {{[0-9.]+}} {{us|ms|s}}, median {{[0-9.]+}} {{us|ms|s}}, mean {{[0-9.]+}} {{us|ms|s}}
// CHECK-NOT: xf32=

// RUN: rm -rf %t && mkdir -p %t && xfmr-compile %s --emit=shared -o %t/m.so
// RUN: xfmr-run %t/m.so --input="64x64xf32=1" --input="64x64xf32=2" \
// RUN:   --benchmark=4 --output=- | FileCheck %s --check-prefix=OUT
// OUT: benchmark: @add, 4 calls after 1 warm-up: min
// OUT: 64x64xf32=[3 3 3

#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @add(%x: tensor<64x64xf32>, %y: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %e = tensor.empty() : tensor<64x64xf32>
  %r = linalg.generic {indexing_maps = [#map, #map, #map],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<64x64xf32>, tensor<64x64xf32>)
      outs(%e : tensor<64x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}
