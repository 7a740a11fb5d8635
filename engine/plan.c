/*
** plan.c -- the planner: the literals of a body become candidate steps,
** ordered cheapest next first from the stored statistics (a scan of the
** index whose prefix is bound, a built-in, a rule's relation, a filter as
** soon as its variables are bound). EXPLAIN prints the resulting plan one
** operator per row.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fakt_int.h"

/* ================================================================ candidates */

/* Collect the variable slots an expression uses (adding new variables). */
int faktExprVars(Compile *c, Expr *pE, int **paVar, int *pnVar){
  if( pE==NULL ) return FAKT_OK;
  if( pE->op==E_VAR || pE->op==E_PARAM ){
    int s = faktVarSlot(c, pE);
    if( s<0 ) return faktCompileOom(c);
    pE->iSlot = s;
    for(int i=0; i<*pnVar; i++) if( (*paVar)[i]==s ) return FAKT_OK;
    int *a = realloc(*paVar, sizeof(int)*(size_t)(*pnVar+1));
    if( a==NULL ) return faktCompileOom(c);
    a[(*pnVar)++] = s;
    *paVar = a;
    return FAKT_OK;
  }
  int rc = faktExprVars(c, pE->pLeft, paVar, pnVar);
  if( rc==0 ) rc = faktExprVars(c, pE->pRight, paVar, pnVar);
  if( rc==0 && pE->pArgs ){
    for(int i=0; i<pE->pArgs->n && rc==0; i++) rc = faktExprVars(c, pE->pArgs->a[i].p, paVar, pnVar);
  }
  return rc;
}

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
      int rc = faktExprVars(c, pLit->pClaim, paVar, pnVar);
      if( rc==0 ) rc = faktExprVars(c, pLit->pS, paVar, pnVar);
      if( rc==0 ) rc = faktExprVars(c, pLit->pP, paVar, pnVar);
      if( rc==0 ) rc = faktExprVars(c, pLit->pO, paVar, pnVar);
      return rc;
    }
    case L_CALL: case L_CMP: return faktExprVars(c, pLit->pExpr, paVar, pnVar);
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
  if( faktIsConstOp(pE->op) ) return 1;
  int *a = NULL, n = 0, ok = 1;
  if( faktExprVars(c, pE, &a, &n) ) ok = 0;
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
  if( pE==NULL || !faktIsConstOp(pE->op) ) return -1;
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
    if( faktIsConstOp(pE->op) ){
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
  if( faktIsConstOp(pE->op) ){
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
    if( s<0 ) return faktCompileOom(c);
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
  if( pS->aArg==NULL ) return faktCompileOom(c);
  for(int i=0; i<n; i++){
    Expr *pA = pCall->pArgs->a[i].p;
    int rc;
    if( pA->op==E_VAR || pA->op==E_PARAM || faktIsConstOp(pA->op) ){
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
      if( s<0 ) return faktCompileOom(c);
      pS->aArg[i].iSlot = s;
      pS->aArg[i].bBound = 1;
      pS->aArg[i].v.t = V_NULL;
      pS->aArg[i].bCheck = 2;          /* 2: evaluate pArgs->a[i] into the slot first */
      c->aBound[s] = 1;
    }
  }
  if( pS->kind==ST_DERIVED ){
    int s = faktCompileSlot(c, NULL, 0);
    if( s<0 ) return faktCompileOom(c);
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
          return faktArityErr(c, pE, pc->pB->nArgMin, pc->pB->nArgMax, nArg);
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
      if( aBefore==NULL ) return faktCompileOom(c);
      int nBefore = c->nVar;
      if( nBefore>0 ) memcpy(aBefore, c->aBound, (size_t)nBefore);
      pS->kind = ST_OPT;
      rc = compileSub(c, pLit->pSub, &pS->pSub, 0);
      if( rc==0 ){
        int n = 0;
        pS->aNew = faktArenaAlloc(c->a, sizeof(int)*(size_t)(c->nVar+1));
        if( pS->aNew==NULL ){ free(aBefore); return faktCompileOom(c); }
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
  if( a==NULL ) return faktCompileOom(c);
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
            rc = faktArityErr(c, pE, nA, nA, nArg);
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
            rc = faktArityErr(c, pE, pB->nArgMin, pB->nArgMax, nArg);
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
          if( aN==NULL ){ rc = faktCompileOom(c); break; }
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
    if( s<0 ) rc = faktCompileOom(c);
    else{ c->aBound[s] = 1; c->iPreSlot = s; c->iHeldSlot = s; }
  }
  Plan *pPlan = faktArenaAlloc(c->a, sizeof(Plan));
  if( pPlan==NULL && rc==0 ) rc = faktCompileOom(c);
  if( rc==0 ){
    pPlan->aStep = faktArenaAlloc(c->a, sizeof(Step)*(size_t)(nCand ? nCand : 1));
    if( pPlan->aStep==NULL ) rc = faktCompileOom(c);
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
    if( aSave==NULL ) return faktCompileOom(c);
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
