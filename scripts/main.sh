#!/usr/bin/env bash
# The main job: set up, build, then compile and run the built-in example
# model (a Llama-style decoder layer and a Mixtral-style MoE layer with seeded
# random weights), printing the max error against a float64 reference and
# the time per call. Extra arguments go to examples/run_example.py.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
xfmr_setup
export PATH="$XFMR_BUILD/bin:$PATH"
exec /usr/bin/python3 "$XFMR_ROOT/examples/run_example.py" "$@"
