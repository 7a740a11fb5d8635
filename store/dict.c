/*
** dict.c -- the dictionary and the name cache. s2i maps (namespace, text)
** to an id, i2s an id to its text, 64 ids to a block (layouts in
** storeInt.h); the names of generated claims (_cN) are computed from their
** ids instead. The name cache of a write transaction remembers the names
** it looked up or interned and the kinds of their objects. It calls
** codec.c, kv.c (cursor moves), txn.c and records.c (faktObjGetKind).
*/
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "storeInt.h"

/* ================================================================ the name cache */

#define NAME_CACHE_MAX  ((size_t)1 << 22)   /* names at most, then no more are added */

void faktDictCacheClear(NameCache *c){
  free(c->a);
  free(c->zBuf);
  free(c->aKind);
  memset(c, 0, sizeof(*c));
}

/* The kind of object id in c's id table, or -1. */
int faktDictKindFind(const NameCache *c, uint32_t id){
  if( c==NULL || id>=c->nKind || c->aKind[id]==0 ) return -1;
  return c->aKind[id] - 1;
}

#define KIND_CACHE_MAX ((size_t)1 << 26)   /* ids the kind table covers, at most */

/* Remember that object id is of kind k (no entry past KIND_CACHE_MAX, for
** a kind that does not fit a byte, or when out of memory). */
void faktDictKindAdd(NameCache *c, uint32_t id, int k){
  if( c==NULL || id>=KIND_CACHE_MAX || k<0 || k>=255 ) return;
  if( id>=c->nKind ){
    size_t nNew = c->nKind ? c->nKind : 4096;
    while( nNew<=id ) nNew *= 2;
    if( nNew>KIND_CACHE_MAX ) nNew = KIND_CACHE_MAX;
    uint8_t *a = realloc(c->aKind, nNew);
    if( a==NULL ) return;
    memset(a + c->nKind, 0, nNew - c->nKind);
    c->aKind = a;
    c->nKind = nNew;
  }
  c->aKind[id] = (uint8_t)(k + 1);
}

NameCache *faktDictCacheOf(StoreTxn *t){
  t = faktTxnRoot(t);
  return t->bWrite ? &t->names : NULL;
}

/* The slot hash of a name whose faktHash64 is h64: never 0. */
static uint32_t nameHash(uint64_t h64){
  uint32_t h = (uint32_t)h64;
  return h ? h : 1;
}

/* The entry of (h64, z, n), or NULL. */
static NameEnt *nameCacheFind(NameCache *c, uint64_t h64, const char *z, int n){
  uint32_t h = nameHash(h64);
  size_t nPre = n<NAME_INLINE ? (size_t)n : NAME_INLINE;
  if( c==NULL || c->nSlot==0 ) return NULL;
  for(size_t j=(size_t)h & (c->nSlot-1); c->a[j].h; j=(j+1) & (c->nSlot-1)){
    NameEnt *e = &c->a[j];
    if( e->h==h && e->n==(unsigned)n && memcmp(e->aPre, z, nPre)==0
     && (n<=NAME_INLINE || memcmp(c->zBuf + e->iOff, z + NAME_INLINE, (size_t)n - NAME_INLINE)==0) ){
      return e;
    }
  }
  return NULL;
}

/* Remember name -> id (kind -1: not known); the entry, or NULL when there
** is none (no cache, full, or out of memory, which only means no entry). */
static NameEnt *nameCacheAdd(NameCache *c, uint64_t h64, const char *z, int n, uint32_t id, int kind){
  uint32_t h = nameHash(h64);
  size_t nTail = n>NAME_INLINE ? (size_t)n - NAME_INLINE : 0;
  if( c==NULL || c->nUsed>=NAME_CACHE_MAX || n>255 ) return NULL;
  if( (c->nUsed+1)*4 > c->nSlot*3 ){
    size_t nNew = c->nSlot ? c->nSlot*2 : 4096;
    NameEnt *a = calloc(nNew, sizeof(NameEnt));
    if( a==NULL ) return NULL;
    for(size_t i=0; i<c->nSlot; i++){
      if( c->a[i].h==0 ) continue;
      size_t j = (size_t)c->a[i].h & (nNew-1);
      while( a[j].h ) j = (j+1) & (nNew-1);
      a[j] = c->a[i];
    }
    free(c->a);
    c->a = a;
    c->nSlot = nNew;
  }
  if( nTail && c->nBuf + nTail > c->nBufAlloc ){
    size_t nNew = c->nBufAlloc ? c->nBufAlloc*2 : 65536;
    while( nNew < c->nBuf + nTail ) nNew *= 2;
    if( nNew>UINT32_MAX ) return NULL;
    char *zNew = realloc(c->zBuf, nNew);
    if( zNew==NULL ) return NULL;
    c->zBuf = zNew;
    c->nBufAlloc = nNew;
  }
  assert( (c->nUsed+1)*4 <= c->nSlot*3 );     /* a free slot ends every probe */
  size_t j = (size_t)h & (c->nSlot-1);
  while( c->a[j].h ) j = (j+1) & (c->nSlot-1);
  NameEnt *e = &c->a[j];
  memset(e, 0, sizeof(*e));
  e->h = h;
  e->id = id;
  e->iOff = (uint32_t)c->nBuf;
  e->n = (uint8_t)n;
  e->kind = (uint8_t)(kind<0 ? 0 : kind+1);
  memcpy(e->aPre, z, n<NAME_INLINE ? (size_t)n : NAME_INLINE);
  if( nTail ) memcpy(c->zBuf + c->nBuf, z + NAME_INLINE, nTail);
  c->nBuf += nTail;
  c->nUsed++;
  return e;
}

/* ================================================================ generated claims */

int faktGenParse(const char *z, int n, uint32_t *pId){
  uint32_t v = 0;
  int i;
  if( n<3 || n>12 || z[0]!='_' || z[1]!='c' || z[2]<'1' || z[2]>'9' ) return 0;
  for(i=2; i<n; i++){
    if( z[i]<'0' || z[i]>'9' ) return 0;
    if( v > (FAKT_GEN_BIT-1 - (uint32_t)(z[i]-'0'))/10 ) return 0;   /* past 2^31-1 */
    v = v*10 + (uint32_t)(z[i]-'0');
  }
  *pId = FAKT_GEN_BIT | v;
  return 1;
}

int faktIdName(StoreTxn *t, uint32_t id, char aBuf[FAKT_GEN_NAME], const char **pz, int *pn){
  if( id & FAKT_GEN_BIT ){
    if( id==FAKT_GEN_BIT ) return FAKT_NOTFOUND;
    /* "_c" and the decimal number (a row shows many: no snprintf) */
    char aDig[10];
    uint32_t v = id & ~FAKT_GEN_BIT;
    int nDig = 0, n = 0;
    do{ aDig[nDig++] = (char)('0' + v%10); v /= 10; }while( v );
    aBuf[n++] = '_';
    aBuf[n++] = 'c';
    while( nDig ) aBuf[n++] = aDig[--nDig];
    aBuf[n] = 0;
    *pn = n;
    *pz = aBuf;
    return FAKT_OK;
  }
  int ns;
  return faktDictText(t, id, &ns, pz, pn);
}

/* ================================================================ the dictionary */

int faktDictBlock(StoreTxn *t, uint32_t id, const uint8_t **pa, size_t *pn){
  uint8_t k[4];
  KvVal v;
  int rc;
  if( t==NULL ) return FAKT_MISUSE;
  if( id & FAKT_GEN_BIT ) return FAKT_NOTFOUND;      /* generated claims: faktIdName */
  faktCodecIdKey(k, id >> I2S_SHIFT);
  rc = faktTxnGet(t, DB_I2S, k, 4, &v);
  if( rc ) return rc;
  *pa = v.p;
  *pn = v.n;
  return FAKT_OK;
}

uint64_t faktDictRecords(StoreTxn *t){
  if( t==NULL ) return 0;
  return faktKvEntries(t->s, t->txn, DB_I2S);
}

int faktDictBlockWalk(StoreTxn *t, void *pArg,
                      int (*xBlock)(void*, uint32_t iBlk, const uint8_t *a, size_t n)){
  StoreCursor *c;
  KvVal k, v;
  int rc;
  if( t==NULL ) return FAKT_MISUSE;
  rc = faktTxnCursor(t, DB_I2S, NULL, 0, &c);
  if( rc ) return rc;
  while( (rc = faktKvCursorStep(c, &k, &v))==FAKT_ROW ){
    uint32_t iBlk;
    if( k.n!=4 ){ faktKvSetErr(t->s, "i2s: malformed key"); rc = FAKT_CORRUPT; break; }
    memcpy(&iBlk, k.p, 4);
    if( iBlk & I2S_LONG ){ rc = FAKT_DONE; break; }     /* the long texts sort last */
    if( xBlock(pArg, iBlk, v.p, v.n) ){ rc = FAKT_DONE; break; }
  }
  faktCursorClose(c);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

const uint8_t *faktDictBlockEntry(const uint8_t *a, size_t nA, uint32_t id){
  const uint8_t *e;
  size_t nE;
  if( faktCodecI2sEntry(a, nA, id & (I2S_SLOTS-1), &e, &nE) || nE==0 ) return NULL;
  return e;
}

int faktDictBlockText(StoreTxn *t, const uint8_t *a, size_t nA, uint32_t id,
                      int *pNs, const char **pz, int *pn){
  uint8_t k[4];
  KvVal v;
  const uint8_t *e;
  size_t nE;
  int rc;
  if( faktCodecI2sEntry(a, nA, id & (I2S_SLOTS-1), &e, &nE) ) goto damaged;
  if( nE==0 ) return FAKT_NOTFOUND;
  if( e[0] & 0x80 ){
    if( nE!=1 ) goto damaged;
    faktCodecIdKey(k, I2S_LONG | id);
    rc = faktTxnGet(t, DB_I2S, k, 4, &v);
    if( rc==FAKT_NOTFOUND ) goto damaged;
    if( rc ) return rc;
    if( v.n<1 || ((const uint8_t*)v.p)[0]!=(e[0] & 0x7f) ) goto damaged;
    e = v.p;
    nE = v.n;
  }
  if( pNs ) *pNs = e[0];
  if( pz ) *pz = (const char*)e + 1;
  if( pn ) *pn = (int)(nE - 1);
  return FAKT_OK;
damaged:
  faktKvSetErr(t->s, "dictionary entry %u is damaged", id);
  return FAKT_CORRUPT;
}

int faktDictText(StoreTxn *t, uint32_t id, int *pNs, const char **pz, int *pn){
  const uint8_t *a;
  size_t nA;
  int rc = faktDictBlock(t, id, &a, &nA);
  if( rc ) return rc;
  return faktDictBlockText(t, a, nA, id, pNs, pz, pn);
}

/* Give the new id its text: it goes after every id of its block, which
** is the last one (see faktStoreNewId). */
static int i2sAppend(StoreTxn *t, uint32_t id, int ns, const char *z, int n){
  uint8_t k[4], aRec[I2S_MAXREC], *pOut;
  unsigned iSlot = id & (I2S_SLOTS-1), nOld = 0, i;
  size_t nEnt = 0, nHdr, nNew;
  const uint8_t *aOld = NULL, *e;
  KvVal v;
  int rc, bLong = n>I2S_INLINE;
  if( bLong ){
    faktCodecIdKey(k, I2S_LONG | id);
    rc = faktTxnReserve(t, DB_I2S, k, 4, (size_t)n + 1, &pOut);
    if( rc ) return rc;
    pOut[0] = (uint8_t)ns;
    memcpy(pOut+1, z, (size_t)n);
  }
  faktCodecIdKey(k, id >> I2S_SHIFT);
  rc = faktTxnGet(t, DB_I2S, k, 4, &v);
  if( rc==FAKT_OK ){
    aOld = v.p;
    if( faktCodecI2sEntry(aOld, v.n, 0, &e, &nEnt) ) goto damaged;
    nOld = aOld[0];
    nEnt = v.n - 1 - 2*(size_t)nOld;
    /* the entries of nOld slots take at most nOld*(1 + I2S_INLINE) bytes:
    ** more, and the new record would not fit in aRec */
    if( nEnt>(size_t)nOld*(1 + I2S_INLINE) ) goto damaged;
    if( iSlot<nOld ){
      faktKvSetErr(t->s, "dictionary block %u already holds id %u (next_id is damaged)", id >> I2S_SHIFT, id);
      return FAKT_CORRUPT;
    }
  }else if( rc!=FAKT_NOTFOUND ){
    return rc;
  }
  /* the old ends, empty slots up to the new id, its end, the old entries
  ** and the new one */
  aRec[0] = (uint8_t)(iSlot + 1);
  nHdr = 1 + 2*(size_t)(iSlot + 1);
  if( nOld ) memcpy(aRec+1, aOld+1, 2*(size_t)nOld);
  for(i=nOld; i<iSlot; i++){ aRec[1+2*i] = (uint8_t)(nEnt>>8); aRec[2+2*i] = (uint8_t)nEnt; }
  if( nEnt ) memcpy(aRec+nHdr, aOld + 1 + 2*(size_t)nOld, nEnt);
  pOut = aRec + nHdr + nEnt;
  if( bLong ){
    pOut[0] = (uint8_t)(ns | 0x80);
    nNew = nEnt + 1;
  }else{
    pOut[0] = (uint8_t)ns;
    if( n ) memcpy(pOut+1, z, (size_t)n);
    nNew = nEnt + 1 + (size_t)n;
  }
  aRec[1+2*iSlot] = (uint8_t)(nNew>>8);
  aRec[2+2*iSlot] = (uint8_t)nNew;
  /* delete and append: a replaced record that outgrows its page would
  ** split it in half, leaving the full blocks before it half a page */
  if( aOld && (rc = faktTxnDel(t, DB_I2S, k, 4))!=FAKT_OK ) return rc;
  rc = faktTxnReserve(t, DB_I2S, k, 4, nHdr + nNew, &pOut);
  if( rc ) return rc;
  memcpy(pOut, aRec, nHdr + nNew);
  return FAKT_OK;
damaged:
  faktKvSetErr(t->s, "dictionary block %u is damaged", id >> I2S_SHIFT);
  return FAKT_CORRUPT;
}

/* faktDictLookup; *ppEnt is the name cache's entry for a found NS_NAME
** name (NULL when not cached), for faktDictLookupKind. */
static int dictLookup(StoreTxn *t, int ns, const char *z, int n, uint32_t *pId, NameEnt **ppEnt){
  uint8_t k[S2I_KEYMAX];
  size_t nK;
  StoreCursor *c;
  KvVal key, val;
  int rc;
  if( t==NULL || (z==NULL && n>0) ) return FAKT_MISUSE;
  if( n<0 ) n = (int)strlen(z);
  *ppEnt = NULL;
  if( ns==NS_NAME && faktGenParse(z, n, pId) ){
    uint8_t a[4];
    faktCodecIdKey(a, *pId);
    rc = faktTxnGet(t, DB_OBJ, a, 4, &val);
    return rc==FAKT_OK ? FAKT_OK : rc;
  }
  if( t->pChild ){ faktKvSetErr(t->s, "transaction used while a nested transaction is open"); return FAKT_MISUSE; }
  uint64_t h = faktHash64(z, (size_t)n);
  NameCache *pNames = ns==NS_NAME ? faktDictCacheOf(t) : NULL;
  NameEnt *e = nameCacheFind(pNames, h, z, n);
  if( e ){ *pId = e->id; *ppEnt = e; return FAKT_OK; }
  nK = faktCodecS2iKey(k, ns, z, (size_t)n);
  if( (k[0] & 0x80)==0 ){                 /* the text is the key */
    rc = faktTxnGet(t, DB_S2I, k, nK, &val);
    if( rc ) return rc;
    if( val.n!=4 ){ faktKvSetErr(t->s, "s2i entry of \"%.*s\" is damaged", n, z); return FAKT_CORRUPT; }
    *pId = faktDecU32((const uint8_t*)val.p);
    *ppEnt = nameCacheAdd(pNames, h, z, n, *pId, -1);
    return FAKT_OK;
  }
  rc = faktTxnCursor(t, DB_S2I, k, 9, &c);
  if( rc ) return rc;
  key.p = k; key.n = 9;
  rc = faktKvCursorGet(t->s, c->mc, &key, &val, KV_SET, "s2i");
  while( rc==FAKT_OK ){
    int ns2, n2;
    const char *z2;
    uint32_t id;
    if( val.n!=4 ){ rc = faktKvCorrupt(t->s, "s2i"); break; }
    id = faktDecU32((const uint8_t*)val.p);
    if( faktDictText(t, id, &ns2, &z2, &n2)==FAKT_OK && ns2==ns && n2==n && memcmp(z2, z, (size_t)n)==0 ){
      *pId = id;
      faktCursorClose(c);
      *ppEnt = nameCacheAdd(pNames, h, z, n, id, -1);
      return FAKT_OK;
    }
    rc = faktKvCursorGet(t->s, c->mc, &key, &val, KV_NEXT_DUP, "s2i");
  }
  faktCursorClose(c);
  return rc;                             /* FAKT_NOTFOUND, or an error */
}

int faktDictLookup(StoreTxn *t, int ns, const char *z, int n, uint32_t *pId){
  NameEnt *e;
  return dictLookup(t, ns, z, n, pId, &e);
}

int faktDictIntern(StoreTxn *t, int ns, const char *z, int n, uint32_t *pId){
  uint8_t k[S2I_KEYMAX], a[4];
  size_t nK;
  uint32_t id;
  int rc;
  if( t==NULL || (z==NULL && n>0) ) return FAKT_MISUSE;
  if( n<0 ) n = (int)strlen(z);
  if( ns==NS_NAME && faktGenParse(z, n, &id) ){
    uint32_t next;
    rc = faktTxnWritable(t);
    if( rc==FAKT_OK ) rc = faktTxnNextGen(t, &next);
    if( rc==FAKT_OK && (id & ~FAKT_GEN_BIT)>=next ){
      rc = faktTxnMetaPut(t, "next_gen", (id & ~FAKT_GEN_BIT) + 1);
    }
    if( rc==FAKT_OK ) *pId = id;
    return rc;
  }
  rc = faktDictLookup(t, ns, z, n, pId);
  if( rc!=FAKT_NOTFOUND ) return rc;
  rc = faktStoreNewId(t, &id);
  if( rc ) return rc;
  rc = i2sAppend(t, id, ns, z, n);
  if( rc ) return rc;
  nK = faktCodecS2iKey(k, ns, z, (size_t)n);
  faktEncU32(a, id);                     /* s2i values stay big-endian */
  rc = faktTxnPut(t, DB_S2I, k, nK, a, 4, 0);
  if( rc ) return rc;
  *pId = id;
  if( ns==NS_NAME ) nameCacheAdd(faktDictCacheOf(t), faktHash64(z, (size_t)n), z, n, id, -1);
  return FAKT_OK;
}

int faktDictLookupKind(StoreTxn *t, const char *z, int n, uint32_t *pId, int *pKind){
  if( t==NULL || (z==NULL && n>0) ) return FAKT_MISUSE;
  if( n<0 ) n = (int)strlen(z);
  NameEnt *e;
  int rc = dictLookup(t, NS_NAME, z, n, pId, &e);
  if( rc ) return rc;
  /* e is in the cache of t's root */
  if( e && e->kind ){ *pKind = e->kind - 1; return FAKT_OK; }
  rc = faktObjGetKind(t, *pId, pKind);
  if( rc==FAKT_OK && e && *pKind>=0 && *pKind<255 ){
    e->kind = (uint8_t)(*pKind + 1);           /* a kind, once there, stays */
  }
  return rc;
}
