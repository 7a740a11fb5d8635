/*
** unit_import.c -- fakt_interrupt() stops fakt_import() and `load` (issue 25).
**
** An import of JSON Lines, CSV and GeoNames interrupted from its progress
** callback; an import reading a FIFO interrupted by a second thread once
** the import has opened it (jsonl while the file is read, geonames while
** the statements run); a `load` interrupted by a second thread while it
** runs (its file loads a FIFO: when the thread's open of the FIFO returns,
** the load is under way). Each must end with FAKT_INTERRUPT and store
** nothing. No timing: every interrupt follows an observed point of the run.
** Ends with "N passed, N failed"; exit status 1 on any failure.
*/
#include "fakt.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char zDir[4096];      /* the scratch directory */

/* ==== Helpers ==== */

/* zDir/zName, in a static buffer of four (enough for one call's arguments). */
static const char *path(const char *zName) {
  static char az[4][4400];
  static int i;
  i = (i + 1) % 4;
  snprintf(az[i], sizeof(az[i]), "%s/%s", zDir, zName);
  return az[i];
}

/* Number of entities with a type (the import's and load's effects). */
static long long countEntities(fakt *db) {
  fakt_stmt *p = NULL;
  long long n = -1;
  if (fakt_prepare(db, "find count() where type(?e, ?t), not predicate(?e);", -1, &p, NULL) == FAKT_OK &&
      fakt_step(p) == FAKT_ROW) {
    n = fakt_column_int64(p, 0);
  }
  fakt_finalize(p);
  return n;
}

/* A fresh database zName with one entity. */
static fakt *openFresh(const char *zName) {
  fakt *db = NULL;
  unlink(path(zName));
  if (fakt_open(path(zName), FAKT_OPEN_READWRITE | FAKT_OPEN_CREATE, &db) != FAKT_OK) {
    printf("cannot open %s\n", path(zName));
    fakt_close(db);
    return NULL;
  }
  gDb = db;
  char *zErr = NULL;
  if (fakt_exec(db, "entity e0 place \"E0\";", NULL, NULL, &zErr) != FAKT_OK) {
    printf("setup failed: %s\n", zErr ? zErr : "?");
  }
  fakt_free(zErr);
  return db;
}

/* Write zName with nRows rows of kind eKind: 0 jsonl entities, 1 entities.csv
** (zName a directory), 2 GeoNames cities. */
static void writeRows(const char *zName, int eKind, int nRows) {
  const char *zFile = zName;
  if (eKind == 1) {
    mkdir(path(zName), 0777);
    static char zCsv[300];
    snprintf(zCsv, sizeof(zCsv), "%.200s/entities.csv", zName);
    zFile = zCsv;
  }
  FILE *f = fopen(path(zFile), "w");
  if (f == NULL) { CHECK(0); return; }
  if (eKind == 1) fprintf(f, "id,type,label\n");
  for (int i = 0; i < nRows; i++) {
    if (eKind == 0) fprintf(f, "{\"kind\":\"entity\",\"id\":\"x%d\",\"type\":\"place\",\"label\":\"X %d\"}\n", i, i);
    else if (eKind == 1) fprintf(f, "x%d,place,X %d\n", i, i);
    else fprintf(f, "%d\tCity %d\tCity %d\t\t%d.5\t%d.25\tP\tPPL\tRU\t\t\t\t\t\t%d\t\t\tEurope/Moscow\t2020-01-01\n",
                 100000 + i, i, i, i % 80, i % 170, 1000 + i);
  }
  fclose(f);
}

/* Progress callback: interrupt the import at its first call (4096 rows). */
static int nProgress;
static void interruptAtProgress(void *pArg, int64_t nRows, int64_t nSkipped) {
  (void)nRows; (void)nSkipped;
  nProgress++;
  fakt_interrupt((fakt *)pArg);
}

/* ==== fakt_import interrupted from its progress callback ==== */

static void testImportProgress(void) {
  static const char *const azFmt[] = { "jsonl", "csv", "geonames" };
  static const char *const azFile[] = { "rows.jsonl", "rows.csvdir", "rows.geonames" };
  for (int k = 0; k < 3; k++) {
    fakt *db = openFresh("progress.fakt");
    if (db == NULL) { CHECK(0); continue; }
    writeRows(azFile[k], k, 10000);
    long long nBefore = countEntities(db);
    int64_t nRows = -1;
    char *zErr = NULL;
    nProgress = 0;
    int rc = fakt_import(db, azFmt[k], path(azFile[k]), interruptAtProgress, db, &nRows, NULL, &zErr);
    if (rc != FAKT_INTERRUPT) printf("  %s: rc %d (%s)\n", azFmt[k], rc, zErr ? zErr : "");
    CHECK(rc == FAKT_INTERRUPT);
    CHECK(nProgress == 1);                      /* stopped at the first progress call */
    CHECK(zErr && strstr(zErr, "interrupted"));
    CHECK(nRows == 0);
    CHECK(countEntities(db) == nBefore);        /* nothing stored */
    CHECK(fakt_in_transaction(db) == 0);
    fakt_free(zErr);
    /* the same import without an interrupt stores every row */
    rc = fakt_import(db, azFmt[k], path(azFile[k]), NULL, NULL, &nRows, NULL, NULL);
    CHECK(rc == FAKT_OK);
    CHECK(nRows == 10000);
    CHECK(countEntities(db) == nBefore + 10000);
    fakt_close(db);
    gDb = NULL;
  }
}

/* ==== interrupted by a second thread reading a FIFO ==== */

typedef struct Feeder {
  fakt *db;
  const char *zFifo;         /* FIFO the import or load reads */
  const char *zHead;         /* written before the interrupt */
  const char *zTail;         /* written after it */
  int nRepeat;               /* zHead and zTail are each written this often */
} Feeder;

/* Open the FIFO (returns when the reader has opened it), write zHead, call
** fakt_interrupt(), write zTail, close. */
static void *feederMain(void *pArg) {
  Feeder *f = (Feeder *)pArg;
  int fd = open(f->zFifo, O_WRONLY);
  if (fd < 0) return NULL;
  for (int i = 0; i < f->nRepeat; i++) {
    if (write(fd, f->zHead, strlen(f->zHead)) < 0) break;
  }
  fakt_interrupt(f->db);
  for (int i = 0; i < f->nRepeat; i++) {
    if (write(fd, f->zTail, strlen(f->zTail)) < 0) break;
  }
  close(fd);
  return NULL;
}

static void testImportThread(void) {
  static const char *const azFmt[] = { "jsonl", "geonames" };
  static const char *const azHead[] = {
    "{\"kind\":\"entity\",\"id\":\"h1\",\"type\":\"place\",\"label\":\"H\"}\n",
    "200001\tHead\tHead\t\t1.5\t2.5\tP\tPPL\tRU\t\t\t\t\t\t10\t\t\tEurope/Moscow\t2020-01-01\n",
  };
  static const char *const azTail[] = {
    "{\"kind\":\"entity\",\"id\":\"t1\",\"type\":\"place\",\"label\":\"T\"}\n",
    "200002\tTail\tTail\t\t1.5\t2.5\tP\tPPL\tRU\t\t\t\t\t\t10\t\t\tEurope/Moscow\t2020-01-01\n",
  };
  for (int k = 0; k < 2; k++) {
    fakt *db = openFresh("thread.fakt");
    if (db == NULL) { CHECK(0); continue; }
    const char *zFifo = path("import.fifo");
    unlink(zFifo);
    if (mkfifo(zFifo, 0600) != 0) { CHECK(0); fakt_close(db); continue; }
    long long nBefore = countEntities(db);
    Feeder fd = { db, zFifo, azHead[k], azTail[k], 200 };
    pthread_t t;
    if (pthread_create(&t, NULL, feederMain, &fd) != 0) { CHECK(0); fakt_close(db); continue; }
    char *zErr = NULL;
    int rc = fakt_import(db, azFmt[k], zFifo, NULL, NULL, NULL, NULL, &zErr);
    pthread_join(t, NULL);
    if (rc != FAKT_INTERRUPT) printf("  %s: rc %d (%s)\n", azFmt[k], rc, zErr ? zErr : "");
    CHECK(rc == FAKT_INTERRUPT);
    CHECK(countEntities(db) == nBefore);
    fakt_free(zErr);
    unlink(zFifo);
    fakt_close(db);
    gDb = NULL;
  }
}

/* ==== load interrupted by a second thread ==== */

static void testLoadThread(void) {
  fakt *db = openFresh("load.fakt");
  if (db == NULL) { CHECK(0); return; }
  const char *zFifo = path("load.fifo");
  unlink(zFifo);
  if (mkfifo(zFifo, 0600) != 0) { CHECK(0); fakt_close(db); return; }
  /* big.facts: 3000 entities, then a load of the FIFO */
  FILE *f = fopen(path("big.facts"), "w");
  if (f == NULL) { CHECK(0); fakt_close(db); return; }
  for (int i = 0; i < 3000; i++) fprintf(f, "entity b%d place \"B %d\";\n", i, i);
  fprintf(f, "load \"load.fifo\";\nentity after place \"After\";\n");
  fclose(f);
  long long nBefore = countEntities(db);
  Feeder fd = { db, zFifo, "entity f1 place \"F1\";\n", "entity f2 place \"F2\";\n", 1 };
  pthread_t t;
  if (pthread_create(&t, NULL, feederMain, &fd) != 0) { CHECK(0); fakt_close(db); return; }
  char zSql[4600];
  snprintf(zSql, sizeof(zSql), "load \"%s\";", path("big.facts"));
  char *zErr = NULL;
  int rc = fakt_exec(db, zSql, NULL, NULL, &zErr);
  pthread_join(t, NULL);
  if (rc != FAKT_INTERRUPT) printf("  load: rc %d (%s)\n", rc, zErr ? zErr : "");
  CHECK(rc == FAKT_INTERRUPT);
  CHECK(zErr && strstr(zErr, "interrupted"));
  CHECK(countEntities(db) == nBefore);          /* none of the 3000 */
  fakt_free(zErr);
  /* the flag does not outlive the statement: the next load runs */
  unlink(zFifo);
  f = fopen(path("load.fifo"), "w");             /* now a plain file */
  if (f) { fprintf(f, "entity f3 place \"F3\";\n"); fclose(f); }
  rc = fakt_exec(db, zSql, NULL, NULL, NULL);
  CHECK(rc == FAKT_OK);
  CHECK(countEntities(db) == nBefore + 3002);
  fakt_close(db);
  gDb = NULL;
}

int main(void) {
  /* a feeder may write after the interrupted reader closed its FIFO: that
  ** write must fail (EPIPE, and the feeder stops), not kill the test */
  signal(SIGPIPE, SIG_IGN);
  snprintf(zDir, sizeof(zDir), "%s/fakt-unit-import.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (mkdtemp(zDir) == NULL) { perror("mkdtemp"); return 2; }
  testImportProgress();
  testImportThread();
  testLoadThread();
  char zCmd[4200];
  snprintf(zCmd, sizeof(zCmd), "rm -rf '%s'", zDir);
  if (system(zCmd) != 0) printf("cannot remove %s\n", zDir);
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
