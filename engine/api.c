/*
** api.c -- the public C interface of fakt.h: handles, prepared statements,
** binding, stepping, columns, fakt_exec and errors. The work is done by
** resolve.c / exec.c / find.c (queries) and write.c (changes).
*/
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fakt_int.h"

/* ================================================================ basics */

const char *fakt_libversion(void){ return FAKT_VERSION; }

/* Set the handle's error with a message and no position. */
void faktDbError(fakt *db, int rc, const char *zFmt, ...){
  va_list ap;
  char zBuf[512];
  va_start(ap, zFmt);
  vsnprintf(zBuf, sizeof(zBuf), zFmt, ap);
  va_end(ap);
  faktErrReplace(&db->err, rc, NULL, "%s", zBuf);
}

int faktStoreFail(FaktErr *e, FaktStore *s, int rc, const Pos *pPos, const char *zPrefix){
  const char *zMsg = fakt_errstr(rc);
  switch( rc & 0xff ){
    /* the codes whose every return from the store leaves its message */
    case FAKT_FULL: case FAKT_IOERR: case FAKT_BUSY: case FAKT_CORRUPT: case FAKT_TOOBIG:
    case FAKT_READONLY: case FAKT_PERM: case FAKT_CANTOPEN: case FAKT_NOTADB: case FAKT_FORMAT:
    case FAKT_INTERNAL: {
      const char *z = s ? faktStoreErrmsg(s) : NULL;
      if( z && z[0] && strcmp(z, "not an error")!=0 ) zMsg = z;
      break;
    }
  }
  faktErrSet(e, rc, pPos, "%s%s", zPrefix ? zPrefix : "", zMsg);
  return rc;
}

/* An explicit transaction is tied to the thread that began it (LMDB write
** transactions are); another thread using the handle meanwhile is misuse. */
int faktTxnForeign(fakt *db){
  if( db->pTxn==NULL || pthread_equal(db->txOwner, pthread_self()) ) return 0;
  faktDbError(db, FAKT_MISUSE, "misuse: a transaction begun by another thread is open on this handle");
  return 1;
}

void faktTxnEnding(fakt *db, const char *zHow){
  for(fakt_stmt *p=db->pStmtList; p; p=p->pStmtNext){
    if( p->ex.pTxn==NULL || p->ex.pTxn!=db->pTxn ) continue;
    /* cursors first: they belong to the transaction about to be freed */
    faktFindReset(p);
    p->ex.pTxn = NULL;
    faktArenaFree(&p->ex.arena);
    if( p->eState==1 ){
      p->eState = 3;
      p->zAbort = zHow;
    }
  }
}

static int misuse(fakt *db, const char *zWhat){
  if( db ) faktDbError(db, FAKT_MISUSE, "misuse: %s", zWhat);
  return FAKT_MISUSE;
}

/* ================================================================ open, close */

/*
** Open ":memory:": a new database in a private directory made by mkdtemp()
** under $TMPDIR (or /tmp), whose file, lock file and directory are removed
** right after the open. LMDB keeps using the open descriptors and the map,
** so the database lives exactly as long as the handle and never appears in
** the file system; its spilled runs go to the same temporary directory.
*/
/* zA followed by zB in new memory (NULL when out of memory). */
static char *strCat2(const char *zA, const char *zB){
  size_t nA = strlen(zA), nB = strlen(zB);
  char *z = malloc(nA + nB + 1);
  if( z ){ memcpy(z, zA, nA); memcpy(z+nA, zB, nB+1); }
  return z;
}

static int openMemory(fakt *db, StoreConfig *pCfg){
  const char *zTmp = getenv("TMPDIR");
  char *zDir = NULL, *zFile = NULL, *zErr = NULL;
  int rc = FAKT_NOMEM;
  if( zTmp==NULL || zTmp[0]==0 ) zTmp = "/tmp";
  zDir = strCat2(zTmp, "/fakt-memory-XXXXXX");
  if( zDir==NULL ) goto done;
  if( mkdtemp(zDir)==NULL ){
    faktDbError(db, FAKT_CANTOPEN, ":memory:: cannot make a temporary directory in %s: %s",
                zTmp, strerror(errno));
    rc = FAKT_CANTOPEN;
    goto done;
  }
  zFile = strCat2(zDir, "/db");
  if( zFile ){
    pCfg->bCreate = 1;
    pCfg->zRunDir = zTmp;
    rc = faktStoreOpen(zFile, pCfg, &db->pStore, &zErr);
    if( rc ) faktDbError(db, rc, ":memory:: %s", zErr ? zErr : fakt_errstr(rc));
    unlink(zFile);
    free(zFile);
    zFile = strCat2(zDir, "/db-lock");
    if( zFile ) unlink(zFile);
  }
  rmdir(zDir);
done:
  if( rc==FAKT_NOMEM && zErr==NULL ) faktDbError(db, rc, "out of memory");
  free(zErr);
  free(zFile);
  free(zDir);
  return rc;
}

int fakt_open(const char *zPath, int flags, fakt **ppDb){
  if( ppDb==NULL ) return FAKT_MISUSE;
  *ppDb = NULL;
  fakt *db = calloc(1, sizeof(fakt));
  if( db==NULL ) return FAKT_NOMEM;
  faktErrInit(&db->err);
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&db->mutex, &attr);
  pthread_mutexattr_destroy(&attr);
  db->origin.iLine = 1;
  db->origin.iCol = 1;
  *ppDb = db;
  if( zPath==NULL ) return misuse(db, "fakt_open() needs a path");
  if( flags==0 ) flags = FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE;
  StoreConfig cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.bReadonly = (flags & FAKT_OPEN_READONLY)!=0;
  cfg.bCreate = (flags & FAKT_OPEN_CREATE)!=0 && !cfg.bReadonly;
  db->bReadonly = cfg.bReadonly;
  db->zPath = strdup(zPath);
  if( strcmp(zPath, ":memory:")==0 ){
    cfg.bReadonly = 0;               /* made writable; db->bReadonly guards it */
    return openMemory(db, &cfg);
  }
  char *zErr = NULL;
  int rc = faktStoreOpen(zPath, &cfg, &db->pStore, &zErr);
  if( rc ){
    faktDbError(db, rc, "%s: %s", zPath, zErr ? zErr : fakt_errstr(rc));
    free(zErr);
    return rc;
  }
  free(zErr);
  return FAKT_OK;
}

int fakt_close(fakt *db){
  if( db==NULL ) return FAKT_OK;
  if( db->nStmt>0 ){
    faktDbError(db, FAKT_BUSY, "unable to close: %d statement%s not finalized", db->nStmt,
                db->nStmt==1 ? " is" : "s are");
    return FAKT_BUSY;
  }
  if( db->pTxn ){ faktStoreAbort(db->pTxn); db->pTxn = NULL; }
  faktWriteForgetText(db);
  if( db->pStore ) faktStoreClose(db->pStore);
  faktDictCacheFree(db->pDictSpare);
  faktRulesFree(db->pRules);
  free(db->aBind);
  for(int i=0; i<db->nSessRule; i++){ free(db->azSessName[i]); free(db->azSessText[i]); }
  free(db->azSessName);
  free(db->azSessText);
  faktErrClear(&db->err);
  free(db->zOrigin);
  free(db->zPath);
  pthread_mutex_destroy(&db->mutex);
  free(db);
  return FAKT_OK;
}

int fakt_limits(fakt *db, int64_t nMaxRows, int64_t nMaxMem, int64_t nMaxMillis){
  if( db==NULL || nMaxRows<0 || nMaxMem<0 || nMaxMillis<0 ) return misuse(db, "negative limit");
  db->nMaxRows = nMaxRows;
  db->nMaxMem = nMaxMem;
  db->nMaxMillis = nMaxMillis;
  return FAKT_OK;
}

int fakt_set_max_size(fakt *db, int64_t nBytes){
  if( db==NULL || db->pStore==NULL || nBytes<0 ) return misuse(db, "fakt_set_max_size()");
  return faktStoreSetMaxSize(db->pStore, (uint64_t)nBytes);
}

int fakt_set_mapped(fakt *db, int64_t nBytes){
  if( db==NULL || db->pStore==NULL || nBytes<0 ) return misuse(db, "fakt_set_mapped()");
  pthread_mutex_lock(&db->mutex);
  int rc = faktStoreSetMapped(db->pStore, (uint64_t)nBytes);
  pthread_mutex_unlock(&db->mutex);
  return rc;
}

int fakt_busy_timeout(fakt *db, int nMs){
  if( db==NULL || db->pStore==NULL ) return misuse(db, "fakt_busy_timeout() on a closed handle");
  pthread_mutex_lock(&db->mutex);
  int rc = faktStoreBusyTimeout(db->pStore, nMs);
  pthread_mutex_unlock(&db->mutex);
  return rc;
}

int fakt_set_origin(fakt *db, const char *zName, int iLine, int iCol){
  if( db==NULL || iLine<1 || iCol<1 ) return misuse(db, "fakt_set_origin()");
  free(db->zOrigin);
  db->zOrigin = zName ? strdup(zName) : NULL;
  db->origin.iLine = iLine;
  db->origin.iCol = iCol;
  return FAKT_OK;
}

int fakt_progress_handler(fakt *db, int nStatements, int (*xProgress)(void*), void *pArg){
  if( db==NULL || db->pStore==NULL ) return misuse(db, "fakt_progress_handler() on a closed handle");
  if( nStatements<0 ) return misuse(db, "fakt_progress_handler(): a negative number of statements");
  pthread_mutex_lock(&db->mutex);
  int bOn = nStatements>0 && xProgress!=NULL;
  db->xProgress = bOn ? xProgress : NULL;
  db->pProgressArg = bOn ? pArg : NULL;
  db->nProgressEvery = bOn ? nStatements : 0;
  pthread_mutex_unlock(&db->mutex);
  return FAKT_OK;
}

void fakt_interrupt(fakt *db){
  if( db ){
    atomic_store(&db->bInterrupt, 1);
    atomic_fetch_add(&db->nInterrupt, 1);
  }
}

static int64_t fakt_last_txImpl(fakt *db){
  if( db==NULL || db->pStore==NULL ) return 0;
  StoreTxn *t = db->pTxn;
  int64_t n = 0;
  if( t ) return faktStoreLastTx(t);
  if( faktStoreBegin(db->pStore, 0, &t)==FAKT_OK ){
    n = faktStoreLastTx(t);
    faktStoreAbort(t);
  }
  return n;
}

int64_t fakt_changes(fakt *db){ return db ? db->nChanges : 0; }
int fakt_in_transaction(fakt *db){ return db && db->pTxn!=NULL; }

const char *fakt_errmsg(fakt *db){
  if( db==NULL ) return "out of memory";
  if( db->err.rc==FAKT_OK ) return "not an error";
  return db->err.zMsg ? db->err.zMsg : fakt_errstr(db->err.rc);
}
int fakt_errcode(fakt *db){ return db ? db->err.rc : FAKT_NOMEM; }
int fakt_error_offset(fakt *db){ return db && db->err.rc ? db->err.iOff : -1; }
void fakt_free(void *p){ free(p); }
int fakt_complete(const char *zSql){
  return zSql ? faktComplete(zSql, (int)strlen(zSql)) : 0;
}

/*
** The stored rules, as the engine reads them: NULL if they all parse and
** compile, else a malloc'd line for the check's report. The store checks
** the rule table's keys; whether a text is a rule only the parser knows.
*/
static char *checkRules(fakt *db, int *pRc){
  StoreTxn *t = NULL;
  RuleSet *rs = NULL;
  FaktErr e;
  char *z = NULL;
  faktErrInit(&e);
  *pRc = faktStoreBegin(db->pStore, 0, &t);
  if( *pRc ) return NULL;
  int rc = faktRulesLoad(db, t, &rs, &e);
  faktRulesFree(rs);
  faktStoreAbort(t);
  if( rc==FAKT_NOMEM ){
    *pRc = rc;
  }else if( rc ){
    const char *zMsg = e.zMsg ? e.zMsg : fakt_errstr(rc);
    size_t n = strlen(zMsg) + 16;
    if( (z = malloc(n))!=NULL ) snprintf(z, n, "rules: %s", zMsg);
    else *pRc = FAKT_NOMEM;
  }
  faktErrClear(&e);
  return z;
}

/* zReport plus the line zLine: "ok" and its warnings become a problem. */
static char *reportAdd(char *zReport, const char *zLine){
  size_t nR = zReport ? strlen(zReport) : 0, nL = strlen(zLine);
  const char *zKeep = zReport ? zReport : "";
  if( strncmp(zKeep, "ok", 2)==0 && (zKeep[2]==0 || zKeep[2]=='\n') ){
    zKeep += zKeep[2] ? 3 : 2;                  /* drop "ok", keep warnings */
    nR = strlen(zKeep);
  }
  char *z = malloc(nL + 1 + nR + 1);
  if( z==NULL ) return NULL;
  memcpy(z, zLine, nL);
  if( nR ){ z[nL] = '\n'; memcpy(z + nL + 1, zKeep, nR + 1); }
  else z[nL] = 0;
  free(zReport);
  return z;
}

static int fakt_checkImpl(fakt *db, char **pzReport){
  if( pzReport ) *pzReport = NULL;
  if( db==NULL || db->pStore==NULL ) return misuse(db, "fakt_check() on a closed handle");
  char *z = NULL;
  int rc = faktStoreCheck(db->pStore, &z);
  if( rc==FAKT_OK || rc==FAKT_CORRUPT ){
    int rc2 = FAKT_OK;
    char *zRules = checkRules(db, &rc2);
    if( zRules ){
      char *zNew = reportAdd(z, zRules);
      free(zRules);
      if( zNew==NULL ){ free(z); z = NULL; rc = FAKT_NOMEM; }
      else{ z = zNew; rc = FAKT_CORRUPT; }
    }else if( rc2 ){
      free(z); z = NULL; rc = rc2;
    }
  }
  if( rc && rc!=FAKT_CORRUPT ) faktDbError(db, rc, "%s", z ? z : fakt_errstr(rc));
  else if( rc==FAKT_CORRUPT ) faktDbError(db, rc, "integrity check failed");
  if( pzReport ) *pzReport = z; else free(z);
  return rc;
}

static int fakt_vacuum_intoImpl(fakt *db, const char *zPath){
  if( db==NULL || db->pStore==NULL ) return misuse(db, "fakt_vacuum_into() on a closed handle");
  if( zPath==NULL || zPath[0]==0 ) return misuse(db, "fakt_vacuum_into() needs a file name");
  int rc = faktStoreVacuum(db->pStore, zPath);
  if( rc==FAKT_MISUSE ) return misuse(db, "fakt_vacuum_into(): bad arguments");
  if( rc ) faktDbError(db, rc, "%s", faktStoreErrmsg(db->pStore));
  return rc;
}

static int fakt_backupImpl(fakt *db, const char *zPath){
  if( db==NULL || db->pStore==NULL ) return misuse(db, "fakt_backup() on a closed handle");
  if( zPath==NULL || zPath[0]==0 ) return misuse(db, "fakt_backup() needs a file name");
  int rc = faktStoreVacuum(db->pStore, zPath);
  if( rc==FAKT_MISUSE ) return misuse(db, "fakt_backup(): bad arguments");
  if( rc ) faktDbError(db, rc, "backup: %s", faktStoreErrmsg(db->pStore));
  return rc;
}

/* ================================================================ prepare */

static int isWriteKind(StmtKind k){
  return k!=S_FIND && k!=S_BEGIN && k!=S_COMMIT && k!=S_ROLLBACK && k!=S_VERIFY;
}

static int colsAlloc(fakt_stmt *p, int n){
  Cols *c = &p->cols;
  c->n = n;
  c->aVal = calloc((size_t)(n ? n : 1), sizeof(Value));
  c->azText = calloc((size_t)(n ? n : 1), sizeof(char*));
  c->anText = calloc((size_t)(n ? n : 1), sizeof(int));
  c->anAlloc = calloc((size_t)(n ? n : 1), sizeof(size_t));
  if( !c->aVal || !c->azText || !c->anText || !c->anAlloc ) return FAKT_NOMEM;
  for(int i=0; i<n; i++) c->anText[i] = -1;
  return FAKT_OK;
}

static void colsFree(Cols *c){
  for(int i=0; c->azText && i<c->n; i++) free(c->azText[i]);
  free(c->azText);
  free(c->aVal);
  free(c->anText);
  free(c->anAlloc);
  memset(c, 0, sizeof(*c));
}

static void stmtFree(fakt_stmt *p){
  if( p==NULL ) return;
  faktFindReset(p);
  if( p->pOwnTxn ){ faktStoreAbort(p->pOwnTxn); p->pOwnTxn = NULL; }
  free(p->ex.aReg);
  /* the handle keeps one cache for the next statement: the texts and
  ** records it holds stay good while the snapshot does (findBegin) */
  if( p->db && p->db->pDictSpare==NULL ) p->db->pDictSpare = p->ex.pDict;
  else faktDictCacheFree(p->ex.pDict);
  faktArenaFree(&p->ex.arena);
  colsFree(&p->cols);
  for(int i=0; p->azParamMem && i<p->nParam; i++) free(p->azParamMem[i]);
  free(p->azParamMem);
  free(p->aParam);
  faktRulesRelease(p->db, p->pRules);
  free(p->zSql);
  free(p->zSqlOut);
  free(p->zErrMsg);
  faktArenaFree(&p->arena);
  free(p);
}

static int fakt_prepareImpl(fakt *db, const char *zSql, int nByte, fakt_stmt **ppStmt, const char **pzTail){
  if( ppStmt ) *ppStmt = NULL;
  if( db==NULL || ppStmt==NULL || zSql==NULL ) return misuse(db, "fakt_prepare() arguments");
  if( db->pStore==NULL ) return misuse(db, "the database is not open");
  faktErrClear(&db->err);
  db->bInterrupt = 0;
  if( faktTxnForeign(db) ) return FAKT_MISUSE;
  int n = nByte<0 ? (int)strlen(zSql) : nByte;
  fakt_stmt *p = calloc(1, sizeof(fakt_stmt));
  if( p==NULL ){ faktDbError(db, FAKT_NOMEM, "out of memory"); return FAKT_NOMEM; }
  p->db = db;
  faktArenaInit(&p->arena);
  faktArenaInit(&p->ex.arena);
  Stmt *pS = NULL;
  int nUsed = 0;
  int rc = faktParse(zSql, n, &db->origin, &p->arena, &pS, &nUsed, &db->err);
  if( pzTail ) *pzTail = zSql + nUsed;
  if( rc || pS==NULL ){
    stmtFree(p);
    return rc;
  }
  p->pStmt = pS;
  p->zSql = malloc((size_t)nUsed + 1);
  if( p->zSql==NULL ){ stmtFree(p); faktDbError(db, FAKT_NOMEM, "out of memory"); return FAKT_NOMEM; }
  memcpy(p->zSql, zSql, (size_t)nUsed);
  p->zSql[nUsed] = 0;
  p->nSql = nUsed;
  p->bReadonly = !isWriteKind(pS->kind);
  p->nParam = pS->nParam;
  p->aParam = calloc((size_t)(p->nParam+1), sizeof(Value));
  p->azParamMem = calloc((size_t)(p->nParam+1), sizeof(char*));
  if( p->aParam==NULL || p->azParamMem==NULL ){
    stmtFree(p);
    faktDbError(db, FAKT_NOMEM, "out of memory");
    return FAKT_NOMEM;
  }
  if( !p->bReadonly && db->bReadonly && pS->kind!=S_RULE && pS->kind!=S_DROP_RULE ){
    faktErrSet(&db->err, FAKT_READONLY, &pS->pos, "attempt to write a read-only database");
    stmtFree(p);
    return FAKT_READONLY;
  }
  if( pS->kind==S_VERIFY ){
    static const char *azName[] = { "claim", "source", "problem" };
    rc = colsAlloc(p, 3);
    p->cols.azName = faktArenaAlloc(&p->arena, sizeof(char*)*3);
    if( rc==0 && p->cols.azName ) for(int i=0; i<3; i++) p->cols.azName[i] = azName[i];
    else rc = FAKT_NOMEM;
    if( rc ){ faktDbError(db, rc, "out of memory"); stmtFree(p); return rc; }
  }
  if( pS->kind==S_FIND ){
    StoreTxn *t = db->pTxn;
    int bOwn = 0;
    if( t==NULL ){
      rc = faktStoreBegin(db->pStore, 0, &t);
      if( rc ){ faktStoreFail(&db->err, db->pStore, rc, NULL, NULL); stmtFree(p); return rc; }
      bOwn = 1;
    }
    rc = faktResolveFind(p, t);
    char *zSqlErr = NULL;
    Pos sqlPos;
    memset(&sqlPos, 0, sizeof(sqlPos));
    if( rc==0 && pS->mode==F_SQL ){
      /* explain sql: translated now, while the names resolve (SPEC 14.7) */
      rc = faktSqlTranslate(db, t, pS, (const char *const*)p->cols.azName, p->pRules, &p->zSqlOut, &zSqlErr, &sqlPos);
      if( rc ){
        faktErrSet(&db->err, rc, sqlPos.iLine ? &sqlPos : NULL, "%s", zSqlErr ? zSqlErr : "out of memory");
        free(zSqlErr);
      }
    }
    if( bOwn ) faktStoreAbort(t);
    if( rc==0 ){
      if( pS->mode==F_SQL ){
        /* explain sql: one row, one column "sql" (SPEC 14.7) */
        colsFree(&p->cols);
        rc = colsAlloc(p, 1);
        p->cols.azName = faktArenaAlloc(&p->arena, sizeof(char*));
        if( p->cols.azName ) p->cols.azName[0] = "sql";
        else rc = FAKT_NOMEM;
      }else if( pS->mode==F_EXPLAIN ){
        static const char *azName[] = { "id", "parent", "op", "detail", "est" };
        rc = colsAlloc(p, 5);
        p->cols.azName = faktArenaAlloc(&p->arena, sizeof(char*)*5);
        if( p->cols.azName ) for(int i=0; i<5; i++) p->cols.azName[i] = azName[i];
        else rc = FAKT_NOMEM;
      }else{
        static const char *azWhy[] = { "claim", "source", "by", "stance", "quote" };
        FindInfo *f = p->pFind;
        const char **azName = faktArenaAlloc(&p->arena, sizeof(char*)*(size_t)(f->nProj + f->nWhy + 1));
        rc = colsAlloc(p, f->nProj + f->nWhy);
        if( azName ){
          for(int i=0; i<f->nProj; i++) azName[i] = p->cols.azName[i];
          for(int i=0; i<f->nWhy; i++) azName[f->nProj+i] = azWhy[i];
        }else{
          rc = FAKT_NOMEM;
        }
        p->cols.azName = azName;
      }
      if( rc ) faktDbError(db, rc, "out of memory");
    }
    if( rc ){ stmtFree(p); return rc; }
  }
  db->nStmt++;
  p->pStmtNext = db->pStmtList;
  if( p->pStmtNext ) p->pStmtNext->ppStmtPrev = &p->pStmtNext;
  p->ppStmtPrev = &db->pStmtList;
  db->pStmtList = p;
  *ppStmt = p;
  return FAKT_OK;
}

/* ================================================================ bind */

/* A call on statement p ended with rc: keep its error on the statement
** too (fakt_stmt_errmsg), where no other thread's call replaces it. */
static int stmtNote(fakt_stmt *p, int rc){
  if( p==NULL ) return rc;
  if( rc==FAKT_OK || rc==FAKT_ROW || rc==FAKT_DONE ){
    if( p->errRc ){ p->errRc = FAKT_OK; free(p->zErrMsg); p->zErrMsg = NULL; }
    return rc;
  }
  free(p->zErrMsg);
  p->errRc = rc;
  p->zErrMsg = strdup(p->db->err.rc==rc && p->db->err.zMsg ? p->db->err.zMsg : fakt_errstr(rc));
  return rc;
}

static int bindCheck(fakt_stmt *p, int i){
  if( p==NULL ) return FAKT_MISUSE;
  if( p->eState!=0 ) return misuse(p->db, "bind on a running statement (reset it first)");
  if( i<1 || i>p->nParam ){
    faktDbError(p->db, FAKT_RANGE, "parameter index %d out of range (1..%d)", i, p->nParam);
    return FAKT_RANGE;
  }
  free(p->azParamMem[i-1]);
  p->azParamMem[i-1] = NULL;
  memset(&p->aParam[i-1], 0, sizeof(Value));
  return FAKT_OK;
}

/* fakt_bind_text owns the caller's text from the call on: it is freed with
** xDel on success and on every failure alike (as sqlite3 does). */
static void bindDel(const char *z, fakt_destructor xDel){
  if( z && xDel && xDel!=FAKT_TRANSIENT ) xDel((void*)z);
}

static int fakt_bind_textImpl(fakt_stmt *p, int i, const char *z, int n, fakt_destructor xDel){
  int rc = bindCheck(p, i);
  if( rc ){ bindDel(z, xDel); return rc; }
  if( z==NULL ) return FAKT_OK;
  if( n<0 ) n = (int)strlen(z);
  if( n>FAKT_MAX_STRING ){
    faktDbError(p->db, FAKT_TOOBIG, "bound text is too long (%d bytes, at most %d)", n, FAKT_MAX_STRING);
    bindDel(z, xDel);
    return FAKT_TOOBIG;
  }
  if( !faktUtf8Valid(z, (size_t)n, NULL) ){
    faktDbError(p->db, FAKT_MISMATCH, "bound text is not valid UTF-8");
    bindDel(z, xDel);
    return FAKT_MISMATCH;
  }
  char *zCopy = malloc((size_t)n + 1);
  if( zCopy==NULL ){
    faktDbError(p->db, FAKT_NOMEM, "out of memory");
    bindDel(z, xDel);
    return FAKT_NOMEM;
  }
  memcpy(zCopy, z, (size_t)n);
  zCopy[n] = 0;
  bindDel(z, xDel);
  p->azParamMem[i-1] = zCopy;
  p->aParam[i-1].t = V_STR;
  p->aParam[i-1].z = zCopy;
  p->aParam[i-1].n = n;
  return FAKT_OK;
}

static int fakt_bind_int64Impl(fakt_stmt *p, int i, int64_t v){
  int rc = bindCheck(p, i);
  if( rc ) return rc;
  p->aParam[i-1].t = V_INT;
  p->aParam[i-1].u.i = v;
  return FAKT_OK;
}

static int fakt_bind_doubleImpl(fakt_stmt *p, int i, double v){
  int rc = bindCheck(p, i);
  if( rc ) return rc;
  /* NaN and infinities have no literal form, no order and no export form */
  if( !isfinite(v) ){
    faktDbError(p->db, FAKT_RANGE, "bound number for parameter %d is not finite (%s)", i,
                isnan(v) ? "NaN" : "infinity");
    return FAKT_RANGE;
  }
  p->aParam[i-1].t = V_FLOAT;
  p->aParam[i-1].u.r = v;
  return FAKT_OK;
}

static int fakt_bind_nullImpl(fakt_stmt *p, int i){
  return bindCheck(p, i);
}

/* 1 if pE is a literal a parameter can stand for: a constant, not an
** expression (a negative number is folded into its literal by the parser). */
static int isLiteralExpr(const Expr *pE){
  switch( pE->op ){
    case E_INT: case E_FLOAT: case E_BOOL: case E_NULL: case E_DATE:
    case E_QTY: case E_STR: case E_ID: case E_LABEL:
      return 1;
    default:
      return 0;
  }
}

/*
** fakt_bind_literal: the text is read as `find TEXT;` and must come out as
** exactly that one statement with one constant projection and nothing else,
** so no text can run as a statement or reach past the value. The constant
** is resolved as the query resolves its own literals (entity ids and labels
** to their entities, in the transaction open on the handle or a snapshot).
*/
static int fakt_bind_literalImpl(fakt_stmt *p, int i, const char *z, int n){
  int rc = bindCheck(p, i);
  if( rc ) return rc;
  fakt *db = p->db;
  if( z==NULL ) return misuse(db, "fakt_bind_literal() needs a text");
  if( n<0 ) n = (int)strlen(z);
  if( n>FAKT_MAX_STRING + 64 ){
    faktDbError(db, FAKT_TOOBIG, "bound literal is too long (%d bytes)", n);
    return FAKT_TOOBIG;
  }
  size_t nText = (size_t)n + 6;
  char *zText = malloc(nText + 1);
  if( zText==NULL ){ faktDbError(db, FAKT_NOMEM, "out of memory"); return FAKT_NOMEM; }
  memcpy(zText, "find ", 5);
  memcpy(zText + 5, z, (size_t)n);
  zText[5 + n] = ';';
  zText[6 + n] = 0;
  Arena arena;
  faktArenaInit(&arena);
  ParseOrigin org = { 1, -4 };              /* the literal's first byte is column 1 */
  Stmt *pS = NULL;
  int nUsed = 0;
  FaktErr e;
  faktErrInit(&e);
  rc = faktParse(zText, (int)nText, &org, &arena, &pS, &nUsed, &e);
  if( rc==FAKT_OK && (pS==NULL || nUsed!=(int)nText || pS->kind!=S_FIND || pS->mode!=F_PLAIN
                      || pS->bDistinct || pS->pWhere || pS->pOrder || pS->pLimit || pS->pOffset
                      || pS->pAsOf || pS->nParam || pS->pProj==NULL || pS->pProj->n!=1
                      || pS->pProj->a[0].zAlias || !isLiteralExpr(pS->pProj->a[0].p)) ){
    rc = FAKT_MISMATCH;
  }
  Value v;
  memset(&v, 0, sizeof(v));
  if( rc==FAKT_OK ){
    StoreTxn *t = db->pTxn;
    int bOwn = 0;
    if( t==NULL ){
      rc = faktStoreBegin(db->pStore, 0, &t);
      if( rc ) faktErrSet(&e, rc, NULL, "%s", faktStoreErrmsg(db->pStore));
      else bOwn = 1;
    }
    if( rc==FAKT_OK ){
      Compile c;
      faktCompileInit(&c, db, t, &arena, NULL, &e);
      rc = faktResolveConst(&c, pS->pProj->a[0].p, &v);
      faktCompileFree(&c);
      if( bOwn ) faktStoreAbort(t);
    }
  }
  if( rc==FAKT_OK && (v.t==V_STR || v.t==V_QTY) && v.z ){
    /* the text lives in the parse arena: the parameter keeps its own copy */
    char *zCopy = malloc((size_t)v.n + 1);
    if( zCopy==NULL ){ rc = FAKT_NOMEM; faktErrSet(&e, rc, NULL, "out of memory"); }
    else{
      memcpy(zCopy, v.z, (size_t)v.n);
      zCopy[v.n] = 0;
      p->azParamMem[i-1] = zCopy;
      v.z = zCopy;
    }
  }
  if( rc==FAKT_OK ){
    if( v.t==V_ID ) v.u.d = 0;     /* no name's hash (fakt_bind_entity's) */
    p->aParam[i-1] = v;
  }else if( rc==FAKT_MISMATCH || rc==FAKT_SYNTAX ){
    /* a syntax error's position is the column in the literal's own text */
    faktDbError(db, FAKT_MISMATCH, "parameter %d: not one literal: %.*s%s%s%s", i,
                n>60 ? 60 : n, z, n>60 ? "..." : "",
                rc==FAKT_SYNTAX && e.zMsg ? ": " : "",
                rc==FAKT_SYNTAX && e.zMsg ? e.zMsg
                  : " (a number, quantity, @date, string, true, false, null, id or ~\"label\")");
    rc = FAKT_MISMATCH;
  }else{
    faktDbError(db, rc, "parameter %d: %s", i, e.zMsg ? e.zMsg : fakt_errstr(rc));
  }
  faktErrClear(&e);
  faktArenaFree(&arena);
  free(zText);
  return rc;
}

static int fakt_bind_entityImpl(fakt_stmt *p, int i, const char *zId){
  int rc = bindCheck(p, i);
  if( rc ) return rc;
  if( zId==NULL ) return misuse(p->db, "fakt_bind_entity() needs an id");
  fakt *db = p->db;
  StoreTxn *t = db->pTxn;
  size_t n = strlen(zId);
  uint32_t id;
  BindName *e = NULL;
  uint64_t h = 0;
  /* outside a transaction a name found before needs no read at all (a
  ** generated claim's name _cN is left to the lookup, which checks the
  ** claim is there) */
  if( t==NULL && n>0 && n<=BIND_NAME_MAX && !(zId[0]=='_' && zId[1]=='c') ){
    if( db->aBind==NULL ) db->aBind = calloc(BIND_CACHE, sizeof(BindName));
    if( db->aBind ){
      h = faktHash64(zId, n) | 1;
      e = &db->aBind[h & (BIND_CACHE-1)];
      if( e->h==h && e->n==n && memcmp(e->z, zId, n)==0 ){
        p->aParam[i-1].t = V_ID;
        p->aParam[i-1].id = e->id;
        p->aParam[i-1].u.d = faktHash64(zId, n);   /* its name, for a claim's proposition */
        return FAKT_OK;
      }
    }
  }
  int bOwn = 0;
  if( t==NULL ){
    rc = faktStoreBegin(db->pStore, 0, &t);
    if( rc ) return rc;
    bOwn = 1;
  }
  rc = faktLookupName(t, zId, (int)n, &id, NULL);
  if( bOwn ) faktStoreAbort(t);
  if( rc==FAKT_NOTFOUND ){
    faktDbError(db, FAKT_NOTFOUND, "unknown entity \"%s\"", zId);
    return rc;
  }
  if( rc ) return rc;
  if( e ){                                  /* found in a committed snapshot */
    e->h = h;
    e->id = id;
    e->n = (uint8_t)n;
    memcpy(e->z, zId, n);
  }
  p->aParam[i-1].t = V_ID;
  p->aParam[i-1].id = id;
  p->aParam[i-1].u.d = faktHash64(zId, n);     /* its name, for a claim's proposition (write.c) */
  return FAKT_OK;
}

static int fakt_clear_bindingsImpl(fakt_stmt *p){
  if( p==NULL ) return FAKT_MISUSE;
  for(int i=1; i<=p->nParam; i++){
    int rc = bindCheck(p, i);
    if( rc ) return rc;
  }
  return FAKT_OK;
}

int fakt_bind_parameter_count(fakt_stmt *p){ return p ? p->nParam : 0; }

int fakt_bind_parameter_index(fakt_stmt *p, const char *zName){
  if( p==NULL || zName==NULL ) return 0;
  IdList *pL = &p->pStmt->params;
  for(int i=0; i<pL->n && i<p->nParam; i++){
    if( pL->az[i] && strcmp(pL->az[i], zName)==0 ) return i+1;
  }
  if( zName[0]=='$' && zName[1]>='1' && zName[1]<='9' ){
    int k = atoi(zName+1);
    if( k>=1 && k<=p->nParam ) return k;
  }
  return 0;
}

const char *fakt_bind_parameter_name(fakt_stmt *p, int i){
  if( p==NULL || i<1 || i>p->nParam || i>p->pStmt->params.n ) return NULL;
  const char *z = p->pStmt->params.az[i-1];
  if( z==NULL || strcmp(z, "?")==0 ) return NULL;
  return z;
}

/* ================================================================ step */

static void colsInvalidate(fakt_stmt *p){
  for(int i=0; i<p->cols.n; i++) p->cols.anText[i] = -1;
}

static int findBegin(fakt_stmt *p){
  fakt *db = p->db;
  Exec *ex = &p->ex;
  int rc;
  StoreTxn *t = db->pTxn;
  if( t==NULL ){
    rc = faktStoreBegin(db->pStore, 0, &t);
    if( rc ){ faktStoreFail(&db->err, db->pStore, rc, NULL, NULL); return rc; }
    p->pOwnTxn = t;
  }
  free(ex->aReg);
  faktArenaFree(&ex->arena);
  ex->db = db;
  ex->pTxn = t;
  /* inside begin ... commit the open transaction's own changes are visible */
  ex->txLast = faktStoreLastTx(t);
  ex->txSnap = ex->txLast + (db->pTxn ? 1 : 0);
  ex->bAsOf = 0;
  ex->nReg = p->nReg;
  ex->aReg = calloc((size_t)(p->nReg ? p->nReg : 1), sizeof(Value));
  ex->pErr = &db->err;
  ex->pRules = p->pRules;
  ex->nWork = 0;
  ex->tStart = faktNowMillis();
  ex->aParam = p->aParam;
  ex->nParam = p->nParam;
  ex->idCached = 0;
  ex->idNotClaim = 0;
  ex->nHeap = 0;
  /* a new snapshot: the texts of the last one are gone, unless it is
  ** the same committed state seen through the same map */
  if( ex->pDict==NULL ){
    ex->pDict = db->pDictSpare;
    db->pDictSpare = NULL;
  }
  if( ex->pDict==NULL ) ex->pDict = calloc(1, sizeof(DictCache));
  if( ex->pDict ){
    DictCache *pC = ex->pDict;
    uint64_t aSnap[2];
    int bSnap = faktStoreSnapshot(t, aSnap);
    if( !bSnap || !pC->bSnap || aSnap[0]!=pC->aSnap[0] || aSnap[1]!=pC->aSnap[1] ){
      faktDictCacheNewSnap(pC);
      pC->bSnap = bSnap;
      if( bSnap ){ pC->aSnap[0] = aSnap[0]; pC->aSnap[1] = aSnap[1]; }
    }
  }
  if( ex->aReg==NULL ){ faktDbError(db, FAKT_NOMEM, "out of memory"); return FAKT_NOMEM; }
  return FAKT_OK;
}

static int fakt_stepImpl(fakt_stmt *p){
  if( p==NULL ) return FAKT_MISUSE;
  fakt *db = p->db;
  int rc;
  if( p->eState==2 ) fakt_reset(p);          /* as sqlite3: run it again */
  if( p->eState==3 ){
    /* its transaction ended under it (faktTxnEnding): report it once; the
    ** statement is reset, so the next step runs it again from the start */
    faktDbError(db, FAKT_ABORT, "statement aborted: the transaction it was reading in was %s"
                "; it has been reset, and the next step runs it again", p->zAbort);
    fakt_reset(p);
    return FAKT_ABORT;
  }
  if( p->eState==0 ){
    faktErrClear(&db->err);
    db->bInterrupt = 0;
  }
  if( faktTxnForeign(db) ) return FAKT_MISUSE;
  if( p->pStmt->kind==S_VERIFY ){
    rc = faktVerifyStep(p);
    if( rc==FAKT_ROW ){ colsInvalidate(p); return rc; }
    if( rc!=FAKT_DONE ){
      FaktErr save = db->err;
      faktErrInit(&db->err);
      fakt_reset(p);
      faktErrClear(&db->err);
      db->err = save;
      return save.rc ? save.rc : rc;
    }
    p->eState = 2;
    return rc;
  }
  if( p->pStmt->kind!=S_FIND ){
    if( p->eState!=0 ) return FAKT_DONE;
    p->eState = 1;
    rc = faktWriteStep(p);
    if( rc==FAKT_ROW ) return rc;
    p->eState = 2;
    return rc ? rc : FAKT_DONE;
  }
  if( p->eState==0 ){
    rc = findBegin(p);
    if( rc ){ fakt_reset(p); return rc; }
  }
  rc = faktFindStep(p);
  if( rc==FAKT_ROW ){
    colsInvalidate(p);
    return rc;
  }
  if( rc==FAKT_DONE ){
    p->eState = 2;
    if( p->pRules && db->pTxn==NULL && !faktRulesHavePtr(p->pRules) ){
      p->pRules->bKeep = 1;
      p->pRules->keepSnap = p->ex.txSnap;
      p->pRules->keepLast = p->ex.txLast;
    }
    return rc;
  }
  if( p->pRules ) p->pRules->bKeep = 0;      /* a rule may have stopped half-way */
  if( db->err.rc==FAKT_OK ) faktStoreFail(&db->err, db->pStore, rc, NULL, NULL);
  rc = db->err.rc;
  /* keep the message; reset the execution */
  FaktErr save = db->err;
  faktErrInit(&db->err);
  fakt_reset(p);
  faktErrClear(&db->err);
  db->err = save;
  return rc;
}

/* ================================================================ columns */

static Value *colVal(fakt_stmt *p, int i){
  if( p==NULL || i<0 || i>=p->cols.n || p->eState!=1 ) return NULL;
  return &p->cols.aVal[i];
}

int fakt_column_count(fakt_stmt *p){ return p ? p->cols.n : 0; }

const char *fakt_column_name(fakt_stmt *p, int i){
  if( p==NULL || i<0 || i>=p->cols.n || p->cols.azName==NULL ) return NULL;
  return p->cols.azName[i];
}

static StoreTxn *colTxn(fakt_stmt *p){
  return p->ex.pTxn ? p->ex.pTxn : p->db->pTxn;
}

int fakt_column_type(fakt_stmt *p, int i){
  Value *v = colVal(p, i);
  return v ? faktValueColType(colTxn(p), p->ex.pDict, v) : FAKT_NULL;
}

const char *fakt_column_text(fakt_stmt *p, int i){
  Value *v = colVal(p, i);
  if( v==NULL || v->t==V_NULL ) return NULL;
  Cols *c = &p->cols;
  if( c->anText[i]<0 ){
    int n = 0;
    if( faktValueRender(colTxn(p), p->ex.pDict, v, &c->azText[i], &c->anAlloc[i], &n) ) return NULL;
    c->anText[i] = n;
  }
  return c->azText[i];
}

int fakt_column_bytes(fakt_stmt *p, int i){
  const char *z = fakt_column_text(p, i);
  return z ? p->cols.anText[i] : 0;
}

int64_t fakt_column_int64(fakt_stmt *p, int i){
  Value *v = colVal(p, i);
  if( v==NULL ) return 0;
  switch( v->t ){
    case V_INT: case V_BOOL: return v->u.i;
    case V_FLOAT: case V_QTY:
      /* truncated; NaN gives 0 and the range is clamped (no undefined cast) */
      if( !(v->u.r==v->u.r) ) return 0;
      if( v->u.r>=9223372036854775807.0 ) return INT64_MAX;
      if( v->u.r<=-9223372036854775808.0 ) return INT64_MIN;
      return (int64_t)v->u.r;
    default: return 0;
  }
}

double fakt_column_double(fakt_stmt *p, int i){
  Value *v = colVal(p, i);
  if( v==NULL ) return 0;
  switch( v->t ){
    case V_INT: case V_BOOL: return (double)v->u.i;
    case V_FLOAT: case V_QTY: return v->u.r;
    default: return 0;
  }
}

const char *fakt_column_unit(fakt_stmt *p, int i){
  Value *v = colVal(p, i);
  if( v==NULL || v->t!=V_QTY ) return NULL;
  /* dictionary texts are not NUL-terminated: take the unit from the
  ** rendered text "NUMBER UNIT", which the statement owns */
  const char *z = fakt_column_text(p, i);
  const char *zSp = z ? strchr(z, ' ') : NULL;
  return zSp ? zSp + 1 : NULL;
}

/* ================================================================ reset, finalize */

static int fakt_resetImpl(fakt_stmt *p){
  if( p==NULL ) return FAKT_OK;
  faktFindReset(p);
  if( p->pOwnTxn ){ faktStoreAbort(p->pOwnTxn); p->pOwnTxn = NULL; }
  p->ex.pTxn = NULL;
  faktArenaFree(&p->ex.arena);
  p->eState = 0;
  return FAKT_OK;
}

static int fakt_finalizeImpl(fakt_stmt *p){
  if( p==NULL ) return FAKT_OK;
  p->db->nStmt--;
  *p->ppStmtPrev = p->pStmtNext;
  if( p->pStmtNext ) p->pStmtNext->ppStmtPrev = p->ppStmtPrev;
  stmtFree(p);
  return FAKT_OK;
}

const char *fakt_sql(fakt_stmt *p){ return p ? p->zSql : NULL; }
int fakt_stmt_readonly(fakt_stmt *p){ return p ? p->bReadonly : 1; }

/* ================================================================ exec */

static int fakt_execImpl(fakt *db, const char *zSql, fakt_callback xCallback, void *pArg, char **pzErrMsg){
  if( pzErrMsg ) *pzErrMsg = NULL;
  if( db==NULL || zSql==NULL ) return misuse(db, "fakt_exec() arguments");
  const char *z = zSql, *zEnd = zSql + strlen(zSql);
  ParseOrigin base = db->origin;
  ParseOrigin org = base;        /* position of z, carried forward (counting
                                 ** from zSql each time was quadratic) */
  int rc = FAKT_OK;
  while( rc==FAKT_OK && z<zEnd ){
    fakt_stmt *p = NULL;
    const char *zTail = NULL;
    db->origin = org;
    rc = fakt_prepare(db, z, (int)(zEnd - z), &p, &zTail);
    if( rc ) break;
    Pos next = faktPosAt(z, (int)(zTail - z), &org);
    org.iLine = next.iLine;
    org.iCol = next.iCol;
    db->nTextScan += 2*(int64_t)(zTail - z);   /* parsed, then positioned */
    z = zTail;
    if( p==NULL ) continue;
    int nCol = fakt_column_count(p);
    for(;;){
      rc = fakt_step(p);
      if( rc!=FAKT_ROW ) break;
      if( xCallback ){
        char *azVal[64], *azCol[64];
        int n = nCol<64 ? nCol : 64;
        for(int i=0; i<n; i++){
          azVal[i] = (char*)fakt_column_text(p, i);
          azCol[i] = (char*)fakt_column_name(p, i);
        }
        if( xCallback(pArg, n, azVal, azCol) ){
          faktDbError(db, FAKT_INTERRUPT, "callback requested query abort");
          rc = FAKT_INTERRUPT;
          break;
        }
      }
    }
    if( rc==FAKT_DONE ) rc = FAKT_OK;
    if( rc ){
      int rcSave = rc;
      FaktErr save = db->err;
      faktErrInit(&db->err);
      fakt_finalize(p);
      faktErrClear(&db->err);
      db->err = save;
      rc = rcSave;
    }else{
      fakt_finalize(p);
    }
  }
  db->origin = base;
  if( rc && pzErrMsg ) *pzErrMsg = strdup(fakt_errmsg(db));
  return rc;
}

/* ================================================================ locking
** Every call that touches a handle's shared state holds its mutex; the
** mutex is recursive because fakt_exec calls prepare, step and finalize.
*/

int fakt_prepare(fakt *db, const char *zSql, int nByte, fakt_stmt **ppStmt, const char **pzTail){
  fakt *db_ = db;
  if( db_ ) pthread_mutex_lock(&db_->mutex);
  int r_ = fakt_prepareImpl(db, zSql, nByte, ppStmt, pzTail);
  if( db_ ) pthread_mutex_unlock(&db_->mutex);
  return r_;
}

/*
** A page that failed its check while the step ran (pagecheck.c) makes the
** step fail with that damage and its message, even where the reader took
** the failure for "nothing there" or reported it as something else.
*/
static int stepDamage(fakt_stmt *p, int rc){
  char zMsg[600];
  if( p==NULL || p->db==NULL ) return rc;
  if( !faktStoreDamage(p->db->pStore, zMsg, sizeof(zMsg)) ) return rc;
  faktDbError(p->db, FAKT_CORRUPT, "%s", zMsg);
  return FAKT_CORRUPT;
}

int fakt_step(fakt_stmt *p){
  fakt *db_ = p ? p->db : NULL;
  if( db_ ) pthread_mutex_lock(&db_->mutex);
  int r_ = stmtNote(p, stepDamage(p, fakt_stepImpl(p)));
  if( db_ ) pthread_mutex_unlock(&db_->mutex);
  return r_;
}

/* The binds: under the handle's mutex, as they may set its message. */
#define BIND_WRAP(CALL) \
  fakt *db_ = p ? p->db : NULL; \
  if( db_ ) pthread_mutex_lock(&db_->mutex); \
  int r_ = stmtNote(p, CALL); \
  if( db_ ) pthread_mutex_unlock(&db_->mutex); \
  return r_

int fakt_bind_text(fakt_stmt *p, int i, const char *z, int n, fakt_destructor xDel){
  BIND_WRAP(fakt_bind_textImpl(p, i, z, n, xDel));
}
int fakt_bind_int64(fakt_stmt *p, int i, int64_t v){ BIND_WRAP(fakt_bind_int64Impl(p, i, v)); }
int fakt_bind_double(fakt_stmt *p, int i, double v){ BIND_WRAP(fakt_bind_doubleImpl(p, i, v)); }
int fakt_bind_null(fakt_stmt *p, int i){ BIND_WRAP(fakt_bind_nullImpl(p, i)); }
int fakt_clear_bindings(fakt_stmt *p){ BIND_WRAP(fakt_clear_bindingsImpl(p)); }

const char *fakt_stmt_errmsg(fakt_stmt *p){
  if( p==NULL ) return "misuse: no statement";
  return p->errRc ? (p->zErrMsg ? p->zErrMsg : fakt_errstr(p->errRc)) : "not an error";
}
int fakt_stmt_errcode(fakt_stmt *p){ return p ? p->errRc : FAKT_MISUSE; }

int fakt_reset(fakt_stmt *p){
  fakt *db_ = p ? p->db : NULL;
  if( db_ ) pthread_mutex_lock(&db_->mutex);
  int r_ = fakt_resetImpl(p);
  if( db_ ) pthread_mutex_unlock(&db_->mutex);
  return r_;
}

int fakt_finalize(fakt_stmt *p){
  fakt *db_ = p ? p->db : NULL;
  if( db_ ) pthread_mutex_lock(&db_->mutex);
  int r_ = fakt_finalizeImpl(p);
  if( db_ ) pthread_mutex_unlock(&db_->mutex);
  return r_;
}

int fakt_exec(fakt *db, const char *zSql, fakt_callback xCallback, void *pArg, char **pzErrMsg){
  fakt *db_ = db;
  if( db_ ) pthread_mutex_lock(&db_->mutex);
  int r_ = fakt_execImpl(db, zSql, xCallback, pArg, pzErrMsg);
  if( db_ ) pthread_mutex_unlock(&db_->mutex);
  return r_;
}

int fakt_check(fakt *db, char **pzReport){
  fakt *db_ = db;
  if( db_ ) pthread_mutex_lock(&db_->mutex);
  int r_ = fakt_checkImpl(db, pzReport);
  if( db_ ) pthread_mutex_unlock(&db_->mutex);
  return r_;
}

int fakt_vacuum_into(fakt *db, const char *zPath){
  fakt *db_ = db;
  if( db_ ) pthread_mutex_lock(&db_->mutex);
  int r_ = fakt_vacuum_intoImpl(db, zPath);
  if( db_ ) pthread_mutex_unlock(&db_->mutex);
  return r_;
}

int fakt_backup(fakt *db, const char *zPath){
  fakt *db_ = db;
  if( db_ ) pthread_mutex_lock(&db_->mutex);
  int r_ = fakt_backupImpl(db, zPath);
  if( db_ ) pthread_mutex_unlock(&db_->mutex);
  return r_;
}

const char *fakt_last_claim(fakt *db){
  if( db==NULL ) return NULL;
  pthread_mutex_lock(&db->mutex);
  const char *z = db->zLastClaim[0] ? db->zLastClaim : NULL;
  pthread_mutex_unlock(&db->mutex);
  return z;
}

int fakt_bind_literal(fakt_stmt *p, int i, const char *zText, int n){
  fakt *db_ = p ? p->db : NULL;
  if( db_ ) pthread_mutex_lock(&db_->mutex);
  int r_ = stmtNote(p, fakt_bind_literalImpl(p, i, zText, n));
  if( db_ ) pthread_mutex_unlock(&db_->mutex);
  return r_;
}

int fakt_bind_entity(fakt_stmt *p, int i, const char *zId){
  fakt *db_ = p ? p->db : NULL;
  if( db_ ) pthread_mutex_lock(&db_->mutex);
  int r_ = stmtNote(p, fakt_bind_entityImpl(p, i, zId));
  if( db_ ) pthread_mutex_unlock(&db_->mutex);
  return r_;
}

int64_t fakt_last_tx(fakt *db){
  fakt *db_ = db;
  if( db_ ) pthread_mutex_lock(&db_->mutex);
  int64_t r_ = fakt_last_txImpl(db);
  if( db_ ) pthread_mutex_unlock(&db_->mutex);
  return r_;
}
