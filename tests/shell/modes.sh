#!/bin/sh
# tests/shell/modes.sh -- every output mode of the fakt program, parsed back
# (json and csv with python3's modules) and compared with the values the
# query produced: quotes, a comma, a newline, a tab, a control character,
# non-ASCII text, numbers, null and booleans.
. tests/shell/lib.sh

DB=$T/fix.fakt
make_db "$DB"

Q='find "say \"hi\"" as quote, "a,b" as comma, "line1\nline2" as nl,
  "t1\tt2" as tab, "c\u{1}d" as ctl, "Pjöngjang 日本" as text,
  "back\\slash" as bs, 42 as i, -7 as neg, 2.5 as f, null as n,
  true as yes, false as no;'

# The expected row, as python values, shared by the checks below.
cat > "$T/expect.py" <<'PY'
EXPECTED = {
    "quote": 'say "hi"', "comma": "a,b", "nl": "line1\nline2",
    "tab": "t1\tt2", "ctl": "c\x01d", "text": "Pjöngjang 日本",
    "bs": "back\\slash", "i": 42, "neg": -7, "f": 2.5, "n": None,
    "yes": True, "no": False,
}
COLS = list(EXPECTED)
def as_text(v):
    """The value as the text modes write it (NULL is empty)."""
    if v is None: return ""
    if v is True: return "true"
    if v is False: return "false"
    return str(v)
PY

pycheck() {   # pycheck NAME SCRIPT: python3 reads $T/out; prints ok or why not
  res=$(cd "$T" && python3 -c "$2" 2>&1)
  check "$1" "ok" "$res"
}

# ---- json: one array of objects with typed values
run --mode json -c "$Q" "$DB"
check "json rc" 0 "$rc"
pycheck "json values" '
import json; from expect import *
d = json.load(open("out", encoding="utf-8"))
assert isinstance(d, list) and len(d) == 1, d
assert list(d[0]) == COLS, list(d[0])
for k in COLS:
    assert d[0][k] == EXPECTED[k] and type(d[0][k]) is type(EXPECTED[k]), (k, d[0][k])
print("ok")'
check_match "json escapes control characters" '\\u0001' "$out"

# two rows, and an empty result is []
run --mode json -c 'find "a" as x; find "b" as y;' "$DB"
check "json one array per statement" '[{"x":"a"}]
[{"y":"b"}]' "$out"
run --mode json -c 'find ?x where ?x met kim;' "$DB"
check "json empty" "[]" "$out"
run --mode json -c 'find ?l as label where label(?e, ?l), type(?e, person) order by ?l;' "$DB"
pycheck "json rows" '
import json
d = json.load(open("out", encoding="utf-8"))
assert d == [{"label": "Kim Jong Un"}, {"label": "Wladimir Putin"}], d
print("ok")'

# ---- jsonl: one object per line
run --mode jsonl -c "$Q find 1 as i;" "$DB"
check "jsonl rc" 0 "$rc"
check "jsonl lines" 2 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"
pycheck "jsonl values" '
import json; from expect import *
lines = open("out", encoding="utf-8").read().split("\n")
assert lines[-1] == "" and len(lines) == 3, lines
assert json.loads(lines[0]) == EXPECTED, lines[0]
assert json.loads(lines[1]) == {"i": 1}, lines[1]
print("ok")'

# ---- csv: RFC 4180, parsed back with the csv module
run --mode csv -c "$Q" "$DB"
check "csv rc" 0 "$rc"
pycheck "csv values" '
import csv; from expect import *
rows = list(csv.reader(open("out", encoding="utf-8", newline="")))
assert rows[0] == COLS, rows[0]
assert rows[1] == [as_text(EXPECTED[k]) for k in COLS], rows[1]
assert len(rows) == 2, rows
print("ok")'
check_match "csv quotes doubled" '^"say ""hi""","a,b","line1$' "$out"
run --mode csv --no-headers -c 'find null as n, "" as e, "x" as x;' "$DB"
check "csv null is empty, an empty string is \"\"" "$(printf ',"",x\r')" "$out"

# ---- tsv: \t \n \\ escaped, one line per row
run --mode tsv -c "$Q" "$DB"
check "tsv rc" 0 "$rc"
check "tsv lines" 2 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"
pycheck "tsv values" '
from expect import *
def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\":
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[s[i+1]]); i += 2
        else:
            out.append(s[i]); i += 1
    return "".join(out)
lines = open("out", encoding="utf-8").read().split("\n")
assert lines[0].split("\t") == COLS, lines[0]
assert [unescape(f) for f in lines[1].split("\t")] == [as_text(EXPECTED[k]) for k in COLS], lines[1]
print("ok")'
check_match "tsv escapes" 'line1\\nline2	t1\\tt2	' "$out"

# ---- table: aligned by display width (numbers to the right), rule line,
# row count
run -c 'find "Pjöngjang" as ort, "日本" as cjk, 7 as n, "x" as last;
find "ä" as a, 12345 as n;' "$DB"
check "table alignment" "ort       | cjk  | n | last
----------+------+---+-----
Pjöngjang | 日本 | 7 | x
(1 row)
a |     n
--+------
ä | 12345
(1 row)" "$out"
run --mode table -c "find ?l as label where label(?e, ?l), type(?e, person) order by ?l;" "$DB"
check "table rows" "label
--------------
Kim Jong Un
Wladimir Putin
(2 rows)" "$out"
run -c 'find ?x where ?x met kim;' "$DB"
check "table no rows" "x
-
(0 rows)" "$out"
run -c "$Q" "$DB"
check_match "table shows control characters escaped" '\| line1\\nline2 \| t1\\tt2 +\| c\\x01d \|' "$out"
check_match "table null is blank" '\| 2\.5 \| +\| true' "$out"

# long values are cut at 60 columns on a terminal only (repl_pty.sh,
# daily.sh); in batch output never, unless --width asks for it
long=$(printf '%070d' 0)
run --no-headers -c "find \"$long\" as s;" "$DB"
check "table batch output is not cut" "$long
(1 row)" "$out"
run --no-headers --width 60 -c "find \"$long\" as s;" "$DB"
check "table --width 60" "$(printf '%059d' 0)…
(1 row)" "$out"

# wide characters (Hangul) count two columns: the bars line up in table mode
cp "$DB" "$T/hangul.fakt"
run -c 'entity hg person "김정은";' -c 'find ?l, ?e where label(?e, ?l), type(?e, person);' "$T/hangul.fakt"
out=$(printf '%s\n' "$out" | python3 -c '
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
cols = set()
for line in sys.stdin:
    line = line.rstrip("\n")
    if "|" in line: cols.add(w(line[:line.index("|")]))
print(sorted(cols))')
check "table: wide characters keep the columns aligned" "[15]" "$out"

# json: 64-bit integers exact (no rounding through a double), and a column
# name that repeats gets a key of its own, so no value is lost to a parser
run --mode json -c 'find 9007199254740993 as a, 2 as a, "x" as b, 3 as a;' "$DB"
check "json keys unique, integers exact" '[{"a":9007199254740993,"a:2":2,"b":"x","a:3":3}]' "$out"
out=$(printf '%s\n' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print(len(d), d["a"], d["a:3"])')
check "json parses to four keys" "4 9007199254740993 3" "$out"

finish
