#!/bin/sh
# tests/shell/python.sh -- the Python module (python/fakt): runs the unittest
# suite tests/python/test_*.py against $B/libfakt.so (FAKT_LIBRARY) and
# $B/corpus.fakt, then checks the module as `make install` installs it:
# found by the installed python path, loading the installed library and
# opening the installed corpus with no FAKT_LIBRARY set. Run from the top
# of the tree after `make B=$B all $B/corpus.fakt`:  B=build sh tests/shell/python.sh
. tests/shell/lib.sh

PYTHON=${PYTHON:-python3}
if [ -n "${SAN:-}" ]; then
  echo "skipped: SAN is set (a sanitizer build cannot be loaded into python)"
  finish
  exit $?
fi
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "FAIL $PYTHON is not installed (make deps)"
  nfail=$((nfail+1))
  finish
  exit 1
fi

# ---- the unittest suite; its result becomes two numbers
TOP=$(pwd)
FAKT_LIBRARY=$TOP/$B/libfakt.so FAKT_CORPUS=$TOP/$B/corpus.fakt PYTHONPATH=$TOP/python \
  "$PYTHON" - "$TOP/tests/python" > "$T/unittest.out" 2>&1 <<'PY'
import sys, unittest
d = sys.argv[1]
suite = unittest.defaultTestLoader.discover(d, pattern="test_*.py", top_level_dir=d)
r = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
bad = len(r.failures) + len(r.errors) + len(r.unexpectedSuccesses)
print("unittest: %d passed, %d failed, %d skipped" % (r.testsRun - bad - len(r.skipped), bad, len(r.skipped)))
PY
counts=$(sed -n 's/^unittest: \([0-9]*\) passed, \([0-9]*\) failed, [0-9]* skipped$/\1 \2/p' "$T/unittest.out")
if [ -z "$counts" ]; then
  echo "FAIL the unittest run did not finish"
  sed 's/^/    /' "$T/unittest.out"
  nfail=$((nfail+1))
else
  grep -E '(ERROR|FAIL|skipped)' "$T/unittest.out" | grep -Ev '^(unittest:|OK)' | sed 's/^/    /'
  grep -E '^(ERROR|FAIL):' "$T/unittest.out" > /dev/null && sed -n '/^=====/,$p' "$T/unittest.out" | sed 's/^/    /'
  npass=$((npass + ${counts% *}))
  nfail=$((nfail + ${counts#* }))
fi

# ---- the installed module
MAKE=${MAKE:-make}
P=$T/prefix
if ! $MAKE --no-print-directory B="$B" PREFIX="$P" DESTDIR= install > "$T/install.log" 2>&1; then
  echo "FAIL make install"
  tail -n 20 "$T/install.log" | sed 's/^/    /'
  nfail=$((nfail+1))
  finish
  exit $?
fi
pydir=$("$PYTHON" python/sitedir.py "$P")
check "module installed under PREFIX" yes "$([ -f "$pydir/fakt/__init__.py" ] && echo yes || echo no)"
out=$(cd "$T" && env -u FAKT_LIBRARY PYTHONPATH="$pydir" "$PYTHON" -c '
import fakt
print(fakt.__file__)
print(fakt.library_path)
with fakt.connect(readonly=True) as db:
    print(db.path)
    print(db.execute("find ?d where ?c: summit_2023 summit_date ?d, source(?c, art002);").fetchall())
' 2>&1)
check "installed module: file, library, default database, a query" \
"$pydir/fakt/__init__.py
$P/lib/libfakt.so.0
$P/share/fakt/corpus.fakt
[(datetime.date(2023, 9, 12),)]" "$out"

finish
