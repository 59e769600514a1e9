#!/bin/sh
# unit-run.sh — how `make check` runs a Criterion unit test (LOG_COMPILER in
# Makefile.am): under timeout(1), so a test caught in an endless loop fails
# the program (exit 124) instead of hanging the suite.
#
#   unit-run.sh PROGRAM [ARG...]
#
# Criterion 2.4's own --timeout cannot do this: it only lowers the timeouts
# tests set themselves (`.timeout`), and ours set none (Criterion issue
# #279).  So the bound is on the whole program, and --verbose prints a
# `[RUN ]` line as each test starts: the one stuck is the one that never
# gets a result.  UNIT_TIMEOUT (seconds) overrides the table below.
set -u
prog=$1
shift

# Seconds the program may take: generous, for a loaded machine running the
# suite in parallel under ASan (tests/run-all.sh), where the slowest of
# these takes a few seconds; the property test scrubs 20,000+ generated
# claims and their fixes (issue 13).
case ${prog##*/} in
test_property*) limit=300 ;;
*) limit=60 ;;
esac
limit=${UNIT_TIMEOUT:-$limit}

timeout -k 10 "$limit" "$prog" --verbose "$@"
status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
	echo "unit-run.sh: ${prog##*/} did not finish in $limit s: a test is" \
		"stuck (its [RUN ] line above has no result)" >&2
fi
exit "$status"
