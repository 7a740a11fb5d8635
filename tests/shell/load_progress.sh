#!/bin/sh
# tests/shell/load_progress.sh -- a long `load` shows its progress on a
# terminal and nowhere else (issue 20, point 3): the shell gives the handle
# a fakt_progress_handler() when stderr is a terminal, and prints "load: N
# statements" every 10,000 statements, then clears the line. Driven in tmux,
# with every byte sent to the pane logged (the line is cleared at the end,
# so the final screen does not show it): on the terminal (-c and the REPL)
# the log has the progress lines; the same load with its output in a pipe
# or in files prints nothing more than without a terminal. Counts, not
# times: 25,101 statements make two progress lines.
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

finish
