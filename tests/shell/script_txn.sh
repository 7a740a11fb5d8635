#!/bin/sh
# tests/shell/script_txn.sh -- the three ways to run a file of write
# statements, as README's "Performance" section advises (issue 20 point 2):
#   fakt -f FILE         each write its own transaction (one commit, one
#                        fsync each: slow for thousands of statements);
#   begin ... commit     one transaction; a failed statement is reported at
#                        its line and undone, the others are committed;
#   load "FILE"          one statement: all or nothing.
# The test counts transactions (.changes prints the last id) and claims, and
# checks the error positions; no timing. Run from the top of the tree:
# B=build sh tests/shell/script_txn.sh
. tests/shell/lib.sh

N=300          # claims in the script
BAD=150        # the claim whose object is unknown

# The script: N claims of kim met putin, one per line (lines 1..N), the
# BAD-th naming an unknown entity at column 22.
i=1
while [ $i -le $N ]; do
  if [ $i -eq $BAD ]; then
    printf 'claim x%04d: kim met nobody;\n' $i
  else
    printf 'claim x%04d: kim met putin;\n' $i
  fi
  i=$((i+1))
done > "$T/claims.facts"
{ echo 'begin;'; cat "$T/claims.facts"; echo 'commit;'; } > "$T/claims_txn.facts"

# lasttx DB: the id of the last transaction
lasttx() {
  fakt -c '.changes' "$1" | sed -n 's/.*last transaction: \([0-9]*\)$/\1/p'
}
# nclaims DB: claims of kim met anyone
nclaims() {
  fakt --mode csv --no-headers -c 'find count(?c) where ?c: kim met ?o;' "$1" | tr -d '\r'
}

# ---- -f FILE: one transaction per statement
DB=$T/plain.fakt
make_db "$DB"
tx0=$(lasttx "$DB")
run -f "$T/claims.facts" "$DB"
check "plain rc" 1 "$rc"
check "plain error at the statement" \
  "$T/claims.facts:$BAD:22: error: unknown entity \"nobody\"" "$err"
check "plain: one transaction per good statement" $((tx0 + N - 1)) "$(lasttx "$DB")"
check "plain: the good claims" $((N - 1 + 1)) "$(nclaims "$DB")"

# ---- begin ... commit: one transaction, the good statements kept
DB=$T/txn.fakt
make_db "$DB"
tx0=$(lasttx "$DB")
run -f "$T/claims_txn.facts" "$DB"
check "txn rc" 1 "$rc"
check "txn error at the statement" \
  "$T/claims_txn.facts:$((BAD + 1)):22: error: unknown entity \"nobody\"" "$err"
check "txn: one transaction" $((tx0 + 1)) "$(lasttx "$DB")"
check "txn: the good claims" $((N - 1 + 1)) "$(nclaims "$DB")"
run -c "find ?c where ?c: kim met ?o, ?c = x$(printf %04d $BAD);" "$DB"
check_match "txn: the failed claim is not there" "unknown entity \"x$(printf %04d $BAD)\"" "$err"

# ---- load: one statement, all or nothing
DB=$T/load.fakt
make_db "$DB"
tx0=$(lasttx "$DB")
run -c "load \"$T/claims.facts\";" "$DB"
check "load rc" 1 "$rc"
check "load error names the file's line" \
  "$T/claims.facts:$BAD:22: error: unknown entity \"nobody\"
  (in the load at -c:1:6)" "$err"
check "load: no transaction" "$tx0" "$(lasttx "$DB")"
check "load: no claim" 1 "$(nclaims "$DB")"
# without the bad statement it is one transaction
sed -i "${BAD}d" "$T/claims.facts"
run -c "load \"$T/claims.facts\";" "$DB"
check "load ok rc" 0 "$rc"
check "load: one transaction" $((tx0 + 1)) "$(lasttx "$DB")"
check "load: the claims" $((N - 1 + 1)) "$(nclaims "$DB")"

finish
