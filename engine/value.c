/*
** value.c -- runtime values: comparison, hashing, the 9-byte index
** encoding and rendering as text (SPEC.md section 5.2).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fakt_int.h"

/* Order-preserving bits of a double: flip all bits of negatives, the sign of others. */
static uint64_t dblBits(double r){
  uint64_t u;
  if( r==0.0 ) r = 0.0;            /* -0.0 sorts as 0.0 */
  memcpy(&u, &r, 8);
  return (u >> 63) ? ~u : (u | 0x8000000000000000ULL);
}
static double bitsDbl(uint64_t u){
  double r;
  u = (u >> 63) ? (u & 0x7fffffffffffffffULL) : ~u;
  memcpy(&r, &u, 8);
  return r;
}

/* Encode v as tag + 8 big-endian payload bytes (index key order). */
void faktValueEncode(const Value *v, uint8_t *a){
  uint64_t x = 0;
  switch( v->t ){
    case V_NULL:  a[0] = T_NULL; break;
    case V_BOOL:  a[0] = T_BOOL;  x = (uint64_t)(v->u.i!=0); break;
    case V_INT:   a[0] = T_INT;   x = (uint64_t)v->u.i ^ 0x8000000000000000ULL; break;
    case V_FLOAT: a[0] = T_FLOAT; x = dblBits(v->u.r); break;
    case V_QTY:   a[0] = T_QTY;   x = dblBits(v->u.r); break;
    case V_DATE:  a[0] = T_DATE;  x = v->u.d; break;
    case V_STR:   a[0] = T_STR;   x = v->id; break;
    default:      a[0] = T_ID;    x = v->id; break;
  }
  faktEncU64(a + 1, x);
}

/* Decode 9 bytes into v. Strings come back as ids (z NULL); quantities
** without their unit (the claim record holds it). */
void faktValueDecode(const uint8_t *a, Value *v){
  uint64_t x = faktDecU64(a + 1);
  memset(v, 0, sizeof(*v));
  switch( a[0] ){
    case T_BOOL:  v->t = V_BOOL;  v->u.i = (int64_t)x; break;
    case T_INT:   v->t = V_INT;   v->u.i = (int64_t)(x ^ 0x8000000000000000ULL); break;
    case T_FLOAT: v->t = V_FLOAT; v->u.r = bitsDbl(x); break;
    case T_QTY:   v->t = V_QTY;   v->u.r = bitsDbl(x); break;
    case T_DATE:  v->t = V_DATE;  v->u.d = x; break;
    case T_STR:   v->t = V_STR;   v->id = (uint32_t)x; break;
    case T_ID:    v->t = V_ID;    v->id = (uint32_t)x; break;
    default:      v->t = V_NULL; break;
  }
}

/* ================================================================ cache */

/* Where id goes in the cache. */
static DictCacheEnt *slotOf(DictCache *pC, uint32_t id){
  return &pC->a[(id * 2654435761u) >> 21 & (DICT_CACHE-1)];
}

/* The slot of id; a slot of an older snapshot is emptied first. */
static DictCacheEnt *cacheSlot(DictCache *pC, uint32_t id){
  DictCacheEnt *e = slotOf(pC, id);
  if( e->gen!=pC->gen ){ e->gen = pC->gen; e->id = 0; }
  return e;
}

/* Forget every entry: a new snapshot. */
void faktDictCacheNewSnap(DictCache *pC){
  pC->nMiss = 0;
  pC->nRec = 0;
  pC->bFilled = 0;
  if( ++pC->gen==0 ){                     /* after 2^32 snapshots */
    memset(pC->a, 0, sizeof(pC->a));
    if( pC->aBlk ) memset(pC->aBlk, 0, pC->nBlk*sizeof(DictBlk));
    pC->gen = 1;
  }
}

void faktDictCacheFree(DictCache *pC){
  if( pC ) free(pC->aBlk);
  free(pC);
}

/* The slot of record iBlk, grown to reach it; NULL past DICT_BLK_MAX or
** without memory (the caller then walks the tree). */
static DictBlk *blkSlot(DictCache *pC, uint32_t iBlk){
  if( iBlk>=pC->nBlk ){
    uint32_t nNew = pC->nBlk ? pC->nBlk : 1024;
    while( nNew<=iBlk && nNew<DICT_BLK_MAX ) nNew *= 2;
    if( iBlk>=nNew ) return NULL;
    DictBlk *aNew = realloc(pC->aBlk, nNew*sizeof(DictBlk));
    if( aNew==NULL ) return NULL;
    memset(aNew + pC->nBlk, 0, (nNew - pC->nBlk)*sizeof(DictBlk));
    pC->aBlk = aNew;
    pC->nBlk = nNew;
  }
  return &pC->aBlk[iBlk];
}

/* The record of id when the directory knows it and id's text is not in
** the cache yet: what a prefetch can start loading; else NULL. */
static const DictBlk *prefetchBlk(DictCache *pC, uint32_t id){
  if( pC==NULL || id==0 || (id & FAKT_GEN_BIT) ) return NULL;
  uint32_t iBlk = id >> FAKT_DICT_SHIFT;
  if( iBlk>=pC->nBlk || pC->aBlk[iBlk].gen!=pC->gen ) return NULL;
  const DictCacheEnt *e = slotOf(pC, id);
  if( e->gen==pC->gen && e->id==id && e->n>=0 ) return NULL;
  return &pC->aBlk[iBlk];
}

/* About to show id: start loading the line of its record that says
** where its text is, when the record is known and the text is not. */
void faktDictPrefetch(DictCache *pC, uint32_t id){
  const DictBlk *b = prefetchBlk(pC, id);
  if( b==NULL ) return;
  uint32_t iOff = 1 + 2*(id & ((1u << FAKT_DICT_SHIFT) - 1));
  __builtin_prefetch(b->a);                        /* its slot count */
  if( iOff<b->n ) __builtin_prefetch(b->a + iOff);
}

/* The second step, a few rows after faktDictPrefetch(id) loaded the
** record's offsets: start loading the text itself. */
void faktDictPrefetchText(DictCache *pC, uint32_t id){
  const DictBlk *b = prefetchBlk(pC, id);
  const uint8_t *pEnt = b ? faktDictBlockEntry(b->a, b->n, id) : NULL;
  if( pEnt ) __builtin_prefetch(pEnt);
}

/* A record found by faktDictBlockWalk: into the directory. */
static int fillBlk(void *pArg, uint32_t iBlk, const uint8_t *a, size_t n){
  DictCache *pC = pArg;
  DictBlk *b = blkSlot(pC, iBlk);
  if( b==NULL ) return 1;                          /* past DICT_BLK_MAX */
  b->a = a;
  b->n = (uint32_t)n;
  b->gen = pC->gen;
  return 0;
}

/*
** A text's record was not in the directory and the tree was walked for it.
** A query that shows many names walks for most of them while the directory
** fills. In a committed snapshot, after DICT_FILL_MIN such walks and once
** they number a sixteenth of i2s's records, the rest are read in one pass
** of a cursor instead (per record about 16 times cheaper than a walk
** down the tree): the pass costs no more than the walks it ends.
*/
#define DICT_FILL_MIN 256
static void dictMiss(StoreTxn *t, DictCache *pC){
  if( !pC->bSnap || pC->bFilled || ++pC->nMiss<DICT_FILL_MIN ) return;
  if( pC->nRec==0 ) pC->nRec = faktDictRecords(t) + 1;
  if( (uint64_t)pC->nMiss*16 < pC->nRec ) return;
  pC->bFilled = 1;
  (void)faktDictBlockWalk(t, pC, fillBlk);         /* a hint: a failure only costs walks */
}

/* faktDictText through the snapshot's cache (pC may be NULL). */
int faktDictTextC(StoreTxn *t, DictCache *pC, uint32_t id, const char **pz, int *pn){
  int ns, rc;
  if( pC==NULL ) return faktDictText(t, id, &ns, pz, pn);
  DictCacheEnt *e = cacheSlot(pC, id);
  if( e->id==id && e->n>=0 ){ *pz = e->z; *pn = e->n; return FAKT_OK; }
  DictBlk *b = (id & FAKT_GEN_BIT) ? NULL : blkSlot(pC, id >> FAKT_DICT_SHIFT);
  if( b && b->gen==pC->gen ){
    rc = faktDictBlockText(t, b->a, b->n, id, &ns, pz, pn);
  }else{
    const uint8_t *a;
    size_t nA;
    if( b ){
      dictMiss(t, pC);
      b = blkSlot(pC, id >> FAKT_DICT_SHIFT);      /* the walk may have moved aBlk */
    }
    rc = faktDictBlock(t, id, &a, &nA);
    if( rc==FAKT_OK && b ){ b->a = a; b->n = (uint32_t)nA; b->gen = pC->gen; }
    if( rc==FAKT_OK ) rc = faktDictBlockText(t, a, nA, id, &ns, pz, pn);
  }
  if( rc ) return rc;
  if( e->id!=id ){ e->id = id; e->kind = -1; }
  e->z = *pz;
  e->n = *pn;
  return FAKT_OK;
}

/* faktObjGetKind through the snapshot's cache (pC may be NULL). */
int faktObjKindC(StoreTxn *t, DictCache *pC, uint32_t id, int *pKind){
  if( pC==NULL ) return faktObjGetKind(t, id, pKind);
  DictCacheEnt *e = cacheSlot(pC, id);
  if( e->id==id && e->kind>=0 ){ *pKind = e->kind; return FAKT_OK; }
  int rc = faktObjGetKind(t, id, pKind);
  if( rc ) return rc;
  if( e->id!=id ){ e->id = id; e->n = -1; }
  e->kind = *pKind;
  return FAKT_OK;
}

/* Make sure a string (or a quantity's unit) has its text. */
int faktValueText(Exec *ex, const Value *v, const char **pz, int *pn){
  if( v->z || v->id==0 ){
    *pz = v->z ? v->z : "";
    *pn = v->z ? v->n : 0;
    return FAKT_OK;
  }
  int rc = faktDictTextC(ex->pTxn, ex->pDict, v->id, pz, pn);
  if( rc ){ *pz = ""; *pn = 0; }
  return rc;
}

/* Text of an id (its name), for ordering and rendering; a generated claim's
** name is written into aBuf. */
static void idText(StoreTxn *t, DictCache *pC, uint32_t id, char aBuf[FAKT_GEN_NAME], const char **pz, int *pn){
  if( id & FAKT_GEN_BIT ){
    if( faktIdName(t, id, aBuf, pz, pn)==FAKT_OK ) return;
  }else if( t && faktDictTextC(t, pC, id, pz, pn)==FAKT_OK ){
    return;
  }
  *pz = "?"; *pn = 1;
}

static int isNum(const Value *v){ return v->t==V_INT || v->t==V_FLOAT; }
static double numOf(const Value *v){ return v->t==V_INT ? (double)v->u.i : v->u.r; }

/* Rank of a type in the total order: null < bool < numbers < qty < date < str < id. */
static int typeRank(int t){
  switch( t ){
    case V_NULL: return 0;
    case V_BOOL: return 1;
    case V_INT: case V_FLOAT: return 2;
    case V_QTY: return 3;
    case V_DATE: return 4;
    case V_STR: return 5;
    default: return 6;
  }
}

static int cmpBytes(const char *a, int na, const char *b, int nb){
  int c = memcmp(a, b, (size_t)(na<nb ? na : nb));
  if( c ) return c<0 ? -1 : 1;
  return na<nb ? -1 : (na>nb);
}

/* Total order used by order by, min/max and sorting. */
int faktValueCmp(Exec *ex, const Value *a, const Value *b){
  int ra = typeRank(a->t), rb = typeRank(b->t);
  if( ra!=rb ) return ra<rb ? -1 : 1;
  switch( a->t ){
    case V_NULL: return 0;
    case V_BOOL: return (a->u.i>b->u.i) - (a->u.i<b->u.i);
    case V_INT: case V_FLOAT: {
      if( a->t==V_INT && b->t==V_INT ) return (a->u.i>b->u.i) - (a->u.i<b->u.i);
      double x = numOf(a), y = numOf(b);
      return (x>y) - (x<y);
    }
    case V_QTY: {
      if( a->u.r!=b->u.r ) return a->u.r<b->u.r ? -1 : 1;
      const char *za, *zb; int na, nb;
      faktValueText(ex, a, &za, &na);
      faktValueText(ex, b, &zb, &nb);
      return cmpBytes(za, na, zb, nb);
    }
    case V_DATE: return faktDateOrder(a->u.d, b->u.d);
    case V_STR: {
      if( a->id && a->id==b->id ) return 0;
      const char *za, *zb; int na, nb;
      faktValueText(ex, a, &za, &na);
      faktValueText(ex, b, &zb, &nb);
      return cmpBytes(za, na, zb, nb);
    }
    default: {
      if( a->id==b->id ) return 0;
      const char *za, *zb; int na, nb;
      char aGenA[FAKT_GEN_NAME], aGenB[FAKT_GEN_NAME];
      idText(ex ? ex->pTxn : NULL, ex ? ex->pDict : NULL, a->id, aGenA, &za, &na);
      idText(ex ? ex->pTxn : NULL, ex ? ex->pDict : NULL, b->id, aGenB, &zb, &nb);
      int c = cmpBytes(za, na, zb, nb);
      return c ? c : (a->id<b->id ? -1 : 1);
    }
  }
}

/* Equality of values (numbers compare across int and float). */
int faktValueEq(Exec *ex, const Value *a, const Value *b){
  if( isNum(a) && isNum(b) ){
    if( a->t==V_INT && b->t==V_INT ) return a->u.i==b->u.i;
    return numOf(a)==numOf(b);
  }
  if( a->t!=b->t ) return 0;
  switch( a->t ){
    case V_NULL: return 1;
    case V_BOOL: return (a->u.i!=0)==(b->u.i!=0);
    case V_DATE: return a->u.d==b->u.d;
    case V_ID: return a->id==b->id;
    case V_STR:
      if( a->id && b->id ) return a->id==b->id;
      /* fall through */
    case V_QTY: {
      if( a->t==V_QTY ){
        if( a->u.r!=b->u.r ) return 0;
        if( a->id && b->id ) return a->id==b->id;
      }
      const char *za, *zb; int na, nb;
      faktValueText(ex, a, &za, &na);
      faktValueText(ex, b, &zb, &nb);
      return na==nb && memcmp(za, zb, (size_t)na)==0;
    }
    default: return 0;
  }
}

/* Hash consistent with faktValueEq. */
uint64_t faktValueHash(Exec *ex, const Value *v){
  uint64_t h;
  switch( v->t ){
    case V_INT: case V_FLOAT: {
      double r = numOf(v);
      if( v->t==V_INT ) return faktHash64(&v->u.i, 8) ^ 0x11;
      if( r==floor(r) && fabs(r) < 9.2e18 ){ int64_t i = (int64_t)r; return faktHash64(&i, 8) ^ 0x11; }
      return faktHash64(&v->u.r, 8) ^ 0x12;
    }
    case V_STR: case V_QTY: {
      const char *z; int n;
      faktValueText(ex, v, &z, &n);
      h = faktHash64(z, (size_t)n);
      if( v->t==V_QTY ) h ^= faktHash64(&v->u.r, 8);
      return h ^ v->t;
    }
    case V_DATE: return faktHash64(&v->u.d, 8) ^ 0x33;
    case V_ID: return faktHash64(&v->id, 4) ^ 0x44;
    case V_BOOL: return (uint64_t)(v->u.i!=0) + 0x55;
    default: return 0x66;
  }
}

static int bufAppend(char **pz, size_t *pnAlloc, int *pn, const char *zAdd, int nAdd){
  size_t need = (size_t)*pn + (size_t)nAdd + 1;
  if( need > *pnAlloc ){
    size_t nNew = *pnAlloc ? *pnAlloc*2 : 64;
    while( nNew<need ) nNew *= 2;
    char *zNew = realloc(*pz, nNew);
    if( zNew==NULL ) return FAKT_NOMEM;
    *pz = zNew;
    *pnAlloc = nNew;
  }
  memcpy(*pz + *pn, zAdd, (size_t)nAdd);
  *pn += nAdd;
  (*pz)[*pn] = 0;
  return FAKT_OK;
}

/* Format a double per SPEC.md section 5.2. */
static int fmtDouble(double r, char *z){
  int n = snprintf(z, 40, "%.15g", r);
  if( strspn(z, "-0123456789")==(size_t)n ){ memcpy(z+n, ".0", 3); n += 2; }
  return n;
}

/*
** Render v as text into *pz (malloc'd buffer of *pnAlloc bytes, grown as
** needed); *pn gets the length. Strings and names are looked up in t.
*/
int faktValueRender(StoreTxn *t, DictCache *pC, const Value *v, char **pz, size_t *pnAlloc, int *pn){
  char zBuf[64];
  int n = 0;
  const char *z = zBuf;
  *pn = 0;
  switch( v->t ){
    case V_NULL: return bufAppend(pz, pnAlloc, pn, "", 0);
    case V_BOOL: z = v->u.i ? "true" : "false"; n = (int)strlen(z); break;
    case V_INT: n = snprintf(zBuf, sizeof(zBuf), "%lld", (long long)v->u.i); break;
    case V_FLOAT: n = fmtDouble(v->u.r, zBuf); break;
    case V_DATE: n = faktDateFormat(v->u.d, zBuf); break;
    case V_QTY: {
      if( v->u.r==floor(v->u.r) && fabs(v->u.r)<1e15 ){
        n = snprintf(zBuf, sizeof(zBuf), "%lld", (long long)v->u.r);
      }else{
        n = snprintf(zBuf, sizeof(zBuf), "%.15g", v->u.r);
      }
      int rc = bufAppend(pz, pnAlloc, pn, zBuf, n);
      if( rc ) return rc;
      const char *zU = v->z; int nU = v->n;
      if( zU==NULL && v->id && faktDictTextC(t, pC, v->id, &zU, &nU) ) zU = NULL;
      if( zU && nU ){
        rc = bufAppend(pz, pnAlloc, pn, " ", 1);
        if( rc==0 ) rc = bufAppend(pz, pnAlloc, pn, zU, nU);
      }
      return rc;
    }
    case V_STR: {
      z = v->z; n = v->n;
      if( z==NULL ){
        if( v->id==0 || faktDictTextC(t, pC, v->id, &z, &n) ){ z = ""; n = 0; }
      }
      break;
    }
    default: idText(t, pC, v->id, zBuf, &z, &n); break;
  }
  return bufAppend(pz, pnAlloc, pn, z, n);
}

/* The FAKT_* column type of a value. */
int faktValueColType(StoreTxn *t, DictCache *pC, const Value *v){
  switch( v->t ){
    case V_NULL: return FAKT_NULL;
    case V_BOOL: return FAKT_BOOL;
    case V_INT: return FAKT_INTEGER;
    case V_FLOAT: return FAKT_FLOAT;
    case V_QTY: return FAKT_QUANTITY;
    case V_DATE: return FAKT_DATE;
    case V_STR: return FAKT_TEXT;
    default: {
      int k = 0;
      if( v->id & FAKT_GEN_BIT ) return FAKT_CLAIM;   /* only claims have generated ids */
      if( t && faktObjKindC(t, pC, v->id, &k)==FAKT_OK && k==K_CLAIM ) return FAKT_CLAIM;
      return FAKT_ENTITY;
    }
  }
}

/* Name of a value type, for type errors. */
const char *faktTypeName(int t){
  switch( t ){
    case V_NULL: return "null";
    case V_BOOL: return "boolean";
    case V_INT: return "number";
    case V_FLOAT: return "number";
    case V_QTY: return "quantity";
    case V_DATE: return "date";
    case V_STR: return "string";
    default: return "entity";
  }
}
