#!/bin/sh
# tests/trust/crash.sh -- durable commits and atomic transactions under SIGKILL.
#   B=build sh tests/trust/crash.sh [KILLS [SEED]]
# For each of KILLS rounds (default 24): a fresh database gets its schema,
# then `trust_tool writer` runs 5,000 transactions (each adds claim nI; every
# seventh adds two claims in begin ... commit) and appends I to a log file,
# fsync'd, after each commit returns. It is killed with SIGKILL after a
# seeded random delay. Then `trust_tool verify` reopens the database:
# fakt_check passes, the claims are exactly n1..nM for some M >= the last
# logged I (none lost, none partial, no gaps), the two-claim transactions are
# whole; and the shell's `.check` says ok. Each round counts its checks.
# Ends with "N passed, N failed"; exit 1 on failure.

B=${B:-build}
FAKT=$B/fakt
TOOL=$B/trust/trust_tool
KILLS=${1:-24}
SEED=${2:-6}
pass=0 fail=0
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
[ -x "$TOOL" ] && [ -x "$FAKT" ] || { echo "FAIL crash: $TOOL or $FAKT is missing"; fail=1; finish; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fakt-crash.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# Seeded delays in seconds: mostly early, some later, from 0.005 to 1.2.
awk -v n="$KILLS" -v s="$SEED" 'BEGIN { srand(s); for (i = 0; i < n; i++) { r = rand(); printf "%.3f\n", 0.005 + r * r * 1.2 } }' > "$tmp/delays"

round=0 nfinished=0
while read -r delay; do
  round=$((round + 1))
  db=$tmp/c$round.fakt log=$tmp/c$round.log
  rm -f "$db" "$db-lock" "$log"
  if ! "$FAKT" -c 'predicate num : number; entity x thing "X";' "$db" > "$tmp/out" 2>&1; then
    echo "FAIL crash round $round: schema:"; cat "$tmp/out"; fail=$((fail + 1)); continue
  fi
  "$TOOL" writer "$db" 5000 "$log" > "$tmp/w.out" 2>&1 &
  pid=$!
  sleep "$delay"
  if kill -KILL "$pid" 2>/dev/null; then :; else nfinished=$((nfinished + 1)); fi
  wait "$pid" 2>/dev/null
  last=$(tail -n 1 "$log" 2>/dev/null); last=${last:-0}
  "$TOOL" verify "$db" "$last" 5000 > "$tmp/v.out" 2>&1
  p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$tmp/v.out")
  f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$tmp/v.out")
  if [ -z "$p" ]; then echo "FAIL crash round $round: verify crashed:"; cat "$tmp/v.out"; fail=$((fail + 1))
  else
    pass=$((pass + p)); fail=$((fail + f))
    [ "$f" -gt 0 ] && { echo "FAIL crash round $round (killed after ${delay}s, log $last):"; cat "$tmp/v.out"; }
  fi
  c=$("$FAKT" -c '.check' "$db" 2>&1)
  if [ "$c" = ok ]; then pass=$((pass + 1)); else echo "FAIL crash round $round: .check: $c"; fail=$((fail + 1)); fi
  echo "round $round: killed after ${delay}s; $(sed -n 's/^verify: //p' "$tmp/v.out")"
  rm -f "$db" "$db-lock"
done < "$tmp/delays"
echo "crash: $round kills ($nfinished writers had already finished)"
finish
