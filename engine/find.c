/*
** find.c -- the top of a find statement: projection, aggregation with
** grouping, distinct, order by, limit and offset, over the rows of the
** body's run. Rows stream unless sorting, grouping or distinct needs them all.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fakt_int.h"

/* ================================================================ row sets */
/* A hash set of rows of n values (distinct, groups, count distinct). */
typedef struct RowSet {
  int nCol;
  int nRow, nAlloc;
  Value *aRow;
  int *aHash;              /* row index + 1, 0 empty */
  int nHash;
} RowSet;

static void rowSetFree(RowSet *s){
  free(s->aRow);
  free(s->aHash);
  memset(s, 0, sizeof(*s));
}

static uint64_t rowHash(Exec *ex, const Value *a, int n){
  uint64_t h = 0x9e3779b97f4a7c15ULL;
  for(int i=0; i<n; i++) h = (h ^ faktValueHash(ex, &a[i])) * 0x100000001b3ULL;
  return h;
}

static int rowEq(Exec *ex, const Value *a, const Value *b, int n){
  for(int i=0; i<n; i++){
    if( a[i].t!=b[i].t && !(a[i].t<=V_FLOAT && b[i].t<=V_FLOAT) ) return 0;
    if( !faktValueEq(ex, &a[i], &b[i]) ) return 0;
  }
  return 1;
}

/* Find or insert a row. *pbNew says whether it was inserted. Returns the row
** index or -1 on OOM. */
static int rowSetAdd(Exec *ex, RowSet *s, const Value *aRow, int *pbNew){
  if( s->nRow*2 >= s->nHash ){
    int nNew = s->nHash ? s->nHash*2 : 64;
    int *aH = calloc((size_t)nNew, sizeof(int));
    if( aH==NULL ) return -1;
    for(int i=0; i<s->nRow; i++){
      uint64_t h = rowHash(ex, &s->aRow[(size_t)i*(size_t)s->nCol], s->nCol);
      int j = (int)(h & (uint64_t)(nNew-1));
      while( aH[j] ) j = (j+1) & (nNew-1);
      aH[j] = i+1;
    }
    free(s->aHash);
    if( ex ) ex->nHeap += (int64_t)sizeof(int)*(nNew - s->nHash);
    s->aHash = aH;
    s->nHash = nNew;
  }
  uint64_t h = rowHash(ex, aRow, s->nCol);
  int j = (int)(h & (uint64_t)(s->nHash-1));
  while( s->aHash[j] ){
    int i = s->aHash[j]-1;
    if( rowEq(ex, &s->aRow[(size_t)i*(size_t)s->nCol], aRow, s->nCol) ){ *pbNew = 0; return i; }
    j = (j+1) & (s->nHash-1);
  }
  if( s->nRow>=s->nAlloc ){
    int nNew = s->nAlloc ? s->nAlloc*2 : 16;
    Value *a = realloc(s->aRow, sizeof(Value)*(size_t)nNew*(size_t)(s->nCol ? s->nCol : 1));
    if( a==NULL ) return -1;
    if( ex ) ex->nHeap += (int64_t)sizeof(Value)*(nNew - s->nAlloc)*(s->nCol ? s->nCol : 1);
    s->aRow = a;
    s->nAlloc = nNew;
  }
  memcpy(&s->aRow[(size_t)s->nRow*(size_t)s->nCol], aRow, sizeof(Value)*(size_t)s->nCol);
  s->aHash[j] = s->nRow+1;
  *pbNew = 1;
  return s->nRow++;
}

/* ================================================================ aggregates */
typedef struct Acc {
  int64_t nCount;          /* rows counted (non-null arguments) */
  int64_t iSum;            /* integer sum */
  double rSum;             /* float sum */
  int bFloat;              /* sum became a float */
  int bOverflow;
  Value vMin, vMax;        /* extremes */
  int bHas;
  RowSet distinct;         /* count(distinct x), list(distinct x) */
  char *zList;             /* list(): joined texts */
  size_t nList, nListAlloc;
} Acc;

typedef struct Group {
  Value *aReg;             /* registers of the group's first row */
  Acc *aAcc;               /* one per aggregate */
} Group;

typedef struct FindState {
  RowSet groups;           /* keys of groups (non-aggregate projections) */
  Group *aGroup;
  int nGroupAlloc;
  RowSet distinct;         /* emitted rows, for distinct */
} FindState;

static void accFree(Acc *a){
  rowSetFree(&a->distinct);
  free(a->zList);
}

static void findStateFree(fakt_stmt *p){
  FindState *fs = p->pDistinct;
  if( fs==NULL ) return;
  FindInfo *f = p->pFind;
  for(int i=0; i<fs->groups.nRow; i++){
    for(int j=0; j<f->nAgg; j++) accFree(&fs->aGroup[i].aAcc[j]);
    free(fs->aGroup[i].aAcc);
    free(fs->aGroup[i].aReg);
  }
  free(fs->aGroup);
  rowSetFree(&fs->groups);
  rowSetFree(&fs->distinct);
  free(fs);
  p->pDistinct = NULL;
}

static int accStep(Exec *ex, Expr *pAgg, Acc *a){
  Value v;
  int n = pAgg->pArgs ? pAgg->pArgs->n : 0;
  int rc;
  if( n==0 ){ a->nCount++; return FAKT_OK; }
  rc = faktEval(ex, pAgg->pArgs->a[0].p, &v);
  if( rc ) return rc;
  if( v.t==V_NULL ) return FAKT_OK;
  if( pAgg->bDistinct ){
    int bNew;
    if( a->distinct.nCol==0 ) a->distinct.nCol = 1;
    if( rowSetAdd(ex, &a->distinct, &v, &bNew)<0 ){
      faktErrSet(ex->pErr, FAKT_NOMEM, NULL, "out of memory");
      return FAKT_NOMEM;
    }
    if( !bNew ) return FAKT_OK;
  }
  a->nCount++;
  const char *z = pAgg->zName;
  if( strcmp(z, "sum")==0 || strcmp(z, "avg")==0 ){
    if( v.t==V_INT && !a->bFloat ){
      if( __builtin_add_overflow(a->iSum, v.u.i, &a->iSum) ){
        a->bFloat = 1;
        a->rSum = (double)a->iSum + (double)v.u.i;
      }
    }else if( v.t==V_INT || v.t==V_FLOAT || v.t==V_QTY ){
      /* quantities add up only within one unit, and not with plain numbers */
      if( (v.t==V_QTY)!=(a->bHas!=0) && a->nCount>1 ){
        faktErrSet(ex->pErr, FAKT_MISMATCH, &pAgg->pArgs->a[0].p->pos,
                   "type error: %s cannot mix quantities and plain numbers", z);
        return FAKT_MISMATCH;
      }
      if( v.t==V_QTY && a->bHas && !faktValueEq(ex, &(Value){ .t = V_QTY, .id = v.id, .z = v.z, .n = v.n },
                                              &(Value){ .t = V_QTY, .id = a->vMin.id, .z = a->vMin.z, .n = a->vMin.n }) ){
        faktErrSet(ex->pErr, FAKT_MISMATCH, &pAgg->pArgs->a[0].p->pos,
                   "type error: %s cannot add quantities of different units", z);
        return FAKT_MISMATCH;
      }
      if( !a->bFloat ){ a->bFloat = 1; a->rSum = (double)a->iSum; }
      a->rSum += v.t==V_INT ? (double)v.u.i : v.u.r;
      if( v.t==V_QTY && !a->bHas ){ a->vMin = v; a->bHas = 1; }
    }else{
      faktErrSet(ex->pErr, FAKT_MISMATCH, &pAgg->pArgs->a[0].p->pos, "type error: %s expects numbers, got a%s %s",
                 z, v.t==V_ID ? "n" : "", faktTypeName(v.t));
      return FAKT_MISMATCH;
    }
  }else if( strcmp(z, "min")==0 || strcmp(z, "max")==0 ){
    if( !a->bHas ){ a->vMin = a->vMax = v; a->bHas = 1; }
    else{
      if( faktValueCmp(ex, &v, &a->vMin)<0 ) a->vMin = v;
      if( faktValueCmp(ex, &v, &a->vMax)>0 ) a->vMax = v;
    }
  }else if( strcmp(z, "list")==0 ){
    char *zT = NULL; size_t nA = 0; int nT = 0;
    rc = faktValueRender(ex->pTxn, ex->pDict, &v, &zT, &nA, &nT);
    if( rc ){ free(zT); return rc; }
    size_t need = a->nList + (size_t)nT + 3;
    if( need > a->nListAlloc ){
      size_t nNew = need*2;
      char *zN = realloc(a->zList, nNew);
      if( zN==NULL ){ free(zT); return FAKT_NOMEM; }
      a->zList = zN; a->nListAlloc = nNew;
    }
    if( a->nList ){ memcpy(a->zList + a->nList, ", ", 2); a->nList += 2; }
    memcpy(a->zList + a->nList, zT, (size_t)nT);
    a->nList += (size_t)nT;
    a->zList[a->nList] = 0;
    free(zT);
  }
  return FAKT_OK;
}

static int accFinal(Exec *ex, Expr *pAgg, Acc *a, Value *pOut){
  const char *z = pAgg->zName;
  memset(pOut, 0, sizeof(*pOut));
  if( strcmp(z, "count")==0 ){ pOut->t = V_INT; pOut->u.i = a->nCount; return FAKT_OK; }
  if( a->nCount==0 ){ pOut->t = V_NULL; return FAKT_OK; }
  if( (strcmp(z, "sum")==0 || strcmp(z, "avg")==0) && a->bFloat && !isfinite(a->rSum) ){
    faktErrSet(ex->pErr, FAKT_ERROR, &pAgg->pos, "float overflow: %s() is not a finite number", z);
    return FAKT_ERROR;
  }
  if( strcmp(z, "sum")==0 ){
    if( a->bFloat ){
      if( a->bHas ){ *pOut = a->vMin; pOut->u.r = a->rSum; }
      else{ pOut->t = V_FLOAT; pOut->u.r = a->rSum; }
    }else{ pOut->t = V_INT; pOut->u.i = a->iSum; }
    return FAKT_OK;
  }
  if( strcmp(z, "avg")==0 ){
    double s = a->bFloat ? a->rSum : (double)a->iSum;
    if( a->bHas ){ *pOut = a->vMin; pOut->u.r = s/(double)a->nCount; }
    else{ pOut->t = V_FLOAT; pOut->u.r = s/(double)a->nCount; }
    return FAKT_OK;
  }
  if( strcmp(z, "min")==0 ){ *pOut = a->vMin; return FAKT_OK; }
  if( strcmp(z, "max")==0 ){ *pOut = a->vMax; return FAKT_OK; }
  if( strcmp(z, "list")==0 ) return faktStrValue(ex, a->zList ? a->zList : "", (int)a->nList, pOut);
  faktErrSet(ex->pErr, FAKT_NOTFOUND, &pAgg->pos, "unknown aggregate %s()", z);
  return FAKT_NOTFOUND;
}

static int isAggExpr(const Expr *pE){
  if( pE==NULL ) return 0;
  if( pE->op==E_AGG ) return 1;
  if( isAggExpr(pE->pLeft) || isAggExpr(pE->pRight) ) return 1;
  for(int i=0; pE->pArgs && i<pE->pArgs->n; i++) if( isAggExpr(pE->pArgs->a[i].p) ) return 1;
  return 0;
}

/* ================================================================ output rows */

static int nOutCol(fakt_stmt *p){ return p->pFind->nProj + p->pFind->nWhy + p->pFind->nOrder; }

/* Evaluate projections and order keys of the current registers into aRow. */
static int evalRow(fakt_stmt *p, Value *aRow){
  FindInfo *f = p->pFind;
  for(int i=0; i<f->nProj; i++){
    int rc = faktEval(&p->ex, f->apProj[i], &aRow[i]);
    if( rc ) return rc;
  }
  for(int i=0; i<f->nOrder; i++){
    int rc = faktEval(&p->ex, f->apOrder[i], &aRow[f->nProj + f->nWhy + i]);
    if( rc ) return rc;
  }
  return FAKT_OK;
}

static int outAppend(fakt_stmt *p, const Value *aRow){
  int n = nOutCol(p);
  if( p->nOut>=p->nOutAlloc ){
    int nNew = p->nOutAlloc ? p->nOutAlloc*2 : 64;
    Value *a = realloc(p->aOut, sizeof(Value)*(size_t)nNew*(size_t)(n ? n : 1));
    if( a==NULL ){
      faktErrSet(&p->db->err, FAKT_NOMEM, NULL, "out of memory");
      return FAKT_NOMEM;
    }
    p->ex.nHeap += (int64_t)sizeof(Value)*(nNew - p->nOutAlloc)*(n ? n : 1);
    p->aOut = a;
    p->nOutAlloc = nNew;
    int rc = faktExecCheck(&p->ex);
    if( rc ) return rc;
  }
  memcpy(&p->aOut[(size_t)p->nOut*(size_t)n], aRow, sizeof(Value)*(size_t)n);
  p->nOut++;
  if( p->db->nMaxRows>0 && p->nOut > p->db->nMaxRows ){
    faktErrSet(&p->db->err, FAKT_LIMIT, NULL, "query stopped: more than %lld rows", (long long)p->db->nMaxRows);
    return FAKT_LIMIT;
  }
  return FAKT_OK;
}

/* Distinct check on the projected part; 1 if the row is new. */
static int distinctNew(fakt_stmt *p, const Value *aRow, int *pbNew){
  FindState *fs = p->pDistinct;
  if( fs->distinct.nCol==0 ) fs->distinct.nCol = p->pFind->nProj + p->pFind->nWhy;
  if( rowSetAdd(&p->ex, &fs->distinct, aRow, pbNew)<0 ){
    faktErrSet(&p->db->err, FAKT_NOMEM, NULL, "out of memory");
    return FAKT_NOMEM;
  }
  return *pbNew ? faktExecCheck(&p->ex) : FAKT_OK;
}

/* Evaluate the current registers into aRow and keep the row (unless
** distinct has seen it). */
static int keepRow(fakt_stmt *p, Value *aRow){
  int rc = evalRow(p, aRow);
  if( rc==0 && p->pStmt->bDistinct ){
    int bNew;
    rc = distinctNew(p, aRow, &bNew);
    if( rc==0 && !bNew ) return FAKT_OK;
  }
  return rc ? rc : outAppend(p, aRow);
}

/* Feed one body row into the groups. */
static int groupRow(fakt_stmt *p){
  FindInfo *f = p->pFind;
  FindState *fs = p->pDistinct;
  Exec *ex = &p->ex;
  Value aKey[64];
  int nKey = 0;
  if( f->abProjAgg==NULL ){
    /* which projections aggregate, worked out once per statement */
    f->abProjAgg = faktArenaAlloc(&p->arena, (size_t)f->nProj + 1);
    if( f->abProjAgg==NULL ) return FAKT_NOMEM;
    for(int i=0; i<f->nProj; i++) f->abProjAgg[i] = (uint8_t)isAggExpr(f->apProj[i]);
  }
  for(int i=0; i<f->nProj && nKey<64; i++){
    if( f->abProjAgg[i] ) continue;
    int rc = faktEval(ex, f->apProj[i], &aKey[nKey++]);
    if( rc ) return rc;
  }
  if( fs->groups.nCol==0 && fs->groups.nRow==0 ){
    fs->groups.nCol = nKey;
  }
  int bNew = 0, iG = 0;
  if( nKey>0 || fs->groups.nRow==0 ){     /* without keys there is one group */
    Value dummy;
    memset(&dummy, 0, sizeof(dummy));
    iG = rowSetAdd(ex, &fs->groups, nKey ? aKey : &dummy, &bNew);
  }
  if( iG<0 ) return FAKT_NOMEM;
  if( bNew ){
    if( iG>=fs->nGroupAlloc ){
      int nNew = fs->nGroupAlloc ? fs->nGroupAlloc*2 : 16;
      Group *a = realloc(fs->aGroup, sizeof(Group)*(size_t)nNew);
      if( a==NULL ) return FAKT_NOMEM;
      fs->aGroup = a;
      fs->nGroupAlloc = nNew;
    }
    Group *g = &fs->aGroup[iG];
    g->aReg = malloc(sizeof(Value)*(size_t)(p->nReg ? p->nReg : 1));
    g->aAcc = calloc((size_t)(f->nAgg ? f->nAgg : 1), sizeof(Acc));
    if( g->aReg==NULL || g->aAcc==NULL ) return FAKT_NOMEM;
    memcpy(g->aReg, ex->aReg, sizeof(Value)*(size_t)p->nReg);
  }
  Group *g = &fs->aGroup[iG];
  for(int j=0; j<f->nAgg; j++){
    int rc = accStep(ex, f->apAgg[j], &g->aAcc[j]);
    if( rc ) return rc;
  }
  if( p->db->nMaxRows>0 && fs->groups.nRow > p->db->nMaxRows ){
    faktErrSet(&p->db->err, FAKT_LIMIT, NULL, "query stopped: more than %lld groups", (long long)p->db->nMaxRows);
    return FAKT_LIMIT;
  }
  return FAKT_OK;
}

/* Turn the groups into output rows. */
static int groupsOut(fakt_stmt *p){
  FindInfo *f = p->pFind;
  FindState *fs = p->pDistinct;
  Exec *ex = &p->ex;
  int n = nOutCol(p);
  Value *aRow = calloc((size_t)(n ? n : 1), sizeof(Value));
  Value *aAgg = calloc((size_t)(f->nAgg ? f->nAgg : 1), sizeof(Value));
  int rc = (aRow && aAgg) ? FAKT_OK : FAKT_NOMEM;
  int nKeyProj = 0;
  for(int i=0; i<f->nProj; i++) if( !isAggExpr(f->apProj[i]) ) nKeyProj++;
  if( rc==0 && fs->groups.nRow==0 && nKeyProj==0 ){
    /* no rows and no grouping: one row of empty aggregates */
    Acc *aAcc = calloc((size_t)(f->nAgg ? f->nAgg : 1), sizeof(Acc));
    if( aAcc==NULL ) rc = FAKT_NOMEM;
    for(int j=0; rc==0 && j<f->nAgg; j++) rc = accFinal(ex, f->apAgg[j], &aAcc[j], &aAgg[j]);
    memset(ex->aReg, 0, sizeof(Value)*(size_t)p->nReg);
    ex->aAgg = aAgg;
    if( rc==0 ) rc = evalRow(p, aRow);
    if( rc==0 ) rc = outAppend(p, aRow);
    free(aAcc);
  }
  for(int i=0; rc==0 && i<fs->groups.nRow; i++){
    Group *g = &fs->aGroup[i];
    for(int j=0; rc==0 && j<f->nAgg; j++) rc = accFinal(ex, f->apAgg[j], &g->aAcc[j], &aAgg[j]);
    if( rc ) break;
    memcpy(ex->aReg, g->aReg, sizeof(Value)*(size_t)p->nReg);
    ex->aAgg = aAgg;
    rc = keepRow(p, aRow);
  }
  /* aggregate values are copied into rows; keep aAgg alive for strings */
  ex->aAgg = NULL;
  free(aRow);
  free(aAgg);
  if( rc==FAKT_NOMEM ) faktErrSet(&p->db->err, FAKT_NOMEM, NULL, "out of memory");
  return rc;
}

/* ================================================================ sort */
typedef struct SortCtx { fakt_stmt *p; int rc; } SortCtx;

static int sortCmp(SortCtx *s, const Value *a, const Value *b){
  FindInfo *f = s->p->pFind;
  for(int i=0; i<f->nOrder; i++){
    int k = f->nProj + f->nWhy + i;
    int c = faktValueCmp(&s->p->ex, &a[k], &b[k]);
    if( c ) return f->abDesc[i] ? -c : c;
  }
  return 0;
}

/* Stable merge sort of the output rows (qsort has no context argument in C11). */
static int sortRows(fakt_stmt *p){
  int n = nOutCol(p);
  int nRow = p->nOut;
  if( nRow<2 ) return FAKT_OK;
  size_t nb = sizeof(Value)*(size_t)n;
  Value *aTmp = malloc(nb*(size_t)nRow);
  if( aTmp==NULL ) return FAKT_NOMEM;
  SortCtx s = { p, 0 };
  Value *aSrc = p->aOut, *aDst = aTmp;
  for(int w=1; w<nRow; w*=2){
    for(int lo=0; lo<nRow; lo+=2*w){
      int mid = lo+w<nRow ? lo+w : nRow, hi = lo+2*w<nRow ? lo+2*w : nRow;
      int i = lo, j = mid, k = lo;
      while( i<mid && j<hi ){
        if( sortCmp(&s, &aSrc[(size_t)j*(size_t)n], &aSrc[(size_t)i*(size_t)n])<0 ){
          memcpy(&aDst[(size_t)k++*(size_t)n], &aSrc[(size_t)j++*(size_t)n], nb);
        }else{
          memcpy(&aDst[(size_t)k++*(size_t)n], &aSrc[(size_t)i++*(size_t)n], nb);
        }
      }
      while( i<mid ) memcpy(&aDst[(size_t)k++*(size_t)n], &aSrc[(size_t)i++*(size_t)n], nb);
      while( j<hi ) memcpy(&aDst[(size_t)k++*(size_t)n], &aSrc[(size_t)j++*(size_t)n], nb);
    }
    Value *t = aSrc; aSrc = aDst; aDst = t;
  }
  if( aSrc!=p->aOut ){
    memcpy(p->aOut, aSrc, nb*(size_t)nRow);
    free(aSrc);
  }else{
    free(aDst);
  }
  return s.rc;
}

/* ================================================================ the step */

static int evalCount(fakt_stmt *p, Expr *pE, int64_t *pn, const char *zWhat){
  Value v;
  int rc = faktEval(&p->ex, pE, &v);
  if( rc ) return rc;
  if( v.t!=V_INT || v.u.i<0 ){
    faktErrSet(&p->db->err, FAKT_MISMATCH, &pE->pos, "%s must be a non-negative integer", zWhat);
    return FAKT_MISMATCH;
  }
  *pn = v.u.i;
  return FAKT_OK;
}

/* why: one output row per claim beneath the current body row. */
static int whyRows(fakt_stmt *p, Value *aRow){
  FindInfo *f = p->pFind;
  Exec *ex = &p->ex;
  uint32_t *aWhy = faktRowWhy(ex, p->pPlan);
  if( aWhy==NULL ) return FAKT_NOMEM;
  int rc = FAKT_OK;
  int n = (int)aWhy[0];
  for(int i=0; rc==0 && i<(n ? n : 1); i++){
    Value *w = &aRow[f->nProj];
    memset(w, 0, sizeof(Value)*5);
    ClaimRec r;
    if( n && faktExecClaim(ex, aWhy[i+1], &r)==FAKT_OK ){
      w[0].t = V_ID; w[0].id = aWhy[i+1];
      if( r.source ){ w[1].t = V_ID; w[1].id = r.source; }
      if( r.by ){ w[2].t = V_ID; w[2].id = r.by; }
      w[3].t = V_ID; w[3].id = r.stance;
      if( r.quote ){
        rc = faktExecQuote(ex, &r, &w[4]);
        if( rc ) break;
      }
    }
    if( p->pStmt->bDistinct ){
      int bNew;
      rc = distinctNew(p, aRow, &bNew);
      if( rc || !bNew ) continue;
    }
    rc = outAppend(p, aRow);
  }
  free(aWhy);
  return rc;
}

/*
** find count() [, count() ...] over one pattern: the rows need not be made,
** only counted (faktRunCount). 1 with the output row made, 0 if the query
** is not of that form, or an error code (negated).
*/
static int countOnly(fakt_stmt *p, Value *aRow){
  FindInfo *f = p->pFind;
  Exec *ex = &p->ex;
  if( f->nOrder || f->nWhy || p->pStmt->bDistinct || f->nAgg==0 ) return 0;
  for(int i=0; i<f->nProj; i++) if( !isAggExpr(f->apProj[i]) ) return 0;
  for(int j=0; j<f->nAgg; j++){
    Expr *pA = f->apAgg[j];
    if( strcmp(pA->zName, "count")!=0 || (pA->pArgs && pA->pArgs->n) ) return 0;
  }
  int64_t nRow = 0;
  int rc = faktRunCount(p->pRun, &nRow);
  if( rc<=0 ) return rc;
  Acc *aAcc = calloc((size_t)f->nAgg, sizeof(Acc));
  Value *aAgg = calloc((size_t)f->nAgg, sizeof(Value));
  rc = (aAcc && aAgg) ? FAKT_OK : FAKT_NOMEM;
  for(int j=0; rc==0 && j<f->nAgg; j++){
    aAcc[j].nCount = nRow;
    rc = accFinal(ex, f->apAgg[j], &aAcc[j], &aAgg[j]);
  }
  memset(ex->aReg, 0, sizeof(Value)*(size_t)p->nReg);
  ex->aAgg = aAgg;
  if( rc==0 ) rc = evalRow(p, aRow);
  if( rc==0 ) rc = outAppend(p, aRow);
  ex->aAgg = NULL;
  free(aAcc);
  free(aAgg);
  return rc ? -rc : 1;
}

/* Materialise every row (sort, aggregation, distinct with sort). */
static int materialise(fakt_stmt *p){
  FindInfo *f = p->pFind;
  int n = nOutCol(p);
  Value *aRow = calloc((size_t)(n ? n : 1), sizeof(Value));
  if( aRow==NULL ) return FAKT_NOMEM;
  int rc;
  if( f->bAgg ){
    rc = countOnly(p, aRow);
    if( rc ){
      free(aRow);
      if( rc<0 && -rc==FAKT_NOMEM ) faktErrSet(&p->db->err, FAKT_NOMEM, NULL, "out of memory");
      return rc<0 ? -rc : FAKT_OK;
    }
  }
  for(;;){
    rc = faktRunNext(p->pRun);
    if( rc==FAKT_DONE ){ rc = FAKT_OK; break; }
    if( rc!=FAKT_ROW ) break;
    if( f->bAgg ){
      rc = groupRow(p);
    }else if( f->nWhy ){
      rc = evalRow(p, aRow);
      if( rc==0 ) rc = whyRows(p, aRow);
    }else{
      rc = keepRow(p, aRow);
    }
    if( rc ) break;
  }
  free(aRow);
  if( rc==0 && f->bAgg ) rc = groupsOut(p);
  if( rc==0 && f->nOrder ) rc = sortRows(p);
  if( rc==FAKT_NOMEM ) faktErrSet(&p->db->err, FAKT_NOMEM, NULL, "out of memory");
  return rc;
}

/* Start a find: parameters, limits, the run. */
static int findStart(fakt_stmt *p){
  FindInfo *f = p->pFind;
  Stmt *pS = p->pStmt;
  Exec *ex = &p->ex;
  int rc;
  for(int i=0; i<f->nParam; i++){
    ex->aReg[f->aParamSlot[i]] = p->aParam[i];
  }
  p->nLimit = -1;
  p->nOffset = 0;
  if( pS->pAsOf ){
    int64_t tx;
    rc = evalCount(p, pS->pAsOf, &tx, "as of");
    if( rc ) return rc;
    uint32_t last = faktStoreLastTx(ex->pTxn);
    if( tx > (int64_t)last ){
      faktErrSet(&p->db->err, FAKT_NOTFOUND, &pS->pAsOf->pos,
                 "no transaction %lld (the last is %u)", (long long)tx, last);
      return FAKT_NOTFOUND;
    }
    ex->txSnap = (uint32_t)tx;
    ex->bAsOf = 1;
  }
  /* rule relations of an earlier execution serve this one only if they
  ** were computed whole for the same snapshot (SPEC 11.3) */
  RuleSet *rs = p->pRules;
  ex->bWhy = f->nWhy>0;
  if( rs && (!rs->bKeep || p->db->pTxn || rs->keepSnap!=ex->txSnap || rs->keepLast!=ex->txLast
             || (ex->bWhy && !faktRulesWhyReady(rs))) ){
    faktRulesReset(rs);
    rs->bKeep = 0;
  }
  if( pS->pLimit && (rc = evalCount(p, pS->pLimit, &p->nLimit, "limit"))!=0 ) return rc;
  if( pS->pOffset && (rc = evalCount(p, pS->pOffset, &p->nOffset, "offset"))!=0 ) return rc;
  if( pS->mode==F_SQL ){
    /* explain sql: the translation made at prepare, one row */
    p->nLimit = -1;
    p->nOffset = 0;
    p->aOut = calloc(1, sizeof(Value));
    if( p->aOut==NULL ) return FAKT_NOMEM;
    p->aOut[0].t = V_STR;
    p->aOut[0].z = p->zSqlOut;
    p->aOut[0].n = (int)strlen(p->zSqlOut);
    p->nOut = 1;
    p->bHasRows = 1;
    return FAKT_OK;
  }
  if( pS->mode==F_EXPLAIN ){
    /* the plan is shown whole: limit and offset belong to the query */
    p->nLimit = -1;
    p->nOffset = 0;
    rc = faktExplainRows(p);
    p->bHasRows = 1;
    return rc;
  }
  p->pRun = faktRunNew(ex, p->pPlan, &ex->arena);
  if( p->pRun==NULL ){
    faktErrSet(&p->db->err, FAKT_NOMEM, NULL, "out of memory");
    return FAKT_NOMEM;
  }
  p->pDistinct = calloc(1, sizeof(FindState));
  if( p->pDistinct==NULL ) return FAKT_NOMEM;
  if( f->bAgg || f->nOrder || f->nWhy ){
    rc = materialise(p);
    if( rc ) return rc;
    p->bHasRows = 1;
  }
  return FAKT_OK;
}

/* Produce the next row of a find into p->cols. */
int faktFindStep(fakt_stmt *p){
  FindInfo *f = p->pFind;
  int rc;
  if( p->eState==0 ){
    p->eState = 1;
    rc = findStart(p);
    if( rc ) return rc;
  }
  int nCol = p->pStmt->mode==F_EXPLAIN ? 5 : p->pStmt->mode==F_SQL ? 1 : nOutCol(p);
  for(;;){
    if( p->nLimit>=0 && p->nEmitted>=p->nLimit ) return FAKT_DONE;
    if( p->bHasRows ){
      if( p->iOut>=p->nOut ) return FAKT_DONE;
      Value *aRow = &p->aOut[(size_t)p->iOut++*(size_t)nCol];
      if( p->nSkipped<p->nOffset ){ p->nSkipped++; continue; }
      memcpy(p->cols.aVal, aRow, sizeof(Value)*(size_t)p->cols.n);
    }else{
      rc = faktRunNext(p->pRun);
      if( rc!=FAKT_ROW ) return rc;
      rc = evalRow(p, p->cols.aVal);
      if( rc ) return rc;
      if( p->pStmt->bDistinct ){
        int bNew;
        rc = distinctNew(p, p->cols.aVal, &bNew);
        if( rc ) return rc;
        if( !bNew ) continue;
      }
      if( p->nSkipped<p->nOffset ){ p->nSkipped++; continue; }
    }
    p->nEmitted++;
    (void)f;
    if( p->db->nMaxRows>0 && p->nEmitted > p->db->nMaxRows && !p->bHasRows ){
      faktErrSet(&p->db->err, FAKT_LIMIT, NULL, "query stopped: more than %lld rows", (long long)p->db->nMaxRows);
      return FAKT_LIMIT;
    }
    return FAKT_ROW;
  }
}

/* Forget the execution state (results, runs) so the statement can run again. */
void faktFindReset(fakt_stmt *p){
  if( p->pRun ){ faktRunClose(p->pRun); p->pRun = NULL; }
  findStateFree(p);
  free(p->aOut);
  p->aOut = NULL;
  p->nOut = p->nOutAlloc = p->iOut = 0;
  p->nEmitted = p->nSkipped = 0;
  p->bHasRows = 0;
}
