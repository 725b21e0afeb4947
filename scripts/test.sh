#!/usr/bin/env bash
# Every test: set up, build, then run the lit suite (dialect, passes,
# conversions, pipelines, targets, tools, end-to-end numerics, formatting).
# Ends with the summary line "N passed, N failed"; exits non-zero on failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
xfmr_setup

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
/usr/lib/llvm-22/bin/lit -sv "$XFMR_BUILD/test" "$@" 2>&1 | tee "$log" || status=$?

count() { # lit prints e.g. "  Passed           : 42"
  sed -n "s/^ *$1 *: *\([0-9][0-9]*\).*/\1/p" "$log" | tail -n 1
}
passed=$(( $(count Passed || true) + 0 ))
failed=$(( $(count Failed || true) + $(count Unresolved || true) + $(count 'Timed Out' || true) + $(count 'Unexpectedly Passed' || true) + 0 ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # lit itself failed (e.g. a configuration error)
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
