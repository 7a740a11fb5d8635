/*
** rules.c -- Datalog rules: loading the stored rule texts, stratification
** (strongly connected components; negation must not stay inside one), and
** bottom-up semi-naive evaluation into in-memory relations, each row
** remembering the stored claims that produced it (for why).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fakt_int.h"

/* ================================================================ relations */

static uint64_t tupleHash(Exec *ex, const Value *a, int n){
  uint64_t h = 0xcbf29ce484222325ULL;
  for(int i=0; i<n; i++) h = (h ^ faktValueHash(ex, &a[i])) * 0x100000001b3ULL;
  return h;
}

static int tupleEq(Exec *ex, const Value *a, const Value *b, int n){
  for(int i=0; i<n; i++) if( a[i].t!=b[i].t || !faktValueEq(ex, &a[i], &b[i]) ) return 0;
  return 1;
}

/* Insert a row unless present. 1 inserted, 0 present, <0 -error. */
static int relInsert(Exec *ex, Relation *r, const Value *aRow, uint32_t *aWhy){
  int n = r->nArity;
  if( r->nRow*2 >= r->nHash ){
    int nNew = r->nHash ? r->nHash*2 : 64;
    int *aH = calloc((size_t)nNew, sizeof(int));
    if( aH==NULL ) return -FAKT_NOMEM;
    for(int i=0; i<r->nRow; i++){
      uint64_t h = tupleHash(ex, &r->aRow[(size_t)i*(size_t)n], n);
      int j = (int)(h & (uint64_t)(nNew-1));
      while( aH[j] ) j = (j+1) & (nNew-1);
      aH[j] = i+1;
    }
    free(r->aHash);
    r->aHash = aH;
    r->nHash = nNew;
  }
  uint64_t h = tupleHash(ex, aRow, n);
  int j = (int)(h & (uint64_t)(r->nHash-1));
  while( r->aHash[j] ){
    if( tupleEq(ex, &r->aRow[(size_t)(r->aHash[j]-1)*(size_t)n], aRow, n) ) return 0;
    j = (j+1) & (r->nHash-1);
  }
  if( r->nRow>=r->nAlloc ){
    int nNew = r->nAlloc ? r->nAlloc*2 : 64;
    Value *a = realloc(r->aRow, sizeof(Value)*(size_t)nNew*(size_t)(n ? n : 1));
    if( a==NULL ) return -FAKT_NOMEM;
    r->aRow = a;
    uint32_t **aw = realloc(r->aWhy, sizeof(uint32_t*)*(size_t)nNew);
    if( aw==NULL ) return -FAKT_NOMEM;
    r->aWhy = aw;
    ex->nHeap += (int64_t)(sizeof(Value)*(size_t)(n ? n : 1) + sizeof(uint32_t*))*(nNew - r->nAlloc);
    r->nAlloc = nNew;
  }
  memcpy(&r->aRow[(size_t)r->nRow*(size_t)n], aRow, sizeof(Value)*(size_t)n);
  for(int i=0; i<n; i++) if( aRow[i].z ) r->bHasPtr = 1;
  r->aWhy[r->nRow] = aWhy;
  r->aHash[j] = r->nRow+1;
  r->nRow++;
  return 1;
}

static void relIndexClear(Relation *r){
  for(int i=0; r->aIdx && i<r->nArity; i++){ free(r->aIdx[i].aHead); free(r->aIdx[i].aNext); }
  free(r->aIdx);
  r->aIdx = NULL;
}

/* The first row (+1) of r whose argument iArg may equal the entity pKey,
** through a hash index on iArg built on first use; 0 if none, -rc on
** error. Only for a whole relation; rows of the chain still need their
** equality checked. */
int faktRelIndexFirst(Exec *ex, Relation *r, int iArg, const Value *pKey){
  if( r->aIdx==NULL ){
    r->aIdx = calloc((size_t)r->nArity, sizeof(struct RelIndex));
    if( r->aIdx==NULL ) return -FAKT_NOMEM;
  }
  struct RelIndex *x = &r->aIdx[iArg];
  if( x->nRow!=r->nRow || x->aHead==NULL ){
    free(x->aHead); free(x->aNext);
    int nHead = 64;
    while( nHead < r->nRow ) nHead *= 2;
    x->aHead = calloc((size_t)nHead, sizeof(int));
    x->aNext = malloc(sizeof(int)*(size_t)(r->nRow ? r->nRow : 1));
    if( x->aHead==NULL || x->aNext==NULL ){
      free(x->aHead); free(x->aNext);
      x->aHead = x->aNext = NULL;
      return -FAKT_NOMEM;
    }
    ex->nHeap += (int64_t)sizeof(int)*(nHead + r->nRow);
    for(int i=r->nRow-1; i>=0; i--){       /* chains in row order */
      uint64_t h = faktValueHash(ex, &r->aRow[(size_t)i*(size_t)r->nArity + (size_t)iArg]);
      int j = (int)(h & (uint64_t)(nHead-1));
      x->aNext[i] = x->aHead[j];
      x->aHead[j] = i+1;
    }
    x->nRow = r->nRow;
    x->nHead = nHead;
  }
  return x->aHead[faktValueHash(ex, pKey) & (uint64_t)(x->nHead-1)];
}

int faktRelIndexNext(const Relation *r, int iArg, int iRow){
  return r->aIdx[iArg].aNext[iRow];
}

static void relClear(Relation *r){
  relIndexClear(r);
  for(int i=0; i<r->nRow; i++) free(r->aWhy ? r->aWhy[i] : NULL);
  free(r->aRow); free(r->aHash); free(r->aWhy);
  r->aRow = NULL; r->aHash = NULL; r->aWhy = NULL;
  r->nRow = r->nAlloc = r->nHash = 0;
  r->iDeltaLo = r->iDeltaHi = r->iFullHi = 0;
  r->bDone = 0;
  r->bHasPtr = 0;
  r->bWhyRows = 0;
}

/* Forget computed rows so the next execution recomputes them. */
void faktRulesReset(RuleSet *rs){
  for(int i=0; rs && i<rs->nRel; i++) relClear(&rs->aRel[i]);
  for(int i=0; rs && rs->aSpec && i<RULE_SPEC_MAX; i++){
    if( rs->aSpec[i].iRel>=0 ) relClear(&rs->aSpec[i].rel);
    rs->aSpec[i].iRel = -1;
  }
}

/* Does a computed row hold text by pointer (into the map or an arena)? Such
** rows cannot outlive the execution that made them. */
int faktRulesHavePtr(const RuleSet *rs){
  for(int i=0; rs && i<rs->nRel; i++) if( rs->aRel[i].bHasPtr ) return 1;
  for(int i=0; rs && rs->aSpec && i<RULE_SPEC_MAX; i++){
    if( rs->aSpec[i].iRel>=0 && rs->aSpec[i].rel.bHasPtr ) return 1;
  }
  return 0;
}

/* 1 if every computed relation kept its rows' claims (a why query may
** use them), 0 if some were computed for a query that did not ask why. */
int faktRulesWhyReady(const RuleSet *rs){
  for(int i=0; rs && i<rs->nRel; i++) if( rs->aRel[i].bDone && !rs->aRel[i].bWhyRows ) return 0;
  for(int i=0; rs && rs->aSpec && i<RULE_SPEC_MAX; i++){
    if( rs->aSpec[i].iRel>=0 && rs->aSpec[i].rel.bDone && !rs->aSpec[i].rel.bWhyRows ) return 0;
  }
  return 1;
}

void faktRulesFree(RuleSet *rs){
  if( rs==NULL ) return;
  faktRulesReset(rs);
  free(rs->zSess);
  for(int i=0; i<rs->nRule; i++){ free(rs->aRule[i].apDelta); free(rs->aRule[i].apSpecDelta); }
  free(rs->aSpec);
  free(rs->aRel);
  free(rs->aRule);
  faktArenaFree(&rs->arena);
  free(rs);
}

int faktRulesFind(RuleSet *rs, const char *zName, int n){
  for(int i=0; rs && i<rs->nRel; i++){
    if( (int)strlen(rs->aRel[i].zName)==n && memcmp(rs->aRel[i].zName, zName, (size_t)n)==0 ) return i;
  }
  return -1;
}

/* ================================================================ loading */

/* 1 if the set was compiled in the committed snapshot t reads. */
static int sameSnap(const RuleSet *rs, StoreTxn *t){
  uint64_t aSnap[2];
  return rs->bSnap && faktStoreSnapshot(t, aSnap) && aSnap[0]==rs->aSnap[0] && aSnap[1]==rs->aSnap[1];
}

typedef struct LoadCtx { RuleSet *rs; FaktErr *pErr; int rc; StoreTxn *t; } LoadCtx;

static int addRule(RuleSet *rs, Stmt *pS, FaktErr *pErr){
  int iRel = faktRulesFind(rs, pS->zId, (int)strlen(pS->zId));
  int nArity = pS->pHead ? pS->pHead->n : 0;
  if( iRel<0 ){
    Relation *a = realloc(rs->aRel, sizeof(Relation)*(size_t)(rs->nRel+1));
    if( a==NULL ) return FAKT_NOMEM;
    rs->aRel = a;
    iRel = rs->nRel++;
    memset(&rs->aRel[iRel], 0, sizeof(Relation));
    rs->aRel[iRel].zName = pS->zId;
    rs->aRel[iRel].nArity = nArity;
    rs->aRel[iRel].iInv = -1;
  }else if( rs->aRel[iRel].nArity!=nArity ){
    faktErrSet(pErr, FAKT_ERROR, &pS->id.pos, "rule %s has %d arguments here but %d elsewhere",
               pS->zId, nArity, rs->aRel[iRel].nArity);
    return FAKT_ERROR;
  }
  RuleDef *aR = realloc(rs->aRule, sizeof(RuleDef)*(size_t)(rs->nRule+1));
  if( aR==NULL ) return FAKT_NOMEM;
  rs->aRule = aR;
  memset(&rs->aRule[rs->nRule], 0, sizeof(RuleDef));
  rs->aRule[rs->nRule].pStmt = pS;
  rs->aRule[rs->nRule].iRel = iRel;
  rs->nRule++;
  return FAKT_OK;
}

/* Parse one stored text (several rule statements) into the set. */
static int parseRules(RuleSet *rs, const char *z, size_t n, FaktErr *pErr){
  char *zCopy = faktArenaStrdup(&rs->arena, z, n);
  if( zCopy==NULL ) return FAKT_NOMEM;
  int iOff = 0;
  ParseOrigin org = { 1, 1 };
  while( iOff<(int)n ){
    Stmt *pS = NULL;
    int nUsed = 0;
    int rc = faktParse(zCopy + iOff, (int)n - iOff, &org, &rs->arena, &pS, &nUsed, pErr);
    if( rc ) return rc;
    if( pS==NULL ) break;
    if( pS->kind!=S_RULE ){
      faktErrSet(pErr, FAKT_CORRUPT, NULL, "stored rule text holds another statement");
      return FAKT_CORRUPT;
    }
    rc = addRule(rs, pS, pErr);
    if( rc ) return rc;
    iOff += nUsed;
  }
  return FAKT_OK;
}

static int eachRule(void *pArg, uint32_t id, const char *z, size_t n){
  LoadCtx *x = pArg;
  x->rc = parseRules(x->rs, z, n, x->pErr);
  if( x->rc && x->rc!=FAKT_NOMEM ){
    /* damage of the stored text, not an error of the statement being run:
    ** no position (it would point into the user's text), and the name */
    char aBuf[FAKT_GEN_NAME], *zWhy = x->pErr->zMsg ? strdup(x->pErr->zMsg) : NULL;
    const char *zName = "?";
    int nName = 1;
    faktIdName(x->t, id, aBuf, &zName, &nName);
    faktErrClear(x->pErr);
    faktErrSet(x->pErr, FAKT_CORRUPT, NULL, "stored rule %.*s is damaged: %s (drop rule %.*s removes it)",
               nName, zName, zWhy ? zWhy : fakt_errstr(x->rc), nName, zName);
    free(zWhy);
    x->rc = FAKT_CORRUPT;
  }
  return x->rc;
}

/* ================================================================ stratification */

typedef struct Edge { int from, to, bNeg; } Edge;   /* bNeg: 0, L_NOT or L_OPTIONAL */
typedef struct Graph {
  int nEdge, nAlloc;
  Edge *a;
} Graph;

static int addEdge(Graph *g, int from, int to, int bNeg){
  if( g->nEdge>=g->nAlloc ){
    int nNew = g->nAlloc ? g->nAlloc*2 : 32;
    Edge *a = realloc(g->a, sizeof(Edge)*(size_t)nNew);
    if( a==NULL ) return FAKT_NOMEM;
    g->a = a; g->nAlloc = nNew;
  }
  g->a[g->nEdge++] = (Edge){ from, to, bNeg };
  return FAKT_OK;
}

static int bodyEdges(RuleSet *rs, Graph *g, int iHead, Body *pBody, int bNeg){
  for(Literal *p=pBody ? pBody->pFirst : NULL; p; p=p->pNext){
    int rc = FAKT_OK;
    if( p->kind==L_CALL ){
      int iRel = faktRulesFind(rs, p->pExpr->zName, p->pExpr->nName);
      if( iRel>=0 ) rc = addEdge(g, iHead, iRel, bNeg);
    }else if( p->kind==L_NOT || p->kind==L_OPTIONAL ){
      rc = bodyEdges(rs, g, iHead, p->pSub, bNeg ? bNeg : (int)p->kind);
    }
    if( rc ) return rc;
  }
  return FAKT_OK;
}

/* Tarjan's algorithm over the relation graph; aScc[i] = component id, in
** reverse topological order (dependencies get smaller ids). */
typedef struct Tarjan {
  Graph *g; int *aIndex, *aLow, *aStack, *aOn, *aScc;
  int nStack, iNext, nScc;
} Tarjan;

static void strong(Tarjan *t, int v){
  t->aIndex[v] = t->aLow[v] = t->iNext++;
  t->aStack[t->nStack++] = v;
  t->aOn[v] = 1;
  for(int e=0; e<t->g->nEdge; e++){
    if( t->g->a[e].from!=v ) continue;
    int w = t->g->a[e].to;
    if( t->aIndex[w]<0 ){
      strong(t, w);
      if( t->aLow[w]<t->aLow[v] ) t->aLow[v] = t->aLow[w];
    }else if( t->aOn[w] && t->aIndex[w]<t->aLow[v] ){
      t->aLow[v] = t->aIndex[w];
    }
  }
  if( t->aLow[v]==t->aIndex[v] ){
    int w;
    do{
      w = t->aStack[--t->nStack];
      t->aOn[w] = 0;
      t->aScc[w] = t->nScc;
    }while( w!=v );
    t->nScc++;
  }
}

/* Report a negative edge inside a component, with the cycle it closes:
** "via a -> not b -> c -> a". */
static int cycleError(RuleSet *rs, Graph *g, const int *aScc, const Edge *pNeg, FaktErr *pErr){
  int n = rs->nRel;
  int *aPrev = malloc(sizeof(int)*(size_t)(n+1));
  int *aQueue = malloc(sizeof(int)*(size_t)(n+1));
  char zPath[1000];
  int nPath = 0;
  if( aPrev==NULL || aQueue==NULL ){
    free(aPrev); free(aQueue);
    faktErrSet(pErr, FAKT_NOMEM, NULL, "out of memory");
    return FAKT_NOMEM;
  }
  /* breadth-first from the negated relation back to the head, inside the component */
  for(int i=0; i<n; i++) aPrev[i] = -2;
  int nQ = 0, iQ = 0;
  aQueue[nQ++] = pNeg->to;
  aPrev[pNeg->to] = -1;
  while( iQ<nQ && aPrev[pNeg->from]==-2 ){
    int v = aQueue[iQ++];
    for(int e=0; e<g->nEdge; e++){
      int w = g->a[e].to;
      if( g->a[e].from!=v || aScc[w]!=aScc[v] || aPrev[w]!=-2 ) continue;
      aPrev[w] = v;
      aQueue[nQ++] = w;
    }
  }
  /* path from->to is the negative edge; then to ... from */
  int aPath[64], nNode = 0;
  if( pNeg->from!=pNeg->to ){
    for(int v=pNeg->from; v>=0 && nNode<64; v=aPrev[v]) aPath[nNode++] = v;
  }
  const char *zHow = pNeg->bNeg==L_OPTIONAL ? "optional" : "not";
  nPath = snprintf(zPath, sizeof(zPath), "%s -> %s %s", rs->aRel[pNeg->from].zName, zHow, rs->aRel[pNeg->to].zName);
  for(int i=nNode-2; i>=0 && nPath<(int)sizeof(zPath)-80; i--){
    nPath += snprintf(zPath+nPath, sizeof(zPath)-(size_t)nPath, " -> %s", rs->aRel[aPath[i]].zName);
  }
  free(aPrev);
  free(aQueue);
  faktErrSet(pErr, FAKT_ERROR, NULL, "rule %s is not stratifiable: it depends %s itself%s via %s",
             rs->aRel[pNeg->from].zName, pNeg->bNeg==L_OPTIONAL ? "on" : "negatively on",
             pNeg->bNeg==L_OPTIONAL ? " under optional" : "", zPath);
  return FAKT_ERROR;
}

static int stratify(RuleSet *rs, FaktErr *pErr){
  Graph g = { 0, 0, NULL };
  int rc = FAKT_OK;
  for(int i=0; rc==0 && i<rs->nRule; i++){
    rc = bodyEdges(rs, &g, rs->aRule[i].iRel, rs->aRule[i].pStmt->pBody, 0);
  }
  int n = rs->nRel;
  Tarjan t;
  memset(&t, 0, sizeof(t));
  t.g = &g;
  t.aIndex = malloc(sizeof(int)*(size_t)(n+1));
  t.aLow = malloc(sizeof(int)*(size_t)(n+1));
  t.aStack = malloc(sizeof(int)*(size_t)(n+1));
  t.aOn = calloc((size_t)(n+1), sizeof(int));
  t.aScc = malloc(sizeof(int)*(size_t)(n+1));
  if( rc==0 && (!t.aIndex || !t.aLow || !t.aStack || !t.aOn || !t.aScc) ) rc = FAKT_NOMEM;
  if( rc==0 ){
    for(int i=0; i<n; i++) t.aIndex[i] = -1;
    for(int i=0; i<n; i++) if( t.aIndex[i]<0 ) strong(&t, i);
    for(int i=0; i<n; i++) rs->aRel[i].iStratum = t.aScc[i];
    for(int e=0; e<g.nEdge; e++){
      Edge *pE = &g.a[e];
      if( pE->bNeg && t.aScc[pE->from]==t.aScc[pE->to] ){
        rc = cycleError(rs, &g, t.aScc, pE, pErr);
        break;
      }
    }
  }
  free(t.aIndex); free(t.aLow); free(t.aStack); free(t.aOn); free(t.aScc);
  free(g.a);
  if( rc==FAKT_NOMEM ) faktErrSet(pErr, rc, NULL, "out of memory");
  return rc;
}

/* ================================================================ compiling */

/* An expression of a rule's head, or one more value its body gives
** (pAlso of compileRule): a variable the body binds, else compiled. */
static int compileOut(Compile *c, Stmt *pS, Expr *pE, FaktErr *pErr){
  if( pE->op!=E_VAR ) return faktCompileExpr(c, pE, 1);
  int s = faktCompileSlot(c, pE->zName, pE->nName);
  if( s<0 ) return FAKT_NOMEM;
  if( !c->aBound[s] ){
    faktErrSet(pErr, FAKT_ERROR, &pE->pos, "variable ?%s in the head of rule %s is not bound by its body",
               pE->zName, pS->zId);
    return FAKT_ERROR;
  }
  pE->iSlot = s;
  return FAKT_OK;
}

/* Compile the body of rule pR (with pDelta reading the delta), and check
** its head. With pPre, that head variable is bound before the body runs,
** in slot *piPreSlot. With pAlso, its expressions are compiled as the
** head's are (their variables read from the same body). */
static int compileRule(fakt *db, StoreTxn *t, RuleSet *rs, RuleDef *pR, const Literal *pDelta,
                       const Expr *pPre, int *piPreSlot, ExprList *pAlso, Plan **ppPlan, FaktErr *pErr){
  Compile c;
  faktCompileInit(&c, db, t, &rs->arena, rs, pErr);
  c.pDeltaLit = pDelta;
  Stmt *pS = pR->pStmt;
  c.pPreVar = pPre;
  c.iPreSlot = -1;
  int rc = faktCompileBody(&c, pS->pBody, ppPlan);
  if( pPre ) *piPreSlot = c.iPreSlot;
  for(int i=0; rc==0 && pS->pHead && i<pS->pHead->n; i++) rc = compileOut(&c, pS, pS->pHead->a[i].p, pErr);
  for(int i=0; rc==0 && pAlso && i<pAlso->n; i++) rc = compileOut(&c, pS, pAlso->a[i].p, pErr);
  if( c.nVar > pR->nSlot ) pR->nSlot = c.nVar;
  faktCompileFree(&c);
  return rc;
}

/* 1 if every call of relation iRel in pBody (and its not/optional parts)
** has the variable pVar as argument j; *pnCall counts the calls. */
static int passesOn(RuleSet *rs, int iRel, Body *pBody, int j, const Expr *pVar, int *pnCall){
  for(Literal *p=pBody ? pBody->pFirst : NULL; p; p=p->pNext){
    if( p->kind==L_NOT || p->kind==L_OPTIONAL ){
      if( !passesOn(rs, iRel, p->pSub, j, pVar, pnCall) ) return 0;
      continue;
    }
    if( p->kind!=L_CALL || faktRulesFind(rs, p->pExpr->zName, p->pExpr->nName)!=iRel ) continue;
    ExprList *pA = p->pExpr->pArgs;
    if( pA==NULL || j>=pA->n ) return 0;
    const Expr *pE = pA->a[j].p;
    if( pE->op!=E_VAR || pE->nName!=pVar->nName || memcmp(pE->zName, pVar->zName, (size_t)pVar->nName)!=0 ) return 0;
    (*pnCall)++;
  }
  return 1;
}

/*
** Relation iRel, recursive and alone in its stratum, gets an invariant
** argument j when every one of its rules has a variable X as head argument
** j and passes X unchanged as argument j of each recursive call. Its rows
** with argument j = v are then exactly what its rules give with X bound to
** v from the start (no derivation of such a row uses a row with another
** value there): plans compiled with X bound compute them from v outwards.
** inside(?x, ?z) if ?x located_in ?y, inside(?y, ?z) passes ?z on.
*/
static int compileSpec(fakt *db, StoreTxn *t, RuleSet *rs, int iRel, FaktErr *pErr){
  Relation *pRel = &rs->aRel[iRel];
  for(int i=0; i<rs->nRel; i++){
    if( i!=iRel && rs->aRel[i].iStratum==pRel->iStratum ) return FAKT_OK;
  }
  for(int j=0; j<pRel->nArity; j++){
    int bOk = 1, nCall = 0;
    for(int i=0; bOk && i<rs->nRule; i++){
      RuleDef *pR = &rs->aRule[i];
      if( pR->iRel!=iRel ) continue;
      const Expr *pH = pR->pStmt->pHead && j<pR->pStmt->pHead->n ? pR->pStmt->pHead->a[j].p : NULL;
      bOk = pH && pH->op==E_VAR && passesOn(rs, iRel, pR->pStmt->pBody, j, pH, &nCall);
    }
    if( !bOk || nCall==0 ) continue;            /* not recursive: nothing to gain */
    int rc = FAKT_OK;
    for(int i=0; rc==0 && i<rs->nRule; i++){
      RuleDef *pR = &rs->aRule[i];
      if( pR->iRel!=iRel ) continue;
      const Expr *pH = pR->pStmt->pHead->a[j].p;
      rc = compileRule(db, t, rs, pR, NULL, pH, &pR->iSpecSlot, NULL, &pR->pSpecPlan, pErr);
      pR->apSpecDelta = calloc((size_t)(pR->nDelta+1), sizeof(Plan*));
      if( rc==0 && pR->apSpecDelta==NULL ) rc = FAKT_NOMEM;
      int k = 0;
      for(Literal *p=pR->pStmt->pBody ? pR->pStmt->pBody->pFirst : NULL; rc==0 && p; p=p->pNext){
        if( p->kind!=L_CALL ) continue;
        int iCall = faktRulesFind(rs, p->pExpr->zName, p->pExpr->nName);
        if( iCall<0 || rs->aRel[iCall].iStratum!=pRel->iStratum ) continue;
        int iSlot = -1;
        rc = compileRule(db, t, rs, pR, p, pH, &iSlot, NULL, &pR->apSpecDelta[k++], pErr);
        if( rc==0 && iSlot!=pR->iSpecSlot ) rc = FAKT_INTERNAL;
      }
    }
    if( rc ) return rc;
    pRel->iInv = j;
    return FAKT_OK;
  }
  return FAKT_OK;
}

/* Occurrences of the variable pVar in an expression / a body. */
static int exprVarCount(const Expr *pE, const Expr *pVar){
  if( pE==NULL ) return 0;
  int n = pE->op==E_VAR && pE->nName==pVar->nName && memcmp(pE->zName, pVar->zName, (size_t)pVar->nName)==0;
  n += exprVarCount(pE->pLeft, pVar) + exprVarCount(pE->pRight, pVar);
  for(int i=0; pE->pArgs && i<pE->pArgs->n; i++) n += exprVarCount(pE->pArgs->a[i].p, pVar);
  return n;
}
static int bodyVarCount(const Body *pBody, const Expr *pVar){
  int n = 0;
  for(const Literal *l=pBody ? pBody->pFirst : NULL; l; l=l->pNext){
    n += exprVarCount(l->pClaim, pVar) + exprVarCount(l->pS, pVar) + exprVarCount(l->pP, pVar);
    n += exprVarCount(l->pO, pVar) + exprVarCount(l->pExpr, pVar) + bodyVarCount(l->pSub, pVar);
  }
  return n;
}

/* Calls of relation iRel in a body: *pnTop at its top level, the return
** value in all (not and optional parts too); *ppCall the last top one. */
static int bodyCalls(RuleSet *rs, int iRel, Body *pBody, int *pnTop, Literal **ppCall){
  int n = 0;
  for(Literal *l=pBody ? pBody->pFirst : NULL; l; l=l->pNext){
    if( l->kind==L_NOT || l->kind==L_OPTIONAL ){ int x = 0; n += bodyCalls(rs, iRel, l->pSub, &x, ppCall); }
    if( l->kind==L_CALL && faktRulesFind(rs, l->pExpr->zName, l->pExpr->nName)==iRel ){
      n++;
      if( pnTop ){ (*pnTop)++; *ppCall = l; }
    }
  }
  return n;
}

/* Deep copies for a plan of its own: compiling writes slots into the
** expressions, and the rule's other plans keep theirs. */
static Expr *cloneExpr(Arena *a, const Expr *p);
static ExprList *cloneList(Arena *a, const ExprList *p){
  if( p==NULL ) return NULL;
  ExprList *q = faktArenaAlloc(a, sizeof(ExprList));
  if( q==NULL ) return NULL;
  q->n = q->nAlloc = p->n;
  q->a = faktArenaAlloc(a, sizeof(ExprItem)*(size_t)(p->n ? p->n : 1));
  if( q->a==NULL ) return NULL;
  for(int i=0; i<p->n; i++){
    q->a[i] = p->a[i];
    if( (q->a[i].p = cloneExpr(a, p->a[i].p))==NULL && p->a[i].p ) return NULL;
  }
  return q;
}
static Expr *cloneExpr(Arena *a, const Expr *p){
  if( p==NULL ) return NULL;
  Expr *q = faktArenaAlloc(a, sizeof(Expr));
  if( q==NULL ) return NULL;
  *q = *p;
  q->iSlot = -1;
  q->pAux = NULL;
  if( p->pLeft && (q->pLeft = cloneExpr(a, p->pLeft))==NULL ) return NULL;
  if( p->pRight && (q->pRight = cloneExpr(a, p->pRight))==NULL ) return NULL;
  if( p->pArgs && (q->pArgs = cloneList(a, p->pArgs))==NULL ) return NULL;
  return q;
}
/* A copy of pBody without the literal pSkip. */
static Body *cloneBody(Arena *a, const Body *p, const Literal *pSkip){
  if( p==NULL ) return NULL;
  Body *q = faktArenaAlloc(a, sizeof(Body));
  if( q==NULL ) return NULL;
  for(const Literal *l=p->pFirst; l; l=l->pNext){
    if( l==pSkip ) continue;
    Literal *m = faktArenaAlloc(a, sizeof(Literal));
    if( m==NULL ) return NULL;
    *m = *l;
    m->pNext = NULL;
    if( (l->pClaim && (m->pClaim = cloneExpr(a, l->pClaim))==NULL)
     || (l->pS && (m->pS = cloneExpr(a, l->pS))==NULL)
     || (l->pP && (m->pP = cloneExpr(a, l->pP))==NULL)
     || (l->pO && (m->pO = cloneExpr(a, l->pO))==NULL)
     || (l->pExpr && (m->pExpr = cloneExpr(a, l->pExpr))==NULL)
     || (l->pSub && (m->pSub = cloneBody(a, l->pSub, NULL))==NULL) ) return NULL;
    if( q->pLast ) q->pLast->pNext = m; else q->pFirst = m;
    q->pLast = m;
    q->n++;
  }
  return q;
}

/* The step of recursive rule pR for argument j: its body without the
** recursive call pCall, head variable j bound, yielding the call's
** argument j (a copy, compiled here). 0, or an error: not pushed in. */
static int compileStep(fakt *db, StoreTxn *t, RuleSet *rs, RuleDef *pR, int j, Literal *pCall, FaktErr *pErr){
  Stmt *pS = pR->pStmt;
  Body *pBody = cloneBody(&rs->arena, pS->pBody, pCall);
  ExprList *pNext = faktArenaAlloc(&rs->arena, sizeof(ExprList));
  Expr *pArg = cloneExpr(&rs->arena, pCall->pExpr->pArgs->a[j].p);
  if( pNext ) pNext->a = faktArenaAlloc(&rs->arena, sizeof(ExprItem));
  if( (pBody==NULL && pS->pBody) || pNext==NULL || pNext->a==NULL || pArg==NULL ) return FAKT_NOMEM;
  pNext->n = pNext->nAlloc = 1;
  pNext->a[0].p = pArg;
  Compile c;
  faktCompileInit(&c, db, t, &rs->arena, rs, pErr);
  c.pPreVar = pS->pHead->a[j].p;
  c.iPreSlot = -1;
  int rc = faktCompileBody(&c, pBody, &pR->apReach[j]);
  pR->aiReachSlot[j] = c.iPreSlot;
  if( rc==0 && pArg->op==E_VAR ){
    int s = faktCompileSlot(&c, pArg->zName, pArg->nName);
    if( s<0 ) rc = FAKT_NOMEM;
    else if( !c.aBound[s] ) rc = FAKT_ERROR;       /* only the call binds it */
    pArg->iSlot = s;
  }else if( rc==0 ){
    rc = faktCompileExpr(&c, pArg, 1);
  }
  if( c.nVar > pR->nSlot ) pR->nSlot = c.nVar;
  faktCompileFree(&c);
  pR->apReachNext[j] = pNext;
  return rc;
}

/*
** Relation iRel, recursive and alone in its stratum, may have its argument
** j pushed in when a query binds it (Relation.mReach): when every rule has
** a variable X as head argument j, and every recursive rule calls iRel
** once, passing each other head argument (distinct variables found
** nowhere else in the rule) on unchanged, as tc(?a, ?b) if ?a next ?c,
** tc(?c, ?b) does with ?b. Then r(v, Y) holds exactly when some value m
** is reachable from v through the recursive rules' bodies (X = v gives
** the call's argument j, the next value) and a non-recursive rule gives
** r(m, Y): the work is the values reached plus their rows, as a
** recursive CTE from v would do, not the rows of every value reached.
*/
static int compileReach(RuleSet *rs, int iRel){
  Relation *pRel = &rs->aRel[iRel];
  for(int i=0; i<rs->nRel; i++){
    if( i!=iRel && rs->aRel[i].iStratum==pRel->iStratum ) return FAKT_OK;
  }
  for(int j=0; j<pRel->nArity && j<64; j++){
    int bOk = 1, nRec = 0;
    for(int i=0; bOk && i<rs->nRule; i++){
      RuleDef *pR = &rs->aRule[i];
      if( pR->iRel!=iRel ) continue;
      ExprList *pH = pR->pStmt->pHead;
      if( pH->a[j].p->op!=E_VAR ){ bOk = 0; break; }
      int nTop = 0;
      Literal *pCall = NULL;
      int nAll = bodyCalls(rs, iRel, pR->pStmt->pBody, &nTop, &pCall);
      if( nAll==0 ) continue;
      if( nAll!=1 || nTop!=1 || pCall->pExpr->pArgs==NULL || pCall->pExpr->pArgs->n!=pH->n ){ bOk = 0; break; }
      nRec++;
      for(int k=0; bOk && k<pH->n; k++){
        if( k==j ) continue;
        const Expr *pY = pH->a[k].p, *pA = pCall->pExpr->pArgs->a[k].p;
        bOk = pY->op==E_VAR && pA->op==E_VAR && pA->nName==pY->nName
              && memcmp(pA->zName, pY->zName, (size_t)pY->nName)==0
              && bodyVarCount(pR->pStmt->pBody, pY)==1;
        for(int m=0; bOk && m<pH->n; m++){
          if( m!=k && exprVarCount(pH->a[m].p, pY) ) bOk = 0;    /* distinct, and not X */
        }
      }
    }
    if( bOk && nRec>0 ) pRel->mReach |= (uint64_t)1<<j;
  }
  return FAKT_OK;
}

/*
** Two bodies the same but for the names of their variables: tc(?a, ?b)
** if ?a next ?b, and the step of tc(?x, ?y) if ?x next ?z, tc(?z, ?y)
** (its body without the call). Literal by literal in the order written,
** so that the planner orders both alike; constants compared as written.
** VarMap pairs the names, one to one. Only ever a shortcut: "not the
** same" is always a safe answer.
*/
#define VARMAP_MAX 64
typedef struct VarMap { int n; const Expr *a[VARMAP_MAX][2]; } VarMap;

static int sameName(const Expr *a, const Expr *b){
  if( a->nName!=b->nName ) return 0;
  if( a->nName==0 ) return (a->zName==NULL)==(b->zName==NULL);
  return a->zName && b->zName && memcmp(a->zName, b->zName, (size_t)a->nName)==0;
}

/* ?a of the first body and ?b of the second stand for each other: paired
** before, or neither seen (then they are paired now). */
static int varPair(VarMap *m, const Expr *a, const Expr *b){
  for(int i=0; i<m->n; i++){
    int bA = sameName(m->a[i][0], a), bB = sameName(m->a[i][1], b);
    if( bA || bB ) return bA && bB;
  }
  if( m->n>=VARMAP_MAX ) return 0;
  m->a[m->n][0] = a;
  m->a[m->n][1] = b;
  m->n++;
  return 1;
}

static int sameExpr(VarMap *m, const Expr *a, const Expr *b){
  if( a==NULL || b==NULL ) return a==b;
  if( a->op!=b->op ) return 0;
  if( a->op==E_VAR ) return varPair(m, a, b);
  if( !sameName(a, b) || a->iVal!=b->iVal || memcmp(&a->rVal, &b->rVal, sizeof(double))!=0
   || a->iPrec!=b->iPrec || a->bDistinct!=b->bDistinct || a->iParam!=b->iParam || a->bIntQty!=b->bIntQty ) return 0;
  if( (a->zUnit==NULL)!=(b->zUnit==NULL) || (a->zUnit && strcmp(a->zUnit, b->zUnit)!=0) ) return 0;
  if( (a->pArgs==NULL)!=(b->pArgs==NULL) || (a->pArgs && a->pArgs->n!=b->pArgs->n) ) return 0;
  for(int i=0; a->pArgs && i<a->pArgs->n; i++){
    if( !sameExpr(m, a->pArgs->a[i].p, b->pArgs->a[i].p) ) return 0;
  }
  return sameExpr(m, a->pLeft, b->pLeft) && sameExpr(m, a->pRight, b->pRight);
}

/* Body a and body b without its literal pSkipB. */
static int sameBody(VarMap *m, const Body *a, const Body *b, const Literal *pSkipB){
  const Literal *x = a ? a->pFirst : NULL, *y = b ? b->pFirst : NULL;
  for(;;){
    if( y && y==pSkipB ) y = y->pNext;
    if( x==NULL || y==NULL ) return x==y;
    if( x->kind!=y->kind || !sameExpr(m, x->pClaim, y->pClaim) || !sameExpr(m, x->pS, y->pS)
     || !sameExpr(m, x->pP, y->pP) || !sameExpr(m, x->pO, y->pO) || !sameExpr(m, x->pExpr, y->pExpr)
     || (x->pSub==NULL)!=(y->pSub==NULL) || (x->pSub && !sameBody(m, x->pSub, y->pSub, NULL)) ) return 0;
    x = x->pNext;
    y = y->pNext;
  }
}

/*
** For argument j: a non-recursive rule pB whose body is the step of the
** recursive rule pR (pCall its call), X for X: one run of pB's plan then
** gives both pB's rows and the step's next values, with one cursor seek
** per value visited instead of two. The next value, the call's argument
** j (a variable), under its name in pB; NULL when they differ.
*/
static const Expr *stepIsRule(RuleDef *pB, RuleDef *pR, Literal *pCall, int j){
  VarMap m;
  m.n = 0;
  const Expr *pNext = pCall->pExpr->pArgs->a[j].p;
  if( pNext->op!=E_VAR || !varPair(&m, pB->pStmt->pHead->a[j].p, pR->pStmt->pHead->a[j].p) ) return NULL;
  if( !sameBody(&m, pB->pStmt->pBody, pR->pStmt->pBody, pCall) ) return NULL;
  for(int i=0; i<m.n; i++) if( sameName(m.a[i][1], pNext) ) return m.a[i][0];
  return NULL;
}

/* The plans of argument j of Relation.mReach, compiled on first use (a
** query that binds it): FAKT_OK, FAKT_NOMEM, or another code when they
** cannot be planned so (then the whole relation is computed). A recursive
** rule whose step is a non-recursive rule's body (stepIsRule) gets no
** plan of its own: that rule's plan gives its next values as well. */
static int compileReachPlans(fakt *db, StoreTxn *t, RuleSet *rs, int iRel, int j){
  Relation *pRel = &rs->aRel[iRel];
  FaktErr e;
  faktErrInit(&e);
  int rc = FAKT_OK;
  /* names resolved in another snapshot than the set's: not for the cache */
  if( !sameSnap(rs, t) ) rs->bSnap = 0;
  for(int i=0; rc==0 && i<rs->nRule; i++){
    RuleDef *pR = &rs->aRule[i];
    if( pR->iRel!=iRel || pR->apReach ) continue;
    int n = pRel->nArity;
    pR->apReach = faktArenaAlloc(&rs->arena, sizeof(Plan*)*(size_t)n);
    pR->aiReachSlot = faktArenaAlloc(&rs->arena, sizeof(int)*(size_t)n);
    pR->apReachNext = faktArenaAlloc(&rs->arena, sizeof(ExprList*)*(size_t)n);
    pR->apReachAlso = faktArenaAlloc(&rs->arena, sizeof(ExprList*)*(size_t)n);
    pR->abReachShared = faktArenaAlloc(&rs->arena, (size_t)n);
    if( !pR->apReach || !pR->aiReachSlot || !pR->apReachNext || !pR->apReachAlso || !pR->abReachShared ) rc = FAKT_NOMEM;
  }
  /* pair each recursive rule with a non-recursive one of the same body */
  for(int i=0; rc==0 && i<rs->nRule; i++){
    RuleDef *pR = &rs->aRule[i];
    int nTop = 0;
    Literal *pCall = NULL;
    if( pR->iRel!=iRel || bodyCalls(rs, iRel, pR->pStmt->pBody, &nTop, &pCall)==0 ) continue;
    for(int k=0; k<rs->nRule; k++){
      RuleDef *pB = &rs->aRule[k];
      if( pB->iRel!=iRel || pB->apReachAlso[j] || bodyCalls(rs, iRel, pB->pStmt->pBody, NULL, NULL) ) continue;
      const Expr *pNext = stepIsRule(pB, pR, pCall, j);
      if( pNext==NULL ) continue;
      ExprList *pAlso = faktArenaAlloc(&rs->arena, sizeof(ExprList));
      Expr *pE = cloneExpr(&rs->arena, pNext);
      if( pAlso ) pAlso->a = faktArenaAlloc(&rs->arena, sizeof(ExprItem));
      if( pAlso==NULL || pAlso->a==NULL || pE==NULL ){ rc = FAKT_NOMEM; break; }
      pAlso->n = pAlso->nAlloc = 1;
      pAlso->a[0].p = pE;
      pB->apReachAlso[j] = pAlso;
      pR->abReachShared[j] = 1;
      break;
    }
  }
  for(int i=0; rc==0 && i<rs->nRule; i++){
    RuleDef *pR = &rs->aRule[i];
    if( pR->iRel!=iRel || pR->abReachShared[j] ) continue;
    int nTop = 0;
    Literal *pCall = NULL;
    if( bodyCalls(rs, iRel, pR->pStmt->pBody, &nTop, &pCall) ){
      rc = compileStep(db, t, rs, pR, j, pCall, &e);
    }else{
      rc = compileRule(db, t, rs, pR, NULL, pR->pStmt->pHead->a[j].p, &pR->aiReachSlot[j],
                       pR->apReachAlso[j], &pR->apReach[j], &e);
    }
  }
  faktErrClear(&e);
  if( rc==FAKT_OK ) pRel->mReachPlanned |= (uint64_t)1<<j;
  else pRel->mReach &= ~((uint64_t)1<<j);
  return rc;
}

/* Compile all rules: full plans and, for recursive literals, delta plans. */
static int compileAll(fakt *db, StoreTxn *t, RuleSet *rs, FaktErr *pErr){
  int rc = stratify(rs, pErr);
  for(int i=0; rc==0 && i<rs->nRule; i++){
    RuleDef *pR = &rs->aRule[i];
    int iStr = rs->aRel[pR->iRel].iStratum;
    rc = compileRule(db, t, rs, pR, NULL, NULL, NULL, NULL, &pR->pPlan, pErr);
    int nLit = 0;
    for(Literal *p=pR->pStmt->pBody ? pR->pStmt->pBody->pFirst : NULL; p; p=p->pNext) nLit++;
    pR->apDelta = calloc((size_t)(nLit+1), sizeof(Plan*));
    if( rc==0 && pR->apDelta==NULL ) rc = FAKT_NOMEM;
    int k = 0;
    for(Literal *p=pR->pStmt->pBody ? pR->pStmt->pBody->pFirst : NULL; rc==0 && p; p=p->pNext){
      if( p->kind!=L_CALL ) continue;
      int iRel = faktRulesFind(rs, p->pExpr->zName, p->pExpr->nName);
      if( iRel<0 || rs->aRel[iRel].iStratum!=iStr ) continue;
      rc = compileRule(db, t, rs, pR, p, NULL, NULL, NULL, &pR->apDelta[k++], pErr);
    }
    pR->nDelta = k;
  }
  for(int i=0; rc==0 && i<rs->nRel; i++) rc = compileSpec(db, t, rs, i, pErr);
  for(int i=0; rc==0 && i<rs->nRel; i++) rc = compileReach(rs, i);
  if( rc==FAKT_NOMEM ) faktErrSet(pErr, rc, NULL, "out of memory");
  return rc;
}

static int loadSet(fakt *db, StoreTxn *t, Stmt *pExtra, RuleSet **pp, FaktErr *pErr){
  RuleSet *rs = calloc(1, sizeof(RuleSet));
  if( rs==NULL ) return FAKT_NOMEM;
  faktArenaInit(&rs->arena);
  LoadCtx x = { rs, pErr, FAKT_OK, t };
  int rc = faktRuleEach(t, eachRule, &x);
  if( rc==0 ) rc = x.rc;
  /* then the rules this handle keeps for its session (a read-only one) */
  for(int i=0; rc==0 && i<db->nSessRule; i++){
    rc = parseRules(rs, db->azSessText[i], strlen(db->azSessText[i]), pErr);
  }
  if( rc==0 && pExtra ) rc = addRule(rs, pExtra, pErr);
  if( rc==0 ) rc = compileAll(db, t, rs, pErr);
  if( rc ){
    if( pErr->rc==FAKT_OK ) faktStoreFail(pErr, db->pStore, rc, NULL, NULL);
    faktRulesFree(rs);
    return rc;
  }
  rs->txLoaded = faktStoreLastTx(t);
  rs->bValid = 1;
  *pp = rs;
  return FAKT_OK;
}

/* ================================================================ the handle's cache */

/* 1 if the handle's session rules are those rs was compiled with. */
static int sessSame(const fakt *db, const RuleSet *rs){
  size_t iOff = 0;
  for(int i=0; i<db->nSessRule; i++){
    size_t n = strlen(db->azSessText[i]) + 1;
    if( n > rs->nSess - iOff || memcmp(rs->zSess + iOff, db->azSessText[i], n)!=0 ) return 0;
    iOff += n;
  }
  return iOff==rs->nSess;
}

/* Remember the handle's session rules in rs. FAKT_OK or FAKT_NOMEM. */
static int sessKeep(const fakt *db, RuleSet *rs){
  size_t n = 0;
  for(int i=0; i<db->nSessRule; i++) n += strlen(db->azSessText[i]) + 1;
  rs->zSess = malloc(n ? n : 1);
  if( rs->zSess==NULL ) return FAKT_NOMEM;
  rs->nSess = 0;
  for(int i=0; i<db->nSessRule; i++){
    size_t m = strlen(db->azSessText[i]) + 1;
    memcpy(rs->zSess + rs->nSess, db->azSessText[i], m);
    rs->nSess += m;
  }
  return FAKT_OK;
}

/*
** Load and compile every stored rule (and the handle's session rules);
** the caller owns *pp until faktRulesRelease. The set the handle keeps
** serves instead when it was compiled from the same (sameSnap, sessSame):
** then nothing is read or compiled. Outside a committed snapshot (in a
** write transaction) the set is compiled, and not kept.
*/
int faktRulesLoad(fakt *db, StoreTxn *t, RuleSet **pp, FaktErr *pErr){
  RuleSet *rs = db->pRules;
  *pp = NULL;
  if( rs && sameSnap(rs, t) && sessSame(db, rs) ){
    db->pRules = NULL;                  /* the statement's while it lives */
    *pp = rs;
    return FAKT_OK;
  }
  db->nRuleLoad++;
  int rc = loadSet(db, t, NULL, &rs, pErr);
  if( rc ) return rc;
  if( faktStoreSnapshot(t, rs->aSnap) && sessKeep(db, rs)==FAKT_OK ) rs->bSnap = 1;
  *pp = rs;
  return FAKT_OK;
}

/* A statement is done with rs: the handle keeps it for the next (the
** newer of two), without its computed rows, which belong to the
** executions that made them; or frees it when it may not be kept. */
void faktRulesRelease(fakt *db, RuleSet *rs){
  if( rs==NULL ) return;
  if( db==NULL || !rs->bSnap ){ faktRulesFree(rs); return; }
  faktRulesReset(rs);
  rs->bKeep = 0;
  RuleSet *pOld = db->pRules;
  if( pOld && pOld->aSnap[0] > rs->aSnap[0] ){ faktRulesFree(rs); return; }
  db->pRules = rs;
  faktRulesFree(pOld);
}

/* The first aggregate in an expression, or NULL. */
static const Expr *exprAgg(const Expr *pE){
  if( pE==NULL ) return NULL;
  if( pE->op==E_AGG ) return pE;
  const Expr *p = exprAgg(pE->pLeft);
  if( p==NULL ) p = exprAgg(pE->pRight);
  for(int i=0; p==NULL && pE->pArgs && i<pE->pArgs->n; i++) p = exprAgg(pE->pArgs->a[i].p);
  return p;
}

/* The first aggregate in a body (its not and optional parts too), or NULL. */
static const Expr *bodyAgg(const Body *pBody){
  for(const Literal *l=pBody ? pBody->pFirst : NULL; l; l=l->pNext){
    const Expr *p = exprAgg(l->pExpr);
    if( p==NULL ) p = exprAgg(l->pS);
    if( p==NULL ) p = exprAgg(l->pO);
    if( p==NULL ) p = bodyAgg(l->pSub);
    if( p ) return p;
  }
  return NULL;
}

/* Check that the stored rules plus pNew (may be NULL) compile and stratify.
** A new rule may not aggregate: a relation is a set of tuples closed under
** its rules, and an aggregate in a body has no group to run over. */
int faktRulesCheck(fakt *db, StoreTxn *t, Stmt *pNew, FaktErr *pErr){
  RuleSet *rs = NULL;
  FaktErr e;
  const Expr *pAgg = NULL;
  for(int i=0; pNew && pNew->pHead && pAgg==NULL && i<pNew->pHead->n; i++) pAgg = exprAgg(pNew->pHead->a[i].p);
  if( pNew && pAgg==NULL ) pAgg = bodyAgg(pNew->pBody);
  if( pAgg ){
    faktErrSet(pErr, FAKT_ERROR, &pAgg->pos, "aggregate %s() is not allowed in rule %s: "
               "aggregate in the find that calls the rule", pAgg->zName, pNew->zId);
    return FAKT_ERROR;
  }
  faktErrInit(&e);
  int rc = loadSet(db, t, pNew, &rs, &e);
  faktRulesFree(rs);
  if( rc ){
    /* errors without a position belong to the new rule's head */
    if( e.iLine==0 && pNew ) faktErrSet(pErr, e.rc, &pNew->id.pos, "%s", e.zMsg ? e.zMsg : fakt_errstr(rc));
    else if( e.iLine==0 || pNew ) faktErrSet(pErr, e.rc, NULL, "%s", e.zMsg ? e.zMsg : fakt_errstr(rc));
    else faktErrSet(pErr, e.rc, NULL, "a stored rule no longer compiles: %s", e.zMsg ? e.zMsg : fakt_errstr(rc));
    if( e.iLine && pNew ){
      /* keep the position: it is in the new statement's text */
      faktErrReplace(pErr, e.rc, NULL, "%s", e.zMsg ? e.zMsg : fakt_errstr(rc));
      pErr->iLine = e.iLine; pErr->iCol = e.iCol; pErr->iOff = e.iOff;
    }
  }
  faktErrClear(&e);
  return rc;
}

/* ================================================================ evaluation */

/* A growing array of uint32_t. */
typedef struct U32s { uint32_t *a; int n, nAlloc; } U32s;

static int u32Add(U32s *p, uint32_t v){
  if( p->n>=p->nAlloc ){
    int nNew = p->nAlloc ? p->nAlloc*2 : 16;
    uint32_t *a = realloc(p->a, sizeof(uint32_t)*(size_t)nNew);
    if( a==NULL ) return FAKT_NOMEM;
    p->a = a; p->nAlloc = nNew;
  }
  p->a[p->n++] = v;
  return FAKT_OK;
}

/* What the current registers of pPlan matched: claims scanned into
** pClaim, derived rows read into pRef as (iRel+1 | iSpec<<24, row). */
static int whyDirect(Exec *ex, Plan *pPlan, U32s *pClaim, U32s *pRef){
  for(int i=0; i<pPlan->nStep; i++){
    Step *pS = &pPlan->aStep[i];
    int rc = FAKT_OK;
    if( pS->kind==ST_OPT ){
      rc = whyDirect(ex, pS->pSub, pClaim, pRef);
    }else if( pS->kind==ST_SCAN ){
      const Value *v = pS->aT[3].iSlot>=0 ? &ex->aReg[pS->aT[3].iSlot] : &pS->aT[3].v;
      if( v->t==V_ID ) rc = u32Add(pClaim, v->id);
    }else if( pS->kind==ST_DERIVED && ex->aReg[pS->iRowSlot].t==V_INT ){
      uint32_t iSpec = ex->aReg[pS->iRowSlot].id;
      rc = u32Add(pRef, (uint32_t)(pS->iRel+1) | (iSpec<<24));
      if( rc==0 ) rc = u32Add(pRef, (uint32_t)ex->aReg[pS->iRowSlot].u.i);
    }
    if( rc ) return rc;
  }
  return FAKT_OK;
}

/* The why record of a row about to be inserted: {nClaim, nRef, claims,
** refs}. Its size is that of one body match, whatever lies beneath. */
static uint32_t *whyRecord(Exec *ex, Plan *pPlan){
  U32s c = { NULL, 0, 0 }, r = { NULL, 0, 0 };
  uint32_t *a = NULL;
  if( whyDirect(ex, pPlan, &c, &r)==FAKT_OK ){
    a = malloc(sizeof(uint32_t)*(size_t)(2 + c.n + r.n));
    if( a ){
      a[0] = (uint32_t)c.n; a[1] = (uint32_t)(r.n/2);
      if( c.n ) memcpy(a+2, c.a, sizeof(uint32_t)*(size_t)c.n);
      if( r.n ) memcpy(a+2+c.n, r.a, sizeof(uint32_t)*(size_t)r.n);
      ex->nHeap += (int64_t)sizeof(uint32_t)*(2 + c.n + r.n);
    }
  }
  free(c.a); free(r.a);
  return a;
}

/* Open-addressing set of 64-bit keys (never 0). 1 added, 0 there, <0 oom. */
typedef struct Set64 { uint64_t *a; int n, nSlot; } Set64;
static int setAdd(Set64 *p, uint64_t k){
  if( (p->n+1)*2 > p->nSlot ){
    int nNew = p->nSlot ? p->nSlot*2 : 64;
    uint64_t *a = calloc((size_t)nNew, sizeof(uint64_t));
    if( a==NULL ) return -1;
    for(int i=0; i<p->nSlot; i++){
      if( p->a[i]==0 ) continue;
      int j = (int)((p->a[i]*0x9E3779B97F4A7C15ULL)>>40) & (nNew-1);
      while( a[j] ) j = (j+1) & (nNew-1);
      a[j] = p->a[i];
    }
    free(p->a); p->a = a; p->nSlot = nNew;
  }
  int j = (int)((k*0x9E3779B97F4A7C15ULL)>>40) & (p->nSlot-1);
  while( p->a[j] ){ if( p->a[j]==k ) return 0; j = (j+1) & (p->nSlot-1); }
  p->a[j] = k; p->n++;
  return 1;
}

/* Claim ids behind the current body row: the claims it scanned and,
** walking the why records of the derived rows it read (each row once),
** the claims beneath them. Returns a malloc'd array {n, ids...} or NULL. */
uint32_t *faktRowWhy(Exec *ex, Plan *pPlan){
  RuleSet *rs = ex->pRules;
  U32s c = { NULL, 0, 0 }, stack = { NULL, 0, 0 }, out = { NULL, 0, 0 };
  Set64 seenRow = { NULL, 0, 0 }, seenClaim = { NULL, 0, 0 };
  int rc = u32Add(&out, 0);
  if( rc==0 ) rc = whyDirect(ex, pPlan, &c, &stack);
  for(int i=0; rc==0 && i<c.n; i++){
    int k = setAdd(&seenClaim, (uint64_t)c.a[i]+1);
    if( k<0 ) rc = FAKT_NOMEM; else if( k ) rc = u32Add(&out, c.a[i]);
  }
  while( rc==0 && stack.n>=2 ){
    uint32_t iRow = stack.a[--stack.n], w = stack.a[--stack.n];
    int k = setAdd(&seenRow, ((uint64_t)w<<32) | iRow);
    if( k<0 ){ rc = FAKT_NOMEM; break; }
    if( k==0 ) continue;
    uint32_t iSpec = w>>24, iRel = (w & 0xffffff) - 1;
    if( rs==NULL || (int)iRel>=rs->nRel ) continue;
    Relation *r = iSpec && rs->aSpec ? &rs->aSpec[iSpec-1].rel : &rs->aRel[iRel];
    if( (int)iRow>=r->nRow || r->aWhy==NULL || r->aWhy[iRow]==NULL ) continue;
    const uint32_t *a = r->aWhy[iRow];
    for(uint32_t j=0; rc==0 && j<a[0]; j++){
      k = setAdd(&seenClaim, (uint64_t)a[2+j]+1);
      if( k<0 ) rc = FAKT_NOMEM; else if( k ) rc = u32Add(&out, a[2+j]);
    }
    for(uint32_t j=0; rc==0 && j<2*a[1]; j++) rc = u32Add(&stack, a[2+a[0]+j]);
  }
  free(c.a); free(stack.a); free(seenRow.a); free(seenClaim.a);
  if( rc ){ free(out.a); return NULL; }
  out.a[0] = (uint32_t)(out.n-1);
  return out.a;
}

/* A plan of rule pR ready to run, again and again: its registers and the
** state of its steps, in an Exec of its own. */
typedef struct PlanRun {
  Exec sub;                /* a copy of the execution, its own registers */
  Run *r;
  Value *aHead;            /* the head tuple being built */
} PlanRun;

static int planRunInit(Exec *ex, RuleDef *pR, Plan *pPlan, int nArity, PlanRun *p){
  p->sub = *ex;
  faktArenaInit(&p->sub.arena);
  p->sub.aReg = calloc((size_t)(pR->nSlot ? pR->nSlot : 1), sizeof(Value));
  p->sub.nReg = pR->nSlot;
  p->sub.aAgg = NULL;
  p->r = NULL;
  p->aHead = NULL;
  if( p->sub.aReg==NULL ) return FAKT_NOMEM;
  p->r = faktRunNew(&p->sub, pPlan, &p->sub.arena);
  p->aHead = faktArenaAlloc(&p->sub.arena, sizeof(Value)*(size_t)(nArity ? nArity : 1));
  return p->r && p->aHead ? FAKT_OK : FAKT_NOMEM;
}

static void planRunFree(PlanRun *p){
  if( p->r ) faktRunClose(p->r);
  free(p->sub.aReg);
  faktArenaFree(&p->sub.arena);
  memset(p, 0, sizeof(*p));
}

/* Where the rows of a plan go: the tuples of pHead into pOut, argument
** iOver replaced by *pOver when iOver>=0. */
typedef struct RunOut {
  const ExprList *pHead;
  Relation *pOut;
  int iOver;
  const Value *pOver;
} RunOut;

/* The tuple of o->pHead for the current body row into aTuple. */
static int evalTuple(Exec *sub, RuleSet *rs, const RunOut *o, Value *aTuple){
  for(int i=0; i<o->pOut->nArity; i++){
    if( i==o->iOver ){ aTuple[i] = *o->pOver; continue; }
    int rc = faktEval(sub, o->pHead->a[i].p, &aTuple[i]);
    if( rc ) return rc;
    /* strings made during the body must outlive it */
    if( aTuple[i].t==V_STR && aTuple[i].id==0 && aTuple[i].z ){
      aTuple[i].z = faktArenaStrdup(&rs->arena, aTuple[i].z, (size_t)aTuple[i].n);
      if( aTuple[i].z==NULL ) return FAKT_NOMEM;
    }
  }
  return FAKT_OK;
}

/* Run it once (pPre bound in slot iPreSlot first) and insert, for each
** body row, a tuple into each of the nOut outputs aOut (the first keeps
** its why record in a why query; p->aHead has room for every tuple).
** *pnNew counts new rows. */
static int planRunGo(Exec *ex, RuleSet *rs, RuleDef *pR, PlanRun *p, int iPreSlot, const Value *pPre,
                     const RunOut *aOut, int nOut, int *pnNew){
  Exec *sub = &p->sub;
  Value *aHead = p->aHead;
  int rc;
  ex->db->nRuleRun++;
  sub->nWork = ex->nWork;
  sub->nHeap = ex->nHeap;
  memset(sub->aReg, 0, sizeof(Value)*(size_t)(pR->nSlot ? pR->nSlot : 1));
  if( pPre && iPreSlot>=0 && iPreSlot<pR->nSlot ) sub->aReg[iPreSlot] = *pPre;
  for(;;){
    rc = faktRunNext(p->r);
    if( rc!=FAKT_ROW ){ if( rc==FAKT_DONE ) rc = FAKT_OK; break; }
    rc = FAKT_OK;
    for(int o=0; rc==0 && o<nOut; o++){
      Relation *pOut = aOut[o].pOut;
      rc = evalTuple(sub, rs, &aOut[o], aHead);
      if( rc ) break;
      uint32_t *aWhy = NULL;
      if( o==0 && ex->bWhy && (aWhy = whyRecord(sub, p->r->pPlan))==NULL ){ rc = FAKT_NOMEM; break; }
      int k = relInsert(sub, pOut, aHead, aWhy);
      if( k<0 ){ free(aWhy); rc = -k; break; }
      if( k==0 ) free(aWhy);
      *pnNew += k;
      if( ex->db->nMaxRows>0 && pOut->nRow > ex->db->nMaxRows ){
        faktErrSet(ex->pErr, FAKT_LIMIT, &pR->pStmt->pos,
                   "rule %s produced more than %lld rows: stopped", pOut->zName, (long long)ex->db->nMaxRows);
        rc = FAKT_LIMIT;
      }
    }
    if( rc ) break;
  }
  faktRunClose(p->r);
  ex->nWork = sub->nWork;
  ex->nHeap = sub->nHeap;
  if( rc==FAKT_NOMEM ) faktErrSet(ex->pErr, rc, NULL, "out of memory");
  return rc;
}

/* Run one rule plan; insert the head tuples. *pnNew counts new rows. */
static int runRule(Exec *ex, RuleSet *rs, RuleDef *pR, Plan *pPlan, int iPreSlot, const Value *pPre, int *pnNew){
  RunOut out = { pR->pStmt->pHead, &rs->aRel[pR->iRel], -1, NULL };
  PlanRun pr;
  int rc = planRunInit(ex, pR, pPlan, out.pOut->nArity, &pr);
  if( rc==FAKT_OK ) rc = planRunGo(ex, rs, pR, &pr, iPreSlot, pPre, &out, 1, pnNew);
  else faktErrSet(ex->pErr, rc, NULL, "out of memory");
  planRunFree(&pr);
  return rc;
}

/* Compute the relations of other strata that pPlan (and its sub-plans)
** calls, before the stratum iStr that calls them runs. */
static int evalCalled(Exec *ex, Plan *pPlan, int iStr){
  RuleSet *rs = ex->pRules;
  int rc = FAKT_OK;
  for(int s=0; rc==0 && pPlan && s<pPlan->nStep; s++){
    Step *pS = &pPlan->aStep[s];
    if( pS->kind==ST_NOT || pS->kind==ST_OPT ){
      rc = evalCalled(ex, pS->pSub, iStr);
    }else if( pS->kind==ST_DERIVED && rs->aRel[pS->iRel].iStratum!=iStr && !rs->aRel[pS->iRel].bDone ){
      rc = faktRulesEval(ex, pS->iRel);
    }
  }
  return rc;
}

/* Compute relation iRel (and the relations it calls) for this execution. */
int faktRulesEval(Exec *ex, int iRel){
  RuleSet *rs = ex->pRules;
  Relation *pRel = &rs->aRel[iRel];
  int iStr = pRel->iStratum;
  int rc = FAKT_OK;
  if( pRel->bDone ) return FAKT_OK;
  /* the relations its rules call in lower strata first, and only those
  ** (in not and optional parts too): a query computes what it needs */
  for(int i=0; i<rs->nRel; i++) if( rs->aRel[i].iStratum==iStr ) rs->aRel[i].bDone = 2;
  for(int i=0; rc==0 && i<rs->nRule; i++){
    RuleDef *pR = &rs->aRule[i];
    if( rs->aRel[pR->iRel].iStratum==iStr ) rc = evalCalled(ex, pR->pPlan, iStr);
  }
  if( rc ) return rc;
  /* initial round: full plans over empty relations of this stratum */
  int nNew = 0;
  for(int i=0; rc==0 && i<rs->nRule; i++){
    RuleDef *pR = &rs->aRule[i];
    if( rs->aRel[pR->iRel].iStratum==iStr ) rc = runRule(ex, rs, pR, pR->pPlan, -1, NULL, &nNew);
  }
  for(int i=0; i<rs->nRel; i++){
    Relation *r = &rs->aRel[i];
    if( r->iStratum!=iStr ) continue;
    r->iDeltaLo = 0; r->iDeltaHi = r->nRow; r->iFullHi = r->nRow;
  }
  /* semi-naive rounds */
  while( rc==0 && nNew>0 ){
    nNew = 0;
    for(int i=0; rc==0 && i<rs->nRule; i++){
      RuleDef *pR = &rs->aRule[i];
      if( rs->aRel[pR->iRel].iStratum!=iStr ) continue;
      for(int d=0; rc==0 && d<pR->nDelta; d++) rc = runRule(ex, rs, pR, pR->apDelta[d], -1, NULL, &nNew);
    }
    for(int i=0; i<rs->nRel; i++){
      Relation *r = &rs->aRel[i];
      if( r->iStratum!=iStr ) continue;
      r->iDeltaLo = r->iDeltaHi; r->iDeltaHi = r->nRow; r->iFullHi = r->nRow;
    }
    if( rc==0 ) rc = faktExecCheck(ex);
  }
  for(int i=0; i<rs->nRel; i++){
    if( rs->aRel[i].iStratum!=iStr ) continue;
    rs->aRel[i].bDone = rc ? 0 : 1;
    rs->aRel[i].bWhyRows = ex->bWhy;
  }
  return rc;
}

/*
** The rows of relation iRel whose invariant argument is the entity *pKey:
** its rules run with that argument's variable bound (RuleDef.pSpecPlan),
** semi-naive as in faktRulesEval, into a SpecRel that stands in for the
** relation meanwhile (the recursive calls read it). Kept like the whole
** relations (faktRulesReset clears them).
*/
int faktRulesEvalSpec(Exec *ex, int iRel, const Value *pKey, int *piSpec){
  RuleSet *rs = ex->pRules;
  Relation *pRel = &rs->aRel[iRel];
  int iFree = -1, rc = FAKT_OK;
  if( pRel->iInv<0 || pKey->t!=V_ID ) return 0;
  if( rs->aSpec==NULL ){
    rs->aSpec = calloc(RULE_SPEC_MAX, sizeof(SpecRel));
    if( rs->aSpec==NULL ){ faktErrSet(ex->pErr, FAKT_NOMEM, NULL, "out of memory"); return -FAKT_NOMEM; }
    for(int i=0; i<RULE_SPEC_MAX; i++) rs->aSpec[i].iRel = -1;
  }
  for(int i=0; i<RULE_SPEC_MAX; i++){
    SpecRel *p = &rs->aSpec[i];
    if( p->iRel==iRel && p->iArg==pRel->iInv && p->key.id==pKey->id && p->rel.bDone==1 ){ *piSpec = i+1; return 1; }
    if( p->iRel<0 && iFree<0 ) iFree = i;
  }
  if( iFree<0 ) return 0;                       /* full: the whole relation instead */
  SpecRel *pSpec = &rs->aSpec[iFree];
  memset(pSpec, 0, sizeof(*pSpec));
  pSpec->iRel = iRel;
  pSpec->iArg = pRel->iInv;
  pSpec->key = *pKey;
  pSpec->rel.zName = pRel->zName;
  pSpec->rel.nameId = pRel->nameId;
  pSpec->rel.nArity = pRel->nArity;
  pSpec->rel.iStratum = pRel->iStratum;
  pSpec->rel.iInv = pRel->iInv;
  pSpec->rel.bDone = 2;
  pSpec->rel.iStandIn = iFree+1;
  /* the SpecRel stands in for the relation while its rules run */
  Relation tmp = *pRel;
  *pRel = pSpec->rel;
  int nNew = 0;
  for(int i=0; rc==0 && i<rs->nRule; i++){
    RuleDef *pR = &rs->aRule[i];
    if( pR->iRel==iRel ) rc = runRule(ex, rs, pR, pR->pSpecPlan, pR->iSpecSlot, pKey, &nNew);
  }
  pRel->iDeltaLo = 0; pRel->iDeltaHi = pRel->nRow; pRel->iFullHi = pRel->nRow;
  while( rc==0 && nNew>0 ){
    nNew = 0;
    for(int i=0; rc==0 && i<rs->nRule; i++){
      RuleDef *pR = &rs->aRule[i];
      if( pR->iRel!=iRel ) continue;
      for(int d=0; rc==0 && d<pR->nDelta; d++){
        rc = runRule(ex, rs, pR, pR->apSpecDelta[d], pR->iSpecSlot, pKey, &nNew);
      }
    }
    pRel->iDeltaLo = pRel->iDeltaHi; pRel->iDeltaHi = pRel->nRow; pRel->iFullHi = pRel->nRow;
    if( rc==0 ) rc = faktExecCheck(ex);
  }
  pRel->bDone = rc ? 0 : 1;
  pRel->bWhyRows = ex->bWhy;
  pSpec->rel = *pRel;
  *pRel = tmp;
  if( rc ){
    relClear(&pSpec->rel);
    pSpec->iRel = -1;
    return -rc;
  }
  *piSpec = iFree+1;
  return 1;
}

/*
** The rows of relation iRel whose argument j (one of Relation.mReach) is
** the entity *pKey (compileReach says why this is sound): the values
** reachable from it, breadth-first through the recursive rules' steps
** (RuleDef.apReach with apReachNext), each visited once; then, for each,
** the rows its non-recursive rules give, with argument j set to *pKey.
** Not for why (the rows would not say what their body matched): 0.
*/
int faktRulesEvalReach(Exec *ex, int iRel, int j, const Value *pKey, int *piSpec){
  RuleSet *rs = ex->pRules;
  Relation *pRel = &rs->aRel[iRel];
  int iFree = -1, rc = FAKT_OK;
  if( j<0 || j>=64 || !((pRel->mReach>>j)&1) || pKey->t!=V_ID || ex->bWhy ) return 0;
  if( !((pRel->mReachPlanned>>j)&1) ){
    rc = compileReachPlans(ex->db, ex->pTxn, rs, iRel, j);
    if( rc==FAKT_NOMEM ){ faktErrSet(ex->pErr, rc, NULL, "out of memory"); return -rc; }
    if( rc ) return 0;
  }
  if( rs->aSpec==NULL ){
    rs->aSpec = calloc(RULE_SPEC_MAX, sizeof(SpecRel));
    if( rs->aSpec==NULL ){ faktErrSet(ex->pErr, FAKT_NOMEM, NULL, "out of memory"); return -FAKT_NOMEM; }
    for(int i=0; i<RULE_SPEC_MAX; i++) rs->aSpec[i].iRel = -1;
  }
  for(int i=0; i<RULE_SPEC_MAX; i++){
    SpecRel *p = &rs->aSpec[i];
    if( p->iRel==iRel && p->iArg==j && p->key.id==pKey->id && p->rel.bDone==1 ){ *piSpec = i+1; return 1; }
    if( p->iRel<0 && iFree<0 ) iFree = i;
  }
  if( iFree<0 ) return 0;                       /* full: the whole relation instead */
  SpecRel *pSpec = &rs->aSpec[iFree];
  memset(pSpec, 0, sizeof(*pSpec));
  pSpec->iRel = iRel;
  pSpec->iArg = j;
  pSpec->key = *pKey;
  Relation *pOut = &pSpec->rel;
  pOut->zName = pRel->zName;
  pOut->nameId = pRel->nameId;
  pOut->nArity = pRel->nArity;
  pOut->iStratum = pRel->iStratum;
  pOut->iInv = -1;
  pOut->bDone = 2;
  pOut->iStandIn = iFree+1;
  /* the values visited: a relation of one argument */
  Relation seen;
  memset(&seen, 0, sizeof(seen));
  seen.zName = pRel->zName;
  seen.nArity = 1;
  seen.iInv = -1;
  int nNew = 0;
  int k = relInsert(ex, &seen, pKey, NULL);
  if( k<0 ) rc = -k;
  /* each rule's plan is set up once and run for every value */
  PlanRun *aRun = calloc((size_t)rs->nRule, sizeof(PlanRun));
  if( aRun==NULL ) rc = FAKT_NOMEM;
  for(int i=0; rc==0 && i<rs->nRule; i++){
    RuleDef *pR = &rs->aRule[i];
    if( pR->iRel!=iRel || pR->abReachShared[j] ) continue;
    rc = planRunInit(ex, pR, pR->apReach[j], pR->apReachNext[j] ? 1 : pRel->nArity, &aRun[i]);
  }
  if( rc==FAKT_NOMEM ) faktErrSet(ex->pErr, rc, NULL, "out of memory");
  for(int v=0; rc==0 && v<seen.nRow; v++){
    Value m = seen.aRow[v];                     /* seen.aRow moves as it grows */
    for(int i=0; rc==0 && i<rs->nRule; i++){
      RuleDef *pR = &rs->aRule[i];
      if( pR->iRel!=iRel || pR->abReachShared[j] ) continue;
      if( pR->apReachNext[j] ){
        RunOut next = { pR->apReachNext[j], &seen, -1, NULL };
        rc = planRunGo(ex, rs, pR, &aRun[i], pR->aiReachSlot[j], &m, &next, 1, &nNew);
      }else{
        /* its rows, and the next values of a step with its body */
        RunOut aOut[2] = { { pR->pStmt->pHead, pOut, j, pKey }, { pR->apReachAlso[j], &seen, -1, NULL } };
        rc = planRunGo(ex, rs, pR, &aRun[i], pR->aiReachSlot[j], &m, aOut, pR->apReachAlso[j] ? 2 : 1, &nNew);
      }
    }
    if( rc==0 && (v & 63)==63 ) rc = faktExecCheck(ex);
  }
  if( rc==0 ) rc = faktExecCheck(ex);
  for(int i=0; aRun && i<rs->nRule; i++) planRunFree(&aRun[i]);
  free(aRun);
  relClear(&seen);
  pOut->bDone = rc ? 0 : 1;
  pOut->bWhyRows = 0;
  if( rc ){
    relClear(pOut);
    pSpec->iRel = -1;
    return -rc;
  }
  *piSpec = iFree+1;
  return 1;
}
