#!/bin/sh
# tests/shell/backup.sh -- .backup FILE (fakt_backup): an online copy taken
# while another process writes is consistent and passes .check.
#   B=build sh tests/shell/backup.sh
# A writer process (one `fakt` reading a generated script) commits
# transactions that each add two claims, `x a K` and `x b K`, for
# K = 1, 2, ...; it runs until the test stops it. Five backups of the
# database (200,000 claims preloaded, so that a copy takes a while) are
# taken while it writes. Each copy must: pass .check; hold as many a-claims
# as b-claims with no K in one and not the other (a copy cut between the
# two claims of one transaction would break this); hold the K of 1..N with
# no gap (N its number of pairs: a snapshot is a prefix of the commits).
# The writer must still be running after every backup (it is stopped only
# at the end), and at least one copy must have been taken while the
# writer's commits moved on (the source had more pairs at the end of the
# backup than at its start): counted, never timed. Also: .backup into an
# existing file is refused and leaves it as it was; a read-only handle can
# back up.
. tests/shell/lib.sh

SRC=$T/src.fakt
N0=200000
awk -v n=$N0 'BEGIN { print "predicate a : number; predicate b : number; predicate fill : number;";
  print "entity x thing \"X\"; begin;";
  for (i = 1; i <= n; i++) printf "claim x fill %d;\n", i; print "commit;" }' > "$T/load.fk"
run -f "$T/load.fk" "$SRC"
check "preload rc" 0 "$rc"

# pairs DB: the number of a-claims (0 when DB does not open)
pairs() {
  c=$(fakt --readonly --mode csv --no-headers -c 'find count() where x a ?k;' "$1" 2>/dev/null | tr -d '\r')
  echo "${c:-0}"
}

# the writer: a pair of claims per transaction until $T/stop exists
( k=0
  while [ ! -e "$T/stop" ]; do
    k=$((k + 1))
    printf 'begin; claim x a %d; claim x b %d; commit;\n' "$k" "$k"
  done ) | "$FAKT" "$SRC" > "$T/writer.out" 2>&1 &
wpid=$!
# wait until the writer has committed something
i=0
while [ "$(pairs "$SRC")" -lt 10 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done

moved=0
for r in 1 2 3 4 5; do
  before=$(pairs "$SRC")
  run -c ".backup $T/copy$r.fakt" "$SRC"
  check "backup $r rc" 0 "$rc"
  check "backup $r stderr" "" "$err"
  after=$(pairs "$SRC")
  [ "$after" -gt "$before" ] && moved=$((moved + 1))
  if kill -0 $wpid 2>/dev/null; then alive=yes; else alive=no; fi
  check "writer still running after backup $r" yes "$alive"
  C=$T/copy$r.fakt
  run --readonly -c '.check' "$C"
  check "copy $r passes .check" "ok" "$out"
  run --readonly --mode csv --no-headers -c 'find count() where x a ?k;
find count() where x b ?k;
find count() where x fill ?k;
find count() where x a ?k, not x b ?k;
find count() where x b ?k, not x a ?k;
find min(?k), max(?k), count(distinct ?k) where x a ?k;' "$C"
  set -- $(printf '%s\n' "$out" | tr -d '\r')
  na=$1 nb=$2 nf=$3 aonly=$4 bonly=$5
  check "copy $r: a and b pair up ($na a, $nb b)" "$na $nb 0 0" "$na $nb $aonly $bonly"
  check "copy $r: preloaded claims" "$N0" "$nf"
  check "copy $r: K is 1..N with no gap" "1,$na,$na" "$6"
  # the copy is a snapshot the source had: no more pairs than the source now
  [ "$na" -gt 0 ] && [ "$na" -le "$after" ] && ok=yes || ok=no
  check "copy $r: $na pairs, 0 < n <= source's $after" yes "$ok"
done
touch "$T/stop"
wait $wpid
check "writer rc" 0 "$?"
echo "  backups during which the writer committed: $moved of 5; last copy: $na pairs"
[ $moved -ge 1 ] && ok=yes || ok=no
check "commits went on during at least one of 5 backups ($moved)" yes "$ok"

# an existing file is refused and kept
printf 'keep me\n' > "$T/exists"
run -c ".backup $T/exists" "$SRC"
check "backup over a file rc" 1 "$rc"
check_match "backup over a file message" 'the file exists' "$err"
check "backup over a file keeps it" "keep me" "$(cat "$T/exists")"
# a read-only handle backs up; the copy opens and answers like the source
run --readonly -c ".backup $T/ro.fakt" "$SRC"
check "read-only backup rc" 0 "$rc"
check "read-only backup answers" "$(pairs "$SRC")" "$(pairs "$T/ro.fakt")"

echo "$npass passed, $nfail failed"
[ $nfail -eq 0 ]
