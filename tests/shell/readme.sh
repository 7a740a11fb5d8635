#!/bin/sh
# tests/shell/readme.sh -- README stays true to the code: every statement of
# its five-minute tour runs on (a copy of) the corpus without an error, and
# every query of the tour returns at least one row (verify: none, by design).
. tests/shell/lib.sh

python3 - > "$T/tour.fk" <<'PY'
import re
s = open("README.md", encoding="utf-8").read()
tour = s[s.index("## A five-minute tour"):s.index("## The language in one screen")]
stmt = ""
for line in tour.splitlines():
    m = re.match(r"^(fakt>|  \.\.\.>) ?(.*)$", line)
    if m:
        stmt += m.group(2) + "\n"
        if stmt.rstrip().endswith(";"):
            print(stmt.rstrip()); stmt = ""
PY
n=$(grep -c ';$' "$T/tour.fk")
check_match "the tour has statements" "^([89]|[1-9][0-9])$" "$n"
cp "$B/corpus.fakt" "$T/c.fakt"
"$FAKT" -f "$T/tour.fk" "$T/c.fakt" > "$T/out" 2> "$T/err"
check "tour exit status" "0" "$?"
check "tour errors" "" "$(cat "$T/err")"
# each find prints "(N rows)": only verify (an intact corpus) may show 0 rows
check "queries without rows" "1" "$(grep -c '^(0 rows)$' "$T/out")"
check_match "queries with rows" "^([89]|1[0-9])$" "$(grep -c '^([1-9][0-9]* rows*)$' "$T/out")"

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
