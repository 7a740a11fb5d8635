#!/bin/sh
# tests/layers.sh ROOT BUILD -- the layers of README's "Layout", checked
# (make check-layers; tests/shell/layers.sh plants violations to see it fail).
#
#   base < {lang, store} < engine < {io, repl}
#
# The Makefile compiles each folder with only the -I paths of its layer,
# so an include from a layer above fails to compile. This script checks
# what the -I paths cannot:
#   1. no quoted include names a path ("../engine/x.h" would escape them);
#   2. only the store's binding (BINDING) includes lmdb.h;
#   3. repl/ includes nothing of fakt but fakt.h (and its own shell.h);
#   4. the calls between the objects in BUILD (those with a source in ROOT): each object's undefined
#      symbols that another object of fakt defines must be defined in a
#      layer it may call (lmdb/: LMDB's own objects); repl/ calls only
#      the public fakt_* API; only the binding calls LMDB, and the binding
#      calls nothing of the store but the encodings and the page check
#      (BINDING_MAY).
#   5. sizes: no hand-written source file over 2,000 lines, no function
#      over 120 (from its first line at column 0 to its closing brace at
#      column 0; the grammar's actions in gram.y are not functions).
# Prints each violation and exits 1 if there is one.
ROOT=${1:-.}
B=${2:-build}
BINDING=${BINDING:-store/kv.c}
BINDING_MAY=${BINDING_MAY:-store/codec.c store/pagecheck.c}
bad=0
say() { echo "layers: $*"; bad=1; }

for d in base lang store engine io repl; do
  for f in "$ROOT/$d"/*.[ch] "$ROOT/$d"/*.re "$ROOT/$d"/*.y; do
    [ -f "$f" ] || continue
    rel=${f#"$ROOT/"}
    # 1. a quoted include with a path
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*/' "$f" |
      while IFS= read -r l; do echo "layers: $rel:${l%%:*}: an include names a path: ${l#*:}"; done | grep . && bad=1
    # 2. lmdb.h outside the binding
    if [ "$rel" != "$BINDING" ] &&
       grep -q '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]lmdb\.h[>"]' "$f"; then
      say "$rel includes lmdb.h: only $BINDING may"
    fi
    # 3. repl/ sees fakt.h only
    if [ "$d" = repl ]; then
      for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
        case $h in fakt.h|shell.h) ;; *) say "$rel includes \"$h\": repl/ may include only fakt.h";; esac
      done
    fi
  done
done

# 5. sizes
for f in "$ROOT"/base/*.[ch] "$ROOT"/lang/*.[ch] "$ROOT"/lang/*.re "$ROOT"/lang/*.y \
         "$ROOT"/store/*.[ch] "$ROOT"/engine/*.[ch] "$ROOT"/io/*.[ch] "$ROOT"/repl/*.[ch]; do
  [ -f "$f" ] || continue
  rel=${f#"$ROOT/"}
  n=$(wc -l < "$f")
  [ "$n" -gt 2000 ] && say "$rel has $n lines (at most 2,000)"
  case $f in *.c) ;; *) continue;; esac
  awk -v f="$rel" '
    start==0 && /^[A-Za-z_][^;]*\(/ && !/;[[:space:]]*$/ && !/^(typedef|#)/ { start = NR; name = $0; next }
    start>0 && /^}/ { if( NR-start+1 > 120 ) printf "layers: %s:%d: a function of %d lines (at most 120): %s\n", f, start, NR-start+1, substr(name, 1, 60); start = 0 }
  ' "$f" | grep . && bad=1
done

# 4. calls between objects
objs=""
for d in base lang gen store engine io lmdb repl; do
  for o in "$B/$d"/*.o; do
    [ -f "$o" ] || continue
    # an object left from a source that is gone is not part of fakt
    case $d in gen|lmdb) ;; *) [ -f "$ROOT/$d/$(basename "$o" .o).c" ] || continue;; esac
    objs="$objs $o"
  done
done
if [ -z "$objs" ]; then
  say "no objects under $B (build first)"
else
  bind_o=$(basename "$BINDING" .c).o
  may=$(for f in $BINDING_MAY; do printf '%s ' "${f%.c}.o"; done)
  for o in $objs; do
    d=$(basename "$(dirname "$o")")
    nm --defined-only -g "$o" | awk -v o="$d/$(basename "$o")" 'NF==3 {print $3, o}'
  done > "${TMPDIR:-/tmp}/layers-def.$$"
  for o in $objs; do
    d=$(basename "$(dirname "$o")")
    me="$d/$(basename "$o")"
    nm -u "$o" | awk '{print $NF}' | awk -v me="$me" -v layer="$d" \
        -v bind="store/$bind_o" -v may=" $may" '
      NR==FNR { def[$1] = $2; next }
      !($1 in def) { next }                     # libc, libedit, libm
      {
        to = def[$1]; split(to, a, "/"); l = a[1]
        ok = 0
        if( layer=="base" )   ok = (l=="base")
        if( layer=="lang" || layer=="gen" ) ok = (l=="base" || l=="lang" || l=="gen")
        if( layer=="store" )  ok = (l=="base" || l=="store" || (l=="lmdb" && me==bind))
        if( layer=="engine" ) ok = (l=="base" || l=="lang" || l=="gen" || l=="store" || l=="engine")
        if( layer=="io" )     ok = (l=="base" || l=="lang" || l=="gen" || l=="store" || l=="engine" || l=="io")
        if( layer=="lmdb" )   ok = (l=="lmdb")
        if( layer=="repl" )   ok = (l=="repl" || ($1 ~ /^fakt_/ && l!="repl"))
        if( ok && me==bind && l=="store" && to!=me && index(may, " " to " ")==0 ) ok = 0
        if( !ok ) {
          why = (l=="lmdb") ? "only the binding " bind " calls LMDB" : \
                (me==bind) ? "the binding calls nothing of the store but" may : \
                (layer=="repl") ? "repl/ calls only the public fakt_* API" : \
                layer "/ may not call " l "/"
          printf "layers: %s calls %s (%s): %s\n", me, $1, to, why
        }
      }' "${TMPDIR:-/tmp}/layers-def.$$" - | grep . && bad=1
  done
  rm -f "${TMPDIR:-/tmp}/layers-def.$$"
fi
[ $bad = 0 ] && echo "layers ok"
exit $bad
