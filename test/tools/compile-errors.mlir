// xfmr-compile's error paths: each exits non-zero with a clear message.

// RUN: not xfmr-compile %s --target=tpu 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: xfmr-compile: error: unknown --target 'tpu' (expected cpu or cuda)
// RUN: not xfmr-compile %s --emit=exe 2>&1 | FileCheck %s --check-prefix=EMIT
// EMIT: xfmr-compile: error: unknown --emit 'exe' (expected linalg, mlir, llvm, asm, obj or shared)
// RUN: not xfmr-compile %s --emit=obj --mcpu=pentium9 -o %t.o 2>&1 | FileCheck %s --check-prefix=MCPU
// MCPU: xfmr-compile: error: unknown CPU 'pentium9' for x86_64{{.*}} (llc -mcpu=help lists the known ones)
// RUN: not xfmr-compile %s -O4 2>&1 | FileCheck %s --check-prefix=OPT
// OPT: xfmr-compile: error: -O4 is not an optimisation level (use -O0 to -O3)
// RUN: not xfmr-compile %s --emit=shared 2>&1 | FileCheck %s --check-prefix=STDOUT
// STDOUT: xfmr-compile: error: --emit=shared writes a file: name it with -o FILE.so
// RUN: not xfmr-compile %s.missing -o %t.so 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: xfmr-compile: error: cannot open input file '{{.*}}compile-errors.mlir.missing': No such file or directory
// RUN: not xfmr-compile %s --pipeline-options="frobnicate=1" -o %t.so 2>&1 | FileCheck %s --check-prefix=PIPE
// PIPE: xfmr-compile: error: invalid --pipeline-options 'frobnicate=1'
// RUN: not xfmr-compile %s --frobnicate 2>&1 | FileCheck %s --check-prefix=FLAG
// FLAG: Unknown command line argument '--frobnicate'
// RUN: not xfmr-compile %s --emit=llvm -o %t.dir/no/such/dir/out.ll 2>&1 | FileCheck %s --check-prefix=OUT
// OUT: xfmr-compile: error: cannot open output file '{{.*}}out.ll': No such file or directory

// Linking: a missing or failing linker is reported, with its output.
// RUN: not xfmr-compile %s --emit=shared -o %t.so --linker=%t.dir/nolinker 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NOLINKER
// NOLINKER: xfmr-compile: error: the linker '{{.*}}nolinker' is not an executable (set it with --linker or XFMR_CLANG)
// RUN: env XFMR_CLANG=no-such-linker-anywhere not xfmr-compile %s --emit=shared -o %t.so 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NOTFOUND
// NOTFOUND: xfmr-compile: error: cannot find the linker 'no-such-linker-anywhere' (set it with --linker or XFMR_CLANG)
// RUN: not xfmr-compile %s --emit=shared -o %t.so --linker=ld.lld 2>&1 \
// RUN:   | FileCheck %s --check-prefix=LINKFAIL
// LINKFAIL: xfmr-compile: error: linking '{{.*}}.so' with '{{.*}}ld.lld' failed (exit code 1):
// LINKFAIL-NEXT: ld.lld: error: {{.+}}

func.func @ok(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
