// RUN: xfmr-opt %s --xfmr-gpu-flash-attention=build-kernels --split-input-file --verify-diagnostics

// A call of a kernel declaration whose operands are not q, k, v[, mask],
// out of one supported form is refused rather than guessed at.
func.func private @xfmr_gpu_flash_attention_0(memref<2x?x16xf32>, memref<2x?x16xf32>, memref<2x?x16xf32>) attributes {xfmr.gpu_flash_attention}

func.func @three_operands(%q: memref<2x?x16xf32>, %k: memref<2x?x16xf32>, %v: memref<2x?x16xf32>) {
  // expected-error @below {{unexpected operands for the flash attention kernel}}
  call @xfmr_gpu_flash_attention_0(%q, %k, %v) : (memref<2x?x16xf32>, memref<2x?x16xf32>, memref<2x?x16xf32>) -> ()
  return
}

// -----

// Mixed element types.
func.func private @xfmr_gpu_flash_attention_0(memref<2x?x16xf32>, memref<2x?x16xf16>, memref<2x?x16xf32>, memref<2x?x16xf32>) attributes {xfmr.gpu_flash_attention}

func.func @mixed(%q: memref<2x?x16xf32>, %k: memref<2x?x16xf16>, %v: memref<2x?x16xf32>, %o: memref<2x?x16xf32>) {
  // expected-error @below {{unexpected operands for the flash attention kernel}}
  call @xfmr_gpu_flash_attention_0(%q, %k, %v, %o) : (memref<2x?x16xf32>, memref<2x?x16xf16>, memref<2x?x16xf32>, memref<2x?x16xf32>) -> ()
  return
}
