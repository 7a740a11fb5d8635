#!/bin/sh
# tests/shell/daily.sh -- daily use of the fakt program (issue 22): batch
# output is never cut, table output streams and stops on a closed pipe,
# Ctrl-C gives the prompt back, a missing database is not created by a
# read, :memory:, .bail in the REPL, a transaction left open at the end.
. tests/shell/lib.sh
. tests/shell/lib_tmux.sh

DB=$T/fix.fakt
make_db "$DB"

# a chain of 2,000 facts: a three-way cross product over it has 8e9 rows
awk 'BEGIN {
  print "begin;"
  print "predicate next : entity;"
  for (i = 1; i <= 2000; i++) print "entity n" i " thing \"node " i "\";"
  for (i = 1; i < 2000; i++) print "claim n" i " next n" i+1 " from s1;"
  print "commit;"
}' > "$T/chain.facts"
CHAIN=$T/chain.fakt
cp "$DB" "$CHAIN"
if ! fakt -f "$T/chain.facts" "$CHAIN" > "$T/chain.out" 2>&1; then
  echo "cannot load the chain:"; cat "$T/chain.out"; exit 1
fi
CROSS='find ?a, ?b, ?c where ?a next ?x, ?b next ?y, ?c next ?z;'

# ---- batch output is never cut; --width and .width cut it
long=$(printf '%070d' 0)
run -c "find \"$long\" as s;" "$DB"
check "batch table not cut" "s
$(printf '%070d' 0 | tr 0 -)
$long
(1 row)" "$out"
run --no-headers --width 10 -c "find \"$long\" as s;" "$DB"
check "--width 10" "000000000…
(1 row)" "$out"
run --no-headers --width=0 -c ".width
find \"$long\" as s;" "$DB"
check "--width=0 and .width" "0
$long
(1 row)" "$out"
run --no-headers -c ".width
.width 6
find \"$long\" as s;
.width auto
.width" "$DB"
check ".width N and auto" "0 (auto)
00000…
(1 row)
0 (auto)" "$out"
run --width wide -c 'find 1;' "$DB"
check "--width bad rc" 2 "$rc"
check_match "--width bad message" '^fakt: --width needs a number' "$err"
run --help
check_match "help: --width" '^ +--width N\|auto' "$out"
check_match "help: -c takes dot-commands" '^  -c TEXT +run the statements and dot-commands' "$out"

# ---- table mode sizes its columns on the first 1000 rows, then streams:
# a wider cell later overflows its column, uncut
awk 'BEGIN {
  print "begin;"
  for (i = 1; i <= 1500; i++) {
    l = sprintf("a%04d", i)
    if (i > 1200) l = l "-a-much-longer-label"
    print "entity e" i " thing \"" l "\";"
  }
  print "commit;"
}' > "$T/wide.facts"
WIDE=$T/wide.fakt
if ! fakt -f "$T/wide.facts" "$WIDE" > "$T/wide.out" 2>&1; then
  echo "cannot load wide.facts:"; cat "$T/wide.out"; exit 1
fi
run -c 'find ?l as label where label(?e, ?l) order by ?l;' "$WIDE"
check "stream: rc" 0 "$rc"
check "stream: header sized on the first rows" "label
-----
a0001
a0002" "$(printf '%s\n' "$out" | head -n 4)"
check "stream: wider rows overflow, uncut" "a1500-a-much-longer-label
(1500 rows)" "$(printf '%s\n' "$out" | tail -n 2)"
check "stream: every row" 1503 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"

# ---- a closed pipe stops the output: `| head -2` ends (timeout 60 is a
# hang guard only); with SIGPIPE ignored fakt sees EPIPE, stops quietly and
# exits 1
for mode in table csv json; do
  got=$( (ulimit -f 200000; timeout 60 "$FAKT" --mode $mode -c "$CROSS" "$CHAIN"; echo "rc $?" > "$T/pipe.rc") | head -n 2 | wc -l)
  check "head -2 ends, $mode" 2 "$(echo $got)"
  check_match "head -2: killed by SIGPIPE, not the guard, $mode" '^rc 141$' "$(cat "$T/pipe.rc")"
  got=$( (trap '' PIPE; ulimit -f 200000; timeout 60 "$FAKT" --mode $mode -c "$CROSS" "$CHAIN" 2> "$T/pipe.err"; echo "rc $?" > "$T/pipe.rc") | head -n 2 | wc -l)
  check "EPIPE: head -2 ends, $mode" 2 "$(echo $got)"
  check "EPIPE: exit 1, $mode" "rc 1" "$(cat "$T/pipe.rc")"
  check "EPIPE: no message, $mode" "" "$(cat "$T/pipe.err")"
done

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
  # ---- on a terminal cells are cut at 60; Ctrl-C during a streaming table
  # gives the prompt back and prints no collected rows after the error
  start "$CHAIN"
  wait_for "prompt" '^fakt>$'
  type_text '.width'; key Enter
  wait_for "terminal width" '^60 \(auto\)$'
  type_text "find \"$long\" as s;"; key Enter
  wait_for "terminal cuts at 60" "^$(printf '%059d' 0)…$"
  type_text "$CROSS"; key Enter
  wait_for "cross product streams" '^n[0-9]+ +\| n[0-9]+ +\| n[0-9]+$'
  key C-c
  wait_for "interrupted" 'error: interrupted'
  wait_for "prompt after interrupt" '^fakt>$'
  check "no rows after the interrupt" "fakt>" "$(screen | grep -v '^$' | sed -n '/error: interrupted/,$p' | sed 1d)"
  type_text 'find 5 as five;'; key Enter
  wait_for "REPL works after interrupt" '^ *5$'
  type_text '.quit'; key Enter
  wait_for ".quit" '^\[exit 1\]$'

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
