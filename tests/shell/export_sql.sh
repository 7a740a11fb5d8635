#!/bin/sh
# tests/shell/export_sql.sh -- `.export sql FILE` without a SQL server: the
# script has the documented tables and one COPY row per visible claim,
# entity, alias, source and via link (counted against fakt's own answers);
# a stored rule becomes a view; a query argument is refused.
# (tests/shell/postgres.sh loads the script into PostgreSQL.)
. tests/shell/lib.sh
DB=$T/c.fakt
cp "${CORPUS:-$B/corpus.fakt}" "$DB" || { echo "FAIL no corpus"; exit 1; }
run -c 'rule inside(?x, ?y) if ?x located_in ?y;
rule inside(?x, ?z) if ?x located_in ?y, inside(?y, ?z);
retract a000_01;' "$DB"
check "rules and a retraction rc" 0 "$rc"
run -c ".export sql $T/out.sql" "$DB"
check "export rc" 0 "$rc"
check "export stderr" "" "$err"
for t in predicates entities aliases sources claims claim_via; do
  check_match "table $t" "^CREATE TABLE $t " "$(cat "$T/out.sql")"
done
# rows NAME: the COPY rows of table NAME
rows() { awk -v t="$1" '$0 ~ "^COPY " t " " { on = 1; next } on && $0 == "\\." { on = 0 } on { n++ } END { print n + 0 }' "$T/out.sql"; }
n() { fakt --readonly --mode csv --no-headers -c "$1" "$DB" | tr -d '\r'; }
check "claim rows (the retracted one left out)" "$(n 'find count() where ?c: ?s ?p ?o;')" "$(rows claims)"
check "source rows" "$(n 'find count() where published(?s, ?d);')" "$(rows sources)"
check "alias rows" "$(n 'find count() where alias(?e, ?a), not published(?e, ?d);')" "$(rows aliases)"
check "via rows" "$(n 'find count() where via(?c, ?v);')" "$(rows claim_via)"
check "predicate rows" "$(n 'find count() where predicate(?p);')" "$(rows predicates)"
check_match "a000_01 is not exported" '^0$' "$(grep -c '^a000_01	' "$T/out.sql")"
check_match "the rule is a view" '^CREATE VIEW "inside" AS' "$(cat "$T/out.sql")"
check_match "one transaction" '^COMMIT;$' "$(tail -1 "$T/out.sql")"
run -c ".export sql $T/q.sql \"find ?c where ?c: ?s ?p ?o;\"" "$DB"
check "a query argument is refused" 1 "$rc"
check_match "its message" 'only the nquads and jsonl' "$err"
echo "$npass passed, $nfail failed"
[ $nfail -eq 0 ]
