/*
** sql.c -- `explain sql QUERY;`: a find statement translated to one SQL
** query (PostgreSQL) over the relational schema that fakt_export(db, "sql")
** writes (SPEC.md 14.7).
**
** A variable is bound to three SQL expressions: its value as text (the
** text form of fakt_column_text), its type name (entity, claim, string,
** integer, float, quantity, date, boolean) and its number (for integers,
** floats and quantities; else NULL). Patterns and built-in relations add
** tables to one FROM chain joined with CROSS JOIN; a variable's first
** positive occurrence binds it and every later one adds an equality of
** value and type. `not` is NOT EXISTS over its own tables, `optional` a
** LEFT JOIN LATERAL subquery that returns the variables it binds, rules
** are recursive CTEs (UNION: set semantics, as Datalog's). What has no
** counterpart in the exported data (`~"label"` and named() folding,
** within, match, the claim layer, as of, parameters, why) is an error that
** names the construct.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fakt_int.h"

/* ================================================================ state */

#define NUMNULL "CAST(NULL AS double precision)"   /* no number */

typedef struct SqlBind {
  const char *zName;         /* variable name (no '?') */
  int nName;
  char *zVal, *zType, *zNum; /* SQL expressions (malloc'd) */
} SqlBind;

typedef struct SqlTr SqlTr;
typedef struct SqlCtx SqlCtx;
struct SqlCtx {
  SqlTr *pTr;
  SqlCtx *pOuter;            /* enclosing scope (not, optional) */
  SqlBind *aBind;            /* variables bound in this scope */
  int nBind, nAlloc;
  Str from;                  /* FROM chain */
  Str where;                 /* conditions joined by AND */
  int nFrom;                 /* items in the chain */
};

struct SqlTr {
  fakt *db;
  StoreTxn *pTxn;            /* the read transaction of the prepare */
  RuleSet *pRules;
  int nAlias;                /* next table alias number */
  int rc;                    /* first error */
  char *zErr;
  Pos pos;                   /* where it is */
  unsigned char *aRuleState; /* per relation: 0 not yet, 1 being made, 2 made */
  int iRuleCur;              /* relation whose body is being translated, -1 */
  int nSelfRef;              /* uses of iRuleCur in the current body */
  Str with;                  /* the CTEs made so far */
  int nWith;
};

static char *dupz(const char *z){ return z ? strdup(z) : NULL; }

static int trErr(SqlTr *t, const Pos *pPos, const char *zFmt, ...) __attribute__((format(printf, 3, 4)));
static int trErr(SqlTr *t, const Pos *pPos, const char *zFmt, ...){
  if( t->rc ) return t->rc;
  va_list ap;
  Str s = {0};
  char zBuf[600];
  va_start(ap, zFmt);
  vsnprintf(zBuf, sizeof(zBuf), zFmt, ap);
  va_end(ap);
  faktStrPuts(&s, zBuf);
  t->zErr = s.z ? s.z : strdup("out of memory");
  t->rc = FAKT_ERROR;
  if( pPos ) t->pos = *pPos;
  return t->rc;
}

static void ctxInit(SqlCtx *c, SqlTr *t, SqlCtx *pOuter){
  memset(c, 0, sizeof(*c));
  c->pTr = t;
  c->pOuter = pOuter;
}

static void ctxFree(SqlCtx *c){
  for(int i=0; i<c->nBind; i++){
    free(c->aBind[i].zVal); free(c->aBind[i].zType); free(c->aBind[i].zNum);
  }
  free(c->aBind);
  faktStrFree(&c->from);
  faktStrFree(&c->where);
}

static SqlBind *findBind(SqlCtx *c, const char *z, int n){
  for(; c; c=c->pOuter){
    for(int i=0; i<c->nBind; i++){
      if( c->aBind[i].nName==n && memcmp(c->aBind[i].zName, z, (size_t)n)==0 ) return &c->aBind[i];
    }
  }
  return NULL;
}

static void addBind(SqlCtx *c, const char *z, int n, const char *zVal, const char *zType, const char *zNum){
  if( c->nBind>=c->nAlloc ){
    int nNew = c->nAlloc ? c->nAlloc*2 : 8;
    SqlBind *a = realloc(c->aBind, sizeof(SqlBind)*(size_t)nNew);
    if( a==NULL ){ trErr(c->pTr, NULL, "out of memory"); return; }
    c->aBind = a;
    c->nAlloc = nNew;
  }
  SqlBind *b = &c->aBind[c->nBind++];
  b->zName = z; b->nName = n;
  b->zVal = dupz(zVal); b->zType = dupz(zType); b->zNum = dupz(zNum ? zNum : NUMNULL);
}

static void addWhere(SqlCtx *c, const char *zCond){
  if( c->where.n ) faktStrPuts(&c->where, " AND ");
  faktStrPuts(&c->where, zCond);
}

/* Append a table to the FROM chain; returns its alias number. */
static int addFrom(SqlCtx *c, const char *zTable, char cPrefix){
  int i = c->pTr->nAlias++;
  if( c->nFrom ) faktStrPuts(&c->from, " CROSS JOIN ");
  faktStrPrintf(&c->from, "%s %c%d", zTable, cPrefix, i);
  c->nFrom++;
  return i;
}

/* A SQL string literal of z (quotes doubled) appended to s. */
static void sqlStr(Str *s, const char *z, int n){
  faktStrAppend(s, "'", 1);
  for(int i=0; i<n; i++){
    if( z[i]=='\'' ) faktStrAppend(s, "''", 2);
    else faktStrAppend(s, &z[i], 1);
  }
  faktStrAppend(s, "'", 1);
}

/* A SQL identifier: "name" with quotes doubled. */
static void sqlIdent(Str *s, const char *z){
  faktStrAppend(s, "\"", 1);
  for(; *z; z++){
    if( *z=='"' ) faktStrAppend(s, "\"\"", 2);
    else faktStrAppend(s, z, 1);
  }
  faktStrAppend(s, "\"", 1);
}

/* The text form of date constant e. */
static void dateText(const Expr *e, char *z, size_t n){
  int y, m, d, prec;
  faktDateUnpack((uint64_t)e->iVal, &y, &m, &d, &prec);
  if( prec<=1 ) snprintf(z, n, "%04d", y);
  else if( prec==2 ) snprintf(z, n, "%04d-%02d", y, m);
  else snprintf(z, n, "%04d-%02d-%02d", y, m, d);
}

#define NUMTYPES "('integer','float')"

/* ================================================================ terms */

/* The name of a construct that cannot be translated, or NULL. */
static const char *untranslatable(const Expr *e){
  switch( e->op ){
    case E_PARAM: return "a parameter";
    case E_LABEL: return "~\"label\" (lookup by folded label or alias)";
    case E_NULL: return NULL;
    default: return NULL;
  }
}

/*
** The condition "the value (zVal, zType, zNum) equals constant e", in s.
** 1 if e is a constant, 0 if not (nothing written).
*/
/*
** ~"label" was resolved to one entity when the statement was prepared
** (SPEC 11.4): the copy of e as that entity's id, in *pOut. 0 if it was not.
*/
static int labelAsId(SqlTr *t, const Expr *e, Expr *pOut){
  char aGen[FAKT_GEN_NAME];
  const char *zN;
  int nN, rc;
  Value v;
  Compile cp;
  Arena a;
  FaktErr err;
  if( e->op!=E_LABEL || t->pTxn==NULL ) return 0;
  /* the resolver keeps the entity in pAux only for some positions: look
  ** the label up again, the same way (ambiguous: an error, as in fakt) */
  faktArenaInit(&a);
  memset(&err, 0, sizeof(err));
  memset(&v, 0, sizeof(v));
  faktCompileInit(&cp, t->db, t->pTxn, &a, NULL, &err);
  rc = faktResolveConst(&cp, (Expr*)e, &v);
  faktCompileFree(&cp);
  faktArenaFree(&a);
  free(err.zMsg);
  if( rc || v.t!=V_ID ) return 0;
  if( faktIdName(t->pTxn, v.id, aGen, &zN, &nN) || zN==aGen ) return 0;
  *pOut = *e;
  pOut->op = E_ID;
  pOut->zName = zN;
  pOut->nName = nN;
  return 1;
}

static int constCond(SqlTr *t, Str *s, const Expr *e, const char *zVal, const char *zType, const char *zNum){
  char z[64];
  Expr lab;
  if( labelAsId(t, e, &lab) ) e = &lab;
  const char *zWhy = untranslatable(e);
  if( zWhy ){ trErr(t, &e->pos, "explain sql: %s cannot be translated to SQL", zWhy); return 1; }
  switch( e->op ){
    case E_ID:
      faktStrPrintf(s, "(%s = ", zVal);
      sqlStr(s, e->zName, e->nName);
      faktStrPrintf(s, " AND %s IN ('entity','claim'))", zType);
      return 1;
    case E_STR:
      faktStrPrintf(s, "(%s = ", zVal);
      sqlStr(s, e->zName, e->nName);
      faktStrPrintf(s, " AND %s = 'string')", zType);
      return 1;
    case E_INT:
      faktStrPrintf(s, "(%s = %lld AND %s IN " NUMTYPES ")", zNum, (long long)e->iVal, zType);
      return 1;
    case E_FLOAT:
      faktStrPrintf(s, "(%s = %.17g AND %s IN " NUMTYPES ")", zNum, e->rVal, zType);
      return 1;
    case E_QTY:
      faktStrPrintf(s, "(%s = %.17g AND %s = 'quantity' AND %s LIKE ", zNum, e->rVal, zType, zVal);
      snprintf(z, sizeof(z), "%% %s", e->zUnit ? e->zUnit : "");
      sqlStr(s, z, (int)strlen(z));
      faktStrPuts(s, ")");
      return 1;
    case E_DATE:
      dateText(e, z, sizeof(z));
      faktStrPrintf(s, "(%s = '%s' AND %s = 'date')", zVal, z, zType);
      return 1;
    case E_BOOL:
      faktStrPrintf(s, "(%s = '%s' AND %s = 'boolean')", zVal, e->iVal ? "true" : "false", zType);
      return 1;
    case E_NULL:
      faktStrPuts(s, "FALSE");
      return 1;
    default:
      return 0;
  }
}

/*
** Term e at a column whose value, type and number are zVal, zType, zNum:
** binds a new variable, or adds the equality with a bound one or a
** constant.
*/
static void termAt(SqlCtx *c, const Expr *e, const char *zVal, const char *zType, const char *zNum){
  SqlTr *t = c->pTr;
  if( t->rc ) return;
  if( e->op==E_VAR ){
    SqlBind *b = findBind(c, e->zName, e->nName);
    if( b==NULL ){
      addBind(c, e->zName, e->nName, zVal, zType, zNum);
    }else{
      Str s = {0};
      if( strcmp(b->zType, zType)==0 && zType[0]=='\'' ){
        faktStrPrintf(&s, "%s = %s", b->zVal, zVal);     /* one constant type */
      }else{
        faktStrPrintf(&s, "(%s = %s AND %s = %s)", b->zVal, zVal, b->zType, zType);
      }
      addWhere(c, s.z);
      faktStrFree(&s);
    }
    return;
  }
  Str s = {0};
  if( constCond(t, &s, e, zVal, zType, zNum) ){
    if( s.z ) addWhere(c, s.z);
  }else{
    trErr(t, &e->pos, "explain sql: this term cannot be translated to SQL");
  }
  faktStrFree(&s);
}

/* ================================================================ expressions */

typedef struct SqlExpr {
  Str val, type, num;        /* SQL expressions */
  int bAgg;                  /* contains an aggregate */
} SqlExpr;

static void sxFree(SqlExpr *x){ faktStrFree(&x->val); faktStrFree(&x->type); faktStrFree(&x->num); }

static void exprSql(SqlCtx *c, const Expr *e, SqlExpr *x);

/* the sort key of a value: rank of its type (SPEC 5.4), number, text */
static void sortKey(Str *s, const char *zVal, const char *zType, const char *zNum, int bDesc){
  const char *zDir = bDesc ? " DESC NULLS LAST" : " NULLS FIRST";
  faktStrPrintf(s, "CASE WHEN %s IS NULL THEN 0 WHEN %s = 'boolean' THEN 1 WHEN %s IN " NUMTYPES
                   " THEN 2 WHEN %s = 'quantity' THEN 3 WHEN %s = 'date' THEN 4 WHEN %s = 'string'"
                   " THEN 5 ELSE 6 END%s, %s%s, %s COLLATE \"C\"%s",
                zVal, zType, zType, zType, zType, zType, zDir, zNum, zDir, zVal, zDir);
}

/* A numeric expression x (type float or integer). */
static void numeric(SqlExpr *x, const char *zNum, const char *zType){
  faktStrPuts(&x->num, zNum);
  faktStrPrintf(&x->val, "CAST(%s AS text)", zNum);
  faktStrPuts(&x->type, zType);
}

static void aggSql(SqlCtx *c, const Expr *e, SqlExpr *x){
  SqlTr *t = c->pTr;
  int nArg = e->pArgs ? e->pArgs->n : 0;
  x->bAgg = 1;
  if( strcmp(e->zName, "count")==0 && nArg==0 ){
    numeric(x, "count(*)", "'integer'");
    return;
  }
  if( nArg!=1 || strcmp(e->zName, "list")==0 ){
    trErr(t, &e->pos, "explain sql: the aggregate %s() cannot be translated to SQL", e->zName);
    return;
  }
  SqlExpr a;
  memset(&a, 0, sizeof(a));
  exprSql(c, e->pArgs->a[0].p, &a);
  if( t->rc ){ sxFree(&a); return; }
  Str s = {0};
  if( strcmp(e->zName, "count")==0 ){
    if( e->bDistinct ) faktStrPrintf(&s, "count(DISTINCT %s || '|' || %s)", a.type.z, a.val.z);
    else faktStrPrintf(&s, "count(%s)", a.val.z);
    numeric(x, s.z, "'integer'");
  }else if( strcmp(e->zName, "sum")==0 || strcmp(e->zName, "avg")==0 ){
    const char *zD = e->bDistinct ? "DISTINCT " : "";
    faktStrPrintf(&s, "%s(%s%s)", e->zName, zD, a.num.z);
    if( strcmp(e->zName, "sum")==0 ){
      Str ty = {0};
      faktStrPrintf(&ty, "CASE WHEN bool_and(%s = 'integer') THEN 'integer' ELSE 'float' END", a.type.z);
      numeric(x, s.z, ty.z);
      faktStrFree(&ty);
    }else{
      numeric(x, s.z, "'float'");
    }
  }else{
    /* min, max: the first value in the total order of SPEC 5.4 */
    int bMax = strcmp(e->zName, "max")==0;
    Str k = {0};
    sortKey(&k, a.val.z, a.type.z, a.num.z, bMax);
    faktStrPrintf(&x->val, "(array_agg(CAST(%s AS text) ORDER BY %s) FILTER (WHERE %s IS NOT NULL))[1]", a.val.z, k.z, a.val.z);
    faktStrPrintf(&x->type, "(array_agg(CAST(%s AS text) ORDER BY %s) FILTER (WHERE %s IS NOT NULL))[1]", a.type.z, k.z, a.val.z);
    faktStrPrintf(&x->num, "(array_agg(CAST(%s AS double precision) ORDER BY %s) FILTER (WHERE %s IS NOT NULL))[1]", a.num.z, k.z, a.val.z);
    faktStrFree(&k);
  }
  faktStrFree(&s);
  sxFree(&a);
}

/* Great-circle distance in km between the entities a and b (haversine,
** R = 6371.0088 km, SPEC 8.3); NULL if either has no coordinates. */
static void distanceSql(Str *s, const SqlExpr *a, const SqlExpr *b){
  faktStrPrintf(s, "(SELECT 2 * 6371.0088 * asin(least(1, sqrt(power(sin(radians(g2.lat - g1.lat) / 2), 2)"
                   " + cos(radians(g1.lat)) * cos(radians(g2.lat)) * power(sin(radians(g2.lon - g1.lon) / 2), 2))))"
                   " FROM entities g1, entities g2 WHERE g1.id = %s AND %s = 'entity' AND g2.id = %s AND %s = 'entity')",
                a->val.z, a->type.z, b->val.z, b->type.z);
}

static void callSql(SqlCtx *c, const Expr *e, SqlExpr *x){
  SqlTr *t = c->pTr;
  int nArg = e->pArgs ? e->pArgs->n : 0;
  SqlExpr a[2];
  memset(a, 0, sizeof(a));
  for(int i=0; i<nArg && i<2; i++) exprSql(c, e->pArgs->a[i].p, &a[i]);
  if( t->rc ) goto done;
  const char *z = e->zName;
  if( (strcmp(z, "lower")==0 || strcmp(z, "upper")==0) && nArg==1 ){
    faktStrPrintf(&x->val, "CASE WHEN %s = 'string' THEN %s(%s) END", a[0].type.z, z, a[0].val.z);
    faktStrPuts(&x->type, "'string'");
    faktStrPuts(&x->num, NUMNULL);
  }else if( strcmp(z, "length")==0 && nArg==1 ){
    Str s = {0};
    faktStrPrintf(&s, "CASE WHEN %s = 'string' THEN char_length(%s) END", a[0].type.z, a[0].val.z);
    numeric(x, s.z, "'integer'");
    faktStrFree(&s);
  }else if( (strcmp(z, "year")==0 || strcmp(z, "month")==0 || strcmp(z, "day")==0) && nArg==1 ){
    int iOff = z[0]=='y' ? 1 : z[0]=='m' ? 6 : 9, nLen = z[0]=='y' ? 4 : 2;
    Str s = {0};
    faktStrPrintf(&s, "CASE WHEN %s = 'date' AND char_length(%s) >= %d THEN CAST(substr(%s, %d, %d) AS integer) END",
                  a[0].type.z, a[0].val.z, iOff+nLen-1, a[0].val.z, iOff, nLen);
    numeric(x, s.z, "'integer'");
    faktStrFree(&s);
  }else if( strcmp(z, "value")==0 && nArg==1 ){
    numeric(x, a[0].num.z, "'float'");
  }else if( strcmp(z, "round")==0 && (nArg==1 || nArg==2) ){
    Str s = {0};
    faktStrPrintf(&s, "CAST(round(CAST(%s AS numeric), %s) AS double precision)",
                  a[0].num.z, nArg==2 ? a[1].num.z : "0");
    numeric(x, s.z, "'float'");
    faktStrFree(&s);
  }else if( strcmp(z, "distance")==0 && nArg==2 ){
    Str s = {0};
    distanceSql(&s, &a[0], &a[1]);
    numeric(x, s.z, "'float'");
    faktStrFree(&s);
  }else if( strcmp(z, "label")==0 && nArg==1 ){
    faktStrPrintf(&x->val, "(SELECT o.label FROM objects o WHERE o.id = %s AND %s = 'entity')", a[0].val.z, a[0].type.z);
    faktStrPuts(&x->type, "'string'");
    faktStrPuts(&x->num, NUMNULL);
  }else{
    trErr(t, &e->pos, "explain sql: the function %s() cannot be translated to SQL", z);
  }
done:
  sxFree(&a[0]); sxFree(&a[1]);
}

static void exprSql(SqlCtx *c, const Expr *e, SqlExpr *x){
  SqlTr *t = c->pTr;
  char z[64];
  Expr lab;
  if( t->rc ) return;
  if( labelAsId(t, e, &lab) ) e = &lab;
  switch( e->op ){
    case E_VAR: {
      SqlBind *b = findBind(c, e->zName, e->nName);
      if( b==NULL ){
        trErr(t, &e->pos, "explain sql: ?%.*s is not bound by a pattern or relation", e->nName, e->zName);
        return;
      }
      faktStrPuts(&x->val, b->zVal);
      faktStrPuts(&x->type, b->zType);
      faktStrPuts(&x->num, b->zNum);
      return;
    }
    case E_ID:
      sqlStr(&x->val, e->zName, e->nName);
      faktStrPuts(&x->type, "'entity'");
      faktStrPuts(&x->num, NUMNULL);
      return;
    case E_STR:
      sqlStr(&x->val, e->zName, e->nName);
      faktStrPuts(&x->type, "'string'");
      faktStrPuts(&x->num, NUMNULL);
      return;
    case E_INT:
      snprintf(z, sizeof(z), "%lld", (long long)e->iVal);
      faktStrPrintf(&x->val, "'%s'", z);
      faktStrPuts(&x->type, "'integer'");
      faktStrPuts(&x->num, z);
      return;
    case E_FLOAT:
      snprintf(z, sizeof(z), "%.17g", e->rVal);
      faktStrPrintf(&x->val, "'%s'", z);
      faktStrPuts(&x->type, "'float'");
      faktStrPrintf(&x->num, "CAST(%s AS double precision)", z);
      return;
    case E_DATE:
      dateText(e, z, sizeof(z));
      faktStrPrintf(&x->val, "'%s'", z);
      faktStrPuts(&x->type, "'date'");
      faktStrPuts(&x->num, NUMNULL);
      return;
    case E_BOOL:
      faktStrPrintf(&x->val, "'%s'", e->iVal ? "true" : "false");
      faktStrPuts(&x->type, "'boolean'");
      faktStrPuts(&x->num, NUMNULL);
      return;
    case E_NULL:
      faktStrPuts(&x->val, "CAST(NULL AS text)");
      faktStrPuts(&x->type, "CAST(NULL AS text)");
      faktStrPuts(&x->num, "CAST(NULL AS double precision)");
      return;
    case E_NEG: {
      SqlExpr a;
      memset(&a, 0, sizeof(a));
      exprSql(c, e->pLeft, &a);
      if( t->rc==0 ){
        Str s = {0};
        faktStrPrintf(&s, "(-%s)", a.num.z);
        numeric(x, s.z, a.type.z);
        faktStrFree(&s);
        x->bAgg = a.bAgg;
      }
      sxFree(&a);
      return;
    }
    case E_ADD: case E_SUB: case E_MUL: case E_DIV: case E_MOD: {
      SqlExpr a, b;
      memset(&a, 0, sizeof(a)); memset(&b, 0, sizeof(b));
      exprSql(c, e->pLeft, &a);
      exprSql(c, e->pRight, &b);
      if( t->rc==0 ){
        Str s = {0}, ty = {0};
        /* integers stay integers (division truncates toward zero, as
        ** trunc() does); anything else is a float */
        faktStrPrintf(&ty, "CASE WHEN %s = 'integer' AND %s = 'integer' THEN 'integer' ELSE 'float' END", a.type.z, b.type.z);
        switch( e->op ){
          case E_ADD: faktStrPrintf(&s, "(%s + %s)", a.num.z, b.num.z); break;
          case E_SUB: faktStrPrintf(&s, "(%s - %s)", a.num.z, b.num.z); break;
          case E_MUL: faktStrPrintf(&s, "(%s * %s)", a.num.z, b.num.z); break;
          case E_DIV:
            faktStrPrintf(&s, "CASE WHEN %s = 0 THEN NULL WHEN %s = 'integer' AND %s = 'integer' THEN trunc(CAST(%s AS double precision) / %s) ELSE CAST(%s AS double precision) / %s END",
                          b.num.z, a.type.z, b.type.z, a.num.z, b.num.z, a.num.z, b.num.z);
            break;
          default:
            faktStrPrintf(&s, "CAST(mod(CAST(%s AS numeric), NULLIF(CAST(%s AS numeric), 0)) AS double precision)", a.num.z, b.num.z);
            break;
        }
        numeric(x, s.z, ty.z);
        faktStrFree(&s); faktStrFree(&ty);
        x->bAgg = a.bAgg || b.bAgg;
      }
      sxFree(&a); sxFree(&b);
      return;
    }
    case E_AGG:
      aggSql(c, e, x);
      return;
    case E_CALL:
      callSql(c, e, x);
      return;
    default: {
      const char *zWhy = untranslatable(e);
      trErr(t, &e->pos, "explain sql: %s cannot be translated to SQL", zWhy ? zWhy : "this expression");
      return;
    }
  }
}

/* ================================================================ literals */

static void bodySql(SqlCtx *c, const Body *pBody);

/* A comparison literal. */
static void cmpSql(SqlCtx *c, const Expr *e){
  SqlTr *t = c->pTr;
  const Expr *l = e->pLeft, *r = e->pRight;
  /* ?x = EXPR with ?x unbound: an assignment */
  if( e->op==E_EQ && l->op==E_VAR && findBind(c, l->zName, l->nName)==NULL ){
    SqlExpr b;
    memset(&b, 0, sizeof(b));
    exprSql(c, r, &b);
    if( t->rc==0 ) addBind(c, l->zName, l->nName, b.val.z, b.type.z, b.num.z);
    sxFree(&b);
    return;
  }
  SqlExpr a, b;
  memset(&a, 0, sizeof(a)); memset(&b, 0, sizeof(b));
  exprSql(c, l, &a);
  exprSql(c, r, &b);
  Str s = {0};
  if( t->rc ) goto done;
  if( e->op==E_EQ || e->op==E_NE ){
    /* SPEC 5.3: numbers by value, others by type and text */
    faktStrPrintf(&s, "%s((%s IN " NUMTYPES " AND %s IN " NUMTYPES " AND %s = %s) OR "
                      "(NOT (%s IN " NUMTYPES ") AND %s = %s AND %s = %s))",
                  e->op==E_NE ? "NOT " : "", a.type.z, b.type.z, a.num.z, b.num.z,
                  a.type.z, a.type.z, b.type.z, a.val.z, b.val.z);
    if( e->op==E_NE ){
      /* a null operand makes != false too */
      Str s2 = {0};
      faktStrPrintf(&s2, "(%s IS NOT NULL AND %s IS NOT NULL AND %s)", a.val.z, b.val.z, s.z);
      faktStrFree(&s);
      s = s2;
    }
  }else{
    /* SPEC 5.4 and 6.2: numbers by value, quantities of one unit by
    ** number, strings bytewise, dates by interval ("a < b": a ends
    ** before b starts, which for ISO texts is a < b's prefix of a's
    ** length); other pairs never hold (fakt: a type error) */
    const char *zOp = e->op==E_LT ? "<" : e->op==E_LE ? "<=" : e->op==E_GT ? ">" : ">=";
    int bSwap = e->op==E_GT || e->op==E_LE;  /* date test on b < a */
    int bNot = e->op==E_LE || e->op==E_GE;
    const SqlExpr *p1 = bSwap ? &b : &a, *p2 = bSwap ? &a : &b;
    faktStrPrintf(&s, "((%s IN " NUMTYPES " AND %s IN " NUMTYPES " AND %s %s %s) OR "
                      "(%s = 'quantity' AND %s = 'quantity' AND substr(%s, strpos(%s, ' ')) = substr(%s, strpos(%s, ' ')) AND %s %s %s) OR "
                      "(%s = 'string' AND %s = 'string' AND %s COLLATE \"C\" %s %s) OR "
                      "(%s = 'boolean' AND %s = 'boolean' AND %s %s %s) OR "
                      "(%s = 'date' AND %s = 'date' AND %s(%s COLLATE \"C\" < substr(%s, 1, char_length(%s)))))",
                  a.type.z, b.type.z, a.num.z, zOp, b.num.z,
                  a.type.z, b.type.z, a.val.z, a.val.z, b.val.z, b.val.z, a.num.z, zOp, b.num.z,
                  a.type.z, b.type.z, a.val.z, zOp, b.val.z,
                  a.type.z, b.type.z, a.val.z, zOp, b.val.z,
                  a.type.z, b.type.z, bNot ? "NOT " : "", p1->val.z, p2->val.z, p1->val.z);
  }
  addWhere(c, s.z);
done:
  faktStrFree(&s);
  sxFree(&a); sxFree(&b);
}

/* One built-in relation over a table: the table, the column the first
** argument matches, and the columns (value, type) of the others. */
typedef struct SqlRel {
  const char *zName;
  int nArg;
  const char *zTable;
  char cPrefix;
  const char *zKey, *zKeyType;     /* first argument: column, its type */
  const char *azCol[2];            /* further arguments */
  const char *azType[2];
  const char *azNum[2];
} SqlRel;

static const SqlRel aRel[] = {
  { "source",   2, "claims",    'k', "id", "'claim'", { "source" }, { "'entity'" }, { 0 } },
  { "by",       2, "claims",    'k', "id", "'claim'", { "attributed_to" }, { "'entity'" }, { 0 } },
  { "stance",   2, "claims",    'k', "id", "'claim'", { "stance" }, { "'entity'" }, { 0 } },
  { "holds",    2, "claims",    'k', "id", "'claim'", { "holds" }, { "'date'" }, { 0 } },
  { "until",    2, "claims",    'k', "id", "'claim'", { "holds_until" }, { "'date'" }, { 0 } },
  { "said",     2, "claims",    'k', "id", "'claim'", { "said" }, { "'date'" }, { 0 } },
  { "quote",    2, "claims",    'k', "id", "'claim'", { "quote" }, { "'string'" }, { 0 } },
  { "recorded", 2, "claims",    'k', "id", "'claim'", { "CAST(%s.recorded AS text)" }, { "'integer'" }, { "recorded" } },
  { "via",      2, "claim_via", 'v', "claim", "'claim'", { "entity" }, { "'entity'" }, { 0 } },
  { "published",2, "sources",   's', "id", "'entity'", { "published" }, { "'date'" }, { 0 } },
  { "outlet",   2, "sources",   's', "id", "'entity'", { "outlet" }, { "'entity'" }, { 0 } },
  { "title",    2, "sources",   's', "id", "'entity'", { "title" }, { "'string'" }, { 0 } },
  { "type",     2, "objects",   'e', "id", "'entity'", { "type" }, { "'entity'" }, { 0 } },
  { "label",    2, "objects",   'e', "id", "'entity'", { "label" }, { "'string'" }, { 0 } },
  { "alias",    2, "aliases",   'a', "entity", "'entity'", { "alias" }, { "'string'" }, { 0 } },
  { "coords",   3, "entities",  'e', "id", "'entity'", { "CAST(%s.lat AS text)", "CAST(%s.lon AS text)" },
                                 { "'float'", "'float'" }, { "lat", "lon" } },
  { "predicate",1, "predicates",'p', "id", "'entity'", { 0 }, { 0 }, { 0 } },
  { "single",   1, "predicates",'p', "id", "'entity'", { 0 }, { 0 }, { 0 } },
};

/* Column zCol of alias zA: "zA.zCol", or zCol with %s replaced by zA. */
static void colRef(Str *s, const char *zA, const char *zCol){
  if( strchr(zCol, '%') ) faktStrPrintf(s, zCol, zA, zA);
  else faktStrPrintf(s, "%s.%s", zA, zCol);
}

static void ruleCte(SqlTr *t, int iRel, const Pos *pPos);

/* A call of a rule: its CTE (unless it is the rule being defined) joined in. */
static void relRuleSql(SqlCtx *c, const Expr *e, int iRel){
  SqlTr *t = c->pTr;
  int nArg = e->pArgs ? e->pArgs->n : 0;
  const char *z = e->zName;
  char zA[32];
  const Relation *r = &t->pRules->aRel[iRel];
  if( nArg!=r->nArity ){ trErr(t, &e->pos, "explain sql: %s takes %d arguments", z, r->nArity); return; }
  if( iRel==t->iRuleCur ){
    t->nSelfRef++;
  }else{
    ruleCte(t, iRel, &e->pos);
    if( t->rc ) return;
  }
  Str tab = {0};
  sqlIdent(&tab, r->zName);
  int i = addFrom(c, tab.z, 'r');
  faktStrFree(&tab);
  snprintf(zA, sizeof(zA), "r%d", i);
  for(int j=0; j<nArg && t->rc==0; j++){
    char zV[48], zT[48], zN[48];
    snprintf(zV, sizeof(zV), "%s.v%d", zA, j);
    snprintf(zT, sizeof(zT), "%s.t%d", zA, j);
    snprintf(zN, sizeof(zN), "%s.n%d", zA, j);
    termAt(c, e->pArgs->a[j].p, zV, zT, zN);
  }
}

/* within(P, Center, Km): places P (with coordinates) within Km of Center. */
static void relWithinSql(SqlCtx *c, const Expr *e){
  SqlTr *t = c->pTr;
  /* places P (with coordinates) within Km of Center: P ranges over entities */
  SqlExpr ctr, km, pl;
  memset(&ctr, 0, sizeof(ctr)); memset(&km, 0, sizeof(km)); memset(&pl, 0, sizeof(pl));
  exprSql(c, e->pArgs->a[1].p, &ctr);
  exprSql(c, e->pArgs->a[2].p, &km);
  if( t->rc==0 ){
    int i = addFrom(c, "entities", 'g');
    char zV[32];
    snprintf(zV, sizeof(zV), "g%d.id", i);
    termAt(c, e->pArgs->a[0].p, zV, "'entity'", NULL);
    faktStrPrintf(&pl.val, "%s", zV);
    faktStrPuts(&pl.type, "'entity'");
    faktStrPuts(&pl.num, NUMNULL);
    Str s = {0}, d = {0};
    distanceSql(&d, &pl, &ctr);
    faktStrPrintf(&s, "g%d.lat IS NOT NULL AND %s <= %s", i, d.z, km.num.z);
    addWhere(c, s.z);
    faktStrFree(&s); faktStrFree(&d);
  }
  sxFree(&ctr); sxFree(&km); sxFree(&pl);
}

/* during(A, B), SPEC 6.2: the interval of A lies within that of B. */
static void relDuringSql(SqlCtx *c, const Expr *e){
  SqlTr *t = c->pTr;
  /* SPEC 6.2: the interval of a lies within that of b */
  SqlExpr a, b;
  memset(&a, 0, sizeof(a)); memset(&b, 0, sizeof(b));
  exprSql(c, e->pArgs->a[0].p, &a);
  exprSql(c, e->pArgs->a[1].p, &b);
  if( t->rc==0 ){
    Str s = {0};
    faktStrPrintf(&s, "(%s = 'date' AND %s = 'date' AND char_length(%s) >= char_length(%s) AND substr(%s, 1, char_length(%s)) = %s)",
                  a.type.z, b.type.z, a.val.z, b.val.z, a.val.z, b.val.z, b.val.z);
    addWhere(c, s.z);
    faktStrFree(&s);
  }
  sxFree(&a); sxFree(&b);
}

/* starts_with(A, B) and ends_with(A, B) on strings. */
static void relAffixSql(SqlCtx *c, const Expr *e){
  SqlTr *t = c->pTr;
  const char *z = e->zName;
  SqlExpr a, b;
  memset(&a, 0, sizeof(a)); memset(&b, 0, sizeof(b));
  exprSql(c, e->pArgs->a[0].p, &a);
  exprSql(c, e->pArgs->a[1].p, &b);
  if( t->rc==0 ){
    Str s = {0};
    if( z[0]=='s' ){
      faktStrPrintf(&s, "(%s = 'string' AND %s = 'string' AND substr(%s, 1, char_length(%s)) = %s)",
                    a.type.z, b.type.z, a.val.z, b.val.z, b.val.z);
    }else{
      faktStrPrintf(&s, "(%s = 'string' AND %s = 'string' AND char_length(%s) >= char_length(%s) AND "
                        "substr(%s, char_length(%s) - char_length(%s) + 1) = %s)",
                    a.type.z, b.type.z, a.val.z, b.val.z, a.val.z, a.val.z, b.val.z, b.val.z);
    }
    addWhere(c, s.z);
    faktStrFree(&s);
  }
  sxFree(&a); sxFree(&b);
}

/* A built-in relation that is a table of the exported schema (aRel). */
static void relTableSql(SqlCtx *c, const Expr *e, const SqlRel *p){
  SqlTr *t = c->pTr;
  int nArg = e->pArgs ? e->pArgs->n : 0;
  const char *z = e->zName;
  char zA[32];
  if( nArg!=p->nArg ){ trErr(t, &e->pos, "explain sql: %s takes %d arguments", z, p->nArg); return; }
  Str v = {0}, ty = {0}, n = {0};
  const Expr *pC = e->pArgs->a[0].p;
  const SqlBind *b = pC->op==E_VAR ? findBind(c, pC->zName, pC->nName) : NULL;
  size_t nb = b ? strlen(b->zVal) : 0;
  if( strcmp(p->zTable, "claims")==0 && nb>3 && strcmp(b->zVal+nb-3, ".id")==0
   && (b->zVal[0]=='c' || b->zVal[0]=='k') && nb-3<sizeof(zA) ){
    /* the claim is a row of claims already: read its columns there */
    memcpy(zA, b->zVal, nb-3);
    zA[nb-3] = 0;
  }else{
    int i = addFrom(c, p->zTable, p->cPrefix);
    snprintf(zA, sizeof(zA), "%c%d", p->cPrefix, i);
    faktStrPrintf(&v, "%s.%s", zA, p->zKey);
    termAt(c, pC, v.z, p->zKeyType, NULL);
  }
  if( strcmp(z, "single")==0 ){
    faktStrReset(&v);
    faktStrPrintf(&v, "%s.single", zA);
    addWhere(c, v.z);
  }
  for(int j=1; j<nArg && t->rc==0; j++){
    faktStrReset(&v); faktStrReset(&ty); faktStrReset(&n);
    colRef(&v, zA, p->azCol[j-1]);
    if( p->azNum[j-1] ) colRef(&n, zA, p->azNum[j-1]); else faktStrPuts(&n, NUMNULL);
    Str nn = {0};
    faktStrPrintf(&nn, "%s IS NOT NULL", v.z);
    addWhere(c, nn.z);
    faktStrFree(&nn);
    termAt(c, e->pArgs->a[j].p, v.z, p->azType[j-1], n.z);
  }
  faktStrFree(&v); faktStrFree(&ty); faktStrFree(&n);
}

/* A relation in a body: a rule's, a built-in one, or an error naming it. */
static void relSql(SqlCtx *c, const Expr *e){
  SqlTr *t = c->pTr;
  int nArg = e->pArgs ? e->pArgs->n : 0;
  const char *z = e->zName;
  /* rules first: a rule may not shadow a built-in, but be safe */
  int iRel = t->pRules ? faktRulesFind(t->pRules, z, e->nName) : -1;
  if( iRel>=0 ){ relRuleSql(c, e, iRel); return; }
  if( strcmp(z, "within")==0 && nArg==3 ){ relWithinSql(c, e); return; }
  if( strcmp(z, "during")==0 && nArg==2 ){ relDuringSql(c, e); return; }
  if( (strcmp(z, "starts_with")==0 || strcmp(z, "ends_with")==0) && nArg==2 ){ relAffixSql(c, e); return; }
  for(size_t k=0; k<sizeof(aRel)/sizeof(aRel[0]); k++){
    if( strcmp(aRel[k].zName, z)==0 ){ relTableSql(c, e, &aRel[k]); return; }
  }
  if( strcmp(z, "match")==0 || strcmp(z, "named")==0 || strcmp(z, "contains")==0 ){
    trErr(t, &e->pos, "explain sql: %s() cannot be translated to SQL (%s)", z,
          z[0]=='m' ? "full-text match over quotes and article text" :
          "it folds case, accents and transliterations (SPEC 7.2)");
    return;
  }
  trErr(t, &e->pos, "explain sql: the relation %s() cannot be translated to SQL", z);
}

static void litSql(SqlCtx *c, const Literal *l){
  SqlTr *t = c->pTr;
  char zA[32];
  if( t->rc ) return;
  switch( l->kind ){
    case L_TRIPLE: {
      int i = addFrom(c, "claims", 'c');
      snprintf(zA, sizeof(zA), "c%d", i);
      Str v = {0}, ty = {0}, n = {0};
      if( l->pClaim ){
        faktStrPrintf(&v, "%s.id", zA);
        termAt(c, l->pClaim, v.z, "'claim'", NULL);
      }
      faktStrReset(&v); faktStrPrintf(&v, "%s.s", zA);
      faktStrPrintf(&ty, "%s.stype", zA);
      termAt(c, l->pS, v.z, ty.z, NULL);
      faktStrReset(&v); faktStrPrintf(&v, "%s.p", zA);
      termAt(c, l->pP, v.z, "'entity'", NULL);
      faktStrReset(&v); faktStrPrintf(&v, "%s.o", zA);
      faktStrReset(&ty); faktStrPrintf(&ty, "%s.otype", zA);
      faktStrPrintf(&n, "%s.onum", zA);
      termAt(c, l->pO, v.z, ty.z, n.z);
      faktStrFree(&v); faktStrFree(&ty); faktStrFree(&n);
      return;
    }
    case L_CALL:
      relSql(c, l->pExpr);
      return;
    case L_CMP:
      cmpSql(c, l->pExpr);
      return;
    case L_NOT: {
      SqlCtx sub;
      ctxInit(&sub, t, c);
      bodySql(&sub, l->pSub);
      if( t->rc==0 ){
        Str s = {0};
        faktStrPuts(&s, "NOT EXISTS (SELECT 1");
        if( sub.nFrom ) faktStrPrintf(&s, " FROM %s", sub.from.z);
        if( sub.where.n ) faktStrPrintf(&s, " WHERE %s", sub.where.z);
        faktStrPuts(&s, ")");
        addWhere(c, s.z);
        faktStrFree(&s);
      }
      ctxFree(&sub);
      return;
    }
    case L_OPTIONAL: {
      SqlCtx sub;
      ctxInit(&sub, t, c);
      bodySql(&sub, l->pSub);
      if( t->rc==0 ){
        int i = t->nAlias++;
        Str s = {0};
        if( c->nFrom==0 ){
          faktStrPrintf(&c->from, "(SELECT 1 AS one) d%d", t->nAlias++);
          c->nFrom++;
        }
        faktStrPuts(&s, " LEFT JOIN LATERAL (SELECT ");
        if( sub.nBind==0 ) faktStrPuts(&s, "1 AS one");
        for(int j=0; j<sub.nBind; j++){
          faktStrPrintf(&s, "%s%s AS v%d, %s AS t%d, %s AS n%d", j ? ", " : "",
                        sub.aBind[j].zVal, j, sub.aBind[j].zType, j, sub.aBind[j].zNum, j);
        }
        if( sub.nFrom ) faktStrPrintf(&s, " FROM %s", sub.from.z);
        if( sub.where.n ) faktStrPrintf(&s, " WHERE %s", sub.where.z);
        faktStrPrintf(&s, ") o%d ON TRUE", i);
        faktStrPuts(&c->from, s.z);
        c->nFrom++;
        faktStrFree(&s);
        for(int j=0; j<sub.nBind; j++){
          char zV[48], zT[48], zN[48];
          snprintf(zV, sizeof(zV), "o%d.v%d", i, j);
          snprintf(zT, sizeof(zT), "o%d.t%d", i, j);
          snprintf(zN, sizeof(zN), "o%d.n%d", i, j);
          addBind(c, sub.aBind[j].zName, sub.aBind[j].nName, zV, zT, zN);
        }
      }
      ctxFree(&sub);
      return;
    }
  }
}

/*
** A body: first the patterns and relations that bind (in their order),
** then optional parts, then comparisons and negations, which only test
** (fakt's planner orders literals too, SPEC 9.1; `?x = EXPR` with ?x
** unbound binds ?x, so comparisons go in their order).
*/
static void bodySql(SqlCtx *c, const Body *pBody){
  if( pBody==NULL ) return;
  for(int pass=0; pass<3; pass++){
    for(const Literal *l=pBody->pFirst; l && c->pTr->rc==0; l=l->pNext){
      int bTest = l->kind==L_CALL && l->pExpr && l->pExpr->zName
               && (strcmp(l->pExpr->zName, "starts_with")==0 || strcmp(l->pExpr->zName, "ends_with")==0
                   || strcmp(l->pExpr->zName, "during")==0);
      int iPass = (l->kind==L_TRIPLE || (l->kind==L_CALL && !bTest)) ? 0
                : l->kind==L_OPTIONAL ? 1 : 2;
      if( iPass==pass ) litSql(c, l);
    }
  }
}

/* ================================================================ rules */

/* The CTE of rule relation iRel (and those it uses first), into t->with. */
static void ruleCte(SqlTr *t, int iRel, const Pos *pPos){
  RuleSet *rs = t->pRules;
  const Relation *r = &rs->aRel[iRel];
  if( t->aRuleState[iRel]==2 ) return;
  if( t->aRuleState[iRel]==1 ){
    trErr(t, pPos, "explain sql: the rules %s are mutually recursive: SQL's recursive CTEs take one self-reference", r->zName);
    return;
  }
  t->aRuleState[iRel] = 1;
  int iSaveCur = t->iRuleCur, nSaveSelf = t->nSelfRef;
  Str cte = {0};
  int nBody = 0;
  for(int k=0; k<rs->nRule && t->rc==0; k++){
    const RuleDef *d = &rs->aRule[k];
    if( d->iRel!=iRel ) continue;
    const Stmt *pR = d->pStmt;
    SqlCtx c;
    ctxInit(&c, t, NULL);
    t->iRuleCur = iRel;
    t->nSelfRef = 0;
    bodySql(&c, pR->pBody);
    if( t->rc==0 && t->nSelfRef>1 ){
      trErr(t, pPos, "explain sql: a body of rule %s uses %s twice: SQL's recursive CTEs take one self-reference", r->zName, r->zName);
    }
    if( t->rc==0 ){
      faktStrPuts(&cte, nBody++ ? " UNION SELECT " : "SELECT ");
      for(int j=0; j<pR->pHead->n && t->rc==0; j++){
        SqlExpr x;
        memset(&x, 0, sizeof(x));
        exprSql(&c, pR->pHead->a[j].p, &x);
        if( t->rc==0 ){
          faktStrPrintf(&cte, "%sCAST(%s AS text) AS v%d, CAST(%s AS text) AS t%d, CAST(%s AS double precision) AS n%d",
                        j ? ", " : "", x.val.z, j, x.type.z, j, x.num.z, j);
        }
        sxFree(&x);
      }
      if( c.nFrom ) faktStrPrintf(&cte, " FROM %s", c.from.z);
      if( c.where.n ) faktStrPrintf(&cte, " WHERE %s", c.where.z);
    }
    ctxFree(&c);
  }
  t->iRuleCur = iSaveCur;
  t->nSelfRef = nSaveSelf;
  if( t->rc==0 ){
    faktStrPuts(&t->with, t->nWith++ ? ",\n" : "WITH RECURSIVE ");
    sqlIdent(&t->with, r->zName);
    faktStrPuts(&t->with, "(");
    for(int j=0; j<r->nArity; j++) faktStrPrintf(&t->with, "%sv%d, t%d, n%d", j ? ", " : "", j, j, j);
    faktStrPrintf(&t->with, ") AS (%s)", cte.z ? cte.z : "SELECT NULL WHERE FALSE");
    t->aRuleState[iRel] = 2;
  }
  faktStrFree(&cte);
}

/* ================================================================ the query */

/* 1 if SQL expression z is a constant (PostgreSQL refuses those in GROUP BY) */
static int isConstSql(const char *z){
  return z[0]=='\'' || strncmp(z, "CAST(NULL", 9)==0 || (z[0]>='0' && z[0]<='9');
}

/* Add the non-constant parts of x to the GROUP BY list. */
static void groupBy(Str *pGroup, int *pn, const SqlExpr *x){
  const char *az[3] = { x->val.z, x->type.z, x->num.z };
  for(int i=0; i<3; i++){
    if( isConstSql(az[i]) ) continue;
    faktStrPrintf(pGroup, "%s%s", (*pn)++ ? ", " : "", az[i]);
  }
}

/* The projection an order key names by its alias (E_ID or E_VAR), or -1. */
static int aliasIndex(const Stmt *pS, const Expr *e){
  if( e->op!=E_ID && e->op!=E_VAR ) return -1;
  for(int i=0; i<pS->pProj->n; i++){
    const char *zA = pS->pProj->a[i].zAlias;
    if( zA && (int)strlen(zA)==e->nName && memcmp(zA, e->zName, (size_t)e->nName)==0 ) return i;
  }
  return -1;
}

/*
** Translate find statement pS (resolved: azName are its column names,
** pRules its rules or NULL). On success *pzSql is the SQL text (free()).
** On failure returns FAKT_ERROR with *pzErr the message (free()) and
** *pPos where.
*/
int faktSqlTranslate(fakt *db, StoreTxn *pTxn, const Stmt *pS, const char *const *azName, RuleSet *pRules,
                     char **pzSql, char **pzErr, Pos *pPos){
  SqlTr t;
  SqlCtx c;
  Str out = {0}, inner = {0}, group = {0}, order = {0};
  int nProj = pS->pProj->n, bAgg = 0, bGroup = 0;
  SqlExpr *aX = NULL;
  memset(&t, 0, sizeof(t));
  t.db = db;
  t.pTxn = pTxn;
  t.pRules = pRules;
  t.iRuleCur = -1;
  *pzSql = NULL; *pzErr = NULL;
  ctxInit(&c, &t, NULL);
  if( pRules && pRules->nRel ){
    t.aRuleState = calloc((size_t)pRules->nRel, 1);
    if( t.aRuleState==NULL ){ trErr(&t, NULL, "out of memory"); goto done; }
  }
  if( pS->pAsOf ){
    trErr(&t, &pS->pAsOf->pos, "explain sql: as of cannot be translated to SQL (the export holds the visible state only)");
    goto done;
  }
  if( (pS->pLimit && pS->pLimit->op==E_PARAM) || (pS->pOffset && pS->pOffset->op==E_PARAM) ){
    trErr(&t, &pS->pos, "explain sql: a parameter cannot be translated to SQL");
    goto done;
  }
  bodySql(&c, pS->pWhere);
  if( t.rc ) goto done;
  aX = calloc((size_t)nProj + (pS->pOrder ? (size_t)pS->pOrder->n : 0) + 1, sizeof(SqlExpr));
  if( aX==NULL ){ trErr(&t, NULL, "out of memory"); goto done; }
  for(int i=0; i<nProj && t.rc==0; i++){
    exprSql(&c, pS->pProj->a[i].p, &aX[i]);
    if( aX[i].bAgg ) bAgg = 1;
  }
  if( t.rc ) goto done;
  /* inner query: every projection's value, type and number */
  faktStrPuts(&inner, pS->bDistinct ? "SELECT DISTINCT " : "SELECT ");
  for(int i=0; i<nProj; i++){
    faktStrPrintf(&inner, "%s%s AS v%d, %s AS t%d, %s AS n%d", i ? ", " : "",
                  aX[i].val.z, i, aX[i].type.z, i, aX[i].num.z, i);
    if( bAgg && !aX[i].bAgg ){
      groupBy(&group, &bGroup, &aX[i]);
    }
  }
  /* order keys: a projection (by alias or the same text), else an extra column */
  int nExtra = 0;
  for(int i=0; pS->pOrder && i<pS->pOrder->n && t.rc==0; i++){
    const ExprItem *it = &pS->pOrder->a[i];
    int k = aliasIndex(pS, it->p);
    char zV[32], zT[32], zN[32];
    if( k<0 ){
      SqlExpr *x = &aX[nProj+nExtra];
      exprSql(&c, it->p, x);
      if( t.rc ) break;
      for(int j=0; j<nProj && k<0; j++){
        if( strcmp(aX[j].val.z, x->val.z)==0 && strcmp(aX[j].type.z, x->type.z)==0 ) k = j;
      }
      if( k<0 ){
        if( pS->bDistinct ){
          trErr(&t, &it->p->pos, "explain sql: with distinct, order by a projection");
          break;
        }
        k = nProj + nExtra++;
        faktStrPrintf(&inner, ", %s AS v%d, %s AS t%d, %s AS n%d", x->val.z, k, x->type.z, k, x->num.z, k);
        if( bAgg && !x->bAgg ) groupBy(&group, &bGroup, x);
      }
    }
    snprintf(zV, sizeof(zV), "q.v%d", k);
    snprintf(zT, sizeof(zT), "q.t%d", k);
    snprintf(zN, sizeof(zN), "q.n%d", k);
    if( order.n ) faktStrPuts(&order, ", ");
    sortKey(&order, zV, zT, zN, it->bDesc);
  }
  if( t.rc ) goto done;
  if( c.nFrom ) faktStrPrintf(&inner, " FROM %s", c.from.z);
  if( c.where.n ) faktStrPrintf(&inner, " WHERE %s", c.where.z);
  if( bGroup ) faktStrPrintf(&inner, " GROUP BY %s", group.z);
  /* outer query: the columns by fakt's names, the order, the limit */
  if( t.nWith ) faktStrPrintf(&out, "%s\n", t.with.z);
  faktStrPuts(&out, "SELECT ");
  for(int i=0; i<nProj; i++){
    faktStrPrintf(&out, "%sq.v%d AS ", i ? ", " : "", i);
    sqlIdent(&out, azName && azName[i] ? azName[i] : "?");
  }
  faktStrPrintf(&out, "\nFROM (%s) q", inner.z);
  if( order.n ) faktStrPrintf(&out, "\nORDER BY %s", order.z);
  if( pS->pLimit ) faktStrPrintf(&out, "\nLIMIT %lld", (long long)pS->pLimit->iVal);
  if( pS->pOffset ) faktStrPrintf(&out, " OFFSET %lld", (long long)pS->pOffset->iVal);
  if( out.bOom || inner.bOom ) trErr(&t, NULL, "out of memory");
done:
  for(int i=0; aX && i<nProj + (pS->pOrder ? pS->pOrder->n : 0) + 1; i++) sxFree(&aX[i]);
  free(aX);
  ctxFree(&c);
  faktStrFree(&inner); faktStrFree(&group); faktStrFree(&order);
  faktStrFree(&t.with);
  free(t.aRuleState);
  if( t.rc ){
    faktStrFree(&out);
    *pzErr = t.zErr;
    *pPos = t.pos;
    return t.rc;
  }
  *pzSql = out.z ? out.z : strdup("");
  return FAKT_OK;
}
