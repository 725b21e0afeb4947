// RUN: xfmr-opt %s --xfmr-gpu-warp-reductions --cse --split-input-file | FileCheck %s
// RUN: not xfmr-opt %s --xfmr-gpu-warp-reductions="warps-per-block=33" 2>&1 | FileCheck %s --check-prefix=OPTION

// OPTION: warps-per-block must be between 1 and 32, got 33

// The sum of squares of rms_norm over a dynamic number of rows: a grid of
// max(1, ceil(R / 8)) blocks of 8 warps; warp w of block b owns row
// 8b + w, and its lanes step over D from their lane id by 32, from -0.0
// (addf's identity), a warp past the last row taking no step. Five xor
// shuffles (16 .. 1, width 32) outside any lane-dependent control flow,
// then lane 0 of a warp with a row adds the total to the initial value.
// CHECK-LABEL: func.func @sum_squares
//  CHECK-SAME: (%[[X:.+]]: memref<?x256xf32>, %[[O:.+]]: memref<?xf32>)
//       CHECK:   %[[R:.+]] = memref.dim %[[X]], %c0
//       CHECK:   %[[BLOCKS:.+]] = arith.ceildivui %[[R]], %c8
//       CHECK:   %[[GRID:.+]] = arith.maxui %[[BLOCKS]], %c1
//       CHECK:   gpu.launch blocks(%[[BX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[GRID]], %{{.+}} = %c1, %{{.+}} = %c1) threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %c256, %{{.+}} = %c1, %{{.+}} = %c1) {
//       CHECK:     %[[LANE:.+]] = arith.remui %[[TX]], %c32
//       CHECK:     %[[WARP:.+]] = arith.divui %[[TX]], %c32
//       CHECK:     %[[FIRST:.+]] = arith.muli %[[BX]], %c8
//       CHECK:     %[[ROW:.+]] = arith.addi %[[FIRST]], %[[WARP]]
//       CHECK:     %[[HAS:.+]] = arith.cmpi ult, %[[ROW]], %[[R]]
//       CHECK:     %[[COUNT:.+]] = arith.select %[[HAS]], %c256, %c0
//       CHECK:     %[[ID:.+]] = arith.constant -0.000000e+00 : f32
//       CHECK:     %[[PART:.+]] = scf.for %[[K:.+]] = %[[LANE]] to %[[COUNT]] step %c32 iter_args(%[[ACC:.+]] = %[[ID]]) -> (f32) {
//       CHECK:       %[[V:.+]] = memref.load %[[X]][%[[ROW]], %[[K]]]
//       CHECK:       %[[SQ:.+]] = arith.mulf %[[V]], %[[V]] : f32
//       CHECK:       %[[NEXT:.+]] = arith.addf %[[ACC]], %[[SQ]] : f32
//       CHECK:       scf.yield %[[NEXT]] : f32
//       CHECK:     }
//       CHECK:     %[[S16:.+]], %{{.+}} = gpu.shuffle  xor %[[PART]], %c16_i32, %c32_i32 : f32
//       CHECK:     %[[T16:.+]] = arith.addf %[[PART]], %[[S16]] : f32
//       CHECK:     gpu.shuffle  xor %[[T16]], %c8_i32, %c32_i32 : f32
//       CHECK:     gpu.shuffle  xor %{{.+}}, %c4_i32, %c32_i32 : f32
//       CHECK:     gpu.shuffle  xor %{{.+}}, %c2_i32, %c32_i32 : f32
//       CHECK:     %[[S1:.+]], %{{.+}} = gpu.shuffle  xor %[[T2:.+]], %c1_i32, %c32_i32 : f32
//       CHECK:     %[[TOTAL:.+]] = arith.addf %[[T2]], %[[S1]] : f32
//       CHECK:     %[[LANE0:.+]] = arith.cmpi ult, %[[LANE]], %c1
//       CHECK:     %[[STORES:.+]] = arith.andi %[[HAS]], %[[LANE0]]
//       CHECK:     scf.if %[[STORES]] {
//       CHECK:       %[[OLD:.+]] = memref.load %[[O]][%[[ROW]]]
//       CHECK:       %[[NEW:.+]] = arith.addf %[[OLD]], %[[TOTAL]] : f32
//       CHECK:       memref.store %[[NEW]], %[[O]][%[[ROW]]]
//       CHECK:     }
//       CHECK:     gpu.terminator
//   CHECK-NOT:   linalg.generic
func.func @sum_squares(%x: memref<?x256xf32>, %o: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<?x256xf32>) outs(%o : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %in : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Softmax's row maximum in attention (maxnumf, whose identity is NaN): the
// output element of warp w is delinearised over the parallel sizes, last
// fastest, the dynamic ones clamped to 1 as divisors (an empty dimension
// has no output, and the division stays defined).
// CHECK-LABEL: func.func @max_row
//  CHECK-SAME: (%[[X:.+]]: memref<1x2x4x?x?xf32>, %[[M:.+]]: memref<1x2x4x?xf32>)
//   CHECK-DAG:   %[[T:.+]] = memref.dim %[[X]], %c3
//   CHECK-DAG:   %[[S:.+]] = memref.dim %[[X]], %c4
//       CHECK:   %[[ROWS:.+]] = arith.muli %[[T]], %c8
//       CHECK:   %[[TDIV:.+]] = arith.maxui %[[T]], %c1
//       CHECK:   gpu.launch
//       CHECK:     %[[E:.+]] = arith.addi
//       CHECK:     %[[HAS:.+]] = arith.cmpi ult, %[[E]], %[[ROWS]]
//       CHECK:     %[[I3:.+]] = arith.remui %[[E]], %[[TDIV]]
//       CHECK:     %[[Q3:.+]] = arith.divui %[[E]], %[[TDIV]]
//       CHECK:     %[[I2:.+]] = arith.remui %[[Q3]], %c4
//       CHECK:     %[[Q2:.+]] = arith.divui %[[Q3]], %c4
//       CHECK:     %[[I1:.+]] = arith.remui %[[Q2]], %c2
//       CHECK:     %[[I0:.+]] = arith.divui %[[Q2]], %c2
//       CHECK:     %[[COUNT:.+]] = arith.select %[[HAS]], %[[S]], %c0
//       CHECK:     %[[NAN:.+]] = arith.constant 0x7FC00000 : f32
//       CHECK:     scf.for %[[K:.+]] = %{{.+}} to %[[COUNT]] step %c32 iter_args(%[[ACC:.+]] = %[[NAN]])
//       CHECK:       %[[V:.+]] = memref.load %[[X]][%[[I0]], %[[I1]], %[[I2]], %[[I3]], %[[K]]]
//       CHECK:       arith.maxnumf %[[ACC]], %[[V]] : f32
//       CHECK:     gpu.shuffle  xor
//       CHECK:     arith.maxnumf
//       CHECK:     scf.if
//       CHECK:       %[[OLD:.+]] = memref.load %[[M]][%[[I0]], %[[I1]], %[[I2]], %[[I3]]]
//       CHECK:       %[[NEW:.+]] = arith.maxnumf %[[OLD]], %{{.+}} : f32
//       CHECK:       memref.store %[[NEW]], %[[M]][%[[I0]], %[[I1]], %[[I2]], %[[I3]]]
func.func @max_row(%x: memref<1x2x4x?x?xf32>, %m: memref<1x2x4x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%x : memref<1x2x4x?x?xf32>) outs(%m : memref<1x2x4x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maxnumf %out, %in : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// maximumf propagates NaN: its identity is -inf. Fast-math flags other
// than nnan/ninf are kept on every combine.
// CHECK-LABEL: func.func @max_propagating
//       CHECK:   %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
//       CHECK:   scf.for {{.+}} iter_args(%{{.+}} = %[[NEGINF]])
//       CHECK:     arith.maximumf {{.+}} fastmath<contract> : f32
//       CHECK:   gpu.shuffle  xor
//  CHECK-NEXT:   arith.maximumf {{.+}} fastmath<contract> : f32
func.func @max_propagating(%x: memref<?x?xf32>, %m: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<?x?xf32>) outs(%m : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %out fastmath<contract> : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// A named contraction through its generic form: batch_matmul, one warp
// per C[b][m][n], lanes over k.
// CHECK-LABEL: func.func @bmm
//  CHECK-SAME: (%[[A:.+]]: memref<?x?x?xf32>, %[[B:.+]]: memref<?x?x?xf32>, %[[C:.+]]: memref<?x?x?xf32>)
//       CHECK:   gpu.launch
//       CHECK:     scf.for %[[K:.+]] = %{{.+}} to %{{.+}} step %c32
//       CHECK:       %[[AV:.+]] = memref.load %[[A]][%[[BI:.+]], %[[MI:.+]], %[[K]]]
//       CHECK:       %[[BV:.+]] = memref.load %[[B]][%[[BI]], %[[K]], %[[NI:.+]]]
//       CHECK:       arith.mulf %[[AV]], %[[BV]]
//       CHECK:     gpu.shuffle
//       CHECK:     memref.store %{{.+}}, %[[C]][%[[BI]], %[[MI]], %[[NI]]]
//   CHECK-NOT:   linalg.batch_matmul
func.func @bmm(%a: memref<?x?x?xf32>, %b: memref<?x?x?xf32>, %c: memref<?x?x?xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<?x?x?xf32>, memref<?x?x?xf32>) outs(%c : memref<?x?x?xf32>)
  return
}

// -----

// A 16-bit accumulator moves through the shuffles widened to 32 bits,
// bit for bit; a 64-bit one as two 32-bit words.
// CHECK-LABEL: func.func @min_f16
//       CHECK:   %[[INF:.+]] = arith.constant 0x7C00 : f16
//       CHECK:   %[[P:.+]] = scf.for {{.+}} iter_args(%{{.+}} = %[[INF]]) -> (f16)
//       CHECK:   %[[BITS:.+]] = arith.bitcast %[[P]] : f16 to i16
//       CHECK:   %[[WORD:.+]] = arith.extui %[[BITS]] : i16 to i32
//       CHECK:   %[[SH:.+]], %{{.+}} = gpu.shuffle  xor %[[WORD]], %c16_i32, %c32_i32 : i32
//       CHECK:   %[[BACK:.+]] = arith.trunci %[[SH]] : i32 to i16
//       CHECK:   %[[F:.+]] = arith.bitcast %[[BACK]] : i16 to f16
//       CHECK:   arith.minimumf %[[F]], %[[P]] : f16
func.func @min_f16(%x: memref<?x?xf16>, %m: memref<?xf16>) {
  linalg.reduce ins(%x : memref<?x?xf16>) outs(%m : memref<?xf16>) dimensions = [1]
  (%in: f16, %out: f16) {
    %0 = arith.minimumf %in, %out : f16
    linalg.yield %0 : f16
  }
  return
}

// CHECK-LABEL: func.func @sum_f64
//       CHECK:   %[[P:.+]] = scf.for {{.+}} -> (f64)
//       CHECK:   %[[BITS:.+]] = arith.bitcast %[[P]] : f64 to i64
//       CHECK:   %[[LO:.+]] = arith.trunci %[[BITS]] : i64 to i32
//       CHECK:   %[[HI64:.+]] = arith.shrui %[[BITS]], %c32_i64 : i64
//       CHECK:   %[[HI:.+]] = arith.trunci %[[HI64]] : i64 to i32
//       CHECK:   gpu.shuffle  xor %[[LO]], %c16_i32, %c32_i32 : i32
//       CHECK:   gpu.shuffle  xor %[[HI]], %c16_i32, %c32_i32 : i32
//       CHECK:   arith.ori
//       CHECK:   arith.bitcast %{{.+}} : i64 to f64
func.func @sum_f64(%x: memref<?x?xf64>, %s: memref<?xf64>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<?x?xf64>) outs(%s : memref<?xf64>) {
  ^bb0(%in: f64, %out: f64):
    %0 = arith.addf %in, %out : f64
    linalg.yield %0 : f64
  }
  return
}

// -----

// Left to the generic lowering, unchanged: no reduction iterator; the
// output read twice (out * out + x is not combine(element, out)); a
// combine without an identity (subf); a body that reads memory; an output
// that an input also reads; an output indexed by a reduction dimension; an
// output missing a parallel dimension; nnan on the combine; an i1
// accumulator; tensors.
// CHECK-LABEL: func.func @untouched
//   CHECK-NOT:   gpu.launch
//   CHECK-COUNT-10: linalg.generic
//   CHECK-NOT:   gpu.launch
func.func @untouched(%x: memref<?x?xf32>, %o: memref<?xf32>, %p: memref<?x?xf32>, %x3: memref<?x?x?xf32>, %buf: memref<4xf32>, %b: memref<?x?xi1>, %bo: memref<?xi1>, %t: tensor<?x?xf32>, %to: tensor<?xf32>) -> tensor<?xf32> {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<?x?xf32>) outs(%p : memref<?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<?x?xf32>) outs(%o : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %out, %out : f32
    %1 = arith.addf %0, %in : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<?x?xf32>) outs(%o : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.subf %out, %in : f32
    linalg.yield %0 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<?x?xf32>) outs(%o : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c0 = arith.constant 0 : index
    %l = memref.load %buf[%c0] : memref<4xf32>
    %0 = arith.mulf %in, %l : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %o : memref<?x?xf32>, memref<?xf32>) outs(%o : memref<?xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %0 = arith.addf %out, %in : f32
    linalg.yield %0 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<?x?xf32>) outs(%o : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %out, %in : f32
    linalg.yield %0 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x3 : memref<?x?x?xf32>) outs(%o : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %out, %in : f32
    linalg.yield %0 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<?x?xf32>) outs(%o : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maxnumf %out, %in fastmath<nnan> : f32
    linalg.yield %0 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%b : memref<?x?xi1>) outs(%bo : memref<?xi1>) {
  ^bb0(%in: i1, %out: i1):
    %0 = arith.addi %out, %in : i1
    linalg.yield %0 : i1
  }
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%t : tensor<?x?xf32>) outs(%to : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %out, %in : f32
    linalg.yield %0 : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}
