#!/bin/sh
# tests/summary.sh -- totals results files written by tests/run.sh.
#   sh tests/summary.sh build/results.txt build/asan/results.txt
# Each file holds "suite passed failed" lines. A named file that is missing
# counts as 1 failed. Prints exactly one final line "N passed, N failed";
# exit 1 if anything failed or a file is missing.

pass=0
fail=0
for f in "$@"; do
  if [ ! -f "$f" ]; then
    echo "summary: $f is missing" >&2
    fail=$((fail + 1))
    continue
  fi
  while read -r suite p n rest; do
    [ -n "$suite" ] || continue
    case "$p,$n" in
      *[!0-9,]* | ,* | *,) echo "summary: $f: bad line: $suite $p $n $rest" >&2
                           fail=$((fail + 1)); continue ;;
    esac
    pass=$((pass + p))
    fail=$((fail + n))
  done < "$f"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
