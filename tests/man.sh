#!/bin/sh
# man.sh — the manual page cli/claimscrub.1 against the program's own
# option table (the entries of cli/entry.h, printed by the hidden
# `claimscrub --list-options`): every command has a SYNOPSIS line and a
# section, every option of a command is in both (its short letter too),
# and the page names no option, nor a letter, that the command lacks.
# Prints TAP.
set -u
: "${CLAIMSCRUB:=cli/claimscrub}"
: "${CLAIMSCRUB_SRCDIR:=.}"
man=$CLAIMSCRUB_SRCDIR/cli/claimscrub.1.in
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/lib/tap.sh"

expect "claimscrub --list-options exits 0" 0 "$CLAIMSCRUB" --list-options
cp "$tmp/out" "$tmp/table"
if [ "$(cut -f1 "$tmp/table" | sort -u | wc -l)" -ge 10 ] &&
	grep -q "$(printf '^claimscrub check\t--rules\t-r\tDIR$')" "$tmp/table"; then
	ok "the option table lists the commands and their options"
else
	not_ok "the option table lists the commands and their options" "$(head -n 5 "$tmp/table")"
fi

# The page, reduced to what the checks need, one record a line:
#   syn CMD OPT...    a SYNOPSIS line (.br-separated) and the options on it
#   sec CMD...        a section (.SS claimscrub ..., or .SH OPTIONS: the
#                     program's own) and the commands it covers
#   tag -X --LONG     an option under the section (a .TP tag); -X or "-"
#   any --LONG        an option named anywhere on the page
# Command words are known from the table: "rules check|show|test" covers
# three commands.
awk -v table="$tmp/table" '
function norm(s) {
	gsub(/\\f[BIRP]/, "", s); gsub(/\\-/, "-", s); gsub(/\\&/, "", s)
	gsub(/\\\(../, " ", s); gsub(/"/, "", s); sub(/^\.[A-Za-z]+ */, "", s)
	return s
}
# the commands the words of s name, from the word after "claimscrub"
function cmds(s,   w, n, i, k, alts, out) {
	n = split(s, w, /[ \t]+/)
	for (i = 1; i <= n && w[i] != "claimscrub"; i++) ;
	if (i > n) return ""
	cmd = "claimscrub"
	while (i < n && (cmd " " w[i + 1]) in known) cmd = cmd " " w[++i]
	if (i < n && w[i + 1] ~ /\|/) {
		k = split(w[i + 1], alts, "|"); out = ""
		for (i = 1; i <= k; i++) out = out (out == "" ? "" : "|") cmd " " alts[i]
		return out
	}
	return cmd
}
function opts(s,   t, n, i, out) {
	n = split(s, t, /[][ ,|.]+/); out = ""
	for (i = 1; i <= n; i++) if (t[i] ~ /^--?[A-Za-z][a-z-]*$/) out = out " " t[i]
	return out
}
function flush_syn() { if (syn != "") print "syn\t" cmds(syn) "\t" opts(syn); syn = "" }
BEGIN { FS = "\t"; while ((getline l < table) > 0) { split(l, f, "\t"); known[f[1]] = 1 } }
/^\.\\"/ { next } # a comment
/^\.SH/ { flush_syn(); in_syn = $0 ~ /SYNOPSIS/; sect = "" }
/^\.SH OPTIONS/ { print "sec\tclaimscrub"; sect = "claimscrub" }
/^\.SS "?claimscrub / { c = cmds(norm($0)); print "sec\t" c; sect = c }
in_syn && /^\.br/ { flush_syn(); next }
in_syn && !/^\.SH/ { syn = syn " " norm($0) }
prev_tp && sect != "" {
	n = split(opts(norm($0)), t, " ")
	for (i = 1; i <= n; i++) if (t[i] ~ /^--/) print "tag\t" (i > 1 && t[i - 1] ~ /^-[^-]/ ? t[i - 1] : "-") "\t" t[i]
}
{ prev_tp = $0 ~ /^\.TP/ }
{ s = norm($0); while (match(s, /--[a-z][a-z-]*/)) { print "any\t" substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH) } }
' "$man" >"$tmp/page"

# Every check below, in awk: "ok NAME" or "not ok NAME<TAB>why" lines.
awk -v table="$tmp/table" '
BEGIN {
	FS = "\t"
	while ((getline l < table) > 0) {
		split(l, f, "\t"); has[f[1]] = 1; letter[f[1], f[2]] = f[3]; long[f[1], f[2]] = 1
		anywhere[f[2]] = 1; if (f[3] != "") short[f[1], f[3]] = f[2]
		nopt[f[1]]++; optname[f[1], nopt[f[1]]] = f[2]
	}
	for (c in has) for (d in has) if (index(d, c " ") == 1) group[c] = 1
}
$1 == "syn" { n = split($2, cs, "|"); for (i = 1; i <= n; i++) { insyn[cs[i]] = 1; synopts[cs[i]] = synopts[cs[i]] $3 " " } }
$1 == "sec" { cur = $2; n = split($2, cs, "|"); for (i = 1; i <= n; i++) insec[cs[i]] = 1 }
$1 == "tag" {
	n = split(cur, cs, "|"); found = 0; wrong = ""
	for (i = 1; i <= n; i++) {
		tagged[cs[i], $3] = 1
		if ((cs[i], $3) in long) { found = 1; if ($2 != "-" && letter[cs[i], $3] != $2) wrong = $2 }
	}
	if (!found) bad = bad sprintf("section %s documents %s, which it lacks; ", cur, $3)
	if (wrong != "") bad = bad sprintf("section %s gives %s the letter %s; ", cur, $3, wrong)
}
$1 == "any" && !($2 in anywhere) { stray = stray " " $2 }
END {
	for (c in has) {
		if ((c in group) && c != "claimscrub") continue
		if (!(c in insyn)) print "not ok " c ": in the SYNOPSIS\tno SYNOPSIS line names it"
		else {
			miss = ""; extra = ""
			for (i = 1; i <= nopt[c]; i++) {
				o = optname[c, i]; w = letter[c, o] != "" ? letter[c, o] : o
				if (o != "--help" && index(synopts[c], " " w " ") == 0) miss = miss " " w
			}
			n = split(synopts[c], so, " ")
			for (i = 1; i <= n; i++)
				if (!((c, so[i]) in long) && !((c, so[i]) in short)) extra = extra " " so[i]
			if (miss == "" && extra == "") print "ok " c ": in the SYNOPSIS with each option"
			else print "not ok " c ": in the SYNOPSIS with each option\tmissing:" miss "; not options of it:" extra
		}
		if (!(c in insec)) { print "not ok " c ": a section documents it\tno .SS covers it"; continue }
		miss = ""
		for (i = 1; i <= nopt[c]; i++) if (!((c, optname[c, i]) in tagged)) miss = miss " " optname[c, i]
		if (miss == "") print "ok " c ": its section documents each option"
		else print "not ok " c ": its section documents each option\tmissing:" miss
	}
	if (bad == "") print "ok the sections document no option a command lacks"
	else print "not ok the sections document no option a command lacks\t" bad
	if (stray == "") print "ok the page names no option the program lacks"
	else print "not ok the page names no option the program lacks\tunknown:" stray
}' "$tmp/page" | sort >"$tmp/results"

while IFS="$(printf '\t')" read -r what why; do
	case $what in
	"not ok "*) not_ok "${what#not ok }" "$why" ;;
	*) ok "${what#ok }" ;;
	esac
done <"$tmp/results"
[ -s "$tmp/results" ] || not_ok "the page was read" "no result: $man"

finish man
