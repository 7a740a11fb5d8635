/*
** run_sqlite.c -- the SQLite side of the benchmark: the schema an
** experienced SQLite user would pick for these claims, loaded in one
** transaction with journal and sync off, and the same workloads in SQL.
**
**   spo   (s, p, o, c) WITHOUT ROWID, clustered on s,p,o,c
**   pos, osp   covering indexes (p,o,s[,c]) and (o,s,p[,c])
**   prov  per claim: source, speaker, stance, dates, quote text
**   ent   per entity: type, label, coordinates;  src: source texts
**   geo   R*Tree over the cities;  qfts  FTS5 (contentless) over quotes
** Entity objects are integers, string objects text, in one column o.
*/
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sqlite3.h>
#include "bench.h"

static int sqlFail(sqlite3 *db, const char *zWhat){
  fprintf(stderr, "bench sqlite: %s: %s\n", zWhat, sqlite3_errmsg(db));
  return 1;
}

static int execSql(sqlite3 *db, const char *zSql){
  char *zErr = 0;
  if( sqlite3_exec(db, zSql, 0, 0, &zErr)!=SQLITE_OK ){
    fprintf(stderr, "bench sqlite: %s\n  in: %s\n", zErr, zSql);
    sqlite3_free(zErr);
    return 1;
  }
  return 0;
}

/* The point query (the open workload answers it once, the point workload
** 2,000 times). */
static const char zPointQuery[] =
  "SELECT a.c, a.p, a.o, v.src, v.who, v.stance, v.holds, v.quote"
  " FROM spo a JOIN prov v ON v.c=a.c WHERE a.s=?1";

static sqlite3_stmt *prep(sqlite3 *db, const char *zSql){
  sqlite3_stmt *st = 0;
  if( sqlite3_prepare_v2(db, zSql, -1, &st, 0)!=SQLITE_OK ){
    fprintf(stderr, "bench sqlite: %s\n  in: %s\n", sqlite3_errmsg(db), zSql);
    return 0;
  }
  return st;
}

/* Step an insert and reset it. */
static int stepDone(sqlite3 *db, sqlite3_stmt *st){
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc==SQLITE_DONE ? 0 : sqlFail(db, "insert");
}

/* ---------------------------------------------------------------- load */

static const BenchData *gSortData;    /* for the qsort comparator only */

/* Order of the spo primary key: s, p, o (integers before text), c. */
static int cmpSpo(const void *a, const void *b){
  uint32_t i = *(const uint32_t*)a, j = *(const uint32_t*)b;
  const BenchClaim *x = &gSortData->aClaim[i], *y = &gSortData->aClaim[j];
  if( x->s!=y->s ) return x->s<y->s ? -1 : 1;
  if( x->p!=y->p ) return x->p<y->p ? -1 : 1;
  int xs = (x->o & OBJ_STR)!=0, ys = (y->o & OBJ_STR)!=0;
  if( xs!=ys ) return xs-ys;
  if( !xs && x->o!=y->o ) return x->o<y->o ? -1 : 1;
  if( xs && x->o!=y->o ){
    int r = strcmp(gSortData->zPool + gSortData->aStrVal[x->o & ~OBJ_STR],
                   gSortData->zPool + gSortData->aStrVal[y->o & ~OBJ_STR]);
    if( r ) return r;
  }
  return i<j ? -1 : i>j;
}

static void bindObj(const BenchData *d, sqlite3_stmt *st, int i, uint32_t o){
  if( o & OBJ_STR ) sqlite3_bind_text(st, i, d->zPool + d->aStrVal[o & ~OBJ_STR], -1, SQLITE_STATIC);
  else sqlite3_bind_int64(st, i, o);
}

static int load(sqlite3 *db, const BenchData *d){
  sqlite3_stmt *stE = 0, *stG = 0, *stS = 0, *stP = 0, *stF = 0, *stT = 0;
  uint32_t *aOrd = 0, i;
  int rc = 1;
  char zQ[MAXQW*8+1], zT[32];
  if( execSql(db,
      "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"
      "PRAGMA temp_store=MEMORY;"
      "CREATE TABLE ent(id INTEGER PRIMARY KEY, type INT, label TEXT, lat REAL, lon REAL);"
      "CREATE VIRTUAL TABLE geo USING rtree(id, minlat, maxlat, minlon, maxlon);"
      "CREATE TABLE src(id INTEGER PRIMARY KEY, title TEXT, text TEXT);"
      "CREATE TABLE spo(s INTEGER, p INTEGER, o, c INTEGER, PRIMARY KEY(s, p, o, c)) WITHOUT ROWID;"
      "CREATE TABLE prov(c INTEGER PRIMARY KEY, src INT, who INT, stance INT, holds INT,"
      "                  said INT, quote TEXT);"
      "CREATE VIRTUAL TABLE qfts USING fts5(quote, content='', detail=none);"
      "BEGIN;") ) return 1;
  stE = prep(db, "INSERT INTO ent VALUES(?1, ?2, ?3, ?4, ?5)");
  stG = prep(db, "INSERT INTO geo VALUES(?1, ?2, ?2, ?3, ?3)");
  stT = prep(db, "INSERT INTO src VALUES(?1, ?2, ?3)");
  stS = prep(db, "INSERT INTO spo VALUES(?1, ?2, ?3, ?4)");
  stP = prep(db, "INSERT INTO prov VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  stF = prep(db, "INSERT INTO qfts(rowid, quote) VALUES(?1, ?2)");
  if( !stE || !stG || !stT || !stS || !stP || !stF ) goto done;

  for(i=0; i<d->h.nEnt; i++){
    const BenchEnt *e = &d->aEnt[i];
    sqlite3_bind_int64(stE, 1, i);
    sqlite3_bind_int(stE, 2, e->type);
    sqlite3_bind_text(stE, 3, d->zPool + e->label, -1, SQLITE_STATIC);
    if( e->bCoords ){
      sqlite3_bind_double(stE, 4, e->lat);
      sqlite3_bind_double(stE, 5, e->lon);
      sqlite3_bind_int64(stG, 1, i);
      sqlite3_bind_double(stG, 2, e->lat);
      sqlite3_bind_double(stG, 3, e->lon);
      if( stepDone(db, stG) ) goto done;
    }else{
      sqlite3_bind_null(stE, 4);
      sqlite3_bind_null(stE, 5);
    }
    if( stepDone(db, stE) ) goto done;
  }
  for(i=1; i<=d->h.nSrc; i++){
    size_t n;
    char *z = benchSourceText(d, i, &n);
    snprintf(zT, sizeof(zT), "Source %u", i);
    sqlite3_bind_int64(stT, 1, i);
    sqlite3_bind_text(stT, 2, zT, -1, SQLITE_STATIC);
    sqlite3_bind_text(stT, 3, z, (int)n, free);
    if( stepDone(db, stT) ) goto done;
  }

  /* Claims in primary-key order, then provenance and full text in claim order. */
  aOrd = malloc(sizeof(uint32_t)*d->h.nClaim);
  if( !aOrd ) goto done;
  for(i=0; i<d->h.nClaim; i++) aOrd[i] = i;
  gSortData = d;
  qsort(aOrd, d->h.nClaim, sizeof(uint32_t), cmpSpo);
  for(i=0; i<d->h.nClaim; i++){
    const BenchClaim *c = &d->aClaim[aOrd[i]];
    sqlite3_bind_int64(stS, 1, c->s);
    sqlite3_bind_int64(stS, 2, c->p);
    bindObj(d, stS, 3, c->o);
    sqlite3_bind_int64(stS, 4, aOrd[i]);
    if( stepDone(db, stS) ) goto done;
  }
  for(i=0; i<d->h.nClaim; i++){
    const BenchClaim *c = &d->aClaim[i];
    if( !c->src ) continue;
    int nQ = benchQuote(d, c, zQ);
    sqlite3_bind_int64(stP, 1, i);
    sqlite3_bind_int64(stP, 2, c->src);
    sqlite3_bind_int64(stP, 3, c->who);
    sqlite3_bind_int(stP, 4, c->stance);
    sqlite3_bind_int64(stP, 5, c->holds);
    sqlite3_bind_int64(stP, 6, c->said);
    sqlite3_bind_text(stP, 7, zQ, nQ, SQLITE_STATIC);
    if( stepDone(db, stP) ) goto done;
    sqlite3_bind_int64(stF, 1, i);
    sqlite3_bind_text(stF, 2, zQ, nQ, SQLITE_STATIC);
    if( stepDone(db, stF) ) goto done;
  }
  if( execSql(db, "CREATE INDEX pos ON spo(p, o, s);"
                  "CREATE INDEX osp ON spo(o, s, p);"
                  "COMMIT; ANALYZE;") ) goto done;
  rc = 0;
done:
  free(aOrd);
  sqlite3_finalize(stE); sqlite3_finalize(stG); sqlite3_finalize(stT);
  sqlite3_finalize(stS); sqlite3_finalize(stP); sqlite3_finalize(stF);
  return rc;
}

/* ---------------------------------------------------------------- rows */

/* Render column i of st as the canonical text of kind k into z. */
enum { R_ENT, R_PRED, R_OBJ, R_CLAIM, R_SRC, R_STANCE, R_DATE, R_TEXT, R_INT };
static const char *render(sqlite3_stmt *st, int i, int k, char *z){
  sqlite3_int64 v = sqlite3_column_int64(st, i);
  switch( k ){
    case R_ENT:    return benchEntName(z, (uint32_t)v);
    case R_PRED:   return benchPredName(z, (uint32_t)v);
    case R_OBJ:    if( sqlite3_column_type(st, i)==SQLITE_TEXT ) return (const char*)sqlite3_column_text(st, i);
                   return benchEntName(z, (uint32_t)v);
    case R_CLAIM:  return benchClaimName(z, (uint32_t)v);
    case R_SRC:    sprintf(z, "d%lld", (long long)v); return z;
    case R_STANCE: return benchStanceName[v];
    case R_DATE:   return benchDate(z, (uint32_t)v);
    case R_INT:    sprintf(z, "%lld", (long long)v); return z;
    default:       return (const char*)sqlite3_column_text(st, i);
  }
}

/* Step st to the end, rendering each row by the kinds in ak. */
static int drain(sqlite3 *db, sqlite3_stmt *st, const int *ak, int nCol, BenchAnswer *a){
  char az[16][48];
  const char *azVal[16];
  int rc;
  while( (rc = sqlite3_step(st))==SQLITE_ROW ){
    for(int i=0; i<nCol; i++) azVal[i] = render(st, i, ak[i], az[i]);
    benchRow(a, nCol, azVal);
  }
  sqlite3_reset(st);
  a->iQuery++;
  return rc==SQLITE_DONE ? 0 : sqlFail(db, sqlite3_sql(st));
}

static void report(BenchOut *o, const char *zWork, int nQ, double t, const BenchAnswer *a){
  benchPut(o, zWork, "seconds", t);
  benchPut(o, zWork, "qps", nQ/t);
  benchPutAnswer(o, zWork, a);
}

static void answerInit(BenchAnswer *a, const char *zWork){
  const char *zDir = getenv("BENCH_DUMP");
  char z[512];
  memset(a, 0, sizeof(*a));
  if( zDir ){
    snprintf(z, sizeof(z), "%s/sqlite.%s.tsv", zDir, zWork);
    a->pDump = fopen(z, "w");
  }
}
static void answerDone(BenchAnswer *a){ if( a->pDump ) fclose(a->pDump); }

/* Cities within km of entity iCenter: R*Tree box, then the exact distance. */
static int within(sqlite3 *db, sqlite3_stmt *stC, sqlite3_stmt *stBox, uint32_t iCenter,
                  double km, BenchAnswer *a){
  double lat, lon, dLat, dLon, aLon[4];
  int nBox = 1, rc;
  sqlite3_bind_int64(stC, 1, iCenter);
  if( sqlite3_step(stC)!=SQLITE_ROW ){ sqlite3_reset(stC); a->iQuery++; return 0; }
  lat = sqlite3_column_double(stC, 0);
  lon = sqlite3_column_double(stC, 1);
  sqlite3_reset(stC);
  dLat = km/111.19492664455873 + 1e-3;        /* km per degree on R = 6371.0088 */
  double cl = cos(fabs(lat)*3.14159265358979323846/180.0) ;
  dLon = (fabs(lat)+dLat>=89.9 || cl<1e-6) ? 360.0 : dLat/cl + 1e-3;
  aLon[0] = lon-dLon; aLon[1] = lon+dLon;
  if( dLon>=180.0 ){ aLon[0] = -180.0; aLon[1] = 180.0; }
  else if( aLon[0]<-180.0 ){ aLon[2] = aLon[0]+360.0; aLon[3] = 180.0; aLon[0] = -180.0; nBox = 2; }
  else if( aLon[1]>180.0 ){ aLon[2] = -180.0; aLon[3] = aLon[1]-360.0; aLon[1] = 180.0; nBox = 2; }
  for(int b=0; b<nBox; b++){
    sqlite3_bind_double(stBox, 1, lat-dLat);
    sqlite3_bind_double(stBox, 2, lat+dLat);
    sqlite3_bind_double(stBox, 3, aLon[2*b]);
    sqlite3_bind_double(stBox, 4, aLon[2*b+1]);
    while( (rc = sqlite3_step(stBox))==SQLITE_ROW ){
      if( benchHaversineKm(lat, lon, sqlite3_column_double(stBox, 1),
                           sqlite3_column_double(stBox, 2))<=km ){
        char z[16];
        const char *az[1] = { benchEntName(z, (uint32_t)sqlite3_column_int64(stBox, 0)) };
        benchRow(a, 1, az);
      }
    }
    sqlite3_reset(stBox);
    if( rc!=SQLITE_DONE ) return sqlFail(db, "within");
  }
  a->iQuery++;
  return 0;
}

/*
** Load d into the SQLite database zDb (replacing it), then run every
** workload on a fresh read-only connection, writing result lines to o.
** With BENCH_REUSE set in the environment, skip the removal and the load
** and query the zDb an earlier run left (no load or size lines then).
** Returns 0, or 1 after a message on stderr.
*/
int benchRunSqlite(const BenchData *d, const BenchParams *pp, const char *zDb, BenchOut *o){
  sqlite3 *db = 0;
  sqlite3_stmt *st = 0, *st2 = 0;
  BenchAnswer a;
  double t;
  int i, rc = 1;
  if( !getenv("BENCH_REUSE") ){      /* BENCH_REUSE: query an already loaded zDb */
    remove(zDb);
    if( sqlite3_open(zDb, &db)!=SQLITE_OK ){ sqlFail(db, zDb); goto done; }
    double w0 = benchWritten();
    t = benchNow();
    if( load(db, d) ) goto done;
    t = benchNow()-t;
    benchPut(o, "load", "seconds", t);
    benchPut(o, "load", "qps", d->h.nClaim/t);
    benchPut(o, "load", "written_bytes", w0<0 ? -1 : benchWritten()-w0);
    benchPut(o, "load", "maxrss_kb", (double)benchMaxRssKb());
    benchPut(o, "size", "bytes", (double)benchFileSize(zDb));
  }
  if( getenv("BENCH_LOAD_ONLY") ){ rc = 0; goto done; }

  /* Query on a fresh connection, as the other two systems do. */
  sqlite3_close(db);
  db = 0;
  /* open: the connection and the first point query's answer */
  t = benchNow();
  if( sqlite3_open_v2(zDb, &db, SQLITE_OPEN_READONLY, 0)!=SQLITE_OK ){ sqlFail(db, zDb); goto done; }
  if( execSql(db, "PRAGMA cache_size=-262144;") ) goto done;
  {
    static const int ak[] = {R_CLAIM, R_PRED, R_OBJ, R_SRC, R_ENT, R_STANCE, R_DATE, R_TEXT};
    answerInit(&a, "open");
    st = prep(db, zPointQuery);
    if( !st ) goto done;
    sqlite3_bind_int64(st, 1, pp->aPoint[0]);
    if( drain(db, st, ak, 8, &a) ) goto done;
    sqlite3_finalize(st); st = 0;
    benchPut(o, "open", "seconds", benchNow()-t);
    answerDone(&a);
  }

  {
    static const int ak[] = {R_CLAIM, R_PRED, R_OBJ, R_SRC, R_ENT, R_STANCE, R_DATE, R_TEXT};
    answerInit(&a, "point");
    st = prep(db, zPointQuery);
    if( !st ) goto done;
    t = benchNow();
    for(i=0; i<pp->nPoint; i++){
      sqlite3_bind_int64(st, 1, pp->aPoint[i]);
      if( drain(db, st, ak, 8, &a) ) goto done;
    }
    report(o, "point", pp->nPoint, benchNow()-t, &a);
    answerDone(&a); sqlite3_finalize(st); st = 0;
  }
  {
    static const int ak[] = {R_CLAIM, R_ENT};
    answerInit(&a, "pattern");
    st = prep(db, "SELECT c, s FROM spo WHERE p=?1 AND o=?2");
    if( !st ) goto done;
    t = benchNow();
    for(i=0; i<pp->nPat; i++){
      sqlite3_bind_int64(st, 1, pp->aPatP[i]);
      bindObj(d, st, 2, pp->aPatO[i]);
      if( drain(db, st, ak, 2, &a) ) goto done;
    }
    report(o, "pattern", pp->nPat, benchNow()-t, &a);
    answerDone(&a); sqlite3_finalize(st); st = 0;
  }
  {
    static const int ak[] = {R_CLAIM, R_ENT, R_CLAIM, R_PRED, R_OBJ};
    answerInit(&a, "join");
    st = prep(db, "SELECT a.c, a.o, b.c, b.p, b.o FROM spo a JOIN spo b ON b.s=a.o WHERE a.s=?1");
    if( !st ) goto done;
    t = benchNow();
    for(i=0; i<pp->nJoin; i++){
      sqlite3_bind_int64(st, 1, pp->aJoin[i]);
      if( drain(db, st, ak, 5, &a) ) goto done;
    }
    report(o, "join", pp->nJoin, benchNow()-t, &a);
    answerDone(&a); sqlite3_finalize(st); st = 0;
  }
  {
    static const int ak[] = {R_SRC, R_INT};
    answerInit(&a, "aggregate");
    st = prep(db, "SELECT v.src, count(*) FROM spo a JOIN prov v ON v.c=a.c WHERE a.p=?1 GROUP BY v.src");
    if( !st ) goto done;
    t = benchNow();
    for(i=0; i<pp->nAgg; i++){
      sqlite3_bind_int64(st, 1, pp->aAgg[i]);
      if( drain(db, st, ak, 2, &a) ) goto done;
    }
    report(o, "aggregate", pp->nAgg, benchNow()-t, &a);
    answerDone(&a); sqlite3_finalize(st); st = 0;
  }
  {
    static const int ak[] = {R_INT};
    answerInit(&a, "scan");
    st = prep(db, "SELECT count(c) FROM spo");
    if( !st ) goto done;
    t = benchNow();
    if( drain(db, st, ak, 1, &a) ) goto done;
    t = benchNow()-t;
    benchPut(o, "scan", "seconds", t);
    benchPut(o, "scan", "qps", d->h.nClaim/t);
    benchPutAnswer(o, "scan", &a);
    answerDone(&a); sqlite3_finalize(st); st = 0;
  }
  {
    static const int ak[] = {R_ENT};
    answerInit(&a, "recursive");
    /* +r.x: without the unary plus the affinity of r.x keeps SQLite from
    ** using o in the pos index (EXPLAIN QUERY PLAN shows a scan by p). */
    st = prep(db, "WITH RECURSIVE r(x) AS (SELECT s FROM spo WHERE p=0 AND o=?1"
                  " UNION SELECT spo.s FROM spo, r WHERE spo.p=0 AND spo.o=+r.x) SELECT x FROM r");
    if( !st ) goto done;
    t = benchNow();
    for(i=0; i<pp->nRec; i++){
      sqlite3_bind_int64(st, 1, pp->aRec[i]);
      if( drain(db, st, ak, 1, &a) ) goto done;
    }
    report(o, "recursive", pp->nRec, benchNow()-t, &a);
    answerDone(&a); sqlite3_finalize(st); st = 0;
  }
  {
    answerInit(&a, "within");
    st = prep(db, "SELECT lat, lon FROM ent WHERE id=?1 AND lat IS NOT NULL");
    st2 = prep(db, "SELECT g.id, e.lat, e.lon FROM geo g JOIN ent e ON e.id=g.id"
                   " WHERE g.maxlat>=?1 AND g.minlat<=?2 AND g.maxlon>=?3 AND g.minlon<=?4");
    if( !st || !st2 ) goto done;
    t = benchNow();
    for(i=0; i<pp->nGeo; i++){
      if( within(db, st, st2, pp->aGeo[i], pp->geoKm, &a) ) goto done;
    }
    report(o, "within", pp->nGeo, benchNow()-t, &a);
    answerDone(&a); sqlite3_finalize(st2); st2 = 0;

    /* the full-scan baseline: every coordinate, distance in C */
    answerInit(&a, "within_scan");
    st2 = prep(db, "SELECT id, lat, lon FROM ent WHERE lat IS NOT NULL");
    if( !st2 ) goto done;
    t = benchNow();
    for(i=0; i<pp->nGeoScan; i++){
      sqlite3_bind_int64(st, 1, pp->aGeo[i]);
      if( sqlite3_step(st)!=SQLITE_ROW ){ sqlite3_reset(st); continue; }
      double lat = sqlite3_column_double(st, 0), lon = sqlite3_column_double(st, 1);
      sqlite3_reset(st);
      while( sqlite3_step(st2)==SQLITE_ROW ){
        if( benchHaversineKm(lat, lon, sqlite3_column_double(st2, 1), sqlite3_column_double(st2, 2))<=pp->geoKm ){
          char z[16];
          const char *az[1] = { benchEntName(z, (uint32_t)sqlite3_column_int64(st2, 0)) };
          benchRow(&a, 1, az);
        }
      }
      sqlite3_reset(st2);
      a.iQuery++;
    }
    report(o, "within_scan", pp->nGeoScan, benchNow()-t, &a);
    answerDone(&a); sqlite3_finalize(st); sqlite3_finalize(st2); st = st2 = 0;
  }
  {
    static const int ak[] = {R_CLAIM};
    answerInit(&a, "fulltext");
    st = prep(db, "SELECT rowid FROM qfts WHERE qfts MATCH ?1");
    if( !st ) goto done;
    t = benchNow();
    for(i=0; i<pp->nFts; i++){
      sqlite3_bind_text(st, 1, pp->azFts[i], -1, SQLITE_STATIC);
      if( drain(db, st, ak, 1, &a) ) goto done;
    }
    report(o, "fulltext", pp->nFts, benchNow()-t, &a);
    answerDone(&a); sqlite3_finalize(st); st = 0;
  }
  {
    static const int ak[] = {R_CLAIM};
    answerInit(&a, "reexec");
    st = prep(db, "SELECT c FROM spo WHERE s=?1 AND p=?2 AND o=?3");
    if( !st ) goto done;
    t = benchNow();
    for(i=0; i<pp->nRe; i++){
      sqlite3_bind_int64(st, 1, pp->aReS[i]);
      sqlite3_bind_int64(st, 2, pp->aReP[i]);
      bindObj(d, st, 3, pp->aReO[i]);
      if( drain(db, st, ak, 1, &a) ) goto done;
    }
    report(o, "reexec", pp->nRe, benchNow()-t, &a);
    answerDone(&a); sqlite3_finalize(st); st = 0;
  }
  {
    const char *zQ = "SELECT a.o, b.o, c.o FROM spo a JOIN spo b ON b.s=a.o AND b.p=0"
                     " JOIN spo c ON c.s=b.o AND c.p=0 WHERE a.s=?1";
    t = benchNow();
    for(i=0; i<pp->nPrep; i++){
      if( !(st = prep(db, zQ)) ) goto done;
      sqlite3_finalize(st); st = 0;
    }
    t = benchNow()-t;
    benchPut(o, "prepare", "seconds", t);
    benchPut(o, "prepare", "qps", pp->nPrep/t);
  }
  benchPut(o, "all", "maxrss_kb", (double)benchMaxRssKb());
  rc = 0;
done:
  sqlite3_finalize(st);
  sqlite3_finalize(st2);
  sqlite3_close(db);
  return rc;
}
