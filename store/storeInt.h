/*
** storeInt.h -- the store's private types and the API its files share.
** Included only by the .c files of store/; the engine sees store.h.
** Nothing here needs lmdb.h: the LMDB binding (kv.c) hands out opaque
** handles and {ptr,len} values, and every code it returns is already a
** FAKT_* code.
**
** The files, lowest first, and what each calls besides base/ and libc:
**   codec.c    encodings: integers, varints, record and key layouts, hashes
**   kv.c       the LMDB binding, the only includer of lmdb.h: codec.c
**   wbuf.c     the write buffer: pending puts, sorted runs, spill, merge,
**              pending statistics; no LMDB: codec.c, kv.c's messages
**   txn.c      transactions, the flushes of the write buffer (the only file
**              that orchestrates them), fakt's own locks, meta: codec.c,
**              kv.c, wbuf.c, and as steps of its work dict.c's name cache
**              and fts.c's merge of postings
**   dict.c     dictionary (s2i, i2s blocks) and the name cache: codec.c,
**              kv.c, txn.c, records.c's faktObjGetKind
**   records.c  objects, claims, alias/geo/srcc/prop, source text, rules,
**              statistics, txlog, the typed scans of the side tables:
**              codec.c, kv.c, txn.c, dict.c, fts.c, pagecheck.c
**   fts.c      full-text postings, writing and reading: codec.c, kv.c, txn.c
**   open.c, check.c (+ pagecheck.c), vacuum.c, rawtab.c: on top of them
** Shared functions carry their file's prefix: faktCodec, faktKv, faktWbuf,
** faktTxn, faktDict, faktRec, faktFts.
*/
#ifndef FAKT_STOREINT_H
#define FAKT_STOREINT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "fakt.h"
#include "store.h"
#include "pagecheck.h"

/* ================================================================ tables */

/* Named databases (see store.h for their layouts). ORDER: faktKvDbName. */
enum {
  DB_META = 0, DB_S2I, DB_I2S, DB_OBJ, DB_SPO, DB_POS, DB_OSP, DB_ALIAS,
  DB_SRCC, DB_PROP, DB_FTS, DB_GEO, DB_STAT, DB_RULE, DB_TXLOG, DB_TEXT,
  DB_COUNT
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
#define MAPPED_DEFAULT ((uint64_t)48 << 20)   /* StoreConfig.nMapped by default */
#define DIRTY_DEFAULT  ((uint64_t)64 << 20)   /* StoreConfig.nDirty by default */
#define MAPPED_READ_DEFAULT ((uint64_t)256 << 20)   /* faktStoreSetMapped by default */
#define DIRTY_MIN_PAGES 256                   /* and the fewest pages it may say */
#define LMDB_DIRTY_MAX ((1u << 17) - 1)       /* and the most: LMDB's MDB_IDL_UM_MAX */
#define READ_TICK_GET 16         /* a get of a read txn counts as many cursor steps */
#define TXN_CTR      2                        /* counters a write txn keeps: next_id, next_gen */
#define COMMIT_DROP 32768        /* index puts of a write txn after which the mapped
                                 ** pages are dropped (2^15) */

/* ================================================================ key and record layouts */

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
**   The proposition id is not stored: faktClaimProp computes it from the
**   names of s and p and the value of o (records.c).
*/
#define ENT_FIXED   52
#define ENT_ALIAS_MAX ((int)(sizeof(((EntRec*)0)->aAlias)/sizeof(uint32_t)))
#define CLAIM_VIA_MAX ((int)(sizeof(((ClaimRec*)0)->aVia)/sizeof(uint32_t)))
/* the alias count is one byte: every count it can hold fits EntRec.aAlias */
_Static_assert(sizeof(((EntRec*)0)->aAlias)/sizeof(uint32_t)==255, "alias count is one byte");

/*
** s2i keys (format 7): a text of at most S2I_TEXT bytes is its own key,
** ns + the bytes, so a lookup is one read and compares nothing more. A
** longer text is keyed by ns|0x80 + hash64 (8, BE); the key holds every
** id whose text hashes alike (DUPSORT), and a lookup compares each one's
** text through i2s (faktCodecS2iKey).
*/
#define S2I_TEXT    64
#define S2I_KEYMAX  (1 + S2I_TEXT)

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

/* fts blocks (format 3; see fts.c): token + 0x00 + first doc4 -> the
** varint gaps of the block's further docs. */
#define FTS_BLOCK_DOCS  128            /* doc ids in a block, at most */
#define FTS_BLOCK_BYTES 500            /* value bytes of a block, at most */
#define FTS_KEY_MAX     (ALIAS_MAX+5)  /* token + 0x00 + doc4 */
#define FTS_OP_DEL      1              /* pending value byte: delete the posting */

#define TXREC_LEN 20   /* txlog value: tMicros 8, nAdded 4, nRetracted 4, nOther 4 (BE) */

/* ================================================================ codec.c */

/* obj and i2s keys: the id as a native unsigned int (MDB_INTEGERKEY). */
void     faktCodecIdKey(uint8_t *k, uint32_t id);
uint32_t faktCodecIdGet(const void *p);
/* An index entry's value (Vis): tx_add, then tx_ret (never 0) once
** retracted: 4 bytes while live, 8 after (format 5). Decode: 1 if the value
** is well formed; inline, as every step of an index scan decodes one. */
size_t   faktCodecVisEncode(uint8_t *v, uint32_t txAdd, uint32_t txRet);
static inline int faktCodecVisDecode(const void *pv, size_t n, uint32_t *pAdd, uint32_t *pRet){
  const uint8_t *v = pv;
  if( n!=4 && n!=8 ) return 0;
  *pAdd = ((uint32_t)v[0]<<24) | ((uint32_t)v[1]<<16) | ((uint32_t)v[2]<<8) | v[3];
  *pRet = n==8 ? ((uint32_t)v[4]<<24) | ((uint32_t)v[5]<<16) | ((uint32_t)v[6]<<8) | v[7] : 0;
  return n==4 || *pRet!=0;
}
void     faktCodecEncDouble(uint8_t *p, double r);
double   faktCodecDecDouble(const uint8_t *p);
/* Records of obj (see above). Decoders: FAKT_OK or FAKT_CORRUPT, and they
** never read past a+n. */
size_t   faktCodecEntEncode(const EntRec *r, uint8_t *a);   /* ENT_FIXED + 4*nAlias bytes */
int      faktCodecEntDecode(const uint8_t *a, size_t n, EntRec *r);
size_t   faktCodecClaimSize(const ClaimRec *r);
size_t   faktCodecClaimEncode(const ClaimRec *r, uint8_t *a);   /* faktCodecClaimSize(r) bytes */
int      faktCodecClaimDecode(const uint8_t *a, size_t n, ClaimRec *r);
/* The spo, pos and osp keys of claim c (s, p, o). */
void     faktCodecIxKeys(uint32_t s, uint32_t p, const uint8_t *o, uint32_t c, uint8_t aK[3][KEY_IX]);
/* The geo key of a place: cell4 + id4. */
void     faktCodecGeoKey(uint8_t *a, double lat, double lon, uint32_t id);
/* The s2i key of (ns, z[0..n)) into a (S2I_KEYMAX bytes); its length. */
size_t   faktCodecS2iKey(uint8_t *a, int ns, const char *z, size_t n);
/* Entry iSlot of the i2s block a (n bytes): FAKT_OK with *ppE and *pnE (0
** when the slot is empty), or FAKT_CORRUPT when the block is malformed. */
int      faktCodecI2sEntry(const uint8_t *a, size_t n, unsigned iSlot, const uint8_t **ppE, size_t *pnE);
/* The id a claim's object is counted under in stat ('O'): 1 for T_ID/T_STR. */
int      faktCodecStatId(const uint8_t *o, uint32_t *pId);
/* fts blocks: the key token + 0x00 + doc (FTS_KEY_MAX bytes; its length);
** a block's docs (FAKT_CORRUPT unless it decodes within a[0..n)); the
** gaps of as many of a[k0..n) as fit a block of at most nMax docs. */
size_t   faktCodecFtsKey(uint8_t *a, const uint8_t *aTok, size_t nTok, uint32_t doc);
int      faktCodecFtsDecode(uint32_t first, const uint8_t *a, size_t n, uint32_t *aDoc, int *pnDoc);
int      faktCodecFtsPack(const uint32_t *a, int n, int nMax, int k0, uint8_t *aVal, size_t *pnVal);
/* qsort's order of uint64_t */
int      faktCodecCmpU64(const void *a, const void *b);

/* ================================================================ kv.c: the LMDB binding */
/*
** Handles are LMDB's own, opaque here: a KvTxn* is an MDB_txn*, a KvCursor*
** an MDB_cursor*. Values are views: KvVal.p points into the map (valid
** until the transaction ends or its next write). Every function returns
** FAKT_OK or a FAKT_* code and, for an error, leaves its message on the
** store (faktStoreErrmsg): "zWhat: what LMDB said", or what the code means
** for fakt (the map or the disk is full, a page failed its check). A key
** that is not there (FAKT_NOTFOUND) or already there (FAKT_CONSTRAINT)
** leaves no message. iDb is a DB_* table.
*/
typedef struct KvEnv KvEnv;
typedef struct KvTxn KvTxn;
typedef struct KvCursor KvCursor;
typedef struct KvVal { const void *p; size_t n; } KvVal;

#define KV_APPEND      0x01    /* put past the table's last key (else FAKT_CONSTRAINT) */
#define KV_NOOVERWRITE 0x02    /* FAKT_CONSTRAINT if the key is there */
#define KV_CURRENT     0x04    /* cursor put: replace the entry the cursor is on */

/* Cursor moves (faktKvCursorGet). SET, SET_RANGE and GET_BOTH read *pK
** (GET_BOTH *pV too); every move sets both to the entry it lands on. */
enum { KV_FIRST, KV_LAST, KV_NEXT, KV_PREV, KV_SET, KV_SET_RANGE, KV_GET_BOTH, KV_NEXT_DUP };

extern const char *const faktKvDbName[DB_COUNT];
/* Set the store's message (printf format). */
void faktKvSetErr(FaktStore *s, const char *zFmt, ...) __attribute__((format(printf, 2, 3)));
/* FAKT_CORRUPT for a damaged entry zWhat: names the damaged page instead
** when one failed its check. */
int  faktKvCorrupt(FaktStore *s, const char *zWhat);

/* -- the environment and its map */
/* Open the environment on file zReal (zPath in messages) with a map
** of nMap bytes, read-only if s->bReadonly; where the lock file cannot be
** written a read-only handle opens without it (s->bNoLock). Then
** faktKvSetPageCheck, before the first transaction. */
int  faktKvEnvOpen(FaktStore *s, const char *zReal, const char *zPath, uint64_t nMap);
/* Close it (NULL is harmless), letting the spare read txn go first. */
void faktKvEnvClose(FaktStore *s);
/* Install the page check (pagecheck.c's guard): xCheck on every page read,
** xWhy for the message of a page that failed (see faktPageGuardWhy). */
int  faktKvSetPageCheck(FaktStore *s, int (*xCheck)(void*, int, const void*, size_t, size_t, size_t),
                        int (*xWhy)(FaktPageGuard*, char*, size_t, int), FaktPageGuard *pGuard);
/* The page size, the pages of the last commit, the map size. */
int  faktKvMapInfo(FaktStore *s, uint32_t *pPsize, uint64_t *pnPage, uint64_t *pnMap);
int  faktKvMapUsed(FaktStore *s, uint64_t *pnUsed, uint64_t *pnMap);   /* bytes */
int  faktKvMapSet(FaktStore *s, uint64_t n);   /* no txn open; a failed remap kills the handle */
int  faktKvMapRoom(FaktStore *s);              /* before a top-level write txn (maybeGrow) */
int  faktKvMapGrow(FaktStore *s);              /* after FAKT_FULL, no txn open */
uint64_t faktKvMapResident(void);              /* file bytes this process has mapped in */
void faktKvMapDrop(FaktStore *s);              /* let the map's pages leave the resident set */
void faktKvReaderCheck(FaktStore *s);          /* free the reader slots of dead processes */
/* The file to read the data from: the environment's path, or its open
** descriptor under /proc when the file was unlinked (zBuf, nBuf bytes). */
int  faktKvPath(FaktStore *s, const char *zWhat, char *zBuf, size_t nBuf, const char **pzPath);
/* A compact copy of the last commit into the new file zInto (no lock
** file): every table in key order, appended; the key zKeyLast of table
** iDbLast goes in last, in the copy's final transaction. */
int  faktKvCopy(FaktStore *s, const char *zInto, int iDbLast, const char *zKeyLast);
static inline uint64_t faktKvRoundUp(uint64_t n){
  if( n<MAP_GRAIN ) return MAP_GRAIN;
  return (n + MAP_GRAIN - 1) / MAP_GRAIN * MAP_GRAIN;
}
static inline uint64_t faktKvRoundDown(uint64_t n){
  if( n<MAP_GRAIN ) return MAP_GRAIN;
  return n / MAP_GRAIN * MAP_GRAIN;
}

/* -- transactions and tables */
/* Top-level txn. A read reuses the spare; a map another process grew is
** adopted (if no txn of the handle is open) and the begin retried. */
int  faktKvTxnBegin(FaktStore *s, int bWrite, KvTxn **pp);
int  faktKvTxnNested(FaktStore *s, KvTxn *pParent, KvTxn **pp);
int  faktKvTxnCommit(FaktStore *s, KvTxn *txn, const char *zWhat);   /* frees txn */
void faktKvTxnAbort(KvTxn *txn);
void faktKvTxnEnd(FaktStore *s, KvTxn *txn);   /* a read txn's end: kept as the spare */
size_t faktKvTxnId(KvTxn *txn);
int  faktKvDbOpen(FaktStore *s, KvTxn *txn, int bCreate);   /* every table, into s->aDbi */

int  faktKvGet(FaktStore *s, KvTxn *txn, int iDb, const void *pK, size_t nK, KvVal *pV);
int  faktKvPut(FaktStore *s, KvTxn *txn, int iDb, const void *pK, size_t nK,
               const void *pV, size_t nV, unsigned fl);
/* Make room for nV bytes of value: *ppOut is where to write them (valid
** until the next write). fl: KV_APPEND or 0. */
int  faktKvReserve(FaktStore *s, KvTxn *txn, int iDb, const void *pK, size_t nK,
                   size_t nV, unsigned fl, uint8_t **ppOut);
int  faktKvDel(FaktStore *s, KvTxn *txn, int iDb, const void *pK, size_t nK);
uint64_t faktKvEntries(FaktStore *s, KvTxn *txn, int iDb);   /* 0 on failure */
/* The main database's record of table zName (its MDB_db), silently. */
int  faktKvMainGet(FaktStore *s, KvTxn *txn, const char *zName, KvVal *pV);

/* -- cursors */
int  faktKvCursorOpen(FaktStore *s, KvTxn *txn, int iDb, const char *zWhat, KvCursor **pp);
void faktKvCursorClose(KvCursor *mc);
/* FAKT_OK, FAKT_NOTFOUND, or an error ("zWhat: ..."). */
int  faktKvCursorGet(FaktStore *s, KvCursor *mc, KvVal *pK, KvVal *pV, int op, const char *zWhat);
int  faktKvCursorPut(FaktStore *s, KvCursor *mc, const KvVal *pK, const KvVal *pV, unsigned fl,
                     const char *zWhat);
/* A StoreCursor of t on table iDb positioned before aPrefix: a free one
** of t's, or a new one (faktTxnCursor checks and flushes first). */
int  faktKvCursorAcquire(StoreTxn *t, int iDb, const uint8_t *aPrefix, int nPrefix, StoreCursor **pp);
/* The next key of c's prefix: FAKT_ROW with views, FAKT_DONE, or an error. */
int  faktKvCursorStep(StoreCursor *c, KvVal *pK, KvVal *pV);
void faktKvCursorFreeAll(StoreTxn *t);   /* at the end of t */

/* Sorted puts into one table (a flush): a key past the table's last key
** when the writer began goes in with MDB_APPEND, which leaves full pages. */
typedef struct KvAppend {
  KvCursor *mc;              /* on the table (owned) */
  int bLast;                 /* aLast holds the table's last key: compare */
  size_t nLast;
  uint8_t aLast[CUR_PREFIX_MAX];
} KvAppend;
int  faktKvAppendBegin(FaktStore *s, KvTxn *txn, int iDb, KvAppend *pA, const char *zWhat);
int  faktKvAppendPut(FaktStore *s, KvAppend *pA, const void *pK, size_t nK, const void *pV, size_t nV,
                     const char *zWhat);
void faktKvAppendEnd(KvAppend *pA);

/* ================================================================ the write buffer (wbuf.c) */

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
** into the trees: it is sorted into a run (faktWbufSpill), front-coded (a
** third of the entries' bytes), kept in memory while the runs fit
** FaktStore.nRunMem, and the buffer starts again; the run that would pass
** that budget goes to a temporary file, and the runs in memory go there
** first (a load too large for the budget keeps none in memory, where it
** would add the budget to its peak). The next flush merges all runs and
** the buffer in one pass (faktWbufMerge), so that each leaf page is
** changed once per flush, not once per run, and a bulk load into empty
** trees is nothing but appends; the runs in memory are let go as the merge
** reads them, while LMDB's dirty pages grow. A transaction that cannot
** keep or write a run flushes the old way from then on. txn.c decides when
** to flush and writes the sorted entries into LMDB; wbuf.c never touches
** it.
**
** A full buffer is sorted and made a run on a thread of the transaction's
** own (PendWork, wbuf.c), made at its first spill, while the loading
** thread fills a second buffer; anything that looks at the runs first
** waits for that sort (faktWbufSettle). The same thread merges while the
** transaction's thread puts the merged entries into LMDB.
*/
typedef struct PendWork PendWork;
typedef struct PendRun {
  uint64_t iOff, nByte;      /* bytes [iOff, iOff+nByte) of the run file, or of aMem */
  uint8_t *aMem;             /* a run kept in memory: an anonymous map of nMap
                             ** bytes (owned), else NULL */
  size_t nMap;
} PendRun;
typedef struct PendEnt {
  uint64_t k0, k1;           /* the key's first 16 bytes, big-endian, zero-padded:
                             ** most comparisons end here, without memcmp */
  uint32_t iOff;             /* key bytes, then value bytes, at aByte+iOff; the
                             ** bytes are appended: also the order of arrival */
  uint16_t nKey;             /* key bytes */
  uint8_t nVal;              /* value bytes (index values are at most 8) */
  uint8_t iDb;               /* DB_* */
} PendEnt;                   /* 24 bytes */
typedef struct Pending {
  PendEnt *a;                /* entries */
  size_t n, nAlloc;
  uint8_t *aByte;            /* their keys and values */
  size_t nByte, nByteAlloc;
  PendEnt *aTmp;             /* nAlloc entries: the radix sort's scratch */
  int bInChild;              /* also written into the open nested txn: if it
                             ** commits they are done, if it aborts not */
  PendRun *aRun;             /* runs in memory or in the run file, oldest first */
  size_t nRun, nRunAlloc;
  uint64_t nRunByte;         /* bytes of the run file in use */
  uint64_t nRunMem;          /* bytes of the runs kept in memory (PendRun.nMap) */
  int bRunFile;              /* they outgrew FaktStore.nRunMem: every run is in
                             ** the file, until the next merge */
  int fdRun;                 /* the run file's descriptor + 1 (0: none yet) */
  int bNoRun;                /* no run can be made: flush instead */
  PendWork *pWork;           /* the sorter and its buffer (wbuf.c), from the
                             ** first spill on; owned */
  int bSorting;              /* it sorts a buffer of p's: faktWbufSettle takes
                             ** the run */
} Pending;
#define PEND_FLUSH  ((size_t)8 << 20)    /* spill or flush past this many bytes */
#define PEND_CHUNK  ((size_t)2 << 20)    /* a merge writes the trees this much at a time */
#define RUN_BUF_ALL ((size_t)16 << 20)   /* read buffers of all runs of a merge, about */
#define RUN_MEM_DEFAULT ((uint64_t)128 << 20)   /* runs a txn keeps in memory (StoreConfig.nRunMem),
                                 ** at most a sixteenth of the RAM */
#define PEND_AHEAD  8                    /* entries whose bytes a flush prefetches ahead */
#define PEND_VAL_MAX 8

/* The tables whose puts wait in the buffer. */
static inline int faktWbufIsIndexDb(int iDb){
  return iDb==DB_SPO || iDb==DB_POS || iDb==DB_OSP || iDb==DB_SRCC || iDb==DB_PROP || iDb==DB_FTS;
}
/* Entry i of p's sorted buffer is followed by a later put of its key
** (which wins). */
static inline int faktWbufShadowed(const Pending *p, size_t i){
  const PendEnt *e = &p->a[i], *f = e + 1;
  return i+1<p->n && f->iDb==e->iDb && f->nKey==e->nKey && f->k0==e->k0 && f->k1==e->k1
      && memcmp(p->aByte + f->iOff, p->aByte + e->iOff, e->nKey)==0;
}
void faktWbufClear(Pending *p);     /* free everything; the sorter joined */
void faktWbufEmpty(Pending *p);     /* no entries and no runs; buffers kept (settled) */
/* Append the put (iDb, pK[0..nK), pV[0..nV)) after every entry there
** (nK <= CUR_PREFIX_MAX, nV <= PEND_VAL_MAX). FAKT_NOMEM. */
int  faktWbufAppend(Pending *p, int iDb, const void *pK, size_t nK, const void *pV, size_t nV);
int  faktWbufSort(Pending *p, FaktStore *s);   /* pendCmp's order; FAKT_NOMEM */
void faktWbufTrim(Pending *p);      /* free the sort's scratch, the sorter's spare buffer,
                                    ** and p's own if empty */
/* The buffer is full: the sorter sorts it and makes it a run, in memory
** or in the run file, while p fills its other buffer. *pbFlush = 1 when
** no run can be made (no memory for it, and no run file: none can be
** made, it would pass StoreConfig.nRunMax, a write failed; now or for
** the run before): the caller flushes instead, now and for the rest of
** the transaction. */
int  faktWbufSpill(Pending *p, FaktStore *s, int *pbFlush);
/* Wait for the sort of p's sorter and take its run (or, if it failed, its
** buffer back into p's): before anything looks at p's runs or buffer.
** FAKT_NOMEM. */
int  faktWbufSettle(Pending *p, FaktStore *s);
/* The bytes of runs a write txn keeps in memory: nCfg, or if 0 the
** default (RUN_MEM_DEFAULT, at most a sixteenth of the RAM). */
uint64_t faktWbufMemBudget(uint64_t nCfg);
/* Merge p's runs and its sorted buffer, and hand the result to xApply
** PEND_CHUNK bytes at a time, sorted, a key's latest put only. The runs
** and the buffer are left as they are, unless bConsume: then the runs
** kept in memory are let go as they are read, and p must be emptied
** after (faktWbufEmpty), whatever the merge returns. */
int  faktWbufMerge(Pending *p, FaktStore *s, int bConsume, int (*xApply)(void*, const Pending*), void *pArg);

/*
** Statistics deltas (kind, id) -> delta of a write transaction, an open
** addressing table. A nested transaction keeps its own and adds them to its
** parent's at commit; the top level writes them to the stat DB at commit.
** faktStatGet adds the deltas of the transaction and its ancestors. An add
** waits in a short queue while its slot is fetched into the cache (wbuf.c);
** drain it before walking the slots.
*/
typedef struct StatSlot { uint64_t key; int64_t delta; } StatSlot;   /* key 0: empty */
#define STAT_Q 16                /* adds waiting for their slot */
typedef struct StatTab {
  StatSlot *a;               /* nSlot slots, a power of two */
  size_t nSlot, nUsed;
  StatSlot aQ[STAT_Q];       /* a ring of nQ adds from iQ on, not in a[] yet */
  int iQ, nQ;
} StatTab;
/* kind and id in one non-zero key */
static inline uint64_t faktWbufStatKey(int kind, uint32_t id){
  return ((uint64_t)(uint8_t)kind << 32) | id;
}
int     faktWbufStatAdd(StatTab *p, uint64_t key, int64_t delta);   /* FAKT_NOMEM */
int64_t faktWbufStatGet(const StatTab *p, uint64_t key);        /* the queue's too */
int     faktWbufStatDrain(StatTab *p);   /* the queue into the slots: FAKT_NOMEM */
void    faktWbufStatClear(StatTab *p);

/* ================================================================ the name cache (dict.c) */

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

void faktDictCacheClear(NameCache *c);
NameCache *faktDictCacheOf(StoreTxn *t);   /* the root write txn's, or NULL */
int  faktDictKindFind(const NameCache *c, uint32_t id);   /* the kind, or -1 */
void faktDictKindAdd(NameCache *c, uint32_t id, int k);

/* ================================================================ the handle and its transactions */

struct FaktStore {
  KvEnv *env;                /* the environment (owned) */
  FaktPageGuard *pGuard;     /* pages LMDB read and found sound (owned; pagecheck.c) */
  int (*xPageWhy)(FaktPageGuard*, char*, size_t, int);   /* its verdict, for kv.c's messages */
  unsigned aDbi[DB_COUNT];   /* named databases (MDB_dbi), valid for the env's life */
  int bReadonly;             /* opened read-only */
  int bNoLock;               /* opened with MDB_NOLOCK (read-only, lock not creatable) */
  int bAsLimit;              /* the address space kept the map from growing (mapFit) */
  int bMapLost;              /* a remap failed: LMDB has no map, the handle is dead */
  int bDiskFull;             /* the last write failed for want of disk (kv.c) */
  char *zPath;               /* the file's name as given, for messages */
  uint64_t nMapMax;          /* hard limit of the map size */
  uint64_t nRoom;            /* least free map before a write txn (faktKvMapRoom) */
  uint64_t nMapped;          /* mapped file bytes a write txn keeps resident (faktTxnDropTick) */
  uint64_t nDropCheck;       /* reads and puts between two looks at them */
  _Atomic uint64_t nMappedRead; /* mapped file bytes reads leave resident (0: any;
                             ** faktStoreSetMapped) */
  _Atomic uint64_t nReadCheck;  /* read ticks until the next look at them (kv.c
                             ** sets it from the growth it saw) */
  _Atomic uint64_t nReadMax;    /* the most ticks between two looks */
  _Atomic uint64_t nReadRes;    /* the mapped bytes at the last look */
  _Atomic uint64_t nReadTicks;  /* ticks of read txns that ended since the last
                             ** look (faktKvReadEnd); read txns run on several
                             ** threads at once, each counts its own first */
  uint64_t nDirty;           /* bytes of dirty pages a write txn holds before
                             ** LMDB writes some out (StoreConfig.nDirty) */
  int nTxn;                  /* top-level transactions open on this handle */
  StoreTxn *pTxnList;        /* those transactions (for faktStoreClose) */
  StoreTxn *pWriter;         /* the open top-level write transaction, or NULL */
  uint64_t nRemap;           /* calls of mdb_env_set_mapsize after the open: each
                             ** may move the map (faktStoreSnapshot) */
  KvTxn *pSpare;             /* a read txn reset at its end, renewed by the next
                             ** read: that keeps its slot in the reader table,
                             ** so a read begins without the table's lock */
  char *zRunDir;             /* where a write txn spills its sorted runs (Pending) */
  size_t nPendFlush;         /* pending bytes that make a sorted run (PEND_FLUSH) */
  uint64_t nRunMax;          /* most bytes of runs a txn spills (0: no limit) */
  uint64_t nRunMem;          /* most bytes of runs a txn keeps in memory */
  NameCache keptNames;       /* the name cache of the last write txn committed here */
  size_t keptTxnId;          /* and that txn's LMDB id (keptNames valid for id+1) */
  int fdLock;                /* the data file, for fakt's own locks (txn.c), or -1 */
  int bWLocked;              /* this handle holds the writer lock */
  int nBusyMs;               /* how long a writer waits for the lock (faktStoreBusyTimeout) */
  char zErr[512];            /* last message */
};

/*
** Count n reads of read txn t (READ_TICK_GET a get, 1 a cursor step; p is
** what the read returned, a pointer into the map). After nReadCheck of
** them (kv.c sets it from how fast the mapped pages grew), in one txn or
** over the txns that ended (faktKvReadEnd), kv.c looks
** at the pages of files this process has mapped in, and past nMappedRead
** (faktStoreSetMapped) lets the map's pages go (faktKvReadLook): a read
** maps in the pages it touches, and a long-lived reader (a server, a
** shell, a query over the whole file) would otherwise end up holding the
** file. Statements read on several threads at once (fakt_column_text takes
** no lock), so a txn counts in its own fields and adds them to the
** store's atomic count when it ends.
*/
void faktKvReadLook(StoreTxn *t, const void *p);
void faktKvReadEnd(StoreTxn *t);

/*
** A transaction. Owns its cursors: each cursor open takes a free one of
** the same DB from pCur or makes a new one; faktCursorClose only marks it
** free. Commit/abort closes and frees all of them, so a cursor must not be
** used or closed after its transaction ended.
*/
struct StoreTxn {
  FaktStore *s;              /* owning store */
  KvTxn *txn;                /* LMDB transaction (owned) */
  StoreTxn *pParent;         /* enclosing write txn of a nested one */
  StoreTxn *pChild;          /* open nested txn, or NULL */
  StoreTxn *pNextTxn;        /* list of top-level txns of the store */
  int bWrite;                /* write transaction */
  int rcErr;                 /* sticky error: a failed write dooms the txn */
  StoreCursor *pCur;         /* every cursor made in this txn */
  uint64_t nWrite;           /* writes made through this txn (faktStoreWrites) */
  Pending pend;              /* index puts not yet in LMDB (top-level txns only) */
  int bEnding;               /* its commit is under way: keep no buffer for later */
  StatTab stat;              /* statistics deltas not yet in LMDB */
  uint32_t textSrc;          /* read txns: source whose text is cached, or 0 */
  KvVal textVal;             /* that text (in the map: a read txn never moves it) */
  NameCache names;           /* top-level write txns only */
  struct PropNames *pPropNames; /* root txn: hashes of names for proposition
                             ** ids (records.c), allocated on first use */
  uint32_t aCtr[TXN_CTR];    /* write txns: meta next_id, next_gen as this txn
                             ** sees them (txn.c) */
  uint8_t aCtrState[TXN_CTR];/* 0: see the parent's (or meta); 1: read; 2: changed;
                             ** 3: deleted */
  uint32_t aObjFree[2];      /* root write txn: no obj record has a plain id from
                             ** [0] on, nor a generated _cN with N from [1] on
                             ** (0: not known yet; faktTxnObjFree) */
  uint64_t nReadTicks;       /* read txns: reads not yet counted by the store
                             ** (faktKvReadTick) */
  const void *pReadLast;     /* and the last thing they returned (in the map) */
  uint64_t nUndropped;       /* top-level: reads and index puts since the
                             ** mapped pages were last looked at (faktTxnDropTick) */
  int ePf;                   /* read txns, faktObjLeaf: 0 not set up, 1 on, 2 off */
  const uint8_t *pPfMap;     /* the map's first byte */
  size_t nPfPage;            /* pages inside the file */
  size_t szPfPage;           /* page size */
  size_t pgPfRoot;           /* obj's root page in this snapshot */
};

/* A prefix cursor on one table (kv.c). */
struct StoreCursor {
  StoreTxn *t;               /* owning transaction */
  KvCursor *mc;              /* LMDB cursor (owned, lives as long as t) */
  int iDb;                   /* DB_* */
  int bInUse;                /* handed out to a caller */
  int eState;                /* 0 before the first key, 1 walking, 2 done */
  int nPrefix;               /* bytes in aPrefix */
  StoreCursor *pNext;        /* next cursor of the txn */
  uint8_t aPrefix[CUR_PREFIX_MAX];
};

/* ================================================================ txn.c */

/* Forget the hashes of names the root txn r cached for proposition ids
** (records.c): a nested txn that aborts may have named ids they hold. */
void faktPropNamesClear(StoreTxn *r);

static inline void faktKvReadTick(StoreTxn *t, uint64_t n, const void *p){
  t->pReadLast = p;
  if( (t->nReadTicks += n) >= atomic_load_explicit(&t->s->nReadCheck, memory_order_relaxed) ){
    faktKvReadLook(t, p);
  }
}

/* The outermost transaction of t, which holds the name cache. */
static inline StoreTxn *faktTxnRoot(StoreTxn *t){
  while( t->pParent ) t = t->pParent;
  return t;
}
/* Checks common to every write: a write txn, no open child, not doomed. */
int  faktTxnWritable(StoreTxn *t);
/* Before t reads or writes table iDb directly: the pending puts of an
** index table go into LMDB first (write txns), and the read counts
** towards letting mapped pages go. */
int  faktTxnReady(StoreTxn *t, int iDb);
/* Get: FAKT_OK with *pV (in the map), FAKT_NOTFOUND, or an error. A read
** txn goes straight to LMDB: it has nothing pending. */
static inline int faktTxnGet(StoreTxn *t, int iDb, const void *pK, size_t nK, KvVal *pV){
  if( t->bWrite ){
    int rc = faktTxnReady(t, iDb);
    if( rc ) return rc;
    return faktKvGet(t->s, t->txn, iDb, pK, nK, pV);
  }
  int rc = faktKvGet(t->s, t->txn, iDb, pK, nK, pV);
  if( rc==FAKT_OK ) faktKvReadTick(t, READ_TICK_GET, pV->p);
  return rc;
}
/* Put (fl: KV_NOOVERWRITE or 0), reserve, delete. A failure other than
** FAKT_CONSTRAINT or FAKT_NOTFOUND dooms the transaction. */
int  faktTxnPut(StoreTxn *t, int iDb, const void *pK, size_t nK, const void *pV, size_t nV, unsigned fl);
int  faktTxnReserve(StoreTxn *t, int iDb, const void *pK, size_t nK, size_t nV, uint8_t **ppOut);
int  faktTxnDel(StoreTxn *t, int iDb, const void *pK, size_t nK);
/* Put into an index table: buffered until the next flush (a nested txn's
** buffer goes to its parent's when it commits). */
int  faktTxnIndexPut(StoreTxn *t, int iDb, const void *pK, size_t nK, const void *pV, size_t nV);
/* A prefix cursor on table iDb, after flushing what is pending for it. */
int  faktTxnCursor(StoreTxn *t, int iDb, const uint8_t *aPrefix, int nPrefix, StoreCursor **pp);
/* Count n reads or index puts of write txn t (mapped pages, see txn.c). */
void faktTxnDropTick(StoreTxn *t, uint64_t n);
/* meta: u32 records, next_gen, and the magic and format of a database.
** A write txn keeps next_id and next_gen (TXN_CTR counters) and writes them
** into meta at its commit; faktTxnMetaGet and faktTxnMetaPut go through
** them. */
int  faktTxnMetaGet(StoreTxn *t, const char *zKey, uint32_t *pV);
int  faktTxnMetaPut(StoreTxn *t, const char *zKey, uint32_t v);
int  faktTxnNextGen(StoreTxn *t, uint32_t *pN);
int  faktTxnMetaCheck(FaktStore *s, StoreTxn *t);
/* 1 if write txn t knows, without a read, that object id does not exist
** (it is past every id obj held when t's root began and every obj put
** since); 0 if obj must be read to know. */
int  faktTxnObjFree(StoreTxn *t, uint32_t id);
/* fakt's own locks on the data file zReal (FAKT_MISUSE: open twice here). */
int  faktTxnLockOpen(FaktStore *s, const char *zReal, int bCreate);

/* ================================================================ records.c, fts.c */

/* The alias key of dictionary string strId for entity id into a
** (ALIAS_MAX+5 bytes); *pn = 0 when the text folds to nothing. */
int  faktRecAliasKey(StoreTxn *t, uint32_t strId, uint32_t id, uint8_t *a, size_t *pn);

/* Index (or unindex) the words of z[0..n) for doc, through the write
** buffer. z must not point into the map. */
int  faktFtsDoc(StoreTxn *t, uint32_t doc, const char *z, size_t n, int bDel);
/* The fts entries a[0..n) of a flush, sorted by (token, doc) then
** arrival: each token's changes merged into its posting blocks. An error
** dooms t. */
int  faktFtsFlush(StoreTxn *t, const PendEnt *a, size_t n, const uint8_t *aByte);

#endif /* FAKT_STOREINT_H */
