// RUN: xfmr-opt %s --xfmr-gpu-tile-matmul --cse --split-input-file | FileCheck %s
// RUN: xfmr-opt %s --xfmr-gpu-tile-matmul="fuse-epilogues=0" --split-input-file | FileCheck %s --check-prefix=UNFUSED

// Without epilogue fusion, the gating stays a linalg.generic after two
// matmul kernels.
// UNFUSED-LABEL: func.func @gating_of_two_projections
//       UNFUSED:   gpu.launch
//       UNFUSED:   gpu.launch
//       UNFUSED:   linalg.generic

// The FMA kernel. The nn.Linear form, C[m,n] += A[m,k] * W[n,k], with an
// f16 A and an f32 W (operands of different types are not tensor-core
// matmuls) and a dynamic M: a grid of ceil(M/64) x ceil(N/64) blocks of 256 threads, two
// 16 x 17 tiles of 4-float vectors in workgroup memory, a loop over
// ceil(K/16) stages carrying the 16 accumulators and the thread's 4 + 4
// staged values, loaded (guarded, converted to f32) before the loop and,
// for the next stage, between the barriers. Both barriers are at the
// loop's top level; C is read, added to and stored under a bounds guard.
// CHECK-LABEL: func.func @linear_nk
//  CHECK-SAME: (%[[X:.+]]: memref<?x96xf16>, %[[W:.+]]: memref<1000x96xf32>, %[[C:.+]]: memref<?x1000xf32>)
//       CHECK:   %[[M:.+]] = memref.dim %[[C]], %c0
//       CHECK:   %[[BM:.+]] = arith.ceildivui %[[M]], %c64
//       CHECK:   %[[GX:.+]] = arith.maxui %[[BM]], %c1
//       CHECK:   %[[BN:.+]] = arith.ceildivui %c1000, %c64
//       CHECK:   %[[GY:.+]] = arith.maxui %[[BN]], %c1
//       CHECK:   gpu.launch blocks(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) in (%{{[a-z0-9_]+}} = %[[GX]], %{{[a-z0-9_]+}} = %[[GY]], %{{[a-z0-9_]+}} = %c1)
//  CHECK-SAME:     threads(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) in (%{{[a-z0-9_]+}} = %c256, %{{[a-z0-9_]+}} = %c1, %{{[a-z0-9_]+}} = %c1)
//  CHECK-SAME:     workgroup(%[[AT:[a-z0-9_]+]] : memref<16x17xvector<4xf32>, #gpu.address_space<workgroup>>, %[[BT:[a-z0-9_]+]] : memref<16x17xvector<4xf32>, #gpu.address_space<workgroup>>)
//       CHECK:     %[[STAGES:.+]] = arith.ceildivui %c96, %c16
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
//       CHECK:       %[[A0:.+]] = vector.extract %[[AR]][0] : f32 from vector<4xf32>
//       CHECK:       %[[BR:.+]] = memref.load %[[BT]]
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
func.func @linear_nk(%x: memref<?x96xf16>, %w: memref<1000x96xf32>, %c: memref<?x1000xf32>) {
  linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
    ins(%x, %w : memref<?x96xf16>, memref<1000x96xf32>) outs(%c : memref<?x1000xf32>)
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

// The tensor-core kernel: f16 A and W[n][k], f32 C. A grid of ceil(M/64)
// x ceil(N/64) blocks of 128 threads (4 warps); two 64 x 20 shared tiles of
// f16 pairs (k-contiguous, 4 pairs of padding per row); lane = tid % 32,
// group = lane / 4, pair = lane % 4, warp row and column (warp / 2) * 32 and
// (warp % 2) * 32. Operands are staged as f16 (no conversion), zero outside
// M, N and K; a loop over ceil(K/32) stages carries 32 f32 accumulators
// and 8 + 8 staged pairs. Each A fragment is rows group and group + 8, pairs
// `pair` and `pair` + 4 of the tile; each B fragment column group, the same
// pairs; nvvm.mma.sync m16n8k16 takes them as vector<2xf16>. C is read,
// added to and stored under a bounds guard.
// CHECK-LABEL: func.func @linear_tc_f16
//  CHECK-SAME: (%[[X:.+]]: memref<?x96xf16>, %[[W:.+]]: memref<1000x96xf16>, %[[C:.+]]: memref<?x1000xf32>)
//       CHECK:   %[[M:.+]] = memref.dim %[[C]], %c0
//       CHECK:   %[[BM:.+]] = arith.ceildivui %[[M]], %c64
//       CHECK:   %[[GX:.+]] = arith.maxui %[[BM]], %c1
//       CHECK:   %[[BN:.+]] = arith.ceildivui %c1000, %c64
//       CHECK:   %[[GY:.+]] = arith.maxui %[[BN]], %c1
//       CHECK:   gpu.launch blocks(%[[BX:[a-z0-9_]+]], %[[BY:[a-z0-9_]+]], %{{[a-z0-9_]+}}) in (%{{[a-z0-9_]+}} = %[[GX]], %{{[a-z0-9_]+}} = %[[GY]], %{{[a-z0-9_]+}} = %c1)
//  CHECK-SAME:     threads(%[[TID:[a-z0-9_]+]], %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) in (%{{[a-z0-9_]+}} = %c128, %{{[a-z0-9_]+}} = %c1, %{{[a-z0-9_]+}} = %c1)
//  CHECK-SAME:     workgroup(%[[AT:[a-z0-9_]+]] : memref<64x20xvector<2xf16>, #gpu.address_space<workgroup>>, %[[BT:[a-z0-9_]+]] : memref<64x20xvector<2xf16>, #gpu.address_space<workgroup>>)
//       CHECK:     %[[WARP:.+]] = arith.divui %[[TID]], %c32
//       CHECK:     %[[LANE:.+]] = arith.remui %[[TID]], %c32
//       CHECK:     %[[GROUP:.+]] = arith.divui %[[LANE]], %c4
//       CHECK:     %[[PAIR:.+]] = arith.remui %[[LANE]], %c4
//       CHECK:     %[[WR:.+]] = arith.divui %[[WARP]], %c2
//       CHECK:     %[[WROW:.+]] = arith.muli %[[WR]], %c32
//       CHECK:     %[[WC:.+]] = arith.remui %[[WARP]], %c2
//       CHECK:     %[[WCOL:.+]] = arith.muli %[[WC]], %c32
//       CHECK:     %[[STAGES:.+]] = arith.ceildivui %c96, %c32
//       CHECK:     scf.if %{{.+}} -> (f16) {
//       CHECK:       memref.load %[[X]]
//   CHECK-NOT:       arith.extf
//       CHECK:     } else {
//  CHECK-NEXT:       %[[Z:.+]] = arith.constant 0.000000e+00 : f16
//  CHECK-NEXT:       scf.yield %[[Z]] : f16
//       CHECK:     vector.from_elements %{{.+}}, %{{.+}} : vector<2xf16>
//       CHECK:     memref.load %[[W]]
//       CHECK:     %[[ACC:[a-z0-9_]+]]:48 = scf.for %{{[a-z0-9_]+}} = %c0 to %[[STAGES]] step %c1
//  CHECK-SAME:       -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>, vector<2xf16>) {
// CHECK-COUNT-8:     memref.store %{{.+}}, %[[AT]]
// CHECK-COUNT-8:     memref.store %{{.+}}, %[[BT]]
//  CHECK-NEXT:       gpu.barrier
//       CHECK:       memref.load %[[X]]
//       CHECK:       memref.load %[[W]]
//       CHECK:       %[[HIGH:.+]] = arith.addi %[[PAIR]], %c4
//       CHECK:       %[[ROW:.+]] = arith.addi %[[WROW]], %[[GROUP]]
//       CHECK:       %[[ROW8:.+]] = arith.addi %[[ROW]], %c8
//       CHECK:       %[[A0:.+]] = memref.load %[[AT]][%[[ROW]], %[[PAIR]]]
//       CHECK:       %[[A1:.+]] = memref.load %[[AT]][%[[ROW8]], %[[PAIR]]]
//       CHECK:       %[[A2:.+]] = memref.load %[[AT]][%[[ROW]], %[[HIGH]]]
//       CHECK:       %[[A3:.+]] = memref.load %[[AT]][%[[ROW8]], %[[HIGH]]]
//       CHECK:       %[[COL:.+]] = arith.addi %[[WCOL]], %[[GROUP]]
//       CHECK:       %[[B0:.+]] = memref.load %[[BT]][%[[COL]], %[[PAIR]]]
//       CHECK:       %[[B1:.+]] = memref.load %[[BT]][%[[COL]], %[[HIGH]]]
//       CHECK:       %[[D:.+]] = nvvm.mma.sync A[%[[A0]], %[[A1]], %[[A2]], %[[A3]]]  B[%[[B0]], %[[B1]]]  C[%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}]
//  CHECK-SAME:         {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
//  CHECK-NEXT:       llvm.extractvalue %[[D]][0]
// CHECK-COUNT-15:    nvvm.mma.sync
//       CHECK:       gpu.barrier
//  CHECK-NEXT:       scf.yield
//       CHECK:     scf.if %{{.+}} {
//       CHECK:       %[[OLD:.+]] = memref.load %[[C]]
//       CHECK:       %[[SUM:.+]] = arith.addf %[[OLD]], %[[ACC]]#0 : f32
//       CHECK:       memref.store %[[SUM]], %[[C]]
//       CHECK:     gpu.terminator
//   CHECK-NOT:   linalg.matmul
func.func @linear_tc_f16(%x: memref<?x96xf16>, %w: memref<1000x96xf16>, %c: memref<?x1000xf32>) {
  linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
    ins(%x, %w : memref<?x96xf16>, memref<1000x96xf16>) outs(%c : memref<?x1000xf32>)
  return
}

// -----

// The tensor-core kernel on bf16 with B[k][n]: B is read along n and
// transposed to [n][k pair] when staged; mma.sync takes bf16 pairs as the
// i32 holding them; a bf16 C is accumulated in f32 and rounded once.
// CHECK-LABEL: func.func @matmul_tc_bf16
//  CHECK-SAME: (%[[A:.+]]: memref<?x?xbf16>, %[[B:.+]]: memref<?x?xbf16>, %[[C:.+]]: memref<?x?xbf16>)
//       CHECK:   gpu.launch
//  CHECK-SAME:     workgroup(%[[AT:[a-z0-9_]+]] : memref<64x20xvector<2xbf16>, #gpu.address_space<workgroup>>, %[[BT:[a-z0-9_]+]] : memref<64x20xvector<2xbf16>, #gpu.address_space<workgroup>>)
//       CHECK:     %[[BN:.+]] = arith.remui %{{.+}}, %c64
//       CHECK:     %[[BK:.+]] = arith.divui %{{.+}}, %c64
//       CHECK:     scf.for
//       CHECK:       memref.store %{{.+}}, %[[BT]][%[[BN]], %[[BK]]]
//       CHECK:       gpu.barrier
//       CHECK:       %[[P:.+]] = memref.load %[[AT]]
//       CHECK:       llvm.bitcast %[[P]] : vector<2xbf16> to i32
//       CHECK:       nvvm.mma.sync
//  CHECK-SAME:         multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>
//  CHECK-SAME:         : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
//       CHECK:       gpu.barrier
//       CHECK:     %[[OLD:.+]] = memref.load %[[C]]
//       CHECK:     %[[WIDE:.+]] = arith.extf %[[OLD]] : bf16 to f32
//       CHECK:     %[[SUM:.+]] = arith.addf %[[WIDE]], %{{.+}} : f32
//       CHECK:     %[[NARROW:.+]] = arith.truncf %[[SUM]] : f32 to bf16
//       CHECK:     memref.store %[[NARROW]], %[[C]]
//   CHECK-NOT:   linalg.matmul
func.func @matmul_tc_bf16(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %c: memref<?x?xbf16>) {
  linalg.matmul ins(%a, %b : memref<?x?xbf16>, memref<?x?xbf16>) outs(%c : memref<?x?xbf16>)
  return
}

// -----

// Which kernel each f16/bf16 matmul gets: f16 x f16 (f16 C) and bf16 x bf16
// (f32 C) go to tensor cores; f16 x f32 keeps the FMA kernel.
// CHECK-LABEL: func.func @kernel_choice
//       CHECK:   gpu.launch {{.+}} workgroup({{.+}} : memref<64x20xvector<2xf16>
//       CHECK:     nvvm.mma.sync
//       CHECK:   gpu.launch {{.+}} workgroup({{.+}} : memref<64x20xvector<2xbf16>
//       CHECK:     nvvm.mma.sync
//       CHECK:   gpu.launch {{.+}} workgroup({{.+}} : memref<16x17xvector<4xf32>
//   CHECK-NOT:     nvvm.mma.sync
//       CHECK:     gpu.terminator
func.func @kernel_choice(%a: memref<?x?xf16>, %b: memref<?x?xf16>, %c: memref<?x?xf16>,
                         %ab: memref<?x?xbf16>, %bb: memref<?x?xbf16>, %bf: memref<?x?xf32>) {
  linalg.matmul ins(%a, %b : memref<?x?xf16>, memref<?x?xf16>) outs(%c : memref<?x?xf16>)
  linalg.matmul ins(%ab, %bb : memref<?x?xbf16>, memref<?x?xbf16>) outs(%bf : memref<?x?xf32>)
  linalg.matmul ins(%a, %bf : memref<?x?xf16>, memref<?x?xf32>) outs(%c : memref<?x?xf16>)
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

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#nk = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]

// Gating fused into the matmul kernel: the two projections of a gated FFN
// (as bufferization leaves them: one zero-filled buffer, a copy of it for
// the other) and the element-wise gating become one kernel that stages x
// once and both weights (three shared tiles, 32 accumulators per thread),
// evaluates the gating on the sums and stores only h. Neither projection's
// buffer is read (they held zeros), so their fill, copy and allocations go.
// CHECK-LABEL: func.func @gating_of_two_projections
//  CHECK-SAME: (%[[X:.+]]: memref<?x64xf32>, %[[WG:.+]]: memref<96x64xf32>, %[[WU:.+]]: memref<96x64xf32>, %[[H:.+]]: memref<?x96xf32>)
//   CHECK-NOT:   memref.alloc
//   CHECK-NOT:   linalg.
//       CHECK:   gpu.launch
//  CHECK-SAME:     workgroup(%[[AT:[a-z0-9_]+]] : memref<16x17xvector<4xf32>, #gpu.address_space<workgroup>>, %[[GT:[a-z0-9_]+]] : memref<16x17xvector<4xf32>, #gpu.address_space<workgroup>>, %[[UT:[a-z0-9_]+]] : memref<16x17xvector<4xf32>, #gpu.address_space<workgroup>>)
//       CHECK:     scf.for {{.+}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
//       CHECK:       memref.load %[[WG]]
//       CHECK:       memref.load %[[WU]]
//       CHECK:       memref.load %[[GT]]
//       CHECK:       memref.load %[[UT]]
//       CHECK:     scf.if
//   CHECK-NOT:       memref.load
//       CHECK:       math.exp
//       CHECK:       memref.store %{{.+}}, %[[H]]
//       CHECK:     gpu.terminator
//   CHECK-NOT:   linalg.
//   CHECK-NOT:   memref.dealloc
//       CHECK:   return
func.func @gating_of_two_projections(%x: memref<?x64xf32>, %wg: memref<96x64xf32>, %wu: memref<96x64xf32>, %h: memref<?x96xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %m = memref.dim %x, %c0 : memref<?x64xf32>
  %u = memref.alloc(%m) : memref<?x96xf32>
  linalg.fill ins(%zero : f32) outs(%u : memref<?x96xf32>)
  %g = memref.alloc(%m) : memref<?x96xf32>
  linalg.copy ins(%u : memref<?x96xf32>) outs(%g : memref<?x96xf32>)
  linalg.matmul indexing_maps = #nk ins(%x, %wg : memref<?x64xf32>, memref<96x64xf32>) outs(%g : memref<?x96xf32>)
  linalg.matmul indexing_maps = #nk ins(%x, %wu : memref<?x64xf32>, memref<96x64xf32>) outs(%u : memref<?x96xf32>)
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g, %u : memref<?x96xf32>, memref<?x96xf32>) outs(%h : memref<?x96xf32>) {
  ^bb0(%gv: f32, %uv: f32, %out: f32):
    %n = arith.negf %gv : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %s = arith.divf %gv, %d : f32
    %r = arith.mulf %s, %uv : f32
    linalg.yield %r : f32
  }
  memref.dealloc %g : memref<?x96xf32>
  memref.dealloc %u : memref<?x96xf32>
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#nk = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]

// The stacked form (xfmr-fuse-gate-up): one projection onto [gate | up] read
// by the gating as two column slices becomes the same two-weight kernel on
// the two row slices of the stacked weight (on tensor cores: two k16 steps
// x 8 fragments x 2 weights = 32 mma.sync per stage); the [M, 2F] buffer
// is gone.
// CHECK-LABEL: func.func @gating_of_stacked_projection
//  CHECK-SAME: (%[[X:.+]]: memref<?x24xbf16>, %[[W:.+]]: memref<80x24xbf16>, %[[H:.+]]: memref<?x40xbf16>)
//   CHECK-DAG:   %[[GATE:.+]] = memref.subview %[[W]][0, 0] [40, 24] [1, 1]
//   CHECK-DAG:   %[[UP:.+]] = memref.subview %[[W]][40, 0] [40, 24] [1, 1]
//   CHECK-NOT:   memref.alloc
//       CHECK:   gpu.launch
//  CHECK-SAME:     workgroup({{.+}} : memref<64x20xvector<2xbf16>, #gpu.address_space<workgroup>>, {{.+}} : memref<64x20xvector<2xbf16>, #gpu.address_space<workgroup>>, {{.+}} : memref<64x20xvector<2xbf16>, #gpu.address_space<workgroup>>)
//       CHECK:       memref.load %[[GATE]]
//       CHECK:       memref.load %[[UP]]
// CHECK-COUNT-32:    nvvm.mma.sync
//   CHECK-NOT:       nvvm.mma.sync
//       CHECK:       gpu.barrier
//       CHECK:     math.tanh
//       CHECK:     memref.store %{{.+}}, %[[H]]
//   CHECK-NOT:   linalg.
func.func @gating_of_stacked_projection(%x: memref<?x24xbf16>, %w: memref<80x24xbf16>, %h: memref<?x40xbf16>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : bf16
  %m = memref.dim %x, %c0 : memref<?x24xbf16>
  %gu = memref.alloc(%m) : memref<?x80xbf16>
  linalg.fill ins(%zero : bf16) outs(%gu : memref<?x80xbf16>)
  linalg.matmul indexing_maps = #nk ins(%x, %w : memref<?x24xbf16>, memref<80x24xbf16>) outs(%gu : memref<?x80xbf16>)
  %gate = memref.subview %gu[0, 0] [%m, 40] [1, 1] : memref<?x80xbf16> to memref<?x40xbf16, strided<[80, 1]>>
  %up = memref.subview %gu[0, 40] [%m, 40] [1, 1] : memref<?x80xbf16> to memref<?x40xbf16, strided<[80, 1], offset: 40>>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%gate, %up : memref<?x40xbf16, strided<[80, 1]>>, memref<?x40xbf16, strided<[80, 1], offset: 40>>) outs(%h : memref<?x40xbf16>) {
  ^bb0(%gb: bf16, %ub: bf16, %out: bf16):
    %gv = arith.extf %gb : bf16 to f32
    %uv = arith.extf %ub : bf16 to f32
    %t = math.tanh %gv : f32
    %r = arith.mulf %t, %uv : f32
    %rb = arith.truncf %r : f32 to bf16
    linalg.yield %rb : bf16
  }
  memref.dealloc %gu : memref<?x80xbf16>
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#nk = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]

// Not fused: the product has a second reader (the matmul's kernel stores C
// for it), the epilogue would overwrite A while other blocks read it, and
// a reader of C comes after the epilogue. A plain matmul into a zero-filled
// buffer does not read it, and the fill goes.
// CHECK-LABEL: func.func @left_unfused
//  CHECK-SAME: %[[C4:[a-z0-9]+]]: memref<8x8xf32>) {
//       CHECK:   gpu.launch
//       CHECK:     memref.store
//       CHECK:   linalg.generic
//       CHECK:   linalg.generic
//       CHECK:   gpu.launch
//       CHECK:   linalg.generic
//       CHECK:   gpu.launch
//       CHECK:   linalg.generic
//       CHECK:   linalg.copy
//   CHECK-NOT:   linalg.fill
//       CHECK:   gpu.launch
//   CHECK-NOT:     memref.load %[[C4]]
//       CHECK:     memref.store %{{.+}}, %[[C4]]
//   CHECK-NOT:     memref.load %[[C4]]
//       CHECK:     gpu.terminator
//       CHECK:   return
func.func @left_unfused(%x: memref<8x8xf32>, %w: memref<8x8xf32>, %c1: memref<8x8xf32>, %y1: memref<8x8xf32>, %y2: memref<8x8xf32>,
                        %c2: memref<8x8xf32>, %c3: memref<8x8xf32>, %y3: memref<8x8xf32>, %c4: memref<8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.matmul indexing_maps = #nk ins(%x, %w : memref<8x8xf32>, memref<8x8xf32>) outs(%c1 : memref<8x8xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c1 : memref<8x8xf32>) outs(%y1 : memref<8x8xf32>) {
  ^bb0(%v: f32, %out: f32):
    %r = arith.negf %v : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c1 : memref<8x8xf32>) outs(%y2 : memref<8x8xf32>) {
  ^bb0(%v: f32, %out: f32):
    %r = math.exp %v : f32
    linalg.yield %r : f32
  }
  linalg.matmul indexing_maps = #nk ins(%x, %w : memref<8x8xf32>, memref<8x8xf32>) outs(%c2 : memref<8x8xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c2 : memref<8x8xf32>) outs(%x : memref<8x8xf32>) {
  ^bb0(%v: f32, %out: f32):
    %r = arith.negf %v : f32
    linalg.yield %r : f32
  }
  linalg.matmul indexing_maps = #nk ins(%y1, %w : memref<8x8xf32>, memref<8x8xf32>) outs(%c3 : memref<8x8xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c3 : memref<8x8xf32>) outs(%y3 : memref<8x8xf32>) {
  ^bb0(%v: f32, %out: f32):
    %r = arith.negf %v : f32
    linalg.yield %r : f32
  }
  linalg.copy ins(%c3 : memref<8x8xf32>) outs(%y2 : memref<8x8xf32>)
  linalg.fill ins(%zero : f32) outs(%c4 : memref<8x8xf32>)
  linalg.matmul indexing_maps = #nk ins(%y1, %w : memref<8x8xf32>, memref<8x8xf32>) outs(%c4 : memref<8x8xf32>)
  return
}
