#!/bin/sh
# tests/trust/corrupt.sh -- a damaged database file never crashes fakt.
#   B=build sh tests/trust/corrupt.sh
# Takes the scratch database (tests/trust/hostile/scratch.facts) and, for
# every 4 KiB page in turn, scrambles the page (XOR 0x5a after its 16-byte
# header), then runs two queries and `.check` with fakt. fakt may refuse the
# file or report damage, but it must exit normally (status 0 or 1, never a
# signal). One test per page; they are listed as "corrupt/page" in
# tests/trust/KNOWN_BUGS while LMDB pages are trusted blindly.
# Ends with "N passed, N failed"; exit 1 on failure.

NAME=corrupt
. "$(dirname "$0")/_scratch.sh"
TO=
command -v timeout >/dev/null 2>&1 && TO="timeout 60"
pages=$(( $(wc -c < "$tmp/scratch.fakt") / 4096 ))
bad=
pg=0
while [ $pg -lt $pages ]; do
  cp "$tmp/scratch.fakt" "$tmp/db.fakt"; rm -f "$tmp/db.fakt-lock"
  "$TOOL" flip "$tmp/db.fakt" $((pg * 4096 + 16)) 4080
  $TO "$FAKT" -c 'find count() where ?c: ?s ?p ?o;' -c 'find ?e, ?l where label(?e, ?l);' -c '.check' "$tmp/db.fakt" > /dev/null 2>&1
  st=$?
  if [ $st -le 1 ]; then pass=$((pass + 1))
  elif grep -q '^corrupt/page[ 	]' "$HERE/KNOWN_BUGS"; then known=$((known + 1)); bad="$bad $pg:$st"
  else echo "FAIL corrupt/page $pg: exit status $st"; fail=$((fail + 1)); fi
  pg=$((pg + 1))
done
[ -n "$bad" ] && echo "KNOWN FAILURE corrupt/page: signal on pages (page:status):$bad"
finish
