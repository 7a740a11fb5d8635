#!/bin/sh
# tests/trust/limits.sh -- the address space, the disk and the lock file (issue 25).
#   B=build sh tests/trust/limits.sh
# 1. Under `ulimit -v 8000000` a database is created and written (the map
#    grows only as far as the address space allows); with the address space
#    limited to what the process maps plus 110 MiB (`trust_tool aslimit`)
#    the write that does not fit fails with FAKT_FULL saying the address
#    space limited the map, and every claim before it reads back.
# 2. On a full disk (a 2 MiB tmpfs; skipped with a note where it cannot be
#    mounted) a write fails with "disk is full: cannot write FILE", in and
#    out of begin ... commit, and the file still opens and checks.
# 3. A directory in place of the lock file: the open names the lock file.
# Ends with "N passed, N failed"; exit 1 on failure.

B=${B:-build}
FAKT=$B/fakt
TOOL=$B/trust/trust_tool
pass=0 fail=0
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL limits: $*"; fail=$((fail + 1)); }
[ -x "$TOOL" ] && [ -x "$FAKT" ] || { bad "$TOOL or $FAKT is missing"; finish; }
# has TEXT WORD: whether TEXT contains WORD
has() { case "$1" in *"$2"*) return 0;; esac; return 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fakt-limits.XXXXXX") && tmp=$(cd "$tmp" && pwd -P) || exit 2
mnt=
cleanup() { [ -n "$mnt" ] && umount "$mnt" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. the address space
if (ulimit -v 8000000 && "$FAKT" --version) > /dev/null 2>&1; then
  out=$( (ulimit -v 8000000; "$FAKT" -c 'predicate num : number; entity x thing "X"; claim a: x num 1;' "$tmp/as.fakt") 2>&1)
  if [ $? -eq 0 ]; then ok; else bad "create and write under ulimit -v 8000000: $out"; fi
  out=$( (ulimit -v 8000000; "$FAKT" -c 'begin; claim b: x num 2; commit; claim c: x num 3; find count() where x num ?n;' "$tmp/as.fakt") 2>&1)
  if [ $? -eq 0 ] && has "$out" 3; then ok; else bad "writes under ulimit -v 8000000: $out"; fi
  d=$tmp
  [ -d /dev/shm ] && [ -w /dev/shm ] && d=$(mktemp -d /dev/shm/fakt-limits.XXXXXX 2>/dev/null) || d=$tmp
  "$TOOL" aslimit "$d/l.fakt" 110 > "$tmp/out" 2>&1
  st=$?
  [ "$d" != "$tmp" ] && rm -rf "$d"
  grep -v '^[0-9]* passed, [0-9]* failed$' "$tmp/out"
  p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$tmp/out")
  f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$tmp/out")
  if [ -z "$p" ] || [ $st -ge 128 ]; then bad "trust_tool aslimit died (status $st)"; else pass=$((pass + p)); fail=$((fail + f)); fi
else
  echo "note: ulimit -v does not work here (or $FAKT cannot run under it, e.g. ASan): address-space tests skipped"
fi

# ---- 2. the disk is full
mkdir "$tmp/mnt"
if mount -t tmpfs -o size=2m tmpfs "$tmp/mnt" 2> "$tmp/out"; then
  mnt=$tmp/mnt
  db=$mnt/f.fakt
  "$TOOL" blobs "$db" 0 60 1 > "$tmp/out" 2>&1
  out=$(cat "$tmp/out")
  if has "$out" "disk is full: cannot write $db"; then ok; else bad "begin ... commit on a full disk: want \"disk is full: cannot write $db\", got: $out"; fi
  awk 'BEGIN { for (k = 1; k <= 10; k++) { printf "claim big%d: x blob \"", k
    for (i = 0; i < 2300; i++) printf "ABCDEFGHIJKLMNOPQRSTUVWXYZ"; printf "\";\n" } }' > "$tmp/big.fk"
  out=$("$FAKT" -f "$tmp/big.fk" "$db" 2>&1)
  if [ $? -ne 0 ] && has "$out" "disk is full: cannot write $db" && has "$out" "nothing was changed"; then ok; else
    bad "a statement on a full disk: want \"disk is full: cannot write $db ...; nothing was changed\", got: $out"; fi
  c=$("$FAKT" --readonly -c '.check' "$db" 2>&1)
  if [ "$c" = ok ]; then ok; else bad ".check after the disk was full: $c"; fi
  umount "$mnt" && mnt=
else
  echo "note: cannot mount a tmpfs ($(cat "$tmp/out")): disk-full tests skipped"
fi

# ---- 3. a directory in place of the lock file
"$FAKT" -c 'entity y thing "Y";' "$tmp/k.fakt" > "$tmp/out" 2>&1 || bad "create: $(cat "$tmp/out")"
rm -f "$tmp/k.fakt-lock"
mkdir "$tmp/k.fakt-lock" "$tmp/n.fakt-lock"
for args in "-c .check $tmp/k.fakt" "--readonly -c .check $tmp/k.fakt"; do
  out=$("$FAKT" $args 2>&1)
  if has "$out" "cannot open lock file $tmp/k.fakt-lock: Is a directory"; then ok; else bad "fakt $args: want the lock file named, got: $out"; fi
done
out=$("$FAKT" -c 'entity y thing "Y";' "$tmp/n.fakt" 2>&1)
if has "$out" "cannot open lock file $tmp/n.fakt-lock: Is a directory" && [ ! -e "$tmp/n.fakt" ]; then ok; else
  bad "create with a directory as lock file: want the lock file named and no file left, got: $out"; fi
finish
