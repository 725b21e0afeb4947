// Every --emit kind writes its file; objects and shared libraries export
// exactly the entry points, their packed forms and the manifest.

// RUN: rm -rf %t && mkdir -p %t
// RUN: xfmr-compile %s --emit=asm -o %t/m.s
// RUN: FileCheck %s --check-prefix=ASM --input-file=%t/m.s
// RUN: xfmr-compile %s --emit=obj -o %t/m.o
// RUN: llvm-nm --extern-only --defined-only %t/m.o | FileCheck %s --check-prefix=SYMS
// RUN: llvm-objdump -h %t/m.o | FileCheck %s --check-prefix=OBJ
// RUN: xfmr-compile %s --emit=shared -O3 -o %t/m.so
// RUN: llvm-nm -D --defined-only %t/m.so | FileCheck %s --check-prefix=SYMS
// RUN: llvm-objdump -T %t/m.so | FileCheck %s --check-prefix=DYN
// RUN: test -f %t/m.h
// RUN: xfmr-compile %s --emit=mlir -o - | FileCheck %s --check-prefix=MLIR
// RUN: xfmr-compile %s --emit=linalg -o - | FileCheck %s --check-prefix=LINALG
// RUN: xfmr-compile %s --emit=obj -O0 -o - > %t/stdout.o
// RUN: llvm-nm --extern-only --defined-only %t/stdout.o | FileCheck %s --check-prefix=SYMS

// ASM: .globl scale
// ASM: .globl xfmr_packed_scale
// ASM: .globl xfmr_manifest

// SYMS-NOT: __xfmr_impl
// SYMS-NOT: _mlir_ciface
// SYMS-DAG: T scale
// SYMS-DAG: T xfmr_packed_scale
// SYMS-DAG: R xfmr_manifest
// SYMS-NOT: helper

// OBJ: file format elf64-x86-64

// DYN-DAG: DF .text {{.*}} scale
// DYN-DAG: DF .text {{.*}} xfmr_packed_scale
// DYN-DAG: DO .rodata {{.*}} xfmr_manifest

// MLIR: llvm.func @scale(
// MLIR-SAME: xfmr.entry = {names = ["v"], type = (tensor<8xf32>) -> tensor<8xf32>}
// MLIR: llvm.func @_mlir_ciface_scale(

// The linalg stage comes before entry-point preparation: the source names
// are recorded, the entry signature is not made yet.
// LINALG: func.func @scale(%{{.+}}: tensor<8xf32>) -> tensor<8xf32> attributes {xfmr.arg_names = ["v"]}
// LINALG: linalg.generic

#id = affine_map<(d0) -> (d0)>
func.func @scale(%v: tensor<8xf32>) -> tensor<8xf32> {
  %r = call @helper(%v) : (tensor<8xf32>) -> tensor<8xf32>
  return %r : tensor<8xf32>
}

func.func private @helper(%v: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%v : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %m = arith.mulf %a, %two : f32
    linalg.yield %m : f32
  } -> tensor<8xf32>
  return %r : tensor<8xf32>
}
