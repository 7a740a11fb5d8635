#!/bin/sh
# tests/shell/corpus.sh -- the shipped corpus (issue: the corpus):
# every paragraph covered, loading twice changes nothing, a broken quote
# fails naming the claim and file:line and loses nothing, and `fakt` with no
# database argument opens the corpus.
. tests/shell/lib.sh

CORPUS=$B/corpus.fakt

# 1. paragraphs: every one has a claim quoting it, or is listed as skipped
out=$(python3 tests/corpus_paragraphs.py "$FAKT" "$CORPUS" 2>&1)
check_match "paragraph coverage" "^[0-9]+ passed, 0 failed$" "$out"
[ -n "$(printf '%s\n' "$out" | grep FAIL)" ] && printf '%s\n' "$out" | grep FAIL | head -20

# 2. loading the corpus twice gives the same database, byte for byte
"$FAKT" -c 'load "facts/all.facts";' "$T/c.fakt" >/dev/null 2>&1
mdb_dump -n -a "$T/c.fakt" > "$T/dump1"
"$FAKT" -c 'load "facts/all.facts";' "$T/c.fakt" >/dev/null 2>&1
check "second load exits 0" "0" "$?"
mdb_dump -n -a "$T/c.fakt" > "$T/dump2"
if cmp -s "$T/dump1" "$T/dump2"; then npass=$((npass+1)); else nfail=$((nfail+1)); echo "FAIL load twice: dumps differ"; fi
check "one transaction for the corpus" "1" "$("$FAKT" --mode tsv --no-headers -c 'find max(?t) where recorded(?c, ?t);' "$T/c.fakt")"
check "claims per source" "art000	57
art001	73
art002	52
art003	50
art004	61" "$("$FAKT" --mode tsv --no-headers -c 'find ?s, count(?c) where source(?c, ?s) order by ?s;' "$T/c.fakt")"

# 3. a quote that is not in its article: the claim and file:line are named
"$FAKT" -c 'predicate keep : string; claim k1: summit_2023 keep "x";' "$T/c.fakt" >/dev/null 2>&1
mdb_dump -n -a "$T/c.fakt" > "$T/before"
err=$("$FAKT" -c 'load "tests/fixtures/broken_quote.facts";' "$T/c.fakt" 2>&1 >/dev/null)
rc=$?
check "broken quote exit status" "1" "$rc"
check "broken quote message" 'tests/fixtures/broken_quote.facts:18:9: error: quote not found in source bq (claim bq_02); closest passage (bytes 0-46): "Das Gipfeltreffen soll am Dienstag stattfinden"
  (in the load at -c:1:6)' "$err"
mdb_dump -n -a "$T/c.fakt" > "$T/after"
if cmp -s "$T/before" "$T/after"; then npass=$((npass+1)); else nfail=$((nfail+1)); echo "FAIL broken quote changed the database"; fi
check "bq_01 not loaded either" "" "$("$FAKT" --mode tsv --no-headers -c 'find ?c where ?c: summit ?p ?o;' "$T/c.fakt" 2>/dev/null)"

# 3a. nested loads: the error is named at its own file first, then each load
printf 'entity na person "A";\nload "nb.facts";\n' > "$T/na.facts"
printf 'entity nb person "B";\nclaim na knows nobody;\n' > "$T/nb.facts"
err=$(cd "$T" && "$FAKT" -c 'load "na.facts";' :memory: 2>&1 >/dev/null)
check "nested load message" 'nb.facts:2:10: error: unknown predicate "knows"
  (in the load at na.facts:2:6)
  (in the load at -c:1:6)' "$err"

# 3b. the articles' notice names every article with its size and hash, so it
# cannot silently go stale when an article is added or changed
for a in facts/articles/*.txt; do
  n=$(basename "$a"); sz=$(wc -c < "$a" | tr -d ' '); h=$(sha256sum "$a" | cut -c1-16)
  check_match "NOTICE.md lists $n" "^\| $n \| $sz \| $h \|" "$(grep -F "| $n |" facts/articles/NOTICE.md)"
done
check "LICENSE is MIT" "MIT License" "$(head -n 1 LICENSE)"

# 4. no database argument: the default database is the corpus (make run),
# read-only for everyone: the tour's rules live for the session, the file
# stays as built, and a write is refused
check "default database is the corpus" "293" "$(echo 'find count() where source(?c, ?s);' | "$FAKT" --mode tsv --no-headers)"
sum_before=$(cksum < "$CORPUS")
out=$(printf '%s\n' 'rule inside(?a, ?b) if ?a located_in ?b;' \
  'rule inside(?a, ?c) if ?a located_in ?b, inside(?b, ?c);' \
  'find count() where inside(chassan, ?p);' | "$FAKT" --mode tsv --no-headers 2>&1)
check "tour rules on the read-only corpus" "3" "$out"
check "the corpus file is unchanged" "$sum_before" "$(cksum < "$CORPUS")"
out=$(echo 'find count() where inside(chassan, ?p);' | "$FAKT" 2>&1)
check_match "session rules are gone with the session" 'unknown relation "inside"' "$out"
out=$(echo 'entity z1 person "Z";' | "$FAKT" 2>&1); rc=$?
check "a write to the default corpus fails" "1" "$rc"
check_match "a write to the default corpus: message" 'attempt to write a read-only database' "$out"

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
