#!/usr/bin/env python3
"""Mixture-of-experts benchmark: xfmr's dispatch lowering, with and without
fuse-gate-up (the expert FFNs as one [2F, D] projection per expert over
stacked weights packed once by f_prepare, the gating in the kernel's
epilogue), against its naive all-experts lowering, a dense gated FFN with
the same active FLOPs, and PyTorch running the Hugging Face (Mixtral-style)
loop over experts. Every xfmr function runs with prepared weights
(xfmr-run calls f_prepare once, then times f_prepared).

In one run, for E=8 top-2 (F=2816) and E=64 top-6 (F=1408), D=1024,
T in {1, 16, 128, 512}, 1 and 2 threads, it prints milliseconds per call
(median of --reps timed calls after a warm-up) and the ratios

  base/fused  speed-up over the MoE layer compiled by --baseline-bin-dir
              (e.g. the build before the expert weights were packed once)
  moe/fused   speed-up of the fused expert FFNs over the unfused ones (both
              with the expert weights packed once)
  fused/dense fused xfmr MoE over a dense fused gated FFN of width top_k*F
              (equal active FLOPs): the cost of routing, sorting and
              combining
  naive/fused speed-up of the dispatch lowering over evaluating all experts
  torch/fused speed-up over PyTorch's Hugging Face-style expert loop

xfmr code runs on OMP_NUM_THREADS threads (libomp) and PyTorch on
torch.set_num_threads, both set per row.
Peers run fairly: OPENBLAS_CORETYPE unset, OMP/OPENBLAS thread counts and
OMP_WAIT_POLICY=PASSIVE set to match.

    bench/moe/bench_moe.py --bin-dir build/bin            # the full table
    bench/moe/bench_moe.py --bin-dir build/bin --quick    # E=8 only, T<=128
    bench/moe/bench_moe.py --bin-dir build/bin --baseline-bin-dir OLD/bin
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

CONFIGS = [  # (E, top_k, D, F)
    (8, 2, 1024, 2816),
    (64, 6, 1024, 1408),
]
TOKENS = [1, 16, 128, 512]


def moe_ir(e, k, d, f):
    return f"""func.func @moe(%x: tensor<?x{d}xf32>, %r: tensor<{e}x{d}xf32>,
    %wg: tensor<{e}x{f}x{d}xf32>, %wu: tensor<{e}x{f}x{d}xf32>,
    %wd: tensor<{e}x{d}x{f}xf32>) -> tensor<?x{d}xf32> {{
  %y = xfmr.moe <silu> %x, %r, %wg, %wu, %wd {{top_k = {k} : i64}}
      : tensor<?x{d}xf32>, tensor<{e}x{d}xf32>, tensor<{e}x{f}x{d}xf32>,
        tensor<{e}x{f}x{d}xf32>, tensor<{e}x{d}x{f}xf32>
  return %y : tensor<?x{d}xf32>
}}
"""


def dense_ir(d, f):
    return f"""func.func @dense(%x: tensor<?x{d}xf32>, %wg: tensor<{f}x{d}xf32>,
    %wu: tensor<{f}x{d}xf32>, %wd: tensor<{d}x{f}xf32>) -> tensor<?x{d}xf32> {{
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd
      : tensor<?x{d}xf32>, tensor<{f}x{d}xf32>, tensor<{f}x{d}xf32>,
        tensor<{d}x{f}xf32>
  return %y : tensor<?x{d}xf32>
}}
"""


def tool(bin_dir, name):
    return os.path.join(bin_dir, name) if bin_dir else name


def compile_so(args, work, name, ir, pipeline_options=None, bin_dir=None):
    src = os.path.join(work, name + ".mlir")
    out = os.path.join(work, name + ".so")
    with open(src, "w") as fh:
        fh.write(ir)
    cmd = [tool(bin_dir or args.bin_dir, "xfmr-compile"), src,
           "--emit=shared", "-O3",
           "-o", out]
    if pipeline_options:
        cmd.append("--pipeline-options=" + pipeline_options)
    subprocess.run(cmd, check=True)
    return out


BENCH_RE = re.compile(r"median ([0-9.]+) (us|ms|s)\b")


def run_xfmr(args, so, function, inputs, reps, bin_dir=None):
    cmd = [tool(bin_dir or args.bin_dir, "xfmr-run"), so,
           "--function=" + function,
           "--benchmark=%d" % reps, "--output=@" + os.devnull]
    cmd += ["--input=@" + p for p in inputs]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    m = BENCH_RE.search(out.stdout + out.stderr)
    if not m:
        sys.exit("cannot read the timing from xfmr-run:\n" + out.stdout +
                 out.stderr)
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
    return float(m.group(1)) * scale


def torch_hf_moe(torch, x, r, wg, wu, wd, k, reps):
    """The Hugging Face MixtralSparseMoeBlock forward, expert loop and all."""
    e = r.shape[0]
    x, r = torch.from_numpy(x), torch.from_numpy(r)
    wg, wu, wd = (torch.from_numpy(a) for a in (wg, wu, wd))
    f = torch.nn.functional

    def forward():
        logits = f.linear(x, r)
        weights = f.softmax(logits, dim=1, dtype=torch.float)
        weights, selected = torch.topk(weights, k, dim=-1)
        weights = weights / weights.sum(dim=-1, keepdim=True)
        out = torch.zeros_like(x)
        mask = f.one_hot(selected, num_classes=e).permute(2, 1, 0)
        for ex in range(e):
            idx, top_x = torch.where(mask[ex])
            if top_x.numel() == 0:
                continue
            cur = x[top_x]
            h = f.silu(f.linear(cur, wg[ex])) * f.linear(cur, wu[ex])
            h = f.linear(h, wd[ex]) * weights[top_x, idx, None]
            out.index_add_(0, top_x, h)
        return out

    with torch.no_grad():
        forward()
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            forward()
            times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--bin-dir", default=os.environ.get("XFMR_BIN_DIR"))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--baseline-bin-dir",
                    help="also time the MoE layer compiled by another build "
                    "(e.g. before a change), in the same run: column 'base'")
    ap.add_argument("--no-naive", action="store_true",
                    help="skip the all-experts lowering (slow at large T)")
    args = ap.parse_args()

    os.environ.pop("OPENBLAS_CORETYPE", None)
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch not available: its column is left out")

    configs = CONFIGS[:1] if args.quick else CONFIGS
    tokens = [t for t in TOKENS if not args.quick or t <= 128]
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as work:
        for (e, k, d, f) in configs:
            print(f"\n== E={e} top_k={k} D={d} F={f} "
                  f"(dense equivalent: F={k * f}) ==")
            r = (rng.standard_normal((e, d)) / np.sqrt(d)).astype(np.float32)
            wg = (rng.standard_normal((e, f, d)) / np.sqrt(d)).astype(np.float32)
            wu = (rng.standard_normal((e, f, d)) / np.sqrt(d)).astype(np.float32)
            wd = (rng.standard_normal((e, d, f)) / np.sqrt(f)).astype(np.float32)
            # The dense FFN with the same active FLOPs: the first k experts
            # side by side.
            dg = wg[:k].reshape(k * f, d)
            du = wu[:k].reshape(k * f, d)
            dd = np.concatenate(list(wd[:k]), axis=1)
            paths = {}
            for name, arr in dict(r=r, wg=wg, wu=wu, wd=wd, dg=dg, du=du,
                                  dd=dd).items():
                paths[name] = os.path.join(work, name + ".npy")
                np.save(paths[name], np.ascontiguousarray(arr))
            moe_so = compile_so(args, work, f"moe{e}", moe_ir(e, k, d, f))
            fused_so = compile_so(args, work, f"fused{e}", moe_ir(e, k, d, f),
                                  "fuse-gate-up=true")
            base_so = None if not args.baseline_bin_dir else compile_so(
                args, work, f"base{e}", moe_ir(e, k, d, f), None,
                args.baseline_bin_dir)
            naive_so = None if args.no_naive else compile_so(
                args, work, f"naive{e}", moe_ir(e, k, d, f),
                "moe-all-experts=true")
            dense_so = compile_so(args, work, f"dense{e}", dense_ir(d, k * f),
                                  "fuse-gate-up=true")

            header = (f"{'thr':>3} {'T':>4} {'base':>10} {'xfmr moe':>10} "
                      f"{'moe fused':>10} {'dense eq':>10} {'naive':>10} "
                      f"{'torch HF':>10} | {'base/fused':>10} "
                      f"{'moe/fused':>9} {'fused/dense':>11} "
                      f"{'naive/fused':>11} {'torch/fused':>11}")
            print(header)
            print("-" * len(header))
            for t in tokens:
                x = rng.standard_normal((t, d)).astype(np.float32)
                xp = os.path.join(work, "x.npy")
                np.save(xp, x)
                moe_in = [xp, paths["r"], paths["wg"], paths["wu"],
                          paths["wd"]]
                for threads in (1, 2):
                    os.environ["OMP_NUM_THREADS"] = str(threads)
                    base_ms = None
                    if base_so:
                        base_ms = run_xfmr(args, base_so, "moe", moe_in,
                                           args.reps, args.baseline_bin_dir)
                    moe_ms = run_xfmr(args, moe_so, "moe", moe_in, args.reps)
                    fused_ms = run_xfmr(args, fused_so, "moe", moe_in,
                                        args.reps)
                    dense_ms = run_xfmr(args, dense_so, "dense",
                                        [xp, paths["dg"], paths["du"],
                                         paths["dd"]], args.reps)
                    naive_ms = None
                    if naive_so:
                        naive_ms = run_xfmr(args, naive_so, "moe", moe_in,
                                            max(1, args.reps // 2))
                    torch_ms = None
                    if torch is not None:
                        torch.set_num_threads(threads)
                        torch_ms = torch_hf_moe(torch, x, r, wg, wu, wd, k,
                                                args.reps)

                    def fmt(v):
                        return f"{v:10.3f}" if v is not None else f"{'-':>10}"

                    def ratio(a, b, w=9):
                        return (f"{a / b:{w}.2f}" if a is not None and
                                b is not None else f"{'-':>{w}}")
                    print(f"{threads:>3} {t:>4} {fmt(base_ms)} {fmt(moe_ms)} "
                          f"{fmt(fused_ms)} {fmt(dense_ms)} {fmt(naive_ms)} "
                          f"{fmt(torch_ms)} | {ratio(base_ms, fused_ms, 10)} "
                          f"{ratio(moe_ms, fused_ms)} "
                          f"{ratio(fused_ms, dense_ms, 11)} "
                          f"{ratio(naive_ms, fused_ms, 11)} "
                          f"{ratio(torch_ms, fused_ms, 11)}", flush=True)


if __name__ == "__main__":
    main()
