/*
** codec.c -- fakt's encodings: big-endian integers, LEB128 varints, the
** layouts of the store's records (entities, claims, index values) and
** keys (spo/pos/osp, geo, s2i, i2s blocks, fts blocks), and the hashes.
** Pure functions of their arguments: it calls nothing but libc (the
** layouts are described in storeInt.h and store.h).
*/
#include <assert.h>
#include <string.h>
#include "storeInt.h"
#include "base.h"

/* ================================================================ integers */

/* obj and i2s keys: the id as a native unsigned int (MDB_INTEGERKEY), which
** LMDB compares as a number instead of calling memcmp (format 3). */
void faktCodecIdKey(uint8_t *k, uint32_t id){
  unsigned int u = id;
  _Static_assert(sizeof(unsigned int)==4, "MDB_INTEGERKEY keys are 4 bytes");
  memcpy(k, &u, 4);
}

uint32_t faktCodecIdGet(const void *p){
  unsigned int u;
  memcpy(&u, p, 4);
  return u;
}

void faktEncU32(uint8_t *p, uint32_t v){
  p[0] = (uint8_t)(v>>24); p[1] = (uint8_t)(v>>16); p[2] = (uint8_t)(v>>8); p[3] = (uint8_t)v;
}
uint32_t faktDecU32(const uint8_t *p){
  return ((uint32_t)p[0]<<24) | ((uint32_t)p[1]<<16) | ((uint32_t)p[2]<<8) | p[3];
}
void faktEncU64(uint8_t *p, uint64_t v){
  faktEncU32(p, (uint32_t)(v>>32));
  faktEncU32(p+4, (uint32_t)v);
}
uint64_t faktDecU64(const uint8_t *p){
  return ((uint64_t)faktDecU32(p)<<32) | faktDecU32(p+4);
}

/* An index entry's value: tx_add, then tx_ret only once the claim is
** retracted (format 5; 4 bytes while live, 8 after). The decoder is
** storeInt.h's, inline: every step of an index scan runs it. */
size_t faktCodecVisEncode(uint8_t *v, uint32_t txAdd, uint32_t txRet){
  faktEncU32(v, txAdd);
  if( txRet==0 ) return 4;
  faktEncU32(v+4, txRet);
  return 8;
}

/* FNV-1a 64, then the murmur3 fmix64 finaliser so that every input bit
** reaches every output bit. Byte-wise: same value on every platform. */
uint64_t faktHash64(const void *p, size_t n){
  const uint8_t *a = (const uint8_t*)p;
  uint64_t h = 0xcbf29ce484222325ULL;
  size_t i;
  for(i=0; i<n; i++){ h ^= a[i]; h *= 0x100000001b3ULL; }
  h ^= h >> 33; h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

void faktCodecEncDouble(uint8_t *p, double r){
  uint64_t u;
  memcpy(&u, &r, 8);
  faktEncU64(p, u);
}
double faktCodecDecDouble(const uint8_t *p){
  uint64_t u = faktDecU64(p);
  double r;
  memcpy(&r, &u, 8);
  return r;
}

int faktCodecCmpU64(const void *a, const void *b){
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x<y ? -1 : x>y;
}

/* ================================================================ object records */

size_t faktCodecEntEncode(const EntRec *r, uint8_t *a){
  uint32_t i;
  assert( r->nAlias<=(uint32_t)ENT_ALIAS_MAX );   /* faktEntPut refused more */
  a[0] = r->kind;
  faktEncU32(a+1, r->type);
  faktEncU32(a+5, r->label);
  a[9] = r->bCoords ? 1 : 0;
  faktCodecEncDouble(a+10, r->bCoords ? r->lat : 0.0);
  faktCodecEncDouble(a+18, r->bCoords ? r->lon : 0.0);
  faktEncU32(a+26, r->outlet);
  faktEncU64(a+30, r->published);
  faktEncU64(a+38, r->textHash);
  faktEncU32(a+46, r->flags);
  a[50] = r->objType;
  a[51] = (uint8_t)r->nAlias;
  for(i=0; i<r->nAlias; i++) faktEncU32(a + ENT_FIXED + 4*i, r->aAlias[i]);
  return ENT_FIXED + 4*(size_t)r->nAlias;
}

int faktCodecEntDecode(const uint8_t *a, size_t n, EntRec *r){
  uint32_t i;
  memset(r, 0, sizeof(*r));
  if( n<ENT_FIXED || a[0]==K_CLAIM || n!=ENT_FIXED + 4*(size_t)a[51] ){
    return FAKT_CORRUPT;
  }
  r->kind = a[0];
  r->type = faktDecU32(a+1);
  r->label = faktDecU32(a+5);
  r->bCoords = a[9];
  r->lat = faktCodecDecDouble(a+10);
  r->lon = faktCodecDecDouble(a+18);
  r->outlet = faktDecU32(a+26);
  r->published = faktDecU64(a+30);
  r->textHash = faktDecU64(a+38);
  r->flags = faktDecU32(a+46);
  r->objType = a[50];
  r->nAlias = a[51];
  for(i=0; i<r->nAlias; i++) r->aAlias[i] = faktDecU32(a + ENT_FIXED + 4*i);
  return FAKT_OK;
}

/*
** Claim records are varints (format 5): small ids, transactions and dates
** take one to five bytes instead of four or eight, and absent options take
** none. See storeInt.h for the order.
*/
#define CF_UNIT   0x01
#define CF_SOURCE 0x02
#define CF_BY     0x04
#define CF_HOLDS  0x08
#define CF_UNTIL  0x10
#define CF_SAID   0x20
#define CF_QUOTE  0x40
#define CF_VIA    0x80

static size_t varLen(uint64_t v){
  size_t n = 1;
  while( v>=0x80 ){ v >>= 7; n++; }
  return n;
}
static uint8_t *varPut(uint8_t *p, uint64_t v){
  while( v>=0x80 ){ *p++ = (uint8_t)(v | 0x80); v >>= 7; }
  *p++ = (uint8_t)v;
  return p;
}
/* A varint of at most nMax bytes from p (before pEnd), or NULL. */
static const uint8_t *varGet(const uint8_t *p, const uint8_t *pEnd, int nMax, uint64_t *pv){
  uint64_t v = 0;
  for(int i=0; i<nMax && p<pEnd; i++){
    uint8_t c = *p++;
    v |= (uint64_t)(c & 0x7f) << (7*i);
    if( (c & 0x80)==0 ){ *pv = v; return p; }
  }
  return NULL;
}
static const uint8_t *var32(const uint8_t *p, const uint8_t *pEnd, uint32_t *pv){
  uint64_t v = 0;
  p = varGet(p, pEnd, 5, &v);
  if( p==NULL || v>0xFFFFFFFFu ) return NULL;
  *pv = (uint32_t)v;
  return p;
}

/* The object's payload as a varint for ids and strings, else 8 raw bytes. */
static int objCompact(const uint8_t *o){ return o[0]==T_ID || o[0]==T_STR; }

static uint8_t claimFlags(const ClaimRec *r){
  return (uint8_t)((r->unit ? CF_UNIT : 0) | (r->source ? CF_SOURCE : 0) | (r->by ? CF_BY : 0)
      | (r->holds ? CF_HOLDS : 0) | (r->until ? CF_UNTIL : 0) | (r->said ? CF_SAID : 0)
      | (r->quote ? CF_QUOTE : 0) | (r->nVia ? CF_VIA : 0));
}

/* Bytes faktCodecClaimEncode needs for r. */
size_t faktCodecClaimSize(const ClaimRec *r){
  size_t n = 2 + varLen(r->s) + varLen(r->p) + 1;
  n += objCompact(r->o) ? varLen(faktDecU64(r->o+1)) : 8;
  n += varLen(r->stance) + varLen(r->txAdd) + varLen(r->txRet);
  if( r->unit ) n += varLen(r->unit);
  if( r->source ) n += varLen(r->source);
  if( r->by ) n += varLen(r->by);
  if( r->holds ) n += varLen(r->holds);
  if( r->until ) n += varLen(r->until);
  if( r->said ) n += varLen(r->said);
  if( r->quote ){
    n += varLen(r->spanStart) + varLen(r->spanEnd - r->spanStart);
    n += r->bQuoteRef ? 1 : varLen(r->quote) + r->quote;
  }
  if( r->nVia ){
    n += 1;
    for(uint32_t i=0; i<r->nVia; i++) n += varLen(r->aVia[i]);
  }
  return n;
}

size_t faktCodecClaimEncode(const ClaimRec *r, uint8_t *a){
  uint8_t *p = a;
  *p++ = K_CLAIM;
  *p++ = claimFlags(r);
  p = varPut(p, r->s);
  p = varPut(p, r->p);
  *p++ = r->o[0];
  if( objCompact(r->o) ){ p = varPut(p, faktDecU64(r->o+1)); }else{ memcpy(p, r->o+1, 8); p += 8; }
  p = varPut(p, r->stance);
  p = varPut(p, r->txAdd);
  p = varPut(p, r->txRet);
  if( r->unit ) p = varPut(p, r->unit);
  if( r->source ) p = varPut(p, r->source);
  if( r->by ) p = varPut(p, r->by);
  if( r->holds ) p = varPut(p, r->holds);
  if( r->until ) p = varPut(p, r->until);
  if( r->said ) p = varPut(p, r->said);
  if( r->quote ){
    p = varPut(p, r->spanStart);
    p = varPut(p, r->spanEnd - r->spanStart);
    p = varPut(p, r->bQuoteRef ? 0 : r->quote);
  }
  if( r->nVia ){
    *p++ = (uint8_t)r->nVia;
    for(uint32_t i=0; i<r->nVia; i++) p = varPut(p, r->aVia[i]);
  }
  if( r->quote && !r->bQuoteRef ){ memcpy(p, r->zQuote, r->quote); p += r->quote; }
  assert( (size_t)(p - a)==faktCodecClaimSize(r) );   /* the caller sized a by it */
  return (size_t)(p - a);
}

/* Decode a claim record; FAKT_CORRUPT for anything that does not parse to
** exactly n bytes (never reads past a+n). */
int faktCodecClaimDecode(const uint8_t *a, size_t n, ClaimRec *r){
  const uint8_t *p = a, *pEnd = a + n;
  uint64_t v = 0;
  memset(r, 0, sizeof(*r));
  if( n<2 || a[0]!=K_CLAIM ) return FAKT_CORRUPT;
  uint8_t fl = a[1];
  p += 2;
  if( (p = var32(p, pEnd, &r->s))==NULL ) return FAKT_CORRUPT;
  if( (p = var32(p, pEnd, &r->p))==NULL ) return FAKT_CORRUPT;
  if( p>=pEnd ) return FAKT_CORRUPT;
  r->o[0] = *p++;
  if( objCompact(r->o) ){
    if( (p = varGet(p, pEnd, 10, &v))==NULL ) return FAKT_CORRUPT;
    faktEncU64(r->o+1, v);
  }else{
    if( pEnd-p<8 ) return FAKT_CORRUPT;
    memcpy(r->o+1, p, 8); p += 8;
  }
  if( (p = var32(p, pEnd, &r->stance))==NULL ) return FAKT_CORRUPT;
  if( (p = var32(p, pEnd, &r->txAdd))==NULL ) return FAKT_CORRUPT;
  if( (p = var32(p, pEnd, &r->txRet))==NULL ) return FAKT_CORRUPT;
  if( (fl & CF_UNIT) && (p = var32(p, pEnd, &r->unit))==NULL ) return FAKT_CORRUPT;
  if( (fl & CF_SOURCE) && (p = var32(p, pEnd, &r->source))==NULL ) return FAKT_CORRUPT;
  if( (fl & CF_BY) && (p = var32(p, pEnd, &r->by))==NULL ) return FAKT_CORRUPT;
  if( (fl & CF_HOLDS) && (p = varGet(p, pEnd, 10, &r->holds))==NULL ) return FAKT_CORRUPT;
  if( (fl & CF_UNTIL) && (p = varGet(p, pEnd, 10, &r->until))==NULL ) return FAKT_CORRUPT;
  if( (fl & CF_SAID) && (p = varGet(p, pEnd, 10, &r->said))==NULL ) return FAKT_CORRUPT;
  uint32_t nCopy = 0;                   /* bytes of the quote at the end */
  if( fl & CF_QUOTE ){
    uint32_t nSpan = 0;
    if( (p = var32(p, pEnd, &r->spanStart))==NULL ) return FAKT_CORRUPT;
    if( (p = var32(p, pEnd, &nSpan))==NULL || nSpan > 0xFFFFFFFFu - r->spanStart ) return FAKT_CORRUPT;
    r->spanEnd = r->spanStart + nSpan;
    if( (p = var32(p, pEnd, &nCopy))==NULL ) return FAKT_CORRUPT;
    if( nCopy ){
      r->quote = nCopy;
    }else{
      if( nSpan==0 ) return FAKT_CORRUPT;   /* a shared quote is never empty */
      r->quote = nSpan;
      r->bQuoteRef = 1;
    }
  }
  if( fl & CF_VIA ){
    if( p>=pEnd ) return FAKT_CORRUPT;
    r->nVia = *p++;
    if( r->nVia==0 || r->nVia>(uint32_t)CLAIM_VIA_MAX ) return FAKT_CORRUPT;
    for(uint32_t i=0; i<r->nVia; i++){
      if( (p = var32(p, pEnd, &r->aVia[i]))==NULL ) return FAKT_CORRUPT;
    }
  }
  if( (size_t)(pEnd-p)!=nCopy ) return FAKT_CORRUPT;
  r->zQuote = nCopy ? (const char*)p : NULL;
  return FAKT_OK;
}

/* ================================================================ keys */

void faktCodecIxKeys(uint32_t s, uint32_t p, const uint8_t *o, uint32_t c, uint8_t aK[3][KEY_IX]){
  faktEncU32(aK[0], s); faktEncU32(aK[0]+4, p); memcpy(aK[0]+8, o, ENC_LEN); faktEncU32(aK[0]+17, c);
  faktEncU32(aK[1], p); memcpy(aK[1]+4, o, ENC_LEN); faktEncU32(aK[1]+13, s); faktEncU32(aK[1]+17, c);
  memcpy(aK[2], o, ENC_LEN); faktEncU32(aK[2]+9, s); faktEncU32(aK[2]+13, p); faktEncU32(aK[2]+17, c);
}

void faktCodecGeoKey(uint8_t *a, double lat, double lon, uint32_t id){
  faktEncU32(a, faktGeoCell(lat, lon));
  faktEncU32(a+4, id);
}

int faktCodecStatId(const uint8_t *o, uint32_t *pId){
  if( o[0]!=T_ID && o[0]!=T_STR ) return 0;
  *pId = (uint32_t)faktDecU64(o+1);
  return 1;
}

/* The s2i key of (ns, z[0..n)) (see storeInt.h); a holds S2I_KEYMAX bytes. */
size_t faktCodecS2iKey(uint8_t *a, int ns, const char *z, size_t n){
  if( n<=S2I_TEXT ){
    a[0] = (uint8_t)ns;
    if( n ) memcpy(a+1, z, n);
    return 1 + n;
  }
  a[0] = (uint8_t)(ns | 0x80);
  faktEncU64(a+1, faktHash64(z, n));
  return 9;
}

/* Entry iSlot of the block a (n bytes): FAKT_OK with *ppE and *pnE (*pnE 0 when
** the slot is empty), or FAKT_CORRUPT when the block is malformed. */
int faktCodecI2sEntry(const uint8_t *a, size_t n, unsigned iSlot, const uint8_t **ppE, size_t *pnE){
  size_t nHdr, iStart, iEnd;
  *ppE = NULL; *pnE = 0;
  if( n<3 || a[0]==0 || a[0]>I2S_SLOTS ) return FAKT_CORRUPT;
  nHdr = 1 + 2*(size_t)a[0];
  if( nHdr>n ) return FAKT_CORRUPT;
  if( iSlot>=a[0] ) return FAKT_OK;
  iStart = iSlot ? ((size_t)a[2*iSlot-1]<<8 | a[2*iSlot]) : 0;
  iEnd = (size_t)a[2*iSlot+1]<<8 | a[2*iSlot+2];
  if( iStart>iEnd || iEnd>n-nHdr ) return FAKT_CORRUPT;
  *ppE = a + nHdr + iStart;
  *pnE = iEnd - iStart;
  return FAKT_OK;
}

/* ================================================================ fts blocks */

/* Bytes of the varint of v. */
static int ftsVarLen(uint32_t v){
  int n = 1;
  while( v>=0x80 ){ v >>= 7; n++; }
  return n;
}

/* Write the varint of v at p (at most 5 bytes); returns its length. */
static int ftsVarPut(uint8_t *p, uint32_t v){
  int n = 0;
  while( v>=0x80 ){ p[n++] = (uint8_t)(v | 0x80); v >>= 7; }
  p[n++] = (uint8_t)v;
  return n;
}

/*
** Decode the block that starts with doc first and has value a[0..n) into
** aDoc (FTS_BLOCK_DOCS slots); *pnDoc = the number of docs. FAKT_CORRUPT
** for a truncated or too long varint, a gap of 0 or past 2^32-1, or too
** many docs. Reads nothing outside a[0..n).
*/
int faktCodecFtsDecode(uint32_t first, const uint8_t *a, size_t n, uint32_t *aDoc, int *pnDoc){
  size_t i = 0;
  int nDoc = 0;
  uint32_t prev = first;
  aDoc[nDoc++] = first;
  while( i<n ){
    uint32_t gap = a[i++];
    if( gap>=0x80 ){                            /* a gap of more than one byte */
      int sh = 7;
      gap &= 0x7F;
      for(;;){
        uint8_t b;
        if( i>=n ) return FAKT_CORRUPT;
        b = a[i++];
        if( sh==28 && b>0x0F ) return FAKT_CORRUPT;   /* past 32 bits */
        gap |= (uint32_t)(b & 0x7F) << sh;
        if( (b & 0x80)==0 ) break;
        sh += 7;
      }
    }
    if( gap==0 || gap>UINT32_MAX-prev || nDoc>=FTS_BLOCK_DOCS ) return FAKT_CORRUPT;
    prev += gap;
    aDoc[nDoc++] = prev;
  }
  *pnDoc = nDoc;
  return FAKT_OK;
}

/*
** Encode the gaps of a block that starts with a[0] and takes as many of
** a[1..n) (ascending) as fit, at most nMax docs in all, into aVal
** (FTS_BLOCK_BYTES). aVal[0..*pnVal) already holds the gaps of a[1..k0)
** (k0 >= 1). Returns the docs taken; *pnVal = the value's bytes.
*/
int faktCodecFtsPack(const uint32_t *a, int n, int nMax, int k0, uint8_t *aVal, size_t *pnVal){
  int k = k0;
  size_t nVal = *pnVal;
  assert( k0>=1 );
  if( nMax>FTS_BLOCK_DOCS ) nMax = FTS_BLOCK_DOCS;
  while( k<n && k<nMax ){
    uint32_t gap = a[k] - a[k-1];
    if( gap<0x80 ){
      if( nVal+1 > FTS_BLOCK_BYTES ) break;
      aVal[nVal++] = (uint8_t)gap;
    }else{
      if( nVal + (size_t)ftsVarLen(gap) > FTS_BLOCK_BYTES ) break;
      nVal += (size_t)ftsVarPut(aVal + nVal, gap);
    }
    k++;
  }
  *pnVal = nVal;
  return k;
}

/* Build the key token + 0x00 + doc in a (FTS_KEY_MAX bytes); returns its length. */
size_t faktCodecFtsKey(uint8_t *a, const uint8_t *aTok, size_t nTok, uint32_t doc){
  memcpy(a, aTok, nTok);
  a[nTok] = 0;
  faktEncU32(a + nTok + 1, doc);
  return nTok + 5;
}
