#!/bin/sh
# run.sh -- run the benchmark's three systems, each in its own process, on
# one data file, then compare their answers and write the table and JSON.
#   sh bench/run.sh BENCH_BINARY DATA.bin WORKDIR OUT.json
# Exit status 1 if a system failed or the answers differ.
set -e
bin=$1 data=$2 dir=$3 json=$4
mkdir -p "$dir"
for sys in fakt sqlite lmdb; do
  rm -f "$dir/$sys.txt"
  t0=$(date +%s)
  if ! "$bin" run $sys "$data" "$dir/$sys.db" "$dir/$sys.txt"; then
    echo "bench: $sys failed" >&2; exit 1
  fi
  echo "bench: $sys done in $(( $(date +%s) - t0 )) s"
done
"$bin" report "$dir" "$json"
