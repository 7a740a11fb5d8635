/*
** err.c -- error values: FaktErr (a code, a position and a message, the
** first error wins), printf into malloc'd memory, and fakt_errstr().
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fakt.h"
#include "base.h"

const char *fakt_errstr(int rc){
  switch( rc ){
    case FAKT_OK: return "not an error";
    case FAKT_ERROR: return "error";
    case FAKT_INTERNAL: return "internal error";
    case FAKT_PERM: return "permission denied";
    case FAKT_ABORT: return "statement aborted: its transaction ended";
    case FAKT_BUSY: return "database is busy";
    case FAKT_NOMEM: return "out of memory";
    case FAKT_READONLY: return "attempt to write a read-only database";
    case FAKT_INTERRUPT: return "interrupted";
    case FAKT_IOERR: return "disk I/O error";
    case FAKT_CORRUPT: return "database disk image is malformed";
    case FAKT_NOTFOUND: return "not found";
    case FAKT_FULL: return "database is full";
    case FAKT_CANTOPEN: return "unable to open database file";
    case FAKT_TOOBIG: return "string or identifier too big";
    case FAKT_CONSTRAINT: return "constraint failed";
    case FAKT_MISMATCH: return "type error";
    case FAKT_MISUSE: return "bad parameter or other API misuse";
    case FAKT_RANGE: return "index out of range";
    case FAKT_NOTADB: return "file is not a fakt database";
    case FAKT_SYNTAX: return "syntax error";
    case FAKT_FORMAT: return "unsupported database format version";
    case FAKT_LIMIT: return "query limit reached";
    case FAKT_ROW: return "another row available";
    case FAKT_DONE: return "no more rows available";
    default: return "unknown error";
  }
}

void faktErrInit(FaktErr *e){
  e->rc = 0;
  e->iOff = -1;
  e->iLine = 0;
  e->iCol = 0;
  e->zMsg = NULL;
}

void faktErrClear(FaktErr *e){
  free(e->zMsg);
  faktErrInit(e);
}

static char *vmprintf(const char *zFmt, va_list ap){
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, zFmt, ap2);
  va_end(ap2);
  if( n<0 ) return NULL;
  char *z = malloc((size_t)n + 1);
  if( z ) vsnprintf(z, (size_t)n + 1, zFmt, ap);
  return z;
}

char *faktMprintf(const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  char *z = vmprintf(zFmt, ap);
  va_end(ap);
  return z;
}

static void errSetV(FaktErr *e, int rc, const Pos *pPos, const char *zFmt, va_list ap){
  char *zBody = vmprintf(zFmt, ap);
  free(e->zMsg);
  e->rc = rc;
  if( pPos ){
    e->iOff = pPos->iOff;
    e->iLine = pPos->iLine;
    e->iCol = pPos->iCol;
    e->zMsg = faktMprintf("line %d, col %d: %s", pPos->iLine, pPos->iCol,
                          zBody ? zBody : "out of memory");
  }else{
    e->iOff = -1;
    e->iLine = e->iCol = 0;
    e->zMsg = zBody ? strdup(zBody) : NULL;
  }
  free(zBody);
}

void faktErrSet(FaktErr *e, int rc, const Pos *pPos, const char *zFmt, ...){
  if( e->rc ) return;
  va_list ap;
  va_start(ap, zFmt);
  errSetV(e, rc, pPos, zFmt, ap);
  va_end(ap);
}

void faktErrReplace(FaktErr *e, int rc, const Pos *pPos, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  errSetV(e, rc, pPos, zFmt, ap);
  va_end(ap);
}

/*
** Keep the first error of a longer operation (an export, an import):
** if *pRc is still FAKT_OK, set it to rc and *pzErr to the formatted
** message (malloc'd). Returns the error that stands.
*/
int faktFirstErrV(int *pRc, char **pzErr, int rc, const char *zFmt, va_list ap){
  if( *pRc ) return *pRc;
  char zBuf[700];
  vsnprintf(zBuf, sizeof(zBuf), zFmt, ap);
  *pRc = rc;
  *pzErr = strdup(zBuf);
  return rc;
}
