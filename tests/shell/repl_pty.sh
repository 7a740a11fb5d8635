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

# start, screen, wait_for, count_of, type_text and key: the REPL in tmux
. tests/shell/lib_tmux.sh
HIST=$T/history                # where lib_tmux's start keeps the history
# last line on the screen that is not empty
last_line() { screen | grep -v '^$' | tail -n 1; }

start "$DB"
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
wait_prompt "prompt before Ctrl-D"
key C-d
wait_for "Ctrl-D leaves, status 1 after the failed statements" '^\[exit 1\]$'
check_match "history file written" 'seven' "$(cat "$HIST" 2>/dev/null)"
start "$DB"
wait_for "restart" '^fakt>$'
key Up
wait_for "history recalled" '^fakt> find 7 as seven;$'
key Up
wait_for "older history" '^fakt> find 5 as five;$'
key C-u
type_text '.quit'; key Enter
wait_for ".quit leaves, status 0" '^\[exit 0\]$'

# ---- each save replaces the history whole (a new file renamed over it,
# so a shell killed while saving never leaves it empty): a symbolic link
# stays a link to the file it names, the file stays private, and no
# temporary is left beside either
mkdir "$T/dots"
mv "$HIST" "$T/dots/hist"
ln -s dots/hist "$HIST"
ln "$T/dots/hist" "$T/dots/before"     # a second name for the old file
cp "$T/dots/hist" "$T/hist.copy"
start "$DB"
wait_for "linked history: prompt" '^fakt>$'
type_text 'find 8 as eight;'; key Enter
wait_for "linked history: ran" '^eight$'
type_text '.quit'; key Enter
wait_for "linked history: quit" '^\[exit 0\]$'
check "linked history: still a link" "dots/hist" "$(readlink "$HIST")"
check_match "linked history: the file it names has the line" 'eight' "$(cat "$T/dots/hist")"
check_match "linked history: and the older ones" 'seven' "$(cat "$T/dots/hist")"
check "linked history: the old file is replaced, not written over" \
  "$(cat "$T/hist.copy")" "$(cat "$T/dots/before")"
check "linked history: mode 600" "600" "$(stat -c %a "$T/dots/hist")"
check "linked history: no temporary left" "before
hist" "$(ls -A "$T/dots")"
check "linked history: none beside the link" "history" "$(ls -A "$T" | grep '^history')"

# ---- a history whose name leaves no room for the temporary's suffix (255
# bytes, NAME_MAX): no new file can be made beside it, so it is written in
# place, as before, and kept
long=$(printf 'h%.0s' $(seq 1 255))
rm -f "$HIST"
: > "$T/dots/$long"
ln -s "dots/$long" "$HIST"
start "$DB"
wait_for "long-named history: prompt" '^fakt>$'
type_text 'find 9 as nine;'; key Enter
wait_for "long-named history: ran" '^nine$'
type_text '.quit'; key Enter
wait_for "long-named history: quit" '^\[exit 0\]$'
check_match "long-named history: written in place" 'nine' "$(cat "$T/dots/$long")"

finish
