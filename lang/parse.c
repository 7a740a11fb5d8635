/*
** parse.c -- the parser driver (the sqlite3RunParser pattern): lexes one
** statement with faktLexToken(), checks each token's value, feeds the Lemon
** parser of gram.y, and reports the first error with line and column. Also
** faktComplete() for the REPL and faktPosAt() for messages.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fakt.h"
#include "parse.h"
#include "gram.h"

/* The Lemon engine (gram.c). */
void *faktParserAlloc(void *(*xMalloc)(size_t), Parse *pParse);
void faktParserFree(void *pEngine, void (*xFree)(void*));
void faktParserFeed(void *pEngine, int iMajor, Token sMinor);  /* checks first */

/* Move pPos over z[0..n): lines at '\n', columns by code point. */
static void posAdvance(Pos *pPos, const char *z, int n){
  for(int i=0; i<n; i++){
    unsigned char c = (unsigned char)z[i];
    if( c=='\n' ){
      pPos->iLine++;
      pPos->iCol = 1;
    }else if( (c & 0xC0)!=0x80 ){
      pPos->iCol++;
    }
  }
  pPos->iOff += n;
}

/* Position of byte iOff in zText, counting from pOrigin (NULL: 1,1). */
Pos faktPosAt(const char *zText, int iOff, const ParseOrigin *pOrigin){
  Pos pos;
  pos.iOff = 0;
  pos.iLine = pOrigin ? pOrigin->iLine : 1;
  pos.iCol = pOrigin ? pOrigin->iCol : 1;
  if( zText && iOff>0 ) posAdvance(&pos, zText, iOff);
  return pos;
}

/* Record a lexical error at byte k of token t. */
static int lexError(Parse *p, int rc, const Token *t, int k, const char *zMsg){
  Pos pos = t->pos;
  posAdvance(&pos, t->z, k);
  faktErrSet(p->pErr, rc, &pos, "%s", zMsg);
  return rc;
}

/* Report 'invalid escape "\x"' for the escape at byte k of string token t:
** the backslash and one character, or a whole \u{...}. */
static int escapeError(Parse *p, const Token *t, int k){
  Pos pos = t->pos;
  int n = 1, iEnd = t->n - 1;     /* iEnd: the closing quote */
  unsigned char c = (unsigned char)t->z[k+1];
  if( c=='u' ){
    const char *zClose = memchr(t->z + k, '}', (size_t)(iEnd - k));
    n = zClose && zClose - (t->z + k) <= 12 ? (int)(zClose - (t->z + k)) : 1;
  }else if( c>=0x80 ){
    n = c>=0xF0 ? 4 : c>=0xE0 ? 3 : 2;
  }
  if( k + 1 + n > iEnd ) n = iEnd - k - 1;
  posAdvance(&pos, t->z, k);
  faktErrSet(p->pErr, FAKT_SYNTAX, &pos, "invalid escape \"%.*s\"", n + 1, t->z + k);
  return FAKT_SYNTAX;
}

/* 1 if the digits z[0..n) exceed int64. */
static int intOverflow(const char *z, int n){
  while( n>1 && z[0]=='0' ){ z++; n--; }
  return n>19 || (n==19 && memcmp(z, "9223372036854775807", 19)>0);
}

/*
** Check the token t of type eType before it goes to the parser: error
** tokens of the lexer, and values out of their limits. Returns 0 if the
** token is fine, else the error code (recorded in p->pErr).
*/
static int checkToken(Parse *p, int eType, const Token *t){
  int iBad = 0, n;
  switch( eType ){
    case TK_ILLEGAL:
      faktErrSet(p->pErr, FAKT_SYNTAX, &t->pos, "unrecognized token: \"%.*s\"", t->n, t->z);
      return FAKT_SYNTAX;
    case TK_BADUTF8: return lexError(p, FAKT_SYNTAX, t, t->n-1, "invalid UTF-8");
    case TK_NUL: return lexError(p, FAKT_SYNTAX, t, t->n-1, "NUL byte in input");
    case TK_UNTERM_STRING: return lexError(p, FAKT_SYNTAX, t, 0, "unterminated string");
    case TK_UNTERM_COMMENT: return lexError(p, FAKT_SYNTAX, t, 0, "unterminated comment");
    case TK_ID:
      if( t->n>FAKT_MAX_IDENT ) return lexError(p, FAKT_TOOBIG, t, 0, "identifier too long");
      break;
    case TK_VAR: case TK_PARAM:
      if( t->n-1>FAKT_MAX_IDENT ) return lexError(p, FAKT_TOOBIG, t, 0, "identifier too long");
      break;
    case TK_STRING:
      n = faktUnescape(t->z, t->n, NULL, &iBad);
      if( n<0 ) return escapeError(p, t, iBad);
      if( n>FAKT_MAX_STRING ) return lexError(p, FAKT_TOOBIG, t, 0, "string too long");
      break;
    case TK_INTEGER:
      if( intOverflow(t->z, t->n) ) return lexError(p, FAKT_SYNTAX, t, 0, "integer out of range");
      break;
    case TK_FLOAT: case TK_QTY:
      if( !isfinite(faktTokenNumber(p, t)) ){
        return lexError(p, FAKT_SYNTAX, t, 0, "number out of range");
      }
      break;
    case TK_DATE:
      if( !faktDateToken(t->z, t->n, NULL, NULL) ) return lexError(p, FAKT_SYNTAX, t, 0, "invalid date");
      break;
    default:
      break;
  }
  return 0;
}

/* Offset just past the first ';' token at or after byte i, or n. */
static int skipPastSemi(const char *zText, int i, int n){
  const unsigned char *z = (const unsigned char*)zText;
  while( i<n ){
    int eType;
    int nTok = faktLexToken(z+i, z+n, &eType);
    i += nTok>0 ? nTok : 1;
    if( eType==TK_SEMI ) return i;
  }
  return n;
}

/* If the "as" token ending at byte i is followed by "of", the end of the
** "of"; else 0. */
static int asOf(const char *zText, int i, int n){
  const unsigned char *z = (const unsigned char*)zText;
  while( i<n ){
    int eType;
    int nTok = faktLexToken(z+i, z+n, &eType);
    if( eType==TK_OF ) return i + nTok;
    if( eType!=TK_SPACE && eType!=TK_COMMENT ) return 0;
    i += nTok;
  }
  return 0;
}

/* Parse the first statement of zText[0..nText); see parse.h. */
int faktParse(const char *zText, int nText, const ParseOrigin *pOrigin,
              Arena *pArena, Stmt **ppStmt, int *pnUsed, FaktErr *pErr){
  Parse sParse;
  Parse *p = &sParse;
  const unsigned char *z = (const unsigned char*)zText;
  void *pEngine = NULL;
  int i = 0;                     /* bytes read */
  int iTok = 0, nTok = 0;        /* the last token fed (for resyncing) */
  int bSemi = 0;                 /* the statement ended with a real ';' */
  Token t;

  memset(p, 0, sizeof(*p));
  p->pArena = pArena;
  p->zText = zText;
  p->nText = zText ? nText : 0;
  p->origin.iLine = pOrigin ? pOrigin->iLine : 1;
  p->origin.iCol = pOrigin ? pOrigin->iCol : 1;
  p->pErr = pErr;
  *ppStmt = NULL;
  *pnUsed = 0;
  if( zText==NULL || nText<0 ) nText = 0;
  t.z = zText;
  t.n = 0;
  t.pos = faktPosAt(NULL, 0, &p->origin);

  while( i<nText && pErr->rc==FAKT_OK ){
    int eType;
    t.z = zText + i;
    t.n = faktLexToken(z+i, z+nText, &eType);
    if( eType==TK_SPACE || eType==TK_COMMENT || (eType==TK_SEMI && pEngine==NULL) ){
      posAdvance(&t.pos, t.z, t.n);
      i += t.n;
      continue;
    }
    iTok = i;
    nTok = t.n;
    if( checkToken(p, eType, &t) ) break;
    if( pEngine==NULL ){
      p->pStmt = faktArenaAlloc(pArena, sizeof(Stmt));
      pEngine = p->pStmt ? faktParserAlloc(malloc, p) : NULL;
      if( pEngine==NULL ){
        faktErrSet(pErr, FAKT_NOMEM, NULL, "out of memory");
        break;
      }
      p->pStmt->pos = t.pos;
    }
    if( eType==TK_LP || eType==TK_LB ){
      if( ++p->nDepth>FAKT_MAX_DEPTH ){
        faktErrSet(pErr, FAKT_SYNTAX, &t.pos, "nesting too deep");
        break;
      }
    }else if( eType==TK_RP || eType==TK_RB ){
      p->nDepth--;
    }else if( eType==TK_AS ){
      int iEnd = asOf(zText, i + t.n, nText);
      if( iEnd ){
        eType = TK_ASOF;
        t.n = nTok = iEnd - i;
      }
    }
    p->sLast = t;
    faktParserFeed(pEngine, eType, t);
    posAdvance(&t.pos, t.z, t.n);
    i += t.n;
    if( eType==TK_SEMI ){
      bSemi = 1;
      break;
    }
  }

  if( pEngine && pErr->rc==FAKT_OK ){
    if( !bSemi ){                /* end of text: an empty ';' */
      t.z = zText + nText;
      t.n = 0;
      p->sLast = t;
      iTok = nText;
      faktParserFeed(pEngine, TK_SEMI, t);
    }
    if( pErr->rc==FAKT_OK ) faktParserFeed(pEngine, 0, t);
  }
  if( pEngine ) faktParserFree(pEngine, free);

  if( pErr->rc ){
    if( iTok>=nText ) *pnUsed = nText;
    else if( nTok==1 && zText[iTok]==';' ) *pnUsed = iTok + 1;
    else *pnUsed = skipPastSemi(zText, iTok + (nTok>0 ? nTok : 1), nText);
    return pErr->rc;
  }
  *pnUsed = i;
  if( pEngine ){
    p->pStmt->iEnd = i;
    *ppStmt = p->pStmt;
  }
  return FAKT_OK;
}

/* 1 if zText[0..nText) ends a complete statement; see parse.h. */
int faktComplete(const char *zText, int nText){
  const unsigned char *z = (const unsigned char*)zText;
  int i = 0, eLast = 0;
  while( zText && i<nText ){
    int eType;
    int n = faktLexToken(z+i, z+nText, &eType);
    if( eType==TK_UNTERM_STRING || eType==TK_UNTERM_COMMENT ) return 0;
    if( eType!=TK_SPACE && eType!=TK_COMMENT ) eLast = eType;
    i += n>0 ? n : 1;
  }
  return eLast==TK_SEMI;
}
