/*
** unit_import_stream.c -- fakt_import() runs each record as it reads it
** (issue 20, SPEC.md 14.1).
**
** Memory: a JSON Lines file of 200,000 claims in export order imports with
** a peak RSS that grows by less than a fixed bound (the import that held
** every record took about 1 KB more per claim of this file). Streaming: the
** progress callback comes while a FIFO is still open, before the file ends.
** A statement that fails with FAKT_NOTFOUND inside a transaction changes
** nothing (no write through the store) and leaves the transaction usable:
** the import keeps such a record and runs it again at the end. Files out of
** dependency order import (a claim before its entity, predicate and source,
** a claim before the claim it names, a source before its outlet, a rule
** first); a cycle of claims, an entity never defined and a syntax error
** late in the file fail with the message and line they had, and store
** nothing; CSV aliases reach their entities, and an alias of an entity not
** in entities.csv is an error at its line of aliases.csv. (The memory and
** streaming checks fail on the import that read the whole file before it
** ran a record; the others held for it too.)
** Ends with "N passed, N failed"; exit status 1 on any failure.
*/
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fakt.h"
#include "fakt_int.h"
#include "check.h"
#include "scratch.h"

#if defined(__SANITIZE_ADDRESS__)
# define UNDER_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define UNDER_ASAN 1
# endif
#endif
#ifndef UNDER_ASAN
# define UNDER_ASAN 0
#endif

/* ==== Helpers ==== */

/* The one number a find statement returns on gDb, or -1. */
static long long count(const char *zSql){
  fakt_stmt *p = NULL;
  long long n = -1;
  if( fakt_prepare(gDb, zSql, -1, &p, NULL)==FAKT_OK && fakt_step(p)==FAKT_ROW ) n = fakt_column_int64(p, 0);
  fakt_finalize(p);
  return n;
}

/* Objects with a type (entities, sources, predicates) and claims on gDb. */
static long long nObjects(void){ return count("find count() where type(?e, ?t);"); }
static long long nClaims(void){ return count("find count() where ?c: ?s ?p ?o;"); }

/* Import zName of the scratch directory into gDb; *pzErr (or NULL) the
** message, to free with fakt_free. */
static int import(const char *zFormat, const char *zName, int64_t *pnRows, char **pzErr){
  return fakt_import(gDb, zFormat, path(2, zName), NULL, NULL, pnRows, NULL, pzErr);
}

/* 1 if zErr is "PATH:LINE: ..." for zName of the scratch directory and
** holds zWant. */
static int errAt(const char *zErr, const char *zName, int iLine, const char *zWant){
  char zPre[400];
  snprintf(zPre, sizeof(zPre), "%s:%d: ", path(3, zName), iLine);
  int bOk = zErr && strncmp(zErr, zPre, strlen(zPre))==0 && strstr(zErr, zWant);
  if( !bOk ) printf("  want \"%s...%s\", got \"%s\"\n", zPre, zWant, zErr ? zErr : "(null)");
  return bOk;
}

/* Export gDb as JSON Lines to zName; the file's text (malloc'd) or NULL. */
static char *exportText(const char *zName){
  if( fakt_export(gDb, "jsonl", path(2, zName), NULL, NULL)!=FAKT_OK ) return NULL;
  FILE *f = fopen(path(2, zName), "rb");
  if( f==NULL ) return NULL;
  char *z = NULL;
  size_t n = 0, nAlloc = 0, k;
  char aBuf[4096];
  while( (k = fread(aBuf, 1, sizeof(aBuf), f))>0 ){
    if( n + k + 1 > nAlloc ){
      nAlloc = (n + k + 1)*2;
      char *zNew = realloc(z, nAlloc);
      if( zNew==NULL ){ free(z); fclose(f); return NULL; }
      z = zNew;
    }
    memcpy(z + n, aBuf, k);
    n += k;
  }
  fclose(f);
  if( z==NULL ) z = calloc(1, 1);
  else z[n] = 0;
  return z;
}

/* Peak resident set size of this process so far, in KiB. */
static long maxRssKb(void){
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* ==== Memory: a file in export order ==== */

/*
** Write zName: the JSON Lines of an export of nClaim claims (predicates,
** entities, sources, claims): 2,000 entities, 100 sources of 40 sentences,
** each claim quoting one sentence of its source, attributed, with a stance.
*/
static int writeExportOrder(const char *zName, int nClaim){
  FILE *f = fopen(path(1, zName), "w");
  if( f==NULL ) return 1;
  for(int i=0; i<4; i++) fprintf(f, "{\"kind\":\"predicate\",\"id\":\"p%d\"}\n", i);
  for(int i=0; i<2000; i++){
    fprintf(f, "{\"kind\":\"entity\",\"id\":\"e%d\",\"type\":\"person\",\"label\":\"Person %d\"}\n", i, i);
  }
  for(int s=0; s<100; s++){
    fprintf(f, "{\"kind\":\"source\",\"id\":\"s%d\",\"title\":\"Article %d\",\"outlet\":\"e%d\",\"text\":\"", s, s, s);
    for(int k=0; k<40; k++) fprintf(f, "Sentence %d of article %d says something. ", k, s);
    fprintf(f, "\"}\n");
  }
  for(int i=0; i<nClaim; i++){
    int s = i % 100;
    fprintf(f, "{\"kind\":\"claim\",\"id\":\"c%d\",\"s\":\"e%d\",\"p\":\"p%d\",\"o\":\"e%d\",\"otype\":\"entity\","
            "\"source\":\"s%d\",\"by\":\"e%d\",\"stance\":\"asserts\",\"quote\":\"Sentence %d of article %d\"}\n",
            i, i % 2000, i % 4, (i*7) % 2000, s, (i*13) % 2000, (i/100) % 40, s);
  }
  return fclose(f)!=0;
}

/*
** The peak RSS grows by less than MEM_BOUND_KB over the import of 200,000
** claims in export order. What grows with the import now is the store's
** transaction (the pages it changed, the database grows to 50 MB, and its
** write buffers), as in a `load` of the same statements: measured 120 MB;
** the import that held every record of the file in memory grew by 1 KB
** more per claim, 330 MB. Under ASan (its shadow memory and quarantine)
** the import of 20,000 claims runs without the bound.
*/
#define MEM_CLAIMS 200000
#define MEM_BOUND_KB (240*1024)
static void testMemory(void){
  int nClaim = UNDER_ASAN ? 20000 : MEM_CLAIMS;
  CHECK(openFresh("mem.fakt")==FAKT_OK);
  CHECK(writeExportOrder("mem.jsonl", nClaim)==0);
  long nBefore = maxRssKb();
  int64_t nRows = 0;
  char *zErr = NULL;
  int rc = import("jsonl", "mem.jsonl", &nRows, &zErr);
  long nGrew = maxRssKb() - nBefore;
  if( rc ) printf("  import: %s\n", zErr ? zErr : "?");
  CHECK(rc==FAKT_OK);
  CHECK(nRows==4 + 2000 + 100 + nClaim);
  CHECK(nClaims()==nClaim);
  printf("  memory: %d claims, the peak RSS grew by %ld KiB (%.0f bytes a claim)%s\n", nClaim, nGrew,
         nGrew*1024.0/nClaim, UNDER_ASAN ? ", not checked under ASan" : "");
  if( !UNDER_ASAN ) CHECK(nGrew < MEM_BOUND_KB);
  fakt_free(zErr);
  unlink(path(1, "mem.jsonl"));
}

/* ==== Streaming: records run before the file ends ==== */

typedef struct Stream {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int bProgress;             /* the progress callback came */
  int bEarly;                /* ... while the FIFO was still open */
  const char *zFifo;
} Stream;

static void streamProgress(void *pArg, int64_t nRows, int64_t nSkipped){
  Stream *s = (Stream *)pArg;
  (void)nRows; (void)nSkipped;
  pthread_mutex_lock(&s->mu);
  s->bProgress = 1;
  pthread_cond_signal(&s->cv);
  pthread_mutex_unlock(&s->mu);
}

/* Write 5,000 entities into the FIFO, wait up to 10 s for the first
** progress call (4096 rows), then write 1,000 more and close it. */
static void *streamFeeder(void *pArg){
  Stream *s = (Stream *)pArg;
  FILE *f = fopen(s->zFifo, "w");
  if( f==NULL ) return NULL;
  for(int i=0; i<6000; i++){
    fprintf(f, "{\"kind\":\"entity\",\"id\":\"f%d\",\"type\":\"place\",\"label\":\"F %d\"}\n", i, i);
    if( i!=4999 ) continue;
    fflush(f);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 10;
    pthread_mutex_lock(&s->mu);
    while( !s->bProgress && pthread_cond_timedwait(&s->cv, &s->mu, &ts)==0 ){}
    s->bEarly = s->bProgress;
    pthread_mutex_unlock(&s->mu);
  }
  fclose(f);
  return NULL;
}

static void testStreaming(void){
  Stream s;
  pthread_t t;
  memset(&s, 0, sizeof(s));
  pthread_mutex_init(&s.mu, NULL);
  pthread_cond_init(&s.cv, NULL);
  s.zFifo = path(1, "stream.fifo");
  CHECK(openFresh("stream.fakt")==FAKT_OK);
  long long nObj = nObjects();
  unlink(s.zFifo);
  if( mkfifo(s.zFifo, 0600)!=0 || pthread_create(&t, NULL, streamFeeder, &s)!=0 ){ CHECK(0); return; }
  int64_t nRows = 0;
  char *zErr = NULL;
  int rc = fakt_import(gDb, "jsonl", path(2, "stream.fifo"), streamProgress, &s, &nRows, NULL, &zErr);
  pthread_join(t, NULL);
  if( rc ) printf("  import: %s\n", zErr ? zErr : "?");
  CHECK(rc==FAKT_OK);
  CHECK(nRows==6000);
  CHECK(s.bEarly);                /* 4096 rows stored while the file was open */
  CHECK(nObjects()==nObj + 6000);
  fakt_free(zErr);
  unlink(s.zFifo);
  pthread_cond_destroy(&s.cv);
  pthread_mutex_destroy(&s.mu);
}

/* ==== A statement that fails with FAKT_NOTFOUND in a transaction ==== */

static const char zTxnSetup[] =
  "predicate knows; predicate about;"
  "entity a person \"A\"; entity b person \"B\";"
  "source s1 \"T\" by a text \"A knows B. B knows A.\";";
static const char zTxnGood[] =
  "claim c1: a knows b from s1 by b via a stance hedges quote \"A knows B.\";"
  "claim c2: c1 about b;";

/* Each names something not defined; none may change the transaction. */
static const char *const azNotFound[] = {
  "claim c1: nobody knows b;",
  "claim c1: a unknown_p b;",
  "claim c1: a knows nobody;",
  "claim c1: c9 about b;",
  "claim c1: a about c9;",
  "claim c1: a knows b from s9;",
  "claim c1: a knows b by nobody;",
  "claim c1: a knows b via nobody;",
  "claim c1: a knows b from s1 by b via nobody quote \"A knows B.\";",
  "claim c9: a knows b from s1 quote \"A knows B.\" by nobody;",
  "source s2 \"T2\" by nobody text \"x\";",
  "source s1 \"T\" by nobody text \"A knows B. B knows A.\";",
  "entity e2 person \"E2\" in nowhere;",
};

/* zTxnSetup, then in one transaction (with the failing statements first
** when bFail) zTxnGood, committed; the export of the result. */
static char *txnRun(const char *zName, int bFail){
  CHECK(openFresh(zName)==FAKT_OK);
  CHECK(fakt_exec(gDb, zTxnSetup, NULL, NULL, NULL)==FAKT_OK);
  CHECK(fakt_exec(gDb, "begin;", NULL, NULL, NULL)==FAKT_OK);
  for(int i=0; bFail && i<(int)(sizeof(azNotFound)/sizeof(azNotFound[0])); i++){
    uint64_t nWrite = faktStoreWrites(gDb->pTxn);
    int rc = fakt_exec(gDb, azNotFound[i], NULL, NULL, NULL);
    if( rc!=FAKT_NOTFOUND ) printf("  %s: rc %d (%s)\n", azNotFound[i], rc, fakt_errmsg(gDb));
    CHECK(rc==FAKT_NOTFOUND);
    CHECK(faktStoreWrites(gDb->pTxn)==nWrite);     /* it wrote nothing */
    CHECK(fakt_in_transaction(gDb));
  }
  CHECK(fakt_exec(gDb, zTxnGood, NULL, NULL, NULL)==FAKT_OK);
  CHECK(fakt_exec(gDb, "commit;", NULL, NULL, NULL)==FAKT_OK);
  return exportText("txn.jsonl");
}

static void testTxnNotFound(void){
  char *zWith = txnRun("txn1.fakt", 1);
  char *zWithout = txnRun("txn2.fakt", 0);
  CHECK(zWith && zWithout && strcmp(zWith, zWithout)==0);   /* the same database */
  CHECK(zWith && strstr(zWith, "\"id\":\"c2\",\"s\":\"c1\""));
  free(zWith);
  free(zWithout);
}

/* ==== Files out of dependency order ==== */

/* Every record before what it names; the claim c2 names c3, which names c4. */
static const char zOutOfOrder[] =
  "{\"kind\":\"rule\",\"name\":\"knows2\",\"text\":\"rule knows2(?a, ?b) if ?a knows ?b;\"}\n"
  "{\"kind\":\"claim\",\"id\":\"c1\",\"s\":\"a\",\"p\":\"knows\",\"o\":\"b\",\"otype\":\"entity\","
    "\"source\":\"s1\",\"by\":\"a\",\"via\":[\"b\"],\"quote\":\"A knows B.\"}\n"
  "{\"kind\":\"claim\",\"id\":\"c2\",\"s\":\"c3\",\"p\":\"about\",\"o\":\"c1\",\"otype\":\"claim\"}\n"
  "{\"kind\":\"claim\",\"id\":\"c3\",\"s\":\"c4\",\"p\":\"about\",\"o\":\"b\",\"otype\":\"entity\"}\n"
  "\n"
  "{\"kind\":\"claim\",\"id\":\"c4\",\"s\":\"a\",\"p\":\"knows\",\"o\":\"b\",\"otype\":\"entity\",\"source\":\"s1\"}\n"
  "{\"kind\":\"source\",\"id\":\"s1\",\"title\":\"T\",\"outlet\":\"o1\",\"text\":\"A knows B.\"}\n"
  "{\"kind\":\"entity\",\"id\":\"a\",\"type\":\"person\",\"label\":\"A\",\"aliases\":[\"Aa\"]}\n"
  "{\"kind\":\"entity\",\"id\":\"b\",\"type\":\"person\",\"label\":\"B\"}\n"
  "{\"kind\":\"entity\",\"id\":\"o1\",\"type\":\"outlet\",\"label\":\"O\"}\n"
  "{\"kind\":\"predicate\",\"id\":\"knows\"}\n"
  "{\"kind\":\"predicate\",\"id\":\"about\"}\n";

static void testOutOfOrder(void){
  int64_t nRows = 0;
  char *zErr = NULL;
  CHECK(openFresh("order.fakt")==FAKT_OK);
  CHECK(writeFile("order.jsonl", zOutOfOrder)==0);
  int rc = import("jsonl", "order.jsonl", &nRows, &zErr);
  if( rc ) printf("  import: %s\n", zErr ? zErr : "?");
  CHECK(rc==FAKT_OK);
  CHECK(nRows==11);
  CHECK(nClaims()==4);
  CHECK(count("find count() where source(c1, s1), by(c1, a), via(c1, b), quote(c1, \"A knows B.\");")==1);
  CHECK(count("find count() where ?c: c3 about c1, ?c = c2;")==1);
  CHECK(count("find count() where outlet(s1, o1);")==1);
  CHECK(count("find count() where knows2(a, b);")==1);
  CHECK(count("find count() where named(a, \"Aa\");")==1);
  fakt_free(zErr);
  /* its export imports again to the same export */
  char *z1 = exportText("order1.jsonl");
  CHECK(openFresh("order2.fakt")==FAKT_OK);
  CHECK(import("jsonl", "order1.jsonl", NULL, NULL)==FAKT_OK);
  char *z2 = exportText("order2.jsonl");
  CHECK(z1 && z2 && strcmp(z1, z2)==0);
  free(z1);
  free(z2);
}

/* ==== Imports that fail: the message and line, nothing stored ==== */

/* Import zText as zName into a fresh database holding one entity: it must
** fail with rc, at line iLine of zName (of its file zIn when not NULL)
** with zWant, and store nothing. */
static void failsAt(const char *zFmt, const char *zName, const char *zText, int rc, const char *zIn, int iLine,
                    const char *zWant){
  int64_t nRows = -1;
  char *zErr = NULL;
  CHECK(openFresh("fail.fakt")==FAKT_OK);
  CHECK(fakt_exec(gDb, "entity e0 place \"E0\";", NULL, NULL, NULL)==FAKT_OK);
  if( zText ) CHECK(writeFile(zName, zText)==0);
  long long nObj = nObjects();
  int rc2 = import(zFmt, zName, &nRows, &zErr);
  if( rc2!=rc ) printf("  %s: rc %d, want %d (%s)\n", zName, rc2, rc, zErr ? zErr : "");
  CHECK(rc2==rc);
  CHECK(errAt(zErr, zIn ? zIn : zName, iLine, zWant));
  CHECK(nRows==0);
  CHECK(nObjects()==nObj);
  CHECK(nClaims()==0);
  CHECK(fakt_in_transaction(gDb)==0);
  fakt_free(zErr);
}

#define ENT(id) "{\"kind\":\"entity\",\"id\":\"" id "\",\"type\":\"person\",\"label\":\"" id "\"}\n"
#define PRED(id) "{\"kind\":\"predicate\",\"id\":\"" id "\"}\n"
#define CLAIM(id, s, p, o, t) "{\"kind\":\"claim\",\"id\":\"" id "\",\"s\":\"" s "\",\"p\":\"" p "\",\"o\":\"" o "\",\"otype\":\"" t "\"}\n"

static void testFailures(void){
  /* a cycle: the first claim of it by line */
  failsAt("jsonl", "cycle.jsonl",
          PRED("about") ENT("a") CLAIM("c0", "a", "about", "a", "entity") CLAIM("c1", "c2", "about", "a", "entity")
          CLAIM("c2", "a", "about", "c1", "claim") ENT("b"),
          FAKT_CONSTRAINT, NULL, 4, "claim c1 refers to a claim that cannot be stored before it (a cycle)");
  failsAt("jsonl", "self.jsonl", PRED("about") ENT("a") CLAIM("c1", "c1", "about", "a", "entity"),
          FAKT_CONSTRAINT, NULL, 3, "claim c1 refers to a claim that cannot be stored before it (a cycle)");
  /* an entity never defined: the statement's error, the first by line */
  failsAt("jsonl", "unknown.jsonl",
          PRED("knows") ENT("a") CLAIM("c1", "a", "knows", "nobody", "entity")
          CLAIM("c2", "nobody2", "knows", "a", "entity") ENT("b") CLAIM("c3", "a", "knows", "b", "entity"),
          FAKT_NOTFOUND, NULL, 3, "unknown entity \"nobody\"");
  failsAt("jsonl", "outlet.jsonl",
          ENT("a") "{\"kind\":\"source\",\"id\":\"s1\",\"title\":\"T\",\"outlet\":\"nobody\"}\n" ENT("b"),
          FAKT_NOTFOUND, NULL, 2, "unknown entity \"nobody\"");
  failsAt("jsonl", "nopred.jsonl", ENT("a") CLAIM("c1", "a", "knows", "a", "entity") ENT("b"),
          FAKT_NOTFOUND, NULL, 2, "unknown predicate \"knows\"");
  /* a syntax error after 5,000 records that were stored */
  size_t nLine = strlen(ENT("x12345")) + 8, n = 0;
  char *z = malloc(nLine*5001 + 100);
  if( z==NULL ){ CHECK(0); return; }
  for(int i=0; i<5000; i++){
    n += (size_t)sprintf(z + n, "{\"kind\":\"entity\",\"id\":\"x%d\",\"type\":\"person\",\"label\":\"X\"}\n", i);
  }
  sprintf(z + n, "{\"kind\":\"entity\",\"id\":\"late\",\n");
  failsAt("jsonl", "late.jsonl", z, FAKT_SYNTAX, NULL, 5001, "not a JSON object");
  free(z);
  /* a claim referring to a later claim that is never valid */
  failsAt("jsonl", "later.jsonl",
          PRED("about") ENT("a") CLAIM("c1", "c2", "about", "a", "entity") CLAIM("c2", "a", "about", "zz", "entity"),
          FAKT_NOTFOUND, NULL, 4, "unknown entity \"zz\"");
}

/* ==== CSV: aliases.csv is read first ==== */

/* Write file zName of directory zSub (in the scratch directory). */
static void csvFile(const char *zSub, const char *zName, const char *zText){
  char z[300];
  snprintf(z, sizeof(z), "%s", path(1, zSub));
  mkdir(z, 0777);
  snprintf(z, sizeof(z), "%s/%s", zSub, zName);
  CHECK(writeFile(z, zText)==0);
}

static void testCsv(void){
  csvFile("csv", "predicates.csv", "id,type,single,doc\nknows,,,\nabout,,,\n");
  csvFile("csv", "entities.csv", "id,type,label,lat,lon\na,person,A,,\nb,person,B,52.5,13.4\nc,person,C,,\n");
  csvFile("csv", "aliases.csv", "entity,alias\nb,Bee\na,Ay\nb,\"B, the second\"\na,Aye\n");
  csvFile("csv", "sources.csv", "id,title,outlet,published,text\ns1,T,c,2023-09-12,A knows B.\n");
  csvFile("csv", "claims.csv",
          "id,s,p,o,otype,unit,source,by,via,stance,holds,until,said,quote,recorded\n"
          "c2,c1,about,b,entity,,,,,,,,,,\n"
          "c1,a,knows,b,entity,,s1,a,b c,hedges,2023-09,,,A knows B.,7\n");
  int64_t nRows = 0;
  char *zErr = NULL;
  CHECK(openFresh("csv.fakt")==FAKT_OK);
  int rc = import("csv", "csv", &nRows, &zErr);
  if( rc ) printf("  csv import: %s\n", zErr ? zErr : "?");
  CHECK(rc==FAKT_OK);
  CHECK(nRows==2 + 3 + 1 + 2);
  char *z = exportText("csv.jsonl");
  CHECK(z && strstr(z, "\"id\":\"a\",\"type\":\"person\",\"label\":\"A\",\"aliases\":[\"Ay\",\"Aye\"]"));
  CHECK(z && strstr(z, "\"id\":\"b\",\"type\":\"person\",\"label\":\"B\",\"aliases\":[\"Bee\",\"B, the second\"]"));
  CHECK(z && strstr(z, "\"id\":\"c\",\"type\":\"person\",\"label\":\"C\"}"));
  CHECK(count("find count() where via(c1, ?v);")==2);
  CHECK(count("find count() where ?c: c1 about b, ?c = c2;")==1);
  free(z);
  fakt_free(zErr);
  /* an alias of an entity not in entities.csv, at its line of aliases.csv */
  csvFile("csv2", "entities.csv", "id,type,label\na,person,A\nb,person,B\n");
  csvFile("csv2", "aliases.csv", "entity,alias\na,Ay\nzz,Zed\nb,Bee\nyy,Why\n");
  failsAt("csv", "csv2", NULL, FAKT_NOTFOUND, "csv2/aliases.csv", 3, "alias of an entity not in entities.csv");
  csvFile("csv3", "entities.csv", "id,type,label\na,person,A\n");
  csvFile("csv3", "aliases.csv", "entity,alias\na,Ay\nzz,Zed\na,\n");
  failsAt("csv", "csv3", NULL, FAKT_NOTFOUND, "csv3/aliases.csv", 3, "alias of an entity not in entities.csv");
  csvFile("csv4", "entities.csv", "id,type,label\na,person,A\n");
  csvFile("csv4", "aliases.csv", "entity,alias\na,\na,Ay\nzz,Zed\n");
  failsAt("csv", "csv4", NULL, FAKT_NOTFOUND, "csv4/aliases.csv", 2, "alias of an entity not in entities.csv");
}

int main(void){
  signal(SIGPIPE, SIG_IGN);
  if( scratchInit("import_stream") ) return 2;
  testMemory();                   /* first: the peak RSS of a fresh process */
  testStreaming();
  testTxnNotFound();
  testOutOfOrder();
  testFailures();
  testCsv();
  scratchDone();
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
