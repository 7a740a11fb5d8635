/*
** store.c -- fakt's storage layer on LMDB (layout: see store.h). This is
** the only file that includes lmdb.h: every MDB_* or errno code goes
** through xlate() and leaves as a FAKT_* code with a message on the store.
*/
#define _GNU_SOURCE          /* F_OFD_SETLK: locks of an open file, not of a process */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <lmdb.h>
#include "fakt.h"
#include "pagecheck.h"
#include "store.h"
#include "base.h"

/* ================================================================ types */

/* Named databases. ORDER: azDbName. */
enum {
  DB_META = 0, DB_S2I, DB_I2S, DB_OBJ, DB_SPO, DB_POS, DB_OSP, DB_ALIAS,
  DB_SRCC, DB_PROP, DB_FTS, DB_GEO, DB_STAT, DB_RULE, DB_TXLOG, DB_TEXT,
  DB_COUNT
};
static const char *const azDbName[DB_COUNT] = {
  "meta", "s2i", "i2s", "obj", "spo", "pos", "osp", "alias",
  "srcc", "prop", "fts", "geo", "stat", "rule", "txlog", "text"
};

#define MAP_DEFAULT  ((uint64_t)64 << 20)     /* initial map: 64 MiB */
#define FAKT_BUSY_DEFAULT 5000                /* ms a writer waits for the writer lock */
#define MAP_LIMIT    ((uint64_t)1 << 40)      /* default max: 1 TiB */
#define MAP_HEADROOM ((uint64_t)1 << 34)      /* free map before a write txn: 16 GiB */
#define MAP_GRAIN    ((uint64_t)64 << 10)     /* map sizes are multiples of this */
#define MAP_KEEP     ((uint64_t)64 << 20)     /* address space a grown map leaves free, at least */
#define MAP_TRIES    8                        /* begins of a txn after MDB_MAP_RESIZED */
#define CUR_PREFIX_MAX 512                    /* > LMDB's 511-byte key limit */
#define ALIAS_MAX    400                      /* folded text bytes in an alias key */

/*
** Names a write transaction looked up or interned: name -> id, and the
** kind of the id's object once known. A loader names the same entities,
** sources and predicates claim after claim; each lookup otherwise walks
** s2i (and i2s, to compare a long text) and obj. Entries stay right while the
** transaction lives: a name's id never changes, and an object's kind only
** goes from none to one (cached only once there). A nested transaction
** uses its root's cache and clears it when it aborts (what it added may be
** gone). A committed transaction leaves its cache to the handle
** (FaktStore.keptNames), and the handle's next write transaction takes it
** over if it follows that commit directly, with no other writer's commit
** in between: names are never removed, so the entries are still right.
*/
#define NAME_INLINE 10
typedef struct NameEnt {
  uint32_t h;                /* faktHash64 of the name, its low 32 bits (1 for
                             ** 0), which also place it; 0: empty slot */
  uint32_t id;
  uint32_t iOff;             /* its bytes past the first NAME_INLINE, at
                             ** NameCache.zBuf+iOff */
  uint8_t n;                 /* its length */
  uint8_t kind;              /* its object's kind + 1 (0: not known) */
  char aPre[NAME_INLINE];    /* its first bytes, zero-padded: a lookup of a
                             ** short name reads nothing but its slot */
} NameEnt;                   /* 24 bytes: a 10M-claim load keeps 2^21 of them */
typedef struct NameCache {
  NameEnt *a;                /* nSlot slots, a power of two, at most 3/4 used */
  size_t nSlot, nUsed;
  char *zBuf;                /* the bytes of long names past NAME_INLINE */
  size_t nBuf, nBufAlloc;
  uint8_t *aKind;            /* id -> 1 + kind of objects other than claims, for
                             ** ids bound by id, 0 not known: nKind bytes indexed
                             ** by the id (ids are given out in sequence, so a
                             ** load's entities fit a few MB that stay cached) */
  size_t nKind;
} NameCache;

struct FaktStore {
  MDB_env *env;              /* the environment (owned) */
  FaktPageGuard *pGuard;     /* pages LMDB read and found sound (owned; pagecheck.c) */
  MDB_dbi aDbi[DB_COUNT];    /* named databases, valid for the env's life */
  int bReadonly;             /* opened read-only */
  int bNoLock;               /* opened with MDB_NOLOCK (read-only, lock not creatable) */
  int bAsLimit;              /* the address space kept the map from growing (mapFit) */
  int bMapLost;              /* a remap failed: LMDB has no map, the handle is dead */
  int bDiskFull;             /* the last write failed for want of disk (xlate) */
  char *zPath;               /* the file's name as given, for messages */
  uint64_t nMapMax;          /* hard limit of the map size */
  uint64_t nRoom;            /* least free map before a write txn (maybeGrow) */
  uint64_t nMapped;          /* mapped file bytes a write txn keeps resident (dropTick) */
  uint64_t nDropCheck;       /* reads and puts between two looks at them */
  int nTxn;                  /* top-level transactions open on this handle */
  StoreTxn *pTxnList;        /* those transactions (for faktStoreClose) */
  StoreTxn *pWriter;         /* the open top-level write transaction, or NULL */
  uint64_t nRemap;           /* calls of mdb_env_set_mapsize after the open: each
                             ** may move the map (faktStoreSnapshot) */
  MDB_txn *pSpare;           /* a read txn reset at its end, renewed by the next
                             ** read: that keeps its slot in the reader table,
                             ** so a read begins without the table's lock */
  char *zRunDir;             /* where a write txn spills its sorted runs (Pending) */
  size_t nPendFlush;         /* pending bytes that make a sorted run (PEND_FLUSH) */
  uint64_t nRunMax;          /* most bytes of runs a txn spills (0: no limit) */
  NameCache keptNames;       /* the name cache of the last write txn committed here */
  size_t keptTxnId;          /* and that txn's LMDB id (keptNames valid for id+1) */
  int fdLock;                /* the data file, for fakt's own locks (ofdLock), or -1 */
  int bWLocked;              /* this handle holds the writer lock */
  int nBusyMs;               /* how long a writer waits for the lock (faktStoreBusyTimeout) */
  char zErr[512];            /* last message */
};

/*
** Pending index puts. A top-level write transaction does not put the keys
** of the index DBs (spo, pos, osp, srcc, prop, fts) into LMDB one by one, in
** the random order claims arrive in: it keeps them here and writes them
** sorted, with MDB_APPEND past a DB's last key, when anything reads one of
** those DBs, when a nested transaction begins, when the buffer is large, and
** at commit. Sorted puts touch each leaf page once per flush instead of once
** per key, and appended pages are left full instead of half full. Entries
** are (DB, key, value, sequence): of equal keys the latest wins.
**
** When the buffer of a top-level transaction is large, it does not go
** into the trees: it is sorted and appended to a temporary file as a run
** (pendSpill), and the buffer starts again. The next flush merges all runs
** and the buffer in one pass (pendMerge), so that each leaf page is
** changed once per flush, not once per run, and a bulk load into empty
** trees is nothing but appends. A transaction that cannot make or write
** its run file flushes the old way from then on.
*/
typedef struct PendRun {
  uint64_t iOff, nByte;      /* bytes [iOff, iOff+nByte) of the run file */
} PendRun;
typedef struct PendEnt {
  uint64_t k0, k1;           /* the key's first 16 bytes, big-endian, zero-padded:
                             ** most comparisons end here, without memcmp */
  uint32_t iOff;             /* key bytes, then value bytes, at aByte+iOff */
  uint32_t iSeq;             /* order of arrival */
  uint16_t nKey;             /* key bytes */
  uint8_t nVal;              /* value bytes (index values are at most 8) */
  uint8_t iDb;               /* DB_* */
} PendEnt;
typedef struct Pending {
  PendEnt *a;                /* entries */
  size_t n, nAlloc;
  uint8_t *aByte;            /* their keys and values */
  size_t nByte, nByteAlloc;
  PendEnt *aTmp;             /* nAlloc entries: the radix sort's scratch */
  int bInChild;              /* also written into the open nested txn: if it
                             ** commits they are done, if it aborts not */
  PendRun *aRun;             /* runs in the run file, oldest first */
  size_t nRun, nRunAlloc;
  uint64_t nRunByte;         /* bytes of the run file in use */
  int fdRun;                 /* the run file's descriptor + 1 (0: none yet) */
  int bNoRun;                /* no run file: flush instead */
} Pending;
#define PEND_FLUSH  ((size_t)8 << 20)    /* spill or flush past this many bytes */
#define PEND_CHUNK  ((size_t)4 << 20)    /* a merge writes the trees this much at a time */
#define RUN_HDR     4                    /* run record: DB, key bytes (2), value bytes */
#define RUN_BUF_ALL ((size_t)16 << 20)   /* read buffers of all runs of a merge, about */
#define PEND_AHEAD  8                    /* entries whose bytes a flush prefetches ahead */
#define PEND_VAL_MAX 8

/*
** Statistics deltas (kind, id) -> delta of a write transaction, an open
** addressing table. A nested transaction keeps its own and adds them to its
** parent's at commit; the top level writes them to the stat DB at commit.
** faktStatGet adds the deltas of the transaction and its ancestors.
*/
typedef struct StatSlot { uint64_t key; int64_t delta; } StatSlot;   /* key 0: empty */
typedef struct StatTab {
  StatSlot *a;               /* nSlot slots, a power of two */
  size_t nSlot, nUsed;
} StatTab;

#define NAME_CACHE_MAX  ((size_t)1 << 22)   /* names at most, then no more are added */

/*
** A transaction. Owns its cursors: each faktCursorOpen/faktAuxOpen takes a
** free one of the same DB from pCur or makes a new one; faktCursorClose
** only marks it free. Commit/abort closes and frees all of them, so a
** cursor must not be used or closed after its transaction ended.
*/
struct StoreTxn {
  FaktStore *s;              /* owning store */
  MDB_txn *txn;              /* LMDB transaction (owned) */
  StoreTxn *pParent;         /* enclosing write txn of a nested one */
  StoreTxn *pChild;          /* open nested txn, or NULL */
  StoreTxn *pNextTxn;        /* list of top-level txns of the store */
  int bWrite;                /* write transaction */
  int rcErr;                 /* sticky error: a failed write dooms the txn */
  StoreCursor *pCur;         /* every cursor made in this txn */
  uint64_t nWrite;           /* writes made through this txn (faktStoreWrites) */
  Pending pend;              /* index puts not yet in LMDB (top-level txns only) */
  StatTab stat;              /* statistics deltas not yet in LMDB */
  uint32_t textSrc;          /* read txns: source whose text is cached, or 0 */
  MDB_val textVal;           /* that text (in the map: a read txn never moves it) */
  NameCache names;           /* top-level write txns only */
  uint64_t nUndropped;       /* top-level: reads and index puts since the
                             ** mapped pages were last looked at (dropTick) */
  int ePf;                   /* read txns, faktObjLeaf: 0 not set up, 1 on, 2 off */
  const uint8_t *pPfMap;     /* the map's first byte */
  size_t nPfPage;            /* pages inside the file */
  size_t szPfPage;           /* page size */
  size_t pgPfRoot;           /* obj's root page in this snapshot */
};

struct StoreCursor {
  StoreTxn *t;               /* owning transaction */
  MDB_cursor *mc;            /* LMDB cursor (owned, lives as long as t) */
  int iDb;                   /* DB_* */
  int bInUse;                /* handed out to a caller */
  int eState;                /* 0 before the first key, 1 walking, 2 done */
  int nPrefix;               /* bytes in aPrefix */
  StoreCursor *pNext;        /* next cursor of the txn */
  uint8_t aPrefix[CUR_PREFIX_MAX];
};

/* ================================================================ encoding */

/* obj and i2s keys: the id as a native unsigned int (MDB_INTEGERKEY), which
** LMDB compares as a number instead of calling memcmp (format 3). */
static void idKey(uint8_t *k, uint32_t id){
  unsigned int u = id;
  _Static_assert(sizeof(unsigned int)==4, "MDB_INTEGERKEY keys are 4 bytes");
  memcpy(k, &u, 4);
}

uint32_t faktObjKeyId(const void *p){
  unsigned int u;
  memcpy(&u, p, 4);
  return u;
}

void faktEncU32(uint8_t *p, uint32_t v){
  p[0] = (uint8_t)(v>>24); p[1] = (uint8_t)(v>>16); p[2] = (uint8_t)(v>>8); p[3] = (uint8_t)v;
}
uint32_t faktDecU32(const uint8_t *p){
  return ((uint32_t)p[0]<<24) | ((uint32_t)p[1]<<16) | ((uint32_t)p[2]<<8) | p[3];
}
void faktEncU64(uint8_t *p, uint64_t v){
  faktEncU32(p, (uint32_t)(v>>32));
  faktEncU32(p+4, (uint32_t)v);
}
uint64_t faktDecU64(const uint8_t *p){
  return ((uint64_t)faktDecU32(p)<<32) | faktDecU32(p+4);
}

/* An index entry's value: tx_add, then tx_ret only once the claim is
** retracted (format 5; 4 bytes while live, 8 after). 1 if the value is
** well formed. */
static size_t visEncode(uint8_t *v, uint32_t txAdd, uint32_t txRet){
  faktEncU32(v, txAdd);
  if( txRet==0 ) return 4;
  faktEncU32(v+4, txRet);
  return 8;
}
static int visDecode(const void *pv, size_t n, uint32_t *pAdd, uint32_t *pRet){
  const uint8_t *v = pv;
  if( n!=4 && n!=8 ) return 0;
  *pAdd = faktDecU32(v);
  *pRet = n==8 ? faktDecU32(v+4) : 0;
  return n==4 || *pRet!=0;               /* a retraction is never 0 */
}

/* FNV-1a 64, then the murmur3 fmix64 finaliser so that every input bit
** reaches every output bit. Byte-wise: same value on every platform. */
uint64_t faktHash64(const void *p, size_t n){
  const uint8_t *a = (const uint8_t*)p;
  uint64_t h = 0xcbf29ce484222325ULL;
  size_t i;
  for(i=0; i<n; i++){ h ^= a[i]; h *= 0x100000001b3ULL; }
  h ^= h >> 33; h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

static void encDouble(uint8_t *p, double r){
  uint64_t u;
  memcpy(&u, &r, 8);
  faktEncU64(p, u);
}
static double decDouble(const uint8_t *p){
  uint64_t u = faktDecU64(p);
  double r;
  memcpy(&r, &u, 8);
  return r;
}

/* ================================================================ errors */

static void setErr(FaktStore *s, const char *zFmt, ...){
  va_list ap;
  if( s==NULL ) return;
  va_start(ap, zFmt);
  vsnprintf(s->zErr, sizeof(s->zErr), zFmt, ap);
  va_end(ap);
}

static uint64_t mapSize(FaktStore *s){
  MDB_envinfo info;
  if( mdb_env_info(s->env, &info) ) return 0;
  return (uint64_t)info.me_mapsize;
}

/* Whether the file system of the database has (almost) no room left: a
** write LMDB could do only in part is EIO, not ENOSPC. */
static int diskFull(FaktStore *s){
  struct statvfs sv;
  if( s->zPath==NULL || statvfs(s->zPath, &sv)!=0 ) return 0;
  return (uint64_t)sv.f_bavail * sv.f_frsize < ((uint64_t)1 << 20);
}

/*
** Translate an LMDB or errno code into a FAKT_* code and set the message
** "zWhat: text". Never returns an MDB_* value.
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
  if( s && rc==EIO && diskFull(s) ) rc = ENOSPC;   /* LMDB: a short write is EIO */
  if( s ) s->bDiskFull = 0;
  if( s ){
    if( rc==ENOSPC || rc==EDQUOT || rc==EFBIG ){
      s->bDiskFull = 1;
      code = FAKT_FULL;
      setErr(s, "disk is full: cannot write %s (%s)", s->zPath ? s->zPath : "the database",
             rc==EFBIG ? "the file size limit (ulimit -f) was reached" : strerror(rc));
    }else if( rc==MDB_MAP_FULL ){
      uint64_t n = mapSize(s);
      if( n>=s->nMapMax ){
        setErr(s, "database is full (max size %llu bytes)", (unsigned long long)s->nMapMax);
      }else if( s->bAsLimit ){
        setErr(s, "database map is full (%llu bytes; the address space limit (ulimit -v) kept it from growing)",
               (unsigned long long)n);
      }else{
        setErr(s, "database map is full (%llu bytes): grow it and retry", (unsigned long long)n);
      }
    }else if( (rc==MDB_CORRUPTED || rc==MDB_BAD_TXN) && faktPageGuardWhy(s->pGuard, zWhy, sizeof(zWhy), 0) ){
      /* a page failed its check (MDB_BAD_TXN: in an earlier call of this
      ** transaction whose error was not reported) */
      code = FAKT_CORRUPT;
      setErr(s, "database file is damaged (%s): %s", zWhy, s->zPath ? s->zPath : "the database");
    }else{
      setErr(s, "%s: %s", zWhat, mdb_strerror(rc));
    }
  }
  return code;
}
_Static_assert(MDB_PC_PAGE==FAKT_PC_PAGE && MDB_PC_LEVEL==FAKT_PC_LEVEL
               && MDB_PC_OVER==FAKT_PC_OVER && MDB_PC_FREE==FAKT_PC_FREE, "page check kinds");

static int cmpU64(const void *a, const void *b);
static int statFlush(StoreTxn *t);
static StoreTxn *txnRoot(StoreTxn *t);
static void dropMapped(const void *p);
static const void *mapPointer(MDB_env *env);
#define MAPPED_DEFAULT ((uint64_t)48 << 20)   /* StoreConfig.nMapped by default */
#define COMMIT_DROP 32768        /* index puts of a write txn after which the mapped
                                 ** pages are dropped (2^15) */
static void dropTick(StoreTxn *t, uint64_t n);

/* ================================================================ raw DB access */

/* Checks common to every write: a write txn, no open child, not doomed. */
static int writable(StoreTxn *t){
  if( t==NULL ) return FAKT_MISUSE;
  if( t->rcErr ) return t->rcErr;
  if( !t->bWrite ){
    setErr(t->s, "write in a read transaction");
    return FAKT_MISUSE;
  }
  if( t->pChild ){
    setErr(t->s, "transaction used while a nested transaction is open");
    return FAKT_MISUSE;
  }
  return FAKT_OK;
}

/* ---------------------------------------------------------------- pending puts */

static int isPendDb(int iDb){
  return iDb==DB_SPO || iDb==DB_POS || iDb==DB_OSP || iDb==DB_SRCC || iDb==DB_PROP || iDb==DB_FTS;
}

static void pendClear(Pending *p){
  free(p->a);
  free(p->aByte);
  free(p->aTmp);
  free(p->aRun);
  if( p->fdRun ) close(p->fdRun - 1);
  memset(p, 0, sizeof(*p));
}

/* Empty p but keep its buffers: a load's next flush needs as much, and
** memory given back and taken again costs a page fault per page. The run
** file stays open, emptied. */
static void pendEmpty(Pending *p){
  p->n = 0;
  p->nByte = 0;
  p->bInChild = 0;
  p->nRun = 0;
  if( p->nRunByte && ftruncate(p->fdRun - 1, 0) ){ /* the space is reused anyway */ }
  p->nRunByte = 0;
}

/* Entry i of p's sorted buffer is followed by a later put of its key
** (which wins). */
static int pendShadowed(const Pending *p, size_t i){
  const PendEnt *e = &p->a[i], *f = e + 1;
  return i+1<p->n && f->iDb==e->iDb && f->nKey==e->nKey && f->k0==e->k0 && f->k1==e->k1
      && memcmp(p->aByte + f->iOff, p->aByte + e->iOff, e->nKey)==0;
}

/* LMDB's default order: bytes, then the shorter first; then arrival. */
static int pendCmp(const void *pA, const void *pB, void *pCtx){
  const PendEnt *a = (const PendEnt*)pA, *b = (const PendEnt*)pB;
  const uint8_t *aByte = (const uint8_t*)pCtx;
  if( a->iDb!=b->iDb ) return a->iDb<b->iDb ? -1 : 1;
  if( a->k0!=b->k0 ) return a->k0<b->k0 ? -1 : 1;
  if( a->k1!=b->k1 ) return a->k1<b->k1 ? -1 : 1;
  size_t n = a->nKey<b->nKey ? a->nKey : b->nKey;
  if( n>16 ){
    /* the first 16 bytes are equal; zero padding can only tie, never order */
    int c = memcmp(aByte + a->iOff + 16, aByte + b->iOff + 16, n - 16);
    if( c ) return c;
  }else{
    int c = memcmp(aByte + a->iOff, aByte + b->iOff, n);
    if( c ) return c;
  }
  if( a->nKey!=b->nKey ) return a->nKey<b->nKey ? -1 : 1;
  return a->iSeq<b->iSeq ? -1 : (a->iSeq>b->iSeq);
}

/* A small merge sort (qsort has no context argument in C11). */
static void pendSort(PendEnt *a, PendEnt *aTmp, size_t n, const uint8_t *aByte){
  if( n<2 ) return;
  if( n<=16 ){
    for(size_t i=1; i<n; i++){
      PendEnt x = a[i];
      size_t j = i;
      while( j>0 && pendCmp(&a[j-1], &x, (void*)aByte)>0 ){ a[j] = a[j-1]; j--; }
      a[j] = x;
    }
    return;
  }
  size_t h = n/2, i = 0, j = h, k = 0;
  pendSort(a, aTmp, h, aByte);
  pendSort(a+h, aTmp, n-h, aByte);
  if( pendCmp(&a[h-1], &a[h], (void*)aByte)<=0 ) return;   /* already in order */
  while( i<h && j<n ) aTmp[k++] = pendCmp(&a[i], &a[j], (void*)aByte)<=0 ? a[i++] : a[j++];
  while( i<h ) aTmp[k++] = a[i++];
  while( j<n ) aTmp[k++] = a[j++];
  memcpy(a, aTmp, n*sizeof(*a));
}

/* The 8 bits of e's 128-bit key prefix (k0, then k1) from bit iBit on (0:
** the first bit of k0), zero past the end. */
static unsigned pendDigit(const PendEnt *e, int iBit){
  if( iBit>=128 ) return 0;
  if( iBit<=56 ) return (unsigned)(e->k0 >> (56 - iBit)) & 0xff;
  if( iBit<64 ) return (unsigned)((e->k0 << (iBit - 56)) | (e->k1 >> (120 - iBit))) & 0xff;
  if( iBit<=120 ) return (unsigned)(e->k1 >> (120 - iBit)) & 0xff;
  return (unsigned)(e->k1 << (iBit - 120)) & 0xff;
}

/*
** Sort a[0..n), whose entries are of one DB and share their key prefix's
** bits before iBit, as pendCmp orders them: a radix sort from the most
** significant end. The bits all entries share are skipped; the next 8
** bits put the entries into 256 buckets (a counting pass and a stable
** scatter through aTmp), which is pendCmp's order between buckets, and
** each bucket is sorted the same way from 8 bits further on. Small runs,
** and runs whose 16-byte prefixes are all equal, go to the merge sort.
*/
static void pendSortRadix(PendEnt *a, PendEnt *aTmp, size_t n, const uint8_t *aByte, int iBit){
  uint64_t d0 = 0, d1 = 0;
  size_t aEnd[256], i;
  int b;
  if( n<64 ){ pendSort(a, aTmp, n, aByte); return; }
  for(i=1; i<n; i++){ d0 |= a[i].k0 ^ a[0].k0; d1 |= a[i].k1 ^ a[0].k1; }
  /* the first bit at or after iBit where two entries differ */
  while( iBit<128 && !((iBit<64 ? d0 >> (63-iBit) : d1 >> (127-iBit)) & 1) ) iBit++;
  if( iBit>=128 ){ pendSort(a, aTmp, n, aByte); return; }
  memset(aEnd, 0, sizeof(aEnd));
  for(i=0; i<n; i++) aEnd[pendDigit(&a[i], iBit)]++;
  size_t nSum = 0;
  for(b=0; b<256; b++){ size_t c = aEnd[b]; aEnd[b] = nSum; nSum += c; }
  for(i=0; i<n; i++) aTmp[aEnd[pendDigit(&a[i], iBit)]++] = a[i];   /* aEnd[b]: end of bucket b */
  memcpy(a, aTmp, n*sizeof(*a));
  size_t iStart = 0;
  for(b=0; b<256; b++){
    if( aEnd[b]-iStart>1 ) pendSortRadix(a+iStart, aTmp, aEnd[b]-iStart, aByte, iBit+8);
    iStart = aEnd[b];
  }
}

/* Sort a[0..n) as pendCmp orders it: by DB with a counting pass, then each
** DB's run by pendSortRadix. aTmp: scratch for n entries. */
static void pendSortAll(PendEnt *a, PendEnt *aTmp, size_t n, const uint8_t *aByte){
  size_t aEnd[DB_COUNT], i, iStart = 0, nSum = 0;
  int d;
  memset(aEnd, 0, sizeof(aEnd));
  for(i=0; i<n; i++) aEnd[a[i].iDb]++;
  for(d=0; d<DB_COUNT; d++){ size_t c = aEnd[d]; aEnd[d] = nSum; nSum += c; }
  for(i=0; i<n; i++) aTmp[aEnd[a[i].iDb]++] = a[i];
  memcpy(a, aTmp, n*sizeof(*a));
  for(d=0; d<DB_COUNT; d++){
    if( aEnd[d]-iStart>1 ) pendSortRadix(a+iStart, aTmp, aEnd[d]-iStart, aByte, 0);
    iStart = aEnd[d];
  }
}

static int ftsFlush(StoreTxn *t, const PendEnt *a, size_t n, const uint8_t *aByte);
static int pendFlush(StoreTxn *t);
static int pendAppend(Pending *p, int iDb, const void *pK, size_t nK, const void *pV, size_t nV);

int faktStorePendSortCheck(size_t n, uint64_t seed){
  Pending p;
  PendEnt *aA = NULL, *aB = NULL, *aTmp = NULL;
  static const int aDb[] = { DB_SPO, DB_POS, DB_OSP, DB_SRCC, DB_PROP, DB_FTS };
  uint8_t aKey[48];
  size_t i;
  int rc = FAKT_NOMEM;
  memset(&p, 0, sizeof(p));
  for(i=0; i<n; i++){
    /* keys that share long prefixes, are all zero at the front, are equal,
    ** or differ only past the first 16 bytes or in length */
    uint64_t r;
    seed = seed*6364136223846793005ull + 1442695040888963407ull;
    r = seed >> 17;
    size_t nKey = 1 + (size_t)(r % 40), k;
    int eShape = (int)((r >> 8) % 4);
    for(k=0; k<nKey; k++){
      seed = seed*6364136223846793005ull + 1442695040888963407ull;
      uint8_t c = (uint8_t)(seed >> 56);
      if( eShape==0 && k<3 ) c = 0;                       /* small ids */
      if( eShape==1 && k<16 ) c = (uint8_t)(k*7);          /* one 16-byte prefix */
      if( eShape==2 ) c = (uint8_t)(c & 0x3);              /* few distinct keys: ties */
      aKey[k] = c;
    }
    if( pendAppend(&p, aDb[(r >> 16) % 6], aKey, nKey, "v", 1) ) goto done;
  }
  aA = malloc((n ? n : 1)*sizeof(PendEnt));
  aB = malloc((n ? n : 1)*sizeof(PendEnt));
  aTmp = malloc((n ? n : 1)*sizeof(PendEnt));
  if( aA==NULL || aB==NULL || aTmp==NULL ) goto done;
  if( n ){
    memcpy(aA, p.a, n*sizeof(PendEnt));
    memcpy(aB, p.a, n*sizeof(PendEnt));
  }
  pendSort(aA, aTmp, n, p.aByte);
  pendSortAll(aB, aTmp, n, p.aByte);
  rc = FAKT_OK;
  for(i=0; i<n && rc==FAKT_OK; i++){
    if( aA[i].iSeq!=aB[i].iSeq ) rc = FAKT_INTERNAL;
    if( i>0 && pendCmp(&aA[i-1], &aA[i], p.aByte)>=0 ) rc = FAKT_INTERNAL;
  }
done:
  free(aA); free(aB); free(aTmp);
  pendClear(&p);
  return rc;
}

/*
** Put the sorted entries of p into LMDB through t. A key past the DB's
** last key goes in with MDB_APPEND; fts entries are merged into posting
** blocks instead (ftsFlush). An error dooms t.
*/
static int pendApply(const Pending *p, StoreTxn *t){
  MDB_cursor *mc = NULL;
  uint8_t aLast[CUR_PREFIX_MAX];
  size_t nLast = 0, i;
  int bLast = 0, iDbCur = -1, rc = MDB_SUCCESS, rcFts = FAKT_OK;
  /* a flush reads many pages through the map, and many small flushes as
  ** many as a big one; the dirty copies are what the transaction uses now:
  ** its puts count towards letting the mapped pages go (dropTick) */
  for(i=0; i<p->n && rc==MDB_SUCCESS; i++){
    const PendEnt *e = &p->a[i];
    MDB_val k, v;
    /* sorted, the entries' bytes are read in an order unlike the one they
    ** were written in: ask for those a few entries ahead */
    if( i+PEND_AHEAD<p->n ) __builtin_prefetch(p->aByte + p->a[i+PEND_AHEAD].iOff);
    if( e->iDb==DB_FTS ){                     /* the whole fts run at once */
      size_t j = i;
      while( j<p->n && p->a[j].iDb==DB_FTS ) j++;
      rcFts = ftsFlush(t, e, j - i, p->aByte);   /* counts its own puts */
      if( rcFts ) break;
      i = j - 1;
      continue;
    }
    if( pendShadowed(p, i) ) continue;        /* a later put of the key wins */
    dropTick(t, 1);
    if( e->iDb!=iDbCur ){
      if( mc ) mdb_cursor_close(mc);
      mc = NULL;
      rc = mdb_cursor_open(t->txn, t->s->aDbi[e->iDb], &mc);
      if( rc ) break;
      iDbCur = e->iDb;
      rc = mdb_cursor_get(mc, &k, &v, MDB_LAST);
      bLast = rc==MDB_SUCCESS;
      if( rc==MDB_NOTFOUND ) rc = MDB_SUCCESS;
      if( rc ) break;
      if( bLast ){
        nLast = k.mv_size<sizeof(aLast) ? k.mv_size : sizeof(aLast);
        memcpy(aLast, k.mv_data, nLast);
      }
    }
    k.mv_data = p->aByte + e->iOff; k.mv_size = e->nKey;
    v.mv_data = p->aByte + e->iOff + e->nKey; v.mv_size = e->nVal;
    unsigned flags = 0;
    if( !bLast ){
      flags = MDB_APPEND;
    }else{
      size_t n = nLast<k.mv_size ? nLast : k.mv_size;
      int c = memcmp(k.mv_data, aLast, n);
      if( c>0 || (c==0 && k.mv_size>nLast) ){ flags = MDB_APPEND; bLast = 0; }
    }
    rc = mdb_cursor_put(mc, &k, &v, flags);
  }
  if( mc ) mdb_cursor_close(mc);
  if( rcFts ) return rcFts;                   /* ftsFlush doomed t */
  if( rc ){
    rc = xlate(t->s, rc, "index");
    t->rcErr = rc;
    return rc;
  }
  return FAKT_OK;
}

/* Sort p's buffer (pendCmp's order). */
static int pendSortBuf(Pending *p, FaktStore *s){
  if( p->n==0 ) return FAKT_OK;
  if( p->aTmp==NULL && (p->aTmp = malloc(p->nAlloc * sizeof(*p->aTmp)))==NULL ){
    setErr(s, "out of memory");
    return FAKT_NOMEM;
  }
  pendSortAll(p->a, p->aTmp, p->n, p->aByte);
  return FAKT_OK;
}

/* ---------------------------------------------------------------- sorted runs */

/* A new, unlinked file in directory zDir for runs, or -1. */
static int runFileOpen(const char *zDir){
  size_t n = strlen(zDir) + 32;
  char *z = malloc(n);
  int fd;
  if( z==NULL ) return -1;
  snprintf(z, n, "%s/.fakt-run-XXXXXX", zDir);
  fd = mkstemp(z);
  if( fd>=0 ){
    unlink(z);
    if( fcntl(fd, F_SETFD, FD_CLOEXEC) ){ /* only matters across exec */ }
  }
  free(z);
  return fd;
}

/* Write (bWrite) or read all n bytes at file offset iOff. 0, or -1 (errno
** set; EIO for an end of file). */
static int runIo(int fd, int bWrite, uint8_t *a, size_t n, uint64_t iOff){
  while( n ){
    ssize_t k = bWrite ? pwrite(fd, a, n, (off_t)iOff) : pread(fd, a, n, (off_t)iOff);
    if( k<0 && errno==EINTR ) continue;
    if( k<=0 ){ if( k==0 ) errno = EIO; return -1; }
    a += k; n -= (size_t)k; iOff += (uint64_t)k;
  }
  return 0;
}

/*
** The buffer of top-level txn t is full: sort it and append it to the run
** file as a run of records (DB, key bytes as 2 bytes big-endian, value
** bytes, key, value), a key's latest put only; then empty the buffer. If
** the file cannot be made or written, flush instead, now and from then on
** in this transaction.
*/
static int pendSpill(StoreTxn *t){
  Pending *p = &t->pend;
  FaktStore *s = t->s;
  const size_t nBuf = (size_t)1 << 20;
  uint8_t *aBuf = NULL;
  uint64_t iOff;
  size_t nUsed = 0, i;
  int rc;
  if( p->bNoRun || s->zRunDir==NULL ) return pendFlush(t);
  if( s->nRunMax && p->nRunByte + p->nByte + RUN_HDR*p->n > s->nRunMax ){
    p->bNoRun = 1;               /* the run would pass the limit */
    return pendFlush(t);
  }
  if( p->nRun==p->nRunAlloc ){
    size_t nNew = p->nRunAlloc ? p->nRunAlloc*2 : 16;
    PendRun *aNew = realloc(p->aRun, nNew*sizeof(*aNew));
    if( aNew==NULL ){ p->bNoRun = 1; return pendFlush(t); }
    p->aRun = aNew; p->nRunAlloc = nNew;
  }
  if( p->fdRun==0 ){
    int fd = runFileOpen(s->zRunDir);
    if( fd<0 ){ p->bNoRun = 1; return pendFlush(t); }
    p->fdRun = fd + 1;
  }
  if( (aBuf = malloc(nBuf))==NULL ){ p->bNoRun = 1; return pendFlush(t); }
  if( (rc = pendSortBuf(p, s))!=FAKT_OK ){ free(aBuf); t->rcErr = rc; return rc; }
  iOff = p->nRunByte;
  for(i=0; i<p->n; i++){
    const PendEnt *e = &p->a[i];
    if( pendShadowed(p, i) ) continue;
    if( nUsed + RUN_HDR + e->nKey + e->nVal > nBuf ){
      if( runIo(p->fdRun - 1, 1, aBuf, nUsed, iOff) ) break;
      iOff += nUsed;
      nUsed = 0;
    }
    aBuf[nUsed] = e->iDb;
    aBuf[nUsed+1] = (uint8_t)(e->nKey >> 8);
    aBuf[nUsed+2] = (uint8_t)e->nKey;
    aBuf[nUsed+3] = e->nVal;
    memcpy(aBuf + nUsed + RUN_HDR, p->aByte + e->iOff, (size_t)e->nKey + e->nVal);
    nUsed += RUN_HDR + e->nKey + e->nVal;
  }
  if( i<p->n || runIo(p->fdRun - 1, 1, aBuf, nUsed, iOff) ){
    free(aBuf);                  /* what was written past nRunByte is not used */
    p->bNoRun = 1;
    return pendFlush(t);
  }
  free(aBuf);
  iOff += nUsed;
  p->aRun[p->nRun].iOff = p->nRunByte;
  p->aRun[p->nRun].nByte = iOff - p->nRunByte;
  p->nRun++;
  p->nRunByte = iOff;
  p->n = 0;
  p->nByte = 0;
  return FAKT_OK;
}

/* One input of a merge: a run read through a buffer, or the sorted buffer
** of puts (iRun==-1), with its current entry. */
typedef struct MergeIn {
  int iDb;                   /* the current entry: DB, -1 at the end */
  uint64_t k0, k1;           /* its key's first 16 bytes as in PendEnt */
  const uint8_t *pKey;       /* its key, then its value */
  size_t nKey, nVal;
  int iAge;                  /* older inputs first: a later one's put wins */
  /* a run */
  uint8_t *aBuf;             /* bytes [i, n) read, not yet taken */
  size_t i, n, nBuf;
  uint64_t iOff, iEnd;       /* the file bytes still to read */
  /* the buffer */
  const Pending *p;
  size_t iEnt;
} MergeIn;

/* Step m to its next entry (iDb -1 at the end). 0, or -1 on a read error
** or a damaged record. */
static int mergeNext(MergeIn *m, int fd){
  if( m->p ){
    const Pending *p = m->p;
    while( m->iEnt<p->n && pendShadowed(p, m->iEnt) ) m->iEnt++;
    if( m->iEnt>=p->n ){ m->iDb = -1; return 0; }
    const PendEnt *e = &p->a[m->iEnt++];
    m->iDb = e->iDb;
    m->k0 = e->k0;
    m->k1 = e->k1;
    m->pKey = p->aByte + e->iOff;
    m->nKey = e->nKey;
    m->nVal = e->nVal;
    return 0;
  }
  if( m->n - m->i < RUN_HDR + CUR_PREFIX_MAX + PEND_VAL_MAX && m->iOff<m->iEnd ){
    size_t nKeep = m->n - m->i, nGet = m->nBuf - nKeep;
    memmove(m->aBuf, m->aBuf + m->i, nKeep);
    if( nGet > m->iEnd - m->iOff ) nGet = (size_t)(m->iEnd - m->iOff);
    if( runIo(fd, 0, m->aBuf + nKeep, nGet, m->iOff) ) return -1;
    m->iOff += nGet;
    m->i = 0;
    m->n = nKeep + nGet;
  }
  if( m->i==m->n ){ m->iDb = -1; return 0; }
  errno = 0;                                 /* below: a damaged record */
  if( m->n - m->i < RUN_HDR ) return -1;
  const uint8_t *a = m->aBuf + m->i;
  size_t nKey = ((size_t)a[1] << 8) | a[2], nVal = a[3];
  if( a[0]>=DB_COUNT || !isPendDb(a[0]) || nKey>CUR_PREFIX_MAX || nVal>PEND_VAL_MAX
   || m->n - m->i < RUN_HDR + nKey + nVal ) return -1;
  m->iDb = a[0];
  if( nKey>=16 ){
    m->k0 = faktDecU64(a + RUN_HDR);
    m->k1 = faktDecU64(a + RUN_HDR + 8);
  }else{
    uint8_t aPre[16] = {0};
    memcpy(aPre, a + RUN_HDR, nKey);
    m->k0 = faktDecU64(aPre);
    m->k1 = faktDecU64(aPre + 8);
  }
  m->pKey = a + RUN_HDR;
  m->nKey = nKey;
  m->nVal = nVal;
  m->i += RUN_HDR + nKey + nVal;
  return 0;
}

/* pendCmp's order of the current entries of a and b, then age. */
static int mergeCmp(const MergeIn *a, const MergeIn *b){
  if( a->iDb!=b->iDb ) return a->iDb<b->iDb ? -1 : 1;
  if( a->k0!=b->k0 ) return a->k0<b->k0 ? -1 : 1;
  if( a->k1!=b->k1 ) return a->k1<b->k1 ? -1 : 1;
  size_t n = a->nKey<b->nKey ? a->nKey : b->nKey;
  int c = n>16 ? memcmp(a->pKey + 16, b->pKey + 16, n - 16) : 0;
  if( c ) return c;
  if( a->nKey!=b->nKey ) return a->nKey<b->nKey ? -1 : 1;
  return a->iAge<b->iAge ? -1 : (a->iAge>b->iAge);
}

/* Restore the heap order of aHeap[0..n) below position i. */
static void mergeSift(MergeIn **aHeap, size_t n, size_t i){
  for(;;){
    size_t l = 2*i + 1, m = i;
    if( l<n && mergeCmp(aHeap[l], aHeap[m])<0 ) m = l;
    if( l+1<n && mergeCmp(aHeap[l+1], aHeap[m])<0 ) m = l + 1;
    if( m==i ) return;
    MergeIn *x = aHeap[i]; aHeap[i] = aHeap[m]; aHeap[m] = x;
    i = m;
  }
}

/*
** Merge p's runs and its sorted buffer and put the result into LMDB
** through t, PEND_CHUNK bytes at a time (pendApply); of equal keys the
** latest put wins. The runs and the buffer are left as they are.
*/
static int pendMerge(const Pending *p, StoreTxn *t){
  size_t nIn = p->nRun + 1, nHeap = 0, i;
  size_t nBuf = RUN_BUF_ALL / nIn;
  MergeIn *aIn = calloc(nIn, sizeof(*aIn));
  MergeIn **aHeap = calloc(nIn, sizeof(*aHeap));
  Pending out;
  uint8_t aHeld[CUR_PREFIX_MAX + PEND_VAL_MAX];
  size_t nHeldKey = 0, nHeldVal = 0;
  int iHeldDb = -1, rc = FAKT_OK, fd = p->fdRun - 1;
  memset(&out, 0, sizeof(out));
  if( nBuf<((size_t)64 << 10) ) nBuf = (size_t)64 << 10;
  if( nBuf>((size_t)1 << 20) ) nBuf = (size_t)1 << 20;
  if( aIn==NULL || aHeap==NULL ) rc = FAKT_NOMEM;
  for(i=0; i<nIn && rc==FAKT_OK; i++){
    MergeIn *m = &aIn[i];
    m->iAge = (int)i;
    if( i<p->nRun ){
      m->nBuf = nBuf;
      m->iOff = p->aRun[i].iOff;
      m->iEnd = p->aRun[i].iOff + p->aRun[i].nByte;
      if( (m->aBuf = malloc(nBuf))==NULL ){ rc = FAKT_NOMEM; break; }
    }else{
      m->p = p;
    }
    if( mergeNext(m, fd) ){ rc = FAKT_IOERR; break; }
    if( m->iDb>=0 ) aHeap[nHeap++] = m;
  }
  for(i=nHeap; i-->0; ) mergeSift(aHeap, nHeap, i);
  while( rc==FAKT_OK && (nHeap || iHeldDb>=0) ){
    MergeIn *m = nHeap ? aHeap[0] : NULL;
    /* the held entry is final once the smallest entry left has another key */
    if( iHeldDb>=0 && (m==NULL || m->iDb!=iHeldDb || m->nKey!=nHeldKey
                       || memcmp(m->pKey, aHeld, nHeldKey)!=0) ){
      if( pendAppend(&out, iHeldDb, aHeld, nHeldKey, aHeld + nHeldKey, nHeldVal) ){
        rc = FAKT_NOMEM;
        break;
      }
      iHeldDb = -1;
      if( out.nByte>=PEND_CHUNK ){
        if( (rc = pendApply(&out, t))!=FAKT_OK ) break;
        pendEmpty(&out);
      }
    }
    if( m==NULL ) break;
    iHeldDb = m->iDb;
    nHeldKey = m->nKey;
    nHeldVal = m->nVal;
    memcpy(aHeld, m->pKey, nHeldKey + nHeldVal);
    if( mergeNext(m, fd) ){ rc = FAKT_IOERR; break; }
    if( m->iDb<0 ) aHeap[0] = aHeap[--nHeap];
    mergeSift(aHeap, nHeap, 0);
  }
  if( rc==FAKT_OK && out.n ) rc = pendApply(&out, t);
  if( rc==FAKT_NOMEM ){
    setErr(t->s, "out of memory");
  }else if( rc==FAKT_IOERR ){
    setErr(t->s, "sorted run of pending index puts: %s", errno ? strerror(errno) : "damaged record");
  }
  if( rc && t->rcErr==FAKT_OK ) t->rcErr = rc;
  for(i=0; aIn && i<nIn; i++) free(aIn[i].aBuf);
  free(aIn);
  free(aHeap);
  pendClear(&out);
  return rc;
}

/*
** Write the pending puts of top-level txn tOwner, its runs and its buffer,
** into LMDB, sorted, through tInto: tOwner itself (they are emptied) or its
** open nested txn (they stay until the nested txn ends: its commit empties
** them, its abort leaves the puts pending). An error dooms tInto.
*/
static int pendWrite(StoreTxn *tOwner, StoreTxn *t){
  Pending *p = &tOwner->pend;
  int rc;
  if( p->n==0 && p->nRun==0 ) return t->rcErr;
  if( (rc = pendSortBuf(p, t->s))!=FAKT_OK ){ t->rcErr = rc; return rc; }
  errno = 0;
  if( p->nRun ){
    free(p->aTmp);               /* sorted: what the merge needs is memory */
    p->aTmp = NULL;
    rc = pendMerge(p, t);
  }else{
    rc = pendApply(p, t);
  }
  if( rc ) return rc;
  if( t==tOwner ) pendEmpty(p); else p->bInChild = 1;
  return FAKT_OK;
}

/* Write every put pending for t into t: its parent's first (they are
** older), then its own. */
static int pendFlush(StoreTxn *t){
  int rc = FAKT_OK;
  Pending *pUp = t->pParent ? &t->pParent->pend : NULL;
  if( pUp && (pUp->n || pUp->nRun) && !pUp->bInChild ) rc = pendWrite(t->pParent, t);
  if( rc==FAKT_OK && (t->pend.n || t->pend.nRun) ) rc = pendWrite(t, t);
  return rc;
}

/* Before t reads or writes index DB iDb directly. */
static int pendReady(StoreTxn *t, int iDb){
  return isPendDb(iDb) ? pendFlush(t) : FAKT_OK;
}

/* Append the put (iDb, key pK[0..nK), value pV[0..nV)) to p, after every
** entry already there. */
static int pendAppend(Pending *p, int iDb, const void *pK, size_t nK, const void *pV, size_t nV){
  if( p->n==p->nAlloc ){
    size_t nNew = p->nAlloc ? p->nAlloc*2 : 1024;
    PendEnt *aNew = realloc(p->a, nNew*sizeof(*aNew));
    if( aNew==NULL ) return FAKT_NOMEM;
    p->a = aNew; p->nAlloc = nNew;
    free(p->aTmp);             /* made again, as large, at the next flush */
    p->aTmp = NULL;
  }
  if( p->nByte + nK + nV > p->nByteAlloc ){
    size_t nNew = p->nByteAlloc ? p->nByteAlloc*2 : 65536;
    while( nNew < p->nByte + nK + nV ) nNew *= 2;
    uint8_t *aNew = realloc(p->aByte, nNew);
    if( aNew==NULL ) return FAKT_NOMEM;
    p->aByte = aNew; p->nByteAlloc = nNew;
  }
  PendEnt *d = &p->a[p->n];
  uint8_t aPre[16] = {0};
  memcpy(aPre, pK, nK<16 ? nK : 16);
  d->k0 = faktDecU64(aPre);
  d->k1 = faktDecU64(aPre+8);
  d->iOff = (uint32_t)p->nByte;
  d->iSeq = (uint32_t)p->n;
  d->nKey = (uint16_t)nK;
  d->nVal = (uint8_t)nV;
  d->iDb = (uint8_t)iDb;
  memcpy(p->aByte + p->nByte, pK, nK);
  if( nV ) memcpy(p->aByte + p->nByte + nK, pV, nV);
  p->nByte += nK + nV;
  p->n++;
  return FAKT_OK;
}

/* Put into an index DB: buffered until pendFlush (a nested txn's buffer
** goes to its parent's when it commits). */
static int pendPut(StoreTxn *t, int iDb, const void *pK, size_t nK, const void *pV, size_t nV){
  Pending *p = &t->pend;
  int rc = writable(t);
  if( rc ) return rc;
  if( nK>CUR_PREFIX_MAX || nV>PEND_VAL_MAX ){
    MDB_val k, v;
    if( (rc = pendReady(t, iDb))!=FAKT_OK ) return rc;
    t->nWrite++;
    k.mv_data = (void*)pK; k.mv_size = nK;
    v.mv_data = (void*)pV; v.mv_size = nV;
    rc = mdb_put(t->txn, t->s->aDbi[iDb], &k, &v, 0);
    if( rc==MDB_SUCCESS ) return FAKT_OK;
    rc = xlate(t->s, rc, azDbName[iDb]);
    t->rcErr = rc;
    return rc;
  }
  if( pendAppend(p, iDb, pK, nK, pV, nV) ){ setErr(t->s, "out of memory"); return FAKT_NOMEM; }
  t->nWrite++;
  if( p->nByte>t->s->nPendFlush ) return t->pParent ? pendFlush(t) : pendSpill(t);
  return FAKT_OK;
}

/* ---------------------------------------------------------------- pending statistics */

static size_t statSlot(const StatTab *p, uint64_t key){
  uint64_t h = key * 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 17) & (p->nSlot - 1);
}

/* Add delta to (kind, id) in tab p. */
static int statTabAdd(StatTab *p, uint64_t key, int64_t delta){
  if( (p->nUsed+1)*2 > p->nSlot ){
    StatTab n;
    n.nSlot = p->nSlot ? p->nSlot*2 : 256;
    n.nUsed = 0;
    n.a = calloc(n.nSlot, sizeof(StatSlot));
    if( n.a==NULL ) return FAKT_NOMEM;
    for(size_t i=0; i<p->nSlot; i++){
      if( p->a[i].key ){
        size_t j = statSlot(&n, p->a[i].key);
        while( n.a[j].key ) j = (j+1) & (n.nSlot-1);
        n.a[j] = p->a[i];
        n.nUsed++;
      }
    }
    free(p->a);
    *p = n;
  }
  size_t j = statSlot(p, key);
  while( p->a[j].key && p->a[j].key!=key ) j = (j+1) & (p->nSlot-1);
  if( p->a[j].key==0 ){ p->a[j].key = key; p->nUsed++; }
  p->a[j].delta += delta;
  return FAKT_OK;
}

static int64_t statTabGet(const StatTab *p, uint64_t key){
  if( p->nSlot==0 ) return 0;
  size_t j = statSlot(p, key);
  while( p->a[j].key ){
    if( p->a[j].key==key ) return p->a[j].delta;
    j = (j+1) & (p->nSlot-1);
  }
  return 0;
}

static void statTabClear(StatTab *p){
  free(p->a);
  memset(p, 0, sizeof(*p));
}

/* kind and id in one non-zero key */
static uint64_t statKey(int kind, uint32_t id){
  return ((uint64_t)(uint8_t)kind << 32) | id;
}


/* Get: FAKT_OK with *pV (points into the map), FAKT_NOTFOUND, or an error. */
static int dbGet(StoreTxn *t, int iDb, const void *pK, size_t nK, MDB_val *pV){
  MDB_val k;
  int rc;
  if( (rc = pendReady(t, iDb))!=FAKT_OK ) return rc;
  dropTick(t, 1);
  k.mv_data = (void*)pK; k.mv_size = nK;
  rc = mdb_get(t->txn, t->s->aDbi[iDb], &k, pV);
  if( rc==MDB_NOTFOUND ) return FAKT_NOTFOUND;
  return xlate(t->s, rc, azDbName[iDb]);
}

/* Put. A failure other than KEYEXIST dooms the transaction (LMDB requires
** an abort after MAP_FULL and friends). */
static int dbPut(StoreTxn *t, int iDb, const void *pK, size_t nK,
                 const void *pV, size_t nV, unsigned flags){
  MDB_val k, v;
  int rc = writable(t);
  if( rc ) return rc;
  if( (rc = pendReady(t, iDb))!=FAKT_OK ) return rc;
  k.mv_data = (void*)pK; k.mv_size = nK;
  v.mv_data = (void*)pV; v.mv_size = nV;
  t->nWrite++;
  rc = MDB_KEYEXIST;
  if( iDb==DB_OBJ || iDb==DB_I2S || iDb==DB_TXLOG ){
    /* ids grow: most keys go past the last one, where MDB_APPEND leaves
    ** full pages behind (a plain put splits them in half) */
    rc = mdb_put(t->txn, t->s->aDbi[iDb], &k, &v, flags|MDB_APPEND);
  }
  if( rc==MDB_KEYEXIST ) rc = mdb_put(t->txn, t->s->aDbi[iDb], &k, &v, flags);
  if( rc==MDB_SUCCESS ) return FAKT_OK;
  if( rc==MDB_KEYEXIST ) return FAKT_CONSTRAINT;
  rc = xlate(t->s, rc, azDbName[iDb]);
  t->rcErr = rc;
  return rc;
}

/* Reserve nV bytes for a value: *ppOut receives where to write them (valid
** until the next write). */
static int dbReserve(StoreTxn *t, int iDb, const void *pK, size_t nK, size_t nV, uint8_t **ppOut){
  MDB_val k, v;
  *ppOut = NULL;
  int rc = writable(t);
  if( rc ) return rc;
  k.mv_data = (void*)pK; k.mv_size = nK;
  v.mv_data = NULL; v.mv_size = nV;
  t->nWrite++;
  rc = MDB_KEYEXIST;
  if( iDb==DB_OBJ || iDb==DB_I2S ) rc = mdb_put(t->txn, t->s->aDbi[iDb], &k, &v, MDB_RESERVE|MDB_APPEND);
  if( rc==MDB_KEYEXIST ) rc = mdb_put(t->txn, t->s->aDbi[iDb], &k, &v, MDB_RESERVE);
  if( rc ){
    rc = xlate(t->s, rc, azDbName[iDb]);
    t->rcErr = rc;
    return rc;
  }
  *ppOut = (uint8_t*)v.mv_data;
  return FAKT_OK;
}

/* Delete a key (all its values). FAKT_NOTFOUND if absent. */
static int dbDel(StoreTxn *t, int iDb, const void *pK, size_t nK){
  MDB_val k;
  int rc = writable(t);
  if( rc ) return rc;
  if( (rc = pendReady(t, iDb))!=FAKT_OK ) return rc;
  t->nWrite++;
  k.mv_data = (void*)pK; k.mv_size = nK;
  rc = mdb_del(t->txn, t->s->aDbi[iDb], &k, NULL);
  if( rc==MDB_SUCCESS ) return FAKT_OK;
  if( rc==MDB_NOTFOUND ) return FAKT_NOTFOUND;
  rc = xlate(t->s, rc, azDbName[iDb]);
  t->rcErr = rc;
  return rc;
}

static int metaGetU32(StoreTxn *t, const char *zKey, uint32_t *pV){
  MDB_val v;
  int rc = dbGet(t, DB_META, zKey, strlen(zKey), &v);
  if( rc ) return rc;
  if( v.mv_size!=4 ){
    setErr(t->s, "meta record %s has %zu bytes", zKey, v.mv_size);
    return FAKT_CORRUPT;
  }
  *pV = faktDecU32((const uint8_t*)v.mv_data);
  return FAKT_OK;
}

static int metaPutU32(StoreTxn *t, const char *zKey, uint32_t v){
  uint8_t a[4];
  faktEncU32(a, v);
  return dbPut(t, DB_META, zKey, strlen(zKey), a, 4, 0);
}

/* ================================================================ cursors */

/* Hand out a free cursor of DB iDb of t positioned before aPrefix. */
static int curAcquire(StoreTxn *t, int iDb, const uint8_t *aPrefix, int nPrefix, StoreCursor **pp){
  StoreCursor *c;
  *pp = NULL;
  if( t==NULL || nPrefix<0 || (nPrefix>0 && aPrefix==NULL) ) return FAKT_MISUSE;
  if( nPrefix>CUR_PREFIX_MAX ){
    setErr(t->s, "cursor prefix of %d bytes is too long", nPrefix);
    return FAKT_TOOBIG;
  }
  if( t->pChild ){
    setErr(t->s, "transaction used while a nested transaction is open");
    return FAKT_MISUSE;
  }
  {
    int rc = pendReady(t, iDb);
    if( rc ) return rc;
  }
  for(c=t->pCur; c; c=c->pNext){
    if( !c->bInUse && c->iDb==iDb ) break;
  }
  if( c==NULL ){
    int rc;
    c = calloc(1, sizeof(*c));
    if( c==NULL ){ setErr(t->s, "out of memory"); return FAKT_NOMEM; }
    rc = mdb_cursor_open(t->txn, t->s->aDbi[iDb], &c->mc);
    if( rc ){ free(c); return xlate(t->s, rc, "cursor"); }
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
      rc = mdb_cursor_get(c->mc, pK, pV, MDB_SET_RANGE);
    }else{
      rc = mdb_cursor_get(c->mc, pK, pV, MDB_FIRST);
    }
  }else{
    rc = mdb_cursor_get(c->mc, pK, pV, MDB_NEXT);
  }
  if( rc==MDB_NOTFOUND ){ c->eState = 2; return FAKT_DONE; }
  if( rc ){ c->eState = 2; return xlate(c->t->s, rc, azDbName[c->iDb]); }
  if( pK->mv_size<(size_t)c->nPrefix || memcmp(pK->mv_data, c->aPrefix, (size_t)c->nPrefix)!=0 ){
    c->eState = 2;
    return FAKT_DONE;
  }
  return FAKT_ROW;
}

/* Close and free every cursor of t (at the end of t). */
static void curFreeAll(StoreTxn *t){
  StoreCursor *c = t->pCur, *pNext;
  while( c ){
    pNext = c->pNext;
    mdb_cursor_close(c->mc);
    free(c);
    c = pNext;
  }
  t->pCur = NULL;
}

int faktCursorOpen(StoreTxn *t, StoreIndex ix, const uint8_t *aPrefix, int nPrefix, StoreCursor **pp){
  if( (int)ix<IX_SPO || (int)ix>IX_OSP ){ *pp = NULL; return FAKT_MISUSE; }
  return curAcquire(t, DB_SPO + (int)ix, aPrefix, nPrefix, pp);
}

int faktCursorNext(StoreCursor *c, const uint8_t **paKey, Vis *pVis){
  MDB_val k, v;
  int rc;
  if( c==NULL || !c->bInUse ) return FAKT_MISUSE;
  rc = curStep(c, &k, &v);
  if( rc!=FAKT_ROW ) return rc;
  Vis vis;
  if( k.mv_size!=KEY_IX || !visDecode(v.mv_data, v.mv_size, &vis.txAdd, &vis.txRet) ){
    setErr(c->t->s, "%s entry with a %zu-byte key and %zu-byte value", azDbName[c->iDb], k.mv_size, v.mv_size);
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

/*
** Finding the leaf page of an obj record outside liblmdb, to prefetch it
** (read transactions): faktPageIntLeaf (pagecheck.c, which owns LMDB's
** page layout) reads obj's branch pages. It is a hint only: every page it
** reads lies inside the file, a surprise in the layout turns it off for the
** transaction, and a wrong leaf costs time, never an answer.
*/
static void pfSetup(StoreTxn *t){
  MDB_envinfo info;
  MDB_stat st;
  MDB_dbi dbiMain;
  MDB_val k = { 3, "obj" }, v;
  uint64_t root;
  t->ePf = 2;
  if( mdb_env_info(t->s->env, &info) || mdb_env_stat(t->s->env, &st) ) return;
  if( st.ms_psize<512 || (st.ms_psize & (st.ms_psize-1)) ) return;
  if( mdb_dbi_open(t->txn, NULL, 0, &dbiMain) || mdb_get(t->txn, dbiMain, &k, &v) ) return;
  if( !faktPageDbRoot(v.mv_data, v.mv_size, &root) ) return;
  /* obj's MDB_db record lies in a page of the map, and every page starts
  ** with its own number: that gives the map's first byte */
  const uint8_t *pPage = (const uint8_t*)((uintptr_t)v.mv_data & ~(uintptr_t)(st.ms_psize-1));
  uint64_t pgno = faktPageNo(pPage);
  t->nPfPage = (size_t)info.me_last_pgno + 1;
  if( pgno>=t->nPfPage || root>=t->nPfPage ) return;
  t->pPfMap = pPage - pgno*st.ms_psize;
  t->szPfPage = st.ms_psize;
  if( faktPageNo(t->pPfMap + root*st.ms_psize)!=root ) return;
  t->pgPfRoot = (size_t)root;
  t->ePf = 1;
}

int faktObjWalkable(StoreTxn *t){
  if( t==NULL || t->bWrite ) return 0;
  if( t->ePf==0 ) pfSetup(t);
  return t->ePf==1;
}

const void *faktObjLeaf(StoreTxn *t, uint32_t id){
  if( !faktObjWalkable(t) ) return NULL;
  return faktPageIntLeaf(t->pPfMap, t->nPfPage, t->szPfPage, t->pgPfRoot, id);
}

void faktObjPrefetch(StoreTxn *t, uint32_t id){
  const uint8_t *p = faktObjLeaf(t, id);
  if( p==NULL ) return;
  for(size_t o=0; o<t->szPfPage; o+=64) __builtin_prefetch(p + o);
}

static int dbIndex(FaktStore *s, const char *zDb){
  int i;
  if( zDb ){
    for(i=0; i<DB_COUNT; i++){
      if( strcmp(azDbName[i], zDb)==0 ) return i;
    }
  }
  setErr(s, "no such table: %s", zDb ? zDb : "(null)");
  return -1;
}

int faktAuxOpen(StoreTxn *t, const char *zDb, const uint8_t *aPrefix, int nPrefix, StoreCursor **pp){
  int iDb;
  *pp = NULL;
  if( t==NULL ) return FAKT_MISUSE;
  iDb = dbIndex(t->s, zDb);
  if( iDb<0 ) return FAKT_MISUSE;
  return curAcquire(t, iDb, aPrefix, nPrefix, pp);
}

int faktAuxNext(StoreCursor *c, const uint8_t **paKey, int *pnKey, const uint8_t **paVal, int *pnVal){
  MDB_val k, v;
  int rc;
  if( c==NULL || !c->bInUse ) return FAKT_MISUSE;
  rc = curStep(c, &k, &v);
  if( rc!=FAKT_ROW ) return rc;
  if( paKey ) *paKey = (const uint8_t*)k.mv_data;
  if( pnKey ) *pnKey = (int)k.mv_size;
  if( paVal ) *paVal = (const uint8_t*)v.mv_data;
  if( pnVal ) *pnVal = (int)v.mv_size;
  return FAKT_ROW;
}

int faktAuxPut(StoreTxn *t, const char *zDb, const uint8_t *aKey, int nKey, const uint8_t *aVal, int nVal){
  int iDb;
  if( t==NULL || nKey<=0 || nVal<0 ) return FAKT_MISUSE;
  iDb = dbIndex(t->s, zDb);
  if( iDb<0 ) return FAKT_MISUSE;
  return dbPut(t, iDb, aKey, (size_t)nKey, aVal, (size_t)nVal, 0);
}

int faktAuxDel(StoreTxn *t, const char *zDb, const uint8_t *aKey, int nKey){
  int iDb;
  if( t==NULL || nKey<=0 ) return FAKT_MISUSE;
  iDb = dbIndex(t->s, zDb);
  if( iDb<0 ) return FAKT_MISUSE;
  return dbDel(t, iDb, aKey, (size_t)nKey);
}

/* ================================================================ transactions */

static uint64_t roundUp(uint64_t n){
  if( n<MAP_GRAIN ) return MAP_GRAIN;
  return (n + MAP_GRAIN - 1) / MAP_GRAIN * MAP_GRAIN;
}
static uint64_t roundDown(uint64_t n){
  if( n<MAP_GRAIN ) return MAP_GRAIN;
  return n / MAP_GRAIN * MAP_GRAIN;
}

/* Bytes used by committed pages. */
static int usedBytes(FaktStore *s, uint64_t *pUsed, uint64_t *pMap){
  MDB_envinfo info;
  MDB_stat st;
  int rc;
  if( s->bMapLost ){
    setErr(s, "the database map was lost when it was resized: close the database and open it again");
    return FAKT_IOERR;
  }
  rc = mdb_env_info(s->env, &info);
  if( rc==0 ) rc = mdb_env_stat(s->env, &st);
  if( rc ) return xlate(s, rc, "env info");
  *pUsed = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
  *pMap = (uint64_t)info.me_mapsize;
  return FAKT_OK;
}

/* Let the spare read txn go (before the map changes, and at close). */
static void spareFree(FaktStore *s){
  if( s->pSpare ){ mdb_txn_abort(s->pSpare); s->pSpare = NULL; }
}

/* The end of read txn txn: kept as the spare if there is none. */
static void readEnd(FaktStore *s, MDB_txn *txn){
  if( s->pSpare ){ mdb_txn_abort(txn); return; }
  mdb_txn_reset(txn);
  s->pSpare = txn;
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
static int setMap(FaktStore *s, uint64_t n){
  int rc;
  spareFree(s);
  rc = mdb_env_set_mapsize(s->env, (size_t)n);
  s->nRemap++;
  if( rc && rc!=EINVAL ){
    s->bMapLost = 1;
    setErr(s, "cannot map %llu bytes of the database: %s (the handle can no longer be used: close it)",
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
** as far as it allows (mapFit), once; past that only faktStoreGrow grows
** it, when a write ran out of room. */
static int maybeGrow(FaktStore *s){
  uint64_t nUsed, nMap, nNew, nRoom;
  int rc = usedBytes(s, &nUsed, &nMap);
  if( rc ) return rc;
  if( nMap>s->nMapMax ){
    return setMap(s, nUsed>s->nMapMax ? roundUp(nUsed) : s->nMapMax);
  }
  nRoom = nUsed>s->nRoom ? nUsed : s->nRoom;
  if( nMap>=nUsed+nRoom || nMap>=s->nMapMax ) return FAKT_OK;
  nNew = nMap;
  while( nNew<nUsed+nRoom && nNew<s->nMapMax ) nNew *= 2;
  if( nNew>s->nMapMax ) nNew = s->nMapMax;
  if( s->bAsLimit ) return FAKT_OK;       /* grown as far as it went: faktStoreGrow */
  nRoom = mapFit(nMap, nNew, 0);
  if( nRoom<nNew ) s->bAsLimit = 1;
  if( nRoom<=nMap ) return FAKT_OK;
  return setMap(s, nRoom);
}

int faktStoreGrow(FaktStore *s){
  uint64_t nUsed, nMap, nNew, nFit;
  int rc;
  if( s==NULL ) return FAKT_MISUSE;
  if( s->nTxn ){
    setErr(s, "cannot grow the map while transactions are open");
    return FAKT_BUSY;
  }
  if( s->bDiskFull ) return FAKT_FULL;    /* a larger map does not help: keep the message */
  rc = usedBytes(s, &nUsed, &nMap);
  if( rc ) return rc;
  if( nMap>=s->nMapMax ){
    setErr(s, "database is full (max size %llu bytes)", (unsigned long long)s->nMapMax);
    return FAKT_FULL;
  }
  nNew = nMap*2;
  if( nNew>s->nMapMax ) nNew = s->nMapMax;
  nFit = mapFit(nMap, nNew, MAP_KEEP);
  if( nFit<nNew ) s->bAsLimit = 1;
  if( nFit<=nMap ){
    setErr(s, "the address space limit (ulimit -v) kept the database map from growing past %llu bytes",
           (unsigned long long)nMap);
    return FAKT_FULL;
  }
  return setMap(s, nFit);
}

/* Another process grew the file past this handle's map (MDB_MAP_RESIZED;
** no txn of this handle open): map the used pages and as much again, or
** as much of that as the address space allows. */
static int adoptMap(FaktStore *s){
  uint64_t nUsed, nMap, nWant, nFit;
  int rc = usedBytes(s, &nUsed, &nMap);
  if( rc ) return rc;
  nUsed = roundUp(nUsed);
  nWant = nUsed*2>s->nMapMax ? (nUsed>s->nMapMax ? nUsed : s->nMapMax) : nUsed*2;
  if( nWant<nMap ) nWant = nMap;
  nFit = mapFit(nMap, nWant, 0);
  if( nFit<nUsed ) nFit = mapFit(nMap, nUsed, MAP_GRAIN);
  if( nFit<nUsed ){
    setErr(s, "the address space limit (ulimit -v) leaves no room to map the %llu bytes of the database",
           (unsigned long long)nUsed);
    return FAKT_NOMEM;
  }
  return setMap(s, nFit);
}

/* Free the reader slots of processes that died holding them (their
** snapshots would keep every page they saw from being reused). */
static void readerCheck(FaktStore *s){
  int nDead = 0;
  if( s->env && !s->bNoLock && !s->bMapLost ) mdb_reader_check(s->env, &nDead);
}

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
    setErr(s, "the database map was lost when it was resized: close the database and open it again");
    return FAKT_IOERR;
  }
  for(nTry=0; nTry<MAP_TRIES; nTry++){
    rc = mdb_txn_begin(s->env, NULL, flags, ppTxn);
    if( rc==MDB_READERS_FULL && !bChecked ){
      bChecked = 1;
      readerCheck(s);
      continue;
    }
    if( rc!=MDB_MAP_RESIZED ) break;
    if( s->nTxn ){
      setErr(s, "the database map was grown by another process: end open transactions and retry");
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

int faktStoreSetMaxSize(FaktStore *s, uint64_t nMax){
  if( s==NULL ) return FAKT_MISUSE;
  s->nMapMax = nMax ? roundDown(nMax) : MAP_LIMIT;
  if( s->nTxn==0 && !s->bReadonly ){
    uint64_t nUsed, nMap;
    int rc = usedBytes(s, &nUsed, &nMap);
    if( rc ) return rc;
    if( nMap>s->nMapMax ) return setMap(s, nUsed>s->nMapMax ? roundUp(nUsed) : s->nMapMax);
  }
  return FAKT_OK;
}

int faktStoreInfo(FaktStore *s, uint64_t *pnMapSize, uint64_t *pnUsed){
  uint64_t nUsed = 0, nMap = 0;
  int rc;
  if( s==NULL ) return FAKT_MISUSE;
  rc = usedBytes(s, &nUsed, &nMap);
  if( pnMapSize ) *pnMapSize = nMap;
  if( pnUsed ) *pnUsed = nUsed;
  return rc;
}

/* ================================================================ fakt's own locks */

/*
** Locks of fakt's own, beside LMDB's: byte ranges of the data file far past
** any data, locked with open-file-description locks (F_OFD_SETLK). Unlike
** POSIX record locks they belong to one open file, not to the process, so
** they conflict between two handles of one process too, and closing some
** other descriptor of the file does not drop them. LMDB itself locks only
** the lock file (its reader slots' pids), never the data file.
**   LK_WRITER       the writer lock: held by the handle whose top-level
**                   write transaction is open, so that a second writer
**                   waits with a timeout instead of in LMDB's mutex
**   LK_WPID + pid   beside it, the writing process's pid, for the message
**   LK_OPEN + pid   every handle, for as long as it is open: a second
**                   handle on the file in the same process is refused
*/
#define LK_BASE   ((off_t)1 << 62)
#define LK_PIDS   ((off_t)1 << 31)             /* room for any pid */
#define LK_WRITER LK_BASE
#define LK_WPID   (LK_BASE + ((off_t)1 << 32))
#define LK_OPEN   (LK_BASE + ((off_t)1 << 33))

/* One OFD lock call on fd: F_OFD_SETLK, or F_OFD_GETLK (*pFl then says
** who holds a conflicting lock). 0 or the errno. */
static int ofdLock(int fd, int cmd, short type, off_t start, off_t len, struct flock *pFl){
  struct flock fl;
  memset(&fl, 0, sizeof(fl));
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = start;
  fl.l_len = len;
  if( fcntl(fd, cmd, &fl)!=0 ) return errno;
  if( pFl ) *pFl = fl;
  return 0;
}

static int64_t monoMs(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec*1000 + ts.tv_nsec/1000000;
}

/*
** Take the writer lock, waiting up to s->nBusyMs (polling, with a backoff
** of 1 to 25 ms): FAKT_BUSY with the holder's pid when it stays taken.
** Without OFD locks (an old kernel, a file system without them) fakt
** falls back to LMDB's own mutex, which waits without a limit.
*/
static int writeLock(FaktStore *s){
  int64_t tEnd, tNow;
  int nSleep = 1, e;
  if( s->fdLock<0 || s->bWLocked ) return FAKT_OK;
  tEnd = monoMs() + (s->nBusyMs>0 ? s->nBusyMs : 0);
  for(;;){
    e = ofdLock(s->fdLock, F_OFD_SETLK, F_WRLCK, LK_WRITER, 1, NULL);
    if( e==0 ) break;
    if( e!=EAGAIN && e!=EACCES ) return FAKT_OK;       /* no OFD locks: LMDB's mutex */
    tNow = monoMs();
    if( tNow>=tEnd ){
      struct flock fl;
      char zPid[48] = "";
      memset(&fl, 0, sizeof(fl));
      if( ofdLock(s->fdLock, F_OFD_GETLK, F_WRLCK, LK_WPID, LK_PIDS, &fl)==0 && fl.l_type!=F_UNLCK ){
        snprintf(zPid, sizeof(zPid), " (pid %lld)", (long long)(fl.l_start - LK_WPID));
      }
      setErr(s, "database is locked: another %s%s is writing to %s (waited %d ms; "
             "fakt_busy_timeout() or .timeout sets how long)",
             zPid[0] ? "process" : "handle or process", zPid,
             s->zPath ? s->zPath : "it", s->nBusyMs>0 ? s->nBusyMs : 0);
      return FAKT_BUSY;
    }
    if( nSleep>tEnd - tNow ) nSleep = (int)(tEnd - tNow);
    struct timespec ts = { 0, (long)nSleep * 1000000L };
    nanosleep(&ts, NULL);
    if( nSleep<25 ) nSleep *= 2;
  }
  ofdLock(s->fdLock, F_OFD_SETLK, F_WRLCK, LK_WPID + getpid(), 1, NULL);
  s->bWLocked = 1;
  return FAKT_OK;
}

static void writeUnlock(FaktStore *s){
  if( !s->bWLocked ) return;
  ofdLock(s->fdLock, F_OFD_SETLK, F_UNLCK, LK_WPID + getpid(), 1, NULL);
  ofdLock(s->fdLock, F_OFD_SETLK, F_UNLCK, LK_WRITER, 1, NULL);
  s->bWLocked = 0;
}

/*
** Open the data file zReal for fakt's own locks and mark it open by this
** process: FAKT_MISUSE if another handle of this process has it open (a
** second LMDB environment on one file in one process would reset the
** first one's reader table and drop its locks when it closes). A handle
** that cannot open the file for writing marks it with a read lock, which
** only a writable handle of the same process sees.
*/
static int openLocks(FaktStore *s, const char *zReal, int bCreate){
  int bRw = 1, e;
  s->fdLock = open(zReal, O_RDWR | O_CLOEXEC | (bCreate ? O_CREAT : 0), 0644);
  if( s->fdLock<0 && !bCreate ){
    bRw = 0;
    s->fdLock = open(zReal, O_RDONLY | O_CLOEXEC);
  }
  if( s->fdLock<0 ) return FAKT_OK;         /* the open itself will say why */
  e = ofdLock(s->fdLock, F_OFD_SETLK, bRw ? F_WRLCK : F_RDLCK, LK_OPEN + getpid(), 1, NULL);
  if( e==EAGAIN || e==EACCES ){
    setErr(s, "database %s is already open in this process: share that handle "
           "(a second one on the same file would break LMDB's locks)", s->zPath ? s->zPath : zReal);
    return FAKT_MISUSE;
  }
  return FAKT_OK;
}

int faktStoreBusyTimeout(FaktStore *s, int nMs){
  if( s==NULL ) return FAKT_MISUSE;
  s->nBusyMs = nMs<0 ? 0 : nMs;
  return FAKT_OK;
}

static void txnUnlink(StoreTxn *t){
  FaktStore *s = t->s;
  if( t->pParent ){
    t->pParent->pChild = NULL;
    return;
  }
  StoreTxn **pp;
  for(pp=&s->pTxnList; *pp; pp=&(*pp)->pNextTxn){
    if( *pp==t ){ *pp = t->pNextTxn; break; }
  }
  s->nTxn--;
  if( s->pWriter==t ){
    s->pWriter = NULL;
    writeUnlock(s);
  }
}

static void nameCacheClear(NameCache *c);

int faktStoreBegin(FaktStore *s, int bWrite, StoreTxn **ppTxn){
  StoreTxn *t;
  MDB_txn *txn = NULL;
  int rc;
  *ppTxn = NULL;
  if( s==NULL ) return FAKT_MISUSE;
  if( bWrite && s->bReadonly ){
    setErr(s, "database is open read-only");
    return FAKT_READONLY;
  }
  if( bWrite && s->pWriter ){
    setErr(s, "a write transaction is already open on this database handle");
    return FAKT_BUSY;
  }
  if( bWrite ){
    rc = writeLock(s);
    if( rc ) return rc;
  }
  if( bWrite && s->nTxn==0 ){
    readerCheck(s);
    rc = maybeGrow(s);
    if( rc ){ writeUnlock(s); return rc; }
  }
  t = calloc(1, sizeof(*t));
  if( t==NULL ){
    if( bWrite ) writeUnlock(s);
    setErr(s, "out of memory");
    return FAKT_NOMEM;
  }
  if( !bWrite && s->pSpare ){
    txn = s->pSpare;
    s->pSpare = NULL;
    if( mdb_txn_renew(txn)!=MDB_SUCCESS ){   /* e.g. the map grew: begin anew */
      mdb_txn_abort(txn);
      txn = NULL;
    }
  }
  if( txn==NULL ){
    rc = beginTop(s, bWrite ? 0 : MDB_RDONLY, &txn);
    if( rc ){
      if( bWrite ) writeUnlock(s);
      free(t);
      return rc;
    }
  }
  t->s = s;
  t->txn = txn;
  t->bWrite = bWrite!=0;
  if( bWrite ){
    if( s->keptNames.nSlot && mdb_txn_id(txn)==s->keptTxnId + 1 ){
      t->names = s->keptNames;                  /* nobody committed since ours */
      memset(&s->keptNames, 0, sizeof(s->keptNames));
    }else{
      nameCacheClear(&s->keptNames);
    }
  }
  t->pNextTxn = s->pTxnList;
  s->pTxnList = t;
  s->nTxn++;
  if( bWrite ) s->pWriter = t;
  *ppTxn = t;
  return FAKT_OK;
}

int faktStoreBeginNested(StoreTxn *pParent, StoreTxn **ppTxn){
  StoreTxn *t;
  int rc;
  *ppTxn = NULL;
  rc = writable(pParent);
  if( rc ) return rc;
  t = calloc(1, sizeof(*t));
  if( t==NULL ){ setErr(pParent->s, "out of memory"); return FAKT_NOMEM; }
  rc = mdb_txn_begin(pParent->s->env, pParent->txn, 0, &t->txn);
  if( rc ){
    free(t);
    return xlate(pParent->s, rc, "begin nested transaction");
  }
  t->s = pParent->s;
  t->pParent = pParent;
  t->bWrite = 1;
  pParent->pChild = t;
  *ppTxn = t;
  return FAKT_OK;
}

int faktStoreIsWrite(StoreTxn *t){
  return t ? t->bWrite : 0;
}

static void nameCacheClear(NameCache *c){
  free(c->a);
  free(c->zBuf);
  free(c->aKind);
  memset(c, 0, sizeof(*c));
}

/* The kind of object id in c's id table, or -1. */
static int kindCacheFind(const NameCache *c, uint32_t id){
  if( c==NULL || id>=c->nKind || c->aKind[id]==0 ) return -1;
  return c->aKind[id] - 1;
}

#define KIND_CACHE_MAX ((size_t)1 << 26)   /* ids the kind table covers, at most */

/* Remember that object id is of kind k (no entry past KIND_CACHE_MAX, for
** a kind that does not fit a byte, or when out of memory). */
static void kindCacheAdd(NameCache *c, uint32_t id, int k){
  if( c==NULL || id>=KIND_CACHE_MAX || k<0 || k>=255 ) return;
  if( id>=c->nKind ){
    size_t nNew = c->nKind ? c->nKind : 4096;
    while( nNew<=id ) nNew *= 2;
    if( nNew>KIND_CACHE_MAX ) nNew = KIND_CACHE_MAX;
    uint8_t *a = realloc(c->aKind, nNew);
    if( a==NULL ) return;
    memset(a + c->nKind, 0, nNew - c->nKind);
    c->aKind = a;
    c->nKind = nNew;
  }
  c->aKind[id] = (uint8_t)(k + 1);
}

static NameCache *nameCacheOf(StoreTxn *t){
  t = txnRoot(t);
  return t->bWrite ? &t->names : NULL;
}

/* The slot hash of a name whose faktHash64 is h64: never 0. */
static uint32_t nameHash(uint64_t h64){
  uint32_t h = (uint32_t)h64;
  return h ? h : 1;
}

/* The entry of (h64, z, n), or NULL. */
static NameEnt *nameCacheFind(NameCache *c, uint64_t h64, const char *z, int n){
  uint32_t h = nameHash(h64);
  size_t nPre = n<NAME_INLINE ? (size_t)n : NAME_INLINE;
  if( c==NULL || c->nSlot==0 ) return NULL;
  for(size_t j=(size_t)h & (c->nSlot-1); c->a[j].h; j=(j+1) & (c->nSlot-1)){
    NameEnt *e = &c->a[j];
    if( e->h==h && e->n==(unsigned)n && memcmp(e->aPre, z, nPre)==0
     && (n<=NAME_INLINE || memcmp(c->zBuf + e->iOff, z + NAME_INLINE, (size_t)n - NAME_INLINE)==0) ){
      return e;
    }
  }
  return NULL;
}

/* Remember name -> id (kind -1: not known); the entry, or NULL when there
** is none (no cache, full, or out of memory, which only means no entry). */
static NameEnt *nameCacheAdd(NameCache *c, uint64_t h64, const char *z, int n, uint32_t id, int kind){
  uint32_t h = nameHash(h64);
  size_t nTail = n>NAME_INLINE ? (size_t)n - NAME_INLINE : 0;
  if( c==NULL || c->nUsed>=NAME_CACHE_MAX || n>255 ) return NULL;
  if( (c->nUsed+1)*4 > c->nSlot*3 ){
    size_t nNew = c->nSlot ? c->nSlot*2 : 4096;
    NameEnt *a = calloc(nNew, sizeof(NameEnt));
    if( a==NULL ) return NULL;
    for(size_t i=0; i<c->nSlot; i++){
      if( c->a[i].h==0 ) continue;
      size_t j = (size_t)c->a[i].h & (nNew-1);
      while( a[j].h ) j = (j+1) & (nNew-1);
      a[j] = c->a[i];
    }
    free(c->a);
    c->a = a;
    c->nSlot = nNew;
  }
  if( nTail && c->nBuf + nTail > c->nBufAlloc ){
    size_t nNew = c->nBufAlloc ? c->nBufAlloc*2 : 65536;
    while( nNew < c->nBuf + nTail ) nNew *= 2;
    if( nNew>UINT32_MAX ) return NULL;
    char *zNew = realloc(c->zBuf, nNew);
    if( zNew==NULL ) return NULL;
    c->zBuf = zNew;
    c->nBufAlloc = nNew;
  }
  size_t j = (size_t)h & (c->nSlot-1);
  while( c->a[j].h ) j = (j+1) & (c->nSlot-1);
  NameEnt *e = &c->a[j];
  memset(e, 0, sizeof(*e));
  e->h = h;
  e->id = id;
  e->iOff = (uint32_t)c->nBuf;
  e->n = (uint8_t)n;
  e->kind = (uint8_t)(kind<0 ? 0 : kind+1);
  memcpy(e->aPre, z, n<NAME_INLINE ? (size_t)n : NAME_INLINE);
  if( nTail ) memcpy(c->zBuf + c->nBuf, z + NAME_INLINE, nTail);
  c->nBuf += nTail;
  c->nUsed++;
  return e;
}

void faktStoreAbort(StoreTxn *t){
  if( t==NULL ) return;
  if( t->pChild ) faktStoreAbort(t->pChild);
  curFreeAll(t);
  pendClear(&t->pend);
  statTabClear(&t->stat);
  if( t->pParent ) t->pParent->pend.bInChild = 0;   /* still pending */
  nameCacheClear(&txnRoot(t)->names);                /* it may hold what t added */
  nameCacheClear(&t->names);
  if( t->bWrite ) mdb_txn_abort(t->txn); else readEnd(t->s, t->txn);
  txnUnlink(t);
  free(t);
}

int faktStoreCommit(StoreTxn *t){
  int rc;
  if( t==NULL ) return FAKT_MISUSE;
  if( t->pChild ){
    setErr(t->s, "commit while a nested transaction is open");
    faktStoreAbort(t);
    return FAKT_MISUSE;
  }
  if( t->rcErr ){
    rc = t->rcErr;
    faktStoreAbort(t);
    return rc;
  }
  if( t->bWrite && t->pParent ){
    /* the parent takes over the statistics deltas, once LMDB took the pages */
    StoreTxn *pParent = t->pParent;
    StatTab tab = t->stat;
    Pending pend = t->pend;
    uint64_t nWrite = t->nWrite;
    memset(&t->stat, 0, sizeof(t->stat));
    memset(&t->pend, 0, sizeof(t->pend));
    curFreeAll(t);
    rc = xlate(t->s, mdb_txn_commit(t->txn), "commit");
    txnUnlink(t);
    free(t);
    if( rc ){
      pParent->rcErr = rc;
    }else{
      if( pParent->pend.bInChild ) pendEmpty(&pParent->pend);   /* committed with the child */
      for(size_t i=0; i<pend.n && rc==FAKT_OK; i++){
        const PendEnt *e = &pend.a[i];
        const uint8_t *pK = pend.aByte + e->iOff;
        if( pendAppend(&pParent->pend, e->iDb, pK, e->nKey, pK + e->nKey, e->nVal) ){
          setErr(pParent->s, "out of memory");
          pParent->rcErr = rc = FAKT_NOMEM;
        }
      }
      pParent->nWrite += nWrite;
      for(size_t i=0; i<tab.nSlot; i++){
        if( tab.a[i].key && statTabAdd(&pParent->stat, tab.a[i].key, tab.a[i].delta) ){
          setErr(pParent->s, "out of memory");
          pParent->rcErr = rc = FAKT_NOMEM;
          break;
        }
      }
    }
    statTabClear(&tab);
    pendClear(&pend);
    return rc;
  }else if( t->bWrite ){
    rc = pendFlush(t);
    if( rc==FAKT_OK ) rc = statFlush(t);
    if( rc ){
      faktStoreAbort(t);
      return rc;
    }
  }
  statTabClear(&t->stat);
  pendClear(&t->pend);
  curFreeAll(t);
  int bBig = t->bWrite && t->nWrite>=COMMIT_DROP;
  FaktStore *s = t->s;
  if( t->bWrite ){
    size_t txnId = mdb_txn_id(t->txn);
    rc = xlate(t->s, mdb_txn_commit(t->txn), "commit");
    nameCacheClear(&s->keptNames);
    if( rc==FAKT_OK ){
      s->keptNames = t->names;                  /* for the next write txn */
      s->keptTxnId = txnId;
      memset(&t->names, 0, sizeof(t->names));
    }
    nameCacheClear(&t->names);
  }else{
    readEnd(s, t->txn);
    rc = FAKT_OK;
  }
  txnUnlink(t);
  free(t);
  /* a bulk load reads much of the file through the map: let those pages
  ** go from the resident set (they stay in the page cache) */
  if( bBig && rc==FAKT_OK ) dropMapped(mapPointer(s->env));
  return rc;
}

/* ================================================================ meta */

int faktStoreSnapshot(StoreTxn *t, uint64_t aSnap[2]){
  if( t==NULL || t->bWrite ) return 0;
  aSnap[0] = (uint64_t)mdb_txn_id(t->txn);
  aSnap[1] = t->s->nRemap;
  return 1;
}

uint32_t faktStoreLastTx(StoreTxn *t){
  uint32_t v = 0;
  if( t==NULL || metaGetU32(t, "last_tx", &v) ) return 0;
  return v;
}

int faktStoreNewId(StoreTxn *t, uint32_t *pId){
  uint32_t v;
  int rc = writable(t);
  if( rc ) return rc;
  rc = metaGetU32(t, "next_id", &v);
  if( rc==FAKT_NOTFOUND ){ setErr(t->s, "meta record next_id is missing"); rc = FAKT_CORRUPT; }
  if( rc ) return rc;
  if( v>=FAKT_GEN_BIT-1 ){ setErr(t->s, "out of ids"); return FAKT_FULL; }
  rc = metaPutU32(t, "next_id", v+1);
  if( rc ) return rc;
  *pId = v;
  return FAKT_OK;
}

/* meta next_gen: the N of the next generated claim _cN. */
static int nextGen(StoreTxn *t, uint32_t *pN){
  int rc = metaGetU32(t, "next_gen", pN);
  if( rc==FAKT_NOTFOUND ){ setErr(t->s, "meta record next_gen is missing"); rc = FAKT_CORRUPT; }
  if( rc==FAKT_OK && (*pN==0 || *pN>FAKT_GEN_BIT) ){
    setErr(t->s, "meta record next_gen is damaged"); rc = FAKT_CORRUPT;
  }
  return rc;
}

int faktStoreNewGenId(StoreTxn *t, uint32_t *pId){
  uint32_t n;
  int rc = writable(t);
  if( rc ) return rc;
  rc = nextGen(t, &n);
  if( rc ) return rc;
  if( n==FAKT_GEN_BIT ){ setErr(t->s, "out of generated claim ids"); return FAKT_FULL; }
  rc = metaPutU32(t, "next_gen", n+1);
  if( rc ) return rc;
  *pId = FAKT_GEN_BIT | n;
  return FAKT_OK;
}

int faktGenParse(const char *z, int n, uint32_t *pId){
  uint32_t v = 0;
  int i;
  if( n<3 || n>12 || z[0]!='_' || z[1]!='c' || z[2]<'1' || z[2]>'9' ) return 0;
  for(i=2; i<n; i++){
    if( z[i]<'0' || z[i]>'9' ) return 0;
    if( v > (FAKT_GEN_BIT-1 - (uint32_t)(z[i]-'0'))/10 ) return 0;   /* past 2^31-1 */
    v = v*10 + (uint32_t)(z[i]-'0');
  }
  *pId = FAKT_GEN_BIT | v;
  return 1;
}

int faktIdName(StoreTxn *t, uint32_t id, char aBuf[FAKT_GEN_NAME], const char **pz, int *pn){
  if( id & FAKT_GEN_BIT ){
    if( id==FAKT_GEN_BIT ) return FAKT_NOTFOUND;
    /* "_c" and the decimal number (a row shows many: no snprintf) */
    char aDig[10];
    uint32_t v = id & ~FAKT_GEN_BIT;
    int nDig = 0, n = 0;
    do{ aDig[nDig++] = (char)('0' + v%10); v /= 10; }while( v );
    aBuf[n++] = '_';
    aBuf[n++] = 'c';
    while( nDig ) aBuf[n++] = aDig[--nDig];
    aBuf[n] = 0;
    *pn = n;
    *pz = aBuf;
    return FAKT_OK;
  }
  int ns;
  return faktDictText(t, id, &ns, pz, pn);
}

#define TXREC_LEN 20   /* tMicros 8, nAdded 4, nRetracted 4, nOther 4 (BE) */

int faktStoreLogTx(StoreTxn *t, const TxRec *pRec, uint32_t *pTx){
  uint8_t k[4], v[TXREC_LEN];
  uint32_t tx = 0;
  int rc = writable(t);
  if( rc ) return rc;
  rc = metaGetU32(t, "last_tx", &tx);
  if( rc==FAKT_NOTFOUND ){ tx = 0; rc = FAKT_OK; }
  if( rc ) return rc;
  if( tx>=STORE_TX_MAX ){
    /* a wrapped id would put new claims before every old one and hide them */
    setErr(t->s, "transaction ids are exhausted: the last is %u, and ids never wrap;"
           " copy the claims into a new database with .export and .import", tx);
    return FAKT_FULL;
  }
  tx++;
  faktEncU32(k, tx);
  faktEncU64(v, (uint64_t)pRec->tMicros);
  faktEncU32(v+8, pRec->nAdded);
  faktEncU32(v+12, pRec->nRetracted);
  faktEncU32(v+16, pRec->nOther);
  rc = dbPut(t, DB_TXLOG, k, 4, v, TXREC_LEN, 0);
  if( rc==FAKT_OK ) rc = metaPutU32(t, "last_tx", tx);
  if( rc==FAKT_OK && pTx ) *pTx = tx;
  return rc;
}

int faktStoreGetTx(StoreTxn *t, uint32_t tx, TxRec *pRec){
  uint8_t k[4];
  MDB_val v;
  int rc;
  if( t==NULL ) return FAKT_MISUSE;
  faktEncU32(k, tx);
  rc = dbGet(t, DB_TXLOG, k, 4, &v);
  if( rc ) return rc;
  if( v.mv_size!=TXREC_LEN ){ setErr(t->s, "txlog record %u is damaged", tx); return FAKT_CORRUPT; }
  pRec->tMicros = (int64_t)faktDecU64(v.mv_data);
  pRec->nAdded = faktDecU32((const uint8_t*)v.mv_data + 8);
  pRec->nRetracted = faktDecU32((const uint8_t*)v.mv_data + 12);
  pRec->nOther = faktDecU32((const uint8_t*)v.mv_data + 16);
  return FAKT_OK;
}

/* ================================================================ dictionary */

/*
** s2i keys (format 7): a text of at most S2I_TEXT bytes is its own key,
** ns + the bytes, so a lookup is one read and compares nothing more. A
** longer text is keyed by ns|0x80 + hash64 (8, BE); the key holds every
** id whose text hashes alike (DUPSORT), and a lookup compares each one's
** text through i2s. Returns the key's length; a holds S2I_KEYMAX bytes.
*/
#define S2I_TEXT    64
#define S2I_KEYMAX  (1 + S2I_TEXT)
static size_t s2iKey(uint8_t *a, int ns, const char *z, size_t n){
  if( n<=S2I_TEXT ){
    a[0] = (uint8_t)ns;
    if( n ) memcpy(a+1, z, n);
    return 1 + n;
  }
  a[0] = (uint8_t)(ns | 0x80);
  faktEncU64(a+1, faktHash64(z, n));
  return 9;
}

/*
** i2s (format 7): the texts of I2S_SLOTS consecutive ids share one record,
** keyed by id >> I2S_SHIFT (native, MDB_INTEGERKEY). One record per id
** cost 14 bytes of LMDB node, key and pointer for a name of 8, and a
** random read searched a leaf of 180 keys; a block is 2 bytes per id, and
** the tree is 64 times smaller. The value:
**   nSlot(1)  end offsets u16 BE [nSlot]  entries
** Slot i is the id (key << I2S_SHIFT) + i; its entry is the bytes from the
** end of entry i-1 (or the start of the entries) to end[i], empty when the
** id has no text. An entry is ns(1) + text; a text longer than I2S_INLINE
** bytes is out of line: the entry is the one byte ns|0x80, and the key
** I2S_LONG|id holds ns + text. Ids are handed out in order, so interning
** appends to the last block, which is rewritten each time.
*/
#define I2S_SHIFT   FAKT_DICT_SHIFT
#define I2S_SLOTS   (1u << I2S_SHIFT)
#define I2S_INLINE  120
#define I2S_LONG    0x80000000u
#define I2S_MAXREC  (1 + 2*I2S_SLOTS + I2S_SLOTS*(1 + I2S_INLINE))

/* Entry iSlot of the block a (n bytes): FAKT_OK with *ppE and *pnE (*pnE 0 when
** the slot is empty), or FAKT_CORRUPT when the block is malformed. */
static int i2sEntry(const uint8_t *a, size_t n, unsigned iSlot, const uint8_t **ppE, size_t *pnE){
  size_t nHdr, iStart, iEnd;
  *ppE = NULL; *pnE = 0;
  if( n<3 || a[0]==0 || a[0]>I2S_SLOTS ) return FAKT_CORRUPT;
  nHdr = 1 + 2*(size_t)a[0];
  if( nHdr>n ) return FAKT_CORRUPT;
  if( iSlot>=a[0] ) return FAKT_OK;
  iStart = iSlot ? ((size_t)a[2*iSlot-1]<<8 | a[2*iSlot]) : 0;
  iEnd = (size_t)a[2*iSlot+1]<<8 | a[2*iSlot+2];
  if( iStart>iEnd || iEnd>n-nHdr ) return FAKT_CORRUPT;
  *ppE = a + nHdr + iStart;
  *pnE = iEnd - iStart;
  return FAKT_OK;
}

int faktDictBlock(StoreTxn *t, uint32_t id, const uint8_t **pa, size_t *pn){
  uint8_t k[4];
  MDB_val v;
  int rc;
  if( t==NULL ) return FAKT_MISUSE;
  if( id & FAKT_GEN_BIT ) return FAKT_NOTFOUND;      /* generated claims: faktIdName */
  idKey(k, id >> I2S_SHIFT);
  rc = dbGet(t, DB_I2S, k, 4, &v);
  if( rc ) return rc;
  *pa = v.mv_data;
  *pn = v.mv_size;
  return FAKT_OK;
}

uint64_t faktDictRecords(StoreTxn *t){
  MDB_stat st;
  if( t==NULL || mdb_stat(t->txn, t->s->aDbi[DB_I2S], &st) ) return 0;
  return st.ms_entries;
}

int faktDictBlockWalk(StoreTxn *t, void *pArg,
                      int (*xBlock)(void*, uint32_t iBlk, const uint8_t *a, size_t n)){
  StoreCursor *c;
  const uint8_t *aK, *aV;
  int nK, nV, rc;
  if( t==NULL ) return FAKT_MISUSE;
  rc = curAcquire(t, DB_I2S, NULL, 0, &c);
  if( rc ) return rc;
  while( (rc = faktAuxNext(c, &aK, &nK, &aV, &nV))==FAKT_ROW ){
    uint32_t k;
    if( nK!=4 ){ rc = FAKT_CORRUPT; break; }
    memcpy(&k, aK, 4);
    if( k & I2S_LONG ){ rc = FAKT_DONE; break; }     /* the long texts sort last */
    if( xBlock(pArg, k, aV, (size_t)nV) ){ rc = FAKT_DONE; break; }
  }
  faktCursorClose(c);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

const uint8_t *faktDictBlockEntry(const uint8_t *a, size_t nA, uint32_t id){
  const uint8_t *e;
  size_t nE;
  if( i2sEntry(a, nA, id & (I2S_SLOTS-1), &e, &nE) || nE==0 ) return NULL;
  return e;
}

int faktDictBlockText(StoreTxn *t, const uint8_t *a, size_t nA, uint32_t id,
                      int *pNs, const char **pz, int *pn){
  uint8_t k[4];
  MDB_val v;
  const uint8_t *e;
  size_t nE;
  int rc;
  if( i2sEntry(a, nA, id & (I2S_SLOTS-1), &e, &nE) ) goto damaged;
  if( nE==0 ) return FAKT_NOTFOUND;
  if( e[0] & 0x80 ){
    if( nE!=1 ) goto damaged;
    idKey(k, I2S_LONG | id);
    rc = dbGet(t, DB_I2S, k, 4, &v);
    if( rc==FAKT_NOTFOUND ) goto damaged;
    if( rc ) return rc;
    if( v.mv_size<1 || ((const uint8_t*)v.mv_data)[0]!=(e[0] & 0x7f) ) goto damaged;
    e = v.mv_data;
    nE = v.mv_size;
  }
  if( pNs ) *pNs = e[0];
  if( pz ) *pz = (const char*)e + 1;
  if( pn ) *pn = (int)(nE - 1);
  return FAKT_OK;
damaged:
  setErr(t->s, "dictionary entry %u is damaged", id);
  return FAKT_CORRUPT;
}

int faktDictText(StoreTxn *t, uint32_t id, int *pNs, const char **pz, int *pn){
  const uint8_t *a;
  size_t nA;
  int rc = faktDictBlock(t, id, &a, &nA);
  if( rc ) return rc;
  return faktDictBlockText(t, a, nA, id, pNs, pz, pn);
}

/* Give the new id its text: it goes after every id of its block, which
** is the last one (see faktStoreNewId). */
static int i2sAppend(StoreTxn *t, uint32_t id, int ns, const char *z, int n){
  uint8_t k[4], aRec[I2S_MAXREC], *pOut;
  unsigned iSlot = id & (I2S_SLOTS-1), nOld = 0, i;
  size_t nEnt = 0, nHdr, nNew;
  const uint8_t *aOld = NULL, *e;
  MDB_val v;
  int rc, bLong = n>I2S_INLINE;
  if( bLong ){
    idKey(k, I2S_LONG | id);
    rc = dbReserve(t, DB_I2S, k, 4, (size_t)n + 1, &pOut);
    if( rc ) return rc;
    pOut[0] = (uint8_t)ns;
    memcpy(pOut+1, z, (size_t)n);
  }
  idKey(k, id >> I2S_SHIFT);
  rc = dbGet(t, DB_I2S, k, 4, &v);
  if( rc==FAKT_OK ){
    aOld = v.mv_data;
    if( i2sEntry(aOld, v.mv_size, 0, &e, &nEnt) ) goto damaged;
    nOld = aOld[0];
    nEnt = v.mv_size - 1 - 2*(size_t)nOld;
    if( nEnt>I2S_SLOTS*(1 + I2S_INLINE) ) goto damaged;
    if( iSlot<nOld ){
      setErr(t->s, "dictionary block %u already holds id %u (next_id is damaged)", id >> I2S_SHIFT, id);
      return FAKT_CORRUPT;
    }
  }else if( rc!=FAKT_NOTFOUND ){
    return rc;
  }
  /* the old ends, empty slots up to the new id, its end, the old entries
  ** and the new one */
  aRec[0] = (uint8_t)(iSlot + 1);
  nHdr = 1 + 2*(size_t)(iSlot + 1);
  if( nOld ) memcpy(aRec+1, aOld+1, 2*(size_t)nOld);
  for(i=nOld; i<iSlot; i++){ aRec[1+2*i] = (uint8_t)(nEnt>>8); aRec[2+2*i] = (uint8_t)nEnt; }
  if( nEnt ) memcpy(aRec+nHdr, aOld + 1 + 2*(size_t)nOld, nEnt);
  pOut = aRec + nHdr + nEnt;
  if( bLong ){
    pOut[0] = (uint8_t)(ns | 0x80);
    nNew = nEnt + 1;
  }else{
    pOut[0] = (uint8_t)ns;
    if( n ) memcpy(pOut+1, z, (size_t)n);
    nNew = nEnt + 1 + (size_t)n;
  }
  aRec[1+2*iSlot] = (uint8_t)(nNew>>8);
  aRec[2+2*iSlot] = (uint8_t)nNew;
  /* delete and append: a replaced record that outgrows its page would
  ** split it in half, leaving the full blocks before it half a page */
  if( aOld && (rc = dbDel(t, DB_I2S, k, 4))!=FAKT_OK ) return rc;
  rc = dbReserve(t, DB_I2S, k, 4, nHdr + nNew, &pOut);
  if( rc ) return rc;
  memcpy(pOut, aRec, nHdr + nNew);
  return FAKT_OK;
damaged:
  setErr(t->s, "dictionary block %u is damaged", id >> I2S_SHIFT);
  return FAKT_CORRUPT;
}

/* faktDictLookup; *ppEnt is the name cache's entry for a found NS_NAME
** name (NULL when not cached), for faktDictLookupKind. */
static int dictLookup(StoreTxn *t, int ns, const char *z, int n, uint32_t *pId, NameEnt **ppEnt){
  uint8_t k[S2I_KEYMAX];
  size_t nK;
  StoreCursor *c;
  MDB_val key, val;
  int rc;
  if( t==NULL || (z==NULL && n>0) ) return FAKT_MISUSE;
  if( n<0 ) n = (int)strlen(z);
  *ppEnt = NULL;
  if( ns==NS_NAME && faktGenParse(z, n, pId) ){
    uint8_t a[4];
    idKey(a, *pId);
    rc = dbGet(t, DB_OBJ, a, 4, &val);
    return rc==FAKT_OK ? FAKT_OK : rc;
  }
  if( t->pChild ){ setErr(t->s, "transaction used while a nested transaction is open"); return FAKT_MISUSE; }
  uint64_t h = faktHash64(z, (size_t)n);
  NameCache *pNames = ns==NS_NAME ? nameCacheOf(t) : NULL;
  NameEnt *e = nameCacheFind(pNames, h, z, n);
  if( e ){ *pId = e->id; *ppEnt = e; return FAKT_OK; }
  nK = s2iKey(k, ns, z, (size_t)n);
  if( (k[0] & 0x80)==0 ){                 /* the text is the key */
    rc = dbGet(t, DB_S2I, k, nK, &val);
    if( rc ) return rc;
    if( val.mv_size!=4 ){ setErr(t->s, "s2i entry of \"%.*s\" is damaged", n, z); return FAKT_CORRUPT; }
    *pId = faktDecU32((const uint8_t*)val.mv_data);
    *ppEnt = nameCacheAdd(pNames, h, z, n, *pId, -1);
    return FAKT_OK;
  }
  rc = curAcquire(t, DB_S2I, k, 9, &c);
  if( rc ) return rc;
  key.mv_data = k; key.mv_size = 9;
  rc = mdb_cursor_get(c->mc, &key, &val, MDB_SET);
  while( rc==MDB_SUCCESS ){
    int ns2, n2;
    const char *z2;
    uint32_t id;
    if( val.mv_size!=4 ){ rc = MDB_CORRUPTED; break; }
    id = faktDecU32((const uint8_t*)val.mv_data);
    if( faktDictText(t, id, &ns2, &z2, &n2)==FAKT_OK && ns2==ns && n2==n && memcmp(z2, z, (size_t)n)==0 ){
      *pId = id;
      faktCursorClose(c);
      *ppEnt = nameCacheAdd(pNames, h, z, n, id, -1);
      return FAKT_OK;
    }
    rc = mdb_cursor_get(c->mc, &key, &val, MDB_NEXT_DUP);
  }
  faktCursorClose(c);
  if( rc==MDB_NOTFOUND ) return FAKT_NOTFOUND;
  return xlate(t->s, rc, "s2i");
}

int faktDictLookup(StoreTxn *t, int ns, const char *z, int n, uint32_t *pId){
  NameEnt *e;
  return dictLookup(t, ns, z, n, pId, &e);
}

int faktDictIntern(StoreTxn *t, int ns, const char *z, int n, uint32_t *pId){
  uint8_t k[S2I_KEYMAX], a[4];
  size_t nK;
  uint32_t id;
  int rc;
  if( t==NULL || (z==NULL && n>0) ) return FAKT_MISUSE;
  if( n<0 ) n = (int)strlen(z);
  if( ns==NS_NAME && faktGenParse(z, n, &id) ){
    uint32_t next;
    rc = writable(t);
    if( rc==FAKT_OK ) rc = nextGen(t, &next);
    if( rc==FAKT_OK && (id & ~FAKT_GEN_BIT)>=next ){
      rc = metaPutU32(t, "next_gen", (id & ~FAKT_GEN_BIT) + 1);
    }
    if( rc==FAKT_OK ) *pId = id;
    return rc;
  }
  rc = faktDictLookup(t, ns, z, n, pId);
  if( rc!=FAKT_NOTFOUND ) return rc;
  rc = faktStoreNewId(t, &id);
  if( rc ) return rc;
  rc = i2sAppend(t, id, ns, z, n);
  if( rc ) return rc;
  nK = s2iKey(k, ns, z, (size_t)n);
  faktEncU32(a, id);                     /* s2i values stay big-endian */
  rc = dbPut(t, DB_S2I, k, nK, a, 4, 0);
  if( rc ) return rc;
  *pId = id;
  if( ns==NS_NAME ) nameCacheAdd(nameCacheOf(t), faktHash64(z, (size_t)n), z, n, id, -1);
  return FAKT_OK;
}

int faktDictLookupKind(StoreTxn *t, const char *z, int n, uint32_t *pId, int *pKind){
  if( t==NULL || (z==NULL && n>0) ) return FAKT_MISUSE;
  if( n<0 ) n = (int)strlen(z);
  NameEnt *e;
  int rc = dictLookup(t, NS_NAME, z, n, pId, &e);
  if( rc ) return rc;
  /* e is in the cache of t's root */
  if( e && e->kind ){ *pKind = e->kind - 1; return FAKT_OK; }
  rc = faktObjGetKind(t, *pId, pKind);
  if( rc==FAKT_OK && e && *pKind>=0 && *pKind<255 ){
    e->kind = (uint8_t)(*pKind + 1);           /* a kind, once there, stays */
  }
  return rc;
}

/* ================================================================ object records */
/*
** obj values start with the kind byte; integers are big-endian, doubles
** IEEE-754 bits big-endian.
**
** Entity-like (kind != K_CLAIM), ENT_FIXED bytes + 4 per alias:
**   0 kind  1 type4  5 label4  9 bCoords1  10 lat8  18 lon8  26 outlet4
**   30 published8  38 textHash8  46 flags4  50 objType1  51 nAlias1
**   52 alias ids 4*nAlias
** Claim (kind K_CLAIM), varints (LEB128) in this order (format 6):
**   kind1 flags1 s p o-tag1 o-payload(varint for ids and strings, else 8
**   bytes) stance txAdd txRet, then as the flags say: unit source by
**   holds until said, [spanStart, spanEnd-spanStart, quote length],
**   [nVia1, via ids], and last the quote's bytes (UTF-8, not
**   NUL-terminated), which must end the record exactly.
**   A quote length of 0 means the quote is the span's bytes in the source's
**   stored text, shared, not copied (format 6): in the corpus and the
**   benchmark nearly every quote is, and copies were a third of the file.
**   A quote that differs from its span (other whitespace) is copied here.
**   The proposition id is not stored: faktClaimProp computes it from s, p, o.
*/
#define ENT_FIXED   52
#define ENT_ALIAS_MAX ((int)(sizeof(((EntRec*)0)->aAlias)/sizeof(uint32_t)))
#define CLAIM_VIA_MAX ((int)(sizeof(((ClaimRec*)0)->aVia)/sizeof(uint32_t)))
/* the alias count is one byte: every count it can hold fits EntRec.aAlias */
_Static_assert(sizeof(((EntRec*)0)->aAlias)/sizeof(uint32_t)==255, "alias count is one byte");

static size_t entEncode(const EntRec *r, uint8_t *a){
  uint32_t i;
  a[0] = r->kind;
  faktEncU32(a+1, r->type);
  faktEncU32(a+5, r->label);
  a[9] = r->bCoords ? 1 : 0;
  encDouble(a+10, r->bCoords ? r->lat : 0.0);
  encDouble(a+18, r->bCoords ? r->lon : 0.0);
  faktEncU32(a+26, r->outlet);
  faktEncU64(a+30, r->published);
  faktEncU64(a+38, r->textHash);
  faktEncU32(a+46, r->flags);
  a[50] = r->objType;
  a[51] = (uint8_t)r->nAlias;
  for(i=0; i<r->nAlias; i++) faktEncU32(a + ENT_FIXED + 4*i, r->aAlias[i]);
  return ENT_FIXED + 4*(size_t)r->nAlias;
}

static int entDecode(const uint8_t *a, size_t n, EntRec *r){
  uint32_t i;
  memset(r, 0, sizeof(*r));
  if( n<ENT_FIXED || a[0]==K_CLAIM || n!=ENT_FIXED + 4*(size_t)a[51] ){
    return FAKT_CORRUPT;
  }
  r->kind = a[0];
  r->type = faktDecU32(a+1);
  r->label = faktDecU32(a+5);
  r->bCoords = a[9];
  r->lat = decDouble(a+10);
  r->lon = decDouble(a+18);
  r->outlet = faktDecU32(a+26);
  r->published = faktDecU64(a+30);
  r->textHash = faktDecU64(a+38);
  r->flags = faktDecU32(a+46);
  r->objType = a[50];
  r->nAlias = a[51];
  for(i=0; i<r->nAlias; i++) r->aAlias[i] = faktDecU32(a + ENT_FIXED + 4*i);
  return FAKT_OK;
}

/*
** Claim records are varints (format 5): small ids, transactions and dates
** take one to five bytes instead of four or eight, and absent options take
** none. See the comment above for the order.
*/
#define CF_UNIT   0x01
#define CF_SOURCE 0x02
#define CF_BY     0x04
#define CF_HOLDS  0x08
#define CF_UNTIL  0x10
#define CF_SAID   0x20
#define CF_QUOTE  0x40
#define CF_VIA    0x80

static size_t varLen(uint64_t v){
  size_t n = 1;
  while( v>=0x80 ){ v >>= 7; n++; }
  return n;
}
static uint8_t *varPut(uint8_t *p, uint64_t v){
  while( v>=0x80 ){ *p++ = (uint8_t)(v | 0x80); v >>= 7; }
  *p++ = (uint8_t)v;
  return p;
}
/* A varint of at most nMax bytes from p (before pEnd), or NULL. */
static const uint8_t *varGet(const uint8_t *p, const uint8_t *pEnd, int nMax, uint64_t *pv){
  uint64_t v = 0;
  for(int i=0; i<nMax && p<pEnd; i++){
    uint8_t c = *p++;
    v |= (uint64_t)(c & 0x7f) << (7*i);
    if( (c & 0x80)==0 ){ *pv = v; return p; }
  }
  return NULL;
}
static const uint8_t *var32(const uint8_t *p, const uint8_t *pEnd, uint32_t *pv){
  uint64_t v = 0;
  p = varGet(p, pEnd, 5, &v);
  if( p==NULL || v>0xFFFFFFFFu ) return NULL;
  *pv = (uint32_t)v;
  return p;
}

/* The object's payload as a varint for ids and strings, else 8 raw bytes. */
static int objCompact(const uint8_t *o){ return o[0]==T_ID || o[0]==T_STR; }

static uint8_t claimFlags(const ClaimRec *r){
  return (uint8_t)((r->unit ? CF_UNIT : 0) | (r->source ? CF_SOURCE : 0) | (r->by ? CF_BY : 0)
      | (r->holds ? CF_HOLDS : 0) | (r->until ? CF_UNTIL : 0) | (r->said ? CF_SAID : 0)
      | (r->quote ? CF_QUOTE : 0) | (r->nVia ? CF_VIA : 0));
}

/* Bytes claimEncode needs for r. */
static size_t claimSize(const ClaimRec *r){
  size_t n = 2 + varLen(r->s) + varLen(r->p) + 1;
  n += objCompact(r->o) ? varLen(faktDecU64(r->o+1)) : 8;
  n += varLen(r->stance) + varLen(r->txAdd) + varLen(r->txRet);
  if( r->unit ) n += varLen(r->unit);
  if( r->source ) n += varLen(r->source);
  if( r->by ) n += varLen(r->by);
  if( r->holds ) n += varLen(r->holds);
  if( r->until ) n += varLen(r->until);
  if( r->said ) n += varLen(r->said);
  if( r->quote ){
    n += varLen(r->spanStart) + varLen(r->spanEnd - r->spanStart);
    n += r->bQuoteRef ? 1 : varLen(r->quote) + r->quote;
  }
  if( r->nVia ){
    n += 1;
    for(uint32_t i=0; i<r->nVia; i++) n += varLen(r->aVia[i]);
  }
  return n;
}

static size_t claimEncode(const ClaimRec *r, uint8_t *a){
  uint8_t *p = a;
  *p++ = K_CLAIM;
  *p++ = claimFlags(r);
  p = varPut(p, r->s);
  p = varPut(p, r->p);
  *p++ = r->o[0];
  if( objCompact(r->o) ){ p = varPut(p, faktDecU64(r->o+1)); }else{ memcpy(p, r->o+1, 8); p += 8; }
  p = varPut(p, r->stance);
  p = varPut(p, r->txAdd);
  p = varPut(p, r->txRet);
  if( r->unit ) p = varPut(p, r->unit);
  if( r->source ) p = varPut(p, r->source);
  if( r->by ) p = varPut(p, r->by);
  if( r->holds ) p = varPut(p, r->holds);
  if( r->until ) p = varPut(p, r->until);
  if( r->said ) p = varPut(p, r->said);
  if( r->quote ){
    p = varPut(p, r->spanStart);
    p = varPut(p, r->spanEnd - r->spanStart);
    p = varPut(p, r->bQuoteRef ? 0 : r->quote);
  }
  if( r->nVia ){
    *p++ = (uint8_t)r->nVia;
    for(uint32_t i=0; i<r->nVia; i++) p = varPut(p, r->aVia[i]);
  }
  if( r->quote && !r->bQuoteRef ){ memcpy(p, r->zQuote, r->quote); p += r->quote; }
  return (size_t)(p - a);
}

/* Decode a claim record; FAKT_CORRUPT for anything that does not parse to
** exactly n bytes (never reads past a+n). */
static int claimDecode(const uint8_t *a, size_t n, ClaimRec *r){
  const uint8_t *p = a, *pEnd = a + n;
  uint64_t v = 0;
  memset(r, 0, sizeof(*r));
  if( n<2 || a[0]!=K_CLAIM ) return FAKT_CORRUPT;
  uint8_t fl = a[1];
  p += 2;
  if( (p = var32(p, pEnd, &r->s))==NULL ) return FAKT_CORRUPT;
  if( (p = var32(p, pEnd, &r->p))==NULL ) return FAKT_CORRUPT;
  if( p>=pEnd ) return FAKT_CORRUPT;
  r->o[0] = *p++;
  if( objCompact(r->o) ){
    if( (p = varGet(p, pEnd, 10, &v))==NULL ) return FAKT_CORRUPT;
    faktEncU64(r->o+1, v);
  }else{
    if( pEnd-p<8 ) return FAKT_CORRUPT;
    memcpy(r->o+1, p, 8); p += 8;
  }
  if( (p = var32(p, pEnd, &r->stance))==NULL ) return FAKT_CORRUPT;
  if( (p = var32(p, pEnd, &r->txAdd))==NULL ) return FAKT_CORRUPT;
  if( (p = var32(p, pEnd, &r->txRet))==NULL ) return FAKT_CORRUPT;
  if( (fl & CF_UNIT) && (p = var32(p, pEnd, &r->unit))==NULL ) return FAKT_CORRUPT;
  if( (fl & CF_SOURCE) && (p = var32(p, pEnd, &r->source))==NULL ) return FAKT_CORRUPT;
  if( (fl & CF_BY) && (p = var32(p, pEnd, &r->by))==NULL ) return FAKT_CORRUPT;
  if( (fl & CF_HOLDS) && (p = varGet(p, pEnd, 10, &r->holds))==NULL ) return FAKT_CORRUPT;
  if( (fl & CF_UNTIL) && (p = varGet(p, pEnd, 10, &r->until))==NULL ) return FAKT_CORRUPT;
  if( (fl & CF_SAID) && (p = varGet(p, pEnd, 10, &r->said))==NULL ) return FAKT_CORRUPT;
  uint32_t nCopy = 0;                   /* bytes of the quote at the end */
  if( fl & CF_QUOTE ){
    uint32_t nSpan = 0;
    if( (p = var32(p, pEnd, &r->spanStart))==NULL ) return FAKT_CORRUPT;
    if( (p = var32(p, pEnd, &nSpan))==NULL || nSpan > 0xFFFFFFFFu - r->spanStart ) return FAKT_CORRUPT;
    r->spanEnd = r->spanStart + nSpan;
    if( (p = var32(p, pEnd, &nCopy))==NULL ) return FAKT_CORRUPT;
    if( nCopy ){
      r->quote = nCopy;
    }else{
      if( nSpan==0 ) return FAKT_CORRUPT;   /* a shared quote is never empty */
      r->quote = nSpan;
      r->bQuoteRef = 1;
    }
  }
  if( fl & CF_VIA ){
    if( p>=pEnd ) return FAKT_CORRUPT;
    r->nVia = *p++;
    if( r->nVia==0 || r->nVia>(uint32_t)CLAIM_VIA_MAX ) return FAKT_CORRUPT;
    for(uint32_t i=0; i<r->nVia; i++){
      if( (p = var32(p, pEnd, &r->aVia[i]))==NULL ) return FAKT_CORRUPT;
    }
  }
  if( (size_t)(pEnd-p)!=nCopy ) return FAKT_CORRUPT;
  r->zQuote = nCopy ? (const char*)p : NULL;
  return FAKT_OK;
}

int faktObjGetKind(StoreTxn *t, uint32_t id, int *pKind){
  uint8_t k[4];
  MDB_val v;
  int rc;
  if( t==NULL ) return FAKT_MISUSE;
  /* a write txn remembers the kinds of objects other than claims: a loader
  ** binding ids asks for the same entities' kinds claim after claim */
  NameCache *c = (id & FAKT_GEN_BIT) ? NULL : nameCacheOf(t);
  int kind = kindCacheFind(c, id);
  if( kind>=0 ){ *pKind = kind; return FAKT_OK; }
  idKey(k, id);
  rc = dbGet(t, DB_OBJ, k, 4, &v);
  if( rc ) return rc;
  if( v.mv_size<1 ){ setErr(t->s, "object %u is damaged", id); return FAKT_CORRUPT; }
  *pKind = ((const uint8_t*)v.mv_data)[0];
  if( c && *pKind!=K_CLAIM ) kindCacheAdd(c, id, *pKind);
  return FAKT_OK;
}

int faktEntGet(StoreTxn *t, uint32_t id, EntRec *pRec){
  uint8_t k[4];
  MDB_val v;
  int rc;
  if( t==NULL ) return FAKT_MISUSE;
  idKey(k, id);
  rc = dbGet(t, DB_OBJ, k, 4, &v);
  if( rc ) return rc;
  if( v.mv_size>=1 && ((const uint8_t*)v.mv_data)[0]==K_CLAIM ){
    setErr(t->s, "object %u is a claim, not an entity", id);
    return FAKT_MISMATCH;
  }
  if( entDecode(v.mv_data, v.mv_size, pRec) ){
    setErr(t->s, "entity record %u is damaged", id);
    return FAKT_CORRUPT;
  }
  return FAKT_OK;
}

int faktClaimGet(StoreTxn *t, uint32_t id, ClaimRec *pRec){
  uint8_t k[4];
  MDB_val v;
  int rc;
  if( t==NULL ) return FAKT_MISUSE;
  idKey(k, id);
  rc = dbGet(t, DB_OBJ, k, 4, &v);
  if( rc ) return rc;
  if( v.mv_size>=1 && ((const uint8_t*)v.mv_data)[0]!=K_CLAIM ){
    setErr(t->s, "object %u is not a claim", id);
    return FAKT_MISMATCH;
  }
  if( claimDecode(v.mv_data, v.mv_size, pRec) ){
    setErr(t->s, "claim record %u is damaged", id);
    return FAKT_CORRUPT;
  }
  return FAKT_OK;
}

/* ---------------------------------------------------------------- alias and geo */

/*
** Build the alias key of dictionary string strId for entity id into a
** (at least ALIAS_MAX+5 bytes): folded text cut to 400 bytes, 0x00, id.
** *pn = 0 when the text folds to nothing (no entry).
*/
static int aliasKey(StoreTxn *t, uint32_t strId, uint32_t id, uint8_t *a, size_t *pn){
  const char *z;
  int n, ns, rc;
  char aBuf[1024], *zFold = aBuf;
  size_t nOut, nF;
  *pn = 0;
  rc = faktDictText(t, strId, &ns, &z, &n);
  if( rc==FAKT_NOTFOUND ){ setErr(t->s, "string %u is missing", strId); return FAKT_CORRUPT; }
  if( rc ) return rc;
  nOut = 2*(size_t)n + 1;
  if( nOut>sizeof(aBuf) ){
    zFold = malloc(nOut);
    if( zFold==NULL ){ setErr(t->s, "out of memory"); return FAKT_NOMEM; }
  }
  nF = faktFold(z, (size_t)n, zFold, nOut);
  if( nF>ALIAS_MAX ) nF = ALIAS_MAX;
  if( nF>0 ){
    memcpy(a, zFold, nF);
    a[nF] = 0;
    faktEncU32(a+nF+1, id);
    *pn = nF + 5;
  }
  if( zFold!=aBuf ) free(zFold);
  return FAKT_OK;
}

/* Add (bAdd) or remove the alias entries of every name of r. */
static int aliasUpdate(StoreTxn *t, uint32_t id, const EntRec *r, int bAdd){
  uint8_t a[ALIAS_MAX+5];
  size_t n;
  uint32_t i;
  int rc;
  for(i=0; i<=r->nAlias; i++){
    uint32_t strId = i==0 ? r->label : r->aAlias[i-1];
    if( strId==0 ) continue;
    rc = aliasKey(t, strId, id, a, &n);
    if( rc ) return rc;
    if( n==0 ) continue;
    rc = bAdd ? dbPut(t, DB_ALIAS, a, n, "", 0, 0) : dbDel(t, DB_ALIAS, a, n);
    if( rc && rc!=FAKT_NOTFOUND ) return rc;
  }
  return FAKT_OK;
}

static void geoKey(uint8_t *a, double lat, double lon, uint32_t id){
  faktEncU32(a, faktGeoCell(lat, lon));
  faktEncU32(a+4, id);
}

int faktEntPut(StoreTxn *t, uint32_t id, const EntRec *pRec){
  uint8_t k[4], a[ENT_FIXED + 4*255], g[8], gv[16];
  EntRec old;
  int rc, bOld;
  rc = writable(t);
  if( rc ) return rc;
  if( pRec->kind==K_CLAIM || pRec->kind==0 ){
    setErr(t->s, "bad entity kind %d", pRec->kind);
    return FAKT_MISUSE;
  }
  if( pRec->nAlias>(uint32_t)ENT_ALIAS_MAX ){
    setErr(t->s, "too many aliases (max %d)", ENT_ALIAS_MAX);
    return FAKT_TOOBIG;
  }
  rc = faktEntGet(t, id, &old);
  if( rc && rc!=FAKT_NOTFOUND ) return rc;
  bOld = rc==FAKT_OK;
  if( bOld ){
    rc = aliasUpdate(t, id, &old, 0);
    if( rc ) return rc;
    if( old.bCoords ){
      geoKey(g, old.lat, old.lon, id);
      rc = dbDel(t, DB_GEO, g, 8);
      if( rc && rc!=FAKT_NOTFOUND ) return rc;
    }
  }
  idKey(k, id);
  rc = dbPut(t, DB_OBJ, k, 4, a, entEncode(pRec, a), 0);
  if( rc ) return rc;
  rc = aliasUpdate(t, id, pRec, 1);
  if( rc ) return rc;
  if( pRec->bCoords ){
    geoKey(g, pRec->lat, pRec->lon, id);
    encDouble(gv, pRec->lat);
    encDouble(gv+8, pRec->lon);
    rc = dbPut(t, DB_GEO, g, 8, gv, 16, 0);
  }
  return rc;
}

/* ---------------------------------------------------------------- claims */

static void ixKeys(uint32_t s, uint32_t p, const uint8_t *o, uint32_t c, uint8_t aK[3][KEY_IX]){
  faktEncU32(aK[0], s); faktEncU32(aK[0]+4, p); memcpy(aK[0]+8, o, ENC_LEN); faktEncU32(aK[0]+17, c);
  faktEncU32(aK[1], p); memcpy(aK[1]+4, o, ENC_LEN); faktEncU32(aK[1]+13, s); faktEncU32(aK[1]+17, c);
  memcpy(aK[2], o, ENC_LEN); faktEncU32(aK[2]+9, s); faktEncU32(aK[2]+13, p); faktEncU32(aK[2]+17, c);
}

/* Add delta to the count at kind+id, in memory until commit (statFlush). */
static int statAdd(StoreTxn *t, int kind, uint32_t id, int delta){
  int rc = writable(t);
  if( rc ) return rc;
  if( statTabAdd(&t->stat, statKey(kind, id), delta) ){
    setErr(t->s, "out of memory");
    t->rcErr = FAKT_NOMEM;
    return FAKT_NOMEM;
  }
  t->nWrite++;
  return FAKT_OK;
}

/* Write the pending deltas of top-level t into the stat DB (an entry at
** zero is deleted), in key order. */
static int statFlush(StoreTxn *t){
  StatTab *p = &t->stat;
  int rc = FAKT_OK;
  size_t n = 0;
  uint64_t *aKey;
  if( p->nUsed==0 ) return FAKT_OK;
  aKey = malloc(p->nUsed * sizeof(*aKey));
  if( aKey==NULL ){ setErr(t->s, "out of memory"); return FAKT_NOMEM; }
  for(size_t i=0; i<p->nSlot; i++){
    if( p->a[i].key && p->a[i].delta ) aKey[n++] = p->a[i].key;
  }
  qsort(aKey, n, sizeof(*aKey), cmpU64);
  for(size_t i=0; i<n && rc==FAKT_OK; i++){
    uint8_t k[5], v[8];
    MDB_val cur;
    uint64_t c = 0;
    int64_t delta = statTabGet(p, aKey[i]);
    k[0] = (uint8_t)(aKey[i] >> 32);
    faktEncU32(k+1, (uint32_t)aKey[i]);
    rc = dbGet(t, DB_STAT, k, 5, &cur);
    if( rc==FAKT_OK ){
      if( cur.mv_size!=8 ){ setErr(t->s, "statistics record is damaged"); rc = FAKT_CORRUPT; break; }
      c = faktDecU64(cur.mv_data);
    }else if( rc!=FAKT_NOTFOUND ){
      break;
    }
    rc = FAKT_OK;
    if( delta<0 && c<(uint64_t)(-delta) ){
      setErr(t->s, "statistics count %c%u below zero", (int)k[0], (unsigned)(uint32_t)aKey[i]);
      rc = FAKT_CORRUPT;
      break;
    }
    c = delta<0 ? c-(uint64_t)(-delta) : c+(uint64_t)delta;
    if( c==0 ){
      rc = dbDel(t, DB_STAT, k, 5);
      if( rc==FAKT_NOTFOUND ) rc = FAKT_OK;
    }else{
      faktEncU64(v, c);
      rc = dbPut(t, DB_STAT, k, 5, v, 8, 0);
    }
  }
  free(aKey);
  statTabClear(p);
  return rc;
}

static int objStatId(const uint8_t *o, uint32_t *pId){
  if( o[0]!=T_ID && o[0]!=T_STR ) return 0;
  *pId = (uint32_t)faktDecU64(o+1);
  return 1;
}

static int statClaim(StoreTxn *t, const ClaimRec *r, int delta){
  uint32_t oid;
  int rc = statAdd(t, 'S', r->s, delta);
  if( rc==FAKT_OK ) rc = statAdd(t, 'P', r->p, delta);
  if( rc==FAKT_OK && objStatId(r->o, &oid) ) rc = statAdd(t, 'O', oid, delta);
  if( rc==FAKT_OK ) rc = statAdd(t, 'T', 0, delta);
  return rc;
}

/* ---------------------------------------------------------------- full-text postings */
/*
** fts (format 3): one key per block of postings. key = folded token (at
** most ALIAS_MAX bytes; the tokenizer cuts words to 64) + 0x00 + the
** block's first doc id (u32 BE); value = the block's further doc ids in
** ascending order, each as the LEB128 varint of its gap (>= 1) to the one
** before. A block holds at most FTS_BLOCK_DOCS ids and FTS_BLOCK_BYTES
** value bytes. A token's blocks never overlap, so a walk over the prefix
** token + 0x00 yields its docs in ascending order.
**
** Writes: a top-level transaction buffers (token, doc) puts and deletes
** in the pending buffer (value empty: add; FTS_OP_DEL: delete) and
** pendFlush hands the fts run, sorted by (token, doc), to ftsFlush, which
** merges each token's docs into its blocks (FtsMerge). A nested
** transaction does not buffer: ftsDoc collects one doc's words the same
** way, sorts them and hands them to ftsFlush at once.
*/
#define FTS_BLOCK_DOCS  128            /* doc ids in a block, at most */
#define FTS_BLOCK_BYTES 500            /* value bytes of a block, at most */
#define FTS_KEY_MAX     (ALIAS_MAX+5)  /* token + 0x00 + doc4 */
#define FTS_OP_DEL      1              /* pending value byte: delete the posting */

/* Bytes of the varint of v. */
static int ftsVarLen(uint32_t v){
  int n = 1;
  while( v>=0x80 ){ v >>= 7; n++; }
  return n;
}

/* Write the varint of v at p (at most 5 bytes); returns its length. */
static int ftsVarPut(uint8_t *p, uint32_t v){
  int n = 0;
  while( v>=0x80 ){ p[n++] = (uint8_t)(v | 0x80); v >>= 7; }
  p[n++] = (uint8_t)v;
  return n;
}

/*
** Decode the block that starts with doc first and has value a[0..n) into
** aDoc (FTS_BLOCK_DOCS slots); *pnDoc = the number of docs. FAKT_CORRUPT
** for a truncated or too long varint, a gap of 0 or past 2^32-1, or too
** many docs. Reads nothing outside a[0..n).
*/
static int ftsDecode(uint32_t first, const uint8_t *a, size_t n, uint32_t *aDoc, int *pnDoc){
  size_t i = 0;
  int nDoc = 0;
  uint32_t prev = first;
  aDoc[nDoc++] = first;
  while( i<n ){
    uint32_t gap = a[i++];
    if( gap>=0x80 ){                            /* a gap of more than one byte */
      int sh = 7;
      gap &= 0x7F;
      for(;;){
        uint8_t b;
        if( i>=n ) return FAKT_CORRUPT;
        b = a[i++];
        if( sh==28 && b>0x0F ) return FAKT_CORRUPT;   /* past 32 bits */
        gap |= (uint32_t)(b & 0x7F) << sh;
        if( (b & 0x80)==0 ) break;
        sh += 7;
      }
    }
    if( gap==0 || gap>UINT32_MAX-prev || nDoc>=FTS_BLOCK_DOCS ) return FAKT_CORRUPT;
    prev += gap;
    aDoc[nDoc++] = prev;
  }
  *pnDoc = nDoc;
  return FAKT_OK;
}

/*
** Encode the gaps of a block that starts with a[0] and takes as many of
** a[1..n) (ascending) as fit, at most nMax docs in all, into aVal
** (FTS_BLOCK_BYTES). aVal[0..*pnVal) already holds the gaps of a[1..k0)
** (k0 >= 1). Returns the docs taken; *pnVal = the value's bytes.
*/
static int ftsPack(const uint32_t *a, int n, int nMax, int k0, uint8_t *aVal, size_t *pnVal){
  int k = k0;
  size_t nVal = *pnVal;
  if( nMax>FTS_BLOCK_DOCS ) nMax = FTS_BLOCK_DOCS;
  while( k<n && k<nMax ){
    uint32_t gap = a[k] - a[k-1];
    if( gap<0x80 ){
      if( nVal+1 > FTS_BLOCK_BYTES ) break;
      aVal[nVal++] = (uint8_t)gap;
    }else{
      if( nVal + (size_t)ftsVarLen(gap) > FTS_BLOCK_BYTES ) break;
      nVal += (size_t)ftsVarPut(aVal + nVal, gap);
    }
    k++;
  }
  *pnVal = nVal;
  return k;
}

/* 1 if key k is a block of token aTok[0..nTok): it starts with token + 0x00. */
static int ftsOwns(const MDB_val *k, const uint8_t *aTok, size_t nTok){
  return k->mv_size>nTok && memcmp(k->mv_data, aTok, nTok)==0
      && ((const uint8_t*)k->mv_data)[nTok]==0;
}

/* Build the key token + 0x00 + doc in a (FTS_KEY_MAX bytes); returns its length. */
static size_t ftsKey(uint8_t *a, const uint8_t *aTok, size_t nTok, uint32_t doc){
  memcpy(a, aTok, nTok);
  a[nTok] = 0;
  faktEncU32(a + nTok + 1, doc);
  return nTok + 5;
}

/* One change to a token's postings. */
typedef struct FtsOp {
  uint32_t doc;              /* claim or source id */
  int bDel;                  /* remove instead of add */
} FtsOp;

/* State of a merge of new postings into the fts blocks of a write txn. */
typedef struct FtsMerge {
  StoreTxn *t;               /* write transaction */
  MDB_cursor *mc;            /* cursor on fts (owned) */
  int eLast;                 /* 0: every put appends; 1: append past aLast; 2: never */
  size_t nLast;              /* bytes of aLast */
  uint8_t aLast[FTS_KEY_MAX];/* the last key of fts when the merge began */
  FtsOp *aOp;                /* changes to the current token, ascending, one per doc */
  size_t nOp, nOpAlloc;
  uint32_t *aNew;            /* merged docs of one block's range */
  size_t nNewAlloc;
  int bAtOld;                /* mc stands on the block being merged into */
  uint32_t aOld[FTS_BLOCK_DOCS];   /* docs of the block being merged into */
  size_t nOldVal;                  /* bytes of its value (copied if they fit aOldVal) */
  uint8_t aOldVal[FTS_BLOCK_BYTES];
  uint8_t aVal[FTS_BLOCK_BYTES];   /* a block's value being written */
} FtsMerge;

/* A damaged block met while merging: the txn is doomed. */
static int ftsCorrupt(StoreTxn *t, const uint8_t *aTok, size_t nTok){
  setErr(t->s, "fts block of \"%.*s\" is damaged", (int)nTok, (const char*)aTok);
  t->rcErr = FAKT_CORRUPT;
  return FAKT_CORRUPT;
}

/* An LMDB error while merging: translated, and the txn is doomed. */
static int ftsLmdbErr(StoreTxn *t, int rc){
  rc = xlate(t->s, rc, "fts");
  t->rcErr = rc;
  return rc;
}

/*
** Begin a merge in write txn t. bAppend: puts past the last key of fts
** use MDB_APPEND, which leaves full pages behind (a flush of sorted keys);
** otherwise every put is a plain one.
*/
static int ftsMergeBegin(FtsMerge *m, StoreTxn *t, int bAppend){
  MDB_val k, v;
  int rc;
  memset(m, 0, sizeof(*m));
  m->t = t;
  m->eLast = 2;
  rc = mdb_cursor_open(t->txn, t->s->aDbi[DB_FTS], &m->mc);
  if( rc ){ m->mc = NULL; return ftsLmdbErr(t, rc); }
  if( bAppend ){
    rc = mdb_cursor_get(m->mc, &k, &v, MDB_LAST);
    if( rc==MDB_NOTFOUND ){
      m->eLast = 0;
    }else if( rc ){
      return ftsLmdbErr(t, rc);
    }else if( k.mv_size<=sizeof(m->aLast) ){
      m->eLast = 1;
      m->nLast = k.mv_size;
      memcpy(m->aLast, k.mv_data, k.mv_size);
    }
  }
  return FAKT_OK;
}

/* End a merge: close its cursor, free its lists. */
static void ftsMergeEnd(FtsMerge *m){
  if( m->mc ) mdb_cursor_close(m->mc);
  free(m->aOp);
  free(m->aNew);
  memset(m, 0, sizeof(*m));
}

/* Append a change to m's list for the current token. */
static int ftsOpPush(FtsMerge *m, uint32_t doc, int bDel){
  if( m->nOp==m->nOpAlloc ){
    size_t nNew = m->nOpAlloc ? m->nOpAlloc*2 : 64;
    FtsOp *aNew = realloc(m->aOp, nNew*sizeof(*aNew));
    if( aNew==NULL ){ setErr(m->t->s, "out of memory"); m->t->rcErr = FAKT_NOMEM; return FAKT_NOMEM; }
    m->aOp = aNew;
    m->nOpAlloc = nNew;
  }
  m->aOp[m->nOp].doc = doc;
  m->aOp[m->nOp].bDel = bDel;
  m->nOp++;
  return FAKT_OK;
}

/*
** Put the block that starts with doc first, whose value is in m->aVal[0..nVal):
** through the cursor when it stands on that very key (bCurrent), else with
** MDB_APPEND when past the old last key, else a plain put.
*/
static int ftsPutBlock(FtsMerge *m, const uint8_t *aTok, size_t nTok, uint32_t first, size_t nVal,
                       int bCurrent){
  uint8_t aKey[FTS_KEY_MAX];
  MDB_val k, v;
  unsigned flags = 0;
  int rc;
  k.mv_data = aKey;
  k.mv_size = ftsKey(aKey, aTok, nTok, first);
  v.mv_data = m->aVal;
  v.mv_size = nVal;
  if( bCurrent ){
    rc = mdb_cursor_put(m->mc, &k, &v, MDB_CURRENT);
    return rc ? ftsLmdbErr(m->t, rc) : FAKT_OK;
  }
  if( m->eLast==0 ){
    flags = MDB_APPEND;
  }else if( m->eLast==1 ){
    size_t nc = m->nLast<k.mv_size ? m->nLast : k.mv_size;
    int c = memcmp(aKey, m->aLast, nc);
    if( c>0 || (c==0 && k.mv_size>m->nLast) ){ flags = MDB_APPEND; m->eLast = 0; }
  }
  rc = mdb_put(m->t->txn, m->t->s->aDbi[DB_FTS], &k, &v, flags);
  return rc ? ftsLmdbErr(m->t, rc) : FAKT_OK;
}

/*
** Write the docs a[0..n) of one range of token aTok, which held the block
** starting with oldFirst (nOld docs in m->aOld) if bOld: the old block goes
** unless its key is reused, and the docs are cut into blocks. A range at
** the end of the token (bTail) is cut greedily, so later appends find a
** full block and one that fills up; a range inside the token is cut into
** blocks of even size, so inserts there do not leave slivers.
*/
static int ftsWriteRange(FtsMerge *m, const uint8_t *aTok, size_t nTok, int bOld, uint32_t oldFirst,
                         int nOld, const uint32_t *a, int n, int bTail){
  int i = 0, nTarget = FTS_BLOCK_DOCS, rc;
  if( bOld && (n==0 || a[0]!=oldFirst) ){
    uint8_t aKey[FTS_KEY_MAX];
    MDB_val k;
    k.mv_data = aKey;
    k.mv_size = ftsKey(aKey, aTok, nTok, oldFirst);
    rc = mdb_del(m->t->txn, m->t->s->aDbi[DB_FTS], &k, NULL);
    if( rc ) return ftsLmdbErr(m->t, rc);
  }
  if( !bTail && n>0 ){
    int nBlock = 0;
    for(i=0; i<n; nBlock++){
      size_t nVal = 0;
      i += ftsPack(a+i, n-i, FTS_BLOCK_DOCS, 1, m->aVal, &nVal);
    }
    nTarget = (n + nBlock - 1) / nBlock;
    i = 0;
  }
  while( i<n ){
    size_t nVal = 0;
    int k0 = 1, k;
    int bSame = bOld && i==0 && a[0]==oldFirst;   /* the old block's key */
    int bPrefix = bSame && n>=nOld && memcmp(a, m->aOld, (size_t)nOld*sizeof(uint32_t))==0;
    if( bPrefix && bTail && m->nOldVal<=FTS_BLOCK_BYTES ){
      /* appending to the token's last block: its bytes stay as they are */
      memcpy(m->aVal, m->aOldVal, m->nOldVal);
      nVal = m->nOldVal;
      k0 = nOld;
    }
    k = ftsPack(a+i, n-i, nTarget, k0, m->aVal, &nVal);
    /* the old block, unchanged (new docs went after it): leave it */
    if( !(bPrefix && k==nOld) ){
      rc = ftsPutBlock(m, aTok, nTok, a[i], nVal, bSame && m->bAtOld);
      if( rc ) return rc;
    }
    i += k;
  }
  return FAKT_OK;
}

/* The first doc of fts key k of a token of nTok bytes; 0 if k is not token + 0x00 + doc4. */
static int ftsKeyDoc(const MDB_val *k, size_t nTok, uint32_t *pDoc){
  if( k->mv_size!=nTok+5 ) return 0;
  *pDoc = faktDecU32((const uint8_t*)k->mv_data + nTok + 1);
  return 1;
}

/*
** Find the range of token aTok that doc falls into: the last block that
** starts at or before doc (*pbOld; its first doc *pFirst and its docs in
** m->aOld[0..*pnOld)) and the first doc of the block after it (*pbNext,
** *pNext). Either may be missing.
*/
static int ftsFind(FtsMerge *m, const uint8_t *aTok, size_t nTok, uint32_t doc,
                   int *pbOld, uint32_t *pFirst, int *pnOld, int *pbNext, uint32_t *pNext){
  uint8_t aKey[FTS_KEY_MAX];
  MDB_val k, v, kOld, vOld;
  int rc, bOld = 0;
  *pbOld = *pbNext = 0;
  *pnOld = 0;
  m->bAtOld = 0;
  k.mv_data = aKey;
  k.mv_size = ftsKey(aKey, aTok, nTok, doc);
  rc = mdb_cursor_get(m->mc, &k, &v, MDB_SET_RANGE);
  if( rc && rc!=MDB_NOTFOUND ) return ftsLmdbErr(m->t, rc);
  if( rc==MDB_SUCCESS && ftsOwns(&k, aTok, nTok) ){
    uint32_t f;
    if( !ftsKeyDoc(&k, nTok, &f) ) return ftsCorrupt(m->t, aTok, nTok);
    if( f==doc ){
      /* a block starts at doc: the range runs to the next block */
      bOld = 1; kOld = k; vOld = v;
      rc = mdb_cursor_get(m->mc, &k, &v, MDB_NEXT);
      if( rc==MDB_SUCCESS && ftsOwns(&k, aTok, nTok) ){
        if( !ftsKeyDoc(&k, nTok, pNext) ) return ftsCorrupt(m->t, aTok, nTok);
        *pbNext = 1;
      }
    }else{
      /* the block found comes after doc: the one before it, if the token's */
      *pbNext = 1;
      *pNext = f;
      rc = mdb_cursor_get(m->mc, &kOld, &vOld, MDB_PREV);
      m->bAtOld = bOld = rc==MDB_SUCCESS && ftsOwns(&kOld, aTok, nTok);
    }
  }else{
    /* past the token's blocks: its last block, if any */
    rc = mdb_cursor_get(m->mc, &kOld, &vOld, rc==MDB_SUCCESS ? MDB_PREV : MDB_LAST);
    m->bAtOld = bOld = rc==MDB_SUCCESS && ftsOwns(&kOld, aTok, nTok);
  }
  if( rc && rc!=MDB_NOTFOUND ) return ftsLmdbErr(m->t, rc);
  if( bOld ){
    if( !ftsKeyDoc(&kOld, nTok, pFirst)
     || ftsDecode(*pFirst, vOld.mv_data, vOld.mv_size, m->aOld, pnOld)
     || *pFirst>doc
     || (*pbNext && m->aOld[*pnOld-1]>=*pNext) ){
      return ftsCorrupt(m->t, aTok, nTok);
    }
    *pbOld = 1;
    m->nOldVal = vOld.mv_size;
    if( vOld.mv_size<=sizeof(m->aOldVal) ) memcpy(m->aOldVal, vOld.mv_data, vOld.mv_size);
  }
  return FAKT_OK;
}

/*
** Apply m's changes (m->aOp, ascending by doc, one per doc) to the blocks
** of token aTok, range by range: the changes that fall between one block's
** first doc and the next block's are merged into that block's docs (an
** add of a present doc or a delete of an absent one changes nothing), and
** the result is written back as one or more blocks. Empties m->aOp.
*/
static int ftsMergeToken(FtsMerge *m, const uint8_t *aTok, size_t nTok){
  size_t i = 0;
  int rc = FAKT_OK;
  while( i<m->nOp && rc==FAKT_OK ){
    int bOld, bNext, nOld, nNew = 0, iOld = 0, bChanged = 0;
    uint32_t first = 0, next = 0;
    size_t j = i;
    rc = ftsFind(m, aTok, nTok, m->aOp[i].doc, &bOld, &first, &nOld, &bNext, &next);
    if( rc ) break;
    while( j<m->nOp && (!bNext || m->aOp[j].doc<next) ) j++;
    if( (size_t)nOld + (j-i) > m->nNewAlloc ){
      size_t nAlloc = (size_t)nOld + (j-i) + 64;
      uint32_t *aNew = realloc(m->aNew, nAlloc*sizeof(uint32_t));
      if( aNew==NULL ){ setErr(m->t->s, "out of memory"); m->t->rcErr = rc = FAKT_NOMEM; break; }
      m->aNew = aNew;
      m->nNewAlloc = nAlloc;
    }
    for(size_t o=i; o<j; o++){
      uint32_t d = m->aOp[o].doc;
      while( iOld<nOld && m->aOld[iOld]<d ) m->aNew[nNew++] = m->aOld[iOld++];
      if( iOld<nOld && m->aOld[iOld]==d ){
        if( m->aOp[o].bDel ){ iOld++; bChanged = 1; }
      }else if( !m->aOp[o].bDel ){
        m->aNew[nNew++] = d;
        bChanged = 1;
      }
    }
    while( iOld<nOld ) m->aNew[nNew++] = m->aOld[iOld++];
    if( bChanged ) rc = ftsWriteRange(m, aTok, nTok, bOld, first, nOld, m->aNew, nNew, !bNext);
    i = j;
  }
  m->nOp = 0;
  return rc;
}

/*
** The fts run a[0..n) of a pending flush, sorted by (token, doc) and then
** arrival: the last entry of each (token, doc) wins (a put, or a delete
** when its value is FTS_OP_DEL); each token's changes are merged into its
** blocks. An error dooms t.
*/
static int ftsFlush(StoreTxn *t, const PendEnt *a, size_t n, const uint8_t *aByte){
  FtsMerge m;
  const uint8_t *aTok = NULL;
  size_t nTok = 0, i;
  int rc = ftsMergeBegin(&m, t, 1);
  for(i=0; i<n && rc==FAKT_OK; i++){
    const PendEnt *e = &a[i];
    const uint8_t *k = aByte + e->iOff;
    if( i+PEND_AHEAD<n ) __builtin_prefetch(aByte + a[i+PEND_AHEAD].iOff);
    dropTick(t, 1);
    if( i+1<n && a[i+1].nKey==e->nKey && memcmp(aByte + a[i+1].iOff, k, e->nKey)==0 ) continue;
    if( aTok && ((size_t)e->nKey-5!=nTok || memcmp(k, aTok, nTok)!=0) ){
      rc = ftsMergeToken(&m, aTok, nTok);
      if( rc ) break;
    }
    aTok = k;
    nTok = (size_t)e->nKey - 5;
    rc = ftsOpPush(&m, faktDecU32(k + nTok + 1), e->nVal>0 && k[e->nKey]==FTS_OP_DEL);
  }
  if( rc==FAKT_OK && m.nOp ) rc = ftsMergeToken(&m, aTok, nTok);
  ftsMergeEnd(&m);
  return rc;
}

/* Changing the postings of one doc. */
typedef struct FtsCtx {
  StoreTxn *t;               /* write txn */
  uint32_t doc;              /* claim or source id */
  int bDel;                  /* delete instead of put */
} FtsCtx;

/* Tokenizer callback: add or delete the posting (word, doc) through the
** pending buffer (a delete is marked by its one-byte value). */
static int ftsWord(void *pArg, const char *zTok, size_t nTok, size_t iOff){
  FtsCtx *p = (FtsCtx*)pArg;
  uint8_t a[FTS_KEY_MAX];
  (void)iOff;
  if( nTok==0 ) return 0;
  if( nTok>ALIAS_MAX ) nTok = ALIAS_MAX;
  ftsKey(a, (const uint8_t*)zTok, nTok, p->doc);
  if( p->bDel ){
    static const uint8_t aDel[1] = { FTS_OP_DEL };
    return pendPut(p->t, DB_FTS, a, nTok+5, aDel, 1);
  }
  return pendPut(p->t, DB_FTS, a, nTok+5, "", 0);
}

/*
** Index (or unindex) the words of z for doc. z must not point into the
** map. Nested or not, the changes wait in the pending buffer and reach the
** posting blocks through ftsFlush (a repeated word is one change).
*/
static int ftsDoc(StoreTxn *t, uint32_t doc, const char *z, size_t n, int bDel){
  FtsCtx ctx;
  int rc = writable(t);
  if( rc ) return rc;
  ctx.t = t; ctx.doc = doc; ctx.bDel = bDel;
  return faktTokenize(z, n, ftsWord, &ctx);
}

/* ---------------------------------------------------------------- full-text readers */

struct FtsCursor {
  StoreCursor *pCur;         /* on fts, prefix token + 0x00 (owned) */
  size_t nTok;               /* bytes of the token */
  int eState;                /* 0 before the first doc, 1 on a doc, 2 done */
  uint32_t cur;              /* the current doc (eState 1) */
  int nDoc;                  /* docs in the loaded block (0: none loaded) */
  int iDoc;                  /* index of the current doc in aDoc */
  uint32_t aDoc[FTS_BLOCK_DOCS];
};

int faktFtsOpen(StoreTxn *t, const char *zTok, int nTok, FtsCursor **pp){
  FtsCursor *c;
  uint8_t aPrefix[ALIAS_MAX+1];
  int rc;
  *pp = NULL;
  if( t==NULL || zTok==NULL || nTok<=0 ) return FAKT_MISUSE;
  if( nTok>ALIAS_MAX ) nTok = ALIAS_MAX;      /* as ftsWord stores it */
  memcpy(aPrefix, zTok, (size_t)nTok);
  aPrefix[nTok] = 0;
  c = calloc(1, sizeof(*c));
  if( c==NULL ){ setErr(t->s, "out of memory"); return FAKT_NOMEM; }
  rc = curAcquire(t, DB_FTS, aPrefix, nTok+1, &c->pCur);
  if( rc ){ free(c); return rc; }
  c->nTok = (size_t)nTok;
  *pp = c;
  return FAKT_OK;
}

void faktFtsClose(FtsCursor *c){
  if( c==NULL ) return;
  faktCursorClose(c->pCur);
  free(c);
}

/*
** Load the block the LMDB cursor landed on with result rc (key k, value
** v): FAKT_ROW, FAKT_DONE past the token's blocks (the cursor is then
** done), or an error such as FAKT_CORRUPT for a damaged block.
*/
static int ftsCurLoad(FtsCursor *c, int rc, const MDB_val *k, const MDB_val *v){
  StoreCursor *p = c->pCur;
  uint32_t first;
  c->nDoc = 0;
  if( rc==MDB_NOTFOUND || (rc==MDB_SUCCESS && !ftsOwns(k, p->aPrefix, c->nTok)) ){
    c->eState = 2;
    return FAKT_DONE;
  }
  c->eState = 2;                              /* unless the block is sound */
  if( rc ) return xlate(p->t->s, rc, "fts");
  if( !ftsKeyDoc(k, c->nTok, &first) || ftsDecode(first, v->mv_data, v->mv_size, c->aDoc, &c->nDoc) ){
    c->nDoc = 0;
    setErr(p->t->s, "fts block of \"%.*s\" is damaged", (int)c->nTok, (const char*)p->aPrefix);
    return FAKT_CORRUPT;
  }
  return FAKT_ROW;
}

/*
** Make the first doc >= min of the loaded block current: 1, or 0 if every
** doc of the block is below min. Only a damaged file or a write in the
** same transaction while the cursor is open makes blocks overlap; the
** docs then still come out ascending, each once.
*/
static int ftsCurPick(FtsCursor *c, uint32_t min){
  int lo = 0, hi = c->nDoc;
  if( c->nDoc==0 || c->aDoc[c->nDoc-1]<min ) return 0;
  if( c->eState==1 && c->iDoc<c->nDoc && c->aDoc[c->iDoc]<min ){
    /* seeks go forward and mostly land near: gallop from the current doc,
    ** then search only the last stride */
    int step = 1;
    lo = c->iDoc + 1;
    while( lo+step<hi && c->aDoc[lo+step-1]<min ){ lo += step; step *= 2; }
    if( lo+step<hi ) hi = lo+step;
  }
  while( lo<hi ){
    int mid = lo + (hi-lo)/2;
    if( c->aDoc[mid]<min ) lo = mid + 1; else hi = mid;
  }
  c->iDoc = lo;
  c->cur = c->aDoc[lo];
  c->eState = 1;
  return 1;
}

/* From the LMDB result rc (k, v) on, the first block with a doc >= min:
** step by step along the token's blocks. */
static int ftsCurScan(FtsCursor *c, int rc, MDB_val *k, MDB_val *v, uint32_t min){
  for(;;){
    rc = ftsCurLoad(c, rc, k, v);
    if( rc!=FAKT_ROW ) return rc;
    if( ftsCurPick(c, min) ) return FAKT_ROW;
    rc = mdb_cursor_get(c->pCur->mc, k, v, MDB_NEXT);
  }
}

int faktFtsNext(FtsCursor *c, uint32_t *pDoc){
  StoreCursor *p;
  MDB_val k, v;
  int rc;
  if( c==NULL ) return FAKT_MISUSE;
  p = c->pCur;
  if( c->eState==2 ) return FAKT_DONE;
  if( c->eState==0 ){
    k.mv_data = p->aPrefix; k.mv_size = (size_t)p->nPrefix;
    rc = mdb_cursor_get(p->mc, &k, &v, MDB_SET_RANGE);
    rc = ftsCurScan(c, rc, &k, &v, 0);
  }else if( c->cur==UINT32_MAX ){
    c->eState = 2;
    rc = FAKT_DONE;
  }else if( c->iDoc+1<c->nDoc ){
    c->cur = c->aDoc[++c->iDoc];
    rc = FAKT_ROW;
  }else{
    rc = mdb_cursor_get(p->mc, &k, &v, MDB_NEXT);
    rc = ftsCurScan(c, rc, &k, &v, c->cur + 1);
  }
  if( rc==FAKT_ROW ) *pDoc = c->cur;
  return rc;
}

/*
** Seek: in the loaded block if doc is in it; else the next block if doc
** is there or before it (a step along the leaf page); else a descent to
** the last block starting at or before doc, or the one after it.
*/
int faktFtsSeek(FtsCursor *c, uint32_t doc, uint32_t *pDoc){
  StoreCursor *p;
  MDB_val k, v;
  uint8_t aKey[FTS_KEY_MAX];
  int rc;
  if( c==NULL ) return FAKT_MISUSE;
  p = c->pCur;
  if( c->eState==2 ) return FAKT_DONE;
  if( c->eState==1 ){
    if( c->cur>=doc || ftsCurPick(c, doc) ){ *pDoc = c->cur; return FAKT_ROW; }
    rc = mdb_cursor_get(p->mc, &k, &v, MDB_NEXT);
    rc = ftsCurLoad(c, rc, &k, &v);
    if( rc!=FAKT_ROW ) return rc;
    if( ftsCurPick(c, doc) ){ *pDoc = c->cur; return FAKT_ROW; }
  }
  /* descend: the block before the first key >= (token, doc) may hold doc */
  k.mv_data = aKey;
  k.mv_size = ftsKey(aKey, p->aPrefix, c->nTok, doc);
  rc = mdb_cursor_get(p->mc, &k, &v, MDB_SET_RANGE);
  if( rc==MDB_SUCCESS || rc==MDB_NOTFOUND ){
    int rc2 = mdb_cursor_get(p->mc, &k, &v, rc==MDB_SUCCESS ? MDB_PREV : MDB_LAST);
    if( rc2==MDB_SUCCESS && ftsOwns(&k, p->aPrefix, c->nTok) ){
      rc = rc2;                               /* that block, then on from it */
    }else if( rc2==MDB_SUCCESS || rc2==MDB_NOTFOUND ){
      k.mv_data = aKey;                       /* none: the token's first block */
      k.mv_size = ftsKey(aKey, p->aPrefix, c->nTok, doc);
      rc = mdb_cursor_get(p->mc, &k, &v, MDB_SET_RANGE);
    }else{
      rc = rc2;
    }
  }
  rc = ftsCurScan(c, rc, &k, &v, doc);
  if( rc==FAKT_ROW ) *pDoc = c->cur;
  return rc;
}

/* Write claim record r under key k (4 bytes), through a heap copy: r's
** quote may point into the map page the put rewrites. */
static int claimPut(StoreTxn *t, const uint8_t *k, const ClaimRec *r, unsigned flags){
  size_t n = claimSize(r);
  uint8_t *a = malloc(n);
  if( a==NULL ){ setErr(t->s, "out of memory"); return FAKT_NOMEM; }
  claimEncode(r, a);
  int rc = dbPut(t, DB_OBJ, k, 4, a, n, flags);
  free(a);
  return rc;
}

int faktClaimAdd(StoreTxn *t, uint32_t id, const ClaimRec *pRec){
  uint8_t k[12], aK[3][KEY_IX], v[8];
  int rc, i;
  rc = writable(t);
  if( rc ) return rc;
  if( pRec->nVia>(uint32_t)CLAIM_VIA_MAX ){
    setErr(t->s, "via chain too long (max %d)", CLAIM_VIA_MAX);
    return FAKT_TOOBIG;
  }
  if( pRec->quote && pRec->zQuote==NULL ){
    setErr(t->s, "claim %u: a quote length without its text", id);
    return FAKT_MISUSE;
  }
  /* share the quote with the source's text when its span holds exactly it */
  ClaimRec rShare = *pRec;
  rShare.bQuoteRef = 0;
  if( pRec->quote && pRec->source ){
    const char *zText;
    size_t nText;
    rc = faktTextGet(t, pRec->source, &zText, &nText);
    if( rc && rc!=FAKT_NOTFOUND ) return rc;
    rShare.bQuoteRef = rc==FAKT_OK && pRec->spanStart<=pRec->spanEnd && pRec->spanEnd<=nText
        && pRec->spanEnd - pRec->spanStart==pRec->quote
        && memcmp(zText + pRec->spanStart, pRec->zQuote, pRec->quote)==0;
  }
  idKey(k, id);
  rc = claimPut(t, k, &rShare, MDB_NOOVERWRITE);
  if( rc==FAKT_CONSTRAINT ){ setErr(t->s, "object %u already exists", id); return rc; }
  if( rc ) return rc;
  ixKeys(pRec->s, pRec->p, pRec->o, id, aK);
  size_t nV = visEncode(v, pRec->txAdd, pRec->txRet);
  for(i=0; i<3; i++){
    rc = pendPut(t, DB_SPO+i, aK[i], KEY_IX, v, nV);
    if( rc ) return rc;
  }
  if( pRec->source ){
    faktEncU32(k, pRec->source);
    faktEncU32(k+4, id);
    rc = pendPut(t, DB_SRCC, k, 8, "", 0);
    if( rc ) return rc;
  }
  faktEncU64(k, faktClaimProp(pRec));
  faktEncU32(k+8, id);
  rc = pendPut(t, DB_PROP, k, 12, "", 0);
  if( rc ) return rc;
  if( pRec->quote ){
    rc = ftsDoc(t, id, pRec->zQuote, pRec->quote, 0);
    if( rc ) return rc;
  }
  if( pRec->txRet==0 ) rc = statClaim(t, pRec, 1);
  /* named claims with a quote, retracted or not: while there are none,
  ** every claim in the fts postings has a generated id (match() uses it) */
  if( rc==FAKT_OK && pRec->quote && !(id & FAKT_GEN_BIT) ) rc = statAdd(t, 'N', 0, 1);
  return rc;
}

int faktClaimRetract(StoreTxn *t, uint32_t id, uint32_t tx){
  ClaimRec r;
  uint8_t k[4], aK[3][KEY_IX], v[8];
  int rc, i;
  rc = writable(t);
  if( rc ) return rc;
  rc = faktClaimGet(t, id, &r);
  if( rc ) return rc;
  if( r.txRet ) return FAKT_OK;          /* already retracted: nothing changes */
  r.txRet = tx;
  idKey(k, id);
  rc = claimPut(t, k, &r, 0);
  if( rc ) return rc;
  ixKeys(r.s, r.p, r.o, id, aK);
  size_t nV = visEncode(v, r.txAdd, r.txRet);
  for(i=0; i<3; i++){
    rc = pendPut(t, DB_SPO+i, aK[i], KEY_IX, v, nV);
    if( rc ) return rc;
  }
  return statClaim(t, &r, -1);
}

/*
** Correction (write.c): the record of claim id moves, with its index,
** source, proposition and full-text entries, to the new generated id
** idOld, retracted in tx (or when it was, if it was); id then holds pNew.
** Only existing puts and deletes, so the integrity check sees two ordinary
** claims.
*/
int faktClaimReplace(StoreTxn *t, uint32_t id, uint32_t idOld, const ClaimRec *pNew, uint32_t tx){
  ClaimRec old;
  uint8_t k[12], aK[3][KEY_IX];
  char *zQ = NULL;
  int rc, i, nQ = 0;
  rc = writable(t);
  if( rc ) return rc;
  rc = faktClaimGet(t, id, &old);
  if( rc ) return rc;
  if( old.quote ){
    const char *z;
    rc = faktClaimQuote(t, &old, &z, &nQ);
    if( rc ) return rc;
    zQ = malloc((size_t)nQ + 1);
    if( zQ==NULL ){ setErr(t->s, "out of memory"); return FAKT_NOMEM; }
    memcpy(zQ, z, (size_t)nQ);
    old.zQuote = zQ;
    old.quote = (uint32_t)nQ;
    old.bQuoteRef = 0;
  }
  ixKeys(old.s, old.p, old.o, id, aK);
  for(i=0; rc==FAKT_OK && i<3; i++){
    rc = dbDel(t, DB_SPO+i, aK[i], KEY_IX);
    if( rc==FAKT_NOTFOUND ) rc = FAKT_OK;
  }
  if( rc==FAKT_OK && old.source ){
    faktEncU32(k, old.source);
    faktEncU32(k+4, id);
    rc = dbDel(t, DB_SRCC, k, 8);
    if( rc==FAKT_NOTFOUND ) rc = FAKT_OK;
  }
  if( rc==FAKT_OK ){
    faktEncU64(k, faktClaimProp(&old));
    faktEncU32(k+8, id);
    rc = dbDel(t, DB_PROP, k, 12);
    if( rc==FAKT_NOTFOUND ) rc = FAKT_OK;
  }
  if( rc==FAKT_OK && old.quote ) rc = ftsDoc(t, id, zQ, (size_t)nQ, 1);
  if( rc==FAKT_OK && old.txRet==0 ) rc = statClaim(t, &old, -1);
  if( rc==FAKT_OK && old.quote && !(id & FAKT_GEN_BIT) ) rc = statAdd(t, 'N', 0, -1);
  if( rc==FAKT_OK ){
    idKey(k, id);
    rc = dbDel(t, DB_OBJ, k, 4);
  }
  if( rc==FAKT_OK ){
    if( old.txRet==0 ) old.txRet = tx;
    rc = faktClaimAdd(t, idOld, &old);
  }
  if( rc==FAKT_OK ) rc = faktClaimAdd(t, id, pNew);
  free(zQ);
  return rc;
}

/*
** Move claim id's quote span to [start, end) of its source's stored text
** (write.c, after the text changed): the quote is shared with the text
** again when the span holds exactly its bytes. An empty span (start==end)
** marks a quote the text no longer holds (stale); it keeps its own copy.
*/
int faktClaimSpan(StoreTxn *t, uint32_t id, uint32_t start, uint32_t end){
  ClaimRec r;
  uint8_t k[4];
  const char *z, *zText;
  char *zQ;
  size_t nText;
  int rc, nQ;
  rc = writable(t);
  if( rc ) return rc;
  rc = faktClaimGet(t, id, &r);
  if( rc ) return rc;
  if( r.quote==0 ) return FAKT_OK;
  rc = faktClaimQuote(t, &r, &z, &nQ);
  if( rc ) return rc;
  zQ = malloc((size_t)nQ + 1);
  if( zQ==NULL ){ setErr(t->s, "out of memory"); return FAKT_NOMEM; }
  memcpy(zQ, z, (size_t)nQ);
  r.zQuote = zQ;
  r.quote = (uint32_t)nQ;
  r.spanStart = start;
  r.spanEnd = end;
  r.bQuoteRef = 0;
  rc = faktTextGet(t, r.source, &zText, &nText);
  if( rc==FAKT_OK ){
    r.bQuoteRef = start<end && end<=nText && end-start==(uint32_t)nQ && memcmp(zText+start, zQ, (size_t)nQ)==0;
  }else if( rc==FAKT_NOTFOUND ){
    rc = FAKT_OK;
  }
  if( rc==FAKT_OK ){
    idKey(k, id);
    rc = claimPut(t, k, &r, 0);
  }
  free(zQ);
  return rc;
}

/* ================================================================ source text */

/* Give every claim of srcId whose quote is shared with its stored text
** zOld[0..nOld) a copy of its own, before that text is replaced. srcc lists
** every claim of the source, retracted ones too: history keeps its quotes. */
static int textDetach(StoreTxn *t, uint32_t srcId, const char *zOld, size_t nOld){
  uint8_t aPre[4], k4[4];
  StoreCursor *c;
  MDB_val k, v;
  ClaimRec r;
  int rc;
  faktEncU32(aPre, srcId);
  rc = curAcquire(t, DB_SRCC, aPre, 4, &c);
  if( rc ) return rc;
  while( (rc = curStep(c, &k, &v))==FAKT_ROW ){
    uint32_t id;
    if( k.mv_size!=8 ){ setErr(t->s, "srcc: malformed key"); rc = FAKT_CORRUPT; break; }
    id = faktDecU32((const uint8_t*)k.mv_data + 4);
    rc = faktClaimGet(t, id, &r);
    if( rc ) break;
    if( !r.bQuoteRef ) continue;
    if( r.source!=srcId || r.spanEnd>nOld ){
      setErr(t->s, "claim %u: its quote's span is not in the text of source %u", id, srcId);
      rc = FAKT_CORRUPT;
      break;
    }
    r.zQuote = zOld + r.spanStart;
    r.bQuoteRef = 0;
    idKey(k4, id);
    rc = claimPut(t, k4, &r, 0);
    if( rc ) break;
  }
  faktCursorClose(c);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

int faktTextPut(StoreTxn *t, uint32_t srcId, const char *z, size_t n){
  uint8_t k[4], *pOut;
  MDB_val v;
  int rc = writable(t);
  if( rc ) return rc;
  if( n>0xFFFFFFFFu ){ setErr(t->s, "text too large"); return FAKT_TOOBIG; }
  faktEncU32(k, srcId);
  rc = dbGet(t, DB_TEXT, k, 4, &v);
  if( rc==FAKT_OK ){
    int bSame = v.mv_size==n && (n==0 || memcmp(v.mv_data, z, n)==0);
    char *zOld = malloc(v.mv_size + 1);
    if( zOld==NULL ){ setErr(t->s, "out of memory"); return FAKT_NOMEM; }
    memcpy(zOld, v.mv_data, v.mv_size);
    rc = bSame ? FAKT_OK : textDetach(t, srcId, zOld, v.mv_size);
    if( rc==FAKT_OK ) rc = ftsDoc(t, srcId, zOld, v.mv_size, 1);
    free(zOld);
    if( rc ) return rc;
  }else if( rc!=FAKT_NOTFOUND ){
    return rc;
  }
  rc = dbReserve(t, DB_TEXT, k, 4, n, &pOut);
  if( rc ) return rc;
  if( n ) memcpy(pOut, z, n);
  return ftsDoc(t, srcId, z, n, 0);
}

/* The outermost transaction of t, which holds the name cache. */
static StoreTxn *txnRoot(StoreTxn *t){
  while( t->pParent ) t = t->pParent;
  return t;
}

uint64_t faktStoreWrites(StoreTxn *t){
  return t ? t->nWrite : 0;
}

void faktStoreDoom(StoreTxn *t, int rc){
  if( t && t->rcErr==FAKT_OK ) t->rcErr = rc ? rc : FAKT_ERROR;
}

int faktTextGet(StoreTxn *t, uint32_t srcId, const char **pz, size_t *pn){
  uint8_t k[4];
  MDB_val v;
  int rc;
  if( t==NULL ) return FAKT_MISUSE;
  if( !t->bWrite && srcId!=0 && t->textSrc==srcId ){
    v = t->textVal;                       /* rows of one source come together */
  }else{
    faktEncU32(k, srcId);
    rc = dbGet(t, DB_TEXT, k, 4, &v);
    if( rc ) return rc;
    /* only a read txn caches: a write may move or spill the pages */
    if( !t->bWrite ){ t->textSrc = srcId; t->textVal = v; }
  }
  *pz = (const char*)v.mv_data;
  *pn = v.mv_size;
  return FAKT_OK;
}

int faktClaimQuote(StoreTxn *t, const ClaimRec *r, const char **pz, int *pn){
  const char *zText;
  size_t nText;
  int rc;
  if( t==NULL || r==NULL ) return FAKT_MISUSE;
  if( r->quote==0 ) return FAKT_NOTFOUND;
  if( !r->bQuoteRef ){
    if( r->zQuote==NULL ) return FAKT_MISUSE;
    *pz = r->zQuote;
    *pn = (int)r->quote;
    return FAKT_OK;
  }
  rc = faktTextGet(t, r->source, &zText, &nText);
  if( rc==FAKT_OK && r->spanEnd<=nText && r->spanEnd-r->spanStart==r->quote ){
    *pz = zText + r->spanStart;
    *pn = (int)r->quote;
    return FAKT_OK;
  }
  if( rc && rc!=FAKT_NOTFOUND ) return rc;
  setErr(t->s, "a claim's quote is not in the stored text of source %u", r->source);
  return FAKT_CORRUPT;
}

uint64_t faktClaimProp(const ClaimRec *r){
  uint8_t a[4+4+ENC_LEN];
  faktEncU32(a, r->s);
  faktEncU32(a+4, r->p);
  memcpy(a+8, r->o, ENC_LEN);
  return faktHash64(a, sizeof(a)) >> 1;   /* 63 bits: a non-negative integer */
}

/* ================================================================ rules */

int faktRulePut(StoreTxn *t, uint32_t nameId, const char *z, size_t n){
  uint8_t k[4];
  faktEncU32(k, nameId);
  return dbPut(t, DB_RULE, k, 4, z, n, 0);
}

int faktRuleHas(StoreTxn *t, uint32_t nameId){
  uint8_t k[4];
  MDB_val v;
  faktEncU32(k, nameId);
  return dbGet(t, DB_RULE, k, 4, &v)==FAKT_OK;
}

int faktRuleDel(StoreTxn *t, uint32_t nameId){
  uint8_t k[4];
  faktEncU32(k, nameId);
  return dbDel(t, DB_RULE, k, 4);
}

/* The callback gets views into the map: it must not write in t. */
int faktRuleEach(StoreTxn *t, int (*x)(void*, uint32_t, const char*, size_t), void *pArg){
  StoreCursor *c;
  MDB_val k, v;
  int rc = curAcquire(t, DB_RULE, NULL, 0, &c);
  if( rc ) return rc;
  while( (rc = curStep(c, &k, &v))==FAKT_ROW ){
    if( k.mv_size!=4 ){ setErr(t->s, "rule key is damaged"); rc = FAKT_CORRUPT; break; }
    if( x(pArg, faktDecU32(k.mv_data), (const char*)v.mv_data, v.mv_size) ){ rc = FAKT_DONE; break; }
  }
  faktCursorClose(c);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

/* ================================================================ statistics */

uint64_t faktStatGet(StoreTxn *t, int kind, uint32_t id){
  uint8_t k[5];
  MDB_val v;
  if( t==NULL ) return 0;
  k[0] = (uint8_t)kind;
  faktEncU32(k+1, id);
  int64_t n = 0;
  if( dbGet(t, DB_STAT, k, 5, &v)==FAKT_OK && v.mv_size==8 ) n = (int64_t)faktDecU64(v.mv_data);
  for(const StoreTxn *p=t; p; p=p->pParent) n += statTabGet(&p->stat, statKey(kind, id));
  return n>0 ? (uint64_t)n : 0;
}

/* ================================================================ open and close */

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
    setErr(s, "file is empty: not a fakt database: %s", zPath);
    return FAKT_NOTADB;
  }
  f = fopen(zPath, "rb");
  if( f==NULL ){
    setErr(s, "cannot open database %s: %s", zPath, strerror(errno));
    return errno==EACCES ? FAKT_PERM : FAKT_CANTOPEN;
  }
  if( !readMeta(f, 0, &m0) ){
    setErr(s, "file is not a fakt database: %s", zPath);
    rc = FAKT_NOTADB;
    goto done;
  }
  if( m0.version!=LMDB_DATA_V ){
    setErr(s, "unsupported LMDB data version %u in %s", m0.version, zPath);
    rc = FAKT_FORMAT;
    goto done;
  }
  psize = m0.dbs[0].pad;
  if( psize<512 || psize>65536 || (psize & (psize-1)) ){
    setErr(s, "file is not a fakt database (page size %u): %s", psize, zPath);
    rc = FAKT_NOTADB;
    goto done;
  }
  nNeed = ((uint64_t)m0.lastPg + 1) * psize;
  if( nSize>=2*(uint64_t)psize && readMeta(f, (long)psize, &m1) && m1.lastPg>m0.lastPg ){
    nNeed = ((uint64_t)m1.lastPg + 1) * psize;
  }
  if( nNeed<2*(uint64_t)psize ) nNeed = 2*(uint64_t)psize;
  if( nSize<nNeed ){
    setErr(s, "database file is truncated (%llu bytes, needs %llu): %s",
           (unsigned long long)nSize, (unsigned long long)nNeed, zPath);
    rc = FAKT_CORRUPT;
  }
done:
  fclose(f);
  return rc;
}

static int openDbis(FaktStore *s, MDB_txn *txn, int bCreate){
  int i, rc;
  for(i=0; i<DB_COUNT; i++){
    unsigned flags = (i==DB_S2I ? MDB_DUPSORT|MDB_DUPFIXED : 0) | (bCreate ? MDB_CREATE : 0);
    if( i==DB_OBJ || i==DB_I2S ) flags |= MDB_INTEGERKEY;
    rc = mdb_dbi_open(txn, azDbName[i], flags, &s->aDbi[i]);
    if( rc==MDB_NOTFOUND || rc==MDB_INCOMPATIBLE ){
      if( i==DB_META ){
        setErr(s, "file is not a fakt database");
        return FAKT_NOTADB;
      }
      setErr(s, "database is damaged: table %s is missing", azDbName[i]);
      return FAKT_CORRUPT;
    }
    if( rc ) return xlate(s, rc, azDbName[i]);
  }
  return FAKT_OK;
}

/* Magic and format of an existing database. */
static int checkMeta(FaktStore *s, StoreTxn *t){
  MDB_val v;
  uint32_t fmt;
  int rc = dbGet(t, DB_META, "magic", 5, &v);
  if( rc==FAKT_NOTFOUND || (rc==FAKT_OK && (v.mv_size!=4 || memcmp(v.mv_data, "fakt", 4)!=0)) ){
    setErr(s, "file is not a fakt database");
    return FAKT_NOTADB;
  }
  if( rc ) return rc;
  rc = metaGetU32(t, "format", &fmt);
  if( rc==FAKT_NOTFOUND ){ setErr(s, "database is damaged: no format record"); return FAKT_CORRUPT; }
  if( rc ) return rc;
  if( fmt>FAKT_FORMAT_VERSION ){
    setErr(s, "database format %u is newer than this fakt (supports %d)", fmt, FAKT_FORMAT_VERSION);
    return FAKT_FORMAT;
  }
  if( fmt==0 ){ setErr(s, "database is damaged: format 0"); return FAKT_CORRUPT; }
  if( fmt<FAKT_FORMAT_VERSION ){
    /* format 1 interned quotes; format 2 keyed obj and i2s big-endian and
    ** kept one fts key per (word, doc), not posting blocks */
    setErr(s, "database format %u is older than this fakt (needs %d): rebuild it from its scripts or an export",
           fmt, FAKT_FORMAT_VERSION);
    return FAKT_FORMAT;
  }
  return FAKT_OK;
}

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
  int rc = dbPut(t, DB_META, "magic", 5, "fakt", 4, 0);
  if( rc==FAKT_OK ) rc = metaPutU32(t, "format", FAKT_FORMAT_VERSION);
  if( rc==FAKT_OK ) rc = metaPutU32(t, "next_id", 1);
  if( rc==FAKT_OK ) rc = metaPutU32(t, "next_gen", 1);
  if( rc==FAKT_OK ) rc = metaPutU32(t, "last_tx", 0);
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

/* Create the environment and open the file. Returns the raw LMDB/errno
** code (0 on success); the environment is closed again on failure. */
static int envOpen(FaktStore *s, const char *zPath, uint64_t nMap, unsigned flags){
  int rc = mdb_env_create(&s->env);
  if( rc ){ s->env = NULL; return rc; }
  rc = mdb_env_set_maxdbs(s->env, 20);
  if( rc==0 ) rc = mdb_env_set_mapsize(s->env, (size_t)nMap);
  if( rc==0 ) rc = mdb_env_open(s->env, zPath, flags, 0644);
  if( rc==0 ){
    /* LMDB reads no page but the meta pages before its first transaction:
    ** from here on each page is checked the first time it is read */
    MDB_stat st;
    rc = mdb_env_stat(s->env, &st);
    if( rc==0 && s->pGuard==NULL ){
      s->pGuard = faktPageGuardNew(st.ms_psize, s->nMapMax);
      if( s->pGuard==NULL ) rc = ENOMEM;
    }
    if( rc==0 ) rc = mdb_env_set_pagecheck(s->env, faktPageGuardCheck, s->pGuard);
  }
  if( rc ){
    mdb_env_close(s->env);
    s->env = NULL;
  }
  return rc;
}

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
    setErr(s, "cannot open database %s: a symbolic link to a missing file", zPath);
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
  setErr(s, "out of memory");
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
  setErr(s, "cannot open lock file %s: %s", zLock, zWhy ? zWhy : strerror(e));
  if( e==EACCES || e==EPERM ) return FAKT_PERM;
  if( e==EROFS ) return FAKT_READONLY;
  if( e==ENOSPC ) return FAKT_FULL;
  return FAKT_CANTOPEN;
}

/*
** Read-only: MDB_RDONLY. If the lock file cannot be created or opened for
** writing (read-only directory or lock file), the database is opened with
** MDB_NOLOCK: reads then take no reader slot, so a writer in another
** process could reuse pages under a long read; acceptable for a read-only
** copy, which is the case this serves. LMDB opens the file by its real
** path (lockPath), so every name of it shares one lock file; a file with
** several hard links is not opened for writing, since each name would
** have its own lock file.
*/
int faktStoreOpen(const char *zPath, const StoreConfig *pCfg, FaktStore **ppStore, char **pzErr){
  StoreConfig cfg;
  FaktStore *s;
  StoreTxn *t = NULL;
  struct stat st;
  int bExists = 1, rc;
  uint64_t nMap;
  unsigned flags;
  char *zReal = NULL;        /* the path LMDB opens (lockPath) */

  *ppStore = NULL;
  if( pzErr ) *pzErr = NULL;
  memset(&cfg, 0, sizeof(cfg));
  if( pCfg ) cfg = *pCfg;
  s = calloc(1, sizeof(*s));
  if( s==NULL ){
    if( pzErr ) *pzErr = strdup("out of memory");
    return FAKT_NOMEM;
  }
  s->bReadonly = cfg.bReadonly!=0;
  s->fdLock = -1;
  s->nBusyMs = FAKT_BUSY_DEFAULT;
  s->nMapMax = cfg.nMapMax ? roundDown(cfg.nMapMax) : MAP_LIMIT;
  s->nRoom = cfg.nRoom ? cfg.nRoom : MAP_HEADROOM;
  s->nMapped = cfg.nMapped ? cfg.nMapped : MAPPED_DEFAULT;
  s->nPendFlush = cfg.nPendFlush ? cfg.nPendFlush : PEND_FLUSH;
  s->nRunMax = cfg.nRunMax;
  /* a read or put maps in a page or two: look four times per budget */
  s->nDropCheck = s->nMapped >> 14;
  if( s->nDropCheck<1 ) s->nDropCheck = 1;
  if( s->nDropCheck>4096 ) s->nDropCheck = 4096;
  nMap = roundUp(cfg.nMapInit ? cfg.nMapInit : MAP_DEFAULT);
  if( nMap>s->nMapMax ) nMap = s->nMapMax;
  if( zPath==NULL || zPath[0]==0 ){
    setErr(s, "no database file name");
    rc = FAKT_CANTOPEN;
    goto fail;
  }
  if( cfg.zRunDir ){
    s->zRunDir = strdup(cfg.zRunDir);
  }else{
    const char *zSlash = strrchr(zPath, '/');
    size_t n = zSlash==NULL ? 1 : zSlash==zPath ? 1 : (size_t)(zSlash - zPath);
    if( (s->zRunDir = malloc(n + 1))!=NULL ){
      memcpy(s->zRunDir, zSlash==NULL ? "." : zPath, n);
      s->zRunDir[n] = 0;
    }
  }                          /* none (out of memory): a write txn flushes, spills no runs */

  s->zPath = strdup(zPath);
  zReal = lockPath(s, zPath);
  if( zReal==NULL ){
    rc = s->zErr[0] && strncmp(s->zErr, "out of memory", 13)!=0 ? FAKT_CANTOPEN : FAKT_NOMEM;
    goto fail;
  }
  bExists = stat(zPath, &st)==0;
  if( !bExists ){
    if( errno!=ENOENT ){
      setErr(s, "cannot open database %s: %s", zPath, strerror(errno));
      rc = errno==EACCES ? FAKT_PERM : FAKT_CANTOPEN;
      goto fail;
    }
    if( !cfg.bCreate || s->bReadonly ){
      setErr(s, "cannot open database %s: no such file", zPath);
      rc = FAKT_CANTOPEN;
      goto fail;
    }
  }else{
    if( !S_ISREG(st.st_mode) ){
      setErr(s, "cannot open database %s: not a regular file", zPath);
      rc = FAKT_CANTOPEN;
      goto fail;
    }
    if( st.st_nlink>1 && !s->bReadonly ){
      setErr(s, "cannot open database %s for writing: the file has %lu hard links, and each name "
             "would have its own lock file (open it by one name: remove the other links)",
             zPath, (unsigned long)st.st_nlink);
      rc = FAKT_CANTOPEN;
      goto fail;
    }
    /* the meta pages and the file's length; every other page is checked
    ** the first time LMDB reads it (s->pGuard, SPEC.md 12.7) */
    rc = vetFile(s, zPath, (uint64_t)st.st_size);
    if( rc ) goto fail;
  }

  rc = openLocks(s, zReal, !bExists);
  if( rc ) goto fail;
  flags = MDB_NOSUBDIR | MDB_NOTLS | (s->bReadonly ? MDB_RDONLY : 0);
  rc = envOpen(s, zReal, nMap, flags);
  if( rc==EACCES && s->bReadonly ){
    s->bNoLock = 1;
    rc = envOpen(s, zReal, nMap, flags | MDB_NOLOCK);
  }
  if( rc ){
    const char *zWhy = rc==ENOENT ? "no such file" : mdb_strerror(rc);
    int code = xlate(NULL, rc, "open");
    setErr(s, "cannot open database %s: %s", zPath, zWhy);
    rc = code==FAKT_NOTFOUND ? FAKT_CANTOPEN : code;
    if( !s->bNoLock ) rc = lockBlame(s, zReal, rc);
    goto fail;
  }

  readerCheck(s);             /* slots of readers that were killed */
  if( bExists ){
    /* A read transaction first: nothing is written to a file that is not ours. */
    MDB_txn *txn;
    rc = beginTop(s, MDB_RDONLY, &txn);
    if( rc ) goto fail;
    rc = openDbis(s, txn, 0);
    if( rc==FAKT_OK ){
      StoreTxn tmp;
      memset(&tmp, 0, sizeof(tmp));
      tmp.s = s; tmp.txn = txn;
      rc = checkMeta(s, &tmp);
    }
    if( rc ){ mdb_txn_abort(txn); goto fail; }
    rc = mdb_txn_commit(txn);          /* keeps the DBI handles */
    if( rc ){ rc = xlate(s, rc, "open tables"); goto fail; }
  }else{
    MDB_txn *txn;
    rc = beginTop(s, 0, &txn);
    if( rc ) goto fail;
    rc = openDbis(s, txn, 1);
    if( rc ){ mdb_txn_abort(txn); goto fail; }
    rc = mdb_txn_commit(txn);
    if( rc ){ rc = xlate(s, rc, "create tables"); goto fail; }
    rc = faktStoreBegin(s, 1, &t);
    if( rc ) goto fail;
    rc = bootstrap(t);
    if( rc ){ faktStoreAbort(t); goto fail; }
    rc = faktStoreCommit(t);
    if( rc ) goto fail;
  }
  free(zReal);
  *ppStore = s;
  return FAKT_OK;

fail:
  if( pzErr ) *pzErr = strdup(s->zErr[0] ? s->zErr : "cannot open database");
  if( s->env ){
    mdb_env_close(s->env);
    s->env = NULL;
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
    unlink(zReal);                      /* openLocks made it; LMDB never did */
  }
  if( s->fdLock>=0 ) close(s->fdLock);
  faktPageGuardFree(s->pGuard);
  free(zReal);
  free(s->zPath);
  free(s->zRunDir);
  free(s);
  return rc;
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
  spareFree(s);
  if( s->env ) mdb_env_close(s->env);
  faktPageGuardFree(s->pGuard);          /* after LMDB: its last reads use it */
  if( s->fdLock>=0 ) close(s->fdLock);
  nameCacheClear(&s->keptNames);
  free(s->zPath);
  free(s->zRunDir);
  free(s);
}

const char *faktStoreErrmsg(FaktStore *s){
  if( s==NULL ) return "out of memory";
  return s->zErr[0] ? s->zErr : "not an error";
}

/* ================================================================ integrity check */

typedef struct Report {
  char *z;           /* text (malloc'd) */
  size_t n, nAlloc;  /* bytes used, allocated */
  int nProb;         /* problems found */
  int bOom;          /* an allocation failed */
} Report;

#define REPORT_MAX 200   /* problems listed; the rest are only counted */

static void problem(Report *r, const char *zFmt, ...){
  va_list ap;
  int n;
  r->nProb++;
  if( r->bOom || r->nProb>REPORT_MAX ) return;
  for(;;){
    size_t nAvail = r->nAlloc - r->n;
    if( r->z && nAvail>1 ){
      va_start(ap, zFmt);
      n = vsnprintf(r->z + r->n, nAvail - 1, zFmt, ap);
      va_end(ap);
      if( n>=0 && (size_t)n<nAvail-1 ){
        r->n += (size_t)n;
        r->z[r->n++] = '\n';
        r->z[r->n] = 0;
        return;
      }
    }
    {
      size_t nNew = r->nAlloc ? r->nAlloc*2 : 1024;
      char *zNew = realloc(r->z, nNew);
      if( zNew==NULL ){ r->bOom = 1; return; }
      r->z = zNew;
      r->nAlloc = nNew;
    }
  }
}

static int cmpU64(const void *a, const void *b){
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x<y ? -1 : x>y;
}

/* Expected stat keys of live claims, kind<<32|id. */
typedef struct StatList { uint64_t *a; size_t n, nAlloc; } StatList;

static int statPush(StatList *p, int kind, uint32_t id){
  if( p->n==p->nAlloc ){
    size_t nNew = p->nAlloc ? p->nAlloc*2 : 1024;
    uint64_t *aNew = realloc(p->a, nNew*sizeof(uint64_t));
    if( aNew==NULL ) return FAKT_NOMEM;
    p->a = aNew;
    p->nAlloc = nNew;
  }
  p->a[p->n++] = ((uint64_t)(uint8_t)kind<<32) | id;
  return FAKT_OK;
}

static int hasKey(StoreTxn *t, int iDb, const void *pK, size_t nK, MDB_val *pV){
  MDB_val v;
  return dbGet(t, iDb, pK, nK, pV ? pV : &v)==FAKT_OK;
}

static int hasObj(StoreTxn *t, uint32_t id){
  uint8_t k[4];
  idKey(k, id);
  return hasKey(t, DB_OBJ, k, 4, NULL);
}
static int hasStr(StoreTxn *t, uint32_t id){
  return faktDictText(t, id, NULL, NULL, NULL)==FAKT_OK;
}

/* An id a record refers to must name an object. */
static void needObj(StoreTxn *t, Report *r, uint32_t owner, const char *zField, uint32_t id){
  if( id==0 ) return;
  if( !hasObj(t, id) ) problem(r, "object %u: %s %u is not an object", owner, zField, id);
  if( !(id & FAKT_GEN_BIT) && !hasStr(t, id) ) problem(r, "object %u: %s %u has no name in i2s", owner, zField, id);
}
static void needStr(StoreTxn *t, Report *r, uint32_t owner, const char *zField, uint32_t id){
  if( id && !hasStr(t, id) ) problem(r, "object %u: %s %u is not in the dictionary", owner, zField, id);
}

/* The three index entries of one claim agree with its record. */
static void checkClaim(StoreTxn *t, Report *r, uint32_t id, const ClaimRec *c, uint32_t lastTx, StatList *pStat){
  uint8_t aK[3][KEY_IX], k[12];
  uint32_t oid, vAdd, vRet;
  MDB_val v;
  int i;
  ixKeys(c->s, c->p, c->o, id, aK);
  for(i=0; i<3; i++){
    if( !hasKey(t, DB_SPO+i, aK[i], KEY_IX, &v) ){
      problem(r, "claim %u: no %s entry", id, azDbName[DB_SPO+i]);
    }else if( !visDecode(v.mv_data, v.mv_size, &vAdd, &vRet) || vAdd!=c->txAdd || vRet!=c->txRet ){
      problem(r, "claim %u: %s visibility differs from the record", id, azDbName[DB_SPO+i]);
    }
  }
  if( c->txAdd>lastTx || c->txRet>lastTx ){
    problem(r, "claim %u: transaction %u/%u after last_tx %u", id, c->txAdd, c->txRet, lastTx);
  }
  if( c->o[0]>T_ID ) problem(r, "claim %u: object of unknown type %u", id, c->o[0]);
  needObj(t, r, id, "subject", c->s);
  needObj(t, r, id, "predicate", c->p);
  if( c->o[0]==T_ID ) needObj(t, r, id, "object", (uint32_t)faktDecU64(c->o+1));
  if( c->o[0]==T_STR ) needStr(t, r, id, "object string", (uint32_t)faktDecU64(c->o+1));
  needStr(t, r, id, "unit", c->unit);
  if( c->quote ){
    const char *zQ;
    int nQ;
    if( faktClaimQuote(t, c, &zQ, &nQ) ){
      problem(r, "claim %u: its quote's span %u-%u is not in the stored text of source %u",
              id, c->spanStart, c->spanEnd, c->source);
    }else if( !faktUtf8Valid(zQ, (size_t)nQ, NULL) ){
      problem(r, "claim %u: quote is not UTF-8", id);
    }
  }
  needObj(t, r, id, "source", c->source);
  needObj(t, r, id, "speaker", c->by);
  needObj(t, r, id, "stance", c->stance);
  for(i=0; i<(int)c->nVia; i++) needObj(t, r, id, "via", c->aVia[i]);
  if( c->source ){
    faktEncU32(k, c->source); faktEncU32(k+4, id);
    if( !hasKey(t, DB_SRCC, k, 8, NULL) ) problem(r, "claim %u: no srcc entry", id);
  }
  faktEncU64(k, faktClaimProp(c)); faktEncU32(k+8, id);
  if( !hasKey(t, DB_PROP, k, 12, NULL) ) problem(r, "claim %u: no prop entry", id);
  if( c->txRet==0 ){
    int bOk = statPush(pStat, 'S', c->s)==FAKT_OK && statPush(pStat, 'P', c->p)==FAKT_OK
           && statPush(pStat, 'T', 0)==FAKT_OK;
    if( bOk && objStatId(c->o, &oid) ) bOk = statPush(pStat, 'O', oid)==FAKT_OK;
    if( !bOk ) r->bOom = 1;
  }
  if( c->quote && !(id & FAKT_GEN_BIT) && statPush(pStat, 'N', 0)!=FAKT_OK ) r->bOom = 1;
}

static void checkEnt(StoreTxn *t, Report *r, uint32_t id, const EntRec *e){
  uint8_t a[ALIAS_MAX+5], g[8];
  size_t n;
  uint32_t i;
  MDB_val v;
  if( e->kind<K_ENTITY || e->kind>K_STANCE ) problem(r, "object %u: unknown kind %u", id, e->kind);
  if( e->objType>PT_CLAIM ) problem(r, "object %u: unknown object type %u", id, e->objType);
  needObj(t, r, id, "type", e->type);
  needObj(t, r, id, "outlet", e->outlet);
  for(i=0; i<=e->nAlias; i++){
    uint32_t strId = i==0 ? e->label : e->aAlias[i-1];
    if( strId==0 ) continue;
    if( !hasStr(t, strId) ){
      problem(r, "object %u: label or alias %u is not in the dictionary", id, strId);
      continue;
    }
    if( aliasKey(t, strId, id, a, &n)==FAKT_OK && n>0 && !hasKey(t, DB_ALIAS, a, n, NULL) ){
      problem(r, "object %u: no alias entry for string %u", id, strId);
    }
  }
  if( e->bCoords ){
    geoKey(g, e->lat, e->lon, id);
    if( !hasKey(t, DB_GEO, g, 8, &v) ){
      problem(r, "object %u: no geo entry", id);
    }else if( v.mv_size!=16 || decDouble(v.mv_data)!=e->lat || decDouble((const uint8_t*)v.mv_data+8)!=e->lon ){
      problem(r, "object %u: geo entry differs from the record", id);
    }
  }
}

/* Every entry of index iDb has its counterpart in spo (and the same Vis). */
static int checkIndexBack(StoreTxn *t, Report *r, int iDb){
  StoreCursor *c;
  MDB_val k, v, v2;
  int rc = curAcquire(t, iDb, NULL, 0, &c);
  if( rc ) return rc;
  while( (rc = curStep(c, &k, &v))==FAKT_ROW ){
    const uint8_t *a = k.mv_data;
    uint8_t s[KEY_IX];
    uint32_t vAdd, vRet;
    if( k.mv_size!=KEY_IX || !visDecode(v.mv_data, v.mv_size, &vAdd, &vRet) ){
      problem(r, "%s: entry of bad size", azDbName[iDb]);
      continue;
    }
    if( iDb==DB_POS ){
      memcpy(s, a+13, 4); memcpy(s+4, a, 4); memcpy(s+8, a+4, ENC_LEN);
    }else{
      memcpy(s, a+9, 4); memcpy(s+4, a+13, 4); memcpy(s+8, a, ENC_LEN);
    }
    memcpy(s+17, a+17, 4);
    if( !hasKey(t, DB_SPO, s, KEY_IX, &v2) ){
      problem(r, "%s entry of claim %u has no spo entry", azDbName[iDb], faktDecU32(a+17));
    }else if( v2.mv_size!=v.mv_size || memcmp(v2.mv_data, v.mv_data, v.mv_size)!=0 ){
      problem(r, "%s entry of claim %u: visibility differs from spo", azDbName[iDb], faktDecU32(a+17));
    }
  }
  faktCursorClose(c);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

/* spo entries: counterparts in pos and osp, and a claim record that matches. */
static int checkSpo(StoreTxn *t, Report *r){
  StoreCursor *c;
  MDB_val k, v, v2;
  int rc = curAcquire(t, DB_SPO, NULL, 0, &c);
  if( rc ) return rc;
  while( (rc = curStep(c, &k, &v))==FAKT_ROW ){
    const uint8_t *a = k.mv_data;
    uint8_t aK[3][KEY_IX];
    ClaimRec cr;
    uint32_t id;
    int i;
    uint32_t vAdd, vRet;
    if( k.mv_size!=KEY_IX || !visDecode(v.mv_data, v.mv_size, &vAdd, &vRet) ){
      problem(r, "spo: entry of bad size");
      continue;
    }
    id = faktDecU32(a+17);
    ixKeys(faktDecU32(a), faktDecU32(a+4), a+8, id, aK);
    for(i=1; i<3; i++){
      if( !hasKey(t, DB_SPO+i, aK[i], KEY_IX, &v2) ){
        problem(r, "spo entry of claim %u has no %s entry", id, azDbName[DB_SPO+i]);
      }else if( v2.mv_size!=v.mv_size || memcmp(v2.mv_data, v.mv_data, v.mv_size)!=0 ){
        problem(r, "spo entry of claim %u: visibility differs in %s", id, azDbName[DB_SPO+i]);
      }
    }
    if( faktClaimGet(t, id, &cr)!=FAKT_OK ){
      problem(r, "spo entry of claim %u: no claim record", id);
    }else if( cr.s!=faktDecU32(a) || cr.p!=faktDecU32(a+4) || memcmp(cr.o, a+8, ENC_LEN)!=0 ){
      problem(r, "spo entry of claim %u differs from its record", id);
    }
  }
  faktCursorClose(c);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

/* obj: records decode, match their indexes, refer to existing ids. */
static int checkObjects(StoreTxn *t, Report *r, uint32_t lastTx, uint32_t nextId, uint32_t nextGen, StatList *pStat){
  StoreCursor *c;
  MDB_val k, v;
  int rc = curAcquire(t, DB_OBJ, NULL, 0, &c);
  if( rc ) return rc;
  while( (rc = curStep(c, &k, &v))==FAKT_ROW ){
    uint32_t id;
    if( k.mv_size!=4 || v.mv_size<1 ){ problem(r, "obj: entry of bad size"); continue; }
    id = faktObjKeyId(k.mv_data);
    if( id & FAKT_GEN_BIT ){
      /* a generated claim _cN: named by its id, not in the dictionary */
      if( id==FAKT_GEN_BIT || (id & ~FAKT_GEN_BIT)>=nextGen ){
        problem(r, "object %u: generated claim _c%u not below next_gen %u", id, id & ~FAKT_GEN_BIT, nextGen);
      }
      if( ((const uint8_t*)v.mv_data)[0]!=K_CLAIM ) problem(r, "object %u: a generated claim id on something else", id);
    }else{
      if( id>=nextId ) problem(r, "object %u: id not below next_id %u", id, nextId);
      if( !hasStr(t, id) ) problem(r, "object %u has no name in i2s", id);
    }
    if( ((const uint8_t*)v.mv_data)[0]==K_CLAIM ){
      ClaimRec cr;
      if( claimDecode(v.mv_data, v.mv_size, &cr) ){ problem(r, "claim %u: record is damaged", id); continue; }
      checkClaim(t, r, id, &cr, lastTx, pStat);
    }else{
      EntRec e;
      if( entDecode(v.mv_data, v.mv_size, &e) ){ problem(r, "object %u: record is damaged", id); continue; }
      checkEnt(t, r, id, &e);
    }
  }
  faktCursorClose(c);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

/* Stored counts equal the recount (both sorted by kind, id). */
static int checkStats(StoreTxn *t, Report *r, StatList *p){
  StoreCursor *c;
  MDB_val k, v;
  size_t i = 0;
  int rc;
  if( p->n ) qsort(p->a, p->n, sizeof(uint64_t), cmpU64);
  rc = curAcquire(t, DB_STAT, NULL, 0, &c);
  if( rc ) return rc;
  for(;;){
    uint64_t key = UINT64_MAX, nWant = 0, nHave = 0;
    rc = curStep(c, &k, &v);
    if( rc!=FAKT_ROW && rc!=FAKT_DONE ) break;
    if( rc==FAKT_ROW ){
      if( k.mv_size!=5 || v.mv_size!=8 ){ problem(r, "stat: entry of bad size"); continue; }
      key = ((uint64_t)((const uint8_t*)k.mv_data)[0]<<32) | faktDecU32((const uint8_t*)k.mv_data+1);
      nHave = faktDecU64(v.mv_data);
    }
    /* expected keys below key: stored count missing */
    while( i<p->n && p->a[i]<key ){
      uint64_t x = p->a[i];
      size_t j = i;
      while( j<p->n && p->a[j]==x ) j++;
      problem(r, "stat %c%u: missing (recount %zu)", (int)(x>>32), (uint32_t)x, j-i);
      i = j;
    }
    if( rc==FAKT_DONE ){ rc = FAKT_OK; break; }
    while( i<p->n && p->a[i]==key ){ nWant++; i++; }
    if( nWant!=nHave ){
      problem(r, "stat %c%u: stored %llu, recount %llu", (int)(key>>32), (uint32_t)key,
              (unsigned long long)nHave, (unsigned long long)nWant);
    }
  }
  faktCursorClose(c);
  return rc;
}

/* A dictionary string: not a generated claim's name, and found by its s2i entry. */
static void checkStrText(StoreTxn *t, Report *r, uint32_t id, int ns, const char *z, size_t n){
  uint8_t sk[S2I_KEYMAX], ida[4];
  MDB_val kk, vv;
  StoreCursor *c;
  if( ns==NS_NAME && faktGenParse(z, (int)n, &(uint32_t){0}) ){
    problem(r, "string %u: the generated claim name %.*s is in the dictionary", id, (int)n, z);
  }
  kk.mv_size = s2iKey(sk, ns, z, n);
  faktEncU32(ida, id);
  if( curAcquire(t, DB_S2I, NULL, 0, &c)==FAKT_OK ){
    kk.mv_data = sk;
    vv.mv_data = ida; vv.mv_size = 4;
    if( mdb_cursor_get(c->mc, &kk, &vv, MDB_GET_BOTH)!=MDB_SUCCESS ){
      problem(r, "string %u has no s2i entry", id);
    }
    faktCursorClose(c);
  }
}

/*
** One i2s record under key (see faktDictText): a block whose ends are in
** order, whose ids are below nextId and follow *pIdStr without a gap, and
** whose texts check out; or an out-of-line text its block points to.
*/
static void checkI2s(StoreTxn *t, Report *r, uint32_t key, const uint8_t *a, size_t n,
                     uint32_t nextId, uint32_t *pIdStr){
  const uint8_t *e;
  size_t nE, nHdr, iEnd = 0;
  unsigned i;
  const char *z;
  int ns, nz;
  if( key & I2S_LONG ){
    uint32_t id = key & ~I2S_LONG;
    uint8_t k[4];
    MDB_val v;
    idKey(k, id >> I2S_SHIFT);
    if( n<1 + I2S_INLINE + 1 || id>=FAKT_GEN_BIT ){
      problem(r, "string %u: malformed out-of-line text", id);
    }else if( dbGet(t, DB_I2S, k, 4, &v)!=FAKT_OK
           || i2sEntry(v.mv_data, v.mv_size, id & (I2S_SLOTS-1), &e, &nE)!=FAKT_OK
           || nE!=1 || e[0]!=(a[0] | 0x80) ){
      problem(r, "string %u: out-of-line text its block does not point to", id);
    }
    return;                        /* its text is checked with its block */
  }
  if( key > (FAKT_GEN_BIT-1) >> I2S_SHIFT || i2sEntry(a, n, 0, &e, &nE)!=FAKT_OK ){
    problem(r, "i2s block %u: malformed", key);
    return;
  }
  nHdr = 1 + 2*(size_t)a[0];
  for(i=0; i<a[0]; i++){
    uint32_t id = (key << I2S_SHIFT) + i;
    size_t iNext = (size_t)a[1+2*i]<<8 | a[2+2*i];
    if( iNext<iEnd || iNext>n-nHdr ){
      problem(r, "i2s block %u: malformed", key);
      return;
    }
    e = a + nHdr + iEnd;
    nE = iNext - iEnd;
    iEnd = iNext;
    if( nE==0 ) continue;
    if( id>=nextId ) problem(r, "string %u: id not below next_id %u", id, nextId);
    if( id!=*pIdStr+1 ){
      if( id<=*pIdStr ) problem(r, "string %u: out of order", id);
      else problem(r, "strings %u to %u have no text (next_id %u)", *pIdStr+1, id-1, nextId);
    }
    *pIdStr = id;
    if( (e[0] & 0x80) && nE!=1 ){ problem(r, "string %u: malformed entry", id); continue; }
    if( faktDictBlockText(t, a, n, id, &ns, &z, &nz)!=FAKT_OK ){
      problem(r, "string %u: its out-of-line text is missing or damaged", id);
      continue;
    }
    checkStrText(t, r, id, ns, z, (size_t)nz);
  }
  if( iEnd!=n-nHdr ) problem(r, "i2s block %u: malformed", key);
}

/* alias, geo, srcc, prop, txlog, s2i and i2s entries point to real things. */
static int checkAux(StoreTxn *t, Report *r, uint32_t lastTx, uint32_t nextId){
  static const int aiDb[] = { DB_ALIAS, DB_GEO, DB_SRCC, DB_PROP, DB_TXLOG, DB_S2I, DB_I2S };
  size_t j;
  uint32_t idStr = 0;              /* the last string id of i2s seen */
  uint32_t txNext = 1;             /* the txlog record expected next */
  int rc = FAKT_OK;
  for(j=0; rc==FAKT_OK && j<sizeof(aiDb)/sizeof(aiDb[0]); j++){
    int iDb = aiDb[j];
    StoreCursor *c;
    MDB_val k, v;
    rc = curAcquire(t, iDb, NULL, 0, &c);
    if( rc ) break;
    while( (rc = curStep(c, &k, &v))==FAKT_ROW ){
      const uint8_t *a = k.mv_data;
      size_t n = k.mv_size;
      uint32_t id;
      EntRec e;
      ClaimRec cr;
      switch( iDb ){
        case DB_ALIAS:
          if( n<6 || a[n-5]!=0 ){ problem(r, "%s: malformed key", azDbName[iDb]); break; }
          id = faktDecU32(a+n-4);
          if( faktEntGet(t, id, &e)!=FAKT_OK ) problem(r, "alias entry for %u: no such entity", id);
          break;
        case DB_GEO:
          if( n!=8 ){ problem(r, "geo: malformed key"); break; }
          id = faktDecU32(a+4);
          if( faktEntGet(t, id, &e)!=FAKT_OK || !e.bCoords ){
            problem(r, "geo entry for %u: no such place", id);
          }else if( faktGeoCell(e.lat, e.lon)!=faktDecU32(a) ){
            problem(r, "geo entry for %u: stale cell", id);
          }
          break;
        case DB_SRCC:
          if( n!=8 ){ problem(r, "srcc: malformed key"); break; }
          id = faktDecU32(a+4);
          if( faktClaimGet(t, id, &cr)!=FAKT_OK || cr.source!=faktDecU32(a) ){
            problem(r, "srcc entry %u/%u: no such claim of that source", faktDecU32(a), id);
          }
          break;
        case DB_PROP:
          if( n!=12 ){ problem(r, "prop: malformed key"); break; }
          id = faktDecU32(a+8);
          if( faktClaimGet(t, id, &cr)!=FAKT_OK || faktClaimProp(&cr)!=faktDecU64(a) ){
            problem(r, "prop entry of %u: no such claim with that proposition", id);
          }
          break;
        case DB_TXLOG:
          if( n!=4 ){ problem(r, "txlog: malformed key"); break; }
          id = faktDecU32(a);
          if( id>lastTx ){ problem(r, "txlog entry %u beyond last_tx %u", id, lastTx); break; }
          if( v.mv_size!=TXREC_LEN ){
            problem(r, "txlog record %u is damaged (%zu bytes, not %d)", id, v.mv_size, TXREC_LEN);
          }
          if( id>txNext ) problem(r, "txlog: transactions %u to %u are missing", txNext, id-1);
          if( id>=txNext ) txNext = id+1;
          break;
        case DB_S2I: {
          int ns, nz;
          const char *z;
          uint8_t sk[S2I_KEYMAX];
          if( n<1 || v.mv_size!=4 || ((a[0] & 0x80) ? n!=9 : n>S2I_KEYMAX) ){
            problem(r, "s2i: malformed entry");
            break;
          }
          id = faktDecU32(v.mv_data);
          if( faktDictText(t, id, &ns, &z, &nz)!=FAKT_OK ){
            problem(r, "s2i entry points to %u, which is not in i2s", id);
          }else if( s2iKey(sk, ns, z, (size_t)nz)!=n || memcmp(sk, a, n)!=0 ){
            problem(r, "s2i entry for %u does not match its text", id);
          }
          break;
        }
        case DB_I2S:
          if( n!=4 ){ problem(r, "i2s: malformed key"); break; }
          checkI2s(t, r, faktObjKeyId(a), v.mv_data, v.mv_size, nextId, &idStr);
          break;
      }
    }
    faktCursorClose(c);
    if( rc==FAKT_DONE ) rc = FAKT_OK;
  }
  /* every commit from 1 to last_tx logged its record (faktStoreLogTx) */
  if( rc==FAKT_OK && txNext<=lastTx && lastTx<=STORE_TX_MAX ){
    problem(r, "txlog: transactions %u to %u are missing (last_tx %u)", txNext, lastTx, lastTx);
  }
  if( rc==FAKT_OK && idStr+1<nextId ){
    problem(r, "strings %u to %u have no text (next_id %u)", idStr+1, nextId-1, nextId);
  }
  return rc;
}

/*
** The page walk of pagecheck.c over the file, while the caller's read
** transaction keeps its snapshot: damage becomes a problem of the report.
** A file that kept changing under another writer is not judged.
*/
static int checkPages(FaktStore *s, Report *r){
  const char *zPath = NULL;
  char zWhy[256];
  char zFd[64];
  mdb_filehandle_t fd;
  int rc = mdb_env_get_path(s->env, &zPath);
  if( rc ) return xlate(s, rc, "check");
  if( access(zPath, F_OK)!=0 && mdb_env_get_fd(s->env, &fd)==0 ){
    /* the file was unlinked after the open (":memory:"): read it through
    ** the descriptor LMDB holds */
    snprintf(zFd, sizeof(zFd), "/proc/self/fd/%d", (int)fd);
    zPath = zFd;
  }
  rc = faktPageCheck(zPath, zWhy, sizeof(zWhy));
  if( rc==FAKT_CORRUPT ){ problem(r, "%s", zWhy); return FAKT_OK; }
  if( rc==FAKT_BUSY ) return FAKT_OK;
  if( rc ) setErr(s, "cannot check database %s: %s", zPath, zWhy);
  return rc;
}

/* Checking that the words of one doc have their postings. */
typedef struct FtsCheck {
  StoreTxn *t;               /* read txn of the check */
  Report *r;                 /* where problems go */
  uint32_t doc;              /* claim or source id */
  const char *zWhat;         /* "claim" or "source" */
  int bMissing;              /* a word without its posting was reported */
} FtsCheck;

/* Tokenizer callback: the posting (word, doc) exists. Reports the first
** missing word of a doc; a non-zero return is an error that stops the check. */
static int ftsCheckWord(void *pArg, const char *zTok, size_t nTok, size_t iOff){
  FtsCheck *p = (FtsCheck*)pArg;
  FtsCursor *c;
  uint32_t d = 0;
  int rc;
  (void)iOff;
  if( p->bMissing || nTok==0 ) return 0;
  rc = faktFtsOpen(p->t, zTok, (int)nTok, &c);
  if( rc ) return rc;
  rc = faktFtsSeek(c, p->doc, &d);
  faktFtsClose(c);
  if( rc==FAKT_ROW && d==p->doc ) return 0;
  if( rc!=FAKT_ROW && rc!=FAKT_DONE && rc!=FAKT_CORRUPT ) return rc;
  problem(p->r, "%s %u: no fts posting for \"%.*s\"", p->zWhat, p->doc, (int)nTok, zTok);
  p->bMissing = 1;
  return 0;
}

/*
** fts: every block decodes (key token + 0x00 + doc4, varints in bounds,
** ascending, at most FTS_BLOCK_DOCS), starts after the previous block of
** its token ends, and names existing objects; every claim's quote and
** every source's text has the postings of all its words.
*/
static int checkFts(StoreTxn *t, Report *r){
  StoreCursor *c;
  MDB_val k, v;
  uint8_t aPrev[ALIAS_MAX];  /* token of the previous block */
  size_t nPrev = 0;
  uint32_t prevLast = 0, aDoc[FTS_BLOCK_DOCS];
  int bPrev = 0, rc, j;
  rc = curAcquire(t, DB_FTS, NULL, 0, &c);
  if( rc ) return rc;
  while( (rc = curStep(c, &k, &v))==FAKT_ROW ){
    const uint8_t *a = k.mv_data;
    size_t nTok = k.mv_size - 5;
    uint32_t first;
    int nDoc, i;
    if( k.mv_size<6 || k.mv_size-5>ALIAS_MAX || a[nTok]!=0 || memchr(a, 0, nTok)!=NULL ){
      problem(r, "fts: malformed key");
      bPrev = 0;
      continue;
    }
    first = faktDecU32(a + nTok + 1);
    if( ftsDecode(first, v.mv_data, v.mv_size, aDoc, &nDoc) ){
      problem(r, "fts block of \"%.*s\" at %u: damaged (%zu bytes)", (int)nTok, (const char*)a, first, v.mv_size);
      bPrev = 0;
      continue;
    }
    if( bPrev && nPrev==nTok && memcmp(aPrev, a, nTok)==0 && first<=prevLast ){
      problem(r, "fts block of \"%.*s\" at %u overlaps the one before (up to %u)",
              (int)nTok, (const char*)a, first, prevLast);
    }
    for(i=0; i<nDoc; i++){
      if( !hasObj(t, aDoc[i]) ){
        problem(r, "fts posting of \"%.*s\" for %u: no such claim or source", (int)nTok, (const char*)a, aDoc[i]);
      }
    }
    memcpy(aPrev, a, nTok);
    nPrev = nTok;
    prevLast = aDoc[nDoc-1];
    bPrev = 1;
  }
  faktCursorClose(c);
  if( rc!=FAKT_DONE ) return rc;
  rc = FAKT_OK;
  /* the other way: the words of quotes (obj) and texts (text) */
  for(j=0; j<2 && rc==FAKT_OK; j++){
    int iDb = j==0 ? DB_OBJ : DB_TEXT;
    rc = curAcquire(t, iDb, NULL, 0, &c);
    if( rc ) return rc;
    while( (rc = curStep(c, &k, &v))==FAKT_ROW ){
      FtsCheck chk;
      ClaimRec cr;
      const char *z;
      size_t n;
      if( k.mv_size!=4 ) continue;            /* reported by the other checks */
      memset(&chk, 0, sizeof(chk));
      chk.t = t; chk.r = r;
      chk.doc = iDb==DB_OBJ ? faktObjKeyId(k.mv_data) : faktDecU32(k.mv_data);
      if( iDb==DB_OBJ ){
        if( v.mv_size<1 || ((const uint8_t*)v.mv_data)[0]!=K_CLAIM ) continue;
        int nQ;
        if( claimDecode(v.mv_data, v.mv_size, &cr) || cr.quote==0 ) continue;
        if( faktClaimQuote(t, &cr, &z, &nQ) ) continue;   /* reported by the claim checks */
        chk.zWhat = "claim"; n = (size_t)nQ;
      }else{
        chk.zWhat = "source"; z = v.mv_data; n = v.mv_size;
      }
      rc = faktTokenize(z, n, ftsCheckWord, &chk);
      if( rc ) break;
    }
    faktCursorClose(c);
    if( rc==FAKT_DONE ) rc = FAKT_OK;
  }
  return rc;
}

/*
** Write the last committed state of s to the new file zInto, rebuilt: every
** table is read in key order and written with MDB_APPEND, so the copy has
** no free pages and its leaf pages are full (pages that took random inserts
** are about two thirds full, and a long load leaves freed copy-on-write
** pages behind). s stays open and usable; zInto must not exist. On failure
** nothing is left at zInto.
*/
#define VACUUM_BYTES ((size_t)16 << 20)   /* or bytes per write transaction */
#define VACUUM_TXN 20000         /* puts per write transaction of the copy */
#define VACUUM_WINDOWS 512       /* 64 KiB windows of the source read between two drops */

/*
** Let the pages of env's map leave this process's resident set. The map is
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
static uint64_t mappedResident(void){
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

/* Count n reads or index puts of write txn t. Every nDropCheck of them,
** over all its flushes, look at how much of the file is mapped in; past
** StoreConfig.nMapped those pages leave the resident set (they stay in the
** page cache; a pointer into them stays good). A bulk load's sorted puts
** read most index pages once, its name and kind lookups most entity
** records, and LMDB's own reads add to them: without this the resident set
** grew by all of them. Dropping at a fixed count of index puts instead
** (every 32,768) let the 10M load's mapped pages reach 630 MB, and the
** reads it did not count 250 MB between two puts. */
static void dropTick(StoreTxn *t, uint64_t n){
  StoreTxn *r;
  if( !t->bWrite ) return;
  r = txnRoot(t);
  r->nUndropped += n;
  if( r->nUndropped>=t->s->nDropCheck ){
    r->nUndropped = 0;
    if( mappedResident()>t->s->nMapped ) dropMapped(mapPointer(t->s->env));
  }
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

/* Make the rename of a file in zPath's directory durable. */
static void syncDir(const char *zPath){
  char zDir[4096];
  const char *zSlash = strrchr(zPath, '/');
  size_t n = zSlash==NULL ? 0 : zSlash==zPath ? 1 : (size_t)(zSlash - zPath);
  int fd;
  if( n>=sizeof(zDir) ) return;
  if( n ) memcpy(zDir, zPath, n); else zDir[n++] = '.';
  zDir[n] = 0;
  fd = open(zDir, O_RDONLY | O_CLOEXEC);
  if( fd>=0 ){ fsync(fd); close(fd); }
}

/*
** The copy is written to zInto-vacuum beside zInto (locked with flock, so
** two vacuums into one name do not mix; a stale one, left by a killed
** vacuum, is emptied and reused) and gets the meta record "magic" only in
** its last transaction: until then fakt refuses it as "not a fakt
** database". After an fsync it is linked to zInto, which must not exist
** (link, unlike rename, never replaces a file made meanwhile), and the
** temporary name is removed.
*/
int faktStoreVacuum(FaktStore *s, const char *zInto){
  struct stat st;
  MDB_env *env = NULL;
  MDB_txn *rtxn = NULL, *wtxn = NULL;
  MDB_cursor *rc_ = NULL, *wc = NULL;
  MDB_dbi aDbi[DB_COUNT];
  MDB_envinfo info;
  MDB_stat mst;
  MDB_val mk, mv;
  char zTmp[4096];
  int rc, i, fd = -1;
  size_t nPut = 0, nBytes = 0, nWin = 0;
  uintptr_t iWinK = 0, iWinV = 0;
  const void *pSrcMap = NULL;          /* a pointer into the source's map */
  if( s==NULL || zInto==NULL || zInto[0]==0 ) return FAKT_MISUSE;
  if( snprintf(zTmp, sizeof(zTmp), "%s-vacuum", zInto)>=(int)sizeof(zTmp) ){
    setErr(s, "cannot vacuum: file name too long");
    return FAKT_CANTOPEN;
  }
  if( stat(zInto, &st)==0 ){
    setErr(s, "cannot vacuum into %s: the file exists", zInto);
    return FAKT_CANTOPEN;
  }
  fd = open(zTmp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if( fd<0 ){
    setErr(s, "cannot vacuum into %s: cannot create %s: %s", zInto, zTmp, strerror(errno));
    return errno==EACCES ? FAKT_PERM : FAKT_CANTOPEN;
  }
  if( flock(fd, LOCK_EX | LOCK_NB) ){
    setErr(s, "cannot vacuum into %s: another vacuum into it is running", zInto);
    close(fd);
    return FAKT_BUSY;
  }
  if( ftruncate(fd, 0) ){              /* what a killed vacuum left */
    setErr(s, "cannot vacuum into %s: cannot empty %s: %s", zInto, zTmp, strerror(errno));
    close(fd);
    unlink(zTmp);
    return FAKT_IOERR;
  }
  rc = mdb_env_info(s->env, &info);
  if( rc==0 ) rc = mdb_env_stat(s->env, &mst);
  if( rc==0 ) rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &rtxn);
  if( rc ){
    close(fd);
    unlink(zTmp);
    return xlate(s, rc, "vacuum");
  }
  /* the copy is no larger than the pages the source uses */
  uint64_t nMap = roundUp((uint64_t)(info.me_last_pgno + 1) * mst.ms_psize + ((uint64_t)64 << 20));
  rc = mdb_env_create(&env);
  if( rc==0 ) rc = mdb_env_set_maxdbs(env, 20);
  if( rc==0 ) rc = mdb_env_set_mapsize(env, (size_t)nMap);
  /* no lock file: nothing else opens the temporary */
  if( rc==0 ) rc = mdb_env_open(env, zTmp, MDB_NOSUBDIR | MDB_NOTLS | MDB_NOSYNC | MDB_NOLOCK, 0644);
  if( rc==0 ) rc = mdb_txn_begin(env, NULL, 0, &wtxn);
  for(i=0; rc==0 && i<DB_COUNT; i++){
    unsigned fl = 0;
    rc = mdb_dbi_flags(rtxn, s->aDbi[i], &fl);
    if( rc==0 ) rc = mdb_dbi_open(wtxn, azDbName[i], (fl & (MDB_DUPSORT|MDB_DUPFIXED|MDB_INTEGERKEY)) | MDB_CREATE, &aDbi[i]);
  }
  for(i=0; rc==0 && i<DB_COUNT; i++){
    unsigned fl = 0;
    MDB_val k, v;
    mdb_dbi_flags(rtxn, s->aDbi[i], &fl);
    rc = mdb_cursor_open(rtxn, s->aDbi[i], &rc_);
    if( rc==0 ) rc = mdb_cursor_open(wtxn, aDbi[i], &wc);
    if( rc==0 ) rc = mdb_cursor_get(rc_, &k, &v, MDB_FIRST);
    if( rc==0 && pSrcMap==NULL ) pSrcMap = k.mv_data;
    while( rc==0 ){
      /* the magic comes last: a copy cut short is no fakt database */
      if( i==DB_META && k.mv_size==5 && memcmp(k.mv_data, "magic", 5)==0 ){
        rc = mdb_cursor_get(rc_, &k, &v, MDB_NEXT);
        continue;
      }
      /* s2i keeps several ids under one hash (DUPSORT): plain puts there */
      rc = mdb_cursor_put(wc, &k, &v, (fl & MDB_DUPSORT) ? 0 : MDB_APPEND);
      nBytes += k.mv_size + v.mv_size;
      /* A read fault maps in the 64 KiB around the page (the kernel's
      ** fault-around), so a table whose pages lie scattered (s2i, written
      ** in hash order) takes 64 KiB of resident set per key: the 10M
      ** copy's went up by 200 MB between two commits. Count the windows
      ** the keys and values come from, and let the source's pages go
      ** every VACUUM_WINDOWS of them. */
      if( ((uintptr_t)k.mv_data >> 16)!=iWinK ){ iWinK = (uintptr_t)k.mv_data >> 16; nWin++; }
      if( ((uintptr_t)v.mv_data >> 16)!=iWinV ){ iWinV = (uintptr_t)v.mv_data >> 16; nWin++; }
      if( nWin>=VACUUM_WINDOWS ){ dropMapped(pSrcMap); nWin = 0; }
      if( rc==0 && (++nPut % VACUUM_TXN==0 || nBytes>VACUUM_BYTES) ){
        nBytes = 0;
        mdb_cursor_close(wc); wc = NULL;
        rc = mdb_txn_commit(wtxn);
        wtxn = NULL;
        dropMapped(pSrcMap);
        /* the copy's own map takes in a page in seven as LMDB appends
        ** (the 10M copy's grew to 400 MB): let those go too */
        if( rc==0 ) dropMapped(mapPointer(env));
        if( rc==0 ) rc = mdb_txn_begin(env, NULL, 0, &wtxn);
        if( rc==0 ) rc = mdb_cursor_open(wtxn, aDbi[i], &wc);
      }
      if( rc==0 ) rc = mdb_cursor_get(rc_, &k, &v, MDB_NEXT);
    }
    if( rc==MDB_NOTFOUND ) rc = 0;
    if( rc_ ){ mdb_cursor_close(rc_); rc_ = NULL; }
    if( wc ){ mdb_cursor_close(wc); wc = NULL; }
  }
  mk.mv_size = 5; mk.mv_data = "magic";
  mv.mv_size = 4; mv.mv_data = "fakt";
  if( rc==0 ) rc = mdb_put(wtxn, aDbi[DB_META], &mk, &mv, 0);
  if( rc==0 ){ rc = mdb_txn_commit(wtxn); wtxn = NULL; }
  if( rc==0 ) rc = mdb_env_sync(env, 1);
  dropMapped(pSrcMap);
  if( rc==0 ) dropMapped(mapPointer(env));
  if( wtxn ) mdb_txn_abort(wtxn);
  mdb_txn_abort(rtxn);
  if( env ) mdb_env_close(env);
  if( rc ){
    int r = xlate(s, rc, "vacuum");
    unlink(zTmp);
    close(fd);
    return r;
  }
  if( link(zTmp, zInto) ){
    int e = errno;
    /* a file system without hard links: rename, having looked first */
    if( e!=EEXIST && stat(zInto, &st)!=0 && rename(zTmp, zInto)==0 ) e = 0;
    if( e ){
      if( e==EEXIST ) setErr(s, "cannot vacuum into %s: the file exists", zInto);
      else setErr(s, "cannot vacuum into %s: %s", zInto, strerror(e));
      unlink(zTmp);
      close(fd);
      return FAKT_CANTOPEN;
    }
  }else{
    unlink(zTmp);
  }
  syncDir(zInto);
  close(fd);
  return FAKT_OK;
}

int faktStoreCheck(FaktStore *s, char **pzReport){
  StoreTxn *t = NULL;
  Report r;
  StatList st;
  uint32_t lastTx = 0, nextId = 0, nextGen = 0;
  char zWarn[200];             /* a warning that is not damage, or "" */
  int rc;
  memset(&r, 0, sizeof(r));
  memset(&st, 0, sizeof(st));
  zWarn[0] = 0;
  if( pzReport ) *pzReport = NULL;
  if( s==NULL ) return FAKT_MISUSE;
  rc = faktStoreBegin(s, 0, &t);
  if( rc ) return rc;
  rc = checkPages(s, &r);
  if( rc || r.nProb ){
    /* pages LMDB must not follow: stop before any lookup */
    faktStoreAbort(t);
    goto report;
  }
  rc = checkMeta(s, t);
  if( rc ){ problem(&r, "%s", s->zErr); rc = FAKT_OK; }
  if( metaGetU32(t, "last_tx", &lastTx) ){
    problem(&r, "meta: last_tx missing");
  }else if( lastTx>STORE_TX_MAX ){
    problem(&r, "meta: last_tx %u is past the last transaction id %u (damaged or wrapped)",
            lastTx, STORE_TX_MAX);
  }else if( STORE_TX_MAX-lastTx<STORE_TX_WARN ){
    snprintf(zWarn, sizeof(zWarn), "warning: last_tx is %u: only %u transaction ids are left;"
             " commits are refused after %u", lastTx, STORE_TX_MAX-lastTx, STORE_TX_MAX);
  }
  if( metaGetU32(t, "next_id", &nextId) ) problem(&r, "meta: next_id missing");
  if( metaGetU32(t, "next_gen", &nextGen) || nextGen==0 || nextGen>FAKT_GEN_BIT ){
    problem(&r, "meta: next_gen missing or damaged");
    nextGen = FAKT_GEN_BIT;
  }
  if( rc==FAKT_OK ) rc = checkSpo(t, &r);
  if( rc==FAKT_OK ) rc = checkIndexBack(t, &r, DB_POS);
  if( rc==FAKT_OK ) rc = checkIndexBack(t, &r, DB_OSP);
  if( rc==FAKT_OK ) rc = checkObjects(t, &r, lastTx, nextId, nextGen, &st);
  if( rc==FAKT_OK && !r.bOom ) rc = checkStats(t, &r, &st);
  if( rc==FAKT_OK ) rc = checkAux(t, &r, lastTx, nextId);
  if( rc==FAKT_OK ) rc = checkFts(t, &r);
  faktStoreAbort(t);
report:
  free(st.a);
  if( rc==FAKT_OK && r.bOom ){ setErr(s, "out of memory"); rc = FAKT_NOMEM; }
  if( rc ){ free(r.z); return rc; }
  if( r.nProb>REPORT_MAX ){
    int nAll = r.nProb;
    r.nProb = 0;
    problem(&r, "... %d problems in all", nAll);
    r.nProb = nAll;
  }
  if( r.nProb==0 ){
    /* "ok", then any warning on a line of its own */
    if( pzReport ){
      size_t nW = strlen(zWarn);
      *pzReport = malloc(4 + nW);
      if( *pzReport==NULL ){ free(r.z); return FAKT_NOMEM; }
      memcpy(*pzReport, "ok\n", 3);
      memcpy(*pzReport + (nW ? 3 : 2), zWarn, nW + 1);
    }
    free(r.z);
    return FAKT_OK;
  }
  if( zWarn[0] ){
    int nProb = r.nProb;
    r.nProb = 0;                 /* listed, not counted */
    problem(&r, "%s", zWarn);
    r.nProb = nProb;
  }
  if( r.n && r.z[r.n-1]=='\n' ) r.z[--r.n] = 0;
  if( pzReport ) *pzReport = r.z; else free(r.z);
  setErr(s, "database is corrupt: %d problem%s", r.nProb, r.nProb==1 ? "" : "s");
  return FAKT_CORRUPT;
}
