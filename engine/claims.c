/*
** claims.c -- claims as first-class citizens: propositions, corroboration,
** conflicts, claims about claims, retraction history, evidence spans and
** the verify statement (SPEC.md sections 4.12 and 8.3).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fakt_int.h"

/* ================================================================ helpers */

static Value vId(uint32_t id){ Value v; memset(&v, 0, sizeof(v)); v.t = V_ID; v.id = id; return v; }
static Value vInt(int64_t i){ Value v; memset(&v, 0, sizeof(v)); v.t = V_INT; v.u.i = i; return v; }

static int bound(Step *pS, int i){ return pS->aArg[i].iSlot<0 || pS->aArg[i].bBound; }

/* The claim with id, if it is visible at the execution's snapshot. */
static int liveClaim(Exec *ex, uint32_t id, ClaimRec *r){
  if( faktExecClaim(ex, id, r) ) return 0;
  Vis vis = { r->txAdd, r->txRet };
  return faktVisible(ex, &vis);
}

/* The claim with id, recorded at or before the snapshot, retracted or not:
** the provenance of a given claim (until, span). */
static int pastClaim(Exec *ex, uint32_t id, ClaimRec *r){
  if( faktExecClaim(ex, id, r) ) return 0;
  return r->txAdd <= ex->txSnap;
}

static int spanHolds(const char *zText, size_t nText, const ClaimRec *r, const char *zQ, int nQ);

/* Next claim id of the whole database (any visibility), via the obj table. */
static int nextClaimId(Exec *ex, StepState *st, uint32_t *pId){
  return faktNextObj(ex, st, K_CLAIM, pId);
}

/* Stance ids by name, looked up once per call. */
static uint32_t stanceId(Exec *ex, const char *z){
  uint32_t id = 0;
  faktDictLookup(ex->pTxn, NS_NAME, z, (int)strlen(z), &id);
  return id;
}

/* ================================================================ proposition(C, P) */
/* P is the proposition id: a 63-bit integer hashed from subject, predicate
** and object, equal for every claim of the same statement. With C bound the
** claim may be retracted (its proposition does not change); with P bound the
** visible claims of P come from the prop index. */
int faktGenProposition(Exec *ex, Step *pS, StepState *st, Value *aArg){
  ClaimRec r;
  if( bound(pS, 0) ){
    if( st->iPos++ || aArg[0].t!=V_ID || faktExecClaim(ex, aArg[0].id, &r) ) return 0;
    uint64_t prop;
    int rc = faktClaimProp(ex->pTxn, &r, &prop);
    if( rc ) return -faktStoreFail(ex->pErr, ex->db->pStore, rc, NULL, NULL);
    Value v = vInt((int64_t)prop);
    return faktBindOut(ex, pS, 1, &v);
  }
  if( bound(pS, 1) ){
    if( st->pCur==NULL ){
      if( st->iEnd ) return 0;
      st->iEnd = 1;
      if( aArg[1].t!=V_INT ) return 0;
      int rc = faktPropScan(ex->pTxn, (uint64_t)aArg[1].u.i, &st->pCur);
      if( rc ) return -rc;
    }
    uint32_t cid;
    while( faktPropNext(st->pCur, &cid)==FAKT_ROW ){
      if( !liveClaim(ex, cid, &r) ) continue;
      Value vc = vId(cid);
      if( faktBindOut(ex, pS, 0, &vc) ) return 1;
    }
    return 0;
  }
  for(;;){
    uint32_t id;
    int rc = nextClaimId(ex, st, &id);
    if( rc<=0 ) return rc;
    if( !liveClaim(ex, id, &r) ) continue;
    uint64_t prop;
    rc = faktClaimProp(ex->pTxn, &r, &prop);
    if( rc ) return -faktStoreFail(ex->pErr, ex->db->pStore, rc, NULL, NULL);
    Value vc = vId(id), vp = vInt((int64_t)prop);
    if( faktBindOut(ex, pS, 0, &vc) && faktBindOut(ex, pS, 1, &vp) ) return 1;
  }
}

/* ================================================================ origin and corroboration */
/* The independent origin of a claim: the first link of its report chain
** (via), else its source's outlet, else the source document itself. A
** wire report relayed by two papers has one origin: the agency. */
static uint32_t originOf(Exec *ex, const ClaimRec *r){
  if( r->nVia ) return r->aVia[0];
  if( r->source ){
    EntRec e;
    if( faktEntGet(ex->pTxn, r->source, &e)==FAKT_OK && e.outlet ) return e.outlet;
    return r->source;
  }
  return r->by;
}

int faktGenOrigin(Exec *ex, Step *pS, StepState *st, Value *aArg){
  ClaimRec r;
  if( !bound(pS, 0) || st->iPos++ || aArg[0].t!=V_ID || !liveClaim(ex, aArg[0].id, &r) ) return 0;
  uint32_t o = originOf(ex, &r);
  if( o==0 ) return 0;
  Value v = vId(o);
  return faktBindOut(ex, pS, 1, &v);
}

/* ================================================================ valid time */
/* The interval of days a claim holds: from the first day of its holds date
** to the last day of its until date (else of its holds date). A claim with
** neither is not placed in time: its interval is unbounded and overlaps
** every other. Partial dates denote their whole month or year (SPEC 6.1). */
static void claimInterval(const ClaimRec *r, int64_t *pFirst, int64_t *pLast){
  int64_t f, l;
  *pFirst = INT64_MIN;
  *pLast = INT64_MAX;
  if( r->holds ){
    faktDateRange(r->holds, &f, &l);
    *pFirst = f;
    *pLast = l;
  }
  if( r->until ){
    faktDateRange(r->until, &f, &l);
    *pLast = l;
  }
}

/* 1 if the times two claims hold overlap (share at least one day), or if
** either is not placed in time; 0 if they are disjoint. */
static int claimTimesOverlap(const ClaimRec *a, const ClaimRec *b){
  int64_t aFirst, aLast, bFirst, bLast;
  claimInterval(a, &aFirst, &aLast);
  claimInterval(b, &bFirst, &bLast);
  return aFirst<=bLast && bFirst<=aLast;
}

/* A small set of ids. */
typedef struct IdSet { int n, nAlloc; uint32_t *a; } IdSet;
static int idSetAdd(IdSet *s, uint32_t id){
  for(int i=0; i<s->n; i++) if( s->a[i]==id ) return FAKT_OK;
  if( s->n>=s->nAlloc ){
    int nNew = s->nAlloc ? s->nAlloc*2 : 16;
    uint32_t *a = realloc(s->a, sizeof(uint32_t)*(size_t)nNew);
    if( a==NULL ) return FAKT_NOMEM;
    s->a = a; s->nAlloc = nNew;
  }
  s->a[s->n++] = id;
  return FAKT_OK;
}

/* corroboration(C, FOR, AGAINST): for the proposition of claim C, the number
** of distinct independent origins whose claims support it (any stance but
** denies) and of those that deny it. Only claims whose valid time overlaps
** C's count: a meeting in 2019 does not corroborate one in 2023. */
int faktGenCorroboration(Exec *ex, Step *pS, StepState *st, Value *aArg){
  ClaimRec r, r2;
  if( !bound(pS, 0) || st->iPos++ || aArg[0].t!=V_ID ) return 0;
  if( faktExecClaim(ex, aArg[0].id, &r) ) return 0;
  uint32_t idDenies = stanceId(ex, "denies");
  IdSet aFor = { 0, 0, NULL }, aAgainst = { 0, 0, NULL };
  StoreCursor *cur;
  uint64_t prop;
  int rc = faktClaimProp(ex->pTxn, &r, &prop);
  if( rc ) return -faktStoreFail(ex->pErr, ex->db->pStore, rc, NULL, NULL);
  rc = faktPropScan(ex->pTxn, prop, &cur);
  if( rc ) return -rc;
  uint32_t cid;
  while( rc==FAKT_OK && faktPropNext(cur, &cid)==FAKT_ROW ){
    if( !liveClaim(ex, cid, &r2) || !claimTimesOverlap(&r, &r2) ) continue;
    uint32_t o = originOf(ex, &r2);
    if( o==0 ) continue;
    rc = idSetAdd(r2.stance==idDenies ? &aAgainst : &aFor, o);
  }
  faktCursorClose(cur);
  Value vFor = vInt(aFor.n), vAgainst = vInt(aAgainst.n);
  free(aFor.a);
  free(aAgainst.a);
  if( rc ){ faktErrSet(ex->pErr, rc, NULL, "out of memory"); return -rc; }
  return faktBindOut(ex, pS, 1, &vFor) && faktBindOut(ex, pS, 2, &vAgainst);
}

/* ================================================================ conflict(C1, C2 [, KIND]) */
/* Pairs of visible claims that disagree, whose valid times overlap
** (claimTimesOverlap):
**   "value":  same subject and single-valued predicate, different objects,
**             neither denies (denying one value says nothing of another);
**   "denial": same proposition, one denies, the other does not.
** The relation is symmetric: each pair comes in both orders. The fixed
** claim (C1 or C2 bound) or the current claim of the scan is cs->c1; its
** candidates are walked by cs->pCand. */
typedef struct ConflictState {
  int iPhase;              /* 0: next c1, 1: value candidates, 2: denial candidates */
  uint32_t c1;
  ClaimRec r1;
  uint32_t idDenies;
  int bSingle;             /* c1's predicate is single-valued */
  StoreCursor *pCand;      /* candidates of the current phase */
} ConflictState;

/* Destructor of a ConflictState (StepState.xAuxFree): its cursor too, for a
** step abandoned before its candidates ran out. */
static void conflictFree(void *p){
  ConflictState *cs = p;
  if( cs->pCand ) faktCursorClose(cs->pCand);
  free(cs);
}

/* Bind one pair: C1 = a, C2 = b, and the kind. */
static int conflictEmit(Exec *ex, Step *pS, uint32_t a, uint32_t b, const char *zKind){
  Value va = vId(a), vb = vId(b);
  if( !faktBindOut(ex, pS, 0, &va) || !faktBindOut(ex, pS, 1, &vb) ) return 0;
  if( pS->nArg>2 ){
    Value vk;
    if( faktStrValue(ex, zKind, (int)strlen(zKind), &vk) ) return -FAKT_NOMEM;
    if( !faktBindOut(ex, pS, 2, &vk) ) return 0;
  }
  return 1;
}

int faktGenConflict(Exec *ex, Step *pS, StepState *st, Value *aArg){
  ConflictState *cs = st->pAux;
  int bFixed = bound(pS, 0) || bound(pS, 1);
  int bFixedSecond = !bound(pS, 0);      /* only C2 is bound: emit (cand, fixed) */
  uint32_t idFixed = 0;
  if( bound(pS, 0) ){
    if( aArg[0].t==V_ID ) idFixed = aArg[0].id;
  }else if( bound(pS, 1) && aArg[1].t==V_ID ){
    idFixed = aArg[1].id;
  }
  if( cs==NULL ){
    /* st->iEnd stays 0: nextClaimId uses it for its own cursor */
    if( bFixed && idFixed==0 ) return 0;
    cs = calloc(1, sizeof(ConflictState));
    if( cs==NULL ) return -FAKT_NOMEM;
    st->pAux = cs;
    st->xAuxFree = conflictFree;
    cs->idDenies = stanceId(ex, "denies");
  }
  for(;;){
    if( cs->iPhase==0 ){
      /* the next first claim: the fixed one, or every visible claim */
      uint32_t id;
      if( bFixed ){
        if( cs->c1 ) goto done;
        id = idFixed;
      }else{
        int rc = nextClaimId(ex, st, &id);
        if( rc<0 ) goto fail;
        if( rc==0 ) goto done;
      }
      cs->c1 = id;
      if( !liveClaim(ex, id, &cs->r1) ){ if( bFixed ) goto done; continue; }
      EntRec pr;
      cs->bSingle = faktEntGet(ex->pTxn, cs->r1.p, &pr)==FAKT_OK && (pr.flags & PRED_SINGLE)
                    && cs->r1.stance!=cs->idDenies;
      cs->iPhase = 1;
      if( cs->pCand ){ faktCursorClose(cs->pCand); cs->pCand = NULL; }
      if( cs->bSingle ){
        uint8_t aKey[8];
        faktEncU32(aKey, cs->r1.s);
        faktEncU32(aKey+4, cs->r1.p);
        if( faktCursorOpen(ex->pTxn, IX_SPO, aKey, 8, &cs->pCand) ) cs->pCand = NULL;
      }
    }
    if( cs->iPhase==1 ){
      const uint8_t *k;
      Vis vis;
      while( cs->pCand && faktCursorNext(cs->pCand, &k, &vis)==FAKT_ROW ){
        uint32_t c2 = faktDecU32(k+17);
        ClaimRec r2;
        if( c2==cs->c1 || !faktVisible(ex, &vis) ) continue;
        if( memcmp(k+8, cs->r1.o, ENC_LEN)==0 ) continue;
        if( !liveClaim(ex, c2, &r2) || r2.stance==cs->idDenies ) continue;
        if( !claimTimesOverlap(&cs->r1, &r2) ) continue;
        int rc = bFixedSecond ? conflictEmit(ex, pS, c2, cs->c1, "value")
                              : conflictEmit(ex, pS, cs->c1, c2, "value");
        if( rc ) return rc;
      }
      if( cs->pCand ){ faktCursorClose(cs->pCand); cs->pCand = NULL; }
      cs->iPhase = 2;
      uint64_t prop;
      int rc = faktClaimProp(ex->pTxn, &cs->r1, &prop);
      if( rc ) return -faktStoreFail(ex->pErr, ex->db->pStore, rc, NULL, NULL);
      if( faktPropScan(ex->pTxn, prop, &cs->pCand) ) cs->pCand = NULL;
    }
    if( cs->iPhase==2 ){
      uint32_t c2;
      while( cs->pCand && faktPropNext(cs->pCand, &c2)==FAKT_ROW ){
        ClaimRec r2;
        if( c2==cs->c1 || !liveClaim(ex, c2, &r2) ) continue;
        if( (r2.stance==cs->idDenies)==(cs->r1.stance==cs->idDenies) ) continue;
        if( !claimTimesOverlap(&cs->r1, &r2) ) continue;
        int rc = bFixedSecond ? conflictEmit(ex, pS, c2, cs->c1, "denial")
                              : conflictEmit(ex, pS, cs->c1, c2, "denial");
        if( rc ) return rc;
      }
      if( cs->pCand ){ faktCursorClose(cs->pCand); cs->pCand = NULL; }
      cs->iPhase = 0;
    }
  }
done:
  if( cs->pCand ){ faktCursorClose(cs->pCand); cs->pCand = NULL; }
  return 0;
fail:
  if( cs->pCand ){ faktCursorClose(cs->pCand); cs->pCand = NULL; }
  return -FAKT_IOERR;
}

/* ================================================================ stance_change(C1, C2 [, WHO]) */
/* A speaker who changed sides on a statement: C1 and C2 are visible claims
** of the same proposition by the same speaker (by, else the source), one
** denies and the other does not, their valid times overlap, and C1 was
** said before C2 (said date, else the source's publication date; "before"
** as dates' < of SPEC 6.2, so 2023-09 is not before 2023-09-11). */
typedef struct ChangeState {
  uint32_t c1;             /* the current earlier claim (or the fixed one) */
  ClaimRec r1;
  uint32_t who1;           /* its speaker */
  uint64_t t1;             /* its time, 0 if none */
  uint32_t idDenies;
  StoreCursor *pCand;      /* the claims of c1's proposition */
} ChangeState;

static void changeFree(void *p){
  ChangeState *cs = p;
  if( cs->pCand ) faktCursorClose(cs->pCand);
  free(cs);
}

/* The speaker of a claim: by, else its source. */
static uint32_t speakerOf(const ClaimRec *r){
  return r->by ? r->by : r->source;
}

/* When a claim was said: its said date, else its source's publication date,
** else 0. */
static uint64_t saidTime(Exec *ex, const ClaimRec *r){
  EntRec e;
  if( r->said ) return r->said;
  if( r->source && faktEntGet(ex->pTxn, r->source, &e)==FAKT_OK ) return e.published;
  return 0;
}

int faktGenStanceChange(Exec *ex, Step *pS, StepState *st, Value *aArg){
  ChangeState *cs = st->pAux;
  int bFirst = bound(pS, 0), bSecond = !bFirst && bound(pS, 1);
  uint32_t idFixed = 0;
  if( bFirst && aArg[0].t==V_ID ) idFixed = aArg[0].id;
  if( bSecond && aArg[1].t==V_ID ) idFixed = aArg[1].id;
  if( cs==NULL ){
    if( (bFirst || bSecond) && idFixed==0 ) return 0;
    cs = calloc(1, sizeof(ChangeState));
    if( cs==NULL ) return -FAKT_NOMEM;
    st->pAux = cs;
    st->xAuxFree = changeFree;
    cs->idDenies = stanceId(ex, "denies");
  }
  for(;;){
    if( cs->pCand==NULL ){
      /* the next claim to pair: the fixed one, or every visible claim */
      uint32_t id;
      if( bFirst || bSecond ){
        if( cs->c1 ) return 0;
        id = idFixed;
      }else{
        int rc = nextClaimId(ex, st, &id);
        if( rc<=0 ) return rc;
      }
      cs->c1 = id;
      if( !liveClaim(ex, id, &cs->r1) ){ if( bFirst || bSecond ) return 0; continue; }
      cs->who1 = speakerOf(&cs->r1);
      cs->t1 = saidTime(ex, &cs->r1);
      if( cs->who1==0 || cs->t1==0 ){ if( bFirst || bSecond ) return 0; continue; }
      uint64_t prop;
      int rc = faktClaimProp(ex->pTxn, &cs->r1, &prop);
      if( rc ) return -faktStoreFail(ex->pErr, ex->db->pStore, rc, NULL, NULL);
      rc = faktPropScan(ex->pTxn, prop, &cs->pCand);
      if( rc ){ cs->pCand = NULL; return -rc; }
    }
    uint32_t c2;
    while( faktPropNext(cs->pCand, &c2)==FAKT_ROW ){
      ClaimRec r2;
      uint64_t t2;
      if( c2==cs->c1 || !liveClaim(ex, c2, &r2) || speakerOf(&r2)!=cs->who1 ) continue;
      if( (r2.stance==cs->idDenies)==(cs->r1.stance==cs->idDenies) ) continue;
      if( !claimTimesOverlap(&cs->r1, &r2) || (t2 = saidTime(ex, &r2))==0 ) continue;
      /* c1 is the earlier claim, unless only C2 is bound: then c1 is the later */
      if( bSecond ? !faktDateCompare(t2, cs->t1, 2) : !faktDateCompare(cs->t1, t2, 2) ) continue;
      Value va = vId(bSecond ? c2 : cs->c1), vb = vId(bSecond ? cs->c1 : c2), vw = vId(cs->who1);
      if( faktBindOut(ex, pS, 0, &va) && faktBindOut(ex, pS, 1, &vb)
       && (pS->nArg<3 || faktBindOut(ex, pS, 2, &vw)) ) return 1;
    }
    faktCursorClose(cs->pCand);
    cs->pCand = NULL;
  }
}

/* ================================================================ about(C, D) */
/* Claim C is about claim D: D is C's subject or object, directly or through
** a chain of claims about claims (any depth). With C bound: walk outwards;
** with D bound: walk inwards through the indexes; both free: every claim. */
typedef struct AboutState {
  IdSet seen;              /* claims reached */
  int iNext;               /* next of seen to emit */
  int bInward;             /* walking from D to the claims about it */
  uint32_t cFree;          /* both free: the current C */
} AboutState;

/* Claims a claim is about: its subject and object if they are visible
** claims (a retracted claim is neither reached nor walked through). */
static int aboutOut(Exec *ex, uint32_t c, IdSet *s){
  ClaimRec r, r2;
  int k = 0;
  if( !liveClaim(ex, c, &r) ) return FAKT_OK;
  if( faktObjGetKind(ex->pTxn, r.s, &k)==FAKT_OK && k==K_CLAIM
   && liveClaim(ex, r.s, &r2) && idSetAdd(s, r.s) ) return FAKT_NOMEM;
  Value v;
  faktValueDecode(r.o, &v);
  if( v.t==V_ID && faktObjGetKind(ex->pTxn, v.id, &k)==FAKT_OK && k==K_CLAIM
   && liveClaim(ex, v.id, &r2) && idSetAdd(s, v.id) ) return FAKT_NOMEM;
  return FAKT_OK;
}

/* Claims about claim d: those with d as subject (spo) or object (osp). */
static int aboutIn(Exec *ex, uint32_t d, IdSet *s){
  uint8_t aKey[ENC_LEN];
  const uint8_t *k;
  Vis vis;
  StoreCursor *cur;
  faktEncU32(aKey, d);
  if( faktCursorOpen(ex->pTxn, IX_SPO, aKey, 4, &cur)==FAKT_OK ){
    while( faktCursorNext(cur, &k, &vis)==FAKT_ROW ){
      if( faktVisible(ex, &vis) && idSetAdd(s, faktDecU32(k+17)) ){ faktCursorClose(cur); return FAKT_NOMEM; }
    }
    faktCursorClose(cur);
  }
  Value v = vId(d);
  faktValueEncode(&v, aKey);
  if( faktCursorOpen(ex->pTxn, IX_OSP, aKey, ENC_LEN, &cur)==FAKT_OK ){
    while( faktCursorNext(cur, &k, &vis)==FAKT_ROW ){
      if( faktVisible(ex, &vis) && idSetAdd(s, faktDecU32(k+17)) ){ faktCursorClose(cur); return FAKT_NOMEM; }
    }
    faktCursorClose(cur);
  }
  return FAKT_OK;
}

/* Breadth-first closure from one claim; seen[0] is the start (not emitted).
** A start that is not a visible claim reaches nothing. */
static int aboutClosure(Exec *ex, AboutState *as, uint32_t start){
  ClaimRec r;
  as->seen.n = 0;
  if( idSetAdd(&as->seen, start) ) return FAKT_NOMEM;
  as->iNext = 1;
  if( !liveClaim(ex, start, &r) ) return FAKT_OK;
  for(int i=0; i<as->seen.n; i++){
    int rc = as->bInward ? aboutIn(ex, as->seen.a[i], &as->seen) : aboutOut(ex, as->seen.a[i], &as->seen);
    if( rc ) return rc;
    if( (i & 255)==255 && faktExecCheck(ex) ) return ex->pErr->rc;
  }
  as->iNext = 1;
  return FAKT_OK;
}

int faktGenAbout(Exec *ex, Step *pS, StepState *st, Value *aArg){
  AboutState *as = st->pAux;
  if( as==NULL ){
    as = calloc(1, sizeof(AboutState));
    if( as==NULL ) return -FAKT_NOMEM;
    st->pAux = as;
    if( bound(pS, 0) || bound(pS, 1) ){
      as->bInward = !bound(pS, 0);
      const Value *pStart = as->bInward ? &aArg[1] : &aArg[0];
      if( pStart->t!=V_ID ){ as->iNext = 1; return 0; }
      int rc = aboutClosure(ex, as, pStart->id);
      if( rc ){ free(as->seen.a); as->seen.a = NULL; as->seen.n = 0; return -rc; }
    }else{
      as->iNext = 1;
    }
  }
  for(;;){
    while( as->iNext < as->seen.n ){
      Value v = vId(as->seen.a[as->iNext++]);
      if( bound(pS, 0) || as->cFree ){
        Value vc = vId(as->cFree ? as->cFree : as->seen.a[0]);
        if( faktBindOut(ex, pS, 0, &vc) && faktBindOut(ex, pS, 1, &v) ) return 1;
      }else{
        Value vd = vId(as->seen.a[0]);
        if( faktBindOut(ex, pS, 0, &v) && faktBindOut(ex, pS, 1, &vd) ) return 1;
      }
    }
    if( bound(pS, 0) || bound(pS, 1) ){ free(as->seen.a); as->seen.a = NULL; as->seen.n = 0; return 0; }
    /* both free: the closure of the next claim */
    uint32_t id;
    int rc = nextClaimId(ex, st, &id);
    if( rc<=0 ){ free(as->seen.a); as->seen.a = NULL; as->seen.n = 0; return rc; }
    ClaimRec r;
    if( !liveClaim(ex, id, &r) ) continue;
    as->cFree = id;
    as->bInward = 0;
    rc = aboutClosure(ex, as, id);
    if( rc ) return -rc;
  }
}

/* ================================================================ history */

/* retracted(C, TX): claim C was retracted in transaction TX (at or before the snapshot). */
int faktGenRetracted(Exec *ex, Step *pS, StepState *st, Value *aArg){
  ClaimRec r;
  if( bound(pS, 0) ){
    if( st->iPos++ || aArg[0].t!=V_ID || faktExecClaim(ex, aArg[0].id, &r) ) return 0;
    if( r.txRet==0 || r.txRet > ex->txSnap ) return 0;
    Value v = vInt(r.txRet);
    return faktBindOut(ex, pS, 1, &v);
  }
  for(;;){
    uint32_t id;
    int rc = nextClaimId(ex, st, &id);
    if( rc<=0 ) return rc;
    if( faktExecClaim(ex, id, &r) || r.txRet==0 || r.txRet > ex->txSnap ) continue;
    Value vc = vId(id), vt = vInt(r.txRet);
    if( faktBindOut(ex, pS, 0, &vc) && faktBindOut(ex, pS, 1, &vt) ) return 1;
  }
}

/* until(C, D): the end of the time the claim holds. */
int faktGenUntil(Exec *ex, Step *pS, StepState *st, Value *aArg){
  ClaimRec r;
  if( !bound(pS, 0) || st->iPos++ || aArg[0].t!=V_ID || !pastClaim(ex, aArg[0].id, &r) || !r.until ) return 0;
  Value v;
  memset(&v, 0, sizeof(v));
  v.t = V_DATE;
  v.u.d = r.until;
  return faktBindOut(ex, pS, 1, &v);
}

/* span(C, START, END): byte offsets of the claim's quote in its source text. */
int faktGenSpan(Exec *ex, Step *pS, StepState *st, Value *aArg){
  ClaimRec r;
  if( !bound(pS, 0) || st->iPos++ || aArg[0].t!=V_ID || !pastClaim(ex, aArg[0].id, &r) || !r.quote || r.spanStart>=r.spanEnd ) return 0;
  Value a = vInt(r.spanStart), b = vInt(r.spanEnd);
  return faktBindOut(ex, pS, 1, &a) && faktBindOut(ex, pS, 2, &b);
}

/* Is c a byte that ends a sentence's closing run (quotation marks and
** brackets after the full stop)? ASCII only; UTF-8 closers are skipped by
** sentenceEnd. */
static int isSpace(char c){ return c==' ' || c=='\t' || c=='\r' || c=='\f' || c=='\v'; }

/*
** The end of the sentence that starts at z[i] of z[0..n) (a paragraph ends
** at a newline): after '.', '!' or '?' (and any closing quotation marks or
** brackets) that is followed by a space and then by neither a lower-case
** ASCII letter nor a digit, and not after a digit ("11. September") or a
** single capital ("W. Putin"). Returns the end offset (exclusive).
*/
static size_t sentenceEnd(const char *z, size_t n, size_t i){
  size_t j;
  for(j=i; j<n && z[j]!='\n'; j++){
    char c = z[j];
    if( c!='.' && c!='!' && c!='?' ) continue;
    if( c=='.' && j>i && z[j-1]>='0' && z[j-1]<='9' ) continue;
    if( c=='.' && j>i && z[j-1]>='A' && z[j-1]<='Z' && (j-1==i || isSpace(z[j-2])) ) continue;
    size_t k = j + 1;
    for(;;){                                   /* closing quotes and brackets */
      if( k<n && (z[k]=='"' || z[k]=='\'' || z[k]==')') ){ k++; continue; }
      if( k+1<n && (uint8_t)z[k]==0xC2 && ((uint8_t)z[k+1]==0xAB || (uint8_t)z[k+1]==0xBB) ){ k += 2; continue; }
      if( k+2<n && (uint8_t)z[k]==0xE2 && (uint8_t)z[k+1]==0x80
       && ((uint8_t)z[k+2]==0x9C || (uint8_t)z[k+2]==0x9D || (uint8_t)z[k+2]==0x98 || (uint8_t)z[k+2]==0x99) ){ k += 3; continue; }
      break;
    }
    if( k>=n || z[k]=='\n' ) return k;
    if( !isSpace(z[k]) ) continue;
    size_t m = k;
    while( m<n && isSpace(z[m]) ) m++;
    if( m<n && ((z[m]>='a' && z[m]<='z') || (z[m]>='0' && z[m]<='9')) ) continue;
    return k;
  }
  return j;
}

/*
** sentence(S, START, END, TEXT): the sentences of source S's stored text,
** in order: byte offsets [START, END) and the text (§8.1a). st->iPos is the
** offset to go on from.
*/
int faktGenSentence(Exec *ex, Step *pS, StepState *st, Value *aArg){
  const char *z;
  size_t n;
  if( !bound(pS, 0) || aArg[0].t!=V_ID || faktTextGet(ex->pTxn, aArg[0].id, &z, &n) ) return 0;
  for(;;){
    size_t i = (size_t)st->iPos;
    while( i<n && (isSpace(z[i]) || z[i]=='\n') ) i++;
    if( i>=n ) return 0;
    size_t e = sentenceEnd(z, n, i);
    st->iPos = (int)e;
    size_t t = e;
    while( t>i && isSpace(z[t-1]) ) t--;
    if( t==i ) continue;
    Value a = vInt((int64_t)i), b = vInt((int64_t)t), v;
    int rc = faktStrValue(ex, z + i, (int)(t - i), &v);
    if( rc ) return -rc;
    if( faktBindOut(ex, pS, 1, &a) && faktBindOut(ex, pS, 2, &b) && faktBindOut(ex, pS, 3, &v) ) return 1;
  }
}

/* context(C [, N]): the quote in its source text with up to N (default 60)
** bytes either side, cut at character boundaries, the quote in »…«. */
int faktFnContext(Exec *ex, Expr *pE, int nArg, Value *aArg, Value *pOut){
  ClaimRec r;
  const char *zText;
  size_t nText;
  int64_t nSide = 60;
  memset(pOut, 0, sizeof(*pOut));
  if( nArg>1 ){
    if( aArg[1].t!=V_INT || aArg[1].u.i<0 ){
      faktErrSet(ex->pErr, FAKT_MISMATCH, &pE->pArgs->a[1].p->pos, "type error: context expects a non-negative integer");
      return FAKT_MISMATCH;
    }
    nSide = aArg[1].u.i > 100000 ? 100000 : aArg[1].u.i;
  }
  if( aArg[0].t!=V_ID || faktExecClaim(ex, aArg[0].id, &r) || !r.quote || !r.source ) return FAKT_OK;
  if( faktTextGet(ex->pTxn, r.source, &zText, &nText) || r.spanEnd > nText || r.spanStart >= r.spanEnd ) return FAKT_OK;
  /* never the text's bytes for a quote they do not hold (a stale span) */
  Value vQ;
  if( faktExecQuote(ex, &r, &vQ) || !spanHolds(zText, nText, &r, vQ.z, vQ.n) ) return FAKT_OK;
  size_t a = r.spanStart > (size_t)nSide ? r.spanStart - (size_t)nSide : 0;
  size_t b = r.spanEnd + (size_t)nSide < nText ? r.spanEnd + (size_t)nSide : nText;
  while( a>0 && a<nText && (zText[a] & 0xC0)==0x80 ) a--;   /* character boundaries */
  while( b<nText && (zText[b] & 0xC0)==0x80 ) b++;
  size_t n = (b - a) + 8;
  char *z = malloc(n + 1);
  if( z==NULL ) return FAKT_NOMEM;
  size_t k = 0;
  memcpy(z+k, zText+a, r.spanStart - a); k += r.spanStart - a;
  memcpy(z+k, "\xC2\xBB", 2); k += 2;                       /* » */
  memcpy(z+k, zText+r.spanStart, r.spanEnd - r.spanStart); k += r.spanEnd - r.spanStart;
  memcpy(z+k, "\xC2\xAB", 2); k += 2;                       /* « */
  memcpy(z+k, zText+r.spanEnd, b - r.spanEnd); k += b - r.spanEnd;
  /* one line: newlines and tabs become spaces */
  for(size_t i=0; i<k; i++) if( z[i]=='\n' || z[i]=='\r' || z[i]=='\t' ) z[i] = ' ';
  int rc = faktStrValue(ex, z, (int)k, pOut);
  free(z);
  return rc;
}

/* ================================================================ verify */

/* Does the stored span still hold the quote (whitespace runs normalised)? */
static int spanHolds(const char *zText, size_t nText, const ClaimRec *r, const char *zQ, int nQ){
  size_t s, e;
  if( r->spanEnd > nText || r->spanStart > r->spanEnd ) return 0;
  if( !faktFindQuote(zText + r->spanStart, r->spanEnd - r->spanStart, zQ, (size_t)nQ, &s, &e) ) return 0;
  return s==0 && e==r->spanEnd - r->spanStart;
}

/*
** verify [SOURCE]: re-check the evidence span of every visible claim with a
** quote against the stored text of its source. One row per claim whose span
** no longer holds: claim | source | problem, where problem is
** "quote not found" (the words are gone) or "quote moved to START-END"
** (the words are there, elsewhere: the stored span is stale).
*/
int faktVerifyStep(fakt_stmt *p){
  Exec *ex = &p->ex;
  fakt *db = p->db;
  if( p->eState==0 ){
    StoreTxn *t = db->pTxn;
    int rc;
    if( t==NULL ){
      rc = faktStoreBegin(db->pStore, 0, &t);
      if( rc ) return faktStoreFail(&db->err, db->pStore, rc, NULL, NULL);
      p->pOwnTxn = t;
    }
    ex->db = db;
    ex->pTxn = t;
    ex->txSnap = faktStoreLastTx(t) + (db->pTxn ? 1 : 0);
    ex->pErr = &db->err;
    ex->idCached = 0;
    ex->idNotClaim = 0;
    ex->pDict = NULL;
    p->eState = 1;
    p->bHasRows = 1;
    uint32_t onlySrc = 0;
    if( p->pStmt->zId ){
      int kind = 0;
      rc = faktLookupName(t, p->pStmt->zId, (int)strlen(p->pStmt->zId), &onlySrc, &kind);
      if( rc || kind!=K_SOURCE ){
        faktErrSet(&db->err, FAKT_NOTFOUND, &p->pStmt->id.pos, "unknown source \"%s\"", p->pStmt->zId);
        return FAKT_NOTFOUND;
      }
    }
    StepState st;
    memset(&st, 0, sizeof(st));
    int nAlloc = 0;
    for(;;){
      uint32_t id;
      ClaimRec r;
      rc = nextClaimId(ex, &st, &id);
      if( rc<=0 ){ rc = -rc; break; }
      if( !liveClaim(ex, id, &r) || !r.quote || !r.source ) continue;
      if( onlySrc && r.source!=onlySrc ) continue;
      const char *zQ, *zText; int nQ; size_t nText;
      char zProblem[80];
      if( faktTextGet(t, r.source, &zText, &nText) ){
        snprintf(zProblem, sizeof(zProblem), "source text missing");
      }else if( faktClaimQuote(t, &r, &zQ, &nQ) ){
        /* a shared quote whose span is not in the text: a damaged file */
        snprintf(zProblem, sizeof(zProblem), "quote not found");
      }else if( spanHolds(zText, nText, &r, zQ, nQ) ){
        continue;
      }else{
        size_t s, e;
        if( faktFindQuote(zText, nText, zQ, (size_t)nQ, &s, &e) ){
          snprintf(zProblem, sizeof(zProblem), "quote moved to %zu-%zu", s, e);
        }else{
          snprintf(zProblem, sizeof(zProblem), "quote not found");
        }
      }
      if( p->nOut>=nAlloc ){
        nAlloc = nAlloc ? nAlloc*2 : 16;
        Value *a = realloc(p->aOut, sizeof(Value)*3*(size_t)nAlloc);
        if( a==NULL ){ rc = FAKT_NOMEM; break; }
        p->aOut = a;
      }
      Value *row = &p->aOut[p->nOut*3];
      row[0] = vId(id);
      row[1] = vId(r.source);
      rc = faktStrValue(ex, zProblem, (int)strlen(zProblem), &row[2]);
      if( rc ) break;
      p->nOut++;
    }
    if( st.pCur ) faktCursorClose(st.pCur);
    if( rc ){
      if( db->err.rc==FAKT_OK ) faktStoreFail(&db->err, db->pStore, rc, NULL, NULL);
      return rc;
    }
  }
  if( p->iOut>=p->nOut ) return FAKT_DONE;
  memcpy(p->cols.aVal, &p->aOut[p->iOut*3], sizeof(Value)*3);
  p->iOut++;
  return FAKT_ROW;
}
