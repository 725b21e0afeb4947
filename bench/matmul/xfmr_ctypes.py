"""Compile a one-function MLIR module with the xfmr CPU pipeline into a shared
library and call it through its C entry point (memref descriptors), without
the xfmr runtime.

The library comes from `xfmr-compile --emit=shared -O3` (XFMR_COMPILE, else
the build's bin/, else PATH), whose entry point for @f is `f`; without
xfmr-compile, from `xfmr-opt --xfmr-cpu-pipeline`, mlir-translate and
`clang-22 -O3 -march=native`, whose entry point is `_mlir_ciface_f`. Both take
(result descriptor *, argument descriptor *...) and return a malloc-ed
result the caller frees."""

import ctypes
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def _tool(env, candidates):
    if os.environ.get(env):
        return os.environ[env]
    for c in candidates:
        if os.path.isabs(c):
            if os.access(c, os.X_OK):
                return c
        elif shutil.which(c):
            return shutil.which(c)
    raise RuntimeError("cannot find %s (set %s)" % (candidates[0], env))


def _build_tool(env, name, bin_dir=None):
    dirs = [bin_dir] if bin_dir else [os.path.join(ROOT, "build", "bin")]
    return _tool(env, [os.path.join(d, name) for d in dirs] + [name])


def tools(bin_dir=None):
    opt = _build_tool("XFMR_OPT", "xfmr-opt", bin_dir)
    translate = _tool("MLIR_TRANSLATE", ["mlir-translate-22",
                                         "/usr/lib/llvm-22/bin/mlir-translate",
                                         "mlir-translate"])
    clang = _tool("CLANG", ["clang-22", "clang"])
    return opt, translate, clang


def compile_module(mlir_text, workdir, name, pipeline_options="",
                   bin_dir=None):
    """MLIR text -> (shared library path, entry symbol of @f's C ABI).
    The tools come from `bin_dir` if given, else from the build/ directory
    of the repository (or the XFMR_COMPILE / XFMR_OPT variables, or PATH)."""
    src = os.path.join(workdir, name + ".mlir")
    so = os.path.join(workdir, name + ".so")
    with open(src, "w") as f:
        f.write(mlir_text)
    try:
        compiler = _build_tool("XFMR_COMPILE", "xfmr-compile", bin_dir)
    except RuntimeError:
        compiler = None
    if compiler:
        cmd = [compiler, src, "-o", so, "--emit=shared", "-O3"]
        if pipeline_options:
            cmd.append("--pipeline-options=" + pipeline_options)
        subprocess.run(cmd, check=True)
        return so, "f"
    opt, translate, clang = tools(bin_dir)
    pipe = "--xfmr-cpu-pipeline"
    if pipeline_options:
        pipe += "=" + pipeline_options
    llvm = subprocess.run([opt, src, pipe], check=True, capture_output=True,
                          text=True).stdout
    ll = os.path.join(workdir, name + ".ll")
    ir = subprocess.run([translate, "--mlir-to-llvmir"], input=llvm,
                        check=True, capture_output=True, text=True).stdout
    with open(ll, "w") as f:
        f.write(ir)
    subprocess.run([clang, "-shared", "-fPIC", "-O3", "-march=native", ll,
                    "-o", so, "-Wno-override-module"], check=True)
    return so, "_mlir_ciface_f"


def manifest(lib):
    """The parsed `xfmr_manifest` JSON of a loaded library (ctypes.CDLL), or
    None when the library has none (the xfmr-opt fallback path)."""
    import json

    try:
        text = ctypes.c_char.in_dll(lib, "xfmr_manifest")
    except ValueError:
        return None
    return json.loads(ctypes.string_at(ctypes.addressof(text)).decode())


def descriptor_type(rank):
    """The ctypes Structure of a rank-`rank` memref descriptor."""
    return _descriptor_type(rank)


def _descriptor_type(rank):
    fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
              ("offset", ctypes.c_int64)]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank),
                   ("strides", ctypes.c_int64 * rank)]
    return type("Memref%dD" % rank, (ctypes.Structure,), {"_fields_": fields})


def descriptor(array):
    """A memref descriptor viewing a C-contiguous numpy array (kept alive by
    the caller)."""
    assert array.flags["C_CONTIGUOUS"]
    d = _descriptor_type(array.ndim)()
    d.allocated = d.aligned = array.ctypes.data
    d.offset = 0
    for i in range(array.ndim):
        d.sizes[i] = array.shape[i]
        d.strides[i] = array.strides[i] // array.itemsize
    return d


_libc = ctypes.CDLL(None)
_libc.free.argtypes = [ctypes.c_void_p]


class Function:
    """`fn(*arrays) -> array`: one result of rank `out_rank` and dtype
    `out_dtype`, owned (and freed) by the caller."""

    def __init__(self, so, symbol, out_rank, out_dtype="float32"):
        import numpy as np

        self.lib = ctypes.CDLL(so)
        self.fn = getattr(self.lib, symbol)
        self.fn.restype = None
        self.out_type = _descriptor_type(out_rank)
        self.out_dtype = np.dtype(out_dtype)

    def raw(self, *descs):
        """Calls with prepared descriptors; returns the result descriptor
        (free it with `release`)."""
        out = self.out_type()
        self.fn(ctypes.byref(out), *[ctypes.byref(d) for d in descs])
        return out

    @staticmethod
    def release(out):
        _libc.free(out.allocated)

    def __call__(self, *arrays):
        import numpy as np

        arrays = [np.ascontiguousarray(a) for a in arrays]
        out = self.raw(*[descriptor(a) for a in arrays])
        rank = len(out.sizes) if hasattr(out, "sizes") else 0
        shape = tuple(out.sizes[i] for i in range(rank))
        strides = tuple(out.strides[i] * self.out_dtype.itemsize
                        for i in range(rank))
        n = int(np.prod(shape)) if shape else 1
        base = out.aligned + out.offset * self.out_dtype.itemsize
        if n == 0:
            result = np.zeros(shape, self.out_dtype)
        else:
            extent = sum((s - 1) * st for s, st in zip(shape, strides))
            buf = (ctypes.c_char * (extent + self.out_dtype.itemsize)
                   ).from_address(base)
            result = np.ndarray(shape, self.out_dtype, buf, 0,
                                strides).copy()
        self.release(out)
        return result
