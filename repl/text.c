/*
** text.c -- memory (checked allocation, growable buffers) and display width of UTF-8 text.
*/
#include "shell.h"

/* ==================================================================== */
/* Memory: every allocation is checked; out of memory ends the program.  */
/* ==================================================================== */

void oom(void){
  fputs("fakt: out of memory\n", stderr);
  exit(1);
}
void *xrealloc(void *p, size_t n){
  void *q = realloc(p, n ? n : 1);
  if( q==0 ) oom();
  return q;
}
void *xmalloc(size_t n){ return xrealloc(0, n); }
char *xstrndup(const char *z, size_t n){
  char *r = xmalloc(n+1);
  memcpy(r, z, n);
  r[n] = 0;
  return r;
}
char *xstrdup(const char *z){ return xstrndup(z, strlen(z)); }


void bufAppend(Buf *b, const char *z, size_t n){
  if( b->n+n+1 > b->nAlloc ){
    size_t nNew = b->nAlloc ? b->nAlloc*2 : 128;
    while( nNew < b->n+n+1 ) nNew *= 2;
    b->z = xrealloc(b->z, nNew);
    b->nAlloc = nNew;
  }
  memcpy(b->z+b->n, z, n);
  b->n += n;
  b->z[b->n] = 0;
}
void bufPuts(Buf *b, const char *z){ bufAppend(b, z, strlen(z)); }
void bufReset(Buf *b){ b->n = 0; if( b->z ) b->z[0] = 0; }
void bufFree(Buf *b){ free(b->z); memset(b, 0, sizeof(*b)); }

/* ==================================================================== */
/* UTF-8 and display width                                               */
/* ==================================================================== */

/* Decode one code point of z (n>0 bytes left); returns its length (>=1). */
int utf8Decode(const unsigned char *z, size_t n, unsigned *pc){
  unsigned c = z[0];
  int len, i;
  if( c<0x80 ){ *pc = c; return 1; }
  if( (c&0xE0)==0xC0 ){ len = 2; c &= 0x1F; }
  else if( (c&0xF0)==0xE0 ){ len = 3; c &= 0x0F; }
  else if( (c&0xF8)==0xF0 ){ len = 4; c &= 0x07; }
  else { *pc = 0xFFFD; return 1; }
  if( (size_t)len>n ){ *pc = 0xFFFD; return 1; }
  for(i=1; i<len; i++){
    if( (z[i]&0xC0)!=0x80 ){ *pc = 0xFFFD; return 1; }
    c = (c<<6) | (z[i]&0x3F);
  }
  *pc = c;
  return len;
}

/* Display columns of code point c: 0 for combining marks, 2 for East
** Asian wide and fullwidth forms and most emoji, 1 otherwise. */
int cpWidth(unsigned c){
  static const unsigned aZero[][2] = {
    {0x0300,0x036F},{0x0483,0x0489},{0x0591,0x05BD},{0x0610,0x061A},
    {0x064B,0x065F},{0x0E31,0x0E31},{0x0E34,0x0E3A},{0x1AB0,0x1AFF},
    {0x1DC0,0x1DFF},{0x200B,0x200F},{0x20D0,0x20FF},{0xFE00,0xFE0F},
    {0xFE20,0xFE2F},{0xE0100,0xE01EF},
  };
  static const unsigned aWide[][2] = {
    {0x1100,0x115F},{0x231A,0x231B},{0x2E80,0x303E},{0x3041,0x33FF},
    {0x3400,0x4DBF},{0x4E00,0x9FFF},{0xA000,0xA4CF},{0xA960,0xA97F},
    {0xAC00,0xD7A3},{0xF900,0xFAFF},{0xFE30,0xFE4F},{0xFF00,0xFF60},
    {0xFFE0,0xFFE6},{0x1F300,0x1F64F},{0x1F900,0x1F9FF},{0x20000,0x2FFFD},
    {0x30000,0x3FFFD},
  };
  size_t i;
  if( c<0x300 ) return 1;
  for(i=0; i<sizeof(aZero)/sizeof(aZero[0]); i++){
    if( c>=aZero[i][0] && c<=aZero[i][1] ) return 0;
  }
  for(i=0; i<sizeof(aWide)/sizeof(aWide[0]); i++){
    if( c>=aWide[i][0] && c<=aWide[i][1] ) return 2;
  }
  return 1;
}

/* Display width of the first n bytes of z. */
int strWidth(const char *z, size_t n){
  const unsigned char *u = (const unsigned char*)z;
  size_t i = 0;
  int w = 0;
  while( i<n ){
    unsigned c;
    i += (size_t)utf8Decode(u+i, n-i, &c);
    w += cpWidth(c);
  }
  return w;
}

/* Number of code points in the first n bytes of z. */
int cpCount(const char *z, size_t n){
  int k = 0;
  size_t i;
  for(i=0; i<n; i++) if( ((unsigned char)z[i]&0xC0)!=0x80 ) k++;
  return k;
}

/* Text for a table cell: control characters made visible as \n \t \r \xHH,
** and cut to nMax display columns with a trailing "…" (nMax<=0: no cut).
** Returns a new string; *pW receives its display width. */
char *cellText(const char *z, int nMax, int *pW){
  Buf b = {0};
  const unsigned char *u = (const unsigned char*)z;
  size_t n = strlen(z), i = 0;
  int w = 0, wFull;
  bufAppend(&b, "", 0);
  while( i<n ){
    unsigned c;
    int len = utf8Decode(u+i, n-i, &c);
    if( c<0x20 || c==0x7F ){
      char a[8];
      if( c=='\n' ) strcpy(a, "\\n");
      else if( c=='\t' ) strcpy(a, "\\t");
      else if( c=='\r' ) strcpy(a, "\\r");
      else snprintf(a, sizeof(a), "\\x%02x", c);
      bufPuts(&b, a);
      w += (int)strlen(a);
    }else{
      bufAppend(&b, (const char*)u+i, (size_t)len);
      w += cpWidth(c);
    }
    i += (size_t)len;
  }
  wFull = w;
  if( nMax>0 && wFull>nMax ){
    /* keep whole code points up to nMax-1 columns, then the ellipsis */
    size_t j = 0;
    w = 0;
    while( j<b.n ){
      unsigned c;
      int len = utf8Decode((unsigned char*)b.z+j, b.n-j, &c);
      if( w+cpWidth(c) > nMax-1 ) break;
      w += cpWidth(c);
      j += (size_t)len;
    }
    b.n = j;
    b.z[j] = 0;
    bufPuts(&b, "\xE2\x80\xA6");
    w += 1;
  }
  *pW = w;
  return b.z;
}

