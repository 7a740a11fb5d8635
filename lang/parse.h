/*
** parse.h -- the driver that turns query text into one Stmt at a time.
**
** lang/ owns the language: the lexer (lex.re, re2c), the grammar (gram.y,
** Lemon), this driver (parse.c) and the tree builders (ast.c, ast.h). It
** may call base/ and use fakt.h's codes; it knows nothing of the store or
** the engine (its -I paths do not reach them; make check-layers).
**
** faktParse() runs the re2c lexer (lex.re) and the Lemon parser (gram.y)
** over the text of one statement and returns its tree in the caller's arena.
** Errors are values: a FaktErr with a code, a position and a message.
*/
#ifndef FAKT_PARSE_H
#define FAKT_PARSE_H

#include "ast.h"

/* Where the text came from, so positions match the user's file. */
typedef struct ParseOrigin {
  int iLine;               /* line of the text's first byte (1 for a fresh text) */
  int iCol;                /* column of the text's first byte */
} ParseOrigin;

/* Parser state shared by the driver, the grammar actions and ast.c. */
struct Parse {
  Arena *pArena;           /* where the tree goes */
  const char *zText;       /* the whole text being parsed */
  int nText;               /* its length in bytes */
  ParseOrigin origin;      /* position of zText[0] */
  Stmt *pStmt;             /* the statement being built */
  FaktErr *pErr;           /* where errors go */
  int nParam;              /* parameters seen so far */
  int bNumbered;           /* saw $N */
  int bLone;               /* saw a lone ? */
  int nDepth;              /* nesting depth, checked against FAKT_MAX_DEPTH */
  Token sLast;             /* the token being fed to the parser (errors) */
};

#define FAKT_MAX_DEPTH  200      /* parentheses/braces nesting limit */
#define FAKT_MAX_HEIGHT 1000     /* operators nested in one expression tree */
#define FAKT_MAX_IDENT  255      /* bytes in an identifier */
#define FAKT_MAX_STRING 65536    /* bytes in a string literal (unescaped) */

/*
** Parse the first statement of zText[0..nText). Returns FAKT_OK and sets
** *ppStmt (NULL if there was only space and comments before the end) and
** *pnUsed (bytes consumed, past the ';' or to the end). A missing ';' at the
** very end of the text is accepted. On error returns the code, fills *pErr,
** sets *ppStmt to NULL and *pnUsed past the next ';' (or to the end), so a
** script can go on with the next statement.
*/
int faktParse(const char *zText, int nText, const ParseOrigin *pOrigin,
              Arena *pArena, Stmt **ppStmt, int *pnUsed, FaktErr *pErr);

/* 1 if zText holds at least one complete statement ending in ';' outside of
** strings and comments, with nothing but space and comments after it. */
int faktComplete(const char *zText, int nText);

/* Position of byte iOff in zText, counting from pOrigin. */
Pos faktPosAt(const char *zText, int iOff, const ParseOrigin *pOrigin);

/* Token interface of the lexer (lex.re), used by parse.c and for completion. */
int faktLexToken(const unsigned char *z, const unsigned char *zEnd, int *pType);

#endif /* FAKT_PARSE_H */
