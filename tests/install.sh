#!/bin/sh
# install.sh — `make install` as a Debian package build does it: a build
# configured `--prefix=/usr --sysconfdir=/etc` (from a copy of this tree's
# distribution, `make distdir`), installed with DESTDIR: the programs, the
# shipped rules and migrations, the example configuration and an empty
# local rules.d, the systemd units (the template too), and the manual
# pages, which man renders without a warning; the units, the pages, the
# example configuration and --help name /etc/claimscrub and
# /usr/share/claimscrub (configure's paths, not /usr/local's); the
# installed daemon accepts the installed configuration and rules; `make
# uninstall` leaves no file behind.  Prints TAP.
set -u
: "${CLAIMSCRUB_BUILDDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
b=$tmp/build

. "$(dirname "$0")/lib/tap.sh"

# The test runs inside `make check`: the nested makes get none of its flags.
nomake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$@"; }
submake() { (cd "$b" && nomake ${MAKE:-make} "$@" DESTDIR="$root"); }

# ---- a build for /usr and /etc ------------------------------------------
mkdir "$b"
if (cd "$CLAIMSCRUB_BUILDDIR" && nomake ${MAKE:-make} distdir distdir="$tmp/src") \
	>"$tmp/build.log" 2>&1 &&
	(cd "$b" && "$tmp/src/configure" -q --prefix=/usr --sysconfdir=/etc \
		--with-systemdsystemunitdir=/lib/systemd/system &&
		nomake ${MAKE:-make} -j2) >>"$tmp/build.log" 2>&1; then
	ok "a build configured --prefix=/usr --sysconfdir=/etc"
else
	not_ok "a build configured --prefix=/usr --sysconfdir=/etc" "$(tail -n 20 "$tmp/build.log")"
	finish install
fi

# ---- make install --------------------------------------------------------
if submake install >"$tmp/install.log" 2>&1; then ok "make install"; else
	not_ok "make install" "$(tail -n 20 "$tmp/install.log")"; fi

check "usr/bin/claimscrub" test -x "$root/usr/bin/claimscrub"
check "usr/sbin/claimscrubd" test -x "$root/usr/sbin/claimscrubd"
check "usr/sbin/claimscrub-web" test -x "$root/usr/sbin/claimscrub-web"
check "etc/claimscrub/claimscrub-web.yaml" test -f "$root/etc/claimscrub/claimscrub-web.yaml"
check "the installed claimscrub-web takes its installed example configuration" \
	"$root/usr/sbin/claimscrub-web" --check-config -c "$root/etc/claimscrub/claimscrub-web.yaml"
# the rule files of the distribution, every one installed
nrules=$(ls "$root"/usr/share/claimscrub/rules.d/*.yaml 2>/dev/null | wc -l)
want=$(ls "$tmp"/src/rules.d/*.yaml 2>/dev/null | wc -l)
if [ "$want" -ge 8 ] && [ "$nrules" -eq "$want" ]; then ok "usr/share/claimscrub/rules.d: the $want rule files"; else
	not_ok "usr/share/claimscrub/rules.d: the distribution's rule files" "found $nrules of $want"; fi
check "usr/share/claimscrub/sql/migrations: the migrations" \
	sh -c "ls '$root'/usr/share/claimscrub/sql/migrations/0*.sql >/dev/null 2>&1"
check "usr/share/claimscrub/sql/api: the api" \
	test -f "$root/usr/share/claimscrub/sql/api/090_privileges.sql"
check "etc/claimscrub/claimscrubd.yaml" test -f "$root/etc/claimscrub/claimscrubd.yaml"
check "etc/claimscrub/rules.d is a directory" test -d "$root/etc/claimscrub/rules.d"
check "etc/claimscrub/rules.d is empty" \
	test -z "$(ls -A "$root/etc/claimscrub/rules.d" 2>/dev/null)"
check "the example configuration is not writable by others" \
	test -z "$(find "$root/etc/claimscrub/claimscrubd.yaml" -perm -o+w)"

# ---- manual pages ----------------------------------------------------------
for page in man1/claimscrub.1:claimscrub man5/claimscrubd.yaml.5:claimscrubd.yaml \
	man8/claimscrubd.8:claimscrubd man8/claimscrub-web.8:claimscrub-web; do
	file=$root/usr/share/man/${page%%:*} name=${page#*:}
	if [ ! -f "$file" ]; then not_ok "${page%%:*} installed"; continue; fi
	ok "${page%%:*} installed"
	warn=$(MANROFFSEQ='' MANWIDTH=80 man --warnings -l "$file" 2>&1 >/dev/null)
	if [ -z "$warn" ]; then ok "${page%%:*} renders without warnings"; else
		not_ok "${page%%:*} renders without warnings" "$(printf '%s\n' "$warn" | head -n 5)"; fi
	text=$(MANROFFSEQ='' MANWIDTH=80 man -l "$file" 2>/dev/null)
	if printf '%s\n' "$text" | grep -Eq "^ +$name - "; then ok "${page%%:*} has its NAME line"; else
		not_ok "${page%%:*} has its NAME line" "$(printf '%s\n' "$text" | head -n 6)"; fi
done

# ---- configure's paths, everywhere ----------------------------------------------
units=$root/lib/systemd/system
for u in claimscrubd.service:claimscrubd:claimscrubd claimscrubd@.service:claimscrubd:%i \
	claimscrub-once.service:claimscrubd:claimscrubd \
	claimscrub-web.service:claimscrub-web:claimscrub-web; do
	f=$units/${u%%:*} p=${u#*:}; c=${p#*:} p=${p%%:*}
	if grep -Eqx "ExecStart=/usr/sbin/$p( --once)? -c /etc/claimscrub/$c\\.yaml" "$f" 2>/dev/null &&
		grep -qx 'ConfigurationDirectory=claimscrub' "$f"; then
		ok "lib/systemd/system/${u%%:*}: /usr/sbin/$p -c /etc/claimscrub/$c.yaml, ConfigurationDirectory=claimscrub"
	else
		not_ok "lib/systemd/system/${u%%:*}: /usr/sbin/$p -c /etc/claimscrub/$c.yaml, ConfigurationDirectory=claimscrub" \
			"$(grep -E '^(ExecStart|#? *ConfigurationDirectory)' "$f" 2>&1)"
	fi
done
for want in "usr/share/man/man8/claimscrubd.8:/etc/claimscrub/claimscrubd.yaml" \
	"usr/share/man/man5/claimscrubd.yaml.5:/usr/share/claimscrub/rules.d" \
	"usr/share/man/man1/claimscrub.1:/usr/share/claimscrub/sql" \
	"usr/share/man/man8/claimscrub-web.8:/etc/claimscrub/claimscrub" \
	"etc/claimscrub/claimscrubd.yaml:#rules: [/usr/share/claimscrub/rules.d, /etc/claimscrub/rules.d]"; do
	f=$root/${want%%:*}
	if grep -qF -- "${want#*:}" "$f" && ! grep -q '/usr/local\|@[a-z]*@' "$f"; then
		ok "${want%%:*} names ${want#*:}, nothing under /usr/local, no @placeholder@"
	else
		not_ok "${want%%:*} names ${want#*:}, nothing under /usr/local, no @placeholder@" \
			"$(grep -n '/usr/local\|@[a-z]*@\|/etc/claimscrub\|/usr/share/claimscrub' "$f" | head -n 5)"
	fi
done
for p in claimscrubd claimscrub-web; do
	if "$root/usr/sbin/$p" --help | grep -qF "(default /etc/claimscrub/$p.yaml"; then
		ok "$p --help: the configuration's default is /etc/claimscrub/$p.yaml"
	else
		not_ok "$p --help: the configuration's default is /etc/claimscrub/$p.yaml" \
			"$("$root/usr/sbin/$p" --help 2>&1 | grep -i default)"
	fi
done

# ---- the installed programs with the installed files -------------------------
shared=$root/usr/share/claimscrub/rules.d
conf=$root/etc/claimscrub/claimscrubd.yaml
unset CLAIMSCRUB_RULES
out=$("$root/usr/sbin/claimscrubd" --version 2>&1)
case $out in "claimscrubd "[0-9]*) ok "installed claimscrubd --version" ;;
*) not_ok "installed claimscrubd --version" "$out" ;; esac

# The shipped file as it is (every key commented out) ...
if out=$(CLAIMSCRUB_RULES=$shared "$root/usr/sbin/claimscrubd" --check-config -c "$conf" 2>&1); then
	ok "the shipped configuration checks"; else not_ok "the shipped configuration checks" "$out"; fi
# ... with every key uncommented: the documented defaults are valid values ...
sed 's/^#\([a-z_]*:\)/\1/' "$conf" >"$tmp/uncommented.yaml"
sed -i "s|^rules:.*|rules: [$shared, $root/etc/claimscrub/rules.d]|" "$tmp/uncommented.yaml"
keys=$(grep -c '^[a-z_]*:' "$tmp/uncommented.yaml")
want=$("$root/usr/sbin/claimscrubd" --list-names | grep -c '^key ')
if out=$("$root/usr/sbin/claimscrubd" --check-config -c "$tmp/uncommented.yaml" 2>&1) &&
	[ "$keys" -eq "$want" ]; then ok "the example's $want keys, uncommented, check"; else
	not_ok "the example's keys, uncommented, check" "keys=$keys of $want" "$out"; fi
# ... and `rules:` pointing at the installed rules, overlaid by the local ones.
printf 'rules: [%s, %s]\n' "$shared" "$root/etc/claimscrub/rules.d" >>"$conf"
if out=$("$root/usr/sbin/claimscrubd" --check-config -c "$conf" 2>&1); then
	ok "installed claimscrubd --check-config with the installed rules"; else
	not_ok "installed claimscrubd --check-config with the installed rules" "$out"; fi

# the installed claimscrub scrubs with the installed rules
claim=$tmp/claim.yaml
cat >"$claim" <<'DOC'
claim: C-INSTALL
setting: facility
lines:
  - {code: "96365"}
  - {code: J0696, units: 4}
administrations:
  - {id: A1, substance: ceftriaxone, kind: therapeutic, route: infusion,
     site: R-forearm, start: 2026-03-14T13:00, stop: 2026-03-14T14:00}
DOC
if out=$(CLAIMSCRUB_RULES=$shared "$root/usr/bin/claimscrub" check --format json "$claim" 2>&1) &&
	printf '%s\n' "$out" | grep -q '"verdict":"clean"'; then
	ok "installed claimscrub check with the installed rules"; else
	not_ok "installed claimscrub check with the installed rules" "$out"; fi

# ---- make uninstall ----------------------------------------------------------
if submake uninstall >"$tmp/uninstall.log" 2>&1; then ok "make uninstall"; else
	not_ok "make uninstall" "$(tail -n 20 "$tmp/uninstall.log")"; fi
# the configuration was changed above, as an administrator would: like any
# automake data file it is removed all the same; the empty rules.d goes too
left=$(find "$root" -type f 2>/dev/null)
if [ -z "$left" ]; then ok "make uninstall leaves no file"; else
	not_ok "make uninstall leaves no file" "$left"; fi
check "make uninstall removes the empty etc/claimscrub/rules.d" \
	test ! -e "$root/etc/claimscrub/rules.d"

finish install
