/*
** exec.c -- the executor. A plan is a list of steps run as a backtracking
** pipeline: each step, given the registers bound by the steps before it,
** produces zero or more bindings, pulled one at a time (open/next/close).
** Rows stream to fakt_step(); only sort, aggregation, distinct and rule
** fixpoints materialise.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "fakt_int.h"

/* ================================================================ helpers */

int64_t faktNowMillis(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec*1000 + ts.tv_nsec/1000000;
}

/* Interrupt, time and memory limits; called every so often from loops. */
int faktExecCheck(Exec *ex){
  fakt *db = ex->db;
  if( db->bInterrupt ){
    faktErrSet(ex->pErr, FAKT_INTERRUPT, NULL, "interrupted");
    return FAKT_INTERRUPT;
  }
  if( db->nMaxMillis>0 && faktNowMillis() - ex->tStart > db->nMaxMillis ){
    faktErrSet(ex->pErr, FAKT_LIMIT, NULL, "query stopped: it ran longer than the time limit of %lld ms",
               (long long)db->nMaxMillis);
    return FAKT_LIMIT;
  }
  if( db->nMaxMem>0 && (int64_t)ex->arena.nUsed + ex->nHeap > db->nMaxMem ){
    faktErrSet(ex->pErr, FAKT_LIMIT, NULL, "query stopped: it needed more than the memory limit of %lld bytes",
               (long long)db->nMaxMem);
    return FAKT_LIMIT;
  }
  return FAKT_OK;
}

static int tick(Exec *ex){
  if( (++ex->nWork & 1023)==0 ) return faktExecCheck(ex);
  return ex->db->bInterrupt ? faktExecCheck(ex) : FAKT_OK;
}

/* faktClaimGet through a one-entry cache: a row's provenance built-ins
** (source, by, stance, quote ...) read the same claim one after another.
** Read-only executions only: nothing writes claims while a query runs. */
int faktExecClaim(Exec *ex, uint32_t id, ClaimRec *r){
  if( id!=0 && id==ex->idCached ){
    *r = ex->recCached;
    return FAKT_OK;
  }
  if( id!=0 && id==ex->idNotClaim ) return FAKT_MISMATCH;
  int rc = faktClaimGet(ex->pTxn, id, r);
  if( rc==FAKT_OK ){
    /* the fields a row shows next: their texts load meanwhile */
    if( r->o[0]==T_ID || r->o[0]==T_STR ) faktDictPrefetch(ex->pDict, (uint32_t)faktDecU64(r->o + 1));
    faktDictPrefetch(ex->pDict, r->source);
    faktDictPrefetch(ex->pDict, r->by);
    ex->idCached = id;
    ex->recCached = *r;
  }else if( rc==FAKT_MISMATCH ){
    ex->idNotClaim = id;
  }
  return rc;
}

int faktExecQuote(Exec *ex, const ClaimRec *r, Value *pV){
  const char *z;
  int n;
  if( r->quote==0 ) return FAKT_NOTFOUND;
  int rc = faktClaimQuote(ex->pTxn, r, &z, &n);
  if( rc ){
    faktErrSet(ex->pErr, rc, NULL, "%s", faktStoreErrmsg(ex->db->pStore));
    return rc;
  }
  memset(pV, 0, sizeof(*pV));
  pV->t = V_STR; pV->z = z; pV->n = n;
  return FAKT_OK;
}

int faktVisible(const Exec *ex, const Vis *pVis){
  if( pVis->txAdd > ex->txSnap ) return 0;
  if( pVis->txRet!=0 && pVis->txRet <= ex->txSnap ) return 0;
  return 1;
}

int faktTruthy(const Value *v){
  switch( v->t ){
    case V_BOOL: case V_INT: return v->u.i!=0;
    case V_FLOAT: return v->u.r!=0.0;
    case V_NULL: return 0;
    default: return 1;
  }
}

/* A string value whose text lives in the exec arena. */
int faktStrValue(Exec *ex, const char *z, int n, Value *pOut){
  memset(pOut, 0, sizeof(*pOut));
  pOut->t = V_STR;
  pOut->z = faktArenaStrdup(&ex->arena, z, (size_t)n);
  if( pOut->z==NULL ){
    faktErrSet(ex->pErr, FAKT_NOMEM, NULL, "out of memory");
    return FAKT_NOMEM;
  }
  pOut->n = n;
  return FAKT_OK;
}

/* Current value of a term. */
static const Value *termVal(Exec *ex, const Term *pT){
  return pT->iSlot>=0 ? &ex->aReg[pT->iSlot] : &pT->v;
}

/*
** Give argument i of a step the value pV: bind it if the argument is a free
** variable, else compare. Returns 1 on success, 0 on mismatch.
*/
int faktBindOut(Exec *ex, Step *pS, int i, const Value *pV){
  Term *pT = &pS->aArg[i];
  if( pT->iSlot>=0 && !pT->bBound && !pT->bCheck ){
    ex->aReg[pT->iSlot] = *pV;
    return 1;
  }
  return faktValueEq(ex, termVal(ex, pT), pV);
}

/* The id of a value used where an entity is expected (subject, predicate):
** ids as they are, strings by name or label. 0 if none. */
static uint32_t idOf(Exec *ex, const Value *v){
  if( v->t==V_ID ) return v->id;
  if( v->t==V_STR ){
    const char *z; int n;
    uint32_t id;
    faktValueText(ex, v, &z, &n);
    if( faktDictLookup(ex->pTxn, NS_NAME, z, n, &id)==FAKT_OK ) return id;
    if( faktLookupLabel(ex->pTxn, z, n, &id)==FAKT_OK ) return id;
  }
  return 0;
}

/* Encode a value in object position; 0 if it cannot match anything stored. */
static int objKey(Exec *ex, const Value *v, uint8_t *a){
  Value w = *v;
  if( w.t==V_NULL ) return 0;
  if( w.t==V_STR && w.id==0 ){
    const char *z; int n;
    faktValueText(ex, &w, &z, &n);
    if( faktDictLookup(ex->pTxn, NS_STR, z, n, &w.id) ) return 0;
  }
  faktValueEncode(&w, a);
  return 1;
}

/* ================================================================ scan */

/* Offsets of s, p, o, c inside a key of each index. */
static const int aOffS[3] = { 0, 13, 9 };
static const int aOffP[3] = { 4, 0, 13 };
static const int aOffO[3] = { 8, 4, 0 };
#define OFF_C 17

/* Compare or bind one component of a scan. */
static int scanUnify(Exec *ex, Term *pT, const Value *pV){
  if( pT->iSlot>=0 && !pT->bBound && !pT->bCheck ){
    ex->aReg[pT->iSlot] = *pV;
    return 1;
  }
  const Value *pCur = termVal(ex, pT);
  if( pV->t==V_ID && pCur->t==V_STR && pT->bParam ) return idOf(ex, pCur)==pV->id;
  return faktValueEq(ex, pCur, pV);
}

/* How many rows ahead a scan reads to prefetch: the records of the claims
** it yields, when a later step reads them (each is a random leaf of obj),
** and the texts of the subjects and objects it binds, when the query shows
** them (each is a random record of i2s). The loads overlap. The rows read
** ahead wait in a ring of their keys (StepState.aRingKey): one cursor
** does both, so the index is searched once per scan, not twice. */
#define SCAN_AHEAD 6
/* A text is prefetched in two steps: the offsets of its record at
** SCAN_AHEAD rows ahead, and the text at TEXT_AHEAD rows ahead. */
#define TEXT_AHEAD 3

/* The second step for the ids of look-ahead row iRow. */
static void aheadText(Exec *ex, StepState *st, unsigned iRow){
  const uint32_t *a = st->aAheadId[iRow & 7];
  faktDictPrefetchText(ex->pDict, a[0]);
  faktDictPrefetchText(ex->pDict, a[1]);
}

/* Read one more row of the scan's cursor into the ring, and prefetch what
** that row will need. At the cursor's end (or an error) rcRing says so. */
static void aheadStep(Exec *ex, Step *pS, StepState *st){
  const uint8_t *aKey;
  Vis vis;
  if( st->rcRing!=FAKT_ROW ) return;
  int bNames = pS->abShows[0] || pS->abShows[2];
  int rc = faktCursorNext(st->pCur, &aKey, &vis);
  if( rc!=FAKT_ROW ){
    st->rcRing = rc;
    /* the rows still between the two steps */
    for(unsigned i=st->nAhead>TEXT_AHEAD ? st->nAhead-TEXT_AHEAD : 0; bNames && i<st->nAhead; i++){
      aheadText(ex, st, i);
    }
    return;
  }
  unsigned iSlot = (st->iRing + st->nRing) & 7;
  memcpy(st->aRingKey[iSlot], aKey, KEY_IX);
  st->aRingVis[iSlot] = vis;
  st->nRing++;
  if( pS->bReadsClaims ) faktObjPrefetch(ex->pTxn, faktDecU32(aKey + OFF_C));
  if( bNames ){
    uint32_t *a = st->aAheadId[st->nAhead & 7];
    const uint8_t *pO = aKey + aOffO[pS->ix];
    a[0] = pS->abShows[0] ? faktDecU32(aKey + aOffS[pS->ix]) : 0;
    a[1] = pS->abShows[2] && (pO[0]==T_ID || pO[0]==T_STR) ? (uint32_t)faktDecU64(pO + 1) : 0;
    faktDictPrefetch(ex->pDict, a[0]);
    faktDictPrefetch(ex->pDict, a[1]);
    if( st->nAhead>=TEXT_AHEAD ) aheadText(ex, st, st->nAhead - TEXT_AHEAD);
    st->nAhead++;
  }
}

/* The scan's next key, from the ring when it reads ahead, else from its
** cursor. The key stays good until the next call but one. */
static int scanPull(Exec *ex, Step *pS, StepState *st, const uint8_t **paKey, Vis *pVis){
  if( !st->bRing ) return faktCursorNext(st->pCur, paKey, pVis);
  aheadStep(ex, pS, st);
  if( st->nRing==0 ) return st->rcRing;
  unsigned iSlot = st->iRing;
  *paKey = st->aRingKey[iSlot];
  *pVis = st->aRingVis[iSlot];
  st->iRing = (iSlot + 1) & 7;
  st->nRing--;
  return FAKT_ROW;
}

/* Open the cursor of a scan step with the prefix of its bound components. */
static int scanOpen(Exec *ex, Step *pS, StepState *st){
  uint8_t aKey[24];
  int n = 0;
  uint8_t aEnc[3][ENC_LEN];
  int anLen[3] = { 4, 4, ENC_LEN };
  int aOrder[3][3] = { {0,1,2}, {1,2,0}, {2,0,1} };
  memset(st->abSkip, 0, sizeof(st->abSkip));
  for(int i=0; i<pS->nPrefix; i++){
    int comp = aOrder[pS->ix][i];
    const Value *v = termVal(ex, &pS->aT[comp]);
    if( comp<2 ){
      /* a text names an entity only when it comes from a parameter */
      uint32_t id = (v->t==V_ID || pS->aT[comp].bParam) ? idOf(ex, v) : 0;
      if( id==0 ) return 0;
      faktEncU32(aEnc[comp], id);
    }else if( v->t==V_INT || v->t==V_FLOAT ){
      /* 1 and 1.0 are equal but encoded apart: compare after the prefix */
      break;
    }else if( !objKey(ex, v, aEnc[comp]) ){
      return 0;
    }
    memcpy(aKey + n, aEnc[comp], (size_t)anLen[comp]);
    n += anLen[comp];
    /* every key of the cursor has this component: no need to compare it
    ** again (a quantity's unit is not in the key, so it still is) */
    st->abSkip[comp] = comp<2 || v->t==V_ID || v->t==V_STR || v->t==V_DATE || v->t==V_BOOL;
  }
  int rc = faktCursorOpen(ex->pTxn, pS->ix, aKey, n, &st->pCur);
  if( rc ){
    faktStoreFail(ex->pErr, ex->db->pStore, rc, NULL, NULL);
    return -rc;
  }
  st->bRing = (pS->bReadsClaims && faktObjWalkable(ex->pTxn))
            || ((pS->abShows[0] || pS->abShows[2]) && ex->pDict);
  st->rcRing = FAKT_ROW;
  st->iRing = st->nRing = st->nAhead = 0;
  for(int i=0; st->bRing && i<SCAN_AHEAD; i++) aheadStep(ex, pS, st);
  return 1;
}

/* A claim's components as values, from its record. */
static void claimValues(const ClaimRec *r, Value *aV){
  memset(aV, 0, sizeof(Value)*3);
  aV[0].t = V_ID; aV[0].id = r->s;
  aV[1].t = V_ID; aV[1].id = r->p;
  faktValueDecode(r->o, &aV[2]);
  if( aV[2].t==V_QTY ) aV[2].id = r->unit;
}

/* Scan with the claim already known: a direct record lookup. */
static int scanClaim(Exec *ex, Step *pS, StepState *st){
  if( st->iPos++ ) return 0;
  const Value *vc = termVal(ex, &pS->aT[3]);
  if( vc->t!=V_ID ) return 0;
  ClaimRec r;
  if( faktExecClaim(ex, vc->id, &r) ) return 0;
  Vis vis = { r.txAdd, r.txRet };
  if( !faktVisible(ex, &vis) ) return 0;
  Value aV[3];
  claimValues(&r, aV);
  for(int i=0; i<3; i++){
    if( !scanUnify(ex, &pS->aT[i], &aV[i]) ) return 0;
  }
  return 1;
}

static int scanNext(Exec *ex, Step *pS, StepState *st){
  if( pS->aT[3].bBound ) return scanClaim(ex, pS, st);
  if( st->pCur==NULL ){
    if( st->iPos ) return 0;
    st->iPos = 1;
    int rc = scanOpen(ex, pS, st);
    if( rc<=0 ) return rc;
  }
  for(;;){
    const uint8_t *aKey;
    Vis vis;
    int rc = scanPull(ex, pS, st, &aKey, &vis);
    if( rc==FAKT_DONE ) return 0;
    if( rc!=FAKT_ROW ){
      faktStoreFail(ex->pErr, ex->db->pStore, rc, NULL, NULL);
      return -rc;
    }
    rc = tick(ex);
    if( rc ) return -rc;
    if( !faktVisible(ex, &vis) ) continue;
    Value aV[4];
    memset(aV, 0, sizeof(aV));
    aV[0].t = V_ID; aV[0].id = faktDecU32(aKey + aOffS[pS->ix]);
    aV[1].t = V_ID; aV[1].id = faktDecU32(aKey + aOffP[pS->ix]);
    faktValueDecode(aKey + aOffO[pS->ix], &aV[2]);
    aV[3].t = V_ID; aV[3].id = faktDecU32(aKey + OFF_C);
    if( aV[2].t==V_QTY ){
      ClaimRec r;
      if( faktExecClaim(ex, aV[3].id, &r)==FAKT_OK ) aV[2].id = r.unit;
    }
    int ok = 1;
    for(int i=0; i<4 && ok; i++){
      if( i<3 && st->abSkip[i] ) continue;
      ok = scanUnify(ex, &pS->aT[i], &aV[i]);
    }
    if( ok ){
      /* the subject and object a row may show: their texts load meanwhile */
      if( !st->abSkip[0] ) faktDictPrefetch(ex->pDict, aV[0].id);
      if( !st->abSkip[2] && (aV[2].t==V_ID || aV[2].t==V_STR) ) faktDictPrefetch(ex->pDict, aV[2].id);
      return 1;
    }
  }
}

/* ================================================================ derived relations */

/* The value of argument i of a derived step when it is bound before the
** step runs (constant, earlier binding or evaluated expression), else NULL. */
static const Value *derivedArg(Exec *ex, Step *pS, int i){
  Term *pT = &pS->aArg[i];
  if( !(pT->iSlot<0 || pT->bBound || pT->bCheck==2) ) return NULL;
  return termVal(ex, pT);
}

static int derivedNext(Exec *ex, Step *pS, StepState *st){
  Relation *pRel = st->pRelUse;
  if( st->iPos==0 && st->iEnd==0 ){
    pRel = st->pRelUse = &ex->pRules->aRel[pS->iRel];
    st->iSpec = 0;
    /* evaluate expression arguments */
    for(int i=0; i<pS->nArg; i++){
      if( pS->aArg[i].bCheck==2 ){
        int rc = faktEval(ex, pS->pLit->pExpr->pArgs->a[i].p, &ex->aReg[pS->aArg[i].iSlot]);
        if( rc ) return -rc;
      }
    }
    if( !pRel->bDone && !pS->bDelta && pRel->iInv>=0 && pRel->iInv<pS->nArg ){
      /* its invariant argument is bound: only the rows of that value */
      const Value *pKey = derivedArg(ex, pS, pRel->iInv);
      if( pKey && pKey->t==V_ID ){
        int rc = faktRulesEvalSpec(ex, pS->iRel, pKey, &st->iSpec);
        if( rc<0 ) return rc;
        if( rc>0 ) pRel = st->pRelUse = &ex->pRules->aSpec[st->iSpec-1].rel;
      }
    }
    for(int i=0; !pRel->bDone && !pS->bDelta && pRel->mReach && i<pS->nArg && i<64; i++){
      /* an argument bound that can be pushed in: the rows reached from it */
      const Value *pKey = (pRel->mReach>>i)&1 ? derivedArg(ex, pS, i) : NULL;
      if( pKey==NULL || pKey->t!=V_ID ) continue;
      int rc = faktRulesEvalReach(ex, pS->iRel, i, pKey, &st->iSpec);
      if( rc<0 ) return rc;
      if( rc>0 ) pRel = st->pRelUse = &ex->pRules->aSpec[st->iSpec-1].rel;
    }
    if( !pRel->bDone && !pS->bDelta ){
      int rc = faktRulesEval(ex, pS->iRel);
      if( rc ) return -rc;
    }
    st->iPos = pS->bDelta ? pRel->iDeltaLo : 0;
    st->iEnd = pS->bDelta ? pRel->iDeltaHi : (pRel->bDone==1 ? pRel->nRow : pRel->iFullHi);
    if( st->iEnd==0 ) st->iEnd = -1;
    st->iChain = -1;
    if( !pS->bDelta && pRel->bDone==1 ){
      /* an argument bound to an entity: read its rows through an index */
      for(int i=0; i<pS->nArg; i++){
        const Value *pV = derivedArg(ex, pS, i);
        if( pV==NULL || pV->t!=V_ID ) continue;
        if( st->iSpec && i==ex->pRules->aSpec[st->iSpec-1].iArg ) continue;  /* every row has it */
        int rc = faktRelIndexFirst(ex, pRel, i, pV);
        if( rc<0 ) return rc;
        st->iChain = rc;
        st->iChainArg = i;
        break;
      }
    }
  }
  for(;;){
    int iRow;
    if( st->iChain>=0 ){
      if( st->iChain==0 ) break;
      iRow = st->iChain - 1;
      st->iChain = faktRelIndexNext(pRel, st->iChainArg, iRow);
    }else{
      if( st->iPos >= st->iEnd ) break;
      iRow = st->iPos++;
    }
    int rc = tick(ex);
    if( rc ) return -rc;
    Value *aRow = &pRel->aRow[(size_t)iRow*(size_t)pRel->nArity];
    int ok = 1;
    for(int i=0; i<pS->nArg && ok; i++){
      Term *pT = &pS->aArg[i];
      if( pT->iSlot>=0 && !pT->bBound && !pT->bCheck ) ex->aReg[pT->iSlot] = aRow[i];
      else ok = faktValueEq(ex, termVal(ex, pT), &aRow[i]);
    }
    if( ok ){
      ex->aReg[pS->iRowSlot].t = V_INT;
      ex->aReg[pS->iRowSlot].u.i = iRow;
      ex->aReg[pS->iRowSlot].id = (uint32_t)(st->iSpec ? st->iSpec : pRel->iStandIn); /* whose rows (why) */
      return 1;
    }
  }
  return 0;
}

/* ================================================================ built-in relations */

static int builtinNext(Exec *ex, Step *pS, StepState *st){
  Value aArg[8];
  int n = pS->nArg<8 ? pS->nArg : 8;
  for(int i=0; i<n; i++){
    Term *pT = &pS->aArg[i];
    if( pT->bCheck==2 && st->iPos==0 ){
      int rc = faktEval(ex, pS->pLit->pExpr->pArgs->a[i].p, &ex->aReg[pT->iSlot]);
      if( rc ) return -rc;
    }
    if( pT->bBound || pT->iSlot<0 ) aArg[i] = *termVal(ex, pT);
    else memset(&aArg[i], 0, sizeof(Value));
  }
  int rc = tick(ex);
  if( rc ) return -rc;
  return pS->pB->xGen(ex, pS, st, aArg);
}

/* ================================================================ the run */

/* Create a run of a plan: its state lives in arena a. */
Run *faktRunNew(Exec *ex, Plan *pPlan, Arena *a){
  Run *r = faktArenaAlloc(a, sizeof(Run));
  if( r==NULL ) return NULL;
  r->pEx = ex;
  r->pPlan = pPlan;
  r->k = -1;
  r->aState = faktArenaAlloc(a, sizeof(StepState)*(size_t)(pPlan->nStep ? pPlan->nStep : 1));
  if( r->aState==NULL ) return NULL;
  for(int i=0; i<pPlan->nStep; i++){
    Step *pS = &pPlan->aStep[i];
    if( pS->kind==ST_NOT || pS->kind==ST_OPT ){
      r->aState[i].pSub = faktRunNew(ex, pS->pSub, a);
      if( r->aState[i].pSub==NULL ) return NULL;
    }
  }
  return r;
}

/* Free a step's generator state (st->pAux) with its destructor, if it has one. */
static void auxFree(StepState *st){
  if( st->pAux ){
    if( st->xAuxFree ) st->xAuxFree(st->pAux); else free(st->pAux);
  }
  st->pAux = NULL;
  st->xAuxFree = NULL;
}

static void stepClose(Run *r, int k){
  StepState *st = &r->aState[k];
  if( st->pCur ){ faktCursorClose(st->pCur); st->pCur = NULL; }
  st->bRing = 0;
  auxFree(st);
  if( st->pSub ) faktRunClose(st->pSub);
  st->iPos = 0;
  st->iEnd = 0;
  st->bMatched = 0;
}

static void stepOpen(Run *r, int k){
  stepClose(r, k);
}

/* One step: 1 produced a binding, 0 exhausted, <0 -error. */
static int stepNext(Run *r, int k){
  Exec *ex = r->pEx;
  Step *pS = &r->pPlan->aStep[k];
  StepState *st = &r->aState[k];
  switch( pS->kind ){
    case ST_SCAN: return scanNext(ex, pS, st);
    case ST_DERIVED: return derivedNext(ex, pS, st);
    case ST_BUILTIN: return builtinNext(ex, pS, st);
    case ST_FILTER: {
      if( st->iPos++ ) return 0;
      Value v;
      int rc = faktEval(ex, pS->pExpr, &v);
      if( rc ) return -rc;
      return faktTruthy(&v);
    }
    case ST_ASSIGN: {
      if( st->iPos++ ) return 0;
      int rc = faktEval(ex, pS->pExpr, &ex->aReg[pS->iSlot]);
      if( rc ) return -rc;
      return 1;
    }
    case ST_NOT: {
      if( st->iPos++ ) return 0;
      int rc = faktRunNext(st->pSub);
      faktRunClose(st->pSub);
      if( rc==FAKT_ROW ) return 0;
      if( rc==FAKT_DONE ) return 1;
      return -rc;
    }
    case ST_OPT: {
      if( st->iPos ) return 0;
      int rc = faktRunNext(st->pSub);
      if( rc==FAKT_ROW ){ st->bMatched = 1; return 1; }
      if( rc!=FAKT_DONE ) return -rc;
      st->iPos = 1;
      if( st->bMatched ) return 0;
      for(int i=0; i<pS->nNew; i++) memset(&ex->aReg[pS->aNew[i]], 0, sizeof(Value));
      return 1;
    }
  }
  return 0;
}

/*
** Count the rows of a fresh run without producing them, when its plan is
** one pattern scan that compares nothing after its cursor prefix: each
** component is fixed by the prefix or a variable seen nowhere else in the
** pattern. Then a row is a visible index entry, and only the visibility of
** each entry is read. The caller makes sure nothing reads the variables.
** Returns 1 with *pn, 0 if the plan is not of that form (the run is as it
** was), or -rc on an error.
*/
int faktRunCount(Run *r, int64_t *pn){
  Exec *ex = r->pEx;
  Plan *pPlan = r->pPlan;
  *pn = 0;
  if( r->k>=0 || r->bEof || pPlan->nStep!=1 ) return 0;
  Step *pS = &pPlan->aStep[0];
  if( pS->kind!=ST_SCAN || pS->aT[3].bBound ) return 0;
  for(int i=0; i<4; i++) if( pS->aT[i].bCheck ) return 0;
  StepState *st = &r->aState[0];
  stepOpen(r, 0);
  st->iPos = 1;
  int rc = scanOpen(ex, pS, st);
  if( rc<0 ){ stepClose(r, 0); return rc; }
  if( rc>0 ){
    for(int i=0; i<3; i++){
      if( pS->aT[i].bBound && !st->abSkip[i] ){ stepClose(r, 0); return 0; }
    }
    int64_t n = 0;
    for(;;){
      const uint8_t *aKey;
      Vis vis;
      rc = scanPull(ex, pS, st, &aKey, &vis);
      if( rc==FAKT_DONE ) break;
      if( rc!=FAKT_ROW ){
        faktStoreFail(ex->pErr, ex->db->pStore, rc, NULL, NULL);
        stepClose(r, 0);
        return -rc;
      }
      rc = tick(ex);
      if( rc ){ stepClose(r, 0); return -rc; }
      n += faktVisible(ex, &vis);
    }
    *pn = n;
  }
  stepClose(r, 0);
  r->bEof = 1;
  return 1;
}

/* Next row of a run: FAKT_ROW with the registers set, FAKT_DONE, or an error. */
int faktRunNext(Run *r){
  Plan *pPlan = r->pPlan;
  int k;
  if( r->bEof ) return FAKT_DONE;
  if( pPlan->nStep==0 ){
    if( r->k<0 ){ r->k = 0; return FAKT_ROW; }
    r->bEof = 1;
    return FAKT_DONE;
  }
  if( r->k<0 ){
    k = 0;
    stepOpen(r, 0);
  }else{
    k = r->k;
  }
  while( k>=0 ){
    int rc = stepNext(r, k);
    if( rc<0 ){ r->k = k; return -rc; }
    if( rc>0 ){
      if( k==pPlan->nStep-1 ){ r->k = k; return FAKT_ROW; }
      k++;
      stepOpen(r, k);
    }else{
      stepClose(r, k);
      k--;
    }
  }
  r->bEof = 1;
  r->k = -1;
  return FAKT_DONE;
}

/* Release what a run holds and make it ready to start again. */
void faktRunClose(Run *r){
  if( r==NULL ) return;
  for(int i=0; i<r->pPlan->nStep; i++){
    StepState *st = &r->aState[i];
    if( st->pCur ){ faktCursorClose(st->pCur); st->pCur = NULL; }
    st->bRing = 0;
    auxFree(st);
    st->iPos = st->iEnd = st->bMatched = 0;
    if( st->pSub ) faktRunClose(st->pSub);
  }
  r->k = -1;
  r->bEof = 0;
}

/* ================================================================ expressions */

/* Position of an operator node (its operator), else of the node. */
static const Pos *opPos(const Expr *pE){
  return pE->posOp.iLine>0 ? &pE->posOp : &pE->pos;
}

static int typeErr(Exec *ex, Expr *pE, const char *zWhat, const Value *a, const Value *b){
  if( b ){
    faktErrSet(ex->pErr, FAKT_MISMATCH, opPos(pE), "type error: cannot %s %s and %s", zWhat,
               faktTypeName(a->t), faktTypeName(b->t));
  }else{
    faktErrSet(ex->pErr, FAKT_MISMATCH, &pE->pos, "type error: cannot %s %s", zWhat, faktTypeName(a->t));
  }
  return FAKT_MISMATCH;
}

static int isNum(const Value *v){ return v->t==V_INT || v->t==V_FLOAT; }
static double numOf(const Value *v){ return v->t==V_INT ? (double)v->u.i : v->u.r; }

static int sameUnit(Exec *ex, const Value *a, const Value *b){
  if( a->id && b->id ) return a->id==b->id;
  const char *za, *zb; int na, nb;
  faktValueText(ex, a, &za, &na);
  faktValueText(ex, b, &zb, &nb);
  return na==nb && memcmp(za, zb, (size_t)na)==0;
}

/* A float or quantity result must be finite: no value is NaN or infinite
** (they have no literal, no order and no export form). */
static int finiteOut(Exec *ex, Expr *pE, const Value *pOut){
  if( isfinite(pOut->u.r) ) return FAKT_OK;
  faktErrSet(ex->pErr, FAKT_ERROR, opPos(pE), "float overflow: the result is not a finite number");
  return FAKT_ERROR;
}

static int evalArith(Exec *ex, Expr *pE, const Value *a, const Value *b, Value *pOut){
  static const char *azVerb[] = { "add", "subtract", "multiply", "divide", "take the remainder of" };
  const char *zVerb = azVerb[pE->op - E_ADD];
  memset(pOut, 0, sizeof(*pOut));
  if( a->t==V_NULL || b->t==V_NULL ){ pOut->t = V_NULL; return FAKT_OK; }
  if( a->t==V_QTY || b->t==V_QTY ){
    /* quantity +- quantity of one unit; quantity * / number */
    if( a->t==V_QTY && b->t==V_QTY && (pE->op==E_ADD || pE->op==E_SUB) && sameUnit(ex, a, b) ){
      *pOut = *a;
      pOut->u.r = pE->op==E_ADD ? a->u.r + b->u.r : a->u.r - b->u.r;
      return finiteOut(ex, pE, pOut);
    }
    if( a->t==V_QTY && isNum(b) && (pE->op==E_MUL || pE->op==E_DIV) ){
      if( pE->op==E_DIV && numOf(b)==0 ){
        faktErrSet(ex->pErr, FAKT_ERROR, opPos(pE), "division by zero");
        return FAKT_ERROR;
      }
      *pOut = *a;
      pOut->u.r = pE->op==E_MUL ? a->u.r*numOf(b) : a->u.r/numOf(b);
      return finiteOut(ex, pE, pOut);
    }
    if( b->t==V_QTY && isNum(a) && pE->op==E_MUL ){
      *pOut = *b;
      pOut->u.r = b->u.r*numOf(a);
      return finiteOut(ex, pE, pOut);
    }
    return typeErr(ex, pE, zVerb, a, b);
  }
  if( !isNum(a) || !isNum(b) ) return typeErr(ex, pE, zVerb, a, b);
  if( a->t==V_INT && b->t==V_INT ){
    int64_t x = a->u.i, y = b->u.i, z = 0;
    int bOver = 0;
    switch( pE->op ){
      case E_ADD: bOver = __builtin_add_overflow(x, y, &z); break;
      case E_SUB: bOver = __builtin_sub_overflow(x, y, &z); break;
      case E_MUL: bOver = __builtin_mul_overflow(x, y, &z); break;
      case E_DIV: case E_MOD:
        if( y==0 ){
          faktErrSet(ex->pErr, FAKT_ERROR, opPos(pE), "division by zero");
          return FAKT_ERROR;
        }
        if( x==INT64_MIN && y==-1 ){ bOver = 1; break; }
        z = pE->op==E_DIV ? x/y : x%y;
        break;
      default: break;
    }
    if( bOver ){
      faktErrSet(ex->pErr, FAKT_ERROR, opPos(pE), "integer overflow");
      return FAKT_ERROR;
    }
    pOut->t = V_INT;
    pOut->u.i = z;
    return FAKT_OK;
  }
  double x = numOf(a), y = numOf(b), z = 0;
  switch( pE->op ){
    case E_ADD: z = x+y; break;
    case E_SUB: z = x-y; break;
    case E_MUL: z = x*y; break;
    case E_DIV: case E_MOD:
      if( y==0 ){
        faktErrSet(ex->pErr, FAKT_ERROR, opPos(pE), "division by zero");
        return FAKT_ERROR;
      }
      z = pE->op==E_DIV ? x/y : fmod(x, y);
      break;
    default: break;
  }
  pOut->t = V_FLOAT;
  pOut->u.r = z;
  return finiteOut(ex, pE, pOut);
}

/* Comparison; sets *pRes to 0/1. */
static int evalCmp(Exec *ex, Expr *pE, const Value *a, const Value *b, int *pRes){
  int op = pE->op - E_EQ;            /* 0 = 1 != 2 < 3 <= 4 > 5 >= */
  *pRes = 0;
  if( a->t==V_NULL || b->t==V_NULL ) return FAKT_OK;
  if( a->t==V_DATE && b->t==V_DATE ){
    *pRes = faktDateCompare(a->u.d, b->u.d, op);
    return FAKT_OK;
  }
  int bOrd = isNum(a)&&isNum(b);
  if( !bOrd && a->t==b->t ){
    bOrd = a->t==V_STR || a->t==V_BOOL || (a->t==V_QTY && sameUnit(ex, a, b));
  }
  if( op<=1 && !bOrd ){
    int eq = faktValueEq(ex, a, b);
    *pRes = op==0 ? eq : !eq;
    return FAKT_OK;
  }
  if( !bOrd ){
    if( a->t==V_QTY && b->t==V_QTY ){
      faktErrSet(ex->pErr, FAKT_MISMATCH, opPos(pE), "type error: cannot compare quantities of different units");
      return FAKT_MISMATCH;
    }
    return typeErr(ex, pE, "compare", a, b);
  }
  int c = faktValueCmp(ex, a, b);
  switch( op ){
    case 0: *pRes = c==0; break;
    case 1: *pRes = c!=0; break;
    case 2: *pRes = c<0; break;
    case 3: *pRes = c<=0; break;
    case 4: *pRes = c>0; break;
    default: *pRes = c>=0; break;
  }
  return FAKT_OK;
}

/* Evaluate an expression against the current registers. */
int faktEval(Exec *ex, Expr *pE, Value *pOut){
  int rc;
  switch( pE->op ){
    case E_VAR: case E_PARAM:
      *pOut = ex->aReg[pE->iSlot];
      return FAKT_OK;
    case E_INT: case E_FLOAT: case E_BOOL: case E_NULL: case E_DATE:
    case E_QTY: case E_STR: case E_ID: case E_LABEL:
      *pOut = *(Value*)pE->pAux;
      return FAKT_OK;
    case E_AGG:
      if( ex->aAgg==NULL ){
        faktErrSet(ex->pErr, FAKT_ERROR, &pE->pos, "aggregate %s() is not allowed here", pE->zName);
        return FAKT_ERROR;
      }
      *pOut = ex->aAgg[pE->iAgg];
      return FAKT_OK;
    case E_NEG: {
      Value a;
      rc = faktEval(ex, pE->pLeft, &a);
      if( rc ) return rc;
      *pOut = a;
      if( a.t==V_INT ){
        if( a.u.i==INT64_MIN ){
          faktErrSet(ex->pErr, FAKT_ERROR, &pE->pos, "integer overflow");
          return FAKT_ERROR;
        }
        pOut->u.i = -a.u.i;
      }else if( a.t==V_FLOAT || a.t==V_QTY ){
        pOut->u.r = -a.u.r;
      }else if( a.t!=V_NULL ){
        return typeErr(ex, pE, "negate", &a, NULL);
      }
      return FAKT_OK;
    }
    case E_CALL: {
      const Builtin *pB = pE->pAux;
      Value aArg[8];
      int n = pE->pArgs ? pE->pArgs->n : 0;
      if( n>8 ) n = 8;
      for(int i=0; i<n; i++){
        rc = faktEval(ex, pE->pArgs->a[i].p, &aArg[i]);
        if( rc ) return rc;
      }
      memset(pOut, 0, sizeof(*pOut));
      return pB->xFunc(ex, pE, n, aArg, pOut);
    }
    default: break;
  }
  Value a, b;
  rc = faktEval(ex, pE->pLeft, &a);
  if( rc==0 ) rc = faktEval(ex, pE->pRight, &b);
  if( rc ) return rc;
  if( pE->op>=E_ADD && pE->op<=E_MOD ) return evalArith(ex, pE, &a, &b, pOut);
  int res;
  rc = evalCmp(ex, pE, &a, &b, &res);
  memset(pOut, 0, sizeof(*pOut));
  pOut->t = V_BOOL;
  pOut->u.i = res;
  return rc;
}
