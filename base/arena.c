/*
** arena.c -- bump allocation in blocks, freed all at once: the memory of a
** statement's tree, plan and rows.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base.h"

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
