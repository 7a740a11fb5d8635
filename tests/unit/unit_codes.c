/*
** unit_codes.c -- every code a public function returns is one its comment
** in include/fakt.h lists (issue 21).
**
** The test reads fakt.h: each `FAKT_API int fakt_NAME(` that returns a
** result code must have a comment above it with a line "Returns ..." naming
** its codes (FAKT_OK, FAKT_MISUSE, ...); a declaration right after another
** shares its comment (fakt_bind_int64 after fakt_bind_text). Then it calls
** every such function in the ways that fail -- bad arguments, missing,
** foreign and damaged files, a read-only handle, syntax, type and name
** errors, limits, interrupts, a transaction ended under a statement -- and
** checks that each code returned is in that function's list. A function
** whose list is missing, or a code not in it, is a failure naming both.
** Run from the top of the tree (tests/run.sh does). Ends with "N passed,
** N failed"; exit status 1 on any failure.
*/
#include "fakt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int nPass, nFail;

#define CHECK(x) do { \
  if (x) nPass++; \
  else { nFail++; printf("%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #x); } \
} while (0)

/* ==== The header's lists ==== */

#define MAX_FN 64
typedef struct Doc {
  char zName[48];            /* fakt_NAME */
  char zCodes[1024];         /* " FAKT_OK FAKT_MISUSE ... " from its Returns text */
  int bHas;                  /* a Returns text was found */
} Doc;
static Doc aDoc[MAX_FN];
static int nDoc;

/* Functions declared `int` whose value is not a result code. */
static const char *const azNotCode[] = {
  "fakt_bind_parameter_count", "fakt_bind_parameter_index", "fakt_column_count",
  "fakt_column_type", "fakt_column_bytes", "fakt_stmt_readonly", "fakt_complete",
  "fakt_errcode", "fakt_error_offset", "fakt_stmt_errcode", "fakt_in_transaction",
};

static int notCode(const char *z) {
  for (size_t i = 0; i < sizeof(azNotCode) / sizeof(azNotCode[0]); i++) {
    if (strcmp(z, azNotCode[i]) == 0) return 1;
  }
  return 0;
}

/* Append to d the FAKT_ codes named in the comment text z[0..n) after its
** first "Returns"/"Return " (the codes may run over several lines). */
static void docCodes(Doc *d, const char *z, size_t n) {
  const char *zEnd = z + n, *p = NULL;
  for (const char *q = z; q + 7 <= zEnd; q++) {
    if (strncmp(q, "Returns", 7) == 0 || strncmp(q, "Return ", 7) == 0) { p = q; break; }
  }
  if (p == NULL) return;
  d->bHas = 1;
  strcpy(d->zCodes, " ");
  for (; p + 5 < zEnd; p++) {
    if (strncmp(p, "FAKT_", 5) != 0) continue;
    size_t k = 5;
    while (p + k < zEnd && ((p[k] >= 'A' && p[k] <= 'Z') || p[k] == '_')) k++;
    if (strlen(d->zCodes) + k + 2 < sizeof(d->zCodes)) {
      strncat(d->zCodes, p, k);
      strcat(d->zCodes, " ");
    }
    p += k - 1;
  }
}

/* Read include/fakt.h into aDoc. 0 on success. */
static int readHeader(void) {
  FILE *f = fopen("include/fakt.h", "rb");
  if (f == NULL) { printf("cannot open include/fakt.h (run from the top of the tree)\n"); return 1; }
  static char z[200000];
  size_t n = fread(z, 1, sizeof(z) - 1, f);
  fclose(f);
  z[n] = 0;
  const char *zCom = NULL;   /* the last comment seen */
  size_t nCom = 0;
  for (const char *p = z; *p; p++) {
    if (p[0] == '/' && p[1] == '*') {
      const char *e = strstr(p + 2, "*/");
      if (e == NULL) break;
      zCom = p; nCom = (size_t)(e - p);
      p = e + 1;
      continue;
    }
    if (strncmp(p, "FAKT_API int fakt_", 18) == 0) {
      const char *zN = p + 13;
      size_t k = 0;
      while (zN[k] == '_' || (zN[k] >= 'a' && zN[k] <= 'z') || (zN[k] >= '0' && zN[k] <= '9')) k++;
      if (nDoc < MAX_FN && k < sizeof(aDoc[0].zName)) {
        Doc *d = &aDoc[nDoc++];
        memcpy(d->zName, zN, k);
        d->zName[k] = 0;
        if (zCom) docCodes(d, zCom, nCom);
      }
    }
  }
  return 0;
}

static Doc *docOf(const char *zName) {
  for (int i = 0; i < nDoc; i++) if (strcmp(aDoc[i].zName, zName) == 0) return &aDoc[i];
  return NULL;
}

/* The symbolic name of code rc (as the header spells it). */
static const char *codeName(int rc) {
  static const struct { int rc; const char *z; } a[] = {
    {FAKT_OK, "FAKT_OK"}, {FAKT_ERROR, "FAKT_ERROR"}, {FAKT_INTERNAL, "FAKT_INTERNAL"},
    {FAKT_PERM, "FAKT_PERM"}, {FAKT_ABORT, "FAKT_ABORT"}, {FAKT_BUSY, "FAKT_BUSY"},
    {FAKT_NOMEM, "FAKT_NOMEM"}, {FAKT_READONLY, "FAKT_READONLY"}, {FAKT_INTERRUPT, "FAKT_INTERRUPT"},
    {FAKT_IOERR, "FAKT_IOERR"}, {FAKT_CORRUPT, "FAKT_CORRUPT"}, {FAKT_NOTFOUND, "FAKT_NOTFOUND"},
    {FAKT_FULL, "FAKT_FULL"}, {FAKT_CANTOPEN, "FAKT_CANTOPEN"}, {FAKT_TOOBIG, "FAKT_TOOBIG"},
    {FAKT_CONSTRAINT, "FAKT_CONSTRAINT"}, {FAKT_MISMATCH, "FAKT_MISMATCH"}, {FAKT_MISUSE, "FAKT_MISUSE"},
    {FAKT_RANGE, "FAKT_RANGE"}, {FAKT_NOTADB, "FAKT_NOTADB"}, {FAKT_SYNTAX, "FAKT_SYNTAX"},
    {FAKT_FORMAT, "FAKT_FORMAT"}, {FAKT_LIMIT, "FAKT_LIMIT"}, {FAKT_ROW, "FAKT_ROW"},
    {FAKT_DONE, "FAKT_DONE"},
  };
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) if (a[i].rc == rc) return a[i].z;
  return "(not a code)";
}

/* Record that zFn returned rc: it must be in its list. Returns rc. */
static int saw(const char *zFn, int rc, int line) {
  Doc *d = docOf(zFn);
  char zKey[64];
  snprintf(zKey, sizeof(zKey), " %s ", codeName(rc));
  if (d == NULL) {
    nFail++;
    printf("unit_codes.c:%d: %s is not declared in fakt.h\n", line, zFn);
  } else if (!d->bHas) {
    nFail++;
    printf("unit_codes.c:%d: %s returned %s, and fakt.h lists no codes for it\n", line, zFn, codeName(rc));
  } else if (strstr(d->zCodes, zKey) == NULL) {
    nFail++;
    printf("unit_codes.c:%d: %s returned %s, not in its list:%s\n", line, zFn, codeName(rc), d->zCodes);
  } else {
    nPass++;
  }
  return rc;
}
#define SAW(FN, CALL) saw(#FN, (FN CALL), __LINE__)

/* ==== The calls ==== */

static char zDir[512];
static char *path(const char *zName) {
  static char a[4][700];
  static int i;
  i = (i + 1) % 4;
  snprintf(a[i], sizeof(a[i]), "%s/%s", zDir, zName);
  return a[i];
}

static void writeFile(const char *zPath, const char *z, size_t n) {
  FILE *f = fopen(zPath, "wb");
  if (f) { fwrite(z, 1, n, f); fclose(f); }
}
/* writeFile of the NUL-terminated z */
static void writeText(const char *zPath, const char *z) { writeFile(zPath, z, strlen(z)); }

static int cbStop(void *p, int n, char **a, char **b) { (void)p; (void)n; (void)a; (void)b; return 1; }
static int progressStop(void *p) { (void)p; return 1; }

static void callOpenClose(void) {
  fakt *db = NULL;
  SAW(fakt_open, (NULL, 0, &db)); fakt_close(db); db = NULL;
  SAW(fakt_open, (path("none.fakt"), FAKT_OPEN_READWRITE, &db)); fakt_close(db); db = NULL;
  SAW(fakt_open, (path("none.fakt"), FAKT_OPEN_READONLY, &db)); fakt_close(db); db = NULL;
  mkdir(path("dir.fakt"), 0755);
  SAW(fakt_open, (path("dir.fakt"), 0, &db)); fakt_close(db); db = NULL;
  writeText(path("text.fakt"), "hello, I am not a database\n");
  SAW(fakt_open, (path("text.fakt"), 0, &db)); fakt_close(db); db = NULL;
  writeFile(path("empty.fakt"), "", 0);
  SAW(fakt_open, (path("empty.fakt"), 0, &db)); fakt_close(db); db = NULL;
  SAW(fakt_open, (path("nodir/x.fakt"), 0, &db)); fakt_close(db); db = NULL;
  /* a real one, then a truncated copy of it */
  CHECK(SAW(fakt_open, (path("real.fakt"), 0, &db)) == FAKT_OK);
  fakt *db2 = NULL;
  SAW(fakt_open, (path("real.fakt"), 0, &db2)); fakt_close(db2); db2 = NULL;   /* open in this process */
  fakt_stmt *p = NULL;
  fakt_prepare(db, "find 1;", -1, &p, NULL);
  SAW(fakt_close, (db));                                                       /* a statement lives */
  fakt_finalize(p);
  SAW(fakt_close, (db));
  SAW(fakt_close, (NULL));
  FILE *f = fopen(path("real.fakt"), "rb");
  char a[8192];
  size_t n = f ? fread(a, 1, sizeof(a), f) : 0;
  if (f) fclose(f);
  writeFile(path("short.fakt"), a, n / 2 + 100);
  SAW(fakt_open, (path("short.fakt"), 0, &db)); fakt_close(db); db = NULL;
}

/* The handle every other call uses: a small database. */
static fakt *gDb;

static void callSettings(void) {
  SAW(fakt_limits, (NULL, 0, 0, 0));
  SAW(fakt_limits, (gDb, -1, 0, 0));
  SAW(fakt_limits, (gDb, 0, 0, 0));
  SAW(fakt_set_max_size, (NULL, 0));
  SAW(fakt_set_max_size, (gDb, -5));
  SAW(fakt_set_max_size, (gDb, 0));
  SAW(fakt_set_mapped, (NULL, 0));
  SAW(fakt_set_mapped, (gDb, -1));
  SAW(fakt_set_mapped, (gDb, (int64_t)256 << 20));
  SAW(fakt_busy_timeout, (NULL, 10));
  SAW(fakt_busy_timeout, (gDb, 5000));
  SAW(fakt_set_origin, (NULL, "x", 1, 1));
  SAW(fakt_set_origin, (gDb, "x", 0, 1));
  SAW(fakt_set_origin, (gDb, NULL, 1, 1));
  SAW(fakt_progress_handler, (NULL, 10, progressStop, NULL));
  SAW(fakt_progress_handler, (gDb, -1, progressStop, NULL));
  SAW(fakt_progress_handler, (gDb, 0, NULL, NULL));
}

static void callPrepare(void) {
  static const char *const az[] = {
    "find ?x where ?x ;", "find ?x where nobody_here p ?x;", "find 1 + \"a\";",
    "claim x: a p;", "find ?x where ?x p1 ?y, ?y > 3 order by ?z;", "@", "find \"\\q\";",
    "find ?x where ?x ~\"nobody\" ?y;", "rule r(?x) if not r(?x);",
  };
  fakt_stmt *p = NULL;
  for (size_t i = 0; i < sizeof(az) / sizeof(az[0]); i++) {
    SAW(fakt_prepare, (gDb, az[i], -1, &p, NULL));
    fakt_finalize(p); p = NULL;
  }
  char *zBig = malloc(2000000);
  if (zBig) {
    memcpy(zBig, "find ", 5);
    memset(zBig + 5, 'a', 1000000);
    strcpy(zBig + 1000005, ";");
    SAW(fakt_prepare, (gDb, zBig, -1, &p, NULL)); fakt_finalize(p); p = NULL;
    memcpy(zBig, "find \"", 6);
    memset(zBig + 6, 'a', 1000000);
    strcpy(zBig + 1000006, "\";");
    SAW(fakt_prepare, (gDb, zBig, -1, &p, NULL)); fakt_finalize(p); p = NULL;
    free(zBig);
  }
  SAW(fakt_prepare, (NULL, "find 1;", -1, &p, NULL));
  SAW(fakt_prepare, (gDb, NULL, -1, &p, NULL));
  SAW(fakt_prepare, (gDb, "find 1;", -1, NULL, NULL));
  SAW(fakt_prepare, (gDb, "  # only a comment", -1, &p, NULL));
}

static void freeIt(void *p) { free(p); }

static void callBinds(void) {
  fakt_stmt *p = NULL;
  fakt_prepare(gDb, "find $a, $b;", -1, &p, NULL);
  SAW(fakt_bind_text, (NULL, 1, "x", -1, FAKT_STATIC));
  SAW(fakt_bind_text, (p, 3, "x", -1, FAKT_STATIC));
  SAW(fakt_bind_text, (p, 1, "\xff\xfe", -1, FAKT_STATIC));
  SAW(fakt_bind_text, (p, 1, strdup("ok"), -1, freeIt));
  char *zHuge = calloc(1, 70000);
  if (zHuge) { memset(zHuge, 'a', 69999); SAW(fakt_bind_text, (p, 1, zHuge, -1, freeIt)); }
  SAW(fakt_bind_int64, (NULL, 1, 1));
  SAW(fakt_bind_int64, (p, 0, 1));
  SAW(fakt_bind_int64, (p, 2, 7));
  SAW(fakt_bind_double, (p, 2, NAN));
  SAW(fakt_bind_double, (p, 2, INFINITY));
  SAW(fakt_bind_double, (p, 9, 1.5));
  SAW(fakt_bind_double, (p, 2, 1.5));
  SAW(fakt_bind_null, (p, 5));
  SAW(fakt_bind_null, (p, 1));
  SAW(fakt_bind_entity, (p, 1, "no_such_entity"));
  SAW(fakt_bind_entity, (p, 1, NULL));
  SAW(fakt_bind_entity, (p, 1, "kim"));
  SAW(fakt_bind_literal, (p, 1, "@2023-09", -1));
  SAW(fakt_bind_literal, (p, 1, "1; retract k1", -1));
  SAW(fakt_bind_literal, (p, 1, "~\"Nobody\"", -1));
  SAW(fakt_bind_literal, (p, 1, "~\"Twin\"", -1));
  SAW(fakt_bind_literal, (p, 1, NULL, 0));
  SAW(fakt_bind_literal, (p, 7, "1", -1));
  SAW(fakt_clear_bindings, (NULL));
  SAW(fakt_clear_bindings, (p));
  SAW(fakt_step, (p));
  SAW(fakt_bind_int64, (p, 1, 1));       /* running */
  SAW(fakt_bind_literal, (p, 1, "1", -1));
  SAW(fakt_clear_bindings, (p));
  SAW(fakt_reset, (p));
  SAW(fakt_reset, (NULL));
  SAW(fakt_finalize, (p));
  SAW(fakt_finalize, (NULL));
}

/* Step zSql once (prepare must work) and record the step's code. */
static void stepOnce(const char *zSql) {
  fakt_stmt *p = NULL;
  if (fakt_prepare(gDb, zSql, -1, &p, NULL) != FAKT_OK || p == NULL) {
    printf("  (prepare of %s failed: %s)\n", zSql, fakt_errmsg(gDb));
    return;
  }
  int rc;
  while ((rc = saw("fakt_step", fakt_step(p), __LINE__)) == FAKT_ROW) {}
  fakt_finalize(p);
}

static void callStep(void) {
  SAW(fakt_step, (NULL));
  stepOnce("find ?x where ?x p1 ?y;");
  stepOnce("find ?y + 1 where ?x p1 ?y;");
  stepOnce("find ?x where ?x p1 ?y, ?y > @2023;");         /* number and date */
  stepOnce("claim k1: kim p1 5;");                          /* the same again: fine */
  stepOnce("claim k1: kim p1 6;");                          /* redefinition */
  stepOnce("entity kim place \"Other\";");
  stepOnce("commit;");                                      /* no transaction */
  stepOnce("load \"/nonexistent/x.facts\";");
  /* a load its progress handler stops */
  writeText(path("two.facts"), "entity pa person \"A\";\nentity pb person \"B\";\n");
  SAW(fakt_progress_handler, (gDb, 1, progressStop, NULL));
  char zLoad[800];
  snprintf(zLoad, sizeof(zLoad), "load \"%s\";", path("two.facts"));
  stepOnce(zLoad);
  char *zErr = NULL;
  SAW(fakt_exec, (gDb, zLoad, NULL, NULL, &zErr)); fakt_free(zErr);
  SAW(fakt_progress_handler, (gDb, 0, NULL, NULL));
  stepOnce("drop rule no_rule;");
  stepOnce("find 1e308 * 10;");                            /* float overflow */
  fakt_limits(gDb, 2, 0, 0);
  stepOnce("find ?a, ?b where ?a p1 ?x, ?b p1 ?y;");
  fakt_limits(gDb, 0, 0, 0);
  /* interrupted: from the exec callback, then the next statement */
  fakt_stmt *p = NULL;
  fakt_prepare(gDb, "find ?a, ?b where ?a p1 ?x, ?b p1 ?y;", -1, &p, NULL);
  if (p) {
    int rc = fakt_step(p);
    fakt_interrupt(gDb);
    while (rc == FAKT_ROW) rc = fakt_step(p);
    saw("fakt_step", rc, __LINE__);
    fakt_finalize(p);
  }
  /* a transaction ended under a running statement */
  fakt_exec(gDb, "begin;", NULL, NULL, NULL);
  p = NULL;
  fakt_prepare(gDb, "find ?x where ?x p1 ?y;", -1, &p, NULL);
  if (p) {
    SAW(fakt_step, (p));
    fakt_exec(gDb, "rollback;", NULL, NULL, NULL);
    SAW(fakt_step, (p));
    fakt_finalize(p);
  }
}

static void callExec(void) {
  char *zErr = NULL;
  SAW(fakt_exec, (NULL, "find 1;", NULL, NULL, &zErr)); fakt_free(zErr); zErr = NULL;
  SAW(fakt_exec, (gDb, NULL, NULL, NULL, &zErr)); fakt_free(zErr); zErr = NULL;
  SAW(fakt_exec, (gDb, "find ?x where ?x p1 ?y;", cbStop, NULL, &zErr)); fakt_free(zErr); zErr = NULL;
  SAW(fakt_exec, (gDb, "find 1; find ?x where ?x nope ?y;", NULL, NULL, &zErr)); fakt_free(zErr); zErr = NULL;
  SAW(fakt_exec, (gDb, "claim k1: kim p1 7;", NULL, NULL, &zErr)); fakt_free(zErr); zErr = NULL;
  SAW(fakt_exec, (gDb, "find 1 +", NULL, NULL, &zErr)); fakt_free(zErr); zErr = NULL;
}

static void callCheckVacuum(void) {
  char *z = NULL;
  SAW(fakt_check, (NULL, &z)); fakt_free(z); z = NULL;
  SAW(fakt_check, (gDb, &z)); fakt_free(z); z = NULL;
  SAW(fakt_vacuum_into, (NULL, path("v.fakt")));
  SAW(fakt_vacuum_into, (gDb, NULL));
  SAW(fakt_vacuum_into, (gDb, path("v.fakt")));
  SAW(fakt_vacuum_into, (gDb, path("v.fakt")));          /* it exists now */
  SAW(fakt_vacuum_into, (gDb, path("nodir/v.fakt")));
  SAW(fakt_backup, (NULL, path("b.fakt")));
  SAW(fakt_backup, (gDb, NULL));
  SAW(fakt_backup, (gDb, path("b.fakt")));
  SAW(fakt_backup, (gDb, path("b.fakt")));               /* it exists now */
  SAW(fakt_backup, (gDb, path("nodir/b.fakt")));
}

static void callExportImport(void) {
  char *z = NULL;
  int64_t nR = 0, nS = 0;
  SAW(fakt_export, (NULL, "jsonl", path("e.jsonl"), NULL, &z)); fakt_free(z); z = NULL;
  SAW(fakt_export, (gDb, "nosuch", path("e.jsonl"), NULL, &z)); fakt_free(z); z = NULL;
  SAW(fakt_export, (gDb, "jsonl", path("nodir/e.jsonl"), NULL, &z)); fakt_free(z); z = NULL;
  SAW(fakt_export, (gDb, "jsonl", path("e.jsonl"), "find 1 +", &z)); fakt_free(z); z = NULL;
  SAW(fakt_export, (gDb, "dot", path("e.dot"), "no_such_entity", &z)); fakt_free(z); z = NULL;
  SAW(fakt_export, (gDb, "jsonl", path("e.jsonl"), NULL, &z)); fakt_free(z); z = NULL;
  SAW(fakt_import, (NULL, "jsonl", path("e.jsonl"), NULL, NULL, &nR, &nS, &z)); fakt_free(z); z = NULL;
  SAW(fakt_import, (gDb, "nosuch", path("e.jsonl"), NULL, NULL, &nR, &nS, &z)); fakt_free(z); z = NULL;
  SAW(fakt_import, (gDb, "jsonl", path("none.jsonl"), NULL, NULL, &nR, &nS, &z)); fakt_free(z); z = NULL;
  writeText(path("bad.jsonl"), "{\"kind\": \n");
  SAW(fakt_import, (gDb, "jsonl", path("bad.jsonl"), NULL, NULL, &nR, &nS, &z)); fakt_free(z); z = NULL;
  writeText(path("clash.jsonl"), "{\"kind\":\"entity\",\"id\":\"kim\",\"type\":\"place\",\"label\":\"K\"}\n");
  SAW(fakt_import, (gDb, "jsonl", path("clash.jsonl"), NULL, NULL, &nR, &nS, &z)); fakt_free(z); z = NULL;
  fakt_exec(gDb, "begin;", NULL, NULL, NULL);
  SAW(fakt_import, (gDb, "jsonl", path("e.jsonl"), NULL, NULL, &nR, &nS, &z)); fakt_free(z); z = NULL;
  fakt_exec(gDb, "rollback;", NULL, NULL, NULL);
  /* a read-only handle */
  fakt *db = NULL;
  fakt_close(gDb);
  gDb = NULL;
  if (fakt_open(path("real.fakt"), FAKT_OPEN_READONLY, &db) == FAKT_OK) {
    SAW(fakt_import, (db, "jsonl", path("e.jsonl"), NULL, NULL, &nR, &nS, &z)); fakt_free(z); z = NULL;
    fakt_stmt *p = NULL;
    SAW(fakt_prepare, (db, "entity r1 person \"R\";", -1, &p, NULL));
    if (p) SAW(fakt_step, (p));
    fakt_finalize(p);
    char *zErr = NULL;
    SAW(fakt_exec, (db, "claim k9: kim p1 1;", NULL, NULL, &zErr)); fakt_free(zErr);
  }
  fakt_close(db);
}

int main(void) {
  const char *zTmp = getenv("TMPDIR");
  snprintf(zDir, sizeof(zDir), "%s/fakt-unit-codes-XXXXXX", zTmp && zTmp[0] ? zTmp : "/tmp");
  if (mkdtemp(zDir) == NULL) { perror("mkdtemp"); return 2; }
  if (readHeader()) return 2;
  /* every function that returns a code has a list */
  for (int i = 0; i < nDoc; i++) {
    if (notCode(aDoc[i].zName)) continue;
    if (aDoc[i].bHas) nPass++;
    else { nFail++; printf("fakt.h: %s returns a code but lists none (\"Returns ...\")\n", aDoc[i].zName); }
  }
  CHECK(nDoc >= 30);         /* the header was read */
  callOpenClose();
  CHECK(fakt_open(path("real.fakt"), 0, &gDb) == FAKT_OK);
  CHECK(fakt_exec(gDb, "entity kim person \"Kim\"; entity t1 place \"Twin\"; entity t2 place \"Twin\";"
                  "predicate p1 : number; claim kim p1 1; claim t1 p1 2; claim t2 p1 3;",
                  NULL, NULL, NULL) == FAKT_OK);
  callSettings();
  callPrepare();
  callBinds();
  callStep();
  callExec();
  callCheckVacuum();
  callExportImport();
  fakt_close(gDb);
  char zCmd[800];
  snprintf(zCmd, sizeof(zCmd), "rm -rf '%s'", zDir);
  if (system(zCmd) != 0) printf("  (could not remove %s)\n", zDir);
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
