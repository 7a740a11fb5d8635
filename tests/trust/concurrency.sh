#!/bin/sh
# tests/trust/concurrency.sh -- readers see consistent snapshots while a
# writer loads.
#   B=build sh tests/trust/concurrency.sh [READERS [PAIRS]]
# A writer process (`trust_tool cwriter`) commits PAIRS transactions (default
# 3,000), each adding two claims that belong together (x left I, x right I).
# READERS reader processes (default 3, `trust_tool reader`) query in a loop
# until the writer is done, and once more: in every statement the number of
# claims is even, no left claim lacks its right one or the reverse, and the
# count never goes back; that last round sees every pair. No read may fail.
# The final state is checked too.
# Ends with "N passed, N failed"; exit 1 on failure.

B=${B:-build}
FAKT=$B/fakt
TOOL=$B/trust/trust_tool
READERS=${1:-3}
PAIRS=${2:-3000}
pass=0 fail=0
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
[ -x "$TOOL" ] && [ -x "$FAKT" ] || { echo "FAIL concurrency: $TOOL or $FAKT is missing"; fail=1; finish; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fakt-conc.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
db=$tmp/c.fakt
if ! "$FAKT" -c 'predicate left : number; predicate right : number; entity x thing "X";' "$db" > "$tmp/out" 2>&1; then
  echo "FAIL concurrency: schema:"; cat "$tmp/out"; fail=1; finish
fi

i=0
while [ $i -lt "$READERS" ]; do
  i=$((i + 1))
  "$TOOL" reader "$db" "$tmp/done" > "$tmp/r$i.out" 2>&1 &
  eval "rpid$i=\$!"
done
"$TOOL" cwriter "$db" "$PAIRS" > "$tmp/w.out" 2>&1
ws=$?
touch "$tmp/done"
if [ $ws -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL concurrency: the writer failed (status $ws):"; cat "$tmp/w.out"; fail=$((fail + 1)); fi

i=0
while [ $i -lt "$READERS" ]; do
  i=$((i + 1))
  eval "wait \$rpid$i"; rs=$?
  p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$tmp/r$i.out")
  f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$tmp/r$i.out")
  if [ -z "$p" ] || [ $rs -ge 128 ]; then echo "FAIL concurrency: reader $i died (status $rs):"; cat "$tmp/r$i.out"; fail=$((fail + 1)); continue; fi
  pass=$((pass + p)); fail=$((fail + f))
  [ "$f" -gt 0 ] && { echo "FAIL concurrency: reader $i:"; head -n 20 "$tmp/r$i.out"; }
  grep '^reader:' "$tmp/r$i.out"
  # its round after the writer was done saw every pair: a read begins on
  # the latest snapshot, also when it reuses an earlier read's reader slot
  last=$(sed -n 's/^reader: [0-9]* rounds, last count \([0-9]*\)$/\1/p' "$tmp/r$i.out")
  if [ "$last" = "$PAIRS" ]; then pass=$((pass + 1)); else echo "FAIL concurrency: reader $i last saw $last pairs, want $PAIRS"; fail=$((fail + 1)); fi
done

# the final state: every pair, once
out=$("$TOOL" query "$db" 'find count() where x left ?n, x right ?n;' 2>&1)
if [ "$out" = "$PAIRS" ]; then pass=$((pass + 1)); else echo "FAIL concurrency: final pairs: $out, want $PAIRS"; fail=$((fail + 1)); fi
c=$("$FAKT" -c '.check' "$db" 2>&1)
if [ "$c" = ok ]; then pass=$((pass + 1)); else echo "FAIL concurrency: .check: $c"; fail=$((fail + 1)); fi
finish
