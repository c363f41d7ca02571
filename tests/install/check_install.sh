#!/usr/bin/env bash
# Installs the build into a temporary prefix, then builds and runs a consumer program against it twice:
# through find_package(ual) (target ual::ual) and through pkg-config (ual.pc). Also runs the installed CLI.
set -euo pipefail
build_dir=${UAL_BUILD_DIR:?set UAL_BUILD_DIR to the build directory}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

cmake --install "$build_dir" --prefix "$prefix" >/dev/null
for path in include/ual/ual.hpp include/ual/inventory.hpp lib/libual.so bin/ual lib/cmake/ual/ualConfig.cmake \
            lib/pkgconfig/ual.pc; do
  [ -e "$prefix/$path" ] || { echo "missing after install: $path"; exit 1; }
done
"$prefix/bin/ual" --version | grep -q '^ual [0-9]' || { echo "installed ual --version failed"; exit 1; }
"$prefix/bin/ual" devices --no-runtimes >/dev/null

# 1. CMake package.
cmake -S "$here/consumer" -B "$work/cmake-build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
LD_LIBRARY_PATH="$prefix/lib" "$work/cmake-build/consumer"
if [ -x "$work/cmake-build/fp8_against_cuda" ]; then
  LD_LIBRARY_PATH="$prefix/lib" "$work/cmake-build/fp8_against_cuda"
else
  echo "cuda_fp8.h not found: the installed FP8 check against NVIDIA's conversions was not built"
fi

# 2. pkg-config.
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --exists ual
flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs ual)
# shellcheck disable=SC2086
c++ "$here/consumer/main.cpp" -o "$work/consumer-pkgconfig" $flags
LD_LIBRARY_PATH="$prefix/lib" "$work/consumer-pkgconfig"
echo "install consumer: cmake package and pkg-config both work"
