/*
** shell.c -- the fakt program: interactive REPL, batch scripts, output modes.
** Uses only the public API in fakt.h, plus libedit for line editing. Input
** from a terminal, stdin, -f FILE, -c TEXT and .read all takes one path:
** lines are gathered until fakt_complete() and then run by runText().
*/
#include "fakt.h"

#include <dirent.h>
#include <errno.h>
#include <histedit.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#ifndef FAKT_DEFAULT_DB
# define FAKT_DEFAULT_DB "corpus.fakt"
#endif

#define DEFAULT_WIDTH 60   /* on a terminal, table cells are cut at this width */
#define TABLE_ROWS 1000    /* table mode sizes its columns on this many rows */
#define TABLE_BYTES (1<<20)  /* ... or on this many bytes of cells, if fewer */
#define WRITE_FAILED (-1)  /* runStmt(): stdout failed (a closed pipe, a full disk) */
#define MAX_READ_DEPTH 16  /* .read nesting limit */

/* ==================================================================== */
/* Memory: every allocation is checked; out of memory ends the program.  */
/* ==================================================================== */

static void oom(void){
  fputs("fakt: out of memory\n", stderr);
  exit(1);
}
static void *xrealloc(void *p, size_t n){
  void *q = realloc(p, n ? n : 1);
  if( q==0 ) oom();
  return q;
}
static void *xmalloc(size_t n){ return xrealloc(0, n); }
static char *xstrndup(const char *z, size_t n){
  char *r = xmalloc(n+1);
  memcpy(r, z, n);
  r[n] = 0;
  return r;
}
static char *xstrdup(const char *z){ return xstrndup(z, strlen(z)); }

/* A growable NUL-terminated byte buffer. */
typedef struct Buf {
  char *z;          /* the bytes, always NUL-terminated once allocated */
  size_t n;         /* bytes used, not counting the terminator */
  size_t nAlloc;    /* bytes allocated */
} Buf;

static void bufAppend(Buf *b, const char *z, size_t n){
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
static void bufPuts(Buf *b, const char *z){ bufAppend(b, z, strlen(z)); }
static void bufReset(Buf *b){ b->n = 0; if( b->z ) b->z[0] = 0; }
static void bufFree(Buf *b){ free(b->z); memset(b, 0, sizeof(*b)); }

/* ==================================================================== */
/* UTF-8 and display width                                               */
/* ==================================================================== */

/* Decode one code point of z (n>0 bytes left); returns its length (>=1). */
static int utf8Decode(const unsigned char *z, size_t n, unsigned *pc){
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
static int cpWidth(unsigned c){
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
static int strWidth(const char *z, size_t n){
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
static int cpCount(const char *z, size_t n){
  int k = 0;
  size_t i;
  for(i=0; i<n; i++) if( ((unsigned char)z[i]&0xC0)!=0x80 ) k++;
  return k;
}

/* Text for a table cell: control characters made visible as \n \t \r \xHH,
** and cut to nMax display columns with a trailing "…" (nMax<=0: no cut).
** Returns a new string; *pW receives its display width. */
static char *cellText(const char *z, int nMax, int *pW){
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

/* ==================================================================== */
/* Shell state                                                           */
/* ==================================================================== */

typedef enum Mode {
  MODE_TABLE, MODE_CSV, MODE_TSV, MODE_JSON, MODE_JSONL,
  MODE_BOX, MODE_MARKDOWN, MODE_LINE, MODE_LIST
} Mode;
static const char *const azModeName[] = {
  "table", "csv", "tsv", "json", "jsonl", "box", "markdown", "line", "list"
};
#define MODE_NAMES "table, box, markdown, csv, tsv, json, jsonl, line or list"

/* Limits of .limit, in the order of fakt_limits()'s arguments. */
static const char *const azLimitName[] = { "rows", "memory", "time" };
#define N_LIMIT 3

/* Where lines come from: a FILE, or the line editor when in is NULL. */
typedef struct Input {
  const char *zName;     /* for messages: file name, "-c" or "<stdin>" */
  const char *zOrigin;   /* for fakt_set_origin(): a file name or NULL */
  FILE *in;              /* the stream; NULL for the interactive editor */
  int iLine;             /* lines read so far */
} Input;

typedef struct Shell {
  fakt *db;              /* the open database */
  char *zDbPath;         /* its path (owned) */
  int bReadonly;         /* opened read-only */
  int bPending;          /* zDbPath does not exist yet: db is a private
                         ** :memory: stand-in, and the first statement that
                         ** writes creates the file (pendingCreate()) */
  Mode mode;             /* output mode */
  int bHeaders;          /* column names in table, csv, tsv */
  int bTimer;            /* .timer on */
  int bExplain;          /* .explain on */
  int bBail;             /* stop at the first error */
  int bChanges;          /* .changes on */
  int nWidth;            /* table cell cut-off (0: none, -1: auto) */
  int bTty;              /* stdout is a terminal */
  int eWrite;            /* errno of a failed write to stdout */
  int nBusyMs;           /* .timeout: how long a write waits (-1: the library's default) */
  int bInteractive;      /* running the REPL */
  int nErr;              /* failed statements and commands so far */
  int bQuit;             /* .quit seen */
  int bStop;             /* bail: stop all input */
  int nDepth;            /* .read nesting */
  int bCont;             /* REPL: inside an unfinished statement */
  Input *pIn;            /* the input being processed (for messages) */
  EditLine *el;          /* line editor (REPL only) */
  History *hist;         /* its history */
  char *zHistFile;       /* history file (owned) */
  FILE *out;             /* where results go: stdout, or the .output/.once file */
  char *zOutFile;        /* its name (owned), NULL for stdout */
  int bOutPipe;          /* out is a pipe to a command (.output |CMD) */
  int bOnce;             /* .once: back to stdout after the next statement or command */
  int iOnce;             /* counts .once commands */
  char *zNull;           /* .nullvalue: the text shown for null (owned) */
  int bEcho;             /* -echo, .echo on: print each input before running it */
  int64_t aLimit[N_LIMIT]; /* .limit rows, memory (bytes), time (ms); 0: none */
  char **azParamName;    /* .parameter: names ("$who", "$1") (owned) */
  char **azParamValue;   /* ... and values, as fakt literals (owned) */
  int nParam;            /* entries in azParamName */
  char **azComp;         /* completion words from the database (owned) */
  char *abLabel;         /* abLabel[i]: azComp[i] is a label or alias */
  int nComp;             /* entries in azComp */
  int bCompValid;        /* azComp reflects the database */
} Shell;

static int pendingCreate(Shell *p);

/* SIGINT: the database a running statement belongs to, and a flag. */
static fakt *volatile pInterruptDb = 0;
static volatile sig_atomic_t seenInterrupt = 0;

static void onSigint(int sig){
  (void)sig;
  seenInterrupt = 1;
  if( pInterruptDb ) fakt_interrupt(pInterruptDb);
}

static double nowSeconds(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec/1e9;
}

/* Report an error of a dot-command: FILE:LINE:1: error: ... in batch
** input, error: ... in the REPL. */
static void dotErr(Shell *p, const char *zFmt, ...){
  va_list ap;
  if( p->pIn && p->pIn->in ) fprintf(stderr, "%s:%d:1: ", p->pIn->zName, p->pIn->iLine);
  fputs("error: ", stderr);
  va_start(ap, zFmt);
  vfprintf(stderr, zFmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  fflush(stderr);
}

/* 1 if a failure in pIn must stop all input: .bail on applies to scripts,
** -f, -c and stdin, never to lines typed at the REPL prompt. */
static int bailOn(Shell *p, Input *pIn){
  return p->bBail && pIn->in!=0;
}

/* ==================================================================== */
/* Output: one writer per mode, fed column names then rows of text.      */
/* ==================================================================== */

typedef struct Out {
  Shell *p;                /* settings */
  FILE *f;                 /* destination */
  int nCol;                /* columns */
  const char *const *azName; /* column names (borrowed) */
  long nRow;               /* rows written or collected */
  Buf cells;               /* table: collected cell pointers (char*) */
  size_t nCellByte;        /* table: bytes of text in cells */
  int bStream;             /* table: widths fixed, rows printed as they come */
  int *aiWidth;            /* table: display width per column */
  int *abNum;              /* table: column is all numbers */
} Out;

/* The width table cells are cut at: as set by --width or .width, else
** DEFAULT_WIDTH on a terminal and no limit (0) otherwise, so that output
** to a file or a pipe is never cut. */
static int cellMax(Shell *p){
  if( p->nWidth>=0 ) return p->nWidth;
  return p->bTty ? DEFAULT_WIDTH : 0;
}

static int isNumType(int t){
  return t==FAKT_INTEGER || t==FAKT_FLOAT || t==FAKT_QUANTITY;
}

static void padTo(FILE *f, int n){ while( n-- > 0 ) fputc(' ', f); }

/* 1 for the modes drawn as a grid of padded columns. */
static int isTableMode(Mode m){
  return m==MODE_TABLE || m==MODE_BOX || m==MODE_MARKDOWN;
}

/* Write z as a JSON string (RFC 8259). */
static void jsonString(FILE *f, const char *z){
  const unsigned char *u = (const unsigned char*)z;
  fputc('"', f);
  for(; *u; u++){
    switch( *u ){
      case '"':  fputs("\\\"", f); break;
      case '\\': fputs("\\\\", f); break;
      case '\n': fputs("\\n", f); break;
      case '\r': fputs("\\r", f); break;
      case '\t': fputs("\\t", f); break;
      case '\b': fputs("\\b", f); break;
      case '\f': fputs("\\f", f); break;
      default:
        if( *u<0x20 ) fprintf(f, "\\u%04x", *u);
        else fputc(*u, f);
    }
  }
  fputc('"', f);
}

/* 1 if z is a number in JSON syntax. */
static int jsonNumberOk(const char *z){
  if( *z=='-' ) z++;
  if( *z=='0' ) z++;
  else if( *z>='1' && *z<='9' ){ while( *z>='0' && *z<='9' ) z++; }
  else return 0;
  if( *z=='.' ){
    z++;
    if( !(*z>='0' && *z<='9') ) return 0;
    while( *z>='0' && *z<='9' ) z++;
  }
  if( *z=='e' || *z=='E' ){
    z++;
    if( *z=='+' || *z=='-' ) z++;
    if( !(*z>='0' && *z<='9') ) return 0;
    while( *z>='0' && *z<='9' ) z++;
  }
  return *z==0;
}

static void jsonValue(FILE *f, const char *z, int t, double r){
  if( z==0 || t==FAKT_NULL ){ fputs("null", f); return; }
  if( t==FAKT_BOOL ){
    fputs(strcmp(z,"false")==0 || strcmp(z,"0")==0 ? "false" : "true", f);
  }else if( (t==FAKT_INTEGER || t==FAKT_FLOAT) && jsonNumberOk(z) ){
    fputs(z, f);
  }else if( t==FAKT_FLOAT ){
    if( isfinite(r) ) fprintf(f, "%.17g", r); else fputs("null", f);
  }else{
    jsonString(f, z);
  }
}

static void jsonObject(Out *o, const char *const *azVal, const int *aType,
                       const double *aReal){
  int i;
  fputc('{', o->f);
  for(i=0; i<o->nCol; i++){
    const char *zName = o->azName[i] ? o->azName[i] : "";
    int j, nSame = 1;
    if( i ) fputc(',', o->f);
    /* a name that repeats gets ":2", ":3" ...: keys of an object are unique */
    for(j=0; j<i; j++) if( strcmp(o->azName[j] ? o->azName[j] : "", zName)==0 ) nSame++;
    if( nSame>1 ){
      char *zKey = xmalloc(strlen(zName) + 16);
      sprintf(zKey, "%s:%d", zName, nSame);
      jsonString(o->f, zKey);
      free(zKey);
    }else{
      jsonString(o->f, zName);
    }
    fputc(':', o->f);
    jsonValue(o->f, azVal[i], aType[i], aReal ? aReal[i] : 0.0);
  }
  fputc('}', o->f);
}

static void csvField(FILE *f, const char *z){
  if( z==0 ) return;
  if( strpbrk(z, ",\"\r\n")==0 ){ fputs(z, f); return; }
  fputc('"', f);
  for(; *z; z++){
    if( *z=='"' ) fputc('"', f);
    fputc(*z, f);
  }
  fputc('"', f);
}

static void tsvField(FILE *f, const char *z){
  if( z==0 ) return;
  for(; *z; z++){
    switch( *z ){
      case '\t': fputs("\\t", f); break;
      case '\n': fputs("\\n", f); break;
      case '\r': fputs("\\r", f); break;
      case '\\': fputs("\\\\", f); break;
      default: fputc(*z, f);
    }
  }
}

/* A row of csv, tsv or list output (bHead: the column names). A null
** is written as the .nullvalue text (empty by default); in csv an empty
** string is written "" so that it differs from a null. */
static void delimRow(Out *o, const char *const *azVal, int bHead){
  int i;
  Mode m = o->p->mode;
  for(i=0; i<o->nCol; i++){
    const char *z = azVal[i] ? azVal[i] : o->p->zNull;
    if( m==MODE_CSV ){
      if( i ) fputc(',', o->f);
      if( azVal[i] && z[0]==0 && !bHead ) fputs("\"\"", o->f);
      else csvField(o->f, z);
    }else if( m==MODE_TSV ){
      if( i ) fputc('\t', o->f);
      tsvField(o->f, z);
    }else{
      if( i ) fputc('|', o->f);
      fputs(z, o->f);
    }
  }
  fputs(m==MODE_CSV ? "\r\n" : "\n", o->f);
}

/* line mode: one "name = value" line per column, a blank line between
** rows; names right-aligned to the longest (at least 5), as in sqlite3. */
static void lineRow(Out *o, const char *const *azVal){
  int i, w = 5;
  for(i=0; i<o->nCol; i++){
    const char *zN = o->azName[i] ? o->azName[i] : "";
    int wn = strWidth(zN, strlen(zN));
    if( wn>w ) w = wn;
  }
  if( o->nRow>0 ) fputc('\n', o->f);
  for(i=0; i<o->nCol; i++){
    const char *zN = o->azName[i] ? o->azName[i] : "";
    padTo(o->f, w-strWidth(zN, strlen(zN)));
    fprintf(o->f, "%s = %s\n", zN, azVal[i] ? azVal[i] : o->p->zNull);
  }
}

static void outBegin(Out *o, Shell *p, int nCol, const char *const *azName){
  int i;
  memset(o, 0, sizeof(*o));
  o->p = p;
  o->f = p->out;
  o->nCol = nCol;
  o->azName = azName;
  if( nCol<=0 ) return;
  if( isTableMode(p->mode) ){
    o->aiWidth = xmalloc(sizeof(int)*(size_t)nCol);
    o->abNum = xmalloc(sizeof(int)*(size_t)nCol);
    for(i=0; i<nCol; i++){ o->aiWidth[i] = 0; o->abNum[i] = 1; }
  }else if( (p->mode==MODE_CSV || p->mode==MODE_TSV || p->mode==MODE_LIST) && p->bHeaders ){
    delimRow(o, azName, 1);
  }
}

#define BOX_V "\xE2\x94\x82"     /* U+2502 vertical line of box mode */
#define BOX_H "\xE2\x94\x80"     /* U+2500 horizontal line */

/* Table cell i of a row: padded to width, numbers to the right. table
** mode has no outer border; box and markdown have one, as in sqlite3. */
static void tableCell(Out *o, int i, const char *z, int w){
  Mode m = o->p->mode;
  int bLast = i==o->nCol-1;
  const char *zV = m==MODE_BOX ? BOX_V : "|";
  if( m==MODE_TABLE ){
    if( i ) fputs(" | ", o->f);
  }else{
    if( i ) fputc(' ', o->f);
    fputs(zV, o->f);
    fputc(' ', o->f);
  }
  if( o->abNum[i] ) padTo(o->f, o->aiWidth[i]-w);
  if( z ) fputs(z, o->f);
  if( !o->abNum[i] && (!bLast || m!=MODE_TABLE) ) padTo(o->f, o->aiWidth[i]-w);
  if( bLast && m!=MODE_TABLE ){
    fputc(' ', o->f);
    fputs(zV, o->f);
  }
}

/* A horizontal rule of box or markdown mode: zL, then each column's
** width (plus its two spaces) of zH, joined by zMid, then zR. */
static void tableRule(Out *o, const char *zL, const char *zH, const char *zMid,
                      const char *zR){
  int i, k;
  fputs(zL, o->f);
  for(i=0; i<o->nCol; i++){
    if( i ) fputs(zMid, o->f);
    for(k=0; k<o->aiWidth[i]+2; k++) fputs(zH, o->f);
  }
  fputs(zR, o->f);
  fputc('\n', o->f);
}

/* 1 if the mode shows the column names: box and markdown always do, as in
** sqlite3; table, csv, tsv and list as .headers says. */
static int showHeaders(Shell *p){
  return p->bHeaders || p->mode==MODE_BOX || p->mode==MODE_MARKDOWN;
}

/* Print the header (if on) and the rows collected so far, and free them. */
static void tableFlush(Out *o){
  char **az = (char**)o->cells.z;
  char **azHead = xmalloc(sizeof(char*)*(size_t)o->nCol);
  int *aiHead = xmalloc(sizeof(int)*(size_t)o->nCol);
  long r, nRow = (long)(o->cells.n/sizeof(char*))/o->nCol;
  int i;
  for(i=0; i<o->nCol; i++){
    azHead[i] = cellText(o->azName[i] ? o->azName[i] : "", cellMax(o->p), &aiHead[i]);
    if( o->nRow==0 ) o->abNum[i] = 0;
    if( showHeaders(o->p) && aiHead[i]>o->aiWidth[i] ) o->aiWidth[i] = aiHead[i];
  }
  if( o->p->mode==MODE_BOX ){
    tableRule(o, "\xE2\x94\x8C", BOX_H, "\xE2\x94\xAC", "\xE2\x94\x90");   /* top */
  }
  if( showHeaders(o->p) ){
    for(i=0; i<o->nCol; i++) tableCell(o, i, azHead[i], aiHead[i]);
    fputc('\n', o->f);
    if( o->p->mode==MODE_BOX ){
      tableRule(o, "\xE2\x94\x9C", BOX_H, "\xE2\x94\xBC", "\xE2\x94\xA4");
    }else if( o->p->mode==MODE_MARKDOWN ){
      tableRule(o, "|", "-", "|", "|");
    }else{
      for(i=0; i<o->nCol; i++){
        int k;
        if( i ) fputs("-+-", o->f);
        for(k=0; k<o->aiWidth[i]; k++) fputc('-', o->f);
      }
      fputc('\n', o->f);
    }
  }
  for(r=0; r<nRow; r++){
    for(i=0; i<o->nCol; i++){
      char *z = az[r*o->nCol+i];
      tableCell(o, i, z, z ? strWidth(z, strlen(z)) : 0);
      free(z);
    }
    fputc('\n', o->f);
  }
  bufReset(&o->cells);
  o->nCellByte = 0;
  for(i=0; i<o->nCol; i++) free(azHead[i]);
  free(azHead);
  free(aiHead);
}

/* One row: azVal[i] is the text (NULL for null), aType[i] its FAKT_ type,
** aReal[i] (may be NULL) its number. */
static void outRow(Out *o, const char *const *azVal, const int *aType,
                   const double *aReal){
  int i;
  if( o->nCol<=0 ) return;
  switch( o->p->mode ){
    case MODE_TABLE: case MODE_BOX: case MODE_MARKDOWN:
      if( o->bStream ){
        for(i=0; i<o->nCol; i++){
          int w;
          char *z = cellText(azVal[i] ? azVal[i] : o->p->zNull, cellMax(o->p), &w);
          tableCell(o, i, z, w);
          free(z);
        }
        fputc('\n', o->f);
        break;
      }
      for(i=0; i<o->nCol; i++){
        int w;
        char *z = cellText(azVal[i] ? azVal[i] : o->p->zNull, cellMax(o->p), &w);
        o->nCellByte += strlen(z);
        if( w>o->aiWidth[i] ) o->aiWidth[i] = w;
        if( azVal[i] && !isNumType(aType[i]) ) o->abNum[i] = 0;
        bufAppend(&o->cells, (const char*)&z, sizeof(z));
      }
      if( o->nRow+1>=TABLE_ROWS || o->nCellByte>=TABLE_BYTES ){
        /* enough to size the columns: print them, stream the rest with
        ** these widths (a wider cell later overflows its column) */
        o->nRow++;
        tableFlush(o);
        o->bStream = 1;
        return;
      }
      break;
    case MODE_CSV: case MODE_TSV: case MODE_LIST:
      delimRow(o, azVal, 0);
      break;
    case MODE_LINE:
      lineRow(o, azVal);
      break;
    case MODE_JSON:
      fputs(o->nRow ? ",\n" : "[", o->f);
      jsonObject(o, azVal, aType, aReal);
      break;
    case MODE_JSONL:
      jsonObject(o, azVal, aType, aReal);
      fputc('\n', o->f);
      break;
  }
  o->nRow++;
}

/* Finish the output. rc: FAKT_DONE when the statement ran to the end;
** after an error a table shows the rows it got, without the row count;
** after an interrupt (Ctrl-C) or a failed write it shows no more rows. */
static void outEnd(Out *o, int rc){
  int bOk = rc==FAKT_DONE;
  int bShow = bOk || (rc!=FAKT_INTERRUPT && rc!=WRITE_FAILED && o->nRow>0);
  if( o->nCol>0 && bShow ){
    if( isTableMode(o->p->mode) ){
      if( !o->bStream ) tableFlush(o);
      if( o->p->mode==MODE_BOX ){
        tableRule(o, "\xE2\x94\x94", BOX_H, "\xE2\x94\xB4", "\xE2\x94\x98");  /* bottom */
      }
      if( bOk && o->p->mode==MODE_TABLE ){
        fprintf(o->f, "(%ld row%s)\n", o->nRow, o->nRow==1 ? "" : "s");
      }
    }else if( o->p->mode==MODE_JSON ){
      fputs(o->nRow ? "]\n" : "[]\n", o->f);
    }
  }
  if( o->cells.z ){
    char **az = (char**)o->cells.z;
    size_t i, n = o->cells.n/sizeof(char*);
    for(i=0; i<n; i++) free(az[i]);
  }
  bufFree(&o->cells);
  free(o->aiWidth);
  free(o->abNum);
  fflush(o->f);
}

/* Send results back to stdout, closing the .output/.once file (or
** waiting for the .output |CMD pipe). Returns 0, or 1 if the file could
** not be written completely (reported). */
static int outputReset(Shell *p){
  int rc = 0;
  if( p->out && p->out!=stdout ){
    int bErr = ferror(p->out);
    int rcClose = p->bOutPipe ? pclose(p->out) : fclose(p->out);
    if( bErr || (!p->bOutPipe && rcClose!=0) ){
      fprintf(stderr, "fakt: cannot write \"%s\"\n", p->zOutFile);
      rc = 1;
    }
  }
  free(p->zOutFile);
  p->zOutFile = 0;
  p->out = stdout;
  p->bOutPipe = 0;
  p->bOnce = 0;
  p->bTty = isatty(1);
  return rc;
}

/* Send results to zFile: "stdout" (or NULL) for stdout, "|CMD" for the
** input of a shell command, else a file, created or truncated. Returns 0,
** or 1 with the error shown (results then go to stdout). */
static int outputSet(Shell *p, const char *zFile, int bOnce){
  int rc = outputReset(p);
  FILE *f;
  if( zFile==0 || strcmp(zFile, "stdout")==0 ) return rc;
  fflush(stdout);
  if( zFile[0]=='|' ){
    f = popen(zFile+1, "w");
    p->bOutPipe = 1;
  }else{
    f = fopen(zFile, "w");
  }
  if( f==0 ){
    dotErr(p, "cannot open \"%s\": %s", zFile, strerror(errno));
    p->bOutPipe = 0;
    return 1;
  }
  p->out = f;
  p->zOutFile = xstrdup(zFile);
  p->bOnce = bOnce;
  p->bTty = !p->bOutPipe && isatty(fileno(f));
  return rc;
}

/* ==================================================================== */
/* Running statements                                                    */
/* ==================================================================== */

/* 1 if writing to o->f failed for good. A write cut short by Ctrl-C (EINTR:
** the handler is installed without SA_RESTART) is forgiven: the statement
** stops with FAKT_INTERRUPT at its next step anyway. */
static int writeFailed(Out *o){
  if( !ferror(o->f) ) return 0;
  if( errno==EINTR || seenInterrupt ){ clearerr(o->f); return 0; }
  o->p->eWrite = errno;
  return 1;
}

/* Step pStmt to the end, writing its rows in the current mode. Returns the
** fakt result code (FAKT_OK when it ran to FAKT_DONE), or WRITE_FAILED when
** stdout failed (EPIPE from a closed pipe: `fakt ... | head -2`), which
** stops the statement at once. */
static int runStmt(Shell *p, fakt_stmt *pStmt){
  int nCol = fakt_column_count(pStmt);
  const char **azName = 0, **azVal = 0;
  int *aType = 0;
  double *aReal = 0;
  Out o;
  int rc, i;
  if( nCol>0 ){
    azName = xmalloc(sizeof(char*)*(size_t)nCol);
    azVal = xmalloc(sizeof(char*)*(size_t)nCol);
    aType = xmalloc(sizeof(int)*(size_t)nCol);
    aReal = xmalloc(sizeof(double)*(size_t)nCol);
    for(i=0; i<nCol; i++) azName[i] = fakt_column_name(pStmt, i);
  }
  outBegin(&o, p, nCol, azName);
  while( (rc = fakt_step(pStmt))==FAKT_ROW ){
    for(i=0; i<nCol; i++){
      aType[i] = fakt_column_type(pStmt, i);
      azVal[i] = aType[i]==FAKT_NULL ? 0 : fakt_column_text(pStmt, i);
      aReal[i] = aType[i]==FAKT_FLOAT ? fakt_column_double(pStmt, i) : 0.0;
    }
    outRow(&o, azVal, aType, aReal);
    if( writeFailed(&o) ){ rc = WRITE_FAILED; break; }
  }
  outEnd(&o, rc);
  if( rc!=WRITE_FAILED && writeFailed(&o) ) rc = WRITE_FAILED;
  free(azName);
  free(azVal);
  free(aType);
  free(aReal);
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

/* Pointer past white space and complete comments at z; NULL if z starts an
** unterminated block comment. */
static const char *skipSpace(const char *z){
  for(;;){
    while( *z==' ' || *z=='\t' || *z=='\r' || *z=='\n' ) z++;
    if( *z=='#' ){
      while( *z && *z!='\n' ) z++;
    }else if( z[0]=='/' && z[1]=='*' ){
      const char *e = strstr(z+2, "*/");
      if( e==0 ) return 0;
      z = e+2;
    }else{
      return z;
    }
  }
}

/* Move (line, col) from zFrom to zTo; columns count code points. */
static void advancePos(const char *zFrom, const char *zTo, int *pLine, int *pCol){
  for(; zFrom<zTo; zFrom++){
    if( *zFrom=='\n' ){ (*pLine)++; *pCol = 1; }
    else if( ((unsigned char)*zFrom&0xC0)!=0x80 ) (*pCol)++;
  }
}

/* Parse the "line L, col C: " prefix of an engine message; returns the
** rest of the message, or NULL if there is no such prefix. */
static const char *splitPosition(const char *zMsg, int *pLine, int *pCol){
  int l, c, n = 0;
  if( sscanf(zMsg, "line %d, col %d: %n", &l, &c, &n)==2 && n>0 ){
    *pLine = l;
    *pCol = c;
    return zMsg+n;
  }
  return 0;
}

/* REPL: print line iLine (counting from iBase at zText) and a caret under
** code point column iCol, measured in display columns. */
static void showCaret(const char *zText, int iBase, int iLine, int iCol){
  const char *z = zText, *zEnd, *q;
  int w = 0, k;
  for(k=iBase; k<iLine && z; k++){
    z = strchr(z, '\n');
    if( z ) z++;
  }
  if( z==0 ) return;
  zEnd = strchr(z, '\n');
  if( zEnd==0 ) zEnd = z+strlen(z);
  fputs("  ", stderr);
  fwrite(z, 1, (size_t)(zEnd-z), stderr);
  fputs("\n  ", stderr);
  for(q=z, k=1; q<zEnd && k<iCol; k++){
    unsigned c;
    int len = utf8Decode((const unsigned char*)q, (size_t)(zEnd-q), &c);
    if( c=='\t' ){ fputc('\t', stderr); }
    else { int cw = cpWidth(c); w += cw; while( cw-- > 0 ) fputc(' ', stderr); }
    q += len;
  }
  (void)w;
  fputs("^\n", stderr);
}

/* Report the last error of p->db for a statement starting at zStmt
** (position iLine:iCol). zText/iBase locate the chunk for the caret. */
static void reportError(Shell *p, Input *pIn, const char *zText, int iBase,
                        const char *zStmt, int iLine, int iCol, int bPrepare){
  const char *zMsg = fakt_errmsg(p->db);
  int l = iLine, c = iCol, bPos = 1;
  const char *zRest = splitPosition(zMsg, &l, &c);
  if( zRest==0 ){
    int off = bPrepare ? fakt_error_offset(p->db) : -1;
    zRest = zMsg;
    if( off>=0 && (size_t)off<=strlen(zStmt) ) advancePos(zStmt, zStmt+off, &l, &c);
    else bPos = 0;
  }
  /* an error inside a loaded file ("in FILE:L:C: ...", nested for nested
  ** loads) is reported at its own place first, then the loads that ran it,
  ** innermost first */
  const char *azIn[8], *zAt = zRest;
  int anIn[8], nChain = 0;
  for(;;){
    const char *q = zAt, *zColon = 0;
    if( strncmp(q, "in ", 3)!=0 || nChain==8 ) break;
    q += 3;
    for(const char *r=q; *r && r[1]; r++){
      /* PATH:L:C: with L and C digits */
      if( r[0]==':' && r[1]>='0' && r[1]<='9' ){
        const char *t = r + 1;
        while( *t>='0' && *t<='9' ) t++;
        if( *t!=':' || t[1]<'0' || t[1]>'9' ) continue;
        t++;
        while( *t>='0' && *t<='9' ) t++;
        if( t[0]==':' && t[1]==' ' ){ zColon = t; break; }
      }
    }
    if( zColon==0 ) break;
    azIn[nChain] = q;
    anIn[nChain++] = (int)(zColon - q);
    zAt = zColon + 2;
  }
  if( nChain ){
    int k;
    fprintf(stderr, "%s%.*s: %s%s\n", pIn->in==0 ? "error: " : "", anIn[nChain-1], azIn[nChain-1],
            pIn->in==0 ? "" : "error: ", zAt);
    for(k=nChain-2; k>=0; k--) fprintf(stderr, "  (in the load at %.*s)\n", anIn[k], azIn[k]);
    if( pIn->in==0 ){
      fprintf(stderr, "  (in the load at line %d, col %d)\n", l, c);
      if( bPos ) showCaret(zText, iBase, l, c);
    }else{
      fprintf(stderr, "  (in the load at %s:%d:%d)\n", pIn->zName, l, c);
    }
  }else if( pIn->in==0 ){
    fprintf(stderr, "error: %s\n", zRest);
    if( bPos ) showCaret(zText, iBase, l, c);
  }else{
    fprintf(stderr, "%s:%d:%d: error: %s\n", pIn->zName, l, c, zRest);
  }
  fflush(stderr);
}

static int isIdentChar(int c){
  return (c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9')
      || c=='_' || (c&0x80);
}

/* With .explain on, re-prepare a find statement [zStmt,zEnd) as
** "explain find ...". Returns the new statement or the old one. */
static fakt_stmt *explainStmt(Shell *p, fakt_stmt *pStmt, const char *zStmt,
                              const char *zEnd, const char *zOrigin,
                              int iLine, int iCol){
  Buf b = {0};
  fakt_stmt *pNew = 0;
  if( strncmp(zStmt, "find", 4)!=0 || isIdentChar((unsigned char)zStmt[4]) ){
    return pStmt;
  }
  bufPuts(&b, "explain ");
  bufAppend(&b, zStmt, (size_t)(zEnd-zStmt));
  fakt_set_origin(p->db, zOrigin, iLine, iCol);
  if( fakt_prepare(p->db, b.z, (int)b.n, &pNew, 0)==FAKT_OK && pNew ){
    fakt_finalize(pStmt);
    pStmt = pNew;
  }
  bufFree(&b);
  return pStmt;
}

static void afterStmt(Shell *p, fakt_stmt *pStmt, double t0){
  if( !fakt_stmt_readonly(pStmt) ){
    p->bCompValid = 0;
    if( p->bChanges ) fprintf(p->out, "changes: %lld\n", (long long)fakt_changes(p->db));
  }
  if( p->bTimer ) fprintf(p->out, "Run time: %.3f s\n", nowSeconds()-t0);
  fflush(p->out);
}

/* A message of fakt_bind_literal() without its "parameter N: " prefix. */
static const char *bindMsg(const char *zMsg){
  int n = 0;
  if( sscanf(zMsg, "parameter %*d: %n", &n)==0 && n>0 ) return zMsg+n;
  return zMsg;
}

/* Bind the .parameter values to the parameters of pStmt that have their
** names ("$who", "$1"); the others stay null. Each value is a fakt
** literal, bound with fakt_bind_literal() (as sqlite3's shell binds the
** values of its parameter table). Returns FAKT_OK or the error code,
** with *pzErr the message (owned by the statement). */
static int bindParams(Shell *p, fakt_stmt *pStmt, const char **pzName, const char **pzErr){
  int i, n = fakt_bind_parameter_count(pStmt);
  for(i=1; i<=n && p->nParam>0; i++){
    const char *zName = fakt_bind_parameter_name(pStmt, i);
    int k, rc;
    if( zName==0 ) continue;
    for(k=0; k<p->nParam && strcmp(p->azParamName[k], zName)!=0; k++){}
    if( k==p->nParam ) continue;
    rc = fakt_bind_literal(pStmt, i, p->azParamValue[k], -1);
    if( rc!=FAKT_OK ){
      *pzName = p->azParamName[k];
      *pzErr = bindMsg(fakt_stmt_errmsg(pStmt));
      return rc;
    }
  }
  return FAKT_OK;
}

/* A statement at iLine:iCol of pIn needs the database, which does not
** exist (p->bPending): report it and count the failure. */
static void noSuchDb(Shell *p, Input *pIn, int iLine, int iCol){
  if( pIn->in==0 ) fprintf(stderr, "error: no such database: %s\n", p->zDbPath);
  else fprintf(stderr, "%s:%d:%d: error: no such database: %s\n", pIn->zName, iLine, iCol, p->zDbPath);
  fflush(stderr);
  p->nErr++;
}

/* Run every statement of zText (nText bytes: it may hold NUL bytes, which
** fakt reports as errors), which starts at line iLine, column 1 of its
** input. Returns 1 if processing must stop (bail or interrupt), else 0. */
static int runText(Shell *p, Input *pIn, const char *zText, size_t nText, int iLine){
  const char *z = zText;
  int line = iLine, col = 1;
  if( nText>INT_MAX ){
    fprintf(stderr, "%s:%d:1: error: statement text too long\n", pIn->zName, iLine);
    p->nErr++;
    if( bailOn(p, pIn) ) p->bStop = 1;
    return p->bStop;
  }
  while( z < zText+nText ){
    const char *zStmt = skipSpace(z), *zTail = 0;
    fakt_stmt *pStmt = 0;
    double t0;
    int rc;
    if( zStmt==0 ) zStmt = z;      /* unterminated comment: let fakt say so */
    if( zStmt >= zText+nText ) break;
    advancePos(z, zStmt, &line, &col);
    fakt_set_origin(p->db, pIn->zOrigin, line, col);
    pInterruptDb = p->db;
    t0 = nowSeconds();
    rc = fakt_prepare(p->db, zStmt, (int)(zText+nText-zStmt), &pStmt, &zTail);
    if( rc!=FAKT_OK && p->bPending && rc!=FAKT_SYNTAX && rc!=FAKT_NOMEM ){
      /* it names what only a database can hold, and there is none */
      noSuchDb(p, pIn, line, col);
      if( bailOn(p, pIn) ){ p->bStop = 1; break; }
      if( zTail==0 || zTail<=zStmt ) break;
    }else if( rc!=FAKT_OK ){
      reportError(p, pIn, zText, iLine, zStmt, line, col, 1);
      p->nErr++;
      if( bailOn(p, pIn) ){ p->bStop = 1; break; }
      if( zTail==0 || zTail<=zStmt ) break;
    }else if( pStmt && p->bPending && fakt_stmt_readonly(pStmt)
              && fakt_column_count(pStmt)>0 ){
      /* a query of a database that does not exist: an error, not an empty
      ** answer from the stand-in */
      fakt_finalize(pStmt);
      noSuchDb(p, pIn, line, col);
      if( bailOn(p, pIn) ){ p->bStop = 1; break; }
    }else if( pStmt ){
      if( p->bPending ){
        /* the first statement that writes (or begin) creates the file */
        fakt_finalize(pStmt);
        pStmt = 0;
        if( pendingCreate(p) ){ p->nErr++; p->bStop = 1; break; }
        pInterruptDb = p->db;
        fakt_set_origin(p->db, pIn->zOrigin, line, col);
        rc = fakt_prepare(p->db, zStmt, (int)(zText+nText-zStmt), &pStmt, &zTail);
        if( rc!=FAKT_OK || pStmt==0 ){    /* it parsed a moment ago */
          reportError(p, pIn, zText, iLine, zStmt, line, col, 1);
          p->nErr++;
          fakt_finalize(pStmt);
          p->bStop = 1;
          break;
        }
      }
      if( p->bExplain ){
        pStmt = explainStmt(p, pStmt, zStmt, zTail ? zTail : zStmt+strlen(zStmt),
                            pIn->zOrigin, line, col);
      }
      {
        const char *zPName = 0, *zPErr = 0;
        if( bindParams(p, pStmt, &zPName, &zPErr)!=FAKT_OK ){
          if( pIn->in==0 ) fprintf(stderr, "error: parameter %s: %s\n", zPName, zPErr);
          else fprintf(stderr, "%s:%d:%d: error: parameter %s: %s\n", pIn->zName, line, col, zPName, zPErr);
          p->nErr++;
          fakt_finalize(pStmt);
          if( bailOn(p, pIn) ){ p->bStop = 1; break; }
          if( zTail==0 || zTail<=zStmt ) break;
          advancePos(zStmt, zTail, &line, &col);
          z = zTail;
          continue;
        }
      }
      rc = runStmt(p, pStmt);
      if( rc==WRITE_FAILED ){
        /* the output is gone: stop all input (sqlite3 dies of SIGPIPE) */
        if( p->eWrite!=EPIPE ){
          fprintf(stderr, "fakt: cannot write the output: %s\n", strerror(p->eWrite));
        }
        p->nErr++;
        p->bStop = 1;
        fakt_finalize(pStmt);
        break;
      }
      if( rc!=FAKT_OK ){
        if( rc==FAKT_INTERRUPT && pIn->in==0 ){
          fputs("\nerror: interrupted\n", stderr);
        }else{
          reportError(p, pIn, zText, iLine, zStmt, line, col, 0);
        }
        p->nErr++;
      }
      afterStmt(p, pStmt, t0);
      fakt_finalize(pStmt);
      if( rc!=FAKT_OK && (bailOn(p, pIn) || rc==FAKT_INTERRUPT) ){
        if( bailOn(p, pIn) ) p->bStop = 1;
        break;
      }
    }
    if( zTail==0 || zTail<=zStmt ) break;
    advancePos(zStmt, zTail, &line, &col);
    z = zTail;
  }
  pInterruptDb = 0;
  return p->bStop;
}

/* Run zQuery and collect column 0 (and column 1, NULL where it is null,
** if pazSecond) of each row.
** Returns FAKT_OK or the error code (nothing printed). */
static int collect(Shell *p, const char *zQuery, char ***pazOut, int *pn,
                   char ***pazSecond){
  fakt_stmt *pStmt = 0;
  int rc, n = 0;
  char **az = 0, **az2 = 0;
  fakt_set_origin(p->db, 0, 1, 1);
  rc = fakt_prepare(p->db, zQuery, -1, &pStmt, 0);
  if( rc!=FAKT_OK || pStmt==0 ){ *pazOut = 0; *pn = 0; return rc ? rc : FAKT_ERROR; }
  while( (rc = fakt_step(pStmt))==FAKT_ROW ){
    const char *z0 = fakt_column_text(pStmt, 0);
    const char *z1 = pazSecond ? fakt_column_text(pStmt, 1) : 0;
    az = xrealloc(az, sizeof(char*)*(size_t)(n+1));
    az[n] = xstrdup(z0 ? z0 : "");
    if( pazSecond ){
      az2 = xrealloc(az2, sizeof(char*)*(size_t)(n+1));
      az2[n] = z1 ? xstrdup(z1) : 0;     /* NULL for null */
    }
    n++;
  }
  fakt_finalize(pStmt);
  *pazOut = az;
  *pn = n;
  if( pazSecond ) *pazSecond = az2;
  return rc==FAKT_DONE ? FAKT_OK : rc;
}

static void freeList(char **az, int n){
  int i;
  for(i=0; i<n; i++) free(az[i]);
  free(az);
}

/* Run zQuery and print its rows in the current mode; 0 on success. */
static int printQuery(Shell *p, const char *zQuery){
  fakt_stmt *pStmt = 0;
  int rc;
  fakt_set_origin(p->db, 0, 1, 1);
  rc = fakt_prepare(p->db, zQuery, -1, &pStmt, 0);
  if( rc==FAKT_OK && pStmt ) rc = runStmt(p, pStmt);
  fakt_finalize(pStmt);
  if( rc!=FAKT_OK ){
    dotErr(p, "%s", fakt_errmsg(p->db));
    return 1;
  }
  return 0;
}

/* ==================================================================== */
/* Dot-commands                                                          */
/* ==================================================================== */

static int processInput(Shell *p, Input *pIn);

static int onOff(Shell *p, const char *z, int *pb){
  if( strcmp(z,"on")==0 || strcmp(z,"1")==0 || strcmp(z,"yes")==0 ){ *pb = 1; return 0; }
  if( strcmp(z,"off")==0 || strcmp(z,"0")==0 || strcmp(z,"no")==0 ){ *pb = 0; return 0; }
  dotErr(p, "expected on or off, not \"%s\"", z);
  return 1;
}

static int parseMode(const char *z, Mode *pm){
  int i;
  for(i=0; i<(int)(sizeof(azModeName)/sizeof(azModeName[0])); i++){
    if( strcmp(z, azModeName[i])==0 ){ *pm = (Mode)i; return 0; }
  }
  return 1;
}

/* Close p->db (if open). A transaction left open is rolled back by
** fakt_close(): say so on stderr and count it as a failure, so that a
** script, .quit, .open or Ctrl-D inside begin ... never loses work
** silently. */
static void closeDb(Shell *p){
  if( p->db==0 ) return;
  if( fakt_in_transaction(p->db) ){
    fprintf(stderr, "fakt: %s: the open transaction was rolled back (no commit)\n",
            p->zDbPath);
    p->nErr++;
  }
  if( fakt_close(p->db)!=FAKT_OK ){
    fprintf(stderr, "fakt: closing \"%s\": %s\n", p->zDbPath, fakt_errmsg(p->db));
    p->nErr++;
  }
  p->db = 0;
}

/* 1 if the directory that would hold file zPath exists: only then can a
** missing zPath wait to be created (Shell.bPending); otherwise fakt_open()
** tells at once that it cannot be. */
static int dirExists(const char *zPath){
  const char *zSlash = strrchr(zPath, '/');
  struct stat st;
  char *zDir;
  int rc;
  if( zSlash==0 ) return 1;
  zDir = xstrndup(zPath, zSlash==zPath ? 1 : (size_t)(zSlash-zPath));
  rc = stat(zDir, &st)==0 && S_ISDIR(st.st_mode);
  free(zDir);
  return rc;
}

/* Open zPath into p (closing what was open). Returns 0 or 1 (error shown). */
static int openDb(Shell *p, const char *zPath, int flags){
  fakt *db = 0;
  struct stat st;
  int bPending = (flags & FAKT_OPEN_CREATE)!=0 && zPath[0] && strcmp(zPath, ":memory:")!=0
              && stat(zPath, &st)!=0 && errno==ENOENT && dirExists(zPath);
  int rc = fakt_open(bPending ? ":memory:" : zPath, flags, &db);
  if( rc==FAKT_MISUSE && p->db && db && strstr(fakt_errmsg(db), "already open in this process") ){
    /* .open of the file that is open (by this or another name): a process
    ** has one handle per file, so close it first, then open it anew (or,
    ** should that fail, the old one again) */
    char *zOld = xstrdup(p->zDbPath);
    int oldFlags = p->bReadonly ? FAKT_OPEN_READONLY : FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE;
    fakt_close(db);
    db = 0;
    closeDb(p);
    rc = fakt_open(zPath, flags, &db);
    if( rc!=FAKT_OK ){
      fakt *dbOld = 0;
      if( fakt_open(zOld, oldFlags, &dbOld)==FAKT_OK ){
        p->db = dbOld;
        if( p->nBusyMs>=0 ) fakt_busy_timeout(dbOld, p->nBusyMs);
      }else{
        fakt_close(dbOld);
      }
    }
    free(zOld);
  }
  if( rc!=FAKT_OK ){
    const char *zWhy = db ? fakt_errmsg(db) : fakt_errstr(rc);
    if( p->pIn ) dotErr(p, "cannot open \"%s\": %s", zPath, zWhy);
    else fprintf(stderr, "fakt: cannot open \"%s\": %s\n", zPath, zWhy);
    fakt_close(db);
    return 1;
  }
  closeDb(p);
  free(p->zDbPath);
  p->db = db;
  if( p->nBusyMs>=0 ) fakt_busy_timeout(db, p->nBusyMs);
  fakt_limits(db, p->aLimit[0], p->aLimit[1], p->aLimit[2]);
  p->zDbPath = xstrdup(zPath);
  p->bReadonly = (flags & FAKT_OPEN_READONLY)!=0;
  p->bPending = bPending;
  p->bCompValid = 0;
  return 0;
}

/* The database p->zDbPath did not exist when it was opened: create it now,
** for a statement that writes. Returns 0, or 1 with the error shown. */
static int pendingCreate(Shell *p){
  fakt *db = 0;
  int rc = fakt_open(p->zDbPath, FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE, &db);
  if( rc!=FAKT_OK ){
    const char *zWhy = db ? fakt_errmsg(db) : fakt_errstr(rc);
    dotErr(p, "cannot create \"%s\": %s", p->zDbPath, zWhy);
    fakt_close(db);
    return 1;
  }
  fakt_close(p->db);           /* the stand-in: nothing was written to it */
  p->db = db;
  if( p->nBusyMs>=0 ) fakt_busy_timeout(db, p->nBusyMs);
  fakt_limits(db, p->aLimit[0], p->aLimit[1], p->aLimit[2]);
  p->bPending = 0;
  p->bCompValid = 0;
  return 0;
}

static int cmdHelp(Shell *p, int nArg, char **azArg);

static int cmdQuit(Shell *p, int nArg, char **azArg){
  (void)nArg; (void)azArg;
  p->bQuit = 1;
  return 0;
}

static int cmdMode(Shell *p, int nArg, char **azArg){
  if( nArg<2 ){ fprintf(p->out, "%s\n", azModeName[p->mode]); return 0; }
  if( parseMode(azArg[1], &p->mode) ){
    dotErr(p, "unknown mode \"%s\": use " MODE_NAMES, azArg[1]);
    return 1;
  }
  return 0;
}

static int cmdHeaders(Shell *p, int nArg, char **azArg){
  (void)nArg;
  return onOff(p, azArg[1], &p->bHeaders);
}
static int cmdTimer(Shell *p, int nArg, char **azArg){
  (void)nArg;
  return onOff(p, azArg[1], &p->bTimer);
}
static int cmdExplain(Shell *p, int nArg, char **azArg){
  (void)nArg;
  return onOff(p, azArg[1], &p->bExplain);
}
static int cmdBail(Shell *p, int nArg, char **azArg){
  (void)nArg;
  return onOff(p, azArg[1], &p->bBail);
}

/* Parse a width for --width or .width: N columns, 0 (no limit) or "auto".
** Returns -1 (auto), the width, or -2 if z is neither. */
static int parseWidth(const char *z){
  char *zEnd;
  long n;
  if( strcmp(z, "auto")==0 ) return -1;
  n = strtol(z, &zEnd, 10);
  if( *zEnd || n<0 || n>100000 || zEnd==z ) return -2;
  return (int)(n==1 ? 2 : n);     /* one column would hold only the "…" */
}

static int cmdWidth(Shell *p, int nArg, char **azArg){
  int n;
  if( nArg<2 ){
    fprintf(p->out, "%d%s\n", cellMax(p), p->nWidth<0 ? " (auto)" : "");
    return 0;
  }
  n = parseWidth(azArg[1]);
  if( n==-2 ){
    dotErr(p, ".width wants a number of columns (0: no limit) or auto");
    return 1;
  }
  p->nWidth = n;
  return 0;
}

/* .timeout [MS]: how long a write waits for another process's write. */
static int cmdTimeout(Shell *p, int nArg, char **azArg){
  char *zEnd;
  long n;
  if( nArg<2 ){ fprintf(p->out, "%d\n", p->nBusyMs<0 ? 5000 : p->nBusyMs); return 0; }
  n = strtol(azArg[1], &zEnd, 10);
  if( *zEnd || zEnd==azArg[1] || n<0 || n>INT32_MAX ){
    dotErr(p, ".timeout wants milliseconds (0: fail at once)");
    return 1;
  }
  p->nBusyMs = (int)n;
  if( p->db ) fakt_busy_timeout(p->db, p->nBusyMs);
  return 0;
}

static int cmdChanges(Shell *p, int nArg, char **azArg){
  if( nArg>=2 ) return onOff(p, azArg[1], &p->bChanges);
  fprintf(p->out, "changes: %lld, last transaction: %lld\n",
         (long long)fakt_changes(p->db), (long long)fakt_last_tx(p->db));
  return 0;
}

static int cmdCheck(Shell *p, int nArg, char **azArg){
  char *zReport = 0;
  int rc = fakt_check(p->db, &zReport);
  (void)nArg; (void)azArg;
  if( zReport ) fprintf(p->out, "%s\n", zReport);
  else if( rc!=FAKT_OK ) dotErr(p, "%s", fakt_errmsg(p->db));
  fakt_free(zReport);
  return rc!=FAKT_OK;
}

/* .vacuum FILE: a compact copy of the database in the new FILE. */
static int cmdVacuum(Shell *p, int nArg, char **azArg){
  (void)nArg;
  if( fakt_vacuum_into(p->db, azArg[1])!=FAKT_OK ){
    dotErr(p, "%s", fakt_errmsg(p->db));
    return 1;
  }
  return 0;
}

/* .backup FILE: an online, consistent copy (a read replica) in the new FILE. */
static int cmdBackup(Shell *p, int nArg, char **azArg){
  (void)nArg;
  if( fakt_backup(p->db, azArg[1])!=FAKT_OK ){
    dotErr(p, "%s", fakt_errmsg(p->db));
    return 1;
  }
  return 0;
}

/* Progress of .import on a terminal: rows so far, on one line of stderr. */
static void importProgress(void *pArg, int64_t nRows, int64_t nSkipped){
  (void)pArg;
  fprintf(stderr, "\r%lld rows, %lld skipped", (long long)nRows, (long long)nSkipped);
  fflush(stderr);
}

/* .import FORMAT PATH: jsonl FILE, csv DIR or geonames FILE, one transaction. */
static int cmdImport(Shell *p, int nArg, char **azArg){
  int64_t nRows = 0, nSkipped = 0;
  char *zErr = 0;
  int bTty = isatty(2), rc;
  (void)nArg;
  pInterruptDb = p->db;            /* Ctrl-C stops the import: nothing stored */
  rc = fakt_import(p->db, azArg[1], azArg[2], bTty ? importProgress : 0, 0,
                   &nRows, &nSkipped, &zErr);
  pInterruptDb = 0;
  if( bTty ) fputs("\r\033[K", stderr);
  if( rc!=FAKT_OK ){
    dotErr(p, "%s", zErr ? zErr : fakt_errstr(rc));
    fakt_free(zErr);
    return 1;
  }
  fprintf(p->out, "%lld rows, %lld skipped\n", (long long)nRows, (long long)nSkipped);
  return 0;
}

/* .export FORMAT PATH, .export dot ENTITY FILE, .export geojson FILE [ENTITY]. */
static int cmdExport(Shell *p, int nArg, char **azArg){
  const char *zPath = azArg[2], *zArg = nArg>3 ? azArg[3] : 0;
  char *zErr = 0;
  int rc;
  if( strcmp(azArg[1], "dot")==0 ){
    if( nArg!=4 ){ dotErr(p, "usage: .export dot ENTITY FILE"); return 1; }
    zArg = azArg[2];
    zPath = azArg[3];
  }else if( nArg>4 || (nArg>3 && strcmp(azArg[1], "csv")==0) ){
    dotErr(p, "usage: .export nquads|jsonl FILE [\"QUERY\"], .export geojson FILE [ENTITY], .export csv DIR, .export sql FILE, .export dot ENTITY FILE");
    return 1;
  }
  rc = fakt_export(p->db, azArg[1], zPath, zArg, &zErr);
  if( rc!=FAKT_OK ){
    dotErr(p, "%s", zErr ? zErr : fakt_errstr(rc));
    fakt_free(zErr);
    return 1;
  }
  return 0;
}

static int cmdOpen(Shell *p, int nArg, char **azArg){
  int flags = FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE;
  const char *zPath = 0;
  int i;
  for(i=1; i<nArg; i++){
    if( strcmp(azArg[i], "--readonly")==0 ) flags = FAKT_OPEN_READONLY;
    else if( zPath==0 ) zPath = azArg[i];
    else { dotErr(p, "usage: .open [--readonly] DB"); return 1; }
  }
  if( zPath==0 ){ dotErr(p, "usage: .open [--readonly] DB"); return 1; }
  return openDb(p, zPath, flags);
}

/* .read FILE: relative names are taken from the directory of the script
** that contains the command, as for `load`. */
static int cmdRead(Shell *p, int nArg, char **azArg, Input *pParent){
  Input in;
  Buf path = {0};
  int nErr0 = p->nErr, rc;
  (void)nArg;
  if( p->nDepth>=MAX_READ_DEPTH ){
    dotErr(p, ".read nested too deeply");
    return 1;
  }
  if( azArg[1][0]!='/' && pParent->zOrigin && strrchr(pParent->zOrigin, '/') ){
    const char *zSlash = strrchr(pParent->zOrigin, '/');
    bufAppend(&path, pParent->zOrigin, (size_t)(zSlash-pParent->zOrigin)+1);
  }
  bufPuts(&path, azArg[1]);
  memset(&in, 0, sizeof(in));
  in.zName = path.z;
  in.zOrigin = path.z;
  in.in = fopen(path.z, "rb");
  if( in.in==0 ){
    dotErr(p, "cannot open \"%s\": %s", path.z, strerror(errno));
    bufFree(&path);
    return 1;
  }
  p->nDepth++;
  processInput(p, &in);
  p->nDepth--;
  fclose(in.in);
  bufFree(&path);
  rc = p->nErr>nErr0;
  p->nErr = nErr0;     /* the caller counts the .read as one failure */
  return rc;
}

/* Look up zKey in the parallel lists az/n, -1 if absent. */
static int findIn(char **az, int n, const char *zKey){
  int i;
  for(i=0; i<n; i++) if( strcmp(az[i], zKey)==0 ) return i;
  return -1;
}

static int cmdSchema(Shell *p, int nArg, char **azArg){
  char **azP = 0, **azN = 0, **azDecl = 0, **azSingle = 0;
  char **azTP = 0, **azT = 0, **azDP = 0, **azD = 0, **azR = 0, **azRT = 0;
  int nP = 0, nDecl = 0, nSingle = 0, nT = 0, nD = 0, nR = 0, i, rc, bSingle;
  (void)nArg; (void)azArg;
  rc = printQuery(p, "find ?t as type, count(?e) as entities "
                     "where type(?e, ?t) order by ?t;");
  if( rc ) return 1;
  if( collect(p, "find ?p, count(?c) where ?c: ?s ?p ?o order by ?p;",
              &azP, &nP, &azN)!=FAKT_OK ){
    dotErr(p, "%s", fakt_errmsg(p->db));
    freeList(azP, nP);
    freeList(azN, nP);
    return 1;
  }
  /* declared predicates without claims, and the single-valued ones: only
  ** from the built-ins predicate(?p) and single(?p) */
  if( collect(p, "find ?p where predicate(?p);", &azDecl, &nDecl, 0) ){
    nDecl = 0;
  }
  bSingle = collect(p, "find ?p where single(?p);", &azSingle, &nSingle, 0)==FAKT_OK;
  /* each predicate's object type and description (its label) */
  if( collect(p, "find ?p, ?t where objtype(?p, ?t);", &azTP, &nT, &azT) ){
    freeList(azTP, nT); freeList(azT, nT); azTP = azT = 0; nT = 0;
  }
  if( collect(p, "find ?p, label(?p) where predicate(?p);", &azDP, &nD, &azD) ){
    freeList(azDP, nD); freeList(azD, nD); azDP = azD = 0; nD = 0;
  }
  for(i=0; i<nDecl; i++){
    if( findIn(azP, nP, azDecl[i])<0 ){
      azP = xrealloc(azP, sizeof(char*)*(size_t)(nP+1));
      azN = xrealloc(azN, sizeof(char*)*(size_t)(nP+1));
      azP[nP] = xstrdup(azDecl[i]);
      azN[nP] = xstrdup("0");
      nP++;
    }
  }
  {
    static const char *const azName[] = { "predicate", "claims", "single", "type", "doc" };
    Out o;
    outBegin(&o, p, 5, azName);
    for(i=0; i<nP; i++){
      const char *azV[5];
      int aT[5] = { FAKT_ENTITY, FAKT_INTEGER, FAKT_BOOL, FAKT_TEXT, FAKT_TEXT };
      int k;
      azV[0] = azP[i];
      azV[1] = azN[i];
      azV[2] = !bSingle ? 0 : findIn(azSingle, nSingle, azP[i])>=0 ? "true" : "false";
      azV[3] = (k = findIn(azTP, nT, azP[i]))>=0 ? azT[k] : 0;
      azV[4] = (k = findIn(azDP, nD, azP[i]))>=0 ? azD[k] : 0;
      if( azV[2]==0 ) aT[2] = FAKT_NULL;
      if( azV[3]==0 ) aT[3] = FAKT_NULL;
      if( azV[4]==0 ) aT[4] = FAKT_NULL;
      outRow(&o, azV, aT, 0);
    }
    outEnd(&o, FAKT_DONE);
  }
  /* the stored rules, each name with the text of all its alternatives */
  if( collect(p, "find ?r, ?t where rule_text(?r, ?t) order by ?r;", &azR, &nR, &azRT)==FAKT_OK
      && nR>0 ){
    static const char *const azName[] = { "rule", "text" };
    Out o;
    outBegin(&o, p, 2, azName);
    for(i=0; i<nR; i++){
      const char *azV[2];
      int aT[2] = { FAKT_TEXT, FAKT_TEXT };
      azV[0] = azR[i];
      azV[1] = azRT[i];
      outRow(&o, azV, aT, 0);
    }
    outEnd(&o, FAKT_DONE);
  }
  freeList(azTP, nT);
  freeList(azT, nT);
  freeList(azDP, nD);
  freeList(azD, nD);
  freeList(azR, nR);
  freeList(azRT, nR);
  freeList(azP, nP);
  freeList(azN, nP);
  freeList(azDecl, nDecl);
  freeList(azSingle, nSingle);
  return 0;
}

static int cmdSources(Shell *p, int nArg, char **azArg){
  (void)nArg; (void)azArg;
  return printQuery(p, "find ?s as source, ?t as title, ?o as outlet, "
                       "?d as published where title(?s, ?t), "
                       "optional { outlet(?s, ?o) }, optional { published(?s, ?d) } "
                       "order by ?s;");
}

/* One statement with $s bound to the source id zSrc; 1 on an error (shown). */
static int prepareSrc(Shell *p, const char *zQuery, const char *zSrc, fakt_stmt **ppStmt){
  int rc = fakt_prepare(p->db, zQuery, -1, ppStmt, 0);
  if( rc==FAKT_OK ) rc = fakt_bind_entity(*ppStmt, fakt_bind_parameter_index(*ppStmt, "$s"), zSrc);
  if( rc==FAKT_NOTFOUND ){
    dotErr(p, "unknown source \"%s\"", zSrc);
  }else if( rc!=FAKT_OK ){
    dotErr(p, "%s", fakt_errmsg(p->db));
  }
  if( rc!=FAKT_OK ){
    fakt_finalize(*ppStmt);
    *ppStmt = 0;
    return 1;
  }
  return 0;
}

/*
** .coverage SOURCE: the sentences of SOURCE's text (sentence(), SPEC 8.1a)
** that no visible claim of it quotes (no span overlaps them), in text
** order, then "N of M sentences of SOURCE have no claim". What a curator
** has left to do; tests/corpus_paragraphs.py did it by paragraph.
*/
static int cmdCoverage(Shell *p, int nArg, char **azArg){
  static const char zRows[] =
    "find ?b as start, ?e as end, ?t as sentence where sentence($s, ?b, ?e, ?t), "
    "not { source(?c, $s), span(?c, ?x, ?y), ?x < ?e, ?y > ?b } order by ?b;";
  static const char zCount[] =
    "find count() where sentence($s, ?b, ?e, ?t), title($s, ?n);";
  fakt_stmt *pStmt = 0;
  int64_t nAll = 0, nOpen = 0;
  int rc;
  (void)nArg;
  fakt_set_origin(p->db, 0, 1, 1);
  if( prepareSrc(p, zCount, azArg[1], &pStmt) ) return 1;
  rc = fakt_step(pStmt);
  if( rc==FAKT_ROW ) nAll = fakt_column_int64(pStmt, 0);
  fakt_finalize(pStmt);
  if( rc!=FAKT_ROW ){
    dotErr(p, "%s", fakt_errmsg(p->db));
    return 1;
  }
  if( nAll==0 ){
    dotErr(p, "\"%s\" is not a source with a stored text", azArg[1]);
    return 1;
  }
  if( prepareSrc(p, zRows, azArg[1], &pStmt) ) return 1;
  rc = runStmt(p, pStmt);
  fakt_finalize(pStmt);
  if( rc!=FAKT_OK ){
    dotErr(p, "%s", fakt_errmsg(p->db));
    return 1;
  }
  if( prepareSrc(p, "find count() where sentence($s, ?b, ?e, ?t), "
                    "not { source(?c, $s), span(?c, ?x, ?y), ?x < ?e, ?y > ?b };", azArg[1], &pStmt) ) return 1;
  if( fakt_step(pStmt)==FAKT_ROW ) nOpen = fakt_column_int64(pStmt, 0);
  fakt_finalize(pStmt);
  fprintf(p->out, "%lld of %lld sentences of %s have no claim\n", (long long)nOpen, (long long)nAll, azArg[1]);
  return 0;
}

static int cmdEcho(Shell *p, int nArg, char **azArg){
  (void)nArg;
  return onOff(p, azArg[1], &p->bEcho);
}

/* .output [FILE|stdout|'|CMD'] and .once FILE|'|CMD'. */
static int cmdOutput(Shell *p, int nArg, char **azArg){
  return outputSet(p, nArg>1 ? azArg[1] : 0, 0);
}
static int cmdOnce(Shell *p, int nArg, char **azArg){
  (void)nArg;
  if( outputSet(p, azArg[1], 1) ) return 1;
  p->iOnce++;
  return 0;
}

/* .nullvalue TEXT: how null is shown in the text modes (default: empty). */
static int cmdNullvalue(Shell *p, int nArg, char **azArg){
  (void)nArg;
  free(p->zNull);
  p->zNull = xstrdup(azArg[1]);
  return 0;
}

/* .print TEXT ...: the arguments, separated by spaces, on one line. */
static int cmdPrint(Shell *p, int nArg, char **azArg){
  int i;
  for(i=1; i<nArg; i++) fprintf(p->out, "%s%s", i>1 ? " " : "", azArg[i]);
  fputc('\n', p->out);
  return 0;
}

/* .show: the current settings, one per line, as sqlite3 shows them. */
static int cmdShow(Shell *p, int nArg, char **azArg){
  FILE *f = p->out;
  char aW[32];
  (void)nArg; (void)azArg;
  if( p->nWidth<0 ) snprintf(aW, sizeof(aW), "auto (%d)", cellMax(p));
  else snprintf(aW, sizeof(aW), "%d", p->nWidth);
  fprintf(f, "%12s: %s\n", "bail", p->bBail ? "on" : "off");
  fprintf(f, "%12s: %s\n", "changes", p->bChanges ? "on" : "off");
  fprintf(f, "%12s: %s\n", "echo", p->bEcho ? "on" : "off");
  fprintf(f, "%12s: %s\n", "explain", p->bExplain ? "on" : "off");
  fprintf(f, "%12s: %s\n", "headers", p->bHeaders ? "on" : "off");
  fprintf(f, "%12s: rows %lld, memory %lld, time %lld\n", "limit",
          (long long)p->aLimit[0], (long long)p->aLimit[1], (long long)p->aLimit[2]);
  fprintf(f, "%12s: %s\n", "mode", azModeName[p->mode]);
  fprintf(f, "%12s: ", "nullvalue");
  jsonString(f, p->zNull);
  fputc('\n', f);
  fprintf(f, "%12s: %s%s\n", "output", p->zOutFile ? p->zOutFile : "stdout",
          p->bOnce ? " (once)" : "");
  fprintf(f, "%12s: %d\n", "parameters", p->nParam);
  fprintf(f, "%12s: %d\n", "timeout", p->nBusyMs<0 ? 5000 : p->nBusyMs);
  fprintf(f, "%12s: %s\n", "timer", p->bTimer ? "on" : "off");
  fprintf(f, "%12s: %s\n", "width", aW);
  fprintf(f, "%12s: %s%s\n", "filename", p->zDbPath ? p->zDbPath : "",
          p->bReadonly ? " (read-only)" : "");
  return 0;
}

/* .limit [NAME [N]]: the per-query limits of fakt_limits(): rows a query
** may produce or hold, memory (bytes) it may hold, time (ms) it may run;
** 0 is no limit. With no argument lists all three; with NAME shows one. */
static int cmdLimit(Shell *p, int nArg, char **azArg){
  int i, iLim = -1;
  if( nArg==1 ){
    for(i=0; i<N_LIMIT; i++) fprintf(p->out, "%-8s %lld\n", azLimitName[i], (long long)p->aLimit[i]);
    return 0;
  }
  for(i=0; i<N_LIMIT; i++) if( strcmp(azArg[1], azLimitName[i])==0 ) iLim = i;
  if( iLim<0 ){
    dotErr(p, "unknown limit \"%s\": use rows, memory or time", azArg[1]);
    return 1;
  }
  if( nArg==3 ){
    char *zEnd;
    long long n;
    errno = 0;
    n = strtoll(azArg[2], &zEnd, 10);
    if( *zEnd || zEnd==azArg[2] || n<0 || errno ){
      dotErr(p, ".limit %s wants a number (0: no limit)", azLimitName[iLim]);
      return 1;
    }
    p->aLimit[iLim] = (int64_t)n;
    if( p->db && fakt_limits(p->db, p->aLimit[0], p->aLimit[1], p->aLimit[2])!=FAKT_OK ){
      dotErr(p, "%s", fakt_errmsg(p->db));
      return 1;
    }
  }
  fprintf(p->out, "%-8s %lld\n", azLimitName[iLim], (long long)p->aLimit[iLim]);
  return 0;
}

/* The parameter name zName as statements name it: "$who" for "who". */
static char *paramName(const char *zName){
  Buf b = {0};
  if( zName[0]!='$' ) bufPuts(&b, "$");
  bufPuts(&b, zName);
  return b.z;
}

/* .parameter set NAME VALUE | unset NAME | list | clear: values bound to
** the parameter NAME ($NAME) of every statement run afterwards. VALUE is
** one fakt literal, the rest of the line: 42, "text", @2023-09-10, 60
** km/h, kim_jong_un, ~"Putin". Its syntax is checked now; an id or label
** is looked up when a statement uses it. */
static int cmdParameter(Shell *p, int nArg, char **azArg){
  const char *zOp = azArg[1];
  int k;
  if( strcmp(zOp, "list")==0 && nArg==2 ){
    for(k=0; k<p->nParam; k++) fprintf(p->out, "%s %s\n", p->azParamName[k], p->azParamValue[k]);
    return 0;
  }
  if( strcmp(zOp, "clear")==0 && nArg==2 ){
    freeList(p->azParamName, p->nParam);
    freeList(p->azParamValue, p->nParam);
    p->azParamName = p->azParamValue = 0;
    p->nParam = 0;
    return 0;
  }
  if( (strcmp(zOp, "unset")==0 && nArg==3) || (strcmp(zOp, "set")==0 && nArg==4) ){
    char *zName = paramName(azArg[2]);
    int bSet = zOp[0]=='s', rc = 0;
    for(k=0; k<p->nParam && strcmp(p->azParamName[k], zName)!=0; k++){}
    if( bSet ){
      fakt_stmt *pStmt = 0;
      int rcB;
      fakt_set_origin(p->db, 0, 1, 1);
      if( fakt_prepare(p->db, "find $v;", -1, &pStmt, 0)!=FAKT_OK ){
        dotErr(p, "%s", fakt_errmsg(p->db));
        free(zName);
        return 1;
      }
      rcB = fakt_bind_literal(pStmt, 1, azArg[3], -1);
      if( rcB==FAKT_MISMATCH || rcB==FAKT_TOOBIG || rcB==FAKT_NOMEM ){
        dotErr(p, "parameter %s: %s", zName, bindMsg(fakt_stmt_errmsg(pStmt)));
        rc = 1;
      }
      fakt_finalize(pStmt);
      if( rc==0 && k<p->nParam ){
        free(p->azParamValue[k]);
        p->azParamValue[k] = xstrdup(azArg[3]);
      }else if( rc==0 ){
        p->azParamName = xrealloc(p->azParamName, sizeof(char*)*(size_t)(p->nParam+1));
        p->azParamValue = xrealloc(p->azParamValue, sizeof(char*)*(size_t)(p->nParam+1));
        p->azParamName[p->nParam] = zName;
        p->azParamValue[p->nParam] = xstrdup(azArg[3]);
        p->nParam++;
        zName = 0;
      }
    }else if( k<p->nParam ){
      free(p->azParamName[k]);
      free(p->azParamValue[k]);
      p->nParam--;
      memmove(&p->azParamName[k], &p->azParamName[k+1], sizeof(char*)*(size_t)(p->nParam-k));
      memmove(&p->azParamValue[k], &p->azParamValue[k+1], sizeof(char*)*(size_t)(p->nParam-k));
    }
    free(zName);
    return rc;
  }
  dotErr(p, "usage: .parameter set NAME VALUE | unset NAME | list | clear");
  return 1;
}

typedef struct DotCmd {
  const char *zName;     /* without the dot */
  int nMin, nMax;        /* argument count range, the name included */
  int (*xCmd)(Shell*, int, char**);
  const char *zUsage;    /* for .help */
  const char *zHelp;
  const char *zMore;     /* for .help NAME: more lines, or NULL */
} DotCmd;

static const DotCmd aDot[] = {
  { "backup",  2, 2, cmdBackup,  ".backup FILE",          "an online, consistent copy of the database in the new FILE", 0 },
  { "bail",    2, 2, cmdBail,    ".bail on|off",          "stop at the first failed statement (not in the REPL)", 0 },
  { "changes", 1, 2, cmdChanges, ".changes [on|off]",     "claims changed by the last write (on: after each)", 0 },
  { "check",   1, 1, cmdCheck,   ".check",                "check the integrity of the database", 0 },
  { "coverage", 2, 2, cmdCoverage, ".coverage SOURCE",    "the sentences of SOURCE that no claim quotes yet", 0 },
  { "echo",    2, 2, cmdEcho,    ".echo on|off",          "print each statement and command before running it", 0 },
  { "exit",    1, 2, cmdQuit,    ".exit",                 "leave fakt (also .quit and Ctrl-D)", 0 },
  { "explain", 2, 2, cmdExplain, ".explain on|off",       "show the plan of each find instead of its rows", 0 },
  { "export",  3, 4, cmdExport,  ".export FORMAT PATH",   "nquads|jsonl FILE [\"QUERY\"], geojson|csv|sql, dot ENTITY FILE", 0 },
  { "headers", 2, 2, cmdHeaders, ".headers on|off",       "column names in table, csv, tsv and list output", 0 },
  { "help",    1, 2, cmdHelp,    ".help [COMMAND]",       "show this list, or more on COMMAND", 0 },
  { "import",  3, 3, cmdImport,  ".import FORMAT PATH",   "jsonl FILE, csv DIR or geonames FILE (one transaction)", 0 },
  { "limit",   1, 3, cmdLimit,   ".limit [NAME [N]]",     "per-query limits: rows, memory (bytes), time (ms); 0: none",
    "  .limit              show the three limits\n"
    "  .limit rows 1000    a query that produces or holds more rows fails\n"
    "  .limit memory N     ... that holds more than N bytes\n"
    "  .limit time MS      ... that runs longer than MS milliseconds\n"
    "  A query over a limit fails with \"limit reached\" and shows no rows." },
  { "mode",    1, 2, cmdMode,    ".mode [MODE]",          "output mode: table, box, markdown, csv, tsv, json, jsonl, line, list",
    "  table     columns padded, \" | \" between them, then (N rows)\n"
    "  box       the same with box-drawing lines around\n"
    "  markdown  a Markdown table (| a | b |)\n"
    "  csv       RFC 4180; null is empty, an empty string is \"\"\n"
    "  tsv       tab-separated, \\t \\n \\r \\\\ escaped\n"
    "  json      one array of objects per statement\n"
    "  jsonl     one object per line\n"
    "  line      one \"name = value\" line per column, a blank line between rows\n"
    "  list      values separated by \"|\"\n"
    "  .nullvalue sets the text of null in every mode but json and jsonl." },
  { "nullvalue", 2, 2, cmdNullvalue, ".nullvalue TEXT",    "show null as TEXT (default: empty)", 0 },
  { "once",    2, 2, cmdOnce,    ".once FILE",            "send the output of the next statement or command to FILE", 0 },
  { "open",    2, 3, cmdOpen,    ".open [--readonly] DB", "close this database and open DB", 0 },
  { "output",  1, 2, cmdOutput,  ".output [FILE]",        "send output to FILE (\"|CMD\": to a command), or to stdout again",
    "  .output FILE    results of statements and commands go to FILE (truncated)\n"
    "  .output '|CMD'  ... to the input of the shell command CMD\n"
    "  .output         back to stdout (closes FILE)\n"
    "  Errors stay on stderr; a FILE is never cut at a width." },
  { "parameter", 2, 4, cmdParameter, ".parameter CMD ...", "set NAME VALUE, unset NAME, list, clear: bind $NAME",
    "  .parameter set NAME VALUE  bind VALUE to $NAME in every statement run after\n"
    "                             (VALUE: one literal: 42, \"text\", @2023-09-10,\n"
    "                             60 km/h, kim_jong_un, ~\"Putin\")\n"
    "  .parameter unset NAME      forget $NAME (it is then null)\n"
    "  .parameter list            the parameters and their values\n"
    "  .parameter clear           forget them all" },
  { "print",   1, 31, cmdPrint,  ".print TEXT ...",       "print TEXT", 0 },
  { "quit",    1, 1, cmdQuit,    ".quit",                 "leave fakt", 0 },
  { "read",    2, 2, 0,          ".read FILE",            "run the statements and commands in FILE", 0 },
  { "schema",  1, 1, cmdSchema,  ".schema",               "entity types, predicates (type, doc) and rules", 0 },
  { "show",    1, 1, cmdShow,    ".show",                 "show the current settings", 0 },
  { "sources", 1, 1, cmdSources, ".sources",              "source documents: title, outlet, publication date", 0 },
  { "timeout", 1, 2, cmdTimeout, ".timeout [MS]",         "a write waits MS for another writer (default 5000, 0: not at all)", 0 },
  { "timer",   2, 2, cmdTimer,   ".timer on|off",         "print the run time of each statement", 0 },
  { "vacuum",  2, 2, cmdVacuum,  ".vacuum FILE",          "write a compact copy of the database to the new FILE", 0 },
  { "width",   1, 2, cmdWidth,   ".width [N|auto]",       "cut table cells at N columns (0: never; auto: 60 on a terminal, else never)", 0 },
};
#define N_DOT ((int)(sizeof(aDot)/sizeof(aDot[0])))

/* .help: every command; .help NAME: the commands whose name starts with
** NAME (a leading dot is allowed), with more lines where there are. */
static int cmdHelp(Shell *p, int nArg, char **azArg){
  int i, nFound = 0;
  const char *zTopic = nArg>1 ? azArg[1] : 0;
  if( zTopic && zTopic[0]=='.' ) zTopic++;
  for(i=0; i<N_DOT; i++){
    if( zTopic && strncmp(aDot[i].zName, zTopic, strlen(zTopic))!=0 ) continue;
    fprintf(p->out, "%-23s %s\n", aDot[i].zUsage, aDot[i].zHelp);
    if( zTopic && aDot[i].zMore ) fprintf(p->out, "%s\n", aDot[i].zMore);
    nFound++;
  }
  if( zTopic==0 ){
    fprintf(p->out, "Statements end with \";\" and may span lines; see SPEC.md.\n");
  }else if( nFound==0 ){
    dotErr(p, "no command matches \"%s\"; try .help", azArg[1]);
    return 1;
  }
  return 0;
}

/* Split zLine into at most nMax arguments in place; quotes '..' and ".."
** group words. Returns the argument count. */
static int splitArgs(char *z, char **azArg, int nMax){
  int n = 0;
  while( *z ){
    while( *z==' ' || *z=='\t' || *z=='\r' || *z=='\n' ) z++;
    if( *z==0 ) break;
    if( n==nMax ) return nMax+1;
    if( *z=='"' || *z=='\'' ){
      char q = *z++;
      azArg[n++] = z;
      while( *z && *z!=q ) z++;
    }else{
      azArg[n++] = z;
      while( *z && *z!=' ' && *z!='\t' && *z!='\r' && *z!='\n' ) z++;
    }
    if( *z ) *z++ = 0;
  }
  return n;
}

/* Run the dot-command in zLine. Returns 0 on success, 1 on error. */
/* 1 if dot-command zName reads the database, so that it is an error while
** the database does not exist (Shell.bPending). */
static int pendingNeedsDb(const char *zName){
  static const char *const az[] = { "backup", "check", "export", "schema", "sources", "vacuum" };
  int i;
  for(i=0; i<(int)(sizeof(az)/sizeof(az[0])); i++) if( strcmp(zName, az[i])==0 ) return 1;
  return 0;
}

/* The text of zLine after its first nWord words, white space trimmed
** (new string): the VALUE of .parameter set NAME VALUE, taken as written. */
static char *restOfLine(const char *z, int nWord){
  size_t n;
  while( nWord-- > 0 ){
    while( *z==' ' || *z=='\t' ) z++;
    while( *z && *z!=' ' && *z!='\t' && *z!='\r' && *z!='\n' ) z++;
  }
  while( *z==' ' || *z=='\t' ) z++;
  n = strlen(z);
  while( n>0 && (z[n-1]==' ' || z[n-1]=='\t' || z[n-1]=='\r' || z[n-1]=='\n') ) n--;
  return xstrndup(z, n);
}

static int doDotCommand(Shell *p, Input *pIn, const char *zLine){
  char *zCopy = xstrdup(zLine), *zRest = 0;
  char *azArg[32];
  int nArg, i, rc = 1;
  const DotCmd *pCmd = 0;
  const char *z = zLine;
  while( *z==' ' || *z=='\t' ) z++;
  nArg = splitArgs(zCopy + (z-zLine) + 1, azArg, 31);
  if( nArg>=4 && strcmp(azArg[0], "parameter")==0 && strcmp(azArg[1], "set")==0 ){
    zRest = restOfLine(z, 3);    /* the value may hold spaces and quotes */
    azArg[3] = zRest;
    nArg = 4;
  }
  if( nArg==0 ){
    dotErr(p, "a dot-command needs a name; try .help");
    goto done;
  }
  for(i=0; i<N_DOT; i++){
    if( strcmp(azArg[0], aDot[i].zName)==0 ){ pCmd = &aDot[i]; break; }
  }
  if( pCmd==0 ){
    dotErr(p, "unknown command \".%s\"; try .help", azArg[0]);
  }else if( nArg<pCmd->nMin || nArg>pCmd->nMax ){
    dotErr(p, "usage: %s", pCmd->zUsage);
  }else if( p->bPending && pendingNeedsDb(azArg[0]) ){
    dotErr(p, "no such database: %s", p->zDbPath);
  }else if( p->bPending && strcmp(azArg[0], "import")==0 && pendingCreate(p) ){
    /* error shown: the import writes, so it creates the file first */
  }else if( pCmd->xCmd==0 ){
    rc = cmdRead(p, nArg, azArg, pIn);
  }else{
    rc = pCmd->xCmd(p, nArg, azArg);
  }
done:
  free(zCopy);
  free(zRest);
  fflush(p->out);
  return rc;
}

/* ==================================================================== */
/* Line editor: prompt, Ctrl-C, history, completion                      */
/* ==================================================================== */

static char *editPrompt(EditLine *el){
  Shell *p = 0;
  el_get(el, EL_CLIENTDATA, &p);
  return (char*)(p && p->bCont ? "  ...> " : "fakt> ");
}

/* Read one character for libedit, so that Ctrl-C (EINTR with
** seenInterrupt set) ends el_gets() at once instead of being retried. */
static int editGetc(EditLine *el, wchar_t *pc){
  char a[MB_LEN_MAX];
  size_t n = 0;
  (void)el;
  for(;;){
    unsigned char b;
    ssize_t r = read(STDIN_FILENO, &b, 1);
    mbstate_t st;
    size_t k;
    if( r<0 ){
      if( errno==EINTR && !seenInterrupt ) continue;
      return -1;
    }
    if( r==0 ) return 0;
    a[n++] = (char)b;
    memset(&st, 0, sizeof(st));
    k = mbrtowc(pc, a, n, &st);
    if( k==(size_t)-2 && n<sizeof(a) ) continue;
    if( k==(size_t)-1 || k==(size_t)-2 ) *pc = 0xFFFD;
    else if( k==0 ) *pc = 0;
    return 1;
  }
}

static const char *const azKeyword[] = {
  "aka", "and", "as", "asc", "at", "avg", "begin", "by", "claim", "commit",
  "count", "desc", "distinct", "drop", "entity", "explain", "false", "file",
  "find", "from", "holds", "if", "in", "limit", "list", "load", "max", "min",
  "not", "null", "of", "offset", "optional", "order", "predicate",
  "published", "quote", "retract", "rollback", "rule", "said", "single",
  "source", "stance", "sum", "text", "true", "until", "via", "where", "why",
};

static void compClear(Shell *p){
  freeList(p->azComp, p->nComp);
  free(p->abLabel);
  p->azComp = 0;
  p->abLabel = 0;
  p->nComp = 0;
  p->bCompValid = 0;
}

static void compAdd(Shell *p, char **az, int n, int bLabel){
  int i;
  if( n==0 ){ free(az); return; }
  p->azComp = xrealloc(p->azComp, sizeof(char*)*(size_t)(p->nComp+n));
  p->abLabel = xrealloc(p->abLabel, (size_t)(p->nComp+n));
  for(i=0; i<n; i++){
    p->azComp[p->nComp] = az[i];
    p->abLabel[p->nComp] = (char)bLabel;
    p->nComp++;
  }
  free(az);
}

/* Load ids, labels, aliases, predicates and sources from the database. A
** query that fails just contributes nothing. */
static void compLoad(Shell *p){
  static const struct { const char *zQ; int bLabel; } aQ[] = {
    { "find distinct ?e where type(?e, ?t);", 0 },
    { "find ?p where predicate(?p);", 0 },
    { "find distinct ?p where ?c: ?s ?p ?o;", 0 },
    { "find distinct ?s where title(?s, ?t);", 0 },
    { "find distinct ?l where label(?e, ?l);", 1 },
    { "find distinct ?a where alias(?e, ?a);", 1 },
  };
  size_t i;
  compClear(p);
  for(i=0; i<sizeof(aQ)/sizeof(aQ[0]); i++){
    char **az = 0;
    int n = 0;
    if( collect(p, aQ[i].zQ, &az, &n, 0)!=FAKT_OK ){ freeList(az, n); continue; }
    compAdd(p, az, n, aQ[i].bLabel);
  }
  p->bCompValid = 1;
}

/* Case-insensitive (ASCII) prefix test. */
static int hasPrefix(const char *z, const char *zPre, size_t n){
  size_t i;
  for(i=0; i<n; i++){
    int a = (unsigned char)z[i], b = (unsigned char)zPre[i];
    if( a==0 ) return 0;
    if( a>='A' && a<='Z' ) a += 32;
    if( b>='A' && b<='Z' ) b += 32;
    if( a!=b ) return 0;
  }
  return 1;
}

typedef struct Cand {
  const char *zKey;      /* the word matched against the prefix */
  int bLabel;            /* a label: inserted as ~"..." */
} Cand;

static void candAdd(Buf *b, const char *zKey, int bLabel){
  Cand c;
  c.zKey = zKey;
  c.bLabel = bLabel;
  bufAppend(b, (const char*)&c, sizeof(c));
}

/* Length of the common prefix of a and b, cut to a code point boundary. */
static size_t commonLen(const char *a, const char *b, size_t n){
  size_t i = 0;
  while( i<n && a[i] && hasPrefix(a+i, b+i, 1) ) i++;
  while( i>0 && ((unsigned char)a[i]&0xC0)==0x80 ) i--;
  return i;
}

static int candCmp(const void *a, const void *b){
  return strcmp(((const Cand*)a)->zKey, ((const Cand*)b)->zKey);
}

/* Show the candidates below the line, sorted (up to 200). */
static void candList(Cand *a, int n){
  int i, col = 0;
  qsort(a, (size_t)n, sizeof(Cand), candCmp);
  fputc('\n', stdout);
  for(i=0; i<n && i<200; i++){
    int w = strWidth(a[i].zKey, strlen(a[i].zKey)) + (a[i].bLabel ? 3 : 0);
    if( col>0 && col+w+2>78 ){ fputc('\n', stdout); col = 0; }
    printf(a[i].bLabel ? "%s~\"%s\"" : "%s%s", col ? "  " : "", a[i].zKey);
    col += w + (col ? 2 : 0);
  }
  if( n>200 ) printf("\n... and %d more", n-200);
  fputc('\n', stdout);
  fflush(stdout);
}

/* Tab after a dot-command's name: its arguments. Fills *pCand with
** candidates for the word at zKey[0..nKey) (their texts in *pOwn, which
** the caller frees) and returns 1, or 0 when the line is not a dot-command
** argument. File names are listed from the word's directory, a directory
** with a trailing "/". */
typedef struct OwnList { char **az; int n; } OwnList;
static const char *ownAdd(OwnList *o, char *z){
  o->az = xrealloc(o->az, sizeof(char*)*(size_t)(o->n+1));
  o->az[o->n++] = z;
  return z;
}
static void fileCands(Buf *pCand, OwnList *pOwn, const char *zKey, size_t nKey){
  const char *zSlash = 0;
  size_t i, nDir;
  char *zDir;
  DIR *d;
  struct dirent *e;
  for(i=0; i<nKey; i++) if( zKey[i]=='/' ) zSlash = zKey + i;
  nDir = zSlash ? (size_t)(zSlash - zKey) + 1 : 0;
  zDir = nDir ? xstrndup(zKey, nDir) : xstrdup(".");
  d = opendir(zDir);
  if( d ){
    while( (e = readdir(d))!=0 ){
      const char *zBase = zKey + nDir;
      size_t nBase = nKey - nDir;
      struct stat st;
      char *zFull, *zCand;
      if( strncmp(e->d_name, zBase, nBase)!=0 ) continue;
      if( e->d_name[0]=='.' && (nBase==0 || zBase[0]!='.') ) continue;
      zFull = xmalloc(strlen(zDir) + strlen(e->d_name) + 2);
      sprintf(zFull, "%s%s%s", zDir, nDir ? "" : "/", e->d_name);
      zCand = xmalloc(nDir + strlen(e->d_name) + 2);
      sprintf(zCand, "%.*s%s%s", (int)nDir, zKey, e->d_name,
              stat(zFull, &st)==0 && S_ISDIR(st.st_mode) ? "/" : "");
      free(zFull);
      candAdd(pCand, ownAdd(pOwn, zCand), 0);
    }
    closedir(d);
  }
  free(zDir);
}
static int dotArgCands(const char *zBuf, const char *zKey, size_t nKey, Buf *pCand, OwnList *pOwn){
  static const char *const azOnOff[] = { "on", "off" };
  static const char *const azImport[] = { "jsonl", "csv", "geonames" };
  static const char *const azExport[] = { "nquads", "jsonl", "csv", "dot", "geojson", "sql" };
  static const char *const azFileCmd[] = { "read", "open", "output", "once", "backup", "vacuum" };
  static const char *const azBool[] = { "bail", "changes", "echo", "explain", "headers", "timer" };
  const char *q = zBuf, *zName;
  size_t nName, i;
  int iArg = 0;
  while( *q==' ' || *q=='\t' ) q++;
  if( *q!='.' ) return 0;
  zName = ++q;
  while( *q && *q!=' ' && *q!='\t' ) q++;
  nName = (size_t)(q - zName);
  if( q>=zKey ) return 0;                        /* still in the name */
  while( q<zKey ){                               /* count the words before */
    while( q<zKey && (*q==' ' || *q=='\t') ) q++;
    if( q>=zKey ) break;
    iArg++;
    while( q<zKey && *q!=' ' && *q!='\t' ) q++;
  }
#define IS(Z) (nName==strlen(Z) && strncmp(zName, Z, nName)==0)
  if( IS("mode") ){
    for(i=0; i<sizeof(azModeName)/sizeof(azModeName[0]); i++) if( hasPrefix(azModeName[i], zKey, nKey) ) candAdd(pCand, azModeName[i], 0);
  }else if( IS("help") ){
    for(i=0; i<(size_t)N_DOT; i++) if( hasPrefix(aDot[i].zName, zKey, nKey) ) candAdd(pCand, aDot[i].zName, 0);
  }else if( IS("import") && iArg==0 ){
    for(i=0; i<sizeof(azImport)/sizeof(azImport[0]); i++) if( hasPrefix(azImport[i], zKey, nKey) ) candAdd(pCand, azImport[i], 0);
  }else if( IS("export") && iArg==0 ){
    for(i=0; i<sizeof(azExport)/sizeof(azExport[0]); i++) if( hasPrefix(azExport[i], zKey, nKey) ) candAdd(pCand, azExport[i], 0);
  }else if( IS("import") || IS("export") ){
    fileCands(pCand, pOwn, zKey, nKey);
  }else{
    for(i=0; i<sizeof(azBool)/sizeof(azBool[0]); i++){
      if( !IS(azBool[i]) ) continue;
      for(size_t j=0; j<2; j++) if( hasPrefix(azOnOff[j], zKey, nKey) ) candAdd(pCand, azOnOff[j], 0);
      return 1;
    }
    for(i=0; i<sizeof(azFileCmd)/sizeof(azFileCmd[0]); i++){
      if( IS(azFileCmd[i]) ){ fileCands(pCand, pOwn, zKey, nKey); return 1; }
    }
  }
#undef IS
  return 1;
}

/* Tab: complete the word before the cursor. A word after `~` or `~"`
** completes labels and aliases, inserted as ~"Label"; a `.` at the start
** of a statement completes dot-commands; other words complete keywords,
** ids, predicates and source ids, and labels too. */
static unsigned char editComplete(EditLine *el, int ch){
  Shell *p = 0;
  const LineInfo *li = el_line(el);
  const char *zBuf = li->buffer, *zCur = li->cursor, *w = zCur, *zKey;
  int bLabelOnly = 0, bDot = 0, nQuote = 0, nCand, i;
  size_t nKey, nCommon;
  unsigned char rc = CC_REFRESH;
  Buf cand = {0}, ins = {0};
  const Cand *a;
  const char *q;
  (void)ch;
  el_get(el, EL_CLIENTDATA, &p);
  if( !p->bCont ){
    /* a dot-command's argument: the word back to the last blank */
    OwnList own = {0, 0};
    const char *zW = zCur;
    while( zW>zBuf && zW[-1]!=' ' && zW[-1]!='\t' ) zW--;
    if( dotArgCands(zBuf, zW, (size_t)(zCur-zW), &cand, &own) ){
      a = (const Cand*)cand.z;
      nCand = (int)(cand.n/sizeof(Cand));
      nKey = (size_t)(zCur-zW);
      if( nCand==0 ){
        rc = CC_ERROR;
      }else if( nCand==1 ){
        size_t n = strlen(a[0].zKey);
        bufPuts(&ins, a[0].zKey + nKey);
        if( n==0 || a[0].zKey[n-1]!='/' ) bufPuts(&ins, " ");
        if( el_insertstr(el, ins.z)!=0 ) rc = CC_ERROR;
      }else{
        nCommon = strlen(a[0].zKey);
        for(i=1; i<nCand; i++) nCommon = commonLen(a[0].zKey, a[i].zKey, nCommon);
        if( nCommon>nKey ){
          bufAppend(&ins, a[0].zKey + nKey, nCommon - nKey);
          if( el_insertstr(el, ins.z)!=0 ) rc = CC_ERROR;
        }else{
          candList((Cand*)cand.z, nCand);
          rc = CC_REDISPLAY;
        }
      }
      for(i=0; i<own.n; i++) free(own.az[i]);
      free(own.az);
      bufFree(&cand);
      bufFree(&ins);
      return rc;
    }
  }
  for(q=zBuf; q<zCur; q++) if( *q=='"' ) nQuote++;
  if( nQuote%2 ){
    const char *zQ = zCur;
    while( zQ>zBuf && zQ[-1]!='"' ) zQ--;
    zQ--;                                       /* on the open quote */
    if( zQ>zBuf && zQ[-1]=='~' ){ w = zQ-1; bLabelOnly = 1; zKey = zQ+1; }
    else return CC_ERROR;                       /* inside a plain string */
  }else{
    while( w>zBuf && isIdentChar((unsigned char)w[-1]) ) w--;
    zKey = w;
    if( w>zBuf && w[-1]=='~' ){ w--; bLabelOnly = 1; }
    else if( w>zBuf && w[-1]=='?' ) return CC_ERROR;   /* a variable */
    else if( w>zBuf && w[-1]=='.' && !p->bCont ){
      const char *s = zBuf;
      while( s<w-1 && (*s==' ' || *s=='\t') ) s++;
      if( s==w-1 ){ bDot = 1; w--; }
    }
  }
  nKey = (size_t)(zCur-zKey);
  if( bDot ){
    for(i=0; i<N_DOT; i++) if( hasPrefix(aDot[i].zName, zKey, nKey) ) candAdd(&cand, aDot[i].zName, 0);
  }else{
    if( !p->bCompValid ) compLoad(p);
    if( !bLabelOnly ){
      for(i=0; i<(int)(sizeof(azKeyword)/sizeof(azKeyword[0])); i++){
        if( hasPrefix(azKeyword[i], zKey, nKey) ) candAdd(&cand, azKeyword[i], 0);
      }
    }
    for(i=0; i<p->nComp; i++){
      if( bLabelOnly && !p->abLabel[i] ) continue;
      if( hasPrefix(p->azComp[i], zKey, nKey) ) candAdd(&cand, p->azComp[i], p->abLabel[i]);
    }
  }
  a = (const Cand*)cand.z;
  nCand = (int)(cand.n/sizeof(Cand));
  if( !bLabelOnly && nCand>1 ){
    /* a bare word completes ids first: the labels of those entities (and
    ** others) only when no id, keyword or name matches */
    int j, k = 0, bId = 0;
    Cand *aw = (Cand*)cand.z;
    for(j=0; j<nCand; j++) if( !aw[j].bLabel ) bId = 1;
    if( bId ){
      for(j=0; j<nCand; j++) if( !aw[j].bLabel ) aw[k++] = aw[j];
      nCand = k;
    }
  }
  if( nCand>1 ){     /* drop duplicates (an id that is also a keyword ...) */
    int j, k = 0;
    Cand *aw = (Cand*)cand.z;
    for(j=0; j<nCand; j++){
      int d;
      for(d=0; d<k; d++) if( aw[d].bLabel==aw[j].bLabel && strcmp(aw[d].zKey, aw[j].zKey)==0 ) break;
      if( d==k ) aw[k++] = aw[j];
    }
    nCand = k;
  }
  if( nCand==0 ){ rc = CC_ERROR; goto done; }
  nCommon = strlen(a[0].zKey);
  for(i=1; i<nCand; i++){
    if( a[i].bLabel!=a[0].bLabel ){ nCommon = 0; break; }
    nCommon = commonLen(a[0].zKey, a[i].zKey, nCommon);
  }
  if( nCand==1 ){
    if( bDot ) bufPuts(&ins, ".");
    if( a[0].bLabel ) bufPuts(&ins, "~\"");
    bufPuts(&ins, a[0].zKey);
    bufPuts(&ins, a[0].bLabel ? "\"" : " ");
  }else if( nCommon>nKey || (nCommon==nKey && nKey>0 && memcmp(a[0].zKey, zKey, nKey)!=0) ){
    if( bDot ) bufPuts(&ins, ".");
    if( a[0].bLabel ) bufPuts(&ins, "~\"");
    bufAppend(&ins, a[0].zKey, nCommon);
  }else{
    candList((Cand*)cand.z, nCand);
    rc = CC_REDISPLAY;
    goto done;
  }
  el_deletestr(el, cpCount(w, (size_t)(zCur-w)));
  if( el_insertstr(el, ins.z)!=0 ) rc = CC_ERROR;
done:
  bufFree(&cand);
  bufFree(&ins);
  return rc;
}

/* Set up libedit and the history for the REPL. Returns 0 or 1. */
static int editInit(Shell *p){
  HistEvent ev;
  const char *zHist = getenv("FAKT_HISTORY");
  const char *zHome = getenv("HOME");
  if( zHist && zHist[0] ){
    p->zHistFile = xstrdup(zHist);
  }else if( zHome && zHome[0] ){
    Buf b = {0};
    bufPuts(&b, zHome);
    bufPuts(&b, "/.fakt_history");
    p->zHistFile = b.z;
  }
  p->hist = history_init();
  p->el = el_init("fakt", stdin, stdout, stderr);
  if( p->hist==0 || p->el==0 ) return 1;
  history(p->hist, &ev, H_SETSIZE, 1000);
  history(p->hist, &ev, H_SETUNIQUE, 1);
  if( p->zHistFile ) history(p->hist, &ev, H_LOAD, p->zHistFile);
  el_set(p->el, EL_CLIENTDATA, (void*)p);
  el_set(p->el, EL_EDITOR, "emacs");
  el_set(p->el, EL_SIGNAL, 0);
  el_set(p->el, EL_PROMPT, editPrompt);
  el_set(p->el, EL_HIST, history, p->hist);
  el_set(p->el, EL_GETCFN, editGetc);
  /* el_wset: the narrow el_set copies these names and never frees them */
  el_wset(p->el, EL_ADDFN, L"fakt-complete", L"complete a word", editComplete);
  el_set(p->el, EL_BIND, "^I", "fakt-complete", NULL);
  el_source(p->el, NULL);
  return 0;
}

static void editEnd(Shell *p){
  if( p->hist ){
    HistEvent ev;
    if( p->zHistFile ) history(p->hist, &ev, H_SAVE, p->zHistFile);
    history_end(p->hist);
  }
  if( p->el ) el_end(p->el);
  free(p->zHistFile);
  p->hist = 0;
  p->el = 0;
  p->zHistFile = 0;
}

/* Add a statement or command to the history, newlines made spaces. */
static void editRemember(Shell *p, const char *z){
  HistEvent ev;
  char *zCopy, *q;
  size_t n = strlen(z);
  if( p->hist==0 ) return;
  while( n>0 && (z[n-1]=='\n' || z[n-1]=='\r' || z[n-1]==' ') ) n--;
  if( n==0 ) return;
  zCopy = xstrndup(z, n);
  for(q=zCopy; *q; q++) if( *q=='\n' || *q=='\r' ) *q = ' ';
  history(p->hist, &ev, H_ENTER, zCopy);
  free(zCopy);
  /* saved at once, so a killed or crashed shell keeps what was typed */
  if( p->zHistFile ) history(p->hist, &ev, H_SAVE, p->zHistFile);
}

/* ==================================================================== */
/* Input loop                                                            */
/* ==================================================================== */

#define LINE_EOF  (-1)
#define LINE_INTR (-2)

/* Read one line (with its newline, if any) into *pBuf. Returns the length,
** LINE_EOF or LINE_INTR (Ctrl-C at the prompt). */
static long readLine(Shell *p, Input *pIn, Buf *pBuf){
  bufReset(pBuf);
  if( pIn->in ){
    int c;
    while( (c = getc(pIn->in))!=EOF ){
      char ch = (char)c;
      bufAppend(pBuf, &ch, 1);
      if( c=='\n' ) break;
    }
    if( pBuf->n==0 ) return LINE_EOF;
  }else{
    int n = 0;
    const char *z;
    seenInterrupt = 0;
    z = el_gets(p->el, &n);
    if( seenInterrupt ){
      seenInterrupt = 0;
      fputc('\n', stdout);
      return LINE_INTR;
    }
    if( z==0 || n<=0 ){ fputc('\n', stdout); return LINE_EOF; }
    bufAppend(pBuf, z, (size_t)n);
  }
  bufAppend(pBuf, "", 0);
  return (long)pBuf->n;
}

static int isDotLine(const char *z){
  while( *z==' ' || *z=='\t' ) z++;
  return *z=='.';
}

/* Process lines of pIn until end of input, .quit or bail. Lines are
** gathered until fakt_complete(); dot-commands stand on a line of their
** own between statements. Failures are counted in p->nErr. */
static int processInput(Shell *p, Input *pIn){
  Buf line = {0}, acc = {0};
  int iStart = 0;
  long n;
  Input *pOuter = p->pIn;
  p->pIn = pIn;
  p->bCont = 0;
  while( !p->bQuit && !p->bStop && (n = readLine(p, pIn, &line))!=LINE_EOF ){
    if( n==LINE_INTR ){ bufReset(&acc); p->bCont = 0; continue; }
    pIn->iLine++;
    if( acc.n==0 && isDotLine(line.z) ){
      int iOnce = p->iOnce, bOnce = p->bOnce;
      if( pIn->in==0 ) editRemember(p, line.z);
      if( p->bEcho ) fprintf(p->out, "%s%s", line.z, line.n && line.z[line.n-1]=='\n' ? "" : "\n");
      if( doDotCommand(p, pIn, line.z) ){
        p->nErr++;
        if( bailOn(p, pIn) ) p->bStop = 1;
      }
      if( bOnce && p->bOnce && p->iOnce==iOnce ) outputReset(p);   /* .once used up */
      if( pIn->in==0 ) p->bStop = 0;   /* a bail in .read ends that file only */
      continue;
    }
    if( acc.n==0 ) iStart = pIn->iLine;
    bufAppend(&acc, line.z, line.n);
    {
      const char *zRest = skipSpace(acc.z);
      if( zRest && zRest==acc.z+acc.n ){ bufReset(&acc); p->bCont = 0; continue; }
    }
    /* a NUL byte ends what fakt_complete() can see: run the text, so that
    ** fakt reports the NUL instead of the rest being dropped */
    if( fakt_complete(acc.z) || memchr(acc.z, 0, acc.n) ){
      p->bCont = 0;
      if( p->bEcho ) fprintf(p->out, "%s%s", acc.z, acc.n && acc.z[acc.n-1]=='\n' ? "" : "\n");
      if( pIn->in==0 ){
        editRemember(p, acc.z);
        runText(p, pIn, acc.z, acc.n, 1);
      }else{
        runText(p, pIn, acc.z, acc.n, iStart);
      }
      bufReset(&acc);
      if( p->bOnce ) outputReset(p);       /* .once: this was the next statement */
    }else{
      p->bCont = 1;
    }
  }
  if( acc.n>0 && !p->bQuit && !p->bStop ){   /* unfinished last statement */
    if( pIn->in==0 ) editRemember(p, acc.z);
    if( p->bEcho ) fprintf(p->out, "%s\n", acc.z);
    runText(p, pIn, acc.z, acc.n, pIn->in ? iStart : 1);
  }
  p->bCont = 0;
  p->pIn = pOuter;
  bufFree(&line);
  bufFree(&acc);
  return p->nErr;
}

/* ==================================================================== */
/* main                                                                  */
/* ==================================================================== */

static void usage(FILE *f){
  fprintf(f,
"Usage: fakt [OPTIONS] [DB]\n"
"Query and change a fakt database. With no DB, opens the corpus database\n"
"  %s\n"
"read-only: rules defined in the session live until it ends, and to change\n"
"the corpus, name its file (or a copy) as DB. A DB that does not\n"
"exist is created by the first statement that writes (or begin); a query or\n"
"a .schema before that is an error, \"no such database: DB\", and the file is\n"
"not created. DB :memory: is a private database that lives in memory (a\n"
"temporary file that is never visible) and is gone when fakt ends. On a\n"
"terminal fakt starts a REPL (enter .help there); otherwise it runs the\n"
"statements it reads from stdin.\n"
"\n"
"Options:\n"
"  -c TEXT               run the statements and dot-commands in TEXT (may be\n"
"                        repeated)\n"
"  -f FILE               run the script FILE (may be repeated)\n"
"  -cmd COMMAND          run COMMAND (a statement or dot-command) before the\n"
"                        input, after the init file (may be repeated)\n"
"  -init FILE            run FILE at start instead of ~/.faktrc\n"
"  -echo                 print each statement and command before running it\n"
"  -m, --mode MODE       output mode: table (default), box, markdown, csv, tsv,\n"
"                        json, jsonl, line, list\n"
"      --headers on|off  column names in table, csv and tsv output (default on)\n"
"      --no-headers      the same as --headers off\n"
"      --width N|auto    cut table cells at N columns (0: never); auto, the\n"
"                        default, cuts at %d on a terminal and never in a file\n"
"                        or a pipe\n"
"      --readonly        open the database read-only\n"
"      --bail            stop at the first failed statement of a script\n"
"      --version         print the version and exit\n"
"  -h, --help            print this help and exit\n"
"\n"
"-c and -f run in the order given, and then fakt exits. Errors are reported\n"
"as FILE:LINE:COL: error: MESSAGE (FILE is -c for -c text, <stdin> for stdin).\n"
"Exit status: 0 if all went well, 1 if a statement failed or the input ended\n"
"inside a transaction (begin without commit: it is rolled back), 2 on a usage\n"
"error.\n"
"At start fakt runs ~/.faktrc, if it exists (dot-commands such as .mode box,\n"
"statements), unless -init FILE names another file (-init /dev/null: none).\n"
"Environment: FAKT_HISTORY names the REPL history file (default ~/.fakt_history).\n",
  FAKT_DEFAULT_DB, DEFAULT_WIDTH);
}

static int usageError(const char *zFmt, const char *zArg){
  fputs("fakt: ", stderr);
  fprintf(stderr, zFmt, zArg);
  fputs("\nTry 'fakt --help' for more information.\n", stderr);
  return 2;
}

/* One -c or -f from the command line. */
typedef struct Action { int bFile; const char *z; } Action;

/* Match option zArg against zLong ("--mode") or zShort ("-m"); a value is
** taken from "--mode=x" or the next argument. Returns 1 on a match. */
static int optValue(int argc, char **argv, int *pi, const char *zLong,
                    const char *zShort, const char **pzVal){
  const char *z = argv[*pi];
  size_t n = zLong ? strlen(zLong) : 0;
  if( (zLong && strcmp(z, zLong)==0) || (zShort && strcmp(z, zShort)==0) ){
    *pzVal = *pi+1<argc ? argv[++*pi] : 0;
    return 1;
  }
  if( zLong && strncmp(z, zLong, n)==0 && z[n]=='=' ){
    *pzVal = z+n+1;
    return 1;
  }
  return 0;
}

static int runActions(Shell *p, const Action *a, int nAction){
  int i;
  for(i=0; i<nAction && !p->bQuit && !p->bStop; i++){
    Input in;
    memset(&in, 0, sizeof(in));
    if( a[i].bFile ){
      in.zName = a[i].z;
      in.zOrigin = a[i].z;
      in.in = fopen(a[i].z, "rb");
      if( in.in==0 ){
        fprintf(stderr, "fakt: cannot open \"%s\": %s\n", a[i].z, strerror(errno));
        p->nErr++;
        if( p->bBail ) break;
        continue;
      }
    }else{
      in.zName = "-c";
      in.in = fmemopen((void*)a[i].z, strlen(a[i].z), "r");
      if( in.in==0 ) oom();
    }
    processInput(p, &in);
    fclose(in.in);
  }
  return 0;
}

/* Run the init file: zInit (-init FILE; an error if it cannot be read),
** else ~/.faktrc if there is one, as sqlite3 runs ~/.sqliterc. */
static void runInitFile(Shell *p, const char *zInit){
  Input in;
  Buf path = {0};
  const char *zHome = getenv("HOME");
  memset(&in, 0, sizeof(in));
  if( zInit ){
    bufPuts(&path, zInit);
  }else{
    if( zHome==0 || zHome[0]==0 ) return;
    bufPuts(&path, zHome);
    bufPuts(&path, "/.faktrc");
  }
  in.in = fopen(path.z, "rb");
  if( in.in==0 ){
    if( zInit || errno!=ENOENT ){
      fprintf(stderr, "fakt: cannot open \"%s\": %s\n", path.z, strerror(errno));
      p->nErr++;
    }
    bufFree(&path);
    return;
  }
  if( p->bInteractive ) printf("Loading resources from %s\n", path.z);
  in.zName = path.z;
  in.zOrigin = path.z;
  processInput(p, &in);
  fclose(in.in);
  bufFree(&path);
}

/* Run each -cmd COMMAND (a statement or a dot-command), in order. */
static void runCmds(Shell *p, char **azCmd, int nCmd){
  int i;
  for(i=0; i<nCmd && !p->bQuit && !p->bStop; i++){
    Input in;
    memset(&in, 0, sizeof(in));
    in.zName = "-cmd";
    in.in = fmemopen((void*)azCmd[i], strlen(azCmd[i]), "r");
    if( in.in==0 ) oom();
    processInput(p, &in);
    fclose(in.in);
  }
}

static void setUtf8Locale(void){
  const char *zSet = setlocale(LC_CTYPE, "");
  if( zSet==0 || strcmp(nl_langinfo(CODESET), "UTF-8")!=0 ){
    if( setlocale(LC_CTYPE, "C.UTF-8")==0 ) setlocale(LC_CTYPE, "C");
  }
}

static void runRepl(Shell *p){
  Input in;
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = onSigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;                 /* no SA_RESTART: read() sees EINTR */
  sigaction(SIGINT, &sa, 0);
  setUtf8Locale();
  if( editInit(p) ){
    fprintf(stderr, "fakt: cannot start the line editor\n");
    editEnd(p);
    p->nErr++;
    return;
  }
  printf("fakt %s \xE2\x80\x94 enter .help for help\n", fakt_libversion());
  if( p->bReadonly ) printf("%s is open read-only\n", p->zDbPath);
  if( p->bPending ){
    printf("%s does not exist yet: the first statement that writes creates it\n", p->zDbPath);
  }
  fflush(stdout);
  memset(&in, 0, sizeof(in));
  in.zName = "<stdin>";
  p->bInteractive = 1;
  processInput(p, &in);
  editEnd(p);
}

/*
** fakt [OPTIONS] [DB]: see usage(). Exit status 0 when every statement and
** command succeeded, 1 when one failed or the database could not be opened,
** 2 on a usage error.
*/
int main(int argc, char **argv){
  Shell s;
  Action *aAction;
  char **azCmd;
  int nAction = 0, nCmd = 0, i, bReadonly = 0, bOpts = 1, flags, bRepl, bEcho = 0;
  const char *zDb = 0, *zInit = 0;
  memset(&s, 0, sizeof(s));
  s.out = stdout;
  s.zNull = xstrdup("");
  s.mode = MODE_TABLE;
  s.bHeaders = 1;
  s.nWidth = -1;
  s.bTty = isatty(1);
  s.nBusyMs = -1;
  aAction = xmalloc(sizeof(Action)*(size_t)(argc>0 ? argc : 1));
  azCmd = xmalloc(sizeof(char*)*(size_t)(argc>0 ? argc : 1));
  for(i=1; i<argc; i++){
    const char *z = argv[i], *zVal = 0;
    int rc = -1;
    if( !bOpts || z[0]!='-' || z[1]==0 ){
      if( zDb ){ rc = usageError("more than one database given: \"%s\"", z); goto usage_done; }
      zDb = z;
      continue;
    }
    if( strcmp(z, "--")==0 ){ bOpts = 0; continue; }
    if( strcmp(z, "--help")==0 || strcmp(z, "-h")==0 ){ usage(stdout); rc = 0; goto usage_done; }
    if( strcmp(z, "--version")==0 ){ printf("fakt %s\n", fakt_libversion()); rc = 0; goto usage_done; }
    if( strcmp(z, "-echo")==0 || strcmp(z, "--echo")==0 ){ bEcho = 1; continue; }
    if( optValue(argc, argv, &i, "--cmd", "-cmd", &zVal) ){
      if( zVal==0 ){ rc = usageError("%s needs a command", z); goto usage_done; }
      azCmd[nCmd++] = (char*)zVal;
      continue;
    }
    if( optValue(argc, argv, &i, "--init", "-init", &zVal) ){
      if( zVal==0 ){ rc = usageError("%s needs a file", z); goto usage_done; }
      zInit = zVal;
      continue;
    }
    if( strcmp(z, "--readonly")==0 ){ bReadonly = 1; continue; }
    if( strcmp(z, "--bail")==0 ){ s.bBail = 1; continue; }
    if( strcmp(z, "--no-headers")==0 ){ s.bHeaders = 0; continue; }
    if( optValue(argc, argv, &i, "--mode", "-m", &zVal) ){
      if( zVal==0 ){ rc = usageError("%s needs a mode", z); goto usage_done; }
      if( parseMode(zVal, &s.mode) ){
        rc = usageError("unknown mode \"%s\": use " MODE_NAMES, zVal);
        goto usage_done;
      }
      continue;
    }
    if( optValue(argc, argv, &i, "--width", 0, &zVal) ){
      if( zVal==0 || (s.nWidth = parseWidth(zVal))==-2 ){
        rc = usageError("%s needs a number of columns (0: no limit) or auto", "--width");
        goto usage_done;
      }
      continue;
    }
    if( optValue(argc, argv, &i, "--headers", 0, &zVal) ){
      if( zVal && strcmp(zVal, "on")==0 ) s.bHeaders = 1;
      else if( zVal && strcmp(zVal, "off")==0 ) s.bHeaders = 0;
      else { rc = usageError("%s needs on or off", "--headers"); goto usage_done; }
      continue;
    }
    if( optValue(argc, argv, &i, 0, "-c", &zVal) || optValue(argc, argv, &i, 0, "-f", &zVal) ){
      if( zVal==0 ){ rc = usageError("%s needs an argument", z); goto usage_done; }
      aAction[nAction].bFile = z[1]=='f';
      aAction[nAction].z = zVal;
      nAction++;
      continue;
    }
    rc = usageError("unknown option \"%s\"", z);
usage_done:
    if( rc>=0 ){ free(aAction); free(azCmd); free(s.zNull); return rc; }
  }

  if( bReadonly ) flags = FAKT_OPEN_READONLY;
  else if( zDb ) flags = FAKT_OPEN_READWRITE|FAKT_OPEN_CREATE;
  else flags = FAKT_OPEN_READONLY;        /* the shipped corpus is not changed */
  if( openDb(&s, zDb ? zDb : FAKT_DEFAULT_DB, flags) ){
    if( !zDb ) fprintf(stderr, "fakt: build it with `make corpus`, or name a database: fakt FILE\n");
    free(aAction);
    free(azCmd);
    free(s.zNull);
    return 1;
  }

  bRepl = nAction==0 && isatty(0) && isatty(1);
  s.bInteractive = bRepl;
  runInitFile(&s, zInit);          /* -init FILE or ~/.faktrc, then -cmd */
  if( bEcho ) s.bEcho = 1;         /* as in sqlite3: after the init file */
  if( !s.bStop && !s.bQuit ) runCmds(&s, azCmd, nCmd);
  if( bRepl ) s.bStop = 0;         /* the REPL reports failures and stays */
  if( s.bQuit || s.bStop ){
    /* .quit or a bail in the init file or a -cmd: no more input */
  }else if( nAction>0 ){
    runActions(&s, aAction, nAction);
  }else if( bRepl ){
    runRepl(&s);
  }else{
    Input in;
    memset(&in, 0, sizeof(in));
    in.zName = "<stdin>";
    in.in = stdin;
    processInput(&s, &in);
  }
  if( outputReset(&s) ) s.nErr++;
  compClear(&s);
  closeDb(&s);
  free(s.zDbPath);
  free(s.zNull);
  freeList(s.azParamName, s.nParam);
  freeList(s.azParamValue, s.nParam);
  free(aAction);
  free(azCmd);
  fflush(stdout);
  return s.nErr ? 1 : 0;
}
