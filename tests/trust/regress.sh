#!/bin/sh
# tests/trust/regress.sh -- replays tests/trust/regress/*.fk, the inputs the
# fuzzers found (a crash, a hang or a sanitizer report), against a scratch
# database (tests/trust/hostile/scratch.facts) through fakt_prepare/fakt_step
# (`trust_tool query --file`, row/memory/time limits set), and through the
# libFuzzer targets $B/fuzz/fuzz_parse and fuzz_exec when they were built.
# Each must end normally: exit status 0 or 1 and no sanitizer report, never
# a signal or a timeout. To add one:
# copy $B/fuzz/crashes/<target>-crash-* to tests/trust/regress/NAME.fk.
# Ends with "N passed, N failed"; exit 1 on failure.

NAME=regress
. "$(dirname "$0")/_scratch.sh"
TO=
command -v timeout >/dev/null 2>&1 && TO="timeout 120"
for f in "$HERE"/regress/*.fk; do
  [ -f "$f" ] || continue
  name=regress/$(basename "$f" .fk)
  cp "$tmp/scratch.fakt" "$tmp/db.fakt"; rm -f "$tmp/db.fakt-lock"
  $TO "$TOOL" query "$tmp/db.fakt" --rows 100000 --mem 268435456 --ms 20000 --file "$f" > "$tmp/out" 2> "$tmp/err"
  st=$?
  # a sanitizer build exits 1 on a report, like an ordinary error: read stderr
  grep -qE 'runtime error:|^==[0-9]+==ERROR|^SUMMARY: ' "$tmp/err" && st=99
  # the fuzz targets (ASan + UBSan, when clang built them) replay it too
  for t in parse exec; do
    [ $st -le 1 ] && [ -x "$B/fuzz/fuzz_$t" ] || continue
    $TO "$B/fuzz/fuzz_$t" -timeout=60 -rss_limit_mb=4096 "$f" > "$tmp/ferr" 2>&1 ||
      { st=98; cat "$tmp/ferr" >> "$tmp/err"; }
  done
  if [ $st -le 1 ]; then pass=$((pass + 1))
  elif grep -q "^$name[ 	]" "$HERE/KNOWN_BUGS"; then echo "KNOWN FAILURE $name: exit status $st"; known=$((known + 1))
  else echo "FAIL $name: exit status $st"; head -c 1000 "$tmp/err"; fail=$((fail + 1)); fi
done
finish
