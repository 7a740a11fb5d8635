/*
** unit_load.c -- the load statement is linear in the file (issue 20, point 2).
**
** doLoad() parses a file statement by statement and gives each its line and
** column. It used to compute each statement's position from byte 0 of the
** file, so a file of n statements cost n*n/2 statements' worth of bytes.
** The handle counts the bytes the load scans (fakt->nTextScan: bytes parsed
** and bytes positioned); the test loads files of 500 and 8,000 claims and
** checks that the bytes per statement do not grow with the file: a count,
** not a time. fakt_exec() of a long text had the same fault and is
** checked the same way. It also checks that the positions carried forward are right
** (errors deep in a file, after multi-byte characters, in nested files).
** And fakt_progress_handler() (issue 20, point 3): the calls a load of K
** statements makes are counted (K/N of them, not a time), and a handler
** that returns non-zero stops the load, which then stores nothing.
** A load keeps its predicates' object types and the last source text for
** its claims (write.c): a predicate or source statement later in the same
** file must be seen by the claims after it.
** Ends with "N passed, N failed"; exit status 1 on any failure.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fakt.h"
#include "fakt_int.h"
#include "scratch.h"


/* ==== Helpers ==== */


/* A .facts file of nClaim claims over 50 entities, every claim line the
** same length; returns its size in bytes and sets *pnStmt. */
static long writeClaims(const char *zName, int nClaim, int *pnStmt){
  FILE *f = fopen(path(1, zName), "w");
  long n;
  if( f==NULL ) return -1;
  fprintf(f, "predicate knows : entity;\n");
  for(int i=0; i<50; i++) fprintf(f, "entity e%02d person \"Person %02d\";\n", i, i);
  for(int i=0; i<nClaim; i++){
    fprintf(f, "claim c%06d: e%02d knows e%02d;\n", i, i%50, (i*7+3)%50);
  }
  n = ftell(f);
  fclose(f);
  *pnStmt = 1 + 50 + nClaim;
  return n;
}

/* Run zSql on gDb; the code, and the message in zErr (or ""). */
static int run(const char *zSql, char *zErr, size_t nErr){
  char *z = NULL;
  int rc = fakt_exec(gDb, zSql, NULL, NULL, &z);
  snprintf(zErr, nErr, "%s", z ? z : "");
  fakt_free(z);
  return rc;
}

/* Bytes the load of zName scanned, loading it into a fresh database; -1 on
** failure. */
static int64_t loadScan(const char *zName){
  char zSql[300], zErr[300];
  if( openFresh("scan.fakt") ) return -1;
  int64_t n0 = gDb->nTextScan;
  snprintf(zSql, sizeof(zSql), "load \"%s\";", path(1, zName));
  if( run(zSql, zErr, sizeof(zErr)) ){
    printf("  load %s: %s\n", zName, zErr);
    return -1;
  }
  return gDb->nTextScan - n0;
}

/* ==== Linear ==== */

static void testLinear(void){
  int nSmall = 0, nLarge = 0;
  long szSmall = writeClaims("small.facts", 500, &nSmall);
  long szLarge = writeClaims("large.facts", 8000, &nLarge);
  CHECK( szSmall>0 && szLarge>0 );
  int64_t nScanSmall = loadScan("small.facts");
  int64_t nScanLarge = loadScan("large.facts");
  printf("  load: %d statements, %ld bytes: %lld bytes scanned (%.1f per statement)\n",
         nSmall, szSmall, (long long)nScanSmall, (double)nScanSmall/nSmall);
  printf("  load: %d statements, %ld bytes: %lld bytes scanned (%.1f per statement)\n",
         nLarge, szLarge, (long long)nScanLarge, (double)nScanLarge/nLarge);
  /* every byte is read (the counter counts), and a bounded number of times
  ** (the load statement's own text, run by fakt_exec(), counts too) */
  CHECK( nScanSmall>=szSmall && nScanSmall<=2*(int64_t)szSmall + 300 );
  CHECK( nScanLarge>=szLarge && nScanLarge<=2*(int64_t)szLarge + 300 );
  /* 16 times the statements: the bytes per statement stay (within 5%) */
  CHECK( nScanLarge*nSmall <= nScanSmall*nLarge*105/100 );

  /* the claims are all there */
  fakt_stmt *p = NULL;
  CHECK( fakt_prepare(gDb, "find count(?c) where ?c: ?s knows ?o;", -1, &p, NULL)==FAKT_OK );
  CHECK( fakt_step(p)==FAKT_ROW && fakt_column_int64(p, 0)==8000 );
  fakt_finalize(p);
}

/* ==== fakt_exec ==== */

/* "begin;\n", the text of file zName, zLast and "commit;\n", malloc'd, or
** NULL: one transaction, so that the test does not wait for a commit per
** statement. */
static char *readText(const char *zName, const char *zLast){
  FILE *f = fopen(path(1, zName), "rb");
  char *z = NULL;
  long n;
  if( f==NULL ) return NULL;
  if( fseek(f, 0, SEEK_END)==0 && (n = ftell(f))>=0 && fseek(f, 0, SEEK_SET)==0 ){
    z = malloc((size_t)n + strlen(zLast) + 16);
    if( z ){
      strcpy(z, "begin;\n");
      if( fread(z + 7, 1, (size_t)n, f)!=(size_t)n ){ free(z); z = NULL; }
    }
    if( z ){
      z[7 + n] = 0;
      strcat(z, zLast);
      strcat(z, "commit;\n");
    }
  }
  fclose(f);
  return z;
}

/* Bytes fakt_exec() scanned running the text of file zName into a fresh
** database; -1 on failure. */
static int64_t execScan(const char *zName){
  char *zText = readText(zName, ""), *zErr = NULL;
  int64_t n = -1;
  if( zText && openFresh("exec.fakt")==FAKT_OK ){
    int64_t n0 = gDb->nTextScan;
    if( fakt_exec(gDb, zText, NULL, NULL, &zErr)==FAKT_OK ) n = gDb->nTextScan - n0;
    else printf("  exec of %s: %s\n", zName, zErr ? zErr : "?");
  }
  fakt_free(zErr);
  free(zText);
  return n;
}

/* fakt_exec() of a long text, like load, scans each byte a bounded number
** of times, and gives the right position to an error deep in it. */
static void testExec(void){
  int nSmall = 0, nLarge = 0;
  long szSmall = writeClaims("small.facts", 500, &nSmall);
  long szLarge = writeClaims("large.facts", 8000, &nLarge);
  int64_t nScanSmall = execScan("small.facts");
  int64_t nScanLarge = execScan("large.facts");
  printf("  exec: %d statements, %ld bytes: %lld bytes scanned (%.1f per statement)\n",
         nSmall, szSmall, (long long)nScanSmall, (double)nScanSmall/nSmall);
  printf("  exec: %d statements, %ld bytes: %lld bytes scanned (%.1f per statement)\n",
         nLarge, szLarge, (long long)nScanLarge, (double)nScanLarge/nLarge);
  /* begin and commit are 15 bytes */
  CHECK( nScanSmall>=szSmall && nScanSmall<=2*(int64_t)(szSmall + 15) );
  CHECK( nScanLarge>=szLarge && nScanLarge<=2*(int64_t)(szLarge + 15) );
  CHECK( nScanLarge*nSmall <= nScanSmall*nLarge*105/100 );

  /* an error on line 8053 (begin, then the 8,051 good statements) at
  ** column 43, after a two-byte character */
  char *zText = readText("large.facts",
      "entity \xc3\xa4 person \"\xc3\x84\"; claim zz1: e01 knows nobody;\n");
  char *zErr = NULL;
  CHECK( zText!=NULL && openFresh("exec.fakt")==FAKT_OK );
  if( zText ){
    const char *zWant = "line 8053, col 43: unknown entity \"nobody\"";
    CHECK( fakt_exec(gDb, zText, NULL, NULL, &zErr)!=FAKT_OK );
    CHECK( zErr && strcmp(zErr, zWant)==0 );
    if( zErr && strcmp(zErr, zWant)!=0 ) printf("  got: %s\n  want: %s\n", zErr, zWant);
  }
  fakt_free(zErr);
  free(zText);
}

/* ==== Positions carried forward ==== */

static void testPositions(void){
  char zSql[400], zErr[400], zWant[400];
  int nStmt = 0;
  /* an error at the end of a large file: its line, counted from the start */
  writeClaims("tail.facts", 3000, &nStmt);
  FILE *f = fopen(path(1, "tail.facts"), "a");
  CHECK( f!=NULL );
  if( f ){
    fprintf(f, "# \xc3\xa4\xc3\xb6 two code points, four bytes\n");
    fprintf(f, "entity \xc3\xa4x person \"\xc3\x84\"; claim z1: e01 knows\n  nobody;\n");
    fclose(f);
  }
  CHECK( openFresh("pos.fakt")==FAKT_OK );
  snprintf(zSql, sizeof(zSql), "load \"%s\";", path(1, "tail.facts"));
  CHECK( run(zSql, zErr, sizeof(zErr))!=FAKT_OK );
  /* line 1 predicate, 50 entities, 3000 claims, the comment, then the
  ** entity line (3053) and "nobody" at line 3054, column 3 */
  snprintf(zWant, sizeof(zWant), "in %s:3054:3: unknown entity \"nobody\"", path(1, "tail.facts"));
  CHECK( strstr(zErr, zWant)!=NULL );
  if( strstr(zErr, zWant)==NULL ) printf("  got: %s\n  want: %s\n", zErr, zWant);

  /* several statements on one line, after multi-byte characters */
  CHECK( writeFile("line.facts",
    "predicate knows : entity;\n"
    "entity \xc3\xa4 person \"\xc3\x84\xc3\x84\"; entity b person \"B\"; claim y: b knows zz;\n")==0 );
  CHECK( openFresh("pos.fakt")==FAKT_OK );
  snprintf(zSql, sizeof(zSql), "load \"%s\";", path(1, "line.facts"));
  CHECK( run(zSql, zErr, sizeof(zErr))!=FAKT_OK );
  snprintf(zWant, sizeof(zWant), "in %s:2:61: unknown entity \"zz\"", path(1, "line.facts"));
  CHECK( strstr(zErr, zWant)!=NULL );
  if( strstr(zErr, zWant)==NULL ) printf("  got: %s\n  want: %s\n", zErr, zWant);

  /* a nested load: positions in the inner file, then in the outer one
  ** after it */
  CHECK( writeFile("inner.facts", "predicate knows : entity;\n\nentity a person \"A\";\n")==0 );
  CHECK( writeFile("outer.facts",
    "load \"inner.facts\";\nentity b person \"B\";\n  claim q: a knows b; claim r: a knows none;\n")==0 );
  CHECK( openFresh("pos.fakt")==FAKT_OK );
  snprintf(zSql, sizeof(zSql), "load \"%s\";", path(1, "outer.facts"));
  CHECK( run(zSql, zErr, sizeof(zErr))!=FAKT_OK );
  snprintf(zWant, sizeof(zWant), "in %s:3:40: unknown entity \"none\"", path(1, "outer.facts"));
  CHECK( strstr(zErr, zWant)!=NULL );
  if( strstr(zErr, zWant)==NULL ) printf("  got: %s\n  want: %s\n", zErr, zWant);
  CHECK( writeFile("inner.facts", "predicate knows : entity;\n\n  entity a person \"A\" junk;\n")==0 );
  CHECK( run(zSql, zErr, sizeof(zErr))!=FAKT_OK );
  CHECK( strstr(zErr, "inner.facts:3:23:")!=NULL );
  if( strstr(zErr, "inner.facts:3:23:")==NULL ) printf("  got: %s\n", zErr);
}

/* ==== Progress ==== */

/* The progress handler of the tests: counts its calls in *pArg's nCall and
** returns non-zero from call number nStop on (0: never). */
typedef struct Prog { int nCall, nStop; } Prog;
static int progressCb(void *pArg){
  Prog *p = pArg;
  p->nCall++;
  return p->nStop>0 && p->nCall>=p->nStop;
}

/* Load zName (of the scratch directory) into a fresh database with the
** progress handler called every nEvery statements; the calls it got, or -1
** if the load failed. */
static int progressCalls(const char *zName, int nEvery){
  char zSql[300], zErr[300];
  Prog pr = {0, 0};
  if( openFresh("prog.fakt") ) return -1;
  CHECK( fakt_progress_handler(gDb, nEvery, progressCb, &pr)==FAKT_OK );
  snprintf(zSql, sizeof(zSql), "load \"%s\";", path(1, zName));
  if( run(zSql, zErr, sizeof(zErr)) ){
    printf("  load %s: %s\n", zName, zErr);
    return -1;
  }
  return pr.nCall;
}

/* 1 if gDb's database has no predicate "knows" (nothing of prog.facts). */
static int noKnows(void){
  fakt_stmt *p = NULL;
  int rc = fakt_prepare(gDb, "find count(?c) where ?c: ?s knows ?o;", -1, &p, NULL);
  fakt_finalize(p);
  return rc==FAKT_NOTFOUND;
}

static void testProgress(void){
  char zSql[700], zErr[700];
  int nStmt = 0;
  writeClaims("prog.facts", 1000, &nStmt);          /* 1,051 statements */
  CHECK( nStmt==1051 );
  /* K statements, a call every N: K/N calls, rounded down */
  CHECK( progressCalls("prog.facts", 100)==10 );
  CHECK( progressCalls("prog.facts", 1)==1051 );
  CHECK( progressCalls("prog.facts", 1051)==1 );
  CHECK( progressCalls("prog.facts", 1052)==0 );
  /* a nested load's statements count, and the nested load as one more */
  CHECK( writeFile("prog_outer.facts", "load \"prog.facts\";\nentity zz person \"Z\";\n")==0 );
  CHECK( progressCalls("prog_outer.facts", 1)==1053 );
  /* the count starts again with each load statement: 10 + 10, not 21 */
  Prog pr = {0, 0};
  CHECK( openFresh("prog.fakt")==FAKT_OK );
  CHECK( fakt_progress_handler(gDb, 100, progressCb, &pr)==FAKT_OK );
  snprintf(zSql, sizeof(zSql), "load \"%s\"; load \"%s\";", path(1, "prog.facts"), path(2, "prog.facts"));
  CHECK( run(zSql, zErr, sizeof(zErr))==FAKT_OK );
  CHECK( pr.nCall==20 );
  /* removed (N 0 or no callback): no more calls */
  CHECK( fakt_progress_handler(gDb, 0, progressCb, &pr)==FAKT_OK );
  CHECK( run(zSql, zErr, sizeof(zErr))==FAKT_OK );
  CHECK( pr.nCall==20 );
  CHECK( fakt_progress_handler(gDb, 100, NULL, &pr)==FAKT_OK );
  CHECK( run(zSql, zErr, sizeof(zErr))==FAKT_OK );
  CHECK( pr.nCall==20 );
  /* misuse */
  CHECK( fakt_progress_handler(NULL, 100, progressCb, &pr)==FAKT_MISUSE );
  CHECK( fakt_progress_handler(gDb, -1, progressCb, &pr)==FAKT_MISUSE );

  /* a non-zero return stops the load (at its 3rd call: after statement
  ** 300, line 300 of the file) and nothing of the file is stored */
  CHECK( openFresh("prog.fakt")==FAKT_OK );
  Prog stop = {0, 3};
  CHECK( fakt_progress_handler(gDb, 100, progressCb, &stop)==FAKT_OK );
  snprintf(zSql, sizeof(zSql), "load \"%s\";", path(1, "prog.facts"));
  CHECK( run(zSql, zErr, sizeof(zErr))==FAKT_INTERRUPT );
  CHECK( stop.nCall==3 );
  char zWant[400];
  snprintf(zWant, sizeof(zWant), "in %s:300:1: interrupted", path(1, "prog.facts"));
  CHECK( strstr(zErr, zWant)!=NULL );
  if( strstr(zErr, zWant)==NULL ) printf("  got: %s\n  want: %s\n", zErr, zWant);
  CHECK( fakt_last_tx(gDb)==0 );
  CHECK( noKnows() );
  /* the same inside begin ... commit: the load is undone, the rest commits */
  stop.nCall = 0;
  snprintf(zSql, sizeof(zSql), "begin; entity keep person \"Keep\"; load \"%s\";", path(1, "prog.facts"));
  CHECK( run(zSql, zErr, sizeof(zErr))==FAKT_INTERRUPT );
  CHECK( run("commit;", zErr, sizeof(zErr))==FAKT_OK );
  CHECK( noKnows() );
  fakt_stmt *p = NULL;
  CHECK( fakt_prepare(gDb, "find ?x where ?x = keep;", -1, &p, NULL)==FAKT_OK );
  CHECK( fakt_step(p)==FAKT_ROW );
  fakt_finalize(p);
  /* the handler does not stop what is not a load */
  stop.nCall = 0;
  CHECK( run("entity e1 person \"E\"; entity e2 person \"E2\";", zErr, sizeof(zErr))==FAKT_OK );
  CHECK( stop.nCall==0 );
  CHECK( fakt_progress_handler(gDb, 0, NULL, NULL)==FAKT_OK );
}

/* ==== What a load keeps ==== */

/* Load the lines zBody (after a common head) as file zName into a fresh
** database; the code, and the message in zErr. */
static int loadBody(const char *zName, const char *zBody, char *zErr, size_t nErr){
  char zText[1000], zSql[400];
  snprintf(zText, sizeof(zText),
           "predicate p : entity;\nentity a person \"A\";\nentity b person \"B\";\n"
           "source s \"S\" text \"alpha beta gamma\";\nclaim a p b from s quote \"beta\";\n%s", zBody);
  if( writeFile(zName, zText) || openFresh("cache.fakt") ) return -1;
  snprintf(zSql, sizeof(zSql), "load \"%s\";", path(1, zName));
  return run(zSql, zErr, nErr);
}

/* The first column of the one row of zQuery on gDb, as text ("" if none). */
static const char *one(const char *zQuery){
  static char z[200];
  fakt_stmt *p = NULL;
  z[0] = 0;
  if( fakt_prepare(gDb, zQuery, -1, &p, NULL)==FAKT_OK && fakt_step(p)==FAKT_ROW ){
    snprintf(z, sizeof(z), "%s", fakt_column_text(p, 0) ? fakt_column_text(p, 0) : "");
  }
  fakt_finalize(p);
  return z;
}

static void testLoadCache(void){
  char zErr[600];
  /* a predicate's new object type, a source's new text: the claims after
  ** them see the new ones */
  CHECK( loadBody("cache1.facts",
    "predicate p : string;\nclaim a p \"x\" from s quote \"gamma\";\n"
    "source s \"S\" text \"delta epsilon\";\nclaim c3: a p \"y\" from s quote \"delta\";\n",
    zErr, sizeof(zErr))==FAKT_OK );
  CHECK( strcmp(one("find count(?c) where ?c: a p ?o;"), "3")==0 );
  CHECK( strcmp(one("find ?q where quote(c3, ?q);"), "delta")==0 );
  /* the old text is gone for the claims after the new one */
  CHECK( loadBody("cache2.facts",
    "source s \"S\" text \"delta epsilon\";\nclaim a p b from s quote \"alpha\";\n",
    zErr, sizeof(zErr))==FAKT_CONSTRAINT );
  CHECK( strstr(zErr, "cache2.facts:7:26: quote not found in source s")!=NULL );
  if( strstr(zErr, "cache2.facts:7:26: quote not found in source s")==NULL ) printf("  got: %s\n", zErr);
  /* so is the old object type */
  CHECK( loadBody("cache3.facts", "predicate p : string;\nclaim a p b;\n", zErr, sizeof(zErr))==FAKT_MISMATCH );
  CHECK( strstr(zErr, "type error: predicate p expects a string")!=NULL );
  if( strstr(zErr, "type error: predicate p expects a string")==NULL ) printf("  got: %s\n", zErr);
  /* and nothing of the failed loads is kept for the next one */
  CHECK( loadBody("cache4.facts", "claim a p b from s quote \"gamma\";\n", zErr, sizeof(zErr))==FAKT_OK );
  CHECK( strcmp(one("find count(?c) where ?c: a p b;"), "2")==0 );
}

/* ==== The window ==== */

/* A load reads its file through a window of 1 MiB (more only while one
** statement needs more): a file of several MiB loads whole, statements cut
** by the window's end are read again, positions stay right, and the
** window does not grow with the file. */
static void testWindow(void){
  char zSql[400], zErr[400], zWant[400];
  int nStmt = 0;
  long n = writeClaims("big.facts", 120000, &nStmt);     /* about 4 MB */
  CHECK( n > 3*(1<<20) );
  /* one statement of 1.5 MB: a comment inside it, and multi-byte text
  ** after it so that a window's edge can fall inside a character */
  FILE *f = fopen(path(1, "big.facts"), "a");
  CHECK( f!=NULL );
  if( f ){
    fprintf(f, "entity wide person\n");
    for(int i=0; i<30000; i++) fprintf(f, "# %046d\n", i);
    fprintf(f, "  \"\xc3\x84\xc3\x96\xc3\x9c wide\";\n");
    for(int i=0; i<20000; i++) fprintf(f, "claim d%05d: e%02d knows wide;   # \xe2\x80\x94 \xc3\xa4\n", i, i%50);
    fclose(f);
  }
  CHECK( openFresh("win.fakt")==FAKT_OK );
  gDb->nLoadWindow = 0;
  snprintf(zSql, sizeof(zSql), "load \"%s\";", path(1, "big.facts"));
  CHECK( run(zSql, zErr, sizeof(zErr))==FAKT_OK );
  if( zErr[0] ) printf("  %s\n", zErr);
  fakt_stmt *p = NULL;
  CHECK( fakt_prepare(gDb, "find count(?c) where ?c: ?a knows ?b;", -1, &p, NULL)==FAKT_OK );
  CHECK( p && fakt_step(p)==FAKT_ROW && fakt_column_int64(p, 0)==140000 );
  fakt_finalize(p);
  p = NULL;
  CHECK( fakt_prepare(gDb, "find ?l where label(wide, ?l);", -1, &p, NULL)==FAKT_OK );
  CHECK( p && fakt_step(p)==FAKT_ROW && strcmp(fakt_column_text(p, 0), "\xc3\x84\xc3\x96\xc3\x9c wide")==0 );
  fakt_finalize(p);
  /* the window grew for the one long statement (1.5 MB), not for the file */
  CHECK( gDb->nLoadWindow >= (1<<21) && gDb->nLoadWindow <= (1<<22) );
  CHECK( gDb->nLoadWindow < (size_t)n );

  /* a file of short statements only: the window stays at 1 MiB */
  writeClaims("plain.facts", 120000, &nStmt);
  CHECK( openFresh("win.fakt")==FAKT_OK );
  gDb->nLoadWindow = 0;
  snprintf(zSql, sizeof(zSql), "load \"%s\";", path(1, "plain.facts"));
  CHECK( run(zSql, zErr, sizeof(zErr))==FAKT_OK );
  CHECK( gDb->nLoadWindow == (1<<20) );

  /* an error after several windows: its line and column */
  f = fopen(path(1, "plain.facts"), "a");
  if( f ){ fprintf(f, "claim last: e01 knows\n  \xc3\xa4\xc3\xa4 nobody;\n"); fclose(f); }
  CHECK( openFresh("win.fakt")==FAKT_OK );
  CHECK( run(zSql, zErr, sizeof(zErr))!=FAKT_OK );
  /* 1 predicate + 50 entities + 120000 claims, then lines 120052-120053;
  ** "nobody" after two spaces, two code points of four bytes and a space */
  snprintf(zWant, sizeof(zWant), "in %s:120053:6: near \"nobody\"", path(1, "plain.facts"));
  CHECK( strstr(zErr, zWant)!=NULL );
  if( strstr(zErr, zWant)==NULL ) printf("  got: %s\n  want: %s...\n", zErr, zWant);
}

int main(void){
  if( scratchInit("load") ) return 1;
  testLinear();
  testExec();
  testPositions();
  testProgress();
  testLoadCache();
  testWindow();
  scratchDone();
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail>0;
}
