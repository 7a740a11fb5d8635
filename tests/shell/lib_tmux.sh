# tests/shell/lib_tmux.sh -- drive the fakt REPL in tmux. Sourced after
# lib.sh by tests that need a terminal; the caller skips when tmux is
# missing (have_tmux).

nsession=0
TM=true
trap '$TM kill-server 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

have_tmux() { command -v tmux >/dev/null 2>&1; }

# start ARGS...: a new REPL `fakt ARGS` in a new tmux server (one socket per
# start); when fakt ends the pane shows "[exit N]".
start() {
  $TM kill-server 2>/dev/null
  nsession=$((nsession+1))
  TM="tmux -L fakt-test-$$-$nsession -f /dev/null"
  _args=
  for _a in "$@"; do _args="$_args '$_a'"; done
  $TM new-session -d -s t -x 120 -y 50 \
    "mkdir -p '$T/tmp'; cd '$T'; env LC_ALL=C.UTF-8 TERM=xterm TMPDIR='$T/tmp' FAKT_HISTORY='$T/history' '$FAKT' $_args; echo \"[exit \$?]\"; read x"
}
# start_sh FILE: like start, but the pane runs the shell script FILE (in
# $T, with $FAKT set), e.g. fakt in a pipeline. Ends as start does.
start_sh() {
  $TM kill-server 2>/dev/null
  nsession=$((nsession+1))
  TM="tmux -L fakt-test-$$-$nsession -f /dev/null"
  $TM new-session -d -s t -x 120 -y 50 \
    "mkdir -p '$T/tmp'; cd '$T'; env LC_ALL=C.UTF-8 TERM=xterm TMPDIR='$T/tmp' FAKT_HISTORY='$T/history' FAKT='$FAKT' sh '$1'; echo \"[exit \$?]\"; read x"
}
# log_pane FILE: from now on append every byte the pane is sent to FILE,
# lines that are overwritten or cleared later included
log_pane() { $TM pipe-pane -o -t t "cat >> '$1'"; }
# the screen and its scrollback, trailing blanks removed
screen() { $TM capture-pane -p -J -t t -S - 2>/dev/null | sed 's/ *$//'; }
# poll NAME WHAT TEST...: run TEST until it succeeds (every 0.1 s, up to
# 10 s, a hang guard, not a speed bound); counts a failure, with WHAT and
# the screen, if it never does.
poll() {
  _name=$1 _what=$2
  shift 2
  _i=0
  while [ $_i -lt 100 ]; do
    if "$@"; then npass=$((npass+1)); return 0; fi
    sleep 0.1
    _i=$((_i+1))
  done
  nfail=$((nfail+1))
  echo "FAIL $_name ($_what)"
  screen | sed 's/^/    | /'
  return 1
}
screen_has() { screen | grep -Eq -- "$1"; }
at_prompt() { [ "$(screen | grep -v '^$' | tail -n 1)" = "fakt>" ]; }
# wait_for NAME ERE: wait for a screen line matching ERE.
wait_for() { poll "$1" "waited for: $2" screen_has "$2"; }
# wait_prompt NAME: wait until the REPL waits at an empty prompt (the
# screen's last line is "fakt>"). A key that means something only at the
# prompt, such as Ctrl-D, must wait for it: while a statement runs the
# terminal is in cooked mode, and there the tty driver itself consumes a
# Ctrl-D as end-of-file, so the line editor never sees it.
wait_prompt() { poll "$1" "waited for an empty prompt" at_prompt; }
# count_of ERE: number of matching screen lines
count_of() { screen | grep -Ec -- "$1"; }
# type_text TEXT: send TEXT literally (a final ; is escaped for tmux)
type_text() {
  case $1 in *\;) set -- "${1%;}\\;" ;; esac
  $TM send-keys -t t -l -- "$1"
}
key() { $TM send-keys -t t "$@"; }
