/*
** unit_loadfast.c -- a faster load stores what the plain one did (issue 20,
** point 3).
**
** The quote index (base/text.c faktQuoteIndexNew, faktFindQuoteIn): a
** load's claims, and the prepared claims of one transaction, find their
** quote through an index of the source's text (engine/write.c claimQuote)
** instead of scanning it from its first byte. The stored span must be the
** one the scan finds: the FIRST occurrence in the text, even when the
** claim before matched further on. Checked three ways: the index against
** faktFindQuote on random texts and quotes; a quote that occurs twice,
** through a load, prepared claims in a transaction and single statements;
** the corpus (facts/all.facts), every claim's span against those the
** scan stored before the index (tests/fixtures/corpus_spans.tsv, written
** at 83cb7ab). And the kept text is forgotten when another handle may
** have changed it (between transactions: the test writes the text
** through the store, as another process would).
**
** The parser thread (engine/loadfile.c): a large file is parsed on a
** thread of its own while the statements run. The counters on the handle
** show that it ran and parsed ahead (nLoadThreads, nLoadThreadStmts,
** nLoadAheadMax); the same file loaded without it (bLoadNoThread) gives
** the same database, bytes scanned, error messages and positions; an
** error early in a large file, an interrupt and a nested load stop it
** after a bounded number of statements (the thread is joined: no hang,
** and no leak under ASan), and nothing of the file is stored.
** Ends with "N passed, N failed"; exit status 1 on any failure.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fakt.h"
#include "fakt_int.h"
#include "check.h"
#include "scratch.h"

/* ==== Helpers ==== */


/* Run zSql on db; the code, and the message in zErr (or ""). */
static int run(fakt *db, const char *zSql, char *zErr, size_t nErr){
  char *z = NULL;
  int rc = fakt_exec(db, zSql, NULL, NULL, &z);
  snprintf(zErr, nErr, "%s", z ? z : "");
  fakt_free(z);
  return rc;
}

/* "START END" of claim zClaim's span on gDb ("" if none). */
static const char *span(const char *zClaim){
  static char z[64];
  char zSql[200];
  fakt_stmt *p = NULL;
  z[0] = 0;
  snprintf(zSql, sizeof(zSql), "find ?s, ?e where span(%s, ?s, ?e);", zClaim);
  if( fakt_prepare(gDb, zSql, -1, &p, NULL)==FAKT_OK && fakt_step(p)==FAKT_ROW ){
    snprintf(z, sizeof(z), "%lld %lld", (long long)fakt_column_int64(p, 0),
             (long long)fakt_column_int64(p, 1));
  }
  fakt_finalize(p);
  return z;
}

/* ==== The index against the scan ==== */

/* xorshift: the same random texts on every run */
static uint64_t rnd(void){
  static uint64_t x = 0x9E3779B97F4A7C15ull;
  x ^= x << 13; x ^= x >> 7; x ^= x << 17;
  return x;
}

/* Pieces of text: words that repeat and overlap, spaces (a no-break
** space too), quotation marks and dashes of several kinds, umlauts. */
static const char *azPiece[] = {
  "alpha", "beta", "alp", "ha", "alphabet", "Kim", "Pj\xc3\xb6ngjang", "\xc3\xa4",
  "ab", "aba", "abab", "the", "then", " ", " ", " ", "  ", "\n", "\t", "\xc2\xa0",
  "\"", "'", "\xe2\x80\x9e", "\xe2\x80\x9c", "\xc2\xab", "-", "\xe2\x80\x94",
  "\xe2\x80\x93", ".", ",", "1", "12",
};
#define N_PIECE (int)(sizeof(azPiece)/sizeof(azPiece[0]))

/* A random text of about nPiece pieces into z (NUL-terminated); its length. */
static size_t randomText(char *z, size_t nMax, int nPiece){
  size_t n = 0;
  for(int i=0; i<nPiece; i++){
    const char *zP = azPiece[rnd()%N_PIECE];
    size_t k = strlen(zP);
    if( n + k + 1 > nMax ) break;
    memcpy(z+n, zP, k);
    n += k;
  }
  z[n] = 0;
  return n;
}

/* A quote for zText: mostly a piece of the text itself (from any byte,
** so sometimes inside a character), its spaces sometimes doubled or its
** quotation marks and dashes swapped for others; else random pieces. */
static size_t randomQuote(const char *zText, size_t nText, char *z, size_t nMax){
  size_t n = 0;
  if( nText>0 && rnd()%4 ){
    size_t i = rnd()%nText, k = 1 + rnd()%24;
    if( i + k > nText ) k = nText - i;
    for(size_t j=i; j<i+k && n+4<nMax; j++){
      char c = zText[j];
      if( c==' ' && rnd()%3==0 ){ z[n++] = ' '; z[n++] = '\n'; continue; }
      if( c=='"' && rnd()%2 ){ memcpy(z+n, "\xc2\xbb", 2); n += 2; continue; }
      if( c=='-' && rnd()%2 ){ memcpy(z+n, "\xe2\x80\x92", 3); n += 3; continue; }
      z[n++] = c;
    }
    if( rnd()%5==0 && n+2<nMax ){ z[n++] = ' '; z[n++] = 'x'; }
    z[n] = 0;
    return n;
  }
  return randomText(z, nMax, 1 + (int)(rnd()%5));
}

static void testIndexAgainstScan(void){
  char zText[4096], zQ[128];
  int nDiff = 0, nFound = 0, nIndexed = 0;
  for(int t=0; t<400; t++){
    size_t nText = randomText(zText, sizeof(zText), 1 + (int)(rnd()%(t<100 ? 40 : 800)));
    QuoteIndex *pIdx = faktQuoteIndexNew(zText, nText);
    if( nText>=4 ){ CHECK( pIdx!=NULL ); }else{ CHECK( pIdx==NULL ); }
    for(int q=0; q<200; q++){
      size_t nQ = randomQuote(zText, nText, zQ, sizeof(zQ));
      size_t s1 = 0, e1 = 0, s2 = 0, e2 = 0;
      int b1 = faktFindQuote(zText, nText, zQ, nQ, &s1, &e1);
      int b2 = faktFindQuoteIn(pIdx, zText, nText, zQ, nQ, &s2, &e2);
      if( b1!=b2 || (b1 && (s1!=s2 || e1!=e2)) ){
        if( nDiff++ < 5 ){
          printf("  index differs: text \"%s\" quote \"%s\": scan %d %zu-%zu, index %d %zu-%zu\n",
                 zText, zQ, b1, s1, e1, b2, s2, e2);
        }
      }
      nFound += b1;
      nIndexed += pIdx!=NULL;
    }
    faktQuoteIndexFree(pIdx);
  }
  CHECK( nDiff==0 );
  CHECK( nFound > 20000 );           /* most quotes are found ... */
  CHECK( nIndexed > 70000 );         /* ... and most through an index */
  /* texts too short for a key, and NULL */
  CHECK( faktQuoteIndexNew("abc", 3)==NULL );
  faktQuoteIndexFree(NULL);
}

/* ==== A quote that occurs twice ==== */

/* "alpha beta" at 0 and at 30, "delta" between them: a claim quoting
** "delta" and then one quoting "alpha beta" must store 0-10, not 30-40. */
#define TWICE_HEAD \
  "predicate p : entity;\nentity a person \"A\";\nentity b person \"B\";\n" \
  "source s \"S\" text \"alpha beta gamma. delta, then alpha  beta epsilon. zeta \xe2\x80\x9e" "alpha beta\xe2\x80\x9c.\";\n"
#define TWICE_CLAIMS \
  "claim c1: a p b from s quote \"delta\";\n" \
  "claim c2: a p b from s quote \"alpha beta\";\n" \
  "claim c3: a p b from s quote \"zeta\";\n" \
  "claim c4: a p b from s quote \"alpha beta epsilon\";\n" \
  "claim c5: a p b from s quote \"alpha beta\";\n" \
  "claim c6: a p b from s quote \"'alpha beta'\";\n" \
  "claim c7: a p b from s quote \"then alpha beta\";\n"

/* The spans of c1..c7 (zPrefix "c"; "_c": generated names) are the
** first occurrences: the text's bytes are "alpha beta gamma. " 0-18,
** "delta, then " 18-30, "alpha  beta epsilon. " 30-51, "zeta " 51-56,
** then a 3-byte quotation mark, "alpha beta", a closing 3-byte one. */
static void checkTwice(const char *zHow, const char *zPrefix){
  static const char *azWant[] = {
    "18 23", "0 10", "51 55", "30 49", "0 10", "56 72", "25 41"
  };
  for(int i=0; i<7; i++){
    char zC[32];
    snprintf(zC, sizeof(zC), "%s%d", zPrefix, i+1);
    const char *z = span(zC);
    CHECK( strcmp(z, azWant[i])==0 );
    if( strcmp(z, azWant[i]) ) printf("  %s: span of %s is \"%s\", want \"%s\"\n", zHow, zC, z, azWant[i]);
  }
}

static void testTwice(void){
  char zErr[400], zSql[400];
  /* a load */
  CHECK( writeFile("twice.facts", TWICE_HEAD TWICE_CLAIMS)==0 );
  CHECK( openFresh("twice.fakt")==FAKT_OK );
  snprintf(zSql, sizeof(zSql), "load \"%s\";", path(1, "twice.facts"));
  CHECK( run(gDb, zSql, zErr, sizeof(zErr))==FAKT_OK );
  checkTwice("load", "c");
  /* one transaction of statements (each prepared on its own) */
  CHECK( openFresh("twice.fakt")==FAKT_OK );
  CHECK( run(gDb, "begin;\n" TWICE_HEAD TWICE_CLAIMS, zErr, sizeof(zErr))==FAKT_OK );
  CHECK( gDb->srcText.pIdx!=NULL );     /* the claims went through the index */
  CHECK( run(gDb, "commit;", zErr, sizeof(zErr))==FAKT_OK );
  CHECK( gDb->srcText.z==NULL );        /* and the commit forgot the text */
  checkTwice("transaction", "c");
  /* a prepared claim with the quote bound, in a transaction (_c1.._c7) */
  CHECK( openFresh("twice.fakt")==FAKT_OK );
  CHECK( run(gDb, TWICE_HEAD "begin;", zErr, sizeof(zErr))==FAKT_OK );
  fakt_stmt *p = NULL;
  CHECK( fakt_prepare(gDb, "claim a p b from s quote $1;", -1, &p, NULL)==FAKT_OK );
  static const char *azQ[] = { "delta", "alpha beta", "zeta", "alpha beta epsilon",
                               "alpha beta", "'alpha beta'", "then alpha beta" };
  for(int i=0; p && i<7; i++){
    CHECK( fakt_bind_text(p, 1, azQ[i], -1, FAKT_TRANSIENT)==FAKT_OK );
    CHECK( fakt_step(p)==FAKT_DONE );
    CHECK( fakt_reset(p)==FAKT_OK );
  }
  fakt_finalize(p);
  CHECK( run(gDb, "commit;", zErr, sizeof(zErr))==FAKT_OK );
  checkTwice("prepared", "_c");
  /* statements on their own (no kept text, no index) */
  CHECK( openFresh("twice.fakt")==FAKT_OK );
  CHECK( run(gDb, TWICE_HEAD TWICE_CLAIMS, zErr, sizeof(zErr))==FAKT_OK );
  CHECK( gDb->srcText.z==NULL );
  checkTwice("autocommit", "c");
}

/* ==== The kept text is that of the transaction ==== */

/* A source statement forgets the kept text: the claims after it find
** their quote in the new text. Another handle may change the text
** between two transactions: the second does not use the first's copy. */
static void testKeptText(void){
  char zErr[400];
  CHECK( openFresh("kept.fakt")==FAKT_OK );
  CHECK( run(gDb, TWICE_HEAD, zErr, sizeof(zErr))==FAKT_OK );
  CHECK( run(gDb, "begin;\nclaim c1: a p b from s quote \"delta\";\n"
                  "claim c2: a p b from s quote \"alpha beta\";\n"
                  "source s \"S\" text \"one two delta\";\n"
                  "claim c3: a p b from s quote \"delta\";\n"
                  "claim c4: a p b from s quote \"delta\";\ncommit;", zErr, sizeof(zErr))==FAKT_OK );
  CHECK( strcmp(span("c3"), "8 13")==0 );
  CHECK( strcmp(span("c4"), "8 13")==0 );
  CHECK( strcmp(span("c1"), "8 13")==0 );   /* moved with the text (reanchor) */
  /* a transaction keeps the text; it ends (rolled back), another handle
  ** writes a new text; the next transaction reads that */
  CHECK( run(gDb, "begin;\nclaim c5: a p b from s quote \"two\";\n"
                  "claim c6: a p b from s quote \"one\";", zErr, sizeof(zErr))==FAKT_OK );
  CHECK( gDb->srcText.z!=NULL && strcmp(gDb->srcText.z, "one two delta")==0 );
  CHECK( run(gDb, "rollback;", zErr, sizeof(zErr))==FAKT_OK );
  CHECK( gDb->srcText.z==NULL );
  /* as another process would: through the store, not a source statement
  ** (which forgets the kept text itself) */
  StoreTxn *t = NULL;
  uint32_t idS = 0;
  int kind = 0;
  CHECK( faktStoreBegin(gDb->pStore, 1, &t)==FAKT_OK );
  CHECK( t && faktLookupName(t, "s", 1, &idS, &kind)==FAKT_OK && kind==K_SOURCE );
  CHECK( t && faktTextPut(t, idS, "three delta one two", 19)==FAKT_OK );
  CHECK( t && faktStoreCommit(t)==FAKT_OK );
  CHECK( run(gDb, "begin;\nclaim c5: a p b from s quote \"two\";\n"
                  "claim c6: a p b from s quote \"one\";\ncommit;", zErr, sizeof(zErr))==FAKT_OK );
  CHECK( strcmp(span("c5"), "16 19")==0 );
  CHECK( strcmp(span("c6"), "12 15")==0 );
}

/* ==== The corpus ==== */

/* Every claim of facts/all.facts has the span the scan stored before the
** index (tests/fixtures/corpus_spans.tsv: claim, start, end, by claim). */
static void testCorpus(void){
  char zErr[400], zLine[200];
  CHECK( openFresh("corpus.fakt")==FAKT_OK );
  CHECK( run(gDb, "load \"facts/all.facts\";", zErr, sizeof(zErr))==FAKT_OK );
  if( zErr[0] ) printf("  %s\n", zErr);
  FILE *f = fopen("tests/fixtures/corpus_spans.tsv", "r");
  CHECK( f!=NULL );
  if( f==NULL ) return;
  fakt_stmt *p = NULL;
  CHECK( fakt_prepare(gDb, "find ?c, ?s, ?e where source(?c, ?src), span(?c, ?s, ?e) order by ?c;",
                      -1, &p, NULL)==FAKT_OK );
  int nRow = 0, nDiff = 0;
  while( p && fakt_step(p)==FAKT_ROW ){
    char zGot[200];
    snprintf(zGot, sizeof(zGot), "%s\t%lld\t%lld\n", fakt_column_text(p, 0),
             (long long)fakt_column_int64(p, 1), (long long)fakt_column_int64(p, 2));
    if( fgets(zLine, sizeof(zLine), f)==NULL ) zLine[0] = 0;
    if( strcmp(zGot, zLine) && nDiff++ < 5 ) printf("  corpus: got %s  want %s", zGot, zLine);
    nRow++;
  }
  fakt_finalize(p);
  CHECK( fgets(zLine, sizeof(zLine), f)==NULL );   /* no claim missing */
  fclose(f);
  CHECK( nDiff==0 );
  CHECK( nRow==293 );
}

/* ==== The parser thread ==== */

/* A .facts file of nClaim claims with quotes, over 50 entities and 20
** sources (claims and sources named with zC first), with zAt (if not
** NULL) written before claim number iAt; its size, and its statements in
** *pnStmt (those of zAt not counted). Claim i is on line 52 + i + the
** sources before it (one every nClaim/20 claims, from claim 0 on). */
static long writeBig(const char *zName, const char *zC, int nClaim, const char *zAt, int iAt, int *pnStmt){
  FILE *f = fopen(path(1, zName), "w");
  long n;
  if( f==NULL ) return -1;
  fprintf(f, "predicate knows : entity;\n");
  for(int i=0; i<50; i++) fprintf(f, "entity e%02d person \"Person %02d\";\n", i, i);
  for(int i=0; i<nClaim; i++){
    if( i%(nClaim/20 ? nClaim/20 : 1)==0 ){
      fprintf(f, "source %ss%d \"S %d\" text \"word%d and word1, then \xe2\x80\x9eword2\xe2\x80\x9c and word0.\";\n",
              zC, i, i, i%7);
    }
    if( zAt && i==iAt ) fputs(zAt, f);
    fprintf(f, "claim %s%06d: e%02d knows e%02d from %ss%d quote \"word%d\";\n", zC, i, i%50, (i*7+3)%50,
            zC, i - i%(nClaim/20 ? nClaim/20 : 1), i%3);
  }
  n = ftell(f);
  fclose(f);
  *pnStmt = 1 + 50 + (nClaim<20 ? nClaim : 20) + nClaim;
  return n;
}

/* Load zName (scratch directory) into a fresh database, with or without
** the parser thread: the code, the message in zErr, the bytes the load
** scanned in *pnScan. */
static int loadWith(const char *zName, int bNoThread, char *zErr, size_t nErr, int64_t *pnScan){
  char zSql[300];
  if( openFresh("thread.fakt") ) return -1;
  gDb->bLoadNoThread = bNoThread;
  int64_t n0 = gDb->nTextScan;
  snprintf(zSql, sizeof(zSql), "load \"%s\";", path(1, zName));
  int rc = run(gDb, zSql, zErr, nErr);
  if( pnScan ) *pnScan = gDb->nTextScan - n0;
  return rc;
}

/* A digest of every claim of gDb: its name, subject, object, source, span
** and quote (FNV-1a over the rows); 0 when the query fails. */
static uint64_t claimsDigest(int *pnRow){
  fakt_stmt *p = NULL;
  uint64_t h = 0xcbf29ce484222325ULL;
  *pnRow = 0;
  if( fakt_prepare(gDb, "find ?c, ?s, ?o, ?src, ?b, ?e, ?q where ?c: ?s knows ?o, source(?c, ?src), "
                        "span(?c, ?b, ?e), quote(?c, ?q) order by ?c;", -1, &p, NULL) ) return 0;
  while( fakt_step(p)==FAKT_ROW ){
    for(int i=0; i<7; i++){
      const char *z = fakt_column_text(p, i);
      for(; z && *z; z++){ h ^= (unsigned char)*z; h *= 0x100000001b3ULL; }
      h ^= 0xff; h *= 0x100000001b3ULL;
    }
    (*pnRow)++;
  }
  fakt_finalize(p);
  return h;
}

/* 1 if gDb's database has no predicate "knows": nothing of the file. */
static int noKnows(void){
  fakt_stmt *p = NULL;
  int rc = fakt_prepare(gDb, "find count(?c) where ?c: ?s knows ?o;", -1, &p, NULL);
  fakt_finalize(p);
  return rc==FAKT_NOTFOUND;
}

/* The thread parses a large file ahead of its statements; the database,
** the bytes scanned are those of a load without it. */
static void testThreadUsed(void){
  char zErr[400];
  int nStmt = 0, nRow1 = 0, nRow2 = 0;
  int64_t nScan1 = 0, nScan2 = 0;
  long nFile = writeBig("big.facts", "c", 30000, NULL, 0, &nStmt);
  CHECK( nFile > (1<<20) );                   /* more than one window */
  CHECK( loadWith("big.facts", 0, zErr, sizeof(zErr), &nScan1)==FAKT_OK );
  if( zErr[0] ) printf("  %s\n", zErr);
  CHECK( gDb->nLoadThreads==1 );
  CHECK( gDb->nLoadThreadStmts==nStmt );      /* every statement, on the thread */
  CHECK( gDb->nLoadAheadMax>=2 && gDb->nLoadAheadMax<=512 );
  CHECK( gDb->nLoadWindow==(1<<20) );
  uint64_t h1 = claimsDigest(&nRow1);
  CHECK( loadWith("big.facts", 1, zErr, sizeof(zErr), &nScan2)==FAKT_OK );
  CHECK( gDb->nLoadThreads==0 && gDb->nLoadThreadStmts==0 );
  uint64_t h2 = claimsDigest(&nRow2);
  CHECK( nRow1==30000 && nRow2==30000 );
  CHECK( h1==h2 && h1!=0 );
  CHECK( nScan1==nScan2 && nScan1>=2*nFile );
  if( nScan1!=nScan2 ) printf("  scanned %lld with the thread, %lld without\n", (long long)nScan1, (long long)nScan2);
  /* a small file is parsed on the calling thread */
  CHECK( writeFile("small.facts", "predicate knows : entity;\nentity a person \"A\";\nclaim a knows a;\n")==0 );
  CHECK( loadWith("small.facts", 0, zErr, sizeof(zErr), NULL)==FAKT_OK );
  CHECK( gDb->nLoadThreads==0 );
}

/* zName loaded with and without the thread fails with the same message,
** which contains zWant; nothing is stored; nThread threads (a nested
** load has its own) parsed at most nMaxAhead statements. */
static void checkFails(const char *zName, const char *zWant, int nThread, int64_t nMaxAhead){
  char zErr1[600], zErr2[600];
  CHECK( loadWith(zName, 0, zErr1, sizeof(zErr1), NULL)!=FAKT_OK );
  CHECK( gDb->nLoadThreads==nThread );
  CHECK( gDb->nLoadThreadStmts<=nMaxAhead );
  if( gDb->nLoadThreadStmts>nMaxAhead ) printf("  %s: the thread parsed %lld statements\n", zName, (long long)gDb->nLoadThreadStmts);
  CHECK( noKnows() );
  CHECK( loadWith(zName, 1, zErr2, sizeof(zErr2), NULL)!=FAKT_OK );
  CHECK( noKnows() );
  CHECK( strcmp(zErr1, zErr2)==0 );
  CHECK( strstr(zErr1, zWant)!=NULL );
  if( strcmp(zErr1, zErr2) || strstr(zErr1, zWant)==NULL ){
    printf("  with the thread: %s\n  without: %s\n  want: %s\n", zErr1, zErr2, zWant);
  }
}

/* An error early in a large file stops the thread after a bounded number
** of statements: past the failing one, at most 512 taken by the load and
** not run, 512 waiting and a batch of 32 being parsed (loadfile.c); one in
** the middle, after many windows, stores nothing either. */
#define LOAD_AHEAD (512 + 512 + 32 + 1)
static void testThreadErrors(void){
  char zWant[300];
  int nStmt = 0;
  /* a syntax error in the 11th claim of 120,000 (about 5 MB): line 52 +
  ** 10 claims + 1 source, then the bad claim's second line */
  writeBig("early.facts", "c", 120000, "claim bad: e01 knows\n  ;\n", 10, &nStmt);
  snprintf(zWant, sizeof(zWant), "in %s:64:3: near \";\"", path(1, "early.facts"));
  checkFails("early.facts", zWant, 1, 63 + LOAD_AHEAD);
  /* an unknown entity after 60,000 claims and 11 sources */
  writeBig("middle.facts", "c", 120000, "claim bad: e01 knows nobody;\n", 60000, &nStmt);
  snprintf(zWant, sizeof(zWant), "in %s:60063:22: unknown entity \"nobody\"", path(1, "middle.facts"));
  checkFails("middle.facts", zWant, 1, 60063 + LOAD_AHEAD);
}

/* Stop at the nStop-th call (every 1,000 statements). */
static int stopAt(void *pArg){
  int *p = pArg;
  return --*p==0;
}

/* fakt_interrupt() and the progress handler stop a load on the thread as
** without it: nothing is stored. A nested load of a large file (a thread
** of its own) inside a large file: an error in the inner file names it. */
static void testThreadStops(void){
  char zErr[600], zSql[300], zWant[600];
  int nStmt = 0, nLeft = 5;
  writeBig("stop.facts", "c", 60000, NULL, 0, &nStmt);
  CHECK( openFresh("thread.fakt")==FAKT_OK );
  CHECK( fakt_progress_handler(gDb, 1000, stopAt, &nLeft)==FAKT_OK );
  snprintf(zSql, sizeof(zSql), "load \"%s\";", path(1, "stop.facts"));
  CHECK( run(gDb, zSql, zErr, sizeof(zErr))==FAKT_INTERRUPT );
  CHECK( gDb->nLoadThreads==1 && gDb->nLoadThreadStmts <= 5000 + LOAD_AHEAD );
  CHECK( noKnows() );
  fakt_progress_handler(gDb, 0, NULL, NULL);

  /* inner.facts: 40,000 claims and an error after 30,000 of them and 16
  ** sources; outer.facts loads it after 10,000 claims and 11 sources */
  writeBig("inner.facts", "i", 40000, "claim bad: e01 knows nobody;\n", 30000, &nStmt);
  writeBig("outer.facts", "c", 20000, "load \"inner.facts\";\n", 10000, &nStmt);
  snprintf(zWant, sizeof(zWant), "outer.facts:10063:6: in %s:30068:22: unknown entity \"nobody\"",
           path(1, "inner.facts"));
  checkFails("outer.facts", zWant, 2, 30068 + 10063 + 2*LOAD_AHEAD);
  /* without the error: both files, whole */
  writeBig("inner.facts", "i", 40000, NULL, 0, &nStmt);
  writeBig("outer.facts", "c", 20000, "load \"inner.facts\";\n", 10000, &nStmt);
  CHECK( loadWith("outer.facts", 0, zErr, sizeof(zErr), NULL)==FAKT_OK );
  if( zErr[0] ) printf("  %s\n", zErr);
  CHECK( gDb->nLoadThreads==2 );
  fakt_stmt *p = NULL;
  CHECK( fakt_prepare(gDb, "find count(?c) where ?c: ?s knows ?o;", -1, &p, NULL)==FAKT_OK );
  CHECK( p && fakt_step(p)==FAKT_ROW && fakt_column_int64(p, 0)==60000 );
  fakt_finalize(p);
}

int main(void){
  if( scratchInit("loadfast") ) return 1;
  testIndexAgainstScan();
  testTwice();
  testKeptText();
  testCorpus();
  testThreadUsed();
  testThreadErrors();
  testThreadStops();
  scratchDone();
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail>0;
}
