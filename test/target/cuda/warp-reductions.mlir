// The reductions of norms, softmax and attention, and those of the example
// layers, compile to warp-reduction kernels (xfmr-gpu-warp-reductions:
// butterfly shuffles, shfl.sync.bfly in PTX) that ptxas assembles for
// sm_80 and sm_90.

// REQUIRES: ptxas
// RUN: xfmr-compile %s --target=cuda --emit=ptx --gpu-arch=sm_80 -o %t.sm_80.ptx
// RUN: FileCheck %s --input-file=%t.sm_80.ptx
// RUN: xfmr-compile %s --target=cuda --emit=cubin --gpu-arch=sm_80 -o %t.sm_80.cubin
// RUN: xfmr-compile %s --target=cuda --emit=cubin --gpu-arch=sm_90 -o %t.sm_90.cubin
// RUN: %python %S/Inputs/check-cubin.py %t.sm_80.cubin %t.sm_90.cubin
// RUN: xfmr-compile %xfmr_src/examples/llama_layer.mlir --target=cuda --emit=ptx --gpu-arch=sm_90 -o %t.llama.ptx
// RUN: FileCheck %s --input-file=%t.llama.ptx --check-prefix=LAYER
// RUN: %ptxas -arch=sm_90 %t.llama.ptx -o %t.llama.cubin
// RUN: xfmr-compile %xfmr_src/examples/mixtral_moe_layer.mlir --target=cuda --emit=ptx --gpu-arch=sm_80 -o %t.moe.ptx
// RUN: FileCheck %s --input-file=%t.moe.ptx --check-prefix=LAYER
// RUN: %ptxas -arch=sm_80 %t.moe.ptx -o %t.moe.cubin

// The sum of squares of rms_norm, the f32 sums of layer_norm over bf16
// rows, attention's scores, row maximum, row sum and p . v.
// CHECK: .target sm_80
// CHECK-LABEL: .entry rms_norm_kernel_0(
// CHECK: shfl.sync.bfly.b32 {{.+}}, 16, 31, -1;
// CHECK: shfl.sync.bfly.b32 {{.+}}, 1, 31, -1;
// CHECK-LABEL: .entry layer_norm_bf16_kernel_
// CHECK: shfl.sync.bfly.b32
// CHECK-LABEL: .entry attention_kernel_
// CHECK: shfl.sync.bfly.b32
// CHECK: max.f32
// CHECK-NOT: .extern .func __nv_
// LAYER: shfl.sync.bfly.b32

func.func @rms_norm(%x: tensor<?x256xf32>, %g: tensor<256xf32>) -> tensor<?x256xf32> {
  %y = xfmr.rms_norm %x, %g {epsilon = 1.0e-05 : f32} : tensor<?x256xf32>, tensor<256xf32>
  return %y : tensor<?x256xf32>
}

func.func @layer_norm_bf16(%x: tensor<2x?x64xbf16>, %g: tensor<64xbf16>, %b: tensor<64xbf16>) -> tensor<2x?x64xbf16> {
  %y = xfmr.layer_norm %x, %g, %b : tensor<2x?x64xbf16>, tensor<64xbf16>, tensor<64xbf16>
  return %y : tensor<2x?x64xbf16>
}

func.func @attention(%q: tensor<8x?x64xf32>, %k: tensor<2x?x64xf32>, %v: tensor<2x?x64xf32>) -> tensor<8x?x64xf32> {
  %o = xfmr.attention %q, %k, %v {causal} : tensor<8x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>
  return %o : tensor<8x?x64xf32>
}
