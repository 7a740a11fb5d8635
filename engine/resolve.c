/*
** resolve.c -- from a statement tree to what the planner works on: names
** are resolved to ids, variables to registers, constant expressions to
** values; a find statement's heads, aggregates and uses are gathered and
** its body handed to the planner (plan.c).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fakt_int.h"

/* ================================================================ scope */

void faktCompileInit(Compile *c, fakt *db, StoreTxn *t, Arena *a, RuleSet *pRules, FaktErr *pErr){
  memset(c, 0, sizeof(*c));
  c->db = db;
  c->t = t;
  c->a = a;
  c->pRules = pRules;
  c->pErr = pErr;
  c->iHeldSlot = -1;
}

void faktCompileFree(Compile *c){
  free(c->azVar);
  free(c->aBound);
  c->azVar = NULL;
  c->aBound = NULL;
}

/* Slot of variable zName (NULL: a new hidden slot). -1 on OOM. */
int faktCompileSlot(Compile *c, const char *zName, int nName){
  if( zName ){
    for(int i=0; i<c->nVar; i++){
      const char *z = c->azVar[i];
      if( z[0] && (int)strlen(z)==nName && memcmp(z, zName, (size_t)nName)==0 ) return i;
    }
  }
  if( c->nVar>=c->nVarAlloc ){
    int nNew = c->nVarAlloc ? c->nVarAlloc*2 : 16;
    const char **az = realloc(c->azVar, sizeof(char*)*(size_t)nNew);
    if( az==NULL ) return -1;
    c->azVar = az;
    unsigned char *ab = realloc(c->aBound, (size_t)nNew);
    if( ab==NULL ) return -1;
    c->aBound = ab;
    c->nVarAlloc = nNew;
  }
  c->azVar[c->nVar] = zName ? faktArenaStrdup(c->a, zName, (size_t)nName) : "";
  if( c->azVar[c->nVar]==NULL ) return -1;
  c->aBound[c->nVar] = 0;
  return c->nVar++;
}

/* "NAME expects 2 arguments, got 1" */
int faktArityErr(Compile *c, const Expr *pE, int nMin, int nMax, int nGot){
  if( nMin==nMax ){
    faktErrSet(c->pErr, FAKT_ERROR, &pE->pos, "%s expects %d argument%s, got %d", pE->zName, nMin,
               nMin==1 ? "" : "s", nGot);
  }else{
    faktErrSet(c->pErr, FAKT_ERROR, &pE->pos, "%s expects %d to %d arguments, got %d", pE->zName, nMin, nMax, nGot);
  }
  return FAKT_ERROR;
}

int faktCompileOom(Compile *c){
  faktErrSet(c->pErr, FAKT_NOMEM, NULL, "out of memory");
  return FAKT_NOMEM;
}

/* Look a name up in the dictionary and the object table. */
int faktLookupName(StoreTxn *t, const char *z, int n, uint32_t *pId, int *pKind){
  if( pKind ) return faktDictLookupKind(t, z, n, pId, pKind);
  return faktDictLookup(t, NS_NAME, z, n, pId);
}

/* Entity by folded label or alias. FAKT_NOTFOUND if none; if several
** entities carry the name, the first by id, and *pnMore counts the others
** (their ids in aMore, up to 4). */
static int lookupLabelAll(StoreTxn *t, const char *z, int n, uint32_t *pId, int *pnMore, uint32_t *aMore){
  char *zFold = malloc((size_t)n*2 + 2);
  if( zFold==NULL ) return FAKT_NOMEM;
  size_t nF = faktFold(z, (size_t)n, zFold, (size_t)n*2 + 2);
  StoreCursor *cur;
  int rc = faktAliasScan(t, zFold, nF, &cur);
  free(zFold);
  if( rc ) return rc;
  uint32_t id;
  int nFound = 0;
  if( pnMore ) *pnMore = 0;
  while( (rc = faktAliasNext(cur, &id))==FAKT_ROW ){
    if( nFound==0 ){ *pId = id; nFound = 1; continue; }
    if( id==*pId ) continue;
    if( pnMore ){
      if( *pnMore<4 ) aMore[*pnMore] = id;
      (*pnMore)++;
    }
  }
  faktCursorClose(cur);
  if( rc!=FAKT_DONE && rc!=FAKT_ROW ) return rc;
  if( nFound==0 ){
    /* as named(): umlauts typed as oe/ae/ue (SPEC 7.1), tried only when the
    ** spelling as typed finds nobody */
    uint32_t *a = NULL;
    int nA = 0;
    rc = faktNamedIds(t, z, n, &a, &nA);
    if( rc ) return rc;
    if( nA>0 ){
      *pId = a[0];
      nFound = 1;
      for(int i=1; pnMore && i<nA; i++){
        if( *pnMore<4 ) aMore[*pnMore] = a[i];
        (*pnMore)++;
      }
    }
    free(a);
  }
  return nFound ? FAKT_OK : FAKT_NOTFOUND;
}

static int lookupLabel(StoreTxn *t, const char *z, int n, uint32_t *pId){
  return lookupLabelAll(t, z, n, pId, NULL, NULL);
}

/* Entity by label or alias; FAKT_CONSTRAINT when several entities carry it. */
int faktLookupLabelUnique(StoreTxn *t, const char *z, int n, uint32_t *pId){
  uint32_t aMore[4];
  int nMore = 0;
  int rc = lookupLabelAll(t, z, n, pId, &nMore, aMore);
  return rc==FAKT_OK && nMore ? FAKT_CONSTRAINT : rc;
}

/* Entity by label or alias, for the executor (parameters bound as labels). */
int faktLookupLabel(StoreTxn *t, const char *z, int n, uint32_t *pId){
  return lookupLabel(t, z, n, pId);
}

/* Resolve a constant term into a value. */
int faktResolveConst(Compile *c, Expr *pE, Value *pV){
  memset(pV, 0, sizeof(*pV));
  switch( pE->op ){
    case E_INT: pV->t = V_INT; pV->u.i = pE->iVal; return FAKT_OK;
    case E_FLOAT: pV->t = V_FLOAT; pV->u.r = pE->rVal; return FAKT_OK;
    case E_BOOL: pV->t = V_BOOL; pV->u.i = pE->iVal; return FAKT_OK;
    case E_NULL: pV->t = V_NULL; return FAKT_OK;
    case E_DATE: pV->t = V_DATE; pV->u.d = (uint64_t)pE->iVal; return FAKT_OK;
    case E_QTY: {
      pV->t = V_QTY; pV->u.r = pE->rVal;
      pV->z = pE->zUnit; pV->n = pE->zUnit ? (int)strlen(pE->zUnit) : 0;
      uint32_t id = 0;
      if( pV->n && faktDictLookup(c->t, NS_STR, pV->z, pV->n, &id)==FAKT_OK ) pV->id = id;
      return FAKT_OK;
    }
    case E_STR: {
      uint32_t id = 0;
      pV->t = V_STR; pV->z = pE->zName; pV->n = pE->nName;
      if( faktDictLookup(c->t, NS_STR, pE->zName, pE->nName, &id)==FAKT_OK ) pV->id = id;
      return FAKT_OK;
    }
    case E_ID: {
      uint32_t id; int kind;
      int rc = faktLookupName(c->t, pE->zName, pE->nName, &id, &kind);
      if( rc==FAKT_NOTFOUND ){
        faktErrSet(c->pErr, FAKT_NOTFOUND, &pE->pos, "unknown entity \"%s\"", pE->zName);
        return FAKT_NOTFOUND;
      }
      if( rc ) return faktStoreFail(c->pErr, c->db->pStore, rc, &pE->pos, NULL);
      pV->t = V_ID; pV->id = id;
      return FAKT_OK;
    }
    case E_LABEL: {
      uint32_t id, aMore[4];
      int nMore = 0;
      int rc = lookupLabelAll(c->t, pE->zName, pE->nName, &id, &nMore, aMore);
      if( rc==FAKT_NOTFOUND ){
        faktErrSet(c->pErr, FAKT_NOTFOUND, &pE->pos, "no entity named \"%s\"", pE->zName);
        return rc;
      }
      if( rc==FAKT_OK && nMore ){
        /* name every candidate, ordered by id, so the user can pick one */
        char zList[600];
        int nList = 0, nz;
        const char *zN;
        char aGen[FAKT_GEN_NAME];
        uint32_t aAll[5];
        int nAll = 0;
        aAll[nAll++] = id;
        for(int i=0; i<nMore && i<4; i++) aAll[nAll++] = aMore[i];
        for(int i=0; i<nAll; i++){
          if( faktIdName(c->t, aAll[i], aGen, &zN, &nz) ){ zN = "?"; nz = 1; }
          nList += snprintf(zList+nList, sizeof(zList)-(size_t)nList, "%s%.*s", i ? ", " : "", nz>100 ? 100 : nz, zN);
        }
        faktErrSet(c->pErr, FAKT_CONSTRAINT, &pE->pos, "ambiguous name \"%s\": %s%s", pE->zName, zList,
                   nMore>4 ? ", ..." : "");
        return FAKT_CONSTRAINT;
      }
      if( rc ) return faktStoreFail(c->pErr, c->db->pStore, rc, &pE->pos, NULL);
      pV->t = V_ID; pV->id = id;
      return FAKT_OK;
    }
    default:
      faktErrSet(c->pErr, FAKT_INTERNAL, &pE->pos, "not a constant");
      return FAKT_INTERNAL;
  }
}

int faktIsConstOp(int op){
  return op==E_INT || op==E_FLOAT || op==E_BOOL || op==E_NULL || op==E_DATE
      || op==E_QTY || op==E_STR || op==E_ID || op==E_LABEL;
}

/* Slot of a variable or parameter (parameters are pre-bound registers "$#N"). */
int faktVarSlot(Compile *c, Expr *pE){
  if( pE->op==E_PARAM && pE->iParam>=1 && pE->iParam<=c->nParamSlot ) return pE->iParam - 1;
  if( pE->op==E_PARAM ){
    char z[24];
    int n = snprintf(z, sizeof(z), "$#%d", pE->iParam);
    return faktCompileSlot(c, z, n);
  }
  return faktCompileSlot(c, pE->zName, pE->nName);
}

/*
** Resolve an expression for evaluation: variables get slots (and must be
** bound when bNeedBound), constants get their value in pAux, calls must
** name a built-in function.
*/
int faktCompileExpr(Compile *c, Expr *pE, int bNeedBound){
  if( pE==NULL ) return FAKT_OK;
  if( pE->op==E_VAR || pE->op==E_PARAM ){
    int s = faktVarSlot(c, pE);
    if( s<0 ) return faktCompileOom(c);
    pE->iSlot = s;
    if( bNeedBound && !c->aBound[s] ){
      faktErrSet(c->pErr, FAKT_ERROR, &pE->pos, "variable %s%s is not bound by any pattern",
                 pE->op==E_VAR ? "?" : "", pE->zName);
      return FAKT_ERROR;
    }
    return FAKT_OK;
  }
  if( faktIsConstOp(pE->op) ){
    Value *pV = faktArenaAlloc(c->a, sizeof(Value));
    if( pV==NULL ) return faktCompileOom(c);
    int rc = faktResolveConst(c, pE, pV);
    if( rc ) return rc;
    pE->pAux = pV;
    return FAKT_OK;
  }
  if( pE->op==E_CALL ){
    const Builtin *pB = faktBuiltinFind(pE->zName, pE->nName);
    if( pB==NULL || pB->xFunc==NULL ){
      faktErrSet(c->pErr, FAKT_NOTFOUND, &pE->pos, "unknown function \"%s\"", pE->zName);
      return FAKT_NOTFOUND;
    }
    int nArg = pE->pArgs ? pE->pArgs->n : 0;
    int nMin = pB->nArgMin, nMax = pB->nArgMax;
    if( pB->xGen ){ nMin--; nMax--; }     /* label(E) as a function: the relation minus its output */
    if( nArg<nMin || nArg>nMax ) return faktArityErr(c, pE, nMin, nMax, nArg);
    pE->pAux = (void*)pB;
  }
  if( pE->op==E_AGG && c->nDepth>=0 && bNeedBound==2 ){
    faktErrSet(c->pErr, FAKT_ERROR, &pE->pos, "aggregate %s() is not allowed here", pE->zName);
    return FAKT_ERROR;
  }
  int rc = faktCompileExpr(c, pE->pLeft, bNeedBound);
  if( rc==0 ) rc = faktCompileExpr(c, pE->pRight, bNeedBound);
  if( rc==0 && pE->pArgs ){
    for(int i=0; i<pE->pArgs->n && rc==0; i++) rc = faktCompileExpr(c, pE->pArgs->a[i].p, bNeedBound);
  }
  return rc;
}

/* ================================================================ expression text */

static void textAppend(char **pz, int *pn, int *pnAlloc, const char *zAdd, int nAdd){
  if( *pz==NULL && *pnAlloc<0 ) return;
  if( *pn + nAdd + 1 > *pnAlloc ){
    int nNew = (*pn + nAdd + 1)*2;
    char *z = realloc(*pz, (size_t)nNew);
    if( z==NULL ){ free(*pz); *pz = NULL; *pnAlloc = -1; return; }
    *pz = z; *pnAlloc = nNew;
  }
  memcpy(*pz + *pn, zAdd, (size_t)nAdd);
  *pn += nAdd;
  (*pz)[*pn] = 0;
}

static void exprTextRec(const Expr *pE, char **pz, int *pn, int *pnA){
  char zBuf[64];
  static const char *azOp[] = { "+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=" };
  if( pE==NULL ) return;
  switch( pE->op ){
    case E_VAR: textAppend(pz, pn, pnA, "?", 1); textAppend(pz, pn, pnA, pE->zName, pE->nName); break;
    case E_PARAM: case E_ID: textAppend(pz, pn, pnA, pE->zName, pE->nName); break;
    case E_INT: textAppend(pz, pn, pnA, zBuf, snprintf(zBuf, sizeof(zBuf), "%lld", (long long)pE->iVal)); break;
    case E_FLOAT: textAppend(pz, pn, pnA, zBuf, snprintf(zBuf, sizeof(zBuf), "%.15g", pE->rVal)); break;
    case E_QTY:
      textAppend(pz, pn, pnA, zBuf, snprintf(zBuf, sizeof(zBuf), "%.15g", pE->rVal));
      if( pE->zUnit ) textAppend(pz, pn, pnA, pE->zUnit, (int)strlen(pE->zUnit));
      break;
    case E_DATE:
      textAppend(pz, pn, pnA, "@", 1);
      textAppend(pz, pn, pnA, zBuf, faktDateFormat((uint64_t)pE->iVal, zBuf));
      break;
    case E_BOOL: textAppend(pz, pn, pnA, pE->iVal ? "true" : "false", pE->iVal ? 4 : 5); break;
    case E_NULL: textAppend(pz, pn, pnA, "null", 4); break;
    case E_STR: case E_LABEL:
      if( pE->op==E_LABEL ) textAppend(pz, pn, pnA, "~", 1);
      textAppend(pz, pn, pnA, "\"", 1);
      textAppend(pz, pn, pnA, pE->zName, pE->nName);
      textAppend(pz, pn, pnA, "\"", 1);
      break;
    case E_CALL: case E_AGG:
      textAppend(pz, pn, pnA, pE->zName, pE->nName);
      textAppend(pz, pn, pnA, "(", 1);
      if( pE->bDistinct ) textAppend(pz, pn, pnA, "distinct ", 9);
      for(int i=0; pE->pArgs && i<pE->pArgs->n; i++){
        if( i ) textAppend(pz, pn, pnA, ", ", 2);
        exprTextRec(pE->pArgs->a[i].p, pz, pn, pnA);
      }
      textAppend(pz, pn, pnA, ")", 1);
      break;
    case E_NEG: case E_NOT:
      textAppend(pz, pn, pnA, pE->op==E_NEG ? "-" : "not ", pE->op==E_NEG ? 1 : 4);
      exprTextRec(pE->pLeft, pz, pn, pnA);
      break;
    default:
      if( pE->op>=E_ADD && pE->op<=E_GE ){
        const char *zOp = azOp[pE->op - E_ADD];
        exprTextRec(pE->pLeft, pz, pn, pnA);
        textAppend(pz, pn, pnA, " ", 1);
        textAppend(pz, pn, pnA, zOp, (int)strlen(zOp));
        textAppend(pz, pn, pnA, " ", 1);
        exprTextRec(pE->pRight, pz, pn, pnA);
      }
      break;
  }
}

/* The expression as text (column names, explain), in arena a. */
char *faktExprText(Arena *a, const Expr *pE){
  char *z = NULL;
  int n = 0, nA = 0;
  exprTextRec(pE, &z, &n, &nA);
  char *zOut = faktArenaStrdup(a, z ? z : "", (size_t)(z ? n : 0));
  free(z);
  return zOut;
}

/* ================================================================ find */

static int collectAggs(Compile *c, FindInfo *f, Expr *pE, int bInAgg){
  if( pE==NULL ) return FAKT_OK;
  if( pE->op==E_AGG ){
    if( bInAgg ){
      faktErrSet(c->pErr, FAKT_ERROR, &pE->pos, "aggregates cannot be nested");
      return FAKT_ERROR;
    }
    Expr **ap = realloc(f->apAgg, sizeof(Expr*)*(size_t)(f->nAgg+1));
    if( ap==NULL ) return faktCompileOom(c);
    f->apAgg = ap;
    pE->iAgg = f->nAgg;
    f->apAgg[f->nAgg++] = pE;
    f->bAgg = 1;
    bInAgg = 1;
  }
  int rc = collectAggs(c, f, pE->pLeft, bInAgg);
  if( rc==0 ) rc = collectAggs(c, f, pE->pRight, bInAgg);
  for(int i=0; rc==0 && pE->pArgs && i<pE->pArgs->n; i++){
    rc = collectAggs(c, f, pE->pArgs->a[i].p, bInAgg);
  }
  return rc;
}

/* Copy a malloc'd array into the arena (so the statement owns it). */
static void *arenaCopy(Arena *a, const void *p, size_t n){
  void *q = faktArenaAlloc(a, n ? n : 1);
  if( q && n ) memcpy(q, p, n);
  return q;
}

/* Does body b (or a body inside it) call a stored rule? Only then does a
** query need the rule set, whose loading is most of a prepare's work. */
static int callsRule(fakt *db, StoreTxn *t, const Body *b){
  for(const Literal *p=b ? b->pFirst : NULL; p; p=p->pNext){
    if( p->pSub && callsRule(db, t, p->pSub) ) return 1;
    if( p->kind==L_CALL && p->pExpr && p->pExpr->zName ){
      uint32_t id;
      if( faktSessionRuleHas(db, p->pExpr->zName, p->pExpr->nName) ) return 1;
      if( faktDictLookup(t, NS_NAME, p->pExpr->zName, p->pExpr->nName, &id)==FAKT_OK
       && faktRuleHas(t, id) ) return 1;
    }
  }
  return 0;
}

/* Count the occurrences of every variable register in pE into aUse. */
static void exprUses(const Expr *pE, int *aUse, int nVar){
  if( pE==NULL ) return;
  if( pE->op==E_VAR ){
    if( pE->iSlot>=0 && pE->iSlot<nVar ) aUse[pE->iSlot]++;
    return;
  }
  exprUses(pE->pLeft, aUse, nVar);
  exprUses(pE->pRight, aUse, nVar);
  if( pE->pArgs ){
    for(int i=0; i<pE->pArgs->n; i++) exprUses(pE->pArgs->a[i].p, aUse, nVar);
  }
}
static void bodyUses(const Body *pBody, int *aUse, int nVar){
  for(const Literal *p=pBody ? pBody->pFirst : NULL; p; p=p->pNext){
    exprUses(p->pClaim, aUse, nVar);
    exprUses(p->pS, aUse, nVar);
    exprUses(p->pP, aUse, nVar);
    exprUses(p->pO, aUse, nVar);
    exprUses(p->pExpr, aUse, nVar);
    bodyUses(p->pSub, aUse, nVar);
  }
}
/* Mark the outputs of built-ins whose variable occurs once in the whole
** statement (there, and nowhere else): quote(?c, ?q) with ?q otherwise
** unmentioned need only know that ?c has a quote, not read it. */
static void markUnused(Plan *pPlan, const int *aUse, int nVar){
  for(int i=0; pPlan && i<pPlan->nStep; i++){
    Step *pS = &pPlan->aStep[i];
    if( pS->kind==ST_BUILTIN ){
      for(int j=0; j<pS->nArg; j++){
        Term *pT = &pS->aArg[j];
        if( pT->iSlot>=0 && pT->iSlot<nVar && !pT->bBound && !pT->bCheck && !pT->bParam
         && aUse[pT->iSlot]==1 ) pT->bUnused = 1;
      }
    }
    markUnused(pS->pSub, aUse, nVar);
  }
}

/* Is pS a built-in whose rows are those of the claims in its first
** argument, read from their records? */
static int isClaimField(const Step *pS){
  static const char *azClaimRel[] = {
    "source", "by", "via", "stance", "holds", "said", "quote", "recorded", "span"
  };
  if( pS->kind!=ST_BUILTIN || pS->nArg<1 ) return 0;
  for(size_t j=0; j<sizeof(azClaimRel)/sizeof(azClaimRel[0]); j++){
    if( strcmp(pS->pB->zName, azClaimRel[j])==0 ) return 1;
  }
  return 0;
}

/* Does a step of pPlan itself (not a sub-plan) keep only claims in
** register s: a pattern's claim variable, or the first argument of a
** built-in whose rows are those of claims? */
static int claimsOnlySlot(const Plan *pPlan, int s){
  for(int i=0; i<pPlan->nStep; i++){
    const Step *pS = &pPlan->aStep[i];
    if( pS->kind==ST_SCAN && pS->aT[3].iSlot==s ) return 1;
    if( isClaimField(pS) && pS->aArg[0].iSlot==s && pS->aArg[0].bCheck==0 ) return 1;
  }
  return 0;
}
/* Mark each match() whose documents a conjunct of the same body narrows
** to claims: it need not yield sources (SPEC 9.4). */
static void markClaimsOnly(Plan *pPlan){
  for(int i=0; pPlan && i<pPlan->nStep; i++){
    Step *pS = &pPlan->aStep[i];
    if( pS->kind==ST_BUILTIN && strcmp(pS->pB->zName, "match")==0 && pS->nArg==2
     && pS->aArg[0].iSlot>=0 && !pS->aArg[0].bBound && !pS->aArg[0].bCheck
     && claimsOnlySlot(pPlan, pS->aArg[0].iSlot) ){
      pS->bClaimsOnly = 1;
    }
    markClaimsOnly(pS->pSub);
  }
}

/* Mark each scan whose claims a later step of the same body reads through
** their records (source, by, stance, quote, span, ...): the scan then
** prefetches the records of the rows ahead (exec.c). */
static void markReadsClaims(Plan *pPlan){
  for(int i=0; pPlan && i<pPlan->nStep; i++){
    Step *pS = &pPlan->aStep[i];
    if( pS->kind==ST_SCAN && pS->aT[3].iSlot>=0 && !pS->aT[3].bBound ){
      for(int j=i+1; j<pPlan->nStep && !pS->bReadsClaims; j++){
        const Step *pB = &pPlan->aStep[j];
        pS->bReadsClaims = isClaimField(pB) && pB->aArg[0].iSlot==pS->aT[3].iSlot;
      }
    }
    markReadsClaims(pS->pSub);
  }
}

/* Mark the scans that bind a subject or object the query shows as a
** column of its own (abShown: per register), so that their texts are
** prefetched while the scan reads ahead. */
static void markShows(Plan *pPlan, const uint8_t *abShown, int nVar){
  for(int i=0; pPlan && i<pPlan->nStep; i++){
    Step *pS = &pPlan->aStep[i];
    if( pS->kind==ST_SCAN && !pS->aT[3].bBound ){
      for(int j=0; j<3; j+=2){
        const Term *pT = &pS->aT[j];
        pS->abShows[j] = pT->iSlot>=0 && pT->iSlot<nVar && !pT->bBound && abShown[pT->iSlot];
      }
    }
    markShows(pS->pSub, abShown, nVar);
  }
}

/*
** Compile a find statement: body, projections, order, parameters. Sets
** p->pPlan, p->pFind, p->nReg and the column names.
*/
/* Parameters are registers bound before anything runs: parameter i+1 is
** slot i, appended without a name search (32766 of them must not cost a
** quadratic prepare). */
static int findParams(Compile *c, fakt_stmt *p, FindInfo *f){
  Stmt *pS = p->pStmt;
  f->nParam = pS->nParam;
  f->aParamSlot = faktArenaAlloc(&p->arena, sizeof(int)*(size_t)(pS->nParam+1));
  if( f->aParamSlot==NULL ) return faktCompileOom(c);
  for(int i=0; i<pS->nParam; i++){
    f->aParamSlot[i] = faktCompileSlot(c, NULL, 0);
    if( f->aParamSlot[i]!=i ) return faktCompileOom(c);
    c->aBound[i] = 1;
  }
  c->nParamSlot = pS->nParam;
  return FAKT_OK;
}

/* The projections and the names of the columns. */
static int findProjections(Compile *c, fakt_stmt *p, FindInfo *f){
  Stmt *pS = p->pStmt;
  int rc = FAKT_OK;
  int nProj = pS->pProj ? pS->pProj->n : 0;
  f->nProj = nProj;
  f->apProj = faktArenaAlloc(&p->arena, sizeof(Expr*)*(size_t)(nProj+1));
  p->cols.n = nProj;
  p->cols.azName = faktArenaAlloc(&p->arena, sizeof(char*)*(size_t)(nProj+1));
  if( f->apProj==NULL || p->cols.azName==NULL ) return faktCompileOom(c);
  for(int i=0; rc==0 && i<nProj; i++){
    ExprItem *pItem = &pS->pProj->a[i];
    f->apProj[i] = pItem->p;
    rc = collectAggs(c, f, pItem->p, 0);
    if( rc==0 ) rc = faktCompileExpr(c, pItem->p, 1);
    if( pItem->zAlias ) p->cols.azName[i] = pItem->zAlias;
    else if( pItem->p->op==E_VAR ) p->cols.azName[i] = pItem->p->zName;
    else p->cols.azName[i] = faktExprText(&p->arena, pItem->p);
    if( rc==0 && p->cols.azName[i]==NULL ) rc = faktCompileOom(c);
  }
  return rc;
}

/* order by: an alias of a column, or any expression. */
static int findOrder(Compile *c, fakt_stmt *p, FindInfo *f){
  Stmt *pS = p->pStmt;
  int rc = FAKT_OK;
  int nOrder = pS->pOrder ? pS->pOrder->n : 0;
  f->nOrder = nOrder;
  f->apOrder = faktArenaAlloc(&p->arena, sizeof(Expr*)*(size_t)(nOrder+1));
  f->abDesc = faktArenaAlloc(&p->arena, sizeof(int)*(size_t)(nOrder+1));
  if( f->apOrder==NULL || f->abDesc==NULL ) return faktCompileOom(c);
  for(int i=0; rc==0 && i<nOrder; i++){
    ExprItem *pItem = &pS->pOrder->a[i];
    Expr *pE = pItem->p;
    f->abDesc[i] = pItem->bDesc;
    if( pE->op==E_ID ){
      for(int j=0; j<f->nProj; j++){
        const char *zA = pS->pProj->a[j].zAlias;
        if( zA && strcmp(zA, pE->zName)==0 ){ pE = f->apProj[j]; break; }
      }
      if( pE->op==E_ID ){
        faktErrSet(&p->db->err, FAKT_NOTFOUND, &pE->pos, "no column named \"%s\" to order by", pE->zName);
        return FAKT_NOTFOUND;
      }
    }else{
      rc = collectAggs(c, f, pE, 0);
      if( rc==0 ) rc = faktCompileExpr(c, pE, 1);
    }
    f->apOrder[i] = pE;
  }
  return rc;
}

/* Mark the plan's steps with what the query uses of them: registers nobody
** reads, registers shown as they are, steps that only read claims. */
static int findMarkPlan(Compile *c, fakt_stmt *p, FindInfo *f, Plan *pPlan, Expr **aNum){
  if( c->nVar>0 ){
    int *aUse = calloc((size_t)c->nVar, sizeof(int));
    if( aUse==NULL ) return faktCompileOom(c);
    bodyUses(p->pStmt->pWhere, aUse, c->nVar);
    for(int i=0; i<f->nProj; i++) exprUses(f->apProj[i], aUse, c->nVar);
    for(int i=0; i<f->nOrder; i++) exprUses(f->apOrder[i], aUse, c->nVar);
    for(int i=0; i<3; i++) exprUses(aNum[i], aUse, c->nVar);
    markUnused(pPlan, aUse, c->nVar);
    /* the registers shown as they are, one to a column */
    uint8_t *abShown = (uint8_t*)aUse;
    memset(abShown, 0, (size_t)c->nVar);
    for(int i=0; i<f->nProj && !f->bAgg; i++){
      const Expr *pE = f->apProj[i];
      if( pE->op==E_VAR && pE->iSlot>=0 && pE->iSlot<c->nVar ) abShown[pE->iSlot] = 1;
    }
    markShows(pPlan, abShown, c->nVar);
    free(aUse);
  }
  markClaimsOnly(pPlan);
  markReadsClaims(pPlan);
  return FAKT_OK;
}

/* Compile a find statement: its rules, parameters, body, projections,
** order, limits, then what the plan's steps need to produce. */
int faktResolveFind(fakt_stmt *p, StoreTxn *t){
  fakt *db = p->db;
  Stmt *pS = p->pStmt;
  Compile c;
  int rc;
  RuleSet *pRules = NULL;
  if( callsRule(db, t, pS->pWhere) ){
    rc = faktRulesLoad(db, t, &pRules, &db->err);
    if( rc ) return rc;
  }
  p->pRules = pRules;
  faktCompileInit(&c, db, t, &p->arena, pRules, &db->err);
  FindInfo *f = faktArenaAlloc(&p->arena, sizeof(FindInfo));
  if( f==NULL ){ faktCompileFree(&c); return faktCompileOom(&c); }
  p->pFind = f;
  rc = findParams(&c, p, f);
  if( rc ){ faktCompileFree(&c); return rc; }
  Plan *pPlan = NULL;
  if( pS->pWhere ){
    rc = faktCompileBody(&c, pS->pWhere, &pPlan);
  }else{
    pPlan = faktArenaAlloc(&p->arena, sizeof(Plan));
    if( pPlan==NULL ) rc = faktCompileOom(&c);
  }
  if( rc==0 ) rc = findProjections(&c, p, f);
  if( rc==0 ) rc = findOrder(&c, p, f);
  /* limit, offset, as of: integers or parameters */
  Expr *aNum[3] = { pS->pLimit, pS->pOffset, pS->pAsOf };
  for(int i=0; rc==0 && i<3; i++){
    if( aNum[i] ) rc = faktCompileExpr(&c, aNum[i], 1);
  }
  if( rc==0 && pS->mode==F_WHY ){
    if( f->bAgg ){
      faktErrSet(&db->err, FAKT_ERROR, &pS->pos, "why cannot explain an aggregate query: ask without the aggregates");
      rc = FAKT_ERROR;
    }
    f->nWhy = 5;
  }
  if( rc==0 && pPlan ) rc = findMarkPlan(&c, p, f, pPlan, aNum);
  p->nReg = c.nVar;
  p->pPlan = pPlan;
  faktCompileFree(&c);
  if( f->apAgg ){
    Expr **apHeap = f->apAgg;
    f->apAgg = rc==0 ? arenaCopy(&p->arena, apHeap, sizeof(Expr*)*(size_t)f->nAgg) : NULL;
    free(apHeap);
    if( rc==0 && f->apAgg==NULL ) rc = faktCompileOom(&c);
  }
  return rc;
}

