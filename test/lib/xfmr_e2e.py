"""End-to-end harness: run xfmr IR through xfmr-run and compare with numpy.

A test builds MLIR text, hands it named numpy inputs and float64 reference
outputs (from xfmr_reference), and the harness

  * writes the module and every input as .npy into a temporary directory,
  * runs `xfmr-run MODULE --function=F --input=@a.npy ... --output=@y.npy`,
    either on the .mlir itself (JIT) or on a shared library that
    `xfmr-compile --emit=shared -O3` produced once (dynamic token dims: one
    library, many token counts, and a check that it was not rebuilt),
  * loads the outputs and compares them elementwise
    (|got - want| <= atol + rtol·|want|, numpy's allclose rule),
  * prints one line per result, e.g.
        linear T=1 K=64 N=128 dyn: max_abs_err=3.1e-07 max_rel_err=2.0e-06 OK
    and, on a mismatch, the worst element's index with both values.

Failures are collected; `Harness.finish()` prints a summary and exits
non-zero if anything failed, so a lit test is simply a script ending in
`sys.exit(h.finish())`.

Tools are found through XFMR_RUN / XFMR_COMPILE / XFMR_OPT, else PATH (the
e2e lit.local.cfg prepends the build's bin directory).

XFMR_E2E_TARGET=cuda runs every module on the GPU instead: xfmr-compile and
xfmr-run get --target=cuda, and of the pipeline options a test passes only
those the GPU pipeline has are kept (the CPU's kernel and thread options
select nothing there, so such a run checks the GPU code again). With
XFMR_E2E_IR_ONLY=1 nothing is executed: every module is only parsed and
verified with xfmr-opt and the references are computed, which checks the
tests themselves before the lowering exists. XFMR_E2E_KEEP=1 keeps the
temporary directory for inspection.
"""

import hashlib
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

# Default tolerances per storage type: (rtol, atol). f16 results are rounded
# to 11 significant bits on the way out (2^-11 ≈ 4.9e-4 relative), so their
# tolerance is a few of those ulps. Tests state their own when they differ.
DEFAULT_TOL = {
    np.dtype(np.float32): (1e-4, 1e-5),
    np.dtype(np.float16): (4e-3, 4e-3),
}

_MLIR_ELEM = {
    np.dtype(np.float32): "f32",
    np.dtype(np.float16): "f16",
    np.dtype(np.float64): "f64",
    np.dtype(np.int32): "i32",
    np.dtype(np.int64): "i64",
}


class ToolError(RuntimeError):
    """A tool could not be found or exited with an error."""


def find_tool(name):
    """Path of `xfmr-run` / `xfmr-compile` / `xfmr-opt`: env XFMR_RUN etc.,
    else PATH. Returns None when not found."""
    env = "XFMR_" + name.split("-", 1)[1].upper()
    path = os.environ.get(env)
    if path:
        return path if os.access(path, os.X_OK) else None
    return shutil.which(name)


def _run(cmd):
    """subprocess.run that turns a missing or unrunnable tool into a
    ToolError."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        raise ToolError("cannot run %s: %s" % (cmd[0], e))


def target():
    """"cpu" (default) or "cuda", from XFMR_E2E_TARGET."""
    t = os.environ.get("XFMR_E2E_TARGET", "") or "cpu"
    if t not in ("cpu", "cuda"):
        raise ToolError("XFMR_E2E_TARGET=%s: expected cpu or cuda" % t)
    return t


# Options of the CPU pipeline that the GPU pipeline also has.
_GPU_PIPELINE_OPTIONS = ("fuse-gate-up", "moe-all-experts")


def _for_target(run_args):
    """The xfmr-compile / xfmr-run flags for the selected target: on the
    GPU, --target=cuda comes first, CPU-only flags are dropped and pipeline
    options narrowed to the GPU's."""
    if target() != "cuda":
        return list(run_args)
    out = ["--target=cuda"]
    for a in run_args:
        if a.startswith("--threads="):
            continue
        if a.startswith("--pipeline-options="):
            kept = [o for o in a.split("=", 1)[1].split()
                    if o.split("=")[0] in _GPU_PIPELINE_OPTIONS]
            if kept:
                out.append("--pipeline-options=" + " ".join(kept))
            continue
        out.append(a)
    return out


def ir_only():
    return os.environ.get("XFMR_E2E_IR_ONLY", "") not in ("", "0")


# ----------------------------------------------------------------------------
# Building IR text
# ----------------------------------------------------------------------------


def elem(dtype):
    """MLIR element type of a numpy dtype."""
    return _MLIR_ELEM[np.dtype(dtype)]


def ttype(shape, dtype=np.float32, dyn=()):
    """`tensor<...>` for `shape`, with the axes in `dyn` written as `?`.
    Negative axes count from the back."""
    dims = []
    rank = len(shape)
    dyn = {a % rank for a in dyn} if rank else set()
    for i, s in enumerate(shape):
        dims.append("?" if i in dyn else str(int(s)))
    return "tensor<" + "".join(d + "x" for d in dims) + elem(dtype) + ">"


def mlir_float(v):
    """A float literal MLIR parses: `1e-05` becomes `1.0e-05`."""
    s = repr(float(v))
    if "e" in s and "." not in s.split("e")[0]:
        m, e = s.split("e")
        s = m + ".0e" + e
    return s


def func_text(name, args, results, body):
    """One public function.

    args: [(arg_name, type_string)], results: [type_string],
    body: the ops (one per line) ending with a `return ...` line.
    """
    sig = ", ".join("%%%s: %s" % (n, t) for n, t in args)
    res = ", ".join(results)
    if len(results) != 1:
        res = "(" + res + ")"
    lines = ["    " + line.strip() for line in body.strip().splitlines()
             if line.strip()]
    return ("  func.func @%s(%s) -> %s {\n%s\n  }\n"
            % (name, sig, res, "\n".join(lines)))


def module_text(*funcs):
    """A module holding the given func_text()s."""
    return "module {\n" + "".join(funcs) + "}\n"


def func_module(name, args, results, body):
    """A module with one public function (see func_text)."""
    return module_text(func_text(name, args, results, body))


# ----------------------------------------------------------------------------
# Random data
# ----------------------------------------------------------------------------


def rng(seed):
    return np.random.default_rng(seed)


def randn(g, shape, scale=1.0, dtype=np.float32):
    """Normal(0, scale²) samples stored as `dtype`."""
    return (g.standard_normal(shape) * scale).astype(dtype)


def weight(g, shape, dtype=np.float32):
    """A weight whose last axis is fan-in, scaled by 1/sqrt(fan_in) so that
    projections of O(1) inputs stay O(1)."""
    return randn(g, shape, 1.0 / math.sqrt(shape[-1]), dtype)


# ----------------------------------------------------------------------------
# Comparison
# ----------------------------------------------------------------------------


class Result:
    """The outcome of one comparison: ok, the printed line, and the error
    figures (None for exact comparisons)."""

    def __init__(self, ok, line, max_abs=None, max_rel=None, detail=""):
        self.ok = ok
        self.line = line
        self.max_abs = max_abs
        self.max_rel = max_rel
        self.detail = detail


def compare(label, got, want, rtol, atol, dtype=None, exact=False):
    """Compares one result with its reference and returns a Result whose
    line says max_abs_err, max_rel_err and OK/FAIL (with the worst element).

    max_rel_err is max |got - want| / |want| over the elements where the
    relative part of the tolerance dominates (|want| >= atol/rtol); near
    zero, max_abs_err is the meaningful figure. The pass rule is
    numpy's allclose: |got - want| <= atol + rtol·|want| everywhere, and a
    NaN or Inf in `got` fails unless the reference has the same value there.
    """
    got = np.asarray(got)
    want = np.asarray(want)
    problems = []
    if dtype is not None and got.dtype != np.dtype(dtype):
        problems.append("dtype %s, expected %s" % (got.dtype, np.dtype(dtype)))
    if got.shape != want.shape:
        return Result(False, "%s: shape %s, expected %s FAIL"
                      % (label, got.shape, want.shape))
    if got.size == 0:
        ok = not problems
        status = "OK" if ok else "FAIL (" + "; ".join(problems) + ")"
        return Result(ok, "%s: empty result %s" % (label, status))
    if exact:
        neq = got != want
        if np.any(neq):
            idx = tuple(int(i) for i in np.argwhere(neq)[0])
            problems.append("%d of %d elements differ; first at %s: got %s, "
                            "expected %s" % (int(np.sum(neq)), got.size, idx,
                                             got[idx], want[idx]))
        status = "OK" if not problems else "FAIL (" + "; ".join(problems) + ")"
        return Result(not problems, "%s: exact match %s" % (label, status))

    g = got.astype(np.float64)
    w = want.astype(np.float64)
    finite_mismatch = (~np.isfinite(g) | ~np.isfinite(w)) & ~(
        (g == w) | (np.isnan(g) & np.isnan(w)))
    both = np.isfinite(g) & np.isfinite(w)
    diff = np.where(both, np.abs(g - w), 0.0)
    max_abs = float(np.max(diff))
    # Relative error where the relative tolerance governs (|want| >=
    # atol/rtol); near zero the absolute error is the meaningful figure.
    aw = np.abs(np.where(both, w, 0.0))
    governed = both & (aw * rtol >= atol) & (aw > 0)
    if np.any(governed):
        max_rel = float(np.max(diff[governed] / aw[governed]))
    else:
        max_rel = float(np.max(diff / np.maximum(aw, 1e-30)))
    # How far each element is past its allowance; the worst one is reported.
    excess = np.where(both, diff / (atol + rtol * aw + 1e-300), 0.0)
    excess = np.where(finite_mismatch, np.inf, excess)
    bad = excess > 1.0
    if np.any(bad):
        flat = int(np.argmax(excess))
        idx = np.unravel_index(flat, got.shape)
        idx = tuple(int(i) for i in idx)
        problems.append("%d of %d elements out of tolerance; worst at %s: "
                        "got %.9g, expected %.9g (|diff| %.3g > %.3g)"
                        % (int(np.sum(bad)), got.size, idx, g[idx], w[idx],
                           abs(g[idx] - w[idx]) if both[idx] else math.inf,
                           atol + rtol * abs(w[idx]) if both[idx] else 0.0))
    status = "OK" if not problems else "FAIL (" + "; ".join(problems) + ")"
    line = ("%s: max_abs_err=%.2e max_rel_err=%.2e (rtol=%g atol=%g) %s"
            % (label, max_abs, max_rel, rtol, atol, status))
    return Result(not problems, line, max_abs, max_rel, "; ".join(problems))


# ----------------------------------------------------------------------------
# Modules and tool invocations
# ----------------------------------------------------------------------------


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _tail(text, n=2000):
    text = text.strip()
    return text if len(text) <= n else "..." + text[-n:]


class Module:
    """One MLIR module on disk, runnable through the JIT or, once compiled,
    as a shared library."""

    def __init__(self, harness, name, text, compile_args=()):
        self.h = harness
        self.name = name
        self.text = text
        self.compile_args = tuple(compile_args)
        self.path = os.path.join(harness.workdir, name + ".mlir")
        with open(self.path, "w") as f:
            f.write(text)
        self.so_path = None
        self.so_digest = None
        self.so_mtime = None
        self.compile_count = 0

    def verify(self):
        """Parses and verifies the module with xfmr-opt."""
        opt = find_tool("xfmr-opt")
        if opt is None:
            raise ToolError("xfmr-opt not found (set XFMR_OPT or PATH)")
        p = _run([opt, self.path, "-o", os.devnull])
        if p.returncode != 0:
            raise ToolError("xfmr-opt rejected %s:\n%s\n--- module ---\n%s"
                            % (self.path, _tail(p.stderr), self.text))

    def compile(self, opt_level="-O3"):
        """Compiles to a shared library once; later calls reuse it."""
        if self.so_path is not None:
            return self.so_path
        tool = find_tool("xfmr-compile")
        if tool is None:
            raise ToolError("xfmr-compile not found "
                            "(set XFMR_COMPILE or PATH)")
        so = os.path.join(self.h.workdir, self.name + ".so")
        cmd = [tool, self.path, "-o", so, "--emit=shared", opt_level]
        # (_for_target narrows the pipeline options to the target's and
        # starts with --target=cuda on the GPU.)
        cmd += _for_target(self.compile_args)
        p = _run(cmd)
        self.compile_count += 1
        if p.returncode != 0 or not os.path.exists(so):
            raise ToolError("%s failed (exit %d):\n%s"
                            % (" ".join(cmd), p.returncode,
                               _tail(p.stderr + p.stdout)))
        self.so_path = so
        self.so_digest = _sha256(so)
        self.so_mtime = os.stat(so).st_mtime_ns
        return so

    def check_not_rebuilt(self):
        """The library is byte-identical and untouched since compile()."""
        if self.so_path is None:
            return
        if (os.stat(self.so_path).st_mtime_ns != self.so_mtime
                or _sha256(self.so_path) != self.so_digest
                or self.compile_count != 1):
            raise ToolError("%s changed after it was compiled" % self.so_path)


class Harness:
    def __init__(self, title=None):
        self.title = title
        self.failures = []
        self.passed = 0
        self.counter = 0
        self.workdir = tempfile.mkdtemp(prefix="xfmr-e2e-")
        self.keep = os.environ.get("XFMR_E2E_KEEP", "") not in ("", "0")
        self.ir_only = ir_only()
        self.max_abs_seen = 0.0
        if title:
            print("== %s%s" % (title, " (on the GPU)"
                               if target() == "cuda" else ""))
        if self.ir_only:
            print("(XFMR_E2E_IR_ONLY: modules are parsed with xfmr-opt, "
                  "nothing is executed)")

    # -- modules -------------------------------------------------------------

    def module(self, text, name=None, compile_args=()):
        """compile_args: extra xfmr-compile flags for the shared library
        (e.g. --pipeline-options=...)."""
        self.counter += 1
        if name is None:
            name = "m%d" % self.counter
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        name = "%03d_%s" % (self.counter, name)
        return Module(self, name, text, compile_args)

    # -- running -------------------------------------------------------------

    def _write_inputs(self, tag, inputs):
        paths = []
        for i, a in enumerate(inputs):
            p = os.path.join(self.workdir, "%s.in%d.npy" % (tag, i))
            np.save(p, np.ascontiguousarray(a))
            paths.append(p)
        return paths

    def run(self, module, func, inputs, num_outputs, via="jit",
            benchmark=None, run_args=()):
        """Runs @func of `module` on `inputs` and returns (outputs, stdout).

        via="jit" hands the .mlir to xfmr-run; via="so" compiles the module
        once with xfmr-compile and hands xfmr-run the library. `run_args`
        are extra xfmr-run flags (e.g. --pipeline-options=... for the JIT)."""
        tool = find_tool("xfmr-run")
        if tool is None:
            raise ToolError("xfmr-run not found (set XFMR_RUN or PATH)")
        target = module.path if via == "jit" else module.compile()
        self.counter += 1
        tag = "%s.r%d" % (module.name, self.counter)
        in_paths = self._write_inputs(tag, inputs)
        out_paths = [os.path.join(self.workdir, "%s.out%d.npy" % (tag, i))
                     for i in range(num_outputs)]
        cmd = [tool, target, "--function=" + func]
        cmd += ["--input=@" + p for p in in_paths]
        cmd += ["--output=@" + p for p in out_paths]
        if benchmark:
            cmd.append("--benchmark=%d" % benchmark)
        cmd += _for_target(run_args)
        p = _run(cmd)
        if p.returncode != 0:
            raise ToolError("xfmr-run failed (exit %d): %s\n%s"
                            % (p.returncode, " ".join(cmd),
                               _tail(p.stderr + p.stdout)))
        outs = []
        for op in out_paths:
            if not os.path.exists(op):
                raise ToolError("xfmr-run wrote no %s: %s"
                                % (op, " ".join(cmd)))
            outs.append(np.load(op))
        return outs, p.stdout + p.stderr

    # -- checking ------------------------------------------------------------

    def _record(self, res):
        print(res.line, flush=True)
        if res.ok:
            self.passed += 1
        else:
            self.failures.append(res.line)

    def fail(self, label, message):
        line = "%s: FAIL %s" % (label, message)
        print(line, flush=True)
        self.failures.append(line.splitlines()[0])

    def check(self, label, got, want, rtol=None, atol=None, dtype=None,
              exact=False):
        want = np.asarray(want)
        dt = np.dtype(dtype) if dtype is not None else np.asarray(got).dtype
        d_rtol, d_atol = DEFAULT_TOL.get(dt, (1e-4, 1e-5))
        rtol = d_rtol if rtol is None else rtol
        atol = d_atol if atol is None else atol
        res = compare(label, got, want, rtol, atol, dtype, exact)
        if res.ok and not exact and np.asarray(got).size:
            g = np.asarray(got, dtype=np.float64)
            w = want.astype(np.float64)
            fin = np.isfinite(g) & np.isfinite(w)
            if np.any(fin):
                self.max_abs_seen = max(self.max_abs_seen,
                                        float(np.max(np.abs(g - w)[fin])))
        self._record(res)
        return res.ok

    def case(self, label, module, func, inputs, expected, rtol=None,
             atol=None, via="jit", exact=None, dtypes=None, run_args=()):
        """Runs one function and compares every result.

        expected: list of reference arrays (one per result);
        exact: list of bools (integer results compare exactly);
        dtypes: list of expected result dtypes (default f32 for float
        references, i32 for integer ones)."""
        n = len(expected)
        exact = exact or [np.issubdtype(np.asarray(e).dtype, np.integer)
                          for e in expected]
        if dtypes is None:
            dtypes = [np.int32 if ex else np.float32 for ex in exact]
        try:
            if self.ir_only:
                module.verify()
                print("%s: IR verified, not run" % label, flush=True)
                self.passed += 1
                return True
            if find_tool("xfmr-opt") is not None:
                module.verify()
            outs, _ = self.run(module, func, inputs, n, via=via,
                               run_args=run_args)
        except ToolError as e:
            self.fail(label, str(e))
            return False
        ok = True
        for i, (got, want) in enumerate(zip(outs, expected)):
            sub = label if n == 1 else "%s [result %d]" % (label, i)
            ok &= self.check(sub, got, want, rtol, atol, dtypes[i], exact[i])
        return ok

    def sweep(self, label, module, func, cases, rtol=None, atol=None,
              exact=None, dtypes=None, run_args=()):
        """Dynamic shapes: compiles `module` ONCE to a shared library and
        runs it for every (suffix, inputs, expected) in `cases`, then checks
        that the library was neither rebuilt nor modified. `run_args` are
        extra xfmr-run flags (e.g. --prepare-weights=false)."""
        if not self.ir_only:
            try:
                if find_tool("xfmr-opt") is not None:
                    module.verify()
                so = module.compile()
                print("%s: compiled once -> %s (sha256 %s)"
                      % (label, os.path.basename(so), module.so_digest[:16]),
                      flush=True)
            except ToolError as e:
                self.fail(label, str(e))
                return False
        ok = True
        for suffix, inputs, expected in cases:
            ok &= self.case("%s %s" % (label, suffix), module, func, inputs,
                            expected, rtol, atol, via="so", exact=exact,
                            dtypes=dtypes, run_args=run_args)
        if not self.ir_only:
            try:
                module.check_not_rebuilt()
                print("%s: one library served all %d shapes, not rebuilt"
                      % (label, len(cases)), flush=True)
            except ToolError as e:
                self.fail(label, str(e))
                ok = False
        return ok

    # -- the end -------------------------------------------------------------

    def cleanup(self):
        """Removes the temporary directory (kept with XFMR_E2E_KEEP=1)."""
        if not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)
        else:
            print("kept %s" % self.workdir)

    def finish(self):
        """Cleans up, prints a summary; returns the exit status."""
        self.cleanup()
        if self.failures:
            print("%d passed, %d FAILED:" % (self.passed, len(self.failures)))
            for f in self.failures:
                print("  " + f)
            return 1
        print("all %d checks passed (max_abs_err seen %.2e)"
              % (self.passed, self.max_abs_seen))
        return 0


# ----------------------------------------------------------------------------
# Benchmark output of xfmr-run
# ----------------------------------------------------------------------------

_UNIT_MS = {"ns": 1e-6, "us": 1e-3, "\u00b5s": 1e-3, "ms": 1.0, "s": 1e3}


def parse_benchmark(text):
    """(min_ms, median_ms) from `xfmr-run --benchmark=N` output, or None.

    Accepts `min 1.23 ms`, `min=1.23ms`, `min: 1230 us` and the like."""
    found = {}
    for key in ("min", "median"):
        m = re.search(r"\b%s\b\s*[:=]?\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
                      r"\s*(ns|us|\u00b5s|ms|s)\b" % key, text)
        if m:
            found[key] = float(m.group(1)) * _UNIT_MS[m.group(2)]
    if "min" in found and "median" in found:
        return found["min"], found["median"]
    return None
