"""Runs a function of gpu.launch kernels in the emulator and checks one of
its buffers against a float64 numpy reference given by the test.

The kernels run in test/lib/gpu_launch_emulator.py, whose block scheduler
knows warps: threads 32w .. 32w + 31 of a block form warp w, and a
gpu.shuffle is a synchronisation point of the warp at which its lanes
exchange values (modes xor, down, up, idx; lanes outside the shuffle's
segment of `width` lanes, or past the block, give back their own value
with valid = false). Besides its other checks (out-of-bounds accesses,
shared-memory races, divergent barriers) it fails when some lanes of a warp
reach a shuffle that others do not (they finished, or wait at a barrier or
at a different shuffle).

Usage: gpu_kernel_check.py IR --func NAME --arg NAME:TYPE=EXPR ...
           --out NAME --ref EXPR --sizes S=V,S=V [S=V,... ...]
Each --arg is a function argument, in order: TYPE is f32, f16, bf16 (kept
as float32 numbers rounded to bf16: the emulator reads values, not bits),
f64 or i32, EXPR a numpy expression over the size names and `rand(*shape)`
(uniform in [-1, 1)), `randn(*shape)`, `zeros(*shape)`, `full(shape, v)`.
--ref is a numpy expression over the arguments (as float64 arrays, before
the call) and `np`; it is compared with argument --out after the call at
rtol/atol (defaults by the output's type: f32 1e-4/1e-5, f16 and bf16
1e-2/1e-2, f64 1e-10/1e-12; NaN must match NaN). Prints one line per size
set: "ok" or "WRONG", the sizes and the max error.
"""
import argparse
import sys

import numpy as np

import gpu_launch_emulator as emulator

TYPES = {"f32": np.float32, "f16": np.float16, "bf16": np.float32,
         "f64": np.float64, "i32": np.int32}
TOLERANCES = {"f32": (1e-4, 1e-5), "f16": (1e-2, 1e-2), "bf16": (1e-2, 1e-2),
              "f64": (1e-10, 1e-12), "i32": (0, 0)}


def to_bf16(a):
    flat = np.asarray(a, np.float32).ravel()
    rounded = [emulator.round_to("bf16", float(v)) for v in flat]
    return np.array(rounded, np.float32).reshape(np.shape(a))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ir")
    parser.add_argument("--func", required=True)
    parser.add_argument("--arg", action="append", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--ref", required=True)
    parser.add_argument("--sizes", nargs="+", default=[""])
    parser.add_argument("--rtol", type=float)
    parser.add_argument("--atol", type=float)
    args = parser.parse_args()
    with open(args.ir) as f:
        module = emulator.parse(f.read())
    rng = np.random.default_rng(0)
    helpers = {"rand": lambda *s: rng.uniform(-1, 1, s),
               "randn": lambda *s: rng.standard_normal(s),
               "zeros": lambda *s: np.zeros(s),
               "full": lambda s, v: np.full(s, v),
               "np": np}
    failed = False
    for sizes in args.sizes:
        names = dict(helpers)
        for item in filter(None, sizes.split(",")):
            key, value = item.split("=")
            names[key] = int(value)
        arrays, types, order = {}, {}, []
        for spec in args.arg:
            name, rest = spec.split(":", 1)
            type_, expr = rest.split("=", 1)
            value = np.asarray(eval(expr, names), TYPES[type_])
            if type_ == "bf16":
                value = to_bf16(value)
            arrays[name], types[name] = value, type_
            order.append(name)
        inputs = {k: v.astype(np.float64) for k, v in arrays.items()}
        reference = np.asarray(eval(args.ref, dict(inputs, np=np)), np.float64)
        emulator.run_function(module, args.func, [arrays[n] for n in order])
        result = arrays[args.out].astype(np.float64)
        rtol, atol = TOLERANCES[types[args.out]]
        rtol = args.rtol if args.rtol is not None else rtol
        atol = args.atol if args.atol is not None else atol
        nan_ok = np.isnan(result) == np.isnan(reference)
        both = ~np.isnan(result) & ~np.isnan(reference)
        with np.errstate(all="ignore"):
            diff = np.where(both, np.abs(result - reference), 0)
            same_inf = np.where(both, result == reference, True)
        bound = atol + rtol * np.abs(np.where(both, reference, 0))
        ok = (result.shape == reference.shape and nan_ok.all() and
              ((diff <= bound) | same_inf).all())
        error = np.where(same_inf, 0, diff).max(initial=0)
        failed |= not ok
        print(("ok" if ok else "WRONG") +
              f" @{args.func} {sizes or 'static'}: max error {error:.3g}",
              flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
