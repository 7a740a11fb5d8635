/*
** store.h -- fakt's storage layer on LMDB: the engine's view of store/.
** The folder owns the database file: its tables and their encodings, the
** transactions and their write buffer, the dictionary, the records and
** the full-text postings, the integrity check and the vacuum. It calls
** only base/ and LMDB, never upward into engine/. kv.c, the LMDB binding,
** is the only file that includes lmdb.h; every MDB_* code is translated to
** a FAKT_* code with a message there. The files and the private API they
** share are listed in storeInt.h; tests that damage a database on purpose
** reach the tables by name through storeTest.h.
**
** One database = one file (MDB_NOSUBDIR) plus "<path>-lock". Named
** databases inside it (see SPEC.md "On-disk layout"):
**   meta   "format" -> u32 BE format version (FAKT_FORMAT_VERSION);
**          "next_id" -> u32 BE; "next_gen" -> u32 BE; "last_tx" -> u32 BE;
**          "magic" -> "fakt"
**   s2i    ns(1) + text (<= 64 bytes) -> id u32 BE; for a longer text,
**          ns|0x80 + hash64 BE(8) -> id u32 BE (MDB_DUPSORT: collisions)
**   i2s    id>>6 u32 native (INTEGERKEY) -> a block of the texts of 64 ids
**          (ns(1) + text bytes each; see faktDictText); 0x80000000|id ->
**          ns(1) + text of one longer than 120 bytes
**   obj    id u32 native (INTEGERKEY) -> ObjRec (entities, sources, claims, ...)
**   spo    s4 p4 o9 c4           -> Vis (tx_add u32 BE; then tx_ret u32 BE once retracted)
**   pos    p4 o9 s4 c4           -> Vis
**   osp    o9 s4 p4 c4           -> Vis
**   alias  folded text (<=400 bytes) + 0x00 + id4 -> ()
**   srcc   source4 + claim4      -> ()
**   prop   prop hash8 + claim4   -> ()
**   fts    folded token + 0x00 + first doc4 -> the block's further doc ids,
**          ascending, as LEB128 varint gaps (doc: claim or source id; a block
**          holds at most 128 ids; see faktFtsOpen)
**   geo    cell4 + id4           -> lat(8) lon(8) IEEE BE
**   stat   kind(1) + id4         -> u64 BE count  ('S','P','O' + id; 'T' total)
**   rule   name id4              -> rule text (statements, ';'-terminated)
**   txlog  tx4                   -> TxRec
**   text   source id4            -> full text bytes of a source document
** All integers in keys are big-endian so byte order = numeric order.
*/
#ifndef FAKT_STORE_H
#define FAKT_STORE_H

#include <stddef.h>
#include <stdint.h>

#define FAKT_FORMAT_VERSION 8   /* 2: a claim's quote is stored in its record;
                                ** 3: obj and i2s keys are native MDB_INTEGERKEY
                                ** ids, and fts holds posting blocks, not one key
                                ** per (word, doc);
                                ** 4: generated claims _cN have the id
                                ** FAKT_GEN_BIT|N and no dictionary entry;
                                ** 5: claim records are varints;
                                ** 6: a quote that is its span's exact bytes
                                ** is not copied into the record, and records
                                ** keep neither the proposition id nor a
                                ** text hash;
                                ** 7: i2s holds the texts of 64 ids to a
                                ** record, and s2i keys a text of up to 64
                                ** bytes by the text itself;
                                ** 8: proposition ids (the prop index) are
                                ** hashed from names, not from ids */

/* Ids of generated claims: the claim _cN has the id FAKT_GEN_BIT | N
** (1 <= N < 2^31), counted by meta next_gen. Its name is computed from the
** id, so it costs no s2i/i2s entry and no lookup to show (format 4). */
#define FAKT_GEN_BIT   0x80000000u
#define FAKT_GEN_NAME  16          /* buffer for "_c2147483647" and a NUL */

/* Dictionary namespaces. */
#define NS_NAME  'n'     /* identifiers: entities, claims, sources, predicates ... */
#define NS_STR   's'     /* string values (labels, quotes, literals) */

/* Object kinds (ObjRec.kind). */
#define K_ENTITY    1
#define K_CLAIM     2
#define K_SOURCE    3
#define K_PREDICATE 4
#define K_TYPE      5
#define K_STANCE    6

/* Tags of encoded values (first byte of the 9-byte object encoding). The
** order of tags is the order of types in an index. */
#define T_NULL   0
#define T_BOOL   1
#define T_INT    2
#define T_FLOAT  3       /* payload: order-preserving double bits */
#define T_QTY    4       /* payload: order-preserving double bits; unit in claim */
#define T_DATE   5       /* payload: (y*10000+m*100+d) << 8 | prec */
#define T_STR    6       /* payload: string id */
#define T_ID     7       /* payload: id of an entity or claim */
#define ENC_LEN  9
#define KEY_IX   21      /* spo/pos/osp key: three components and the claim */

typedef struct FaktStore FaktStore;
typedef struct StoreTxn StoreTxn;
typedef struct StoreCursor StoreCursor;
typedef struct FtsCursor FtsCursor;

/* Settings read at open. */
typedef struct StoreConfig {
  int bReadonly;             /* open read-only */
  int bCreate;               /* create if missing */
  uint64_t nMapInit;         /* initial map size (0: 64 MiB) */
  uint64_t nMapMax;          /* hard limit (0: 1 TiB) */
  uint64_t nRoom;            /* free map ensured before a write txn (0: 16 GiB) */
  uint64_t nMapped;          /* file bytes a txn leaves mapped in, about
                             ** (0: 48 MiB; faktTxnDropTick, faktKvReadTick) */
  uint64_t nDirty;           /* bytes of new pages a write txn holds in memory
                             ** before LMDB writes some to the file (0: 64 MiB) */
  size_t nPendFlush;         /* index puts a write txn buffers before it spills
                             ** them as a sorted run (0: 8 MiB) */
  const char *zRunDir;       /* where the runs' temporary file goes (NULL: the
                             ** database file's directory) */
  uint64_t nRunMax;          /* most bytes a txn's runs may take on disk; past
                             ** that it flushes instead (0: no limit) */
  uint64_t nRunMem;          /* most bytes of runs a txn keeps in memory; past
                             ** that they all go to the file (0: 128 MiB, at
                             ** most a sixteenth of the RAM; 1: none) */
} StoreConfig;

/* Visibility of an index entry: added in tx_add, retracted in tx_ret (0 = live). */
typedef struct Vis { uint32_t txAdd, txRet; } Vis;

/* A claim's record (obj DB, kind K_CLAIM). Variable part: via ids. */
typedef struct ClaimRec {
  uint32_t s, p;               /* subject id, predicate id */
  uint8_t o[ENC_LEN];          /* encoded object */
  uint32_t unit;               /* string id of the unit for T_QTY, else 0 */
  uint32_t source;             /* source id or 0 */
  uint32_t by;                 /* speaker id or 0 */
  uint32_t stance;             /* stance entity id */
  uint64_t holds, until, said; /* packed dates (T_DATE payload) or 0 */
  uint32_t quote;              /* bytes of the quote (0: none) */
  const char *zQuote;          /* the quote, when stored in the record: after
                               ** faktClaimGet it points into the map (valid like any
                               ** map data); NULL when bQuoteRef. Read it through
                               ** faktClaimQuote, which handles both. */
  int bQuoteRef;               /* the quote is the bytes [spanStart, spanEnd) of its
                               ** source's stored text and is not copied (format 6).
                               ** faktClaimAdd decides it: what a caller sets is
                               ** ignored there. */
  uint32_t txAdd, txRet;       /* history */
  uint32_t spanStart, spanEnd; /* byte offsets of the quote in the source text */
  uint32_t nVia;               /* number of via ids */
  uint32_t aVia[8];            /* via chain, nearest first (at most 8) */
  uint64_t aNameHash[3];       /* not stored: hash64 of the names of s and p
                               ** and of o's name or text, when the writer has
                               ** them at hand (0: faktClaimProp looks it up) */
} ClaimRec;

/* An entity's record (kinds other than K_CLAIM). */
typedef struct EntRec {
  uint8_t kind;                /* K_ENTITY, K_SOURCE, K_PREDICATE, K_TYPE, K_STANCE */
  uint32_t type;               /* type entity id (K_ENTITY/K_SOURCE) */
  uint32_t label;              /* string id of the label, title or doc, or 0 */
  int bCoords;                 /* has coordinates */
  double lat, lon;
  /* K_SOURCE */
  uint32_t outlet;             /* outlet entity id or 0 */
  uint64_t published;          /* packed date or 0 */
  uint64_t textHash;           /* hash64 of the stored text, 0 if none */
  /* K_PREDICATE */
  uint32_t flags;              /* PRED_SINGLE ... */
  uint8_t objType;             /* PT_* */
  uint32_t nAlias;             /* alias string ids */
  uint32_t aAlias[255];        /* at most 255: the count is one byte on disk (format 1);
                               ** the entity statement itself still takes at most 32 */
} EntRec;

#define PRED_SINGLE 0x01
#define PT_ANY 0
#define PT_ENTITY 1
#define PT_STRING 2
#define PT_NUMBER 3
#define PT_QUANTITY 4
#define PT_DATE 5
#define PT_CLAIM 6

/* A transaction log record. */
typedef struct TxRec {
  int64_t tMicros;             /* wall-clock time of commit, microseconds since epoch */
  uint32_t nAdded, nRetracted; /* claims */
  uint32_t nOther;             /* other changes (entities, rules ...) */
} TxRec;

/* Which index a cursor walks. */
typedef enum StoreIndex { IX_SPO = 0, IX_POS = 1, IX_OSP = 2 } StoreIndex;

/* ---- environment ---- */
/* Open or create. On error *ppStore is NULL and *pzErr (malloc'd) says why.
** Checks magic and format version: FAKT_NOTADB, FAKT_FORMAT, FAKT_CORRUPT,
** FAKT_CANTOPEN. A new database gets the meta records and the built-in
** entities: stance entities asserts confirms hedges speculates denies, the
** types, and predicate located_in. */
int  faktStoreOpen(const char *zPath, const StoreConfig *pCfg, FaktStore **ppStore, char **pzErr);
void faktStoreClose(FaktStore *s);
int  faktStoreSetMaxSize(FaktStore *s, uint64_t nMax);
/* About how many bytes of the file the reads of s leave mapped in this
** process's resident set (0: no limit; 256 MiB at open). FAKT_OK. */
int  faktStoreSetMapped(FaktStore *s, uint64_t nBytes);
/* How long (ms, 0: not at all) a top-level write transaction waits for the
** writer lock another handle holds; then FAKT_BUSY naming its pid. */
int  faktStoreBusyTimeout(FaktStore *s, int nMs);

/* ---- transactions ---- */
/* Begin a read or write transaction. A write transaction grows the map first
** when it is more than half full. FAKT_BUSY if another writer in this process
** already holds one; across processes, waits like LMDB does. */
int  faktStoreBegin(FaktStore *s, int bWrite, StoreTxn **ppTxn);
/* Commit (write) or end (read). Frees the txn. FAKT_FULL, FAKT_IOERR. */
int  faktStoreCommit(StoreTxn *t);
void faktStoreAbort(StoreTxn *t);
/* Nested write transaction (statement inside an explicit transaction). */
int  faktStoreBeginNested(StoreTxn *pParent, StoreTxn **ppTxn);
int  faktStoreIsWrite(StoreTxn *t);
/* On FAKT_FULL from a write: after aborting every txn, grow the map (doubling,
** up to the max). Returns FAKT_FULL when already at the max. */
int  faktStoreGrow(FaktStore *s);

/* ---- meta ---- */
/* The identity of read txn t's view of the map: the committed transaction
** it reads and the mapping it reads it through. Two read txns of a handle
** with the same identity see every byte of the map they share at the same
** address, so pointers into the map taken in one stay good in the other:
** no later commit freed those pages and no resize moved them. 0 for a write
** txn (its pages move as it writes), else 1 with aSnap set. */
int  faktStoreSnapshot(StoreTxn *t, uint64_t aSnap[2]);
uint32_t faktStoreLastTx(StoreTxn *t);
/* Allocate the next id (write txn). */
int  faktStoreNewId(StoreTxn *t, uint32_t *pId);
/* Allocate the id FAKT_GEN_BIT|N of the next generated claim _cN (write txn). */
int  faktStoreNewGenId(StoreTxn *t, uint32_t *pId);
/* 1 if z[0..n) is a generated claim name "_cN" (N in 1..2^31-1, no leading
** zero), with *pId = FAKT_GEN_BIT|N; 0 for every other text. */
int  faktGenParse(const char *z, int n, uint32_t *pId);
/* Name of an id: "_cN" for a generated claim, written into aBuf, else the
** dictionary text (pointing into the map, as faktDictText). FAKT_NOTFOUND. */
int  faktIdName(StoreTxn *t, uint32_t id, char aBuf[FAKT_GEN_NAME], const char **pz, int *pn);
/* The last transaction id a commit may take. Ids are 32 bits on disk and
** never wrap: a statement works with last_tx+1 and a transaction's reads
** with last_tx+1, so the last id stays below 2^32-1. */
#define STORE_TX_MAX   0xfffffffeu
/* .check warns when fewer than this many transaction ids are left. */
#define STORE_TX_WARN  ((uint32_t)1 << 24)
/* Append a tx log record with id last_tx+1, set last_tx. FAKT_FULL ("transaction
** ids are exhausted"), nothing written, when last_tx is STORE_TX_MAX or more. */
int  faktStoreLogTx(StoreTxn *t, const TxRec *pRec, uint32_t *pTx);
int  faktStoreGetTx(StoreTxn *t, uint32_t tx, TxRec *pRec);   /* FAKT_NOTFOUND */

/* ---- dictionary ---- */
/* Lookup: FAKT_OK with *pId, or FAKT_NOTFOUND. A generated claim name _cN
** in NS_NAME is found when the claim exists (it has no dictionary entry). */
int  faktDictLookup(StoreTxn *t, int ns, const char *z, int n, uint32_t *pId);
/* faktDictLookup in NS_NAME, then faktObjGetKind of the id, both through
** the write transaction's name cache. */
int  faktDictLookupKind(StoreTxn *t, const char *z, int n, uint32_t *pId, int *pKind);
/* Intern (write txn): existing id or a new one. A generated claim name _cN
** in NS_NAME is not interned: its id is FAKT_GEN_BIT|N, and next_gen moves
** past N; only a claim may be stored under it. */
int  faktDictIntern(StoreTxn *t, int ns, const char *z, int n, uint32_t *pId);
/* Text of id. *pz points into the map: valid until the txn ends or the next
** write in it. FAKT_NOTFOUND (always for a generated claim: see faktIdName). */
int  faktDictText(StoreTxn *t, uint32_t id, int *pNs, const char **pz, int *pn);
/* The leaf page that holds obj record id, found without liblmdb (read
** txns; NULL in write txns or when the walk fails), and a prefetch of it:
** hints for a scan about to read claim records (exec.c). */
int  faktObjWalkable(StoreTxn *t);        /* 1: faktObjLeaf can answer here */
const void *faktObjLeaf(StoreTxn *t, uint32_t id);
void faktObjPrefetch(StoreTxn *t, uint32_t id);
/* faktDictText in two steps, for a cache of blocks (value.c): the i2s
** record of the ids that share id >> FAKT_DICT_SHIFT (FAKT_NOTFOUND),
** then id's text in it. */
#define FAKT_DICT_SHIFT 6
int  faktDictBlock(StoreTxn *t, uint32_t id, const uint8_t **pa, size_t *pn);
int  faktDictBlockText(StoreTxn *t, const uint8_t *a, size_t nA, uint32_t id,
                       int *pNs, const char **pz, int *pn);
/* Where id's entry lies in its block a (a hint: NULL when the block
** has no entry for it or is damaged; faktDictBlockText says which). */
const uint8_t *faktDictBlockEntry(const uint8_t *a, size_t nA, uint32_t id);
/* The records of i2s (blocks and long texts), and a walk of the blocks
** in order, through a cursor: xBlock(pArg, id >> FAKT_DICT_SHIFT, record)
** for each until it returns nonzero. */
uint64_t faktDictRecords(StoreTxn *t);
int  faktDictBlockWalk(StoreTxn *t, void *pArg,
                       int (*xBlock)(void*, uint32_t iBlk, const uint8_t *a, size_t n));

/* ---- objects ---- */
int  faktObjGetKind(StoreTxn *t, uint32_t id, int *pKind);      /* FAKT_NOTFOUND */
int  faktEntGet(StoreTxn *t, uint32_t id, EntRec *pRec);        /* FAKT_NOTFOUND, FAKT_MISMATCH if a claim */
int  faktEntPut(StoreTxn *t, uint32_t id, const EntRec *pRec);  /* updates alias+geo indexes */
int  faktClaimGet(StoreTxn *t, uint32_t id, ClaimRec *pRec);    /* FAKT_NOTFOUND, FAKT_MISMATCH */
/* Store a new claim: obj record, spo/pos/osp entries with Vis{txAdd,0},
** srcc, prop, stats. pRec->txAdd must be set, and zQuote when quote is not
** 0; the record shares the quote with the source's text when the span
** [spanStart, spanEnd) of that text is exactly the quote's bytes. */
int  faktClaimAdd(StoreTxn *t, uint32_t id, const ClaimRec *pRec);
/* Mark retracted in tx (record + all three index entries + stats). */
int  faktClaimRetract(StoreTxn *t, uint32_t id, uint32_t tx);
/* A correction: id's record moves to idOld (a new generated id), retracted
** in tx unless it was already; id then holds pNew. */
/* Move claim id's quote span (an empty one: stale, the text lost it). */
int  faktClaimSpan(StoreTxn *t, uint32_t id, uint32_t start, uint32_t end);
int  faktClaimReplace(StoreTxn *t, uint32_t id, uint32_t idOld, const ClaimRec *pNew, uint32_t tx);
/* The text of r's quote (r as faktClaimGet gave it, or a new record with
** zQuote set): *pz points into the record or into its source's stored text,
** valid until the txn ends or its next write. FAKT_NOTFOUND if r has no
** quote; FAKT_CORRUPT if a shared quote's source text is missing or too
** short (the integrity check reports it too). */
int  faktClaimQuote(StoreTxn *t, const ClaimRec *r, const char **pz, int *pn);
/* The proposition id of claim r's (s, p, o), a non-negative 63-bit
** integer hashed from names and values, not from ids (format 8): the
** names of s and p, o's type and its name (entity, claim), text (string)
** or 8 bytes (numbers, dates, booleans), and a quantity's unit. So the
** same statement has the same id in every database, after an export and
** an import too. The prop index is keyed by it. FAKT_OK, or the error of
** reading a name (FAKT_CORRUPT when a name is missing). */
int faktClaimProp(StoreTxn *t, const ClaimRec *r, uint64_t *pProp);

/* ---- source text ---- */
/* Store source srcId's text. When it replaces a different text, every claim
** of the source whose quote was shared with the old text (bQuoteRef) gets
** its own copy of the quote first: a quote never changes with the text. */
int  faktTextPut(StoreTxn *t, uint32_t srcId, const char *z, size_t n);
int  faktTextGet(StoreTxn *t, uint32_t srcId, const char **pz, size_t *pn);  /* FAKT_NOTFOUND */
/* Writes made through t so far (a statement that failed without changing
** it left nothing behind). */
uint64_t faktStoreWrites(StoreTxn *t);
/* Make t fail at commit with rc: a statement failed after writing. */
void faktStoreDoom(StoreTxn *t, int rc);

/* ---- rules ---- */
int  faktRulePut(StoreTxn *t, uint32_t nameId, const char *z, size_t n);   /* replaces */
int  faktRuleDel(StoreTxn *t, uint32_t nameId);                            /* FAKT_NOTFOUND */
int  faktRuleHas(StoreTxn *t, uint32_t nameId);   /* 1 if rules of that name are stored */
/* The stored text of the rules of that name: *pz points into the map
** (valid like faktDictText's). FAKT_NOTFOUND. */
int  faktRuleGet(StoreTxn *t, uint32_t nameId, const char **pz, size_t *pn);
/* Iterate all rules: callback gets name id and text; non-zero return stops. */
int  faktRuleEach(StoreTxn *t, int (*x)(void*, uint32_t, const char*, size_t), void *pArg);

/* ---- statistics ---- */
/* Counts of live claims: kind 'S' (by subject), 'P' (by predicate),
** 'O' (by object id, T_ID/T_STR objects only), 'T' (total, id 0). */
uint64_t faktStatGet(StoreTxn *t, int kind, uint32_t id);

/* ---- encoding ---- */
void     faktEncU32(uint8_t *p, uint32_t v);
uint32_t faktDecU32(const uint8_t *p);
void     faktEncU64(uint8_t *p, uint64_t v);
uint64_t faktDecU64(const uint8_t *p);
/* 64-bit hash (FNV-1a 64 then a final mix; stable across platforms). */
uint64_t faktHash64(const void *p, size_t n);

/* ---- index cursors ---- */
/* Open a cursor on an index, positioned before the first key that starts
** with aPrefix[0..nPrefix). faktCursorNext returns FAKT_ROW with the next
** key in the prefix (pointer into the map, valid until the next call), or
** FAKT_DONE. Entries are returned whatever their visibility: the caller
** filters on Vis. */
int  faktCursorOpen(StoreTxn *t, StoreIndex ix, const uint8_t *aPrefix, int nPrefix, StoreCursor **pp);
int  faktCursorNext(StoreCursor *c, const uint8_t **paKey, Vis *pVis);
/* Close is cheap: the cursor returns to a free list in its transaction
** and the next open on the same DB reuses it (no malloc). Cursors still
** open when their transaction ends are freed with it: never use or close a
** cursor after its transaction's commit/abort. */
void faktCursorClose(StoreCursor *c);

/* ---- side tables: typed scans ---- */
/* Each Scan opens a cursor of t (closed with faktCursorClose, as above)
** over the entries of one side table, in key order; its Next gives the
** next entry decoded: FAKT_ROW, FAKT_DONE at the end, or an error (then
** FAKT_MISUSE for a cursor of another Scan). An entry whose key or value
** is malformed is skipped (faktStoreCheck reports it). The engine uses
** these and never names a table or builds a key. */
/* The entities whose label or an alias folds (faktFold) to exactly
** zFolded[0..nFolded), cut as the alias table keeps it (400 bytes). */
int  faktAliasScan(StoreTxn *t, const char *zFolded, size_t nFolded, StoreCursor **pp);
int  faktAliasNext(StoreCursor *c, uint32_t *pId);
/* The claims of source srcId, retracted ones too (srcc). */
int  faktSourceClaimsScan(StoreTxn *t, uint32_t srcId, StoreCursor **pp);
int  faktSourceClaimsNext(StoreCursor *c, uint32_t *pClaim);
/* The places in geo cell iCell (faktGeoCell), or every place when bAll,
** with their coordinates (geo). */
int  faktGeoScan(StoreTxn *t, int bAll, uint32_t iCell, StoreCursor **pp);
int  faktGeoNext(StoreCursor *c, uint32_t *pId, double *pLat, double *pLon);
/* The claims of proposition prop (faktClaimProp), retracted ones too (prop). */
int  faktPropScan(StoreTxn *t, uint64_t prop, StoreCursor **pp);
int  faktPropNext(StoreCursor *c, uint32_t *pClaim);
/* Every object in id order, with its kind (K_*; obj). */
int  faktObjScan(StoreTxn *t, StoreCursor **pp);
int  faktObjNext(StoreCursor *c, uint32_t *pId, int *pKind);
/* ---- full-text postings ---- */
/* The docs (claim or source ids) whose quote or text holds the folded token
** zTok[0..nTok), in ascending order. Open flushes pending index puts, like
** every reader. Next and Seek return FAKT_ROW with *pDoc, FAKT_DONE at the
** end, or FAKT_CORRUPT for a damaged block (then the cursor is done).
** Blocks that overlap (a damaged file, or a write in the transaction while
** the cursor is open) are read as their union: docs still come ascending.
** Seek moves to the first doc >= doc, but never backwards: if the current
** doc is already >= doc it stays. The cursor is malloc'd; close it (NULL
** is a no-op) before its transaction ends. */
int  faktFtsOpen(StoreTxn *t, const char *zTok, int nTok, FtsCursor **pp);
int  faktFtsNext(FtsCursor *c, uint32_t *pDoc);
int  faktFtsSeek(FtsCursor *c, uint32_t doc, uint32_t *pDoc);
void faktFtsClose(FtsCursor *c);

/* Store entries count and size on disk, for .schema / stats / tests. */
int  faktStoreInfo(FaktStore *s, uint64_t *pnMapSize, uint64_t *pnUsed);

/* ---- integrity ---- */
/* Check the whole database in one read transaction: first the page walk of
** pagecheck.c (a damaged page is then the only problem reported, since
** LMDB must not follow it); then spo/pos/osp agree
** (same Vis), claim records match their index, srcc and prop entries,
** referenced ids exist in obj and i2s, stats equal a recount of live
** claims, tx ids <= last_tx, alias/geo/fts entries point to existing
** objects, fts posting blocks decode, ascend and do not overlap, every
** word of a claim's quote or a source's text has its posting, s2i and
** i2s agree. FAKT_OK with *pzReport = "ok", or
** FAKT_CORRUPT with one line per problem. *pzReport is malloc'd (caller
** frees with free()); pzReport may be NULL. */
int  faktStoreCheck(FaktStore *s, char **pzReport);
/* Write a rebuilt, compact copy of the last committed state to the new
** file zInto (FAKT_CANTOPEN if it exists). */
int  faktStoreVacuum(FaktStore *s, const char *zInto);

/* Last LMDB-level message (for errors that need detail), owned by the store. */
const char *faktStoreErrmsg(FaktStore *s);
/* A page that failed its check since the last call (pagecheck.c's guard):
** 1 and "database file is damaged (page N: what): PATH" in z (n bytes);
** the damage is then reported. 0 when there is none. */
int faktStoreDamage(FaktStore *s, char *z, size_t n);
/* Pages checked so far as LMDB read them, each once (for tests). */
uint64_t faktStorePagesChecked(FaktStore *s);

/*
** For tests: n pending index puts made from seed (keys of 1..40 bytes,
** many sharing prefixes or equal) are sorted by the radix sort the flush
** uses and by the plain merge sort. FAKT_OK if both give pendCmp's strict
** order, the same; FAKT_INTERNAL if not; FAKT_NOMEM.
*/
int faktStorePendSortCheck(size_t n, uint64_t seed);

#endif /* FAKT_STORE_H */
