#!/bin/sh
# tests/trust/regress.sh -- replays tests/trust/regress/*.fk, the inputs the
# fuzzers found (a crash, a hang or a sanitizer report), against a scratch
# database (tests/trust/hostile/scratch.facts) through fakt_prepare/fakt_step
# (`trust_tool query --file`, row/memory/time limits set). Each must end
# normally: exit status 0 or 1, never a signal or a timeout. To add one:
# copy $B/fuzz/crashes/<target>-crash-* to tests/trust/regress/NAME.fk.
# Ends with "N passed, N failed"; exit 1 on failure.

B=${B:-build}
TOOL=$B/trust/trust_tool
FAKT=$B/fakt
case $FAKT in /*) ;; *) FAKT=$(pwd)/$FAKT ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 known=0
finish() {
  [ "$known" -gt 0 ] && echo "regress: $known known failures (tests/trust/KNOWN_BUGS; not counted)"
  echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?
}
[ -x "$TOOL" ] && [ -x "$FAKT" ] || { echo "FAIL regress: $TOOL or $FAKT is missing"; fail=1; finish; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fakt-regress.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
(cd "$HERE/hostile" && "$FAKT" -c 'load "scratch.facts";' "$tmp/scratch.fakt") > "$tmp/out" 2>&1 || {
  echo "FAIL regress: cannot build the scratch database"; cat "$tmp/out"; fail=1; finish; }
TO=
command -v timeout >/dev/null 2>&1 && TO="timeout 120"
for f in "$HERE"/regress/*.fk; do
  [ -f "$f" ] || continue
  name=regress/$(basename "$f" .fk)
  cp "$tmp/scratch.fakt" "$tmp/db.fakt"; rm -f "$tmp/db.fakt-lock"
  $TO "$TOOL" query "$tmp/db.fakt" --rows 100000 --mem 268435456 --ms 20000 --file "$f" > "$tmp/out" 2> "$tmp/err"
  st=$?
  if [ $st -le 1 ]; then pass=$((pass + 1))
  elif grep -q "^$name[ 	]" "$HERE/KNOWN_BUGS"; then echo "KNOWN FAILURE $name: exit status $st"; known=$((known + 1))
  else echo "FAIL $name: exit status $st"; head -c 1000 "$tmp/err"; fail=$((fail + 1)); fi
done
finish
