#!/bin/sh
# tests/shell/daily.sh -- daily use of the fakt program (issue 22): batch
# output is never cut, table output streams and stops on a closed pipe,
# Ctrl-C gives the prompt back, a missing database is not created by a
# read, :memory:, .bail in the REPL, a transaction left open at the end.
. tests/shell/lib.sh
. tests/shell/lib_tmux.sh

DB=$T/fix.fakt
make_db "$DB"

# ---- a transaction left open at the end of a script is rolled back, said
# on stderr, exit 1
run -c 'begin;
entity extra2 person "Extra Two";' "$DB"
check "open txn at end rc" 1 "$rc"
check_match "open txn at end is reported" 'transaction was rolled back' "$err"
run --mode csv --no-headers -c 'find ?e where type(?e, person) order by ?e;' "$DB"
check "open txn at end: nothing written" "$(printf 'kim\r\nputin\r')" "$out"
run_in 'begin;
entity extra3 person "Extra Three";
.quit
find 1;
' "$DB"
check ".quit in txn rc" 1 "$rc"
check_match ".quit in txn is reported" 'transaction was rolled back' "$err"
run -c 'begin;
entity extra4 person "Extra Four";
commit;' "$DB"
check "committed txn rc" 0 "$rc"
check "committed txn: no message" "" "$err"
run --mode csv --no-headers -c 'find ?e where type(?e, person) order by ?e;' "$DB"
check "only the committed txn was written" "$(printf 'extra4\r\nkim\r\nputin\r')" "$out"

if have_tmux; then
  # ---- .bail on in the REPL reports the error and stays
  start "$DB"
  wait_for "prompt" '^fakt>$'
  type_text '.bail on'; key Enter
  type_text 'find nosuchthing;'; key Enter
  wait_for "bail: error reported" '^error: '
  type_text 'find 41 + 1 as answer;'; key Enter
  wait_for "bail: the REPL stays" '^ *42$'
  # ---- Ctrl-D inside a transaction: rolled back, said so, exit 1
  type_text 'begin;'; key Enter
  type_text 'entity extra5 person "Extra Five";'; key Enter
  key C-d
  wait_for "Ctrl-D in txn reported" 'transaction was rolled back'
  wait_for "Ctrl-D in txn exit 1" '^\[exit 1\]$'
  run --mode csv --no-headers -c 'find count() as n where type(?e, person);' "$DB"
  check "Ctrl-D in txn: nothing written" "$(printf '3\r')" "$out"
else
  echo "tmux not installed: REPL tests skipped"
fi

finish
