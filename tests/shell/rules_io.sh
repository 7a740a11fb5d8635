#!/bin/sh
# tests/shell/rules_io.sh -- stored rules travel with .export jsonl and
# .import jsonl (issue 23 point 5): the rules come back and answer alike;
# a "rule" line whose text holds another statement is refused, and the
# failed import changes nothing. Predicates are not exported as entities.
. tests/shell/lib.sh

DB=$T/fix.fakt
make_db "$DB"

cp "$DB" "$T/r.fakt"
run -c 'rule knows(?a, ?b) if ?a met ?b;' -c 'rule knows(?a, ?c) if ?a met ?b, knows(?b, ?c);' \
    -c 'rule loner(?x) if type(?x, person), not knows(?x, ?y);' -c ".export jsonl $T/r.jsonl" "$T/r.fakt"
check "export with rules" 0 "$rc"
check "two rule records" 2 "$(grep -c '"kind":"rule"' "$T/r.jsonl")"
check "no predicate exported as an entity" 0 "$(grep '"kind":"entity"' "$T/r.jsonl" | grep -c '"id":"met"')"
want=$("$FAKT" --mode tsv --no-headers -c 'find ?x, ?y where knows(?x, ?y) order by ?x, ?y;' -c 'find ?x where loner(?x) order by ?x;' "$T/r.fakt" 2>&1)
run -c ".import jsonl $T/r.jsonl" "$T/new.fakt"
check "import with rules" 0 "$rc"
got=$("$FAKT" --mode tsv --no-headers -c 'find ?x, ?y where knows(?x, ?y) order by ?x, ?y;' -c 'find ?x where loner(?x) order by ?x;' "$T/new.fakt" 2>&1)
check "imported rules answer alike" "$want" "$got"
check_match "and answer something" "kim	putin" "$got"

printf '{"kind":"rule","name":"evil","text":"rule evil(?x) if ?x met ?y; retract c1;"}\n' > "$T/bad.jsonl"
cp "$DB" "$T/b.fakt"
before=$(cksum < "$T/b.fakt")
run -c ".import jsonl $T/bad.jsonl" "$T/b.fakt"
check "a rule line with another statement: status" 1 "$rc"
check_match "a rule line with another statement: message" "the text of rule evil holds another statement" "$err"
check "the failed import changed nothing" "$before" "$(cksum < "$T/b.fakt")"
finish
