#!/bin/sh
# tests/trust/hostile.sh -- runs the hostile-input corpus tests/trust/hostile/*.case.
#   B=build sh tests/trust/hostile.sh [NAME...]
# A case file is header lines, a line "----", then the input (any bytes),
# which is written to input.fk in a scratch directory. Headers:
#   # text          what the case is about
#   db: KIND        scratch (default: tests/trust/hostile/scratch.facts loaded),
#                   missing, empty, truncated-half, truncated-N, random, text,
#                   sqlite, directory, format-N, flip-page-N
#   run: fakt|tool  fakt (default): $B/fakt ARGS -f input.fk db.fakt
#                   tool: $B/trust/trust_tool query db.fakt ARGS --file input.fk
#   args: ARGS      extra arguments (shell words)
#   gen: COMMAND    the input is the output of this sh command instead
#   status: N       the exact exit status (default 1); a signal always fails
#   stderr: LINE    the exact stderr, one header per line (none: stderr empty)
#   stderr~: GLOB   a stderr line matched as a sh pattern (only for known bugs)
#   stdout: LINE    the exact stdout, one header per line (none: not checked)
#   stdout-empty: yes   stdout must be empty
#   check: yes|no   afterwards `.check` and fakt_check() report the database
#                   intact (default yes for db: scratch)
#   unchanged: yes|no   afterwards mdb_dump of the file is as before (default
#                   yes for db: scratch)
# In expected lines @SIZE@ is the size of the scratch database and @HALF@
# half of it. Each case is 1 test. Cases listed in tests/trust/KNOWN_BUGS
# are reported as known failures, not counted as failed.
# Ends with "N passed, N failed"; exit 1 on failure.

B=${B:-build}
FAKT=$(cd "$(dirname "$B/fakt")" && pwd)/fakt
TOOL=$(cd "$B/trust" 2>/dev/null && pwd)/trust_tool
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 known=0

finish() {
  [ "$known" -gt 0 ] && echo "hostile: $known known failures (tests/trust/KNOWN_BUGS; not counted)"
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]; exit $?
}
[ -x "$FAKT" ] || { echo "FAIL hostile: $FAKT is missing"; fail=1; finish; }
[ -x "$TOOL" ] || { echo "FAIL hostile: $TOOL is missing"; fail=1; finish; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fakt-hostile.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# The scratch database every case copies.
scratch=$tmp/scratch.fakt
if ! (cd "$HERE/hostile" && "$FAKT" -c 'load "scratch.facts";' "$scratch") > "$tmp/out" 2>&1; then
  echo "FAIL hostile: cannot build the scratch database:"; cat "$tmp/out"; fail=1; finish
fi
SIZE=$(wc -c < "$scratch" | tr -d ' ')
HALF=$((SIZE / 2))
TO=
command -v timeout >/dev/null 2>&1 && TO="timeout 120"
HAVE_DUMP=0
command -v mdb_dump >/dev/null 2>&1 && HAVE_DUMP=1

isknown() { grep -q "^$1[ 	]" "$HERE/KNOWN_BUGS" 2>/dev/null || grep -qx "$1" "$HERE/KNOWN_BUGS" 2>/dev/null; }

# header NAME FILE: the values of header NAME, one per line.
header() { sed -n '/^----$/q;p' "$2" | sed -n "s/^$1: //p"; }

# mkdb KIND DIR: make DIR/db.fakt of that kind; 0 ok, 2 skip, 1 error.
mkdb() {
  d=$2/db.fakt
  case $1 in
    scratch)        cp "$scratch" "$d" ;;
    missing)        : ;;
    empty)          : > "$d" ;;
    truncated-half) head -c "$HALF" "$scratch" > "$d" ;;
    truncated-*)    head -c "${1#truncated-}" "$scratch" > "$d" ;;
    random)         "$TOOL" randfile "$d" 65536 42 ;;
    text)           printf 'find 1;\nthis is a text file, not a database\n' > "$d" ;;
    sqlite)         command -v python3 >/dev/null 2>&1 || return 2
                    python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table claims(s,p,o)'); c.execute(\"insert into claims values('kim','met','putin')\"); c.commit()" "$d" ;;
    directory)      mkdir "$d" ;;
    format-*)       cp "$scratch" "$d" && "$TOOL" setformat "$d" "${1#format-}" ;;
    flip-page-*)    cp "$scratch" "$d" && "$TOOL" flip "$d" $(( ${1#flip-page-} * 4096 + 16 )) 4080 ;;
    *)              echo "unknown db kind $1"; return 1 ;;
  esac
}

runcase() {
  f=$1
  name=$(basename "$f" .case)
  w=$tmp/case
  rm -rf "$w"; mkdir -p "$w"
  why=
  db=$(header db "$f"); db=${db:-scratch}
  run=$(header run "$f"); run=${run:-fakt}
  args=$(header args "$f")
  gen=$(header gen "$f")
  want=$(header status "$f"); want=${want:-1}
  check=$(header check "$f"); unchanged=$(header unchanged "$f")
  [ "$db" = scratch ] && { check=${check:-yes}; unchanged=${unchanged:-yes}; }
  mkdb "$db" "$w"; r=$?
  if [ $r -eq 2 ]; then echo "skip hostile/$name: needs python3"; pass=$((pass + 1)); return; fi
  [ $r -ne 0 ] && why="cannot make the database ($db)"
  hl=$(sed -n '1,/^----$/p' "$f" | wc -c | tr -d ' ')
  if [ -n "$gen" ]; then (cd "$w" && sh -c "$gen") > "$w/input.fk"
  else tail -c +$((hl + 1)) "$f" > "$w/input.fk"; fi
  [ "$unchanged" = yes ] && [ $HAVE_DUMP = 1 ] && mdb_dump -n -a "$w/db.fakt" > "$w/before" 2>/dev/null
  if [ "$run" = tool ]; then
    (cd "$w" && eval "$TO \"\$TOOL\" query db.fakt $args --file input.fk") > "$w/out" 2> "$w/err"
  else
    (cd "$w" && eval "$TO \"\$FAKT\" $args -f input.fk db.fakt") > "$w/out" 2> "$w/err"
  fi
  st=$?
  # the exact status, never a signal
  if [ $st -ge 124 ]; then why="$why; exit status $st (killed by a signal or timed out)"
  elif [ "$st" != "$want" ]; then why="$why; exit status $st, want $want"; fi
  # stderr, exactly
  header stderr "$f" | sed -e "s/@SIZE@/$SIZE/g" -e "s/@HALF@/$HALF/g" > "$w/want.err"
  header 'stderr~' "$f" > "$w/want.glob"
  if [ -s "$w/want.glob" ]; then
    n=0
    while IFS= read -r g; do
      n=$((n + 1)); line=$(sed -n "${n}p" "$w/err")
      case $line in $g) : ;; *) why="$why; stderr line $n \"$line\" does not match \"$g\"" ;; esac
    done < "$w/want.glob"
  elif ! cmp -s "$w/want.err" "$w/err"; then
    why="$why; stderr differs:
--- want
$(cat "$w/want.err")
--- got
$(head -c 2000 "$w/err")"
  fi
  # stdout, if the case says
  if [ "$(header stdout-empty "$f")" = yes ]; then
    [ -s "$w/out" ] && why="$why; stdout is not empty: $(head -c 300 "$w/out")"
  elif header stdout "$f" | grep -q . || grep -q '^stdout: $' "$f"; then
    header stdout "$f" > "$w/want.out"
    cmp -s "$w/want.out" "$w/out" || why="$why; stdout differs:
--- want
$(cat "$w/want.out")
--- got
$(head -c 2000 "$w/out")"
  fi
  # the database is intact afterwards
  if [ "$check" = yes ]; then
    c=$( "$FAKT" -c '.check' "$w/db.fakt" 2>&1 ); cs=$?
    [ "$c" = ok ] && [ $cs -eq 0 ] || why="$why; .check afterwards: $c (status $cs)"
    c=$( "$TOOL" check "$w/db.fakt" 2>&1 ); cs=$?
    [ "$c" = ok ] && [ $cs -eq 0 ] || why="$why; fakt_check afterwards: $c (status $cs)"
  fi
  if [ "$unchanged" = yes ] && [ $HAVE_DUMP = 1 ]; then
    mdb_dump -n -a "$w/db.fakt" > "$w/after" 2>/dev/null
    cmp -s "$w/before" "$w/after" || why="$why; the database changed"
  fi
  if [ -z "$why" ]; then
    if isknown "hostile/$name"; then echo "note hostile/$name now passes: remove it from tests/trust/KNOWN_BUGS"; fi
    pass=$((pass + 1))
  elif isknown "hostile/$name"; then
    echo "KNOWN FAILURE hostile/$name:${why#;}" | head -n 8
    known=$((known + 1))
  else
    echo "FAIL hostile/$name ($(sed -n '1s/^# //p' "$f")):${why#;}"
    fail=$((fail + 1))
  fi
}

if [ $# -gt 0 ]; then
  for n in "$@"; do runcase "$HERE/hostile/${n%.case}.case"; done
else
  for f in "$HERE"/hostile/*.case; do runcase "$f"; done
fi
finish
