#!/bin/sh
# tests/run.sh -- runs every test suite of fakt and totals the results.
#   B=build sh tests/run.sh        (make test; SAN=1 for the sanitizer run)
# Order: each $B/tests/unit_* program, the golden files through tool_golden,
# then (unless SAN=1) each tests/shell/*.sh (but not the sourced helpers
# lib*.sh and _*.sh) and tests/write_atomic.sh.
# Every sub-run must end with a line "N passed, N failed"; one that crashes,
# exits non-zero with no failures counted, or prints no such line counts as
# 1 failed. Writes "suite passed failed" lines to $B/results.txt and ends
# with the run's own "N passed, N failed"; exit 1 if anything failed.

B=${B:-build}
export B
SAN=${SAN:-}
TEST_TIMEOUT=${TEST_TIMEOUT:-1200}     # seconds per sub-run, if timeout(1) exists

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fakt-run.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
: > "$tmp/results"
total_pass=0
total_fail=0
bad_suites=

# runsuite NAME COMMAND...: run one sub-run, show its output, record its totals.
runsuite() {
  name=$1; shift
  echo "== $name"
  if command -v timeout >/dev/null 2>&1; then
    set -- timeout "$TEST_TIMEOUT" "$@"
  fi
  { "$@" 2>&1; echo $? > "$tmp/status"; } | tee "$tmp/log"
  status=$(cat "$tmp/status" 2>/dev/null || echo 1)
  counts=$(sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' "$tmp/log" | tail -n 1)
  if [ -z "$counts" ]; then
    echo "FAIL $name: no \"N passed, N failed\" line (exit status $status)"
    pass=0 fail=1
  else
    pass=${counts% *}
    fail=${counts#* }
    if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then
      echo "FAIL $name: exit status $status after \"$pass passed, $fail failed\""
      fail=1
    fi
  fi
  echo "$name $pass $fail" >> "$tmp/results"
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
  [ "$fail" -gt 0 ] && bad_suites="$bad_suites $name"
  return 0
}

# missing NAME WHAT: a suite whose program is absent counts as 1 failed.
missing() {
  echo "== $1"
  echo "FAIL $1: $2 is missing"
  echo "$1 0 1" >> "$tmp/results"
  total_fail=$((total_fail + 1))
  bad_suites="$bad_suites $1"
}

for src in tests/unit/unit_*.c; do
  [ -f "$src" ] || continue
  name=$(basename "$src" .c)
  bin=$B/tests/$name
  if [ -x "$bin" ]; then runsuite "$name" "$bin"; else missing "$name" "$bin"; fi
done

set --
for f in tests/lang/*.test tests/questions/*.test tests/claims/*.test; do
  [ -f "$f" ] && set -- "$@" "$f"
done
if [ $# -gt 0 ]; then
  if [ -x "$B/tests/tool_golden" ]; then
    runsuite golden "$B/tests/tool_golden" --corpus "$B/corpus.fakt" "$@"
  else
    missing golden "$B/tests/tool_golden"
  fi
fi

if [ "$SAN" != 1 ]; then
  for f in tests/shell/*.sh; do
    [ -f "$f" ] || continue
    case ${f##*/} in lib*.sh | _*.sh) continue ;; esac   # sourced helpers, not tests
    runsuite "shell/$(basename "$f" .sh)" sh "$f"
  done
  if [ -f tests/write_atomic.sh ]; then
    runsuite write_atomic sh tests/write_atomic.sh
  fi
  [ -f tests/interop/run.sh ] && runsuite interop sh tests/interop/run.sh
  runsuite trust sh tests/trust/run.sh
  runsuite bench-smoke sh tests/bench_smoke.sh
fi

mkdir -p "$B"
cp "$tmp/results" "$B/results.txt.tmp" && mv "$B/results.txt.tmp" "$B/results.txt"
[ -n "$bad_suites" ] && echo "failing suites:$bad_suites"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
