/*
** run_fakt.c -- the fakt side of the benchmark: loads the data through the
** public API (fakt.h only) and runs every workload with prepared
** statements and bound parameters.
**
** Claims are loaded through prepared statements, one per predicate (the
** predicate cannot be a parameter), without ids: fakt names the claims
** _c1, _c2 ... in load order, as the other systems render theirs.
** benchRunFaktFile() loads the same claims from a file instead: JSON Lines
** through fakt_import(), or a .facts file through one `load` statement.
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "fakt.h"
#include "bench.h"

/* Growable text buffer for statements. */
typedef struct Buf { char *z; size_t n, nAlloc; } Buf;

static void bufReserve(Buf *b, size_t n){
  if( b->n+n+1>b->nAlloc ){
    b->nAlloc = (b->n+n+1)*2;
    b->z = realloc(b->z, b->nAlloc);
    if( !b->z ){ fprintf(stderr, "bench: out of memory\n"); exit(1); }
  }
}

static void bufAdd(Buf *b, const char *z, size_t n){
  bufReserve(b, n);
  memcpy(b->z+b->n, z, n);
  b->n += n;
  b->z[b->n] = 0;
}

static void bufPrintf(Buf *b, const char *zFmt, ...) __attribute__((format(printf, 2, 3)));
static void bufPrintf(Buf *b, const char *zFmt, ...){
  va_list ap;
  char z[512];
  va_start(ap, zFmt);
  int n = vsnprintf(z, sizeof(z), zFmt, ap);
  va_end(ap);
  if( n>=(int)sizeof(z) ){ fprintf(stderr, "bench: statement piece too long\n"); exit(1); }
  bufAdd(b, z, (size_t)n);
}

/* A fakt string literal: quotes and backslashes escaped. */
static void bufString(Buf *b, const char *z){
  bufReserve(b, strlen(z)*2+2);
  b->z[b->n++] = '"';
  for(; *z; z++){
    if( *z=='"' || *z=='\\' ) b->z[b->n++] = '\\';
    b->z[b->n++] = *z;
  }
  b->z[b->n++] = '"';
  b->z[b->n] = 0;
}

/* Run every statement of b (then empty it). Returns 0, or 1 with a message. */
static int execBuf(fakt *db, Buf *b){
  const char *z = b->z, *zEnd = b->z + b->n;
  while( z<zEnd ){
    fakt_stmt *st = 0;
    const char *zTail = 0;
    int rc = fakt_prepare(db, z, (int)(zEnd-z), &st, &zTail);
    if( rc==FAKT_OK && st ){
      while( (rc = fakt_step(st))==FAKT_ROW ){}
      if( rc==FAKT_DONE ) rc = FAKT_OK;
    }
    if( rc!=FAKT_OK ){
      const char *zStop = zTail && zTail>z ? zTail : zEnd;
      int nShow = zStop-z > 300 ? 300 : (int)(zStop-z);
      fprintf(stderr, "bench fakt: %s\n  in: %.*s\n", fakt_errmsg(db), nShow, z);
      fakt_finalize(st);
      return 1;
    }
    fakt_finalize(st);
    if( !zTail || zTail<=z ) break;
    z = zTail;
  }
  b->n = 0;
  if( b->z ) b->z[0] = 0;
  return 0;
}

/* The statement that defines entity i, appended to b. */
static void entityText(Buf *b, const BenchData *d, uint32_t i){
  const BenchEnt *e = &d->aEnt[i];
  bufPrintf(b, "entity e%u %s ", i, benchTypeName[e->type]);
  bufString(b, d->zPool + e->label);
  if( e->bCoords ) bufPrintf(b, " at %.17g, %.17g", e->lat, e->lon);
  bufAdd(b, ";\n", 2);
}

/* The statement that defines source s (1-based) with its text, appended to b. */
static void sourceText(Buf *b, const BenchData *d, uint32_t s){
  size_t nText;
  char *zText = benchSourceText(d, s, &nText);
  if( !zText ){ fprintf(stderr, "bench: out of memory\n"); exit(1); }
  bufPrintf(b, "source d%u \"Source %u\" text ", s, s);
  bufString(b, zText);
  bufAdd(b, ";\n", 2);
  free(zText);
}

/*
** Claims go through prepared statements with bound parameters (SPEC.md
** 4.4): one statement per predicate, since the predicate cannot be a
** parameter, for claims with provenance, and one for bare claims. The
** claims carry no id, so fakt numbers them in load order: claim i of the
** data becomes _c<i+1>, which Loader.iNext makes sure of.
*/
typedef struct Loader {
  fakt *db;
  const BenchData *d;
  fakt_stmt **aFull;         /* [nPred]: claim with from, by, stance, holds, said, quote */
  fakt_stmt **aBare;         /* [nPred]: claim without provenance */
  uint32_t iNext;            /* the claim expected next */
} Loader;

static fakt_stmt *claimStmt(Loader *L, uint32_t p, int bFull){
  fakt_stmt **pp = bFull ? &L->aFull[p] : &L->aBare[p];
  if( *pp==0 ){
    char z[256], zP[32];
    snprintf(z, sizeof(z), bFull ? "claim $1 %s $2 from $3 by $4 stance $5 holds $6 said $7 quote $8;"
                                 : "claim $1 %s $2;", benchPredName(zP, p));
    if( fakt_prepare(L->db, z, -1, pp, 0)!=FAKT_OK ){
      fprintf(stderr, "bench fakt: %s\n  in: %s\n", fakt_errmsg(L->db), z);
      return 0;
    }
  }
  return *pp;
}

static int bindEnt(fakt_stmt *st, int i, uint32_t e);
static int bindObj(const BenchData *d, fakt_stmt *st, int i, uint32_t o);

/* Store claim i. Returns 0, or 1 after a message. */
static int putClaim(Loader *L, uint32_t i){
  const BenchClaim *c = &L->d->aClaim[i];
  char zSrc[16], zD1[16], zD2[16], zQ[MAXQW*8+1];
  if( i!=L->iNext ){
    fprintf(stderr, "bench fakt: claim %u loaded out of order (expected %u): its name would differ\n", i, L->iNext);
    return 1;
  }
  fakt_stmt *st = claimStmt(L, c->p, c->src!=0);
  if( st==0 ) return 1;
  int rc = bindEnt(st, 1, c->s);
  if( rc==FAKT_OK ) rc = bindObj(L->d, st, 2, c->o);
  if( rc==FAKT_OK && c->src ){
    snprintf(zSrc, sizeof(zSrc), "d%u", c->src);
    benchQuote(L->d, c, zQ);
    rc = fakt_bind_text(st, 3, zSrc, -1, FAKT_STATIC);
    if( rc==FAKT_OK ) rc = bindEnt(st, 4, c->who);
    if( rc==FAKT_OK ) rc = fakt_bind_text(st, 5, benchStanceName[c->stance], -1, FAKT_STATIC);
    if( rc==FAKT_OK ) rc = fakt_bind_text(st, 6, benchDate(zD1, c->holds), -1, FAKT_STATIC);
    if( rc==FAKT_OK ) rc = fakt_bind_text(st, 7, benchDate(zD2, c->said), -1, FAKT_STATIC);
    if( rc==FAKT_OK ) rc = fakt_bind_text(st, 8, zQ, -1, FAKT_STATIC);
  }
  if( rc==FAKT_OK ) rc = fakt_step(st);
  fakt_reset(st);
  if( rc!=FAKT_DONE ){
    fprintf(stderr, "bench fakt: claim %u: %s\n  in: %s\n", i, fakt_errmsg(L->db), fakt_sql(st));
    return 1;
  }
  L->iNext++;
  return 0;
}

static void loaderFree(Loader *L){
  for(uint32_t p=0; p<L->d->h.nPred; p++){ fakt_finalize(L->aFull[p]); fakt_finalize(L->aBare[p]); }
  free(L->aFull); free(L->aBare);
}

/* Load everything in one explicit transaction, as SQLite and raw LMDB do.
** fakt makes room in its map for max(used, 16 GiB) before a transaction
** (SPEC.md §11.5); 10M claims write about 3 GB. */
static int load(fakt *db, const BenchData *d){
  Buf b = {0, 0, 0};
  Loader L;
  uint32_t i;
  int rc = 0;
  memset(&L, 0, sizeof(L));
  L.db = db; L.d = d;
  L.aFull = calloc(d->h.nPred, sizeof(fakt_stmt*));
  L.aBare = calloc(d->h.nPred, sizeof(fakt_stmt*));
  if( !L.aFull || !L.aBare ){ fprintf(stderr, "bench: out of memory\n"); exit(1); }
  bufAdd(&b, "begin;\n", 7);
  for(i=1; i<d->h.nPred; i++) bufPrintf(&b, "predicate p%u;\n", i);
  rc = execBuf(db, &b);
  for(i=0; i<d->h.nEnt && rc==0; i++){
    entityText(&b, d, i);
    if( b.n>65536 ) rc = execBuf(db, &b);
  }
  if( rc==0 ) rc = execBuf(db, &b);
  for(i=0; i<d->h.nLocated && rc==0; i++) rc = putClaim(&L, i);
  for(uint32_t s=1; s<=d->h.nSrc && rc==0; s++){
    sourceText(&b, d, s);
    rc = execBuf(db, &b);
    for(i=d->aSrcFirst[s]; i<d->aSrcFirst[s+1] && rc==0; i++) rc = putClaim(&L, i);
  }
  if( rc==0 && L.iNext!=d->h.nClaim ){
    fprintf(stderr, "bench fakt: %u of %u claims loaded\n", L.iNext, d->h.nClaim);
    rc = 1;
  }
  loaderFree(&L);
  if( rc==0 ){
    const char *z = "commit;\nrule inside(?x, ?y) if ?x located_in ?y;\n"
                    "rule inside(?x, ?z) if ?x located_in ?y, inside(?y, ?z);\n";
    bufAdd(&b, z, strlen(z));
    rc = execBuf(db, &b);
  }
  free(b.z);
  return rc;
}

/* ---------------------------------------------------------------- workloads */

/* The point query: all claims about one subject, with provenance (the
** open workload answers it once, the point workload 2,000 times). */
static const char zPointQuery[] =
  "find ?c, ?p, ?o, ?src, ?who, ?st, ?h, ?q where ?c: $s ?p ?o, "
  "source(?c, ?src), by(?c, ?who), stance(?c, ?st), holds(?c, ?h), quote(?c, ?q);";

static fakt_stmt *prep(fakt *db, const char *zSql){
  fakt_stmt *st = 0;
  if( fakt_prepare(db, zSql, -1, &st, 0)!=FAKT_OK ){
    fprintf(stderr, "bench fakt: %s\n  in: %s\n", fakt_errmsg(db), zSql);
    return 0;
  }
  return st;
}

static int bindEnt(fakt_stmt *st, int i, uint32_t e){
  char z[16];
  return fakt_bind_entity(st, i, benchEntName(z, e));
}

/* Bind an object: an entity, or a string value. */
static int bindObj(const BenchData *d, fakt_stmt *st, int i, uint32_t o){
  if( o & OBJ_STR ) return fakt_bind_text(st, i, d->zPool + d->aStrVal[o & ~OBJ_STR], -1, FAKT_STATIC);
  return bindEnt(st, i, o);
}

/* Step st to the end, adding each row to a. Returns 0 or 1. */
static int drain(fakt *db, fakt_stmt *st, BenchAnswer *a){
  const char *az[16];
  int rc, nCol = fakt_column_count(st);
  while( (rc = fakt_step(st))==FAKT_ROW ){
    for(int i=0; i<nCol && i<16; i++) az[i] = fakt_column_text(st, i);
    benchRow(a, nCol, az);
  }
  fakt_reset(st);
  if( rc!=FAKT_DONE ){
    fprintf(stderr, "bench fakt: %s\n  in: %s\n", fakt_errmsg(db), fakt_sql(st));
    return 1;
  }
  a->iQuery++;
  return 0;
}

/* Report a workload of nQ queries that took t seconds. */
static void report(BenchOut *o, const char *zWork, int nQ, double t, const BenchAnswer *a){
  benchPut(o, zWork, "seconds", t);
  benchPut(o, zWork, "qps", nQ/t);
  benchPutAnswer(o, zWork, a);
}

/* BENCH_ONLY=name runs only that workload (for profiling). */
static int want(const char *zWork){
  const char *z = getenv("BENCH_ONLY");
  return z==0 || strcmp(z, zWork)==0;
}

static FILE *dumpFile(const char *zWork){
  const char *zDir = getenv("BENCH_DUMP");
  char z[512];
  if( !zDir ) return 0;
  snprintf(z, sizeof(z), "%s/fakt.%s.tsv", zDir, zWork);
  return fopen(z, "w");
}

static void answerInit(BenchAnswer *a, const char *zWork){
  memset(a, 0, sizeof(*a));
  a->pDump = dumpFile(zWork);
}
static void answerDone(BenchAnswer *a){ if( a->pDump ) fclose(a->pDump); }

/*
** Replace zDb by a compact copy of it (fakt_vacuum_into, then a rename while
** nothing else has it open), closing *pDb: the queries open the copy
** afresh, in the open workload. Returns 0, or 1 after a message.
*/
static int vacuum(fakt **pDb, const char *zDb, BenchOut *o){
  char zCopy[1024], zLock[1100];
  snprintf(zCopy, sizeof(zCopy), "%s.vacuum", zDb);
  remove(zCopy);
  benchPut(o, "vacuum", "size_before", (double)benchFileSize(zDb));
  if( fakt_vacuum_into(*pDb, zCopy)!=FAKT_OK ){
    fprintf(stderr, "bench fakt: vacuum: %s\n", fakt_errmsg(*pDb));
    return 1;
  }
  if( fakt_close(*pDb)!=FAKT_OK ){ fprintf(stderr, "bench fakt: close: %s\n", fakt_errmsg(*pDb)); }
  *pDb = 0;
  if( rename(zCopy, zDb)!=0 ){ perror(zDb); return 1; }
  snprintf(zLock, sizeof(zLock), "%s-lock", zDb);
  remove(zLock);
  return 0;
}

/*
** Load d into the fakt database zDb (replacing it), then run every workload
** on a fresh read-only handle, writing result lines to o. With BENCH_REUSE
** set in the environment, skip the removal and the load and query the zDb
** an earlier run left (no load or size lines then); BENCH_LOAD_ONLY stops
** after the load. Returns 0, or 1 after a message on stderr.
*/
int benchRunFakt(const BenchData *d, const BenchParams *pp, const char *zDb, BenchOut *o){
  fakt *db = 0;
  fakt_stmt *st = 0;
  BenchAnswer a;
  double t;
  int i, rc = 1;
  char zLock[1024];
  snprintf(zLock, sizeof(zLock), "%s-lock", zDb);
  if( !getenv("BENCH_REUSE") ){      /* BENCH_REUSE: query an already loaded zDb */
    remove(zDb); remove(zLock);
    if( fakt_open(zDb, FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE, &db)!=FAKT_OK ){
      fprintf(stderr, "bench fakt: %s\n", fakt_errmsg(db));
      goto done;
    }
    double w0 = benchWritten();
    t = benchNow();
    if( load(db, d) ) goto done;
    /* then what a user does after a bulk load: a compact copy in its place */
    double tVac = benchNow();
    if( vacuum(&db, zDb, o) ) goto done;
    benchPut(o, "vacuum", "seconds", benchNow()-tVac);
    t = benchNow()-t;
    benchPut(o, "load", "seconds", t);
    benchPut(o, "load", "qps", d->h.nClaim/t);
    benchPut(o, "load", "written_bytes", w0<0 ? -1 : benchWritten()-w0);
    benchPut(o, "load", "maxrss_kb", (double)benchMaxRssKb());
    benchPut(o, "size", "bytes", (double)benchFileSize(zDb));
  }
  if( getenv("BENCH_LOAD_ONLY") ){ rc = 0; goto done; }

  /* Query on a fresh handle, as the SQLite side does. */
  if( db && fakt_close(db)!=FAKT_OK ){ fprintf(stderr, "bench fakt: close: %s\n", fakt_errmsg(db)); db = 0; goto done; }
  db = 0;
  /* open: the handle and the first point query's answer (the open reads
  ** a bounded number of pages; each page is checked when first read,
  ** SPEC §12.6) */
  t = benchNow();
  if( fakt_open(zDb, FAKT_OPEN_READONLY, &db)!=FAKT_OK ){
    fprintf(stderr, "bench fakt: %s\n", fakt_errmsg(db));
    goto done;
  }
  /* BENCH_MAPPED=bytes: the handle's limit of mapped pages (fakt_set_mapped;
  ** unset: the library's default) */
  if( getenv("BENCH_MAPPED") && *getenv("BENCH_MAPPED") ) fakt_set_mapped(db, strtoull(getenv("BENCH_MAPPED"), 0, 10));
  answerInit(&a, "open");
  st = prep(db, zPointQuery);
  if( !st || bindEnt(st, 1, pp->aPoint[0]) || drain(db, st, &a) ) goto done;
  fakt_finalize(st); st = 0;
  benchPut(o, "open", "seconds", benchNow()-t);
  answerDone(&a);

  /* point query: all claims about one subject, with provenance */
  if( want("point") ){
    answerInit(&a, "point");
    st = prep(db, zPointQuery);
    if( !st ) goto done;
    t = benchNow();
    for(i=0; i<pp->nPoint; i++){
      if( bindEnt(st, 1, pp->aPoint[i]) || drain(db, st, &a) ) goto done;
    }
    report(o, "point", pp->nPoint, benchNow()-t, &a);
    answerDone(&a); fakt_finalize(st); st = 0;
  }

  /* pattern: predicate + object */
  if( want("pattern") ){
    answerInit(&a, "pattern");
    st = prep(db, "find ?c, ?s where ?c: ?s $p $o;");
    if( !st ) goto done;
    t = benchNow();
    for(i=0; i<pp->nPat; i++){
      char zP[32];
      if( fakt_bind_entity(st, 1, benchPredName(zP, pp->aPatP[i]))
       || bindObj(d, st, 2, pp->aPatO[i]) || drain(db, st, &a) ) goto done;
    }
    report(o, "pattern", pp->nPat, benchNow()-t, &a);
    answerDone(&a); fakt_finalize(st); st = 0;
  }

  /* two-hop join */
  if( want("join") ){
    answerInit(&a, "join");
    st = prep(db, "find ?c1, ?x, ?c2, ?p2, ?y where ?c1: $s ?p1 ?x, ?c2: ?x ?p2 ?y;");
    if( !st ) goto done;
    t = benchNow();
    for(i=0; i<pp->nJoin; i++){
      if( bindEnt(st, 1, pp->aJoin[i]) || drain(db, st, &a) ) goto done;
    }
    report(o, "join", pp->nJoin, benchNow()-t, &a);
    answerDone(&a); fakt_finalize(st); st = 0;
  }

  /* selective aggregation: claims per source for one predicate */
  if( want("aggregate") ){
    answerInit(&a, "aggregate");
    st = prep(db, "find ?src, count() where ?c: ?s $p ?o, source(?c, ?src);");
    if( !st ) goto done;
    t = benchNow();
    for(i=0; i<pp->nAgg; i++){
      char zP[32];
      if( fakt_bind_entity(st, 1, benchPredName(zP, pp->aAgg[i])) || drain(db, st, &a) ) goto done;
    }
    report(o, "aggregate", pp->nAgg, benchNow()-t, &a);
    answerDone(&a); fakt_finalize(st); st = 0;
  }

  /* full scan of one order */
  if( want("scan") ){
    answerInit(&a, "scan");
    st = prep(db, "find count() where ?c: ?s ?p ?o;");
    if( !st ) goto done;
    t = benchNow();
    if( drain(db, st, &a) ) goto done;
    t = benchNow()-t;
    benchPut(o, "scan", "seconds", t);
    benchPut(o, "scan", "qps", d->h.nClaim/t);
    benchPutAnswer(o, "scan", &a);
    answerDone(&a); fakt_finalize(st); st = 0;
  }

  /* recursive rule: transitive containment */
  if( want("recursive") ){
    answerInit(&a, "recursive");
    st = prep(db, "find ?x where inside(?x, $country);");
    if( !st ) goto done;
    t = benchNow();
    for(i=0; i<pp->nRec; i++){
      if( bindEnt(st, 1, pp->aRec[i]) || drain(db, st, &a) ) goto done;
    }
    report(o, "recursive", pp->nRec, benchNow()-t, &a);
    answerDone(&a); fakt_finalize(st); st = 0;
  }

  /* within N km through the geo index */
  if( want("within") ){
    answerInit(&a, "within");
    st = prep(db, "find ?x where within(?x, $c, $km);");
    if( !st ) goto done;
    fakt_bind_double(st, 2, pp->geoKm);
    t = benchNow();
    for(i=0; i<pp->nGeo; i++){
      if( bindEnt(st, 1, pp->aGeo[i]) || drain(db, st, &a) ) goto done;
    }
    report(o, "within", pp->nGeo, benchNow()-t, &a);
    answerDone(&a); fakt_finalize(st); st = 0;
  }

  /* within N km by a full scan of the coordinates (the baseline) */
  if( want("within_scan") ){
    answerInit(&a, "within_scan");
    st = prep(db, "find ?x where coords(?x, ?lat, ?lon), distance(?x, $c) <= $km;");
    if( !st ) goto done;
    fakt_bind_double(st, 2, pp->geoKm);
    t = benchNow();
    for(i=0; i<pp->nGeoScan; i++){
      if( bindEnt(st, 1, pp->aGeo[i]) || drain(db, st, &a) ) goto done;
    }
    report(o, "within_scan", pp->nGeoScan, benchNow()-t, &a);
    answerDone(&a); fakt_finalize(st); st = 0;
  }

  /* full text over quotes */
  if( want("fulltext") ){
    answerInit(&a, "fulltext");
    st = prep(db, "find ?c where match(?c, $t), quote(?c, ?q);");
    if( !st ) goto done;
    t = benchNow();
    for(i=0; i<pp->nFts; i++){
      if( fakt_bind_text(st, 1, pp->azFts[i], -1, FAKT_STATIC) || drain(db, st, &a) ) goto done;
    }
    report(o, "fulltext", pp->nFts, benchNow()-t, &a);
    answerDone(&a); fakt_finalize(st); st = 0;
  }

  /* re-executing one prepared statement with new parameters */
  if( want("reexec") ){
    answerInit(&a, "reexec");
    st = prep(db, "find ?c where ?c: $s $p $o;");
    if( !st ) goto done;
    t = benchNow();
    for(i=0; i<pp->nRe; i++){
      char zP[32];
      if( bindEnt(st, 1, pp->aReS[i]) || fakt_bind_entity(st, 2, benchPredName(zP, pp->aReP[i]))
       || bindObj(d, st, 3, pp->aReO[i]) || drain(db, st, &a) ) goto done;
    }
    report(o, "reexec", pp->nRe, benchNow()-t, &a);
    answerDone(&a); fakt_finalize(st); st = 0;
  }

  /* parse and plan of a 3-pattern query */
  if( want("prepare") ){
    {
      const char *zQ = "find ?x, ?y, ?z where ?c1: $s ?p ?x, ?c2: ?x located_in ?y, "
                       "?c3: ?y located_in ?z;";
      t = benchNow();
      for(i=0; i<pp->nPrep; i++){
        if( !(st = prep(db, zQ)) ) goto done;
        fakt_finalize(st); st = 0;
      }
      t = benchNow()-t;
      benchPut(o, "prepare", "seconds", t);
      benchPut(o, "prepare", "qps", pp->nPrep/t);
    }
  }

  benchPut(o, "all", "maxrss_kb", (double)benchMaxRssKb());
  rc = 0;

done:
  fakt_finalize(st);
  if( db && fakt_close(db)!=FAKT_OK ) fprintf(stderr, "bench fakt: close: %s\n", fakt_errmsg(db));
  return rc;
}

/* ---------------------------------------------------------------- the same claims from a file */

/*
** The claim statement of claim i as text: what putClaim() binds, written as
** literals. It has no id, so that fakt names it _c<i+1> as putClaim's.
*/
static void claimText(Buf *b, const BenchData *d, uint32_t i){
  const BenchClaim *c = &d->aClaim[i];
  char zP[32], zD1[16], zD2[16], zQ[MAXQW*8+1];
  bufPrintf(b, "claim e%u %s ", c->s, benchPredName(zP, c->p));
  if( c->o & OBJ_STR ) bufString(b, d->zPool + d->aStrVal[c->o & ~OBJ_STR]);
  else bufPrintf(b, "e%u", c->o);
  if( c->src ){
    benchQuote(d, c, zQ);
    bufPrintf(b, " from d%u by e%u stance %s holds @%s said @%s quote ", c->src, c->who,
              benchStanceName[c->stance], benchDate(zD1, c->holds), benchDate(zD2, c->said));
    bufString(b, zQ);
  }
  bufAdd(b, ";\n", 2);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void bufJson(Buf *b, const char *z){
  bufReserve(b, strlen(z)*6+2);
  b->z[b->n++] = '"';
  for(; *z; z++){
    unsigned char c = (unsigned char)*z;
    if( c=='"' || c=='\\' ){ b->z[b->n++] = '\\'; b->z[b->n++] = (char)c; }
    else if( c<0x20 ) b->n += (size_t)sprintf(b->z+b->n, "\\u%04x", c);
    else b->z[b->n++] = (char)c;
  }
  b->z[b->n++] = '"';
  b->z[b->n] = 0;
}

/* The JSON Lines record (SPEC.md 14.3) of entity i. */
static void entityJson(Buf *b, const BenchData *d, uint32_t i){
  const BenchEnt *e = &d->aEnt[i];
  bufPrintf(b, "{\"kind\":\"entity\",\"id\":\"e%u\",\"type\":\"%s\",\"label\":", i, benchTypeName[e->type]);
  bufJson(b, d->zPool + e->label);
  if( e->bCoords ) bufPrintf(b, ",\"lat\":%.17g,\"lon\":%.17g", e->lat, e->lon);
  bufAdd(b, "}\n", 2);
}

/* The JSON Lines record of source s (1-based). */
static void sourceJson(Buf *b, const BenchData *d, uint32_t s){
  size_t nText;
  char *zText = benchSourceText(d, s, &nText);
  if( !zText ){ fprintf(stderr, "bench: out of memory\n"); exit(1); }
  bufPrintf(b, "{\"kind\":\"source\",\"id\":\"d%u\",\"title\":\"Source %u\",\"text\":", s, s);
  bufJson(b, zText);
  bufAdd(b, "}\n", 2);
  free(zText);
}

/* The JSON Lines record of claim i, with the id _c<i+1> that fakt gives
** claim i in the other loads (an import keeps generated ids, SPEC.md 14.1). */
static void claimJson(Buf *b, const BenchData *d, uint32_t i){
  const BenchClaim *c = &d->aClaim[i];
  char zP[32], zD1[16], zD2[16], zQ[MAXQW*8+1];
  bufPrintf(b, "{\"kind\":\"claim\",\"id\":\"_c%u\",\"s\":\"e%u\",\"p\":\"%s\",\"o\":", i+1, c->s,
            benchPredName(zP, c->p));
  if( c->o & OBJ_STR ){
    bufJson(b, d->zPool + d->aStrVal[c->o & ~OBJ_STR]);
    bufAdd(b, ",\"otype\":\"string\"", 17);
  }else{
    bufPrintf(b, "\"e%u\",\"otype\":\"entity\"", c->o);
  }
  if( c->src ){
    benchQuote(d, c, zQ);
    bufPrintf(b, ",\"source\":\"d%u\",\"by\":\"e%u\",\"stance\":\"%s\",\"holds\":\"%s\",\"said\":\"%s\",\"quote\":",
              c->src, c->who, benchStanceName[c->stance], benchDate(zD1, c->holds), benchDate(zD2, c->said));
    bufJson(b, zQ);
  }
  bufAdd(b, "}\n", 2);
}

/* Write b to f and empty it, once it holds more than nMin bytes. 0, or 1 on a write error. */
static int bufFlush(Buf *b, FILE *f, size_t nMin){
  if( b->n<=nMin ) return 0;
  if( fwrite(b->z, 1, b->n, f)!=b->n ) return 1;
  b->n = 0;
  return 0;
}

/*
** Write the data set to zPath as a .facts file (bJsonl 0: the statements
** the prepared load runs, claims as literals) or as JSON Lines (bJsonl 1),
** in the prepared load's order: predicates, entities, the containment
** claims, then each source followed by its claims. Sets *pnStmt to the
** number of statements (records). Returns 0, or 1 after a message.
*/
static int writeDataFile(const BenchData *d, const char *zPath, int bJsonl, uint64_t *pnStmt){
  FILE *f = fopen(zPath, "w");
  Buf b = {0, 0, 0};
  uint64_t n = 0;
  int bErr = 0;
  if( !f ){ perror(zPath); return 1; }
  for(uint32_t p=1; p<d->h.nPred; p++, n++){
    if( bJsonl ) bufPrintf(&b, "{\"kind\":\"predicate\",\"id\":\"p%u\"}\n", p);
    else bufPrintf(&b, "predicate p%u;\n", p);
  }
  for(uint32_t i=0; i<d->h.nEnt && !bErr; i++, n++){
    if( bJsonl ) entityJson(&b, d, i); else entityText(&b, d, i);
    bErr = bufFlush(&b, f, 1<<20);
  }
  for(uint32_t i=0; i<d->h.nLocated && !bErr; i++, n++){
    if( bJsonl ) claimJson(&b, d, i); else claimText(&b, d, i);
    bErr = bufFlush(&b, f, 1<<20);
  }
  for(uint32_t s=1; s<=d->h.nSrc && !bErr; s++){
    if( bJsonl ) sourceJson(&b, d, s); else sourceText(&b, d, s);
    n++;
    for(uint32_t i=d->aSrcFirst[s]; i<d->aSrcFirst[s+1]; i++, n++){
      if( bJsonl ) claimJson(&b, d, i); else claimText(&b, d, i);
    }
    bErr = bufFlush(&b, f, 1<<20);
  }
  if( !bErr ) bErr = bufFlush(&b, f, 0);
  if( fclose(f)!=0 ) bErr = 1;
  free(b.z);
  if( bErr ){ perror(zPath); return 1; }
  *pnStmt = n;
  return 0;
}

/*
** The answers of a database loaded from a file: the point workload's
** queries (every claim of 2,000 subjects with its provenance) as
** NAME.point and the scan workload's count of all claims as NAME.scan; the
** report compares them with the prepared load's point and scan answers.
** Returns 0, or 1 after a message.
*/
static int fileAnswers(fakt *db, const BenchParams *pp, const char *zWork, BenchOut *o){
  BenchAnswer a;
  char zName[64];
  fakt_stmt *st = prep(db, zPointQuery);
  int rc = 1;
  snprintf(zName, sizeof(zName), "%s.point", zWork);
  answerInit(&a, zName);
  if( !st ) goto done;
  for(int i=0; i<pp->nPoint; i++){
    if( bindEnt(st, 1, pp->aPoint[i]) || drain(db, st, &a) ) goto done;
  }
  benchPutAnswer(o, zName, &a);
  answerDone(&a);
  fakt_finalize(st);
  snprintf(zName, sizeof(zName), "%s.scan", zWork);
  answerInit(&a, zName);
  st = prep(db, "find count() where ?c: ?s ?p ?o;");
  if( !st || drain(db, st, &a) ) goto done;
  benchPutAnswer(o, zName, &a);
  rc = 0;
done:
  answerDone(&a);
  fakt_finalize(st);
  return rc;
}

/*
** load_jsonl (bJsonl 1) and load_facts (bJsonl 0), issue 20: the claims of
** the prepared load written to a file beside zDb (zDb.jsonl or zDb.facts;
** the writing is not timed), then loaded into the new database zDb by one
** call: fakt_import(db, "jsonl", ...) or the statement `load "zDb.facts";`,
** each one transaction, committed; no vacuum after. Lines: NAME seconds,
** statements, maxrss_kb (ru_maxrss: this process runs only this load),
** size_bytes, written_bytes; then the answers of fileAnswers(). The file
** and the database are removed after, unless BENCH_KEEP is set. Returns 0,
** or 1 after a message.
*/
int benchRunFaktFile(const BenchData *d, const BenchParams *pp, const char *zDb, int bJsonl, BenchOut *o){
  const char *zWork = bJsonl ? "load_jsonl" : "load_facts";
  char zFile[1024], zLock[1024], zSql[1100];
  fakt *db = 0;
  uint64_t nStmt = 0;
  int rc = 1;
  snprintf(zFile, sizeof(zFile), "%s.%s", zDb, bJsonl ? "jsonl" : "facts");
  snprintf(zLock, sizeof(zLock), "%s-lock", zDb);
  remove(zDb); remove(zLock);
  if( writeDataFile(d, zFile, bJsonl, &nStmt) ) goto done;
  if( fakt_open(zDb, FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE, &db)!=FAKT_OK ){
    fprintf(stderr, "bench fakt: %s\n", fakt_errmsg(db));
    goto done;
  }
  double w0 = benchWritten();
  double t = benchNow();
  if( bJsonl ){
    char *zErr = 0;
    if( fakt_import(db, "jsonl", zFile, 0, 0, 0, 0, &zErr)!=FAKT_OK ){
      fprintf(stderr, "bench fakt: import %s: %s\n", zFile, zErr ? zErr : fakt_errmsg(db));
      fakt_free(zErr);
      goto done;
    }
  }else{
    char *zErr = 0;
    snprintf(zSql, sizeof(zSql), "load \"%s\";", zFile);
    if( fakt_exec(db, zSql, 0, 0, &zErr)!=FAKT_OK ){
      fprintf(stderr, "bench fakt: %s: %s\n", zSql, zErr ? zErr : fakt_errmsg(db));
      fakt_free(zErr);
      goto done;
    }
  }
  t = benchNow()-t;
  benchPut(o, zWork, "seconds", t);
  benchPut(o, zWork, "qps", d->h.nClaim/t);
  benchPut(o, zWork, "statements", (double)nStmt);
  benchPut(o, zWork, "file_bytes", (double)benchFileSize(zFile));
  benchPut(o, zWork, "written_bytes", w0<0 ? -1 : benchWritten()-w0);
  benchPut(o, zWork, "maxrss_kb", (double)benchMaxRssKb());
  benchPut(o, zWork, "size_bytes", (double)benchFileSize(zDb));
  rc = fileAnswers(db, pp, zWork, o);
done:
  if( db && fakt_close(db)!=FAKT_OK ) fprintf(stderr, "bench fakt: close: %s\n", fakt_errmsg(db));
  if( !getenv("BENCH_KEEP") ){ remove(zFile); remove(zDb); remove(zLock); }
  return rc;
}
