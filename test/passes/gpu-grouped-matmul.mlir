// RUN: xfmr-opt %s --xfmr-gpu-grouped-matmul --split-input-file | FileCheck %s --check-prefix=STEP1
// RUN: xfmr-opt %s --xfmr-gpu-grouped-matmul \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --xfmr-gpu-grouped-matmul="build-kernels=1" --split-input-file | FileCheck %s --check-prefix=STEP2

// Step 1: the grouped expert FFN becomes the gated projection into a new
// [R, F] buffer and the down projection into a new [R, D] buffer, calls of
// marked declarations on the operands as read-only buffers.
// STEP1-LABEL: func.func @experts
//  STEP1-SAME: (%[[X:.+]]: tensor<?x40xf32>, %[[OFF:.+]]: tensor<5xi32>, %[[WG:.+]]: tensor<4x24x40xf32>, %[[WU:.+]]: tensor<4x24x40xf32>, %[[WD:.+]]: tensor<4x40x24xf32>)
//   STEP1-DAG:   %[[XB:.+]] = bufferization.to_buffer %[[X]] read_only
//   STEP1-DAG:   %[[OB:.+]] = bufferization.to_buffer %[[OFF]] read_only
//   STEP1-DAG:   %[[GB:.+]] = bufferization.to_buffer %[[WG]] read_only
//   STEP1-DAG:   %[[UB:.+]] = bufferization.to_buffer %[[WU]] read_only
//   STEP1-DAG:   %[[DB:.+]] = bufferization.to_buffer %[[WD]] read_only
//       STEP1:   %[[H:.+]] = memref.alloc(%{{.+}}) : memref<?x24xf32>
//       STEP1:   call @xfmr_gpu_grouped_glu_0(%[[XB]], %[[OB]], %[[GB]], %[[UB]], %[[H]]) {xfmr.activation = #xfmr.activation<gelu>}
//       STEP1:   %[[Y:.+]] = memref.alloc(%{{.+}}) : memref<?x40xf32>
//       STEP1:   call @xfmr_gpu_grouped_matmul_1(%[[H]], %[[OB]], %[[DB]], %[[Y]])
//       STEP1:   %[[R:.+]] = bufferization.to_tensor %[[Y]] restrict writable
//       STEP1:   return %[[R]]
//       STEP1: func.func private @xfmr_gpu_grouped_glu_0({{.+}}) attributes {xfmr.gpu_grouped_gated_matmul}
//       STEP1: func.func private @xfmr_gpu_grouped_matmul_1({{.+}}) attributes {xfmr.gpu_grouped_matmul}

// Step 2: each call is one launch; the blocks find their expert and rows by
// walking the offsets in the kernel (the host reads none and has no loop
// over experts); the gated kernel stages two weights; the down projection's
// buffer is zero-filled first (rows outside every segment).
// STEP2-LABEL: func.func @experts
//  STEP2-SAME: (%[[X:.+]]: memref<?x40xf32>, %[[OFF:.+]]: memref<5xi32>, %[[WG:.+]]: memref<4x24x40xf32>, %[[WU:.+]]: memref<4x24x40xf32>, %[[WD:.+]]: memref<4x40x24xf32>)
//   STEP2-NOT:   call
//       STEP2:   gpu.launch
//  STEP2-SAME:     workgroup({{.+}} : memref<16x17xvector<4xf32>, #gpu.address_space<workgroup>>, {{.+}} : memref<16x17xvector<4xf32>, #gpu.address_space<workgroup>>, {{.+}} : memref<16x17xvector<4xf32>, #gpu.address_space<workgroup>>)
//       STEP2:     scf.for
//       STEP2:       memref.load %{{.+}}[%{{.+}}] : memref<5xi32
//       STEP2:       arith.index_cast
//       STEP2:     math.erf
//       STEP2:   linalg.fill
//       STEP2:   gpu.launch
//       STEP2:     scf.for
//       STEP2:       memref.load %{{.+}}[%{{.+}}] : memref<5xi32
//   STEP2-NOT:   call
//       STEP2:   return
//   STEP2-NOT: func.func private
func.func @experts(%x: tensor<?x40xf32>, %off: tensor<5xi32>, %wg: tensor<4x24x40xf32>, %wu: tensor<4x24x40xf32>, %wd: tensor<4x40x24xf32>) -> tensor<?x40xf32> {
  %y = xfmr.grouped_gated_ffn <gelu> %x, %off, %wg, %wu, %wd : tensor<?x40xf32>, tensor<5xi32>, tensor<4x24x40xf32>, tensor<4x24x40xf32>, tensor<4x40x24xf32>
  return %y : tensor<?x40xf32>
}

// -----

// The stacked form: the two halves of the [E, 2F, D] weight are its gate
// and up weights; bf16 takes the tensor-core kernel.
// STEP1-LABEL: func.func @stacked
//       STEP1:   call @xfmr_gpu_grouped_glu_0({{.+}}) {xfmr.activation = #xfmr.activation<silu>} : (memref<?x40xbf16, {{.+}}>, memref<5xi32, {{.+}}>, memref<4x48x40xbf16, {{.+}}>, memref<?x24xbf16>) -> ()
// STEP2-LABEL: func.func @stacked
//  STEP2-SAME: (%{{.+}}: memref<?x40xbf16>, %{{.+}}: memref<5xi32>, %[[W:.+]]: memref<4x48x40xbf16>, %{{.+}}: memref<4x40x24xbf16>)
//       STEP2:   %[[WB:.+]] = memref.cast %[[W]]
//   STEP2-DAG:   memref.subview %[[WB]][0, 0, 0] [4, 24, 40] [1, 1, 1]
//   STEP2-DAG:   memref.subview %[[WB]][0, 24, 0] [4, 24, 40] [1, 1, 1]
//       STEP2:   gpu.launch
//       STEP2:     nvvm.mma.sync
func.func @stacked(%x: tensor<?x40xbf16>, %off: tensor<5xi32>, %wgu: tensor<4x48x40xbf16>, %wd: tensor<4x40x24xbf16>) -> tensor<?x40xbf16> {
  %y = xfmr.grouped_glu_ffn <silu> %x, %off, %wgu, %wd : tensor<?x40xbf16>, tensor<5xi32>, tensor<4x48x40xbf16>, tensor<4x40x24xbf16>
  return %y : tensor<?x40xbf16>
}
