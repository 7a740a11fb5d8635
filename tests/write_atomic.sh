#!/bin/sh
# tests/write_atomic.sh -- a failed statement changes nothing (BRIEF: "a
# failed statement changes nothing").
# Builds a database from tests/fixtures/lang_base.facts, then for each kind of
# failing statement (syntax error, unknown entity, unknown predicate, type
# error, quote not in its source, ...) runs it through $B/fakt alone, inside
# begin/commit and inside begin/rollback, and compares `mdb_dump -n -a` of
# the file before and after, byte for byte. Ends with "N passed, N failed".

B=${B:-build}
FAKT=$B/fakt
pass=0
fail=0

ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL write_atomic: $*"; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

if [ ! -x "$FAKT" ]; then bad "$FAKT is missing"; finish; fi
if ! command -v mdb_dump >/dev/null 2>&1; then bad "mdb_dump is missing (apt-get install lmdb-utils)"; finish; fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fakt-atomic.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
db=$tmp/t.fakt

if ! "$FAKT" -c 'load "tests/fixtures/lang_base.facts";' "$db" > "$tmp/out" 2>&1; then
  bad "cannot load tests/fixtures/lang_base.facts:"; cat "$tmp/out"; finish
fi

dump() { mdb_dump -n -a "$db" > "$1" 2> "$tmp/dump.err" || { cat "$tmp/dump.err"; return 1; }; }

# unchanged LABEL TEXT: TEXT must fail and leave the file as it was.
# The message must carry a position: "line L, col C" or "NAME:L:C:".
unchanged() {
  u_label=$1 u_text=$2
  if ! dump "$tmp/before"; then bad "$u_label: mdb_dump failed"; return; fi
  if "$FAKT" -c "$u_text" "$db" > "$tmp/out" 2> "$tmp/err"; then
    bad "$u_label: succeeded, but must fail: $u_text"
  else
    ok
    if grep -Eq 'line [0-9]+, col [0-9]+|:[0-9]+:[0-9]+:' "$tmp/err" "$tmp/out"; then ok
    else bad "$u_label: no position in the message:"; cat "$tmp/err"; fi
  fi
  if ! dump "$tmp/after"; then bad "$u_label: mdb_dump failed"; return; fi
  if cmp -s "$tmp/before" "$tmp/after"; then ok
  else bad "$u_label: the database changed: $u_text"; diff "$tmp/before" "$tmp/after" | head -20; fi
}

# Each kind of failing statement. The fixture defines kim, putin, art1,
# predicates met (entity) and arrived (date).
set -- \
  syntax          'claim kim met;' \
  syntax-2        'entity neu place "Neu" at 1.0;' \
  unknown-entity  'claim kim met nobody from art1;' \
  unknown-in      'entity neu place "Neu" in atlantis;' \
  unknown-via     'claim kim met putin from art1 via reuters, nobody;' \
  unknown-pred    'claim kim flew_to putin;' \
  type-error      'claim kim arrived "gestern";' \
  quote-missing   'claim kim met putin from art1 quote "Das steht nicht im Artikel";' \
  invalid-date    'claim kim arrived @2023-02-30;' \
  retract-unknown 'retract nosuch;' \
  unstratifiable  'rule q(?x) if type(?x, city), not q(?x);' \
  drop-unknown    'drop rule nosuch;'
while [ $# -ge 2 ]; do
  label=$1 stmt=$2
  shift 2
  unchanged "$label"          "$stmt"
  unchanged "$label/commit"   "begin; $stmt commit;"
  unchanged "$label/rollback" "begin; $stmt rollback;"
done

# A statement that fails after others of the same transaction succeeded:
# the whole explicit transaction is rolled back when the program ends with it
# open or rolls it back, so nothing of it remains.
unchanged good-then-bad/rollback 'begin; entity neu place "Neu"; claim kim met nobody; rollback;'

# The comparison is not vacuous: a good statement does change the dump.
dump "$tmp/before"
if "$FAKT" -c 'claim kim met moskau;' "$db" > "$tmp/out" 2>&1; then ok
else bad "a good claim failed:"; cat "$tmp/out"; fi
dump "$tmp/after"
if cmp -s "$tmp/before" "$tmp/after"; then bad "a good claim did not change the dump"; else ok; fi

finish
