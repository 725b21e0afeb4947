# RUN: %python %s
"""The built-in Mixtral MoE layer (examples/mixtral_moe_layer.mlir) end to
end: compiled once to a shared library and run at T = 1, 7 and 32 against
the float64 reference, and once through the JIT. Tolerance: rtol 1e-4,
atol 1e-5."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "examples"))

import run_example as ex  # noqa: E402
from xfmr_e2e import Harness  # noqa: E402

h = Harness("examples/mixtral_moe_layer.mlir")
weights = ex.mixtral_weights(0)
module = h.module(ex.layer_text("mixtral"), "mixtral_moe_layer")
cases = []
for t in (1, 7, 32):
    inputs = ex.mixtral_inputs(t, weights)
    cases.append(("T=%d" % t, inputs, [ex.mixtral_reference(inputs)]))
h.sweep("mixtral_moe_layer", module, "mixtral_moe_layer", cases,
        rtol=ex.RTOL, atol=ex.ATOL)

inputs = ex.mixtral_inputs(3, weights)
h.case("mixtral_moe_layer T=3 jit", module, "mixtral_moe_layer", inputs,
       [ex.mixtral_reference(inputs)], rtol=ex.RTOL, atol=ex.ATOL)

sys.exit(h.finish())
