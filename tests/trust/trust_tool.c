/*
** trust_tool.c -- the helper program of the trust tests (tests/trust/).
**
**   trust_tool check DB                 fakt_check(); prints the report; exit 0 if ok
**   trust_tool query DB [OPTS] TEXT     run TEXT statement by statement
**       --rows N --mem N --ms N           fakt_limits() first
**       --file                            TEXT is a file name: run its raw bytes
**                                         (NUL bytes included) with an explicit length
**       --bind VALUE                      bind VALUE as text to the next parameter
**       --readonly                        open read-only
**     rows are printed as "a|b" (NULL for null); an error is printed to stderr
**     as "error: MESSAGE (CODE)" and the exit status is 1
**   trust_tool setformat DB N           write meta/format = N straight through LMDB
**   trust_tool writer DB N LOG          N transactions, each adding claim nI;
**                                       after each commit returns, "I" is appended
**                                       to LOG and fsync'd
**   trust_tool verify DB LAST N         after a kill: fakt_check passes and the
**                                       claims are exactly n1..nM, LAST <= M <= N
**   trust_tool cwriter DB N             N transactions, each adding two claims that
**                                       belong together (x left I, x right I)
**   trust_tool reader DB DONEFILE       until DONEFILE exists (and once after): every
**                                       read sees as many left as right claims, no
**                                       left without its right, counts never shrink
**   trust_tool grow DB                  growth past the initial 64 MiB map
**   trust_tool full DB                  fakt_set_max_size: FAKT_FULL, nothing lost
**   trust_tool randfile PATH N SEED     N pseudo-random bytes (seeded)
**   trust_tool flip PATH OFFSET N       XOR N bytes at OFFSET with 0x5a
**   trust_tool hold DB READY SNAP       open read-only (SNAP 1: hold a snapshot),
**                                       create READY, wait to be killed
**   trust_tool blobs DB FIRST N PER [STARTED]  N transactions of PER 60 KB claims
**   trust_tool opener DB DONE N         open read-only and read until DONE exists
**   trust_tool aslimit DB MB            address space limited to now + MB MiB:
**                                       writes until one does not fit (FAKT_FULL)
**
** Every mode except query ends with "N passed, N failed" where that makes sense;
** exit status 0 on success, 1 on failure, 2 on a usage error.
*/
#include "fakt.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static int nPass, nFail;
#define CHECK(x, ...) do { if (x) nPass++; else { nFail++; printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #x); \
  printf(__VA_ARGS__); printf("\n"); } } while (0)

static int finish(void) {
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}

/* ==== check ==== */

static int cmdCheck(const char *zDb) {
  fakt *db = NULL;
  int rc = fakt_open(zDb, FAKT_OPEN_READONLY, &db);
  if (rc != FAKT_OK) { fprintf(stderr, "error: %s (%d)\n", fakt_errmsg(db), rc); fakt_close(db); return 1; }
  char *zRep = NULL;
  rc = fakt_check(db, &zRep);
  printf("%s\n", zRep ? zRep : "(no report)");
  fakt_free(zRep);
  fakt_close(db);
  return rc == FAKT_OK ? 0 : 1;
}

/* ==== query ==== */

static char *readFile(const char *zPath, long *pn) {
  FILE *f = fopen(zPath, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *z = malloc((size_t)n + 1);
  if (z && fread(z, 1, (size_t)n, f) != (size_t)n) { free(z); z = NULL; }
  fclose(f);
  if (z) z[n] = 0;
  *pn = n;
  return z;
}

static int cmdQuery(int argc, char **argv) {
  const char *zDb = argv[0];
  long long nRows = 0, nMem = 0, nMs = 0;
  int bFile = 0, flags = FAKT_OPEN_READWRITE, nBind = 0;
  const char *azBind[64];
  int i = 1;
  for (; i < argc - 1; i++) {
    if (!strcmp(argv[i], "--rows")) nRows = atoll(argv[++i]);
    else if (!strcmp(argv[i], "--mem")) nMem = atoll(argv[++i]);
    else if (!strcmp(argv[i], "--ms")) nMs = atoll(argv[++i]);
    else if (!strcmp(argv[i], "--file")) bFile = 1;
    else if (!strcmp(argv[i], "--readonly")) flags = FAKT_OPEN_READONLY;
    else if (!strcmp(argv[i], "--bind") && nBind < 64) azBind[nBind++] = argv[++i];
    else break;
  }
  if (i != argc - 1) { fprintf(stderr, "usage: trust_tool query DB [OPTS] TEXT\n"); return 2; }
  long nText = -1;
  char *zText = bFile ? readFile(argv[i], &nText) : strdup(argv[i]);
  if (!zText) { fprintf(stderr, "cannot read %s\n", argv[i]); return 2; }
  if (!bFile) nText = (long)strlen(zText);
  fakt *db = NULL;
  int rc = fakt_open(zDb, flags, &db);
  if (rc != FAKT_OK) { fprintf(stderr, "error: %s (%d)\n", fakt_errmsg(db), rc); fakt_close(db); free(zText); return 1; }
  fakt_limits(db, nRows, nMem, nMs);
  const char *z = zText, *zEnd = zText + nText;
  int bad = 0;
  while (z < zEnd && !bad) {
    fakt_stmt *st = NULL;
    const char *zTail = NULL;
    rc = fakt_prepare(db, z, (int)(zEnd - z), &st, &zTail);
    if (rc != FAKT_OK) { fprintf(stderr, "error: %s (%d)\n", fakt_errmsg(db), rc); bad = 1; break; }
    if (!zTail || zTail <= z) zTail = zEnd;
    z = zTail;
    if (!st) continue;
    for (int k = 0; k < nBind; k++) {
      rc = fakt_bind_text(st, k + 1, azBind[k], -1, FAKT_TRANSIENT);
      if (rc != FAKT_OK) { fprintf(stderr, "error: %s (%d)\n", fakt_errmsg(db), rc); bad = 1; }
    }
    while (!bad && (rc = fakt_step(st)) == FAKT_ROW) {
      for (int c = 0; c < fakt_column_count(st); c++) {
        const char *v = fakt_column_text(st, c);
        printf("%s%s", c ? "|" : "", v ? v : "NULL");
      }
      printf("\n");
    }
    if (!bad && rc != FAKT_DONE) { fprintf(stderr, "error: %s (%d)\n", fakt_errmsg(db), rc); bad = 1; }
    fakt_finalize(st);
  }
  fakt_close(db);
  free(zText);
  return bad;
}

/* ==== setformat: write meta/format through LMDB itself ==== */

static int cmdSetFormat(const char *zDb, unsigned v) {
  MDB_env *env;
  MDB_txn *txn;
  MDB_dbi dbi;
  int rc = mdb_env_create(&env);
  if (!rc) rc = mdb_env_set_maxdbs(env, 64);
  if (!rc) rc = mdb_env_set_mapsize(env, 64u << 20);
  if (!rc) rc = mdb_env_open(env, zDb, MDB_NOSUBDIR, 0644);
  if (!rc) rc = mdb_txn_begin(env, NULL, 0, &txn);
  if (!rc) rc = mdb_dbi_open(txn, "meta", 0, &dbi);
  if (!rc) {
    unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v };
    MDB_val k = { 6, "format" }, d = { 4, b };
    rc = mdb_put(txn, dbi, &k, &d, 0);
    if (!rc) rc = mdb_txn_commit(txn); else mdb_txn_abort(txn);
  }
  mdb_env_close(env);
  if (rc) { fprintf(stderr, "setformat: %s\n", mdb_strerror(rc)); return 1; }
  return 0;
}

/* ==== crash test: writer and verify ==== */

static int cmdWriter(const char *zDb, int n, const char *zLog) {
  fakt *db = NULL;
  int fd = open(zLog, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) { perror(zLog); return 2; }
  if (fakt_open(zDb, 0, &db) != FAKT_OK) { fprintf(stderr, "writer: %s\n", fakt_errmsg(db)); return 1; }
  char *zErr = NULL;
  if (fakt_exec(db, "predicate num : number; entity x thing \"X\";", NULL, NULL, &zErr) != FAKT_OK) {
    fprintf(stderr, "writer: %s\n", zErr); return 1;
  }
  for (int i = 1; i <= n; i++) {
    char z[160];
    /* one transaction per script statement; a few are explicit begin/commit
    ** with two statements, so a partial transaction would be visible */
    if (i % 7 == 0) snprintf(z, sizeof z, "begin; claim n%d: x num %d; claim m%d: x num %d; commit;", i, i, i, -i);
    else snprintf(z, sizeof z, "claim n%d: x num %d;", i, i);
    if (fakt_exec(db, z, NULL, NULL, &zErr) != FAKT_OK) { fprintf(stderr, "writer: tx %d: %s\n", i, zErr); return 1; }
    char zl[32];
    int k = snprintf(zl, sizeof zl, "%d\n", i);
    if (write(fd, zl, (size_t)k) != k || fsync(fd) != 0) { perror("writer: log"); return 1; }
  }
  fakt_close(db);
  close(fd);
  return 0;
}

static int cmdVerify(const char *zDb, int nLast, int nMax) {
  fakt *db = NULL;
  int rc = fakt_open(zDb, FAKT_OPEN_READWRITE, &db);
  CHECK(rc == FAKT_OK, "open after kill: %s", fakt_errmsg(db));
  if (rc != FAKT_OK) { fakt_close(db); return finish(); }
  char *zRep = NULL;
  rc = fakt_check(db, &zRep);
  CHECK(rc == FAKT_OK, "fakt_check after kill: %s", zRep ? zRep : "?");
  fakt_free(zRep);
  char *seen = calloc((size_t)nMax + 2, 1);
  int nNeg = 0;
  fakt_stmt *st = NULL;
  rc = fakt_prepare(db, "find ?n where x num ?n;", -1, &st, NULL);
  if (rc == FAKT_OK) {
    while ((rc = fakt_step(st)) == FAKT_ROW) {
      long long v = fakt_column_int64(st, 0);
      if (v > 0 && v <= nMax) seen[v]++;
      else if (v < 0 && -v <= nMax && (-v) % 7 == 0) nNeg++;
      else { CHECK(0, "unexpected value %lld", v); }
    }
  }
  CHECK(rc == FAKT_DONE, "query after kill: %s", fakt_errmsg(db));
  fakt_finalize(st);
  int m = 0;
  while (m < nMax && seen[m + 1] == 1) m++;
  int extra = 0;
  for (int i = m + 1; i <= nMax; i++) if (seen[i]) extra++;
  CHECK(extra == 0, "claims present are not a prefix: n1..n%d then %d more", m, extra);
  CHECK(m >= nLast, "committed transaction lost: log says %d, database has n1..n%d", nLast, m);
  /* the two-claim transactions are whole: m7 is there iff n7 is */
  int nWantNeg = m / 7;
  CHECK(nNeg == nWantNeg, "partial transaction: %d of the %d two-claim transactions complete", nNeg, nWantNeg);
  CHECK(fakt_last_tx(db) >= m, "last_tx %lld < %d", (long long)fakt_last_tx(db), m);
  printf("verify: log %d, database n1..n%d, last_tx %lld\n", nLast, m, (long long)fakt_last_tx(db));
  free(seen);
  fakt_close(db);
  return finish();
}

/* ==== concurrency: writer of pairs, readers ==== */

static int cmdCWriter(const char *zDb, int n) {
  fakt *db = NULL;
  char *zErr = NULL;
  if (fakt_open(zDb, 0, &db) != FAKT_OK) { fprintf(stderr, "cwriter: %s\n", fakt_errmsg(db)); return 1; }
  for (int i = 1; i <= n; i++) {
    char z[200];
    snprintf(z, sizeof z, "begin; claim l%d: x left %d; claim r%d: x right %d; commit;", i, i, i, i);
    if (fakt_exec(db, z, NULL, NULL, &zErr) != FAKT_OK) { fprintf(stderr, "cwriter: tx %d: %s\n", i, zErr); return 1; }
  }
  fakt_close(db);
  return 0;
}

static long long one(fakt *db, const char *zQ, int *pBad) {
  fakt_stmt *st = NULL;
  long long v = -1;
  int rc = fakt_prepare(db, zQ, -1, &st, NULL);
  if (rc == FAKT_OK && (rc = fakt_step(st)) == FAKT_ROW) v = fakt_column_int64(st, 0), rc = fakt_step(st);
  if (rc != FAKT_DONE) { printf("FAIL reader: %s: %s (%d)\n", zQ, fakt_errmsg(db), rc); *pBad = 1; }
  fakt_finalize(st);
  return v;
}

static int cmdReader(const char *zDb, const char *zDone) {
  fakt *db = NULL;
  int rc = fakt_open(zDb, FAKT_OPEN_READONLY, &db);
  CHECK(rc == FAKT_OK, "reader open: %s", fakt_errmsg(db));
  if (rc != FAKT_OK) return finish();
  long long nPrev = 0;
  int nRead = 0, bLast = 0;
  for (;;) {
    int bDone = access(zDone, F_OK) == 0;
    int bad = 0;
    /* one statement = one snapshot: every left has its right and vice versa */
    long long nL = one(db, "find count() where x left ?n;", &bad);
    long long nOrphan = one(db, "find count() where x left ?n, not x right ?n;", &bad);
    long long nOrphan2 = one(db, "find count() where x right ?n, not x left ?n;", &bad);
    long long nAll = one(db, "find count() where ?c: ?s ?p ?o;", &bad);
    CHECK(!bad, "a read failed");
    CHECK(nOrphan == 0 && nOrphan2 == 0, "a snapshot with half a transaction: %lld/%lld orphans", nOrphan, nOrphan2);
    CHECK(nAll % 2 == 0, "odd number of claims in one snapshot: %lld", nAll);
    CHECK(nL >= nPrev, "the count went back from %lld to %lld", nPrev, nL);
    if (nL > nPrev) nPrev = nL;
    nRead++;
    if (bad || nFail > 20) break;
    if (bLast) break;
    if (bDone) bLast = 1;   /* one more round after the writer finished */
  }
  printf("reader: %d rounds, last count %lld\n", nRead, nPrev);
  fakt_close(db);
  return finish();
}

/* ==== growth and the maximum size ==== */

static long long fileSize(const char *z) {
  struct stat s;
  return stat(z, &s) == 0 ? (long long)s.st_size : -1;
}

static long long count(fakt *db, const char *zQ) {
  int bad = 0;
  long long v = one(db, zQ, &bad);
  return bad ? -1 : v;
}

/* A string of about n bytes unique to i: capitals, so no folding work. */
static void bigString(char *z, int n, int i) {
  int k = snprintf(z, (size_t)n, "S%08d ", i);
  unsigned x = (unsigned)i * 2654435761u + 1;
  for (; k < n - 1; k++) { x = x * 1103515245u + 12345u; z[k] = (char)('A' + (x >> 16) % 26); }
  z[n - 1] = 0;
}

static int cmdGrow(const char *zDb) {
  fakt *db = NULL;
  char *zErr = NULL;
  int rc = fakt_open(zDb, 0, &db);
  CHECK(rc == FAKT_OK, "open: %s", fakt_errmsg(db));
  if (rc != FAKT_OK) return finish();
  rc = fakt_exec(db, "predicate blob : string; entity x thing \"X\";", NULL, NULL, &zErr);
  CHECK(rc == FAKT_OK, "schema: %s", zErr ? zErr : "");
  long long nStart = fileSize(zDb);
  /* 1,200 strings of 60,000 bytes: 72 MB, past the 64 MiB initial map */
  const int N = 1200, SZ = 60000;
  char *zBuf = malloc(SZ + 200), *zStmt = malloc((size_t)SZ * 10 + 2000);
  int nOk = 0;
  for (int t = 0; t < N / 10; t++) {
    size_t n = (size_t)sprintf(zStmt, "begin;");
    for (int j = 0; j < 10; j++) {
      int i = t * 10 + j;
      bigString(zBuf, SZ, i);
      n += (size_t)sprintf(zStmt + n, " claim b%d: x blob \"%s\";", i, zBuf);
    }
    sprintf(zStmt + n, " commit;");
    rc = fakt_exec(db, zStmt, NULL, NULL, &zErr);
    if (rc != FAKT_OK) { CHECK(0, "batch %d: %s", t, zErr); fakt_free(zErr); zErr = NULL; break; }
    nOk++;
  }
  CHECK(nOk == N / 10, "all %d batches committed (%d)", N / 10, nOk);
  long long nEnd = fileSize(zDb);
  CHECK(nEnd > 64LL << 20, "the file grew past the initial 64 MiB map: %lld bytes", nEnd);
  CHECK(nEnd > nStart, "the file grew: %lld -> %lld", nStart, nEnd);
  fakt_close(db);
  db = NULL;
  rc = fakt_open(zDb, FAKT_OPEN_READONLY, &db);
  CHECK(rc == FAKT_OK, "reopen: %s", fakt_errmsg(db));
  CHECK(count(db, "find count() where x blob ?s;") == N, "every claim is there after reopening");
  CHECK(count(db, "find count() where x blob ?s, length(?s) = 59999;") == N, "every string is whole");
  /* spot-check content */
  bigString(zBuf, SZ, 777);
  fakt_stmt *st = NULL;
  rc = fakt_prepare(db, "find ?s where b777: x blob ?s;", -1, &st, NULL);
  CHECK(rc == FAKT_OK && fakt_step(st) == FAKT_ROW && strcmp(fakt_column_text(st, 0), zBuf) == 0, "claim b777 reads back byte for byte");
  fakt_finalize(st);
  char *zRep = NULL;
  CHECK(fakt_check(db, &zRep) == FAKT_OK, "fakt_check: %s", zRep ? zRep : "?");
  fakt_free(zRep);
  fakt_close(db);
  /* one begin ... commit of 72 MB on a new file: the map is grown before
  ** the transaction begins, with room for it (SPEC 11.5) */
  char zDb2[1024];
  snprintf(zDb2, sizeof(zDb2), "%s.one", zDb);
  rc = fakt_open(zDb2, 0, &db);
  CHECK(rc == FAKT_OK, "open %s: %s", zDb2, fakt_errmsg(db));
  rc = fakt_exec(db, "predicate blob : string; entity x thing \"X\"; begin;", NULL, NULL, &zErr);
  CHECK(rc == FAKT_OK, "schema and begin: %s", zErr ? zErr : "");
  for (int i = 0; i < N && rc == FAKT_OK; i++) {
    bigString(zBuf, SZ, i);
    sprintf(zStmt, "claim b%d: x blob \"%s\";", i, zBuf);
    rc = fakt_exec(db, zStmt, NULL, NULL, &zErr);
  }
  if (rc == FAKT_OK) rc = fakt_exec(db, "commit;", NULL, NULL, &zErr);
  CHECK(rc == FAKT_OK, "72 MB in one transaction: %s", zErr ? zErr : "");
  fakt_free(zErr);
  zErr = NULL;
  CHECK(count(db, "find count() where x blob ?s, length(?s) = 59999;") == N, "every claim of the one transaction is there");
  CHECK(fileSize(zDb2) > 64LL << 20, "its file is past 64 MiB: %lld bytes", fileSize(zDb2));
  fakt_close(db);
  remove(zDb2);
  snprintf(zDb2 + strlen(zDb2), sizeof(zDb2) - strlen(zDb2), "-lock");
  remove(zDb2);
  free(zBuf); free(zStmt);
  printf("grow: %lld -> %lld bytes\n", nStart, nEnd);
  return finish();
}

static int cmdFull(const char *zDb) {
  fakt *db = NULL;
  char *zErr = NULL;
  int rc = fakt_open(zDb, 0, &db);
  CHECK(rc == FAKT_OK, "open: %s", fakt_errmsg(db));
  if (rc != FAKT_OK) return finish();
  const long long MAX = 4LL << 20;
  CHECK(fakt_set_max_size(db, MAX) == FAKT_OK, "fakt_set_max_size");
  rc = fakt_exec(db, "predicate blob : string; entity x thing \"X\";", NULL, NULL, &zErr);
  CHECK(rc == FAKT_OK, "schema: %s", zErr ? zErr : "");
  const int SZ = 50000;
  char *zBuf = malloc(SZ + 200), *zStmt = malloc((size_t)SZ * 4 + 2000);
  int nCommitted = 0, nFull = 0, i = 0;
  /* one claim of 50 KB per statement (its own transaction) until it is full */
  for (int t = 0; t < 400 && !nFull; t++, i++) {
    bigString(zBuf, SZ, i);
    sprintf(zStmt, "claim b%d: x blob \"%s\";", i, zBuf);
    rc = fakt_exec(db, zStmt, NULL, NULL, &zErr);
    if (rc == FAKT_OK) { nCommitted++; continue; }
    nFull = 1;
    CHECK(rc == FAKT_FULL, "the write that does not fit fails with FAKT_FULL, got %d: %s", rc, zErr ? zErr : "");
    CHECK(zErr && strstr(zErr, "database is full") && strstr(zErr, "nothing was changed"),
          "a clear message (SPEC 11.5): %s", zErr ? zErr : "(none)");
    printf("full: after %d claims: %s\n", nCommitted, zErr ? zErr : "");
    fakt_free(zErr);
    zErr = NULL;
  }
  /* the same inside begin ... commit: a claim that ran out of room after it
  ** began to write dooms the transaction (SPEC 11.1): commit fails and
  ** writes nothing, not even the small claim before it */
  if (nFull) {
    bigString(zBuf, SZ, 99999);
    sprintf(zStmt, "begin; claim pre: x blob \"small\"; claim big: x blob \"%s\";", zBuf);
    rc = fakt_exec(db, zStmt, NULL, NULL, &zErr);
    CHECK(rc == FAKT_FULL, "inside begin: FAKT_FULL, got %d: %s", rc, zErr ? zErr : "");
    CHECK(zErr && strstr(zErr, "the transaction will be rolled back"), "the message says the transaction is lost: %s", zErr ? zErr : "(none)");
    fakt_free(zErr);
    zErr = NULL;
    rc = fakt_exec(db, "commit;", NULL, NULL, &zErr);
    CHECK(rc == FAKT_FULL, "commit of the doomed transaction fails with FAKT_FULL, got %d: %s", rc, zErr ? zErr : "");
    fakt_free(zErr);
    zErr = NULL;
    CHECK(count(db, "find count() where x blob ?s, length(?s) = 5;") == 0, "the claim before the failed one was not committed");
    CHECK(fakt_exec(db, "begin; rollback;", NULL, NULL, NULL) == FAKT_OK, "a new transaction works after the failed commit");
  }
  CHECK(nFull, "the database became full below %lld bytes", MAX);
  CHECK(nCommitted > 0, "something fitted before it was full");
  CHECK(count(db, "find count() where x blob ?s;") == nCommitted, "the same handle still reads every committed claim");
  /* a small write still fits or fails cleanly; either way nothing is half-done */
  rc = fakt_exec(db, "claim small: x blob \"tiny\";", NULL, NULL, &zErr);
  CHECK(rc == FAKT_OK || rc == FAKT_FULL, "a small write afterwards: %d %s", rc, zErr ? zErr : "");
  if (rc == FAKT_OK) nCommitted++;
  fakt_free(zErr);
  zErr = NULL;
  fakt_close(db);
  CHECK(fileSize(zDb) <= MAX, "the file stayed within the maximum: %lld", fileSize(zDb));
  db = NULL;
  rc = fakt_open(zDb, FAKT_OPEN_READONLY, &db);
  CHECK(rc == FAKT_OK, "reopen: %s", fakt_errmsg(db));
  CHECK(count(db, "find count() where x blob ?s;") == nCommitted, "nothing committed was lost after reopening");
  char *zRep = NULL;
  CHECK(fakt_check(db, &zRep) == FAKT_OK, "fakt_check: %s", zRep ? zRep : "?");
  fakt_free(zRep);
  fakt_close(db);
  free(zBuf); free(zStmt);
  return finish();
}

/* ==== several processes on one file (multiproc.sh, issue 25) ==== */

/* Open DB read-only; with bSnap hold a snapshot (a statement stepped once);
** create READY; then wait to be killed (at most 120 s). */
static int cmdHold(const char *zDb, const char *zReady, int bSnap) {
  fakt *db = NULL;
  fakt_stmt *st = NULL;
  int rc = fakt_open(zDb, FAKT_OPEN_READONLY, &db);
  if (rc != FAKT_OK) { fprintf(stderr, "hold: %s (%d)\n", fakt_errmsg(db), rc); fakt_close(db); return 1; }
  if (bSnap) {
    rc = fakt_prepare(db, "find ?c where ?c: ?s ?p ?o;", -1, &st, NULL);
    if (rc == FAKT_OK) rc = fakt_step(st);
    if (rc != FAKT_ROW && rc != FAKT_DONE) { fprintf(stderr, "hold: %s (%d)\n", fakt_errmsg(db), rc); return 1; }
  }
  int fd = open(zReady, O_WRONLY | O_CREAT, 0644);
  if (fd < 0) { perror(zReady); return 2; }
  close(fd);
  for (int i = 0; i < 1200; i++) usleep(100000);
  fakt_finalize(st);
  fakt_close(db);
  return 0;
}

/* N transactions from FIRST on, PER claims each, of a 60,000-byte string:
** the file grows by about 60 KB a claim. Creates STARTED (if given) after
** the first commit. */
static int cmdBlobs(const char *zDb, int nFirst, int n, int nPer, const char *zStarted) {
  fakt *db = NULL;
  char *zErr = NULL;
  const int SZ = 60000;
  if (fakt_open(zDb, 0, &db) != FAKT_OK) { fprintf(stderr, "blobs: %s\n", fakt_errmsg(db)); return 1; }
  if (fakt_exec(db, "predicate blob : string; entity x thing \"X\";", NULL, NULL, &zErr) != FAKT_OK) {
    fprintf(stderr, "blobs: %s\n", zErr); return 1;
  }
  char *zBuf = malloc(SZ + 200), *zStmt = malloc((size_t)(SZ + 100) * (size_t)nPer + 100);
  int bad = 0;
  for (int t = 0; t < n && !bad; t++) {
    size_t k = (size_t)sprintf(zStmt, "begin;");
    for (int j = 0; j < nPer; j++) {
      int i = nFirst + t * nPer + j;
      bigString(zBuf, SZ, i);
      k += (size_t)sprintf(zStmt + k, " claim b%d: x blob \"%s\";", i, zBuf);
    }
    sprintf(zStmt + k, " commit;");
    if (fakt_exec(db, zStmt, NULL, NULL, &zErr) != FAKT_OK) { fprintf(stderr, "blobs: tx %d: %s\n", t, zErr); bad = 1; }
    if (t == 0 && zStarted) { int fd = open(zStarted, O_WRONLY | O_CREAT, 0644); if (fd >= 0) close(fd); }
  }
  fakt_free(zErr);
  free(zBuf); free(zStmt);
  fakt_close(db);
  return bad;
}

/* Until DONE exists (at most nMax times): open DB read-only, count its
** claims, close. Every open and read must succeed. */
static int cmdOpener(const char *zDb, const char *zDone, int nMax) {
  int nOpen = 0, nBad = 0;
  for (int i = 0; i < nMax && access(zDone, F_OK) != 0; i++) {
    fakt *db = NULL;
    int rc = fakt_open(zDb, FAKT_OPEN_READONLY, &db);
    nOpen++;
    if (rc != FAKT_OK) {
      if (nBad++ < 3) printf("opener: open %d: %s (%d)\n", i, fakt_errmsg(db), rc);
    } else if (count(db, "find count() where x blob ?s;") < 0) {
      if (nBad++ < 3) printf("opener: read %d: %s\n", i, fakt_errmsg(db));
    }
    fakt_close(db);
  }
  CHECK(nBad == 0, "%d of %d read-only opens (and a read) while a writer grew the file failed", nBad, nOpen);
  CHECK(nOpen > 0, "opened at least once while the writer ran");
  printf("opener: %d opens, %d failed\n", nOpen, nBad);
  return finish();
}

/* Under an address-space limit of what the process maps now plus MB MiB
** (RLIMIT_AS, as `ulimit -v`), set before the open: 60 KB claims, one per statement, until one
** does not fit; it must fail with FAKT_FULL saying the address space
** limited the map, and every claim before it must stay readable. */
static int cmdAsLimit(const char *zDb, int nMb) {
  fakt *db = NULL;
  char *zErr = NULL;
  const int SZ = 60000;
  char *zBuf = malloc(SZ + 200), *zStmt = malloc(SZ + 300);   /* before the limit */
  unsigned long nPages = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f || fscanf(f, "%lu", &nPages) != 1) { printf("note: no /proc/self/statm: skipped\n"); if (f) fclose(f); free(zBuf); free(zStmt); return finish(); }
  fclose(f);
  struct rlimit lim;
  lim.rlim_cur = lim.rlim_max = (rlim_t)nPages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)nMb << 20);
  if (setrlimit(RLIMIT_AS, &lim) != 0) { printf("note: setrlimit(RLIMIT_AS): %s: skipped\n", strerror(errno)); free(zBuf); free(zStmt); return finish(); }
  int rc = fakt_open(zDb, 0, &db);
  CHECK(rc == FAKT_OK, "open (create) under the limit: %s", fakt_errmsg(db));
  if (rc != FAKT_OK) { fakt_close(db); free(zBuf); free(zStmt); return finish(); }
  rc = fakt_exec(db, "predicate blob : string; entity x thing \"X\";", NULL, NULL, &zErr);
  CHECK(rc == FAKT_OK, "schema: %s", zErr ? zErr : "");
  int nOk = 0, bFull = 0;
  for (int i = 0; i < 2000 && !bFull; i++) {
    bigString(zBuf, SZ, i);
    sprintf(zStmt, "claim b%d: x blob \"%s\";", i, zBuf);
    rc = fakt_exec(db, zStmt, NULL, NULL, &zErr);
    if (rc == FAKT_OK) { nOk++; continue; }
    bFull = 1;
    CHECK(rc == FAKT_FULL, "the write that does not fit: FAKT_FULL, got %d: %s", rc, zErr ? zErr : "");
    CHECK(zErr && strstr(zErr, "address space") && strstr(zErr, "nothing was changed"),
          "the message says the address space limited the map: %s", zErr ? zErr : "(none)");
    printf("aslimit: after %d claims: %s\n", nOk, zErr ? zErr : "");
    fakt_free(zErr);
    zErr = NULL;
  }
  CHECK(bFull, "a write did not fit %d MiB of address space (%d claims of 60 KB)", nMb, nOk);
  CHECK(nOk > 100, "writes worked under the limit: %d claims", nOk);
  CHECK(count(db, "find count() where x blob ?s;") == nOk, "every committed claim reads back");
  free(zBuf); free(zStmt);
  fakt_close(db);
  return finish();
}

/* ==== files for the hostile corpus ==== */

static int cmdRandFile(const char *zPath, long n, unsigned long long seed) {
  FILE *f = fopen(zPath, "wb");
  if (!f) { perror(zPath); return 2; }
  for (long i = 0; i < n; i++) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    fputc((int)(seed >> 56), f);
  }
  return fclose(f) == 0 ? 0 : 2;
}

static int cmdFlip(const char *zPath, long off, long n) {
  FILE *f = fopen(zPath, "r+b");
  if (!f) { perror(zPath); return 2; }
  unsigned char *a = malloc((size_t)n);
  if (fseek(f, off, SEEK_SET) != 0) { fclose(f); free(a); return 2; }
  size_t k = fread(a, 1, (size_t)n, f);
  for (size_t i = 0; i < k; i++) a[i] ^= 0x5a;
  fseek(f, off, SEEK_SET);
  fwrite(a, 1, k, f);
  free(a);
  return fclose(f) == 0 ? 0 : 2;
}

int main(int argc, char **argv) {
  if (argc == 5 && !strcmp(argv[1], "randfile")) return cmdRandFile(argv[2], atol(argv[3]), strtoull(argv[4], 0, 10));
  if (argc == 5 && !strcmp(argv[1], "flip")) return cmdFlip(argv[2], atol(argv[3]), atol(argv[4]));
  if (argc >= 3 && !strcmp(argv[1], "check")) return cmdCheck(argv[2]);
  if (argc >= 4 && !strcmp(argv[1], "query")) return cmdQuery(argc - 2, argv + 2);
  if (argc == 4 && !strcmp(argv[1], "setformat")) return cmdSetFormat(argv[2], (unsigned)atoi(argv[3]));
  if (argc == 5 && !strcmp(argv[1], "writer")) return cmdWriter(argv[2], atoi(argv[3]), argv[4]);
  if (argc == 5 && !strcmp(argv[1], "verify")) return cmdVerify(argv[2], atoi(argv[3]), atoi(argv[4]));
  if (argc == 4 && !strcmp(argv[1], "cwriter")) return cmdCWriter(argv[2], atoi(argv[3]));
  if (argc == 4 && !strcmp(argv[1], "reader")) return cmdReader(argv[2], argv[3]);
  if (argc == 3 && !strcmp(argv[1], "grow")) return cmdGrow(argv[2]);
  if (argc == 3 && !strcmp(argv[1], "full")) return cmdFull(argv[2]);
  if (argc == 5 && !strcmp(argv[1], "hold")) return cmdHold(argv[2], argv[3], atoi(argv[4]));
  if (argc >= 6 && !strcmp(argv[1], "blobs")) return cmdBlobs(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), argc > 6 ? argv[6] : NULL);
  if (argc == 5 && !strcmp(argv[1], "opener")) return cmdOpener(argv[2], argv[3], atoi(argv[4]));
  if (argc == 4 && !strcmp(argv[1], "aslimit")) return cmdAsLimit(argv[2], atoi(argv[3]));
  fprintf(stderr, "usage: trust_tool check|query|setformat|writer|verify|cwriter|reader|grow|full|hold|blobs|opener|aslimit ...\n");
  return 2;
}
