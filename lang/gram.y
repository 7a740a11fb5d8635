/*
** gram.y -- the Lemon grammar of the fakt language (doc/LANG.md section 3).
**
** One call of the parser reads exactly one statement ending in ';' (parse.c
** feeds the tokens, then 0). Actions are one-line calls of the builders in
** ast.c; every node lives in the statement's arena, so no nonterminal owns
** heap memory and none needs a %destructor.
*/

%include {
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fakt.h"
#include "parse.h"

/* Stop at the first syntax error: parse.c abandons the statement. */
#define YYNOERRORRECOVERY 1
/* parse.c never hands a NULL engine to faktParserFree. */
#define YYPARSEFREENEVERNULL 1

struct yyParser;
static void syntaxError(struct yyParser *pEngine, Parse *pParse, int iTok,
                        const Token *pTok);
void faktParserFeed(void *pEngine, int iMajor, Token sMinor);
}

%name faktParser
%token_prefix TK_
%token_type {Token}
%extra_context {Parse *pParse}
%stack_size 1000
%start_symbol input

%syntax_error {
  (void)yymajor;
  syntaxError(yypParser, pParse, yymajor, &TOKEN);
}
%stack_overflow {
  faktErrSet(pParse->pErr, FAKT_SYNTAX, &pParse->sLast.pos, "nesting too deep");
}

/* Token order matters only for the "expected ..." lists, which follow it. */
%token SEMI ID VAR PARAM STRING INTEGER FLOAT QTY DATE.
%token COMMA COLON DOT LP RP LB RB TILDE.
/* Produced only by the lexer (lex.re) and handled by parse.c. */
%token SPACE COMMENT ILLEGAL BADUTF8 NUL UNTERM_STRING UNTERM_COMMENT.
/* "as" directly followed by "of", merged by parse.c (LALR(1) could not
** tell "find ?x as name" from "find ?x as of 3" after the "as"). */
%token ASOF.

/* Precedence, lowest first. */
%nonassoc EQ NE LT LE GT GE.
%left PLUS MINUS.
%left STAR SLASH REM.
%right UMINUS.

/* Soft keywords: identifiers wherever the keyword cannot stand. `source` is
** soft too, so that the built-in relation source(?c, ?s) can be called. */
%fallback ID BY FILE TEXT QUOTE COUNT SUM MIN MAX AVG LIST SINGLE AT UNTIL
  SAID HOLDS PUBLISHED STANCE VIA FROM AKA ASC DESC OFFSET SOURCE PREDICATE VERIFY CORRECT.

/* Reserved words the grammar does not use (yet). */
%token AND OF.

%type nm {Token}
%type ptype {Token}
%type snum {double}
%type term {Expr*}
%type cterm {Expr*}
%type cval {Expr*}
%type pterm {Expr*}
%type expr {Expr*}
%type lim {Expr*}
%type exprlist {ExprList*}
%type args {ExprList*}
%type termlist {ExprList*}
%type projlist {ExprList*}
%type orderlist {ExprList*}
%type lit {Literal*}
%type body {Body*}
%type where_opt {Body*}
%type order_opt {ExprList*}
%type findmode {int}
%type distinct {int}
%type dir {int}
%type aggfn {Token}

input ::= cmd SEMI.

nm(A) ::= ID(X).                        {A = X;}

////////////////////////////// entity ID TYPE LABEL [aka ..] [at ..] [in ..]
cmd ::= ENTITY nm(N) nm(T) STRING(L) entopts.  {faktStmtEntity(pParse, &N, &T, &L);}
entopts ::= .
entopts ::= entopts entopt.
entopt ::= AKA akalist.
entopt ::= AT(K) snum(X) COMMA snum(Y).    {faktStmtAt(pParse, &K, X, Y);}
entopt ::= IN inlist.
akalist ::= STRING(S).                  {faktIdListAppend(pParse, &pParse->pStmt->aka, &S, 1);}
akalist ::= akalist COMMA STRING(S).    {faktIdListAppend(pParse, &pParse->pStmt->aka, &S, 1);}
inlist ::= nm(N).                       {faktIdListAppend(pParse, &pParse->pStmt->in, &N, 0);}
inlist ::= inlist COMMA nm(N).          {faktIdListAppend(pParse, &pParse->pStmt->in, &N, 0);}
snum(A) ::= INTEGER(X).               {A = faktTokenNumber(pParse, &X);}
snum(A) ::= FLOAT(X).                 {A = faktTokenNumber(pParse, &X);}
snum(A) ::= MINUS INTEGER(X).         {A = -faktTokenNumber(pParse, &X);}
snum(A) ::= MINUS FLOAT(X).           {A = -faktTokenNumber(pParse, &X);}

////////////////////////////// source ID TITLE [by ..] [published ..] [file ..|text ..]
cmd ::= SOURCE nm(N) STRING(T) srcopts. {faktStmtSource(pParse, &N, &T);}
srcopts ::= .
srcopts ::= srcopts srcopt.
srcopt ::= BY(K) ename(X).              {faktStmtOption(pParse, OPT_BY, &K, &X);}
srcopt ::= PUBLISHED(K) DATE(X).        {faktStmtOption(pParse, OPT_PUBLISHED, &K, &X);}
srcopt ::= FILE(K) STRING(X).           {faktStmtOption(pParse, OPT_FILE, &K, &X);}
srcopt ::= TEXT(K) STRING(X).           {faktStmtOption(pParse, OPT_TEXT, &K, &X);}

////////////////////////////// predicate NAME [: TYPE] [single] [STR]
cmd ::= PREDICATE nm(N) predopts.       {faktStmtPredicate(pParse, &N);}
predopts ::= .
predopts ::= predopts predopt.
predopt ::= COLON(K) ptype(X).          {faktStmtOption(pParse, OPT_TYPE, &K, &X);}
predopt ::= SINGLE(K).                  {faktStmtOption(pParse, OPT_SINGLE, &K, &K);}
predopt ::= STRING(X).                  {faktStmtOption(pParse, OPT_DOC, &X, &X);}
ptype(A) ::= nm(X).                     {A = X;}
ptype(A) ::= ENTITY(X).                 {A = X;}
ptype(A) ::= CLAIM(X).                  {A = X;}

////////////////////////////// claim [ID :] SUBJECT PRED OBJECT {option}
cmd ::= CLAIM carg(S) nm(P) carg(O) claimopts.         {faktStmtClaim(pParse, 0, S, &P, O);}
cmd ::= CLAIM ID(N) COLON carg(S) nm(P) carg(O) claimopts.  {faktStmtClaim(pParse, &N, S, &P, O);}
/* correct ID: SUBJECT PRED OBJECT {option}: a new version of claim ID */
cmd ::= CORRECT ID(N) COLON carg(S) nm(P) carg(O) claimopts.  {faktStmtClaim(pParse, &N, S, &P, O); pParse->pStmt->bCorrect = 1;}
/* a claim's subject and object: a constant, or a parameter bound through the API */
%type carg {Expr*}
carg(A) ::= cterm(X).                   {A = X;}
carg(A) ::= PARAM(X).                   {A = faktExpr(pParse, E_PARAM, &X);}
claimopts ::= .
claimopts ::= claimopts claimopt.
claimopt ::= FROM(K) ename(X).          {faktStmtOption(pParse, OPT_FROM, &K, &X);}
claimopt ::= BY(K) ename(X).            {faktStmtOption(pParse, OPT_BY, &K, &X);}
claimopt ::= VIA vialist.
claimopt ::= STANCE(K) nm(X).           {faktStmtOption(pParse, OPT_STANCE, &K, &X);}
claimopt ::= HOLDS(K) DATE(X).          {faktStmtOption(pParse, OPT_HOLDS, &K, &X);}
claimopt ::= HOLDS(K) DATE(X) UNTIL(U) DATE(Y).  {faktStmtOption(pParse, OPT_HOLDS, &K, &X); faktStmtOption(pParse, OPT_UNTIL, &U, &Y);}
claimopt ::= SAID(K) DATE(X).           {faktStmtOption(pParse, OPT_SAID, &K, &X);}
claimopt ::= QUOTE(K) STRING(X).        {faktStmtOption(pParse, OPT_QUOTE, &K, &X);}
/* the same options bound through the API (SPEC.md 4.4): never pasted text */
claimopt ::= FROM(K) PARAM(X).          {faktStmtOptionParam(pParse, OPT_FROM, &K, &X);}
claimopt ::= BY(K) PARAM(X).            {faktStmtOptionParam(pParse, OPT_BY, &K, &X);}
claimopt ::= STANCE(K) PARAM(X).        {faktStmtOptionParam(pParse, OPT_STANCE, &K, &X);}
claimopt ::= HOLDS(K) PARAM(X).         {faktStmtOptionParam(pParse, OPT_HOLDS, &K, &X);}
claimopt ::= SAID(K) PARAM(X).          {faktStmtOptionParam(pParse, OPT_SAID, &K, &X);}
claimopt ::= QUOTE(K) PARAM(X).         {faktStmtOptionParam(pParse, OPT_QUOTE, &K, &X);}
vialist ::= ename(N).                   {faktIdListAppend(pParse, &pParse->pStmt->via, &N, 0);}
vialist ::= vialist COMMA ename(N).     {faktIdListAppend(pParse, &pParse->pStmt->via, &N, 0);}
/* an entity after by, via or from: its id, or its label ~"Putin" (the
** token is then the string, quotes included, positioned at the "~") */
%type ename {Token}
ename(A) ::= nm(X).                     {A = X;}
ename(A) ::= TILDE(K) STRING(X).        {A = X; A.pos = K.pos;}

////////////////////////////// rule NAME(ARG, ...) if BODY; drop rule NAME
cmd ::= RULE nm(N) LP termlist(H) RP IF body(B).   {faktStmtRule(pParse, &N, H, B);}
cmd ::= RULE nm(N) LP RP IF body(B).    {faktStmtRule(pParse, &N, 0, B);}
cmd ::= DROP RULE nm(N).                {faktStmtName(pParse, S_DROP_RULE, &N);}
termlist(A) ::= term(X).                {A = faktExprListAppend(pParse, 0, X, 0);}
termlist(A) ::= termlist(L) COMMA term(X).  {A = faktExprListAppend(pParse, L, X, 0);}

////////////////////////////// retract, transactions, load
cmd ::= RETRACT retractlist.            {pParse->pStmt->kind = S_RETRACT;}
retractlist ::= nm(N).                  {faktIdListAppend(pParse, &pParse->pStmt->in, &N, 0);}
retractlist ::= retractlist COMMA nm(N).  {faktIdListAppend(pParse, &pParse->pStmt->in, &N, 0);}
cmd ::= BEGIN.                          {pParse->pStmt->kind = S_BEGIN;}
cmd ::= COMMIT.                         {pParse->pStmt->kind = S_COMMIT;}
cmd ::= ROLLBACK.                       {pParse->pStmt->kind = S_ROLLBACK;}
cmd ::= LOAD STRING(S).                 {faktStmtLoad(pParse, &S);}

////////////////////////////// verify [SOURCE]: re-check every evidence span (SPEC.md 4.12)
cmd ::= VERIFY.                         {pParse->pStmt->kind = S_VERIFY;}
cmd ::= VERIFY nm(N).                   {faktStmtName(pParse, S_VERIFY, &N);}

////////////////////////////// [explain|why] find ... where ... order by ... limit ... as of
cmd ::= findmode(M) FIND distinct(D) projlist(P) where_opt(W) order_opt(O) limit_opt asof_opt.  {faktStmtFind(pParse, M, D, P, W, O);}
findmode(A) ::= .                       {A = F_PLAIN;}
findmode(A) ::= EXPLAIN.                {A = F_EXPLAIN;}
findmode(A) ::= EXPLAIN ID(X).          {
  A = F_SQL;
  if( X.n!=3 || strncmp(X.z, "sql", 3)!=0 ){
    faktErrSet(pParse->pErr, FAKT_SYNTAX, &X.pos, "near \"%.*s\": syntax error, expected \"find\" or \"sql\"", X.n, X.z);
  }
}
findmode(A) ::= WHY.                    {A = F_WHY;}
distinct(A) ::= .                       {A = 0;}
distinct(A) ::= DISTINCT.               {A = 1;}
projlist(A) ::= expr(X).                {A = faktExprListAppend(pParse, 0, X, 0);}
projlist(A) ::= expr(X) AS nm(N).       {A = faktExprListAppend(pParse, 0, X, &N);}
projlist(A) ::= projlist(L) COMMA expr(X).          {A = faktExprListAppend(pParse, L, X, 0);}
projlist(A) ::= projlist(L) COMMA expr(X) AS nm(N). {A = faktExprListAppend(pParse, L, X, &N);}
where_opt(A) ::= .                      {A = 0;}
where_opt(A) ::= WHERE body(B).         {A = B;}
order_opt(A) ::= .                      {A = 0;}
order_opt(A) ::= ORDER BY orderlist(L). {A = L;}
orderlist(A) ::= expr(X) dir(D).        {A = faktOrderAppend(pParse, 0, X, D);}
orderlist(A) ::= orderlist(L) COMMA expr(X) dir(D).  {A = faktOrderAppend(pParse, L, X, D);}
dir(A) ::= .                            {A = 0;}
dir(A) ::= ASC.                         {A = 0;}
dir(A) ::= DESC.                        {A = 1;}
limit_opt ::= .
limit_opt ::= LIMIT lim(X).             {pParse->pStmt->pLimit = X;}
limit_opt ::= LIMIT lim(X) OFFSET lim(Y).  {pParse->pStmt->pLimit = X; pParse->pStmt->pOffset = Y;}
asof_opt ::= .
asof_opt ::= ASOF lim(X).               {pParse->pStmt->pAsOf = X;}
lim(A) ::= INTEGER(X).                  {A = faktExpr(pParse, E_INT, &X);}
lim(A) ::= PARAM(X).                    {A = faktExpr(pParse, E_PARAM, &X);}

////////////////////////////// bodies: LITERAL {, LITERAL}
body(A) ::= lit(L).                     {A = faktBodyAppend(pParse, 0, L);}
body(A) ::= body(B) COMMA lit(L).       {A = faktBodyAppend(pParse, B, L);}
lit(A) ::= term(S) pterm(P) term(O).    {A = faktLitTriple(pParse, 0, S, P, O);}
lit(A) ::= term(C) COLON term(S) pterm(P) term(O).  {A = faktLitTriple(pParse, C, S, P, O);}
lit(A) ::= ID(N) LP args(L) RP.         {A = faktLitExpr(pParse, faktExprCall(pParse, &N, L, 0));}
lit(A) ::= NOT(K) lit(L).               {A = faktLitSub(pParse, L_NOT, faktBodyAppend(pParse, 0, L), &K);}
lit(A) ::= NOT(K) LB body(B) RB.        {A = faktLitSub(pParse, L_NOT, B, &K);}
lit(A) ::= OPTIONAL(K) LB body(B) RB.   {A = faktLitSub(pParse, L_OPTIONAL, B, &K);}
lit(A) ::= expr(X) EQ(O) expr(Y).          {A = faktLitExpr(pParse, faktExprBinaryOp(pParse, E_EQ, X, Y, &O));}
lit(A) ::= expr(X) NE(O) expr(Y).          {A = faktLitExpr(pParse, faktExprBinaryOp(pParse, E_NE, X, Y, &O));}
lit(A) ::= expr(X) LT(O) expr(Y).          {A = faktLitExpr(pParse, faktExprBinaryOp(pParse, E_LT, X, Y, &O));}
lit(A) ::= expr(X) LE(O) expr(Y).          {A = faktLitExpr(pParse, faktExprBinaryOp(pParse, E_LE, X, Y, &O));}
lit(A) ::= expr(X) GT(O) expr(Y).          {A = faktLitExpr(pParse, faktExprBinaryOp(pParse, E_GT, X, Y, &O));}
lit(A) ::= expr(X) GE(O) expr(Y).          {A = faktLitExpr(pParse, faktExprBinaryOp(pParse, E_GE, X, Y, &O));}

////////////////////////////// terms: VAR | PARAM | ID | literal | ~STR
term(A) ::= VAR(X).                     {A = faktExpr(pParse, E_VAR, &X);}
term(A) ::= PARAM(X).                   {A = faktExpr(pParse, E_PARAM, &X);}
term(A) ::= cterm(X).                   {A = X;}
cterm(A) ::= ID(X).                     {A = faktExpr(pParse, E_ID, &X);}
cterm(A) ::= cval(X).                  {A = X;}
pterm(A) ::= VAR(X).                    {A = faktExpr(pParse, E_VAR, &X);}
pterm(A) ::= PARAM(X).                  {A = faktExpr(pParse, E_PARAM, &X);}
pterm(A) ::= ID(X).                     {A = faktExpr(pParse, E_ID, &X);}
cval(A) ::= INTEGER(X).                {A = faktExpr(pParse, E_INT, &X);}
cval(A) ::= FLOAT(X).                  {A = faktExpr(pParse, E_FLOAT, &X);}
cval(A) ::= QTY(X).                    {A = faktExpr(pParse, E_QTY, &X);}
cval(A) ::= DATE(X).                   {A = faktExpr(pParse, E_DATE, &X);}
cval(A) ::= STRING(X).                 {A = faktExpr(pParse, E_STR, &X);}
cval(A) ::= TRUE(X).                   {A = faktExpr(pParse, E_BOOL, &X);}
cval(A) ::= FALSE(X).                  {A = faktExpr(pParse, E_BOOL, &X);}
cval(A) ::= NULL(X).                   {A = faktExpr(pParse, E_NULL, &X);}
cval(A) ::= TILDE(K) STRING(X).        {A = faktExprLabel(pParse, &K, &X);}
cval(A) ::= MINUS(K) INTEGER(X).       {A = faktExprNeg(pParse, &K, faktExpr(pParse, E_INT, &X));}
cval(A) ::= MINUS(K) FLOAT(X).         {A = faktExprNeg(pParse, &K, faktExpr(pParse, E_FLOAT, &X));}
cval(A) ::= MINUS(K) QTY(X).           {A = faktExprNeg(pParse, &K, faktExpr(pParse, E_QTY, &X));}

////////////////////////////// expressions
expr(A) ::= VAR(X).                     {A = faktExpr(pParse, E_VAR, &X);}
expr(A) ::= PARAM(X).                   {A = faktExpr(pParse, E_PARAM, &X);}
expr(A) ::= ID(X).                      {A = faktExpr(pParse, E_ID, &X);}
expr(A) ::= INTEGER(X).                 {A = faktExpr(pParse, E_INT, &X);}
expr(A) ::= FLOAT(X).                   {A = faktExpr(pParse, E_FLOAT, &X);}
expr(A) ::= QTY(X).                     {A = faktExpr(pParse, E_QTY, &X);}
expr(A) ::= DATE(X).                    {A = faktExpr(pParse, E_DATE, &X);}
expr(A) ::= STRING(X).                  {A = faktExpr(pParse, E_STR, &X);}
expr(A) ::= TRUE(X).                    {A = faktExpr(pParse, E_BOOL, &X);}
expr(A) ::= FALSE(X).                   {A = faktExpr(pParse, E_BOOL, &X);}
expr(A) ::= NULL(X).                    {A = faktExpr(pParse, E_NULL, &X);}
expr(A) ::= TILDE(K) STRING(X).         {A = faktExprLabel(pParse, &K, &X);}
expr(A) ::= LP expr(X) RP.              {A = X;}
expr(A) ::= ID(N) LP args(L) RP.        {A = faktExprCall(pParse, &N, L, 0);}
expr(A) ::= aggfn(N) LP args(L) RP.     {A = faktExprCall(pParse, &N, L, 0);}
expr(A) ::= aggfn(N) LP DISTINCT exprlist(L) RP.  {A = faktExprCall(pParse, &N, L, 1);}
expr(A) ::= MINUS(K) expr(X). [UMINUS]  {A = faktExprNeg(pParse, &K, X);}
expr(A) ::= expr(X) PLUS(O) expr(Y).       {A = faktExprBinaryOp(pParse, E_ADD, X, Y, &O);}
expr(A) ::= expr(X) MINUS(O) expr(Y).      {A = faktExprBinaryOp(pParse, E_SUB, X, Y, &O);}
expr(A) ::= expr(X) STAR(O) expr(Y).       {A = faktExprBinaryOp(pParse, E_MUL, X, Y, &O);}
expr(A) ::= expr(X) SLASH(O) expr(Y).      {A = faktExprBinaryOp(pParse, E_DIV, X, Y, &O);}
expr(A) ::= expr(X) REM(O) expr(Y).        {A = faktExprBinaryOp(pParse, E_MOD, X, Y, &O);}
aggfn(A) ::= COUNT(X).                  {A = X;}
aggfn(A) ::= SUM(X).                    {A = X;}
aggfn(A) ::= MIN(X).                    {A = X;}
aggfn(A) ::= MAX(X).                    {A = X;}
aggfn(A) ::= AVG(X).                    {A = X;}
aggfn(A) ::= LIST(X).                   {A = X;}
args(A) ::= .                           {A = 0;}
args(A) ::= exprlist(L).                {A = L;}
exprlist(A) ::= expr(X).                {A = faktExprListAppend(pParse, 0, X, 0);}
exprlist(A) ::= exprlist(L) COMMA expr(X).  {A = faktExprListAppend(pParse, L, X, 0);}

%code {
/*
** How each terminal is named in "expected ..." lists: keywords and
** punctuation quoted, token classes by what they are.
*/
static const char *tokenName(int t){
  switch( t ){
    case TK_SEMI: return "\";\"";          case TK_ID: return "identifier";
    case TK_VAR: return "variable";        case TK_PARAM: return "parameter";
    case TK_STRING: return "string";       case TK_INTEGER: return "integer";
    case TK_FLOAT: return "number";        case TK_QTY: return "quantity";
    case TK_DATE: return "date";           case TK_COMMA: return "\",\"";
    case TK_COLON: return "\":\"";         case TK_DOT: return "\".\"";
    case TK_LP: return "\"(\"";            case TK_RP: return "\")\"";
    case TK_LB: return "\"{\"";            case TK_RB: return "\"}\"";
    case TK_TILDE: return "\"~\"";         case TK_ASOF: return "\"as of\"";
    case TK_EQ: return "\"=\"";            case TK_NE: return "\"!=\"";
    case TK_LT: return "\"<\"";            case TK_LE: return "\"<=\"";
    case TK_GT: return "\">\"";            case TK_GE: return "\">=\"";
    case TK_PLUS: return "\"+\"";          case TK_MINUS: return "\"-\"";
    case TK_STAR: return "\"*\"";          case TK_SLASH: return "\"/\"";
    case TK_REM: return "\"%\"";           case TK_BY: return "\"by\"";
    case TK_FILE: return "\"file\"";       case TK_TEXT: return "\"text\"";
    case TK_QUOTE: return "\"quote\"";     case TK_COUNT: return "\"count\"";
    case TK_SUM: return "\"sum\"";         case TK_MIN: return "\"min\"";
    case TK_MAX: return "\"max\"";         case TK_AVG: return "\"avg\"";
    case TK_LIST: return "\"list\"";       case TK_SINGLE: return "\"single\"";
    case TK_AT: return "\"at\"";           case TK_UNTIL: return "\"until\"";
    case TK_SAID: return "\"said\"";       case TK_HOLDS: return "\"holds\"";
    case TK_PUBLISHED: return "\"published\"";  case TK_STANCE: return "\"stance\"";
    case TK_VIA: return "\"via\"";         case TK_FROM: return "\"from\"";
    case TK_AKA: return "\"aka\"";         case TK_ASC: return "\"asc\"";
    case TK_DESC: return "\"desc\"";       case TK_OFFSET: return "\"offset\"";
    case TK_SOURCE: return "\"source\"";   case TK_ENTITY: return "\"entity\"";
    case TK_IN: return "\"in\"";           case TK_PREDICATE: return "\"predicate\"";
    case TK_CLAIM: return "\"claim\"";     case TK_RULE: return "\"rule\"";
    case TK_IF: return "\"if\"";           case TK_DROP: return "\"drop\"";
    case TK_RETRACT: return "\"retract\""; case TK_BEGIN: return "\"begin\"";
    case TK_COMMIT: return "\"commit\"";   case TK_ROLLBACK: return "\"rollback\"";
    case TK_LOAD: return "\"load\"";       case TK_FIND: return "\"find\"";
    case TK_EXPLAIN: return "\"explain\""; case TK_WHY: return "\"why\"";
    case TK_DISTINCT: return "\"distinct\"";  case TK_AS: return "\"as\"";
    case TK_WHERE: return "\"where\"";     case TK_ORDER: return "\"order\"";
    case TK_LIMIT: return "\"limit\"";     case TK_NOT: return "\"not\"";
    case TK_OPTIONAL: return "\"optional\"";  case TK_TRUE: return "\"true\"";
    case TK_FALSE: return "\"false\"";     case TK_NULL: return "\"null\"";
    case TK_AND: return "\"and\"";         case TK_OF: return "\"of\"";
    case TK_VERIFY: return "\"verify\"";  case TK_CORRECT: return "\"correct\"";
    default: return 0;
  }
}

/* The action of state s on terminal t; with bFallback, as the engine does
** it (a soft keyword the state has no action for is tried as ID). */
static YYACTIONTYPE findAction(YYACTIONTYPE s, int t, int bFallback){
  if( s>YY_MAX_SHIFT ) return s;                    /* a pending reduce */
  if( s>YY_SHIFT_COUNT ) return yy_default[s];
  for(;;){
    int i = yy_shift_ofst[s] + t;
    if( i>=0 && i<(int)YY_NLOOKAHEAD && yy_lookahead[i]==t ) return yy_action[i];
    if( !bFallback || t>=(int)(sizeof(yyFallback)/sizeof(yyFallback[0]))
     || yyFallback[t]==0 ){
      return yy_default[s];
    }
    t = yyFallback[t];
  }
}

/*
** Would terminal t be shifted next? Runs the reductions it causes on a copy
** of the state stack (one table lookup is not enough: default reductions
** happen before an error shows). 1 yes, 0 no, -1 the stack would overflow.
*/
static int wouldShift(yyParser *p, int t, int bFallback){
  YYACTIONTYPE aStk[YYSTACKDEPTH + 8];
  int n = (int)(p->yytos - p->yystack) + 1;
  if( n>YYSTACKDEPTH ) return -1;
  for(int i=0; i<n; i++) aStk[i] = p->yystack[i].stateno;
  for(int nStep=0; nStep<100000; nStep++){
    YYACTIONTYPE act = findAction(aStk[n-1], t, bFallback);
    if( act<YY_MIN_REDUCE ) return act<=YY_MAX_SHIFTREDUCE || act==YY_ACCEPT_ACTION;
    int iRule = act - YY_MIN_REDUCE;
    n += yyRuleInfoNRhs[iRule];
    if( n<1 ) return 0;
    if( n>=YYSTACKDEPTH ) return -1;
    aStk[n] = yy_find_reduce_action(aStk[n-1], (YYCODETYPE)yyRuleInfoLhs[iRule]);
    n++;
  }
  return 0;
}

/*
** Feed one token to the engine (parse.c calls this, not faktParser). A
** token the grammar cannot take is reported here, with the terminals the
** state before it expected, and not fed.
*/
void faktParserFeed(void *pEngine, int iMajor, Token sMinor){
  yyParser *p = (yyParser*)pEngine;
  if( iMajor>0 && wouldShift(p, iMajor, 1)==0 ){
    syntaxError(p, p->pParse, iMajor, &sMinor);
    return;
  }
  faktParser(pEngine, iMajor, sMinor);
}

/*
** Report a syntax error at pTok: 'near "X": syntax error, expected A, B or C',
** or 'incomplete input, expected ...' at the end of the text (parse.c marks
** the end with an empty SEMI token).
*/
static void syntaxError(struct yyParser *pEngine, Parse *pParse, int iTok,
                        const Token *pTok){
  char zList[600];
  int nList = 0, nFound = 0, nShown = 0;
  const char *azTok[YYNTOKEN];
  for(int t=1; t<YYNTOKEN; t++){
    const char *zName = tokenName(t);
    if( zName && t!=iTok && wouldShift(pEngine, t, 0)==1 ) azTok[nFound++] = zName;
  }
  zList[0] = 0;
  for(int i=0; i<nFound && nShown<12; i++, nShown++){
    const char *zSep = i==0 ? "" : (i==nFound-1 ? " or " : ", ");
    int k = snprintf(zList+nList, sizeof(zList)-(size_t)nList, "%s%s", zSep, azTok[i]);
    if( k<0 || k>=(int)sizeof(zList)-nList ) break;
    nList += k;
  }
  if( nShown<nFound ){
    snprintf(zList+nList, sizeof(zList)-(size_t)nList, ", ...");
  }
  if( pTok->n==0 ){
    faktErrSet(pParse->pErr, FAKT_SYNTAX, &pTok->pos, "incomplete input%s%s",
               nFound ? ", expected " : "", zList);
  }else{
    faktErrSet(pParse->pErr, FAKT_SYNTAX, &pTok->pos, "near \"%.*s\": syntax error%s%s",
               pTok->n, pTok->z, nFound ? ", expected " : "", zList);
  }
}
}
