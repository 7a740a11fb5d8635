/*
** builtin.c -- built-in relations (claim and source metadata, entities,
** within, match) and functions (distance, dates, strings, quantities).
** Relations are generators: called again and again for the same inputs,
** each call binds the next answer (1) or says there is none left (0).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fakt_int.h"

/* ================================================================ helpers */

static int argErr(Exec *ex, Expr *pE, int i, const char *zWant, const Value *pGot);

static int argBound(Step *pS, int i){
  return pS->aArg[i].iSlot<0 || pS->aArg[i].bBound;
}

static Value vId(uint32_t id){ Value v; memset(&v, 0, sizeof(v)); v.t = V_ID; v.id = id; return v; }
static Value vStrId(uint32_t id){ Value v; memset(&v, 0, sizeof(v)); v.t = V_STR; v.id = id; return v; }
static Value vDate(uint64_t d){ Value v; memset(&v, 0, sizeof(v)); v.t = d ? V_DATE : V_NULL; v.u.d = d; return v; }
static Value vInt(int64_t i){ Value v; memset(&v, 0, sizeof(v)); v.t = V_INT; v.u.i = i; return v; }
static Value vFloat(double r){ Value v; memset(&v, 0, sizeof(v)); v.t = V_FLOAT; v.u.r = r; return v; }

/*
** Iteration over every object of a kind, in id order, with st->pCur a
** faktObjScan (st->iEnd marks it started). wantKind 0: every object that is not
** a claim; K_ENTITY includes sources. 1 with *pId, 0 at the end, or -rc.
*/
int faktNextObj(Exec *ex, StepState *st, int wantKind, uint32_t *pId){
  if( st->pCur==NULL ){
    if( st->iEnd ) return 0;
    st->iEnd = 1;
    int rc = faktObjScan(ex->pTxn, &st->pCur);
    if( rc ) return -faktStoreFail(ex->pErr, ex->db->pStore, rc, NULL, NULL);
  }
  for(;;){
    uint32_t id;
    int kind;
    int rc = faktObjNext(st->pCur, &id, &kind);
    if( rc==FAKT_DONE ) return 0;
    if( rc!=FAKT_ROW ) return -faktStoreFail(ex->pErr, ex->db->pStore, rc, NULL, NULL);
    if( wantKind==0 ){
      if( kind==K_CLAIM ) continue;
    }else if( kind!=wantKind && !(wantKind==K_ENTITY && kind==K_SOURCE) ){
      continue;
    }
    *pId = id;
    return 1;
  }
}

/* The visible claim with id, or 0. */
static int getClaim(Exec *ex, uint32_t id, ClaimRec *r){
  if( faktExecClaim(ex, id, r) ) return 0;
  Vis vis = { r->txAdd, r->txRet };
  return faktVisible(ex, &vis);
}

/* The claim with id, recorded at or before the snapshot: a retracted one
** (or an old version, §4.4a) too. Provenance with the claim given. */
static int pastClaim(Exec *ex, uint32_t id, ClaimRec *r){
  if( faktExecClaim(ex, id, r) ) return 0;
  return r->txAdd <= ex->txSnap;
}

/* ================================================================ claim metadata */

typedef enum { CM_SOURCE, CM_BY, CM_VIA, CM_STANCE, CM_HOLDS, CM_SAID, CM_QUOTE, CM_RECORDED } ClaimField;

/* Field f of r into *pV: 1, 0 when r has none, or -rc on an error. With
** bNoValue (an output nothing reads) the quote is only known to exist. */
static int claimField(Exec *ex, const ClaimRec *r, ClaimField f, int iVia, int bNoValue, Value *pV){
  switch( f ){
    case CM_SOURCE: if( !r->source ) return 0; *pV = vId(r->source); return 1;
    case CM_BY: if( !r->by ) return 0; *pV = vId(r->by); return 1;
    case CM_VIA: if( iVia>=(int)r->nVia ) return 0; *pV = vId(r->aVia[iVia]); return 1;
    case CM_STANCE: *pV = vId(r->stance); return 1;
    case CM_HOLDS: if( !r->holds ) return 0; *pV = vDate(r->holds); return 1;
    case CM_SAID: if( !r->said ) return 0; *pV = vDate(r->said); return 1;
    case CM_QUOTE: {
      if( bNoValue ){
        if( !r->quote ) return 0;
        memset(pV, 0, sizeof(*pV));
        pV->t = V_STR; pV->z = ""; pV->n = 0;
        return 1;
      }
      int rc = faktExecQuote(ex, r, pV);     /* from the record or the source text */
      return rc==FAKT_OK ? 1 : rc==FAKT_NOTFOUND ? 0 : -rc;
    }
    case CM_RECORDED: *pV = vInt(r->txAdd); return 1;
  }
  return 0;
}

/* Generic generator for claim(?c, ?x): by claim, or over all claims. */
static int genClaimField(Exec *ex, Step *pS, StepState *st, Value *aArg, ClaimField f){
  ClaimRec r;
  Value v;
  int got;
  if( argBound(pS, 0) ){
    if( aArg[0].t!=V_ID || !pastClaim(ex, aArg[0].id, &r) ) return 0;
    if( f!=CM_VIA && st->iPos>0 ) return 0;
    while( (got = claimField(ex, &r, f, st->iPos, pS->aArg[1].bUnused, &v))>0 ){
      st->iPos++;
      if( faktBindOut(ex, pS, 1, &v) ) return 1;
      if( f!=CM_VIA ) return 0;
    }
    return got<0 ? got : 0;
  }
  /* claims of a source: use the source index */
  if( f==CM_SOURCE && argBound(pS, 1) ){
    if( aArg[1].t!=V_ID ) return 0;
    if( st->pCur==NULL ){
      if( st->iEnd ) return 0;
      st->iEnd = 1;
      int rc = faktSourceClaimsScan(ex->pTxn, aArg[1].id, &st->pCur);
      if( rc ) return -rc;
    }
    uint32_t cid;
    while( faktSourceClaimsNext(st->pCur, &cid)==FAKT_ROW ){
      if( !getClaim(ex, cid, &r) ) continue;
      Value vc = vId(cid);
      if( faktBindOut(ex, pS, 0, &vc) ) return 1;
    }
    return 0;
  }
  for(;;){
    if( st->iPos==0 ){
      uint32_t id;
      int rc = faktNextObj(ex, st, K_CLAIM, &id);
      if( rc<=0 ) return rc;
      st->aKey[0] = vId(id);
    }
    if( getClaim(ex, st->aKey[0].id, &r) && (got = claimField(ex, &r, f, st->iPos, pS->aArg[1].bUnused, &v))!=0 ){
      if( got<0 ) return got;
      st->iPos = f==CM_VIA ? st->iPos+1 : 0;
      if( faktBindOut(ex, pS, 1, &v) && faktBindOut(ex, pS, 0, &st->aKey[0]) ) return 1;
      continue;
    }
    st->iPos = 0;
  }
}

static int gSource(Exec *e, Step *s, StepState *st, Value *a){ return genClaimField(e, s, st, a, CM_SOURCE); }
static int gBy(Exec *e, Step *s, StepState *st, Value *a){ return genClaimField(e, s, st, a, CM_BY); }
static int gVia(Exec *e, Step *s, StepState *st, Value *a){ return genClaimField(e, s, st, a, CM_VIA); }
static int gStance(Exec *e, Step *s, StepState *st, Value *a){ return genClaimField(e, s, st, a, CM_STANCE); }
static int gHolds(Exec *e, Step *s, StepState *st, Value *a){ return genClaimField(e, s, st, a, CM_HOLDS); }
static int gSaid(Exec *e, Step *s, StepState *st, Value *a){ return genClaimField(e, s, st, a, CM_SAID); }
static int gQuote(Exec *e, Step *s, StepState *st, Value *a){ return genClaimField(e, s, st, a, CM_QUOTE); }
static int gRecorded(Exec *e, Step *s, StepState *st, Value *a){ return genClaimField(e, s, st, a, CM_RECORDED); }

/* A string value pointing at z[0..n), which must outlive the row. */
static Value vText(const char *z, int n){
  Value v;
  memset(&v, 0, sizeof(v));
  v.t = V_STR; v.z = z; v.n = n;
  return v;
}

/* ================================================================ entity metadata */

typedef enum { EM_TYPE, EM_LABEL, EM_ALIAS, EM_COORDS, EM_PUBLISHED, EM_OUTLET, EM_TITLE } EntField;

/* Values of a field of an entity record; iK selects among aliases. nOut values. */
static int entField(const EntRec *r, EntField f, int iK, Value *aV){
  switch( f ){
    case EM_TYPE:
      if( r->kind==K_PREDICATE && r->objType<=PT_CLAIM ){
        /* a predicate's type is the type of its objects, as objtype() says */
        static const char *const azObj[] = { "any", "entity", "string", "number", "quantity", "date", "claim" };
        aV[0] = vText(azObj[r->objType], (int)strlen(azObj[r->objType]));
        return 1;
      }
      if( !r->type ) return 0;
      aV[0] = vId(r->type);
      return 1;                                /* see typeOfKind */
    case EM_LABEL: if( !r->label ) return 0; aV[0] = vStrId(r->label); return 1;
    case EM_TITLE: if( r->kind!=K_SOURCE || !r->label ) return 0; aV[0] = vStrId(r->label); return 1;
    case EM_ALIAS: if( iK>=(int)r->nAlias ) return 0; aV[0] = vStrId(r->aAlias[iK]); return 1;
    case EM_COORDS: if( !r->bCoords ) return 0; aV[0] = vFloat(r->lat); aV[1] = vFloat(r->lon); return 1;
    case EM_PUBLISHED: if( !r->published ) return 0; aV[0] = vDate(r->published); return 1;
    case EM_OUTLET: if( !r->outlet ) return 0; aV[0] = vId(r->outlet); return 1;
  }
  return 0;
}

/* Types and stances are entities of type "type" and "stance". */
static void typeOfKind(Exec *ex, EntRec *r){
  if( r->type==0 && (r->kind==K_TYPE || r->kind==K_STANCE) ){
    const char *z = r->kind==K_TYPE ? "type" : "stance";
    uint32_t id;
    if( faktDictLookup(ex->pTxn, NS_NAME, z, (int)strlen(z), &id)==FAKT_OK ) r->type = id;
  }
}

static int genEntField(Exec *ex, Step *pS, StepState *st, Value *aArg, EntField f, int wantKind){
  EntRec r;
  Value aV[2];
  int nOut = f==EM_COORDS ? 2 : 1;
  if( argBound(pS, 0) ){
    if( aArg[0].t!=V_ID || faktEntGet(ex->pTxn, aArg[0].id, &r) ) return 0;
    if( f==EM_TYPE ) typeOfKind(ex, &r);
    if( f!=EM_ALIAS && st->iPos>0 ) return 0;
    while( entField(&r, f, st->iPos, aV) ){
      st->iPos++;
      int ok = 1;
      for(int i=0; i<nOut && ok; i++) ok = faktBindOut(ex, pS, 1+i, &aV[i]);
      if( ok ) return 1;
      if( f!=EM_ALIAS ) return 0;
    }
    return 0;
  }
  for(;;){
    if( st->iPos==0 ){
      uint32_t id;
      int rc = faktNextObj(ex, st, wantKind, &id);
      if( rc<=0 ) return rc;
      st->aKey[0] = vId(id);
    }
    int bGot = faktEntGet(ex->pTxn, st->aKey[0].id, &r)==FAKT_OK;
    if( bGot && f==EM_TYPE ) typeOfKind(ex, &r);
    if( bGot && entField(&r, f, st->iPos, aV) ){
      st->iPos = f==EM_ALIAS ? st->iPos+1 : 0;
      int ok = faktBindOut(ex, pS, 0, &st->aKey[0]);
      for(int i=0; i<nOut && ok; i++) ok = faktBindOut(ex, pS, 1+i, &aV[i]);
      if( ok ) return 1;
      continue;
    }
    st->iPos = 0;
  }
}

static int gType(Exec *e, Step *s, StepState *st, Value *a){
  /* type(?e, T) over every named object: entities, sources, types, stances */
  return genEntField(e, s, st, a, EM_TYPE, 0);
}
static int gLabel(Exec *e, Step *s, StepState *st, Value *a){ return genEntField(e, s, st, a, EM_LABEL, K_ENTITY); }
static int gAlias(Exec *e, Step *s, StepState *st, Value *a){ return genEntField(e, s, st, a, EM_ALIAS, K_ENTITY); }
static int gCoords(Exec *e, Step *s, StepState *st, Value *a){ return genEntField(e, s, st, a, EM_COORDS, K_ENTITY); }
static int gPublished(Exec *e, Step *s, StepState *st, Value *a){ return genEntField(e, s, st, a, EM_PUBLISHED, K_SOURCE); }
static int gOutlet(Exec *e, Step *s, StepState *st, Value *a){ return genEntField(e, s, st, a, EM_OUTLET, K_SOURCE); }
static int gTitle(Exec *e, Step *s, StepState *st, Value *a){ return genEntField(e, s, st, a, EM_TITLE, K_SOURCE); }

/* predicate(P) and single(P): declared predicates, the single-valued ones. */
static int genPredicate(Exec *ex, Step *pS, StepState *st, Value *aArg, int bSingle){
  EntRec r;
  if( argBound(pS, 0) ){
    if( st->iPos++ || aArg[0].t!=V_ID ) return 0;
    if( faktEntGet(ex->pTxn, aArg[0].id, &r) || r.kind!=K_PREDICATE ) return 0;
    return !bSingle || (r.flags & PRED_SINGLE)!=0;
  }
  for(;;){
    uint32_t id;
    int rc = faktNextObj(ex, st, K_PREDICATE, &id);
    if( rc<=0 ) return rc;
    if( bSingle && (faktEntGet(ex->pTxn, id, &r) || !(r.flags & PRED_SINGLE)) ) continue;
    Value v = vId(id);
    if( faktBindOut(ex, pS, 0, &v) ) return 1;
  }
}
static int gPredicate(Exec *e, Step *s, StepState *st, Value *a){ return genPredicate(e, s, st, a, 0); }
static int gSingle(Exec *e, Step *s, StepState *st, Value *a){ return genPredicate(e, s, st, a, 1); }


/* objtype(?p, ?t): each predicate with the type its objects must have, as
** declared (SPEC 4.3): "entity", "string", "number", "quantity", "date",
** "claim", or "any" when none was declared. */
static int gObjtype(Exec *ex, Step *pS, StepState *st, Value *aArg){
  static const char *const azType[] = { "any", "entity", "string", "number", "quantity", "date", "claim" };
  for(;;){
    EntRec r;
    uint32_t id;
    int rc;
    if( argBound(pS, 0) ){
      if( st->iPos++ || aArg[0].t!=V_ID ) return 0;
      id = aArg[0].id;
    }else{
      rc = faktNextObj(ex, st, K_PREDICATE, &id);
      if( rc<=0 ) return rc;
    }
    if( faktEntGet(ex->pTxn, id, &r) || r.kind!=K_PREDICATE || r.objType>6 ) continue;
    Value vp = vId(id), vt = vText(azType[r.objType], (int)strlen(azType[r.objType]));
    if( faktBindOut(ex, pS, 0, &vp) && faktBindOut(ex, pS, 1, &vt) ) return 1;
  }
}

/* rule_text(?r, ?text): each stored rule name (a string) with its stored
** text, every alternative of the name (SPEC 4.5). Read whole at the first
** call into st->pAux; each row gets copies in the exec arena. */
typedef struct RuleTexts {
  int n, nAlloc, i;
  char **azName, **azText;
} RuleTexts;

static void ruleTextsFree(void *p){
  RuleTexts *r = p;
  if( r==NULL ) return;
  for(int i=0; i<r->n; i++){ free(r->azName[i]); free(r->azText[i]); }
  free(r->azName);
  free(r->azText);
  free(r);
}

typedef struct RuleTextsCtx { RuleTexts *r; StoreTxn *t; } RuleTextsCtx;

static int ruleTextsAdd(void *pArg, uint32_t id, const char *z, size_t n){
  RuleTextsCtx *c = pArg;
  RuleTexts *r = c->r;
  char aGen[FAKT_GEN_NAME];
  const char *zName = "?";
  int nName = 1;
  faktIdName(c->t, id, aGen, &zName, &nName);
  if( r->n==r->nAlloc ){
    int nNew = r->nAlloc ? r->nAlloc*2 : 16;
    char **a1 = realloc(r->azName, sizeof(char*)*(size_t)nNew);
    if( a1 ) r->azName = a1;
    char **a2 = realloc(r->azText, sizeof(char*)*(size_t)nNew);
    if( a2 ) r->azText = a2;
    if( a1==NULL || a2==NULL ) return FAKT_NOMEM;
    r->nAlloc = nNew;
  }
  char *zN = strndup(zName, (size_t)nName), *zT = strndup(z, n);
  if( zN==NULL || zT==NULL ){ free(zN); free(zT); return FAKT_NOMEM; }
  r->azName[r->n] = zN;
  r->azText[r->n] = zT;
  r->n++;
  return FAKT_OK;
}

static int gRuleText(Exec *ex, Step *pS, StepState *st, Value *aArg){
  RuleTexts *r = st->pAux;
  (void)aArg;
  if( r==NULL ){
    if( st->iEnd ) return 0;
    st->iEnd = 1;
    r = calloc(1, sizeof(RuleTexts));
    if( r==NULL ) return -FAKT_NOMEM;
    st->pAux = r;
    st->xAuxFree = ruleTextsFree;
    RuleTextsCtx c = { r, ex->pTxn };
    int rc = faktRuleEach(ex->pTxn, ruleTextsAdd, &c);
    if( rc ) return -faktStoreFail(ex->pErr, ex->db->pStore, rc, NULL, NULL);
  }
  while( r->i < r->n ){
    int i = r->i++, rc;
    Value vn, vt;          /* copied into the exec arena: rows may outlive pAux */
    rc = faktStrValue(ex, r->azName[i], (int)strlen(r->azName[i]), &vn);
    if( rc==0 ) rc = faktStrValue(ex, r->azText[i], (int)strlen(r->azText[i]), &vt);
    if( rc ){ faktErrSet(ex->pErr, rc, NULL, "%s", fakt_errstr(rc)); return -rc; }
    if( faktBindOut(ex, pS, 0, &vn) && faktBindOut(ex, pS, 1, &vt) ) return 1;
  }
  return 0;
}

/* ---------------------------------------------------------------- names */

/* The ids found so far by faktNamedIds. */
typedef struct NamedIds { uint32_t *a; int n, nAlloc; } NamedIds;

/* Add the entities of one alias key zKey[0..nKey) (a folded text) to pIds,
** each once. */
static int namedKey(StoreTxn *t, const char *zKey, size_t nKey, NamedIds *pIds){
  StoreCursor *cur;
  uint32_t id;
  int rc;
  if( nKey==0 ) return FAKT_OK;
  rc = faktAliasScan(t, zKey, nKey, &cur);
  if( rc ) return rc;
  while( (rc = faktAliasNext(cur, &id))==FAKT_ROW ){
    int i;
    for(i=0; i<pIds->n && pIds->a[i]!=id; i++){}
    if( i<pIds->n ) continue;
    if( pIds->n>=pIds->nAlloc ){
      int nNew = pIds->nAlloc ? pIds->nAlloc*2 : 8;
      uint32_t *a = realloc(pIds->a, sizeof(uint32_t)*(size_t)nNew);
      if( a==NULL ){ faktCursorClose(cur); return FAKT_NOMEM; }
      pIds->a = a;
      pIds->nAlloc = nNew;
    }
    pIds->a[pIds->n++] = id;
  }
  faktCursorClose(cur);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}


/* At most this many digraphs of a name are tried both ways (2^6 keys). */
#define NAMED_DIGRAPH_MAX 6

/*
** The entities whose label or an alias matches the name z[0..n) (SPEC 7.1):
** whose folded text (the alias index key) equals the fold of z, or the fold
** of z with ä ö ü spelled ae oe ue, or the fold of z with any of its
** digraphs ae oe ue (the first 6) read as the umlaut's base letter. So
** "Pjoengjang" finds the label "Pjöngjang" (key "pjongjang") and "Göthe" an
** alias "Goethe". The variants are tried only when the plain fold finds
** nobody: the spelling as typed wins. The index is unchanged: the variants
** are made here, at lookup. The ids, each once, in *paId (malloc'd; the
** caller frees it) and *pnId.
*/
int faktNamedIds(StoreTxn *t, const char *z, int n, uint32_t **paId, int *pnId){
  NamedIds ids = { NULL, 0, 0 };
  size_t nOut = (size_t)n*2 + 2, nF, nU, aPos[NAMED_DIGRAPH_MAX];
  char *zF = malloc(nOut*2);         /* the fold, then a variant */
  char *zV = zF ? zF + nOut : NULL;
  int rc = FAKT_NOMEM, bUmlaut = 0, nPos;
  unsigned mask;
  *paId = NULL;
  *pnId = 0;
  if( zF==NULL ) goto done;
  nF = faktFold(z, (size_t)n, zF, nOut);
  rc = namedKey(t, zF, nF, &ids);
  if( rc || ids.n ) goto done;         /* the spelling as typed wins */
  nU = faktFoldUmlaut(z, (size_t)n, zV, nOut, &bUmlaut);
  if( nU==(size_t)-1 ){ rc = FAKT_NOMEM; goto done; }
  if( bUmlaut ){
    rc = namedKey(t, zV, nU, &ids);
    if( rc ) goto done;
  }
  nPos = faktFoldDigraphs(zF, nF, aPos, NAMED_DIGRAPH_MAX);
  for(mask=1; mask < (1u<<nPos); mask++){
    size_t i, j = 0;
    int iPos = 0;
    for(i=0; i<nF; i++){
      if( iPos<nPos && aPos[iPos]==i ){
        zV[j++] = zF[i];
        if( mask & (1u<<iPos) ) i++;       /* ae -> a: skip the e */
        iPos++;
        continue;
      }
      zV[j++] = zF[i];
    }
    rc = namedKey(t, zV, j, &ids);
    if( rc ) goto done;
  }
  rc = FAKT_OK;
done:
  free(zF);
  if( rc ){ free(ids.a); return rc; }
  *paId = ids.a;
  *pnId = ids.n;
  return FAKT_OK;
}

/* The state of named(): the ids found, the next to emit. */
typedef struct NamedState { uint32_t *a; int n, i; } NamedState;
static void namedFree(void *p){
  NamedState *ns = p;
  free(ns->a);
  free(ns);
}

/* named(?e, TEXT): entities whose label or an alias matches TEXT. */
static int gNamed(Exec *ex, Step *pS, StepState *st, Value *aArg){
  NamedState *ns = st->pAux;
  if( ns==NULL ){
    const char *z; int n;
    if( st->iEnd ) return 0;
    st->iEnd = 1;
    if( aArg[1].t!=V_STR ) return 0;
    faktValueText(ex, &aArg[1], &z, &n);
    ns = calloc(1, sizeof(NamedState));
    if( ns==NULL ) return -FAKT_NOMEM;
    st->pAux = ns;
    st->xAuxFree = namedFree;
    int rc = faktNamedIds(ex->pTxn, z, n, &ns->a, &ns->n);
    if( rc ) return -rc;
  }
  while( ns->i < ns->n ){
    Value ve = vId(ns->a[ns->i++]);
    if( faktBindOut(ex, pS, 0, &ve) ) return 1;
  }
  return 0;
}

/* within(?p, CENTER, KM): places within KM km, through the geo index. */
typedef struct WithinState { double lat, lon, km; int nCell, iCell; uint32_t aCell[512]; } WithinState;

static int numArg(const Value *v, double *pr){
  if( v->t==V_INT ){ *pr = (double)v->u.i; return 1; }
  if( v->t==V_FLOAT || v->t==V_QTY ){ *pr = v->u.r; return 1; }
  return 0;
}

static int gWithin(Exec *ex, Step *pS, StepState *st, Value *aArg){
  WithinState *w = st->pAux;
  if( w==NULL ){
    if( st->iEnd ) return 0;
    st->iEnd = 1;
    EntRec rc0;
    double km;
    if( aArg[1].t!=V_ID || faktEntGet(ex->pTxn, aArg[1].id, &rc0) || !rc0.bCoords ) return 0;
    if( !numArg(&aArg[2], &km) ){
      faktErrSet(ex->pErr, FAKT_MISMATCH, &pS->pLit->pos, "type error: within() needs a distance in km");
      return -FAKT_MISMATCH;
    }
    w = calloc(1, sizeof(WithinState));
    if( w==NULL ) return -FAKT_NOMEM;
    st->pAux = w;
    w->lat = rc0.lat; w->lon = rc0.lon; w->km = km;
    w->nCell = faktGeoCells(w->lat, w->lon, km, w->aCell, 512);
    w->iCell = 0;
    if( argBound(pS, 0) ){
      /* a test: one distance computation */
      EntRec r;
      w->nCell = 0;
      if( aArg[0].t!=V_ID || faktEntGet(ex->pTxn, aArg[0].id, &r) || !r.bCoords ) return 0;
      return faktHaversineKm(w->lat, w->lon, r.lat, r.lon) <= km;
    }
  }
  for(;;){
    if( st->pCur==NULL ){
      if( w->nCell>=0 && w->iCell>=w->nCell ) return 0;
      if( w->nCell<0 && w->iCell>0 ) return 0;
      int rc;
      if( w->nCell<0 ){
        rc = faktGeoScan(ex->pTxn, 1, 0, &st->pCur);
      }else{
        rc = faktGeoScan(ex->pTxn, 0, w->aCell[w->iCell], &st->pCur);
      }
      w->iCell++;
      if( rc ) return -rc;
    }
    uint32_t idPlace;
    double lat, lon;
    int rc = faktGeoNext(st->pCur, &idPlace, &lat, &lon);
    if( rc!=FAKT_ROW ){
      faktCursorClose(st->pCur);
      st->pCur = NULL;
      continue;
    }
    if( faktHaversineKm(w->lat, w->lon, lat, lon) > w->km ) continue;
    Value ve = vId(idPlace);
    if( faktBindOut(ex, pS, 0, &ve) ) return 1;
  }
}

/*
** match(?x, TEXT): claims (quotes) and sources (text) containing every
** word. Each word's postings come in ascending doc order (faktFtsOpen);
** with ?x free they are intersected by a leapfrog join: the candidate is
** the largest doc a cursor stands on, and each cursor in turn seeks to it,
** until all of them agree. With ?x bound, each word is one seek.
**
** match(?x, ENTITY) (an id or ~"label"): the docs that match any of the
** entity's names, its label and every alias, each as TEXT would: the
** names' docs are gathered, merged and deduplicated, then walked in order.
*/
#define MATCH_TOK_MAX 16           /* words of TEXT used, at most */
typedef struct MatchWords {
  int nTok;                        /* words */
  char aTok[MATCH_TOK_MAX][72];    /* folded words (at most 64 bytes each) */
  int anTok[MATCH_TOK_MAX];
  FtsCursor *apCur[MATCH_TOK_MAX]; /* one per word, once the walk began */
  uint32_t next;                   /* the next doc may not be below this */
  int bEnd;                        /* no docs left */
  int iCur;                        /* the cursor that seeks next */
} MatchWords;

typedef struct MatchState {
  MatchWords w;                    /* TEXT's words */
  uint32_t *aDoc;                  /* ENTITY: the docs of all its names, ascending */
  int nDoc, nAlloc, iDoc;
  int bEntity;                     /* ENTITY: walk aDoc */
} MatchState;

static void wordsClose(MatchWords *w){
  for(int i=0; i<w->nTok; i++){ faktFtsClose(w->apCur[i]); w->apCur[i] = NULL; }
}

/* st->pAux destructor of match: closes the cursors. */
static void matchFree(void *pArg){
  MatchState *m = pArg;
  wordsClose(&m->w);
  free(m->aDoc);
  free(m);
}

static int addTok(void *pArg, const char *z, size_t n, size_t iOff){
  MatchWords *w = pArg;
  (void)iOff;
  if( w->nTok>=MATCH_TOK_MAX ) return 0;
  memcpy(w->aTok[w->nTok], z, n);
  w->aTok[w->nTok][n] = 0;
  w->anTok[w->nTok++] = (int)n;
  return 0;
}

/* 1 if doc has the posting of word zTok, 0 if not, or -rc. */
static int hasPosting(Exec *ex, const char *zTok, int nTok, uint32_t doc){
  FtsCursor *c;
  uint32_t d = 0;
  int rc = faktFtsOpen(ex->pTxn, zTok, nTok, &c);
  if( rc ) return -rc;
  rc = faktFtsSeek(c, doc, &d);
  faktFtsClose(c);
  if( rc==FAKT_ROW ) return d==doc;
  return rc==FAKT_DONE ? 0 : -rc;
}

/* 1 if doc holds every word of w, 0 if not, or -rc. */
static int wordsHas(Exec *ex, const MatchWords *w, uint32_t doc){
  for(int i=0; i<w->nTok; i++){
    int rc = hasPosting(ex, w->aTok[i], w->anTok[i], doc);
    if( rc<=0 ) return rc;
  }
  return w->nTok>0;
}

/* Open a cursor per word; the walk starts at doc 'from'. */
static int wordsOpen(Exec *ex, MatchWords *w, uint32_t from){
  for(int i=0; i<w->nTok; i++){
    int rc = faktFtsOpen(ex->pTxn, w->aTok[i], w->anTok[i], &w->apCur[i]);
    if( rc ) return rc;            /* the caller closes the open ones */
  }
  w->bEnd = 0;
  w->next = from;
  return FAKT_OK;
}

/* The next doc, ascending, that every word's cursor holds: 1 with *pDoc, 0 at the end, or -rc. */
static int matchNextDoc(Exec *ex, MatchWords *m, uint32_t *pDoc){
  uint32_t x = m->next;            /* the candidate */
  int nAgree = 0;                  /* cursors in a row that stand on x */
  if( m->bEnd ) return 0;
  while( nAgree<m->nTok ){
    uint32_t d;
    int rc = faktFtsSeek(m->apCur[m->iCur], x, &d);
    if( rc==FAKT_DONE ){ m->bEnd = 1; return 0; }
    if( rc!=FAKT_ROW ) return -rc;
    if( d==x ){
      nAgree++;
    }else{
      x = d;
      nAgree = 1;
    }
    m->iCur = (m->iCur + 1) % m->nTok;
    if( (++ex->nWork & 1023)==0 && (rc = faktExecCheck(ex))!=FAKT_OK ) return -rc;
  }
  if( x==UINT32_MAX ) m->bEnd = 1; else m->next = x + 1;
  *pDoc = x;
  return 1;
}

/* 1 if doc may be an answer: a source (unless bClaimsOnly), or a claim
** visible to the query. */
static int matchVisible(Exec *ex, uint32_t doc, int bClaimsOnly){
  ClaimRec r;
  /* one fetch: the record stays cached for quote(), source() ... of the row */
  if( faktExecClaim(ex, doc, &r)!=FAKT_OK ) return !bClaimsOnly;   /* not a claim */
  Vis vis = { r.txAdd, r.txRet };
  return faktVisible(ex, &vis);
}

static int docCmp(const void *a, const void *b){
  uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
  return x<y ? -1 : x>y;
}

/* The names of entity id (label first, then aliases): string ids into
** aName, their count; -rc on error, 0 names if it is not an entity. */
static int entityNames(Exec *ex, uint32_t id, uint32_t *aName, int nMax){
  EntRec r;
  int n = 0;
  int rc = faktEntGet(ex->pTxn, id, &r);
  if( rc==FAKT_NOTFOUND || rc==FAKT_MISMATCH ) return 0;
  if( rc ) return -rc;
  if( r.label && n<nMax ) aName[n++] = r.label;
  for(uint32_t i=0; i<r.nAlias && n<nMax; i++) aName[n++] = r.aAlias[i];
  return n;
}

/* match with an entity: with ?x bound, 1 if one of its names matches doc;
** else m->aDoc gets the docs of all its names, ascending, once each. */
static int matchEntity(Exec *ex, Step *pS, MatchState *m, uint32_t id, int bBound, uint32_t doc){
  uint32_t aName[256];
  int nName = entityNames(ex, id, aName, 256), rc = FAKT_OK;
  if( nName<0 ) return nName;
  for(int k=0; k<nName; k++){
    const char *z; int n, ns;
    rc = faktDictText(ex->pTxn, aName[k], &ns, &z, &n);
    if( rc ) return -rc;
    MatchWords *w = &m->w;
    memset(w, 0, sizeof(*w));
    faktTokenize(z, (size_t)n, addTok, w);
    if( w->nTok==0 ) continue;
    if( bBound ){
      rc = wordsHas(ex, w, doc);
      if( rc ) return rc;            /* 1: found; -rc */
      continue;
    }
    rc = wordsOpen(ex, w, pS->bClaimsOnly && faktStatGet(ex->pTxn, 'N', 0)==0 ? FAKT_GEN_BIT : 0);
    for(;;){
      uint32_t d;
      int r2 = rc ? -rc : matchNextDoc(ex, w, &d);
      if( r2<=0 ){ rc = -r2; break; }
      if( m->nDoc==m->nAlloc ){
        int nNew = m->nAlloc ? m->nAlloc*2 : 64;
        uint32_t *aNew = realloc(m->aDoc, sizeof(uint32_t)*(size_t)nNew);
        if( aNew==NULL ){ rc = FAKT_NOMEM; break; }
        m->aDoc = aNew;
        m->nAlloc = nNew;
      }
      m->aDoc[m->nDoc++] = d;
    }
    wordsClose(w);
    w->nTok = 0;
    if( rc ) return -rc;
  }
  if( bBound ) return 0;
  if( m->nDoc>1 ){
    qsort(m->aDoc, (size_t)m->nDoc, sizeof(uint32_t), docCmp);
    int j = 1;
    for(int i=1; i<m->nDoc; i++) if( m->aDoc[i]!=m->aDoc[j-1] ) m->aDoc[j++] = m->aDoc[i];
    m->nDoc = j;
  }
  return 0;
}

static int gMatch(Exec *ex, Step *pS, StepState *st, Value *aArg){
  MatchState *m = st->pAux;
  int rc;
  if( m==NULL ){
    if( st->iEnd ) return 0;
    st->iEnd = 1;
    const char *z; int n;
    if( aArg[1].t!=V_STR && aArg[1].t!=V_ID ){
      Expr *pCall = pS->pLit->pExpr;
      return -argErr(ex, pCall, 1, "a string or an entity", &aArg[1]);
    }
    m = calloc(1, sizeof(MatchState));
    if( m==NULL ) return -FAKT_NOMEM;
    st->pAux = m;
    st->xAuxFree = matchFree;
    m->w.bEnd = 1;                 /* until the cursors are open */
    if( aArg[1].t==V_ID ){
      int bBound = argBound(pS, 0);
      m->bEntity = 1;
      if( bBound && aArg[0].t!=V_ID ) return 0;
      rc = matchEntity(ex, pS, m, aArg[1].id, bBound, bBound ? aArg[0].id : 0);
      wordsClose(&m->w);
      m->w.nTok = 0;
      if( rc<0 ) goto fail;
      if( bBound ) return rc==1 && matchVisible(ex, aArg[0].id, 0);
      m->iDoc = 0;
      goto walkDocs;
    }
    faktValueText(ex, &aArg[1], &z, &n);
    faktTokenize(z, (size_t)n, addTok, &m->w);
    if( m->w.nTok==0 ) return 0;
    if( argBound(pS, 0) ){
      if( aArg[0].t!=V_ID ) return 0;
      rc = wordsHas(ex, &m->w, aArg[0].id);
      if( rc<0 ) goto fail;
      return rc && matchVisible(ex, aArg[0].id, 0);
    }
    /* only claims wanted, and every claim with words is generated (stat N,
    ** named claims with a quote, ever): their ids are FAKT_GEN_BIT and up,
    ** above every source's, so the walk starts there */
    rc = wordsOpen(ex, &m->w, pS->bClaimsOnly && faktStatGet(ex->pTxn, 'N', 0)==0 ? FAKT_GEN_BIT : 0);
    if( rc ){ rc = -rc; goto fail; }   /* matchFree closes the open ones */
  }
  if( m->bEntity ) goto walkDocs;
  for(;;){
    uint32_t doc = 0;
    rc = matchNextDoc(ex, &m->w, &doc);
    if( rc<0 ) goto fail;
    if( rc==0 ) return 0;
    if( !matchVisible(ex, doc, pS->bClaimsOnly) ) continue;
    Value vd = vId(doc);
    if( faktBindOut(ex, pS, 0, &vd) ) return 1;
  }
walkDocs:
  while( m->iDoc < m->nDoc ){
    uint32_t doc = m->aDoc[m->iDoc++];
    if( (++ex->nWork & 1023)==0 && (rc = faktExecCheck(ex))!=FAKT_OK ){ rc = -rc; goto fail; }
    if( !matchVisible(ex, doc, pS->bClaimsOnly) ) continue;
    Value vd = vId(doc);
    if( faktBindOut(ex, pS, 0, &vd) ) return 1;
  }
  return 0;
fail:
  if( ex->pErr->rc==FAKT_OK ) faktStoreFail(ex->pErr, ex->db->pStore, -rc, NULL, NULL);
  return rc;
}

/* ================================================================ functions */

static int textOf(Exec *ex, const Value *v, const char **pz, int *pn){
  if( v->t!=V_STR ) return 0;
  faktValueText(ex, v, pz, pn);
  return 1;
}

/* Argument i of call pE has the wrong type: point at it. */
static int argErr(Exec *ex, Expr *pE, int i, const char *zWant, const Value *pGot){
  const Pos *pPos = &pE->pos;
  if( pE->pArgs && i<pE->pArgs->n ) pPos = &pE->pArgs->a[i].p->pos;
  faktErrSet(ex->pErr, FAKT_MISMATCH, pPos, "type error: %s expects %s, got a%s %s", pE->zName, zWant,
             pGot->t==V_ID ? "n" : "", faktTypeName(pGot->t));
  return FAKT_MISMATCH;
}

static int anyNull(int n, Value *a){
  for(int i=0; i<n; i++) if( a[i].t==V_NULL ) return 1;
  return 0;
}

static int fStrTest(Exec *ex, Expr *pE, int n, Value *a, Value *pOut){
  const char *z1, *z2; int n1, n2;
  pOut->t = V_BOOL;
  if( anyNull(n, a) ){ pOut->u.i = 0; return FAKT_OK; }
  if( !textOf(ex, &a[0], &z1, &n1) ) return argErr(ex, pE, 0, "a string", &a[0]);
  if( !textOf(ex, &a[1], &z2, &n2) ) return argErr(ex, pE, 1, "a string", &a[1]);
  const char *zN = pE->zName;
  if( strcmp(zN, "starts_with")==0 ) pOut->u.i = n2<=n1 && memcmp(z1, z2, (size_t)n2)==0;
  else if( strcmp(zN, "ends_with")==0 ) pOut->u.i = n2<=n1 && memcmp(z1+n1-n2, z2, (size_t)n2)==0;
  else{
    /* contains: case- and accent-insensitive, on folded text */
    char *f1 = malloc((size_t)n1*2+2), *f2 = malloc((size_t)n2*2+2);
    if( !f1 || !f2 ){ free(f1); free(f2); return FAKT_NOMEM; }
    faktFold(z1, (size_t)n1, f1, (size_t)n1*2+2);
    faktFold(z2, (size_t)n2, f2, (size_t)n2*2+2);
    pOut->u.i = strstr(f1, f2)!=NULL;
    free(f1); free(f2);
  }
  return FAKT_OK;
}

static int fDuring(Exec *ex, Expr *pE, int n, Value *a, Value *pOut){
  pOut->t = V_BOOL;
  if( anyNull(n, a) ){ pOut->u.i = 0; return FAKT_OK; }
  if( a[0].t!=V_DATE ) return argErr(ex, pE, 0, "a date", &a[0]);
  if( a[1].t!=V_DATE ) return argErr(ex, pE, 1, "a date", &a[1]);
  pOut->u.i = faktDateDuring(a[0].u.d, a[1].u.d);
  return FAKT_OK;
}

static int coordsOf(Exec *ex, const Value *v, double *pLat, double *pLon){
  EntRec r;
  if( v->t!=V_ID || faktEntGet(ex->pTxn, v->id, &r) || !r.bCoords ) return 0;
  *pLat = r.lat; *pLon = r.lon;
  return 1;
}

static int fDistance(Exec *ex, Expr *pE, int n, Value *a, Value *pOut){
  double la1, lo1, la2, lo2;
  (void)pE;
  if( anyNull(n, a) ){ pOut->t = V_NULL; return FAKT_OK; }
  if( !coordsOf(ex, &a[0], &la1, &lo1) || !coordsOf(ex, &a[1], &la2, &lo2) ){
    pOut->t = V_NULL;
    return FAKT_OK;
  }
  *pOut = vFloat(faktHaversineKm(la1, lo1, la2, lo2));
  return FAKT_OK;
}

static int fDatePart(Exec *ex, Expr *pE, int n, Value *a, Value *pOut){
  int y, m, d, prec;
  if( anyNull(n, a) ){ pOut->t = V_NULL; return FAKT_OK; }
  if( a[0].t!=V_DATE ) return argErr(ex, pE, 0, "a date", &a[0]);
  faktDateUnpack(a[0].u.d, &y, &m, &d, &prec);
  const char *z = pE->zName;
  if( z[0]=='y' ) *pOut = vInt(y);
  else if( z[0]=='m' ){ if( prec<DATE_MONTH ) pOut->t = V_NULL; else *pOut = vInt(m); }
  else { if( prec<DATE_DAY ) pOut->t = V_NULL; else *pOut = vInt(d); }
  return FAKT_OK;
}

static int fCase(Exec *ex, Expr *pE, int n, Value *a, Value *pOut){
  const char *z; int nz;
  if( anyNull(n, a) ){ pOut->t = V_NULL; return FAKT_OK; }
  if( !textOf(ex, &a[0], &z, &nz) ) return argErr(ex, pE, 0, "a string", &a[0]);
  int bFold = strcmp(pE->zName, "fold")==0, bUp = pE->zName[0]=='u';
  char *zOut = malloc((size_t)nz*2 + 8);
  if( zOut==NULL ) return FAKT_NOMEM;
  int nOut = 0;
  if( bFold ){
    nOut = (int)faktFold(z, (size_t)nz, zOut, (size_t)nz*2 + 8);
  }else{
    /* ASCII, Latin-1 and German letters; other characters unchanged */
    const unsigned char *p = (const unsigned char*)z, *pEnd = p + nz;
    while( p<pEnd ){
      uint32_t cp;
      int k = faktUtf8Decode(p, pEnd, &cp);
      if( k<=0 ){ k = 1; cp = *p; }
      if( bUp ){
        if( cp>='a' && cp<='z' ) cp -= 32;
        else if( cp>=0xE0 && cp<=0xFE && cp!=0xF7 ) cp -= 32;
      }else{
        if( cp>='A' && cp<='Z' ) cp += 32;
        else if( cp>=0xC0 && cp<=0xDE && cp!=0xD7 ) cp += 32;
      }
      nOut += faktUtf8Encode(cp, zOut + nOut);
      p += k;
    }
  }
  int rc = faktStrValue(ex, zOut, nOut, pOut);
  free(zOut);
  return rc;
}

static int fLength(Exec *ex, Expr *pE, int n, Value *a, Value *pOut){
  const char *z; int nz;
  if( anyNull(n, a) ){ pOut->t = V_NULL; return FAKT_OK; }
  if( !textOf(ex, &a[0], &z, &nz) ) return argErr(ex, pE, 0, "a string", &a[0]);
  *pOut = vInt((int64_t)faktUtf8Chars(z, (size_t)nz));
  return FAKT_OK;
}

static int fValue(Exec *ex, Expr *pE, int n, Value *a, Value *pOut){
  if( anyNull(n, a) ){ pOut->t = V_NULL; return FAKT_OK; }
  if( a[0].t==V_QTY ){ *pOut = vFloat(a[0].u.r); return FAKT_OK; }
  if( a[0].t==V_INT || a[0].t==V_FLOAT ){ *pOut = a[0]; return FAKT_OK; }
  return argErr(ex, pE, 0, "a quantity", &a[0]);
}

static int fUnit(Exec *ex, Expr *pE, int n, Value *a, Value *pOut){
  if( anyNull(n, a) ){ pOut->t = V_NULL; return FAKT_OK; }
  if( a[0].t!=V_QTY ) return argErr(ex, pE, 0, "a quantity", &a[0]);
  const char *z; int nz;
  faktValueText(ex, &a[0], &z, &nz);
  return faktStrValue(ex, z, nz, pOut);
}

static int fRound(Exec *ex, Expr *pE, int n, Value *a, Value *pOut){
  double r, k = 0;
  if( anyNull(n, a) ){ pOut->t = V_NULL; return FAKT_OK; }
  if( !numArg(&a[0], &r) ) return argErr(ex, pE, 0, "a number", &a[0]);
  if( n>1 && !numArg(&a[1], &k) ) return argErr(ex, pE, 1, "a number", &a[1]);
  /* never NaN or infinite: past a double's digits a number is its own
  ** rounding; far left of them it rounds to 0 */
  double d = floor(k), x;
  if( d>=0 ){
    double f = pow(10, d);
    x = r*f;
    if( !isfinite(f) || !(fabs(x) < 4503599627370496.0) ) x = r;   /* 2^52: no fraction left */
    else x = round(x)/f;
  }else{
    double f = pow(10, -d);
    x = isfinite(f) ? round(r/f)*f : 0.0;
  }
  if( !isfinite(x) ){
    faktErrSet(ex->pErr, FAKT_ERROR, &pE->pos, "float overflow: round() is not a finite number");
    return FAKT_ERROR;
  }
  *pOut = vFloat(x == 0 ? 0.0 : x);
  return FAKT_OK;
}

static int fLabel(Exec *ex, Expr *pE, int n, Value *a, Value *pOut){
  EntRec r;
  (void)pE;
  if( anyNull(n, a) || a[0].t!=V_ID || faktEntGet(ex->pTxn, a[0].id, &r) || !r.label ){
    pOut->t = V_NULL;
    return FAKT_OK;
  }
  *pOut = vStrId(r.label);
  return FAKT_OK;
}

/* ================================================================ table */

static const Builtin aBuiltin[] = {
  /* name          kind    min max need est  xGen        xFunc */
  { "source",      B_REL,  2, 2, 0, 0, gSource,     NULL },
  { "by",          B_REL,  2, 2, 0, 0, gBy,         NULL },
  { "via",         B_REL,  2, 2, 0, 0, gVia,        NULL },
  { "stance",      B_REL,  2, 2, 0, 0, gStance,     NULL },
  { "holds",       B_REL,  2, 2, 0, 0, gHolds,      NULL },
  { "said",        B_REL,  2, 2, 0, 0, gSaid,       NULL },
  { "quote",       B_REL,  2, 2, 0, 0, gQuote,      NULL },
  { "recorded",    B_REL,  2, 2, 0, 0, gRecorded,   NULL },
  { "published",   B_REL,  2, 2, 0, 0, gPublished,  NULL },
  { "outlet",      B_REL,  2, 2, 0, 0, gOutlet,     NULL },
  { "title",       B_REL,  2, 2, 0, 0, gTitle,      NULL },
  { "type",        B_REL,  2, 2, 0, 0, gType,       NULL },
  { "label",       B_REL,  1, 2, 0, 0, gLabel,      fLabel },
  { "alias",       B_REL,  2, 2, 0, 0, gAlias,      NULL },
  { "coords",      B_REL,  3, 3, 0, 0, gCoords,     NULL },
  { "named",       B_REL,  2, 2, 2, 2, gNamed,      NULL },
  { "predicate",   B_REL,  1, 1, 0, 50, gPredicate, NULL },
  { "single",      B_REL,  1, 1, 0, 20, gSingle,    NULL },
  { "objtype",     B_REL,  2, 2, 0, 50, gObjtype,   NULL },
  { "rule_text",   B_REL,  2, 2, 0, 20, gRuleText,  NULL },
  { "within",      B_REL,  3, 3, 6, 20, gWithin,    NULL },
  { "match",       B_REL,  2, 2, 2, 20, gMatch,     NULL },
  { "proposition", B_REL,  2, 2, 0, 0, faktGenProposition, NULL },
  { "origin",      B_REL,  2, 2, 1, 1, faktGenOrigin,      NULL },
  { "corroboration", B_REL, 3, 3, 1, 1, faktGenCorroboration, NULL },
  { "conflict",    B_REL,  2, 3, 0, 0, faktGenConflict,    NULL },
  { "stance_change", B_REL, 2, 3, 0, 0, faktGenStanceChange, NULL },
  { "about",       B_REL,  2, 2, 0, 0, faktGenAbout,       NULL },
  { "retracted",   B_REL,  2, 2, 0, 0, faktGenRetracted,   NULL },
  { "until",       B_REL,  2, 2, 1, 1, faktGenUntil,       NULL },
  { "span",        B_REL,  3, 3, 1, 1, faktGenSpan,        NULL },
  { "sentence",    B_REL,  4, 4, 1, 30, faktGenSentence,   NULL },
  { "context",     B_FUNC, 1, 2, 0, 0, NULL,               faktFnContext },
  { "contains",    B_TEST, 2, 2, 0, 0, NULL,        fStrTest },
  { "starts_with", B_TEST, 2, 2, 0, 0, NULL,        fStrTest },
  { "ends_with",   B_TEST, 2, 2, 0, 0, NULL,        fStrTest },
  { "during",      B_TEST, 2, 2, 0, 0, NULL,        fDuring },
  { "distance",    B_FUNC, 2, 2, 0, 0, NULL,        fDistance },
  { "year",        B_FUNC, 1, 1, 0, 0, NULL,        fDatePart },
  { "month",       B_FUNC, 1, 1, 0, 0, NULL,        fDatePart },
  { "day",         B_FUNC, 1, 1, 0, 0, NULL,        fDatePart },
  { "lower",       B_FUNC, 1, 1, 0, 0, NULL,        fCase },
  { "upper",       B_FUNC, 1, 1, 0, 0, NULL,        fCase },
  { "fold",        B_FUNC, 1, 1, 0, 0, NULL,        fCase },
  { "length",      B_FUNC, 1, 1, 0, 0, NULL,        fLength },
  { "value",       B_FUNC, 1, 1, 0, 0, NULL,        fValue },
  { "unit",        B_FUNC, 1, 1, 0, 0, NULL,        fUnit },
  { "round",       B_FUNC, 1, 2, 0, 0, NULL,        fRound },
};

/* The built-in called zName, or NULL. */
const Builtin *faktBuiltinFind(const char *zName, int n){
  for(size_t i=0; i<sizeof(aBuiltin)/sizeof(aBuiltin[0]); i++){
    if( (int)strlen(aBuiltin[i].zName)==n && memcmp(aBuiltin[i].zName, zName, (size_t)n)==0 ) return &aBuiltin[i];
  }
  return NULL;
}
