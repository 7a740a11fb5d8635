/*
** unit_lifetime.c -- a statement never outlives the transaction it reads in.
**
** A find stepped inside begin ... is left mid-iteration while the
** transaction ends (commit or rollback, by a prepared statement or by
** fakt_exec); then it is finalized, reset or stepped. Each must be safe (run
** it under ASan), a step must report FAKT_ABORT once and then run the query
** again in a fresh snapshot, and nothing the rollback undid may show.
** Ends with "N passed, N failed"; exit status 1 on any failure.
*/
#include "fakt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static char zDir[4096];      /* the scratch directory */

/* ==== Helpers ==== */

/* Run zSql on db; 1 if every statement succeeded (message printed if not). */
static int run(fakt *db, const char *zSql) {
  char *zErr = NULL;
  int rc = fakt_exec(db, zSql, NULL, NULL, &zErr);
  if (rc != FAKT_OK) printf("  exec failed (%d): %s\n    in: %.200s\n", rc, zErr ? zErr : "?", zSql);
  fakt_free(zErr);
  return rc == FAKT_OK;
}

/* Prepare and step one statement (commit or rollback) to FAKT_DONE. */
static int runPrepared(fakt *db, const char *zSql) {
  fakt_stmt *p = NULL;
  int rc = fakt_prepare(db, zSql, -1, &p, NULL);
  if (rc == FAKT_OK) rc = fakt_step(p);
  fakt_finalize(p);
  return rc == FAKT_DONE;
}

/* Step p to its end; the number of rows, or -1 if a step failed. */
static int countRows(fakt_stmt *p) {
  int n = 0, rc;
  while ((rc = fakt_step(p)) == FAKT_ROW) n++;
  return rc == FAKT_DONE ? n : -1;
}

/* A fresh database with 5 committed claims of predicate n. */
static fakt *openFresh(const char *zName, char *zPath, size_t nPath) {
  fakt *db = NULL;
  char zLock[4400];
  snprintf(zPath, nPath, "%s/%s", zDir, zName);
  snprintf(zLock, sizeof(zLock), "%s-lock", zPath);
  unlink(zPath);
  unlink(zLock);
  CHECK(fakt_open(zPath, FAKT_OPEN_READWRITE | FAKT_OPEN_CREATE, &db) == FAKT_OK);
  gDb = db;
  CHECK(run(db, "predicate n : number;"
                "entity e1 thing \"E1\"; entity e2 thing \"E2\"; entity e3 thing \"E3\";"
                "entity e4 thing \"E4\"; entity e5 thing \"E5\";"
                "claim e1 n 1; claim e2 n 2; claim e3 n 3; claim e4 n 4; claim e5 n 5;"));
  return db;
}

static void closeFresh(fakt *db, const char *zPath) {
  char zLock[4400];
  CHECK(fakt_close(db) == FAKT_OK);
  gDb = NULL;
  snprintf(zLock, sizeof(zLock), "%s-lock", zPath);
  unlink(zLock);
  unlink(zPath);
}

/* ==== The tests ==== */

enum { END_COMMIT, END_ROLLBACK };
enum { DO_FINALIZE, DO_RESET, DO_STEP };
static const char *azEnd[] = { "commit", "rollback" };
static const char *azDo[] = { "finalize", "reset", "step" };
static const char *azEnded[] = { "committed", "rolled back" };   /* in the message */

/*
** begin; a claim; a find stepped once; the transaction ends (by a prepared
** statement when bExec is 0, else through fakt_exec); then the action.
*/
static void oneCase(int eEnd, int eDo, int bExec) {
  char zPath[4300], zName[64];
  fakt_stmt *p = NULL;
  snprintf(zName, sizeof(zName), "life-%s-%s-%d.fakt", azEnd[eEnd], azDo[eDo], bExec);
  fakt *db = openFresh(zName, zPath, sizeof(zPath));
  if (db == NULL) return;
  printf("  %s by %s, then %s\n", azEnd[eEnd], bExec ? "fakt_exec" : "a prepared statement", azDo[eDo]);
  CHECK(run(db, "begin; entity e6 thing \"E6\"; claim e6 n 6;"));
  CHECK(fakt_prepare(db, "find ?v where ?e n ?v;", -1, &p, NULL) == FAKT_OK && p);
  if (p == NULL) { closeFresh(db, zPath); return; }
  CHECK(fakt_step(p) == FAKT_ROW);
  CHECK(fakt_column_text(p, 0) != NULL);
  /* the transaction ends under the running statement */
  if (bExec) CHECK(run(db, azEnd[eEnd]));
  else CHECK(runPrepared(db, eEnd == END_COMMIT ? "commit;" : "rollback;"));
  CHECK(fakt_in_transaction(db) == 0);
  /* its row is gone with the transaction: no column reads freed memory */
  CHECK(fakt_column_text(p, 0) == NULL);
  int nWant = eEnd == END_COMMIT ? 6 : 5;
  switch (eDo) {
    case DO_FINALIZE:
      CHECK(fakt_finalize(p) == FAKT_OK);
      p = NULL;
      break;
    case DO_RESET:
      CHECK(fakt_reset(p) == FAKT_OK);
      CHECK(countRows(p) == nWant);
      break;
    case DO_STEP: {
      int rc = fakt_step(p);
      CHECK(rc == FAKT_ABORT);
      CHECK(fakt_errcode(db) == FAKT_ABORT);
      CHECK(strstr(fakt_errmsg(db), azEnded[eEnd]) != NULL);
      /* the error reset it: the next step runs it again, in a fresh
      ** snapshot (after a rollback, without e6) */
      CHECK(countRows(p) == nWant);
      break;
    }
  }
  CHECK(fakt_finalize(p) == FAKT_OK);
  closeFresh(db, zPath);
}

/* A statement that finished, or was prepared but not stepped, inside the
** transaction; a verify statement mid-way; fakt_close while one runs. */
static void testOthers(void) {
  char zPath[4300];
  fakt_stmt *pDone = NULL, *pNew = NULL, *pRun = NULL;
  fakt *db = openFresh("life-others.fakt", zPath, sizeof(zPath));
  if (db == NULL) return;
  CHECK(run(db, "begin; entity e6 thing \"E6\"; claim e6 n 6;"));
  CHECK(fakt_prepare(db, "find ?v where ?e n ?v;", -1, &pDone, NULL) == FAKT_OK && pDone);
  CHECK(fakt_prepare(db, "find ?v where ?e n ?v;", -1, &pNew, NULL) == FAKT_OK && pNew);
  CHECK(fakt_prepare(db, "find ?v where ?e n ?v;", -1, &pRun, NULL) == FAKT_OK && pRun);
  if (pDone == NULL || pNew == NULL || pRun == NULL) {
    fakt_finalize(pDone); fakt_finalize(pNew); fakt_finalize(pRun);
    closeFresh(db, zPath);
    return;
  }
  CHECK(countRows(pDone) == 6);
  CHECK(fakt_step(pRun) == FAKT_ROW);
  /* close refuses (statements are alive) and changes nothing */
  CHECK(fakt_close(db) == FAKT_BUSY);
  CHECK(fakt_in_transaction(db) == 1);
  CHECK(fakt_step(pRun) == FAKT_ROW);
  CHECK(run(db, "rollback;"));
  CHECK(countRows(pDone) == 5);              /* done: a step runs it again */
  CHECK(countRows(pNew) == 5);               /* not started: runs normally */
  CHECK(fakt_close(db) == FAKT_BUSY);
  CHECK(fakt_finalize(pDone) == FAKT_OK);
  CHECK(fakt_finalize(pNew) == FAKT_OK);
  CHECK(fakt_finalize(pRun) == FAKT_OK);     /* aborted, never stepped again */
  /* a statement started in one transaction is not confused by the next */
  CHECK(run(db, "begin;"));
  pRun = NULL;
  CHECK(fakt_prepare(db, "find ?v where ?e n ?v;", -1, &pRun, NULL) == FAKT_OK && pRun);
  CHECK(fakt_step(pRun) == FAKT_ROW);
  CHECK(run(db, "commit; begin; claim e1 n 7;"));
  CHECK(fakt_step(pRun) == FAKT_ABORT);
  CHECK(countRows(pRun) == 6);               /* the open transaction's own claim shows */
  CHECK(run(db, "rollback;"));
  CHECK(fakt_finalize(pRun) == FAKT_OK);
  closeFresh(db, zPath);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);   /* keep output if a test crashes */
  const char *zTmp = getenv("TMPDIR");
  snprintf(zDir, sizeof(zDir), "%s/fakt-unit-lifetime-XXXXXX", zTmp && *zTmp ? zTmp : "/tmp");
  if (mkdtemp(zDir) == NULL) { perror("mkdtemp"); return 2; }
  for (int eEnd = END_COMMIT; eEnd <= END_ROLLBACK; eEnd++) {
    for (int eDo = DO_FINALIZE; eDo <= DO_STEP; eDo++) {
      for (int bExec = 0; bExec <= 1; bExec++) oneCase(eEnd, eDo, bExec);
    }
  }
  testOthers();
  rmdir(zDir);
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail > 0 ? 1 : 0;
}
