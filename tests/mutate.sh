#!/bin/sh
# mutate.sh — mutation testing of the engine (`make mutate`; not part of
# `make check`).  Each mutant listed in tests/mutants.txt is a one-place edit
# of derive.c or compare.c that breaks one rule; the fast tests must notice
# every one of them, or they do not pin that rule.
#
#   tests/mutate.sh [N | N-M]...       every mutant, or those numbered so
#
# tests/mutants.txt holds one mutant a line (blank lines and `#` comments
# aside), four fields separated by tabs:
#
#   FILE<TAB>ORIGINAL TEXT<TAB>MUTATED TEXT<TAB>what it breaks
#
# FILE is relative to the source tree; ORIGINAL must occur exactly once in it
# (in both texts \n stands for a newline, \t for a tab, \\ for a backslash),
# else the mutant is `STALE` (a list that drifted from the code must not pass
# silently).  The tree is copied once to a temporary directory (git's files,
# tracked and untracked but not ignored; else the tree less its builds),
# autoreconf'd, configured and built there; then each mutant is applied in the
# copy, the test programs and the CLI rebuilt (`make -j$MUTATE_JOBS`), and the
# fast tests run, each under timeout(1): tests/unit/test_golden, test_compare,
# test_derive, test_property (when it builds) and tests/golden.sh (its cases
# split over $MUTATE_JOBS runs side by side).  A mutant is `killed` when a
# test fails (the first that does is named; MUTATE_ALL=1 runs and names every
# one), `SURVIVED` when all pass; one that does not compile is an `ERROR` in
# the list, never a kill.  The file is restored after each.
#
# Ends with `mutants: K killed of N`; exits 0 only when every mutant was
# killed (none survived, none stale, none in error), 2 when the copy does not
# build or the unmutated tests fail.
#
# Environment: MUTANTS (the list; default tests/mutants.txt), MUTATE_JOBS
# (make -j and Criterion's --jobs, default 2), MUTATE_TIMEOUT (seconds a test
# program, and each Criterion test, may take; default 120), MUTATE_ALL=1,
# MUTATE_KEEP=1 (keep the copy and its logs in $TMPDIR), MUTATE_BASELINE=
# compare (a tree in the middle of an edit: see "the unmutated tests" below).
set -u
LC_ALL=C
export LC_ALL
srcdir=$(cd "$(dirname "$0")/.." && pwd) || exit 2
list=${MUTANTS:-$srcdir/tests/mutants.txt}
jobs=${MUTATE_JOBS:-2}
limit=${MUTATE_TIMEOUT:-120}
started=$(date +%s)

[ -r "$list" ] || { echo "mutate: $list: cannot read" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/claimscrub-mutate.XXXXXX") || exit 2
if [ "${MUTATE_KEEP:-}" = 1 ]; then
	echo "# copy kept in $work"
else
	trap 'rm -rf "$work"' EXIT
	trap 'exit 130' INT TERM
fi
src=$work/src
logs=$work/logs
mkdir -p "$src" "$logs" || exit 2

die() { echo "mutate: $*" >&2; exit 2; }

# ---- the copy ---------------------------------------------------------------
echo "# copying $srcdir"
if git -C "$srcdir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# tracked and untracked files, less ignored ones and files deleted in
	# the work tree but still in the index
	(cd "$srcdir" && git ls-files -z --cached --others --exclude-standard |
		tr '\0' '\n' | while IFS= read -r f; do
			[ -f "$f" ] && printf '%s\n' "$f"; done |
		tar -cf - -T -) | tar -C "$src" -xf - || die "copying the tree failed"
else
	(cd "$srcdir" && tar -cf - --exclude=./build --exclude=autom4te.cache \
		--exclude=.deps --exclude='*.o' --exclude='*.a' \
		--exclude=Makefile --exclude=config.status --exclude=config.log \
		--exclude=config.h --exclude=stamp-h1 .) |
		tar -C "$src" -xf - || die "copying the tree failed"
fi

echo "# configuring and building the copy"
(cd "$src" && autoreconf -fi && ./configure -q) >"$logs/configure" 2>&1 ||
	{ tail -n 20 "$logs/configure" >&2; die "the copy does not configure"; }

units="test_derive test_compare test_golden test_property"
targets="cli/claimscrub"
for u in $units; do targets="$targets tests/unit/$u"; done
(cd "$src" && make -k -j"$jobs" $targets) </dev/null >"$logs/build" 2>&1
[ -x "$src/cli/claimscrub" ] ||
	{ tail -n 20 "$logs/build" >&2; die "the CLI does not build"; }
targets="cli/claimscrub" have=""
for u in $units; do
	if [ -x "$src/tests/unit/$u" ]; then
		targets="$targets tests/unit/$u" have="$have $u"
	elif [ "$u" = test_property ]; then
		echo "# tests/unit/test_property does not build: left out"
	else
		tail -n 20 "$logs/build" >&2; die "tests/unit/$u does not build"
	fi
done

# ---- the tests --------------------------------------------------------------
# The order: quickest first (test_golden checks every case's hand-written
# headers in a fraction of a second; golden.sh runs the CLI once per case).
tests=""
for t in test_golden test_compare test_derive test_property golden.sh; do
	case " $have golden.sh " in *" $t "*) tests="$tests $t" ;; esac
done
# golden.sh's cases in $jobs shares, run side by side
cases=$(cd "$src/tests/cases" && ls *.yaml | sed 's/\.yaml$//')

# run_test NAME LOG — runs one test program of the copy; its status
run_test() {
	case $1 in
	golden.sh)
		_j=0
		while [ "$_j" -lt "$jobs" ]; do
			_share=$(echo "$cases" | awk -v j="$jobs" -v k="$_j" 'NR % j == k')
			(cd "$src" && CLAIMSCRUB="$src/cli/claimscrub" \
				CLAIMSCRUB_SRCDIR="$src" \
				timeout -k 10 "$limit" sh tests/golden.sh $_share; \
				echo "exit $?") >"$2.part.$_j" 2>&1 </dev/null &
			_j=$((_j + 1))
		done
		wait
		cat "$2".part.* >"$2"; rm -f "$2".part.*
		! grep -q '^exit [^0]' "$2"
		;;
	*)
		(cd "$src" && CLAIMSCRUB_SRCDIR="$src" \
			timeout -k 10 "$limit" "tests/unit/$1" \
			--timeout "$limit" --jobs "$jobs") >"$2" 2>&1 </dev/null
		;;
	esac
}

# norm LOG — a test's output less what changes from run to run (timings,
# the copy's path), lines sorted (parallel tests interleave)
norm() {
	sed -e 's/([0-9.]*s)//g' -e "s|$work|WORK|g" "$1" | sort
}

# The unmutated copy must pass, or a "kill" means nothing.  With
# MUTATE_BASELINE=compare (a tree in the middle of an edit), a test that
# already fails takes part when its output is the same on two runs, and
# kills a mutant when its output differs from that (the exit stays 1).
echo "# the unmutated tests:$tests"
base_failed=""
for t in $tests; do
	run_test "$t" "$logs/base-$t" && continue
	if [ "${MUTATE_BASELINE:-}" != compare ]; then
		tail -n 20 "$logs/base-$t" >&2
		die "$t fails without a mutant (MUTATE_BASELINE=compare compares outputs instead)"
	fi
	run_test "$t" "$logs/base2-$t"
	norm "$logs/base-$t" >"$logs/base-$t.norm"
	if norm "$logs/base2-$t" | cmp -s - "$logs/base-$t.norm"; then
		echo "# $t fails without a mutant: its output is the reference"
		base_failed="$base_failed $t"
	else
		echo "# $t fails without a mutant, differently on each run: left out"
		tests=$(echo " $tests " | sed "s/ $t / /")
	fi
done
[ -z "$base_failed" ] || echo "# (a run against a failing tree proves nothing: the exit is 1)"

# passes TEST LOG — the test's status against a mutant: 0 when it does not
# notice it (passes; or fails at the baseline and prints the same)
passes() {
	case " $base_failed " in
	*" $1 "*)
		run_test "$1" "$2"
		norm "$2" | cmp -s - "$logs/base-$1.norm"
		;;
	*) run_test "$1" "$2" ;;
	esac
}
base_time=$(($(date +%s) - started))
echo "# copy built and tested in ${base_time}s"

# ---- the mutants ------------------------------------------------------------
# wanted N — true when mutant N was asked for (or nothing was)
wanted() {
	[ $# -gt 1 ] || return 0
	_n=$1; shift
	for _r in "$@"; do
		case $_r in
		*-*) [ "$_n" -ge "${_r%-*}" ] && [ "$_n" -le "${_r#*-}" ] && return 0 ;;
		*) [ "$_n" -eq "$_r" ] && return 0 ;;
		esac
	done
	return 1
}

# apply FILE ORIGINAL MUTATED — replaces ORIGINAL, which must occur exactly
# once; exit 3 when it does not.  In both texts \n is a newline, \t a tab
# and \\ a backslash, so a mutant can name a few lines of context.
apply() {
	ORIG=$2 MUT=$3 perl -0777 -i -pe '
		BEGIN {
			sub unesc { my $s = shift;
				$s =~ s/\\([nt\\])/$1 eq "n" ? "\n" : $1 eq "t" ? "\t" : "\\"/ge;
				return $s; }
			($o, $m) = (unesc($ENV{ORIG}), unesc($ENV{MUT}));
		}
		my $n = () = /\Q$o\E/g;
		if ($n != 1) { print STDERR "found $n times\n"; exit 3; }
		s/\Q$o\E/$m/;' "$1"
}

tab=$(printf '\t')
n=0 killed=0 survived=0 stale=0 errors=0
while IFS= read -r line || [ -n "$line" ]; do
	case $line in '' | '#'*) continue ;; esac
	n=$((n + 1))
	wanted "$n" "$@" || continue
	# split on tabs by hand: read(1) would merge empty fields
	file=${line%%"$tab"*} rest=${line#*"$tab"}
	orig=${rest%%"$tab"*} rest=${rest#*"$tab"}
	mut=${rest%%"$tab"*} what=${rest#*"$tab"}
	[ "$what" != "$rest" ] || what=""
	tag=$(printf '%3d  %-18s %s' "$n" "$file" "$what")
	if [ -z "$what" ] || [ -z "$orig" ] || [ "$orig" = "$mut" ]; then
		echo "STALE    $tag (not FILE<TAB>ORIGINAL<TAB>MUTATED<TAB>WHAT)"
		stale=$((stale + 1)); continue
	fi
	case $file in /* | *..*) echo "STALE    $tag (FILE outside the tree)"
		stale=$((stale + 1)); continue ;; esac
	if [ ! -f "$src/$file" ]; then
		echo "STALE    $tag ($file: no such file)"
		stale=$((stale + 1)); continue
	fi
	cp "$src/$file" "$work/pristine"
	if ! apply "$src/$file" "$orig" "$mut" 2>"$logs/apply"; then
		echo "STALE    $tag (ORIGINAL: $(cat "$logs/apply"))"
		stale=$((stale + 1)); cp "$work/pristine" "$src/$file"; continue
	fi
	if ! (cd "$src" && make -j"$jobs" $targets) </dev/null \
		>"$logs/m$n-build" 2>&1; then
		echo "ERROR    $tag (does not compile:" \
			"$(grep -m 1 'error' "$logs/m$n-build" | sed 's|.*/scrubber/|scrubber/|'))"
		errors=$((errors + 1))
	else
		by=""
		for t in $tests; do
			if ! passes "$t" "$logs/m$n-$t"; then
				by="$by $t"
				[ "${MUTATE_ALL:-}" = 1 ] || break
			fi
		done
		if [ -n "$by" ]; then
			echo "killed   $tag  [by$by]"
			killed=$((killed + 1))
		else
			echo "SURVIVED $tag"
			survived=$((survived + 1))
		fi
	fi
	# a fresh mtime, so the next build compiles the original again
	cat "$work/pristine" >"$src/$file"
	touch "$src/$file"
done <"$list"

total=$((killed + survived + stale + errors))
echo "# ${survived} survived, ${stale} stale, ${errors} in error; $(($(date +%s) - started))s"
echo "mutants: $killed killed of $total"
[ "$total" -gt 0 ] && [ "$killed" -eq "$total" ] && [ -z "$base_failed" ]
