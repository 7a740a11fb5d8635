#!/bin/sh
# tests/shell/batch.sh -- the fakt program in batch use: flags, exit status,
# FILE:LINE:COL error messages for -f, -c and stdin, --bail, --readonly,
# dot-commands in scripts. Run from the top of the tree: sh tests/shell/batch.sh
. tests/shell/lib.sh

DB=$T/fix.fakt
make_db "$DB"

# ---- --version, --help
run --version
check "version" "fakt 0.1.0" "$out"
check "version rc" 0 "$rc"
run --help
check "help rc" 0 "$rc"
check_match "help usage line" '^Usage: fakt \[OPTIONS\] \[DB\]' "$out"
for opt in -c -f --mode --headers --no-headers --readonly --bail --version --help; do
  check_match "help mentions $opt" "$opt" "$out"
done
check_match "help states the default DB rule" 'read-only: rules defined in the session live until it ends' "$out"

# ---- usage errors: status 2, message on stderr, nothing on stdout
run --bogus "$DB"
check "unknown option rc" 2 "$rc"
check_match "unknown option message" '^fakt: unknown option "--bogus"' "$err"
check "unknown option stdout" "" "$out"
run --mode xml -c 'find 1;' "$DB"
check "bad mode rc" 2 "$rc"
run -m
check "mode without value rc" 2 "$rc"
run --headers maybe "$DB"
check "bad --headers rc" 2 "$rc"
run -c
check "-c without text rc" 2 "$rc"
run "$DB" "$T/other.fakt"
check "two databases rc" 2 "$rc"

# ---- -c: statements run, results printed, status 0
run -c 'find 1 as a, "x" as b;' "$DB"
check "-c table" "a | b
--+--
1 | x
(1 row)" "$out"
check "-c rc" 0 "$rc"
check "-c stderr" "" "$err"

# several -c and -f run in order
printf 'find 2 as two;\n' > "$T/two.fk"
run --mode csv -c 'find 1 as one;' -f "$T/two.fk" -c 'find 3 as three;' "$DB"
check "-c -f -c in order" "$(printf 'one\r\n1\r\ntwo\r\n2\r\nthree\r\n3\r')" "$out"

# ---- --headers off / --no-headers
run --headers off -c 'find 1 as a, 22 as b;' "$DB"
check "--headers off table" "1 | 22
(1 row)" "$out"
run --no-headers --mode csv -c 'find 1 as a, 22 as b;' "$DB"
check "--no-headers csv" "$(printf '1,22\r')" "$out"
run --mode=tsv --headers=on -c 'find 1 as a;' "$DB"
check "--mode=tsv --headers=on" "a
1" "$out"

# ---- queries over the fixture
run -m csv -c 'find ?l where label(pjongjang, ?l);' "$DB"
check "fixture label" "$(printf 'l\r\nPjöngjang\r')" "$out"
run -m csv -c 'find ?e where ?e met putin;' "$DB"
check "fixture claim" "$(printf 'e\r\nkim\r')" "$out"

# ---- errors: FILE:LINE:COL, status 1, later statements still run
printf 'find 1 as a;\n# a comment\nfind ?x where nobody met ?x;\nfind 4 as d;\n' > "$T/err.fk"
run --mode csv -f "$T/err.fk" "$DB"
check "-f error rc" 1 "$rc"
check_match "-f error position" "^$T/err.fk:3:15: error: .*nobody" "$err"
check "-f error one line" 1 "$(printf '%s\n' "$err" | wc -l | tr -d ' ')"
check "-f continues after error" "$(printf 'a\r\n1\r\nd\r\n4\r')" "$out"

run --mode csv -c 'find 1 as a;
find 2 as b;
  find ?x where nobody met ?x;' "$DB"
check "-c error rc" 1 "$rc"
check_match "-c error position" '^-c:3:17: error: .*nobody' "$err"

run_in 'find 1 as a;

find ?x where nobody met ?x;
' --mode csv "$DB"
check "stdin error rc" 1 "$rc"
check_match "stdin error position" '^<stdin>:3:15: error: .*nobody' "$err"

# two statements on one line: the column is that of the second
run -c 'find 1 as a; find ?x where nobody met ?x;' "$DB"
check_match "second statement column" '^-c:1:28: error: ' "$err"

# a syntax error is reported with its line
run -c 'find 1 as a;
find 2 as b
  as c;' "$DB"
check "syntax error rc" 1 "$rc"
check_match "syntax error line" '^-c:3:[0-9]+: error: ' "$err"

# an unfinished statement at the end of the input is an error
run_in 'find 1 as a;
find 2 as' "$DB"
check "incomplete rc" 1 "$rc"
check_match "incomplete reported" '^<stdin>:2:[0-9]+: error: ' "$err"

# ---- --bail: stop at the first error
run --bail --mode csv -f "$T/err.fk" "$DB"
check "--bail rc" 1 "$rc"
check "--bail stops" "$(printf 'a\r\n1\r')" "$out"
run_in '.bail on
find ?x where nobody met ?x;
find 5 as e;
' "$DB"
check ".bail on rc" 1 "$rc"
check ".bail on stops" "" "$out"
run --bail -f "$T/missing.fk" -c 'find 1;' "$DB"
check "--bail missing file rc" 1 "$rc"
check "--bail missing file stops" "" "$out"

# ---- dot-commands in scripts
run_in '.mode jsonl
find 1 as a;
.headers off
.mode csv
find 2 as b;
.mode
' "$DB"
check "dot-commands in a script" "$(printf '{"a":1}\n2\r\ncsv')" "$out"
check "dot-commands rc" 0 "$rc"
run_in '.nosuch
find 1 as a;
' --mode csv "$DB"
check "unknown dot-command rc" 1 "$rc"
check "unknown dot-command message" '<stdin>:1:1: error: unknown command ".nosuch"; try .help' "$err"
check "after unknown dot-command" "$(printf 'a\r\n1\r')" "$out"
run_in '.mode xml
' "$DB"
check ".mode bad rc" 1 "$rc"
run_in '.import x.csv
' "$DB"
check ".import rc" 1 "$rc"
check ".import message" '<stdin>:1:1: error: usage: .import FORMAT PATH' "$err"
run_in '.export
' "$DB"
check ".export rc" 1 "$rc"
check ".export message" '<stdin>:1:1: error: usage: .export FORMAT PATH' "$err"
run_in '.help
' "$DB"
check ".help rc" 0 "$rc"
for c in bail changes check exit explain export headers help import mode open quit read schema sources timer width; do
  check_match ".help lists .$c" "^\\.$c" "$out"
done
check_match ".help describes .import" '^\.import FORMAT PATH +jsonl FILE, csv DIR or geonames FILE' "$out"
# README.md lists the dot-commands exactly as .help does.
readme_dots=$(sed -n '/^## The fakt shell/,/^## /p' README.md | grep '^\.[a-z]')
check "README dot-commands = .help" "$(printf '%s\n' "$out" | grep '^\.[a-z]')" "$readme_dots"

# .read runs a file; relative names are taken from the including script
mkdir -p "$T/sub"
printf 'find 7 as seven;\n' > "$T/sub/inner.fk"
printf '.read inner.fk\nfind 8 as eight;\n' > "$T/sub/outer.fk"
run --mode csv -f "$T/sub/outer.fk" "$DB"
check ".read relative" "$(printf 'seven\r\n7\r\neight\r\n8\r')" "$out"
check ".read rc" 0 "$rc"
printf 'find 1 as a;\nfind ?x where nobody met ?x;\n' > "$T/sub/bad.fk"
run_in ".read $T/sub/bad.fk
" "$DB"
check ".read failure rc" 1 "$rc"
check_match ".read error names the file" "^$T/sub/bad.fk:2:15: error: " "$err"

# .quit stops the input
run_in 'find 1 as a;
.quit
find 2 as b;
' --mode csv "$DB"
check ".quit" "$(printf 'a\r\n1\r')" "$out"

# .width cuts long cells, by display width, with an ellipsis
run_in '.width 5
find "abcdefgh" as s, "Pjöngjang" as p, "日本語です" as j;
' "$DB"
check ".width 5" "s     | p     | j
------+-------+------
abcd… | Pjön… | 日本…
(1 row)" "$out"

# .timer prints a run time after each statement
run_in '.timer on
find 1 as a;
' --no-headers "$DB"
check_match ".timer" '^Run time: [0-9]+\.[0-9]{3} s$' "$out"

# .changes reports the last write
run_in 'predicate visited : entity;
claim kim visited pjongjang from s1;
.changes
' "$T/fix.fakt"
check_match ".changes" '^changes: 1, last transaction: [0-9]+$' "$out"
check ".changes rc" 0 "$rc"

# .check
run_in '.check
' "$DB"
check ".check rc" 0 "$rc"

# .vacuum FILE writes a compact copy that answers the same; an existing
# FILE is refused and left as it was
Qv='find ?c, ?s, ?p where ?c: ?s ?p ?o order by ?c;'
run -c "$Qv" --mode csv "$DB"
before=$out
run_in ".vacuum $T/vac.fakt
" "$DB"
check ".vacuum rc" 0 "$rc"
check ".vacuum quiet" "" "$out$err"
run -c "$Qv" --mode csv "$T/vac.fakt"
check ".vacuum copy answers the same" "$before" "$out"
run_in '.check
' "$T/vac.fakt"
check ".vacuum copy .check" "0 ok" "$rc $out"
echo keep > "$T/taken.fakt"
run_in ".vacuum $T/taken.fakt
" "$DB"
check ".vacuum existing rc" 1 "$rc"
check_match ".vacuum existing message" 'cannot vacuum into .*taken.fakt: the file exists' "$err"
check ".vacuum existing untouched" "keep" "$(cat "$T/taken.fakt")"
run_in '.vacuum
' "$DB"
check ".vacuum without FILE rc" 1 "$rc"

# .explain on runs each find as explain find
Qx='find ?e where ?e met putin;'
run -c "explain $Qx" --mode csv "$DB"
direct=$out
run_in ".explain on
$Qx
" --mode csv "$DB"
check ".explain rc" 0 "$rc"
check ".explain on = explain find" "$direct" "$out"
run_in ".explain off
$Qx
" --mode csv "$DB"
check ".explain off" "$(printf 'e\r\nkim\r')" "$out"

# .schema and .sources
run_in '.schema
' --mode csv "$DB"
check ".schema rc" 0 "$rc"
check_match ".schema types" '^person,2' "$out"
check_match ".schema predicates" '^met,1,false,entity,met in person.?$' "$out"
run_in '.sources
' --mode csv "$DB"
check ".sources" "$(printf 'source,title,outlet,published\r\ns1,Kim reist nach Russland,reuters,2023-09-12\r')" "$out"

# ---- .open switches databases
make_db "$T/second.fakt"
run_in ".open $T/second.fakt
find ?l where label(kim, ?l);
.open $T/nonexistent/x.fakt
" --mode csv "$DB"
check ".open" "$(printf 'l\r\nKim Jong Un\r')" "$out"
check ".open failure rc" 1 "$rc"

# ---- a database that cannot be opened: status 1
run -c 'find 1;' "$T/nonexistent/dir/x.fakt"
check "cannot open rc" 1 "$rc"
check_match "cannot open message" '^fakt: cannot open ' "$err"

# ---- --readonly: writes fail with status 1 and change nothing
run --readonly -c 'entity seoul city "Seoul";' "$DB"
check "readonly write rc" 1 "$rc"
check_match "readonly write message" '^-c:1:1: error: ' "$err"
run --readonly -m csv -c 'find ?l where label(kim, ?l);' "$DB"
check "readonly read rc" 0 "$rc"
check "readonly read" "$(printf 'l\r\nKim Jong Un\r')" "$out"
run -m csv -c 'find count() as n where type(?e, city);' "$DB"
check "readonly changed nothing" "$(printf 'n\r\n1\r')" "$out"
run_in ".open --readonly $DB
entity seoul city \"Seoul\";
" "$DB"
check ".open --readonly write rc" 1 "$rc"

# ---- a write statement changes the database and prints nothing
run -c 'entity seoul city "Seoul";' "$DB"
check "write rc" 0 "$rc"
check "write prints nothing" "" "$out"
run -m csv -c 'find count() as n where type(?e, city);' "$DB"
check "write persisted" "$(printf 'n\r\n2\r')" "$out"

finish
