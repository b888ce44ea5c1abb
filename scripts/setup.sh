#!/usr/bin/env bash
# Installs every missing build and test dependency from Debian packages, then
# configures and builds dnastore in ./build (Release). Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake pkg-config git
  libboost-dev zlib1g-dev libtbb-dev libgtest-dev libgmock-dev libbenchmark-dev
  libhts-dev libisal-dev libedlib-dev libspoa-dev libcpu-features-dev libdeflate-dev
  libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libxxhash-dev libjemalloc-dev
  libgf-complete-dev liblcrq-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"
