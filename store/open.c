/*
** open.c -- opening and closing a store: the checks of the file before
** LMDB maps it (vetFile), the path LMDB opens and its lock file, the
** environment with its page check, the tables of an existing database or
** the meta records and built-in objects of a new one, the handle's
** settings and its message. It calls codec.c, kv.c, txn.c, dict.c,
** records.c and pagecheck.c.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "storeInt.h"

/* ================================================================ the file before LMDB maps it */

/* Mirrors of LMDB 0.9's on-disk page header and meta page (mdb.c:
** MDB_page, MDB_db, MDB_meta), to vet a file before LMDB maps it. */
typedef struct PgHdr { size_t pgno; uint16_t pad, flags, lower, upper; } PgHdr;
typedef struct DbRec { uint32_t pad; uint16_t flags, depth; size_t branch, leaf, overflow, entries, root; } DbRec;
typedef struct MetaRec {
  uint32_t magic, version; void *addr; size_t mapsize; DbRec dbs[2]; size_t lastPg, txnid;
} MetaRec;
#define LMDB_MAGIC   0xBEEFC0DEu
#define LMDB_DATA_V  1u
#define LMDB_P_META  0x08

/* Read the meta page at offset iOff: 1 if valid. */
static int readMeta(FILE *f, long iOff, MetaRec *m){
  uint8_t a[sizeof(PgHdr) + sizeof(MetaRec)];
  PgHdr h;
  if( fseek(f, iOff, SEEK_SET) || fread(a, 1, sizeof(a), f)!=sizeof(a) ) return 0;
  memcpy(&h, a, sizeof(h));
  memcpy(m, a + sizeof(PgHdr), sizeof(*m));
  return (h.flags & LMDB_P_META) && m->magic==LMDB_MAGIC;
}

/*
** Vet an existing file before LMDB maps it, so that a foreign file is never
** written and a short file never faults: it must start with an LMDB meta
** page of this data version and be as long as its meta pages say.
*/
static int vetFile(FaktStore *s, const char *zPath, uint64_t nSize){
  FILE *f;
  MetaRec m0, m1;
  uint32_t psize;
  uint64_t nNeed;
  int rc = FAKT_OK;
  if( nSize==0 ){
    faktKvSetErr(s, "file is empty: not a fakt database: %s", zPath);
    return FAKT_NOTADB;
  }
  f = fopen(zPath, "rb");
  if( f==NULL ){
    faktKvSetErr(s, "cannot open database %s: %s", zPath, strerror(errno));
    return errno==EACCES ? FAKT_PERM : FAKT_CANTOPEN;
  }
  if( !readMeta(f, 0, &m0) ){
    faktKvSetErr(s, "file is not a fakt database: %s", zPath);
    rc = FAKT_NOTADB;
    goto done;
  }
  if( m0.version!=LMDB_DATA_V ){
    faktKvSetErr(s, "unsupported LMDB data version %u in %s", m0.version, zPath);
    rc = FAKT_FORMAT;
    goto done;
  }
  psize = m0.dbs[0].pad;
  if( psize<512 || psize>65536 || (psize & (psize-1)) ){
    faktKvSetErr(s, "file is not a fakt database (page size %u): %s", psize, zPath);
    rc = FAKT_NOTADB;
    goto done;
  }
  nNeed = ((uint64_t)m0.lastPg + 1) * psize;
  if( nSize>=2*(uint64_t)psize && readMeta(f, (long)psize, &m1) && m1.lastPg>m0.lastPg ){
    nNeed = ((uint64_t)m1.lastPg + 1) * psize;
  }
  if( nNeed<2*(uint64_t)psize ) nNeed = 2*(uint64_t)psize;
  if( nSize<nNeed ){
    faktKvSetErr(s, "database file is truncated (%llu bytes, needs %llu): %s",
           (unsigned long long)nSize, (unsigned long long)nNeed, zPath);
    rc = FAKT_CORRUPT;
  }
done:
  fclose(f);
  return rc;
}

/* ================================================================ a new database */

/* Intern zName and store it as an entity-like object. */
static int bootEnt(StoreTxn *t, const char *zName, int kind, uint32_t type, uint8_t objType, uint32_t *pId){
  EntRec r;
  uint32_t id;
  int rc = faktDictIntern(t, NS_NAME, zName, (int)strlen(zName), &id);
  if( rc ) return rc;
  memset(&r, 0, sizeof(r));
  r.kind = (uint8_t)kind;
  r.type = type;
  r.objType = objType;
  rc = faktEntPut(t, id, &r);
  if( rc==FAKT_OK && pId ) *pId = id;
  return rc;
}

/*
** Meta records and built-in objects of a new database. Built-ins have no
** label (so they never shadow user entities in the alias index); they are
** found by name through the dictionary.
*/
static int bootstrap(StoreTxn *t){
  static const char *const azType[] = {
    "person", "organisation", "agency", "outlet", "country", "region", "city",
    "place", "event", "document", "thing", "group", "stance", "type"
  };
  static const char *const azStance[] = { "asserts", "confirms", "hedges", "speculates", "denies" };
  uint32_t typeId, stanceId, id;
  size_t i;
  int rc = faktTxnPut(t, DB_META, "magic", 5, "fakt", 4, 0);
  if( rc==FAKT_OK ) rc = faktTxnMetaPut(t, "format", FAKT_FORMAT_VERSION);
  if( rc==FAKT_OK ) rc = faktTxnMetaPut(t, "next_id", 1);
  if( rc==FAKT_OK ) rc = faktTxnMetaPut(t, "next_gen", 1);
  if( rc==FAKT_OK ) rc = faktTxnMetaPut(t, "last_tx", 0);
  if( rc==FAKT_OK ) rc = faktDictIntern(t, NS_NAME, "type", 4, &typeId);
  if( rc==FAKT_OK ) rc = faktDictIntern(t, NS_NAME, "stance", 6, &stanceId);
  for(i=0; rc==FAKT_OK && i<sizeof(azType)/sizeof(azType[0]); i++){
    rc = bootEnt(t, azType[i], K_TYPE, typeId, 0, NULL);
  }
  for(i=0; rc==FAKT_OK && i<sizeof(azStance)/sizeof(azStance[0]); i++){
    rc = bootEnt(t, azStance[i], K_STANCE, stanceId, 0, NULL);
  }
  if( rc==FAKT_OK ) rc = bootEnt(t, "located_in", K_PREDICATE, 0, PT_ENTITY, &id);
  return rc;
}

/* ================================================================ the lock file */

/*
** The path LMDB opens, so that the lock file "<it>-lock" belongs to the
** file, not to one of its names: a symbolic link (or a path through a
** linked directory) to an existing file resolves to the file's real path;
** a new file's directory is resolved and its name appended. NULL with a
** message on s when out of memory or when zPath is a symbolic link to
** nothing (a malloc'd string otherwise; zPath itself when it cannot be
** resolved, and the open reports why).
*/
static char *lockPath(FaktStore *s, const char *zPath){
  struct stat st;
  const char *zSlash, *zBase;
  char *zDir, *zReal, *zOut;
  size_t n;
  zOut = realpath(zPath, NULL);
  if( zOut ) return zOut;
  if( lstat(zPath, &st)==0 && S_ISLNK(st.st_mode) ){
    faktKvSetErr(s, "cannot open database %s: a symbolic link to a missing file", zPath);
    return NULL;
  }
  zSlash = strrchr(zPath, '/');
  zBase = zSlash ? zSlash + 1 : zPath;
  n = zSlash==NULL ? 1 : zSlash==zPath ? 1 : (size_t)(zSlash - zPath);
  zDir = malloc(n + 1);
  if( zDir==NULL ) goto oom;
  memcpy(zDir, zSlash==NULL ? "." : zPath, n);
  zDir[n] = 0;
  zReal = realpath(zDir, NULL);
  free(zDir);
  if( zReal==NULL || zBase[0]==0 ){
    free(zReal);
    zOut = strdup(zPath);
    if( zOut==NULL ) goto oom;
    return zOut;
  }
  n = strlen(zReal);
  zOut = malloc(n + strlen(zBase) + 2);
  if( zOut==NULL ){ free(zReal); goto oom; }
  memcpy(zOut, zReal, n);
  if( n==0 || zReal[n-1]!='/' ) zOut[n++] = '/';
  strcpy(zOut + n, zBase);
  free(zReal);
  return zOut;
oom:
  faktKvSetErr(s, "out of memory");
  return NULL;
}

/*
** After the open of zReal failed with code rc: if the lock file is to
** blame, say so and name it (a directory or other non-file in its place,
** one that cannot be opened, one that holds no LMDB lock table); else
** leave rc and the message as they are.
*/
static int lockBlame(FaktStore *s, const char *zReal, int rc){
  struct stat st;
  char zLock[4096];
  const char *zWhy = NULL;
  int fd, e = 0, bNew;
  if( snprintf(zLock, sizeof(zLock), "%s-lock", zReal)>=(int)sizeof(zLock) ) return rc;
  bNew = lstat(zLock, &st)!=0;
  if( !bNew && S_ISDIR(st.st_mode) ){
    e = EISDIR;
  }else if( !bNew && !S_ISREG(st.st_mode) ){
    zWhy = "not a regular file";
  }else if( (fd = open(zLock, s->bReadonly ? O_RDONLY : O_RDWR|O_CREAT, 0644))<0 ){
    e = errno;
  }else{
    uint32_t magic = 0;
    ssize_t n = read(fd, &magic, sizeof(magic));
    close(fd);
    if( bNew ) unlink(zLock);
    if( n>0 && (n!=(ssize_t)sizeof(magic) || magic!=0xBEEFC0DE) && (rc==FAKT_NOTADB || rc==FAKT_FORMAT) ){
      zWhy = "it is damaged (no LMDB lock table): remove it while no process has the database open";
    }else{
      return rc;
    }
  }
  faktKvSetErr(s, "cannot open lock file %s: %s", zLock, zWhy ? zWhy : strerror(e));
  if( e==EACCES || e==EPERM ) return FAKT_PERM;
  if( e==EROFS ) return FAKT_READONLY;
  if( e==ENOSPC ) return FAKT_FULL;
  return FAKT_CANTOPEN;
}

/* ================================================================ open and close */

/* About how many bytes of the file s's reads leave mapped (0: no limit;
** kv.c's readLook). */
int faktStoreSetMapped(FaktStore *s, uint64_t nBytes){
  uint64_t nLong = UINT64_MAX;
  if( nBytes ){
    /* the longest interval between two looks: as many gets as map in
    ** half of nBytes when each maps in 2 MiB (Linux maps a whole large
    ** folio of the page cache at a fault); kv.c's readLook looks sooner
    ** when it sees the pages grow faster than that, later never */
    nLong = (nBytes/2) / ((uint64_t)2 << 20) * READ_TICK_GET;
    if( nLong<READ_TICK_GET ) nLong = READ_TICK_GET;
  }
  atomic_store_explicit(&s->nMappedRead, nBytes, memory_order_relaxed);
  atomic_store_explicit(&s->nReadMax, nLong, memory_order_relaxed);
  atomic_store_explicit(&s->nReadCheck, nBytes ? READ_TICK_GET : nLong, memory_order_relaxed);
  atomic_store_explicit(&s->nReadRes, 0, memory_order_relaxed);
  return FAKT_OK;
}

/* A handle with the settings of cfg, nothing opened yet (NULL: out of
** memory); *pnMap is the map size to open with. */
static FaktStore *storeNew(const StoreConfig *pCfg, uint64_t *pnMap){
  FaktStore *s = calloc(1, sizeof(*s));
  uint64_t nMap;
  if( s==NULL ) return NULL;
  s->bReadonly = pCfg->bReadonly!=0;
  s->fdLock = -1;
  s->nBusyMs = FAKT_BUSY_DEFAULT;
  s->nMapMax = pCfg->nMapMax ? faktKvRoundDown(pCfg->nMapMax) : MAP_LIMIT;
  s->nRoom = pCfg->nRoom ? pCfg->nRoom : MAP_HEADROOM;
  s->nMapped = pCfg->nMapped ? pCfg->nMapped : MAPPED_DEFAULT;
  s->nDirty = pCfg->nDirty ? pCfg->nDirty : DIRTY_DEFAULT;
  faktStoreSetMapped(s, MAPPED_READ_DEFAULT);
  s->nPendFlush = pCfg->nPendFlush ? pCfg->nPendFlush : PEND_FLUSH;
  s->nRunMax = pCfg->nRunMax;
  s->nRunMem = faktWbufMemBudget(pCfg->nRunMem);
  /* a read or put maps in a page or two: look four times per budget */
  s->nDropCheck = s->nMapped >> 14;
  if( s->nDropCheck<1 ) s->nDropCheck = 1;
  if( s->nDropCheck>4096 ) s->nDropCheck = 4096;
  nMap = faktKvRoundUp(pCfg->nMapInit ? pCfg->nMapInit : MAP_DEFAULT);
  if( nMap>s->nMapMax ) nMap = s->nMapMax;
  *pnMap = nMap;
  return s;
}

/* The names of s: zPath as given (messages), the directory of the
** sorted runs, and in *pzReal the path LMDB opens (lockPath). */
static int openNames(FaktStore *s, const char *zPath, const StoreConfig *pCfg, char **pzReal){
  if( zPath==NULL || zPath[0]==0 ){
    faktKvSetErr(s, "no database file name");
    return FAKT_CANTOPEN;
  }
  if( pCfg->zRunDir ){
    s->zRunDir = strdup(pCfg->zRunDir);
  }else{
    const char *zSlash = strrchr(zPath, '/');
    size_t n = zSlash==NULL ? 1 : zSlash==zPath ? 1 : (size_t)(zSlash - zPath);
    if( (s->zRunDir = malloc(n + 1))!=NULL ){
      memcpy(s->zRunDir, zSlash==NULL ? "." : zPath, n);
      s->zRunDir[n] = 0;
    }
  }                          /* none (out of memory): a write txn flushes, spills no runs */
  s->zPath = strdup(zPath);
  *pzReal = lockPath(s, zPath);
  if( *pzReal==NULL ){
    return s->zErr[0] && strncmp(s->zErr, "out of memory", 13)!=0 ? FAKT_CANTOPEN : FAKT_NOMEM;
  }
  return FAKT_OK;
}

/* Whether zPath exists (*pbExists); a new file only when it may be
** created; an existing one must be a regular file of one name (when
** opened for writing) that vetFile accepts. */
static int openVet(FaktStore *s, const char *zPath, int bCreate, int *pbExists){
  struct stat st;
  int bExists = stat(zPath, &st)==0;
  *pbExists = bExists;
  if( !bExists ){
    if( errno!=ENOENT ){
      faktKvSetErr(s, "cannot open database %s: %s", zPath, strerror(errno));
      return errno==EACCES ? FAKT_PERM : FAKT_CANTOPEN;
    }
    if( !bCreate || s->bReadonly ){
      faktKvSetErr(s, "cannot open database %s: no such file", zPath);
      return FAKT_CANTOPEN;
    }
    return FAKT_OK;
  }
  if( !S_ISREG(st.st_mode) ){
    faktKvSetErr(s, "cannot open database %s: not a regular file", zPath);
    return FAKT_CANTOPEN;
  }
  if( st.st_nlink>1 && !s->bReadonly ){
    faktKvSetErr(s, "cannot open database %s for writing: the file has %lu hard links, and each name "
           "would have its own lock file (open it by one name: remove the other links)",
           zPath, (unsigned long)st.st_nlink);
    return FAKT_CANTOPEN;
  }
  /* the meta pages and the file's length; every other page is checked
  ** the first time LMDB reads it (s->pGuard, SPEC.md 12.7) */
  return vetFile(s, zPath, (uint64_t)st.st_size);
}

/* The environment on zReal, with the page guard installed before LMDB
** reads any page but the meta pages. A lock file to blame is named. */
static int openEnv(FaktStore *s, const char *zPath, const char *zReal, uint64_t nMap){
  uint32_t psize = 0;
  int rc = faktKvEnvOpen(s, zReal, zPath, nMap);
  if( rc==FAKT_OK ) rc = faktKvMapInfo(s, &psize, NULL, NULL);
  if( rc==FAKT_OK && s->pGuard==NULL ){
    s->pGuard = faktPageGuardNew(psize, s->nMapMax);
    if( s->pGuard==NULL ){
      faktKvSetErr(s, "cannot open database %s: %s", zPath, strerror(ENOMEM));
      rc = FAKT_NOMEM;
    }
  }
  if( rc==FAKT_OK ) rc = faktKvSetPageCheck(s, faktPageGuardCheck, faktPageGuardWhy, s->pGuard);
  if( rc ){
    faktKvEnvClose(s);
    if( !s->bNoLock ) rc = lockBlame(s, zReal, rc);
  }
  return rc;
}

/* An existing database: its tables, magic and format, in a read
** transaction first: nothing is written to a file that is not ours. */
static int openTables(FaktStore *s){
  KvTxn *txn;
  StoreTxn tmp;
  int rc = faktKvTxnBegin(s, 0, &txn);
  if( rc ) return rc;
  rc = faktKvDbOpen(s, txn, 0);
  if( rc==FAKT_OK ){
    memset(&tmp, 0, sizeof(tmp));
    tmp.s = s; tmp.txn = txn;
    rc = faktTxnMetaCheck(s, &tmp);
  }
  if( rc ){
    faktKvTxnAbort(txn);
    return rc;
  }
  return faktKvTxnCommit(s, txn, "open tables");   /* keeps the DBI handles */
}

/* A new database: its tables, then the meta records and built-ins. */
static int createTables(FaktStore *s){
  KvTxn *txn;
  StoreTxn *t = NULL;
  int rc = faktKvTxnBegin(s, 1, &txn);
  if( rc ) return rc;
  rc = faktKvDbOpen(s, txn, 1);
  if( rc ){
    faktKvTxnAbort(txn);
    return rc;
  }
  rc = faktKvTxnCommit(s, txn, "create tables");
  if( rc ) return rc;
  rc = faktStoreBegin(s, 1, &t);
  if( rc ) return rc;
  rc = bootstrap(t);
  if( rc ){
    faktStoreAbort(t);
    return rc;
  }
  return faktStoreCommit(t);
}

/* The end of an open that failed: the message in *pzErr, no half-made
** database left behind, s freed. */
static void openFail(FaktStore *s, char *zReal, int bExists, char **pzErr){
  if( pzErr ) *pzErr = strdup(s->zErr[0] ? s->zErr : "cannot open database");
  if( s->env ){
    faktKvEnvClose(s);
    if( !bExists ){
      /* Leave no half-made database behind. */
      size_t n = strlen(zReal);
      char *zLock = malloc(n + 6);
      unlink(zReal);
      if( zLock ){
        memcpy(zLock, zReal, n);
        memcpy(zLock + n, "-lock", 6);
        unlink(zLock);
        free(zLock);
      }
    }
  }else if( !bExists && s->fdLock>=0 && zReal ){
    unlink(zReal);                      /* faktTxnLockOpen made it; LMDB never did */
  }
  if( s->fdLock>=0 ) close(s->fdLock);
  faktPageGuardFree(s->pGuard);
  free(zReal);
  free(s->zPath);
  free(s->zRunDir);
  free(s);
}

/*
** LMDB opens the file by its real path (lockPath), so every name of it
** shares one lock file; a file with several hard links is not opened for
** writing, since each name would have its own lock file. A read-only
** handle whose lock file cannot be written opens without it (kv.c).
*/
int faktStoreOpen(const char *zPath, const StoreConfig *pCfg, FaktStore **ppStore, char **pzErr){
  StoreConfig cfg;
  FaktStore *s;
  int bExists = 1, rc;
  uint64_t nMap;
  char *zReal = NULL;        /* the path LMDB opens (lockPath) */

  *ppStore = NULL;
  if( pzErr ) *pzErr = NULL;
  memset(&cfg, 0, sizeof(cfg));
  if( pCfg ) cfg = *pCfg;
  s = storeNew(&cfg, &nMap);
  if( s==NULL ){
    if( pzErr ) *pzErr = strdup("out of memory");
    return FAKT_NOMEM;
  }
  rc = openNames(s, zPath, &cfg, &zReal);
  if( rc==FAKT_OK ) rc = openVet(s, zPath, cfg.bCreate, &bExists);
  if( rc==FAKT_OK ) rc = faktTxnLockOpen(s, zReal, !bExists);
  if( rc==FAKT_OK ) rc = openEnv(s, zPath, zReal, nMap);
  if( rc==FAKT_OK ){
    faktKvReaderCheck(s);             /* slots of readers that were killed */
    rc = bExists ? openTables(s) : createTables(s);
  }
  if( rc ){
    openFail(s, zReal, bExists, pzErr);
    return rc;
  }
  free(zReal);
  *ppStore = s;
  return FAKT_OK;
}

int faktStoreDamage(FaktStore *s, char *z, size_t n){
  char zWhy[256];
  if( s==NULL || !faktPageGuardWhy(s->pGuard, zWhy, sizeof(zWhy), 1) ) return 0;
  snprintf(z, n, "database file is damaged (%s): %s", zWhy, s->zPath ? s->zPath : "the database");
  return 1;
}

uint64_t faktStorePagesChecked(FaktStore *s){
  return s ? faktPageGuardCount(s->pGuard) : 0;
}

/* Aborts any transaction still open, then closes. NULL is a no-op. */
void faktStoreClose(FaktStore *s){
  if( s==NULL ) return;
  while( s->pTxnList ) faktStoreAbort(s->pTxnList);
  faktKvEnvClose(s);
  faktPageGuardFree(s->pGuard);          /* after LMDB: its last reads use it */
  if( s->fdLock>=0 ) close(s->fdLock);
  faktDictCacheClear(&s->keptNames);
  free(s->zPath);
  free(s->zRunDir);
  free(s);
}

const char *faktStoreErrmsg(FaktStore *s){
  if( s==NULL ) return "out of memory";
  return s->zErr[0] ? s->zErr : "not an error";
}

int faktStoreSetMaxSize(FaktStore *s, uint64_t nMax){
  if( s==NULL ) return FAKT_MISUSE;
  s->nMapMax = nMax ? faktKvRoundDown(nMax) : MAP_LIMIT;
  if( s->nTxn==0 && !s->bReadonly ){
    uint64_t nUsed, nMap;
    int rc = faktKvMapUsed(s, &nUsed, &nMap);
    if( rc ) return rc;
    if( nMap>s->nMapMax ) return faktKvMapSet(s, nUsed>s->nMapMax ? faktKvRoundUp(nUsed) : s->nMapMax);
  }
  return FAKT_OK;
}

int faktStoreInfo(FaktStore *s, uint64_t *pnMapSize, uint64_t *pnUsed){
  uint64_t nUsed = 0, nMap = 0;
  int rc;
  if( s==NULL ) return FAKT_MISUSE;
  rc = faktKvMapUsed(s, &nUsed, &nMap);
  if( pnMapSize ) *pnMapSize = nMap;
  if( pnUsed ) *pnUsed = nUsed;
  return rc;
}
