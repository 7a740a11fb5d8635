/*
** output.c -- the output modes: one writer per mode, fed column names then rows.
*/
#include "shell.h"

/* ==================================================================== */
/* Output: one writer per mode, fed column names then rows of text.      */
/* ==================================================================== */


/* The width table cells are cut at: as set by --width or .width, else
** DEFAULT_WIDTH on a terminal and no limit (0) otherwise, so that output
** to a file or a pipe is never cut. */
int cellMax(Shell *p){
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
void jsonString(FILE *f, const char *z){
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

void outBegin(Out *o, Shell *p, int nCol, const char *const *azName){
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
void outRow(Out *o, const char *const *azVal, const int *aType,
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
void outEnd(Out *o, int rc){
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
int outputReset(Shell *p){
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
int outputSet(Shell *p, const char *zFile, int bOnce){
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

