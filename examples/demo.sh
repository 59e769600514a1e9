#!/bin/sh
# demo.sh — the main job end to end, from a fresh clone, as root or as a sudo
# user on Debian 12: installs what the build needs, builds claimscrub, and
# scrubs the sample claims in examples/ with `claimscrub check`, showing each
# claim's timeline, expected against billed codes, and findings, then a
# one-line summary per claim.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ "${SKIP_APT:-}" != 1 ]; then
	echo "== installing build dependencies"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		build-essential autoconf automake pkg-config libyaml-dev libpq-dev \
		libevent-dev libcriterion-dev >/dev/null
fi

echo "== building"
[ -f config.status ] && make distclean >/dev/null 2>&1 || true
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
mkdir -p build/demo
(cd build/demo && "$top/configure" -q && make -j"$(nproc)" >/dev/null)
cs="$top/build/demo/cli/claimscrub"

echo "== claimscrub check examples/*.yaml"
echo
"$cs" check --format text examples/*.yaml || true

echo "== summary (claimscrub check --format json)"
"$cs" check --format json examples/*.yaml | sed -E \
	's/^\{"claim":"([^"]*)","verdict":"([^"]*)","profile":"([^"]*)".*"findings":\[(.*)\],"unchecked".*$/\1 \2 \3 \4/' |
	while read -r claim verdict profile findings; do
		rules=$(printf '%s\n' "$findings" | grep -o '"rule":"[^"]*"' | cut -d'"' -f4 | tr '\n' ' ')
		printf '  %-14s %-8s %-9s %s\n' "$claim" "$verdict" "$profile" "${rules:-}"
	done
