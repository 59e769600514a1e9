#!/bin/sh
# bench/engine.sh ENGINE [N] — engine-only claims/s on one core over N
# generated claims (default 10000), and instructions per claim under
# callgrind: (Ir of 3 passes - Ir of 1 pass) / (2 x 1000 claims).
set -eu
engine=$1 n=${2:-10000}
: "${CLAIMSCRUB_SRCDIR:=.}"
t=$(mktemp -d /tmp/csengine.XXXXXX)
trap 'rm -rf "$t"' EXIT
"$(dirname "$0")/gen.sh" files "$n" "$t/claims.yaml"
"$(dirname "$0")/gen.sh" files 1000 "$t/k.yaml"
rate=$(taskset -c 0 "$engine" "$CLAIMSCRUB_SRCDIR/rules.d" "$t/claims.yaml" 3 | awk '{print $6}')
ir() {
	valgrind --tool=callgrind --callgrind-out-file="$t/cg.$1" "$engine" \
		"$CLAIMSCRUB_SRCDIR/rules.d" "$t/k.yaml" -p "$1" >/dev/null 2>&1
	awk '/^summary:/ {print $2}' "$t/cg.$1"
}
i1=$(ir 1) i3=$(ir 3)
echo "| $rate | $(( (i3 - i1) / 2000 )) |"
