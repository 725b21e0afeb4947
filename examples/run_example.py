#!/usr/bin/env python3
"""The main job: compile the built-in example layers, run them, check them.

For each example layer (llama_layer.mlir, mixtral_moe_layer.mlir) this
script

  1. draws seeded random weights (projections ~ N(0, 1/fan_in), norm gains
     near 1) and an input x[T, D] ~ N(0, 1),
  2. compiles the layer ONCE with `xfmr-compile --emit=shared -O3`,
  3. runs the library with `xfmr-run` and compares the result with a float64
     reference composed from test/lib/xfmr_reference.py,
  4. times it with `xfmr-run --benchmark=N`,

and prints, per layer, max abs error, max rel error, PASS/FAIL against the
stated tolerance, and min/median milliseconds per call. It exits non-zero if
any layer fails.

    examples/run_example.py --bin-dir build/bin            # T = 32
    examples/run_example.py --bin-dir build/bin -T 1 -T 7 -T 128 --benchmark 50

Tools come from --bin-dir, else XFMR_COMPILE / XFMR_RUN, else PATH.
The test/e2e lit tests import this file for its weights and references.
"""

import argparse
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, "test", "lib"))

import xfmr_e2e as e2e  # noqa: E402
import xfmr_reference as ref  # noqa: E402

# Tolerance of the f32 layers against the float64 reference. A layer chains
# seven f32 projections (K up to 688), two norms, softmax and SwiGLU on top
# of a residual stream of magnitude ~1-4; float32 rounding alone leaves
# errors of a few 1e-6 absolute on the output, so the element-wise allowance
# is 1e-4 relative plus 1e-5 absolute, the same as for single ops.
RTOL = 1e-4
ATOL = 1e-5

# Minimum relative gap between the 2nd and 3rd expert score of every token:
# inputs closer to a routing tie are redrawn (a tie may flip under f32
# rounding, which says nothing about the compiler).
ROUTING_MARGIN = 1e-4


def _weight(g, shape):
    return e2e.weight(g, shape)


def _gain(g, d):
    return (1.0 + 0.1 * g.standard_normal(d)).astype(np.float32)


# ----------------------------------------------------------------------------
# Llama decoder layer
# ----------------------------------------------------------------------------

LLAMA = dict(d=256, n_heads=8, n_kv_heads=2, head_dim=32, ffn=688, eps=1e-5,
             theta=10000.0)
LLAMA_ARGS = ("attn_norm", "wq", "wk", "wv", "wo", "ffn_norm", "w_gate",
              "w_up", "w_down")


def llama_weights(seed=0):
    c = LLAMA
    g = e2e.rng(seed)
    d, f = c["d"], c["ffn"]
    q_out = c["n_heads"] * c["head_dim"]
    kv_out = c["n_kv_heads"] * c["head_dim"]
    return {
        "attn_norm": _gain(g, d),
        "wq": _weight(g, (q_out, d)),
        "wk": _weight(g, (kv_out, d)),
        "wv": _weight(g, (kv_out, d)),
        "wo": _weight(g, (d, q_out)),
        "ffn_norm": _gain(g, d),
        "w_gate": _weight(g, (f, d)),
        "w_up": _weight(g, (f, d)),
        "w_down": _weight(g, (d, f)),
    }


def llama_inputs(t, weights, seed=1):
    """The argument list of @llama_layer for T = t tokens."""
    g = e2e.rng(seed * 1000 + t)
    x = e2e.randn(g, (t, LLAMA["d"]))
    positions = np.arange(t, dtype=np.int32)
    return [x, positions] + [weights[n] for n in LLAMA_ARGS]


def llama_reference(inputs):
    x, positions = inputs[0], inputs[1]
    p = dict(zip(LLAMA_ARGS, inputs[2:]))
    return ref.llama_layer(x, positions, p, LLAMA["n_heads"],
                           LLAMA["n_kv_heads"], LLAMA["eps"], LLAMA["theta"])


# ----------------------------------------------------------------------------
# Mixtral MoE layer
# ----------------------------------------------------------------------------

MIXTRAL = dict(d=256, experts=8, top_k=2, ffn=704, eps=1e-5)
MIXTRAL_ARGS = ("ffn_norm", "router", "w_gate", "w_up", "w_down")


def mixtral_weights(seed=0):
    c = MIXTRAL
    g = e2e.rng(seed + 100)
    d, e, f = c["d"], c["experts"], c["ffn"]
    return {
        "ffn_norm": _gain(g, d),
        "router": _weight(g, (e, d)),
        "w_gate": _weight(g, (e, f, d)),
        "w_up": _weight(g, (e, f, d)),
        "w_down": _weight(g, (e, d, f)),
    }


def mixtral_inputs(t, weights, seed=1):
    """The argument list of @mixtral_moe_layer for T = t tokens; x is redrawn
    until no token sits within ROUTING_MARGIN of a routing tie."""
    g = e2e.rng(seed * 1000 + t + 7)
    while True:
        x = e2e.randn(g, (t, MIXTRAL["d"]))
        h = ref.rms_norm(x, weights["ffn_norm"], MIXTRAL["eps"])
        logits = ref.linear(h, weights["router"])
        if ref.routing_margin(logits, MIXTRAL["top_k"]) >= ROUTING_MARGIN:
            break
    return [x] + [weights[n] for n in MIXTRAL_ARGS]


def mixtral_reference(inputs):
    p = dict(zip(MIXTRAL_ARGS, inputs[1:]))
    return ref.mixtral_moe_layer(inputs[0], p, MIXTRAL["top_k"],
                                 MIXTRAL["eps"])


# name -> (file, function, weights(seed), inputs(t, weights, seed), reference)
LAYERS = {
    "llama": ("llama_layer.mlir", "llama_layer", llama_weights, llama_inputs,
              llama_reference),
    "mixtral": ("mixtral_moe_layer.mlir", "mixtral_moe_layer",
                mixtral_weights, mixtral_inputs, mixtral_reference),
}


def layer_text(name):
    with open(os.path.join(HERE, LAYERS[name][0])) as f:
        return f.read()


# ----------------------------------------------------------------------------
# The main job
# ----------------------------------------------------------------------------


def run_layer(h, name, token_counts, benchmark, seed, via):
    path, func, make_weights, make_inputs, reference = LAYERS[name]
    module = h.module(layer_text(name), name)
    weights = make_weights(seed)
    ok = True
    if via == "so":
        try:
            so = module.compile("-O3")
        except e2e.ToolError as err:
            print("%s: FAIL compiling: %s" % (func, err))
            return False
        print("%s: %s compiled once (xfmr-compile --emit=shared -O3, "
              "%d KiB); every T below runs that library"
              % (func, path, os.path.getsize(so) // 1024))
    for t in token_counts:
        inputs = make_inputs(t, weights, seed)
        want = reference(inputs)
        label = "%s T=%d" % (func, t)
        try:
            (got,), _ = h.run(module, func, inputs, 1, via=via)
        except e2e.ToolError as err:
            print("%s: FAIL running: %s" % (label, err))
            ok = False
            continue
        res = e2e.compare(label, got, want, RTOL, ATOL, np.float32)
        timing = ""
        if benchmark:
            try:
                _, out = h.run(module, func, inputs, 1, via=via,
                               benchmark=benchmark)
                bench = e2e.parse_benchmark(out)
                if bench:
                    timing = " min=%.3f ms median=%.3f ms" % bench
                else:
                    timing = " timing: %s" % " ".join(out.split())[-200:]
            except e2e.ToolError as err:
                timing = " (benchmark failed: %s)" % str(err).splitlines()[0]
        if res.max_abs is None:
            print("%s: %s" % (label, res.line))
        else:
            print("%s: max_abs_err=%.2e max_rel_err=%.2e %s (rtol=%g atol=%g)"
                  "%s%s" % (label, res.max_abs, res.max_rel,
                     "PASS" if res.ok else "FAIL", RTOL, ATOL, timing,
                     "" if res.ok else "\n    " + res.detail))
        ok &= res.ok
    if via == "so":
        try:
            module.check_not_rebuilt()
        except e2e.ToolError as err:
            print("%s: FAIL %s" % (func, err))
            ok = False
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-T", "--tokens", type=int, action="append",
                    help="token count (repeatable; default 32)")
    ap.add_argument("--benchmark", type=int, default=20, metavar="N",
                    help="calls to time per layer (0: no timing)")
    ap.add_argument("--layers", default="llama,mixtral",
                    help="comma-separated subset of: %s" % ",".join(LAYERS))
    ap.add_argument("--bin-dir", help="directory holding xfmr-compile and "
                    "xfmr-run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jit", action="store_true",
                    help="run the .mlir through xfmr-run's JIT instead of "
                    "a compiled library")
    args = ap.parse_args(argv)
    if args.bin_dir:
        for tool in ("xfmr-compile", "xfmr-run", "xfmr-opt"):
            env = "XFMR_" + tool.split("-")[1].upper()
            os.environ[env] = os.path.join(os.path.abspath(args.bin_dir), tool)
    tokens = args.tokens or [32]
    via = "jit" if args.jit else "so"
    h = e2e.Harness()
    ok = True
    for name in args.layers.split(","):
        if name not in LAYERS:
            ap.error("unknown layer %r" % name)
        ok &= run_layer(h, name, tokens, args.benchmark, args.seed, via)
    h.cleanup()
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
