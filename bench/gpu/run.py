#!/usr/bin/env python3
"""GPU benchmark: xfmr's CUDA kernels against PyTorch (cuBLAS) on one GPU.

    linear:  y = x . W^T                                 W [N, K]
    swiglu:  y = (silu(x . Wg^T) * (x . Wu^T)) . Wd^T    Wg/Wu [F, D], Wd [D, F]

f32 everywhere; PyTorch runs with TF32 off, so both sides do f32 FMA work.
For each shape the module is compiled once (xfmr-compile --target=cuda
--emit=shared), run through `xfmr-run --target=cuda --benchmark=N` with
XFMR_CUDA_PROFILE=1, and its output is checked against a float64 reference.
Reported per call:

  * xfmr kernels: the summed device time of the module's kernels (driver
    events around each launch), comparable with PyTorch's time;
  * xfmr call: the wall time of the whole entry point, which also copies
    every argument (weights included) into device memory and the result
    back, as the C entry points take host memory;
  * xfmr resident: the wall time of the entry point called through its C
    ABI (ctypes) with every argument already in device memory (PyTorch
    tensors), which the entry point reads in place: launches, the host
    orchestration and the copy of the result back to host memory;
  * torch: CUDA-event time of the same computation on tensors already on
    the device (median of --repeat runs after warm-up);
  * ratio = torch ms / xfmr kernel ms (> 1: xfmr is faster).

Run on a machine with a GPU and PyTorch, with xfmr-compile and xfmr-run on
PATH (scripts/gpu-bundle.sh makes self-contained ones):
    python3 bench/gpu/run.py [--tokens 1,16,128,512] [--shapes small,large]
"""

import argparse
import ctypes
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

SHAPES = {"small": (1024, 2816), "large": (4096, 14336)}


def module_text(kind, d, f):
    x = "tensor<?x%dxf32>" % d
    if kind == "linear":
        return ("func.func @f(%%x: %s, %%w: tensor<%dx%dxf32>) -> "
                "tensor<?x%dxf32> {\n"
                "  %%y = xfmr.linear %%x, %%w : %s, tensor<%dx%dxf32>\n"
                "  return %%y : tensor<?x%dxf32>\n}\n"
                % (x, f, d, f, x, f, d, f))
    return ("func.func @f(%%x: %s, %%wg: tensor<%dx%dxf32>, "
            "%%wu: tensor<%dx%dxf32>, %%wd: tensor<%dx%dxf32>) -> %s {\n"
            "  %%y = xfmr.gated_ffn <silu> %%x, %%wg, %%wu, %%wd : %s, "
            "tensor<%dx%dxf32>, tensor<%dx%dxf32>, tensor<%dx%dxf32>\n"
            "  return %%y : %s\n}\n"
            % (x, f, d, f, d, d, f, x, x, f, d, f, d, d, f, x))


def reference(kind, x, ws):
    x = x.astype(np.float64)
    if kind == "linear":
        return x @ ws[0].astype(np.float64).T
    g = x @ ws[0].astype(np.float64).T
    u = x @ ws[1].astype(np.float64).T
    return (g / (1 + np.exp(-g)) * u) @ ws[2].astype(np.float64).T


def torch_time(kind, x, ws, repeat):
    import torch
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    tx = torch.from_numpy(x).cuda()
    tw = [torch.from_numpy(w).cuda() for w in ws]
    F = torch.nn.functional

    def step():
        if kind == "linear":
            return F.linear(tx, tw[0])
        return F.linear(F.silu(F.linear(tx, tw[0])) * F.linear(tx, tw[1]),
                        tw[2])
    for _ in range(3):
        step()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeat):
        a = torch.cuda.Event(enable_timing=True)
        b = torch.cuda.Event(enable_timing=True)
        a.record()
        step()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b))
    return float(np.median(times))


class Descriptor2D(ctypes.Structure):
    """A rank-2 memref descriptor, the C entry points' tensor type."""
    _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * 2),
                ("strides", ctypes.c_int64 * 2)]


def resident_time(so, x, ws, repeat):
    """Median wall time of @f called through its C entry point with device
    tensors as arguments; also returns its result."""
    import ctypes
    import time
    import torch
    lib = ctypes.CDLL(so)
    libc = ctypes.CDLL(None)
    take_error = lib.xfmr_cuda_take_error
    take_error.restype = ctypes.c_char_p
    tensors = [torch.from_numpy(a).cuda() for a in [x] + ws]
    descs = []
    for t in tensors:
        d = Descriptor2D()
        d.allocated = d.aligned = t.data_ptr()
        d.offset = 0
        d.sizes[0], d.sizes[1] = t.shape
        d.strides[0], d.strides[1] = t.stride()
        descs.append(d)
    out = Descriptor2D()
    args = [ctypes.byref(out)] + [ctypes.byref(d) for d in descs]

    def call():
        lib.f(*args)
        err = take_error()
        if err:
            raise RuntimeError(err.decode())
    call()
    n, m = out.sizes[0], out.sizes[1]
    y = np.ctypeslib.as_array(ctypes.cast(out.aligned, ctypes.POINTER(
        ctypes.c_float)), shape=(n, m)).copy()
    libc.free(ctypes.c_void_p(out.allocated))
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
        libc.free(ctypes.c_void_p(out.allocated))
    return float(np.median(times)) * 1e3, y


def xfmr_time(kind, d, f, x, ws, calls, workdir):
    src = os.path.join(workdir, "%s_%d_%d.mlir" % (kind, d, f))
    so = src[:-5] + ".so"
    if not os.path.exists(so):
        with open(src, "w") as fh:
            fh.write(module_text(kind, d, f))
        subprocess.run(["xfmr-compile", src, "--target=cuda", "--emit=shared",
                        "-O3", "-o", so], check=True)
    paths = []
    for i, a in enumerate([x] + ws):
        p = os.path.join(workdir, "in%d.npy" % i)
        np.save(p, a)
        paths.append(p)
    out = os.path.join(workdir, "out.npy")
    env = dict(os.environ, XFMR_CUDA_PROFILE="1")
    p = subprocess.run(["xfmr-run", so, "--target=cuda", "--function=f",
                        "--benchmark=%d" % calls, "--output=@" + out]
                       + ["--input=@" + q for q in paths],
                       env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-2000:])
    total = re.search(r"xfmr-cuda-profile: \d+ kernels, ([0-9.]+) ms",
                      p.stderr)
    median = re.search(r"median ([0-9.]+) (us|ms|s)", p.stdout)
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[median.group(2)]
    # xfmr-run makes one call, then `calls` timed ones.
    kernels = float(total.group(1)) / (calls + 1)
    return kernels, float(median.group(1)) * scale, np.load(out), p.stderr, so


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tokens", default="1,16,128,512")
    ap.add_argument("--shapes", default="small,large")
    ap.add_argument("--kinds", default="linear,swiglu")
    ap.add_argument("--calls", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--profile-lines", action="store_true",
                    help="print the per-kernel profile of each run")
    args = ap.parse_args()
    g = np.random.default_rng(0)
    workdir = tempfile.mkdtemp(prefix="xfmr-gpu-bench-")
    rows = []
    print("%-7s %5s %5s %5s %11s %11s %11s %9s %9s %9s %9s" % (
        "kind", "D", "F/N", "T", "kernels ms", "call ms", "resident ms",
        "torch ms", "TFLOP/s", "ratio", "max err"))
    for kind in args.kinds.split(","):
        for shape in args.shapes.split(","):
            d, f = SHAPES[shape]
            ws = ([(g.standard_normal((f, d)) / np.sqrt(d)).astype(np.float32)]
                  if kind == "linear" else
                  [(g.standard_normal((f, d)) / np.sqrt(d)).astype(np.float32),
                   (g.standard_normal((f, d)) / np.sqrt(d)).astype(np.float32),
                   (g.standard_normal((d, f)) / np.sqrt(f)).astype(np.float32)])
            for t in [int(v) for v in args.tokens.split(",")]:
                x = g.standard_normal((t, d)).astype(np.float32)
                kern, call, y, log, so = xfmr_time(kind, d, f, x, ws,
                                                   args.calls, workdir)
                resident, y2 = resident_time(so, x, ws, args.calls)
                want = reference(kind, x, ws)
                err = float(max(np.max(np.abs(y - want)),
                                np.max(np.abs(y2 - want))))
                ok = (np.allclose(y, want, rtol=1e-4, atol=1e-4)
                      and np.allclose(y2, want, rtol=1e-4, atol=1e-4))
                tt = torch_time(kind, x, ws, args.repeat)
                flops = 2.0 * t * d * f * (1 if kind == "linear" else 3)
                print("%-7s %5d %5d %5d %11.4f %11.3f %11.3f %9.4f %9.2f "
                      "%9.3f %9.1e%s" % (kind, d, f, t, kern, call, resident,
                                         tt,
                                   flops / kern / 1e9, tt / kern, err,
                                   "" if ok else "  WRONG"), flush=True)
                if args.profile_lines:
                    print("\n".join("    " + line for line in log.splitlines()
                                    if "xfmr-cuda-profile" in line))
                rows.append(ok)
    print("%d shapes, %d correct (f32 rtol 1e-4, atol 1e-4 vs float64)"
          % (len(rows), sum(rows)))
    return 0 if all(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
