// RUN: xfmr-opt %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | xfmr-opt | FileCheck %s
// RUN: xfmr-opt -mlir-print-op-generic %s | FileCheck %s --check-prefix=GENERIC

// Round trip of xfmr.attention: GQA/MQA, batch, mask, causal, scale.

// The description example: GQA (8 query heads over 2 kv heads), no batch.
// GENERIC-LABEL: sym_name = "attention_gqa_causal"
// GENERIC:         "xfmr.attention"({{.*}}) <{causal}> : (tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>) -> tensor<8x?x64xf32>
// CHECK-LABEL: func.func @attention_gqa_causal(
// CHECK-SAME:      [[Q:%[a-z0-9]+]]: tensor<8x?x64xf32>, [[K:%[a-z0-9]+]]: tensor<2x?x64xf32>, [[V:%[a-z0-9]+]]: tensor<2x?x64xf32>) -> tensor<8x?x64xf32>
// CHECK-NEXT:      [[O:%[a-z0-9_]+]] = xfmr.attention [[Q]], [[K]], [[V]] {causal} : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>
// CHECK-NEXT:      return [[O]] : tensor<8x?x64xf32>
func.func @attention_gqa_causal(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<2x?x64xf32>) -> tensor<8x?x64xf32> {
  %o = xfmr.attention %q, %k, %v {causal}
      : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>
  return %o : tensor<8x?x64xf32>
}

// The second description example: batched decode against a KV cache with a
// mask and an explicit scale, in f16.
// GENERIC-LABEL: sym_name = "attention_decode_mask"
// GENERIC:         "xfmr.attention"({{.*}}) <{scale = 1.250000e-01 : f32}> : (tensor<1x8x1x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x?xf16>) -> tensor<1x8x1x64xf16>
// CHECK-LABEL: func.func @attention_decode_mask(
// CHECK-SAME:      [[Q1:%[a-z0-9]+]]: tensor<1x8x1x64xf16>, [[KC:%[a-z0-9]+]]: tensor<1x2x?x64xf16>, [[VC:%[a-z0-9]+]]: tensor<1x2x?x64xf16>, [[M:%[a-z0-9]+]]: tensor<1x?xf16>) -> tensor<1x8x1x64xf16>
// CHECK-NEXT:      [[D:%[a-z0-9_]+]] = xfmr.attention [[Q1]], [[KC]], [[VC]], [[M]] {scale = 1.250000e-01 : f32} : tensor<1x8x1x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x?xf16>
// CHECK-NEXT:      return [[D]] : tensor<1x8x1x64xf16>
func.func @attention_decode_mask(%q1: tensor<1x8x1x64xf16>, %kc: tensor<1x2x?x64xf16>, %vc: tensor<1x2x?x64xf16>, %m: tensor<1x?xf16>) -> tensor<1x8x1x64xf16> {
  %d = xfmr.attention %q1, %kc, %vc, %m {scale = 1.250000e-01 : f32}
      : tensor<1x8x1x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>,
        tensor<1x?xf16>
  return %d : tensor<1x8x1x64xf16>
}

// MQA in bf16 with both attributes and Dv != Dh: the result takes Dv.
// GENERIC-LABEL: sym_name = "attention_mqa_dv"
// GENERIC:         "xfmr.attention"({{.*}}) <{causal, scale = 5.000000e-01 : f32}> : (tensor<?x4x16x32xbf16>, tensor<?x1x16x32xbf16>, tensor<?x1x16x48xbf16>) -> tensor<?x4x16x48xbf16>
// CHECK-LABEL: func.func @attention_mqa_dv(
// CHECK-SAME:      [[Q:%[a-z0-9]+]]: tensor<?x4x16x32xbf16>, [[K:%[a-z0-9]+]]: tensor<?x1x16x32xbf16>, [[V:%[a-z0-9]+]]: tensor<?x1x16x48xbf16>) -> tensor<?x4x16x48xbf16>
// CHECK-NEXT:      [[O:%[a-z0-9_]+]] = xfmr.attention [[Q]], [[K]], [[V]] {causal, scale = 5.000000e-01 : f32} : tensor<?x4x16x32xbf16>, tensor<?x1x16x32xbf16>, tensor<?x1x16x48xbf16>
// CHECK-NEXT:      return [[O]] : tensor<?x4x16x48xbf16>
func.func @attention_mqa_dv(%q: tensor<?x4x16x32xbf16>, %k: tensor<?x1x16x32xbf16>, %v: tensor<?x1x16x48xbf16>) -> tensor<?x4x16x48xbf16> {
  %o = xfmr.attention %q, %k, %v {causal, scale = 5.000000e-01 : f32} : tensor<?x4x16x32xbf16>, tensor<?x1x16x32xbf16>, tensor<?x1x16x48xbf16>
  return %o : tensor<?x4x16x48xbf16>
}

// Non-causal with a mask, every size dynamic.
// GENERIC-LABEL: sym_name = "attention_dynamic_mask"
// GENERIC:         "xfmr.attention"({{.*}}) : (tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>) -> tensor<?x?x?xf32>
// CHECK-LABEL: func.func @attention_dynamic_mask(
// CHECK-SAME:      [[Q:%[a-z0-9]+]]: tensor<?x?x?xf32>, [[K:%[a-z0-9]+]]: tensor<?x?x?xf32>, [[V:%[a-z0-9]+]]: tensor<?x?x?xf32>, [[M:%[a-z0-9]+]]: tensor<?x?xf32>) -> tensor<?x?x?xf32>
// CHECK-NEXT:      [[O:%[a-z0-9_]+]] = xfmr.attention [[Q]], [[K]], [[V]], [[M]] : tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>
// CHECK-NEXT:      return [[O]] : tensor<?x?x?xf32>
func.func @attention_dynamic_mask(%q: tensor<?x?x?xf32>, %k: tensor<?x?x?xf32>, %v: tensor<?x?x?xf32>, %m: tensor<?x?xf32>) -> tensor<?x?x?xf32> {
  %o = xfmr.attention %q, %k, %v, %m : tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>
  return %o : tensor<?x?x?xf32>
}
