// RUN: xfmr-opt %s --xfmr-fuse-gate-up --convert-xfmr-to-linalg \
// RUN:   --xfmr-pack-weights --canonicalize --cse \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --xfmr-tile-and-vectorize --canonicalize --cse | FileCheck %s

// The packed contractions of a fused gated FFN become kernels with their
// epilogues: per block of tiles (scf.parallel), 4-row tiles of the merged
// gate/up projection keep 16 accumulators over K while reading four
// contiguous vectors of the interleaved weight per step; the gating is
// evaluated on those registers (exp as a polynomial, its floor as the LLVM
// intrinsic) and only h is stored, masked past F = 80. No [T, 3, 64]
// accumulator buffer is allocated, no linalg op is left.

// CHECK-LABEL: func.func @ffn_prepared(
// CHECK-SAME:    %[[X:.+]]: memref<?x64xf32>, %[[GUP:.+]]: memref<3x64x64xf32>, %[[WD:.+]]: memref<2x80x32xf32>)
// CHECK-NOT:     linalg.
// CHECK-NOT:     memref<?x3x64xf32>
// CHECK:         %[[H:.+]] = memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<?x80xf32>
// CHECK:         scf.parallel
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               scf.for %{{.+}} = %{{.+}} to %c64 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-4:         vector.load %[[GUP]][{{.+}}] : memref<3x64x64xf32>, vector<16xf32>
// CHECK-COUNT-16:        vector.fma
// CHECK:                 scf.yield
// CHECK-NOT:           math.exp
// CHECK:               llvm.intr.floor
// CHECK:               vector.maskedstore %[[H]]
// The down projection reads h and stores y directly (a copy epilogue); its
// single block of tiles leaves no parallel loop.
// CHECK:         %[[Y:.+]] = memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<?x64xf32>
// CHECK:           vector.load %[[WD]]
// CHECK:           vector.maskedstore %[[Y]]
// CHECK-NOT:     linalg.
// CHECK:         return %[[Y]]
func.func @ffn(%x: tensor<?x64xf32>, %wg: tensor<80x64xf32>, %wu: tensor<80x64xf32>, %wd: tensor<64x80xf32>) -> tensor<?x64xf32> {
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd : tensor<?x64xf32>, tensor<80x64xf32>, tensor<80x64xf32>, tensor<64x80xf32>
  return %y : tensor<?x64xf32>
}
