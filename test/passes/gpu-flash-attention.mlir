// RUN: xfmr-opt %s --xfmr-gpu-flash-attention --split-input-file | FileCheck %s
// RUN: xfmr-opt %s --xfmr-gpu-flash-attention --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --xfmr-gpu-flash-attention=build-kernels --cse --split-input-file | FileCheck %s --check-prefix=KERNEL

// Step 1: causal GQA on tensors becomes a call, on read-only buffers of
// any layout and a new result buffer (sized by q's dynamic Tq), of a
// marked private declaration; the result is a restrict, writable tensor.
// CHECK-LABEL: func.func @gqa_causal
//  CHECK-SAME: (%[[Q:.+]]: tensor<1x4x?x16xf32>, %[[K:.+]]: tensor<1x2x?x16xf32>, %[[V:.+]]: tensor<1x2x?x24xf32>)
//       CHECK:   %[[QB:.+]] = bufferization.to_buffer %[[Q]] read_only : tensor<1x4x?x16xf32> to memref<1x4x?x16xf32, strided<[?, ?, ?, ?], offset: ?>>
//       CHECK:   %[[KB:.+]] = bufferization.to_buffer %[[K]] read_only
//       CHECK:   %[[VB:.+]] = bufferization.to_buffer %[[V]] read_only
//       CHECK:   %[[TQ:.+]] = memref.dim %[[QB]], %c2
//       CHECK:   %[[OUT:.+]] = memref.alloc(%[[TQ]]) : memref<1x4x?x24xf32>
//       CHECK:   call @[[FN:xfmr_gpu_flash_attention_0]](%[[QB]], %[[KB]], %[[VB]], %[[OUT]]) {xfmr.causal}
//       CHECK:   %[[R:.+]] = bufferization.to_tensor %[[OUT]] restrict writable
//       CHECK:   return %[[R]]
//       CHECK: func.func private @[[FN]]({{.+}}) attributes {xfmr.gpu_flash_attention}
//   CHECK-NOT: xfmr.attention

// Step 2: the call becomes one launch of ceil(g*Tq/8) x Hkv x B blocks of
// 128 threads with the query rows (8 x Dh), a K tile (32 x Dh+1) and a V
// tile (32 x 32*ceil(Dv/32)) in workgroup memory; a loop over the key
// tiles carrying (m, l, ceil(Dv/32) accumulators) for each of the warp's
// two rows, with its two barriers at the top level; shuffles for the max,
// the broadcast of the weights and the final sum; guarded stores.
// KERNEL-LABEL: func.func @gqa_causal
//  KERNEL-SAME: (%[[Q:.+]]: memref<1x4x?x16xf32>, %[[K:.+]]: memref<1x2x?x16xf32>, %[[V:.+]]: memref<1x2x?x24xf32>)
//       KERNEL:   %[[QC:.+]] = memref.cast %[[Q]]
//       KERNEL:   %[[KC:.+]] = memref.cast %[[K]]
//       KERNEL:   %[[VC:.+]] = memref.cast %[[V]]
//       KERNEL:   %[[TQ:.+]] = memref.dim %[[QC]], %c2
//       KERNEL:   %[[OUT:.+]] = memref.alloc(%[[TQ]]) : memref<1x4x?x24xf32>
//       KERNEL:   %[[B:.+]] = memref.dim %[[QC]], %c0
//       KERNEL:   %[[HQ:.+]] = memref.dim %[[QC]], %c1
//       KERNEL:   %[[HKV:.+]] = memref.dim %[[KC]], %c1
//       KERNEL:   %[[HKV1:.+]] = arith.maxui %[[HKV]], %c1
//       KERNEL:   %[[G:.+]] = arith.divui %[[HQ]], %[[HKV1]]
//       KERNEL:   %[[ROWS:.+]] = arith.muli %[[G]], %[[TQ]]
//       KERNEL:   %[[NB:.+]] = arith.ceildivui %[[ROWS]], %c8
//       KERNEL:   %[[GX:.+]] = arith.maxui %[[NB]], %c1
//       KERNEL:   %[[GZ:.+]] = arith.maxui %[[B]], %c1
//       KERNEL:   gpu.launch blocks(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %[[GX]], %{{.+}} = %[[HKV1]], %{{.+}} = %[[GZ]]) threads(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %c128, %{{.+}} = %c1, %{{.+}} = %c1)
//  KERNEL-SAME:     workgroup(%[[QT:[a-z0-9_]+]] : memref<8x16xf32, #gpu.address_space<workgroup>>, %[[KT:[a-z0-9_]+]] : memref<32x17xf32, #gpu.address_space<workgroup>>, %[[VT:[a-z0-9_]+]] : memref<32x32xf32, #gpu.address_space<workgroup>>)
//       KERNEL:     %[[SCALE:.+]] = arith.constant 2.500000e-01 : f32
//       KERNEL:     memref.store %{{.+}}, %[[QT]]
//       KERNEL:     %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
//       KERNEL:     %[[ST:[a-z0-9_]+]]:6 = scf.for %{{.+}} iter_args({{.+}}) -> (f32, f32, f32, f32, f32, f32) {
//       KERNEL:       memref.load %[[KC]]
//       KERNEL:       memref.store %{{.+}}, %[[KT]]
//       KERNEL:       memref.load %[[VC]]
//       KERNEL:       memref.store %{{.+}}, %[[VT]]
//       KERNEL:       gpu.barrier
//       KERNEL:       memref.load %[[KT]]
//       KERNEL:       memref.load %[[QT]]
//       KERNEL:       gpu.shuffle  xor %{{.+}}, %c16_i32{{[_0-9]*}}, %c32_i32{{[_0-9]*}} : f32
//       KERNEL:       arith.maxnumf
//       KERNEL:       math.exp
//       KERNEL:       gpu.shuffle  idx
//       KERNEL:       memref.load %[[VT]]
//       KERNEL:       gpu.barrier
//  KERNEL-NEXT:       scf.yield
//       KERNEL:     gpu.shuffle  xor %[[ST]]#1, %c16_i32{{[_0-9]*}}
//       KERNEL:     scf.if
//       KERNEL:       arith.divf %[[ST]]#2
//       KERNEL:       memref.store %{{.+}}, %[[OUT]]
//       KERNEL:     gpu.terminator
//       KERNEL:   return %[[OUT]]
//   KERNEL-NOT: xfmr_gpu_flash_attention
func.func @gqa_causal(%q: tensor<1x4x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x24xf32>) -> tensor<1x4x?x24xf32> {
  %o = xfmr.attention %q, %k, %v {causal} : tensor<1x4x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x24xf32>
  return %o : tensor<1x4x?x24xf32>
}

// -----

// Rank 3, a mask and an explicit scale: the mask is the call's fourth
// operand, the scale an attribute of the call; f16 storage.
// CHECK-LABEL: func.func @masked_f16
//       CHECK:   call @xfmr_gpu_flash_attention_0(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) {xfmr.scale = 1.250000e-01 : f32}
// KERNEL-LABEL: func.func @masked_f16
//  KERNEL-SAME: %[[M:[a-z0-9]+]]: memref<?x?xf16>
//       KERNEL:   %[[MC:.+]] = memref.cast %[[M]]
//       KERNEL:   %[[SCALE:.+]] = arith.constant 1.250000e-01 : f32
//       KERNEL:   gpu.barrier
//       KERNEL:   %[[MV:.+]] = memref.load %[[MC]]
//       KERNEL:       arith.extf %[[MV]] : f16 to f32
//       KERNEL:   arith.truncf %{{.+}} : f32 to f16
func.func @masked_f16(%q: tensor<8x?x64xf16>, %k: tensor<8x?x64xf16>, %v: tensor<8x?x64xf16>, %m: tensor<?x?xf16>) -> tensor<8x?x64xf16> {
  %o = xfmr.attention %q, %k, %v, %m {scale = 1.250000e-01 : f32} : tensor<8x?x64xf16>, tensor<8x?x64xf16>, tensor<8x?x64xf16>, tensor<?x?xf16>
  return %o : tensor<8x?x64xf16>
}

// -----

// Dh = Dv = 256: the K and V tiles shrink to 16 keys to fit 48 KiB.
// KERNEL-LABEL: func.func @wide
//       KERNEL:   workgroup(%{{.+}} : memref<8x256xf32, #gpu.address_space<workgroup>>, %{{.+}} : memref<16x257xf32, #gpu.address_space<workgroup>>, %{{.+}} : memref<16x256xf32, #gpu.address_space<workgroup>>)
func.func @wide(%q: tensor<4x?x256xbf16>, %k: tensor<1x?x256xbf16>, %v: tensor<1x?x256xbf16>) -> tensor<4x?x256xbf16> {
  %o = xfmr.attention %q, %k, %v {causal} : tensor<4x?x256xbf16>, tensor<1x?x256xbf16>, tensor<1x?x256xbf16>
  return %o : tensor<4x?x256xbf16>
}

