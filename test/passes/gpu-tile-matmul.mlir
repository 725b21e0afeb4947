// RUN: xfmr-opt %s --xfmr-gpu-tile-matmul --cse --split-input-file | FileCheck %s

// The nn.Linear form, C[m,n] += A[m,k] * W[n,k], with f16 storage and a
// dynamic M: a grid of ceil(M/64) x ceil(N/64) blocks of 256 threads, two
// 16 x 17 tiles of 4-float vectors in workgroup memory, a loop over
// ceil(K/16) stages carrying the 16 accumulators and the thread's 4 + 4
// staged values, loaded (guarded, converted to f32) before the loop and,
// for the next stage, between the barriers. Both barriers are at the
// loop's top level; C is read, added to and stored under a bounds guard.
// CHECK-LABEL: func.func @linear_nk
//  CHECK-SAME: (%[[X:.+]]: memref<?x96xf16>, %[[W:.+]]: memref<1000x96xf16>, %[[C:.+]]: memref<?x1000xf32>)
//       CHECK:   %[[M:.+]] = memref.dim %[[C]], %c0
//       CHECK:   %[[N:.+]] = memref.dim %[[C]], %c1
//       CHECK:   %[[K:.+]] = memref.dim %[[X]], %c1
//       CHECK:   %[[BM:.+]] = arith.ceildivui %[[M]], %c64
//       CHECK:   %[[GX:.+]] = arith.maxui %[[BM]], %c1
//       CHECK:   %[[BN:.+]] = arith.ceildivui %[[N]], %c64
//       CHECK:   %[[GY:.+]] = arith.maxui %[[BN]], %c1
//       CHECK:   gpu.launch blocks(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) in (%{{[a-z0-9_]+}} = %[[GX]], %{{[a-z0-9_]+}} = %[[GY]], %{{[a-z0-9_]+}} = %c1)
//  CHECK-SAME:     threads(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) in (%{{[a-z0-9_]+}} = %c256, %{{[a-z0-9_]+}} = %c1, %{{[a-z0-9_]+}} = %c1)
//  CHECK-SAME:     workgroup(%[[AT:[a-z0-9_]+]] : memref<16x17xvector<4xf32>, #gpu.address_space<workgroup>>, %[[BT:[a-z0-9_]+]] : memref<16x17xvector<4xf32>, #gpu.address_space<workgroup>>)
//       CHECK:     %[[STAGES:.+]] = arith.ceildivui %[[K]], %c16
//       CHECK:     %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
//       CHECK:     scf.if %{{.+}} -> (f32) {
//       CHECK:       %[[XV:.+]] = memref.load %[[X]]
//       CHECK:       arith.extf %[[XV]] : f16 to f32
//       CHECK:     } else {
//  CHECK-NEXT:       scf.yield %[[ZERO]] : f32
//       CHECK:     memref.load %[[W]]
//       CHECK:     %[[ACC:[a-z0-9_]+]]:24 = scf.for %{{[a-z0-9_]+}} = %c0 to %[[STAGES]] step %c1 iter_args({{.+}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
//       CHECK:       %[[AV:.+]] = vector.from_elements %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : vector<4xf32>
//       CHECK:       memref.store %[[AV]], %[[AT]]
//       CHECK:       %[[BV:.+]] = vector.from_elements
//       CHECK:       memref.store %[[BV]], %[[BT]]
//  CHECK-NEXT:       gpu.barrier
//       CHECK:       memref.load %[[X]]
//       CHECK:       memref.load %[[W]]
//       CHECK:       %[[AR:.+]] = memref.load %[[AT]]{{.+}} : memref<16x17xvector<4xf32>, #gpu.address_space<workgroup>>
//       CHECK:       %[[BR:.+]] = memref.load %[[BT]]
//       CHECK:       %[[A0:.+]] = vector.extract %[[AR]][0] : f32 from vector<4xf32>
//       CHECK:       %[[B0:.+]] = vector.extract %[[BR]][0] : f32 from vector<4xf32>
//       CHECK:       %[[P:.+]] = arith.mulf %[[A0]], %[[B0]] fastmath<contract> : f32
//       CHECK:       arith.addf %{{.+}}, %[[P]] fastmath<contract> : f32
//       CHECK:       gpu.barrier
//  CHECK-NEXT:       scf.yield
//       CHECK:     scf.if %{{.+}} {
//       CHECK:       %[[OLD:.+]] = memref.load %[[C]]
//       CHECK:       %[[SUM:.+]] = arith.addf %[[OLD]], %[[ACC]]#0 : f32
//       CHECK:       memref.store %[[SUM]], %[[C]]
//       CHECK:     gpu.terminator
//   CHECK-NOT:   linalg.matmul
func.func @linear_nk(%x: memref<?x96xf16>, %w: memref<1000x96xf16>, %c: memref<?x1000xf32>) {
  linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
    ins(%x, %w : memref<?x96xf16>, memref<1000x96xf16>) outs(%c : memref<?x1000xf32>)
  return
}

// -----

// The default maps, B[k][n]: its tile is staged without transposing; a bf16
// C is accumulated in f32 and rounded once.
// CHECK-LABEL: func.func @matmul_kn
//  CHECK-SAME: (%[[A:.+]]: memref<?x?xf32>, %[[B:.+]]: memref<?x?xf32>, %[[C:.+]]: memref<?x?xbf16>)
//       CHECK:   gpu.launch
//       CHECK:     scf.for
//       CHECK:       memref.load %[[A]]
//       CHECK:       memref.load %[[B]]
//       CHECK:       gpu.barrier
//       CHECK:     %[[OLD:.+]] = memref.load %[[C]]
//       CHECK:     %[[WIDE:.+]] = arith.extf %[[OLD]] : bf16 to f32
//       CHECK:     %[[SUM:.+]] = arith.addf %[[WIDE]], %{{.+}} : f32
//       CHECK:     %[[NARROW:.+]] = arith.truncf %[[SUM]] : f32 to bf16
//       CHECK:     memref.store %[[NARROW]], %[[C]]
//   CHECK-NOT:   linalg.matmul
func.func @matmul_kn(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xbf16>) {
  linalg.matmul ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xbf16>)
  return
}

// -----

// Integer and f64 matmuls, transposed A and matmuls on tensors are left to
// the generic lowering.
// CHECK-LABEL: func.func @left_alone
//   CHECK-NOT:   gpu.launch
//       CHECK:   linalg.matmul ins({{.+}} : memref<4x8xi32>, memref<8x4xi32>)
//       CHECK:   linalg.matmul ins({{.+}} : memref<4x8xf64>, memref<8x4xf64>)
//       CHECK:   linalg.matmul indexing_maps
//       CHECK:   linalg.matmul ins({{.+}} : tensor<4x8xf32>, tensor<8x4xf32>)
//   CHECK-NOT:   gpu.launch
func.func @left_alone(%ai: memref<4x8xi32>, %bi: memref<8x4xi32>, %ci: memref<4x4xi32>,
                      %ad: memref<4x8xf64>, %bd: memref<8x4xf64>, %cd: memref<4x4xf64>,
                      %at: memref<8x4xf32>, %bt: memref<8x4xf32>, %ct: memref<4x4xf32>,
                      %a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %c: tensor<4x4xf32>) -> tensor<4x4xf32> {
  linalg.matmul ins(%ai, %bi : memref<4x8xi32>, memref<8x4xi32>) outs(%ci : memref<4x4xi32>)
  linalg.matmul ins(%ad, %bd : memref<4x8xf64>, memref<8x4xf64>) outs(%cd : memref<4x4xf64>)
  linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
    ins(%at, %bt : memref<8x4xf32>, memref<8x4xf32>) outs(%ct : memref<4x4xf32>)
  %r = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %r : tensor<4x4xf32>
}
