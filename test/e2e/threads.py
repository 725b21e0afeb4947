# RUN: %python %s
"""OpenMP threads (pipeline option `threads`, on by default): the built-in
Llama decoder layer (examples/llama_layer.mlir: RMSNorm, RoPE, grouped-query
causal attention, SwiGLU FFN, residual adds) compiled once to a shared
library and run with 1 and with 2 threads (xfmr-run --threads) at several
token counts of its dynamic T, some large enough for the element-wise and
attention loops to fork, then through the JIT, and once compiled without
threads, all against the float64 reference at rtol 1e-4, atol 1e-5.
Nothing is timed."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "examples"))

import run_example as ex  # noqa: E402
from xfmr_e2e import Harness  # noqa: E402

h = Harness("threads: examples/llama_layer.mlir on 1 and 2 OpenMP threads")
weights = ex.llama_weights(1)
module = h.module(ex.layer_text("llama"), "llama_layer")
for t in (1, 3, 40, 128):
    inputs = ex.llama_inputs(t, weights)
    want = [ex.llama_reference(inputs)]
    for n in (1, 2):
        h.case("llama_layer T=%d so threads=%d" % (t, n), module,
               "llama_layer", inputs, want, rtol=ex.RTOL, atol=ex.ATOL,
               via="so", run_args=["--threads=%d" % n])

for t in (2, 67):
    inputs = ex.llama_inputs(t, weights)
    want = [ex.llama_reference(inputs)]
    h.case("llama_layer T=%d jit threads=2" % t, module, "llama_layer",
           inputs, want, rtol=ex.RTOL, atol=ex.ATOL,
           run_args=["--threads=2"])
    h.case("llama_layer T=%d jit pipeline threads=false" % t, module,
           "llama_layer", inputs, want, rtol=ex.RTOL, atol=ex.ATOL,
           run_args=["--pipeline-options=threads=false"])

sys.exit(h.finish())
