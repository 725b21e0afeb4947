#!/bin/bash
# Packs what running the e2e suite on the GPU needs, for a machine that has
# an NVIDIA driver and python3 with numpy but no LLVM 22 (a GPU test machine):
#
#   BUNDLE/bin/xfmr-compile, BUNDLE/bin/xfmr-run   the tools of BUILD, linked
#                         statically against LLVM/MLIR (they need only libc,
#                         libstdc++, zlib and zstd)
#   BUNDLE/lib/libxfmr_cuda_runtime.a   the kernel runtime GPU modules link
#   BUNDLE/cuda/nvvm/libdevice/         libdevice, for the kernels' math
#   BUNDLE.tar.xz                        all of the above, compressed
#
# Usage: scripts/gpu-bundle.sh [BUILD=build] [BUNDLE=.gpu-bundle]
# On the GPU machine: scripts/gpu-e2e.sh BUNDLE (unpacks BUNDLE.tar.xz first
# when only the archive is there).
set -euo pipefail
build=${1:-build}
bundle=${2:-.gpu-bundle}
llvm=/usr/lib/llvm-22/lib
cuda=${CUDA_PATH:-/usr/local/cuda}

ninja -C "$build" xfmr-run xfmr-compile xfmr_cuda_runtime >/dev/null
rm -rf "$bundle" "$bundle.tar.xz"
mkdir -p "$bundle/bin" "$bundle/lib" "$bundle/cuda/nvvm/libdevice"

# Every static LLVM/MLIR library in one group: the linker takes what the
# tools reach. The shared libMLIR.a umbrella and MLIR's test libraries stay
# out.
mapfile -t xfmr_libs < <(find "$build" -name 'libXfmr*.a' | sort)
mapfile -t llvm_libs < <(ls "$llvm"/libMLIR*.a "$llvm"/libLLVM*.a |
  grep -v -E 'Test|/libMLIR\.a$')
for tool in xfmr-run xfmr-compile; do
  clang++-22 -fuse-ld=lld -O2 -Wl,--gc-sections -s -o "$bundle/bin/$tool" \
    "$build/tools/$tool/CMakeFiles/$tool.dir/$tool.cpp.o" \
    -Wl,--start-group "${xfmr_libs[@]}" "${llvm_libs[@]}" -Wl,--end-group \
    /lib/x86_64-linux-gnu/libz.so.1 /lib/x86_64-linux-gnu/libzstd.so.1 \
    -ldl -lpthread -lm
done
cp "$build/lib/libxfmr_cuda_runtime.a" "$bundle/lib/"
cp "$cuda/nvvm/libdevice/libdevice.10.bc" "$bundle/cuda/nvvm/libdevice/"
tar -C "$(dirname "$bundle")" -cf - "$(basename "$bundle")" |
  xz -T2 -6 >"$bundle.tar.xz"
ls -la "$bundle.tar.xz"
