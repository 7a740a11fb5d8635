/*
** run.c -- running statements: binding .parameter values, timing, errors with a caret.
*/
#include "shell.h"

/* ==================================================================== */
/* Running statements                                                    */
/* ==================================================================== */

/* 1 if writing to o->f failed for good. A write cut short by Ctrl-C (EINTR:
** the handler is installed without SA_RESTART) is forgiven: the statement
** stops with FAKT_INTERRUPT at its next step anyway. */
static int writeFailed(Out *o){
  if( !ferror(o->f) ) return 0;
  if( errno==EINTR || seenInterrupt ){ clearerr(o->f); return 0; }
  o->p->eWrite = errno;
  return 1;
}

/* Step pStmt to the end, writing its rows in the current mode. Returns the
** fakt result code (FAKT_OK when it ran to FAKT_DONE), or WRITE_FAILED when
** stdout failed (EPIPE from a closed pipe: `fakt ... | head -2`), which
** stops the statement at once. */
int runStmt(Shell *p, fakt_stmt *pStmt){
  int nCol = fakt_column_count(pStmt);
  const char **azName = 0, **azVal = 0;
  int *aType = 0;
  double *aReal = 0;
  Out o;
  int rc, i;
  if( nCol>0 ){
    azName = xmalloc(sizeof(char*)*(size_t)nCol);
    azVal = xmalloc(sizeof(char*)*(size_t)nCol);
    aType = xmalloc(sizeof(int)*(size_t)nCol);
    aReal = xmalloc(sizeof(double)*(size_t)nCol);
    for(i=0; i<nCol; i++) azName[i] = fakt_column_name(pStmt, i);
  }
  outBegin(&o, p, nCol, azName);
  while( (rc = fakt_step(pStmt))==FAKT_ROW ){
    for(i=0; i<nCol; i++){
      aType[i] = fakt_column_type(pStmt, i);
      azVal[i] = aType[i]==FAKT_NULL ? 0 : fakt_column_text(pStmt, i);
      aReal[i] = aType[i]==FAKT_FLOAT ? fakt_column_double(pStmt, i) : 0.0;
    }
    outRow(&o, azVal, aType, aReal);
    if( writeFailed(&o) ){ rc = WRITE_FAILED; break; }
  }
  outEnd(&o, rc);
  if( rc!=WRITE_FAILED && writeFailed(&o) ) rc = WRITE_FAILED;
  free(azName);
  free(azVal);
  free(aType);
  free(aReal);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

/* Pointer past white space and complete comments at z; NULL if z starts an
** unterminated block comment. */
const char *skipSpace(const char *z){
  for(;;){
    while( *z==' ' || *z=='\t' || *z=='\r' || *z=='\n' ) z++;
    if( *z=='#' ){
      while( *z && *z!='\n' ) z++;
    }else if( z[0]=='/' && z[1]=='*' ){
      const char *e = strstr(z+2, "*/");
      if( e==0 ) return 0;
      z = e+2;
    }else{
      return z;
    }
  }
}

/* Move (line, col) from zFrom to zTo; columns count code points. */
static void advancePos(const char *zFrom, const char *zTo, int *pLine, int *pCol){
  for(; zFrom<zTo; zFrom++){
    if( *zFrom=='\n' ){ (*pLine)++; *pCol = 1; }
    else if( ((unsigned char)*zFrom&0xC0)!=0x80 ) (*pCol)++;
  }
}

/* Parse the "line L, col C: " prefix of an engine message; returns the
** rest of the message, or NULL if there is no such prefix. */
static const char *splitPosition(const char *zMsg, int *pLine, int *pCol){
  int l, c, n = 0;
  if( sscanf(zMsg, "line %d, col %d: %n", &l, &c, &n)==2 && n>0 ){
    *pLine = l;
    *pCol = c;
    return zMsg+n;
  }
  return 0;
}

/* REPL: print line iLine (counting from iBase at zText) and a caret under
** code point column iCol, measured in display columns. */
static void showCaret(const char *zText, int iBase, int iLine, int iCol){
  const char *z = zText, *zEnd, *q;
  int w = 0, k;
  for(k=iBase; k<iLine && z; k++){
    z = strchr(z, '\n');
    if( z ) z++;
  }
  if( z==0 ) return;
  zEnd = strchr(z, '\n');
  if( zEnd==0 ) zEnd = z+strlen(z);
  fputs("  ", stderr);
  fwrite(z, 1, (size_t)(zEnd-z), stderr);
  fputs("\n  ", stderr);
  for(q=z, k=1; q<zEnd && k<iCol; k++){
    unsigned c;
    int len = utf8Decode((const unsigned char*)q, (size_t)(zEnd-q), &c);
    if( c=='\t' ){ fputc('\t', stderr); }
    else { int cw = cpWidth(c); w += cw; while( cw-- > 0 ) fputc(' ', stderr); }
    q += len;
  }
  (void)w;
  fputs("^\n", stderr);
}

/* Report the last error of p->db for a statement starting at zStmt
** (position iLine:iCol). zText/iBase locate the chunk for the caret. */
static void reportError(Shell *p, Input *pIn, const char *zText, int iBase,
                        const char *zStmt, int iLine, int iCol, int bPrepare){
  const char *zMsg = fakt_errmsg(p->db);
  int l = iLine, c = iCol, bPos = 1;
  const char *zRest = splitPosition(zMsg, &l, &c);
  progressClear(p);
  if( zRest==0 ){
    int off = bPrepare ? fakt_error_offset(p->db) : -1;
    zRest = zMsg;
    if( off>=0 && (size_t)off<=strlen(zStmt) ) advancePos(zStmt, zStmt+off, &l, &c);
    else bPos = 0;
  }
  /* an error inside a loaded file ("in FILE:L:C: ...", nested for nested
  ** loads) is reported at its own place first, then the loads that ran it,
  ** innermost first */
  const char *azIn[8], *zAt = zRest;
  int anIn[8], nChain = 0;
  for(;;){
    const char *q = zAt, *zColon = 0;
    if( strncmp(q, "in ", 3)!=0 || nChain==8 ) break;
    q += 3;
    for(const char *r=q; *r && r[1]; r++){
      /* PATH:L:C: with L and C digits */
      if( r[0]==':' && r[1]>='0' && r[1]<='9' ){
        const char *t = r + 1;
        while( *t>='0' && *t<='9' ) t++;
        if( *t!=':' || t[1]<'0' || t[1]>'9' ) continue;
        t++;
        while( *t>='0' && *t<='9' ) t++;
        if( t[0]==':' && t[1]==' ' ){ zColon = t; break; }
      }
    }
    if( zColon==0 ) break;
    azIn[nChain] = q;
    anIn[nChain++] = (int)(zColon - q);
    zAt = zColon + 2;
  }
  if( nChain ){
    int k;
    fprintf(stderr, "%s%.*s: %s%s\n", pIn->in==0 ? "error: " : "", anIn[nChain-1], azIn[nChain-1],
            pIn->in==0 ? "" : "error: ", zAt);
    for(k=nChain-2; k>=0; k--) fprintf(stderr, "  (in the load at %.*s)\n", anIn[k], azIn[k]);
    if( pIn->in==0 ){
      fprintf(stderr, "  (in the load at line %d, col %d)\n", l, c);
      if( bPos ) showCaret(zText, iBase, l, c);
    }else{
      fprintf(stderr, "  (in the load at %s:%d:%d)\n", pIn->zName, l, c);
    }
  }else if( pIn->in==0 ){
    fprintf(stderr, "error: %s\n", zRest);
    if( bPos ) showCaret(zText, iBase, l, c);
  }else{
    fprintf(stderr, "%s:%d:%d: error: %s\n", pIn->zName, l, c, zRest);
  }
  fflush(stderr);
}

int isIdentChar(int c){
  return (c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9')
      || c=='_' || (c&0x80);
}

/* With .explain on, re-prepare a find statement [zStmt,zEnd) as
** "explain find ...". Returns the new statement or the old one. */
static fakt_stmt *explainStmt(Shell *p, fakt_stmt *pStmt, const char *zStmt,
                              const char *zEnd, const char *zOrigin,
                              int iLine, int iCol){
  Buf b = {0};
  fakt_stmt *pNew = 0;
  if( strncmp(zStmt, "find", 4)!=0 || isIdentChar((unsigned char)zStmt[4]) ){
    return pStmt;
  }
  bufPuts(&b, "explain ");
  bufAppend(&b, zStmt, (size_t)(zEnd-zStmt));
  fakt_set_origin(p->db, zOrigin, iLine, iCol);
  if( fakt_prepare(p->db, b.z, (int)b.n, &pNew, 0)==FAKT_OK && pNew ){
    fakt_finalize(pStmt);
    pStmt = pNew;
  }
  bufFree(&b);
  return pStmt;
}

static void afterStmt(Shell *p, fakt_stmt *pStmt, double t0){
  if( !fakt_stmt_readonly(pStmt) ){
    p->bCompValid = 0;
    if( p->bChanges ) fprintf(p->out, "changes: %lld\n", (long long)fakt_changes(p->db));
  }
  if( p->bTimer ) fprintf(p->out, "Run time: %.3f s\n", nowSeconds()-t0);
  fflush(p->out);
}

/* A message of fakt_bind_literal() without its "parameter N: " prefix. */
const char *bindMsg(const char *zMsg){
  int n = 0;
  if( sscanf(zMsg, "parameter %*d: %n", &n)==0 && n>0 ) return zMsg+n;
  return zMsg;
}

/* Bind the .parameter values to the parameters of pStmt that have their
** names ("$who", "$1"); the others stay null. Each value is a fakt
** literal, bound with fakt_bind_literal() (as sqlite3's shell binds the
** values of its parameter table). Returns FAKT_OK or the error code,
** with *pzErr the message (owned by the statement). */
static int bindParams(Shell *p, fakt_stmt *pStmt, const char **pzName, const char **pzErr){
  int i, n = fakt_bind_parameter_count(pStmt);
  for(i=1; i<=n && p->nParam>0; i++){
    const char *zName = fakt_bind_parameter_name(pStmt, i);
    int k, rc;
    if( zName==0 ) continue;
    for(k=0; k<p->nParam && strcmp(p->azParamName[k], zName)!=0; k++){}
    if( k==p->nParam ) continue;
    rc = fakt_bind_literal(pStmt, i, p->azParamValue[k], -1);
    if( rc!=FAKT_OK ){
      *pzName = p->azParamName[k];
      *pzErr = bindMsg(fakt_stmt_errmsg(pStmt));
      return rc;
    }
  }
  return FAKT_OK;
}

/* A statement at iLine:iCol of pIn needs the database, which does not
** exist (p->bPending): report it and count the failure. */
static void noSuchDb(Shell *p, Input *pIn, int iLine, int iCol){
  progressClear(p);
  if( pIn->in==0 ) fprintf(stderr, "error: no such database: %s\n", p->zDbPath);
  else fprintf(stderr, "%s:%d:%d: error: no such database: %s\n", pIn->zName, iLine, iCol, p->zDbPath);
  fflush(stderr);
  p->nErr++;
}

/* ================================================================ progress */

/* Statements of a load between two updates of its progress line. */
#define LOAD_PROGRESS_EVERY 10000

/* fakt_progress_handler() callback: the statements of the running load so
** far, on one line of stderr (a terminal: dbProgress). It never stops the
** load; Ctrl-C does, through fakt_interrupt(). */
static int loadProgress(void *pArg){
  Shell *p = pArg;
  p->nLoadShown += LOAD_PROGRESS_EVERY;
  fprintf(stderr, "\rload: %lld statements\033[K", (long long)p->nLoadShown);
  fflush(stderr);
  return 0;
}

/* Give db the shell's progress handler for loads, when stderr is a
** terminal (p->bProgress): a pipe or a file never gets the progress line,
** so the output of scripts does not change. */
void dbProgress(Shell *p, fakt *db){
  fakt_progress_handler(db, p->bProgress ? LOAD_PROGRESS_EVERY : 0, loadProgress, p);
}

/* Clear the progress line a load left on the terminal, if any (a
** script's line it wrote over is gone with it). */
void progressDone(Shell *p){
  if( p->nLoadShown==0 ) return;
  fputs("\r\033[K", stderr);
  fflush(stderr);
  p->nLoadShown = 0;
  p->bScriptShown = 0;
}

/* Clear any progress line, before something else is written to the
** terminal: rows, a message, an echoed line. */
void progressClear(Shell *p){
  if( !p->bScriptShown && p->nLoadShown==0 ) return;
  fputs("\r\033[K", stderr);
  fflush(stderr);
  p->bScriptShown = 0;
  p->nLoadShown = 0;
}

/* Statements of a script between two updates of its progress line. */
#define SCRIPT_PROGRESS_EVERY 1000

/* Count a statement of a script (a file, -c, .read, stdin: not the
** prompt). On a terminal (p->bProgress), every 1,000 statements, "NAME: N
** statements, line L" on stderr, until something else is written. A
** script of single writes commits each (some 150 a second), so it shows
** every few seconds; one inside begin ... commit, many times a second. */
static void scriptProgress(Shell *p, Input *pIn, int iLine){
  if( !p->bProgress || pIn->in==0 ) return;
  if( ++pIn->nStmt % SCRIPT_PROGRESS_EVERY ) return;
  fprintf(stderr, "\r%s: %lld statements, line %d\033[K", pIn->zName,
          (long long)pIn->nStmt, iLine);
  fflush(stderr);
  p->bScriptShown = 1;
}

/* Run every statement of zText (nText bytes: it may hold NUL bytes, which
** fakt reports as errors), which starts at line iLine, column 1 of its
** input. Returns 1 if processing must stop (bail or interrupt), else 0. */
int runText(Shell *p, Input *pIn, const char *zText, size_t nText, int iLine){
  const char *z = zText;
  int line = iLine, col = 1;
  if( nText>INT_MAX ){
    progressClear(p);
    fprintf(stderr, "%s:%d:1: error: statement text too long\n", pIn->zName, iLine);
    p->nErr++;
    if( bailOn(p, pIn) ) p->bStop = 1;
    return p->bStop;
  }
  while( z < zText+nText ){
    const char *zStmt = skipSpace(z), *zTail = 0;
    fakt_stmt *pStmt = 0;
    double t0;
    int rc;
    if( zStmt==0 ) zStmt = z;      /* unterminated comment: let fakt say so */
    if( zStmt >= zText+nText ) break;
    advancePos(z, zStmt, &line, &col);
    fakt_set_origin(p->db, pIn->zOrigin, line, col);
    pInterruptDb = p->db;
    t0 = nowSeconds();
    rc = fakt_prepare(p->db, zStmt, (int)(zText+nText-zStmt), &pStmt, &zTail);
    if( rc!=FAKT_OK && p->bPending && rc!=FAKT_SYNTAX && rc!=FAKT_NOMEM ){
      /* it names what only a database can hold, and there is none */
      noSuchDb(p, pIn, line, col);
      if( bailOn(p, pIn) ){ p->bStop = 1; break; }
      if( zTail==0 || zTail<=zStmt ) break;
    }else if( rc!=FAKT_OK ){
      reportError(p, pIn, zText, iLine, zStmt, line, col, 1);
      p->nErr++;
      if( bailOn(p, pIn) ){ p->bStop = 1; break; }
      if( zTail==0 || zTail<=zStmt ) break;
    }else if( pStmt && p->bPending && fakt_stmt_readonly(pStmt)
              && fakt_column_count(pStmt)>0 ){
      /* a query of a database that does not exist: an error, not an empty
      ** answer from the stand-in */
      fakt_finalize(pStmt);
      noSuchDb(p, pIn, line, col);
      if( bailOn(p, pIn) ){ p->bStop = 1; break; }
    }else if( pStmt ){
      if( p->bPending ){
        /* the first statement that writes (or begin) creates the file */
        fakt_finalize(pStmt);
        pStmt = 0;
        progressClear(p);
        if( pendingCreate(p) ){ p->nErr++; p->bStop = 1; break; }
        pInterruptDb = p->db;
        fakt_set_origin(p->db, pIn->zOrigin, line, col);
        rc = fakt_prepare(p->db, zStmt, (int)(zText+nText-zStmt), &pStmt, &zTail);
        if( rc!=FAKT_OK || pStmt==0 ){    /* it parsed a moment ago */
          reportError(p, pIn, zText, iLine, zStmt, line, col, 1);
          p->nErr++;
          fakt_finalize(pStmt);
          p->bStop = 1;
          break;
        }
      }
      if( p->bExplain ){
        pStmt = explainStmt(p, pStmt, zStmt, zTail ? zTail : zStmt+strlen(zStmt),
                            pIn->zOrigin, line, col);
      }
      {
        const char *zPName = 0, *zPErr = 0;
        if( bindParams(p, pStmt, &zPName, &zPErr)!=FAKT_OK ){
          progressClear(p);
          if( pIn->in==0 ) fprintf(stderr, "error: parameter %s: %s\n", zPName, zPErr);
          else fprintf(stderr, "%s:%d:%d: error: parameter %s: %s\n", pIn->zName, line, col, zPName, zPErr);
          p->nErr++;
          fakt_finalize(pStmt);
          if( bailOn(p, pIn) ){ p->bStop = 1; break; }
          if( zTail==0 || zTail<=zStmt ) break;
          advancePos(zStmt, zTail, &line, &col);
          z = zTail;
          continue;
        }
      }
      /* rows, or a line of .changes or .timer: on a clean line */
      if( fakt_column_count(pStmt)>0 || p->bChanges || p->bTimer ) progressClear(p);
      rc = runStmt(p, pStmt);
      progressDone(p);
      if( rc!=FAKT_OK ) progressClear(p);
      if( rc==WRITE_FAILED ){
        /* the output is gone: stop all input (sqlite3 dies of SIGPIPE) */
        if( p->eWrite!=EPIPE ){
          fprintf(stderr, "fakt: cannot write the output: %s\n", strerror(p->eWrite));
        }
        p->nErr++;
        p->bStop = 1;
        fakt_finalize(pStmt);
        break;
      }
      if( rc!=FAKT_OK ){
        if( rc==FAKT_INTERRUPT && pIn->in==0 ){
          fputs("\nerror: interrupted\n", stderr);
        }else{
          reportError(p, pIn, zText, iLine, zStmt, line, col, 0);
        }
        p->nErr++;
      }
      afterStmt(p, pStmt, t0);
      fakt_finalize(pStmt);
      if( rc!=FAKT_OK && (bailOn(p, pIn) || rc==FAKT_INTERRUPT) ){
        if( bailOn(p, pIn) ) p->bStop = 1;
        break;
      }
    }
    scriptProgress(p, pIn, line);
    if( zTail==0 || zTail<=zStmt ) break;
    advancePos(zStmt, zTail, &line, &col);
    z = zTail;
  }
  pInterruptDb = 0;
  return p->bStop;
}

/* Run zQuery and collect column 0 (and column 1, NULL where it is null,
** if pazSecond) of each row.
** Returns FAKT_OK or the error code (nothing printed). */
int collect(Shell *p, const char *zQuery, char ***pazOut, int *pn,
                   char ***pazSecond){
  fakt_stmt *pStmt = 0;
  int rc, n = 0;
  char **az = 0, **az2 = 0;
  fakt_set_origin(p->db, 0, 1, 1);
  rc = fakt_prepare(p->db, zQuery, -1, &pStmt, 0);
  if( rc!=FAKT_OK || pStmt==0 ){ *pazOut = 0; *pn = 0; return rc ? rc : FAKT_ERROR; }
  while( (rc = fakt_step(pStmt))==FAKT_ROW ){
    const char *z0 = fakt_column_text(pStmt, 0);
    const char *z1 = pazSecond ? fakt_column_text(pStmt, 1) : 0;
    az = xrealloc(az, sizeof(char*)*(size_t)(n+1));
    az[n] = xstrdup(z0 ? z0 : "");
    if( pazSecond ){
      az2 = xrealloc(az2, sizeof(char*)*(size_t)(n+1));
      az2[n] = z1 ? xstrdup(z1) : 0;     /* NULL for null */
    }
    n++;
  }
  fakt_finalize(pStmt);
  *pazOut = az;
  *pn = n;
  if( pazSecond ) *pazSecond = az2;
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

void freeList(char **az, int n){
  int i;
  for(i=0; i<n; i++) free(az[i]);
  free(az);
}

/* Run zQuery and print its rows in the current mode; 0 on success. */
int printQuery(Shell *p, const char *zQuery){
  fakt_stmt *pStmt = 0;
  int rc;
  fakt_set_origin(p->db, 0, 1, 1);
  rc = fakt_prepare(p->db, zQuery, -1, &pStmt, 0);
  if( rc==FAKT_OK && pStmt ) rc = runStmt(p, pStmt);
  fakt_finalize(pStmt);
  if( rc!=FAKT_OK ){
    dotErr(p, "%s", fakt_errmsg(p->db));
    return 1;
  }
  return 0;
}

