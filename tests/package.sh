#!/bin/sh
# package.sh — the Debian package, end to end on this machine: built by
# packaging/build-deb.sh from the distribution tree, lintian-clean (no error,
# no warning); `dpkg -i` installs the programs, the units (none enabled),
# the manual pages (man -w finds them) and /etc/claimscrub/*.yaml as
# conffiles; the installed `claimscrub db migrate` (its default, the
# installed SQL) and `claimscrub submit` queue the sample claims of
# examples/ in a throwaway PostgreSQL, the installed daemon scrubs them
# with the installed rules (claimscrubd@ under systemd when systemd runs
# this machine, else `claimscrubd --once`), and each sample ends as its
# comment and the README's severities say; `dpkg --purge` then leaves no
# path of the package, no /etc/claimscrub (the administrator's pgpass
# included) and no dpkg or deb-systemd-helper record behind.  Prints TAP.
#
# Installs and purges a package: as root, or a user with `sudo -n`; else it
# fails (CI runs as root).  A claimscrub package installed before the test
# is not touched: the test fails instead.  An optional configured build
# directory is used for `make distdir` (CLAIMSCRUB_BUILDDIR); PG_BINDIR as
# for tests/pg/ (default /usr/lib/postgresql/15/bin).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${PG_BINDIR:=/usr/lib/postgresql/15/bin}"
: "${CLAIMSCRUB_BUILDDIR:=}"
. "$top/tests/lib/tap.sh"
tap_label=package
if [ "$(id -u)" = 0 ]; then
	as_root() { "$@"; }
elif sudo -n true 2>/dev/null; then
	as_root() { sudo -n "$@"; }
else
	not_ok "installing a package needs root or sudo -n (neither here)"
	finish
fi
# the cluster belongs to an unprivileged user: initdb refuses root
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || { not_ok "running as root, but there is no 'postgres' user"; finish; }
	as_pg() { timeout 120 runuser -u postgres -- "$@"; }
else
	as_pg() { timeout 120 "$@"; }
fi
pkg_status() { dpkg-query -W -f='${db:Status-Status}' claimscrub 2>/dev/null; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cspkg.XXXXXX") || { not_ok "mktemp failed"; finish; }
chmod 755 "$T"
installed="" pg_started="" unit_started="" sockdir=""

cleanup() {
	trap - EXIT INT TERM HUP
	if [ -n "$unit_started" ]; then
		as_root timeout 60 systemctl stop claimscrubd@pkgtest >/dev/null 2>&1
		as_root rm -f /etc/claimscrub/pkgtest.yaml
	fi
	[ -n "$pg_started" ] && as_pg "$PG_BINDIR/pg_ctl" -D "$T/data" -m immediate -w -t 30 stop \
		</dev/null >/dev/null 2>&1
	# a run cut short purges what it installed (a dpkg -i it interrupted
	# may hold dpkg's lock a while: retried for up to a minute)
	_i=0
	while [ -n "$installed" ] && [ -n "$(pkg_status)" ] && [ $_i -lt 30 ]; do
		as_root timeout 120 dpkg --purge claimscrub >/dev/null 2>&1 || sleep 2
		_i=$((_i + 1))
	done
	[ -n "$sockdir" ] && as_root rm -rf "$sockdir"
	rm -rf "$T"
}
# The TAP stream is kept on descriptor 3 for the signal trap: dash runs a
# trap while waiting for a command, inside that command's redirections
# (dpkg -i >install.log), where a "not ok" would be lost.
exec 3>&1
trap cleanup EXIT
trap '{ not_ok "interrupted by a signal"; finish; } >&3' INT TERM HUP

[ -z "$(pkg_status)" ] || {
	not_ok "claimscrub is not installed before the test" \
		"dpkg says: $(pkg_status); purge it first (dpkg --purge claimscrub)"
	finish
}

# ---- build and lintian -----------------------------------------------------
t0=$(date +%s)
timeout -k 5 900 sh "$top/packaging/build-deb.sh" "$T/out" ${CLAIMSCRUB_BUILDDIR:+"$CLAIMSCRUB_BUILDDIR"} >"$T/build-deb.out" 2>&1
st=$?
deb=$(ls "$T"/out/claimscrub_*.deb 2>/dev/null)
if [ -f "$deb" ] && { [ $st = 0 ] || [ $st = 2 ]; }; then
	ok "packaging/build-deb.sh builds $(basename "$deb") ($(wc -c <"$deb") bytes, $(($(date +%s) - t0)) s)"
else
	not_ok "packaging/build-deb.sh builds the .deb" "exit $st" "$(tail -n 20 "$T/build-deb.out")"
	finish
fi
# lintian's informational tags are shown, not counted
tags=$(grep -E '^[EW]: ' "$T/out/lintian.txt")
if [ $st = 0 ] && [ -z "$tags" ]; then ok "lintian: no error, no warning"; else
	not_ok "lintian: no error, no warning" "${tags:-$(tail -n 5 "$T/out/lintian.txt")}"; fi
grep -E '^[IPX]: ' "$T/out/lintian.txt" | sed 's/^/# lintian: /'

# ---- install ------------------------------------------------------------------
installed=1
if as_root timeout 300 env DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >"$T/install.log" 2>&1 &&
	[ "$(pkg_status)" = installed ]; then ok "dpkg -i: claimscrub is installed"; else
	not_ok "dpkg -i: claimscrub is installed" "$(tail -n 15 "$T/install.log")"; fi
dpkg -L claimscrub 2>/dev/null | grep -v '^/\.$' >"$T/files"

for p in /usr/bin/claimscrub /usr/sbin/claimscrubd /usr/sbin/claimscrub-web; do
	out=$(timeout 10 "$p" --version 2>&1)
	case $out in "$(basename "$p") "[0-9]*) ok "$p --version: $out" ;;
	*) not_ok "$p --version" "$out" ;; esac
done
units="claimscrubd.service claimscrubd@.service claimscrub-once.service claimscrub-once.timer claimscrub-web.service"
missing=""
for u in $units; do [ -f "/lib/systemd/system/$u" ] || missing="$missing $u"; done
if [ -z "$missing" ]; then ok "the units are in /lib/systemd/system"; else
	not_ok "the units are in /lib/systemd/system" "missing:$missing"; fi
# none enabled: each needs a database configured first
enabled=$(find /etc/systemd/system -name 'claimscrub*' 2>/dev/null)
if [ -z "$enabled" ]; then ok "no unit is enabled on install"; else
	not_ok "no unit is enabled on install" "$enabled"; fi
for page in 1:claimscrub 8:claimscrubd 5:claimscrubd.yaml 8:claimscrub-web; do
	f=$(timeout 10 man -w "${page%%:*}" "${page#*:}" 2>&1)
	case $f in /usr/share/man/man${page%%:*}/${page#*:}.${page%%:*}.gz) ok "man -w ${page%%:*} ${page#*:}: $f" ;;
	*) not_ok "man -w ${page%%:*} ${page#*:}" "$f" ;; esac
done
conffiles=$(dpkg-query -W -f='${Conffiles}\n' claimscrub | awk 'NF { print $1 }' | LC_ALL=C sort | tr '\n' ' ')
if [ "$conffiles" = "/etc/claimscrub/claimscrub-web.yaml /etc/claimscrub/claimscrubd.yaml " ]; then
	ok "conffiles: $conffiles"; else not_ok "conffiles: the two configuration files" "$conffiles"; fi
# the units' dynamic users read the configuration (README: 0644 in 0755)
modes=""
for f in /etc/claimscrub:755 /etc/claimscrub/rules.d:755 /etc/claimscrub/claimscrubd.yaml:644 \
	/etc/claimscrub/claimscrub-web.yaml:644; do
	[ "$(stat -c '%a %U' "${f%:*}" 2>&1)" = "${f##*:} root" ] || modes="$modes $(stat -c '%a %U %n' "${f%:*}" 2>&1)"
done
if [ -z "$modes" ]; then ok "/etc/claimscrub and rules.d 0755, the configuration 0644, root's"; else
	not_ok "/etc/claimscrub and rules.d 0755, the configuration 0644, root's" "$modes"; fi
if timeout 10 /usr/sbin/claimscrubd --check-config -c /etc/claimscrub/claimscrubd.yaml >"$T/out.txt" 2>&1 &&
	timeout 10 /usr/sbin/claimscrub-web --check-config -c /etc/claimscrub/claimscrub-web.yaml >>"$T/out.txt" 2>&1; then
	ok "the installed programs take the installed configuration"; else
	not_ok "the installed programs take the installed configuration" "$(cat "$T/out.txt")"; fi

# ---- a throwaway PostgreSQL (as tests/pg/lib.sh starts one) ---------------------
# Under systemd the daemon runs as the unit does, with PrivateTmp=: the
# server's socket is then put in /run, where the unit sees it.
systemd=""
case $(timeout 10 systemctl is-system-running 2>/dev/null) in running | degraded) systemd=1 ;; esac
if [ -n "$systemd" ]; then
	sockdir=$(as_root mktemp -d /run/cspkg.XXXXXX) || { not_ok "mktemp -d /run/cspkg.XXXXXX failed"; finish; }
	s=$sockdir
else
	s=$T
fi
owner=$(id -un)
[ "$(id -u)" = 0 ] && owner=postgres
as_root chown "$owner" "$T" "$s" && as_root chmod 755 "$s"
unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGPASSFILE PGSSLMODE PGOPTIONS
conninfo="host=$s port=5432 dbname=claims user=postgres"
if [ ! -x "$PG_BINDIR/initdb" ]; then
	not_ok "PostgreSQL 15 is missing: no $PG_BINDIR/initdb (apt-get install postgresql-15)"
	finish
fi
pg_started=1
if as_pg "$PG_BINDIR/initdb" -D "$T/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
	</dev/null >"$T/initdb.log" 2>&1 &&
	as_pg "$PG_BINDIR/pg_ctl" -D "$T/data" -l "$T/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$s' -c fsync=off" start \
		</dev/null >/dev/null 2>&1 &&
	timeout 30 "$PG_BINDIR/psql" -X -q -d "host=$s port=5432 dbname=postgres user=postgres" \
		-c 'CREATE DATABASE claims' >"$T/createdb.log" 2>&1; then
	ok "a throwaway PostgreSQL (socket in $s)"
else
	not_ok "a throwaway PostgreSQL" "$(tail -n 5 "$T/initdb.log" "$T/server.log" "$T/createdb.log" 2>/dev/null)"
	finish
fi
psql_val() { timeout 60 "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$conninfo" -c "$1"; }
queue_empty() { [ "$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'" 2>/dev/null)" = 0 ]; }

# ---- the samples through the installed programs ---------------------------------------
# no --sql: the installed claimscrub's default is the installed SQL
nmig=$(ls /usr/share/claimscrub/sql/migrations/*.sql | wc -l)
if timeout 120 /usr/bin/claimscrub db migrate --db "$conninfo" </dev/null >"$T/migrate.out" 2>&1 &&
	[ "$(grep -c '^applied migrations/' "$T/migrate.out")" -eq "$nmig" ]; then
	ok "claimscrub db migrate: the $nmig installed migrations and the api"; else
	not_ok "claimscrub db migrate: the $nmig installed migrations" "$(tail -n 5 "$T/migrate.out")"; fi
if timeout 60 /usr/bin/claimscrub submit --db "$conninfo" "$top"/examples/[0-9]*.yaml \
	</dev/null >"$T/submit.out" 2>&1 &&
	[ "$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'")" = 18 ]; then
	ok "claimscrub submit: the 18 samples are pending"; else
	not_ok "claimscrub submit: the 18 samples are pending" "$(tail -n 5 "$T/submit.out")"; fi

# No rules: line, so the daemon loads its defaults, the installed rules.
if [ -n "$systemd" ]; then
	how="claimscrubd@pkgtest under systemd"
	printf 'database: "%s"\nhttp_port: 0\n' "$conninfo" | as_root tee /etc/claimscrub/pkgtest.yaml >/dev/null
	as_root chmod 644 /etc/claimscrub/pkgtest.yaml
	unit_started=1
	if as_root timeout 120 systemctl start claimscrubd@pkgtest >"$T/daemon.log" 2>&1 &&
		wait_for 120 queue_empty; then
		drained=1; else drained=""; fi
	as_root timeout 60 systemctl stop claimscrubd@pkgtest >>"$T/daemon.log" 2>&1
	unit_started=""
	[ -n "$drained" ] || timeout 10 journalctl -u claimscrubd@pkgtest -n 20 >>"$T/daemon.log" 2>&1
	as_root rm -f /etc/claimscrub/pkgtest.yaml
else
	how="claimscrubd --once (no systemd running here)"
	printf 'database: "%s"\nhttp_port: 0\n' "$conninfo" >"$T/claimscrubd.yaml"
	if timeout 120 /usr/sbin/claimscrubd -c "$T/claimscrubd.yaml" --once </dev/null >"$T/daemon.log" 2>&1; then
		drained=1; else drained=""; fi
fi
pending=$(psql_val "SELECT count(*) FROM claimscrub.claim WHERE status = 'pending'")
if [ -n "$drained" ] && [ "$pending" = 0 ]; then ok "$how scrubs the queue"; else
	not_ok "$how scrubs the queue" "pending: $pending" "$(tail -n 10 "$T/daemon.log")"; fi

# The expected outcome, by hand: each sample's comment names its case and
# rule, and the README's "Findings" gives the rule's severity (an error or a
# warning flags a claim, an info does not).  05-14: error or warning,
# flagged; 15, 16 (revenue missed): info, clean with that finding; 01-04,
# 17, 18: clean, no finding.
flagged="IC-2026-0305:missing-stop-time IC-2026-0306:infusion-under-16
	IC-2026-0307:duplicate-initial IC-2026-0308:additional-hour-unsupported
	IC-2026-0309:addon-without-primary IC-2026-0310:hydration-concurrent
	IC-2026-0311:iv-start-bundled ON-2026-1112:nurse-visit-bundled
	ON-2026-1113:em-needs-modifier-25 IC-2026-0314:drug-line-missing"
info="IC-2026-0315:unbilled-service ON-2026-1116:additional-hour-missed"
clean="IC-2026-0301 IC-2026-0302 IC-2026-0304 IC-2026-0318 ON-2026-1101 ON-2026-1117"
want=$(for c in $flagged; do echo "${c%%:*} flagged ${c#*:}"; done
	for c in $info; do echo "${c%%:*} clean ${c#*:}"; done
	for c in $clean; do echo "$c clean"; done)
got=$(psql_val "SELECT c.claim_ref || ' ' || c.status ||
	coalesce(' ' || string_agg(DISTINCT f.rule, ' ' ORDER BY f.rule), '')
	  FROM claimscrub.claim c
	  LEFT JOIN claimscrub.finding f ON f.claim_id = c.id AND f.claim_version = c.version
	 GROUP BY c.claim_ref, c.status ORDER BY 1" | LC_ALL=C sort)
want=$(printf '%s\n' "$want" | LC_ALL=C sort)
if [ "$got" = "$want" ]; then
	ok "10 samples flagged, 8 clean, each with the finding its comment names"
else
	not_ok "10 samples flagged, 8 clean, each with the finding its comment names" \
		"differs (- expected, + got):" \
		"$(printf '%s\n' "$want" >"$T/want"; printf '%s\n' "$got" >"$T/got"; diff "$T/want" "$T/got" | grep '^[<>]' | tr '<>' '-+')"
fi

# ---- purge ---------------------------------------------------------------------
as_pg "$PG_BINDIR/pg_ctl" -D "$T/data" -m fast -w -t 30 stop </dev/null >/dev/null 2>&1 && pg_started=""
# the administrator's password file (README), as its instructions make it
(umask 077 && printf '%s:5432:claims:claimscrub_daemon:secret\n' "$s" | as_root tee /etc/claimscrub/pgpass >/dev/null)
if as_root timeout 120 dpkg --purge claimscrub >"$T/purge.log" 2>&1; then ok "dpkg --purge claimscrub"; else
	not_ok "dpkg --purge claimscrub" "$(tail -n 10 "$T/purge.log")"; fi
if [ -z "$(pkg_status)" ] && ! dpkg-query -W claimscrub >/dev/null 2>&1; then
	ok "no dpkg status entry for claimscrub"; installed=""; else
	not_ok "no dpkg status entry for claimscrub" "$(dpkg -s claimscrub 2>&1 | head -n 3)"; fi
# every path the package listed is gone, but directories other packages own
left="" nfiles=$(wc -l <"$T/files")
while IFS= read -r f; do
	[ -e "$f" ] || [ -L "$f" ] || continue
	[ -d "$f" ] && dpkg-query -S "$f" >/dev/null 2>&1 && continue
	left="$left $f"
done <"$T/files"
if [ "$nfiles" -gt 40 ] && [ -z "$left" ]; then
	ok "none of the package's $nfiles paths is left (shared directories excepted)"; else
	not_ok "none of the package's paths is left (of $nfiles)" "left:$left"; fi
if [ ! -e /etc/claimscrub ]; then ok "/etc/claimscrub is gone, pgpass with it"; else
	not_ok "/etc/claimscrub is gone" "$(find /etc/claimscrub 2>&1)"; fi
rest=$(find /var/lib/dpkg/info /var/lib/systemd/deb-systemd-helper-enabled \
	/var/lib/systemd/deb-systemd-helper-masked /etc/systemd/system -name '*claimscrub*' 2>/dev/null)
if [ -z "$rest" ]; then ok "no maintainer script, unit state or symlink of claimscrub is left"; else
	not_ok "no maintainer script, unit state or symlink of claimscrub is left" "$rest"; fi

finish package
