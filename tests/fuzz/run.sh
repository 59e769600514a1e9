#!/bin/sh
# run.sh — builds the libFuzzer targets of tests/fuzz/ with clang and runs
# each for SECONDS (default 60), one after the other, from seed corpora made
# at run time from the golden cases, the examples, the rule files and the
# example configuration.
#
#   tests/fuzz/run.sh [-b BUILDDIR] [-n] [SECONDS [FUZZER...]]
#
#   -b BUILDDIR  build there (configured with CC=clang when it has no
#                Makefile yet); default: build/fuzz in the source tree
#   -n           do not build: the fuzzers are already in BUILDDIR
#                (`make fuzz` uses this)
#   FUZZER       some of: claimdoc rules config check (default: all four)
#
# Per fuzzer it prints one line — executions, libFuzzer's final cov: and ft:,
# the corpus size and the outcome — and exits 1 when any fuzzer crashed,
# leaked, timed out or ran out of memory.  Everything lives in
# BUILDDIR/fuzz/NAME/: corpus/ (kept between runs, so coverage builds up),
# seeds/ (remade each run), crashes/ (the failing inputs) and log.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build/fuzz
do_build=1
while getopts b:n opt; do
	case $opt in
	b) build=$OPTARG ;;
	n) do_build=0 ;;
	*) echo "usage: $0 [-b BUILDDIR] [-n] [SECONDS [FUZZER...]]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
seconds=${1:-60}
[ $# -gt 0 ] && shift
names=${*:-claimdoc rules config check}

mkdir -p "$build" && build=$(cd "$build" && pwd) || exit 2
if [ "$do_build" = 1 ]; then
	echo "== building the fuzzers in $build"
	if [ ! -f "$build/Makefile" ]; then
		(cd "$build" && "$top/configure" -q CC=clang --enable-werror) || exit 2
	fi
	make -C "$build" -j"$(nproc)" fuzzers >"$build/fuzz-build.log" 2>&1 || {
		tail -n 30 "$build/fuzz-build.log"; echo "fuzzer build FAILED"; exit 2; }
fi

# seeds NAME DIR — fills DIR with the seed files for fuzzer NAME
seeds() {
	rm -rf "$2" && mkdir -p "$2"
	case $1 in
	claimdoc | check)
		cp "$top"/tests/cases/*.yaml "$top"/examples/*.yaml "$2"/ ;;
	rules)
		for f in "$top"/rules.d/*.yaml "$top"/tests/rules-bad/*.yaml \
			"$top"/tests/rules-local/*.yaml "$top"/tests/cases/rules/*.yaml; do
			cp "$f" "$2/$(basename "$(dirname "$f")")-$(basename "$f")"
		done ;;
	config)
		conf=$top/daemon/claimscrubd.yaml
		cp "$conf" "$2/shipped.yaml"
		# every key set: the commented defaults with the '#' taken off
		sed -n 's/^#\([a-z_]*: \)/\1/p' "$conf" >"$2/uncommented.yaml"
		printf 'database: "postgresql://u:secret@db/claims"\n' >"$2/uri.yaml"
		printf '{batch_size: 1, rules: [a, b], log_level: debug}\n' >"$2/flow.yaml" ;;
	esac
	[ -n "$(ls "$2")" ] || { echo "no seeds for $1 in $top" >&2; return 1; }
}

# final_stat FILE KEY — a value from libFuzzer's -print_final_stats lines
final_stat() { sed -n "s/^stat::$2: *//p" "$1" | tail -n 1; }

failed=0
summary=""
for name in $names; do
	bin=$build/tests/fuzz/fuzz_$name
	out=$build/fuzz/$name
	if [ ! -x "$bin" ]; then
		echo "fuzz_$name: not built ($bin)"; failed=1; continue
	fi
	mkdir -p "$out/corpus" "$out/crashes"
	seeds "$name" "$out/seeds" || { failed=1; continue; }
	echo "== fuzz_$name: ${seconds}s"
	# -max_len: 64 KiB, far above any real claim or rule file, small
	# enough to keep the runs fast; claimscrubd.yaml is a few hundred bytes.
	max_len=65536
	touch "$out/log.start"
	ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$bin" -max_total_time="$seconds" -print_final_stats=1 \
		-rss_limit_mb=2048 -timeout=10 -max_len=$max_len \
		-dict="$top/tests/fuzz/yaml.dict" \
		-artifact_prefix="$out/crashes/" \
		"$out/corpus" "$out/seeds" >"$out/log" 2>&1
	rc=$?
	execs=$(final_stat "$out/log" number_of_executed_units)
	last=$(grep -E '^#[0-9]+' "$out/log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p')
	# only this run's: inputs saved by earlier runs stay for reference
	crashes=$(find "$out/crashes" -type f -newer "$out/log.start" | wc -l)
	if [ "$rc" = 0 ] && [ "$crashes" = 0 ]; then
		result=ok
	else
		result="FAILED (exit $rc)"; failed=1
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$out/log" | head -n 5
		echo "   log: $out/log; inputs: $out/crashes/"
	fi
	line="fuzz_$name: ${seconds}s executions ${execs:-0} cov ${cov:-?} ft ${ft:-?} corpus ${corp:-?} crashes $crashes $result"
	echo "$line"
	summary="$summary$line
"
done
echo "== fuzz summary"
printf '%s' "$summary"
exit "$failed"
