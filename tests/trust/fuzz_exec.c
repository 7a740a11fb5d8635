/*
** fuzz_exec.c -- libFuzzer target: whole statements against a scratch database.
**
** Each input is a script; its statements are prepared and stepped (at most
** 1,000 rows each, under row, memory and time limits) inside an explicit
** transaction that is rolled back afterwards. If the input ended that
** transaction itself and wrote something, the database is rebuilt from the
** pristine copy, so every input starts from the same state. Inputs that
** could read files (load, source ... file) are skipped.
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
static char zPath[256];
static int64_t iBaseTx;

static const char zBase[] =
  "predicate met : entity; predicate age : number; predicate nickname : string;"
  "predicate arrived : date single; predicate speed : quantity; predicate about : claim;"
  "entity kim person \"Kim Jong Un\" aka \"Kim\"; entity putin person \"Wladimir Putin\";"
  "entity moskau city \"Moskau\" at 55.75, 37.61; entity wladiwostok city \"Wladiwostok\" at 43.1, 131.9;"
  "source art1 \"Artikel\" text \"Kim traf Putin in Moskau. Der Zug fuhr 60 km/h.\";"
  "claim c1: kim met putin from art1 by putin stance hedges holds @2023-09 quote \"Kim traf Putin\";"
  "claim c2: kim age 39; claim c3: putin age 70; claim c4: kim speed 60km/h;"
  "claim c5: putin about c1 said @2023-09-12; claim c6: kim nickname \"Rocket Man\";"
  "rule knows(?x, ?y) if ?x met ?y; rule knows(?x, ?z) if ?x met ?y, knows(?y, ?z);";

static void openDb(int bFresh) {
  if (gDb) fakt_close(gDb);
  gDb = NULL;
  if (bFresh) { unlink(zPath); char z[300]; snprintf(z, sizeof z, "%s-lock", zPath); unlink(z); }
  if (fakt_open(zPath, 0, &gDb) != FAKT_OK) abort();
  if (bFresh && fakt_exec(gDb, zBase, NULL, NULL, NULL) != FAKT_OK) abort();
  fakt_limits(gDb, 10000, 64 << 20, 2000);
  iBaseTx = fakt_last_tx(gDb);
}

int LLVMFuzzerInitialize(int *pArgc, char ***pArgv) {
  (void)pArgc; (void)pArgv;
  char zDir[] = "/tmp/fakt-fuzz-exec.XXXXXX";
  if (!mkdtemp(zDir)) abort();
  snprintf(zPath, sizeof zPath, "%s/db.fakt", zDir);
  openDb(1);
  return 0;
}

static int has(const uint8_t *a, size_t n, const char *zWord) {
  size_t k = strlen(zWord);
  for (size_t i = 0; i + k <= n; i++) if (memcmp(a + i, zWord, k) == 0) return 1;
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
  if (nData > 1 << 16 || bigParam(aData, nData) || has(aData, nData, "load") || has(aData, nData, "file")) return 0;
  if (fakt_exec(gDb, "begin;", NULL, NULL, NULL) != FAKT_OK) abort();
  const char *z = (const char *)aData, *zEnd = z + nData;
  int n = 0;
  while (z < zEnd && n++ < 32) {
    fakt_stmt *st = NULL;
    const char *zTail = NULL;
    int rc = fakt_prepare(gDb, z, (int)(zEnd - z), &st, &zTail);
    if (rc == FAKT_OK && st) {
      int nRow = 0;
      while ((rc = fakt_step(st)) == FAKT_ROW && nRow++ < 1000) {
        for (int i = 0; i < fakt_column_count(st); i++) {
          const char *v = fakt_column_text(st, i);
          if (v && (int)strlen(v) != fakt_column_bytes(st, i)) abort();
          fakt_column_type(st, i);
          fakt_column_double(st, i);
          fakt_column_unit(st, i);
        }
      }
    }
    fakt_finalize(st);
    if (!zTail || zTail <= z || zTail > zEnd) break;
    z = zTail;
  }
  if (fakt_in_transaction(gDb)) fakt_exec(gDb, "rollback;", NULL, NULL, NULL);
  if (fakt_last_tx(gDb) != iBaseTx) openDb(1);
  return 0;
}
