"""Runs a bufferized attention function holding the flash-attention kernel
of xfmr-gpu-flash-attention in the CPU emulator (gpu_launch_emulator.py) on
random inputs and compares it with the float64 reference of
xfmr_reference.attention, printing the max error.

Usage: attention_emulator.py IR --func NAME [--causal] [--scale S]
           [--mask none|random|rows] --dtype f32|f16
           --shapes B,Hq,Hkv,Tq,Tk,Dh,Dv [...]
B = 0 gives the rank-3 form. The function takes q, k, v (and the mask)
and returns the result. --mask rows: random, with every third query row
fully masked (-inf), and -inf at a quarter of the other entries.
"""
import argparse

import numpy as np

import gpu_launch_emulator as emulator
import xfmr_reference as reference


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ir")
    parser.add_argument("--func", required=True)
    parser.add_argument("--causal", action="store_true")
    parser.add_argument("--scale", type=float)
    parser.add_argument("--mask", choices=["none", "random", "rows"],
                        default="none")
    parser.add_argument("--dtype", choices=["f32", "f16"], required=True)
    parser.add_argument("--shapes", nargs="+", required=True)
    args = parser.parse_args()
    # 0 / 0 of rows without a visible key is computed and then discarded
    # by a select, as on the GPU.
    np.seterr(divide="ignore", invalid="ignore")
    with open(args.ir) as f:
        module = emulator.parse(f.read())
    funcs = [op for op in module.regions[0].ops if op.name == "func.func"
             and f'sym_name = "{args.func}"' in op.props]
    dtype = {"f32": np.float32, "f16": np.float16}[args.dtype]
    rng = np.random.default_rng(0)
    for shape in args.shapes:
        b, hq, hkv, tq, tk, dh, dv = (int(s) for s in shape.split(","))
        lead = (b,) if b else ()
        q = rng.uniform(-1, 1, lead + (hq, tq, dh)).astype(dtype)
        k = rng.uniform(-1, 1, lead + (hkv, tk, dh)).astype(dtype)
        v = rng.uniform(-1, 1, lead + (hkv, tk, dv)).astype(dtype)
        inputs = [q, k, v]
        mask = None
        if args.mask != "none":
            mask = rng.uniform(-2, 2, (tq, tk))
            if args.mask == "rows":
                mask[rng.uniform(size=(tq, tk)) < 0.25] = -np.inf
                mask[::3] = -np.inf
            mask = mask.astype(dtype)
            inputs.append(mask)
        # run_block is a generator (it yields at barriers, of which the
        # host code has none) returning the function's results.
        gen = emulator.run_block(funcs[0].regions[0], {}, inputs, None)
        try:
            next(gen)
            raise RuntimeError("gpu.barrier outside a gpu.launch")
        except StopIteration as stop:
            out = stop.value[0]
        expected = reference.attention(q, k, v, causal=args.causal,
                                       mask=mask, scale=args.scale)
        got = out.astype(np.float64)
        error = np.abs(got - expected).max(initial=0)
        if args.dtype == "f32":
            tolerance = 1e-5 + 1e-4 * np.abs(expected).max(initial=0)
        else:
            # One f16 rounding of the result (inputs are exact in both).
            tolerance = 2e-3 * max(1.0, np.abs(expected).max(initial=0))
        ok = error <= tolerance and not np.isnan(got).any()
        print(("ok" if ok else "WRONG") + f" @{args.func} shape={shape} "
              f"mask={args.mask}: max error {error:.3g}", flush=True)


if __name__ == "__main__":
    main()
