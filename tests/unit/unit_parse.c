/*
** unit_parse.c -- tests of the language front end: lexer, grammar, tree
** builders and driver (lang/). Each statement kind is checked through
** faktAstDump(), each error through its exact message and position.
** Prints "FAIL file:line: expr" per failed check and "N passed, N failed".
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fakt.h"
#include "parse.h"
#include "gram.h"

static int nPass = 0, nFail = 0;

#define CHECK(x) check((x), __FILE__, __LINE__, #x, NULL)
#define CHECK_STR(got, want) checkStr((got), (want), __FILE__, __LINE__, #got)

static void check(int b, const char *zFile, int iLine, const char *zExpr, const char *zGot){
  if( b ){ nPass++; return; }
  nFail++;
  printf("FAIL %s:%d: %s%s%s\n", zFile, iLine, zExpr, zGot ? " -- got: " : "", zGot ? zGot : "");
}

/* Compare and free a malloc'd result. */
static void checkStr(char *zGot, const char *zWant, const char *zFile, int iLine, const char *zExpr){
  check(zGot && strcmp(zGot, zWant)==0, zFile, iLine, zExpr, zGot ? zGot : "(null)");
  free(zGot);
}

/*
** Parse the first statement of z[0..n) (n<0: strlen) and describe the
** outcome: the dump, "(none)", or "ERROR rc: message". *pnUsed if not NULL.
*/
static char *parseN(const char *z, int n, const ParseOrigin *pOrigin, int *pnUsed){
  Arena a;
  FaktErr e;
  Stmt *pStmt = NULL;
  int nUsed = -1;
  char *zOut;
  if( n<0 ) n = (int)strlen(z);
  faktArenaInit(&a);
  faktErrInit(&e);
  int rc = faktParse(z, n, pOrigin, &a, &pStmt, &nUsed, &e);
  if( rc ){
    zOut = faktMprintf("ERROR %d: %s", rc, e.zMsg ? e.zMsg : "?");
    if( pStmt!=NULL ) nFail++, printf("FAIL %s:%d: statement set on error\n", __FILE__, __LINE__);
  }else if( pStmt ){
    zOut = faktAstDump(pStmt);
  }else{
    zOut = faktMprintf("(none)");
  }
  if( pnUsed ) *pnUsed = nUsed;
  faktErrClear(&e);
  faktArenaFree(&a);
  return zOut;
}
static char *parse(const char *z){ return parseN(z, -1, NULL, NULL); }

/* Type and length of the first token of z. */
static int lexType(const char *z, int *pn){
  int eType = -1;
  int n = faktLexToken((const unsigned char*)z, (const unsigned char*)z + strlen(z), &eType);
  if( pn ) *pn = n;
  return eType;
}

static void testLexer(void){
  int n;
  CHECK(lexType("?x1 ", &n)==TK_VAR && n==3);
  CHECK(lexType("? x", &n)==TK_PARAM && n==1);
  CHECK(lexType("$name,", &n)==TK_PARAM && n==5);
  CHECK(lexType("$12)", &n)==TK_PARAM && n==3);
  CHECK(lexType("60km/h;", &n)==TK_QTY && n==6);
  CHECK(lexType("6/2", &n)==TK_INTEGER && n==1);
  CHECK(lexType("1.5;", &n)==TK_FLOAT && n==3);
  CHECK(lexType("1.;", &n)==TK_INTEGER && n==1);
  CHECK(lexType("2.5e-3 ", &n)==TK_FLOAT && n==6);
  CHECK(lexType("7times", &n)==TK_QTY && n==6);
  CHECK(lexType("20\xc2\xb0" "C ", &n)==TK_QTY && n==5);        /* 20°C */
  CHECK(lexType("@2023-09-10.", &n)==TK_DATE && n==11);
  CHECK(lexType("@2023-", &n)==TK_DATE && n==5);
  CHECK(lexType("\"a\\\"b\" x", &n)==TK_STRING && n==6);
  CHECK(lexType("\"a;\nb\"", &n)==TK_STRING && n==6);
  CHECK(lexType("# c ; \nx", &n)==TK_COMMENT && n==6);
  CHECK(lexType("/* ; * */x", &n)==TK_COMMENT && n==9);
  CHECK(lexType("/* ; **", &n)==TK_UNTERM_COMMENT && n==7);
  CHECK(lexType("\"abc", &n)==TK_UNTERM_STRING && n==4);
  CHECK(lexType("find(", &n)==TK_FIND && n==4);
  CHECK(lexType("finder", &n)==TK_ID && n==6);
  CHECK(lexType("Pj\xc3\xb6ngjang ", &n)==TK_ID && n==10);
  CHECK(lexType("\xc3\xa4x", &n)==TK_ID && n==3);
  CHECK(lexType("\xe2\x80\x99", &n)==TK_ILLEGAL && n==3);     /* ’ is no letter */
  CHECK(lexType("\xff", &n)==TK_BADUTF8 && n==1);
  CHECK(lexType("\xc3", &n)==TK_BADUTF8 && n==1);              /* cut at the end */
  CHECK(lexType("!=", &n)==TK_NE && n==2);
  CHECK(lexType("<=", &n)==TK_LE && n==2);
  CHECK(lexType("!", &n)==TK_ILLEGAL && n==1);
  CHECK(lexType("~\"K\"", &n)==TK_TILDE && n==1);
  /* bounded input: a keyword cut by the end of the text */
  {
    int eType;
    n = faktLexToken((const unsigned char*)"findx", (const unsigned char*)"findx" + 3, &eType);
    CHECK(eType==TK_ID && n==3);
    n = faktLexToken((const unsigned char*)"a\0b", (const unsigned char*)"a\0b" + 3, &eType);
    CHECK(eType==TK_ID && n==1);
    n = faktLexToken((const unsigned char*)"\0b", (const unsigned char*)"\0b" + 2, &eType);
    CHECK(eType==TK_NUL && n==1);
  }
}

static void testStatements(void){
  CHECK_STR(parse("entity kim person \"Kim Jong Un\" aka \"Kim Jong-un\", \"Kim\" at 39.03, -125.75 in nk;"),
    "(entity kim person \"Kim Jong Un\" (aka \"Kim Jong-un\" \"Kim\") (at 39.03 -125.75) (in nk))");
  CHECK_STR(parse("entity chassan city \"Chassan\" in primorje, russland at 42.43, 130.64 aka \"Khasan\""),
    "(entity chassan city \"Chassan\" (aka \"Khasan\") (at 42.43 130.64) (in primorje russland))");
  CHECK_STR(parse("source s1 \"Titel\" by tass published @2023-09-10 file \"a.txt\";"),
    "(source s1 \"Titel\" (by tass) (published @2023-09-10) (file \"a.txt\"))");
  CHECK_STR(parse("source s2 \"T\" text \"full text\";"), "(source s2 \"T\" (text \"full text\"))");
  CHECK_STR(parse("predicate met : entity single \"met with\";"),
    "(predicate met (type entity) single \"met with\")");
  CHECK_STR(parse("predicate speed: quantity;"), "(predicate speed (type quantity))");
  CHECK_STR(parse("claim c1: kim met putin from s1 by anon via reuters, yonhap stance hedges"
                  " holds @2023-09 until @2023-10 said @2023-09-12 quote \"he said \\\"yes\\\"\";"),
    "(claim c1: kim met putin (from s1) (by anon) (via reuters yonhap) (stance hedges)"
    " (holds @2023-09) (until @2023-10) (said @2023-09-12) (quote \"he said \\\"yes\\\"\"))");
  CHECK_STR(parse("claim quote stance from by x;"), "(claim quote stance from (by x))");
  CHECK_STR(parse("claim train speed 60km/h;"), "(claim train speed 60km/h)");
  CHECK_STR(parse("claim x temp -5 said @2019;"), "(claim x temp -5 (said @2019))");
  CHECK_STR(parse("claim kim leads ~\"Nordkorea\";"), "(claim kim leads ~\"Nordkorea\")");
  CHECK_STR(parse("rule within_tc(?x, ?z) if ?x located_in ?y, within_tc(?y, ?z);"),
    "(rule within_tc (?x ?z) (if (triple ?x located_in ?y) (call within_tc ?y ?z)))");
  CHECK_STR(parse("drop rule r;"), "(drop-rule r)");
  CHECK_STR(parse("retract c1, s2;"), "(retract c1 s2)");
  CHECK_STR(parse("begin;"), "(begin)");
  CHECK_STR(parse("commit"), "(commit)");
  CHECK_STR(parse("rollback ;"), "(rollback)");
  CHECK_STR(parse("load \"facts/all.facts\";"), "(load \"facts/all.facts\")");
  CHECK_STR(parse("find ?x where ?x left pyongyang;"),
    "(find ?x (where (triple ?x left pyongyang)))");
  CHECK_STR(parse("explain find distinct ?x, count(distinct ?c) as n, count() where ?c: ?x said ?y,"
                  " not ?y = 3, not { ?x a b }, optional { ?x b ?z }, within(?p, vladivostok, 100),"
                  " length(?x) > -3 + 2 * ?y order by n desc, ?x asc limit 10 offset $off as of 4;"),
    "(find explain distinct ?x (as (agg count distinct ?c) n) (agg count) (where (triple ?c : ?x said ?y)"
    " (not (= ?y 3)) (not (triple ?x a b)) (optional (triple ?x b ?z)) (call within ?p vladivostok 100)"
    " (> (call length ?x) (+ -3 (* 2 ?y)))) (order (desc n) ?x) (limit 10) (offset $off#1) (asof 4))");
  CHECK_STR(parse("why find ?c where ?c: kim met ?who;"),
    "(find why ?c (where (triple ?c : kim met ?who)))");
  CHECK_STR(parse("find ?x as of 3;"), "(find ?x (asof 3))");
  CHECK_STR(parse("find ?x as /* c */ of 3;"), "(find ?x (asof 3))");
  CHECK_STR(parse("find ?x as name, ?y as of $tx;"), "(find (as ?x name) ?y (asof $tx#1))");
  CHECK_STR(parse("find (1 + 2) * 3 - -?x % 2;"), "(find (- (* (+ 1 2) 3) (% (- ?x) 2)))");
  CHECK_STR(parse("find sum(?n), min(?n), max(?n), avg(?n), list(?s) where ?s by ?n;"),
    "(find (agg sum ?n) (agg min ?n) (agg max ?n) (agg avg ?n) (agg list ?s) (where (triple ?s by ?n)))");
  CHECK_STR(parse("find ?x where source(?c, ?s), quote(?c, ?q), ?x != text;"),
    "(find ?x (where (call source ?c ?s) (call quote ?c ?q) (!= ?x text)))");
  CHECK_STR(parse("find distance(a, b) where not not ?x a b;"),
    "(find (call distance a b) (where (not (not (triple ?x a b)))))");
  CHECK_STR(parse("find ?d where ?c said ?d, ?d >= @2023-09, ?d <= @2023-09-12, ?d < @2024, ?d > @2019;"),
    "(find ?d (where (triple ?c said ?d) (>= ?d @2023-09) (<= ?d @2023-09-12) (< ?d @2024) (> ?d @2019)))");
}

static void testValues(void){
  CHECK_STR(parse("find -5, 1.5, 2.0e3, @2019, true, false, null, 1500km, -2.5km, \"a\\u{e4}\\n\\t\\r\\\\b\";"),
    "(find -5 1.5 2000.0 @2019 true false null 1500km -2.5km \"a\xc3\xa4\\n\\t\\r\\\\b\")");
  CHECK_STR(parse("find $a, $b, $a, ?x;"), "(find $a#1 $b#2 $a#1 ?x)");
  CHECK_STR(parse("find ?, ?, ?;"), "(find ?#1 ?#2 ?#3)");
  CHECK_STR(parse("find $2, $1;"), "(find $2#2 $1#1)");
  CHECK_STR(parse("find gr\xc3\xb6\xc3\x9f" "e, ?gr\xc3\xb6\xc3\x9f" "e;"),
    "(find gr\xc3\xb6\xc3\x9f" "e ?gr\xc3\xb6\xc3\x9f" "e)");
  CHECK_STR(parse("find 9223372036854775807;"), "(find 9223372036854775807)");
  CHECK_STR(parse("find @2024-02-29;"), "(find @2024-02-29)");
  CHECK_STR(parse("find 6/2, 6 / 2, 60km/h;"), "(find (/ 6 2) (/ 6 2) 60km/h)");
  CHECK_STR(parse("   # only a comment\n /* and another */ "), "(none)");
  CHECK_STR(parse(""), "(none)");

  /* parameters are recorded on the statement */
  {
    Arena a; FaktErr e; Stmt *s; int n;
    faktArenaInit(&a); faktErrInit(&e);
    int rc = faktParse("find $x, $y, $x;", 16, NULL, &a, &s, &n, &e);
    CHECK(rc==FAKT_OK && s && s->nParam==2 && s->params.n==2);
    CHECK(rc==FAKT_OK && strcmp(s->params.az[0], "$x")==0 && strcmp(s->params.az[1], "$y")==0);
    CHECK(rc==FAKT_OK && s->kind==S_FIND && s->iEnd==16 && n==16);
    faktArenaFree(&a);
    faktArenaInit(&a);
    rc = faktParse("claim a speed 60km/h;", 21, NULL, &a, &s, &n, &e);
    CHECK(rc==FAKT_OK && s->pO->op==E_QTY && s->pO->rVal==60.0 && s->pO->bIntQty
          && s->pO->iVal==60 && strcmp(s->pO->zUnit, "km/h")==0);
    faktArenaFree(&a);
    faktArenaInit(&a);
    rc = faktParse("find\n  ?x where ?x a \"b\";", 25, NULL, &a, &s, &n, &e);
    CHECK(rc==FAKT_OK && s->pos.iLine==1 && s->pos.iCol==1 && s->pos.iOff==0);
    CHECK(rc==FAKT_OK && s->pWhere->pFirst->pO->pos.iLine==2 && s->pWhere->pFirst->pO->pos.iCol==17);
    faktArenaFree(&a);
  }
}

static void testErrors(void){
  CHECK_STR(parse("find ?x wher ?x;"),
    "ERROR 27: line 1, col 9: near \"wher\": syntax error, expected \";\", \",\", \"as of\", \"+\", "
    "\"-\", \"*\", \"/\", \"%\", \"as\", \"where\", \"order\" or \"limit\"");
  CHECK_STR(parse("find ?x where ?x a ?y ?z;"),
    "ERROR 27: line 1, col 23: near \"?z\": syntax error, expected \";\", \",\", \"as of\", \"order\" or \"limit\"");
  CHECK_STR(parse("claim a b c fro s;"),
    "ERROR 27: line 1, col 13: near \"fro\": syntax error, expected \";\", \"by\", \"quote\", \"said\", "
    "\"holds\", \"stance\", \"via\" or \"from\"");
  CHECK_STR(parse("entity x;"), "ERROR 27: line 1, col 9: near \";\": syntax error, expected identifier");
  CHECK_STR(parse("drop rule"), "ERROR 27: line 1, col 10: incomplete input, expected identifier");
  CHECK_STR(parse("find ?x where ?x a"),
    "ERROR 27: line 1, col 19: incomplete input, expected identifier, variable, parameter, string, integer,"
    " number, quantity, date, \"~\", \"-\", \"true\", \"false\", ...");
  CHECK_STR(parse("find ?x @;"), "ERROR 27: line 1, col 9: unrecognized token: \"@\"");
  CHECK_STR(parse("find \"abc"), "ERROR 27: line 1, col 6: unterminated string");
  CHECK_STR(parse("find 1 /* abc"), "ERROR 27: line 1, col 8: unterminated comment");
  CHECK_STR(parse("find \"a\\qb\";"), "ERROR 27: line 1, col 8: invalid escape \"\\q\"");
  CHECK_STR(parse("find \"\\u{d800}\";"), "ERROR 27: line 1, col 7: invalid escape \"\\u{d800}\"");
  CHECK_STR(parse("find \"\\u{110000}\";"), "ERROR 27: line 1, col 7: invalid escape \"\\u{110000}\"");
  CHECK_STR(parse("find \"\\u{}\", \"\\u{1234567}\";"), "ERROR 27: line 1, col 7: invalid escape \"\\u{}\"");
  CHECK_STR(parse("find \"ab\\\xc3\xa4\";"), "ERROR 27: line 1, col 9: invalid escape \"\\\xc3\xa4\"");
  CHECK_STR(parse("find \"\\u{0}\";"), "ERROR 27: line 1, col 7: invalid escape \"\\u{0}\"");
  CHECK_STR(parse("find 9223372036854775808;"), "ERROR 27: line 1, col 6: integer out of range");
  CHECK_STR(parse("find 1.0e999;"), "ERROR 27: line 1, col 6: number out of range");
  CHECK_STR(parse("find @2023-02-30;"), "ERROR 27: line 1, col 6: invalid date");
  CHECK_STR(parse("find @2023-13;"), "ERROR 27: line 1, col 6: invalid date");
  CHECK_STR(parse("find @2023-9-1;"), "ERROR 27: line 1, col 6: invalid date");
  CHECK_STR(parse("find $1, ?;"), "ERROR 27: line 1, col 10: cannot mix ? and $N parameters");
  CHECK_STR(parse("find $0;"), "ERROR 27: line 1, col 6: parameter index out of range");
  CHECK_STR(parse("claim a b c from s from t;"), "ERROR 27: line 1, col 20: duplicate option \"from\"");
  CHECK_STR(parse("source s \"t\" file \"a\" text \"b\";"), "ERROR 27: line 1, col 23: duplicate option \"text\"");
  CHECK_STR(parse("entity x place \"X\" at 95, 1;"), "ERROR 27: line 1, col 20: latitude out of range (-90 to 90)");
  CHECK_STR(parse("find ?x where ?x a b, of;"), "ERROR 27: line 1, col 23: near \"of\": syntax error, expected "
    "identifier, variable, parameter, string, integer, number, quantity, date, \"(\", \"~\", \"-\", \"count\", ...");
  /* columns count code points; lines count from the origin */
  CHECK_STR(parse("find\n  \"\xc3\xa4\xc3\xb6\" wh\xc3\xa4re;"),
    "ERROR 27: line 2, col 8: near \"wh\xc3\xa4re\": syntax error, expected \";\", \",\", \"as of\", \"+\", "
    "\"-\", \"*\", \"/\", \"%\", \"as\", \"where\", \"order\" or \"limit\"");
  {
    ParseOrigin o = { 10, 5 };
    CHECK_STR(parseN("find ?x @;", -1, &o, NULL), "ERROR 27: line 10, col 13: unrecognized token: \"@\"");
    CHECK_STR(parseN("\nfind ?x @;", -1, &o, NULL), "ERROR 27: line 11, col 9: unrecognized token: \"@\"");
    Pos pos = faktPosAt("ab\n\xc3\xa4x", 5, &o);
    CHECK(pos.iLine==11 && pos.iCol==2 && pos.iOff==5);
  }
  /* invalid UTF-8 and NUL, with their positions */
  CHECK_STR(parseN("find \"ab\0c\";", 12, NULL, NULL), "ERROR 27: line 1, col 9: NUL byte in input");
  CHECK_STR(parseN("find ?x\0;", 9, NULL, NULL), "ERROR 27: line 1, col 8: NUL byte in input");
  CHECK_STR(parse("find \"\xc3\xa4\xff\";"), "ERROR 27: line 1, col 8: invalid UTF-8");
  CHECK_STR(parse("find \xc3(1);"), "ERROR 27: line 1, col 6: invalid UTF-8");
  CHECK_STR(parse("find /* \xed\xa0\x80 */ 1;"), "ERROR 27: line 1, col 9: invalid UTF-8");  /* surrogate */
  CHECK_STR(parse("find \xc0\xaf;"), "ERROR 27: line 1, col 6: invalid UTF-8");             /* overlong */
}

static void testLimits(void){
  int N = 100000, k, nUsed;
  char *z = malloc((size_t)N*7 + 100);
  char *zBig = malloc((1<<20) + 100);
  if( z==NULL || zBig==NULL ){ printf("FAIL %s:%d: out of memory\n", __FILE__, __LINE__); exit(1); }
  k = sprintf(z, "find ");
  for(int i=0; i<N; i++) z[k++] = '(';
  z[k++] = '1';
  for(int i=0; i<N; i++) z[k++] = ')';
  z[k++] = ';';
  CHECK_STR(parseN(z, k, NULL, &nUsed), "ERROR 27: line 1, col 206: nesting too deep");
  CHECK(nUsed==k);
  k = sprintf(z, "find ?x where ");
  for(int i=0; i<N; i++){ memcpy(z+k, "not { ", 6); k += 6; }
  CHECK_STR(parseN(z, k, NULL, NULL), "ERROR 27: line 1, col 1219: nesting too deep");
  k = sprintf(z, "find ");
  for(int i=0; i<N; i++) z[k++] = '-';
  k += sprintf(z+k, "1; find 2;");
  char *zGot = parseN(z, k, NULL, &nUsed);
  CHECK(zGot && strstr(zGot, "nesting too deep")!=NULL);
  CHECK(nUsed==N+7);
  free(zGot);
  k = sprintf(zBig, "find ");
  memset(zBig+k, 'a', 1<<20);
  k += 1<<20;
  zBig[k++] = ';';
  CHECK_STR(parseN(zBig, k, NULL, NULL), "ERROR 18: line 1, col 6: identifier too long");
  zBig[5] = '"';
  zBig[k-2] = '"';
  CHECK_STR(parseN(zBig, k, NULL, NULL), "ERROR 18: line 1, col 6: string too long");
  memset(zBig, 'a', 300);
  memcpy(zBig, "find ?", 6);
  strcpy(zBig+300, ";");
  CHECK_STR(parseN(zBig, -1, NULL, NULL), "ERROR 18: line 1, col 6: identifier too long");
  memcpy(zBig+6, "aaa;", 5);
  CHECK_STR(parseN(zBig, -1, NULL, NULL), "(find ?aaa)");
  free(z);
  free(zBig);
}

static void testScripts(void){
  const char *zScript =
    "entity a thing \"A\";\n"
    "find ?x where ?x \"oops\" ;  # bad: a string is no predicate\n"
    "find \"a;b\" /* ; */;\n"
    "find @2023-02-30; find 1;\n"
    "  # trailing comment";
  const char *azWant[] = {
    "(entity a thing \"A\")",
    "ERROR 27: line 2, col 18: near \"\"oops\"\": syntax error, expected identifier, variable, parameter,"
    " \":\", \"=\", \"!=\", \"<\", \"<=\", \">\", \">=\", \"+\", \"-\", ...",
    "(find \"a;b\")",
    "ERROR 27: line 2, col 6: invalid date",
    "(find 1)",
    "(none)",
  };
  int i = 0, off = 0, n = (int)strlen(zScript), nUsed = 0;
  while( off<n && i<6 ){
    char *zGot = parseN(zScript+off, n-off, NULL, &nUsed);
    check(zGot && strcmp(zGot, azWant[i])==0, __FILE__, __LINE__, azWant[i], zGot);
    free(zGot);
    CHECK(nUsed>0);
    if( nUsed<=0 ) break;
    off += nUsed;
    i++;
  }
  CHECK(i==6 && off==n);
  /* the tail: just past the ';' of the statement, or of the failed one */
  free(parseN("find 1; find 2;", -1, NULL, &nUsed));
  CHECK(nUsed==7);
  free(parseN("find 1 2; find 3;", -1, NULL, &nUsed));
  CHECK(nUsed==9);
  free(parseN("find \"x;\" 2; find 3;", -1, NULL, &nUsed));
  CHECK(nUsed==12);
  free(parseN("find 1 +;", -1, NULL, &nUsed));
  CHECK(nUsed==9);
  free(parseN(";;;", -1, NULL, &nUsed));
  CHECK(nUsed==3);

  /* faktComplete */
  CHECK(faktComplete("find 1;", 7)==1);
  CHECK(faktComplete("find 1;  # done\n", 16)==1);
  CHECK(faktComplete("find 1; /* c */", 15)==1);
  CHECK(faktComplete("find 1", 6)==0);
  CHECK(faktComplete("find \";", 7)==0);
  CHECK(faktComplete("find \";\"", 8)==0);
  CHECK(faktComplete("find \";\";", 9)==1);
  CHECK(faktComplete("find 1 /* ; */", 14)==0);
  CHECK(faktComplete("find 1 # ;", 10)==0);
  CHECK(faktComplete("find 1; find", 12)==0);
  CHECK(faktComplete("find 1 /* ;", 11)==0);
  CHECK(faktComplete("", 0)==0);
}

int main(void){
  testLexer();
  testStatements();
  testValues();
  testErrors();
  testLimits();
  testScripts();
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
