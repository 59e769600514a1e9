#!/bin/sh
# run.sh — builds the libFuzzer targets of tests/fuzz/ with clang and runs
# each for SECONDS (default 60), one after the other, from seed corpora made
# at run time from the golden cases, the examples, the rule files and the
# example configurations (claimrows: rows written here; x12: the 837
# samples of examples/x12/, also without line breaks and with CR LF; fhir:
# examples/fhir and resources written here; json: examples/fhir, each of its
# NDJSON lines, the expected results of tests/cases and texts written here;
# hl7: examples/hl7 with CR, CR LF, MLLP frames and a batch, and messages
# written here).
#
#   tests/fuzz/run.sh [-b BUILDDIR] [-n] [SECONDS [FUZZER...]]
#
#   -b BUILDDIR  build there (configured with CC=clang when it has no
#                Makefile yet); default: build/fuzz in the source tree
#   -n           do not build: the fuzzers are already in BUILDDIR
#                (`make fuzz` uses this)
#   FUZZER       some of: claimdoc rules config check claimrows x12 fhir
#                json hl7 (default: all nine)
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
names=${*:-claimdoc rules config check claimrows x12 fhir json hl7}

mkdir -p "$build" && build=$(cd "$build" && pwd) || exit 2
if [ "$do_build" = 1 ]; then
	echo "== building the fuzzers in $build"
	if [ ! -f "$build/Makefile" ]; then
		(cd "$build" && "$top/configure" -q CC=clang --enable-werror) || exit 2
	fi
	make -C "$build" -j"$(nproc)" fuzzers >"$build/fuzz-build.log" 2>&1 || {
		tail -n 30 "$build/fuzz-build.log"; echo "fuzzer build FAILED"; exit 2; }
fi

# claimrows_seeds DIR — rows of claim_batch() in fuzz_claimrows' encoding:
# '\t' between the fields (id kind seq, then the kind's own fields in the
# order of 008's f1..f9; a line's 4th is its service_date), '\n' after a
# row, 0x01 for NULL, 0x1b before a byte taken as it is (see fuzz_claimrows.c)
claimrows_seeds() {
	# claim 1: two lines (one with modifiers), two administrations;
	# claim 2: professional, no payer, provider or date
	{
		printf '1\t0\t0\t3\t1\tIC-2026-0301\tmedicare\tfacility\tNPI-1234567893\t2026-03-02\t\001\t\001\n'
		printf '1\t1\t1\t96365\t1\t{59,XS}\n'
		printf '1\t1\t2\tJ0696\t4\t\001\t2026-03-01\n'
		printf '1\t2\t1\tA1\tceftriaxone\ttherapeutic\tinfusion\tL-forearm\t2026-03-02T09:10\t2026-03-02T09:40\tt\tf\n'
		printf '1\t2\t2\tA2\tondansetron\ttherapeutic\tpush\tR-forearm\t2026-03-02T09:45\t\001\tf\tt\n'
		printf '2\t0\t0\t1\t2\tON-2026-1101\t\001\tprofessional\t\001\t\001\n'
		printf '2\t1\t1\t96374\t1\t\001\n'
		printf '2\t2\t1\tA1\tsaline\thydration\tinfusion\t\001\t2026-03-03T08:00\t2026-03-03T09:30\t\001\t\001\n'
	} >"$1/good.rows"
	# claim 3: its administrations are its encounter's MAR records (kind
	# 3, JSON as claimscrub.mar_event keeps them): a run of ceftriaxone, a
	# push, and a record whose drug no mar_map row has
	{
		printf '3\t0\t0\t1\t1\tPC-2026-0301\t\001\tprofessional\t\001\t2026-03-02\tPC-2026-0301\t\001\t\001\t80\n'
		printf '3\t1\t1\t96365\t1\t\001\n'
		printf '3\t3\t1\t{"id":"ma-1","encounter":"PC-2026-0301","group":"MedicationRequest/mr-1","status":"completed","start":"2026-03-02T09:10:00-05:00","stop":"2026-03-02T09:40:00-05:00","drug":[{"system":"rxnorm","code":"1665005"}],"route":{"system":"snomed","code":"47625008"},"site":"left forearm","at":"b.ndjson:3:1"}\n'
		printf '3\t3\t2\t{"id":"ma-2","encounter":"PC-2026-0301","status":"completed","start":"2026-03-02T09:45:00-05:00","stop":"2026-03-02T09:45:00-05:00","instant":true,"drug":[],"drug_text":"ondansetron","route_text":"IV","method_text":"IV push","at":"b.ndjson:4:1"}\n'
		printf '3\t3\t3\t{"id":"ma-3","encounter":"PC-2026-0301","status":"in-progress","start":"2026-03-02T10:00:00Z","drug":[{"system":"other","uri":"urn:x","code":"Q9","display":"\\u00e9"}],"at":"x"}\n'
	} >"$1/mar.rows"
	# NULL everywhere: required columns, the head columns, whole rows
	{
		printf '1\t0\t0\t\001\t\001\t\001\t\001\t\001\t\001\t\001\t\001\t\001\n'
		printf '1\t1\t1\t\001\t\001\t\001\n'
		printf '1\t2\t1\t\001\t\001\t\001\t\001\t\001\t\001\t\001\t\001\t\001\n'
		printf '\001\t0\t0\t1\t1\tR\n'
		printf '2\t\001\t\001\t1\t1\tR\n'
		printf '3\t0\t0\t1\t1\tR\t\001\tfacility\n'
		printf '3\t1\n\n\001\n'
	} >"$1/nulls.rows"
	# the modifiers column (text[] output) in every shape, and malformed
	{
		printf '1\t0\t0\t1\t1\tMODS\tmedicare\tfacility\n'
		for m in '{59,XS}' '{"a b",NULL}' '{{a,b},{c,d}}' '[0:1]={59,XS}' \
			'[1:2][1:2]={{a,b},{c,d}}' '{}' '{NULL}' '{"NULL"}' \
			'{"\"q\"","back\\slash"}' '{{{{{{{{x}}}}}}}}' '{59,XS' \
			'{,}' '{"unterminated' '59' '[0:1]' '{a,{b},"c"}' '{25}'; do
			printf '1\t1\t1\t96365\t1\t%s\n' "$m"
		done
	} >"$1/modifiers.rows"
	# hostile text: quotes, backslashes, escaped tab and newline, control
	# bytes, invalid UTF-8, odd numbers and booleans, rows out of order
	{
		printf '1\t1\t1\torphan line\n'
		printf '1\t0\t0\t-1\t99999999999999999999\ta"b\\c\033\td\033\ne\002\177\tpay\377\376er\tfacility\t\303\t2026-02-30\n'
		printf '1\t1\t1\t"96365"\t1e3\t{"\\\\",\033\001}\n'
		printf '1\t1\t2\t96365\t-4\t{\377,"\303"}\n'
		printf '1\t2\t1\tA1\tx\tchemotherapy\tsubcutaneous\t\tnot a time\t2026-03-02T25:00\ttrue\tx\n'
		printf '1\t1\t3\tlate line\n'
		printf '2\t0abc\t0\t1\t1\tR2\t\001\tprofessional\n'
		printf '3\t1\t1\tother claim\n'
		printf '2\t2\t1\tA1\tx\thydration\n'
		printf '00\t00\t0\t1\t1\t\033\001\tmedicare\tfacility\n'
	} >"$1/hostile.rows"
	# many rows: 300 lines and administrations; 10001 lines (past the
	# reader's limit); 10001 administrations with one id
	{
		printf '1\t0\t0\t1\t1\tMANY\tmedicare\tfacility\n'
		i=0
		while [ $i -lt 300 ]; do
			printf '1\t1\t%d\t96365\t%d\t{59}\n' $i $((i % 7 + 1))
			i=$((i + 1))
		done
		i=0
		while [ $i -lt 300 ]; do
			printf '1\t2\t%d\tA%d\tsaline\thydration\n' $i $i
			i=$((i + 1))
		done
	} >"$1/many.rows"
	{
		printf '1\t0\t0\t1\t1\tLINES\n'
		awk 'BEGIN { for (i = 0; i < 10001; i++) print "1\t1" }'
	} >"$1/lines-limit.rows"
	{
		printf '1\t0\t0\t1\t1\tADMINS\n'
		awk 'BEGIN { for (i = 0; i < 10001; i++) print "1\t2" }'
	} >"$1/admins-limit.rows"
	# rows cut at the rules' limits (cut_lines, cut_administrations of the
	# claim's row, as read_claims() gives them): one line past the cut, the
	# administrations at it; then a claim with both past a cut of 0
	{
		printf '1\t0\t0\t1\t1\tCUT\tmedicare\tfacility\t\001\t\001\t2\t1\n'
		printf '1\t1\t1\t96365\t1\n1\t1\t2\t96365\t1\n1\t1\t3\t96365\t1\n'
		printf '1\t2\t1\tA1\tsaline\thydration\n'
		printf '2\t0\t0\t1\t1\tCUT0\t\001\tfacility\t\001\t\001\t0\t0\n'
		printf '2\t1\t1\t96365\t1\n2\t2\t1\tA1\tsaline\thydration\n'
	} >"$1/cut.rows"
	# wide modifiers literals, 12000 elements: nested arrays, empty and
	# escaped quoted strings (a parser that sizes each array, or each
	# quoted element, by the rest of the text is quadratic here)
	n=0
	for w in '{},' '"",' '"\\",'; do
		n=$((n + 1))
		{
			printf '1\t0\t0\t1\t1\tWIDE\tmedicare\tfacility\n'
			printf '1\t1\t1\t96365\t1\t{'
			W=$w awk 'BEGIN { for (i = 0; i < 12000; i++)
				printf "%s", ENVIRON["W"] }'
			printf '{}}\n'
		} >"$1/wide-modifiers-$n.rows"
	done
}

# fhir_seeds DIR — the samples of examples/fhir, each NDJSON line alone,
# and resources that take each refusal (a period ending before its start,
# a date without a time, a reference outside the resource, a context that
# is not an Encounter, a missing status), one per file
fhir_seeds() {
	cp "$top"/examples/fhir/* "$1"/
	i=0
	while IFS= read -r line; do
		i=$((i + 1))
		printf '%s\n' "$line" >"$1/line-$i.ndjson"
	done <"$top/examples/fhir/mar.ndjson"
	ma='{"resourceType":"MedicationAdministration","id":"ma-7",'
	drug='"medicationCodeableConcept":{"coding":[{"system":"http://hl7.org/fhir/sid/ndc","code":"1"}]}'
	ctx='"context":{"reference":"Encounter/e1"}'
	printf '%s"status":"stopped",%s,%s,"effectivePeriod":{"start":"2026-03-02T09:10:00Z","end":"2026-03-02T09:05:00+01:00"}}\n' \
		"$ma" "$drug" "$ctx" >"$1/end-before-start.ndjson"
	printf '%s"status":"completed",%s,%s,"effectiveDateTime":"2026-03-02"}\n' \
		"$ma" "$drug" "$ctx" >"$1/date-only.ndjson"
	printf '%s"status":"completed","medicationReference":{"reference":"#m"},"contained":[{"resourceType":"Medication","id":"m","code":{"text":"x"}}],"context":{"reference":"EpisodeOfCare/1"},"effectiveDateTime":"2026-03-02T09:10:00.5Z"}\n' \
		"$ma" >"$1/contained.ndjson"
	printf '{"resourceType":"Bundle","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Encounter","id":"e1"}},{"resource":%s"status":"in-progress",%s,"context":{"reference":"urn:uuid:1"},"effectivePeriod":{"start":"2026-03-02T09:10:00Z"}}}]}\n' \
		"$ma" "$drug" >"$1/urn-bundle.json"
	printf '%s%s,%s}\n' "$ma" "$drug" "$ctx" >"$1/no-status.ndjson"
}

# json_seeds DIR — JSON texts: the FHIR samples and each NDJSON line, the
# expected results of tests/cases, and texts for each rule of json.h
# (escapes, surrogates, numbers, nesting, a byte order mark), good and bad
json_seeds() {
	cp "$top"/examples/fhir/* "$1"/
	i=0
	while IFS= read -r line; do
		i=$((i + 1))
		printf '%s\n' "$line" >"$1/line-$i.json"
	done <"$top/examples/fhir/mar.ndjson"
	for f in "$top"/tests/cases/*.json; do
		[ -s "$f" ] && cp "$f" "$1/case-$(basename "$f")"
	done
	printf '["\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00 \\u0000"]' >"$1/escapes.json"
	printf '{"a":[-0,1.5e+300,-2E-7,123456789012345678901234567890],"b":{"c":[true,false,null,{}]}}' >"$1/numbers.json"
	printf '\357\273\277{\n\t"k\177": "caf\303\251 \360\237\230\200"\r\n}\n' >"$1/bom-utf8.json"
	printf '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]' >"$1/deep.json"
	printf '{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,"a":18}' >"$1/duplicate-wide.json"
	printf '{"id":}' >"$1/no-value.json"
	printf '[1,2,]' >"$1/trailing-comma.json"
	printf '// c\n{"a":\047b\047}' >"$1/comment-quote.json"
	printf '"\\ud83d x"' >"$1/lone-surrogate.json"
}

# hl7_seeds DIR — the sample of examples/hl7 with segments ending in LF,
# CR and CR LF, in MLLP frames and a batch, each message alone, other
# delimiters, escapes, and messages that take refusals (a time without an
# offset, an RXA without its RXR, bad encoding characters)
hl7_seeds() {
	s=$top/examples/hl7/ras-sample.hl7
	cp "$s" "$1/"
	tr '\n' '\r' <"$s" >"$1/cr.hl7"
	sed 's/$/\r/' "$s" >"$1/crlf.hl7"
	awk '/^MSH/ { printf "\034\r\013" } { printf "%s\r", $0 } END { printf "\034\r" }' "$s" |
		tail -c +3 >"$1/mllp.hl7"
	{ printf 'FHS|^~\\&\rBHS|^~\\&\r'; tr '\n' '\r' <"$s"; printf 'BTS|5\rFTS|1\r'; } >"$1/batch.hl7"
	awk -v d="$1" '/^MSH/ { n++ } { print > (d "/message-" n ".hl7") }' "$s"
	h=$(printf 'MSH|^~\\&|A|B|C|D|20260302-0500||RAS^O17|m|P|2.5.1\rPV1|1|O|||||||||||||||||e~f\rORC|RE||ph-1||HD\r')
	printf '%sRXA|0|1|202603020910-0500||1^a\\F\\b\\X41\\^RXNORM|1|g|||||||||||||PA|U\rRXR|IV|^arm\r' "$h" >"$1/escapes.hl7"
	printf '%sRXA|0|1|202603020910-0500|202603020905-0500|^text|1\rRXA|0|2|20260302|\r' "$h" >"$1/refused.hl7"
	printf 'MSH#@*!%%#A######RAS@O17#m#P#2.4\rPV1#1##################e\rORC#RE#1\rRXA#0#1#202603020910+0000##x!T!y\rRXR#PO\r' >"$1/other-delims.hl7"
	printf 'MSH|^~^&|A\rMSH|^~\\|B\rMSH|^~\\&|||||||ADT^A01\rPV1|1\r' >"$1/bad-msh.hl7"
}

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
		conf=$top/daemon/claimscrubd.yaml.in
		cp "$conf" "$2/shipped.yaml"
		# every key set: the commented defaults with the '#' taken off
		sed -n 's/^#\([a-z_]*: \)/\1/p' "$conf" >"$2/uncommented.yaml"
		printf 'database: "postgresql://u:secret@db/claims"\n' >"$2/uri.yaml"
		printf '{batch_size: 1, rules: [a, b], log_level: debug}\n' >"$2/flow.yaml"
		# claimscrub-web.yaml too (fuzz_config reads each input as both)
		web=$top/web/claimscrub-web.yaml
		cp "$web" "$2/web-shipped.yaml"
		sed -n 's/^#\([a-z_]*: [^ ]\)/\1/p' "$web" >"$2/web-uncommented.yaml"
		printf 'auth: proxy\nproxy_sources: "127.0.0.1 unix"\nlisten: unix:/run/w.sock\n' >"$2/web-proxy.yaml" ;;
	claimrows)
		claimrows_seeds "$2" ;;
	x12)
		for f in "$top"/examples/x12/*.837; do
			b=$(basename "$f" .837)
			cp "$f" "$2/$b.837"
			tr -d '\n' <"$f" >"$2/$b-one-line.837"
			sed 's/$/\r/' "$f" >"$2/$b-crlf.837"
		done ;;
	fhir)
		fhir_seeds "$2" ;;
	json)
		json_seeds "$2" ;;
	hl7)
		hl7_seeds "$2" ;;
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
	dict=yaml.dict
	[ "$name" = claimrows ] && dict=rows.dict
	[ "$name" = x12 ] && dict=x12.dict
	[ "$name" = fhir ] && dict=fhir.dict
	[ "$name" = json ] && dict=json.dict
	[ "$name" = hl7 ] && dict=hl7.dict
	touch "$out/log.start"
	ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$bin" -max_total_time="$seconds" -print_final_stats=1 \
		-rss_limit_mb=2048 -timeout=10 -max_len=$max_len \
		-dict="$top/tests/fuzz/$dict" \
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
