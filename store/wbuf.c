/*
** wbuf.c -- the write buffer of a write transaction (storeInt.h,
** "Pending index puts"): the pending index puts, their sort (a radix sort
** with a merge sort for small runs), the sorted runs a large buffer spills
** into (kept in memory up to a budget, then in a temporary file), the
** sorter thread that makes them, the merge of runs and buffer, and the
** pending statistics deltas. It makes no LMDB call: txn.c decides when to
** flush and writes the sorted entries into LMDB (faktWbufMerge hands them
** to its callback). It calls codec.c, and kv.c only to set the store's
** message.
*/
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "storeInt.h"

/* ================================================================ pending puts */

static void workFree(Pending *p);
static void runsFree(Pending *p);

/* The 8 bytes at a, big-endian. */
static inline uint64_t runBe64(const uint8_t *a){
  uint64_t v;
  memcpy(&v, a, 8);
#if __BYTE_ORDER__==__ORDER_LITTLE_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

/* The first 16 bytes of key pK[0..nK), zero-padded, as PendEnt.k0 and k1:
** loads of the key itself, never past its end (copying a short key into a
** padded array and loading that stalled on the copy's stores). */
static inline void keyPrefix(const uint8_t *pK, size_t nK, uint64_t *pk0, uint64_t *pk1){
  if( nK>=16 ){
    *pk0 = runBe64(pK);
    *pk1 = runBe64(pK + 8);
  }else if( nK>=8 ){
    *pk0 = runBe64(pK);
    *pk1 = nK==8 ? 0 : runBe64(pK + nK - 8) << (8*(16 - nK));   /* bytes 8..nK-1 on top */
  }else{
    uint64_t x = 0;
    for(size_t i=0; i<nK; i++) x |= (uint64_t)pK[i] << (56 - 8*i);
    *pk0 = x;
    *pk1 = 0;
  }
}

void faktWbufClear(Pending *p){
  workFree(p);
  runsFree(p);
  free(p->a);
  free(p->aByte);
  free(p->aTmp);
  free(p->aRun);
  if( p->fdRun ) close(p->fdRun - 1);
  memset(p, 0, sizeof(*p));
}

/* Empty p but keep its buffers: a load's next flush needs as much, and
** memory given back and taken again costs a page fault per page. The runs
** in memory are freed; the run file stays open, emptied. */
void faktWbufEmpty(Pending *p){
  assert( !p->bSorting );    /* settled before its merge */
  p->n = 0;
  p->nByte = 0;
  p->bInChild = 0;
  runsFree(p);
  if( p->nRunByte && ftruncate(p->fdRun - 1, 0) ){ /* the space is reused anyway */ }
  p->nRunByte = 0;
}

/* Write the entry (iDb, key prefix k0 k1, key, value) at the end of p,
** whose arrays have room for it. */
static void pendFill(Pending *p, int iDb, uint64_t k0, uint64_t k1, const void *pK, size_t nK,
                     const void *pV, size_t nV){
  PendEnt *d = &p->a[p->n];
  d->k0 = k0;
  d->k1 = k1;
  d->iOff = (uint32_t)p->nByte;
  d->nKey = (uint16_t)nK;
  d->nVal = (uint8_t)nV;
  d->iDb = (uint8_t)iDb;
  memcpy(p->aByte + p->nByte, pK, nK);
  if( nV ) memcpy(p->aByte + p->nByte + nK, pV, nV);
  p->nByte += nK + nV;
  p->n++;
}

/* Append the put (iDb, key pK[0..nK), value pV[0..nV)) to p, after every
** entry already there. */
int faktWbufAppend(Pending *p, int iDb, const void *pK, size_t nK, const void *pV, size_t nV){
  assert( iDb>=0 && iDb<DB_COUNT && nK<=CUR_PREFIX_MAX && nV<=PEND_VAL_MAX );   /* PendEnt's fields */
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
  uint64_t k0, k1;
  keyPrefix(pK, nK, &k0, &k1);
  pendFill(p, iDb, k0, k1, pK, nK, pV, nV);
  return FAKT_OK;
}

/* Append an entry whose key prefix k0, k1 is known (faktWbufAppend). */
static int pendPush(Pending *p, int iDb, uint64_t k0, uint64_t k1, const void *pK, size_t nK,
                    const void *pV, size_t nV){
  assert( iDb>=0 && iDb<DB_COUNT && nK<=CUR_PREFIX_MAX && nV<=PEND_VAL_MAX );   /* PendEnt's fields */
  if( p->n==p->nAlloc || p->nByte + nK + nV > p->nByteAlloc ){
    int rc = faktWbufAppend(p, iDb, pK, nK, pV, nV);   /* grows the arrays */
    if( rc==FAKT_OK ){ p->a[p->n-1].k0 = k0; p->a[p->n-1].k1 = k1; }
    return rc;
  }
  pendFill(p, iDb, k0, k1, pK, nK, pV, nV);
  return FAKT_OK;
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
  return a->iOff<b->iOff ? -1 : (a->iOff>b->iOff);   /* arrival */
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
    if( faktWbufAppend(&p, aDb[(r >> 16) % 6], aKey, nKey, "v", 1) ) goto done;
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
    if( aA[i].iOff!=aB[i].iOff ) rc = FAKT_INTERNAL;
    if( i>0 && pendCmp(&aA[i-1], &aA[i], p.aByte)>=0 ) rc = FAKT_INTERNAL;
    if( i>0 && aA[i-1].iDb==aA[i].iDb ){       /* the keys' bytes agree, not only k0, k1 */
      const PendEnt *a = &aA[i-1], *b = &aA[i];
      int c = memcmp(p.aByte + a->iOff, p.aByte + b->iOff, a->nKey<b->nKey ? a->nKey : b->nKey);
      if( c>0 || (c==0 && a->nKey>b->nKey) ) rc = FAKT_INTERNAL;
    }
  }
done:
  free(aA); free(aB); free(aTmp);
  faktWbufClear(&p);
  return rc;
}

/* Sort p's buffer (pendCmp's order). */
int faktWbufSort(Pending *p, FaktStore *s){
  if( p->n==0 ) return FAKT_OK;
  if( p->aTmp==NULL && (p->aTmp = malloc(p->nAlloc * sizeof(*p->aTmp)))==NULL ){
    faktKvSetErr(s, "out of memory");
    return FAKT_NOMEM;
  }
  pendSortAll(p->a, p->aTmp, p->n, p->aByte);
  return FAKT_OK;
}

/* ================================================================ sorted runs */

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
** A run's records, in pendCmp's order, a key's latest put only: the same
** in the run file and in memory. Each entry's DB byte and key (its full
** key) are front-coded against the record before:
**   varint  bytes of the full key shared with the one before (0 at first)
**   varint  bytes that follow, times 2, plus 1 if a value follows
**   those bytes; then, if a value follows, its length (1 byte) and bytes;
**   else the value is the one before (none at first)
** Sorted keys share most of their front (the ids of a claim's pattern, an
** fts word) and a load's values are alike (the txn's Vis), so a run takes
** a third of the bytes of its entries. Varints: 7 bits a byte, low first.
*/
#define RUN_REC_MAX (2 + 2 + 1 + CUR_PREFIX_MAX + 1 + PEND_VAL_MAX)   /* a record, at most */

static size_t runPutVar(uint8_t *a, size_t v){
  if( v<0x80 ){ a[0] = (uint8_t)v; return 1; }
  a[0] = (uint8_t)(v | 0x80);
  a[1] = (uint8_t)(v >> 7);
  return 2;
}

/* Bytes of the varint at a (at most 2, before aEnd) into *pv, or 0. */
static size_t runGetVar(const uint8_t *a, const uint8_t *aEnd, size_t *pv){
  if( a>=aEnd ) return 0;
  if( a[0]<0x80 ){ *pv = a[0]; return 1; }
  if( a+1>=aEnd || a[1]>=0x80 ) return 0;
  *pv = (size_t)(a[0] & 0x7f) | ((size_t)a[1] << 7);
  return 2;
}

/* Bytes that a[0..n) and b[0..n) share at their front. */
static size_t runShared(const uint8_t *a, const uint8_t *b, size_t n){
  size_t i = 0;
  while( i+8<=n ){
    uint64_t x, y;
    memcpy(&x, a+i, 8);
    memcpy(&y, b+i, 8);
    if( x!=y ) break;
    i += 8;
  }
  while( i<n && a[i]==b[i] ) i++;
  return i;
}

/* The records of the sorted buffer b into aOut (at least runBound(b)
** bytes): their length. */
static size_t runEncode(const Pending *b, uint8_t *aOut){
  const uint8_t *pPrev = NULL, *pVal = NULL;
  size_t nPrev = 0, nVal = 0, n = 0;
  int iDbPrev = -1;
  for(size_t i=0; i<b->n; i++){
    const PendEnt *e = &b->a[i];
    const uint8_t *pK = b->aByte + e->iOff;
    size_t nShared = 0, nFull = 1 + (size_t)e->nKey;
    int bVal;
    if( faktWbufShadowed(b, i) ) continue;
    if( e->iDb==iDbPrev ) nShared = 1 + runShared(pPrev, pK, nPrev<e->nKey ? nPrev : e->nKey);
    bVal = e->nVal!=nVal || memcmp(pK + e->nKey, pVal, nVal)!=0;
    n += runPutVar(aOut + n, nShared);
    n += runPutVar(aOut + n, (nFull - nShared)*2 + (size_t)bVal);
    if( nShared==0 ) aOut[n++] = e->iDb;
    memcpy(aOut + n, pK + (nShared ? nShared-1 : 0), nFull - (nShared ? nShared : 1));
    n += nFull - (nShared ? nShared : 1);
    if( bVal ){
      aOut[n++] = e->nVal;
      memcpy(aOut + n, pK + e->nKey, e->nVal);
      n += e->nVal;
    }
    iDbPrev = e->iDb;
    pPrev = pK;
    nPrev = e->nKey;
    pVal = pK + e->nKey;
    nVal = e->nVal;
  }
  return n;
}

/* The most bytes runEncode writes for b. */
static size_t runBound(const Pending *b){
  return b->nByte + b->n*(RUN_REC_MAX - CUR_PREFIX_MAX - PEND_VAL_MAX);
}

/* Unmap n bytes at a (whole pages); NULL and 0 are harmless. */
static void runUnmap(uint8_t *a, size_t n){
  if( a && n && munmap(a, n) ){ /* a mapping of ours: cannot fail */ }
}

/* Round n up to whole pages. */
static size_t runPages(size_t n){
  size_t szPage = (size_t)sysconf(_SC_PAGESIZE);
  return (n + szPage - 1) / szPage * szPage;
}

/* The run file of a write txn, as its sorter writes it. */
typedef struct RunFile {
  const char *zDir;          /* where it is made (FaktStore.zRunDir; lives as
                             ** long as the handle) */
  uint64_t nMax;             /* most bytes (FaktStore.nRunMax; 0: no limit) */
  int fd;                    /* -1: not made yet */
  uint64_t iEnd;             /* bytes in use */
} RunFile;

/* Append a[0..n) to the run file f, made now if need be: 0 with *piOff
** where it went, or -1 (it cannot be made or written, or would pass its
** limit; what was written past iEnd is not used). */
static int runAppend(RunFile *f, const uint8_t *a, size_t n, uint64_t *piOff){
  if( f->nMax && f->iEnd + n > f->nMax ) return -1;
  if( f->fd<0 && (f->zDir==NULL || (f->fd = runFileOpen(f->zDir))<0) ) return -1;
  if( runIo(f->fd, 1, (uint8_t*)a, n, f->iEnd) ) return -1;
  *piOff = f->iEnd;
  f->iEnd += n;
  return 0;
}

/* Move the runs of aRun[0..n) kept in memory into the run file f, oldest
** first, and free their memory: 0, or -1 (those moved so far are in the
** file, the others still in memory). */
static int runMove(RunFile *f, PendRun *aRun, size_t n){
  for(size_t i=0; i<n; i++){
    PendRun *r = &aRun[i];
    uint64_t iOff;
    if( r->aMem==NULL ) continue;
    if( runAppend(f, r->aMem + r->iOff, (size_t)r->nByte, &iOff) ) return -1;
    runUnmap(r->aMem, r->nMap);
    r->aMem = NULL;
    r->nMap = 0;
    r->iOff = iOff;
  }
  return 0;
}

/*
** Sort the buffer b (its arrays only: a, n, aByte; aTmp: scratch for n
** entries) and make it a run, *pRun: kept in memory (an anonymous map) if
** it fits in nMemFree bytes, else appended to the run file f, after the
** runs aOld[0..nOld) kept in memory so far (*pbMoved = 1): once the runs
** outgrow their memory they all go to the file. 0, or -1 when there is no
** memory for it or the file cannot be made or written or would pass its
** limit: then b stays sorted. Touches neither the store nor the
** transaction but for aOld, which the owner leaves alone meanwhile (the
** sorter thread runs it).
*/
static int runMake(Pending *b, PendEnt *aTmp, size_t nMemFree, RunFile *f, PendRun *aOld, size_t nOld,
                   int *pbMoved, PendRun *pRun){
  size_t nBound = runPages(runBound(b)), nMap, n;
  uint8_t *a;
  int rc;
  pendSortAll(b->a, aTmp, b->n, b->aByte);
  a = mmap(NULL, nBound, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0);
  if( a==MAP_FAILED ) return -1;
  memset(pRun, 0, sizeof(*pRun));
  n = runEncode(b, a);
  nMap = runPages(n);
  runUnmap(a + nMap, nBound - nMap);
  pRun->nByte = n;
  if( nMap<=nMemFree ){
    pRun->aMem = a;                          /* stays in memory */
    pRun->nMap = nMap;
    return 0;
  }
  rc = runMove(f, aOld, nOld);
  if( rc==0 ){
    *pbMoved = 1;
    rc = runAppend(f, a, n, &pRun->iOff);
  }
  runUnmap(a, nMap);
  return rc;
}

uint64_t faktWbufMemBudget(uint64_t nCfg){
  long nPage = sysconf(_SC_PHYS_PAGES), szPage = sysconf(_SC_PAGESIZE);
  uint64_t n = RUN_MEM_DEFAULT;
  if( nCfg ) return nCfg;
  if( nPage>0 && szPage>0 && (uint64_t)nPage*(uint64_t)szPage/16 < n ) n = (uint64_t)nPage*(uint64_t)szPage/16;
  return n;
}

/* Free p's runs kept in memory. */
static void runsFree(Pending *p){
  for(size_t i=0; i<p->nRun; i++) runUnmap(p->aRun[i].aMem, p->aRun[i].nMap);
  p->nRun = 0;
  p->nRunMem = 0;
  p->bRunFile = 0;
}

/* ================================================================ the merge */

/* One input of a merge: a run (in memory, or read from the file through
** a buffer) or the sorted buffer of puts, with its current entry. */
typedef struct MergeIn {
  int iDb;                   /* the current entry: DB, -1 at the end */
  uint64_t k0, k1;           /* its key's first 16 bytes as in PendEnt */
  const uint8_t *pKey;       /* its key */
  const uint8_t *pVal;       /* its value */
  size_t nKey, nVal;
  int iAge;                  /* older inputs first: a later one's put wins */
  /* a run: its records aBuf[i, n) not yet taken */
  const uint8_t *aBuf;
  size_t i, n;
  uint8_t *aRead;            /* in the file: the read buffer (nBuf bytes), else NULL */
  size_t nBuf;
  uint64_t iOff, iEnd;       /* the file bytes still to read */
  PendRun *pRun;             /* in memory and consumed: its pages are let go
                             ** as they are read */
  size_t nFull;              /* the current entry's DB and key, aFull[0..nFull),
                             ** and bytes of no meaning after them */
  uint8_t aFull[1 + CUR_PREFIX_MAX + 32];
  uint8_t aVal[PEND_VAL_MAX];
  /* the buffer */
  const Pending *p;
  size_t iEnt;
} MergeIn;

#define RUN_FREE ((size_t)64 << 10)  /* a consumed run in memory is let go by this much */

/* Step m, a run, to its next record. 0, or -1 on a read error or a
** damaged record (errno 0). */
static int mergeNextRun(MergeIn *m, int fd){
  const uint8_t *a, *aEnd;
  size_t nShared, x, k, nSuffix;
  if( m->aRead && m->n - m->i < RUN_REC_MAX && m->iOff<m->iEnd ){
    size_t nKeep = m->n - m->i, nGet = m->nBuf - nKeep;
    memmove(m->aRead, m->aRead + m->i, nKeep);
    if( nGet > m->iEnd - m->iOff ) nGet = (size_t)(m->iEnd - m->iOff);
    if( runIo(fd, 0, m->aRead + nKeep, nGet, m->iOff) ) return -1;
    m->iOff += nGet;
    m->i = 0;
    m->n = nKeep + nGet;
  }
  if( m->pRun && m->i>=RUN_FREE ){           /* let the pages read go */
    PendRun *r = m->pRun;
    k = m->i / RUN_FREE * RUN_FREE;          /* whole pages of any size up to 64 KiB */
    runUnmap(r->aMem, k);
    r->aMem += k;
    r->nMap -= k;
    r->nByte -= k;
    m->aBuf = r->aMem;
    m->i -= k;
    m->n -= k;
  }
  if( m->i==m->n ){ m->iDb = -1; return 0; }
  a = m->aBuf + m->i;
  aEnd = m->aBuf + m->n;
  if( aEnd - a>=2 && a[0]<0x80 && a[1]<0x80 ){  /* the usual record: two 1-byte varints */
    nShared = a[0];
    x = a[1];
    a += 2;
  }else{
    errno = 0;                               /* a damaged record */
    if( (k = runGetVar(a, aEnd, &nShared))==0 ) return -1;
    a += k;
    if( (k = runGetVar(a, aEnd, &x))==0 ) return -1;
    a += k;
  }
  nSuffix = x >> 1;
  if( nShared>m->nFull || nShared+nSuffix<1 || nShared+nSuffix>1+CUR_PREFIX_MAX
   || (size_t)(aEnd - a)<nSuffix ){
    errno = 0;
    return -1;
  }
  if( nSuffix<=32 && aEnd - a>=32 ){
    memcpy(m->aFull + nShared, a, 32);       /* one fixed copy; aFull has room */
  }else{
    memcpy(m->aFull + nShared, a, nSuffix);
  }
  a += nSuffix;
  m->nFull = nShared + nSuffix;
  if( x & 1 ){
    if( a>=aEnd || a[0]>PEND_VAL_MAX || (size_t)(aEnd - a)<1 + (size_t)a[0] ){
      errno = 0;
      return -1;
    }
    m->nVal = a[0];
    memcpy(m->aVal, a + 1, m->nVal);
    a += 1 + m->nVal;
  }
  if( nShared==0 ){                          /* a new DB */
    if( m->aFull[0]>=DB_COUNT || !faktWbufIsIndexDb(m->aFull[0]) ){
      errno = 0;
      return -1;
    }
    m->iDb = m->aFull[0];
  }
  m->nKey = m->nFull - 1;
  /* the key's first 16 bytes as PendEnt's k0, k1: unchanged if shared */
  if( nShared<17 ){
    const uint8_t *pK = m->aFull + 1;
    uint64_t k1 = runBe64(pK + 8);
    if( nShared<9 ) m->k0 = runBe64(pK);
    if( m->nKey<16 ){                        /* zero past the key */
      if( m->nKey<8 ){
        m->k0 &= m->nKey ? ~(uint64_t)0 << (8*(8 - m->nKey)) : 0;
        k1 = 0;
      }else{
        k1 &= m->nKey>8 ? ~(uint64_t)0 << (8*(16 - m->nKey)) : 0;
      }
    }
    m->k1 = k1;
  }
  m->i = (size_t)(a - m->aBuf);
  return 0;
}

/* Step m to its next entry (iDb -1 at the end). 0, or -1 on a read error
** or a damaged record. */
static int mergeNext(MergeIn *m, int fd){
  if( m->p ){
    const Pending *p = m->p;
    while( m->iEnt<p->n && faktWbufShadowed(p, m->iEnt) ) m->iEnt++;
    if( m->iEnt>=p->n ){ m->iDb = -1; return 0; }
    const PendEnt *e = &p->a[m->iEnt++];
    m->iDb = e->iDb;
    m->k0 = e->k0;
    m->k1 = e->k1;
    m->pKey = p->aByte + e->iOff;
    m->nKey = e->nKey;
    m->pVal = m->pKey + e->nKey;
    m->nVal = e->nVal;
    return 0;
  }
  return mergeNextRun(m, fd);
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

/*
** The inputs' order in a merge: a tournament (loser) tree over aIn[0..n),
** aTree[0] the input whose entry comes first, aTree[1..n) the loser of
** each match on the way up; an input at its end loses to every other, -1
** (only while the tree is built) beats them all. An input's next entry
** plays its way up again: log2(n) comparisons, half of a heap's.
*/
static int mergeBeats(const MergeIn *aIn, int a, int b){
  if( a<0 ) return b>=0;
  if( b<0 || aIn[a].iDb<0 ) return 0;
  return aIn[b].iDb<0 || mergeCmp(&aIn[a], &aIn[b])<0;
}

/* Input s has a new entry (or none): replay its matches. */
static void mergePlay(const MergeIn *aIn, int *aTree, int n, int s){
  for(int t=(s + n)/2; t>0; t/=2){
    if( mergeBeats(aIn, aTree[t], s) ){
      int x = aTree[t];
      aTree[t] = s;
      s = x;
    }
  }
  aTree[0] = s;
}

/* Set up aIn[0..p->nRun] for a merge of p's runs and buffer (the run file
** fd): FAKT_OK, FAKT_NOMEM, FAKT_IOERR. */
static int mergeOpen(Pending *p, int bConsume, MergeIn *aIn, int fd){
  size_t nFile = 0, nBuf, i;
  for(i=0; i<p->nRun; i++) nFile += p->aRun[i].aMem==NULL;
  nBuf = RUN_BUF_ALL / (nFile ? nFile : 1);
  if( nBuf<((size_t)64 << 10) ) nBuf = (size_t)64 << 10;
  if( nBuf>((size_t)1 << 20) ) nBuf = (size_t)1 << 20;
  for(i=0; i<=p->nRun; i++){
    MergeIn *m = &aIn[i];
    m->iAge = (int)i;
    m->iDb = -1;
    if( i==p->nRun ){
      m->p = p;
    }else if( p->aRun[i].aMem ){
      m->pKey = m->aFull + 1;
      m->pVal = m->aVal;
      m->aBuf = p->aRun[i].aMem + p->aRun[i].iOff;
      m->n = (size_t)p->aRun[i].nByte;
      if( bConsume ) m->pRun = &p->aRun[i];
    }else{
      m->pKey = m->aFull + 1;
      m->pVal = m->aVal;
      m->nBuf = nBuf;
      m->iOff = p->aRun[i].iOff;
      m->iEnd = p->aRun[i].iOff + p->aRun[i].nByte;
      if( (m->aRead = malloc(nBuf))==NULL ) return FAKT_NOMEM;
      m->aBuf = m->aRead;
    }
    if( mergeNext(m, fd) ) return FAKT_IOERR;
  }
  return FAKT_OK;
}

/*
** A merge of a Pending's runs and buffer (faktWbufMerge): its inputs, and
** the chunks of merged entries it hands out to be put into the trees. Run
** by the sorter while the owner puts each chunk into LMDB (two chunks take
** turns), or by the owner alone (w NULL), which then puts each chunk as it
** fills.
*/
typedef struct MergeCtx {
  Pending *p;                /* what is merged */
  int bConsume;              /* runs in memory are let go as they are read */
  int fd;                    /* the run file, or -1 */
  int rc;                    /* FAKT_OK, FAKT_NOMEM, FAKT_IOERR (eErrno), xApply's
                             ** error, or FAKT_DONE: stopped by the owner */
  int eErrno;                /* errno of a read error; 0: a damaged record */
  Pending aOut[2];           /* the chunks */
  int iOut;                  /* the chunk being filled */
  int aFull[2];              /* chunk i is full, to be put by the owner (under
                             ** the sorter's mutex) */
  int bStop;                 /* the owner's put failed: stop (the same) */
  PendWork *w;               /* the sorter that runs it, or NULL */
  int (*xApply)(void*, const Pending*);   /* puts a chunk into the trees */
  void *pArg;
} MergeCtx;

static int mergeEmit(MergeCtx *c, int bLast);

/* The entry of m has the key of out's last entry. */
static int mergeSame(const MergeIn *m, const Pending *out){
  const PendEnt *e;
  if( out->n==0 ) return 0;
  e = &out->a[out->n-1];
  return e->iDb==m->iDb && e->nKey==m->nKey && e->k0==m->k0 && e->k1==m->k1
      && (m->nKey<=16 || memcmp(out->aByte + e->iOff + 16, m->pKey + 16, m->nKey - 16)==0);
}

/* Merge c's inputs, a key's latest put only, handing out each chunk of
** PEND_CHUNK bytes and the last one (mergeEmit); c->rc says how it ended.
** Equal keys come oldest first: a later one replaces the last entry of the
** chunk, which is handed out only once the next key differs. */
static void mergeRun(MergeCtx *c){
  Pending *p = c->p, *out = &c->aOut[c->iOut];
  int n = (int)p->nRun + 1, i, rc;
  MergeIn *aIn = calloc((size_t)n, sizeof(*aIn));
  int *aTree = calloc((size_t)n, sizeof(*aTree));
  rc = aIn==NULL || aTree==NULL ? FAKT_NOMEM : mergeOpen(p, c->bConsume, aIn, c->fd);
  if( rc==FAKT_OK ){
    for(i=0; i<n; i++) aTree[i] = -1;
    for(i=n; i-->0; ) mergePlay(aIn, aTree, n, i);
  }
  while( rc==FAKT_OK && aIn[aTree[0]].iDb>=0 ){
    MergeIn *m = &aIn[aTree[0]];
    if( mergeSame(m, out) ){
      out->n--;                              /* the later put wins */
      out->nByte = out->a[out->n].iOff;
    }else if( out->nByte>=PEND_CHUNK ){
      if( (rc = mergeEmit(c, 0))!=FAKT_OK ) break;
      out = &c->aOut[c->iOut];
    }
    if( pendPush(out, m->iDb, m->k0, m->k1, m->pKey, m->nKey, m->pVal, m->nVal) ){
      rc = FAKT_NOMEM;
      break;
    }
    if( mergeNext(m, c->fd) ){ rc = FAKT_IOERR; break; }
    mergePlay(aIn, aTree, n, aTree[0]);
  }
  if( rc==FAKT_IOERR ) c->eErrno = errno;
  if( rc==FAKT_OK ) rc = mergeEmit(c, 1);
  for(i=0; aIn && i<n; i++) free(aIn[i].aRead);
  free(aIn);
  free(aTree);
  c->rc = rc;
}

/* ================================================================ the sorter */

/*
** The sorter of a top-level write txn (Pending.pWork): a thread, made at
** the txn's first spill and joined when its buffer is freed (commit or
** abort), that sorts a full buffer and writes it out as a run while the
** loading thread fills the next buffer: two buffers take turns, the one
** being sorted (buf) and the one being filled (the Pending's own); and
** that merges the runs at a flush while the owner puts the merged chunks
** into the trees (mergeDrive). One job at a time: the owner hands one
** over only once the last has ended and it took its result
** (faktWbufSettle), and it reads what a job wrote only then (a merge's
** chunks: each once the sorter marked it full); the sorter reads nothing
** of the owner's but the job, and never the store. Where no thread can be
** made the jobs run on the owner's thread (bThread 0).
*/
enum { WORK_NONE, WORK_SORT, WORK_MERGE };
struct PendWork {
  pthread_t th;
  pthread_mutex_t mu;        /* guards eJob, bExit and a merge's aFull, bStop */
  pthread_cond_t cvJob;      /* the sorter waits for a job (or a free chunk) */
  pthread_cond_t cvDone;     /* the owner waits for its end (or a full chunk) */
  int bThread;               /* th runs */
  int eJob;                  /* the job posted or running; WORK_NONE: idle */
  int bExit;                 /* the thread is to end once idle */
  Pending buf;               /* the buffer being sorted, or the spare one (its
                             ** arrays only; emptied when its run was taken) */
  PendEnt *aTmp;             /* nTmp entries: the radix sort's scratch */
  size_t nTmp;
  /* where the job's run goes, and what became of it */
  size_t nMemFree;           /* bytes of the memory budget for runs left */
  RunFile file;              /* the run file (Pending.fdRun - 1, nRunByte) */
  PendRun *aOld;             /* the Pending's runs so far, nOld of them: the job */
  size_t nOld;               /* may move those in memory to the file */
  int bMoved;                /* it did */
  int bFailed;               /* no run: buf is to be flushed */
  PendRun run;               /* else the run made */
  MergeCtx *pMerge;          /* a merge's job */
};

/* Swap the arrays of buffers a and b. aTmp fits neither any more. */
static void bufSwap(Pending *a, Pending *b){
  Pending x = *a;
  a->a = b->a; a->n = b->n; a->nAlloc = b->nAlloc;
  a->aByte = b->aByte; a->nByte = b->nByte; a->nByteAlloc = b->nByteAlloc;
  b->a = x.a; b->n = x.n; b->nAlloc = x.nAlloc;
  b->aByte = x.aByte; b->nByte = x.nByte; b->nByteAlloc = x.nByteAlloc;
  free(a->aTmp); a->aTmp = NULL;
  free(b->aTmp); b->aTmp = NULL;
}

static void workRun(PendWork *w, int eJob){
  if( eJob==WORK_MERGE ){
    mergeRun(w->pMerge);
    return;
  }
  w->bFailed = runMake(&w->buf, w->aTmp, w->nMemFree, &w->file, w->aOld, w->nOld, &w->bMoved, &w->run)!=0;
}

static void *workMain(void *pArg){
  PendWork *w = pArg;
  pthread_mutex_lock(&w->mu);
  for(;;){
    while( w->eJob==WORK_NONE && !w->bExit ) pthread_cond_wait(&w->cvJob, &w->mu);
    int eJob = w->eJob;
    if( eJob==WORK_NONE ) break;               /* to end, and idle */
    pthread_mutex_unlock(&w->mu);
    workRun(w, eJob);
    pthread_mutex_lock(&w->mu);
    w->eJob = WORK_NONE;
    pthread_cond_signal(&w->cvDone);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

/* Wait until w's job has ended. */
static void workWait(PendWork *w){
  if( !w->bThread ) return;
  pthread_mutex_lock(&w->mu);
  while( w->eJob!=WORK_NONE ) pthread_cond_wait(&w->cvDone, &w->mu);
  pthread_mutex_unlock(&w->mu);
}

/* Hand w the job eJob (w idle): to its thread, or run it here. */
static void workPost(PendWork *w, int eJob){
  if( !w->bThread ){
    workRun(w, eJob);
    return;
  }
  pthread_mutex_lock(&w->mu);
  w->eJob = eJob;
  pthread_cond_signal(&w->cvJob);
  pthread_mutex_unlock(&w->mu);
}

/* A sorter for p and s, its thread started (if one can be): FAKT_NOMEM. */
static int workNew(Pending *p, FaktStore *s){
  PendWork *w = calloc(1, sizeof(*w));
  if( w==NULL ) return FAKT_NOMEM;
  w->file.zDir = s->zRunDir;
  w->file.nMax = s->nRunMax;
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->cvJob, NULL);
  pthread_cond_init(&w->cvDone, NULL);
  w->bThread = pthread_create(&w->th, NULL, workMain, w)==0;
  p->pWork = w;
  return FAKT_OK;
}

/* End p's sorter: its job ended and its result dropped (but for a run
** file the job made, which p closes), its thread joined, its buffers
** freed. */
static void workFree(Pending *p){
  PendWork *w = p->pWork;
  if( w==NULL ) return;
  p->pWork = NULL;
  if( w->bThread ){
    pthread_mutex_lock(&w->mu);
    w->bExit = 1;
    pthread_cond_signal(&w->cvJob);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->th, NULL);
  }
  if( p->bSorting ){                         /* its result is dropped */
    p->fdRun = w->file.fd + 1;               /* the same file, or one it made */
    if( !w->bFailed ) runUnmap(w->run.aMem, w->run.nMap);
    p->bSorting = 0;
  }
  pthread_cond_destroy(&w->cvDone);
  pthread_cond_destroy(&w->cvJob);
  pthread_mutex_destroy(&w->mu);
  faktWbufClear(&w->buf);
  free(w->aTmp);
  free(w);
}

/*
** Wait for the sort p's sorter may be running and take its result: the
** run goes after p's runs (which it may have moved from memory to the
** file); if it could not be made, the sorted buffer comes back as the
** older part of p's buffer, the entries that came since after it, and
** p->bNoRun is set (flush from now on). FAKT_OK or FAKT_NOMEM (with the
** store's message).
*/
int faktWbufSettle(Pending *p, FaktStore *s){
  PendWork *w = p->pWork;
  if( !p->bSorting ) return FAKT_OK;
  workWait(w);
  p->bSorting = 0;
  p->fdRun = w->file.fd + 1;
  p->nRunByte = w->file.iEnd;
  if( w->bMoved ) p->bRunFile = 1;           /* they outgrew their memory */
  if( !w->bFailed ){
    assert( p->nRun<p->nRunAlloc );          /* faktWbufSpill made room */
    p->aRun[p->nRun++] = w->run;
  }
  p->nRunMem = 0;
  for(size_t i=0; i<p->nRun; i++) p->nRunMem += p->aRun[i].nMap;
  if( w->bFailed ){
    p->bNoRun = 1;
    bufSwap(p, &w->buf);
    for(size_t i=0; i<w->buf.n; i++){
      const PendEnt *e = &w->buf.a[i];
      const uint8_t *pK = w->buf.aByte + e->iOff;
      if( faktWbufAppend(p, e->iDb, pK, e->nKey, pK + e->nKey, e->nVal) ){
        faktKvSetErr(s, "out of memory");
        return FAKT_NOMEM;
      }
    }
  }
  w->buf.n = 0;
  w->buf.nByte = 0;
  return FAKT_OK;
}

/* Free what only a sort of p uses: its scratch, and its sorter's spare
** buffer and scratch (settled), made again at the next spill; and p's own
** buffer if it is empty. Before a merge, which needs memory of its own. */
void faktWbufTrim(Pending *p){
  PendWork *w = p->pWork;
  assert( !p->bSorting );
  free(p->aTmp);
  p->aTmp = NULL;
  if( p->n==0 ){
    free(p->a);
    free(p->aByte);
    p->a = NULL;
    p->aByte = NULL;
    p->nAlloc = p->nByteAlloc = 0;
    p->nByte = 0;
  }
  if( w ){
    faktWbufClear(&w->buf);
    free(w->aTmp);
    w->aTmp = NULL;
    w->nTmp = 0;
  }
}

/*
** The buffer p of a top-level txn is full: the sorter sorts it and makes
** it a run, in memory or in the run file (runMake), while p goes on in
** its other buffer. If no run can be made (now, or the one before: no
** memory for it, and the file cannot be made or written), *pbFlush = 1:
** the caller flushes instead, now and from then on in this transaction
** (p->bNoRun).
*/
int faktWbufSpill(Pending *p, FaktStore *s, int *pbFlush){
  PendWork *w;
  int rc;
  *pbFlush = 1;
  if( p->bNoRun ) return FAKT_OK;
  if( (rc = faktWbufSettle(p, s))!=FAKT_OK ) return rc;
  if( p->bNoRun ) return FAKT_OK;               /* the run before failed */
  if( p->nRun==p->nRunAlloc ){
    size_t nNew = p->nRunAlloc ? p->nRunAlloc*2 : 16;
    PendRun *aNew = realloc(p->aRun, nNew*sizeof(*aNew));
    if( aNew==NULL ){ p->bNoRun = 1; return FAKT_OK; }
    p->aRun = aNew; p->nRunAlloc = nNew;
  }
  if( p->pWork==NULL && workNew(p, s) ){ p->bNoRun = 1; return FAKT_OK; }
  w = p->pWork;
  if( w->nTmp<p->n ){
    free(w->aTmp);
    w->nTmp = 0;
    if( (w->aTmp = malloc(p->nAlloc * sizeof(*w->aTmp)))==NULL ){
      faktKvSetErr(s, "out of memory");
      return FAKT_NOMEM;
    }
    w->nTmp = p->nAlloc;
  }
  bufSwap(p, &w->buf);
  w->file.fd = p->fdRun - 1;
  w->file.iEnd = p->nRunByte;
  w->nMemFree = !p->bRunFile && p->nRunMem<s->nRunMem ? (size_t)(s->nRunMem - p->nRunMem) : 0;
  w->aOld = p->aRun;
  w->nOld = p->nRun;
  w->bMoved = 0;
  workPost(w, WORK_SORT);
  p->bSorting = 1;
  *pbFlush = 0;
  return FAKT_OK;
}

/*
** Hand out c's current chunk (mergeRun, on the sorter or the owner): put
** it into the trees at once when the owner runs the merge; else mark it
** full for the owner and, unless it is the last, wait until the other
** chunk is free to fill. FAKT_OK, or the put's error (FAKT_DONE on the
** sorter: the owner stopped the merge).
*/
static int mergeEmit(MergeCtx *c, int bLast){
  PendWork *w = c->w;
  int rc = FAKT_OK;
  if( w==NULL ){
    if( c->aOut[0].n ) rc = c->xApply(c->pArg, &c->aOut[0]);
    faktWbufEmpty(&c->aOut[0]);
    return rc;
  }
  pthread_mutex_lock(&w->mu);
  if( c->aOut[c->iOut].n ) c->aFull[c->iOut] = 1;
  c->iOut ^= 1;
  pthread_cond_signal(&w->cvDone);
  while( !bLast && c->aFull[c->iOut] && !c->bStop ) pthread_cond_wait(&w->cvJob, &w->mu);
  if( c->bStop ) rc = FAKT_DONE;
  pthread_mutex_unlock(&w->mu);
  return rc;
}

/* The owner's side of a merge the sorter runs: put each chunk into the
** trees as the sorter fills it, in order, until the merge ends; a put that
** fails stops it. FAKT_OK or an error. */
static int mergeDrive(MergeCtx *c){
  PendWork *w = c->w;
  int i = 0, rc = FAKT_OK, bFull;
  workPost(w, WORK_MERGE);
  for(;;){
    pthread_mutex_lock(&w->mu);
    while( !c->aFull[i] && w->eJob!=WORK_NONE ) pthread_cond_wait(&w->cvDone, &w->mu);
    bFull = c->aFull[i];
    pthread_mutex_unlock(&w->mu);
    if( !bFull ) break;                        /* the merge ended: no chunk is left */
    rc = c->xApply(c->pArg, &c->aOut[i]);
    faktWbufEmpty(&c->aOut[i]);
    pthread_mutex_lock(&w->mu);
    c->aFull[i] = 0;
    if( rc ) c->bStop = 1;
    pthread_cond_signal(&w->cvJob);
    pthread_mutex_unlock(&w->mu);
    if( rc ) break;
    i ^= 1;
  }
  workWait(w);
  return rc ? rc : c->rc;
}

/*
** Merge p's runs and its sorted buffer and hand the result to xApply(pArg,
** chunk), PEND_CHUNK bytes at a time, sorted; of equal keys the latest put
** wins. The merge runs on p's sorter, if it has a thread, while this
** thread puts the chunks. The runs and the buffer are left as they are,
** but for bConsume: then the pages of runs in memory are let go as they
** are read (p is to be emptied after). An error of xApply ends the merge
** and is returned (its message is xApply's, but for FAKT_NOMEM and
** FAKT_IOERR).
*/
int faktWbufMerge(Pending *p, FaktStore *s, int bConsume, int (*xApply)(void*, const Pending*), void *pArg){
  MergeCtx c;
  int rc;
  assert( !p->bSorting );
  memset(&c, 0, sizeof(c));
  c.p = p;
  c.bConsume = bConsume;
  c.fd = p->fdRun - 1;
  c.xApply = xApply;
  c.pArg = pArg;
  if( p->pWork && p->pWork->bThread ){
    c.w = p->pWork;
    c.w->pMerge = &c;
    rc = mergeDrive(&c);
    c.w->pMerge = NULL;
  }else{
    mergeRun(&c);
    rc = c.rc;
  }
  if( rc==FAKT_NOMEM ){
    faktKvSetErr(s, "out of memory");
  }else if( rc==FAKT_IOERR ){
    faktKvSetErr(s, "sorted run of pending index puts: %s", c.eErrno ? strerror(c.eErrno) : "damaged record");
  }
  faktWbufClear(&c.aOut[0]);
  faktWbufClear(&c.aOut[1]);
  return rc;
}

/* ================================================================ pending statistics */

static size_t statSlot(const StatTab *p, uint64_t key){
  uint64_t h = key * 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 17) & (p->nSlot - 1);
}

/* Add delta to key in p's table (not its queue). FAKT_NOMEM. */
static int statApply(StatTab *p, uint64_t key, int64_t delta){
  if( (p->nUsed+1)*2 > p->nSlot ){
    size_t nSlot = p->nSlot ? p->nSlot*2 : 256, nUsed = 0;
    StatSlot *a = calloc(nSlot, sizeof(StatSlot));
    if( a==NULL ) return FAKT_NOMEM;
    for(size_t i=0; i<p->nSlot; i++){
      if( p->a[i].key ){
        size_t j = (size_t)((p->a[i].key * 0x9E3779B97F4A7C15ull) >> 17) & (nSlot-1);
        while( a[j].key ) j = (j+1) & (nSlot-1);
        a[j] = p->a[i];
        nUsed++;
      }
    }
    free(p->a);
    p->a = a;
    p->nSlot = nSlot;
    p->nUsed = nUsed;
  }
  size_t j = statSlot(p, key);
  while( p->a[j].key && p->a[j].key!=key ) j = (j+1) & (p->nSlot-1);
  if( p->a[j].key==0 ){ p->a[j].key = key; p->nUsed++; }
  p->a[j].delta += delta;
  return FAKT_OK;
}

/*
** Add delta to (kind, id) in tab p. The add waits in p's queue while the
** cache line of its slot is fetched; the add STAT_Q before it goes into
** the table now. A load's claims count their subjects and objects, slots
** scattered over megabytes: one cache miss each, which the queue lets
** overlap. If the oldest add cannot go in (FAKT_NOMEM), nothing changes.
*/
int faktWbufStatAdd(StatTab *p, uint64_t key, int64_t delta){
  if( p->nQ==STAT_Q ){
    const StatSlot *q = &p->aQ[p->iQ];
    if( statApply(p, q->key, q->delta) ) return FAKT_NOMEM;
    p->iQ = (p->iQ + 1) % STAT_Q;
    p->nQ--;
  }
  if( p->nSlot ) __builtin_prefetch(&p->a[statSlot(p, key)], 1);
  StatSlot *q = &p->aQ[(p->iQ + p->nQ) % STAT_Q];
  q->key = key;
  q->delta = delta;
  p->nQ++;
  return FAKT_OK;
}

int faktWbufStatDrain(StatTab *p){
  while( p->nQ ){
    const StatSlot *q = &p->aQ[p->iQ];
    if( statApply(p, q->key, q->delta) ) return FAKT_NOMEM;
    p->iQ = (p->iQ + 1) % STAT_Q;
    p->nQ--;
  }
  return FAKT_OK;
}

int64_t faktWbufStatGet(const StatTab *p, uint64_t key){
  int64_t n = 0;
  for(int i=0; i<p->nQ; i++){
    const StatSlot *q = &p->aQ[(p->iQ + i) % STAT_Q];
    if( q->key==key ) n += q->delta;
  }
  if( p->nSlot==0 ) return n;
  size_t j = statSlot(p, key);
  while( p->a[j].key ){
    if( p->a[j].key==key ) return n + p->a[j].delta;
    j = (j+1) & (p->nSlot-1);
  }
  return n;
}

void faktWbufStatClear(StatTab *p){
  free(p->a);
  memset(p, 0, sizeof(*p));
}
