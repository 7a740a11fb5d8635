# tests/trust/_scratch.sh -- sourced by corrupt.sh and regress.sh (set NAME
# first): paths of fakt and trust_tool, counters and finish(), a temporary
# directory removed at exit, and $tmp/scratch.fakt built from
# hostile/scratch.facts.
B=${B:-build}
TOOL=$B/trust/trust_tool
FAKT=$B/fakt
case $FAKT in /*) ;; *) FAKT=$(pwd)/$FAKT ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 known=0
finish() {
  [ "$known" -gt 0 ] && echo "$NAME: $known known failures (tests/trust/KNOWN_BUGS; not counted)"
  echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?
}
[ -x "$TOOL" ] && [ -x "$FAKT" ] || { echo "FAIL $NAME: $TOOL or $FAKT is missing"; fail=1; finish; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fakt-$NAME.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
(cd "$HERE/hostile" && "$FAKT" -c 'load "scratch.facts";' "$tmp/scratch.fakt") > "$tmp/out" 2>&1 || {
  echo "FAIL $NAME: cannot build the scratch database"; cat "$tmp/out"; fail=1; finish; }
