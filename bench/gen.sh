#!/bin/sh
# bench/gen.sh — N realistic synthetic claims from the golden scenarios of
# examples/ (1-6 administrations, 1-9 lines), a seeded mix weighted so that
# about a third have findings (clean scenarios x3, flagged ones x1).
#
#   gen.sh files N OUT [SEED]     one YAML file of N documents, claims BENCH-<i>
#   gen.sh sql N [SEED]           load N claims into the database of the PG*
#                                 environment (templates submitted with
#                                 `claimscrub submit`, then cloned set-based)
set -eu
: "${CLAIMSCRUB_SRCDIR:=.}"
: "${CLAIMSCRUB:=cli/claimscrub}"
: "${PG_BINDIR:=/usr/lib/postgresql/15/bin}"
ex=$CLAIMSCRUB_SRCDIR/examples
mode=$1 n=$2

# the weighted template list: one example path per line
templates() {
	for f in "$ex"/[0-9]*.yaml; do
		if "$CLAIMSCRUB" check --rules "$CLAIMSCRUB_SRCDIR/rules.d" --format json "$f" |
			grep -q '"verdict":"clean"'; then w=3; else w=1; fi
		i=0
		while [ $i -lt $w ]; do echo "$f"; i=$((i + 1)); done
	done
}

case $mode in
files)
	out=$3 seed=${4:-42}
	templates >"$out.tpl"
	# awk picks a template per claim (seeded), renames the claim
	awk -v n="$n" -v seed="$seed" '
		FNR == 1 { nt++; name[nt] = FILENAME }
		{ body[nt] = body[nt] $0 "\n" }
		END {
			srand(seed)
			for (i = 1; i <= n; i++) {
				t = int(rand() * nt) + 1
				b = body[t]
				sub(/\nclaim: [^\n]*/, "\nclaim: BENCH-" i, b)
				if (i > 1) printf "---\n"
				printf "%s", b
			}
		}' $(cat "$out.tpl") >"$out"
	rm -f "$out.tpl"
	;;
sql)
	seed=${3:-42}
	psql() { "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
	"$CLAIMSCRUB" submit $(cd "$ex" && ls [0-9]*.yaml | sed "s|^|$ex/|") >/dev/null
	# weights: 3 for a clean scenario, 1 for a flagged one
	wl=$(templates | sort | uniq -c | while read -r w f; do
		ref=$(sed -n 's/^claim: *//p' "$f" | head -n 1)
		printf "('%s',%s)," "$ref" "$w"
	done)
	wl=${wl%,}
	psql <<SQL >/dev/null
BEGIN;
SET LOCAL claimscrub.submitting = 'on';
SELECT setseed(0.$seed);
CREATE TEMP TABLE tpl ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY c.id) AS k, c.id AS tid
  FROM (VALUES $wl) AS w(ref, weight)
  JOIN claimscrub.claim c ON c.claim_ref = w.ref, generate_series(1, w.weight);
CREATE TEMP TABLE gen ON COMMIT DROP AS
SELECT i, t.tid, (i % 4) AS shift
  FROM (SELECT i, 1 + floor(random() * (SELECT count(*) FROM tpl))::int AS k
          FROM generate_series(1, $n) AS i) g JOIN tpl t USING (k);
INSERT INTO claimscrub.claim (claim_ref, payer, setting, provider, date_of_service)
SELECT 'BENCH-' || g.i, c.payer, c.setting, c.provider, c.date_of_service
  FROM gen g JOIN claimscrub.claim c ON c.id = g.tid ORDER BY g.i;
CREATE TEMP TABLE ids ON COMMIT DROP AS
SELECT g.tid, g.shift, c.id FROM gen g JOIN claimscrub.claim c ON c.claim_ref = 'BENCH-' || g.i;
INSERT INTO claimscrub.claim_line (claim_id, line_no, code, units, modifiers)
SELECT x.id, l.line_no, l.code, l.units, l.modifiers
  FROM ids x JOIN claimscrub.claim_line l ON l.claim_id = x.tid;
INSERT INTO claimscrub.administration (claim_id, seq, admin_ref, substance, kind, route,
	site, start_time, stop_time, is_primary, separate_site_required)
SELECT x.id, a.seq, a.admin_ref, a.substance, a.kind, a.route, a.site,
       a.start_time, a.stop_time, a.is_primary, a.separate_site_required
  FROM ids x JOIN claimscrub.administration a ON a.claim_id = x.tid;
DELETE FROM claimscrub.claim WHERE claim_ref NOT LIKE 'BENCH-%';
COMMIT;
VACUUM ANALYZE claimscrub.claim, claimscrub.claim_line, claimscrub.administration;
SQL
	;;
*) echo "usage: gen.sh files N OUT [SEED] | sql N [SEED]" >&2; exit 2 ;;
esac
