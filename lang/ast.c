/*
** ast.c -- builders of the statement tree, called from the actions of
** gram.y: every node goes into the statement's arena, strings are copied
** (and unescaped) there. Also parameter numbering, the lexical helpers
** faktUnescape/faktDateToken, and faktAstDump() for the tests.
*/
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fakt.h"
#include "parse.h"
#include "base.h"

#define MAX_PARAM 32767          /* largest $N */

/* ================================================================ memory */

/* Record an out-of-memory error; returns NULL for the caller to pass on. */
static void *oom(Parse *p){
  faktErrSet(p->pErr, FAKT_NOMEM, NULL, "out of memory");
  return NULL;
}

/* Zeroed arena memory, or NULL after recording FAKT_NOMEM. */
static void *alloc(Parse *p, size_t n){
  void *x = faktArenaAlloc(p->pArena, n);
  return x ? x : oom(p);
}

/* Arena copy of z[0..n). */
static char *copyText(Parse *p, const char *z, int n){
  char *x = faktArenaStrdup(p->pArena, z, (size_t)n);
  return x ? x : oom(p);
}

/* Arena copy of a string token, unescaped; *pn gets its length. */
static char *unescapeTok(Parse *p, const Token *t, int *pn){
  int iBad = 0;
  char *z = alloc(p, (size_t)t->n + 1);
  if( z==NULL ) return NULL;
  int n = faktUnescape(t->z, t->n, z, &iBad);
  if( n<0 ){              /* parse.c checks escapes first; be safe anyway */
    faktErrSet(p->pErr, FAKT_SYNTAX, &t->pos, "invalid escape");
    return NULL;
  }
  z[n] = 0;
  if( pn ) *pn = n;
  return z;
}

/* ================================================================ lexical helpers */

static int hexVal(int c){
  if( c>='0' && c<='9' ) return c - '0';
  if( c>='a' && c<='f' ) return c - 'a' + 10;
  if( c>='A' && c<='F' ) return c - 'A' + 10;
  return -1;
}

/* Unescape a string token (see ast.h). */
int faktUnescape(const char *z, int n, char *zOut, int *piBad){
  int j = 0;
  for(int i=1; i<n-1; i++){
    char c = z[i];
    if( c!='\\' ){
      if( zOut ) zOut[j] = c;
      j++;
      continue;
    }
    int iEsc = i++;
    switch( z[i] ){
      case '"':  c = '"';  break;
      case '\\': c = '\\'; break;
      case 'n':  c = '\n'; break;
      case 't':  c = '\t'; break;
      case 'r':  c = '\r'; break;
      case 'u': {
        uint32_t cp = 0;
        int k = i + 1, nHex = 0;
        if( k<n-1 && z[k]=='{' ){
          for(k++; k<n-1 && hexVal((unsigned char)z[k])>=0 && nHex<7; k++, nHex++){
            cp = cp*16 + (uint32_t)hexVal((unsigned char)z[k]);
          }
        }
        if( nHex<1 || nHex>6 || k>=n-1 || z[k]!='}'
         || cp==0 || cp>0x10FFFF || (cp>=0xD800 && cp<=0xDFFF) ){
          if( piBad ) *piBad = iEsc;
          return -1;
        }
        char aBuf[4];
        int nEnc = faktUtf8Encode(cp, aBuf);
        if( zOut ) memcpy(zOut + j, aBuf, (size_t)nEnc);
        j += nEnc;
        i = k;
        continue;
      }
      default:
        if( piBad ) *piBad = iEsc;
        return -1;
    }
    if( zOut ) zOut[j] = c;
    j++;
  }
  return j;
}

/* Parse a date token "@YYYY[-MM[-DD]]" (see ast.h). */
int faktDateToken(const char *z, int n, int64_t *piVal, int *piPrec){
  int aPart[3] = {0, 0, 0};
  int nPart = 0, i = 1;
  while( nPart<3 ){
    int nDigit = 0;
    for(; i<n && z[i]>='0' && z[i]<='9'; i++, nDigit++){
      if( nDigit<5 ) aPart[nPart] = aPart[nPart]*10 + (z[i] - '0');
    }
    if( nDigit!=(nPart==0 ? 4 : 2) ) return 0;
    nPart++;
    if( i>=n ) break;
    if( z[i]!='-' ) return 0;
    i++;
  }
  if( i<n ) return 0;
  if( !faktDateValid(aPart[0], aPart[1], aPart[2], nPart) ) return 0;
  if( piVal ) *piVal = (int64_t)faktDatePack(aPart[0], aPart[1], aPart[2], nPart);
  if( piPrec ) *piPrec = nPart;
  return 1;
}

/*
** Value of the decimal number z[0..n) in the "C" locale, whatever locale
** the host program set: exact for up to 15 digits and small exponents,
** else strtod() under a temporary per-thread C locale.
*/
static double parseDouble(const char *z, int n){
  int64_t m = 0;
  int nDig = 0, nFrac = 0, bFrac = 0, iExp = 0, i = 0;
  static const double aPow[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
    1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22 };
  for(; i<n; i++){
    if( z[i]=='.' ){ bFrac = 1; continue; }
    if( z[i]<'0' || z[i]>'9' ) break;
    if( m==0 && z[i]=='0' ){ if( bFrac ) nFrac++; continue; }
    if( ++nDig>15 ) break;
    m = m*10 + (z[i] - '0');
    if( bFrac ) nFrac++;
  }
  if( nDig<=15 ){
    if( i<n && (z[i]=='e' || z[i]=='E') ){
      int bNeg = 0, e = 0;
      i++;
      if( i<n && (z[i]=='+' || z[i]=='-') ) bNeg = z[i++]=='-';
      for(; i<n && z[i]>='0' && z[i]<='9' && e<10000; i++) e = e*10 + (z[i] - '0');
      iExp = bNeg ? -e : e;
    }
    int iPow = iExp - nFrac;
    if( i>=n && iPow>=-22 && iPow<=22 ){
      return iPow<0 ? (double)m / aPow[-iPow] : (double)m * aPow[iPow];
    }
  }
  char aBuf[64];
  char *zBuf = n<(int)sizeof(aBuf) ? aBuf : malloc((size_t)n + 1);
  if( zBuf==NULL ) return NAN;
  memcpy(zBuf, z, (size_t)n);
  zBuf[n] = 0;
  locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
  locale_t old = c ? uselocale(c) : (locale_t)0;
  double r = strtod(zBuf, NULL);
  if( c ){ uselocale(old); freelocale(c); }
  if( zBuf!=aBuf ) free(zBuf);
  return r;
}

/* Value of digits z[0..n); 0 and *pbOver = 1 if it does not fit int64. */
static int64_t parseInt(const char *z, int n, int *pbOver){
  uint64_t v = 0;
  *pbOver = 0;
  for(int i=0; i<n; i++){
    unsigned d = (unsigned)(z[i] - '0');
    if( v > (UINT64_C(9223372036854775807) - d)/10 ){ *pbOver = 1; return 0; }
    v = v*10 + d;
  }
  return (int64_t)v;
}

/* The number of an INTEGER or FLOAT token, as a double. */
double faktTokenNumber(Parse *p, const Token *t){
  (void)p;
  return parseDouble(t->z, t->n);
}

/* ================================================================ parameters */

/* Make pList hold at least n entries (new ones zeroed). 0 on OOM. */
static int idListReserve(Parse *p, IdList *pList, int n){
  if( n<=pList->nAlloc ) return 1;
  int nNew = pList->nAlloc ? pList->nAlloc*2 : 4;
  while( nNew<n ) nNew *= 2;
  Token *a = alloc(p, sizeof(Token)*(size_t)nNew);
  const char **az = alloc(p, sizeof(char*)*(size_t)nNew);
  if( a==NULL || az==NULL ) return 0;
  if( pList->n ){
    memcpy(a, pList->a, sizeof(Token)*(size_t)pList->n);
    memcpy(az, pList->az, sizeof(char*)*(size_t)pList->n);
  }
  pList->a = a;
  pList->az = az;
  pList->nAlloc = nNew;
  return 1;
}

/*
** Number a parameter: $name gets the index of its first appearance (a new
** one after the largest so far), a lone ? the next index, $N the index N.
** $N and ? may not be mixed. Returns the index, 0 after an error.
*/
static int paramIndex(Parse *p, const Token *t, const char *zName){
  Stmt *s = p->pStmt;
  int idx = 0;
  if( t->n==1 ){
    if( p->bNumbered ) goto mixed;
    p->bLone = 1;
    idx = ++p->nParam;
  }else if( t->z[1]>='0' && t->z[1]<='9' ){
    int bOver;
    int64_t v = parseInt(t->z+1, t->n-1, &bOver);
    if( p->bLone ) goto mixed;
    if( bOver || v<1 || v>MAX_PARAM ){
      faktErrSet(p->pErr, FAKT_SYNTAX, &t->pos, "parameter index out of range");
      return 0;
    }
    p->bNumbered = 1;
    idx = (int)v;
  }else{
    for(int i=0; i<s->params.n; i++){
      const char *z = s->params.az[i];
      if( z && (int)strlen(z)==t->n && memcmp(z, t->z, (size_t)t->n)==0 ) return i+1;
    }
    idx = ++p->nParam;
  }
  if( idx>p->nParam ) p->nParam = idx;
  if( !idListReserve(p, &s->params, idx) ) return 0;
  if( idx>s->params.n ) s->params.n = idx;
  if( s->params.az[idx-1]==NULL ){
    s->params.a[idx-1] = *t;
    s->params.az[idx-1] = zName;
  }
  s->nParam = p->nParam;
  return idx;
mixed:
  faktErrSet(p->pErr, FAKT_SYNTAX, &t->pos, "cannot mix ? and $N parameters");
  return 0;
}

/* ================================================================ expressions */

/* Split a quantity token into number and unit; fills e. The number is
** the lexer's decimal or digits (lex.re): an exponent, with or without a
** point, is part of it and makes it a float (1e3km is 1000 km, 1e-3km is
** 0.001 km); an "e" not followed by digits begins the unit (5eur). */
static void quantity(Parse *p, Expr *e, const Token *t){
  int i = 0, bInt = 1;
  while( i<t->n && t->z[i]>='0' && t->z[i]<='9' ) i++;
  if( i+1<t->n && t->z[i]=='.' && t->z[i+1]>='0' && t->z[i+1]<='9' ){
    bInt = 0;
    for(i++; i<t->n && t->z[i]>='0' && t->z[i]<='9'; i++){}
  }
  if( i<t->n && (t->z[i]=='e' || t->z[i]=='E') ){
    int k = i + 1;
    if( k<t->n && (t->z[k]=='+' || t->z[k]=='-') ) k++;
    if( k<t->n && t->z[k]>='0' && t->z[k]<='9' ){
      bInt = 0;
      for(i=k; i<t->n && t->z[i]>='0' && t->z[i]<='9'; i++){}
    }
  }
  e->rVal = parseDouble(t->z, i);
  if( bInt ){
    int bOver;
    e->iVal = parseInt(t->z, i, &bOver);
    e->bIntQty = !bOver;
  }
  e->zUnit = copyText(p, t->z + i, t->n - i);
}

/* A leaf node made from one token. NULL after an error. */
Expr *faktExpr(Parse *p, ExprOp op, const Token *t){
  Expr *e = alloc(p, sizeof(Expr));
  if( e==NULL ) return NULL;
  e->op = op;
  e->pos = t->pos;
  e->iSlot = -1;
  switch( op ){
    case E_VAR:
      e->zName = copyText(p, t->z + 1, t->n - 1);
      e->nName = t->n - 1;
      break;
    case E_PARAM:
      e->zName = copyText(p, t->z, t->n);
      e->nName = t->n;
      if( e->zName ) e->iParam = paramIndex(p, t, e->zName);
      if( e->iParam==0 ) return NULL;
      break;
    case E_ID:
      e->zName = copyText(p, t->z, t->n);
      e->nName = t->n;
      break;
    case E_INT: {
      int bOver;
      e->iVal = parseInt(t->z, t->n, &bOver);
      e->rVal = (double)e->iVal;
      if( bOver ){
        faktErrSet(p->pErr, FAKT_SYNTAX, &t->pos, "integer out of range");
        return NULL;
      }
      break;
    }
    case E_FLOAT:
      e->rVal = parseDouble(t->z, t->n);
      break;
    case E_QTY:
      quantity(p, e, t);
      break;
    case E_STR: case E_LABEL:
      e->zName = unescapeTok(p, t, &e->nName);
      break;
    case E_DATE:
      if( !faktDateToken(t->z, t->n, &e->iVal, &e->iPrec) ){
        faktErrSet(p->pErr, FAKT_SYNTAX, &t->pos, "invalid date");
        return NULL;
      }
      break;
    case E_BOOL:
      e->iVal = t->z[0]=='t';
      break;
    default:
      break;
  }
  if( p->pErr->rc ) return NULL;
  return e;
}

/* ~"text": an entity by label or alias, positioned at the '~'. */
Expr *faktExprLabel(Parse *p, const Token *pTilde, const Token *pStr){
  Expr *e = faktExpr(p, E_LABEL, pStr);
  if( e ) e->pos = pTilde->pos;
  return e;
}

/* -pE; a number literal is negated in place. */
/* Height of a new node over its children; past FAKT_MAX_HEIGHT the
** expression is rejected, so evaluating it can never exhaust the stack
** (1 + 1 + ... is flat text but a deep tree). Returns 0 on error. */
static int setHeight(Parse *p, Expr *e){
  int h = 0;
  if( e->pLeft && e->pLeft->nHeight>h ) h = e->pLeft->nHeight;
  if( e->pRight && e->pRight->nHeight>h ) h = e->pRight->nHeight;
  for(int i=0; e->pArgs && i<e->pArgs->n; i++){
    if( e->pArgs->a[i].p && e->pArgs->a[i].p->nHeight>h ) h = e->pArgs->a[i].p->nHeight;
  }
  e->nHeight = h + 1;
  if( e->nHeight > FAKT_MAX_HEIGHT ){
    faktErrSet(p->pErr, FAKT_SYNTAX, &e->pos, "expression too deep (more than %d operators nested)", FAKT_MAX_HEIGHT);
    return 0;
  }
  return 1;
}

Expr *faktExprNeg(Parse *p, const Token *pMinus, Expr *pE){
  if( pE==NULL ) return NULL;
  if( pE->op==E_INT || pE->op==E_FLOAT || pE->op==E_QTY ){
    pE->iVal = -pE->iVal;
    pE->rVal = -pE->rVal;
    pE->pos = pMinus->pos;
    return pE;
  }
  Expr *e = alloc(p, sizeof(Expr));
  if( e==NULL ) return NULL;
  e->op = E_NEG;
  e->pos = pMinus->pos;
  e->iSlot = -1;
  e->pLeft = pE;
  return setHeight(p, e) ? e : NULL;
}

/* A binary operator or comparison node, positioned at its left operand. */
Expr *faktExprBinary(Parse *p, ExprOp op, Expr *pL, Expr *pR){
  if( pL==NULL || (pR==NULL && op!=E_NEG && op!=E_NOT) ) return NULL;
  Expr *e = alloc(p, sizeof(Expr));
  if( e==NULL ) return NULL;
  e->op = op;
  e->pos = pL->pos;
  e->iSlot = -1;
  e->pLeft = pL;
  e->pRight = pR;
  return setHeight(p, e) ? e : NULL;
}

/* A binary operator node that remembers where its operator stands. */
Expr *faktExprBinaryOp(Parse *p, ExprOp op, Expr *pL, Expr *pR, const Token *pOp){
  Expr *e = faktExprBinary(p, op, pL, pR);
  if( e ) e->posOp = pOp->pos;
  return e;
}

/* 1 if z[0..n) names an aggregate. */
static int isAggregate(const char *z, int n){
  static const char *const azAgg[] = { "count", "sum", "min", "max", "avg", "list" };
  for(size_t i=0; i<sizeof(azAgg)/sizeof(azAgg[0]); i++){
    if( (int)strlen(azAgg[i])==n && memcmp(azAgg[i], z, (size_t)n)==0 ) return 1;
  }
  return 0;
}

/* A call name(args): E_AGG for the aggregate names, else E_CALL. */
Expr *faktExprCall(Parse *p, const Token *pName, ExprList *pArgs, int bDistinct){
  if( p->pErr->rc ) return NULL;
  Expr *e = alloc(p, sizeof(Expr));
  if( e==NULL ) return NULL;
  e->op = isAggregate(pName->z, pName->n) ? E_AGG : E_CALL;
  e->pos = pName->pos;
  e->iSlot = -1;
  e->zName = copyText(p, pName->z, pName->n);
  e->nName = pName->n;
  e->pArgs = pArgs;
  e->bDistinct = bDistinct;
  return setHeight(p, e) ? e : NULL;
}

/* Append pE (with its "as" alias, if any) to pList, made if NULL. */
ExprList *faktExprListAppend(Parse *p, ExprList *pList, Expr *pE, const Token *pAlias){
  if( pE==NULL ) return pList;
  if( pList==NULL ){
    pList = alloc(p, sizeof(ExprList));
    if( pList==NULL ) return NULL;
  }
  if( pList->n>=pList->nAlloc ){
    int nNew = pList->nAlloc ? pList->nAlloc*2 : 4;
    ExprItem *a = alloc(p, sizeof(ExprItem)*(size_t)nNew);
    if( a==NULL ) return pList;
    if( pList->n ) memcpy(a, pList->a, sizeof(ExprItem)*(size_t)pList->n);
    pList->a = a;
    pList->nAlloc = nNew;
  }
  ExprItem *pItem = &pList->a[pList->n++];
  pItem->p = pE;
  pItem->zAlias = pAlias ? copyText(p, pAlias->z, pAlias->n) : NULL;
  pItem->bDesc = 0;
  return pList;
}

/* Append an "order by" item. */
ExprList *faktOrderAppend(Parse *p, ExprList *pList, Expr *pE, int bDesc){
  int n = pList ? pList->n : 0;
  pList = faktExprListAppend(p, pList, pE, NULL);
  if( pList && pList->n>n ) pList->a[pList->n-1].bDesc = bDesc;
  return pList;
}

/* ================================================================ bodies */

/* A stored-claim pattern [pClaim :] pS pP pO. */
Literal *faktLitTriple(Parse *p, Expr *pClaim, Expr *pS, Expr *pP, Expr *pO){
  if( pS==NULL || pP==NULL || pO==NULL || p->pErr->rc ) return NULL;
  Literal *l = alloc(p, sizeof(Literal));
  if( l==NULL ) return NULL;
  l->kind = L_TRIPLE;
  l->pos = pClaim ? pClaim->pos : pS->pos;
  l->pClaim = pClaim;
  l->pS = pS;
  l->pP = pP;
  l->pO = pO;
  return l;
}

/* A call (L_CALL) or comparison (L_CMP) literal. */
Literal *faktLitExpr(Parse *p, Expr *pE){
  if( pE==NULL ) return NULL;
  Literal *l = alloc(p, sizeof(Literal));
  if( l==NULL ) return NULL;
  l->kind = (pE->op>=E_EQ && pE->op<=E_GE) ? L_CMP : L_CALL;
  l->pos = pE->pos;
  l->pExpr = pE;
  return l;
}

/* not { BODY } or optional { BODY }, positioned at the keyword. */
Literal *faktLitSub(Parse *p, LitKind kind, Body *pSub, const Token *pTok){
  if( pSub==NULL ) return NULL;
  Literal *l = alloc(p, sizeof(Literal));
  if( l==NULL ) return NULL;
  l->kind = kind;
  l->pos = pTok->pos;
  l->pSub = pSub;
  return l;
}

/* Append pLit to pBody, made if NULL. */
Body *faktBodyAppend(Parse *p, Body *pBody, Literal *pLit){
  if( pLit==NULL ) return pBody;
  if( pBody==NULL ){
    pBody = alloc(p, sizeof(Body));
    if( pBody==NULL ) return NULL;
  }
  if( pBody->pLast ) pBody->pLast->pNext = pLit;
  else pBody->pFirst = pLit;
  pBody->pLast = pLit;
  pBody->n++;
  return pBody;
}

/* Arena copy of an entity named after by, via or from (gram.y ename):
** the id as written, or for a label token ("Putin", from ~"Putin") the
** label unescaped behind a "~", which no id can start with (ast.h). */
static const char *entName(Parse *p, const Token *pTok){
  if( pTok->n<2 || pTok->z[0]!='"' ) return copyText(p, pTok->z, pTok->n);
  int n = 0;
  char *z = unescapeTok(p, pTok, &n);
  if( z==NULL ) return NULL;
  char *zOut = alloc(p, (size_t)n + 2);
  if( zOut==NULL ) return NULL;
  zOut[0] = '~';
  memcpy(zOut+1, z, (size_t)n + 1);
  return zOut;
}

/* Append an identifier (bString 0) or a string literal (unescaped). */
void faktIdListAppend(Parse *p, IdList *pList, const Token *pTok, int bString){
  if( p->pErr->rc || !idListReserve(p, pList, pList->n + 1) ) return;
  const char *z = bString ? unescapeTok(p, pTok, NULL) : entName(p, pTok);
  if( z==NULL ) return;
  pList->a[pList->n] = *pTok;
  pList->az[pList->n++] = z;
}

/* ================================================================ statements */

/* Set the statement's id from pTok. */
static void setId(Parse *p, const Token *pTok){
  p->pStmt->id = *pTok;
  p->pStmt->zId = copyText(p, pTok->z, pTok->n);
}

/* entity ID TYPE LABEL ... */
void faktStmtEntity(Parse *p, const Token *pId, const Token *pType, const Token *pLabel){
  Stmt *s = p->pStmt;
  s->kind = S_ENTITY;
  setId(p, pId);
  s->type = *pType;
  s->zType = copyText(p, pType->z, pType->n);
  s->zLabel = unescapeTok(p, pLabel, NULL);
}

/* "at LAT, LON" of an entity. */
void faktStmtAt(Parse *p, const Token *pAt, double rLat, double rLon){
  Stmt *s = p->pStmt;
  if( s->bAt ){
    faktErrSet(p->pErr, FAKT_SYNTAX, &pAt->pos, "duplicate option \"at\"");
  }else if( !(rLat>=-90.0 && rLat<=90.0) ){
    faktErrSet(p->pErr, FAKT_SYNTAX, &pAt->pos, "latitude out of range (-90 to 90)");
  }else if( !(rLon>=-180.0 && rLon<=180.0) ){
    faktErrSet(p->pErr, FAKT_SYNTAX, &pAt->pos, "longitude out of range (-180 to 180)");
  }
  s->bAt = 1;
  s->rLat = rLat;
  s->rLon = rLon;
  s->posAt = pAt->pos;
}

/* source ID TITLE ... */
void faktStmtSource(Parse *p, const Token *pId, const Token *pTitle){
  p->pStmt->kind = S_SOURCE;
  setId(p, pId);
  p->pStmt->zLabel = unescapeTok(p, pTitle, NULL);
}

/* predicate NAME ... */
void faktStmtPredicate(Parse *p, const Token *pName){
  p->pStmt->kind = S_PREDICATE;
  setId(p, pName);
}

/* claim [ID :] S P O ... */
void faktStmtClaim(Parse *p, const Token *pId, Expr *pS, const Token *pP, Expr *pO){
  Stmt *s = p->pStmt;
  s->kind = S_CLAIM;
  if( pId ) setId(p, pId);
  s->pS = pS;
  s->pP = faktExpr(p, E_ID, pP);
  s->pO = pO;
}

/* rule NAME(ARGS) if BODY */
void faktStmtRule(Parse *p, const Token *pName, ExprList *pHead, Body *pBody){
  p->pStmt->kind = S_RULE;
  setId(p, pName);
  p->pStmt->pHead = pHead;
  p->pStmt->pBody = pBody;
}

/* A statement made of a kind and a name (drop rule NAME). */
void faktStmtName(Parse *p, StmtKind kind, const Token *pName){
  p->pStmt->kind = kind;
  setId(p, pName);
}

/* load "path" */
void faktStmtLoad(Parse *p, const Token *pPath){
  p->pStmt->kind = S_LOAD;
  p->pStmt->zPath = unescapeTok(p, pPath, NULL);
  p->pStmt->posFile = pPath->pos;
}

/* [explain|why] find ... (limit, offset and as of are set by their rules) */
void faktStmtFind(Parse *p, int mode, int bDistinct, ExprList *pProj, Body *pWhere,
                  ExprList *pOrder){
  Stmt *s = p->pStmt;
  s->kind = S_FIND;
  s->mode = (FindMode)mode;
  s->bDistinct = bDistinct;
  s->pProj = pProj;
  s->pWhere = pWhere;
  s->pOrder = pOrder;
}

/* Report a repeated option; returns 1 if bSet (already given). */
static int duplicate(Parse *p, int bSet, const Token *pKw){
  if( bSet ){
    faktErrSet(p->pErr, FAKT_SYNTAX, &pKw->pos, "duplicate option \"%.*s\"", pKw->n, pKw->z);
  }
  return bSet;
}

/* One option of entity/source/predicate/claim, keyword pKw, value pVal. */
void faktStmtOption(Parse *p, StmtOpt eOpt, const Token *pKw, const Token *pVal){
  Stmt *s = p->pStmt;
  if( duplicate(p, s->aOptParam[eOpt]!=0, pKw) ) return;   /* given as a parameter already */
  switch( eOpt ){
    case OPT_BY:
      if( duplicate(p, s->by.n>0, pKw) ) return;
      s->by = *pVal;
      s->zBy = entName(p, pVal);
      break;
    case OPT_PUBLISHED:
      if( duplicate(p, s->pPublished!=0, pKw) ) return;
      s->pPublished = faktExpr(p, E_DATE, pVal);
      break;
    case OPT_FILE: case OPT_TEXT:
      if( duplicate(p, s->zFile || s->zText, pKw) ) return;
      if( eOpt==OPT_FILE ){
        s->zFile = unescapeTok(p, pVal, NULL);
        s->posFile = pVal->pos;
      }else{
        s->zText = unescapeTok(p, pVal, NULL);
      }
      break;
    case OPT_TYPE:
      if( duplicate(p, s->type.n>0, pKw) ) return;
      s->type = *pVal;
      s->zType = copyText(p, pVal->z, pVal->n);
      break;
    case OPT_SINGLE:
      if( duplicate(p, s->bSingle, pKw) ) return;
      s->bSingle = 1;
      break;
    case OPT_DOC:
      if( s->zLabel ){
        faktErrSet(p->pErr, FAKT_SYNTAX, &pKw->pos, "duplicate description");
        return;
      }
      s->zLabel = unescapeTok(p, pVal, NULL);
      break;
    case OPT_FROM:
      if( duplicate(p, s->from.n>0, pKw) ) return;
      s->from = *pVal;
      s->zFrom = entName(p, pVal);
      break;
    case OPT_STANCE:
      if( duplicate(p, s->stance.n>0, pKw) ) return;
      s->stance = *pVal;
      s->zStance = copyText(p, pVal->z, pVal->n);
      break;
    case OPT_HOLDS:
      if( duplicate(p, s->pHolds!=0, pKw) ) return;
      s->pHolds = faktExpr(p, E_DATE, pVal);
      break;
    case OPT_UNTIL:
      s->pUntil = faktExpr(p, E_DATE, pVal);
      break;
    case OPT_SAID:
      if( duplicate(p, s->pSaid!=0, pKw) ) return;
      s->pSaid = faktExpr(p, E_DATE, pVal);
      break;
    case OPT_QUOTE:
      if( duplicate(p, s->zQuote!=0, pKw) ) return;
      s->zQuote = unescapeTok(p, pVal, NULL);
      s->posQuote = pVal->pos;
      break;
  }
}

/* A claim option given as a parameter: from $s, by $w, stance $st,
** holds $d, said $d, quote $q. */
void faktStmtOptionParam(Parse *p, StmtOpt eOpt, const Token *pKw, const Token *pParam){
  Stmt *s = p->pStmt;
  int bDup = s->aOptParam[eOpt]!=0;
  switch( eOpt ){
    case OPT_FROM: bDup |= s->from.n>0; break;
    case OPT_BY: bDup |= s->by.n>0; break;
    case OPT_STANCE: bDup |= s->stance.n>0; break;
    case OPT_HOLDS: bDup |= s->pHolds!=0; break;
    case OPT_SAID: bDup |= s->pSaid!=0; break;
    case OPT_QUOTE: bDup |= s->zQuote!=0; break;
    default: break;
  }
  if( duplicate(p, bDup, pKw) ) return;
  s->aOptParam[eOpt] = faktExpr(p, E_PARAM, pParam);
  if( eOpt==OPT_QUOTE ) s->posQuote = pParam->pos;
}

/* ================================================================ dump */

typedef struct Out {     /* a growing malloc'd string */
  char *z;
  size_t n, nAlloc;
  int bOom;
} Out;

static void put(Out *o, const char *z, size_t n){
  if( o->bOom ) return;
  if( o->n + n + 1 > o->nAlloc ){
    size_t nNew = (o->nAlloc + n + 1)*2;
    char *zNew = realloc(o->z, nNew);
    if( zNew==NULL ){ o->bOom = 1; return; }
    o->z = zNew;
    o->nAlloc = nNew;
  }
  memcpy(o->z + o->n, z, n);
  o->n += n;
  o->z[o->n] = 0;
}
static void puts0(Out *o, const char *z){ put(o, z, strlen(z)); }

/* A number as %.15g; with ".0" added to what looks like an integer if bDot. */
static void putNum(Out *o, double r, int bDot){
  char aBuf[40];
  int n = snprintf(aBuf, sizeof(aBuf), "%.15g", r);
  if( bDot && strspn(aBuf, "-0123456789")==(size_t)n ){
    aBuf[n++] = '.'; aBuf[n++] = '0'; aBuf[n] = 0;
  }
  put(o, aBuf, (size_t)n);
}

static void putStr(Out *o, const char *z, int n){
  put(o, "\"", 1);
  for(int i=0; i<n; i++){
    const char *zEsc = z[i]=='"' ? "\\\"" : z[i]=='\\' ? "\\\\" : z[i]=='\n' ? "\\n"
                     : z[i]=='\t' ? "\\t" : z[i]=='\r' ? "\\r" : NULL;
    if( zEsc ) puts0(o, zEsc);
    else put(o, z+i, 1);
  }
  put(o, "\"", 1);
}

static void dumpExpr(Out *o, const Expr *e);

static void dumpList(Out *o, const ExprList *l){
  for(int i=0; l && i<l->n; i++){
    put(o, " ", 1);
    dumpExpr(o, l->a[i].p);
  }
}

static void dumpExpr(Out *o, const Expr *e){
  static const char *const azOp[] = { "+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=" };
  char aBuf[40];
  if( e==NULL ){ puts0(o, "NULL"); return; }
  switch( e->op ){
    case E_VAR: put(o, "?", 1); put(o, e->zName, (size_t)e->nName); break;
    case E_PARAM:
      put(o, e->zName, (size_t)e->nName);
      put(o, aBuf, (size_t)snprintf(aBuf, sizeof(aBuf), "#%d", e->iParam));
      break;
    case E_ID: put(o, e->zName, (size_t)e->nName); break;
    case E_INT: put(o, aBuf, (size_t)snprintf(aBuf, sizeof(aBuf), "%lld", (long long)e->iVal)); break;
    case E_FLOAT: putNum(o, e->rVal, 1); break;
    case E_QTY: putNum(o, e->rVal, 0); puts0(o, e->zUnit ? e->zUnit : ""); break;
    case E_STR: putStr(o, e->zName, e->nName); break;
    case E_LABEL: put(o, "~", 1); putStr(o, e->zName, e->nName); break;
    case E_DATE:
      put(o, "@", 1);
      put(o, aBuf, (size_t)faktDateFormat((uint64_t)e->iVal, aBuf));
      break;
    case E_BOOL: puts0(o, e->iVal ? "true" : "false"); break;
    case E_NULL: puts0(o, "null"); break;
    case E_CALL: case E_AGG:
      puts0(o, e->op==E_AGG ? "(agg " : "(call ");
      put(o, e->zName, (size_t)e->nName);
      if( e->bDistinct ) puts0(o, " distinct");
      dumpList(o, e->pArgs);
      put(o, ")", 1);
      break;
    case E_NEG: case E_NOT:
      puts0(o, e->op==E_NEG ? "(- " : "(not ");
      dumpExpr(o, e->pLeft);
      put(o, ")", 1);
      break;
    default:
      if( e->op>=E_ADD && e->op<=E_GE ){
        put(o, "(", 1);
        puts0(o, azOp[e->op - E_ADD]);
        put(o, " ", 1);
        dumpExpr(o, e->pLeft);
        put(o, " ", 1);
        dumpExpr(o, e->pRight);
        put(o, ")", 1);
      }
      break;
  }
}

static void dumpBody(Out *o, const Body *b);

static void dumpLit(Out *o, const Literal *l){
  switch( l->kind ){
    case L_TRIPLE:
      puts0(o, "(triple ");
      if( l->pClaim ){ dumpExpr(o, l->pClaim); puts0(o, " : "); }
      dumpExpr(o, l->pS); put(o, " ", 1);
      dumpExpr(o, l->pP); put(o, " ", 1);
      dumpExpr(o, l->pO);
      put(o, ")", 1);
      break;
    case L_CALL: case L_CMP:
      dumpExpr(o, l->pExpr);
      break;
    case L_NOT: case L_OPTIONAL:
      puts0(o, l->kind==L_NOT ? "(not" : "(optional");
      dumpBody(o, l->pSub);
      put(o, ")", 1);
      break;
  }
}

static void dumpBody(Out *o, const Body *b){
  for(const Literal *l = b ? b->pFirst : NULL; l; l = l->pNext){
    put(o, " ", 1);
    dumpLit(o, l);
  }
}

/* " (NAME a b c)" for a non-empty list; strings quoted if bStr. */
static void dumpIds(Out *o, const char *zName, const IdList *l, int bStr){
  if( l->n==0 ) return;
  put(o, " (", 2);
  puts0(o, zName);
  for(int i=0; i<l->n; i++){
    put(o, " ", 1);
    if( bStr ) putStr(o, l->az[i], (int)strlen(l->az[i]));
    else puts0(o, l->az[i]);
  }
  put(o, ")", 1);
}

/* " (NAME value)" when z is set. */
static void dumpOpt(Out *o, const char *zName, const char *z, int bStr){
  if( z==NULL ) return;
  put(o, " (", 2);
  puts0(o, zName);
  put(o, " ", 1);
  if( bStr ) putStr(o, z, (int)strlen(z));
  else puts0(o, z);
  put(o, ")", 1);
}

/* " (NAME expr)" when e is set. */
static void dumpOptExpr(Out *o, const char *zName, const Expr *e){
  if( e==NULL ) return;
  put(o, " (", 2);
  puts0(o, zName);
  put(o, " ", 1);
  dumpExpr(o, e);
  put(o, ")", 1);
}

static void dumpFind(Out *o, const Stmt *s){
  puts0(o, "(find");
  if( s->mode==F_EXPLAIN ) puts0(o, " explain");
  if( s->mode==F_WHY ) puts0(o, " why");
  if( s->bDistinct ) puts0(o, " distinct");
  for(int i=0; s->pProj && i<s->pProj->n; i++){
    const ExprItem *it = &s->pProj->a[i];
    put(o, " ", 1);
    if( it->zAlias ) puts0(o, "(as ");
    dumpExpr(o, it->p);
    if( it->zAlias ){ put(o, " ", 1); puts0(o, it->zAlias); put(o, ")", 1); }
  }
  if( s->pWhere ){ puts0(o, " (where"); dumpBody(o, s->pWhere); put(o, ")", 1); }
  if( s->pOrder ){
    puts0(o, " (order");
    for(int i=0; i<s->pOrder->n; i++){
      put(o, " ", 1);
      if( s->pOrder->a[i].bDesc ) puts0(o, "(desc ");
      dumpExpr(o, s->pOrder->a[i].p);
      if( s->pOrder->a[i].bDesc ) put(o, ")", 1);
    }
    put(o, ")", 1);
  }
  dumpOptExpr(o, "limit", s->pLimit);
  dumpOptExpr(o, "offset", s->pOffset);
  dumpOptExpr(o, "asof", s->pAsOf);
  put(o, ")", 1);
}

/*
** The statement as a compact S-expression, e.g.
**   (find ?x (where (triple ?x left pyongyang)) (limit 3))
** malloc'd (free with free()); NULL on OOM or for a NULL statement.
*/
char *faktAstDump(const Stmt *s){
  Out o = {0};
  char aBuf[80];
  if( s==NULL ) return NULL;
  switch( s->kind ){
    case S_ENTITY:
      puts0(&o, "(entity "); puts0(&o, s->zId); put(&o, " ", 1);
      puts0(&o, s->zType); put(&o, " ", 1);
      putStr(&o, s->zLabel, (int)strlen(s->zLabel));
      dumpIds(&o, "aka", &s->aka, 1);
      if( s->bAt ){
        snprintf(aBuf, sizeof(aBuf), " (at %.15g %.15g)", s->rLat, s->rLon);
        puts0(&o, aBuf);
      }
      dumpIds(&o, "in", &s->in, 0);
      put(&o, ")", 1);
      break;
    case S_SOURCE:
      puts0(&o, "(source "); puts0(&o, s->zId); put(&o, " ", 1);
      putStr(&o, s->zLabel, (int)strlen(s->zLabel));
      dumpOpt(&o, "by", s->zBy, 0);
      dumpOptExpr(&o, "published", s->pPublished);
      dumpOpt(&o, "file", s->zFile, 1);
      dumpOpt(&o, "text", s->zText, 1);
      put(&o, ")", 1);
      break;
    case S_PREDICATE:
      puts0(&o, "(predicate "); puts0(&o, s->zId);
      dumpOpt(&o, "type", s->zType, 0);
      if( s->bSingle ) puts0(&o, " single");
      if( s->zLabel ){ put(&o, " ", 1); putStr(&o, s->zLabel, (int)strlen(s->zLabel)); }
      put(&o, ")", 1);
      break;
    case S_CLAIM:
      puts0(&o, s->bCorrect ? "(correct " : "(claim ");
      if( s->zId ){ puts0(&o, s->zId); puts0(&o, ": "); }
      dumpExpr(&o, s->pS); put(&o, " ", 1);
      dumpExpr(&o, s->pP); put(&o, " ", 1);
      dumpExpr(&o, s->pO);
      dumpOpt(&o, "from", s->zFrom, 0);
      dumpOpt(&o, "by", s->zBy, 0);
      dumpIds(&o, "via", &s->via, 0);
      dumpOpt(&o, "stance", s->zStance, 0);
      dumpOptExpr(&o, "holds", s->pHolds);
      dumpOptExpr(&o, "until", s->pUntil);
      dumpOptExpr(&o, "said", s->pSaid);
      dumpOpt(&o, "quote", s->zQuote, 1);
      put(&o, ")", 1);
      break;
    case S_RULE:
      puts0(&o, "(rule "); puts0(&o, s->zId); puts0(&o, " (");
      for(int i=0; s->pHead && i<s->pHead->n; i++){
        if( i ) put(&o, " ", 1);
        dumpExpr(&o, s->pHead->a[i].p);
      }
      puts0(&o, ") (if");
      dumpBody(&o, s->pBody);
      puts0(&o, "))");
      break;
    case S_DROP_RULE: puts0(&o, "(drop-rule "); puts0(&o, s->zId); put(&o, ")", 1); break;
    case S_RETRACT:
      puts0(&o, "(retract");
      for(int i=0; i<s->in.n; i++){ put(&o, " ", 1); puts0(&o, s->in.az[i]); }
      put(&o, ")", 1);
      break;
    case S_BEGIN: puts0(&o, "(begin)"); break;
    case S_COMMIT: puts0(&o, "(commit)"); break;
    case S_ROLLBACK: puts0(&o, "(rollback)"); break;
    case S_VERIFY:
      puts0(&o, "(verify");
      if( s->zId ){ put(&o, " ", 1); puts0(&o, s->zId); }
      put(&o, ")", 1);
      break;
    case S_LOAD:
      puts0(&o, "(load "); putStr(&o, s->zPath, (int)strlen(s->zPath)); put(&o, ")", 1);
      break;
    case S_FIND: dumpFind(&o, s); break;
  }
  if( o.bOom || o.z==NULL ){ free(o.z); return NULL; }
  return o.z;
}
