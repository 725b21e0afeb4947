# Shared set-up for scripts/main.sh and scripts/test.sh (sourced, not run):
# installs the Debian packages xfmr needs when any is missing, then
# configures (once) and builds the project with CMake + Ninja. Quick when
# everything is already in place.

XFMR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
XFMR_BUILD="${XFMR_BUILD:-$XFMR_ROOT/build}"

XFMR_PACKAGES=(
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  clang-format-22 ninja-build cmake python3 python3-numpy python3-torch
  python3-dev pybind11-dev python3-pytest libomp-22-dev
)

xfmr_install_packages() {
  local missing=()
  for p in "${XFMR_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "xfmr: installing missing Debian packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
}

xfmr_build() {
  if [ ! -f "$XFMR_BUILD/build.ninja" ]; then
    cmake -G Ninja -S "$XFMR_ROOT" -B "$XFMR_BUILD" \
      -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22
  fi
  ninja -C "$XFMR_BUILD"
}

xfmr_setup() {
  set -e
  xfmr_install_packages
  xfmr_build
}
