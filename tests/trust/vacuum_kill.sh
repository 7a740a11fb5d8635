#!/bin/sh
# tests/trust/vacuum_kill.sh -- a killed `.vacuum NEW` leaves no NEW behind.
#   B=build sh tests/trust/vacuum_kill.sh
# A database of 400,000 claims is vacuumed into NEW several times; each
# round waits until the copy (NEW-vacuum, or NEW itself) has grown past a
# fraction of the source's size and then kills the shell with SIGKILL. After
# the kill either NEW does not exist and NEW-vacuum (if left) is refused as
# "not a fakt database", or the vacuum had finished and NEW answers every
# claim. Then `.vacuum NEW` runs again over what the kill left: it
# succeeds, leaves no NEW-vacuum, and NEW answers every claim and passes
# .check. Also: .vacuum into an existing file is refused and leaves it as
# it was. No timing is asserted: where the kill lands only changes which
# of the two outcomes a round checks.
# Ends with "N passed, N failed"; exit 1 on failure.

B=${B:-build}
FAKT=$B/fakt
N=400000
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL vacuum_kill: $*"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
[ -x "$FAKT" ] || { bad "$FAKT is missing"; finish; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fakt-vackill.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

size() { stat -c %s "$1" 2>/dev/null || echo 0; }
# count DB: the number of claims (0 when the file does not open)
count() { c=$("$FAKT" --readonly --mode csv -c 'find count() as k where x num ?n;' "$1" 2>/dev/null | sed -n 2p); echo "${c:-0}"; }

awk -v n=$N 'BEGIN { print "predicate num : number; entity x thing \"X\"; begin;";
  for (i = 1; i <= n; i++) printf "claim n%d: x num %d;\n", i, i; print "commit;" }' > "$tmp/load.fk"
src=$tmp/src.fakt
if ! "$FAKT" -f "$tmp/load.fk" "$src" > "$tmp/out" 2>&1; then bad "load: $(cat "$tmp/out")"; finish; fi
want=$(count "$src")
[ "$want" -eq $N ] && ok || bad "source answers $want claims, not $N"
full=$(size "$src")

round=0 nkilled=0
for eighths in 0 1 2 3 4 5; do
  round=$((round + 1))
  new=$tmp/new$round.fakt
  limit=$((full * eighths / 8 + 1))
  "$FAKT" -c ".vacuum $new" "$src" > "$tmp/v.out" 2>&1 &
  pid=$!
  # wait until the copy has grown past limit bytes, or the vacuum ended
  while kill -0 "$pid" 2>/dev/null; do
    [ "$(size "$new-vacuum")" -ge "$limit" ] && break
    [ "$(size "$new")" -ge "$limit" ] && break
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if [ -e "$new" ]; then
    # the vacuum finished before the kill: NEW is whole
    got=$(count "$new")
    [ "$got" -eq $N ] && ok || bad "round $round: NEW left by a vacuum killed at ${eighths}/8 answers $got of $N claims"
  else
    nkilled=$((nkilled + 1))
    ok
    if [ -e "$new-vacuum" ]; then
      r=$("$FAKT" --readonly -c '.check' "$new-vacuum" 2>&1)
      case $r in *"not a fakt database"*) ok ;; *) bad "round $round: the temporary opens: $r" ;; esac
    fi
  fi
  # again over what the kill left
  rm -f "$new" "$new-lock"
  if "$FAKT" -c ".vacuum $new" "$src" > "$tmp/v.out" 2>&1; then ok; else bad "round $round: vacuum after the kill: $(cat "$tmp/v.out")"; fi
  [ ! -e "$new-vacuum" ] && ok || bad "round $round: $new-vacuum is left after a vacuum"
  got=$(count "$new")
  [ "$got" -eq $N ] && ok || bad "round $round: NEW answers $got of $N claims"
  c=$("$FAKT" -c '.check' "$new" 2>&1)
  [ "$c" = ok ] && ok || bad "round $round: .check of NEW: $c"
  rm -f "$new" "$new-lock" "$new-vacuum"
done

# an existing NEW is refused and left as it was
printf 'keep me\n' > "$tmp/exists.fakt"
if "$FAKT" -c ".vacuum $tmp/exists.fakt" "$src" > "$tmp/v.out" 2>&1; then bad "vacuum over an existing file succeeded"
else grep -q 'the file exists' "$tmp/v.out" && ok || bad "vacuum over an existing file: $(cat "$tmp/v.out")"; fi
[ "$(cat "$tmp/exists.fakt")" = "keep me" ] && ok || bad "the existing file was changed"

echo "vacuum_kill: $round rounds, $nkilled killed before the end"
finish
