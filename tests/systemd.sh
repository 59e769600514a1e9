#!/bin/sh
# systemd.sh — the unit files as built: `systemd-analyze verify` is clean on
# claimscrubd.service, an instance of the template claimscrubd@.service,
# claimscrub-once.service, claimscrub-web.service and claimscrub-once.timer
# (with ExecStart pointing at the programs just built, so the binary check
# is real), the generated units have no @placeholder@ left and name the
# configured sysconfdir (ConfigurationDirectory=, always under /etc, only
# when that is /etc), and
# `systemd-analyze security --offline=yes` rates both services 2.0 or
# better; both units give the password as a credential (LoadCredential=,
# PGPASSFILE=%d/...) and let the dynamic user read the configuration
# (ConfigurationDirectoryMode 0755).  systemd-analyze missing is a failure,
# not a skip.  Prints TAP.
set -u
: "${CLAIMSCRUB_SRCDIR:=.}"
: "${CLAIMSCRUB_BUILDDIR:=.}"
: "${CLAIMSCRUBD:=$CLAIMSCRUB_BUILDDIR/daemon/claimscrubd}"
. "$(dirname "$0")/lib/tap.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/cssd.XXXXXX") || { not_ok "mktemp failed"; finish systemd; }
trap 'rm -rf "$T"' EXIT

command -v systemd-analyze >/dev/null 2>&1 ||
	{ not_ok "systemd-analyze is missing (apt-get install systemd)"; finish; }
[ -x "$CLAIMSCRUBD" ] || { not_ok "the daemon is missing: $CLAIMSCRUBD (run make)"; finish; }
CLAIMSCRUBD=$(cd "$(dirname "$CLAIMSCRUBD")" && pwd)/$(basename "$CLAIMSCRUBD")
[ -x "${CLAIMSCRUB_WEB:-}" ] || { not_ok "the workbench is missing: ${CLAIMSCRUB_WEB:-} (run make)"; finish; }
note_version=$(systemd-analyze --version | head -n 1)
echo "# $note_version"

# ---- the units make generated ---------------------------------------------
units="claimscrubd.service claimscrubd@.service claimscrub-once.service claimscrub-web.service"
sysconfdir=$(sed -n 's/^sysconfdir = //p' "$CLAIMSCRUB_BUILDDIR/Makefile")
prefix=$(sed -n 's/^prefix = //p' "$CLAIMSCRUB_BUILDDIR/Makefile")
sysconfdir=$(echo "$sysconfdir" | sed "s|\${prefix}|$prefix|")
for u in $units; do
	f=$CLAIMSCRUB_BUILDDIR/systemd/$u
	if [ ! -s "$f" ]; then
		not_ok "$u was generated (run make)" "no $f"
		continue
	fi
	if grep -q '@[a-z_]*@' "$f"; then
		not_ok "$u: every @placeholder@ substituted" "$(grep -n '@[a-z_]*@' "$f")"
	else
		ok "$u: every @placeholder@ substituted"
	fi
	p=claimscrubd c=claimscrubd
	[ "$u" = claimscrub-web.service ] && p=claimscrub-web c=claimscrub-web
	[ "$u" = claimscrubd@.service ] && c=%i
	grep -Eq "^ExecStart=/.*/$p( --once)? -c $sysconfdir/claimscrub/$c\\.yaml\$" "$f" &&
		ok "$u: ExecStart is an absolute $p -c $sysconfdir/claimscrub/$c.yaml" ||
		not_ok "$u: ExecStart is an absolute $p -c $sysconfdir/claimscrub/$c.yaml" \
			"$(grep '^ExecStart' "$f")"
	# the built program in place of the installed one, so verify checks a
	# binary that exists
	sed -e "s|^ExecStart=[^ ]*/claimscrubd|ExecStart=$CLAIMSCRUBD|" \
		-e "s|^ExecStart=[^ ]*/claimscrub-web|ExecStart=$CLAIMSCRUB_WEB|" "$f" >"$T/$u"
done
timer=$CLAIMSCRUB_SRCDIR/systemd/claimscrub-once.timer
cp "$timer" "$T/" 2>/dev/null || not_ok "claimscrub-once.timer exists" "no $timer"

# ---- systemd-analyze verify ----------------------------------------------------
# --man=no: the manual pages are installed by make install, not before
# (an instance of the template: claimscrubd@east.service, a copy named so)
cp "$T/claimscrubd@.service" "$T/claimscrubd@east.service" 2>/dev/null
(cd "$T" && timeout 60 systemd-analyze verify --man=no ./claimscrubd.service \
	./claimscrubd@east.service ./claimscrub-once.service ./claimscrub-once.timer \
	./claimscrub-web.service) >"$T/verify.out" 2>&1
st=$?
if [ $st -eq 0 ] && [ ! -s "$T/verify.out" ]; then
	ok "systemd-analyze verify: the five units are clean"
else
	not_ok "systemd-analyze verify: the five units are clean" "exit $st" "$(cat "$T/verify.out")"
fi

# ---- systemd-analyze security ----------------------------------------------------
for u in $units; do
	[ -f "$T/$u" ] || continue
	(cd "$T" && timeout 60 systemd-analyze security --offline=yes --no-pager \
		--threshold=20 "./$u") >"$T/sec.out" 2>&1
	st=$?
	score=$(grep -a 'Overall exposure level' "$T/sec.out" |
		sed 's/.*: \([0-9][0-9]*\.[0-9]\).*/\1/')
	if [ $st -eq 0 ] && [ -n "$score" ] &&
		awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
		ok "systemd-analyze security $u: exposure $score <= 2.0"
	else
		not_ok "systemd-analyze security $u: exposure <= 2.0" "exit $st, score ${score:-?}" \
			"$(grep -a '✗' "$T/sec.out" | head -n 20)"
	fi
done

# ---- what the daemon relies on ---------------------------------------------------
d=$T/claimscrubd.service
for want in '^Type=notify$' '^ExecReload=/bin/kill -HUP \$MAINPID$' '^WatchdogSec=' \
	'^Restart=on-failure$' '^TimeoutStopSec=' '^DynamicUser=yes$'; do
	grep -Eq "$want" "$d" && ok "claimscrubd.service: /$want/" ||
		not_ok "claimscrubd.service: /$want/"
done
# ---- the password and the configuration under DynamicUser (issue 14, item 2) ----
# The dynamic user can read no private file of the host: the password comes
# as a credential, a libpq password file next to the configuration, which
# libpq finds through PGPASSFILE in the credentials directory (%d); without
# it, a default with no password in it.  The configuration directory lets
# others read and enter (systemd makes it root's, with this mode).
for u in $units; do
	f=$T/$u
	[ -f "$f" ] || continue
	cred=$(sed -n 's|^LoadCredential=\([A-Za-z0-9_.-]*\):\(/.*/claimscrub/pgpass\)$|\1 \2|p' "$f")
	id=${cred%% *}
	if [ -n "$cred" ] && [ "$(grep -c '^LoadCredential=' "$f")" = 1 ]; then
		ok "$u: LoadCredential=$id:.../claimscrub/pgpass (${cred#* })"
	else
		not_ok "$u: LoadCredential=ID:.../claimscrub/pgpass" "$(grep '^LoadCredential' "$f")"
	fi
	grep -qx "Environment=PGPASSFILE=%d/${id:-pgpass}" "$f" &&
		ok "$u: Environment=PGPASSFILE=%d/${id:-pgpass} (the credentials directory)" ||
		not_ok "$u: Environment=PGPASSFILE=%d/${id:-pgpass}" "$(grep '^Environment' "$f")"
	# the default, if any, is a password file without a password: comments only
	def=$(sed -n "s|^SetCredential=${id:-pgpass}:||p" "$f")
	case $def in
	'#'*) ok "$u: without the file, SetCredential= gives a password file with no password ('$def')" ;;
	'') not_ok "$u: SetCredential=${id:-pgpass}: a default without a password" "none" ;;
	*) not_ok "$u: SetCredential=${id:-pgpass}: a default without a password" "'$def'" ;;
	esac
	mode=$(sed -n 's/^ConfigurationDirectoryMode=0*\([0-7]\{3\}\)$/\1/p' "$f")
	other=$(( ${mode:-0} % 10 ))
	if [ "$sysconfdir" != /etc ]; then
		# systemd would make an /etc/claimscrub nothing reads
		if grep -q '^# ConfigurationDirectory=claimscrub$' "$f" && ! grep -q '^Configuration' "$f"; then
			ok "$u: sysconfdir $sysconfdir is not /etc: ConfigurationDirectory= commented out"
		else
			not_ok "$u: sysconfdir $sysconfdir is not /etc: ConfigurationDirectory= commented out" \
				"$(grep 'Configuration' "$f")"
		fi
	elif grep -q '^ConfigurationDirectory=claimscrub$' "$f" && [ -n "$mode" ] && [ $((other & 5)) = 5 ]; then
		ok "$u: ConfigurationDirectoryMode=0$mode lets the dynamic user read the configuration"
	else
		not_ok "$u: ConfigurationDirectoryMode lets others read and enter" "$(grep '^Configuration' "$f")"
	fi
done

grep -q '^Type=oneshot$' "$T/claimscrub-once.service" && ok "claimscrub-once.service: Type=oneshot" ||
	not_ok "claimscrub-once.service: Type=oneshot"
grep -q '^OnCalendar=hourly$' "$T/claimscrub-once.timer" && ok "claimscrub-once.timer: hourly" ||
	not_ok "claimscrub-once.timer: hourly"
finish systemd
