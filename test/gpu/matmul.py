# Runs the GPU target's tiled matmul kernels on the GPU and compares them
# with a float64 reference: xfmr.linear (B[n][k]) and linalg.matmul
# accumulating into an argument (B[k][n]), f32, f16 and bf16 storage,
# M in {1, 7, 64, 129, 512} (dynamic), N and K in {64, 96, 1000, 4096}.
#
# The module is compiled with --emit=shared (the kernel runtime linked in)
# and called by Inputs/check-matmul.cpp, which prints one PASS/FAIL line
# per case. Standalone: python3 test/gpu/matmul.py --xfmr-compile
# build/bin/xfmr-compile [--build-only] [--gpu-arch sm_90] [--m 1 7 ...].
#
# REQUIRES: cuda-device
# RUN: %python %s --xfmr-compile xfmr-compile --cc %cc --work-dir %t \
# RUN:   | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: 0 of {{[0-9]+}} cases wrong

import argparse
import os
import subprocess
import sys

SIZES = [64, 96, 1000, 4096]
TYPES = {"f32": "F32", "f16": "F16", "bf16": "BF16"}


def cases():
    """(name, kind, type, N, K, MLIR function) for every case."""
    out = []
    for t in TYPES:
        for n in SIZES:
            for k in SIZES:
                name = f"linear_{t}_{n}x{k}"
                out.append((name, "Linear", t, n, k, f"""
func.func @{name}(%x: tensor<?x{k}x{t}>, %w: tensor<{n}x{k}x{t}>) -> tensor<?x{n}x{t}> {{
  %y = xfmr.linear %x, %w : tensor<?x{k}x{t}>, tensor<{n}x{k}x{t}>
  return %y : tensor<?x{n}x{t}>
}}"""))
    for t, n, k in [("f32", 1000, 96), ("f16", 96, 1000), ("bf16", 64, 4096)]:
        name = f"linear_bias_{t}_{n}x{k}"
        out.append((name, "LinearBias", t, n, k, f"""
func.func @{name}(%x: tensor<?x{k}x{t}>, %w: tensor<{n}x{k}x{t}>, %b: tensor<{n}x{t}>) -> tensor<?x{n}x{t}> {{
  %y = xfmr.linear %x, %w, %b : tensor<?x{k}x{t}>, tensor<{n}x{k}x{t}>, tensor<{n}x{t}>
  return %y : tensor<?x{n}x{t}>
}}"""))
    for t, n, k in [("f32", 96, 1000), ("f16", 1000, 64), ("bf16", 64, 96)]:
        name = f"matmul_acc_{t}_{n}x{k}"
        out.append((name, "Accumulate", t, n, k, f"""
func.func @{name}(%a: tensor<?x{k}x{t}>, %b: tensor<{k}x{n}x{t}>, %c: tensor<?x{n}x{t}>) -> tensor<?x{n}x{t}> {{
  %y = linalg.matmul ins(%a, %b : tensor<?x{k}x{t}>, tensor<{k}x{n}x{t}>) outs(%c : tensor<?x{n}x{t}>) -> tensor<?x{n}x{t}>
  return %y : tensor<?x{n}x{t}>
}}"""))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--xfmr-compile", default="xfmr-compile")
    parser.add_argument("--cc", default="clang-22")
    parser.add_argument("--gpu-arch", default="sm_90")
    parser.add_argument("--work-dir", default="check-matmul.d")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--m", type=int, nargs="*", default=[])
    args = parser.parse_args()

    os.makedirs(args.work_dir, exist_ok=True)
    work = lambda name: os.path.join(args.work_dir, name)
    all_cases = cases()
    with open(work("matmul.mlir"), "w") as f:
        f.write("\n".join(c[5] for c in all_cases) + "\n")
    with open(work("cases.inc"), "w") as f:
        f.write("static const Case kCases[] = {\n")
        for name, kind, t, n, k, _ in all_cases:
            f.write(f'  {{"{name}", Kind::{kind}, Storage::{TYPES[t]}, {n}, '
                    f"{k}}},\n")
        f.write("};\n")

    def run(cmd):
        print("+", " ".join(cmd), file=sys.stderr, flush=True)
        subprocess.run(cmd, check=True)

    run([args.xfmr_compile, work("matmul.mlir"), "--target=cuda",
         "--emit=shared", f"--gpu-arch={args.gpu_arch}", "-o",
         work("matmul.so")])
    cxx = args.cc.replace("clang-", "clang++-") if "clang-" in args.cc else "clang++"
    run([cxx, "-O2", os.path.join(here, "Inputs", "check-matmul.cpp"),
         "-I", args.work_dir, "-ldl", "-o", work("check-matmul")])
    if args.build_only:
        print(work("check-matmul"))
        return 0
    return subprocess.run([work("check-matmul"), work("matmul.so")] +
                          [str(m) for m in args.m]).returncode


if __name__ == "__main__":
    sys.exit(main())
