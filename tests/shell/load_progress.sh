#!/bin/sh
# tests/shell/load_progress.sh -- a long `load` shows its progress on a
# terminal and nowhere else (issue 20, point 3): the shell gives the handle
# a fakt_progress_handler() when stderr is a terminal, and prints "load: N
# statements" every 10,000 statements, then clears the line. Driven in tmux,
# with every byte sent to the pane logged (the line is cleared at the end,
# so the final screen does not show it): on the terminal (-c and the REPL)
# the log has the progress lines; the same load with its output in a pipe
# or in files prints nothing more than without a terminal. Counts, not
# times: 25,101 statements make two progress lines. A -f script shows its
# own line every 1,000 statements, cleared before its rows and messages.
. tests/shell/lib.sh

if ! command -v tmux >/dev/null 2>&1; then
  echo "tmux not installed: skipped"
  finish
  exit
fi

# 1 predicate, 100 entities, 25,000 claims: 25,101 statements
awk 'BEGIN {
  print "predicate knows : entity;"
  for (i = 0; i < 100; i++) print "entity e" i " person \"Person " i "\";"
  for (i = 0; i < 25000; i++) print "claim e" (i % 100) " knows e" ((i * 7 + 3) % 100) ";"
}' > "$T/big.facts"
COUNT='find count(?c) as n where ?c: ?s knows ?o;'

# the output without a terminal: what every other run must print
cd "$T" && run plain.fakt -m tsv -c 'load "big.facts";' -c "$COUNT"; cd - >/dev/null
check "without a terminal: the count" "n
25000" "$out"
check "without a terminal: nothing on stderr" "" "$err"
want=$out

. tests/shell/lib_tmux.sh

# pane SCRIPT LOG: run SCRIPT in a pane (it waits for Enter first, so that
# the log starts before fakt does), log the pane to LOG, wait for the end
pane() {
  start_sh "$1"
  log_pane "$2"
  sleep 0.2
  key Enter
}

# ---- on a terminal: progress lines while it loads, none left after
cat > "$T/tty.sh" <<EOS
read go
"\$FAKT" tty.fakt -c 'load "big.facts";' -c '$COUNT'
EOS
pane "$T/tty.sh" "$T/tty.log"
wait_for "terminal: the load ends" '^\[exit 0\]$'
check_match "terminal: progress at 10,000 statements" 'load: 10000 statements' "$(cat "$T/tty.log")"
check_match "terminal: progress at 20,000 statements" 'load: 20000 statements' "$(cat "$T/tty.log")"
check "terminal: no progress past the statements there are" 0 "$(grep -c 'load: 30000' "$T/tty.log")"
check "terminal: the progress line is cleared" 0 "$(count_of 'load:')"
check "terminal: the count" 1 "$(count_of '^25000$')"

# ---- the REPL: the same, and the prompt comes back on a clean line
start "$T/repl.fakt"
wait_for "repl: prompt" '^fakt>$'
log_pane "$T/repl.log"
type_text 'load "big.facts";'; key Enter
# the next statement only at the prompt: typed while the load runs, the
# terminal itself (cooked mode) would echo it, and its Enter, after the
# progress line, leaving that line above the one the shell clears
wait_for "repl: the load typed" '^fakt> load "big\.facts";$'
wait_prompt "repl: the prompt after the load"
type_text "$COUNT"; key Enter
wait_for "repl: the count" '^25000$'
check_match "repl: progress" 'load: 20000 statements' "$(cat "$T/repl.log")"
check "repl: the progress line is cleared" 0 "$(count_of 'load:')"
type_text '.quit'; key Enter
wait_for "repl: .quit" '^\[exit 0\]$'

# ---- in a pipe: nothing but the output, on the terminal and through the pipe
cat > "$T/pipe.sh" <<EOS
read go
"\$FAKT" pipe.fakt -m tsv -c 'load "big.facts";' -c '$COUNT' 2>&1 | cat > pipe.out
cat pipe.out
EOS
pane "$T/pipe.sh" "$T/pipe.log"
wait_for "pipe: the load ends" '^\[exit 0\]$'
check "pipe: no progress on the terminal" 0 "$(grep -c 'load:' "$T/pipe.log")"
check "pipe: the same output as without a terminal" "$want" "$(cat "$T/pipe.out")"

# ---- output and errors in files, run from a terminal: nothing extra
cat > "$T/files.sh" <<EOS
read go
"\$FAKT" files.fakt -m tsv -c 'load "big.facts";' -c '$COUNT' > files.out 2> files.err
EOS
pane "$T/files.sh" "$T/files.log"
wait_for "files: the load ends" '^\[exit 0\]$'
check "files: no progress on the terminal" 0 "$(grep -c 'load:' "$T/files.log")"
check "files: the same output as without a terminal" "$want" "$(cat "$T/files.out")"
check "files: nothing on stderr" "" "$(cat "$T/files.err")"

# ---- a script (-f) on a terminal: "NAME: N statements, line L" every
# 1,000 statements; rows and messages start on a clean line (the progress
# line is cleared first), and none is left at the end. 2,607 statements: a
# query after the 1,000th, a failing claim after the 2,000th.
awk 'BEGIN {
  print "predicate knows : entity;"
  for (i = 0; i < 100; i++) print "entity e" i " person \"Person " i "\";"
  print "begin;"
  for (i = 0; i < 2500; i++) {
    print "claim e" (i % 100) " knows e" ((i * 7 + 3) % 100) ";"
    if (i == 1500) print "find count(?c) as n where ?c: ?s knows ?o;"
    if (i == 2200) print "claim nobody knows e1;"
  }
  print "commit;"
}' > "$T/script.facts"
cd "$T" && run script_plain.fakt -f script.facts; cd - >/dev/null
script_out=$out
check "script without a terminal: rc" 1 "$rc"
check "script without a terminal: only the message" \
  'script.facts:2305:7: error: unknown entity "nobody"' "$err"
cat > "$T/script.sh" <<EOS
read go
"\$FAKT" script.fakt -f script.facts
EOS
pane "$T/script.sh" "$T/script.log"
wait_for "script: it ends" '^\[exit 1\]$'
check_match "script: progress at 1,000 statements" 'script\.facts: 1000 statements, line 1000' "$(cat "$T/script.log")"
check_match "script: progress at 2,000 statements" 'script\.facts: 2000 statements, line 2000' "$(cat "$T/script.log")"
check "script: none past the statements there are" 0 "$(grep -c 'script.facts: 3000' "$T/script.log")"
check "script: the progress line is cleared" 0 "$(count_of 'statements, line')"
check "script: the header on a line of its own" 1 "$(count_of '^ *n$')"
check "script: the row" 1 "$(count_of '^1501$')"
check "script: the message on a line of its own" 1 \
  "$(count_of '^script\.facts:2305:7: error: unknown entity "nobody"$')"
check "script: what was written" "2500" "$(fakt -m list --no-headers -c 'find count(?c) where ?c: ?s knows ?o;' "$T/script.fakt")"

# ---- the same script, its output and errors in files: nothing extra
cat > "$T/sfiles.sh" <<EOS
read go
"\$FAKT" sfiles.fakt -f script.facts > sfiles.out 2> sfiles.err
EOS
pane "$T/sfiles.sh" "$T/sfiles.log"
wait_for "script in files: it ends" '^\[exit 1\]$'
check "script in files: no progress on the terminal" 0 "$(grep -c 'statements, line' "$T/sfiles.log")"
check "script in files: the same output" "$script_out" "$(cat "$T/sfiles.out")"
check "script in files: the same message" 'script.facts:2305:7: error: unknown entity "nobody"' "$(cat "$T/sfiles.err")"

finish
