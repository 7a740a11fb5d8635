/*
** check.c -- the integrity check (.check, faktStoreCheck): first the page
** walk of pagecheck.c, then every table against the others in one read
** transaction: spo/pos/osp agree, records match their entries, ids
** exist, statistics equal a recount, the dictionary's two directions
** agree, and every word has its posting. It changes nothing. It calls
** codec.c, kv.c, txn.c, dict.c, records.c, fts.c and pagecheck.c.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "storeInt.h"
#include "base.h"

typedef struct Report {
  char *z;           /* text (malloc'd) */
  size_t n, nAlloc;  /* bytes used, allocated */
  int nProb;         /* problems found */
  int bOom;          /* an allocation failed */
} Report;

#define REPORT_MAX 200   /* problems listed; the rest are only counted */

static void problem(Report *r, const char *zFmt, ...){
  va_list ap;
  int n;
  r->nProb++;
  if( r->bOom || r->nProb>REPORT_MAX ) return;
  for(;;){
    size_t nAvail = r->nAlloc - r->n;
    if( r->z && nAvail>1 ){
      va_start(ap, zFmt);
      n = vsnprintf(r->z + r->n, nAvail - 1, zFmt, ap);
      va_end(ap);
      if( n>=0 && (size_t)n<nAvail-1 ){
        r->n += (size_t)n;
        r->z[r->n++] = '\n';
        r->z[r->n] = 0;
        return;
      }
    }
    {
      size_t nNew = r->nAlloc ? r->nAlloc*2 : 1024;
      char *zNew = realloc(r->z, nNew);
      if( zNew==NULL ){ r->bOom = 1; return; }
      r->z = zNew;
      r->nAlloc = nNew;
    }
  }
}

/* Expected stat keys of live claims, kind<<32|id. */
typedef struct StatList { uint64_t *a; size_t n, nAlloc; } StatList;

static int statPush(StatList *p, int kind, uint32_t id){
  if( p->n==p->nAlloc ){
    size_t nNew = p->nAlloc ? p->nAlloc*2 : 1024;
    uint64_t *aNew = realloc(p->a, nNew*sizeof(uint64_t));
    if( aNew==NULL ) return FAKT_NOMEM;
    p->a = aNew;
    p->nAlloc = nNew;
  }
  p->a[p->n++] = ((uint64_t)(uint8_t)kind<<32) | id;
  return FAKT_OK;
}

static int hasKey(StoreTxn *t, int iDb, const void *pK, size_t nK, KvVal *pV){
  KvVal v;
  return faktTxnGet(t, iDb, pK, nK, pV ? pV : &v)==FAKT_OK;
}

static int hasObj(StoreTxn *t, uint32_t id){
  uint8_t k[4];
  faktCodecIdKey(k, id);
  return hasKey(t, DB_OBJ, k, 4, NULL);
}
static int hasStr(StoreTxn *t, uint32_t id){
  return faktDictText(t, id, NULL, NULL, NULL)==FAKT_OK;
}

/* An id a record refers to must name an object. */
static void needObj(StoreTxn *t, Report *r, uint32_t owner, const char *zField, uint32_t id){
  if( id==0 ) return;
  if( !hasObj(t, id) ) problem(r, "object %u: %s %u is not an object", owner, zField, id);
  if( !(id & FAKT_GEN_BIT) && !hasStr(t, id) ) problem(r, "object %u: %s %u has no name in i2s", owner, zField, id);
}
static void needStr(StoreTxn *t, Report *r, uint32_t owner, const char *zField, uint32_t id){
  if( id && !hasStr(t, id) ) problem(r, "object %u: %s %u is not in the dictionary", owner, zField, id);
}

/* The three index entries of one claim agree with its record. */
static void checkClaim(StoreTxn *t, Report *r, uint32_t id, const ClaimRec *c, uint32_t lastTx, StatList *pStat){
  uint8_t aK[3][KEY_IX], k[12];
  uint32_t oid, vAdd, vRet;
  KvVal v;
  int i;
  faktCodecIxKeys(c->s, c->p, c->o, id, aK);
  for(i=0; i<3; i++){
    if( !hasKey(t, DB_SPO+i, aK[i], KEY_IX, &v) ){
      problem(r, "claim %u: no %s entry", id, faktKvDbName[DB_SPO+i]);
    }else if( !faktCodecVisDecode(v.p, v.n, &vAdd, &vRet) || vAdd!=c->txAdd || vRet!=c->txRet ){
      problem(r, "claim %u: %s visibility differs from the record", id, faktKvDbName[DB_SPO+i]);
    }
  }
  if( c->txAdd>lastTx || c->txRet>lastTx ){
    problem(r, "claim %u: transaction %u/%u after last_tx %u", id, c->txAdd, c->txRet, lastTx);
  }
  if( c->o[0]>T_ID ) problem(r, "claim %u: object of unknown type %u", id, c->o[0]);
  needObj(t, r, id, "subject", c->s);
  needObj(t, r, id, "predicate", c->p);
  if( c->o[0]==T_ID ) needObj(t, r, id, "object", (uint32_t)faktDecU64(c->o+1));
  if( c->o[0]==T_STR ) needStr(t, r, id, "object string", (uint32_t)faktDecU64(c->o+1));
  needStr(t, r, id, "unit", c->unit);
  if( c->quote ){
    const char *zQ;
    int nQ;
    if( faktClaimQuote(t, c, &zQ, &nQ) ){
      problem(r, "claim %u: its quote's span %u-%u is not in the stored text of source %u",
              id, c->spanStart, c->spanEnd, c->source);
    }else if( !faktUtf8Valid(zQ, (size_t)nQ, NULL) ){
      problem(r, "claim %u: quote is not UTF-8", id);
    }
  }
  needObj(t, r, id, "source", c->source);
  needObj(t, r, id, "speaker", c->by);
  needObj(t, r, id, "stance", c->stance);
  for(i=0; i<(int)c->nVia; i++) needObj(t, r, id, "via", c->aVia[i]);
  if( c->source ){
    faktEncU32(k, c->source); faktEncU32(k+4, id);
    if( !hasKey(t, DB_SRCC, k, 8, NULL) ) problem(r, "claim %u: no srcc entry", id);
  }
  uint64_t prop;
  if( faktClaimProp(t, c, &prop)!=FAKT_OK ){
    problem(r, "claim %u: its proposition cannot be computed (a name is missing)", id);
  }else{
    faktEncU64(k, prop); faktEncU32(k+8, id);
    if( !hasKey(t, DB_PROP, k, 12, NULL) ) problem(r, "claim %u: no prop entry", id);
  }
  if( c->txRet==0 ){
    int bOk = statPush(pStat, 'S', c->s)==FAKT_OK && statPush(pStat, 'P', c->p)==FAKT_OK
           && statPush(pStat, 'T', 0)==FAKT_OK;
    if( bOk && faktCodecStatId(c->o, &oid) ) bOk = statPush(pStat, 'O', oid)==FAKT_OK;
    if( !bOk ) r->bOom = 1;
  }
  if( c->quote && !(id & FAKT_GEN_BIT) && statPush(pStat, 'N', 0)!=FAKT_OK ) r->bOom = 1;
}

static void checkEnt(StoreTxn *t, Report *r, uint32_t id, const EntRec *e){
  uint8_t a[ALIAS_MAX+5], g[8];
  size_t n;
  uint32_t i;
  KvVal v;
  if( e->kind<K_ENTITY || e->kind>K_STANCE ) problem(r, "object %u: unknown kind %u", id, e->kind);
  if( e->objType>PT_CLAIM ) problem(r, "object %u: unknown object type %u", id, e->objType);
  needObj(t, r, id, "type", e->type);
  needObj(t, r, id, "outlet", e->outlet);
  for(i=0; i<=e->nAlias; i++){
    uint32_t strId = i==0 ? e->label : e->aAlias[i-1];
    if( strId==0 ) continue;
    if( !hasStr(t, strId) ){
      problem(r, "object %u: label or alias %u is not in the dictionary", id, strId);
      continue;
    }
    if( faktRecAliasKey(t, strId, id, a, &n)==FAKT_OK && n>0 && !hasKey(t, DB_ALIAS, a, n, NULL) ){
      problem(r, "object %u: no alias entry for string %u", id, strId);
    }
  }
  if( e->bCoords ){
    faktCodecGeoKey(g, e->lat, e->lon, id);
    if( !hasKey(t, DB_GEO, g, 8, &v) ){
      problem(r, "object %u: no geo entry", id);
    }else if( v.n!=16 || faktCodecDecDouble(v.p)!=e->lat || faktCodecDecDouble((const uint8_t*)v.p+8)!=e->lon ){
      problem(r, "object %u: geo entry differs from the record", id);
    }
  }
}

/* Every entry of index iDb has its counterpart in spo (and the same Vis). */
static int checkIndexBack(StoreTxn *t, Report *r, int iDb){
  StoreCursor *c;
  KvVal k, v, v2;
  int rc = faktTxnCursor(t, iDb, NULL, 0, &c);
  if( rc ) return rc;
  while( (rc = faktKvCursorStep(c, &k, &v))==FAKT_ROW ){
    const uint8_t *a = k.p;
    uint8_t s[KEY_IX];
    uint32_t vAdd, vRet;
    if( k.n!=KEY_IX || !faktCodecVisDecode(v.p, v.n, &vAdd, &vRet) ){
      problem(r, "%s: entry of bad size", faktKvDbName[iDb]);
      continue;
    }
    if( iDb==DB_POS ){
      memcpy(s, a+13, 4); memcpy(s+4, a, 4); memcpy(s+8, a+4, ENC_LEN);
    }else{
      memcpy(s, a+9, 4); memcpy(s+4, a+13, 4); memcpy(s+8, a, ENC_LEN);
    }
    memcpy(s+17, a+17, 4);
    if( !hasKey(t, DB_SPO, s, KEY_IX, &v2) ){
      problem(r, "%s entry of claim %u has no spo entry", faktKvDbName[iDb], faktDecU32(a+17));
    }else if( v2.n!=v.n || memcmp(v2.p, v.p, v.n)!=0 ){
      problem(r, "%s entry of claim %u: visibility differs from spo", faktKvDbName[iDb], faktDecU32(a+17));
    }
  }
  faktCursorClose(c);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

/* spo entries: counterparts in pos and osp, and a claim record that matches. */
static int checkSpo(StoreTxn *t, Report *r){
  StoreCursor *c;
  KvVal k, v, v2;
  int rc = faktTxnCursor(t, DB_SPO, NULL, 0, &c);
  if( rc ) return rc;
  while( (rc = faktKvCursorStep(c, &k, &v))==FAKT_ROW ){
    const uint8_t *a = k.p;
    uint8_t aK[3][KEY_IX];
    ClaimRec cr;
    uint32_t id;
    int i;
    uint32_t vAdd, vRet;
    if( k.n!=KEY_IX || !faktCodecVisDecode(v.p, v.n, &vAdd, &vRet) ){
      problem(r, "spo: entry of bad size");
      continue;
    }
    id = faktDecU32(a+17);
    faktCodecIxKeys(faktDecU32(a), faktDecU32(a+4), a+8, id, aK);
    for(i=1; i<3; i++){
      if( !hasKey(t, DB_SPO+i, aK[i], KEY_IX, &v2) ){
        problem(r, "spo entry of claim %u has no %s entry", id, faktKvDbName[DB_SPO+i]);
      }else if( v2.n!=v.n || memcmp(v2.p, v.p, v.n)!=0 ){
        problem(r, "spo entry of claim %u: visibility differs in %s", id, faktKvDbName[DB_SPO+i]);
      }
    }
    if( faktClaimGet(t, id, &cr)!=FAKT_OK ){
      problem(r, "spo entry of claim %u: no claim record", id);
    }else if( cr.s!=faktDecU32(a) || cr.p!=faktDecU32(a+4) || memcmp(cr.o, a+8, ENC_LEN)!=0 ){
      problem(r, "spo entry of claim %u differs from its record", id);
    }
  }
  faktCursorClose(c);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

/* obj: records decode, match their indexes, refer to existing ids. */
static int checkObjects(StoreTxn *t, Report *r, uint32_t lastTx, uint32_t nextId, uint32_t nextGen, StatList *pStat){
  StoreCursor *c;
  KvVal k, v;
  int rc = faktTxnCursor(t, DB_OBJ, NULL, 0, &c);
  if( rc ) return rc;
  while( (rc = faktKvCursorStep(c, &k, &v))==FAKT_ROW ){
    uint32_t id;
    if( k.n!=4 || v.n<1 ){ problem(r, "obj: entry of bad size"); continue; }
    id = faktCodecIdGet(k.p);
    if( id & FAKT_GEN_BIT ){
      /* a generated claim _cN: named by its id, not in the dictionary */
      if( id==FAKT_GEN_BIT || (id & ~FAKT_GEN_BIT)>=nextGen ){
        problem(r, "object %u: generated claim _c%u not below next_gen %u", id, id & ~FAKT_GEN_BIT, nextGen);
      }
      if( ((const uint8_t*)v.p)[0]!=K_CLAIM ) problem(r, "object %u: a generated claim id on something else", id);
    }else{
      if( id>=nextId ) problem(r, "object %u: id not below next_id %u", id, nextId);
      if( !hasStr(t, id) ) problem(r, "object %u has no name in i2s", id);
    }
    if( ((const uint8_t*)v.p)[0]==K_CLAIM ){
      ClaimRec cr;
      if( faktCodecClaimDecode(v.p, v.n, &cr) ){ problem(r, "claim %u: record is damaged", id); continue; }
      checkClaim(t, r, id, &cr, lastTx, pStat);
    }else{
      EntRec e;
      if( faktCodecEntDecode(v.p, v.n, &e) ){ problem(r, "object %u: record is damaged", id); continue; }
      checkEnt(t, r, id, &e);
    }
  }
  faktCursorClose(c);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

/* Stored counts equal the recount (both sorted by kind, id). */
static int checkStats(StoreTxn *t, Report *r, StatList *p){
  StoreCursor *c;
  KvVal k, v;
  size_t i = 0;
  int rc;
  if( p->n ) qsort(p->a, p->n, sizeof(uint64_t), faktCodecCmpU64);
  rc = faktTxnCursor(t, DB_STAT, NULL, 0, &c);
  if( rc ) return rc;
  for(;;){
    uint64_t key = UINT64_MAX, nWant = 0, nHave = 0;
    rc = faktKvCursorStep(c, &k, &v);
    if( rc!=FAKT_ROW && rc!=FAKT_DONE ) break;
    if( rc==FAKT_ROW ){
      if( k.n!=5 || v.n!=8 ){ problem(r, "stat: entry of bad size"); continue; }
      key = ((uint64_t)((const uint8_t*)k.p)[0]<<32) | faktDecU32((const uint8_t*)k.p+1);
      nHave = faktDecU64(v.p);
    }
    /* expected keys below key: stored count missing */
    while( i<p->n && p->a[i]<key ){
      uint64_t x = p->a[i];
      size_t j = i;
      while( j<p->n && p->a[j]==x ) j++;
      problem(r, "stat %c%u: missing (recount %zu)", (int)(x>>32), (uint32_t)x, j-i);
      i = j;
    }
    if( rc==FAKT_DONE ){ rc = FAKT_OK; break; }
    while( i<p->n && p->a[i]==key ){ nWant++; i++; }
    if( nWant!=nHave ){
      problem(r, "stat %c%u: stored %llu, recount %llu", (int)(key>>32), (uint32_t)key,
              (unsigned long long)nHave, (unsigned long long)nWant);
    }
  }
  faktCursorClose(c);
  return rc;
}

/* A dictionary string: not a generated claim's name, and found by its s2i entry. */
static void checkStrText(StoreTxn *t, Report *r, uint32_t id, int ns, const char *z, size_t n){
  uint8_t sk[S2I_KEYMAX], ida[4];
  KvVal kk, vv;
  StoreCursor *c;
  if( ns==NS_NAME && faktGenParse(z, (int)n, &(uint32_t){0}) ){
    problem(r, "string %u: the generated claim name %.*s is in the dictionary", id, (int)n, z);
  }
  kk.n = faktCodecS2iKey(sk, ns, z, n);
  faktEncU32(ida, id);
  if( faktTxnCursor(t, DB_S2I, NULL, 0, &c)==FAKT_OK ){
    kk.p = sk;
    vv.p = ida; vv.n = 4;
    if( faktKvCursorGet(t->s, c->mc, &kk, &vv, KV_GET_BOTH, "s2i")!=FAKT_OK ){
      problem(r, "string %u has no s2i entry", id);
    }
    faktCursorClose(c);
  }
}

/*
** One i2s record under key (see faktDictText): a block whose ends are in
** order, whose ids are below nextId and follow *pIdStr without a gap, and
** whose texts check out; or an out-of-line text its block points to.
*/
static void checkI2s(StoreTxn *t, Report *r, uint32_t key, const uint8_t *a, size_t n,
                     uint32_t nextId, uint32_t *pIdStr){
  const uint8_t *e;
  size_t nE, nHdr, iEnd = 0;
  unsigned i;
  const char *z;
  int ns, nz;
  if( key & I2S_LONG ){
    uint32_t id = key & ~I2S_LONG;
    uint8_t k[4];
    KvVal v;
    faktCodecIdKey(k, id >> I2S_SHIFT);
    if( n<1 + I2S_INLINE + 1 || id>=FAKT_GEN_BIT ){
      problem(r, "string %u: malformed out-of-line text", id);
    }else if( faktTxnGet(t, DB_I2S, k, 4, &v)!=FAKT_OK
           || faktCodecI2sEntry(v.p, v.n, id & (I2S_SLOTS-1), &e, &nE)!=FAKT_OK
           || nE!=1 || e[0]!=(a[0] | 0x80) ){
      problem(r, "string %u: out-of-line text its block does not point to", id);
    }
    return;                        /* its text is checked with its block */
  }
  if( key > (FAKT_GEN_BIT-1) >> I2S_SHIFT || faktCodecI2sEntry(a, n, 0, &e, &nE)!=FAKT_OK ){
    problem(r, "i2s block %u: malformed", key);
    return;
  }
  nHdr = 1 + 2*(size_t)a[0];
  for(i=0; i<a[0]; i++){
    uint32_t id = (key << I2S_SHIFT) + i;
    size_t iNext = (size_t)a[1+2*i]<<8 | a[2+2*i];
    if( iNext<iEnd || iNext>n-nHdr ){
      problem(r, "i2s block %u: malformed", key);
      return;
    }
    e = a + nHdr + iEnd;
    nE = iNext - iEnd;
    iEnd = iNext;
    if( nE==0 ) continue;
    if( id>=nextId ) problem(r, "string %u: id not below next_id %u", id, nextId);
    if( id!=*pIdStr+1 ){
      if( id<=*pIdStr ) problem(r, "string %u: out of order", id);
      else problem(r, "strings %u to %u have no text (next_id %u)", *pIdStr+1, id-1, nextId);
    }
    *pIdStr = id;
    if( (e[0] & 0x80) && nE!=1 ){ problem(r, "string %u: malformed entry", id); continue; }
    if( faktDictBlockText(t, a, n, id, &ns, &z, &nz)!=FAKT_OK ){
      problem(r, "string %u: its out-of-line text is missing or damaged", id);
      continue;
    }
    checkStrText(t, r, id, ns, z, (size_t)nz);
  }
  if( iEnd!=n-nHdr ) problem(r, "i2s block %u: malformed", key);
}

/* alias, geo, srcc, prop, txlog, s2i and i2s entries point to real things. */
static int checkAux(StoreTxn *t, Report *r, uint32_t lastTx, uint32_t nextId){
  static const int aiDb[] = { DB_ALIAS, DB_GEO, DB_SRCC, DB_PROP, DB_TXLOG, DB_S2I, DB_I2S };
  size_t j;
  uint32_t idStr = 0;              /* the last string id of i2s seen */
  uint32_t txNext = 1;             /* the txlog record expected next */
  int rc = FAKT_OK;
  for(j=0; rc==FAKT_OK && j<sizeof(aiDb)/sizeof(aiDb[0]); j++){
    int iDb = aiDb[j];
    StoreCursor *c;
    KvVal k, v;
    rc = faktTxnCursor(t, iDb, NULL, 0, &c);
    if( rc ) break;
    while( (rc = faktKvCursorStep(c, &k, &v))==FAKT_ROW ){
      const uint8_t *a = k.p;
      size_t n = k.n;
      uint32_t id;
      EntRec e;
      ClaimRec cr;
      switch( iDb ){
        case DB_ALIAS:
          if( n<6 || a[n-5]!=0 ){ problem(r, "%s: malformed key", faktKvDbName[iDb]); break; }
          id = faktDecU32(a+n-4);
          if( faktEntGet(t, id, &e)!=FAKT_OK ) problem(r, "alias entry for %u: no such entity", id);
          break;
        case DB_GEO:
          if( n!=8 ){ problem(r, "geo: malformed key"); break; }
          id = faktDecU32(a+4);
          if( faktEntGet(t, id, &e)!=FAKT_OK || !e.bCoords ){
            problem(r, "geo entry for %u: no such place", id);
          }else if( faktGeoCell(e.lat, e.lon)!=faktDecU32(a) ){
            problem(r, "geo entry for %u: stale cell", id);
          }
          break;
        case DB_SRCC:
          if( n!=8 ){ problem(r, "srcc: malformed key"); break; }
          id = faktDecU32(a+4);
          if( faktClaimGet(t, id, &cr)!=FAKT_OK || cr.source!=faktDecU32(a) ){
            problem(r, "srcc entry %u/%u: no such claim of that source", faktDecU32(a), id);
          }
          break;
        case DB_PROP:
          if( n!=12 ){ problem(r, "prop: malformed key"); break; }
          id = faktDecU32(a+8);
          uint64_t propC = 0;
          if( faktClaimGet(t, id, &cr)!=FAKT_OK || faktClaimProp(t, &cr, &propC)!=FAKT_OK
           || propC!=faktDecU64(a) ){
            problem(r, "prop entry of %u: no such claim with that proposition", id);
          }
          break;
        case DB_TXLOG:
          if( n!=4 ){ problem(r, "txlog: malformed key"); break; }
          id = faktDecU32(a);
          if( id>lastTx ){ problem(r, "txlog entry %u beyond last_tx %u", id, lastTx); break; }
          if( v.n!=TXREC_LEN ){
            problem(r, "txlog record %u is damaged (%zu bytes, not %d)", id, v.n, TXREC_LEN);
          }
          if( id>txNext ) problem(r, "txlog: transactions %u to %u are missing", txNext, id-1);
          if( id>=txNext ) txNext = id+1;
          break;
        case DB_S2I: {
          int ns, nz;
          const char *z;
          uint8_t sk[S2I_KEYMAX];
          if( n<1 || v.n!=4 || ((a[0] & 0x80) ? n!=9 : n>S2I_KEYMAX) ){
            problem(r, "s2i: malformed entry");
            break;
          }
          id = faktDecU32(v.p);
          if( faktDictText(t, id, &ns, &z, &nz)!=FAKT_OK ){
            problem(r, "s2i entry points to %u, which is not in i2s", id);
          }else if( faktCodecS2iKey(sk, ns, z, (size_t)nz)!=n || memcmp(sk, a, n)!=0 ){
            problem(r, "s2i entry for %u does not match its text", id);
          }
          break;
        }
        case DB_I2S:
          if( n!=4 ){ problem(r, "i2s: malformed key"); break; }
          checkI2s(t, r, faktCodecIdGet(a), v.p, v.n, nextId, &idStr);
          break;
      }
    }
    faktCursorClose(c);
    if( rc==FAKT_DONE ) rc = FAKT_OK;
  }
  /* every commit from 1 to last_tx logged its record (faktStoreLogTx) */
  if( rc==FAKT_OK && txNext<=lastTx && lastTx<=STORE_TX_MAX ){
    problem(r, "txlog: transactions %u to %u are missing (last_tx %u)", txNext, lastTx, lastTx);
  }
  if( rc==FAKT_OK && idStr+1<nextId ){
    problem(r, "strings %u to %u have no text (next_id %u)", idStr+1, nextId-1, nextId);
  }
  return rc;
}

/*
** The page walk of pagecheck.c over the file, while the caller's read
** transaction keeps its snapshot: damage becomes a problem of the report.
** A file that kept changing under another writer is not judged.
*/
static int checkPages(FaktStore *s, Report *r){
  const char *zPath = NULL;
  char zWhy[256];
  char zFd[64];
  int rc = faktKvPath(s, "check", zFd, sizeof(zFd), &zPath);
  if( rc ) return rc;
  rc = faktPageCheck(zPath, zWhy, sizeof(zWhy));
  if( rc==FAKT_CORRUPT ){ problem(r, "%s", zWhy); return FAKT_OK; }
  if( rc==FAKT_BUSY ) return FAKT_OK;
  if( rc ) faktKvSetErr(s, "cannot check database %s: %s", zPath, zWhy);
  return rc;
}

/* Checking that the words of one doc have their postings. */
typedef struct FtsCheck {
  StoreTxn *t;               /* read txn of the check */
  Report *r;                 /* where problems go */
  uint32_t doc;              /* claim or source id */
  const char *zWhat;         /* "claim" or "source" */
  int bMissing;              /* a word without its posting was reported */
} FtsCheck;

/* Tokenizer callback: the posting (word, doc) exists. Reports the first
** missing word of a doc; a non-zero return is an error that stops the check. */
static int ftsCheckWord(void *pArg, const char *zTok, size_t nTok, size_t iOff){
  FtsCheck *p = (FtsCheck*)pArg;
  FtsCursor *c;
  uint32_t d = 0;
  int rc;
  (void)iOff;
  if( p->bMissing || nTok==0 ) return 0;
  rc = faktFtsOpen(p->t, zTok, (int)nTok, &c);
  if( rc ) return rc;
  rc = faktFtsSeek(c, p->doc, &d);
  faktFtsClose(c);
  if( rc==FAKT_ROW && d==p->doc ) return 0;
  if( rc!=FAKT_ROW && rc!=FAKT_DONE && rc!=FAKT_CORRUPT ) return rc;
  problem(p->r, "%s %u: no fts posting for \"%.*s\"", p->zWhat, p->doc, (int)nTok, zTok);
  p->bMissing = 1;
  return 0;
}

/*
** fts: every block decodes (key token + 0x00 + doc4, varints in bounds,
** ascending, at most FTS_BLOCK_DOCS), starts after the previous block of
** its token ends, and names existing objects; every claim's quote and
** every source's text has the postings of all its words.
*/
static int checkFts(StoreTxn *t, Report *r){
  StoreCursor *c;
  KvVal k, v;
  uint8_t aPrev[ALIAS_MAX];  /* token of the previous block */
  size_t nPrev = 0;
  uint32_t prevLast = 0, aDoc[FTS_BLOCK_DOCS];
  int bPrev = 0, rc, j;
  rc = faktTxnCursor(t, DB_FTS, NULL, 0, &c);
  if( rc ) return rc;
  while( (rc = faktKvCursorStep(c, &k, &v))==FAKT_ROW ){
    const uint8_t *a = k.p;
    size_t nTok = k.n - 5;
    uint32_t first;
    int nDoc, i;
    if( k.n<6 || k.n-5>ALIAS_MAX || a[nTok]!=0 || memchr(a, 0, nTok)!=NULL ){
      problem(r, "fts: malformed key");
      bPrev = 0;
      continue;
    }
    first = faktDecU32(a + nTok + 1);
    if( faktCodecFtsDecode(first, v.p, v.n, aDoc, &nDoc) ){
      problem(r, "fts block of \"%.*s\" at %u: damaged (%zu bytes)", (int)nTok, (const char*)a, first, v.n);
      bPrev = 0;
      continue;
    }
    if( bPrev && nPrev==nTok && memcmp(aPrev, a, nTok)==0 && first<=prevLast ){
      problem(r, "fts block of \"%.*s\" at %u overlaps the one before (up to %u)",
              (int)nTok, (const char*)a, first, prevLast);
    }
    for(i=0; i<nDoc; i++){
      if( !hasObj(t, aDoc[i]) ){
        problem(r, "fts posting of \"%.*s\" for %u: no such claim or source", (int)nTok, (const char*)a, aDoc[i]);
      }
    }
    memcpy(aPrev, a, nTok);
    nPrev = nTok;
    prevLast = aDoc[nDoc-1];
    bPrev = 1;
  }
  faktCursorClose(c);
  if( rc!=FAKT_DONE ) return rc;
  rc = FAKT_OK;
  /* the other way: the words of quotes (obj) and texts (text) */
  for(j=0; j<2 && rc==FAKT_OK; j++){
    int iDb = j==0 ? DB_OBJ : DB_TEXT;
    rc = faktTxnCursor(t, iDb, NULL, 0, &c);
    if( rc ) return rc;
    while( (rc = faktKvCursorStep(c, &k, &v))==FAKT_ROW ){
      FtsCheck chk;
      ClaimRec cr;
      const char *z;
      size_t n;
      if( k.n!=4 ) continue;            /* reported by the other checks */
      memset(&chk, 0, sizeof(chk));
      chk.t = t; chk.r = r;
      chk.doc = iDb==DB_OBJ ? faktCodecIdGet(k.p) : faktDecU32(k.p);
      if( iDb==DB_OBJ ){
        if( v.n<1 || ((const uint8_t*)v.p)[0]!=K_CLAIM ) continue;
        int nQ;
        if( faktCodecClaimDecode(v.p, v.n, &cr) || cr.quote==0 ) continue;
        if( faktClaimQuote(t, &cr, &z, &nQ) ) continue;   /* reported by the claim checks */
        chk.zWhat = "claim"; n = (size_t)nQ;
      }else{
        chk.zWhat = "source"; z = v.p; n = v.n;
      }
      rc = faktTokenize(z, n, ftsCheckWord, &chk);
      if( rc ) break;
    }
    faktCursorClose(c);
    if( rc==FAKT_DONE ) rc = FAKT_OK;
  }
  return rc;
}

int faktStoreCheck(FaktStore *s, char **pzReport){
  StoreTxn *t = NULL;
  Report r;
  StatList st;
  uint32_t lastTx = 0, nextId = 0, nextGen = 0;
  char zWarn[200];             /* a warning that is not damage, or "" */
  int rc;
  memset(&r, 0, sizeof(r));
  memset(&st, 0, sizeof(st));
  zWarn[0] = 0;
  if( pzReport ) *pzReport = NULL;
  if( s==NULL ) return FAKT_MISUSE;
  rc = faktStoreBegin(s, 0, &t);
  if( rc ) return rc;
  rc = checkPages(s, &r);
  if( rc || r.nProb ){
    /* pages LMDB must not follow: stop before any lookup */
    faktStoreAbort(t);
    goto report;
  }
  rc = faktTxnMetaCheck(s, t);
  if( rc ){ problem(&r, "%s", s->zErr); rc = FAKT_OK; }
  if( faktTxnMetaGet(t, "last_tx", &lastTx) ){
    problem(&r, "meta: last_tx missing");
  }else if( lastTx>STORE_TX_MAX ){
    problem(&r, "meta: last_tx %u is past the last transaction id %u (damaged or wrapped)",
            lastTx, STORE_TX_MAX);
  }else if( STORE_TX_MAX-lastTx<STORE_TX_WARN ){
    snprintf(zWarn, sizeof(zWarn), "warning: last_tx is %u: only %u transaction ids are left;"
             " commits are refused after %u", lastTx, STORE_TX_MAX-lastTx, STORE_TX_MAX);
  }
  if( faktTxnMetaGet(t, "next_id", &nextId) ) problem(&r, "meta: next_id missing");
  if( faktTxnMetaGet(t, "next_gen", &nextGen) || nextGen==0 || nextGen>FAKT_GEN_BIT ){
    problem(&r, "meta: next_gen missing or damaged");
    nextGen = FAKT_GEN_BIT;
  }
  if( rc==FAKT_OK ) rc = checkSpo(t, &r);
  if( rc==FAKT_OK ) rc = checkIndexBack(t, &r, DB_POS);
  if( rc==FAKT_OK ) rc = checkIndexBack(t, &r, DB_OSP);
  if( rc==FAKT_OK ) rc = checkObjects(t, &r, lastTx, nextId, nextGen, &st);
  if( rc==FAKT_OK && !r.bOom ) rc = checkStats(t, &r, &st);
  if( rc==FAKT_OK ) rc = checkAux(t, &r, lastTx, nextId);
  if( rc==FAKT_OK ) rc = checkFts(t, &r);
  faktStoreAbort(t);
report:
  free(st.a);
  if( rc==FAKT_OK && r.bOom ){ faktKvSetErr(s, "out of memory"); rc = FAKT_NOMEM; }
  if( rc ){ free(r.z); return rc; }
  if( r.nProb>REPORT_MAX ){
    int nAll = r.nProb;
    r.nProb = 0;
    problem(&r, "... %d problems in all", nAll);
    r.nProb = nAll;
  }
  if( r.nProb==0 ){
    /* "ok", then any warning on a line of its own */
    if( pzReport ){
      size_t nW = strlen(zWarn);
      *pzReport = malloc(4 + nW);
      if( *pzReport==NULL ){ free(r.z); return FAKT_NOMEM; }
      memcpy(*pzReport, "ok\n", 3);
      memcpy(*pzReport + (nW ? 3 : 2), zWarn, nW + 1);
    }
    free(r.z);
    return FAKT_OK;
  }
  if( zWarn[0] ){
    int nProb = r.nProb;
    r.nProb = 0;                 /* listed, not counted */
    problem(&r, "%s", zWarn);
    r.nProb = nProb;
  }
  if( r.n && r.z[r.n-1]=='\n' ) r.z[--r.n] = 0;
  if( pzReport ) *pzReport = r.z; else free(r.z);
  faktKvSetErr(s, "database is corrupt: %d problem%s", r.nProb, r.nProb==1 ? "" : "s");
  return FAKT_CORRUPT;
}
