#!/bin/sh
# tests/trust/fuzz_corpus.sh DIR -- the fuzzers' seed corpus: one file per
# statement of the golden tests (tests/lang/*.test, tests/questions/*.test),
# each fixture file whole, and the hostile cases' inputs under 4 KiB; and in
# DIR-import the seeds of fuzz_import: a first byte picking the format (0
# jsonl, 1 csv with the files separated by 0x01, 2 geonames), then the file,
# plus the import regressions (tests/trust/regress/*.import).
dir=${1:?usage: fuzz_corpus.sh DIR}
mkdir -p "$dir"
n=0
for f in tests/lang/*.test tests/questions/*.test; do
  [ -f "$f" ] || continue
  # the statement of a block: the lines after its header up to "----"
  awk -v out="$dir/$(basename "$f" .test)" '
    /^(query|ordered|error|exec)[ \t]/ { inb = 1; n++; next }
    /^----$/ { inb = 0; next }
    /^$/ { inb = 0; next }
    inb { print > (out "-" n ".fk") }
  ' "$f"
done
for f in tests/fixtures/*.facts tests/trust/hostile/scratch.facts; do
  [ -f "$f" ] && cp "$f" "$dir/fixture-$(basename "$f")"
done
for f in tests/trust/hostile/*.case; do
  hl=$(sed -n '1,/^----$/p' "$f" | wc -c)
  sz=$(wc -c < "$f")
  [ "$sz" -lt 4096 ] && tail -c +$((hl + 1)) "$f" > "$dir/hostile-$(basename "$f" .case).fk"
done
n=$(ls "$dir" | wc -l)
echo "fuzz corpus: $n files in $dir"

imp=$dir-import
mkdir -p "$imp"
printf '\000%s\n' \
  '{"kind":"predicate","id":"met","type":"entity","single":false}' \
  '{"kind":"entity","id":"kim","type":"person","label":"Kim","aliases":["Kim Jong Un"]}' \
  '{"kind":"entity","id":"seoul","type":"city","label":"Seoul","lat":37.56,"lon":126.97}' \
  '{"kind":"source","id":"a2","title":"Art","published":"2023-09-12","text":"Kim traf Putin.\nZweite Zeile \u00e4"}' \
  '{"kind":"claim","id":"k1","s":"kim","p":"met","o":"putin","otype":"entity","source":"a2","via":["kim"],"stance":"hedges","holds":"2023-09","quote":"Kim traf Putin"}' \
  '{"kind":"claim","id":"k2","s":"k1","p":"speed","o":60,"otype":"quantity","unit":"km/h"}' \
  | tr -d '\000' | { printf '\000'; cat; } > "$imp/jsonl-1"
printf '\000{"kind":"claim","id":"k3","s":"kim","p":"met","o":"k4","otype":"claim"}\n{"kind":"claim","id":"k4","s":"kim","p":"met","o":"k3","otype":"claim"}\n' > "$imp/jsonl-cycle"
printf '\001id,type,single,doc\nmet2,entity,true,"a ""doc"", with comma"\n\001id,type,label,lat,lon\r\nkim2,person,Kim,,\r\npy,city,"Pj\303\266ngjang\nP",39.0,125.7\n\001entity,alias\nkim2,Kim Zwei\n\001id,title,outlet,published,text\nb1,T,,2023,Text\n\001id,s,p,o,otype,unit,source,by,via,stance,holds,until,said,quote,recorded\nq1,kim2,met2,py,entity,,b1,,kim2 py,asserts,2023,2024,,Text,5\n' > "$imp/csv-1"
printf '\001id,type,label,\nx,place,X,\n' > "$imp/csv-header"
printf '\002# comment\n2013348\tVladivostok\tVladivostok\tVladivostok,Wladiwostok,\320\222\320\273\320\260\320\264\320\270\320\262\320\276\321\201\321\202\320\276\320\272\t43.10562\t131.87353\tP\tPPLA\tRU\t\t59\t\t\t\t587022\t\t49\tAsia/Vladivostok\t2020-01-01\r\n1\tBad\tBad\t\t91\t0\tP\tPPL\tXX\t\t\t\t\t\t0\n' > "$imp/geonames-1"
for f in tests/trust/regress/*.import; do
  [ -f "$f" ] && cp "$f" "$imp/regress-$(basename "$f")"
done
echo "fuzz corpus: $(ls "$imp" | wc -l) files in $imp"
