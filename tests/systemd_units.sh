#!/bin/sh
# systemd_units.sh -- colink@.service and colink@.timer are what a
# scheduled monthly run needs, and systemd accepts them (#22).
#
# The units are installed with DESTDIR into a temporary root together with
# the colink binary (`make install-binPROGRAMS install-systemdsystemunitDATA`),
# systemd's own units are copied beside them, and `systemd-analyze verify
# --root` checks both units there: every directive known and valid for the
# unit type (Restart= with Type=oneshot, the calendar spec), the template
# instantiated, and ExecStart's binary present and executable at the
# configured bindir *inside the root*, and the man pages Documentation=
# names (man(1) on the installed pages).  It is run a second time with the
# binary removed and must then fail, so the check is real.  Then the
# directives the operator relies on are read back:
#   service: Type=oneshot, SuccessExitStatus=1 (committed with rejects),
#     Restart=on-failure with exit 2-5 excluded and 6 (locked) not, a start
#     limit (bounded retries), ExecStart = BINDIR/colink run on
#     SYSCONFDIR/colink/jobs/%i.xml, the hardening (ProtectSystem=strict,
#     ProtectHome, PrivateTmp, NoNewPrivileges, UMask=0077, a writable
#     state folder), no --unsigned-agreement;
#   timer: OnCalendar=monthly, Persistent=true, WantedBy=timers.target.
# Exit 0 when all hold, 1 naming each failure, 77 when configure was told
# --with-systemdsystemunitdir=no, 99 without systemd-analyze or man.
LC_ALL=C
export LC_ALL
build=${COLINK_TEST_BUILDDIR:-.}
for tool in systemd-analyze man; do
	command -v $tool >/dev/null 2>&1 || { echo "systemd_units: no $tool (apt-get install systemd man-db)"; exit 99; }
done
# a configured folder, from the build's Makefile (a make of its own: not
# the jobserver or the directory messages of the `make check` around it)
var() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$build" "print-$1" 2>/dev/null; }
unitdir=$(var systemdsystemunitdir)
[ -n "$unitdir" ] || { echo "systemd_units: no systemdsystemunitdir (configured without units)"; exit 77; }
bindir=$(var bindir)
sysconfdir=$(var sysconfdir)
mandir=$(var mandir)
case $unitdir$bindir$sysconfdir$mandir in *"
"*) echo "systemd_units: unexpected output of make print-*: $unitdir $bindir"; exit 99 ;; esac
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "systemd_units: $*"; fail=1; }

root=$tmp/root
make -s -C "$build" DESTDIR="$root" install-binPROGRAMS install-systemdsystemunitDATA install-man \
	>"$tmp/make.log" 2>&1 ||
	{ cat "$tmp/make.log"; echo "systemd_units: installing the binary and the units failed"; exit 1; }
svc=$root$unitdir/colink@.service
tim=$root$unitdir/colink@.timer
[ -f "$svc" ] && [ -f "$tim" ] || { echo "systemd_units: no units installed in $unitdir"; exit 1; }
[ -x "$root$bindir/colink" ] || { echo "systemd_units: no colink installed in $bindir"; exit 1; }
# systemd's own units (sysinit.target, timers.target ...) inside the root
sysunits=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null)
[ -d "${sysunits:-/nonexistent}" ] || sysunits=/lib/systemd/system
mkdir -p "$root/lib/systemd" && cp -R "$sysunits" "$root/lib/systemd/system" ||
	{ echo "systemd_units: cannot copy systemd's units from $sysunits"; exit 99; }

# systemd looks for units in its own folders of the root only: when the
# unit folder is not one (distcheck's prefix), the installed files are
# verified from the root's /etc/systemd/system
case $unitdir in
/etc/systemd/system | /usr/local/lib/systemd/system | /usr/lib/systemd/system | /lib/systemd/system) ;;
*)
	mkdir -p "$root/etc/systemd/system" && cp "$svc" "$tim" "$root/etc/systemd/system/" || exit 99
	svc=$root/etc/systemd/system/colink@.service
	tim=$root/etc/systemd/system/colink@.timer
	;;
esac
# Documentation=man:... is checked with man(1) on the installed pages
MANPATH=$root$mandir
export MANPATH
systemd-analyze verify --root="$root" "$svc" "$tim" >"$tmp/verify" 2>&1 ||
	bad "systemd-analyze verify refuses the units: $(cat "$tmp/verify")"
[ -s "$tmp/verify" ] && bad "systemd-analyze verify warns: $(cat "$tmp/verify")"
rm "$root$bindir/colink"
if systemd-analyze verify --root="$root" "$svc" >"$tmp/verify2" 2>&1; then
	bad "systemd-analyze verify passes with no binary at ExecStart: it checks nothing"
fi
grep -q "$bindir/colink" "$tmp/verify2" || bad "verify without the binary does not name $bindir/colink: $(cat "$tmp/verify2")"

# the directives, as systemd reads them (last assignment wins; comments out)
val() { sed -n "s/^$2=//p" "$1" | tail -1; }
has() { grep -qx "$2" "$1" || bad "${1##*/} has no '$2'"; }
has "$svc" "Type=oneshot"
has "$svc" "SuccessExitStatus=1"
has "$svc" "Restart=on-failure"
prevent=" $(val "$svc" RestartPreventExitStatus) "
for c in 2 3 4 5; do
	case $prevent in *" $c "*) ;; *) bad "exit $c would be retried (RestartPreventExitStatus=$prevent)" ;; esac
done
case $prevent in *" 6 "*) bad "exit 6 (warehouse locked) would not be retried" ;; esac
case " $(val "$svc" SuccessExitStatus) " in *" 6 "*) bad "exit 6 counted a success" ;; esac
burst=$(val "$svc" StartLimitBurst)
[ -n "$burst" ] && [ "$burst" -ge 2 ] && [ "$burst" -le 10 ] || bad "retries are not bounded (StartLimitBurst=$burst)"
[ -n "$(val "$svc" StartLimitIntervalSec)" ] || bad "no StartLimitIntervalSec"
[ -n "$(val "$svc" RestartSec)" ] || bad "no RestartSec: a locked warehouse would be retried at once"
[ "$(val "$svc" ExecStart)" = "$bindir/colink run --no-progress $sysconfdir/colink/jobs/%i.xml" ] ||
	bad "ExecStart is '$(val "$svc" ExecStart)'"
grep -q -- "--unsigned-agreement" "$svc" && bad "the service runs with --unsigned-agreement"
for d in ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes UMask=0077 \
	StateDirectory=colink PrivateDevices=yes; do
	has "$svc" "$d"
done
grep -q "^ReadWritePaths=" "$svc" || bad "no ReadWritePaths"
grep -n "@[a-z]*@" "$svc" >/dev/null && bad "an unsubstituted @var@ in the service: $(grep -n '@[a-z]*@' "$svc")"
has "$tim" "OnCalendar=monthly"
has "$tim" "Persistent=true"
has "$tim" "WantedBy=timers.target"
[ $fail -eq 0 ] && echo "systemd_units: colink@.service and colink@.timer verify under $unitdir" \
	"(ExecStart $bindir/colink checked inside the root); oneshot, exit 1 a success, exit 6 retried" \
	"at most $((burst - 1)) times, hardened; the timer monthly and persistent"
exit $fail
