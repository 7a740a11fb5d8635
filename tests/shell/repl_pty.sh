#!/bin/sh
# tests/shell/repl_pty.sh -- the interactive REPL of fakt, driven in tmux:
# banner, completion (keyword, label with an umlaut, label with spaces,
# dot-command), continuation prompt, caret under an error, Ctrl-C on a long
# query and at the prompt, Ctrl-D, history kept across a restart.
. tests/shell/lib.sh

if ! command -v tmux >/dev/null 2>&1; then
  echo "tmux not installed: skipped"
  finish
  exit
fi

DB=$T/fix.fakt
make_db "$DB"
# a chain of 2,000 facts: a three-way join over it runs for a long time
awk 'BEGIN {
  print "predicate next : entity;"
  for (i = 1; i <= 2000; i++) print "entity n" i " thing \"node " i "\";"
  for (i = 1; i < 2000; i++) print "claim n" i " next n" i+1 " from s1;"
}' > "$T/chain.facts"
if ! fakt -f "$T/chain.facts" "$DB" > "$T/chain.out" 2>&1; then
  echo "cannot load the chain:"; cat "$T/chain.out"; exit 1
fi

HIST=$T/history
nsession=0
TM=true
trap '$TM kill-server 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

# start: a new REPL in a new tmux server (one socket per start, so that a
# server still shutting down cannot swallow the next session)
start() {
  $TM kill-server 2>/dev/null
  nsession=$((nsession+1))
  TM="tmux -L fakt-test-$$-$nsession -f /dev/null"
  $TM new-session -d -s t -x 120 -y 50 \
    "env LC_ALL=C.UTF-8 TERM=xterm FAKT_HISTORY='$HIST' '$FAKT' '$DB'; echo \"[exit \$?]\"; read x"
}
# the screen and its scrollback, trailing blanks removed (so the prompt
# "fakt> " reads "fakt>")
screen() { $TM capture-pane -p -J -t t -S - 2>/dev/null | sed 's/ *$//'; }
# wait_for NAME ERE: poll the screen for a matching line (up to 10 s);
# counts a failure (with the screen) if it never comes.
wait_for() {
  _i=0
  while [ $_i -lt 100 ]; do
    if screen | grep -Eq -- "$2"; then npass=$((npass+1)); return 0; fi
    sleep 0.1
    _i=$((_i+1))
  done
  nfail=$((nfail+1))
  echo "FAIL $1 (waited for: $2)"
  screen | sed 's/^/    | /'
  return 1
}
# count_of ERE: number of matching screen lines
count_of() { screen | grep -Ec -- "$1"; }
# last line on the screen that is not empty
last_line() { screen | grep -v '^$' | tail -n 1; }
# type TEXT: send TEXT literally (a final ; is escaped for tmux)
type_text() {
  case $1 in *\;) set -- "${1%;}\\;" ;; esac
  $TM send-keys -t t -l -- "$1"
}
key() { $TM send-keys -t t "$@"; }

start
wait_for "banner" '^fakt [0-9.]+ — enter \.help for help$'
wait_for "prompt" '^fakt>$'

# ---- completion of a keyword
type_text 'fin'; key Tab
wait_for "keyword completion" '^fakt> find$'
key C-u

# ---- completion of a label with an umlaut, then the query runs
type_text 'find label(~"Pjö'; key Tab
wait_for "umlaut label completion" '^fakt> find label\(~"Pjöngjang"$'
type_text ') as l;'; key Enter
wait_for "completed query runs" '^Pjöngjang$'

# ---- a label with spaces completes in quotes; "Kim Jong Un" and the alias
# "Kim Jong-un" share "Kim Jong", a second Tab lists both
type_text 'find label(~"Kim J'; key Tab
wait_for "common prefix of label and alias" '^fakt> find label\(~"Kim Jong$'
key Tab
wait_for "candidates listed" '^~"Kim Jong Un" +~"Kim Jong-un"$'
type_text ' U'; key Tab
wait_for "label with spaces" '^fakt> find label\(~"Kim Jong Un"$'
type_text ') as who;'; key Enter
wait_for "label query runs" '^Kim Jong Un$'

# ---- completion of a dot-command
type_text '.sch'; key Tab
wait_for "dot-command completion" '^fakt> \.schema$'
key Enter
wait_for ".schema output" '^predicate +\| claims'

# ---- a statement over two lines, with the continuation prompt
type_text 'find 1 as one,'; key Enter
wait_for "continuation prompt" '^  \.\.\.>$'
type_text '2 as two;'; key Enter
wait_for "multi-line statement" '^  1 \|   2$|^ *1 \| +2$'

# ---- an error shows the line and a caret under the column (CJK is 2 wide)
type_text 'find "日本" as j, ?x where nobody met ?x;'; key Enter
wait_for "error message" '^error: .*nobody'
caret=$(screen | grep -A2 '^error: .*nobody' | tail -n 1)
check "caret under the error" "  $(printf '%27s' '')^" "$caret"
src=$(screen | grep -A1 '^error: .*nobody' | tail -n 1)
check "error line shown" '  find "日本" as j, ?x where nobody met ?x;' "$src"

# ---- Ctrl-C stops a long query and returns to the prompt
type_text 'find count() as n where ?a next ?b, ?c next ?d, ?e next ?f;'; key Enter
# the query is running when no new prompt has appeared yet
n0=$(count_of '^fakt>$')
i=0
while [ $i -lt 5 ] && [ "$(count_of '^fakt>$')" = "$n0" ]; do sleep 0.1; i=$((i+1)); done
check "long query still running" "$n0" "$(count_of '^fakt>$')"
key C-c
wait_for "interrupted" 'error: interrupted'
wait_for "prompt after interrupt" '^fakt>$'
type_text 'find 5 as five;'; key Enter
wait_for "REPL works after interrupt" '^   5$|^ *5$'

# ---- Ctrl-C at the prompt clears the line
type_text 'find 99 as nn'; key C-c
wait_for "new prompt after Ctrl-C" '^fakt> find 99 as nn$'
type_text 'find 7 as seven;'; key Enter
wait_for "cleared line" '^seven$'
check "no leftover from the cleared line" 0 "$(count_of 'nnfind')"

# ---- .quit and Ctrl-D leave; the history survives a restart
key C-d
wait_for "Ctrl-D leaves, status 1 after the failed statements" '^\[exit 1\]$'
check_match "history file written" 'seven' "$(cat "$HIST" 2>/dev/null)"
start
wait_for "restart" '^fakt>$'
key Up
wait_for "history recalled" '^fakt> find 7 as seven;$'
key Up
wait_for "older history" '^fakt> find 5 as five;$'
key C-u
type_text '.quit'; key Enter
wait_for ".quit leaves, status 0" '^\[exit 0\]$'

finish
