/*
** loadfile.c -- reading and parsing the file of a load statement: the
** window it is read through, and the thread that parses it ahead of the
** statements that run (issue 20). write.c's doLoad runs what this gives it,
** in the file's order, on the calling thread; nothing here touches the
** store or the handle.
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fakt_int.h"

/*
** A loaded file is read through a window (LOAD_WINDOW bytes, more while
** one statement needs more), not whole: the load's memory does not grow
** with the file, and a file may be of any size. The last statement of a
** window may be cut; when the parser took everything up to the window's
** end before the file's end, the window is refilled and the statement
** parsed again (it has not run).
**
** A file of more than LOAD_THREAD_MIN bytes is parsed by a thread of its
** own, while the calling thread runs the statements before: it parses each
** statement into an arena of its own and hands them over LOAD_BATCH at a
** time (one lock for many statements), at most LOAD_QUEUE statements or
** LOAD_QUEUE_BYTES of trees waiting. The caller takes all that wait at
** once, and gives the trees of those that ran back to the parser, which
** frees them (each thread frees what it allocated). The statements' texts
** and trees point into the window, so the parser refills the window only
** when every statement it gave out has run (nRan==nMade): the window is
** that of a load without the thread, and so is its size. When the load
** stops early (an error, an interrupt), the parser is told to stop,
** joined, and what it parsed ahead is freed.
*/
#define LOAD_WINDOW       (1<<20)
#define LOAD_THREAD_MIN   (64<<10)
#define LOAD_BATCH        32
#define LOAD_QUEUE        512
#define LOAD_QUEUE_BYTES  (8<<20)

struct LoadReader {
  FILE *f;
  char *z;                 /* the window: z[0..n), NUL-terminated */
  size_t n, nAlloc;
  size_t iOff;             /* the next statement starts here */
  int bEof;                /* the file's end is in the window */
  ParseOrigin org;         /* position of z[iOff] in the file */
  int bEnd;                /* the statement that used no byte was made */
  int64_t nScanCarry;      /* bytes scanned for a cut statement, counted
                           ** with the next item */
  LoadStats stats;
  int bThread;             /* a parser thread runs: what follows is used */
  pthread_t th;
  /* the parser thread's own */
  LoadItem aBatch[LOAD_BATCH];   /* parsed, not yet handed over */
  int nBatch;
  size_t nBatchBytes;
  /* shared, under mu */
  pthread_mutex_t mu;
  pthread_cond_t cvItem;   /* the caller waits (bWaitItem) for items */
  pthread_cond_t cvRoom;   /* the parser waits (bWaitRoom) for room, or
                           ** for every item to have run */
  int bWaitItem;           /* (also read without mu, atomically: the
                           ** parser hands over a short batch then) */
  int bWaitRoom;
  LoadItem aQueue[LOAD_QUEUE];   /* handed over, in order */
  int nQueued;
  size_t nQueuedBytes;     /* the memory they hold (loadItemBytes) */
  int64_t nMade;           /* items handed over, */
  int64_t nRan;            /* ... and of those, run (and given back) */
  Arena aDone[LOAD_QUEUE]; /* trees of items that ran, for the parser to free */
  int nDone;
  int bStop;               /* the caller stops the load */
  /* the caller's own */
  LoadItem aTake[LOAD_QUEUE];    /* taken: aTake[iTake..nTake) to run */
  int iTake, nTake;
  Arena aRan[LOAD_QUEUE];  /* trees of items that ran, to give back */
  int nRanHere;
};

/* Move the unread bytes to the front and read more (growing the window
** when it is full of one statement). FAKT_OK, FAKT_NOMEM, FAKT_IOERR. */
static int loadFill(LoadReader *p){
  if( p->iOff>0 ){
    memmove(p->z, p->z + p->iOff, p->n - p->iOff);
    p->n -= p->iOff;
    p->iOff = 0;
  }
  if( p->n + 1 >= p->nAlloc ){
    size_t nNew = p->nAlloc ? p->nAlloc*2 : LOAD_WINDOW;
    char *zNew = nNew > p->nAlloc ? realloc(p->z, nNew) : NULL;
    if( zNew==NULL ) return FAKT_NOMEM;
    p->z = zNew;
    p->nAlloc = nNew;
  }
  if( p->nAlloc > p->stats.nWindow ) p->stats.nWindow = p->nAlloc;
  while( !p->bEof && p->n + 1 < p->nAlloc ){
    size_t k = fread(p->z + p->n, 1, p->nAlloc - p->n - 1, p->f);
    p->n += k;
    if( k==0 ){
      if( ferror(p->f) ) return FAKT_IOERR;
      p->bEof = 1;
    }
  }
  p->z[p->n] = 0;
  return FAKT_OK;
}

static void loadItemFree(LoadItem *pItem){
  faktArenaFree(&pItem->a);
  faktErrClear(&pItem->e);
}

/* Free n trees. */
static void loadFreeTrees(Arena *a, int n){
  for(int i=0; i<n; i++) faktArenaFree(&a[i]);
}

/* Parser thread: hand the batch over (waiting for room), and take back the
** trees of the items that ran, to free. 1 when the caller stopped the load
** (the batch is freed). */
static int loadFlush(LoadReader *p){
  Arena aFree[LOAD_QUEUE];
  int nFree, bStop;
  pthread_mutex_lock(&p->mu);
  while( !p->bStop && (p->nQueued + p->nBatch > LOAD_QUEUE
         || (p->nQueued>0 && p->nQueuedBytes + p->nBatchBytes > LOAD_QUEUE_BYTES)) ){
    p->bWaitRoom = 1;
    pthread_cond_wait(&p->cvRoom, &p->mu);
  }
  p->bWaitRoom = 0;
  bStop = p->bStop;
  if( !bStop ){
    for(int i=0; i<p->nBatch; i++){
      p->aQueue[p->nQueued++] = p->aBatch[i];
      if( p->aBatch[i].pSub ) p->stats.nThreadStmts++;
    }
    p->nQueuedBytes += p->nBatchBytes;
    p->nMade += p->nBatch;
    if( p->bWaitItem ) pthread_cond_signal(&p->cvItem);
  }
  nFree = p->nDone;
  memcpy(aFree, p->aDone, sizeof(Arena)*(size_t)nFree);
  p->nDone = 0;
  pthread_mutex_unlock(&p->mu);
  loadFreeTrees(aFree, nFree);
  if( bStop ){
    for(int i=0; i<p->nBatch; i++) loadItemFree(&p->aBatch[i]);
  }
  p->nBatch = 0;
  p->nBatchBytes = 0;
  return bStop;
}

/* Refill the window once no statement given out needs it (the parser
** thread hands its batch over and waits for all to have run). FAKT_OK, a
** read error, or LOAD_STOPPED when the caller stopped the load. */
static int loadRefill(LoadReader *p){
  if( p->bThread ){
    Arena aFree[LOAD_QUEUE];
    int nFree, bStop;
    if( p->nBatch && loadFlush(p) ) return LOAD_STOPPED;
    pthread_mutex_lock(&p->mu);
    while( !p->bStop && p->nRan < p->nMade ){
      p->bWaitRoom = 1;
      pthread_cond_wait(&p->cvRoom, &p->mu);
    }
    p->bWaitRoom = 0;
    bStop = p->bStop;
    nFree = p->nDone;
    memcpy(aFree, p->aDone, sizeof(Arena)*(size_t)nFree);
    p->nDone = 0;
    pthread_mutex_unlock(&p->mu);
    loadFreeTrees(aFree, nFree);
    if( bStop ) return LOAD_STOPPED;
  }
  return loadFill(p);
}

/* Parse the next statement of the file into *pItem (its arena, its text
** in the window, the bytes scanned for it), or say why there is none
** (pItem->rcRead: the end, a read error). Refills the window first when
** less than half of it is left, and again when the statement was cut. */
static void loadParseNext(LoadReader *p, LoadItem *pItem){
  memset(pItem, 0, sizeof(*pItem));
  faktArenaInit(&pItem->a);
  faktErrInit(&pItem->e);
  if( !p->bEof && p->n - p->iOff < LOAD_WINDOW/2 ){
    pItem->rcRead = loadRefill(p);
    if( pItem->rcRead ) return;
  }
  for(;;){
    const char *zStmt = p->z + p->iOff;
    size_t nLeft = p->n - p->iOff;
    int nTake = nLeft > 0x7fffffff ? 0x7fffffff : (int)nLeft;
    int nUsed = 0, rc;
    if( p->iOff>=p->n ){ pItem->rcRead = LOAD_END; break; }
    rc = faktParse(zStmt, nTake, &p->org, &pItem->a, &pItem->pSub, &nUsed, &pItem->e);
    p->nScanCarry += nUsed;              /* the parser read the statement */
    if( !p->bEof && (size_t)nUsed>=nLeft ){
      /* the window may have cut it: more of the file, and again */
      faktArenaFree(&pItem->a);
      faktErrClear(&pItem->e);
      pItem->pSub = NULL;
      pItem->rcRead = loadRefill(p);
      if( pItem->rcRead ) break;
      continue;
    }
    pItem->rc = rc;
    pItem->zStmt = zStmt;
    pItem->nUsed = nUsed;
    /* the next statement's position: from this one's, over its bytes only
    ** (counting from byte 0 each time made the load quadratic) */
    Pos next = faktPosAt(zStmt, nUsed, &p->org);
    p->org.iLine = next.iLine;
    p->org.iCol = next.iCol;
    pItem->nScan = p->nScanCarry + nUsed;
    p->nScanCarry = 0;
    p->iOff += (size_t)nUsed;
    if( nUsed==0 ) p->bEnd = 1;            /* nothing more can be parsed */
    return;
  }
  pItem->nScan = p->nScanCarry;         /* no statement: what a cut one cost */
  p->nScanCarry = 0;
}

/* The memory an item holds: its tree's bytes, and a block of the arena's
** at least (base/arena.c allocates 8 KiB blocks). */
static size_t loadItemBytes(const LoadItem *pItem){
  return pItem->a.nUsed + 8192;
}

/* 1 when nothing comes after pItem: the end, a read or parse error. */
static int loadItemLast(const LoadReader *p, const LoadItem *pItem){
  return pItem->rcRead || pItem->rc || p->bEnd;
}

/* The parser thread: parse, hand over in batches, until the last item or
** until the caller stops the load. */
static void *loadParserMain(void *pArg){
  LoadReader *p = pArg;
  for(;;){
    LoadItem it;
    loadParseNext(p, &it);
    if( it.rcRead==LOAD_STOPPED ){
      loadItemFree(&it);
      break;
    }
    int bLast = loadItemLast(p, &it);
    p->aBatch[p->nBatch++] = it;
    p->nBatchBytes += loadItemBytes(&it);
    if( bLast || p->nBatch==LOAD_BATCH || p->nBatchBytes >= LOAD_QUEUE_BYTES/4
     || __atomic_load_n(&p->bWaitItem, __ATOMIC_RELAXED) ){
      if( loadFlush(p) ) break;
    }
    if( bLast ) break;
  }
  return NULL;
}

/*
** Start reading file f (the caller keeps it open until faktLoadClose): the
** first window is read now, and a file larger than LOAD_THREAD_MIN gets
** its parser thread (unless bNoThread, or the thread cannot start: then
** faktLoadNext parses on the caller's thread). FAKT_OK and *pp, or
** FAKT_NOMEM or FAKT_IOERR (nothing to close).
*/
int faktLoadOpen(FILE *f, int bNoThread, LoadReader **pp){
  LoadReader *p = calloc(1, sizeof(*p));
  int rc;
  *pp = NULL;
  if( p==NULL ) return FAKT_NOMEM;
  p->f = f;
  p->org.iLine = 1;
  p->org.iCol = 1;
  rc = loadFill(p);
  if( rc ){
    free(p->z);
    free(p);
    return rc;
  }
  if( !bNoThread && !(p->bEof && p->n<LOAD_THREAD_MIN) ){
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cvItem, NULL);
    pthread_cond_init(&p->cvRoom, NULL);
    p->bThread = 1;
    if( pthread_create(&p->th, NULL, loadParserMain, p)!=0 ){
      p->bThread = 0;
      pthread_cond_destroy(&p->cvRoom);
      pthread_cond_destroy(&p->cvItem);
      pthread_mutex_destroy(&p->mu);
    }else{
      p->stats.nThreads = 1;
    }
  }
  *pp = p;
  return FAKT_OK;
}

/* The tree of the item after the one taken was written on the parser's
** core: have its first KiB (the Stmt and the names after it; a claim's
** tree is about 1.6 KiB) in this core's cache by the time it runs, or the
** first code to read its tree stalls on every line. More lines stall the
** prefetches themselves (the core has some ten line fill buffers). A
** function of only prefetches would be found free of effects and its
** calls dropped (GCC's pure/const pass): a macro. */
#define LOAD_PREFETCH(p) do{ \
  if( (p)->iTake<(p)->nTake && (p)->aTake[(p)->iTake].a.pHead ){ \
    const char *zPf = (const char*)(p)->aTake[(p)->iTake].a.pHead; \
    size_t nPf = (p)->aTake[(p)->iTake].a.nUsed + 64;   /* the block's header too */ \
    if( nPf>1024 ) nPf = 1024; \
    for(size_t iPf=0; iPf<nPf; iPf+=64) __builtin_prefetch(zPf + iPf); \
  } \
}while(0)

/*
** The next item of the file, in order: a statement (pItem->pSub, NULL for
** only space and comments), a parse error (pItem->rc, pItem->e), or none
** (pItem->rcRead: LOAD_END, or FAKT_NOMEM / FAKT_IOERR when the window
** could not be refilled). The caller runs it, then calls faktLoadDone;
** after an error or LOAD_END it asks for no more.
*/
void faktLoadNext(LoadReader *p, LoadItem *pItem){
  if( !p->bThread ){
    if( p->bEnd ){
      memset(pItem, 0, sizeof(*pItem));
      pItem->rcRead = LOAD_END;
      return;
    }
    loadParseNext(p, pItem);
    return;
  }
  if( p->iTake<p->nTake ){
    *pItem = p->aTake[p->iTake++];
    LOAD_PREFETCH(p);
    return;
  }
  /* all taken items ran: give their trees back, take what waits */
  pthread_mutex_lock(&p->mu);
  int nGive = p->nRanHere;
  if( nGive > LOAD_QUEUE - p->nDone ) nGive = LOAD_QUEUE - p->nDone;
  memcpy(p->aDone + p->nDone, p->aRan, sizeof(Arena)*(size_t)nGive);
  p->nDone += nGive;
  p->nRan += p->nTake;
  if( p->bWaitRoom ) pthread_cond_signal(&p->cvRoom);
  while( p->nQueued==0 ){
    __atomic_store_n(&p->bWaitItem, 1, __ATOMIC_RELAXED);
    pthread_cond_wait(&p->cvItem, &p->mu);
  }
  __atomic_store_n(&p->bWaitItem, 0, __ATOMIC_RELAXED);
  if( p->nQueued > p->stats.nAheadMax ) p->stats.nAheadMax = p->nQueued;
  memcpy(p->aTake, p->aQueue, sizeof(LoadItem)*(size_t)p->nQueued);
  p->nTake = p->nQueued;
  p->iTake = 0;
  p->nQueued = 0;
  p->nQueuedBytes = 0;
  if( p->bWaitRoom ) pthread_cond_signal(&p->cvRoom);
  pthread_mutex_unlock(&p->mu);
  loadFreeTrees(p->aRan + nGive, p->nRanHere - nGive);   /* (none: aDone has room) */
  p->nRanHere = 0;
  *pItem = p->aTake[p->iTake++];
  LOAD_PREFETCH(p);
}

/* pItem ran (or will not run): free it, or keep its tree for the parser
** thread to free. */
void faktLoadDone(LoadReader *p, LoadItem *pItem){
  if( !p->bThread ){
    loadItemFree(pItem);
    return;
  }
  faktErrClear(&pItem->e);
  p->aRan[p->nRanHere++] = pItem->a;
}

/*
** End the reading, whether the file was read to its end or not: the parser
** thread is stopped and joined, the statements it parsed ahead and the
** window are freed. *pStats gets what the reading counted. p may be NULL.
*/
void faktLoadClose(LoadReader *p, LoadStats *pStats){
  if( p==NULL ) return;
  if( p->bThread ){
    pthread_mutex_lock(&p->mu);
    p->bStop = 1;
    pthread_cond_broadcast(&p->cvRoom);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->th, NULL);
    for(int i=0; i<p->nBatch; i++) loadItemFree(&p->aBatch[i]);
    for(int i=0; i<p->nQueued; i++) loadItemFree(&p->aQueue[i]);
    for(int i=p->iTake; i<p->nTake; i++) loadItemFree(&p->aTake[i]);
    loadFreeTrees(p->aDone, p->nDone);
    loadFreeTrees(p->aRan, p->nRanHere);
    pthread_cond_destroy(&p->cvRoom);
    pthread_cond_destroy(&p->cvItem);
    pthread_mutex_destroy(&p->mu);
  }
  if( pStats ) *pStats = p->stats;
  free(p->z);
  free(p);
}
