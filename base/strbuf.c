/*
** strbuf.c -- a growable, NUL-terminated string buffer for the text
** producers (exports, imports, EXPLAIN). An allocation failure sets bOom and
** turns later appends into no-ops; the caller checks bOom once at the end.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base.h"

/* Append n bytes of z. */
void faktStrAppend(Str *s, const char *z, size_t n){
  if( s->bOom ) return;
  if( s->n + n + 1 > s->nAlloc ){
    size_t nNew = s->nAlloc ? s->nAlloc*2 : 256;
    while( nNew < s->n + n + 1 ) nNew *= 2;
    char *zNew = realloc(s->z, nNew);
    if( zNew==NULL ){ s->bOom = 1; return; }
    s->z = zNew;
    s->nAlloc = nNew;
  }
  memcpy(s->z + s->n, z, n);
  s->n += n;
  s->z[s->n] = 0;
}

/* Append a NUL-terminated string. */
void faktStrPuts(Str *s, const char *z){
  faktStrAppend(s, z, strlen(z));
}

/* Append printf-formatted text. */
void faktStrPrintf(Str *s, const char *zFmt, ...){
  char zBuf[256];
  va_list ap;
  va_start(ap, zFmt);
  int n = vsnprintf(zBuf, sizeof(zBuf), zFmt, ap);
  va_end(ap);
  if( n>=0 && (size_t)n<sizeof(zBuf) ){ faktStrAppend(s, zBuf, (size_t)n); return; }
  char *z = NULL;
  va_start(ap, zFmt);
  if( n>=0 && (z = malloc((size_t)n+1))!=NULL ) vsnprintf(z, (size_t)n+1, zFmt, ap);
  va_end(ap);
  if( z ){ faktStrAppend(s, z, (size_t)n); free(z); } else s->bOom = 1;
}

/* Empty the buffer, keeping its memory. */
void faktStrReset(Str *s){
  s->n = 0;
  if( s->z ) s->z[0] = 0;
}

/* Free the buffer's memory. */
void faktStrFree(Str *s){
  free(s->z);
  memset(s, 0, sizeof(*s));
}
