#!/bin/sh
# tests/trust/busy.sh -- a second writer waits, with a limit (issue 21).
#   B=build sh tests/trust/busy.sh
# One process opens `begin;` and writes, then holds the transaction open
# (its input is a FIFO). Meanwhile:
# 1. a writer in another process fails with FAKT_BUSY after its timeout,
#    and its message names the holder's pid; it changed nothing;
# 2. a reader in another process answers at once (readers never wait);
# 3. with .timeout 0 a writer fails at once, with the same message;
# 4. a writer whose timeout outlasts the holder waits, then succeeds;
# 5. .open of the file that is open (by another name too) reopens it.

# Every wait is bounded by timeout(1): a hang is a failure, not a stall.
# Ends with "N passed, N failed"; exit 1 on failure.

B=${B:-build}
FAKT=$B/fakt
pass=0 fail=0
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL busy: $*"; fail=$((fail + 1)); }
[ -x "$FAKT" ] || { bad "$FAKT is missing"; finish; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fakt-busy.XXXXXX") || exit 2
holder=
cleanup() { [ -n "$holder" ] && kill -9 "$holder" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
db=$tmp/b.fakt

"$FAKT" -c 'entity a person "A";' "$db" >/dev/null 2>&1 || { bad "cannot create $db"; finish; }

# start_holder: a fakt process that has begun a transaction and written in
# it, fed through the FIFO $tmp/in (fd 7 here keeps it open)
start_holder() {
  rm -f "$tmp/in" "$tmp/hold.out"
  mkfifo "$tmp/in"
  "$FAKT" --mode tsv "$db" < "$tmp/in" > "$tmp/hold.out" 2>&1 &
  holder=$!
  exec 7> "$tmp/in"
  printf 'begin;\nentity h person "H";\nfind 4711;\n' >&7
  n=0
  while ! grep -q 4711 "$tmp/hold.out" 2>/dev/null && [ $n -lt 3000 ]; do sleep 0.01; n=$((n + 1)); done
  grep -q 4711 "$tmp/hold.out"
}
stop_holder() {
  printf '%s\n' "$1" >&7
  exec 7>&-
  wait "$holder"
  holder=
}

if start_holder; then ok; else bad "the holder did not start: $(cat "$tmp/hold.out")"; finish; fi

# 1. a writer waits for its timeout (the default, 5 s), then FAKT_BUSY
out=$(timeout 60 "$FAKT" -c 'entity w person "W";' "$db" 2>&1); rc=$?
if [ $rc -eq 1 ]; then ok; else bad "busy writer: exit status $rc (124 means it hung): $out"; fi
case $out in
  *"database is locked: another process (pid $holder) is writing to"*) ok ;;
  *) bad "busy writer: want the holder's pid $holder in the message, got: $out" ;;
esac

# 2. a reader does not wait, and sees the last committed state
out=$(timeout 60 "$FAKT" --mode tsv --no-headers -c 'find ?e where type(?e, person) order by ?e;' "$db" 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$out" = "a" ]; then ok; else bad "reader beside the writer: status $rc, got: $out"; fi

# 3. .timeout 0: fails at once (the same error)
out=$(timeout 60 "$FAKT" -c '.timeout 0' -c 'begin;' "$db" 2>&1); rc=$?
case "$rc:$out" in
  "1:"*"cannot begin: database is locked: another process (pid $holder)"*"waited 0 ms"*) ok ;;
  *) bad ".timeout 0: status $rc, got: $out" ;;
esac

# 4. a writer with a long timeout waits for the holder's commit, then writes
timeout 60 "$FAKT" -c '.timeout 30000' -c 'entity w2 person "W2";' "$db" > "$tmp/w2.out" 2>&1 &
w2=$!
sleep 0.3
stop_holder 'commit;'
wait "$w2"; rc=$?
if [ $rc -eq 0 ]; then ok; else bad "waiting writer: status $rc: $(cat "$tmp/w2.out")"; fi
out=$("$FAKT" --mode tsv --no-headers -c 'find ?e where type(?e, person) order by ?e;' "$db" 2>&1)
want=$(printf 'a\nh\nw2')
if [ "$out" = "$want" ]; then ok; else bad "after the commit: want a h w2 (w never written), got: $out"; fi

# 5. a process has one handle per file: .open of the open file (by another
#    name too) closes it and opens it anew, instead of a second handle
ln -s "$db" "$tmp/link.fakt"
out=$(printf '.open %s\nentity o1 person "O";\n.open --readonly %s\nfind ?e where ?e = o1;\n' "$db" "$tmp/link.fakt" \
      | timeout 60 "$FAKT" --mode tsv --no-headers "$db" 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$out" = "o1" ]; then ok; else bad ".open of the open file: status $rc, got: $out"; fi

finish
