#!/bin/sh
# tests/shell/postgres.sh -- fakt's queries on PostgreSQL: `.export sql` and
# `explain sql` against a real server.
#   B=build sh tests/shell/postgres.sh
# Starts a private PostgreSQL (Debian's postgresql package: initdb in a
# temporary directory, listening only on a Unix socket there, no TCP), as
# the user nobody when run as root (initdb refuses root). Loads the corpus
# export and checks that every question of tests/questions/ that
# translates gives the same rows in PostgreSQL as in fakt, then the random
# queries of the differential generator (difftest -E) on its random
# databases. The server is stopped on exit (trap). Without PostgreSQL the
# test says so and counts nothing: "skipped: ...".
# Ends with "N passed, N failed"; exit 1 on failure.
B=${B:-build}
FAKT=$B/fakt
DB=${DB:-$B/corpus.fakt}
NRANDOM=${NRANDOM:-1000}
case $FAKT in /*) ;; *) FAKT=$(pwd)/$FAKT ;; esac
case $DB in /*) ;; *) DB=$(pwd)/$DB ;; esac
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || ! command -v python3 >/dev/null 2>&1; then
  echo "skipped: PostgreSQL is not installed (Debian: apt-get install postgresql; make deps does it as root)"
  echo "0 passed, 0 failed"
  exit 0
fi
[ -x "$FAKT" ] && [ -f "$DB" ] || { echo "FAIL postgres: $FAKT or $DB is missing"; echo "0 passed, 1 failed"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/fakt-pg.XXXXXX") || exit 2
chmod 755 "$T"
as=""
if [ "$(id -u)" = 0 ]; then as="runuser -u nobody --"; fi
mkdir -p "$T/sock" "$T/work"
[ -n "$as" ] && chown nobody "$T/sock" "$T/work" "$T"
stop() {
  $as "$bin/pg_ctl" -D "$T/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$T"
}
trap stop EXIT
trap 'exit 130' INT TERM

if ! $as "$bin/initdb" -D "$T/data" -A trust -U fakt -E UTF8 --no-locale --no-sync >"$T/initdb.log" 2>&1; then
  echo "FAIL postgres: initdb failed:"; sed 's/^/    /' "$T/initdb.log"; echo "0 passed, 1 failed"; exit 1
fi
if ! $as "$bin/pg_ctl" -D "$T/data" -w -t 60 -l "$T/work/server.log" \
     -o "-c listen_addresses='' -k $T/sock -c fsync=off -c full_page_writes=off" start >/dev/null 2>&1; then
  echo "FAIL postgres: the server did not start:"; sed 's/^/    /' "$T/work/server.log"; echo "0 passed, 1 failed"; exit 1
fi
PSQL="$bin/psql -h $T/sock -U fakt -d postgres"
pass=0 fail=0
# the corpus and the questions (files are read by fakt as this user; psql
# talks to the server over the socket)
cp "$DB" "$T/work/corpus.fakt"
TMPDIR=$T/work python3 tests/sql/pg_compare.py "$FAKT" "$T/work/corpus.fakt" $PSQL -- questions tests/questions/*.test > "$T/q.out" 2>&1
rcq=$?
cat "$T/q.out" | grep -v '^[0-9]* passed'
set -- $(tail -1 "$T/q.out")
pass=$((pass + ${1:-0})) fail=$((fail + ${3:-1}))
[ $rcq -eq 0 ] || [ "${3:-1}" -gt 0 ] || fail=$((fail + 1))

# the random queries of the differential generator
if [ -x "$B/trust/difftest" ]; then
  "$B/trust/difftest" -E "$T/work/rand" -n "$NRANDOM" -d $((NRANDOM / 100 + 1)) > "$T/work/rand.list" 2>"$T/e.out" || { echo "FAIL postgres: difftest -E: $(cat "$T/e.out")"; fail=$((fail + 1)); }
  TMPDIR=$T/work python3 tests/sql/pg_compare.py "$FAKT" "$T/work/corpus.fakt" $PSQL -- random "$T/work/rand.list" > "$T/r.out" 2>&1
  rcr=$?
  grep -v '^[0-9]* passed\|^untranslated' "$T/r.out"
  set -- $(tail -1 "$T/r.out")
  pass=$((pass + ${1:-0})) fail=$((fail + ${3:-1}))
  [ $rcr -eq 0 ] || [ "${3:-1}" -gt 0 ] || fail=$((fail + 1))
else
  echo "FAIL postgres: $B/trust/difftest is not built (make $B/trust/difftest)"
  fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
