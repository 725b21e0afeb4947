# RUN: %python %s
"""The built-in Llama decoder layer (examples/llama_layer.mlir) end to end:
compiled once to a shared library and run at T = 1, 7 and 32 against the
float64 reference, and once through the JIT. Tolerance: rtol 1e-4,
atol 1e-5 (examples/run_example.py explains why that suffices)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "examples"))

import run_example as ex  # noqa: E402
from xfmr_e2e import Harness  # noqa: E402

h = Harness("examples/llama_layer.mlir")
weights = ex.llama_weights(0)
module = h.module(ex.layer_text("llama"), "llama_layer")
cases = []
for t in (1, 7, 32):
    inputs = ex.llama_inputs(t, weights)
    cases.append(("T=%d" % t, inputs, [ex.llama_reference(inputs)]))
h.sweep("llama_layer", module, "llama_layer", cases, rtol=ex.RTOL,
        atol=ex.ATOL)

inputs = ex.llama_inputs(5, weights)
h.case("llama_layer T=5 jit", module, "llama_layer", inputs,
       [ex.llama_reference(inputs)], rtol=ex.RTOL, atol=ex.ATOL)

sys.exit(h.finish())
