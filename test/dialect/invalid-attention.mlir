// RUN: xfmr-opt %s -split-input-file -verify-diagnostics

// Every verifier and inference diagnostic of xfmr.attention, one case each:
// the full message, so that a change in its wording is caught.

// q must be a float storage type.
func.func @attention_q_f64(%q: tensor<8x?x64xf64>, %k: tensor<2x?x64xf64>, %v: tensor<2x?x64xf64>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'q' must have element type f32, f16 or bf16, got 'f64'}}
  %o = xfmr.attention %q, %k, %v : tensor<8x?x64xf64>, tensor<2x?x64xf64>, tensor<2x?x64xf64>
  return
}

// -----

// q is [Hq, Tq, Dh] or [B, Hq, Tq, Dh].
func.func @attention_q_rank2(%q: tensor<?x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<2x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'q' must have rank 3 or 4, got 2}}
  %o = xfmr.attention %q, %k, %v : tensor<?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>
  return
}

// -----

// q is [Hq, Tq, Dh] or [B, Hq, Tq, Dh].
func.func @attention_q_rank5(%q: tensor<1x1x8x?x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<2x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'q' must have rank 3 or 4, got 5}}
  %o = xfmr.attention %q, %k, %v : tensor<1x1x8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>
  return
}

// -----

// k has the rank of q.
func.func @attention_k_rank(%q: tensor<8x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<2x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'k' must have rank 3, got 4}}
  %o = xfmr.attention %q, %k, %v : tensor<8x?x64xf32>, tensor<1x2x?x64xf32>, tensor<2x?x64xf32>
  return
}

// -----

// v has the rank of q.
func.func @attention_v_rank(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'v' must have rank 3, got 2}}
  %o = xfmr.attention %q, %k, %v : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<?x64xf32>
  return
}

// -----

// k must be a float storage type.
func.func @attention_k_f64(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf64>, %v: tensor<2x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'k' must have element type f32, f16 or bf16, got 'f64'}}
  %o = xfmr.attention %q, %k, %v : tensor<8x?x64xf32>, tensor<2x?x64xf64>, tensor<2x?x64xf32>
  return
}

// -----

// k must have the element type of q.
func.func @attention_k_mixed(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf16>, %v: tensor<2x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'k' must have element type 'f32' like 'q', got 'f16'}}
  %o = xfmr.attention %q, %k, %v : tensor<8x?x64xf32>, tensor<2x?x64xf16>, tensor<2x?x64xf32>
  return
}

// -----

// v must be a float storage type.
func.func @attention_v_f64(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<2x?x64xf64>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'v' must have element type f32, f16 or bf16, got 'f64'}}
  %o = xfmr.attention %q, %k, %v : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf64>
  return
}

// -----

// v must have the element type of q.
func.func @attention_v_mixed(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<2x?x64xbf16>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'v' must have element type 'f32' like 'q', got 'bf16'}}
  %o = xfmr.attention %q, %k, %v : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xbf16>
  return
}

// -----

// k[B, ...] against q[B, ...].
func.func @attention_k_batch(%q: tensor<2x8x?x64xf32>, %k: tensor<3x2x?x64xf32>, %v: tensor<2x2x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'k' dimension 0 (B, dimension 0 of 'q') must be 2, got 3}}
  %o = xfmr.attention %q, %k, %v : tensor<2x8x?x64xf32>, tensor<3x2x?x64xf32>, tensor<2x2x?x64xf32>
  return
}

// -----

// v[B, ...] against q[B, ...].
func.func @attention_v_batch(%q: tensor<2x8x?x64xf32>, %k: tensor<2x2x?x64xf32>, %v: tensor<3x2x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'v' dimension 0 (B, dimension 0 of 'q') must be 2, got 3}}
  %o = xfmr.attention %q, %k, %v : tensor<2x8x?x64xf32>, tensor<2x2x?x64xf32>, tensor<3x2x?x64xf32>
  return
}

// -----

// with q's B dynamic, k and v still agree.
func.func @attention_v_batch_from_k(%q: tensor<?x8x?x64xf32>, %k: tensor<2x2x?x64xf32>, %v: tensor<3x2x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'v' dimension 0 (B, dimension 0 of 'k') must be 2, got 3}}
  %o = xfmr.attention %q, %k, %v : tensor<?x8x?x64xf32>, tensor<2x2x?x64xf32>, tensor<3x2x?x64xf32>
  return
}

// -----

// v[Hkv, ...] against k[Hkv, ...].
func.func @attention_v_heads(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<4x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'v' dimension 0 (Hkv, dimension 0 of 'k') must be 2, got 4}}
  %o = xfmr.attention %q, %k, %v : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<4x?x64xf32>
  return
}

// -----

// no kv head to read, even with Hq dynamic.
func.func @attention_zero_kv_heads(%q: tensor<?x?x64xf32>, %k: tensor<0x?x64xf32>, %v: tensor<0x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'k' dimension 0 (Hkv, the number of kv heads) must be >= 1, got 0}}
  %o = xfmr.attention %q, %k, %v : tensor<?x?x64xf32>, tensor<0x?x64xf32>, tensor<0x?x64xf32>
  return
}

// -----

// query head h reads kv head h / (Hq / Hkv).
func.func @attention_gqa_groups(%q: tensor<8x?x64xf32>, %k: tensor<3x?x64xf32>, %v: tensor<3x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'q' dimension 0 (Hq, the number of query heads) must be a multiple of 3 (Hkv, dimension 0 of 'k'), got 8}}
  %o = xfmr.attention %q, %k, %v : tensor<8x?x64xf32>, tensor<3x?x64xf32>, tensor<3x?x64xf32>
  return
}

// -----

// Hkv known only from v.
func.func @attention_gqa_groups_from_v(%q: tensor<8x?x64xf32>, %k: tensor<?x?x64xf32>, %v: tensor<3x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'q' dimension 0 (Hq, the number of query heads) must be a multiple of 3 (Hkv, dimension 0 of 'v'), got 8}}
  %o = xfmr.attention %q, %k, %v : tensor<8x?x64xf32>, tensor<?x?x64xf32>, tensor<3x?x64xf32>
  return
}

// -----

// k[..., Dh] against q[..., Dh].
func.func @attention_k_head_size(%q: tensor<8x?x64xf32>, %k: tensor<2x?x32xf32>, %v: tensor<2x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'k' dimension 2 (Dh, the last dimension of 'q') must be 64, got 32}}
  %o = xfmr.attention %q, %k, %v : tensor<8x?x64xf32>, tensor<2x?x32xf32>, tensor<2x?x64xf32>
  return
}

// -----

// the default scale 1/sqrt(Dh) needs Dh >= 1.
func.func @attention_zero_head_size(%q: tensor<8x?x0xf32>, %k: tensor<2x?x0xf32>, %v: tensor<2x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'q' dimension 2 (Dh, the head size; the default 'scale' is 1/sqrt(Dh)) must be >= 1, got 0}}
  %o = xfmr.attention %q, %k, %v : tensor<8x?x0xf32>, tensor<2x?x0xf32>, tensor<2x?x64xf32>
  return
}

// -----

// v[..., Tk, Dv] against k[..., Tk, Dh].
func.func @attention_v_keys(%q: tensor<8x?x64xf32>, %k: tensor<2x16x64xf32>, %v: tensor<2x8x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'v' dimension 1 (Tk, dimension 1 of 'k') must be 16, got 8}}
  %o = xfmr.attention %q, %k, %v : tensor<8x?x64xf32>, tensor<2x16x64xf32>, tensor<2x8x64xf32>
  return
}

// -----

// mask is [Tq, Tk].
func.func @attention_mask_rank(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<2x?x64xf32>, %m: tensor<1x?x?xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'mask' must have rank 2, got 3}}
  %o = xfmr.attention %q, %k, %v, %m : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>, tensor<1x?x?xf32>
  return
}

// -----

// mask must be a float storage type.
func.func @attention_mask_f64(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<2x?x64xf32>, %m: tensor<?x?xf64>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'mask' must have element type f32, f16 or bf16, got 'f64'}}
  %o = xfmr.attention %q, %k, %v, %m : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>, tensor<?x?xf64>
  return
}

// -----

// mask must have the element type of q.
func.func @attention_mask_mixed(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<2x?x64xf32>, %m: tensor<?x?xf16>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'mask' must have element type 'f32' like 'q', got 'f16'}}
  %o = xfmr.attention %q, %k, %v, %m : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>, tensor<?x?xf16>
  return
}

// -----

// mask[Tq, Tk] against q[..., Tq, Dh].
func.func @attention_mask_queries(%q: tensor<8x4x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<2x?x64xf32>, %m: tensor<5x?xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'mask' dimension 0 (Tq, dimension 1 of 'q') must be 4, got 5}}
  %o = xfmr.attention %q, %k, %v, %m : tensor<8x4x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>, tensor<5x?xf32>
  return
}

// -----

// mask[Tq, Tk] against k[..., Tk, Dh].
func.func @attention_mask_keys(%q: tensor<8x?x64xf32>, %k: tensor<2x16x64xf32>, %v: tensor<2x16x64xf32>, %m: tensor<?x8xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'mask' dimension 1 (Tk, dimension 1 of 'k') must be 16, got 8}}
  %o = xfmr.attention %q, %k, %v, %m : tensor<8x?x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<?x8xf32>
  return
}

// -----

// Tk known only from v.
func.func @attention_mask_keys_from_v(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<2x16x64xf32>, %m: tensor<?x8xf32>) {
  // expected-error @+1 {{'xfmr.attention' op operand 'mask' dimension 1 (Tk, dimension 1 of 'v') must be 16, got 8}}
  %o = xfmr.attention %q, %k, %v, %m : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x16x64xf32>, tensor<?x8xf32>
  return
}

// -----

// scale must be finite.
func.func @attention_scale_inf(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<2x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op attribute 'scale' must be finite, got INF}}
  %o = xfmr.attention %q, %k, %v {scale = 0x7F800000 : f32} : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>
  return
}

// -----

// scale must not be NaN.
func.func @attention_scale_nan(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<2x?x64xf32>) {
  // expected-error @+1 {{'xfmr.attention' op attribute 'scale' must be finite, got nan}}
  %o = xfmr.attention %q, %k, %v {causal, scale = 0x7FC00000 : f32} : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>
  return
}
