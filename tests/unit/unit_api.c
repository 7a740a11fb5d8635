/*
** unit_api.c -- tests of the public C interface (include/fakt.h) alone.
**
** Open, prepare with named and positional parameters, bind every kind of
** value, step, read every column type, reset and re-run, finalize, close;
** errors as codes with "line L, col C" messages; fakt_exec; misuse; bound
** hostile text stays a value; four threads sharing one handle; another
** thread's call during an explicit transaction; fakt_interrupt from
** another thread; fakt_check; a statement reused 1,000 times; a full database's
** message names the file and the size.
** Ends with "N passed, N failed"; exit status 1 on any failure.
*/
#include "fakt.h"

#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static char zDir[4096];      /* the scratch directory */
static char zDbPath[4200];   /* the database file in it */

/* ==== Helpers ==== */

/* Run zSql on db; 1 if every statement succeeded (message printed if not). */
static int run(fakt *db, const char *zSql) {
  char *zErr = NULL;
  int rc = fakt_exec(db, zSql, NULL, NULL, &zErr);
  if (rc != FAKT_OK) printf("  exec failed (%d): %s\n    in: %.200s\n", rc, zErr ? zErr : "?", zSql);
  fakt_free(zErr);
  return rc == FAKT_OK;
}

/* Step p to completion; the rows (column 0 texts, "NULL" for null) are
** joined with "," into zOut. Returns the final code (FAKT_DONE on success). */
static int rows(fakt_stmt *p, char *zOut, size_t nOut) {
  int rc;
  size_t n = 0;
  zOut[0] = 0;
  while ((rc = fakt_step(p)) == FAKT_ROW) {
    const char *z = fakt_column_text(p, 0);
    n += (size_t)snprintf(zOut + n, n < nOut ? nOut - n : 0, "%s%s", n ? "," : "", z ? z : "NULL");
    if (n >= nOut) n = nOut - 1;
  }
  return rc;
}

/* Prepare zSql, collect column 0 of every row into zOut, finalize.
** Returns the code of the failing call, or FAKT_DONE. */
static int query(fakt *db, const char *zSql, char *zOut, size_t nOut) {
  fakt_stmt *p = NULL;
  zOut[0] = 0;
  int rc = fakt_prepare(db, zSql, -1, &p, NULL);
  if (rc != FAKT_OK) return rc;
  if (p == NULL) return FAKT_INTERNAL;
  rc = rows(p, zOut, nOut);
  fakt_finalize(p);
  return rc;
}

/* 1 if zSql gives exactly the rows zWant ("a,b" as from rows()). */
static int queryIs(fakt *db, const char *zSql, const char *zWant) {
  char z[4096];
  int rc = query(db, zSql, z, sizeof(z));
  if (rc != FAKT_DONE || strcmp(z, zWant) != 0) {
    printf("  query: %s\n    want: %s\n    got:  %s (rc %d)\n", zSql, zWant, z, rc);
    return 0;
  }
  return 1;
}

/* ==== The tests ==== */

static const char zSchema[] =
  "predicate met : entity;\n"
  "predicate nickname : string;\n"
  "predicate motto : string;\n"
  "predicate speed : quantity;\n"
  "predicate arrived : date;\n"
  "predicate age : number;\n"
  "predicate rating : number;\n"
  "predicate reported : claim;\n"
  "predicate num : number;\n"
  "entity kim person \"Kim Jong Un\" aka \"Kim\";\n"
  "entity putin person \"Wladimir Putin\";\n"
  "entity wladiwostok city \"Wladiwostok\" at 43.10562, 131.87353;\n"
  "entity zug thing \"Panzerzug\";\n"
  "claim c1: kim met putin;\n"
  "claim c2: kim nickname \"Marschall\";\n"
  "claim c3: zug speed 60km/h;\n"
  "claim c4: kim arrived @2023-09-12;\n"
  "claim c5: kim age 39;\n"
  "claim c6: kim rating 2.5;\n"
  "claim c7: kim reported c1;\n"
  "claim h1: kim motto \"\\\"; retract c1; \\\"\";\n";

/* The hostile text stored by claim h1, as the engine must see it. */
static const char zHostile[] = "\"; retract c1; \"";

static void testOpen(fakt **pDb) {
  CHECK(strcmp(fakt_libversion(), FAKT_VERSION) == 0);
  CHECK(fakt_errstr(FAKT_SYNTAX) != NULL && fakt_errstr(12345) != NULL);
  fakt *db = NULL;
  CHECK(fakt_open(zDbPath, FAKT_OPEN_READWRITE | FAKT_OPEN_CREATE, &db) == FAKT_OK);
  CHECK(db != NULL);
  gDb = db;
  *pDb = db;
  if (db == NULL) return;
  CHECK(fakt_last_tx(db) == 0);
  CHECK(fakt_errcode(db) == FAKT_OK);
  CHECK(run(db, zSchema));
  char zNums[4096];
  size_t n = (size_t)snprintf(zNums, sizeof(zNums), "begin;\n");
  for (int i = 0; i < 20; i++) {
    n += (size_t)snprintf(zNums + n, sizeof(zNums) - n, "claim n%d: zug num %d;\n", i, i);
  }
  snprintf(zNums + n, sizeof(zNums) - n, "commit;\n");
  CHECK(run(db, zNums));
  CHECK(fakt_last_tx(db) > 0);

  /* A missing file without CREATE cannot be opened; the handle still exists. */
  fakt *db2 = NULL;
  char zMissing[4300];
  snprintf(zMissing, sizeof(zMissing), "%s/missing.fakt", zDir);
  CHECK(fakt_open(zMissing, FAKT_OPEN_READWRITE, &db2) == FAKT_CANTOPEN);
  CHECK(db2 != NULL && strlen(fakt_errmsg(db2)) > 0);
  CHECK(fakt_close(db2) == FAKT_OK);
  CHECK(access(zMissing, F_OK) != 0);
}

static void testColumnTypes(fakt *db) {
  struct { const char *zSql; int eType; const char *zText; } a[] = {
    { "find ?a where kim age ?a;",               FAKT_INTEGER,  "39" },
    { "find ?r where kim rating ?r;",            FAKT_FLOAT,    "2.5" },
    { "find ?n where kim nickname ?n;",          FAKT_TEXT,     "Marschall" },
    { "find ?d where kim arrived ?d;",           FAKT_DATE,     "2023-09-12" },
    { "find ?v where zug speed ?v;",             FAKT_QUANTITY, "60 km/h" },
    { "find ?o where kim met ?o;",               FAKT_ENTITY,   "putin" },
    { "find ?c where ?c: kim met putin;",        FAKT_CLAIM,    "c1" },
    { "find ?x where kim reported ?x;",          FAKT_CLAIM,    "c1" },
    { "find null;",                              FAKT_NULL,     NULL },
    { "find true;",                              FAKT_BOOL,     "true" },
    { "find @2023-09;",                          FAKT_DATE,     "2023-09" },
  };
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
    fakt_stmt *p = NULL;
    int rc = fakt_prepare(db, a[i].zSql, -1, &p, NULL);
    CHECK(rc == FAKT_OK && p != NULL);
    if (p == NULL) { printf("  in: %s\n", a[i].zSql); continue; }
    CHECK(fakt_stmt_readonly(p) == 1);
    CHECK(fakt_column_count(p) == 1);
    CHECK(fakt_step(p) == FAKT_ROW);
    int eType = fakt_column_type(p, 0);
    const char *z = fakt_column_text(p, 0);
    int bOk = eType == a[i].eType
           && (a[i].zText ? z && strcmp(z, a[i].zText) == 0 : z == NULL);
    if (!bOk) printf("  %s: type %d text %s\n", a[i].zSql, eType, z ? z : "(null)");
    CHECK(bOk);
    CHECK(fakt_column_bytes(p, 0) == (a[i].zText ? (int)strlen(a[i].zText) : 0));
    if (a[i].eType == FAKT_INTEGER) CHECK(fakt_column_int64(p, 0) == 39);
    if (a[i].eType == FAKT_FLOAT) CHECK(fakt_column_double(p, 0) == 2.5);
    if (a[i].eType == FAKT_QUANTITY) {
      CHECK(fakt_column_double(p, 0) == 60.0);
      const char *zUnit = fakt_column_unit(p, 0);
      CHECK(zUnit && strcmp(zUnit, "km/h") == 0);
    } else {
      CHECK(fakt_column_unit(p, 0) == NULL);
    }
    if (a[i].eType == FAKT_TEXT) CHECK(fakt_column_int64(p, 0) == 0);
    CHECK(fakt_step(p) == FAKT_DONE);
    CHECK(fakt_finalize(p) == FAKT_OK);
  }

  /* Column names: alias, bare variable, expression text. */
  fakt_stmt *p = NULL;
  CHECK(fakt_prepare(db, "find ?a as years, ?a, ?a + 1 where kim age ?a;", -1, &p, NULL) == FAKT_OK);
  if (p) {
    CHECK(fakt_column_count(p) == 3);
    const char *z0 = fakt_column_name(p, 0), *z1 = fakt_column_name(p, 1);
    const char *z2 = fakt_column_name(p, 2);
    CHECK(z0 && strcmp(z0, "years") == 0);
    CHECK(z1 && strcmp(z1, "a") == 0);
    CHECK(z2 && strcmp(z2, "?a + 1") == 0);
    CHECK(fakt_step(p) == FAKT_ROW);
    CHECK(fakt_column_int64(p, 2) == 40);
    CHECK(fakt_column_text(p, 3) == NULL);
    CHECK(fakt_column_type(p, -1) == FAKT_NULL);
    CHECK(fakt_step(p) == FAKT_DONE);
    CHECK(fakt_finalize(p) == FAKT_OK);
  }
}

static void testParameters(fakt *db) {
  char z[1024];
  fakt_stmt *p = NULL;

  /* Named parameter bound to an entity. */
  CHECK(fakt_prepare(db, "find ?o where $who met ?o;", -1, &p, NULL) == FAKT_OK && p);
  if (p) {
    CHECK(fakt_bind_parameter_count(p) == 1);
    CHECK(fakt_bind_parameter_index(p, "$who") == 1);
    CHECK(fakt_bind_parameter_index(p, "$nope") == 0);
    const char *zName = fakt_bind_parameter_name(p, 1);
    CHECK(zName && strcmp(zName, "$who") == 0);
    CHECK(fakt_bind_parameter_name(p, 2) == NULL);
    CHECK(fakt_bind_parameter_name(p, 0) == NULL);
    CHECK(fakt_bind_entity(p, 1, "kim") == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "putin") == 0);
    CHECK(fakt_reset(p) == FAKT_OK);
    /* The bind survived the reset. */
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "putin") == 0);
    CHECK(fakt_reset(p) == FAKT_OK);
    /* A text in subject position names an entity by id, label or alias
    ** (SPEC.md "Values and type rules"): "kim", "Kim Jong Un" and "KIM"
    ** all find kim; a text that names nothing matches nothing. */
    CHECK(fakt_bind_text(p, 1, "kim", -1, FAKT_TRANSIENT) == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "putin") == 0);
    CHECK(fakt_reset(p) == FAKT_OK);
    CHECK(fakt_bind_text(p, 1, "Kim Jong Un", -1, FAKT_TRANSIENT) == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "putin") == 0);
    CHECK(fakt_reset(p) == FAKT_OK);
    CHECK(fakt_bind_text(p, 1, "\"; retract c1; \"", -1, FAKT_TRANSIENT) == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "") == 0);
    CHECK(fakt_reset(p) == FAKT_OK);
    CHECK(fakt_bind_entity(p, 1, "nobody") == FAKT_NOTFOUND);
    CHECK(fakt_bind_entity(p, 1, "putin") == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "") == 0);
    CHECK(fakt_reset(p) == FAKT_OK);
    /* Range errors. */
    CHECK(fakt_bind_int64(p, 0, 1) == FAKT_RANGE);
    CHECK(fakt_bind_int64(p, 2, 1) == FAKT_RANGE);
    CHECK(fakt_bind_null(p, 2) == FAKT_RANGE);
    CHECK(fakt_bind_double(p, -1, 1.0) == FAKT_RANGE);
    CHECK(fakt_bind_text(p, 2, "x", -1, FAKT_STATIC) == FAKT_RANGE);
    CHECK(fakt_finalize(p) == FAKT_OK);
  }

  /* Numbered parameters. */
  p = NULL;
  CHECK(fakt_prepare(db, "find ?c where ?c: $1 nickname $2;", -1, &p, NULL) == FAKT_OK && p);
  if (p) {
    CHECK(fakt_bind_parameter_count(p) == 2);
    CHECK(fakt_bind_parameter_index(p, "$2") == 2);
    const char *zName = fakt_bind_parameter_name(p, 2);
    CHECK(zName && strcmp(zName, "$2") == 0);
    CHECK(fakt_bind_entity(p, 1, "kim") == FAKT_OK);
    static const char zStatic[] = "Marschall";
    CHECK(fakt_bind_text(p, 2, zStatic, -1, FAKT_STATIC) == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "c2") == 0);
    CHECK(fakt_reset(p) == FAKT_OK);
    /* n bytes only: "Marschall!!" cut to 9 bytes. */
    CHECK(fakt_bind_text(p, 2, "Marschall!!", 9, FAKT_TRANSIENT) == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "c2") == 0);
    CHECK(fakt_reset(p) == FAKT_OK);
    /* A caller's destructor is called once the statement is done with it. */
    char *zHeap = malloc(16);
    if (zHeap) {
      strcpy(zHeap, "Marschall");
      CHECK(fakt_bind_text(p, 2, zHeap, -1, free) == FAKT_OK);
      CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "c2") == 0);
    }
    CHECK(fakt_reset(p) == FAKT_OK);
    CHECK(fakt_clear_bindings(p) == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "") == 0);
    CHECK(fakt_finalize(p) == FAKT_OK);   /* frees zHeap through free(), or already did */
  }

  /* Positional parameters, each bound with a different type. */
  p = NULL;
  CHECK(fakt_prepare(db, "find ?, ?, ?, ?;", -1, &p, NULL) == FAKT_OK && p);
  if (p) {
    CHECK(fakt_bind_parameter_count(p) == 4);
    CHECK(fakt_bind_parameter_name(p, 1) == NULL);
    CHECK(fakt_bind_text(p, 1, "abc", -1, FAKT_TRANSIENT) == FAKT_OK);
    CHECK(fakt_bind_int64(p, 2, -7) == FAKT_OK);
    CHECK(fakt_bind_double(p, 3, 0.25) == FAKT_OK);
    CHECK(fakt_bind_null(p, 4) == FAKT_OK);
    CHECK(fakt_step(p) == FAKT_ROW);
    CHECK(fakt_column_type(p, 0) == FAKT_TEXT);
    CHECK(fakt_column_type(p, 1) == FAKT_INTEGER && fakt_column_int64(p, 1) == -7);
    CHECK(fakt_column_type(p, 2) == FAKT_FLOAT && fakt_column_double(p, 2) == 0.25);
    CHECK(fakt_column_type(p, 3) == FAKT_NULL && fakt_column_text(p, 3) == NULL);
    const char *zt = fakt_column_text(p, 0);
    CHECK(zt && strcmp(zt, "abc") == 0);
    /* Binding while the statement is running is misuse. */
    CHECK(fakt_bind_int64(p, 2, 1) == FAKT_MISUSE);
    CHECK(fakt_step(p) == FAKT_DONE);
    CHECK(fakt_reset(p) == FAKT_OK);
    CHECK(fakt_bind_int64(p, 2, 8) == FAKT_OK);
    CHECK(fakt_step(p) == FAKT_ROW && fakt_column_int64(p, 1) == 8);
    CHECK(fakt_finalize(p) == FAKT_OK);
  }

  /* $N and ? may not be mixed. */
  p = NULL;
  CHECK(fakt_prepare(db, "find $1, ?;", -1, &p, NULL) != FAKT_OK && p == NULL);
  CHECK(strncmp(fakt_errmsg(db), "line 1, col ", 12) == 0);

  /* Reset and re-run with new int64 bindings, no re-prepare. */
  p = NULL;
  CHECK(fakt_prepare(db, "find ?c where ?c: kim age $a;", -1, &p, NULL) == FAKT_OK && p);
  if (p) {
    CHECK(fakt_bind_int64(p, 1, 39) == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "c5") == 0);
    CHECK(fakt_reset(p) == FAKT_OK);
    CHECK(fakt_bind_int64(p, 1, 40) == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "") == 0);
    CHECK(fakt_reset(p) == FAKT_OK);
    CHECK(fakt_bind_null(p, 1) == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "") == 0);
    CHECK(fakt_finalize(p) == FAKT_OK);
  }
  p = NULL;
  CHECK(fakt_prepare(db, "find ?c where ?c: kim rating $r;", -1, &p, NULL) == FAKT_OK && p);
  if (p) {
    CHECK(fakt_bind_double(p, 1, 2.5) == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "c6") == 0);
    CHECK(fakt_finalize(p) == FAKT_OK);
  }

  /* A prepared statement reused 1,000 times. */
  p = NULL;
  CHECK(fakt_prepare(db, "find ?c where ?c: zug num $v;", -1, &p, NULL) == FAKT_OK && p);
  if (p) {
    int nBad = 0;
    for (int i = 0; i < 1000; i++) {
      int v = (i * 7) % 25;
      char zWant[16];
      if (v < 20) snprintf(zWant, sizeof(zWant), "n%d", v);
      else zWant[0] = 0;
      if (fakt_bind_int64(p, 1, v) != FAKT_OK) nBad++;
      else if (rows(p, z, sizeof(z)) != FAKT_DONE || strcmp(z, zWant) != 0) nBad++;
      if (fakt_reset(p) != FAKT_OK) nBad++;
    }
    CHECK(nBad == 0);
    CHECK(fakt_finalize(p) == FAKT_OK);
  }
}

static void testHostile(fakt *db) {
  char z[1024];
  int64_t iTx = fakt_last_tx(db);
  static const char *azText[] = {
    "\"; retract c1; \"", "kim met putin; retract c1;", "'; drop rule x; --",
    "\"", ";", "\\", "$1", "?", "c1", "kim", "\n", "",
  };
  fakt_stmt *p = NULL, *q = NULL;
  CHECK(fakt_prepare(db, "find ?c where ?c: kim motto $m;", -1, &p, NULL) == FAKT_OK && p);
  CHECK(fakt_prepare(db, "find $x;", -1, &q, NULL) == FAKT_OK && q);
  if (p && q) {
    for (size_t i = 0; i < sizeof(azText) / sizeof(azText[0]); i++) {
      const char *zT = azText[i];
      CHECK(fakt_bind_text(p, 1, zT, -1, FAKT_TRANSIENT) == FAKT_OK);
      int bSame = strcmp(zT, zHostile) == 0;
      int rc = rows(p, z, sizeof(z));
      CHECK(rc == FAKT_DONE && strcmp(z, bSame ? "h1" : "") == 0);
      if (rc != FAKT_DONE || strcmp(z, bSame ? "h1" : "") != 0) printf("  hostile #%zu\n", i);
      CHECK(fakt_reset(p) == FAKT_OK);
      /* Read back exactly as bound. */
      CHECK(fakt_bind_text(q, 1, zT, -1, FAKT_TRANSIENT) == FAKT_OK);
      CHECK(fakt_step(q) == FAKT_ROW);
      const char *zBack = fakt_column_text(q, 0);
      CHECK(fakt_column_type(q, 0) == FAKT_TEXT && zBack && strcmp(zBack, zT) == 0);
      CHECK(fakt_step(q) == FAKT_DONE);
      CHECK(fakt_reset(q) == FAKT_OK);
    }
  }
  fakt_finalize(p);
  fakt_finalize(q);
  /* Nothing was written. */
  CHECK(fakt_last_tx(db) == iTx);
  CHECK(queryIs(db, "find ?c where ?c: kim met putin;", "c1"));
  CHECK(queryIs(db, "find count() where ?c: ?s nickname ?o;", "1"));
}

static int nCb;              /* rows seen by the fakt_exec callback */
static char zCb[256];        /* "name=value;" for each of them */

static int execCallback(void *pArg, int nCol, char **azVal, char **azCol) {
  int *pStop = pArg;
  nCb++;
  size_t n = strlen(zCb);
  for (int i = 0; i < nCol; i++) {
    snprintf(zCb + n, sizeof(zCb) - n, "%s=%s;", azCol[i], azVal[i] ? azVal[i] : "NULL");
    n = strlen(zCb);
  }
  return pStop ? *pStop : 0;
}

static void testExecAndErrors(fakt *db) {
  char *zErr = (char *)1;
  int bStop = 0;
  nCb = 0;
  zCb[0] = 0;
  CHECK(fakt_exec(db, "find ?a where kim age ?a; find ?n where kim nickname ?n; find null as x;",
                  execCallback, &bStop, &zErr) == FAKT_OK);
  CHECK(zErr == NULL);
  CHECK(nCb == 3);
  CHECK(strcmp(zCb, "a=39;n=Marschall;x=NULL;") == 0);

  /* A non-zero return from the callback stops fakt_exec. */
  bStop = 1;
  nCb = 0;
  zCb[0] = 0;
  CHECK(fakt_exec(db, "find ?x where zug num ?x;", execCallback, &bStop, NULL) == FAKT_INTERRUPT);
  CHECK(nCb == 1);

  /* Errors come back as codes with the message copied for the caller. */
  zErr = NULL;
  CHECK(fakt_exec(db, "find ?a where kim age ?a;\nfind ?x where\n  nobody met ?x;",
                  NULL, NULL, &zErr) == FAKT_NOTFOUND);
  CHECK(zErr && strcmp(zErr, "line 3, col 3: unknown entity \"nobody\"") == 0);
  if (zErr) printf("  (exec error was: %s)\n", zErr);
  fakt_free(zErr);
  fakt_free(NULL);

  fakt_stmt *p = (fakt_stmt *)1;
  CHECK(fakt_prepare(db, "find ?x wher ?x;", -1, &p, NULL) == FAKT_SYNTAX);
  CHECK(p == NULL);
  CHECK(fakt_errcode(db) == FAKT_SYNTAX);
  CHECK(strncmp(fakt_errmsg(db), "line 1, col 9: near \"wher\"", 26) == 0);
  CHECK(strstr(fakt_errmsg(db), "syntax error") != NULL);
  CHECK(fakt_error_offset(db) == 8);

  p = (fakt_stmt *)1;
  CHECK(fakt_prepare(db, "find ?x where\n  nobody met ?x;", -1, &p, NULL) == FAKT_NOTFOUND);
  CHECK(p == NULL);
  CHECK(strcmp(fakt_errmsg(db), "line 2, col 3: unknown entity \"nobody\"") == 0);
  CHECK(fakt_errcode(db) == FAKT_NOTFOUND);
  CHECK(fakt_error_offset(db) == 16);

  /* Columns count characters, not bytes; the offset counts bytes. */
  CHECK(fakt_prepare(db, "find ?x where label(?x, \"Pjöngjang\"), nobody met ?x;", -1, &p, NULL)
        == FAKT_NOTFOUND);
  CHECK(strcmp(fakt_errmsg(db), "line 1, col 39: unknown entity \"nobody\"") == 0);
  CHECK(fakt_error_offset(db) == 39);

  /* The origin moves every position. */
  CHECK(fakt_set_origin(db, NULL, 10, 5) == FAKT_OK);
  CHECK(fakt_prepare(db, "find ?x where nobody met ?x;", -1, &p, NULL) == FAKT_NOTFOUND);
  CHECK(strcmp(fakt_errmsg(db), "line 10, col 19: unknown entity \"nobody\"") == 0);
  CHECK(fakt_set_origin(db, NULL, 1, 1) == FAKT_OK);

  /* A successful call clears the error. */
  CHECK(queryIs(db, "find 1;", "1"));
  CHECK(fakt_errcode(db) == FAKT_OK);

  /* Walking a script with the tail; a text of only comments gives no statement. */
  const char *zScript = "find 1; find 2; # done\n";
  const char *zTail = NULL;
  p = NULL;
  CHECK(fakt_prepare(db, zScript, -1, &p, &zTail) == FAKT_OK && p);
  CHECK(zTail == zScript + 7);
  if (p) {
    const char *zSql = fakt_sql(p);
    CHECK(zSql && strncmp(zSql, "find 1", 6) == 0);
    CHECK(fakt_step(p) == FAKT_ROW && fakt_column_int64(p, 0) == 1);
    fakt_finalize(p);
  }
  p = NULL;
  CHECK(fakt_prepare(db, zTail, -1, &p, &zTail) == FAKT_OK && p);
  if (p) {
    CHECK(fakt_step(p) == FAKT_ROW && fakt_column_int64(p, 0) == 2);
    fakt_finalize(p);
  }
  p = (fakt_stmt *)1;
  CHECK(fakt_prepare(db, zTail, -1, &p, &zTail) == FAKT_OK && p == NULL);
  /* nByte limits the text. */
  p = NULL;
  CHECK(fakt_prepare(db, "find 3; find 4;", 7, &p, NULL) == FAKT_OK && p);
  if (p) {
    CHECK(fakt_step(p) == FAKT_ROW && fakt_column_int64(p, 0) == 3);
    fakt_finalize(p);
  }

  CHECK(fakt_complete("find ?x where kim met ?x;") == 1);
  CHECK(fakt_complete("find ?x where kim met ?x") == 0);
  CHECK(fakt_complete("find \"a;") == 0);
  CHECK(fakt_complete("find 1; # ;") == 1);
}

static void testMisuseAndLifecycle(fakt *db) {
  CHECK(fakt_finalize(NULL) == FAKT_OK);
  CHECK(fakt_close(NULL) == FAKT_OK);
  fakt_stmt *p = (fakt_stmt *)1;
  CHECK(fakt_prepare(db, NULL, -1, &p, NULL) == FAKT_MISUSE);
  CHECK(p == NULL);
  CHECK(fakt_limits(db, -1, 0, 0) == FAKT_MISUSE);
  CHECK(fakt_limits(NULL, 0, 0, 0) == FAKT_MISUSE);

  /* Write statements: readonly flag, changes, transactions. */
  int64_t iTx = fakt_last_tx(db);
  p = NULL;
  CHECK(fakt_prepare(db, "claim w1: kim met wladiwostok;", -1, &p, NULL) == FAKT_OK && p);
  if (p) {
    CHECK(fakt_stmt_readonly(p) == 0);
    CHECK(fakt_step(p) == FAKT_DONE);
    CHECK(fakt_finalize(p) == FAKT_OK);
  }
  CHECK(fakt_changes(db) == 1);
  CHECK(fakt_last_tx(db) == iTx + 1);
  /* Re-defining an entity with identical content is a no-op: no transaction. */
  CHECK(run(db, "entity zug thing \"Panzerzug\";"));
  CHECK(fakt_last_tx(db) == iTx + 1);
  CHECK(run(db, "begin;"));
  CHECK(fakt_in_transaction(db) == 1);
  CHECK(run(db, "retract w1;"));
  CHECK(fakt_changes(db) == 1);
  CHECK(queryIs(db, "find ?o where kim met ?o;", "putin"));
  CHECK(run(db, "rollback;"));
  CHECK(fakt_in_transaction(db) == 0);
  CHECK(fakt_last_tx(db) == iTx + 1);
  CHECK(queryIs(db, "find ?c where ?c: kim met wladiwostok;", "w1"));
  CHECK(run(db, "retract w1;"));
  CHECK(fakt_last_tx(db) == iTx + 2);
  CHECK(queryIs(db, "find ?c where ?c: kim met wladiwostok;", ""));

  /* A second handle on the same file in this process is refused, read-write
  ** or read-only (it would reset the first one's LMDB reader table), and
  ** the first handle is unharmed. */
  fakt *db2 = NULL;
  CHECK(fakt_open(zDbPath, 0, &db2) == FAKT_MISUSE);
  CHECK(db2 && strstr(fakt_errmsg(db2), "already open in this process") != NULL);
  CHECK(fakt_close(db2) == FAKT_OK);
  db2 = NULL;
  CHECK(fakt_open(zDbPath, FAKT_OPEN_READONLY, &db2) == FAKT_MISUSE);
  CHECK(fakt_close(db2) == FAKT_OK);
  CHECK(queryIs(db, "find ?o where kim met ?o;", "putin"));
  CHECK(run(db, "claim w3: kim met wladiwostok; retract w3;"));

  /* The rest on a copy of the file: fakt_close refuses while a statement
  ** is alive. */
  char zCopy[4300];
  snprintf(zCopy, sizeof(zCopy), "%s-copy", zDbPath);
  unlink(zCopy);
  CHECK(fakt_vacuum_into(db, zCopy) == FAKT_OK);
  db2 = NULL;
  CHECK(fakt_open(zCopy, 0, &db2) == FAKT_OK);
  if (db2) {
    fakt_stmt *q = NULL;
    CHECK(fakt_prepare(db2, "find ?o where kim met ?o;", -1, &q, NULL) == FAKT_OK && q);
    CHECK(fakt_close(db2) == FAKT_BUSY);
    CHECK(fakt_finalize(q) == FAKT_OK);
    CHECK(fakt_close(db2) == FAKT_OK);
  }

  /* A read-only handle refuses writes. */
  db2 = NULL;
  CHECK(fakt_open(zCopy, FAKT_OPEN_READONLY, &db2) == FAKT_OK);
  if (db2) {
    char *zErr = NULL;
    int rc = fakt_exec(db2, "claim w2: kim met wladiwostok;", NULL, NULL, &zErr);
    CHECK(rc == FAKT_READONLY || rc == FAKT_PERM);
    CHECK(zErr != NULL);
    fakt_free(zErr);
    CHECK(queryIs(db2, "find ?o where kim met ?o;", "putin"));
    CHECK(fakt_close(db2) == FAKT_OK);
  }
  unlink(zCopy);
  {
    char zLock[4400];
    snprintf(zLock, sizeof(zLock), "%s-lock", zCopy);
    unlink(zLock);
  }

  char *zReport = NULL;
  CHECK(fakt_check(db, &zReport) == FAKT_OK);
  CHECK(zReport && strcmp(zReport, "ok") == 0);
  fakt_free(zReport);
  CHECK(fakt_check(db, NULL) == FAKT_OK);
}

/* ==== Threads ==== */

typedef struct Worker {
  pthread_t t;
  fakt *db;                /* the handle all workers share */
  int iWorker;             /* which worker: shifts the values it asks for */
  int rc;                  /* FAKT_OK if every query gave the right rows */
  int nQuery;              /* queries run */
  char zErr[256];          /* first problem */
} Worker;

/* fakt.h: one handle may be shared by threads, each with its own statement. */
static void *workerMain(void *pArg) {
  Worker *w = pArg;
  fakt *db = w->db;
  fakt_stmt *p = NULL;
  w->rc = fakt_prepare(db, "find ?c where ?c: zug num $v;", -1, &p, NULL);
  for (int i = 0; w->rc == FAKT_OK && i < 300; i++) {
    char z[64], zWant[16];
    int v = (i + w->iWorker*7) % 20;
    snprintf(zWant, sizeof(zWant), "n%d", v);
    fakt_bind_int64(p, 1, v);
    int rc = rows(p, z, sizeof(z));
    fakt_reset(p);
    if (rc != FAKT_DONE || strcmp(z, zWant) != 0) {
      w->rc = rc == FAKT_DONE ? FAKT_ERROR : rc;
      snprintf(w->zErr, sizeof(w->zErr), "query %d: got '%s' rc %d: %s", i, z, rc, fakt_errmsg(db));
    }
    w->nQuery++;
  }
  fakt_finalize(p);
  return NULL;
}

static void testThreads(fakt *db) {
  Worker a[4];
  memset(a, 0, sizeof(a));
  int nStarted = 0;
  for (int i = 0; i < 4; i++) {
    a[i].db = db;
    a[i].iWorker = i;
    if (pthread_create(&a[i].t, NULL, workerMain, &a[i]) == 0) nStarted++;
  }
  CHECK(nStarted == 4);
  for (int i = 0; i < nStarted; i++) {
    pthread_join(a[i].t, NULL);
    if (a[i].rc != FAKT_OK) printf("  thread %d: %s\n", i, a[i].zErr);
    CHECK(a[i].rc == FAKT_OK && a[i].nQuery == 300);
  }
}

typedef struct Long {
  fakt *db;
  const char *zSql;
  volatile int bDone;
  int rc;
} Long;

static void *longMain(void *pArg) {
  Long *l = pArg;
  char z[256];
  l->rc = query(l->db, l->zSql, z, sizeof(z));
  __atomic_store_n(&l->bDone, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

static void testInterrupt(fakt *db) {
  /* A chain k0 <- k1 <- ... <- k599 and its transitive closure. */
  size_t nAlloc = 64 * 1024;
  char *zScript = malloc(nAlloc);
  if (zScript == NULL) { CHECK(0); return; }
  size_t n = (size_t)snprintf(zScript, nAlloc, "begin;\nentity k0 place \"K0\";\n");
  for (int i = 1; i < 600; i++) {
    n += (size_t)snprintf(zScript + n, nAlloc - n, "entity k%d place \"K%d\" in k%d;\n", i, i, i - 1);
  }
  snprintf(zScript + n, nAlloc - n,
           "rule reach(?a, ?b) if ?a located_in ?b;\n"
           "rule reach(?a, ?c) if ?a located_in ?b, reach(?b, ?c);\n"
           "commit;\n");
  CHECK(run(db, zScript));
  free(zScript);
  CHECK(queryIs(db, "find count() where reach(k599, ?x);", "599"));
  CHECK(queryIs(db, "find ?x where reach(k2, ?x) order by ?x;", "k0,k1"));
  /* the second argument is passed on unchanged: bound, only its rows are
  ** computed; bound by a pattern once per row, the first 64 values get
  ** their own rows (RULE_SPEC_MAX) and then the whole relation serves:
  ** sum over b = k1..k599 of the 599-i nodes below k_i = 598*599/2 */
  CHECK(queryIs(db, "find count() where reach(?x, k0);", "599"));
  CHECK(queryIs(db, "find count() where reach(?x, k300);", "299"));
  CHECK(queryIs(db, "find count() where ?b located_in ?z, reach(?x, ?b);", "179101"));
  CHECK(queryIs(db, "find ?x where reach(?x, k597) order by ?x;", "k598,k599"));

  /* A safety net: if interrupt does not work the query ends by time limit. */
  CHECK(fakt_limits(db, 0, 0, 120000) == FAKT_OK);
  Long l;
  memset(&l, 0, sizeof(l));
  l.db = db;
  l.zSql = "find count() where reach(?a, ?b), reach(?b, ?c), reach(?c, ?d);";
  pthread_t t;
  if (pthread_create(&t, NULL, longMain, &l) != 0) { CHECK(0); return; }
  struct timespec ts = { 0, 20 * 1000 * 1000 };
  nanosleep(&ts, NULL);
  ts.tv_nsec = 5 * 1000 * 1000;
  while (!__atomic_load_n(&l.bDone, __ATOMIC_SEQ_CST)) {
    fakt_interrupt(db);
    nanosleep(&ts, NULL);
  }
  pthread_join(t, NULL);
  CHECK(l.rc == FAKT_INTERRUPT);
  CHECK(fakt_errcode(db) == FAKT_INTERRUPT);
  CHECK(fakt_limits(db, 0, 0, 0) == FAKT_OK);
  /* The handle works again: the flag clears when the next statement starts. */
  CHECK(queryIs(db, "find count() where reach(k3, ?x);", "3"));
}

/* fakt.h: an explicit transaction belongs to the thread that began it.
** Another thread's call on the handle meanwhile gets FAKT_MISUSE at once:
** it must not wait for LMDB's writer lock, which the first thread holds,
** while it holds the handle's mutex, which the first thread needs to
** commit (that would be a deadlock). The transaction is untouched. */
typedef struct Foreign {
  fakt *db;
  int rcWrite, rcRead, rcExec;      /* codes the second thread got */
  char zMsg[256];                   /* fakt_errmsg() after its write */
  int bDone;                        /* set (atomically) when it returns */
} Foreign;

static void *foreignMain(void *pArg) {
  Foreign *f = pArg;
  fakt_stmt *p = NULL;
  f->rcWrite = fakt_prepare(f->db, "entity ft_b place \"FT B\";", -1, &p, NULL);
  snprintf(f->zMsg, sizeof(f->zMsg), "%s", fakt_errmsg(f->db));
  fakt_finalize(p);
  p = NULL;
  f->rcRead = fakt_prepare(f->db, "find ?x where ?x = kim;", -1, &p, NULL);
  fakt_finalize(p);
  f->rcExec = fakt_exec(f->db, "entity ft_c place \"FT C\";", NULL, NULL, NULL);
  __atomic_store_n(&f->bDone, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

/* Run foreignMain on a thread of its own and wait for it; 0 if it did not
** return within 60 s (a hang guard, not a speed bound: it then holds the
** handle's mutex, so the test cannot go on). */
static int foreignRun(Foreign *f) {
  pthread_t t;
  if (pthread_create(&t, NULL, foreignMain, f) != 0) return 0;
  struct timespec ts = { 0, 10 * 1000 * 1000 };
  for (int i = 0; i < 6000 && !__atomic_load_n(&f->bDone, __ATOMIC_SEQ_CST); i++) nanosleep(&ts, NULL);
  if (!__atomic_load_n(&f->bDone, __ATOMIC_SEQ_CST)) return 0;
  pthread_join(t, NULL);
  return 1;
}

static void testForeignTxn(fakt *db) {
  char z[256];
  Foreign f;
  memset(&f, 0, sizeof(f));
  f.db = db;
  CHECK(fakt_busy_timeout(db, 600000) == FAKT_OK);   /* a wait would be long */
  CHECK(run(db, "begin; entity ft_a place \"FT A\";"));
  CHECK(fakt_in_transaction(db) == 1);
  if (!foreignRun(&f)) {
    printf("  FAIL the second thread waits with the handle's mutex held (deadlock)\n");
    exit(1);
  }
  CHECK(f.rcWrite == FAKT_MISUSE);
  CHECK(strstr(f.zMsg, "a transaction begun by another thread is open") != NULL);
  CHECK(f.rcRead == FAKT_MISUSE);
  CHECK(f.rcExec == FAKT_MISUSE);
  /* the first thread's transaction goes on and commits what it wrote */
  CHECK(fakt_in_transaction(db) == 1);
  CHECK(run(db, "entity ft_d place \"FT D\"; commit;"));
  CHECK(queryIs(db, "find ?x where ?x = ft_a;", "ft_a"));
  CHECK(queryIs(db, "find ?x where ?x = ft_d;", "ft_d"));
  CHECK(query(db, "find ?x where ?x = ft_b;", z, sizeof(z)) == FAKT_NOTFOUND);
  CHECK(strstr(fakt_errmsg(db), "unknown entity \"ft_b\"") != NULL);
  CHECK(query(db, "find ?x where ?x = ft_c;", z, sizeof(z)) == FAKT_NOTFOUND);
  /* with no transaction open, the same calls from another thread work */
  memset(&f, 0, sizeof(f));
  f.db = db;
  CHECK(foreignRun(&f));
  CHECK(f.rcWrite == FAKT_OK && f.rcRead == FAKT_OK && f.rcExec == FAKT_OK);
  CHECK(queryIs(db, "find ?x where ?x = ft_c;", "ft_c"));
  CHECK(fakt_busy_timeout(db, 5000) == FAKT_OK);
}

/* A prepared statement that calls a rule keeps the rule's rows between
** executions of the same snapshot (SPEC 5.x): re-running it with other
** parameters, after a write, as of an older transaction, inside begin and
** with a rule whose rows hold texts must all give the current answer. */
static void testRuleReuse(fakt *db) {
  char z[512];
  CHECK(run(db, "entity ru_a place \"A\"; entity ru_b place \"B\" in ru_a; "
                "entity ru_c place \"C\" in ru_b; entity ru_d place \"D\" in ru_a;"));
  CHECK(run(db, "rule ru_in(?x, ?y) if ?x located_in ?y; "
                "rule ru_in(?x, ?z) if ?x located_in ?y, ru_in(?y, ?z);"));
  CHECK(run(db, "rule ru_lab(?x, ?l) if ru_in(?x, ru_a), label(?x, ?l);"));
  uint32_t iTx0 = (uint32_t)fakt_last_tx(db);
  fakt_stmt *p = NULL;
  CHECK(fakt_prepare(db, "find ?x where ru_in(?x, $p) order by ?x;", -1, &p, NULL) == FAKT_OK && p);
  if (p == NULL) return;
  CHECK(fakt_bind_entity(p, 1, "ru_a") == FAKT_OK);
  CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "ru_b,ru_c,ru_d") == 0);
  CHECK(fakt_reset(p) == FAKT_OK);
  CHECK(fakt_bind_entity(p, 1, "ru_b") == FAKT_OK);
  CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "ru_c") == 0);
  /* a write in between: the rows are computed again */
  CHECK(run(db, "entity ru_e place \"E\" in ru_c;"));
  CHECK(fakt_reset(p) == FAKT_OK);
  CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "ru_c,ru_e") == 0);
  fakt_finalize(p);
  /* as of: the snapshot before ru_e, then the current one again */
  CHECK(fakt_prepare(db, "find ?x where ru_in(?x, ru_b) order by ?x as of $t;", -1, &p, NULL) == FAKT_OK && p);
  if (p) {
    CHECK(fakt_bind_int64(p, 1, iTx0) == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "ru_c") == 0);
    CHECK(fakt_reset(p) == FAKT_OK);
    CHECK(fakt_bind_int64(p, 1, fakt_last_tx(db)) == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "ru_c,ru_e") == 0);
    fakt_finalize(p);
  }
  /* inside begin ... commit the transaction's own changes count */
  CHECK(fakt_prepare(db, "find ?x where ru_in(?x, ru_d) order by ?x;", -1, &p, NULL) == FAKT_OK && p);
  if (p) {
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "") == 0);
    CHECK(run(db, "begin; entity ru_f place \"F\" in ru_d;"));
    CHECK(fakt_reset(p) == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "ru_f") == 0);
    CHECK(run(db, "rollback;"));
    CHECK(fakt_reset(p) == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "") == 0);
    fakt_finalize(p);
  }
  /* rows with texts (labels) are not kept, and still read right the second time */
  CHECK(fakt_prepare(db, "find ?l where ru_lab(?x, ?l) order by ?l;", -1, &p, NULL) == FAKT_OK && p);
  if (p) {
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "B,C,D,E") == 0);
    CHECK(fakt_reset(p) == FAKT_OK);
    CHECK(rows(p, z, sizeof(z)) == FAKT_DONE && strcmp(z, "B,C,D,E") == 0);
    fakt_finalize(p);
  }
}

/* Size of a file in bytes, or -1. */
static long long fileSize(const char *zPath) {
  struct stat st;
  return stat(zPath, &st) == 0 ? (long long)st.st_size : -1;
}

/* Column 0 of every row of zSql, joined as rows() does, into z. */
static void answer(fakt *db, const char *zSql, char *z, size_t n) {
  if (query(db, zSql, z, n) != FAKT_DONE) snprintf(z, n, "(failed: %s)", fakt_errmsg(db));
}

/*
** fakt_vacuum_into: a database written in many transactions in random key
** order (half-full pages, freed copy-on-write pages) is copied smaller, and
** the copy answers every query the same, passes fakt_check, keeps its
** history and counters, and the original stays usable.
*/
/* The integer in the first row of zQuery on db, or -1. */
static int64_t countOf(fakt *db, const char *zQuery) {
  fakt_stmt *p = NULL;
  int64_t n = -1;
  if (fakt_prepare(db, zQuery, -1, &p, NULL) == FAKT_OK && fakt_step(p) == FAKT_ROW) n = fakt_column_int64(p, 0);
  fakt_finalize(p);
  return n;
}

/* fakt_backup: the committed state only, an ordinary database that passes
** fakt_check, never over a file; misuse. (Under a writer in another
** process: tests/shell/backup.sh.) */
static void testBackup(void) {
  char zSrc[4300], zCopy[4300];
  fakt *db = NULL, *db2 = NULL;
  snprintf(zSrc, sizeof(zSrc), "%s/bk_src.fakt", zDir);
  snprintf(zCopy, sizeof(zCopy), "%s/bk_copy.fakt", zDir);
  CHECK(fakt_open(zSrc, FAKT_OPEN_READWRITE | FAKT_OPEN_CREATE, &db) == FAKT_OK);
  if (db == NULL) return;
  gDb = db;
  CHECK(run(db, "predicate bn : number; entity bx thing \"X\"; begin; claim bx bn 1; claim bx bn 2; commit;"));
  CHECK(run(db, "begin; claim bx bn 3;"));                  /* not committed */
  CHECK(fakt_backup(db, zCopy) == FAKT_OK);
  CHECK(run(db, "commit;"));
  CHECK(fakt_backup(db, zCopy) == FAKT_CANTOPEN);
  CHECK(strstr(fakt_errmsg(db), "backup: ") == fakt_errmsg(db));
  CHECK(fakt_backup(db, "") == FAKT_MISUSE);
  CHECK(fakt_backup(db, NULL) == FAKT_MISUSE);
  CHECK(fakt_backup(NULL, zCopy) == FAKT_MISUSE);
  CHECK(fakt_open(zCopy, FAKT_OPEN_READONLY, &db2) == FAKT_OK);
  if (db2) {
    char *zRep = NULL;
    CHECK(fakt_check(db2, &zRep) == FAKT_OK && zRep && strcmp(zRep, "ok") == 0);
    fakt_free(zRep);
    CHECK(countOf(db2, "find count() where bx bn ?n;") == 2);
    CHECK(countOf(db, "find count() where bx bn ?n;") == 3);
    CHECK(fakt_last_tx(db2) == fakt_last_tx(db) - 1);
  }
  fakt_close(db2);
  fakt_close(db);
  gDb = NULL;
}

static void testVacuum(void) {
  char zSrc[4300], zCopy[4300], zBad[4300], zLock[4400], zA[4096], zB[4096];
  fakt *db = NULL, *db2 = NULL;
  snprintf(zSrc, sizeof(zSrc), "%s/vac_src.fakt", zDir);
  snprintf(zCopy, sizeof(zCopy), "%s/vac_copy.fakt", zDir);
  snprintf(zBad, sizeof(zBad), "%s/no/such/dir/x.fakt", zDir);
  CHECK(fakt_open(zSrc, FAKT_OPEN_READWRITE | FAKT_OPEN_CREATE, &db) == FAKT_OK);
  if (db == NULL) return;
  gDb = db;
  CHECK(run(db, "predicate vlink : entity; predicate vnum : number;"
                "source vs \"Quelle\" text \"Der Zug fuhr nach Wladiwostok. Kim traf Putin.\";"));
  char zSql[200], zAsOf[200];
  int bOk = 1;
  int64_t iTxFirst = 0;
  for (int i = 0; i < 400 && bOk; i++) {
    snprintf(zSql, sizeof(zSql), "entity v%d thing \"Ding %d\";", (i * 7919) % 400, i);
    bOk = run(db, zSql);
  }
  /* 12 transactions of claims in scattered key order */
  for (int t = 0; t < 12 && bOk; t++) {
    bOk = run(db, "begin;");
    for (int i = 0; i < 250 && bOk; i++) {
      int k = (t * 250 + i) * 7927 % 3000;
      snprintf(zSql, sizeof(zSql), "claim v%d vlink v%d; claim v%d vnum %d from vs quote \"Kim traf\";",
               k % 400, (k * 31) % 400, (k * 17) % 400, k);
      bOk = run(db, zSql);
    }
    if (bOk) bOk = run(db, "commit;");
    if (t == 0) iTxFirst = fakt_last_tx(db);
  }
  CHECK(bOk);
  CHECK(run(db, "retract _c5; claim vk: v1 vlink v2; rule vin(?x, ?y) if ?x vlink ?y;"));
  int64_t iTx = fakt_last_tx(db);
  snprintf(zAsOf, sizeof(zAsOf), "find count() where ?c: ?s ?p ?o as of %lld;", (long long)iTxFirst);
  const char *azQ[] = {
    "find count() where ?c: ?s ?p ?o;",
    "find ?c where ?c: v7 vlink ?o order by ?c;",
    "find ?x where vin(v1, ?x) order by ?x;",
    "find ?c where match(?c, \"kim\") order by ?c limit 5;",
    zAsOf,
    "find ?l where label(v9, ?l);",
  };
  /* the copy leaves out what is not committed */
  CHECK(run(db, "begin; claim vnot: v1 vlink v3;"));
  CHECK(fakt_vacuum_into(db, zCopy) == FAKT_OK);
  CHECK(run(db, "rollback;"));
  CHECK(fakt_vacuum_into(db, zCopy) == FAKT_CANTOPEN);            /* exists */
  CHECK(strstr(fakt_errmsg(db), "the file exists") != NULL);
  CHECK(fakt_vacuum_into(db, zBad) != FAKT_OK && fileSize(zBad) == -1);
  CHECK(fakt_vacuum_into(db, "") == FAKT_MISUSE);
  long long nSrc = fileSize(zSrc), nCopy = fileSize(zCopy);
  CHECK(nCopy > 0 && nCopy < nSrc);
  printf("  vacuum: %lld bytes -> %lld bytes\n", nSrc, nCopy);
  snprintf(zLock, sizeof(zLock), "%s-lock", zCopy);
  CHECK(fileSize(zLock) == -1);                                   /* no lock file left */
  CHECK(fakt_open(zCopy, FAKT_OPEN_READWRITE, &db2) == FAKT_OK);
  if (db2) {
    char *zRep = NULL;
    CHECK(fakt_check(db2, &zRep) == FAKT_OK && zRep && strcmp(zRep, "ok") == 0);
    fakt_free(zRep);
    CHECK(fakt_last_tx(db2) == iTx);
    for (size_t i = 0; i < sizeof(azQ) / sizeof(azQ[0]); i++) {
      answer(db, azQ[i], zA, sizeof(zA));
      answer(db2, azQ[i], zB, sizeof(zB));
      if (strcmp(zA, zB) != 0) printf("  %s\n    source: %s\n    copy:   %s\n", azQ[i], zA, zB);
      if (!zA[0] || zA[0] == '(') printf("  %s: empty or failed: %s\n", azQ[i], zA);
      CHECK(strcmp(zA, zB) == 0 && zA[0] && zA[0] != '(');
    }
    CHECK(queryIs(db2, "find ?c where ?c: v1 vlink v3;", ""));
    /* the counters go on: the next generated claim has the same number in both */
    CHECK(run(db, "claim v3 vlink v4;") && run(db2, "claim v3 vlink v4;"));
    answer(db, "find ?c where ?c: v3 vlink v4 order by ?c desc limit 1;", zA, sizeof(zA));
    answer(db2, "find ?c where ?c: v3 vlink v4 order by ?c desc limit 1;", zB, sizeof(zB));
    CHECK(strcmp(zA, zB) == 0 && zA[0] == '_');
    gDb = db2;
    CHECK(fakt_close(db2) == FAKT_OK);
    gDb = db;
  }
  CHECK(fakt_close(db) == FAKT_OK);
  gDb = NULL;
  unlink(zSrc); unlink(zCopy);
  snprintf(zLock, sizeof(zLock), "%s-lock", zSrc); unlink(zLock);
  snprintf(zLock, sizeof(zLock), "%s-lock", zCopy); unlink(zLock);
}

/*
** The names a statement shows come through its cache of dictionary
** records (value.c), kept while the snapshot is the same: every row must
** name the right entities on the first run, on a second run of the same
** snapshot, after a commit that appended names to the last record (which
** moves it), and inside a write transaction that keeps adding them.
*/
static int dictRows(fakt_stmt *p, int nWant) {
  int n = 0, ok = 1, rc;
  while ((rc = fakt_step(p)) == FAKT_ROW) {
    int s = -1, o = -1;
    const char *zS = fakt_column_text(p, 0), *zO = fakt_column_text(p, 1);
    ok &= zS && zO && sscanf(zS, "d%d", &s) == 1 && sscanf(zO, "d%d", &o) == 1;
    ok &= s >= 0 && o == (s < 200 ? (s * 37) % 200 : 200 + (s * 11) % (s - 199));
    n++;
  }
  fakt_reset(p);
  return ok && rc == FAKT_DONE && n == nWant;
}

/* Open (creating) the scratch database zDir/zName; its path goes to zPath. */
static fakt *openScratch(const char *zName, char *zPath, size_t nPath) {
  fakt *db = NULL;
  snprintf(zPath, nPath, "%s/%s", zDir, zName);
  CHECK(fakt_open(zPath, FAKT_OPEN_READWRITE | FAKT_OPEN_CREATE, &db) == FAKT_OK);
  gDb = db;
  return db;
}

/* Close a scratch database and remove its files. */
static void closeScratch(fakt *db, const char *zPath) {
  char zLock[4400];
  CHECK(fakt_close(db) == FAKT_OK);
  gDb = NULL;
  snprintf(zLock, sizeof(zLock), "%s-lock", zPath);
  unlink(zLock);
  unlink(zPath);
}

static void testDictCache(void) {
  char zPath[4300], zSql[200];
  fakt_stmt *p = NULL;
  int bOk = 1, i;
  fakt *db = openScratch("dict.fakt", zPath, sizeof(zPath));
  if (db == NULL) return;
  CHECK(run(db, "predicate dlink : entity; begin;"));
  for (i = 0; i < 200 && bOk; i++) {
    snprintf(zSql, sizeof(zSql), "entity d%d thing \"Label %d\";", i, i);
    bOk = run(db, zSql);
  }
  for (i = 0; i < 200 && bOk; i++) {
    snprintf(zSql, sizeof(zSql), "claim d%d dlink d%d;", i, (i * 37) % 200);
    bOk = run(db, zSql);
  }
  CHECK(bOk && run(db, "commit;"));
  CHECK(fakt_prepare(db, "find ?s, ?o where ?c: ?s dlink ?o;", -1, &p, NULL) == FAKT_OK);
  if (p) {
    CHECK(dictRows(p, 200));
    CHECK(dictRows(p, 200));                    /* the same snapshot again */
    /* names appended to the last record in a later commit */
    CHECK(run(db, "begin;"));
    for (i = 200; i < 264 && bOk; i++) {
      snprintf(zSql, sizeof(zSql), "entity d%d thing \"Label %d\"; claim d%d dlink d%d;",
               i, i, i, 200 + (i * 11) % (i - 199));
      bOk = run(db, zSql);
      if (i == 230) bOk &= dictRows(p, 231);    /* inside the write transaction */
    }
    CHECK(bOk && dictRows(p, 264));
    CHECK(run(db, "commit;"));
    CHECK(dictRows(p, 264));
    fakt_finalize(p);
    /* the next statement takes the finalized one's cache: the same
    ** snapshot, and then one with a name appended after a commit */
    p = NULL;
    CHECK(fakt_prepare(db, "find ?s, ?o where ?c: ?s dlink ?o;", -1, &p, NULL) == FAKT_OK);
    if (p) CHECK(dictRows(p, 264));
    fakt_finalize(p);
    CHECK(run(db, "entity d264 thing \"Label 264\"; claim d264 dlink d244;"));
    p = NULL;
    CHECK(fakt_prepare(db, "find ?s, ?o where ?c: ?s dlink ?o;", -1, &p, NULL) == FAKT_OK);
    if (p) CHECK(dictRows(p, 265));
    fakt_finalize(p);
  }
  closeScratch(db, zPath);
}

/*
** fakt_bind_entity() remembers names it found outside a transaction. More
** names than it has room for, bound twice over: every one must still give
** its own entity (names that share a slot must not be mixed up). A name
** found inside a transaction that is then rolled back, and a name not found
** before it is made, must be looked up again.
*/
static int bindValue(fakt_stmt *p, const char *zName, long long *pV) {
  int rc = fakt_bind_entity(p, 1, zName);
  *pV = -1;
  if (rc != FAKT_OK) return rc;
  if (fakt_step(p) == FAKT_ROW) *pV = fakt_column_int64(p, 0);
  fakt_reset(p);
  return FAKT_OK;
}

static void testBindNames(void) {
  char zPath[4300], zSql[200], zName[32];
  fakt_stmt *p = NULL;
  int bOk = 1, i, nBad = 0;
  long long v;
  fakt *db = openScratch("bind.fakt", zPath, sizeof(zPath));
  if (db == NULL) return;
  CHECK(run(db, "predicate bval : number; begin;"));
  for (i = 0; i < 3000 && bOk; i++) {
    snprintf(zSql, sizeof(zSql), "entity bn%d thing \"B %d\"; claim bn%d bval %d;", i, i, i, i);
    bOk = run(db, zSql);
  }
  CHECK(bOk && run(db, "commit;"));
  CHECK(fakt_prepare(db, "find ?v where $e bval ?v;", -1, &p, NULL) == FAKT_OK);
  if (p) {
    for (int pass = 0; pass < 2; pass++) {
      for (i = 0; i < 3000; i++) {
        snprintf(zName, sizeof(zName), "bn%d", i);
        if (bindValue(p, zName, &v) != FAKT_OK || v != i) nBad++;
      }
    }
    CHECK(nBad == 0);
    /* found inside a transaction, gone with its rollback */
    CHECK(run(db, "begin; entity bgone thing \"Gone\"; claim bgone bval 7;"));
    CHECK(bindValue(p, "bgone", &v) == FAKT_OK && v == 7);
    CHECK(run(db, "rollback;"));
    CHECK(bindValue(p, "bgone", &v) == FAKT_NOTFOUND);
    /* not found, then made: found */
    CHECK(bindValue(p, "blate", &v) == FAKT_NOTFOUND);
    CHECK(run(db, "entity blate thing \"Late\"; claim blate bval 8;"));
    CHECK(bindValue(p, "blate", &v) == FAKT_OK && v == 8);
    CHECK(bindValue(p, "blate", &v) == FAKT_OK && v == 8);
    fakt_finalize(p);
  }
  closeScratch(db, zPath);
}

/* A write past fakt_set_max_size() fails with FAKT_FULL, and the store's
** message reaches fakt_errmsg(): it names the file and the size, for an
** autocommit statement and for the commit of begin ... commit (issue 19). */
static void testFullMessage(void) {
  char zPath[4300], zSize[64], zSql[9000];
  char zBig[8001];
  int rc = FAKT_OK, i;
  fakt *db = openScratch("full.fakt", zPath, sizeof(zPath));
  if (db == NULL) return;
  CHECK(fakt_set_max_size(db, 1 << 20) == FAKT_OK);
  snprintf(zSize, sizeof(zSize), "max size %d bytes", 1 << 20);
  CHECK(run(db, "predicate fblob : string; entity fx thing \"FX\";"));
  for (i = 0; i < 8000; i++) zBig[i] = (char)('a' + (i * 7 + i / 26) % 26);
  zBig[8000] = 0;
  for (i = 0; i < 1000; i++) {
    zBig[0] = (char)('a' + i % 26); zBig[1] = (char)('a' + i / 26 % 26); zBig[2] = (char)('a' + i / 676 % 26);
    snprintf(zSql, sizeof(zSql), "claim f%d: fx fblob \"%s\";", i, zBig);
    rc = fakt_exec(db, zSql, NULL, NULL, NULL);
    if (rc != FAKT_OK) break;
  }
  CHECK(rc == FAKT_FULL);
  CHECK(fakt_errcode(db) == FAKT_FULL);
  CHECK(strstr(fakt_errmsg(db), zPath) != NULL);
  CHECK(strstr(fakt_errmsg(db), zSize) != NULL);
  CHECK(strstr(fakt_errmsg(db), "nothing was changed") != NULL);
  /* begin ... commit: the write that does not fit fails, a statement or
  ** (its puts wait for the commit) the commit, and says why the same way */
  CHECK(run(db, "begin;"));
  for (i = 0; i < 50; i++) {
    zBig[0] = (char)('A' + i % 26);
    snprintf(zSql, sizeof(zSql), "claim fz%d: fx fblob \"%s\";", i, zBig);
    rc = fakt_exec(db, zSql, NULL, NULL, NULL);
    if (rc != FAKT_OK) break;
  }
  if (rc == FAKT_OK) {
    rc = fakt_exec(db, "commit;", NULL, NULL, NULL);
    CHECK(strstr(fakt_errmsg(db), "commit failed: ") != NULL);
  }
  CHECK(rc == FAKT_FULL);
  CHECK(strstr(fakt_errmsg(db), zPath) != NULL && strstr(fakt_errmsg(db), zSize) != NULL);
  fakt_exec(db, "rollback;", NULL, NULL, NULL);
  closeScratch(db, zPath);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);   /* keep output if a test crashes */
  const char *zTmp = getenv("TMPDIR");
  snprintf(zDir, sizeof(zDir), "%s/fakt-unit-api-XXXXXX", zTmp && *zTmp ? zTmp : "/tmp");
  if (mkdtemp(zDir) == NULL) { perror("mkdtemp"); return 2; }
  snprintf(zDbPath, sizeof(zDbPath), "%s/api.fakt", zDir);

  fakt *db = NULL;
  testOpen(&db);
  if (db) {
    testColumnTypes(db);
    testParameters(db);
    testHostile(db);
    testExecAndErrors(db);
    testMisuseAndLifecycle(db);
    testThreads(db);          /* the one handle, shared by four threads */
    testForeignTxn(db);       /* a transaction of another thread: misuse */
    testInterrupt(db);
    testRuleReuse(db);
    CHECK(fakt_close(db) == FAKT_OK);
  }
  testVacuum();
  testBackup();
  testDictCache();
  testBindNames();
  testFullMessage();
  gDb = NULL;

  char z[4400];
  snprintf(z, sizeof(z), "%s-lock", zDbPath);
  unlink(z);
  unlink(zDbPath);
  rmdir(zDir);
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail > 0 ? 1 : 0;
}
