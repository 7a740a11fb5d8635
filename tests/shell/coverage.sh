#!/bin/sh
# tests/shell/coverage.sh -- .coverage SOURCE (issue 23 point 7): the
# sentences of a source that no claim quotes, and the curator's round of
# doc/CURATING.md tried on the sixth article tests/fixtures/curating/art005.
# Run from the top of the tree: B=build sh tests/shell/coverage.sh
. tests/shell/lib.sh

DB=$T/corpus.fakt
cp "$B/corpus.fakt" "$DB" || exit 1
FX=$(pwd)/tests/fixtures/curating
# csv rows end in CRLF (RFC 4180): compare without the CRs
crlf() { out=$(printf '%s\n' "$out" | tr -d '\r'); }

# ---- the corpus: art001's uncovered sentences are its captions and headings
run --mode csv -c '.coverage art001' "$DB"
crlf
check "coverage art001 rc" 0 "$rc"
check "coverage art001" 'start,end,sentence
0,78,ein grüner Zug in der Nähe der nordkoreanischen Grenze zu China und Russland
79,93,AP/Ng Han Guan
94,107,Kim unterwegs
109,147,Kreml bestätigt Treffen mit Nordkorea
1356,1372,AP/Yuri Kadobnov
1430,1458,Waffen gegen Nahrungsmittel?
2608,2620,Reuters/KCNA
2713,2752,Nordkorea wies Vorwürfe bisher zurück
3609,3631,Scharfe Kritik aus USA
9 of 40 sentences of art001 have no claim' "$out"

# ---- errors
run -c '.coverage nosuch' "$DB"
check "coverage unknown rc" 1 "$rc"
check_match "coverage unknown" 'unknown source "nosuch"' "$err"
run -c '.coverage kim_jong_un' "$DB"
check "coverage not a source rc" 1 "$rc"
check_match "coverage not a source" '"kim_jong_un" is not a source with a stored text' "$err"

# ---- the guide's round on art005: load, see what is left, add, verify
run --mode csv -c "load \"$FX/art005.facts\";" -c '.coverage art005' "$DB"
crlf
check "art005 first rc" 0 "$rc"
check "art005 first coverage" 'start,end,sentence
0,30,Kims Zug zurück in Pjöngjang
199,254,Unabhängig bestätigen ließ sich das zunächst nicht.
255,334,"Ein Sprecher des Kreml sagte, über weitere Treffen sei noch nicht entschieden."
3 of 5 sentences of art005 have no claim' "$out"
# a quote typed wrong: the closest passage of the article
run -c "claim a005_09: kremlin leaves_open \"x\" from art005 quote \"Ein Sprecher des Kremls sagte\";" "$DB"
check "art005 bad quote rc" 1 "$rc"
check_match "art005 bad quote" 'closest passage \(bytes 255-283\): "Ein Sprecher des Kreml sagte"' "$err"
run --mode csv -c "load \"$FX/art005_more.facts\";" -c '.coverage art005' -c 'verify art005;' "$DB"
crlf
check "art005 second rc" 0 "$rc"
check "art005 second coverage" 'start,end,sentence
0,30,Kims Zug zurück in Pjöngjang
1 of 5 sentences of art005 have no claim
claim,source,problem' "$out"

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
