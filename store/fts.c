/*
** fts.c -- the full-text postings: the words of claims' quotes and of
** sources' texts, kept as posting blocks in the fts table. Writing: a
** doc's words go into the write buffer (faktFtsDoc), and txn.c's flush
** hands the sorted fts entries to faktFtsFlush, which merges each
** token's changes into its blocks. Reading: faktFtsOpen/Next/Seek walk a
** token's blocks in doc order. It calls codec.c, kv.c (cursors, puts)
** and txn.c (the write buffer, the checks of a write).
*/
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "storeInt.h"
#include "base.h"

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
** txn.c's flush hands the fts run, sorted by (token, doc), to
** faktFtsFlush, which merges each token's docs into its blocks
** (FtsMerge). A nested transaction does not buffer: faktFtsDoc collects
** one doc's words the same way, sorts them and hands them to faktFtsFlush
** at once.
*/

/* ================================================================ writing */

/* 1 if key k is a block of token aTok[0..nTok): it starts with token + 0x00. */
static int ftsOwns(const KvVal *k, const uint8_t *aTok, size_t nTok){
  return k->n>nTok && memcmp(k->p, aTok, nTok)==0
      && ((const uint8_t*)k->p)[nTok]==0;
}

/* The first doc of fts key k of a token of nTok bytes; 0 if k is not token + 0x00 + doc4. */
static int ftsKeyDoc(const KvVal *k, size_t nTok, uint32_t *pDoc){
  if( k->n!=nTok+5 ) return 0;
  *pDoc = faktDecU32((const uint8_t*)k->p + nTok + 1);
  return 1;
}

/* One change to a token's postings. */
typedef struct FtsOp {
  uint32_t doc;              /* claim or source id */
  int bDel;                  /* remove instead of add */
} FtsOp;

/* State of a merge of new postings into the fts blocks of a write txn. */
typedef struct FtsMerge {
  StoreTxn *t;               /* write transaction */
  KvCursor *mc;              /* cursor on fts (owned) */
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
  faktKvSetErr(t->s, "fts block of \"%.*s\" is damaged", (int)nTok, (const char*)aTok);
  t->rcErr = FAKT_CORRUPT;
  return FAKT_CORRUPT;
}

/* An error of LMDB's while merging (kv.c gave it its message): the txn is
** doomed. */
static int ftsFail(StoreTxn *t, int rc){
  t->rcErr = rc;
  return rc;
}

/*
** Begin a merge in write txn t. bAppend: puts past the last key of fts
** use MDB_APPEND, which leaves full pages behind (a flush of sorted keys);
** otherwise every put is a plain one.
*/
static int ftsMergeBegin(FtsMerge *m, StoreTxn *t, int bAppend){
  KvVal k, v;
  int rc;
  memset(m, 0, sizeof(*m));
  m->t = t;
  m->eLast = 2;
  rc = faktKvCursorOpen(t->s, t->txn, DB_FTS, "fts", &m->mc);
  if( rc ) return ftsFail(t, rc);
  if( bAppend ){
    rc = faktKvCursorGet(t->s, m->mc, &k, &v, KV_LAST, "fts");
    if( rc==FAKT_NOTFOUND ){
      m->eLast = 0;
    }else if( rc ){
      return ftsFail(t, rc);
    }else if( k.n<=sizeof(m->aLast) ){
      m->eLast = 1;
      m->nLast = k.n;
      memcpy(m->aLast, k.p, k.n);
    }
  }
  return FAKT_OK;
}

/* End a merge: close its cursor, free its lists. */
static void ftsMergeEnd(FtsMerge *m){
  faktKvCursorClose(m->mc);
  free(m->aOp);
  free(m->aNew);
  memset(m, 0, sizeof(*m));
}

/* Append a change to m's list for the current token. */
static int ftsOpPush(FtsMerge *m, uint32_t doc, int bDel){
  if( m->nOp==m->nOpAlloc ){
    size_t nNew = m->nOpAlloc ? m->nOpAlloc*2 : 64;
    FtsOp *aNew = realloc(m->aOp, nNew*sizeof(*aNew));
    if( aNew==NULL ){ faktKvSetErr(m->t->s, "out of memory"); m->t->rcErr = FAKT_NOMEM; return FAKT_NOMEM; }
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
  KvVal k, v;
  unsigned flags = 0;
  int rc;
  k.p = aKey;
  k.n = faktCodecFtsKey(aKey, aTok, nTok, first);
  v.p = m->aVal;
  v.n = nVal;
  if( bCurrent ){
    rc = faktKvCursorPut(m->t->s, m->mc, &k, &v, KV_CURRENT, "fts");
    return rc ? ftsFail(m->t, rc) : FAKT_OK;
  }
  if( m->eLast==0 ){
    flags = KV_APPEND;
  }else if( m->eLast==1 ){
    size_t nc = m->nLast<k.n ? m->nLast : k.n;
    int c = memcmp(aKey, m->aLast, nc);
    if( c>0 || (c==0 && k.n>m->nLast) ){ flags = KV_APPEND; m->eLast = 0; }
  }
  rc = faktKvPut(m->t->s, m->t->txn, DB_FTS, k.p, k.n, v.p, v.n, flags);
  return rc ? ftsFail(m->t, rc) : FAKT_OK;
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
    size_t nKey = faktCodecFtsKey(aKey, aTok, nTok, oldFirst);
    rc = faktKvDel(m->t->s, m->t->txn, DB_FTS, aKey, nKey);
    if( rc ) return ftsFail(m->t, rc);
  }
  if( !bTail && n>0 ){
    int nBlock = 0;
    for(i=0; i<n; nBlock++){
      size_t nVal = 0;
      i += faktCodecFtsPack(a+i, n-i, FTS_BLOCK_DOCS, 1, m->aVal, &nVal);
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
    k = faktCodecFtsPack(a+i, n-i, nTarget, k0, m->aVal, &nVal);
    assert( k>=1 && nVal<=FTS_BLOCK_BYTES );      /* each block takes a doc at least */
    /* the old block, unchanged (new docs went after it): leave it */
    if( !(bPrefix && k==nOld) ){
      rc = ftsPutBlock(m, aTok, nTok, a[i], nVal, bSame && m->bAtOld);
      if( rc ) return rc;
    }
    i += k;
  }
  return FAKT_OK;
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
  KvVal k, v, kOld, vOld;
  int rc, bOld = 0;
  *pbOld = *pbNext = 0;
  *pnOld = 0;
  m->bAtOld = 0;
  k.p = aKey;
  k.n = faktCodecFtsKey(aKey, aTok, nTok, doc);
  rc = faktKvCursorGet(m->t->s, m->mc, &k, &v, KV_SET_RANGE, "fts");
  if( rc && rc!=FAKT_NOTFOUND ) return ftsFail(m->t, rc);
  if( rc==FAKT_OK && ftsOwns(&k, aTok, nTok) ){
    uint32_t f;
    if( !ftsKeyDoc(&k, nTok, &f) ) return ftsCorrupt(m->t, aTok, nTok);
    if( f==doc ){
      /* a block starts at doc: the range runs to the next block */
      bOld = 1; kOld = k; vOld = v;
      rc = faktKvCursorGet(m->t->s, m->mc, &k, &v, KV_NEXT, "fts");
      if( rc==FAKT_OK && ftsOwns(&k, aTok, nTok) ){
        if( !ftsKeyDoc(&k, nTok, pNext) ) return ftsCorrupt(m->t, aTok, nTok);
        *pbNext = 1;
      }
    }else{
      /* the block found comes after doc: the one before it, if the token's */
      *pbNext = 1;
      *pNext = f;
      rc = faktKvCursorGet(m->t->s, m->mc, &kOld, &vOld, KV_PREV, "fts");
      m->bAtOld = bOld = rc==FAKT_OK && ftsOwns(&kOld, aTok, nTok);
    }
  }else{
    /* past the token's blocks: its last block, if any */
    rc = faktKvCursorGet(m->t->s, m->mc, &kOld, &vOld, rc==FAKT_OK ? KV_PREV : KV_LAST, "fts");
    m->bAtOld = bOld = rc==FAKT_OK && ftsOwns(&kOld, aTok, nTok);
  }
  if( rc && rc!=FAKT_NOTFOUND ) return ftsFail(m->t, rc);
  if( bOld ){
    if( !ftsKeyDoc(&kOld, nTok, pFirst)
     || faktCodecFtsDecode(*pFirst, vOld.p, vOld.n, m->aOld, pnOld)
     || *pFirst>doc
     || (*pbNext && m->aOld[*pnOld-1]>=*pNext) ){
      return ftsCorrupt(m->t, aTok, nTok);
    }
    *pbOld = 1;
    m->nOldVal = vOld.n;
    if( vOld.n<=sizeof(m->aOldVal) ) memcpy(m->aOldVal, vOld.p, vOld.n);
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
      if( aNew==NULL ){ faktKvSetErr(m->t->s, "out of memory"); m->t->rcErr = rc = FAKT_NOMEM; break; }
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
int faktFtsFlush(StoreTxn *t, const PendEnt *a, size_t n, const uint8_t *aByte){
  FtsMerge m;
  const uint8_t *aTok = NULL;
  size_t nTok = 0, i;
  int rc = ftsMergeBegin(&m, t, 1);
  for(i=0; i<n && rc==FAKT_OK; i++){
    const PendEnt *e = &a[i];
    const uint8_t *k = aByte + e->iOff;
    if( i+PEND_AHEAD<n ) __builtin_prefetch(aByte + a[i+PEND_AHEAD].iOff);
    faktTxnDropTick(t, 1);
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
  faktCodecFtsKey(a, (const uint8_t*)zTok, nTok, p->doc);
  if( p->bDel ){
    static const uint8_t aDel[1] = { FTS_OP_DEL };
    return faktTxnIndexPut(p->t, DB_FTS, a, nTok+5, aDel, 1);
  }
  return faktTxnIndexPut(p->t, DB_FTS, a, nTok+5, "", 0);
}

/*
** Index (or unindex) the words of z for doc. z must not point into the
** map. Nested or not, the changes wait in the pending buffer and reach the
** posting blocks through faktFtsFlush (a repeated word is one change).
*/
int faktFtsDoc(StoreTxn *t, uint32_t doc, const char *z, size_t n, int bDel){
  FtsCtx ctx;
  int rc = faktTxnWritable(t);
  if( rc ) return rc;
  ctx.t = t; ctx.doc = doc; ctx.bDel = bDel;
  return faktTokenize(z, n, ftsWord, &ctx);
}

/* ================================================================ reading */

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
  if( c==NULL ){ faktKvSetErr(t->s, "out of memory"); return FAKT_NOMEM; }
  rc = faktTxnCursor(t, DB_FTS, aPrefix, nTok+1, &c->pCur);
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

/* Move c's LMDB cursor (a KV_* move): FAKT_OK, FAKT_NOTFOUND or an error. */
static int ftsGet(FtsCursor *c, KvVal *k, KvVal *v, int op){
  return faktKvCursorGet(c->pCur->t->s, c->pCur->mc, k, v, op, "fts");
}

/*
** Load the block the LMDB cursor landed on with result rc (key k, value
** v): FAKT_ROW, FAKT_DONE past the token's blocks (the cursor is then
** done), or an error such as FAKT_CORRUPT for a damaged block.
*/
static int ftsCurLoad(FtsCursor *c, int rc, const KvVal *k, const KvVal *v){
  StoreCursor *p = c->pCur;
  uint32_t first;
  c->nDoc = 0;
  if( rc==FAKT_NOTFOUND || (rc==FAKT_OK && !ftsOwns(k, p->aPrefix, c->nTok)) ){
    c->eState = 2;
    return FAKT_DONE;
  }
  c->eState = 2;                              /* unless the block is sound */
  if( rc ) return rc;                         /* kv.c gave it its message */
  if( !ftsKeyDoc(k, c->nTok, &first) || faktCodecFtsDecode(first, v->p, v->n, c->aDoc, &c->nDoc) ){
    c->nDoc = 0;
    faktKvSetErr(p->t->s, "fts block of \"%.*s\" is damaged", (int)c->nTok, (const char*)p->aPrefix);
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
static int ftsCurScan(FtsCursor *c, int rc, KvVal *k, KvVal *v, uint32_t min){
  for(;;){
    rc = ftsCurLoad(c, rc, k, v);
    if( rc!=FAKT_ROW ) return rc;
    if( ftsCurPick(c, min) ) return FAKT_ROW;
    rc = ftsGet(c, k, v, KV_NEXT);
  }
}

int faktFtsNext(FtsCursor *c, uint32_t *pDoc){
  StoreCursor *p;
  KvVal k, v;
  int rc;
  if( c==NULL ) return FAKT_MISUSE;
  p = c->pCur;
  if( c->eState==2 ) return FAKT_DONE;
  if( c->eState==0 ){
    k.p = p->aPrefix; k.n = (size_t)p->nPrefix;
    rc = ftsGet(c, &k, &v, KV_SET_RANGE);
    rc = ftsCurScan(c, rc, &k, &v, 0);
  }else if( c->cur==UINT32_MAX ){
    c->eState = 2;
    rc = FAKT_DONE;
  }else if( c->iDoc+1<c->nDoc ){
    c->cur = c->aDoc[++c->iDoc];
    rc = FAKT_ROW;
  }else{
    rc = ftsGet(c, &k, &v, KV_NEXT);
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
  KvVal k, v;
  uint8_t aKey[FTS_KEY_MAX];
  int rc;
  if( c==NULL ) return FAKT_MISUSE;
  p = c->pCur;
  if( c->eState==2 ) return FAKT_DONE;
  if( c->eState==1 ){
    if( c->cur>=doc || ftsCurPick(c, doc) ){ *pDoc = c->cur; return FAKT_ROW; }
    rc = ftsGet(c, &k, &v, KV_NEXT);
    rc = ftsCurLoad(c, rc, &k, &v);
    if( rc!=FAKT_ROW ) return rc;
    if( ftsCurPick(c, doc) ){ *pDoc = c->cur; return FAKT_ROW; }
  }
  /* descend: the block before the first key >= (token, doc) may hold doc */
  k.p = aKey;
  k.n = faktCodecFtsKey(aKey, p->aPrefix, c->nTok, doc);
  rc = ftsGet(c, &k, &v, KV_SET_RANGE);
  if( rc==FAKT_OK || rc==FAKT_NOTFOUND ){
    int rc2 = ftsGet(c, &k, &v, rc==FAKT_OK ? KV_PREV : KV_LAST);
    if( rc2==FAKT_OK && ftsOwns(&k, p->aPrefix, c->nTok) ){
      rc = rc2;                               /* that block, then on from it */
    }else if( rc2==FAKT_OK || rc2==FAKT_NOTFOUND ){
      k.p = aKey;                             /* none: the token's first block */
      k.n = faktCodecFtsKey(aKey, p->aPrefix, c->nTok, doc);
      rc = ftsGet(c, &k, &v, KV_SET_RANGE);
    }else{
      rc = rc2;
    }
  }
  rc = ftsCurScan(c, rc, &k, &v, doc);
  if( rc==FAKT_ROW ) *pDoc = c->cur;
  return rc;
}
