#!/bin/sh
# tests/shell/globals.sh -- the library has no global mutable state: no
# object of libfakt holds a symbol in .data or .bss (constant tables live in
# .rodata or .data.rel.ro), and the shared library exports only fakt_*.
. tests/shell/lib.sh

n=0
for o in "$B"/base/*.o "$B"/lang/*.o "$B"/store/*.o "$B"/engine/*.o "$B"/io/*.o "$B"/gen/*.o; do
  [ -f "$o" ] || continue
  n=$((n+1))
  bad=$(objdump -t "$o" | awk '($4==".data" || $4==".bss") && $NF!=".data" && $NF!=".bss" {print $NF}')
  check "no mutable globals in $(basename "$o")" "" "$bad"
done
check_match "objects examined" "^([1-9][0-9]+)$" "$n"
bad=$(nm -D --defined-only "$B/libfakt.so" | awk '{print $3}' | grep -v '^fakt_' || true)
check "exports only fakt_*" "" "$bad"
check_match "exports fakt_open" "^fakt_open$" "$(nm -D --defined-only "$B/libfakt.so" | awk '{print $3}')"

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
