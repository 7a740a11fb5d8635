# tests/shell/lib.sh -- helpers for the tests of the fakt program.
# Sourced by tests/shell/*.sh from the top of the tree; runs $B/fakt
# (B defaults to build), works in a temporary directory removed at exit.

B=${B:-build}
FAKT=${FAKT:-$B/fakt}
case $FAKT in /*) ;; *) FAKT=$(pwd)/$FAKT ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/fakt-shell.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
npass=0
nfail=0
LC_ALL=C.UTF-8
export LC_ALL

if [ ! -x "$FAKT" ]; then
  echo "$FAKT not built"
  exit 1
fi

# check NAME EXPECTED ACTUAL: pass if the two texts are equal, else print
# FAIL NAME and a diff.
check() {
  if [ "$2" = "$3" ]; then
    npass=$((npass+1))
  else
    nfail=$((nfail+1))
    echo "FAIL $1"
    printf '%s\n' "$2" > "$T/expected"
    printf '%s\n' "$3" > "$T/actual"
    diff -u "$T/expected" "$T/actual" | sed 's/^/    /'
  fi
}

# check_match NAME PATTERN ACTUAL: pass if ACTUAL matches the extended
# regular expression PATTERN (grep -E, on any line).
check_match() {
  if printf '%s\n' "$3" | grep -Eq -- "$2"; then
    npass=$((npass+1))
  else
    nfail=$((nfail+1))
    echo "FAIL $1"
    echo "    no line matches: $2"
    printf '%s\n' "$3" | sed 's/^/    | /'
  fi
}

# fakt ARGS...: run fakt for at most 30 s, writing files of at most about
# 100 MB (a runaway query must not hang the suite or fill the disk).
fakt() {
  ( ulimit -f 200000; exec timeout 30 "$FAKT" "$@" )
}

# run ARGS...: run fakt; sets $out (stdout), $err (stderr) and $rc.
run() {
  fakt "$@" > "$T/out" 2> "$T/err"
  rc=$?
  out=$(cat "$T/out")
  err=$(cat "$T/err")
}

# run_in INPUT ARGS...: the same with INPUT on stdin.
run_in() {
  _in=$1
  shift
  printf '%s' "$_in" | fakt "$@" > "$T/out" 2> "$T/err"
  rc=$?
  out=$(cat "$T/out")
  err=$(cat "$T/err")
}

# The fixture: a few entities, a source, predicates and a claim, written in
# the language of SPEC.md so the tests do not depend on the corpus.
write_fixture() {
  cat > "$1" <<'FIXTURE'
# fixture for tests/shell
entity nordkorea country "Nordkorea" aka "North Korea";
entity pjongjang city "Pjöngjang" aka "Pyongyang" at 39.03, 125.75 in nordkorea;
entity kim person "Kim Jong Un" aka "Kim Jong-un";
entity putin person "Wladimir Putin";
entity reuters agency "Reuters";
source s1 "Kim reist nach Russland" by reuters published @2023-09-12
  text "Kim Jong Un ist mit dem Zug nach Russland gereist.";
predicate met : entity "met in person";
predicate speed : quantity single;
claim c1: kim met putin from s1 quote "mit dem Zug nach Russland";
FIXTURE
}

# make_db FILE: a new database FILE holding the fixture.
make_db() {
  rm -f "$1" "$1-lock"
  write_fixture "$T/fixture.facts"
  if ! fakt -f "$T/fixture.facts" "$1" > "$T/mk.out" 2>&1; then
    echo "cannot load the fixture:"
    cat "$T/mk.out"
    exit 1
  fi
}

# finish: print the totals; exit status 1 if anything failed.
finish() {
  echo "$npass passed, $nfail failed"
  [ "$nfail" -eq 0 ]
}
