/*
** resolve.c -- from a statement tree to a plan: names are resolved to ids,
** variables to registers, and the literals of each body are ordered by the
** planner (cheapest next step first, from the stored statistics).
** EXPLAIN prints the result one operator per row.
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
static int arityErr(Compile *c, const Expr *pE, int nMin, int nMax, int nGot){
  if( nMin==nMax ){
    faktErrSet(c->pErr, FAKT_ERROR, &pE->pos, "%s expects %d argument%s, got %d", pE->zName, nMin,
               nMin==1 ? "" : "s", nGot);
  }else{
    faktErrSet(c->pErr, FAKT_ERROR, &pE->pos, "%s expects %d to %d arguments, got %d", pE->zName, nMin, nMax, nGot);
  }
  return FAKT_ERROR;
}

static int oom(Compile *c){
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

static int isConstOp(int op){
  return op==E_INT || op==E_FLOAT || op==E_BOOL || op==E_NULL || op==E_DATE
      || op==E_QTY || op==E_STR || op==E_ID || op==E_LABEL;
}

/* Slot of a variable or parameter (parameters are pre-bound registers "$#N"). */
static int varSlot(Compile *c, Expr *pE){
  if( pE->op==E_PARAM && pE->iParam>=1 && pE->iParam<=c->nParamSlot ) return pE->iParam - 1;
  if( pE->op==E_PARAM ){
    char z[24];
    int n = snprintf(z, sizeof(z), "$#%d", pE->iParam);
    return faktCompileSlot(c, z, n);
  }
  return faktCompileSlot(c, pE->zName, pE->nName);
}

/* Collect the variable slots an expression uses (adding new variables). */
static int exprVars(Compile *c, Expr *pE, int **paVar, int *pnVar){
  if( pE==NULL ) return FAKT_OK;
  if( pE->op==E_VAR || pE->op==E_PARAM ){
    int s = varSlot(c, pE);
    if( s<0 ) return oom(c);
    pE->iSlot = s;
    for(int i=0; i<*pnVar; i++) if( (*paVar)[i]==s ) return FAKT_OK;
    int *a = realloc(*paVar, sizeof(int)*(size_t)(*pnVar+1));
    if( a==NULL ) return oom(c);
    a[(*pnVar)++] = s;
    *paVar = a;
    return FAKT_OK;
  }
  int rc = exprVars(c, pE->pLeft, paVar, pnVar);
  if( rc==0 ) rc = exprVars(c, pE->pRight, paVar, pnVar);
  if( rc==0 && pE->pArgs ){
    for(int i=0; i<pE->pArgs->n && rc==0; i++) rc = exprVars(c, pE->pArgs->a[i].p, paVar, pnVar);
  }
  return rc;
}

/*
** Resolve an expression for evaluation: variables get slots (and must be
** bound when bNeedBound), constants get their value in pAux, calls must
** name a built-in function.
*/
int faktCompileExpr(Compile *c, Expr *pE, int bNeedBound){
  if( pE==NULL ) return FAKT_OK;
  if( pE->op==E_VAR || pE->op==E_PARAM ){
    int s = varSlot(c, pE);
    if( s<0 ) return oom(c);
    pE->iSlot = s;
    if( bNeedBound && !c->aBound[s] ){
      faktErrSet(c->pErr, FAKT_ERROR, &pE->pos, "variable %s%s is not bound by any pattern",
                 pE->op==E_VAR ? "?" : "", pE->zName);
      return FAKT_ERROR;
    }
    return FAKT_OK;
  }
  if( isConstOp(pE->op) ){
    Value *pV = faktArenaAlloc(c->a, sizeof(Value));
    if( pV==NULL ) return oom(c);
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
    if( nArg<nMin || nArg>nMax ) return arityErr(c, pE, nMin, nMax, nArg);
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

/* ================================================================ candidates */
typedef struct Cand {
  Literal *pLit;
  StepKind kind;
  const Builtin *pB;       /* ST_BUILTIN, or a test used as filter */
  int iRel;                /* ST_DERIVED */
  int *aVar; int nVar;     /* variables it mentions */
  int *aNeed; int nNeed;   /* variables that must be bound before (filters, not) */
  int bPlaced;
} Cand;

static int bodyVars(Compile *c, Body *pBody, int **paVar, int *pnVar);

/* Variables of one literal (recursively for sub-bodies). */
static int litVars(Compile *c, Literal *pLit, int **paVar, int *pnVar){
  switch( pLit->kind ){
    case L_TRIPLE: {
      int rc = exprVars(c, pLit->pClaim, paVar, pnVar);
      if( rc==0 ) rc = exprVars(c, pLit->pS, paVar, pnVar);
      if( rc==0 ) rc = exprVars(c, pLit->pP, paVar, pnVar);
      if( rc==0 ) rc = exprVars(c, pLit->pO, paVar, pnVar);
      return rc;
    }
    case L_CALL: case L_CMP: return exprVars(c, pLit->pExpr, paVar, pnVar);
    default: return bodyVars(c, pLit->pSub, paVar, pnVar);
  }
}
static int bodyVars(Compile *c, Body *pBody, int **paVar, int *pnVar){
  for(Literal *p=pBody ? pBody->pFirst : NULL; p; p=p->pNext){
    int rc = litVars(c, p, paVar, pnVar);
    if( rc ) return rc;
  }
  return FAKT_OK;
}

static int hasVar(const int *a, int n, int s){
  for(int i=0; i<n; i++) if( a[i]==s ) return 1;
  return 0;
}

/* Is a term bound (constant, or a bound variable)? */
static int termBound(Compile *c, Expr *pE){
  if( pE==NULL ) return 0;
  if( pE->op==E_VAR || pE->op==E_PARAM ) return c->aBound[pE->iSlot];
  if( isConstOp(pE->op) ) return 1;
  int *a = NULL, n = 0, ok = 1;
  if( exprVars(c, pE, &a, &n) ) ok = 0;
  for(int i=0; i<n && ok; i++) if( !c->aBound[a[i]] ) ok = 0;
  free(a);
  return ok;
}

static int allBound(Compile *c, const int *a, int n){
  for(int i=0; i<n; i++) if( !c->aBound[a[i]] ) return 0;
  return 1;
}

/* All live claims (faktStatGet 'T'), looked up once per compile. */
static double statTotal(Compile *c){
  if( !c->bTotal ){
    c->rTotal = (double)faktStatGet(c->t, 'T', 0);
    c->bTotal = 1;
  }
  return c->rTotal;
}

static double statLookup(Compile *c, Expr *pE, int kind);

/* Statistic for a constant term in position kind ('S','P','O'), or -1;
** remembered for the rest of the compile. */
static double statOf(Compile *c, Expr *pE, int kind){
  if( pE==NULL || !isConstOp(pE->op) ) return -1;
  for(int i=0; i<c->nStat; i++){
    if( c->aStat[i].pE==pE && c->aStat[i].kind==kind ) return c->aStat[i].v;
  }
  double v = statLookup(c, pE, kind);
  if( c->nStat<(int)(sizeof(c->aStat)/sizeof(c->aStat[0])) ){
    c->aStat[c->nStat].pE = pE;
    c->aStat[c->nStat].kind = kind;
    c->aStat[c->nStat].v = v;
    c->nStat++;
  }
  return v;
}

static double statLookup(Compile *c, Expr *pE, int kind){
  Value v;
  FaktErr e; faktErrInit(&e);
  FaktErr *pSave = c->pErr; c->pErr = &e;
  int rc = faktResolveConst(c, pE, &v);
  c->pErr = pSave;
  faktErrClear(&e);
  if( rc ) return 0;
  if( v.t==V_ID || (v.t==V_STR && v.id) ) return (double)faktStatGet(c->t, kind, v.id);
  if( v.t==V_STR ) return 0;
  return -1;
}

/* Estimated rows of a stored pattern per input row, given what is bound. */
static double estTriple(Compile *c, Literal *pLit){
  double T = statTotal(c);
  double est = T<1 ? 1 : T;
  if( pLit->pClaim && termBound(c, pLit->pClaim) ) return 1;
  Expr *aE[3] = { pLit->pS, pLit->pP, pLit->pO };
  int aK[3] = { 'S', 'P', 'O' };
  for(int i=0; i<3; i++){
    Expr *pE = aE[i];
    if( isConstOp(pE->op) ){
      double s = statOf(c, pE, aK[i]);
      if( s>=0 ){ if( s<est ) est = s; }
      else est = est/10;
    }else if( termBound(c, pE) ){
      est = est/50;          /* a value known only at run time: assume a small fan-out */
    }
  }
  return est<1 ? 1 : est;
}

static double estCand(Compile *c, Cand *pc){
  switch( pc->kind ){
    case ST_SCAN: return estTriple(c, pc->pLit);
    case ST_DERIVED: {
      int nB = 0, n = pc->pLit->pExpr->pArgs ? pc->pLit->pExpr->pArgs->n : 0;
      for(int i=0; i<n; i++) nB += termBound(c, pc->pLit->pExpr->pArgs->a[i].p);
      return nB==0 ? 1000 : 1000/pow(30, nB);
    }
    case ST_BUILTIN: {
      int n = pc->pLit->pExpr->pArgs ? pc->pLit->pExpr->pArgs->n : 0;
      int b0 = n>0 && termBound(c, pc->pLit->pExpr->pArgs->a[0].p);
      if( b0 ) return 1;
      double T = statTotal(c);
      if( pc->pB->est>0 ) return pc->pB->est;
      /* an output-first call with a later argument bound reads an index */
      for(int i=1; i<n; i++){
        if( termBound(c, pc->pLit->pExpr->pArgs->a[i].p) ) return T/10<10 ? 10 : T/10;
      }
      return T<10 ? 10 : T;
    }
    default: return 1;
  }
}

/* Can the candidate run now? */
static int candReady(Compile *c, Cand *pc){
  switch( pc->kind ){
    case ST_SCAN: case ST_DERIVED: return 1;
    case ST_BUILTIN: {
      ExprList *pA = pc->pLit->pExpr->pArgs;
      for(int i=0; pA && i<pA->n; i++){
        if( (pc->pB->mNeed>>i)&1 ){
          if( !termBound(c, pA->a[i].p) ) return 0;
        }else if( !(pA->a[i].p->op==E_VAR || pA->a[i].p->op==E_PARAM) && !termBound(c, pA->a[i].p) ){
          return 0;
        }
      }
      return 1;
    }
    case ST_ASSIGN: case ST_FILTER: {
      if( c->iHeldSlot>=0 && hasVar(pc->aVar, pc->nVar, c->iHeldSlot) ) return 0;
      if( pc->pLit->kind==L_CMP && pc->pLit->pExpr->op==E_EQ ){
        Expr *pL = pc->pLit->pExpr->pLeft, *pR = pc->pLit->pExpr->pRight;
        if( pL->op==E_VAR && !c->aBound[pL->iSlot] && termBound(c, pR) ) return 1;
        if( pR->op==E_VAR && !c->aBound[pR->iSlot] && termBound(c, pL) ) return 1;
      }
      return allBound(c, pc->aVar, pc->nVar);
    }
    case ST_NOT:
      if( c->iHeldSlot>=0 && hasVar(pc->aVar, pc->nVar, c->iHeldSlot) ) return 0;
      return allBound(c, pc->aNeed, pc->nNeed);
    default: return 0;
  }
}

/* ================================================================ steps */

static int makeTerm(Compile *c, Expr *pE, Term *pT, int bAllowExpr){
  memset(pT, 0, sizeof(*pT));
  pT->iSlot = -1;
  if( pE->op==E_VAR || pE->op==E_PARAM ){
    pT->iSlot = pE->iSlot;
    pT->bBound = c->aBound[pE->iSlot];
    pT->bParam = pE->op==E_PARAM;
    return FAKT_OK;
  }
  if( isConstOp(pE->op) ){
    pT->bBound = 1;
    return faktResolveConst(c, pE, &pT->v);
  }
  if( !bAllowExpr ){
    faktErrSet(c->pErr, FAKT_SYNTAX, &pE->pos, "a pattern term must be a variable or a constant");
    return FAKT_SYNTAX;
  }
  /* an expression argument: evaluated into a hidden register by the caller */
  return FAKT_OK;
}

static void bindTermVar(Compile *c, Term *pT){
  if( pT->iSlot>=0 ) c->aBound[pT->iSlot] = 1;
}

/* Build the step for a stored pattern. */
static int stepScan(Compile *c, Cand *pc, Step *pS){
  Literal *pLit = pc->pLit;
  Expr *aE[3] = { pLit->pS, pLit->pP, pLit->pO };
  int rc;
  pS->kind = ST_SCAN;
  pS->est = estTriple(c, pLit);
  if( pLit->pP->op==E_ID ){
    uint32_t id;
    int kind = 0;
    int rc0 = faktLookupName(c->t, pLit->pP->zName, pLit->pP->nName, &id, &kind);
    if( rc0==FAKT_NOTFOUND || (rc0==0 && kind!=K_PREDICATE) ){
      faktErrSet(c->pErr, FAKT_NOTFOUND, &pLit->pP->pos, "unknown predicate \"%s\"", pLit->pP->zName);
      return FAKT_NOTFOUND;
    }
  }
  for(int i=0; i<3; i++){
    rc = makeTerm(c, aE[i], &pS->aT[i], 0);
    if( rc ) return rc;
  }
  if( pLit->pClaim ){
    if( pLit->pClaim->op!=E_VAR && pLit->pClaim->op!=E_PARAM && pLit->pClaim->op!=E_ID ){
      faktErrSet(c->pErr, FAKT_SYNTAX, &pLit->pClaim->pos, "a claim label must be a variable");
      return FAKT_SYNTAX;
    }
    rc = makeTerm(c, pLit->pClaim, &pS->aT[3], 0);
    if( rc ) return rc;
  }else{
    int s = faktCompileSlot(c, NULL, 0);
    if( s<0 ) return oom(c);
    pS->aT[3].iSlot = s;
    pS->aT[3].bBound = 0;
  }
  /* checks: the predicate must be a predicate, the subject not a literal */
  if( pS->aT[1].iSlot<0 ){
    int kind = 0;
    faktObjGetKind(c->t, pS->aT[1].v.id, &kind);
    if( pS->aT[1].v.t!=V_ID || kind!=K_PREDICATE ){
      faktErrSet(c->pErr, FAKT_NOTFOUND, &pLit->pP->pos, "unknown predicate \"%s\"",
                 pLit->pP->zName ? pLit->pP->zName : "?");
      return FAKT_NOTFOUND;
    }
  }
  if( pS->aT[0].iSlot<0 && pS->aT[0].v.t!=V_ID ){
    faktErrSet(c->pErr, FAKT_MISMATCH, &pLit->pS->pos,
               "type error: the subject of a pattern must be an entity or a claim, got a %s",
               faktTypeName(pS->aT[0].v.t));
    return FAKT_MISMATCH;
  }
  /* repeated variables inside the pattern */
  for(int i=1; i<4; i++){
    for(int j=0; j<i; j++){
      if( pS->aT[i].iSlot>=0 && pS->aT[i].iSlot==pS->aT[j].iSlot && !pS->aT[j].bBound ){
        pS->aT[i].bCheck = 1;
      }
    }
  }
  int bS = pS->aT[0].bBound, bP = pS->aT[1].bBound, bO = pS->aT[2].bBound;
  if( bS && !bP && bO ){ pS->ix = IX_OSP; pS->nPrefix = 2; }
  else if( bS ){ pS->ix = IX_SPO; pS->nPrefix = 1 + bP + (bP && bO); }
  else if( bP ){ pS->ix = IX_POS; pS->nPrefix = 1 + bO; }
  else if( bO ){ pS->ix = IX_OSP; pS->nPrefix = 1; }
  else { pS->ix = IX_SPO; pS->nPrefix = 0; }
  for(int i=0; i<4; i++) bindTermVar(c, &pS->aT[i]);
  return FAKT_OK;
}

/* Build the step for a call: rule relation or built-in relation. */
static int stepCall(Compile *c, Cand *pc, Step *pS){
  Expr *pCall = pc->pLit->pExpr;
  int n = pCall->pArgs ? pCall->pArgs->n : 0;
  pS->kind = pc->kind;
  pS->pB = pc->pB;
  pS->iRel = pc->iRel;
  pS->est = estCand(c, pc);
  pS->nArg = n;
  pS->aArg = faktArenaAlloc(c->a, sizeof(Term)*(size_t)(n ? n : 1));
  if( pS->aArg==NULL ) return oom(c);
  for(int i=0; i<n; i++){
    Expr *pA = pCall->pArgs->a[i].p;
    int rc;
    if( pA->op==E_VAR || pA->op==E_PARAM || isConstOp(pA->op) ){
      rc = makeTerm(c, pA, &pS->aArg[i], 0);
      if( rc ) return rc;
      for(int j=0; j<i; j++){
        if( pS->aArg[i].iSlot>=0 && pS->aArg[i].iSlot==pS->aArg[j].iSlot && !pS->aArg[j].bBound ){
          pS->aArg[i].bCheck = 1;
        }
      }
    }else{
      /* an expression: evaluated before the call into a hidden register */
      rc = faktCompileExpr(c, pA, 1);
      if( rc ) return rc;
      int s = faktCompileSlot(c, NULL, 0);
      if( s<0 ) return oom(c);
      pS->aArg[i].iSlot = s;
      pS->aArg[i].bBound = 1;
      pS->aArg[i].v.t = V_NULL;
      pS->aArg[i].bCheck = 2;          /* 2: evaluate pArgs->a[i] into the slot first */
      c->aBound[s] = 1;
    }
  }
  if( pS->kind==ST_DERIVED ){
    int s = faktCompileSlot(c, NULL, 0);
    if( s<0 ) return oom(c);
    pS->iRowSlot = s;
    c->aBound[s] = 1;
    if( c->pDeltaLit==pc->pLit ) pS->bDelta = 1;
  }
  for(int i=0; i<n; i++) bindTermVar(c, &pS->aArg[i]);
  return FAKT_OK;
}

static int compileSub(Compile *c, Body *pBody, Plan **ppPlan, int bRestore);

/* Build the step for a filter, an assignment, not or optional. */
static int stepOther(Compile *c, Cand *pc, Step *pS){
  Literal *pLit = pc->pLit;
  int rc;
  pS->est = 1;
  switch( pc->kind ){
    case ST_FILTER: case ST_ASSIGN: {
      Expr *pE = pLit->pExpr;
      if( pLit->kind==L_CMP && pE->op==E_EQ ){
        Expr *pL = pE->pLeft, *pR = pE->pRight;
        Expr *pVar = NULL, *pVal = NULL;
        if( pL->op==E_VAR && !c->aBound[pL->iSlot] ){ pVar = pL; pVal = pR; }
        else if( pR->op==E_VAR && !c->aBound[pR->iSlot] ){ pVar = pR; pVal = pL; }
        if( pVar ){
          rc = faktCompileExpr(c, pVal, 1);
          if( rc ) return rc;
          pS->kind = ST_ASSIGN;
          pS->pExpr = pVal;
          pS->iSlot = pVar->iSlot;
          c->aBound[pVar->iSlot] = 1;
          return FAKT_OK;
        }
      }
      pS->kind = ST_FILTER;
      pS->pExpr = pE;
      pS->est = 0.5;
      if( pLit->kind==L_CALL ){
        pE->pAux = (void*)pc->pB;
        int nArg = pE->pArgs ? pE->pArgs->n : 0;
        if( nArg<pc->pB->nArgMin || nArg>pc->pB->nArgMax ){
          return arityErr(c, pE, pc->pB->nArgMin, pc->pB->nArgMax, nArg);
        }
        for(int i=0; i<nArg; i++){
          rc = faktCompileExpr(c, pE->pArgs->a[i].p, 1);
          if( rc ) return rc;
        }
        return FAKT_OK;
      }
      return faktCompileExpr(c, pE, 1);
    }
    case ST_NOT: {
      pS->kind = ST_NOT;
      pS->est = 0.5;
      return compileSub(c, pLit->pSub, &pS->pSub, 1);
    }
    default: {
      /* optional: remember which registers the sub-plan binds first */
      unsigned char *aBefore = malloc((size_t)c->nVarAlloc + 1);
      if( aBefore==NULL ) return oom(c);
      int nBefore = c->nVar;
      if( nBefore>0 ) memcpy(aBefore, c->aBound, (size_t)nBefore);
      pS->kind = ST_OPT;
      rc = compileSub(c, pLit->pSub, &pS->pSub, 0);
      if( rc==0 ){
        int n = 0;
        pS->aNew = faktArenaAlloc(c->a, sizeof(int)*(size_t)(c->nVar+1));
        if( pS->aNew==NULL ){ free(aBefore); return oom(c); }
        for(int i=0; i<c->nVar; i++){
          int was = i<nBefore ? aBefore[i] : 0;
          if( c->aBound[i] && !was ) pS->aNew[n++] = i;
        }
        pS->nNew = n;
      }
      free(aBefore);
      return rc;
    }
  }
}

/* Classify the literals of a body into candidates. */
static int makeCands(Compile *c, Body *pBody, Cand **paCand, int *pnCand){
  int n = pBody ? pBody->n : 0, i = 0, rc = FAKT_OK;
  Cand *a = calloc((size_t)(n ? n : 1), sizeof(Cand));
  if( a==NULL ) return oom(c);
  for(Literal *pLit=pBody ? pBody->pFirst : NULL; pLit; pLit=pLit->pNext, i++){
    Cand *pc = &a[i];
    pc->pLit = pLit;
    rc = litVars(c, pLit, &pc->aVar, &pc->nVar);
    if( rc ) break;
    switch( pLit->kind ){
      case L_TRIPLE: pc->kind = ST_SCAN; break;
      case L_CMP: pc->kind = ST_FILTER; break;
      case L_NOT: pc->kind = ST_NOT; break;
      case L_OPTIONAL: pc->kind = ST_OPT; break;
      case L_CALL: {
        Expr *pE = pLit->pExpr;
        int iRel = c->pRules ? faktRulesFind(c->pRules, pE->zName, pE->nName) : -1;
        if( iRel>=0 ){
          pc->kind = ST_DERIVED;
          pc->iRel = iRel;
          int nArg = pE->pArgs ? pE->pArgs->n : 0;
          if( nArg!=c->pRules->aRel[iRel].nArity ){
            int nA = c->pRules->aRel[iRel].nArity;
            rc = arityErr(c, pE, nA, nA, nArg);
          }
          break;
        }
        const Builtin *pB = faktBuiltinFind(pE->zName, pE->nName);
        if( pB==NULL ){
          faktErrSet(c->pErr, FAKT_NOTFOUND, &pE->pos, "unknown relation \"%s\"", pE->zName);
          rc = FAKT_NOTFOUND;
          break;
        }
        pc->pB = pB;
        if( pB->xGen ){
          int nArg = pE->pArgs ? pE->pArgs->n : 0;
          if( nArg<pB->nArgMin || nArg>pB->nArgMax ){
            rc = arityErr(c, pE, pB->nArgMin, pB->nArgMax, nArg);
            break;
          }
          pc->kind = ST_BUILTIN;
        }else{
          pc->kind = ST_FILTER;
        }
        break;
      }
    }
    if( rc ) break;
  }
  if( rc==0 ){
    /* for not: the variables it shares with the rest of the body or the outside */
    for(i=0; i<n; i++){
      Cand *pc = &a[i];
      if( pc->kind!=ST_NOT ) continue;
      for(int k=0; k<pc->nVar; k++){
        int s = pc->aVar[k], bShared = c->aBound[s];
        for(int j=0; j<n && !bShared; j++){
          if( j!=i && a[j].kind!=ST_NOT && hasVar(a[j].aVar, a[j].nVar, s) ) bShared = 1;
        }
        if( bShared ){
          int *aN = realloc(pc->aNeed, sizeof(int)*(size_t)(pc->nNeed+1));
          if( aN==NULL ){ rc = oom(c); break; }
          aN[pc->nNeed++] = s;
          pc->aNeed = aN;
        }
      }
    }
  }
  *paCand = a;
  *pnCand = n;
  return rc;
}

static void freeCands(Cand *a, int n){
  for(int i=0; i<n; i++){ free(a[i].aVar); free(a[i].aNeed); }
  free(a);
}

/* Explain why a candidate can never run. */
static int notReady(Compile *c, Cand *pc){
  if( pc->kind==ST_BUILTIN ){
    ExprList *pA = pc->pLit->pExpr->pArgs;
    for(int i=0; pA && i<pA->n; i++){
      if( ((pc->pB->mNeed>>i)&1) && !termBound(c, pA->a[i].p) ){
        faktErrSet(c->pErr, FAKT_ERROR, &pA->a[i].p->pos,
                   "argument %d of %s() must be bound", i+1, pc->pB->zName);
        return FAKT_ERROR;
      }
    }
  }
  const int *aV = pc->kind==ST_NOT ? pc->aNeed : pc->aVar;
  int nV = pc->kind==ST_NOT ? pc->nNeed : pc->nVar;
  for(int i=0; i<nV; i++){
    if( !c->aBound[aV[i]] ){
      faktErrSet(c->pErr, FAKT_ERROR, &pc->pLit->pos, "variable %s%s is not bound by any pattern",
                 c->azVar[aV[i]][0]=='$' ? "" : "?", c->azVar[aV[i]]);
      return FAKT_ERROR;
    }
  }
  faktErrSet(c->pErr, FAKT_ERROR, &pc->pLit->pos, "this condition cannot be evaluated");
  return FAKT_ERROR;
}

/* Order and compile the literals of a body. */
static int planBody(Compile *c, Body *pBody, Plan **ppPlan){
  Cand *aCand = NULL;
  int nCand = 0;
  int rc = makeCands(c, pBody, &aCand, &nCand);
  if( rc==0 && c->pPreVar && c->nDepth==0 ){
    /* after makeCands, which gives slots in the order written: the same
    ** numbering as the rule's other plans, whose head expressions share it */
    int s = faktCompileSlot(c, c->pPreVar->zName, c->pPreVar->nName);
    if( s<0 ) rc = oom(c);
    else{ c->aBound[s] = 1; c->iPreSlot = s; c->iHeldSlot = s; }
  }
  Plan *pPlan = faktArenaAlloc(c->a, sizeof(Plan));
  if( pPlan==NULL && rc==0 ) rc = oom(c);
  if( rc==0 ){
    pPlan->aStep = faktArenaAlloc(c->a, sizeof(Step)*(size_t)(nCand ? nCand : 1));
    if( pPlan->aStep==NULL ) rc = oom(c);
  }
  int nPlaced = 0, bOptPhase = 0;
  while( rc==0 && nPlaced<nCand ){
    int iBest = -1;
    double best = 0;
    /* 1. filters, assignments and negations as soon as they can run */
    for(int i=0; i<nCand && iBest<0; i++){
      Cand *pc = &aCand[i];
      if( pc->bPlaced ) continue;
      if( (pc->kind==ST_FILTER || pc->kind==ST_NOT || pc->kind==ST_ASSIGN) && candReady(c, pc) ) iBest = i;
    }
    /* 2. the cheapest generator */
    if( iBest<0 && !bOptPhase ){
      for(int i=0; i<nCand; i++){
        Cand *pc = &aCand[i];
        if( pc->bPlaced || pc->kind==ST_FILTER || pc->kind==ST_NOT || pc->kind==ST_OPT ) continue;
        if( !candReady(c, pc) ) continue;
        double e = estCand(c, pc);
        if( iBest<0 || e<best ){ iBest = i; best = e; }
      }
    }
    /* A head variable bound before a rule's body runs (pPreVar) is held
    ** back from filters, assignments and negations until a generator that
    ** would bind it in the unbound body has checked it: those then see
    ** only values the unbound body would give them, so a bound argument
    ** never raises an error (`?b >= 8` on an entity) the unbound rule
    ** would not. When no generator mentions it, it is let go here. */
    if( iBest<0 && c->iHeldSlot>=0 ){
      c->iHeldSlot = -1;
      continue;
    }
    /* 3. optional parts, in the order written */
    if( iBest<0 ){
      int bOther = 0;
      for(int i=0; i<nCand; i++){
        if( aCand[i].bPlaced ) continue;
        if( aCand[i].kind==ST_OPT ){ iBest = i; break; }
        bOther = 1;
      }
      if( iBest>=0 && bOther && !bOptPhase ){
        /* generators left that cannot run yet: they may need optional variables */
        int bGen = 0;
        for(int i=0; i<nCand; i++){
          if( !aCand[i].bPlaced && aCand[i].kind!=ST_OPT && aCand[i].kind!=ST_FILTER
              && aCand[i].kind!=ST_NOT ) bGen = 1;
        }
        if( bGen ){
          for(int i=0; i<nCand; i++){
            if( !aCand[i].bPlaced && aCand[i].kind!=ST_OPT ){ rc = notReady(c, &aCand[i]); break; }
          }
          break;
        }
      }
      if( iBest>=0 ) bOptPhase = 1;
    }
    if( iBest<0 ){
      for(int i=0; i<nCand; i++){
        if( !aCand[i].bPlaced ){ rc = notReady(c, &aCand[i]); break; }
      }
      break;
    }
    Cand *pc = &aCand[iBest];
    Step *pS = &pPlan->aStep[pPlan->nStep];
    memset(pS, 0, sizeof(*pS));
    pS->pLit = pc->pLit;
    if( pc->kind==ST_SCAN ) rc = stepScan(c, pc, pS);
    else if( pc->kind==ST_DERIVED || pc->kind==ST_BUILTIN ) rc = stepCall(c, pc, pS);
    else rc = stepOther(c, pc, pS);
    pc->bPlaced = 1;
    if( c->iHeldSlot>=0 ){
      /* let it go once every generator that mentions it has checked it:
      ** after one only, ?a > 5 would meet the entity ?a p0 ?b let through
      ** where ?b val ?a, placed first in the unbound body, lets none */
      int bLeft = 0;
      for(int i=0; i<nCand && !bLeft; i++){
        Cand *pd = &aCand[i];
        bLeft = !pd->bPlaced && (pd->kind==ST_SCAN || pd->kind==ST_DERIVED || pd->kind==ST_BUILTIN)
                && hasVar(pd->aVar, pd->nVar, c->iHeldSlot);
      }
      if( !bLeft ) c->iHeldSlot = -1;
    }
    pPlan->nStep++;
    nPlaced++;
  }
  freeCands(aCand, nCand);
  *ppPlan = rc ? NULL : pPlan;
  return rc;
}

/* Compile a sub-body (not/optional). bRestore: its bindings do not leak out. */
static int compileSub(Compile *c, Body *pBody, Plan **ppPlan, int bRestore){
  if( ++c->nDepth > FAKT_MAX_DEPTH ){
    faktErrSet(c->pErr, FAKT_ERROR, NULL, "nesting too deep");
    return FAKT_ERROR;
  }
  unsigned char *aSave = NULL;
  int nSave = c->nVar;
  if( bRestore ){
    aSave = malloc((size_t)c->nVar + 1);
    if( aSave==NULL ) return oom(c);
    if( c->nVar>0 ) memcpy(aSave, c->aBound, (size_t)c->nVar);
  }
  int rc = planBody(c, pBody, ppPlan);
  if( bRestore ){
    if( nSave>0 ) memcpy(c->aBound, aSave, (size_t)nSave);
    for(int i=nSave; i<c->nVar; i++) c->aBound[i] = 0;
    free(aSave);
  }
  c->nDepth--;
  return rc;
}

/* Compile a whole body into a plan. */
int faktCompileBody(Compile *c, Body *pBody, Plan **ppPlan){
  return planBody(c, pBody, ppPlan);
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
    if( ap==NULL ) return oom(c);
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
  if( f==NULL ){ faktCompileFree(&c); return oom(&c); }
  p->pFind = f;
  /* parameters are registers bound before anything runs */
  f->nParam = pS->nParam;
  f->aParamSlot = faktArenaAlloc(&p->arena, sizeof(int)*(size_t)(pS->nParam+1));
  if( f->aParamSlot==NULL ){ faktCompileFree(&c); return oom(&c); }
  /* parameter i+1 is slot i: appended without a name search (32766 of them
  ** must not cost a quadratic prepare) */
  for(int i=0; i<pS->nParam; i++){
    f->aParamSlot[i] = faktCompileSlot(&c, NULL, 0);
    if( f->aParamSlot[i]!=i ){ faktCompileFree(&c); return oom(&c); }
    c.aBound[i] = 1;
  }
  c.nParamSlot = pS->nParam;
  Plan *pPlan = NULL;
  if( pS->pWhere ){
    rc = faktCompileBody(&c, pS->pWhere, &pPlan);
  }else{
    pPlan = faktArenaAlloc(&p->arena, sizeof(Plan));
    if( pPlan==NULL ) rc = oom(&c);
  }
  /* projections */
  int nProj = pS->pProj ? pS->pProj->n : 0;
  f->nProj = nProj;
  f->apProj = faktArenaAlloc(&p->arena, sizeof(Expr*)*(size_t)(nProj+1));
  p->cols.n = nProj;
  p->cols.azName = faktArenaAlloc(&p->arena, sizeof(char*)*(size_t)(nProj+1));
  if( rc==0 && (f->apProj==NULL || p->cols.azName==NULL) ) rc = oom(&c);
  for(int i=0; rc==0 && i<nProj; i++){
    ExprItem *pItem = &pS->pProj->a[i];
    f->apProj[i] = pItem->p;
    rc = collectAggs(&c, f, pItem->p, 0);
    if( rc==0 ) rc = faktCompileExpr(&c, pItem->p, 1);
    if( pItem->zAlias ) p->cols.azName[i] = pItem->zAlias;
    else if( pItem->p->op==E_VAR ) p->cols.azName[i] = pItem->p->zName;
    else p->cols.azName[i] = faktExprText(&p->arena, pItem->p);
    if( rc==0 && p->cols.azName[i]==NULL ) rc = oom(&c);
  }
  /* order by: an alias, or any expression */
  int nOrder = pS->pOrder ? pS->pOrder->n : 0;
  f->nOrder = nOrder;
  f->apOrder = faktArenaAlloc(&p->arena, sizeof(Expr*)*(size_t)(nOrder+1));
  f->abDesc = faktArenaAlloc(&p->arena, sizeof(int)*(size_t)(nOrder+1));
  if( rc==0 && (f->apOrder==NULL || f->abDesc==NULL) ) rc = oom(&c);
  for(int i=0; rc==0 && i<nOrder; i++){
    ExprItem *pItem = &pS->pOrder->a[i];
    Expr *pE = pItem->p;
    f->abDesc[i] = pItem->bDesc;
    if( pE->op==E_ID ){
      for(int j=0; j<nProj; j++){
        const char *zA = pS->pProj->a[j].zAlias;
        if( zA && strcmp(zA, pE->zName)==0 ){ pE = f->apProj[j]; break; }
      }
      if( pE->op==E_ID ){
        faktErrSet(&db->err, FAKT_NOTFOUND, &pE->pos, "no column named \"%s\" to order by", pE->zName);
        rc = FAKT_NOTFOUND;
        break;
      }
    }else{
      rc = collectAggs(&c, f, pE, 0);
      if( rc==0 ) rc = faktCompileExpr(&c, pE, 1);
    }
    f->apOrder[i] = pE;
  }
  /* limit, offset, as of: integers or parameters */
  Expr *aNum[3] = { pS->pLimit, pS->pOffset, pS->pAsOf };
  for(int i=0; rc==0 && i<3; i++){
    if( aNum[i] ) rc = faktCompileExpr(&c, aNum[i], 1);
  }
  if( rc==0 && !f->bAgg && pS->bDistinct==0 ){
    /* nothing */
  }
  if( rc==0 && pS->mode==F_WHY ){
    if( f->bAgg ){
      faktErrSet(&db->err, FAKT_ERROR, &pS->pos, "why cannot explain an aggregate query: ask without the aggregates");
      rc = FAKT_ERROR;
    }
    f->nWhy = 5;
  }
  if( rc==0 && pPlan && c.nVar>0 ){
    int *aUse = calloc((size_t)c.nVar, sizeof(int));
    if( aUse==NULL ){
      rc = oom(&c);
    }else{
      bodyUses(pS->pWhere, aUse, c.nVar);
      for(int i=0; i<nProj; i++) exprUses(f->apProj[i], aUse, c.nVar);
      for(int i=0; i<nOrder; i++) exprUses(f->apOrder[i], aUse, c.nVar);
      for(int i=0; i<3; i++) exprUses(aNum[i], aUse, c.nVar);
      markUnused(pPlan, aUse, c.nVar);
      /* the registers shown as they are, one to a column */
      uint8_t *abShown = (uint8_t*)aUse;
      memset(abShown, 0, (size_t)c.nVar);
      for(int i=0; i<nProj && !f->bAgg; i++){
        const Expr *pE = f->apProj[i];
        if( pE->op==E_VAR && pE->iSlot>=0 && pE->iSlot<c.nVar ) abShown[pE->iSlot] = 1;
      }
      markShows(pPlan, abShown, c.nVar);
      free(aUse);
    }
  }
  if( rc==0 && pPlan ){
    markClaimsOnly(pPlan);
    markReadsClaims(pPlan);
  }
  p->nReg = c.nVar;
  p->pPlan = pPlan;
  faktCompileFree(&c);
  if( f->apAgg ){
    Expr **apHeap = f->apAgg;
    f->apAgg = rc==0 ? arenaCopy(&p->arena, apHeap, sizeof(Expr*)*(size_t)f->nAgg) : NULL;
    free(apHeap);
    if( rc==0 && f->apAgg==NULL ) rc = oom(&c);
  }
  return rc;
}

/* ================================================================ explain */

static const char *ixName(StoreIndex ix){
  return ix==IX_SPO ? "spo" : ix==IX_POS ? "pos" : "osp";
}

static int termText(fakt_stmt *p, const Term *pT, const Expr *pE, char *z, int nz){
  (void)p;
  if( pE && (pE->op==E_VAR) ) return snprintf(z, (size_t)nz, "?%s", pE->zName);
  if( pE && pE->op==E_PARAM ) return snprintf(z, (size_t)nz, "%s", pE->zName);
  if( pE ){
    char *zT = faktExprText(&p->arena, pE);
    return snprintf(z, (size_t)nz, "%s", zT ? zT : "?");
  }
  if( pT->iSlot>=0 ) return snprintf(z, (size_t)nz, "_");
  return snprintf(z, (size_t)nz, "?");
}

typedef struct ExplainCtx { fakt_stmt *p; int nRow; int nAlloc; Value *a; int rc; } ExplainCtx;

static void explainRow(ExplainCtx *x, int iParent, const char *zOp, const char *zDetail, double est){
  if( x->rc ) return;
  if( x->nRow>=x->nAlloc ){
    int nNew = x->nAlloc ? x->nAlloc*2 : 16;
    Value *a = realloc(x->a, sizeof(Value)*5*(size_t)nNew);
    if( a==NULL ){ x->rc = FAKT_NOMEM; return; }
    x->a = a; x->nAlloc = nNew;
  }
  Value *r = &x->a[x->nRow*5];
  memset(r, 0, sizeof(Value)*5);
  r[0].t = V_INT; r[0].u.i = x->nRow;
  r[1].t = iParent<0 ? V_NULL : V_INT; r[1].u.i = iParent;
  r[2].t = V_STR; r[2].z = faktArenaStrdup(&x->p->arena, zOp, strlen(zOp)); r[2].n = (int)strlen(zOp);
  r[3].t = V_STR; r[3].z = faktArenaStrdup(&x->p->arena, zDetail, strlen(zDetail)); r[3].n = (int)strlen(zDetail);
  r[4].t = V_INT; r[4].u.i = (int64_t)(est + 0.5);
  if( r[2].z==NULL || r[3].z==NULL ) x->rc = FAKT_NOMEM;
  x->nRow++;
}

/* The index a built-in relation reads, given what is bound ("" if it scans). */
static const char *builtinIndex(const Step *pS){
  const char *z = pS->pB ? pS->pB->zName : "";
  int b0 = pS->nArg>0 && (pS->aArg[0].iSlot<0 || pS->aArg[0].bBound);
  int b1 = pS->nArg>1 && (pS->aArg[1].iSlot<0 || pS->aArg[1].bBound);
  if( strcmp(z, "within")==0 ) return b0 ? " index=obj" : " index=geo";
  if( strcmp(z, "match")==0 ) return pS->bClaimsOnly ? " index=fts claims" : " index=fts";
  if( strcmp(z, "named")==0 ) return " index=alias";
  if( strcmp(z, "source")==0 && !b0 && b1 ) return " index=srcc";
  if( strcmp(z, "proposition")==0 && !b0 && b1 ) return " index=prop";
  if( strcmp(z, "corroboration")==0 ) return " index=prop";
  if( b0 ) return " index=obj";
  return " scan=obj";
}

static void explainPlan(ExplainCtx *x, Plan *pPlan, int iParent, double *pRows){
  char zD[800];
  for(int i=0; pPlan && i<pPlan->nStep; i++){
    Step *pS = &pPlan->aStep[i];
    Literal *pLit = pS->pLit;
    int iMe = x->nRow;
    switch( pS->kind ){
      case ST_SCAN: {
        char a[4][160];
        Expr *aE[4] = { pLit->pS, pLit->pP, pLit->pO, pLit->pClaim };
        for(int k=0; k<4; k++) termText(x->p, &pS->aT[k], aE[k], a[k], sizeof(a[k]));
        *pRows *= pS->est;
        int bNames = pS->abShows[0] || pS->abShows[2];
        snprintf(zD, sizeof(zD), "index=%s prefix=%d s=%s p=%s o=%s c=%s%s%s%s", ixName(pS->ix),
                 pS->nPrefix, a[0], a[1], a[2], a[3],
                 pS->bReadsClaims || bNames ? " prefetch=" : "",
                 pS->bReadsClaims ? (bNames ? "claims,names" : "claims") : "",
                 !pS->bReadsClaims && bNames ? "names" : "");
        explainRow(x, iParent, "scan", zD, *pRows);
        break;
      }
      case ST_FILTER: case ST_ASSIGN: {
        char *zT = faktExprText(&x->p->arena, pLit->pExpr);
        explainRow(x, iParent, pS->kind==ST_FILTER ? "filter" : "assign", zT ? zT : "", *pRows);
        break;
      }
      case ST_BUILTIN: case ST_DERIVED: {
        char *zT = faktExprText(&x->p->arena, pLit->pExpr);
        *pRows *= pS->est;
        if( pS->kind==ST_BUILTIN ){
          snprintf(zD, sizeof(zD), "%s%s", zT ? zT : "", builtinIndex(pS));
          explainRow(x, iParent, "call", zD, *pRows);
        }else{
          explainRow(x, iParent, "rule", zT ? zT : "", *pRows);
        }
        break;
      }
      case ST_NOT: case ST_OPT: {
        double r = 1;
        explainRow(x, iParent, pS->kind==ST_NOT ? "not" : "optional", "", *pRows);
        explainPlan(x, pS->pSub, iMe, &r);
        break;
      }
    }
  }
}

/* Build the rows of EXPLAIN: id, parent, op, detail, est. */
int faktExplainRows(fakt_stmt *p){
  ExplainCtx x;
  memset(&x, 0, sizeof(x));
  x.p = p;
  double rows = 1;
  FindInfo *f = p->pFind;
  Stmt *pS = p->pStmt;
  explainPlan(&x, p->pPlan, -1, &rows);
  if( f->bAgg ){
    char zD[200];
    int nKey = 0;
    for(int i=0; i<f->nProj; i++){
      int bAgg = 0;
      for(int j=0; j<f->nAgg; j++){ (void)j; }
      (void)bAgg;
      nKey++;
    }
    snprintf(zD, sizeof(zD), "aggregates=%d", f->nAgg);
    explainRow(&x, -1, "aggregate", zD, rows);
  }
  if( pS->bDistinct ) explainRow(&x, -1, "distinct", "", rows);
  if( f->nOrder ){
    char zD[200];
    snprintf(zD, sizeof(zD), "keys=%d", f->nOrder);
    explainRow(&x, -1, "sort", zD, rows);
  }
  if( pS->pLimit ) explainRow(&x, -1, "limit", "", rows);
  if( x.rc ){ free(x.a); return x.rc; }
  p->aOut = x.a;
  p->nOut = x.nRow;
  p->iOut = 0;
  return FAKT_OK;
}
