#!/bin/sh
# bench/x12.sh [CLAIMS] — `claimscrub import` over CLAIMS (default 100000)
# generated 837P claims of four service lines each, in files of 5,000
# (X12_MAX_CLAIMS), the documents written to /dev/null: claims a second,
# the fastest of 3 runs, against two floors of the same run over the same
# bytes: reading them (cat) and splitting them into segments and elements
# (tr + wc, a pass that looks at every byte as the reader's tokenizer
# does).  The issue's target: 100,000 claims a second on one core.  Run in
# a build directory (as make bench does) or set CLAIMSCRUB.
set -eu
n=${1:-100000}
case $n in '' | *[!0-9]*) echo "usage: x12.sh [CLAIMS]" >&2; exit 2 ;; esac
: "${CLAIMSCRUB:=cli/claimscrub}"
B=$(mktemp -d /tmp/csx12.XXXXXX)
trap 'rm -rf "$B"' EXIT

. "$(dirname "$0")/gen837.sh"
left=$n f=0
while [ "$left" -gt 0 ]; do
	k=$((left < 5000 ? left : 5000))
	f=$((f + 1))
	gen "$k" "$f" >"$B/f$f.837"
	left=$((left - k))
done
mb=$(cat "$B"/*.837 | wc -c | awk '{printf "%.1f", $1 / 1048576}')

# best SECONDS of 3 runs of a command
best() {
	b=""
	for _ in 1 2 3; do
		t0=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		t=$(echo "$(date +%s.%N) - $t0" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}
tokens() { cat "$B"/*.837 | tr '~*:' '\n\n\n' | wc -l; }
imp=$(best "$CLAIMSCRUB" import "$B"/*.837)
readb=$(best cat "$B"/*.837)
tok=$(best tokens)
rate() { echo "$n / $1" | bc -l | awk '{printf "%d", $1}'; }
echo "| claims | MB | import s | claims/s | cat s | segments and elements (tr + wc) s |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
printf '| %s | %s | %.3f | %s | %.3f | %.3f |\n' "$n" "$mb" "$imp" "$(rate "$imp")" "$readb" "$tok"
