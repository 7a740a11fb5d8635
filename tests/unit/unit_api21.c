/*
** unit_api21.c -- what an embedding program needs (issue 21): typed values
** bound as literals, the id of the claim it wrote, and a statement that
** runs again when stepped after FAKT_DONE.
**
** fakt_bind_literal binds exactly one literal and runs nothing; a date bound
** that way compares as a date (bound as text it matched nothing). Each check
** fails on a library without the feature it tests.
** Ends with "N passed, N failed"; exit status 1 on any failure.
*/
#include "fakt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

/* ==== Helpers ==== */

static char zPath[512];      /* the scratch database */

static void rmDb(void) {
  char z[600];
  unlink(zPath);
  snprintf(z, sizeof(z), "%s-lock", zPath);
  unlink(z);
}

/* Run zSql; FAKT_OK or the code. */
static int run(const char *zSql) {
  char *zErr = NULL;
  int rc = fakt_exec(gDb, zSql, NULL, NULL, &zErr);
  if (rc) printf("  (exec of %.60s: %s)\n", zSql, zErr ? zErr : "?");
  fakt_free(zErr);
  return rc;
}

/* Every row of p (first column), joined with ","; the final code. */
static int rows(fakt_stmt *p, char *zOut, size_t nOut) {
  int rc;
  size_t n = 0;
  zOut[0] = 0;
  while ((rc = fakt_step(p)) == FAKT_ROW) {
    const char *z = fakt_column_text(p, 0);
    n += (size_t)snprintf(zOut + n, nOut - n, "%s%s", n ? "," : "", z ? z : "NULL");
    if (n >= nOut) n = nOut - 1;
  }
  return rc;
}

/* Prepare zQuery, bind zLit as a literal to its first parameter, and give
** the rows; returns the bind's code (and the step's, if the bind worked). */
static int queryLit(const char *zQuery, const char *zLit, char *zOut, size_t nOut) {
  fakt_stmt *p = NULL;
  zOut[0] = 0;
  int rc = fakt_prepare(gDb, zQuery, -1, &p, NULL);
  if (rc) return rc;
  rc = fakt_bind_literal(p, 1, zLit, -1);
  if (rc == FAKT_OK) {
    rc = rows(p, zOut, nOut);
    if (rc == FAKT_DONE) rc = FAKT_OK;
  }
  fakt_finalize(p);
  return rc;
}

/* ==== fakt_bind_literal ==== */

static void testBindLiteral(void) {
  char z[512];
  /* every kind of literal, read back as the same literal */
  static const char *const aSame[][2] = {
    { "@2023-09-10", "2023-09-10" }, { "@2023-09", "2023-09" }, { "@2019", "2019" },
    { "60km/h", "60 km/h" }, { "1e3km", "1000 km" }, { "-3", "-3" }, { "2.5", "2.5" },
    { "true", "true" }, { "false", "false" }, { "\"a \\\"b\\\"\"", "a \"b\"" },
    { "wladiwostok", "wladiwostok" }, { "~\"Wladiwostok\"", "wladiwostok" },
    { "~\"vladivostok\"", "wladiwostok" }, { "null", "NULL" },
  };
  for (size_t i = 0; i < sizeof(aSame) / sizeof(aSame[0]); i++) {
    int rc = queryLit("find $v;", aSame[i][0], z, sizeof(z));
    CHECK(rc == FAKT_OK && strcmp(z, aSame[i][1]) == 0);
    if (rc != FAKT_OK || strcmp(z, aSame[i][1]) != 0) printf("  literal %s gave %s\n", aSame[i][0], z);
  }
  /* a bound date is a date: it matches, and orders, as the literal does */
  CHECK(queryLit("find ?c where ?c: m1 on ?d, ?d = $d order by ?c;", "@2023-09-13", z, sizeof(z)) == FAKT_OK
        && strcmp(z, "c13") == 0);
  CHECK(queryLit("find ?c where ?c: m1 on ?d, ?d < $d order by ?c;", "@2023-09-13", z, sizeof(z)) == FAKT_OK
        && strcmp(z, "c12") == 0);
  /* text "2023-09-13" bound as text is a string, not a date: no match */
  fakt_stmt *p = NULL;
  CHECK(fakt_prepare(gDb, "find ?c where ?c: m1 on ?d, ?d = $d;", -1, &p, NULL) == FAKT_OK);
  CHECK(fakt_bind_text(p, 1, "2023-09-13", -1, FAKT_STATIC) == FAKT_OK);
  CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "") == 0);
  fakt_finalize(p);
  /* a quantity compares with quantities, an entity matches as an entity */
  CHECK(queryLit("find ?c where ?c: train speed ?v, ?v > $v;", "50km/h", z, sizeof(z)) == FAKT_OK
        && strcmp(z, "c20") == 0);
  CHECK(queryLit("find ?c where ?c: $s speed ?v;", "train", z, sizeof(z)) == FAKT_OK
        && strcmp(z, "c20") == 0);
  CHECK(queryLit("find ?c where ?c: $s speed ?v;", "~\"The Train\"", z, sizeof(z)) == FAKT_OK
        && strcmp(z, "c20") == 0);

  /* never more than one literal, never a statement */
  static const char *const aBad[] = {
    "1; retract c12", "1, 2", "1 + 2", "?x", "$y", "count()", "1 as x", "", "   ",
    "@2023-13-40", "\"unterminated", "1 where ?x p ?y", "find 1", "1;",
  };
  for (size_t i = 0; i < sizeof(aBad) / sizeof(aBad[0]); i++) {
    int rc = queryLit("find $v;", aBad[i], z, sizeof(z));
    CHECK(rc == FAKT_MISMATCH);
    if (rc != FAKT_MISMATCH) printf("  bad literal [%s] gave %d\n", aBad[i], rc);
    else CHECK(strstr(fakt_errmsg(gDb), "not one literal") != NULL);
  }
  CHECK(queryLit("find ?c where ?c: m1 on ?d;", "x", z, sizeof(z)) == FAKT_RANGE);
  CHECK(queryLit("find ?c where ?c: m1 on ?d, ?d < $d order by ?c;", "@2023-09-13", z, sizeof(z)) == FAKT_OK
        && strcmp(z, "c12") == 0);          /* c12 was not retracted by the text above */
  /* a syntax error names its column in the literal's own text */
  CHECK(queryLit("find $v;", "1 2", z, sizeof(z)) == FAKT_MISMATCH
        && strstr(fakt_errmsg(gDb), "col 3") != NULL);
  CHECK(queryLit("find $v;", "no_such_thing", z, sizeof(z)) == FAKT_NOTFOUND
        && strstr(fakt_errmsg(gDb), "no_such_thing") != NULL);
  /* misuse: no text, no statement, a running statement */
  CHECK(fakt_bind_literal(NULL, 1, "1", -1) == FAKT_MISUSE);
  CHECK(fakt_prepare(gDb, "find $v, ?c where ?c: m1 on ?d;", -1, &p, NULL) == FAKT_OK);
  CHECK(fakt_bind_literal(p, 1, NULL, 0) == FAKT_MISUSE);
  CHECK(fakt_bind_literal(p, 1, "7", 1) == FAKT_OK);
  CHECK(fakt_step(p) == FAKT_ROW && strcmp(fakt_column_text(p, 0), "7") == 0);
  CHECK(fakt_bind_literal(p, 1, "8", 1) == FAKT_MISUSE);
  fakt_finalize(p);
  /* n counts bytes: only "12" of "123" */
  CHECK(fakt_prepare(gDb, "find $v;", -1, &p, NULL) == FAKT_OK);
  CHECK(fakt_bind_literal(p, 1, "123", 2) == FAKT_OK);
  CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "12") == 0);
  fakt_finalize(p);
  /* a literal bound where a claim writes: the claim stores a date */
  CHECK(fakt_prepare(gDb, "claim c99: m1 on $d;", -1, &p, NULL) == FAKT_OK);
  CHECK(fakt_bind_literal(p, 1, "@2023-09-01", -1) == FAKT_OK);
  CHECK(fakt_step(p) == FAKT_DONE);
  fakt_finalize(p);
  CHECK(queryLit("find ?c where ?c: m1 on ?d, ?d < $d order by ?c;", "@2023-09-13", z, sizeof(z)) == FAKT_OK
        && strcmp(z, "c12,c99") == 0);
}

/* ==== fakt_step after FAKT_DONE ==== */

static void testStepAgain(void) {
  fakt_stmt *p = NULL;
  char z[256], z2[256];
  CHECK(fakt_prepare(gDb, "find ?c where ?c: m1 on ?d order by ?c;", -1, &p, NULL) == FAKT_OK);
  CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "c12,c13,c99") == 0);
  CHECK(rows(p, z2, sizeof(z2)) == FAKT_DONE && strcmp(z2, z) == 0);    /* runs again */
  /* ... in a new snapshot: a claim written meanwhile is seen */
  CHECK(run("claim c98: m1 on @2023-08-01;") == FAKT_OK);
  CHECK(rows(p, z2, sizeof(z2)) == FAKT_DONE && strcmp(z2, "c12,c13,c98,c99") == 0);
  fakt_finalize(p);
  /* a write statement stepped again writes again (a new generated claim) */
  CHECK(fakt_prepare(gDb, "claim m2 on @2020;", -1, &p, NULL) == FAKT_OK);
  CHECK(fakt_step(p) == FAKT_DONE);
  char zFirst[64];
  snprintf(zFirst, sizeof(zFirst), "%s", fakt_last_claim(gDb) ? fakt_last_claim(gDb) : "");
  CHECK(fakt_step(p) == FAKT_DONE);
  CHECK(fakt_last_claim(gDb) && strcmp(fakt_last_claim(gDb), zFirst) != 0);
  fakt_finalize(p);
  CHECK(fakt_prepare(gDb, "find count() where ?c: m2 on ?d;", -1, &p, NULL) == FAKT_OK);
  CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "2") == 0);
  fakt_finalize(p);
}

/* ==== fakt_last_claim ==== */

static void testLastClaim(void) {
  char z[256];
  fakt_stmt *p = NULL;
  CHECK(run("claim x1: m3 on @2021;") == FAKT_OK);
  CHECK(fakt_last_claim(gDb) && strcmp(fakt_last_claim(gDb), "x1") == 0);
  /* a claim without an id: its generated name, which a query finds */
  CHECK(run("claim m3 on @2022;") == FAKT_OK);
  const char *zGen = fakt_last_claim(gDb);
  CHECK(zGen && zGen[0] == '_' && zGen[1] == 'c');
  char zName[64];
  snprintf(zName, sizeof(zName), "%s", zGen ? zGen : "");
  CHECK(fakt_prepare(gDb, "find ?d where ?c: m3 on ?d, ?c = $c;", -1, &p, NULL) == FAKT_OK);
  CHECK(fakt_bind_literal(p, 1, zName, -1) == FAKT_OK);
  CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "2022") == 0);
  fakt_finalize(p);
  /* a failed claim changes nothing; neither does another kind of write */
  CHECK(run("claim x1: m3 on @1999;") == FAKT_CONSTRAINT);
  CHECK(fakt_last_claim(gDb) && strcmp(fakt_last_claim(gDb), zName) == 0);
  CHECK(run("entity e9 person \"E\";") == FAKT_OK);
  CHECK(fakt_last_claim(gDb) && strcmp(fakt_last_claim(gDb), zName) == 0);
  /* the same claim again is that claim */
  CHECK(run("claim x1: m3 on @2021;") == FAKT_OK);
  CHECK(fakt_last_claim(gDb) && strcmp(fakt_last_claim(gDb), "x1") == 0);
  /* in a transaction, and after its rollback (as sqlite3's rowid) */
  CHECK(run("begin; claim x2: m3 on @2023; rollback;") == FAKT_OK);
  CHECK(fakt_last_claim(gDb) && strcmp(fakt_last_claim(gDb), "x2") == 0);
  /* a load: the last claim of the file */
  char zFile[600];
  snprintf(zFile, sizeof(zFile), "%s.facts", zPath);
  FILE *f = fopen(zFile, "w");
  CHECK(f != NULL);
  if (f) {
    fputs("claim y1: m3 on @2001;\nclaim y2: m3 on @2002;\n", f);
    fclose(f);
    char zLoad[700];
    snprintf(zLoad, sizeof(zLoad), "load \"%s\";", zFile);
    CHECK(run(zLoad) == FAKT_OK);
    CHECK(fakt_last_claim(gDb) && strcmp(fakt_last_claim(gDb), "y2") == 0);
    unlink(zFile);
  }
  CHECK(fakt_last_claim(NULL) == NULL);
}

/* ==== fakt_stmt_errmsg ==== */

static void testStmtErr(void) {
  fakt_stmt *pA = NULL, *pB = NULL;
  char z[256];
  CHECK(fakt_prepare(gDb, "find ?c where ?c: m1 on ?d, ?d < $d;", -1, &pA, NULL) == FAKT_OK);
  CHECK(fakt_prepare(gDb, "find ?c where ?c: m1 on ?d order by ?c;", -1, &pB, NULL) == FAKT_OK);
  CHECK(fakt_stmt_errcode(pA) == FAKT_OK && strcmp(fakt_stmt_errmsg(pA), "not an error") == 0);
  /* A fails to bind; B then runs, and the handle's message is B's (none) */
  CHECK(fakt_bind_literal(pA, 1, "1 +", -1) == FAKT_MISMATCH);
  CHECK(rows(pB, z, sizeof(z)) == FAKT_DONE);
  CHECK(strcmp(fakt_errmsg(gDb), "not an error") == 0);
  CHECK(fakt_stmt_errcode(pA) == FAKT_MISMATCH && strstr(fakt_stmt_errmsg(pA), "not one literal") != NULL);
  CHECK(fakt_stmt_errcode(pB) == FAKT_OK);
  /* a step that fails: a date compared with a number is a type error */
  CHECK(fakt_bind_int64(pA, 1, 5) == FAKT_OK);
  CHECK(fakt_stmt_errcode(pA) == FAKT_OK);       /* the bind that worked cleared it */
  int rc = rows(pA, z, sizeof(z));
  CHECK(rc == FAKT_MISMATCH && fakt_stmt_errcode(pA) == FAKT_MISMATCH);
  CHECK(rows(pB, z, sizeof(z)) == FAKT_DONE);
  CHECK(strstr(fakt_stmt_errmsg(pA), "compare") != NULL);
  if (strstr(fakt_stmt_errmsg(pA), "compare") == NULL) printf("  step error: %s\n", fakt_stmt_errmsg(pA));
  fakt_finalize(pA);
  fakt_finalize(pB);
  CHECK(fakt_stmt_errcode(NULL) == FAKT_MISUSE);
}

/* ==== rules on a read-only handle live for the session ==== */

static void testSessionRules(void) {
  fakt *ro = NULL;
  char z[256];
  CHECK(run("rule near(?x, ?y) if ?x speed ?y;") == FAKT_OK);
  fakt *rw = gDb;
  fakt_close(gDb);
  gDb = NULL;
  CHECK(fakt_open(zPath, FAKT_OPEN_READONLY, &ro) == FAKT_OK);
  gDb = ro;
  CHECK(run("rule fast(?x) if near(?x, ?v), ?v > 50km/h;") == FAKT_OK);   /* calls a stored rule */
  fakt_stmt *p = NULL;
  CHECK(fakt_prepare(ro, "find ?x where fast(?x);", -1, &p, NULL) == FAKT_OK);
  CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "train") == 0);
  fakt_finalize(p);
  CHECK(run("drop rule near;") == FAKT_READONLY);         /* stored: not from here */
  CHECK(strstr(fakt_errmsg(ro), "stored in the database") != NULL);
  CHECK(run("drop rule nosuch;") == FAKT_NOTFOUND);
  CHECK(run("drop rule fast;") == FAKT_OK);
  CHECK(fakt_prepare(ro, "find ?x where fast(?x);", -1, &p, NULL) == FAKT_NOTFOUND);
  CHECK(run("entity e77 person \"E\";") == FAKT_READONLY);
  CHECK(run("rule fast(?x) if near(?x, ?v), ?v > 50km/h;") == FAKT_OK);
  fakt_close(ro);
  (void)rw;
  /* gone with the session, and never stored */
  CHECK(fakt_open(zPath, FAKT_OPEN_READWRITE, &gDb) == FAKT_OK);
  CHECK(fakt_prepare(gDb, "find ?x where fast(?x);", -1, &p, NULL) == FAKT_NOTFOUND);
  fakt_finalize(p);
}

/* ==== proposition ids of claims written through parameters ====
** A prepared claim takes the hashes of the names it was given (an entity
** bound by fakt_bind_entity(), a text) for its proposition id instead of
** reading the names back; the id must be the one a literal claim of the
** same statement gets, however each part was given, and fakt_check()
** (which recomputes every proposition from the stored names) agrees. */
static const char *propOf(const char *zClaim, char *zOut, size_t nOut) {
  char zQ[200];
  fakt_stmt *p = NULL;
  zOut[0] = 0;
  snprintf(zQ, sizeof(zQ), "find ?p where proposition(%s, ?p);", zClaim);
  if (fakt_prepare(gDb, zQ, -1, &p, NULL) == FAKT_OK) rows(p, zOut, nOut);
  fakt_finalize(p);
  return zOut;
}

static void testBoundProposition(void) {
  char zA[64], zB[64];
  fakt_stmt *p = NULL;
  CHECK(run("predicate reaches : entity; predicate says : string;"
            "claim lit1: train reaches wladiwostok; claim lit2: train says \"Guten Tag\";") == FAKT_OK);
  CHECK(fakt_prepare(gDb, "claim $1 reaches $2;", -1, &p, NULL) == FAKT_OK);
  /* by fakt_bind_entity, by name as text, by label as text (no hash at hand) */
  const char *azS[] = { "train", "train", "The Train" };
  for (int k = 0; k < 3; k++) {
    fakt_reset(p);
    if (k == 0) CHECK(fakt_bind_entity(p, 1, azS[k]) == FAKT_OK);
    else CHECK(fakt_bind_text(p, 1, azS[k], -1, FAKT_STATIC) == FAKT_OK);
    CHECK(fakt_bind_entity(p, 2, "wladiwostok") == FAKT_OK);
    CHECK(fakt_step(p) == FAKT_DONE);
    const char *zC = fakt_last_claim(gDb);
    CHECK(zC != NULL);
    if (zC) CHECK(strcmp(propOf(zC, zA, sizeof(zA)), propOf("lit1", zB, sizeof(zB))) == 0 && zA[0]);
  }
  fakt_finalize(p);
  /* the prop index (keyed by what the writes computed) finds all four */
  {
    char zQ[200], zRows[400];
    snprintf(zQ, sizeof(zQ), "find count(?c) where proposition(?c, %s);", propOf("lit1", zB, sizeof(zB)));
    p = NULL;
    CHECK(fakt_prepare(gDb, zQ, -1, &p, NULL) == FAKT_OK);
    CHECK(p && rows(p, zRows, sizeof(zRows)) == FAKT_DONE && strcmp(zRows, "4") == 0);
    fakt_finalize(p);
  }
  CHECK(fakt_prepare(gDb, "claim $1 says $2;", -1, &p, NULL) == FAKT_OK);
  CHECK(fakt_bind_entity(p, 1, "train") == FAKT_OK);
  CHECK(fakt_bind_text(p, 2, "Guten Tag", -1, FAKT_STATIC) == FAKT_OK);
  CHECK(fakt_step(p) == FAKT_DONE);
  CHECK(fakt_last_claim(gDb) && strcmp(propOf(fakt_last_claim(gDb), zA, sizeof(zA)), propOf("lit2", zB, sizeof(zB))) == 0);
  /* a literal bound to an entity: no name's hash is kept for it */
  CHECK(fakt_reset(p) == FAKT_OK);
  CHECK(fakt_bind_literal(p, 1, "train", -1) == FAKT_OK);
  CHECK(fakt_step(p) == FAKT_DONE);
  fakt_finalize(p);
  char *zRep = NULL;
  CHECK(fakt_check(gDb, &zRep) == FAKT_OK);
  if (zRep && strstr(zRep, "ok") == NULL) printf("  check: %s\n", zRep);
  fakt_free(zRep);
}

int main(void) {
  const char *zTmp = getenv("TMPDIR");
  snprintf(zPath, sizeof(zPath), "%s/fakt-unit-api21-%d.fakt", zTmp && zTmp[0] ? zTmp : "/tmp", (int)getpid());
  rmDb();
  CHECK(fakt_open(zPath, FAKT_OPEN_READWRITE | FAKT_OPEN_CREATE, &gDb) == FAKT_OK);
  CHECK(fakt_last_claim(gDb) == NULL);       /* a new handle has written none */
  CHECK(run("entity wladiwostok city \"Wladiwostok\" aka \"Vladivostok\";"
            "entity train thing \"The Train\"; entity m1 event \"M1\"; entity m2 event \"M2\"; entity m3 event \"M3\";"
            "predicate on : date; predicate speed : quantity;"
            "claim c12: m1 on @2023-09-12; claim c13: m1 on @2023-09-13;"
            "claim c20: train speed 60km/h; claim c21: wladiwostok speed 40km/h;") == FAKT_OK);
  testBindLiteral();
  testStepAgain();
  testLastClaim();
  testStmtErr();
  testSessionRules();
  testBoundProposition();
  fakt_close(gDb);
  rmDb();
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
