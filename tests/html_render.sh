#!/bin/sh
# html_render.sh IN.html OUT.png [WIDTH,HEIGHT]
#
# Render an HTML file with Debian's headless Chromium into a PNG screenshot
# and fail when the page does not render cleanly:
#   - any console message (an uncaught script error, a Content-Security-
#     Policy refusal of an external fetch, console.error ...): colink's pages
#     have no script, so every console line is a fault;
#   - no PNG, or a PNG no different from the render of an empty page (a
#     blank screenshot).
# Exit 0 rendered; 1 failed (the reason on stderr); 2 usage; 77 (automake
# SKIP) when chromium is not installed.  $CHROMIUM overrides the browser.
# Shared by `colink doc` tests and the HTML white-paper tests: keep this
# interface.
set -u

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: $0 IN.html OUT.png [WIDTH,HEIGHT]" >&2
	exit 2
fi
in=$1
out=$2
size=${3:-1200,1600}

browser=${CHROMIUM:-}
if [ -z "$browser" ]; then
	for b in chromium chromium-browser; do
		if command -v "$b" >/dev/null 2>&1; then
			browser=$b
			break
		fi
	done
fi
if [ -z "$browser" ] || ! command -v "$browser" >/dev/null 2>&1; then
	echo "$0: chromium is not installed; skipping" >&2
	exit 77
fi
if [ ! -r "$in" ]; then
	echo "$0: $in: cannot read" >&2
	exit 1
fi
case $in in
/*) url="file://$in" ;;
*) url="file://$(pwd)/$in" ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/html_render.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

# One private profile per call: parallel renders must not share one.
shot() { # URL PNG LOG
	rm -f "$2"
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
		--no-first-run --no-default-browser-check --hide-scrollbars \
		--user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
		--window-size="$size" --screenshot="$2" "$1" >"$3" 2>&1
}

shot "$url" "$out" "$work/log"
rc=$?
if grep -E ':CONSOLE|Uncaught' "$work/log" >"$work/console"; then
	echo "$0: $in: console messages while rendering:" >&2
	cat "$work/console" >&2
	exit 1
fi
if [ ! -s "$out" ]; then
	echo "$0: $in: no screenshot (chromium exit $rc)" >&2
	tail -5 "$work/log" >&2
	exit 1
fi
if [ "$(head -c 8 "$out" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]; then
	echo "$0: $out: not a PNG file" >&2
	exit 1
fi

# Blank check without image tools: a page with content compresses to a
# clearly larger PNG than an empty page of the same size.
printf '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>\n' \
	>"$work/blank.html"
shot "file://$work/blank.html" "$work/blank.png" "$work/blank.log"
if [ -s "$work/blank.png" ]; then
	blank=$(wc -c <"$work/blank.png")
	got=$(wc -c <"$out")
	if cmp -s "$out" "$work/blank.png" || [ "$got" -lt $((blank * 2)) ]; then
		echo "$0: $out: the screenshot looks blank ($got bytes; an empty page is $blank)" >&2
		exit 1
	fi
fi
exit 0
