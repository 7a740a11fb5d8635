#!/bin/sh
# tests/trust/multiproc.sh -- several processes on one file (issue 25).
#   B=build sh tests/trust/multiproc.sh
# 1. Two writers, one through a symbolic link to the file and one through
#    its real name, share one lock file (<real path>-lock): both finish,
#    every claim is there, .check passes, no link.fakt-lock is made. A file
#    with two hard links refuses a read-write open.
# 2. Read-only opens of a file past the 64 MiB initial map while a writer
#    grows it all succeed (a first read that meets MDB_MAP_RESIZED adopts
#    the new map size and retries).
# 3. Reader slots of killed processes are freed: with one process keeping
#    the file open, a reader killed while holding a snapshot does not keep
#    300 commits from reusing pages (the file grows less than 4 MB), and
#    after 130 killed readers (the table has 126 slots) the file still opens.
# Ends with "N passed, N failed"; exit 1 on failure.

B=${B:-build}
FAKT=$B/fakt
TOOL=$B/trust/trust_tool
pass=0 fail=0
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL multiproc: $*"; fail=$((fail + 1)); }
[ -x "$TOOL" ] && [ -x "$FAKT" ] || { bad "$TOOL or $FAKT is missing"; finish; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fakt-multi.XXXXXX") || exit 2
pids=
cleanup() { for p in $pids; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
size() { wc -c < "$1" | tr -d ' '; }
# waitfile F PID: wait until F exists (at most 30 s) or PID is gone
waitfile() {
  n=0
  while [ ! -e "$1" ] && [ $n -lt 3000 ]; do
    kill -0 "$2" 2>/dev/null || break
    sleep 0.01; n=$((n + 1))
  done
  [ -e "$1" ]
}

# ---- 1. a symbolic link and the real name share one lock
mkdir "$tmp/d"
real=$tmp/d/real.fakt
"$FAKT" -c 'predicate num : number; entity x thing "X";' "$real" > "$tmp/out" 2>&1 || { bad "schema: $(cat "$tmp/out")"; finish; }
ln -s real.fakt "$tmp/d/link.fakt"
ln -s d "$tmp/dl"
awk 'BEGIN { for (i = 1; i <= 400; i++) printf "claim a%d: x num %d;\n", i, i }' > "$tmp/a.fk"
awk 'BEGIN { for (i = 1; i <= 400; i++) printf "claim b%d: x num %d;\n", i, -i }' > "$tmp/b.fk"
"$FAKT" -f "$tmp/a.fk" "$tmp/dl/link.fakt" > "$tmp/a.out" 2>&1 &
pa=$!; pids="$pids $pa"
"$FAKT" -f "$tmp/b.fk" "$real" > "$tmp/b.out" 2>&1
sb=$?
wait $pa; sa=$?
if [ $sa -eq 0 ]; then ok; else bad "writer through the symbolic link: status $sa: $(head -c 300 "$tmp/a.out")"; fi
if [ $sb -eq 0 ]; then ok; else bad "writer through the real name: status $sb: $(head -c 300 "$tmp/b.out")"; fi
out=$("$TOOL" query "$real" 'find count() where x num ?n;' 2>&1)
if [ "$out" = 800 ]; then ok; else bad "claims of both writers: $out, want 800"; fi
c=$("$FAKT" -c '.check' "$real" 2>&1)
if [ "$c" = ok ]; then ok; else bad ".check after two writers: $c"; fi
if [ ! -e "$tmp/d/link.fakt-lock" ] && [ -e "$tmp/d/real.fakt-lock" ]; then ok; else
  bad "the lock file is not <real path>-lock: $(ls "$tmp/d" | tr '\n' ' ')"; fi
# a new file through a symbolic link to a directory: the lock is by the real file
"$FAKT" -c 'entity y thing "Y";' "$tmp/dl/new.fakt" > "$tmp/out" 2>&1
if [ -e "$tmp/d/new.fakt" ] && [ -e "$tmp/d/new.fakt-lock" ]; then ok; else bad "create through a linked directory: $(cat "$tmp/out")"; fi
# hard links: two names, one file, two lock files: a write is refused
ln "$real" "$tmp/d/hard.fakt"
out=$("$FAKT" -c 'claim h1: x num 1;' "$tmp/d/hard.fakt" 2>&1)
st=$?
case "$out" in
  *"hard links"*) [ $st -ne 0 ] && ok || bad "read-write open of a file with two hard links succeeded: $out";;
  *) bad "read-write open of a file with two hard links: want a refusal naming hard links, got (status $st): $out";;
esac
out=$("$FAKT" --readonly -c 'find count() where x num ?n;' "$tmp/d/hard.fakt" 2>&1)
case "$out" in *800*) ok;; *) bad "read-only open of a hard-linked file: $out";; esac
rm -f "$tmp/d/hard.fakt"

# ---- 2. read-only opens while a writer grows a file past 64 MiB
db=$tmp/big.fakt
"$TOOL" blobs "$db" 0 115 10 > "$tmp/out" 2>&1 || { bad "blobs: $(cat "$tmp/out")"; finish; }
if [ "$(size "$db")" -gt 67108864 ]; then ok; else bad "the file is not past 64 MiB: $(size "$db")"; fi
"$TOOL" blobs "$db" 5000 150 1 "$tmp/started" > "$tmp/w.out" 2>&1 &
pw=$!; pids="$pids $pw"
waitfile "$tmp/started" $pw || bad "the writer did not start: $(cat "$tmp/w.out")"
"$TOOL" opener "$db" "$tmp/wdone" 200 > "$tmp/o.out" 2>&1 &
po=$!; pids="$pids $po"
wait $pw; sw=$?
touch "$tmp/wdone"
wait $po
grep -v '^[0-9]* passed, [0-9]* failed$' "$tmp/o.out"
p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$tmp/o.out")
f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$tmp/o.out")
if [ -z "$p" ]; then bad "the opener died: $(cat "$tmp/o.out")"; else pass=$((pass + p)); fail=$((fail + f)); fi
if [ $sw -eq 0 ]; then ok; else bad "the growing writer failed: $(cat "$tmp/w.out")"; fi

# ---- 3. reader slots of killed processes
db=$tmp/r.fakt
"$FAKT" -c 'predicate num : number; entity x thing "X";' "$db" > "$tmp/out" 2>&1 || { bad "schema: $(cat "$tmp/out")"; finish; }
"$TOOL" hold "$db" "$tmp/h0" 0 > "$tmp/h0.out" 2>&1 &
ph=$!; pids="$pids $ph"
waitfile "$tmp/h0" $ph || { bad "the holder did not open: $(cat "$tmp/h0.out")"; finish; }
"$TOOL" hold "$db" "$tmp/h1" 1 > "$tmp/h1.out" 2>&1 &
p1=$!
waitfile "$tmp/h1" $p1 || bad "the snapshot holder did not open: $(cat "$tmp/h1.out")"
kill -9 $p1; wait $p1 2>/dev/null
s0=$(size "$db")
"$TOOL" writer "$db" 300 "$tmp/wlog" > "$tmp/out" 2>&1 || bad "300 commits: $(cat "$tmp/out")"
s1=$(size "$db")
echo "multiproc: 300 commits after a reader was killed: $s0 -> $s1 bytes"
if [ $((s1 - s0)) -lt 4000000 ]; then ok; else bad "a killed reader's snapshot kept pages from reuse: $s0 -> $s1 bytes"; fi
i=0 nok=0
while [ $i -lt 130 ]; do
  i=$((i + 1))
  rm -f "$tmp/hk"
  "$TOOL" hold "$db" "$tmp/hk" 1 > "$tmp/hk.out" 2>&1 &
  pk=$!
  if waitfile "$tmp/hk" $pk; then nok=$((nok + 1)); else
    [ $((i - nok)) -le 2 ] && echo "multiproc: killed reader $i did not open: $(cat "$tmp/hk.out")"; fi
  kill -9 $pk 2>/dev/null; wait $pk 2>/dev/null
done
if [ $nok -eq 130 ]; then ok; else bad "$((130 - nok)) of 130 readers could not open after readers were killed"; fi
out=$("$TOOL" query "$db" 'claim z1: x num 1; find count() where x num ?n;' 2>&1)
case "$out" in 3*) ok;; *) bad "write and read after 130 killed readers: $out";; esac
kill -9 $ph 2>/dev/null; wait $ph 2>/dev/null
finish
