/*
** txn.c -- transactions of the store: begin, commit, abort and nested
** transactions on top of kv.c's LMDB transactions; the checked gets,
** puts and deletes the other files write through (a failed write dooms
** its transaction); the flushes of the write buffer, which only this file
** orchestrates (wbuf.c sorts, spills and merges, kv.c appends, fts.c
** merges postings as a step of the flush); the statistics deltas written
** at commit; the mapped pages a write txn lets go; fakt's own file locks
** (the writer lock, the open mark); and the meta records. It calls
** codec.c, kv.c, wbuf.c, dict.c (the name cache) and fts.c (faktFtsFlush).
*/
#define _GNU_SOURCE          /* F_OFD_SETLK: locks of an open file, not of a process */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "storeInt.h"

static int pendFlush(StoreTxn *t);
static void objPut(StoreTxn *t, const void *pK, size_t nK);

/* ================================================================ checked access */

/* Checks common to every write: a write txn, no open child, not doomed. */
int faktTxnWritable(StoreTxn *t){
  if( t==NULL ) return FAKT_MISUSE;
  if( t->rcErr ) return t->rcErr;
  if( !t->bWrite ){
    faktKvSetErr(t->s, "write in a read transaction");
    return FAKT_MISUSE;
  }
  if( t->pChild ){
    faktKvSetErr(t->s, "transaction used while a nested transaction is open");
    return FAKT_MISUSE;
  }
  return FAKT_OK;
}

/* Before t reads or writes index DB iDb directly. */
static int pendReady(StoreTxn *t, int iDb){
  return faktWbufIsIndexDb(iDb) ? pendFlush(t) : FAKT_OK;
}

/*
** Count n reads or index puts of write txn t. Every nDropCheck of them,
** over all its flushes, look at how much of the file is mapped in; past
** StoreConfig.nMapped those pages leave the resident set (they stay in the
** page cache; a pointer into them stays good). A bulk load's sorted puts
** read most index pages once, its name and kind lookups most entity
** records, and LMDB's own reads add to them: without this the resident set
** grew by all of them. Dropping at a fixed count of index puts instead
** (every 32,768) let the 10M load's mapped pages reach 630 MB, and the
** reads it did not count 250 MB between two puts.
*/
void faktTxnDropTick(StoreTxn *t, uint64_t n){
  StoreTxn *r;
  if( !t->bWrite ) return;
  r = faktTxnRoot(t);
  r->nUndropped += n;
  if( r->nUndropped>=t->s->nDropCheck ){
    r->nUndropped = 0;
    if( faktKvMapResident()>t->s->nMapped ) faktKvMapDrop(t->s);
  }
}

/* Before a get in write txn t (faktTxnGet; a read txn has nothing to do). */
int faktTxnReady(StoreTxn *t, int iDb){
  int rc = pendReady(t, iDb);
  if( rc ) return rc;
  faktTxnDropTick(t, 1);
  return FAKT_OK;
}

static int ctrKey(const StoreTxn *t, int iDb, const void *pK, size_t nK);
static int ctrSet(StoreTxn *t, int i, uint32_t v);
static void ctrDel(StoreTxn *t, int i, int *pRc);

/* Put into LMDB (faktTxnPut without the counters). */
static int txnPut(StoreTxn *t, int iDb, const void *pK, size_t nK, const void *pV, size_t nV, unsigned fl){
  int rc = faktTxnWritable(t);
  if( rc ) return rc;
  if( (rc = pendReady(t, iDb))!=FAKT_OK ) return rc;
  t->nWrite++;
  if( iDb==DB_OBJ ) objPut(t, pK, nK);
  rc = FAKT_CONSTRAINT;
  if( iDb==DB_OBJ || iDb==DB_I2S || iDb==DB_TXLOG ){
    /* ids grow: most keys go past the last one, where MDB_APPEND leaves
    ** full pages behind (a plain put splits them in half) */
    rc = faktKvPut(t->s, t->txn, iDb, pK, nK, pV, nV, fl | KV_APPEND);
  }
  if( rc==FAKT_CONSTRAINT ) rc = faktKvPut(t->s, t->txn, iDb, pK, nK, pV, nV, fl);
  if( rc==FAKT_OK || rc==FAKT_CONSTRAINT ) return rc;
  t->rcErr = rc;
  return rc;
}

/* Put. A failure other than FAKT_CONSTRAINT dooms the transaction (LMDB
** requires an abort after MAP_FULL and friends). meta's next_id and
** next_gen go to the txn's counters (see faktTxnMetaGet). */
int faktTxnPut(StoreTxn *t, int iDb, const void *pK, size_t nK, const void *pV, size_t nV, unsigned fl){
  int i = ctrKey(t, iDb, pK, nK);
  if( i>=0 && nV==4 ) return ctrSet(t, i, faktDecU32(pV));
  return txnPut(t, iDb, pK, nK, pV, nV, fl);
}

/* Reserve nV bytes for a value: *ppOut receives where to write them (valid
** until the next write). obj, i2s and text only: no index table. */
int faktTxnReserve(StoreTxn *t, int iDb, const void *pK, size_t nK, size_t nV, uint8_t **ppOut){
  int rc;
  *ppOut = NULL;
  assert( !faktWbufIsIndexDb(iDb) );     /* nothing of it may be pending */
  rc = faktTxnWritable(t);
  if( rc ) return rc;
  t->nWrite++;
  if( iDb==DB_OBJ ) objPut(t, pK, nK);
  rc = FAKT_CONSTRAINT;
  if( iDb==DB_OBJ || iDb==DB_I2S ) rc = faktKvReserve(t->s, t->txn, iDb, pK, nK, nV, KV_APPEND, ppOut);
  if( rc==FAKT_CONSTRAINT ) rc = faktKvReserve(t->s, t->txn, iDb, pK, nK, nV, 0, ppOut);
  if( rc ){
    t->rcErr = rc;
    return rc;
  }
  return FAKT_OK;
}

/* Delete a key (all its values). FAKT_NOTFOUND if absent. */
int faktTxnDel(StoreTxn *t, int iDb, const void *pK, size_t nK){
  int rc = faktTxnWritable(t);
  if( rc ) return rc;
  if( (rc = pendReady(t, iDb))!=FAKT_OK ) return rc;
  t->nWrite++;
  rc = faktKvDel(t->s, t->txn, iDb, pK, nK);
  if( rc==FAKT_OK || rc==FAKT_NOTFOUND ){
    int i = ctrKey(t, iDb, pK, nK);
    if( i>=0 ) ctrDel(t, i, &rc);            /* and gone from the counters */
    return rc;
  }
  t->rcErr = rc;
  return rc;
}

static int pendSpill(StoreTxn *t);

/* Put into an index DB: buffered until pendFlush (a nested txn's buffer
** goes to its parent's when it commits). A key or value too long for the
** buffer goes into LMDB at once, after what is pending. */
int faktTxnIndexPut(StoreTxn *t, int iDb, const void *pK, size_t nK, const void *pV, size_t nV){
  Pending *p = &t->pend;
  int rc = faktTxnWritable(t);
  if( rc ) return rc;
  assert( faktWbufIsIndexDb(iDb) );
  if( nK>CUR_PREFIX_MAX || nV>PEND_VAL_MAX ){
    if( (rc = pendReady(t, iDb))!=FAKT_OK ) return rc;
    t->nWrite++;
    rc = faktKvPut(t->s, t->txn, iDb, pK, nK, pV, nV, 0);
    if( rc==FAKT_OK ) return FAKT_OK;
    t->rcErr = rc;
    return rc;
  }
  if( faktWbufAppend(p, iDb, pK, nK, pV, nV) ){ faktKvSetErr(t->s, "out of memory"); return FAKT_NOMEM; }
  t->nWrite++;
  if( p->nByte>t->s->nPendFlush ) return t->pParent ? pendFlush(t) : pendSpill(t);
  return FAKT_OK;
}

/* A cursor of t on table iDb positioned before aPrefix (kv.c's pool),
** once what is pending for the table is in LMDB. */
int faktTxnCursor(StoreTxn *t, int iDb, const uint8_t *aPrefix, int nPrefix, StoreCursor **pp){
  int rc;
  *pp = NULL;
  if( t==NULL || nPrefix<0 || (nPrefix>0 && aPrefix==NULL) ) return FAKT_MISUSE;
  if( nPrefix>CUR_PREFIX_MAX ){
    faktKvSetErr(t->s, "cursor prefix of %d bytes is too long", nPrefix);
    return FAKT_TOOBIG;
  }
  if( t->pChild ){
    faktKvSetErr(t->s, "transaction used while a nested transaction is open");
    return FAKT_MISUSE;
  }
  rc = pendReady(t, iDb);
  if( rc ) return rc;
  return faktKvCursorAcquire(t, iDb, aPrefix, nPrefix, pp);
}

/* ================================================================ flushes of the write buffer */

/*
** Put the sorted entries of p into LMDB through t (the callback of
** faktWbufMerge, pArg being t). A key past the DB's last key goes in with
** MDB_APPEND (faktKvAppendPut); fts entries are merged into posting
** blocks instead (faktFtsFlush). An error dooms t.
*/
static int pendApply(void *pArg, const Pending *p){
  StoreTxn *t = pArg;
  KvAppend app;
  size_t i;
  int iDbCur = -1, rc = FAKT_OK, rcFts = FAKT_OK;
  app.mc = NULL;
  /* a flush reads many pages through the map, and many small flushes as
  ** many as a big one; the dirty copies are what the transaction uses now:
  ** its puts count towards letting the mapped pages go (faktTxnDropTick) */
  for(i=0; i<p->n && rc==FAKT_OK; i++){
    const PendEnt *e = &p->a[i];
    /* sorted, the entries' bytes are read in an order unlike the one they
    ** were written in: ask for those a few entries ahead */
    if( i+PEND_AHEAD<p->n ) __builtin_prefetch(p->aByte + p->a[i+PEND_AHEAD].iOff);
    if( e->iDb==DB_FTS ){                     /* the whole fts run at once */
      size_t j = i;
      while( j<p->n && p->a[j].iDb==DB_FTS ) j++;
      rcFts = faktFtsFlush(t, e, j - i, p->aByte);   /* counts its own puts */
      if( rcFts ) break;
      i = j - 1;
      continue;
    }
    if( faktWbufShadowed(p, i) ) continue;    /* a later put of the key wins */
    assert( faktWbufIsIndexDb(e->iDb) );
    faktTxnDropTick(t, 1);
    if( e->iDb!=iDbCur ){
      faktKvAppendEnd(&app);
      rc = faktKvAppendBegin(t->s, t->txn, e->iDb, &app, "index");
      if( rc ) break;
      iDbCur = e->iDb;
    }
    rc = faktKvAppendPut(t->s, &app, p->aByte + e->iOff, e->nKey, p->aByte + e->iOff + e->nKey, e->nVal,
                         "index");
  }
  faktKvAppendEnd(&app);
  if( rcFts ) return rcFts;                   /* faktFtsFlush doomed t */
  if( rc ){
    t->rcErr = rc;
    return rc;
  }
  return FAKT_OK;
}

/*
** Write the pending puts of top-level txn tOwner, its runs and its buffer,
** into LMDB, sorted, through tInto: tOwner itself (they are emptied) or its
** open nested txn (they stay until the nested txn ends: its commit empties
** them, its abort leaves the puts pending). An error dooms tInto.
*/
static int pendWrite(StoreTxn *tOwner, StoreTxn *t){
  Pending *p = &tOwner->pend;
  int rc = faktWbufSettle(p, t->s);              /* the run being sorted first */
  if( rc ){
    t->rcErr = tOwner->rcErr = rc;
    return rc;
  }
  if( p->n==0 && p->nRun==0 ) return t->rcErr;
  if( t==tOwner && t->bEnding && p->nRun && p->n && !p->bNoRun ){
    /* the commit's last buffer a run too (a third of its bytes), so that
    ** the merge holds no buffer: the top of the commit's memory */
    int bFlush = 0;
    rc = faktWbufSpill(p, t->s, &bFlush);
    if( rc==FAKT_OK ) rc = faktWbufSettle(p, t->s);
    if( rc ){
      t->rcErr = rc;
      return rc;
    }
  }
  if( (rc = faktWbufSort(p, t->s))!=FAKT_OK ){ t->rcErr = rc; return rc; }
  errno = 0;
  if( p->nRun ){
    faktWbufTrim(p);             /* sorted: what the merge needs is memory */
    rc = faktWbufMerge(p, t->s, t==tOwner, pendApply, t);
    if( rc && t->rcErr==FAKT_OK ) t->rcErr = rc;
  }else{
    rc = pendApply(t, p);
  }
  if( rc ) return rc;
  if( t==tOwner ) faktWbufEmpty(p); else p->bInChild = 1;
  return FAKT_OK;
}

/* p holds puts: in its buffer, in runs, or in the buffer its sorter sorts. */
static int pendAny(const Pending *p){
  return p->n || p->nRun || p->bSorting;
}

/* Write every put pending for t into t: its parent's first (they are
** older), then its own. */
static int pendFlush(StoreTxn *t){
  int rc = FAKT_OK;
  Pending *pUp = t->pParent ? &t->pParent->pend : NULL;
  if( pUp && pendAny(pUp) && !pUp->bInChild ) rc = pendWrite(t->pParent, t);
  if( rc==FAKT_OK && pendAny(&t->pend) ) rc = pendWrite(t, t);
  return rc;
}

/* The buffer of top-level txn t is full: a sorted run, or a flush when
** no run can be spilled (faktWbufSpill). */
static int pendSpill(StoreTxn *t){
  int bFlush = 0;
  int rc = faktWbufSpill(&t->pend, t->s, &bFlush);
  if( rc ){
    t->rcErr = rc;
    return rc;
  }
  return bFlush ? pendFlush(t) : FAKT_OK;
}

/* ================================================================ meta */

/*
** The counters next_id and next_gen (StoreTxn.aCtr): a write txn reads
** each from meta once, keeps it, and writes it back at its commit (a
** nested txn's go to its parent when it commits, and are gone when it
** aborts), instead of a get and a put in meta for every new id. A txn
** without the counter looks at its parent's; every put or delete of the
** two records goes through here (faktTxnPut, faktTxnDel), so meta holds
** what the outermost txn began with until its commit (or, for a deleted
** one, nothing: state 3).
*/
static const char *const azCtr[TXN_CTR] = { "next_id", "next_gen" };

/* The counter of write txn t that key pK[0..nK) of table iDb is, or -1. */
static int ctrKey(const StoreTxn *t, int iDb, const void *pK, size_t nK){
  if( iDb!=DB_META || t==NULL || !t->bWrite ) return -1;
  for(int i=0; i<TXN_CTR; i++){
    if( nK==strlen(azCtr[i]) && memcmp(pK, azCtr[i], nK)==0 ) return i;
  }
  return -1;
}

/* The txn of t's chain that has counter i (t or an ancestor), or NULL. */
static StoreTxn *ctrHolder(StoreTxn *t, int i){
  while( t && t->aCtrState[i]==0 ) t = t->pParent;
  return t;
}

static int ctrSet(StoreTxn *t, int i, uint32_t v){
  int rc = faktTxnWritable(t);
  if( rc ) return rc;
  t->nWrite++;
  t->aCtr[i] = v;
  t->aCtrState[i] = 2;
  return FAKT_OK;
}

/* Counter i was deleted from meta in t (*pRc: what LMDB said; FAKT_OK if
** the counter had a value). */
static void ctrDel(StoreTxn *t, int i, int *pRc){
  StoreTxn *u = ctrHolder(t, i);
  if( u && u->aCtrState[i]!=3 ) *pRc = FAKT_OK;
  t->aCtrState[i] = 3;
}

/* meta's u32 record zKey as the LMDB txn of t sees it. */
static int metaRead(StoreTxn *t, const char *zKey, uint32_t *pV){
  KvVal v;
  int rc = faktTxnGet(t, DB_META, zKey, strlen(zKey), &v);
  if( rc ) return rc;
  if( v.n!=4 ){
    faktKvSetErr(t->s, "meta record %s has %zu bytes", zKey, v.n);
    return FAKT_CORRUPT;
  }
  *pV = faktDecU32((const uint8_t*)v.p);
  return FAKT_OK;
}

int faktTxnMetaGet(StoreTxn *t, const char *zKey, uint32_t *pV){
  int i = ctrKey(t, DB_META, zKey, strlen(zKey)), rc;
  StoreTxn *u;
  if( i<0 ) return metaRead(t, zKey, pV);
  if( (u = ctrHolder(t, i))!=NULL ){
    if( u->aCtrState[i]==3 ) return FAKT_NOTFOUND;
    *pV = u->aCtr[i];
    return FAKT_OK;
  }
  if( (rc = metaRead(t, zKey, pV))!=FAKT_OK ) return rc;
  u = faktTxnRoot(t);                          /* meta holds what the root began with */
  u->aCtr[i] = *pV;
  u->aCtrState[i] = 1;
  return FAKT_OK;
}

int faktTxnMetaPut(StoreTxn *t, const char *zKey, uint32_t v){
  uint8_t a[4];
  faktEncU32(a, v);
  return faktTxnPut(t, DB_META, zKey, strlen(zKey), a, 4, 0);
}

/* Write the counters top-level txn t changed into meta (its commit). */
static int ctrFlush(StoreTxn *t){
  int rc = FAKT_OK;
  for(int i=0; i<TXN_CTR && rc==FAKT_OK; i++){
    if( t->aCtrState[i]==2 ){
      uint8_t a[4];
      faktEncU32(a, t->aCtr[i]);
      rc = txnPut(t, DB_META, azCtr[i], strlen(azCtr[i]), a, 4, 0);
    }
  }
  return rc;
}

/* The counters a nested txn changed or deleted (aCtr, aState: its own) go
** to its parent (its commit). */
static void ctrUp(const uint32_t *aCtr, const uint8_t *aState, StoreTxn *pParent){
  for(int i=0; i<TXN_CTR; i++){
    if( aState[i]>=2 ){
      pParent->aCtr[i] = aCtr[i];
      pParent->aCtrState[i] = aState[i];
    }
  }
}

/*
** Objects with ids past a bound (StoreTxn.aObjFree, of the root write
** txn): a plain id at or past aObjFree[0], or a generated one _cN with N
** at or past aObjFree[1], has no obj record; 0: not known yet. A bound is
** found with one cursor move at its first use and moves past every obj
** put after that (faktTxnPut, faktTxnReserve). A loader asks for the kind
** of every id it makes, which is new, and would otherwise search obj for
** each. A nested txn that aborts may leave a bound higher than it need
** be, which only sends more lookups to obj.
*/
static void objPut(StoreTxn *t, const void *pK, size_t nK){
  StoreTxn *r = faktTxnRoot(t);
  uint32_t id, n;
  int i;
  if( nK!=4 ) return;
  id = faktCodecIdGet(pK);
  i = (id & FAKT_GEN_BIT)!=0;
  n = (id & ~FAKT_GEN_BIT) + 1;
  if( r->aObjFree[i] && r->aObjFree[i]<n ) r->aObjFree[i] = n;
}

/* The bound i of write txn t's root (see objPut): the key after the last
** of obj below (i 0) or from (i 1) FAKT_GEN_BIT. */
static int objFreeFind(StoreTxn *t, int i, uint32_t *pBound){
  KvCursor *mc;
  KvVal k, v;
  uint8_t a[4];
  int rc = faktKvCursorOpen(t->s, t->txn, DB_OBJ, "obj", &mc);
  if( rc ) return rc;
  faktCodecIdKey(a, FAKT_GEN_BIT);
  k.p = a;
  k.n = 4;
  rc = faktKvCursorGet(t->s, mc, &k, &v, i ? KV_LAST : KV_SET_RANGE, "obj");
  if( i==0 ){
    /* the last key below FAKT_GEN_BIT: before the first one from it, or the last */
    if( rc==FAKT_OK ) rc = faktKvCursorGet(t->s, mc, &k, &v, KV_PREV, "obj");
    else if( rc==FAKT_NOTFOUND ) rc = faktKvCursorGet(t->s, mc, &k, &v, KV_LAST, "obj");
  }
  *pBound = 1;
  if( rc==FAKT_OK && k.n==4 ){
    uint32_t id = faktCodecIdGet(k.p);
    if( ((id & FAKT_GEN_BIT)!=0)==i ) *pBound = (id & ~FAKT_GEN_BIT) + 1;
  }
  faktKvCursorClose(mc);
  return rc==FAKT_NOTFOUND ? FAKT_OK : rc;
}

int faktTxnObjFree(StoreTxn *t, uint32_t id){
  StoreTxn *r;
  int i = (id & FAKT_GEN_BIT)!=0;
  if( t==NULL || !t->bWrite ) return 0;
  r = faktTxnRoot(t);
  if( r->aObjFree[i]==0 ){
    uint32_t n;
    if( objFreeFind(t, i, &n) ) return 0;    /* the caller reads obj, and sees the error */
    r->aObjFree[i] = n;
  }
  return (id & ~FAKT_GEN_BIT)>=r->aObjFree[i];
}

/* meta next_gen: the N of the next generated claim _cN. */
int faktTxnNextGen(StoreTxn *t, uint32_t *pN){
  int rc = faktTxnMetaGet(t, "next_gen", pN);
  if( rc==FAKT_NOTFOUND ){ faktKvSetErr(t->s, "meta record next_gen is missing"); rc = FAKT_CORRUPT; }
  if( rc==FAKT_OK && (*pN==0 || *pN>FAKT_GEN_BIT) ){
    faktKvSetErr(t->s, "meta record next_gen is damaged"); rc = FAKT_CORRUPT;
  }
  return rc;
}

/* Magic and format of an existing database. */
int faktTxnMetaCheck(FaktStore *s, StoreTxn *t){
  KvVal v;
  uint32_t fmt;
  int rc = faktTxnGet(t, DB_META, "magic", 5, &v);
  if( rc==FAKT_NOTFOUND || (rc==FAKT_OK && (v.n!=4 || memcmp(v.p, "fakt", 4)!=0)) ){
    faktKvSetErr(s, "file is not a fakt database");
    return FAKT_NOTADB;
  }
  if( rc ) return rc;
  rc = faktTxnMetaGet(t, "format", &fmt);
  if( rc==FAKT_NOTFOUND ){ faktKvSetErr(s, "database is damaged: no format record"); return FAKT_CORRUPT; }
  if( rc ) return rc;
  if( fmt>FAKT_FORMAT_VERSION ){
    faktKvSetErr(s, "database format %u is newer than this fakt (supports %d)", fmt, FAKT_FORMAT_VERSION);
    return FAKT_FORMAT;
  }
  if( fmt==0 ){ faktKvSetErr(s, "database is damaged: format 0"); return FAKT_CORRUPT; }
  if( fmt<FAKT_FORMAT_VERSION ){
    /* format 1 interned quotes; format 2 keyed obj and i2s big-endian and
    ** kept one fts key per (word, doc), not posting blocks */
    faktKvSetErr(s, "database format %u is older than this fakt (needs %d): rebuild it from its scripts or an export",
           fmt, FAKT_FORMAT_VERSION);
    return FAKT_FORMAT;
  }
  return FAKT_OK;
}

int faktStoreSnapshot(StoreTxn *t, uint64_t aSnap[2]){
  if( t==NULL || t->bWrite ) return 0;
  aSnap[0] = (uint64_t)faktKvTxnId(t->txn);
  aSnap[1] = t->s->nRemap;
  return 1;
}

uint32_t faktStoreLastTx(StoreTxn *t){
  uint32_t v = 0;
  if( t==NULL || faktTxnMetaGet(t, "last_tx", &v) ) return 0;
  return v;
}

int faktStoreNewId(StoreTxn *t, uint32_t *pId){
  uint32_t v;
  int rc = faktTxnWritable(t);
  if( rc ) return rc;
  rc = faktTxnMetaGet(t, "next_id", &v);
  if( rc==FAKT_NOTFOUND ){ faktKvSetErr(t->s, "meta record next_id is missing"); rc = FAKT_CORRUPT; }
  if( rc ) return rc;
  if( v>=FAKT_GEN_BIT-1 ){ faktKvSetErr(t->s, "out of ids"); return FAKT_FULL; }
  rc = faktTxnMetaPut(t, "next_id", v+1);
  if( rc ) return rc;
  *pId = v;
  return FAKT_OK;
}

int faktStoreNewGenId(StoreTxn *t, uint32_t *pId){
  uint32_t n;
  int rc = faktTxnWritable(t);
  if( rc ) return rc;
  rc = faktTxnNextGen(t, &n);
  if( rc ) return rc;
  if( n==FAKT_GEN_BIT ){ faktKvSetErr(t->s, "out of generated claim ids"); return FAKT_FULL; }
  rc = faktTxnMetaPut(t, "next_gen", n+1);
  if( rc ) return rc;
  *pId = FAKT_GEN_BIT | n;
  return FAKT_OK;
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
      faktKvSetErr(s, "database is locked: another %s%s is writing to %s (waited %d ms; "
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
int faktTxnLockOpen(FaktStore *s, const char *zReal, int bCreate){
  int bRw = 1, e;
  s->fdLock = open(zReal, O_RDWR | O_CLOEXEC | (bCreate ? O_CREAT : 0), 0644);
  if( s->fdLock<0 && !bCreate ){
    bRw = 0;
    s->fdLock = open(zReal, O_RDONLY | O_CLOEXEC);
  }
  if( s->fdLock<0 ) return FAKT_OK;         /* the open itself will say why */
  e = ofdLock(s->fdLock, F_OFD_SETLK, bRw ? F_WRLCK : F_RDLCK, LK_OPEN + getpid(), 1, NULL);
  if( e==EAGAIN || e==EACCES ){
    faktKvSetErr(s, "database %s is already open in this process: share that handle "
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

/* ================================================================ transactions */

static void txnUnlink(StoreTxn *t){
  FaktStore *s = t->s;
  free(t->pPropNames);
  t->pPropNames = NULL;
  if( t->pParent ){
    assert( t->pParent->pChild==t );
    t->pParent->pChild = NULL;
    return;
  }
  StoreTxn **pp;
  for(pp=&s->pTxnList; *pp && *pp!=t; pp=&(*pp)->pNextTxn){}
  assert( *pp==t && s->nTxn>0 );         /* every top-level txn is on its store's list */
  if( *pp ) *pp = t->pNextTxn;
  s->nTxn--;
  if( s->pWriter==t ){
    s->pWriter = NULL;
    writeUnlock(s);
  }
}

int faktStoreBegin(FaktStore *s, int bWrite, StoreTxn **ppTxn){
  StoreTxn *t;
  KvTxn *txn = NULL;
  int rc;
  *ppTxn = NULL;
  if( s==NULL ) return FAKT_MISUSE;
  if( bWrite && s->bReadonly ){
    faktKvSetErr(s, "database is open read-only");
    return FAKT_READONLY;
  }
  if( bWrite && s->pWriter ){
    faktKvSetErr(s, "a write transaction is already open on this database handle");
    return FAKT_BUSY;
  }
  if( bWrite ){
    rc = writeLock(s);
    if( rc ) return rc;
  }
  if( bWrite && s->nTxn==0 ){
    faktKvReaderCheck(s);
    rc = faktKvMapRoom(s);
    if( rc ){ writeUnlock(s); return rc; }
  }
  t = calloc(1, sizeof(*t));
  if( t==NULL ){
    if( bWrite ) writeUnlock(s);
    faktKvSetErr(s, "out of memory");
    return FAKT_NOMEM;
  }
  rc = faktKvTxnBegin(s, bWrite, &txn);
  if( rc ){
    if( bWrite ) writeUnlock(s);
    free(t);
    return rc;
  }
  t->s = s;
  t->txn = txn;
  t->bWrite = bWrite!=0;
  if( bWrite ){
    if( s->keptNames.nSlot && faktKvTxnId(txn)==s->keptTxnId + 1 ){
      t->names = s->keptNames;                  /* nobody committed since ours */
      memset(&s->keptNames, 0, sizeof(s->keptNames));
    }else{
      faktDictCacheClear(&s->keptNames);
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
  rc = faktTxnWritable(pParent);
  if( rc ) return rc;
  t = calloc(1, sizeof(*t));
  if( t==NULL ){ faktKvSetErr(pParent->s, "out of memory"); return FAKT_NOMEM; }
  rc = faktKvTxnNested(pParent->s, pParent->txn, &t->txn);
  if( rc ){
    free(t);
    return rc;
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

/* The end of read txn t: its LMDB txn kept as the handle's spare. A read
** txn buffers no puts, counts no statistics and caches no names: there is
** nothing of those to free (every read of a query ends here). */
static void readEnd(StoreTxn *t){
  assert( t->pend.a==NULL && t->pend.aByte==NULL && t->pend.fdRun==0 && t->pend.pWork==NULL && t->stat.a==NULL
          && t->names.a==NULL && t->names.aKind==NULL );
  faktKvReadEnd(t);          /* before the txn ends: its pointers are in the map */
  faktKvTxnEnd(t->s, t->txn);
}

void faktStoreAbort(StoreTxn *t){
  if( t==NULL ) return;
  if( t->pChild ) faktStoreAbort(t->pChild);
  faktKvCursorFreeAll(t);
  if( t->bWrite ){
    faktWbufClear(&t->pend);
    faktWbufStatClear(&t->stat);
    if( t->pParent ) t->pParent->pend.bInChild = 0;   /* still pending */
    faktDictCacheClear(&faktTxnRoot(t)->names);        /* it may hold what t added */
    faktPropNamesClear(faktTxnRoot(t));                /* and so may this one */
    faktDictCacheClear(&t->names);
    faktKvTxnAbort(t->txn);
  }else{
    readEnd(t);
  }
  txnUnlink(t);
  free(t);
}

static int statCmp(const void *pA, const void *pB){
  uint64_t a = ((const StatSlot*)pA)->key, b = ((const StatSlot*)pB)->key;
  return a<b ? -1 : (a>b);
}

/* Add delta to the count of stat key k (5 bytes) in LMDB, deleting it at
** zero. */
static int statPut(StoreTxn *t, const uint8_t *k, int64_t delta){
  uint8_t v[8];
  KvVal cur;
  uint64_t c = 0;
  int rc = faktTxnGet(t, DB_STAT, k, 5, &cur);
  if( rc==FAKT_OK ){
    if( cur.n!=8 ){ faktKvSetErr(t->s, "statistics record is damaged"); return FAKT_CORRUPT; }
    c = faktDecU64(cur.p);
  }else if( rc!=FAKT_NOTFOUND ){
    return rc;
  }
  if( delta<0 && c<(uint64_t)(-delta) ){
    faktKvSetErr(t->s, "statistics count %c%u below zero", (int)k[0], (unsigned)faktDecU32(k+1));
    return FAKT_CORRUPT;
  }
  c = delta<0 ? c-(uint64_t)(-delta) : c+(uint64_t)delta;
  if( c==0 ){
    rc = faktTxnDel(t, DB_STAT, k, 5);
    return rc==FAKT_NOTFOUND ? FAKT_OK : rc;
  }
  faktEncU64(v, c);
  return faktTxnPut(t, DB_STAT, k, 5, v, 8, 0);
}

/* Write the pending deltas of top-level t into the stat DB (an entry at
** zero is deleted), in key order: the keys up to the table's last one
** through a get and a put each, those past it (a load's new entities:
** all of them, into an empty table) appended, with no get. The deltas
** are sorted in the table's own slots (its hashing is done with): no
** copy of two million of them at 10M claims. */
static int statFlush(StoreTxn *t){
  StatTab *p = &t->stat;
  StatSlot *aE;
  KvAppend app;
  size_t n = 0, i = 0;
  int rc = FAKT_OK, bLast;
  uint8_t aLast[5];
  if( faktWbufStatDrain(p) ){ faktKvSetErr(t->s, "out of memory"); return FAKT_NOMEM; }
  if( p->nUsed==0 ) return FAKT_OK;
  aE = p->a;
  for(size_t j=0; j<p->nSlot; j++){
    if( aE[j].key && aE[j].delta ) aE[n++] = aE[j];
  }
  qsort(aE, n, sizeof(*aE), statCmp);
  /* the table's last key (stat keys are 5 bytes) */
  rc = faktKvAppendBegin(t->s, t->txn, DB_STAT, &app, "stat");
  bLast = app.bLast;
  memset(aLast, 0, sizeof(aLast));
  if( bLast ) memcpy(aLast, app.aLast, app.nLast<5 ? app.nLast : 5);
  faktKvAppendEnd(&app);
  for(; rc==FAKT_OK && i<n; i++){
    uint8_t k[5];
    k[0] = (uint8_t)(aE[i].key >> 32);
    faktEncU32(k+1, (uint32_t)aE[i].key);
    if( !bLast || memcmp(k, aLast, 5)>0 ) break;
    rc = statPut(t, k, aE[i].delta);
  }
  if( rc==FAKT_OK && i<n ) rc = faktKvAppendBegin(t->s, t->txn, DB_STAT, &app, "stat");
  for(; rc==FAKT_OK && i<n; i++){
    uint8_t k[5], v[8];
    k[0] = (uint8_t)(aE[i].key >> 32);
    faktEncU32(k+1, (uint32_t)aE[i].key);
    if( aE[i].delta<0 ){
      faktKvSetErr(t->s, "statistics count %c%u below zero", (int)k[0], (unsigned)(uint32_t)aE[i].key);
      rc = FAKT_CORRUPT;
      break;
    }
    faktEncU64(v, (uint64_t)aE[i].delta);
    faktTxnDropTick(t, 1);
    t->nWrite++;
    rc = faktKvAppendPut(t->s, &app, k, 5, v, 8, "stat");
    if( rc ) t->rcErr = rc;
  }
  faktKvAppendEnd(&app);
  faktWbufStatClear(p);
  return rc;
}

/* Commit nested txn t: LMDB takes its pages, its parent its pending puts,
** statistics deltas and write count. Frees t. */
static int commitNested(StoreTxn *t){
  int rc;
  StoreTxn *pParent = t->pParent;
  StatTab tab = t->stat;
  Pending pend = t->pend;
  uint64_t nWrite = t->nWrite;
  uint32_t aCtr[TXN_CTR];
  uint8_t aCtrState[TXN_CTR];
  memcpy(aCtr, t->aCtr, sizeof(aCtr));
  memcpy(aCtrState, t->aCtrState, sizeof(aCtrState));
  memset(&t->stat, 0, sizeof(t->stat));
  memset(&t->pend, 0, sizeof(t->pend));
  faktKvCursorFreeAll(t);
  rc = faktKvTxnCommit(t->s, t->txn, "commit");
  txnUnlink(t);
  free(t);
  if( rc ){
    pParent->rcErr = rc;
  }else{
    if( pParent->pend.bInChild ) faktWbufEmpty(&pParent->pend);   /* committed with the child */
    ctrUp(aCtr, aCtrState, pParent);
    for(size_t i=0; i<pend.n && rc==FAKT_OK; i++){
      const PendEnt *e = &pend.a[i];
      const uint8_t *pK = pend.aByte + e->iOff;
      if( faktWbufAppend(&pParent->pend, e->iDb, pK, e->nKey, pK + e->nKey, e->nVal) ){
        faktKvSetErr(pParent->s, "out of memory");
        pParent->rcErr = rc = FAKT_NOMEM;
      }
    }
    pParent->nWrite += nWrite;
    if( faktWbufStatDrain(&tab) ){
      faktKvSetErr(pParent->s, "out of memory");
      pParent->rcErr = rc = FAKT_NOMEM;
    }
    for(size_t i=0; rc==FAKT_OK && i<tab.nSlot; i++){
      if( tab.a[i].key && faktWbufStatAdd(&pParent->stat, tab.a[i].key, tab.a[i].delta) ){
        faktKvSetErr(pParent->s, "out of memory");
        pParent->rcErr = rc = FAKT_NOMEM;
        break;
      }
    }
  }
  faktWbufStatClear(&tab);
  faktWbufClear(&pend);
  return rc;
}

int faktStoreCommit(StoreTxn *t){
  int rc;
  if( t==NULL ) return FAKT_MISUSE;
  if( t->pChild ){
    faktKvSetErr(t->s, "commit while a nested transaction is open");
    faktStoreAbort(t);
    return FAKT_MISUSE;
  }
  if( t->rcErr ){
    rc = t->rcErr;
    faktStoreAbort(t);
    return rc;
  }
  if( t->bWrite && t->pParent ){
    return commitNested(t);
  }else if( t->bWrite ){
    t->bEnding = 1;
    rc = ctrFlush(t);
    if( rc==FAKT_OK ) rc = pendFlush(t);
    if( rc==FAKT_OK ) rc = statFlush(t);
    if( rc ){
      faktStoreAbort(t);
      return rc;
    }
  }
  if( t->bWrite ){
    faktWbufStatClear(&t->stat);
    faktWbufClear(&t->pend);
  }
  faktKvCursorFreeAll(t);
  int bBig = t->bWrite && t->nWrite>=COMMIT_DROP;
  FaktStore *s = t->s;
  if( t->bWrite ){
    size_t txnId = faktKvTxnId(t->txn);
    rc = faktKvTxnCommit(t->s, t->txn, "commit");
    faktDictCacheClear(&s->keptNames);
    if( rc==FAKT_OK ){
      s->keptNames = t->names;                  /* for the next write txn */
      s->keptTxnId = txnId;
      memset(&t->names, 0, sizeof(t->names));
    }
    faktDictCacheClear(&t->names);
  }else{
    readEnd(t);
    rc = FAKT_OK;
  }
  txnUnlink(t);
  free(t);
  /* a bulk load reads much of the file through the map: let those pages
  ** go from the resident set (they stay in the page cache) */
  if( bBig && rc==FAKT_OK ) faktKvMapDrop(s);
  return rc;
}

/* After FAKT_FULL, with every transaction of the handle ended. */
int faktStoreGrow(FaktStore *s){
  if( s==NULL ) return FAKT_MISUSE;
  if( s->nTxn ){
    faktKvSetErr(s, "cannot grow the map while transactions are open");
    return FAKT_BUSY;
  }
  return faktKvMapGrow(s);
}

uint64_t faktStoreWrites(StoreTxn *t){
  return t ? t->nWrite : 0;
}

void faktStoreDoom(StoreTxn *t, int rc){
  if( t && t->rcErr==FAKT_OK ) t->rcErr = rc ? rc : FAKT_ERROR;
}
