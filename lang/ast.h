/*
** ast.h -- the syntax tree of one fakt statement, built by the grammar.
**
** Every node lives in an Arena owned by the statement: the tree is freed in
** one step by faktArenaFree(). Strings in nodes are arena copies (string
** literals already unescaped), NUL-terminated, with their byte length.
*/
#ifndef FAKT_AST_H
#define FAKT_AST_H

#include <stddef.h>
#include <stdint.h>
#include "base.h"

/* ---------- tokens ---------- */
typedef struct Token {
  const char *z;           /* points into the query text; never copied */
  int n;                   /* length in bytes */
  Pos pos;                 /* where it starts */
} Token;

/* ---------- expressions and terms ---------- */
typedef enum ExprOp {
  E_VAR = 1,   /* ?name: zName without '?' */
  E_PARAM,     /* $name / $N / ?: zName is "$name", "$N" or "?", iParam set */
  E_ID,        /* identifier: entity, claim, source, stance or type */
  E_INT,       /* iVal */
  E_FLOAT,     /* rVal */
  E_STR,       /* zName/nName: the unescaped text */
  E_QTY,       /* rVal (the number; iVal too when integral, bIntQty), zUnit */
  E_DATE,      /* iVal = packed date (see faktDatePack), iPrec */
  E_BOOL,      /* iVal 0/1 */
  E_NULL,
  E_LABEL,     /* ~"text": entity by label/alias; zName = text */
  E_CALL,      /* zName(pArgs) built-in function, or relation in a body */
  E_AGG,       /* aggregate zName(pArgs) count/sum/min/max/avg/list; bDistinct */
  E_NEG,       /* -pLeft */
  E_NOT,       /* reserved for expression negation */
  E_ADD, E_SUB, E_MUL, E_DIV, E_MOD,
  E_EQ, E_NE, E_LT, E_LE, E_GT, E_GE
} ExprOp;

typedef struct ExprList ExprList;
typedef struct Expr Expr;
struct Expr {
  ExprOp op;
  Pos pos;                 /* position of the first token of the node */
  const char *zName;       /* see ExprOp */
  int nName;               /* bytes in zName */
  int64_t iVal;            /* E_INT, E_DATE, E_BOOL */
  double rVal;             /* E_FLOAT, E_QTY */
  int iPrec;               /* E_DATE: 1 year, 2 month, 3 day */
  const char *zUnit;       /* E_QTY */
  int bDistinct;           /* E_AGG: count(distinct x) */
  int iParam;              /* E_PARAM: 1-based index */
  int bIntQty;             /* E_QTY: the number was an integer (iVal valid) */
  Expr *pLeft, *pRight;    /* operands */
  Pos posOp;               /* binary operators: where the operator stands */
  int nHeight;             /* 1 for a leaf; bounded by FAKT_MAX_HEIGHT */
  ExprList *pArgs;         /* E_CALL, E_AGG arguments (may be NULL: no args) */
  /* Filled by the resolver, not the parser: */
  int iSlot;               /* E_VAR: register; -1 before resolution */
  int iAgg;                /* E_AGG: aggregate index */
  void *pAux;              /* resolver scratch (resolved constant etc.) */
};

typedef struct ExprItem {
  Expr *p;
  const char *zAlias;      /* "as NAME", or NULL */
  int bDesc;               /* order by: 1 for desc */
} ExprItem;

struct ExprList {
  int n;                   /* items used */
  int nAlloc;              /* items allocated */
  ExprItem *a;
};

/* ---------- bodies ---------- */
typedef enum LitKind {
  L_TRIPLE = 1,  /* [pClaim :] pS pP pO */
  L_CALL,        /* pExpr is an E_CALL: rule, built-in relation, or test */
  L_CMP,         /* pExpr is a comparison (E_EQ..E_GE) */
  L_NOT,         /* pSub negated */
  L_OPTIONAL     /* pSub optional */
} LitKind;

typedef struct Body Body;
typedef struct Literal Literal;
struct Literal {
  LitKind kind;
  Pos pos;
  Expr *pClaim;            /* L_TRIPLE: claim variable or NULL */
  Expr *pS, *pP, *pO;      /* L_TRIPLE terms */
  Expr *pExpr;             /* L_CALL, L_CMP */
  Body *pSub;              /* L_NOT, L_OPTIONAL */
  Literal *pNext;          /* next literal of the body */
};

struct Body {
  Literal *pFirst, *pLast;
  int n;
};

/* ---------- statements ---------- */
typedef enum StmtKind {
  S_ENTITY = 1, S_SOURCE, S_PREDICATE, S_CLAIM, S_RULE, S_DROP_RULE,
  S_RETRACT, S_BEGIN, S_COMMIT, S_ROLLBACK, S_LOAD, S_FIND, S_VERIFY
} StmtKind;

typedef enum FindMode { F_PLAIN = 0, F_EXPLAIN, F_WHY, F_SQL } FindMode;  /* F_SQL: explain sql */

typedef struct IdList {       /* a list of identifiers or strings */
  int n, nAlloc;
  Token *a;                   /* token views; text copied via faktArenaStrdup */
  const char **az;            /* arena copies (strings unescaped) */
} IdList;

typedef struct Stmt {
  StmtKind kind;
  Pos pos;                    /* first token */
  int iEnd;                   /* byte offset just past the ';' */

  /* S_ENTITY, S_SOURCE, S_PREDICATE, S_CLAIM (optional id), S_RULE, S_DROP_RULE */
  Token id;                   /* the defined name; id.n==0 if absent */
  const char *zId;            /* arena copy of id */
  Token type;                 /* S_ENTITY type; S_PREDICATE object type */
  const char *zType;
  const char *zLabel;         /* S_ENTITY label, S_SOURCE title, S_PREDICATE doc */
  IdList aka;                 /* S_ENTITY aliases (strings) */
  int bAt;                    /* S_ENTITY: coordinates given */
  double rLat, rLon;
  Pos posAt;
  IdList in;                  /* S_ENTITY: containers; S_RETRACT: ids */

  /* S_SOURCE */
  Token by;                   /* outlet (source) / speaker (claim) */
  const char *zBy;            /* an id, or "~LABEL" for ~"LABEL" (also zFrom, via) */
  Expr *pPublished;           /* E_DATE */
  const char *zFile;          /* file PATH */
  Pos posFile;
  const char *zText;          /* text STR */

  /* S_PREDICATE */
  int bSingle;

  /* S_CLAIM */
  Expr *pS, *pP, *pO;         /* pP is E_ID */
  int bCorrect;               /* correct ID: …: a new version of claim ID */
  Token from;                 /* source */
  const char *zFrom;
  IdList via;
  Token stance;
  const char *zStance;
  Expr *pHolds, *pUntil, *pSaid;  /* E_DATE or NULL */
  const char *zQuote;
  Pos posQuote;
  Expr *aOptParam[16];        /* S_CLAIM options given as parameters, by StmtOpt */

  /* S_RULE: head name in id; head args; body */
  ExprList *pHead;
  Body *pBody;

  /* S_LOAD */
  const char *zPath;

  /* S_FIND */
  FindMode mode;
  int bDistinct;
  ExprList *pProj;
  Body *pWhere;               /* NULL: no where */
  ExprList *pOrder;
  Expr *pLimit, *pOffset;     /* E_INT or E_PARAM, or NULL */
  Expr *pAsOf;                /* E_INT or E_PARAM, or NULL */

  /* parameters seen while parsing */
  int nParam;                 /* highest parameter index */
  IdList params;              /* az[i-1] = name of parameter i ("$x", "?") */
} Stmt;

/* ---------- builders used by gram.y (ast.c) ---------- */
typedef struct Parse Parse;   /* see parse.h */

Expr     *faktExpr(Parse *p, ExprOp op, const Token *pTok);
Expr     *faktExprBinary(Parse *p, ExprOp op, Expr *pL, Expr *pR);
Expr     *faktExprBinaryOp(Parse *p, ExprOp op, Expr *pL, Expr *pR, const Token *pOp);
Expr     *faktExprCall(Parse *p, const Token *pName, ExprList *pArgs, int bDistinct);
ExprList *faktExprListAppend(Parse *p, ExprList *pList, Expr *pE, const Token *pAlias);
Literal  *faktLitTriple(Parse *p, Expr *pClaim, Expr *pS, Expr *pP, Expr *pO);
Literal  *faktLitExpr(Parse *p, Expr *pE);          /* L_CALL or L_CMP */
Literal  *faktLitSub(Parse *p, LitKind kind, Body *pSub, const Token *pTok);
Body     *faktBodyAppend(Parse *p, Body *pBody, Literal *pLit);
void      faktIdListAppend(Parse *p, IdList *pList, const Token *pTok, int bString);

/* Added for gram.y: more expression and statement builders (ast.c). */
Expr     *faktExprNeg(Parse *p, const Token *pMinus, Expr *pE);   /* folds -literal */
Expr     *faktExprLabel(Parse *p, const Token *pTilde, const Token *pStr);
ExprList *faktOrderAppend(Parse *p, ExprList *pList, Expr *pE, int bDesc);
double    faktTokenNumber(Parse *p, const Token *pTok);         /* INTEGER/FLOAT */
typedef enum StmtOpt {        /* options of entity/source/predicate/claim */
  OPT_BY = 1, OPT_PUBLISHED, OPT_FILE, OPT_TEXT, OPT_TYPE, OPT_SINGLE, OPT_DOC,
  OPT_FROM, OPT_STANCE, OPT_HOLDS, OPT_UNTIL, OPT_SAID, OPT_QUOTE
} StmtOpt;
void faktStmtOptionParam(Parse *p, StmtOpt eOpt, const Token *pKw, const Token *pParam);
void faktStmtOption(Parse *p, StmtOpt eOpt, const Token *pKw, const Token *pVal);
void faktStmtEntity(Parse *p, const Token *pId, const Token *pType, const Token *pLabel);
void faktStmtAt(Parse *p, const Token *pAt, double rLat, double rLon);
void faktStmtSource(Parse *p, const Token *pId, const Token *pTitle);
void faktStmtPredicate(Parse *p, const Token *pName);
void faktStmtClaim(Parse *p, const Token *pId, Expr *pS, const Token *pP, Expr *pO);
void faktStmtRule(Parse *p, const Token *pName, ExprList *pHead, Body *pBody);
void faktStmtName(Parse *p, StmtKind kind, const Token *pName);   /* drop rule */
void faktStmtLoad(Parse *p, const Token *pPath);
void faktStmtFind(Parse *p, int mode, int bDistinct, ExprList *pProj, Body *pWhere,
                  ExprList *pOrder);

/* Lexical helpers shared by parse.c and ast.c. faktUnescape: z[0..n) is a
** string token with its quotes; writes the unescaped text to zOut (if not
** NULL, at least n bytes) and returns its length, or -1 for a bad escape
** with *piBad = offset of its backslash in z. */
int faktUnescape(const char *z, int n, char *zOut, int *piBad);
/* Date token "@YYYY[-MM[-DD]]": 1 and the packed value and precision if it
** is a valid date, else 0. */
int faktDateToken(const char *z, int n, int64_t *piVal, int *piPrec);

/* Debug dump of a statement tree, for tests (S-expression text; caller frees). */
char *faktAstDump(const Stmt *pStmt);

#endif /* FAKT_AST_H */
