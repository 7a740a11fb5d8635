/*
** write.c -- statements that change the database: entity, source,
** predicate, claim, rule, drop rule, retract, load, and the transaction
** statements. Each runs in a write transaction (its own, or a nested one
** inside begin ... commit) and either changes everything or nothing.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include "fakt_int.h"

/* What one write changed, for the transaction log. */
typedef struct Counts { uint32_t nAdded, nRetracted, nOther; } Counts;

/* Predicates whose object types a load keeps (direct-mapped by id). */
#define LOAD_PRED_CACHE 512

/* Context of one write statement. */
typedef struct WCtx {
  fakt *db;
  StoreTxn *t;
  uint32_t tx;             /* id the transaction will get */
  Counts n;
  FaktErr *pErr;
  const char *zBase;       /* file whose directory relative paths start from, or NULL */
  const Value *aParam;     /* values bound to the statement's parameters, or NULL */
  int nParam;
  Arena *pArena;           /* the statement's arena, for names of bound ids */
  int bDefer;              /* strId only looks up; a new text waits in zDefer */
  uint64_t hTerm;          /* claimTerm: hash64 of the name or text the term
                           ** gave (0: it was found another way) */
  const char *zDefer;      /* the text to intern once the statement is valid */
  int nDefer;
  int bLast;               /* a claim statement named zLast */
  char zLast[FAKT_MAX_IDENT + 1];   /* its id, for fakt_last_claim() */
  /* The statements of a load share one WCtx; its claims keep what they
  ** would read again from the store for each claim (loadCacheFree) */
  uint32_t aPredId[LOAD_PRED_CACHE];  /* predicate ids, by id % LOAD_PRED_CACHE */
  uint8_t aPredType[LOAD_PRED_CACHE]; /* ... and their object types (PT_*) */
} WCtx;

static int doStmt(WCtx *w, Stmt *pS, const char *zText, int nText);

/* ================================================================ a load's cache
** The claims of a load read the object type of their predicate and the
** text of their source (to find the quote) for each claim, from the store;
** a file of claims names the same few predicates and one source after
** another. Inside a load, WCtx keeps the object types of the predicates it
** met; inside a load or an explicit transaction (the prepared claims of a
** bulk load), the handle keeps a copy of the last source text a claim
** read or a source statement of the load wrote (db->srcText), and from
** its second quote an index of it (faktQuoteIndexNew), so that a quote is
** not searched for from the text's first byte. A predicate or source
** statement forgets what it may change; the end of the load and that of
** the transaction forget the text.
*/

/* 1 when w runs the statements of a load (and may keep what they read). */
static int inLoad(const WCtx *w){ return w->db->nLoadDepth>0; }

/* 1 when the statement runs in a transaction that more statements share:
** a source text read now stays right until a source statement writes one. */
static int inLongTxn(const WCtx *w){ return inLoad(w) || w->db->pTxn!=NULL; }

/* Forget the predicates' object types. */
static void loadForgetPreds(WCtx *w){ memset(w->aPredId, 0, sizeof(w->aPredId)); }

/* Keep zText[0..nText) (malloc'd; the handle takes it) as the text of
** source id, or forget the text kept when zText is NULL. */
static void keepText(fakt *db, uint32_t id, char *zText, size_t nText){
  SrcText *p = &db->srcText;
  free(p->z);
  faktQuoteIndexFree(p->pIdx);
  memset(p, 0, sizeof(*p));
  if( zText ){
    p->id = id;
    p->z = zText;
    p->n = nText;
  }
}

void faktWriteForgetText(fakt *db){ keepText(db, 0, NULL, 0); }

/* The index to search zText with: that of the kept text, built at its
** second search (a source quoted once is scanned once), or NULL. */
static const QuoteIndex *keptIndex(fakt *db, const char *zText){
  SrcText *p = &db->srcText;
  if( p->z==NULL || zText!=p->z ) return NULL;
  if( p->pIdx==NULL && p->nFind++ >= 1 ) p->pIdx = faktQuoteIndexNew(p->z, p->n);
  return p->pIdx;
}

/* Free what the load kept: at its end. */
static void loadCacheFree(WCtx *w){
  keepText(w->db, 0, NULL, 0);
  loadForgetPreds(w);
}

/* "database is full: " before a store message that does not already say
** what is full (the disk, the address space, the transaction ids). */
static const char *fullPrefix(const char *zStore){
  if( strncmp(zStore, "disk is full", 12)==0 || strstr(zStore, "address space")
   || strncmp(zStore, "transaction ids", 15)==0 ) return "";
  return "database is full: ";
}

static int storeErr(WCtx *w, int rc, const Pos *pPos){
  const char *zPrefix = rc==FAKT_FULL ? fullPrefix(faktStoreErrmsg(w->db->pStore)) : NULL;
  return faktStoreFail(w->pErr, w->db->pStore, rc, pPos, zPrefix);
}

static const char *kindName(int k){
  switch( k ){
    case K_ENTITY: return "an entity";
    case K_CLAIM: return "a claim";
    case K_SOURCE: return "a source";
    case K_PREDICATE: return "a predicate";
    case K_TYPE: return "a type";
    case K_STANCE: return "a stance";
    default: return "something else";
  }
}

/* Intern a name and say what it already is (0: nothing yet). */
static int nameId(WCtx *w, const char *z, const Pos *pPos, uint32_t *pId, int *pKind){
  uint32_t idGen;
  if( faktGenParse(z, (int)strlen(z), &idGen) ){
    faktErrSet(w->pErr, FAKT_CONSTRAINT, pPos, "\"%s\" is the name of a generated claim: choose another", z);
    return FAKT_CONSTRAINT;
  }
  int rc = faktDictIntern(w->t, NS_NAME, z, (int)strlen(z), pId);
  if( rc ) return storeErr(w, rc, pPos);
  *pKind = 0;
  rc = faktObjGetKind(w->t, *pId, pKind);
  if( rc==FAKT_NOTFOUND ){ *pKind = 0; rc = FAKT_OK; }
  if( rc ) return storeErr(w, rc, pPos);
  return FAKT_OK;
}

/* An existing object of the given kind, by name. */
static int needObj(WCtx *w, const char *z, const Pos *pPos, int wantKind, const char *zWhat, uint32_t *pId){
  int kind = 0;
  int rc;
  if( z[0]=='~' ){
    /* by, via or from ~"LABEL" (ast.c entName): the one entity so named */
    EntRec e;
    rc = faktLookupLabelUnique(w->t, z+1, (int)strlen(z+1), pId);
    if( rc==FAKT_NOTFOUND ){
      faktErrSet(w->pErr, FAKT_NOTFOUND, pPos, "no entity named \"%s\"", z+1);
      return rc;
    }
    if( rc==FAKT_CONSTRAINT ){
      faktErrSet(w->pErr, rc, pPos, "ambiguous name \"%s\": use the entity's id", z+1);
      return rc;
    }
    if( rc==0 && wantKind && (rc = faktEntGet(w->t, *pId, &e))==0 && e.kind!=wantKind ){
      faktErrSet(w->pErr, FAKT_NOTFOUND, pPos, "unknown %s ~\"%s\"", zWhat, z+1);
      return FAKT_NOTFOUND;
    }
    if( rc ) return storeErr(w, rc, pPos);
    return FAKT_OK;
  }
  rc = faktLookupName(w->t, z, (int)strlen(z), pId, &kind);
  if( rc==FAKT_NOTFOUND || (rc==0 && wantKind && kind!=wantKind) ){
    faktErrSet(w->pErr, FAKT_NOTFOUND, pPos, "unknown %s \"%s\"", zWhat, z);
    return FAKT_NOTFOUND;
  }
  if( rc ) return storeErr(w, rc, pPos);
  return FAKT_OK;
}

static int strId(WCtx *w, const char *z, int n, uint32_t *pId){
  if( w->bDefer ){
    int rc = faktDictLookup(w->t, NS_STR, z, n, pId);
    if( rc==FAKT_NOTFOUND ){
      w->zDefer = z;
      w->nDefer = n;
      *pId = 0;
      return FAKT_OK;
    }
    if( rc ) return storeErr(w, rc, NULL);
    return FAKT_OK;
  }
  int rc = faktDictIntern(w->t, NS_STR, z, n, pId);
  if( rc ) return storeErr(w, rc, NULL);
  return FAKT_OK;
}

/* A type entity by name, created on first use. */
static int typeId(WCtx *w, const char *z, const Pos *pPos, uint32_t *pId){
  int kind;
  int rc = nameId(w, z, pPos, pId, &kind);
  if( rc ) return rc;
  if( kind==K_TYPE ) return FAKT_OK;
  if( kind ){
    faktErrSet(w->pErr, FAKT_CONSTRAINT, pPos, "\"%s\" is %s, not a type", z, kindName(kind));
    return FAKT_CONSTRAINT;
  }
  EntRec r;
  memset(&r, 0, sizeof(r));
  r.kind = K_TYPE;
  rc = faktEntPut(w->t, *pId, &r);
  if( rc ) return storeErr(w, rc, pPos);
  w->n.nOther++;
  return FAKT_OK;
}

static int entEq(const EntRec *a, const EntRec *b){
  if( a->kind!=b->kind || a->type!=b->type || a->label!=b->label || a->bCoords!=b->bCoords ) return 0;
  if( a->bCoords && (a->lat!=b->lat || a->lon!=b->lon) ) return 0;
  if( a->outlet!=b->outlet || a->published!=b->published || a->textHash!=b->textHash ) return 0;
  if( a->flags!=b->flags || a->objType!=b->objType || a->nAlias!=b->nAlias ) return 0;
  return memcmp(a->aAlias, b->aAlias, sizeof(uint32_t)*a->nAlias)==0;
}

/* Write an entity-like record unless an identical one is there. */
static int putEnt(WCtx *w, uint32_t id, int oldKind, const EntRec *pNew, const Pos *pPos){
  if( oldKind ){
    EntRec old;
    memset(&old, 0, sizeof(old));
    if( faktEntGet(w->t, id, &old)==FAKT_OK && entEq(&old, pNew) ) return FAKT_OK;
  }
  int rc = faktEntPut(w->t, id, pNew);
  if( rc ) return storeErr(w, rc, pPos);
  w->n.nOther++;
  return FAKT_OK;
}

/* ================================================================ claims */

static int visibleLive(const ClaimRec *r){ return r->txRet==0; }

/* Is there already a live sourceless claim s p o? */
static int hasPlainClaim(WCtx *w, uint32_t s, uint32_t p, const uint8_t *aO){
  uint8_t aKey[17];
  faktEncU32(aKey, s);
  faktEncU32(aKey+4, p);
  memcpy(aKey+8, aO, ENC_LEN);
  StoreCursor *cur;
  if( faktCursorOpen(w->t, IX_SPO, aKey, 17, &cur) ) return 0;
  const uint8_t *k;
  Vis vis;
  int bFound = 0;
  while( !bFound && faktCursorNext(cur, &k, &vis)==FAKT_ROW ){
    if( vis.txRet ) continue;
    ClaimRec r;
    if( faktClaimGet(w->t, faktDecU32(k+17), &r)==FAKT_OK && r.source==0 ) bFound = 1;
  }
  faktCursorClose(cur);
  return bFound;
}

/* Remember claim id (named zId, or NULL: a generated _cN) as the
** statement's claim; the handle takes it when the statement succeeds. */
static void lastClaim(WCtx *w, uint32_t id, const char *zId){
  char aBuf[FAKT_GEN_NAME];
  const char *z = zId;
  int n = z ? (int)strlen(z) : 0;
  if( z==NULL && faktIdName(w->t, id, aBuf, &z, &n) ) return;
  if( n>FAKT_MAX_IDENT ) return;
  memcpy(w->zLast, z, (size_t)n);
  w->zLast[n] = 0;
  w->bLast = 1;
}

/* The statement succeeded: its last claim is the handle's (as sqlite3's
** last_insert_rowid, a later rollback does not take it back). */
static void lastClaimKeep(WCtx *w){
  if( w->bLast ) memcpy(w->db->zLastClaim, w->zLast, strlen(w->zLast) + 1);
}

/* Store a new claim under a generated name _cN. */
static int addClaim(WCtx *w, uint32_t id, ClaimRec *r, const Pos *pPos){
  r->txAdd = w->tx;
  r->txRet = 0;
  int rc = faktClaimAdd(w->t, id, r);
  if( rc ) return storeErr(w, rc, pPos);
  w->n.nAdded++;
  return FAKT_OK;
}

/* The id of a new generated claim _cN (FAKT_GEN_BIT|N, no dictionary entry). */
static int newClaimId(WCtx *w, uint32_t *pId, const Pos *pPos){
  for(;;){
    int kind;
    int rc = faktStoreNewGenId(w->t, pId);
    if( rc ) return storeErr(w, rc, pPos);
    /* next_gen moves past an imported or hand-written _cN, so this is a
    ** safeguard only */
    rc = faktObjGetKind(w->t, *pId, &kind);
    if( rc==FAKT_NOTFOUND ) return FAKT_OK;
    if( rc ) return storeErr(w, rc, pPos);
  }
}

static int containment(WCtx *w, uint32_t id, Stmt *pS){
  uint32_t pIn;
  int rc = needObj(w, "located_in", &pS->pos, K_PREDICATE, "predicate", &pIn);
  for(int i=0; rc==0 && i<pS->in.n; i++){
    uint32_t idC;
    rc = needObj(w, pS->in.az[i], &pS->in.a[i].pos, 0, "entity", &idC);
    if( rc ) break;
    ClaimRec r;
    memset(&r, 0, sizeof(r));
    r.s = id;
    r.p = pIn;
    Value v; memset(&v, 0, sizeof(v)); v.t = V_ID; v.id = idC;
    faktValueEncode(&v, r.o);
    if( hasPlainClaim(w, id, pIn, r.o) ) continue;
    uint32_t cid;
    rc = faktLookupName(w->t, "asserts", 7, &r.stance, NULL);
    if( rc ) return storeErr(w, rc, &pS->pos);
    rc = newClaimId(w, &cid, &pS->pos);
    if( rc==0 ) rc = addClaim(w, cid, &r, &pS->in.a[i].pos);
  }
  return rc;
}

/* 1 if name z is free, or names an object of kind k (a lookup, no write). */
static int kindFree(WCtx *w, const char *z, int k){
  uint32_t id;
  int kind = 0;
  int rc = faktLookupName(w->t, z, (int)strlen(z), &id, &kind);
  if( rc==FAKT_NOTFOUND ) return 1;
  return rc==FAKT_OK && (kind==0 || kind==k);
}

/*
** 1 if entity statement pS can fail only in the store once it begins to
** write, so that it may run in the transaction itself, as a claim does
** (SPEC 11.1): the checks defEntity makes after its first write (the id's
** and the type's kinds, the aliases, the coordinates) pass here without
** writing, and it names no container (a containment claim has checks of
** its own). 0 sends it to a nested transaction, which reports the error.
** A nested transaction's commit costs LMDB time in proportion to the
** dirty pages of the transaction it goes into: a million entities defined
** in one transaction spent 73% of their time there.
*/
static int entityPlain(WCtx *w, Stmt *pS){
  uint32_t idGen;
  EntRec r;
  if( pS->in.n>0 || pS->aka.n > (int)(sizeof(r.aAlias)/sizeof(r.aAlias[0])) ) return 0;
  if( pS->bAt && (pS->rLat<-90 || pS->rLat>90 || pS->rLon<-180 || pS->rLon>180) ) return 0;
  if( faktGenParse(pS->zId, (int)strlen(pS->zId), &idGen) ) return 0;
  if( faktGenParse(pS->zType, (int)strlen(pS->zType), &idGen) ) return 0;
  return kindFree(w, pS->zId, K_ENTITY) && kindFree(w, pS->zType, K_TYPE);
}

/*
** The same for a source statement (SPEC 11.1): its text given inline (a
** file can fail to be read), its id and the type "document" free or of
** their kinds, its outlet (by) an existing object.
*/
static int sourcePlain(WCtx *w, Stmt *pS){
  uint32_t id;
  int kind = 0;
  if( pS->zFile || faktGenParse(pS->zId, (int)strlen(pS->zId), &id) ) return 0;
  if( !kindFree(w, pS->zId, K_SOURCE) || !kindFree(w, "document", K_TYPE) ) return 0;
  return pS->zBy==NULL
      || faktLookupName(w->t, pS->zBy, (int)strlen(pS->zBy), &id, &kind)==FAKT_OK;
}

static int defEntity(WCtx *w, Stmt *pS){
  uint32_t id;
  int kind, rc;
  rc = nameId(w, pS->zId, &pS->id.pos, &id, &kind);
  if( rc ) return rc;
  if( kind && kind!=K_ENTITY ){
    faktErrSet(w->pErr, FAKT_CONSTRAINT, &pS->id.pos, "\"%s\" is already defined as %s", pS->zId, kindName(kind));
    return FAKT_CONSTRAINT;
  }
  EntRec r;
  memset(&r, 0, sizeof(r));
  r.kind = K_ENTITY;
  rc = typeId(w, pS->zType, &pS->type.pos, &r.type);
  if( rc==0 ) rc = strId(w, pS->zLabel, (int)strlen(pS->zLabel), &r.label);
  if( rc ) return rc;
  if( pS->aka.n > (int)(sizeof(r.aAlias)/sizeof(r.aAlias[0])) ){
    faktErrSet(w->pErr, FAKT_TOOBIG, &pS->pos, "too many aliases (at most %d)",
               (int)(sizeof(r.aAlias)/sizeof(r.aAlias[0])));
    return FAKT_TOOBIG;
  }
  for(int i=0; i<pS->aka.n; i++){
    rc = strId(w, pS->aka.az[i], (int)strlen(pS->aka.az[i]), &r.aAlias[r.nAlias++]);
    if( rc ) return rc;
  }
  if( pS->bAt ){
    if( pS->rLat<-90 || pS->rLat>90 || pS->rLon<-180 || pS->rLon>180 ){
      faktErrSet(w->pErr, FAKT_RANGE, &pS->posAt, "coordinates out of range: latitude -90..90, longitude -180..180");
      return FAKT_RANGE;
    }
    r.bCoords = 1;
    r.lat = pS->rLat;
    r.lon = pS->rLon;
  }
  rc = putEnt(w, id, kind, &r, &pS->pos);
  if( rc==0 ) rc = containment(w, id, pS);
  return rc;
}

/* Directory-relative path: zPath relative to the directory of zBase. */
static char *relPath(const char *zBase, const char *zPath){
  if( zPath[0]=='/' || zBase==NULL ) return strdup(zPath);
  const char *zSlash = strrchr(zBase, '/');
  if( zSlash==NULL ) return strdup(zPath);
  return faktMprintf("%.*s/%s", (int)(zSlash - zBase), zBase, zPath);
}

/* Read a whole file (malloc'd, NUL-terminated). */
static int readFile(const char *zPath, char **pz, size_t *pn, char *zWhy, size_t nWhy){
  FILE *f = fopen(zPath, "rb");
  if( f==NULL ){ snprintf(zWhy, nWhy, "%s", strerror(errno)); return FAKT_CANTOPEN; }
  size_t nAlloc = 65536, n = 0;
  char *z = malloc(nAlloc);
  while( z ){
    size_t k = fread(z + n, 1, nAlloc - n - 1, f);
    n += k;
    if( k==0 ) break;
    if( nAlloc - n - 1==0 ){
      if( nAlloc > ((size_t)1<<30) ){ free(z); z = NULL; break; }
      char *zN = realloc(z, nAlloc*2);
      if( zN==NULL ){ free(z); z = NULL; break; }
      z = zN; nAlloc *= 2;
    }
  }
  int bErr = ferror(f);
  fclose(f);
  if( z==NULL ){ snprintf(zWhy, nWhy, "out of memory"); return FAKT_NOMEM; }
  if( bErr ){ free(z); snprintf(zWhy, nWhy, "read error"); return FAKT_IOERR; }
  z[n] = 0;
  *pz = z;
  *pn = n;
  return FAKT_OK;
}

/*
** The text of source srcId changed to zText[0..nText): each of its claims
** with a quote (retracted ones too) follows it. A quote the new text still
** holds (as §4.4 matches it) is re-anchored at its occurrence nearest the
** old span; one it does not is marked stale (an empty span), so that
** context() and span() never show the new text's bytes for it.
*/
/*
** The ids of source srcId's claims (its srcc entries, retracted ones too)
** in *paId (malloc'd; the caller frees it) and *pnId. FAKT_OK, or the
** code with the message set.
*/
static int sourceClaims(WCtx *w, uint32_t srcId, const Pos *pPos, uint32_t **paId, int *pnId){
  StoreCursor *cur;
  uint32_t *aId = NULL, idClaim;
  int nId = 0, rc;
  *paId = NULL;
  *pnId = 0;
  rc = faktSourceClaimsScan(w->t, srcId, &cur);
  if( rc ) return storeErr(w, rc, pPos);
  while( faktSourceClaimsNext(cur, &idClaim)==FAKT_ROW ){
    uint32_t *a = realloc(aId, sizeof(uint32_t)*(size_t)(nId+1));
    if( a==NULL ){ rc = FAKT_NOMEM; break; }
    aId = a;
    aId[nId++] = idClaim;
  }
  faktCursorClose(cur);
  if( rc ){ free(aId); return storeErr(w, rc, pPos); }
  *paId = aId;
  *pnId = nId;
  return FAKT_OK;
}

static int reanchor(WCtx *w, uint32_t srcId, const char *zText, size_t nText, const Pos *pPos){
  uint32_t *aId = NULL;
  int nId = 0;
  int rc = sourceClaims(w, srcId, pPos, &aId, &nId);
  if( rc ) return rc;
  for(int j=0; rc==FAKT_OK && j<nId; j++){
    ClaimRec r;
    const char *zQ;
    int nQ;
    rc = faktClaimGet(w->t, aId[j], &r);
    if( rc || r.quote==0 || r.source!=srcId ) continue;
    rc = faktClaimQuote(w->t, &r, &zQ, &nQ);
    if( rc ) break;
    size_t iBest = 0, eBest = 0, iAt = 0, s, e;
    int bFound = 0;
    while( iAt<nText && faktFindQuote(zText+iAt, nText-iAt, zQ, (size_t)nQ, &s, &e) ){
      size_t d = iAt+s > r.spanStart ? iAt+s - r.spanStart : r.spanStart - (iAt+s);
      size_t dBest = iBest > r.spanStart ? iBest - r.spanStart : r.spanStart - iBest;
      if( !bFound || d<dBest ){ iBest = iAt+s; eBest = iAt+e; }
      bFound = 1;
      iAt += s + 1;
    }
    if( !bFound ){ iBest = 0; eBest = 0; }
    if( iBest==r.spanStart && eBest==r.spanEnd ) continue;
    rc = faktClaimSpan(w->t, aId[j], (uint32_t)iBest, (uint32_t)eBest);
  }
  free(aId);
  if( rc ) return storeErr(w, rc, pPos);
  return FAKT_OK;
}

static int defSource(WCtx *w, Stmt *pS){
  uint32_t id;
  int kind, rc;
  rc = nameId(w, pS->zId, &pS->id.pos, &id, &kind);
  if( rc ) return rc;
  if( kind && kind!=K_SOURCE ){
    faktErrSet(w->pErr, FAKT_CONSTRAINT, &pS->id.pos, "\"%s\" is already defined as %s", pS->zId, kindName(kind));
    return FAKT_CONSTRAINT;
  }
  EntRec r;
  memset(&r, 0, sizeof(r));
  r.kind = K_SOURCE;
  rc = typeId(w, "document", &pS->pos, &r.type);
  if( rc==0 ) rc = strId(w, pS->zLabel, (int)strlen(pS->zLabel), &r.label);
  if( rc==0 && pS->zBy ) rc = needObj(w, pS->zBy, &pS->by.pos, 0, "entity", &r.outlet);
  if( rc ) return rc;
  if( pS->pPublished ) r.published = (uint64_t)pS->pPublished->iVal;
  char *zText = NULL;
  size_t nText = 0;
  if( pS->zFile ){
    char *zPath = relPath(w->zBase, pS->zFile);
    char zWhy[200];
    if( zPath==NULL ) return storeErr(w, FAKT_NOMEM, &pS->posFile);
    rc = readFile(zPath, &zText, &nText, zWhy, sizeof(zWhy));
    if( rc ){
      faktErrSet(w->pErr, rc, &pS->posFile, "cannot read \"%s\": %s", zPath, zWhy);
      free(zPath);
      return rc;
    }
    free(zPath);
    if( !faktUtf8Valid(zText, nText, NULL) ){
      faktErrSet(w->pErr, FAKT_MISMATCH, &pS->posFile, "\"%s\" is not valid UTF-8", pS->zFile);
      free(zText);
      return FAKT_MISMATCH;
    }
  }else if( pS->zText ){
    nText = strlen(pS->zText);
    zText = malloc(nText + 1);
    if( zText==NULL ) return storeErr(w, FAKT_NOMEM, &pS->pos);
    memcpy(zText, pS->zText, nText + 1);
  }
  if( zText ) r.textHash = faktHash64(zText, nText);
  EntRec old;
  int bSame = kind && faktEntGet(w->t, id, &old)==FAKT_OK && entEq(&old, &r);
  if( w->db->srcText.id==id ) keepText(w->db, 0, NULL, 0);   /* it may change */
  if( !bSame ){
    rc = putEnt(w, id, 0, &r, &pS->pos);
    if( rc==0 && zText ){
      rc = faktTextPut(w->t, id, zText, nText);
      if( rc ) storeErr(w, rc, &pS->pos);
      else if( kind ) rc = reanchor(w, id, zText, nText, &pS->pos);
    }
  }
  if( rc==0 && zText && inLoad(w) ){
    keepText(w->db, id, zText, nText);               /* its claims come next */
  }else{
    free(zText);
  }
  return rc;
}

static int defPredicate(WCtx *w, Stmt *pS){
  static const char *azType[] = { "any", "entity", "string", "number", "quantity", "date", "claim" };
  uint32_t id;
  int kind, rc;
  rc = nameId(w, pS->zId, &pS->id.pos, &id, &kind);
  if( rc ) return rc;
  if( kind && kind!=K_PREDICATE ){
    faktErrSet(w->pErr, FAKT_CONSTRAINT, &pS->id.pos, "\"%s\" is already defined as %s", pS->zId, kindName(kind));
    return FAKT_CONSTRAINT;
  }
  EntRec r;
  memset(&r, 0, sizeof(r));
  r.kind = K_PREDICATE;
  r.objType = PT_ANY;
  if( pS->zType ){
    int i;
    for(i=0; i<7 && strcmp(azType[i], pS->zType)!=0; i++){}
    if( i==7 ){
      faktErrSet(w->pErr, FAKT_NOTFOUND, &pS->type.pos,
                 "unknown object type \"%s\" (use entity, string, number, quantity, date, claim or any)", pS->zType);
      return FAKT_NOTFOUND;
    }
    r.objType = (uint8_t)i;
  }
  r.flags = pS->bSingle ? PRED_SINGLE : 0;
  loadForgetPreds(w);                  /* an object type may change */
  if( pS->zLabel ){
    rc = strId(w, pS->zLabel, (int)strlen(pS->zLabel), &r.label);
    if( rc ) return rc;
  }
  return putEnt(w, id, kind, &r, &pS->pos);
}

/* The value bound to parameter pE; an unbound parameter is an error. */
static int paramValue(WCtx *w, const Expr *pE, Value *pV){
  if( w->aParam==NULL || pE->iParam<1 || pE->iParam>w->nParam || w->aParam[pE->iParam-1].t==V_NULL ){
    faktErrSet(w->pErr, FAKT_MISUSE, &pE->pos, "parameter %s is not bound", pE->zName);
    return FAKT_MISUSE;
  }
  *pV = w->aParam[pE->iParam-1];
  return FAKT_OK;
}

/* The value of an optional parameter: null (not bound, or bound to null)
** means the option is not given. */
static void paramOptional(WCtx *w, const Expr *pE, Value *pV){
  memset(pV, 0, sizeof(*pV));
  if( w->aParam && pE->iParam>=1 && pE->iParam<=w->nParam ) *pV = w->aParam[pE->iParam-1];
}

/* A name given through a parameter: an id bound with fakt_bind_entity(), or
** a text; *pz NULL when the parameter is null (the option is not given).
** *pz is NUL-terminated and lives as long as the statement. */
static int paramNameOrId(WCtx *w, const Expr *pE, const char **pz, uint32_t *pId);

static int paramName(WCtx *w, const Expr *pE, const char **pz){
  return paramNameOrId(w, pE, pz, NULL);
}

/*
** paramName, except that with pId not NULL an id (fakt_bind_entity) is
** given back in *pId as it is, with *pz NULL, instead of as its name;
** *pId is 0 otherwise.
*/
static int paramNameOrId(WCtx *w, const Expr *pE, const char **pz, uint32_t *pId){
  Value v;
  int rc;
  paramOptional(w, pE, &v);
  if( pId ) *pId = 0;
  if( v.t==V_NULL ){ *pz = NULL; return FAKT_OK; }
  if( v.t==V_STR ){ *pz = v.z; return FAKT_OK; }
  if( v.t==V_ID && pId ){ *pz = NULL; *pId = v.id; return FAKT_OK; }
  if( v.t==V_ID ){
    const char *z; int n;
    char aGen[FAKT_GEN_NAME];
    rc = faktIdName(w->t, v.id, aGen, &z, &n);
    if( rc ) return storeErr(w, rc, &pE->pos);
    *pz = faktArenaStrdup(w->pArena, z, (size_t)n);
    return *pz ? FAKT_OK : storeErr(w, FAKT_NOMEM, &pE->pos);
  }
  faktErrSet(w->pErr, FAKT_MISMATCH, &pE->pos, "type error: parameter %s must name something, got a %s",
             pE->zName, faktTypeName(v.t));
  return FAKT_MISMATCH;
}

/*
** needObj for an id bound to parameter pE: it must name an object (of kind
** wantKind if that is not 0). On failure the message names it, and *pzName
** is set to its name; left alone otherwise.
*/
static int needId(WCtx *w, uint32_t id, const Expr *pE, int wantKind, const char *zWhat, const char **pzName){
  int kind = 0;
  int rc = faktObjGetKind(w->t, id, &kind);
  if( rc==FAKT_OK && (wantKind==0 || kind==wantKind) ) return FAKT_OK;
  if( rc && rc!=FAKT_NOTFOUND ) return storeErr(w, rc, &pE->pos);
  rc = paramName(w, pE, pzName);
  if( rc ) return rc;
  faktErrSet(w->pErr, FAKT_NOTFOUND, &pE->pos, "unknown %s \"%s\"", zWhat, *pzName ? *pzName : "?");
  return FAKT_NOTFOUND;
}

/* A date given through a parameter: text such as "2023-09", "2023-09-10". */
static int paramDate(WCtx *w, const Expr *pE, uint64_t *pd){
  Value v;
  paramOptional(w, pE, &v);
  if( v.t==V_NULL ){ *pd = 0; return FAKT_OK; }
  if( v.t==V_STR && faktDateParse(v.z, (size_t)v.n, pd) ) return FAKT_OK;
  faktErrSet(w->pErr, FAKT_MISMATCH, &pE->pos,
             "type error: parameter %s must be a date such as \"2023-09-10\"", pE->zName);
  return FAKT_MISMATCH;
}

/* Resolve a claim's subject or object term into a value (strings interned). */
/* bSubject: 1 for the subject, 0 for an object, 2 for an object whose
** predicate expects an entity or a claim (a bound text then names it). */
static int claimTerm(WCtx *w, Expr *pE, Value *pV, int bSubject){
  memset(pV, 0, sizeof(*pV));
  int rc;
  w->hTerm = 0;
  if( pE->op==E_PARAM ){
    Value v;
    rc = paramValue(w, pE, &v);
    if( rc ) return rc;
    if( v.t==V_STR && bSubject ){
      /* a text names the subject: by id, then by label or alias */
      int kind = 0;
      rc = faktLookupName(w->t, v.z, v.n, &pV->id, &kind);
      if( rc==FAKT_NOTFOUND || (rc==0 && kind!=K_ENTITY && kind!=K_CLAIM && kind!=K_SOURCE) ){
        rc = faktLookupLabelUnique(w->t, v.z, v.n, &pV->id);
      }else if( rc==FAKT_OK ){
        w->hTerm = faktHash64(v.z, (size_t)v.n);      /* its very name */
      }
      if( rc ){
        faktErrSet(w->pErr, FAKT_NOTFOUND, &pE->pos, "unknown entity \"%s\"", v.z);
        return FAKT_NOTFOUND;
      }
      pV->t = V_ID;
      return FAKT_OK;
    }
    if( v.t==V_ID ){
      int kind = 0;
      if( faktObjGetKind(w->t, v.id, &kind) || (kind!=K_ENTITY && kind!=K_CLAIM && kind!=K_SOURCE) ){
        faktErrSet(w->pErr, FAKT_NOTFOUND, &pE->pos, "parameter %s names no entity or claim", pE->zName);
        return FAKT_NOTFOUND;
      }
      *pV = v;
      w->hTerm = v.u.d;          /* fakt_bind_entity() keeps its name's hash there */
      pV->u.d = 0;
      return FAKT_OK;
    }
    if( bSubject==1 ){
      faktErrSet(w->pErr, FAKT_MISMATCH, &pE->pos, "type error: the subject of a claim must be an entity or a claim");
      return FAKT_MISMATCH;
    }
    if( v.t==V_STR ){
      pV->t = V_STR;
      w->hTerm = faktHash64(v.z, (size_t)v.n);
      return strId(w, v.z, v.n, &pV->id);
    }
    *pV = v;          /* a number */
    return FAKT_OK;
  }
  switch( pE->op ){
    case E_ID: {
      int kind;
      rc = faktLookupName(w->t, pE->zName, pE->nName, &pV->id, &kind);
      if( rc==FAKT_NOTFOUND || (rc==0 && kind!=K_ENTITY && kind!=K_CLAIM && kind!=K_SOURCE) ){
        faktErrSet(w->pErr, FAKT_NOTFOUND, &pE->pos, "unknown entity \"%s\"", pE->zName);
        return FAKT_NOTFOUND;
      }
      if( rc ) return storeErr(w, rc, &pE->pos);
      pV->t = V_ID;
      w->hTerm = faktHash64(pE->zName, (size_t)pE->nName);
      return FAKT_OK;
    }
    case E_LABEL:
      rc = faktLookupLabelUnique(w->t, pE->zName, pE->nName, &pV->id);
      if( rc==FAKT_NOTFOUND ){
        faktErrSet(w->pErr, FAKT_NOTFOUND, &pE->pos, "no entity named \"%s\"", pE->zName);
        return rc;
      }
      if( rc==FAKT_CONSTRAINT ){
        faktErrSet(w->pErr, rc, &pE->pos, "ambiguous name \"%s\": use the entity's id", pE->zName);
        return rc;
      }
      if( rc ) return storeErr(w, rc, &pE->pos);
      pV->t = V_ID;
      return FAKT_OK;
    default: break;
  }
  if( bSubject==1 ){
    faktErrSet(w->pErr, FAKT_MISMATCH, &pE->pos, "type error: the subject of a claim must be an entity or a claim");
    return FAKT_MISMATCH;
  }
  switch( pE->op ){
    case E_STR:
      pV->t = V_STR;
      w->hTerm = faktHash64(pE->zName, (size_t)pE->nName);
      return strId(w, pE->zName, pE->nName, &pV->id);
    case E_INT: pV->t = V_INT; pV->u.i = pE->iVal; return FAKT_OK;
    case E_FLOAT: pV->t = V_FLOAT; pV->u.r = pE->rVal; return FAKT_OK;
    case E_BOOL: pV->t = V_BOOL; pV->u.i = pE->iVal; return FAKT_OK;
    case E_DATE: pV->t = V_DATE; pV->u.d = (uint64_t)pE->iVal; return FAKT_OK;
    case E_QTY:
      pV->t = V_QTY; pV->u.r = pE->rVal;
      return strId(w, pE->zUnit, (int)strlen(pE->zUnit), &pV->id);
    case E_NEG:
      if( pE->pLeft && (pE->pLeft->op==E_INT || pE->pLeft->op==E_FLOAT || pE->pLeft->op==E_QTY) ){
        rc = claimTerm(w, pE->pLeft, pV, 0);
        if( pV->t==V_INT ) pV->u.i = -pV->u.i; else pV->u.r = -pV->u.r;
        return rc;
      }
      /* fall through */
    default:
      faktErrSet(w->pErr, FAKT_SYNTAX, &pE->pos, "a claim's object must be a constant");
      return FAKT_SYNTAX;
  }
}

static const char *ptName(int pt){
  static const char *az[] = { "any value", "an entity", "a string", "a number", "a quantity", "a date", "a claim" };
  return pt>=0 && pt<=6 ? az[pt] : "?";
}

static const char *valKindName(StoreTxn *t, const Value *v){
  switch( v->t ){
    case V_STR: return "a string";
    case V_INT: case V_FLOAT: return "a number";
    case V_QTY: return "a quantity";
    case V_DATE: return "a date";
    case V_BOOL: return "a boolean";
    case V_ID: {
      int k = 0;
      faktObjGetKind(t, v->id, &k);
      return k==K_CLAIM ? "a claim" : "an entity";
    }
    default: return "null";
  }
}

static int typeOk(StoreTxn *t, int pt, const Value *v){
  int k = 0;
  switch( pt ){
    case PT_ANY: return 1;
    case PT_STRING: return v->t==V_STR;
    case PT_NUMBER: return v->t==V_INT || v->t==V_FLOAT;
    case PT_QUANTITY: return v->t==V_QTY || v->t==V_INT || v->t==V_FLOAT;
    case PT_DATE: return v->t==V_DATE;
    case PT_ENTITY: return v->t==V_ID && faktObjGetKind(t, v->id, &k)==FAKT_OK && k!=K_CLAIM;
    case PT_CLAIM: return v->t==V_ID && faktObjGetKind(t, v->id, &k)==FAKT_OK && k==K_CLAIM;
  }
  return 0;
}

/* Do a and b say the same, quotes included (either may share its quote
** with the source's text)? */
static int claimEq(StoreTxn *t, const ClaimRec *a, const ClaimRec *b){
  const char *zA, *zB;
  int nA, nB;
  if( !(a->s==b->s && a->p==b->p && memcmp(a->o, b->o, ENC_LEN)==0 && a->unit==b->unit
      && a->source==b->source && a->by==b->by && a->stance==b->stance && a->holds==b->holds
      && a->until==b->until && a->said==b->said && a->quote==b->quote && a->nVia==b->nVia
      && memcmp(a->aVia, b->aVia, sizeof(uint32_t)*a->nVia)==0) ) return 0;
  if( a->quote==0 ) return 1;
  return faktClaimQuote(t, a, &zA, &nA)==FAKT_OK && faktClaimQuote(t, b, &zB, &nB)==FAKT_OK
      && nA==nB && memcmp(zA, zB, (size_t)nA)==0;
}

/* The error for a quote not found in its source: the closest passage of the
** text (faktClosestPassage), when it shares a word with the quote, cut to
** 160 bytes at a character boundary, newlines as spaces. */
static void quoteNotFound(WCtx *w, Stmt *pS, const char *zFrom, const char *zText, size_t nText,
                          const char *zQuote){
  char zIn[FAKT_MAX_IDENT + 16];
  char zNear[200];
  size_t iStart, iEnd, i, n;
  const char *zDots = "";
  zIn[0] = 0;
  if( pS->zId ) snprintf(zIn, sizeof(zIn), " (claim %s)", pS->zId);
  if( zText==NULL || faktClosestPassage(zText, nText, zQuote, strlen(zQuote), &iStart, &iEnd)!=1 ){
    faktErrSet(w->pErr, FAKT_CONSTRAINT, &pS->posQuote, "quote not found in source %s%s", zFrom, zIn);
    return;
  }
  n = iEnd - iStart;
  if( n>160 ){
    n = 160;
    while( n>0 && ((unsigned char)zText[iStart+n] & 0xC0)==0x80 ) n--;
    zDots = "...";
  }
  memcpy(zNear, zText+iStart, n);
  zNear[n] = 0;
  for(i=0; i<n; i++) if( zNear[i]=='\n' || zNear[i]=='\r' || zNear[i]=='\t' ) zNear[i] = ' ';
  faktErrSet(w->pErr, FAKT_CONSTRAINT, &pS->posQuote,
             "quote not found in source %s%s; closest passage (bytes %zu-%zu): \"%s%s\"",
             zFrom, zIn, iStart, iEnd, zNear, zDots);
}

/*
** A new version of claim id (§4.4a): the old one moves to a new generated
** id _cN, retracted in this transaction unless it was already, and the
** sourceless claim `_cN replaced_by id` links it to its successor. The
** predicate replaced_by is made on first use.
*/
static int replaceClaim(WCtx *w, uint32_t id, ClaimRec *r, int bWasLive, const Pos *pPos){
  uint32_t idOld, idPred, idLink;
  int kind = 0;
  int rc = nameId(w, "replaced_by", pPos, &idPred, &kind);
  if( rc ) return rc;
  if( kind==0 ){
    EntRec e;
    memset(&e, 0, sizeof(e));
    e.kind = K_PREDICATE;
    e.objType = PT_CLAIM;
    rc = strId(w, "the claim that corrected this one: its next version", 51, &e.label);
    if( rc ) return rc;
    rc = putEnt(w, idPred, 0, &e, pPos);
    if( rc ) return rc;
  }
  rc = newClaimId(w, &idOld, pPos);
  if( rc ) return rc;
  r->txAdd = w->tx;
  r->txRet = 0;
  rc = faktClaimReplace(w->t, id, idOld, r, w->tx);
  if( rc ) return storeErr(w, rc, pPos);
  w->n.nAdded++;
  if( bWasLive ) w->n.nRetracted++;
  ClaimRec l;
  memset(&l, 0, sizeof(l));
  l.s = idOld;
  l.p = idPred;
  Value vO;
  memset(&vO, 0, sizeof(vO));
  vO.t = V_ID;
  vO.id = id;
  faktValueEncode(&vO, l.o);
  rc = faktLookupName(w->t, "asserts", 7, &l.stance, &kind);
  if( rc ) return storeErr(w, rc, pPos);
  rc = newClaimId(w, &idLink, pPos);
  if( rc ) return rc;
  return addClaim(w, idLink, &l, pPos);
}

static int defClaimQ(WCtx *w, Stmt *pS, char **pzCopy);

/* claim: defClaimQ, and free the copy of the article's bytes it took. */
static int defClaim(WCtx *w, Stmt *pS){
  char *zCopy = NULL;
  int rc = defClaimQ(w, pS, &zCopy);
  free(zCopy);
  return rc;
}

/* The options of a claim statement, written in the text or bound to
** parameters. */
typedef struct ClaimOpts {
  const char *zFrom, *zBy, *zStance, *zQuote;
  Pos posFrom, posBy, posStance;
  uint64_t holds, said;
  uint32_t idFrom, idBy;         /* from and by bound to an entity's id */
} ClaimOpts;

static int claimOptions(WCtx *w, Stmt *pS, ClaimOpts *o){
  int rc;
  Expr **ap = pS->aOptParam;
  memset(o, 0, sizeof(*o));
  o->zFrom = pS->zFrom; o->zBy = pS->zBy; o->zStance = pS->zStance; o->zQuote = pS->zQuote;
  o->posFrom = pS->from.pos; o->posBy = pS->by.pos; o->posStance = pS->stance.pos;
  o->holds = pS->pHolds ? (uint64_t)pS->pHolds->iVal : 0;
  o->said = pS->pSaid ? (uint64_t)pS->pSaid->iVal : 0;
  if( ap[OPT_FROM] ){ rc = paramNameOrId(w, ap[OPT_FROM], &o->zFrom, &o->idFrom); o->posFrom = ap[OPT_FROM]->pos; if( rc ) return rc; }
  if( ap[OPT_BY] ){ rc = paramNameOrId(w, ap[OPT_BY], &o->zBy, &o->idBy); o->posBy = ap[OPT_BY]->pos; if( rc ) return rc; }
  if( ap[OPT_STANCE] ){ rc = paramName(w, ap[OPT_STANCE], &o->zStance); o->posStance = ap[OPT_STANCE]->pos; if( rc ) return rc; }
  if( ap[OPT_HOLDS] && (rc = paramDate(w, ap[OPT_HOLDS], &o->holds))!=0 ) return rc;
  if( ap[OPT_SAID] && (rc = paramDate(w, ap[OPT_SAID], &o->said))!=0 ) return rc;
  if( ap[OPT_QUOTE] ){
    Value vq;
    paramOptional(w, ap[OPT_QUOTE], &vq);
    if( vq.t!=V_STR && vq.t!=V_NULL ){
      faktErrSet(w->pErr, FAKT_MISMATCH, &ap[OPT_QUOTE]->pos, "type error: a quote must be text");
      return FAKT_MISMATCH;
    }
    o->zQuote = vq.t==V_STR ? vq.z : NULL;
  }
  return FAKT_OK;
}

/* Subject, predicate and object, the object checked against the
** predicate's type. A new text in the object is left in w->zDefer, to be
** interned once the statement is known to be valid. */
static int claimTriple(WCtx *w, Stmt *pS, ClaimRec *r, Value *pvO){
  Value vS;
  int rc = claimTerm(w, pS->pS, &vS, 1);
  if( rc ) return rc;
  r->s = vS.id;
  /* the names at hand, for the proposition id: a subject or object found
  ** by its very name, a string's text (claimTerm), the predicate's name */
  r->aNameHash[0] = w->hTerm;
  r->aNameHash[1] = faktHash64(pS->pP->zName, strlen(pS->pP->zName));
  EntRec pred;
  uint32_t pid;
  rc = needObj(w, pS->pP->zName, &pS->pP->pos, K_PREDICATE, "predicate", &pid);
  if( rc ) return rc;
  r->p = pid;
  int pt;
  int iSlot = (int)(pid % LOAD_PRED_CACHE);
  if( inLoad(w) && w->aPredId[iSlot]==pid ){
    pt = w->aPredType[iSlot];
  }else{
    if( faktEntGet(w->t, pid, &pred) ) return storeErr(w, FAKT_CORRUPT, &pS->pP->pos);
    pt = pred.objType;
    if( inLoad(w) ){ w->aPredId[iSlot] = pid; w->aPredType[iSlot] = pred.objType; }
  }
  /* nothing is written until the statement is known to be valid: a new
  ** text in the object is interned at the end */
  w->bDefer = 1;
  w->zDefer = NULL;
  rc = claimTerm(w, pS->pO, pvO, (pt==PT_ENTITY || pt==PT_CLAIM) ? 2 : 0);
  w->bDefer = 0;
  if( rc ) return rc;
  if( !typeOk(w->t, pt, pvO) ){
    faktErrSet(w->pErr, FAKT_MISMATCH, &pS->pO->pos, "type error: predicate %s expects %s, got %s",
               pS->pP->zName, ptName(pt), valKindName(w->t, pvO));
    return FAKT_MISMATCH;
  }
  faktValueEncode(pvO, r->o);
  if( pvO->t==V_QTY ) r->unit = pvO->id;
  if( pvO->t==V_ID || pvO->t==V_STR ) r->aNameHash[2] = w->hTerm;
  return FAKT_OK;
}

/* Source, speaker, via chain, stance and the dates of a claim. */
static int claimProvenance(WCtx *w, Stmt *pS, ClaimOpts *o, ClaimRec *r){
  int rc, kind = 0;
  Expr **ap = pS->aOptParam;
  if( o->zFrom || o->idFrom ){
    rc = o->idFrom ? needId(w, o->idFrom, ap[OPT_FROM], K_SOURCE, "source", &o->zFrom)
                   : needObj(w, o->zFrom, &o->posFrom, K_SOURCE, "source", &r->source);
    if( rc ) return rc;
    if( o->idFrom ) r->source = o->idFrom;
  }
  if( o->zBy || o->idBy ){
    rc = o->idBy ? needId(w, o->idBy, ap[OPT_BY], 0, "entity", &o->zBy)
                 : needObj(w, o->zBy, &o->posBy, 0, "entity", &r->by);
    if( rc ) return rc;
    if( o->idBy ) r->by = o->idBy;
  }
  if( pS->via.n>8 ){
    faktErrSet(w->pErr, FAKT_TOOBIG, &pS->via.a[8].pos, "a via chain has at most 8 links");
    return FAKT_TOOBIG;
  }
  for(int i=0; i<pS->via.n; i++){
    rc = needObj(w, pS->via.az[i], &pS->via.a[i].pos, 0, "entity", &r->aVia[r->nVia++]);
    if( rc ) return rc;
  }
  const char *zStance = o->zStance ? o->zStance : "asserts";
  rc = faktLookupName(w->t, zStance, (int)strlen(zStance), &r->stance, &kind);
  if( rc==FAKT_NOTFOUND || (rc==0 && kind!=K_STANCE) ){
    faktErrSet(w->pErr, FAKT_NOTFOUND, &o->posStance,
               "unknown stance \"%s\" (use asserts, confirms, hedges, speculates or denies)", zStance);
    return FAKT_NOTFOUND;
  }
  if( rc ) return storeErr(w, rc, &pS->pos);
  r->holds = o->holds;
  if( pS->pUntil ) r->until = (uint64_t)pS->pUntil->iVal;
  r->said = o->said;
  if( pS->pUntil && r->holds && faktDateOrder(r->until, r->holds)<0 ){
    faktErrSet(w->pErr, FAKT_RANGE, &pS->pUntil->pos, "until date is before the holds date");
    return FAKT_RANGE;
  }
  return FAKT_OK;
}

/* The quote: found in the source's text (SPEC 7.2), its span and the
** article's exact bytes, copied into *pzCopy (malloc'd), are stored. */
static int claimQuote(WCtx *w, Stmt *pS, ClaimOpts *o, ClaimRec *r, char **pzCopy){
  if( o->zQuote==NULL ) return FAKT_OK;
  if( r->source==0 ){
    faktErrSet(w->pErr, FAKT_CONSTRAINT, &pS->posQuote, "a quote needs a source (from SOURCE)");
    return FAKT_CONSTRAINT;
  }
  const char *zText; size_t nText;
  int rc;
  if( inLongTxn(w) && w->db->srcText.id==r->source ){
    zText = w->db->srcText.z; nText = w->db->srcText.n; rc = FAKT_OK;
  }else{
    rc = faktTextGet(w->t, r->source, &zText, &nText);
    if( rc==FAKT_OK && inLongTxn(w) ){   /* the next claims quote it too */
      char *zCopy = malloc(nText + 1);
      if( zCopy ){
        memcpy(zCopy, zText, nText);
        zCopy[nText] = 0;
        keepText(w->db, r->source, zCopy, nText);
        zText = zCopy;
      }
    }
  }
  size_t iStart, iEnd;
  if( rc==FAKT_NOTFOUND || (rc==0 && !faktFindQuoteIn(keptIndex(w->db, zText), zText, nText,
                                                      o->zQuote, strlen(o->zQuote), &iStart, &iEnd)) ){
    if( o->zFrom==NULL ){
      int rc2 = paramName(w, pS->aOptParam[OPT_FROM], &o->zFrom);    /* bound to an id: its name */
      if( rc2 ) return rc2;
    }
    char zShow[FAKT_MAX_IDENT + 8];          /* from ~"LABEL": say it so */
    if( o->zFrom[0]=='~' ) snprintf(zShow, sizeof(zShow), "~\"%s\"", o->zFrom + 1);
    else snprintf(zShow, sizeof(zShow), "%s", o->zFrom);
    quoteNotFound(w, pS, zShow, rc==FAKT_NOTFOUND ? NULL : zText, nText, o->zQuote);
    return FAKT_CONSTRAINT;
  }
  if( rc ) return storeErr(w, rc, &pS->posQuote);
  r->spanStart = (uint32_t)iStart;
  r->spanEnd = (uint32_t)iEnd;
  /* the article's exact bytes are stored, not the quote as written (its
  ** quotation marks, dashes and spaces may differ); copied, as later
  ** writes of this statement may move the text's pages */
  size_t nQuote = iEnd - iStart;
  if( nQuote > FAKT_MAX_STRING ){
    faktErrSet(w->pErr, FAKT_TOOBIG, &pS->posQuote, "quote too long");
    return FAKT_TOOBIG;
  }
  *pzCopy = malloc(nQuote + 1);
  if( *pzCopy==NULL ){
    faktErrSet(w->pErr, FAKT_NOMEM, &pS->posQuote, "out of memory");
    return FAKT_NOMEM;
  }
  memcpy(*pzCopy, zText + iStart, nQuote);
  (*pzCopy)[nQuote] = 0;
  r->zQuote = *pzCopy;
  r->quote = (uint32_t)nQuote;
  return FAKT_OK;
}

/* What the claim's own id names already. *pId, and *pbNewName when the
** name is new; *pbSame when it is this very claim, live (nothing to do);
** *pbReplace (and *pbWasLive) when it replaces a claim of that id: a
** correction, or a retracted claim written again. */
typedef struct ClaimId { uint32_t id; int bNewName, bSame, bReplace, bWasLive; } ClaimId;

static int claimExisting(WCtx *w, Stmt *pS, const ClaimRec *r, ClaimId *ci){
  int rc, kind = 0;
  memset(ci, 0, sizeof(*ci));
  if( pS->zId==NULL ) return FAKT_OK;
  int nId = (int)strlen(pS->zId);
  rc = faktDictLookup(w->t, NS_NAME, pS->zId, nId, &ci->id);
  if( rc==FAKT_NOTFOUND ){
    ci->bNewName = 1;
  }else if( rc ){
    return storeErr(w, rc, &pS->id.pos);
  }else{
    rc = faktObjGetKind(w->t, ci->id, &kind);
    if( rc==FAKT_NOTFOUND ){ kind = 0; rc = FAKT_OK; }
    if( rc ) return storeErr(w, rc, &pS->id.pos);
  }
  if( kind==K_CLAIM ){
    ClaimRec old;
    rc = faktClaimGet(w->t, ci->id, &old);
    if( rc ) return storeErr(w, rc, &pS->id.pos);
    /* a text not yet interned cannot be the old claim's */
    if( w->zDefer==NULL && claimEq(w->t, &old, r) && visibleLive(&old) ){
      ci->bSame = 1;                        /* the same claim again: it is the one */
      return FAKT_OK;
    }
    if( old.txRet==0 && !pS->bCorrect ){
      faktErrSet(w->pErr, FAKT_CONSTRAINT, &pS->id.pos,
                 "claim %s already exists with different content (correct %s: … replaces it)",
                 pS->zId, pS->zId);
      return FAKT_CONSTRAINT;
    }
    /* a retracted claim written again, or a correction: a new version */
    ci->bReplace = 1;
    ci->bWasLive = old.txRet==0;
    int kLink = 0;
    uint32_t idLink;
    rc = faktLookupName(w->t, "replaced_by", 11, &idLink, &kLink);
    if( rc==FAKT_OK && kLink!=K_PREDICATE ){
      faktErrSet(w->pErr, FAKT_CONSTRAINT, &pS->id.pos,
                 "cannot correct claim %s: \"replaced_by\" is %s, not the predicate of corrections",
                 pS->zId, kindName(kLink));
      return FAKT_CONSTRAINT;
    }
    if( rc && rc!=FAKT_NOTFOUND ) return storeErr(w, rc, &pS->id.pos);
  }else if( pS->bCorrect && !kind ){
    faktErrSet(w->pErr, FAKT_NOTFOUND, &pS->id.pos,
               "no claim %s to correct (claim %s: … adds it)", pS->zId, pS->zId);
    return FAKT_NOTFOUND;
  }
  if( kind && kind!=K_CLAIM ){
    faktErrSet(w->pErr, FAKT_CONSTRAINT, &pS->id.pos, "\"%s\" is already defined as %s", pS->zId, kindName(kind));
    return FAKT_CONSTRAINT;
  }
  return FAKT_OK;
}

/* claim, with *pzCopy the malloc'd copy of the quote's bytes in the article
** (stored instead of the quote as written), freed by the caller. Every
** check comes before the first write. */
static int defClaimQ(WCtx *w, Stmt *pS, char **pzCopy){
  ClaimRec r;
  ClaimOpts o;
  ClaimId ci;
  Value vO;
  int rc, kind = 0;
  memset(&r, 0, sizeof(r));
  rc = claimOptions(w, pS, &o);
  if( rc==0 ) rc = claimTriple(w, pS, &r, &vO);
  if( rc==0 ) rc = claimProvenance(w, pS, &o, &r);
  if( rc==0 ) rc = claimQuote(w, pS, &o, &r, pzCopy);
  if( rc==0 ) rc = claimExisting(w, pS, &r, &ci);
  if( rc ) return rc;
  uint32_t id = ci.id;
  if( ci.bSame ){
    lastClaim(w, id, pS->zId);
    return FAKT_OK;
  }
  /* valid: from here on only the store can fail */
  if( w->zDefer ){
    rc = strId(w, w->zDefer, w->nDefer, &vO.id);
    if( rc ) return rc;
    faktValueEncode(&vO, r.o);
    if( vO.t==V_QTY ) r.unit = vO.id;
    w->zDefer = NULL;
  }
  if( ci.bReplace ){
    rc = replaceClaim(w, id, &r, ci.bWasLive, &pS->pos);
    if( rc==FAKT_OK ) lastClaim(w, id, pS->zId);
    return rc;
  }
  if( ci.bNewName && faktGenParse(pS->zId, (int)strlen(pS->zId), &id) ){
    /* an exported generated claim _cN comes back under its own id */
    rc = faktDictIntern(w->t, NS_NAME, pS->zId, (int)strlen(pS->zId), &id);
    if( rc ) return storeErr(w, rc, &pS->id.pos);
  }else if( ci.bNewName ){
    rc = nameId(w, pS->zId, &pS->id.pos, &id, &kind);
    if( rc ) return rc;
  }else if( pS->zId==NULL ){
    rc = newClaimId(w, &id, &pS->pos);
    if( rc ) return rc;
  }
  rc = addClaim(w, id, &r, &pS->pos);
  if( rc==FAKT_OK ) lastClaim(w, id, pS->zId);
  return rc;
}

/* ================================================================ retract */

static int retractClaim(WCtx *w, uint32_t id, const Pos *pPos){
  ClaimRec r;
  int rc = faktClaimGet(w->t, id, &r);
  if( rc ) return storeErr(w, rc, pPos);
  if( r.txRet ) return FAKT_OK;
  rc = faktClaimRetract(w->t, id, w->tx);
  if( rc ) return storeErr(w, rc, pPos);
  w->n.nRetracted++;
  return FAKT_OK;
}

static int doRetract(WCtx *w, Stmt *pS){
  for(int i=0; i<pS->in.n; i++){
    uint32_t id;
    int kind = 0;
    const Pos *pPos = &pS->in.a[i].pos;
    int rc = faktLookupName(w->t, pS->in.az[i], (int)strlen(pS->in.az[i]), &id, &kind);
    if( rc==FAKT_NOTFOUND ){
      faktErrSet(w->pErr, FAKT_NOTFOUND, pPos, "unknown claim or source \"%s\"", pS->in.az[i]);
      return rc;
    }
    if( rc ) return storeErr(w, rc, pPos);
    if( kind==K_CLAIM ){
      rc = retractClaim(w, id, pPos);
    }else if( kind==K_SOURCE ){
      uint32_t *aId = NULL;
      int nId = 0;
      rc = sourceClaims(w, id, pPos, &aId, &nId);
      if( rc ) return rc;
      for(int j=0; rc==0 && j<nId; j++) rc = retractClaim(w, aId[j], pPos);
      free(aId);
      if( rc==FAKT_NOMEM ) return storeErr(w, rc, pPos);
    }else{
      faktErrSet(w->pErr, FAKT_MISMATCH, pPos, "\"%s\" is %s: only claims and sources can be retracted",
                 pS->in.az[i], kindName(kind));
      return FAKT_MISMATCH;
    }
    if( rc ) return rc;
  }
  return FAKT_OK;
}

/* ================================================================ rules */

static int defRule(WCtx *w, Stmt *pS, const char *zText, int nText){
  uint32_t id;
  int kind, rc;
  rc = nameId(w, pS->zId, &pS->id.pos, &id, &kind);
  if( rc ) return rc;
  if( faktBuiltinFind(pS->zId, (int)strlen(pS->zId)) ){
    faktErrSet(w->pErr, FAKT_CONSTRAINT, &pS->id.pos, "\"%s\" is a built-in relation", pS->zId);
    return FAKT_CONSTRAINT;
  }
  /* trim the text to the statement itself */
  while( nText>0 && (zText[0]==' ' || zText[0]=='\n' || zText[0]=='\t' || zText[0]=='\r') ){ zText++; nText--; }
  rc = faktRulesCheck(w->db, w->t, pS, w->pErr);
  if( rc ) return rc;
  /* existing text of this rule name */
  char *zOld = NULL;
  size_t nOld = 0;
  const char *zRule;
  size_t nRule;
  if( faktRuleGet(w->t, id, &zRule, &nRule)==FAKT_OK ){
    zOld = malloc(nRule + 1);
    if( zOld ){ memcpy(zOld, zRule, nRule); zOld[nRule] = 0; nOld = nRule; }
  }
  char *zNew = faktMprintf("%.*s%s%.*s", (int)nOld, zOld ? zOld : "", nOld ? "\n" : "", nText, zText);
  if( zOld && strstr(zOld, zNew + nOld + (nOld ? 1 : 0)) ){
    free(zOld); free(zNew);
    return FAKT_OK;
  }
  free(zOld);
  if( zNew==NULL ) return storeErr(w, FAKT_NOMEM, &pS->pos);
  rc = faktRulePut(w->t, id, zNew, strlen(zNew));
  free(zNew);
  if( rc ) return storeErr(w, rc, &pS->pos);
  w->n.nOther++;
  return FAKT_OK;
}

static int dropRule(WCtx *w, Stmt *pS){
  uint32_t id;
  int rc = faktDictLookup(w->t, NS_NAME, pS->zId, (int)strlen(pS->zId), &id);
  if( rc==0 ) rc = faktRuleDel(w->t, id);
  if( rc==FAKT_NOTFOUND ){
    faktErrSet(w->pErr, FAKT_NOTFOUND, &pS->id.pos, "no rule named \"%s\"", pS->zId);
    return rc;
  }
  if( rc ) return storeErr(w, rc, &pS->pos);
  /* the remaining rules must still compile */
  rc = faktRulesCheck(w->db, w->t, NULL, w->pErr);
  if( rc ){
    FaktErr *e = w->pErr;
    char *zMsg = strdup(e->zMsg ? e->zMsg : "");
    faktErrReplace(e, rc, &pS->id.pos, "cannot drop rule %s: %s", pS->zId, zMsg ? zMsg : "");
    free(zMsg);
    return rc;
  }
  w->n.nOther++;
  return FAKT_OK;
}

/* ================================================================ load */

#define MAX_LOAD_DEPTH 16

/* After statement pSub of a load ran: count it, and every
** db->nProgressEvery statements call the progress handler; a non-zero
** answer stops the load as fakt_interrupt() does (its statement fails, so
** nothing of the file is stored). FAKT_OK or FAKT_INTERRUPT with *pE set. */
static int loadProgress(fakt *db, const Stmt *pSub, FaktErr *pE){
  db->nLoadStmts++;
  if( db->xProgress==NULL || db->nLoadStmts % db->nProgressEvery ) return FAKT_OK;
  if( db->xProgress(db->pProgressArg)==0 ) return FAKT_OK;
  faktErrSet(pE, FAKT_INTERRUPT, &pSub->pos, "interrupted");
  return FAKT_INTERRUPT;
}

/* Run item it of a load (a statement, or say why there is none). FAKT_OK
** to go on; LOAD_END at the file's end; else the code, with *pE set (but
** for a read error: doLoad says it). */
static int loadRun(WCtx *w, LoadItem *it, FaktErr *pE){
  fakt *db = w->db;
  Stmt *pSub = it->pSub;
  db->nTextScan += it->nScan;           /* the parser read the statement */
  if( it->rcRead ) return it->rcRead;
  if( it->rc ){
    faktErrReplace(pE, it->rc, NULL, "%s", it->e.zMsg ? it->e.zMsg : fakt_errstr(it->rc));
    pE->iLine = it->e.iLine; pE->iCol = it->e.iCol; pE->iOff = it->e.iOff;
    return it->rc;
  }
  if( pSub==NULL ) return it->nUsed ? FAKT_OK : LOAD_END;
  if( db->bInterrupt ){
    /* fakt_interrupt(): stop between statements; the load's statement
    ** fails, so nothing of the file is stored */
    faktErrSet(pE, FAKT_INTERRUPT, &pSub->pos, "interrupted");
    return FAKT_INTERRUPT;
  }
  if( pSub->kind==S_FIND || pSub->kind==S_BEGIN || pSub->kind==S_COMMIT || pSub->kind==S_ROLLBACK ){
    faktErrSet(pE, FAKT_ERROR, &pSub->pos, "a loaded file may only define and change facts");
    return FAKT_ERROR;
  }
  int rc = doStmt(w, pSub, it->zStmt, it->nUsed);
  if( rc==FAKT_OK ) rc = loadProgress(db, pSub, pE);
  if( rc==FAKT_OK && it->nUsed==0 ) rc = LOAD_END;
  return rc;
}

/*
** load "FILE": its statements, in order, in the load's transaction; the
** file is read and parsed ahead by loadfile.c (a thread of its own for a
** large file), the statements run here. The first error stops the load
** and names the file, line and column.
*/
static int doLoad(WCtx *w, Stmt *pS){
  fakt *db = w->db;
  if( db->nLoadDepth>=MAX_LOAD_DEPTH ){
    faktErrSet(w->pErr, FAKT_ERROR, &pS->pos, "load nested more than %d deep", MAX_LOAD_DEPTH);
    return FAKT_ERROR;
  }
  char *zPath = relPath(w->zBase, pS->zPath);
  if( zPath==NULL ) return storeErr(w, FAKT_NOMEM, &pS->pos);
  FILE *f = fopen(zPath, "rb");
  if( f==NULL ){
    faktErrSet(w->pErr, FAKT_CANTOPEN, &pS->posFile, "cannot read \"%s\": %s", zPath, strerror(errno));
    free(zPath);
    return FAKT_CANTOPEN;
  }
  FaktErr e;
  faktErrInit(&e);
  const char *zSaveBase = w->zBase;
  FaktErr *pSaveErr = w->pErr;
  w->zBase = zPath;
  w->pErr = &e;
  if( db->nLoadDepth==0 ) db->nLoadStmts = 0;   /* a new top-level load */
  db->nLoadDepth++;
  LoadReader *pIn = NULL;
  int rc = faktLoadOpen(f, db->bLoadNoThread, &pIn);
  while( rc==FAKT_OK ){
    LoadItem it;
    faktLoadNext(pIn, &it);
    rc = loadRun(w, &it, &e);
    faktLoadDone(pIn, &it);
  }
  if( rc==LOAD_END ) rc = FAKT_OK;
  LoadStats st;
  memset(&st, 0, sizeof(st));
  faktLoadClose(pIn, &st);              /* stops and joins its parser */
  if( st.nWindow > db->nLoadWindow ) db->nLoadWindow = st.nWindow;
  db->nLoadThreads += st.nThreads;
  db->nLoadThreadStmts += st.nThreadStmts;
  if( st.nAheadMax > db->nLoadAheadMax ) db->nLoadAheadMax = st.nAheadMax;
  db->nLoadDepth--;
  if( db->nLoadDepth==0 ) loadCacheFree(w);
  w->zBase = zSaveBase;
  w->pErr = pSaveErr;
  if( rc && e.rc==FAKT_OK && (rc==FAKT_NOMEM || rc==FAKT_IOERR) ){
    /* the file could not be read (a directory, a read error) or held */
    faktErrSet(w->pErr, rc, &pS->posFile, "cannot read \"%s\": %s", zPath,
               rc==FAKT_NOMEM ? "out of memory" : "read error");
  }else if( rc ){
    const char *zMsg = e.zMsg ? e.zMsg : fakt_errstr(rc);
    if( e.iLine>0 ){
      const char *zRest = strstr(zMsg, ": ");
      zRest = zRest ? zRest + 2 : zMsg;
      faktErrSet(w->pErr, rc, &pS->posFile, "in %s:%d:%d: %s", zPath, e.iLine, e.iCol, zRest);
    }else{
      faktErrSet(w->pErr, rc, &pS->posFile, "in %s: %s", zPath, zMsg);
    }
  }
  faktErrClear(&e);
  fclose(f);
  free(zPath);
  return rc;
}

/* ================================================================ dispatch */

static int doStmt(WCtx *w, Stmt *pS, const char *zText, int nText){
  switch( pS->kind ){
    case S_ENTITY: return defEntity(w, pS);
    case S_SOURCE: return defSource(w, pS);
    case S_PREDICATE: return defPredicate(w, pS);
    case S_CLAIM: return defClaim(w, pS);
    case S_RULE: return defRule(w, pS, zText, nText);
    case S_DROP_RULE: return dropRule(w, pS);
    case S_RETRACT: return doRetract(w, pS);
    case S_LOAD: return doLoad(w, pS);
    default:
      faktErrSet(w->pErr, FAKT_INTERNAL, &pS->pos, "not a write statement");
      return FAKT_INTERNAL;
  }
}

static int64_t nowMicros(void){
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (int64_t)tv.tv_sec*1000000 + tv.tv_usec;
}

static int logTx(fakt *db, StoreTxn *t, const Counts *n){
  TxRec rec;
  uint32_t tx;
  memset(&rec, 0, sizeof(rec));
  rec.tMicros = nowMicros();
  rec.nAdded = n->nAdded;
  rec.nRetracted = n->nRetracted;
  rec.nOther = n->nOther;
  int rc = faktStoreLogTx(t, &rec, &tx);
  if( rc ) faktErrSet(&db->err, rc, NULL, "%s", faktStoreErrmsg(db->pStore));
  return rc;
}

static int txnStmt(fakt_stmt *p){
  fakt *db = p->db;
  Stmt *pS = p->pStmt;
  int rc;
  switch( pS->kind ){
    case S_BEGIN:
      if( db->pTxn ){
        faktErrSet(&db->err, FAKT_ERROR, &pS->pos, "a transaction is already open");
        return FAKT_ERROR;
      }
      rc = faktStoreBegin(db->pStore, 1, &db->pTxn);
      if( rc==0 ) db->txOwner = pthread_self();
      if( rc ){
        db->pTxn = NULL;
        faktErrSet(&db->err, rc, &pS->pos, "cannot begin: %s", faktStoreErrmsg(db->pStore));
        return rc;
      }
      db->nTxAdded = db->nTxRetracted = db->nTxOther = 0;
      return FAKT_OK;
    case S_COMMIT: {
      if( db->pTxn==NULL ){
        faktErrSet(&db->err, FAKT_ERROR, &pS->pos, "no transaction is open");
        return FAKT_ERROR;
      }
      Counts n = { db->nTxAdded, db->nTxRetracted, db->nTxOther };
      rc = FAKT_OK;
      faktTxnEnding(db, "committed");
      faktWriteForgetText(db);
      if( n.nAdded + n.nRetracted + n.nOther ) rc = logTx(db, db->pTxn, &n);
      if( rc==0 ){
        rc = faktStoreCommit(db->pTxn);
        if( rc ) faktStoreFail(&db->err, db->pStore, rc, &pS->pos, "commit failed: ");
      }else{
        faktStoreAbort(db->pTxn);
      }
      db->pTxn = NULL;
      return rc;
    }
    default:
      if( db->pTxn==NULL ){
        faktErrSet(&db->err, FAKT_ERROR, &pS->pos, "no transaction is open");
        return FAKT_ERROR;
      }
      faktTxnEnding(db, "rolled back");
      faktWriteForgetText(db);
      faktStoreAbort(db->pTxn);
      db->pTxn = NULL;
      return FAKT_OK;
  }
}

/* ================================================================ session rules */

int faktSessionRuleHas(fakt *db, const char *zName, int n){
  for(int i=0; i<db->nSessRule; i++){
    if( (int)strlen(db->azSessName[i])==n && memcmp(db->azSessName[i], zName, (size_t)n)==0 ) return 1;
  }
  return 0;
}

/*
** `rule` and `drop rule` on a read-only handle: the rule lives for the
** session, in the handle, and the file is not touched (SPEC 4.5). It must
** compile with the stored rules and the session's others, as a stored one
** must. A stored rule cannot be dropped from a read-only handle.
*/
static int sessionRule(fakt_stmt *p){
  fakt *db = p->db;
  Stmt *pS = p->pStmt;
  StoreTxn *t = NULL;
  int rc = faktStoreBegin(db->pStore, 0, &t);
  if( rc ){
    faktErrSet(&db->err, rc, &pS->pos, "%s", faktStoreErrmsg(db->pStore));
    return rc;
  }
  int nName = (int)strlen(pS->zId);
  if( pS->kind==S_DROP_RULE ){
    int nKeep = 0, nOld = db->nSessRule;
    char **azN = db->azSessName, **azT = db->azSessText;
    char **azN2 = malloc(sizeof(char*)*(size_t)(nOld + 1)), **azT2 = malloc(sizeof(char*)*(size_t)(nOld + 1));
    if( azN2==NULL || azT2==NULL ){
      free(azN2); free(azT2); faktStoreAbort(t);
      faktErrSet(&db->err, FAKT_NOMEM, &pS->pos, "out of memory");
      return FAKT_NOMEM;
    }
    for(int i=0; i<nOld; i++){
      if( strcmp(azN[i], pS->zId)!=0 ){ azN2[nKeep] = azN[i]; azT2[nKeep++] = azT[i]; }
    }
    if( nKeep==nOld ){
      uint32_t id;
      int bStored = faktDictLookup(t, NS_NAME, pS->zId, nName, &id)==FAKT_OK && faktRuleHas(t, id);
      free(azN2); free(azT2); faktStoreAbort(t);
      if( bStored ){
        faktErrSet(&db->err, FAKT_READONLY, &pS->id.pos,
                   "rule %s is stored in the database, which is open read-only", pS->zId);
        return FAKT_READONLY;
      }
      faktErrSet(&db->err, FAKT_NOTFOUND, &pS->id.pos, "no rule named \"%s\"", pS->zId);
      return FAKT_NOTFOUND;
    }
    db->azSessName = azN2; db->azSessText = azT2; db->nSessRule = nKeep;
    rc = faktRulesCheck(db, t, NULL, &db->err);
    faktStoreAbort(t);
    if( rc ){                                   /* the others need it: keep it */
      db->azSessName = azN; db->azSessText = azT; db->nSessRule = nOld;
      free(azN2); free(azT2);
      char *zMsg = strdup(db->err.zMsg ? db->err.zMsg : "");
      faktErrReplace(&db->err, rc, &pS->id.pos, "cannot drop rule %s: %s", pS->zId, zMsg ? zMsg : "");
      free(zMsg);
      return rc;
    }
    for(int i=0; i<nOld; i++){
      if( strcmp(azN[i], pS->zId)==0 ){ free(azN[i]); free(azT[i]); }
    }
    free(azN); free(azT);
    return FAKT_OK;
  }
  if( faktBuiltinFind(pS->zId, nName) ){
    faktStoreAbort(t);
    faktErrSet(&db->err, FAKT_CONSTRAINT, &pS->id.pos, "\"%s\" is a built-in relation", pS->zId);
    return FAKT_CONSTRAINT;
  }
  rc = faktRulesCheck(db, t, pS, &db->err);
  faktStoreAbort(t);
  if( rc ) return rc;
  const char *zText = p->zSql;
  int nText = p->nSql;
  while( nText>0 && (zText[0]==' ' || zText[0]=='\n' || zText[0]=='\t' || zText[0]=='\r') ){ zText++; nText--; }
  char *zN = strdup(pS->zId), *zT = malloc((size_t)nText + 1);
  char **azN = realloc(db->azSessName, sizeof(char*)*(size_t)(db->nSessRule + 1));
  if( azN ) db->azSessName = azN;
  char **azT = realloc(db->azSessText, sizeof(char*)*(size_t)(db->nSessRule + 1));
  if( azT ) db->azSessText = azT;
  if( zN==NULL || zT==NULL || azN==NULL || azT==NULL ){
    free(zN); free(zT);
    faktErrSet(&db->err, FAKT_NOMEM, &pS->pos, "out of memory");
    return FAKT_NOMEM;
  }
  memcpy(zT, zText, (size_t)nText);
  zT[nText] = 0;
  db->azSessName[db->nSessRule] = zN;
  db->azSessText[db->nSessRule++] = zT;
  return FAKT_OK;
}

/* Run a write statement: all of it or nothing. */
int faktWriteStep(fakt_stmt *p){
  fakt *db = p->db;
  Stmt *pS = p->pStmt;
  int rc;
  if( pS->kind==S_BEGIN || pS->kind==S_COMMIT || pS->kind==S_ROLLBACK ) return txnStmt(p);
  if( db->bReadonly ){
    if( pS->kind==S_RULE || pS->kind==S_DROP_RULE ) return sessionRule(p);
    faktErrSet(&db->err, FAKT_READONLY, &pS->pos, "attempt to write a read-only database");
    return FAKT_READONLY;
  }
  WCtx w;
  memset(&w, 0, sizeof(w));
  w.db = db;
  w.pErr = &db->err;
  w.zBase = db->zOrigin;
  w.aParam = p->aParam;
  w.nParam = p->nParam;
  w.pArena = &p->arena;
  if( db->pTxn ){ w.t = db->pTxn; }
  if( db->pTxn && (pS->kind==S_CLAIM || (pS->kind==S_ENTITY && entityPlain(&w, pS))
                   || (pS->kind==S_SOURCE && sourcePlain(&w, pS))) ){
    /* A claim validates everything before it writes, and so does an entity
    ** or a source that entityPlain or sourcePlain passed: it runs in the
    ** transaction itself, without
    ** the cost of a nested one (which copies every page it touches, and
    ** whose commit grows with the dirty pages of the transaction). Should
    ** the store fail it after a write (full, out of memory, I/O), the
    ** whole transaction is rolled back. */
    uint64_t nBefore = faktStoreWrites(db->pTxn);
    w.tx = faktStoreLastTx(w.t) + 1;
    rc = doStmt(&w, pS, p->zSql, p->nSql);
    if( rc ){
      if( faktStoreWrites(db->pTxn)!=nBefore ){
        faktStoreDoom(db->pTxn, rc);
        FaktErr e = db->err;
        char *zOld = e.zMsg ? strdup(e.zMsg) : NULL;
        faktErrReplace(&db->err, rc, NULL, "%s; the transaction will be rolled back",
                       zOld ? zOld : fakt_errstr(rc));
        free(zOld);
        db->err.iOff = e.iOff; db->err.iLine = e.iLine; db->err.iCol = e.iCol;
      }
      return rc;
    }
    db->nTxAdded += w.n.nAdded;
    db->nTxRetracted += w.n.nRetracted;
    db->nTxOther += w.n.nOther;
    db->nChanges = w.n.nAdded + w.n.nRetracted;
    lastClaimKeep(&w);
    return FAKT_OK;
  }
  if( db->pTxn ){
    rc = faktStoreBeginNested(db->pTxn, &w.t);
    if( rc ) return storeErr(&w, rc, &pS->pos);
    w.tx = faktStoreLastTx(w.t) + 1;
    rc = doStmt(&w, pS, p->zSql, p->nSql);
    if( rc ){
      faktStoreAbort(w.t);
      return rc;
    }
    rc = faktStoreCommit(w.t);
    if( rc ) return storeErr(&w, rc, &pS->pos);
    db->nTxAdded += w.n.nAdded;
    db->nTxRetracted += w.n.nRetracted;
    db->nTxOther += w.n.nOther;
    db->nChanges = w.n.nAdded + w.n.nRetracted;
    lastClaimKeep(&w);
    return FAKT_OK;
  }
  for(int nTry=0; ; nTry++){
    memset(&w.n, 0, sizeof(w.n));
    rc = faktStoreBegin(db->pStore, 1, &w.t);
    if( rc ) return storeErr(&w, rc, &pS->pos);
    w.tx = faktStoreLastTx(w.t) + 1;
    rc = doStmt(&w, pS, p->zSql, p->nSql);
    if( rc==0 && (w.n.nAdded + w.n.nRetracted + w.n.nOther) ) rc = logTx(db, w.t, &w.n);
    if( rc==0 ){
      rc = faktStoreCommit(w.t);
    }else{
      faktStoreAbort(w.t);
    }
    /* out of transaction ids (w.tx past STORE_TX_MAX, or wrapped to 0):
    ** no bigger map helps */
    int bTxOut = w.tx==0 || w.tx>STORE_TX_MAX;
    if( rc==FAKT_FULL && !bTxOut && nTry<30 && faktStoreGrow(db->pStore)==FAKT_OK ){
      faktErrClear(&db->err);
      continue;
    }
    if( rc==FAKT_FULL ){
      const char *zStore = faktStoreErrmsg(db->pStore);
      faktErrReplace(&db->err, FAKT_FULL, &pS->pos, "%s%s; nothing was changed",
                     bTxOut ? "" : fullPrefix(zStore), zStore);
    }else if( rc && db->err.rc==FAKT_OK ){
      storeErr(&w, rc, &pS->pos);
    }
    break;
  }
  if( rc==0 ){
    db->nChanges = w.n.nAdded + w.n.nRetracted;
    lastClaimKeep(&w);
  }
  return rc;
}
