/*
** fuzz_import.c -- libFuzzer target: fakt_import() of JSON Lines, CSV and
** GeoNames files against a scratch database.
**
** The first byte of an input picks the format (byte % 3: jsonl, csv,
** geonames); the rest is the file. For csv it is split at bytes 0x01 into
** predicates.csv, entities.csv, aliases.csv, sources.csv and claims.csv
** (missing parts: no file). An import that stored something is undone by
** rebuilding the database from scratch, so every input starts from the same
** state. Seeds: tests/trust/fuzz_corpus.sh writes DIR-import.
*/
#include "fakt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);
int LLVMFuzzerInitialize(int *pArgc, char ***pArgv);

static fakt *gDb;
static char zDir[64];          /* scratch directory */
static char zDbPath[128];      /* the database */
static int64_t iBaseTx;        /* its last transaction when fresh */

static const char zBase[] =
  "predicate met : entity; predicate speed : quantity;"
  "entity kim person \"Kim Jong Un\" aka \"Kim\"; entity putin person \"Wladimir Putin\";"
  "source art1 \"Artikel\" text \"Kim traf Putin in Moskau.\";"
  "claim c1: kim met putin from art1 quote \"Kim traf Putin\";";

static void openDb(void) {
  char z[200];
  if (gDb) fakt_close(gDb);
  gDb = NULL;
  unlink(zDbPath);
  snprintf(z, sizeof z, "%s-lock", zDbPath);
  unlink(z);
  if (fakt_open(zDbPath, 0, &gDb) != FAKT_OK) abort();
  if (fakt_exec(gDb, zBase, NULL, NULL, NULL) != FAKT_OK) abort();
  iBaseTx = fakt_last_tx(gDb);
}

int LLVMFuzzerInitialize(int *pArgc, char ***pArgv) {
  (void)pArgc; (void)pArgv;
  snprintf(zDir, sizeof zDir, "/tmp/fakt-fuzz-import.XXXXXX");
  if (!mkdtemp(zDir)) abort();
  snprintf(zDbPath, sizeof zDbPath, "%s/db.fakt", zDir);
  openDb();
  return 0;
}

/* Write n bytes of a to zDir/zName (zName NULL: remove it). */
static void writeFile(const char *zName, const uint8_t *a, size_t n, int bWrite) {
  char z[200];
  snprintf(z, sizeof z, "%s/%s", zDir, zName);
  unlink(z);
  if (!bWrite) return;
  FILE *f = fopen(z, "wb");
  if (f == NULL) abort();
  if (n && fwrite(a, 1, n, f) != n) abort();
  fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData) {
  static const char *const azFmt[] = { "jsonl", "csv", "geonames" };
  static const char *const azCsv[] = {
    "csv/predicates.csv", "csv/entities.csv", "csv/aliases.csv", "csv/sources.csv", "csv/claims.csv"
  };
  char zPath[200];
  if (nData < 1 || nData > 1 << 16) return 0;
  int eFmt = aData[0] % 3;
  const uint8_t *a = aData + 1;
  size_t n = nData - 1;
  if (eFmt == 1) {
    snprintf(zPath, sizeof zPath, "%s/csv", zDir);
    mkdir(zPath, 0777);
    size_t i = 0;
    for (int k = 0; k < 5; k++) {
      size_t e = i;
      while (e < n && a[e] != 0x01) e++;
      writeFile(azCsv[k], a + i, e - i, i <= n);
      i = e + 1;
    }
  } else {
    snprintf(zPath, sizeof zPath, "%s/in.txt", zDir);
    writeFile("in.txt", a, n, 1);
  }
  int64_t nRows = -1, nSkipped = -1;
  char *zErr = NULL;
  int rc = fakt_import(gDb, azFmt[eFmt], zPath, NULL, NULL, &nRows, &nSkipped, &zErr);
  /* the contract: an error has a message and stores nothing */
  if (rc != FAKT_OK && (zErr == NULL || zErr[0] == 0)) abort();
  if (rc != FAKT_OK && (nRows != 0 || fakt_last_tx(gDb) != iBaseTx)) abort();
  if (rc == FAKT_OK && zErr != NULL) abort();
  if (fakt_in_transaction(gDb)) abort();
  fakt_free(zErr);
  if (fakt_last_tx(gDb) != iBaseTx) openDb();
  return 0;
}
