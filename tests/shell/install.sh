#!/bin/sh
# tests/shell/install.sh -- `make install` and the library as installed
# (issue 5, acceptance point 3). Run from the top of the tree after
# `make B=$B all $B/corpus.fakt`:  B=build sh tests/shell/install.sh
#
# Installs with PREFIX=$T/prefix and an empty DESTDIR, so that the paths
# compiled into bin/fakt (its default database) and written into fakt.pc are
# the real ones and can be used in place; a second install with
# DESTDIR=$T/stage PREFIX=/usr/local checks the staged layout. Then: the
# files, the soname and its links, the exported symbols, examples/ built
# through pkg-config against the installed library (shared and static), its
# rows against those of $B/fakt, the README's library snippet, and bin/fakt.
. tests/shell/lib.sh

if [ -n "${SAN:-}" ]; then
  # A sanitizer build tree cannot be installed by a plain nested make.
  echo "skipped: SAN is set"
  finish
  exit $?
fi
for tool in pkg-config readelf nm "${CC:-cc}"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "FAIL $tool is not installed (make deps)"
    nfail=$((nfail+1))
    finish
    exit 1
  fi
done

MAKE=${MAKE:-make}
P=$T/prefix
LIBV=libfakt.so.0.1.0                 # VERSION in the Makefile
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
CFLAGS_EX="-O1 -g -std=c11 -Wall -Wextra -Werror"

# The query of examples/claims_about.c, with the name given as ~"LABEL":
# what $B/fakt answers must be what the example prints.
QUERY='find ?p, ?o, ?src, ?stance
where ?c: ~"Dmitri Peskow" ?p ?o, source(?c, ?src), stance(?c, ?stance)
order by ?src, ?p, ?o;'

# ---- make install into a temporary prefix
if ! $MAKE --no-print-directory B="$B" PREFIX="$P" DESTDIR= install > "$T/install.log" 2>&1; then
  echo "FAIL make install"
  tail -n 20 "$T/install.log" | sed 's/^/    /'
  nfail=$((nfail+1))
  finish
  exit 1
fi
npass=$((npass+1))

for f in include/fakt.h lib/libfakt.a lib/$LIBV lib/pkgconfig/fakt.pc \
         bin/fakt share/fakt/corpus.fakt share/doc/fakt/LICENSE share/doc/fakt/NOTICE.md \
         share/man/man1/fakt.1; do
  check "installed $f" yes "$([ -f "$P/$f" ] && [ ! -L "$P/$f" ] && echo yes || echo no)"
done
# the manual page names every option that --help lists
man_text=$(sed 's/\\-/-/g; s/\\f[BIR]//g' "$P/share/man/man1/fakt.1")
for o in $("$P/bin/fakt" --help | grep -E '^ +-' | grep -oE '(^| )--?[a-z][a-z-]*' | tr -d ' ' | sort -u); do
  case $man_text in *"$o"*) check "fakt.1 names $o" yes yes ;; *) check "fakt.1 names $o" yes no ;; esac
done
check "bin/fakt executable" yes "$([ -x "$P/bin/fakt" ] && echo yes || echo no)"
check "installed header is include/fakt.h" yes "$(cmp -s include/fakt.h "$P/include/fakt.h" && echo yes || echo no)"
check "libfakt.so.0 link" "$LIBV" "$(readlink "$P/lib/libfakt.so.0")"
check "libfakt.so link" "$LIBV" "$(readlink "$P/lib/libfakt.so")"
check "soname" "libfakt.so.0" \
  "$(readelf -d "$P/lib/$LIBV" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')"

# ---- exported symbols: fakt_* only
nm -D --defined-only "$P/lib/libfakt.so" | awk 'NF>=3 {print $3}' > "$T/syms"
check "no symbol without the fakt_ prefix" "" "$(grep -v '^fakt_' "$T/syms")"
for s in fakt_open fakt_close fakt_prepare fakt_bind_text fakt_step \
         fakt_column_text fakt_finalize fakt_exec fakt_errmsg fakt_free; do
  check "exports $s" "$s" "$(grep -x "$s" "$T/syms")"
done

# ---- fakt.pc
check "pkg-config version" "0.1.0" "$(pkg-config --modversion fakt 2>&1)"
check "fakt.pc prefix is PREFIX" "$P" "$(pkg-config --variable=prefix fakt 2>&1)"
check "pkg-config --cflags" "-I$P/include" "$(pkg-config --cflags fakt | sed 's/ *$//')"
check_match "pkg-config --libs" "^-L$P/lib -lfakt *\$" "$(pkg-config --libs fakt)"
check_match "pkg-config --static --libs (LMDB is inside libfakt)" "-lfakt -lm -lpthread *$" "$(pkg-config --static --libs fakt)"

# ---- examples/, built through pkg-config against the installed library
mkdir -p "$T/ex"
cp examples/claims_about.c examples/Makefile "$T/ex/"
if $MAKE --no-print-directory -C "$T/ex" CFLAGS="$CFLAGS_EX -H" all static > "$T/ex.log" 2>&1; then
  npass=$((npass+1))
else
  nfail=$((nfail+1))
  echo "FAIL building examples/ through pkg-config"
  sed 's/^/    /' "$T/ex.log"
fi
# -H lists the headers each compile read: fakt.h must be the installed one.
check_match "example compiled with the installed header" "^\\. $P/include/fakt\\.h\$" "$(cat "$T/ex.log")"
readelf -d "$T/ex/claims_about" > "$T/dyn" 2>&1
check_match "shared example needs libfakt.so.0" 'NEEDED.*\[libfakt\.so\.0\]' "$(cat "$T/dyn")"
check "static example does not need libfakt.so" "" \
  "$(readelf -d "$T/ex/claims_about_static" 2>&1 | grep 'libfakt')"
check_match "shared example loads the installed library" "libfakt\.so\.0 => $P/lib/libfakt\.so\.0 " \
  "$(LD_LIBRARY_PATH="$P/lib" ldd "$T/ex/claims_about" 2>&1)"

# The rows $B/fakt gives for the same query: the reference.
fakt -m tsv -c "$QUERY" "$P/share/fakt/corpus.fakt" > "$T/ref" 2> "$T/ref.err"
check "reference query rc" 0 "$?"
check_match "reference has Peskow's role" '^role	Kremlsprecher	art002	asserts$' "$(cat "$T/ref")"
nref=$(($(wc -l < "$T/ref") - 1))
check "reference has rows" yes "$([ "$nref" -ge 2 ] && echo yes || echo no)"

# runex NAME PROGRAM ARGS...: run an example with the installed library on
# the loader path; sets $out, $err, $rc.
runex() {
  _n=$1; shift
  LD_LIBRARY_PATH="$P/lib" timeout 30 "$@" > "$T/out" 2> "$T/err"
  rc=$?
  out=$(cat "$T/out")
  err=$(cat "$T/err")
}

runex shared "$T/ex/claims_about" "Dmitri Peskow"
check "example (default db) rc" 0 "$rc"
check "example (default db) rows = fakt's" "$(cat "$T/ref")" "$out"
check "example reports the count" "$nref claims about \"Dmitri Peskow\"" "$err"
runex shared "$T/ex/claims_about" "$P/share/fakt/corpus.fakt" "dmitry_peskov"
check "example by id = by label" "$(cat "$T/ref")" "$out"
runex shared "$T/ex/claims_about" "$P/share/fakt/corpus.fakt" "PESKOV"
check "example by alias, other case = by label" "$(cat "$T/ref")" "$out"
runex shared "$T/ex/claims_about" "$P/share/fakt/corpus.fakt" 'x" ?p ?o; retract a002_19; find "'
check "example: a name is never query text (rc)" 0 "$rc"
check "example: a name is never query text (rows)" "p	o	src	stance" "$out"
runex shared "$T/ex/claims_about" "$T/no-such.fakt" "Peskow"
check "example on a missing db rc" 1 "$rc"
check_match "example on a missing db says why" "^$T/ex/claims_about: .*$T/no-such\\.fakt" "$err"
runex shared "$T/ex/claims_about"
check "example usage rc" 2 "$rc"
# The static build runs without the loader path.
timeout 30 "$T/ex/claims_about_static" "Dmitri Peskow" > "$T/out" 2> /dev/null
check "static example rc" 0 "$?"
check "static example rows = fakt's" "$(cat "$T/ref")" "$(cat "$T/out")"

# ---- the library snippet of README.md compiles and runs
sed -n '/^## The library/,/^## /p' README.md \
  | sed -n '/^```c$/,/^```$/p' | sed '1d;$d' > "$T/snippet.c"
{
  grep '^#include' "$T/snippet.c"
  echo '#include <stdio.h>'
  echo 'int main(void){'
  grep -v '^#include' "$T/snippet.c"
  echo 'return 0; }'
} > "$T/readme.c"
check_match "README has a library snippet" 'fakt_open' "$(cat "$T/snippet.c")"
# shellcheck disable=SC2046
if ${CC:-cc} $CFLAGS_EX -Wno-unused-result $(pkg-config --cflags fakt) -o "$T/readme" \
     "$T/readme.c" $(pkg-config --libs fakt) > "$T/readme.log" 2>&1; then
  npass=$((npass+1))
  mkdir -p "$T/rd"
  cp "$P/share/fakt/corpus.fakt" "$T/rd/corpus.fakt"
  out=$(cd "$T/rd" && LD_LIBRARY_PATH="$P/lib" timeout 30 "$T/readme" | sort)
  ref=$(fakt -m tsv --no-headers -c 'find ?p, ?o where ?c: dmitry_peskov ?p ?o;' \
          "$T/rd/corpus.fakt" | tr '\t' ' ' | sort)
  check_match "README snippet prints rows" '^role Kremlsprecher$' "$out"
  check "README snippet rows = fakt's" "$ref" "$out"
else
  nfail=$((nfail+1))
  echo "FAIL README library snippet does not compile"
  sed 's/^/    /' "$T/readme.log" "$T/readme.c"
fi

# ---- the installed fakt program
out=$("$P/bin/fakt" --version 2>&1)
check "installed fakt --version" "fakt 0.1.0" "$out"
check_match "installed fakt --help names the installed corpus" \
  "^  $P/share/fakt/corpus.fakt\$" "$("$P/bin/fakt" --help 2>&1)"
out=$(cd "$T" && timeout 30 "$P/bin/fakt" -m tsv -c "$QUERY" 2>&1)
check "installed fakt opens the installed corpus by default" "$(cat "$T/ref")" "$out"

# ---- a staged install: DESTDIR=$T/stage PREFIX=/usr/local
S=$T/stage
if $MAKE --no-print-directory B="$B" PREFIX=/usr/local DESTDIR="$S" install > "$T/stage.log" 2>&1; then
  npass=$((npass+1))
else
  nfail=$((nfail+1))
  echo "FAIL make install DESTDIR=$S"
  tail -n 20 "$T/stage.log" | sed 's/^/    /'
fi
for f in include/fakt.h lib/libfakt.a lib/$LIBV lib/pkgconfig/fakt.pc \
         bin/fakt share/fakt/corpus.fakt; do
  check "staged $f" yes "$([ -f "$S/usr/local/$f" ] && echo yes || echo no)"
done
check "staged fakt.pc names PREFIX, not DESTDIR" "prefix=/usr/local" \
  "$(sed -n 's/^prefix=/prefix=/p' "$S/usr/local/lib/pkgconfig/fakt.pc")"
check_match "staged fakt names the final corpus path" \
  "^  /usr/local/share/fakt/corpus.fakt\$" "$("$S/usr/local/bin/fakt" --help 2>&1)"

finish
