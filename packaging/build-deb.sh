#!/bin/sh
# build-deb.sh — the Debian package, built as a distribution would build it:
# from the tree `make distdir` makes (what the release tarball holds), with
# packaging/debian copied in as debian/, by `dpkg-buildpackage -us -uc -b`
# (binary only, unsigned), then checked by lintian.
#
#   packaging/build-deb.sh OUTDIR [BUILDDIR]
#
# BUILDDIR is a configured build directory of this tree; without one, a
# throwaway one is configured (running autoreconf first when the tree has
# no configure).  Leaves in OUTDIR the .deb, build.log (dpkg-buildpackage's
# output) and lintian.txt (lintian's tags, informational ones too).
# Exit status: 0 built and lintian-clean; 1 the build failed; 2 built, but
# lintian reported an error or a warning (the .deb is in OUTDIR all the same).
# Needs dpkg-dev, debhelper, lintian and the Build-Depends of
# packaging/debian/control; as root, or any user (Rules-Requires-Root: no).
set -eu

usage() { echo "usage: packaging/build-deb.sh OUTDIR [BUILDDIR]" >&2; exit 1; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
mkdir -p "$1"
out=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/csdeb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Run from `make check` or another make, the nested makes get none of its flags.
nomake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$@"; }

if [ $# -eq 2 ]; then
	b=$(cd "$2" && pwd)
else
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >"$tmp/autoreconf.log" 2>&1) || {
		cat "$tmp/autoreconf.log" >&2; exit 1; }
	b=$tmp/conf
	mkdir "$b"
	(cd "$b" && "$top/configure" -q) || exit 1
fi
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$b/Makefile")
[ -n "$version" ] || { echo "build-deb.sh: $b is not a configured build directory" >&2; exit 1; }

# The distribution tree, and the packaging it carries (EXTRA_DIST) as debian/.
src=$tmp/claimscrub-$version
(cd "$b" && nomake ${MAKE:-make} distdir distdir="$src") >"$tmp/distdir.log" 2>&1 || {
	tail -n 20 "$tmp/distdir.log" >&2; exit 1; }
cp -R "$src/packaging/debian" "$src/debian"

# dpkg-buildpackage writes the .deb, .changes and .buildinfo beside the tree.
echo "== dpkg-buildpackage -us -uc -b (claimscrub $version; log: $out/build.log)"
if ! (cd "$src" && nomake dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	exit 1
fi
changes=$(ls "$tmp"/claimscrub_*.changes)
deb=$(ls "$tmp"/claimscrub_*.deb)
cp "$deb" "$out/"
echo "== built $out/$(basename "$deb") ($(wc -c <"$deb") bytes)"

# lintian on the .changes checks the .deb and the .buildinfo with it.
# --fail-on error,warning: informational tags (-I) are printed, but pass.
echo "== lintian -I $(basename "$changes")"
st=0
lintian -I --fail-on error,warning "$changes" >"$out/lintian.txt" 2>&1 || st=$?
cat "$out/lintian.txt"
if [ "$st" -ne 0 ]; then
	echo "build-deb.sh: lintian reported errors or warnings (exit $st)" >&2
	exit 2
fi
echo "== lintian: no error, no warning"
