#!/usr/bin/env bash
# Release binaries for nodes and operator machines: dist/fleet and dist/node-agent.
#
# - The Swift runtime and Foundation are linked in (--static-swift-stdlib): nothing Swift to install on a
#   node, and an idle node-agent maps only the pages it uses.
# - libssh2 is linked in from libssh2.a through a private pkg-config file, so the binaries need only what
#   every Debian/Ubuntu server already has: glibc, libstdc++, zlib and OpenSSL's libcrypto (kept shared so
#   that OpenSSL security updates apply without a rebuild).
# - Stripped; warnings are errors.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

libdir=$(pkg-config --variable=libdir libssh2) || {
    echo "build-release: pkg-config cannot find libssh2 (apt-get install libssh2-1-dev pkg-config)" >&2
    exit 1
}
[ -f "$libdir/libssh2.a" ] || { echo "build-release: $libdir/libssh2.a is missing (apt-get install libssh2-1-dev)" >&2; exit 1; }

# libssh2.a needs what libssh2.so needs (libcrypto, zlib, or libgcrypt on some distributions), nothing more.
# (libssh2-1-dev depends on their -dev packages, so the unversioned names link.)
deps=$(objdump -p "$libdir/libssh2.so" | awk '$1 == "NEEDED" && $2 !~ /^(libc|ld-linux)\./ {
    name = $2; sub(/^lib/, "", name); sub(/\.so.*$/, "", name); printf "-l%s ", name }')

# A directory holding only libssh2.a, found before the system one, and a .pc file pointing at it, inside the
# release build's own scratch path: SwiftPM keeps the pkg-config answer of a build directory's first plan,
# so sharing .build would mix the debug build's shared libssh2 and this static one.
scratch="$root/.build-release"
static="$scratch/static-libssh2"
rm -rf "$static" && mkdir -p "$static/pkgconfig"
ln -s "$libdir/libssh2.a" "$static/libssh2.a"
cat >"$static/pkgconfig/libssh2.pc" <<PC
Name: libssh2
Description: libssh2, linked statically into the release binaries
Version: $(pkg-config --modversion libssh2)
Cflags: $(pkg-config --cflags libssh2)
Libs: -L$static -lssh2 $deps
PC

# The two products only: the test support target imports Testing, which has no static build.
for product in fleet node-agent; do
    PKG_CONFIG_PATH="$static/pkgconfig" swift build -c release --static-swift-stdlib --scratch-path "$scratch" \
        -Xswiftc -warnings-as-errors --product "$product" "$@"
done

mkdir -p dist
for product in fleet node-agent; do
    strip -o "dist/$product.tmp" "$scratch/release/$product"
    mv -f "dist/$product.tmp" "dist/$product"
done
# What the binaries need at run time; nothing Swift, no libssh2, no libcurl.
for product in fleet node-agent; do
    needs=$(readelf -d "dist/$product" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
    printf '%s: %s MiB, needs %s\n' "dist/$product" "$(( $(stat -c %s "dist/$product") / 1048576 ))" "$needs"
    case "$needs" in
    *libswift* | *libFoundation* | *libdispatch* | *libssh2* | *libcurl*)
        echo "build-release: dist/$product still needs a library a node may not have: $needs" >&2
        exit 1
        ;;
    esac
    "dist/$product" --version >/dev/null || { echo "build-release: dist/$product --version failed" >&2; exit 1; }
done
