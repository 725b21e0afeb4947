// xfmr-gpu-expert-dispatch rewrites the MoE routing ops on tensors into
// kernels over their buffers: operands read through to_buffer, results
// written into fresh buffers and handed back with to_tensor restrict.
// RUN: xfmr-opt %s --xfmr-gpu-expert-dispatch --split-input-file | FileCheck %s

// One thread per token: a 256-thread grid over T, guarded by t < T.
// CHECK-LABEL: func.func @router(
//  CHECK-SAME:     %[[L:.*]]: tensor<?x8xf32>)
//       CHECK:   %[[LB:.*]] = bufferization.to_buffer %[[L]] read_only
//       CHECK:   %[[T:.*]] = memref.dim %[[LB]], %c0
//       CHECK:   %[[W:.*]] = memref.alloc(%[[T]]) : memref<?x2xf32>
//       CHECK:   %[[E:.*]] = memref.alloc(%[[T]]) : memref<?x2xi32>
//       CHECK:   gpu.launch blocks({{.*}}) in ({{.*}}) threads({{.*}}) in (%{{.*}} = %c256{{.*}},
//       CHECK:     %[[TOK:.*]] = arith.addi
//       CHECK:     arith.cmpi ult, %[[TOK]], %[[T]]
//       CHECK:     scf.for {{.*}} iter_args({{.*}}) -> (f32)
//       CHECK:       arith.maxnumf
//       CHECK:     math.exp
//       CHECK:     memref.store {{.*}}, %[[W]][%[[TOK]], %c0{{.*}}]
//       CHECK:     memref.store {{.*}}, %[[E]][%[[TOK]], %c0{{.*}}]
//       CHECK:     memref.store {{.*}}, %[[W]][%[[TOK]], %c1{{.*}}]
//       CHECK:     arith.divf
//   CHECK-NOT:   xfmr.topk_router
//   CHECK-DAG:   %[[WT:.*]] = bufferization.to_tensor %[[W]] restrict writable
//   CHECK-DAG:   %[[ET:.*]] = bufferization.to_tensor %[[E]] restrict writable
//       CHECK:   return %[[WT]], %[[ET]]
func.func @router(%logits: tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>) {
  %w, %e = xfmr.topk_router %logits {top_k = 2 : i64} : tensor<?x8xf32>
  return %w, %e : tensor<?x2xf32>, tensor<?x2xi32>
}

// -----

// The counting sort: one block of 256 threads, its scratch in global
// buffers (the chunk's experts, the 4 running counts), two chunked passes
// of two barriers each and one between them; then the row gather.
// CHECK-LABEL: func.func @dispatch(
//       CHECK:   %[[OFF:.*]] = memref.alloc() : memref<5xi32>
//       CHECK:   %[[ORD:.*]] = memref.alloc(%{{.*}}) : memref<?xi32>
//       CHECK:   %[[KEEP:.*]] = memref.alloc(%{{.*}}) : memref<?xi32>
//       CHECK:   %[[CAP:.*]] = arith.constant 2147483647 : i32
//       CHECK:   %[[CHUNK:.*]] = memref.alloc() : memref<256xi32>
//       CHECK:   %[[COUNTS:.*]] = memref.alloc() : memref<4xi32>
//       CHECK:   gpu.launch blocks({{.*}}) in (%{{.*}} = %c1{{(_[0-9]+)?}}, {{.*}}) threads({{.*}}) in (%{{.*}} = %c256
//       CHECK:     scf.for
//       CHECK:       gpu.barrier
//       CHECK:       scf.for
//       CHECK:         memref.load %[[CHUNK]]
//       CHECK:       arith.cmpi slt, %{{.*}}, %[[CAP]]
//       CHECK:       memref.store {{.*}}, %[[KEEP]]
//       CHECK:       gpu.barrier
//       CHECK:       memref.store {{.*}}, %[[COUNTS]]
//       CHECK:     gpu.barrier
//       CHECK:     memref.store {{.*}}, %[[OFF]]
//       CHECK:     scf.for
//       CHECK:       gpu.barrier
//       CHECK:       memref.store {{.*}}, %[[ORD]]
//       CHECK:       gpu.barrier
//       CHECK:   gpu.launch
//   CHECK-NOT:   xfmr.dispatch
func.func @dispatch(%x: tensor<?x16xf32>, %e: tensor<?x2xi32>) -> (tensor<?x16xf32>, tensor<5xi32>, tensor<?xi32>) {
  %sx, %off, %ord = xfmr.dispatch %x, %e {num_experts = 4 : i64} : tensor<?x16xf32>, tensor<?x2xi32>
  return %sx, %off, %ord : tensor<?x16xf32>, tensor<5xi32>, tensor<?xi32>
}

// -----

// With a capacity factor, C = ceil(T·k / E · factor) computed in f64.
// CHECK-LABEL: func.func @capacity(
//       CHECK:   arith.sitofp {{.*}} : i64 to f64
//       CHECK:   %[[C:.*]] = math.ceil
//       CHECK:   arith.fptosi %[[C]] : f64 to i32
func.func @capacity(%x: tensor<?x16xf32>, %e: tensor<?x2xi32>) -> (tensor<?x16xf32>, tensor<5xi32>, tensor<?xi32>) {
  %sx, %off, %ord = xfmr.dispatch %x, %e {num_experts = 4 : i64, capacity_factor = 1.25 : f64} : tensor<?x16xf32>, tensor<?x2xi32>
  return %sx, %off, %ord : tensor<?x16xf32>, tensor<5xi32>, tensor<?xi32>
}

// -----

// Three element-parallel kernels: rowOf = -1, the inverse permutation, the
// weighted sum over the k slots in f32 stored as bf16.
// CHECK-LABEL: func.func @combine(
//       CHECK:   %[[ROW:.*]] = memref.alloc(%{{.*}}) : memref<?xi32>
//       CHECK:   gpu.launch
//       CHECK:     memref.store %c-1_i32{{.*}}, %[[ROW]]
//       CHECK:   gpu.launch
//       CHECK:     memref.store {{.*}}, %[[ROW]]
//       CHECK:   %[[Y:.*]] = memref.alloc(%{{.*}}) : memref<?x64xbf16>
//       CHECK:   gpu.launch
//       CHECK:     scf.for {{.*}} -> (f32)
//       CHECK:     arith.truncf {{.*}} : f32 to bf16
//       CHECK:     memref.store {{.*}}, %[[Y]]
//       CHECK:   bufferization.to_tensor %[[Y]] restrict writable
func.func @combine(%eo: tensor<?x64xbf16>, %ord: tensor<?xi32>, %w: tensor<?x2xf32>) -> tensor<?x64xbf16> {
  %y = xfmr.combine %eo, %ord, %w : tensor<?x64xbf16>, tensor<?xi32>, tensor<?x2xf32>
  return %y : tensor<?x64xbf16>
}
