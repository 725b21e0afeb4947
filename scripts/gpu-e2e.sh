#!/bin/bash
# Runs the end-to-end suite (test/e2e/*.py) on the GPU: every module is
# compiled with --target=cuda and run by xfmr-run --target=cuda, and its
# results are compared with the same float64 references as on the CPU.
#
# Usage: scripts/gpu-e2e.sh [BUNDLE=.gpu-bundle] [TEST.py ...]
# BUNDLE is what scripts/gpu-bundle.sh made (its .tar.xz is unpacked when
# only the archive is there); without one, the tools come from PATH. Each
# test's log goes to $LOGS (default: a temporary directory). Ends with the
# summary line "N passed, N failed".
set -uo pipefail
bundle=${1:-.gpu-bundle}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -d "$bundle" ] && [ -f "$bundle.tar.xz" ]; then
  python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' \
    "$bundle.tar.xz" "$(dirname "$bundle")" || exit 1
fi
if [ -d "$bundle/bin" ]; then
  export PATH="$(cd "$bundle" && pwd)/bin:$PATH"
  # libdevice for the kernels' math, where the machine's toolkit has none.
  [ -f /usr/local/cuda/nvvm/libdevice/libdevice.10.bc ] ||
    export CUDA_ROOT="$(cd "$bundle" && pwd)/cuda"
fi
# GPU modules are host libraries too: any C compiler driver links them.
if [ -z "${XFMR_CLANG:-}" ] && ! command -v clang-22 >/dev/null; then
  XFMR_CLANG=$(command -v clang || command -v gcc || command -v cc || true)
  export XFMR_CLANG
fi
export XFMR_E2E_TARGET=cuda
export PYTHONPATH="$root/test/lib${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1
logs=${LOGS:-$(mktemp -d)}
mkdir -p "$logs"

if [ $# -gt 0 ]; then tests=("$@"); else tests=("$root"/test/e2e/*.py); fi
# The tests run side by side (JOBS at a time); each leaves its log and exit
# status in $logs, read back in order below.
printf '%s\n' "${tests[@]}" | xargs -P "${JOBS:-8}" -I{} bash -c '
  name=$(basename "{}" .py)
  start=$(date +%s)
  timeout 900 python3 "{}" >"'"$logs"'/$name.log" 2>&1
  echo "$? $(( $(date +%s) - start ))" >"'"$logs"'/$name.status"'
passed=0
failed=0
for t in "${tests[@]}"; do
  name=$(basename "$t" .py)
  read -r rc secs <"$logs/$name.status"
  checks=$(grep -c -E ' OK$' "$logs/$name.log")
  worst=$(grep -o -E 'max_abs_err=[0-9.e+-]+' "$logs/$name.log" |
    cut -d= -f2 | sort -g | tail -1)
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    printf 'PASS %-22s %4s checks, max abs err %s (%ss)\n' "$name" "$checks" \
      "${worst:-n/a}" "$secs"
  else
    failed=$((failed + 1))
    printf 'FAIL %-22s exit %d, %s checks OK; first failures:\n' "$name" \
      "$rc" "$checks"
    grep -m4 -E 'FAIL|Error|error' "$logs/$name.log" | cut -c1-300 |
      sed 's/^/    /'
  fi
done
echo "logs: $logs"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
