#!/bin/sh
# parity.sh — claimscrub.submit() judges a document as `claimscrub check`
# does (issue 19, item 2).  submit() is a public door, so it keeps checks of
# its own in PL/pgSQL; this test pins them to the C reader with the golden
# corpus: every document of every tests/cases/*.yaml goes to `claimscrub
# check` and, as JSON, to submit() called as claimscrub_submitter.  Both
# must accept it or both refuse it, and when they refuse, submit()'s error
# must name the field check's error points at: the node at check's
# LINE:COLUMN, as a path in submit()'s form (`lines[2].units`, 1-based;
# `administrations[1]` for a mapping missing a key; the key's mapping for an
# unknown key) and, when check names a key ('id'), that key too.
#
# The JSON is the document as a JSON reader sees it (tests/doc-json.c:
# plain null/true/false/numbers typed, every other scalar a string), not
# `claimscrub submit`'s canonical JSON: that reads each document as check
# does and never sends a bad one.  A few cases are about syntax only a
# file has; they have no JSON form and are listed below with the reason.
# The list is held to the corpus: a name that is not a case, or a case
# whose file does have a JSON form, fails the test.  (The corpus's *.json
# files are check's expected outputs, not documents.)  Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

: "${CLAIMSCRUB_BUILDDIR:=.}"
DOC_JSON=$CLAIMSCRUB_BUILDDIR/tests/doc-json
[ -x "$DOC_JSON" ] || setup_failed "the helper is missing: $DOC_JSON (run make check, which builds it)"
DOC_JSON=$(cd "$(dirname "$DOC_JSON")" && pwd)/doc-json
cases=$src/tests/cases

# NAME: why its text cannot reach submit() as a JSON document
syntax_only="b-anchor-alias: a YAML anchor and alias; JSON has neither
b-bad-indentation: block indentation; JSON has none
b-binary: bytes that are not UTF-8; no JSON text (and no jsonb) can hold them
b-duplicate-key: a key given twice in one mapping; jsonb keeps the last and submit() never sees the first (claimscrub submit refuses the file before sending)
b-empty: no document at all, so nothing to send
b-tab: a tab in block indentation; JSON has no indentation
b-unclosed-quote: a quoted scalar never closed; no JSON form"

# ---- the list of syntax-only cases is held to the corpus ----------------------------
listed=$(printf '%s\n' "$syntax_only" | sed 's/:.*//')
bad_names=""
for nm in $listed; do [ -f "$cases/$nm.yaml" ] || bad_names="$bad_names $nm"; done
if [ -z "$bad_names" ]; then ok "every syntax-only case listed ($(echo $listed | wc -w)) is a case of tests/cases"; else
	not_ok "every syntax-only case listed is a case of tests/cases" "no such case:$bad_names"; fi

# ---- a submit() that reports instead of raising ----------------------------------------
# (one session for the whole corpus; each call in a subtransaction, so a
# refused document changes nothing).  Invoker's rights: it runs as
# claimscrub_submitter, which may execute submit() and nothing else of the
# schema, as a client of the door would.
psql_val "
CREATE FUNCTION public.parity_submit(d text) RETURNS text
LANGUAGE plpgsql AS \$\$
BEGIN
	RETURN 'accepted ' || claimscrub.submit(d::jsonb);
EXCEPTION WHEN OTHERS THEN
	RETURN 'refused ' || SQLERRM;
END \$\$;
GRANT EXECUTE ON FUNCTION public.parity_submit(text) TO claimscrub_submitter;" >/dev/null ||
	setup_failed "cannot create public.parity_submit"

# ---- every case through check and doc-json ---------------------------------------------
mkdir "$T/docs" "$T/check"
: >"$T/submit.sql"
: >"$T/docs.list"   # NAME K FIRST-LINE, one a document
ndocs=0 ncases=0 nsyntax=0
not_syntax="" unlisted=""
for f in "$cases"/*.yaml; do
	nm=$(basename "$f" .yaml)
	ncases=$((ncases + 1))
	(cd "$cases" && run "$CLAIMSCRUB" check --format json --rules ../../rules.d --rules rules "$nm.yaml") \
		</dev/null >"$T/check/$nm.out" 2>"$T/check/$nm.err"
	echo $? >"$T/check/$nm.rc"
	(cd "$cases" && run "$DOC_JSON" "$nm.yaml") </dev/null >"$T/check/$nm.docs" 2>"$T/check/$nm.dj"
	djrc=$?
	case " $(echo $listed) " in *" $nm "*) is_listed=1 ;; *) is_listed="" ;; esac
	if [ "$djrc" = 1 ] || { [ "$djrc" = 0 ] && [ ! -s "$T/check/$nm.docs" ]; }; then
		[ -n "$is_listed" ] || unlisted="$unlisted $nm"
		nsyntax=$((nsyntax + 1))
		continue
	fi
	if [ "$djrc" != 0 ]; then
		not_ok "doc-json reads $nm.yaml" "exit $djrc: $(head -c 200 "$T/check/$nm.dj")"
		continue
	fi
	[ -n "$is_listed" ] && not_syntax="$not_syntax $nm"
	k=0
	while IFS='	' read -r first json; do
		k=$((k + 1))
		printf '%s\n' "$json" >"$T/docs/$nm.$k.json"
		echo "$nm $k $first" >>"$T/docs.list"
		printf "\\\\set d \`cat '%s'\`\nSELECT '%s', %s, public.parity_submit(:'d');\n" \
			"$T/docs/$nm.$k.json" "$nm" "$k" >>"$T/submit.sql"
		ndocs=$((ndocs + 1))
	done <"$T/check/$nm.docs"
done
if [ -z "$not_syntax" ]; then ok "every listed case has no JSON form (a syntax case)"; else
	not_ok "every listed case has no JSON form (a syntax case)" "these read as documents:$not_syntax"; fi
if [ -z "$unlisted" ]; then ok "every case with no JSON form is listed with its reason"; else
	not_ok "every case with no JSON form is listed with its reason" "not listed:$unlisted" \
		"$(for u in $unlisted; do head -n 1 "$T/check/$u.dj"; done)"; fi
# a syntax-only case is one check refuses
refused_all=""
for nm in $listed; do
	[ -f "$T/check/$nm.rc" ] && [ "$(cat "$T/check/$nm.rc")" = 2 ] && [ -s "$T/check/$nm.err" ] ||
		refused_all="$refused_all $nm"
done
if [ -z "$refused_all" ]; then ok "check refuses every syntax-only case (exit 2)"; else
	not_ok "check refuses every syntax-only case (exit 2)" "not refused:$refused_all"; fi

# ---- every document through submit(), in one session, as the submitter -----------------
{ echo "SET ROLE claimscrub_submitter;"; cat "$T/submit.sql"; } >"$T/submit-all.sql"
timeout 300 "$PSQL" -X -q -At -F '	' -v ON_ERROR_STOP=1 -f "$T/submit-all.sql" \
	</dev/null >"$T/submit.out" 2>"$T/submit.err" ||
	setup_failed "running submit() over the corpus failed: $(head -c 300 "$T/submit.err")"
[ "$(wc -l <"$T/submit.out")" -eq "$ndocs" ] ||
	setup_failed "submit() gave $(wc -l <"$T/submit.out") answers for $ndocs documents"

# ---- compare, document by document ------------------------------------------------------
# check's errors of document K of NAME: those on lines from its first line
# to the next document's
errors_of() { # NAME K
	_next=$(awk -v n="$1" -v k="$(($2 + 1))" '$1 == n && $2 == k { print $3 }' "$T/docs.list")
	_first=$(awk -v n="$1" -v k="$2" '$1 == n && $2 == k { print $3 }' "$T/docs.list")
	sed -n "s/^$1\\.yaml:\\([0-9]*\\):\\([0-9]*\\): error: \\(.*\\)/\\1 \\2 \\3/p" "$T/check/$1.err" |
		awk -v a="$_first" -v b="${_next:-999999999}" '$1 >= a && $1 < b'
}
# the path check's error names: the node at LINE:COL that the message is
# about (a mapping for a missing key, a key for an unknown or duplicate
# one, else the value written there)
path_of() { # NAME LINE COL MESSAGE
	_c=$(cd "$cases" && run "$DOC_JSON" "$1.yaml" "$2:$3" </dev/null)
	case $4 in
	*"unknown key"* | *"duplicate key"*) printf '%s\n' "$_c" | sed -n 's/^key \([^ ]*\) .*/\1/p' | head -n 1 ;;
	*) printf '%s\n' "$_c" | sed -n 's/^value //p' | head -n 1 ;;
	esac
}
agree=0 refused_both=0 accepted_both=0
while IFS='	' read -r nm k answer; do
	errs=$(errors_of "$nm" "$k")
	case $answer in
	accepted*) sub=accepted ;;
	refused*) sub=refused ;;
	*) not_ok "$nm document $k: submit() answered" "$answer"; continue ;;
	esac
	if [ -z "$errs" ] && [ "$sub" = accepted ]; then
		accepted_both=$((accepted_both + 1)); agree=$((agree + 1)); continue
	fi
	if [ -z "$errs" ]; then
		not_ok "$nm document $k: check accepts it, submit() refuses it" "${answer#refused }"
		continue
	fi
	if [ "$sub" = accepted ]; then
		not_ok "$nm document $k: check refuses it, submit() accepts it" "check: $(printf '%s' "$errs" | head -n 1)"
		continue
	fi
	msg=${answer#refused }
	# any of check's errors of the document may be the one submit() met first
	named=""
	while read -r l c m; do
		p=$(path_of "$nm" "$l" "$c" "$m")
		key=$(printf '%s' "$m" | sed -n "s/.*key '\\([^']*\\)'.*/\\1/p")
		case $msg in "claim document: $p: "*) ;; *) continue ;; esac
		if [ -n "$key" ]; then case $msg in *"'$key'"*) ;; *) continue ;; esac; fi
		named=$p
		break
	done <<EOF
$errs
EOF
	if [ -n "$named" ]; then
		refused_both=$((refused_both + 1)); agree=$((agree + 1))
		ok "$nm document $k: both refuse it, naming $named: $(printf '%s' "$msg" | cut -c 1-90)"
	else
		not_ok "$nm document $k: both refuse it, naming the same field" \
			"check:    $(printf '%s' "$errs" | head -n 2)" \
			"expected: $(l=${errs%% *}; r=${errs#* }; c=${r%% *}; path_of "$nm" "$l" "$c" "${r#* }")" \
			"submit(): $msg"
	fi
done <"$T/submit.out"
if [ "$accepted_both" -gt 0 ] && [ "$agree" -eq "$ndocs" ]; then
	ok "submit() and check agree on all $ndocs documents of $ncases cases: $accepted_both accepted by both, $refused_both refused by both naming the same field, $nsyntax cases syntax only"
else
	not_ok "submit() and check agree on every document" "$agree of $ndocs documents agree ($accepted_both accepted, $refused_both refused)"
fi
finish
