#!/usr/bin/python3
"""SwiGLU FFN benchmark: xfmr against PyTorch, oneDNN, OpenBLAS and Halide.

    y = (silu(x . Wg^T) * (x . Wu^T)) . Wd^T      f32, x [T, D], Wg/Wu [F, D],
                                                  Wd [D, F] (nn.Linear layout)

One process measures the machine (f32 FMA peak, read bandwidth) and every
contender at every (D, F), T and thread count, checks each result against a
float64 numpy reference, and prints ms (median), GFLOP/s, % of the FMA peak
(T >= 16) or of the read bandwidth (T < 16), and xfmr-fused's speed-up over
each peer (peer ms / xfmr-fused ms; > 1: xfmr is faster).

    /usr/bin/python3 bench/ffn/run.py                       # everything
    /usr/bin/python3 bench/ffn/run.py --shapes small --tokens 1,16 \\
        --threads 1 --repeat 5                              # a quick look
    /usr/bin/python3 bench/ffn/run.py --markdown bench/ffn/results-latest.md

The C/C++ helpers (probes, OpenBLAS, oneDNN, Halide) are built into
bench/ffn/.build on first use; a peer whose library cannot be installed or
built is skipped with a message. See bench/ffn/README.md.
"""

import argparse
import ctypes
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "bench", "matmul"))

import xfmr_ctypes  # noqa: E402

SHAPES = {"small": (1024, 2816), "large": (4096, 14336)}
PEERS = ["openblas", "onednn", "halide", "torch"]
CONTENDERS = ["xfmr-unfused", "xfmr-fused"] + PEERS
RTOL = 1e-3


def log(*a):
    print(*a, flush=True)


# ---------------------------------------------------------------------------
# Building the C/C++ helpers
# ---------------------------------------------------------------------------

APT = {  # peer -> (Debian package, a file it installs)
    "openblas": ("libopenblas-dev", "/usr/include/x86_64-linux-gnu/cblas.h"),
    "onednn": ("libdnnl-dev", "/usr/include/oneapi/dnnl/dnnl.hpp"),
    "halide": ("libhalide14-0-dev", "/usr/include/halide14/Halide.h"),
    "torch": ("python3-torch", None),
}


def apt_install(package):
    log(f"  installing {package} with apt-get ...")
    r = subprocess.run(["apt-get", "install", "-y", "-q", package],
                       capture_output=True, text=True)
    if r.returncode != 0:
        log(f"  apt-get install {package} failed:\n" + r.stderr[-2000:])
    return r.returncode == 0


def ensure_package(peer):
    package, probe = APT[peer]
    if probe is None or os.path.exists(probe):
        return True
    if peer == "openblas" and os.path.exists("/usr/include/cblas.h"):
        return True
    return apt_install(package) and os.path.exists(probe)


class Builder:
    """Compiles helpers into the cache directory, keyed by a hash of the
    sources and the command, so that unchanged helpers are not rebuilt."""

    def __init__(self, cache):
        self.cache = cache
        os.makedirs(cache, exist_ok=True)
        self.cxx = "g++" if shutil.which("g++") else "clang++-22"
        self.cc = "gcc" if shutil.which("gcc") else "clang-22"

    def key(self, inputs, cmd):
        h = hashlib.sha1(" ".join(cmd).encode())
        for p in inputs:
            with open(p, "rb") as f:
                h.update(f.read())
        return h.hexdigest()[:12]

    def run(self, cmd):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("build failed: " + " ".join(cmd) + "\n" +
                               (r.stdout + r.stderr)[-3000:])
        return r.stdout

    def shared(self, name, sources, flags, libs, extra_inputs=(), c=False):
        """sources -> cache/name-<hash>.so"""
        cmd = [self.cc if c else self.cxx, "-O3", "-march=native", "-shared",
               "-fPIC"] + flags + sources + libs
        key = self.key(list(sources) + list(extra_inputs), cmd)
        out = os.path.join(self.cache, f"{name}-{key}.so")
        if not os.path.exists(out):
            log(f"  building {os.path.basename(out)}")
            self.run(cmd + ["-o", out + ".tmp"])
            os.replace(out + ".tmp", out)
        return out

    def halide(self):
        """AOT-compiles the Halide pipelines with halide_gen.cpp, then links
        them with the runtime and the wrapper."""
        gen_src = os.path.join(HERE, "halide_gen.cpp")
        inc = "/usr/include/halide14"
        gcmd = [self.cxx, "-O1", "-std=c++17", "-I" + inc, gen_src,
                "-lHalide14", "-lpthread", "-ldl"]
        gkey = self.key([gen_src], gcmd + [self.run_machine()])
        gdir = os.path.join(self.cache, "halide-" + gkey)
        if not os.path.exists(os.path.join(gdir, "done")):
            log(f"  building the Halide pipelines in {gdir}")
            os.makedirs(gdir, exist_ok=True)
            gen = os.path.join(gdir, "halide_gen")
            self.run(gcmd + ["-o", gen])
            log("  " + self.run([gen, gdir]).strip())
            open(os.path.join(gdir, "done"), "w").close()
        objs = [os.path.join(gdir, n) for n in
                ("ffn_halide_t8.o", "ffn_halide_t1.o", "halide_runtime.o")]
        return self.shared("halide_ffn", [os.path.join(HERE, "halide_ffn.cpp")]
                           + objs, ["-std=c++17", "-I" + inc, "-I" + gdir],
                           ["-lpthread", "-ldl"])

    @staticmethod
    def run_machine():
        # The generator targets the host: rebuild on another CPU.
        try:
            with open("/proc/cpuinfo") as f:
                m = re.search(r"model name\s*:\s*(.*)", f.read())
            return m.group(1) if m else ""
        except OSError:
            return ""


# ---------------------------------------------------------------------------
# Machine probes
# ---------------------------------------------------------------------------

def probe_machine(builder, threads):
    so = builder.shared("probes", [os.path.join(HERE, "probes.cpp")],
                        ["-std=c++17", "-pthread"], [])
    lib = ctypes.CDLL(so)
    lib.ffn_probe_fma_gflops.restype = ctypes.c_double
    lib.ffn_probe_fma_gflops.argtypes = [ctypes.c_int]
    lib.ffn_probe_read_gbs.restype = ctypes.c_double
    lib.ffn_probe_read_gbs.argtypes = [ctypes.c_int, ctypes.c_int]
    peak, bw = {}, {}
    for n in threads:
        peak[n] = lib.ffn_probe_fma_gflops(n)
        per_stream = {s: lib.ffn_probe_read_gbs(n, s) for s in (1, 4)}
        bw[n] = max(per_stream.values())
        log(f"  {n} thread(s): f32 FMA peak {peak[n]:.1f} GFLOP/s, read "
            f"bandwidth {bw[n]:.1f} GB/s (1 stream/thread "
            f"{per_stream[1]:.1f}, 4 streams/thread {per_stream[4]:.1f})")
    return peak, bw


# ---------------------------------------------------------------------------
# Contenders. Each has setup(weights) once per shape, then per (T, threads)
# start(T, threads, x) -> (call, output, note), then stop(); teardown() last.
# `call()` is the timed operation; `output()` makes one more call and returns
# its result.
# ---------------------------------------------------------------------------

VP = ctypes.c_void_p


class CPeer:
    """A helper library with the ffn_<p>_{set_threads,create,run,destroy}
    interface: create() (untimed) prepares the weights for one T and thread
    count, run() computes y into a preallocated array."""

    def __init__(self, name, so, prefix):
        import numpy as np

        self.np = np
        self.name = name
        lib = ctypes.CDLL(so)
        self.set_threads = getattr(lib, prefix + "_set_threads")
        self.set_threads.argtypes = [ctypes.c_int]
        self.set_threads.restype = ctypes.c_int
        self.create = getattr(lib, prefix + "_create")
        self.create.argtypes = [ctypes.c_int] * 3 + [VP] * 3
        self.create.restype = VP
        self.run = getattr(lib, prefix + "_run")
        self.run.argtypes = [VP, VP, VP]
        self.destroy = getattr(lib, prefix + "_destroy")
        self.destroy.argtypes = [VP]
        self.impl = getattr(lib, prefix + "_impl", None)
        if self.impl:
            self.impl.argtypes = [VP]
            self.impl.restype = ctypes.c_char_p
        self.handle = None

    def setup(self, wg, wu, wd):
        self.w = (wg, wu, wd)

    def start(self, t, threads, x):
        got = self.set_threads(threads)
        note = "" if got == threads else f"runs {got} thread(s)"
        wg, wu, wd = self.w
        f, d = wg.shape
        self.handle = self.create(t, d, f, wg.ctypes.data, wu.ctypes.data,
                                  wd.ctypes.data)
        if not self.handle:
            raise RuntimeError(self.name + ": create failed" + (
                " (needs D % 32 == 0 and F % 256 == 0)"
                if self.name == "halide" else ""))
        if self.impl:  # e.g. oneDNN's implementation names
            impls = self.impl(self.handle).decode().split("/")
            impl = impls[0] if len(set(impls)) == 1 else "/".join(impls)
            note = (note + "; " if note else "") + impl
        y = self.np.zeros((t, d), self.np.float32)
        xp, yp, h, run = x.ctypes.data, y.ctypes.data, self.handle, self.run

        def output():
            run(h, xp, yp)
            return y
        return (lambda: run(h, xp, yp)), output, note

    def stop(self):
        if self.handle:
            self.destroy(self.handle)
            self.handle = None

    def teardown(self):
        self.w = None


class Torch:
    """torch.nn.functional on the same (shared, not copied) arrays. Debian's
    PyTorch does its f32 matmuls in OpenBLAS, so the thread count is set both
    with torch.set_num_threads and openblas_set_num_threads."""

    name = "torch"

    def __init__(self, openblas_threads):
        import torch

        self.torch = torch
        self.openblas_threads = openblas_threads

    def setup(self, wg, wu, wd):
        t = self.torch
        self.w = tuple(t.from_numpy(a) for a in (wg, wu, wd))

    def start(self, t, threads, x):
        torch = self.torch
        torch.set_num_threads(threads)
        if self.openblas_threads:
            self.openblas_threads(threads)
        F = torch.nn.functional
        wg, wu, wd = self.w
        xt = torch.from_numpy(x)
        box = [None]

        def call():
            with torch.inference_mode():
                box[0] = F.linear(F.silu(F.linear(xt, wg)) * F.linear(xt, wu),
                                  wd)
        got = torch.get_num_threads()
        note = "" if got == threads else f"runs {got} thread(s)"
        def output():
            call()
            return box[0].numpy()
        return call, output, note

    def stop(self):
        pass

    def teardown(self):
        self.w = None


def ffn_module(d, f):
    return f"""func.func @f(%x: tensor<?x{d}xf32>, %wg: tensor<{f}x{d}xf32>,
    %wu: tensor<{f}x{d}xf32>, %wd: tensor<{d}x{f}xf32>) -> tensor<?x{d}xf32> {{
  %y = xfmr.gated_ffn <silu> %x, %wg, %wu, %wd
      : tensor<?x{d}xf32>, tensor<{f}x{d}xf32>, tensor<{f}x{d}xf32>,
        tensor<{d}x{f}xf32>
  return %y : tensor<?x{d}xf32>
}}
"""


def omp_runtime():
    """The LLVM OpenMP runtime loaded in this process (path), if any."""
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if re.search(r"/libomp(5)?\.so", path):
                return path
    return None


def entry_plan(manifest, name):
    """How to call entry `name` of a compiled module: (prepare, run,
    weight_indices, input_indices). When the manifest gives `name` a
    weight-preparation form ("prepared": {"prepare", "run", "weights",
    "inputs"}), `prepare` takes the weight arguments once and `run` takes
    the inputs followed by prepared buffers; otherwise prepare is None and
    `run` is the entry itself, taking all arguments."""
    entries = {e["name"]: e for e in (manifest or {}).get("entries", [])}
    entry = entries.get(name)
    p = entry.get("prepared") if entry else None
    if p and p.get("prepare") in entries and p.get("run") in entries:
        return (entries[p["prepare"]], entries[p["run"]], p["weights"],
                p["inputs"])
    n_args = len(entry["args"]) if entry else 4
    return None, entry or {"name": name}, [], list(range(n_args))


class Xfmr:
    """An xfmr-compiled shared library of the FFN, called through its C entry
    point with memref descriptors. If the module has a weight-preparation
    form, prepare runs once per shape (untimed) and the prepared entry is
    timed; otherwise the entry taking all weights is timed. A timed call
    includes freeing the returned buffer (the caller's part of the ABI)."""

    def __init__(self, name, options, bin_dir, workdir, use_prepare=True):
        import numpy as np

        self.use_prepare = use_prepare
        self.np = np
        self.name = name
        self.options = options
        self.bin_dir = bin_dir
        self.workdir = workdir
        self.lib = None
        self.libs = []  # keep every loaded module alive

    def setup(self, wg, wu, wd):
        np = self.np
        f, d = wg.shape
        so, symbol = xfmr_ctypes.compile_module(
            ffn_module(d, f), self.workdir, f"{self.name}-{d}x{f}",
            self.options, bin_dir=self.bin_dir)
        self.lib = ctypes.CDLL(so)
        self.libs.append(self.lib)
        self.omp = None
        omp = omp_runtime()
        if omp:
            self.omp = ctypes.CDLL(omp)
            self.omp.omp_get_max_threads.restype = ctypes.c_int
        man = xfmr_ctypes.manifest(self.lib)
        prepare, run, weights, inputs = entry_plan(
            man if self.use_prepare else None, "f")
        if symbol != "f":  # the xfmr-opt fallback path: no manifest
            run = {"name": symbol}
        self.fn = getattr(self.lib, run["name"])
        self.fn.restype = None
        self.out_type = xfmr_ctypes.descriptor_type(2)
        args = (wg, wu, wd)
        self.prepared_descs = []
        self.prepared = None
        self.how = "f"
        if prepare is not None:
            # f's arguments: x, wg, wu, wd -> weights by their index in f.
            all_args = [None, wg, wu, wd]
            keep = [np.ascontiguousarray(all_args[i]) for i in weights]
            descs = [xfmr_ctypes.descriptor(a) for a in keep]
            ranks = [len(r["shape"]) for r in prepare["results"]]
            fields = [(f"r{i}", xfmr_ctypes.descriptor_type(r))
                      for i, r in enumerate(ranks)]
            Out = type("PreparedOut", (ctypes.Structure,), {"_fields_": fields})
            pfn = getattr(self.lib, prepare["name"])
            pfn.restype = None
            if len(ranks) == 1:
                out = xfmr_ctypes.descriptor_type(ranks[0])()
                pfn(ctypes.byref(out), *[ctypes.byref(x) for x in descs])
                self.prepared_descs = [out]
            else:
                out = Out()
                pfn(ctypes.byref(out), *[ctypes.byref(x) for x in descs])
                self.prepared_descs = [getattr(out, n) for n, _ in fields]
            self.prepared = out
            self.how = f"{prepare['name']} once, then {run['name']}"
            self.n_inputs = len(inputs)
        else:
            self.weight_descs = [xfmr_ctypes.descriptor(a) for a in args]
            self.weights = args
        self.setup_note = self.how + (
            f"; threads from {os.path.realpath(omp)}" if omp
            else "; no OpenMP runtime: single-threaded")

    def start(self, t, threads, x):
        note = ""
        if self.omp is not None:
            self.omp.omp_set_num_threads(threads)
            got = self.omp.omp_get_max_threads()
            if got != threads:
                note = f"OpenMP gives {got} thread(s)"
        elif threads > 1:
            note = "single-threaded (module has no OpenMP runtime)"
        xd = xfmr_ctypes.descriptor(x)
        if self.prepared is not None:
            rest = self.prepared_descs
        else:
            rest = self.weight_descs
        refs = [ctypes.byref(xd)] + [ctypes.byref(r) for r in rest]
        out = self.out_type()
        fn, free = self.fn, xfmr_ctypes.Function.release
        box = [None]
        self._keep = (x, xd, refs)

        def call():
            fn(ctypes.byref(out), *refs)
            free(out)

        def output():
            fn(ctypes.byref(out), *refs)
            rows, cols = out.sizes[0], out.sizes[1]
            buf = (ctypes.c_float * (rows * cols)).from_address(
                out.aligned + 4 * out.offset)
            box[0] = self.np.ctypeslib.as_array(buf).reshape(rows, cols).copy()
            free(out)
            return box[0]
        if self.how != "f":
            note = (note + "; " if note else "") + "prepared weights"
        return call, output, note

    def stop(self):
        pass

    def teardown(self):
        for d in self.prepared_descs:
            xfmr_ctypes._libc.free(d.allocated)
        self.prepared_descs = []
        self.prepared = None


# ---------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------

def measure(call, repeat, budget):
    """Median ms of up to `repeat` timed calls after one warm-up call, fewer
    (at least 3) when the calls would take more than `budget` seconds."""
    t0 = time.perf_counter()
    call()
    first = time.perf_counter() - t0
    reps = max(3, min(repeat, int(budget / max(first, 1e-9))))
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3, reps


def fmt_ms(ms):
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 10 else \
        f"{ms:.3g}"


def fmt_ratio(v):
    return f"{v:.2f}" if v is not None else "-"


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--shapes", default="small,large",
                    help="small (D=1024, F=2816), large (D=4096, F=14336) "
                    "or DxF, comma-separated (default: small,large)")
    ap.add_argument("--tokens", default="1,16,128,512",
                    help="token counts T (default: 1,16,128,512)")
    ap.add_argument("--threads", default="1,2",
                    help="thread counts (default: 1,2)")
    ap.add_argument("--repeat", type=int, default=10,
                    help="timed calls per measurement (median; default 10)")
    ap.add_argument("--budget", type=float, default=3.0,
                    help="seconds of timed calls per measurement before "
                    "--repeat is cut down (to at least 3; default 3)")
    ap.add_argument("--contenders", default=",".join(CONTENDERS),
                    help="subset of " + ",".join(CONTENDERS))
    ap.add_argument("--xfmr-build", default=os.environ.get(
        "XFMR_BUILD_DIR", os.path.join(ROOT, "build")),
        help="xfmr build directory with bin/xfmr-compile (default: "
        "$XFMR_BUILD_DIR or build/)")
    ap.add_argument("--cache", default=os.path.join(HERE, ".build"),
                    help="build cache of the C/C++ helpers")
    ap.add_argument("--max-call", type=float, default=20.0,
                    help="seconds: a contender whose checked call takes "
                    "longer is timed by that one call, and its larger T "
                    "(same shape and threads) are skipped (default 20)")
    ap.add_argument("--no-prepare", action="store_true",
                    help="time xfmr's f with the weights as arguments even "
                    "if the module has a weight-preparation form")
    ap.add_argument("--markdown", metavar="PATH",
                    help="also write the result table as Markdown")
    args = ap.parse_args()

    shapes = []
    for s in args.shapes.split(","):
        s = s.strip()
        if s in SHAPES:
            shapes.append(SHAPES[s])
        else:
            d, f = s.lower().split("x")
            shapes.append((int(d), int(f)))
    tokens = sorted(int(t) for t in args.tokens.split(","))
    threads = [int(t) for t in args.threads.split(",")]
    wanted = [c.strip() for c in args.contenders.split(",")]
    for c in wanted:
        if c not in CONTENDERS:
            sys.exit(f"unknown contender {c}; known: {', '.join(CONTENDERS)}")

    # Fairness settings, before any BLAS or OpenMP runtime is loaded (numpy
    # loads OpenBLAS).
    coretype = os.environ.pop("OPENBLAS_CORETYPE", None)
    os.environ["OPENBLAS_NUM_THREADS"] = str(max(threads))
    os.environ["OMP_NUM_THREADS"] = str(max(threads))
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    import numpy as np

    log("== settings ==")
    log(f"  OPENBLAS_CORETYPE {'unset (was ' + coretype + ')' if coretype else 'unset'}; "
        f"OPENBLAS_NUM_THREADS/OMP_NUM_THREADS={max(threads)} at load, then "
        "set per row; OMP_WAIT_POLICY=PASSIVE")
    log(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    builder = Builder(args.cache)
    log("== machine probes ==")
    peak, bw = probe_machine(builder, threads)

    # Peers first (oneDNN and PyTorch bring libgomp), xfmr modules (libomp,
    # if they use OpenMP) last.
    contenders, skipped = {}, {}
    blas = None
    log("== contenders ==")
    for peer in PEERS:
        if peer not in wanted and not (peer == "openblas" and "torch" in wanted):
            continue
        try:
            if not ensure_package(peer):
                raise RuntimeError(f"package {APT[peer][0]} is not installed "
                                   "and apt-get could not install it")
            if peer == "openblas":
                so = builder.shared("openblas_ffn",
                                    [os.path.join(HERE, "openblas_ffn.c")],
                                    ["-ffast-math"], ["-lopenblas", "-lm"],
                                    c=True)
                p = CPeer("openblas", so, "ffn_openblas")
                blas = p.set_threads
                if peer in wanted:
                    contenders[peer] = p
            elif peer == "onednn":
                so = builder.shared("dnnl_ffn",
                                    [os.path.join(HERE, "dnnl_ffn.cpp")],
                                    ["-std=c++17"], ["-ldnnl", "-ldl"])
                contenders[peer] = CPeer("onednn", so, "ffn_dnnl")
            elif peer == "halide":
                contenders[peer] = CPeer("halide", builder.halide(),
                                         "ffn_halide")
            elif peer == "torch":
                try:
                    __import__("torch")
                except ImportError:
                    if not apt_install("python3-torch"):
                        raise
                contenders[peer] = Torch(blas)
        except Exception as e:  # noqa: BLE001 - any failure skips the peer
            skipped[peer] = str(e).strip().splitlines()[0][:300]
            log(f"  SKIPPING {peer}: {skipped[peer]}")
    bin_dir = os.path.join(args.xfmr_build, "bin")
    workdir = tempfile.mkdtemp(prefix="xfmr-ffn-bench-")
    for name, opts in (("xfmr-unfused", ""),
                       ("xfmr-fused", "fuse-gate-up=true")):
        if name in wanted:
            contenders[name] = Xfmr(name, opts, bin_dir, workdir,
                                    use_prepare=not args.no_prepare)
    order = [c for c in CONTENDERS if c in contenders]
    log("  running: " + ", ".join(order))

    rows = []  # dicts
    notes = {}
    too_slow = {}  # (contender, D, F, threads) -> (T, seconds of one call)
    rng = np.random.default_rng(0)
    tmax = max(tokens)
    for (d, f) in shapes:
        log(f"\n== D={d} F={f}: weights {3 * d * f * 4 / 1e6:.0f} MB ==")
        wg = (rng.standard_normal((f, d), np.float32) / np.sqrt(d)).astype(np.float32)
        wu = (rng.standard_normal((f, d), np.float32) / np.sqrt(d)).astype(np.float32)
        wd = (rng.standard_normal((d, f), np.float32) / np.sqrt(f)).astype(np.float32)
        xall = rng.standard_normal((tmax, d), np.float32).astype(np.float32)
        x64 = xall.astype(np.float64)
        g = x64 @ wg.T.astype(np.float64)
        u = x64 @ wu.T.astype(np.float64)
        ref = (g / (1.0 + np.exp(-g)) * u) @ wd.T.astype(np.float64)
        del g, u, x64
        active = []
        for name in order:
            c = contenders[name]
            try:
                t0 = time.perf_counter()
                c.setup(wg, wu, wd)
                how = getattr(c, "setup_note", None)
                log(f"  {name}: set up in {time.perf_counter() - t0:.1f} s"
                    + (f" ({how})" if how else ""))
                active.append(name)
            except Exception as e:  # noqa: BLE001
                if isinstance(e, subprocess.CalledProcessError):
                    why = (f"signal {-e.returncode}" if e.returncode < 0
                           else f"exit status {e.returncode}")
                    msg = [f"{os.path.basename(str(e.cmd[0]))} failed "
                           f"({why}) on the FFN module"]
                else:
                    msg = str(e).strip().splitlines()
                log(f"  SKIPPING {name} at D={d} F={f}: "
                    + (msg[-1] if msg else repr(e)))
                notes[(name, d, f)] = "set-up failed: " + (msg[-1] if msg else "")
        hdr = (f"{'contender':<13} {'T':>4} {'D':>5} {'F':>6} {'thr':>3} "
               f"{'ms':>9} {'GFLOP/s':>8} {'%peak':>9} {'max rel err':>11} "
               f"{'xf/peer':>7}  note")
        for n in threads:
            for t in tokens:
                log("\n" + hdr)
                x = np.ascontiguousarray(xall[:t])
                r = ref[:t]
                scale = np.max(np.abs(r))
                flop = 2.0 * 3 * t * d * f
                nbytes = 3.0 * d * f * 4 + 2.0 * t * d * 4
                group = []
                for name in active:
                    c = contenders[name]
                    row = dict(contender=name, T=t, D=d, F=f, threads=n,
                               ms=None, err=None, ok=False, note="")
                    slow_at = too_slow.get((name, d, f, n))
                    if slow_at:
                        row["note"] = (f"skipped: one call at T={slow_at[0]} "
                                       f"took {slow_at[1]:.0f} s "
                                       f"(> --max-call {args.max_call:g} s)")
                        group.append(row)
                        continue
                    try:
                        call, output, note = c.start(t, n, x)
                        row["note"] = note
                        t0 = time.perf_counter()
                        y = output()
                        first = time.perf_counter() - t0
                        y = np.asarray(y, dtype=np.float64)
                        if y.shape != r.shape:
                            raise RuntimeError(f"output shape {y.shape}")
                        row["err"] = float(np.max(np.abs(y - r)) / scale)
                        row["ok"] = bool(np.isfinite(row["err"]) and
                                         row["err"] <= RTOL)
                        if first > args.max_call:
                            # Too slow to repeat: the checked call is the
                            # measurement, and larger T are skipped.
                            row["ms"], row["reps"] = first * 1e3, 1
                            row["note"] = ((note + "; ") if note else "") + \
                                "one call (slow)"
                            too_slow[(name, d, f, n)] = (t, first)
                        else:
                            row["ms"], row["reps"] = measure(
                                call, args.repeat, args.budget)
                    except Exception as e:  # noqa: BLE001
                        msg = str(e).strip().splitlines()
                        row["note"] = "FAILED: " + (msg[-1] if msg else repr(e))
                    finally:
                        try:
                            c.stop()
                        except Exception:  # noqa: BLE001
                            pass
                    if row["ms"]:
                        row["gflops"] = flop / (row["ms"] * 1e-3) / 1e9
                        if t >= 16:
                            row["pct"] = 100 * row["gflops"] / peak[n]
                            row["pct_of"] = "FMA"
                            if row["pct"] > 105:
                                # Faster than the measured peak allows: the
                                # contender used more threads than asked
                                # (Halide's pool does not shrink back).
                                row["note"] = ((row["note"] + "; ")
                                               if row["note"] else "") + \
                                    "above the FMA peak of this thread count"
                        else:
                            gbs = nbytes / (row["ms"] * 1e-3) / 1e9
                            row["pct"] = 100 * gbs / bw[n]
                            row["pct_of"] = "BW"
                    group.append(row)
                fused = next((g_ for g_ in group if g_["contender"] ==
                              "xfmr-fused" and g_["ok"]), None)
                for row in group:
                    if fused and row["ok"] and row is not fused:
                        row["ratio"] = row["ms"] / fused["ms"]
                    log(line(row))
                    rows.append(row)
        for name in active:
            contenders[name].teardown()
        del wg, wu, wd, ref

    summary(rows, peak, bw, threads, order, skipped, notes, args)
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


def pct_text(row):
    if row.get("pct") is None:
        return "-"
    return f"{row['pct']:.0f}% {row['pct_of']}"


def status_text(row):
    if row["err"] is None:
        return "skipped" if row["note"].startswith("skipped") else "FAILED"
    return f"{row['err']:.1e}" + ("" if row["ok"] else " WRONG")


def line(row):
    ms = f"{row['ms']:9.3f}" if row["ms"] else f"{'-':>9}"
    if row["ms"] and not row["ok"]:
        ms = f"{'WRONG':>9}"  # a wrong result's time is not reported
    gf = f"{row['gflops']:8.1f}" if row.get("gflops") and row["ok"] else f"{'-':>8}"
    pct = pct_text(row) if row["ok"] else "-"
    return (f"{row['contender']:<13} {row['T']:>4} {row['D']:>5} "
            f"{row['F']:>6} {row['threads']:>3} {ms} {gf} {pct:>9} "
            f"{status_text(row):>11} {fmt_ratio(row.get('ratio')):>7}  "
            f"{row['note']}")


def summary(rows, peak, bw, threads, order, skipped, notes, args):
    out = []
    out.append("# SwiGLU FFN benchmark (f32)\n")
    out.append("`y = (silu(x·Wgᵀ) ⊙ (x·Wuᵀ))·Wdᵀ`, produced by "
               "`bench/ffn/run.py` in one run. ms: median of up to "
               f"{args.repeat} calls. %: of the FMA peak for T ≥ 16, of the "
               "read bandwidth for T < 16 (bytes = 3·D·F·4 of weights + x and "
               "y). xf/peer: peer ms / xfmr-fused ms (> 1: xfmr-fused is "
               "faster). Errors: max |y − ref| / max |ref| against float64 "
               f"numpy; above {RTOL:g} the result is marked WRONG and its "
               "time is not used.\n")
    out.append("Machine, measured in the same run: " + "; ".join(
        f"{n} thread(s): FMA peak {peak[n]:.0f} GFLOP/s, read "
        f"{bw[n]:.1f} GB/s" for n in threads) +
        f". Load average at the end: {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores.\n")
    load = os.getloadavg()[0]
    if load > 0.75 * os.cpu_count():
        out.append(f"**Warning**: load average {load:.1f} on "
                   f"{os.cpu_count()} cores: other processes shared the "
                   "cores, so the times and the probe figures are low by an "
                   "unknown factor (a % above 100 is possible). Run again "
                   "on an idle machine.\n")
    for peer, why in skipped.items():
        out.append(f"- **{peer} skipped**: {why}")
    for (name, d, f), why in notes.items():
        out.append(f"- **{name} at D={d} F={f}**: {why}")
    if skipped or notes:
        out.append("")
    # Compact table: one row per (shape, threads, T), one column per
    # contender: ms, and for peers (xf/peer), for xfmr the % of the limit.
    cells = {(r["D"], r["F"], r["threads"], r["T"], r["contender"]): r
             for r in rows}
    keys = sorted({(r["D"], r["F"], r["threads"], r["T"]) for r in rows})
    out.append("ms per call; in brackets, for xfmr the share of the machine "
               "limit, for peers xf/peer (peer ms / xfmr-fused ms).\n")
    out.append("| D×F | threads | T | " + " | ".join(order) + " |")
    out.append("|---|---:|---:|" + "---:|" * len(order))
    for (d, f, n, t) in keys:
        line_cells = []
        for name in order:
            r = cells.get((d, f, n, t, name))
            if r is None or not r["ms"]:
                line_cells.append("-")
            elif not r["ok"]:
                line_cells.append("WRONG")
            elif name.startswith("xfmr"):
                line_cells.append(f"{fmt_ms(r['ms'])} ({pct_text(r)})")
            else:
                line_cells.append(
                    f"{fmt_ms(r['ms'])} ({fmt_ratio(r.get('ratio'))})")
        out.append(f"| {d}×{f} | {n} | {t} | " + " | ".join(line_cells) + " |")
    out.append("\nAll rows:\n")
    out.append("| contender | T | D×F | threads | ms | GFLOP/s | % | "
               "max rel err | xf/peer | note |")
    out.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---|")
    rank = {c: i for i, c in enumerate(order)}
    for row in sorted(rows, key=lambda r: (r["D"], r["threads"], r["T"],
                                           rank.get(r["contender"], 99))):
        ok = row["ok"]
        ms = f"{row['ms']:.3f}" if row["ms"] and ok else (
            "WRONG" if row["ms"] else "-")
        gf = f"{row['gflops']:.1f}" if row.get("gflops") and ok else "-"
        name = row["contender"]
        if name == "xfmr-fused":
            name = "**xfmr-fused**"
        note = row["note"].replace("|", "/")
        out.append(f"| {name} | {row['T']} | {row['D']}×{row['F']} | "
                   f"{row['threads']} | {ms} | {gf} | "
                   f"{pct_text(row) if ok else '-'} | {status_text(row)} | "
                   f"{fmt_ratio(row.get('ratio'))} | {note} |")
    text = "\n".join(out) + "\n"
    log("\n" + text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
        log(f"wrote {args.markdown}")


if __name__ == "__main__":
    sys.exit(main())
