/*
** run_lmdb.c -- the raw-LMDB side of the benchmark: the layout a careful
** engineer would hand-write for these claims, and hand-written cursor
** code for the workloads it applies to. It is the limit fakt is measured
** against, not a straw man.
**
**   spo, pos, osp   16-byte keys of four big-endian u32 (s p o c, p o s c,
**                   o s p c), empty values, loaded sorted with MDB_APPEND;
**                   o is an entity id, or 0x80000000|string-value id
**   prov   claim u32 -> src u32, who u32, holds u32, said u32, stance u8, quote
**   str    string-value id -> text;   ent  id -> type u8, lat, lon, label
**   srct   source id -> text
** One write transaction (synced at commit, as fakt's), read transactions
** reset and renewed per query, cursors renewed.
*/
#include <stdlib.h>
#include <string.h>
#include <lmdb.h>
#include "bench.h"

enum { DB_SPO, DB_POS, DB_OSP, DB_PROV, DB_STR, DB_ENT, DB_SRCT, DB_COUNT };
static const char *const azDbName[DB_COUNT] = {"spo", "pos", "osp", "prov", "str", "ent", "srct"};

typedef struct Lm {
  MDB_env *env;
  MDB_dbi aDbi[DB_COUNT];
} Lm;

#define CHECK(x) do{ int rc_ = (x); if( rc_ ){ \
  fprintf(stderr, "bench lmdb: %s:%d: %s: %s\n", __FILE__, __LINE__, #x, mdb_strerror(rc_)); \
  goto done; } }while(0)

static void put32(uint8_t *p, uint32_t v){
  p[0] = (uint8_t)(v>>24); p[1] = (uint8_t)(v>>16); p[2] = (uint8_t)(v>>8); p[3] = (uint8_t)v;
}
static uint32_t get32(const uint8_t *p){
  return (uint32_t)p[0]<<24 | (uint32_t)p[1]<<16 | (uint32_t)p[2]<<8 | p[3];
}

/* The four components of claim i in index order ix. */
static void keyOf(const BenchData *d, uint32_t i, int ix, uint8_t *k){
  const BenchClaim *c = &d->aClaim[i];
  uint32_t a[3];
  if( ix==DB_SPO ){ a[0] = c->s; a[1] = c->p; a[2] = c->o; }
  else if( ix==DB_POS ){ a[0] = c->p; a[1] = c->o; a[2] = c->s; }
  else { a[0] = c->o; a[1] = c->s; a[2] = c->p; }
  put32(k, a[0]); put32(k+4, a[1]); put32(k+8, a[2]); put32(k+12, i);
}

/* Keys of one index, sorted: radix-free, a plain qsort of 16-byte keys. */
static int cmpKey(const void *a, const void *b){ return memcmp(a, b, 16); }

static int load(Lm *l, const BenchData *d){
  MDB_txn *txn = 0;
  uint8_t *aKey = 0, buf[MAXQW*8+64];
  int rc = 1;
  uint32_t i;
  CHECK(mdb_txn_begin(l->env, 0, 0, &txn));
  for(i=0; i<DB_COUNT; i++) CHECK(mdb_dbi_open(txn, azDbName[i], MDB_CREATE, &l->aDbi[i]));

  for(i=0; i<d->h.nEnt; i++){
    const BenchEnt *e = &d->aEnt[i];
    const char *z = d->zPool + e->label;
    size_t n = strlen(z);
    uint8_t k[4], *v = buf;
    if( n>sizeof(buf)-17 ) n = sizeof(buf)-17;
    put32(k, i);
    v[0] = e->type;
    memcpy(v+1, &e->lat, 8); memcpy(v+9, &e->lon, 8);
    memcpy(v+17, z, n);
    MDB_val mk = {4, k}, mv = {17+n, v};
    CHECK(mdb_put(txn, l->aDbi[DB_ENT], &mk, &mv, MDB_APPEND));
  }
  for(i=0; i<d->h.nStrVal; i++){
    uint8_t k[4];
    const char *z = d->zPool + d->aStrVal[i];
    put32(k, i);
    MDB_val mk = {4, k}, mv = {strlen(z), (void*)z};
    CHECK(mdb_put(txn, l->aDbi[DB_STR], &mk, &mv, MDB_APPEND));
  }
  for(i=1; i<=d->h.nSrc; i++){
    uint8_t k[4];
    size_t n;
    char *z = benchSourceText(d, i, &n);
    put32(k, i);
    MDB_val mk = {4, k}, mv = {n, z};
    int rcPut = mdb_put(txn, l->aDbi[DB_SRCT], &mk, &mv, MDB_APPEND);
    free(z);
    CHECK(rcPut);
  }
  for(i=0; i<d->h.nClaim; i++){
    const BenchClaim *c = &d->aClaim[i];
    uint8_t k[4];
    if( !c->src ) continue;
    put32(k, i);
    put32(buf, c->src); put32(buf+4, c->who); put32(buf+8, c->holds); put32(buf+12, c->said);
    buf[16] = c->stance;
    int nQ = benchQuote(d, c, (char*)buf+17);
    MDB_val mk = {4, k}, mv = {17+(size_t)nQ, buf};
    CHECK(mdb_put(txn, l->aDbi[DB_PROV], &mk, &mv, MDB_APPEND));
  }
  aKey = malloc((size_t)d->h.nClaim*16);
  if( !aKey ){ fprintf(stderr, "bench lmdb: out of memory\n"); goto done; }
  for(int ix=DB_SPO; ix<=DB_OSP; ix++){
    for(i=0; i<d->h.nClaim; i++) keyOf(d, i, ix, aKey+(size_t)i*16);
    qsort(aKey, d->h.nClaim, 16, cmpKey);
    MDB_cursor *cur;
    CHECK(mdb_cursor_open(txn, l->aDbi[ix], &cur));
    for(i=0; i<d->h.nClaim; i++){
      MDB_val mk = {16, aKey+(size_t)i*16}, mv = {0, buf};
      int rcPut = mdb_cursor_put(cur, &mk, &mv, MDB_APPEND);
      if( rcPut ){ mdb_cursor_close(cur); CHECK(rcPut); }
    }
    mdb_cursor_close(cur);
  }
  CHECK(mdb_txn_commit(txn));
  txn = 0;
  rc = 0;
done:
  free(aKey);
  if( txn ) mdb_txn_abort(txn);
  return rc;
}

/*
** Open the named databases of an environment that load() filled in an
** earlier run (BENCH_REUSE), in a read transaction that is committed so
** that the handles in l->aDbi outlive it. Returns 0, or 1 after a message.
*/
static int openDbs(Lm *l){
  MDB_txn *txn = 0;
  int rc = 1;
  uint32_t i;
  CHECK(mdb_txn_begin(l->env, 0, MDB_RDONLY, &txn));
  for(i=0; i<DB_COUNT; i++) CHECK(mdb_dbi_open(txn, azDbName[i], 0, &l->aDbi[i]));
  CHECK(mdb_txn_commit(txn));
  txn = 0;
  rc = 0;
done:
  if( txn ) mdb_txn_abort(txn);
  return rc;
}

/* ---------------------------------------------------------------- reading */

/* A read context: one read transaction renewed per query, cursors reused. */
typedef struct Rd {
  Lm *l;
  MDB_txn *txn;
  MDB_cursor *aCur[3];       /* two cursors on spo/pos for joins, one spare */
} Rd;

/* Position cursor c at the first key with the nPre-byte prefix; 0 or MDB_NOTFOUND. */
static int seek(MDB_cursor *c, const uint8_t *aPre, size_t nPre, MDB_val *k){
  MDB_val v;
  k->mv_size = nPre; k->mv_data = (void*)aPre;
  int rc = mdb_cursor_get(c, k, &v, MDB_SET_RANGE);
  if( rc==0 && (k->mv_size<nPre || memcmp(k->mv_data, aPre, nPre)!=0) ) rc = MDB_NOTFOUND;
  return rc;
}
static int next(MDB_cursor *c, const uint8_t *aPre, size_t nPre, MDB_val *k){
  MDB_val v;
  int rc = mdb_cursor_get(c, k, &v, MDB_NEXT);
  if( rc==0 && memcmp(k->mv_data, aPre, nPre)!=0 ) rc = MDB_NOTFOUND;
  return rc;
}

/* Render an object (entity or string value). */
static const char *objText(Rd *r, uint32_t o, char *z){
  if( !(o & OBJ_STR) ) return benchEntName(z, o);
  uint8_t k[4];
  MDB_val mk = {4, k}, mv;
  put32(k, o & ~OBJ_STR);
  if( mdb_get(r->txn, r->l->aDbi[DB_STR], &mk, &mv) ) return "?";
  memcpy(z, mv.mv_data, mv.mv_size < 47 ? mv.mv_size : 47);
  z[mv.mv_size < 47 ? mv.mv_size : 47] = 0;
  return z;
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
    snprintf(z, sizeof(z), "%s/lmdb.%s.tsv", zDir, zWork);
    a->pDump = fopen(z, "w");
  }
}
static void answerDone(BenchAnswer *a){ if( a->pDump ) fclose(a->pDump); }

/* Start a query: renew the read transaction and rebind the cursors. */
static int rdStart(Rd *r){
  int rc = mdb_txn_renew(r->txn);
  for(int i=0; i<3 && rc==0; i++) rc = mdb_cursor_renew(r->txn, r->aCur[i]);
  return rc;
}

/* All claims about subject s, with provenance. */
static int qPoint(Rd *r, uint32_t s, BenchAnswer *a){
  uint8_t pre[4];
  MDB_val k;
  int rc;
  put32(pre, s);
  for(rc = seek(r->aCur[0], pre, 4, &k); rc==0; rc = next(r->aCur[0], pre, 4, &k)){
    const uint8_t *p = k.mv_data;
    MDB_val pk = {4, (void*)(p+12)}, pv;
    if( mdb_get(r->txn, r->l->aDbi[DB_PROV], &pk, &pv) ) continue;
    const uint8_t *v = pv.mv_data;
    char zC[16], zP[32], zO[48], zS[16], zW[16], zH[16], zQ[MAXQW*8+1];
    size_t nQ = pv.mv_size-17 < sizeof(zQ)-1 ? pv.mv_size-17 : sizeof(zQ)-1;
    memcpy(zQ, v+17, nQ); zQ[nQ] = 0;
    benchClaimName(zC, get32(p+12));
    sprintf(zS, "d%u", get32(v));
    const char *az[8] = { zC, benchPredName(zP, get32(p+4)), objText(r, get32(p+8), zO), zS,
                          benchEntName(zW, get32(v+4)), benchStanceName[v[16]],
                          benchDate(zH, get32(v+8)), zQ };
    benchRow(a, 8, az);
  }
  a->iQuery++;
  return rc==MDB_NOTFOUND ? 0 : rc;
}

/* Claims with predicate p and object o. */
static int qPattern(Rd *r, uint32_t p, uint32_t o, BenchAnswer *a){
  uint8_t pre[8];
  MDB_val k;
  int rc;
  put32(pre, p); put32(pre+4, o);
  for(rc = seek(r->aCur[1], pre, 8, &k); rc==0; rc = next(r->aCur[1], pre, 8, &k)){
    const uint8_t *q = k.mv_data;
    char zC[16], zS[16];
    benchClaimName(zC, get32(q+12));
    const char *az[2] = { zC, benchEntName(zS, get32(q+8)) };
    benchRow(a, 2, az);
  }
  a->iQuery++;
  return rc==MDB_NOTFOUND ? 0 : rc;
}

/* ?c1: s ?p1 ?x, ?c2: ?x ?p2 ?y */
static int qJoin(Rd *r, uint32_t s, BenchAnswer *a){
  uint8_t pre[4], pre2[4];
  MDB_val k, k2;
  int rc, rc2 = MDB_NOTFOUND;
  put32(pre, s);
  for(rc = seek(r->aCur[0], pre, 4, &k); rc==0; rc = next(r->aCur[0], pre, 4, &k)){
    const uint8_t *p = k.mv_data;
    uint32_t x = get32(p+8), c1 = get32(p+12);
    if( x & OBJ_STR ) continue;
    memcpy(pre2, p+8, 4);
    for(rc2 = seek(r->aCur[2], pre2, 4, &k2); rc2==0; rc2 = next(r->aCur[2], pre2, 4, &k2)){
      const uint8_t *q = k2.mv_data;
      char zC1[16], zX[16], zC2[16], zP[32], zY[48];
      benchClaimName(zC1, c1);
      benchClaimName(zC2, get32(q+12));
      const char *az[5] = { zC1, benchEntName(zX, x), zC2, benchPredName(zP, get32(q+4)),
                            objText(r, get32(q+8), zY) };
      benchRow(a, 5, az);
    }
    if( rc2!=MDB_NOTFOUND ) return rc2;
  }
  a->iQuery++;
  return rc==MDB_NOTFOUND ? 0 : rc;
}

/* Claims per source for predicate p. aCount has nSrc+1 zeroed slots. */
static int qAgg(Rd *r, uint32_t p, uint64_t *aCount, uint32_t nSrc, BenchAnswer *a){
  uint8_t pre[4];
  MDB_val k;
  int rc;
  put32(pre, p);
  for(rc = seek(r->aCur[1], pre, 4, &k); rc==0; rc = next(r->aCur[1], pre, 4, &k)){
    MDB_val pk = {4, (uint8_t*)k.mv_data+12}, pv;
    if( mdb_get(r->txn, r->l->aDbi[DB_PROV], &pk, &pv)==0 ) aCount[get32(pv.mv_data)]++;
  }
  for(uint32_t i=1; i<=nSrc; i++){
    if( !aCount[i] ) continue;
    char zS[16], zN[24];
    sprintf(zS, "d%u", i);
    sprintf(zN, "%llu", (unsigned long long)aCount[i]);
    const char *az[2] = { zS, zN };
    benchRow(a, 2, az);
    aCount[i] = 0;
  }
  a->iQuery++;
  return rc==MDB_NOTFOUND ? 0 : rc;
}

/* Claims with exactly s p o. */
static int qTriple(Rd *r, uint32_t s, uint32_t p, uint32_t o, BenchAnswer *a){
  uint8_t pre[12];
  MDB_val k;
  int rc;
  put32(pre, s); put32(pre+4, p); put32(pre+8, o);
  for(rc = seek(r->aCur[0], pre, 12, &k); rc==0; rc = next(r->aCur[0], pre, 12, &k)){
    char zC[16];
    benchClaimName(zC, get32((uint8_t*)k.mv_data+12));
    const char *az[1] = { zC };
    benchRow(a, 1, az);
  }
  a->iQuery++;
  return rc==MDB_NOTFOUND ? 0 : rc;
}

/*
** Load d into the LMDB file zDb (replacing it), then run every workload on
** the same environment, writing result lines to o. With BENCH_REUSE set in
** the environment, skip the removal and the load: open the zDb an earlier
** run left read-only and only query it (no load or size lines then).
** Returns 0, or 1 after a message on stderr.
*/
int benchRunLmdb(const BenchData *d, const BenchParams *pp, const char *zDb, BenchOut *o){
  Lm l;
  Rd r;
  BenchAnswer a;
  uint64_t *aCount = 0;
  double t;
  int i, rc = 1;
  int bReuse = getenv("BENCH_REUSE")!=0;   /* query an already loaded zDb */
  char zLock[1024];
  memset(&l, 0, sizeof(l));
  memset(&r, 0, sizeof(r));
  snprintf(zLock, sizeof(zLock), "%s-lock", zDb);
  if( !bReuse ){ remove(zDb); remove(zLock); }
  double tOpen = benchNow();         /* open: BENCH_REUSE rounds only */
  CHECK(mdb_env_create(&l.env));
  CHECK(mdb_env_set_maxdbs(l.env, DB_COUNT));
  CHECK(mdb_env_set_mapsize(l.env, (size_t)d->h.nClaim*400 + ((size_t)1<<30)));
  CHECK(mdb_env_open(l.env, zDb, MDB_NOSUBDIR|MDB_NOTLS|(bReuse ? MDB_RDONLY : 0), 0644));

  if( bReuse ){
    if( openDbs(&l) ) goto done;
  }else{
    double w0 = benchWritten();
    t = benchNow();
    if( load(&l, d) ) goto done;
    t = benchNow()-t;
    benchPut(o, "load", "seconds", t);
    benchPut(o, "load", "qps", d->h.nClaim/t);
    benchPut(o, "load", "written_bytes", w0<0 ? -1 : benchWritten()-w0);
    benchPut(o, "load", "maxrss_kb", (double)benchMaxRssKb());
    MDB_envinfo ei;
    MDB_stat st;
    mdb_env_info(l.env, &ei);
    mdb_env_stat(l.env, &st);
    /* The file is sparse up to the map size: report the pages in use. */
    benchPut(o, "size", "bytes", (double)(ei.me_last_pgno+1)*st.ms_psize);
  }
  if( getenv("BENCH_LOAD_ONLY") ){ rc = 0; goto done; }

  r.l = &l;
  CHECK(mdb_txn_begin(l.env, 0, MDB_RDONLY, &r.txn));
  CHECK(mdb_cursor_open(r.txn, l.aDbi[DB_SPO], &r.aCur[0]));
  CHECK(mdb_cursor_open(r.txn, l.aDbi[DB_POS], &r.aCur[1]));
  CHECK(mdb_cursor_open(r.txn, l.aDbi[DB_SPO], &r.aCur[2]));
  mdb_txn_reset(r.txn);
  if( bReuse ){                      /* and the first point query's answer */
    answerInit(&a, "open");
    CHECK(rdStart(&r));
    CHECK(qPoint(&r, pp->aPoint[0], &a));
    mdb_txn_reset(r.txn);
    benchPut(o, "open", "seconds", benchNow()-tOpen);
    answerDone(&a);
  }

  answerInit(&a, "point");
  t = benchNow();
  for(i=0; i<pp->nPoint; i++){
    CHECK(rdStart(&r));
    CHECK(qPoint(&r, pp->aPoint[i], &a));
    mdb_txn_reset(r.txn);
  }
  report(o, "point", pp->nPoint, benchNow()-t, &a);
  answerDone(&a);

  answerInit(&a, "pattern");
  t = benchNow();
  for(i=0; i<pp->nPat; i++){
    CHECK(rdStart(&r));
    CHECK(qPattern(&r, pp->aPatP[i], pp->aPatO[i], &a));
    mdb_txn_reset(r.txn);
  }
  report(o, "pattern", pp->nPat, benchNow()-t, &a);
  answerDone(&a);

  answerInit(&a, "join");
  t = benchNow();
  for(i=0; i<pp->nJoin; i++){
    CHECK(rdStart(&r));
    CHECK(qJoin(&r, pp->aJoin[i], &a));
    mdb_txn_reset(r.txn);
  }
  report(o, "join", pp->nJoin, benchNow()-t, &a);
  answerDone(&a);

  aCount = calloc(d->h.nSrc+2, sizeof(uint64_t));
  if( !aCount ) goto done;
  answerInit(&a, "aggregate");
  t = benchNow();
  for(i=0; i<pp->nAgg; i++){
    CHECK(rdStart(&r));
    CHECK(qAgg(&r, pp->aAgg[i], aCount, d->h.nSrc, &a));
    mdb_txn_reset(r.txn);
  }
  report(o, "aggregate", pp->nAgg, benchNow()-t, &a);
  answerDone(&a);

  answerInit(&a, "scan");
  t = benchNow();
  {
    MDB_val k, v;
    uint64_t n = 0;
    char zN[24];
    CHECK(rdStart(&r));
    for(rc = mdb_cursor_get(r.aCur[0], &k, &v, MDB_FIRST); rc==0;
        rc = mdb_cursor_get(r.aCur[0], &k, &v, MDB_NEXT)) n++;
    mdb_txn_reset(r.txn);
    sprintf(zN, "%llu", (unsigned long long)n);
    const char *az[1] = { zN };
    benchRow(&a, 1, az);
  }
  t = benchNow()-t;
  benchPut(o, "scan", "seconds", t);
  benchPut(o, "scan", "qps", d->h.nClaim/t);
  benchPutAnswer(o, "scan", &a);
  answerDone(&a);

  answerInit(&a, "reexec");
  t = benchNow();
  for(i=0; i<pp->nRe; i++){
    CHECK(rdStart(&r));
    CHECK(qTriple(&r, pp->aReS[i], pp->aReP[i], pp->aReO[i], &a));
    mdb_txn_reset(r.txn);
  }
  report(o, "reexec", pp->nRe, benchNow()-t, &a);
  answerDone(&a);

  benchPut(o, "all", "maxrss_kb", (double)benchMaxRssKb());
  rc = 0;
done:
  free(aCount);
  for(i=0; i<3; i++) if( r.aCur[i] ) mdb_cursor_close(r.aCur[i]);
  if( r.txn ) mdb_txn_abort(r.txn);
  if( l.env ) mdb_env_close(l.env);
  return rc;
}
