/*
** records.c -- the records of the store: objects (entities, sources,
** predicates ... and claims) with their alias, geo, srcc and prop
** entries, the spo/pos/osp index entries of claims, source texts and the
** quotes that share them, rules, statistics, the transaction log, the
** prefetch of obj's leaf pages, and the typed scans of the side tables the
** engine reads (it never names a table or builds a key). It calls
** codec.c, kv.c (cursor steps), txn.c, dict.c, fts.c (faktFtsDoc) and
** pagecheck.c's page readers (the prefetch).
*/
#include <stdlib.h>
#include <string.h>
#include "storeInt.h"
#include "base.h"

/* ================================================================ propositions */

/*
** Proposition ids are hashed from names, not ids (format 8), so that they
** are the same in every database holding the statement. The hash of each
** name or text is cached per root transaction, by id: a load names the
** same subjects and predicates claim after claim. An id's name never
** changes; a nested transaction that aborts clears the cache (an id it
** named may be named again).
*/
#define PROPN_SLOTS 65536
struct PropNames {
  uint32_t aId[PROPN_SLOTS];       /* 0: empty */
  uint64_t aHash[PROPN_SLOTS];
};

void faktPropNamesClear(StoreTxn *r){
  if( r->pPropNames ) memset(r->pPropNames->aId, 0, sizeof(r->pPropNames->aId));
}

/* hash64 of id's name (an object) or text (a string), cached. */
static int propNameHash(StoreTxn *t, uint32_t id, int bText, uint64_t *pH){
  StoreTxn *r = faktTxnRoot(t);
  if( r->pPropNames==NULL ) r->pPropNames = calloc(1, sizeof(struct PropNames));
  struct PropNames *c = r->pPropNames;     /* NULL when out of memory: no cache */
  unsigned iSlot = (unsigned)((id * 2654435761u) >> 16) & (PROPN_SLOTS-1);
  if( c && id && c->aId[iSlot]==id ){ *pH = c->aHash[iSlot]; return FAKT_OK; }
  const char *z;
  int n, ns, rc;
  char aBuf[FAKT_GEN_NAME];
  rc = bText ? faktDictText(t, id, &ns, &z, &n) : faktIdName(t, id, aBuf, &z, &n);
  if( rc==FAKT_NOTFOUND ){
    faktKvSetErr(t->s, "%s %u has no %s", bText ? "string" : "object", id, bText ? "text" : "name");
    return FAKT_CORRUPT;
  }
  if( rc ) return rc;
  *pH = faktHash64(z, (size_t)n);
  if( c && id ){ c->aId[iSlot] = id; c->aHash[iSlot] = *pH; }
  return FAKT_OK;
}

int faktClaimProp(StoreTxn *t, const ClaimRec *r, uint64_t *pProp){
  uint8_t a[8+8+1+8+8];
  uint64_t h = r->aNameHash[0];
  int rc = h ? FAKT_OK : propNameHash(t, r->s, 0, &h);
  if( rc ) return rc;
  faktEncU64(a, h);
  h = r->aNameHash[1];
  rc = h ? FAKT_OK : propNameHash(t, r->p, 0, &h);
  if( rc ) return rc;
  faktEncU64(a+8, h);
  a[16] = r->o[0];                         /* the type */
  if( r->o[0]==T_ID || r->o[0]==T_STR ){
    h = r->aNameHash[2];
    rc = h ? FAKT_OK : propNameHash(t, faktDecU32(r->o+5), r->o[0]==T_STR, &h);
    if( rc ) return rc;
    faktEncU64(a+17, h);
  }else{
    memcpy(a+17, r->o+1, 8);
  }
  h = 0;
  if( r->o[0]==T_QTY && r->unit ){
    rc = propNameHash(t, r->unit, 1, &h);
    if( rc ) return rc;
  }
  faktEncU64(a+25, h);
  *pProp = faktHash64(a, sizeof(a)) >> 1;   /* 63 bits: a non-negative integer */
  return FAKT_OK;
}

/* ================================================================ objects */

int faktObjGetKind(StoreTxn *t, uint32_t id, int *pKind){
  uint8_t k[4];
  KvVal v;
  int rc;
  if( t==NULL ) return FAKT_MISUSE;
  /* a write txn remembers the kinds of objects other than claims: a loader
  ** binding ids asks for the same entities' kinds claim after claim */
  NameCache *c = (id & FAKT_GEN_BIT) ? NULL : faktDictCacheOf(t);
  int kind = faktDictKindFind(c, id);
  if( kind>=0 ){ *pKind = kind; return FAKT_OK; }
  if( faktTxnObjFree(t, id) ) return FAKT_NOTFOUND;   /* a new id: nothing to read */
  faktCodecIdKey(k, id);
  rc = faktTxnGet(t, DB_OBJ, k, 4, &v);
  if( rc ) return rc;
  if( v.n<1 ){ faktKvSetErr(t->s, "object %u is damaged", id); return FAKT_CORRUPT; }
  *pKind = ((const uint8_t*)v.p)[0];
  if( c && *pKind!=K_CLAIM ) faktDictKindAdd(c, id, *pKind);
  return FAKT_OK;
}

/* The obj record of id. FAKT_OK, FAKT_NOTFOUND, FAKT_MISUSE (no txn). */
static int objGet(StoreTxn *t, uint32_t id, KvVal *pv){
  uint8_t k[4];
  if( t==NULL ) return FAKT_MISUSE;
  faktCodecIdKey(k, id);
  return faktTxnGet(t, DB_OBJ, k, 4, pv);
}

int faktEntGet(StoreTxn *t, uint32_t id, EntRec *pRec){
  KvVal v;
  int rc = objGet(t, id, &v);
  if( rc ) return rc;
  if( v.n>=1 && ((const uint8_t*)v.p)[0]==K_CLAIM ){
    faktKvSetErr(t->s, "object %u is a claim, not an entity", id);
    return FAKT_MISMATCH;
  }
  if( faktCodecEntDecode(v.p, v.n, pRec) ){
    faktKvSetErr(t->s, "entity record %u is damaged", id);
    return FAKT_CORRUPT;
  }
  return FAKT_OK;
}

int faktClaimGet(StoreTxn *t, uint32_t id, ClaimRec *pRec){
  KvVal v;
  int rc = objGet(t, id, &v);
  if( rc ) return rc;
  if( v.n>=1 && ((const uint8_t*)v.p)[0]!=K_CLAIM ){
    faktKvSetErr(t->s, "object %u is not a claim", id);
    return FAKT_MISMATCH;
  }
  if( faktCodecClaimDecode(v.p, v.n, pRec) ){
    faktKvSetErr(t->s, "claim record %u is damaged", id);
    return FAKT_CORRUPT;
  }
  return FAKT_OK;
}

/* ---------------------------------------------------------------- alias and geo */

/*
** Build the alias key of dictionary string strId for entity id into a
** (at least ALIAS_MAX+5 bytes): folded text cut to 400 bytes, 0x00, id.
** *pn = 0 when the text folds to nothing (no entry).
*/
int faktRecAliasKey(StoreTxn *t, uint32_t strId, uint32_t id, uint8_t *a, size_t *pn){
  const char *z;
  int n, ns, rc;
  char aBuf[1024], *zFold = aBuf;
  size_t nOut, nF;
  *pn = 0;
  rc = faktDictText(t, strId, &ns, &z, &n);
  if( rc==FAKT_NOTFOUND ){ faktKvSetErr(t->s, "string %u is missing", strId); return FAKT_CORRUPT; }
  if( rc ) return rc;
  nOut = 2*(size_t)n + 1;
  if( nOut>sizeof(aBuf) ){
    zFold = malloc(nOut);
    if( zFold==NULL ){ faktKvSetErr(t->s, "out of memory"); return FAKT_NOMEM; }
  }
  nF = faktFold(z, (size_t)n, zFold, nOut);
  if( nF>ALIAS_MAX ) nF = ALIAS_MAX;
  if( nF>0 ){
    memcpy(a, zFold, nF);
    a[nF] = 0;
    faktEncU32(a+nF+1, id);
    *pn = nF + 5;
  }
  if( zFold!=aBuf ) free(zFold);
  return FAKT_OK;
}

/* Add (bAdd) or remove the alias entries of every name of r. */
static int aliasUpdate(StoreTxn *t, uint32_t id, const EntRec *r, int bAdd){
  uint8_t a[ALIAS_MAX+5];
  size_t n;
  uint32_t i;
  int rc;
  for(i=0; i<=r->nAlias; i++){
    uint32_t strId = i==0 ? r->label : r->aAlias[i-1];
    if( strId==0 ) continue;
    rc = faktRecAliasKey(t, strId, id, a, &n);
    if( rc ) return rc;
    if( n==0 ) continue;
    rc = bAdd ? faktTxnPut(t, DB_ALIAS, a, n, "", 0, 0) : faktTxnDel(t, DB_ALIAS, a, n);
    if( rc && rc!=FAKT_NOTFOUND ) return rc;
  }
  return FAKT_OK;
}

int faktEntPut(StoreTxn *t, uint32_t id, const EntRec *pRec){
  uint8_t k[4], a[ENT_FIXED + 4*255], g[8], gv[16];
  EntRec old;
  int rc, bOld;
  rc = faktTxnWritable(t);
  if( rc ) return rc;
  if( pRec->kind==K_CLAIM || pRec->kind==0 ){
    faktKvSetErr(t->s, "bad entity kind %d", pRec->kind);
    return FAKT_MISUSE;
  }
  if( pRec->nAlias>(uint32_t)ENT_ALIAS_MAX ){
    faktKvSetErr(t->s, "too many aliases (max %d)", ENT_ALIAS_MAX);
    return FAKT_TOOBIG;
  }
  rc = faktEntGet(t, id, &old);
  if( rc && rc!=FAKT_NOTFOUND ) return rc;
  bOld = rc==FAKT_OK;
  if( bOld ){
    rc = aliasUpdate(t, id, &old, 0);
    if( rc ) return rc;
    if( old.bCoords ){
      faktCodecGeoKey(g, old.lat, old.lon, id);
      rc = faktTxnDel(t, DB_GEO, g, 8);
      if( rc && rc!=FAKT_NOTFOUND ) return rc;
    }
  }
  faktCodecIdKey(k, id);
  rc = faktTxnPut(t, DB_OBJ, k, 4, a, faktCodecEntEncode(pRec, a), 0);
  if( rc ) return rc;
  rc = aliasUpdate(t, id, pRec, 1);
  if( rc ) return rc;
  if( pRec->bCoords ){
    faktCodecGeoKey(g, pRec->lat, pRec->lon, id);
    faktCodecEncDouble(gv, pRec->lat);
    faktCodecEncDouble(gv+8, pRec->lon);
    rc = faktTxnPut(t, DB_GEO, g, 8, gv, 16, 0);
  }
  return rc;
}

/* ================================================================ claims */

/* Add delta to the count at kind+id, in memory until commit (statFlush). */
static int statAdd(StoreTxn *t, int kind, uint32_t id, int delta){
  int rc = faktTxnWritable(t);
  if( rc ) return rc;
  if( faktWbufStatAdd(&t->stat, faktWbufStatKey(kind, id), delta) ){
    faktKvSetErr(t->s, "out of memory");
    t->rcErr = FAKT_NOMEM;
    return FAKT_NOMEM;
  }
  t->nWrite++;
  return FAKT_OK;
}

static int statClaim(StoreTxn *t, const ClaimRec *r, int delta){
  uint32_t oid;
  int rc = statAdd(t, 'S', r->s, delta);
  if( rc==FAKT_OK ) rc = statAdd(t, 'P', r->p, delta);
  if( rc==FAKT_OK && faktCodecStatId(r->o, &oid) ) rc = statAdd(t, 'O', oid, delta);
  if( rc==FAKT_OK ) rc = statAdd(t, 'T', 0, delta);
  return rc;
}

/* Write claim record r under key k (4 bytes), through a heap copy: r's
** quote may point into the map page the put rewrites. */
static int claimPut(StoreTxn *t, const uint8_t *k, const ClaimRec *r, unsigned flags){
  size_t n = faktCodecClaimSize(r);
  uint8_t *a = malloc(n);
  if( a==NULL ){ faktKvSetErr(t->s, "out of memory"); return FAKT_NOMEM; }
  faktCodecClaimEncode(r, a);
  int rc = faktTxnPut(t, DB_OBJ, k, 4, a, n, flags);
  free(a);
  return rc;
}

int faktClaimAdd(StoreTxn *t, uint32_t id, const ClaimRec *pRec){
  uint8_t k[12], aK[3][KEY_IX], v[8];
  int rc, i;
  rc = faktTxnWritable(t);
  if( rc ) return rc;
  if( pRec->nVia>(uint32_t)CLAIM_VIA_MAX ){
    faktKvSetErr(t->s, "via chain too long (max %d)", CLAIM_VIA_MAX);
    return FAKT_TOOBIG;
  }
  if( pRec->quote && pRec->zQuote==NULL ){
    faktKvSetErr(t->s, "claim %u: a quote length without its text", id);
    return FAKT_MISUSE;
  }
  /* share the quote with the source's text when its span holds exactly it */
  ClaimRec rShare = *pRec;
  rShare.bQuoteRef = 0;
  if( pRec->quote && pRec->source ){
    const char *zText;
    size_t nText;
    rc = faktTextGet(t, pRec->source, &zText, &nText);
    if( rc && rc!=FAKT_NOTFOUND ) return rc;
    rShare.bQuoteRef = rc==FAKT_OK && pRec->spanStart<=pRec->spanEnd && pRec->spanEnd<=nText
        && pRec->spanEnd - pRec->spanStart==pRec->quote
        && memcmp(zText + pRec->spanStart, pRec->zQuote, pRec->quote)==0;
  }
  faktCodecIdKey(k, id);
  rc = claimPut(t, k, &rShare, KV_NOOVERWRITE);
  if( rc==FAKT_CONSTRAINT ){ faktKvSetErr(t->s, "object %u already exists", id); return rc; }
  if( rc ) return rc;
  faktCodecIxKeys(pRec->s, pRec->p, pRec->o, id, aK);
  size_t nV = faktCodecVisEncode(v, pRec->txAdd, pRec->txRet);
  for(i=0; i<3; i++){
    rc = faktTxnIndexPut(t, DB_SPO+i, aK[i], KEY_IX, v, nV);
    if( rc ) return rc;
  }
  if( pRec->source ){
    faktEncU32(k, pRec->source);
    faktEncU32(k+4, id);
    rc = faktTxnIndexPut(t, DB_SRCC, k, 8, "", 0);
    if( rc ) return rc;
  }
  uint64_t prop;
  rc = faktClaimProp(t, pRec, &prop);
  if( rc ) return rc;
  faktEncU64(k, prop);
  faktEncU32(k+8, id);
  rc = faktTxnIndexPut(t, DB_PROP, k, 12, "", 0);
  if( rc ) return rc;
  if( pRec->quote ){
    rc = faktFtsDoc(t, id, pRec->zQuote, pRec->quote, 0);
    if( rc ) return rc;
  }
  if( pRec->txRet==0 ) rc = statClaim(t, pRec, 1);
  /* named claims with a quote, retracted or not: while there are none,
  ** every claim in the fts postings has a generated id (match() uses it) */
  if( rc==FAKT_OK && pRec->quote && !(id & FAKT_GEN_BIT) ) rc = statAdd(t, 'N', 0, 1);
  return rc;
}

int faktClaimRetract(StoreTxn *t, uint32_t id, uint32_t tx){
  ClaimRec r;
  uint8_t k[4], aK[3][KEY_IX], v[8];
  int rc, i;
  rc = faktTxnWritable(t);
  if( rc ) return rc;
  rc = faktClaimGet(t, id, &r);
  if( rc ) return rc;
  if( r.txRet ) return FAKT_OK;          /* already retracted: nothing changes */
  r.txRet = tx;
  faktCodecIdKey(k, id);
  rc = claimPut(t, k, &r, 0);
  if( rc ) return rc;
  faktCodecIxKeys(r.s, r.p, r.o, id, aK);
  size_t nV = faktCodecVisEncode(v, r.txAdd, r.txRet);
  for(i=0; i<3; i++){
    rc = faktTxnIndexPut(t, DB_SPO+i, aK[i], KEY_IX, v, nV);
    if( rc ) return rc;
  }
  return statClaim(t, &r, -1);
}

/*
** Correction (write.c): the record of claim id moves, with its index,
** source, proposition and full-text entries, to the new generated id
** idOld, retracted in tx (or when it was, if it was); id then holds pNew.
** Only existing puts and deletes, so the integrity check sees two ordinary
** claims.
*/
int faktClaimReplace(StoreTxn *t, uint32_t id, uint32_t idOld, const ClaimRec *pNew, uint32_t tx){
  ClaimRec old;
  uint8_t k[12], aK[3][KEY_IX];
  char *zQ = NULL;
  int rc, i, nQ = 0;
  rc = faktTxnWritable(t);
  if( rc ) return rc;
  rc = faktClaimGet(t, id, &old);
  if( rc ) return rc;
  if( old.quote ){
    const char *z;
    rc = faktClaimQuote(t, &old, &z, &nQ);
    if( rc ) return rc;
    zQ = malloc((size_t)nQ + 1);
    if( zQ==NULL ){ faktKvSetErr(t->s, "out of memory"); return FAKT_NOMEM; }
    memcpy(zQ, z, (size_t)nQ);
    old.zQuote = zQ;
    old.quote = (uint32_t)nQ;
    old.bQuoteRef = 0;
  }
  faktCodecIxKeys(old.s, old.p, old.o, id, aK);
  for(i=0; rc==FAKT_OK && i<3; i++){
    rc = faktTxnDel(t, DB_SPO+i, aK[i], KEY_IX);
    if( rc==FAKT_NOTFOUND ) rc = FAKT_OK;
  }
  if( rc==FAKT_OK && old.source ){
    faktEncU32(k, old.source);
    faktEncU32(k+4, id);
    rc = faktTxnDel(t, DB_SRCC, k, 8);
    if( rc==FAKT_NOTFOUND ) rc = FAKT_OK;
  }
  uint64_t prop = 0;
  if( rc==FAKT_OK ) rc = faktClaimProp(t, &old, &prop);
  if( rc==FAKT_OK ){
    faktEncU64(k, prop);
    faktEncU32(k+8, id);
    rc = faktTxnDel(t, DB_PROP, k, 12);
    if( rc==FAKT_NOTFOUND ) rc = FAKT_OK;
  }
  if( rc==FAKT_OK && old.quote ) rc = faktFtsDoc(t, id, zQ, (size_t)nQ, 1);
  if( rc==FAKT_OK && old.txRet==0 ) rc = statClaim(t, &old, -1);
  if( rc==FAKT_OK && old.quote && !(id & FAKT_GEN_BIT) ) rc = statAdd(t, 'N', 0, -1);
  if( rc==FAKT_OK ){
    faktCodecIdKey(k, id);
    rc = faktTxnDel(t, DB_OBJ, k, 4);
  }
  if( rc==FAKT_OK ){
    if( old.txRet==0 ) old.txRet = tx;
    rc = faktClaimAdd(t, idOld, &old);
  }
  if( rc==FAKT_OK ) rc = faktClaimAdd(t, id, pNew);
  free(zQ);
  return rc;
}

/*
** Move claim id's quote span to [start, end) of its source's stored text
** (write.c, after the text changed): the quote is shared with the text
** again when the span holds exactly its bytes. An empty span (start==end)
** marks a quote the text no longer holds (stale); it keeps its own copy.
*/
int faktClaimSpan(StoreTxn *t, uint32_t id, uint32_t start, uint32_t end){
  ClaimRec r;
  uint8_t k[4];
  const char *z, *zText;
  char *zQ;
  size_t nText;
  int rc, nQ;
  rc = faktTxnWritable(t);
  if( rc ) return rc;
  rc = faktClaimGet(t, id, &r);
  if( rc ) return rc;
  if( r.quote==0 ) return FAKT_OK;
  rc = faktClaimQuote(t, &r, &z, &nQ);
  if( rc ) return rc;
  zQ = malloc((size_t)nQ + 1);
  if( zQ==NULL ){ faktKvSetErr(t->s, "out of memory"); return FAKT_NOMEM; }
  memcpy(zQ, z, (size_t)nQ);
  r.zQuote = zQ;
  r.quote = (uint32_t)nQ;
  r.spanStart = start;
  r.spanEnd = end;
  r.bQuoteRef = 0;
  rc = faktTextGet(t, r.source, &zText, &nText);
  if( rc==FAKT_OK ){
    r.bQuoteRef = start<end && end<=nText && end-start==(uint32_t)nQ && memcmp(zText+start, zQ, (size_t)nQ)==0;
  }else if( rc==FAKT_NOTFOUND ){
    rc = FAKT_OK;
  }
  if( rc==FAKT_OK ){
    faktCodecIdKey(k, id);
    rc = claimPut(t, k, &r, 0);
  }
  free(zQ);
  return rc;
}

int faktClaimQuote(StoreTxn *t, const ClaimRec *r, const char **pz, int *pn){
  const char *zText;
  size_t nText;
  int rc;
  if( t==NULL || r==NULL ) return FAKT_MISUSE;
  if( r->quote==0 ) return FAKT_NOTFOUND;
  if( !r->bQuoteRef ){
    if( r->zQuote==NULL ) return FAKT_MISUSE;
    *pz = r->zQuote;
    *pn = (int)r->quote;
    return FAKT_OK;
  }
  rc = faktTextGet(t, r->source, &zText, &nText);
  if( rc==FAKT_OK && r->spanEnd<=nText && r->spanEnd-r->spanStart==r->quote ){
    *pz = zText + r->spanStart;
    *pn = (int)r->quote;
    return FAKT_OK;
  }
  if( rc && rc!=FAKT_NOTFOUND ) return rc;
  faktKvSetErr(t->s, "a claim's quote is not in the stored text of source %u", r->source);
  return FAKT_CORRUPT;
}

/* ================================================================ source text */

/* Give every claim of srcId whose quote is shared with its stored text
** zOld[0..nOld) a copy of its own, before that text is replaced. srcc lists
** every claim of the source, retracted ones too: history keeps its quotes. */
static int textDetach(StoreTxn *t, uint32_t srcId, const char *zOld, size_t nOld){
  uint8_t aPre[4], k4[4];
  StoreCursor *c;
  KvVal k, v;
  ClaimRec r;
  int rc;
  faktEncU32(aPre, srcId);
  rc = faktTxnCursor(t, DB_SRCC, aPre, 4, &c);
  if( rc ) return rc;
  while( (rc = faktKvCursorStep(c, &k, &v))==FAKT_ROW ){
    uint32_t id;
    if( k.n!=8 ){ faktKvSetErr(t->s, "srcc: malformed key"); rc = FAKT_CORRUPT; break; }
    id = faktDecU32((const uint8_t*)k.p + 4);
    rc = faktClaimGet(t, id, &r);
    if( rc ) break;
    if( !r.bQuoteRef ) continue;
    if( r.source!=srcId || r.spanEnd>nOld ){
      faktKvSetErr(t->s, "claim %u: its quote's span is not in the text of source %u", id, srcId);
      rc = FAKT_CORRUPT;
      break;
    }
    r.zQuote = zOld + r.spanStart;
    r.bQuoteRef = 0;
    faktCodecIdKey(k4, id);
    rc = claimPut(t, k4, &r, 0);
    if( rc ) break;
  }
  faktCursorClose(c);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

int faktTextPut(StoreTxn *t, uint32_t srcId, const char *z, size_t n){
  uint8_t k[4], *pOut;
  KvVal v;
  int rc = faktTxnWritable(t);
  if( rc ) return rc;
  if( n>0xFFFFFFFFu ){ faktKvSetErr(t->s, "text too large"); return FAKT_TOOBIG; }
  faktEncU32(k, srcId);
  rc = faktTxnGet(t, DB_TEXT, k, 4, &v);
  if( rc==FAKT_OK ){
    int bSame = v.n==n && (n==0 || memcmp(v.p, z, n)==0);
    char *zOld = malloc(v.n + 1);
    if( zOld==NULL ){ faktKvSetErr(t->s, "out of memory"); return FAKT_NOMEM; }
    memcpy(zOld, v.p, v.n);
    rc = bSame ? FAKT_OK : textDetach(t, srcId, zOld, v.n);
    if( rc==FAKT_OK ) rc = faktFtsDoc(t, srcId, zOld, v.n, 1);
    free(zOld);
    if( rc ) return rc;
  }else if( rc!=FAKT_NOTFOUND ){
    return rc;
  }
  rc = faktTxnReserve(t, DB_TEXT, k, 4, n, &pOut);
  if( rc ) return rc;
  if( n ) memcpy(pOut, z, n);
  return faktFtsDoc(t, srcId, z, n, 0);
}

int faktTextGet(StoreTxn *t, uint32_t srcId, const char **pz, size_t *pn){
  uint8_t k[4];
  KvVal v;
  int rc;
  if( t==NULL ) return FAKT_MISUSE;
  if( !t->bWrite && srcId!=0 && t->textSrc==srcId ){
    v = t->textVal;                       /* rows of one source come together */
  }else{
    faktEncU32(k, srcId);
    rc = faktTxnGet(t, DB_TEXT, k, 4, &v);
    if( rc ) return rc;
    /* only a read txn caches: a write may move or spill the pages */
    if( !t->bWrite ){ t->textSrc = srcId; t->textVal = v; }
  }
  *pz = (const char*)v.p;
  *pn = v.n;
  return FAKT_OK;
}

/* ================================================================ rules */

int faktRulePut(StoreTxn *t, uint32_t nameId, const char *z, size_t n){
  uint8_t k[4];
  faktEncU32(k, nameId);
  return faktTxnPut(t, DB_RULE, k, 4, z, n, 0);
}

int faktRuleHas(StoreTxn *t, uint32_t nameId){
  uint8_t k[4];
  KvVal v;
  faktEncU32(k, nameId);
  return faktTxnGet(t, DB_RULE, k, 4, &v)==FAKT_OK;
}

int faktRuleDel(StoreTxn *t, uint32_t nameId){
  uint8_t k[4];
  faktEncU32(k, nameId);
  return faktTxnDel(t, DB_RULE, k, 4);
}

/* The callback gets views into the map: it must not write in t. */
int faktRuleEach(StoreTxn *t, int (*x)(void*, uint32_t, const char*, size_t), void *pArg){
  StoreCursor *c;
  KvVal k, v;
  int rc = faktTxnCursor(t, DB_RULE, NULL, 0, &c);
  if( rc ) return rc;
  while( (rc = faktKvCursorStep(c, &k, &v))==FAKT_ROW ){
    if( k.n!=4 ){ faktKvSetErr(t->s, "rule key is damaged"); rc = FAKT_CORRUPT; break; }
    if( x(pArg, faktDecU32(k.p), (const char*)v.p, v.n) ){ rc = FAKT_DONE; break; }
  }
  faktCursorClose(c);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

/* ================================================================ statistics and the transaction log */

uint64_t faktStatGet(StoreTxn *t, int kind, uint32_t id){
  uint8_t k[5];
  KvVal v;
  if( t==NULL ) return 0;
  k[0] = (uint8_t)kind;
  faktEncU32(k+1, id);
  int64_t n = 0;
  if( faktTxnGet(t, DB_STAT, k, 5, &v)==FAKT_OK && v.n==8 ) n = (int64_t)faktDecU64(v.p);
  for(const StoreTxn *p=t; p; p=p->pParent) n += faktWbufStatGet(&p->stat, faktWbufStatKey(kind, id));
  return n>0 ? (uint64_t)n : 0;
}

int faktStoreLogTx(StoreTxn *t, const TxRec *pRec, uint32_t *pTx){
  uint8_t k[4], v[TXREC_LEN];
  uint32_t tx = 0;
  int rc = faktTxnWritable(t);
  if( rc ) return rc;
  rc = faktTxnMetaGet(t, "last_tx", &tx);
  if( rc==FAKT_NOTFOUND ){ tx = 0; rc = FAKT_OK; }
  if( rc ) return rc;
  if( tx>=STORE_TX_MAX ){
    /* a wrapped id would put new claims before every old one and hide them */
    faktKvSetErr(t->s, "transaction ids are exhausted: the last is %u, and ids never wrap;"
           " copy the claims into a new database with .export and .import", tx);
    return FAKT_FULL;
  }
  tx++;
  faktEncU32(k, tx);
  faktEncU64(v, (uint64_t)pRec->tMicros);
  faktEncU32(v+8, pRec->nAdded);
  faktEncU32(v+12, pRec->nRetracted);
  faktEncU32(v+16, pRec->nOther);
  rc = faktTxnPut(t, DB_TXLOG, k, 4, v, TXREC_LEN, 0);
  if( rc==FAKT_OK ) rc = faktTxnMetaPut(t, "last_tx", tx);
  if( rc==FAKT_OK && pTx ) *pTx = tx;
  return rc;
}

int faktStoreGetTx(StoreTxn *t, uint32_t tx, TxRec *pRec){
  uint8_t k[4];
  KvVal v;
  int rc;
  if( t==NULL ) return FAKT_MISUSE;
  faktEncU32(k, tx);
  rc = faktTxnGet(t, DB_TXLOG, k, 4, &v);
  if( rc ) return rc;
  if( v.n!=TXREC_LEN ){ faktKvSetErr(t->s, "txlog record %u is damaged", tx); return FAKT_CORRUPT; }
  pRec->tMicros = (int64_t)faktDecU64(v.p);
  pRec->nAdded = faktDecU32((const uint8_t*)v.p + 8);
  pRec->nRetracted = faktDecU32((const uint8_t*)v.p + 12);
  pRec->nOther = faktDecU32((const uint8_t*)v.p + 16);
  return FAKT_OK;
}

/* ================================================================ reading obj */

/*
** Finding the leaf page of an obj record outside liblmdb, to prefetch it
** (read transactions): faktPageIntLeaf (pagecheck.c, which owns LMDB's
** page layout) reads obj's branch pages. It is a hint only: every page it
** reads lies inside the file, a surprise in the layout turns it off for the
** transaction, and a wrong leaf costs time, never an answer.
*/
static void pfSetup(StoreTxn *t){
  KvVal v;
  uint64_t root, nPage;
  uint32_t psize;
  t->ePf = 2;
  if( faktKvMapInfo(t->s, &psize, &nPage, NULL) ) return;
  if( psize<512 || (psize & (psize-1)) ) return;
  if( faktKvMainGet(t->s, t->txn, faktKvDbName[DB_OBJ], &v) ) return;
  if( !faktPageDbRoot(v.p, v.n, &root) ) return;
  /* obj's MDB_db record lies in a page of the map, and every page starts
  ** with its own number: that gives the map's first byte */
  const uint8_t *pPage = (const uint8_t*)((uintptr_t)v.p & ~(uintptr_t)(psize-1));
  uint64_t pgno = faktPageNo(pPage);
  t->nPfPage = (size_t)nPage;
  if( pgno>=t->nPfPage || root>=t->nPfPage ) return;
  t->pPfMap = pPage - pgno*psize;
  t->szPfPage = psize;
  if( faktPageNo(t->pPfMap + root*psize)!=root ) return;
  t->pgPfRoot = (size_t)root;
  t->ePf = 1;
}

int faktObjWalkable(StoreTxn *t){
  if( t==NULL || t->bWrite ) return 0;
  if( t->ePf==0 ) pfSetup(t);
  return t->ePf==1;
}

const void *faktObjLeaf(StoreTxn *t, uint32_t id){
  if( !faktObjWalkable(t) ) return NULL;
  faktKvReadTick(t, READ_TICK_GET, t->pPfMap);
  return faktPageIntLeaf(t->pPfMap, t->nPfPage, t->szPfPage, t->pgPfRoot, id);
}

void faktObjPrefetch(StoreTxn *t, uint32_t id){
  const uint8_t *p = faktObjLeaf(t, id);
  if( p==NULL ) return;
  for(size_t o=0; o<t->szPfPage; o+=64) __builtin_prefetch(p + o);
}

int faktCursorOpen(StoreTxn *t, StoreIndex ix, const uint8_t *aPrefix, int nPrefix, StoreCursor **pp){
  if( (int)ix<IX_SPO || (int)ix>IX_OSP ){ *pp = NULL; return FAKT_MISUSE; }
  return faktTxnCursor(t, DB_SPO + (int)ix, aPrefix, nPrefix, pp);
}

/* ================================================================ side tables: typed scans */
/*
** The engine reads the side tables through these: it names no table and
** builds no key (store.h). Each Scan opens a prefix cursor of the
** transaction (faktCursorClose closes it); each Next decodes the next
** entry: FAKT_ROW, FAKT_DONE, or an error. An entry whose key or value has
** not the size of its table's is skipped (faktStoreCheck reports it).
*/

/* Whether c is a cursor of table iDb, handed out. */
static int scanOf(const StoreCursor *c, int iDb){
  return c!=NULL && c->bInUse && c->iDb==iDb;
}

int faktAliasScan(StoreTxn *t, const char *zFolded, size_t nFolded, StoreCursor **pp){
  uint8_t aKey[ALIAS_MAX+1];
  if( zFolded==NULL && nFolded>0 ){ *pp = NULL; return FAKT_MISUSE; }
  if( nFolded>ALIAS_MAX ) nFolded = ALIAS_MAX;   /* as faktRecAliasKey cuts it */
  if( nFolded ) memcpy(aKey, zFolded, nFolded);
  aKey[nFolded] = 0;
  return faktTxnCursor(t, DB_ALIAS, aKey, (int)nFolded + 1, pp);
}

/* The next key of scan c on table iDb that is nKey bytes long (others
** are skipped), and the id4 at byte iOff of it. FAKT_ROW, FAKT_DONE. */
static int scanNextId(StoreCursor *c, int iDb, size_t nKey, size_t iOff, uint32_t *pId){
  KvVal k, v;
  int rc;
  if( !scanOf(c, iDb) ) return FAKT_MISUSE;
  while( (rc = faktKvCursorStep(c, &k, &v))==FAKT_ROW ){
    if( k.n!=nKey ) continue;
    *pId = faktDecU32((const uint8_t*)k.p + iOff);
    return FAKT_ROW;
  }
  return rc;
}

int faktAliasNext(StoreCursor *c, uint32_t *pId){
  /* folded text + 0x00 + id4 */
  return scanNextId(c, DB_ALIAS, (size_t)c->nPrefix + 4, (size_t)c->nPrefix, pId);
}

int faktSourceClaimsScan(StoreTxn *t, uint32_t srcId, StoreCursor **pp){
  uint8_t aKey[4];
  faktEncU32(aKey, srcId);
  return faktTxnCursor(t, DB_SRCC, aKey, 4, pp);
}

int faktSourceClaimsNext(StoreCursor *c, uint32_t *pClaim){
  return scanNextId(c, DB_SRCC, 8, 4, pClaim);      /* source4 + claim4 */
}

int faktGeoScan(StoreTxn *t, int bAll, uint32_t iCell, StoreCursor **pp){
  uint8_t aKey[4];
  faktEncU32(aKey, iCell);
  return faktTxnCursor(t, DB_GEO, aKey, bAll ? 0 : 4, pp);
}

int faktGeoNext(StoreCursor *c, uint32_t *pId, double *pLat, double *pLon){
  KvVal k, v;
  int rc;
  if( !scanOf(c, DB_GEO) ) return FAKT_MISUSE;
  while( (rc = faktKvCursorStep(c, &k, &v))==FAKT_ROW ){
    if( k.n!=8 || v.n<16 ) continue;                /* cell4 + id4 -> lat8 lon8 */
    *pId = faktDecU32((const uint8_t*)k.p + 4);
    *pLat = faktCodecDecDouble(v.p);
    *pLon = faktCodecDecDouble((const uint8_t*)v.p + 8);
    return FAKT_ROW;
  }
  return rc;
}

int faktPropScan(StoreTxn *t, uint64_t prop, StoreCursor **pp){
  uint8_t aKey[8];
  faktEncU64(aKey, prop);
  return faktTxnCursor(t, DB_PROP, aKey, 8, pp);
}

int faktPropNext(StoreCursor *c, uint32_t *pClaim){
  return scanNextId(c, DB_PROP, 12, 8, pClaim);     /* prop8 + claim4 */
}

int faktObjScan(StoreTxn *t, StoreCursor **pp){
  return faktTxnCursor(t, DB_OBJ, NULL, 0, pp);
}

int faktObjNext(StoreCursor *c, uint32_t *pId, int *pKind){
  KvVal k, v;
  int rc;
  if( !scanOf(c, DB_OBJ) ) return FAKT_MISUSE;
  while( (rc = faktKvCursorStep(c, &k, &v))==FAKT_ROW ){
    if( k.n!=4 || v.n<1 ) continue;                 /* id4 -> kind1 ... */
    *pId = faktCodecIdGet(k.p);
    *pKind = ((const uint8_t*)v.p)[0];
    return FAKT_ROW;
  }
  return rc;
}

int faktRuleGet(StoreTxn *t, uint32_t nameId, const char **pz, size_t *pn){
  uint8_t k[4];
  KvVal v;
  int rc;
  if( t==NULL ) return FAKT_MISUSE;
  faktEncU32(k, nameId);
  rc = faktTxnGet(t, DB_RULE, k, 4, &v);
  if( rc ) return rc;
  *pz = (const char*)v.p;
  *pn = v.n;
  return FAKT_OK;
}
