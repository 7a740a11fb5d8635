/*
** util.c -- arena allocation and error values, shared by lang/ and engine/.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"

/* One arena block: a header followed by the memory it hands out. */
struct ArenaBlock {
  ArenaBlock *pNext;       /* older block */
  size_t nSize;            /* usable bytes */
  size_t nUsed;            /* bytes handed out from this block */
  max_align_t aData[];     /* the memory */
};

#define ARENA_BLOCK 8192

void faktArenaInit(Arena *a){
  a->pHead = NULL;
  a->nUsed = 0;
}

void *faktArenaAlloc(Arena *a, size_t n){
  ArenaBlock *b = a->pHead;
  size_t nAlign = sizeof(max_align_t);
  n = (n + nAlign - 1) & ~(nAlign - 1);
  if( n==0 ) n = nAlign;
  if( b==NULL || b->nSize - b->nUsed < n ){
    size_t nSize = n > ARENA_BLOCK ? n : ARENA_BLOCK;
    b = malloc(sizeof(ArenaBlock) + nSize);
    if( b==NULL ) return NULL;
    b->nSize = nSize;
    b->nUsed = 0;
    b->pNext = a->pHead;
    a->pHead = b;
  }
  void *p = (char*)b->aData + b->nUsed;
  b->nUsed += n;
  a->nUsed += n;
  memset(p, 0, n);
  return p;
}

char *faktArenaStrdup(Arena *a, const char *z, size_t n){
  char *p = faktArenaAlloc(a, n + 1);
  if( p==NULL ) return NULL;
  if( n ) memcpy(p, z, n);
  p[n] = 0;
  return p;
}

void faktArenaFree(Arena *a){
  ArenaBlock *b = a->pHead;
  while( b ){
    ArenaBlock *pNext = b->pNext;
    free(b);
    b = pNext;
  }
  a->pHead = NULL;
  a->nUsed = 0;
}

void faktErrInit(FaktErr *e){
  e->rc = 0;
  e->iOff = -1;
  e->iLine = 0;
  e->iCol = 0;
  e->zMsg = NULL;
}

void faktErrClear(FaktErr *e){
  free(e->zMsg);
  faktErrInit(e);
}

static char *vmprintf(const char *zFmt, va_list ap){
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, zFmt, ap2);
  va_end(ap2);
  if( n<0 ) return NULL;
  char *z = malloc((size_t)n + 1);
  if( z ) vsnprintf(z, (size_t)n + 1, zFmt, ap);
  return z;
}

char *faktMprintf(const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  char *z = vmprintf(zFmt, ap);
  va_end(ap);
  return z;
}

static void errSetV(FaktErr *e, int rc, const Pos *pPos, const char *zFmt, va_list ap){
  char *zBody = vmprintf(zFmt, ap);
  free(e->zMsg);
  e->rc = rc;
  if( pPos ){
    e->iOff = pPos->iOff;
    e->iLine = pPos->iLine;
    e->iCol = pPos->iCol;
    e->zMsg = faktMprintf("line %d, col %d: %s", pPos->iLine, pPos->iCol,
                          zBody ? zBody : "out of memory");
  }else{
    e->iOff = -1;
    e->iLine = e->iCol = 0;
    e->zMsg = zBody ? strdup(zBody) : NULL;
  }
  free(zBody);
}

void faktErrSet(FaktErr *e, int rc, const Pos *pPos, const char *zFmt, ...){
  if( e->rc ) return;
  va_list ap;
  va_start(ap, zFmt);
  errSetV(e, rc, pPos, zFmt, ap);
  va_end(ap);
}

void faktErrReplace(FaktErr *e, int rc, const Pos *pPos, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  errSetV(e, rc, pPos, zFmt, ap);
  va_end(ap);
}
