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

# ---- ... so its memory is bounded: 970,299 rows of a cross product in
# table mode take what csv takes (before: 425 MB, all rows held)
awk 'BEGIN {
  print "begin;"
  print "predicate next : entity;"
  for (i = 1; i <= 100; i++) print "entity n" i " thing \"node " i "\";"
  for (i = 1; i < 100; i++) print "claim n" i " next n" i+1 " from s1;"
  print "commit;"
}' > "$T/small.facts"
SMALL=$T/small.fakt
cp "$DB" "$SMALL"
if ! fakt -f "$T/small.facts" "$SMALL" > "$T/small.out" 2>&1; then
  echo "cannot load the small chain:"; cat "$T/small.out"; exit 1
fi
rss() {
  python3 -c 'import resource, subprocess, sys
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, timeout=120)
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("rc %d %s" % (p.returncode, "under 64 MB" if kb < 65536 else "%d kB" % kb))' "$@"
}
check "table memory is bounded" "rc 0 under 64 MB" "$(rss "$FAKT" -c "$CROSS" "$SMALL")"
check "csv memory, for comparison" "rc 0 under 64 MB" "$(rss "$FAKT" -m csv -c "$CROSS" "$SMALL")"
run --mode csv --no-headers -c 'find count() as n where ?a next ?x, ?b next ?y, ?c next ?z;' "$SMALL"
check "the cross product has 970,299 rows" "$(printf '970299\r')" "$out"

# ---- a closed pipe stops the output: `| head -2` ends (timeout 60 is a
# hang guard only); with SIGPIPE ignored fakt sees EPIPE, stops quietly and
# exits 1
for mode in table csv json; do
  got=$( (ulimit -f 200000; timeout 60 "$FAKT" --mode $mode -c "$CROSS" "$CHAIN"; echo "rc $?" > "$T/pipe.rc") | head -n 2 | wc -l)
  check "head -2 ends, $mode" 2 "$(echo $got)"
  check_match "head -2: SIGPIPE (or EPIPE if ignored), not the guard, $mode" '^rc (141|1)$' "$(cat "$T/pipe.rc")"
  got=$( (trap '' PIPE; ulimit -f 200000; timeout 60 "$FAKT" --mode $mode -c "$CROSS" "$CHAIN" 2> "$T/pipe.err"; echo "rc $?" > "$T/pipe.rc") | head -n 2 | wc -l)
  check "EPIPE: head -2 ends, $mode" 2 "$(echo $got)"
  check "EPIPE: exit 1, $mode" "rc 1" "$(cat "$T/pipe.rc")"
  check "EPIPE: no message, $mode" "" "$(cat "$T/pipe.err")"
done

# ---- a database that does not exist is not created by a run that reads
mkdir "$T/cwd" "$T/tmp"
cd "$T/cwd" || exit 1
run -c 'find ?q where quote(kim, ?q);' missing.fakt
check "missing db: read rc" 1 "$rc"
check "missing db: read error" "-c:1:1: error: no such database: missing.fakt" "$err"
check "missing db: read prints nothing" "" "$out"
check "missing db: not created" "" "$(ls)"
run -c 'find 1 as one;
.schema' missing.fakt
check "missing db: .schema rc" 1 "$rc"
check "missing db: each read is an error" "-c:1:1: error: no such database: missing.fakt
-c:2:1: error: no such database: missing.fakt" "$err"
run -c 'fnd 1;' missing.fakt
check "missing db: syntax error rc" 1 "$rc"
check_match "missing db: a syntax error is still one" '^-c:1:1: error: near "fnd": syntax error' "$err"
check "missing db: still not created" "" "$(ls)"
run -c 'find 1;' ''
check "empty db name rc" 1 "$rc"
check_match "empty db name: cannot open, at once" '^fakt: cannot open ""' "$err"
# ---- a run whose statements write creates it, as before
run --mode csv --no-headers -c 'find 2 as two;
entity a1 person "A One";
find ?e where type(?e, person);' new.fakt
check "missing db: write rc" 1 "$rc"
check "missing db: the read before the write fails" "-c:1:1: error: no such database: new.fakt" "$err"
check "missing db: the write creates it" "$(printf 'a1\r')" "$out"
check "missing db: created" "new.fakt
new.fakt-lock" "$(ls)"
run --mode csv --no-headers -c 'begin;
entity b1 person "B One";
commit;
find ?e where type(?e, person);' new2.fakt
check "missing db: begin creates it, rc" 0 "$rc"
check "missing db: begin creates it" "$(printf 'b1\r')" "$out"
rm -f new.fakt* new2.fakt*

# ---- :memory: is private and never appears on disk
run_in 'entity m1 person "Memory One";
find ?e where type(?e, person);
.vacuum copy.fakt
.check
' --mode csv --no-headers :memory:
check ":memory: rc" 0 "$rc"
check ":memory: holds what was written, .check reads it" "$(printf 'm1\r\nok')" "$out"
run --mode csv --no-headers -c 'find ?e where type(?e, person);' :memory:
check ":memory: starts empty" "" "$out"
check ":memory: leaves no file" "copy.fakt" "$(ls -A)"
run --mode csv --no-headers -c 'find ?e where type(?e, person);' copy.fakt
check ":memory: .vacuum copies it" "$(printf 'm1\r')" "$out"
export TMPDIR="$T/tmp"
run -c 'entity m2 person "Memory Two";' :memory:
check ":memory: in TMPDIR: rc" 0 "$rc"
check ":memory: leaves nothing in TMPDIR" "" "$(ls -A "$T/tmp")"
unset TMPDIR
rm -f copy.fakt*
cd - >/dev/null || exit 1

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
  # a .read script still stops at its first error, and the REPL stays
  printf 'find 100 + 1 as a;\nfind nosuchthing;\nfind 100 + 2 as b;\n' > "$T/bail.fk"
  type_text ".read $T/bail.fk"; key Enter
  wait_for "bail: .read reports the error" 'bail\.fk:2:[0-9]+: error: '
  type_text 'find 40 + 3 as after;'; key Enter
  wait_for "bail: the REPL stays after .read" '^ *43$'
  check "bail: the .read script stopped at its error" 0 "$(count_of '^ *102$')"
  # ---- Ctrl-D inside a transaction: rolled back, said so, exit 1
  type_text 'begin;'; key Enter
  type_text 'entity extra5 person "Extra Five";'; key Enter
  wait_for "Ctrl-D in txn: the statement echoed" 'fakt> entity extra5 person "Extra Five";$'
  wait_prompt "Ctrl-D in txn: the prompt after the statement"
  key C-d
  wait_for "Ctrl-D in txn reported" 'transaction was rolled back'
  wait_for "Ctrl-D in txn exit 1" '^\[exit 1\]$'
  # ---- :memory: in the REPL: no file in the working directory or TMPDIR
  # while it is open
  start :memory:
  wait_for "memory prompt" '^fakt>$'
  type_text 'entity m3 person "Memory Three";'; key Enter
  type_text 'find ?e where type(?e, person);'; key Enter
  wait_for ":memory: in the REPL" '^m3$'
  check ":memory: open: nothing in TMPDIR" "" "$(ls -A "$T/tmp")"
  check ":memory: open: no file named :memory:" "" "$(ls -A "$T" | grep -F ':memory:')"
  type_text '.quit'; key Enter
  wait_for ":memory: .quit" '^\[exit 0\]$'
  # ---- a missing database in the REPL: said at the start, a query fails
  start "$T/later.fakt"
  wait_for "missing db: banner" 'later\.fakt does not exist yet'
  type_text 'find 1 as one;'; key Enter
  wait_for "missing db: REPL error" '^error: no such database: .*later\.fakt$'
  check "missing db: REPL does not create it" "" "$(ls -A "$T" | grep later)"
  type_text 'entity r1 person "R One";'; key Enter
  type_text 'find ?e where type(?e, person);'; key Enter
  wait_for "missing db: REPL write creates it" '^r1$'
  check "missing db: REPL created it" "later.fakt" "$(ls "$T" | grep later | head -n 1)"
  type_text '.quit'; key Enter
  wait_for "missing db: .quit" '^\[exit 1\]$'
  run --mode csv --no-headers -c 'find count() as n where type(?e, person);' "$DB"
  check "Ctrl-D in txn: nothing written" "$(printf '3\r')" "$out"

  # completion: a bare word completes the id (not offered beside its own
  # label "Kim Jong Un"), a dot-command's argument its values, file commands
  # file names (the screen's trailing blanks are cut: the space is not seen)
  mkdir -p "$T/cdir/sub"; : > "$T/cdir/sub/script.fakt"
  start "$DB"
  wait_for "completion: prompt" '^fakt>$'
  type_text 'find ?x where ?x = ki'; key Tab
  wait_for "completion: id" '^fakt> find \?x where \?x = kim$'
  key C-u
  type_text '.mode bo'; key Tab
  wait_for "completion: .mode value" '^fakt> \.mode box$'
  key C-u
  type_text '.read cdir/s'; key Tab
  wait_for "completion: directory" '^fakt> \.read cdir/sub/$'
  type_text 'scr'; key Tab
  wait_for "completion: file" '^fakt> \.read cdir/sub/script\.fakt$'
  key C-u
  type_text '.quit'; key Enter

  # Ctrl-C stops an .import that waits for input (issue 25 point 9): the
  # prompt comes back, "interrupted", and nothing of the import is stored
  cp "$DB" "$T/imp.fakt"
  rm -f "$T/imp.fifo"; mkfifo "$T/imp.fifo"
  ( printf '{"kind":"entity","id":"zz1","type":"person","label":"Z"}\n'; sleep 30 ) > "$T/imp.fifo" &
  feeder=$!
  start imp.fakt
  wait_for "import: prompt" '^fakt>$'
  type_text '.import jsonl imp.fifo'; key Enter
  sleep 0.5
  key C-c
  wait_for "import: Ctrl-C stops it" '^error: interrupted$'
  type_text 'find count() as n where type(?e, person), ?e = zz1;'; key Enter
  wait_for "import: nothing stored" 'unknown entity "zz1"'
  kill "$feeder" 2>/dev/null
  type_text '.quit'; key Enter

  # the history is saved as lines are entered: a shell killed (its
  # terminal gone: SIGHUP, no clean exit) keeps what was typed
  rm -f "$T/history"
  start "$DB"
  wait_for "history: prompt" '^fakt>$'
  type_text 'find 4242 as kept;'; key Enter
  wait_for "history: ran" '^ *4242$'
  $TM kill-server 2>/dev/null
  sleep 0.3
  check_match "history: kept after a kill" "find.*4242.*kept" "$(cat "$T/history" 2>/dev/null)"
else
  echo "tmux not installed: REPL tests skipped"
fi

finish
