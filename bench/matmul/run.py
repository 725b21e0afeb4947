#!/usr/bin/env python3
"""Matmul benchmark: xfmr's vectorized and scalar CPU code against OpenBLAS.

C[M, N] = A[M, K] . W[N, K]^T (an `xfmr.linear` with the weight in nn.Linear
layout, the token count M dynamic), on one thread. One run measures the
machine's f32 FMA peak, OpenBLAS sgemm and the xfmr libraries, and prints ms,
GFLOP/s, % of peak and the speed-up over OpenBLAS per M:

    python3 bench/matmul/run.py                      # M = 1,16,128,512, N=2816, K=1024
    python3 bench/matmul/run.py --m 1,64 --n 4096 --k 4096 --no-scalar

Needs: the build's xfmr-compile (XFMR_COMPILE, or build/
under the repository; else xfmr-opt, mlir-translate and clang-22 are used),
clang++-22 and libopenblas-dev.
OPENBLAS_CORETYPE is removed from the environment (it may force AVX2
kernels) and OPENBLAS_NUM_THREADS is set to 1.
"""

import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from xfmr_ctypes import compile_module  # noqa: E402


def linear_module(n, k):
    return """func.func @f(%x: tensor<?x{k}xf32>, %w: tensor<{n}x{k}xf32>)
    -> tensor<?x{n}xf32> {{
  %y = xfmr.linear %x, %w : tensor<?x{k}xf32>, tensor<{n}x{k}xf32>
  return %y : tensor<?x{n}xf32>
}}
""".format(n=n, k=k)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--m", default="1,16,128,512", help="token counts M")
    ap.add_argument("--n", type=int, default=2816)
    ap.add_argument("--k", type=int, default=1024)
    ap.add_argument("--no-scalar", action="store_true",
                    help="skip the scalar (vectorize=false) pipeline")
    ap.add_argument("--variant", action="append", default=[],
                    metavar="NAME=OPTIONS",
                    help="an extra xfmr library compiled with these "
                    "xfmr-cpu-pipeline options")
    ap.add_argument("--keep", action="store_true",
                    help="keep the build directory")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="xfmr-matmul-bench-")
    driver = os.path.join(work, "matmul_bench")
    subprocess.run(["clang++-22", "-O2", "-march=native", "-std=c++17",
                    os.path.join(HERE, "matmul_bench.cpp"), "-o", driver,
                    "-lopenblas", "-ldl"], check=True)

    text = linear_module(args.n, args.k)
    variants = [("xfmr-vectorized", "")]
    if not args.no_scalar:
        variants.append(("xfmr-scalar", "vectorize=false"))
    for v in args.variant:
        name, _, opts = v.partition("=")
        variants.append((name, opts))
    libs = []
    for name, opts in variants:
        so, symbol = compile_module(text, work, name, opts)
        libs.append("%s=%s:%s" % (name, so, symbol))

    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env["OPENBLAS_NUM_THREADS"] = "1"
    env["OMP_NUM_THREADS"] = "1"
    load = os.getloadavg()[0]
    rc = subprocess.run([driver, str(args.n), str(args.k), args.m] + libs,
                        env=env).returncode
    load = max(load, os.getloadavg()[0])
    if load > 1.5:
        # Other processes shared the cores: the peak and every time above
        # are low by an unknown factor, % of peak may even exceed 100.
        print("\nwarning: load average %.1f during the run on %d cores; "
              "run again on an idle machine" % (load, os.cpu_count()))
    if args.keep:
        print("build directory:", work)
    else:
        subprocess.run(["rm", "-rf", work])
    return rc


if __name__ == "__main__":
    sys.exit(main())
