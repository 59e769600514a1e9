#!/bin/sh
# run-all.sh — the whole test suite, from a fresh clone, as root or as a
# sudo user on Debian 12:
#   1. installs the build and test dependencies (apt-get),
#   2. builds with gcc and -Werror and runs `make check`,
#   3. builds with clang and -Werror,
#   4. builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs
#      `make check` again,
#   5. runs `make distcheck`,
#   6. builds the Debian package, installs it, runs the samples through
#      the installed daemon and purges it (tests/package.sh),
# and ends with one summary line: "N passed, N failed".
# Each build lives in build/<name>, so the source tree stays clean.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

deps="build-essential autoconf automake autoconf-archive pkg-config clang
      clang-format libclang-rt-14-dev libyaml-dev libpq-dev libevent-dev
      libcriterion-dev postgresql-15 postgresql-client-15 valgrind
      prometheus curl systemd openssl
      chromium python3-websocket pgbouncer
      dpkg-dev debhelper lintian man-db"
if [ "${SKIP_APT:-}" != 1 ]; then
	echo "== installing dependencies"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# shellcheck disable=SC2086
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $deps >/dev/null
fi

echo "== autoreconf"
[ -f config.status ] && make distclean >/dev/null 2>&1 || true
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi

echo "== clang-format --dry-run -Werror"
if ! clang-format --dry-run -Werror scrubber/*.[ch] cli/*.[ch] daemon/*.[ch] web/*.[ch] report/*.[ch] tests/*.c tests/unit/*.c tests/lib/*.[ch] bench/*.c tests/fuzz/*.c; then
	echo "formatting differs from .clang-format (run clang-format -i)"; fmt_failed=1
fi

logs="$top/build/logs"
rm -rf "$logs" && mkdir -p "$logs"
status=${fmt_failed:-0}

# build NAME CONFIGURE-ARGS... — configure and build in build/NAME
build() {
	name=$1; shift
	echo "== build $name: $*"
	rm -rf "build/$name" && mkdir -p "build/$name"
	(cd "build/$name" && "$top/configure" -q "$@" && make -j"$(nproc)" >/dev/null) || {
		echo "build $name FAILED"; status=1; return 1; }
}

# diagnostics DIR — each failing TAP point under DIR with the "# ..." lines
# that follow it (at most 12), so that a failure in CI says why
diagnostics() {
	for f in $(grep -l '^not ok' $(find "$1" -name '*.log') 2>/dev/null); do
		awk -v f="${f#"$1"/}" '/^not ok/ { k = 12; print "   " f ": " $0; next }
			k > 0 && /^#/ { k--; print "      " $0; next } { k = 0 }' "$f"
	done
}

# check NAME — make check in build/NAME, keeping every test log
check() {
	name=$1
	echo "== make check ($name)"
	if ! (cd "build/$name" && make -j"$(nproc)" check >"$logs/$name-check.out" 2>&1); then
		status=1
		grep -E '^(FAIL|ERROR|XPASS)' "$logs/$name-check.out" || tail -n 30 "$logs/$name-check.out"
		diagnostics "build/$name/tests"
	fi
	grep -E '^# (TOTAL|PASS|FAIL|ERROR)' "$logs/$name-check.out" | sed "s/^/   $name: /" || true
	mkdir -p "$logs/$name" && (cd "build/$name" && find . -name '*.log' -exec cp --parents {} "$logs/$name/" \;)
	grep -h 'Synthesis:' $(find "$logs/$name" -name '*.log') 2>/dev/null | sed "s/^/   $name: /" || true
}

# The daemon's integration tests once more, every daemon under valgrind's
# memcheck.  Each log must end with "0 errors", leaks counting as errors
# (tests/valgrind.supp: what libpq's libraries keep for the process); a
# daemon a test killed with -9 leaves no summary.
valgrind_pass() {
	vg="$top/build/valgrind" && rm -rf "$vg" && mkdir -p "$vg" && chmod 1777 "$vg"
	echo "== make check under valgrind (gcc): the daemon integration tests"
	(cd build/gcc && CLAIMSCRUB_VALGRIND="$vg" make -j"$(nproc)" check TESTS="$(echo $VALGRIND_TESTS)" \
		>"$logs/valgrind-check.out" 2>&1) ||
		{ status=1; grep -E '^(FAIL|ERROR)' "$logs/valgrind-check.out"; diagnostics build/gcc/tests; }
	grep -E '^# (TOTAL|PASS|FAIL|ERROR)' "$logs/valgrind-check.out" | sed 's/^/   valgrind: /'
	n=0 sum=0 bad=0
	for f in "$vg"/vg.*.log; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		grep -q 'ERROR SUMMARY' "$f" || continue
		sum=$((sum + 1))
		grep -q 'ERROR SUMMARY: 0 errors' "$f" || bad=$((bad + 1))
	done
	echo "   valgrind: $n daemon processes, $sum ran to exit, $bad with errors or leaks ($((n - sum)) killed with -9)"
	if [ "$n" -eq 0 ] || [ "$bad" -ne 0 ]; then
		status=1
		grep -h -B2 -A12 -E 'Invalid|uninitialised|are (still reachable|definitely lost|indirectly lost|possibly lost)' "$vg"/* | head -n 60
	fi
}
# every suite that starts a daemon, but valgrind.sh (it runs valgrind
# itself), http-hostile.sh and locks.sh (they measure the daemon's memory)
# and credential.sh (it starts the daemon through setpriv, as another user)
VALGRIND_TESTS="tests/pg/fault-pg.sh tests/pg/fault-kill9.sh
	tests/pg/fault-daemons.sh tests/pg/fault-signals.sh tests/pg/fault-diskfull.sh
	tests/pg/crash-batch.sh tests/pg/two-daemons.sh tests/pg/restart.sh
	tests/pg/golden.sh tests/pg/bad-rows.sh tests/pg/rescrub.sh tests/pg/roles.sh
	tests/pg/listen.sh tests/pg/notify.sh tests/pg/reload.sh tests/pg/http.sh
	tests/pg/review.sh tests/pg/tls.sh tests/pg/hostile.sh tests/pg/web.sh
	tests/pg/stall.sh tests/pg/upgrade.sh tests/pg/workflow.sh
	tests/pg/review-cli.sh tests/pg/intake.sh tests/pg/marwait.sh tests/pg/mllp.sh"
build gcc CC=gcc --enable-werror && check gcc && valgrind_pass
build clang CC=clang --enable-werror
build asan CC=clang --enable-sanitizers --enable-werror && \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 check asan

# libFuzzer: the nine fuzzers of tests/fuzz/ for 45 s each, in build/fuzz
# (clang); a crash, leak, timeout or out-of-memory fails the run.  (45 s
# keeps the nine within the seven minutes seven took at 60 s, and CI
# within its time.)
echo "== fuzz (tests/fuzz/run.sh 45)"
rm -rf build/fuzz
if ! tests/fuzz/run.sh -b build/fuzz 45 >"$logs/fuzz.out" 2>&1; then
	status=1
	grep -v '^fuzz_.*s executions' "$logs/fuzz.out" | grep -v '^== fuzz' | tail -n 30
fi
sed -n '/^== fuzz summary/,$p' "$logs/fuzz.out" | sed '1d; s/^/   /'

echo "== make distcheck"
if (cd build/gcc && make distcheck >"$logs/distcheck.out" 2>&1); then
	grep -A 1 'archives ready' "$logs/distcheck.out"
else
	status=1; tail -n 40 "$logs/distcheck.out"
fi

# The Debian package (tests/package.sh, TAP): built from the distribution
# tree of build/gcc, lintian-clean, installed on this machine, the samples
# scrubbed by the installed daemon, purged.  Under a minute (30-60 s).
echo "== package (tests/package.sh)"
pkg_t0=$(date +%s)
mkdir -p "$logs/package"
# the test installs with `sudo -n` when not root: renew sudo's ticket here,
# which the half hour of tests before may have outlived
[ "$(id -u)" = 0 ] || sudo -v || true
[ -f build/gcc/Makefile ] && pkg_build=$top/build/gcc || pkg_build=""
if ! CLAIMSCRUB_BUILDDIR=$pkg_build timeout -k 10 1800 tests/package.sh \
	>"$logs/package/package.log" 2>&1; then
	status=1
	diagnostics "$logs/package"
	grep -q '^not ok' "$logs/package/package.log" || tail -n 20 "$logs/package/package.log"
fi
sed -n 's/^# package: /   package: /p' "$logs/package/package.log"
echo "   package: $(($(date +%s) - pkg_t0)) s"

# One closing line for the whole run, from automake's per-build summaries.
pass=0 fail=0
for f in "$logs"/*-check.out; do
	p=$(sed -n 's/^# PASS: *//p' "$f" | head -n 1); pass=$((pass + ${p:-0}))
	for k in FAIL ERROR XPASS; do
		v=$(sed -n "s/^# $k: *//p" "$f" | head -n 1); fail=$((fail + ${v:-0}))
	done
done
# the package stage's TAP points, one by one as automake counts them
# (grep -c prints 0 and fails when nothing matches; nothing when no log)
pkg_ok=$(grep -c '^ok ' "$logs/package/package.log" 2>/dev/null) || pkg_ok=${pkg_ok:-0}
pkg_bad=$(grep -c '^not ok ' "$logs/package/package.log" 2>/dev/null) || pkg_bad=${pkg_bad:-0}
pass=$((pass + pkg_ok)) fail=$((fail + pkg_bad))
[ "$status" = 0 ] || [ "$fail" -gt 0 ] || fail=1
echo "$pass passed, $fail failed"
exit "$status"
