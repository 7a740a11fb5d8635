#!/bin/sh
# tests/shell/propositions.sh -- proposition ids are hashed from names,
# not internal ids (issue 23 point 5, format 8): the same statement has the
# same proposition id in two databases that numbered their names
# differently, and in the corpus after .export jsonl and .import jsonl; a
# proposition id found in one database finds the claims in the other.
. tests/shell/lib.sh

q() { "$FAKT" --mode tsv --no-headers -c "$1" "$2" 2>&1; }

# two databases, the names defined in different orders and numbers
run -c 'entity kim person "Kim"; entity putin person "Putin"; entity wl place "Wladiwostok";
predicate meets : entity; predicate speaks : string; predicate dist : quantity;
claim m1: kim meets putin; claim s1: putin speaks "Russisch"; claim d1: kim dist 9km;' "$T/a.fakt"
check "database a" 0 "$rc"
run -c 'entity zz thing "Z"; entity yy thing "Y"; predicate filler : string;
claim f1: zz filler "Russisch am Rande"; claim f2: yy filler "noch mehr";
entity wl place "Wladiwostok"; entity putin person "Putin"; entity kim person "Kim";
predicate dist : quantity; predicate speaks : string; predicate meets : entity;
claim d9: kim dist 9km; claim s9: putin speaks "Russisch"; claim m9: kim meets putin;
claim m8: kim meets kim; claim d8: kim dist 9m;' "$T/b.fakt"
check "database b" 0 "$rc"
for pair in "m1 m9" "s1 s9" "d1 d9"; do
  set -- $pair
  pa=$(q "find ?p where proposition($1, ?p);" "$T/a.fakt")
  pb=$(q "find ?p where proposition($2, ?p);" "$T/b.fakt")
  check_match "$1 has a proposition id" '^[0-9]+$' "$pa"
  check "$1 in a and $2 in b: one proposition" "$pa" "$pb"
  check "the id of a finds $2 in b" "$2" "$(q "find ?c where proposition(?c, $pa);" "$T/b.fakt")"
done
pm8=$(q 'find ?p where proposition(m8, ?p);' "$T/b.fakt")
pm9=$(q 'find ?p where proposition(m9, ?p);' "$T/b.fakt")
check "another object, another proposition" 1 "$([ "$pm8" != "$pm9" ] && echo 1)"
pd8=$(q 'find ?p where proposition(d8, ?p);' "$T/b.fakt")
pd9=$(q 'find ?p where proposition(d9, ?p);' "$T/b.fakt")
check "9 m and 9 km: two propositions" 1 "$([ "$pd8" != "$pd9" ] && echo 1)"

# the corpus, exported and imported: every claim keeps its proposition id
DB=$B/corpus.fakt
want=$(q 'find ?c, ?p where proposition(?c, ?p) order by ?c;' "$DB")
run -c ".export jsonl $T/corpus.jsonl" "$DB"
check "export the corpus" 0 "$rc"
run -c ".import jsonl $T/corpus.jsonl" "$T/re.fakt"
check "import it" 0 "$rc"
got=$(q 'find ?c, ?p where proposition(?c, ?p) order by ?c;' "$T/re.fakt")
check "every claim's proposition id survives export and import" "$want" "$got"
check_match "and there are many" '^[0-9]{3}$' "$(printf '%s\n' "$got" | wc -l | tr -d ' ')"
check "corroboration alike after the round trip" \
  "$(q 'find ?c, ?f, ?a where corroboration(?c, ?f, ?a) order by ?c;' "$DB")" \
  "$(q 'find ?c, ?f, ?a where corroboration(?c, ?f, ?a) order by ?c;' "$T/re.fakt")"
run -c '.check' "$T/re.fakt"
check "the imported file checks" "0 ok" "$rc $out"

finish
