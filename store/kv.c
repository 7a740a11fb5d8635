/*
** kv.c -- the LMDB binding: the only file of fakt that includes lmdb.h.
** It owns the environment and its map (size, growth, adoption of a map
** another process grew, the pages it leaves resident), transactions,
** tables, gets, puts, deletes, cursors, statistics and the compact copy.
** Every MDB_* or errno code is translated here (xlate) into a FAKT_* code
** with a message on the store; the rest of the store sees opaque handles
** and {ptr,len} values (storeInt.h). It calls nothing of the store but
** codec.c; the page check of pagecheck.c reaches it only as the hook
** open.c installs (faktKvSetPageCheck).
*/
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <lmdb.h>
#include "storeInt.h"

/* ORDER: the DB_* enum. */
const char *const faktKvDbName[DB_COUNT] = {
  "meta", "s2i", "i2s", "obj", "spo", "pos", "osp", "alias",
  "srcc", "prop", "fts", "geo", "stat", "rule", "txlog", "text"
};

_Static_assert(MDB_PC_PAGE==FAKT_PC_PAGE && MDB_PC_LEVEL==FAKT_PC_LEVEL
               && MDB_PC_OVER==FAKT_PC_OVER && MDB_PC_FREE==FAKT_PC_FREE, "page check kinds");
_Static_assert(sizeof(MDB_dbi)==sizeof(unsigned), "FaktStore.aDbi holds MDB_dbi");

/* The opaque handles are LMDB's own. */
#define ENV(s)   ((MDB_env*)(s)->env)
#define TXN(x)   ((MDB_txn*)(x))
#define CUR(x)   ((MDB_cursor*)(x))
#define DBI(s,i) ((MDB_dbi)(s)->aDbi[i])

/* KV_FIRST ... KV_NEXT_DUP as LMDB's cursor ops. ORDER: the KV_ enum. */
static const MDB_cursor_op aKvOp[] = {
  MDB_FIRST, MDB_LAST, MDB_NEXT, MDB_PREV, MDB_SET, MDB_SET_RANGE, MDB_GET_BOTH, MDB_NEXT_DUP
};

/* ================================================================ errors */

void faktKvSetErr(FaktStore *s, const char *zFmt, ...){
  va_list ap;
  if( s==NULL ) return;
  va_start(ap, zFmt);
  vsnprintf(s->zErr, sizeof(s->zErr), zFmt, ap);
  va_end(ap);
}

static uint64_t mapSize(FaktStore *s){
  MDB_envinfo info;
  if( mdb_env_info(ENV(s), &info) ) return 0;
  return (uint64_t)info.me_mapsize;
}

/* Whether the file system of the database has (almost) no room left: a
** write LMDB could do only in part is EIO, not ENOSPC. */
static int diskFull(FaktStore *s){
  struct statvfs sv;
  if( s->zPath==NULL || statvfs(s->zPath, &sv)!=0 ) return 0;
  return (uint64_t)sv.f_bavail * sv.f_frsize < ((uint64_t)1 << 20);
}

/* A page failed its check (the guard open.c installed): its message in zWhy. */
static int pageWhy(FaktStore *s, char *zWhy, size_t nWhy){
  return s->xPageWhy && s->xPageWhy(s->pGuard, zWhy, nWhy, 0);
}

/*
** Translate an LMDB or errno code into a FAKT_* code and set the message
** "zWhat: text" (none when s is NULL). Never returns an MDB_* value.
*/
static int xlate(FaktStore *s, int rc, const char *zWhat){
  char zWhy[256];
  int code;
  switch( rc ){
    case MDB_SUCCESS:          return FAKT_OK;
    case MDB_NOTFOUND:         code = FAKT_NOTFOUND; break;
    case MDB_KEYEXIST:         code = FAKT_CONSTRAINT; break;
    case MDB_MAP_FULL:
    case MDB_TXN_FULL:
    case ENOSPC:
    case EDQUOT:
    case EFBIG:                code = FAKT_FULL; break;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:    code = FAKT_CORRUPT; break;
    case MDB_INVALID:
    case MDB_INCOMPATIBLE:     code = FAKT_NOTADB; break;
    case MDB_VERSION_MISMATCH: code = FAKT_FORMAT; break;
    case MDB_READERS_FULL:
    case MDB_MAP_RESIZED:
    case EAGAIN:
    case EBUSY:                code = FAKT_BUSY; break;
    case MDB_BAD_VALSIZE:      code = FAKT_TOOBIG; break;
    case MDB_BAD_TXN:
    case MDB_BAD_RSLOT:
    case MDB_BAD_DBI:
    case EINVAL:               code = FAKT_MISUSE; break;
    case MDB_DBS_FULL:
    case MDB_TLS_FULL:
    case MDB_CURSOR_FULL:
    case MDB_PAGE_FULL:        code = FAKT_INTERNAL; break;
    case ENOENT:               code = FAKT_CANTOPEN; break;
    case EACCES:
    case EPERM:                code = FAKT_PERM; break;
    case EROFS:                code = FAKT_READONLY; break;
    case ENOMEM:               code = FAKT_NOMEM; break;
    default:                   code = FAKT_IOERR; break;   /* MDB_PANIC, EIO ... */
  }
  if( s==NULL ) return code;
  if( rc==EIO && diskFull(s) ) rc = ENOSPC;   /* LMDB: a short write is EIO */
  s->bDiskFull = 0;
  if( rc==ENOSPC || rc==EDQUOT || rc==EFBIG ){
    s->bDiskFull = 1;
    code = FAKT_FULL;
    faktKvSetErr(s, "disk is full: cannot write %s (%s)", s->zPath ? s->zPath : "the database",
           rc==EFBIG ? "the file size limit (ulimit -f) was reached" : strerror(rc));
  }else if( rc==MDB_MAP_FULL ){
    uint64_t n = mapSize(s);
    if( n>=s->nMapMax ){
      faktKvSetErr(s, "database is full (max size %llu bytes): %s", (unsigned long long)s->nMapMax,
                   s->zPath ? s->zPath : "the database");
    }else if( s->bAsLimit ){
      faktKvSetErr(s, "database map is full (%llu bytes; the address space limit (ulimit -v) kept it from growing)",
             (unsigned long long)n);
    }else{
      faktKvSetErr(s, "database map is full (%llu bytes): grow it and retry", (unsigned long long)n);
    }
  }else if( (rc==MDB_CORRUPTED || rc==MDB_BAD_TXN) && pageWhy(s, zWhy, sizeof(zWhy)) ){
    /* a page failed its check (MDB_BAD_TXN: in an earlier call of this
    ** transaction whose error was not reported) */
    code = FAKT_CORRUPT;
    faktKvSetErr(s, "database file is damaged (%s): %s", zWhy, s->zPath ? s->zPath : "the database");
  }else{
    faktKvSetErr(s, "%s: %s", zWhat, mdb_strerror(rc));
  }
  return code;
}

int faktKvCorrupt(FaktStore *s, const char *zWhat){
  return xlate(s, MDB_CORRUPTED, zWhat);
}

/* ================================================================ the environment */

/* Create the environment and open the file. Returns the raw LMDB/errno
** code (0 on success); the environment is closed again on failure. */
static int envCreate(FaktStore *s, const char *zPath, uint64_t nMap, unsigned flags){
  MDB_env *env;
  int rc = mdb_env_create(&env);
  s->env = NULL;
  if( rc ) return rc;
  rc = mdb_env_set_maxdbs(env, 20);
  if( rc==0 ) rc = mdb_env_set_mapsize(env, (size_t)nMap);
  if( rc==0 ) rc = mdb_env_open(env, zPath, flags, 0644);
  if( rc==0 ){
    /* a write txn's new pages are memory until the commit: past s->nDirty
    ** of them LMDB writes half out (store/lmdb.patch), or a bulk load
    ** would hold up to 512 MiB of them (MDB_IDL_UM_MAX pages) */
    MDB_stat st;
    rc = mdb_env_stat(env, &st);
    if( rc==0 && st.ms_psize ){
      uint64_t nPages = s->nDirty / st.ms_psize;
      if( nPages<DIRTY_MIN_PAGES ) nPages = DIRTY_MIN_PAGES;
      if( nPages>LMDB_DIRTY_MAX ) nPages = LMDB_DIRTY_MAX;
      rc = mdb_env_set_dirtymax(env, (unsigned)nPages);
    }
  }
  if( rc ){
    mdb_env_close(env);
    return rc;
  }
  s->env = (KvEnv*)env;
  return 0;
}

/*
** Read-only: MDB_RDONLY. If the lock file cannot be created or opened for
** writing (read-only directory or lock file), the database is opened with
** MDB_NOLOCK: reads then take no reader slot, so a writer in another
** process could reuse pages under a long read; acceptable for a read-only
** copy, which is the case this serves.
*/
int faktKvEnvOpen(FaktStore *s, const char *zReal, const char *zPath, uint64_t nMap){
  unsigned flags = MDB_NOSUBDIR | MDB_NOTLS | (s->bReadonly ? MDB_RDONLY : 0);
  int rc = envCreate(s, zReal, nMap, flags), code;
  if( rc==EACCES && s->bReadonly ){
    s->bNoLock = 1;
    rc = envCreate(s, zReal, nMap, flags | MDB_NOLOCK);
  }
  if( rc==0 ) return FAKT_OK;
  code = xlate(NULL, rc, "open");
  faktKvSetErr(s, "cannot open database %s: %s", zPath, rc==ENOENT ? "no such file" : mdb_strerror(rc));
  return code==FAKT_NOTFOUND ? FAKT_CANTOPEN : code;
}

/* Let the spare read txn go (before the map changes, and at close). */
static void spareFree(FaktStore *s){
  if( s->pSpare ){ mdb_txn_abort(TXN(s->pSpare)); s->pSpare = NULL; }
}

void faktKvEnvClose(FaktStore *s){
  spareFree(s);
  if( s->env ) mdb_env_close(ENV(s));
  s->env = NULL;
}

/* LMDB reads no page but the meta pages before its first transaction:
** from here on each page is checked the first time it is read. */
int faktKvSetPageCheck(FaktStore *s, int (*xCheck)(void*, int, const void*, size_t, size_t, size_t),
                       int (*xWhy)(FaktPageGuard*, char*, size_t, int), FaktPageGuard *pGuard){
  s->xPageWhy = xWhy;
  return xlate(s, mdb_env_set_pagecheck(ENV(s), xCheck, pGuard), "open");
}

int faktKvMapInfo(FaktStore *s, uint32_t *pPsize, uint64_t *pnPage, uint64_t *pnMap){
  MDB_envinfo info;
  MDB_stat st;
  int rc = mdb_env_info(ENV(s), &info);
  if( rc==0 ) rc = mdb_env_stat(ENV(s), &st);
  if( rc ) return xlate(s, rc, "env info");
  if( pPsize ) *pPsize = st.ms_psize;
  if( pnPage ) *pnPage = (uint64_t)info.me_last_pgno + 1;
  if( pnMap ) *pnMap = (uint64_t)info.me_mapsize;
  return FAKT_OK;
}

/* Free the reader slots of processes that died holding them (their
** snapshots would keep every page they saw from being reused). */
void faktKvReaderCheck(FaktStore *s){
  int nDead = 0;
  if( s->env && !s->bNoLock && !s->bMapLost ) mdb_reader_check(ENV(s), &nDead);
}

/* The file the data is read from, for pagecheck.c's walk. */
int faktKvPath(FaktStore *s, const char *zWhat, char *zBuf, size_t nBuf, const char **pzPath){
  const char *zPath = NULL;
  mdb_filehandle_t fd;
  int rc = mdb_env_get_path(ENV(s), &zPath);
  if( rc ) return xlate(s, rc, zWhat);
  if( access(zPath, F_OK)!=0 && mdb_env_get_fd(ENV(s), &fd)==0 ){
    /* the file was unlinked after the open (":memory:"): read it through
    ** the descriptor LMDB holds */
    snprintf(zBuf, nBuf, "/proc/self/fd/%d", (int)fd);
    zPath = zBuf;
  }
  *pzPath = zPath;
  return FAKT_OK;
}

/* ================================================================ the map's size */

/* Bytes used by committed pages. */
int faktKvMapUsed(FaktStore *s, uint64_t *pUsed, uint64_t *pMap){
  uint64_t nPage;
  uint32_t psize;
  int rc;
  if( s->bMapLost ){
    faktKvSetErr(s, "the database map was lost when it was resized: close the database and open it again");
    return FAKT_IOERR;
  }
  rc = faktKvMapInfo(s, &psize, &nPage, pMap);
  if( rc ) return rc;
  *pUsed = nPage * psize;
  return FAKT_OK;
}

/*
** Whether n more bytes of address space can be mapped now: under an
** address-space limit (RLIMIT_AS, `ulimit -v`) a map of many GiB fails.
** A reservation that maps nothing is made and undone at once.
*/
static int mapRoom(uint64_t n){
  void *p;
  if( n==0 ) return 1;
  if( n>(uint64_t)SIZE_MAX/2 ) return 0;
  p = mmap(NULL, (size_t)n, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0);
  if( p==MAP_FAILED ) return 0;
  munmap(p, (size_t)n);
  return 1;
}

/*
** The map size to set instead of nWant when the map is nCur now: nWant if
** the address space has room for its growth and as much again (at least
** nKeep) left to memory, else the largest of nCur plus half, a quarter
** ... of the growth that has (nCur if none has). LMDB unmaps the old map
** before it maps the new one, so only the growth counts.
*/
static uint64_t mapFit(uint64_t nCur, uint64_t nWant, uint64_t nKeep){
  uint64_t n = nWant;
  while( n>nCur && !mapRoom(n - nCur + (n - nCur>nKeep ? n - nCur : nKeep)) ){
    uint64_t d = (n - nCur)/2/MAP_GRAIN*MAP_GRAIN;
    n = nCur + d;
  }
  return n;
}

/* Resize the map to n bytes (no txn open). A failed mmap leaves LMDB
** without a map: the handle is dead from then on (bMapLost). */
int faktKvMapSet(FaktStore *s, uint64_t n){
  int rc;
  spareFree(s);
  rc = mdb_env_set_mapsize(ENV(s), (size_t)n);
  s->nRemap++;
  if( rc && rc!=EINVAL ){
    s->bMapLost = 1;
    faktKvSetErr(s, "cannot map %llu bytes of the database: %s (the handle can no longer be used: close it)",
           (unsigned long long)n, mdb_strerror(rc));
    return rc==ENOMEM ? FAKT_NOMEM : FAKT_IOERR;
  }
  return xlate(s, rc, "set map size");
}

/* Before a top-level write txn (no txn open on this handle): make room for
** the transaction, since LMDB cannot grow the map while one is open. The
** map doubles while less than max(used, nRoom) of it is free, up to
** the max; it shrinks to the max if the max was lowered (LMDB keeps it >=
** the used pages). The map is address space, not disk: the file grows only
** as pages are written. Where the address space is limited, the map grows
** as far as it allows (mapFit), once; past that only faktKvMapGrow grows
** it, when a write ran out of room. */
int faktKvMapRoom(FaktStore *s){
  uint64_t nUsed, nMap, nNew, nRoom;
  int rc = faktKvMapUsed(s, &nUsed, &nMap);
  if( rc ) return rc;
  if( nMap>s->nMapMax ){
    return faktKvMapSet(s, nUsed>s->nMapMax ? faktKvRoundUp(nUsed) : s->nMapMax);
  }
  nRoom = nUsed>s->nRoom ? nUsed : s->nRoom;
  if( nMap>=nUsed+nRoom || nMap>=s->nMapMax ) return FAKT_OK;
  nNew = nMap;
  while( nNew<nUsed+nRoom && nNew<s->nMapMax ) nNew *= 2;
  if( nNew>s->nMapMax ) nNew = s->nMapMax;
  if( s->bAsLimit ) return FAKT_OK;       /* grown as far as it went: faktKvMapGrow */
  nRoom = mapFit(nMap, nNew, 0);
  if( nRoom<nNew ) s->bAsLimit = 1;
  if( nRoom<=nMap ) return FAKT_OK;
  return faktKvMapSet(s, nRoom);
}

/* After a write ran out of room, every txn ended: double the map, up to
** the max (FAKT_FULL there, and when the disk is what is full). */
int faktKvMapGrow(FaktStore *s){
  uint64_t nUsed, nMap, nNew, nFit;
  int rc;
  if( s->bDiskFull ) return FAKT_FULL;    /* a larger map does not help: keep the message */
  rc = faktKvMapUsed(s, &nUsed, &nMap);
  if( rc ) return rc;
  if( nMap>=s->nMapMax ){
    faktKvSetErr(s, "database is full (max size %llu bytes): %s", (unsigned long long)s->nMapMax,
                 s->zPath ? s->zPath : "the database");
    return FAKT_FULL;
  }
  nNew = nMap*2;
  if( nNew>s->nMapMax ) nNew = s->nMapMax;
  nFit = mapFit(nMap, nNew, MAP_KEEP);
  if( nFit<nNew ) s->bAsLimit = 1;
  if( nFit<=nMap ){
    faktKvSetErr(s, "the address space limit (ulimit -v) kept the database map from growing past %llu bytes",
           (unsigned long long)nMap);
    return FAKT_FULL;
  }
  return faktKvMapSet(s, nFit);
}

/* Another process grew the file past this handle's map (MDB_MAP_RESIZED;
** no txn of this handle open): map the used pages and as much again, or
** as much of that as the address space allows. */
static int adoptMap(FaktStore *s){
  uint64_t nUsed, nMap, nWant, nFit;
  int rc = faktKvMapUsed(s, &nUsed, &nMap);
  if( rc ) return rc;
  nUsed = faktKvRoundUp(nUsed);
  nWant = nUsed*2>s->nMapMax ? (nUsed>s->nMapMax ? nUsed : s->nMapMax) : nUsed*2;
  if( nWant<nMap ) nWant = nMap;
  nFit = mapFit(nMap, nWant, 0);
  if( nFit<nUsed ) nFit = mapFit(nMap, nUsed, MAP_GRAIN);
  if( nFit<nUsed ){
    faktKvSetErr(s, "the address space limit (ulimit -v) leaves no room to map the %llu bytes of the database",
           (unsigned long long)nUsed);
    return FAKT_NOMEM;
  }
  return faktKvMapSet(s, nFit);
}

/* ================================================================ the map's resident pages */

/*
** Let the pages of a map leave this process's resident set. The map is
** read-only and shared (no MDB_WRITEMAP), so the pages stay in the page
** cache and come back on the next touch; but reading or writing a whole
** file through the map would otherwise count all of it as this process's
** memory. LMDB does not tell where its map is: p is a pointer LMDB gave out
** from a committed page (inside the map), and the mapping that holds it is
** looked up in /proc/self/maps. Linux only; elsewhere a no-op.
*/
static void dropMapped(const void *p){
#ifdef __linux__
  FILE *f;
  char zLine[512];
  if( p==NULL || (f = fopen("/proc/self/maps", "r"))==NULL ) return;
  while( fgets(zLine, sizeof(zLine), f) ){
    unsigned long long a, b;
    char zPerm[8];
    if( sscanf(zLine, "%llx-%llx %7s", &a, &b, zPerm)!=3 ) continue;
    if( (uintptr_t)p<a || (uintptr_t)p>=b ) continue;
    /* only a shared read-only file map, which is what LMDB makes */
    if( zPerm[0]=='r' && zPerm[1]=='-' && zPerm[3]=='s' ){
      madvise((void*)(uintptr_t)a, (size_t)(b-a), MADV_DONTNEED);
    }
    break;
  }
  fclose(f);
#else
  (void)p;
#endif
}

/*
** The bytes of file pages this process has mapped in (RssFile, with shared
** memory: /proc/self/statm's third field), or 0 where that is not known.
*/
uint64_t faktKvMapResident(void){
#ifdef __linux__
  unsigned long long nSize, nRes, nShared;
  FILE *f = fopen("/proc/self/statm", "r");
  int n;
  if( f==NULL ) return 0;
  n = fscanf(f, "%llu %llu %llu", &nSize, &nRes, &nShared);
  fclose(f);
  return n==3 ? (uint64_t)nShared * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
#else
  return 0;
#endif
}

/* A pointer into env's map: the data of the first key of its main DB. */
static const void *mapPointer(MDB_env *env){
  MDB_txn *txn;
  MDB_cursor *c;
  MDB_val k, v;
  const void *p = NULL;
  if( mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) ) return NULL;
  if( mdb_cursor_open(txn, 1, &c)==0 ){      /* MAIN_DBI */
    if( mdb_cursor_get(c, &k, &v, MDB_FIRST)==0 ) p = k.mv_data;
    mdb_cursor_close(c);
  }
  mdb_txn_abort(txn);
  return p;
}

void faktKvMapDrop(FaktStore *s){
  dropMapped(mapPointer(ENV(s)));
}

/*
** Look at the mapped file pages after nTick read ticks (p: a pointer into
** the map) and past nMappedRead let them go. Then set the ticks until the
** next look from the growth seen since this one: at that rate half of the
** room left would fill (with no growth seen, twice the last interval;
** after a drop, one get), and never more than nReadMax ticks. A file
** that is all within the limit needs no look. A fixed count
** did not hold the limit: a get can map in a page, or (Linux 6.18 maps a
** whole large folio of the page cache at a fault) up to 2 MiB, and 4,096
** gets between two looks let a 256 MiB limit reach 1.5 GB.
*/
static void readLook(FaktStore *s, uint64_t nTick, const void *p){
  uint64_t nMax = atomic_load_explicit(&s->nMappedRead, memory_order_relaxed);
  uint64_t nRes, nNow, nPrev, nNext, nLong;
  MDB_envinfo info;
  MDB_stat st;
  if( nMax==0 ) return;
  nLong = atomic_load_explicit(&s->nReadMax, memory_order_relaxed);
  if( !s->bMapLost && mdb_env_info(ENV(s), &info)==0 && mdb_env_stat(ENV(s), &st)==0
   && ((uint64_t)info.me_last_pgno + 1) * st.ms_psize <= nMax ){
    /* the whole file is within the limit: nothing to look at yet */
    atomic_store_explicit(&s->nReadCheck, nLong, memory_order_relaxed);
    return;
  }
  nNow = nRes = faktKvMapResident();
  nPrev = atomic_load_explicit(&s->nReadRes, memory_order_relaxed);
  if( nRes>nMax ){
    /* the pages go; the next look soon, as the reads map them in again
    ** faster than before (the pages every read passes are gone too) */
    dropMapped(p);
    nNow = faktKvMapResident();
    nNext = READ_TICK_GET;
  }else if( nRes>nPrev && nTick>0 ){
    /* ticks to half the room left, at (nRes-nPrev)/nTick bytes a tick */
    double x = (double)((nMax-nRes)/2) * (double)nTick / (double)(nRes-nPrev);
    nNext = x<READ_TICK_GET ? READ_TICK_GET : x>(double)nLong ? nLong : (uint64_t)x;
  }else{
    /* no growth seen: twice the last interval */
    nNext = atomic_load_explicit(&s->nReadCheck, memory_order_relaxed)*2;
    if( nNext>nLong ) nNext = nLong;
  }
  atomic_store_explicit(&s->nReadRes, nNow, memory_order_relaxed);
  atomic_store_explicit(&s->nReadCheck, nNext, memory_order_relaxed);
}

void faktKvReadLook(StoreTxn *t, const void *p){
  uint64_t n = t->nReadTicks + atomic_exchange_explicit(&t->s->nReadTicks, 0, memory_order_relaxed);
  t->nReadTicks = 0;
  readLook(t->s, n, p);
}

void faktKvReadEnd(StoreTxn *t){
  FaktStore *s = t->s;
  if( t->nReadTicks==0 ) return;
  uint64_t n = atomic_fetch_add_explicit(&s->nReadTicks, t->nReadTicks, memory_order_relaxed) + t->nReadTicks;
  t->nReadTicks = 0;
  if( n>=atomic_load_explicit(&s->nReadCheck, memory_order_relaxed) ){
    n = atomic_exchange_explicit(&s->nReadTicks, 0, memory_order_relaxed);
    readLook(s, n, t->pReadLast);
  }
}

/* ================================================================ transactions and tables */

/*
** Begin a top-level LMDB txn. When another process grew the file past
** this handle's map (MDB_MAP_RESIZED) the map is adopted and the begin
** retried, if no other txn of the handle is open; when the reader table
** is full, the slots of dead processes are freed and the begin retried.
*/
static int beginTop(FaktStore *s, unsigned flags, MDB_txn **ppTxn){
  int rc = MDB_SUCCESS, nTry, bChecked = 0;
  *ppTxn = NULL;
  if( s->bMapLost ){
    faktKvSetErr(s, "the database map was lost when it was resized: close the database and open it again");
    return FAKT_IOERR;
  }
  for(nTry=0; nTry<MAP_TRIES; nTry++){
    rc = mdb_txn_begin(ENV(s), NULL, flags, ppTxn);
    if( rc==MDB_READERS_FULL && !bChecked ){
      bChecked = 1;
      faktKvReaderCheck(s);
      continue;
    }
    if( rc!=MDB_MAP_RESIZED ) break;
    if( s->nTxn ){
      faktKvSetErr(s, "the database map was grown by another process: end open transactions and retry");
      return FAKT_BUSY;
    }
    rc = adoptMap(s);
    if( rc ) return rc;
    rc = MDB_MAP_RESIZED;
  }
  if( rc ){
    *ppTxn = NULL;
    return xlate(s, rc, "begin transaction");
  }
  return FAKT_OK;
}

int faktKvTxnBegin(FaktStore *s, int bWrite, KvTxn **pp){
  MDB_txn *txn = NULL;
  *pp = NULL;
  if( !bWrite && s->pSpare ){
    txn = TXN(s->pSpare);
    s->pSpare = NULL;
    if( mdb_txn_renew(txn)!=MDB_SUCCESS ){   /* e.g. the map grew: begin anew */
      mdb_txn_abort(txn);
      txn = NULL;
    }
  }
  if( txn==NULL ){
    int rc = beginTop(s, bWrite ? 0 : MDB_RDONLY, &txn);
    if( rc ) return rc;
  }
  *pp = (KvTxn*)txn;
  return FAKT_OK;
}

int faktKvTxnNested(FaktStore *s, KvTxn *pParent, KvTxn **pp){
  MDB_txn *txn = NULL;
  int rc = mdb_txn_begin(ENV(s), TXN(pParent), 0, &txn);
  *pp = (KvTxn*)txn;
  if( rc ){
    *pp = NULL;
    return xlate(s, rc, "begin nested transaction");
  }
  return FAKT_OK;
}

int faktKvTxnCommit(FaktStore *s, KvTxn *txn, const char *zWhat){
  return xlate(s, mdb_txn_commit(TXN(txn)), zWhat);
}

void faktKvTxnAbort(KvTxn *txn){
  mdb_txn_abort(TXN(txn));
}

/* The end of read txn txn: kept as the spare if there is none. */
void faktKvTxnEnd(FaktStore *s, KvTxn *txn){
  if( s->pSpare ){ mdb_txn_abort(TXN(txn)); return; }
  mdb_txn_reset(TXN(txn));
  s->pSpare = txn;
}

size_t faktKvTxnId(KvTxn *txn){
  return mdb_txn_id(TXN(txn));
}

int faktKvDbOpen(FaktStore *s, KvTxn *txn, int bCreate){
  int i, rc;
  for(i=0; i<DB_COUNT; i++){
    unsigned flags = (i==DB_S2I ? MDB_DUPSORT|MDB_DUPFIXED : 0) | (bCreate ? MDB_CREATE : 0);
    MDB_dbi dbi = 0;
    if( i==DB_OBJ || i==DB_I2S ) flags |= MDB_INTEGERKEY;
    rc = mdb_dbi_open(TXN(txn), faktKvDbName[i], flags, &dbi);
    s->aDbi[i] = dbi;
    if( rc==MDB_NOTFOUND || rc==MDB_INCOMPATIBLE ){
      if( i==DB_META ){
        faktKvSetErr(s, "file is not a fakt database");
        return FAKT_NOTADB;
      }
      faktKvSetErr(s, "database is damaged: table %s is missing", faktKvDbName[i]);
      return FAKT_CORRUPT;
    }
    if( rc ) return xlate(s, rc, faktKvDbName[i]);
  }
  return FAKT_OK;
}

/* ================================================================ gets, puts, deletes */

int faktKvGet(FaktStore *s, KvTxn *txn, int iDb, const void *pK, size_t nK, KvVal *pV){
  MDB_val k, v;
  int rc;
  k.mv_data = (void*)pK; k.mv_size = nK;
  rc = mdb_get(TXN(txn), DBI(s, iDb), &k, &v);
  if( rc==MDB_SUCCESS ){
    pV->p = v.mv_data;
    pV->n = v.mv_size;
    return FAKT_OK;
  }
  if( rc==MDB_NOTFOUND ) return FAKT_NOTFOUND;
  return xlate(s, rc, faktKvDbName[iDb]);
}

static unsigned putFlags(unsigned fl){
  return ((fl & KV_APPEND) ? MDB_APPEND : 0) | ((fl & KV_NOOVERWRITE) ? MDB_NOOVERWRITE : 0)
       | ((fl & KV_CURRENT) ? MDB_CURRENT : 0);
}

int faktKvPut(FaktStore *s, KvTxn *txn, int iDb, const void *pK, size_t nK,
              const void *pV, size_t nV, unsigned fl){
  MDB_val k, v;
  int rc;
  k.mv_data = (void*)pK; k.mv_size = nK;
  v.mv_data = (void*)pV; v.mv_size = nV;
  rc = mdb_put(TXN(txn), DBI(s, iDb), &k, &v, putFlags(fl));
  if( rc==MDB_SUCCESS ) return FAKT_OK;
  if( rc==MDB_KEYEXIST ) return FAKT_CONSTRAINT;
  return xlate(s, rc, faktKvDbName[iDb]);
}

int faktKvReserve(FaktStore *s, KvTxn *txn, int iDb, const void *pK, size_t nK,
                  size_t nV, unsigned fl, uint8_t **ppOut){
  MDB_val k, v;
  int rc;
  *ppOut = NULL;
  k.mv_data = (void*)pK; k.mv_size = nK;
  v.mv_data = NULL; v.mv_size = nV;
  rc = mdb_put(TXN(txn), DBI(s, iDb), &k, &v, MDB_RESERVE | putFlags(fl));
  if( rc==MDB_KEYEXIST ) return FAKT_CONSTRAINT;
  if( rc ) return xlate(s, rc, faktKvDbName[iDb]);
  *ppOut = (uint8_t*)v.mv_data;
  return FAKT_OK;
}

/* Delete a key (all its values). FAKT_NOTFOUND if absent. */
int faktKvDel(FaktStore *s, KvTxn *txn, int iDb, const void *pK, size_t nK){
  MDB_val k;
  int rc;
  k.mv_data = (void*)pK; k.mv_size = nK;
  rc = mdb_del(TXN(txn), DBI(s, iDb), &k, NULL);
  if( rc==MDB_SUCCESS ) return FAKT_OK;
  if( rc==MDB_NOTFOUND ) return FAKT_NOTFOUND;
  return xlate(s, rc, faktKvDbName[iDb]);
}

uint64_t faktKvEntries(FaktStore *s, KvTxn *txn, int iDb){
  MDB_stat st;
  if( mdb_stat(TXN(txn), DBI(s, iDb), &st) ) return 0;
  return st.ms_entries;
}

int faktKvMainGet(FaktStore *s, KvTxn *txn, const char *zName, KvVal *pV){
  MDB_dbi dbiMain;
  MDB_val k, v;
  (void)s;
  k.mv_data = (void*)zName; k.mv_size = strlen(zName);
  if( mdb_dbi_open(TXN(txn), NULL, 0, &dbiMain) || mdb_get(TXN(txn), dbiMain, &k, &v) ) return FAKT_NOTFOUND;
  pV->p = v.mv_data;
  pV->n = v.mv_size;
  return FAKT_OK;
}

/* ================================================================ cursors */

int faktKvCursorOpen(FaktStore *s, KvTxn *txn, int iDb, const char *zWhat, KvCursor **pp){
  MDB_cursor *mc = NULL;
  int rc = mdb_cursor_open(TXN(txn), DBI(s, iDb), &mc);
  *pp = (KvCursor*)mc;
  if( rc ){
    *pp = NULL;
    return xlate(s, rc, zWhat);
  }
  return FAKT_OK;
}

void faktKvCursorClose(KvCursor *mc){
  if( mc ) mdb_cursor_close(CUR(mc));
}

int faktKvCursorGet(FaktStore *s, KvCursor *mc, KvVal *pK, KvVal *pV, int op, const char *zWhat){
  MDB_val k, v;
  int rc;
  assert( op>=KV_FIRST && op<=KV_NEXT_DUP );
  k.mv_data = NULL; k.mv_size = 0;
  v.mv_data = NULL; v.mv_size = 0;
  if( op==KV_SET || op==KV_SET_RANGE || op==KV_GET_BOTH ){ k.mv_data = (void*)pK->p; k.mv_size = pK->n; }
  if( op==KV_GET_BOTH ){ v.mv_data = (void*)pV->p; v.mv_size = pV->n; }
  rc = mdb_cursor_get(CUR(mc), &k, &v, aKvOp[op]);
  if( rc==MDB_SUCCESS ){
    pK->p = k.mv_data; pK->n = k.mv_size;
    pV->p = v.mv_data; pV->n = v.mv_size;
    return FAKT_OK;
  }
  if( rc==MDB_NOTFOUND ) return FAKT_NOTFOUND;
  return xlate(s, rc, zWhat);
}

int faktKvCursorPut(FaktStore *s, KvCursor *mc, const KvVal *pK, const KvVal *pV, unsigned fl,
                    const char *zWhat){
  MDB_val k, v;
  int rc;
  k.mv_data = (void*)pK->p; k.mv_size = pK->n;
  v.mv_data = (void*)pV->p; v.mv_size = pV->n;
  rc = mdb_cursor_put(CUR(mc), &k, &v, putFlags(fl));
  return rc ? xlate(s, rc, zWhat) : FAKT_OK;
}

/* Hand out a free cursor of DB iDb of t positioned before aPrefix. */
int faktKvCursorAcquire(StoreTxn *t, int iDb, const uint8_t *aPrefix, int nPrefix, StoreCursor **pp){
  StoreCursor *c;
  *pp = NULL;
  assert( nPrefix>=0 && nPrefix<=CUR_PREFIX_MAX );   /* faktTxnCursor checked it */
  for(c=t->pCur; c; c=c->pNext){
    if( !c->bInUse && c->iDb==iDb ) break;
  }
  if( c==NULL ){
    MDB_cursor *mc;
    int rc;
    c = calloc(1, sizeof(*c));
    if( c==NULL ){ faktKvSetErr(t->s, "out of memory"); return FAKT_NOMEM; }
    rc = mdb_cursor_open(TXN(t->txn), DBI(t->s, iDb), &mc);
    if( rc ){ free(c); return xlate(t->s, rc, "cursor"); }
    c->mc = (KvCursor*)mc;
    c->t = t;
    c->iDb = iDb;
    c->pNext = t->pCur;
    t->pCur = c;
  }
  c->bInUse = 1;
  c->eState = 0;
  c->nPrefix = nPrefix;
  if( nPrefix ) memcpy(c->aPrefix, aPrefix, (size_t)nPrefix);
  *pp = c;
  return FAKT_OK;
}

/* Next key in the prefix: FAKT_ROW with views, FAKT_DONE, or an error. */
static int curStep(StoreCursor *c, MDB_val *pK, MDB_val *pV){
  int rc;
  if( c->eState==2 ) return FAKT_DONE;
  if( c->eState==0 ){
    c->eState = 1;
    if( c->nPrefix ){
      pK->mv_data = c->aPrefix; pK->mv_size = (size_t)c->nPrefix;
      rc = mdb_cursor_get(CUR(c->mc), pK, pV, MDB_SET_RANGE);
    }else{
      rc = mdb_cursor_get(CUR(c->mc), pK, pV, MDB_FIRST);
    }
  }else{
    rc = mdb_cursor_get(CUR(c->mc), pK, pV, MDB_NEXT);
  }
  if( rc==MDB_NOTFOUND ){ c->eState = 2; return FAKT_DONE; }
  if( rc ){ c->eState = 2; return xlate(c->t->s, rc, faktKvDbName[c->iDb]); }
  if( !c->t->bWrite ) faktKvReadTick(c->t, 1, pK->mv_data);
  if( pK->mv_size<(size_t)c->nPrefix || memcmp(pK->mv_data, c->aPrefix, (size_t)c->nPrefix)!=0 ){
    c->eState = 2;
    return FAKT_DONE;
  }
  return FAKT_ROW;
}

int faktKvCursorStep(StoreCursor *c, KvVal *pK, KvVal *pV){
  MDB_val k, v;
  int rc = curStep(c, &k, &v);
  if( rc==FAKT_ROW ){
    pK->p = k.mv_data; pK->n = k.mv_size;
    pV->p = v.mv_data; pV->n = v.mv_size;
  }
  return rc;
}

/* Close and free every cursor of t (at the end of t). */
void faktKvCursorFreeAll(StoreTxn *t){
  StoreCursor *c = t->pCur, *pNext;
  while( c ){
    pNext = c->pNext;
    mdb_cursor_close(CUR(c->mc));
    free(c);
    c = pNext;
  }
  t->pCur = NULL;
}

/* The index cursors' step (store.h), kept here with the LMDB call: it is
** the inner loop of every scan. */
int faktCursorNext(StoreCursor *c, const uint8_t **paKey, Vis *pVis){
  MDB_val k, v;
  int rc;
  if( c==NULL || !c->bInUse ) return FAKT_MISUSE;
  rc = curStep(c, &k, &v);
  if( rc!=FAKT_ROW ) return rc;
  Vis vis;
  if( k.mv_size!=KEY_IX || !faktCodecVisDecode(v.mv_data, v.mv_size, &vis.txAdd, &vis.txRet) ){
    faktKvSetErr(c->t->s, "%s entry with a %zu-byte key and %zu-byte value", faktKvDbName[c->iDb],
                 k.mv_size, v.mv_size);
    c->eState = 2;
    return FAKT_CORRUPT;
  }
  *paKey = (const uint8_t*)k.mv_data;
  if( pVis ) *pVis = vis;
  return FAKT_ROW;
}

/* Cheap: the cursor goes back to its transaction's free list. */
void faktCursorClose(StoreCursor *c){
  if( c ) c->bInUse = 0;
}

/* ---------------------------------------------------------------- sorted puts */

int faktKvAppendBegin(FaktStore *s, KvTxn *txn, int iDb, KvAppend *pA, const char *zWhat){
  MDB_cursor *mc = NULL;
  MDB_val k, v;
  int rc;
  pA->mc = NULL;
  pA->bLast = 0;
  pA->nLast = 0;
  rc = mdb_cursor_open(TXN(txn), DBI(s, iDb), &mc);
  if( rc ) return xlate(s, rc, zWhat);
  pA->mc = (KvCursor*)mc;
  rc = mdb_cursor_get(mc, &k, &v, MDB_LAST);
  if( rc==MDB_NOTFOUND ) return FAKT_OK;
  if( rc ) return xlate(s, rc, zWhat);
  pA->bLast = 1;
  pA->nLast = k.mv_size<sizeof(pA->aLast) ? k.mv_size : sizeof(pA->aLast);
  memcpy(pA->aLast, k.mv_data, pA->nLast);
  return FAKT_OK;
}

int faktKvAppendPut(FaktStore *s, KvAppend *pA, const void *pK, size_t nK, const void *pV, size_t nV,
                    const char *zWhat){
  MDB_val k, v;
  unsigned flags = 0;
  int rc;
  k.mv_data = (void*)pK; k.mv_size = nK;
  v.mv_data = (void*)pV; v.mv_size = nV;
  if( !pA->bLast ){
    flags = MDB_APPEND;
  }else{
    size_t n = pA->nLast<nK ? pA->nLast : nK;
    int c = memcmp(pK, pA->aLast, n);
    if( c>0 || (c==0 && nK>pA->nLast) ){ flags = MDB_APPEND; pA->bLast = 0; }
  }
  rc = mdb_cursor_put(CUR(pA->mc), &k, &v, flags);
  return rc ? xlate(s, rc, zWhat) : FAKT_OK;
}

void faktKvAppendEnd(KvAppend *pA){
  if( pA->mc ) mdb_cursor_close(CUR(pA->mc));
  pA->mc = NULL;
}

/* ================================================================ the compact copy (vacuum.c) */

#define VACUUM_BYTES ((size_t)16 << 20)   /* or bytes per write transaction */
#define VACUUM_TXN 20000         /* puts per write transaction of the copy */
#define VACUUM_WINDOWS 512       /* 64 KiB windows of the source read between two drops */

/* A copy in progress. */
typedef struct KvCopy {
  FaktStore *s;              /* the source */
  MDB_env *env;              /* the copy */
  MDB_txn *rtxn, *wtxn;      /* the source's snapshot, the copy's current txn */
  MDB_dbi aDbi[DB_COUNT];    /* the copy's tables */
  int iDbLast;               /* the key held back for the last transaction ... */
  const char *zKeyLast;
  MDB_val kLast, vLast;      /* ... and its entry, once met (vLast.mv_data set) */
  size_t nPut, nBytes, nWin; /* puts, bytes since the last commit, windows */
  uintptr_t iWinK, iWinV;    /* the 64 KiB windows of the last key and value read */
  const void *pSrcMap;       /* a pointer into the source's map */
} KvCopy;

/* The source's snapshot and the new environment with its tables. The raw
** LMDB/errno code. */
static int copyOpen(KvCopy *c, const char *zInto){
  FaktStore *s = c->s;
  MDB_envinfo info;
  MDB_stat mst;
  int rc, i;
  rc = mdb_env_info(ENV(s), &info);
  if( rc==0 ) rc = mdb_env_stat(ENV(s), &mst);
  if( rc==0 ) rc = mdb_txn_begin(ENV(s), NULL, MDB_RDONLY, &c->rtxn);
  if( rc ) return rc;
  /* the copy is no larger than the pages the source uses */
  uint64_t nMap = faktKvRoundUp((uint64_t)(info.me_last_pgno + 1) * mst.ms_psize + ((uint64_t)64 << 20));
  rc = mdb_env_create(&c->env);
  if( rc ){ c->env = NULL; return rc; }
  rc = mdb_env_set_maxdbs(c->env, 20);
  if( rc==0 ) rc = mdb_env_set_mapsize(c->env, (size_t)nMap);
  /* no lock file: nothing else opens the temporary */
  if( rc==0 ) rc = mdb_env_open(c->env, zInto, MDB_NOSUBDIR | MDB_NOTLS | MDB_NOSYNC | MDB_NOLOCK, 0644);
  if( rc==0 ) rc = mdb_txn_begin(c->env, NULL, 0, &c->wtxn);
  for(i=0; rc==0 && i<DB_COUNT; i++){
    unsigned fl = 0;
    rc = mdb_dbi_flags(c->rtxn, DBI(s, i), &fl);
    if( rc==0 ) rc = mdb_dbi_open(c->wtxn, faktKvDbName[i], (fl & (MDB_DUPSORT|MDB_DUPFIXED|MDB_INTEGERKEY)) | MDB_CREATE, &c->aDbi[i]);
  }
  return rc;
}

/* The copy's transaction is large enough: commit it and begin the next,
** with *pWc a cursor of it on table i again. */
static int copyCommit(KvCopy *c, int i, MDB_cursor **pWc){
  int rc;
  c->nBytes = 0;
  mdb_cursor_close(*pWc); *pWc = NULL;
  rc = mdb_txn_commit(c->wtxn);
  c->wtxn = NULL;
  dropMapped(c->pSrcMap);
  /* the copy's own map takes in a page in seven as LMDB appends
  ** (the 10M copy's grew to 400 MB): let those go too */
  if( rc==0 ) dropMapped(mapPointer(c->env));
  if( rc==0 ) rc = mdb_txn_begin(c->env, NULL, 0, &c->wtxn);
  if( rc==0 ) rc = mdb_cursor_open(c->wtxn, c->aDbi[i], pWc);
  return rc;
}

/* Copy table i in key order. The raw LMDB code. */
static int copyTable(KvCopy *c, int i){
  FaktStore *s = c->s;
  MDB_cursor *rc_ = NULL, *wc = NULL;
  MDB_val k, v;
  unsigned fl = 0;
  int rc;
  size_t nLast = strlen(c->zKeyLast);
  mdb_dbi_flags(c->rtxn, DBI(s, i), &fl);
  rc = mdb_cursor_open(c->rtxn, DBI(s, i), &rc_);
  if( rc==0 ) rc = mdb_cursor_open(c->wtxn, c->aDbi[i], &wc);
  if( rc==0 ) rc = mdb_cursor_get(rc_, &k, &v, MDB_FIRST);
  if( rc==0 && c->pSrcMap==NULL ) c->pSrcMap = k.mv_data;
  while( rc==0 ){
    /* the held-back key comes last: a copy cut short lacks it */
    if( i==c->iDbLast && k.mv_size==nLast && memcmp(k.mv_data, c->zKeyLast, nLast)==0 ){
      c->kLast = k;
      c->vLast = v;
      rc = mdb_cursor_get(rc_, &k, &v, MDB_NEXT);
      continue;
    }
    /* s2i keeps several ids under one hash (DUPSORT): plain puts there */
    rc = mdb_cursor_put(wc, &k, &v, (fl & MDB_DUPSORT) ? 0 : MDB_APPEND);
    c->nBytes += k.mv_size + v.mv_size;
    /* A read fault maps in the 64 KiB around the page (the kernel's
    ** fault-around), so a table whose pages lie scattered (s2i, written
    ** in hash order) takes 64 KiB of resident set per key: the 10M
    ** copy's went up by 200 MB between two commits. Count the windows
    ** the keys and values come from, and let the source's pages go
    ** every VACUUM_WINDOWS of them. */
    if( ((uintptr_t)k.mv_data >> 16)!=c->iWinK ){ c->iWinK = (uintptr_t)k.mv_data >> 16; c->nWin++; }
    if( ((uintptr_t)v.mv_data >> 16)!=c->iWinV ){ c->iWinV = (uintptr_t)v.mv_data >> 16; c->nWin++; }
    if( c->nWin>=VACUUM_WINDOWS ){ dropMapped(c->pSrcMap); c->nWin = 0; }
    if( rc==0 && (++c->nPut % VACUUM_TXN==0 || c->nBytes>VACUUM_BYTES) ) rc = copyCommit(c, i, &wc);
    if( rc==0 ) rc = mdb_cursor_get(rc_, &k, &v, MDB_NEXT);
  }
  if( rc==MDB_NOTFOUND ) rc = 0;
  if( rc_ ) mdb_cursor_close(rc_);
  if( wc ) mdb_cursor_close(wc);
  return rc;
}

int faktKvCopy(FaktStore *s, const char *zInto, int iDbLast, const char *zKeyLast){
  KvCopy c;
  int rc, i;
  memset(&c, 0, sizeof(c));
  c.s = s;
  c.iDbLast = iDbLast;
  c.zKeyLast = zKeyLast;
  rc = copyOpen(&c, zInto);
  for(i=0; rc==0 && i<DB_COUNT; i++) rc = copyTable(&c, i);
  if( rc==0 && c.vLast.mv_data ) rc = mdb_put(c.wtxn, c.aDbi[iDbLast], &c.kLast, &c.vLast, 0);
  if( rc==0 ){ rc = mdb_txn_commit(c.wtxn); c.wtxn = NULL; }
  if( rc==0 ) rc = mdb_env_sync(c.env, 1);
  dropMapped(c.pSrcMap);
  if( rc==0 ) dropMapped(mapPointer(c.env));
  if( c.wtxn ) mdb_txn_abort(c.wtxn);
  if( c.rtxn ) mdb_txn_abort(c.rtxn);
  if( c.env ) mdb_env_close(c.env);
  return xlate(s, rc, "vacuum");
}
