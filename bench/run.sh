#!/bin/sh
# run.sh -- run the benchmark's three systems, each in its own process, on
# one data file, ROUNDS times, then compare their answers and write the
# table and JSON of the medians.
#   [ROUNDS=n] sh bench/run.sh BENCH_BINARY DATA.bin WORKDIR OUT.json
# Round 1 of each system loads DATA into WORKDIR/SYS.db and runs every query
# workload (results in WORKDIR/SYS.txt); rounds 2..n open that database
# again and run only the queries (BENCH_REUSE=1; results in WORKDIR/SYS.R.txt).
# After round 1 of the three, fakt loads the same claims from a JSON Lines
# file (fakt_import) and from a .facts file (`load`), each in a process of
# its own (WORKDIR/fakt-jsonl.txt, WORKDIR/fakt-facts.txt).
# Rounds are interleaved (round 1 of all three systems, then round 2 ...) so
# that a slow patch of a shared machine does not fall on one system only.
# ROUNDS defaults to 3. Exit status 1 if a system failed or answers differ.
set -e
bin=$1 data=$2 dir=$3 json=$4
rounds=${ROUNDS:-3}
case $rounds in
  [1-9]|[1-9][0-9]) ;;
  *) echo "bench: ROUNDS must be a number from 1 to 99, not '$rounds'" >&2; exit 2;;
esac
unset BENCH_REUSE            # round 1 must load, whatever the caller's environment says
mkdir -p "$dir"
for sys in fakt sqlite lmdb fakt-jsonl fakt-facts; do
  rm -f "$dir/$sys.txt" "$dir/$sys".[0-9]*.txt     # no stale rounds for the report
done

# runone SYS ROUND OUT: one process of system SYS; round 1 loads, later rounds reuse.
runone() {
  if [ "$2" -eq 1 ]; then
    "$bin" run "$1" "$data" "$dir/$1.db" "$3"
  else
    BENCH_REUSE=1 "$bin" run "$1" "$data" "$dir/$1.db" "$3"
  fi
}

r=1
while [ "$r" -le "$rounds" ]; do
  for sys in fakt sqlite lmdb; do
    if [ "$r" -eq 1 ]; then out=$dir/$sys.txt what="load + queries"
    else out=$dir/$sys.$r.txt what=queries; fi
    t0=$(date +%s)
    if ! runone $sys $r "$out"; then
      echo "bench: $sys failed in round $r" >&2; exit 1
    fi
    echo "bench: round $r/$rounds: $sys ($what) done in $(( $(date +%s) - t0 )) s"
  done
  if [ "$r" -eq 1 ]; then
    for sys in fakt-jsonl fakt-facts; do
      t0=$(date +%s)
      if ! "$bin" run $sys "$data" "$dir/$sys.db" "$dir/$sys.txt"; then
        echo "bench: $sys failed" >&2; exit 1
      fi
      echo "bench: round 1/$rounds: $sys (write the file, load it, check) done in $(( $(date +%s) - t0 )) s"
    done
  fi
  r=$((r + 1))
done
"$bin" report "$dir" "$json"
