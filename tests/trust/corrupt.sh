#!/bin/sh
# tests/trust/corrupt.sh -- a damaged database file never crashes fakt.
#   B=build sh tests/trust/corrupt.sh
# Takes the scratch database (tests/trust/hostile/scratch.facts) and damages
# one 4 KiB page at a time, then runs queries, writes and `.check` with
# fakt. fakt may refuse the file or report damage, but it must exit
# normally (status 0 or 1, never a signal, a timeout or, with B=build/asan,
# a sanitizer report).
#   corrupt/page    every page scrambled after its 16-byte header (XOR 0x5a):
#                   node offsets, sizes and page numbers are garbage; the
#                   open-time page walk (store/pagecheck.c) must refuse it.
#   corrupt/value   the last 2, then the last 9 bytes of every page flipped:
#                   the end of the data of one node, so the structure mostly
#                   stands and fakt's decoders see garbage values.
# One test per page and damage. Ends with "N passed, N failed"; exit 1 on
# failure (a test listed in tests/trust/KNOWN_BUGS counts apart).

NAME=corrupt
. "$(dirname "$0")/_scratch.sh"
TO=
command -v timeout >/dev/null 2>&1 && TO="timeout 60"
pages=$(( $(wc -c < "$tmp/scratch.fakt") / 4096 ))

# run TEST PAGE OFFSET N COMMANDS...: flip N bytes at OFFSET of a fresh copy,
# run fakt with the -c COMMANDS, count the result.
run() {
  test=$1 pg=$2 off=$3 n=$4; shift 4
  cp "$tmp/scratch.fakt" "$tmp/db.fakt"; rm -f "$tmp/db.fakt-lock"
  "$TOOL" flip "$tmp/db.fakt" "$off" "$n"
  $TO "$FAKT" "$@" "$tmp/db.fakt" > /dev/null 2> "$tmp/err"
  st=$?
  # a sanitizer build (B=build/asan) may exit 1 after a report: count it as 99
  grep -q 'Sanitizer\|runtime error:' "$tmp/err" && st=99
  if [ $st -le 1 ]; then pass=$((pass + 1))
  elif grep -q "^$test[ 	]" "$HERE/KNOWN_BUGS"; then known=$((known + 1)); bad="$bad $pg:$st"
  else echo "FAIL $test $pg ($n bytes at $off): exit status $st"; fail=$((fail + 1)); fi
}

bad=
pg=0
while [ $pg -lt $pages ]; do
  run corrupt/page $pg $((pg * 4096 + 16)) 4080 \
    -c 'find count() where ?c: ?s ?p ?o;' -c 'find ?e, ?l where label(?e, ?l);' -c '.check'
  pg=$((pg + 1))
done
[ -n "$bad" ] && echo "KNOWN FAILURE corrupt/page: signal on pages (page:status):$bad"

bad=
for n in 2 9; do
  pg=0
  while [ $pg -lt $pages ]; do
    run corrupt/value $pg $(((pg + 1) * 4096 - n)) $n \
      -c 'find ?c, ?s, ?p, ?o where ?c: ?s ?p ?o;' -c 'find ?e, ?l where label(?e, ?l);' \
      -c 'find ?x where match(?x, "Kim Zug");' -c 'find ?c, ?q where quote(?c, ?q);' \
      -c 'find ?p where within(?p, moskau, 100);' -c '.schema' -c '.sources' -c '.check' \
      -c "retract c2;" -c 'claim c9: putin age 71 from art1;' -c '.check'
    pg=$((pg + 1))
  done
done
[ -n "$bad" ] && echo "KNOWN FAILURE corrupt/value: signal on pages (page:status):$bad"
finish
