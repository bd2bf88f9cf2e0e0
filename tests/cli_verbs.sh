#!/bin/sh
# cli_verbs.sh -- the verbs and sub-verbs that `colink --help` lists, one
# "verb" or "verb sub" a line, sorted: read from the --help text on stdin.
# A command line "  VERB SUB|SUB ..." of the commands section lists
# sub-verbs as lowercase words.  Shared by cli_help.sh (every verb's
# --help) and man_pages.sh (the man page names every verb) (#25, #22).
LC_ALL=C
export LC_ALL
awk '/^commands:/ { on = 1; next }
     on && /^[^ ]/ { on = 0 }
     on && /^  [a-z]/ {
	verb = $1; print verb
	if ($2 ~ /^[a-z|]+$/) { n = split($2, s, "|"); for (i = 1; i <= n; i++) print verb " " s[i] }
     }' | sort -u
