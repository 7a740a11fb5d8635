#!/bin/sh
# tests/shell/valgrind.sh -- no leak and no memory error in a script run of
# the fakt program over the corpus questions (issue 5, acceptance point 4).
# Run from the top of the tree after `make B=$B all $B/corpus.fakt`:
#   B=build sh tests/shell/valgrind.sh
#
# The script is every statement of tests/questions/*.test (the text between
# a block header -- query, ordered, exec, error -- and its "----" line), run
# with -f on a copy of the corpus database under valgrind's memcheck. A
# second run goes through failing statements (syntax error, unknown entity,
# a claim whose quote is not in its article, a failed transaction). Skipped
# when SAN is set: valgrind cannot run an ASan build.
. tests/shell/lib.sh

if [ -n "${SAN:-}" ]; then
  echo "skipped: SAN is set (valgrind cannot run a sanitizer build)"
  finish
  exit $?
fi
if ! command -v valgrind >/dev/null 2>&1; then
  echo "FAIL valgrind is not installed (make deps)"
  nfail=$((nfail+1))
  finish
  exit 1
fi
if [ ! -f "$B/corpus.fakt" ]; then
  echo "FAIL $B/corpus.fakt not built"
  nfail=$((nfail+1))
  finish
  exit 1
fi

# vg OUT ERR ARGS...: fakt under memcheck, at most 120 s; exit status 9 means
# valgrind found a definite or indirect leak or a memory error. Sets $rc.
vg() {
  _o=$1 _e=$2
  shift 2
  timeout 120 valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=9 --log-file="$T/vg.log" "$FAKT" "$@" > "$_o" 2> "$_e"
  rc=$?
}

# fresh NAME: a new copy of the corpus database (without its lock file).
fresh() {
  rm -f "$T/$1" "$T/$1-lock"
  cp "$B/corpus.fakt" "$T/$1"
}

# ---- the corpus questions
awk '
  /^(query|ordered|exec|error)( |$)/ && !inb { inb = 1; next }
  inb && /^----$/                             { inb = 0; print ""; next }
  inb                                         { print }
' tests/questions/*.test > "$T/questions.fk"
nsets=$(cat tests/questions/*.test | grep -cE '^(query|ordered) ')
check "questions found" yes "$([ "$nsets" -ge 30 ] && echo yes || echo no)"

# The same script without valgrind: the output valgrind's run must repeat.
fresh plain.fakt
fakt -f "$T/questions.fk" "$T/plain.fakt" > "$T/plain.out" 2> "$T/plain.err"
check "questions without valgrind rc" 0 "$?"
check "questions without valgrind stderr" "" "$(cat "$T/plain.err")"

fresh vg.fakt
vg "$T/vg.out" "$T/vg.err" -f "$T/questions.fk" "$T/vg.fakt"
check "questions under valgrind: no leak, no error (rc)" 0 "$rc"
[ "$rc" -eq 0 ] || sed 's/^/    /' "$T/vg.log" | head -n 60
check_match "valgrind ran: error summary" '== ERROR SUMMARY: 0 errors from 0 contexts' "$(cat "$T/vg.log")"
check "questions under valgrind stderr" "" "$(cat "$T/vg.err")"
check "one result set per query block" "$nsets" \
  "$(grep -cE '^\([0-9]+ rows?\)$' "$T/vg.out")"
check "output under valgrind = output without" "$(cat "$T/plain.out")" "$(cat "$T/vg.out")"

# ---- failing statements: still no leak; fakt exits 1, not valgrind's 9
cat > "$T/errors.fk" <<'EOF'
find ?x where ?x located_in ;
find ?p where ?c: nobody_here ?p ?o;
claim kim_jong_un travels_to russia from art000 quote "Diese Worte stehen nicht im Artikel";
begin;
claim kim_jong_un travels_to russia from art000 quote "Auch diese nicht";
rollback;
retract no_such_claim;
find ?x where ?x located_in ?y, ?y located_in russia order by ?x limit 1;
find count(?c) as n where ?c: kim_jong_un travels_to russia;
EOF
fresh err.fakt
fakt -m csv --no-headers -c 'find count(?c) as n where ?c: kim_jong_un travels_to russia;' \
  "$T/err.fakt" > "$T/before" 2>&1
vg "$T/err.out" "$T/err.err" -m csv --no-headers -f "$T/errors.fk" "$T/err.fakt"
check "errors under valgrind: fakt's status 1, not 9 (leak/error)" 1 "$rc"
[ "$rc" -eq 1 ] || sed 's/^/    /' "$T/vg.log" | head -n 60
check_match "valgrind ran: error summary (errors)" '== ERROR SUMMARY: 0 errors from 0 contexts' "$(cat "$T/vg.log")"
check_match "syntax error reported" "^$T/errors.fk:1:[0-9]+: error: .*syntax error" "$(cat "$T/err.err")"
check_match "unknown entity reported" "^$T/errors.fk:2:[0-9]+: error: .*nobody_here" "$(cat "$T/err.err")"
check_match "quote not in the article reported" "^$T/errors.fk:3:[0-9]+: error: quote not found" "$(cat "$T/err.err")"
check_match "quote not in the article reported (transaction)" "^$T/errors.fk:5:[0-9]+: error: quote not found" "$(cat "$T/err.err")"
check_match "unknown claim reported" "^$T/errors.fk:7:[0-9]+: error: .*no_such_claim" "$(cat "$T/err.err")"
check "the failed claims changed nothing" "$(cat "$T/before")" "$(tail -n 1 "$T/err.out")"
check "statements after the errors ran" 2 "$(wc -l < "$T/err.out" | tr -d ' ')"

finish
