#!/bin/sh
# tests/shell/layers.sh -- the layers hold (make check-layers), and a
# violation of each kind is caught: a planted include fails to compile or
# is reported by tests/layers.sh, a planted call between objects is
# reported from the objects' symbols, and so are a function over 120
# lines and a file over 2,000.
. tests/shell/lib.sh

BIND=$(make -s --no-print-directory print-LAYERS_BINDING)
export BINDING="$BIND"
out=$(sh tests/layers.sh . "$B" 2>&1); rc=$?
check "the tree keeps its layers" "0 layers ok" "$rc $out"

# ---- includes: a copy of the sources with one violation each
plant() {   # plant DIR FILE LINE: copy the tree's sources to DIR, add LINE at the top of FILE
  rm -rf "$1"; mkdir -p "$1"
  cp -r base lang store engine io repl include "$1"/
  { printf '%s\n' "$3"; cat "$1/$2"; } > "$1/$2.new" && mv "$1/$2.new" "$1/$2"
}
other=$(ls store/*.c | grep -v "^$BIND\$" | head -1)
plant "$T/s1" "$other" '#include <lmdb.h>'
out=$(sh tests/layers.sh "$T/s1" "$B" 2>&1); rc=$?
check "lmdb.h outside the binding: status" 1 "$rc"
check_match "lmdb.h outside the binding: message" "^layers: $other includes lmdb.h: only $BIND may" "$out"

plant "$T/s2" lang/parse.c '#include "../engine/fakt_int.h"'
out=$(sh tests/layers.sh "$T/s2" "$B" 2>&1); rc=$?
check "an include with a path: status" 1 "$rc"
check_match "an include with a path: message" '^layers: lang/parse.c:1: an include names a path' "$out"

plant "$T/s3" repl/run.c '#include "ast.h"'
out=$(sh tests/layers.sh "$T/s3" "$B" 2>&1); rc=$?
check "repl/ including an internal header: status" 1 "$rc"
check_match "repl/ including an internal header: message" '^layers: repl/run.c includes "ast.h": repl/ may include only fakt.h' "$out"

# ---- sizes: a function over 120 lines, a file over 2,000
plant "$T/s4" engine/value.c ''
{ echo 'static int longOne(void){'; i=0; while [ $i -lt 125 ]; do echo '  (void)0;'; i=$((i+1)); done
  echo '  return 0;'; echo '}'; } >> "$T/s4/engine/value.c"
out=$(sh tests/layers.sh "$T/s4" "$B" 2>&1); rc=$?
check "a long function: status" 1 "$rc"
check_match "a long function: message" '^layers: engine/value.c:[0-9]+: a function of 128 lines \(at most 120\): static int longOne' "$out"
plant "$T/s5" io/escape.c ''
i=0; while [ $i -lt 2000 ]; do echo '/* filler */'; i=$((i+1)); done >> "$T/s5/io/escape.c"
out=$(sh tests/layers.sh "$T/s5" "$B" 2>&1); rc=$?
check "a long file: status" 1 "$rc"
check_match "a long file: message" '^layers: io/escape.c has [0-9]+ lines \(at most 2,000\)' "$out"

# ---- includes the -I paths forbid: the compile fails (flags from the Makefile)
compile() {   # compile LAYER HEADER FILE: FILE of LAYER with HEADER included first
  printf '#include "%s"\n' "$2" > "$T/c.c"; cat "$3" >> "$T/c.c"
  cc -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(make -s --no-print-directory B="$B" print-INC_$1) \
     -std=c11 -fsyntax-only "$T/c.c" 2>&1
}
for v in "base store.h base/geo.c" "base parse.h base/text.c" "lang store.h lang/ast.c" \
         "store parse.h $other" "store fakt_int.h $other" "engine shell.h engine/value.c" \
         "repl fakt_int.h repl/text.c" "repl base.h repl/text.c"; do
  set -- $v
  out=$(compile "$1" "$2" "$3"); rc=$?
  check "$1/ cannot include $2: status" 1 "$rc"
  check_match "$1/ cannot include $2: message" "$2: No such file" "$out"
done
out=$(compile engine store.h engine/value.c); rc=$?
check "engine/ may include store.h" "0 " "$rc $out"

# ---- calls: objects of a planted build that call across layers
mkdir -p "$T/b"
for d in base lang gen store engine io lmdb repl; do cp -r "$B/$d" "$T/b/$d"; done
rm -f "$T/b"/*/*.d
plant "$T/s0" base/geo.c ''      # the sources, unchanged (a blank first line)
obj() {   # obj DIR NAME CALLEE: a source and object in DIR whose function calls CALLEE
  printf 'int %s(void);\nint faktPlanted_%s(void);\nint faktPlanted_%s(void){ return %s(); }\n' \
    "$3" "$2" "$2" "$3" > "$T/s0/$1/$2.c"
  cc -c -o "$T/b/$1/$2.o" "$T/s0/$1/$2.c"
}
obj store up faktResolveFind
out=$(sh tests/layers.sh "$T/s0" "$T/b" 2>&1); rc=$?
check "store/ calling the engine: status" 1 "$rc"
check_match "store/ calling the engine: message" '^layers: store/up.o calls faktResolveFind \(engine/resolve.o\): store/ may not call engine/' "$out"
rm -f "$T/b/store/up.o" "$T/s0/store/up.c"
obj store lm mdb_get
out=$(sh tests/layers.sh "$T/s0" "$T/b" 2>&1)
check_match "LMDB called outside the binding" '^layers: store/lm.o calls mdb_get \(lmdb/mdb.o\): only the binding' "$out"
rm -f "$T/b/store/lm.o" "$T/s0/store/lm.c"
obj repl in faktArenaAlloc
out=$(sh tests/layers.sh "$T/s0" "$T/b" 2>&1)
check_match "repl/ calling an internal function" '^layers: repl/in.o calls faktArenaAlloc \(base/arena.o\): repl/ calls only the public' "$out"
rm -f "$T/b/repl/in.o" "$T/s0/repl/in.c"
obj base fl faktParse
out=$(sh tests/layers.sh "$T/s0" "$T/b" 2>&1)
check_match "base/ calling lang/" '^layers: base/fl.o calls faktParse \(lang/parse.o\): base/ may not call lang/' "$out"
rm -f "$T/b/base/fl.o" "$T/s0/base/fl.c"
obj io ok faktResolveFind
out=$(sh tests/layers.sh "$T/s0" "$T/b" 2>&1); rc=$?
check "io/ may call the engine" "0 layers ok" "$rc $out"

finish
