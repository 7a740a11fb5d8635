/*
** fuzz_parse.c -- libFuzzer target: the lexer, the parser and the resolver.
**
** Each input is query text (any bytes). It is compiled statement by
** statement with fakt_prepare() against a small scratch database (so names
** resolve), never run; fakt_complete() sees it too. Built by `make fuzz
** T=parse` with clang -fsanitize=fuzzer,address,undefined against the library
** compiled with the same flags (Makefile block "trust tests (issue 6)").
*/
#include "fakt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);
int LLVMFuzzerInitialize(int *pArgc, char ***pArgv);

static fakt *gDb;

static const char zBase[] =
  "predicate met : entity; predicate age : number; predicate nickname : string;"
  "predicate arrived : date single;"
  "entity kim person \"Kim Jong Un\" aka \"Kim\"; entity putin person \"Wladimir Putin\";"
  "entity moskau city \"Moskau\" at 55.75, 37.61;"
  "source art1 \"Artikel\" text \"Kim traf Putin in Moskau.\";"
  "claim c1: kim met putin from art1 quote \"Kim traf Putin\"; claim c2: kim age 39;"
  "rule knows(?x, ?y) if ?x met ?y;";

int LLVMFuzzerInitialize(int *pArgc, char ***pArgv) {
  (void)pArgc; (void)pArgv;
  char zDir[] = "/tmp/fakt-fuzz-parse.XXXXXX";
  if (!mkdtemp(zDir)) abort();
  char zPath[256];
  snprintf(zPath, sizeof zPath, "%s/db.fakt", zDir);
  if (fakt_open(zPath, 0, &gDb) != FAKT_OK) abort();
  if (fakt_exec(gDb, zBase, NULL, NULL, NULL) != FAKT_OK) abort();
  fakt_close(gDb);
  if (fakt_open(zPath, FAKT_OPEN_READONLY, &gDb) != FAKT_OK) abort();
  return 0;
}


/* 1 if the input holds "$" and four or more digits: a parameter index over
** 999 makes fakt_prepare slow (quadratic in the index; reported, see
** tests/trust/regress/param_index_32762.fk), which would stall the fuzzer. */
static int bigParam(const uint8_t *a, size_t n) {
  for (size_t i = 0; i + 4 < n; i++)
    if (a[i] == '$' && a[i+1] >= '0' && a[i+1] <= '9' && a[i+2] >= '0' && a[i+2] <= '9' &&
        a[i+3] >= '0' && a[i+3] <= '9' && a[i+4] >= '0' && a[i+4] <= '9') return 1;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData) {
  if (nData > 1 << 20 || bigParam(aData, nData)) return 0;
  const char *z = (const char *)aData, *zEnd = z + nData;
  int n = 0;
  while (z < zEnd && n++ < 64) {
    fakt_stmt *st = NULL;
    const char *zTail = NULL;
    int rc = fakt_prepare(gDb, z, (int)(zEnd - z), &st, &zTail);
    if (rc == FAKT_OK && st) {
      fakt_column_count(st);
      fakt_bind_parameter_count(st);
      fakt_stmt_readonly(st);
    } else if (rc != FAKT_OK) {
      if (fakt_errmsg(gDb) == NULL) abort();
    }
    fakt_finalize(st);
    if (!zTail || zTail <= z || zTail > zEnd) break;
    z = zTail;
  }
  char *zCopy = malloc(nData + 1);
  if (zCopy) {
    memcpy(zCopy, aData, nData);
    zCopy[nData] = 0;
    fakt_complete(zCopy);
    free(zCopy);
  }
  return 0;
}
