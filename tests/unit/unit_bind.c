/*
** unit_bind.c -- binding values that must be refused, and who frees them.
**
** fakt_bind_text calls the destructor it is given exactly once, on success
** and on every failure (no statement, index out of range, running statement,
** too long, bad UTF-8), as sqlite3 does: a counting destructor checks it,
** and LeakSanitizer sees a leak if it is not. fakt_bind_double refuses NaN
** and infinities with FAKT_RANGE and leaves the parameter null.
** Ends with "N passed, N failed"; exit status 1 on any failure.
*/
#include "fakt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

/* ==== Helpers ==== */

static int nDel;             /* calls of countingDel */

static void countingDel(void *p) {
  nDel++;
  free(p);
}

/* A heap copy of z, for a bind to own. */
static char *heapCopy(const char *z) {
  size_t n = strlen(z) + 1;
  char *zCopy = malloc(n);
  if (zCopy) memcpy(zCopy, z, n);
  return zCopy;
}

/* Bind a heap copy of z with countingDel; the code, and in *pnDel how
** often the destructor ran during the call. */
static int bindCounted(fakt_stmt *p, int i, const char *z, int n, int *pnDel) {
  int nBefore = nDel;
  int rc = fakt_bind_text(p, i, heapCopy(z), n, countingDel);
  *pnDel = nDel - nBefore;
  return rc;
}

/* The first column of the one row of p, as text ("NULL" for null). */
static void oneRow(fakt_stmt *p, char *zOut, size_t nOut) {
  snprintf(zOut, nOut, "(no row)");
  if (fakt_step(p) == FAKT_ROW) {
    const char *z = fakt_column_text(p, 0);
    snprintf(zOut, nOut, "%s", z ? z : "NULL");
  }
  fakt_reset(p);
}

/* ==== The tests ==== */

static void testDestructor(fakt *db) {
  fakt_stmt *p = NULL, *pRun = NULL;
  int nCall = 0;
  char z[64];
  CHECK(fakt_prepare(db, "find $a;", -1, &p, NULL) == FAKT_OK && p);
  CHECK(fakt_prepare(db, "find ?x where ?x = $a;", -1, &pRun, NULL) == FAKT_OK);
  if (p == NULL || pRun == NULL) { fakt_finalize(p); fakt_finalize(pRun); return; }

  /* success: copied, then freed once */
  CHECK(bindCounted(p, 1, "hello", -1, &nCall) == FAKT_OK && nCall == 1);
  oneRow(p, z, sizeof(z));
  CHECK(strcmp(z, "hello") == 0);
  /* FAKT_RANGE: index 0 and past the last parameter */
  CHECK(bindCounted(p, 0, "x", -1, &nCall) == FAKT_RANGE && nCall == 1);
  CHECK(bindCounted(p, 2, "x", -1, &nCall) == FAKT_RANGE && nCall == 1);
  /* FAKT_MISUSE: no statement */
  CHECK(bindCounted(NULL, 1, "x", -1, &nCall) == FAKT_MISUSE && nCall == 1);
  /* FAKT_MISUSE: the statement is running */
  CHECK(fakt_bind_int64(pRun, 1, 1) == FAKT_OK);
  CHECK(fakt_step(pRun) == FAKT_ROW);
  CHECK(bindCounted(pRun, 1, "x", -1, &nCall) == FAKT_MISUSE && nCall == 1);
  CHECK(fakt_reset(pRun) == FAKT_OK);
  /* FAKT_MISMATCH: not UTF-8 */
  CHECK(bindCounted(p, 1, "\xff\xfe", -1, &nCall) == FAKT_MISMATCH && nCall == 1);
  /* the sentinels are never called (calling them would crash) */
  CHECK(fakt_bind_text(p, 0, "x", -1, FAKT_STATIC) == FAKT_RANGE);
  CHECK(fakt_bind_text(p, 0, "x", -1, FAKT_TRANSIENT) == FAKT_RANGE);
  CHECK(fakt_bind_text(NULL, 1, "x", -1, FAKT_TRANSIENT) == FAKT_MISUSE);
  /* FAKT_TOOBIG: longer than FAKT_MAX_STRING (the length given is checked
  ** before the text is read) */
  CHECK(bindCounted(p, 1, "x", 0x7fffffff, &nCall) == FAKT_TOOBIG && nCall == 1);
  fakt_finalize(p);
  fakt_finalize(pRun);
}

static void testNonFinite(fakt *db) {
  fakt_stmt *p = NULL;
  char z[64];
  CHECK(fakt_prepare(db, "find $a;", -1, &p, NULL) == FAKT_OK && p);
  if (p == NULL) return;
  CHECK(fakt_bind_double(p, 1, 2.5) == FAKT_OK);
  oneRow(p, z, sizeof(z));
  CHECK(strcmp(z, "2.5") == 0);
  CHECK(fakt_bind_double(p, 1, NAN) == FAKT_RANGE);
  CHECK(fakt_errcode(db) == FAKT_RANGE);
  CHECK(strstr(fakt_errmsg(db), "not finite") != NULL);
  oneRow(p, z, sizeof(z));
  CHECK(strcmp(z, "NULL") == 0);                /* refused: the parameter is null */
  CHECK(fakt_bind_double(p, 1, INFINITY) == FAKT_RANGE);
  CHECK(fakt_bind_double(p, 1, -INFINITY) == FAKT_RANGE);
  oneRow(p, z, sizeof(z));
  CHECK(strcmp(z, "NULL") == 0);
  CHECK(fakt_bind_double(p, 1, -1e308) == FAKT_OK);   /* large but finite */
  oneRow(p, z, sizeof(z));
  CHECK(strcmp(z, "-1e+308") == 0);
  fakt_finalize(p);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);   /* keep output if a test crashes */
  char zDir[4096], zPath[4200], zLock[4300];
  const char *zTmp = getenv("TMPDIR");
  snprintf(zDir, sizeof(zDir), "%s/fakt-unit-bind-XXXXXX", zTmp && *zTmp ? zTmp : "/tmp");
  if (mkdtemp(zDir) == NULL) { perror("mkdtemp"); return 2; }
  snprintf(zPath, sizeof(zPath), "%s/bind.fakt", zDir);
  snprintf(zLock, sizeof(zLock), "%s-lock", zPath);
  fakt *db = NULL;
  CHECK(fakt_open(zPath, 0, &db) == FAKT_OK);
  gDb = db;
  if (db) {
    testDestructor(db);
    testNonFinite(db);
  }
  CHECK(fakt_close(db) == FAKT_OK);
  gDb = NULL;
  unlink(zLock);
  unlink(zPath);
  rmdir(zDir);
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail > 0 ? 1 : 0;
}
