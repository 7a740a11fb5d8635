#!/bin/sh
# tests/trust/io.sh -- imports and exports against hostile files (issue 25).
#   B=build sh tests/trust/io.sh
# CSV imports with a broken header (an empty column name such as a trailing
# comma, a column twice), empty files, CRLF line ends, NUL bytes, unclosed
# quotes and long fields; JSON Lines and GeoNames input without line ends
# (/dev/zero, a 20 MB line) under a 1 GB memory limit: each must end with a
# clear error (or import), never a crash or an endless read, and a failed
# import leaves the database as it was. Exports to a symbolic link, a FIFO,
# a device node and /dev/stdout write through them (the link, FIFO and node
# stay what they were); a write error (a full device) is an error.
# Ends with "N passed, N failed"; exit 1 on failure.

B=${B:-build}
FAKT=$B/fakt
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL io: $*"; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
[ -x "$FAKT" ] || { bad "$FAKT is missing"; finish; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fakt-io.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
db=$tmp/t.fakt
if ! "$FAKT" -c 'entity e0 place "E0";' "$db" > "$tmp/out" 2>&1; then
  bad "cannot create the database:"; cat "$tmp/out"; finish
fi
count() { "$FAKT" --mode csv -c 'find count() where type(?e, ?t);' "$db" 2>&1 | tail -n 1; }

# fails LABEL PATTERN FAKT-ARGS...: the command must exit 1 (not a signal or a
# time-out), print a message matching PATTERN, and leave the entities as they were.
fails() {
  f_label=$1 f_pat=$2; shift 2
  f_before=$(count)
  timeout 120 "$@" > "$tmp/out" 2>&1
  f_st=$?
  if [ $f_st -ne 1 ]; then bad "$f_label: exit status $f_st (want 1):"; head -c 600 "$tmp/out"; echo
  elif ! grep -Eq -- "$f_pat" "$tmp/out"; then bad "$f_label: no message matching /$f_pat/:"; head -c 600 "$tmp/out"; echo
  else ok; fi
  if [ "$(count)" = "$f_before" ]; then ok; else bad "$f_label: the database changed"; fi
}

# imports LABEL DIR IDS: .import csv DIR must succeed; IDS must then exist.
imports() {
  i_label=$1 i_dir=$2; shift 2
  if "$FAKT" -c ".import csv $i_dir" "$db" > "$tmp/out" 2>&1; then ok
  else bad "$i_label: the import failed:"; cat "$tmp/out"; return; fi
  for i_id in "$@"; do
    if "$FAKT" -c "find ?l where label($i_id, ?l);" "$db" 2>&1 | grep -q .; then ok
    else bad "$i_label: $i_id was not imported"; fi
  done
}

# csvdir NAME TEXT: a directory $tmp/NAME whose entities.csv is TEXT (printf).
csvdir() { mkdir -p "$tmp/$1"; printf "$2" > "$tmp/$1/entities.csv"; }

# ---------------------------------------------------------------- CSV headers
csvdir trailing 'id,type,label,\nc1,place,C1,\n'
fails "csv header with a trailing comma" 'entities.csv:1: column 4 of the CSV header has no name' \
  "$FAKT" -c ".import csv $tmp/trailing" "$db"
csvdir emptycol 'id,,label\nc1,place,C1\n'
fails "csv header with an empty column" 'column 2 of the CSV header has no name' \
  "$FAKT" -c ".import csv $tmp/emptycol" "$db"
csvdir quotedempty 'id,type,label,""\nc1,place,C1,x\n'
fails "csv header with an empty quoted column" 'column 4 of the CSV header has no name' \
  "$FAKT" -c ".import csv $tmp/quotedempty" "$db"
csvdir twice 'id,type,label,label\nc1,place,C1,C2\n'
fails "csv header with a column twice" 'column "label" twice in the CSV header' \
  "$FAKT" -c ".import csv $tmp/twice" "$db"
csvdir unclosed 'id,type,label\nc1,place,"C1\nc2,place,C2\n'
fails "csv unclosed quote" 'entities.csv:2: bad CSV \(an unclosed quote\)' \
  "$FAKT" -c ".import csv $tmp/unclosed" "$db"
csvdir afterquote 'id,type,label\nc1,place,"C1"x\n'
fails "csv text after a closing quote" 'entities.csv:2: bad CSV' \
  "$FAKT" -c ".import csv $tmp/afterquote" "$db"
csvdir nul 'id,type,label\nc1,place,C\0001\n'
fails "csv NUL byte" 'entities.csv:2: a NUL byte in the line' \
  "$FAKT" -c ".import csv $tmp/nul" "$db"
csvdir fields 'id,type,label\nc1,place\n'
fails "csv row with too few fields" 'entities.csv:2: 2 fields, the header has 3' \
  "$FAKT" -c ".import csv $tmp/fields" "$db"

# ---------------------------------------------------------------- CSV that imports
csvdir empty ''
imports "csv empty file" "$tmp/empty"
csvdir headonly 'id,type,label\n'
imports "csv header only" "$tmp/headonly"
csvdir crlf 'id,type,label\r\nc3,place,C3\r\nc4,place,"C\r\n4"\r\n'
imports "csv with CRLF" "$tmp/crlf" c3 c4
csvdir blank 'id,type,label\n\nc10,place,C10\n\n'
imports "csv with empty lines" "$tmp/blank" c10
csvdir multiline 'id,type,label\nc5,place,"C5, ""five""\nsecond line"\nc6,place,C6\n'
imports "csv quoted line break" "$tmp/multiline" c5 c6
if "$FAKT" --mode csv -c 'find ?l where label(c5, ?l);' "$db" 2>&1 | grep -q 'second line'; then ok
else bad "csv quoted line break: the label of c5 lost its second line"; fi
mkdir -p "$tmp/long"
{ printf 'id,type,label\nc7,place,'; head -c 60000 /dev/zero | tr '\0' 'x'; printf '\n'; } > "$tmp/long/entities.csv"
imports "csv 60 KB field" "$tmp/long" c7

# ---------------------------------------------------------------- no line ends, memory limit
# Under `ulimit -v 1000000` (1 GB) the import must stop with an error, not read
# without end or spin when memory runs out.
# GeoNames rows are read inside the import's transaction, and a write maps the
# database with a large virtual size: there the limit is on data (ulimit -d),
# which that shared mapping does not count.
lim="ulimit -v 1000000 && exec \"\$@\""
limd="ulimit -d 1000000 && exec \"\$@\""
# a sanitizer build cannot start under a memory limit (its shadow memory):
# then these run without one (the line limit still bounds them)
if ! sh -c "$lim" lim "$FAKT" --version > /dev/null 2>&1; then
  echo "note: $FAKT does not start under ulimit -v (a sanitizer build?): no memory limit"
  lim='exec "$@"' limd='exec "$@"'
fi
fails "jsonl /dev/zero" 'a NUL byte in the line' sh -c "$lim" lim "$FAKT" -c '.import jsonl /dev/zero' "$db"
fails "geonames /dev/zero" 'a NUL byte in the line' sh -c "$limd" lim "$FAKT" -c '.import geonames /dev/zero' "$db"
mkdir -p "$tmp/zero" && ln -s /dev/zero "$tmp/zero/entities.csv"
fails "csv /dev/zero" 'a NUL byte in the line' sh -c "$lim" lim "$FAKT" -c ".import csv $tmp/zero" "$db"
head -c 20000000 /dev/zero | tr '\0' 'x' > "$tmp/long.txt"
fails "jsonl 20 MB line" 'long.txt:1: line longer than 16 MiB' sh -c "$lim" lim "$FAKT" -c ".import jsonl $tmp/long.txt" "$db"
fails "geonames 20 MB line" 'long.txt:1: line longer than 16 MiB' sh -c "$limd" lim "$FAKT" -c ".import geonames $tmp/long.txt" "$db"
mkdir -p "$tmp/longcsv" && { printf 'id,type,label\nc8,place,"'; cat "$tmp/long.txt"; } > "$tmp/longcsv/entities.csv"
fails "csv 20 MB record" 'entities.csv:2: line longer than 16 MiB' sh -c "$lim" lim "$FAKT" -c ".import csv $tmp/longcsv" "$db"
# an endless stream of short lines in one quoted CSV field
mkdir -p "$tmp/yes" && mkfifo "$tmp/yes/entities.csv"
{ printf 'id,type,label\nc9,place,"'; yes 2>/dev/null; } > "$tmp/yes/entities.csv" &
fails "csv endless quoted field" 'entities.csv:2: (CSV record|line) longer than 16 MiB' sh -c "$lim" lim "$FAKT" -c ".import csv $tmp/yes" "$db"
kill $! 2>/dev/null; wait 2>/dev/null

# ---------------------------------------------------------------- export targets
# a symbolic link to a regular file: the file gets the export, the link stays
echo old > "$tmp/real.jsonl" && ln -s real.jsonl "$tmp/link.jsonl"
if "$FAKT" -c ".export jsonl $tmp/link.jsonl" "$db" > "$tmp/out" 2>&1; then ok; else bad "export to a symlink failed:"; cat "$tmp/out"; fi
if [ -L "$tmp/link.jsonl" ]; then ok; else bad "export replaced the symbolic link"; fi
if grep -q '"kind":"entity"' "$tmp/real.jsonl"; then ok; else bad "export through a symlink: the target was not written"; fi
[ ! -e "$tmp/link.jsonl.tmp" ] && [ ! -e "$tmp/real.jsonl.tmp" ] && ok || bad "export through a symlink left a .tmp"
# a symbolic link to nothing: refused, nothing created
ln -s missing.jsonl "$tmp/dangling.jsonl"
fails "export to a dangling symlink" 'a symbolic link to a missing file' "$FAKT" -c ".export jsonl $tmp/dangling.jsonl" "$db"
if [ -L "$tmp/dangling.jsonl" ] && [ ! -e "$tmp/missing.jsonl" ]; then ok; else bad "export to a dangling symlink changed it"; fi
# a FIFO: a reader gets the export, the FIFO stays
mkfifo "$tmp/pipe"
cat "$tmp/pipe" > "$tmp/piped" &
rpid=$!
if timeout 60 "$FAKT" -c ".export jsonl $tmp/pipe" "$db" > "$tmp/out" 2>&1; then ok; else bad "export to a FIFO failed:"; cat "$tmp/out"; fi
[ -p "$tmp/pipe" ] || { bad "export replaced the FIFO"; echo x > "$tmp/pipe" & }
wait $rpid
if grep -q '"kind":"entity"' "$tmp/piped"; then ok; else bad "export to a FIFO: the reader got nothing"; fi
# stdout as a pipe and as a file: /proc/self/fd/1, then /dev/stdout (tried
# only when the first works: an export that replaces its target would
# replace /dev/stdout itself when run as root)
if "$FAKT" -c '.export jsonl /proc/self/fd/1' "$db" 2>&1 | grep -q '"kind":"entity"'; then
  ok
  if "$FAKT" -c '.export jsonl /dev/stdout' "$db" 2>&1 | grep -q '"kind":"entity"'; then ok; else bad "export to /dev/stdout (a pipe) wrote nothing"; fi
  "$FAKT" -c '.export jsonl /dev/stdout' "$db" > "$tmp/stdout.jsonl" 2>&1
  if grep -q '"kind":"entity"' "$tmp/stdout.jsonl"; then ok; else bad "export to /dev/stdout (a file) wrote nothing"; fi
  [ -c /dev/null ] && ok || bad "/dev/null is no longer a device"
else
  bad "export to /proc/self/fd/1 (a pipe) wrote nothing"
fi
# a full device (a node of /dev/full made here when root, else /dev/full):
# ENOSPC is an error, and the node stays a device
full=/dev/full
if [ "$(id -u)" = 0 ] && mknod "$tmp/full" c 1 7 2>/dev/null; then full=$tmp/full; fi
fails "export to a full device" 'No space left on device' "$FAKT" -c ".export jsonl $full" "$db"
if [ -c "$full" ]; then ok; else bad "export replaced the device node $full"; fi
[ ! -e "$full.tmp" ] && ok || bad "export to a device left $full.tmp"
# csv into a directory whose entities.csv is a symlink
mkdir -p "$tmp/csvout" && echo old > "$tmp/ent-real.csv" && ln -s ../ent-real.csv "$tmp/csvout/entities.csv"
if "$FAKT" -c ".export csv $tmp/csvout" "$db" > "$tmp/out" 2>&1; then ok; else bad "csv export with a symlink failed:"; cat "$tmp/out"; fi
if [ -L "$tmp/csvout/entities.csv" ] && grep -q '^e0,' "$tmp/ent-real.csv"; then ok; else bad "csv export replaced its symlink or missed the target"; fi

finish
