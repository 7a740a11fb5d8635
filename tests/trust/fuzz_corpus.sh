#!/bin/sh
# tests/trust/fuzz_corpus.sh DIR -- the fuzzers' seed corpus: one file per
# statement of the golden tests (tests/lang/*.test, tests/questions/*.test),
# each fixture file whole, and the hostile cases' inputs under 4 KiB.
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
