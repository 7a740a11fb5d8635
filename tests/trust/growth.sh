#!/bin/sh
# tests/trust/growth.sh -- the file grows by itself; a maximum size is kept.
#   B=build sh tests/trust/growth.sh
# `trust_tool grow`: 72 MB of claims in 120 transactions, past the initial
# 64 MiB map (SPEC 11.5); the file grows, and after reopening every claim
# is there byte for byte and fakt_check passes; then 72 MB in one begin …
# commit on a new file (the map makes room before a transaction).
# `trust_tool full`: with fakt_set_max_size(4 MiB) the write that does not
# fit fails with FAKT_FULL and "database is full: ...; nothing was changed",
# the handle still works, and after reopening exactly the committed claims
# are there. Ends with "N passed, N failed"; exit 1 on failure.

B=${B:-build}
TOOL=$B/trust/trust_tool
pass=0 fail=0
[ -x "$TOOL" ] || { echo "FAIL growth: $TOOL is missing"; echo "0 passed, 1 failed"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fakt-grow.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
for mode in grow full; do
  "$TOOL" $mode "$tmp/$mode.fakt" > "$tmp/out" 2>&1
  st=$?
  cat "$tmp/out" | grep -v '^[0-9]* passed, [0-9]* failed$'
  p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$tmp/out")
  f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$tmp/out")
  if [ -z "$p" ] || [ $st -ge 128 ]; then echo "FAIL growth: trust_tool $mode died (status $st)"; fail=$((fail + 1)); continue; fi
  pass=$((pass + p)); fail=$((fail + f))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
