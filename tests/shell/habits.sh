#!/bin/sh
# tests/shell/habits.sh -- the sqlite3 shell habits of the fakt program
# (issue 22 point 4): modes box, markdown, line and list; .output and
# .once; .nullvalue; .print; .show; .limit; .mapped; .parameter; -cmd; -init and
# ~/.faktrc; -echo and .echo; .help COMMAND.
. tests/shell/lib.sh

DB=$T/fix.fakt
make_db "$DB"
# no ~/.faktrc of the user running the tests
HOME=$T/home
export HOME
mkdir -p "$HOME"

Q='find "a" as x, 42 as n, null as z; find "bc" as x, 7 as n, "" as z;'

# ---- box: box-drawing lines around, header always shown
run --mode box -c 'find "a" as x, 42 as n;' "$DB"
check "box" "┌───┬────┐
│ x │  n │
├───┼────┤
│ a │ 42 │
└───┴────┘" "$out"
run --mode box --no-headers -c 'find "a" as x;' "$DB"
check "box shows the header anyway (as sqlite3)" "┌───┐
│ x │
├───┤
│ a │
└───┘" "$out"

# ---- markdown
run --mode markdown -c 'find "a" as x, 42 as n; find ?l as label where label(kim, ?l);' "$DB"
check "markdown" "| x |  n |
|---|----|
| a | 42 |
| label       |
|-------------|
| Kim Jong Un |" "$out"

# ---- line: name = value, names right-aligned (at least 5), blank line between rows
run --mode line -c 'find ?l as label, 1 as n where label(?e, ?l), type(?e, person) order by ?l;' "$DB"
check "line" "label = Kim Jong Un
    n = 1

label = Wladimir Putin
    n = 1" "$out"

# ---- list: values joined by |, header as .headers says
run --mode list -c "$Q" "$DB"
check "list" "x|n|z
a|42|
x|n|z
bc|7|" "$out"
run --mode list --no-headers -c 'find "a" as x, 1 as y;' "$DB"
check "list without headers" "a|1" "$out"

# ---- .mode names every mode, and refuses others
run -c '.mode box' -c '.mode' "$DB"
check ".mode box" "box" "$out"
run -c '.mode nosuch' "$DB"
check ".mode unknown rc" 1 "$rc"
check ".mode unknown message" '-c:1:1: error: unknown mode "nosuch": use table, box, markdown, csv, tsv, json, jsonl, line or list' "$err"

# ---- .nullvalue: null shown as the text in table, csv, list, line
run -c '.nullvalue NULL' -c '.mode list' -c 'find null as a, "" as b, 1 as c;' -c '.mode csv' -c 'find null as a, "" as b;' "$DB"
check ".nullvalue list and csv" 'a|b|c
NULL||1
a,b
NULL,""' "$(printf '%s' "$out" | tr -d '\r')"
# csv: empty string and null differ (null empty, empty string "")
run --mode csv -c 'find null as a, "" as b, "x" as c;' "$DB"
check "csv null vs empty" 'a,b,c
,"",x' "$(printf '%s' "$out" | tr -d '\r')"

# ---- .output FILE / .output / .once FILE
run_in ".output $T/o1
find 1 as a;
.print to the file
.output
find 2 as b;
.once $T/o2
find 3 as c;
find 4 as d;
" --mode csv "$DB"
check ".output rc" 0 "$rc"
check ".output then back to stdout" "b
2
d
4" "$(printf '%s' "$out" | tr -d '\r')"
check ".output file" "a
1
to the file" "$(tr -d '\r' < "$T/o1")"
check ".once file" "c
3" "$(tr -d '\r' < "$T/o2")"
# .once applies to the next command too, and a long cell in a file is not cut
run_in ".once $T/o3
.print once
.print after
.once $T/o4
find \"$(printf '%070d' 0)\" as long;
" "$DB"
check ".once a command" "once" "$(cat "$T/o3")"
check ".once then stdout" "after" "$out"
check ".once file not cut" "$(printf '%070d' 0)" "$(sed -n 3p "$T/o4" | tr -d ' ')"
run_in ".output '|tr a-z A-Z'
.print piped
.output
.print plain
" "$DB"
check ".output |CMD" "PIPED
plain" "$out"
run -c ".output $T/no/such/dir/f" -c 'find 5 as five;' --mode csv "$DB"
check ".output bad path rc" 1 "$rc"
check_match ".output bad path message" '^-c:1:1: error: cannot open ".*/no/such/dir/f": No such file or directory$' "$err"
check ".output bad path: output stays on stdout" "five
5" "$(printf '%s' "$out" | tr -d '\r')"

# ---- .print
run -c '.print hello   "big world" 42' "$DB"
check ".print" "hello big world 42" "$out"

# ---- .show
run --mode csv -c '.nullvalue -' -c '.limit rows 5' -c '.show' "$DB"
check_match ".show mode" '^ +mode: csv$' "$out"
check_match ".show nullvalue" '^ +nullvalue: "-"$' "$out"
check_match ".show limit" '^ +limit: rows 5, memory 0, time 0$' "$out"
check_match ".show headers" '^ +headers: on$' "$out"
check_match ".show output" '^ +output: stdout$' "$out"
check_match ".show filename" "^ +filename: $DB\$" "$out"

# ---- .limit: the API's row limit stops a query with an error
run --mode csv -c '.limit' "$DB"
check ".limit lists" "rows     0
memory   0
time     0" "$out"
run --mode csv -c '.limit rows 1' -c 'find ?l where label(?e, ?l);' "$DB"
check ".limit rows rc" 1 "$rc"
check_match ".limit rows error" 'more than 1 rows' "$err"
run --mode csv -c '.limit rows 1' -c '.limit rows 0' -c 'find count(?l) as n where label(?e, ?l);' "$DB"
check ".limit rows 0 lifts it" "rows     1
rows     0
n
6" "$(printf '%s' "$out" | tr -d '\r')"
run -c '.limit pages 3' "$DB"
check ".limit unknown" '-c:1:1: error: unknown limit "pages": use rows, memory or time' "$err"

# ---- .mapped: how much of the file the reads leave mapped (fakt_set_mapped)
run -c '.mapped' "$DB"
check ".mapped default" "268435456 (256 MiB)" "$out"
run -c '.mapped 64M' -c '.mapped' -c '.mapped 0' -c '.mapped' -c '.mapped 3000' -c '.show' "$DB"
check ".mapped sets" "67108864 (64 MiB)
0 (no limit)" "$(printf '%s\n' "$out" | sed -n 1,2p)"
check_match ".mapped in .show" '^ +mapped: 3000 bytes$' "$out"
for bad in 12X -1 99999999999G 1.5M ''; do
  run -c ".mapped $bad" -c '.mapped' "$DB"
  if [ -n "$bad" ]; then
    check ".mapped $bad refused" "-c:1:1: error: .mapped wants a size: bytes, or a number and K, M or G (0: no limit)" "$err"
    check ".mapped $bad: the limit stays" "268435456 (256 MiB)" "$out"
  fi
done
# its effect, on a file opened after it (.open): a process reading all of
# a 38 MB file twice keeps less of it with 1M than with no limit (the
# children's peak RSS, from Python)
if command -v python3 >/dev/null 2>&1 && [ -r /proc/self/statm ]; then
  i=0
  while [ $i -lt 60000 ]; do
    printf 'entity m%d person "%0200d";\n' $i $i
    i=$((i+1))
  done > "$T/big.fk"
  run -c 'begin;' -c '.read '"$T/big.fk" -c 'commit;' "$T/big.fakt"
  check ".mapped: the big file loads" 0 "$rc"
  peak() {
    python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
      "$FAKT" -c ".mapped $1" -c ".open --readonly $T/big.fakt" \
      -c 'find count(?l) where label(?e, ?l);' -c 'find count(?l) where label(?e, ?l);' "$DB"
  }
  kb_small=$(peak 1M) kb_none=$(peak 0)
  size_kb=$(( $(wc -c < "$T/big.fakt") / 1024 ))
  echo "  .mapped: peak ${kb_small} KiB with 1M, ${kb_none} KiB with no limit (file ${size_kb} KiB)"
  if [ "$kb_small" -gt 0 ] && [ $((kb_none - kb_small)) -gt $((size_kb / 2)) ]; then
    npass=$((npass+1))
  else
    nfail=$((nfail+1))
    echo "FAIL .mapped 1M: peak ${kb_small} KiB against ${kb_none} KiB with no limit (file ${size_kb} KiB)"
  fi
fi

# ---- .parameter: $name bound in every statement run afterwards
run_in '.parameter set who kim
.parameter set $q "Kim traf"
.parameter set $n 41 + 1
.parameter set $d @2023-09
.parameter list
find ?o where $who met ?o;
find $q as q, $d as d, $unset as u;
.parameter unset who
.parameter list
.parameter set who ~"Wladimir Putin"
find ?s where ?s met $who;
.parameter clear
.parameter list
find $q as q;
.parameter set $bad nosuch
find $bad as b;
' --mode csv "$DB"
check ".parameter rc" 1 "$rc"
check ".parameter output" '$who kim
$q "Kim traf"
$d @2023-09
o
putin
q,d,u
Kim traf,2023-09,
$q "Kim traf"
$d @2023-09
s
kim
q
' "$(printf '%s' "$out" | tr -d '\r')
"
check ".parameter errors" '<stdin>:3:1: error: parameter $n: not one literal: 41 + 1 (a number, quantity, @date, string, true, false, null, id or ~"label")
<stdin>:16:1: error: parameter $bad: line 1, col 1: unknown entity "nosuch"' "$err"
run -c '.parameter' -c '.parameter frob' "$DB"
check_match ".parameter usage" 'usage: .parameter set NAME VALUE \| unset NAME \| list \| clear' "$err"

# ---- -cmd: run before the input, after the init file
run -cmd '.mode csv' -cmd 'find 1 as one;' -c 'find 2 as two;' "$DB"
check "-cmd" "one
1
two
2" "$(printf '%s' "$out" | tr -d '\r')"
run_in 'find 3 as three;' -cmd '.headers off' --mode csv "$DB"
check "-cmd before stdin" "3" "$(printf '%s' "$out" | tr -d '\r')"

# ---- ~/.faktrc, and -init FILE instead of it
printf '.mode csv\n.headers off\n' > "$HOME/.faktrc"
run -c 'find 1 as a, 2 as b;' "$DB"
check "~/.faktrc is read" "1,2" "$(printf '%s' "$out" | tr -d '\r')"
printf '.mode list\n' > "$T/init"
run -init "$T/init" -c 'find 1 as a, 2 as b;' "$DB"
check "-init replaces ~/.faktrc" "a|b
1|2" "$out"
run -init /dev/null -c 'find 1 as a;' --mode csv "$DB"
check "-init /dev/null: no init" "a
1" "$(printf '%s' "$out" | tr -d '\r')"
run -init "$T/nosuch" -c 'find 1 as a;' --mode csv "$DB"
check "-init missing rc" 1 "$rc"
check "-init missing message" "fakt: cannot open \"$T/nosuch\": No such file or directory" "$err"
printf 'find ?x where nobody met ?x;\n' > "$HOME/.faktrc"
run -c 'find 1 as a;' --mode csv "$DB"
check "error in ~/.faktrc rc" 1 "$rc"
check_match "error in ~/.faktrc names it" "^$HOME/.faktrc:1:15: error: " "$err"
rm -f "$HOME/.faktrc"

# ---- -echo and .echo: each input printed before it runs
run_in 'find 1 as a;
.print hi
find
  2 as b;
' -echo --mode csv "$DB"
check "-echo" "find 1 as a;
a
1
.print hi
hi
find
  2 as b;
b
2" "$(printf '%s' "$out" | tr -d '\r')"
run -c '.echo on' -c '.print x' -c '.echo off' -c '.print y' "$DB"
check ".echo" ".print x
x
.echo off
y" "$out"

# ---- .help COMMAND: the matching commands, with more lines
run -c '.help once' "$DB"
check ".help once" ".once FILE              send the output of the next statement or command to FILE" "$out"
run -c '.help .parameter' "$DB"
check_match ".help .parameter details" '^  \.parameter set NAME VALUE  bind VALUE to \$NAME' "$out"
run -c '.help mode' "$DB"
check_match ".help mode lists the modes" '^  markdown  a Markdown table' "$out"
run -c '.help nosuch' "$DB"
check ".help unknown rc" 1 "$rc"
check ".help unknown" '-c:1:1: error: no command matches "nosuch"; try .help' "$err"

# ---- .schema: predicates with their type and doc, and the stored rules
run --mode csv -c 'rule inside(?x, ?y) if ?x located_in ?y;' -c 'rule inside(?x, ?z) if ?x located_in ?y, inside(?y, ?z);' -c '.schema' "$DB"
check ".schema rc" 0 "$rc"
check_match ".schema predicate type and doc" '^met,1,false,entity,met in person.?$' "$out"
check_match ".schema predicate type of speed" '^speed,0,true,quantity,.?$' "$out"
check ".schema rules" 'rule,text
inside,"rule inside(?x, ?y) if ?x located_in ?y;
rule inside(?x, ?z) if ?x located_in ?y, inside(?y, ?z);"' "$(printf '%s' "$out" | tr -d '\r' | sed -n '/^rule,text/,$p')"
run --mode csv -c 'find ?t where objtype(met, ?t);' -c 'find ?r where rule_text(?r, ?t);' "$DB"
check "objtype and rule_text" 'entity
r
inside' "$(printf '%s' "$out" | tr -d '\r' | sed 1d)"

finish
