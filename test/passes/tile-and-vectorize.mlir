// RUN: xfmr-opt %s --xfmr-tile-and-vectorize | FileCheck %s
// RUN: xfmr-opt %s --xfmr-tile-and-vectorize --canonicalize --cse | FileCheck %s --check-prefix=FOLD
// RUN: xfmr-opt %s --xfmr-tile-and-vectorize="pack=false" | FileCheck %s --check-prefix=NOPACK

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs_t = affine_map<(m, n, k) -> (n, k)>
#out = affine_map<(m, n, k) -> (m, n)>

// nn.Linear layout, dynamic M, K = 40 (not a multiple of 16), C zero-filled
// first. One stack buffer for the packed weight ([panels][k][32], 2 x 48 x 32
// f32 = 12288 bytes); M >= 16 packs and runs the 8x32 outer-product kernel,
// smaller M runs the dot kernel on the weight in place. The fill becomes the
// accumulators' initial value.
// CHECK-LABEL: func.func @linear
//  CHECK-SAME: (%[[A:.+]]: memref<?x40xf32>, %[[W:.+]]: memref<64x40xf32>, %[[C:.+]]: memref<?x64xf32>)
//       CHECK:   %[[SCRATCH:.+]] = memref.alloca() {alignment = 64 : i64} : memref<12288xi8>
//   CHECK-NOT:   linalg.fill
//       CHECK:   %[[M:.+]] = memref.dim %[[C]], %{{.+}} : memref<?x64xf32>
//       CHECK:   %[[BUF:.+]] = memref.view %[[SCRATCH]][%{{.+}}][] : memref<12288xi8> to memref<2x48x32xf32>
//       CHECK:   %[[BIG:.+]] = arith.cmpi sge, %[[M]], %{{.+}} : index
//       CHECK:   scf.if %[[BIG]] {
// Packing: 16 rows of W under masks (K and N remainders read as zeros), a
// 16x16 transpose in shuffles, 16 rows of the packed panel.
//       CHECK:     vector.create_mask
//       CHECK:     vector.maskedload %[[W]]
//       CHECK:     vector.shuffle {{.*}} [0, 16, 1, 17, 4, 20, 5, 21, 8, 24, 9, 25, 12, 28, 13, 29]
//       CHECK:     vector.shuffle {{.*}} [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]
// CHECK-COUNT-16:  vector.store %{{.+}}, %[[BUF]]
// The 8x32 tile: C starts from the fill value in the first K block, else
// from C (masked past N); per k, two rows of the panel, eight broadcasts of
// A, sixteen FMAs; masked stores.
//       CHECK:     vector.broadcast %{{.+}} : f32 to vector<16xf32>
//       CHECK:     } else {
//       CHECK:       vector.maskedload %[[C]]
//       CHECK:     scf.for %{{.+}} iter_args(
//       CHECK:       %[[K:.+]] = arith.addi
//       CHECK:       %[[W0:.+]] = vector.load %[[BUF]][%{{.+}}, %{{.+}}, %{{.+}}] : memref<2x48x32xf32>, vector<16xf32>
//       CHECK:       %[[W1:.+]] = vector.load %[[BUF]]
//       CHECK:       %[[A0:.+]] = memref.load %[[A]][%{{.+}}, %[[K]]]
//  CHECK-NEXT:       %[[B0:.+]] = vector.broadcast %[[A0]] : f32 to vector<16xf32>
//  CHECK-NEXT:       vector.fma %[[B0]], %[[W0]], %{{.+}} : vector<16xf32>
//  CHECK-NEXT:       vector.fma %[[B0]], %[[W1]], %{{.+}} : vector<16xf32>
// CHECK-COUNT-14:    vector.fma
//   CHECK-NOT:       vector.fma
//       CHECK:       scf.yield
// CHECK-COUNT-16:  vector.maskedstore %[[C]]
// Row remainders: 4-, 2- and 1-row tiles under scf.if.
//       CHECK:     scf.if
//       CHECK:     scf.if
//       CHECK:     scf.if
// The dot kernel: 16 accumulators along K, 16 lanes at a time, a masked
// tail for K mod 16, one shuffle tree for the 16 sums, rows of 4 stored.
//       CHECK:   } else {
//       CHECK:     scf.for %{{.+}} iter_args(
//       CHECK:       vector.load %[[A]]
//       CHECK:       vector.load %[[W]]
//       CHECK:       vector.fma
//       CHECK:     vector.create_mask
//       CHECK:     vector.maskedload %[[A]]
//       CHECK:     vector.maskedload %[[W]]
//       CHECK:     vector.shuffle
//       CHECK:     arith.addf %{{.+}}, %{{.+}} : vector<16xf32>
//       CHECK:     vector.extract_strided_slice %{{.+}} {offsets = [0], sizes = [4], strides = [1]}
//       CHECK:     vector.store %{{.+}}, %[[C]]
//   CHECK-NOT:   linalg.matmul
//       CHECK:   return

// Without packing, only the dot kernel: no buffer, no choice on M.
// NOPACK-LABEL: func.func @linear
//   NOPACK-NOT:   memref.alloca
//   NOPACK-NOT:   scf.if %{{.+}} {
//       NOPACK:   scf.for
//       NOPACK:   vector.fma
//   NOPACK-NOT:   linalg.matmul
//       NOPACK:   return
func.func @linear(%a: memref<?x40xf32>, %w: memref<64x40xf32>, %c: memref<?x64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x64xf32>)
  linalg.matmul indexing_maps = [#lhs, #rhs_t, #out]
    ins(%a, %w : memref<?x40xf32>, memref<64x40xf32>) outs(%c : memref<?x64xf32>)
  return
}

// Decode: M = 1 known, N = 6, f16 storage. Only the dot kernel, as one 1x4
// tile and one 1x2 tile (the 4x4 loop and the other remainders fold away);
// the f16 rows are extended to f32 and C is accumulated into.
// FOLD-LABEL: func.func @decode
//  FOLD-SAME: (%[[A:.+]]: memref<1x64xf16>, %[[W:.+]]: memref<6x64xf16>, %[[C:.+]]: memref<1x6xf32>)
//   FOLD-NOT:   memref.alloca
//       FOLD:   scf.for %{{.+}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
//       FOLD:     vector.load %[[A]]{{.*}} : memref<1x64xf16>, vector<16xf16>
//       FOLD:     arith.extf %{{.+}} : vector<16xf16> to vector<16xf32>
// FOLD-COUNT-4:   vector.fma
//       FOLD:   }
//       FOLD:   %[[ROW:.+]] = vector.load %[[C]][%{{.+}}, %{{.+}}] : memref<1x6xf32>, vector<4xf32>
//       FOLD:   arith.addf %[[ROW]]
//       FOLD:   vector.store %{{.+}}, %[[C]]{{.*}} : memref<1x6xf32>, vector<4xf32>
//       FOLD:   scf.for %{{.+}} -> (vector<16xf32>, vector<16xf32>) {
// FOLD-COUNT-2:   vector.fma
//       FOLD:   }
//       FOLD:   vector.store %{{.+}}, %[[C]]{{.*}} : memref<1x6xf32>, vector<2xf32>
//   FOLD-NOT:   scf.for
//       FOLD:   return
func.func @decode(%a: memref<1x64xf16>, %w: memref<6x64xf16>, %c: memref<1x6xf32>) {
  linalg.matmul indexing_maps = [#lhs, #rhs_t, #out]
    ins(%a, %w : memref<1x64xf16>, memref<6x64xf16>) outs(%c : memref<1x6xf32>)
  return
}

// The plain [K, N] form: the outer-product kernel on B in place (masked
// loads past N = 48), no packing buffer.
// CHECK-LABEL: func.func @plain
//  CHECK-SAME: (%[[A:.+]]: memref<?x8xf32>, %[[B:.+]]: memref<8x48xf32>, %[[C:.+]]: memref<?x48xf32>)
//   CHECK-NOT:   memref.alloca
//       CHECK:   scf.for
//       CHECK:     scf.for
//       CHECK:       scf.for %{{.+}} iter_args(
//       CHECK:         vector.maskedload %[[B]]
//       CHECK:         vector.maskedload %[[B]]
//       CHECK:         memref.load %[[A]]
//       CHECK:         vector.broadcast
//       CHECK:         vector.fma
//       CHECK:       vector.maskedstore %[[C]]
//   CHECK-NOT:   linalg.matmul
//       CHECK:   return
func.func @plain(%a: memref<?x8xf32>, %b: memref<8x48xf32>, %c: memref<?x48xf32>) {
  linalg.matmul ins(%a, %b : memref<?x8xf32>, memref<8x48xf32>) outs(%c : memref<?x48xf32>)
  return
}

// Left for the loop lowering: a B whose rows are not contiguous, integers.
// CHECK-LABEL: func.func @untouched
//       CHECK:   linalg.matmul ins(%{{.+}}, %{{.+}} : memref<4x8xf32>, memref<8x16xf32, strided<[1, 8]>>)
//       CHECK:   linalg.matmul ins(%{{.+}}, %{{.+}} : memref<4x8xi32>, memref<8x16xi32>)
func.func @untouched(%a: memref<4x8xf32>, %b: memref<8x16xf32, strided<[1, 8]>>, %c: memref<4x16xf32>,
                     %ai: memref<4x8xi32>, %bi: memref<8x16xi32>, %ci: memref<4x16xi32>) {
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32, strided<[1, 8]>>) outs(%c : memref<4x16xf32>)
  linalg.matmul ins(%ai, %bi : memref<4x8xi32>, memref<8x16xi32>) outs(%ci : memref<4x16xi32>)
  return
}
