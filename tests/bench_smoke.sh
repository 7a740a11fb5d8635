#!/bin/sh
# tests/bench_smoke.sh -- the benchmark at N=100,000 as a smoke test: fakt,
# SQLite and raw LMDB load the same generated data and must give the same
# answers to every workload (bench/run.sh fails otherwise). No timing is
# asserted here; the figures go to $B/bench/smoke.json.
B=${B:-build}
if make -s --no-print-directory B="$B" bench-smoke; then
  echo "1 passed, 0 failed"
else
  echo "FAIL bench-smoke: the three systems disagree or a run failed"
  echo "0 passed, 1 failed"
  exit 1
fi
